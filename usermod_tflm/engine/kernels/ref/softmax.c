// SOFTMAX over the last dimension: float32 -> float32, int8 -> int8
// (output 1/256, zero point -128), int8 -> int16 (output 1/65536, zero
// point -32768) and int16 -> int16 (zero points 0, output 1/32768).
//
// int8 input: differences to the row maximum are scaled by beta * s_in into
// Q5.26 with a Q31 multiplier and left shift, exponentiated in fixed point
// (differences below diff_min contribute nothing), summed in Q12.19, and
// each exp is multiplied by the fixed-point reciprocal of the sum.
// int16 input: differences are scaled so that [-10, 0] spans [-65535, 0],
// exp and 1 / (1 + x) come from two interpolated 513-entry tables built in
// prepare (sampled in float, each entry biased by half the interpolation
// error at the midpoint of its segment).
#include <float.h>
#include <math.h>
#include "elem_util.h"
#include "elem_fixed.h"
#include "qmath.h"

#define SOFTMAX_DIFF_INT_BITS (5)
#define SOFTMAX_ACC_INT_BITS (12)

typedef struct {
    int32_t in_type, out_type;
    int32_t outer, depth;
    int32_t mult, left_shift;
    int32_t diff_min;
    float beta;
    // int16 input: followed in the arena by two int16[513] tables,
    // exp(x) on [-10, 0] and 1 / (1 + x) on [0, 1].
} tflm_softmax_data_t;

#define SOFTMAX_LUT_LEN (513)

static float lut_exp(float x) {
    return expf(x);
}

static float lut_recip(float x) {
    return 1.0f / (1.0f + x);
}

// A 513-entry table of f over [lo, hi] with outputs in [-1, 1) as Q0.15.
static void softmax_gen_lut(float (*f)(float), float lo, float hi, int16_t *lut) {
    const int steps = 512;
    const float step = (hi - lo) / (float)steps;
    const float half = step / 2.0f;
    const float scale = 65536.0f / 2.0f;
    for (int i = 0; i < steps; ++i) {
        float v = f(lo + (float)i * step);
        float vm = f(lo + (float)i * step + half);
        float vn = f(lo + (float)(i + 1) * step);
        float sample = roundf(v * scale);
        float interp = roundf((vn * scale + roundf(v * scale)) / 2.0f);
        float mid = roundf(vm * scale);
        float bias = roundf((interp - mid) / 2.0f);
        float t = sample - bias;
        t = t < -32768.0f ? -32768.0f : (t > 32767.0f ? 32767.0f : t);
        lut[i] = (int16_t)t;
    }
    float last = roundf(f(hi) * scale);
    last = last < -32768.0f ? -32768.0f : (last > 32767.0f ? 32767.0f : last);
    lut[steps] = (int16_t)last;
}

// Interpolated lookup: the top 9 bits pick a segment, the low 7 interpolate.
static int16_t lut_lookup(int16_t v, const int16_t *lut) {
    int32_t idx = 256 + (v >> 7);
    int32_t off = v & 0x7f;
    int32_t base = lut[idx];
    int32_t slope = lut[idx + 1] - lut[idx];
    return tflm_wrap16(base + ((slope * off + 64) >> 7));
}

