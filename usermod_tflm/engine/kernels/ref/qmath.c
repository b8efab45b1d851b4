// Fixed-point helpers shared by the reference kernels.
#include <float.h>
#include <math.h>
#include <string.h>
#include "qmath.h"
#include "../../tflm_kernel.h"

// The end of tflm_quantize_multiplier from the rounded 31-bit mantissa
// `fixed` (up to 2^31) and frexp's exponent fe.
static void qm_finish(int64_t fixed, int32_t fe, int neg, int32_t *qm, int32_t *shift) {
    if (fixed == ((int64_t)1 << 31)) {
        fixed /= 2;
        ++fe;
    }
    if (fe < -31) {
        // Everything would shift out: flush to zero as the reference does.
        fe = 0;
        fixed = 0;
    }
    if (fe > 30) {
        fe = 30;
        fixed = INT32_MAX;
    }
    *qm = neg ? -(int32_t)fixed : (int32_t)fixed;
    *shift = fe;
}

// The next `bits` (<= 32) quotient bits of a long division by d, n the
// running remainder (n < 2 d < 2^63), on 32-bit halves.
static uint32_t qm_div_bits(uint64_t *n, uint64_t d, int bits) {
    uint32_t q = 0;
    uint32_t nh = (uint32_t)(*n >> 32), nl = (uint32_t)*n;
    const uint32_t dh = (uint32_t)(d >> 32), dl = (uint32_t)d;
    for (int i = 0; i < bits; ++i) {
        q <<= 1;
        if (nh > dh || (nh == dh && nl >= dl)) {
            nh -= dh + (nl < dl ? 1u : 0u);
            nl -= dl;
            q |= 1u;
        }
        nh = (nh << 1) | (nl >> 31);
        nl <<= 1;
    }
    *n = ((uint64_t)nh << 32) | nl;
    return q;
}

#if defined(__OPTIMIZE_SIZE__)
int32_t tflm_srdhm(int32_t a, int32_t b) {
    return tflm_srdhm_i(a, b);
}

int32_t tflm_mul_qm(int32_t x, int32_t qm, int shift) {
    return tflm_mul_qm_i(x, qm, shift);
}
#endif

void tflm_quantize_multiplier(double m, int32_t *qm, int32_t *shift) {
    // On the double's bits (no soft-float double library). A subnormal
    // would shift out entirely: the reference flushes it to zero.
    uint64_t bits;
    memcpy(&bits, &m, sizeof(bits));
    const uint32_t ex = (uint32_t)(bits >> 52) & 0x7ffu;
    tflm_xd_t x;
    x.m = ex == 0 || ex == 0x7ffu ? 0 : (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
    x.e = (int32_t)ex - 1023;
    x.neg = (int32_t)(bits >> 63);
    tflm_xd_qm(&x, 0, qm, shift);
}

void tflm_xd_qm(const tflm_xd_t *x, int is_signed, int32_t *qm, int32_t *shift) {
    if (x->m == 0 || (x->neg && !is_signed)) {
        *qm = 0;
        *shift = 0;
        return;
    }
    // frexp + round-half-away of the 53-bit mantissa to 31 bits.
    qm_finish((int64_t)((x->m + ((uint64_t)1 << 21)) >> 22), x->e + 1, x->neg, qm, shift);
}

void tflm_xd_set(tflm_xd_t *x, uint64_t v, int32_t e2) {
    x->neg = 0;
    x->e = e2 + 52;
    if (v != 0) {
        while (v < ((uint64_t)1 << 52)) {
            v <<= 1;
            --x->e;
        }
    }
    x->m = v;
}

void tflm_xd_f32(tflm_xd_t *x, float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof(b));
    uint32_t ex = (b >> 23) & 0xffu;
    uint32_t frac = b & 0x7fffffu;
    // Normal: (2^23 + frac) * 2^(ex - 150); subnormal: frac * 2^-149.
    tflm_xd_set(x, ex == 0xffu ? 0u : (ex != 0 ? frac | 0x800000u : frac), ex != 0 ? (int32_t)ex - 150 : -149);
    x->neg = (int32_t)(b >> 31);
}

