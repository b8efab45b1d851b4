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

typedef struct {
    tflm_conv_geom_t g;     // f_h/f_w = window, f_c unused
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

static void tflm_avgpool_s8(const tflm_pool_data_t *d, const int8_t *in, int8_t *out) {
    const tflm_conv_geom_t *g = &d->g;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                pool_win_t w = pool_window(g, oy, ox);
                int8_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * g->in_c;
                for (int32_t c = 0; c < g->in_c; ++c) {
                    int32_t acc = 0;
                    int32_t n = 0;
                    for (int32_t fy = w.y0; fy < w.y1; ++fy) {
                        for (int32_t fx = w.x0; fx < w.x1; ++fx) {
                            acc += in[(((size_t)b * g->in_h + (w.iy0 + fy)) * g->in_w + (w.ix0 + fx)) * g->in_c + c];
                            ++n;
                        }
                    }
                    op[c] = (int8_t)tflm_clamp(pool_round_div(acc, n), d->act_min, d->act_max);
                }
            }
        }
    }
}

static void tflm_avgpool_s16(const tflm_pool_data_t *d, const int16_t *in, int16_t *out) {
    const tflm_conv_geom_t *g = &d->g;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                pool_win_t w = pool_window(g, oy, ox);
                int16_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * g->in_c;
                for (int32_t c = 0; c < g->in_c; ++c) {
                    int32_t acc = 0;
                    int32_t n = 0;
                    for (int32_t fy = w.y0; fy < w.y1; ++fy) {
                        for (int32_t fx = w.x0; fx < w.x1; ++fx) {
                            acc += in[(((size_t)b * g->in_h + (w.iy0 + fy)) * g->in_w + (w.ix0 + fx)) * g->in_c + c];
                            ++n;
                        }
                    }
                    op[c] = (int16_t)tflm_clamp(pool_round_div(acc, n), d->act_min, d->act_max);
                }
            }
        }
    }
}

static void tflm_avgpool_f32(const tflm_pool_data_t *d, const float *in, float *out) {
    const tflm_conv_geom_t *g = &d->g;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                pool_win_t w = pool_window(g, oy, ox);
                float *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * g->in_c;
                for (int32_t c = 0; c < g->in_c; ++c) {
                    float total = 0.0f;
                    float n = 0.0f;
                    for (int32_t fy = w.y0; fy < w.y1; ++fy) {
                        for (int32_t fx = w.x0; fx < w.x1; ++fx) {
                            total += in[(((size_t)b * g->in_h + (w.iy0 + fy)) * g->in_w + (w.ix0 + fx)) * g->in_c + c];
                            n += 1.0f;
                        }
                    }
                    op[c] = tflm_conv_clamp_f(total / n, d->f_min, d->f_max);
                }
            }
        }
    }
}

static void tflm_maxpool_s8(const tflm_pool_data_t *d, const int8_t *in, int8_t *out) {
    const tflm_conv_geom_t *g = &d->g;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                pool_win_t w = pool_window(g, oy, ox);
                int8_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * g->in_c;
                for (int32_t c = 0; c < g->in_c; ++c) {
                    int32_t m = -128;
                    for (int32_t fy = w.y0; fy < w.y1; ++fy) {
                        for (int32_t fx = w.x0; fx < w.x1; ++fx) {
                            int32_t v =
                                in[(((size_t)b * g->in_h + (w.iy0 + fy)) * g->in_w + (w.ix0 + fx)) * g->in_c + c];
                            m = v > m ? v : m;
                        }
                    }
                    op[c] = (int8_t)tflm_clamp(m, d->act_min, d->act_max);
                }
            }
        }
    }
}

