// Int16 sigmoid and tanh of the TFLite integer spec, shared by LOGISTIC,
// TANH (16x8) and the LSTM gates: the input is scaled to units of
// 1 / (3 * 4096) by x * mult / 2^shift (rounded), then looked up with linear
// interpolation in a 256-entry table of sigmoid; the result is Q0.15.
#ifndef TFLM_ACT_Q16_H
#define TFLM_ACT_Q16_H

#include <stdint.h>

// sigmoid of x * mult / 2^shift (units of 1/12288), result in Q0.15.
// shift in [0, 31]. x * mult wraps modulo 2^32 as the reference's int32
// product does in practice (only reachable with input scales above ~2.67).
int16_t tflm_q16_logistic(int16_t x, int32_t mult, int32_t shift);

// tanh of x * mult / 2^shift (same units), result in Q0.15; it reads the
// same table as tanh(v) = 2 * sigmoid(2v) - 1.
int16_t tflm_q16_tanh(int16_t x, int32_t mult, int32_t shift);

// The reference's "is this scale a power of two" test in float maths:
// stores round(log2(x)) and returns 1 when the fractional part of log2(x)
// is below 1e-3 in magnitude (0 for x not positive and finite).
int tflm_q16_checked_log2(float x, int32_t *log2_out);

// Input multiplier and shift of 16x8 LOGISTIC (is_tanh 0) or TANH (1) for
// an input scale, as the reference's prepare computes them (a power-of-two
// scale of 2^-12, and for tanh also 2^-11, uses 3 << k with no shift).
// Returns 0 when the scale is outside what the reference can represent
// (not finite, not positive, or a multiplier of 0 or >= 2^31).
int tflm_q16_act_params(float in_scale, int is_tanh, int32_t *mult, int32_t *shift);

#endif // TFLM_ACT_Q16_H
