"""Test data for tests/mpy: models, oracle vectors and hostile models.

    .deps/venv/bin/python tests/mpy/host/gen_data.py OUT_DIR

Writes to OUT_DIR (build/mpy/data):
  <model>.tflite          a copy of ../shared/models/<model>.tflite
  <model>.in<k>           N input vectors for input k, raw tensor bytes, concatenated
  <model>.out<k>          the tflite_micro oracle's N output vectors for output k
  quant.f32 / quant.q8    float32 values and their int8 quantisation with
                          hello_world_int8's input parameters (round half away
                          from zero, saturate), computed here with numpy
  quant.out               the oracle's outputs of hello_world_int8 for quant.q8
  unsupported_op.tflite   hello_world_int8 with its op code patched to MATRIX_DIAG
  bad_version.tflite      hello_world_int8 with schema version 2
  <model>.arena           arena bytes our engine needs on the host
  <model>.arena_lean      the same with tflm.Model(..., lean=True)
  <model>.arena_dual, .arena_lean_dual   the same planned for two cores (cores=2)
                          (build/host/tflm_run), when that runner exists: the
                          board must need exactly the same
Vectors are seeded, so every run writes the same bytes. The MicroPython test
scripts compare our engine's bytes with these (tests/mpy/tflm_oracle_*.py).
"""
import importlib.util
import os
import pathlib
import json
import shutil
import struct
import subprocess
import sys

import numpy as np

TOP = pathlib.Path(__file__).resolve().parents[3]
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
MODELS = SHARED / "models"
IMAGES = SHARED / "data" / "person_detection"

# model -> number of random vectors (person_detect uses the two sample images)
VECTORS = {
    "hello_world_int8": 8,
    "hello_world_float": 8,
    "simple_add_model": 2,
    "micro_speech_quantized": 3,
    "keyword_scrambled_8bit": 3,
    "person_detect": None,
}
MATRIX_DIAG = 113  # a TFLite builtin op the engine does not implement


_schema = None


def schema():
    """TFLite's generated flatbuffer reader, loaded from the tensorflow package
    without importing tensorflow itself."""
    global _schema
    if _schema is None:
        spec = importlib.util.find_spec("tensorflow")
        path = pathlib.Path(spec.origin).parent / "lite" / "python" / "schema_py_generated.py"
        sspec = importlib.util.spec_from_file_location("tflite_schema", path)
        _schema = importlib.util.module_from_spec(sspec)
        sspec.loader.exec_module(_schema)
    return _schema


def io_counts(model_bytes):
    sg = schema().Model.GetRootAs(model_bytes, 0).Subgraphs(0)
    return sg.InputsLength(), sg.OutputsLength()


def oracle(model_bytes, inputs):
    """Run the tflite_micro interpreter; inputs: list of numpy arrays (one per input)."""
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model_bytes, arena_size=1 << 20)
    for k, x in enumerate(inputs):
        det = it.get_input_details(k)
        it.set_input(x.reshape(det["shape"]).astype(det["dtype"]), k)
    it.invoke()
    outs = []
    for k in range(io_counts(model_bytes)[1]):
        det = it.get_output_details(k)
        outs.append(np.asarray(it.get_output(k)).astype(det["dtype"]))
    return outs


def input_details(model_bytes):
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model_bytes, arena_size=1 << 20)
    return [it.get_input_details(k) for k in range(io_counts(model_bytes)[0])]


