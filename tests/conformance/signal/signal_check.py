"""Signal-library CUSTOM ops vs the tflite_micro oracle.

The oracle's Python package registers TFLM's signal ops (SignalWindow ...
SignalFilterBankLog), so the audio preprocessor models run on it directly.
For each model (../shared/models/audio_preprocessor_{int8,float}.tflite) a
sequence of 30 ms int16 frames (silence, noise, tones, full scale, -32768
runs, real speech from ../shared/data/micro_speech) goes through our engine
(frames_run --ops: every op's outputs, frame after frame, state carried) and
through the oracle (kPreserveAllTensors: every tensor after each invoke).
Every op output of every frame must be byte-identical, except the bins of
SignalEnergy outside [start_index, end_index), which TFLM leaves unwritten.
With --reset, a second pass resets both interpreters half way (oracle:
reset(); ours: tflm_interp_reset), which must clear the spectral-subtraction
noise estimate kept in op data; that needs the registry reset hook
(tests/conformance/signal/reset_hook.patch). SIGNAL_ENGINE=DIR builds the runner from
another engine tree (e.g. a patched copy).

    .deps/venv/bin/python tests/conformance/signal/signal_check.py [--san] [--reset]
"""
import argparse
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TOP = HERE.parents[2]
ENGINE = Path(os.environ.get("SIGNAL_ENGINE", TOP / "usermod_tflm" / "engine"))
OUT = TOP / "build" / "signal"
SHARED = Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
MODELS = [SHARED / "models" / "audio_preprocessor_int8.tflite", SHARED / "models" / "audio_preprocessor_float.tflite"]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def build_runner(san=False):
    OUT.mkdir(parents=True, exist_ok=True)
    tag = "" if ENGINE == TOP / "usermod_tflm" / "engine" else "_" + ENGINE.name
    exe = OUT / (("frames_run_san" if san else "frames_run") + tag)
    srcs = sorted(str(p) for p in ENGINE.rglob("*.c"))  # every engine source: core, registry, ref and arm kernels
    deps = srcs + [str(HERE / "frames_run.c")] + [str(p) for p in ENGINE.rglob("*.h")] \
        + [str(p) for p in ENGINE.rglob("*.def")]
    if exe.exists() and all(os.path.getmtime(d) <= os.path.getmtime(exe) for d in deps):
        return exe
    flags = ["-std=c99", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    flags += ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"] if san else ["-O2"]
    subprocess.run(["gcc"] + flags + ["-I" + str(ENGINE), "-o", str(exe), str(HERE / "frames_run.c")] + srcs
                   + ["-lm"], check=True)
    return exe


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)


def test_frames(rng, n_rand=24):
    """A list of 480-sample int16 frames covering the interesting ranges."""
    fr = []
    t = np.arange(480)
    fr.append(np.zeros(480, np.int16))
    fr.append(np.full(480, -32768, np.int16))
    fr.append(np.full(480, 32767, np.int16))
    fr.append(np.where(t % 2 == 0, 32767, -32768).astype(np.int16))
    x = np.zeros(480, np.int16)
    x[7] = -32768
    fr.append(x)
    for f in (100.0, 440.0, 1000.0, 3000.0, 7900.0):
        for amp in (3, 300, 30000):
            fr.append(np.round(amp * np.sin(2 * np.pi * f * t / 16000.0)).astype(np.int16))
    for amp in (1, 10, 1000, 32767):
        fr.append(np.clip(rng.normal(0, amp, 480), -32768, 32767).astype(np.int16))
    for _ in range(n_rand):
        fr.append(rng.integers(-32768, 32768, 480).astype(np.int16))
    wavs = sorted((SHARED / "data" / "micro_speech").glob("*_1000ms.wav"))
    for wp in wavs:
        a = read_wav(wp)
        for s in range(0, len(a) - 480 + 1, 320 * 7):
            fr.append(a[s:s + 480].copy())
    # Interleave silence after loud frames so the noise estimate decays.
    fr.extend([np.zeros(480, np.int16)] * 3)
    return np.stack(fr)


