# The frozen tflmkit helpers (py/tflmkit): framing, feature ring, score
# averaging, labels, top-k. Same expected output on every target.
import sys

# unix: a MICROPYPATH (tests/mpy/run.sh sets one) replaces the default
# sys.path, whose ".frozen" entry finds the frozen modules.
if ".frozen" not in sys.path:
    sys.path.append(".frozen")

import io
from array import array

import tflmkit
from tflmkit import Framer, FeatureRing, Recognizer, load_labels, parse_labels, top_k, argmax


def frames_of(fr, chunks):
    out = []
    for c in chunks:
        for f in fr.feed(c):
            out.append(bytes(f))
    return out


def cut(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def expect(fr_args, data, n_from_formula):
    # Every chunk size gives the same frames as slicing the whole stream.
    length, stride = fr_args[0], fr_args[1]
    item = fr_args[2] if len(fr_args) > 2 else 1
    want = []
    k = 0
    while (k * stride + length) * item <= len(data):
        want.append(data[k * stride * item:(k * stride + length) * item])
        k += 1
    ok = len(want) == n_from_formula
    for size in (1, 2, 3, 5, 7, 64, len(data) + 1):
        fr = Framer(*fr_args)
        got = frames_of(fr, cut(data, size))
        ok = ok and got == want and fr.frames == len(want)
    return ok, len(want)


print("-- framer")
data = bytes(range(200))
print(expect((10, 4), data, 48))           # overlap
print(expect((10, 10), data, 20))          # back to back
print(expect((3, 8), data, 25))            # stride > length: gaps skipped
print(expect((7, 3, 2), data, 32))         # 2-byte items
print(expect((1, 1), data[:5], 5))
print(expect((200, 1), data, 1))           # one frame, the whole stream
print(expect((201, 1), data, 0))           # too short: no frame

# Frames are views of one buffer (no copy): valid until the next frame.
fr = Framer(4, 2)
views = []
for f in fr.feed(b"abcdefgh"):
    views.append(f)
print(len(views), type(views[0]) is memoryview)
# pending bytes, reset
fr = Framer(4, 2)
print(frames_of(fr, [b"abc"]), fr.pending())
print(frames_of(fr, [b"d"]), fr.pending())
fr.reset()
print(fr.pending(), fr.frames, frames_of(fr, [b"wxyz"]))
# int16 samples as an array: raw little-endian bytes
fr = Framer(2, 2, itemsize=2)
print(frames_of(fr, [array("h", [1, -1, 256]), array("h", [-32768])]))
# batch: more frames per buffer gives the same frames
fr = Framer(5, 2, batch=9)
print(frames_of(fr, cut(data[:30], 4)) == frames_of(Framer(5, 2), [data[:30]]))
# an empty chunk is fine, bad sizes are not
print(frames_of(Framer(2, 1), [b"", b"ab", b""]))
for args in ((0, 1), (1, 0), (2, 1, 0)):
    try:
        Framer(*args)
    except ValueError:
        print("ValueError", args)

print("-- ring")
r = FeatureRing(3, 2)
print(bytes(r.view()), len(r), r.full())
for i in range(1, 8):
    r.append(bytes([i, 10 * i]))
    print(i, bytes(r.view()), bytes(r.row(0)), bytes(r.row(2)), len(r), r.full())
r.reset(-128)
print(bytes(r.view()), r.count)
r.append(memoryview(bytearray(b"\x01\x02")))
print(bytes(r.view()))
try:
    r.append(b"abc")
except ValueError as e:
    print("ValueError", e)
try:
    r.row(3)
except IndexError:
    print("IndexError")
# one row
r = FeatureRing(1, 4)
r.append(b"abcd")
r.append(b"efgh")
print(bytes(r.view()))
# the micro_speech map: 49 x 40, streaming 120 rows
r = FeatureRing(49, 40)
for i in range(120):
    r.append(bytes([i & 0xFF]) * 40)
v = r.view()
print(len(v), v[0], v[40], v[-1], r.count)

print("-- recognizer")
labels = ["silence", "unknown", "yes", "no"]
rec = Recognizer(labels, window_ms=100, threshold=10, suppression_ms=150, min_count=2,
                 ignore=("silence", "unknown"))
for t in range(0, 420, 30):
    s = [0, 0, 20, 0] if t < 200 else [0, 0, 0, 30]
    print(t, rec.update(s, t), rec.count())
print(rec.last_label, rec.last_time)
# threshold is strict, suppression counts from the last report (exactly
# suppression_ms later is allowed), ignored labels never report
rec = Recognizer(3, window_ms=50, threshold=5, suppression_ms=100, min_count=1, ignore=(0,))
for t, s in ((0, [0, 5, 0]), (10, [0, 6, 0]), (20, [0, 10, 0]), (109, [0, 9, 0]),
             (110, [0, 0, 9]), (150, [99, 0, 0]), (300, [99, 0, 0]), (400, [0, 7, 7])):
    print(t, rec.update(s, t))
# ties: lowest index; time must not go back; sizes
rec = Recognizer(["a", "b"], min_count=1, threshold=-1000)
print(rec.update([3, 3], 5))
try:
    rec.update([1, 1], 4)
except ValueError:
    print("ValueError: time")
try:
    rec.update([1], 6)
except ValueError:
    print("ValueError: size")
# window: old results leave it; capacity bounds it
rec = Recognizer(["a", "b"], window_ms=1000, min_count=1, capacity=4)
for t in range(10):
    res = rec.update([t, 0], t)
print(res, rec.count())
rec.reset()
print(rec.count(), rec.last_label)
# float scores
rec = Recognizer(["x", "y"], threshold=0.5, min_count=2, suppression_ms=0)
print(rec.update([0.25, 0.75], 0), rec.update([0.25, 0.75], 10))

print("-- labels")
print(parse_labels("a\nb\nc"))
print(parse_labels("no person\r\nperson\r\n"))
print(parse_labels("\ufeffyes\n\n  no  \n\r\n\nsilence\n\n"))
print(parse_labels(""), parse_labels("\n\r\n"))
print(load_labels(io.StringIO("x\r\ny\r\n")))
print(load_labels("/no/such/labels.txt", default=("a", "b")))
try:
    load_labels("/no/such/labels.txt")
except OSError:
    print("OSError")
# a real file (where the target has a writable filesystem)
try:
    with open("/tmp/tflmkit_labels.txt", "w") as f:
        f.write("zero\r\n\r\none\r\ntwo")
    print(load_labels("/tmp/tflmkit_labels.txt"))
except OSError:
    print(["zero", "one", "two"])

print("-- top_k")
print(top_k([1, 5, 3, 5, -2], 3))
print(top_k([1, 5, 3, 5, -2], 10))
print(top_k([1, 5], 0), top_k([], 2))
print(top_k(b"\x7f\x80\x00\xff", 4))
print(top_k(b"\x7f\x80\x00\xff", 2, signed=False))
print(top_k(bytearray(b"\x10\x10"), 2, ["p", "q"]))
print([(l, "%.5f" % v) for l, v in top_k(array("b", [-128, 127, 0]), 2, ["a", "b", "c"], scale=1 / 256, zero_point=-128)])
print(top_k(memoryview(array("b", [-10, 20])), 1, scale=0.5, zero_point=-10))
print(top_k([0.25, 0.5, 0.5], 3, ["x", "y", "z"]))
print(argmax([3, 9, 9, 1]), argmax(b"\x80\x7f"))
try:
    top_k([1, 2, 3], 1, ["a"])
except ValueError:
    print("ValueError: labels")
print(tflmkit.__version__)
