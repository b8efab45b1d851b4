"""Single-op sweeps of the signal-library CUSTOM ops vs the tflite_micro oracle.

Each case is a one-op model written with the TFLite schema's object API (the
op's options as a FlexBuffers map, as TFLM's signal ops expect), run on random
inputs by the oracle and by our engine (frames_run for one-input models,
several frames in a row so stateful ops carry state; tflm_run otherwise).
Output bytes must be identical (SignalEnergy: bins in [start, end) only).

    .deps/venv/bin/python tests/conformance/signal/sweep_check.py [--san]
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import signal_check as sc  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
OUT = sc.OUT / "sweep"
TFLM_RUN = sc.TOP / "build" / "host" / "tflm_run"
TT = {np.int16: 7, np.int32: 2, np.uint32: 15, np.uint64: 12, np.int8: 9, np.float32: 0}


def make_model(custom, opts, inputs, outputs):
    """inputs/outputs: list of (dtype, shape, const_array_or_None)."""
    from flatbuffers import flexbuffers
    import flatbuffers
    from tensorflow.lite.python import schema_py_generated as s
    m = s.ModelT()
    m.version = 3
    m.buffers = [s.BufferT()]
    sg = s.SubGraphT()
    sg.tensors = []
    ins, outs, model_in = [], [], []
    for k, (dt, shape, data) in enumerate(inputs + outputs):
        t = s.TensorT()
        t.name = f"t{k}".encode()
        t.type = TT[dt]
        t.shape = list(shape)
        b = s.BufferT()
        if data is not None:
            b.data = np.frombuffer(np.asarray(data, dt).tobytes(), np.uint8)
        m.buffers.append(b)
        t.buffer = len(m.buffers) - 1
        sg.tensors.append(t)
        if k < len(inputs):
            ins.append(k)
            if data is None:
                model_in.append(k)
        else:
            outs.append(k)
    oc = s.OperatorCodeT()
    oc.builtinCode = 32
    oc.deprecatedBuiltinCode = 32
    oc.customCode = custom.encode()
    oc.version = 1
    m.operatorCodes = [oc]
    op = s.OperatorT()
    op.opcodeIndex = 0
    op.inputs = ins
    op.outputs = outs
    op.customOptions = list(flexbuffers.Dumps(opts))
    op.customOptionsFormat = 0
    sg.operators = [op]
    sg.inputs = model_in
    sg.outputs = outs
    m.subgraphs = [sg]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def run_case(name, model, feeds, out_mask=None, frames_exe=None):
    """feeds: list over invokes of list of input arrays. Returns True if equal."""
    from tflite_micro.python.tflite_micro import runtime
    OUT.mkdir(parents=True, exist_ok=True)
    mp = OUT / f"{name}.tflite"
    mp.write_bytes(model)
    it = runtime.Interpreter.from_bytes(model, arena_size=400000)
    ref = []
    for fd in feeds:
        for i, x in enumerate(fd):
            it.set_input(x, i)
        it.invoke()
        ref.append(it.get_output(0).tobytes())
    n_in = len(feeds[0])
    if n_in == 1 and frames_exe is not None:
        inp, outp = OUT / f"{name}.in", OUT / f"{name}.out"
        with open(inp, "wb") as f:
            for fd in feeds:
                f.write(fd[0].tobytes())
        r = subprocess.run([str(frames_exe), str(mp), str(inp), str(outp), str(len(feeds))], capture_output=True,
                           text=True)
        if r.returncode != 0:
            print(f"  {name}: ours failed: {r.stderr.strip()}")
            return False
        data = outp.read_bytes()
        got, pos = [], 0
        for rb in ref:
            got.append(data[pos:pos + len(rb)])
            pos += len(rb)
    else:
        assert len(feeds) == 1
        args = [str(TFLM_RUN), str(mp)]
        for i, x in enumerate(feeds[0]):
            p = OUT / f"{name}.in{i}"
            p.write_bytes(x.tobytes())
            args += ["-i", str(p)]
        args += ["-o", str(OUT / f"{name}.out")]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"  {name}: ours failed: {r.stdout.strip()} {r.stderr.strip()}")
            return False
        got = [(OUT / f"{name}.out").read_bytes()]
    for k, (a, b) in enumerate(zip(ref, got)):
        if out_mask is not None:
            a, b = a[out_mask[0]:out_mask[1]], b[out_mask[0]:out_mask[1]]
        if a != b:
            print(f"  {name}: MISMATCH at invoke {k}")
            return False
    return True


# Each sweep: (custom op name, short name, parameter sets, builder). A builder
# takes one parameter set and an rng and returns (name, model, feeds, out_mask)
# where feeds is a list over invokes of lists of input arrays and out_mask an
# optional [start, end) byte range of output 0 to compare. gen_models.py (via
# gen_extra.py) builds the same models into the main conformance suite.
i16, i32, u32, u64 = np.int16, np.int32, np.uint32, np.uint64


def _r16(rng, n, amp=32768):
    return rng.integers(-amp, amp, n).astype(i16)


def case_window(p, rng):
    L, fr, shift = p
    w = _r16(rng, L)
    m = sc_model("SignalWindow", {"shift": shift}, [(i16, (fr, L), None), (i16, (L,), w)], [(i16, (fr, L), None)])
    return f"window_{L}x{fr}_s{shift}", m, [[_r16(rng, fr * L).reshape(fr, L)] for _ in range(3)], None


def case_autoscale(p, rng):
    # Amplitudes incl. 0 and -32768.
    L, amp = p
    m = sc_model("SignalFftAutoScale", {}, [(i16, (L,), None)], [(i16, (L,), None), (i32, (), None)])
    feeds = [[_r16(rng, L, amp)] for _ in range(4)] + [[np.zeros(L, i16)], [np.full(L, -32768, i16)]]
    x = np.zeros(L, i16)
    x[0] = -32768
    x[-1] = 5
    feeds.append([x])
    return f"autoscale_{L}_a{amp}", m, feeds, None


def case_rfft(p, rng):
    # int16: power-of-two lengths, padding, several frames.
    n, inl, fr = p
    m = sc_model("SignalRfft", {"T": 7, "fft_length": n}, [(i16, (fr, inl), None)],
                 [(i16, (fr, 2 * (n // 2 + 1)), None)])
    feeds = [[_r16(rng, fr * inl, a).reshape(fr, inl)] for a in (32768, 3000, 50)]
    return f"rfft_{n}_{inl}x{fr}", m, feeds, None


def case_energy(p, rng):
    n, s0, e0 = p
    m = sc_model("SignalEnergy", {"end_index": e0, "start_index": s0}, [(i16, (2 * n,), None)], [(u32, (n,), None)])
    feeds = [[_r16(rng, 2 * n)] for _ in range(3)] + [[np.full(2 * n, -32768, i16)]]
    return f"energy_{n}_{s0}_{e0}", m, feeds, (4 * s0, 4 * e0)


def case_filterbank(p, rng):
    # Random channel layouts.
    nch, nin = p
    edges = np.sort(rng.choice(np.arange(1, nin), nch + 1, replace=False))
    fs = np.concatenate([[0], edges[:-1]]).astype(i16)[:nch + 1]
    widths = np.diff(np.concatenate([fs, [nin]])).astype(i16)[:nch + 1]
    ws = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(i16)
    nw = int(widths.sum())
    wt = rng.integers(0, 4096, nw).astype(i16)
    uw = (4096 - wt).astype(i16)
    m = sc_model("SignalFilterBank", {"num_channels": nch},
                 [(u32, (nin,), None), (i16, (nw,), wt), (i16, (nw,), uw), (i16, (nch + 1,), fs),
                  (i16, (nch + 1,), ws), (i16, (nch + 1,), widths)], [(u64, (nch,), None)])
    feeds = [[rng.integers(0, 2 ** 32, nin, dtype=np.uint64).astype(u32)] for _ in range(3)]
    return f"filterbank_{nch}_{nin}", m, feeds, None


def case_sqrt(p, rng):
    # Two inputs (values, scale bits).
    n, sb = p
    m = sc_model("SignalFilterBankSquareRoot", {}, [(u64, (n,), None), (i32, (), None)], [(u32, (n,), None)])
    x = np.concatenate([rng.integers(0, 2 ** 63, n - 3, dtype=np.uint64),
                        np.array([0, 2 ** 32 - 1, 2 ** 64 - 1], np.uint64)]).astype(u64)
    x[: n // 3] >>= np.uint64(30)
    return f"sqrt_{n}_{sb}", m, [[x, np.array(sb, i32)]], None


def case_specsub(p, rng):
    # Options sweep, 12 frames of state.
    nch, clamp, sm, alt, sbits = p
    opts = {"alternate_one_minus_smoothing": 16384 - alt, "alternate_smoothing": alt, "clamping": clamp,
            "min_signal_remaining": 819, "num_channels": nch, "one_minus_smoothing": 16384 - sm,
            "smoothing": sm, "smoothing_bits": sbits, "spectral_subtraction_bits": 14}
    m = sc_model("SignalFilterBankSpectralSubtraction", opts, [(u32, (nch,), None)],
                 [(u32, (nch,), None), (u32, (nch,), None)])
    feeds = []
    for k in range(12):
        hi = 2 ** (32 - sbits) if k % 4 else 2 ** 12
        feeds.append([rng.integers(0, hi, nch, dtype=np.uint64).astype(u32)])
    return f"specsub_{nch}_c{int(clamp)}_{sm}_{alt}_{sbits}", m, feeds, None


def case_pcan(p, rng):
    # The preprocessor's LUT ("model") and random LUTs ("rand", "pos").
    nch, shift, lut_kind = p
    if lut_kind == "model":
        lut = lut_from_preprocessor()
    elif lut_kind == "rand":
        lut = rng.integers(-32768, 32768, 125).astype(i16)
    else:
        lut = rng.integers(0, 32768, 125).astype(i16)
    m = sc_model("SignalPCAN", {"snr_shift": shift}, [(u32, (nch,), None), (u32, (nch,), None),
                                                      (i16, (125,), lut)], [(u32, (nch,), None)])
    x = rng.integers(0, 2 ** 32, nch, dtype=np.uint64).astype(u32)
    x[: nch // 2] >>= np.uint32(16)
    ne = (rng.integers(0, 2 ** 32, nch, dtype=np.uint64) >> rng.integers(0, 32, nch).astype(np.uint64)).astype(u32)
    ne[:3] = [0, 1, 2]
    return f"pcan_{nch}_{shift}_{lut[1]}", m, [[x, ne]], None


def case_log(p, rng):
    n, cb, scale = p
    m = sc_model("SignalFilterBankLog", {"input_correction_bits": cb, "output_scale": scale},
                 [(u32, (n,), None)], [(i16, (n,), None)])
    feeds = [[(rng.integers(0, 2 ** 32, n, dtype=np.uint64) >> rng.integers(0, 32, n).astype(np.uint64))
              .astype(u32)] for _ in range(3)]
    feeds[0][0][:3] = [0, 1, 2]
    return f"log_{n}_{cb}_{scale}", m, feeds, None


SWEEPS = [
    ("SignalWindow", "window",
     [(8, 1, 0), (33, 3, 5), (480, 1, 12), (64, 2, 15), (16, 1, 31), (100, 4, 14)], case_window),
    ("SignalFftAutoScale", "autoscale", [(16, 1), (480, 3), (480, 32768), (100, 200), (7, 2)], case_autoscale),
    ("SignalRfft", "rfft",
     [(4, 4, 1), (8, 5, 2), (16, 16, 1), (32, 20, 3), (64, 64, 1), (128, 100, 2), (256, 200, 1),
      (512, 480, 1), (1024, 1000, 1), (2048, 1500, 1)], case_rfft),
    ("SignalEnergy", "energy", [(257, 5, 241), (257, 0, 257), (33, 3, 3), (65, 1, 64)], case_energy),
    ("SignalFilterBank", "filterbank", [(40, 257), (8, 64), (1, 10), (20, 129)], case_filterbank),
    ("SignalFilterBankSquareRoot", "sqrt", [(40, 0), (40, 7), (16, 14), (5, 3)], case_sqrt),
    ("SignalFilterBankSpectralSubtraction", "specsub",
     [(40, False, 409, 983, 10), (40, True, 409, 983, 10), (7, True, 1000, 0, 4), (16, False, 3000, 3000, 0)],
     case_specsub),
    ("SignalPCAN", "pcan", [(40, 6, "model"), (40, 6, "rand"), (10, 0, "model"), (10, 20, "pos")], case_pcan),
    ("SignalFilterBankLog", "log", [(40, 3, 64), (40, 0, 1), (16, 10, 1000), (16, 31, 65536)], case_log),
]


def cases(rng):
    """Yield (name, model_bytes, feeds, out_mask), every sweep in order on one rng."""
    for _op, _short, params, fn in SWEEPS:
        for p in params:
            yield fn(p, rng)


def sc_model(custom, opts, inputs, outputs):
    return make_model(custom, opts, inputs, outputs)


_LUT = []


def lut_from_preprocessor():
    if _LUT:
        return _LUT[0].copy()
    from tensorflow.lite.python import schema_py_generated as s
    buf = (sc.SHARED / "models" / "audio_preprocessor_int8.tflite").read_bytes()
    m = s.Model.GetRootAsModel(buf, 0)
    sg = m.Subgraphs(0)
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        if t.Name().decode() == "signal_pcan/Const":
            _LUT.append(np.frombuffer(m.Buffers(t.Buffer()).DataAsNumpy().tobytes(), np.int16).copy())
            return _LUT[0].copy()
    raise RuntimeError("no PCAN LUT")


def main():
    global TFLM_RUN
    san = "--san" in sys.argv
    if san:
        TFLM_RUN = sc.TOP / "build" / "host-san" / "tflm_run"
    exe = sc.build_runner(san)
    rng = np.random.default_rng(11)
    n = ok = 0
    for name, model, feeds, mask in cases(rng):
        n += 1
        good = run_case(name, model, feeds, mask, exe)
        ok += good
        print(f"{name:40s} {'bit-exact' if good else 'FAIL'}")
    print(f"signal sweeps: {ok}/{n} bit-exact")
    sys.exit(0 if ok == n else 1)


if __name__ == "__main__":
    main()
