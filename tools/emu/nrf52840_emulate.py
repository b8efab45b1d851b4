#!/usr/bin/env python3
"""Boot nRF52840 firmware (ports/nrf52840) in our board model, REPL on a pseudo-terminal.

    python3 tools/emu/nrf52840_emulate.py [--firmware build/nrf52840/firmware.elf]
                                          [--flash-state FILE] [--romfs IMAGE]
                                          [--pdm SOUND.wav] [--exec 'CMD {pty}'] [--log]

Prints the pseudo-terminal's path on the first line; unmodified tools then
talk to the emulated board's UARTE0 as to a real serial port, e.g.
`mpremote connect /dev/pts/N fs cp model.tflite :`. The model runs on PyPI
unicorn (tools/emu/nrf52840/board.py; what it models: tools/emu/nrf52840/README.md).

--flash-state FILE keeps the flash (littlefs, ROMFS) across runs, as a board
keeps it: the firmware is written over it at start, the rest is preserved.
--romfs IMAGE writes a ROMFS image (tools/mkromfs.py) into the ROMFS region.
--pdm SOUND is what the board's PDM microphone hears (16-bit PCM .wav, or raw
int16 little-endian samples): machine.PDM reads it, in real time, from START.
--exec runs a command with {pty} replaced by the port, then stops the board.
"""
import argparse
import os
import shlex
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "nrf52840"))
sys.path.insert(0, os.path.join(TOP, "tools"))

from board import Board  # noqa: E402

DEFAULT_FIRMWARE = os.path.join(TOP, "build", "nrf52840", "firmware.elf")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firmware", default=DEFAULT_FIRMWARE, help="firmware .elf, .uf2 or .bin")
    ap.add_argument("--flash-state", help="file holding the flash across runs")
    ap.add_argument("--romfs", help="ROMFS image to place in the ROMFS region")
    ap.add_argument("--pdm", help="sound for the PDM microphone: 16-bit PCM .wav or raw int16 LE")
    ap.add_argument("--exec", dest="exec_cmd", help="run this command ({pty} = the port), then stop")
    ap.add_argument("--log", action="store_true", help="board model log on stderr")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds allowed to reach the REPL")
    ap.add_argument("--usb-power", action="store_true",
                    help="VBUS present (the firmware enables its USB device; no USB host is modelled)")
    a = ap.parse_args(argv)
    if not os.path.exists(a.firmware):
        print("tflm emulate nrf52840: no firmware at %s (make nrf52840)" % a.firmware, file=sys.stderr)
        return 2
    board = Board(a.firmware, flash_state=a.flash_state, romfs=a.romfs, log=sys.stderr if a.log else None,
                  pdm=a.pdm, usb_power=a.usb_power)
    try:
        board.start(timeout=a.timeout)
    except RuntimeError as e:
        print("tflm emulate nrf52840: %s" % e, file=sys.stderr)
        board.stop()
        return 1
    print(board.pty, flush=True)
    print("nrf52840 board model: UARTE0 REPL on %s (booted in %.2f s); Ctrl-C to stop"
          % (board.pty, board.boot_seconds), file=sys.stderr, flush=True)
    rc = 0
    try:
        if a.exec_cmd:
            rc = subprocess.call(a.exec_cmd.replace("{pty}", shlex.quote(board.pty)), shell=True)
        else:
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            while board._thread.is_alive():
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        board.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
