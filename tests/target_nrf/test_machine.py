"""machine.Pin / PWM / I2C / PDM on the nRF52840 board model.

Python runs on the board through its serial REPL only; the board model's
side (LED and pin levels, PWM registers, the simulated LSM6DS3TR-C, the
microphone's sound) is read or set on the in-process model, as one would
with a scope, a sensor or a sound played next to a real board.
"""
import array
import math
import os
import pathlib
import random
import shutil
import time
import wave

import pytest

from conftest import TOP, BoardError, Serial, start_model

XIAO_LEDS = {"red": 26, "green": 30, "blue": 6}


def wav_file(path, samples, rate=16000):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(array.array("h", samples).tobytes())
    return path


def test_pin_numbering(nrf):
    assert nrf.eval("__import__('machine').Pin(26) is __import__('machine').Pin('P0.26')")
    assert nrf.eval("__import__('machine').Pin('LED_RED') is __import__('machine').Pin(26)")
    assert nrf.eval("__import__('machine').Pin.board.IMU_PWR is __import__('machine').Pin('P1.08')")
    assert nrf.eval("__import__('machine').Pin('P1.8') is __import__('machine').Pin(40)")
    for bad in ("48", "'P2.01'", "'P1.16'", "'NOPE'"):
        with pytest.raises(BoardError) as e:
            nrf.exec("__import__('machine').Pin(%s)" % bad)
        assert "ValueError" in e.value.err


def test_pin_toggle_seen_by_model(nrf):
    model = nrf.model
    nrf.exec("from machine import Pin\nled = Pin('LED_RED', Pin.OUT, value=1)")
    assert model.leds()["red"] == 0.0              # active low: 1 = off
    nrf.exec("led.off()")
    assert model.leds()["red"] == 1.0
    assert nrf.eval("led.value()") == 0            # reads the pad back
    n0 = len([e for e in model.gpio_log if e[1] == 26])
    nrf.exec("for i in range(21):\n    led.toggle()")
    changes = [e for e in model.gpio_log if e[1] == 26][n0:]
    assert len(changes) == 21
    assert [lv for _, _, lv in changes[:4]] == [1, 0, 1, 0]
    assert model.leds()["red"] == 0.0 and nrf.eval("led.value()") == 1
    # all three colours, through Signal (active-low aware)
    nrf.exec("from machine import Signal\n"
             "g = Signal(Pin('LED_GREEN', Pin.OUT), invert=True)\n"
             "b = Signal(Pin('LED_BLUE', Pin.OUT), invert=True)\n"
             "g.on(); b.off()")
    assert model.leds() == {"red": 0.0, "green": 1.0, "blue": 0.0}
    nrf.exec("g.off(); led.value(1)")
    assert model.leds() == {"red": 0.0, "green": 0.0, "blue": 0.0}
    assert "mode=OUT" in nrf.eval("repr(led)")


def test_pin_inputs(nrf):
    model = nrf.model
    d0 = 2  # D0 = P0.02
    assert nrf.eval("Pin('D0', Pin.IN, Pin.PULL_UP).value()") == 1
    assert nrf.eval("Pin('D0', Pin.IN, Pin.PULL_DOWN).value()") == 0
    assert nrf.eval("Pin('D0').pull() == Pin.PULL_DOWN and Pin('D0').mode() == Pin.IN")
    model.drive(d0, 1)
    try:
        assert nrf.eval("Pin('D0').value()") == 1
        model.drive(d0, 0)
        assert nrf.eval("Pin('D0', pull=Pin.PULL_UP)()") == 0
    finally:
        model.drive(d0, None)
    assert nrf.eval("Pin('D0')()") == 1
    # open drain: low drives, high releases to the pull / outside
    nrf.exec("od = Pin('D1', Pin.OPEN_DRAIN, Pin.PULL_UP, value=0)")
    assert model.pin_level(3) == 0
    nrf.exec("od.on()")
    assert model.pin_level(3) == 1 and model._pin_drives(3) is None
    model.drive(3, 0)
    try:
        assert nrf.eval("od.value()") == 0
    finally:
        model.drive(3, None)
    nrf.exec("Pin('D0', Pin.IN, None); Pin('D1', Pin.IN, None)")


