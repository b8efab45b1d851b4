# FeatureRing: the newest `rows` feature rows of `width` bytes each, oldest
# first, as one contiguous view (e.g. micro_speech's 49 x 40 int8 feature map
# that a streaming recogniser refreshes every 20 ms).
#
#   ring = FeatureRing(49, 40)
#   ring.append(memoryview(preprocessor.output(0)))   # newest row
#   model.input(0)[:] = ring.view()                   # 1960 bytes, oldest row first
#
# Each row is stored twice (slots i and i + rows of a 2 x rows buffer), so
# the window of the last `rows` rows is always contiguous: no copy to read.
# Before `rows` appends the window starts with rows of the reset() fill byte.


class FeatureRing:
    def __init__(self, rows, width, fill=0):
        if rows < 1 or width < 1:
            raise ValueError("rows and width must be >= 1")
        self.rows = rows
        self.width = width
        self._buf = bytearray(2 * rows * width)
        self._mv = memoryview(self._buf)
        self.reset(fill)

    def reset(self, fill=0):
        # Every row back to `fill` (a byte value; -128..-1 for int8 is fine).
        w = self.width
        row = bytes([fill & 0xFF]) * w
        for r in range(2 * self.rows):
            self._buf[r * w:(r + 1) * w] = row
        self._head = 0  # slot the next row goes to
        self.count = 0  # rows appended since reset()

    def __len__(self):
        # Rows appended so far, at most `rows`.
        return self.count if self.count < self.rows else self.rows

    def full(self):
        return self.count >= self.rows

    def append(self, row):
        # Add the newest row (bytes-like, `width` bytes); the oldest drops out.
        w = self.width
        if len(row) != w:
            raise ValueError("row of %d items, need %d" % (len(row), w))
        i = self._head * w
        j = i + self.rows * w
        self._buf[i:i + w] = row
        self._buf[j:j + w] = row
        self._head += 1
        if self._head == self.rows:
            self._head = 0
        self.count += 1

    def view(self):
        # The last `rows` rows, oldest first: a memoryview of rows * width bytes.
        i = self._head * self.width
        return self._mv[i:i + self.rows * self.width]

    def row(self, age=0):
        # A view of one row: age 0 is the newest, 1 the one before, ...
        if age < 0 or age >= self.rows:
            raise IndexError("row age out of range")
        i = (self._head - 1 - age) % self.rows + self.rows
        return self._mv[i * self.width:(i + 1) * self.width]
