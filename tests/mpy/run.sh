#!/usr/bin/env bash
# Run the MicroPython-level tests (tests/mpy/*.py with .py.exp) on built
# targets, with MicroPython's own tests/run-tests.py.
#
#   tests/mpy/run.sh [TARGET...]     TARGET: unix unix32 qemu-m0 qemu-m3 qemu-m4
#                                    (default: every target that is built)
#   TFLM_RUNTESTS_ARGS="-i oracle"   extra run-tests.py arguments
#
# Test data (models, oracle vectors from tflite_micro, hostile models) is
# generated into build/mpy/data by tests/mpy/host/gen_data.py, and packed into the
# ROMFS image build/mpy/romfs.img (tools/mkromfs.py, file data 8-byte aligned).
#   unix, unix32: the tests read build/mpy/data ($TFLM_TEST_DATA; helper module
#                 tests/mpy/lib/tflm_testenv.py via $MICROPYPATH); the ROMFS
#                 test mounts the image from $TFLM_TEST_ROMFS.
#   qemu-*:       run-tests.py drives the firmware's serial port (execpty:);
#                 QEMU loads the ROMFS image into the emulated memory
#                 (-device loader) and the frozen tflm_testenv mounts it at /rom,
#                 so models reach the firmware as a ROMFS image, used in place.
# Results (.out/.exp of failures): build/mpy/results/<target>/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mpy="$top/.deps/micropython-1.25.0"
py="$top/.deps/venv/bin/python"
out="$top/build/mpy"
all_targets=(unix unix32 qemu-m0 qemu-m3 qemu-m4)

artifact() {
    case "$1" in
        unix | unix32) echo "$top/build/$1/micropython" ;;
        qemu-*) echo "$top/build/$1/firmware.elf" ;;
        *) echo "run.sh: unknown target '$1' (one of: ${all_targets[*]})" >&2; exit 2 ;;
    esac
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for t in "${all_targets[@]}"; do
        [ -e "$(artifact "$t")" ] && targets+=("$t")
    done
fi
if [ ${#targets[@]} -eq 0 ]; then
    echo "run.sh: no target built (make unix, make qemu-m3, ...)" >&2
    exit 2
fi

# Test data: host engine arena sizes need build/host/tflm_run.
make -s -C "$top" host >/dev/null
"$py" "$top/tests/mpy/host/gen_data.py" "$out/data"
python3 "$top/tools/mkromfs.py" "$out/romfs.img" "$out/data"

summary=()
status=0
for t in "${targets[@]}"; do
    art=$(artifact "$t")
    if [ ! -e "$art" ]; then
        echo "run.sh: $art missing (make $t)" >&2
        exit 2
    fi
    qemu_extra=""
    case "$t" in
        unix | unix32) instance=unix ;;
        qemu-m0) machine=microbit; addr=0x00080000
            qemu_extra="-global nrf51-soc.flash-size=1048576 -global nrf51-soc.sram-size=262144" ;;
        qemu-m3) machine=mps2-an385; addr=0x21000000 ;;
        qemu-m4) machine=mps2-an386; addr=0x21000000 ;;
    esac
    if [ "$t" != unix ] && [ "$t" != unix32 ]; then
        instance="execpty:qemu-system-arm -machine $machine -nographic -monitor null -semihosting $qemu_extra -serial pty -kernel $art -device loader,file=$out/romfs.img,addr=$addr"
    fi
    echo "== $t"
    log="$out/results/$t.log"
    mkdir -p "$out/results/$t"
    rm -f "$out/results/$t"/*.out "$out/results/$t"/*.exp
    set +e
    (
        cd "$mpy/tests"
        MICROPY_MICROPYTHON="$art" MICROPYPATH="$top/tests/mpy/lib" \
        TFLM_TEST_DATA="$out/data" TFLM_TEST_ROMFS="$out/romfs.img" \
            "$py" ./run-tests.py -t "$instance" --keep-path -j 1 \
            -r "$out/results/$t" -d "$top/tests/mpy" ${TFLM_RUNTESTS_ARGS:-}
    ) 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    passed=$(sed -n 's/^\([0-9]*\) tests passed.*/\1/p' "$log" | tail -n1)
    failed=$(sed -n 's/^\([0-9]*\) tests failed.*/\1/p' "$log" | tail -n1)
    skipped=$(sed -n 's/^\([0-9]*\) tests skipped.*/\1/p' "$log" | tail -n1)
    summary+=("$t: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped")
    if [ "$rc" -ne 0 ]; then
        status=1
        (cd "$mpy/tests" && "$py" ./run-tests.py -r "$out/results/$t" --print-failures) || true
    fi
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
