// PRELU: x >= 0 ? x : alpha * x, alpha broadcast against x.
// float32; int8 (int8 alpha) and int16 (int8 alpha): identity multiplier
// s_in / s_out for x >= 0, product multiplier s_in * s_alpha / s_out on
// (x - zp_in) * (alpha - zp_alpha) below zero.
#include "elem_util.h"
#include "qmath.h"

tflm_status_t tflm_prelu_prepare(tflm_node_t *node) {
    tflm_ebin_t dd;
    tflm_status_t st = tflm_ebin_prepare(node, &dd, TFLM_EBIN_T(TFLM_FLOAT32) | TFLM_EBIN_T(TFLM_INT8)
        | TFLM_EBIN_T(TFLM_INT16), TFLM_EBIN_QUANT | TFLM_EBIN_ALPHA8);
    if (st != TFLM_OK) {
        return st;
    }
    if (dd.ta != TFLM_FLOAT32) {
        const tflm_tensor_t *x = &node->in[0];
        const tflm_tensor_t *o = &node->out[0];
        tflm_qm_ratio(x->scale, 1.0f, o->scale, 1.0f, 0, &dd.mo, &dd.so);
        tflm_qm_ratio(x->scale, node->in[1].scale, o->scale, 1.0f, 0, &dd.m1, &dd.s1);
    }
    return tflm_ebin_persist(node, &dd, TFLM_EBIN_UPTO(s1));
}

static int32_t prelu_i(const tflm_ebin_t *d, int32_t x, int32_t a) {
    int32_t v = d->in1_offset + x;
    int32_t r;
    if (v >= 0) {
        r = tflm_mul_qm(v, d->mo, d->so);
    } else {
        r = tflm_mul_qm(v * (d->in2_offset + a), d->m1, d->s1);
    }
    return tflm_clamp(tflm_add_wrap(r, d->out_offset), d->act_min, d->act_max);
}

static void prelu_f(const tflm_ebin_t *d, const float *x, int32_t sx, const float *al, int32_t sa, void *vo,
    int32_t n) {
    float *o = vo;
    for (int32_t i = 0; i < n; ++i) {
        float v = x[i * sx];
        o[i] = v >= 0.0f ? v : v * al[i * sa];
    }
}

tflm_status_t tflm_prelu_eval(tflm_node_t *node) {
    return tflm_ebin_run(node, prelu_i, prelu_f);
}
