"""The `tflm` commands that need no board: help, convert, inspect, run --host, errors."""
import json
import shutil
import subprocess

import numpy as np
import os

import pytest

from conftest import SHARED, TOP, tflm

COMMANDS = ["convert", "inspect", "deploy", "run", "bench", "emulate"]



def unavailable(msg):
    """Skip when a prerequisite is missing, or fail under `make test-cli` (TFLM_STRICT=1)."""
    if os.environ.get("TFLM_STRICT"):
        pytest.fail(msg + " [TFLM_STRICT: a required component is missing]", pytrace=False)
    pytest.skip(msg)

@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_has_example(cmd):
    r = tflm(cmd, "--help")
    assert r.rc == 0
    assert "example:" in r.out and ("tflm %s" % cmd) in r.out


def test_top_level_help():
    r = tflm("--help")
    assert r.rc == 0
    for c in COMMANDS:
        assert c in r.out


def test_console_script_installed():
    exe = shutil.which("tflm") or str(TOP / ".deps" / "venv" / "bin" / "tflm")
    try:
        p = subprocess.run([exe, "--help"], capture_output=True, text=True)
    except FileNotFoundError:
        unavailable("tflm console script not installed (pip install -e tools/)")
    assert p.returncode == 0 and "inspect" in p.stdout


def test_convert_keras_bit_exact(cnn):
    out, r = cnn
    assert out.exists() and out.read_bytes()[4:8] == b"TFL3"
    line = [l for l in r.out.splitlines() if l.startswith("wrote ")][0]
    assert "bit-exact with TFLM on 8 sample(s)" in line
    assert "CONV_2D" in line and "FULLY_CONNECTED" in line
    assert "accuracy on 128 labelled samples: float" in r.out
    assert "Saved artifact" not in r.out  # TensorFlow's chatter stays out


def test_convert_float_io(data):
    out = data / "cnn_fio.tflite"
    r = tflm("convert", data / "cnn.keras", "--rep-data", data / "x.npy", "-o", out, "--float-io", "--check", "3")
    assert r.rc == 0, r.err
    j = tflm("inspect", out, "--json").json()
    assert j["inputs"][0]["dtype"] == "float32" and j["outputs"][0]["dtype"] == "float32"
    assert j["ops"][0]["name"] == "QUANTIZE"


def test_convert_refuses_unsupported_op(data):
    out = data / "l2_int8.tflite"
    if out.exists():
        out.unlink()
    r = tflm("convert", data / "l2_saved_model", "--rep-data", data / "x8.npy", "-o", out)
    line = r.one_line_error()
    assert "L2_NORMALIZATION" in line and "not written" in line
    assert not out.exists()


def test_inspect_arena_equals_host_runner(cnn, runner):
    model, _ = cnn
    j = tflm("inspect", model, "--json").json()
    host = json.loads(subprocess.run([str(runner), str(model)], capture_output=True, text=True).stdout)
    assert j["arena_bytes"] == host["arena_bytes"]
    assert [o["name"] for o in j["ops"]] == host["op_names"]
    assert j["n_ops"] == host["ops"]
    assert all(o["supported"] for o in j["ops"])
    assert j["fits"]["rp2040"]["fits"] is True
    assert j["macs"] == 6 * 6 * 4 * 9 + 2 * 36  # conv 6x6x4 outputs x 3x3x1, dense 2 x 36
    assert j["inputs"][0]["shape"] == [1, 8, 8, 1] and j["inputs"][0]["dtype"] == "int8"
    lean = json.loads(subprocess.run([str(runner), str(model), "--lean"], capture_output=True, text=True).stdout)
    assert j["arena_bytes_lean"] == lean["arena_bytes"]
    # The conv's per-channel factors move from the persistent region to its scratch.
    assert j["arena_bytes_lean"] < j["arena_bytes"]
    dual = json.loads(subprocess.run([str(runner), str(model), "--cores", "2"], capture_output=True, text=True).stdout)
    # Two cores: the conv's 3x3x1 window patch twice.
    assert j["arena_bytes_dual"] == dual["arena_bytes"]
    assert j["arena_bytes"] < j["arena_bytes_dual"] <= j["arena_bytes"] + 16


