"""Development conformance test of the elementwise / activation / quantisation kernels.

Two sources of single-op models, all compared byte for byte (float32: exact, or
within 1e-5 relative, reported separately) between the tflite_micro oracle and our
host runner on several random inputs each (plus extreme-valued inputs):

  * "tf" cases: tf.function graphs converted with the TFLite converter (float32,
    full-int8, and 16x8 int16 where TFLM has int16 kernels);
  * "hand" cases: one operator written directly with the schema's object API, to
    reach quantisation parameters, option values and type combinations the
    converter does not emit (int8 -> int16 softmax, negative leaky alphas, every
    QUANTIZE type pair, 6-D broadcasts, odd zero points...); "x_" hand cases are
    exhaustive: one input holding every int8 value (unary ops) or every pair of
    int8 values (binary ops, [256, 256]).

Ops TFLM lacks (RELU_N1_TO_1) can be checked against TFLite's reference kernels
with --tflite-fallback.

  python tests/conformance/sweeps/elem/elem_test.py gen [--only GLOB] [--force]
  python tests/conformance/sweeps/elem/elem_test.py run [--only GLOB] [--runner PATH] [-n INPUTS]
  python tests/conformance/sweeps/elem/elem_test.py seanet [--runner PATH]

Models go to build/elem/models/.
"""
import argparse
import fnmatch
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import zlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parents[3]
OUT = TOP / "build" / "elem" / "models"
SEANET = TOP.parent / "shared" / "tflm-tests" / "seanet"

CASES = {}


def schema():
    from tensorflow.lite.python import schema_py_generated as s
    return s


# ---------------------------------------------------------------------------------------
# Cases converted from TensorFlow

def tf_case(name, kinds, fn, shapes, repr_scale=None, repr_shift=None):
    for k in kinds:
        CASES["%s_%s" % (name, k)] = dict(src="tf", kind=k, fn=fn, shapes=shapes, repr_scale=repr_scale,
                                          repr_shift=repr_shift)


