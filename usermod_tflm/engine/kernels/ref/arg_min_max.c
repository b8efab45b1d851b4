// ARG_MAX / ARG_MIN along a constant axis. Ties keep the first index (a later
// element replaces the best only when strictly greater / less), as TFLM.
#include "shape_common.h"

typedef struct {
    int32_t is_max;
    int32_t outer, axis_size, inner;
    int32_t out64;
} argmm_data_t;

static tflm_status_t argmm_prepare(tflm_node_t *node, int32_t is_max) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "ARG_MAX/ARG_MIN: needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
               "ARG_MAX/ARG_MIN: input must be float32, int8, int16 or int32");
    TFLM_CHECK(node, out->type == TFLM_INT32 || out->type == TFLM_INT64, TFLM_ERR_UNSUPPORTED_TYPE,
               "ARG_MAX/ARG_MIN: output must be int32 or int64");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out) && in->ndim >= 1, TFLM_ERR_BAD_SHAPE, "ARG_MAX/ARG_MIN: bad shape");
    int32_t axis = 0;
    int32_t n = tflm_const_i32(&node->in[1], &axis, 1);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "ARG_MAX/ARG_MIN: axis must be a constant int32 tensor");
    TFLM_CHECK(node, n == 1, TFLM_ERR_BAD_PARAM, "ARG_MAX/ARG_MIN: axis must have one element");
    axis = tflm_sh_axis(axis, in->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "ARG_MAX/ARG_MIN: axis out of range");
    TFLM_CHECK(node, in->dims[axis] > 0, TFLM_ERR_BAD_SHAPE, "ARG_MAX/ARG_MIN: empty axis");
    TFLM_CHECK(node, out->ndim == in->ndim - 1, TFLM_ERR_BAD_SHAPE, "ARG_MAX/ARG_MIN: output rank does not match");
    for (int32_t i = 0, j = 0; i < in->ndim; ++i) {
        if (i != axis) {
            TFLM_CHECK(node, out->dims[j++] == in->dims[i], TFLM_ERR_BAD_SHAPE, "ARG_MAX/ARG_MIN: output shape does not match");
        }
    }
    argmm_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->is_max = is_max;
    d->outer = (int32_t)tflm_sh_prod(in->dims, 0, axis);
    d->axis_size = in->dims[axis];
    d->inner = (int32_t)tflm_sh_prod(in->dims, axis + 1, in->ndim);
    d->out64 = out->type == TFLM_INT64;
    return TFLM_OK;
}

tflm_status_t tflm_arg_max_prepare(tflm_node_t *node) {
    return argmm_prepare(node, 1);
}

tflm_status_t tflm_arg_min_prepare(tflm_node_t *node) {
    return argmm_prepare(node, 0);
}

// Index of the best element of each (outer, inner) column.
#define ARGMM_LOOP(T)                                                               \
    do {                                                                            \
        const T *x = (const T *)src;                                                \
        for (int32_t o = 0; o < d->outer; ++o) {                                    \
            for (int32_t in_i = 0; in_i < d->inner; ++in_i) {                       \
                const T *col = x + (size_t)o * (size_t)d->axis_size * (size_t)d->inner + (size_t)in_i; \
                T best = col[0];                                                    \
                int32_t bi = 0;                                                     \
                for (int32_t a = 1; a < d->axis_size; ++a) {                        \
                    T v = col[(size_t)a * (size_t)d->inner];                        \
                    if (d->is_max ? (v > best) : (v < best)) {                      \
                        best = v;                                                   \
                        bi = a;                                                     \
                    }                                                               \
                }                                                                   \
                size_t at = (size_t)o * (size_t)d->inner + (size_t)in_i;            \
                if (d->out64) {                                                     \
                    int64_t w = bi;                                                 \
                    memcpy((uint8_t *)dst + at * 8, &w, 8);                         \
                } else {                                                            \
                    memcpy((uint8_t *)dst + at * 4, &bi, 4);                        \
                }                                                                   \
            }                                                                       \
        }                                                                           \
    } while (0)

static tflm_status_t argmm_eval(tflm_node_t *node) {
    const argmm_data_t *d = node->op_data;
    const void *src = node->in[0].data;
    void *dst = node->out[0].data;
    switch (node->in[0].type) {
        case TFLM_FLOAT32:
            ARGMM_LOOP(float);
            break;
        case TFLM_INT8:
            ARGMM_LOOP(int8_t);
            break;
        case TFLM_INT16:
            ARGMM_LOOP(int16_t);
            break;
        default:
            ARGMM_LOOP(int32_t);
            break;
    }
    return TFLM_OK;
}

tflm_status_t tflm_arg_max_eval(tflm_node_t *node) {
    return argmm_eval(node);
}

tflm_status_t tflm_arg_min_eval(tflm_node_t *node) {
    return argmm_eval(node);
}
