"""Generate the single-op conformance models with TensorFlow.

Writes build/conformance/models/<name>.tflite and build/conformance/models/manifest.json.
Each model is one op (sometimes with the QUANTIZE/DEQUANTIZE that float I/O brings),
built from a tf.function with seeded random weights and converted with the TFLite
converter:

  kind "int8"      full-int8: batch 1, random representative dataset, TFLITE_BUILTINS_INT8,
                   int8 input and output; per-channel weights unless per_channel=False
                   (conv/depthwise: _experimental_disable_per_channel, FC:
                   _experimental_disable_per_channel_quantization_for_dense_layers).
  kind "int8_fio"  int8 inside, float32 input/output: gives QUANTIZE and DEQUANTIZE.
  kind "float"     plain float32 conversion.
  kind "int16"     16x8: int16 activations, int8 weights
                   (EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8), int16 input
                   and output; LOGISTIC/TANH sweeps also force input scales the converter
                   does not pick (powers of two, near powers of two, scales so large that
                   the reference's int32 product wraps) by editing the flatbuffer.

gen_extra.py adds the models that are not built from a tf.function here: the LSTM
sweep of lstm/lstm_test.py and the signal-library CUSTOM op sweeps of
signal/sweep_check.py.

Every converted model is parsed and its real op list goes into the manifest; a model
whose intended op is missing (folded or rewritten by the converter) is reported, and a
model the oracle (tflite_micro) cannot run is rejected (kept out of the manifest).

Tiers: "fast" (CI) is a subset of "full". Cached: a model is rebuilt only when its file
is missing or the hash of the sources that build it changed (src_hash in its manifest
entry: this file, plus gen_extra.py and the sweep's script for the models built there).

Usage: python tests/conformance/gen_models.py [--tier fast|full] [--jobs N] [--force]
       [--only GLOB] [--list]
"""
import argparse
import fnmatch
import hashlib
import itertools
import json
import multiprocessing
import os
import pathlib
import random
import sys
import time

import gen_extra

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parent.parent
OUT_DIR = TOP / "build" / "conformance" / "models"
MANIFEST = OUT_DIR / "manifest.json"
N_REPR = 32  # representative samples per model

# The ops of this suite, by the name the TFLite schema gives them.
OPS = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D",
       "ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "SOFTMAX", "LOGISTIC", "TANH", "RELU",
       "RELU6", "LEAKY_RELU", "HARD_SWISH", "RESHAPE", "SQUEEZE", "EXPAND_DIMS",
       "CONCATENATION", "SPLIT", "PAD", "MEAN", "STRIDED_SLICE", "TRANSPOSE",
       "RESIZE_NEAREST_NEIGHBOR", "QUANTIZE", "DEQUANTIZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
       "SignalWindow", "SignalFftAutoScale", "SignalRfft", "SignalEnergy", "SignalFilterBank",
       "SignalFilterBankSquareRoot", "SignalFilterBankSpectralSubtraction", "SignalPCAN",
       "SignalFilterBankLog"]


def generator_hash():
    return hashlib.sha256((HERE / "gen_models.py").read_bytes()).hexdigest()[:16]


_SRC_HASH = {}


def spec_hash(spec):
    """Hash of the sources that build this spec's model."""
    b = spec.get("builder", "tf")
    if b not in _SRC_HASH:
        h = generator_hash()
        if b != "tf":
            h += gen_extra.source_hash(b)
        _SRC_HASH[b] = h
    return _SRC_HASH[b]


# ----------------------------------------------------------------------------------------
# Sweeps: every value of every dimension appears at least once, then random combinations
# fill up to n. Deterministic (seeded by the sweep's name).

def sweep(name, dims, n, ok=lambda p: True):
    rng = random.Random(name)
    keys = list(dims)
    full = [dict(zip(keys, vals)) for vals in itertools.product(*(dims[k] for k in keys))]
    full = [p for p in full if ok(p)]
    rng.shuffle(full)
    picked, seen = [], set()

    def key(p):
        return json.dumps(p, sort_keys=True)

    for k in keys:
        for v in dims[k]:
            for p in full:
                if json.dumps(p[k]) == json.dumps(v):
                    if key(p) not in seen:
                        seen.add(key(p))
                        picked.append(p)
                    break
    for p in full:
        if len(picked) >= n:
            break
        if key(p) not in seen:
            seen.add(key(p))
            picked.append(p)
    return picked[:max(n, 0)] if len(picked) > n else picked


def _tag(v):
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, (list, tuple)):
        return "x".join(_tag(x) for x in v)
    if isinstance(v, float):
        return ("%g" % v).replace("-", "m").replace(".", "p")
    if isinstance(v, int):
        return str(v).replace("-", "m")
    return str(v).lower()


def _spec(op, idx, params, tier, kind="int8", family=None):
    name = "%s_%s_%03d" % ({"int8": "q", "int8_fio": "qf", "float": "f", "int16": "q16"}[kind],
                           op.lower(), idx)
    return {"name": name, "op": op, "family": family or op, "kind": kind, "tier": tier,
            "params": params}


# ----------------------------------------------------------------------------------------
# Spec lists. A sweep function returns (fast params, full-only params).

RANGES = [[-1.0, 1.0], [0.0, 6.0], [-8.0, 2.0], [-0.05, 0.05], [-100.0, 100.0]]
ACTS = ["none", "relu", "relu6", "relu_n1_to_1"]


def _split(lst, n_fast):
    return lst[:n_fast], lst[n_fast:]


