"""Shared pieces of the `tflm` commands: paths, errors, progress bar, model reading,
the host runner."""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import time

# The repository (tools/tflm_cli/common.py -> top); TFLM_TOP overrides it.
TOP = pathlib.Path(os.environ.get("TFLM_TOP") or pathlib.Path(__file__).resolve().parents[2])


class CliError(Exception):
    """An error the user can act on: printed as one line, exit status `code`."""

    def __init__(self, msg, code=1):
        super().__init__(msg)
        self.code = code


# ---------------------------------------------------------------------------------------
# Progress bar (stderr, only on a terminal unless forced)

class Progress:
    """A one-line progress bar on stderr: Progress('copy', total).update(done)."""

    def __init__(self, label, total=None, enabled=None, width=30):
        self.label = label
        self.total = total
        self.width = width
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        if os.environ.get("TFLM_PROGRESS") == "1":
            self.enabled = True
        self.t0 = time.monotonic()
        self._last = 0.0
        self._spin = 0
        self.update(0, force=True)

    def update(self, done, total=None, force=False):
        if total is not None:
            self.total = total
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        el = now - self.t0
        if self.total:
            frac = min(1.0, done / float(self.total))
            n = int(frac * self.width)
            bar = "#" * n + "-" * (self.width - n)
            line = "%s [%s] %3d%% %s/%s %.1fs" % (self.label, bar, frac * 100, done, self.total, el)
        else:
            self._spin += 1
            line = "%s %s %.1fs" % (self.label, "|/-\\"[self._spin % 4], el)
        sys.stderr.write("\r" + line + "\x1b[K")
        sys.stderr.flush()

    def done(self, msg=None):
        if not self.enabled:
            return
        el = time.monotonic() - self.t0
        sys.stderr.write("\r%s %s (%.1fs)\x1b[K\n" % (self.label, msg or "done", el))
        sys.stderr.flush()


def run_with_spinner(label, fn, *args, **kw):
    """Runs fn in a thread while a spinner turns (for work with no known length)."""
    import threading

    res = {}

    def target():
        try:
            res["v"] = fn(*args, **kw)
        except BaseException as e:  # noqa: BLE001 (re-raised in the caller's thread)
            res["e"] = e

    p = Progress(label)
    t = threading.Thread(target=target, daemon=True)
    t.start()
    while t.is_alive():
        t.join(0.1)
        p.update(0)
    if "e" in res:
        p.done("failed")
        raise res["e"]
    p.done()
    return res.get("v")


# ---------------------------------------------------------------------------------------
# Model file (flatbuffer) reading with TensorFlow's generated schema module, loaded by
# path so that TensorFlow itself is not imported (fast).

_schema = None


def schema():
    global _schema
    if _schema is None:
        spec = importlib.util.find_spec("tensorflow")
        if spec is None or not spec.submodule_search_locations:
            raise CliError("tensorflow is not installed (pip install -e tools/)")
        path = os.path.join(spec.submodule_search_locations[0], "lite", "python", "schema_py_generated.py")
        s = importlib.util.spec_from_file_location("tflm_cli_tflite_schema", path)
        mod = importlib.util.module_from_spec(s)
        s.loader.exec_module(mod)
        _schema = mod
    return _schema


DTYPES = {0: "float32", 1: "float16", 2: "int32", 3: "uint8", 4: "int64", 5: "string", 6: "bool",
          7: "int16", 9: "int8", 10: "float64", 16: "uint32", 15: "uint16", 17: "int4"}
NP_SIZE = {"float32": 4, "float16": 2, "int32": 4, "uint8": 1, "int64": 8, "bool": 1, "int16": 2,
           "int8": 1, "float64": 8, "uint32": 4, "uint16": 2}


def read_model_file(path):
    """Bytes of a .tflite file; CliError when missing or not a TFLite model."""
    p = pathlib.Path(path)
    if not p.exists():
        raise CliError("%s: no such file" % path)
    if p.is_dir():
        raise CliError("%s: is a directory, not a .tflite file" % path)
    data = p.read_bytes()
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise CliError("%s: not a TFLite model (no TFL3 identifier)" % path)
    return data


