"""The firmware with USB compiled in (TinyUSB: CDC REPL + mass storage) in the board model.

The model has no USB host (tools/emu/nrf52840/README.md): what is tested here
is that the USB build boots and keeps its UART REPL without USB power (the
USBD stays off), and, with the model's VBUS, that the POWER block's USB
events reach TinyUSB's driver, which enables the USBD (with the errata
writes our shim asks for) and its D+ pull-up, and undoes it on removal.
Enumeration, the CDC REPL and drag-and-drop onto the drive are checked on
hardware (ports/nrf52840/README.md).
"""
import time

import pytest

from conftest import TOP, Serial, firmware_path, start_model
from board import USBD_BASE, elf_symbols

USB_SYMBOLS = ("tud_task_ext", "dcd_int_handler", "tusb_hal_nrf_power_event", "USBD_IRQHandler",
               "POWER_CLOCK_IRQHandler", "mp_usbd_cdc_tx_strn")


def symbols(path):
    return elf_symbols(open(path, "rb").read())


def wait_for(cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def test_usb_build_boots_without_usb_power(fresh_nrf):
    syms = symbols(firmware_path())
    missing = [s for s in USB_SYMBOLS + ("tud_msc_write10_cb",) if s not in syms]
    assert not missing, "not a USB build: %s" % missing
    model = fresh_nrf.model
    st = model.usb_state()
    print("USB state without VBUS:", st)
    # The stack is up and listens for VBUS; the peripheral stays off.
    assert st["power_events"] == 7 and st["power_irq"]
    assert not st["enabled"] and not st["pullup"]
    # The UART REPL: commands, long output (the CDC side has no host and must not block it).
    assert fresh_nrf.alive()
    out = fresh_nrf.exec("print('x' * 5000)")
    assert out.strip() == "x" * 5000
    # The filesystem is FAT (the drive's), in 4 KB sectors, with the drive's label.
    assert "VfsFat" in fresh_nrf.exec("import vfs; print(vfs.mount())")
    assert fresh_nrf.eval("__import__('os').statvfs('/')[0]") == 4096
    fresh_nrf.exec("f = open('usb.txt', 'w'); f.write('on FAT'); f.close()")
    fresh_nrf.soft_reset()
    assert fresh_nrf.eval("open('usb.txt').read()") == "on FAT"
    assert not model.usb_state()["enabled"]
    assert not model.faults


def test_usb_power_at_boot_enables_usbd():
    model = start_model(usb_power=True)
    b = Serial(model)
    try:
        assert wait_for(lambda: model.usb_state()["pullup"]), model.usb_state()
        st = model.usb_state()
        print("USB state with VBUS at boot:", st)
        assert st["enabled"] and st["usbd_irq"]
        # TinyUSB's driver did the errata sequences our shim said apply to this
        # (production-revision) chip: 187 and 171 (undocumented registers,
        # ending with 0 written back), 166 (ISO buffer split registers).
        assert model.errata_regs.get(0xC00) == 0x9375
        assert model.errata_regs.get(0xD14) == 0 and model.errata_regs.get(0xC14) == 0
        assert model.regs.get((USBD_BASE, 0x800)) == 0x7E3 and model.regs.get((USBD_BASE, 0x804)) == 0x40
        # The HF crystal (the UART's clock) keeps running.
        assert model.regs.get((0x40000000, 0x40C), 0) & 0x10001 == 0x10001
        assert b.alive()
        b.soft_reset()
        assert b.alive() and model.usb_state()["pullup"]
        assert not model.faults
    finally:
        b.close()
        model.stop()


def test_usb_plug_and_unplug(fresh_nrf):
    model = fresh_nrf.model
    assert not model.usb_state()["enabled"]
    model.usb_plug(True)
    assert wait_for(lambda: model.usb_state()["pullup"]), model.usb_state()
    assert fresh_nrf.alive()
    model.usb_plug(False)
    assert wait_for(lambda: not model.usb_state()["enabled"]), model.usb_state()
    # (The USBD's NVIC line is TinyUSB's: its task masks and unmasks it around
    # its queue, so it is enabled again; the peripheral is off.)
    assert not model.usb_state()["pullup"]
    # The USB driver's HFCLKSTOP on removal is not passed on: the UART keeps its crystal.
    assert model.regs.get((0x40000000, 0x40C), 0) & 0x10001 == 0x10001
    assert fresh_nrf.alive()
    model.usb_plug(True)
    assert wait_for(lambda: model.usb_state()["pullup"]), model.usb_state()
    assert fresh_nrf.alive()
    assert not model.faults


def test_littlefs_build(tmp_path):
    """The littlefs build option (make nrf52840 NRF_FS=LFS): CDC REPL compiled
    in, no drive; littlefs formatted on first boot; UART REPL and files work."""
    fw = TOP / "build" / "nrf52840-lfs" / "firmware.elf"
    if not fw.exists():
        pytest.fail("no littlefs firmware: run make nrf52840-all first", pytrace=False)
    syms = symbols(fw)
    assert all(s in syms for s in USB_SYMBOLS) and "tud_msc_write10_cb" not in syms
    from board import Board as ModelBoard
    state = str(tmp_path / "flash.bin")
    model = ModelBoard(str(fw), flash_state=state)
    model.start(timeout=60)
    b = Serial(model)
    try:
        assert "VfsLfs2" in b.exec("import vfs; print(vfs.mount())")
        b.exec("f = open('keep.txt', 'w'); f.write('littlefs'); f.close()")
        b.soft_reset()
        assert b.eval("open('keep.txt').read()") == "littlefs"
        assert not model.usb_state()["enabled"]
        assert not model.faults
    finally:
        b.close()
        model.stop()


def test_machine_bootloader(fresh_nrf):
    """machine.bootloader() (also the CDC 1200-baud touch) leaves 0x57 in
    POWER.GPREGRET for the UF2 bootloader and resets. The model has no
    bootloader: the firmware boots again, with the word still there."""
    model = fresh_nrf.model
    t = fresh_nrf._transport()
    t.exec_raw_no_follow("import machine\nmachine.bootloader()")
    fresh_nrf.close()
    assert wait_for(lambda: model.resets == 1, 20)
    assert model.regs.get((0x40000000, 0x51C)) == 0x57
    time.sleep(0.2)
    assert fresh_nrf.alive()
