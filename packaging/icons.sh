#!/usr/bin/env bash
# Renders the app icon's PNG sizes from resources/icons/tsmigrate.svg (needs librsvg2-bin).
# The PNGs are committed, so building and packaging need no SVG renderer.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for size in 16 24 32 48 64 128 256; do
    rsvg-convert -w "$size" -h "$size" tsmigrate.svg -o "tsmigrate-$size.png"
done
