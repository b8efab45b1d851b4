"""A board model of the nRF52840 for the firmware of ports/nrf52840, on unicorn.

The Cortex-M4F core is unicorn's (QEMU's) CPU model; everything around it is
ours, from the nRF52840 Product Specification's register maps: 1 MB flash
(NVMC erase/write rules), 256 KB RAM, FICR, CLOCK/POWER, UARTE0 (EasyDMA),
RTC0-2, RNG, GPIO P0/P1 (pad levels, LEDs), PWM0-3, TWIM0/1 with the Sense
boards' LSM6DS3TR-C IMU, PDM with a microphone fed from a .wav file
(devices.py), USB power (VBUS events) and the USBD's enable handshake (no
USB bus or host), and the Cortex-M system block (SCB reset request, VTOR,
CPACR, DWT cycle counter, NVIC registers). UARTE0 is bridged to a pseudo-terminal, so
mpremote and pyserial talk to it as to a board's serial port.

See README.md beside this file for what is and is not modelled.
"""
import os
import random
import select
import struct
import sys
import threading
import time
import tty

import devices
from unicorn import Uc, UcError, UC_ARCH_ARM, UC_MODE_THUMB, UC_MODE_MCLASS, UC_HOOK_MEM_WRITE, UC_HOOK_INTR, UC_HOOK_CODE
from unicorn import arm_const as A
from unicorn.arm_const import (UC_CPU_ARM_CORTEX_M4, UC_ARM_REG_SP, UC_ARM_REG_PC, UC_ARM_REG_LR,
                               UC_ARM_REG_PRIMASK, UC_ARM_REG_CONTROL)

# Exception entry/return: the basic frame the core stacks, and the FP
# registers a lazy-stacking core would preserve (kept host-side here).
FRAME_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3, A.UC_ARM_REG_R12,
              A.UC_ARM_REG_LR, A.UC_ARM_REG_PC, A.UC_ARM_REG_XPSR)
FP_REGS = tuple(getattr(A, "UC_ARM_REG_S%d" % i) for i in range(16)) + (A.UC_ARM_REG_FPSCR,)
EXCP_EXCEPTION_EXIT = 8   # QEMU's exception number for a branch to EXC_RETURN
WFI, WFE = 0xBF30, 0xBF20

FLASH_SIZE = 1 << 20
PAGE = 4096
RAM_BASE, RAM_SIZE = 0x20000000, 256 * 1024
FICR_BASE = 0x10000000
PERIPH_BASE, PERIPH_SIZE = 0x40000000, 0x30000
GPIO_BASE = 0x50000000
PPB_BASE, PPB_SIZE = 0xE0000000, 0x100000
GPIOTE_BASE = 0x40006000
POWER_BASE = 0x40000000
USBD_BASE = 0x40027000
ERRATA_BASE = 0x4006E000
USBD_EVENTCAUSE_READY = 1 << 11
CPU_HZ = 64000000
LFCLK_HZ = 32768


