"""tflm bench: per-op profile (Model.profile()) on a board or the emulated Pico."""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

from . import board as boardmod
from .common import TOP, CliError, ModelInfo, Progress, dump_json, host_info
from .tensors import load_inputs

EXAMPLE = """example:
  tflm bench model.tflite --emulator rp2040          # boots the emulated Pico, model in its ROMFS
  tflm bench model.tflite --emulator rp2040 --cores 2 --json   # both RP2040 cores
  tflm bench model.tflite --port /dev/ttyACM0 --repeat 5 --json
  tflm bench model.tflite --emulator rp2040 --png profile.png
  tflm bench model.tflite --emulator m4 --json      # Cortex-M4 cycle estimate (make m4bench)

On --port the model must be deployed (tflm deploy): /rom/NAME, then NAME."""


def add_parser(sub):
    p = sub.add_parser("bench", help="per-op time profile on the board (or the emulated Pico)",
                       description="Load the model on the board, fill its inputs (--input, else a fixed "
                       "pattern), one warm-up invoke, then --repeat invokes; prints each op's ticks (median) "
                       "from Model.profile(), microseconds at the board's clock and share of the total.",
                       epilog=EXAMPLE)
    p.add_argument("model", help=".tflite file")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--port", help="board serial port (default: auto-detect, as mpremote)")
    where.add_argument("--emulator", choices=["rp2040", "m4"],
                       help="rp2040: boot the emulated Pico with the model in ROMFS; m4: the Cortex-M4 "
                       "instruction-trace cycle estimate (tools/emu/m4bench, as on the nRF52840)")
    p.add_argument("--cores", type=int, choices=[1, 2], default=1,
                   help="cores to run on (2: the RP2040's second core takes a share of each conv, depthwise "
                   "and fully connected op: tflm.Model(..., cores=2))")
    p.add_argument("--firmware", default=str(TOP / "build" / "rp2" / "firmware.uf2"),
                   help="firmware for --emulator (default: %(default)s)")
    p.add_argument("--input", "-i", action="append", metavar="FILE", help=".npy/.bin per model input")
    p.add_argument("--repeat", type=int, default=3, help="timed invokes (default 3)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--png", metavar="FILE", help="also write a bar chart of the per-op times (needs matplotlib)")
    p.set_defaults(func=main)
    return p


BOARD_SCRIPT = """import tflm, os, gc
def _tflm_find(n):
    for p in ('/rom/' + n, n):
        try:
            os.stat(p)
            return p
        except OSError:
            pass
p = _tflm_find(%(name)r)
if p is None:
    print('MISSING')
else:
    gc.collect(); f0 = gc.mem_free()
    m = tflm.Model(p, cores=%(cores)d)
    gc.collect(); heap = f0 - gc.mem_free()
    ins = %(ins)r
    def fill():
        for i in range(len(m.inputs)):
            t = m.input(i)
            if ins:
                t[:] = ins[i]
            else:
                t[:] = bytes((k * 37 + 11) & 255 for k in range(t.nbytes))
    fill(); m.invoke()
    print('INFO', p, tflm.ticks_hz(), m.arena_size, heap, f0, m.cores)
    for r in range(%(repeat)d):
        fill(); m.invoke()
        print('PROF', ' '.join('%%s:%%d:%%d' %% (q[0], q[1], q[2]) for q in m.profile()))
"""


def bench_on(port, name, raws, repeat, label, cores=1):
    with boardmod.Board(port) as b:
        prog = Progress("bench %s on %s" % (name, label))
        import threading

        res = {}

        def go():
            try:
                res["out"] = b.exec(BOARD_SCRIPT % {"name": name, "ins": list(raws or []), "repeat": repeat,
                                                    "cores": cores}, timeout=3600)
            except BaseException as e:  # noqa: BLE001
                res["err"] = e
        th = threading.Thread(target=go, daemon=True)
        th.start()
        while th.is_alive():
            th.join(0.2)
            prog.update(0)
        prog.done("failed" if "err" in res else None)
        if "err" in res:
            raise res["err"]
        return res["out"]


