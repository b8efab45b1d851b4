"""Host check of the micro_speech example: our engine == TFLM, right words.

For each ../shared/data/micro_speech/*_1000ms.wav: the board script's own
read_wav(), the same 49 frames (30 ms every 20 ms), the audio preprocessor
with its state carried over the 49 frames (fresh at each file, like the
board's reset()), then the keyword model, with our engine and with the
tflite_micro oracle. Every frame's features and the scores must be
byte-identical; yes/no/silence must be heard as yes/no/silence.

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


def main():
    import tempfile

    ok = True
    with tempfile.TemporaryDirectory(prefix="tflm-ms-") as tmp:
        results = host_results(tmp)
    for name, line, raw, _, same in results:
        _, label, _ = hostlib.parse_line(line)
        want = EXPECT.get(name.split("_")[0])
        right = want is None or label == want
        ok &= same and right
        print("%s  | %s%s" % (line, "bit-exact with TFLM" if same else "MISMATCH with TFLM",
                              "" if right else "  WRONG (want %s)" % want))
    ok &= len(results) >= 3
    return hostlib.finish(ok, "micro_speech host check")


if __name__ == "__main__":
    sys.exit(main())
