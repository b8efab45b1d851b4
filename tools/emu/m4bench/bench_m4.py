#!/usr/bin/env python3
"""Cortex-M4 bench: instructions and estimated cycles of one invoke per model, for
the reference kernels (build/m4bench/ref) and the optimised kernels
(build/m4bench/opt) in the same run, on unicorn with the cost table of
docs/m4-cost-table.md; beside the fixed CMSIS-NN baseline of issue 8.

    bench_m4.py [--models NAME,...] [--per-op]
    bench_m4.py --m0 [--models NAME,...] [--per-op]

--m0: the Cortex-M0+ image (build/m4bench/m0, ARMv6-M kernels, -Os) priced
as the rp2040js emulator prices it; beside the CMSIS-NN baseline measured on
rp2040js and our last rp2040js figures (build/bench/rp2040_opt.json, when
there). Writes build/bench/m0_est.json:
    {model: {"m0_est": {cycles, instructions, macs, arena_bytes, stack_bytes},
             "rp2040js_cycles": n or null, "est_vs_rp2040js": est / n,
             "baseline_cycles": n, "ratio": est / baseline}}
and build/bench/m0_est.md.

Writes build/bench/m4.json:
    {model: {"m4_est": {cycles, instructions, macs, arena_bytes},      (optimised)
             "m4_est_ref": {...}, "baseline_cycles": n, "ratio": opt / baseline}}
and build/bench/m4.md (the table). Inputs: seeded random int8 (cycles hardly
depend on the data: only divisions do).
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(TOP / "tests" / "conformance"))
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared")).resolve()
M4 = TOP / "build" / "m4bench"
OUT = TOP / "build" / "bench"
# CMSIS-NN + TFLM on the M4, cost-table estimate (issue 8).
BASELINE = {"mlperf_kws_dscnn": 9.8e6, "mlperf_vww_mobilenet": 31.0e6, "mlperf_ic_resnet8": 40.4e6,
            "mlperf_ad_autoencoder": 0.73e6, "person_detect": 29.3e6}
# CMSIS-NN + TFLM on the emulated Pico (rp2040js cycles, issue 8).
BASELINE_M0 = {"mlperf_kws_dscnn": 39.5e6, "mlperf_vww_mobilenet": 118.4e6, "mlperf_ic_resnet8": 136.7e6,
               "mlperf_ad_autoencoder": 2.36e6, "person_detect": 113.6e6}
MODELS = list(BASELINE)


def model_path(name):
    if name == "person_detect":
        return SHARED / "models" / "person_detect.tflite"
    import gen_models
    return gen_models.OUT_DIR / (name + ".tflite")


def run(variant, model, per_op):
    import numpy as np
    runner = M4 / variant / "tflm_run"
    info = json.loads(subprocess.run([str(runner), str(model), "--no-count"], capture_output=True,
                                     text=True, check=True).stdout.strip().splitlines()[-1])
    rng = np.random.default_rng(1234)
    with tempfile.TemporaryDirectory() as td:
        args = [str(runner), str(model)]
        for k, i in enumerate(info["inputs"]):
            f = pathlib.Path(td) / ("in%d.bin" % k)
            f.write_bytes(rng.integers(-128, 128, size=i["bytes"], dtype=np.int64).astype(np.int8).tobytes())
            args += ["-i", str(f)]
        if per_op:
            args.append("--per-op")
        p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s %s: %s" % (variant, model.name, p.stderr.strip()))
    return json.loads(p.stdout.strip().splitlines()[-1])


def rp2040js_cycles():
    """Our last rp2040js figures per model (median of the host-side cycle
    counts around m.invoke()), or {}."""
    f = OUT / "rp2040_opt.json"
    if not f.exists():
        return {}
    res = {}
    for m in json.loads(f.read_text()).get("models", []):
        c = sorted(m.get("host_cycles") or [])
        if c:
            res[m["model"]] = c[len(c) // 2]
    return res


def main_m0(a):
    import mlperf_tiny
    mlperf_tiny.generate(quiet=True)
    js = rp2040js_cycles()
    res = {}
    rows = []
    for name in a.models.split(","):
        path = model_path(name)
        macs = mlperf_tiny.mac_count(path.read_bytes())
        r = run("m0", path, a.per_op)
        est = {"cycles": r["m4"]["cycles"], "instructions": r["m4"]["instructions"], "macs": macs,
               "arena_bytes": r["arena_bytes"], "stack_bytes": r.get("stack_bytes")}
        if a.per_op:
            est["op_cycles"] = r["m4"]["op_cycles"]
        base = BASELINE_M0.get(name)
        ref = js.get(name)
        entry = {"m0_est": est, "rp2040js_cycles": ref,
                 "est_vs_rp2040js": round(est["cycles"] / ref, 4) if ref else None,
                 "baseline_cycles": int(base) if base else None,
                 "ratio": round(est["cycles"] / base, 3) if base else None}
        res[name] = entry
        rows.append("| %s (%.2f M) | %.2f M (%.2f) | %s | %s | %.2f M | %s | %d | %s |" % (
            name, macs / 1e6, est["cycles"] / 1e6, est["cycles"] / macs,
            "%.2f M (%+.1f%%)" % (ref / 1e6, 100.0 * (est["cycles"] / ref - 1)) if ref else "-",
            "%.2f M (%.2f)" % (base / 1e6, base / macs) if base else "-", est["instructions"] / 1e6,
            "%.2fx" % entry["ratio"] if base else "-", est["arena_bytes"], est["stack_bytes"]))
        print(rows[-1], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "m0_est.json").write_text(json.dumps(res, indent=1))
    head = ("| model (MACs) | M0+ est. cycles (cyc/MAC) | last rp2040js run of our firmware (est. vs it) | "
            "CMSIS-NN on rp2040js (cyc/MAC) | instructions | est. / baseline | arena bytes | stack bytes |\n"
            "|---|---|---|---|---|---|---|---|\n")
    note = ("\nOne invoke on the emulated Cortex-M0+ (build/m4bench/m0), one core, seeded random int8 "
            "inputs, priced as rp2040js prices it (docs/m4-cost-table.md). The rp2040js column is "
            "build/bench/rp2040_opt.json: the firmware of that run, not necessarily today's kernels.\n")
    (OUT / "m0_est.md").write_text(head + "\n".join(rows) + "\n" + note)
    print("wrote %s and %s" % (OUT / "m0_est.json", OUT / "m0_est.md"))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--per-op", action="store_true")
    ap.add_argument("--m0", action="store_true", help="the Cortex-M0+ image, priced as rp2040js does")
    a = ap.parse_args()
    if a.m0:
        return main_m0(a)
    import mlperf_tiny
    mlperf_tiny.generate(quiet=True)
    res = {}
    rows = []
    for name in a.models.split(","):
        path = model_path(name)
        macs = mlperf_tiny.mac_count(path.read_bytes())
        entry = {}
        for variant, key in (("opt", "m4_est"), ("ref", "m4_est_ref")):
            r = run(variant, path, a.per_op)
            entry[key] = {"cycles": r["m4"]["cycles"], "instructions": r["m4"]["instructions"],
                          "macs": macs, "arena_bytes": r["arena_bytes"]}
            if a.per_op:
                entry[key]["op_cycles"] = r["m4"]["op_cycles"]
        base = BASELINE.get(name)
        entry["baseline_cycles"] = int(base) if base else None
        entry["ratio"] = round(entry["m4_est"]["cycles"] / base, 3) if base else None
        res[name] = entry
        o, f = entry["m4_est"], entry["m4_est_ref"]
        rows.append("| %s (%.2f M) | %.2f M (%.2f) | %.2f M (%.2f) | %.2f M (%.2f) | %.2f M | %s | %d |" % (
            name, macs / 1e6, f["cycles"] / 1e6, f["cycles"] / macs, o["cycles"] / 1e6,
            o["cycles"] / macs, base / 1e6 if base else 0, base / macs if base else 0,
            o["instructions"] / 1e6, "%.2fx" % entry["ratio"] if base else "-", o["arena_bytes"]))
        print(rows[-1], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "m4.json").write_text(json.dumps(res, indent=1))
    head = ("| model (MACs) | ref kernels est. cycles (cyc/MAC) | optimised est. cycles (cyc/MAC) | "
            "CMSIS-NN baseline (cyc/MAC) | optimised instructions | opt / baseline | arena bytes |\n"
            "|---|---|---|---|---|---|---|\n")
    (OUT / "m4.md").write_text(head + "\n".join(rows) + "\n")
    print("wrote %s and %s" % (OUT / "m4.json", OUT / "m4.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