class ModelInfo:
    """What the CLI needs from a .tflite file: tensors, ops (names, in/out), constants."""

    def __init__(self, path):
        self.path = str(path)
        self.data = read_model_file(path)
        S = schema()
        try:
            m = S.Model.GetRootAsModel(self.data, 0)
            self._parse(S, m)
        except CliError:
            raise
        except Exception as e:  # a corrupt flatbuffer
            raise CliError("%s: not a readable TFLite model (%s)" % (path, e.__class__.__name__))

    def _parse(self, S, m):
        names = {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith("_")}
        if m.SubgraphsLength() < 1:
            raise CliError("%s: model has no subgraph" % self.path)
        g = m.Subgraphs(0)
        self.subgraphs = m.SubgraphsLength()
        buf_sizes = []
        for i in range(m.BuffersLength()):
            b = m.Buffers(i)
            n = b.DataLength()
            if n == 0 and b.Size() > 0:  # data stored outside the flatbuffer (> 2 GB models)
                n = b.Size()
            buf_sizes.append(n)
        self.tensors = []
        for i in range(g.TensorsLength()):
            t = g.Tensors(i)
            q = t.Quantization()
            scales = list(q.ScaleAsNumpy()) if q is not None and q.ScaleLength() else []
            zps = list(q.ZeroPointAsNumpy()) if q is not None and q.ZeroPointLength() else []
            dtype = DTYPES.get(t.Type(), "type%d" % t.Type())
            shape = [int(x) for x in t.ShapeAsNumpy()] if t.ShapeLength() else []
            const = t.Buffer() > 0 and t.Buffer() < len(buf_sizes) and buf_sizes[t.Buffer()] > 0
            self.tensors.append({
                "index": i, "name": (t.Name() or b"").decode("utf-8", "replace"), "dtype": dtype,
                "shape": shape, "scale": [float(s) for s in scales], "zero_point": [int(z) for z in zps],
                "const_bytes": buf_sizes[t.Buffer()] if const else 0,
            })
        self.inputs = [int(x) for x in g.InputsAsNumpy()] if g.InputsLength() else []
        self.outputs = [int(x) for x in g.OutputsAsNumpy()] if g.OutputsLength() else []
        self.ops = []
        for i in range(g.OperatorsLength()):
            op = g.Operators(i)
            oc = m.OperatorCodes(op.OpcodeIndex())
            code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
            name = names.get(code, "BUILTIN_%d" % code)
            if name == "CUSTOM":
                name = "CUSTOM:" + (oc.CustomCode() or b"").decode("utf-8", "replace")
            ins = [int(x) for x in op.InputsAsNumpy()] if op.InputsLength() else []
            outs = [int(x) for x in op.OutputsAsNumpy()] if op.OutputsLength() else []
            self.ops.append({"index": i, "name": name, "code": code, "version": oc.Version(),
                             "inputs": ins, "outputs": outs})
        self.param_bytes = sum(t["const_bytes"] for t in self.tensors)

    def io(self, which):
        idx = self.inputs if which == "inputs" else self.outputs
        out = []
        for i in idx:
            t = self.tensors[i]
            out.append({"index": i, "name": t["name"], "dtype": t["dtype"], "shape": t["shape"],
                        "scale": t["scale"][0] if len(t["scale"]) == 1 else (t["scale"] or None),
                        "zero_point": t["zero_point"][0] if len(t["zero_point"]) == 1 else (t["zero_point"] or None)})
        return out

    def macs(self, i):
        """Multiply-accumulates of op i (conv, depthwise, FC, transpose conv); 0 for others."""
        op = self.ops[i]
        T = self.tensors

        def numel(shape):
            n = 1
            for d in shape:
                n *= max(d, 1)
            return n
        try:
            name = op["name"]
            if name in ("CONV_2D", "CONV_3D"):
                w = T[op["inputs"][1]]["shape"]
                return numel(T[op["outputs"][0]]["shape"]) * numel(w[1:])
            if name == "DEPTHWISE_CONV_2D":
                w = T[op["inputs"][1]]["shape"]
                return numel(T[op["outputs"][0]]["shape"]) * w[1] * w[2]
            if name == "FULLY_CONNECTED":
                w = T[op["inputs"][1]]["shape"]
                return numel(T[op["outputs"][0]]["shape"]) * w[-1]
            if name == "TRANSPOSE_CONV":
                w = T[op["inputs"][1]]["shape"]
                return numel(T[op["inputs"][2]]["shape"]) * w[0] * w[1] * w[2]
        except (IndexError, KeyError):
            return 0
        return 0


# ---------------------------------------------------------------------------------------
# Host runner (build/host/tflm_run)

def runner_path():
    p = pathlib.Path(os.environ.get("TFLM_RUNNER") or TOP / "build" / "host" / "tflm_run")
    if not p.exists():
        raise CliError("host runner %s not built: run `make host` in %s" % (p, TOP))
    return p


def runner(args, timeout=600):
    """Runs the host runner; returns (returncode, stdout, stderr) as text."""
    p = subprocess.run([str(runner_path())] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def runner_error_line(stderr):
    lines = [l for l in stderr.strip().splitlines() if l.strip()]
    msg = lines[-1] if lines else "host runner failed"
    for pre in ("tflm_run: cannot load model: ", "tflm_run: "):
        if msg.startswith(pre):
            msg = msg[len(pre):]
    return msg


def registry_ops():
    rc, out, err = runner(["--ops"])
    if rc != 0:
        raise CliError("host runner: " + runner_error_line(err))
    return set(json.loads(out)["ops"])


def host_info(model_path, lean=False, cores=1):
    """The host runner's JSON line for a model (arena_bytes, ops, ...), or CliError.
    lean: plan as tflm.Model(..., lean=True) does (derived data recomputed per invoke);
    cores=2: plan as tflm.Model(..., cores=2) does (the default on the Pico)."""
    rc, out, err = runner([model_path] + (["--lean"] if lean else []) + (["--cores", "2"] if cores == 2 else []))
    if rc != 0:
        raise CliError(runner_error_line(err))
    return json.loads(out.strip().splitlines()[-1])


def dump_json(obj):
    print(json.dumps(obj, sort_keys=False))
