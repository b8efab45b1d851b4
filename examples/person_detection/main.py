# person_detection: is there a person in a 96x96 grayscale image?
#
# person_detect.tflite (MobileNetV1-0.25, 300 KB) is larger than the Pico's
# RAM: deploy it to ROMFS (tflm deploy person_detect.tflite --romfs) and it
# runs in place from flash. Images are .bmp files on the board's filesystem;
# a real board would take the same 96x96 grayscale frame from its camera.
#
#   mpremote run main.py          (model in /rom, *.bmp in the current folder)
import gc
import os

from tflmkit import load_labels, top_k

try:
    import tflm
except ImportError:  # CPython: the host check imports read_bmp_gray() only
    tflm = None

MODEL = "person_detect.tflite"
SIZE = 96
LABELS = ("no person", "person")  # output order of TFLM's model; labels.txt, when present, wins
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
    raise OSError("model %s not found in /rom or the current folder: run tflm deploy --romfs" % name)


def u16(b, i):
    return b[i] | b[i + 1] << 8


def u32(b, i):
    return b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24


def s32(b, i):
    v = u32(b, i)
    return v - (1 << 32) if v & 0x80000000 else v


def gray(r, g, b):
    # ITU-R BT.601 luma, rounded, in integers.
    return (r * 299 + g * 587 + b * 114 + 500) // 1000


def read_bmp_gray(path):
    # (width, height, bytes): an uncompressed 8/24/32-bit .bmp as grayscale
    # bytes, top row first.
    with open(path, "rb") as f:
        data = f.read()
    if data[0:2] != b"BM":
        raise ValueError(path + ": not a .bmp file")
    off = u32(data, 10)
    hdr = u32(data, 14)
    width, height = s32(data, 18), s32(data, 22)
    bpp, comp = u16(data, 28), u32(data, 30)
    if comp != 0 or bpp not in (8, 24, 32):
        raise ValueError(path + ": need an uncompressed 8, 24 or 32-bit .bmp")
    rows = -height if height < 0 else height
    stride = (width * bpp // 8 + 3) & ~3
    out = bytearray(width * rows)
    if bpp == 8:
        ncol = u32(data, 46) or 256
        pal = 14 + hdr
        lut = bytes(gray(data[pal + 4 * i + 2], data[pal + 4 * i + 1], data[pal + 4 * i]) for i in range(ncol))
    step = bpp // 8
    for r in range(rows):
        src = off + (rows - 1 - r if height > 0 else r) * stride  # bottom-up unless height < 0
        dst = r * width
        if bpp == 8:
            for c in range(width):
                out[dst + c] = lut[data[src + c]]
        else:
            for c in range(width):
                k = src + c * step
                out[dst + c] = gray(data[k + 2], data[k + 1], data[k])
    return width, rows, out


def detect(model, pixels):
    # pixels: 96*96 grayscale bytes. As TFLM's own person detection example
    # feeds its test images, the bytes go in unchanged (taken as int8).
    model.input(0)[:] = pixels
    model.invoke()
    return list(memoryview(model.output(0)))


def describe(name, raw, labels=LABELS):
    # The verdict and both scores, best first (equal scores: "no person").
    best = top_k(raw, 2, labels, scale=OUT_SCALE, zero_point=OUT_ZERO)
    return "%s: %s (%s) raw %s" % (name, best[0][0], ", ".join("%s %.3f" % b for b in best), raw)


def main():
    labels = load_labels("labels.txt", LABELS)
    gc.collect()  # the arena (~95 KB) must be one free block of the heap
    model = tflm.Model(find_model(MODEL))
    names = sorted(n for n in os.listdir() if n.endswith(".bmp"))
    if not names:
        print("no .bmp files here: copy some (mpremote fs cp person.bmp :)")
    for name in names:
        w, h, pixels = read_bmp_gray(name)
        if (w, h) != (SIZE, SIZE):
            print("%s: %dx%d, need %dx%d, skipped" % (name, w, h, SIZE, SIZE))
            continue
        print(describe(name, detect(model, pixels), labels))


if __name__ == "__main__":
    main()
