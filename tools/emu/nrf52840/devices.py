"""Peripheral models of the nRF52840 board model beyond the core set: PWM0-3,
TWIM0/1 with an LSM6DS3TR-C on the bus, and PDM with a microphone fed from a
.wav / raw PCM file. Register offsets are the nRF52840 Product
Specification's; the LSM6DS3TR-C's are ST's datasheet's.

Each model keeps its registers in the board's register dictionary (so the
generic event / INTEN / interrupt logic of board.py applies) and acts on task
writes. See README.md for what is and is not modelled.
"""
import array
import struct
import time
import wave

PWM_BASES = {0x4001C000: 0, 0x40021000: 1, 0x40022000: 2, 0x4002D000: 3}
TWIM_BASES = {0x40003000: 0, 0x40004000: 1}
PDM_BASE = 0x4001D000
PWM_CLK_HZ = 16000000
PSEL_DISCONNECTED = 1 << 31

# Board wiring the model knows, by board (what the firmware's board files describe).
BOARDS = {
    "XIAO_NRF52840_SENSE": {
        "leds": {"red": 26, "green": 30, "blue": 6}, "led_active_low": True,
        "imu": {"addr": 0x6A, "scl": 27, "sda": 7, "power": 32 + 8},
        "mic": {"clk": 32 + 0, "din": 16, "power": 32 + 10},
    },
    "FEATHER_NRF52840_SENSE": {
        "leds": {"red": 32 + 9, "blue": 32 + 10}, "led_active_low": False,
        "imu": {"addr": 0x6A, "scl": 11, "sda": 12, "power": None},
        "mic": {"clk": 1, "din": 0, "power": None},
    },
}


def psel_pin(v):
    """Pin number (port * 32 + pin) of a PSEL register, or None when disconnected."""
    if v & PSEL_DISCONNECTED:
        return None
    return v & 0x3F


# ---------------------------------------------------------------------------------
class Lsm6ds3:
    """LSM6DS3TR-C accelerometer + gyroscope as an I2C device.

    Registers: WHO_AM_I (0x0F) = 0x6A, CTRL1_XL (0x10, ODR_XL 7:4, FS_XL 3:2),
    CTRL2_G (0x11, ODR_G 7:4, FS_G 3:2, FS_125 bit 1), CTRL3_C (0x12, reset 0x04:
    IF_INC; SW_RESET bit 0), STATUS_REG (0x1E), OUT_TEMP (0x20-0x21, 256 LSB/degC
    around 25 degC), OUTX/Y/Z_G (0x22-0x27), OUTX/Y/Z_XL (0x28-0x2D), all other
    registers plain read/write bytes. Outputs follow `accel_g`, `gyro_dps` and
    `temp_c` (settable by tests) while the sensor's ODR is not power-down, and
    are 0 otherwise. Auto-increment when CTRL3_C.IF_INC is set.
    """
    XL_LSB_MG = {0: 0.061, 1: 0.488, 2: 0.122, 3: 0.244}      # FS_XL: +-2, 16, 4, 8 g
    G_LSB_MDPS = {0: 8.75, 1: 17.5, 2: 35.0, 3: 70.0}         # FS_G: 245, 500, 1000, 2000 dps

    def __init__(self, addr=0x6A):
        self.addr = addr
        self.accel_g = (0.0, 0.0, 1.0)
        self.gyro_dps = (0.0, 0.0, 0.0)
        self.temp_c = 25.0
        self.reset()

    def reset(self):
        self.regs = bytearray(128)
        self.regs[0x0F] = 0x6A
        self.regs[0x12] = 0x04
        self.ptr = 0
        self.first = False
        self.writes = []          # (register, value) written, for tests

    def _outputs(self):
        out = bytearray(14)
        xl_on = self.regs[0x10] >> 4
        g_on = self.regs[0x11] >> 4
        if xl_on or g_on:
            t = int(round((self.temp_c - 25.0) * 256))
            struct.pack_into("<h", out, 0, max(-32768, min(32767, t)))
        if g_on:
            ctrl = self.regs[0x11]
            lsb = 4.375 if ctrl & 2 else self.G_LSB_MDPS[(ctrl >> 2) & 3]
            for i, v in enumerate(self.gyro_dps):
                struct.pack_into("<h", out, 2 + 2 * i, max(-32768, min(32767, int(round(v * 1000 / lsb)))))
        if xl_on:
            lsb = self.XL_LSB_MG[(self.regs[0x10] >> 2) & 3]
            for i, v in enumerate(self.accel_g):
                struct.pack_into("<h", out, 8 + 2 * i, max(-32768, min(32767, int(round(v * 1000 / lsb)))))
        return out

    def read_reg(self, r):
        r &= 0x7F
        if r == 0x1E:   # STATUS_REG: TDA, GDA, XLDA
            return (4 if (self.regs[0x10] | self.regs[0x11]) >> 4 else 0) | \
                (2 if self.regs[0x11] >> 4 else 0) | (1 if self.regs[0x10] >> 4 else 0)
        if 0x20 <= r <= 0x2D:
            return self._outputs()[r - 0x20]
        return self.regs[r]

    # I2C transaction: start(read?), bytes, stop
    def start(self, read):
        self.first = not read

    def write(self, b):
        if self.first:
            self.ptr = b & 0x7F
            self.first = False
            return
        self.writes.append((self.ptr, b))
        if self.ptr == 0x12 and b & 1:      # SW_RESET
            self.reset()
            return
        if self.ptr not in (0x0F, 0x1E) and not (0x20 <= self.ptr <= 0x2D):
            self.regs[self.ptr] = b
        self._advance()

    def read(self):
        v = self.read_reg(self.ptr)
        self._advance()
        return v

    def _advance(self):
        if self.regs[0x12] & 0x04:
            self.ptr = (self.ptr + 1) & 0x7F

    def stop(self):
        pass


