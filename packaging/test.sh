#!/usr/bin/env bash
# Installs, builds and runs the whole test suite. The engine, the CLI and their tests are built
# with the UI switched off and warnings as errors, so the layer boundary stays real.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh
jobs=$(nproc)
cmake -S . -B build-noui -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTSM_BUILD_UI=OFF -DTSM_WERROR=ON
cmake --build build-noui -j "$jobs"
ctest --test-dir build-noui --output-on-failure -j "$jobs"
# The desktop app and its GUI tests, which drive the real widgets offscreen.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSM_BUILD_UI=ON -DTSM_WERROR=ON
cmake --build build -j "$jobs" --target tsmigrate tsmigrate-cli gui_tests
ctest --test-dir build --output-on-failure -j "$jobs" -L gui