static void tflm_maxpool_s16(const tflm_pool_data_t *d, const int16_t *in, int16_t *out) {
    const tflm_conv_geom_t *g = &d->g;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                pool_win_t w = pool_window(g, oy, ox);
                int16_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * g->in_c;
                for (int32_t c = 0; c < g->in_c; ++c) {
                    int32_t m = -32768;
                    for (int32_t fy = w.y0; fy < w.y1; ++fy) {
                        for (int32_t fx = w.x0; fx < w.x1; ++fx) {
                            int32_t v =
                                in[(((size_t)b * g->in_h + (w.iy0 + fy)) * g->in_w + (w.ix0 + fx)) * g->in_c + c];
                            m = v > m ? v : m;
                        }
                    }
                    op[c] = (int16_t)tflm_clamp(m, d->act_min, d->act_max);
                }
            }
        }
    }
}

static void tflm_maxpool_f32(const tflm_pool_data_t *d, const float *in, float *out) {
    const tflm_conv_geom_t *g = &d->g;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                pool_win_t w = pool_window(g, oy, ox);
                float *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * g->in_c;
                for (int32_t c = 0; c < g->in_c; ++c) {
                    float m = -FLT_MAX;
                    for (int32_t fy = w.y0; fy < w.y1; ++fy) {
                        for (int32_t fx = w.x0; fx < w.x1; ++fx) {
                            float v = in[(((size_t)b * g->in_h + (w.iy0 + fy)) * g->in_w + (w.ix0 + fx)) * g->in_c + c];
                            // A NaN tap is never greater: it is skipped.
                            m = (m < v) ? v : m;
                        }
                    }
                    op[c] = tflm_conv_clamp_f(m, d->f_min, d->f_max);
                }
            }
        }
    }
}