def op_outputs(model_path):
    """[(op_index, custom_or_builtin_name, [output tensor indices])]"""
    from tensorflow.lite.python import schema_py_generated as s
    buf = model_path.read_bytes()
    m = s.Model.GetRootAsModel(buf, 0)
    sg = m.Subgraphs(0)
    res = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        c = m.OperatorCodes(op.OpcodeIndex())
        name = c.CustomCode().decode() if c.CustomCode() else str(max(c.BuiltinCode(), c.DeprecatedBuiltinCode()))
        opts = bytes(op.CustomOptionsAsNumpy()) if op.CustomOptionsLength() else b""
        res.append((i, name, list(op.OutputsAsNumpy()), opts))
    return res


def energy_range(opts):
    from flatbuffers import flexbuffers
    d = flexbuffers.Loads(opts)
    return d["start_index"], d["end_index"]


def oracle_run(model_path, frames, reset_at=-1):
    from tflite_micro.python.tflite_micro import runtime
    it = runtime.Interpreter.from_file(str(model_path), arena_size=200000,
                                       intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors)
    ops = op_outputs(model_path)
    per_frame = []
    for k, f in enumerate(frames):
        if k == reset_at:
            it.reset()
        it.set_input(f.reshape(1, 480), 0)
        it.invoke()
        per_frame.append({t: np.asarray(it.GetTensor(int(t), 0)["tensor_data"]).tobytes() for (_, _, outs, _) in ops for t in outs})
    return ops, per_frame


def ours_run(exe, model_path, frames, ops, reset_at=-1):
    OUT.mkdir(parents=True, exist_ok=True)
    inp = OUT / "frames_in.bin"
    outp = OUT / "frames_out.bin"
    frames.astype("<i2").tofile(inp)
    args = [str(exe), str(model_path), str(inp), str(outp), str(len(frames))]
    if reset_at >= 0:
        args.append(str(reset_at))
    args.append("--ops")
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    data = outp.read_bytes()
    return data


def compare(model_path, exe, frames, reset_at=-1):
    ops, ora = oracle_run(model_path, frames, reset_at)
    data = ours_run(exe, model_path, frames, ops, reset_at)
    pos = 0
    bad = {}
    checked = {}
    for k in range(len(frames)):
        for (i, name, outs, opts) in ops:
            for t in outs:
                ref = ora[k][t]
                got = data[pos:pos + len(ref)]
                pos += len(ref)
                a, b = ref, got
                if name == "SignalEnergy":
                    s0, e0 = energy_range(opts)
                    a, b = ref[4 * s0:4 * e0], got[4 * s0:4 * e0]
                checked[(i, name)] = checked.get((i, name), 0) + 1
                if a != b:
                    bad.setdefault((i, name), []).append(k)
    assert pos == len(data), (pos, len(data))
    return checked, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--san", action="store_true")
    ap.add_argument("--reset", action="store_true", help="also check a mid-sequence reset")
    a = ap.parse_args()
    exe = build_runner(a.san)
    rng = np.random.default_rng(7)
    frames = test_frames(rng)
    ok = True
    for mp in MODELS:
        passes = [-1] + ([len(frames) // 2] if a.reset else [])
        for reset_at in passes:
            checked, bad = compare(mp, exe, frames, reset_at)
            tag = f"{mp.name} frames={len(frames)}" + (f" reset@{reset_at}" if reset_at >= 0 else "")
            for (i, name), n in sorted(checked.items()):
                st = "ok" if (i, name) not in bad else f"MISMATCH frames {bad[(i, name)][:8]}"
                if (i, name) in bad or not name.isdigit():
                    print(f"  {tag} op{i:2d} {name:38s} {n:3d} frames {st}")
            ok &= not bad
            print(f"{tag}: {'BIT-EXACT' if not bad else 'MISMATCH'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
