// Shared geometry, requantisation and activation helpers of the nn ops.
#include <float.h>
#include <math.h>
#include "conv_common.h"
#include "qmath.h"

int32_t tflm_conv_out_size(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dil) {
    int64_t eff = (int64_t)(filter - 1) * dil + 1;
    int64_t n;
    if (padding == TFLM_PAD_SAME) {
        n = ((int64_t)in + stride - 1) / stride;
    } else if (padding == TFLM_PAD_VALID) {
        // Truncating division as in TFLite: a window larger than the input
        // by less than a stride still gives 0, never a negative size.
        n = ((int64_t)in + stride - eff) / stride;
    } else {
        return -1;
    }
    return n < 0 ? 0 : (int32_t)n;
}

int32_t tflm_conv_pad(int32_t stride, int32_t dil, int32_t in, int32_t filter, int32_t out) {
    int64_t eff = (int64_t)(filter - 1) * dil + 1;
    int64_t total = (int64_t)(out - 1) * stride + eff - in;
    if (total < 0) {
        total = 0;
    }
    total /= 2;
    return total > INT32_MAX / 4 ? INT32_MAX / 4 : (int32_t)total;
}

int tflm_conv_scale_ok(float s) {
    return isfinite(s) && s > 0.0f;
}

int tflm_conv_channel_quant(const tflm_tensor_t *in, const tflm_tensor_t *filter, const tflm_tensor_t *out,
    int32_t n_ch, int32_t *mult, int32_t *shift) {
    const int per_channel = filter->n_scales > 1;
    for (int32_t c = 0; c < n_ch; ++c) {
        float fs = tflm_tensor_scale(filter, per_channel ? (uint32_t)c : 0u);
        if (!tflm_conv_scale_ok(fs)) {
            return -1;
        }
        if (mult != NULL) {
            tflm_qm_ratio(in->scale, fs, out->scale, 1.0f, 0, &mult[c], &shift[c]);
        }
    }
    return 0;
}

int32_t tflm_conv_max_shift(const tflm_tensor_t *in, const tflm_tensor_t *filter, const tflm_tensor_t *out,
    int32_t n_ch) {
    int32_t best = -32;
    const int per_channel = filter->n_scales > 1;
    for (int32_t c = 0; c < n_ch; ++c) {
        float fs = tflm_tensor_scale(filter, per_channel ? (uint32_t)c : 0u);
        int32_t qm, sh;
        tflm_qm_ratio(in->scale, fs, out->scale, 1.0f, 0, &qm, &sh);
        if (sh > best) {
            best = sh;
        }
    }
    return best;
}

// round(v / scale) fits comfortably in int32 (TFLite fails the op otherwise).
static int act_bound_ok(float v, float scale) {
    float q = roundf(v / scale);
    return q > -2147483520.0f && q < 2147483520.0f;
}

int tflm_conv_act_range_q(int act, const tflm_tensor_t *out, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi) {
    if (act != TFLM_ACT_NONE && act != TFLM_ACT_RELU && act != TFLM_ACT_RELU6 && act != TFLM_ACT_RELU_N1_TO_1) {
        return -1;
    }
    if (act != TFLM_ACT_NONE) {
        // zero_point + round(bound / scale) must not overflow.
        if (!tflm_conv_scale_ok(out->scale) || out->zero_point < -65536 || out->zero_point > 65536) {
            return -1;
        }
        if (!act_bound_ok(6.0f, out->scale) || !act_bound_ok(1.0f, out->scale)) {
            return -1;
        }
    }
    tflm_act_range_q(act, out->scale, out->zero_point, qmin, qmax, lo, hi);
    return 0;
}

int tflm_conv_act_range_f(int act, float *lo, float *hi) {
    if (act != TFLM_ACT_NONE && act != TFLM_ACT_RELU && act != TFLM_ACT_RELU6 && act != TFLM_ACT_RELU_N1_TO_1) {
        return -1;
    }
    tflm_act_range_f(act, lo, hi);
    // TFLite's float "no limit" is the largest finite float, so an infinite
    // sum is clamped to +-FLT_MAX.
    if (*lo < -FLT_MAX) {
        *lo = -FLT_MAX;
    }
    if (*hi > FLT_MAX) {
        *hi = FLT_MAX;
    }
    return 0;
}