def parse(out, name, path):
    lines = out.strip().splitlines()
    if "MISSING" in lines:
        raise CliError("%s is not on the board: `tflm deploy %s` first (or use --emulator rp2040)" % (name, path))
    info, profs = None, []
    for l in lines:
        f = l.split()
        if f and f[0] == "INFO":
            info = {"board_path": f[1], "ticks_hz": int(f[2]), "arena_bytes": int(f[3]), "heap_bytes": int(f[4]),
                    "free_heap_before": int(f[5]), "cores": int(f[6])}
        elif f and f[0] == "PROF":
            profs.append([(x.rsplit(":", 2)[0], int(x.rsplit(":", 2)[1]), int(x.rsplit(":", 2)[2])) for x in f[1:]])
    if info is None or not profs:
        raise CliError("no profile from the board: %s" % (lines[-1] if lines else "(no output)"))
    return info, profs


def main(a):
    info = ModelInfo(a.model)
    name = os.path.basename(a.model)
    if a.png:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CliError("--png needs matplotlib: pip install matplotlib==3.11.2")
    raws = load_inputs(a.input, info) if a.input else None
    if a.repeat < 1:
        raise CliError("--repeat must be at least 1")
    if a.cores != 1 and a.emulator == "m4":
        raise CliError("--cores 2: the Cortex-M4 target (nRF52840) has one core; use --cores 1")
    if a.emulator == "m4":
        return bench_m4(a, info, raws)
    if a.emulator:
        host_info(a.model)  # the engine runs it at all (names the unsupported op otherwise)
        out, label = bench_emulated(a, name, raws)
    else:
        port = boardmod.find_port(a.port)
        out = bench_on(port, name, raws, a.repeat, port, a.cores)
        label = port
    binfo, profs = parse(out, name, a.model)
    hz = binfo["ticks_hz"] or 0
    ops = []
    for i, (opname, _, _) in enumerate(profs[0]):
        ticks = int(statistics.median(p[i][1] for p in profs))
        ops.append({"index": i, "name": opname, "ticks": ticks, "cores": profs[-1][i][2],
                    "us": round(ticks * 1e6 / hz, 1) if hz else None, "macs": info.macs(i)})
    total = sum(o["ticks"] for o in ops)
    for o in ops:
        o["percent"] = round(100.0 * o["ticks"] / total, 2) if total else 0.0
    res = {"model": os.path.abspath(a.model), "board": label, "repeat": a.repeat,
           "cycles": total if label == "emulated rp2040" else None, "ops": ops, "total_ticks": total,
           "total_us": round(total * 1e6 / hz, 1) if hz else None}
    res.update(binfo)
    if a.png:
        write_png(a.png, res, name)
        res["png"] = os.path.abspath(a.png)
    if a.json:
        dump_json(res)
        return 0
    print("  #  op                         ticks        us      %%   (ticks at %s Hz, median of %d)"
          % ("{:,}".format(hz), a.repeat))
    for o in ops:
        print("%3d  %-24s %10s %9s %6.2f" % (o["index"], o["name"], "{:,}".format(o["ticks"]),
                                             "-" if o["us"] is None else "{:,.1f}".format(o["us"]), o["percent"]))
    print("total %s ticks = %s ms per invoke; arena %s bytes, heap taken by the model %s bytes"
          % ("{:,}".format(total), "-" if not hz else "%.3f" % (total * 1e3 / hz),
             "{:,}".format(binfo["arena_bytes"]), "{:,}".format(binfo["heap_bytes"])))
    return 0


