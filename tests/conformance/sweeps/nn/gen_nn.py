"""Development sweep for the nn kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
AVERAGE_POOL_2D, MAX_POOL_2D, TRANSPOSE_CONV): builds small tf.function models with
seeded random weights, converts them to full-int8, 16x8 and float32 .tflite files in
build/nn/models/ and writes build/nn/models/specs.json.

Usage: python tests/conformance/sweeps/nn/gen_nn.py [--only SUBSTR] [--force]
"""
import argparse
import json
import os
import pathlib
import random
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

TOP = pathlib.Path(__file__).resolve().parents[4]
OUT = TOP / "build" / "nn" / "models"


def act_fn(name):
    return {
        "none": lambda x: x,
        "relu": tf.nn.relu,
        "relu6": tf.nn.relu6,
        "n1to1": lambda x: tf.minimum(tf.maximum(x, -1.0), 1.0),
    }[name]


def build(spec):
    rng = np.random.default_rng(spec["seed"])
    k = spec["op"]
    act = act_fn(spec.get("act", "none"))
    if k == "conv":
        h, w, c = spec["in"]
        fh, fw, oc = spec["f"]
        groups = spec.get("groups", 1)
        W = tf.constant(rng.normal(0, 0.5, (fh, fw, c // groups, oc)).astype(np.float32))
        B = tf.constant(rng.normal(0, 0.5, (oc,)).astype(np.float32)) if spec.get("bias", True) else None
        shape = [1, h, w, c]

        def f(x):
            y = tf.nn.conv2d(x, W, strides=[1, spec["s"][0], spec["s"][1], 1], padding=spec["pad"],
                             dilations=[1, spec["d"][0], spec["d"][1], 1])
            if B is not None:
                y = y + B
            return act(y)
    elif k == "dwconv":
        h, w, c = spec["in"]
        fh, fw, dm = spec["f"]
        W = tf.constant(rng.normal(0, 0.5, (fh, fw, c, dm)).astype(np.float32))
        B = tf.constant(rng.normal(0, 0.5, (c * dm,)).astype(np.float32)) if spec.get("bias", True) else None
        shape = [1, h, w, c]

        def f(x):
            y = tf.nn.depthwise_conv2d(x, W, strides=[1, spec["s"][0], spec["s"][1], 1], padding=spec["pad"],
                                       dilations=spec["d"])
            if B is not None:
                y = y + B
            return act(y)
    elif k == "fc":
        shape = list(spec["in"])
        kin = shape[-1]
        units = spec["units"]
        W = tf.constant(rng.normal(0, 0.5, (kin, units)).astype(np.float32))
        B = tf.constant(rng.normal(0, 0.5, (units,)).astype(np.float32)) if spec.get("bias", True) else None

        def f(x):
            if len(shape) == 2:
                y = tf.matmul(x, W)
            else:
                y = tf.tensordot(x, W, axes=[[len(shape) - 1], [0]])
            if B is not None:
                y = y + B
            return act(y)
    elif k in ("avgpool", "maxpool"):
        h, w, c = spec["in"]
        shape = [1, h, w, c]
        pool = tf.nn.avg_pool2d if k == "avgpool" else tf.nn.max_pool2d

        def f(x):
            return act(pool(x, ksize=spec["k"], strides=spec["s"], padding=spec["pad"]))
    elif k == "tconv":
        h, w, c = spec["in"]
        fh, fw, oc = spec["f"]
        sh, sw = spec["s"]
        W = tf.constant(rng.normal(0, 0.5, (fh, fw, oc, c)).astype(np.float32))
        B = tf.constant(rng.normal(0, 0.5, (oc,)).astype(np.float32)) if spec.get("bias", True) else None
        if spec["pad"] == "SAME":
            oh, ow = h * sh, w * sw
        else:
            oh, ow = (h - 1) * sh + fh, (w - 1) * sw + fw
        shape = [1, h, w, c]

        def f(x):
            y = tf.nn.conv2d_transpose(x, W, output_shape=[1, oh, ow, oc], strides=[1, sh, sw, 1],
                                       padding=spec["pad"])
            if B is not None:
                y = y + B
            return act(y)
    else:
        raise ValueError(k)
    return f, shape


def convert(spec):
    f, shape = build(spec)
    fn = tf.function(f, input_signature=[tf.TensorSpec(shape, tf.float32)])
    conv = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    q = spec["q"]
    if q in ("int8", "int16"):
        rng = np.random.default_rng(spec["seed"] + 1)

        def rep():
            for _ in range(24):
                yield [rng.uniform(-2.0, 2.0, shape).astype(np.float32)]
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        if q == "int8":
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            conv.inference_input_type = tf.int8
            conv.inference_output_type = tf.int8
        else:
            conv.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
            conv.inference_input_type = tf.int16
            conv.inference_output_type = tf.int16
        if spec.get("per_tensor"):
            conv._experimental_disable_per_channel = True
            conv._experimental_disable_per_channel_quantization_for_dense_layers = True
        else:
            conv._experimental_disable_per_channel_quantization_for_dense_layers = False
    return conv.convert()


def specs():
    out = []
    rng = random.Random(1234)
    seed = [0]

    def add(**kw):
        seed[0] += 1
        kw.setdefault("seed", seed[0])
        for q in kw.pop("qs", ["int8", "float"]):
            s = dict(kw)
            s["q"] = q
            parts = [s["op"], q] + [f"{a}{b}" for a, b in sorted(kw.items()) if a not in ("op", "seed")]
            s["name"] = "_".join(str(p) for p in parts).replace(" ", "").replace("[", "").replace("]", "") \
                .replace(",", "x").replace("'", "")
            out.append(s)

    acts = ["none", "relu", "relu6", "n1to1"]
    # CONV_2D
    for i in range(36):
        h, w = rng.choice([(5, 5), (7, 9), (8, 8), (6, 11), (1, 9)])
        c = rng.choice([1, 2, 3, 4, 8])
        fh, fw = rng.choice([(1, 1), (3, 3), (2, 3), (5, 5), (3, 1)])
        oc = rng.choice([1, 3, 4, 8])
        pad = rng.choice(["SAME", "VALID"])
        if rng.random() < 0.3:
            s, d = (1, 1), rng.choice([(2, 2), (1, 2), (3, 2)])
        else:
            s, d = rng.choice([(1, 1), (2, 2), (1, 2), (3, 2), (2, 1)]), (1, 1)
        if pad == "VALID" and ((fh - 1) * d[0] + 1 > h or (fw - 1) * d[1] + 1 > w):
            pad = "SAME"
        kw = dict(op="conv", **{"in": [h, w, c]}, f=[fh, fw, oc], s=list(s), d=list(d), pad=pad,
                  act=acts[i % 4], bias=(i % 5 != 4))
        qs = ["int8", "float"] + (["int16"] if i % 3 == 0 else [])
        add(qs=qs, **kw)
        if i % 6 == 1:
            add(qs=["int8"], per_tensor=True, **kw)
    # grouped convolution
    add(op="conv", **{"in": [6, 6, 4]}, f=[3, 3, 6], s=[1, 1], d=[1, 1], pad="SAME", act="relu", groups=2)
    # DEPTHWISE_CONV_2D
    for i in range(30):
        h, w = rng.choice([(5, 5), (7, 9), (8, 8), (6, 11), (1, 9)])
        c = rng.choice([1, 2, 3, 4, 8])
        fh, fw = rng.choice([(1, 1), (3, 3), (2, 3), (5, 5), (3, 1)])
        dm = rng.choice([1, 1, 2, 3])
        pad = rng.choice(["SAME", "VALID"])
        if rng.random() < 0.3:
            s, d = (1, 1), rng.choice([(2, 2), (1, 2), (3, 2)])
        else:
            s, d = rng.choice([(1, 1), (2, 2), (3, 3)]), (1, 1)
        if pad == "VALID" and ((fh - 1) * d[0] + 1 > h or (fw - 1) * d[1] + 1 > w):
            pad = "SAME"
        kw = dict(op="dwconv", **{"in": [h, w, c]}, f=[fh, fw, dm], s=list(s), d=list(d), pad=pad,
                  act=acts[i % 4], bias=(i % 5 != 4))
        qs = ["int8", "float"] + (["int16"] if i % 3 == 0 else [])
        add(qs=qs, **kw)
        if i % 6 == 1:
            add(qs=["int8"], per_tensor=True, **kw)
    # FULLY_CONNECTED
    fc_shapes = [[1, 8], [1, 1], [1, 33], [4, 10], [3, 7], [1, 5, 6], [1, 3, 16]]
    for i in range(24):
        shp = fc_shapes[i % len(fc_shapes)]
        units = rng.choice([1, 3, 8, 17])
        kw = dict(op="fc", **{"in": shp}, units=units, act=acts[i % 4], bias=(i % 5 != 4))
        add(qs=["int8", "float"] + (["int16"] if i % 3 == 0 else []), **kw)
        add(qs=["int8"], per_tensor=True, **kw)
    # pooling
    for i in range(40):
        op = "avgpool" if i % 2 == 0 else "maxpool"
        h, w = rng.choice([(5, 5), (7, 9), (8, 8), (6, 11), (4, 4), (1, 9)])
        c = rng.choice([1, 2, 3, 8])
        k = list(rng.choice([(2, 2), (3, 3), (2, 3), (1, 1), (5, 5), (3, 1)]))
        s = list(rng.choice([(1, 1), (2, 2), (1, 2), (3, 3), (2, 1)]))
        pad = rng.choice(["SAME", "VALID"])
        if pad == "VALID" and (k[0] > h or k[1] > w):
            pad = "SAME"
        add(qs=["int8", "float"] + (["int16"] if i % 4 < 2 else []), op=op, **{"in": [h, w, c]}, k=k, s=s,
            pad=pad, act=["none", "relu"][(i // 2) % 2])
    # TRANSPOSE_CONV
    for i in range(12):
        h, w = rng.choice([(3, 3), (4, 5), (2, 6)])
        c = rng.choice([1, 2, 4])
        fh, fw = rng.choice([(2, 2), (3, 3), (3, 2), (1, 1)])
        oc = rng.choice([1, 3, 4])
        s = list(rng.choice([(1, 1), (2, 2), (2, 1)]))
        pad = rng.choice(["SAME", "VALID"])
        add(qs=["int8", "float"] + (["int16"] if i % 3 == 0 else []), op="tconv", **{"in": [h, w, c]},
            f=[fh, fw, oc], s=s, pad=pad, act=["none", "relu"][i % 2], bias=(i % 4 != 3))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    done = []
    for s in specs():
        if a.only and a.only not in s["name"]:
            continue
        path = OUT / (s["name"] + ".tflite")
        if a.force or not path.exists():
            try:
                path.write_bytes(convert(s))
            except Exception as e:  # noqa: BLE001
                print("FAILED", s["name"], str(e).splitlines()[0][:200], file=sys.stderr)
                continue
        s["file"] = str(path)
        done.append(s)
    old = []
    sp = OUT / "specs.json"
    if a.only and sp.exists():
        old = [x for x in json.loads(sp.read_text()) if x["name"] not in {d["name"] for d in done}]
    sp.write_text(json.dumps(old + done, indent=1))
    print(len(done), "models")


if __name__ == "__main__":
    main()
