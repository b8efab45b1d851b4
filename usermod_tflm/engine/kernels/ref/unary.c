// Pointwise unary math: ABS, NEG, EXP, LOG, SQRT, RSQRT, SQUARE, SIN, COS,
// ELU.
//
// float32 for all (libm float functions). Quantised paths where the
// reference has them:
// ABS int8 / int16: |x - zp_in| requantised (one multiplier, or none when
//   the scales are equal); int16 without quantisation is a plain abs.
// RSQRT int8 / int16 (int16: zero points 0, quantisation required): a
//   fixed-point Newton-Raphson 1/sqrt of (x - zp_in), then two multipliers
//   with 20 bits of headroom; inputs below zero fail.
// ELU int8: a 256-entry table built in prepare (exp(x) - 1 below zero).
#include <math.h>
#include "elem_util.h"
#include "qmath.h"
#include "elem_fixed.h"

enum { UN_ABS, UN_NEG, UN_EXP, UN_LOG, UN_SQRT, UN_RSQRT, UN_SQUARE, UN_SIN, UN_COS, UN_ELU };

typedef struct {
    int32_t kind;
    int32_t type;
    int32_t quantised;
    int32_t rescale;
    int32_t in_zp, out_zp;
    int32_t mult, shift;
    int32_t qmin, qmax;
    // ELU int8: followed in the arena by its int8[256] table.
} tflm_unary_data_t;

static tflm_status_t unary_prepare(tflm_node_t *node, int kind) {
    tflm_status_t st = tflm_elem_check_io(node, 1, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, in->elems == out->elems, TFLM_ERR_BAD_SHAPE, "output size differs from input");
    tflm_unary_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.kind = kind;
    dd.type = in->type;
    int ok = in->type == TFLM_FLOAT32;
    if (kind == UN_ABS) {
        ok = ok || in->type == TFLM_INT8 || in->type == TFLM_INT16;
    } else if (kind == UN_RSQRT) {
        ok = ok || in->type == TFLM_INT8 || (in->type == TFLM_INT16 && in->n_scales > 0);
    } else if (kind == UN_ELU) {
        ok = ok || in->type == TFLM_INT8;
    }
    TFLM_CHECK(node, ok, TFLM_ERR_UNSUPPORTED_TYPE, "type not supported by this op");
    if (in->type == TFLM_INT8 || (in->type == TFLM_INT16 && in->n_scales > 0)) {
        TFLM_CHECK(node, tflm_elem_per_tensor(in) && tflm_elem_per_tensor(out), TFLM_ERR_BAD_QUANT,
            "needs per-tensor quantisation");
        dd.quantised = 1;
        dd.in_zp = in->zero_point;
        dd.out_zp = out->zero_point;
        dd.qmin = in->type == TFLM_INT8 ? -128 : -32768;
        dd.qmax = in->type == TFLM_INT8 ? 127 : 32767;
        TFLM_CHECK(node, dd.in_zp >= dd.qmin && dd.in_zp <= dd.qmax && dd.out_zp >= dd.qmin && dd.out_zp <= dd.qmax,
            TFLM_ERR_BAD_QUANT, "zero point out of range");
        if (in->type == TFLM_INT16) {
            TFLM_CHECK(node, dd.in_zp == 0 && dd.out_zp == 0, TFLM_ERR_BAD_QUANT, "int16 needs zero points 0");
        }
        if (kind == UN_ABS) {
            dd.rescale = in->scale != out->scale;
            if (dd.rescale) {
                tflm_qm_ratio(in->scale, 1.0f, out->scale, 1.0f, 0, &dd.mult, &dd.shift);
            }
        } else if (kind == UN_RSQRT) {
            // 1.0 / (sqrt((double)s_in) * (double)s_out), rounded as in double.
            tflm_xd_t x, y;
            tflm_xd_f32(&x, in->scale);
            tflm_xd_sqrt(&x, &x);
            tflm_xd_f32(&y, out->scale);
            tflm_xd_mul(&x, &x, &y);
            tflm_xd_set(&y, 1, 0);
            tflm_xd_div(&x, &y, &x);
            tflm_xd_qm(&x, 0, &dd.mult, &dd.shift);
            TFLM_CHECK(node, dd.shift - 20 >= -31, TFLM_ERR_BAD_QUANT, "rsqrt multiplier out of range");
        }
    }
    int elu_table = kind == UN_ELU && in->type == TFLM_INT8;
    tflm_unary_data_t *d = tflm_persist(node, (uint32_t)sizeof(*d) + (elu_table ? 256u : 0u));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    if (elu_table) {
        // Dequantise each int8 value, transform in float, round, requantise.
        int8_t *table = (int8_t *)(d + 1);
        float inv_out = 1.0f / out->scale;
        for (int32_t v = -128; v <= 127; ++v) {
            float x = in->scale * (float)(v - in->zero_point);
            float y = x < 0.0f ? expf(x) - 1.0f : x;
            float q = roundf(y * inv_out) + (float)out->zero_point;
            int32_t qi = q >= 127.0f ? 127 : (q <= -128.0f ? -128 : (int32_t)q);
            table[(uint8_t)(int8_t)v] = (int8_t)qi;
        }
    }
    return TFLM_OK;
}

static float unary_f(int kind, float x) {
    switch (kind) {
        case UN_ABS:
            return fabsf(x);
        case UN_NEG:
            return -x;
        case UN_EXP:
            return expf(x);
        case UN_LOG:
            return logf(x);
        case UN_SQRT:
            return sqrtf(x);
        case UN_RSQRT:
            return 1.0f / sqrtf(x);
        case UN_SQUARE:
            return x * x;
        case UN_SIN:
            return sinf(x);
        case UN_COS:
            return cosf(x);
        default:
            return x < 0.0f ? expm1f(x) : x;
    }
}

