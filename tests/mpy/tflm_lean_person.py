# person_detect with tflm.Model(..., lean=True): bit-exact with the oracle in
# an arena under 0.8 x TFLM's (82,292 bytes, 32-bit). Skipped where the heap
# cannot hold the arena.
import gc
import tflm_testenv as env

gc.collect()
try:
    m = env.check_model("person_detect", lean=True)
except MemoryError:
    env.skip()
print("lean arena <= 0.8 x TFLM:", m.arena_used <= 65833)