def specs_conv():
    def ok(p):
        h, w, c = p["in"]
        kh, kw = p["k"]
        sh, sw = p["stride"]
        if p["dil"] > 1 and (sh > 1 or sw > 1):
            return False
        if p["pad"] == "VALID" and ((kh - 1) * p["dil"] + 1 > h or (kw - 1) * p["dil"] + 1 > w):
            return False
        return True
    return sweep("conv", {
        "in": [[8, 8, 3], [9, 7, 1], [16, 16, 8], [5, 5, 16], [1, 1, 32], [12, 10, 4],
               [7, 7, 64]],
        "k": [[3, 3], [1, 1], [5, 5], [3, 1], [1, 3], [2, 2], [7, 7]],
        "cout": [8, 1, 16, 3],
        "stride": [[1, 1], [2, 2], [2, 1], [3, 3]],
        "pad": ["SAME", "VALID"],
        "dil": [1, 2, 3],
        "act": ACTS,
        "bias": [True, False],
        "per_channel": [True, False],
        "range": RANGES[:4],
    }, 220, ok)


def specs_dw():
    def ok(p):
        h, w, c = p["in"]
        kh, kw = p["k"]
        s = p["stride"]
        if p["dil"] > 1 and s > 1:
            return False
        if p["pad"] == "VALID" and ((kh - 1) * p["dil"] + 1 > h or (kw - 1) * p["dil"] + 1 > w):
            return False
        return True
    return sweep("dw", {
        "in": [[8, 8, 4], [9, 7, 3], [16, 16, 8], [6, 6, 1], [5, 9, 16]],
        "k": [[3, 3], [1, 1], [5, 5], [3, 2]],
        "mult": [1, 2],
        "stride": [1, 2],
        "pad": ["SAME", "VALID"],
        "dil": [1, 2],
        "act": ACTS,
        "per_channel": [True, False],
        "range": RANGES[:4],
    }, 160, ok)


def specs_fc():
    return sweep("fc", {
        "in": [[16], [64], [3], [4, 10], [250], [1024]],
        "units": [10, 1, 32, 7],
        "act": ["none", "relu", "relu6", "relu_n1_to_1"],
        "bias": [True, False],
        "per_channel": [True, False],
        "range": RANGES[:4],
    }, 90)


def specs_pool(kind):
    def ok(p):
        h, w, c = p["in"]
        return not (p["pad"] == "VALID" and (p["k"][0] > h or p["k"][1] > w))
    return sweep("pool" + kind, {
        "in": [[8, 8, 4], [9, 7, 3], [16, 16, 8], [5, 5, 1], [25, 5, 16], [7, 7, 64]],
        "k": [[2, 2], [3, 3], [1, 1], [3, 2], [25, 5], [5, 5]],
        "stride": [[2, 2], [1, 1], [3, 3], [1, 2]],
        "pad": ["VALID", "SAME"],
        "act": ["none", "relu", "relu6"],
        "range": RANGES,
    }, 60, ok)


BIN_SHAPES = [
    [[1, 4, 4, 8], [1, 4, 4, 8]],
    [[1, 4, 4, 8], [1, 1, 1, 8]],
    [[1, 4, 4, 8], [1, 4, 1, 1]],
    [[1, 1, 3, 1], [1, 2, 1, 5]],
    [[1, 5, 3], [1, 1, 3]],
    [[1, 8], [1, 1]],
    [[1, 10], [1, 10]],
    [[1, 2, 3, 4, 5], [1, 2, 1, 4, 1]],
    [[1, 1], [1, 6, 6, 2]],
]


def specs_binary(op):
    dims = {
        "shapes": BIN_SHAPES,
        "const_b": [False, True],
        "range_a": [[-1.0, 1.0], [-8.0, 2.0], [0.0, 6.0], [-0.05, 0.05]],
        "range_b": [[-1.0, 1.0], [-3.0, 0.5], [0.0, 20.0]],
    }
    if op in ("ADD", "SUB", "MUL"):
        dims["act"] = ["none", "relu", "relu6"]

    def ok(p):
        # a - b with b in [0, 20] is almost always negative: after a ReLU the calibrated
        # output range collapses to a point and the oracle aborts on the model.
        return not (op == "SUB" and p.get("act") != "none" and p["range_b"] == [0.0, 20.0])
    return sweep("bin" + op, dims, 50 if op in ("ADD", "SUB", "MUL") else 24, ok)


def specs_softmax():
    return sweep("softmax", {
        "in": [[10], [4, 4, 8], [2], [300], [3, 5]],
        "beta": [1.0, 0.5, 2.0],
        "range": [[-8.0, 8.0], [-1.0, 1.0], [-20.0, 4.0], [0.0, 30.0]],
    }, 30)


def specs_unary(op):
    dims = {
        "in": [[4, 4, 8], [10], [3, 5, 7], [1, 1, 1]],
        "range": [[-8.0, 8.0], [-1.0, 1.0], [-3.0, 6.0], [0.0, 4.0], [-0.02, 0.02]],
    }
    if op == "LEAKY_RELU":
        dims["alpha"] = [0.2, 0.01, 0.5, 1.5]
    return sweep("un" + op, dims, 20)


def specs_unary16(op):
    """16x8 LOGISTIC/TANH: calibrated scales over ranges (saturating ones included),
    and forced input scales: "cal" keeps the converter's, a number replaces it."""
    # 2^-12 (and for TANH 2^-11) take the power-of-two path, 2^-12 * 1.0005 too (the
    # reference's log2 test allows 1e-3), 2^-11 * 1.002 does not; with 3.0 and 1000.0
    # the reference's int32 product of input and multiplier wraps.
    return sweep("un16" + op, {
        "scale": ["cal", 2.0 ** -12, 2.0 ** -11, 3.0, 2.0 ** -12 * 1.0005, 2.0 ** -13,
                  2.0 ** -10, 2.0 ** -11 * 1.002, 1e-3, 0.3, 1000.0],
        "range": [[-100.0, 100.0], [-8.0, 8.0], [-1.0, 1.0], [-3.0, 6.0], [0.0, 4.0],
                  [-0.02, 0.02], [-2000.0, 5.0]],
        "in": [[4, 4, 8], [10], [3, 5, 7], [1, 1, 1], [257]],
    }, 40, lambda p: p["scale"] == "cal" or p["range"] == [-1.0, 1.0])


