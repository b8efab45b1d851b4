// EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL with numpy
// broadcasting; bool output. float32, int32, int64 (and bool for the
// (in)equalities) compare raw values; int8 compares both inputs rescaled to
// a common fixed-point scale (8 bits of headroom, each input scale as a Q31
// multiplier), as the reference does.
#include "elem_util.h"
#include "qmath.h"

enum { CMP_EQ, CMP_NE, CMP_GT, CMP_GE, CMP_LT, CMP_LE };

typedef struct {
    tflm_bcast_t bc;
    int32_t kind;
    int32_t type;
    int32_t in1_offset, in2_offset;
    int32_t in1_mult, in1_shift;
    int32_t in2_mult, in2_shift;
} tflm_cmp_data_t;

typedef struct {
    const tflm_cmp_data_t *d;
    const void *a;
    const void *b;
    uint8_t *o;
} tflm_cmp_ctx_t;

static tflm_status_t cmp_prepare(tflm_node_t *node, int kind) {
    tflm_status_t st = tflm_elem_check_io(node, 2, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    TFLM_CHECK(node, a->type == b->type && o->type == TFLM_BOOL, TFLM_ERR_UNSUPPORTED_TYPE,
        "comparison needs equal input types and a bool output");
    int ok = a->type == TFLM_FLOAT32 || a->type == TFLM_INT32 || a->type == TFLM_INT64 || a->type == TFLM_INT8
        || (a->type == TFLM_BOOL && (kind == CMP_EQ || kind == CMP_NE));
    TFLM_CHECK(node, ok, TFLM_ERR_UNSUPPORTED_TYPE, "comparison type not supported");
    tflm_cmp_data_t dd;
    memset(&dd, 0, sizeof(dd));
    st = tflm_bcast_prepare(node, a, b, o, &dd.bc);
    if (st != TFLM_OK) {
        return st;
    }
    dd.kind = kind;
    dd.type = a->type;
    if (a->type == TFLM_INT8) {
        TFLM_CHECK(node, tflm_elem_per_tensor(a) && tflm_elem_per_tensor(b) && a->scale < 1.0f && b->scale < 1.0f,
            TFLM_ERR_BAD_QUANT, "int8 comparison needs scales below one");
        dd.in1_offset = -a->zero_point;
        dd.in2_offset = -b->zero_point;
        tflm_quantize_multiplier((double)a->scale, &dd.in1_mult, &dd.in1_shift);
        tflm_quantize_multiplier((double)b->scale, &dd.in2_mult, &dd.in2_shift);
    }
    tflm_cmp_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

#define CMP_APPLY(kind, x, y) \
    ((kind) == CMP_EQ ? (x) == (y) : (kind) == CMP_NE ? (x) != (y) : (kind) == CMP_GT ? (x) > (y) \
        : (kind) == CMP_GE ? (x) >= (y) : (kind) == CMP_LT ? (x) < (y) : (x) <= (y))

#define TFLM_CMP_ROW(NAME, T)                                                                            \
    static void NAME(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) { \
        tflm_cmp_ctx_t *c = vctx;                                                                        \
        const T *a = (const T *)c->a + ia;                                                               \
        const T *b = (const T *)c->b + ib;                                                               \
        int kind = c->d->kind;                                                                           \
        for (int32_t i = 0; i < n; ++i) {                                                                \
            T x = a[i * sa], y = b[i * sb];                                                              \
            c->o[io + (uint32_t)i] = (uint8_t)(CMP_APPLY(kind, x, y) ? 1 : 0);                           \
        }                                                                                                \
    }

TFLM_CMP_ROW(cmp_row_f32, float)
TFLM_CMP_ROW(cmp_row_s32, int32_t)
TFLM_CMP_ROW(cmp_row_s64, int64_t)
TFLM_CMP_ROW(cmp_row_u8, uint8_t)

static void cmp_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_cmp_ctx_t *c = vctx;
    const tflm_cmp_data_t *d = c->d;
    const int8_t *a = (const int8_t *)c->a + ia;
    const int8_t *b = (const int8_t *)c->b + ib;
    for (int32_t i = 0; i < n; ++i) {
        int32_t x = tflm_mul_qm((a[i * sa] + d->in1_offset) * (1 << 8), d->in1_mult, d->in1_shift);
        int32_t y = tflm_mul_qm((b[i * sb] + d->in2_offset) * (1 << 8), d->in2_mult, d->in2_shift);
        c->o[io + (uint32_t)i] = (uint8_t)(CMP_APPLY(d->kind, x, y) ? 1 : 0);
    }
}

static tflm_status_t cmp_eval(tflm_node_t *node) {
    const tflm_cmp_data_t *d = node->op_data;
    tflm_cmp_ctx_t c = { d, node->in[0].data, node->in[1].data, node->out[0].data };
    tflm_bcast_row_fn row = cmp_row_f32;
    if (d->type == TFLM_INT8) {
        row = cmp_row_s8;
    } else if (d->type == TFLM_INT32) {
        row = cmp_row_s32;
    } else if (d->type == TFLM_INT64) {
        row = cmp_row_s64;
    } else if (d->type == TFLM_BOOL) {
        row = cmp_row_u8;
    }
    tflm_bcast_run(&d->bc, row, &c);
    return TFLM_OK;
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
