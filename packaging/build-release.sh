#!/usr/bin/env bash
# The release build in build-release/ that packaging/demo.sh opens and packaging/package.sh packs:
# the packages installed (packaging/deps.sh), then the desktop app and tsmigrate-cli built
# without the tests and benchmarks, for /usr.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DTSM_BUILD_TESTS=OFF -DTSM_BUILD_BENCH=OFF
cmake --build build-release
