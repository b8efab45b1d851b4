"""Quantise inputs / dequantise outputs with a tensor's parameters (host side)."""
import pathlib

from .common import NP_SIZE, CliError


def np_dtype(t):
    import numpy as np

    if t["dtype"] not in NP_SIZE:
        raise CliError("tensor %d has dtype %s, which the CLI cannot feed" % (t["index"], t["dtype"]))
    return np.dtype(t["dtype"])


def scalar_q(t):
    s, z = t["scale"], t["zero_point"]
    if isinstance(s, list):
        s, z = s[0], z[0]
    return s, z


def to_raw(x, t):
    """Array x as tensor t's raw bytes: same dtype copies; floats into an integer
    tensor are quantised (round half away from zero as tflm's t[:] = floats, saturate)."""
    import numpy as np

    dt = np_dtype(t)
    n = 1
    for d in t["shape"]:
        n *= max(d, 1)
    x = np.asarray(x)
    if x.size != n:
        raise CliError("input for tensor %d has %d values, the model wants %d (shape %s)"
                       % (t["index"], x.size, n, tuple(t["shape"])))
    x = x.reshape(-1)
    if x.dtype == dt:
        return x.tobytes()
    if dt.kind in "iu" and x.dtype.kind == "f" and t["scale"]:
        s, z = scalar_q(t)
        v = x.astype(np.float64) / s
        q = np.where(v >= 0, np.floor(v + 0.5), np.ceil(v - 0.5)) + z
        info = np.iinfo(dt)
        return np.clip(q, info.min, info.max).astype(dt).tobytes()
    return x.astype(dt).tobytes()


def from_raw(raw, t):
    """(raw values as a list, dequantised floats as a list)."""
    import numpy as np

    dt = np_dtype(t)
    v = np.frombuffer(raw, dtype=dt)
    if dt.kind in "iu" and t["scale"]:
        s, z = scalar_q(t)
        deq = (v.astype(np.float64) - z) * s
    else:
        deq = v.astype(np.float64)
    return v.tolist(), [float(np.float32(x)) for x in deq]


def load_inputs(paths, info):
    """One array per model input from .npy files (or raw .bin bytes)."""
    import numpy as np

    ins = info.io("inputs")
    if len(paths) != len(ins):
        raise CliError("the model has %d input(s), %d --input file(s) given" % (len(ins), len(paths)))
    raws = []
    for p, t in zip(paths, ins):
        pp = pathlib.Path(p)
        if not pp.exists():
            raise CliError("%s: no such file" % p)
        if pp.suffix == ".npy":
            try:
                x = np.load(pp, allow_pickle=False)
            except Exception as e:
                raise CliError("%s: not a .npy array (%s)" % (p, e))
            raws.append(to_raw(x, t))
        else:
            data = pp.read_bytes()
            n = np_dtype(t).itemsize
            for d in t["shape"]:
                n *= max(d, 1)
            if len(data) != n:
                raise CliError("%s: %d bytes, input %d needs %d raw bytes" % (p, len(data), t["index"], n))
            raws.append(data)
    return raws


def load_labels(path):
    if not path:
        return None
    p = pathlib.Path(path)
    if not p.exists():
        raise CliError("%s: no such file" % path)
    return [l.strip() for l in p.read_text().splitlines() if l.strip()]


def topk(values, labels, k):
    order = sorted(range(len(values)), key=lambda i: -values[i])[:k]
    return [{"index": i, "label": labels[i] if labels and i < len(labels) else None, "score": values[i]}
            for i in order]
