"""Oracle-checked conformance harness: our host runner against tflite_micro.

For each model: seeded random inputs (int8/int16 over their full range, float in the
model's representative range; person_detect also gets the two BMP images), run the oracle
(tflite_micro runtime) and our runner

    build/host/tflm_run MODEL -i in0.bin ... -o out0.bin ...   (prints one JSON line)

and compare the output bytes (float32 outputs: within rtol 1e-5 / atol 1e-6). On a
mismatch the first differing tensor is located: the oracle is rerun with
InterpreterConfig.kPreserveAllTensors, our runner with --dump DIR, the ops are walked in
order and the report reads "op K (NAME), tensor T, byte B: got x, want y".

The oracle's arena use is taken from print_allocations(), which writes
"[RecordingMicroAllocator] Arena allocation total N bytes" to the C stderr: fd 2 is
redirected into a temporary file around that call (no bisection).

The oracle runs in worker subprocesses (python harness.py --worker), so a crash inside it
costs one case, not the run.

CLI: python tests/conformance/harness.py [--tier fast|full] [--models GLOB] [--runner PATH]
     [--jobs N] [--inputs K] [--no-gen] [--no-locate] [--suite gen,mlperf,real]
"""
import argparse
import fnmatch
import hashlib
import json
import os
import pathlib
import queue
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parent.parent
sys.path.insert(0, str(HERE))
import gen_models  # noqa: E402  (no TensorFlow import at module level)

SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared")).resolve()
SHARED_MODELS = SHARED / "models"
PERSON_BMPS = sorted((SHARED / "data" / "person_detection").glob("*.bmp"))
WORK = TOP / "build" / "conformance" / "work"
RESULTS = TOP / "build" / "conformance"
DEFAULT_RUNNER = TOP / "build" / "host" / "tflm_run"
SAN_RUNNER = TOP / "build" / "host-san" / "tflm_run"
PY = sys.executable
RTOL, ATOL = 1e-5, 1e-6
ORACLE_ARENA_MIN = 4 << 20
RUNNER_TIMEOUT = 120

# Real TFLM example models our engine must run, used in place. Float inputs: range.
REAL_MODELS = {
    "hello_world_int8": {},
    "hello_world_float": {"range": [0.0, 6.2832]},
    "sine_float": {"range": [0.0, 6.2832]},
    "simple_add_model": {},
    "person_detect": {"bmps": True},
    "keyword_scrambled": {},
    "keyword_scrambled_8bit": {},
    "micro_speech_quantized": {},
    # LSTM and the signal-library audio preprocessor (fresh state, one invoke per set).
    "trained_lstm_int8": {},
    "trained_lstm": {"range": [0.0, 1.0]},
    "micro_speech_lstm": {},
    "audio_preprocessor_int8": {},
    "audio_preprocessor_float": {},
}
MLPERF_MODELS = ["mlperf_kws_dscnn", "mlperf_vww_mobilenet", "mlperf_ic_resnet8",
                 "mlperf_ad_autoencoder"]


# ----------------------------------------------------------------------------------------
# Cases

def real_case(name):
    p = SHARED_MODELS / (name + ".tflite")
    c = {"name": name, "path": str(p), "suite": "real", "op": "(model)", "kind": "real"}
    c.update(REAL_MODELS[name])
    return c


def mlperf_case(name):
    p = gen_models.OUT_DIR / (name + ".tflite")
    return {"name": name, "path": str(p), "suite": "mlperf", "op": "(model)", "kind": "int8"}


def gen_case(entry):
    c = {"name": entry["name"], "path": str(gen_models.OUT_DIR / entry["file"]),
         "suite": "gen", "op": entry["op"], "kind": entry["kind"],
         "ranges": [i["range"] for i in entry["inputs"]], "ops": entry["ops"],
         "intended_present": entry["intended_present"]}
    if entry.get("feeds"):
        c["feeds"] = str(gen_models.OUT_DIR / entry["feeds"])
    if entry.get("int_ranges"):
        c["int_ranges"] = entry["int_ranges"]
    return c


