#!/usr/bin/env bash
# Installs, builds and opens the desktop app. A new task store starts with the demo task (the
# bundled line-protocol sample migrated into a line-protocol file, no server needed): select it
# and press Start. Without a display, the same demo runs through tsmigrate-cli instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTSM_BUILD_TESTS=OFF -DTSM_BUILD_BENCH=OFF
cmake --build build
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec ./build/app/tsmigrate
fi
state=build/demo-state.sqlite
./build/app/tsmigrate-cli run resources/profiles/demo.json --state "$state" \
    --set target.path="$PWD/build/demo-output.lp" --restart
./build/app/tsmigrate-cli status --state "$state"
echo "Migrated points are in build/demo-output.lp:"
head -n 4 build/demo-output.lp
echo "No display: with one, ./build/app/tsmigrate opens the app with the demo task in its list."
