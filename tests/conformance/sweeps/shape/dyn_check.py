"""Models whose parameter tensors are graph inputs (not constants): our
runner must refuse them with TFLM_ERR_DYNAMIC (or run them where the
parameter is not needed, e.g. RESHAPE's shape)."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import tensorflow as tf

TOP = pathlib.Path(__file__).resolve().parents[4]
OUT = TOP / "build" / "shape" / "dyn"
RUN = sys.argv[1] if len(sys.argv) > 1 else str(TOP / "build" / "shape" / "tflm_run")

CASES = {
    "transpose": (lambda x, p: tf.transpose(x, p), [(1, 2, 3), (3,)]),
    "pad": (lambda x, p: tf.pad(x, p), [(1, 2, 3), (3, 2)]),
    "mean": (lambda x, a: tf.reduce_mean(x, a), [(1, 2, 3), (1,)]),
    "sslice": (lambda x, b: tf.strided_slice(x, b, [1, 2, 3]), [(1, 2, 3), (3,)]),
    "reshape": (lambda x, s: tf.reshape(x, s), [(1, 2, 3), (2,)]),
    "slice": (lambda x, b: tf.slice(x, b, [1, 1, 2]), [(1, 2, 3), (3,)]),
    "gather": (lambda x, i: tf.gather(x, i, axis=2), [(1, 2, 3), (2,)]),
}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (fn, shapes) in CASES.items():
        sig = [tf.TensorSpec(shapes[0], tf.float32), tf.TensorSpec(shapes[1], tf.int32)]
        f = tf.function(fn, input_signature=sig)
        conv = tf.lite.TFLiteConverter.from_concrete_functions([f.get_concrete_function()], f)
        path = OUT / (name + ".tflite")
        path.write_bytes(conv.convert())
        x = np.zeros(shapes[0], np.float32)
        x.tofile(OUT / "x.bin")
        np.zeros(shapes[1], np.int32).tofile(OUT / "p.bin")
        r = subprocess.run([RUN, str(path), "-i", str(OUT / "x.bin"), "-i", str(OUT / "p.bin"), "-o", os.devnull],
                           capture_output=True, text=True)
        print("%-10s exit %d %s" % (name, r.returncode, (r.stderr or r.stdout).strip()[:220]))


if __name__ == "__main__":
    main()
