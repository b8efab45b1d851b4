// PAD and PADV2: constant padding before and after each dimension.
// Pad value: PADV2's scalar input; otherwise 0 (float32, int16, int32) or the
// output zero point (int8), as TFLM's reference kernel.
#include "shape_common.h"

typedef struct {
    int32_t ndim;
    int32_t esize;
    int32_t value_from_input;  // 1: read PADV2's scalar at eval
    int32_t left[TFLM_MAX_DIMS];
    int32_t right[TFLM_MAX_DIMS];
    int32_t in_dims[TFLM_MAX_DIMS];
    int32_t out_stride[TFLM_MAX_DIMS];  // elements per step of each output dim
    uint8_t value[8];
} pad_data_t;

tflm_status_t tflm_pad_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, (node->n_in == 2 || node->n_in == 3) && node->n_out == 1, TFLM_ERR_BAD_PARAM,
               "needs 2 or 3 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    const tflm_tensor_t *cv = (node->n_in == 3 && node->in[2].index >= 0) ? &node->in[2] : NULL;
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32,
               TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16 or int32");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && in->ndim == out->ndim && tflm_sh_dims_ok(out), TFLM_ERR_BAD_SHAPE,
               "input and output ranks differ");
    int32_t pads[2 * TFLM_MAX_DIMS];
    int32_t n = tflm_const_i32(&node->in[1], pads, 2 * TFLM_MAX_DIMS);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "paddings must be a constant int32 tensor");
    TFLM_CHECK(node, n == 2 * out->ndim, TFLM_ERR_BAD_PARAM, "paddings must hold one pair per dimension");
    for (int32_t i = 0; i < out->ndim; ++i) {
        TFLM_CHECK(node, pads[2 * i] >= 0 && pads[2 * i + 1] >= 0, TFLM_ERR_BAD_PARAM, "negative padding");
        TFLM_CHECK(node, (int64_t)in->dims[i] + pads[2 * i] + pads[2 * i + 1] == out->dims[i], TFLM_ERR_BAD_SHAPE,
                   "output shape is not input + paddings");
    }
    if (cv != NULL) {
        TFLM_CHECK(node, cv->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "constant value type differs from input");
        TFLM_CHECK(node, cv->elems == 1, TFLM_ERR_BAD_PARAM, "constant value must be a scalar");
        if (t == TFLM_INT8) {
            TFLM_CHECK(node, cv->zero_point == out->zero_point && cv->scale == out->scale, TFLM_ERR_BAD_QUANT,
                       "constant value quantisation differs from output");
        }
    } else if (t == TFLM_INT8) {
        TFLM_CHECK(node, out->zero_point >= -128 && out->zero_point <= 127, TFLM_ERR_BAD_QUANT,
                   "output zero point out of int8 range");
    }
    pad_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->ndim = out->ndim;
    d->esize = (int32_t)tflm_sh_esize(t);
    d->value_from_input = cv != NULL;
    if (cv == NULL && t == TFLM_INT8) {
        d->value[0] = (uint8_t)(int8_t)out->zero_point;
    }
    // Otherwise the value bytes stay zero (0, 0.0f) until eval reads PADV2's.
    int32_t stride = 1;
    for (int32_t i = out->ndim - 1; i >= 0; --i) {
        d->left[i] = pads[2 * i];
        d->right[i] = pads[2 * i + 1];
        d->in_dims[i] = in->dims[i];
        d->out_stride[i] = stride;
        stride *= out->dims[i];
    }
    return TFLM_OK;
}

// Write one output block of dimension dim (and below); advances *src.
static uint8_t *pad_block(const pad_data_t *d, const uint8_t *val, int32_t dim, const uint8_t **src, uint8_t *dst) {
    uint32_t es = (uint32_t)d->esize;
    uint32_t step = (uint32_t)d->out_stride[dim];
    tflm_sh_fill(dst, val, es, (uint32_t)d->left[dim] * step);
    dst += (size_t)d->left[dim] * step * es;
    if (dim == d->ndim - 1) {
        uint32_t row = (uint32_t)d->in_dims[dim] * es;
        memcpy(dst, *src, row);
        *src += row;
        dst += row;
    } else {
        for (int32_t i = 0; i < d->in_dims[dim]; ++i) {
            dst = pad_block(d, val, dim + 1, src, dst);
        }
    }
    tflm_sh_fill(dst, val, es, (uint32_t)d->right[dim] * step);
    return dst + (size_t)d->right[dim] * step * es;
}

tflm_status_t tflm_pad_eval(tflm_node_t *node) {
    const pad_data_t *d = node->op_data;
    uint8_t val[8];
    memcpy(val, d->value, sizeof(val));
    if (d->value_from_input) {
        memcpy(val, node->in[2].data, (size_t)d->esize);
    }
    const uint8_t *src = node->in[0].data;
    uint8_t *dst = node->out[0].data;
    if (d->ndim == 0) {
        memcpy(dst, src, (size_t)d->esize);
        return TFLM_OK;
    }
    pad_block(d, val, 0, &src, dst);
    return TFLM_OK;
}
