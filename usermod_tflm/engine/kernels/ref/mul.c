// MUL: float32, int8, int16 (zero points 0) and int32, with numpy
// broadcasting and a fused activation. Quantised: the product of the
// offset inputs is rescaled by one multiplier s1 * s2 / s_out.
#include "elem_util.h"
#include "qmath.h"

tflm_status_t tflm_mul_prepare(tflm_node_t *node) {
    tflm_ebin_t dd;
    tflm_status_t st = tflm_ebin_prepare(node, &dd, TFLM_EBIN_T(TFLM_FLOAT32) | TFLM_EBIN_T(TFLM_INT8)
        | TFLM_EBIN_T(TFLM_INT16) | TFLM_EBIN_T(TFLM_INT32), TFLM_EBIN_ACT | TFLM_EBIN_QUANT);
    if (st != TFLM_OK) {
        return st;
    }
    if (dd.ta == TFLM_INT8 || dd.ta == TFLM_INT16) {
        TFLM_CHECK(node, dd.ta == TFLM_INT8 || (dd.in1_offset == 0 && dd.in2_offset == 0 && dd.out_offset == 0),
            TFLM_ERR_BAD_QUANT, "int16 mul needs zero points 0");
        tflm_qm_ratio(node->in[0].scale, node->in[1].scale, node->out[0].scale, 1.0f, 0, &dd.mo, &dd.so);
    }
    return tflm_ebin_persist(node, &dd, TFLM_EBIN_UPTO(act_max));
}

static inline int32_t mul_q(const tflm_ebin_t *d, int32_t x, int32_t y) {
    int32_t p = (x + d->in1_offset) * (y + d->in2_offset);
    // Wrapping add (a saturated multiplier can reach INT32_MIN): as the reference on a device.
    return tflm_clamp(tflm_add_wrap(tflm_mul_qm(p, d->mo, d->so), d->out_offset), d->act_min, d->act_max);
}

static int32_t mul_i(const tflm_ebin_t *d, int32_t x, int32_t y) {
    if (d->ta != TFLM_INT32) {
        return mul_q(d, x, y);
    }
    return tflm_clamp((int32_t)((uint32_t)x * (uint32_t)y), d->act_min, d->act_max);
}

// int8 without the walker's per-element call.
static void mul_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_node_t *node = vctx;
    const tflm_ebin_t *d = node->op_data;
    const int8_t *a = (const int8_t *)node->in[0].data + ia;
    const int8_t *b = (const int8_t *)node->in[1].data + ib;
    int8_t *o = (int8_t *)node->out[0].data + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int8_t)mul_q(d, a[i * sa], b[i * sb]);
    }
}

static void mul_f(const tflm_ebin_t *d, const float *a, int32_t sa, const float *b, int32_t sb, void *vo, int32_t n) {
    float *o = vo;
    float lo = tflm_ebin_fmin(d), hi = tflm_ebin_fmax(d);
    for (int32_t i = 0; i < n; ++i) {
        o[i] = tflm_clamp_f(a[i * sa] * b[i * sb], lo, hi);
    }
}

tflm_status_t tflm_mul_eval(tflm_node_t *node) {
    const tflm_ebin_t *d = node->op_data;
    if (d->ta == TFLM_INT8) {
        tflm_bcast_run(&d->bc, mul_row_s8, node);
        return TFLM_OK;
    }
    return tflm_ebin_run(node, mul_i, mul_f);
}