// Round q * 2^(qe - 54), 2^54 <= q < 2^56, to 53 bits (nearest, ties to
// even; sticky: nonzero bits below q).
static void xd_round(tflm_xd_t *r, uint64_t q, int32_t qe, int sticky, int32_t neg) {
    if (q >= ((uint64_t)1 << 55)) {
        sticky |= (int)(q & 1u);
        q >>= 1;
        ++qe;
    }
    uint64_t m = q >> 2;
    uint32_t low = (uint32_t)q & 3u;
    if (low > 2u || (low == 2u && (sticky || (m & 1u)))) {
        ++m;
        if (m == ((uint64_t)1 << 53)) {
            m >>= 1;
            ++qe;
        }
    }
    r->m = m;
    r->e = qe;
    r->neg = neg;
}

void tflm_xd_mul(tflm_xd_t *r, const tflm_xd_t *a, const tflm_xd_t *b) {
    if (a->m == 0 || b->m == 0) {
        r->m = 0;
        r->neg = 0;
        return;
    }
    // 106-bit product hi:lo of the two mantissas, from 32-bit halves.
    uint64_t a0 = a->m & 0xffffffffu, a1 = a->m >> 32;
    uint64_t b0 = b->m & 0xffffffffu, b1 = b->m >> 32;
    uint64_t lo = a0 * b0;
    uint64_t mid = a1 * b0 + a0 * b1;
    uint64_t hi = a1 * b1 + (mid >> 32);
    uint64_t t = lo + (mid << 32);
    hi += t < lo ? 1u : 0u;
    lo = t;
    // product in [2^104, 2^106): keep its top bits from 2^50 up.
    xd_round(r, (hi << 14) | (lo >> 50), a->e + b->e, (lo & (((uint64_t)1 << 50) - 1)) != 0, a->neg ^ b->neg);
}

void tflm_xd_div(tflm_xd_t *r, const tflm_xd_t *a, const tflm_xd_t *b) {
    if (a->m == 0 || b->m == 0) {
        r->m = 0;
        r->neg = 0;
        return;
    }
    uint64_t n = a->m, d = b->m, q = 0;
    int32_t qe = a->e - b->e;
    if (n < d) {
        n <<= 1;
        --qe;
    }
    // n / d in [1, 2): 55 quotient bits by long division.
    q = (uint64_t)qm_div_bits(&n, d, 32) << 23;
    q |= qm_div_bits(&n, d, 23);
    xd_round(r, q, qe, n != 0, a->neg ^ b->neg);
}

void tflm_xd_sqrt(tflm_xd_t *r, const tflm_xd_t *a) {
    if (a->m == 0 || a->neg) {
        r->m = 0;
        r->neg = 0;
        return;
    }
    // a = m * 2^E with E even; root of m * 2^56 (55 bits) digit by digit.
    uint64_t m = a->m;
    int32_t ee = a->e - 52;
    if (ee & 1) {
        m <<= 1;
        --ee;
    }
    uint64_t rem = 0, root = 0;
    for (int i = 54; i >= 0; --i) {
        int sh = 2 * i - 56;
        rem = (rem << 2) | (sh >= 0 ? (m >> sh) & 3u : 0u);
        uint64_t t = (root << 2) | 1u;
        root <<= 1;
        if (rem >= t) {
            rem -= t;
            root |= 1u;
        }
    }
    xd_round(r, root, (ee + 52) / 2, rem != 0, 0);
}

// A float as sign and m * 2^e (m < 2^24; 0 for a zero); 0 for inf and NaN.
static int qm_split_f32(float f, uint32_t *m, int32_t *e, int *neg) {
    uint32_t b;
    memcpy(&b, &f, sizeof(b));
    const uint32_t ex = (b >> 23) & 0xffu;
    *neg ^= (int)(b >> 31);
    *m = ex != 0 ? (b & 0x7fffffu) | 0x800000u : b & 0x7fffffu;
    *e = (ex != 0 ? (int32_t)ex : 1) - 150;
    return ex != 0xffu;
}

// Shift v (0 < v < 2^62) left until 2^61 <= v; returns the shift.
static int32_t qm_norm61(uint64_t *v) {
    int32_t s = 0;
    uint64_t x = *v;
    if (x < ((uint64_t)1 << 30)) {
        x <<= 32;
        s += 32;
    }
    if (x < ((uint64_t)1 << 46)) {
        x <<= 16;
        s += 16;
    }
    if (x < ((uint64_t)1 << 54)) {
        x <<= 8;
        s += 8;
    }
    if (x < ((uint64_t)1 << 58)) {
        x <<= 4;
        s += 4;
    }
    if (x < ((uint64_t)1 << 60)) {
        x <<= 2;
        s += 2;
    }
    if (x < ((uint64_t)1 << 61)) {
        x <<= 1;
        s += 1;
    }
    *v = x;
    return s;
}

