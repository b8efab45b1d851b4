#!/usr/bin/env python3
"""The speed and memory table of issue 8, from the benchmark runs of `make bench-speed`.

    .deps/venv/bin/python tools/bench_report.py [--dir build/bench] [--doc docs/bench.md]

Reads what the benchmark steps wrote into DIR:
  rp2040_ref.json, rp2040_opt.json, rp2040_lean.json,  tools/bench_rp2040.py runs on the emulated
  rp2040_dual.json                                     Pico (reference-only firmware, default
                                                       firmware on one core, with lean=True, and
                                                       on both cores: cores=2)
  m4.json                                              Cortex-M4 instruction-trace estimate
                                                       (optional: {model: {"m4_est": {...}, ...}})
and the host runner's arena sizes (fast and lean plans). MACs come from `tflm inspect`'s
counter. Writes DIR/results.json

    {model: {target: {"cycles": n, "macs": n, "arena_bytes": n, ...}}}

with targets rp2040 (default firmware, one core), rp2040_dual (both cores), rp2040_lean,
rp2040_ref and m4_est (when measured),
and the markdown table DOC beside the fixed TFLM + CMSIS-NN baseline of issue 8.
A target with no measurement is left out, never filled in.
"""
import argparse
import json
import pathlib
import statistics
import sys

TOP = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tools"))

# Issue 8's fixed baseline: TFLM + CMSIS-NN, gcc 12.2 -O2, model in flash, one invoke.
BASELINE = {
    "mlperf_kws_dscnn": {"label": "MLPerf KWS DS-CNN", "macs": 2.66e6, "rp2040": 39.5e6, "m4_est": 9.8e6,
                         "arena": 22772},
    "mlperf_vww_mobilenet": {"label": "MLPerf VWW MobileNetV1-0.25", "macs": 7.49e6, "rp2040": 118.4e6,
                             "m4_est": 31.0e6, "arena": 100596},
    "mlperf_ic_resnet8": {"label": "MLPerf IC ResNet-8", "macs": 12.5e6, "rp2040": 136.7e6, "m4_est": 40.4e6,
                          "arena": 54340},
    "mlperf_ad_autoencoder": {"label": "MLPerf AD autoencoder", "macs": 0.26e6, "rp2040": 2.36e6,
                              "m4_est": 0.73e6, "arena": 2260},
    "person_detect": {"label": "person_detect", "macs": 7.16e6, "rp2040": 113.6e6, "m4_est": 29.3e6,
                      "arena": 82292},
}
MODEL_PATHS = {
    "mlperf_kws_dscnn": "build/conformance/models/mlperf_kws_dscnn.tflite",
    "mlperf_vww_mobilenet": "build/conformance/models/mlperf_vww_mobilenet.tflite",
    "mlperf_ic_resnet8": "build/conformance/models/mlperf_ic_resnet8.tflite",
    "mlperf_ad_autoencoder": "build/conformance/models/mlperf_ad_autoencoder.tflite",
    "person_detect": "{shared}/models/person_detect.tflite",
}


def load(path):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError):
        return None


def rp2040_rows(path):
    data = load(path)
    if not data:
        return {}
    out = {}
    for r in data.get("models", []):
        if "error" in r:
            continue
        cyc = r.get("host_cycles") or r.get("profile_cycles")
        if not cyc:
            continue
        out[r["model"]] = {"cycles": int(statistics.median(cyc)), "arena_bytes": r.get("arena_bytes"),
                           "cores": r.get("cores", 1)}
    return out


def fmt_m(v):
    return "-" if v is None else "%.2f M" % (v / 1e6)


def fmt_i(v):
    return "-" if v is None else "{:,}".format(int(v))


