"""UNIDIRECTIONAL_SEQUENCE_LSTM against the oracle (tests/conformance/lstm/).

The shared LSTM models (MNIST row-by-row int8/float, micro_speech_lstm, DTLN)
on random inputs and the ten MNIST samples (each must read as its digit),
several invokes in a row with and without a reset (state carried), and a
Keras-generated sweep of units/timesteps/features; optimised and ASan/UBSan
runners.
"""
import pathlib
import subprocess
import sys

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parent / "lstm" / "lstm_test.py"


def run(*args):
    r = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)
    tail = "\n".join((r.stdout + r.stderr).splitlines()[-20:])
    assert r.returncode == 0 and "PASS" in r.stdout, f"lstm_test.py {' '.join(args)} failed:\n{tail}"
    return r.stdout


def test_lstm_shared_models(runner):
    out = run("--dtln", "--stateful", "6", "--n", "3")
    assert "exact; PASS" in out


def test_lstm_shared_models_sanitized(san_runner):
    run("--runner", str(san_runner), "--stateful", "4", "--san", "--n", "2")


def test_lstm_generated_sweep(runner):
    run("--gen", "--no-shared", "--n", "2")
