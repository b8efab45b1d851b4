# Bit-exact against the tflite_micro oracle: person_detect (MobileNetV1 0.25,
# 96x96x1, ~300 KB of weights) on TFLM's two sample images. The model is used
# in place from the ROMFS image on QEMU; skipped where the heap cannot hold
# the arena.
import gc
import tflm_testenv as env

gc.collect()
try:
    m = env.check_model("person_detect")
except MemoryError:
    env.skip()
# TFLM's labels: 0 = no person, 1 = person. The last vector is no_person.bmp.
print("verdict for no_person.bmp:", ("no person", "person")[m.output(0).argmax()])
print([n for n, t, c in m.profile()][:4], len(m.profile()))
