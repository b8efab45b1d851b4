"""The micro_speech demo: "yes" / "no" from raw audio on the emulated Pico.

Boots the Raspberry Pi Pico firmware (build/rp2/firmware.uf2: MicroPython +
our tflm engine + the frozen tflmkit helpers) in the rp2040js emulator, with
audio_preprocessor_int8.tflite and micro_speech_quantized.tflite from
../shared/models in its ROMFS and ../shared/data/micro_speech/*_1000ms.wav on
its filesystem, and runs the board script examples/micro_speech/main.py
unchanged, as on a real board:
  - each recording: 49 frames -> preprocessor -> 49 x 40 features -> keyword
    model -> verdict and scores;
  - streaming: the recordings back to back in 16 ms chunks, the keyword model
    every 200 ms, scores averaged over time -> the words heard and when;
  - the emulator's cycle counter per 1 s of audio.
Then it checks the board's output against our host engine and Google's TFLM
(tflite_micro): same bytes, and yes/no/silence heard right.

Only when the emulated Pico cannot run (no firmware, no Node.js / rp2040js, or
it fails to boot) does it fall back to the host engine, and it says so loudly.

    make demo        (builds what it needs, then runs this)
    .deps/venv/bin/python tools/demo_micro_speech.py [--host]   (--host: skip the emulator)
"""
import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "examples"))
import hostlib  # noqa: E402

EXPECT = {"yes": "yes", "no": "no", "silence": "silence"}
RULE = "=" * 78


def load_check():
    import importlib.util

    spec = importlib.util.spec_from_file_location("micro_speech_check", TOP / "examples" / "micro_speech" / "check.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def emulator_problem():
    """Why the emulated Pico cannot run, or None."""
    import pico

    if not pico.FIRMWARE.exists():
        return "no Pico firmware at %s (make rp2)" % pico.FIRMWARE
    if shutil.which("node") is None:
        return "Node.js (node) is not installed"
    if not (TOP / "build" / "rp2-emu" / "node_modules" / "rp2040js").exists():
        return "the rp2040js emulator is not installed (make rp2-emu)"
    return None


def on_pico():
    """(board output, [(wav, pre cycles, model cycles)], stream cycles, seconds)."""
    import pico

    t0 = time.monotonic()
    with pico.Pico(["micro_speech"]) as board:
        print("emulated Pico booted in %.1f s; running examples/micro_speech/main.py on it ..."
              % (time.monotonic() - t0))
        out, rows, stream = board.micro_speech_cycles()
    return out, rows, stream, time.monotonic() - t0


def verdicts_ok(lines):
    ok = True
    for line in lines:
        name, label, _ = hostlib.parse_line(line)
        want = EXPECT.get(name.split("_")[0])
        if want is not None and label != want:
            print("WRONG: %s heard as %s, want %s" % (name, label, want))
            ok = False
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", action="store_true", help="use the host engine only (no emulator)")
    a = ap.parse_args(argv)
    hostlib.need_runner()
    check = load_check()
    print(RULE)
    print('micro_speech: "yes" / "no" keyword spotting from raw 16 kHz audio')
    print("models: audio_preprocessor_int8.tflite + micro_speech_quantized.tflite (../shared/models)")
    print("audio:  ../shared/data/micro_speech/*_1000ms.wav")
    print(RULE)

    problem = "--host given" if a.host else emulator_problem()
    out = rows = stream = None
    if problem is None:
        try:
            out, rows, stream, secs = on_pico()
        except Exception as e:  # the emulator failed to boot or run: fall back, loudly
            problem = "the emulated Pico failed: %s" % str(e).strip().splitlines()[0][:200]
    with tempfile.TemporaryDirectory(prefix="tflm-demo-") as tmp:
        host = check.host_results(tmp)
        h_stream, h_same, h_words = check.host_stream(tmp)
    host_lines = [r[1] for r in host]
    host_same = all(r[4] for r in host) and h_same

    if problem is not None:
        print("!" * 78)
        print("!!! NOT ON THE EMULATED PICO: %s" % problem)
        print("!!! FALLING BACK TO THE HOST ENGINE (build/host/tflm_run): the lines below")
        print("!!! come from the same pipeline on this computer, and no RP2040 cycle counts.")
        print("!" * 78)
        board_lines, board_stream = host_lines, h_stream
    else:
        print("on the emulated RP2040 (%.0f s including boot):" % secs)
        all_lines = out.splitlines()
        board_lines = [l for l in all_lines if l.rstrip().endswith("]")]
        board_stream = [l for l in all_lines if l.startswith("stream: ")]
    print()
    print("each recording (1 s, 49 frames):")
    for line in board_lines:
        print("  " + line.split(" raw ")[0])
    print()
    print("streaming (recordings back to back + 0.5 s silence, keyword model every 200 ms):")
    for line in board_stream:
        print("  " + line[len("stream: "):])
    ok = verdicts_ok(board_lines) and h_words == ["no", "yes"]
    print()
    if rows:
        pre = sum(r[1] for r in rows) / len(rows)
        kws = sum(r[2] for r in rows) / len(rows)
        print("cycles per 1 s of audio on the emulated RP2040 (average of %d recordings):" % len(rows))
        print("  %.1f M = preprocessor 49 frames %.1f M + keyword model %.1f M -> %.0f ms at 133 MHz"
              % ((pre + kws) / 1e6, pre / 1e6, kws / 1e6, (pre + kws) / 133e3))
        import pico

        s = pico.stream_seconds(out)
        if stream and s:
            print("  streaming: %.1f M per 1 s of audio (%.0f%% of a 133 MHz RP2040: real time)"
                  % (stream / s / 1e6, 100 * stream / s / 133e6))
        same_as_host = board_lines == host_lines and board_stream == h_stream
        print("board output == host engine output: %s" % ("yes" if same_as_host else "NO"))
        ok &= same_as_host
    print("host engine == TFLM (tflite_micro), every feature and score byte: %s" % ("yes" if host_same else "NO"))
    ok &= host_same
    print(RULE)
    if not ok:
        print("demo FAILED")
        return 1
    if problem is not None:
        if os.environ.get("TFLM_STRICT") == "1":
            # CI (make test): the emulated Pico is required, not optional.
            print("demo FAILED: TFLM_STRICT=1 requires the emulated Pico (%s)" % problem)
            return 1
        print("demo ok ON THE HOST ENGINE ONLY (%s)" % problem)
    else:
        print("demo ok: yes/no/silence heard right on the emulated Pico, bit-exact with TFLM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
