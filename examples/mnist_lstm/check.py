"""Host check of the mnist_lstm example: our engine == TFLM, right digits.

Each ../shared/data/mnist/sampleN.png goes through the board script's own
read_png_gray() (zlib here, MicroPython's deflate on the board), is
quantised as the board's `tensor[:] = floats` does (float32, round half away
from zero), and runs through trained_lstm_int8.tflite from a fresh state with
our engine and with the tflite_micro oracle; the scores must be
byte-identical and sampleN must read as N.

    .deps/venv/bin/python examples/mnist_lstm/check.py
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import hostlib  # noqa: E402

EXAMPLE = "mnist_lstm"


def model_input(pixels, scale, zero_point):
    """The int8 bytes the board's read_digit() writes into the input tensor."""
    import numpy as np

    x = np.frombuffer(bytes(pixels), np.uint8).astype(np.float32) / np.float32(255)
    return hostlib.quantize_f32(x, scale, zero_point).tobytes()


def host_results():
    """[(image name, result line, raw scores, input bytes, oracle agrees)]."""
    bs = hostlib.board_script(EXAMPLE)
    model = hostlib.MODELS / bs.MODEL
    scale, zp = hostlib.io_quant(model)
    res = []
    for img in sorted((hostlib.DATA / "mnist").glob("*.png")):
        w, h, pixels = bs.read_png_gray(str(img))
        if (w, h) != (bs.SIZE, bs.SIZE):
            continue
        x = model_input(pixels, scale, zp)
        ours = hostlib.run_ours(model, [x])
        same = ours == hostlib.oracle(model, [x])
        raw = hostlib.signed(ours)
        res.append((img.name, bs.describe(img.name, raw), raw, x, same))
    return res


def main():
    ok = True
    results = host_results()
    for name, line, raw, _, same in results:
        _, digit, _ = hostlib.parse_line(line)
        m = re.match(r"sample(\d)", name)
        right = m is None or digit == m.group(1)
        ok &= same and right
        print("%s  | %s%s" % (line, "bit-exact with TFLM" if same else "MISMATCH with TFLM",
                              "" if right else "  WRONG (want %s)" % m.group(1)))
    ok &= len(results) >= 10
    return hostlib.finish(ok, "mnist_lstm host check")


if __name__ == "__main__":
    sys.exit(main())