def test_inspect_text(cnn):
    model, _ = cnn
    r = tflm("inspect", model, "--board", "rp2040")
    assert r.rc == 0, r.err
    assert "arena: " in r.out and "rp2040    fits" in r.out and "CONV_2D" in r.out


def test_inspect_unsupported_model(data):
    m = data / "l2.tflite"
    j = tflm("inspect", m, "--json").json()
    assert j["arena_bytes"] is None and "L2_NORMALIZATION" in j["unsupported"]
    assert "L2_NORMALIZATION" in j["error"]
    assert j["fits"]["rp2040"]["fits"] is False
    line = tflm("inspect", m, "--board", "rp2040").one_line_error()
    assert "cannot run" in line


def test_board_too_small_inspect(big):
    r = tflm("inspect", big, "--board", "rp2040")
    line = r.one_line_error()
    assert "does not fit rp2040" in line and "bytes of RAM" in line
    j = tflm("inspect", big, "--json").json()
    assert j["arena_bytes"] > 236048 and j["fits"]["rp2040"]["fits"] is False


def oracle(model, raw):
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_file(str(model), arena_size=1 << 20)
    d = it.get_input_details(0)
    it.set_input(np.frombuffer(raw, dtype=d["dtype"]).reshape(d["shape"]), 0)
    it.invoke()
    return np.asarray(it.get_output(0))


def test_run_host_matches_oracle(cnn, data):
    model, _ = cnn
    x = np.load(data / "x.npy")[3].astype(np.int8)  # int8 array: used raw
    np.save(data / "x3_int8.npy", x)
    j = tflm("run", model, "--input", data / "x3_int8.npy", "--host", "--json").json()
    want = oracle(model, x.tobytes())
    assert j["outputs"] == [want.reshape(-1).tolist()]
    det = tflm("inspect", model, "--json").json()["outputs"][0]
    deq = [(v - det["zero_point"]) * det["scale"] for v in j["outputs"][0]]
    assert j["dequantized"][0] == pytest.approx(deq, abs=1e-6)
    assert set(j) >= {"outputs", "dequantized", "top"}


def test_run_host_float_input_and_labels(cnn, data):
    model, _ = cnn
    r = tflm("run", model, "--input", data / "x0.npy", "--host", "--labels", data / "labels.txt", "--top", "2")
    assert r.rc == 0, r.err
    assert "dequantized" in r.out and "top 2:" in r.out and "positive" in r.out


@pytest.mark.parametrize("cmd", ["inspect", "run", "deploy", "bench"])
def test_missing_file(cmd, tmp_path):
    extra = {"run": ["--input", tmp_path / "x.npy", "--host"], "deploy": ["--port", "/dev/null-none"],
             "bench": ["--port", "/dev/null-none"]}.get(cmd, [])
    line = tflm(cmd, tmp_path / "nope.tflite", *extra).one_line_error()
    assert "nope.tflite: no such file" in line


@pytest.mark.parametrize("cmd", ["inspect", "run", "deploy"])
def test_not_a_model(cmd, tmp_path):
    bad = tmp_path / "notes.tflite"
    bad.write_text("this is not a model\n" * 10)
    extra = {"run": ["--input", tmp_path / "x.npy", "--host"], "deploy": ["--port", "/dev/null-none"]}.get(cmd, [])
    line = tflm(cmd, bad, *extra).one_line_error()
    assert "not a TFLite model" in line


def test_corrupt_model(cnn, tmp_path):
    model, _ = cnn
    data = bytearray(model.read_bytes())
    bad = tmp_path / "corrupt.tflite"
    bad.write_bytes(bytes(data[:64]))
    r = tflm("inspect", bad)
    r.one_line_error()


