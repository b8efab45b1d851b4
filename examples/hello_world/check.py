"""Host check of the hello_world example: our engine == TFLM, y ~ sin(x).

The board script's x values (k * STEP for one period), quantised as the
board's `tensor[:] = x` does, through hello_world_int8.tflite with our
engine and with the tflite_micro oracle: output bytes identical, and the
dequantised y within 0.2 of sin(x) (the model is a small regression).

    .deps/venv/bin/python examples/hello_world/check.py
"""
import math
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import hostlib  # noqa: E402

EXAMPLE = "hello_world"


def host_results():
    """[(x, q_in, q_out, y, duty, oracle agrees)] for one period."""
    import numpy as np

    bs = hostlib.board_script(EXAMPLE)
    model = hostlib.MODELS / bs.MODEL
    s_in, z_in = hostlib.io_quant(model)
    s_out, z_out = hostlib.io_quant(model, output=True)
    res = []
    for k in range(bs.STEPS):
        x = k * bs.STEP
        q_in = hostlib.quantize_f32([x], s_in, z_in).tobytes()
        ours = hostlib.run_ours(model, [q_in])
        same = ours == hostlib.oracle(model, [q_in])
        q_out = hostlib.signed(ours)[0]
        y = float(np.float32(q_out - z_out) * np.float32(s_out))
        res.append((x, hostlib.signed(q_in)[0], q_out, y, bs.duty_of(y), same))
    return res


def main():
    ok = True
    results = host_results()
    for x, q_in, q_out, y, duty, same in results:
        close = abs(y - math.sin(x)) < 0.2
        ok &= same and close
        print("x=%.2f y=%.4f duty=%d raw in %d out %d  | sin %.4f %s%s" % (
            x, y, duty, q_in, q_out, math.sin(x), "bit-exact with TFLM" if same else "MISMATCH with TFLM",
            "" if close else "  FAR FROM sin(x)"))
    return hostlib.finish(ok, "hello_world host check")


if __name__ == "__main__":
    sys.exit(main())
