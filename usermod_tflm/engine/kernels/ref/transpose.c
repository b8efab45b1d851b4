// TRANSPOSE: out[i0..in] = in[...] with out dim k = in dim perm[k].
#include "shape_common.h"

typedef struct {
    int32_t ndim;
    int32_t esize;
    int32_t out_dims[TFLM_MAX_DIMS];
    int32_t src_step[TFLM_MAX_DIMS];  // input elements per step of output dim k
} transpose_data_t;

tflm_status_t tflm_transpose_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32 || t == TFLM_BOOL,
               TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16, int32 or bool");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out) && in->ndim >= 1 && out->ndim == in->ndim,
               TFLM_ERR_BAD_SHAPE, "input and output ranks differ");
    int32_t perm[TFLM_MAX_DIMS];
    int32_t n = tflm_const_i32(&node->in[1], perm, TFLM_MAX_DIMS);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "perm must be a constant int32 tensor");
    TFLM_CHECK(node, n == in->ndim && node->in[1].ndim == 1, TFLM_ERR_BAD_PARAM, "perm needs one entry per dimension");
    uint8_t seen[TFLM_MAX_DIMS] = {0};
    for (int32_t k = 0; k < n; ++k) {
        TFLM_CHECK(node, perm[k] >= 0 && perm[k] < n && !seen[perm[k]], TFLM_ERR_BAD_PARAM, "perm is not a permutation");
        seen[perm[k]] = 1;
        TFLM_CHECK(node, out->dims[k] == in->dims[perm[k]], TFLM_ERR_BAD_SHAPE, "output shape does not match");
    }
    transpose_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    int32_t in_stride[TFLM_MAX_DIMS];
    int32_t acc = 1;
    for (int32_t i = n - 1; i >= 0; --i) {
        in_stride[i] = acc;
        acc *= in->dims[i];
    }
    d->ndim = n;
    d->esize = (int32_t)tflm_sh_esize(t);
    for (int32_t k = 0; k < n; ++k) {
        d->out_dims[k] = out->dims[k];
        d->src_step[k] = in_stride[perm[k]];
    }
    return TFLM_OK;
}

// Output written in row-major order; the input offset follows the permuted strides.
#define TRANSPOSE_LOOP(T)                                                       \
    do {                                                                        \
        const T *s = (const T *)src;                                            \
        T *o = (T *)dst;                                                        \
        for (uint32_t e = 0; e < total; ++e) {                                  \
            o[e] = s[off];                                                      \
            for (int32_t k = d->ndim - 1; k >= 0; --k) {                        \
                off += (uint32_t)d->src_step[k];                                \
                if (++idx[k] < d->out_dims[k]) {                                \
                    break;                                                      \
                }                                                               \
                off -= (uint32_t)d->src_step[k] * (uint32_t)d->out_dims[k];     \
                idx[k] = 0;                                                     \
            }                                                                   \
        }                                                                       \
    } while (0)

tflm_status_t tflm_transpose_eval(tflm_node_t *node) {
    const transpose_data_t *d = node->op_data;
    const void *src = node->in[0].data;
    void *dst = node->out[0].data;
    uint32_t total = node->out[0].elems;
    int32_t idx[TFLM_MAX_DIMS] = {0};
    uint32_t off = 0;
    switch (d->esize) {
        case 1:
            TRANSPOSE_LOOP(uint8_t);
            break;
        case 2:
            TRANSPOSE_LOOP(uint16_t);
            break;
        default:
            TRANSPOSE_LOOP(uint32_t);
            break;
    }
    return TFLM_OK;
}
