// ADD and SUB: float32, int8, int16 (general rescaling path) and int32, with
// numpy broadcasting up to 6 dims and a fused activation.
//
// Quantised: both inputs are moved to a common scale of 2 * max(s1, s2)
// with `left_shift` (20 for int8, 15 for int16) bits of headroom, each by its
// own Q31 multiplier, then added/subtracted and rescaled to the output.
#include "elem_util.h"
#include "qmath.h"
#include "../tflm_isa.h"
#if TFLM_OPT_NN
#include "../arm/elem_s8.h"
#endif

// ADD int8 is a hot op: its element is inlined into its own row.
#if defined(__GNUC__)
#define ADDSUB_INLINE inline __attribute__((always_inline))
#else
#define ADDSUB_INLINE inline
#endif

// One quantised element: both inputs to the common scale, combine, rescale.
static ADDSUB_INLINE int32_t addsub_q(const tflm_ebin_t *d, int32_t x, int32_t y, int sub) {
    int32_t xs = (int32_t)((uint32_t)(x + d->in1_offset) << d->left_shift);
    int32_t ys = (int32_t)((uint32_t)(y + d->in2_offset) << d->left_shift);
    int32_t xv = tflm_mul_qm(xs, d->m1, d->s1);
    int32_t yv = tflm_mul_qm(ys, d->m2, d->s2);
    int32_t raw = (int32_t)(sub ? (uint32_t)xv - (uint32_t)yv : (uint32_t)xv + (uint32_t)yv);
    int32_t out = tflm_add_wrap(tflm_mul_qm(raw, d->mo, d->so), d->out_offset);
    return tflm_clamp(out, d->act_min, d->act_max);
}

static tflm_status_t addsub_prepare(tflm_node_t *node, int sub) {
    tflm_ebin_t dd;
    tflm_status_t st = tflm_ebin_prepare(node, &dd, TFLM_EBIN_T(TFLM_FLOAT32) | TFLM_EBIN_T(TFLM_INT8)
        | TFLM_EBIN_T(TFLM_INT16) | TFLM_EBIN_T(TFLM_INT32), TFLM_EBIN_ACT | TFLM_EBIN_QUANT);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    dd.op = (int8_t)sub;
    if (dd.ta == TFLM_INT8 || dd.ta == TFLM_INT16) {
        dd.left_shift = dd.ta == TFLM_INT8 ? 20 : 15;
        // In double: twice_max = 2 max(s1, s2), r1 = s1 / twice_max, r2 likewise,
        // ro = twice_max / (2^left_shift s_out), each in (0, 1).
        float mx = a->scale > b->scale ? a->scale : b->scale;
        int32_t e1 = tflm_qm_ratio(a->scale, 1.0f, mx, 2.0f, 0, &dd.m1, &dd.s1);
        int32_t e2 = tflm_qm_ratio(b->scale, 1.0f, mx, 2.0f, 0, &dd.m2, &dd.s2);
        int32_t eo = tflm_qm_ratio(mx, 2.0f, (float)(1 << dd.left_shift), o->scale, 0, &dd.mo, &dd.so);
        TFLM_CHECK(node, e1 <= 0 && e2 <= 0 && eo <= 0, TFLM_ERR_BAD_QUANT, "add/sub scales out of range");
        TFLM_CHECK(node, dd.s1 <= 0 && dd.s2 <= 0 && dd.so <= 0, TFLM_ERR_BAD_QUANT,
            "add/sub multiplier not below one");
#if TFLM_OPT_NN
        // Large int8 ADD/SUB: each input's rescaling tabled per invoke (2 KB
        // of scratch; not in a lean plan).
        if (dd.ta == TFLM_INT8 && o->elems >= TFLM_ADD_S8_TABLE_MIN && !tflm_plan_lean(node)) {
            tflm_request_scratch(node, 2u * 256u * 4u);
        }
#endif
    } else if (dd.ta == TFLM_INT32 && !sub) {
        // int32: the reference ADD ignores the activation, SUB applies it.
        dd.act_min = INT32_MIN;
        dd.act_max = INT32_MAX;
    }
    return tflm_ebin_persist(node, &dd, sizeof(dd));
}

