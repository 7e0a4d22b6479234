#!/usr/bin/env bash
# Builds the Debian package build-release/tsmigrate_<version>_amd64.deb (cpack, Depends from
# dpkg-shlibdeps) from the same release build as packaging/demo.sh, and validates its menu
# entry and AppStream metainfo. Install it with: apt-get install ./build-release/tsmigrate_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build-release.sh
rm -f build-release/tsmigrate_*.deb
(cd build-release && cpack -G DEB)
deb=$(ls build-release/tsmigrate_*_amd64.deb)

# What the package holds, checked where it is unpacked.
staged=$(mktemp -d)
trap 'rm -rf "$staged"' EXIT
dpkg-deb -x "$deb" "$staged"
desktop-file-validate "$staged"/usr/share/applications/org.tsmigrate.tsmigrate.desktop
appstreamcli validate --no-net "$staged"/usr/share/metainfo/org.tsmigrate.tsmigrate.metainfo.xml
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends Suggests
# Depends must come from dpkg-shlibdeps (CPack falls back to the hand-written part alone when
# it is missing), and the man page from help2man.
dpkg-deb -f "$deb" Depends | grep -q 'libqt6core6' ||
    { echo "package: Depends was not computed by dpkg-shlibdeps" >&2; exit 1; }
dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -v '/$' | tee "$staged/contents"
grep -q 'man1/tsmigrate-cli.1.gz$' "$staged/contents" ||
    { echo "package: no man page (help2man missing?)" >&2; exit 1; }
echo "Built $deb"