def define_tf_cases():
    import tensorflow as tf
    A = ("float", "int8", "int16")
    F8 = ("float", "int8")
    bshapes = [((1, 4, 4, 3), (1, 4, 4, 3)), ((1, 4, 4, 3), (3,)), ((1, 4, 1, 3), (1, 1, 5, 1)),
               ((2, 3, 4), (2, 1, 4)), ((1, 5), (1, 1)), ((1, 2, 3, 2, 2), (1, 1, 3, 1, 2)),
               ((3, 1), (1, 4)), ((1, 1, 1, 8), (1, 3, 2, 1)), ((1, 2, 1, 3, 1, 2), (1, 1, 4, 1, 3, 1))]
    acts = [("", lambda v: v), ("relu", tf.nn.relu), ("relu6", tf.nn.relu6)]
    for i, (sa, sb) in enumerate(bshapes):
        for an, af in acts:
            if an and i % 3 != 0:
                continue
            tf_case("add%d%s" % (i, an), A, lambda x, y, af=af: af(x + y), [sa, sb], repr_scale=[1.0, 3.0 + i])
            tf_case("sub%d%s" % (i, an), A, lambda x, y, af=af: af(x - y), [sa, sb], repr_scale=[2.0, 0.5 + i])
            tf_case("mul%d%s" % (i, an), A, lambda x, y, af=af: af(x * y), [sa, sb], repr_scale=[1.5, 0.7 + i])
        tf_case("max%d" % i, A, lambda x, y: tf.maximum(x, y), [sa, sb])
        tf_case("min%d" % i, A, lambda x, y: tf.minimum(x, y), [sa, sb])
    # Constant operands and skewed ranges.
    cst = np.linspace(-2.0, 3.0, 12).astype(np.float32).reshape(1, 1, 12)
    tf_case("addc", A, lambda x: x + cst, [(1, 3, 12)], repr_shift=[1.0])
    tf_case("subc", A, lambda x: cst - x, [(1, 3, 12)], repr_scale=[0.1])
    tf_case("mulc", A, lambda x: x * cst, [(1, 3, 12)], repr_scale=[4.0])
    tf_case("mulsq", A, lambda x: x * x, [(1, 40)], repr_scale=[2.0])
    tf_case("addsame", A, lambda x: x + x, [(2, 17)])
    tf_case("maxc", A, lambda x: tf.maximum(x, 0.3), [(1, 6, 6)])
    tf_case("minc", A, lambda x: tf.minimum(x, -0.2), [(1, 6, 6)])
    # Activations.
    for i, (s, sc, sh) in enumerate([((1, 8, 8, 4), 1.0, 0.0), ((1, 50), 5.0, 2.0), ((3, 7), 0.2, -0.1),
                                     ((1, 2, 3, 4, 5), 3.0, -2.0)]):
        tf_case("relu%d" % i, A, lambda x: tf.nn.relu(x), [s], repr_scale=[sc], repr_shift=[sh])
        tf_case("relu6_%d" % i, A, lambda x: tf.nn.relu6(x), [s], repr_scale=[sc * 3], repr_shift=[sh])
        tf_case("relun1_%d" % i, A, lambda x: tf.clip_by_value(x, -1.0, 1.0), [s], repr_scale=[sc], repr_shift=[sh])
        tf_case("sigmoid%d" % i, F8, lambda x: tf.sigmoid(x), [s], repr_scale=[sc * 2], repr_shift=[sh])
        tf_case("tanh%d" % i, F8, lambda x: tf.tanh(x), [s], repr_scale=[sc], repr_shift=[sh])
        tf_case("hswish%d" % i, F8, lambda x: x * tf.nn.relu6(x + 3.0) * (1.0 / 6.0), [s], repr_scale=[sc * 2],
                repr_shift=[sh])
        for j, al in enumerate([0.2, 0.01, 0.5, 1.7]):
            if (i + j) % 2 == 0:
                tf_case("leaky%d_%d" % (i, j), A, lambda x, al=al: tf.nn.leaky_relu(x, al), [s], repr_scale=[sc],
                        repr_shift=[sh])
    for i, (s, sc, beta) in enumerate([((1, 10), 1.0, 1.0), ((1, 4, 4, 7), 3.0, 1.0), ((2, 1000), 0.5, 1.0),
                                       ((1, 3, 33), 8.0, 1.0), ((5, 2), 0.05, 1.0), ((1, 1, 1, 1, 9), 1.0, 1.0)]):
        tf_case("softmax%d" % i, A, lambda x: tf.nn.softmax(x), [s], repr_scale=[sc])
    # Further ops: DIV, SQUARED_DIFFERENCE, unary math, PRELU, comparisons, ELU,
    # LOG_SOFTMAX, ADD_N.
    for i, (sa, sb) in enumerate([((1, 4, 4, 3), (1, 4, 4, 3)), ((1, 4, 4, 3), (3,)), ((2, 3, 1), (1, 1, 5))]):
        tf_case("div%d" % i, F8, lambda x, y: x / (tf.abs(y) + 0.5), [sa, sb], repr_scale=[2.0, 1.0])
        tf_case("sqdiff%d" % i, A, lambda x, y: tf.math.squared_difference(x, y), [sa, sb], repr_scale=[1.0, 2.0])
        for cn, cf in (("eq", tf.equal), ("ne", tf.not_equal), ("gt", tf.greater), ("ge", tf.greater_equal),
                       ("lt", tf.less), ("le", tf.less_equal)):
            tf_case("cmp%s%d" % (cn, i), F8, lambda x, y, cf=cf: cf(x, y), [sa, sb])
    tf_case("divrelu", F8, lambda x, y: tf.nn.relu(x / (tf.abs(y) + 0.5)), [(1, 30), (1, 30)])
    for i, (s, sc, sh) in enumerate([((1, 6, 7), 1.0, 0.0), ((2, 50), 3.0, 1.0)]):
        tf_case("abs%d" % i, A, lambda x: tf.abs(x), [s], repr_scale=[sc], repr_shift=[sh])
        tf_case("neg%d" % i, ("float",), lambda x: -x, [s])
        tf_case("exp%d" % i, ("float",), lambda x: tf.exp(x), [s])
        tf_case("log%d" % i, ("float",), lambda x: tf.math.log(tf.abs(x) + 0.1), [s])
        tf_case("sqrt%d" % i, ("float",), lambda x: tf.sqrt(tf.abs(x)), [s])
        tf_case("rsqrt%d" % i, F8, lambda x: tf.math.rsqrt(tf.abs(x) + 0.25), [s], repr_scale=[sc])
        tf_case("square%d" % i, ("float",), lambda x: tf.square(x), [s])
        tf_case("sin%d" % i, ("float",), lambda x: tf.sin(x), [s])
        tf_case("cos%d" % i, ("float",), lambda x: tf.cos(x), [s])
        tf_case("elu%d" % i, F8, lambda x: tf.nn.elu(x), [s], repr_scale=[sc], repr_shift=[sh])
        tf_case("logsoftmax%d" % i, F8, lambda x: tf.nn.log_softmax(x), [s], repr_scale=[sc])
        tf_case("addn%d" % i, F8, lambda x, y, z: tf.math.add_n([x, y, z]), [s, s, s], repr_scale=[sc, sc, sc])
    prelu_alpha = np.linspace(-0.5, 0.8, 6).astype(np.float32)
    tf_case("prelu0", A, lambda x: tf.maximum(x, 0.0) + prelu_alpha * tf.minimum(x, 0.0), [(1, 3, 4, 6)])
    tf_case("prelu1", A, lambda x: tf.keras.layers.PReLU(alpha_initializer=tf.constant_initializer(0.3))(x),
            [(1, 5, 7)])
    # Float I/O around an int8 op: QUANTIZE and DEQUANTIZE.
    tf_case("qdq_relu", ("int8_fio",), lambda x: tf.nn.relu(x), [(1, 33)], repr_scale=[3.0])
    tf_case("qdq_add", ("int8_fio",), lambda x, y: x + y, [(1, 4, 5), (1, 4, 5)], repr_scale=[1.0, 7.0])
    tf_case("qdq_tanh", ("int8_fio",), lambda x: tf.tanh(x), [(2, 3, 9)], repr_scale=[0.3])
    tf_case("qdq_mul16", ("int16_fio",), lambda x, y: x * y, [(1, 4, 5), (1, 4, 5)], repr_scale=[1.0, 7.0])


