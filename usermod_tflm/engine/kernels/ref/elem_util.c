// Shared helpers of the elementwise kernels.
#include <math.h>
#include "elem_util.h"
#include "qmath.h"

tflm_status_t tflm_bcast_prepare(tflm_node_t *node, const tflm_tensor_t *a, const tflm_tensor_t *b,
    const tflm_tensor_t *out, tflm_bcast_t *bc) {
    TFLM_CHECK(node, a->ndim >= 0 && a->ndim <= TFLM_BCAST_DIMS && b->ndim >= 0 && b->ndim <= TFLM_BCAST_DIMS
        && out->ndim >= 0 && out->ndim <= TFLM_BCAST_DIMS, TFLM_ERR_BAD_SHAPE, "too many dims to broadcast");
    int32_t ad[TFLM_BCAST_DIMS], bd[TFLM_BCAST_DIMS], od[TFLM_BCAST_DIMS];
    for (int d = 0; d < TFLM_BCAST_DIMS; ++d) {
        int ka = d - (TFLM_BCAST_DIMS - a->ndim);
        int kb = d - (TFLM_BCAST_DIMS - b->ndim);
        int ko = d - (TFLM_BCAST_DIMS - out->ndim);
        ad[d] = ka >= 0 ? a->dims[ka] : 1;
        bd[d] = kb >= 0 ? b->dims[kb] : 1;
        od[d] = ko >= 0 ? out->dims[ko] : 1;
        TFLM_CHECK(node, ad[d] >= 0 && bd[d] >= 0 && od[d] >= 0, TFLM_ERR_BAD_SHAPE, "negative dim");
        int32_t want;
        if (ad[d] == bd[d]) {
            want = ad[d];
        } else if (ad[d] == 1) {
            want = bd[d];
        } else if (bd[d] == 1) {
            want = ad[d];
        } else {
            return tflm_fail(node, TFLM_ERR_BAD_SHAPE, "input shapes do not broadcast");
        }
        TFLM_CHECK(node, od[d] == want, TFLM_ERR_BAD_SHAPE, "output shape is not the broadcast shape");
    }
    // Natural strides; a dimension of extent 1 is walked with stride 0.
    int32_t sa[TFLM_BCAST_DIMS], sb[TFLM_BCAST_DIMS];
    int64_t pa = 1, pb = 1;
    for (int d = TFLM_BCAST_DIMS - 1; d >= 0; --d) {
        sa[d] = ad[d] == 1 ? 0 : (int32_t)pa;
        sb[d] = bd[d] == 1 ? 0 : (int32_t)pb;
        pa *= ad[d];
        pb *= bd[d];
        TFLM_CHECK(node, pa <= INT32_MAX && pb <= INT32_MAX, TFLM_ERR_BAD_SHAPE, "tensor too large");
    }
    // Keep the dims of extent != 1, merging neighbours walked as one run.
    int32_t n = 0;
    for (int d = 0; d < TFLM_BCAST_DIMS; ++d) {
        if (od[d] == 1) {
            continue;
        }
        if (n > 0) {
            int p = n - 1;
            int64_t e = od[d];
            if ((int64_t)bc->s1[p] == (int64_t)sa[d] * e && (int64_t)bc->s2[p] == (int64_t)sb[d] * e) {
                bc->dims[p] = (int32_t)(bc->dims[p] * e);
                bc->s1[p] = sa[d];
                bc->s2[p] = sb[d];
                continue;
            }
        }
        bc->dims[n] = od[d];
        bc->s1[n] = sa[d];
        bc->s2[n] = sb[d];
        ++n;
    }
    if (n == 0) {
        bc->dims[0] = 1;
        bc->s1[0] = 0;
        bc->s2[0] = 0;
        n = 1;
    }
    bc->ndim = n;
    return TFLM_OK;
}

