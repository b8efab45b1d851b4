// STRIDED_SLICE with constant begin/end/strides, begin/end/shrink masks and
// negative strides. As TFLM, ellipsis_mask, new_axis_mask and offset are not
// applied (the converter lowers them); the output-shape check catches models
// that would need them.
//
// Index rules (TFLM's): a negative begin/end gets the axis size added; begin
// is clamped to [0, size] (stride > 0) or [-1, size-1] (stride < 0), then the
// begin mask sets it to 0 or size-1; end is clamped the same way, then the
// end mask sets it to size or -1; a shrunk axis takes the single element at
// begin. The input is walked as 5-D (leading dims of size 1).
#include "shape_common.h"

#define SS_DIMS 5

typedef struct {
    int32_t esize;
    int32_t start[SS_DIMS];
    int32_t stop[SS_DIMS];
    int32_t stride[SS_DIMS];
    int32_t in_stride[SS_DIMS];  // elements per step of each (5-D) input dim
} ss_data_t;

static int32_t ss_clamp(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

// Number of loop iterations for start, stop, stride (stop exclusive).
static int64_t ss_count(int32_t start, int32_t stop, int32_t stride) {
    int64_t span = stride > 0 ? (int64_t)stop - start : (int64_t)start - stop;
    int64_t st = stride > 0 ? stride : -(int64_t)stride;
    return span <= 0 ? 0 : (span + st - 1) / st;
}

tflm_status_t tflm_strided_slice_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 4 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 4 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32 || t == TFLM_BOOL,
               TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32, int8, int16, int32 or bool");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out), TFLM_ERR_BAD_SHAPE, "bad shape");
    int32_t nd = in->ndim;
    TFLM_CHECK(node, nd >= 1 && nd <= SS_DIMS, TFLM_ERR_BAD_SHAPE, "input must have 1 to 5 dimensions");
    int32_t begin[SS_DIMS], end[SS_DIMS], strides[SS_DIMS];
    int32_t nb = tflm_const_i32(&node->in[1], begin, SS_DIMS);
    int32_t ne = tflm_const_i32(&node->in[2], end, SS_DIMS);
    int32_t ns = tflm_const_i32(&node->in[3], strides, SS_DIMS);
    TFLM_CHECK(node, nb >= 0 && ne >= 0 && ns >= 0, TFLM_ERR_DYNAMIC,
               "begin, end and strides must be constant int32 tensors");
    TFLM_CHECK(node, nb == nd && ne == nd && ns == nd, TFLM_ERR_BAD_PARAM,
               "begin, end and strides need one value per input dimension");
    uint32_t bmask = (uint32_t)tflm_opt_i32(node, 0, 0);
    uint32_t emask = (uint32_t)tflm_opt_i32(node, 1, 0);
    uint32_t smask = (uint32_t)tflm_opt_i32(node, 4, 0);

    int32_t pad = SS_DIMS - nd;
    int32_t start[SS_DIMS], stop[SS_DIMS], step[SS_DIMS], size[SS_DIMS];
    int32_t k = 0;
    int64_t total = 1;
    for (int32_t j = 0; j < SS_DIMS; ++j) {
        if (j < pad) {
            start[j] = 0;
            stop[j] = 1;
            step[j] = 1;
            size[j] = 1;
            continue;
        }
        int32_t i = j - pad;
        int32_t sz = in->dims[i];
        int32_t st = strides[i];
        TFLM_CHECK(node, st != 0, TFLM_ERR_BAD_PARAM, "stride must be non-zero");
        int shrink = (smask >> i) & 1u;
        int32_t b = begin[i];
        if (b < 0) {
            b += sz;
        }
        b = st > 0 ? ss_clamp(b, 0, sz) : ss_clamp(b, -1, sz - 1);
        if ((bmask >> i) & 1u) {
            b = st > 0 ? 0 : sz - 1;
        }
        int32_t e;
        if (shrink) {
            TFLM_CHECK(node, st > 0 && b >= 0 && b < sz, TFLM_ERR_BAD_PARAM,
                       "shrunk axis needs a positive stride and an index inside the axis");
            e = b + 1;
        } else {
            e = end[i];
            if (e < 0) {
                e += sz;
            }
            e = st > 0 ? ss_clamp(e, 0, sz) : ss_clamp(e, -1, sz - 1);
            if ((emask >> i) & 1u) {
                e = st > 0 ? sz : -1;
            }
        }
        int64_t cnt = ss_count(b, e, st);
        if (!shrink) {
            TFLM_CHECK(node, k < out->ndim && out->dims[k] == cnt, TFLM_ERR_BAD_SHAPE,
                       "output shape does not match");
            ++k;
        }
        total *= cnt;
        start[j] = b;
        stop[j] = e;
        // A step longer than the axis leaves it after one element: shorten it
        // so the loop counter cannot overflow (same iterations).
        step[j] = st > sz + 1 ? sz + 1 : (st < -(sz + 1) ? -(sz + 1) : st);
        size[j] = sz;
    }
    TFLM_CHECK(node, k == out->ndim, TFLM_ERR_BAD_SHAPE, "output rank does not match");
    TFLM_CHECK(node, total == (int64_t)out->elems, TFLM_ERR_BAD_SHAPE, "output size does not match");

    ss_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->esize = (int32_t)tflm_sh_esize(t);
    int32_t acc = 1;
    for (int32_t j = SS_DIMS - 1; j >= 0; --j) {
        d->start[j] = start[j];
        d->stop[j] = stop[j];
        d->stride[j] = step[j];
        d->in_stride[j] = acc;
        acc *= size[j];
    }
    return TFLM_OK;
}

static inline int ss_more(int32_t i, int32_t stop, int32_t stride) {
    return stride > 0 ? i < stop : i > stop;
}

tflm_status_t tflm_strided_slice_eval(tflm_node_t *node) {
    const ss_data_t *d = node->op_data;
    const uint8_t *src = node->in[0].data;
    uint8_t *dst = node->out[0].data;
    size_t es = (size_t)d->esize;
    int32_t i[4];
    for (i[0] = d->start[0]; ss_more(i[0], d->stop[0], d->stride[0]); i[0] += d->stride[0]) {
        for (i[1] = d->start[1]; ss_more(i[1], d->stop[1], d->stride[1]); i[1] += d->stride[1]) {
            for (i[2] = d->start[2]; ss_more(i[2], d->stop[2], d->stride[2]); i[2] += d->stride[2]) {
                for (i[3] = d->start[3]; ss_more(i[3], d->stop[3], d->stride[3]); i[3] += d->stride[3]) {
                    int32_t base = i[0] * d->in_stride[0] + i[1] * d->in_stride[1] + i[2] * d->in_stride[2] +
                                   i[3] * d->in_stride[3];
                    if (d->stride[4] == 1) {
                        int32_t len = d->stop[4] - d->start[4];
                        if (len > 0) {
                            memcpy(dst, src + (size_t)(base + d->start[4]) * es, (size_t)len * es);
                            dst += (size_t)len * es;
                        }
                    } else {
                        for (int32_t x = d->start[4]; ss_more(x, d->stop[4], d->stride[4]); x += d->stride[4]) {
                            memcpy(dst, src + (size_t)(base + x) * es, es);
                            dst += es;
                        }
                    }
                }
            }
        }
    }
    return TFLM_OK;
}
