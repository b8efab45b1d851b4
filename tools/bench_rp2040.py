#!/usr/bin/env python3
"""Cycles per inference of each model on the emulated Raspberry Pi Pico.

    .deps/venv/bin/python tools/bench_rp2040.py [--firmware build/rp2/firmware.uf2]
        [--baseline build/rp2-stock/firmware.uf2] [--models a.tflite ...] [--out build/bench]

Each model goes into the board's ROMFS (used in place from flash, as a user
would deploy it), one emulator boot per model. On the board (over the serial
REPL): load, fill the inputs, one warm-up invoke, then REPEAT invokes, each
bracketed by stores to the emulator's probe register so that it records its
cycle counter (host side; the cost of the stores themselves, measured by
empty pairs, is subtracted), and Model.profile() (SysTick cycles, on-board)
for the per-op sum.

Columns: cycles per invoke counted by the emulator (host side, includes the
Python method call, ~1 k cycles), the on-board profile() sum, ms at
133 MHz (the RP2040's rated clock) and at 125 MHz (MicroPython's default),
arena bytes, heap bytes the loaded model takes, model bytes (flash, ROMFS).
The baseline firmware (stock MicroPython, no tflm) gives the flash and RAM
the module costs. Caveat: rp2040js charges one cycle per flash read (no XIP
cache misses), so models streaming weights from flash run slower on a board.

Writes OUT/NAME.md (the table) and OUT/NAME.json (NAME: --name, default rp2040).
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tools" / "emu"))
sys.path.insert(0, str(TOP / "tools"))
import rp2040_emulate as emulate  # noqa: E402

SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
DEFAULT_MODELS = ["hello_world_int8", "hello_world_float", "micro_speech_quantized",
                  "keyword_scrambled_8bit", "person_detect", "trained_lstm_int8",
                  "micro_speech_lstm", "dtln_noise_suppression"]
REPEAT = 3

# 0x40070008: the emulator's probe register; a store records the cycle
# counter (tools/emu/rp2040/run.mjs). Pairs with nothing between them measure
# the store's own cost, subtracted from the invoke pairs.
BOARD_SCRIPT = r"""
import sys, gc, machine, tflm
R = machine.mem32
P = 0x40070008
gc.collect(); free0 = gc.mem_free()
try:
    m = tflm.Model('/rom/model.tflite'MODEL_ARGS)
except Exception as e:
    print('ERR %s: %s' % (type(e).__name__, e))
    raise SystemExit
gc.collect(); heap = free0 - gc.mem_free()
for t in m.inputs:
    if t.dtype == 'float32':
        n = t.nbytes // 4
        t[:] = [((i * 37 + 11) % 200) / 100.0 - 1.0 for i in range(n)]
    else:
        t[:] = bytes((i * 37 + 11) & 255 for i in range(t.nbytes))
m.invoke()
ticks = []
for r in range(REPEAT_N):
    R[P] = 0; R[P] = 0
    R[P] = 1; m.invoke(); R[P] = 1
    ticks.append(sum(p[1] for p in m.profile()))
