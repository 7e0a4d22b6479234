#!/usr/bin/env bash
# Installs what tsmigrate needs to build, test and package on Debian 12 (run as root). Every
# package is named here: a brand-new Debian 12 root (what CI builds, see .ci/run) has nothing
# else, and installs skip recommended packages.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
    cmake ninja-build g++ pkg-config file
    qt6-base-dev qt6-charts-dev
    libqt6opengl6-dev    # Qt6Charts' CMake package needs Qt6OpenGL, only recommended by qt6-base-dev
    qtkeychain-qt6-dev   # passwords and tokens in the system keychain
    libcurl4-openssl-dev libsqlite3-dev zlib1g-dev libmsgpack-dev
    tzdata               # IANA time zones for the task's time zone field
    fonts-dejavu-core    # text in the offscreen GUI tests and the screenshots
    influxdb             # real InfluxDB 1.x for the integration tests and benchmarks
    influxdb-client      # InfluxDB's own importer (influx -import), a benchmark baseline
    openssl              # a self-signed certificate for the tests of https to a real influxd
    dbus-daemon gnome-keyring   # a real keychain service for the GUI tests of secrets
    clang libclang-rt-14-dev   # the sanitizer run (packaging/test-sanitize.sh): libFuzzer and ASan
    dpkg-dev help2man    # the package's Depends (dpkg-shlibdeps) and its man page
    desktop-file-utils appstream   # validators of the package's .desktop and metainfo files
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
