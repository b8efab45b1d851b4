# Recognizer: turn a stream of per-inference scores into commands.
#
# A streaming keyword spotter classifies the last second of audio many times
# a second; one inference alone flickers. Recognizer keeps the scores of the
# last `window_ms` milliseconds, averages them per label and reports a
# command when
#   - at least `min_count` results are in the window,
#   - the best average is above `threshold` (same units as the scores: raw
#     int8 values or floats), and its label is not in `ignore`,
#   - and no command was reported in the last `suppression_ms` ms.
#
#   rec = Recognizer(["silence", "unknown", "yes", "no"], threshold=51,
#                    ignore=("silence", "unknown"))
#   label, score, new = rec.update(raw_scores, now_ms)
#   if new: print("heard", label)
#
# update() returns the best label of the window (None while fewer than
# min_count results), its average score, and whether it is a new command;
# after it, `total` is that label's sum and count() the results averaged.
# The best label is the first of the highest averages (ties: lowest index).
# Times are milliseconds from any origin and must not go back; integer
# scores are summed exactly and compared without rounding.


class Recognizer:
    def __init__(self, labels, window_ms=1000, threshold=0, suppression_ms=1500,
                 min_count=3, ignore=(), capacity=64):
        if isinstance(labels, int):
            labels = [str(i) for i in range(labels)]
        self.labels = list(labels)
        if not self.labels:
            raise ValueError("no labels")
        if window_ms <= 0 or min_count < 1 or capacity < min_count:
            raise ValueError("bad window_ms, min_count or capacity")
        self.window_ms = window_ms
        self.threshold = threshold
        self.suppression_ms = suppression_ms
        self.min_count = min_count
        self.ignore = [self._index(x) for x in ignore]
        self.capacity = capacity
        self.reset()

    def _index(self, label):
        if isinstance(label, int):
            if 0 <= label < len(self.labels):
                return label
        elif label in self.labels:
            return self.labels.index(label)
        raise ValueError("unknown label %r" % (label,))

    def reset(self):
        self._times = []
        self._scores = []
        self.total = 0  # sum of the best label's scores at the last update
        self.last_label = None  # last command reported
        self.last_time = None  # and when

    def count(self):
        # Results in the window (after the last update).
        return len(self._times)

    def update(self, scores, now_ms):
        n = len(self.labels)
        if len(scores) != n:
            raise ValueError("%d scores, need %d" % (len(scores), n))
        times = self._times
        if times and now_ms < times[-1]:
            raise ValueError("time went back: %r < %r" % (now_ms, times[-1]))
        # Drop what left the window (and the oldest if full).
        drop = 0
        while drop < len(times) and now_ms - times[drop] >= self.window_ms:
            drop += 1
        if len(times) - drop >= self.capacity:
            drop = len(times) - self.capacity + 1
        if drop:
            del times[:drop]
            del self._scores[:drop]
        times.append(now_ms)
        self._scores.append([scores[i] for i in range(n)])
        count = len(times)
        # Sum per label, best sum.
        best = 0
        best_sum = None
        for i in range(n):
            s = 0
            for row in self._scores:
                s += row[i]
            if best_sum is None or s > best_sum:
                best, best_sum = i, s
        self.total = best_sum
        average = best_sum / count
        if count < self.min_count:
            return None, average, False
        label = self.labels[best]
        new = (best not in self.ignore and best_sum > self.threshold * count
               and (self.last_time is None or now_ms - self.last_time >= self.suppression_ms))
        if new:
            self.last_label = label
            self.last_time = now_ms
        return label, average, new