// The int8 input scaling, in double in the reference:
// real = min(beta * s_in * 2^(31 - diff int bits), INT32_MAX) must be > 1;
// its multiplier and left shift, and diff_min = -floor((2^int_bits - 1) *
// 2^(31 - int_bits) / 2^left_shift).
static tflm_status_t softmax_scaling(tflm_node_t *node, float beta, float scale, int32_t *mult, int32_t *shift,
    int32_t *diff_min) {
    tflm_xd_t r, b;
    tflm_xd_f32(&r, scale);
    tflm_xd_f32(&b, beta);
    tflm_xd_mul(&r, &r, &b);
    r.e += 31 - SOFTMAX_DIFF_INT_BITS;
    if (beta == INFINITY && scale > 0.0f) {
        // Infinite product: clamped to INT32_MAX like any real >= 2^31 (every
        // such real gives the same multiplier).
        tflm_xd_set(&r, INT32_MAX, 0);
    }
    TFLM_CHECK(node, r.m != 0 && !r.neg && (r.e > 0 || (r.e == 0 && r.m > ((uint64_t)1 << 52))), TFLM_ERR_BAD_QUANT,
        "softmax beta * input scale too small");
    tflm_xd_qm(&r, 0, mult, shift);
    *diff_min = -(int32_t)(((((int64_t)1 << SOFTMAX_DIFF_INT_BITS) - 1) << (31 - SOFTMAX_DIFF_INT_BITS)) >> *shift);
    return TFLM_OK;
}

tflm_status_t tflm_softmax_prepare(tflm_node_t *node) {
    tflm_status_t st = tflm_elem_check_io(node, 1, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->ndim >= 1, TFLM_ERR_BAD_SHAPE, "softmax needs at least one dim");
    TFLM_CHECK(node, tflm_same_shape(in, out), TFLM_ERR_BAD_SHAPE, "softmax output shape differs");
    tflm_softmax_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.in_type = in->type;
    dd.out_type = out->type;
    dd.depth = in->dims[in->ndim - 1];
    dd.outer = dd.depth > 0 ? (int32_t)(in->elems / (uint32_t)dd.depth) : 0;
    dd.beta = tflm_opt_f32(node, 0, 1.0f);
    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, out->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE, "float softmax needs float output");
    } else if (in->type == TFLM_INT8) {
        TFLM_CHECK(node, tflm_elem_per_tensor(in) && tflm_elem_per_tensor(out), TFLM_ERR_BAD_QUANT,
            "softmax needs per-tensor quantisation");
        if (out->type == TFLM_INT8) {
            TFLM_CHECK(node, out->zero_point == -128 && out->scale == 1.0f / 256.0f, TFLM_ERR_BAD_QUANT,
                "int8 softmax output must be scale 1/256, zero point -128");
        } else if (out->type == TFLM_INT16) {
            TFLM_CHECK(node, out->zero_point == -32768 && fabsf(out->scale - 1.0f / 65536.0f) <= 0.001f / 65536.0f,
                TFLM_ERR_BAD_QUANT, "int16 softmax output must be scale 1/65536, zero point -32768");
        } else {
            return tflm_fail(node, TFLM_ERR_UNSUPPORTED_TYPE, "int8 softmax outputs int8 or int16");
        }
        st = softmax_scaling(node, dd.beta, in->scale, &dd.mult, &dd.left_shift, &dd.diff_min);
        if (st != TFLM_OK) {
            return st;
        }
    } else if (in->type == TFLM_INT16) {
        TFLM_CHECK(node, out->type == TFLM_INT16, TFLM_ERR_UNSUPPORTED_TYPE, "int16 softmax needs int16 output");
        TFLM_CHECK(node, tflm_elem_per_tensor(in) && tflm_elem_per_tensor(out), TFLM_ERR_BAD_QUANT,
            "softmax needs per-tensor quantisation");
        TFLM_CHECK(node, out->zero_point == 0 && fabsf(out->scale - 1.0f / 32768.0f) <= 0.001f / 32768.0f,
            TFLM_ERR_BAD_QUANT, "int16 softmax output must be scale 1/32768, zero point 0");
        // In double: s_in * beta / (10.0 / 65535.0).
        tflm_xd_t a, b, c;
        tflm_xd_f32(&a, in->scale);
        tflm_xd_f32(&b, dd.beta);
        tflm_xd_mul(&a, &a, &b);
        tflm_xd_set(&b, 10, 0);
        tflm_xd_set(&c, 65535, 0);
        tflm_xd_div(&b, &b, &c);
        tflm_xd_div(&a, &a, &b);
        tflm_xd_qm(&a, 0, &dd.mult, &dd.left_shift);
    } else {
        return tflm_fail(node, TFLM_ERR_UNSUPPORTED_TYPE, "softmax supports float32, int8 and int16 input");
    }
    uint32_t lut_bytes = in->type == TFLM_INT16 ? 2u * SOFTMAX_LUT_LEN * sizeof(int16_t) : 0u;
    tflm_softmax_data_t *d = tflm_persist(node, (uint32_t)sizeof(*d) + lut_bytes);
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    if (lut_bytes != 0) {
        int16_t *lut = (int16_t *)(d + 1);
        softmax_gen_lut(lut_exp, -10.0f, 0.0f, lut);
        softmax_gen_lut(lut_recip, 0.0f, 1.0f, lut + SOFTMAX_LUT_LEN);
    }
    return TFLM_OK;
}

