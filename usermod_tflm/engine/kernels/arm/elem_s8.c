// Table-driven int8 ADD / SUB (see elem_s8.h).
#include <stddef.h>
#include "../tflm_isa.h"
#include "../ref/qmath.h"
#include "elem_s8.h"

#if TFLM_OPT_NN

// The firmware builds the engine for size; this loop is worth -O2.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O2")
#endif

void tflm_add_s8_table(int32_t offset, int32_t left_shift, int32_t mult, int32_t shift, int32_t *t) {
    for (int32_t v = -128; v < 128; ++v) {
        const int32_t xs = (int32_t)((uint32_t)(v + offset) << left_shift);
        t[(uint8_t)v] = tflm_mul_qm(xs, mult, shift);
    }
}

void tflm_add_s8_row(const tflm_add_s8_t *p, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb, int8_t *o,
    int32_t n) {
    const int32_t *t1 = p->t1, *t2 = p->t2;
    const int32_t m = p->out_mult, sh = p->out_shift, zp = p->out_zp, lo = p->act_min, hi = p->act_max;
    // SUB: subtracting t2 is adding its two's complement (the reference's
    // wrapping difference).
    const uint32_t neg = p->sub ? 1u : 0u;
    for (int32_t i = 0; i < n; ++i) {
        const uint32_t y = (uint32_t)t2[(uint8_t)b[i * sb]];
        const uint32_t raw = (uint32_t)t1[(uint8_t)a[i * sa]] + ((y ^ (0u - neg)) + neg);
        const int32_t v = (int32_t)((uint32_t)tflm_mul_qm((int32_t)raw, m, sh) + (uint32_t)zp);
        o[i] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
    }
}

#else

// Keeps the translation unit non-empty when the optimised kernels are off.
typedef int tflm_elem_s8_unused_t;

#endif // TFLM_OPT_NN
