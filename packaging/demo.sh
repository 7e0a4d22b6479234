#!/usr/bin/env bash
# Installs, builds and opens the desktop app. A new task store starts with the demo task (the
# bundled line-protocol sample migrated into a line-protocol file, no server needed): select it
# and press Start. Without a display, the same demo runs through tsmigrate-cli instead.
# The release build goes to build-release/ (packaging/package.sh packs the same build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build-release.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec ./build-release/app/tsmigrate
fi
state=build-release/demo-state.sqlite
./build-release/app/tsmigrate-cli run resources/profiles/demo.json --state "$state" \
    --set target.path="$PWD/build-release/demo-output.lp" --restart
./build-release/app/tsmigrate-cli status --state "$state"
echo "Migrated points are in build-release/demo-output.lp:"
head -n 4 build-release/demo-output.lp
echo "No display: with one, ./build-release/app/tsmigrate opens the app with the demo task in its list."
