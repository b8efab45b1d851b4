// SPACE_TO_DEPTH and DEPTH_TO_SPACE on NHWC tensors with block size bs.
// Depth layout of a moved block: (row in block, column in block, channel),
// channel fastest.
#include "shape_common.h"

typedef struct {
    int32_t bs;
    int32_t esize;
} ds_data_t;

static tflm_status_t ds_prepare(tflm_node_t *node, int to_depth) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs one input and output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
               "type must be float32, int8, int16 or int32");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, in->ndim == 4 && out->ndim == 4 && tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out), TFLM_ERR_BAD_SHAPE,
               "input and output must be 4-D");
    int32_t bs = tflm_opt_i32(node, 0, 0);
    TFLM_CHECK(node, bs >= 1 && bs <= 4096, TFLM_ERR_BAD_PARAM, "bad block_size");
    const tflm_tensor_t *sp = to_depth ? in : out;   // the spatial side
    const tflm_tensor_t *dp = to_depth ? out : in;   // the deep side
    TFLM_CHECK(node, sp->dims[1] % bs == 0 && sp->dims[2] % bs == 0, TFLM_ERR_BAD_SHAPE,
               "height and width must be multiples of block_size");
    TFLM_CHECK(node, dp->dims[0] == sp->dims[0] && dp->dims[1] == sp->dims[1] / bs && dp->dims[2] == sp->dims[2] / bs &&
                         (int64_t)dp->dims[3] == (int64_t)sp->dims[3] * bs * bs,
               TFLM_ERR_BAD_SHAPE, "output shape does not match");
    ds_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->bs = bs;
    d->esize = (int32_t)tflm_sh_esize(t);
    return TFLM_OK;
}

tflm_status_t tflm_space_to_depth_prepare(tflm_node_t *node) {
    return ds_prepare(node, 1);
}

tflm_status_t tflm_depth_to_space_prepare(tflm_node_t *node) {
    return ds_prepare(node, 0);
}

// Walks the deep tensor (N, H/bs, W/bs, bs*bs*C) in order; each run of C
// elements pairs with one pixel of the spatial tensor. to_depth: spatial ->
// deep, else deep -> spatial.
static void ds_move(const ds_data_t *d, const tflm_tensor_t *sp, uint8_t *sdata, uint8_t *ddata, int to_depth) {
    int32_t bs = d->bs;
    int32_t h = sp->dims[1], w = sp->dims[2];
    size_t run = (size_t)sp->dims[3] * (size_t)d->esize;
    for (int32_t b = 0; b < sp->dims[0]; ++b) {
        for (int32_t y = 0; y < h / bs; ++y) {
            for (int32_t x = 0; x < w / bs; ++x) {
                for (int32_t by = 0; by < bs; ++by) {
                    for (int32_t bx = 0; bx < bs; ++bx) {
                        size_t pix = (((size_t)b * (size_t)h + (size_t)(y * bs + by)) * (size_t)w + (size_t)(x * bs + bx)) * run;
                        if (to_depth) {
                            memcpy(ddata, sdata + pix, run);
                        } else {
                            memcpy(sdata + pix, ddata, run);
                        }
                        ddata += run;
                    }
                }
            }
        }
    }
}

tflm_status_t tflm_space_to_depth_eval(tflm_node_t *node) {
    ds_move(node->op_data, &node->in[0], node->in[0].data, node->out[0].data, 1);
    return TFLM_OK;
}

tflm_status_t tflm_depth_to_space_eval(tflm_node_t *node) {
    ds_move(node->op_data, &node->out[0], node->out[0].data, node->in[0].data, 0);
    return TFLM_OK;
}
