// MUL: float32, int8, int16 (zero points 0) and int32, with numpy
// broadcasting and a fused activation. Quantised: the product of the
// offset inputs is rescaled by one multiplier s1 * s2 / s_out.
#include "elem_util.h"
#include "qmath.h"

typedef struct {
    tflm_bcast_t bc;
    int32_t type;
    int32_t in1_offset, in2_offset, out_offset;
    int32_t mult, shift;
    int32_t act_min, act_max;
    float f_min, f_max;
} tflm_mul_data_t;

typedef struct {
    const tflm_mul_data_t *d;
    const void *a;
    const void *b;
    void *o;
} tflm_mul_ctx_t;

tflm_status_t tflm_mul_prepare(tflm_node_t *node) {
    tflm_status_t st = tflm_elem_check_io(node, 2, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    TFLM_CHECK(node, a->type == o->type && b->type == o->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, o->type == TFLM_FLOAT32 || o->type == TFLM_INT8 || o->type == TFLM_INT16 || o->type == TFLM_INT32,
        TFLM_ERR_UNSUPPORTED_TYPE, "mul supports float32, int8, int16, int32");
    int act = tflm_opt_u8(node, 0, 0);
    TFLM_CHECK(node, act >= TFLM_ACT_NONE && act <= TFLM_ACT_RELU6, TFLM_ERR_BAD_PARAM, "unsupported fused activation");
    tflm_mul_data_t dd;
    memset(&dd, 0, sizeof(dd));
    st = tflm_bcast_prepare(node, a, b, o, &dd.bc);
    if (st != TFLM_OK) {
        return st;
    }
    dd.type = o->type;
    if (o->type == TFLM_INT8 || o->type == TFLM_INT16) {
        TFLM_CHECK(node, tflm_elem_per_tensor(a) && tflm_elem_per_tensor(b) && tflm_elem_per_tensor(o),
            TFLM_ERR_BAD_QUANT, "mul needs per-tensor quantisation");
        int32_t qmin = o->type == TFLM_INT8 ? -128 : -32768;
        int32_t qmax = o->type == TFLM_INT8 ? 127 : 32767;
        if (o->type == TFLM_INT16) {
            TFLM_CHECK(node, a->zero_point == 0 && b->zero_point == 0 && o->zero_point == 0, TFLM_ERR_BAD_QUANT,
                "int16 mul needs zero points 0");
        }
        TFLM_CHECK(node, a->zero_point >= qmin && a->zero_point <= qmax && b->zero_point >= qmin && b->zero_point <= qmax
            && o->zero_point >= qmin && o->zero_point <= qmax, TFLM_ERR_BAD_QUANT, "zero point out of range");
        dd.in1_offset = -a->zero_point;
        dd.in2_offset = -b->zero_point;
        dd.out_offset = o->zero_point;
        double real = (double)a->scale * (double)b->scale / (double)o->scale;
        tflm_quantize_multiplier(real, &dd.mult, &dd.shift);
        tflm_act_range_q(act, o->scale, o->zero_point, qmin, qmax, &dd.act_min, &dd.act_max);
    } else if (o->type == TFLM_FLOAT32) {
        tflm_act_range_f(act, &dd.f_min, &dd.f_max);
    } else {
        dd.act_min = INT32_MIN;
        dd.act_max = INT32_MAX;
        if (act == TFLM_ACT_RELU) {
            dd.act_min = 0;
        } else if (act == TFLM_ACT_RELU6) {
            dd.act_min = 0;
            dd.act_max = 6;
        } else if (act == TFLM_ACT_RELU_N1_TO_1) {
            dd.act_min = -1;
            dd.act_max = 1;
        }
    }
    tflm_mul_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

static inline int32_t mul_q(const tflm_mul_data_t *d, int32_t x, int32_t y) {
    int32_t p = (x + d->in1_offset) * (y + d->in2_offset);
    // Wrapping add (a saturated multiplier can reach INT32_MIN): as the reference on a device.
    int32_t r = (int32_t)((uint32_t)d->out_offset + (uint32_t)tflm_mul_qm(p, d->mult, d->shift));
    return tflm_clamp(r, d->act_min, d->act_max);
}

static void mul_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_mul_ctx_t *c = vctx;
    const int8_t *a = (const int8_t *)c->a + ia;
    const int8_t *b = (const int8_t *)c->b + ib;
    int8_t *o = (int8_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int8_t)mul_q(c->d, a[i * sa], b[i * sb]);
    }
}

static void mul_row_s16(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_mul_ctx_t *c = vctx;
    const int16_t *a = (const int16_t *)c->a + ia;
    const int16_t *b = (const int16_t *)c->b + ib;
    int16_t *o = (int16_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int16_t)mul_q(c->d, a[i * sa], b[i * sb]);
    }
}

static void mul_row_f32(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_mul_ctx_t *c = vctx;
    const float *a = (const float *)c->a + ia;
    const float *b = (const float *)c->b + ib;
    float *o = (float *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = tflm_clamp_f(a[i * sa] * b[i * sb], c->d->f_min, c->d->f_max);
    }
}

static void mul_row_s32(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_mul_ctx_t *c = vctx;
    const int32_t *a = (const int32_t *)c->a + ia;
    const int32_t *b = (const int32_t *)c->b + ib;
    int32_t *o = (int32_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        int32_t r = (int32_t)((uint32_t)a[i * sa] * (uint32_t)b[i * sb]);
        o[i] = tflm_clamp(r, c->d->act_min, c->d->act_max);
    }
}

tflm_status_t tflm_mul_eval(tflm_node_t *node) {
    const tflm_mul_data_t *d = node->op_data;
    tflm_mul_ctx_t c = { d, node->in[0].data, node->in[1].data, node->out[0].data };
    tflm_bcast_row_fn row = mul_row_f32;
    if (d->type == TFLM_INT8) {
        row = mul_row_s8;
    } else if (d->type == TFLM_INT16) {
        row = mul_row_s16;
    } else if (d->type == TFLM_INT32) {
        row = mul_row_s32;
    }
    tflm_bcast_run(&d->bc, row, &c);
    return TFLM_OK;
}