void tflm_bcast_run(const tflm_bcast_t *bc, tflm_bcast_row_fn row, void *ctx) {
    int32_t nd = bc->ndim;
    for (int32_t d = 0; d < nd; ++d) {
        if (bc->dims[d] == 0) {
            return;
        }
    }
    int32_t idx[TFLM_BCAST_DIMS] = { 0 };
    uint32_t ia = 0, ib = 0, io = 0;
    int32_t inner = bc->dims[nd - 1];
    for (;;) {
        row(ctx, ia, bc->s1[nd - 1], ib, bc->s2[nd - 1], io, inner);
        io += (uint32_t)inner;
        int32_t d = nd - 2;
        while (d >= 0) {
            ++idx[d];
            ia += (uint32_t)bc->s1[d];
            ib += (uint32_t)bc->s2[d];
            if (idx[d] < bc->dims[d]) {
                break;
            }
            ia -= (uint32_t)bc->s1[d] * (uint32_t)bc->dims[d];
            ib -= (uint32_t)bc->s2[d] * (uint32_t)bc->dims[d];
            idx[d] = 0;
            --d;
        }
        if (d < 0) {
            break;
        }
    }
}

tflm_status_t tflm_elem_check_io(tflm_node_t *node, int32_t n_in, int32_t n_out) {
    TFLM_CHECK(node, node->n_in == n_in && node->n_out == n_out, TFLM_ERR_BAD_PARAM, "wrong number of inputs/outputs");
    for (int32_t i = 0; i < n_in; ++i) {
        TFLM_CHECK(node, node->in[i].index >= 0, TFLM_ERR_BAD_PARAM, "missing input");
    }
    for (int32_t i = 0; i < n_out; ++i) {
        TFLM_CHECK(node, node->out[i].index >= 0, TFLM_ERR_BAD_PARAM, "missing output");
    }
    return TFLM_OK;
}

int tflm_elem_per_tensor(const tflm_tensor_t *t) {
    return t->n_scales >= 1 && t->scale > 0.0f && isfinite(t->scale);
}

