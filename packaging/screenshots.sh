#!/usr/bin/env bash
# Regenerates the README's screenshots from the real app: the wizard walk test drives every
# page against a real influxd and saves each window into resources/screenshots/; the monitor
# test saves the monitor during a run, after a failure and after completion; the secrets test
# saves the summary page of a machine without a keychain service.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSM_BUILD_UI=ON
cmake --build build --target test_wizard test_monitor test_secrets tsmigrate-cli
rm -rf resources/screenshots
QT_QPA_PLATFORM=offscreen TSM_SCREENSHOT_DIR="$PWD/resources/screenshots" \
    TSM_CLI="$PWD/build/app/tsmigrate-cli" ./build/tests/test_wizard
QT_QPA_PLATFORM=offscreen TSM_SCREENSHOT_DIR="$PWD/resources/screenshots" \
    TSM_CLI="$PWD/build/app/tsmigrate-cli" ./build/tests/test_monitor
QT_QPA_PLATFORM=offscreen TSM_SCREENSHOT_DIR="$PWD/resources/screenshots" \
    ./build/tests/test_secrets withoutKeychain
ls resources/screenshots
