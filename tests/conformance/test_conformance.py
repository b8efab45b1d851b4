"""Bit-exactness of our engine against the tflite_micro oracle.

One case per fast-tier generated model (int8, int8 with float I/O, float32 and 16x8
single-op sweeps, the LSTM sweep and the signal-library op sweeps: gen_models.py and
gen_extra.py), per real TFLM example model (used in place from ../shared/models, the LSTM
and audio preprocessor models included) and per MLPerf Tiny model: 3 seeded random input sets (person_detect: also
the two BMP images), outputs compared byte for byte (float32: rtol 1e-5), and for multi-op
models every intermediate tensor as well. An op our runner does not support is a failure.
The same runs on the ASan+UBSan build for a subset.
"""
import pytest

import gen_models
import harness

FAST = gen_models.specs_for_tier("fast")
CASES = [s["name"] for s in FAST] + harness.MLPERF_MODELS + list(harness.REAL_MODELS)


def _san_subset():
    """First fast model of every (op, kind), plus every real and MLPerf model."""
    seen, out = set(), []
    for s in FAST:
        k = (s["op"], s["kind"])
        if k not in seen:
            seen.add(k)
            out.append(s["name"])
    return out + harness.MLPERF_MODELS + list(harness.REAL_MODELS)


def _check(r, record_property):
    record_property("arena_bytes", r.get("arena"))
    record_property("oracle_arena_bytes", r.get("oracle_arena"))
    if r["status"] != "pass":
        msg = "%s [%s]: %s" % (r["status"], r.get("op"), r.get("detail", ""))
        if r.get("located"):
            msg += "\nfirst difference: " + r["located"]
        if r.get("repro"):
            msg += "\nrepro: " + r["repro"]
        pytest.fail(msg, pytrace=False)
    assert r["inputs_ok"] == r["inputs"] >= 3


@pytest.mark.parametrize("name", CASES)
def test_model(name, conformance, record_property):
    _check(conformance.get(name), record_property)


@pytest.mark.parametrize("name", _san_subset())
def test_model_sanitized(name, conformance_san, record_property):
    _check(conformance_san.get(name), record_property)


def test_fast_tier_covers_every_op(generated):
    """Every op of the suite's list is in some fast-tier model, as converted."""
    ops = set()
    for m in gen_models.tier_models(generated, "fast"):
        ops.update(m["ops"])
    missing = [o for o in gen_models.OPS if o not in ops]
    assert not missing, "ops without a fast-tier model: %s" % missing


def test_generated_models_hold_their_op(generated):
    bad = [m["name"] for m in gen_models.tier_models(generated, "fast")
           if not m["intended_present"]]
    assert not bad, "converter removed the op under test in: %s" % bad
