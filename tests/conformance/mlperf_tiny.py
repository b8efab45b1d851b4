"""The four MLPerf Tiny reference models, as Keras definitions with seeded random weights.

Architectures (from the published MLPerf Tiny benchmark descriptions):
  KWS  DS-CNN: 49x10x1 MFCC input; conv 64 (10x4, stride 2, same) + BN + ReLU; four
       depthwise-separable blocks (3x3 depthwise + BN + ReLU, 1x1 conv 64 + BN + ReLU);
       average pool (24x5) -> flatten -> dense 12 + softmax.
  VWW  MobileNetV1 alpha 0.25: 96x96x3; conv 8 (3x3 s2) then 13 depthwise-separable blocks
       (pointwise 16, 32, 32, 64, 64, 128 x6, 256, 256; stride 2 at blocks 2, 4, 6, 12),
       each conv followed by BN + ReLU; 3x3 average pool -> flatten -> dense 2 + softmax.
  IC   ResNet-8: 32x32x3; conv 16 (3x3) + BN + ReLU; three residual stacks of two 3x3
       convs (16, 32, 64 filters, the 2nd/3rd stacks strided with a 1x1 strided conv on
       the shortcut), add + ReLU; 8x8 average pool -> flatten -> dense 10 + softmax.
  AD   FC autoencoder: 640 inputs; dense 128 x4, dense 8, dense 128 x4 (each + BN + ReLU),
       dense 640.

All are converted full-int8 (batch 1, random representative data, int8 input/output;
the AD model with per-tensor FULLY_CONNECTED weights, as MLPerf Tiny's AD model is) to
build/conformance/models/mlperf_*.tflite. MAC counts are computed from the converted
graphs. Cached: rebuilt when a file is missing or this file changed.

Usage: python tests/conformance/mlperf_tiny.py [--force] [--train-steps N]
"""
import argparse
import hashlib
import json
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_models  # noqa: E402

OUT_DIR = gen_models.OUT_DIR
MANIFEST = OUT_DIR / "mlperf_manifest.json"
NAMES = ["mlperf_kws_dscnn", "mlperf_vww_mobilenet", "mlperf_ic_resnet8",
         "mlperf_ad_autoencoder"]
# name: (input shape without batch, representative range, per-tensor FC)
SPECS = {
    "mlperf_kws_dscnn": ([49, 10, 1], [-1.0, 1.0], False),
    "mlperf_vww_mobilenet": ([96, 96, 3], [0.0, 1.0], False),
    "mlperf_ic_resnet8": ([32, 32, 3], [0.0, 1.0], False),
    "mlperf_ad_autoencoder": ([640], [-1.0, 1.0], True),
}


def source_hash():
    return hashlib.sha256((HERE / "mlperf_tiny.py").read_bytes()).hexdigest()[:16]


def _bn_relu(L, x):
    return L.ReLU()(L.BatchNormalization()(x))


def kws_dscnn(keras):
    L = keras.layers
    inp = keras.Input([49, 10, 1], batch_size=1)
    x = _bn_relu(L, L.Conv2D(64, (10, 4), strides=(2, 2), padding="same")(inp))
    for _ in range(4):
        x = _bn_relu(L, L.DepthwiseConv2D((3, 3), padding="same")(x))
        x = _bn_relu(L, L.Conv2D(64, (1, 1), padding="same")(x))
    x = L.AveragePooling2D(pool_size=(24, 5))(x)
    x = L.Flatten()(x)
    out = L.Dense(12, activation="softmax")(x)
    return keras.Model(inp, out)


def vww_mobilenet(keras):
    L = keras.layers
    inp = keras.Input([96, 96, 3], batch_size=1)
    x = _bn_relu(L, L.Conv2D(8, 3, strides=2, padding="same")(inp))
    blocks = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1),
              (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]
    for filters, stride in blocks:
        x = _bn_relu(L, L.DepthwiseConv2D(3, strides=stride, padding="same")(x))
        x = _bn_relu(L, L.Conv2D(filters, 1, padding="same")(x))
    x = L.AveragePooling2D(pool_size=x.shape[1:3])(x)
    x = L.Flatten()(x)
    out = L.Dense(2, activation="softmax")(x)
    return keras.Model(inp, out)


def ic_resnet8(keras):
    L = keras.layers
    inp = keras.Input([32, 32, 3], batch_size=1)
    x = _bn_relu(L, L.Conv2D(16, 3, padding="same")(inp))
    for filters, stride in [(16, 1), (32, 2), (64, 2)]:
        y = _bn_relu(L, L.Conv2D(filters, 3, strides=stride, padding="same")(x))
        y = L.BatchNormalization()(L.Conv2D(filters, 3, padding="same")(y))
        if stride != 1:
            x = L.Conv2D(filters, 1, strides=stride, padding="same")(x)
        x = L.ReLU()(L.Add()([x, y]))
    x = L.AveragePooling2D(pool_size=8)(x)
    x = L.Flatten()(x)
    out = L.Dense(10, activation="softmax")(x)
    return keras.Model(inp, out)


def ad_autoencoder(keras):
    L = keras.layers
    inp = keras.Input([640], batch_size=1)
    x = inp
    for units in [128, 128, 128, 128, 8, 128, 128, 128, 128]:
        x = _bn_relu(L, L.Dense(units)(x))
    out = L.Dense(640)(x)
    return keras.Model(inp, out)


