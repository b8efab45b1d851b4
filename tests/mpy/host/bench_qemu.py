"""Instructions per inference on the QEMU firmware, per model and per op.

    .deps/venv/bin/python tests/mpy/host/bench_qemu.py [qemu-m4|qemu-m3|qemu-m0] [--ops]

Boots build/<target>/firmware.elf under qemu-system-arm with `-icount
shift=0`: every guest instruction then advances QEMU's virtual clock by
exactly 1 ns, and the port clock behind Model.profile() (ports/qemu/tflm_port.c:
a 25 MHz MPS2 timer, a 16 MHz nRF51 timer) counts virtual time. Instructions
per op = ticks * 1e9 / tflm.ticks_hz(), to within one tick (40 instructions
on MPS2). Needs build/mpy/romfs.img (tests/mpy/run.sh makes it).
"""
import os
import pathlib
import sys

TOP = pathlib.Path(__file__).resolve().parents[3]
MPY = TOP / ".deps" / "micropython-1.25.0"
sys.path.insert(0, str(MPY / "tools"))
import pyboard  # noqa: E402  (MicroPython's own serial REPL driver)

MACHINES = {
    "qemu-m0": ("microbit", 0x00080000, "-global nrf51-soc.flash-size=1048576 -global nrf51-soc.sram-size=262144"),
    "qemu-m3": ("mps2-an385", 0x21000000, ""),
    "qemu-m4": ("mps2-an386", 0x21000000, ""),
}
MODELS = ["hello_world_int8", "hello_world_float", "simple_add_model", "micro_speech_quantized",
          "keyword_scrambled_8bit", "person_detect"]

SCRIPT = """
import gc, tflm, tflm_testenv as env
hz = tflm.ticks_hz()
for name in %r:
    gc.collect()
    try:
        m = tflm.Model(env.path(name + ".tflite"))
    except MemoryError:
        print("BENCH", name, "skip")
        continue
    for k, t in enumerate(m.inputs):
        t[:] = env.view("%%s.in%%d" %% (name, k))[:t.nbytes]
    m.invoke()
    for k, t in enumerate(m.inputs):
        t[:] = env.view("%%s.in%%d" %% (name, k))[:t.nbytes]
    m.invoke()
    p = m.profile()
    print("BENCH", name, hz, m.arena_used, sum(t for n, t, c in p), " ".join("%%s:%%d" %% (n, t) for n, t, c in p))
    del m
"""


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show_ops = "--ops" in sys.argv
    target = args[0] if args else "qemu-m4"
    machine, addr, extra = MACHINES[target]
    fw = TOP / "build" / target / "firmware.elf"
    img = TOP / "build" / "mpy" / "romfs.img"
    if not fw.exists() or not img.exists():
        sys.exit(f"bench_qemu: need {fw} and {img} (make {target}; tests/mpy/run.sh {target})")
    cmd = (f"qemu-system-arm -machine {machine} -nographic -monitor null -semihosting -icount shift=0 {extra} "
           f"-serial pty -kernel {fw} -device loader,file={img},addr={addr:#x}")
    pyb = pyboard.Pyboard("execpty:" + cmd)
    try:
        pyb.enter_raw_repl()
        out, err = pyb.exec_raw(SCRIPT % (MODELS,), timeout=600)
        if err:
            sys.exit("bench_qemu: the script failed on the target:\n" + err.decode())
        out = out.decode()
    finally:
        pyb.close()
    print(f"{target} ({machine}), instructions per inference (QEMU -icount shift=0):")
    print(f"{'model':26} {'instructions':>14} {'arena bytes':>12}")
    for line in out.splitlines():
        f = line.split()
        if not f or f[0] != "BENCH":
            continue
        if f[2] == "skip":
            print(f"{f[1]:26} {'(does not fit)':>14}")
            continue
        hz, arena, ticks = int(f[2]), int(f[3]), int(f[4])
        ns_per_tick = 1e9 / hz
        print(f"{f[1]:26} {round(ticks * ns_per_tick):>14} {arena:>12}")
        if show_ops:
            for op in f[5:]:
                name, t = op.split(":")
                print(f"    {name:22} {round(int(t) * ns_per_tick):>14}")


if __name__ == "__main__":
    main()
