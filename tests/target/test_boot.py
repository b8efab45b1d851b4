"""The Pico firmware boots in the emulator and its REPL answers over USB serial."""


def test_banner_and_build(pico):
    assert pico.eval("__import__('sys').implementation.name") == "micropython"
    assert pico.eval("__import__('sys').implementation.version[:3]") == (1, 25, 0)
    assert pico.eval("__import__('sys').implementation._build") == "RPI_PICO_TFLM"
    assert "RP2040" in pico.eval("__import__('os').uname().machine")
    assert pico.emu.boot_seconds < 30


def test_tflm_builtin(pico):
    ops = pico.eval("__import__('tflm').ops()")
    for op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"):
        assert op in ops
    # Model.profile() counts CPU cycles (SysTick, 125 MHz) on the rp2 port.
    assert pico.eval("__import__('tflm').ticks_hz()") == 125_000_000


def test_flash_layout_and_ram(pico):
    out = pico.exec(
        "import gc, os, vfs\n"
        "gc.collect()\n"
        "s = os.statvfs('/')\n"
        "d = vfs.rom_ioctl(2, 0)\n"
        "print(gc.mem_free(), s[0], s[0] * s[2], vfs.rom_ioctl(1), d.ioctl(4, 0) * d.ioctl(5, 0))\n"
    )
    free, bsize, fat_bytes, n_romfs, romfs_bytes = map(int, out.split())
    print("free RAM at the REPL: %d bytes; FAT %d bytes; ROMFS %d bytes" % (free, fat_bytes, romfs_bytes))
    assert free > 200 * 1024
    assert bsize == 4096  # FAT sectors are flash sectors (USB drive block size)
    assert fat_bytes > 900 * 1024
    assert n_romfs == 1 and romfs_bytes == 512 * 1024
    # The filesystem is FAT (what the USB drive exposes) and ROMFS is mounted at /rom.
    assert pico.exec("import vfs; print(vfs.mount())").count("VfsFat") == 1
    assert "rom" in pico.eval("__import__('os').listdir('/')")


def test_repl_survives_errors(pico):
    import pytest
    from conftest import BoardError

    with pytest.raises(BoardError) as e:
        pico.exec("raise ValueError('boom')")
    assert "ValueError: boom" in e.value.err
    assert pico.alive()
    assert pico.emu.faults == []
