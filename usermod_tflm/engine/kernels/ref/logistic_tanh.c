// LOGISTIC and TANH: float32, int8 and int16 (16x8).
//
// int8: (x - zp) is rescaled to Q4.27 by a multiplier built with frexp
// (scale * 2^27), inputs beyond the representable radius saturate, the rest
// go through the fixed-point logistic/tanh and are rounded to the output
// (logistic: 1/256 with zero point -128; tanh: 1/128 with zero point 0).
//
// int16: zero points 0, output scale 2^-15; the input is rescaled to units
// of 1/12288 and goes through the shared int16 tables (act_q16.c).
#include <math.h>
#include "act_q16.h"
#include "elem_util.h"
#include "elem_fixed.h"
#include "qmath.h"

#define LT_INPUT_INT_BITS (4)

typedef struct {
    int32_t type;
    int32_t is_tanh;
    int32_t in_zp;
    int32_t radius;
    int32_t mult, left_shift;
} tflm_lt_data_t;

static tflm_status_t lt_prepare(tflm_node_t *node, int is_tanh) {
    tflm_status_t st = tflm_elem_check_io(node, 1, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, in->type == TFLM_FLOAT32 || in->type == TFLM_INT8 || in->type == TFLM_INT16,
        TFLM_ERR_UNSUPPORTED_TYPE, "logistic/tanh supports float32, int8 and int16");
    TFLM_CHECK(node, in->elems == out->elems, TFLM_ERR_BAD_SHAPE, "output size differs from input");
    tflm_lt_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.type = in->type;
    dd.is_tanh = is_tanh;
    if (in->type == TFLM_INT8) {
        TFLM_CHECK(node, tflm_elem_per_tensor(in), TFLM_ERR_BAD_QUANT, "needs per-tensor quantisation");
        TFLM_CHECK(node, in->zero_point >= -128 && in->zero_point <= 127, TFLM_ERR_BAD_QUANT, "zero point out of range");
        if (!is_tanh) {
            TFLM_CHECK(node, out->zero_point == -128, TFLM_ERR_BAD_QUANT, "int8 logistic output zero point must be -128");
        }
        dd.in_zp = in->zero_point;
        // frexp + round of s_in * 2^(31 - int bits) (exact in double).
        tflm_xd_t x;
        tflm_xd_f32(&x, in->scale);
        int32_t e = x.e + 1 + (31 - LT_INPUT_INT_BITS);
        int64_t m = (int64_t)((x.m + ((uint64_t)1 << 21)) >> 22);
        if (m == ((int64_t)1 << 31)) {
            m /= 2;
            ++e;
        }
        TFLM_CHECK(node, e >= 0 && e <= 30, TFLM_ERR_BAD_QUANT, "input scale out of range");
        dd.mult = (int32_t)m;
        dd.left_shift = e;
        // floor((2^int_bits - 1) * 2^(31 - int_bits) / 2^e)
        dd.radius = (int32_t)((((int64_t)1 << LT_INPUT_INT_BITS) - 1) << (31 - LT_INPUT_INT_BITS) >> e);
    } else if (in->type == TFLM_INT16) {
        TFLM_CHECK(node, tflm_elem_per_tensor(in) && tflm_elem_per_tensor(out), TFLM_ERR_BAD_QUANT,
            "needs per-tensor quantisation");
        TFLM_CHECK(node, in->zero_point == 0 && out->zero_point == 0, TFLM_ERR_BAD_QUANT,
            "int16 logistic/tanh needs zero points 0");
        int32_t l2 = 0;
        TFLM_CHECK(node, out->scale > 0.0f && tflm_q16_checked_log2(out->scale, &l2) && l2 == -15,
            TFLM_ERR_BAD_QUANT, "int16 logistic/tanh output scale must be 2^-15");
        TFLM_CHECK(node, tflm_q16_act_params(in->scale, is_tanh, &dd.mult, &dd.left_shift),
            TFLM_ERR_BAD_QUANT, "input scale out of range");
    }
    tflm_lt_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

static float logistic_f(float v) {
    if (v > 16.619047164916992188f) {
        return 1.0f;
    }
    if (v < -9.0f) {
        return expf(v);
    }
    return 1.0f / (1.0f + expf(-v));
}

static tflm_status_t lt_eval(tflm_node_t *node) {
    const tflm_lt_data_t *d = node->op_data;
    uint32_t n = node->in[0].elems;
    if (d->type == TFLM_FLOAT32) {
        const float *x = node->in[0].data;
        float *y = node->out[0].data;
        if (d->is_tanh) {
            for (uint32_t i = 0; i < n; ++i) {
                y[i] = tanhf(x[i]);
            }
        } else {
            for (uint32_t i = 0; i < n; ++i) {
                y[i] = logistic_f(x[i]);
            }
        }
        return TFLM_OK;
    }
    if (d->type == TFLM_INT16) {
        const int16_t *x = node->in[0].data;
        int16_t *y = node->out[0].data;
        if (d->is_tanh) {
            for (uint32_t i = 0; i < n; ++i) {
                y[i] = tflm_q16_tanh(x[i], d->mult, d->left_shift);
            }
        } else {
            for (uint32_t i = 0; i < n; ++i) {
                y[i] = tflm_q16_logistic(x[i], d->mult, d->left_shift);
            }
        }
        return TFLM_OK;
    }
    const int8_t *x = node->in[0].data;
    int8_t *y = node->out[0].data;
    for (uint32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)x[i] - d->in_zp;
        int32_t r;
        if (v <= -d->radius) {
            r = -128;
        } else if (v >= d->radius) {
            r = 127;
        } else {
            int32_t q4 = tflm_mul_qm(v, d->mult, d->left_shift);
            if (d->is_tanh) {
                r = tflm_rdbpot(tflm_fx_tanh(q4, LT_INPUT_INT_BITS), 24);
            } else {
                r = tflm_rdbpot(tflm_fx_logistic(q4, LT_INPUT_INT_BITS), 23) - 128;
            }
            r = tflm_clamp(r, -128, 127);
        }
        y[i] = (int8_t)r;
    }
    return TFLM_OK;
}

tflm_status_t tflm_logistic_prepare(tflm_node_t *node) {
    return lt_prepare(node, 0);
}

tflm_status_t tflm_logistic_eval(tflm_node_t *node) {
    return lt_eval(node);
}

tflm_status_t tflm_tanh_prepare(tflm_node_t *node) {
    return lt_prepare(node, 1);
}

tflm_status_t tflm_tanh_eval(tflm_node_t *node) {
    return lt_eval(node);
}
