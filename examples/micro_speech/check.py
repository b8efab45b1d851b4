"""Host check of the micro_speech example: our engine == TFLM, right words.

For each ../shared/data/micro_speech/*_1000ms.wav: the board script's own
read_wav(), the same 49 frames (30 ms every 20 ms), the audio preprocessor
with its state carried over the 49 frames (fresh at each file, like the
board's reset()), then the keyword model, with our engine and with the
tflite_micro oracle. Every frame's features and the scores must be
byte-identical; yes/no/silence must be heard as yes/no/silence.

Then the board script's streaming pass: all the 1 s recordings one after the
other plus 0.5 s of silence, the preprocessor's state carried throughout,
the 49 x 40 feature map (rows of -128 before the first frames) scored every
10 frames by the keyword model, with our engine and with the oracle (same
bytes), the scores averaged by the board's own tflmkit.Recognizer: the
words heard must be "no" (first recording) then "yes" (last), and the
lines are those the board prints.

    .deps/venv/bin/python examples/micro_speech/check.py
"""
import pathlib
import subprocess
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import hostlib  # noqa: E402

EXAMPLE = "micro_speech"
EXPECT = {"yes": "yes", "no": "no", "silence": "silence"}


def frames_runner():
    """build/examples/frames_run (from tests/conformance/signal/frames_run.c and
    the engine, as the host runner is built): K invokes of a one-input model
    with state carried; the host runner does one invoke from a fresh state."""
    engine = hostlib.TOP / "usermod_tflm" / "engine"
    src = hostlib.TOP / "tests" / "conformance" / "signal" / "frames_run.c"
    srcs = sorted(engine.rglob("*.c"))  # every engine source: core, registry, ref and arm kernels
    deps = srcs + [src] + list(engine.rglob("*.h")) + list(engine.rglob("*.def"))
    exe = hostlib.TOP / "build" / "examples" / "frames_run"
    if exe.exists() and all(p.stat().st_mtime <= exe.stat().st_mtime for p in deps):
        return exe
    exe.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cc", "-std=c99", "-ffp-contract=off", "-O2", "-I" + str(engine), "-o", str(exe), str(src)]
                   + [str(p) for p in srcs] + ["-lm"], check=True)
    return exe