// 1 / sqrt(x) for x > 1 as a Q31 multiplier and a right shift (negative:
// the reference's inverse-square-root helper with a reversed shift).
static void inv_sqrt_multiplier(int32_t x, int32_t *mult, int32_t *shift) {
    if (x <= 1) {
        *mult = INT32_MAX;
        *shift = 0;
        return;
    }
    int32_t s = 11;
    while (x >= (1 << 29)) {
        x /= 4;
        ++s;
    }
    int clz = 0;
    for (uint32_t u = (uint32_t)x; (u & 0x80000000u) == 0; u <<= 1) {
        ++clz;
    }
    int pairs = (clz - 1) / 2 - 1;
    s -= pairs;
    x <<= 2 * pairs;
    // Newton-Raphson in Q3.28 from 1.0: x <- 1.5 x - (input / 2) x^3.
    int32_t half_input = tflm_rdbpot(x >> 1, 1);
    const int32_t three_halves = (1 << 28) + (1 << 27);
    int32_t r = 1 << 28;
    for (int i = 0; i < 5; ++i) {
        int32_t r3 = tflm_fx_sat_shl(tflm_srdhm(tflm_srdhm(r, r), r), 6);
        int32_t a = tflm_srdhm(three_halves, r);
        int32_t b = tflm_srdhm(half_input, r3);
        r = tflm_fx_sat_shl((int32_t)((uint32_t)a - (uint32_t)b), 3);
    }
    r = tflm_srdhm(r, 1518500250);  // * sqrt(2) / 2
    if (s < 0) {
        r = (int32_t)((uint32_t)r << -s);
        s = 0;
    }
    *mult = r;
    *shift = -s;
}

static tflm_status_t unary_eval(tflm_node_t *node) {
    const tflm_unary_data_t *d = node->op_data;
    uint32_t n = node->in[0].elems;
    if (d->type == TFLM_FLOAT32) {
        const float *x = node->in[0].data;
        float *y = node->out[0].data;
        for (uint32_t i = 0; i < n; ++i) {
            y[i] = unary_f(d->kind, x[i]);
        }
        return TFLM_OK;
    }
    if (d->type == TFLM_INT16 && !d->quantised) {
        const int16_t *x = node->in[0].data;
        int16_t *y = node->out[0].data;
        for (uint32_t i = 0; i < n; ++i) {
            y[i] = tflm_wrap16(x[i] < 0 ? -(int32_t)x[i] : x[i]);
        }
        return TFLM_OK;
    }
    const int8_t *x8 = node->in[0].data;
    int8_t *y8 = node->out[0].data;
    const int16_t *x16 = node->in[0].data;
    int16_t *y16 = node->out[0].data;
    int is16 = d->type == TFLM_INT16;
    if (d->kind == UN_ELU) {
        const int8_t *table = (const int8_t *)(d + 1);
        for (uint32_t i = 0; i < n; ++i) {
            y8[i] = table[(uint8_t)x8[i]];
        }
        return TFLM_OK;
    }
    if (d->kind == UN_RSQRT) {
        for (uint32_t i = 0; i < n; ++i) {
            TFLM_CHECK(node, (is16 ? x16[i] : x8[i]) >= d->in_zp, TFLM_ERR_EVAL, "rsqrt of a negative value");
        }
    }
    for (uint32_t i = 0; i < n; ++i) {
        int32_t v = (is16 ? x16[i] : x8[i]) - d->in_zp;
        int32_t r;
        if (d->kind == UN_ABS) {
            v = v < 0 ? -v : v;
            // (wrapping adds: a hostile scale makes the product huge, as the reference's int32 arithmetic does)
            r = d->rescale ? tflm_add_wrap(tflm_mul_qm(v, d->mult, d->shift), d->out_zp) : v + d->out_zp;
        } else if (v == 0) {
            r = d->qmax;
        } else {
            int32_t im, is;
            inv_sqrt_multiplier(v, &im, &is);
            int32_t t = tflm_mul_qm(1, im, is + 20);
            r = tflm_add_wrap(tflm_mul_qm(t, d->mult, d->shift - 20), d->out_zp);
        }
        r = tflm_clamp(r, d->qmin, d->qmax);
        if (is16) {
            y16[i] = (int16_t)r;
        } else {
            y8[i] = (int8_t)r;
        }
    }
    return TFLM_OK;
}

#define TFLM_UNARY_OP(fn, KIND)                              \
    tflm_status_t tflm_##fn##_prepare(tflm_node_t *node) {   \
        return unary_prepare(node, KIND);                    \
    }                                                        \
    tflm_status_t tflm_##fn##_eval(tflm_node_t *node) {      \
        return unary_eval(node);                             \
    }

TFLM_UNARY_OP(abs, UN_ABS)
TFLM_UNARY_OP(neg, UN_NEG)
TFLM_UNARY_OP(exp, UN_EXP)
TFLM_UNARY_OP(log, UN_LOG)
TFLM_UNARY_OP(sqrt, UN_SQRT)
TFLM_UNARY_OP(rsqrt, UN_RSQRT)
TFLM_UNARY_OP(square, UN_SQUARE)
TFLM_UNARY_OP(sin, UN_SIN)
TFLM_UNARY_OP(cos, UN_COS)
TFLM_UNARY_OP(elu, UN_ELU)