def main(argv=None):
    import os

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=str(TOP / "build" / "bench"))
    ap.add_argument("--doc", default=str(TOP / "docs" / "bench.md"))
    a = ap.parse_args(argv)
    d = pathlib.Path(a.dir)
    shared = os.environ.get("TFLM_SHARED", str(TOP.parent / "shared"))

    from tflm_cli.common import host_info
    from tflm_cli.common import ModelInfo

    runs = {"rp2040": rp2040_rows(d / "rp2040_opt.json"), "rp2040_lean": rp2040_rows(d / "rp2040_lean.json"),
            "rp2040_ref": rp2040_rows(d / "rp2040_ref.json"), "rp2040_dual": rp2040_rows(d / "rp2040_dual.json")}
    m4 = load(d / "m4.json") or {}

    results = {}
    for name, rel in MODEL_PATHS.items():
        path = pathlib.Path(rel.format(shared=shared))
        path = path if path.is_absolute() else TOP / path
        if not path.exists():
            print("bench_report: %s missing (%s)" % (name, path), file=sys.stderr)
            continue
        info = ModelInfo(str(path))
        macs = sum(info.macs(op["index"]) for op in info.ops)
        fast = host_info(str(path))["arena_bytes"]
        lean = host_info(str(path), lean=True)["arena_bytes"]
        dual = host_info(str(path), cores=2)["arena_bytes"]
        row = {}
        for target, rows in runs.items():
            if name in rows:
                row[target] = dict(rows[name], macs=macs)
        for target, v in (m4.get(name) or {}).items():
            if isinstance(v, dict) and "cycles" in v:
                row[target] = dict(v, macs=v.get("macs", macs))
        row["host_plan"] = {"arena_bytes": fast, "arena_bytes_lean": lean, "arena_bytes_dual": dual, "macs": macs}
        results[name] = row

    d.mkdir(parents=True, exist_ok=True)
    (d / "results.json").write_text(json.dumps(results, indent=1) + "\n")

    lines = ["# Speed and memory against TFLM + CMSIS-NN (issue 8)", "",
             "Made by `make bench-speed` (tools/bench_report.py) from the runs in build/bench/.",
             "Baseline: the fixed TFLM + CMSIS-NN figures of issue 8. Ratios below 1 are better than the baseline.",
             "RP2040 cycles: rp2040js, one invoke counted around `m.invoke()` on the emulated Pico, model in ROMFS.",
             "M4: estimated cycles from an instruction trace and a cost table (docs/m4-cost-table.md), when measured.",
             "Arena: exact bytes of our planner (32-bit target); lean = `tflm.Model(..., lean=True)`.", "",
             "RP2040 2 cores: `tflm.Model(..., cores=2)` (the Pico's default), core 1 emulated alongside core 0.",
             "", "| model | MACs | RP2040 ref kernels | RP2040 opt | opt lean | CMSIS-NN | opt / CMSIS-NN | cyc/MAC "
             "| 2 cores | 2 cores / CMSIS-NN "
             "| M4 est ref | M4 est opt | nRF52840 ms @64 MHz | CMSIS-NN | M4 / CMSIS-NN | M4 cyc/MAC "
             "| arena fast / lean / 2 cores | TFLM arena | lean / TFLM |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
             "| ---: | ---: | ---: | ---: |"]
    for name, row in results.items():
        b = BASELINE[name]
        macs = row["host_plan"]["macs"]
        opt = row.get("rp2040", {}).get("cycles")
        ref = row.get("rp2040_ref", {}).get("cycles")
        lean = row.get("rp2040_lean", {}).get("cycles")
        dual = row.get("rp2040_dual", {}).get("cycles")
        m4c = row.get("m4_est", {}).get("cycles")
        m4r = row.get("m4_est_ref", {}).get("cycles")
        hp = row["host_plan"]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                     "| %s / %s / %s | %s | %s |" % (
            b["label"], fmt_m(macs), fmt_m(ref), fmt_m(opt), fmt_m(lean), fmt_m(b["rp2040"]),
            "-" if opt is None else "%.2f" % (opt / b["rp2040"]),
            "-" if opt is None else "%.1f" % (opt / macs),
            fmt_m(dual), "-" if dual is None else "%.2f" % (dual / b["rp2040"]),
            fmt_m(m4r), fmt_m(m4c), "-" if m4c is None else "%.0f" % (m4c / 64e3), fmt_m(b["m4_est"]), "-" if m4c is None else "%.2f" % (m4c / b["m4_est"]),
            "-" if m4c is None else "%.2f" % (m4c / macs),
            fmt_i(hp["arena_bytes"]), fmt_i(hp["arena_bytes_lean"]), fmt_i(hp["arena_bytes_dual"]), fmt_i(b["arena"]),
            "%.2f" % (hp["arena_bytes_lean"] / b["arena"])))
    size = load(d / "code_size.json")
    if size:
        results["_code_bytes"] = size
        lines += ["", "Engine code bytes (%s %s, .text+.rodata+.data incl. the libgcc/libc it pulls in; "
                  "`make code-size`; TFLM + CMSIS-NN: 81.7 KB for the 7 ops):" % (size["cpu"], size["opt"]), "",
                  "| build | bytes |", "| --- | ---: |"]
        lines += ["| %s | %s |" % (k, fmt_i(v)) for k, v in size["bytes"].items()]
        (d / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    lines += ["", "Targets (issue 8): RP2040 one core <= 0.5x CMSIS-NN, both cores <= 0.3x, Cortex-M4 <= 0.5x, "
              "arena <= 0.8x TFLM."]
    doc = pathlib.Path(a.doc)
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
