"""Entry point of the `tflm` command (also `python -m tflm_cli`)."""
import argparse
import sys

from .common import CliError

EPILOG = """workflow:
  tflm convert model.keras --rep-data x.npy -o model.tflite
  tflm inspect model.tflite --board rp2040
  tflm emulate rp2040                      # no board? an emulated Pico, prints its port
  tflm deploy model.tflite --port /dev/pts/3
  tflm run model.tflite --input x0.npy --port /dev/pts/3     (or --host)
  tflm bench model.tflite --emulator rp2040

add --debug (before the command) for a traceback on errors."""


def build_parser():
    from . import bench, convert, deploy, emulate, inspect_cmd, run

    ap = argparse.ArgumentParser(prog="tflm", description="Host tools for TensorFlow Lite models on "
                                 "MicroPython boards (micropython-tflm).", epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    for mod in (convert, inspect_cmd, deploy, run, bench, emulate):
        p = mod.add_parser(sub)
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    return ap


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ap = build_parser()
    a = ap.parse_args(argv)
    debug = getattr(a, "debug", False)
    if debug:
        import os

        os.environ["TFLM_DEBUG"] = "1"
    if not a.command:
        ap.print_help()
        return 2
    try:
        return a.func(a) or 0
    except CliError as e:
        if debug:
            raise
        print("tflm %s: error: %s" % (a.command, e), file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("tflm %s: interrupted" % a.command, file=sys.stderr)
        return 130
    except Exception as e:  # anything unexpected: still one line unless --debug
        if debug:
            raise
        msg = str(e).strip().splitlines()
        print("tflm %s: error: %s%s (--debug for the traceback)" % (
            a.command, e.__class__.__name__, ": " + msg[-1] if msg else ""), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
