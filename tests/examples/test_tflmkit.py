"""The tflmkit helpers (py/tflmkit, frozen into the firmware) on CPython,
against plain reference implementations, with random chunkings and scores.
The same helpers run on every MicroPython target in tests/mpy/tflmkit_helpers.py;
its expected output is checked here to be CPython's too.

    .deps/venv/bin/python -m pytest -q tests/examples/test_tflmkit.py
"""
import array
import contextlib
import io
import pathlib
import random
import sys

import pytest

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "py"))

from tflmkit import (FeatureRing, Framer, Recognizer, argmax, as_bytes, load_labels,  # noqa: E402
                     parse_labels, top_k)


def chunks(data, rng, biggest):
    pos = 0
    while pos < len(data):
        n = rng.randint(0, biggest)
        yield data[pos:pos + n]
        pos += n


def ref_frames(data, length, stride):
    return [data[k:k + length] for k in range(0, len(data) - length + 1, stride)]


@pytest.mark.parametrize("length,stride,itemsize", [
    (480, 320, 2), (10, 3, 1), (4, 4, 1), (3, 7, 1), (5, 11, 2), (1, 1, 1), (64, 1, 1), (9, 2, 4)])
def test_framer_any_chunks(length, stride, itemsize):
    rng = random.Random(length * 1000 + stride)
    data = bytes(rng.randrange(256) for _ in range(3000))
    want = ref_frames(data, length * itemsize, stride * itemsize)
    for biggest in (1, 5, 100, 5000):
        fr = Framer(length, stride, itemsize=itemsize)
        got = []
        for c in chunks(data, rng, biggest):
            for f in fr.feed(c):
                assert isinstance(f, memoryview) and len(f) == length * itemsize
                got.append(bytes(f))
        assert got == want
        assert fr.frames == len(want)
        # what is kept is exactly the tail the next frame needs
        if want:
            nxt = len(want) * stride * itemsize
            assert fr.pending() == max(0, len(data) - nxt)


def test_framer_no_copy_per_frame():
    fr = Framer(480, 320, itemsize=2)
    ids = set()
    for f in fr.feed(bytes(32000)):
        ids.add(f.obj is fr._buf)
    assert ids == {True}  # every frame is a view of the one buffer
    assert len(fr._buf) == 960 + 640  # two frames' starts: 30 ms + 20 ms of samples


def test_framer_int16_arrays():
    samples = array.array("h", range(-500, 500))
    fr = Framer(30, 20, itemsize=2)
    got = []
    for i in range(0, len(samples), 17):
        got += [bytes(f) for f in fr.feed(samples[i:i + 17])]
    assert got == ref_frames(samples.tobytes(), 60, 40)
    assert bytes(as_bytes(array.array("h", [1, -1]))) == b"\x01\x00\xff\xff"


def test_framer_reset_and_errors():
    fr = Framer(4, 2)
    assert list(map(bytes, fr.feed(b"abcde"))) == [b"abcd"]
    fr.reset()
    assert fr.pending() == 0 and fr.frames == 0
    assert list(map(bytes, fr.feed(b"wxyz"))) == [b"wxyz"]
    for args in ((0, 1), (1, 0), (1, 1, 0)):
        with pytest.raises(ValueError):
            Framer(*args)


@pytest.mark.parametrize("rows,width", [(1, 1), (3, 2), (49, 40), (5, 7)])
def test_ring_is_the_last_rows(rows, width):
    rng = random.Random(rows * width)
    ring = FeatureRing(rows, width, fill=-128)
    hist = [bytes([0x80]) * width] * rows
    for i in range(3 * rows + 2):
        assert bytes(ring.view()) == b"".join(hist[-rows:])
        row = bytes(rng.randrange(256) for _ in range(width))
        ring.append(row)
        hist.append(row)
        assert bytes(ring.row(0)) == row
        assert len(ring) == min(i + 1, rows) and ring.full() == (i + 1 >= rows)
    for age in range(rows):
        assert bytes(ring.row(age)) == hist[-1 - age]
    with pytest.raises(ValueError):
        ring.append(bytes(width + 1))


