# Framer: cut a stream into frames of `length` items, one every `stride`
# items (e.g. 30 ms audio windows every 20 ms), from chunks of any size.
#
#   fr = Framer(480, 320, itemsize=2)       # int16 samples
#   for chunk in microphone_chunks():
#       for frame in fr.feed(chunk):        # memoryview of length*itemsize bytes
#           model.input(0)[:] = frame
#
# The frames are views of one internal buffer: no allocation per frame. The
# buffer holds `batch` frames (at least ceil(length / stride)); once they are
# all out, the bytes still needed are moved to its start (they never overlap
# their new place). A frame's view is valid until the generator resumes.
# stride > length is allowed: the bytes between frames are skipped.

_probe = bytearray(1)


def as_bytes(data):
    # A memoryview of the raw bytes of a bytes-like object (bytes, bytearray,
    # memoryview, array of any type code). On CPython a view is cast to bytes;
    # on MicroPython an array whose items are wider than a byte is copied once.
    mv = memoryview(data)
    cast = getattr(mv, "cast", None)
    if cast is not None:  # CPython
        return mv if mv.format == "B" else cast("B")
    if len(mv) == 0:
        return mv
    try:
        _probe[0:1] = mv[0:1]  # fails unless the items are single bytes
        return mv
    except ValueError:
        return memoryview(bytes(data))


class Framer:
    def __init__(self, length, stride, itemsize=1, batch=0):
        if length < 1 or stride < 1 or itemsize < 1:
            raise ValueError("length, stride and itemsize must be >= 1")
        need = (length + stride - 1) // stride
        if batch < need:
            batch = need
        self.length = length
        self.stride = stride
        self.itemsize = itemsize
        self._len = length * itemsize
        self._step = stride * itemsize
        self._batch = batch
        self._buf = bytearray(self._len + (batch - 1) * self._step)
        mv = memoryview(self._buf)
        self._mv = mv
        self._views = [mv[i * self._step:i * self._step + self._len] for i in range(batch)]
        self.reset()

    def reset(self):
        # Forget buffered bytes and the frame count.
        self._fill = 0  # bytes in the buffer
        self._next = 0  # index of the next frame in the buffer
        self._skip = 0  # input bytes to drop before buffering again
        self.frames = 0  # frames given out since reset()

    def pending(self):
        # Input bytes kept for frames to come.
        return self._fill - self._next * self._step

    def feed(self, data):
        # Yield every frame that `data` completes (bytes-like, any length).
        src = as_bytes(data)
        n = len(src)
        pos = 0
        buf = self._buf
        cap = len(buf)
        while True:
            if self._fill >= self._next * self._step + self._len:
                view = self._views[self._next]
                self._next += 1
                self.frames += 1
                yield view
                if self._next == self._batch:
                    self._compact()
                continue
            if pos >= n:
                return
            if self._skip:
                take = min(self._skip, n - pos)
                self._skip -= take
                pos += take
                continue
            take = min(n - pos, cap - self._fill)
            buf[self._fill:self._fill + take] = src[pos:pos + take]
            self._fill += take
            pos += take

    def _compact(self):
        cut = self._batch * self._step
        if self._fill > cut:
            rest = self._fill - cut  # <= length - stride <= cut: no overlap
            self._buf[0:rest] = self._mv[cut:self._fill]
            self._fill = rest
        else:
            self._skip += cut - self._fill
            self._fill = 0
        self._next = 0
