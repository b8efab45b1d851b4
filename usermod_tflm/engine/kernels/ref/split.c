// SPLIT and SPLIT_V: cut the input along one axis into the outputs, in order.
#include "shape_common.h"

typedef struct {
    int32_t axis;
    int32_t outer;     // product of the dims before the axis
    int32_t esize;
    int32_t data_in;   // index of the data input (SPLIT: 1, SPLIT_V: 0)
} split_data_t;

static int split_type_ok(int32_t t) {
    return t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32;
}

// Outputs: same type and dims as the input except along the axis, where
// their sizes add up to the input's.
static tflm_status_t split_check_outputs(tflm_node_t *node, const tflm_tensor_t *in, int32_t axis, int32_t equal) {
    int32_t sum = 0;
    for (int32_t i = 0; i < node->n_out; ++i) {
        const tflm_tensor_t *o = &node->out[i];
        TFLM_CHECK(node, o->index >= 0, TFLM_ERR_BAD_PARAM, "missing output");
        TFLM_CHECK(node, o->type == in->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
        TFLM_CHECK(node, o->ndim == in->ndim && tflm_sh_dims_ok(o), TFLM_ERR_BAD_SHAPE, "output rank differs from input");
        for (int32_t d = 0; d < in->ndim; ++d) {
            if (d == axis) {
                continue;
            }
            TFLM_CHECK(node, o->dims[d] == in->dims[d], TFLM_ERR_BAD_SHAPE, "output dims differ from input off the axis");
        }
        if (equal) {
            TFLM_CHECK(node, (int64_t)o->dims[axis] * node->n_out == in->dims[axis], TFLM_ERR_BAD_SHAPE,
                       "output size along the axis is not input size / num_splits");
        }
        sum += o->dims[axis];
        TFLM_CHECK(node, sum <= in->dims[axis], TFLM_ERR_BAD_SHAPE, "outputs exceed the input along the axis");
    }
    TFLM_CHECK(node, sum == in->dims[axis], TFLM_ERR_BAD_SHAPE, "output sizes do not add up to the input");
    return TFLM_OK;
}

static tflm_status_t split_finish(tflm_node_t *node, int32_t axis, int32_t data_in) {
    split_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    const tflm_tensor_t *in = &node->in[data_in];
    d->axis = axis;
    d->outer = (int32_t)tflm_sh_prod(in->dims, 0, axis);
    d->esize = (int32_t)tflm_sh_esize(in->type);
    d->data_in = data_in;
    return TFLM_OK;
}

tflm_status_t tflm_split_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out >= 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and outputs");
    const tflm_tensor_t *in = &node->in[1];
    TFLM_CHECK(node, split_type_ok(in->type), TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16 or int32");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && in->ndim >= 1, TFLM_ERR_BAD_SHAPE, "bad input shape");
    int32_t axis = 0;
    int32_t n = tflm_const_i32(&node->in[0], &axis, 1);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "axis must be a constant int32 tensor");
    TFLM_CHECK(node, n == 1, TFLM_ERR_BAD_PARAM, "axis must have one element");
    axis = tflm_sh_axis(axis, in->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    int32_t num = tflm_opt_i32(node, 0, node->n_out);
    TFLM_CHECK(node, num == node->n_out, TFLM_ERR_BAD_PARAM, "num_splits differs from the output count");
    tflm_status_t st = split_check_outputs(node, in, axis, 1);
    if (st != TFLM_OK) {
        return st;
    }
    return split_finish(node, axis, 1);
}

tflm_status_t tflm_split_v_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 3 && node->n_out >= 1, TFLM_ERR_BAD_PARAM, "needs 3 inputs and outputs");
    const tflm_tensor_t *in = &node->in[0];
    TFLM_CHECK(node, split_type_ok(in->type), TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16 or int32");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && in->ndim >= 1, TFLM_ERR_BAD_SHAPE, "bad input shape");
    int32_t axis = 0;
    int32_t n = tflm_const_i32(&node->in[2], &axis, 1);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "axis must be a constant int32 tensor");
    TFLM_CHECK(node, n == 1, TFLM_ERR_BAD_PARAM, "axis must have one element");
    axis = tflm_sh_axis(axis, in->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    tflm_status_t st = split_check_outputs(node, in, axis, 0);
    if (st != TFLM_OK) {
        return st;
    }
    // The output sizes come from the model's output shapes (as in TFLM); a
    // constant size_splits must agree with them (one -1 entry allowed).
    int32_t sizes[TFLM_MAX_OP_IO];
    n = tflm_const_i32(&node->in[1], sizes, TFLM_MAX_OP_IO);
    if (n >= 0) {
        TFLM_CHECK(node, n == node->n_out, TFLM_ERR_BAD_PARAM, "size_splits length differs from the output count");
        for (int32_t i = 0; i < n; ++i) {
            TFLM_CHECK(node, sizes[i] == -1 || sizes[i] == node->out[i].dims[axis], TFLM_ERR_BAD_SHAPE,
                       "size_splits disagrees with the output shapes");
        }
    }
    return split_finish(node, axis, 0);
}

tflm_status_t tflm_split_eval(tflm_node_t *node) {
    const split_data_t *d = node->op_data;
    const tflm_tensor_t *in = &node->in[d->data_in];
    uint32_t inner = tflm_sh_prod(in->dims, d->axis + 1, in->ndim) * (uint32_t)d->esize;
    const uint8_t *src = in->data;
    for (int32_t o = 0; o < d->outer; ++o) {
        for (int32_t i = 0; i < node->n_out; ++i) {
            tflm_tensor_t *out = &node->out[i];
            uint32_t chunk = (uint32_t)out->dims[d->axis] * inner;
            memcpy((uint8_t *)out->data + (size_t)o * chunk, src, chunk);
            src += chunk;
        }
    }
    return TFLM_OK;
}

tflm_status_t tflm_split_v_eval(tflm_node_t *node) {
    return tflm_split_eval(node);
}
