// Int16 (Q3.12 -> Q0.15) sigmoid and tanh used by the LSTM kernel (thin
// wrappers of the shared int16 activations in act_q16.h).
#ifndef TFLM_LSTM_Q16_H
#define TFLM_LSTM_Q16_H

#include <stdint.h>

// sigmoid of a Q3.12 value, result in Q0.15.
int16_t tflm_lstm_sigmoid16(int16_t x);

// tanh of x * mult / 2^shift as a Q3.12 value (mult = 3 << k with shift 0
// for an input in Q(3-k).(12+k), or mult = 3 and shift > 0 for finer
// scales), result in Q0.15. Callers keep |x * mult| below 2^31 and
// shift in [0, 30].
int16_t tflm_lstm_tanh16(int16_t x, int32_t mult, int32_t shift);

#endif // TFLM_LSTM_Q16_H
