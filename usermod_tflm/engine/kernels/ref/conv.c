// CONV_2D reference kernel: float32, int8 (per-channel or per-tensor int8
// weights, int32 bias) and int16 activations with int8 weights (int32 or
// int64 bias). NHWC input, filter [out_c, f_h, f_w, in_c / groups].
//
// Bit-exact contract (TFLite reference semantics): taps outside the input are
// skipped (zero padding), the int8 accumulator is
//     sum filter * (input - input_zero_point)   (32-bit, wrapping)
// plus bias, then per-channel MultiplyByQuantizedMultiplier, plus the output
// zero point, clamped to the fused activation range. The int16 path has no
// zero points; its accumulator is 32-bit (wrapping, 32-bit requantisation)
// with an int32 bias, 64-bit with an int64 bias or no bias.
#include <stddef.h>
#include "conv_common.h"
#include "qmath.h"
#include "../tflm_isa.h"
#if TFLM_OPT_NN
#include "../arm/nn_s8.h"
#endif

// Op data (persistent): the sizes come from the tensors (tflm_conv_geom_at).
typedef struct {
    tflm_conv_win_t w;
    int32_t in_zp, out_zp;
    int32_t act_min, act_max;
    float f_min, f_max;
    int32_t n_ch;           // channels with a multiplier and shift (derived data)
    int8_t kind;            // TFLM_CONV_*
    int8_t opt;             // 1: int8 through kernels/arm (folded bias + patch in scratch)
} tflm_conv2d_data_t;


static void tflm_conv2d_s8(const tflm_conv2d_data_t *d, const tflm_conv_geom_t *gp, const int32_t *mult, const int8_t *in, const int8_t *filter, const int32_t *bias,
    int8_t *out) {
    // A private copy: the output stores cannot alias it (the caller's escapes).
    const tflm_conv_geom_t gl = *gp;
    const tflm_conv_geom_t *g = &gl;
    const int32_t *shift = mult + d->n_ch;
    const int32_t groups = g->in_c / g->f_c;
    const int32_t per_group = g->out_c / groups;
    const int32_t in_off = -d->in_zp;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                for (int32_t oc = 0; oc < g->out_c; ++oc) {
                    const int32_t group = oc / per_group;
                    uint32_t acc = 0;
                    for (int32_t fy = 0; fy < g->f_h; ++fy) {
                        const int32_t iy = iy0 + g->dil_h * fy;
                        if (iy < 0 || iy >= g->in_h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < g->f_w; ++fx) {
                            const int32_t ix = ix0 + g->dil_w * fx;
                            if (ix < 0 || ix >= g->in_w) {
                                continue;
                            }
                            const int8_t *ip = in + ((((size_t)b * g->in_h + iy) * g->in_w + ix) * g->in_c
                                + (size_t)group * g->f_c);
                            const int8_t *fp = filter + ((((size_t)oc * g->f_h + fy) * g->f_w + fx) * g->f_c);
                            for (int32_t ic = 0; ic < g->f_c; ++ic) {
                                acc += (uint32_t)((int32_t)fp[ic] * ((int32_t)ip[ic] + in_off));
                            }
                        }
                    }
                    if (bias != NULL) {
                        acc += (uint32_t)bias[oc];
                    }
                    int32_t v = tflm_mul_qm((int32_t)acc, mult[oc], shift[oc]);
                    v = (int32_t)((uint32_t)v + (uint32_t)d->out_zp);
                    out[(((size_t)b * g->out_h + oy) * g->out_w + ox) * g->out_c + oc] =
                        (int8_t)tflm_clamp(v, d->act_min, d->act_max);
                }
            }
        }
    }
}

