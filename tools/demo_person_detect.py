"""Person detection on the host engine, checked against the TFLM oracle.

Runs ../shared/models/person_detect.tflite on the two sample images in
../shared/data/person_detection/ with our engine (build/host/tflm_run) and
with Google's TFLM (the tflite_micro package), prints both scores, and fails
unless the bytes agree and the verdicts are right.

    make demo        (sets everything up, then runs this)
"""
import os
import pathlib
import struct
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parent.parent
SHARED = pathlib.Path(os.environ.get("TFLM_SHARED", TOP.parent / "shared"))
MODEL = SHARED / "models" / "person_detect.tflite"
IMAGES = SHARED / "data" / "person_detection"
RUNNER = TOP / "build" / "host" / "tflm_run"
# TFLM's person detection example: output 0 = no person, 1 = person.
NO_PERSON, PERSON = 0, 1


def read_bmp_gray(path):
    """96x96 grayscale bytes (row 0 at the top) from an uncompressed BMP."""
    data = pathlib.Path(path).read_bytes()
    if data[:2] != b"BM":
        raise ValueError(f"{path}: not a BMP file")
    off = struct.unpack_from("<I", data, 10)[0]
    width, height, planes, bpp, comp = struct.unpack_from("<iiHHI", data, 18)
    if comp != 0 or bpp not in (8, 24, 32):
        raise ValueError(f"{path}: only uncompressed 8/24/32-bit BMPs are supported")
    rows = abs(height)
    stride = (width * bpp // 8 + 3) & ~3
    palette = None
    if bpp == 8:
        hdr = struct.unpack_from("<I", data, 14)[0]
        ncol = struct.unpack_from("<I", data, 46)[0] or 256
        pal = data[14 + hdr:14 + hdr + 4 * ncol]
        palette = [(pal[4 * i + 2] * 299 + pal[4 * i + 1] * 587 + pal[4 * i] * 114 + 500) // 1000 for i in range(ncol)]
    out = bytearray()
    for r in range(rows):
        src = rows - 1 - r if height > 0 else r
        line = data[off + src * stride: off + src * stride + stride]
        for c in range(width):
            if bpp == 8:
                out.append(palette[line[c]])
            else:
                k = c * bpp // 8
                b, g, rr = line[k], line[k + 1], line[k + 2]
                out.append((rr * 299 + g * 587 + b * 114 + 500) // 1000)
    return width, rows, bytes(out)


def to_int8(gray):
    # As TFLM's own person-detection test feeds these images: the BMP's
    # grayscale bytes taken as int8 as they are (no offset).
    return bytes(gray)


def run_ours(model, inp):
    with tempfile.TemporaryDirectory() as d:
        i, o = os.path.join(d, "in.bin"), os.path.join(d, "out.bin")
        pathlib.Path(i).write_bytes(inp)
        r = subprocess.run([str(RUNNER), str(model), "-i", i, "-o", o], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"our engine failed: {r.stderr.strip()}")
        return pathlib.Path(o).read_bytes(), r.stdout


def run_oracle(model, inp):
    import numpy as np
    from tflite_micro.python.tflite_micro import runtime
    it = runtime.Interpreter.from_file(str(model), arena_size=400_000)
    det = it.get_input_details(0)
    it.set_input(np.frombuffer(inp, dtype=np.int8).reshape(det["shape"]), 0)
    it.invoke()
    return it.get_output(0).astype(np.int8).tobytes()


def main():
    if not RUNNER.exists():
        raise SystemExit("build/host/tflm_run is missing: run `make host`")
    ok = True
    print(f"model: {MODEL.name} (used in place from ../shared/models)")
    for name, want in (("person.bmp", PERSON), ("no_person.bmp", NO_PERSON)):
        w, h, gray = read_bmp_gray(IMAGES / name)
        if (w, h) != (96, 96):
            raise SystemExit(f"{name}: expected 96x96, got {w}x{h}")
        inp = to_int8(gray)
        ours, _ = run_ours(MODEL, inp)
        theirs = run_oracle(MODEL, inp)
        s_ours = struct.unpack("2b", ours)
        s_theirs = struct.unpack("2b", theirs)
        verdict = "person" if s_ours[PERSON] > s_ours[NO_PERSON] else "no person"
        same = ours == theirs
        right = (verdict == "person") == (want == PERSON)
        print(f"{name:14s} ours: person {s_ours[PERSON]:4d}  no person {s_ours[NO_PERSON]:4d}  "
              f"| TFLM: person {s_theirs[PERSON]:4d}  no person {s_theirs[NO_PERSON]:4d}  "
              f"-> {verdict:9s} {'bit-exact' if same else 'MISMATCH'}{'' if right else '  WRONG VERDICT'}")
        ok = ok and same and right
    if not ok:
        raise SystemExit("demo FAILED")
    print("demo ok: both images classified correctly, bit-exact with TFLM")


if __name__ == "__main__":
    sys.exit(main())