def test_pwm_duty_seen_by_model(nrf):
    model = nrf.model
    nrf.exec("from machine import Pin, PWM\npwm = PWM(Pin('LED_RED'), freq=1000, duty_u16=16384, invert=True)")
    out = [o for o in model.pwm_outputs() if o["pin"] == 26]
    assert len(out) == 1
    assert out[0]["freq"] == 1000
    assert abs(out[0]["high"] - 0.75) < 1e-3          # inverted: low 25 % of the period
    assert abs(model.leds()["red"] - 0.25) < 1e-3      # active-low LED at 25 %
    assert nrf.eval("(pwm.freq(), pwm.duty_u16())") == (1000, 16384)
    nrf.exec("pwm.duty_u16(49152)")
    assert abs(model.leds()["red"] - 0.75) < 1e-3
    nrf.exec("pwm.freq(50)")
    o = [o for o in model.pwm_outputs() if o["pin"] == 26][0]
    assert abs(o["freq"] - 50) < 0.01 and o["top"] > 10000   # best resolution: a large COUNTERTOP
    nrf.exec("pwm.duty_ns(5_000_000)")                       # 5 ms of 20 ms
    assert abs(model.leds()["red"] - 0.25) < 1e-3
    assert 4_999_000 < nrf.eval("pwm.duty_ns()") <= 5_000_000
    # non-inverted on another pin, its own PWM peripheral and frequency
    nrf.exec("p2 = PWM(Pin('D2'), freq=20000, duty_u16=65535)")
    o2 = [o for o in model.pwm_outputs() if o["pin"] == 28][0]
    assert o2["pwm"] != o["pwm"] and o2["freq"] == 20000 and o2["high"] == 1.0
    nrf.exec("p2.duty_u16(0)")
    assert [o for o in model.pwm_outputs() if o["pin"] == 28][0]["high"] == 0.0
    # four peripherals: a fifth output is refused until one is freed
    nrf.exec("p3 = PWM(Pin('D3'), freq=500); p4 = PWM(Pin('D4'), freq=500)")
    with pytest.raises(BoardError) as e:
        nrf.exec("PWM(Pin('D5'), freq=500)")
    assert "OSError" in e.value.err
    nrf.exec("p2.deinit(); p3.deinit(); p4.deinit(); p5 = PWM(Pin('D5'), freq=500, duty_u16=100); p5.deinit()")
    nrf.exec("pwm.deinit()")
    assert model.pwm_outputs() == []
    with pytest.raises(BoardError):
        nrf.exec("PWM(Pin(0), freq=2)")


