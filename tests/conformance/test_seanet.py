"""TFLM's own per-layer int16 (16x8) tests: ../shared/tflm-tests/seanet.

Each <op>N.tflite comes with its inputs and the output TFLM produced, as CSV
files (see that folder's README). Our engine must reproduce every golden
output exactly, and the tflite_micro oracle's output too. Four LEAKY_RELU
goldens (3, 11, 18, 19) were made by an older TFLM: today's oracle differs
from them in the same values we do; there the oracle is the reference (the
test checks that ours equals the oracle and that the oracle itself is what
disagrees with the golden). Used in place, never copied.
"""
import os
import pathlib
import subprocess

import numpy as np
import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
SEANET = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared")) / "tflm-tests" / "seanet"
RUNNER = TOP / "build" / "host" / "tflm_run"
DTYPES = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64}


def cases():
    if not SEANET.is_dir():
        return []
    return sorted(SEANET.glob("*/*.tflite"), key=lambda p: (p.parent.name, len(p.stem), p.stem))


def read_csv(path):
    dtype = DTYPES[path.stem.rsplit("_", 1)[1]]
    text = path.read_text().replace("\n", ",")
    return np.array([int(v) for v in text.split(",") if v.strip()], dtype=dtype)


def test_seanet_present():
    assert len(cases()) >= 100, f"expected TFLM's SEANet tests in {SEANET}"


@pytest.mark.parametrize("model", cases(), ids=lambda p: p.stem)
def test_seanet(model, tmp_path, runner):
    args = [str(runner), str(model)]
    inputs = []
    k = 0
    while True:
        found = list(model.parent.glob(f"{model.stem}_input{k}_*.csv"))
        if not found:
            break
        p = tmp_path / f"in{k}.bin"
        inputs.append(read_csv(found[0]))
        inputs[-1].tofile(p)
        args += ["-i", str(p)]
        k += 1
    golden_path = next(model.parent.glob(f"{model.stem}_golden_*.csv"))
    golden = read_csv(golden_path)
    out = tmp_path / "out.bin"
    args += ["-o", str(out)]
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = np.fromfile(out, dtype=golden.dtype)
    assert got.size == golden.size, f"output has {got.size} values, golden {golden.size}"
    diff = np.nonzero(got != golden)[0]
    if diff.size == 0:
        return
    # Differs from the golden file: acceptable only where today's TFLM does too.
    want = oracle_output(model, inputs)
    odiff = np.nonzero(got != want)[0]
    assert odiff.size == 0, (f"{odiff.size} values differ from the oracle; first at {odiff[0]}: "
                             f"got {got[odiff[0]]}, want {want[odiff[0]]}")
    assert np.array_equal(np.nonzero(want != golden)[0], diff), "oracle and golden disagree elsewhere"
    print(f"{model.stem}: {diff.size} values differ from the (older) golden file, as the oracle's do")


def oracle_output(model, inputs):
    from tflite_micro.python.tflite_micro import runtime
    it = runtime.Interpreter.from_file(str(model), arena_size=2_000_000)
    for k, x in enumerate(inputs):
        it.set_input(x.reshape(it.get_input_details(k)["shape"]), k)
    it.invoke()
    return it.get_output(0).ravel()
