"""Fixtures for tests on the nRF52840 board model (tools/emu/nrf52840).

The tests reach the board only through its serial port (UARTE0 on a
pseudo-terminal), as a user's tools would: the mpremote command line, or
mpremote's serial transport (raw REPL) in-process.

    make test-nrf52840
    .deps/venv/bin/python -m pytest tests/target_nrf

Environment: TFLM_NRF_FIRMWARE (default build/nrf52840/firmware.elf),
TFLM_TARGET_LOG=1 to print the board model's log.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tools" / "emu" / "nrf52840"))
sys.path.insert(0, str(TOP / "tools"))

from board import Board as ModelBoard  # noqa: E402

BUILD = TOP / "build" / "nrf52840-test"
PY = sys.executable
MPREMOTE = [PY, "-m", "mpremote"]
# What the session board's ROMFS holds (it must fit the 336 KB region).
ROMFS_FILES = ("person_detect.tflite", "person_detect.in0", "person_detect.out0",
               "hello_world_int8.tflite", "hello_world_int8.in0", "hello_world_int8.out0")


def firmware_path():
    return pathlib.Path(os.environ.get("TFLM_NRF_FIRMWARE", TOP / "build" / "nrf52840" / "firmware.elf"))


class BoardError(Exception):
    def __init__(self, err, out=""):
        super().__init__(err)
        self.err = err
        self.out = out


class Serial:
    """A booted board model and a serial connection to its REPL."""

    def __init__(self, model):
        self.model = model
        self.pty = model.pty
        self._t = None

    def _transport(self):
        if self._t is None:
            from mpremote.transport_serial import SerialTransport

            self._t = SerialTransport(self.pty, baudrate=115200)
            self._t.enter_raw_repl(soft_reset=False)
        return self._t

    def close(self):
        if self._t is not None:
            try:
                self._t.exit_raw_repl()
            except Exception:
                pass
            self._t.close()
            self._t = None

    def exec(self, code, timeout=60):
        out, err = self._transport().exec_raw(code, timeout=timeout)
        out = out.decode("utf-8", "replace").replace("\r\n", "\n")
        err = err.decode("utf-8", "replace").replace("\r\n", "\n")
        if err:
            raise BoardError(err, out)
        return out

    def eval(self, expr, timeout=60):
        import ast

        return ast.literal_eval(self.exec("print(repr(%s))" % expr, timeout).strip())

    def soft_reset(self):
        self.close()
        from mpremote.transport_serial import SerialTransport

        self._t = SerialTransport(self.pty, baudrate=115200)
        self._t.enter_raw_repl(soft_reset=True)

    def mpremote(self, *args, timeout=300, check=True):
        self.close()
        cmd = MPREMOTE + ["connect", self.pty] + [str(a) for a in args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
        return p.stdout.replace("\r\n", "\n")

    def alive(self):
        return self.exec("print(6 * 7)").strip() == "42"


def start_model(**kw):
    fw = firmware_path()
    if not fw.exists():
        pytest.fail("no nRF52840 firmware at %s: run make nrf52840 first" % fw, pytrace=False)
    log = sys.stderr if os.environ.get("TFLM_TARGET_LOG") else None
    model = ModelBoard(str(fw), log=log, **kw)
    try:
        model.start(timeout=60)
    except RuntimeError as e:
        model.stop()
        pytest.fail(str(e))
    return model


@pytest.fixture(scope="session")
def test_data():
    """build/nrf52840-test/data: models + oracle vectors (tests/mpy/host/gen_data.py),
    and build/nrf52840-test/romfs.img holding ROMFS_FILES."""
    data = BUILD / "data"
    # Made again when missing or older than the host engine / generator.
    subprocess.run(["make", "-s", "-C", str(TOP), "host"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PY, str(TOP / "tests" / "mpy" / "host" / "gen_data.py"), "--if-stale", str(data)], check=True,
                   stdout=subprocess.DEVNULL)
    stage = BUILD / "romfs"
    stage.mkdir(parents=True, exist_ok=True)
    for name in ROMFS_FILES:
        shutil.copy(data / name, stage / name)
    subprocess.run([PY, str(TOP / "tools" / "mkromfs.py"), str(BUILD / "romfs.img"), str(stage)],
                   check=True, stdout=subprocess.DEVNULL)
    return data


@pytest.fixture(scope="session")
def nrf(test_data):
    """One board for the session, the test models in its ROMFS region."""
    model = start_model(romfs=str(BUILD / "romfs.img"), flash_state=str(BUILD / "session-flash.bin"))
    board = Serial(model)
    yield board
    board.close()
    model.stop()


@pytest.fixture
def fresh_nrf(tmp_path):
    """A board with blank flash (first boot formats the filesystem: FAT by default)."""
    model = start_model(flash_state=str(tmp_path / "flash.bin"))
    board = Serial(model)
    yield board
    board.close()
    model.stop()