tflm_status_t tflm_ebin_prepare(tflm_node_t *node, tflm_ebin_t *d, uint32_t types, uint32_t flags) {
    tflm_status_t st = tflm_elem_check_io(node, 2, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    int32_t t = a->type;
    int q = t == TFLM_INT8 || t == TFLM_INT16;
    int32_t want_b = (flags & TFLM_EBIN_ALPHA8) && q ? TFLM_INT8 : t;
    int32_t want_o = (flags & TFLM_EBIN_CMP) ? TFLM_BOOL : t;
    TFLM_CHECK(node, b->type == want_b && o->type == want_o, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, t >= 0 && t < 32 && (types & TFLM_EBIN_T(t)) != 0, TFLM_ERR_UNSUPPORTED_TYPE,
        "type not supported by this op");
    int act = (flags & TFLM_EBIN_ACT) ? tflm_opt_u8(node, 0, 0) : TFLM_ACT_NONE;
    TFLM_CHECK(node, act >= TFLM_ACT_NONE && act <= TFLM_ACT_RELU6, TFLM_ERR_BAD_PARAM, "unsupported fused activation");
    memset(d, 0, sizeof(*d));
    st = tflm_bcast_prepare(node, a, b, o, &d->bc);
    if (st != TFLM_OK) {
        return st;
    }
    d->ta = (int8_t)t;
    d->tb = (int8_t)b->type;
    d->to = (int8_t)o->type;
    int32_t qmin = t == TFLM_INT8 ? -128 : -32768;
    int32_t qmax = t == TFLM_INT8 ? 127 : 32767;
    if (t == TFLM_FLOAT32) {
        float lo, hi;
        tflm_act_range_f(act, &lo, &hi);
        memcpy(&d->act_min, &lo, sizeof(lo));
        memcpy(&d->act_max, &hi, sizeof(hi));
    } else if (q && (flags & TFLM_EBIN_QUANT)) {
        int32_t bmin = b->type == TFLM_INT8 ? -128 : -32768;
        int32_t bmax = b->type == TFLM_INT8 ? 127 : 32767;
        TFLM_CHECK(node, tflm_elem_per_tensor(a) && tflm_elem_per_tensor(b) && tflm_elem_per_tensor(o),
            TFLM_ERR_BAD_QUANT, "needs per-tensor quantisation");
        TFLM_CHECK(node, a->zero_point >= qmin && a->zero_point <= qmax && b->zero_point >= bmin
            && b->zero_point <= bmax && o->zero_point >= qmin && o->zero_point <= qmax, TFLM_ERR_BAD_QUANT,
            "zero point out of range");
        d->in1_offset = -a->zero_point;
        d->in2_offset = -b->zero_point;
        d->out_offset = o->zero_point;
        tflm_act_range_q(act, o->scale, o->zero_point, qmin, qmax, &d->act_min, &d->act_max);
    } else {
        // int32 (and raw int8/int16): the activation's integer range.
        static const int32_t lo[4] = { INT32_MIN, 0, -1, 0 };
        static const int32_t hi[4] = { INT32_MAX, INT32_MAX, 1, 6 };
        d->act_min = lo[act];
        d->act_max = hi[act];
    }
    return TFLM_OK;
}

tflm_status_t tflm_ebin_persist(tflm_node_t *node, const tflm_ebin_t *d, uint32_t bytes) {
    void *p = tflm_persist(node, bytes);
    if (p == NULL) {
        return tflm_measure_done(node);
    }
    memcpy(p, d, bytes);
    return TFLM_OK;
}

typedef struct {
    const tflm_ebin_t *d;
    const void *a;
    const void *b;
    void *o;
    tflm_ebin_ifn ifn;
    tflm_ebin_ffn ffn;
} ebin_ctx_t;

static int32_t ebin_ld(const void *p, int32_t t, uint32_t i) {
    if (t == TFLM_INT8) {
        return ((const int8_t *)p)[i];
    }
    if (t == TFLM_INT16) {
        return ((const int16_t *)p)[i];
    }
    if (t == TFLM_BOOL) {
        return ((const uint8_t *)p)[i];
    }
    return ((const int32_t *)p)[i];
}

static void ebin_row(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    const ebin_ctx_t *c = vctx;
    const tflm_ebin_t *d = c->d;
    // The common type combinations get their own loops (no per-element type
    // dispatch); the rest (PRELU int16, comparisons of integers) the generic one.
    if (d->ta == TFLM_FLOAT32) {
        void *o = d->to == TFLM_FLOAT32 ? (void *)((float *)c->o + io) : (void *)((uint8_t *)c->o + io);
        c->ffn(d, (const float *)c->a + ia, sa, (const float *)c->b + ib, sb, o, n);
        return;
    }
    if (d->ta == d->tb && d->ta == d->to && d->ta == TFLM_INT8) {
        const int8_t *a = (const int8_t *)c->a + ia;
        const int8_t *b = (const int8_t *)c->b + ib;
        int8_t *o = (int8_t *)c->o + io;
        for (int32_t i = 0; i < n; ++i) {
            o[i] = (int8_t)c->ifn(d, a[i * sa], b[i * sb]);
        }
        return;
    }
    if (d->ta == d->tb && d->ta == d->to && d->ta == TFLM_INT16) {
        const int16_t *a = (const int16_t *)c->a + ia;
        const int16_t *b = (const int16_t *)c->b + ib;
        int16_t *o = (int16_t *)c->o + io;
        for (int32_t i = 0; i < n; ++i) {
            o[i] = tflm_wrap16(c->ifn(d, a[i * sa], b[i * sb]));
        }
        return;
    }
    if (d->ta == d->tb && d->ta == d->to && d->ta == TFLM_INT32) {
        const int32_t *a = (const int32_t *)c->a + ia;
        const int32_t *b = (const int32_t *)c->b + ib;
        int32_t *o = (int32_t *)c->o + io;
        for (int32_t i = 0; i < n; ++i) {
            o[i] = c->ifn(d, a[i * sa], b[i * sb]);
        }
        return;
    }
    for (; n > 0; --n) {
        int32_t r = c->ifn(d, ebin_ld(c->a, d->ta, ia), ebin_ld(c->b, d->tb, ib));
        if (d->to == TFLM_INT8 || d->to == TFLM_BOOL) {
            ((uint8_t *)c->o)[io] = (uint8_t)r;
        } else if (d->to == TFLM_INT16) {
            ((int16_t *)c->o)[io] = tflm_wrap16(r);
        } else {
            ((int32_t *)c->o)[io] = r;
        }
        ia += (uint32_t)sa;
        ib += (uint32_t)sb;
        ++io;
    }
}

tflm_status_t tflm_ebin_run(tflm_node_t *node, tflm_ebin_ifn ifn, tflm_ebin_ffn ffn) {
    ebin_ctx_t c = { node->op_data, node->in[0].data, node->in[1].data, node->out[0].data, ifn, ffn };
    tflm_bcast_run(&c.d->bc, ebin_row, &c);
    return TFLM_OK;
}