def ref_recognize(labels, events, window, threshold, suppression, min_count, ignore):
    """Straightforward reference of the documented rule."""
    out, last = [], None
    for i, (t, s) in enumerate(events):
        win = [e for e in events[:i + 1] if t - e[0] < window]
        sums = [sum(e[1][j] for e in win) for j in range(len(labels))]
        best = sums.index(max(sums))
        if len(win) < min_count:
            out.append((None, False))
            continue
        new = (labels[best] not in ignore and sums[best] > threshold * len(win)
               and (last is None or t - last >= suppression))
        if new:
            last = t
        out.append((labels[best], new))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_recognizer_matches_reference(seed):
    rng = random.Random(seed)
    labels = ["silence", "unknown", "yes", "no"]
    window = rng.choice([100, 500, 1000])
    suppression = rng.choice([0, 150, 1000])
    min_count = rng.randint(1, 4)
    threshold = rng.randint(-50, 100)
    t, events = 0, []
    for _ in range(200):
        t += rng.choice([0, 10, 20, 60, 200])
        events.append((t, [rng.randint(-128, 127) for _ in labels]))
    rec = Recognizer(labels, window_ms=window, threshold=threshold, suppression_ms=suppression,
                     min_count=min_count, ignore=("silence",), capacity=1000)
    got = [(lab, new) for lab, _, new in (rec.update(s, t) for t, s in events)]
    assert got == ref_recognize(labels, events, window, threshold, suppression, min_count, ("silence",))


def test_recognizer_timing():
    rec = Recognizer(["a", "b"], window_ms=1000, threshold=10, suppression_ms=500, min_count=1)
    assert rec.update([0, 20], 0) == ("b", 20.0, True)
    assert rec.update([0, 20], 499)[2] is False  # suppressed
    assert rec.update([0, 20], 500)[2] is True  # exactly suppression_ms later
    assert rec.update([20, 0], 600)[2] is False  # another label is suppressed too
    assert rec.update([0, 10], 1600) == ("b", 10.0, False)  # not above the threshold
    with pytest.raises(ValueError):
        rec.update([0, 0], 1599)
    with pytest.raises(ValueError):
        Recognizer(["a"], ignore=("z",))


def test_top_k_matches_sorted():
    rng = random.Random(7)
    for _ in range(200):
        vals = [rng.randint(-3, 3) for _ in range(rng.randint(0, 12))]
        k = rng.randint(0, 14)
        want = sorted(range(len(vals)), key=lambda i: (-vals[i], i))[:k]
        assert [i for i, _ in top_k(vals, k)] == want
        raw = bytes(v & 0xFF for v in vals)
        assert top_k(raw, k) == [(i, vals[i]) for i in want]
    assert top_k(b"\x80\x7f", 2, ["lo", "hi"], scale=1 / 256, zero_point=-128) == [("hi", 255 / 256), ("lo", 0.0)]
    assert top_k(b"\x80\x7f", 1, signed=False) == [(0, 128)]
    assert argmax([1, 4, 4]) == 1


def test_labels_files(tmp_path):
    p = tmp_path / "labels.txt"
    p.write_bytes(b"\xef\xbb\xbfsilence\r\nunknown\r\n\r\n yes \r\nno")
    assert load_labels(str(p)) == ["silence", "unknown", "yes", "no"]
    p.write_bytes(b"a\n\n\nb\n\n")
    assert load_labels(str(p)) == ["a", "b"]
    assert load_labels(str(tmp_path / "none.txt"), default=("x",)) == ["x"]
    with pytest.raises(OSError):
        load_labels(str(tmp_path / "none.txt"))
    assert load_labels(io.StringIO("p\r\nq")) == ["p", "q"]
    assert parse_labels("") == []


@pytest.mark.parametrize("example", ["micro_speech", "person_detection"])
def test_example_labels(example):
    assert load_labels(str(TOP / "examples" / example / "labels.txt"))


def test_mpy_test_expectation_is_cpythons():
    """tests/mpy/tflmkit_helpers.py prints its .exp under CPython too."""
    src = TOP / "tests" / "mpy" / "tflmkit_helpers.py"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(src.read_text(), str(src), "exec"), {"__name__": "__main__"})
    assert out.getvalue() == (src.parent / "tflmkit_helpers.py.exp").read_text()
