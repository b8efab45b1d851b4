# Where the tests/mpy scripts find their models and oracle vectors.
#
# tests/mpy/run.sh generates build/mpy/data/ (models + vectors from the
# tflite_micro oracle) and build/mpy/romfs.img (the same files as a ROMFS
# image). On the unix port the data directory comes from $TFLM_TEST_DATA;
# on QEMU firmware the runner loads the ROMFS image into the emulated memory
# at ROMFS_ADDR and this module mounts it at /rom (models used in place).
# Frozen into the QEMU test firmware (boards/manifest_qemu.py).
import sys
import os

# Emulated address of the ROMFS image, per QEMU machine, and its maximum size.
ROMFS_ADDR = {
    "mps2-an385": (0x21000000, 0x01000000),  # PSRAM, 16 MB
    "mps2-an386": (0x21000000, 0x01000000),
    "microbit": (0x00080000, 0x00080000),  # upper half of the 1 MB flash
}

MOUNT = "/rom"


def _machine():
    return getattr(sys.implementation, "_machine", "").split(" ")[0]


def _mounted():
    try:
        os.stat(MOUNT)
        return True
    except OSError:
        return False


def _getenv(key):
    return getattr(os, "getenv", lambda k: None)(key)


def romfs_dir():
    """Mount the ROMFS image at /rom (once) and return "/rom". On QEMU the
    image is in the emulated memory; on unix it is read from $TFLM_TEST_ROMFS
    into a bytes object that the mount keeps alive."""
    if not _mounted():
        import vfs

        img = _getenv("TFLM_TEST_ROMFS")
        if img:
            with open(img, "rb") as f:
                mem = f.read()
        else:
            import uctypes

            addr, size = ROMFS_ADDR[_machine()]
            mem = uctypes.bytearray_at(addr, size)
        vfs.mount(vfs.VfsRom(mem), MOUNT)
    return MOUNT


def data_dir():
    """Directory holding the test models and vectors (no trailing slash)."""
    return _getenv("TFLM_TEST_DATA") or romfs_dir()


def path(name):
    return data_dir() + "/" + name


def read(name):
    with open(path(name), "rb") as f:
        return f.read()


def exists(name):
    try:
        os.stat(path(name))
        return True
    except OSError:
        return False


def skip():
    print("SKIP")
    raise SystemExit


def view(name):
    """The file's bytes: a zero-copy memoryview on ROMFS, else read into RAM."""
    f = open(path(name), "rb")
    try:
        return memoryview(f)
    except TypeError:
        data = f.read()
        f.close()
        return memoryview(data)


def _first_diff(a, b):
    """Index of the first differing byte of two equal-length buffers, or -1."""
    step = 512
    for i in range(0, len(a), step):
        x, y = bytes(a[i:i + step]), bytes(b[i:i + step])
        if x != y:
            for j in range(len(x)):
                if x[j] != y[j]:
                    return i + j
    return -1


def check_model(name, arena_size=None, lean=False):
    """Run every oracle vector of a model; print one line: vectors and result.
    lean: load with tflm.Model(..., lean=True); its arena is checked against
    the host engine's lean plan (<name>.arena_lean); a model planned for two
    cores (m.cores == 2, the default on the Pico) against <name>.arena*_dual."""
    import gc
    import tflm

    gc.collect()
    if lean:
        m = tflm.Model(path(name + ".tflite"), arena_size=arena_size, lean=True)
    else:
        m = tflm.Model(path(name + ".tflite"), arena_size=arena_size)
    ins = [view("%s.in%d" % (name, k)) for k in range(len(m.inputs))]
    outs = [view("%s.out%d" % (name, k)) for k in range(len(m.outputs))]
    n = len(ins[0]) // m.input(0).nbytes
    bad = 0
    for v in range(n):
        for k, t in enumerate(m.inputs):
            nb = t.nbytes
            t[:] = ins[k][v * nb:(v + 1) * nb]
        m.invoke()
        for k, t in enumerate(m.outputs):
            nb = t.nbytes
            got = memoryview(t)
            want = outs[k][v * nb:(v + 1) * nb]
            i = _first_diff(got, want)
            if i >= 0:
                bad += 1
                print("%s vector %d output %d byte %d: got %d, want %d" % (name, v, k, i, bytes(got[i:i + 1])[0], want[i]))
    print(name, n, "vectors", "bit-exact" if bad == 0 else "MISMATCH")
    arena_file = name + (".arena_lean" if lean else ".arena") + ("_dual" if getattr(m, "cores", 1) == 2 else "")
    if exists(arena_file):
        host = int(read(arena_file))
        if m.arena_used != host:
            print("arena", m.arena_used, "bytes, host engine", host)
    return m
