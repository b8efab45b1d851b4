# micro_speech: "yes" / "no" keyword spotting from raw audio, on the board.
#
# 1 s of 16 kHz mono int16 audio -> 49 frames of 30 ms (480 samples), one
# every 20 ms (320 samples) -> audio_preprocessor_int8.tflite (40 int8
# log-mel features per frame; it keeps a noise estimate from frame to frame)
# -> 49 x 40 feature map -> micro_speech_quantized.tflite -> scores for
# silence / unknown / yes / no.
#
# Two passes over the .wav files in the current folder:
#   1. each recording on its own (1 s, fresh noise estimate): one line with
#      its verdict and the four scores;
#   2. streaming: all recordings one after the other, then 0.5 s of silence,
#      read in 16 ms chunks as a microphone driver would deliver them, cut
#      into frames (tflmkit.Framer), the feature map refreshed every 20 ms
#      (tflmkit.FeatureRing), the keyword model run every 200 ms and its
#      scores averaged over time (tflmkit.Recognizer): one line per word
#      heard. On an RP2040 at 133 MHz this keeps up with real time (about
#      50 preprocessor frames + 5 keyword inferences per second of audio).
# A real board would fill the same chunks from its microphone (I2S/PDM).
#
#   mpremote run main.py          (models in /rom or /, *.wav in the current folder)
import gc
import os

from tflmkit import Framer, FeatureRing, Recognizer, argmax, load_labels

try:
    import tflm
except ImportError:  # CPython: the host check imports the decoders and settings
    tflm = None

PRE_MODEL = "audio_preprocessor_int8.tflite"
KWS_MODEL = "micro_speech_quantized.tflite"
LABELS = ("silence", "unknown", "yes", "no")  # labels.txt, when present, wins
RATE = 16000
FRAME = 480  # 30 ms
STRIDE = 320  # 20 ms
FRAMES = 49  # frames in 1 s: (16000 - 480) // 320 + 1
FEATURES = 40
# Output quantisation of the keyword model: scale 1/256, zero point -128.
OUT_ZERO = -128
# Streaming: chunk size, inference period, score averaging.
CHUNK = 512  # bytes: 256 samples, 16 ms
EVERY = 10  # keyword model every 10 frames (200 ms)
TAIL_MS = 500  # silence after the recordings
WINDOW_MS = 750  # average the scores of the last 0.75 s
THRESHOLD = 102  # average raw score above 102, i.e. (102 + 128) / 256 = 0.898
SUPPRESSION_MS = 1000  # at most one word a second
MIN_COUNT = 3  # results needed in the window
QUIET = -128  # feature value of no energy: the feature map's initial rows


def probe(value):
    # Called around the computation; the emulator benchmark replaces it with
    # a store to the emulated RP2040's cycle probe. Does nothing on a board.
    pass


def find_model(name):
    # A model deployed to ROMFS (tflm deploy --romfs) runs in place from
    # flash; otherwise it is read from the filesystem into RAM.
    for path in ("/rom/" + name, name):
        try:
            os.stat(path)
            return path
        except OSError:
            pass
    raise OSError("model %s not found in /rom or the current folder: run tflm deploy" % name)