def convert(spec):
    import tensorflow as tf
    kind = spec["kind"]
    sigs = [tf.TensorSpec(s, tf.float32) for s in spec["shapes"]]
    fn = tf.function(spec["fn"], input_signature=sigs)
    conv = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    if kind != "float":
        rng = np.random.default_rng(1)
        scales = spec["repr_scale"] or [1.0] * len(sigs)
        shifts = spec["repr_shift"] or [0.0] * len(sigs)

        def rep():
            for _ in range(32):
                yield [(rng.standard_normal(s) * sc + sh).astype(np.float32)
                       for s, sc, sh in zip(spec["shapes"], scales, shifts)]
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        if kind.startswith("int8"):
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            if kind == "int8":
                conv.inference_input_type = tf.int8
                conv.inference_output_type = tf.int8
        else:
            conv.target_spec.supported_ops = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
            if kind == "int16":
                conv.inference_input_type = tf.int16
                conv.inference_output_type = tf.int16
    return conv.convert()


# ---------------------------------------------------------------------------------------
# Hand-written single-op models (schema object API)

T_F32, T_I32, T_U8, T_I16, T_I8 = 0, 2, 3, 7, 9


def tensor(shape, ttype, scale=None, zp=0, data=None):
    return dict(shape=list(shape), type=ttype, scale=scale, zp=zp, data=data)


def hand_case(name, op, ins, outs, opt=None, version=1):
    CASES[name] = dict(src="hand", op=op, ins=ins, outs=outs, opt=opt, version=version)


