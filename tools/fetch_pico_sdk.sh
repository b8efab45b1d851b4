#!/usr/bin/env bash
# Fetch the RP2040 firmware sources MicroPython 1.25's rp2 port needs, from
# Debian trixie, into .deps/ (nothing is installed, the system's apt
# configuration is not touched):
#
#   pico-sdk 2.1.1   binary package pico-sdk-source  (sources under usr/src)
#   TinyUSB 0.18.0   binary package tinyusb-source
#   mbedtls 3.6      source package mbedtls (orig tarball)
#
# Result:
#   .deps/pico/usr/src/pico-sdk   and .deps/pico/usr/src/tinyusb (one root,
#                                  so pico-sdk's own tinyusb link resolves)
#   .deps/mbedtls                  (the unpacked mbedtls tree)
#
# The archive address comes from the system's own
# /etc/apt/sources.list.d/debian.sources (or /etc/apt/sources.list), so no
# host name is written into this repository. The private apt state lives in
# .deps/apt-trixie (shared with tools/fetch_micropython.sh: same sources).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"
pico_root="$deps/pico"
sdk_dir="$pico_root/usr/src/pico-sdk"
tusb_dir="$pico_root/usr/src/tinyusb"
mbedtls_dir="$deps/mbedtls"
sdk_ver=2.1.1
tusb_ver=0.18.0
mkdir -p "$deps"

have_sdk() { [ -f "$sdk_dir/pico_sdk_init.cmake" ] && [ -f "$tusb_dir/src/tusb.h" ]; }
have_mbedtls() { [ -f "$mbedtls_dir/include/mbedtls/version.h" ]; }
if have_sdk && have_mbedtls; then
    echo "fetch_pico_sdk: $sdk_dir and $mbedtls_dir exist"
    exit 0
fi

. "$top/tools/apt_trixie.sh"
trixie_apt_setup "$deps" fetch_pico_sdk

dl="$state/pico"
mkdir -p "$dl"
if ! have_sdk; then
    cd "$dl"
    # Exact versions first (the ones MicroPython 1.25 pins), any as a fallback.
    apt-get "${apt_opts[@]}" download "pico-sdk-source=$sdk_ver-1" 2>/dev/null \
        || { echo "fetch_pico_sdk: WARNING: pico-sdk-source $sdk_ver-1 not found, taking trixie's current one" >&2;
             apt-get "${apt_opts[@]}" download pico-sdk-source; }
    apt-get "${apt_opts[@]}" download "tinyusb-source=$tusb_ver+dfsg-1" 2>/dev/null \
        || { echo "fetch_pico_sdk: WARNING: tinyusb-source $tusb_ver+dfsg-1 not found, taking trixie's current one" >&2;
             apt-get "${apt_opts[@]}" download tinyusb-source; }
    rm -rf "$pico_root"
    mkdir -p "$pico_root"
    for deb in "$dl"/pico-sdk-source_*.deb "$dl"/tinyusb-source_*.deb; do
        echo "fetch_pico_sdk: unpacking $(basename "$deb")"
        dpkg-deb -x "$deb" "$pico_root"
    done
    have_sdk || { echo "fetch_pico_sdk: unexpected package layout under $pico_root" >&2; exit 1; }
    # MicroPython's rp2 Makefile looks for the submodule's README.md, which the
    # Debian package does not ship.
    [ -f "$sdk_dir/README.md" ] || echo "pico-sdk $sdk_ver from Debian's pico-sdk-source." > "$sdk_dir/README.md"
fi

if ! have_mbedtls; then
    cd "$dl"
    apt-get "${apt_opts[@]}" source --download-only mbedtls >/dev/null
    tarball=$(ls "$dl"/mbedtls_*.orig.tar.* | grep -v '\.asc$' | head -n1)
    echo "fetch_pico_sdk: unpacking $(basename "$tarball")"
    tmp="$deps/mbedtls-unpack.$$"
    rm -rf "$tmp" "$mbedtls_dir"
    mkdir -p "$tmp"
    tar -xf "$tarball" -C "$tmp"
    inner=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
    mv "$inner" "$mbedtls_dir"
    rmdir "$tmp"
    have_mbedtls || { echo "fetch_pico_sdk: no include/mbedtls/version.h in $mbedtls_dir" >&2; exit 1; }
fi
echo "fetch_pico_sdk: ready: $sdk_dir, $tusb_dir, $mbedtls_dir"
