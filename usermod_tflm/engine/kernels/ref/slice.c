// SLICE: out = in[begin : begin + size] per dimension (size -1: to the end),
// with constant begin and size.
#include "shape_common.h"

typedef struct {
    int32_t ndim;
    int32_t esize;
    int32_t begin[TFLM_MAX_DIMS];
    int32_t size[TFLM_MAX_DIMS];
    int32_t in_stride[TFLM_MAX_DIMS];  // elements per step of each input dim
} slice_data_t;

tflm_status_t tflm_slice_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 3 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 3 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32 || t == TFLM_BOOL,
               TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16, int32 or bool");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out) && in->ndim >= 1 && out->ndim == in->ndim,
               TFLM_ERR_BAD_SHAPE, "input and output ranks differ");
    int32_t nd = in->ndim;
    int32_t begin[TFLM_MAX_DIMS], size[TFLM_MAX_DIMS];
    int32_t nb = tflm_const_i32(&node->in[1], begin, TFLM_MAX_DIMS);
    int32_t ns = tflm_const_i32(&node->in[2], size, TFLM_MAX_DIMS);
    TFLM_CHECK(node, nb >= 0 && ns >= 0, TFLM_ERR_DYNAMIC, "begin and size must be constant int32 tensors");
    TFLM_CHECK(node, nb == nd && ns == nd, TFLM_ERR_BAD_PARAM, "begin and size need one value per dimension");
    for (int32_t i = 0; i < nd; ++i) {
        TFLM_CHECK(node, begin[i] >= 0 && begin[i] <= in->dims[i], TFLM_ERR_BAD_PARAM, "begin out of range");
        if (size[i] == -1) {
            size[i] = in->dims[i] - begin[i];
        }
        TFLM_CHECK(node, size[i] >= 0 && size[i] <= in->dims[i] - begin[i], TFLM_ERR_BAD_PARAM, "size out of range");
        TFLM_CHECK(node, out->dims[i] == size[i], TFLM_ERR_BAD_SHAPE, "output shape does not match");
    }
    slice_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->ndim = nd;
    d->esize = (int32_t)tflm_sh_esize(t);
    int32_t acc = 1;
    for (int32_t i = nd - 1; i >= 0; --i) {
        d->begin[i] = begin[i];
        d->size[i] = size[i];
        d->in_stride[i] = acc;
        acc *= in->dims[i];
    }
    return TFLM_OK;
}

// Copies the block of dimension dim starting at input element off.
static uint8_t *slice_block(const slice_data_t *d, int32_t dim, const uint8_t *src, uint32_t off, uint8_t *dst) {
    size_t es = (size_t)d->esize;
    off += (uint32_t)d->begin[dim] * (uint32_t)d->in_stride[dim];
    if (dim == d->ndim - 1) {
        size_t n = (size_t)d->size[dim] * es;
        memcpy(dst, src + (size_t)off * es, n);
        return dst + n;
    }
    for (int32_t i = 0; i < d->size[dim]; ++i) {
        dst = slice_block(d, dim + 1, src, off + (uint32_t)i * (uint32_t)d->in_stride[dim], dst);
    }
    return dst;
}

tflm_status_t tflm_slice_eval(tflm_node_t *node) {
    const slice_data_t *d = node->op_data;
    slice_block(d, 0, node->in[0].data, 0, node->out[0].data);
    return TFLM_OK;
}
