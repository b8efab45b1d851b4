// Int8 ADD / SUB through per-input tables (chosen by kernels/ref/add_sub.c
// when TFLM_OPT_NN). In the reference, each input reaches the common scale
// by its own multiply of (x + offset) << left_shift: a function of the input
// byte alone. Both functions are tabled once per invoke (256 values each)
// and each element then costs two table loads and the output multiply, the
// same arithmetic in the same order, so the same bytes.
#ifndef TFLM_ELEM_S8_H
#define TFLM_ELEM_S8_H

#include <stdint.h>

// Elements below this take the reference loop (the tables cost 512 multiplies).
#define TFLM_ADD_S8_TABLE_MIN 1024

// t[(uint8_t)v] = tflm_mul_qm((v + offset) << left_shift, mult, shift) for v in [-128, 127].
void tflm_add_s8_table(int32_t offset, int32_t left_shift, int32_t mult, int32_t shift, int32_t *t);

// The output side of one ADD (sub = 0) or SUB (sub = 1).
typedef struct {
    const int32_t *t1, *t2;   // tables of input 1 and input 2
    int32_t sub;
    int32_t out_mult, out_shift, out_zp;
    int32_t act_min, act_max;
} tflm_add_s8_t;

// o[i] = clamp(mul_qm(t1[a[i * sa]] +/- t2[b[i * sb]], out) + out_zp), i < n (wrapping sum, as the reference).
void tflm_add_s8_row(const tflm_add_s8_t *p, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb, int8_t *o,
    int32_t n);

#endif // TFLM_ELEM_S8_H