def build_model(spec):
    import flatbuffers
    s = schema()
    m = s.ModelT()
    m.version = 3
    m.buffers = [s.BufferT()]
    g = s.SubGraphT()
    g.tensors = []
    for k, t in enumerate(spec["ins"] + spec["outs"]):
        tt = s.TensorT()
        tt.shape = t["shape"]
        tt.type = t["type"]
        tt.name = ("t%d" % k).encode()
        b = s.BufferT()
        if t["data"] is not None:
            b.data = list(np.asarray(t["data"]).tobytes())
        m.buffers.append(b)
        tt.buffer = len(m.buffers) - 1
        if t["scale"] is not None:
            q = s.QuantizationParametersT()
            q.scale = [float(t["scale"])]
            q.zeroPoint = [int(t["zp"])]
            tt.quantization = q
        g.tensors.append(tt)
    n_in = len(spec["ins"])
    op = s.OperatorT()
    op.opcodeIndex = 0
    op.inputs = list(range(n_in))
    op.outputs = list(range(n_in, n_in + len(spec["outs"])))
    opname, opt = spec["op"], spec["opt"]
    if opt is not None:
        oname, fields = opt
        o = getattr(s, oname + "T")()
        for f, v in fields.items():
            setattr(o, f, v)
        op.builtinOptionsType = getattr(s.BuiltinOptions, oname)
        op.builtinOptions = o
    g.operators = [op]
    g.inputs = [k for k, t in enumerate(spec["ins"]) if t["data"] is None]
    g.outputs = op.outputs
    m.subgraphs = [g]
    oc = s.OperatorCodeT()
    code = getattr(s.BuiltinOperator, opname)
    oc.builtinCode = code
    oc.deprecatedBuiltinCode = min(code, 127)
    oc.version = spec["version"]
    m.operatorCodes = [oc]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def define_hand_cases():
    rng = np.random.default_rng(7)
    I8 = lambda sh, sc, zp: tensor(sh, T_I8, sc, zp)  # noqa: E731
    I16 = lambda sh, sc, zp=0: tensor(sh, T_I16, sc, zp)  # noqa: E731
    # QUANTIZE: every type pair TFLM has.
    qpairs = [(T_F32, None, 0, T_I8, 0.05, 3), (T_F32, None, 0, T_I8, 0.013, -128), (T_F32, None, 0, T_I16, 0.0007, 0),
              (T_F32, None, 0, T_I16, 0.01, 17),
              (T_I8, 0.1, 5, T_I8, 0.07, -9), (T_I8, 0.02, -128, T_I8, 0.5, 100), (T_I8, 0.3, 0, T_I8, 0.3, 0),
              (T_I8, 0.05, 12, T_I16, 0.001, 0), (T_I8, 0.05, -3, T_I32, 0.0001, 0), (T_I8, 0.25, -1, T_U8, 0.25, 127),
              (T_U8, 0.1, 128, T_I8, 0.1, 0), (T_U8, 0.03, 77, T_I8, 0.011, -5),
              (T_I16, 0.001, 0, T_I8, 0.05, 4), (T_I16, 0.0003, 0, T_I16, 0.0011, 0), (T_I16, 0.002, 3, T_I32, 0.00001, 0),
              (T_I16, 0.01, 0, T_I16, 0.0001, 0),
              (T_I32, 0.0001, 0, T_I8, 0.04, -7), (T_I32, 0.00002, 0, T_I16, 0.0005, 0), (T_I32, 1e-6, 5, T_I16, 1e-3, 0)]
    for i, (it, isc, izp, ot, osc, ozp) in enumerate(qpairs):
        shape = [1, 3 + i % 4, 7]
        hand_case("h_quant%d" % i, "QUANTIZE", [tensor(shape, it, isc, izp)], [tensor(shape, ot, osc, ozp)])
    for i, (it, sc, zp) in enumerate([(T_I8, 0.05, 3), (T_I8, 1.7, -128), (T_I16, 0.0003, 0), (T_I16, 0.1, 0),
                                      (T_I8, 0.0123, 127)]):
        hand_case("h_dequant%d" % i, "DEQUANTIZE", [tensor([2, 3, 11], it, sc, zp)], [tensor([2, 3, 11], T_F32)])
    # SOFTMAX int8 -> int8 / int16 over scales and betas.
    for i, (sc, zp, beta, depth) in enumerate([(0.1, 0, 1.0, 10), (0.05, -20, 2.0, 33), (0.5, 10, 0.3, 7),
                                                (0.0039, -128, 1.0, 256), (1.2, 3, 1.0, 5), (0.2, 0, 5.0, 64),
                                                (0.02, 0, 1.0, 2000), (0.3, -5, 0.01, 17)]):
        sh = [1, 3, depth] if depth < 500 else [1, depth]
        hand_case("h_softmax8_%d" % i, "SOFTMAX", [I8(sh, sc, zp)], [I8(sh, 1.0 / 256, -128)],
                  opt=("SoftmaxOptions", {"beta": beta}))
        hand_case("h_softmax16_%d" % i, "SOFTMAX", [I8(sh, sc, zp)], [I16(sh, 1.0 / 65536, -32768)],
                  opt=("SoftmaxOptions", {"beta": beta}), version=2)
        hand_case("h_softmax16in_%d" % i, "SOFTMAX", [I16(sh, sc / 200)], [I16(sh, 1.0 / 32768, 0)],
                  opt=("SoftmaxOptions", {"beta": beta}), version=3)
        hand_case("h_softmaxf_%d" % i, "SOFTMAX", [tensor(sh, T_F32)], [tensor(sh, T_F32)],
                  opt=("SoftmaxOptions", {"beta": beta}))
    # LEAKY_RELU: odd alphas incl. negative and > 1.
    for i, (al, isc, izp, osc, ozp) in enumerate([(0.1, 0.05, 3, 0.04, -10), (-0.3, 0.1, 0, 0.1, 0), (2.5, 0.02, -7, 0.08, 5),
                                                   (0.0, 0.03, 1, 0.02, -128), (1.0, 0.1, 0, 0.1, 0), (-1.5, 0.2, 20, 0.3, -1)]):
        hand_case("h_leaky8_%d" % i, "LEAKY_RELU", [I8([1, 5, 9], isc, izp)], [I8([1, 5, 9], osc, ozp)],
                  opt=("LeakyReluOptions", {"alpha": al}))
        hand_case("h_leaky16_%d" % i, "LEAKY_RELU", [I16([1, 5, 9], isc / 200)], [I16([1, 5, 9], osc / 150)],
                  opt=("LeakyReluOptions", {"alpha": al}))
        hand_case("h_leakyf_%d" % i, "LEAKY_RELU", [tensor([1, 5, 9], T_F32)], [tensor([1, 5, 9], T_F32)],
                  opt=("LeakyReluOptions", {"alpha": al}))
    # HARD_SWISH: input/output scales on both sides of each other.
    for i, (isc, izp, osc, ozp) in enumerate([(0.05, 3, 0.03, -100), (0.5, -10, 0.2, -60), (0.01, 0, 0.01, 0),
                                               (0.2, 100, 0.01, -128), (0.03, -128, 0.9, 7), (1.5, 0, 0.7, -3)]):
        hand_case("h_hswish%d" % i, "HARD_SWISH", [I8([1, 4, 4, 5], isc, izp)], [I8([1, 4, 4, 5], osc, ozp)])
    # LOGISTIC / TANH int8 over input scales and zero points.
    for i, (isc, izp) in enumerate([(0.01, 0), (0.1, -20), (0.05, 100), (0.5, 3), (0.002, -128), (0.0625, 0),
                                    (2.0, 0), (0.0301, 11)]):
        hand_case("h_logistic%d" % i, "LOGISTIC", [I8([2, 65], isc, izp)], [I8([2, 65], 1.0 / 256, -128)])
        hand_case("h_tanh%d" % i, "TANH", [I8([2, 65], isc, izp)], [I8([2, 65], 1.0 / 128, 0)])
    # RELU / RELU6 with differing input and output quantisation.
    for i, (isc, izp, osc, ozp) in enumerate([(0.05, 3, 0.03, -100), (0.1, -128, 0.1, -128), (0.02, 50, 0.05, -128)]):
        hand_case("h_relu%d" % i, "RELU", [I8([3, 17], isc, izp)], [I8([3, 17], osc, ozp)])
        hand_case("h_relu6_%d" % i, "RELU6", [I8([3, 17], isc, izp)], [I8([3, 17], osc, ozp)])
        hand_case("h_relu16_%d" % i, "RELU", [I16([3, 17], isc / 100)], [I16([3, 17], osc / 90)])
        hand_case("h_relu6_16_%d" % i, "RELU6", [I16([3, 17], isc / 100)], [I16([3, 17], isc / 100)])
    # ADD / SUB / MUL: odd quantisation, activations, 6-D broadcasts, int16 and int32.
    bc = [([1, 2, 3, 1, 5, 1], [2, 1, 3, 4, 1, 2]), ([4, 1, 3], [1, 5, 1]), ([1, 7], [7]), ([2, 3, 4], [2, 3, 4]),
          ([], [3, 4])]
    for i, (sa, sb) in enumerate(bc):
        so = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
        for j, (s1, z1, s2, z2, s3, z3, act) in enumerate([(0.05, 3, 0.2, -20, 0.1, 7, 0), (0.7, -128, 0.01, 127, 0.3, 0, 1),
                                                             (0.003, 60, 0.004, -60, 0.002, -128, 3),
                                                             (0.1, 0, 0.1, 0, 0.1, 0, 2)]):
            nm = "%d_%d" % (i, j)
            for op, on in (("ADD", "AddOptions"), ("SUB", "SubOptions"), ("MUL", "MulOptions")):
                ms3 = s3 * (20 if op == "MUL" else 1)
                hand_case("h_%s8_%s" % (op.lower(), nm), op, [I8(sa, s1, z1), I8(sb, s2, z2)], [I8(so, ms3, z3)],
                          opt=(on, {"fusedActivationFunction": act}))
                hand_case("h_%s16_%s" % (op.lower(), nm), op, [I16(sa, s1 / 100), I16(sb, s2 / 100)],
                          [I16(so, ms3 / 100)], opt=(on, {"fusedActivationFunction": act}))
                hand_case("h_%sf_%s" % (op.lower(), nm), op, [tensor(sa, T_F32), tensor(sb, T_F32)], [tensor(so, T_F32)],
                          opt=(on, {"fusedActivationFunction": act}))
                if j == 0:
                    hand_case("h_%s32_%s" % (op.lower(), nm), op, [tensor(sa, T_I32), tensor(sb, T_I32)],
                              [tensor(so, T_I32)], opt=(on, {"fusedActivationFunction": act}))
            for op in ("MAXIMUM", "MINIMUM"):
                hand_case("h_%s8_%s" % (op.lower(), nm), op, [I8(sa, s1, z1), I8(sb, s1, z1)], [I8(so, s1, z1)])
                hand_case("h_%s16_%s" % (op.lower(), nm), op, [I16(sa, s1), I16(sb, s1)], [I16(so, s1)])
                hand_case("h_%s32_%s" % (op.lower(), nm), op, [tensor(sa, T_I32), tensor(sb, T_I32)], [tensor(so, T_I32)])
    # Extra ops with hand-picked quantisation.
    for i, (isc, izp, osc, ozp) in enumerate([(0.05, 3, 0.03, -100), (0.1, -128, 0.1, -128), (0.02, 50, 0.05, -128)]):
        hand_case("h_abs8_%d" % i, "ABS", [I8([3, 17], isc, izp)], [I8([3, 17], osc, ozp)])
        hand_case("h_abs16_%d" % i, "ABS", [I16([3, 17], isc / 100)], [I16([3, 17], osc / 90)])
        hand_case("h_elu8_%d" % i, "ELU", [I8([3, 17], isc, izp)], [I8([3, 17], osc, ozp)])
        hand_case("h_rsqrt8_%d" % i, "RSQRT", [I8([3, 17], isc, -128)], [I8([3, 17], osc * 10, ozp)])
        hand_case("h_logsoftmax8_%d" % i, "LOG_SOFTMAX", [I8([2, 3, 9 + 20 * i], isc * 3, izp)],
                  [I8([2, 3, 9 + 20 * i], 16.0 / 256, 127)])
        hand_case("h_addn8_%d" % i, "ADD_N", [I8([2, 9], isc, izp)] * (2 + i), [I8([2, 9], osc * 3, ozp)])
        for cmp in ("EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL"):
            hand_case("h_%s8_%d" % (cmp.lower(), i), cmp, [I8([2, 9], isc, izp), I8([9], osc, ozp)],
                      [tensor([2, 9], 6)])
    tensor_i16_abs = tensor([4, 5], T_I16)
    hand_case("h_abs16_noq", "ABS", [tensor_i16_abs], [tensor([4, 5], T_I16)])
    for i, (sa, sb) in enumerate([([1, 4, 5], [1, 4, 5]), ([2, 3, 4], [4]), ([3, 1], [1, 6])]):
        so = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
        for j, (s1, z1, s2, z2, s3, z3) in enumerate([(0.05, 3, 0.02, -20, 0.1, 7), (0.7, -128, 0.01, 127, 0.9, 0)]):
            nm = "%d_%d" % (i, j)
            hand_case("h_div8_%s" % nm, "DIV", [I8(sa, s1, z1), I8(sb, s2, z2)], [I8(so, s3, z3)],
                      opt=("DivOptions", {"fusedActivationFunction": j}))
            hand_case("h_divf_%s" % nm, "DIV", [tensor(sa, T_F32), tensor(sb, T_F32)], [tensor(so, T_F32)],
                      opt=("DivOptions", {"fusedActivationFunction": j}))
            hand_case("h_sqdiff8_%s" % nm, "SQUARED_DIFFERENCE", [I8(sa, s1, z1), I8(sb, s2, z2)], [I8(so, s3, z3)])
            hand_case("h_sqdiff16_%s" % nm, "SQUARED_DIFFERENCE", [I16(sa, s1 / 100), I16(sb, s2 / 100)],
                      [I16(so, s3 / 50)])
            hand_case("h_sqdiff32_%s" % nm, "SQUARED_DIFFERENCE", [tensor(sa, T_I32), tensor(sb, T_I32)],
                      [tensor(so, T_I32)])
            hand_case("h_prelu8_%s" % nm, "PRELU", [I8(sa, s1, z1), I8(sb, s2, z2)], [I8(so, s3, z3)])
            hand_case("h_prelu16_%s" % nm, "PRELU", [I16(sa, s1 / 100), I8(sb, s2, z2)], [I16(so, s3 / 100)])
            hand_case("h_preluf_%s" % nm, "PRELU", [tensor(sa, T_F32), tensor(sb, T_F32)], [tensor(so, T_F32)])
            hand_case("h_gtf_%s" % nm, "GREATER", [tensor(sa, T_F32), tensor(sb, T_F32)], [tensor(so, 6)])
            hand_case("h_eq32_%s" % nm, "EQUAL", [tensor(sa, T_I32), tensor(sb, T_I32)], [tensor(so, 6)])
            hand_case("h_le32_%s" % nm, "LESS_EQUAL", [tensor(sa, T_I32), tensor(sb, T_I32)], [tensor(so, 6)])
            hand_case("h_nebool_%s" % nm, "NOT_EQUAL", [tensor(sa, 6), tensor(sb, 6)], [tensor(so, 6)])
        hand_case("h_div32_%d" % i, "DIV", [tensor(sa, T_I32), tensor(sb, T_I32)], [tensor(so, T_I32)],
                  opt=("DivOptions", {"fusedActivationFunction": 0}))
    hand_case("h_logsoftmaxf", "LOG_SOFTMAX", [tensor([3, 11], T_F32)], [tensor([3, 11], T_F32)])
    hand_case("h_addnf", "ADD_N", [tensor([3, 11], T_F32)] * 4, [tensor([3, 11], T_F32)])
    # Exhaustive int8 cases ("x_" prefix): every pair of input values (binary
    # ops, shape [256, 256]) or every value (unary ops), under several
    # quantisations.
    PAIR = [256, 256]
    qsets = [(0.05, 3, 0.02, -20, 0.1, 7), (0.7, -128, 0.01, 127, 0.9, 0), (0.003, 60, 0.004, -60, 0.002, -128),
             (0.1, 0, 0.1, 0, 0.1, 0)]
    for j, (s1, z1, s2, z2, s3, z3) in enumerate(qsets):
        for op, on in (("ADD", "AddOptions"), ("SUB", "SubOptions"), ("MUL", "MulOptions"), ("DIV", "DivOptions")):
            ms3 = s3 * (20 if op == "MUL" else (30 if op == "DIV" else 1))
            hand_case("x_%s8_%d" % (op.lower(), j), op, [I8(PAIR, s1, z1), I8(PAIR, s2, z2)], [I8(PAIR, ms3, z3)],
                      opt=(on, {"fusedActivationFunction": j % 4}))
        hand_case("x_sqdiff8_%d" % j, "SQUARED_DIFFERENCE", [I8(PAIR, s1, z1), I8(PAIR, s2, z2)], [I8(PAIR, s3 * 5, z3)])
        hand_case("x_prelu8_%d" % j, "PRELU", [I8(PAIR, s1, z1), I8(PAIR, s2, z2)], [I8(PAIR, s3, z3)])
        hand_case("x_greater8_%d" % j, "GREATER", [I8(PAIR, s1, z1), I8(PAIR, s2, z2)], [tensor(PAIR, 6)])
        hand_case("x_equal8_%d" % j, "EQUAL", [I8(PAIR, s1, z1), I8(PAIR, s2, z2)], [tensor(PAIR, 6)])
        U = [1, 256]
        hand_case("x_logistic8_%d" % j, "LOGISTIC", [I8(U, s1 * 3, z1)], [I8(U, 1.0 / 256, -128)])
        hand_case("x_tanh8_%d" % j, "TANH", [I8(U, s1 * 2, z1)], [I8(U, 1.0 / 128, 0)])
        hand_case("x_hswish8_%d" % j, "HARD_SWISH", [I8(U, s1, z1)], [I8(U, s3, z3)])
        hand_case("x_relu8_%d" % j, "RELU", [I8(U, s1, z1)], [I8(U, s3, z3)])
        hand_case("x_leaky8_%d" % j, "LEAKY_RELU", [I8(U, s1, z1)], [I8(U, s3, z3)],
                  opt=("LeakyReluOptions", {"alpha": [0.2, -0.7, 1.3, 0.01][j]}))
        hand_case("x_quant8_%d" % j, "QUANTIZE", [I8(U, s1, z1)], [I8(U, s3, z3)])
        hand_case("x_abs8_%d" % j, "ABS", [I8(U, s1, z1)], [I8(U, s3, z3)])
        hand_case("x_elu8_%d" % j, "ELU", [I8(U, s1, z1)], [I8(U, s3, z3)])
        hand_case("x_rsqrt8_%d" % j, "RSQRT", [I8(U, s1, -128)], [I8(U, s3 * 10, z3)])
        hand_case("x_softmax8_%d" % j, "SOFTMAX", [I8(U, s1, z1)], [I8(U, 1.0 / 256, -128)],
                  opt=("SoftmaxOptions", {"beta": 1.0}))
        hand_case("x_logsoftmax8_%d" % j, "LOG_SOFTMAX", [I8(U, s1, z1)], [I8(U, 16.0 / 256, 127)])
    # Constant second operand.
    hand_case("h_add8_const", "ADD", [I8([1, 3, 4], 0.05, 3),
                                      tensor([4], T_I8, 0.02, -5, data=rng.integers(-128, 128, 4).astype(np.int8))],
              [I8([1, 3, 4], 0.06, -2)], opt=("AddOptions", {"fusedActivationFunction": 0}))


