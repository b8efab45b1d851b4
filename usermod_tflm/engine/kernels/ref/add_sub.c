// ADD and SUB: float32, int8, int16 (general rescaling path) and int32, with
// numpy broadcasting up to 6 dims and a fused activation.
//
// Quantised: both inputs are moved to a common scale of 2 * max(s1, s2)
// with `left_shift` (20 for int8, 15 for int16) bits of headroom, each by its
// own Q31 multiplier, then added/subtracted and rescaled to the output.
#include "elem_util.h"
#include "qmath.h"

typedef struct {
    tflm_bcast_t bc;
    int32_t type;
    int32_t sub;
    int32_t in1_offset, in2_offset, out_offset;
    int32_t left_shift;
    int32_t in1_mult, in1_shift;
    int32_t in2_mult, in2_shift;
    int32_t out_mult, out_shift;
    int32_t act_min, act_max;
    float f_min, f_max;
} tflm_addsub_data_t;

typedef struct {
    const tflm_addsub_data_t *d;
    const void *a;
    const void *b;
    void *o;
} tflm_addsub_ctx_t;

static tflm_status_t addsub_prepare(tflm_node_t *node, int sub) {
    tflm_status_t st = tflm_elem_check_io(node, 2, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    TFLM_CHECK(node, a->type == o->type && b->type == o->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, o->type == TFLM_FLOAT32 || o->type == TFLM_INT8 || o->type == TFLM_INT16 || o->type == TFLM_INT32,
        TFLM_ERR_UNSUPPORTED_TYPE, "add/sub supports float32, int8, int16, int32");
    int act = tflm_opt_u8(node, 0, 0);
    TFLM_CHECK(node, act >= TFLM_ACT_NONE && act <= TFLM_ACT_RELU6, TFLM_ERR_BAD_PARAM, "unsupported fused activation");
    tflm_bcast_t bc;
    st = tflm_bcast_prepare(node, a, b, o, &bc);
    if (st != TFLM_OK) {
        return st;
    }
    tflm_addsub_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.bc = bc;
    dd.type = o->type;
    dd.sub = sub;
    if (o->type == TFLM_INT8 || o->type == TFLM_INT16) {
        TFLM_CHECK(node, tflm_elem_per_tensor(a) && tflm_elem_per_tensor(b) && tflm_elem_per_tensor(o),
            TFLM_ERR_BAD_QUANT, "add/sub needs per-tensor quantisation");
        int32_t qmin = o->type == TFLM_INT8 ? -128 : -32768;
        int32_t qmax = o->type == TFLM_INT8 ? 127 : 32767;
        TFLM_CHECK(node, a->zero_point >= qmin && a->zero_point <= qmax && b->zero_point >= qmin && b->zero_point <= qmax
            && o->zero_point >= qmin && o->zero_point <= qmax, TFLM_ERR_BAD_QUANT, "zero point out of range");
        dd.in1_offset = -a->zero_point;
        dd.in2_offset = -b->zero_point;
        dd.out_offset = o->zero_point;
        dd.left_shift = o->type == TFLM_INT8 ? 20 : 15;
        double twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
        double r1 = (double)a->scale / twice_max;
        double r2 = (double)b->scale / twice_max;
        double ro = twice_max / ((double)(1 << dd.left_shift) * (double)o->scale);
        TFLM_CHECK(node, r1 > 0.0 && r1 < 1.0 && r2 > 0.0 && r2 < 1.0 && ro > 0.0 && ro < 1.0,
            TFLM_ERR_BAD_QUANT, "add/sub scales out of range");
        tflm_quantize_multiplier(r1, &dd.in1_mult, &dd.in1_shift);
        tflm_quantize_multiplier(r2, &dd.in2_mult, &dd.in2_shift);
        tflm_quantize_multiplier(ro, &dd.out_mult, &dd.out_shift);
        TFLM_CHECK(node, dd.in1_shift <= 0 && dd.in2_shift <= 0 && dd.out_shift <= 0, TFLM_ERR_BAD_QUANT,
            "add/sub multiplier not below one");
        tflm_act_range_q(act, o->scale, o->zero_point, qmin, qmax, &dd.act_min, &dd.act_max);
    } else if (o->type == TFLM_FLOAT32) {
        tflm_act_range_f(act, &dd.f_min, &dd.f_max);
    } else {
        // int32: the reference ADD ignores the activation, SUB applies it.
        dd.act_min = INT32_MIN;
        dd.act_max = INT32_MAX;
        if (sub && act == TFLM_ACT_RELU) {
            dd.act_min = 0;
        } else if (sub && act == TFLM_ACT_RELU6) {
            dd.act_min = 0;
            dd.act_max = 6;
        } else if (sub && act == TFLM_ACT_RELU_N1_TO_1) {
            dd.act_min = -1;
            dd.act_max = 1;
        }
    }
    tflm_addsub_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

// One quantised element: both inputs to the common scale, combine, rescale.
static inline int32_t addsub_q(const tflm_addsub_data_t *d, int32_t x, int32_t y) {
    int32_t xs = (int32_t)((uint32_t)(x + d->in1_offset) << d->left_shift);
    int32_t ys = (int32_t)((uint32_t)(y + d->in2_offset) << d->left_shift);
    int32_t xv = tflm_mul_qm(xs, d->in1_mult, d->in1_shift);
    int32_t yv = tflm_mul_qm(ys, d->in2_mult, d->in2_shift);
    int32_t raw = (int32_t)(d->sub ? (uint32_t)xv - (uint32_t)yv : (uint32_t)xv + (uint32_t)yv);
    int32_t out = tflm_add_wrap(tflm_mul_qm(raw, d->out_mult, d->out_shift), d->out_offset);
    return tflm_clamp(out, d->act_min, d->act_max);
}

static void addsub_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_addsub_ctx_t *c = vctx;
    const int8_t *a = (const int8_t *)c->a + ia;
    const int8_t *b = (const int8_t *)c->b + ib;
    int8_t *o = (int8_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int8_t)addsub_q(c->d, a[i * sa], b[i * sb]);
    }
}

