"""tflm convert: Keras / SavedModel -> full-int8 .tflite, checked bit-exact on our engine."""
import contextlib
import os
import pathlib
import sys
import tempfile

from .common import (CliError, ModelInfo, Progress, host_info, registry_ops, run_with_spinner, runner,
                     runner_error_line)
from .tensors import from_raw, to_raw

EXAMPLE = """example:
  tflm convert model.keras --rep-data x_train.npy -o model.tflite
  tflm convert saved_model_dir --rep-data samples/ --labels y.npy -o model.tflite --float-io

--rep-data: a .npy array of samples (N, ...) or a directory of .npy files (each one sample
or a batch). --labels: .npy of N class indices (or one-hot rows) for float-vs-int8 accuracy.
The converted model is run on our host engine and on the TFLM oracle for --check samples;
it is written only if every output byte matches."""

RTOL, ATOL = 1e-5, 1e-6


def add_parser(sub):
    p = sub.add_parser("convert", help="Keras/SavedModel -> full-int8 .tflite, verified bit-exact on our engine",
                       description="Full-integer (int8) conversion with a representative dataset: per-channel "
                       "weights, batch fixed at 1, int8 input/output (float with --float-io). The result is "
                       "run on our host engine and on Google's TFLM (the oracle); a model our engine cannot run "
                       "bit-exact is not written, and the error names the op.", epilog=EXAMPLE)
    p.add_argument("model", help="Keras .keras/.h5 file or SavedModel directory")
    p.add_argument("--rep-data", required=True, metavar="FILE.npy|DIR", help="representative samples")
    p.add_argument("-o", "--output", required=True, help="output .tflite")
    p.add_argument("--float-io", action="store_true", help="keep float32 input/output (quantize/dequantize ops)")
    p.add_argument("--labels", metavar="FILE.npy", help="labels of the rep-data samples: print float vs int8 accuracy")
    p.add_argument("--per-tensor-dense", action="store_true", help="per-tensor weights for dense layers")
    p.add_argument("--rep-count", type=int, default=200, help="samples used for calibration (default 200)")
    p.add_argument("--check", type=int, default=8, help="samples compared with the oracle (default 8)")
    p.set_defaults(func=main)
    return p


def load_rep(path):
    import numpy as np

    p = pathlib.Path(path)
    if not p.exists():
        raise CliError("%s: no such file or directory" % path)
    files = sorted(p.glob("*.npy")) if p.is_dir() else [p]
    if not files:
        raise CliError("%s: no .npy files" % path)
    arrs = []
    for f in files:
        try:
            arrs.append(np.load(f, allow_pickle=False))
        except Exception as e:
            raise CliError("%s: not a .npy array (%s)" % (f, e.__class__.__name__))
    return arrs


def samples_for(arrs, shape):
    """Rep data as a float32 array (N, *shape)."""
    import numpy as np

    want = 1
    for d in shape:
        want *= d
    out = []
    for a in arrs:
        a = np.asarray(a, dtype=np.float32)
        if a.size == want:
            out.append(a.reshape(shape)[None])
        elif a.size % want == 0:
            out.append(a.reshape((-1,) + tuple(shape)))
        else:
            raise CliError("rep-data array of shape %s does not match the model's input shape %s"
                           % (a.shape, tuple(shape)))
    return np.concatenate(out, 0)


