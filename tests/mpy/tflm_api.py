# The tflm API of DESIGN.md on hello_world_int8 and simple_add_model.
import tflm
import tflm_testenv as env

ops = tflm.ops()
print(type(ops).__name__, "FULLY_CONNECTED" in ops, "ADD" in ops, "CONV_2D" in ops)
print(all(type(o) is str for o in ops))

# From a buffer: used in place.
buf = env.read("hello_world_int8.tflite")
m = tflm.Model(buf)
# (the arena size is checked against the host engine in tflm_oracle_*.py)
print(repr(m).replace(" %d bytes," % m.arena_used, " N bytes,").replace(" bytes, 2 cores,", " bytes,"))
print(type(m).__name__, len(m.inputs), len(m.outputs), m.ops)
print(m.arena_used == m.arena_size, m.arena_used > 0)

t = m.input(0)
print(t)
print(t.shape, t.dtype, t.zero_point, "%.5f" % t.scale, len(t), t.nbytes, t.index, t.name)
print(m.inputs[0] is t, m.input(0) is m.inputs[0], isinstance(t, tflm.Tensor))
o = m.output(0)
print(o)
print(o.shape, o.dtype, o.zero_point, "%.5f" % o.scale)

# Quantised write, invoke, raw read, dequantise, argmax.
t[:] = [1.5]
print(t[0], bytes(memoryview(t)))
m.invoke()
print(o[0], o.argmax(), type(o.dequantize()).__name__, len(o.dequantize()))
print("%.3f" % o.dequantize()[0])

# predict(): quantise, invoke, dequantise, in one call.
# (As in TFLM, the planner may reuse an input's bytes once the input is
# consumed: write the inputs before every invoke.)
y = m.predict([1.5])
print(type(y).__name__, y[0] == o.dequantize()[0])
y = m.predict(3.0)
print(o[0], "%.3f" % y[0])

# memoryview: live, writable for inputs.
mv = memoryview(t)
mv[0] = -20
print(t[0], memoryview(o)[0] == o[0])
m.invoke()
print(o[0])

# reset() keeps working (no variable tensors here).
m.reset()
mv[0] = -20
m.invoke()
print(o[0])

# profile(): one (op name, ticks, cores) triple per op of the last invoke.
p = m.profile()
print(len(p), [name for name, ticks, cores in p], all(type(ticks) is int and ticks >= 0 for name, ticks, cores in p))
# cores: 1, or 2 for an op split with the second core: with a two-core plan
# (the default on the Pico) the 16-unit layers split, the 1-unit one cannot.
print(m.cores in (1, 2), m.cores == tflm.CORES,
      [cores for name, ticks, cores in p] == ([2, 2, 1] if m.cores == 2 else [1, 1, 1]))
print(type(tflm.ticks_hz()) is int)

# Explicit arena size: at least what the model needs.
m2 = tflm.Model(buf, arena_size=m.arena_used + 1000)
print(m2.arena_size - m2.arena_used, m2.predict([1.5])[0] == m.predict([1.5])[0])
m2 = tflm.Model(buf, arena_size=m.arena_used)
print(m2.arena_size == m2.arena_used)

# Other buffer types: bytearray, memoryview, array; a misaligned view is copied once.
import array
for src in (bytearray(buf), memoryview(buf), array.array("b", buf)):
    print(type(src).__name__, tflm.Model(src).predict([1.5])[0] == m.predict([1.5])[0])
odd = bytearray(len(buf) + 1)
odd[1:] = buf
mo = tflm.Model(memoryview(odd)[1:])
print("copied" in repr(mo), mo.predict([1.5])[0] == m.predict([1.5])[0])

# From a path.
mp = tflm.Model(env.path("hello_world_int8.tflite"))
print(mp.predict([1.5])[0] == m.predict([1.5])[0], mp.ops == m.ops)

# Two inputs, one output.
a = tflm.Model(env.read("simple_add_model.tflite"))
print(repr(a).replace(" %d bytes," % a.arena_used, " N bytes,").replace(" bytes, 2 cores,", " bytes,"))
print([x.shape for x in a.inputs], [x.dtype for x in a.outputs])
r = a.predict((0.5, -0.25))
print(type(r).__name__, len(r), "%.2f %.2f" % (r[0], r[len(r) - 1]))
