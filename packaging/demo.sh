#!/usr/bin/env bash
# Installs, builds, runs the demo task (the bundled line-protocol sample migrated into a
# line-protocol file, no server needed) and opens the desktop app on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTSM_BUILD_TESTS=OFF -DTSM_BUILD_BENCH=OFF
cmake --build build
state=build/demo-state.sqlite
./build/app/tsmigrate-cli run resources/profiles/demo.json --state "$state" \
    --set target.path="$PWD/build/demo-output.lp" --restart
./build/app/tsmigrate-cli status --state "$state"
echo "Migrated points are in build/demo-output.lp:"
head -n 4 build/demo-output.lp
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec ./build/app/tsmigrate --state "$state"
else
    echo "No display: start the desktop app later with ./build/app/tsmigrate --state $state"
fi
