# Bit-exact against the tflite_micro oracle: micro_speech_quantized (DWCONV,
# FC, SOFTMAX) and keyword_scrambled_8bit (SVDF, int16 input, QUANTIZE).
import tflm_testenv as env

env.check_model("micro_speech_quantized")
env.check_model("keyword_scrambled_8bit")