// int16 activations; d->kind selects the accumulator: TFLM_CONV_S16_A32 with
// bias32 (int32 bias), TFLM_CONV_S16_A64 with bias64 (int64 bias) or none.
static void tflm_conv2d_s16(const tflm_conv2d_data_t *d, const tflm_conv_geom_t *gp, const int32_t *mult, const int16_t *in, const int8_t *filter, const int32_t *bias32,
    const void *bias64, int16_t *out) {
    // A private copy: the output stores cannot alias it (the caller's escapes).
    const tflm_conv_geom_t gl = *gp;
    const tflm_conv_geom_t *g = &gl;
    const int32_t *shift = mult + d->n_ch;
    const int32_t groups = g->in_c / g->f_c;
    const int32_t per_group = g->out_c / groups;
    const int wide = d->kind == TFLM_CONV_S16_A64;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                for (int32_t oc = 0; oc < g->out_c; ++oc) {
                    const int32_t group = oc / per_group;
                    int64_t acc64 = 0;
                    uint32_t acc32 = 0;
                    for (int32_t fy = 0; fy < g->f_h; ++fy) {
                        const int32_t iy = iy0 + g->dil_h * fy;
                        if (iy < 0 || iy >= g->in_h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < g->f_w; ++fx) {
                            const int32_t ix = ix0 + g->dil_w * fx;
                            if (ix < 0 || ix >= g->in_w) {
                                continue;
                            }
                            const int16_t *ip = in + ((((size_t)b * g->in_h + iy) * g->in_w + ix) * g->in_c
                                + (size_t)group * g->f_c);
                            const int8_t *fp = filter + ((((size_t)oc * g->f_h + fy) * g->f_w + fx) * g->f_c);
                            if (wide) {
                                for (int32_t ic = 0; ic < g->f_c; ++ic) {
                                    acc64 += (int32_t)fp[ic] * (int32_t)ip[ic];
                                }
                            } else {
                                for (int32_t ic = 0; ic < g->f_c; ++ic) {
                                    acc32 += (uint32_t)((int32_t)fp[ic] * (int32_t)ip[ic]);
                                }
                            }
                        }
                    }
                    int32_t v;
                    if (wide) {
                        if (bias64 != NULL) {
                            int64_t bv = tflm_conv_ld_i64(bias64, (uint32_t)oc);
                            acc64 = tflm_conv_clamp47(acc64) + tflm_conv_clamp47(bv);
                        }
                        v = tflm_mul_qm64(tflm_conv_clamp47(acc64), mult[oc], shift[oc]);
                    } else {
                        if (bias32 != NULL) {
                            acc32 += (uint32_t)bias32[oc];
                        }
                        v = tflm_mul_qm((int32_t)acc32, mult[oc], shift[oc]);
                    }
                    out[(((size_t)b * g->out_h + oy) * g->out_w + ox) * g->out_c + oc] =
                        (int16_t)tflm_clamp(v, d->act_min, d->act_max);
                }
            }
        }
    }
}

static void tflm_conv2d_f32(const tflm_conv2d_data_t *d, const tflm_conv_geom_t *gp, const float *in, const float *filter, const float *bias,
    float *out) {
    // A private copy: the output stores cannot alias it (the caller's escapes).
    const tflm_conv_geom_t gl = *gp;
    const tflm_conv_geom_t *g = &gl;
    const int32_t groups = g->in_c / g->f_c;
    const int32_t per_group = g->out_c / groups;
    for (int32_t b = 0; b < g->batches; ++b) {
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                for (int32_t oc = 0; oc < g->out_c; ++oc) {
                    const int32_t group = oc / per_group;
                    float total = 0.0f;
                    for (int32_t fy = 0; fy < g->f_h; ++fy) {
                        const int32_t iy = iy0 + g->dil_h * fy;
                        if (iy < 0 || iy >= g->in_h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < g->f_w; ++fx) {
                            const int32_t ix = ix0 + g->dil_w * fx;
                            if (ix < 0 || ix >= g->in_w) {
                                continue;
                            }
                            const float *ip = in + ((((size_t)b * g->in_h + iy) * g->in_w + ix) * g->in_c
                                + (size_t)group * g->f_c);
                            const float *fp = filter + ((((size_t)oc * g->f_h + fy) * g->f_w + fx) * g->f_c);
                            for (int32_t ic = 0; ic < g->f_c; ++ic) {
                                total += ip[ic] * fp[ic];
                            }
                        }
                    }
                    const float bv = bias != NULL ? bias[oc] : 0.0f;
                    out[(((size_t)b * g->out_h + oy) * g->out_w + ox) * g->out_c + oc] =
                        tflm_conv_clamp_f(total + bv, d->f_min, d->f_max);
                }
            }
        }
    }
}

