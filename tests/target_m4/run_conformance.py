#!/usr/bin/env python3
"""Conformance on the emulated Cortex-M4: the harness of tests/conformance with
the M4 runner (build/m4bench/opt/tflm_run: the engine built for ARMv7E-M and
run on unicorn) in place of the host runner. Output bytes, and the
intermediate tensors of multi-op models, against the tflite_micro oracle.

    run_conformance.py [--tier fast|full] [--runner PATH] [--ops all|OP,OP] [--jobs N]

The fast tier (`make test-m4`) runs the generated models of the ops that have
optimised M4 kernels or sit next to them (conv, depthwise, fully connected,
pooling, add/mul, softmax, mean), the MLPerf Tiny models and the real models;
--ops all takes every generated model of the tier. Its own work folder
(build/m4bench/work) and results (build/m4bench/conformance_<tier>.json).
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
TOP = HERE.parent.parent
sys.path.insert(0, str(TOP / "tests" / "conformance"))
import harness  # noqa: E402
import gen_models  # noqa: E402

OUT = TOP / "build" / "m4bench"
harness.WORK = OUT / "work"
FAST_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D",
            "ADD", "MUL", "SOFTMAX", "MEAN"}


class Pool(harness.WorkerPool):
    def _start(self):
        harness.WORK.mkdir(parents=True, exist_ok=True)
        log = open(OUT / "worker.log", "ab")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.Popen([sys.executable, str(pathlib.Path(__file__).resolve()), "--worker"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tier", choices=["fast", "full"], default="fast")
    ap.add_argument("--runner", default=str(OUT / "opt" / "tflm_run"))
    ap.add_argument("--ops", default="", help="'all', or comma-separated op names")
    ap.add_argument("--models", help="glob(s) over model names")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--inputs", type=int, default=2)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        harness.worker_main()
        return 0
    runner = pathlib.Path(a.runner)
    if not runner.exists():
        print("runner %s not found (make m4bench)" % runner, file=sys.stderr)
        return 2
    man = gen_models.generate(a.tier, min(a.jobs, 2))
    import mlperf_tiny
    mlperf_tiny.generate()
    cases = harness.collect_cases(a.tier, ("gen", "mlperf", "real"), a.models, man)
    if a.ops != "all":
        ops = set(a.ops.split(",")) if a.ops else FAST_OPS
        cases = [c for c in cases if c["suite"] != "gen" or c["op"] in ops]
    reqs = [{"what": "case", "case": c, "runner": str(runner), "n_inputs": a.inputs,
             "locate": True, "keep": False, "deep": True} for c in cases]
    t0 = time.time()
    OUT.mkdir(parents=True, exist_ok=True)
    results = Pool(a.jobs).map(reqs)
    harness.print_report(results)
    print("%.1f s, runner %s" % (time.time() - t0, runner))
    (OUT / ("conformance_%s.json" % a.tier)).write_text(json.dumps(results, indent=1))
    return 0 if all(r["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
