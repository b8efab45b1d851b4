// MIRROR_PAD: padding that mirrors the input at each border, REFLECT (the
// border element is not repeated) or SYMMETRIC (it is).
#include "shape_common.h"

typedef struct {
    int32_t ndim;
    int32_t esize;
    int32_t offset;   // 1: REFLECT, 0: SYMMETRIC
    int32_t left[TFLM_MAX_DIMS];
    int32_t in_dims[TFLM_MAX_DIMS];
    int32_t out_dims[TFLM_MAX_DIMS];
    int32_t in_stride[TFLM_MAX_DIMS];
} mpad_data_t;

tflm_status_t tflm_mirror_pad_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
               "type must be float32, int8, int16 or int32");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out) && in->ndim >= 1 && out->ndim == in->ndim, TFLM_ERR_BAD_SHAPE,
               "input and output ranks differ");
    int32_t pads[2 * TFLM_MAX_DIMS];
    int32_t n = tflm_const_i32(&node->in[1], pads, 2 * TFLM_MAX_DIMS);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "paddings must be a constant int32 tensor");
    TFLM_CHECK(node, n == 2 * in->ndim, TFLM_ERR_BAD_PARAM, "paddings must hold one pair per dimension");
    int32_t mode = tflm_opt_u8(node, 0, 0);
    TFLM_CHECK(node, mode == 0 || mode == 1, TFLM_ERR_BAD_PARAM, "unknown mode");
    int32_t offset = mode == 0 ? 1 : 0;
    for (int32_t i = 0; i < in->ndim; ++i) {
        int32_t lim = in->dims[i] - offset;
        TFLM_CHECK(node, pads[2 * i] >= 0 && pads[2 * i + 1] >= 0 && pads[2 * i] <= lim && pads[2 * i + 1] <= lim,
                   TFLM_ERR_BAD_PARAM, "padding larger than the input allows");
        TFLM_CHECK(node, (int64_t)in->dims[i] + pads[2 * i] + pads[2 * i + 1] == out->dims[i], TFLM_ERR_BAD_SHAPE,
                   "output shape is not input + paddings");
    }
    mpad_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->ndim = in->ndim;
    d->esize = (int32_t)tflm_sh_esize(t);
    d->offset = offset;
    int32_t acc = 1;
    for (int32_t i = in->ndim - 1; i >= 0; --i) {
        d->left[i] = pads[2 * i];
        d->in_dims[i] = in->dims[i];
        d->out_dims[i] = out->dims[i];
        d->in_stride[i] = acc;
        acc *= in->dims[i];
    }
    return TFLM_OK;
}

// Input index along a dimension for output index p.
static int32_t mpad_src(const mpad_data_t *d, int32_t dim, int32_t p) {
    int32_t l = d->left[dim], n = d->in_dims[dim];
    if (p < l) {
        return l - 1 + d->offset - p;
    }
    p -= l;
    if (p >= n) {
        return n - 1 - d->offset - (p - n);
    }
    return p;
}

static uint8_t *mpad_block(const mpad_data_t *d, int32_t dim, const uint8_t *src, uint32_t off, uint8_t *dst) {
    size_t es = (size_t)d->esize;
    for (int32_t p = 0; p < d->out_dims[dim]; ++p) {
        uint32_t o = off + (uint32_t)mpad_src(d, dim, p) * (uint32_t)d->in_stride[dim];
        if (dim == d->ndim - 1) {
            memcpy(dst, src + (size_t)o * es, es);
            dst += es;
        } else {
            dst = mpad_block(d, dim + 1, src, o, dst);
        }
    }
    return dst;
}

tflm_status_t tflm_mirror_pad_eval(tflm_node_t *node) {
    const mpad_data_t *d = node->op_data;
    mpad_block(d, 0, node->in[0].data, 0, node->out[0].data);
    return TFLM_OK;
}
