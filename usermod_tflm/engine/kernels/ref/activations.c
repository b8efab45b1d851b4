// Pointwise activations: RELU, RELU_N1_TO_1, RELU6, LEAKY_RELU, HARD_SWISH.
//
// RELU / RELU_N1_TO_1 (int8, int16 with zero points 0): requantise
// in -> out with one multiplier, then clamp to the quantised range.
// RELU6 (int8, int16): clamps raw input values to [q(0), q(6)] of the input
// quantisation (the reference ignores the output quantisation).
// LEAKY_RELU (int8, int16): two multipliers, identity for x >= 0, alpha below.
// HARD_SWISH (int8): the reference's 16-bit fixed-point "reluish" scheme.
#include <math.h>
#include "elem_util.h"
#include "qmath.h"

typedef struct {
    int32_t type;
    int32_t kind;
    int32_t in_zp, out_zp;
    int32_t mult, shift;        // identity multiplier (relu, leaky x >= 0)
    int32_t mult2, shift2;      // leaky alpha multiplier
    int32_t act_min, act_max;   // quantised clamp
    float alpha;
    int32_t neg_alpha;          // leaky: mult2 holds |alpha multiplier|
    // hard swish
    int32_t hs_out_mult16, hs_out_exp;
    int32_t hs_rel_mult16, hs_rel_exp;
} tflm_act_data_t;

enum { ACT_RELU, ACT_RELU_N1_TO_1, ACT_RELU6, ACT_LEAKY, ACT_HARD_SWISH };

static int32_t act_q(float v, float scale, int32_t zp) {
    return tflm_quantize_val(v, scale, zp);
}