static void softmax_f32(const tflm_softmax_data_t *d, const float *in, float *out) {
    for (int32_t r = 0; r < d->outer; ++r) {
        const float *x = in + (size_t)r * (size_t)d->depth;
        float *y = out + (size_t)r * (size_t)d->depth;
        float mx = -FLT_MAX;
        for (int32_t c = 0; c < d->depth; ++c) {
            mx = mx < x[c] ? x[c] : mx;
        }
        float sum = 0.0f;
        for (int32_t c = 0; c < d->depth; ++c) {
            float e = expf((x[c] - mx) * d->beta);
            y[c] = e;
            sum += e;
        }
        for (int32_t c = 0; c < d->depth; ++c) {
            y[c] = y[c] / sum;
        }
    }
}

// exp of one input difference (Q0.31), or -1 when below diff_min.
static inline int32_t softmax_exp(const tflm_softmax_data_t *d, int32_t diff) {
    int32_t scaled = tflm_srdhm((int32_t)((uint32_t)diff << d->left_shift), d->mult);
    return tflm_fx_exp_neg(scaled, SOFTMAX_DIFF_INT_BITS);
}

static void softmax_s8(const tflm_softmax_data_t *d, const int8_t *in, void *out) {
    int out16 = d->out_type == TFLM_INT16;
    int32_t omin = out16 ? -32768 : -128;
    int32_t omax = out16 ? 32767 : 127;
    for (int32_t r = 0; r < d->outer; ++r) {
        const int8_t *x = in + (size_t)r * (size_t)d->depth;
        int32_t mx = -128;
        for (int32_t c = 0; c < d->depth; ++c) {
            mx = x[c] > mx ? x[c] : mx;
        }
        uint32_t sum = 0;  // Q12.19, wrapping like the reference's int32 add
        for (int32_t c = 0; c < d->depth; ++c) {
            int32_t diff = (int32_t)x[c] - mx;
            if (diff >= d->diff_min) {
                sum += (uint32_t)tflm_rdbpot(softmax_exp(d, diff), SOFTMAX_ACC_INT_BITS);
            }
        }
        int bits_over_unit = 0;
        int32_t scale = tflm_fx_reciprocal((int32_t)sum, SOFTMAX_ACC_INT_BITS, &bits_over_unit);
        int exponent = bits_over_unit + 31 - (out16 ? 16 : 8);
        exponent = exponent < 0 ? 0 : (exponent > 31 ? 31 : exponent);
        for (int32_t c = 0; c < d->depth; ++c) {
            int32_t diff = (int32_t)x[c] - mx;
            int32_t v = omin;
            if (diff >= d->diff_min) {
                int32_t e = softmax_exp(d, diff);
                int32_t u = tflm_rdbpot(tflm_srdhm(scale, e), exponent);
                v = tflm_clamp(u + omin, omin, omax);
            }
            size_t k = (size_t)r * (size_t)d->depth + (size_t)c;
            if (out16) {
                ((int16_t *)out)[k] = (int16_t)v;
            } else {
                ((int8_t *)out)[k] = (int8_t)v;
            }
        }
    }
}

