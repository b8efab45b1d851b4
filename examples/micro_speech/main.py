# micro_speech: "yes" / "no" keyword spotting from raw audio, on the board.
#
# 1 s of 16 kHz mono int16 audio -> 49 frames of 30 ms (480 samples), one
# every 20 ms (320 samples) -> audio_preprocessor_int8.tflite (40 int8
# log-mel features per frame; it keeps a noise estimate from frame to frame)
# -> 49 x 40 feature map -> micro_speech_quantized.tflite -> scores for
# silence / unknown / yes / no.
#
# Here the audio comes from .wav files on the board's filesystem; a real
# board would fill the same 480-sample window from its microphone (I2S/PDM).
#
#   mpremote run main.py          (models in /rom or /, *.wav in the current folder)
import gc
import os

try:
    import tflm
except ImportError:  # CPython: the host check imports read_wav() only
    tflm = None

PRE_MODEL = "audio_preprocessor_int8.tflite"
KWS_MODEL = "micro_speech_quantized.tflite"
LABELS = ("silence", "unknown", "yes", "no")
RATE = 16000
FRAME = 480  # 30 ms
STRIDE = 320  # 20 ms
FRAMES = 49  # frames in 1 s: (16000 - 480) // 320 + 1
FEATURES = 40


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


def read_wav(path):
    # The samples (little-endian int16 bytes) of a 16 kHz mono 16-bit PCM .wav.
    with open(path, "rb") as f:
        data = f.read()
    if data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(path + ": not a .wav file")
    pos = 12
    fmt = None
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        body = pos + 8
        if kind == b"fmt ":
            fmt = data[body:body + 16]
        elif kind == b"data":
            if fmt is None:
                break
            channels = int.from_bytes(fmt[2:4], "little")
            rate = int.from_bytes(fmt[4:8], "little")
            bits = int.from_bytes(fmt[14:16], "little")
            if int.from_bytes(fmt[0:2], "little") != 1 or channels != 1 or rate != RATE or bits != 16:
                raise ValueError(path + ": need 16 kHz mono 16-bit PCM")
            return data[body:body + size]
        pos = body + size + (size & 1)
    raise ValueError(path + ": no PCM data")


class Listener:
    # Both models, loaded once; classify() runs 1 s of audio.

    def __init__(self):
        gc.collect()
        self.pre = tflm.Model(find_model(PRE_MODEL))
        self.kws = tflm.Model(find_model(KWS_MODEL))
        self.features = bytearray(FRAMES * FEATURES)

    def classify(self, samples):
        # samples: >= 1 s of int16 little-endian bytes. Returns the raw int8
        # scores (a list) in LABELS order.
        need = ((FRAMES - 1) * STRIDE + FRAME) * 2
        if len(samples) < need:
            raise ValueError("need %d bytes of audio, got %d" % (need, len(samples)))
        audio = memoryview(samples)
        pre_in = self.pre.input(0)
        pre_out = self.pre.output(0)
        feats = self.features
        probe(1)
        self.pre.reset()  # a fresh noise estimate for each recording
        for k in range(FRAMES):
            start = k * STRIDE * 2
            pre_in[:] = audio[start:start + FRAME * 2]  # raw int16 bytes
            self.pre.invoke()
            feats[k * FEATURES:(k + 1) * FEATURES] = memoryview(pre_out)
        probe(2)
        self.kws.input(0)[:] = feats  # the feature map is already int8
        self.kws.invoke()
        probe(3)
        return list(memoryview(self.kws.output(0)))


def describe(name, raw):
    best = 0
    for i in range(len(raw)):
        if raw[i] > raw[best]:
            best = i
    # Output quantisation: scale 1/256, zero point -128.
    scores = " ".join("%s %.3f" % (LABELS[i], (raw[i] + 128) / 256) for i in range(len(raw)))
    return "%s: %s (%s) raw %s" % (name, LABELS[best], scores, raw)


def main():
    listener = Listener()
    names = sorted(n for n in os.listdir() if n.endswith(".wav"))
    if not names:
        print("no .wav files here: copy some (mpremote fs cp yes_1000ms.wav :)")
    for name in names:
        samples = read_wav(name)
        if len(samples) < ((FRAMES - 1) * STRIDE + FRAME) * 2:
            print("%s: shorter than 1 s, skipped" % name)
            continue
        print(describe(name, listener.classify(samples)))


if __name__ == "__main__":
    main()