// Shared prepare; `is_avg` only selects the error prefix.
static tflm_status_t pool_prepare(tflm_node_t *node, int is_avg) {
#define POOL_MSG(avg_text, max_text) (is_avg ? "average_pool: " avg_text : "max_pool: " max_text)
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM,
        POOL_MSG("needs 1 input and 1 output", "needs 1 input and 1 output"));
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0, TFLM_ERR_BAD_PARAM, POOL_MSG("input missing", "input missing"));
    TFLM_CHECK(node, node->options_type == 5, TFLM_ERR_BAD_PARAM,
        POOL_MSG("missing Pool2DOptions", "missing Pool2DOptions"));
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE,
        POOL_MSG("input and output types differ", "input and output types differ"));
    TFLM_CHECK(node, in->type == TFLM_FLOAT32 || in->type == TFLM_INT8 || in->type == TFLM_INT16,
        TFLM_ERR_UNSUPPORTED_TYPE,
        POOL_MSG("input must be float32, int8 or int16", "input must be float32, int8 or int16"));
    TFLM_CHECK(node, in->ndim == 4 && out->ndim == 4, TFLM_ERR_BAD_SHAPE,
        POOL_MSG("input and output must be 4-D", "input and output must be 4-D"));

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
        TFLM_ERR_BAD_SHAPE, POOL_MSG("empty or oversized input", "empty or oversized input"));
    TFLM_CHECK(node, out->dims[0] == g.batches && out->dims[3] == g.in_c, TFLM_ERR_BAD_SHAPE,
        POOL_MSG("output batch/channels differ from input", "output batch/channels differ from input"));

    int padding = tflm_opt_i8(node, 0, 0);
    g.stride_w = tflm_opt_i32(node, 1, 0);
    g.stride_h = tflm_opt_i32(node, 2, 0);
    g.f_w = tflm_opt_i32(node, 3, 0);
    g.f_h = tflm_opt_i32(node, 4, 0);
    int act = tflm_opt_i8(node, 5, 0);
    TFLM_CHECK(node, padding == TFLM_PAD_SAME || padding == TFLM_PAD_VALID, TFLM_ERR_BAD_PARAM,
        POOL_MSG("padding must be SAME or VALID", "padding must be SAME or VALID"));
    TFLM_CHECK(node, tflm_conv_extent_ok(g.stride_w) && tflm_conv_extent_ok(g.stride_h), TFLM_ERR_BAD_PARAM,
        POOL_MSG("stride must be >= 1", "stride must be >= 1"));
    TFLM_CHECK(node, tflm_conv_extent_ok(g.f_w) && tflm_conv_extent_ok(g.f_h), TFLM_ERR_BAD_PARAM,
        POOL_MSG("filter size must be >= 1", "filter size must be >= 1"));
    g.out_h = tflm_conv_out_size(padding, g.in_h, g.f_h, g.stride_h, 1);
    g.out_w = tflm_conv_out_size(padding, g.in_w, g.f_w, g.stride_w, 1);
    TFLM_CHECK(node, out->dims[1] == g.out_h && out->dims[2] == g.out_w, TFLM_ERR_BAD_SHAPE,
        POOL_MSG("output height/width differ from padding/stride/filter",
            "output height/width differ from padding/stride/filter"));
    g.pad_h = tflm_conv_pad(g.stride_h, 1, g.in_h, g.f_h, g.out_h);
    g.pad_w = tflm_conv_pad(g.stride_w, 1, g.in_w, g.f_w, g.out_w);

    int32_t act_min = 0, act_max = 0;
    float f_min = 0.0f, f_max = 0.0f;
    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, tflm_conv_act_range_f(act, &f_min, &f_max) == 0, TFLM_ERR_BAD_PARAM,
            POOL_MSG("unsupported fused activation", "unsupported fused activation"));
    } else {
        TFLM_CHECK(node, in->n_scales >= 1 && out->n_scales >= 1, TFLM_ERR_BAD_QUANT,
            POOL_MSG("input and output need quantisation scales", "input and output need quantisation scales"));
        TFLM_CHECK(node, fabs((double)in->scale - (double)out->scale) <= 1.0e-6 && in->zero_point == out->zero_point,
            TFLM_ERR_BAD_QUANT,
            POOL_MSG("input and output quantisation must match", "input and output quantisation must match"));
        const int32_t qmin = in->type == TFLM_INT8 ? -128 : -32768;
        const int32_t qmax = in->type == TFLM_INT8 ? 127 : 32767;
        TFLM_CHECK(node, tflm_conv_act_range_q(act, out, qmin, qmax, &act_min, &act_max) == 0, TFLM_ERR_BAD_PARAM,
            POOL_MSG("unsupported fused activation", "unsupported fused activation"));
        if (is_avg) {
            // The int32 window sum must not overflow.
            int64_t taps = (int64_t)(g.f_h < g.in_h ? g.f_h : g.in_h) * (g.f_w < g.in_w ? g.f_w : g.in_w);
            TFLM_CHECK(node, taps * (qmax + 1) <= INT32_MAX, TFLM_ERR_BAD_PARAM,
                "average_pool: window too large for a 32-bit sum");
        }
    }
#undef POOL_MSG

    tflm_pool_data_t *d = tflm_persist(node, (uint32_t)sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->g = g;
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
    const tflm_pool_data_t *d = node->op_data;
    if (d->type == TFLM_INT8) {
        tflm_avgpool_s8(d, node->in[0].data, node->out[0].data);
    } else if (d->type == TFLM_INT16) {
        tflm_avgpool_s16(d, node->in[0].data, node->out[0].data);
    } else {
        tflm_avgpool_f32(d, node->in[0].data, node->out[0].data);
    }
    return TFLM_OK;
}

tflm_status_t tflm_maxpool_eval(tflm_node_t *node) {
    const tflm_pool_data_t *d = node->op_data;
    if (d->type == TFLM_INT8) {
        tflm_maxpool_s8(d, node->in[0].data, node->out[0].data);
    } else if (d->type == TFLM_INT16) {
        tflm_maxpool_s16(d, node->in[0].data, node->out[0].data);
    } else {
        tflm_maxpool_f32(d, node->in[0].data, node->out[0].data);
    }
    return TFLM_OK;
}
