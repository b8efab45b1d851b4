# Filling tensors: quantisation (round half away from zero, saturate),
# raw copies of same-dtype buffers and bytes, slices, scalars, lists.
import array
import tflm
import tflm_testenv as env

# hello_world_int8 input: int8, scale ~0.02448, zero_point -128.
m = tflm.Model(env.read("hello_world_int8.tflite"))
t = m.input(0)

# Quantisation against numpy's reference (gen_data.py: quant.f32 -> quant.q8).
xs = array.array("f", env.read("quant.f32"))
qs = env.read("quant.q8")
want_out = env.read("quant.out")
bad = 0
bad_out = 0
for i in range(len(xs)):
    t[:] = [xs[i]]
    if bytes(memoryview(t)) != qs[i:i + 1]:
        bad += 1
        print("value", i, "got", t[0], "want", array.array("b", qs[i:i + 1])[0])
    m.invoke()
    if bytes(memoryview(m.output(0))) != want_out[i:i + 1]:
        bad_out += 1
print("quantised", len(xs), "values, mismatches:", bad, "outputs differing from the oracle:", bad_out)

# The same values through every source type give the same bytes.
for src in (lambda x: [x], lambda x: (x,), lambda x: array.array("f", [x]), lambda x: array.array("d", [x]), lambda x: x):
    ok = True
    for i in range(len(xs)):
        t[:] = src(xs[i])
        ok = ok and bytes(memoryview(t)) == qs[i:i + 1]
    print(type(src(1.0)).__name__, ok)

# Rounding and saturation by hand: q = zero_point + round(x / scale)
# (values away from the .5 ties, which quant.f32 covers exactly).
s = t.scale
for k in (0.2, 0.7, 99.4, 127.4, 128.2, 254.6, 300.0, -0.4, -0.7, -3.0):
    t[:] = [k * s]
    print("%.1f" % k, t[0])
t[:] = [float("inf")]
print("inf", t[0])
t[:] = [float("-inf")]
print("-inf", t[0])
t[:] = [float("nan")]
print("nan", t[0])
t[:] = [True]
print("True", t[0])
t[:] = 10 ** 30
print("10**30", t[0])

# Integers are real values too: quantised.
t[:] = [1]
print("int 1 ->", t[0])
t[0] = 2
print("t[0] = 2 ->", t[0])
t[-1] = 0
print("t[-1] = 0 ->", t[0])

# Raw copies: same dtype (array('b'), memoryview of int8) and bytes-like.
t[:] = array.array("b", [-7])
print("array b raw", t[0])
t[:] = b"\x05"
print("bytes raw", t[0])
t[:] = bytearray(b"\xfb")
print("bytearray raw", t[0])
t[:] = memoryview(array.array("b", [42]))
print("memoryview b raw", t[0])
t[:] = array.array("B", [250])
print("array B raw", t[0])
# Other integer typecodes are quantised values.
t[:] = array.array("h", [1])
print("array h ->", t[0])
t[:] = array.array("i", [-1])
print("array i ->", t[0])

# Partial slices on a bigger tensor (simple_add_model: 16384 int8).
a = tflm.Model(env.read("simple_add_model.tflite"))
x = a.input(0)
x[:] = 0.0
print(x[0], x[16383], x.zero_point)
x[10:13] = [1.0, 2.0, 3.0]
print(x[9], x[10], x[11], x[12], x[13])
x[16380:] = b"\x01\x02\x03\x04"
print(x[16379], x[16380], x[16383])
x[-2:] = (0.0, 0.0)
print(x[16382], x[16383])
x[5:5] = []
print(x[5])
mv = memoryview(x)
print(len(mv), mv[10], mv[16380])
mv[0] = 77
print(x[0])

# A tensor filled from another model's output buffer (same dtype: raw).
y = a.input(1)
y[:] = memoryview(x)
print(bytes(memoryview(y)) == bytes(memoryview(x)))

# Float32 tensors store floats as they are.
f = tflm.Model(env.read("hello_world_float.tflite"))
fi = f.input(0)
print(fi.dtype, fi.scale, fi.zero_point)
fi[:] = [0.25]
print(fi[0])
fi[:] = array.array("f", [0.5])
print(fi[0])
fi[:] = b"\x00\x00\x80\x3f"
print(fi[0])
fi[:] = 2
print(fi[0])
f.invoke()
print(f.output(0).dtype, type(f.output(0)[0]).__name__, f.output(0).argmax())