static void addsub_row_s16(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_addsub_ctx_t *c = vctx;
    const int16_t *a = (const int16_t *)c->a + ia;
    const int16_t *b = (const int16_t *)c->b + ib;
    int16_t *o = (int16_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int16_t)addsub_q(c->d, a[i * sa], b[i * sb]);
    }
}

static void addsub_row_f32(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_addsub_ctx_t *c = vctx;
    const float *a = (const float *)c->a + ia;
    const float *b = (const float *)c->b + ib;
    float *o = (float *)c->o + io;
    float lo = c->d->f_min, hi = c->d->f_max;
    if (c->d->sub) {
        for (int32_t i = 0; i < n; ++i) {
            o[i] = tflm_clamp_f(a[i * sa] - b[i * sb], lo, hi);
        }
    } else {
        for (int32_t i = 0; i < n; ++i) {
            o[i] = tflm_clamp_f(a[i * sa] + b[i * sb], lo, hi);
        }
    }
}

static void addsub_row_s32(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_addsub_ctx_t *c = vctx;
    const int32_t *a = (const int32_t *)c->a + ia;
    const int32_t *b = (const int32_t *)c->b + ib;
    int32_t *o = (int32_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        uint32_t x = (uint32_t)a[i * sa], y = (uint32_t)b[i * sb];
        int32_t r = (int32_t)(c->d->sub ? x - y : x + y);
        o[i] = tflm_clamp(r, c->d->act_min, c->d->act_max);
    }
}

static tflm_status_t addsub_eval(tflm_node_t *node) {
    const tflm_addsub_data_t *d = node->op_data;
    tflm_addsub_ctx_t c = { d, node->in[0].data, node->in[1].data, node->out[0].data };
    tflm_bcast_row_fn row = addsub_row_f32;
    if (d->type == TFLM_INT8) {
        row = addsub_row_s8;
    } else if (d->type == TFLM_INT16) {
        row = addsub_row_s16;
    } else if (d->type == TFLM_INT32) {
        row = addsub_row_s32;
    }
    tflm_bcast_run(&d->bc, row, &c);
    return TFLM_OK;
}

tflm_status_t tflm_add_prepare(tflm_node_t *node) {
    return addsub_prepare(node, 0);
}

tflm_status_t tflm_add_eval(tflm_node_t *node) {
    return addsub_eval(node);
}

