"""The four examples (examples/): host checks and board scripts on the emulated Pico.

Host: each example's check.py pipeline with our engine is byte-identical with
the tflite_micro oracle and gives the right answers; the board scripts' own
file decoders (imported by the checks) agree with independent decoders.
Board: each main.py, run unchanged on the emulated Pico (models in ROMFS,
inputs on the FAT filesystem, the tflmkit helpers frozen into the firmware),
prints the same answers and the same raw output bytes as the host engine
computes; micro_speech's streaming pass hears the same words at the same
times as the host computes with the same helpers.

    make test-examples      (or: .deps/venv/bin/python -m pytest -q tests/examples)
"""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import wave

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES_DIR = TOP / "examples"
EXAMPLES = ("hello_world", "micro_speech", "mnist_lstm", "person_detection")


def load_check(example):
    spec = importlib.util.spec_from_file_location(example + "_check", EXAMPLES_DIR / example / "check.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_HOST = {}


def host_results(example, tmp_dir):
    """Host-engine results of an example (check.py's host_results()), computed
    once per session."""
    if example not in _HOST:
        chk = load_check(example)
        _HOST[example] = chk.host_results(tmp_dir) if example == "micro_speech" else chk.host_results()
    return _HOST[example]


@pytest.fixture(scope="session")
def host_rows(host, tmp_path_factory):
    return lambda example: host_results(example, tmp_path_factory.mktemp(example))


_STREAM = {}


@pytest.fixture(scope="session")
def host_stream(host, tmp_path_factory):
    """micro_speech's streaming lines on the host engine, per recording list."""
    def get(names=None):
        key = tuple(names) if names else None
        if key not in _STREAM:
            _STREAM[key] = load_check("micro_speech").host_stream(tmp_path_factory.mktemp("stream"), names)
        return _STREAM[key]
    return get


def missing(msg):
    if os.environ.get("TFLM_STRICT"):
        pytest.fail(msg + " [TFLM_STRICT: a required component is missing]", pytrace=False)
    pytest.skip(msg)


def board_lines(out):
    """The result lines (one per input: they end with the raw output bytes)."""
    return [l for l in out.splitlines() if l.strip() and l.rstrip().endswith("]")]


def stream_lines(out):
    return [l for l in out.splitlines() if l.startswith("stream: ")]


# ---------------------------------------------------------------- layout

@pytest.mark.parametrize("example", EXAMPLES)
def test_layout(example):
    d = EXAMPLES_DIR / example
    for name in ("README.md", "main.py", "check.py"):
        assert (d / name).is_file(), "%s/%s missing" % (example, name)
    readme = (d / "README.md").read_text()
    assert "../shared/models" in readme or "shared/models" in readme
    # Models are used in place, never copied into the repository.
    assert not list(d.glob("*.tflite"))
    # The board script is MicroPython: it runs without numpy and without
    # CPython-only modules on the board.
    src = (d / "main.py").read_text()
    assert "numpy" not in src and "import wave" not in src


# ---------------------------------------------------------------- host

@pytest.mark.parametrize("example", EXAMPLES)
def test_host_check(host, example, capsys):
    """The example's check.py: bit-exact with the oracle, right answers."""
    assert load_check(example).main() == 0, capsys.readouterr().out


def test_wav_decoder(host):
    bs = host.board_script("micro_speech")
    for p in sorted((host.DATA / "micro_speech").glob("*.wav")):
        with wave.open(str(p), "rb") as w:
            want = w.readframes(w.getnframes())
        assert bytes(bs.read_wav(str(p))) == want, p.name


def test_bmp_decoder(host):
    sys.path.insert(0, str(TOP / "tools"))
    import demo_person_detect as demo

    bs = host.board_script("person_detection")
    for p in sorted((host.DATA / "person_detection").glob("*.bmp")):
        assert bs.read_bmp_gray(str(p))[:2] == demo.read_bmp_gray(p)[:2]
        assert bytes(bs.read_bmp_gray(str(p))[2]) == demo.read_bmp_gray(p)[2], p.name


def test_png_decoder(host):
    sys.path.insert(0, str(TOP / "tests" / "conformance" / "lstm"))
    import lstm_test

    bs = host.board_script("mnist_lstm")
    for p in sorted((host.DATA / "mnist").glob("*.png")):
        w, h, px = bs.read_png_gray(str(p))
        assert bytes(px) == lstm_test.png_gray(p).tobytes(), p.name


def test_mnist_quantisation_matches_oracle_convention(host):
    """The board quantises brightness p/255 to exactly p - 128 for this model
    (scale 1/255, zero point -128): the same bytes the conformance test's
    numpy quantiser gives."""
    import numpy as np

    chk = load_check("mnist_lstm")
    scale, zp = host.io_quant(host.MODELS / "trained_lstm_int8.tflite")
    px = bytes(range(256))
    got = np.frombuffer(chk.model_input(px, scale, zp), np.int8)
    want = np.clip(np.round(np.arange(256) / 255.0 / scale) + zp, -128, 127).astype(np.int8)
    assert np.array_equal(got, want)


# ---------------------------------------------------------------- emulated Pico

def compare_lines(out, host_rows):
    """Board lines == host lines: same names, answers and raw output bytes."""
    import hostlib

    lines = board_lines(out)
    assert len(lines) == len(host_rows), out
    for line, row in zip(lines, host_rows):
        assert hostlib.parse_line(line) == hostlib.parse_line(row[1]), (line, row[1])


def test_pico_micro_speech(pico, host_rows, host_stream):
    """Board: same scores as the host engine; yes/no/silence right; the
    streaming pass hears "no" then "yes", as on the host; cycles per 1 s of
    audio from the emulator's probe."""
    out, rows, stream = pico.micro_speech_cycles()
    rows_h = host_rows("micro_speech")
    compare_lines(out, rows_h)
    lines_h, same, words = host_stream()
    assert same and words == ["no", "yes"]
    assert stream_lines(out) == lines_h, out
    assert len(out.splitlines()) == len(rows_h) + len(lines_h), out
    heard = {l.split(":")[0]: l.split(": ")[1].split(" ")[0] for l in board_lines(out)}
    assert heard["yes_1000ms.wav"] == "yes"
    assert heard["no_1000ms.wav"] == "no"
    assert heard["silence_1000ms.wav"] == "silence"
    assert [r[0] for r in rows] == [r[0] for r in rows_h]
    for name, pre, kws in rows:
        print("micro_speech on the emulated RP2040, %s: %d cycles per 1 s of audio "
              "(preprocessor %d + model %d)" % (name, pre + kws, pre, kws))
        assert 0 < pre + kws < 133_000_000  # faster than real time at 133 MHz
    import pico as picomod

    secs = picomod.stream_seconds(out)
    assert stream is not None and secs == 4.5
    print("micro_speech streaming on the emulated RP2040: %d cycles per 1 s of audio" % (stream / secs))
    assert stream / secs < 133_000_000  # keeps up with real time at 133 MHz


def test_pico_person_detection(pico, host_rows):
    out = pico.run("person_detection")
    compare_lines(out, host_rows("person_detection"))
    assert "person.bmp: person " in out and "no_person.bmp: no person " in out


def test_pico_mnist_lstm(pico, host_rows):
    out = pico.run("mnist_lstm")
    compare_lines(out, host_rows("mnist_lstm"))
    for line in board_lines(out):
        m = re.match(r"sample(\d)\.png: (\d) ", line)
        assert m and m.group(1) == m.group(2), line


def test_pico_hello_world(pico, host_rows):
    out = pico.run("hello_world")
    lines = [l for l in out.splitlines() if l.strip()]
    rows = host_rows("hello_world")
    assert len(lines) == len(rows), out
    for line, (x, q_in, q_out, y, duty, _) in zip(lines, rows):
        m = re.match(r"x=([-\d.]+) y=([-\d.]+) duty=(\d+) raw in (-?\d+) out (-?\d+)$", line)
        assert m, line
        assert float(m.group(1)) == pytest.approx(x)
        assert (int(m.group(4)), int(m.group(5))) == (q_in, q_out), line
        assert abs(int(m.group(3)) - duty) <= 1, line  # float32 on the board


def test_pico_mpremote_run(pico):
    """The documented command: `mpremote run main.py` on the board."""
    pico.close_transport()
    try:
        p = subprocess.run([sys.executable, "-m", "mpremote", "connect", pico.port, "run",
                            str(EXAMPLES_DIR / "mnist_lstm" / "main.py")],
                           capture_output=True, text=True, timeout=600)
    finally:
        pico.reconnect()
    assert p.returncode == 0, p.stderr
    assert "sample7.png: 7 " in p.stdout


def test_pico_readme_flow(host, host_rows, host_stream, tmp_path):
    """The README's steps on a blank emulated Pico: `tflm deploy` both
    micro_speech models to the filesystem (no ROMFS: loaded into RAM),
    `mpremote fs cp` a recording, `mpremote run main.py`."""
    import pico as picomod
    import rp2040_emulate

    if not picomod.FIRMWARE.exists():
        missing("no Pico firmware at %s (make rp2)" % picomod.FIRMWARE)
    tflm_cmd = TOP / ".deps" / "venv" / "bin" / "tflm"
    if not tflm_cmd.exists():
        missing("no tflm command (make deps)")
    emu = rp2040_emulate.Rp2040Emulator(firmware=str(picomod.FIRMWARE), flash_state=str(tmp_path / "flash.bin"))
    emu.start(timeout=60)
    try:
        def run(*cmd):
            p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600)
            assert p.returncode == 0, "%s\n%s\n%s" % (" ".join(map(str, cmd)), p.stdout, p.stderr)
            return p.stdout

        for m in ("audio_preprocessor_int8.tflite", "micro_speech_quantized.tflite"):
            out = run(tflm_cmd, "deploy", host.MODELS / m, "--port", emu.pty)
            assert "verified" in out
        mp = [sys.executable, "-m", "mpremote", "connect", emu.pty]
        run(*mp, "fs", "cp", host.DATA / "micro_speech" / "yes_1000ms.wav", ":")
        out = run(*mp, "run", EXAMPLES_DIR / "micro_speech" / "main.py").replace("\r\n", "\n")
    finally:
        emu.stop()
    want = [r for r in host_rows("micro_speech") if r[0] == "yes_1000ms.wav"]
    compare_lines(out, want)
    assert out.startswith("yes_1000ms.wav: yes ")
    lines_h, same, words = host_stream(["yes_1000ms.wav"])
    assert same and words == ["yes"]
    assert stream_lines(out) == lines_h, out

