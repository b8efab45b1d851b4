"""Host benchmark: instructions per inference (callgrind), ours beside TFLM's.

For each model, one invoke is counted with valgrind's callgrind, restricted to
the invoke function (ours: tflm_interp_invoke; TFLM: MicroInterpreter::Invoke
inside the tflite_micro wheel), on the same random input. Also prints arena
bytes: ours (32-bit target) and TFLM's (RecordingMicroAllocator total, which
is measured by the 64-bit host build). Not a test: numbers, not asserts.

    make bench                 (models of ../shared/models + build/conformance MLPerf Tiny ones)
    python tools/bench_host.py MODEL.tflite ...
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parent.parent
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared")) / "models"
RUNNER = TOP / "build" / "host" / "tflm_run"
PY = sys.executable
DEFAULT = ["hello_world_int8", "hello_world_float", "simple_add_model", "micro_speech_quantized",
           "keyword_scrambled_8bit", "keyword_scrambled", "person_detect"]

ORACLE_SNIPPET = r"""
import sys, numpy as np
from tflite_micro.python.tflite_micro import runtime
it = runtime.Interpreter.from_file(sys.argv[1], arena_size=int(sys.argv[2]))
for k, p in enumerate(sys.argv[3:]):
    d = it.get_input_details(k)
    it.set_input(np.fromfile(p, dtype=d["dtype"]).reshape(d["shape"]), k)
it.invoke()
if len(sys.argv) > 3 and sys.argv[2] != "0":
    it.print_allocations()
"""


def callgrind(cmd, toggle):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                            f"--toggle-collect={toggle}"] + cmd, capture_output=True, text=True)
        m = re.search(r"Collected : (\d+)", r.stderr)
        if r.returncode != 0 or not m:
            return None, r.stdout + r.stderr
        return int(m.group(1)), r.stdout + r.stderr


def bench(model):
    info = subprocess.run([str(RUNNER), str(model)], capture_output=True, text=True)
    if info.returncode != 0:
        return {"model": model.stem, "error": info.stderr.strip()}
    meta = json.loads(info.stdout)
    with tempfile.TemporaryDirectory() as d:
        ins = []
        for k, t in enumerate(meta["inputs"]):
            p = os.path.join(d, f"in{k}.bin")
            pathlib.Path(p).write_bytes(os.urandom(t["bytes"]) if t["dtype"] != "float32"
                                        else bytes(t["bytes"]))
            ins.append(p)
        args = [str(RUNNER), str(model)]
        for p in ins:
            args += ["-i", p]
        ours, _ = callgrind(args, "tflm_interp_invoke")
        script = os.path.join(d, "oracle.py")
        pathlib.Path(script).write_text(ORACLE_SNIPPET)
        theirs, out = callgrind([PY, script, str(model), str(max(2_000_000, 12 * model.stat().st_size))] + ins,
                                "tflite::micro::MicroInterpreter::Invoke()")
        m = re.search(r"Arena allocation total (\d+) bytes", out or "")
    return {"model": model.stem, "ours_ir": ours, "tflm_ir": theirs,
            "arena_ours": meta["arena_bytes"], "arena_tflm": int(m.group(1)) if m else None}


def fmt(v):
    return "-" if v is None else f"{v:,}"


def main():
    models = [pathlib.Path(a) for a in sys.argv[1:]]
    if not models:
        models = [SHARED / f"{n}.tflite" for n in DEFAULT]
        models += sorted((TOP / "build" / "conformance" / "models").glob("mlperf_*.tflite"))
    print(f"{'model':26s} {'ours Ir':>14s} {'TFLM Ir':>14s} {'ratio':>6s} {'arena ours':>11s} {'arena TFLM':>11s}")
    for i, mpath in enumerate(models):
        print(f"[{i + 1}/{len(models)}] {mpath.stem} ...", end="\r", file=sys.stderr, flush=True)
        r = bench(mpath)
        if "error" in r:
            print(f"{r['model']:26s} error: {r['error']}")
            continue
        ratio = f"{r['ours_ir'] / r['tflm_ir']:.2f}" if r["ours_ir"] and r["tflm_ir"] else "-"
        print(f"{r['model']:26s} {fmt(r['ours_ir']):>14s} {fmt(r['tflm_ir']):>14s} {ratio:>6s} "
              f"{fmt(r['arena_ours']):>11s} {fmt(r['arena_tflm']):>11s}")


if __name__ == "__main__":
    main()
