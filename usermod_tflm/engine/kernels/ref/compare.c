// EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL with numpy
// broadcasting; bool output. float32, int32, int64 (and bool for the
// (in)equalities) compare raw values; int8 compares both inputs rescaled to
// a common fixed-point scale (8 bits of headroom, each input scale as a Q31
// multiplier), as the reference does.
#include "elem_util.h"
#include "qmath.h"

enum { CMP_EQ, CMP_NE, CMP_GT, CMP_GE, CMP_LT, CMP_LE };

static tflm_status_t cmp_prepare(tflm_node_t *node, int kind) {
    tflm_ebin_t dd;
    uint32_t types = TFLM_EBIN_T(TFLM_FLOAT32) | TFLM_EBIN_T(TFLM_INT32) | TFLM_EBIN_T(TFLM_INT64)
        | TFLM_EBIN_T(TFLM_INT8) | (kind == CMP_EQ || kind == CMP_NE ? TFLM_EBIN_T(TFLM_BOOL) : 0u);
    tflm_status_t st = tflm_ebin_prepare(node, &dd, types, TFLM_EBIN_CMP);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    dd.op = (int8_t)kind;
    if (dd.ta == TFLM_INT8) {
        TFLM_CHECK(node, tflm_elem_per_tensor(a) && tflm_elem_per_tensor(b) && a->scale < 1.0f && b->scale < 1.0f,
            TFLM_ERR_BAD_QUANT, "int8 comparison needs scales below one");
        dd.in1_offset = -a->zero_point;
        dd.in2_offset = -b->zero_point;
        // (input 1's multiplier in mo / so, input 2's in m1 / s1)
        tflm_qm_ratio(a->scale, 1.0f, 1.0f, 1.0f, 0, &dd.mo, &dd.so);
        tflm_qm_ratio(b->scale, 1.0f, 1.0f, 1.0f, 0, &dd.m1, &dd.s1);
    }
    return tflm_ebin_persist(node, &dd, dd.ta == TFLM_INT8 ? TFLM_EBIN_UPTO(s1) : TFLM_EBIN_HEAD);
}

// The comparison from x < y, x == y and x > y (all false for a NaN).
static int32_t cmp_pick(int kind, int lt, int eq, int gt) {
    switch (kind) {
        case CMP_EQ:
            return eq;
        case CMP_NE:
            return !eq;
        case CMP_GT:
            return gt;
        case CMP_GE:
            return gt || eq;
        case CMP_LT:
            return lt;
        default:
            return lt || eq;
    }
}

static int32_t cmp_i(const tflm_ebin_t *d, int32_t x, int32_t y) {
    if (d->ta == TFLM_INT8) {
        x = tflm_mul_qm((x + d->in1_offset) * (1 << 8), d->mo, d->so);
        y = tflm_mul_qm((y + d->in2_offset) * (1 << 8), d->m1, d->s1);
    }
    return cmp_pick(d->op, x < y, x == y, x > y);
}

static void cmp_f(const tflm_ebin_t *d, const float *a, int32_t sa, const float *b, int32_t sb, void *vo, int32_t n) {
    uint8_t *o = vo;
    for (int32_t i = 0; i < n; ++i) {
        float x = a[i * sa], y = b[i * sb];
        int r;
        switch (d->op) {
            case CMP_EQ:
                r = x == y;
                break;
            case CMP_NE:
                r = x != y;
                break;
            case CMP_GT:
                r = x > y;
                break;
            case CMP_GE:
                r = x >= y;
                break;
            case CMP_LT:
                r = x < y;
                break;
            default:
                r = x <= y;
                break;
        }
        o[i] = (uint8_t)r;
    }
}

// int64 inputs: their own walk (the shared one loads 32-bit values).
static void cmp_row_s64(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_node_t *node = vctx;
    const tflm_ebin_t *d = node->op_data;
    const int64_t *a = (const int64_t *)node->in[0].data + ia;
    const int64_t *b = (const int64_t *)node->in[1].data + ib;
    uint8_t *o = (uint8_t *)node->out[0].data + io;
    for (int32_t i = 0; i < n; ++i) {
        int64_t x = a[i * sa], y = b[i * sb];
        o[i] = (uint8_t)cmp_pick(d->op, x < y, x == y, x > y);
    }
}

static tflm_status_t cmp_eval(tflm_node_t *node) {
    const tflm_ebin_t *d = node->op_data;
    if (d->ta == TFLM_INT64) {
        tflm_bcast_run(&d->bc, cmp_row_s64, node);
        return TFLM_OK;
    }
    return tflm_ebin_run(node, cmp_i, cmp_f);
}

#define TFLM_CMP_OP(fn, KIND)                                \
    tflm_status_t tflm_##fn##_prepare(tflm_node_t *node) {   \
        return cmp_prepare(node, KIND);                      \
    }                                                        \
    tflm_status_t tflm_##fn##_eval(tflm_node_t *node) {      \
        return cmp_eval(node);                               \
    }

TFLM_CMP_OP(equal, CMP_EQ)
TFLM_CMP_OP(not_equal, CMP_NE)
TFLM_CMP_OP(greater, CMP_GT)
TFLM_CMP_OP(greater_equal, CMP_GE)
TFLM_CMP_OP(less, CMP_LT)
TFLM_CMP_OP(less_equal, CMP_LE)
