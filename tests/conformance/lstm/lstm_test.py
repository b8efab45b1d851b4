"""Development conformance test of UNIDIRECTIONAL_SEQUENCE_LSTM (builtin 44).

Runs the shared LSTM models (trained_lstm_int8, trained_lstm, micro_speech_lstm
and optionally dtln_noise_suppression) on several random inputs, and
trained_lstm_int8 / trained_lstm on ../shared/data/mnist/*.png, through the
tflite_micro oracle and our host runner (fresh state each run), and compares
the output bytes (int8: exact; float32: exact or within 1e-5 relative, the
difference is reported). With --gen it also builds Keras LSTM models
(unroll=False) over sweeps of units / timesteps / features / batch-first vs
time-major, float32 and full-int8, into build/lstm/, and checks those too.

  python tests/conformance/lstm/lstm_test.py [--runner build/host/tflm_run]
         [--n 5] [--gen] [--dtln] [--only SUBSTR]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import zlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parent.parent.parent
OUT = TOP / "build" / "lstm"
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
MODELS = SHARED / "models"
MNIST = SHARED / "data" / "mnist"


def runtime():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tflite_micro.python.tflite_micro import runtime as rt
    return rt


# ---------------------------------------------------------------- PNG reader

def png_gray(path):
    """Decode an 8-bit grayscale / RGB / RGBA non-interlaced PNG to a uint8 HxW array."""
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    w, h = int.from_bytes(hdr[0:4], "big"), int.from_bytes(hdr[4:8], "big")
    depth, ctype, interlace = hdr[8], hdr[9], hdr[12]
    assert depth == 8 and interlace == 0, "only 8-bit non-interlaced PNGs"
    chans = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * chans
    img = np.zeros((h, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)], np.uint8).astype(np.int32)
        cur = np.zeros(stride, np.int32)
        for x in range(stride):
            a = cur[x - chans] if x >= chans else 0
            b = prev[x]
            c = prev[x - chans] if x >= chans else 0
            if f == 0:
                p = 0
            elif f == 1:
                p = a
            elif f == 2:
                p = b
            elif f == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (line[x] + p) & 0xFF
        img[y] = cur
        prev = cur
    img = img.reshape(h, w, chans)
    if chans >= 3:
        g = (img[..., 0] * 299 + img[..., 1] * 587 + img[..., 2] * 114 + 500) // 1000
    else:
        g = img[..., 0]
    return g.astype(np.uint8)


# ---------------------------------------------------------------- running

def quantize_in(x, det):
    if det["dtype"] == np.float32:
        return x.astype(np.float32)
    s, zp = det["quantization_parameters"]["scales"][0], det["quantization_parameters"]["zero_points"][0]
    info = np.iinfo(det["dtype"])
    return np.clip(np.round(x / s) + zp, info.min, info.max).astype(det["dtype"])


_IO = {}


def io_counts(path):
    """(number of subgraph inputs, outputs) read from the flatbuffer."""
    key = str(path)
    if key not in _IO:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        from tensorflow.lite.python import schema_py_generated as S
        m = S.Model.GetRootAsModel(pathlib.Path(path).read_bytes(), 0)
        sg = m.Subgraphs(0)
        _IO[key] = (sg.InputsLength(), sg.OutputsLength())
    return _IO[key]


def run_oracle(path, inputs):
    rt = runtime()
    it = rt.Interpreter.from_file(str(path), arena_size=4 << 20)
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    return [np.array(it.get_output(k)) for k in range(io_counts(path)[1])]


def run_ours(runner, path, inputs, n_out, tmp):
    args = [str(runner), str(path)]
    for i, x in enumerate(inputs):
        p = pathlib.Path(tmp) / f"in{i}.bin"
        p.write_bytes(np.ascontiguousarray(x).tobytes())
        args += ["-i", str(p)]
    outs = []
    for i in range(n_out):
        outs.append(pathlib.Path(tmp) / f"out{i}.bin")
        args += ["-o", str(outs[-1])]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr.strip() or r.stdout.strip())
    return [p.read_bytes() for p in outs], json.loads(r.stdout.strip().splitlines()[-1])


def compare(ref, ours):
    """(exact, max relative difference) over all outputs."""
    exact, rel = True, 0.0
    for r, o in zip(ref, ours):
        rb = np.ascontiguousarray(r).tobytes()
        if rb != o:
            exact = False
            if r.dtype == np.float32:
                ov = np.frombuffer(o, np.float32).reshape(r.shape)
                d = np.abs(ov.astype(np.float64) - r.astype(np.float64))
                rel = max(rel, float(np.max(d / np.maximum(np.abs(r.astype(np.float64)), 1e-6))))
            else:
                rel = float("inf")
    return exact, rel


def input_details(path):
    rt = runtime()
    it = rt.Interpreter.from_file(str(path), arena_size=4 << 20)
    return [it.get_input_details(i) for i in range(io_counts(path)[0])]


def random_inputs(dets, rng):
    xs = []
    for det in dets:
        shape = tuple(det["shape"])
        if det["dtype"] == np.float32:
            xs.append(rng.uniform(-1.0, 1.0, shape).astype(np.float32) if rng.random() < 0.5
                      else rng.standard_normal(shape).astype(np.float32) * 2.0)
        else:
            info = np.iinfo(det["dtype"])
            xs.append(rng.integers(info.min, info.max + 1, shape).astype(det["dtype"]))
    return xs


class Tally:
    def __init__(self):
        self.rows = []

    def add(self, model, case, exact, rel, err=None):
        self.rows.append((model, case, exact, rel, err))
        tag = "EXACT" if exact else ("FAIL " + (err or "max rel %.3g" % rel))
        print(f"  {model:40s} {case:24s} {tag}", flush=True)

    def ok(self, float_tol=1e-5):
        bad = [r for r in self.rows if not r[2] and (r[4] is not None or not r[3] <= float_tol)]
        return not bad


def check_model(tally, runner, path, cases, tmp):
    for name, xs in cases:
        ref = run_oracle(path, xs)
        ours, info = run_ours(runner, path, xs, len(ref), tmp)
        if ours is None:
            tally.add(path.name, name, False, float("inf"), err=info)
            continue
        exact, rel = compare(ref, ours)
        tally.add(path.name, name, exact, rel)


def mnist_cases(path):
    dets = input_details(path)
    det = dets[0]
    cases = []
    for png in sorted(MNIST.glob("*.png")):
        g = png_gray(png).astype(np.float32) / 255.0
        x = g.reshape(det["shape"])
        cases.append((png.name, [quantize_in(x, det)]))
    return cases


def mnist_predictions(runner, path, tmp):
    """Digit read by our engine (and the oracle) for each sample."""
    res = []
    for name, xs in mnist_cases(path):
        ref = run_oracle(path, xs)
        ours, _ = run_ours(runner, path, xs, 1, tmp)
        o = np.frombuffer(ours[0], ref[0].dtype) if ours else None
        res.append((name, int(np.argmax(ref[0])), None if o is None else int(np.argmax(o))))
    return res


# ---------------------------------------------------------------- Keras models

def tf_keras():
    """Keras 2 (tf_keras, pinned in tools/requirements.txt): only its LSTM layer
    converts to the fused UNIDIRECTIONAL_SEQUENCE_LSTM op (Keras 3's becomes a
    WHILE loop, whose int8 calibration crashes the converter)."""
    import tf_keras
    return tf_keras


# (units, timesteps, features, time_major_input, return_sequences, extra)
LSTM_SWEEP = [
    (1, 1, 1, False, True, ""),
    (4, 3, 2, False, True, ""),
    (8, 5, 3, False, False, ""),
    (16, 10, 8, False, True, ""),
    (20, 28, 28, False, False, ""),
    (32, 7, 13, False, True, ""),
    (5, 16, 40, False, True, ""),
    (64, 4, 16, False, False, ""),
    (12, 6, 9, False, True, "stack"),
    (10, 9, 4, False, True, "dense"),
    (6, 5, 3, False, True, "batch2"),
    (9, 4, 7, False, False, "batch2"),
]


def sweep_base(cfg):
    units, steps, feats, _tm, seq, extra = cfg
    return f"lstm_u{units}_t{steps}_f{feats}{'_seq' if seq else ''}{'_' + extra if extra else ''}"


def build_keras_lstm(cfg):
    """One sweep entry -> (float32 .tflite bytes, full-int8 .tflite bytes)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    keras = tf_keras()
    units, steps, feats, _tm, seq, extra = cfg
    keras.utils.set_random_seed(units * 1000 + steps * 10 + feats)
    batch = 2 if extra == "batch2" else 1
    inp = keras.Input(shape=(steps, feats), batch_size=batch)
    x = keras.layers.LSTM(units, return_sequences=seq or extra == "stack", unroll=False)(inp)
    if extra == "stack":
        x = keras.layers.LSTM(units // 2 + 1, return_sequences=seq, unroll=False)(x)
    if extra == "dense":
        x = keras.layers.Dense(3)(x)
    model = keras.Model(inp, x)
    # Spread the weights a little so gates saturate sometimes.
    for w in model.weights:
        v = w.numpy()
        w.assign(v * 1.5 + np.random.default_rng(units).normal(0, 0.05, v.shape).astype(v.dtype))
    rng = np.random.default_rng(1)

    def rep():
        for _ in range(32):
            yield [rng.normal(0, 1.0, (batch, steps, feats)).astype(np.float32)]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    f32 = conv.convert()
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return f32, conv.convert()


def gen_models(only=None):
    """Keras LSTM models over a sweep; returns the list of .tflite paths."""
    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for cfg in LSTM_SWEEP:
        base = sweep_base(cfg)
        if only and only not in base:
            continue
        fp, qp = OUT / (base + "_f32.tflite"), OUT / (base + "_int8.tflite")
        paths += [fp, qp]
        if fp.exists() and qp.exists():
            continue
        f32, q8 = build_keras_lstm(cfg)
        fp.write_bytes(f32)
        qp.write_bytes(q8)
    return paths


def to_16x8(sg, op, m):
    """Turn an int8 single-op LSTM into the 16x8 variant TFLM also runs (the
    converter cannot emit it): int16 input / hidden state / output with zero
    point 0, int64 biases requantised to input scale * weight scale."""
    T_I16, T_I64 = 7, 4
    x, h, y = sg.tensors[op.inputs[0]], sg.tensors[op.inputs[18]], sg.tensors[op.outputs[0]]
    s_in_old = float(x.quantization.scale[0])
    x.type, h.type, y.type = T_I16, T_I16, T_I16
    x.quantization.scale = [np.float32(4.0 / 32767.0)]
    h.quantization.scale = [np.float32(1.0 / 32767.0)]
    y.quantization.scale = [np.float32(1.0 / 32767.0)]
    for t in (x, h, y):
        t.quantization.zeroPoint = [0]
    for g in range(4):
        w = sg.tensors[op.inputs[1 + g]]
        b = sg.tensors[op.inputs[12 + g]]
        sw = float(w.quantization.scale[0])
        old = np.frombuffer(bytes(bytearray(m.buffers[b.buffer].data)), np.int32).astype(np.float64)
        real = old * (s_in_old * sw)
        new_s = float(np.float32(4.0 / 32767.0)) * sw
        b.type = T_I64
        b.quantization.scale = [np.float32(new_s)]
        b.quantization.zeroPoint = [0]
        m.buffers[b.buffer].data = np.frombuffer(np.round(real / new_s).astype(np.int64).tobytes(), np.uint8)


def variant_kinds(name):
    """Variants that apply to a single-op sweep model file name."""
    if "_seq" not in name or "stack" in name or "dense" in name:
        return ()
    return ("tm", "clip", "noclip") + (("a16", "a16_tm") if "_int8" in name else ())


def variant_bytes(data, kind):
    """A model-file variant of a single-op LSTM model: "tm" time-major input
    (dims 0 and 1 of the input and output swapped, time_major set), "clip" a
    small cell clip (often active), "noclip" no cell clip, "a16" the 16x8
    model without cell clip, "a16_tm" the 16x8 model time-major."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import flatbuffers
    from tensorflow.lite.python import schema_py_generated as S
    m = S.ModelT.InitFromObj(S.Model.GetRootAsModel(data, 0))
    sg = m.subgraphs[0]
    assert len(sg.operators) == 1
    op = sg.operators[0]
    o = op.builtinOptions
    if kind.startswith("a16"):
        to_16x8(sg, op, m)
    if kind.endswith("tm"):
        o.timeMajor = True
        for ti in (op.inputs[0], op.outputs[0]):
            sh = list(sg.tensors[ti].shape)
            sg.tensors[ti].shape = [sh[1], sh[0], sh[2]]
            if sg.tensors[ti].shapeSignature is not None:
                ss = list(sg.tensors[ti].shapeSignature)
                sg.tensors[ti].shapeSignature = [ss[1], ss[0], ss[2]]
    elif kind == "clip":
        o.cellClip = 0.3
    else:  # "noclip" and "a16"
        o.cellClip = 0.0
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def variants(paths):
    """Model-file variants (variant_bytes) of the single-op LSTM models."""
    out = []
    for path in paths:
        for kind in variant_kinds(path.name):
            vp = path.with_name(path.stem + "_" + kind + ".tflite")
            out.append(vp)
            if not vp.exists():
                vp.write_bytes(variant_bytes(path.read_bytes(), kind))
    return out


# ---------------------------------------------------------------- state carry-over

ENGINE = TOP / "usermod_tflm" / "engine"


def build_state_runner(san):
    exe = OUT / ("state_run_san" if san else "state_run")
    srcs = sorted(str(p) for p in ENGINE.rglob("*.c"))  # every engine source: core, registry, ref and arm kernels
    deps = srcs + [str(HERE / "state_run.c")] + [str(p) for p in ENGINE.rglob("*.h")] \
        + [str(p) for p in ENGINE.rglob("*.def")]
    if exe.exists() and all(os.path.getmtime(d) <= os.path.getmtime(exe) for d in deps):
        return exe
    flags = ["-std=c99", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    flags += (["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
              if san else ["-O2", "-g"])
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc"] + flags + ["-I" + str(ENGINE), "-o", str(exe), str(HERE / "state_run.c")] + srcs
                   + ["-lm"], check=True)
    return exe


def check_stateful(tally, exe, path, rng, k, tmp):
    """K invokes in a row (state carried over), then again with a reset
    before invoke K/2: every invoke's output 0 must match the oracle's."""
    det = input_details(path)[0]
    xs = [random_inputs([det], rng)[0] for _ in range(k)]
    rt = runtime()
    for reset_before in (-1, k // 2):
        it = rt.Interpreter.from_file(str(path), arena_size=4 << 20)
        want = []
        for i, x in enumerate(xs):
            if i == reset_before:
                it.reset()
            it.set_input(x, 0)
            it.invoke()
            want.append(np.array(it.get_output(0)))
        ip, op = pathlib.Path(tmp) / "seq_in.bin", pathlib.Path(tmp) / "seq_out.bin"
        ip.write_bytes(b"".join(np.ascontiguousarray(x).tobytes() for x in xs))
        args = [str(exe), str(path), str(ip), str(op), str(k)] + ([str(reset_before)] if reset_before >= 0 else [])
        r = subprocess.run(args, capture_output=True, text=True)
        case = f"{k} invokes" + (f", reset@{reset_before}" if reset_before >= 0 else "")
        if r.returncode != 0:
            tally.add(path.name, case, False, float("inf"), err=r.stderr.strip())
            continue
        got = op.read_bytes()
        n = len(got) // k
        exact, rel = compare(want, [got[i * n:(i + 1) * n] for i in range(k)])
        tally.add(path.name, case, exact, rel)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", default=str(TOP / "build" / "host" / "tflm_run"))
    ap.add_argument("--n", type=int, default=5, help="random inputs per model")
    ap.add_argument("--gen", action="store_true", help="also Keras-generated sweeps")
    ap.add_argument("--no-shared", action="store_true")
    ap.add_argument("--dtln", action="store_true", help="also dtln_noise_suppression")
    ap.add_argument("--only", default=None)
    ap.add_argument("--stateful", type=int, default=0, metavar="K",
                    help="also K invokes in a row with carried-over state (own runner, built here)")
    ap.add_argument("--san", action="store_true", help="stateful runner with ASan+UBSan")
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        shared = [] if a.no_shared else ["trained_lstm_int8.tflite", "trained_lstm.tflite", "micro_speech_lstm.tflite"]
        if a.dtln:
            shared.append("dtln_noise_suppression.tflite")
        for m in shared:
            path = MODELS / m
            if a.only and a.only not in m:
                continue
            dets = input_details(path)
            cases = [(f"random{k}", random_inputs(dets, rng)) for k in range(a.n)]
            if m.startswith("trained_lstm"):
                cases += mnist_cases(path)
            check_model(tally, a.runner, path, cases, tmp)
            if m.startswith("trained_lstm"):
                for name, ref_d, our_d in mnist_predictions(a.runner, path, tmp):
                    # sampleN.png shows the digit N.
                    label = int(name[len("sample"):-len(".png")])
                    print(f"    {m}: {name} -> oracle {ref_d}, ours {our_d}")
                    tally.add(m, name + " reads " + str(label), our_d == label and ref_d == label, 0.0,
                              err=None if our_d == label and ref_d == label else f"read {our_d}")
        if a.gen:
            gen = gen_models(a.only)
            for path in gen + variants(gen):
                dets = input_details(path)
                cases = [(f"random{k}", random_inputs(dets, rng)) for k in range(a.n)]
                check_model(tally, a.runner, path, cases, tmp)
        if a.stateful:
            exe = build_state_runner(a.san)
            models = [MODELS / m for m in ("dtln_noise_suppression.tflite", "micro_speech_lstm.tflite",
                                            "trained_lstm_int8.tflite", "trained_lstm.tflite")]
            if a.gen:
                models += sorted(OUT.glob("lstm_*.tflite"))
            for path in models:
                if a.only and a.only not in path.name:
                    continue
                check_stateful(tally, exe, path, rng, a.stateful, tmp)
    n_exact = sum(1 for r in tally.rows if r[2])
    print(f"{n_exact}/{len(tally.rows)} exact; " + ("PASS" if tally.ok() else "FAIL"))
    return 0 if tally.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
