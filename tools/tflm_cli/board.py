"""A board over its serial REPL (mpremote's transport), and the board facts the
verdicts use."""
import os

from .common import CliError

# Free heap at the REPL of our firmware (gc.mem_free() after gc.collect()), and the
# flash a model can use. rp2040: measured on RPI_PICO_TFLM (boards/RPI_PICO_TFLM: FAT
# 960 KB, ROMFS 512 KB). nrf52840: no firmware yet; estimated from the datasheet (256 KB
# RAM, 1 MB flash): RAM minus the same MicroPython overhead as on the Pico (264 KB -
# 236,048 B = 34,288 B); flash minus ~434 KB of firmware (the Pico image's size) leaves
# ~576 KB, counted as 512 KB for the model either way. `--port` measures a real board.
BOARDS = {
    "rp2040": {"ram": 264 * 1024, "free_heap": 236048, "cores": 2, "fat_bytes": 960 * 1024, "romfs_bytes": 512 * 1024,
               "source": "measured on RPI_PICO_TFLM firmware (gc.mem_free at the REPL)"},
    "nrf52840": {"ram": 256 * 1024, "free_heap": 227840, "cores": 1, "fat_bytes": 128 * 1024, "romfs_bytes": 336 * 1024,
                 "source": "measured on the XIAO_NRF52840_SENSE firmware in the board model (gc.mem_free at the REPL)"},
}
# Heap a loaded tflm.Model takes besides its arena and (FAT) its file: measured ~230 B
# on the Pico (tflm bench prints it); 1 KB margin.
MODEL_OVERHEAD = 1024


def verdict(board, arena, model_bytes, free_heap=None):
    """Fits RAM / flash, for both ways of storing the model (FAT file: read into RAM;
    ROMFS: used in place from flash)."""
    b = BOARDS[board]
    heap = b["free_heap"] if free_heap is None else free_heap
    out = {"free_heap": heap, "free_heap_source": b["source"] if free_heap is None else "measured on the board"}
    if arena is None:
        out.update({"fits": False, "reason": "the engine cannot run this model"})
        return out
    need_rom = arena + MODEL_OVERHEAD
    need_fat = arena + MODEL_OVERHEAD + model_bytes
    out["ram_needed_romfs"] = need_rom
    out["ram_needed_fat"] = need_fat
    out["fits_ram_romfs"] = need_rom <= heap
    out["fits_ram_fat"] = need_fat <= heap
    out["flash_fat"] = b["fat_bytes"]
    out["flash_romfs"] = b["romfs_bytes"]
    out["fits_flash_fat"] = model_bytes <= b["fat_bytes"]
    out["fits_flash_romfs"] = model_bytes + 64 <= b["romfs_bytes"]
    out["fits_fat"] = out["fits_ram_fat"] and out["fits_flash_fat"]
    out["fits_romfs"] = out["fits_ram_romfs"] and out["fits_flash_romfs"]
    out["fits"] = out["fits_fat"] or out["fits_romfs"]
    if not out["fits"]:
        if not out["fits_ram_romfs"]:
            out["reason"] = "needs %d bytes of RAM (arena %d), %s has %d free" % (need_rom, arena, board, heap)
        else:
            out["reason"] = "model (%d bytes) larger than the flash for models" % model_bytes
    return out


def find_port(port=None):
    """The serial port: --port, $TFLM_PORT, else the first USB serial device (as
    `mpremote connect auto` picks it)."""
    port = port or os.environ.get("TFLM_PORT")
    if port:
        return port
    import serial.tools.list_ports

    for p in sorted(serial.tools.list_ports.comports()):
        if p.vid is not None and p.pid is not None:
            return p.device
    raise CliError("no board found: connect one over USB or give --port PORT "
                   "(`tflm emulate rp2040` prints an emulated Pico's port)")


class Board:
    """Raw-REPL connection: exec() returns stdout, raises CliError on a board-side
    exception (its last line). Soft-resets the board first, as mpremote does, so the
    heap is measured without leftovers of earlier sessions."""

    def __init__(self, port, soft_reset=True):
        self.port = find_port(port)
        from mpremote.transport_serial import SerialTransport

        try:
            self.t = SerialTransport(self.port, baudrate=115200)
        except Exception as e:
            raise CliError("cannot open %s: %s" % (self.port, str(e).splitlines()[-1] if str(e) else e))
        try:
            self.t.enter_raw_repl(soft_reset=soft_reset)
        except Exception as e:
            self.t.close()
            raise CliError("no MicroPython REPL on %s (%s)" % (self.port, e))

    def exec(self, code, timeout=600):
        out, err = self.t.exec_raw(code, timeout=timeout)
        out = out.decode("utf-8", "replace").replace("\r\n", "\n")
        if err:
            lines = [l for l in err.decode("utf-8", "replace").splitlines() if l.strip()]
            raise CliError("on the board: " + (lines[-1] if lines else "error"))
        return out

    def close(self):
        try:
            self.t.exit_raw_repl()
        except Exception:
            pass
        try:
            self.t.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def free_heap(self):
        return int(self.exec("import gc\ngc.collect()\nprint(gc.mem_free())").strip().splitlines()[-1])

    def file_size(self, path):
        out = self.exec("import os\ntry:\n print(os.stat(%r)[6])\nexcept OSError:\n print(-1)" % path)
        n = int(out.strip().splitlines()[-1])
        return None if n < 0 else n

    def hash(self, path):
        """('sha256', hex) with hashlib on the board, else ('adler32', hex)."""
        code = ("import hashlib\nh=hashlib.sha256()\nb=bytearray(1024)\nmv=memoryview(b)\n"
                "with open(%r,'rb') as f:\n while True:\n  n=f.readinto(b)\n  if not n: break\n"
                "  h.update(mv[:n])\nprint(h.digest().hex())" % path)
        try:
            return "sha256", self.exec(code).strip().splitlines()[-1]
        except CliError as e:
            if "hashlib" not in str(e) and "sha256" not in str(e):
                raise
        code = ("a=1\nb=0\nbuf=bytearray(1024)\nwith open(%r,'rb') as f:\n while True:\n  n=f.readinto(buf)\n"
                "  if not n: break\n  for i in range(n):\n   a=(a+buf[i])%%65521\n   b=(b+a)%%65521\n"
                "print('%%08x'%%((b<<16)|a))" % path)
        return "adler32", self.exec(code).strip().splitlines()[-1]


def local_hash(algo, data):
    import hashlib
    import zlib

    if algo == "sha256":
        return hashlib.sha256(data).hexdigest()
    return "%08x" % zlib.adler32(data)