tflm_status_t tflm_conv2d_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 || node->n_in == 3, TFLM_ERR_BAD_PARAM, "conv: needs 2 or 3 inputs");
    TFLM_CHECK(node, node->n_out == 1, TFLM_ERR_BAD_PARAM, "conv: needs 1 output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *f = &node->in[1];
    const tflm_tensor_t *bias = (node->n_in == 3 && node->in[2].index >= 0) ? &node->in[2] : NULL;
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0 && f->index >= 0, TFLM_ERR_BAD_PARAM, "conv: input or filter missing");
    TFLM_CHECK(node, node->options_type == 1, TFLM_ERR_BAD_PARAM, "conv: missing Conv2DOptions");

    // Types.
    int32_t kind;
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE, "conv: input and output types differ");
    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, f->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE, "conv: float input needs float filter");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "conv: float bias must be float32");
        kind = TFLM_CONV_F32;
    } else if (in->type == TFLM_INT8) {
        TFLM_CHECK(node, f->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE, "conv: int8 input needs int8 filter");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "conv: int8 bias must be int32");
        kind = TFLM_CONV_S8;
    } else if (in->type == TFLM_INT16) {
        TFLM_CHECK(node, f->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE, "conv: int16 input needs int8 filter");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_INT32 || bias->type == TFLM_INT64,
            TFLM_ERR_UNSUPPORTED_TYPE, "conv: int16 bias must be int32 or int64");
        // TFLM takes the 64-bit path when the bias is absent.
        kind = (bias == NULL || bias->type == TFLM_INT64) ? TFLM_CONV_S16_A64 : TFLM_CONV_S16_A32;
    } else {
        return tflm_fail(node, TFLM_ERR_UNSUPPORTED_TYPE, "conv: input must be float32, int8 or int16");
    }

    // Shapes.
    TFLM_CHECK(node, in->ndim == 4 && f->ndim == 4 && out->ndim == 4, TFLM_ERR_BAD_SHAPE,
        "conv: input, filter and output must be 4-D");
    tflm_conv_geom_t g;
    g.batches = in->dims[0];
    g.in_h = in->dims[1];
    g.in_w = in->dims[2];
    g.in_c = in->dims[3];
    g.out_c = f->dims[0];
    g.f_h = f->dims[1];
    g.f_w = f->dims[2];
    g.f_c = f->dims[3];
    TFLM_CHECK(node, g.batches >= 1 && tflm_conv_extent_ok(g.in_h) && tflm_conv_extent_ok(g.in_w) && g.in_c >= 1,
        TFLM_ERR_BAD_SHAPE, "conv: empty or oversized input");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.f_h) && tflm_conv_extent_ok(g.f_w) && g.f_c >= 1 && g.out_c >= 1,
        TFLM_ERR_BAD_SHAPE, "conv: empty or oversized filter");
    TFLM_CHECK(node, g.in_c % g.f_c == 0, TFLM_ERR_BAD_SHAPE,
        "conv: input channels not a multiple of filter input channels");
    TFLM_CHECK(node, g.out_c % (g.in_c / g.f_c) == 0, TFLM_ERR_BAD_SHAPE,
        "conv: output channels not a multiple of the group count");
    TFLM_CHECK(node, out->dims[0] == g.batches, TFLM_ERR_BAD_SHAPE, "conv: output batch differs from input batch");
    TFLM_CHECK(node, out->dims[3] == g.out_c, TFLM_ERR_BAD_SHAPE, "conv: output channels differ from filter count");
    TFLM_CHECK(node, bias == NULL || bias->elems == (uint32_t)g.out_c, TFLM_ERR_BAD_SHAPE,
        "conv: bias length differs from output channels");

    // Options.
    int padding = tflm_opt_i8(node, 0, 0);
    g.stride_w = tflm_opt_i32(node, 1, 0);
    g.stride_h = tflm_opt_i32(node, 2, 0);
    int act = tflm_opt_i8(node, 3, 0);
    g.dil_w = tflm_opt_i32(node, 4, 1);
    g.dil_h = tflm_opt_i32(node, 5, 1);
    TFLM_CHECK(node, padding == TFLM_PAD_SAME || padding == TFLM_PAD_VALID, TFLM_ERR_BAD_PARAM,
        "conv: padding must be SAME or VALID");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.stride_w) && tflm_conv_extent_ok(g.stride_h), TFLM_ERR_BAD_PARAM,
        "conv: stride must be >= 1");
    TFLM_CHECK(node, tflm_conv_extent_ok(g.dil_w) && tflm_conv_extent_ok(g.dil_h), TFLM_ERR_BAD_PARAM,
        "conv: dilation must be >= 1");
    TFLM_CHECK(node, (int64_t)(g.f_h - 1) * g.dil_h < TFLM_CONV_MAX_EXTENT
        && (int64_t)(g.f_w - 1) * g.dil_w < TFLM_CONV_MAX_EXTENT, TFLM_ERR_BAD_PARAM, "conv: dilated filter too large");
    g.out_h = tflm_conv_out_size(padding, g.in_h, g.f_h, g.stride_h, g.dil_h);
    g.out_w = tflm_conv_out_size(padding, g.in_w, g.f_w, g.stride_w, g.dil_w);
    TFLM_CHECK(node, out->dims[1] == g.out_h && out->dims[2] == g.out_w, TFLM_ERR_BAD_SHAPE,
        "conv: output height/width differ from padding/stride/dilation");
    g.pad_h = tflm_conv_pad(g.stride_h, g.dil_h, g.in_h, g.f_h, g.out_h);
    g.pad_w = tflm_conv_pad(g.stride_w, g.dil_w, g.in_w, g.f_w, g.out_w);

    tflm_conv_allow_overlap(node, &g, in, out);

    // Quantisation.
    int32_t act_min, act_max;
    float f_min, f_max;
    tflm_status_t qst = tflm_conv_prepare_quant(node, kind, act, g.out_c, 0, &act_min, &act_max, &f_min, &f_max);
    if (qst != TFLM_OK) {
        return qst;
    }

    const uint32_t n_ch = kind == TFLM_CONV_F32 ? 0u : (uint32_t)g.out_c;
    // The optimised int8 path (one group): scratch for the per-channel folded
    // bias and one receptive field.
    const int opt = TFLM_OPT_NN && kind == TFLM_CONV_S8 && g.f_c == g.in_c;
