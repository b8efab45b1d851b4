// MAXIMUM and MINIMUM: float32, int8, int16, int32 with numpy broadcasting.
// Values are compared raw (the reference assumes inputs and output share
// their quantisation); float: a > b ? a : b, so a NaN in `a` yields `b`.
#include "elem_util.h"

typedef struct {
    tflm_bcast_t bc;
    int32_t type;
    int32_t is_max;
} tflm_minmax_data_t;

typedef struct {
    const tflm_minmax_data_t *d;
    const void *a;
    const void *b;
    void *o;
} tflm_minmax_ctx_t;

static tflm_status_t minmax_prepare(tflm_node_t *node, int is_max) {
    tflm_status_t st = tflm_elem_check_io(node, 2, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    TFLM_CHECK(node, a->type == o->type && b->type == o->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, o->type == TFLM_FLOAT32 || o->type == TFLM_INT8 || o->type == TFLM_INT16 || o->type == TFLM_INT32,
        TFLM_ERR_UNSUPPORTED_TYPE, "maximum/minimum supports float32, int8, int16, int32");
    tflm_minmax_data_t dd;
    memset(&dd, 0, sizeof(dd));
    st = tflm_bcast_prepare(node, a, b, o, &dd.bc);
    if (st != TFLM_OK) {
        return st;
    }
    dd.type = o->type;
    dd.is_max = is_max;
    tflm_minmax_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

#define TFLM_MINMAX_ROW(NAME, T)                                                                         \
    static void NAME(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) { \
        tflm_minmax_ctx_t *c = vctx;                                                                     \
        const T *a = (const T *)c->a + ia;                                                               \
        const T *b = (const T *)c->b + ib;                                                               \
        T *o = (T *)c->o + io;                                                                           \
        if (c->d->is_max) {                                                                              \
            for (int32_t i = 0; i < n; ++i) {                                                            \
                T x = a[i * sa], y = b[i * sb];                                                          \
                o[i] = x > y ? x : y;                                                                    \
            }                                                                                            \
        } else {                                                                                         \
            for (int32_t i = 0; i < n; ++i) {                                                            \
                T x = a[i * sa], y = b[i * sb];                                                          \
                o[i] = x < y ? x : y;                                                                    \
            }                                                                                            \
        }                                                                                                \
    }

TFLM_MINMAX_ROW(minmax_row_f32, float)
TFLM_MINMAX_ROW(minmax_row_s8, int8_t)
TFLM_MINMAX_ROW(minmax_row_s16, int16_t)
TFLM_MINMAX_ROW(minmax_row_s32, int32_t)

static tflm_status_t minmax_eval(tflm_node_t *node) {
    const tflm_minmax_data_t *d = node->op_data;
    tflm_minmax_ctx_t c = { d, node->in[0].data, node->in[1].data, node->out[0].data };
    tflm_bcast_row_fn row = minmax_row_f32;
    if (d->type == TFLM_INT8) {
        row = minmax_row_s8;
    } else if (d->type == TFLM_INT16) {
        row = minmax_row_s16;
    } else if (d->type == TFLM_INT32) {
        row = minmax_row_s32;
    }
    tflm_bcast_run(&d->bc, row, &c);
    return TFLM_OK;
}

tflm_status_t tflm_maximum_prepare(tflm_node_t *node) {
    return minmax_prepare(node, 1);
}

tflm_status_t tflm_maximum_eval(tflm_node_t *node) {
    return minmax_eval(node);
}

tflm_status_t tflm_minimum_prepare(tflm_node_t *node) {
    return minmax_prepare(node, 0);
}

tflm_status_t tflm_minimum_eval(tflm_node_t *node) {
    return minmax_eval(node);
}
