"""deploy / run / bench / inspect --port against the emulated Pico, through its serial
port as a user would (mpremote's transport underneath)."""
import subprocess
import sys

import numpy as np
import os

import pytest

from conftest import TOP, tflm



def unavailable(msg):
    """Skip when a prerequisite is missing, or fail under `make test-cli` (TFLM_STRICT=1)."""
    if os.environ.get("TFLM_STRICT"):
        pytest.fail(msg + " [TFLM_STRICT: a required component is missing]", pytrace=False)
    pytest.skip(msg)

def test_deploy_run_matches_host(pico, cnn, data):
    model, _ = cnn
    r = tflm("deploy", model, data / "labels.txt", "--port", pico)
    assert r.rc == 0, r.err
    assert "cnn.tflite: %d bytes on the board at :cnn.tflite, sha256" % model.stat().st_size in r.out
    assert "labels.txt" in r.out and "verified" in r.out
    # the copy is really there: mpremote's own sha256sum agrees
    import hashlib

    p = subprocess.run([sys.executable, "-m", "mpremote", "connect", pico, "fs", "sha256sum", ":cnn.tflite"],
                       capture_output=True, text=True)
    assert p.stdout.split()[-1] == hashlib.sha256(model.read_bytes()).hexdigest()

    for x in ("x0.npy", "x3_int8.npy"):
        if not (data / x).exists():
            np.save(data / x, np.load(data / "x.npy")[3].astype(np.int8))
        board = tflm("run", model, "--input", data / x, "--port", pico, "--json")
        assert board.rc == 0, board.err
        host = tflm("run", model, "--input", data / x, "--host", "--json").json()
        b = board.json()
        assert b["outputs"] == host["outputs"] and b["dequantized"] == host["dequantized"]
        assert b["where"] == "board" and b["board_path"] == "cnn.tflite"


def firmware_stale():
    fw = (TOP / "build" / "rp2" / "firmware.uf2").stat().st_mtime
    src = TOP / "usermod_tflm"
    return any(p.stat().st_mtime > fw for p in src.rglob("*") if p.suffix in (".c", ".h", ".def"))


def test_inspect_arena_equals_firmware(pico, cnn):
    model, _ = cnn
    tflm("deploy", model, "--port", pico)
    j = tflm("inspect", model, "--json", "--port", pico).json()
    board = tflm("run", model, "--input", TOP / "build" / "cli-test" / "x0.npy", "--port", pico, "--json").json()
    # The Pico plans for both cores by default (tflm.Model(..., cores=2)).
    if j["arena_bytes_dual"] != board["arena_bytes"] and firmware_stale():
        unavailable("build/rp2/firmware.uf2 is older than the engine sources (make rp2): arena %d on the "
                    "board, %d from the host runner" % (board["arena_bytes"], j["arena_bytes_dual"]))
    assert j["arena_bytes_dual"] == board["arena_bytes"]  # m.arena_size on the Pico
    v = j["fits"]["rp2040"]
    assert v["free_heap_source"] == "measured on the board" and 200000 < v["free_heap"] < 264 * 1024


def test_bench_port(pico, cnn):
    model, _ = cnn
    tflm("deploy", model, "--port", pico)
    r = tflm("bench", model, "--port", pico, "--json", "--repeat", "2")
    assert r.rc == 0, r.err
    j = r.json()
    names = [o["name"] for o in tflm("inspect", model, "--json").json()["ops"]]
    assert [o["name"] for o in j["ops"]] == names
    assert j["ticks_hz"] > 0 and j["total_ticks"] > 0 and all(o["ticks"] > 0 for o in j["ops"])
    assert abs(sum(o["percent"] for o in j["ops"]) - 100) < 0.1
    text = tflm("bench", model, "--port", pico)
    assert text.rc == 0 and "CONV_2D" in text.out and "ms per invoke" in text.out


def test_deploy_romfs_and_run(pico, cnn, data):
    model, _ = cnn
    r = tflm("deploy", model, data / "labels.txt", "--romfs", "--port", pico)
    assert r.rc == 0, r.err
    assert "in ROMFS at /rom/cnn.tflite, sha256" in r.out
    b = tflm("run", model, "--input", data / "x0.npy", "--port", pico, "--json").json()
    assert b["board_path"] == "/rom/cnn.tflite"
    assert b["outputs"] == tflm("run", model, "--input", data / "x0.npy", "--host", "--json").json()["outputs"]


def test_run_not_deployed(pico, cnn, data, tmp_path):
    model, _ = cnn
    other = tmp_path / "never_deployed.tflite"
    other.write_bytes(model.read_bytes())
    line = tflm("run", other, "--input", data / "x0.npy", "--port", pico).one_line_error()
    assert "never_deployed.tflite is not on the board" in line


