// ARG_MAX / ARG_MIN along a constant axis. Ties keep the first index (a later
// element replaces the best only when strictly greater / less), as TFLM.
#include "shape_common.h"

typedef struct {
    int32_t is_max;
    int32_t outer, axis_size, inner;
    int32_t out64;
} argmm_data_t;

static tflm_status_t argmm_prepare(tflm_node_t *node, int32_t is_max) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
               "input must be float32, int8, int16 or int32");
    TFLM_CHECK(node, out->type == TFLM_INT32 || out->type == TFLM_INT64, TFLM_ERR_UNSUPPORTED_TYPE,
               "output must be int32 or int64");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out) && in->ndim >= 1, TFLM_ERR_BAD_SHAPE, "bad shape");
    int32_t axis = 0;
    int32_t n = tflm_const_i32(&node->in[1], &axis, 1);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "axis must be a constant int32 tensor");
    TFLM_CHECK(node, n == 1, TFLM_ERR_BAD_PARAM, "axis must have one element");
    axis = tflm_sh_axis(axis, in->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    TFLM_CHECK(node, in->dims[axis] > 0, TFLM_ERR_BAD_SHAPE, "empty axis");
    TFLM_CHECK(node, out->ndim == in->ndim - 1, TFLM_ERR_BAD_SHAPE, "output rank does not match");
    for (int32_t i = 0, j = 0; i < in->ndim; ++i) {
        if (i != axis) {
            TFLM_CHECK(node, out->dims[j++] == in->dims[i], TFLM_ERR_BAD_SHAPE, "output shape does not match");
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

static int32_t argmm_ld(const void *p, int32_t t, size_t i) {
    if (t == TFLM_INT8) {
        return ((const int8_t *)p)[i];
    }
    if (t == TFLM_INT16) {
        return ((const int16_t *)p)[i];
    }
    return ((const int32_t *)p)[i];
}

// Index of the best element of each (outer, inner) column.
static tflm_status_t argmm_eval(tflm_node_t *node) {
    const argmm_data_t *d = node->op_data;
    const void *src = node->in[0].data;
    const int32_t t = node->in[0].type;
    uint8_t *dst = node->out[0].data;
    const size_t inner = (size_t)d->inner;
    size_t at = 0;
    for (int32_t o = 0; o < d->outer; ++o) {
        for (size_t in_i = 0; in_i < inner; ++in_i, ++at) {
            const size_t base = (size_t)o * (size_t)d->axis_size * inner + in_i;
            int32_t bi = 0;
            if (t == TFLM_FLOAT32) {
                const float *col = (const float *)src + base;
                float best = col[0];
                for (int32_t a = 1; a < d->axis_size; ++a) {
                    float v = col[(size_t)a * inner];
                    if (d->is_max ? (v > best) : (v < best)) {
                        best = v;
                        bi = a;
                    }
                }
            } else {
                int32_t best = argmm_ld(src, t, base);
                for (int32_t a = 1; a < d->axis_size; ++a) {
                    int32_t v = argmm_ld(src, t, base + (size_t)a * inner);
                    if (d->is_max ? (v > best) : (v < best)) {
                        best = v;
                        bi = a;
                    }
                }
            }
            if (d->out64) {
                int64_t w = bi;
                memcpy(dst + at * 8, &w, 8);
            } else {
                memcpy(dst + at * 4, &bi, 4);
            }
        }
    }
    return TFLM_OK;
}

tflm_status_t tflm_arg_max_eval(tflm_node_t *node) {
    return argmm_eval(node);
}

tflm_status_t tflm_arg_min_eval(tflm_node_t *node) {
    return argmm_eval(node);
}
