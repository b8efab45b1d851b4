// BROADCAST_TO: repeat the input's size-1 dimensions up to the constant
// target shape (input dims aligned to the right).
#include "shape_common.h"

typedef struct {
    int32_t ndim;
    int32_t esize;
    int32_t in_dims[TFLM_MAX_DIMS];   // right-aligned, padded with 1
    int32_t out_dims[TFLM_MAX_DIMS];
    int32_t in_stride[TFLM_MAX_DIMS]; // elements per step of each input dim
} bcast_data_t;

tflm_status_t tflm_broadcast_to_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, tflm_sh_esize(t) != 0 && out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "unsupported or differing types");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out) && out->ndim >= in->ndim && out->ndim >= 1, TFLM_ERR_BAD_SHAPE,
               "output rank below input rank");
    int32_t shape[TFLM_MAX_DIMS];
    int32_t n = tflm_const_i32(&node->in[1], shape, TFLM_MAX_DIMS);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "shape must be a constant int32 tensor");
    TFLM_CHECK(node, n == out->ndim, TFLM_ERR_BAD_SHAPE, "shape length differs from output rank");
    int32_t pad = out->ndim - in->ndim;
    for (int32_t i = 0; i < out->ndim; ++i) {
        TFLM_CHECK(node, shape[i] == out->dims[i], TFLM_ERR_BAD_SHAPE, "output shape differs from shape input");
        int32_t id = i < pad ? 1 : in->dims[i - pad];
        TFLM_CHECK(node, id == 1 || id == out->dims[i], TFLM_ERR_BAD_SHAPE, "input not broadcastable to shape");
    }
    bcast_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->ndim = out->ndim;
    d->esize = (int32_t)tflm_sh_esize(t);
    int32_t acc = 1;
    for (int32_t i = out->ndim - 1; i >= 0; --i) {
        d->in_dims[i] = i < pad ? 1 : in->dims[i - pad];
        d->out_dims[i] = out->dims[i];
        d->in_stride[i] = acc;
        acc *= d->in_dims[i];
    }
    return TFLM_OK;
}

// Writes the output block of dimension dim from input element off.
static uint8_t *bcast_block(const bcast_data_t *d, int32_t dim, const uint8_t *src, uint32_t off, uint8_t *dst) {
    size_t es = (size_t)d->esize;
    int32_t n = d->out_dims[dim];
    if (dim == d->ndim - 1) {
        if (d->in_dims[dim] == 1) {
            tflm_sh_fill(dst, src + (size_t)off * es, (uint32_t)es, (uint32_t)n);
        } else {
            memcpy(dst, src + (size_t)off * es, (size_t)n * es);
        }
        return dst + (size_t)n * es;
    }
    uint8_t *first = dst;
    dst = bcast_block(d, dim + 1, src, off, dst);
    size_t block = (size_t)(dst - first);
    for (int32_t i = 1; i < n; ++i) {
        if (d->in_dims[dim] == 1) {
            memcpy(dst, first, block);  // same input block again
            dst += block;
        } else {
            dst = bcast_block(d, dim + 1, src, off + (uint32_t)i * (uint32_t)d->in_stride[dim], dst);
        }
    }
    return dst;
}

tflm_status_t tflm_broadcast_to_eval(tflm_node_t *node) {
    const bcast_data_t *d = node->op_data;
    if (node->out[0].elems == 0) {
        return TFLM_OK;
    }
    bcast_block(d, 0, node->in[0].data, 0, node->out[0].data);
    return TFLM_OK;
}
