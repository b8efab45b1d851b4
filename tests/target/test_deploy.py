"""The user's path: copy a model to the Pico with the mpremote command line,
run it there, and get the same output bytes as the tflite_micro oracle."""
import hashlib

import numpy as np
import pytest

from conftest import MODELS, oracle, random_input


@pytest.mark.parametrize("name", ["keyword_scrambled_8bit", "micro_speech_quantized", "hello_world_float"])
def test_copy_and_run_bit_exact(pico, tmp_path, name):
    model = (MODELS / (name + ".tflite")).read_bytes()
    rng = np.random.default_rng(1234)
    xs = [random_input(model, rng) for _ in range(2)]
    (tmp_path / "model.tflite").write_bytes(model)
    (tmp_path / "in.bin").write_bytes(b"".join(x.tobytes() for x in xs))

    pico.mpremote("fs", "cp", tmp_path / "model.tflite", ":model.tflite", "+",
                  "fs", "cp", tmp_path / "in.bin", ":in.bin")
    got_hash = pico.mpremote("fs", "sha256sum", ":model.tflite").split()[-1]
    assert got_hash == hashlib.sha256(model).hexdigest()

    script = (
        "import tflm\n"
        "m = tflm.Model('model.tflite')\n"
        "x = open('in.bin', 'rb').read()\n"
        "n = m.input(0).nbytes\n"
        "for v in range(len(x) // n):\n"
        "    m.input(0)[:] = memoryview(x)[v * n:(v + 1) * n]\n"
        "    m.invoke()\n"
        "    print(bytes(memoryview(m.output(0))).hex())\n"
    )
    out = pico.mpremote("exec", script).split()
    want = [oracle(model, x).hex() for x in xs]
    assert out == want
    pico.mpremote("fs", "rm", ":model.tflite", "+", "fs", "rm", ":in.bin")