def collect_cases(tier="fast", suites=("gen", "mlperf", "real"), glob=None, man=None):
    cases = []
    if "gen" in suites:
        man = man or gen_models.load_manifest()
        cases += [gen_case(m) for m in gen_models.tier_models(man, tier)]
    if "mlperf" in suites:
        cases += [mlperf_case(n) for n in MLPERF_MODELS]
    if "real" in suites:
        cases += [real_case(n) for n in REAL_MODELS]
    if glob:
        pats = glob.split(",")
        cases = [c for c in cases if any(fnmatch.fnmatch(c["name"], p) for p in pats)]
    return cases


# ----------------------------------------------------------------------------------------
# Inputs

def read_bmp_gray(path):
    """8-bit (palette) or 24-bit BMP -> uint8 array [h, w] (top row first)."""
    import numpy as np
    b = pathlib.Path(path).read_bytes()
    if b[:2] != b"BM":
        raise ValueError("not a BMP: %s" % path)
    off = int.from_bytes(b[10:14], "little")
    hdr = int.from_bytes(b[14:18], "little")
    w = int.from_bytes(b[18:22], "little", signed=True)
    h = int.from_bytes(b[22:26], "little", signed=True)
    bpp = int.from_bytes(b[28:30], "little")
    comp = int.from_bytes(b[30:34], "little")
    if comp != 0 or bpp not in (8, 24):
        raise ValueError("unsupported BMP (bpp %d, compression %d)" % (bpp, comp))
    rows = abs(h)
    stride = ((w * bpp + 31) // 32) * 4
    px = np.frombuffer(b, np.uint8, count=stride * rows, offset=off).reshape(rows, stride)
    if bpp == 8:
        ncol = int.from_bytes(b[46:50], "little") or 256
        pal = np.frombuffer(b, np.uint8, count=4 * ncol, offset=14 + hdr).reshape(ncol, 4)
        gray = pal[px[:, :w], :3].astype(np.float32).mean(axis=2)  # B,G,R; gray anyway
    else:
        bgr = px[:, :w * 3].reshape(rows, w, 3).astype(np.float32)
        gray = bgr.mean(axis=2)
    gray = np.round(gray).astype(np.uint8)
    return gray[::-1] if h > 0 else gray  # positive height: bottom-up rows


def make_inputs(case, details, n_random):
    """List of input sets; each set is a list of numpy arrays (one per model input).
    Order: BMP images, the case's hand-made feeds (.npz), then n_random random sets
    (integers over their dtype's range clipped to int16's, or over the case's
    int_ranges; floats over the case's range)."""
    import numpy as np
    seed = int(hashlib.sha256(case["name"].encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    sets, labels = [], []
    if case.get("feeds"):
        with np.load(case["feeds"]) as z:
            k = 0
            while "s%d_i0" % k in z:
                sets.append([z["s%d_i%d" % (k, i)].astype(np.dtype(d["dtype"])).reshape(
                    [int(x) for x in d["shape"]]) for i, d in enumerate(details)])
                labels.append("feed%d" % k)
                k += 1
    if case.get("bmps"):
        for p in PERSON_BMPS:
            img = read_bmp_gray(p)
            d = details[0]
            arr = (img.astype(np.int16) - 128).astype(np.int8).reshape(d["shape"])
            sets.append([arr])
            labels.append(pathlib.Path(p).name)
    for k in range(n_random):
        s = []
        for i, d in enumerate(details):
            dt = np.dtype(d["dtype"])
            shape = [int(x) for x in d["shape"]]
            if dt.kind == "f":
                rg = None
                if case.get("ranges") and i < len(case["ranges"]):
                    rg = case["ranges"][i]
                rg = rg or case.get("range") or [-1.0, 1.0]
                s.append(rng.uniform(rg[0], rg[1], size=shape).astype(dt))
            elif dt == np.bool_:
                s.append(rng.integers(0, 2, size=shape).astype(dt))
            else:
                info = np.iinfo(dt)
                lo, hi = max(info.min, -(1 << 15)), min(info.max, (1 << 15) - 1)
                ir = case.get("int_ranges")
                if ir and i < len(ir) and ir[i] is not None:
                    lo, hi = max(info.min, ir[i][0]), min(info.max, ir[i][1])
                if hi >= (1 << 63):
                    s.append(rng.integers(lo, hi, size=shape, dtype=np.uint64,
                                          endpoint=True).astype(dt))
                else:
                    s.append(rng.integers(lo, hi + 1, size=shape, dtype=np.int64).astype(dt))
        sets.append(s)
        labels.append("random%d" % k)
    return sets, labels


# ----------------------------------------------------------------------------------------
# Oracle

def _runtime():
    from tflite_micro.python.tflite_micro import runtime
    return runtime


def _details(it, n, fn):
    return [getattr(it, fn)(i) for i in range(n)]


def capture_fd2(fn):
    """Run fn() with the C-level stderr redirected; return its text."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tf:
        os.dup2(tf.fileno(), 2)
        try:
            fn()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tf.seek(0)
        return tf.read().decode(errors="replace")


def oracle_run(data, n_in, n_out, inputs, want_arena=False):
    rt = _runtime()
    it = rt.Interpreter.from_bytes(data, arena_size=max(len(data) * 10, ORACLE_ARENA_MIN))
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    outs = [it.get_output(i).copy() for i in range(n_out)]
    arena = None
    if want_arena:
        txt = capture_fd2(it.print_allocations)
        m = re.search(r"Arena allocation total (\d+) bytes", txt)
        arena = int(m.group(1)) if m else None
    return outs, arena


def oracle_tensors(data, inputs, indices):
    rt = _runtime()
    it = rt.Interpreter.from_bytes(data, arena_size=max(len(data) * 10, ORACLE_ARENA_MIN),
                                   intrepreter_config=rt.InterpreterConfig.kPreserveAllTensors)
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    out = {}
    for t in indices:
        try:
            out[t] = it.GetTensor(t, 0)["tensor_data"].copy()
        except Exception as e:  # noqa: BLE001
            out[t] = e
    return out


# ----------------------------------------------------------------------------------------
# Our runner

def _first_line(text, prefer=("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for key in prefer:
        for l in lines:
            if key in l:
                return l[:300]
    return lines[-1][:300] if lines else ""


def run_runner(runner, model, in_files, out_files, dump=None):
    cmd = [str(runner), str(model)]
    for f in in_files:
        cmd += ["-i", str(f)]
    for f in out_files:
        cmd += ["-o", str(f)]
    if dump:
        cmd += ["--dump", str(dump)]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=RUNNER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"ok": False, "status": "timeout", "detail": "runner timed out", "cmd": cmd}
    out = p.stdout.decode(errors="replace")
    err = p.stderr.decode(errors="replace")
    info = None
    for l in reversed(out.splitlines()):
        l = l.strip()
        if l.startswith("{"):
            try:
                info = json.loads(l)
                break
            except ValueError:
                pass
    if p.returncode != 0:
        if p.returncode < 0:
            st, det = "runner-crash", "signal %d: %s" % (-p.returncode, _first_line(err + out))
        elif "AddressSanitizer" in err or "runtime error:" in err:
            st, det = "sanitizer", _first_line(err)
        else:
            st, det = "runner-error", _first_line(out + "\n" + err)
        return {"ok": False, "status": st, "detail": det, "cmd": cmd, "info": info}
    if "runtime error:" in err:  # UBSan without abort
        return {"ok": False, "status": "sanitizer", "detail": _first_line(err), "cmd": cmd}
    return {"ok": True, "info": info or {}, "cmd": cmd}


# ----------------------------------------------------------------------------------------
# Comparison

def unwritten_masks(info):
    """{tensor index: (start, end)}: outputs only partly defined by the reference.
    TFLM's SignalEnergy writes bins [start_index, end_index) of its output and leaves
    the rest as it was, so only those bins are compared; an element-wise CAST of such
    a tensor (the audio preprocessor's) inherits the mask."""
    masks = {}
    for o in info["ops"]:
        if o["op"] == "SignalEnergy" and o.get("custom_options"):
            from flatbuffers import flexbuffers
            opts = flexbuffers.Loads(o["custom_options"])
            masks[o["outputs"][0]] = (int(opts["start_index"]), int(opts["end_index"]))
        elif o["op"] == "CAST" and o["inputs"] and o["inputs"][0] in masks:
            masks[o["outputs"][0]] = masks[o["inputs"][0]]
    return masks


def _masked(got_bytes, want, mask):
    """Both sides cut to bins [start, end) of the last axis."""
    import numpy as np
    if len(got_bytes) != want.nbytes or want.ndim == 0:
        return got_bytes, want
    n = want.shape[-1]
    g = np.frombuffer(got_bytes, dtype=want.dtype).reshape(-1, n)[:, mask[0]:mask[1]]
    w = np.ascontiguousarray(want.reshape(-1, n)[:, mask[0]:mask[1]])
    return g.tobytes(), w


def compare(got_bytes, want, mask=None):
    """None if equal (floats: within tolerance), else a description dict."""
    import numpy as np
    if mask is not None:
        got_bytes, want = _masked(got_bytes, want, mask)
    wb = want.tobytes()
    if got_bytes == wb:
        return None
    if len(got_bytes) != len(wb):
        return {"what": "size", "got": len(got_bytes), "want": len(wb)}
    got = np.frombuffer(got_bytes, dtype=want.dtype).reshape(want.shape)
    if want.dtype.kind == "f":
        w = want.astype(np.float64)
        g = got.astype(np.float64)
        bad = ~((np.abs(g - w) <= ATOL + RTOL * np.abs(w)) | (np.isnan(g) & np.isnan(w)))
        if not bad.any():
            return None
    else:
        bad = got != want
    flat = np.flatnonzero(bad.reshape(-1))
    e = int(flat[0])
    g0, w0 = got.reshape(-1)[e], want.reshape(-1)[e]
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    return {"what": "values", "element": e, "byte": e * want.dtype.itemsize,
            "got": g0.item(), "want": w0.item(), "n_bad": int(flat.size),
            "n": int(want.size), "max_abs": float(diff.max())}


def describe(d):
    if d["what"] == "size":
        return "size %d bytes, want %d" % (d["got"], d["want"])
    return "byte %d (element %d): got %s, want %s; %d/%d elements differ, max |diff| %g" % (
        d["byte"], d["element"], d["got"], d["want"], d["n_bad"], d["n"], d["max_abs"])


def locate(case, data, info, inputs, runner, wd):
    """First op whose output differs: (True, 'op K (NAME), tensor T, byte B: got x, want y'),
    or (False, why nothing was found)."""
    import numpy as np
    idx = [t for o in info["ops"] for t in o["outputs"]]
    want = oracle_tensors(data, inputs, idx)
    dump = wd / "dump"
    shutil.rmtree(dump, ignore_errors=True)
    dump.mkdir(parents=True)
    in_files = [wd / ("loc_in%d.bin" % i) for i in range(len(inputs))]
    for f, x in zip(in_files, inputs):
        f.write_bytes(x.tobytes())
    outs = [wd / ("loc_out%d.bin" % i) for i in range(len(info["outputs"]))]
    r = run_runner(runner, case["path"], in_files, outs, dump=dump)
    masks = unwritten_masks(info)
    for k, o in enumerate(info["ops"]):
        for t in o["outputs"]:
            f = dump / ("t%d.bin" % t)
            w = want.get(t)
            if isinstance(w, Exception) or w is None:
                continue
            if not f.exists():
                why = "" if r["ok"] else " (runner: %s)" % r["detail"]
                return True, "op %d (%s), tensor %d: runner wrote no dump%s" % (
                    k, o["op"], t, why)
            d = compare(f.read_bytes(), np.asarray(w), masks.get(t))
            if d is not None:
                return True, "op %d (%s), tensor %d, %s" % (k, o["op"], t, describe(d))
    if not r["ok"]:
        return False, "no differing op output; runner with --dump: %s" % r["detail"]
    return False, "no differing op output in the dumps"


# ----------------------------------------------------------------------------------------
# One case (runs inside a worker process)

def run_case(case, runner, n_inputs=3, do_locate=True, keep=False, deep=True):
    import numpy as np
    t0 = time.time()
    res = {"name": case["name"], "op": case["op"], "suite": case["suite"],
           "kind": case.get("kind"), "status": "pass", "detail": "", "inputs_ok": 0,
           "inputs": 0, "arena": None, "oracle_arena": None}
    path = pathlib.Path(case["path"])
    if not path.exists():
        res.update(status="missing-model", detail=str(path))
        return res
    data = path.read_bytes()
    info = gen_models.inspect_model(data)
    res["ops"] = sorted(set(o["op"] for o in info["ops"]))
    n_in, n_out = len(info["inputs"]), len(info["outputs"])
    masks = unwritten_masks(info)
    out_masks = [masks.get(t["index"]) for t in info["outputs"]]
    rt = _runtime()
    try:
        it = rt.Interpreter.from_bytes(data, arena_size=max(len(data) * 10, ORACLE_ARENA_MIN))
        details = _details(it, n_in, "get_input_details")
        del it
    except Exception as e:  # noqa: BLE001
        res.update(status="oracle-error", detail=str(e).splitlines()[0][:300])
        return res
    sets, labels = make_inputs(case, details, n_inputs)
    res["inputs"] = len(sets)
    wd = WORK / case["name"]
    shutil.rmtree(wd, ignore_errors=True)
    wd.mkdir(parents=True)
    failed = False
    for k, (inputs, label) in enumerate(zip(sets, labels)):
        try:
            want, arena = oracle_run(data, n_in, n_out, inputs, want_arena=(k == 0))
        except Exception as e:  # noqa: BLE001
            res.update(status="oracle-error", detail=str(e).splitlines()[0][:300])
            return res
        if k == 0:
            res["oracle_arena"] = arena
        in_files = [wd / ("in%d_%d.bin" % (k, i)) for i in range(n_in)]
        out_files = [wd / ("out%d_%d.bin" % (k, j)) for j in range(n_out)]
        for f, x in zip(in_files, inputs):
            f.write_bytes(np.ascontiguousarray(x).tobytes())
        for f in out_files:
            if f.exists():
                f.unlink()
        r = run_runner(runner, path, in_files, out_files)
        if not r["ok"]:
            res.update(status=r["status"], detail=r["detail"])
            res["repro"] = " ".join(map(str, r["cmd"]))
            failed = True
            break
        if res["arena"] is None:
            res["arena"] = r["info"].get("arena_bytes")
        bad = None
        for j, (f, w) in enumerate(zip(out_files, want)):
            if not f.exists():
                bad = "output %d: runner wrote no file" % j
                break
            got = f.read_bytes()
            d = compare(got, np.asarray(w), out_masks[j])
            if d is None and out_masks[j] is None and got != np.asarray(w).tobytes():
                res["float_inexact"] = res.get("float_inexact", 0) + 1
            if d is not None:
                bad = "output %d: %s" % (j, describe(d))
                break
        if bad:
            res.update(status="mismatch", detail="input %s: %s" % (label, bad))
            res["repro"] = " ".join(map(str, r["cmd"]))
            if do_locate:
                try:
                    res["located"] = locate(case, data, info, inputs, runner, wd)[1]
                except Exception as e:  # noqa: BLE001
                    res["located"] = "locate failed: %s" % e
            failed = True
            break
        res["inputs_ok"] += 1
    if not failed and deep and len(info["ops"]) > 1:
        # Outputs matched; also every intermediate tensor must (a saturated softmax can
        # hide a wrong layer). First input set only.
        try:
            found, msg = locate(case, data, info, sets[0], runner, wd)
        except Exception as e:  # noqa: BLE001
            found, msg = True, "deep compare failed: %s" % e
        if found:
            res.update(status="mismatch-intermediate", detail="input %s" % labels[0],
                       located=msg)
            failed = True
    if not failed and not keep:
        shutil.rmtree(wd, ignore_errors=True)
    res["seconds"] = round(time.time() - t0, 2)
    return res


def smoke(path):
    """Oracle-only: can the oracle prepare and invoke this model on zero inputs?"""
    import numpy as np
    data = pathlib.Path(path).read_bytes()
    info = gen_models.inspect_model(data)
    rt = _runtime()
    it = rt.Interpreter.from_bytes(data, arena_size=max(len(data) * 10, ORACLE_ARENA_MIN))
    for i in range(len(info["inputs"])):
        d = it.get_input_details(i)
        it.set_input(np.zeros(d["shape"], dtype=d["dtype"]), i)
    it.invoke()
    return {"status": "ok"}


def worker_main():
    """Serve JSON requests on stdin; replies go to the saved stdout (fd 1 -> stderr)."""
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything the C side prints on stdout must not corrupt the channel
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["what"] == "smoke":
                rep = smoke(req["path"])
            else:
                rep = run_case(req["case"], req["runner"], req.get("n_inputs", 3),
                               req.get("locate", True), req.get("keep", False),
                               req.get("deep", True))
        except Exception as e:  # noqa: BLE001
            rep = {"status": "harness-error", "detail": "%s: %s" % (type(e).__name__, e)}
        proto.write(json.dumps(rep) + "\n")
        proto.flush()


class WorkerPool:
    """N `harness.py --worker` subprocesses; a crashed or hung worker costs one request."""

    def __init__(self, n, timeout=600):
        self.n = max(1, n)
        self.timeout = timeout

    def _start(self):
        log = open(WORK.parent / "worker.log", "ab")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.Popen([PY, str(HERE / "harness.py"), "--worker"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                env=env)

    def map(self, reqs, on_result=None):
        """Run requests (dicts); returns results in request order."""
        WORK.mkdir(parents=True, exist_ok=True)
        q = queue.Queue()
        for i, r in enumerate(reqs):
            q.put((i, r))
        results = [None] * len(reqs)
        lock = threading.Lock()

        def loop():
            proc = None
            while True:
                try:
                    i, r = q.get_nowait()
                except queue.Empty:
                    break
                if proc is None or proc.poll() is not None:
                    proc = self._start()
                rep = None
                try:
                    proc.stdin.write((json.dumps(r) + "\n").encode())
                    proc.stdin.flush()
                    ready, _, _ = select.select([proc.stdout], [], [], self.timeout)
                    if ready:
                        line = proc.stdout.readline()
                        if line:
                            rep = json.loads(line)
                    if rep is None:
                        if ready:
                            proc.wait(timeout=10)
                            why = "oracle/worker process died (exit %s)" % proc.returncode
                        else:
                            why = "oracle/worker timed out after %d s" % self.timeout
                        rep = {"status": "oracle-crash", "detail": why}
                except (BrokenPipeError, OSError, ValueError) as e:
                    rep = {"status": "oracle-crash", "detail": "worker: %s" % e}
                if rep.get("status") == "oracle-crash" and proc.poll() is None:
                    proc.kill()
                    proc.wait()
                if rep.get("status") == "oracle-crash":
                    proc = None
                if "case" in r:
                    rep.setdefault("name", r["case"]["name"])
                    rep.setdefault("op", r["case"]["op"])
                    rep.setdefault("suite", r["case"]["suite"])
                results[i] = rep
                if on_result:
                    with lock:
                        on_result(i, rep)
            if proc is not None:
                proc.stdin.close()
                proc.wait()

        threads = [threading.Thread(target=loop) for _ in range(min(self.n, len(reqs)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results


def run_cases(cases, runner, jobs=2, n_inputs=3, do_locate=True, progress=True, keep=False,
              deep=True):
    reqs = [{"what": "case", "case": c, "runner": str(runner), "n_inputs": n_inputs,
             "locate": do_locate, "keep": keep, "deep": deep} for c in cases]
    done = [0]
    t0 = time.time()
    tty = sys.stderr.isatty()

    def cb(i, rep):
        done[0] += 1
        if not progress:
            return
        n = len(reqs)
        w = 30
        fill = w * done[0] // max(n, 1)
        line = "[%s%s] %d/%d %5.0fs %s" % ("#" * fill, "." * (w - fill), done[0], n,
                                          time.time() - t0, rep.get("name", "")[:40])
        if tty:
            print("\r" + line.ljust(100), end="", file=sys.stderr, flush=True)
        elif done[0] % max(1, n // 10) == 0 or done[0] == n:
            print(line, file=sys.stderr, flush=True)

    res = WorkerPool(jobs).map(reqs, cb)
    if progress and tty:
        print(file=sys.stderr)
    return res


# ----------------------------------------------------------------------------------------
# Reporting

def op_summary(results):
    """{op: [pass, fail]} over generated cases (by intended op)."""
    by = {}
    for r in results:
        if r["suite"] != "gen":
            continue
        key = r["op"] + {"float": " (f32)", "int16": " (16x8)"}.get(r.get("kind"), "")
        e = by.setdefault(key, [0, 0])
        e[0 if r["status"] == "pass" else 1] += 1
    return dict(sorted(by.items()))


def print_report(results, out=sys.stdout, verbose=False):
    w = max([len(r["name"]) for r in results] + [10])
    print("%-*s %-24s %-14s %6s %9s %9s  %s" % (w, "model", "op", "status", "inputs",
                                                "arena", "oracle", "detail"), file=out)
    for r in results:
        if r["status"] == "pass" and not verbose:
            continue
        det = r.get("detail", "")
        if r.get("located"):
            det += " | first diff: " + r["located"]
        print("%-*s %-24s %-14s %3s/%-2s %9s %9s  %s" % (
            w, r["name"], r["op"][:24], r["status"], r.get("inputs_ok", 0), r.get("inputs", 0),
            r.get("arena") if r.get("arena") is not None else "-",
            r.get("oracle_arena") if r.get("oracle_arena") is not None else "-", det),
            file=out)
    print(file=out)
    print("per op (generated models): pass/total", file=out)
    for op, (p, f) in op_summary(results).items():
        print("  %-32s %4d/%-4d%s" % (op, p, p + f, "" if not f else "  FAIL %d" % f), file=out)
    for r in results:
        if r["suite"] in ("real", "mlperf"):
            det = "" if r["status"] == "pass" else " " + r.get("detail", "")[:100]
            print("  %-32s %s%s" % (r["name"], r["status"], det), file=out)
    n = len(results)
    npass = sum(r["status"] == "pass" for r in results)
    ninp = sum(r.get("inputs_ok", 0) for r in results)
    statuses = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    inexact = sum(1 for r in results if r.get("float_inexact"))
    print("\nsummary: %d/%d models bit-exact (%d model x input runs matched); %s" % (
        npass, n, ninp, ", ".join("%s %d" % kv for kv in sorted(statuses.items()))), file=out)
    if inexact:
        print("  (%d float models matched within rtol %g but not bit for bit)" % (inexact, RTOL),
              file=out)


def main():
    ap = argparse.ArgumentParser(description="conformance: our runner vs the tflite_micro oracle")
    ap.add_argument("--tier", choices=["fast", "full"], default="fast")
    ap.add_argument("--models", help="glob(s) over model names, comma-separated")
    ap.add_argument("--runner", default=str(DEFAULT_RUNNER))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--inputs", type=int, default=3, help="random input sets per model")
    ap.add_argument("--suite", default="gen,mlperf,real")
    ap.add_argument("--no-gen", action="store_true", help="do not (re)generate models")
    ap.add_argument("--no-locate", action="store_true")
    ap.add_argument("--no-deep", action="store_true",
                    help="do not compare the intermediate tensors of multi-op models")
    ap.add_argument("--keep", action="store_true", help="keep the work files of passing cases")
    ap.add_argument("-v", "--verbose", action="store_true", help="list passing models too")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker_main()
        return 0
    suites = a.suite.split(",")
    runner = pathlib.Path(a.runner)
    if not runner.exists():
        print("runner %s not found (make host)" % runner, file=sys.stderr)
        return 2
    man = None
    if not a.no_gen:
        if "gen" in suites:
            man = gen_models.generate(a.tier, min(a.jobs, 2))
        if "mlperf" in suites:
            import mlperf_tiny
            mlperf_tiny.generate()
    cases = collect_cases(a.tier, suites, a.models, man)
    if not cases:
        print("no models selected", file=sys.stderr)
        return 2
    t0 = time.time()
    results = run_cases(cases, runner, a.jobs, a.inputs, not a.no_locate, keep=a.keep,
                        deep=not a.no_deep)
    print_report(results, verbose=a.verbose)
    print("%.1f s, runner %s" % (time.time() - t0, runner))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / ("results_%s.json" % a.tier)).write_text(json.dumps(results, indent=1))
    return 0 if all(r["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
