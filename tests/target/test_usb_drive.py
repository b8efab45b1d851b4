"""The board's FAT filesystem is a USB drive: what the PC sees is what
MicroPython sees. The emulator plays the PC's USB mass-storage driver
(bulk-only transport, SCSI READ(10)/WRITE(10)); mtools edits the FAT image
as a PC's filesystem driver would. The classroom flow: drag model.tflite and
labels.txt onto the drive, press Ctrl-D, run the model."""
import os
import shutil
import subprocess

import numpy as np
import pytest

from conftest import MODELS, oracle, random_input

pytestmark = pytest.mark.skipif(shutil.which("mcopy") is None, reason="needs mtools (Debian package mtools)")
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def mtools(*args):
    return subprocess.run(list(args), check=True, capture_output=True, env=ENV).stdout


def test_drag_and_drop_model(fresh_pico, tmp_path):
    emu = fresh_pico.emu
    info = emu.msc_inquiry()
    assert info["vendor"] == "tflm"
    blocks, bsize = emu.msc_capacity()
    assert bsize == 4096 and blocks * bsize == 960 * 1024

    # A file the board writes is on the drive the PC sees.
    fresh_pico.exec("f = open('from_board.txt', 'w'); f.write('written by the Pico'); f.close()")
    disk = tmp_path / "drive.img"
    before = emu.msc_read(0, blocks)
    disk.write_bytes(before)
    assert mtools("mtype", "-i", str(disk), "::from_board.txt") == b"written by the Pico"

    # The PC copies a model and its labels onto the drive.
    model = (MODELS / "hello_world_int8.tflite").read_bytes()
    (tmp_path / "model.tflite").write_bytes(model)
    (tmp_path / "labels.txt").write_text("sine\n")
    mtools("mcopy", "-i", str(disk), str(tmp_path / "model.tflite"), str(tmp_path / "labels.txt"), "::")
    after = disk.read_bytes()
    changed = [b for b in range(blocks) if before[b * bsize:(b + 1) * bsize] != after[b * bsize:(b + 1) * bsize]]
    assert changed
    for b in changed:
        emu.msc_write(b, after[b * bsize:(b + 1) * bsize])

    # Ctrl-D remounts the filesystem; the files are there for tflm.
    fresh_pico.soft_reset()
    files = fresh_pico.eval("__import__('os').listdir('/')")
    assert {"model.tflite", "labels.txt", "from_board.txt"} <= set(files)
    x = random_input(model, np.random.default_rng(7))
    out = fresh_pico.exec(
        "import tflm\n"
        "m = tflm.Model('model.tflite')\n"
        "m.input(0)[:] = bytes.fromhex('%s')\n"
        "m.invoke()\n"
        "print(bytes(memoryview(m.output(0))).hex())\n"
        "print(open('labels.txt').read().strip())\n" % x.tobytes().hex())
    got, label = out.split()
    assert got == oracle(model, x).hex()
    assert label == "sine"
    assert fresh_pico.alive()
