// PRELU: x >= 0 ? x : alpha * x, alpha broadcast against x.
// float32; int8 (int8 alpha) and int16 (int8 alpha): identity multiplier
// s_in / s_out for x >= 0, product multiplier s_in * s_alpha / s_out on
// (x - zp_in) * (alpha - zp_alpha) below zero.
#include "elem_util.h"
#include "qmath.h"

typedef struct {
    tflm_bcast_t bc;
    int32_t type;
    int32_t in_offset, alpha_offset, out_offset;
    int32_t mult1, shift1;
    int32_t mult2, shift2;
    int32_t qmin, qmax;
} tflm_prelu_data_t;

typedef struct {
    const tflm_prelu_data_t *d;
    const void *x;
    const void *alpha;
    void *o;
} tflm_prelu_ctx_t;

tflm_status_t tflm_prelu_prepare(tflm_node_t *node) {
    tflm_status_t st = tflm_elem_check_io(node, 2, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *x = &node->in[0];
    const tflm_tensor_t *al = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    TFLM_CHECK(node, x->type == o->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    int ok = (x->type == TFLM_FLOAT32 && al->type == TFLM_FLOAT32)
        || ((x->type == TFLM_INT8 || x->type == TFLM_INT16) && al->type == TFLM_INT8);
    TFLM_CHECK(node, ok, TFLM_ERR_UNSUPPORTED_TYPE, "prelu supports float32, int8 and int16 (int8 alpha)");
    tflm_prelu_data_t dd;
    memset(&dd, 0, sizeof(dd));
    st = tflm_bcast_prepare(node, x, al, o, &dd.bc);
    if (st != TFLM_OK) {
        return st;
    }
    dd.type = x->type;
    if (x->type != TFLM_FLOAT32) {
        TFLM_CHECK(node, tflm_elem_per_tensor(x) && tflm_elem_per_tensor(al) && tflm_elem_per_tensor(o),
            TFLM_ERR_BAD_QUANT, "prelu needs per-tensor quantisation");
        dd.qmin = x->type == TFLM_INT8 ? -128 : -32768;
        dd.qmax = x->type == TFLM_INT8 ? 127 : 32767;
        TFLM_CHECK(node, x->zero_point >= dd.qmin && x->zero_point <= dd.qmax && o->zero_point >= dd.qmin
            && o->zero_point <= dd.qmax && al->zero_point >= -128 && al->zero_point <= 127, TFLM_ERR_BAD_QUANT,
            "zero point out of range");
        dd.in_offset = -x->zero_point;
        dd.alpha_offset = -al->zero_point;
        dd.out_offset = o->zero_point;
        tflm_quantize_multiplier((double)x->scale / (double)o->scale, &dd.mult1, &dd.shift1);
        tflm_quantize_multiplier((double)x->scale * (double)al->scale / (double)o->scale, &dd.mult2, &dd.shift2);
    }
    tflm_prelu_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

static inline int32_t prelu_q(const tflm_prelu_data_t *d, int32_t x, int32_t a) {
    int32_t v = d->in_offset + x;
    int32_t r;
    if (v >= 0) {
        r = tflm_mul_qm(v, d->mult1, d->shift1);
    } else {
        r = tflm_mul_qm(v * (d->alpha_offset + a), d->mult2, d->shift2);
    }
    return tflm_clamp(r + d->out_offset, d->qmin, d->qmax);
}

static void prelu_row_f32(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_prelu_ctx_t *c = vctx;
    const float *x = (const float *)c->x + ia;
    const float *al = (const float *)c->alpha + ib;
    float *o = (float *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        float v = x[i * sa];
        o[i] = v >= 0.0f ? v : v * al[i * sb];
    }
}

static void prelu_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_prelu_ctx_t *c = vctx;
    const int8_t *x = (const int8_t *)c->x + ia;
    const int8_t *al = (const int8_t *)c->alpha + ib;
    int8_t *o = (int8_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int8_t)prelu_q(c->d, x[i * sa], al[i * sb]);
    }
}

static void prelu_row_s16(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_prelu_ctx_t *c = vctx;
    const int16_t *x = (const int16_t *)c->x + ia;
    const int8_t *al = (const int8_t *)c->alpha + ib;
    int16_t *o = (int16_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int16_t)prelu_q(c->d, x[i * sa], al[i * sb]);
    }
}

tflm_status_t tflm_prelu_eval(tflm_node_t *node) {
    const tflm_prelu_data_t *d = node->op_data;
    tflm_prelu_ctx_t c = { d, node->in[0].data, node->in[1].data, node->out[0].data };
    tflm_bcast_row_fn row = prelu_row_f32;
    if (d->type == TFLM_INT8) {
        row = prelu_row_s8;
    } else if (d->type == TFLM_INT16) {
        row = prelu_row_s16;
    }
    tflm_bcast_run(&d->bc, row, &c);
    return TFLM_OK;
}
