// TRANSPOSE_CONV reference kernel: float32, int8 (per-channel or per-tensor
// int8 weights, int32 bias), int16 activations with int8 weights (int64 or
// int16 bias, 64-bit accumulator). Inputs: output_shape (ignored apart from a
// consistency check), filter [out_c, f_h, f_w, in_c], input NHWC, optional
// bias.
//
// Bit-exact contract (TFLite reference semantics): every input pixel is
// scattered into the output window it influences, in input order
// (batch, y, x, channel, filter y, filter x, output channel), into a zeroed
// accumulator (the output itself for float, scratch otherwise); taps landing
// outside the output are dropped. Then per output element: + bias,
// per-channel MultiplyByQuantizedMultiplier, + output zero point (int8 only),
// clamp to the fused activation range. Padding comes from the output size
// (TFLite's ComputePaddingHeightWidth applied to the output dimensions).
#include <stddef.h>
#include "conv_common.h"
#include "qmath.h"

typedef struct {
    tflm_conv_geom_t g;     // in_* = the op's input, out_* = its output
    int32_t kind;           // TFLM_CONV_F32, TFLM_CONV_S8 or TFLM_CONV_S16_A64
    int32_t in_zp, out_zp;
    int32_t act_min, act_max;
    float f_min, f_max;
    int32_t bias_type;      // tflm_type_t of the bias (int16 path)
    int32_t n_ch;           // per-channel multiplier and shift arrays follow
} tflm_tconv_data_t;

static const int32_t *tconv_mult(const tflm_tconv_data_t *d) {
    return (const int32_t *)(const void *)(d + 1);
}

