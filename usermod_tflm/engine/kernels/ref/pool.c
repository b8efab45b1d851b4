// AVERAGE_POOL_2D and MAX_POOL_2D reference kernels: float32, int8, int16
// over NHWC tensors. The window is clipped to the input (padding taps are
// neither summed nor counted).
//
// Bit-exact contract (TFLite reference semantics):
// - quantised average: integer sum s of the n taps in the window, rounded
//   half away from zero: s > 0 ? (s + n/2) / n : (s - n/2) / n (C division),
//   then clamped to the activation range. Input and output must share the
//   same scale and zero point, so no requantisation happens.
// - float average: float sum in row-major window order divided by the float
//   tap count.
// - max: starts at the type's lowest value, keeps a tap only if greater.
#include <float.h>
#include <math.h>
#include <stddef.h>
#include "conv_common.h"
#include "qmath.h"

// Op data (persistent): the sizes come from the tensors at eval.
typedef struct {
    tflm_conv_win_t w;      // strides and padding (dilation 1)
    int32_t f_h, f_w;       // the window
    int32_t type;           // tflm_type_t of input and output
    int32_t act_min, act_max;
    float f_min, f_max;
} tflm_pool_data_t;

// Clipped window [y0, y1) x [x0, x1) of output pixel (oy, ox).
typedef struct {
    int32_t iy0, ix0, y0, y1, x0, x1;
} pool_win_t;

static pool_win_t pool_window(const tflm_conv_geom_t *g, int32_t oy, int32_t ox) {
    pool_win_t w;
    w.iy0 = oy * g->stride_h - g->pad_h;
    w.ix0 = ox * g->stride_w - g->pad_w;
    w.y0 = w.iy0 < 0 ? -w.iy0 : 0;
    w.x0 = w.ix0 < 0 ? -w.ix0 : 0;
    w.y1 = g->in_h - w.iy0 < g->f_h ? g->in_h - w.iy0 : g->f_h;
    w.x1 = g->in_w - w.ix0 < g->f_w ? g->in_w - w.ix0 : g->f_w;
    return w;
}

static int32_t pool_round_div(int32_t acc, int32_t n) {
    if (n == 0) {
        return 0;
    }
    return acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
}

