// MAXIMUM and MINIMUM: float32, int8, int16, int32 with numpy broadcasting.
// Values are compared raw (the reference assumes inputs and output share
// their quantisation); float: a > b ? a : b, so a NaN in `a` yields `b`.
#include "elem_util.h"

static tflm_status_t minmax_prepare(tflm_node_t *node, int is_max) {
    tflm_ebin_t dd;
    tflm_status_t st = tflm_ebin_prepare(node, &dd, TFLM_EBIN_T(TFLM_FLOAT32) | TFLM_EBIN_T(TFLM_INT8)
        | TFLM_EBIN_T(TFLM_INT16) | TFLM_EBIN_T(TFLM_INT32), 0u);
    if (st != TFLM_OK) {
        return st;
    }
    dd.op = (int8_t)is_max;
    return tflm_ebin_persist(node, &dd, TFLM_EBIN_HEAD);
}

static int32_t minmax_i(const tflm_ebin_t *d, int32_t x, int32_t y) {
    return d->op ? (x > y ? x : y) : (x < y ? x : y);
}

static void minmax_f(const tflm_ebin_t *d, const float *a, int32_t sa, const float *b, int32_t sb, void *vo,
    int32_t n) {
    float *o = vo;
    if (d->op) {
        for (int32_t i = 0; i < n; ++i) {
            float x = a[i * sa], y = b[i * sb];
            o[i] = x > y ? x : y;
        }
    } else {
        for (int32_t i = 0; i < n; ++i) {
            float x = a[i * sa], y = b[i * sb];
            o[i] = x < y ? x : y;
        }
    }
}

// int8 without the walker's per-element call.
static void minmax_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_node_t *node = vctx;
    const tflm_ebin_t *d = node->op_data;
    const int8_t *a = (const int8_t *)node->in[0].data + ia;
    const int8_t *b = (const int8_t *)node->in[1].data + ib;
    int8_t *o = (int8_t *)node->out[0].data + io;
    if (d->op) {
        for (int32_t i = 0; i < n; ++i) {
            int8_t x = a[i * sa], y = b[i * sb];
            o[i] = x > y ? x : y;
        }
    } else {
        for (int32_t i = 0; i < n; ++i) {
            int8_t x = a[i * sa], y = b[i * sb];
            o[i] = x < y ? x : y;
        }
    }
}

static tflm_status_t minmax_eval(tflm_node_t *node) {
    const tflm_ebin_t *d = node->op_data;
    if (d->ta == TFLM_INT8) {
        tflm_bcast_run(&d->bc, minmax_row_s8, node);
        return TFLM_OK;
    }
    return tflm_ebin_run(node, minmax_i, minmax_f);
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
