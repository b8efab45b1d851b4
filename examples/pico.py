#!/usr/bin/env python3
"""Run the examples' board scripts on the emulated Pico (or a real board).

    .deps/venv/bin/python examples/pico.py [EXAMPLE...] [--port PORT] [--cycles]

Without --port it boots the emulated Pico (rp2040js, build/rp2/firmware.uf2:
`make rp2 rp2-emu`). The models the examples name are packed, as
`tflm deploy --romfs` does, into one ROMFS image (person_detect.tflite is
larger than the Pico's RAM and must run in place from flash): the emulator
boots with it; on a real board (--port) it is written with
`mpremote romfs deploy`, which replaces the board's ROMFS. The inputs
(../shared/data: .wav, .bmp, .png) are copied to the board's filesystem, then
each example's main.py runs as with `mpremote run main.py` and its output is
printed. An example's labels.txt, if it has one, is copied to the board as
labels.txt just before its script runs. The board scripts import the
tflmkit helpers (py/), frozen into the firmware.

--cycles (emulator only): for micro_speech, the emulated RP2040's cycle
counter around the preprocessor's 49 invokes and the keyword model's invoke,
per 1 s of audio, and around the streaming pass (the script's probe() hook
becomes a store to the emulator's probe register).
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hostlib  # noqa: E402

TOP = hostlib.TOP
sys.path.insert(0, str(TOP / "tools" / "emu"))
BUILD = TOP / "build" / "examples"
FIRMWARE = pathlib.Path(os.environ.get("TFLM_RP2_FIRMWARE", TOP / "build" / "rp2" / "firmware.uf2"))
EXAMPLES = ("hello_world", "micro_speech", "mnist_lstm", "person_detection")
PROBE = 0x40070008  # the emulator's cycle probe register (tools/emu/rp2040/README.md)
# Models each board script loads, and its inputs (glob under ../shared/data).
MODELS = {
    "hello_world": ["hello_world_int8.tflite"],
    "micro_speech": ["audio_preprocessor_int8.tflite", "micro_speech_quantized.tflite"],
    "mnist_lstm": ["trained_lstm_int8.tflite"],
    "person_detection": ["person_detect.tflite"],
}
INPUTS = {
    "hello_world": [],
    "micro_speech": ["micro_speech/*_1000ms.wav"],
    "mnist_lstm": ["mnist/*.png"],
    "person_detection": ["person_detection/*.bmp"],
}
TIMEOUT = 1800  # seconds per script (person detection is ~10^8 emulated cycles per image)


def build_romfs(examples, out=BUILD / "models.img"):
    """One ROMFS image with the models of `examples` (staged under build/)."""
    stage = out.parent / "romfs-stage"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for ex in examples:
        for name in MODELS[ex]:
            shutil.copy(hostlib.MODELS / name, stage / name)
    subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(out), str(stage)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def input_files(examples):
    files = []
    for ex in examples:
        for pattern in INPUTS[ex]:
            files += sorted(hostlib.DATA.glob(pattern))
    return files


class Pico:
    """A board (emulated unless port is given) with the examples' models in
    ROMFS and their inputs on its filesystem."""

    def __init__(self, examples=EXAMPLES, port=None, firmware=FIRMWARE):
        self.examples = list(examples)
        self.emu = None
        self.t = None
        img = build_romfs(self.examples)
        if port is None:
            import rp2040_emulate

            if not pathlib.Path(firmware).exists():
                raise SystemExit("no Pico firmware at %s: run `make rp2 rp2-emu`" % firmware)
            self.emu = rp2040_emulate.Rp2040Emulator(firmware=str(firmware), romfs=str(img))
            self.emu.start(timeout=60)
            port = self.emu.pty
        else:
            p = subprocess.run([sys.executable, "-m", "mpremote", "connect", port, "romfs", "deploy", str(img)],
                               capture_output=True, text=True)
            if p.returncode != 0 or "ROMFS image deployed" not in p.stdout:
                raise SystemExit("mpremote romfs deploy failed:\n" + p.stdout[-500:] + p.stderr[-500:])
        self.port = port
        self._connect(soft_reset=self.emu is None)  # a soft reset mounts a new ROMFS
        for f in input_files(self.examples):
            self.t.fs_writefile(f.name, f.read_bytes(), chunk_size=2048)

    def _connect(self, soft_reset=False):
        from mpremote.transport_serial import SerialTransport

        self.t = SerialTransport(self.port, baudrate=115200)
        self.t.enter_raw_repl(soft_reset=soft_reset)

    def close_transport(self):
        """Free the serial port (for another client: the mpremote command)."""
        if self.t is not None:
            try:
                self.t.exit_raw_repl()
            except Exception:
                pass
            self.t.close()
            self.t = None

    def reconnect(self):
        self._connect()

    def exec(self, code, timeout=TIMEOUT):
        out, err = self.t.exec_raw(code, timeout=timeout)
        out = out.decode("utf-8", "replace").replace("\r\n", "\n")
        if err:
            raise RuntimeError("board error:\n%s%s" % (out, err.decode("utf-8", "replace")))
        return out

    def soft_reset(self):
        """A clean interpreter and heap (ROMFS and files stay), as after boot."""
        self.close_transport()
        self._connect(soft_reset=True)

    def stage_labels(self, example):
        """The example's labels.txt on the board (or none)."""
        p = HERE / example / "labels.txt"
        if p.exists():
            self.t.fs_writefile("labels.txt", p.read_bytes())
        else:
            self.exec("import os\ntry:\n    os.remove('labels.txt')\nexcept OSError:\n    pass\n")

    def run(self, example, timeout=TIMEOUT):
        """Output of examples/<example>/main.py on the board (as `mpremote run`
        after a soft reset)."""
        self.soft_reset()
        self.stage_labels(example)
        self.soft_reset()
        return self.exec((HERE / example / "main.py").read_text(), timeout)

    def micro_speech_cycles(self, timeout=TIMEOUT):
        """(output, [(wav name, preprocessor cycles, model cycles)], stream
        cycles or None) with the script's probe() hook storing to the
        emulator's probe register."""
        if self.emu is None:
            raise SystemExit("--cycles needs the emulator (no --port)")
        self.soft_reset()
        self.stage_labels("micro_speech")
        self.soft_reset()
        self.exec("__name__ = 'bench'")  # define the script's functions, don't run main() yet
        self.exec((HERE / "micro_speech" / "main.py").read_text())
        self.emu.marks()  # discard earlier marks
        out = self.exec("import machine\n"
                        "def probe(v):\n"
                        "    machine.mem32[%d] = v\n"
                        "main()\n"
                        "__name__ = '__main__'\n" % PROBE, timeout)
        marks = self.emu.marks()
        names = [line.split(":", 1)[0] for line in out.splitlines() if line.endswith("]")]
        rows = []
        for i, name in zip(range(0, len(marks) - 2, 3), names):
            m1, m2, m3 = marks[i:i + 3]
            assert (m1["value"], m2["value"], m3["value"]) == (1, 2, 3), marks[i:i + 3]
            rows.append((name, m2["cycles"] - m1["cycles"], m3["cycles"] - m2["cycles"]))
        stream = None
        if len(marks) == 3 * len(rows) + 2:
            m4, m5 = marks[-2:]
            assert (m4["value"], m5["value"]) == (4, 5), marks[-2:]
            stream = m5["cycles"] - m4["cycles"]
        return out, rows, stream

    def close(self):
        self.close_transport()
        if self.emu is not None:
            self.emu.stop()
            self.emu = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def stream_seconds(out):
    """Seconds of audio in the streaming pass, from its last line
    'stream: N recordings + T ms of silence, F frames, ...' (1 s recordings)."""
    for line in out.splitlines():
        if line.startswith("stream: ") and " recordings + " in line:
            n = int(line.split()[1])
            tail = int(line.split(" + ")[1].split()[0])
            return n + tail / 1000
    return None


