#!/usr/bin/env bash
# Installs, builds, and runs the demo task: the bundled line-protocol sample migrated into a
# line-protocol file, with no server needed.
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
head -n 8 build/demo-output.lp