static int32_t addsub_i(const tflm_ebin_t *d, int32_t x, int32_t y) {
    if (d->ta != TFLM_INT32) {
        return addsub_q(d, x, y, d->op);
    }
    int32_t r = (int32_t)(d->op ? (uint32_t)x - (uint32_t)y : (uint32_t)x + (uint32_t)y);
    return tflm_clamp(r, d->act_min, d->act_max);
}

static void addsub_f(const tflm_ebin_t *d, const float *a, int32_t sa, const float *b, int32_t sb, void *vo,
    int32_t n) {
    float *o = vo;
    float lo = tflm_ebin_fmin(d), hi = tflm_ebin_fmax(d);
    if (d->op) {
        for (int32_t i = 0; i < n; ++i) {
            o[i] = tflm_clamp_f(a[i * sa] - b[i * sb], lo, hi);
        }
    } else {
        for (int32_t i = 0; i < n; ++i) {
            o[i] = tflm_clamp_f(a[i * sa] + b[i * sb], lo, hi);
        }
    }
}

// int8 (the hot case) without the walker's per-element dispatch.
static void addsub_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_node_t *node = vctx;
    const tflm_ebin_t *d = node->op_data;
    const int8_t *a = (const int8_t *)node->in[0].data + ia;
    const int8_t *b = (const int8_t *)node->in[1].data + ib;
    int8_t *o = (int8_t *)node->out[0].data + io;
    const int sub = d->op;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int8_t)addsub_q(d, a[i * sa], b[i * sb], sub);
    }
}

#if TFLM_OPT_NN
typedef struct {
    tflm_node_t *node;
    tflm_add_s8_t p;
} addsub_table_ctx_t;

static void addsub_row_s8_table(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io,
    int32_t n) {
    const addsub_table_ctx_t *c = vctx;
    tflm_add_s8_row(&c->p, (const int8_t *)c->node->in[0].data + ia, sa, (const int8_t *)c->node->in[1].data + ib,
        sb, (int8_t *)c->node->out[0].data + io, n);
}
#endif

static tflm_status_t addsub_eval(tflm_node_t *node) {
    const tflm_ebin_t *d = node->op_data;
#if TFLM_OPT_NN
    if (d->ta == TFLM_INT8 && node->scratch != NULL) {
        int32_t *t1 = node->scratch, *t2 = t1 + 256;
        tflm_add_s8_table(d->in1_offset, d->left_shift, d->m1, d->s1, t1);
        tflm_add_s8_table(d->in2_offset, d->left_shift, d->m2, d->s2, t2);
        const addsub_table_ctx_t c = { node, { t1, t2, d->op, d->mo, d->so, d->out_offset, d->act_min, d->act_max } };
        tflm_bcast_run(&d->bc, addsub_row_s8_table, (void *)&c);
        return TFLM_OK;
    }
#endif
    if (d->ta == TFLM_INT8) {
        tflm_bcast_run(&d->bc, addsub_row_s8, node);
        return TFLM_OK;
    }
    return tflm_ebin_run(node, addsub_i, addsub_f);
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
        // In double: s_in / (2 s_in), and 2 s_in / (2^20 s_out) in (0, 1).
        tflm_qm_ratio(a->scale, 1.0f, a->scale, 2.0f, 0, &dd.in_mult, &dd.in_shift);
        int32_t eo = tflm_qm_ratio(a->scale, 2.0f, (float)(1 << 20), o->scale, 0, &dd.out_mult, &dd.out_shift);
        TFLM_CHECK(node, eo <= 0, TFLM_ERR_BAD_QUANT, "add_n scales out of range");
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
