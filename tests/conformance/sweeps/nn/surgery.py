"""Edge cases the converter never emits, made by editing converted models from
build/nn/models (flatbuffer object API) into build/nn/surgery/:
  - conv/dwconv/tconv without bias (input list truncated, or bias index -1)
  - fused activations on TRANSPOSE_CONV and on int8/int16 pooling
  - CONV_2D/DEPTHWISE_CONV_2D with stride > 1 and dilation > 1 together
  - non-zero weight zero points (per-tensor FC uses it, conv ignores it)

Usage: python tests/conformance/sweeps/nn/surgery.py
"""
import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import flatbuffers  # noqa: E402
import numpy as np  # noqa: E402
from tensorflow.lite.python import schema_py_generated as S  # noqa: E402

TOP = pathlib.Path(__file__).resolve().parents[4]
SRC = TOP / "build" / "nn" / "models"
OUT = TOP / "build" / "nn" / "surgery"


def load(path):
    return S.ModelT.InitFromObj(S.Model.GetRootAsModel(path.read_bytes(), 0))


def save(m, name):
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    (OUT / (name + ".tflite")).write_bytes(bytes(b.Output()))


def main_op(m):
    sg = m.subgraphs[0]
    for op in sg.operators:
        code = m.operatorCodes[op.opcodeIndex]
        c = max(code.builtinCode, code.deprecatedBuiltinCode)
        if c in (1, 3, 4, 9, 17, 67):
            return sg, op, c
    raise ValueError("no nn op")


def out_size(pad, n, f, s, d):
    eff = (f - 1) * d + 1
    return (n + s - 1) // s if pad == 0 else (n + s - eff) // s


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    specs = json.loads((SRC / "specs.json").read_text())
    made = 0
    seen = {}

    def take(pred, k):
        r = [s for s in specs if pred(s)]
        return r[:k]

    # 1. no bias
    for op in ("conv", "dwconv", "tconv"):
        for q in ("int8", "int16", "float"):
            for s in take(lambda s: s["op"] == op and s["q"] == q and s.get("bias", True), 3):
                for mode in ("trunc", "neg"):
                    m = load(pathlib.Path(s["file"]))
                    sg, o, c = main_op(m)
                    bi = 3 if c == 67 else 2
                    if len(o.inputs) <= bi:
                        continue
                    if mode == "trunc":
                        o.inputs = np.array(list(o.inputs)[:bi], dtype=np.int32)
                    else:
                        ins = list(o.inputs)
                        ins[bi] = -1
                        o.inputs = np.array(ins, dtype=np.int32)
                    save(m, f"nobias_{mode}_{s['name']}")
                    made += 1
    # 2. fused activations on TRANSPOSE_CONV and quantised pooling
    for s in take(lambda s: s["op"] == "tconv" and s.get("act") == "none", 12):
        for act in (1, 2, 3):
            m = load(pathlib.Path(s["file"]))
            sg, o, c = main_op(m)
            o.builtinOptions.fusedActivationFunction = act
            save(m, f"act{act}_{s['name']}")
            made += 1
    for s in take(lambda s: s["op"] in ("avgpool", "maxpool") and s["q"] in ("int8", "int16")
                  and s.get("act") == "none", 12):
        for act in (2, 3):
            m = load(pathlib.Path(s["file"]))
            sg, o, c = main_op(m)
            o.builtinOptions.fusedActivationFunction = act
            save(m, f"act{act}_{s['name']}")
            made += 1
    # 3. stride and dilation together
    for s in take(lambda s: s["op"] in ("conv", "dwconv") and s["d"] != [1, 1], 16):
        for st in ((2, 2), (3, 2)):
            if s["op"] == "dwconv" and st[0] != st[1]:
                continue
            m = load(pathlib.Path(s["file"]))
            sg, o, c = main_op(m)
            opt = o.builtinOptions
            opt.strideH, opt.strideW = st
            ti = sg.tensors[o.inputs[0]]
            tf_ = sg.tensors[o.inputs[1]]
            to = sg.tensors[o.outputs[0]]
            h, w = int(ti.shape[1]), int(ti.shape[2])
            fh, fw = int(tf_.shape[1]), int(tf_.shape[2])
            oh = out_size(opt.padding, h, fh, st[0], opt.dilationHFactor)
            ow = out_size(opt.padding, w, fw, st[1], opt.dilationWFactor)
            if oh < 1 or ow < 1:
                continue
            to.shape = np.array([1, oh, ow, int(to.shape[3])], dtype=np.int32)
            if to.shapeSignature is not None:
                to.shapeSignature = np.array([1, oh, ow, int(to.shape[3])], dtype=np.int32)
            save(m, f"s{st[0]}x{st[1]}_{s['name']}")
            made += 1
    # 4. weight zero points
    for s in take(lambda s: s["op"] in ("fc", "conv") and s["q"] == "int8" and s.get("per_tensor"), 8):
        m = load(pathlib.Path(s["file"]))
        sg, o, c = main_op(m)
        tw = sg.tensors[o.inputs[1]]
        n = len(tw.quantization.zeroPoint)
        tw.quantization.zeroPoint = np.array([3] * n, dtype=np.int64)
        save(m, f"wzp3_{s['name']}")
        made += 1
    seen["made"] = made
    print(made, "models in", OUT)


if __name__ == "__main__":
    main()
