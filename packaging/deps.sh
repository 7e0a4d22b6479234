#!/usr/bin/env bash
# Installs what tsmigrate needs to build and test on Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-charts-dev
    qtkeychain-qt6-dev   # passwords and tokens in the system keychain
    libcurl4-openssl-dev libsqlite3-dev zlib1g-dev libmsgpack-dev
    influxdb   # real InfluxDB 1.x for the integration tests and benchmarks
    dbus-daemon gnome-keyring   # a real keychain service for the GUI tests of secrets
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
