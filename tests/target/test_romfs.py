"""Models in the Pico's ROMFS partition run in place from flash.

person_detect (VWW MobileNetV1-0.25, 300 KB) is larger than the RP2040's
264 KB of SRAM: it can only run from memory-mapped flash. The image is built
with tools/mkromfs.py (8-byte aligned file data, which in-place models need)
and deployed with the stock `mpremote romfs deploy`, as a user would.
"""
import shutil
import subprocess
import sys

from conftest import MODELS, TOP

RP2040_SRAM = 264 * 1024


def test_person_detect_in_place(fresh_pico, tmp_path, test_data):
    stage = tmp_path / "romfs"
    stage.mkdir()
    for name in ("person_detect.tflite", "person_detect.in0", "person_detect.out0"):
        shutil.copy(test_data / name, stage / name)
    shutil.copy(MODELS / "hello_world_int8.tflite", stage)
    img = tmp_path / "models.img"
    subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(img), str(stage)], check=True)
    model_size = (stage / "person_detect.tflite").stat().st_size
    assert model_size > RP2040_SRAM

    out = fresh_pico.mpremote("romfs", "deploy", img)
    assert "ROMFS image deployed" in out
    fresh_pico.soft_reset()  # ROMFS is mounted at /rom on (soft) reset
    assert "person_detect.tflite" in fresh_pico.eval("__import__('os').listdir('/rom')")

    out = fresh_pico.exec(
        "import gc, micropython, tflm\n"
        "gc.collect(); free0 = gc.mem_free()\n"
        "m = tflm.Model('/rom/person_detect.tflite')\n"
        "gc.collect(); used = free0 - gc.mem_free()\n"
        "print(used, m.arena_size, repr(m).count('(in place)'))\n"
        "micropython.mem_info()\n"
        "x = open('/rom/person_detect.in0', 'rb').read()\n"
        "n = m.input(0).nbytes\n"
        "for v in range(len(x) // n):\n"
        "    m.input(0)[:] = memoryview(x)[v * n:(v + 1) * n]\n"
        "    m.invoke()\n"
        "    print(bytes(memoryview(m.output(0))).hex())\n",
        timeout=600,
    )
    lines = out.split("\n")
    used, arena, in_place = map(int, lines[0].split())
    print("person_detect from ROMFS: heap used %d bytes (arena %d), model %d bytes" % (used, arena, model_size))
    print("\n".join(l for l in lines if l.startswith(("stack", "GC"))))
    assert in_place == 1
    # The heap grew by the arena and the model object, never by the weights.
    assert used < arena + 8 * 1024
    assert used < model_size // 2
    want = (test_data / "person_detect.out0").read_bytes()
    n_out = len(want) // 2
    got = [l for l in lines if len(l) == 2 * n_out and all(c in "0123456789abcdef" for c in l)]
    assert got == [want[:n_out].hex(), want[n_out:].hex()]
    assert fresh_pico.alive()


def test_too_big_for_ram_from_fat(fresh_pico, tmp_path):
    """The same model on the FAT drive must be read into RAM: it does not fit,
    and the board says so with MemoryError; the REPL stays alive."""
    fresh_pico.mpremote("fs", "cp", MODELS / "person_detect.tflite", ":big.tflite", timeout=900)
    out = fresh_pico.exec(
        "import tflm\n"
        "try:\n"
        "    tflm.Model('big.tflite')\n"
        "except MemoryError as e:\n"
        "    print('MemoryError', e)\n"
    )
    assert out.startswith("MemoryError")
    assert fresh_pico.alive()
    assert fresh_pico.emu.faults == []