// Every variant in one walk over the output; per pixel, the loop over the
// channels and the clipped window's taps for the type and kind (a tap of
// channel c at window row fy, column fx: p[fy * row + fx * ch]).
static void pool_run(const tflm_node_t *node, int is_max) {
    const tflm_pool_data_t *d = node->op_data;
    const void *in = node->in[0].data;
    void *out = node->out[0].data;
    tflm_conv_geom_t gw;
    const tflm_conv_geom_t *g = &gw;
    const int32_t *di = node->in[0].dims, *dout = node->out[0].dims;
    gw.batches = di[0];
    gw.in_h = di[1];
    gw.in_w = di[2];
    gw.in_c = gw.out_c = di[3];
    gw.out_h = dout[1];
    gw.out_w = dout[2];
    gw.f_h = d->f_h;
    gw.f_w = d->f_w;
    gw.f_c = 1;
    gw.stride_h = d->w.stride_h;
    gw.stride_w = d->w.stride_w;
    gw.dil_h = gw.dil_w = 1;
    gw.pad_h = d->w.pad_h;
    gw.pad_w = d->w.pad_w;
    const int32_t ch = g->in_c;
    const size_t row = (size_t)g->in_w * (size_t)ch;
    size_t o = 0;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                pool_win_t w = pool_window(g, oy, ox);
                const size_t base = (((size_t)b * g->in_h + (size_t)(w.iy0 + w.y0)) * g->in_w
                    + (size_t)(w.ix0 + w.x0)) * (size_t)ch;
                const int32_t ny = w.y1 - w.y0, nx = w.x1 - w.x0;
                const int32_t n = ny > 0 && nx > 0 ? ny * nx : 0;
                if (d->type == TFLM_FLOAT32) {
                    const float *p = (const float *)in + base;
                    float *op = (float *)out + o;
                    for (int32_t c = 0; c < ch; ++c, ++p) {
                        // max: a NaN tap is never greater, so it is skipped.
                        float r = is_max ? -FLT_MAX : 0.0f;
                        for (int32_t fy = 0; fy < ny; ++fy) {
                            for (int32_t fx = 0; fx < nx; ++fx) {
                                float v = p[(size_t)fy * row + (size_t)fx * (size_t)ch];
                                r = is_max ? ((r < v) ? v : r) : r + v;
                            }
                        }
                        op[c] = tflm_conv_clamp_f(is_max ? r : r / (float)n, d->f_min, d->f_max);
                    }
                } else if (d->type == TFLM_INT8) {
                    // (the hot case: avg and max get their own loops)
                    const int8_t *p = (const int8_t *)in + base;
                    int8_t *op = (int8_t *)out + o;
                    if (is_max) {
                        for (int32_t c = 0; c < ch; ++c, ++p) {
                            int32_t r = -128;
                            for (int32_t fy = 0; fy < ny; ++fy) {
                                const int8_t *q = p + (size_t)fy * row;
                                for (int32_t fx = 0; fx < nx; ++fx, q += ch) {
                                    r = *q > r ? *q : r;
                                }
                            }
                            op[c] = (int8_t)tflm_clamp(r, d->act_min, d->act_max);
                        }
                    } else {
                        for (int32_t c = 0; c < ch; ++c, ++p) {
                            int32_t r = 0;
                            for (int32_t fy = 0; fy < ny; ++fy) {
                                const int8_t *q = p + (size_t)fy * row;
                                for (int32_t fx = 0; fx < nx; ++fx, q += ch) {
                                    r += *q;
                                }
                            }
                            op[c] = (int8_t)tflm_clamp(pool_round_div(r, n), d->act_min, d->act_max);
                        }
                    }
                } else {
                    const int16_t *p = (const int16_t *)in + base;
                    int16_t *op = (int16_t *)out + o;
                    for (int32_t c = 0; c < ch; ++c, ++p) {
                        int32_t r = is_max ? -32768 : 0;
                        for (int32_t fy = 0; fy < ny; ++fy) {
                            for (int32_t fx = 0; fx < nx; ++fx) {
                                int32_t v = p[(size_t)fy * row + (size_t)fx * (size_t)ch];
                                r = is_max ? (v > r ? v : r) : r + v;
                            }
                        }
                        op[c] = (int16_t)tflm_clamp(is_max ? r : pool_round_div(r, n), d->act_min, d->act_max);
                    }
                }
                o += (size_t)ch;
            }
        }
    }
}