def cycles_report(rows, stream, out):
    """Lines for micro_speech's cycle counts (rows, stream: micro_speech_cycles())."""
    text = ""
    for name, pre, kws in rows:
        text += ("%s: %d cycles per 1 s of audio (preprocessor 49 frames %d + model %d), "
                 "%.1f ms at 133 MHz\n" % (name, pre + kws, pre, kws, (pre + kws) / 133e3))
    secs = stream_seconds(out)
    if stream is not None and secs:
        text += ("streaming: %d cycles for %.1f s of audio, %d per 1 s (%.0f%% of a 133 MHz RP2040)\n"
                 % (stream, secs, stream / secs, 100 * stream / secs / 133e6))
    return text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="example:\n  .deps/venv/bin/python examples/pico.py micro_speech --cycles")
    ap.add_argument("examples", nargs="*", metavar="EXAMPLE",
                    help="examples to run: %s (default: all)" % ", ".join(EXAMPLES))
    ap.add_argument("--port", help="a real board's serial port (default: boot the emulated Pico)")
    ap.add_argument("--cycles", action="store_true", help="micro_speech: emulated cycles per 1 s of audio")
    a = ap.parse_args(argv)
    examples = a.examples or list(EXAMPLES)
    unknown = [e for e in examples if e not in EXAMPLES]
    if unknown:
        ap.error("unknown example %s: choose from %s" % (unknown[0], ", ".join(EXAMPLES)))
    t0 = time.monotonic()
    with Pico(examples, port=a.port) as pico:
        print("# board ready in %.1f s (%s)" % (time.monotonic() - t0, "emulated Pico" if pico.emu else a.port))
        for ex in examples:
            t1 = time.monotonic()
            print("## %s" % ex)
            if ex == "micro_speech" and a.cycles:
                out, rows, stream = pico.micro_speech_cycles()
                print(out, end="")
                print(cycles_report(rows, stream, out), end="")
            else:
                print(pico.run(ex), end="")
            print("# %.1f s" % (time.monotonic() - t1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
