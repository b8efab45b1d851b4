// CONCATENATION: joins the inputs along one axis, byte for byte.
// As TFLM, there is no requantisation: int8 inputs must have the output's
// scale and zero point, int16 inputs and output a zero point of 0 (the
// converter inserts QUANTIZE ops where inputs differ).
#include "shape_common.h"

typedef struct {
    int32_t axis;
    int32_t outer;     // product of the dims before the axis
    int32_t esize;
} concat_data_t;

tflm_status_t tflm_concat_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in >= 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs inputs and one output");
    const tflm_tensor_t *out = &node->out[0];
    int32_t act = tflm_opt_u8(node, 1, 0);
    TFLM_CHECK(node, act == TFLM_ACT_NONE, TFLM_ERR_BAD_PARAM, "fused activation not supported");
    int32_t t = out->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32 || t == TFLM_INT64 ||
                         t == TFLM_BOOL,
               TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16, int32, int64 or bool");
    TFLM_CHECK(node, t != TFLM_INT16 || out->zero_point == 0, TFLM_ERR_BAD_QUANT, "int16 zero point must be 0");
    TFLM_CHECK(node, tflm_sh_dims_ok(out) && out->ndim >= 1, TFLM_ERR_BAD_SHAPE, "bad output shape");
    int32_t axis = tflm_sh_axis(tflm_opt_i32(node, 0, 0), out->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    int32_t sum = 0;
    for (int32_t i = 0; i < node->n_in; ++i) {
        const tflm_tensor_t *in = &node->in[i];
        TFLM_CHECK(node, in->index >= 0, TFLM_ERR_BAD_PARAM, "missing input");
        TFLM_CHECK(node, in->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
        TFLM_CHECK(node, t != TFLM_INT8 || tflm_sh_same_quant(in, out), TFLM_ERR_BAD_QUANT,
                   "int8 inputs need the output's scale and zero point");
        TFLM_CHECK(node, t != TFLM_INT16 || in->zero_point == 0, TFLM_ERR_BAD_QUANT, "int16 zero point must be 0");
        TFLM_CHECK(node, in->ndim == out->ndim && tflm_sh_dims_ok(in), TFLM_ERR_BAD_SHAPE,
                   "input rank differs from output rank");
        for (int32_t d = 0; d < out->ndim; ++d) {
            if (d != axis) {
                TFLM_CHECK(node, in->dims[d] == out->dims[d], TFLM_ERR_BAD_SHAPE,
                           "input dims differ from output off the axis");
            }
        }
        sum += in->dims[axis];
        TFLM_CHECK(node, sum <= out->dims[axis], TFLM_ERR_BAD_SHAPE, "inputs exceed the output along the axis");
    }
    TFLM_CHECK(node, sum == out->dims[axis], TFLM_ERR_BAD_SHAPE, "output size along the axis does not match");
    concat_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->axis = axis;
    d->outer = (int32_t)tflm_sh_prod(out->dims, 0, axis);
    d->esize = (int32_t)tflm_sh_esize(t);
    return TFLM_OK;
}

tflm_status_t tflm_concat_eval(tflm_node_t *node) {
    const concat_data_t *d = node->op_data;
    const tflm_tensor_t *out = &node->out[0];
    uint8_t *dst = out->data;
    uint32_t inner = tflm_sh_prod(out->dims, d->axis + 1, out->ndim) * (uint32_t)d->esize;
    for (int32_t o = 0; o < d->outer; ++o) {
        for (int32_t i = 0; i < node->n_in; ++i) {
            const tflm_tensor_t *in = &node->in[i];
            uint32_t chunk = (uint32_t)in->dims[d->axis] * inner;
            memcpy(dst, (const uint8_t *)in->data + (size_t)o * chunk, chunk);
            dst += chunk;
        }
    }
    return TFLM_OK;
}