def specs_reshape(op):
    if op == "RESHAPE":
        cases = [[[4, 4, 8], [128]], [[128], [8, 16]], [[2, 3, 4], [4, 6]], [[6], [2, 3, 1]],
                 [[1, 1, 10], [10]], [[4, 4, 8], [2, 8, 8]]]
    elif op == "SQUEEZE":
        cases = [[[1, 1, 10], [1, 2]], [[4, 1, 8], [2]], [[1, 1, 1], None], [[3, 1, 5, 1], [4]],
                 [[5, 1], [2]]]
    else:
        cases = [[[10], 1], [[4, 8], 0], [[4, 8], -1], [[3, 5], 2], [[2, 2, 2], 3]]
    return sweep("rs" + op, {"case": cases, "range": [[-1.0, 1.0], [-6.0, 2.0]]}, 10)


def specs_concat():
    return sweep("concat", {
        "case": [[[[4, 4, 3], [4, 4, 5]], 3], [[[4, 4, 3], [4, 4, 3], [4, 4, 2]], -1],
                 [[[2, 4, 3], [5, 4, 3]], 1], [[[4, 1, 3], [4, 6, 3]], 2], [[[10], [6]], 1],
                 [[[3, 4], [3, 4]], 0], [[[2, 3, 4, 5], [2, 3, 4, 2]], 4]],
        "ranges": ["same", "diff"],
    }, 28)


def specs_split():
    return sweep("split", {
        "case": [[[4, 4, 8], 2, 3], [[4, 4, 8], 4, -1], [[6, 4, 3], 3, 1], [[4, 6, 3], 2, 2],
                 [[12], 3, 1], [[4, 4, 8], 1, 3], [[2, 4], 2, 2]],
        "range": [[-1.0, 1.0], [-6.0, 2.0]],
    }, 14)


def specs_pad():
    return sweep("pad", {
        "case": [[[4, 4, 3], [[0, 0], [1, 1], [1, 1], [0, 0]]],
                 [[4, 4, 3], [[0, 0], [0, 2], [3, 0], [0, 0]]],
                 [[4, 4, 3], [[0, 0], [0, 0], [0, 0], [1, 2]]],
                 [[10], [[0, 0], [3, 5]]],
                 [[3, 5], [[0, 0], [1, 0], [0, 2]]],
                 [[2, 3, 4, 5], [[0, 0], [1, 1], [0, 0], [2, 0], [0, 1]]]],
        "range": [[-1.0, 1.0], [0.0, 6.0], [-8.0, 2.0], [2.0, 5.0]],
    }, 24)


def specs_mean():
    return sweep("mean", {
        "case": [[[4, 4, 8], [1, 2]], [[4, 4, 8], [3]], [[7, 5, 16], [1, 2]], [[10], [1]],
                 [[4, 4, 8], [2]], [[3, 5, 6], [1]], [[4, 4, 8], [1, 2, 3]], [[2, 1, 8], [1, 2]],
                 [[10, 10, 32], [1, 2]]],
        "keepdims": [True, False],
        "range": [[-1.0, 1.0], [0.0, 6.0], [-8.0, 2.0], [-0.1, 0.3]],
    }, 32)


def specs_strided_slice():
    # [in shape (no batch), begin, end, strides, begin_mask, end_mask, shrink_axis_mask]
    cases = [
        [[4, 4, 8], [0, 1, 0, 0], [1, 3, 4, 8], [1, 1, 1, 1], 0, 0, 2],
        [[4, 4, 8], [0, 0, 0, 1], [1, 4, 4, 8], [1, 1, 1, 2], 0, 0, 0],
        [[4, 4, 8], [0, 0, 0, 0], [1, 4, 4, 8], [1, 2, 2, 3], 0, 0, 0],
        [[10], [0, 2], [1, -1], [1, 1], 0, 0, 0],
        [[10], [0, 9], [1, 0], [1, -1], 0, 0, 0],
        [[10], [0, 0], [1, 0], [1, -2], 1, 3, 0],
        [[6, 5], [0, 1, 0], [1, 2, 5], [1, 1, 1], 0, 4, 2],
        [[6, 5], [0, 0, 2], [1, 6, 3], [1, 1, 1], 0, 0, 4],
        [[3, 4, 5], [0, 1, 1, 1], [1, 3, 4, 5], [1, 1, 2, 2], 5, 0, 0],
        [[4, 4, 8], [0, -3, 0, 0], [1, -1, 4, 8], [1, 1, 1, 1], 0, 0, 0],
    ]
    return sweep("sslice", {"case": cases, "range": [[-1.0, 1.0], [-6.0, 2.0]]}, 20)


def specs_transpose():
    return sweep("transpose", {
        "case": [[[4, 5], [0, 2, 1]], [[4, 5, 3], [0, 3, 1, 2]], [[4, 5, 3], [0, 2, 3, 1]],
                 [[4, 5, 3], [0, 2, 1, 3]], [[2, 3, 4, 5], [0, 4, 2, 3, 1]], [[2, 3, 4], [0, 1, 3, 2]],
                 [[3, 4, 5], [3, 2, 1, 0]]],
        "range": [[-1.0, 1.0], [-6.0, 2.0]],
    }, 14)


def specs_resize():
    return sweep("resize", {
        "in": [[4, 4, 3], [5, 3, 2], [1, 1, 4], [8, 8, 1]],
        "size": [[8, 8], [2, 2], [7, 5], [3, 9]],
        "mode": [[False, False], [True, False], [False, True]],
        "range": [[-1.0, 1.0], [-6.0, 2.0]],
    }, 24)


def specs_quant():
    # int8 inside, float I/O: QUANTIZE in, DEQUANTIZE out.
    return sweep("quant", {
        "inner": ["ADD", "RELU", "CONV_2D", "CONCATENATION"],
        "range": [[-1.0, 1.0], [0.0, 6.0], [-8.0, 2.0], [-100.0, 3.0]],
    }, 12)


