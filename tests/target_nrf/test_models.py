"""Models on the nRF52840 board model: bytes equal to the tflite_micro oracle's."""
import shutil
import subprocess
import sys

from conftest import TOP

NRF_SRAM = 256 * 1024


def run_vectors(board, path, timeout=600):
    """Runs every input vector of <path>.in0 through the model; returns the output hex lines."""
    out = board.exec(
        "import tflm\n"
        "m = tflm.Model(%r)\n"
        "x = open(%r, 'rb').read()\n"
        "n = m.input(0).nbytes\n"
        "for v in range(len(x) // n):\n"
        "    m.input(0)[:] = memoryview(x)[v * n:(v + 1) * n]\n"
        "    m.invoke()\n"
        "    print(bytes(memoryview(m.output(0))).hex())\n" % (path + ".tflite", path + ".in0"),
        timeout=timeout)
    return out.split()


def expected(test_data, name, n_vectors):
    want = (test_data / (name + ".out0")).read_bytes()
    k = len(want) // n_vectors
    return [want[i * k:(i + 1) * k].hex() for i in range(n_vectors)]


def test_hello_world_int8_copied(nrf, test_data):
    for ext in (".tflite", ".in0"):
        nrf.mpremote("fs", "cp", test_data / ("hello_world_int8" + ext), ":hello_world_int8" + ext)
    got = run_vectors(nrf, "hello_world_int8")
    assert got and got == expected(test_data, "hello_world_int8", len(got))
    print("hello_world_int8: %d vectors bit-exact" % len(got))


def test_person_detect_from_romfs(nrf, test_data):
    assert "person_detect.tflite" in nrf.eval("__import__('os').listdir('/rom')")
    out = nrf.exec(
        "import gc, tflm\n"
        "gc.collect(); free0 = gc.mem_free()\n"
        "m = tflm.Model('/rom/person_detect.tflite')\n"
        "gc.collect(); print(free0 - gc.mem_free(), m.arena_size, repr(m).count('(in place)'))\n")
    used, arena, in_place = map(int, out.split())
    model_size = (test_data / "person_detect.tflite").stat().st_size
    print("person_detect from ROMFS: heap used %d (arena %d), model %d bytes" % (used, arena, model_size))
    assert in_place == 1 and used < arena + 8 * 1024 and model_size > NRF_SRAM
    got = run_vectors(nrf, "/rom/person_detect")
    assert got == expected(test_data, "person_detect", len(got))
    assert nrf.alive()


def test_romfs_deploy_with_mpremote(fresh_nrf, test_data, tmp_path):
    stage = tmp_path / "romfs"
    stage.mkdir()
    for ext in (".tflite", ".in0", ".out0"):
        shutil.copy(test_data / ("hello_world_int8" + ext), stage)
    img = tmp_path / "models.img"
    subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(img), str(stage)], check=True)
    out = fresh_nrf.mpremote("romfs", "deploy", img)
    assert "ROMFS image deployed" in out
    fresh_nrf.soft_reset()
    got = run_vectors(fresh_nrf, "/rom/hello_world_int8")
    assert got and got == expected(test_data, "hello_world_int8", len(got))
