#!/usr/bin/env bash
# Install every host dependency of the project, pinned, by package name.
#   Debian packages (the machine's own suite): compilers, valgrind, clang for fuzzing.
#   PyPI: tools/requirements.txt (+ tools/requirements-lock.txt) into .deps/venv.
# Safe to re-run; does nothing that is already done.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"
mkdir -p "$deps"

apt_pkgs=(build-essential valgrind clang-14 libclang-rt-14-dev llvm-14
    gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
    gcc-multilib libffi-dev pkg-config cmake mtools)
missing=()
for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# Node.js runs the rp2040js emulator: Debian's nodejs + npm unless the machine
# already has a node (any version >= 18 runs rp2040js 1.4.1).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

venv="$deps/venv"
if [ ! -x "$venv/bin/python" ]; then
    echo "deps: creating $venv"
    python3 -m venv "$venv"
fi
stamp="$venv/.req-$(cat "$top/tools/requirements.txt" "$top/tools/requirements-lock.txt" "$top/tools/pyproject.toml" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "deps: installing Python packages (tensorflow-cpu, tflite-micro, ...)"
    # (pip warns about this machine's optional local index paths: noise, filtered)
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$top/tools/requirements.txt" \
        -c "$top/tools/requirements-lock.txt" 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }
    [ "${PIPESTATUS[0]}" -eq 0 ]
    # The project's own host package (the `tflm` command), editable.
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$top/tools" 2>&1 \
        | { grep -v "^WARNING: Location 'file:" || true; }
    touch "$stamp"
fi
echo "deps: ok"