// Shared prepare; `is_avg` adds the check of the average's int32 window sum.
static tflm_status_t pool_prepare(tflm_node_t *node, int is_avg) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM,
        "needs 1 input and 1 output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0, TFLM_ERR_BAD_PARAM, "input missing");
    TFLM_CHECK(node, node->options_type == 5, TFLM_ERR_BAD_PARAM,
        "missing Pool2DOptions");
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE,
        "input and output types differ");
    TFLM_CHECK(node, in->type == TFLM_FLOAT32 || in->type == TFLM_INT8 || in->type == TFLM_INT16,
        TFLM_ERR_UNSUPPORTED_TYPE,
        "input must be float32, int8 or int16");
    TFLM_CHECK(node, in->ndim == 4 && out->ndim == 4, TFLM_ERR_BAD_SHAPE,
        "input and output must be 4-D");

    tflm_conv_geom_t g;
    g.batches = in->dims[0];
    g.in_h = in->dims[1];
    g.in_w = in->dims[2];
    g.in_c = in->dims[3];
    g.out_c = in->dims[3];
    g.f_c = 1;
    g.dil_h = 1;
    g.dil_w = 1;
    TFLM_CHECK(node, g.batches >= 1 && tflm_conv_extent_ok(g.in_h) && tflm_conv_extent_ok(g.in_w) && g.in_c >= 1,
        TFLM_ERR_BAD_SHAPE, "empty or oversized input");
    TFLM_CHECK(node, out->dims[0] == g.batches && out->dims[3] == g.in_c, TFLM_ERR_BAD_SHAPE,
        "output batch/channels differ from input");

    int padding = tflm_opt_i8(node, 0, 0);
    g.stride_w = tflm_opt_i32(node, 1, 0);
    g.stride_h = tflm_opt_i32(node, 2, 0);
    g.f_w = tflm_opt_i32(node, 3, 0);
    g.f_h = tflm_opt_i32(node, 4, 0);
    int act = tflm_opt_i8(node, 5, 0);
    TFLM_CHECK(node, padding == TFLM_PAD_SAME || padding == TFLM_PAD_VALID, TFLM_ERR_BAD_PARAM,
        "padding must be SAME or VALID");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.stride_w) && tflm_conv_extent_ok(g.stride_h), TFLM_ERR_BAD_PARAM,
        "stride must be >= 1");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.f_w) && tflm_conv_extent_ok(g.f_h), TFLM_ERR_BAD_PARAM,
        "filter size must be >= 1");
    g.out_h = tflm_conv_out_size(padding, g.in_h, g.f_h, g.stride_h, 1);
    g.out_w = tflm_conv_out_size(padding, g.in_w, g.f_w, g.stride_w, 1);
    TFLM_CHECK(node, out->dims[1] == g.out_h && out->dims[2] == g.out_w, TFLM_ERR_BAD_SHAPE,
        "output height/width differ from padding/stride/filter");
    g.pad_h = tflm_conv_pad(g.stride_h, 1, g.in_h, g.f_h, g.out_h);
    g.pad_w = tflm_conv_pad(g.stride_w, 1, g.in_w, g.f_w, g.out_w);

    int32_t act_min = 0, act_max = 0;
    float f_min = 0.0f, f_max = 0.0f;
    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, tflm_conv_act_range_f(act, &f_min, &f_max) == 0, TFLM_ERR_BAD_PARAM,
            "unsupported fused activation");
    } else {
        TFLM_CHECK(node, in->n_scales >= 1 && out->n_scales >= 1, TFLM_ERR_BAD_QUANT,
            "input and output need quantisation scales");
        // (the difference in float, as TFLite computes it; 1.0e-6f is the
        // largest float below 1e-6, so this is "<= 1e-6" without double)
        TFLM_CHECK(node, fabsf(in->scale - out->scale) <= 1.0e-6f && in->zero_point == out->zero_point,
            TFLM_ERR_BAD_QUANT,
            "input and output quantisation must match");
        const int32_t qmin = in->type == TFLM_INT8 ? -128 : -32768;
        const int32_t qmax = in->type == TFLM_INT8 ? 127 : 32767;
        TFLM_CHECK(node, tflm_conv_act_range_q(act, out, qmin, qmax, &act_min, &act_max) == 0, TFLM_ERR_BAD_PARAM,
            "unsupported fused activation");
        if (is_avg) {
            // The int32 window sum must not overflow.
            int64_t taps = (int64_t)(g.f_h < g.in_h ? g.f_h : g.in_h) * (g.f_w < g.in_w ? g.f_w : g.in_w);
            TFLM_CHECK(node, taps * (qmax + 1) <= INT32_MAX, TFLM_ERR_BAD_PARAM,
                "window too large for a 32-bit sum");
        }
    }

    tflm_pool_data_t *d = tflm_persist(node, (uint32_t)sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    tflm_conv_win_save(&d->w, &g);
    d->f_h = g.f_h;
    d->f_w = g.f_w;
    d->type = in->type;
    d->act_min = act_min;
    d->act_max = act_max;
    d->f_min = f_min;
    d->f_max = f_max;
    return TFLM_OK;
}

tflm_status_t tflm_avgpool_prepare(tflm_node_t *node) {
    return pool_prepare(node, 1);
}

tflm_status_t tflm_maxpool_prepare(tflm_node_t *node) {
    return pool_prepare(node, 0);
}

tflm_status_t tflm_avgpool_eval(tflm_node_t *node) {
    pool_run(node, 0);
    return TFLM_OK;
}

tflm_status_t tflm_maxpool_eval(tflm_node_t *node) {
    pool_run(node, 1);
    return TFLM_OK;
}