int32_t tflm_qm_ratio(float n1, float n2, float d1, float d2, int is_signed, int32_t *qm, int32_t *shift) {
    // The double value is RN53(N / D * 2^e) with N = m1 m2, D = m3 m4 exact
    // (the products of two floats are exact in double). Its multiplier is
    // floor(Q / 2^22 + 1/2) for its 53-bit mantissa Q, which equals
    // floor(F / 2^23 + (2^22 + 1) / 2^23) for F = floor(2 Q') of the exact
    // mantissa Q' (RN53 then round-half-up): so 54 bits of the quotient
    // decide, of which the last 22 only matter when they are all ones.
    uint32_t m[4];
    int32_t e[4];
    int neg = 0, ok = 1;
    ok &= qm_split_f32(n1, &m[0], &e[0], &neg);
    ok &= qm_split_f32(n2, &m[1], &e[1], &neg);
    ok &= qm_split_f32(d1, &m[2], &e[2], &neg);
    ok &= qm_split_f32(d2, &m[3], &e[3], &neg);
    uint64_t n = (uint64_t)m[0] * m[1];
    uint64_t d = (uint64_t)m[2] * m[3];
    *qm = 0;
    *shift = 0;
    if (!ok || n == 0 || d == 0 || (neg && !is_signed)) {
        return INT32_MAX;  // zero, infinite, NaN or (unsigned) negative
    }
    // n / d in [1, 2) after normalising; value = n / d * 2^ex.
    int32_t ex = e[0] + e[1] - e[2] - e[3] - qm_norm61(&n) + qm_norm61(&d);
    if (n < d) {
        n <<= 1;
        --ex;
    }
    // The top 32 bits of F (n: the scaled remainder, < 2 d).
    const uint32_t q = qm_div_bits(&n, d, 32);
    // The 22 bits of F below are all ones when 2 d - n <= d / 2^21.
    const int ones = 2 * d - n <= (d >> 21);
    qm_finish((int64_t)(q >> 1) + (((q & 1u) != 0 || ones) ? 1 : 0), ex + 1, neg, qm, shift);
    return neg ? INT32_MAX : ex + 1 + (q == 0xffffffffu && ones ? 1 : 0);
}

int64_t tflm_f32_to_i64(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof(b));
    int32_t ex = (int32_t)((b >> 23) & 0xffu) - 150;   // |f| = (2^23 + frac) * 2^ex
    if (ex < -23) {
        return 0;                                       // |f| < 1
    }
    uint64_t m = (b & 0x7fffffu) | 0x800000u;
    m = ex >= 0 ? m << ex : m >> -ex;
    return (b >> 31) ? -(int64_t)m : (int64_t)m;
}

// zp + round(v / scale), saturated to int32 (no undefined float->int cast).
int32_t tflm_quantize_val(float v, float scale, int32_t zp) {
    float q = roundf(v / scale);
    if (!(q > -2147483648.0f)) {
        q = -2147483648.0f;
    }
    if (q >= 2147483648.0f) {
        q = 2147483520.0f;
    }
    int64_t r = (int64_t)zp + (int32_t)q;
    return r < INT32_MIN ? INT32_MIN : (r > INT32_MAX ? INT32_MAX : (int32_t)r);
}

void tflm_act_range_q(int act, float scale, int32_t zp, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi) {
    int32_t a = qmin, b = qmax;
    if (act == TFLM_ACT_RELU) {
        a = tflm_quantize_val(0.0f, scale, zp);
    } else if (act == TFLM_ACT_RELU6) {
        a = tflm_quantize_val(0.0f, scale, zp);
        b = tflm_quantize_val(6.0f, scale, zp);
    } else if (act == TFLM_ACT_RELU_N1_TO_1) {
        a = tflm_quantize_val(-1.0f, scale, zp);
        b = tflm_quantize_val(1.0f, scale, zp);
    }
    *lo = a > qmin ? a : qmin;
    *hi = b < qmax ? b : qmax;
}

void tflm_act_range_f(int act, float *lo, float *hi) {
    // TFLite's "no limit" is +-FLT_MAX: an infinite result clamps to it.
    *lo = -FLT_MAX;
    *hi = FLT_MAX;
    if (act == TFLM_ACT_RELU) {
        *lo = 0.0f;
    } else if (act == TFLM_ACT_RELU6) {
        *lo = 0.0f;
        *hi = 6.0f;
    } else if (act == TFLM_ACT_RELU_N1_TO_1) {
        *lo = -1.0f;
        *hi = 1.0f;
    }
}
