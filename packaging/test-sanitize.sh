#!/usr/bin/env bash
# The sanitizer run CI adds to the README's test command: one clang build tree with
# AddressSanitizer and UndefinedBehaviorSanitizer on every library and libFuzzer's coverage
# instrumentation (TSM_FUZZ=ON), building only the fault suite, the fuzz targets and what they
# need (no UI, no benchmarks); then
#   1. the fault suite (ctest -L fault) and the replay of every seed corpus (ctest -L fuzz),
#   2. each fuzz target for TSM_FUZZ_SECONDS (30) seconds from its seed corpus.
# A finding stops the run: the sanitizer's report, or libFuzzer's crash-* input under
# build-sanitize/fuzz-findings/ (reproduce with build-sanitize/tests/fuzz/fuzz_NAME FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/deps.sh
jobs=$(nproc)
seconds=${TSM_FUZZ_SECONDS:-30}
started=$(date +%s)
say() { printf '=== [sanitize %4ds] %s\n' "$(($(date +%s) - started))" "$*"; }

CC=clang CXX=clang++ cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTSM_BUILD_UI=OFF -DTSM_BUILD_BENCH=OFF -DTSM_FUZZ=ON
cmake --build build-sanitize -j "$jobs" --target tsmigrate-cli test_faults fuzz_targets
say "built"
ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -L 'fault|fuzz'
say "fault suite and seed corpora clean"

repo=$PWD
findings=$repo/build-sanitize/fuzz-findings
rm -rf "$findings"
mkdir -p "$findings"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for corpus in tests/fuzz/corpus/*/; do
    name=$(basename "$corpus")
    # New inputs go to a scratch folder; the committed corpus stays as it is.
    mkdir -p "$findings/$name"
    (cd "$findings" && "$repo/build-sanitize/tests/fuzz/fuzz_$name" -max_total_time="$seconds" \
        -print_final_stats=1 "$findings/$name" "$repo/$corpus") >"$findings/$name.log" 2>&1 || {
        tail -n 60 "$findings/$name.log"
        echo "fuzz_$name found a problem: $(ls "$findings"/crash-* "$findings"/oom-* \
            "$findings"/timeout-* 2>/dev/null | head -1)" >&2
        exit 1
    }
    say "fuzz_$name: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$findings/$name.log")"
done
