#!/usr/bin/env bash
# Renders assets/ferry.svg into the PNG icons that the window and the Debian package use:
# assets/icons/ferry-<N>.png for N = 16 24 32 48 64 128 256 512.
#
#   bash packaging/render-icons.sh
#
# Needs rsvg-convert (Debian/Ubuntu package librsvg2-bin). The PNGs are committed, so a build never
# needs this script; run it again after changing the SVG.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo
readonly sizes=(16 24 32 48 64 128 256 512)

command -v rsvg-convert >/dev/null 2>&1 ||
    { echo "render-icons: rsvg-convert not found (apt-get install librsvg2-bin)" >&2; exit 1; }

mkdir -p "$repo/assets/icons"
for size in "${sizes[@]}"; do
    rsvg-convert --width "$size" --height "$size" --output "$repo/assets/icons/ferry-$size.png" "$repo/assets/ferry.svg"
done
echo "render-icons: wrote ${#sizes[@]} PNGs to assets/icons/"