static void softmax_s16(const tflm_softmax_data_t *d, const int16_t *in, int16_t *out) {
    const int16_t *exp_lut = (const int16_t *)(d + 1);
    const int16_t *recip_lut = exp_lut + SOFTMAX_LUT_LEN;
    for (int32_t r = 0; r < d->outer; ++r) {
        const int16_t *x = in + (size_t)r * (size_t)d->depth;
        int16_t *y = out + (size_t)r * (size_t)d->depth;
        int32_t mx = -32768;
        for (int32_t c = 0; c < d->depth; ++c) {
            mx = x[c] > mx ? x[c] : mx;
        }
        // exp of each difference (Q0.15), cached in the output row.
        uint32_t sum = 0;
        for (int32_t c = 0; c < d->depth; ++c) {
            int32_t scaled = tflm_mul_qm(x[c] - mx, d->mult, d->left_shift);
            int32_t sym = tflm_clamp(scaled + 32767, -32768, 32767);
            y[c] = lut_lookup((int16_t)sym, exp_lut);
            sum += (uint32_t)(int32_t)y[c];
        }
        // 1 / sum: normalise to [1, 2), look up 1 / (1 + x) for x in [0, 1).
        int hp1 = 0;
        for (uint32_t u = sum; hp1 < 32 && (u & 0x80000000u) == 0; u <<= 1) {
            ++hp1;
        }
        hp1 = hp1 < 1 ? 1 : (hp1 > 31 ? 31 : hp1);
        int32_t shifted = (int32_t)(((int64_t)sum * ((int64_t)1 << (hp1 - 1)) + (1 << 13)) >> 14);
        int32_t sym_sum = tflm_clamp(shifted - ((1 << 15) + (1 << 16)), -32768, 32767);
        int32_t recip = lut_lookup((int16_t)sym_sum, recip_lut);
        int rs = 31 - hp1;
        int64_t round = rs > 0 ? ((int64_t)1 << (rs - 1)) : 0;
        for (int32_t c = 0; c < d->depth; ++c) {
            int64_t v = ((int64_t)y[c] * recip + round) >> rs;
            y[c] = (int16_t)(v < 0 ? 0 : (v > 32767 ? 32767 : v));
        }
    }
}

tflm_status_t tflm_softmax_eval(tflm_node_t *node) {
    const tflm_softmax_data_t *d = node->op_data;
    if (d->in_type == TFLM_FLOAT32) {
        softmax_f32(d, node->in[0].data, node->out[0].data);
    } else if (d->in_type == TFLM_INT16) {
        softmax_s16(d, node->in[0].data, node->out[0].data);
    } else {
        softmax_s8(d, node->in[0].data, node->out[0].data);
    }
    return TFLM_OK;
}

// LOG_SOFTMAX over the last dimension: float32, and int8 -> int8 with the
// output fixed at scale 16/256, zero point 127. The int8 path sums the same
// fixed-point exps as SOFTMAX (beta 1), takes a fixed-point log of the sum
// in Q5.26 and subtracts it from each scaled difference.
typedef struct {
    int32_t type;
    int32_t outer, depth;
    int32_t mult, left_shift;
    int32_t rev_mult, rev_shift;
    int32_t diff_min;
} tflm_log_softmax_data_t;

