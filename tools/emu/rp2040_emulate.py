#!/usr/bin/env python3
"""Boot Raspberry Pi Pico firmware in the rp2040js emulator, REPL on a pseudo-terminal.

    tflm emulate rp2040 [--firmware build/rp2/firmware.uf2]
    python3 tools/emu/rp2040_emulate.py [--firmware PATH] [--flash-state FILE]
                                        [--control-socket PATH] [--exec 'CMD {pty}']

Prints the pseudo-terminal's path; unmodified tools then talk to the emulated
board as to a real one, e.g. `mpremote connect /dev/pts/N fs cp model.tflite :`.
The serial port is the board's USB CDC interface (the emulator plays the USB
host); the emulator runs in Node.js (tools/emu/rp2040/run.mjs, npm rp2040js)
with our stand-in boot ROM (tools/emu/rp2040/rom/).

Cycle counter, from the host side: Rp2040Emulator.cycles() in Python, or
--control-socket PATH (JSON lines, see run.mjs) for other processes. The
firmware brackets code with stores to the emulator's probe register
(machine.mem32[0x40070008] = n, exact) or by printing MARK (USB-packet
precision); marks() returns the cycle counter at each. The board's USB drive
is reachable as a PC sees it: msc_read() / msc_write() (SCSI over USB).

--flash-state FILE keeps the flash (filesystem, ROMFS) across runs, as a board
keeps it: the firmware is written over it at start, the rest is preserved.

Both cores run (core 1: tools/emu/rp2040/dualcore.mjs): cycles() also gives
core 1's counter ("cycles1"), the chip time in cycles ("time") and core 1's
state ("core1": reset/rom/running/sleeping); each mark says which core made
it ("core") and the chip time ("time"). See tools/emu/rp2040/README.md.
"""

import argparse
import base64
import json
import os
import queue
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tools"))
import uf2  # noqa: E402

RUN_MJS = os.path.join(HERE, "rp2040", "run.mjs")
EMU_BUILD = os.path.join(TOP, "build", "rp2-emu")
DEFAULT_ROM = os.path.join(EMU_BUILD, "bootrom.bin")
DEFAULT_MODULES = os.path.join(EMU_BUILD, "node_modules")
DEFAULT_FIRMWARE = os.path.join(TOP, "build", "rp2", "firmware.uf2")
FLASH_BASE = 0x10000000
FLASH_SIZE = 2 * 1024 * 1024  # the Pico's W25Q16
# ROMFS partition of boards/RPI_PICO_TFLM (see its mpconfigboard.h).
ROMFS_OFFSET = 0x90000
ROMFS_SIZE = 512 * 1024
MARK = "\x1b_cyc\x1b\\"


class EmulatorError(RuntimeError):
    pass


def firmware_pages(path):
    """(flash offset, bytes) pieces of a .uf2, .elf or .bin (at the start of flash)."""
    data = open(path, "rb").read()
    if data[:4] == b"\x7fELF":
        pages = uf2.pages_from_segments(uf2.elf_load_segments(data))
        return [(a - FLASH_BASE, bytes(p)) for a, p in sorted(pages.items())]
    if len(data) >= 512 and data[:4] == b"UF2\n":
        return [(a - FLASH_BASE, bytes(p)) for a, p in uf2.read_uf2(data)]
    return [(0, data)]


def build_flash_image(firmware, base=None, romfs=None, romfs_offset=ROMFS_OFFSET, romfs_size=ROMFS_SIZE):
    """2 MB flash contents: `base` (a saved flash image) if given, the firmware
    written over it, and optionally a ROMFS image in the ROMFS partition (what
    `mpremote romfs deploy` would leave there)."""
    img = bytearray(b"\xff" * FLASH_SIZE)
    if base is not None and os.path.exists(base):
        old = open(base, "rb").read()[:FLASH_SIZE]
        img[:len(old)] = old
    for off, blob in firmware_pages(firmware):
        if off < 0 or off + len(blob) > FLASH_SIZE:
            raise EmulatorError("%s: data at flash offset 0x%x is outside the 2 MB flash" % (firmware, off))
        img[off:off + len(blob)] = blob
    if romfs is not None:
        data = open(romfs, "rb").read()
        if len(data) > romfs_size:
            raise EmulatorError("ROMFS image %s is %d bytes, the partition holds %d" % (romfs, len(data), romfs_size))
        img[romfs_offset:romfs_offset + romfs_size] = data + b"\xff" * (romfs_size - len(data))
    return img


