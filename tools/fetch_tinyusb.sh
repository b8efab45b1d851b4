#!/usr/bin/env bash
# Fetch TinyUSB 0.18.0 for the nRF52840 port's USB (ports/nrf52840: CDC REPL
# and mass storage) from Debian trixie's binary package tinyusb-source, into
# .deps/ (nothing is installed; the system's apt configuration is not touched):
#
#   .deps/tinyusb-0.18.0/usr/src/tinyusb    (src/ holds the device stack and
#                                            src/portable/nordic/nrf5x/dcd_nrf5x.c)
#
# The private apt state is .deps/apt-trixie (tools/apt_trixie.sh, shared with
# tools/fetch_micropython.sh and tools/fetch_pico_sdk.sh); the archive address
# comes from the system's own apt sources, so no host name is written into
# this repository. The version is pinned; a package already downloaded by
# tools/fetch_pico_sdk.sh (the same file) is reused.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"
tusb_ver=0.18.0
deb_ver="$tusb_ver+dfsg-1"
root="$deps/tinyusb-$tusb_ver"
tusb_dir="$root/usr/src/tinyusb"
mkdir -p "$deps"

have_tusb() { [ -f "$tusb_dir/src/tusb.h" ] && [ -f "$tusb_dir/src/portable/nordic/nrf5x/dcd_nrf5x.c" ]; }
if have_tusb; then
    echo "fetch_tinyusb: $tusb_dir exists"
    exit 0
fi

state="$deps/apt-trixie"
deb_name="tinyusb-source_${deb_ver}_all.deb"
deb=""
for d in "$state/tinyusb" "$state/pico"; do
    [ -f "$d/$deb_name" ] && { deb="$d/$deb_name"; break; }
done
if [ -z "$deb" ]; then
    . "$top/tools/apt_trixie.sh"
    trixie_apt_setup "$deps" fetch_tinyusb
    mkdir -p "$state/tinyusb"
    (cd "$state/tinyusb" && apt-get "${apt_opts[@]}" download "tinyusb-source=$deb_ver") || {
        echo "fetch_tinyusb: tinyusb-source $deb_ver not found in trixie (the port is written for 0.18.0)" >&2
        exit 1
    }
    deb="$state/tinyusb/$deb_name"
fi
echo "fetch_tinyusb: unpacking $(basename "$deb")"
rm -rf "$root"
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"
have_tusb || { echo "fetch_tinyusb: unexpected package layout under $root" >&2; exit 1; }
echo "fetch_tinyusb: ready: $tusb_dir"