tflm_status_t tflm_log_softmax_prepare(tflm_node_t *node) {
    tflm_status_t st = tflm_elem_check_io(node, 1, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->ndim >= 1, TFLM_ERR_BAD_SHAPE, "log_softmax needs at least one dim");
    TFLM_CHECK(node, tflm_same_shape(in, out), TFLM_ERR_BAD_SHAPE, "log_softmax output shape differs");
    TFLM_CHECK(node, in->type == out->type && (in->type == TFLM_FLOAT32 || in->type == TFLM_INT8),
        TFLM_ERR_UNSUPPORTED_TYPE, "log_softmax supports float32 and int8");
    tflm_log_softmax_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.type = in->type;
    dd.depth = in->dims[in->ndim - 1];
    dd.outer = dd.depth > 0 ? (int32_t)(in->elems / (uint32_t)dd.depth) : 0;
    if (in->type == TFLM_INT8) {
        TFLM_CHECK(node, tflm_elem_per_tensor(in) && tflm_elem_per_tensor(out), TFLM_ERR_BAD_QUANT,
            "log_softmax needs per-tensor quantisation");
        TFLM_CHECK(node, out->scale == 16.0f / 256.0f && out->zero_point == 127, TFLM_ERR_BAD_QUANT,
            "int8 log_softmax output must be scale 16/256, zero point 127");
        tflm_status_t st = softmax_scaling(node, 1.0f, in->scale, &dd.mult, &dd.left_shift, &dd.diff_min);
        if (st != TFLM_OK) {
            return st;
        }
        TFLM_CHECK(node, dd.left_shift >= 1 && dd.left_shift <= 30, TFLM_ERR_BAD_QUANT, "log_softmax scale out of range");
        // In double: 2^(31 - left_shift) / mult, in (0, 1).
        tflm_xd_t a, b;
        tflm_xd_set(&a, 1, 31 - dd.left_shift);
        tflm_xd_set(&b, (uint64_t)(uint32_t)dd.mult, 0);
        tflm_xd_div(&a, &a, &b);
        TFLM_CHECK(node, a.m != 0 && a.e < 0, TFLM_ERR_BAD_QUANT, "log_softmax scale out of range");
        tflm_xd_qm(&a, 0, &dd.rev_mult, &dd.rev_shift);
    }
    tflm_log_softmax_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

static int32_t sat_add32(int32_t a, int32_t b) {
    int64_t s = (int64_t)a + b;
    return (int32_t)(s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : s));
}

static int32_t sat_sub32(int32_t a, int32_t b) {
    int64_t s = (int64_t)a - b;
    return (int32_t)(s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : s));
}

static int32_t sat_shl_param(int32_t x, int e) {
    return e == 0 ? x : tflm_fx_sat_shl(x, e);
}

