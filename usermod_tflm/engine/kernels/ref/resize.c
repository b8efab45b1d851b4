// RESIZE_NEAREST_NEIGHBOR on NHWC tensors, with a constant size input.
//
// Source index of output index i along an axis (TFLM's formula, float):
//   scale = (align_corners && out > 1) ? (in - 1) / (float)(out - 1) : in / (float)out
//   v = (i + (half_pixel_centers ? 0.5f : 0)) * scale
//   src = min(align_corners ? round(v) : floor(v), in - 1), then max(src, 0)
//   when half_pixel_centers.
#include <math.h>
#include "shape_common.h"

typedef struct {
    int32_t align_corners;
    int32_t half_pixel;
    int32_t esize;
} resize_nn_data_t;

static int32_t resize_nn_src(int32_t i, int32_t in_size, int32_t out_size, int align, int half) {
    float scale = (align && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                         : (float)in_size / (float)out_size;
    float offset = half ? 0.5f : 0.0f;
    float v = ((float)i + offset) * scale;
    int32_t s = align ? (int32_t)roundf(v) : (int32_t)floorf(v);
    if (s > in_size - 1) {
        s = in_size - 1;
    }
    if (half && s < 0) {
        s = 0;
    }
    return s;
}

tflm_status_t tflm_resize_nn_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM,
               "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16 || t == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
               "type must be float32, int8, int16 or int32");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, in->ndim == 4 && out->ndim == 4 && tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out), TFLM_ERR_BAD_SHAPE,
               "input and output must be 4-D");
    int32_t size[2];
    int32_t n = tflm_const_i32(&node->in[1], size, 2);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "size must be a constant int32 tensor");
    TFLM_CHECK(node, n == 2, TFLM_ERR_BAD_PARAM, "size must have 2 elements");
    TFLM_CHECK(node, out->dims[0] == in->dims[0] && out->dims[1] == size[0] && out->dims[2] == size[1] &&
                         out->dims[3] == in->dims[3],
               TFLM_ERR_BAD_SHAPE, "output shape does not match");
    TFLM_CHECK(node, (size[0] == 0 || in->dims[1] > 0) && (size[1] == 0 || in->dims[2] > 0), TFLM_ERR_BAD_SHAPE,
               "empty input");
    resize_nn_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->align_corners = tflm_opt_u8(node, 0, 0) != 0;
    d->half_pixel = tflm_opt_u8(node, 1, 0) != 0;
    d->esize = (int32_t)tflm_sh_esize(t);
    return TFLM_OK;
}

tflm_status_t tflm_resize_nn_eval(tflm_node_t *node) {
    const resize_nn_data_t *d = node->op_data;
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t ih = in->dims[1], iw = in->dims[2];
    int32_t oh = out->dims[1], ow = out->dims[2];
    size_t pix = (size_t)in->dims[3] * (size_t)d->esize;
    const uint8_t *src = in->data;
    uint8_t *dst = out->data;
    for (int32_t b = 0; b < out->dims[0]; ++b) {
        const uint8_t *img = src + (size_t)b * (size_t)ih * (size_t)iw * pix;
        for (int32_t y = 0; y < oh; ++y) {
            int32_t sy = resize_nn_src(y, ih, oh, d->align_corners, d->half_pixel);
            for (int32_t x = 0; x < ow; ++x) {
                int32_t sx = resize_nn_src(x, iw, ow, d->align_corners, d->half_pixel);
                memcpy(dst, img + ((size_t)sy * (size_t)iw + (size_t)sx) * pix, pix);
                dst += pix;
            }
        }
    }
    return TFLM_OK;
}

// RESIZE_BILINEAR on NHWC tensors with a constant size input.
//
// float32 (TFLM's float formula, evaluated in this exact order):
//   scale = in / (float)out, or (in - 1) / (float)(out - 1) with align_corners
//   v = half_pixel ? (i + 0.5f) * scale - 0.5f : i * scale
//   i0 = max((int)floor(v), 0), i1 = min((int)ceil(v), in - 1)
//   out = a*(1-dy)*(1-dx) + b*dy*(1-dx) + c*(1-dy)*dx + d*dy*dx + 0.0f
// int8 (TFLM's integer formula, 10 fractional bits):
//   scale10 = (1024 * in + out / 2) / out (align_corners: with in-1, out-1)
//   v = i * scale10 (+ scale10 / 2 - 512 with half_pixel)
//   i0 = max(v / 1024, 0), i1 = min((v + 1023) / 1024, in - 1)
//   acc = sum of value * weight (weights in 1/2^20), then
//   (acc + (acc > 0 ? 2^19 : -2^19)) / 2^20, truncating.
// Note: the float path must not be compiled with FMA contraction.
typedef struct {
    int32_t align_corners;
    int32_t half_pixel;
} resize_bl_data_t;

