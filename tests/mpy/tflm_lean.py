# tflm.Model(..., lean=True): per-channel factors and folded biases computed
# again at each invoke in op scratch. Same bytes as the oracle, a smaller
# arena (equal to the host engine's lean plan: check_model prints a line if not).
import gc
import tflm
import tflm_testenv as env

for name in ("hello_world_int8", "micro_speech_quantized", "keyword_scrambled_8bit"):
    m = env.check_model(name, lean=True)
    fast = int(env.read(name + ".arena"))
    print(name, "lean arena smaller:", m.arena_used < fast, "(lean)" in repr(m))
    del m
    gc.collect()

try:
    tflm.Model(env.path("hello_world_int8.tflite"), lean=1, arena_size=10)
except MemoryError as e:
    print("MemoryError", "arena too small" in str(e))