def features_ours(exe, model, frames, tmp):
    fin, fout = tmp / "frames.bin", tmp / "feats.bin"
    frames.astype("<i2").tofile(fin)
    r = subprocess.run([str(exe), str(model), str(fin), str(fout), str(len(frames))], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("preprocessor: " + (r.stderr or r.stdout).strip())
    return np.fromfile(fout, dtype=np.int8).reshape(len(frames), -1)


def features_oracle(model, frames, nfeat):
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_file(str(model), arena_size=100000)
    out = np.zeros((len(frames), nfeat), np.int8)
    for k, f in enumerate(frames):
        it.set_input(f.reshape(1, -1), 0)
        it.invoke()
        out[k] = np.asarray(it.get_output(0)).astype(np.int8)
    return out


def host_results(tmp):
    """[(wav name, result line, raw scores, features bytes, oracle agrees)] for
    every 1 s wav, computed with our host engine (and checked with the oracle)."""
    bs = hostlib.board_script(EXAMPLE)
    pre, kws = hostlib.MODELS / bs.PRE_MODEL, hostlib.MODELS / bs.KWS_MODEL
    exe = frames_runner()
    tmp = pathlib.Path(tmp)
    res = []
    for wav in sorted((hostlib.DATA / EXAMPLE).glob("*.wav")):
        samples = np.frombuffer(bs.read_wav(str(wav)), dtype="<i2")
        if len(samples) < (bs.FRAMES - 1) * bs.STRIDE + bs.FRAME:
            continue
        frames = np.stack([samples[k * bs.STRIDE:k * bs.STRIDE + bs.FRAME] for k in range(bs.FRAMES)])
        feats = features_ours(exe, pre, frames, tmp)
        scores = hostlib.run_ours(kws, [feats.tobytes()])
        o_feats = features_oracle(pre, frames, feats.shape[1])
        o_scores = hostlib.oracle(kws, [o_feats.tobytes()])
        same = np.array_equal(feats, o_feats) and scores == o_scores
        raw = hostlib.signed(scores)
        res.append((wav.name, bs.describe(wav.name, raw), raw, feats.tobytes(), same))
    return res


def stream_inputs(bs, names):
    """The streaming pass's frames: the recordings' samples back to back,
    then the silence, cut by plain slicing (int16 array, one row a frame)."""
    parts = [np.frombuffer(bs.read_wav(str(hostlib.DATA / EXAMPLE / n)), dtype="<i2") for n in names]
    parts.append(np.zeros(bs.TAIL_MS * bs.RATE // 1000, np.int16))
    samples = np.concatenate(parts)
    n = (len(samples) - bs.FRAME) // bs.STRIDE + 1
    return np.stack([samples[k * bs.STRIDE:k * bs.STRIDE + bs.FRAME] for k in range(n)])


def feature_maps(bs, feats, every):
    """(frame number, 49 x 40 map) each `every` frames: the last 49 rows,
    quiet rows before the first frames."""
    maps = []
    for n in range(every, len(feats) + 1, every):
        m = np.full((bs.FRAMES, bs.FEATURES), bs.QUIET, np.int8)
        rows = feats[max(0, n - bs.FRAMES):n]
        m[bs.FRAMES - len(rows):] = rows
        maps.append((n, m))
    return maps


def host_stream(tmp, names=None):
    """(board lines of the streaming pass, oracle agrees, words heard) with
    our engine; names: the recordings (default: every 1 s .wav, sorted)."""
    bs = hostlib.board_script(EXAMPLE)
    pre, kws = hostlib.MODELS / bs.PRE_MODEL, hostlib.MODELS / bs.KWS_MODEL
    if names is None:
        names = sorted(p.name for p in (hostlib.DATA / EXAMPLE).glob("*.wav")
                       if len(bs.read_wav(str(p))) >= ((bs.FRAMES - 1) * bs.STRIDE + bs.FRAME) * 2)
    tmp = pathlib.Path(tmp)
    exe = frames_runner()
    frames = stream_inputs(bs, names)
    feats = features_ours(exe, pre, frames, tmp)
    maps = feature_maps(bs, feats, bs.EVERY)
    # The keyword model on every map: K independent invokes (no state).
    fin, fout = tmp / "maps.bin", tmp / "scores.bin"
    np.stack([m for _, m in maps]).tofile(fin)
    r = subprocess.run([str(exe), str(kws), str(fin), str(fout), str(len(maps))], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("keyword model: " + (r.stderr or r.stdout).strip())
    scores = np.fromfile(fout, dtype=np.int8).reshape(len(maps), -1)
    # The oracle: features with state carried, then each map.
    from tflite_micro.python.tflite_micro import runtime

    same = np.array_equal(feats, features_oracle(pre, frames, feats.shape[1]))
    it = runtime.Interpreter.from_file(str(kws), arena_size=100000)
    for (_, m), s in zip(maps, scores):
        it.set_input(m.reshape(1, -1), 0)
        it.invoke()
        same = same and np.array_equal(np.asarray(it.get_output(0)).reshape(-1).astype(np.int8), s)
    # The board's recogniser and lines.
    labels = list(bs.LABELS)
    rec = bs.make_recognizer(labels)
    lines, words = [], []
    for (n, _), s in zip(maps, scores):
        now = (n - 1) * bs.STRIDE * 1000 // bs.RATE + bs.FRAME * 1000 // bs.RATE
        label, _, new = rec.update([int(v) for v in s], now)
        if new:
            lines.append(bs.describe_word(label, now, rec))
            words.append(label)
    lines.append("stream: %d recordings + %d ms of silence, %d frames, %d inferences" % (
        len(names), bs.TAIL_MS, len(frames), len(maps)))
    return lines, same, words


def main():
    import tempfile

    from tflmkit import load_labels  # py/, on sys.path through hostlib

    ok = True
    bs = hostlib.board_script(EXAMPLE)
    labels = load_labels(str(HERE / "labels.txt"))
    if labels != list(bs.LABELS):
        print("labels.txt %s != the script's LABELS %s" % (labels, list(bs.LABELS)))
        ok = False
    with tempfile.TemporaryDirectory(prefix="tflm-ms-") as tmp:
        results = host_results(tmp)
        stream, stream_same, words = host_stream(tmp)
    for name, line, raw, _, same in results:
        _, label, _ = hostlib.parse_line(line)
        want = EXPECT.get(name.split("_")[0])
        right = want is None or label == want
        ok &= same and right
        print("%s  | %s%s" % (line, "bit-exact with TFLM" if same else "MISMATCH with TFLM",
                              "" if right else "  WRONG (want %s)" % want))
    ok &= len(results) >= 3
    for line in stream:
        print(line)
    print("stream: %s, words heard %s" % ("bit-exact with TFLM" if stream_same else "MISMATCH with TFLM", words))
    ok &= stream_same and words == ["no", "yes"]
    return hostlib.finish(ok, "micro_speech host check")


if __name__ == "__main__":
    sys.exit(main())
