// The LSTM's int16 gate activations on the shared int16 tables (act_q16.c).
#include "lstm_q16.h"
#include "act_q16.h"

int16_t tflm_lstm_sigmoid16(int16_t x) {
    // Q3.12 input: 3 << 0 scales it to units of 1/12288.
    return tflm_q16_logistic(x, 3, 0);
}

int16_t tflm_lstm_tanh16(int16_t x, int32_t mult, int32_t shift) {
    return tflm_q16_tanh(x, mult, shift);
}