#if TFLM_OPT_NN
    if (opt) {
        // (a second patch for core 1 in a dual plan)
        const uint32_t pb = (tflm_conv2d_s8_opt_patch_bytes(&g) + 3u) & ~3u;
        tflm_request_scratch(node, 4u * n_ch + (tflm_plan_dual(node) ? 2u : 1u) * pb);
    }
#endif
    int fill = 0;
    int32_t *qm = tflm_derived(node, 8u * n_ch, &fill);
    tflm_conv2d_data_t *d = tflm_persist(node, (uint32_t)sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    tflm_conv_win_save(&d->w, &g);
    d->kind = kind;
    d->in_zp = in->zero_point;
    d->out_zp = out->zero_point;
    d->act_min = act_min;
    d->act_max = act_max;
    d->f_min = f_min;
    d->f_max = f_max;
    d->n_ch = (int32_t)n_ch;
    if (qm != NULL && fill) {
        tflm_conv_channel_quant(in, f, out, g.out_c, qm, qm + n_ch);
    }
    d->opt = opt;
    return TFLM_OK;
}

#if TFLM_OPT_NN
typedef struct {
    const tflm_conv_geom_t *g;
    const tflm_nn_q8_t *q;
    const int8_t *in, *filter;
    int8_t *patch[2];
    int8_t *out;
} conv_job_t;

static void conv_run_part(const void *job, const tflm_nn_part_t *pt, int32_t core) {
    const conv_job_t *j = job;
    tflm_conv2d_s8_opt(j->g, j->q, pt, j->in, j->filter, j->patch[core], j->out);
}
#endif

tflm_status_t tflm_conv2d_eval(tflm_node_t *node) {
    const tflm_conv2d_data_t *d = node->op_data;
    const tflm_tensor_t *bias = (node->n_in == 3 && node->in[2].index >= 0) ? &node->in[2] : NULL;
    const void *bd = bias != NULL ? bias->data : NULL;
    const int32_t *mult = d->n_ch > 0 ? tflm_conv_derived_quant(node, d->n_ch) : NULL;
    tflm_conv_geom_t g;
    tflm_conv_geom_at(node, &d->w, 3, &g);
    if (d->n_ch > 0 && mult == NULL) {
        return tflm_fail(node, TFLM_ERR_EVAL, "conv: no requantisation data");
    }
    switch (d->kind) {
        case TFLM_CONV_S8:
#if TFLM_OPT_NN
            if (d->opt) {
                const int32_t k = g.f_h * g.f_w * g.f_c;
                int32_t *cbias = node->scratch;
                tflm_nn_par_fold(node, node->in[1].data, bd, g.out_c, k, k, 1, -d->in_zp, cbias);
                const tflm_nn_q8_t q = { mult, mult + d->n_ch, cbias, 1, d->in_zp, d->out_zp, d->act_min,
                    d->act_max };
                const uint32_t pb = (tflm_conv2d_s8_opt_patch_bytes(&g) + 3u) & ~3u;
                int8_t *patch = pb > 0 ? (int8_t *)(cbias + g.out_c) : NULL;
                const conv_job_t job = { &g, &q, node->in[0].data, node->in[1].data,
                    { patch, patch != NULL && tflm_plan_dual(node) ? patch + pb : patch }, node->out[0].data };
                tflm_nn_par_conv(node, &g, 1, conv_run_part, &job);
                break;
            }
#endif
            tflm_conv2d_s8(d, &g, mult, node->in[0].data, node->in[1].data, bd, node->out[0].data);
            break;
        case TFLM_CONV_S16_A32:
            tflm_conv2d_s16(d, &g, mult, node->in[0].data, node->in[1].data, bd, NULL, node->out[0].data);
            break;
        case TFLM_CONV_S16_A64:
            tflm_conv2d_s16(d, &g, mult, node->in[0].data, node->in[1].data, NULL, bd, node->out[0].data);
            break;
        default:
            tflm_conv2d_f32(d, &g, node->in[0].data, node->in[1].data, bd, node->out[0].data);
            break;
    }
    return TFLM_OK;
}