static void resize_bl_q_coord(int32_t i, int32_t scale10, int half, int32_t in_size, int32_t *v, int32_t *lo, int32_t *hi) {
    int32_t sv = half ? i * scale10 + scale10 / 2 - (1 << 9) : i * scale10;
    int32_t a = sv / (1 << 10);
    int32_t b = (sv + (1 << 10) - 1) / (1 << 10);
    *v = sv;
    *lo = a > 0 ? a : 0;
    *hi = b < in_size - 1 ? b : in_size - 1;
}

// Q10 source step of the integer formula along one axis.
static int32_t resize_bl_scale10(int32_t in_size, int32_t out_size, int align) {
    if (align && out_size > 1) {
        return ((1 << 10) * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1);
    }
    return ((1 << 10) * in_size + out_size / 2) / out_size;
}

// The integer formula's lower source index grows with the output index and
// is not clamped to the input (a far upscale rounds its step up): the last
// one must stay inside.
static int resize_bl_q_inside(int32_t in_size, int32_t out_size, int align, int half) {
    int32_t v, lo, hi;
    resize_bl_q_coord(out_size - 1, resize_bl_scale10(in_size, out_size, align), half, in_size, &v, &lo, &hi);
    return lo < in_size;
}

tflm_status_t tflm_resize_bilinear_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE, "type must be float32 or int8");
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    TFLM_CHECK(node, in->ndim == 4 && out->ndim == 4 && tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out), TFLM_ERR_BAD_SHAPE,
               "input and output must be 4-D");
    int32_t size[2];
    int32_t n = tflm_const_i32(&node->in[1], size, 2);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "size must be a constant int32 tensor");
    TFLM_CHECK(node, n == 2, TFLM_ERR_BAD_PARAM, "size must have 2 elements");
    TFLM_CHECK(node, out->dims[0] == in->dims[0] && out->dims[1] == size[0] && out->dims[2] == size[1] &&
                         out->dims[3] == in->dims[3],
               TFLM_ERR_BAD_SHAPE, "output shape does not match");
    TFLM_CHECK(node, size[0] > 0 && size[1] > 0 && in->dims[1] > 0 && in->dims[2] > 0, TFLM_ERR_BAD_SHAPE,
               "empty input or output");
    TFLM_CHECK(node, in->dims[1] < (1 << 20) && in->dims[2] < (1 << 20) && size[0] < (1 << 20) && size[1] < (1 << 20),
               TFLM_ERR_BAD_SHAPE, "image too large");
    int align = tflm_opt_u8(node, 2, 0) != 0;
    int half = tflm_opt_u8(node, 3, 0) != 0;
    TFLM_CHECK(node, !(align && half), TFLM_ERR_BAD_PARAM, "align_corners and half_pixel_centers both set");
    if (t == TFLM_INT8) {
        // The int32 arithmetic of the integer formula stays in range.
        TFLM_CHECK(node, (int64_t)size[0] * 1024 * (in->dims[1] + 1) < INT32_MAX &&
                             (int64_t)size[1] * 1024 * (in->dims[2] + 1) < INT32_MAX,
                   TFLM_ERR_BAD_SHAPE, "image too large for int8");
        TFLM_CHECK(node, resize_bl_q_inside(in->dims[1], size[0], align, half)
                             && resize_bl_q_inside(in->dims[2], size[1], align, half),
                   TFLM_ERR_BAD_SHAPE, "int8 upscale too large (source index beyond the input)");
    }
    resize_bl_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->align_corners = align;
    d->half_pixel = half;
    return TFLM_OK;
}

static void resize_bl_f_coord(int32_t i, float scale, int half, int32_t in_size, float *v, int32_t *lo, int32_t *hi) {
    float fv = half ? ((float)i + 0.5f) * scale - 0.5f : (float)i * scale;
    int32_t a = (int32_t)floorf(fv);
    int32_t b = (int32_t)ceilf(fv);
    *v = fv;
    *lo = a > 0 ? a : 0;
    *hi = b < in_size - 1 ? b : in_size - 1;
}