BUILDERS = {"mlperf_kws_dscnn": kws_dscnn, "mlperf_vww_mobilenet": vww_mobilenet,
            "mlperf_ic_resnet8": ic_resnet8, "mlperf_ad_autoencoder": ad_autoencoder}


def _randomize_bn(np, model, rng):
    """Give BatchNormalization layers non-trivial statistics (they fold into the convs)."""
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            n = layer.gamma.shape[0]
            layer.gamma.assign(rng.uniform(0.5, 1.5, n).astype(np.float32))
            layer.beta.assign((rng.normal(size=n) * 0.1).astype(np.float32))
            layer.moving_mean.assign((rng.normal(size=n) * 0.1).astype(np.float32))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, n).astype(np.float32))


def build_and_convert(name, train_steps=0):
    import numpy as np
    import tensorflow as tf
    import keras
    import absl.logging
    absl.logging.set_verbosity("error")
    shape, (lo, hi), fc_per_tensor = SPECS[name]
    seed = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % (1 << 31)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = BUILDERS[name](keras)
    if train_steps:
        # A few steps on random data, only to move the weights off their initialisation.
        n_out = model.output_shape[-1]
        x = rng.uniform(lo, hi, size=[train_steps] + shape).astype(np.float32)
        if name == "mlperf_ad_autoencoder":
            y = x
            model.compile("adam", "mse")
        else:
            y = rng.integers(0, n_out, size=train_steps)
            model.compile("adam", "sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=1, epochs=1, verbose=0)
    _randomize_bn(np, model, rng)

    @tf.function(input_signature=[tf.TensorSpec([1] + shape, tf.float32)])
    def f(x):
        return model(x, training=False)

    # Freeze the Keras 3 variables into constants, then convert the graph.
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)
    frozen = convert_variables_to_constants_v2(f.get_concrete_function())
    conv = tf.lite.TFLiteConverter.from_concrete_functions([frozen])

    def rep():
        r = np.random.default_rng(seed + 1)
        for _ in range(64):
            yield [r.uniform(lo, hi, size=[1] + shape).astype(np.float32)]
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    if fc_per_tensor:
        conv._experimental_disable_per_channel_quantization_for_dense_layers = True
    return gen_models._quiet(conv.convert)


def mac_count(data):
    """Multiply-accumulates of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED."""
    s = gen_models._schema()
    names = gen_models.op_names()
    m = s.ModelT.InitFromObj(s.Model.GetRootAsModel(data, 0))
    sg = m.subgraphs[0]
    total = 0
    for o in sg.operators:
        oc = m.operatorCodes[o.opcodeIndex]
        op = names.get(max(oc.builtinCode, oc.deprecatedBuiltinCode))
        shp = lambda i: [int(d) for d in sg.tensors[i].shape]  # noqa: E731
        out = 1
        for d in shp(o.outputs[0]):
            out *= d
        if op == "CONV_2D":
            _, kh, kw, cin = shp(o.inputs[1])
            total += out * kh * kw * cin
        elif op == "DEPTHWISE_CONV_2D":
            _, kh, kw, _ = shp(o.inputs[1])
            total += out * kh * kw
        elif op == "FULLY_CONNECTED":
            total += out * shp(o.inputs[1])[1]
    return total


def generate(force=False, train_steps=0, quiet=False):
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    h = source_hash() + ("-t%d" % train_steps if train_steps else "")
    man = {}
    if MANIFEST.exists():
        try:
            man = json.loads(MANIFEST.read_text())
        except ValueError:
            man = {}
    if man.get("hash") != h:
        man = {"hash": h, "models": {}}
    todo = [n for n in NAMES if force or n not in man["models"]
            or not (OUT_DIR / (n + ".tflite")).exists()]
    if todo:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        for n in todo:
            t0 = time.time()
            data = build_and_convert(n, train_steps)
            (OUT_DIR / (n + ".tflite")).write_bytes(data)
            info = gen_models.inspect_model(data)
            man["models"][n] = {
                "name": n, "file": n + ".tflite", "bytes": len(data), "macs": mac_count(data),
                "ops": [o["op"] for o in info["ops"]], "weights": gen_models.weight_quant(data),
                "inputs": [{"shape": t["shape"], "dtype": t["dtype"]} for t in info["inputs"]],
                "outputs": [{"shape": t["shape"], "dtype": t["dtype"]} for t in info["outputs"]],
                "gen_seconds": round(time.time() - t0, 2)}
        MANIFEST.write_text(json.dumps(man, indent=1))
    if not quiet:
        for n in NAMES:
            e = man["models"][n]
            print("%-24s %8d bytes %10d MACs  %3d ops  %s" % (
                n, e["bytes"], e["macs"], len(e["ops"]),
                ", ".join(sorted(set(e["ops"])))), file=sys.stderr)
    return man


def main():
    ap = argparse.ArgumentParser(description="MLPerf Tiny models, full-int8")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--train-steps", type=int, default=0)
    a = ap.parse_args()
    generate(a.force, a.train_steps)


if __name__ == "__main__":
    main()
