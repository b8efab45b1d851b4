// RESHAPE, SQUEEZE, EXPAND_DIMS: the output is the input's bytes under the
// model's output shape. Registered with TFLM_OPF_ALIAS: the planner normally
// gives out[0] the input's memory, and eval copies only when it did not.
#include "shape_common.h"

// Checks shared by the three ops: one output of the input's type and size.
static tflm_status_t reshape_common_check(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0, TFLM_ERR_BAD_PARAM, "missing input");
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, tflm_sh_esize(in->type) != 0, TFLM_ERR_UNSUPPORTED_TYPE, "unsupported type");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out), TFLM_ERR_BAD_SHAPE,
               "output shape has an unresolved (-1) dimension");
    TFLM_CHECK(node, in->elems == out->elems && in->bytes == out->bytes, TFLM_ERR_BAD_SHAPE,
               "input and output element counts differ");
    return TFLM_OK;
}

tflm_status_t tflm_reshape_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 || node->n_in == 2, TFLM_ERR_BAD_PARAM, "needs 1 or 2 inputs");
    // The target shape is the output tensor's shape in the model (as in TFLM);
    // the optional shape input is not read, so it may be computed at run time
    // as long as the model's output shape is fully known.
    const tflm_tensor_t *shp = node->n_in == 2 ? &node->in[1] : NULL;
    if (shp != NULL && shp->index >= 0 && !shp->is_const) {
        const tflm_tensor_t *in = &node->in[0];
        const tflm_tensor_t *out = &node->out[0];
        TFLM_CHECK(node, tflm_sh_dims_ok(out) && in->elems == out->elems, TFLM_ERR_DYNAMIC,
                   "output shape is computed at run time");
    }
    return reshape_common_check(node);
}

tflm_status_t tflm_reshape_eval(tflm_node_t *node) {
    const tflm_tensor_t *in = &node->in[0];
    tflm_tensor_t *out = &node->out[0];
    if (out->data != in->data) {
        memcpy(out->data, in->data, in->bytes);
    }
    return TFLM_OK;
}

tflm_status_t tflm_squeeze_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1, TFLM_ERR_BAD_PARAM, "needs one input");
    tflm_status_t st = reshape_common_check(node);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t sq[TFLM_MAX_DIMS];
    int32_t n = tflm_opt_vec_i32(node, 0, sq, TFLM_MAX_DIMS);
    TFLM_CHECK(node, n <= TFLM_MAX_DIMS, TFLM_ERR_BAD_PARAM, "too many squeeze_dims");
    uint8_t drop[TFLM_MAX_DIMS] = {0};
    if (n <= 0) {
        // No list: every dimension of size 1 goes.
        for (int32_t i = 0; i < in->ndim; ++i) {
            drop[i] = in->dims[i] == 1;
        }
    } else {
        for (int32_t k = 0; k < n; ++k) {
            int32_t a = tflm_sh_axis(sq[k], in->ndim);
            TFLM_CHECK(node, a >= 0, TFLM_ERR_BAD_PARAM, "squeeze_dims out of range");
            TFLM_CHECK(node, in->dims[a] == 1, TFLM_ERR_BAD_PARAM, "squeezed dimension is not 1");
            drop[a] = 1;
        }
    }
    int32_t k = 0;
    for (int32_t i = 0; i < in->ndim; ++i) {
        if (drop[i]) {
            continue;
        }
        TFLM_CHECK(node, k < out->ndim && out->dims[k] == in->dims[i], TFLM_ERR_BAD_SHAPE,
                   "output shape does not match");
        ++k;
    }
    TFLM_CHECK(node, k == out->ndim, TFLM_ERR_BAD_SHAPE, "output rank does not match");
    return TFLM_OK;
}

tflm_status_t tflm_squeeze_eval(tflm_node_t *node) {
    return tflm_reshape_eval(node);
}

tflm_status_t tflm_expand_dims_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2, TFLM_ERR_BAD_PARAM, "needs 2 inputs");
    tflm_status_t st = reshape_common_check(node);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t axis = 0;
    int32_t n = tflm_const_i32(&node->in[1], &axis, 1);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "axis must be a constant int32 tensor");
    TFLM_CHECK(node, n == 1, TFLM_ERR_BAD_PARAM, "axis must have one element");
    TFLM_CHECK(node, in->ndim + 1 <= TFLM_MAX_DIMS, TFLM_ERR_BAD_SHAPE, "too many dimensions");
    int32_t a = tflm_sh_axis(axis, in->ndim + 1);
    TFLM_CHECK(node, a >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    TFLM_CHECK(node, out->ndim == in->ndim + 1, TFLM_ERR_BAD_SHAPE, "output rank does not match");
    for (int32_t i = 0, j = 0; i < out->ndim; ++i) {
        int32_t want = (i == a) ? 1 : in->dims[j++];
        TFLM_CHECK(node, out->dims[i] == want, TFLM_ERR_BAD_SHAPE, "output shape does not match");
    }
    return TFLM_OK;
}

tflm_status_t tflm_expand_dims_eval(tflm_node_t *node) {
    return tflm_reshape_eval(node);
}
