# Bit-exact against the tflite_micro oracle: hello_world (int8, float) and
# simple_add_model. Vectors: tests/mpy/host/gen_data.py.
import tflm_testenv as env

env.check_model("hello_world_int8")
env.check_model("hello_world_float")
env.check_model("simple_add_model")