def test_i2c_imu(nrf):
    model = nrf.model
    imu = model.imu
    assert nrf.eval("__import__('machine').I2C(0).scan()") == [0x6A]
    assert nrf.eval("__import__('machine').I2C(0).readfrom_mem(0x6A, 0x0F, 1)") == b"\x6a"   # WHO_AM_I
    # accelerometer on: 104 Hz, +-2 g (CTRL1_XL = 0x40); the model's reading comes back
    imu.accel_g = (0.5, -0.25, 1.0)
    nrf.exec("import struct\nfrom machine import I2C\ni2c = I2C(0)\ni2c.writeto_mem(0x6A, 0x10, b'\\x40')")
    assert (0x10, 0x40) in imu.writes
    raw = nrf.eval("struct.unpack('<hhh', i2c.readfrom_mem(0x6A, 0x28, 6))")
    assert raw == tuple(int(round(g * 1000 / 0.061)) for g in imu.accel_g)
    # the same register read as write + repeated start + read
    assert nrf.eval("(i2c.writeto(0x6A, bytes([0x0F]), False), i2c.readfrom(0x6A, 1))") == (1, b"\x6a")
    # readfrom_mem_into, a longer read across registers (auto-increment)
    assert nrf.eval("(lambda b: (i2c.readfrom_mem_into(0x6A, 0x0F, b), bytes(b))[1])(bytearray(3))") == b"\x6a\x40\x00"
    # multi-buffer writes: gathered into one EasyDMA buffer (on the stack up to
    # 64 bytes, else the heap); the sensor sees every byte in order
    for n in (20, 100):
        del imu.writes[:]
        nrf.exec("i2c.writeto_mem(0x6A, 0x14, bytes(range(%d)))" % n)
        assert [v for _, v in imu.writes] == list(range(n))
        assert [r for r, _ in imu.writes] == [(0x14 + i) & 0x7F for i in range(n)]
        nrf.exec("i2c.writeto_mem(0x6A, 0x12, b'\\x04')")     # CTRL3_C back to IF_INC
    # no device at another address: ENODEV; the bus is still usable
    with pytest.raises(BoardError) as e:
        nrf.exec("i2c.readfrom_mem(0x50, 0, 1)")
    assert "ENODEV" in e.value.err or "19" in e.value.err
    assert nrf.eval("i2c.readfrom_mem(0x6A, 0x0F, 1)") == b"\x6a"
    # the edge-pin bus has nothing on it
    assert nrf.eval("I2C(1).scan()") == []
    assert "scl='P0.05'" in nrf.eval("repr(I2C(1))")
    # the IMU's supply pin: off -> gone; on -> back, registers reset
    nrf.exec("from machine import Pin\nPin('IMU_PWR').off()")
    assert nrf.eval("i2c.scan()") == []
    nrf.exec("Pin('IMU_PWR').on()\nimport time\ntime.sleep_ms(5)")
    assert nrf.eval("(i2c.scan(), i2c.readfrom_mem(0x6A, 0x10, 1))") == ([0x6A], b"\x00")
    # I2C(0) on explicit pins, 100 kHz
    assert nrf.eval("I2C(0, scl='IMU_SCL', sda='IMU_SDA', freq=100000).scan()") == [0x6A]
    assert model.regs[(0x40003000, 0x524)] == 0x01980000        # TWIM0.FREQUENCY = K100
    nrf.exec("I2C(0, freq=400000)")
    assert model.regs[(0x40003000, 0x524)] == 0x06200000        # 390 kHz (errata 219)


def test_pdm_frames_equal_file(nrf, tmp_path):
    model = nrf.model
    rng = random.Random(7)
    n = 38 * 320
    samples = [int(8000 * math.sin(i * 0.05)) + rng.randint(-3000, 3000) for i in range(n)]
    samples[0], samples[1] = 32767, -32768
    model.pdm_load(str(wav_file(tmp_path / "sound.wav", samples)))
    t0 = time.monotonic()
    out = nrf.exec(
        "import array, machine\n"
        "pdm = machine.PDM(rate=16000)\n"
        "buf = array.array('h', bytes(2 * %d))\n"
        "frame = array.array('h', bytes(2 * 320))\n"
        "got = 0\n"
        "while got < %d:\n"
        "    pdm.readinto(frame)\n"
        "    buf[got:got + 320] = frame\n"
        "    got += 320\n"
        "print(pdm.overruns())\n"
        "pdm.deinit()\n"
        "print(bytes(buf).hex())\n" % (n, n), timeout=60)
    elapsed = time.monotonic() - t0
    overruns, hexdata = out.split()
    assert overruns == "0"
    data = bytes.fromhex(hexdata)
    got = array.array("h")
    got.frombytes(data)
    assert list(got) == samples
    assert elapsed > n / 16000 * 0.9          # real time: 0.75 s of sound
    st = model.periph.pdm
    assert not st["running"] and st["samples"] >= n
    assert model.regs[(0x4001D000, 0x504)] == 0x0A000000 and model.regs[(0x4001D000, 0x520)] == 1   # 1280K / 80
    assert not model.pin_driven_high(32 + 10)                                  # mic supply off after deinit