// Scatter every input value into the output window it influences, into a
// zeroed accumulator: uint32 (int8, wrapping like the reference's int32),
// int64 (int16) or float (the output itself).
static void tconv_scatter(const tflm_tconv_data_t *d, const void *in, const void *filter, void *acc) {
    const tflm_conv_geom_t *g = &d->g;
    const int32_t kind = d->kind;
    const size_t fstride = (size_t)g->f_h * (size_t)g->f_w * (size_t)g->in_c;   // filter: per output channel
    size_t ii = 0;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t iy = 0; iy < g->in_h; ++iy) {
            for (int32_t ix = 0; ix < g->in_w; ++ix) {
                const int32_t oy0 = iy * g->stride_h - g->pad_h;
                const int32_t ox0 = ix * g->stride_w - g->pad_w;
                for (int32_t ic = 0; ic < g->in_c; ++ic, ++ii) {
                    int32_t iv = 0;
                    float fv = 0.0f;
                    if (kind == TFLM_CONV_S8) {
                        iv = (int32_t)((const int8_t *)in)[ii] - d->in_zp;
                    } else if (kind == TFLM_CONV_S16_A64) {
                        iv = ((const int16_t *)in)[ii];
                    } else {
                        fv = ((const float *)in)[ii];
                    }
                    for (int32_t fy = 0; fy < g->f_h; ++fy) {
                        const int32_t oy = oy0 + fy;
                        if (oy < 0 || oy >= g->out_h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < g->f_w; ++fx) {
                            const int32_t ox = ox0 + fx;
                            if (ox < 0 || ox >= g->out_w) {
                                continue;
                            }
                            const size_t ob = (((size_t)b * g->out_h + oy) * g->out_w + ox) * g->out_c;
                            const size_t fb = ((size_t)fy * g->f_w + fx) * g->in_c + ic;
                            if (kind == TFLM_CONV_S8) {
                                const int8_t *fp = (const int8_t *)filter + fb;
                                uint32_t *ap = (uint32_t *)acc + ob;
                                for (int32_t oc = 0; oc < g->out_c; ++oc, fp += fstride) {
                                    ap[oc] += (uint32_t)(iv * *fp);
                                }
                            } else if (kind == TFLM_CONV_S16_A64) {
                                const int8_t *fp = (const int8_t *)filter + fb;
                                int64_t *ap = (int64_t *)acc + ob;
                                for (int32_t oc = 0; oc < g->out_c; ++oc, fp += fstride) {
                                    ap[oc] += iv * *fp;
                                }
                            } else {
                                const float *fp = (const float *)filter + fb;
                                float *ap = (float *)acc + ob;
                                for (int32_t oc = 0; oc < g->out_c; ++oc, fp += fstride) {
                                    ap[oc] += fv * *fp;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

tflm_status_t tflm_tconv_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 3 || node->n_in == 4, TFLM_ERR_BAD_PARAM, "needs 3 or 4 inputs");
    TFLM_CHECK(node, node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 1 output");
    const tflm_tensor_t *oshape = &node->in[0];
    const tflm_tensor_t *f = &node->in[1];
    const tflm_tensor_t *in = &node->in[2];
    const tflm_tensor_t *bias = (node->n_in == 4 && node->in[3].index >= 0) ? &node->in[3] : NULL;
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0 && f->index >= 0, TFLM_ERR_BAD_PARAM, "input or filter missing");
    TFLM_CHECK(node, node->options_type == 49, TFLM_ERR_BAD_PARAM, "missing TransposeConvOptions");

    int32_t kind;
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE,
        "input and output types differ");
    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, f->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "float input needs float filter");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "float bias must be float32");
        kind = TFLM_CONV_F32;
    } else if (in->type == TFLM_INT8) {
        TFLM_CHECK(node, f->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
            "int8 input needs int8 filter");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "int8 bias must be int32");
        kind = TFLM_CONV_S8;
    } else if (in->type == TFLM_INT16) {
        TFLM_CHECK(node, f->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
            "int16 input needs int8 filter");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_INT64 || bias->type == TFLM_INT32
            || bias->type == TFLM_INT16, TFLM_ERR_UNSUPPORTED_TYPE,
            "int16 bias must be int64 or int16");
        kind = TFLM_CONV_S16_A64;
    } else {
        return tflm_fail(node, TFLM_ERR_UNSUPPORTED_TYPE, "input must be float32, int8 or int16");
    }

    TFLM_CHECK(node, in->ndim == 4 && f->ndim == 4 && out->ndim == 4, TFLM_ERR_BAD_SHAPE,
        "input, filter and output must be 4-D");
    tflm_conv_geom_t g;
    g.batches = in->dims[0];
    g.in_h = in->dims[1];
    g.in_w = in->dims[2];
    g.in_c = in->dims[3];
    g.out_c = f->dims[0];
    g.f_h = f->dims[1];
    g.f_w = f->dims[2];
    g.f_c = f->dims[3];
    g.out_h = out->dims[1];
    g.out_w = out->dims[2];
    g.dil_h = 1;
    g.dil_w = 1;
    TFLM_CHECK(node, g.batches >= 1 && tflm_conv_extent_ok(g.in_h) && tflm_conv_extent_ok(g.in_w) && g.in_c >= 1,
        TFLM_ERR_BAD_SHAPE, "empty or oversized input");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.f_h) && tflm_conv_extent_ok(g.f_w) && g.out_c >= 1, TFLM_ERR_BAD_SHAPE,
        "empty or oversized filter");
    TFLM_CHECK(node, g.f_c == g.in_c, TFLM_ERR_BAD_SHAPE, "filter depth differs from input channels");
    TFLM_CHECK(node, out->dims[0] == g.batches && out->dims[3] == g.out_c, TFLM_ERR_BAD_SHAPE,
        "output batch/channels differ from input batch/filter count");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.out_h) && tflm_conv_extent_ok(g.out_w), TFLM_ERR_BAD_SHAPE,
        "empty or oversized output");
    TFLM_CHECK(node, bias == NULL || bias->elems == (uint32_t)g.out_c, TFLM_ERR_BAD_SHAPE,
        "bias length differs from output channels");
    if (oshape->index >= 0 && oshape->is_const) {
        int32_t want[4];
        TFLM_CHECK(node, tflm_const_i32(oshape, want, 4) == 4 && want[0] == out->dims[0] && want[1] == out->dims[1]
            && want[2] == out->dims[2] && want[3] == out->dims[3], TFLM_ERR_BAD_SHAPE,
            "output_shape tensor differs from the output dimensions");
    }

    int padding = tflm_opt_i8(node, 0, 0);
    g.stride_w = tflm_opt_i32(node, 1, 0);
    g.stride_h = tflm_opt_i32(node, 2, 0);
    int act = tflm_opt_i8(node, 3, 0);
    TFLM_CHECK(node, padding == TFLM_PAD_SAME || padding == TFLM_PAD_VALID, TFLM_ERR_BAD_PARAM,
        "padding must be SAME or VALID");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.stride_w) && tflm_conv_extent_ok(g.stride_h), TFLM_ERR_BAD_PARAM,
        "stride must be >= 1");
    TFLM_CHECK(node, (int64_t)(g.in_h - 1) * g.stride_h < TFLM_CONV_MAX_EXTENT
        && (int64_t)(g.in_w - 1) * g.stride_w < TFLM_CONV_MAX_EXTENT, TFLM_ERR_BAD_PARAM,
        "input size * stride too large");
    // Padding as a forward convolution over the output would need.
    g.pad_h = tflm_conv_pad(g.stride_h, 1, g.out_h, g.f_h,
        tflm_conv_out_size(padding, g.out_h, g.f_h, g.stride_h, 1));
    g.pad_w = tflm_conv_pad(g.stride_w, 1, g.out_w, g.f_w,
        tflm_conv_out_size(padding, g.out_w, g.f_w, g.stride_w, 1));

    int32_t act_min = 0, act_max = 0;
    float f_min = 0.0f, f_max = 0.0f;
    if (kind == TFLM_CONV_F32) {
        TFLM_CHECK(node, tflm_conv_act_range_f(act, &f_min, &f_max) == 0, TFLM_ERR_BAD_PARAM,
            "unsupported fused activation");
    } else {
        TFLM_CHECK(node, in->n_scales >= 1 && out->n_scales >= 1 && f->n_scales >= 1, TFLM_ERR_BAD_QUANT,
            "input, filter and output need quantisation scales");
        TFLM_CHECK(node, tflm_conv_scale_ok(in->scale) && tflm_conv_scale_ok(out->scale), TFLM_ERR_BAD_QUANT,
            "input/output scale must be positive");
        TFLM_CHECK(node, f->n_scales == 1 || (f->n_scales == (uint32_t)g.out_c && f->quant_dim == 0),
            TFLM_ERR_BAD_QUANT, "filter scales must be 1 or one per output channel (dimension 0)");
        TFLM_CHECK(node, tflm_conv_channel_quant(in, f, out, g.out_c, NULL, NULL) == 0, TFLM_ERR_BAD_QUANT,
            "filter scale must be positive");
        if (kind == TFLM_CONV_S8) {
            TFLM_CHECK(node, in->zero_point >= -128 && in->zero_point <= 127 && out->zero_point >= -128
                && out->zero_point <= 127, TFLM_ERR_BAD_QUANT, "int8 zero point out of range");
            TFLM_CHECK(node, tflm_conv_act_range_q(act, out, -128, 127, &act_min, &act_max) == 0,
                TFLM_ERR_BAD_PARAM, "unsupported fused activation");
        } else {
            TFLM_CHECK(node, tflm_conv_act_range_q(act, out, -32768, 32767, &act_min, &act_max) == 0,
                TFLM_ERR_BAD_PARAM, "unsupported fused activation");
            TFLM_CHECK(node, tflm_conv_max_shift(in, f, out, g.out_c) <= 14, TFLM_ERR_BAD_QUANT,
                "int16 effective scale too large");
        }
        // Accumulator scratch: one int32 (int8) or int64 (int16) per output element.
        TFLM_CHECK(node, out->elems <= (kind == TFLM_CONV_S8 ? 0x3FFFFFFFu : 0x1FFFFFFFu), TFLM_ERR_BAD_SHAPE,
            "output too large");
        tflm_request_scratch(node, out->elems * (kind == TFLM_CONV_S8 ? 4u : 8u));
    }

    const uint32_t n_ch = kind == TFLM_CONV_F32 ? 0u : (uint32_t)g.out_c;
    tflm_tconv_data_t *d = tflm_persist(node, (uint32_t)sizeof(*d) + 8u * n_ch);
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->g = g;
    d->kind = kind;
    d->in_zp = in->zero_point;
    d->out_zp = out->zero_point;
    d->act_min = act_min;
    d->act_max = act_max;
    d->f_min = f_min;
    d->f_max = f_max;
    d->bias_type = bias != NULL ? bias->type : -1;
    d->n_ch = (int32_t)n_ch;
    if (n_ch > 0) {
        int32_t *mult = (int32_t *)(void *)(d + 1);
        tflm_conv_channel_quant(in, f, out, g.out_c, mult, mult + n_ch);
    }
    return TFLM_OK;
}

