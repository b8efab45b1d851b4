// Fixed-point arithmetic of the TFLite int8/int16 quantisation spec, as TFLM's
// reference kernels compute it (double rounding: a rounding doubling high
// multiply, then a rounding right shift). Written from the published formulas.
#ifndef TFLM_QMATH_H
#define TFLM_QMATH_H

#include <stdint.h>

#if defined(__GNUC__)
#define TFLM_QM_INLINE inline __attribute__((always_inline))
#else
#define TFLM_QM_INLINE inline
#endif

// round(a * b / 2^31), saturating the single overflow case (INT32_MIN^2).
static TFLM_QM_INLINE int32_t tflm_srdhm_i(int32_t a, int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

// x / 2^exponent rounded half away from zero; exponent in [0, 31].
static inline int32_t tflm_rdbpot(int32_t x, int exponent) {
    int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * qm * 2^shift, qm a Q31 multiplier, shift in [-31, 30].
static TFLM_QM_INLINE int32_t tflm_mul_qm_i(int32_t x, int32_t qm, int shift) {
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    // x << left in 32-bit two's complement, as the reference computes it.
    int32_t xs = (int32_t)(uint32_t)((uint32_t)x << left);
    return tflm_rdbpot(tflm_srdhm_i(xs, qm), right);
}

// tflm_srdhm and tflm_mul_qm: in size builds (-Os, __OPTIMIZE_SIZE__) one
// out-of-line copy each (qmath.c) instead of a static copy in every file
// that calls them; other builds inline them.
#if defined(__OPTIMIZE_SIZE__)
int32_t tflm_srdhm(int32_t a, int32_t b);
int32_t tflm_mul_qm(int32_t x, int32_t qm, int shift);
#else
static inline int32_t tflm_srdhm(int32_t a, int32_t b) {
    return tflm_srdhm_i(a, b);
}

static inline int32_t tflm_mul_qm(int32_t x, int32_t qm, int shift) {
    return tflm_mul_qm_i(x, qm, shift);
}
#endif

// 64-bit accumulator variant (int16 activations): rounds the multiplier to
// 16 bits, then one rounding shift. Valid for shift in [-31, 14] and
// |x| < 2^47 (callers check the shift range in prepare).
static inline int32_t tflm_mul_qm64(int64_t x, int32_t qm, int shift) {
    int32_t reduced = qm < 0x7FFF0000 ? ((qm + (1 << 15)) >> 16) : 0x7FFF;
    int total = 15 - shift;
    x = x * (int64_t)reduced + ((int64_t)1 << (total - 1));
    return (int32_t)(x >> total);
}

// Split a positive real multiplier into a Q31 mantissa and a power-of-two shift.
void tflm_quantize_multiplier(double m, int32_t *qm, int32_t *shift);

// Scale arithmetic without the C double type (its soft-float library is
// several KB on a core without a double FPU). A tflm_xd_t holds an IEEE
// double: value = (-1)^neg * m * 2^(e - 52) with 2^52 <= m < 2^53, or m == 0
// for zero, infinity and NaN (which every use treats alike: no usable
// multiplier). mul, div and sqrt round to nearest even exactly as IEEE
// double arithmetic does, so a formula the reference evaluates in double
// gives the very same bits when written with these, step by step.
typedef struct {
    uint64_t m;
    int32_t e;
    int32_t neg;
} tflm_xd_t;

// v * 2^e2 (v < 2^53, so exact).
void tflm_xd_set(tflm_xd_t *x, uint64_t v, int32_t e2);
// (double)f.
void tflm_xd_f32(tflm_xd_t *x, float f);
void tflm_xd_mul(tflm_xd_t *r, const tflm_xd_t *a, const tflm_xd_t *b);
void tflm_xd_div(tflm_xd_t *r, const tflm_xd_t *a, const tflm_xd_t *b);
void tflm_xd_sqrt(tflm_xd_t *r, const tflm_xd_t *a);
// tflm_quantize_multiplier of x; with is_signed a negative x gives a negative
// multiplier (same rounding, mirrored), else 0 as for zero, inf and NaN.
void tflm_xd_qm(const tflm_xd_t *x, int is_signed, int32_t *qm, int32_t *shift);
// tflm_quantize_multiplier((double)n1 * (double)n2 / ((double)d1 * (double)d2)),
// or with is_signed the signed variant (see tflm_xd_qm). Returns the double's
// frexp exponent (so a positive value is below 1.0 exactly when it is <= 0),
// or INT32_MAX when the double is zero, infinite, NaN or negative.
int32_t tflm_qm_ratio(float n1, float n2, float d1, float d2, int is_signed, int32_t *qm, int32_t *shift);

// Clamp range of a fused activation for a quantised output.
void tflm_act_range_q(int act, float scale, int32_t zp, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi);
// Clamp range of a fused activation for float output.
void tflm_act_range_f(int act, float *lo, float *hi);

// a + b in 32-bit two's complement (wraps as the reference does on a device,
// without C's signed-overflow undefined behaviour).
static inline int32_t tflm_add_wrap(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

// (int64_t)f, truncating, for |f| < 2^63: libgcc's own float -> int64
// conversion goes through soft-float double on ARMv6-M.
int64_t tflm_f32_to_i64(float f);

// zp + round(v / scale), saturated to int32.
int32_t tflm_quantize_val(float v, float scale, int32_t zp);

static inline int32_t tflm_clamp(int32_t x, int32_t lo, int32_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

#endif // TFLM_QMATH_H
