// GATHER: out = in[..., indices, ...] along axis, with batch_dims leading
// dimensions shared by input and indices. Indices are data (read at eval);
// an index outside the axis fails the invoke, as in TFLM.
#include "shape_common.h"

typedef struct {
    int32_t batch, outer, axis_size, coords, inner_bytes;
    int32_t idx64;   // indices are int64
} gather_data_t;

tflm_status_t tflm_gather_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *ix = &node->in[1];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
               "type must be float32, int8 or int32");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, ix->type == TFLM_INT32 || ix->type == TFLM_INT64, TFLM_ERR_UNSUPPORTED_TYPE,
               "indices must be int32 or int64");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(ix) && tflm_sh_dims_ok(out) && in->ndim >= 1, TFLM_ERR_BAD_SHAPE,
               "bad shape");
    int32_t axis = tflm_sh_axis(tflm_opt_i32(node, 0, 0), in->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    int32_t bd = tflm_opt_i32(node, 1, 0);
    if (bd < 0) {
        bd += ix->ndim;
    }
    TFLM_CHECK(node, bd >= 0 && bd <= axis && bd <= ix->ndim, TFLM_ERR_BAD_PARAM, "batch_dims out of range");
    for (int32_t i = 0; i < bd; ++i) {
        TFLM_CHECK(node, in->dims[i] == ix->dims[i], TFLM_ERR_BAD_SHAPE, "batch dims of input and indices differ");
    }
    // Output: in[:axis] + indices[batch_dims:] + in[axis+1:].
    int32_t k = 0;
    TFLM_CHECK(node, out->ndim == in->ndim - 1 + ix->ndim - bd, TFLM_ERR_BAD_SHAPE, "output rank does not match");
    for (int32_t i = 0; i < axis; ++i, ++k) {
        TFLM_CHECK(node, out->dims[k] == in->dims[i], TFLM_ERR_BAD_SHAPE, "output shape does not match");
    }
    for (int32_t i = bd; i < ix->ndim; ++i, ++k) {
        TFLM_CHECK(node, out->dims[k] == ix->dims[i], TFLM_ERR_BAD_SHAPE, "output shape does not match");
    }
    for (int32_t i = axis + 1; i < in->ndim; ++i, ++k) {
        TFLM_CHECK(node, out->dims[k] == in->dims[i], TFLM_ERR_BAD_SHAPE, "output shape does not match");
    }
    gather_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->batch = (int32_t)tflm_sh_prod(in->dims, 0, bd);
    d->outer = (int32_t)tflm_sh_prod(in->dims, bd, axis);
    d->axis_size = in->dims[axis];
    d->coords = (int32_t)tflm_sh_prod(ix->dims, bd, ix->ndim);
    d->inner_bytes = (int32_t)(tflm_sh_prod(in->dims, axis + 1, in->ndim) * tflm_sh_esize(t));
    d->idx64 = ix->type == TFLM_INT64;
    return TFLM_OK;
}

tflm_status_t tflm_gather_eval(tflm_node_t *node) {
    const gather_data_t *d = node->op_data;
    const uint8_t *src = node->in[0].data;
    const uint8_t *ix = node->in[1].data;
    uint8_t *dst = node->out[0].data;
    size_t inner = (size_t)d->inner_bytes;
    for (int32_t b = 0; b < d->batch; ++b) {
        for (int32_t o = 0; o < d->outer; ++o) {
            for (int32_t c = 0; c < d->coords; ++c) {
                size_t at = (size_t)b * (size_t)d->coords + (size_t)c;
                int64_t v;
                if (d->idx64) {
                    memcpy(&v, ix + at * 8, 8);
                } else {
                    int32_t v32;
                    memcpy(&v32, ix + at * 4, 4);
                    v = v32;
                }
                if (v < 0 || v >= d->axis_size) {
                    return tflm_fail(node, TFLM_ERR_EVAL, "index out of range");
                }
                size_t from = ((size_t)b * (size_t)d->outer + (size_t)o) * (size_t)d->axis_size + (size_t)v;
                memcpy(dst, src + from * inner, inner);
                dst += inner;
            }
        }
    }
    return TFLM_OK;
}
