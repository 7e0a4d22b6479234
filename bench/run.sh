#!/usr/bin/env bash
# Builds and runs every benchmark with its defaults; each starts its own influxd and prints its
# figures with ratios against baselines measured in the same run. Pass --smoke for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSM_BUILD_UI=OFF \
    -DTSM_BUILD_TESTS=ON -DTSM_BUILD_BENCH=ON >/dev/null
cmake --build build-bench --target tsmigrate-cli bench_conversion bench_migration bench_memory \
    bench_large bench_tdengine2
export TSM_CLI="$PWD/build-bench/app/tsmigrate-cli"
for bench in bench_conversion bench_migration bench_memory bench_large bench_tdengine2; do
    echo "=== $bench $*"
    "./build-bench/bench/$bench" "$@"
    echo
done
