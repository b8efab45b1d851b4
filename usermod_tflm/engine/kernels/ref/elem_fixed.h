// Fixed-point transcendental functions on Q(m).(31-m) int32 values, computed
// with the published gemmlowp-style algorithms the TFLite reference kernels
// use (Taylor series around -1/8 plus a barrel shifter for exp, three
// Newton-Raphson steps for reciprocals), so results match bit for bit.
// Written from the formulas; every add that the reference performs in plain
// int32 arithmetic wraps here (unsigned), never overflows.
#ifndef TFLM_ELEM_FIXED_H
#define TFLM_ELEM_FIXED_H

#include <stdint.h>

// Saturating x * 2^e for e in [1, 31) (a rounding right shift is tflm_rdbpot).
int32_t tflm_fx_sat_shl(int32_t x, int e);

// (a + b) / 2 rounded half away from zero.
int32_t tflm_fx_half_sum(int32_t a, int32_t b);

// exp(a) for a <= 0 given in Q(ib).(31-ib), ib in [0, 6]; result Q0.31.
int32_t tflm_fx_exp_neg(int32_t a, int ib);

// 1 / (1 + a) for a in [0, 1) in Q0.31; result Q0.31.
int32_t tflm_fx_one_over_one_plus(int32_t a);

// (1 - a) / (1 + a) for a in [0, 1) in Q0.31; result Q0.31.
int32_t tflm_fx_one_minus_over_one_plus(int32_t a);

// tanh(a), a in Q(ib).(31-ib), ib in [0, 5]; result Q0.31.
int32_t tflm_fx_tanh(int32_t a, int ib);

// logistic(a) = 1 / (1 + exp(-a)), a in Q(ib).(31-ib), ib in [0, 6]; result Q0.31.
int32_t tflm_fx_logistic(int32_t a, int ib);

// 1 / x for a positive x in Q(ib).(31-ib): returns the Q0.31 mantissa of
// 1 / (x normalised to [1, 2)) and the count of integer bits above 1.0.
int32_t tflm_fx_reciprocal(int32_t x, int ib, int *bits_over_unit);

#endif // TFLM_ELEM_FIXED_H
