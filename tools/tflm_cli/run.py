"""tflm run: one inference on the board or on the host engine."""
import os
import tempfile

from . import board as boardmod
from .common import CliError, ModelInfo, Progress, dump_json, runner, runner_error_line
from .tensors import from_raw, load_inputs, load_labels, topk

EXAMPLE = """example:
  tflm run model.tflite --input x.npy --host
  tflm run model.tflite --input x.npy --port /dev/ttyACM0 --labels labels.txt --top 3
  tflm run model.tflite --input x.npy --host --json    # {"outputs": [[raw...]], "dequantized": [[...]], ...}

Float .npy inputs are quantised with the input tensor's scale/zero point; an array of
the tensor's own dtype (e.g. int8) is used as is; other files are raw tensor bytes."""


def add_parser(sub):
    p = sub.add_parser("run", help="run one inference on the board or on the host engine",
                       description="Run a model once and print its outputs (raw and dequantised, top-k with "
                       "labels). On a board the model must be there already (tflm deploy): looked up as "
                       "/rom/NAME (ROMFS) then NAME on the filesystem.", epilog=EXAMPLE)
    p.add_argument("model", help=".tflite file (on the board: the deployed copy of the same name)")
    p.add_argument("--input", "-i", action="append", required=True, metavar="FILE",
                   help=".npy (or raw .bin) per model input, in order")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--host", action="store_true", help="run on the host engine (build/host/tflm_run)")
    where.add_argument("--port", help="board serial port (default: auto-detect, as mpremote)")
    p.add_argument("--labels", help="labels file (one per line) for top-k")
    p.add_argument("--top", type=int, default=5, help="top-k to show (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=main)
    return p


def run_host(path, raws, n_out):
    with tempfile.TemporaryDirectory(prefix="tflm-run-") as d:
        args = [path]
        for i, r in enumerate(raws):
            f = os.path.join(d, "in%d.bin" % i)
            open(f, "wb").write(r)
            args += ["-i", f]
        outs = [os.path.join(d, "out%d.bin" % i) for i in range(n_out)]
        for f in outs:
            args += ["-o", f]
        rc, out, err = runner(args)
        if rc != 0:
            raise CliError(runner_error_line(err))
        import json

        j = json.loads(out.strip().splitlines()[-1])
        return [open(f, "rb").read() for f in outs], {"arena_bytes": j["arena_bytes"]}


BOARD_SCRIPT = """import tflm, os
def _tflm_find(n):
    for p in ('/rom/' + n, n):
        try:
            return p, os.stat(p)[6]
        except OSError:
            pass
    return None, -1
p, sz = _tflm_find(%(name)r)
if p is None:
    print('MISSING')
else:
    m = tflm.Model(p)
    ins = %(ins)r
    for i in range(len(ins)):
        m.input(i)[:] = ins[i]
    m.invoke()
    print('PATH', p, sz, m.arena_size)
    for t in m.outputs:
        print('OUT', bytes(memoryview(t)).hex())
"""


def run_board(port, path, raws, size):
    name = os.path.basename(path)
    with boardmod.Board(port) as b:
        prog = Progress("run on %s" % b.port)
        try:
            out = b.exec(BOARD_SCRIPT % {"name": name, "ins": list(raws)})
        finally:
            prog.done()
    lines = out.strip().splitlines()
    if "MISSING" in lines:
        raise CliError("%s is not on the board: `tflm deploy %s` first" % (name, path))
    outs, meta = [], {}
    for l in lines:
        f = l.split()
        if f and f[0] == "PATH":
            meta = {"board_path": f[1], "arena_bytes": int(f[3])}
            if int(f[2]) != size:
                raise CliError("the board's %s (%s bytes) differs from %s (%d bytes): deploy it again"
                               % (f[1], f[2], path, size))
        elif f and f[0] == "OUT":
            outs.append(bytes.fromhex(f[1]) if len(f) > 1 else b"")
    if not meta:
        raise CliError("no result from the board: %s" % (lines[-1] if lines else "(no output)"))
    return outs, meta


def main(a):
    info = ModelInfo(a.model)
    raws = load_inputs(a.input, info)
    labels = load_labels(a.labels)
    outs_t = info.io("outputs")
    if a.host:
        outs, meta = run_host(a.model, raws, len(outs_t))
        where = "host"
    else:
        outs, meta = run_board(a.port, a.model, raws, len(info.data))
        where = "board"
    if len(outs) != len(outs_t):
        raise CliError("got %d outputs, the model has %d" % (len(outs), len(outs_t)))
    raw_vals, deq = [], []
    for r, t in zip(outs, outs_t):
        rv, dv = from_raw(r, t)
        raw_vals.append(rv)
        deq.append(dv)
    res = {"model": os.path.abspath(a.model), "where": where, "outputs": raw_vals, "dequantized": deq,
           "output_dtypes": [t["dtype"] for t in outs_t], "output_shapes": [t["shape"] for t in outs_t]}
    res.update(meta)
    if a.top and deq:
        res["top"] = topk(deq[0], labels, a.top)
    if a.json:
        dump_json(res)
        return 0
    for i, (rv, dv, t) in enumerate(zip(raw_vals, deq, outs_t)):
        print("output %d %s %s: raw %s" % (i, t["dtype"], tuple(t["shape"]), _short(rv)))
        print("         dequantized %s" % _short(["%.6g" % v for v in dv], q=False))
    if "top" in res and len(deq[0]) > 1:
        print("top %d: %s" % (len(res["top"]), ", ".join(
            "%s %.4f" % (e["label"] if e["label"] is not None else "#%d" % e["index"], e["score"])
            for e in res["top"])))
    return 0


def _short(vals, q=True, n=16):
    s = ", ".join(str(v) for v in vals[:n])
    if len(vals) > n:
        s += ", ... (%d values)" % len(vals)
    return "[" + s + "]"