class Rp2040Emulator:
    """One emulated Pico: Node.js child process, PTY bridge and control channel."""

    def __init__(self, firmware=DEFAULT_FIRMWARE, flash_state=None, romfs=None, rom=DEFAULT_ROM,
                 node_modules=DEFAULT_MODULES, time_scale=1.0, verbose=False, log_file=None,
                 node="node"):
        self.firmware = firmware
        self.flash_state = flash_state
        self.romfs = romfs
        self.rom = rom
        self.node_modules = node_modules
        self.time_scale = time_scale
        self.verbose = verbose
        self.log_file = log_file
        self.node = node
        self.proc = None
        self.pty = None
        self._master = self._slave = None
        self._ctl = None
        self._tmp = None
        self._events = queue.Queue()
        self._replies = {}
        self._reply_cv = threading.Condition()
        self._next_id = 1
        self._threads = []
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.connect_info = None
        self.faults = []
        self.log_lines = []

    # -- lifecycle ---------------------------------------------------------------

    def start(self, timeout=30.0):
        for path, what in ((self.rom, "stand-in ROM (make rp2-emu)"),
                           (os.path.join(self.node_modules, "rp2040js"), "npm rp2040js (make rp2-emu)"),
                           (self.firmware, "firmware (make rp2)")):
            if not os.path.exists(path):
                raise EmulatorError("missing %s: %s" % (what, path))
        if shutil.which(self.node) is None:
            raise EmulatorError("node (Node.js) not found on PATH")
        self._tmp = tempfile.mkdtemp(prefix="rp2emu-")
        image = os.path.join(self._tmp, "flash.bin")
        with open(image, "wb") as f:
            f.write(build_flash_image(self.firmware, self.flash_state, self.romfs))

        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo or line editing before a client configures the port
        self.pty = os.ttyname(self._slave)
        os.set_blocking(self._master, False)

        parent_sock, child_sock = socket.socketpair()
        cmd = [self.node, RUN_MJS, "--rom", self.rom, "--flash", image,
               "--node-modules", self.node_modules, "--control-fd", str(child_sock.fileno()),
               "--time-scale", str(self.time_scale)]
        if self.flash_state:
            cmd += ["--flash-save", self.flash_state]
        if self.verbose:
            cmd.append("--verbose")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, pass_fds=(child_sock.fileno(),),
                                     start_new_session=True)
        child_sock.close()
        self._ctl = parent_sock
        for fn in (self._relay, self._control_reader, self._stderr_reader):
            t = threading.Thread(target=fn, daemon=True)
            t.start()
            self._threads.append(t)
        if not self.connected.wait(timeout):
            self.stop()
            raise EmulatorError("the emulated Pico did not enumerate its USB serial port in %.0f s; log:\n%s"
                                % (timeout, "\n".join(self.log_lines[-20:])))
        return self

    def stop(self):
        if self.proc is None:
            return
        self._stop.set()
        if self.proc.poll() is None:
            try:
                self._request({"op": "quit"}, timeout=5)
            except EmulatorError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for fd in (self._master, self._slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = None
        if self._ctl:
            self._ctl.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- control channel -----------------------------------------------------------

    def _request(self, req, timeout=10.0):
        if not self.alive:
            raise EmulatorError("emulator is not running")
        with self._reply_cv:
            rid = self._next_id
            self._next_id += 1
        req = dict(req, id=rid)
        self._ctl.sendall((json.dumps(req) + "\n").encode())
        deadline = time.monotonic() + timeout
        with self._reply_cv:
            while rid not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive:
                    raise EmulatorError("no reply from the emulator to %r" % (req,))
                self._reply_cv.wait(min(left, 0.5))
            reply = self._replies.pop(rid)
        if "error" in reply:
            raise EmulatorError(reply["error"])
        return reply

    def cycles(self):
        """{'cycles', 'nanos', 'clk_sys', 'boots', 'halted'} of the emulated core now."""
        return self._request({"op": "cycles"})

    def marks(self):
        """Cycle counter at each MARK the firmware printed since the last call."""
        return self._request({"op": "marks"})["marks"]

    def core1(self):
        """Core 1 now: {'state': 'reset' | 'rom' | 'running' | 'sleeping',
        'cycles': its cycle counter, 'time': chip time in cycles}."""
        c = self.cycles()
        return {"state": c["core1"], "cycles": c["cycles1"], "time": c["time"]}

    def save_flash(self, path):
        self._request({"op": "save", "path": os.path.abspath(path)})

    def reset(self, timeout=30.0):
        """Power-cycle the chip (flash kept); waits for USB enumeration."""
        self.connected.clear()
        self._request({"op": "reset"})
        if not self.connected.wait(timeout):
            raise EmulatorError("no USB enumeration after reset")

    # -- the board's USB drive, as a PC sees it (USB mass storage, SCSI) ---------------

    def msc_inquiry(self):
        return self._request({"op": "msc", "cmd": "inquiry"}, timeout=60)

    def msc_capacity(self):
        """(number of blocks, block size) of the drive."""
        r = self._request({"op": "msc", "cmd": "capacity"}, timeout=60)
        return r["blocks"], r["block_size"]

    def msc_read(self, lba, count, timeout=600):
        r = self._request({"op": "msc", "cmd": "read", "lba": lba, "count": count}, timeout=timeout)
        return base64.b64decode(r["data"])

    def msc_write(self, lba, data, timeout=600):
        self._request({"op": "msc", "cmd": "write", "lba": lba,
                       "data": base64.b64encode(bytes(data)).decode()}, timeout=timeout)

    def events(self):
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def _control_reader(self):
        buf = b""
        while not self._stop.is_set():
            try:
                chunk = self._ctl.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "id" in msg:
                    with self._reply_cv:
                        self._replies[msg["id"]] = msg
                        self._reply_cv.notify_all()
                    continue
                ev = msg.get("event")
                if ev == "connected":
                    self.connect_info = msg
                    self.connected.set()
                elif ev == "fault":
                    self.faults.append(msg)
                self._events.put(msg)
        with self._reply_cv:
            self._reply_cv.notify_all()

    def _stderr_reader(self):
        out = self.log_file
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log_lines.append(line)
            del self.log_lines[:-200]
            if out is not None:
                out.write(line + "\n")
                out.flush()

    # -- PTY <-> emulator bridge -----------------------------------------------------

    def _relay(self):
        """Copies PTY input to the emulator's stdin and its stdout to the PTY."""
        master = self._master
        dev_out = self.proc.stdout.fileno()
        dev_in = self.proc.stdin.fileno()
        pending = bytearray()   # device output the PTY could not take yet
        limit = 1 << 20
        while not self._stop.is_set():
            wlist = [master] if pending else []
            try:
                r, w, _ = select.select([master, dev_out], wlist, [], 0.5)
            except (OSError, ValueError):
                break
            if dev_out in r:
                try:
                    data = os.read(dev_out, 65536)
                except OSError:
                    break  # closed by stop() meanwhile
                if not data:
                    break  # the emulator exited
                pending += data
                if len(pending) > limit:  # nobody is reading the port: drop the oldest
                    del pending[:len(pending) - limit]
            if master in r:
                try:
                    data = os.read(master, 65536)
                except BlockingIOError:
                    data = None
                except OSError:
                    break
                if data:
                    try:
                        os.write(dev_in, data)
                    except (BrokenPipeError, OSError):
                        break
            if pending and (master in w or dev_out in r):
                try:
                    n = os.write(master, bytes(pending))
                    del pending[:n]
                except BlockingIOError:
                    pass
                except OSError:
                    break


def serve_control_socket(emu, path):
    """Exposes the control channel on a Unix socket (one JSON request per line)."""
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)

    def client(conn):
        with conn:
            f = conn.makefile("rwb")
            for line in f:
                try:
                    req = json.loads(line)
                    op = req.pop("op", None)
                    req.pop("id", None)
                    reply = emu._request(dict(req, op=op))
                    reply.pop("id", None)
                except (ValueError, EmulatorError) as e:
                    reply = {"error": str(e)}
                f.write((json.dumps(reply) + "\n").encode())
                f.flush()

    def accept():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=client, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return srv


