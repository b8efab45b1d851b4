# 1000 load / invoke / free cycles (and failing loads, and loads from a path)
# keep gc.mem_free() flat.
import gc
import tflm
import tflm_testenv as env

buf = env.read("hello_world_int8.tflite")
path = env.path("hello_world_int8.tflite")
bad = buf[:len(buf) // 2]


def cycle(i):
    m = tflm.Model(buf)
    m.input(0)[:] = [i * 0.006]
    m.invoke()
    r = m.output(0)[0]
    m.output(0).dequantize()
    m.profile()
    return r


def failing(i):
    for src, kw in ((bad, {}), (buf, {"arena_size": 16}), (123, {})):
        try:
            tflm.Model(src, **kw)
        except (ValueError, MemoryError, TypeError):
            pass


def from_path(i):
    tflm.Model(path).predict([0.5])


def levels(f, blocks, n):
    """Free heap (after a collection) before and after each block of n calls."""
    out = [0] * (blocks + 1)
    gc.collect()
    out[0] = gc.mem_free()
    for b in range(blocks):
        for i in range(n):
            f(i)
        gc.collect()
        out[b + 1] = gc.mem_free()
    return out


def flat(lv):
    # A leak lowers the free heap after every block. The conservative GC may
    # keep one stale block alive for a while: a single drop is no leak.
    drops = 0
    for a, b in zip(lv, lv[1:]):
        if b < a - 64:
            drops += 1
    return drops <= len(lv) // 4 and lv[0] - lv[len(lv) - 1] <= 4096


# Warm up first-use allocations (interned strings, caches).
levels(cycle, 1, 20)
levels(failing, 1, 5)
levels(from_path, 1, 5)

main = [0] * 11
gc.collect()
main[0] = gc.mem_free()
for step in range(10):
    main[step + 1] = levels(cycle, 1, 100)[1]
    print("cycles", (step + 1) * 100)
fail = levels(failing, 4, 25)
paths = levels(from_path, 4, 25)
print("flat after 1000 load/invoke/free cycles:", flat(main))
print("flat after 100 x 3 failing loads:", flat(fail))
print("flat after 100 loads from a path:", flat(paths))
if not (flat(main) and flat(fail) and flat(paths)):
    print(main, fail, paths)