@contextlib.contextmanager
def quiet_stderr():
    """TensorFlow's C++ logging goes to fd 2: kept out of the user's terminal unless
    TFLM_DEBUG is set (tflm --debug sets it)."""
    if os.environ.get("TFLM_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as f, open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import warnings

    warnings.filterwarnings("ignore")
    with quiet_stderr():
        import tensorflow as tf
    return tf


def load_model(path):
    tf = import_tf()

    p = pathlib.Path(path)
    if not p.exists():
        raise CliError("%s: no such file or directory" % path)
    if p.is_dir():
        if not (p / "saved_model.pb").exists():
            raise CliError("%s: not a SavedModel directory (no saved_model.pb)" % path)
        with quiet_stderr():
            loaded = tf.saved_model.load(str(p))
        sig = loaded.signatures.get("serving_default")
        if sig is None:
            raise CliError("%s: SavedModel has no serving_default signature" % path)
        specs = sig.structured_input_signature[1]
        if len(specs) != 1:
            raise CliError("%s: the CLI converts single-input models (this one has %d)" % (path, len(specs)))
        (in_name, spec), = specs.items()
        shape = [d if d is not None else 1 for d in spec.shape.as_list()[1:]]

        def call(x):
            out = sig(**{in_name: x})
            return [out[k] for k in sorted(out)] if len(out) > 1 else list(out.values())[0]
        return call, shape, loaded
    if p.suffix not in (".keras", ".h5", ".hdf5"):
        raise CliError("%s: expected a Keras .keras/.h5 file or a SavedModel directory" % path)
    import zipfile

    head = p.read_bytes()[:8] if p.is_file() else b""
    if p.suffix == ".keras" and not zipfile.is_zipfile(str(p)):
        raise CliError("%s: cannot load the Keras model (not a .keras zip archive)" % path)
    if p.suffix in (".h5", ".hdf5") and head != b"\x89HDF\r\n\x1a\n":
        raise CliError("%s: cannot load the Keras model (not an HDF5 file)" % path)
    try:
        with quiet_stderr():
            model = tf.keras.models.load_model(str(p), compile=False)
    except Exception as e:
        raise CliError("%s: cannot load the Keras model (%s)" % (path, str(e).splitlines()[0][:200]))
    if len(model.inputs) != 1:
        raise CliError("%s: the CLI converts single-input models (this one has %d)" % (path, len(model.inputs)))
    shape = [d if d is not None else 1 for d in model.inputs[0].shape[1:]]
    return model, shape, model


def convert(fn, shape, trackable, rep, float_io, per_tensor_dense):
    import numpy as np
    import tensorflow as tf

    if isinstance(trackable, tf.keras.Model):
        # Keras: a batch-1 wrapper (Flatten stays one RESHAPE), converted as a Keras model.
        inp = tf.keras.Input(tuple(shape), batch_size=1)
        conv = tf.lite.TFLiteConverter.from_keras_model(tf.keras.Model(inp, trackable(inp)))
    else:
        spec = tf.TensorSpec([1] + list(shape), tf.float32)
        cf = tf.function(lambda x: fn(x), input_signature=[spec]).get_concrete_function()
        conv = tf.lite.TFLiteConverter.from_concrete_functions([cf], trackable)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def gen():
        for x in rep:
            yield [np.asarray(x[None], np.float32)]
    conv.representative_dataset = gen
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not float_io:
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    if per_tensor_dense:
        conv._experimental_disable_per_channel_quantization_for_dense_layers = True
    try:
        with quiet_stderr():
            return conv.convert()
    except Exception as e:
        lines = [l for l in str(e).splitlines() if "error" in l.lower()] or str(e).splitlines() or ["failed"]
        raise CliError("TensorFlow converter: %s" % lines[0].strip()[:300])


def oracle_outputs(path, raws, all_tensors=False):
    """Output raw bytes (or every tensor's bytes) from the tflite_micro oracle."""
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime

    if all_tensors:
        it = runtime.Interpreter.from_file(path, arena_size=16 << 20,
                                           intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors)
    else:
        it = runtime.Interpreter.from_file(path, arena_size=16 << 20)
    for i, r in enumerate(raws):
        d = it.get_input_details(i)
        it.set_input(np.frombuffer(r, dtype=d["dtype"]).reshape(d["shape"]), i)
    it.invoke()
    if all_tensors:
        return it
    n = len(ModelInfo(path).outputs)
    return [np.asarray(it.get_output(i)).tobytes() for i in range(n)]


def host_outputs(path, raws, n_out, dump=None):
    with tempfile.TemporaryDirectory(prefix="tflm-conv-") as d:
        args = [path]
        for i, r in enumerate(raws):
            f = os.path.join(d, "in%d.bin" % i)
            open(f, "wb").write(r)
            args += ["-i", f]
        outs = [os.path.join(d, "out%d.bin" % i) for i in range(n_out)]
        for f in outs:
            args += ["-o", f]
        if dump:
            args += ["--dump", dump]
        rc, _, err = runner(args)
        if rc != 0:
            raise CliError(runner_error_line(err))
        return [open(f, "rb").read() for f in outs]


def same(a, b, t):
    import numpy as np

    if t["dtype"] in ("float32", "float64", "float16"):
        x = np.frombuffer(a, dtype=t["dtype"])
        y = np.frombuffer(b, dtype=t["dtype"])
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=RTOL, atol=ATOL))
    return a == b


