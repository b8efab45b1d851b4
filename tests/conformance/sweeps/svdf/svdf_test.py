"""Development conformance test of the SVDF kernel (builtin 27).

TensorFlow has no converter path that emits SVDF, so the one-op models are
written directly with the schema's object API (ModelT ...), with random
weights and quantisation parameters, plus one-op models cut out of
keyword_scrambled*.tflite (same weights). Each model runs K invokes in a row
(the activation state carries over) on random inputs, on the tflite_micro
oracle and on our engine (build/svdf/seq_run, built from seq_run.c), and the
output bytes of every invoke are compared. A second pass resets the state
half way through (oracle: reset(); ours: tflm_interp_reset).

  python tests/conformance/sweeps/svdf/svdf_test.py [--san] [-k INVOKES] [--only SUBSTR]
  python tests/conformance/sweeps/svdf/svdf_test.py --full   (whole keyword models)
  python tests/conformance/sweeps/svdf/svdf_test.py --runner build/host-san/tflm_run [--full]
"""
import argparse
import os
import pathlib
import subprocess
import sys
import zlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parents[3]
OUT = TOP / "build" / "svdf"
MODELS = TOP.parent / "shared" / "models"
ENGINE = TOP / "usermod_tflm" / "engine"

T_F32, T_I32, T_I16, T_I8 = 0, 2, 7, 9
NP = {T_F32: np.float32, T_I32: np.int32, T_I16: np.int16, T_I8: np.int8}


def schema():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow.lite.python import schema_py_generated as S
    return S


