"""TFLM's own per-layer int16 (16x8) tests: ../shared/tflm-tests/seanet.

Each <op>N.tflite comes with its inputs and the output TFLM produced, as CSV
files (see that folder's README). Our engine must reproduce every golden
output exactly. Used in place, never copied.
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
    k = 0
    while True:
        found = list(model.parent.glob(f"{model.stem}_input{k}_*.csv"))
        if not found:
            break
        p = tmp_path / f"in{k}.bin"
        read_csv(found[0]).tofile(p)
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
    assert diff.size == 0, (f"{diff.size} values differ; first at {diff[0]}: "
                            f"got {got[diff[0]]}, want {golden[diff[0]]}")