def wav_pcm(f, path):
    # Move file f to the samples of a 16 kHz mono 16-bit PCM .wav; returns
    # their size in bytes.
    head = f.read(12)
    if head[0:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise ValueError(path + ": not a .wav file")
    fmt = None
    while True:
        h = f.read(8)
        if len(h) < 8:
            break
        kind = h[0:4]
        size = int.from_bytes(h[4:8], "little")
        if kind == b"data":
            if fmt is None:
                break
            channels = int.from_bytes(fmt[2:4], "little")
            rate = int.from_bytes(fmt[4:8], "little")
            bits = int.from_bytes(fmt[14:16], "little")
            if int.from_bytes(fmt[0:2], "little") != 1 or channels != 1 or rate != RATE or bits != 16:
                raise ValueError(path + ": need 16 kHz mono 16-bit PCM")
            return size
        body = f.read(size + (size & 1))
        if kind == b"fmt ":
            fmt = body[0:16]
    raise ValueError(path + ": no PCM data")


def read_wav(path):
    # The samples (little-endian int16 bytes) of a 16 kHz mono 16-bit PCM .wav.
    with open(path, "rb") as f:
        return f.read(wav_pcm(f, path))


def wav_chunks(paths, chunk, tail_ms):
    # The samples of the files one after the other, then tail_ms of silence,
    # in chunks of `chunk` bytes (the last of each file may be shorter): what
    # a microphone driver hands over, one buffer at a time.
    buf = bytearray(chunk)
    mv = memoryview(buf)
    for path in paths:
        with open(path, "rb") as f:
            left = wav_pcm(f, path)
            while left > 0:
                n = f.readinto(mv[0:min(chunk, left)])
                if not n:
                    break
                left -= n
                yield mv[0:n]
    for i in range(chunk):
        buf[i] = 0
    left = tail_ms * RATE // 1000 * 2
    while left > 0:
        n = min(chunk, left)
        left -= n
        yield mv[0:n]


class Listener:
    # Both models, loaded once, a framer and a feature map.

    def __init__(self):
        gc.collect()
        self.pre = tflm.Model(find_model(PRE_MODEL))
        self.kws = tflm.Model(find_model(KWS_MODEL))
        self.pre_in = self.pre.input(0)
        self.pre_out = memoryview(self.pre.output(0))
        self.kws_in = self.kws.input(0)
        self.kws_out = memoryview(self.kws.output(0))
        self.framer = Framer(FRAME, STRIDE, itemsize=2)  # int16 samples
        self.ring = FeatureRing(FRAMES, FEATURES, QUIET)

    def start(self):
        # A new recording: fresh noise estimate, no samples, a quiet map.
        self.pre.reset()
        self.framer.reset()
        self.ring.reset(QUIET)

    def listen(self, chunk):
        # Feed samples (bytes); yields after each new row of the feature map.
        for frame in self.framer.feed(chunk):
            self.pre_in[:] = frame  # raw int16 bytes
            self.pre.invoke()
            self.ring.append(self.pre_out)
            yield self.framer.frames

    def scores(self):
        # The keyword model on the feature map (the last 49 frames): raw
        # int8 scores in label order.
        self.kws_in[:] = self.ring.view()  # the feature map is already int8
        self.kws.invoke()
        return list(self.kws_out)

    def classify(self, samples):
        # samples: >= 1 s of int16 little-endian bytes. Returns the raw int8
        # scores (a list) in label order.
        need = ((FRAMES - 1) * STRIDE + FRAME) * 2
        if len(samples) < need:
            raise ValueError("need %d bytes of audio, got %d" % (need, len(samples)))
        probe(1)
        self.start()
        for _ in self.listen(memoryview(samples)[0:need]):
            pass
        probe(2)
        raw = self.scores()
        probe(3)
        return raw

    def stream(self, chunks, recognizer, report):
        # Streaming recognition: report(label, time_ms, recognizer) for each
        # word heard. Returns (frames, inferences).
        probe(4)
        self.start()
        recognizer.reset()
        runs = 0
        for chunk in chunks:
            for n in self.listen(chunk):
                if n % EVERY == 0:
                    now = (n - 1) * STRIDE * 1000 // RATE + FRAME * 1000 // RATE  # end of frame n, ms
                    label, _, new = recognizer.update(self.scores(), now)
                    runs += 1
                    if new:
                        report(label, now, recognizer)
        probe(5)
        return self.framer.frames, runs


def make_recognizer(labels):
    return Recognizer(labels, window_ms=WINDOW_MS, threshold=THRESHOLD, suppression_ms=SUPPRESSION_MS,
                      min_count=MIN_COUNT, ignore=(labels[0], labels[1]))


def describe(name, raw, labels=LABELS):
    best = argmax(raw)
    scores = " ".join("%s %.3f" % (labels[i], (raw[i] - OUT_ZERO) / 256) for i in range(len(raw)))
    return "%s: %s (%s) raw %s" % (name, labels[best], scores, raw)


def describe_word(label, now, rec):
    # The recogniser's average, in thousandths, rounded in integers (the
    # same digits on every float precision).
    n = rec.count()
    milli = ((rec.total - OUT_ZERO * n) * 1000 + 128 * n) // (256 * n)
    return "stream: heard %s at %d ms (average %d.%03d over %d inferences)" % (
        label, now, milli // 1000, milli % 1000, n)


def recordings():
    # The .wav files here long enough for one classification, sorted.
    out = []
    for name in sorted(n for n in os.listdir() if n.endswith(".wav")):
        with open(name, "rb") as f:
            size = wav_pcm(f, name)
        if size < ((FRAMES - 1) * STRIDE + FRAME) * 2:
            print("%s: shorter than 1 s, skipped" % name)
        else:
            out.append(name)
    return out


def main():
    labels = load_labels("labels.txt", LABELS)
    listener = Listener()
    names = recordings()
    if not names:
        print("no .wav files here: copy some (mpremote fs cp yes_1000ms.wav :)")
        return
    for name in names:
        print(describe(name, listener.classify(read_wav(name)), labels))
        gc.collect()
    frames, runs = listener.stream(wav_chunks(names, CHUNK, TAIL_MS), make_recognizer(labels),
                                   lambda label, now, rec: print(describe_word(label, now, rec)))
    print("stream: %d recordings + %d ms of silence, %d frames, %d inferences" % (
        len(names), TAIL_MS, frames, runs))


if __name__ == "__main__":
    main()