print('RES', heap, m.arena_size, len(m.profile()), ' '.join(str(t) for t in ticks))
print('CORES', m.cores, sum(1 for p in m.profile() if p[2] == 2))
"""


def run_model(firmware, model_path, workdir, lean=False, cores=1):
    stage = workdir / "romfs"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    shutil.copy(model_path, stage / "model.tflite")
    img = workdir / "model.img"
    subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(img), str(stage)],
                   check=True, stdout=subprocess.DEVNULL)
    row = {"model": model_path.stem, "model_bytes": model_path.stat().st_size}
    if img.stat().st_size > emulate.ROMFS_SIZE:
        row["error"] = "larger than the ROMFS partition"
        return row
    from mpremote.transport_serial import SerialTransport

    emu = emulate.Rp2040Emulator(firmware=str(firmware), romfs=str(img))
    with emu:
        t = SerialTransport(emu.pty, baudrate=115200)
        try:
            t.enter_raw_repl(soft_reset=False)
            emu.marks()  # discard
            t0 = time.monotonic()
            args = (', lean=True' if lean else '') + (', cores=%d' % cores if cores else '')
            out, err = t.exec_raw(BOARD_SCRIPT.replace('REPEAT_N', str(REPEAT)).replace(
                'MODEL_ARGS', args), timeout=1800)
            row["wall_s"] = round(time.monotonic() - t0, 2)
            marks = emu.marks()
        finally:
            t.close()
    out = out.decode("utf-8", "replace")
    if emu.faults:
        row["error"] = "emulator: firmware fault %r" % emu.faults[0]
        return row
    if err:
        row["error"] = err.decode("utf-8", "replace").strip().splitlines()[-1]
        return row
    for line in out.splitlines():
        if line.startswith("ERR "):
            row["error"] = line[4:]
            return row
        if line.startswith("RES "):
            f = line.split()
            row["heap_bytes"] = int(f[1])
            row["arena_bytes"] = int(f[2])
            row["ops"] = int(f[3])
            row["profile_cycles"] = [int(x) for x in f[4:]]
        if line.startswith("CORES "):
            f = line.split()
            row["cores"] = int(f[1])
            row["ops_on_2_cores"] = int(f[2])
    if "profile_cycles" not in row:
        row["error"] = "no result: " + out[-200:]
        return row
    # Chip time in cycles ("time"): core 0's own counter stops while it sleeps
    # waiting for core 1 (two-core invokes); the same figure on one core.
    key = "time" if marks and "time" in marks[0] else "cycles"
    pairs = [(marks[i]["value"], marks[i + 1][key] - marks[i][key]) for i in range(0, len(marks) - 1, 2)]
    empty = [c for v, c in pairs if v == 0]
    row["host_cycles"] = [c - min(empty) for v, c in pairs if v == 1] if empty else []
    return row


def firmware_info(uf2_path):
    elf = pathlib.Path(uf2_path).with_suffix(".elf")
    binf = pathlib.Path(uf2_path).with_suffix(".bin")
    size = binf.stat().st_size if binf.exists() else None
    return {"firmware": str(uf2_path), "flash_bytes": size}


def free_ram(firmware):
    from mpremote.transport_serial import SerialTransport

    with emulate.Rp2040Emulator(firmware=str(firmware)) as emu:
        t = SerialTransport(emu.pty, baudrate=115200)
        try:
            t.enter_raw_repl(soft_reset=False)
            out = t.exec("import gc; gc.collect(); print(gc.mem_free())")
        finally:
            t.close()
        return int(out.strip()), emu.connect_info


def fmt_int(v):
    return "{:,}".format(v) if isinstance(v, int) else "-"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firmware", default=str(TOP / "build" / "rp2" / "firmware.uf2"))
    ap.add_argument("--baseline", default=str(TOP / "build" / "rp2-stock" / "firmware.uf2"),
                    help="firmware without tflm, for the module's flash and RAM cost")
    ap.add_argument("--models", nargs="*", help="model files (default: %s from ../shared/models)"
                    % ", ".join(DEFAULT_MODELS))
    ap.add_argument("--out", default=str(TOP / "build" / "bench"))
    ap.add_argument("--lean", action="store_true", help="load models with tflm.Model(..., lean=True)")
    ap.add_argument("--cores", type=int, choices=[0, 1, 2], default=1,
                    help="tflm.Model(..., cores=N): 1 (default) or 2 (core 1 takes a share of each conv, "
                         "depthwise and fully connected op); 0: the firmware's default")
    ap.add_argument("--name", default="rp2040", help="output file names: OUT/NAME.md and OUT/NAME.json")
    a = ap.parse_args(argv)

    models = [pathlib.Path(m) for m in a.models] if a.models else \
        [SHARED / "models" / (n + ".tflite") for n in DEFAULT_MODELS]
    out_dir = pathlib.Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    fw = firmware_info(a.firmware)
    fw["free_ram"], _ = free_ram(a.firmware)
    base = None
    if a.baseline and os.path.exists(a.baseline):
        base = firmware_info(a.baseline)
        base["free_ram"], _ = free_ram(a.baseline)

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-rp2040-") as tmp:
        for mp in models:
            if not mp.exists():
                rows.append({"model": mp.stem, "error": "missing"})
                continue
            print("bench_rp2040: %s ..." % mp.stem, file=sys.stderr, flush=True)
            rows.append(run_model(a.firmware, mp, pathlib.Path(tmp), lean=a.lean, cores=a.cores))

    lines = ["# Cycles per inference on the emulated RP2040 (rp2040js)", ""]
    lines.append("| model | model bytes (ROMFS) | ops | cycles/invoke (emulator) | profile() cycles "
                 "| ms @133 MHz | ms @125 MHz | arena bytes | heap bytes |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if "error" in r:
            lines.append("| %s | %s | | %s | | | | | |" % (r["model"], fmt_int(r.get("model_bytes")), r["error"]))
            continue
        host = int(statistics.median(r["host_cycles"])) if r["host_cycles"] else None
        prof = int(statistics.median(r["profile_cycles"]))
        ref = host if host is not None else prof
        lines.append("| %s | %s | %d | %s | %s | %.2f | %.2f | %s | %s |" % (
            r["model"], fmt_int(r["model_bytes"]), r["ops"], fmt_int(host), fmt_int(prof),
            ref / 133e3, ref / 125e3, fmt_int(r["arena_bytes"]), fmt_int(r["heap_bytes"])))
    lines.append("")
    lines.append("| firmware | flash bytes | free RAM at the REPL |")
    lines.append("| --- | ---: | ---: |")
    lines.append("| with tflm (%s) | %s | %s |" % (os.path.relpath(a.firmware, TOP), fmt_int(fw["flash_bytes"]),
                                                 fmt_int(fw["free_ram"])))
    if base:
        lines.append("| baseline, no tflm (%s) | %s | %s |" % (os.path.relpath(a.baseline, TOP),
                                                             fmt_int(base["flash_bytes"]), fmt_int(base["free_ram"])))
        if fw["flash_bytes"] and base["flash_bytes"]:
            lines.append("| tflm module cost | %s | %s |" % (fmt_int(fw["flash_bytes"] - base["flash_bytes"]),
                                                           fmt_int(base["free_ram"] - fw["free_ram"])))
    lines.append("")
    lines.append("Cycles: rp2040js's Cortex-M0+ cost model; 'emulator' is the host-side delta of the core's "
                 "cycle counter around `m.invoke()` (median of %d, includes the Python call), "
                 "'profile()' the on-board SysTick sum of the per-op times. Flash reads cost one cycle "
                 "(no XIP cache misses)." % REPEAT)
    table = "\n".join(lines) + "\n"
    (out_dir / (a.name + ".md")).write_text(table)
    (out_dir / (a.name + ".json")).write_text(json.dumps({"firmware": fw, "baseline": base, "lean": a.lean,
                                                      "cores": a.cores,
                                                      "models": rows}, indent=1))
    print(table)
    # A model the engine rejects is a row of the table; a board that crashed or
    # gave no result is a failure.
    bad = [r for r in rows if r.get("error", "").startswith(("no result", "emulator"))]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
