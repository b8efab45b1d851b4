# A model in a ROMFS image is used in place: loading person_detect (300 KB)
# from /rom allocates the arena, not a copy of the model.
import gc
import tflm
import tflm_testenv as env

rom = env.romfs_dir()
print(rom, "person_detect.tflite" in __import__("os").listdir(rom))
gc.collect()
free0 = gc.mem_free()
try:
    m = tflm.Model(rom + "/person_detect.tflite")
except MemoryError:
    env.skip()
gc.collect()
used = free0 - gc.mem_free()
print("(in place)" in repr(m), used < m.arena_size + 4096)
x = env.read("person_detect.in0")
m.input(0)[:] = memoryview(x)[:9216]
m.invoke()
print(bytes(memoryview(m.output(0))) == env.read("person_detect.out0")[:2])
# Small models from ROMFS work the same way.
h = tflm.Model(rom + "/hello_world_int8.tflite")
print("(in place)" in repr(h), h.predict([1.0])[0] == tflm.Model(env.read("hello_world_int8.tflite")).predict([1.0])[0])
