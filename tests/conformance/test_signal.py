"""TFLM signal-library CUSTOM ops and the micro_speech pipeline, against the oracle.

Runs the checks of tests/conformance/signal/ (see its README): both audio
preprocessor models frame by frame with state carried and a reset half way,
single-op sweeps, and 1 s wavs through preprocessor + micro_speech model
(yes -> yes, no -> no, silence -> silence).
"""
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent / "signal"


def run(script, *args):
    r = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True)
    tail = "\n".join((r.stdout + r.stderr).splitlines()[-15:])
    assert r.returncode == 0, f"{script} {' '.join(args)} failed:\n{tail}"
    return r.stdout


@pytest.mark.parametrize("args", [["--reset"], ["--reset", "--san"]], ids=["opt", "asan-ubsan"])
def test_audio_preprocessor_frames(args, runner, san_runner):
    out = run("signal_check.py", *args)
    assert out.count("BIT-EXACT") >= 2 and "MISMATCH" not in out


def test_signal_op_sweeps(runner):
    out = run("sweep_check.py")
    assert "45/45 bit-exact" in out


def test_micro_speech_pipeline(runner):
    out = run("micro_speech_check.py")
    assert "micro_speech pipeline: OK" in out