tflm_status_t tflm_conv_prepare_quant(tflm_node_t *node, int kind, int act, int32_t out_c, int32_t qdim,
    int32_t *act_min, int32_t *act_max, float *f_min, float *f_max) {
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *f = &node->in[1];
    const tflm_tensor_t *out = &node->out[0];
    *act_min = *act_max = 0;
    *f_min = *f_max = 0.0f;
    if (kind == TFLM_CONV_F32) {
        TFLM_CHECK(node, tflm_conv_act_range_f(act, f_min, f_max) == 0, TFLM_ERR_BAD_PARAM,
            "unsupported fused activation");
        return TFLM_OK;
    }
    TFLM_CHECK(node, in->n_scales >= 1 && out->n_scales >= 1 && f->n_scales >= 1, TFLM_ERR_BAD_QUANT,
        "input, filter and output need quantisation scales");
    TFLM_CHECK(node, tflm_conv_scale_ok(in->scale) && tflm_conv_scale_ok(out->scale), TFLM_ERR_BAD_QUANT,
        "input/output scale must be positive");
    TFLM_CHECK(node, f->n_scales == 1 || f->n_scales == (uint32_t)out_c, TFLM_ERR_BAD_QUANT,
        "filter scale count must be 1 or the output channel count");
    TFLM_CHECK(node, f->n_scales == 1 || f->quant_dim == qdim, TFLM_ERR_BAD_QUANT,
        "per-channel filter quantised along the wrong dimension");
    TFLM_CHECK(node, tflm_conv_channel_quant(in, f, out, out_c, NULL, NULL) == 0, TFLM_ERR_BAD_QUANT,
        "filter scale must be positive");
    if (kind == TFLM_CONV_S8) {
        TFLM_CHECK(node, in->zero_point >= -128 && in->zero_point <= 127 && out->zero_point >= -128
            && out->zero_point <= 127, TFLM_ERR_BAD_QUANT, "int8 zero point out of range");
        TFLM_CHECK(node, tflm_conv_act_range_q(act, out, -128, 127, act_min, act_max) == 0, TFLM_ERR_BAD_PARAM,
            "unsupported fused activation");
        return TFLM_OK;
    }
    TFLM_CHECK(node, tflm_conv_act_range_q(act, out, -32768, 32767, act_min, act_max) == 0, TFLM_ERR_BAD_PARAM,
        "unsupported fused activation");
    // The 64-bit requantisation shifts right by 15 - shift.
    TFLM_CHECK(node, kind != TFLM_CONV_S16_A64 || tflm_conv_max_shift(in, f, out, out_c) <= 14,
        TFLM_ERR_BAD_QUANT, "int16 effective scale too large");
    return TFLM_OK;
}

void tflm_conv_win_save(tflm_conv_win_t *w, const tflm_conv_geom_t *g) {
    w->stride_h = g->stride_h;
    w->stride_w = g->stride_w;
    w->dil_h = g->dil_h;
    w->dil_w = g->dil_w;
    w->pad_h = g->pad_h;
    w->pad_w = g->pad_w;
}

void tflm_conv_geom_at(const tflm_node_t *node, const tflm_conv_win_t *w, int f_c_dim, tflm_conv_geom_t *g) {
    const int32_t *in = node->in[0].dims, *f = node->in[1].dims, *out = node->out[0].dims;
    g->batches = in[0];
    g->in_h = in[1];
    g->in_w = in[2];
    g->in_c = in[3];
    g->out_h = out[1];
    g->out_w = out[2];
    g->out_c = out[3];
    g->f_h = f[1];
    g->f_w = f[2];
    g->f_c = f_c_dim > 0 ? f[f_c_dim] : 1;
    g->stride_h = w->stride_h;
    g->stride_w = w->stride_w;
    g->dil_h = w->dil_h;
    g->dil_w = w->dil_w;
    g->pad_h = w->pad_h;
    g->pad_w = w->pad_w;
}

// Both convolutions write output rows in order and read input rows from
// oy * stride_h - pad_h up: the output may overlap the input (one batch).
void tflm_conv_allow_overlap(tflm_node_t *node, const tflm_conv_geom_t *g, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    if (g->batches != 1) {
        return;
    }
    const uint64_t rowi = (uint64_t)g->in_w * (uint64_t)g->in_c * tflm_type_size(in->type);
    const uint64_t rowo = (uint64_t)g->out_w * (uint64_t)g->out_c * tflm_type_size(out->type);
    const uint64_t step = (uint64_t)g->stride_h * rowi, back = (uint64_t)g->pad_h * rowi;
    if (rowi == 0 || rowo == 0 || step > 0x7fffffffu || rowo > 0x7fffffffu || back > 0x7fffffffu) {
        return;
    }
    tflm_allow_overlap(node, (uint32_t)g->out_h, (uint32_t)step, (uint32_t)rowo, (uint32_t)back);
}

// Per-channel multipliers then shifts (derived data: kept or recomputed, see
// tflm_derived), filled from the scales of in[0], in[1] and out[0].
const int32_t *tflm_conv_derived_quant(tflm_node_t *node, int32_t n_ch) {
    int fill;
    int32_t *m = tflm_derived(node, 8u * (uint32_t)n_ch, &fill);
    if (m != NULL && fill) {
        tflm_conv_channel_quant(&node->in[0], &node->in[1], &node->out[0], n_ch, m, m + n_ch);
    }
    return m;
}
