"""Compare build/host/tflm_run (or --bin) with the tflite_micro oracle on the models listed
in build/nn/models/specs.json (or given on the command line), on several random inputs.

Usage: python tests/conformance/sweeps/nn/run_nn.py [--bin PATH] [--n N] [--only SUBSTR] [MODEL...]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
from tflite_micro.python.tflite_micro import runtime

TOP = pathlib.Path(__file__).resolve().parents[4]
SPECS = TOP / "build" / "nn" / "models" / "specs.json"


def rand_input(rng, det):
    dt = np.dtype(det["dtype"])
    shape = det["shape"]
    if dt == np.float32:
        return rng.uniform(-2.5, 2.5, shape).astype(np.float32)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max + 1, shape, dtype=np.int64).astype(dt)


def io_counts(path):
    """Number of inputs and outputs of subgraph 0, read from the flatbuffer."""
    import importlib.util
    import site
    for d in site.getsitepackages():
        f = pathlib.Path(d) / "tensorflow" / "lite" / "python" / "schema_py_generated.py"
        if f.exists():
            spec = importlib.util.spec_from_file_location("tfl_schema", f)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            sg = mod.Model.GetRootAsModel(path.read_bytes(), 0).Subgraphs(0)
            return sg.InputsLength(), sg.OutputsLength()
    raise RuntimeError("schema_py_generated.py not found")


def run_one(path, binary, n, seed, tmp):
    it = runtime.Interpreter.from_file(str(path), arena_size=8 << 20)
    n_in, n_out = io_counts(path)
    dets = [it.get_input_details(i) for i in range(n_in)]
    rng = np.random.default_rng(seed)
    fails = []
    for trial in range(n):
        ins = [rand_input(rng, d) for d in dets]
        for k, x in enumerate(ins):
            it.set_input(x, k)
        it.invoke()
        want = [np.array(it.get_output(k)) for k in range(n_out)]
        args = [binary, str(path)]
        for k, x in enumerate(ins):
            p = os.path.join(tmp, f"in{k}.bin")
            x.tofile(p)
            args += ["-i", p]
        for k in range(n_out):
            args += ["-o", os.path.join(tmp, f"out{k}.bin")]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            return [f"run failed: {r.stderr.strip()[:300]}"]
        for k in range(n_out):
            got = np.fromfile(os.path.join(tmp, f"out{k}.bin"), dtype=want[k].dtype)
            w = want[k].reshape(-1)
            if got.shape != w.shape:
                fails.append(f"trial {trial} out {k}: size {got.size} want {w.size}")
                continue
            if got.tobytes() != w.tobytes():
                bad = np.nonzero(got.view(np.uint8 if got.itemsize == 1 else
                                          {2: np.uint16, 4: np.uint32, 8: np.uint64}[got.itemsize])
                                 != w.view(np.uint8 if w.itemsize == 1 else
                                           {2: np.uint16, 4: np.uint32, 8: np.uint64}[w.itemsize]))[0]
                i0 = int(bad[0])
                extra = ""
                if got.dtype == np.float32:
                    extra = f" maxabs {np.max(np.abs(got.astype(np.float64) - w)):.3g}"
                fails.append(f"trial {trial} out {k}: {len(bad)} bytes differ, first elem {i0}: "
                             f"got {got[i0]}, want {w[i0]}{extra}")
    return fails


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(TOP / "build" / "host" / "tflm_run"))
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    if a.models:
        paths = [pathlib.Path(m) for m in a.models]
    else:
        paths = [pathlib.Path(s["file"]) for s in json.loads(SPECS.read_text())]
    paths = [p for p in paths if a.only in p.name]
    ok = 0
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, p in enumerate(paths):
            try:
                fails = run_one(p, a.bin, a.n, i, tmp)
            except Exception as e:  # noqa: BLE001
                fails = [f"oracle error: {e}"]
            if fails:
                bad += 1
                print("FAIL", p.name)
                for f in fails[:3]:
                    print("   ", f)
            else:
                ok += 1
    print(f"{ok} passed, {bad} failed ({a.n} inputs each)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