tflm_status_t tflm_sub_prepare(tflm_node_t *node) {
    return addsub_prepare(node, 1);
}

tflm_status_t tflm_sub_eval(tflm_node_t *node) {
    return addsub_eval(node);
}

// ADD_N: elementwise sum of n >= 2 same-shaped inputs; float32 (summed in
// input order from 0) and int8 (all inputs share one quantisation; each is
// moved to 2 * s_in with 20 bits of headroom and summed onto a start value
// that is the reference's rescaled input offset, then rescaled to the
// output).
typedef struct {
    int32_t type;
    int32_t n_in;
    int32_t in_offset, out_offset;
    int32_t in_mult, in_shift;
    int32_t out_mult, out_shift;
} tflm_addn_data_t;

tflm_status_t tflm_add_n_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in >= 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "add_n needs >= 2 inputs and 1 output");
    const tflm_tensor_t *o = &node->out[0];
    TFLM_CHECK(node, o->index >= 0, TFLM_ERR_BAD_PARAM, "missing output");
    TFLM_CHECK(node, o->type == TFLM_FLOAT32 || o->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
        "add_n supports float32 and int8");
    const tflm_tensor_t *a = &node->in[0];
    for (int32_t i = 0; i < node->n_in; ++i) {
        const tflm_tensor_t *t = &node->in[i];
        TFLM_CHECK(node, t->index >= 0, TFLM_ERR_BAD_PARAM, "missing input");
        TFLM_CHECK(node, t->type == o->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
        TFLM_CHECK(node, tflm_same_shape(t, a) && t->elems == o->elems, TFLM_ERR_BAD_SHAPE, "add_n shapes differ");
        if (o->type == TFLM_INT8) {
            TFLM_CHECK(node, tflm_elem_per_tensor(t) && t->scale == a->scale && t->zero_point == a->zero_point,
                TFLM_ERR_BAD_QUANT, "add_n inputs need one quantisation");
        }
    }
    tflm_addn_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.type = o->type;
    dd.n_in = node->n_in;
    if (o->type == TFLM_INT8) {
        TFLM_CHECK(node, tflm_elem_per_tensor(o) && a->zero_point >= -128 && a->zero_point <= 127
            && o->zero_point >= -128 && o->zero_point <= 127, TFLM_ERR_BAD_QUANT, "bad add_n quantisation");
        dd.in_offset = -a->zero_point;
        dd.out_offset = o->zero_point;
        double twice = 2.0 * (double)a->scale;
        double ro = twice / ((double)(1 << 20) * (double)o->scale);
        tflm_quantize_multiplier((double)a->scale / twice, &dd.in_mult, &dd.in_shift);
        TFLM_CHECK(node, ro > 0.0 && ro < 1.0, TFLM_ERR_BAD_QUANT, "add_n scales out of range");
        tflm_quantize_multiplier(ro, &dd.out_mult, &dd.out_shift);
    }
    tflm_addn_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

tflm_status_t tflm_add_n_eval(tflm_node_t *node) {
    const tflm_addn_data_t *d = node->op_data;
    uint32_t n = node->out[0].elems;
    if (d->type == TFLM_FLOAT32) {
        float *o = node->out[0].data;
        for (uint32_t i = 0; i < n; ++i) {
            float s = 0.0f;
            for (int32_t j = 0; j < d->n_in; ++j) {
                s += ((const float *)node->in[j].data)[i];
            }
            o[i] = s;
        }
        return TFLM_OK;
    }
    int8_t *o = node->out[0].data;
    int32_t start = tflm_mul_qm((int32_t)((uint32_t)d->in_offset << 20), d->in_mult, d->in_shift);
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t s = (uint32_t)start;
        for (int32_t j = 0; j < d->n_in; ++j) {
            int32_t v = ((const int8_t *)node->in[j].data)[i] + d->in_offset;
            s += (uint32_t)tflm_mul_qm((int32_t)((uint32_t)v << 20), d->in_mult, d->in_shift);
        }
        int32_t r = tflm_add_wrap(tflm_mul_qm((int32_t)s, d->out_mult, d->out_shift), d->out_offset);
        o[i] = (int8_t)tflm_clamp(r, -128, 127);
    }
    return TFLM_OK;
}