def build_seq_runner(san):
    exe = OUT / ("seq_run_san" if san else "seq_run")
    srcs = sorted(str(p) for p in ENGINE.rglob("*.c"))  # every engine source: core, registry, ref and arm kernels
    deps = srcs + [str(HERE / "seq_run.c")] + [str(p) for p in ENGINE.rglob("*.h")] + [str(p) for p in ENGINE.rglob("*.def")]
    if exe.exists() and all(os.path.getmtime(d) <= os.path.getmtime(exe) for d in deps):
        return exe
    flags = ["-std=c99", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    flags += (["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
              if san else ["-O2", "-g"])
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc"] + flags + ["-I" + str(ENGINE), "-o", str(exe), str(HERE / "seq_run.c")] + srcs + ["-lm"],
                   check=True)
    return exe


# ---------------------------------------------------------------- model writer

def make_svdf_model(name, kind, batch, n_input, n_filter, rank, n_memory, act, rng, bias=True,
                    state_zp=0, in_zp=None, out_zp=None, sat=1.0, state_init=False):
    """One SVDF op. kind: 'f32', 's8s16' (int16 weights_time/state) or 's8s8'."""
    S = schema()
    n_unit = n_filter // rank
    x_real = 1.0
    if kind == "f32":
        wf = (rng.standard_normal((n_filter, n_input)) / np.sqrt(n_input)).astype(np.float32)
        wt = (rng.standard_normal((n_filter, n_memory)) / np.sqrt(n_memory)).astype(np.float32)
        bb = rng.standard_normal(n_unit).astype(np.float32) * 0.3
        if bias == "zero":
            bb[:] = 0.0
        types = dict(inp=T_F32, wf=T_F32, wt=T_F32, b=T_F32, st=T_F32, out=T_F32)
        q = {}
    else:
        wide = kind == "s8s16"
        st_t = T_I16 if wide else T_I8
        st_q = 32767 if wide else 127
        in_zp = int(rng.integers(-128, 128)) if in_zp is None else in_zp
        s_in = np.float32(2.0 * x_real / 255.0)
        s_wf = np.float32(rng.uniform(0.2, 1.0) / np.sqrt(n_input) * 2.0 / 127.0)
        wf = rng.integers(-127, 128, (n_filter, n_input)).astype(np.int8)
        feat_std = float(x_real * 0.58 * 127 * float(s_wf) * 0.58 * np.sqrt(n_input))
        s_st = np.float32(feat_std * rng.uniform(2.0, 6.0) / sat / st_q)
        wmax = 32767 if wide else 127
        wt = rng.integers(-wmax, wmax + 1, (n_filter, n_memory)).astype(NP[st_t])
        s_wt = np.float32(rng.uniform(0.5, 1.5) / np.sqrt(n_memory) / wmax)
        s_b = np.float32(s_st * s_wt)
        out_std = feat_std * float(s_wt) * wmax * 0.58 * np.sqrt(n_memory * rank)
        s_out = np.float32(out_std * rng.uniform(2.0, 6.0) / sat / 127.0)
        out_zp = int(rng.integers(-128, 128)) if out_zp is None else out_zp
        bb = np.clip(np.round(rng.uniform(-1.0, 1.0, n_unit) * out_std / float(s_b)), -2 ** 30, 2 ** 30).astype(np.int32)
        types = dict(inp=T_I8, wf=T_I8, wt=st_t, b=T_I32, st=st_t, out=T_I8)
        q = dict(inp=(s_in, in_zp), wf=(s_wf, 0), wt=(s_wt, 0), b=(s_b, 0), st=(s_st, state_zp), out=(s_out, out_zp))

    m = S.ModelT()
    m.version = 3
    m.description = name
    oc = S.OperatorCodeT()
    oc.builtinCode = 27
    oc.deprecatedBuiltinCode = 27
    oc.version = 1 if kind == "f32" else (3 if kind == "s8s16" else 4)
    m.operatorCodes = [oc]
    bufs = [S.BufferT()]
    tensors = []

    def add(tname, key, shape, data=None, variable=False):
        t = S.TensorT()
        t.name = tname
        t.type = types[key]
        t.shape = list(shape)
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
            bufs.append(b)
            t.buffer = len(bufs) - 1
        else:
            t.buffer = 0
        t.isVariable = variable
        if key in q:
            qp = S.QuantizationParametersT()
            qp.scale = [float(q[key][0])]
            qp.zeroPoint = [int(q[key][1])]
            t.quantization = qp
        tensors.append(t)
        return len(tensors) - 1

    i_in = add("input", "inp", (batch, n_input))
    i_wf = add("weights_feature", "wf", (n_filter, n_input), wf)
    i_wt = add("weights_time", "wt", (n_filter, n_memory), wt)
    i_b = add("bias", "b", (n_unit,), bb) if bias else -1
    st_data = None
    if state_init:
        # A variable tensor with a buffer: TFLM ignores the buffer.
        st_dt = NP[types["st"]]
        st_data = (rng.standard_normal(batch * n_filter * n_memory).astype(np.float32) if st_dt == np.float32
                   else rng.integers(-6, 7, batch * n_filter * n_memory).astype(st_dt)).reshape(batch, -1)
    i_st = add("state", "st", (batch, n_filter * n_memory), st_data, variable=True)
    i_out = add("output", "out", (batch, n_unit))
    op = S.OperatorT()
    op.opcodeIndex = 0
    op.inputs = [i_in, i_wf, i_wt, i_b, i_st]
    op.outputs = [i_out]
    op.builtinOptionsType = S.BuiltinOptions.SVDFOptions
    opt = S.SVDFOptionsT()
    opt.rank = rank
    opt.fusedActivationFunction = act
    op.builtinOptions = opt
    sg = S.SubGraphT()
    sg.tensors = tensors
    sg.inputs = [i_in]
    sg.outputs = [i_out]
    sg.operators = [op]
    sg.name = "main"
    m.subgraphs = [sg]
    m.buffers = bufs
    return pack(m)


def pack(m):
    import flatbuffers
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def cut_ops(path, want_builtin=27):
    """One-op models from every op with builtin code want_builtin in a model."""
    S = schema()
    buf = open(path, "rb").read()
    src = S.ModelT.InitFromObj(S.Model.GetRootAsModel(buf, 0))
    sg0 = src.subgraphs[0]
    res = []
    for k, op in enumerate(sg0.operators):
        oc = src.operatorCodes[op.opcodeIndex]
        if max(oc.builtinCode, oc.deprecatedBuiltinCode) != want_builtin:
            continue
        m = S.ModelT()
        m.version = 3
        m.operatorCodes = [oc]
        bufs = [S.BufferT()]
        remap = {}
        tensors = []
        for ti in list(op.inputs) + list(op.outputs):
            if ti < 0 or ti in remap:
                continue
            t = sg0.tensors[ti]
            sb = src.buffers[t.buffer]
            if t.buffer != 0 and sb.data is not None and len(sb.data) > 0:
                nb = S.BufferT()
                nb.data = sb.data
                bufs.append(nb)
                t.buffer = len(bufs) - 1
            else:
                t.buffer = 0
            tensors.append(t)
            remap[ti] = len(tensors) - 1
        nop = S.OperatorT()
        nop.opcodeIndex = 0
        nop.inputs = [remap[i] if i >= 0 else -1 for i in op.inputs]
        nop.outputs = [remap[i] for i in op.outputs]
        nop.builtinOptionsType = op.builtinOptionsType
        nop.builtinOptions = op.builtinOptions
        sg = S.SubGraphT()
        sg.tensors = tensors
        sg.inputs = [remap[op.inputs[0]]]
        sg.outputs = [remap[op.outputs[0]]]
        sg.operators = [nop]
        m.subgraphs = [sg]
        m.buffers = bufs
        res.append((k, pack(m)))
    return res


# ---------------------------------------------------------------- running

def input_info(model_bytes):
    S = schema()
    m = S.Model.GetRootAsModel(model_bytes, 0)
    sg = m.Subgraphs(0)
    t = sg.Tensors(sg.Inputs(0))
    return NP[t.Type()], tuple(t.ShapeAsNumpy())


def random_inputs(dtype, shape, k, rng):
    if dtype == np.float32:
        return [rng.uniform(-1.0, 1.0, shape).astype(np.float32) for _ in range(k)]
    info = np.iinfo(dtype)
    return [rng.integers(info.min, info.max + 1, shape).astype(dtype) for _ in range(k)]


def run_oracle(model_bytes, xs, reset_at=-1):
    from tflite_micro.python.tflite_micro import runtime
    it = runtime.Interpreter.from_bytes(model_bytes, arena_size=4 << 20)
    outs = []
    for k, x in enumerate(xs):
        if k == reset_at:
            it.reset()
        it.set_input(x, 0)
        it.invoke()
        outs.append(np.array(it.get_output(0)).tobytes())
    return outs


def run_ours(exe, model_path, xs, reset_at=-1):
    seq_in = OUT / "tmp_in.bin"
    seq_out = OUT / "tmp_out.bin"
    seq_in.write_bytes(b"".join(x.tobytes() for x in xs))
    args = [str(exe), str(model_path), str(seq_in), str(seq_out), str(len(xs))]
    if reset_at >= 0:
        args.append(str(reset_at))
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr.strip() or r.stdout.strip())
    data = seq_out.read_bytes()
    n = len(data) // len(xs)
    return [data[i * n:(i + 1) * n] for i in range(len(xs))], None