def test_pdm_gain_and_stream(nrf, tmp_path):
    """A long read in one readinto (the ring buffer wraps), gain applied by the model."""
    model = nrf.model
    samples = [(i * 37) % 2000 - 1000 for i in range(20000)]
    model.pdm_load(str(wav_file(tmp_path / "ramp.wav", samples)))
    out = nrf.exec(
        "import array, machine\n"
        "pdm = machine.PDM(gain=6, block=256, buffer=1024)\n"
        "print(pdm)\n"
        "buf = array.array('h', bytes(2 * 16000))\n"
        "pdm.readinto(buf)\n"
        "print(pdm.overruns(), sum(buf), buf[100], buf[15999])\n"
        "pdm.deinit()\n", timeout=60)
    lines = out.split("\n")
    assert "rate=16000" in lines[0] and "gain=12/2 dB" in lines[0]
    k = 10 ** (6 / 20)
    exp = [max(-32768, min(32767, int(round(x * k)))) for x in samples[:16000]]
    ov, total, s100, slast = (int(v) for v in lines[1].split())
    assert ov == 0
    assert (total, s100, slast) == (sum(exp), exp[100], exp[15999])
    with pytest.raises(BoardError) as e:
        nrf.exec("__import__('machine').PDM(rate=44100)")
    assert "ValueError" in e.value.err


def test_soft_reset_stops_peripherals(nrf, tmp_path):
    model = nrf.model
    model.pdm_load(str(wav_file(tmp_path / "s.wav", [1] * 4000)))
    nrf.exec("from machine import Pin, PWM, PDM\n"
             "p = PWM(Pin('LED_BLUE'), freq=2000, duty_u16=30000)\n"
             "m = PDM()\n")
    assert model.pwm_outputs() and model.periph.pdm["running"]
    nrf.soft_reset()
    assert model.pwm_outputs() == []
    assert not model.periph.pdm["running"]
    assert nrf.alive()
    assert not model.faults


def test_feather_board_machine(tmp_path):
    """The Feather build: its LED names, sensor bus and microphone pins."""
    fw = pathlib.Path(os.environ.get("TFLM_NRF_FEATHER_FIRMWARE", TOP / "build" / "nrf52840-feather" / "firmware.elf"))
    if not fw.exists():
        pytest.fail("no Feather firmware: run make nrf52840-all first", pytrace=False)
    from board import Board as ModelBoard
    model = ModelBoard(str(fw))
    model.start(timeout=60)
    b = Serial(model)
    try:
        assert model.board_name == "FEATHER_NRF52840_SENSE"
        assert b.eval("__import__('machine').Pin('LED_RED') is __import__('machine').Pin('P1.09')")
        b.exec("from machine import Pin, PWM, I2C, PDM\nPin('LED_BLUE', Pin.OUT).on()")
        assert model.leds()["blue"] == 1.0 and model.leds()["red"] == 0.0
        b.exec("p = PWM(Pin('LED_RED'), freq=1000, duty_u16=32768)")
        assert abs(model.leds()["red"] - 0.5) < 1e-3          # active high: no invert
        assert b.eval("I2C(0).scan()") == [0x6A]
        assert "scl='P0.11', sda='P0.12'" in b.eval("repr(I2C(0))")
        model.pdm_load(str(wav_file(tmp_path / "f.wav", list(range(-500, 500)))))
        assert b.eval("(lambda m, a: (m.readinto(a), m.deinit(), list(a))[2])"
                      "(PDM(), __import__('array').array('h', bytes(20)))") == list(range(-500, -490))
        assert "clk='P0.01', din='P0.00'" in b.eval("repr(PDM())")
    finally:
        b.close()
        model.stop()


SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", "/work/shared"))


