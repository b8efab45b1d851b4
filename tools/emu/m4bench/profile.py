#!/usr/bin/env python3
"""Cycles per function of one invoke on m4emu (M4_PROFILE), largest first.
Works for either core: the runner beside FW.elf prices it with FW.cost.

    profile.py FW.elf MODEL.tflite [N]
"""
import os
import pathlib
import struct
import subprocess
import sys
import tempfile


def main():
    elf, model = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    run = pathlib.Path(elf).parent / "tflm_run"
    with tempfile.TemporaryDirectory() as td:
        prof = os.path.join(td, "prof.bin")
        subprocess.run([str(run), "--fw", elf, model], env=dict(os.environ, M4_PROFILE=prof), check=True,
                       stdout=subprocess.DEVNULL)
        data = open(prof, "rb").read()
    cyc = struct.unpack("<%dQ" % (len(data) // 8), data)
    syms = []
    for line in subprocess.run(["arm-none-eabi-nm", "-n", "-S", elf], capture_output=True, text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[2].lower() == "t":
            syms.append((int(f[0], 16) & ~1, int(f[1], 16), f[3]))
    per = {}
    seen = set()
    for a, sz, name in syms:
        if a in seen:
            continue  # an alias (same code, another name)
        seen.add(a)
        per[name] = per.get(name, 0) + sum(cyc[a // 2:(a + sz) // 2])
    tot = sum(cyc)
    for name, c in sorted(per.items(), key=lambda kv: -kv[1])[:n]:
        print("%12d %5.1f%%  %s" % (c, 100.0 * c / tot, name))
    print("%12d total (one invoke)" % tot)


if __name__ == "__main__":
    main()
