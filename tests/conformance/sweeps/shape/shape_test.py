"""Development conformance test of the shape / data-movement kernels.

Builds small single-op models with TensorFlow (float32, full-int8 and 16x8
int16 conversions) over sweeps of shapes, axes, masks and paddings, runs them
on the tflite_micro oracle and on our host runner with the same random
inputs, and compares the output bytes.

  python tests/conformance/sweeps/shape/shape_test.py gen [--only GLOB] [--force]
  python tests/conformance/sweeps/shape/shape_test.py run [--only GLOB] [--runner PATH] [-n INPUTS]
  python tests/conformance/sweeps/shape/shape_test.py seanet [--runner PATH]

Models go to build/shape/models/. Some ops the converter never emits (it
lowers SQUEEZE/EXPAND_DIMS to RESHAPE, ...) are made by editing a converted
model with the schema's object API (see `retarget`).
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
OUT = TOP / "build" / "shape" / "models"
SEANET = TOP.parent / "shared" / "tflm-tests" / "seanet"

CASES = {}


def case(name, kinds, fn, shapes, repr_scale=None, edit=None):
    """Register fn(*inputs) over inputs of the given shapes for each kind."""
    for k in kinds:
        CASES["%s_%s" % (name, k)] = dict(kind=k, fn=fn, shapes=shapes, repr_scale=repr_scale, edit=edit)


def define_cases():
    import tensorflow as tf
    A = ("float", "int8", "int16")
    # RESHAPE / SQUEEZE / EXPAND_DIMS
    for i, (s, t) in enumerate([((1, 2, 3, 4), (1, 24)), ((1, 6, 4), (2, 12)), ((1, 24), (1, 2, 3, 4)),
                                ((1, 5), (5,)), ((2, 3, 1, 4), (2, 3, 4)), ((1, 1, 1, 7), (7, 1))]):
        case("reshape%d" % i, A, lambda x, t=t: tf.reshape(x * 1.0, t), [s])
    for i, (s, ax) in enumerate([((1, 1, 5), None), ((1, 3, 1, 4), [2]), ((2, 1, 3), [-2]), ((1, 1, 1, 1), [0, 3])]):
        case("squeeze%d" % i, A, lambda x, ax=ax: tf.squeeze(x, ax), [s], edit=("squeeze", ax))
    for i, (s, ax) in enumerate([((1, 5), 0), ((1, 3, 4), 3), ((2, 3), -1), ((1, 2, 3), 1)]):
        case("expand%d" % i, A, lambda x, ax=ax: tf.expand_dims(x, ax), [s], edit=("expand_dims", ax))
    # CONCATENATION
    for i, (shs, ax) in enumerate([([(1, 2, 3, 4), (1, 2, 3, 5)], 3), ([(1, 2, 3, 4), (1, 1, 3, 4), (1, 3, 3, 4)], 1),
                                   ([(1, 4), (1, 7)], -1), ([(2, 3, 4), (1, 3, 4)], 0), ([(1, 5, 2), (1, 5, 3), (1, 5, 1), (1, 5, 2)], 2),
                                   ([(1, 2, 6), (1, 2, 6)], 1)]):
        case("concat%d" % i, A, lambda *xs, ax=ax: tf.concat(list(xs), ax), shs, repr_scale=[1.0 + k for k in range(len(shs))])
    # SPLIT / SPLIT_V
    for i, (s, n, ax) in enumerate([((1, 4, 6), 2, 2), ((1, 6, 3), 3, 1), ((2, 4), 2, 0), ((1, 2, 2, 8), 4, -1)]):
        case("split%d" % i, A, lambda x, n=n, ax=ax: [y * 1.0 for y in tf.split(x, n, ax)], [s])
    for i, (s, sz, ax) in enumerate([((1, 7, 3), [2, 5], 1), ((1, 2, 9), [1, 3, 5], -1), ((1, 6), [4, -1], 1)]):
        case("splitv%d" % i, A, lambda x, sz=sz, ax=ax: [y * 1.0 for y in tf.split(x, sz, ax)], [s])
    # PAD / PADV2
    for i, (s, p) in enumerate([((1, 3, 4, 2), [[0, 0], [1, 2], [2, 1], [0, 0]]), ((1, 5), [[0, 0], [3, 1]]),
                                ((1, 2, 3), [[1, 0], [0, 2], [1, 1]]), ((1, 2, 2, 3), [[0, 0], [0, 0], [0, 0], [2, 3]]),
                                ((1, 2, 3, 2, 2), [[0, 0], [1, 0], [0, 1], [1, 1], [0, 0]])]):
        case("pad%d" % i, A, lambda x, p=p: tf.pad(x, p), [s])
        case("padv2_%d" % i, ("float", "int8"), lambda x, p=p: tf.pad(x, p, constant_values=0.75), [s])
    # MEAN / SUM / REDUCE_MAX
    red = [((1, 4, 5, 3), [1, 2], True), ((1, 4, 5, 3), [1, 2], False), ((1, 4, 5, 3), [2], True), ((1, 6, 7), [-1], False),
           ((1, 3, 4, 8), [3], True), ((2, 3, 4), [0, 2], False), ((1, 3, 4, 5), [1, 2, 3], True), ((1, 10), [1], False),
           ((1, 9, 9, 16), [2, 1], True), ((1, 2, 3, 4, 5), [1, 3], False), ((1, 33, 17, 2), [1, 2], True)]
    for i, (s, ax, kd) in enumerate(red):
        case("mean%d" % i, A, lambda x, ax=ax, kd=kd: tf.reduce_mean(x, ax, keepdims=kd), [s])
        case("sum%d" % i, A, lambda x, ax=ax, kd=kd: tf.reduce_sum(x, ax, keepdims=kd), [s])
        case("rmax%d" % i, ("float", "int8"), lambda x, ax=ax, kd=kd: tf.reduce_max(x, ax, keepdims=kd), [s])
    # MEAN with input and output sharing scale/zero point (a relu6-like range)
    case("mean_same", ("int8",), lambda x: tf.reduce_mean(x, [1, 2], keepdims=True), [(1, 5, 5, 4)],
         edit=("same_quant",))
    case("mean_same2", ("int8", "int16"), lambda x: tf.reduce_mean(x, [1], keepdims=False), [(1, 7, 3)],
         edit=("same_quant",))
    # Quantisation the converter would not choose: concat inputs with other
    # scales (TFLM copies bytes), MEAN/SUM with extreme rescaling.
    case("concat_q0", ("int8",), lambda a, b: tf.concat([a, b], 2), [(1, 3, 4), (1, 3, 5)], edit=("scale_in", 1, 3.0, 17))
    case("concat_q1", ("int8",), lambda a, b: tf.concat([a, b], 1), [(1, 3, 4), (1, 2, 4)], edit=("scale_in", 0, 0.25, -30))
    for j, (f, zp) in enumerate([(1e-3, 5), (1e3, -7), (37.0, 0), (0.01, -128), (1e-6, 3)]):
        case("mean_q%d" % j, ("int8", "int16"), lambda x: tf.reduce_mean(x, [1, 2], keepdims=True), [(1, 6, 5, 3)],
             edit=("scale_out", f) + ((zp,) if j != 4 else ()))
        case("mean_qb%d" % j, ("int8",), lambda x: tf.reduce_mean(x, [-1], keepdims=False), [(1, 3, 300)],
             edit=("scale_out", f, zp))
        case("sum_q%d" % j, ("int8", "int16"), lambda x: tf.reduce_sum(x, [1], keepdims=False), [(1, 9, 4)],
             edit=("scale_out", f) + ((zp,) if j != 4 else ()))
    # Byte movers with an output quantised differently from the input: TFLM
    # rejects some (both must reject) and copies bytes for the others.
    qd = ("scale_out", 2.0, 3)
    case("qd_reshape", ("int8",), lambda x: tf.reshape(x, (1, 12)), [(1, 3, 4)], edit=qd)
    case("qd_pad", ("int8",), lambda x: tf.pad(x, [[0, 0], [1, 1], [0, 2]]), [(1, 3, 4)], edit=qd)
    case("qd_padv2", ("int8",), lambda x: tf.pad(x, [[0, 0], [1, 1], [0, 2]], constant_values=0.5), [(1, 3, 4)], edit=qd)
    case("qd_sslice", ("int8",), lambda x: x[:, 1:, ::2], [(1, 3, 4)], edit=qd)
    case("qd_transpose", ("int8",), lambda x: tf.transpose(x, (0, 2, 1)), [(1, 3, 4)], edit=qd)
    case("qd_split", ("int8",), lambda x: [y * 1.0 for y in tf.split(x, 2, 2)], [(1, 3, 4)], edit=qd)
    case("qd_splitv", ("int8",), lambda x: [y * 1.0 for y in tf.split(x, [1, 3], 2)], [(1, 3, 4)], edit=qd)
    case("qd_rmax", ("int8",), lambda x: tf.reduce_max(x, [1]), [(1, 3, 4)], edit=qd)
    case("qd_resizenn", ("int8",), lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, (4, 6)), [(1, 2, 3, 2)], edit=qd)
    case("qd_slice", ("int8",), lambda x: tf.slice(x, [0, 1, 0], [1, 2, 3]), [(1, 3, 4)], edit=qd)
    case("qd_gather", ("int8",), lambda x: tf.gather(x, tf.constant([2, 0], tf.int32), axis=2), [(1, 3, 4)], edit=qd)
    case("qd_pack", ("int8",), lambda a, b: tf.stack([a, b], 1), [(1, 4), (1, 4)], edit=qd)
    case("qd_unpack", ("int8",), lambda x: [y * 1.0 for y in tf.unstack(x, axis=1)], [(1, 3, 4)], edit=qd)
    case("qd_s2d", ("int8",), lambda x: tf.nn.space_to_depth(x, 2), [(1, 2, 4, 2)], edit=qd)
    case("qd_d2s", ("int8",), lambda x: tf.nn.depth_to_space(x, 2), [(1, 2, 2, 8)], edit=qd)
    case("qd_s2b", ("int8",), lambda x: tf.space_to_batch(x, [2, 2], [[0, 0], [0, 0]]), [(1, 4, 4, 2)], edit=qd)
    case("qd_b2s", ("int8",), lambda x: tf.batch_to_space(x, [2, 2], [[0, 0], [0, 0]]), [(4, 2, 2, 2)], edit=qd)
    case("qd_bcast", ("int8",), lambda x: tf.broadcast_to(x, (3, 4)), [(1, 4)], edit=qd)
    case("qd_mpad", ("int8",), lambda x: tf.pad(x, [[0, 0], [1, 1], [0, 2]], mode="REFLECT"), [(1, 3, 4)], edit=qd)
    case("qd_bilinear", ("int8",), lambda x: tf.compat.v1.image.resize_bilinear(x, (4, 6)), [(1, 2, 3, 2)], edit=qd)
    case("qd_squeeze", ("int8",), lambda x: tf.squeeze(x, [1]), [(1, 1, 4)], edit=("squeeze", [1]))
    case("qd_rmin", ("int8",), lambda x: tf.reduce_min(x, [1]), [(1, 3, 4)], edit=qd)
    # Output shapes that disagree with the op: both must refuse.
    bad = ("bad_out",)
    case("bad_transpose", ("float",), lambda x: tf.transpose(x, (0, 2, 1)), [(1, 3, 4)], edit=bad)
    case("bad_pad", ("float",), lambda x: tf.pad(x, [[0, 0], [1, 1], [0, 2]]), [(1, 3, 4)], edit=bad)
    case("bad_sslice", ("float",), lambda x: x[:, 1:, ::2], [(1, 3, 4)], edit=bad)
    case("bad_mean", ("float",), lambda x: tf.reduce_mean(x, [1]), [(1, 3, 4)], edit=bad)
    case("bad_concat", ("float",), lambda a, b: tf.concat([a, b], 1), [(1, 3), (1, 2)], edit=bad)
    case("bad_split", ("float",), lambda x: [y * 1.0 for y in tf.split(x, 2, 2)], [(1, 3, 4)], edit=bad)
    case("bad_resizenn", ("float",), lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, (4, 6)), [(1, 2, 3, 2)], edit=bad)
    case("bad_slice", ("float",), lambda x: tf.slice(x, [0, 1, 0], [1, 2, 3]), [(1, 3, 4)], edit=bad)
    case("bad_gather", ("float",), lambda x: tf.gather(x, tf.constant([2, 0], tf.int32), axis=1), [(1, 3, 4)], edit=bad)
    case("bad_reshape", ("float",), lambda x: tf.reshape(x, (1, 12)), [(1, 3, 4)], edit=bad)
    # STRIDED_SLICE
    ss = [((1, 8, 6), [0, 1, 0], [1, 7, 6], [1, 2, 1], 0, 0, 0),
          ((1, 8, 6), [0, -1, 5], [1, -9, -7], [1, -1, -2], 0, 0, 0),
          ((1, 8, 6), [0, 2, 0], [1, 0, 0], [1, 1, 1], 0, 6, 1),
          ((1, 5, 4, 3), [0, 1, 1, 0], [1, 4, 3, 3], [1, 1, 1, 1], 9, 9, 0),
          ((1, 5, 4, 3), [0, 4, 0, 2], [1, 0, 4, 3], [1, -2, 1, 1], 0, 0, 8),
          ((2, 7), [1, 0], [2, 7], [1, 3], 0, 0, 1),
          ((1, 10), [0, -3], [1, 100], [1, 1], 0, 0, 0),
          ((1, 6, 6, 2), [0, 0, 0, 0], [1, 6, 6, 1], [1, 2, 3, 1], 0, 0, 0),
          ((1, 6, 6, 2), [0, 5, 5, 1], [1, -100, 0, 2], [1, -2, -1, 1], 1, 2, 0),
          ((3, 4, 5), [2, 3, 4], [0, 0, 0], [-1, -1, -2], 0, 0, 0)]
    for i, (s, b, e, st, bm, em, sm) in enumerate(ss):
        case("sslice%d" % i, A, lambda x, b=b, e=e, st=st, bm=bm, em=em, sm=sm:
             tf.strided_slice(x, b, e, st, begin_mask=bm, end_mask=em, shrink_axis_mask=sm), [s])
    # Masks TFLM does not apply (the converter never sets them): as TFLM, not applied.
    case("ss_mask_ell", A, lambda x: x[:, 1:, ::2], [(1, 3, 4)], edit=("opts", {"ellipsisMask": 2}))
    case("ss_mask_new", A, lambda x: x[:, 1:, ::2], [(1, 3, 4)], edit=("opts", {"newAxisMask": 4}))
    case("ss_mask_off", A, lambda x: x[:, 1:, ::2], [(1, 3, 4)], edit=("opts", {"offset": True}))
    case("ss_ellipsis", A, lambda x: x[..., 1:3], [(1, 3, 4)])
    case("ss_ellipsis2", A, lambda x: x[0, ..., ::-1], [(2, 3, 4)])
    case("ss_newaxis", A, lambda x: x[:, tf.newaxis, 1:], [(1, 3, 4)])
    case("ss_newaxis2", A, lambda x: x[:, 1, tf.newaxis, ::2], [(1, 3, 4)])
    # TRANSPOSE
    for i, (s, p) in enumerate([((3, 5), (1, 0)), ((1, 2, 3, 4), (0, 3, 1, 2)), ((1, 2, 3, 4), (3, 2, 1, 0)),
                                ((2, 3, 4), (1, 0, 2)), ((1, 2, 3, 4, 5), (0, 4, 2, 3, 1)), ((1, 4, 3, 2, 2), (4, 3, 2, 1, 0))]):
        case("transpose%d" % i, A, lambda x, p=p: tf.transpose(x, p), [s])
    # RESIZE_NEAREST_NEIGHBOR
    rs = [((1, 3, 4, 2), (6, 8), False, False), ((1, 3, 4, 2), (6, 8), False, True), ((1, 3, 4, 2), (7, 5), True, False),
          ((1, 5, 5, 3), (3, 2), False, True), ((1, 5, 5, 3), (3, 2), False, False), ((1, 4, 4, 1), (9, 11), True, False),
          ((2, 2, 3, 2), (5, 7), False, True), ((1, 1, 1, 4), (3, 3), False, False), ((1, 7, 3, 2), (1, 1), True, False)]
    for i, (s, sz, ac, hp) in enumerate(rs):
        case("resizenn%d" % i, A, lambda x, sz=sz, ac=ac, hp=hp:
             tf.compat.v1.image.resize_nearest_neighbor(x, sz, align_corners=ac, half_pixel_centers=hp), [s])


def define_extra_cases():
    """The welcome ops, in the dtypes the oracle runs (it has no TILE)."""
    import tensorflow as tf
    A = ("float", "int8", "int16")
    F8 = ("float", "int8")
    for i, (s, b, z) in enumerate([((1, 5, 6), [0, 1, 2], [1, 3, -1]), ((2, 4), [1, 0], [1, 4]),
                                   ((1, 4, 4, 3), [0, 1, 0, 1], [1, 2, 4, 2]), ((1, 2, 3, 4, 5), [0, 1, 1, 0, 2], [1, 1, 2, 4, 3])]):
        case("slice%d" % i, A, lambda x, b=b, z=z: tf.slice(x, b, z), [s])
    for i, (s, idx, ax, bd) in enumerate([((1, 6, 3), [4, 0, 2, 2], 1, 0), ((5, 4), [[1, 2], [0, 4]], 0, 0),
                                          ((1, 3, 8), [7, 1], -1, 0), ((2, 5, 3), [[1, 4, 0], [2, 2, 3]], 1, 1)]):
        case("gather%d" % i, F8, lambda x, idx=idx, ax=ax, bd=bd:
             tf.gather(x, tf.constant(idx, tf.int32), axis=ax, batch_dims=bd), [s])
    for i, (s, ax) in enumerate([((1, 10), 1), ((1, 4, 5, 3), 3), ((1, 4, 5, 3), 1), ((2, 7), 0)]):
        case("argmax%d" % i, F8, lambda x, ax=ax: tf.argmax(x, ax, output_type=tf.int32), [s])
        case("argmin%d" % i, F8, lambda x, ax=ax: tf.argmin(x, ax, output_type=tf.int32), [s])
    for i, (shs, ax) in enumerate([([(1, 4), (1, 4)], 0), ([(2, 3), (2, 3), (2, 3)], 1), ([(1, 2, 3)] * 2, 3), ([(3,)] * 4, -1)]):
        case("pack%d" % i, A, lambda *xs, ax=ax: tf.stack(list(xs), ax), shs)
    for i, (s, ax) in enumerate([((1, 3, 4), 1), ((2, 5), 0), ((1, 2, 3), -1)]):
        case("unpack%d" % i, A, lambda x, ax=ax: [y * 1.0 for y in tf.unstack(x, axis=ax)], [s])
    for i, (s, bs) in enumerate([((1, 4, 6, 2), 2), ((1, 6, 6, 1), 3), ((2, 2, 4, 3), 2)]):
        case("s2d%d" % i, F8, lambda x, bs=bs: tf.nn.space_to_depth(x, bs), [s])
    for i, (s, bs) in enumerate([((1, 2, 3, 8), 2), ((1, 2, 2, 9), 3), ((2, 1, 3, 4), 2)]):
        case("d2s%d" % i, F8, lambda x, bs=bs: tf.nn.depth_to_space(x, bs), [s])
    for i, (s, blk, pads) in enumerate([((1, 4, 4, 2), [2, 2], [[0, 0], [0, 0]]), ((1, 5, 3, 1), [2, 2], [[1, 0], [0, 1]]),
                                        ((1, 6, 2), [3], [[0, 0]]), ((2, 2, 4, 3), [1, 2], [[1, 1], [0, 2]])]):
        case("s2b%d" % i, F8, lambda x, blk=blk, pads=pads: tf.space_to_batch(x, blk, pads), [s])
    for i, (s, blk, crops) in enumerate([((4, 2, 2, 2), [2, 2], [[0, 0], [0, 0]]), ((4, 3, 2, 1), [2, 2], [[1, 0], [0, 1]]),
                                         ((3, 2, 2), [3], [[1, 1]]), ((2, 3, 3, 2), [1, 2], [[0, 1], [1, 0]])]):
        case("b2s%d" % i, F8, lambda x, blk=blk, crops=crops: tf.batch_to_space(x, blk, crops), [s])
    for i, (s, t) in enumerate([((1, 3), (4, 3)), ((1, 1, 2), (1, 3, 2)), ((3, 1), (2, 3, 4)), ((1, 2, 1, 3), (1, 2, 4, 3))]):
        case("bcast%d" % i, A, lambda x, t=t: tf.broadcast_to(x, t), [s])
    rs = [((1, 3, 4, 2), (6, 8), False, False), ((1, 3, 4, 2), (6, 8), False, True), ((1, 3, 4, 2), (7, 5), True, False),
          ((1, 5, 5, 3), (3, 2), False, True), ((1, 4, 4, 1), (9, 11), True, False), ((2, 2, 3, 2), (5, 7), False, True),
          ((1, 7, 3, 2), (1, 1), False, False), ((1, 4, 5, 3), (8, 10), False, True), ((1, 6, 6, 2), (4, 3), False, True)]
    for i, (s, sz, ac, hp) in enumerate(rs):
        case("bilinear%d" % i, F8, lambda x, sz=sz, ac=ac, hp=hp:
             tf.compat.v1.image.resize_bilinear(x, sz, align_corners=ac, half_pixel_centers=hp), [s])
    for i, (s, ax, kd) in enumerate([((1, 4, 5, 3), [1, 2], True), ((1, 6, 7), [-1], False), ((2, 3, 4), [0, 2], False)]):
        case("rmin%d" % i, ("float", "int8"), lambda x, ax=ax, kd=kd: tf.reduce_min(x, ax, keepdims=kd), [s])
    for i, (s, p, mode) in enumerate([((1, 4, 5, 2), [[0, 0], [1, 2], [2, 1], [0, 0]], "REFLECT"),
                                      ((1, 4, 5, 2), [[0, 0], [1, 2], [2, 1], [0, 0]], "SYMMETRIC"),
                                      ((1, 6), [[0, 0], [3, 2]], "REFLECT")]):
        case("mpad%d" % i, F8, lambda x, p=p, mode=mode: tf.pad(x, p, mode=mode), [s])
    case("cast0", ("float",), lambda x: tf.cast(x * 10.0, tf.int32), [(1, 8)])
    case("cast1", ("float",), lambda x: tf.cast(tf.cast(x * 10.0, tf.int32), tf.float32) * 0.5, [(1, 8)])


def define_random_cases():
    """Seeded random sweeps over the core ops."""
    import random
    import tensorflow as tf
    A = ("float", "int8", "int16")
    r = random.Random(1234)

    def shape(nd, lo=1, hi=6):
        return tuple(r.randint(lo, hi) for _ in range(nd))
    i = 0
    while i < 60:
        nd = r.randint(1, 4)
        s = shape(nd, 1, 7)
        b, e, st = [], [], []
        for d in s:
            stv = r.choice([1, 1, 2, 3, -1, -2, -3])
            b.append(r.randint(-d - 2, d + 2))
            e.append(r.randint(-d - 2, d + 2))
            st.append(stv)
        bm, em = r.randrange(1 << nd), r.randrange(1 << nd)
        sm = 0
        for k in range(nd):
            if st[k] > 0 and r.random() < 0.25 and -s[k] <= b[k] < s[k]:
                sm |= 1 << k
        try:
            y = tf.strided_slice(np.zeros(s, np.float32), b, e, st, begin_mask=bm, end_mask=em, shrink_axis_mask=sm)
        except Exception:  # noqa: BLE001
            continue
        if int(np.prod(y.shape)) == 0 or tuple(y.shape) == s:
            continue
        case("rss%d" % i, A, lambda x, b=b, e=e, st=st, bm=bm, em=em, sm=sm:
             tf.strided_slice(x, b, e, st, begin_mask=bm, end_mask=em, shrink_axis_mask=sm), [s])
        i += 1
    for i in range(30):
        nd = r.randint(1, 5)
        s = shape(nd, 1, 6)
        ax = sorted(r.sample(range(nd), r.randint(1, nd)))
        ax = [a - nd if r.random() < 0.3 else a for a in ax]
        kd = r.random() < 0.5
        case("rmean%d" % i, A, lambda x, ax=ax, kd=kd: tf.reduce_mean(x, ax, keepdims=kd), [s])
        if i % 2 == 0:
            case("rsum%d" % i, A, lambda x, ax=ax, kd=kd: tf.reduce_sum(x, ax, keepdims=kd), [s])
        else:
            case("rrmax%d" % i, ("float", "int8"), lambda x, ax=ax, kd=kd: tf.reduce_max(x, ax, keepdims=kd), [s])
    for i in range(15):
        nd = r.randint(2, 5)
        s = shape(nd, 1, 5)
        p = list(range(nd))
        r.shuffle(p)
        case("rtranspose%d" % i, A, lambda x, p=p: tf.transpose(x * 1.0, p), [s])
    for i in range(15):
        nd = r.randint(1, 5)
        s = shape(nd, 1, 5)
        pads = [[r.randint(0, 3), r.randint(0, 3)] for _ in range(nd)]
        case("rpad%d" % i, A, lambda x, p=pads: tf.pad(x * 1.0, p), [s])
    for i in range(25):
        s = (r.randint(1, 2), r.randint(1, 9), r.randint(1, 9), r.randint(1, 3))
        sz = (r.randint(1, 19), r.randint(1, 19))
        ac = r.random() < 0.3
        hp = (not ac) and r.random() < 0.5
        case("rbilinear%d" % i, ("float", "int8"), lambda x, sz=sz, ac=ac, hp=hp:
             tf.compat.v1.image.resize_bilinear(x * 1.0, sz, align_corners=ac, half_pixel_centers=hp), [s])
    for i in range(20):
        s = (r.randint(1, 2), r.randint(1, 9), r.randint(1, 9), r.randint(1, 3))
        sz = (r.randint(1, 17), r.randint(1, 17))
        ac = r.random() < 0.3
        hp = (not ac) and r.random() < 0.5
        case("rresizenn%d" % i, A, lambda x, sz=sz, ac=ac, hp=hp:
             tf.compat.v1.image.resize_nearest_neighbor(x * 1.0, sz, align_corners=ac, half_pixel_centers=hp), [s])


# ---------------------------------------------------------------------------------------
# Conversion

def convert(spec):
    import tensorflow as tf
    kind = spec["kind"]
    sigs = [tf.TensorSpec(s, tf.float32) for s in spec["shapes"]]
    fn = tf.function(spec["fn"], input_signature=sigs)
    conv = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    if kind != "float":
        rng = np.random.default_rng(1)
        scales = spec["repr_scale"] or [1.0] * len(sigs)

        def rep():
            for _ in range(32):
                yield [(rng.standard_normal(s) * sc).astype(np.float32) for s, sc in zip(spec["shapes"], scales)]
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        if kind == "int8":
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            conv.inference_input_type = tf.int8
            conv.inference_output_type = tf.int8
        else:
            conv.target_spec.supported_ops = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
            conv.inference_input_type = tf.int16
            conv.inference_output_type = tf.int16
    return conv.convert()


def schema():
    from tensorflow.lite.python import schema_py_generated as s
    return s


def to_obj(buf):
    s = schema()
    return s.ModelT.InitFromObj(s.Model.GetRootAsModel(buf, 0))


def to_bytes(m):
    import flatbuffers
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def op_names(buf):
    s = schema()
    names = {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_")}
    m = to_obj(buf)
    out = []
    for op in m.subgraphs[0].operators:
        oc = m.operatorCodes[op.opcodeIndex]
        out.append(names.get(max(oc.builtinCode, oc.deprecatedBuiltinCode), "?"))
    return out


def retarget(buf, edit):
    """Edits a converted model: RESHAPE -> SQUEEZE / EXPAND_DIMS, or give a
    single op's output the input's quantisation."""
    s = schema()
    m = to_obj(buf)
    g = m.subgraphs[0]
    if edit[0] == "scale_in":
        # Scale input k's quantisation scale by a factor (the op reads the
        # tensor with other parameters than the converter chose).
        t = g.tensors[g.inputs[edit[1]]]
        t.quantization.scale = [v * edit[2] for v in t.quantization.scale]
        if len(edit) > 3:
            t.quantization.zeroPoint = [edit[3]]
        return to_bytes(m)
    if edit[0] == "scale_out":
        t = g.tensors[g.outputs[0]]
        t.quantization.scale = [v * edit[1] for v in t.quantization.scale]
        if len(edit) > 2:
            t.quantization.zeroPoint = [edit[2]]
        return to_bytes(m)
    if edit[0] == "bad_out":
        # Output shape one larger in its last dim: the op must refuse it.
        t = g.tensors[g.outputs[0]]
        t.shape = list(t.shape[:-1]) + [int(t.shape[-1]) + 1]
        return to_bytes(m)
    if edit[0] == "opts":
        # Set fields of the (single) op's options table.
        for op in g.operators:
            for k, v in edit[1].items():
                setattr(op.builtinOptions, k, v)
        return to_bytes(m)
    if edit[0] == "same_quant":
        for op in g.operators:
            ti, to = g.tensors[op.inputs[0]], g.tensors[op.outputs[0]]
            to.quantization.scale = list(ti.quantization.scale)
            to.quantization.zeroPoint = list(ti.quantization.zeroPoint)
        return to_bytes(m)
    ops = [op for op in g.operators if m.operatorCodes[op.opcodeIndex].builtinCode == s.BuiltinOperator.RESHAPE]
    if len(ops) != 1:
        return buf
    op = ops[0]
    oc = s.OperatorCodeT()
    if edit[0] == "squeeze":
        oc.builtinCode = oc.deprecatedBuiltinCode = s.BuiltinOperator.SQUEEZE
        opt = s.SqueezeOptionsT()
        opt.squeezeDims = list(edit[1]) if edit[1] else []
        op.builtinOptionsType = s.BuiltinOptions.SqueezeOptions
        op.builtinOptions = opt
        op.inputs = op.inputs[:1]
    else:
        oc.builtinCode = oc.deprecatedBuiltinCode = s.BuiltinOperator.EXPAND_DIMS
        op.builtinOptionsType = s.BuiltinOptions.ExpandDimsOptions
        op.builtinOptions = s.ExpandDimsOptionsT()
        # New constant int32 axis tensor.
        bufo = s.BufferT()
        bufo.data = list(np.array([edit[1]], np.int32).tobytes())
        m.buffers.append(bufo)
        t = s.TensorT()
        t.shape = [1]
        t.type = s.TensorType.INT32
        t.buffer = len(m.buffers) - 1
        t.name = b"axis"
        g.tensors.append(t)
        op.inputs = [op.inputs[0], len(g.tensors) - 1]
    oc.version = 1
    m.operatorCodes.append(oc)
    op.opcodeIndex = len(m.operatorCodes) - 1
    return to_bytes(m)


def gen(args):
    import tensorflow as tf  # noqa: F401
    define_cases()
    define_random_cases()
    define_extra_cases()
    OUT.mkdir(parents=True, exist_ok=True)
    manifest_path = OUT / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name in [n for n in manifest if n not in CASES]:
        del manifest[name]
        (OUT / (name + ".tflite")).unlink(missing_ok=True)
    for name, spec in sorted(CASES.items()):
        if args.only and not fnmatch.fnmatch(name, args.only):
            continue
        path = OUT / (name + ".tflite")
        if path.exists() and not args.force and name in manifest:
            continue
        try:
            buf = convert(spec)
            if spec["edit"]:
                buf = retarget(buf, spec["edit"])
        except Exception as e:  # noqa: BLE001
            print("CONVERT FAIL", name, str(e).splitlines()[0][:200])
            continue
        ops = op_names(buf)
        if not ops:
            print("NO OPS (folded)", name)
            manifest.pop(name, None)
            continue
        path.write_bytes(buf)
        manifest[name] = ops
        print(name, manifest[name], flush=True)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))


# ---------------------------------------------------------------------------------------
# Running

NP_TYPES = {0: np.float32, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_, 7: np.int16, 9: np.int8}


def model_io(path):
    """Input (shape, dtype) list and output count, from the model itself."""
    m = to_obj(open(path, "rb").read())
    g = m.subgraphs[0]
    ins = [(tuple(int(v) for v in g.tensors[i].shape), np.dtype(NP_TYPES[g.tensors[i].type])) for i in g.inputs]
    return ins, len(g.outputs)


FRESH_ORACLE = ("s2b",)  # ops whose TFLM kernel reads uninitialised op data


def oracle_run_fresh(path, inputs, n_out):
    """The oracle in a new process, so its arena starts from fresh memory."""
    with tempfile.TemporaryDirectory() as tmp:
        for k, x in enumerate(inputs):
            np.save(os.path.join(tmp, "in%d.npy" % k), x)
        code = ("import numpy as np, sys; sys.path.insert(0, %r); import shape_test as s; "
                "ins = [np.load(%r + '/in%%d.npy' %% k) for k in range(%d)]; "
                "outs = s.oracle_run(%r, ins, %d, fresh=False); "
                "[np.save(%r + '/out%%d.npy' %% k, o) for k, o in enumerate(outs)]"
                % (str(HERE), tmp, len(inputs), str(path), n_out, tmp))
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return [np.load(os.path.join(tmp, "out%d.npy" % k)) for k in range(n_out)]


def oracle_run(path, inputs, n_out, fresh=True):
    if fresh and pathlib.Path(path).stem.startswith(FRESH_ORACLE):
        return oracle_run_fresh(path, inputs, n_out)
    from tflite_micro.python.tflite_micro import runtime
    it = runtime.Interpreter.from_file(str(path), arena_size=1 << 20)
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    return [np.array(it.get_output(i)) for i in range(n_out)]


def random_input(rng, shape, dt):
    if dt == np.float32:
        return (rng.standard_normal(shape) * 2).astype(np.float32)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max + 1, size=shape, dtype=np.int64).astype(dt)


def ours_run(runner, path, inputs, n_out, tmp):
    cmd = [runner, str(path)]
    for k, x in enumerate(inputs):
        p = os.path.join(tmp, "in%d.bin" % k)
        x.tofile(p)
        cmd += ["-i", p]
    outs = [os.path.join(tmp, "out%d.bin" % k) for k in range(n_out)]
    for p in outs:
        cmd += ["-o", p]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return None, (r.stderr.strip() or r.stdout.strip())[:300]
    return [open(p, "rb").read() for p in outs], None


def compare(want, got_bytes):
    got = np.frombuffer(got_bytes, dtype=want.dtype)
    w = want.reshape(-1)
    if got.size != w.size:
        return "size %d != %d" % (got.size, w.size)
    if want.dtype == np.float32:
        if np.array_equal(got, w, equal_nan=True):
            return None
        bad = np.nonzero(~np.isclose(got, w, rtol=1e-5, atol=1e-6))[0]
        if bad.size == 0:
            return "close (not exact)"
    else:
        bad = np.nonzero(got != w)[0]
        if bad.size == 0:
            return None
    i = bad[0]
    return "byte/elem %d: got %s, want %s (%d bad)" % (i, got[i], w[i], bad.size)


def run(args):
    manifest = json.loads((OUT / "manifest.json").read_text())
    runner = args.runner
    passed = failed = 0
    notes = []
    both_reject = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(manifest):
            if args.only and not fnmatch.fnmatch(name, args.only):
                continue
            path = OUT / (name + ".tflite")
            ins, n_out = model_io(path)
            if name.startswith("bad_"):
                # Output shape edited to disagree with the op: we must refuse
                # it (TFLM often does not check, and runs out of bounds).
                rng = np.random.default_rng(0)
                _, err = ours_run(runner, path, [random_input(rng, s_, dt) for s_, dt in ins], n_out, tmp)
                if err and "shape" in err:
                    passed += 1
                else:
                    failed += 1
                    notes.append("%s: expected a shape error, got %s" % (name, err))
                continue
            rng = np.random.default_rng(zlib.crc32(name.encode()))
            ok = True
            for trial in range(args.n):
                inputs = [random_input(rng, s, dt) for s, dt in ins]
                try:
                    want = oracle_run(path, inputs, n_out)
                except Exception as e:  # noqa: BLE001
                    _, err = ours_run(runner, path, inputs, n_out, tmp)
                    if err:
                        both_reject.append(name)
                    else:
                        notes.append("%s: oracle rejects (%s), ours runs" % (name, str(e)[:80]))
                    ok = None
                    break
                got, err = ours_run(runner, path, inputs, len(want), tmp)
                if err:
                    notes.append("%s: ours failed: %s" % (name, err))
                    ok = False
                    break
                for k, (w, g) in enumerate(zip(want, got)):
                    msg = compare(w, g)
                    if msg:
                        notes.append("%s trial %d out %d: %s" % (name, trial, k, msg))
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                passed += 1
            elif ok is False:
                failed += 1
            if args.verbose:
                print(name, "ok" if ok else ("FAIL" if ok is False else "oracle-fail"), manifest[name], flush=True)
    for n in notes:
        print(n)
    print("passed %d models x %d inputs, failed %d; rejected by both: %d (%s)"
          % (passed, args.n, failed, len(both_reject), " ".join(both_reject)))
    return failed == 0


def read_csv(p, dt):
    txt = open(p).read().replace("\n", ",")
    return np.array([int(v) for v in txt.split(",") if v.strip()], dtype=dt)


def seanet(args):
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for op in ("pad", "strided_slice"):
            d = SEANET / op
            for m in sorted(d.glob("*.tflite"), key=lambda p: int(p.stem[len(op):])):
                ins = []
                k = 0
                while (d / ("%s_input%d_int16.csv" % (m.stem, k))).exists():
                    ins.append(read_csv(d / ("%s_input%d_int16.csv" % (m.stem, k)), np.int16))
                    k += 1
                want = read_csv(d / ("%s_golden_int16.csv" % m.stem), np.int16)
                got, err = ours_run(args.runner, m, ins, 1, tmp)
                if err:
                    print(m.name, "ours failed:", err)
                    failed += 1
                    continue
                msg = compare(want, got[0])
                if msg:
                    print(m.name, msg)
                    failed += 1
                else:
                    passed += 1
    print("seanet: passed %d, failed %d" % (passed, failed))
    return failed == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["gen", "run", "seanet"])
    ap.add_argument("--only")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--runner", default=str(TOP / "build" / "host" / "tflm_run"))
    ap.add_argument("-n", type=int, default=4)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.cmd == "gen":
        gen(args)
        return 0
    if args.cmd == "run":
        return 0 if run(args) else 1
    return 0 if seanet(args) else 1


if __name__ == "__main__":
    sys.exit(main())
