// Fixed-point exp / reciprocal / tanh / logistic (see elem_fixed.h).
#include "elem_fixed.h"
#include "qmath.h"

// Two's complement wrapping arithmetic (the reference's plain int32 ops).
static inline int32_t wadd(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t wsub(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline int32_t wneg(int32_t a) {
    return (int32_t)(0u - (uint32_t)a);
}

int32_t tflm_fx_sat_shl(int32_t x, int e) {
    int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << e);
}

int32_t tflm_fx_half_sum(int32_t a, int32_t b) {
    int64_t s = (int64_t)a + (int64_t)b;
    return (int32_t)((s + (s >= 0 ? 1 : -1)) / 2);
}

// Constants: round(2^31 * value) unless noted.
#define FX_EXP_MINUS_1_8 (1895147668)  // exp(-1/8)
#define FX_ONE_THIRD (715827883)       // 1/3
#define FX_48_17_Q2 (1515870810)       // 48/17 in Q2.29
#define FX_M32_17_Q2 (-1010580540)     // -32/17 in Q2.29
#define FX_ONE_Q2 (1 << 29)            // 1.0 in Q2.29

// exp(-2^k) for k = -2 .. 4.
static const int32_t fx_exp_pow2[7] = {
    1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242,
};

// exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8.
static int32_t exp_quarter_interval(int32_t a) {
    int32_t x = wadd(a, 1 << 28);
    int32_t x2 = tflm_srdhm(x, x);
    int32_t x3 = tflm_srdhm(x2, x);
    int32_t x4 = tflm_srdhm(x2, x2);
    int32_t x4_over_4 = tflm_rdbpot(x4, 2);
    int32_t poly = tflm_rdbpot(wadd(tflm_srdhm(wadd(x4_over_4, x3), FX_ONE_THIRD), x2), 1);
    return wadd(FX_EXP_MINUS_1_8, tflm_srdhm(FX_EXP_MINUS_1_8, wadd(x, poly)));
}

int32_t tflm_fx_exp_neg(int32_t a, int ib) {
    int frac = 31 - ib;
    int32_t quarter = (int32_t)1 << (frac - 2);
    int32_t a_mod_q = wsub(a & (quarter - 1), quarter);
    int32_t r = exp_quarter_interval(ib > 0 ? tflm_fx_sat_shl(a_mod_q, ib) : a_mod_q);
    uint32_t rem = (uint32_t)wsub(a_mod_q, a);
    for (int k = -2; k <= 4; ++k) {
        if (ib > k && (rem & ((uint32_t)1 << (frac + k))) != 0) {
            r = tflm_srdhm(r, fx_exp_pow2[k + 2]);
        }
    }
    if (ib > 5 && a < -((int32_t)1 << (36 - ib))) {
        r = 0;
    }
    if (a == 0) {
        r = INT32_MAX;
    }
    return r;
}

// Newton-Raphson for 1 / (1 + a) / 2 in Q2.29 (three steps from 48/17 - 32/17 d).
static int32_t recip_half_denominator(int32_t a) {
    int32_t half_denom = tflm_fx_half_sum(a, INT32_MAX);
    int32_t x = wadd(FX_48_17_Q2, tflm_srdhm(half_denom, FX_M32_17_Q2));
    for (int i = 0; i < 3; ++i) {
        int32_t hdx = tflm_srdhm(half_denom, x);
        int32_t one_minus = wsub(FX_ONE_Q2, hdx);
        x = wadd(x, tflm_fx_sat_shl(tflm_srdhm(x, one_minus), 2));
    }
    return x;
}

int32_t tflm_fx_one_over_one_plus(int32_t a) {
    return tflm_fx_sat_shl(recip_half_denominator(a), 1);
}

int32_t tflm_fx_one_minus_over_one_plus(int32_t a) {
    return tflm_fx_sat_shl(wsub(recip_half_denominator(a), FX_ONE_Q2), 2);
}

int32_t tflm_fx_tanh(int32_t a, int ib) {
    if (a == 0) {
        return 0;
    }
    int32_t n = a < 0 ? a : wneg(a);
    int32_t t = tflm_fx_one_minus_over_one_plus(tflm_fx_exp_neg(n, ib + 1));
    return a < 0 ? wneg(t) : t;
}

int32_t tflm_fx_logistic(int32_t a, int ib) {
    if (a == 0) {
        return 1 << 30;
    }
    int32_t abs_a = a > 0 ? a : wneg(a);
    int32_t pos = tflm_fx_one_over_one_plus(tflm_fx_exp_neg(wneg(abs_a), ib));
    return a > 0 ? pos : wsub(INT32_MAX, pos);
}

static int clz32(uint32_t x) {
    int n = 0;
    if (x == 0) {
        return 32;
    }
    while ((x & 0x80000000u) == 0) {
        x <<= 1;
        ++n;
    }
    return n;
}

int32_t tflm_fx_reciprocal(int32_t x, int ib, int *bits_over_unit) {
    int hp1 = clz32((uint32_t)x);
    *bits_over_unit = ib - hp1;
    uint32_t shifted = hp1 < 32 ? ((uint32_t)x << hp1) : 0u;
    return tflm_fx_one_over_one_plus((int32_t)(shifted - 0x80000000u));
}
