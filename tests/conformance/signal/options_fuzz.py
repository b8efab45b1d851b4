"""Hostile custom options / shapes for the signal ops, under ASan+UBSan.

Takes the audio preprocessor model, mutates one signal op's FlexBuffers
options (byte flips, truncation, random bytes, swapped values) or a constant
table, and runs the sanitizer build of frames_run on one frame. Every run
must end cleanly: exit 0, or exit 1 with one error line; a sanitizer report
or a crash fails.

    .deps/venv/bin/python tests/conformance/signal/options_fuzz.py [N]
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import signal_check as sc  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main():
    import flatbuffers
    from flatbuffers import flexbuffers
    from tensorflow.lite.python import schema_py_generated as s
    n_iter = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    exe = sc.build_runner(san=True)
    src = (sc.SHARED / "models" / "audio_preprocessor_int8.tflite").read_bytes()
    rng = np.random.default_rng(5)
    d = sc.OUT / "fuzz"
    d.mkdir(parents=True, exist_ok=True)
    frame = d / "frame.bin"
    rng.integers(-32768, 32768, 480).astype("<i2").tofile(frame)
    base = s.ModelT.InitFromObj(s.Model.GetRootAsModel(src, 0))
    custom_ops = [i for i, op in enumerate(base.subgraphs[0].operators)
                  if base.operatorCodes[op.opcodeIndex].customCode]
    stats = {"ok": 0, "rejected": 0}
    bad = 0
    for it in range(n_iter):
        m = s.ModelT.InitFromObj(s.Model.GetRootAsModel(src, 0))
        op = m.subgraphs[0].operators[int(rng.choice(custom_ops))]
        opts = bytes(op.customOptions) if op.customOptions is not None else b""
        kind = it % 5
        if kind == 0 and opts:
            b = bytearray(opts)
            for _ in range(int(rng.integers(1, 4))):
                b[int(rng.integers(0, len(b)))] = int(rng.integers(0, 256))
            opts = bytes(b)
        elif kind == 1 and opts:
            opts = opts[:int(rng.integers(0, len(opts)))]
        elif kind == 2:
            opts = bytes(rng.integers(0, 256, int(rng.integers(0, 40))).astype(np.uint8))
        elif kind == 3 and opts:
            dct = flexbuffers.Loads(opts)
            for k in list(dct):
                if isinstance(dct[k], (int, bool)) and rng.random() < 0.5:
                    dct[k] = int(rng.choice([-1, 0, 1, 31, 32, 63, 64, 100000, -(2 ** 31), 2 ** 40]))
            opts = flexbuffers.Dumps(dct)
        else:
            # Corrupt a constant input table of this op (filter bank starts/widths, LUTs).
            for t in op.inputs:
                buf = m.buffers[m.subgraphs[0].tensors[t].buffer]
                if buf.data is not None and len(buf.data) > 0:
                    arr = np.array(buf.data, np.uint8)
                    for _ in range(4):
                        arr[int(rng.integers(0, len(arr)))] = int(rng.integers(0, 256))
                    buf.data = arr
        op.customOptions = list(opts) if opts else None
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        mp = d / "m.tflite"
        mp.write_bytes(bytes(b.Output()))
        r = subprocess.run([str(exe), str(mp), str(frame), str(d / "o.bin"), "1", "--ops"], capture_output=True,
                           text=True)
        err = r.stderr
        if "Sanitizer" in err or "runtime error" in err or r.returncode not in (0, 1):
            bad += 1
            print(f"iter {it} kind {kind}: rc={r.returncode}\n{err[:2000]}")
            (d / f"crash_{it}.tflite").write_bytes(mp.read_bytes())
        else:
            stats["ok" if r.returncode == 0 else "rejected"] += 1
    print(f"options fuzz: {n_iter} runs, {stats['ok']} ran, {stats['rejected']} rejected cleanly, {bad} sanitizer/crash")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
