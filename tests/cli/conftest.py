"""Fixtures for the `tflm` CLI tests: real TensorFlow models trained a few steps on
synthetic data, the CLI run as a user runs it (a subprocess), and an emulated Pico
(rp2040js) reached only through its serial port.

    .deps/venv/bin/python -m pytest tests/cli

Needs build/host/tflm_run (make host); the board tests need build/rp2/firmware.uf2
(make rp2) and the emulator (make rp2-emu), else they are skipped.
"""
import os
import pathlib
import subprocess
import sys

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
BUILD = TOP / "build" / "cli-test"
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
PY = sys.executable
sys.path.insert(0, str(TOP / "tools" / "emu"))
sys.path.insert(0, str(TOP / "tools"))


class Result:
    def __init__(self, p):
        self.rc = p.returncode
        self.out = p.stdout
        self.err = p.stderr

    def json(self):
        import json

        return json.loads(self.out.strip().splitlines()[-1])

    def one_line_error(self):
        """Non-zero exit, stderr is exactly one line 'tflm CMD: error: ...', no traceback."""
        lines = [l for l in self.err.splitlines() if l.strip()]
        assert self.rc != 0, (self.out, self.err)
        assert len(lines) == 1, self.err
        assert lines[0].startswith("tflm ") and ": error: " in lines[0], lines[0]
        assert "Traceback" not in self.err
        return lines[0]



def unavailable(msg):
    """Skip when a prerequisite is missing, or fail under `make test-cli` (TFLM_STRICT=1)."""
    if os.environ.get("TFLM_STRICT"):
        pytest.fail(msg + " [TFLM_STRICT: a required component is missing]", pytrace=False)
    pytest.skip(msg)

def tflm(*args, timeout=900, env=None):
    BUILD.mkdir(parents=True, exist_ok=True)
    e = dict(os.environ)
    e["PYTHONPATH"] = str(TOP / "tools") + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("TFLM_PORT", None)
    e.pop("TFLM_PROGRESS", None)
    if env:
        e.update(env)
    p = subprocess.run([PY, "-m", "tflm_cli"] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, env=e, cwd=str(BUILD))
    return Result(p)


@pytest.fixture(scope="session")
def runner():
    r = TOP / "build" / "host" / "tflm_run"
    if not r.exists():
        subprocess.run(["make", "-s", "-C", str(TOP), "host"], check=True, stdout=subprocess.DEVNULL)
    return r


TRAIN = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf
out = sys.argv[1]
rng = np.random.default_rng(0)
tf.keras.utils.set_random_seed(0)
# A small CNN: conv, pool, flatten, dense, softmax; 2 classes (sign of the mean).
x = rng.normal(size=(128, 8, 8, 1)).astype(np.float32)
y = (x.mean(axis=(1, 2, 3)) > 0).astype(np.int64)
m = tf.keras.Sequential([tf.keras.Input((8, 8, 1)), tf.keras.layers.Conv2D(4, 3, activation="relu"),
                         tf.keras.layers.MaxPooling2D(), tf.keras.layers.Flatten(), tf.keras.layers.Dense(2),
                         tf.keras.layers.Softmax()])
m.compile("adam", "sparse_categorical_crossentropy")
m.fit(x, y, epochs=30, batch_size=32, verbose=0)
m.save(out + "/cnn.keras")
np.save(out + "/x.npy", x); np.save(out + "/y.npy", y); np.save(out + "/x0.npy", x[0])
# Too big for the Pico: 160x160x3 input and a 160x160x8 activation (arena > 236 KB).
xb = rng.uniform(-1, 1, size=(8, 160, 160, 3)).astype(np.float32)
yb = rng.integers(0, 2, size=8)
mb = tf.keras.Sequential([tf.keras.Input((160, 160, 3)), tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
                          tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(2)])
mb.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
mb.fit(xb, yb, epochs=1, verbose=0)
mb.save(out + "/big.keras")
np.save(out + "/xb.npy", xb)
# An op this engine does not run (L2_NORMALIZATION), as a SavedModel.
mod = tf.Module()
mod.w = tf.Variable(rng.normal(size=(8, 8)).astype(np.float32))
mod.f = tf.function(lambda t: tf.math.l2_normalize(tf.matmul(t, mod.w), axis=-1),
                    input_signature=[tf.TensorSpec([None, 8], tf.float32)])
tf.saved_model.save(mod, out + "/l2_saved_model", signatures=mod.f.get_concrete_function())
np.save(out + "/x8.npy", rng.normal(size=(32, 8)).astype(np.float32))
# A supported SavedModel (matmul + bias + relu -> FULLY_CONNECTED).
mod2 = tf.Module()
mod2.w = tf.Variable(rng.normal(size=(8, 4)).astype(np.float32))
mod2.b = tf.Variable(rng.normal(size=(4,)).astype(np.float32))
mod2.f = tf.function(lambda t: tf.nn.relu(tf.matmul(t, mod2.w) + mod2.b),
                     input_signature=[tf.TensorSpec([None, 8], tf.float32)])
tf.saved_model.save(mod2, out + "/fc_saved_model", signatures=mod2.f.get_concrete_function())
# The same as a float .tflite written directly by TensorFlow (for inspect/run/deploy).
cf = mod.f.get_concrete_function()
open(out + "/l2.tflite", "wb").write(tf.lite.TFLiteConverter.from_concrete_functions([cf], mod).convert())
'''


@pytest.fixture(scope="session")
def data(runner):
    """Trained Keras/SavedModel models and their data in build/cli-test."""
    BUILD.mkdir(parents=True, exist_ok=True)
    stamp = BUILD / "trained.stamp"
    if not stamp.exists():
        subprocess.run([PY, "-c", TRAIN, str(BUILD)], check=True, capture_output=True)
        stamp.write_text("ok\n")
    return BUILD


@pytest.fixture(scope="session")
def cnn(data):
    """cnn.keras converted by `tflm convert` (checked in test_convert)."""
    out = data / "cnn.tflite"
    r = tflm("convert", data / "cnn.keras", "--rep-data", data / "x.npy", "--labels", data / "y.npy", "-o", out)
    assert r.rc == 0, r.err
    (data / "labels.txt").write_text("negative\npositive\n")
    return out, r


@pytest.fixture(scope="session")
def big(data):
    out = data / "big.tflite"
    if not out.exists():
        r = tflm("convert", data / "big.keras", "--rep-data", data / "xb.npy", "-o", out, "--check", "1")
        assert r.rc == 0, r.err
    return out


@pytest.fixture(scope="session")
def pico():
    """An emulated Pico for the session; yields its serial port."""
    import rp2040_emulate as emulate

    fw = TOP / "build" / "rp2" / "firmware.uf2"
    if not fw.exists():
        unavailable("no Pico firmware at %s (make rp2)" % fw)
    if not os.path.exists(emulate.DEFAULT_ROM):
        unavailable("no rp2040 emulator (make rp2-emu)")
    log = sys.stderr if os.environ.get("TFLM_TARGET_LOG") else None
    emu = emulate.Rp2040Emulator(firmware=str(fw), log_file=log)
    try:
        emu.start(timeout=60)
    except emulate.EmulatorError as e:
        pytest.fail(str(e))
    yield emu.pty
    emu.stop()