def bench_m4(a, info, raws):
    """One invoke on the emulated Cortex-M4 (optimised kernels), cycles from the cost table."""
    import json

    runner = TOP / "build" / "m4bench" / "opt" / "tflm_run"
    if not runner.exists():
        raise CliError("no M4 runner at %s: run `make m4bench`" % runner)
    host = host_info(a.model)
    with tempfile.TemporaryDirectory(prefix="tflm-bench-m4-") as d:
        args = []
        for k, t in enumerate(host["inputs"]):
            f = pathlib.Path(d) / ("in%d.bin" % k)
            if raws:
                f.write_bytes(raws[k])
            else:
                f.write_bytes(bytes((i * 37 + 11) & 255 for i in range(t["bytes"])))
            args += ["-i", str(f)]
        prog = Progress("emulated cortex-m4")
        p = subprocess.run([str(runner), a.model] + args, capture_output=True, text=True, timeout=1800)
        prog.done()
    if p.returncode != 0:
        raise CliError("m4 runner: " + ((p.stderr or p.stdout).strip().splitlines() or ["failed"])[-1])
    j = json.loads(p.stdout.strip().splitlines()[-1])
    m4 = j["m4"]
    res = {"model": os.path.abspath(a.model), "board": "emulated cortex-m4 (cost-table estimate)", "cores": 1,
           "cycles": m4["cycles"], "instructions": m4["instructions"], "arena_bytes": j["arena_bytes"],
           "macs": sum(info.macs(op["index"]) for op in info.ops), "ms_at_64mhz": round(m4["cycles"] / 64e3, 3)}
    if a.json:
        dump_json(res)
        return 0
    print("cortex-m4 estimate: %s cycles (%s instructions) per invoke = %.3f ms at 64 MHz (nRF52840); "
          "arena %s bytes" % ("{:,}".format(res["cycles"]), "{:,}".format(res["instructions"]),
                              res["ms_at_64mhz"], "{:,}".format(res["arena_bytes"])))
    return 0


def bench_emulated(a, name, raws):
    sys.path.insert(0, str(TOP / "tools" / "emu"))
    sys.path.insert(0, str(TOP / "tools"))
    import rp2040_emulate as emulate

    if not os.path.exists(a.firmware):
        raise CliError("no firmware at %s: run `make rp2` (and `make rp2-emu` for the emulator)" % a.firmware)
    with tempfile.TemporaryDirectory(prefix="tflm-bench-") as d:
        stage = pathlib.Path(d) / "stage"
        stage.mkdir()
        (stage / name).write_bytes(pathlib.Path(a.model).read_bytes())
        img = pathlib.Path(d) / "model.img"
        p = subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(img), str(stage)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise CliError("mkromfs: " + (p.stderr.strip().splitlines() or ["failed"])[-1])
        if img.stat().st_size > emulate.ROMFS_SIZE:
            raise CliError("board too small: %s (%d bytes) does not fit the %d-byte ROMFS partition"
                           % (name, img.stat().st_size, emulate.ROMFS_SIZE))
        emu = emulate.Rp2040Emulator(firmware=a.firmware, romfs=str(img))
        prog = Progress("boot emulated rp2040")
        try:
            emu.start(timeout=60)
        except emulate.EmulatorError as e:
            prog.done("failed")
            raise CliError("emulator: %s" % str(e).splitlines()[0])
        prog.done()
        try:
            out = bench_on(emu.pty, name, raws, a.repeat, "emulated rp2040", a.cores)
            if emu.faults:
                raise CliError("emulator: firmware fault %r" % (emu.faults[0],))
        finally:
            emu.stop()
    return out, "emulated rp2040"


def write_png(path, res, name):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ops = res["ops"]
    use_us = res.get("total_us") is not None
    vals = [o["us"] if use_us else o["ticks"] for o in ops]
    labels = ["%d %s" % (o["index"], o["name"]) for o in ops]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(ops) + 1.5))
    ax.barh(range(len(ops)), vals, color="#3b7dd8")
    ax.set_yticks(range(len(ops)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("microseconds per op" if use_us else "ticks per op")
    ax.set_title("%s on %s: %s per invoke" % (name, res["board"], "%.3f ms" % (res["total_us"] / 1e3) if use_us
                                                else "%d ticks" % res["total_ticks"]), fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=100)
    except OSError as e:
        raise CliError("cannot write %s: %s" % (path, e.strerror or e))
    finally:
        plt.close(fig)
