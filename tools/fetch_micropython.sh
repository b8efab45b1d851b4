#!/usr/bin/env bash
# Fetch MicroPython 1.25.0 from Debian trixie's source package into .deps/.
#
#   tools/fetch_micropython.sh            -> .deps/micropython-1.25.0/
#
# Uses a private apt state directory under .deps/apt-trixie (the system's apt
# configuration is not touched). The archive address is taken from the
# system's own /etc/apt/sources.list.d/debian.sources, so no host name is
# written into this repository. Fallback for machines with internet but no
# Debian archive: MPY_GIT_URL=<url of the MicroPython git repository> makes
# this script clone the v1.25.0 tag instead.
#
# Also creates .deps/mpy-lib-stub/ (a stand-in for micropython-lib, which is
# in no registry: the port Makefiles only check that its README.md exists).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"
ver=1.25.0
dest="$deps/micropython-$ver"
mkdir -p "$deps"

stub="$deps/mpy-lib-stub"
if [ ! -f "$stub/README.md" ]; then
    mkdir -p "$stub"
    echo "Empty stand-in for micropython-lib (not needed by our manifests)." > "$stub/README.md"
fi

if [ -f "$dest/py/mpconfig.h" ]; then
    echo "fetch_micropython: $dest exists"
    exit 0
fi

if [ -n "${MPY_GIT_URL:-}" ]; then
    git clone --depth 1 --branch "v$ver" "$MPY_GIT_URL" "$dest"
    exit 0
fi

. "$top/tools/apt_trixie.sh"
trixie_apt_setup "$deps" fetch_micropython
cd "$state/src"
apt-get "${apt_opts[@]}" source --download-only "micropython=$ver+ds-1" >/dev/null 2>&1 \
    || apt-get "${apt_opts[@]}" source --download-only micropython
tarball=$(ls "$state"/src/micropython_"$ver"*.orig.tar.* | head -n1)
echo "fetch_micropython: unpacking $(basename "$tarball")"
tmp="$deps/micropython-unpack.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
tar -xf "$tarball" -C "$tmp"
inner=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
mv "$inner" "$dest"
rmdir "$tmp"
echo "fetch_micropython: ready at $dest"
