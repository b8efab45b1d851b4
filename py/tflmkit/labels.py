# Labels and the best scores of a model output.
#
#   labels = load_labels("labels.txt", default=("no person", "person"))
#   top_k(memoryview(model.output(0)), 3, labels, scale=1/256, zero_point=-128)
#   -> [("person", 0.875), ("no person", 0.125)]


def parse_labels(text):
    # The labels of a text, one a line: surrounding spaces, CR (CRLF files),
    # a leading UTF-8 byte-order mark and blank lines are dropped.
    if text and text[0] == "\ufeff":
        text = text[1:]
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out.append(line)
    return out


def load_labels(path, default=None):
    # parse_labels() of a file (a path, or an open text file). If the path
    # cannot be opened and `default` is given: a list of `default`.
    if hasattr(path, "read"):
        return parse_labels(path.read())
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        if default is None:
            raise
        return list(default)
    return parse_labels(text)


def int8_values(data):
    # The values of a bytes or bytearray taken as int8 (a list).
    return [b - 256 if b > 127 else b for b in data]


def dequantize(value, scale, zero_point=0):
    return (value - zero_point) * scale


def top_k(scores, k=1, labels=None, scale=None, zero_point=0, signed=True):
    # The k best scores, best first, as (index, score) pairs, or (label,
    # score) when `labels` is given. Equal scores: lowest index first.
    # scores: a list or tuple of numbers, an array, a memoryview of a tensor,
    # or bytes / bytearray (int8 unless signed=False). With `scale`, the
    # scores are dequantised: (value - zero_point) * scale.
    if isinstance(scores, (bytes, bytearray)) and signed:
        vals = int8_values(scores)
    else:
        vals = [v for v in scores]
    n = len(vals)
    if labels is not None and len(labels) < n:
        raise ValueError("%d labels for %d scores" % (len(labels), n))
    if k > n:
        k = n
    taken = bytearray(n)
    out = []
    for _ in range(k):
        best = -1
        for i in range(n):
            if not taken[i] and (best < 0 or vals[i] > vals[best]):
                best = i
        taken[best] = 1
        v = vals[best]
        if scale is not None:
            v = (v - zero_point) * scale
        out.append((best if labels is None else labels[best], v))
    return out


def argmax(scores, signed=True):
    # Index of the best score (the first of equals).
    return top_k(scores, 1, signed=signed)[0][0]