def test_micro_speech_listens_to_pdm(tmp_path):
    """examples/micro_speech on the XIAO, its audio from machine.PDM: the
    microphone hears yes_1000ms.wav; the scores equal those of the same .wav
    read from the filesystem, and the word is "yes"."""
    wav = SHARED / "data" / "micro_speech" / "yes_1000ms.wav"
    models = [SHARED / "models" / m for m in ("audio_preprocessor_int8.tflite", "micro_speech_quantized.tflite")]
    if not wav.exists() or not all(m.exists() for m in models):
        pytest.skip("micro_speech data not in %s" % SHARED)
    model = start_model(flash_state=str(tmp_path / "flash.bin"), pdm=str(wav))
    b = Serial(model)
    try:
        # main.py would run at boot under that name: ms_main.py
        shutil.copy(TOP / "examples" / "micro_speech" / "main.py", tmp_path / "ms_main.py")
        b.mpremote("fs", "cp", *models, wav, tmp_path / "ms_main.py", ":")
        try:
            b.exec("import tflmkit")
        except BoardError:
            # not frozen into this firmware: the package on the filesystem
            b.mpremote("fs", "mkdir", ":lib")
            b.mpremote("fs", "cp", "-r", TOP / "py" / "tflmkit", ":lib/")
        out = b.exec(
            "import gc, machine, ms_main\n"
            "L = ms_main.Listener()\n"
            "need = ((ms_main.FRAMES - 1) * ms_main.STRIDE + ms_main.FRAME) * 2\n"
            "mic = machine.PDM(rate=16000)\n"
            "audio = bytearray(need)\n"
            "mic.readinto(audio)\n"
            "mic.deinit()\n"
            "heard = L.classify(audio)\n"
            "gc.collect()\n"
            "filed = L.classify(ms_main.read_wav('yes_1000ms.wav'))\n"
            "print(heard)\nprint(filed)\n"
            "print(ms_main.LABELS[heard.index(max(heard))])\n", timeout=300)
        heard, filed, word = out.strip().split("\n")
        print("micro_speech from the PDM:", heard, word)
        assert heard == filed
        assert word == "yes"
    finally:
        b.close()
        model.stop()


def test_pin_irq(nrf):
    """Pin.irq on GPIOTE: edges driven from outside the chip call the handler."""
    model = nrf.model
    d3 = 29  # D3 = P0.29
    nrf.exec("from machine import Pin\nedges = []\n"
             "btn = Pin('D3', Pin.IN, Pin.PULL_UP)\n"
             "btn.irq(lambda p: edges.append(p.value()), Pin.IRQ_FALLING)\n")
    for level in (0, 1, 0, 1):
        model.drive(d3, level)
        nrf.exec("import time\ntime.sleep_ms(5)")
    assert nrf.eval("edges") == [0, 0]                    # two falling edges seen
    nrf.exec("btn.irq(lambda p: edges.append('both'), Pin.IRQ_RISING | Pin.IRQ_FALLING)\nedges.clear()")
    model.drive(d3, 0)
    nrf.exec("time.sleep_ms(5)")
    model.drive(d3, 1)
    nrf.exec("time.sleep_ms(5)")
    assert nrf.eval("edges") == ["both", "both"]
    nrf.exec("btn.irq(None)\nedges.clear()")
    model.drive(d3, 0)
    nrf.exec("time.sleep_ms(5)")
    assert nrf.eval("edges") == []
    model.drive(d3, None)
    # edges while Python is busy (sleep_ms polls the clock): each is taken within a few ms
    import threading

    def press():
        for _ in range(5):
            time.sleep(0.1)
            model.drive(d3, 0)
            time.sleep(0.1)
            model.drive(d3, 1)
    nrf.exec("btn.irq(lambda p: edges.append(time.ticks_ms()), Pin.IRQ_FALLING)")
    th = threading.Thread(target=press)
    th.start()
    ms = nrf.eval("(lambda t0: (time.sleep_ms(1300), [e - t0 for e in edges])[1])(time.ticks_ms())")
    th.join()
    model.drive(d3, None)
    nrf.exec("btn.irq(None)")
    assert len(ms) == 5, ms
    gaps = [b - a for a, b in zip(ms, ms[1:])]
    assert all(150 < g < 250 for g in gaps), ms