# How many of each sweep go into the fast tier (the rest is full-only), and which float
# variants exist.
FAMILIES = [
    # op, sweep fn, n fast, n full (total), float: n fast, n full
    ("CONV_2D", specs_conv, 36, 220, 6, 30),
    ("DEPTHWISE_CONV_2D", specs_dw, 30, 160, 6, 30),
    ("FULLY_CONNECTED", specs_fc, 18, 90, 4, 16),
    ("AVERAGE_POOL_2D", lambda: specs_pool("avg"), 10, 60, 3, 12),
    ("MAX_POOL_2D", lambda: specs_pool("max"), 10, 60, 3, 12),
    ("ADD", lambda: specs_binary("ADD"), 12, 50, 3, 10),
    ("SUB", lambda: specs_binary("SUB"), 10, 50, 3, 10),
    ("MUL", lambda: specs_binary("MUL"), 12, 50, 3, 10),
    ("MAXIMUM", lambda: specs_binary("MAXIMUM"), 6, 24, 2, 6),
    ("MINIMUM", lambda: specs_binary("MINIMUM"), 6, 24, 2, 6),
    ("SOFTMAX", specs_softmax, 8, 30, 3, 10),
    ("LOGISTIC", lambda: specs_unary("LOGISTIC"), 6, 20, 2, 6),
    ("TANH", lambda: specs_unary("TANH"), 6, 20, 2, 6),
    ("RELU", lambda: specs_unary("RELU"), 4, 20, 2, 4),
    ("RELU6", lambda: specs_unary("RELU6"), 4, 20, 2, 4),
    ("LEAKY_RELU", lambda: specs_unary("LEAKY_RELU"), 6, 20, 2, 6),
    ("HARD_SWISH", lambda: specs_unary("HARD_SWISH"), 6, 20, 2, 6),
    ("RESHAPE", lambda: specs_reshape("RESHAPE"), 4, 10, 2, 4),
    ("SQUEEZE", lambda: specs_reshape("SQUEEZE"), 4, 10, 2, 4),
    ("EXPAND_DIMS", lambda: specs_reshape("EXPAND_DIMS"), 4, 10, 2, 4),
    ("CONCATENATION", specs_concat, 8, 28, 3, 8),
    ("SPLIT", specs_split, 6, 14, 2, 6),
    ("PAD", specs_pad, 6, 24, 2, 6),
    ("MEAN", specs_mean, 10, 32, 3, 8),
    ("STRIDED_SLICE", specs_strided_slice, 10, 20, 3, 8),
    ("TRANSPOSE", specs_transpose, 7, 14, 2, 6),
    ("RESIZE_NEAREST_NEIGHBOR", specs_resize, 7, 24, 2, 6),
    ("QUANTIZE", specs_quant, 6, 12, 0, 0),
]


# 16x8 sweeps: op, sweep fn, n fast, n full (total). LOGISTIC and TANH have their own
# sweep; the other ops reuse their int8 sweep's first parameter sets (every op TFLM
# runs with int16 activations that the converter can emit 16x8; not HARD_SWISH, and
# QUANTIZE is covered by the int8-float models).
INT16_FAMILIES = [
    ("LOGISTIC", lambda: specs_unary16("LOGISTIC"), 5, 30),
    ("TANH", lambda: specs_unary16("TANH"), 5, 30),
]
INT16_OTHER = {"CONV_2D": (2, 12), "DEPTHWISE_CONV_2D": (2, 12), "FULLY_CONNECTED": (2, 10),
               "ADD": (1, 6), "SUB": (1, 6), "MUL": (1, 6), "SOFTMAX": (1, 6)}


def _int16_ok(op, p):
    # The converter has no per-tensor 16x8 depthwise; TFLM cannot prepare a 16x8 MUL
    # whose second operand is an int8 constant.
    if op == "DEPTHWISE_CONV_2D" and not p.get("per_channel", True):
        return False
    return not (op == "MUL" and p.get("const_b"))