static void resize_bl_f32(const resize_bl_data_t *d, const tflm_tensor_t *in, const tflm_tensor_t *out) {
    int32_t ih = in->dims[1], iw = in->dims[2], c = in->dims[3];
    int32_t oh = out->dims[1], ow = out->dims[2];
    float hs = (float)ih / (float)oh;
    float ws = (float)iw / (float)ow;
    if (d->align_corners && oh > 1) {
        hs = (float)(ih - 1) / (float)(oh - 1);
    }
    if (d->align_corners && ow > 1) {
        ws = (float)(iw - 1) / (float)(ow - 1);
    }
    const float *src = in->data;
    float *dst = out->data;
    for (int32_t b = 0; b < in->dims[0]; ++b) {
        const float *img = src + (size_t)b * (size_t)ih * (size_t)iw * (size_t)c;
        for (int32_t y = 0; y < oh; ++y) {
            float fy;
            int32_t y0, y1;
            resize_bl_f_coord(y, hs, d->half_pixel, ih, &fy, &y0, &y1);
            for (int32_t x = 0; x < ow; ++x) {
                float fx;
                int32_t x0, x1;
                resize_bl_f_coord(x, ws, d->half_pixel, iw, &fx, &x0, &x1);
                const float *p00 = img + ((size_t)y0 * (size_t)iw + (size_t)x0) * (size_t)c;
                const float *p10 = img + ((size_t)y1 * (size_t)iw + (size_t)x0) * (size_t)c;
                const float *p01 = img + ((size_t)y0 * (size_t)iw + (size_t)x1) * (size_t)c;
                const float *p11 = img + ((size_t)y1 * (size_t)iw + (size_t)x1) * (size_t)c;
                float dy = fy - (float)y0, dx = fx - (float)x0;
                for (int32_t k = 0; k < c; ++k) {
                    float acc = p00[k] * (1.0f - dy) * (1.0f - dx);
                    acc = acc + p10[k] * dy * (1.0f - dx);
                    acc = acc + p01[k] * (1.0f - dy) * dx;
                    acc = acc + p11[k] * dy * dx;
                    *dst++ = acc + 0.0f;
                }
            }
        }
    }
}

static void resize_bl_s8(const resize_bl_data_t *d, const tflm_tensor_t *in, const tflm_tensor_t *out) {
    int32_t ih = in->dims[1], iw = in->dims[2], c = in->dims[3];
    int32_t oh = out->dims[1], ow = out->dims[2];
    int32_t hs = resize_bl_scale10(ih, oh, d->align_corners);
    int32_t ws = resize_bl_scale10(iw, ow, d->align_corners);
    const int8_t *src = in->data;
    int8_t *dst = out->data;
    for (int32_t b = 0; b < in->dims[0]; ++b) {
        const int8_t *img = src + (size_t)b * (size_t)ih * (size_t)iw * (size_t)c;
        for (int32_t y = 0; y < oh; ++y) {
            int32_t vy, y0, y1;
            resize_bl_q_coord(y, hs, d->half_pixel, ih, &vy, &y0, &y1);
            // |weights| < 2^11, so every sum below stays within int32
            // (|acc| <= 128 * 2^22): the reference's int64 sums, exactly.
            int32_t wy1 = vy - (1 << 10) * y0;
            int32_t wy0 = (1 << 10) - wy1;
            for (int32_t x = 0; x < ow; ++x) {
                int32_t vx, x0, x1;
                resize_bl_q_coord(x, ws, d->half_pixel, iw, &vx, &x0, &x1);
                int32_t wx1 = vx - (1 << 10) * x0;
                int32_t wx0 = (1 << 10) - wx1;
                const int8_t *p00 = img + ((size_t)y0 * (size_t)iw + (size_t)x0) * (size_t)c;
                const int8_t *p10 = img + ((size_t)y1 * (size_t)iw + (size_t)x0) * (size_t)c;
                const int8_t *p01 = img + ((size_t)y0 * (size_t)iw + (size_t)x1) * (size_t)c;
                const int8_t *p11 = img + ((size_t)y1 * (size_t)iw + (size_t)x1) * (size_t)c;
                for (int32_t k = 0; k < c; ++k) {
                    int32_t acc = p00[k] * wy0 * wx0 + p10[k] * wy1 * wx0 + p01[k] * wy0 * wx1 + p11[k] * wy1 * wx1;
                    int32_t r = (acc + (acc > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20);
                    *dst++ = (int8_t)(uint8_t)(uint32_t)r;
                }
            }
        }
    }
}

tflm_status_t tflm_resize_bilinear_eval(tflm_node_t *node) {
    const resize_bl_data_t *d = node->op_data;
    if (node->in[0].type == TFLM_FLOAT32) {
        resize_bl_f32(d, &node->in[0], &node->out[0]);
    } else {
        resize_bl_s8(d, &node->in[0], &node->out[0]);
    }
    return TFLM_OK;
}
