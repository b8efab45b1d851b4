"""Fixtures for the examples' tests: the host side (examples/hostlib.py) and
one emulated Pico for the session with every example's models in ROMFS and
inputs on its filesystem (examples/pico.py, over the board's USB serial REPL
as mpremote talks to it).

A missing prerequisite (host runner, firmware, emulator) skips, or fails
under `make test-examples` (TFLM_STRICT=1).
"""
import os
import pathlib
import shutil
import sys

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES_DIR = TOP / "examples"
sys.path.insert(0, str(EXAMPLES_DIR))

import hostlib  # noqa: E402
import pico as picomod  # noqa: E402


def missing(msg):
    if os.environ.get("TFLM_STRICT"):
        pytest.fail(msg + " [TFLM_STRICT: a required component is missing]", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def host():
    if not hostlib.RUNNER.exists():
        missing("no host runner at %s (make host)" % hostlib.RUNNER)
    if not (hostlib.MODELS / "person_detect.tflite").exists():
        missing("no shared test data at %s" % hostlib.SHARED)
    return hostlib


@pytest.fixture(scope="session")
def pico(host):
    fw = picomod.FIRMWARE
    if not fw.exists():
        missing("no Pico firmware at %s (make rp2)" % fw)
    if not (TOP / "build" / "rp2-emu" / "node_modules" / "rp2040js").exists() or shutil.which("node") is None:
        missing("no rp2040js emulator (make rp2-emu)")
    board = picomod.Pico(picomod.EXAMPLES)
    yield board
    board.close()
