# tflmkit: small pure-Python helpers for TinyML examples, frozen into the
# firmware (MicroPython 1.25) and importable on CPython from py/.
#
#   Framer        a stream of bytes (or int16 samples) cut into overlapping frames
#   FeatureRing   the last N feature rows, as one contiguous model input
#   Recognizer    scores averaged over time, a threshold and a suppression time
#   load_labels   labels.txt, one label a line
#   top_k         the k best scores, optionally dequantised and labelled
from tflmkit.frames import Framer, as_bytes
from tflmkit.ring import FeatureRing
from tflmkit.recognize import Recognizer
from tflmkit.labels import load_labels, parse_labels, top_k, argmax, dequantize, int8_values

__version__ = "1.0"