def compare_runner(name, model_bytes, runner, k, rng, oracle_bytes=None):
    """tflm_run MODEL -i X --repeat k against k oracle invokes on the same X."""
    path = OUT / "models" / (name + ".tflite")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model_bytes)
    dtype, shape = input_info(model_bytes)
    x = random_inputs(dtype, shape, 1, rng)[0]
    (OUT / "tmp_x.bin").write_bytes(x.tobytes())
    want = run_oracle(oracle_bytes or model_bytes, [x] * k)[-1]
    r = subprocess.run([str(runner), str(path), "-i", str(OUT / "tmp_x.bin"), "-o", str(OUT / "tmp_y.bin"),
                        "--repeat", str(k)], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL %s: %s" % (name, r.stderr.strip()))
        return False
    return (OUT / "tmp_y.bin").read_bytes() == want


def compare(name, model_bytes, exe, k, rng, is_float=False, log=print, oracle_bytes=None):
    path = OUT / "models" / (name + ".tflite")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model_bytes)
    dtype, shape = input_info(model_bytes)
    xs = random_inputs(dtype, shape, k, rng)
    good = 0
    for reset_at in (-1, k // 2):
        want = run_oracle(oracle_bytes or model_bytes, xs, reset_at)
        got, err = run_ours(exe, path, xs, reset_at)
        if err:
            log("FAIL %s: %s" % (name, err))
            return 0, k * 2
        for i, (a, b) in enumerate(zip(want, got)):
            if a == b:
                good += 1
                continue
            if is_float:
                fa = np.frombuffer(a, np.float32)
                fb = np.frombuffer(b, np.float32)
                if np.allclose(fa, fb, rtol=1e-5, atol=1e-6):
                    log("NOTE %s invoke %d: float within tolerance, not exact" % (name, i))
                    good += 1
                    continue
            ia = np.frombuffer(a, np.int8 if not is_float else np.float32)
            ib = np.frombuffer(b, np.int8 if not is_float else np.float32)
            log("MISMATCH %s invoke %d reset_at %d: max diff %s" % (
                name, i, reset_at, np.max(np.abs(ia.astype(np.float64) - ib.astype(np.float64)))))
            break
    return good, 2 * k


def cases(rng):
    acts = [0, 1, 2, 3, 4, 5]
    out = []
    for i, act in enumerate(acts):
        out.append(("f32_act%d" % act, "f32", dict(batch=1, n_input=12, n_filter=8, rank=1, n_memory=4, act=act)))
    out.append(("f32_rank2_b2", "f32", dict(batch=2, n_input=7, n_filter=12, rank=2, n_memory=5, act=1)))
    out.append(("f32_rank3_mem1", "f32", dict(batch=1, n_input=9, n_filter=9, rank=3, n_memory=1, act=0)))
    out.append(("f32_big", "f32", dict(batch=1, n_input=96, n_filter=64, rank=1, n_memory=8, act=1)))
    for kind in ("s8s16", "s8s8"):
        out.append(("%s_basic" % kind, kind, dict(batch=1, n_input=16, n_filter=8, rank=1, n_memory=4, act=1)))
        out.append(("%s_rank2_b2" % kind, kind, dict(batch=2, n_input=10, n_filter=12, rank=2, n_memory=6, act=0)))
        out.append(("%s_rank4_b3" % kind, kind, dict(batch=3, n_input=5, n_filter=16, rank=4, n_memory=3, act=0)))
        out.append(("%s_mem1" % kind, kind, dict(batch=1, n_input=20, n_filter=5, rank=1, n_memory=1, act=0)))
        out.append(("%s_kws" % kind, kind, dict(batch=1, n_input=96, n_filter=64, rank=1, n_memory=8, act=1)))
        out.append(("%s_kws2" % kind, kind, dict(batch=1, n_input=16, n_filter=32, rank=1, n_memory=32, act=1)))
        out.append(("%s_sat" % kind, kind, dict(batch=1, n_input=24, n_filter=8, rank=2, n_memory=5, act=0, sat=8.0)))
        out.append(("%s_act6" % kind, kind, dict(batch=1, n_input=8, n_filter=6, rank=1, n_memory=3, act=3)))
    out.append(("s8s8_statezp", "s8s8", dict(batch=2, n_input=12, n_filter=8, rank=2, n_memory=4, act=0, state_zp=-37)))
    out.append(("s8s8_statezp2", "s8s8", dict(batch=1, n_input=32, n_filter=16, rank=1, n_memory=10, act=1, state_zp=90)))
    # Saturating feature stage with a state zero point: the oracle's
    # clamp-then-add order wraps the stored state.
    out.append(("s8s8_statezp_sat", "s8s8", dict(batch=1, n_input=24, n_filter=8, rank=1, n_memory=6, act=0,
                                                  state_zp=100, sat=6.0)))
    out.append(("s8s8_statezp_sat2", "s8s8", dict(batch=2, n_input=24, n_filter=8, rank=2, n_memory=3, act=0,
                                                   state_zp=-120, sat=6.0)))
    out.append(("s8s16_statezp", "s8s16", dict(batch=1, n_input=16, n_filter=8, rank=1, n_memory=4, act=0,
                                               state_zp=1000)))
    out.append(("s8s8_stateinit", "s8s8", dict(batch=1, n_input=16, n_filter=8, rank=1, n_memory=4, act=0,
                                                state_zp=5, state_init=True)))
    out.append(("f32_stateinit", "f32", dict(batch=1, n_input=16, n_filter=8, rank=1, n_memory=4, act=0,
                                              state_init=True)))
    for s in range(6):
        kind = ("s8s16", "s8s8", "f32")[s % 3]
        rank = int(rng.integers(1, 4))
        out.append(("rand%d_%s" % (s, kind), kind, dict(
            batch=int(rng.integers(1, 4)), n_input=int(rng.integers(1, 40)), n_filter=rank * int(rng.integers(1, 10)),
            rank=rank, n_memory=int(rng.integers(1, 12)), act=int(rng.integers(0, 4)),
            state_zp=int(rng.integers(-100, 100)) if kind == "s8s8" else 0)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--san", action="store_true")
    ap.add_argument("-k", type=int, default=12)
    ap.add_argument("--only", default="")
    ap.add_argument("--full", action="store_true", help="whole keyword_scrambled models")
    ap.add_argument("--runner", default="", help="check tflm_run --repeat K instead (same input each invoke)")
    a = ap.parse_args()
    exe = build_seq_runner(a.san)
    rng = np.random.default_rng(1234)
    tot_models = ok_models = tot_inv = ok_inv = 0
    todo = []
    for name, kind, kw in cases(rng):
        mrng = np.random.default_rng(zlib.crc32(name.encode()))
        todo.append((name, lambda kind=kind, kw=kw, mrng=mrng, name=name: make_svdf_model(name, kind, rng=mrng, **kw),
                     kind == "f32"))
    # The oracle crashes on an absent bias (TFLM issue 1751); ours treats it
    # as zeros: compare against the oracle running an all-zero bias twin.
    nb = dict(batch=2, n_input=10, n_filter=6, rank=2, n_memory=3, act=1)
    todo.append(("f32_nobias", lambda: make_svdf_model("f32_nobias", "f32", rng=np.random.default_rng(5), bias=False, **nb),
                 True, lambda: make_svdf_model("f32_zerobias", "f32", rng=np.random.default_rng(5), bias="zero", **nb)))
    for fn in ("keyword_scrambled.tflite", "keyword_scrambled_8bit.tflite"):
        for k, mb in cut_ops(MODELS / fn):
            todo.append(("cut_%s_op%d" % (fn.split(".")[0], k), lambda mb=mb: mb, False))
    if a.full:
        todo = [("full_" + fn.split(".")[0], lambda fn=fn: (MODELS / fn).read_bytes(), False)
                for fn in ("keyword_scrambled.tflite", "keyword_scrambled_8bit.tflite")]
    for entry in todo:
        name, mk, is_float = entry[:3]
        twin = entry[3]() if len(entry) > 3 else None
        if a.only and a.only not in name:
            continue
        if a.runner:
            same = compare_runner(name, mk(), a.runner, a.k, np.random.default_rng(len(name) * 7919 + 3), twin)
            tot_models += 1
            ok_models += same
            print("%-40s %s" % (name, "ok" if same else "MISMATCH"))
            continue
        good, n = compare(name, mk(), exe, a.k, np.random.default_rng(len(name) * 7919 + 1), is_float, oracle_bytes=twin)
        tot_models += 1
        tot_inv += n
        ok_inv += good
        ok_models += good == n
        print("%-40s %d/%d" % (name, good, n))
    if a.runner:
        print("models bit-exact %d/%d after %d repeated invokes" % (ok_models, tot_models, a.k))
    else:
        print("models bit-exact %d/%d, invokes %d/%d" % (ok_models, tot_models, ok_inv, tot_inv))
    return 0 if ok_models == tot_models else 1


if __name__ == "__main__":
    sys.exit(main())