def main(argv=None):
    ap = argparse.ArgumentParser(prog="tflm emulate rp2040", description=__doc__.splitlines()[0])
    ap.add_argument("--firmware", default=DEFAULT_FIRMWARE, help="firmware .uf2/.elf/.bin (default: %(default)s)")
    ap.add_argument("--flash-state", help="flash image file kept across runs (created if missing)")
    ap.add_argument("--romfs", help="ROMFS image to place in the ROMFS partition before boot")
    ap.add_argument("--control-socket", help="Unix socket for cycle counter queries (JSON lines)")
    ap.add_argument("--exec", dest="exec_cmd",
                    help="run this command ({pty} is replaced by the port), then stop; exit with its status")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="how much faster than real time an idle board's clock may run (default 1)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the board to enumerate")
    ap.add_argument("--quiet", action="store_true", help="do not print the emulator's log")
    ap.add_argument("--verbose", action="store_true", help="also log emulator warnings")
    a = ap.parse_args(argv)

    emu = Rp2040Emulator(firmware=a.firmware, flash_state=a.flash_state, romfs=a.romfs, time_scale=a.time_scale,
                         verbose=a.verbose, log_file=None if a.quiet else sys.stderr)
    t0 = time.monotonic()
    try:
        emu.start(timeout=a.timeout)
    except EmulatorError as e:
        print("tflm emulate rp2040: %s" % e, file=sys.stderr)
        return 1
    srv = serve_control_socket(emu, a.control_socket) if a.control_socket else None
    try:
        if a.exec_cmd:
            cmd = a.exec_cmd.replace("{pty}", emu.pty)
            return subprocess.call(cmd, shell=True)
        print(emu.pty, flush=True)
        print("rp2040 emulator: USB serial REPL on %s (booted in %.2f s); Ctrl-C to stop"
              % (emu.pty, time.monotonic() - t0), file=sys.stderr, flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while emu.alive and not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        return 0 if not emu.faults else 2
    finally:
        if srv:
            srv.close()
            if a.control_socket and os.path.exists(a.control_socket):
                os.unlink(a.control_socket)
        emu.stop()


if __name__ == "__main__":
    sys.exit(main())
