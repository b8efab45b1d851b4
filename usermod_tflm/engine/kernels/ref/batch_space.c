// SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on 4-D NHWC (or 3-D NHC, taken as
// NH1C) tensors with constant block_shape and paddings / crops.
// Output batch ob = (sh * block_w + sw) * in_batch + b for the block offset
// (sh, sw). SPACE_TO_BATCH_ND fills the padding with zero bytes, as TFLM's
// reference (its pad value is a zero "output offset", even for int8).
#include "shape_common.h"

typedef struct {
    int32_t bh, bw;       // block shape (bw = 1 for 3-D)
    int32_t top, left;    // padding (S2B) or crop (B2S) before
    int32_t esize;
    int32_t sb, sh, sw;   // spatial side: batch, height, width
    int32_t db, dh, dw;   // batched side: batch, height, width
    int32_t depth;
} bs_data_t;

static tflm_status_t bs_prepare(tflm_node_t *node, int to_batch) {
    TFLM_CHECK(node, node->n_in == 3 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 3 inputs");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
               "type must be float32 or int8");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "types differ");
    TFLM_CHECK(node, (in->ndim == 3 || in->ndim == 4) && out->ndim == in->ndim && tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out),
               TFLM_ERR_BAD_SHAPE, "input and output must both be 3-D or 4-D");
    int32_t nsp = in->ndim - 2;
    int32_t blk[2], pad[4];
    int32_t nb = tflm_const_i32(&node->in[1], blk, 2);
    int32_t np = tflm_const_i32(&node->in[2], pad, 4);
    TFLM_CHECK(node, nb >= 0 && np >= 0, TFLM_ERR_DYNAMIC,
               "block_shape and paddings/crops must be constant int32 tensors");
    TFLM_CHECK(node, nb == nsp && np == 2 * nsp, TFLM_ERR_BAD_PARAM,
               "block_shape/paddings sizes do not match the spatial dims");
    int32_t bh = blk[0], bw = nsp == 2 ? blk[1] : 1;
    int32_t p0 = pad[0], p1 = pad[1], p2 = nsp == 2 ? pad[2] : 0, p3 = nsp == 2 ? pad[3] : 0;
    TFLM_CHECK(node, bh >= 1 && bw >= 1 && bh <= 65536 && bw <= 65536 && p0 >= 0 && p1 >= 0 && p2 >= 0 && p3 >= 0,
               TFLM_ERR_BAD_PARAM, "bad block_shape or paddings");
    const tflm_tensor_t *sp = to_batch ? in : out;
    const tflm_tensor_t *bt = to_batch ? out : in;
    int32_t sh = sp->dims[1], sw = nsp == 2 ? sp->dims[2] : 1;
    int32_t dh = bt->dims[1], dw = nsp == 2 ? bt->dims[2] : 1;
    // Padded (S2B) or uncropped (B2S) spatial size = batched size * block.
    int64_t full_h = (int64_t)sh + p0 + p1, full_w = (int64_t)sw + p2 + p3;
    TFLM_CHECK(node, bt->dims[0] == (int64_t)sp->dims[0] * bh * bw && (int64_t)dh * bh == full_h && (int64_t)dw * bw == full_w &&
                         bt->dims[in->ndim - 1] == sp->dims[in->ndim - 1],
               TFLM_ERR_BAD_SHAPE, "output shape does not match");
    bs_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->bh = bh;
    d->bw = bw;
    d->top = p0;
    d->left = p2;
    d->esize = (int32_t)tflm_sh_esize(t);
    d->sb = sp->dims[0];
    d->sh = sh;
    d->sw = sw;
    d->db = bt->dims[0];
    d->dh = dh;
    d->dw = dw;
    d->depth = sp->dims[in->ndim - 1];
    return TFLM_OK;
}

tflm_status_t tflm_space_to_batch_prepare(tflm_node_t *node) {
    return bs_prepare(node, 1);
}

tflm_status_t tflm_batch_to_space_prepare(tflm_node_t *node) {
    return bs_prepare(node, 0);
}

// Walks the batched tensor in order; each pixel maps to a spatial pixel or
// to padding. to_batch: spatial -> batched (padding gets zeros), else
// batched -> spatial (cropped pixels are skipped).
static void bs_move(const bs_data_t *d, uint8_t *sdata, uint8_t *bdata, int to_batch) {
    size_t run = (size_t)d->depth * (size_t)d->esize;
    for (int32_t ob = 0; ob < d->db; ++ob) {
        int32_t b = ob % d->sb;
        int32_t off = ob / d->sb;
        int32_t oy = off / d->bw, ox = off % d->bw;
        for (int32_t y = 0; y < d->dh; ++y) {
            int32_t sy = y * d->bh + oy - d->top;
            for (int32_t x = 0; x < d->dw; ++x, bdata += run) {
                int32_t sx = x * d->bw + ox - d->left;
                int inside = sy >= 0 && sy < d->sh && sx >= 0 && sx < d->sw;
                size_t pix = inside ? (((size_t)b * (size_t)d->sh + (size_t)sy) * (size_t)d->sw + (size_t)sx) * run : 0;
                if (to_batch) {
                    if (inside) {
                        memcpy(bdata, sdata + pix, run);
                    } else {
                        memset(bdata, 0, run);
                    }
                } else if (inside) {
                    memcpy(sdata + pix, bdata, run);
                }
            }
        }
    }
}

tflm_status_t tflm_space_to_batch_eval(tflm_node_t *node) {
    bs_move(node->op_data, node->in[0].data, node->out[0].data, 1);
    return TFLM_OK;
}

tflm_status_t tflm_batch_to_space_eval(tflm_node_t *node) {
    bs_move(node->op_data, node->out[0].data, node->in[0].data, 0);
    return TFLM_OK;
}
