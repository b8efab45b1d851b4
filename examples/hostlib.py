"""Host side of the examples: our engine (build/host/tflm_run), the TFLM
oracle (tflite_micro), and the board scripts' own decoders. Importing it
puts py/ on sys.path: the tflmkit helpers the board scripts import (frozen
into the firmware on the boards).

Each example's check.py runs its board script's pipeline on the host with our
engine and with the oracle, on ../shared/data, and fails unless the bytes
agree and the answers are right. The board scripts (main.py) are imported
here as plain modules: under CPython they skip `import tflm` and expose their
file decoders, so host and board decode the files with the same code.
"""
import importlib.util
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parent
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
MODELS = SHARED / "models"
DATA = SHARED / "data"
RUNNER = TOP / "build" / "host" / "tflm_run"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The board scripts import the project's Python helpers (py/tflmkit, frozen
# into the firmware): on the host they come from py/.
if str(TOP / "py") not in sys.path:
    sys.path.insert(0, str(TOP / "py"))


def board_script(example):
    """examples/<example>/main.py as a module (name: <example>_main)."""
    path = HERE / example / "main.py"
    spec = importlib.util.spec_from_file_location(example + "_main", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def need_runner():
    if not RUNNER.exists():
        raise SystemExit("build/host/tflm_run is missing: run `make host`")


def run_ours(model, inputs):
    """Output 0's bytes from our host engine, fresh state; inputs: list of bytes."""
    need_runner()
    with tempfile.TemporaryDirectory(prefix="tflm-ex-") as d:
        args = [str(RUNNER), str(model)]
        for i, data in enumerate(inputs):
            p = os.path.join(d, "in%d.bin" % i)
            pathlib.Path(p).write_bytes(bytes(data))
            args += ["-i", p]
        out = os.path.join(d, "out.bin")
        args += ["-o", out]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s: %s" % (pathlib.Path(model).name, (r.stderr or r.stdout).strip()))
        return pathlib.Path(out).read_bytes()


def oracle(model, inputs, arena=1 << 20):
    """Output 0's bytes from the tflite_micro oracle, fresh interpreter."""
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_file(str(model), arena_size=arena)
    for i, data in enumerate(inputs):
        det = it.get_input_details(i)
        it.set_input(np.frombuffer(bytes(data), dtype=det["dtype"]).reshape(det["shape"]), i)
    it.invoke()
    return np.asarray(it.get_output(0)).tobytes()


def io_quant(model, index=0, output=False):
    """(scale, zero_point) of input/output `index` (as stored in the model)."""
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_file(str(model), arena_size=1 << 20)
    det = it.get_output_details(index) if output else it.get_input_details(index)
    q = det["quantization_parameters"]
    return float(q["scales"][0]), int(q["zero_points"][0])


def quantize_f32(values, scale, zero_point, lo=-128, hi=127):
    """What the board's `tensor[:] = floats` does: q = zero_point +
    round_half_away(x / scale), x / scale in float32, saturated."""
    import numpy as np

    x = np.asarray(values, dtype=np.float32) / np.float32(scale)
    r = np.trunc(x)
    frac = x - r
    r = r + (frac >= 0.5) - (frac <= -0.5)
    return np.clip(r.astype(np.int64) + zero_point, lo, hi).astype(np.int8)


def signed(data):
    """int8 values of a bytes object, as a list."""
    return [b - 256 if b > 127 else b for b in bytes(data)]


def parse_line(line):
    """(name, answer, raw list) from a board/host result line
    'NAME: ANSWER (...) raw [a, b, ...]'."""
    name, rest = line.split(": ", 1)
    answer = rest.split(" (", 1)[0]
    raw = [int(v) for v in rest.rsplit("raw [", 1)[1].rstrip("]").split(",")]
    return name, answer, raw


def finish(ok, what):
    print("%s: %s" % (what, "OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit("import this module; run an example's check.py")
