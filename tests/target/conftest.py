"""Fixtures for tests on the emulated Raspberry Pi Pico (rp2040js).

The tests reach the board only through its serial port, as a user's tools
would: the mpremote command line, or mpremote's own serial transport (raw
REPL) in-process. Nothing inspects the emulator's memory.

    make test-rp2                         # builds firmware + emulator, runs these
    .deps/venv/bin/python -m pytest tests/target

Environment: TFLM_RP2_FIRMWARE (default build/rp2/firmware.uf2),
TFLM_TARGET_LOG=1 to print the emulator's log.
"""
import os
import pathlib
import subprocess
import sys
import time

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tools" / "emu"))
sys.path.insert(0, str(TOP / "tools"))

import rp2040_emulate as emulate  # noqa: E402

BUILD = TOP / "build" / "rp2-test"
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
MODELS = SHARED / "models"
PY = sys.executable
MPREMOTE = [PY, "-m", "mpremote"]


def firmware_path():
    return pathlib.Path(os.environ.get("TFLM_RP2_FIRMWARE", TOP / "build" / "rp2" / "firmware.uf2"))


def oracle(model_bytes, x):
    """Output 0's bytes from the tflite_micro oracle for input 0 = x."""
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model_bytes, arena_size=1 << 20)
    det = it.get_input_details(0)
    it.set_input(x.reshape(det["shape"]).astype(det["dtype"]), 0)
    it.invoke()
    return np.asarray(it.get_output(0)).tobytes()


def random_input(model_bytes, rng):
    """A random value for input 0 of the model (int: full range, float: [-1, 1])."""
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime

    det = runtime.Interpreter.from_bytes(model_bytes, arena_size=1 << 20).get_input_details(0)
    dtype = np.dtype(det["dtype"])
    if dtype.kind == "f":
        return rng.uniform(-1.0, 1.0, size=det["shape"]).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=det["shape"], endpoint=True, dtype=dtype)


class Board:
    """An emulated Pico and a serial connection to its REPL."""

    def __init__(self, emu):
        self.emu = emu
        self.pty = emu.pty
        self._t = None

    # -- in-process raw REPL (mpremote's serial transport) -------------------------

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
        """Runs code on the board; returns its output. Raises BoardError with
        the traceback when the code raises."""
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

    # -- the mpremote command line, exactly as a user runs it --------------------------

    def mpremote(self, *args, timeout=300, check=True):
        self.close()  # one client on the port at a time
        cmd = MPREMOTE + ["connect", self.pty] + [str(a) for a in args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
        return p.stdout.replace("\r\n", "\n")

    def alive(self):
        """The REPL still answers (used after error paths)."""
        return self.exec("print(6 * 7)").strip() == "42"


class BoardError(Exception):
    def __init__(self, err, out=""):
        super().__init__(err)
        self.err = err
        self.out = out


def _start(**kw):
    fw = firmware_path()
    if not fw.exists():
        pytest.skip("no Pico firmware at %s (make rp2)" % fw)
    log = sys.stderr if os.environ.get("TFLM_TARGET_LOG") else None
    emu = emulate.Rp2040Emulator(firmware=str(fw), log_file=log, **kw)
    t0 = time.monotonic()
    try:
        emu.start(timeout=60)
    except emulate.EmulatorError as e:
        pytest.fail(str(e))
    emu.boot_seconds = time.monotonic() - t0
    return emu


@pytest.fixture(scope="session")
def test_data():
    """build/rp2-test/data: models + oracle vectors (tests/mpy/host/gen_data.py)
    and build/rp2-test/romfs.img: those files plus lib/tflm_testenv.py, as the
    board's ROMFS image (on sys.path as /rom/lib)."""
    data = BUILD / "data"
    img = BUILD / "romfs.img"
    # Made again when missing or older than the host engine / generator.
    subprocess.run(["make", "-s", "-C", str(TOP), "host"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PY, str(TOP / "tests" / "mpy" / "host" / "gen_data.py"), "--if-stale", str(data)], check=True,
                   stdout=subprocess.DEVNULL)
    extra = BUILD / "romfs-extra"
    (extra / "lib").mkdir(parents=True, exist_ok=True)
    src = TOP / "tests" / "mpy" / "lib" / "tflm_testenv.py"
    (extra / "lib" / "tflm_testenv.py").write_bytes(src.read_bytes())
    subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(img), str(data), str(extra)],
                   check=True, stdout=subprocess.DEVNULL)
    return data


@pytest.fixture(scope="session")
def pico(test_data):
    """One emulated Pico for the session, with the test data in its ROMFS."""
    emu = _start(romfs=str(BUILD / "romfs.img"))
    board = Board(emu)
    yield board
    board.close()
    emu.stop()


@pytest.fixture
def fresh_pico(tmp_path):
    """A Pico with blank filesystem and ROMFS (first boot formats the FAT drive)."""
    emu = _start(flash_state=str(tmp_path / "flash.bin"))
    board = Board(emu)
    yield board
    board.close()
    emu.stop()
