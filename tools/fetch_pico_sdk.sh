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

# Archive URI of the main Debian archive (the first deb822 stanza whose
# suites are not a -security suite; one-line sources.list as a fallback).
uri=""
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ]; then
    uri=$(awk '
        /^[[:space:]]*$/ { if (u != "" && s !~ /security/) { print u; exit } u = ""; s = ""; next }
        /^URIs:/ { u = $2 }
        /^Suites:/ { s = $0 }
        END { if (u != "" && s !~ /security/) print u }' "$src" | head -n1)
fi
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi
if [ -z "$uri" ]; then
    echo "fetch_pico_sdk: cannot find the Debian archive URI in $src" >&2
    exit 1
fi

state="$deps/apt-trixie"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/src"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$state/sources.list" <<EOF
deb [signed-by=$keyring] $uri trixie main
deb-src [signed-by=$keyring] $uri trixie main
EOF
apt_opts=(
    -o "Dir::Etc::SourceList=$state/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$state/lists"
    -o "Dir::Cache=$state/cache"
    -o "Debug::NoLocking=1"
)
# As root, apt would try (and fail) to drop to its sandbox user for files here.
[ "$(id -u)" -ne 0 ] || apt_opts+=(-o "APT::Sandbox::User=root")
if ! ls "$state"/lists/*_Sources* >/dev/null 2>&1 || ! ls "$state"/lists/*_Packages* >/dev/null 2>&1; then
    echo "fetch_pico_sdk: apt update (private state in $state)"
    apt-get "${apt_opts[@]}" update -qq
fi

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