def locate(path, info, raws):
    """Name of the first op whose output differs between our engine and the oracle."""
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="tflm-dump-") as d:
        host_outputs(path, raws, len(info.outputs), dump=d)
        it = oracle_outputs(path, raws, all_tensors=True)
        for op in info.ops:
            for ti in op["outputs"]:
                f = os.path.join(d, "t%d.bin" % ti)
                if ti < 0 or not os.path.exists(f):
                    continue
                want = np.asarray(it.GetTensor(ti, 0)).tobytes()
                if not same(open(f, "rb").read(), want, info.tensors[ti]):
                    return "op #%d %s (tensor %d)" % (op["index"], op["name"], ti)
    return None


def accuracy(fn, rep, labels, path, info):
    import numpy as np

    y = np.load(labels, allow_pickle=False)
    if y.ndim > 1:
        y = y.argmax(-1)
    y = y.reshape(-1)[:len(rep)]
    n = len(y)
    out_t = info.io("outputs")[0]
    in_t = info.io("inputs")[0]
    ok_f = ok_q = 0
    prog = Progress("accuracy", n)
    for k in range(n):
        f = np.asarray(fn(rep[k:k + 1].astype(np.float32)))
        ok_f += int(f.reshape(-1).argmax() == y[k])
        q = host_outputs(path, [to_raw(rep[k], in_t)], len(info.outputs))[0]
        ok_q += int(int(np.argmax(from_raw(q, out_t)[1])) == y[k])
        prog.update(k + 1)
    prog.done()
    return n, ok_f / n, ok_q / n


def main(a):
    out_path = pathlib.Path(a.output)
    if out_path.suffix != ".tflite":
        raise CliError("%s: the output name should end in .tflite" % a.output)
    arrs = load_rep(a.rep_data)
    if a.labels and not pathlib.Path(a.labels).exists():
        raise CliError("%s: no such file" % a.labels)
    prog = Progress("import tensorflow")
    import_tf()  # in the main thread: TensorFlow's import is not thread-safe
    prog.done()
    fn, shape, trackable = run_with_spinner("load %s" % a.model, load_model, a.model)
    rep = samples_for(arrs, shape)
    if len(rep) == 0:
        raise CliError("%s: no samples" % a.rep_data)
    calib = rep[:max(1, a.rep_count)]
    tfl = run_with_spinner("convert (int8, %d calibration samples)" % len(calib), convert, fn, shape, trackable,
                           calib, a.float_io, a.per_tensor_dense)

    with tempfile.TemporaryDirectory(prefix="tflm-convert-") as d:
        tmp = os.path.join(d, out_path.name)
        open(tmp, "wb").write(tfl)
        info = ModelInfo(tmp)
        supported = registry_ops()
        for op in info.ops:
            if op["name"] not in supported:
                raise CliError("not written: op #%d %s is not supported by this engine (see `tflm inspect`, tflm.ops())"
                               % (op["index"], op["name"]))
        ins = info.io("inputs")
        outs = info.io("outputs")
        n = min(a.check, len(rep)) if a.check > 0 else 0
        prog = Progress("check vs TFLM", n)
        for k in range(n):
            raws = [to_raw(rep[k], ins[0])]
            try:
                ours = host_outputs(tmp, raws, len(outs))
            except CliError as e:
                raise CliError("not written: our engine cannot run it: %s" % e)
            want = oracle_outputs(tmp, raws)
            for i, t in enumerate(outs):
                if not same(ours[i], want[i], t):
                    where = locate(tmp, info, raws) or "output %d" % i
                    raise CliError("not written: %s differs from TFLM on sample %d (our engine is not bit-exact "
                                   "for it)" % (where, k))
            prog.update(k + 1)
        prog.done()
        arena = host_info(tmp)["arena_bytes"]
        acc = accuracy(fn, rep, a.labels, tmp, info) if a.labels else None
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_bytes(tfl)
    print("wrote %s: %s bytes, %d ops (%s), arena %s bytes; bit-exact with TFLM on %d sample(s)"
          % (a.output, "{:,}".format(len(tfl)), len(info.ops), ", ".join(sorted({o["name"] for o in info.ops})),
             "{:,}".format(arena), n))
    if acc:
        print("accuracy on %d labelled samples: float %.2f%%, int8 %.2f%%" % (acc[0], acc[1] * 100, acc[2] * 100))
    return 0