def all_specs():
    """Every spec of the full tier (tier field says whether it is also in fast)."""
    out = []
    fams = list(INT16_FAMILIES)
    for op, fn, _nf, _nl, _ff, _fl in FAMILIES:
        if op not in ("QUANTIZE", "HARD_SWISH", "LOGISTIC", "TANH"):
            n_fast, n_full = INT16_OTHER.get(op, (1, 4))
            fams.append((op, fn, n_fast, n_full))
    for op, fn, n_fast, n_full in fams:
        for i, p in enumerate([p for p in fn() if _int16_ok(op, p)][:n_full]):
            out.append(_spec(op, i, p, "fast" if i < n_fast else "full", "int16"))
    for op, fn, n_fast, n_full, f_fast, f_full in FAMILIES:
        params = fn()[:n_full]
        kind = "int8_fio" if op == "QUANTIZE" else "int8"
        for i, p in enumerate(params):
            out.append(_spec(op, i, p, "fast" if i < n_fast else "full", kind))
        if f_full:
            # Float versions: a spread-out subset of the same parameter sets (per-tensor /
            # per-channel means nothing in float, so skip the duplicates it would make).
            fl = [p for p in params if p.get("per_channel", True)]
            step = max(1, len(fl) // f_full)
            for j, p in enumerate(fl[::step][:f_full]):
                out.append(_spec(op, j, p, "fast" if j < f_fast else "full", "float"))
    out += specs_chain()
    out += gen_extra.all_specs()
    names = [s["name"] for s in out]
    assert len(names) == len(set(names)), "duplicate spec names"
    return out


def specs_chain():
    """CONV_2D / DEPTHWISE_CONV_2D after a RELU: the convolution's input is an
    intermediate tensor that dies there, so the planner lets the output overlap
    it (tflm_allow_overlap) -- the single-op models never do (model inputs are
    never overlapped). Same parameter sweeps, a spread of them."""
    out = []
    for op, fn, n_fast, n_full in (("CONV_2D", specs_conv, 12, 60), ("DEPTHWISE_CONV_2D", specs_dw, 8, 40)):
        params = fn()
        step = max(1, len(params) // n_full)
        for i, p in enumerate(params[::step][:n_full]):
            spec = _spec(op, i, dict(p, chain=True), "fast" if i < n_fast else "full")
            spec["name"] = "q_chain_%s_%03d" % (op.lower(), i)
            out.append(spec)
    return out


def specs_for_tier(tier):
    s = all_specs()
    return s if tier == "full" else [x for x in s if x["tier"] == "fast"]


# ----------------------------------------------------------------------------------------
# Builders: spec -> (tf.function, [input (shape, (lo, hi), name)]). TensorFlow is imported
# lazily so that listing specs (pytest collection) stays cheap.

def _act(tf, y, act):
    if act == "none":
        return y
    if act == "relu":
        return tf.nn.relu(y)
    if act == "relu6":
        return tf.nn.relu6(y)
    if act == "relu_n1_to_1":
        return tf.clip_by_value(y, -1.0, 1.0)
    raise ValueError(act)


def _weights(np, rng, shape, fan_in, per_out_axis=None):
    w = rng.normal(size=shape).astype(np.float32) / np.sqrt(max(fan_in, 1))
    if per_out_axis is not None:
        # Make per-channel scales differ a lot, like real models.
        n = shape[per_out_axis]
        f = np.exp(rng.uniform(np.log(0.1), np.log(3.0), size=n)).astype(np.float32)
        bshape = [1] * len(shape)
        bshape[per_out_axis] = n
        w = w * f.reshape(bshape)
    return w.astype(np.float32)


def build(spec):
    import numpy as np
    import tensorflow as tf

    op, p = spec["op"], spec["params"]
    seed = int(hashlib.sha256(spec["name"].encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    inputs = []  # (shape, range, name)

    def inp(shape, rnge, name="x"):
        inputs.append(([1] + list(shape), list(rnge), name))
        return tf.TensorSpec([1] + list(shape), tf.float32, name=name)

    if op == "CONV_2D":
        h, w, c = p["in"]
        kh, kw = p["k"]
        W = _weights(np, rng, (kh, kw, c, p["cout"]), kh * kw * c, 3)
        b = rng.normal(size=p["cout"]).astype(np.float32) * 0.3 if p["bias"] else None
        sig = [inp([h, w, c], p["range"])]

        def f(x):
            if p.get("chain"):
                x = tf.nn.relu(x)
            y = tf.nn.conv2d(x, W, strides=[1] + p["stride"] + [1], padding=p["pad"],
                             dilations=p["dil"])
            if b is not None:
                y = y + b
            return _act(tf, y, p["act"])
    elif op == "DEPTHWISE_CONV_2D":
        h, w, c = p["in"]
        kh, kw = p["k"]
        W = _weights(np, rng, (kh, kw, c, p["mult"]), kh * kw, 2)
        b = rng.normal(size=c * p["mult"]).astype(np.float32) * 0.3
        sig = [inp([h, w, c], p["range"])]

        def f(x):
            if p.get("chain"):
                x = tf.nn.relu(x)
            y = tf.nn.depthwise_conv2d(x, W, strides=[1, p["stride"], p["stride"], 1],
                                       padding=p["pad"], dilations=[p["dil"], p["dil"]])
            return _act(tf, y + b, p["act"])
    elif op == "FULLY_CONNECTED":
        n = p["in"][-1]
        W = _weights(np, rng, (n, p["units"]), n, 1)
        b = rng.normal(size=p["units"]).astype(np.float32) * 0.3 if p["bias"] else None
        sig = [inp(p["in"], p["range"])]

        def f(x):
            y = tf.matmul(x, W)
            if b is not None:
                y = y + b
            return _act(tf, y, p["act"])
    elif op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        h, w, c = p["in"]
        sig = [inp([h, w, c], p["range"])]
        pool = tf.nn.avg_pool2d if op == "AVERAGE_POOL_2D" else tf.nn.max_pool2d

        def f(x):
            return _act(tf, pool(x, p["k"], p["stride"], p["pad"]), p["act"])
    elif op in ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"):
        sa, sb = p["shapes"]
        sig = [inp(sa[1:], p["range_a"], "a")]
        lo, hi = p["range_b"]
        if p["const_b"]:
            cb = rng.uniform(lo, hi, size=sb).astype(np.float32)
        else:
            sig.append(inp(sb[1:], p["range_b"], "b"))
        fn = {"ADD": tf.add, "SUB": tf.subtract, "MUL": tf.multiply,
              "MAXIMUM": tf.maximum, "MINIMUM": tf.minimum}[op]
        act = p.get("act", "none")
        if p["const_b"]:
            def f(a):
                return _act(tf, fn(a, cb), act)
        else:
            def f(a, b):
                return _act(tf, fn(a, b), act)
    elif op == "SOFTMAX":
        sig = [inp(p["in"], p["range"])]

        def f(x):
            return tf.nn.softmax(x)  # beta is written into SoftmaxOptions afterwards
    elif op in ("LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH"):
        sig = [inp(p["in"], p["range"])]
        g = {"LOGISTIC": tf.sigmoid, "TANH": tf.tanh, "RELU": tf.nn.relu, "RELU6": tf.nn.relu6,
             "LEAKY_RELU": lambda x: tf.nn.leaky_relu(x, p.get("alpha", 0.2)),
             "HARD_SWISH": lambda x: x * tf.nn.relu6(x + 3.0) * (1.0 / 6.0)}[op]

        def f(x):
            return g(x)
    elif op == "RESHAPE":
        shp, new = p["case"]
        sig = [inp(shp, p["range"])]

        def f(x):
            return tf.reshape(x, [1] + new)
    elif op == "SQUEEZE":
        shp, axes = p["case"]
        sig = [inp(shp, p["range"])]

        def f(x):
            return tf.squeeze(x, axis=axes) if axes is not None else tf.squeeze(x)
    elif op == "EXPAND_DIMS":
        shp, axis = p["case"]
        sig = [inp(shp, p["range"])]

        def f(x):
            return tf.expand_dims(x, axis)
    elif op == "CONCATENATION":
        shapes, axis = p["case"]
        rngs = [[-1.0, 1.0]] * len(shapes) if p["ranges"] == "same" else \
            [[-1.0, 1.0], [-4.0, 0.5], [0.0, 8.0]][:len(shapes)]
        sig = [inp(s, r, "x%d" % i) for i, (s, r) in enumerate(zip(shapes, rngs))]

        def f(*xs):
            return tf.concat(list(xs), axis)
    elif op == "SPLIT":
        shp, num, axis = p["case"]
        sig = [inp(shp, p["range"])]

        def f(x):
            return tuple(tf.split(x, num, axis))
    elif op == "PAD":
        shp, pads = p["case"]
        sig = [inp(shp, p["range"])]

        def f(x):
            return tf.pad(x, pads)
    elif op == "MEAN":
        shp, axes = p["case"]
        sig = [inp(shp, p["range"])]
        def f(x):
            return tf.reduce_mean(x, axis=axes, keepdims=p["keepdims"])
    elif op == "STRIDED_SLICE":
        shp, begin, end, strides, bm, em, sm = p["case"]
        sig = [inp(shp, p["range"])]

        def f(x):
            return tf.strided_slice(x, begin, end, strides, begin_mask=bm, end_mask=em,
                                    shrink_axis_mask=sm)
    elif op == "TRANSPOSE":
        shp, perm = p["case"]
        sig = [inp(shp, p["range"])]

        def f(x):
            return tf.transpose(x, perm)
    elif op == "RESIZE_NEAREST_NEIGHBOR":
        sig = [inp(p["in"], p["range"])]
        ac, hp = p["mode"]

        def f(x):
            return tf.raw_ops.ResizeNearestNeighbor(images=x, size=p["size"], align_corners=ac,
                                                    half_pixel_centers=hp)
    elif op == "QUANTIZE":
        inner = p["inner"]
        lo, hi = p["range"]
        if inner == "ADD":
            sig = [inp([4, 4, 3], p["range"], "a"), inp([4, 4, 3], [-2.0, 2.0], "b")]

            def f(a, b):
                return a + b
        elif inner == "RELU":
            sig = [inp([10], p["range"])]

            def f(x):
                return tf.nn.relu(x)
        elif inner == "CONV_2D":
            W = _weights(np, rng, (3, 3, 2, 4), 18, 3)
            sig = [inp([6, 6, 2], p["range"])]

            def f(x):
                return tf.nn.relu(tf.nn.conv2d(x, W, 1, "SAME"))
        else:
            sig = [inp([3, 4], p["range"], "a"), inp([3, 2], [-5.0, 5.0], "b")]

            def f(a, b):
                return tf.concat([a, b], -1)
    else:
        raise ValueError("no builder for " + op)

    return tf.function(f, input_signature=sig), inputs


def convert(spec, fn, inputs):
    import numpy as np
    import tensorflow as tf

    conv = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    kind = spec["kind"]
    if kind in ("int8", "int8_fio", "int16"):
        seed = int(hashlib.sha256(("repr" + spec["name"]).encode()).hexdigest()[:8], 16)

        def rep():
            r = np.random.default_rng(seed)
            for _ in range(N_REPR):
                yield [r.uniform(lo, hi, size=shape).astype(np.float32)
                       for shape, (lo, hi), _ in inputs]
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if kind == "int16":
            conv.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
            conv.inference_input_type = tf.int16
            conv.inference_output_type = tf.int16
        if kind == "int8":
            conv.inference_input_type = tf.int8
            conv.inference_output_type = tf.int8
        if not spec["params"].get("per_channel", True):
            if spec["op"] == "FULLY_CONNECTED":
                conv._experimental_disable_per_channel_quantization_for_dense_layers = True
            else:
                conv._experimental_disable_per_channel = True
    return conv.convert()


# ----------------------------------------------------------------------------------------
# Model inspection (no TensorFlow needed: tflite_micro ships the schema module).

def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    return s


def op_names():
    s = _schema()
    return {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_")}


TYPE_NAMES = None


def inspect_model(data):
    """Ops in execution order, plus input/output tensor info, for a .tflite buffer."""
    global TYPE_NAMES
    s = _schema()
    names = op_names()
    if TYPE_NAMES is None:
        TYPE_NAMES = {v: k for k, v in vars(s.TensorType).items() if not k.startswith("_")}
    m = s.ModelT.InitFromObj(s.Model.GetRootAsModel(data, 0))
    sg = m.subgraphs[0]
    ops = []
    for o in sg.operators or []:
        oc = m.operatorCodes[o.opcodeIndex]
        code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
        name = names.get(code, "CODE_%d" % code)
        if name == "CUSTOM" and oc.customCode:
            name = oc.customCode.decode(errors="replace")  # e.g. SignalEnergy
        ops.append({"op": name, "custom_options": bytes(bytearray(o.customOptions))
                    if o.customOptions is not None else b"",
                    "inputs": [int(i) for i in (o.inputs if o.inputs is not None else [])],
                    "outputs": [int(i) for i in (o.outputs if o.outputs is not None else [])]})

    def tinfo(i):
        t = sg.tensors[i]
        q = t.quantization
        d = {"index": int(i), "name": (t.name or b"").decode(errors="replace"),
             "shape": [int(x) for x in (t.shape if t.shape is not None else [])],
             "dtype": TYPE_NAMES.get(t.type, str(t.type))}
        if q is not None and q.scale is not None and len(q.scale):
            d["scales"] = len(q.scale)
        return d
    return {"ops": ops,
            "inputs": [tinfo(i) for i in sg.inputs],
            "outputs": [tinfo(i) for i in sg.outputs],
            "subgraphs": len(m.subgraphs)}


def weight_quant(data):
    """Per-channel/per-tensor of each op's weight (input 1) for conv/dw/fc."""
    s = _schema()
    names = op_names()
    m = s.ModelT.InitFromObj(s.Model.GetRootAsModel(data, 0))
    sg = m.subgraphs[0]
    out = []
    for o in sg.operators or []:
        oc = m.operatorCodes[o.opcodeIndex]
        n = names.get(max(oc.builtinCode, oc.deprecatedBuiltinCode))
        if n in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") and len(o.inputs) > 1:
            q = sg.tensors[o.inputs[1]].quantization
            k = len(q.scale) if q is not None and q.scale is not None else 0
            out.append("per_channel" if k > 1 else ("per_tensor" if k == 1 else "float"))
    return out


# ----------------------------------------------------------------------------------------
# Worker: build, convert, check with the oracle, write.

def _rewrite(data, fn):
    """Edit a converted model through the schema's object API and re-pack it."""
    import flatbuffers
    s = _schema()
    m = s.ModelT.InitFromObj(s.Model.GetRootAsModel(data, 0))
    fn(s, m)
    b = flatbuffers.Builder(len(data) + 4096)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _opcode_index(s, m, code):
    for i, oc in enumerate(m.operatorCodes):
        if max(oc.builtinCode, oc.deprecatedBuiltinCode) == code:
            return i
    oc = s.OperatorCodeT()
    oc.builtinCode = code
    oc.deprecatedBuiltinCode = min(code, 127)
    oc.version = 1
    m.operatorCodes.append(oc)
    return len(m.operatorCodes) - 1


def _ops_of(s, m, code):
    return [o for o in m.subgraphs[0].operators
            if max(m.operatorCodes[o.opcodeIndex].builtinCode,
                   m.operatorCodes[o.opcodeIndex].deprecatedBuiltinCode) == code]


def postprocess(spec, data):
    """Undo converter rewrites that hide the op under test, set options TF cannot."""
    import numpy as np
    op, p = spec["op"], spec["params"]
    present = [o["op"] for o in inspect_model(data)["ops"]]

    if spec["kind"] == "int16" and isinstance(p.get("scale"), float):
        # Force the input scale of the op under test (zero point stays 0).
        def fn(s, m):
            code = getattr(s.BuiltinOperator, op)
            for o in _ops_of(s, m, code):
                t = m.subgraphs[0].tensors[o.inputs[0]]
                t.quantization.scale = [float(np.float32(p["scale"]))]
        return _rewrite(data, fn)
    if op == "SOFTMAX" and p.get("beta", 1.0) != 1.0:
        def fn(s, m):
            for o in _ops_of(s, m, s.BuiltinOperator.SOFTMAX):
                o.builtinOptions.beta = float(p["beta"])
        return _rewrite(data, fn)
    if op in ("SQUEEZE", "EXPAND_DIMS") and op not in present and present == ["RESHAPE"]:
        # The converter lowers both to RESHAPE; turn that RESHAPE back into the op.
        def fn(s, m):
            B = s.BuiltinOperator
            (o,) = _ops_of(s, m, B.RESHAPE)
            sg = m.subgraphs[0]
            if op == "SQUEEZE":
                shp, axes = p["case"]
                full = [1] + list(shp)
                dims = axes if axes is not None else [i for i, d in enumerate(full) if d == 1]
                o.opcodeIndex = _opcode_index(s, m, B.SQUEEZE)
                o.inputs = [o.inputs[0]]
                o.builtinOptionsType = s.BuiltinOptions.SqueezeOptions
                o.builtinOptions = s.SqueezeOptionsT()
                o.builtinOptions.squeezeDims = list(dims)
            else:
                buf = s.BufferT()
                buf.data = np.frombuffer(np.array([p["case"][1]], "<i4").tobytes(), np.uint8)
                m.buffers.append(buf)
                t = s.TensorT()
                t.shape = [1]
                t.type = s.TensorType.INT32
                t.buffer = len(m.buffers) - 1
                t.name = b"expand_dims_axis"
                sg.tensors.append(t)
                o.opcodeIndex = _opcode_index(s, m, B.EXPAND_DIMS)
                o.inputs = [o.inputs[0], len(sg.tensors) - 1]
                o.builtinOptionsType = s.BuiltinOptions.ExpandDimsOptions
                o.builtinOptions = s.ExpandDimsOptionsT()
        return _rewrite(data, fn)
    return data


def _quiet(fn):
    """Run fn with the C-level stdout/stderr (converter chatter) sent to /dev/null."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    import warnings
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [null]:
            os.close(fd)


def _work(spec):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    t0 = time.time()
    path = OUT_DIR / (spec["name"] + ".tflite")
    extra = {}
    try:
        if spec.get("builder"):
            data, extra = gen_extra.build(spec)
            inputs = []
        else:
            fn, inputs = build(spec)
            data = _quiet(lambda: convert(spec, fn, inputs))
    except Exception as e:  # converter refused: report, keep out of the manifest
        return {"name": spec["name"], "error": "convert: %s: %s" % (type(e).__name__, e)}
    if not spec.get("builder"):
        data = postprocess(spec, data)
    info = inspect_model(data)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    real_ops = [o["op"] for o in info["ops"]]
    # Representative range per model input, matched by tensor name (the converter may
    # reorder inputs).
    by_name = {n: r for _, r, n in inputs}
    in_ranges = []
    for t in info["inputs"]:
        r = None
        for n, rr in by_name.items():
            if t["name"] == n or t["name"].endswith("_" + n) or t["name"].startswith(n + ":") \
                    or t["name"].endswith("_" + n + ":0"):
                r = rr
        in_ranges.append(r if r is not None else (inputs[0][1] if inputs else None))
    entry = dict(spec)
    if extra.get("feeds"):
        # Hand-made input sets, run before the harness's random ones.
        import numpy as np
        fp = OUT_DIR / (spec["name"] + ".feeds.npz")
        arrs = {"s%d_i%d" % (k, i): np.asarray(x) for k, fd in enumerate(extra["feeds"])
                for i, x in enumerate(fd)}
        with open(fp.with_suffix(".tmp"), "wb") as f:
            np.savez(f, **arrs)
        os.replace(fp.with_suffix(".tmp"), fp)
        entry["feeds"] = fp.name
        entry["n_feeds"] = len(extra["feeds"])
    if extra.get("int_ranges"):
        entry["int_ranges"] = extra["int_ranges"]
    entry.update({
        "file": path.name,
        "ops": real_ops,
        "intended_present": spec["op"] in real_ops,
        "weights": weight_quant(data),
        "inputs": [{"shape": t["shape"], "dtype": t["dtype"], "range": r}
                   for t, r in zip(info["inputs"], in_ranges)],
        "outputs": [{"shape": t["shape"], "dtype": t["dtype"]} for t in info["outputs"]],
        "bytes": len(data),
        "gen_seconds": round(time.time() - t0, 3),
        "src_hash": spec_hash(spec),
    })
    return entry


def _convert_all(todo, jobs, quiet):
    import concurrent.futures as cf
    results = []

    def tick():
        if not quiet and sys.stderr.isatty():
            print("\r  converted %d/%d" % (len(results), len(todo)), end="", file=sys.stderr)
    if jobs > 1 and len(todo) > 4:
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(min(jobs, 2), mp_context=ctx,
                                    initializer=_init_worker) as ex:
            for r in ex.map(_work, todo, chunksize=4):
                results.append(r)
                tick()
    else:
        _init_worker()
        for s in todo:
            if os.environ.get("GEN_VERBOSE"):
                print(" ", s["name"], file=sys.stderr, flush=True)
            results.append(_work(s))
            tick()
    if not quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    return results


def _init_worker():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Keep the workers' TF threads from oversubscribing the shared cores.
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import warnings
    warnings.filterwarnings("ignore")


def load_manifest():
    if MANIFEST.exists():
        try:
            return json.loads(MANIFEST.read_text())
        except ValueError:
            pass
    return {"generator_hash": None, "models": {}, "rejected": {}, "rejected_hash": {}}


def generate(tier="fast", jobs=2, force=False, only=None, quiet=False):
    """Build (or reuse) the models of a tier; returns the manifest dict."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    man = load_manifest()
    man["generator_hash"] = generator_hash()
    man.setdefault("rejected_hash", {})
    specs = specs_for_tier(tier)
    if only:
        specs = [s for s in specs if fnmatch.fnmatch(s["name"], only)]
    # A model (or a rejection) is stale when the sources that build it changed.
    for s in all_specs():
        h = spec_hash(s)
        e = man["models"].get(s["name"])
        if e is not None and e.get("src_hash") != h:
            del man["models"][s["name"]]
        if s["name"] in man["rejected"] and man["rejected_hash"].get(s["name"]) != h:
            del man["rejected"][s["name"]]
    todo = [s for s in specs if force or s["name"] not in man["models"]
            or not (OUT_DIR / (s["name"] + ".tflite")).exists()]
    todo = [s for s in todo if force or s["name"] not in man["rejected"]]
    t0 = time.time()
    if todo:
        if not quiet:
            print("gen_models: building %d of %d %s-tier models (%d jobs)"
                  % (len(todo), len(specs), tier, jobs), file=sys.stderr)
        results = _convert_all(todo, jobs, quiet)
        # The oracle must run each model (a model it rejects tests nothing of ours). It
        # runs in harness worker subprocesses: an abort inside it costs one model.
        import harness
        ok = [r for r in results if "error" not in r]
        checks = harness.WorkerPool(jobs).map(
            [{"what": "smoke", "path": str(OUT_DIR / r["file"])} for r in ok])
        for r, c in zip(ok, checks):
            if c.get("status") != "ok":
                r["error"] = "oracle: %s %s" % (c.get("status"), c.get("detail", ""))
                (OUT_DIR / r["file"]).unlink(missing_ok=True)
        by_name = {s["name"]: s for s in todo}
        for r in results:
            if "error" in r:
                man["rejected"][r["name"]] = r["error"]
                man["rejected_hash"][r["name"]] = spec_hash(by_name[r["name"]])
                man["models"].pop(r["name"], None)
            else:
                man["models"][r["name"]] = r
                man["rejected"].pop(r["name"], None)
                man["rejected_hash"].pop(r["name"], None)
        man["models"] = dict(sorted(man["models"].items()))
        tmp = MANIFEST.with_suffix(".tmp")
        tmp.write_text(json.dumps(man, indent=1))
        os.replace(tmp, MANIFEST)
    dt = time.time() - t0
    if not quiet:
        names = {s["name"] for s in specs}
        ms = [m for n, m in man["models"].items() if n in names]
        missing = [m["name"] for m in ms if not m["intended_present"]]
        rej = [n for n in man["rejected"] if n in names]
        print("gen_models: %s tier: %d models (%d built in %.1f s), %d rejected, "
              "%d without their intended op" % (tier, len(ms), len(todo), dt, len(rej),
                                                len(missing)), file=sys.stderr)
        for n in rej:
            print("  rejected %s: %s" % (n, man["rejected"][n]), file=sys.stderr)
        for n in missing:
            print("  intended op missing in %s: ops %s" % (n, man["models"][n]["ops"]),
                  file=sys.stderr)
    return man


def tier_models(man, tier):
    names = {s["name"] for s in specs_for_tier(tier)}
    return [m for n, m in man["models"].items() if n in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tier", choices=["fast", "full"], default="fast")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="rebuild even if cached")
    ap.add_argument("--only", help="glob over model names")
    ap.add_argument("--list", action="store_true", help="list the specs and exit")
    a = ap.parse_args()
    if a.list:
        for s in specs_for_tier(a.tier):
            print(s["name"], s["tier"], json.dumps(s["params"]))
        return
    man = generate(a.tier, a.jobs, a.force, a.only)
    by_op = {}
    for m in tier_models(man, a.tier):
        for o in set(m["ops"]):
            by_op[o] = by_op.get(o, 0) + 1
    print("models per op (any position): " +
          ", ".join("%s %d" % kv for kv in sorted(by_op.items())))
    not_covered = [o for o in OPS if o not in by_op]
    if not_covered:
        print("ops with no model: " + ", ".join(not_covered))


if __name__ == "__main__":
    main()
