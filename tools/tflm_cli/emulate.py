"""tflm emulate rp2040: boot the Pico firmware in rp2040js, REPL on a pseudo-terminal."""
import argparse
import sys

from .common import TOP

EXAMPLE = """example:
  tflm emulate rp2040                                   # prints /dev/pts/N; Ctrl-C stops it
  tflm emulate rp2040 --flash-state build/pico-flash.bin   # keep files across runs
  tflm emulate rp2040 --exec 'tflm run model.tflite --input x.npy --port {pty}'"""


def add_parser(sub):
    p = sub.add_parser("emulate", help="boot the firmware in an emulator; its serial port works with every command",
                       description="Boot our firmware in an emulator and expose the board's serial REPL as a "
                       "pseudo-terminal (printed on stdout), so deploy/run/bench work with no board attached. "
                       "Options after the board name go to tools/emu/rp2040_emulate.py (or nrf52840_emulate.py) "
                       "(--firmware, --flash-state, --romfs, --control-socket, --exec, --quiet).",
                       epilog=EXAMPLE)
    p.add_argument("board", choices=["rp2040", "nrf52840"],
                   help="the emulated board (rp2040: rp2040js, USB CDC REPL; nrf52840: our unicorn board model, UART REPL)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="options for the emulator")
    p.set_defaults(func=main)
    return p


def main(a):
    sys.path.insert(0, str(TOP / "tools" / "emu"))
    sys.path.insert(0, str(TOP / "tools"))
    if a.board == "nrf52840":
        import nrf52840_emulate
        return nrf52840_emulate.main(a.args)
    import rp2040_emulate

    return rp2040_emulate.main(a.args)