# ---------------------------------------------------------------------------------------
# Generation

def to_obj(buf):
    s = schema()
    return s.ModelT.InitFromObj(s.Model.GetRootAsModel(buf, 0))


def op_names(buf):
    s = schema()
    names = {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_")}
    m = to_obj(buf)
    out = []
    for op in m.subgraphs[0].operators:
        oc = m.operatorCodes[op.opcodeIndex]
        out.append(names.get(max(oc.builtinCode, oc.deprecatedBuiltinCode), "?"))
    return out


def gen(args):
    define_tf_cases()
    define_hand_cases()
    OUT.mkdir(parents=True, exist_ok=True)
    manifest_path = OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name, spec in sorted(CASES.items()):
        if args.only and not fnmatch.fnmatch(name, args.only):
            continue
        path = OUT / (name + ".tflite")
        if path.exists() and not args.force and name in manifest:
            continue
        try:
            buf = convert(spec) if spec["src"] == "tf" else build_model(spec)
        except Exception as e:  # noqa: BLE001
            print("CONVERT FAIL", name, str(e).splitlines()[0][:200])
            continue
        path.write_bytes(buf)
        manifest[name] = op_names(buf)
        print(name, manifest[name], flush=True)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))


# ---------------------------------------------------------------------------------------
# Running