tflm_status_t tflm_tconv_eval(tflm_node_t *node) {
    const tflm_tconv_data_t *d = node->op_data;
    const tflm_conv_geom_t *g = &d->g;
    const tflm_tensor_t *bias = (node->n_in == 4 && node->in[3].index >= 0) ? &node->in[3] : NULL;
    const void *bd = bias != NULL ? bias->data : NULL;
    const int32_t *mult = tconv_mult(d);
    const int32_t *shift = mult + d->n_ch;
    const size_t n_out = (size_t)g->batches * g->out_h * g->out_w * g->out_c;
    void *acc = d->kind == TFLM_CONV_F32 ? node->out[0].data : node->scratch;
    memset(acc, 0, n_out * (d->kind == TFLM_CONV_S16_A64 ? 8u : 4u));
    tconv_scatter(d, node->in[2].data, node->in[1].data, acc);
    // Per output element: + bias, requantise, clamp.
    for (size_t i = 0; i < n_out; ++i) {
        const int32_t oc = (int32_t)(i % (size_t)g->out_c);
        if (d->kind == TFLM_CONV_S8) {
            uint32_t a = ((const uint32_t *)acc)[i];
            if (bd != NULL) {
                a += (uint32_t)((const int32_t *)bd)[oc];
            }
            int32_t v = tflm_mul_qm((int32_t)a, mult[oc], shift[oc]);
            v = (int32_t)((uint32_t)v + (uint32_t)d->out_zp);
            ((int8_t *)node->out[0].data)[i] = (int8_t)tflm_clamp(v, d->act_min, d->act_max);
        } else if (d->kind == TFLM_CONV_S16_A64) {
            int64_t a = tflm_conv_clamp47(((const int64_t *)acc)[i]);
            if (bd != NULL) {
                int64_t bv;
                if (d->bias_type == TFLM_INT64) {
                    bv = tflm_conv_ld_i64(bd, (uint32_t)oc);
                } else if (d->bias_type == TFLM_INT32) {
                    bv = ((const int32_t *)bd)[oc];
                } else {
                    bv = ((const int16_t *)bd)[oc];
                }
                a = tflm_conv_clamp47(a + tflm_conv_clamp47(bv));
            }
            int32_t v = tflm_mul_qm64(a, mult[oc], shift[oc]);
            ((int16_t *)node->out[0].data)[i] = (int16_t)tflm_clamp(v, d->act_min, d->act_max);
        } else {
            float a = ((const float *)acc)[i];
            if (bd != NULL) {
                a += ((const float *)bd)[oc];
            }
            ((float *)acc)[i] = tflm_conv_clamp_f(a, d->f_min, d->f_max);
        }
    }
    return TFLM_OK;
}
