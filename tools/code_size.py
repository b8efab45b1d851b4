#!/usr/bin/env python3
"""Code bytes of the engine on a Cortex-M0+ (issue 8's code-size target).

    python3 tools/code_size.py [--cpu cortex-m0plus] [--opt -Os] [--ops HEADER ...] [--json]

Compiles usermod_tflm/engine with arm-none-eabi-gcc (-ffunction-sections,
C99, the given -O level), links it into tools/size/size_main.c (which calls
the public API as the MicroPython binding does) with --gc-sections against
newlib-nano, and reports .text + .rodata + .data of the image minus the same
driver linked without the engine. So the figure includes the libgcc/libc
pieces the engine pulls in (soft-float double, memcpy, ...).

Each --ops HEADER is an op-subset header (see kernels/registry.c); without
--ops: every op, plus the subsets in tools/size/*.h.
"""
import argparse
import glob
import json
import os
import pathlib
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parents[1]
ENGINE = TOP / "usermod_tflm" / "engine"


def sources():
    pats = ["*.c", "kernels/*.c", "kernels/ref/*.c", "kernels/arm/*.c"]
    return sorted(p for pat in pats for p in glob.glob(str(ENGINE / pat)))


def build(cpu, opt, ops_header, baseline, tmp, terse=False):
    out = pathlib.Path(tmp) / ("base.elf" if baseline else "engine.elf")
    flags = ["-mcpu=" + cpu, "-mthumb", opt, "-std=c99", "-ffp-contract=off", "-ffunction-sections",
             "-fdata-sections", "-I" + str(ENGINE), "--specs=nano.specs", "--specs=nosys.specs",
             "-Wl,--gc-sections"]
    if ops_header:
        flags.append('-DTFLM_OPS_HEADER="%s"' % os.path.abspath(ops_header))
    srcs = [str(TOP / "tools" / "size" / "size_main.c")]
    if terse:
        flags.append("-DTFLM_TERSE")
    if baseline:
        flags.append("-DSIZE_BASELINE")
    else:
        srcs += sources()
    subprocess.run(["arm-none-eabi-gcc"] + flags + srcs + ["-o", str(out), "-lm"], check=True)
    return out


def image_bytes(elf):
    out = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], check=True, capture_output=True,
                         text=True).stdout
    total = 0
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and (f[0].startswith(".text") or f[0].startswith(".rodata") or f[0] == ".data"):
            total += int(f[1])
    return total


def measure(cpu, opt, ops_header, terse=False):
    with tempfile.TemporaryDirectory(prefix="tflm-size-") as tmp:
        base = image_bytes(build(cpu, opt, ops_header, True, tmp))
        full = image_bytes(build(cpu, opt, ops_header, False, tmp, terse))
    return full - base


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu", default="cortex-m0plus")
    ap.add_argument("--opt", default="-Os")
    ap.add_argument("--ops", nargs="*", help="op-subset headers (default: all ops, then tools/size/*.h)")
    ap.add_argument("--terse", action="store_true", help="also measure -DTFLM_TERSE (no error detail strings)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args(argv)
    configs = [(h, h) for h in a.ops] if a.ops else \
        [("all ops", None)] + [(pathlib.Path(h).stem, h) for h in sorted(glob.glob(str(TOP / "tools/size/*.h")))]
    res = {}
    for name, hdr in configs:
        res[name] = measure(a.cpu, a.opt, hdr)
        if a.terse:
            res[name + ", terse"] = measure(a.cpu, a.opt, hdr, True)
    if a.json:
        print(json.dumps({"cpu": a.cpu, "opt": a.opt, "bytes": res}))
    else:
        for name, b in res.items():
            print("%-24s %8s bytes (%s %s, .text+.rodata+.data, with the libgcc/libc it pulls in)"
                  % (name, "{:,}".format(b), a.cpu, a.opt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