NP_TYPES = {0: np.float32, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_, 7: np.int16, 9: np.int8}


def model_io(path):
    m = to_obj(open(path, "rb").read())
    g = m.subgraphs[0]
    ins = []
    for i in g.inputs:
        t = g.tensors[i]
        q = t.quantization
        sc = q.scale[0] if q is not None and q.scale is not None and len(q.scale) else None
        ins.append((tuple(int(v) for v in t.shape), np.dtype(NP_TYPES[t.type]), sc))
    return ins, len(g.outputs)


def oracle_run(path, inputs, n_out):
    from tflite_micro.python.tflite_micro import runtime
    it = runtime.Interpreter.from_file(str(path), arena_size=1 << 21)
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    return [np.array(it.get_output(i)) for i in range(n_out)]


def oracle_batch(path, trials, n_out, tmp):
    """Oracle outputs for each trial's inputs, in a child process (a failed
    TFLM check aborts the process). Returns (list of output lists, error)."""
    fin, fout = os.path.join(tmp, "oin.npz"), os.path.join(tmp, "oout.npz")
    arrays = {"t%d_%d" % (t, k): x for t, ins in enumerate(trials) for k, x in enumerate(ins)}
    np.savez(fin, **arrays)
    if os.path.exists(fout):
        os.remove(fout)
    r = subprocess.run([sys.executable, __file__, "oracle", str(path), fin, fout, str(len(trials)), str(n_out)],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or not os.path.exists(fout):
        lines = [ln for ln in (r.stderr + r.stdout).splitlines() if ln.strip() and "oneDNN" not in ln]
        return None, (lines[-1] if lines else "exit %d" % r.returncode)[:200]
    z = np.load(fout)
    outs = [[z["t%d_%d" % (t, k)] for k in range(n_out)] for t in range(len(trials))]
    return outs, ("tflite" if "src_tflite" in z else None)


def tflite_run(path, inputs, n_out):
    """Secondary oracle for ops TFLM lacks: TFLite's reference kernels."""
    import tensorflow as tf
    it = tf.lite.Interpreter(model_path=str(path),
                             experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()[:n_out]]


def oracle_child(path, fin, fout, n_trials, n_out):
    z = np.load(fin)
    res = {}
    run = oracle_run
    try:
        from tflite_micro.python.tflite_micro import runtime
        runtime.Interpreter.from_file(str(path), arena_size=1 << 21)
    except RuntimeError:
        if os.environ.get("ELEM_TFLITE_FALLBACK") != "1":
            raise
        run = tflite_run
        res["src_tflite"] = np.zeros(1)
    for t in range(n_trials):
        ins = []
        while "t%d_%d" % (t, len(ins)) in z:
            ins.append(z["t%d_%d" % (t, len(ins))])
        for k, y in enumerate(run(path, ins, n_out)):
            res["t%d_%d" % (t, k)] = y
    np.savez(fout, **res)


def random_input(rng, shape, dt, scale, trial):
    if dt == np.float32:
        if trial == 1:
            return (rng.standard_normal(shape) * 20).astype(np.float32)
        return (rng.standard_normal(shape) * 2).astype(np.float32)
    if dt == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    info = np.iinfo(dt)
    lo, hi = int(info.min), int(info.max)
    if dt == np.int32:
        lo, hi = -200000, 200000
        if trial == 1:
            lo, hi = -(1 << 31), (1 << 31) - 1
    if trial == 1:  # extremes
        return rng.choice([lo, hi, lo + 1, hi - 1, 0], size=shape).astype(dt)
    return rng.integers(lo, hi + 1, size=shape, dtype=np.int64).astype(dt)


def ours_run(runner, path, inputs, n_out, tmp):
    cmd = [runner, str(path)]
    for k, x in enumerate(inputs):
        p = os.path.join(tmp, "in%d.bin" % k)
        np.ascontiguousarray(x).tofile(p)
        cmd += ["-i", p]
    outs = [os.path.join(tmp, "out%d.bin" % k) for k in range(n_out)]
    for p in outs:
        cmd += ["-o", p]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return None, (r.stderr.strip() or r.stdout.strip())[:300]
    return [open(p, "rb").read() for p in outs], None


def compare(want, got_bytes):
    """None if bit-exact, "close" if float within 1e-5 relative, else a message."""
    got = np.frombuffer(got_bytes, dtype=want.dtype)
    w = want.reshape(-1)
    if got.size != w.size:
        return "size %d != %d" % (got.size, w.size)
    if want.dtype == np.float32:
        if np.array_equal(got.view(np.uint32), w.view(np.uint32)) or np.array_equal(got, w, equal_nan=True):
            return None
        bad = np.nonzero(~np.isclose(got, w, rtol=1e-5, atol=1e-30, equal_nan=True))[0]
        if bad.size == 0:
            return "close"
    else:
        bad = np.nonzero(got != w)[0]
        if bad.size == 0:
            return None
    i = bad[0]
    return "elem %d: got %s, want %s (%d bad)" % (i, got[i], w[i], bad.size)


def run(args):
    manifest = json.loads((OUT / "manifest.json").read_text())
    passed = failed = close = oracle_fail = tflite_ref = 0
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(manifest):
            if args.only and not fnmatch.fnmatch(name, args.only):
                continue
            path = OUT / (name + ".tflite")
            ins, n_out = model_io(path)
            rng = np.random.default_rng(zlib.crc32(name.encode()))
            status = "ok"
            trials = [[random_input(rng, sh, dt, sc, trial) for sh, dt, sc in ins] for trial in range(args.n)]
            if name.startswith("x_"):  # exhaustive: all values / all pairs of values
                v = np.arange(-128, 128, dtype=np.int8)
                if len(ins) == 2:
                    trials = [[np.repeat(v, 256).reshape(256, 256), np.tile(v, 256).reshape(256, 256)]]
                else:
                    trials = [[v.reshape(1, 256)]]
            if "div32" in name:  # integer division by zero is undefined in the reference
                for tr in trials:
                    for x in tr[1:]:
                        x[x == 0] = 7
                        x[x == -1] = 3
            wants, err = oracle_batch(path, trials, n_out, tmp)
            if err == "tflite":
                err = None
                tflite_ref += 1
            if err:
                notes.append("%s: oracle failed: %s" % (name, err))
                status = "oracle-fail"
                wants = []
            for trial, want in enumerate(wants):
                inputs = trials[trial]
                got, err = ours_run(args.runner, path, inputs, len(want), tmp)
                if err:
                    notes.append("%s: ours failed: %s" % (name, err))
                    status = "FAIL"
                    break
                for k, (w, g) in enumerate(zip(want, got)):
                    msg = compare(w, g)
                    if msg == "close":
                        status = "close" if status == "ok" else status
                    elif msg:
                        notes.append("%s trial %d out %d: %s" % (name, trial, k, msg))
                        status = "FAIL"
                        break
                if status == "FAIL":
                    break
            passed += status == "ok"
            close += status == "close"
            failed += status == "FAIL"
            oracle_fail += status == "oracle-fail"
            if args.verbose or status == "close":
                print(name, status, manifest[name], flush=True)
    for n in notes:
        print(n)
    print("bit-exact %d, float-close %d, failed %d, oracle-failed %d (models x %d inputs, x_ models: 1 exhaustive input); "
          "%d of the passes checked against TFLite's reference kernels (op missing in TFLM)"
          % (passed, close, failed, oracle_fail, args.n, tflite_ref))
    return failed == 0


def read_csv(p, dt):
    txt = open(p).read().replace("\n", ",")
    return np.array([int(v) for v in txt.split(",") if v.strip()], dtype=dt)


def seanet(args):
    passed = failed = stale = 0
    types = {"int16": np.int16, "int32": np.int32}
    with tempfile.TemporaryDirectory() as tmp:
        for op in ("add", "sub", "leaky_relu", "quantize"):
            d = SEANET / op
            for m in sorted(d.glob("*.tflite"), key=lambda p: int(p.stem[len(op):])):
                ins = []
                for k in range(4):
                    f = [p for p in d.glob("%s_input%d_*.csv" % (m.stem, k))]
                    if f:
                        ins.append(read_csv(f[0], types[f[0].stem.split("_")[-1]]))
                gf = list(d.glob("%s_golden_*.csv" % m.stem))[0]
                want = read_csv(gf, types[gf.stem.split("_")[-1]])
                got, err = ours_run(args.runner, m, ins, 1, tmp)
                if err:
                    print(m.name, "ours failed:", err)
                    failed += 1
                    continue
                msg = compare(want, got[0])
                if msg:
                    # The goldens come from an older TFLM; the installed oracle decides.
                    shapes, _ = model_io(m)
                    oracle = oracle_run(m, [x.reshape(sh) for x, (sh, _, _) in zip(ins, shapes)], 1)[0]
                    omsg = compare(oracle.reshape(-1), got[0])
                    if omsg:
                        print(m.name, "golden:", msg, "| oracle:", omsg)
                        failed += 1
                    else:
                        print(m.name, "golden differs (%s) but matches the oracle" % msg)
                        stale += 1
                else:
                    passed += 1
    print("seanet: passed %d, stale golden (oracle-exact) %d, failed %d" % (passed, stale, failed))
    return failed == 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "oracle":
        oracle_child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["gen", "run", "seanet"])
    ap.add_argument("--only")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--runner", default=str(TOP / "build" / "host" / "tflm_run"))
    ap.add_argument("-n", type=int, default=4)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--tflite-fallback", action="store_true",
                    help="check ops TFLM lacks (RELU_N1_TO_1) against TFLite's reference kernels")
    args = ap.parse_args()
    if args.cmd == "gen":
        gen(args)
        return 0
    if args.tflite_fallback:
        os.environ["ELEM_TFLITE_FALLBACK"] = "1"
    if args.cmd == "run":
        return 0 if run(args) else 1
    return 0 if seanet(args) else 1


if __name__ == "__main__":
    sys.exit(main())
