"""Boot, REPL, filesystem and reset of the nRF52840 firmware in the board model."""
import time

from conftest import BoardError, Serial, start_model


def test_boot_to_repl(fresh_nrf):
    model = fresh_nrf.model
    print("boot to REPL (first boot, filesystem formatted): %.3f s" % model.boot_seconds)
    assert model.boot_seconds < 20
    assert fresh_nrf.eval("__import__('sys').platform") == "nrf52840"
    assert fresh_nrf.eval("__import__('sys').implementation.version[:2]") == (1, 25)
    out = fresh_nrf.exec("import gc, micropython; gc.collect(); print(gc.mem_free()); micropython.mem_info()")
    free = int(out.split()[0])
    print("free heap at the REPL: %d bytes" % free)
    assert free > 200 * 1024
    assert not model.faults


def test_import_tflm(nrf):
    ops = nrf.eval("__import__('tflm').ops()")
    assert "FULLY_CONNECTED" in ops and "CONV_2D" in ops and "DEPTHWISE_CONV_2D" in ops
    assert nrf.eval("__import__('tflm').ticks_hz()") == 64000000


def test_time_advances(nrf):
    t = nrf.eval("(lambda t, u: (__import__('time').sleep_ms(50), __import__('time').ticks_diff(t.ticks_ms(), u))[1])"
                 "(__import__('time'), __import__('time').ticks_ms())")
    assert 50 <= t < 1000


def test_serial_output_exact(nrf):
    """Long output while the board model's ticker keeps stopping the CPU: every
    byte arrives once, in order (a stop taken inside a peripheral access used
    to send a 64-byte UART block twice)."""
    # the microphone runs meanwhile: its blocks fall due every 20 ms
    out = nrf.exec("import machine\npdm = machine.PDM(rate=16000)\n"
                   "for i in range(4000):\n    print('%05d' % i, 'abcdefghijklmnopqrstuvwxyz')\n"
                   "pdm.deinit()", timeout=120)
    want = "".join("%05d abcdefghijklmnopqrstuvwxyz\n" % i for i in range(4000))
    assert len(out) == len(want)
    assert out == want
    assert not nrf.model.faults


def test_file_survives_reset(fresh_nrf, tmp_path):
    fresh_nrf.exec("f = open('keep.txt', 'w'); f.write('kept across resets'); f.close()")
    # machine.reset(): the board resets and boots again (no reply to the command).
    t = fresh_nrf._transport()
    t.exec_raw_no_follow("import machine\nmachine.reset()")
    fresh_nrf.close()
    deadline = time.monotonic() + 20
    while fresh_nrf.model.resets == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fresh_nrf.model.resets == 1
    time.sleep(0.2)
    assert fresh_nrf.eval("open('keep.txt').read()") == "kept across resets"
    assert fresh_nrf.eval("__import__('machine').reset_cause()") == 5  # soft (SYSRESETREQ)


def test_file_survives_power_cycle(tmp_path):
    state = str(tmp_path / "flash.bin")
    model = start_model(flash_state=state)
    b = Serial(model)
    b.mpremote("fs", "cp", __file__, ":copied.py")
    b.close()
    model.stop()
    model = start_model(flash_state=state)
    b = Serial(model)
    try:
        assert "test_file_survives_power_cycle" in b.eval("open('copied.py').read()")
    finally:
        b.close()
        model.stop()


def test_bad_model_raises_repl_alive(nrf):
    try:
        nrf.exec("import tflm\ntflm.Model(b'not a model at all, just bytes')")
    except BoardError as e:
        assert "ValueError" in e.err or "OSError" in e.err
    else:
        raise AssertionError("no exception for a bad model")
    assert nrf.alive()


def test_feather_firmware_boots():
    """The FEATHER_NRF52840_SENSE build (application at 0x26000) boots too, from its UF2."""
    import pytest
    from conftest import TOP
    fw = TOP / "build" / "nrf52840-feather" / "firmware.uf2"
    if not fw.exists():
        pytest.fail("no Feather firmware: run make nrf52840-all first", pytrace=False)
    from board import Board as ModelBoard
    model = ModelBoard(str(fw))
    model.start(timeout=60)
    b = Serial(model)
    try:
        assert model.app_start == 0x26000
        assert b.eval("__import__('sys').implementation._machine").startswith("Adafruit Feather nRF52840 Sense")
    finally:
        b.close()
        model.stop()