static tflm_status_t act_prepare(tflm_node_t *node, int kind) {
    tflm_status_t st = tflm_elem_check_io(node, 1, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, in->elems == out->elems, TFLM_ERR_BAD_SHAPE, "output size differs from input");
    int q16 = in->type == TFLM_INT16;
    if (kind == ACT_HARD_SWISH) {
        TFLM_CHECK(node, in->type == TFLM_FLOAT32 || in->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
            "hard_swish supports float32 and int8");
    } else {
        TFLM_CHECK(node, in->type == TFLM_FLOAT32 || in->type == TFLM_INT8 || q16, TFLM_ERR_UNSUPPORTED_TYPE,
            "activation supports float32, int8, int16");
    }
    tflm_act_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.type = in->type;
    dd.kind = kind;
    if (kind == ACT_LEAKY) {
        dd.alpha = tflm_opt_f32(node, 0, 0.0f);
    }
    if (in->type != TFLM_FLOAT32) {
        int32_t qmin = q16 ? -32768 : -128;
        int32_t qmax = q16 ? 32767 : 127;
        TFLM_CHECK(node, tflm_elem_per_tensor(in), TFLM_ERR_BAD_QUANT, "activation needs per-tensor quantisation");
        if (kind != ACT_RELU6) {
            TFLM_CHECK(node, tflm_elem_per_tensor(out), TFLM_ERR_BAD_QUANT, "activation needs per-tensor quantisation");
        }
        TFLM_CHECK(node, in->zero_point >= qmin && in->zero_point <= qmax && out->zero_point >= qmin
            && out->zero_point <= qmax, TFLM_ERR_BAD_QUANT, "zero point out of range");
        dd.in_zp = in->zero_point;
        dd.out_zp = out->zero_point;
        dd.act_min = qmin;
        dd.act_max = qmax;
        if (kind == ACT_RELU || kind == ACT_RELU_N1_TO_1) {
            if (q16) {
                TFLM_CHECK(node, in->zero_point == 0 && out->zero_point == 0, TFLM_ERR_BAD_QUANT,
                    "int16 relu needs zero points 0");
            }
            tflm_qm_ratio(in->scale, 1.0f, out->scale, 1.0f, 0, &dd.mult, &dd.shift);
            float lo = kind == ACT_RELU ? 0.0f : -1.0f;
            int32_t a = act_q(lo, out->scale, out->zero_point);
            dd.act_min = a > qmin ? a : qmin;
            if (kind == ACT_RELU_N1_TO_1) {
                int32_t b = act_q(1.0f, out->scale, out->zero_point);
                dd.act_max = b < qmax ? b : qmax;
            }
        } else if (kind == ACT_RELU6) {
            int32_t six = act_q(6.0f, in->scale, in->zero_point);
            dd.act_min = in->zero_point;
            dd.act_max = six < qmin ? qmin : (six > qmax ? qmax : six);
        } else if (kind == ACT_LEAKY) {
            tflm_qm_ratio(in->scale, 1.0f, out->scale, 1.0f, 1, &dd.mult, &dd.shift);
            tflm_qm_ratio(in->scale, dd.alpha, out->scale, 1.0f, 1, &dd.mult2, &dd.shift2);
            // A negative alpha is applied as a positive multiplier and a negation.
            dd.neg_alpha = dd.mult2 < 0;
            if (dd.neg_alpha) {
                dd.mult2 = -dd.mult2;
            }
        } else {
            float hires_scale = (1.0f / 128.0f) * in->scale;
            float reluish_scale = 3.0f / 32768.0f;
            int32_t m32 = 0, e = 0;
            tflm_qm_ratio(hires_scale / out->scale, 1.0f, 1.0f, 1.0f, 0, &m32, &e);
            dd.hs_out_mult16 = m32 >= INT32_MAX - (1 << 15) ? 32767 : (m32 + (1 << 15)) >> 16;
            dd.hs_out_exp = e;
            TFLM_CHECK(node, e <= 0 && e >= -31, TFLM_ERR_BAD_QUANT, "hard_swish output multiplier out of range");
            tflm_qm_ratio(hires_scale / reluish_scale, 1.0f, 1.0f, 1.0f, 0, &m32, &e);
            dd.hs_rel_mult16 = m32 >= INT32_MAX - (1 << 15) ? 32767 : (m32 + (1 << 15)) >> 16;
            dd.hs_rel_exp = e;
            TFLM_CHECK(node, e >= -31 && e <= 30, TFLM_ERR_BAD_QUANT, "hard_swish reluish multiplier out of range");
        }
    }
    tflm_act_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

// 16-bit fixed-point primitives of the hard-swish reference, with the
// 16-bit wraparound of its int16 intermediates.
static int16_t srdhm16(int16_t a, int16_t b) {
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    int32_t ab = (int32_t)a * (int32_t)b;
    int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return tflm_wrap16((ab + nudge) / (1 << 15));
}

static int16_t sdhm16(int16_t a, int16_t b) {
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    return tflm_wrap16(((int32_t)a * (int32_t)b) / (1 << 15));
}

static int16_t rdbpot16(int16_t x, int e) {
    int16_t mask = tflm_wrap16((int32_t)(((int64_t)1 << e) - 1));
    int16_t rem = (int16_t)(x & mask);
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return tflm_wrap16((x >> e) + (rem > threshold ? 1 : 0));
}

static int16_t sat_shl16(int16_t v, int amount) {
    int64_t r = (int64_t)v * ((int64_t)1 << amount);
    return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

static int8_t hard_swish_s8(const tflm_act_data_t *d, int8_t x) {
    int16_t in_v = (int16_t)(x - d->in_zp);
    int16_t hires = tflm_wrap16(in_v * (1 << 7));
    int16_t pre_out = srdhm16(hires, (int16_t)d->hs_out_mult16);
    int16_t rel = hires;
    if (d->hs_rel_exp > 0) {
        rel = sat_shl16(rel, d->hs_rel_exp - 1);
    }
    rel = srdhm16(rel, (int16_t)d->hs_rel_mult16);
    if (d->hs_rel_exp > 0) {
        rel = sat_shl16(rel, 1);
    }
    if (d->hs_rel_exp < 0) {
        rel = rdbpot16(rel, -d->hs_rel_exp);
    }
    rel = tflm_wrap16((rel + (1 << 15)) >> 1);
    int16_t pre = sdhm16(rel, pre_out);
    int16_t ov = rdbpot16(pre, -d->hs_out_exp);
    ov = tflm_wrap16(ov + d->out_zp);
    return (int8_t)(ov > 127 ? 127 : (ov < -128 ? -128 : ov));
}

static inline int32_t act_q_elem(const tflm_act_data_t *d, int32_t x) {
    int32_t v = x - d->in_zp;
    int32_t r;
    switch (d->kind) {
        case ACT_RELU6:
            return x < d->act_min ? d->act_min : (x > d->act_max ? d->act_max : x);
        case ACT_LEAKY:
            if (v >= 0) {
                r = tflm_add_wrap(d->out_zp, tflm_mul_qm(v, d->mult, d->shift));
            } else {
                int32_t a = tflm_mul_qm(v, d->mult2, d->shift2);
                r = tflm_add_wrap(d->out_zp, d->neg_alpha ? (int32_t)(0u - (uint32_t)a) : a);
            }
            break;
        default:
            r = tflm_add_wrap(d->out_zp, tflm_mul_qm(v, d->mult, d->shift));
            break;
    }
    return tflm_clamp(r, d->act_min, d->act_max);
}

static inline float act_f(const tflm_act_data_t *d, float x) {
    switch (d->kind) {
        case ACT_RELU:
            return x < 0.0f ? 0.0f : x;
        case ACT_RELU6:
            return x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x);
        case ACT_RELU_N1_TO_1:
            return x > 1.0f ? 1.0f : (x < -1.0f ? -1.0f : x);
        case ACT_LEAKY:
            return x > 0.0f ? x : x * d->alpha;
        default: {
            float t = x + 3.0f;
            t = 0.0f < t ? t : 0.0f;
            t = t < 6.0f ? t : 6.0f;
            return x * t / 6.0f;
        }
    }
}

static tflm_status_t act_eval(tflm_node_t *node) {
    const tflm_act_data_t *d = node->op_data;
    uint32_t n = node->in[0].elems;
    if (d->type == TFLM_FLOAT32) {
        const float *x = node->in[0].data;
        float *y = node->out[0].data;
        for (uint32_t i = 0; i < n; ++i) {
            y[i] = act_f(d, x[i]);
        }
    } else if (d->type == TFLM_INT8) {
        const int8_t *x = node->in[0].data;
        int8_t *y = node->out[0].data;
        if (d->kind == ACT_HARD_SWISH) {
            for (uint32_t i = 0; i < n; ++i) {
                y[i] = hard_swish_s8(d, x[i]);
            }
        } else {
            for (uint32_t i = 0; i < n; ++i) {
                y[i] = (int8_t)act_q_elem(d, x[i]);
            }
        }
    } else {
        const int16_t *x = node->in[0].data;
        int16_t *y = node->out[0].data;
        for (uint32_t i = 0; i < n; ++i) {
            y[i] = (int16_t)act_q_elem(d, x[i]);
        }
    }
    return TFLM_OK;
}

tflm_status_t tflm_relu_prepare(tflm_node_t *node) {
    return act_prepare(node, ACT_RELU);
}

tflm_status_t tflm_relu_eval(tflm_node_t *node) {
    return act_eval(node);
}

tflm_status_t tflm_relu_n1_to_1_prepare(tflm_node_t *node) {
    return act_prepare(node, ACT_RELU_N1_TO_1);
}

tflm_status_t tflm_relu_n1_to_1_eval(tflm_node_t *node) {
    return act_eval(node);
}

tflm_status_t tflm_relu6_prepare(tflm_node_t *node) {
    return act_prepare(node, ACT_RELU6);
}

tflm_status_t tflm_relu6_eval(tflm_node_t *node) {
    return act_eval(node);
}

tflm_status_t tflm_leaky_relu_prepare(tflm_node_t *node) {
    return act_prepare(node, ACT_LEAKY);
}

tflm_status_t tflm_leaky_relu_eval(tflm_node_t *node) {
    return act_eval(node);
}

tflm_status_t tflm_hard_swish_prepare(tflm_node_t *node) {
    return act_prepare(node, ACT_HARD_SWISH);
}

tflm_status_t tflm_hard_swish_eval(tflm_node_t *node) {
    return act_eval(node);
}