static int clz_u32(uint32_t x) {
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

#define WADD(a, b) ((int32_t)((uint32_t)(a) + (uint32_t)(b)))
#define WSUB(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)))

// log(x) for x >= 1 given in Q12.19; result in Q5.26. Range reduction to
// [sqrt(1/2), sqrt(2)) by powers of two, then a rational approximation in
// z = 2 (r - 2^-1/4) (constants: round(2^31 * value)).
static int32_t log_q12_to_q5(int32_t x) {
    const int in_bits = SOFTMAX_ACC_INT_BITS;
    const int acc_bits = 6;
    const int32_t log_2 = 1488522236;           // ln 2
    const int32_t sqrt_sqrt_half = 1805811301;  // 2^-1/4
    const int32_t sqrt_half = 1518500250;       // 2^-1/2
    const int32_t alpha_n = 117049297;          // 11/240 * 2^1/4
    const int32_t alpha_d = 127690142;          // 1/20 * 2^1/4
    const int32_t alpha_i = 1057819769;         // 2 / 2^1/4 - 2^1/4
    const int32_t alpha_f = 638450708;          // 1/4 * 2^1/4
    const int32_t quarter_acc = tflm_rdbpot(1 << 29, acc_bits);  // 1/4 in Q6.25

    int hp1 = clz_u32((uint32_t)x);
    int32_t r_a = sat_shl_param(tflm_srdhm(sat_shl_param(x, hp1 - 1), sqrt_half), 1);
    int32_t pow_a = sat_add32(sat_shl_param(in_bits - hp1, 31 - acc_bits), quarter_acc);
    int32_t z_b = tflm_srdhm(x, sqrt_half);
    int hb = clz_u32((uint32_t)z_b) - 1;
    int32_t r_b = sat_shl_param(x, hb);
    int32_t pow_b = sat_sub32(sat_shl_param(in_bits - hb, 31 - acc_bits), quarter_acc);
    int32_t r = r_a < r_b ? r_a : r_b;
    int32_t pow2 = pow_a > pow_b ? pow_a : pow_b;

    int32_t p = tflm_fx_half_sum(r, sqrt_sqrt_half);
    int32_t q = WSUB(r, sqrt_sqrt_half);
    q = WADD(q, q);
    int32_t sq = tflm_srdhm(q, q);
    int32_t num = WADD(tflm_srdhm(q, r), tflm_srdhm(tflm_srdhm(q, sq), alpha_n));
    int32_t den = WADD(tflm_srdhm(p, WADD(WADD(alpha_i, q), tflm_srdhm(alpha_d, sq))), tflm_srdhm(alpha_f, q));
    int32_t recip = tflm_fx_one_over_one_plus(den);
    int32_t num_acc = tflm_rdbpot(num, acc_bits);
    int32_t sum = WADD(tflm_srdhm(pow2, log_2), tflm_srdhm(num_acc, recip));
    return tflm_fx_sat_shl(sum, acc_bits - SOFTMAX_DIFF_INT_BITS);
}

tflm_status_t tflm_log_softmax_eval(tflm_node_t *node) {
    const tflm_log_softmax_data_t *d = node->op_data;
    if (d->type == TFLM_FLOAT32) {
        const float *in = node->in[0].data;
        float *out = node->out[0].data;
        for (int32_t r = 0; r < d->outer; ++r) {
            const float *x = in + (size_t)r * (size_t)d->depth;
            float *y = out + (size_t)r * (size_t)d->depth;
            float mx = -FLT_MAX;
            for (int32_t c = 0; c < d->depth; ++c) {
                mx = mx < x[c] ? x[c] : mx;
            }
            float sum = 0.0f;
            for (int32_t c = 0; c < d->depth; ++c) {
                sum += expf(x[c] - mx);
            }
            float log_sum = logf(sum);
            for (int32_t c = 0; c < d->depth; ++c) {
                y[c] = x[c] - mx - log_sum;
            }
        }
        return TFLM_OK;
    }
    const int8_t *in = node->in[0].data;
    int8_t *out = node->out[0].data;
    for (int32_t r = 0; r < d->outer; ++r) {
        const int8_t *x = in + (size_t)r * (size_t)d->depth;
        int8_t *y = out + (size_t)r * (size_t)d->depth;
        int32_t mx = -128;
        for (int32_t c = 0; c < d->depth; ++c) {
            mx = x[c] > mx ? x[c] : mx;
        }
        uint32_t sum = 0;
        for (int32_t c = 0; c < d->depth; ++c) {
            int32_t diff = (int32_t)x[c] - mx;
            if (diff >= d->diff_min) {
                int32_t q5 = tflm_mul_qm(diff, d->mult, d->left_shift);
                sum += (uint32_t)tflm_rdbpot(tflm_fx_exp_neg(q5, SOFTMAX_DIFF_INT_BITS), SOFTMAX_ACC_INT_BITS);
            }
        }
        int32_t log_sum = log_q12_to_q5((int32_t)sum);
        int32_t lim = tflm_mul_qm(WADD(log_sum, INT32_MIN), d->rev_mult, d->rev_shift);
        int32_t adj_min = d->diff_min - 1 > lim ? d->diff_min - 1 : lim;
        for (int32_t c = 0; c < d->depth; ++c) {
            int32_t diff = (int32_t)x[c] - mx;
            int32_t v = -128;
            if (diff > adj_min) {
                int32_t q5 = tflm_mul_qm(diff, d->mult, d->left_shift);
                v = tflm_clamp(tflm_rdbpot(WSUB(q5, log_sum), 31 - SOFTMAX_DIFF_INT_BITS - 4) + 127, -128, 127);
            }
            y[c] = (int8_t)v;
        }
    }
    return TFLM_OK;
}