def test_convert_missing_and_bad_inputs(data, tmp_path):
    line = tflm("convert", tmp_path / "none.keras", "--rep-data", data / "x.npy", "-o", tmp_path / "o.tflite").one_line_error()
    assert "no such file" in line
    bad = tmp_path / "bad.keras"
    bad.write_text("nope")
    line = tflm("convert", bad, "--rep-data", data / "x.npy", "-o", tmp_path / "o.tflite").one_line_error()
    assert "cannot load the Keras model" in line
    np.save(tmp_path / "odd.npy", np.zeros((3, 5), np.float32))
    line = tflm("convert", data / "cnn.keras", "--rep-data", tmp_path / "odd.npy", "-o", tmp_path / "o.tflite").one_line_error()
    assert "does not match the model's input shape" in line


def test_run_unsupported_op_host(data):
    m = data / "l2.tflite"
    info = tflm("inspect", m, "--json").json()["inputs"][0]
    x = np.zeros(info["shape"], dtype=info["dtype"])
    p = data / "l2_in.npy"
    np.save(p, x)
    line = tflm("run", m, "--input", p, "--host").one_line_error()
    assert "unsupported op L2_NORMALIZATION" in line


def test_no_board_found(cnn):
    model, _ = cnn
    import serial.tools.list_ports

    if any(p.vid is not None for p in serial.tools.list_ports.comports()):
        pytest.skip("a USB serial device is attached")
    for cmd in (["deploy", model], ["bench", model], ["run", model, "--input", "x0.npy"]):
        line = tflm(*cmd).one_line_error()
        assert "no board found" in line


def test_bad_port(cnn):
    model, _ = cnn
    line = tflm("deploy", model, "--port", "/dev/does-not-exist").one_line_error()
    assert "cannot open /dev/does-not-exist" in line


def test_debug_shows_traceback(tmp_path):
    r = tflm("--debug", "inspect", tmp_path / "nope.tflite")
    assert r.rc != 0 and "Traceback" in r.err


def test_json_keys_stable(cnn, data):
    model, _ = cnn
    j = tflm("inspect", model, "--json").json()
    assert set(j) >= {"model", "model_bytes", "inputs", "outputs", "ops", "n_ops", "macs", "param_bytes",
                      "arena_bytes", "arena_bytes_lean", "arena_bytes_dual", "fits", "unsupported", "error"}
    assert set(j["fits"]) == {"rp2040", "nrf52840"}
    assert set(j["ops"][0]) == {"index", "name", "version", "supported", "macs"}
    assert "measured" in j["fits"]["nrf52840"]["free_heap_source"]
    r = tflm("run", model, "--input", data / "x0.npy", "--host", "--json").json()
    assert set(r) >= {"outputs", "dequantized", "output_dtypes", "output_shapes", "arena_bytes", "where", "top"}


def test_convert_progress_and_check_zero(data, tmp_path):
    r = tflm("convert", data / "cnn.keras", "--rep-data", data / "x.npy", "-o", tmp_path / "c.tflite",
             "--check", "2", env={"TFLM_PROGRESS": "1"})
    assert r.rc == 0, r.err
    assert "check vs TFLM [" in r.err and "convert (int8" in r.err


def test_convert_saved_model(data, tmp_path):
    out = tmp_path / "fc.tflite"
    r = tflm("convert", data / "fc_saved_model", "--rep-data", data / "x8.npy", "-o", out)
    assert r.rc == 0, r.err
    assert "FULLY_CONNECTED" in r.out and "bit-exact with TFLM on 8 sample(s)" in r.out
    j = tflm("inspect", out, "--json").json()
    assert j["inputs"][0]["shape"] == [1, 8] and j["inputs"][0]["dtype"] == "int8"
