# mnist_lstm: read a handwritten digit with an LSTM, row by row.
#
# trained_lstm_int8.tflite reads a 28x28 image as 28 time steps of 28 pixels
# (UNIDIRECTIONAL_SEQUENCE_LSTM) and scores the digits 0-9. Images are
# 28x28 8-bit grayscale .png files on the board's filesystem, decoded here
# with MicroPython's deflate module; a real board would take the pixels from
# a camera or a touch screen instead.
#
#   mpremote run main.py          (model in /rom or /, *.png in the current folder)
import io
import gc
import os

from tflmkit import top_k

try:
    import tflm
    import deflate

    def inflate(data):
        return deflate.DeflateIO(io.BytesIO(data), deflate.ZLIB).read()
except ImportError:  # CPython: the host check imports read_png_gray() only
    import zlib

    tflm = None

    def inflate(data):
        return zlib.decompress(data)

MODEL = "trained_lstm_int8.tflite"
SIZE = 28
# Output quantisation: scale 1/256, zero point -128.
OUT_SCALE = 1 / 256
OUT_ZERO = -128


def find_model(name):
    for path in ("/rom/" + name, name):
        try:
            os.stat(path)
            return path
        except OSError:
            pass
    raise OSError("model %s not found in /rom or the current folder: run tflm deploy" % name)


def u32be(b, i):
    return b[i] << 24 | b[i + 1] << 16 | b[i + 2] << 8 | b[i + 3]


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png_gray(path):
    # (width, height, bytes): an 8-bit non-interlaced grayscale / gray+alpha /
    # RGB / RGBA .png as grayscale bytes, top row first.
    with open(path, "rb") as f:
        data = f.read()
    if data[0:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(path + ": not a .png file")
    pos = 8
    idat = []
    hdr = None
    while pos + 8 <= len(data):
        n = u32be(data, pos)
        kind = data[pos + 4:pos + 8]
        if kind == b"IHDR":
            hdr = data[pos + 8:pos + 8 + n]
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        elif kind == b"IEND":
            break
        pos += 12 + n
    if hdr is None:
        raise ValueError(path + ": no IHDR")
    width, height = u32be(hdr, 0), u32be(hdr, 4)
    depth, ctype, interlace = hdr[8], hdr[9], hdr[12]
    chans = {0: 1, 4: 2, 2: 3, 6: 4}.get(ctype)
    if depth != 8 or interlace != 0 or chans is None:
        raise ValueError(path + ": need an 8-bit non-interlaced, non-palette .png")
    raw = inflate(b"".join(idat))
    stride = width * chans
    prev = bytearray(stride)
    cur = bytearray(stride)
    out = bytearray(width * height)
    for y in range(height):
        base = y * (stride + 1)
        kind = raw[base]
        line = raw[base + 1:base + 1 + stride]
        for x in range(stride):
            a = cur[x - chans] if x >= chans else 0
            b = prev[x]
            if kind == 0:
                p = 0
            elif kind == 1:
                p = a
            elif kind == 2:
                p = b
            elif kind == 3:
                p = (a + b) >> 1
            else:
                p = paeth(a, b, prev[x - chans] if x >= chans else 0)
            cur[x] = (line[x] + p) & 0xFF
        for x in range(width):
            k = x * chans
            if chans >= 3:
                out[y * width + x] = (cur[k] * 299 + cur[k + 1] * 587 + cur[k + 2] * 114 + 500) // 1000
            else:
                out[y * width + x] = cur[k]
        prev, cur = cur, prev
    return width, height, out


def read_digit(model, pixels):
    # pixels: 28*28 grayscale bytes. The model takes brightness in [0, 1];
    # the tensor quantises the floats with its own scale and zero point.
    model.input(0)[:] = [p / 255 for p in pixels]
    model.invoke()
    return list(memoryview(model.output(0)))


def describe(name, raw):
    # The digit read, its score and the two runners-up.
    best = top_k(raw, 3, scale=OUT_SCALE, zero_point=OUT_ZERO)
    return "%s: %d (score %.3f; then %s) raw %s" % (
        name, best[0][0], best[0][1], ", ".join("%d %.3f" % b for b in best[1:]), raw)


def main():
    gc.collect()
    model = tflm.Model(find_model(MODEL))
    names = sorted(n for n in os.listdir() if n.endswith(".png"))
    if not names:
        print("no .png files here: copy some (mpremote fs cp sample3.png :)")
    for name in names:
        w, h, pixels = read_png_gray(name)
        if (w, h) != (SIZE, SIZE):
            print("%s: %dx%d, need %dx%d, skipped" % (name, w, h, SIZE, SIZE))
            continue
        model.reset()  # each image starts from the LSTM's initial state
        print(describe(name, read_digit(model, pixels)))


if __name__ == "__main__":
    main()