# ---------------------------------------------------------------------------------
class Peripherals:
    """PWM, TWIM and PDM of one board; `board` gives registers, RAM and pins."""

    def __init__(self, board, profile):
        self.b = board
        self.profile = profile
        self.imu = Lsm6ds3(profile["imu"]["addr"])
        self._imu_powered = None
        self.pdm_samples = array.array("h")
        self.pdm_source_rate = None
        self.pdm_speed = 1.0
        self.reset()

    def reset(self):
        self.pwm = [{"enabled": False, "running": False, "freq": None, "top": 0, "prescaler": 0,
                     "values": [], "pins": [None] * 4, "starts": 0} for _ in range(4)]
        self.twim_log = []            # (bus, addr, "w"/"r", bytes) of completed transfers
        self.pdm = {"running": False, "ptr": 0, "cnt": 0, "t0": 0.0, "pos": 0, "blocks": 0,
                    "samples": 0, "waiting": 0}
        self.imu.reset()
        self._imu_powered = None

    # -- helpers ---------------------------------------------------------------------
    def _r(self, base, off):
        return self.b.regs.get((base, off), 0)

    def _set(self, base, off, v=1):
        self.b.regs[(base, off)] = v

    # -- PWM -----------------------------------------------------------------------
    def pwm_write(self, base, off, value):
        n = PWM_BASES[base]
        self._set(base, off, value)
        s = self.pwm[n]
        if off == 0x500:
            s["enabled"] = bool(value & 1)
            if not s["enabled"]:
                s["running"] = False
        elif off == 0x004 and value:                         # TASKS_STOP
            s["running"] = False
            self._set(base, 0x104)                           # EVENTS_STOPPED
        elif off in (0x008, 0x00C) and value and s["enabled"]:   # TASKS_SEQSTART[k]
            k = (off - 0x008) // 4
            ptr = self._r(base, 0x520 + 0x20 * k)
            cnt = self._r(base, 0x524 + 0x20 * k) & 0x7FFF
            load = self._r(base, 0x510) & 3                  # DECODER.LOAD
            per = {0: 1, 1: 2, 2: 4, 3: 4}[load]
            words = min(cnt, per) if cnt else 0
            vals = list(struct.unpack("<%dH" % words, bytes(self.b.uc.mem_read(ptr, 2 * words)))) if words else []
            s["prescaler"] = self._r(base, 0x50C) & 7
            s["top"] = self._r(base, 0x508) & 0x7FFF
            if load == 3 and len(vals) == 4:                 # WaveForm: 4th value is COUNTERTOP
                s["top"] = vals[3] & 0x7FFF
            s["freq"] = PWM_CLK_HZ / (1 << s["prescaler"]) / s["top"] if s["top"] else None
            # the value each channel uses
            if load == 0:
                chv = [vals[0] if vals else 0] * 4
            elif load == 1:
                chv = [vals[0], vals[0], vals[1], vals[1]] if len(vals) >= 2 else [0] * 4
            else:
                chv = (vals + [0] * 4)[:4]
            s["values"] = chv
            s["pins"] = [psel_pin(self._r(base, 0x560 + 4 * ch)) for ch in range(4)]
            s["running"] = True
            s["starts"] += 1
            self._set(base, 0x108 + 4 * k)                   # EVENTS_SEQSTARTED[k]
            self._set(base, 0x110 + 4 * k)                   # EVENTS_SEQEND[k]
            self._set(base, 0x118)                           # EVENTS_PWMPERIODEND
            self.b._kick()

    def pwm_outputs(self):
        """What every running PWM channel drives: pin, freq (Hz), high fraction, duty_u16."""
        out = []
        for n, s in enumerate(self.pwm):
            if not (s["enabled"] and s["running"] and s["top"]):
                continue
            for ch, pin in enumerate(s["pins"]):
                if pin is None:
                    continue
                v = s["values"][ch]
                frac = min(v & 0x7FFF, s["top"]) / s["top"]
                high = frac if v & 0x8000 else 1.0 - frac   # bit 15: 1 = high first, until COMPARE
                out.append({"pwm": n, "channel": ch, "pin": pin, "freq": s["freq"], "high": high,
                            "duty_u16": int(round(high * 65535)), "value": v, "top": s["top"],
                            "prescaler": s["prescaler"]})
        return out

    # -- TWIM ----------------------------------------------------------------------
    def _device(self, base):
        """The device at ADDRESS on this TWIM's pins, if powered; else None."""
        imu = self.profile["imu"]
        scl, sda = psel_pin(self._r(base, 0x508)), psel_pin(self._r(base, 0x50C))
        if (scl, sda) != (imu["scl"], imu["sda"]) or (self._r(base, 0x588) & 0x7F) != self.imu.addr:
            return None
        return self.imu if self.imu_powered() else None

    def imu_powered(self):
        p = self.profile["imu"]["power"]
        on = True if p is None else self.b.pin_driven_high(p)
        if on and self._imu_powered is False:
            self.imu.reset()                                # power cycle: registers back to reset values
        self._imu_powered = on
        return on

    def twim_write(self, base, off, value):
        if off == 0x4C4:                                     # ERRORSRC: write 1 to clear
            self._set(base, off, self._r(base, off) & ~value)
            return
        self._set(base, off, value)
        if not value or off > 0x020 or self._r(base, 0x500) != 6:
            return
        if off == 0x008:
            self._twim_tx(base)
        elif off == 0x000:
            self._twim_rx(base)
        elif off == 0x014:                                   # TASKS_STOP
            dev = self._device(base)
            if dev:
                dev.stop()
            self._set(base, 0x104)
        self.b._kick()

    def _nack(self, base):
        self._set(base, 0x4C4, self._r(base, 0x4C4) | 2)     # ERRORSRC.ANACK
        self._set(base, 0x124)                               # EVENTS_ERROR (STOP task ends it)

    def _twim_tx(self, base):
        dev = self._device(base)
        n = self._r(base, 0x548)
        self._set(base, 0x150)                               # TXSTARTED
        if dev is None:
            self._nack(base)
            return
        if n == 0:                                           # address only: LASTTX never comes
            return
        data = bytes(self.b.uc.mem_read(self._r(base, 0x544), n))
        dev.start(False)
        for x in data:
            dev.write(x)
        self._set(base, 0x54C, n)                            # TXD.AMOUNT
        self._set(base, 0x160)                               # LASTTX
        self.twim_log.append((TWIM_BASES[base], self._r(base, 0x588), "w", data))
        shorts = self._r(base, 0x200)
        if shorts & (1 << 7):                                # LASTTX_STARTRX
            self._twim_rx(base)
        elif shorts & (1 << 8):                              # LASTTX_SUSPEND
            self._set(base, 0x148)
        elif shorts & (1 << 9):                              # LASTTX_STOP
            dev.stop()
            self._set(base, 0x104)

    def _twim_rx(self, base):
        dev = self._device(base)
        n = self._r(base, 0x538)
        self._set(base, 0x14C)                               # RXSTARTED
        if dev is None:
            self._nack(base)
            return
        if n == 0:
            return
        dev.start(True)
        data = bytes(dev.read() for _ in range(n))
        self.b.uc.mem_write(self._r(base, 0x534), data)
        self._set(base, 0x53C, n)                            # RXD.AMOUNT
        self._set(base, 0x15C)                               # LASTRX
        self.twim_log.append((TWIM_BASES[base], self._r(base, 0x588), "r", data))
        shorts = self._r(base, 0x200)
        if shorts & (1 << 10):                               # LASTRX_STARTTX
            self._twim_tx(base)
        elif shorts & (1 << 11):                             # LASTRX_SUSPEND
            self._set(base, 0x148)
        elif shorts & (1 << 12):                             # LASTRX_STOP
            dev.stop()
            self._set(base, 0x104)

    # -- PDM -----------------------------------------------------------------------
    def pdm_load(self, path):
        """The microphone's sound: a 16-bit PCM .wav (first channel) or raw int16 little-endian."""
        with open(path, "rb") as f:
            head = f.read(12)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            with wave.open(path, "rb") as w:
                if w.getsampwidth() != 2:
                    raise ValueError("%s: need 16-bit PCM" % path)
                raw = w.readframes(w.getnframes())
                ch = w.getnchannels()
                self.pdm_source_rate = w.getframerate()
            a = array.array("h")
            a.frombytes(raw)
            self.pdm_samples = a[::ch] if ch > 1 else a
        else:
            a = array.array("h")
            a.frombytes(open(path, "rb").read())
            self.pdm_samples = a
            self.pdm_source_rate = None

    PDM_CLK = {0x08000000: 1000000, 0x08400000: 1032000, 0x08800000: 1067000,
               0x09800000: 1231000, 0x0A000000: 1280000, 0x0A800000: 1333000}

    def pdm_rate(self):
        b = PDM_BASE
        clk = self.PDM_CLK.get(self._r(b, 0x504), 1032000)
        return clk / (80 if self._r(b, 0x520) & 1 else 64)

    def pdm_write(self, off, value):
        b = PDM_BASE
        self._set(b, off, value)
        s = self.pdm
        if off == 0x000 and value and self._r(b, 0x500) & 1:     # TASKS_START
            s.update(running=True, ptr=self._r(b, 0x560), cnt=self._r(b, 0x564) & 0x7FFF,
                     t0=time.monotonic(), pos=0)
            self._set(b, 0x100)                                  # EVENTS_STARTED
            self.b._kick()
        elif off == 0x004 and value:                             # TASKS_STOP
            s["running"] = False
            self._set(b, 0x104)                                  # EVENTS_STOPPED
            self.b._kick()
        elif off == 0x500 and not value & 1:
            s["running"] = False

    def _mic_connected(self):
        mic = self.profile["mic"]
        b = PDM_BASE
        if (psel_pin(self._r(b, 0x540)), psel_pin(self._r(b, 0x544))) != (mic["clk"], mic["din"]):
            return False
        return mic["power"] is None or self.b.pin_driven_high(mic["power"])

    def pdm_due(self):
        """Seconds until the current block is full (0: now), or None when idle."""
        s = self.pdm
        if not s["running"] or not s["cnt"]:
            return None
        b = PDM_BASE
        if self._r(b, 0x100) or self._r(b, 0x108):
            return None   # the firmware has not yet taken the last STARTED / END
        stereo = not (self._r(b, 0x508) & 1)
        frames = s["cnt"] // 2 if stereo else s["cnt"]
        t_full = s["t0"] + frames / (self.pdm_rate() * self.pdm_speed)
        return max(0.0, t_full - time.monotonic())

    def pdm_service(self):
        """Completes the current block if its time has come: writes its samples
        by EasyDMA, raises END, latches SAMPLE.PTR/MAXCNT for the next block and
        raises STARTED. Never outruns the firmware (see README)."""
        due = self.pdm_due()
        if due is None or due > 0:
            return False
        s = self.pdm
        b = PDM_BASE
        stereo = not (self._r(b, 0x508) & 1)
        frames = s["cnt"] // 2 if stereo else s["cnt"]
        src = self.pdm_samples
        if self._mic_connected():
            chunk = src[s["pos"]:s["pos"] + frames]
            chunk = list(chunk) + [0] * (frames - len(chunk))
        else:
            chunk = [0] * frames
        gain = self._r(b, 0x518) & 0x7F
        if gain != 0x28:
            k = 10 ** ((gain - 0x28) * 0.5 / 20)
            chunk = [max(-32768, min(32767, int(round(x * k)))) for x in chunk]
        if stereo:
            chunk = [x for x in chunk for _ in (0, 1)]
        self.b.uc.mem_write(s["ptr"], array.array("h", chunk).tobytes())
        s["pos"] += frames
        s["blocks"] += 1
        s["samples"] += frames
        self._set(b, 0x108)                                      # EVENTS_END
        s["ptr"], s["cnt"] = self._r(b, 0x560), self._r(b, 0x564) & 0x7FFF
        s["t0"] += frames / (self.pdm_rate() * self.pdm_speed)
        # Late: do not catch up. A block due at once could complete between
        # the firmware clearing STARTED and writing the next SAMPLE.PTR (a
        # window a real PDM never hits: it gives the handler a whole block).
        if s["t0"] < time.monotonic():
            s["t0"] = time.monotonic()
        self._set(b, 0x100)                                      # EVENTS_STARTED (next block)
        return True