def random_input(rng, det):
    shape, dtype = det["shape"], np.dtype(det["dtype"])
    if dtype.kind == "f":
        return rng.uniform(0.0, 2 * np.pi, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def person_images():
    spec = importlib.util.spec_from_file_location("demo_person_detect", TOP / "tools" / "demo_person_detect.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    out = []
    for name in ("person.bmp", "no_person.bmp"):
        _, _, gray = demo.read_bmp_gray(IMAGES / name)
        out.append(np.frombuffer(demo.to_int8(gray), dtype=np.int8))
    return out


def write_vectors(out, name, n):
    data = (MODELS / f"{name}.tflite").read_bytes()
    (out / f"{name}.tflite").write_bytes(data)
    dets = input_details(data)
    rng = np.random.default_rng(20250514 + len(name))
    if n is None:
        cases = [[img] for img in person_images()]
    else:
        cases = [[random_input(rng, d) for d in dets] for _ in range(n)]
    ins = [bytearray() for _ in dets]
    outs = None
    for case in cases:
        res = oracle(data, case)
        if outs is None:
            outs = [bytearray() for _ in res]
        for k, x in enumerate(case):
            ins[k] += x.tobytes()
        for k, y in enumerate(res):
            outs[k] += y.tobytes()
    for k, b in enumerate(ins):
        (out / f"{name}.in{k}").write_bytes(bytes(b))
    for k, b in enumerate(outs):
        (out / f"{name}.out{k}").write_bytes(bytes(b))
    runner = TOP / "build" / "host" / "tflm_run"
    if runner.exists():
        r = subprocess.run([str(runner), str(MODELS / f"{name}.tflite")], capture_output=True, text=True)
        if r.returncode == 0:
            (out / f"{name}.arena").write_text(str(json.loads(r.stdout)["arena_bytes"]))
        # The plans tflm.Model makes with lean=True and with cores=2 (the
        # default on a two-core board).
        for suffix, flags in (("_lean", ["--lean"]), ("_dual", ["--cores", "2"]),
                              ("_lean_dual", ["--lean", "--cores", "2"])):
            r = subprocess.run([str(runner), str(MODELS / f"{name}.tflite")] + flags, capture_output=True, text=True)
            if r.returncode == 0:
                (out / f"{name}.arena{suffix}").write_text(str(json.loads(r.stdout)["arena_bytes"]))
    print(f"  {name}: {len(cases)} vectors, {len(ins)} input(s), {len(outs)} output(s)")


def quantize_ref(x, scale, zp):
    """TFLite int8 quantisation: zp + round_half_away(float32(x) / float32(scale)), saturated."""
    v = np.float32(x) / np.float32(scale)
    av = np.abs(v).astype(np.float64)
    r = np.sign(v).astype(np.float64) * np.floor(av + 0.5)
    return np.clip(r + zp, -128, 127).astype(np.int8)


def write_quant(out):
    data = (MODELS / "hello_world_int8.tflite").read_bytes()
    det = input_details(data)[0]
    scale, zp = det["quantization_parameters"]["scales"][0], det["quantization_parameters"]["zero_points"][0]
    rng = np.random.default_rng(7)
    xs = list(rng.uniform(-1.0, 7.0, size=24).astype(np.float32))
    # Exact halves (k + 0.5) * scale, both signs, and values beyond the range.
    for k in (3, 10, 100, 200):
        xs.append(np.float32((k + 0.5) * np.float64(scale)))
        xs.append(np.float32(-(k + 0.5) * np.float64(scale)))
    xs += [np.float32(v) for v in (0.0, -0.0, 1e6, -1e6, 6.2, 3.14159, -3.1)]
    xs = np.array(xs, dtype=np.float32)
    qs = np.array([quantize_ref(x, scale, zp) for x in xs], dtype=np.int8)
    res = bytearray()
    for q in qs:
        res += oracle(data, [np.array([q], dtype=np.int8)])[0].tobytes()
    (out / "quant.f32").write_bytes(xs.tobytes())
    (out / "quant.q8").write_bytes(qs.tobytes())
    (out / "quant.out").write_bytes(bytes(res))
    print(f"  quant: {len(xs)} values")


def field_pos(tab, field):
    """Absolute position of a flatbuffer table field (field index), or None if absent."""
    off = tab.Offset(4 + 2 * field)
    return tab.Pos + off if off else None


def write_patched(out):
    data = bytearray((MODELS / "hello_world_int8.tflite").read_bytes())
    model = schema().Model.GetRootAs(bytes(data), 0)

    bad = bytearray(data)
    pos = field_pos(model._tab, 0)  # Model.version (uint32)
    struct.pack_into("<I", bad, pos, 2)
    (out / "bad_version.tflite").write_bytes(bytes(bad))

    unsup = bytearray(data)
    for i in range(model.OperatorCodesLength()):
        oc = model.OperatorCodes(i)
        p_dep = field_pos(oc._tab, 0)  # deprecated_builtin_code (int8)
        p_new = field_pos(oc._tab, 3)  # builtin_code (int32)
        if p_dep is not None:
            unsup[p_dep] = MATRIX_DIAG
        if p_new is not None:
            struct.pack_into("<i", unsup, p_new, MATRIX_DIAG)
    (out / "unsupported_op.tflite").write_bytes(bytes(unsup))
    print("  hostile models: bad_version, unsupported_op")


def is_fresh(out):
    """The data in out is complete and newer than the host engine and this
    generator (the expected arena sizes come from the host engine)."""
    stamp = out / "person_detect.out0"
    if not stamp.exists():
        return False
    deps = (TOP / "build" / "host" / "tflm_run", pathlib.Path(__file__))
    return all(not f.exists() or f.stat().st_mtime <= stamp.stat().st_mtime for f in deps)


def main():
    # gen_data.py [--if-stale] [DIR]: --if-stale keeps fresh data (is_fresh).
    args = sys.argv[1:]
    if_stale = "--if-stale" in args
    args = [a for a in args if a != "--if-stale"]
    out = pathlib.Path(args[0] if args else TOP / "build" / "mpy" / "data")
    if if_stale and is_fresh(out):
        return
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    print(f"gen_data: writing {out}")
    for name, n in VECTORS.items():
        write_vectors(out, name, n)
    write_quant(out)
    write_patched(out)


if __name__ == "__main__":
    main()
