"""tests/mpy (the tflm module's MicroPython-level tests) on the nRF52840 board model.

MicroPython's tests/run-tests.py drives the board's serial port as for a real
board (-t port:/dev/pts/N). The models and vectors are in the board's ROMFS
region, where tflm_testenv finds them (/rom). All the test data (480 KB) does
not fit the 336 KB region, so the suite runs in two passes, each on a board
booted with its own ROMFS image: the person_detect tests with person_detect
(300 KB) and the hello_world models, then every other test with the rest.
"""
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD, TOP, Serial, start_model

MPY_TESTS = TOP / ".deps" / "micropython-1.25.0" / "tests"
SUITE = TOP / "tests" / "mpy"
# The tests that need person_detect (300 KB) in ROMFS: every *person* test.
PERSON_TESTS = tuple(sorted(p.name for p in SUITE.glob("tflm_*person*.py"))) + ("tflm_romfs.py",)


def make_image(test_data, name, keep):
    stage = BUILD / ("stage-" + name)
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "lib").mkdir(parents=True)
    for f in test_data.iterdir():
        if keep(f.name):
            shutil.copy(f, stage / f.name)
    shutil.copy(SUITE / "lib" / "tflm_testenv.py", stage / "lib")
    img = BUILD / (name + ".img")
    subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(img), str(stage)], check=True,
                   stdout=subprocess.DEVNULL)
    return img


def run_suite(img, tests, tmp_path):
    model = start_model(romfs=str(img), flash_state=str(tmp_path / "flash.bin"))
    board = Serial(model)
    results = tmp_path / "results"
    results.mkdir()
    try:
        p = subprocess.run(
            [sys.executable, "./run-tests.py", "-t", "port:" + board.pty, "--keep-path", "-j", "1",
             "-r", str(results)] + [str(SUITE / t) for t in tests],
            cwd=MPY_TESTS, capture_output=True, text=True, timeout=1800)
        print(p.stdout[-2000:])
        failures = ""
        if p.returncode != 0:
            f = subprocess.run([sys.executable, "./run-tests.py", "-r", str(results), "--print-failures"],
                               cwd=MPY_TESTS, capture_output=True, text=True)
            failures = f.stdout[-6000:]
        assert p.returncode == 0, failures or p.stderr
        assert "tests failed" not in p.stdout
        assert board.alive()
    finally:
        board.close()
        model.stop()


def test_tests_mpy_person(test_data, tmp_path):
    img = make_image(test_data, "suite-person",
                     lambda n: n.startswith(("person_detect.", "hello_world_int8.")))
    run_suite(img, PERSON_TESTS, tmp_path)


def test_tests_mpy_rest(test_data, tmp_path):
    img = make_image(test_data, "suite-rest", lambda n: not n.startswith("person_detect."))
    tests = sorted(p.name for p in SUITE.glob("tflm_*.py") if p.name not in PERSON_TESTS)
    assert len(tests) >= 6
    run_suite(img, tests, tmp_path)
