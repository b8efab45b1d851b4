// PACK (stack the inputs along a new axis) and UNPACK (its inverse).
// Quantised data moves byte for byte.
#include "shape_common.h"

typedef struct {
    int32_t outer;   // product of the dims before the axis
    int32_t chunk;   // bytes of one input (PACK) / output (UNPACK) slice per outer step
} pack_data_t;

static int pack_type_ok(int32_t t) {
    return t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32 || t == TFLM_INT64;
}

// Checks that big = small with one extra dim of size n inserted at axis.
static tflm_status_t pack_check(tflm_node_t *node, const tflm_tensor_t *big, const tflm_tensor_t *small, int32_t axis,
                                int32_t n) {
    TFLM_CHECK(node, big->type == small->type, TFLM_ERR_UNSUPPORTED_TYPE, "types differ");
    TFLM_CHECK(node, tflm_sh_dims_ok(big) && tflm_sh_dims_ok(small) && big->ndim == small->ndim + 1, TFLM_ERR_BAD_SHAPE,
               "ranks do not match");
    for (int32_t i = 0, j = 0; i < big->ndim; ++i) {
        int32_t want = (i == axis) ? n : small->dims[j++];
        TFLM_CHECK(node, big->dims[i] == want, TFLM_ERR_BAD_SHAPE, "shapes do not match");
    }
    return TFLM_OK;
}

static tflm_status_t pack_finish(tflm_node_t *node, const tflm_tensor_t *big, int32_t axis) {
    pack_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->outer = (int32_t)tflm_sh_prod(big->dims, 0, axis);
    d->chunk = (int32_t)(tflm_sh_prod(big->dims, axis + 1, big->ndim) * tflm_sh_esize(big->type));
    return TFLM_OK;
}

tflm_status_t tflm_pack_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in >= 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs inputs and one output");
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, pack_type_ok(out->type), TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16, int32 or int64");
    TFLM_CHECK(node, tflm_opt_i32(node, 0, node->n_in) == node->n_in, TFLM_ERR_BAD_PARAM, "values_count differs from inputs");
    int32_t axis = tflm_sh_axis(tflm_opt_i32(node, 1, 0), out->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    for (int32_t i = 0; i < node->n_in; ++i) {
        TFLM_CHECK(node, node->in[i].index >= 0, TFLM_ERR_BAD_PARAM, "missing input");
        tflm_status_t st = pack_check(node, out, &node->in[i], axis, node->n_in);
        if (st != TFLM_OK) {
            return st;
        }
    }
    return pack_finish(node, out, axis);
}

tflm_status_t tflm_pack_eval(tflm_node_t *node) {
    const pack_data_t *d = node->op_data;
    uint8_t *dst = node->out[0].data;
    size_t c = (size_t)d->chunk;
    for (int32_t o = 0; o < d->outer; ++o) {
        for (int32_t i = 0; i < node->n_in; ++i) {
            memcpy(dst, (const uint8_t *)node->in[i].data + (size_t)o * c, c);
            dst += c;
        }
    }
    return TFLM_OK;
}

tflm_status_t tflm_unpack_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out >= 1, TFLM_ERR_BAD_PARAM, "needs one input and outputs");
    const tflm_tensor_t *in = &node->in[0];
    TFLM_CHECK(node, pack_type_ok(in->type), TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16, int32 or int64");
    TFLM_CHECK(node, tflm_opt_i32(node, 0, node->n_out) == node->n_out, TFLM_ERR_BAD_PARAM, "num differs from outputs");
    int32_t axis = tflm_sh_axis(tflm_opt_i32(node, 1, 0), in->ndim);
    TFLM_CHECK(node, axis >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
    for (int32_t i = 0; i < node->n_out; ++i) {
        TFLM_CHECK(node, node->out[i].index >= 0, TFLM_ERR_BAD_PARAM, "missing output");
        tflm_status_t st = pack_check(node, in, &node->out[i], axis, node->n_out);
        if (st != TFLM_OK) {
            return st;
        }
    }
    return pack_finish(node, in, axis);
}

tflm_status_t tflm_unpack_eval(tflm_node_t *node) {
    const pack_data_t *d = node->op_data;
    const uint8_t *src = node->in[0].data;
    size_t c = (size_t)d->chunk;
    for (int32_t o = 0; o < d->outer; ++o) {
        for (int32_t i = 0; i < node->n_out; ++i) {
            memcpy((uint8_t *)node->out[i].data + (size_t)o * c, src, c);
            src += c;
        }
    }
    return TFLM_OK;
}
