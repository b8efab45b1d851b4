"""Conformance models that gen_models.py does not build from a tf.function.

Two families, both in the main model list (gen_models.all_specs) so that
test_conformance.py and harness.py run them on every host build:

  UNIDIRECTIONAL_SEQUENCE_LSTM  the Keras sweep of lstm/lstm_test.py (float32 and
                                full-int8 conversions) and its model-file variants
                                (time-major, cell clip, no clip, 16x8, 16x8
                                time-major); names q_lstm_NNN / f_lstm_NNN / q16_lstm_NNN
  signal-library CUSTOM ops     the single-op sweeps of signal/sweep_check.py (one
                                model per parameter set, options as FlexBuffers);
                                names q_signal_<sweep>_NNN (window, autoscale, rfft,
                                energy, filterbank, sqrt, specsub, pcan, log)

Each spec carries a "builder" key; build(spec) returns (model bytes, extra manifest
fields). Signal models also get their hand-made input sets (zeros, -32768 runs, ...)
as <name>.feeds.npz, which the harness runs before its random sets, and per-input
integer ranges for the random sets. Every model runs from a fresh state (the
multi-invoke state checks stay in test_lstm.py / test_signal.py).

A spec's source hash covers gen_models.py, this file and the sweep's own script, so
editing one of those rebuilds only the models it can change.
"""
import hashlib
import os
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
LSTM_DIR = HERE / "lstm"
SIGNAL_DIR = HERE / "signal"
SOURCES = {
    "lstm": [HERE / "gen_extra.py", LSTM_DIR / "lstm_test.py"],
    "signal": [HERE / "gen_extra.py", SIGNAL_DIR / "sweep_check.py", SIGNAL_DIR / "signal_check.py"],
}


def _import(path):
    d = str(path)
    if d not in sys.path:
        sys.path.insert(0, d)


def _lstm_mod():
    _import(LSTM_DIR)
    import lstm_test
    return lstm_test


def _signal_mod():
    _import(SIGNAL_DIR)
    import sweep_check
    return sweep_check


def source_hash(builder):
    h = hashlib.sha256()
    for p in SOURCES[builder]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------------------
# Specs (cheap: no TensorFlow import)

# Which LSTM sweep entries and variants are in the fast tier: (sweep index, dtype, variant).
LSTM_FAST = [(1, "int8", None), (1, "float", None), (1, "int8", "a16"), (2, "int8", None),
             (1, "int8", "tm")]


def _lstm_sweep():
    # Kept in sync with lstm_test.LSTM_SWEEP by reading it (the module imports only numpy).
    return _lstm_mod().LSTM_SWEEP


def specs_lstm():
    lt = _lstm_mod()
    out = []
    for i, cfg in enumerate(_lstm_sweep()):
        base = lt.sweep_base(cfg)
        for dtype in ("int8", "float"):
            fname = base + ("_int8" if dtype == "int8" else "_f32")
            for variant in (None,) + tuple(lt.variant_kinds(fname)):
                out.append((i, dtype, variant, fname))
    specs = []
    counters = {}
    # Fast ones first so that their numbers do not depend on the full list.
    order = sorted(out, key=lambda t: (0 if t[:3] in LSTM_FAST else 1,
                                       LSTM_FAST.index(t[:3]) if t[:3] in LSTM_FAST else 0))
    for i, dtype, variant, fname in order:
        kind = "float" if dtype == "float" else ("int16" if variant and variant.startswith("a16")
                                                  else "int8")
        idx = counters.get(kind, 0)
        counters[kind] = idx + 1
        prefix = {"int8": "q", "float": "f", "int16": "q16"}[kind]
        specs.append({
            "name": "%s_lstm_%03d" % (prefix, idx), "op": "UNIDIRECTIONAL_SEQUENCE_LSTM",
            "family": "UNIDIRECTIONAL_SEQUENCE_LSTM", "kind": kind,
            "tier": "fast" if (i, dtype, variant) in LSTM_FAST else "full",
            "builder": "lstm",
            "params": {"sweep": i, "cfg": list(_lstm_sweep()[i]), "dtype": dtype,
                       "variant": variant, "source": fname + ("_" + variant if variant else "")},
        })
    return specs


def specs_signal():
    sw = _signal_mod()
    specs = []
    for op, short, params, _fn in sw.SWEEPS:
        for j, p in enumerate(params):
            specs.append({
                "name": "q_signal_%s_%03d" % (short, j), "op": op, "family": op,
                "kind": "signal", "tier": "fast" if j == 0 else "full", "builder": "signal",
                "params": {"sweep": short, "case": list(p)},
            })
    return specs


def all_specs():
    return specs_lstm() + specs_signal()


# ----------------------------------------------------------------------------------------
# Builders (run in gen_models' worker processes)

def _lstm_base(i):
    """(float32, int8) bytes of LSTM sweep entry i, cached on disk under the models dir
    (keyed by the source hash; written atomically, so parallel workers only duplicate)."""
    import gen_models
    lt = _lstm_mod()
    cfg = lt.LSTM_SWEEP[i]
    d = gen_models.OUT_DIR / "lstm_base"
    d.mkdir(parents=True, exist_ok=True)
    tag = "%s_%s" % (lt.sweep_base(cfg), source_hash("lstm"))
    fp, qp = d / (tag + "_f32.tflite"), d / (tag + "_int8.tflite")
    if fp.exists() and qp.exists():
        return fp.read_bytes(), qp.read_bytes()
    f32, q8 = gen_models._quiet(lambda: lt.build_keras_lstm(cfg))
    for p, b in ((fp, f32), (qp, q8)):
        tmp = p.with_suffix(".tmp%d" % os.getpid())
        tmp.write_bytes(b)
        os.replace(tmp, p)
    # Drop this entry's conversions from older sources.
    pat = re.compile(re.escape(lt.sweep_base(cfg)) + r"_([0-9a-f]{16})_(f32|int8)\.tflite$")
    for old in d.iterdir():
        mo = pat.match(old.name)
        if mo and mo.group(1) != source_hash("lstm"):
            old.unlink(missing_ok=True)
    return f32, q8


def build_lstm(spec):
    lt = _lstm_mod()
    p = spec["params"]
    f32, q8 = _lstm_base(p["sweep"])
    data = f32 if p["dtype"] == "float" else q8
    if p["variant"]:
        data = lt.variant_bytes(data, p["variant"])
    return data, {}


def build_signal(spec):
    import numpy as np
    sw = _signal_mod()
    p = spec["params"]
    fn = {short: f for _op, short, _ps, f in sw.SWEEPS}[p["sweep"]]
    seed = int(hashlib.sha256(spec["name"].encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    _name, model, feeds, _mask = fn(tuple(p["case"]), rng)
    # Random sets: the same value ranges the sweep draws from.
    full32 = [0, 2 ** 32 - 1]
    if p["sweep"] == "specsub":
        int_ranges = [[0, 2 ** (32 - p["case"][4]) - 1]]
    else:
        int_ranges = {
            "window": [None], "autoscale": [None], "rfft": [None], "energy": [None],
            "filterbank": [full32], "sqrt": [[0, 2 ** 64 - 1], [0, 31]],
            "pcan": [full32, full32], "log": [full32],
        }[p["sweep"]]
    return model, {"feeds": feeds, "int_ranges": int_ranges}


def build(spec):
    if spec["builder"] == "lstm":
        return build_lstm(spec)
    if spec["builder"] == "signal":
        return build_signal(spec)
    raise ValueError("no builder " + spec["builder"])