def elf_symbols(data):
    """name -> value of the symbols of a 32-bit little-endian ELF file."""
    if data[:4] != b"\x7fELF":
        return {}
    e_shoff, = struct.unpack_from("<I", data, 32)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 46)
    secs = [struct.unpack_from("<10I", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    out = {}
    for s in secs:
        if s[1] != 2:  # SHT_SYMTAB
            continue
        strtab = secs[s[6]]
        for off in range(s[4], s[4] + s[5], 16):
            name_off, value = struct.unpack_from("<II", data, off)
            start = strtab[4] + name_off
            name = data[start:data.index(b"\0", start)].decode()
            if name:
                out[name] = value
    return out


def load_image(path):
    """(list of (address, bytes), symbols) from an ELF, UF2 or raw .bin (at 0x27000) file."""
    data = open(path, "rb").read()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    import uf2
    if data[:4] == b"\x7fELF":
        segs = [(a, b) for a, b in uf2.elf_load_segments(data) if a < FLASH_SIZE]
        return segs, elf_symbols(data)
    if data[:4] == b"UF2\n":
        return [(a, bytes(b)) for a, b in uf2.read_uf2(data)], {}
    return [(0x27000, data)], {}


class Board:
    """One emulated nRF52840 board. start() runs it in a thread; pty is the serial port."""

    def __init__(self, firmware, flash_state=None, romfs=None, log=None, board=None, pdm=None, usb_power=False):
        self.log_file = log
        self.usb_power = bool(usb_power)   # VBUS (a USB cable): see usb_plug()
        self.flash_state = flash_state
        segs, syms = load_image(firmware)
        self.app_start = min(a for a, _ in segs)
        # The board's wiring (LEDs, IMU bus, microphone): from the application's
        # address unless named (0x26000: Feather; else the XIAO).
        if board is None:
            board = "FEATHER_NRF52840_SENSE" if self.app_start == 0x26000 else "XIAO_NRF52840_SENSE"
        self.board_name = board
        self.profile = devices.BOARDS[board]
        self.periph = devices.Peripherals(self, self.profile)
        self.imu = self.periph.imu
        if pdm:
            self.periph.pdm_load(pdm)
        self.romfs_start = syms.get("_romfs_start", 0xA0000)
        self.romfs_end = syms.get("_romfs_end", 0xF4000)
        flash = bytearray(b"\xff" * FLASH_SIZE)
        if flash_state and os.path.exists(flash_state):
            flash[:] = open(flash_state, "rb").read()[:FLASH_SIZE].ljust(FLASH_SIZE, b"\xff")
        if romfs:
            img = open(romfs, "rb").read()
            if len(img) > self.romfs_end - self.romfs_start:
                raise ValueError("ROMFS image larger than the ROMFS region")
            flash[self.romfs_start:self.romfs_end] = img.ljust(self.romfs_end - self.romfs_start, b"\xff")
        for a, b in segs:
            flash[a:a + len(b)] = b
        self.uc = uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
        uc.mem_map(0, FLASH_SIZE)
        uc.mem_write(0, bytes(flash))
        uc.mem_map(RAM_BASE, RAM_SIZE)
        uc.mem_map(FICR_BASE, 0x2000)  # FICR + UICR: constant words
        for off, v in {0x060: 0x5A3C9E11, 0x064: 0xC4F1D2B7,        # DEVICEID
                       0x100: 0x52840, 0x104: 0x41414430,            # INFO.PART, VARIANT "AAD0"
                       0x10C: 256, 0x110: 1024,                      # RAM, FLASH (KB)
                       0x130: 0x8, 0x134: 0x3}.items():               # part family / revision words
            uc.mem_write(FICR_BASE + off, struct.pack("<I", v))
        self._in_cb = 0
        self._stop_lock = threading.Lock()
        self._stop_want = 0.0          # when the ticker asked for a stop (0: not asked)
        self._unmask_hook = None
        cb = self._callback
        uc.mmio_map(PERIPH_BASE, PERIPH_SIZE, cb(self._p_read), None, cb(self._p_write), None)
        uc.mmio_map(GPIO_BASE, 0x1000, cb(self._gpio_read), None, cb(self._gpio_write), None)
        # The page of undocumented registers the USBD errata writes use (0x4006EC00...): plain storage.
        self.errata_regs = {}
        uc.mmio_map(ERRATA_BASE, 0x1000, cb(lambda uc, a, size, d: self.errata_regs.get(a, 0)), None,
                    cb(lambda uc, a, size, v, d: self.errata_regs.__setitem__(a, v & 0xFFFFFFFF)), None)
        uc.mmio_map(PPB_BASE, PPB_SIZE, cb(self._ppb_read), None, cb(self._ppb_write), None)
        uc.hook_add(UC_HOOK_MEM_WRITE, cb(self._flash_store, stop=False), begin=0, end=FLASH_SIZE - 1)
        uc.hook_add(UC_HOOK_INTR, self._intr)

        master, slave = os.openpty()
        tty.setraw(slave)
        self.master, self.slave = master, slave
        self.pty = os.ttyname(slave)
        self.rx = bytearray()
        self.pending = []            # stores into flash, settled at the next NVMC access
        self.boot_seconds = None
        self.resets = 0
        self.faults = []
        self.stats = {"tx": 0, "rx": 0, "erases": 0, "words": 0}
        self._stop = False
        self._attention = False
        self._last_return = time.monotonic()
        self._wfi_watch = set()
        self._reset_req = False
        self._thread = None
        self._out_tail = b""
        self._power_on()

    def _callback(self, fn, stop=True):
        """Wraps a memory callback. Unicorn answers a stop requested while an
        access is under way by executing the whole instruction again when the
        run resumes, so an asynchronous stop from the ticker could repeat a
        peripheral access (a UART transmission sent twice). The ticker only
        asks (_request_stop); the next peripheral access takes the stop itself
        and leaves the device alone, and its instruction runs again, once, on
        resume."""
        def wrapped(*args):
            if stop and self._stop_want:
                with self._stop_lock:
                    if self._stop_want:
                        self._why = "ticker"
                        self.uc.emu_stop()
                        return 0
            with self._stop_lock:
                self._in_cb += 1
            try:
                return fn(*args)
            finally:
                with self._stop_lock:
                    self._in_cb -= 1
        return wrapped

    def _request_stop(self):
        """Ticker thread: a stop at the next peripheral access; or now, when
        none came for 20 ms (a long computation) and none is under way."""
        with self._stop_lock:
            now = time.monotonic()
            if not self._stop_want:
                self._stop_want = now
            elif now - self._stop_want > 0.02 and not self._in_cb:
                self._why = "ticker"
                self.uc.emu_stop()

    # -- logging -----------------------------------------------------------------
    def log(self, msg):
        if self.log_file:
            print("[nrf52840] " + msg, file=self.log_file, flush=True)

    # -- reset -------------------------------------------------------------------
    def _power_on(self, resetreas=0):
        # POWER.GPREGRET/GPREGRET2 are retained across a system reset (the UF2
        # bootloader's "stay in the bootloader" word, 0x57): kept unless power-on.
        kept = {k: v for k, v in getattr(self, "regs", {}).items()
                if resetreas and k in ((POWER_BASE, 0x51C), (POWER_BASE, 0x520))}
        self.regs = {}               # (peripheral base, offset) -> value
        self.regs.update(kept)
        self.regs[(0x40000000, 0x400)] = resetreas
        # POWER.USBREGSTATUS: VBUSDETECT (bit 0) and OUTPUTRDY (bit 1) follow the cable.
        self.regs[(POWER_BASE, 0x438)] = 3 if self.usb_power else 0
        self.rtc = {}                # base -> dict(running, t0, offset, wraps)
        self.gpio = {0: {}, 1: {}}
        self.pin_ext = {}            # pin -> level driven from outside (tests), None = floating
        self.gpio_log = []           # (host time, pin, level) of every change of a driven output
        self._levels = [0] * 48
        self._gpiote_last = {}       # GPIOTE channel -> last pad level seen
        if hasattr(self, "periph"):
            self.periph.reset()
        self.ppb = {}
        self.uart_rx_armed = False
        self.nvic_enabled = 0         # ISER bits, IRQ 0..47
        self.nvic_pending = 0         # ISPR bits (software-pended)
        self.active = None            # exception number being handled (no nesting)
        self.fp_saved = []
        self.idle_polls = 0
        self.idle_t = time.monotonic()
        self.t_reset = time.monotonic()
        self.cyc_t0 = time.monotonic()
        vt = bytes(self.uc.mem_read(self.app_start, 8))
        sp, pc = struct.unpack("<II", vt)
        self.uc.reg_write(UC_ARM_REG_SP, sp)
        self.uc.reg_write(UC_ARM_REG_PRIMASK, 0)
        self.uc.reg_write(UC_ARM_REG_CONTROL, 0)
        self.pc = pc | 1

    # -- peripherals (0x40000000..) -----------------------------------------------
    def _reg(self, base, off, default=0):
        return self.regs.get((base, off), default)

    def _p_read(self, uc, addr, size, data):
        self._settle_flash()
        base, off = PERIPH_BASE + (addr & ~0xFFF), addr & 0xFFF
        if base == 0x40002000:
            return self._uart_read(off)
        if base in (0x4000B000, 0x40011000, 0x40024000):
            return self._rtc_read(base, off)
        if base == 0x4000D000:         # RNG: a value is always ready
            if off == 0x100:
                return 1
            if off == 0x508:
                return random.getrandbits(8)
        if base == 0x4001E000 and off in (0x400, 0x408):   # NVMC READY, READYNEXT
            return 1
        if off in (0x304, 0x308):                          # INTENSET/INTENCLR read INTEN
            return self._reg(base, 0x300)
        return self._reg(base, off)

    def _p_write(self, uc, addr, size, value, data):
        self._settle_flash()
        base, off = PERIPH_BASE + (addr & ~0xFFF), addr & 0xFFF
        value &= 0xFFFFFFFF
        if off in (0x304, 0x308):                          # INTENSET / INTENCLR
            inten = self._reg(base, 0x300)
            self.regs[(base, 0x300)] = (inten | value) if off == 0x304 else (inten & ~value)
            self._kick()
            return
        if base == 0x40000000:
            self._clock_write(off, value)
        elif base == 0x40002000:
            self._uart_write(off, value)
        elif base in (0x4000B000, 0x40011000, 0x40024000):
            self._rtc_write(base, off, value)
        elif base == 0x4001E000:
            self._nvmc_write(off, value)
        elif base in devices.PWM_BASES:
            self.periph.pwm_write(base, off, value)
        elif base in devices.TWIM_BASES:
            self.periph.twim_write(base, off, value)
        elif base == devices.PDM_BASE:
            self.periph.pdm_write(off, value)
        elif base == GPIOTE_BASE:
            self.regs[(base, off)] = value
            if 0x510 <= off < 0x530:
                self._gpiote_check()
        elif base == USBD_BASE:
            self._usbd_write(off, value)
        else:
            self.regs[(base, off)] = value

    def _clock_write(self, off, value):
        b = 0x40000000
        if off == 0x400:               # POWER.RESETREAS: write 1 to clear
            self.regs[(b, off)] = self._reg(b, off) & ~value
            return
        self.regs[(b, off)] = value
        if off == 0x000 and value:     # TASKS_HFCLKSTART -> EVENTS_HFCLKSTARTED, HFCLKSTAT (HFXO, running)
            self.regs[(b, 0x100)] = 1
            self.regs[(b, 0x40C)] = (1 << 16) | 1
        elif off == 0x008 and value:   # TASKS_LFCLKSTART -> EVENTS_LFCLKSTARTED, LFCLKSTAT
            self.regs[(b, 0x104)] = 1
            self.regs[(b, 0x418)] = (1 << 16) | (self._reg(b, 0x518) & 3)

    # UARTE0
    # -- USB: VBUS detection (POWER) and the USBD's enable handshake only ---------
    def _usbd_write(self, off, value):
        b = USBD_BASE
        if off == 0x400:               # EVENTCAUSE: write 1 to clear
            self.regs[(b, off)] = self._reg(b, off) & ~value
            return
        self.regs[(b, off)] = value
        if off == 0x500:               # ENABLE: the peripheral becomes ready (EVENTCAUSE.READY)
            if value & 1:
                self.regs[(b, 0x400)] = self._reg(b, 0x400) | USBD_EVENTCAUSE_READY
            else:
                self.regs[(b, 0x504)] = 0

    def usb_plug(self, present):
        """Connects (True) or removes (False) USB power: POWER.USBREGSTATUS and
        the USBDETECTED + USBPWRRDY, or USBREMOVED, events (and their interrupt)."""
        self.usb_power = bool(present)
        self.regs[(POWER_BASE, 0x438)] = 3 if present else 0
        if present:
            self.regs[(POWER_BASE, 0x11C)] = 1     # EVENTS_USBDETECTED
            self.regs[(POWER_BASE, 0x124)] = 1     # EVENTS_USBPWRRDY
        else:
            self.regs[(POWER_BASE, 0x120)] = 1     # EVENTS_USBREMOVED
        self._kick()

    def usb_state(self):
        """What the firmware did with the USB: USBD enabled, D+ pull-up on (a
        host would now see the device), the USBD and POWER USB interrupts."""
        return {
            "vbus": self.usb_power,
            "enabled": bool(self._reg(USBD_BASE, 0x500) & 1),
            "pullup": bool(self._reg(USBD_BASE, 0x504) & 1),
            "usbd_irq": bool(self.nvic_enabled >> 39 & 1),
            "power_events": self._reg(POWER_BASE, 0x300) >> 7 & 7,   # INTEN USBDETECTED/REMOVED/PWRRDY
            "power_irq": bool(self.nvic_enabled & 1),
        }

    def _uart_read(self, off):
        b = 0x40002000
        if off == 0x110 and self.uart_rx_armed and not self._reg(b, 0x110):
            self._uart_deliver()
        return self._reg(b, off)

    def _uart_deliver(self):
        b = 0x40002000
        if not self.rx:
            self._pull_input(self._idle_wait())
        if not self.rx:
            return
        self.idle_polls = 0
        n = min(max(self._reg(b, 0x538), 0), len(self.rx))
        if n == 0:
            return
        self.uc.mem_write(self._reg(b, 0x534), bytes(self.rx[:n]))
        del self.rx[:n]
        self.stats["rx"] += n
        self.regs[(b, 0x53C)] = n                 # RXD.AMOUNT
        self.regs[(b, 0x108)] = 1                 # EVENTS_RXDRDY
        self.regs[(b, 0x110)] = 1                 # EVENTS_ENDRX
        self.uart_rx_armed = False

    def _idle_wait(self):
        """Seconds to block for input: 0 while the guest is busy, a few ms once
        it spins on the receiver (the REPL waiting for a key)."""
        self.idle_polls += 1
        now = time.monotonic()
        if now - self.idle_t > 0.01:
            busy_wait = self.idle_polls > 2000
            self.idle_polls = 0
            self.idle_t = now
            self._idle = busy_wait
        return 0.005 if getattr(self, "_idle", False) else 0

    def _pull_input(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if r:
            try:
                self.rx += os.read(self.master, 4096)
            except OSError:
                pass

    def _uart_write(self, off, value):
        b = 0x40002000
        self.regs[(b, off)] = value
        enabled = self._reg(b, 0x500) == 8
        if off == 0x000 and value and enabled:     # TASKS_STARTRX
            self.uart_rx_armed = True
            self.regs[(b, 0x14C)] = 1              # EVENTS_RXSTARTED
        elif off == 0x004 and value:               # TASKS_STOPRX -> RXTO
            self.uart_rx_armed = False
            self.regs[(b, 0x144)] = 1
        elif off == 0x008 and value and enabled:   # TASKS_STARTTX: EasyDMA from RAM
            n = self._reg(b, 0x548)
            data = bytes(self.uc.mem_read(self._reg(b, 0x544), n)) if n else b""
            self._tx(data)
            self.regs[(b, 0x54C)] = n
            for ev in (0x150, 0x11C, 0x120):       # TXSTARTED, TXDRDY, ENDTX
                self.regs[(b, ev)] = 1

    def _tx(self, data):
        self.stats["tx"] += len(data)
        if self.boot_seconds is None:
            self._out_tail = (self._out_tail + data)[-8:]
            if self._out_tail.endswith(b">>> "):
                self.boot_seconds = time.monotonic() - self.t_start
                self.log("REPL prompt after %.3f s" % self.boot_seconds)
        view = memoryview(data)
        while view:
            _, w, _ = select.select([], [self.master], [], 2.0)
            if not w:
                self.log("serial output dropped (nobody reading)")
                return
            n = os.write(self.master, view)
            view = view[n:]

    # RTC0..2: COUNTER at 32768 Hz / (PRESCALER + 1), from the host clock
    def _rtc_state(self, base):
        return self.rtc.setdefault(base, {"running": False, "t0": 0.0, "offset": 0, "wraps": 0})

    def _rtc_ticks(self, base):
        s = self._rtc_state(base)
        t = s["offset"]
        if s["running"]:
            t += int((time.monotonic() - s["t0"]) * LFCLK_HZ / (self._reg(base, 0x508) + 1))
        if (t >> 24) > s["wraps"]:
            s["wraps"] = t >> 24
            self.regs[(base, 0x104)] = 1          # EVENTS_OVRFLW
        return t

    def _rtc_read(self, base, off):
        if off == 0x504:
            return self._rtc_ticks(base) & 0xFFFFFF
        if off == 0x104:
            self._rtc_ticks(base)
        return self._reg(base, off)

    def _rtc_write(self, base, off, value):
        s = self._rtc_state(base)
        if off == 0x000 and value and not s["running"]:     # START
            s["running"], s["t0"] = True, time.monotonic()
        elif off == 0x004 and value and s["running"]:       # STOP
            s["offset"] = self._rtc_ticks(base)
            s["running"] = False
        elif off == 0x008 and value:                        # CLEAR
            s["offset"], s["wraps"], s["t0"] = 0, 0, time.monotonic()
        else:
            self.regs[(base, off)] = value

    # NVMC: CONFIG.WEN 1 = write, 2 = erase; stores to flash only clear bits
    def _nvmc_write(self, off, value):
        b = 0x4001E000
        self.regs[(b, off)] = value
        wen = self._reg(b, 0x504) & 3
        if off in (0x508, 0x50C) and wen != 2:
            self.log("NVMC erase without CONFIG.WEN=Een ignored")
            return
        if off == 0x508:                                    # ERASEPAGE
            page = value & ~(PAGE - 1)
            if page < FLASH_SIZE:
                self.uc.mem_write(page, b"\xff" * PAGE)
                self.stats["erases"] += 1
        elif off == 0x50C and value:                        # ERASEALL
            self.uc.mem_write(0, b"\xff" * FLASH_SIZE)

    def _flash_store(self, uc, access, addr, size, value, data):
        old = int.from_bytes(bytes(uc.mem_read(addr, size)), "little")
        wen = self._reg(0x4001E000, 0x504) & 3
        if wen == 1:
            new = old & (value & ((1 << (8 * size)) - 1))
            self.stats["words"] += 1
        else:
            new = old
            self.log("store to flash 0x%08x without CONFIG.WEN=Wen ignored" % addr)
        self.pending.append((addr, size, new))

    def _settle_flash(self):
        while self.pending:
            addr, size, new = self.pending.pop(0)
            self.uc.mem_write(addr, new.to_bytes(size, "little"))

    # -- GPIO P0 (0x50000000), P1 (0x50000300) --------------------------------------
    # Per port: OUT 0x504, IN 0x510, DIR 0x514, PIN_CNF[n] 0x700 + 4n (DIR is
    # PIN_CNF bit 0). A pad's level: what it drives when it drives (push-pull,
    # or the low/high side of an open-drain/open-source output), else what the
    # outside drives (Board.drive), else its pull (a floating pad reads 0).
    def _cnf(self, pin):
        return self.gpio[pin >> 5].get(0x700 + 4 * (pin & 31), 0)

    def _pin_drives(self, pin):
        """The level a pin drives, or None when it does not drive its pad."""
        g = self.gpio[pin >> 5]
        bit = pin & 31
        if not (g.get(0x514, 0) >> bit) & 1:
            return None
        out = (g.get(0x504, 0) >> bit) & 1
        drive = (self._cnf(pin) >> 8) & 7
        if out and drive in (6, 7):          # S0D1 / H0D1: high side disconnected
            return None
        if not out and drive in (4, 5):      # D0S1 / D0H1: low side disconnected
            return None
        return out

    def pin_level(self, pin):
        """The pad's level (0/1) as the chip would read it."""
        d = self._pin_drives(pin)
        if d is not None:
            return d
        ext = self.pin_ext.get(pin)
        if ext is not None:
            return ext
        pull = (self._cnf(pin) >> 2) & 3
        return 1 if pull == 3 else 0

    def pin_driven_high(self, pin):
        """The chip drives the pin high (a supply pin switched on)."""
        return self._pin_drives(pin) == 1

    def drive(self, pin, level):
        """Drives an input from outside the chip (a button, a sensor): 0, 1, or None (released)."""
        self.pin_ext[pin] = level
        self._gpiote_check()

    def _gpiote_check(self):
        """GPIOTE channels in event mode (CONFIG.MODE = 1): an edge of the
        selected pad matching POLARITY (1 rising, 2 falling, 3 both) sets EVENTS_IN[n]."""
        for ch in range(8):
            cfg = self.regs.get((GPIOTE_BASE, 0x510 + 4 * ch), 0)
            if cfg & 3 != 1:
                self._gpiote_last.pop(ch, None)
                continue
            pin = ((cfg >> 8) & 0x1F) | (((cfg >> 13) & 1) << 5)
            lv = self.pin_level(pin)
            last = self._gpiote_last.get(ch)
            self._gpiote_last[ch] = lv
            if last is None or last == lv:
                continue
            pol = (cfg >> 16) & 3
            if pol == 3 or (pol == 1 and lv) or (pol == 2 and not lv):
                self.regs[(GPIOTE_BASE, 0x100 + 4 * ch)] = 1
                self._kick()

    def leds(self):
        """The board's LEDs: name -> brightness 0.0 (off) .. 1.0 (on), PWM duty included."""
        pwm = {o["pin"]: o["high"] for o in self.periph.pwm_outputs()}
        low = self.profile["led_active_low"]
        out = {}
        for name, pin in self.profile["leds"].items():
            if pin in pwm:
                high = pwm[pin]
            else:
                d = self._pin_drives(pin)
                if d is None:                       # not driven: dark
                    out[name] = 0.0
                    continue
                high = float(d)
            out[name] = 1.0 - high if low else high
        return out

    def pwm_outputs(self):
        """Every running PWM channel: pwm, channel, pin, freq (Hz), high (fraction), duty_u16."""
        return self.periph.pwm_outputs()

    def pdm_load(self, path):
        """The sound at the microphone from now on: a 16-bit PCM .wav or raw int16 LE file."""
        self.periph.pdm_load(path)

    def _gpio_note(self):
        now = time.monotonic()
        for pin in range(48):
            lv = self._pin_drives(pin)
            if lv is not None and lv != self._levels[pin]:
                self.gpio_log.append((now, pin, lv))
                if len(self.gpio_log) > 100000:
                    del self.gpio_log[:50000]
            self._levels[pin] = lv if lv is not None else self._levels[pin]

    def _gpio_read(self, uc, addr, size, data):
        port = 1 if (addr & 0xFFF) >= 0x800 else 0      # P0 at 0x500-0x77F, P1 at 0x800-0xA7F
        off = (addr & 0xFFF) - (0x300 if port else 0)
        g = self.gpio[port]
        if off == 0x510:                                    # IN: the pads' levels (input buffer connected)
            v = 0
            for bit in range(32):
                pin = 32 * port + bit
                if pin < 48 and not (self._cnf(pin) >> 1) & 1:
                    v |= self.pin_level(pin) << bit
            return v
        if off in (0x508, 0x50C):
            return g.get(0x504, 0)
        if off in (0x518, 0x51C):
            return g.get(0x514, 0)
        return g.get(off, 0)

    def _gpio_write(self, uc, addr, size, value, data):
        port = 1 if (addr & 0xFFF) >= 0x800 else 0      # P0 at 0x500-0x77F, P1 at 0x800-0xA7F
        off = (addr & 0xFFF) - (0x300 if port else 0)
        g = self.gpio[port]
        if off == 0x508:
            g[0x504] = g.get(0x504, 0) | value
        elif off == 0x50C:
            g[0x504] = g.get(0x504, 0) & ~value
        elif off in (0x514, 0x518, 0x51C):                  # DIR / DIRSET / DIRCLR mirror into PIN_CNF.DIR
            d = g.get(0x514, 0)
            d = value if off == 0x514 else (d | value) if off == 0x518 else (d & ~value)
            g[0x514] = d & 0xFFFFFFFF
            for bit in range(32):
                k = 0x700 + 4 * bit
                g[k] = (g.get(k, 0) & ~1) | ((d >> bit) & 1)
        elif 0x700 <= off < 0x780:                          # PIN_CNF[n].DIR mirrors into DIR
            g[off] = value
            bit = 1 << ((off - 0x700) // 4)
            g[0x514] = (g.get(0x514, 0) | bit) if value & 1 else (g.get(0x514, 0) & ~bit)
        else:
            g[off] = value
        self._gpio_note()
        self._gpiote_check()

    # -- Cortex-M system space ------------------------------------------------------
    def _ppb_read(self, uc, addr, size, data):
        a = PPB_BASE + addr
        if a == 0xE000ED00:
            return 0x410FC241                               # CPUID: Cortex-M4 r0p1
        if 0xE000E100 <= a < 0xE000E108 or 0xE000E180 <= a < 0xE000E188:     # ISER / ICER
            return (self.nvic_enabled >> (32 * ((a >> 2) & 1))) & 0xFFFFFFFF
        if 0xE000E200 <= a < 0xE000E208 or 0xE000E280 <= a < 0xE000E288:     # ISPR / ICPR
            return (self._pending_lines() >> (32 * ((a >> 2) & 1))) & 0xFFFFFFFF
        if a == 0xE000ED04:                                 # ICSR.VECTACTIVE
            return self.active or 0
        if a == 0xE0001004:                                 # DWT.CYCCNT (host time x 64 MHz)
            if self.ppb.get(0xE0001000, 0) & 1:
                return int((time.monotonic() - self.cyc_t0) * CPU_HZ) & 0xFFFFFFFF
            return 0
        return self.ppb.get(a, 0)

    def _ppb_write(self, uc, addr, size, value, data):
        a = PPB_BASE + addr
        if a == 0xE000ED0C and (value >> 16) == 0x05FA and value & 4:   # AIRCR.SYSRESETREQ
            self._reset_req = True
            uc.emu_stop()
            return
        if a == 0xE0001004:
            self.cyc_t0 = time.monotonic() - value / CPU_HZ
        shift = 32 * ((a >> 2) & 1)
        if 0xE000E100 <= a < 0xE000E108:
            self.nvic_enabled |= value << shift
            self._kick()
        elif 0xE000E180 <= a < 0xE000E188:
            self.nvic_enabled &= ~(value << shift)
        elif 0xE000E200 <= a < 0xE000E208:
            self.nvic_pending |= value << shift
            self._kick()
        elif 0xE000E280 <= a < 0xE000E288:
            self.nvic_pending &= ~(value << shift)
        self.ppb[a] = value

    # -- interrupts ------------------------------------------------------------------
    # A peripheral's line (IRQ number = address bits 17:12) is high while one of
    # its events (0x100 + 4k) is set with INTEN bit k set. The NVIC takes the
    # lowest-numbered enabled, pending line when PRIMASK is clear and no other
    # exception is active (no priorities, no nesting).
    def _line(self, n):
        base = PERIPH_BASE + (n << 12)
        inten = self._reg(base, 0x300)
        k = 0
        while inten:
            if inten & 1 and self._reg(base, 0x100 + 4 * k):
                return True
            inten >>= 1
            k += 1
        return False

    def _pending_lines(self):
        lines = self.nvic_pending
        for base, off in list(self.regs):
            if off == 0x300 and self.regs[(base, off)]:
                n = (base - PERIPH_BASE) >> 12
                if self._line(n):
                    lines |= 1 << n
        return lines

    def _deliverable(self):
        ready = self._pending_lines() & self.nvic_enabled
        if not ready:
            return None
        return (ready & -ready).bit_length() - 1

    def _kick(self):
        """Something may have made an interrupt deliverable: the ticker returns
        to the run loop (a stop requested inside a memory callback would
        re-execute the access)."""
        self._attention = True

    def _enter(self, n):
        uc = self.uc
        xpsr = uc.reg_read(A.UC_ARM_REG_XPSR)
        if (xpsr >> 25) & 3 or (xpsr >> 10) & 0x3F:      # inside an IT block: take it later
            return False
        sp = uc.reg_read(UC_ARM_REG_SP)
        frame = (sp - 32) & ~7
        vals = [uc.reg_read(r) for r in FRAME_REGS]
        vals[6] = self.pc & ~1
        vals[7] = (xpsr & 0xFFFFFE00 & ~0xFF) | (1 << 24) | ((1 << 9) if (sp - 32) & 4 else 0)
        uc.mem_write(frame, struct.pack("<8I", *vals))
        self.fp_saved.append([uc.reg_read(r) for r in FP_REGS])
        uc.reg_write(UC_ARM_REG_SP, frame)
        uc.reg_write(UC_ARM_REG_LR, 0xFFFFFFF9)
        uc.reg_write(A.UC_ARM_REG_IPSR, 16 + n)
        self.nvic_pending &= ~(1 << n)
        self.active = 16 + n
        vtor = self.ppb.get(0xE000ED08, self.app_start)
        self.pc, = struct.unpack("<I", bytes(uc.mem_read(vtor + 4 * (16 + n), 4)))
        self.pc |= 1
        self.stats["irqs"] = self.stats.get("irqs", 0) + 1
        return True

    def _intr(self, uc, intno, data):
        if intno != EXCP_EXCEPTION_EXIT or self.active is None:
            self.faults.append(("exception %d" % intno, uc.reg_read(UC_ARM_REG_PC)))
            self._reset_req = True
            uc.emu_stop()
            return
        sp = uc.reg_read(UC_ARM_REG_SP)
        vals = struct.unpack("<8I", bytes(uc.mem_read(sp, 32)))
        for r, v in zip(FRAME_REGS[:6], vals[:6]):
            uc.reg_write(r, v)
        for r, v in zip(FP_REGS, self.fp_saved.pop()):
            uc.reg_write(r, v)
        xpsr = vals[7]
        uc.reg_write(UC_ARM_REG_SP, sp + 32 + (4 if xpsr & (1 << 9) else 0))
        uc.reg_write(A.UC_ARM_REG_XPSR, xpsr & 0xF80F0000)
        uc.reg_write(A.UC_ARM_REG_IPSR, 0)
        self.active = None
        uc.reg_write(UC_ARM_REG_PC, vals[6] | 1)
        self._why = "exception return"
        uc.emu_stop()   # back to the run loop: more input, another interrupt

    def _service(self):
        """Between runs: move received bytes into UARTE0's DMA buffer, fill a
        PDM block when due, take an interrupt."""
        self.periph.pdm_service()
        if self.uart_rx_armed and not self._reg(0x40002000, 0x110):
            if not self.rx:
                self._pull_input(0)
            if self.rx:
                self._uart_deliver()
        if self.active is None and not self.uc.reg_read(UC_ARM_REG_PRIMASK) & 1:
            n = self._deliverable()
            if n is not None:
                self._enter(n)

    def _watch_unmask(self, addr):
        """The usual idle loop masks interrupts, checks for work, sleeps (WFI),
        then unmasks: watch the few instructions after a WFI, so that an
        interrupt that woke it is taken as soon as PRIMASK clears."""
        if addr in self._wfi_watch:
            return
        self._wfi_watch.add(addr)
        self.uc.hook_add(UC_HOOK_CODE, self._after_wfi, begin=addr, end=addr + 24)
        self.uc.ctl_remove_cache(addr, addr + 24)

    def _arm_unmask(self):
        """A deliverable interrupt is masked (a stop landed inside a masked
        section, e.g. the time base's read): watch every instruction until
        PRIMASK clears, then stop there so the interrupt is taken."""
        if self._unmask_hook is None:
            self._unmask_hook = self.uc.hook_add(UC_HOOK_CODE, self._on_unmask_step,
                                                 begin=self.app_start, end=FLASH_SIZE - 1)
            self.uc.ctl_remove_cache(self.app_start, FLASH_SIZE)

    def _disarm_unmask(self):
        if self._unmask_hook is not None:
            self.uc.hook_del(self._unmask_hook)
            self._unmask_hook = None
            self.uc.ctl_remove_cache(self.app_start, FLASH_SIZE)

    def _on_unmask_step(self, uc, addr, size, data):
        if not uc.reg_read(UC_ARM_REG_PRIMASK) & 1:
            self._why = "unmasked"
            uc.emu_stop()

    def _after_wfi(self, uc, addr, size, data):
        if self.active is None and not uc.reg_read(UC_ARM_REG_PRIMASK) & 1 and self._deliverable() is not None:
            self._why = "unmasked"
            uc.emu_stop()

    def _ticker(self):
        """Wakes the run loop for input or a masked interrupt, at most every millisecond."""
        while not self._stop:
            time.sleep(0.005)
            try:
                self._tick()
            except RuntimeError:   # the run loop changed the registers meanwhile
                pass

    def _tick(self):
        # The run loop gets control at every WFI and exception return, where
        # input and interrupts are handled. Only code that runs long without
        # either (a long computation: Ctrl-C; a busy wait) needs a stop from here.
        # A peripheral event that made an interrupt deliverable (_kick) is
        # taken at the next tick (~5 ms); other work waits 50 ms after a stop.
        if self._stop_want:
            self._request_stop()      # still waiting for an access: maybe stop now
            return
        if time.monotonic() - self._last_return < 0.05:
            if not (self._attention and self.nvic_enabled and self.active is None
                    and self._deliverable() is not None):
                return
        work = self._attention
        if not work and self.uart_rx_armed and not self._reg(0x40002000, 0x110):
            work = bool(self.rx) or bool(select.select([self.master], [], [], 0)[0])
        if not work and self.nvic_enabled and self.active is None:
            work = self._deliverable() is not None
        if not work:
            work = self.periph.pdm_due() == 0
        if work:
            self._attention = False
            self._request_stop()

    # -- running ------------------------------------------------------------------
    def _run(self):
        uc = self.uc
        while not self._stop:
            self._settle_flash()
            self._service()
            # An interrupt waiting for PRIMASK to clear: step until it does.
            if self.active is None and uc.reg_read(UC_ARM_REG_PRIMASK) & 1 and self._deliverable() is not None:
                self._arm_unmask()
            else:
                self._disarm_unmask()
            self._why = None
            try:
                uc.emu_start(self.pc, 0xFFFFFFFF)
            except UcError as e:
                pc = uc.reg_read(UC_ARM_REG_PC)
                self.faults.append((str(e), pc))
                self.log("fault %s at pc=0x%08x lr=0x%08x: reset" % (e, pc, uc.reg_read(UC_ARM_REG_LR)))
                self._reset_req = True
            self._last_return = time.monotonic()
            with self._stop_lock:
                self._stop_want = 0.0
            self._settle_flash()
            if self._reset_req and not self._stop:
                self._reset_req = False
                self.resets += 1
                self.log("system reset")
                self._power_on(resetreas=1 << 2)   # SREQ
                continue
            if self._stop:
                break
            self.pc = uc.reg_read(UC_ARM_REG_PC) | 1
            # WFI/WFE end a run: sleep until input arrives (or 10 ms: WFI is a hint).
            if self._why is not None:
                continue
            prev, = struct.unpack("<H", bytes(uc.mem_read((self.pc & ~1) - 2, 2)))
            if prev in (WFI, WFE):
                self._watch_unmask(self.pc & ~1)
                if not self.rx and self._deliverable() is None:
                    due = self.periph.pdm_due()
                    self._pull_input(0.01 if due is None else min(0.01, due))

    def start(self, timeout=30.0):
        """Boots the board in a thread; returns once the REPL prompt is out."""
        self.t_start = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        threading.Thread(target=self._ticker, daemon=True).start()
        while self.boot_seconds is None:
            if time.monotonic() - self.t_start > timeout or not self._thread.is_alive():
                raise RuntimeError("nRF52840 model: no REPL prompt after %.0f s (faults: %s)"
                                   % (timeout, self.faults))
            time.sleep(0.01)
        return self

    def flash_bytes(self):
        self._settle_flash()
        return bytes(self.uc.mem_read(0, FLASH_SIZE))

    def stop(self):
        self._stop = True
        self.uc.emu_stop()
        if self._thread:
            self._thread.join(5)
        if self.flash_state:
            with open(self.flash_state, "wb") as f:
                f.write(self.flash_bytes())
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
