#!/usr/bin/env bash
# Run by .ci/run inside the brand-new Debian 12 root, as root, from a copy of the checkout in
# /src: the README's two commands as written there, then the Debian package, left in /out for
# .ci/check-package.sh to install in a second brand-new root.
set -euo pipefail
cd /src
started=$(date +%s)
say() { printf '\n=== [in root %4ds] %s\n' "$(($(date +%s) - started))" "$*"; }

say "README, second command: bash packaging/test.sh"
bash packaging/test.sh

say "the sanitizer run: bash packaging/test-sanitize.sh (fault suite and fuzz targets, clang)"
bash packaging/test-sanitize.sh

say "tests started by hand from another folder, without the variables ctest sets"
(cd / && env -u TSM_CLI -u TSM_SOURCE_DIR QT_QPA_PLATFORM=offscreen /src/build/tests/test_demotask)
(cd / && env -u TSM_CLI -u TSM_SOURCE_DIR /src/build-noui/tests/test_lpfile sampleFileIsClean)

say "README, first command, without a display: bash packaging/demo.sh"
unset DISPLAY WAYLAND_DISPLAY
bash packaging/demo.sh | tee /tmp/demo.log
# The demo moved every point of the bundled sample, and says how to open the app.
points=$(grep -cvE '^(#|CREATE |$)' resources/sample.lp)
written=$(grep -cvE '^(#|CREATE |$)' build-release/demo-output.lp)
[ "$points" -gt 1000 ] && [ "$written" -eq "$points" ] ||
    { echo "demo: $written of $points points in build-release/demo-output.lp" >&2; exit 1; }
grep -q "^demo: completed," /tmp/demo.log ||
    { echo "demo: the status does not say completed" >&2; exit 1; }
echo "demo: all $points points of the sample migrated"

say "the Debian package: bash packaging/package.sh"
bash packaging/package.sh
cp build-release/tsmigrate_*_amd64.deb /out/
say "all done"
