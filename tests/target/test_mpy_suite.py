"""tests/mpy (the tflm module's MicroPython-level tests) on the emulated Pico.

MicroPython's own tests/run-tests.py drives the board's serial port, as for a
real board (-t port:/dev/pts/N). The models and oracle vectors are in the
board's ROMFS (tests/target/conftest.py), so tflm_testenv finds them at /rom.
"""
import pathlib
import subprocess
import sys

from conftest import BUILD, TOP

MPY_TESTS = TOP / ".deps" / "micropython-1.25.0" / "tests"


def test_tests_mpy_suite(pico):
    pico.close()
    results = BUILD / "results"
    results.mkdir(parents=True, exist_ok=True)
    for old in results.glob("*.out"):
        old.unlink()
    p = subprocess.run(
        [sys.executable, "./run-tests.py", "-t", "port:" + pico.pty, "--keep-path", "-j", "1",
         "-r", str(results), "-d", str(TOP / "tests" / "mpy")],
        cwd=MPY_TESTS, capture_output=True, text=True, timeout=1800)
    print(p.stdout[-3000:])
    failures = ""
    if p.returncode != 0:
        f = subprocess.run([sys.executable, "./run-tests.py", "-r", str(results), "--print-failures"],
                           cwd=MPY_TESTS, capture_output=True, text=True)
        failures = f.stdout[-6000:]
    assert p.returncode == 0, failures or p.stderr
    assert " 0 tests failed" in p.stdout or "tests failed" not in p.stdout
    assert pico.alive()
