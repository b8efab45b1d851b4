"""Fixtures of the conformance suite: runner binaries, generated models, batched results.

The cases selected for a session (after -k / deselection) are run once, together, in the
harness's crash-safe worker pool; each test then checks its own result.
Environment: TFLM_CONF_JOBS (default 2) worker processes.
"""
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_models  # noqa: E402
import harness  # noqa: E402

JOBS = int(os.environ.get("TFLM_CONF_JOBS", "2"))


def _ensure_runner(target, path):
    """Build the runner with `make <target>` when the binary is missing."""
    if not path.exists():
        r = subprocess.run(["make", target], cwd=str(harness.TOP), capture_output=True,
                           text=True)
        if r.returncode != 0 or not path.exists():
            pytest.fail("make %s failed:\n%s\n%s" % (target, r.stdout[-3000:],
                                                    r.stderr[-3000:]), pytrace=False)
    return path


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Remember which cases each runner will need (after -k and other deselection)."""
    sel = {}
    for item in items:
        cs = getattr(item, "callspec", None)
        if cs is not None and "name" in cs.params and item.originalname in (
                "test_model", "test_model_sanitized"):
            sel.setdefault(item.originalname, []).append(cs.params["name"])
    config._conformance_selected = sel


@pytest.fixture(scope="session")
def generated():
    """Fast-tier and MLPerf Tiny models (cached; rebuilt only when the generators change)."""
    import mlperf_tiny
    man = gen_models.generate("fast", jobs=min(JOBS, 2), quiet=True)
    mlperf_tiny.generate(quiet=True)
    return man


class Results:
    def __init__(self, man, runner, names):
        self.man, self.runner, self.names = man, runner, names
        self.res = None

    def case(self, name):
        if name in harness.REAL_MODELS:
            return harness.real_case(name)
        if name in harness.MLPERF_MODELS:
            return harness.mlperf_case(name)
        e = self.man["models"].get(name)
        return harness.gen_case(e) if e else None

    def get(self, name):
        if name in self.man.get("rejected", {}):
            pytest.fail("the generator kept a model the oracle cannot run: %s"
                        % self.man["rejected"][name], pytrace=False)
        if self.res is None:
            cases = [c for c in (self.case(n) for n in self.names) if c is not None]
            out = harness.run_cases(cases, self.runner, JOBS, progress=False)
            self.res = {r["name"]: r for r in out}
        if name not in self.res:
            c = self.case(name)
            if c is None:
                pytest.fail("model %s was not generated" % name, pytrace=False)
            self.res[name] = harness.run_cases([c], self.runner, 1, progress=False)[0]
        return self.res[name]


@pytest.fixture(scope="session")
def runner():
    return _ensure_runner("host", harness.DEFAULT_RUNNER)


@pytest.fixture(scope="session")
def san_runner():
    return _ensure_runner("host-san", harness.SAN_RUNNER)


@pytest.fixture(scope="session")
def conformance(request, runner, generated):
    names = getattr(request.config, "_conformance_selected", {}).get("test_model", [])
    return Results(generated, runner, names)


@pytest.fixture(scope="session")
def conformance_san(request, san_runner, generated):
    names = getattr(request.config, "_conformance_selected", {}).get("test_model_sanitized", [])
    return Results(generated, san_runner, names)