def test_deploy_board_too_small(pico, big):
    line = tflm("deploy", big, "--port", pico).one_line_error()
    assert "board too small" in line and "bytes of RAM" in line


def test_deploy_unsupported_refused(pico, data):
    line = tflm("deploy", data / "l2.tflite", "--port", pico).one_line_error()
    assert "L2_NORMALIZATION" in line and "--force" in line


def test_bench_emulator(cnn):
    model, _ = cnn
    if not (TOP / "build" / "rp2" / "firmware.uf2").exists():
        unavailable("no Pico firmware (make rp2)")
    r = tflm("bench", model, "--emulator", "rp2040", "--json", "--repeat", "1")
    assert r.rc == 0, r.err
    j = r.json()
    assert j["board"] == "emulated rp2040" and j["board_path"] == "/rom/cnn.tflite"
    assert j["cores"] == 1 and j["cycles"] == j["total_ticks"] > 0
    host_arena = tflm("inspect", model, "--json").json()["arena_bytes"]
    if j["arena_bytes"] != host_arena and firmware_stale():
        unavailable("build/rp2/firmware.uf2 is older than the engine sources (make rp2)")
    assert j["arena_bytes"] == host_arena
    assert all(o["cores"] == 1 for o in j["ops"])


def test_bench_emulator_two_cores(cnn):
    """--cores 2: the conv and the dense layer split with core 1. (This model is too small to gain:
    core 1's launch, once per invoke, costs more than half its conv; the speed-up on real models is
    checked in tests/target/test_tflm_cores.py.)"""
    model, _ = cnn
    if not (TOP / "build" / "rp2" / "firmware.uf2").exists():
        unavailable("no Pico firmware (make rp2)")
    one = tflm("bench", model, "--emulator", "rp2040", "--json", "--repeat", "1").json()
    r = tflm("bench", model, "--emulator", "rp2040", "--cores", "2", "--json", "--repeat", "1")
    assert r.rc == 0, r.err
    j = r.json()
    assert j["cores"] == 2 and j["cycles"] == j["total_ticks"] > 0
    assert [o["cores"] for o in j["ops"] if o["name"] in ("CONV_2D", "FULLY_CONNECTED")] == [2, 2]
    assert [o["cores"] for o in one["ops"]] == [1] * len(one["ops"]) and one["cores"] == 1
    assert j["arena_bytes"] == tflm("inspect", model, "--json").json()["arena_bytes_dual"]


def test_emulate_exec(cnn, data):
    if not (TOP / "build" / "rp2" / "firmware.uf2").exists():
        unavailable("no Pico firmware (make rp2)")
    model, _ = cnn
    cmd = "%s -m tflm_cli deploy %s --port {pty}" % (sys.executable, model)
    r = tflm("emulate", "rp2040", "--quiet", "--exec", cmd)
    assert r.rc == 0, r.err
    assert "verified" in r.out


def test_bench_png(pico, cnn, tmp_path):
    import matplotlib  # noqa: F401  (pinned in tools/requirements.txt)
    model, _ = cnn
    tflm("deploy", model, "--port", pico)
    png = tmp_path / "prof.png"
    r = tflm("bench", model, "--port", pico, "--repeat", "1", "--png", png, "--json")
    assert r.rc == 0, r.err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and r.json()["png"] == str(png)


def test_deploy_progress_bar(pico, cnn):
    model, _ = cnn
    r = tflm("deploy", model, "--port", pico, env={"TFLM_PROGRESS": "1"})
    assert r.rc == 0, r.err
    assert "copy cnn.tflite [" in r.err and "100%" in r.err and "done" in r.err


def test_bench_m4(cnn):
    """The Cortex-M4 estimate (tools/emu/m4bench): stable JSON keys, the host arena."""
    model, _ = cnn
    if not (TOP / "build" / "m4bench" / "opt" / "tflm_run").exists():
        unavailable("no M4 runner (make m4bench)")
    r = tflm("bench", model, "--emulator", "m4", "--json")
    assert r.rc == 0, r.err
    j = r.json()
    assert j["cores"] == 1 and j["cycles"] > j["instructions"] > 1000
    assert j["arena_bytes"] == tflm("inspect", model, "--json").json()["arena_bytes"]
    assert j["macs"] == 6 * 6 * 4 * 9 + 2 * 36
    two = tflm("bench", model, "--emulator", "m4", "--cores", "2", "--json")
    assert two.rc != 0 and "--cores 2" in two.one_line_error()
