"""Host-side micro_speech pipeline check, our engine vs the tflite_micro oracle.

1 s of 16 kHz int16 audio (../shared/data/micro_speech/*_1000ms.wav) is cut
into 49 frames of 30 ms (480 samples) every 20 ms (320 samples); each frame
goes through audio_preprocessor_int8.tflite (state carried from frame to
frame, fresh interpreter per file) giving 40 int8 features; the 49x40
features go through micro_speech_quantized.tflite giving int8 scores for
silence / unknown / yes / no.

Ours: frames_run (one process for the 49 preprocessor invokes) then
build/host/tflm_run on the feature map. Oracle: the same with tflite_micro.
Every frame's 40 features and the final scores must be byte-identical, and
the label must be yes for yes, no for no, silence for silence. The 30 ms
files (one frame each) are checked for feature equality too.

    .deps/venv/bin/python tests/conformance/signal/micro_speech_check.py
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import signal_check as sc  # noqa: E402  (runner build, wav reader)

TOP = sc.TOP
SHARED = sc.SHARED
PRE = SHARED / "models" / "audio_preprocessor_int8.tflite"
KWS = SHARED / "models" / "micro_speech_quantized.tflite"
LABELS = ["silence", "unknown", "yes", "no"]
FRAME, STRIDE, NFRAMES = 480, 320, 49
EXPECT = {"yes": "yes", "no": "no", "silence": "silence"}


def frames_of(audio, n):
    return np.stack([audio[k * STRIDE:k * STRIDE + FRAME] for k in range(n)]).astype(np.int16)


def oracle(frames):
    from tflite_micro.python.tflite_micro import runtime
    pre = runtime.Interpreter.from_file(str(PRE), arena_size=100000)
    feats = []
    for f in frames:
        pre.set_input(f.reshape(1, FRAME), 0)
        pre.invoke()
        feats.append(pre.get_output(0).astype(np.int8).copy())
    feats = np.stack(feats)
    scores = None
    if len(frames) == NFRAMES:
        kws = runtime.Interpreter.from_file(str(KWS), arena_size=100000)
        kws.set_input(feats.reshape(1, -1), 0)
        kws.invoke()
        scores = kws.get_output(0).reshape(-1).astype(np.int8).copy()
    return feats, scores


def ours(exe, frames):
    d = sc.OUT
    d.mkdir(parents=True, exist_ok=True)
    fin, fout = d / "ms_frames.bin", d / "ms_feats.bin"
    frames.astype("<i2").tofile(fin)
    r = subprocess.run([str(exe), str(PRE), str(fin), str(fout), str(len(frames))], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("preprocessor: " + r.stderr.strip())
    feats = np.fromfile(fout, dtype=np.int8).reshape(len(frames), 40)
    scores = None
    if len(frames) == NFRAMES:
        sin, sout = d / "ms_kws_in.bin", d / "ms_scores.bin"
        feats.tofile(sin)
        r = subprocess.run([str(TOP / "build" / "host" / "tflm_run"), str(KWS), "-i", str(sin), "-o", str(sout)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("micro_speech: " + r.stdout.strip() + r.stderr.strip())
        scores = np.fromfile(sout, dtype=np.int8)
    return feats, scores


def main():
    exe = sc.build_runner(san="--san" in sys.argv)
    ok = True
    for wp in sorted((SHARED / "data" / "micro_speech").glob("*.wav")):
        audio = sc.read_wav(wp)
        n = NFRAMES if len(audio) >= (NFRAMES - 1) * STRIDE + FRAME else 1
        frames = frames_of(audio, n)
        of, osc = oracle(frames)
        mf, msc = ours(exe, frames)
        bad_frames = [k for k in range(n) if not np.array_equal(of[k], mf[k])]
        line = f"{wp.name:20s} frames={n:2d} features {'bit-exact' if not bad_frames else 'MISMATCH ' + str(bad_frames[:8])}"
        ok &= not bad_frames
        if msc is not None:
            same = np.array_equal(osc, msc)
            ok &= same
            label = LABELS[int(np.argmax(msc))]
            probs = ", ".join(f"{l}={(int(v) + 128) / 256:.3f}" for l, v in zip(LABELS, msc))
            want = EXPECT.get(wp.name.split("_")[0])
            verdict = "" if want is None else (" (expected)" if label == want else f" (WRONG, want {want})")
            ok &= want is None or label == want
            line += f"; scores {'bit-exact' if same else 'MISMATCH'}; -> {label}{verdict} [{probs}]"
        print(line)
    print("micro_speech pipeline:", "OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
