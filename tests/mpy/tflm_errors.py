# Every error path of the binding: exception type and message.
import tflm
import tflm_testenv as env

buf = env.read("hello_world_int8.tflite")
need = tflm.Model(buf).arena_used


def show(f):
    try:
        f()
        print("no error")
    except OSError as e:
        print("OSError", e.errno, e.args[1].replace(env.data_dir(), "DATA"))
    except Exception as e:
        print(type(e).__name__ + ":", str(e).replace(str(need - 8), "N-8").replace(str(need), "N"))


print("-- model source")
show(lambda: tflm.Model(123))
show(lambda: tflm.Model(None))
show(lambda: tflm.Model([1, 2, 3]))
show(lambda: tflm.Model())
show(lambda: tflm.Model(buf, 0, 1))
show(lambda: tflm.Model(env.path("no_such_model.tflite")))
show(lambda: tflm.Model(env.data_dir() + "/no_dir/x.tflite"))

print("-- broken files")
show(lambda: tflm.Model(b""))
show(lambda: tflm.Model(b"TFL3"))
show(lambda: tflm.Model(bytes(64)))
show(lambda: tflm.Model(buf[:200]))
show(lambda: tflm.Model(buf[:len(buf) // 2]))
bad = bytearray(buf)
bad[0:4] = b"\xf0\xff\xff\x7f"
show(lambda: tflm.Model(bad))
show(lambda: tflm.Model(env.path("bad_version.tflite")))
show(lambda: tflm.Model(env.read("unsupported_op.tflite")))

print("-- arena")
show(lambda: tflm.Model(buf, arena_size=100))
show(lambda: tflm.Model(buf, arena_size=need - 8))
show(lambda: tflm.Model(buf, arena_size=0))
show(lambda: tflm.Model(buf, arena_size=-1))
show(lambda: tflm.Model(buf, arena_size=1 << 40))
show(lambda: tflm.Model(buf, arena_size=1.5))
show(lambda: tflm.Model(buf, arena_size="100"))
show(lambda: tflm.Model(buf, arena_size=1000000000))

print("-- indices")
m = tflm.Model(buf)
show(lambda: m.input(1))
show(lambda: m.input(-1))
show(lambda: m.output(1))
show(lambda: m.input("0"))
t, o = m.input(0), m.output(0)
show(lambda: t[1])
show(lambda: t[-2])
show(lambda: t["a"])

print("-- writes")


class _Index:
    def __getitem__(self, k):
        return k


ALL = _Index()[:]
STEP2 = _Index()[0:1:2]


def setitem(x, i, v):
    x[i] = v


def delitem(x, i):
    del x[i]


show(lambda: setitem(t, ALL, [1.0, 2.0]))
show(lambda: setitem(t, ALL, []))
show(lambda: setitem(t, ALL, "a"))
show(lambda: setitem(t, ALL, {}))
show(lambda: setitem(t, ALL, None))
show(lambda: setitem(t, ALL, (x for x in [1])))
show(lambda: setitem(t, ALL, ["a"]))
show(lambda: setitem(t, ALL, b"ab"))
show(lambda: setitem(t, STEP2, [1]))
show(lambda: setitem(t, 0, [1]))
show(lambda: setitem(t, 0, "1"))
show(lambda: setitem(o, ALL, [1]))
show(lambda: setitem(o, 0, 1))
show(lambda: delitem(t, 0))
show(lambda: setitem(memoryview(o), 0, 1))
import array
show(lambda: setitem(t, ALL, array.array("f", [1, 2])))
show(lambda: setitem(t, ALL, array.array("b", [1, 2])))

print("-- predict")
a = tflm.Model(env.read("simple_add_model.tflite"))
show(lambda: a.predict(5))
show(lambda: a.predict((1,)))
show(lambda: a.predict([1, 2, 3]))
show(lambda: m.predict([1, 2]))
show(lambda: m.predict("x"))

print("-- objects")
show(lambda: tflm.Tensor())
show(lambda: setattr(m, "arena_used", 1))
show(lambda: m.nope)
show(lambda: t.nope)
show(lambda: setattr(t, "scale", 1.0))

print("-- cores")
show(lambda: tflm.Model(buf, cores="2"))
# Out of range (the message names this firmware's limit).
for c in (0, tflm.CORES + 1):
    try:
        tflm.Model(buf, cores=c)
    except ValueError as e:
        print("ValueError", "at most %d core" % tflm.CORES in str(e), "pass cores=1" in str(e))
print(tflm.Model(buf, cores=1).cores, tflm.Model(buf).cores == tflm.CORES)

print("-- still usable after errors")
print(m.predict([1.5])[0] == tflm.Model(buf).predict([1.5])[0])
