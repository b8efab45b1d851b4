// SVDF reference kernel (builtin 27): float32, and the integer variant with
// int8 input / int8 weights_feature / int16 or int8 weights_time and
// activation state / int32 bias / int8 output.
//
// Inputs: 0 input [batch, n_input], 1 weights_feature [n_filter, n_input],
// 2 weights_time [n_filter, n_memory], 3 bias [n_unit] (optional),
// 4 activation state [batch, n_filter * n_memory] (a variable tensor kept in
// persistent memory between invokes). n_unit = n_filter / rank.
//
// Each invoke:
//   1. the whole state buffer moves one element towards its start (the oldest
//      time step of every filter drops out),
//   2. the feature stage writes each filter's newest activation into the last
//      slot of its memory row: dot(weights_feature[f], input - in_zp),
//      rescaled by s_in * s_wf / s_state, clamped to the state type, plus
//      the state zero point (wrapping on narrowing: the order of the
//      tflite_micro oracle; newer TFLM adds the zero point before clamping),
//   3. the time stage takes dot(weights_time[f], state[f] - state_zp) per
//      filter (32-bit, wrapping), sums `rank` consecutive filters per unit
//      on top of the bias, rescales by s_state * s_wt / s_out, adds the output
//      zero point and clamps to int8.
// The integer path applies no fused activation (the reference ignores it);
// the float path applies it last. Both scale products are formed in float
// before widening to double, as the reference does.
#include <math.h>
#include <stddef.h>
#include "../../tflm_kernel.h"
#include "qmath.h"

enum { TFLM_SVDF_F32 = 0, TFLM_SVDF_S8_S16 = 1, TFLM_SVDF_S8_S8 = 2 };

typedef struct {
    int32_t kind;
    int32_t batch, n_input, n_filter, n_memory, n_unit, rank;
    int32_t act;
    int32_t in_zp, state_zp, out_zp;
    int32_t mult1, shift1, mult2, shift2;
    int32_t state_min, state_max;
} tflm_svdf_data_t;

// Scale s of a quantised tensor must be a positive finite number.
static int svdf_scale_ok(const tflm_tensor_t *t) {
    return t->n_scales >= 1 && t->scale > 0.0f && isfinite(t->scale);
}

tflm_status_t tflm_svdf_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 5 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "svdf needs 5 inputs and 1 output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *wf = &node->in[1];
    const tflm_tensor_t *wt = &node->in[2];
    const tflm_tensor_t *bias = &node->in[3];
    const tflm_tensor_t *st = &node->in[4];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0 && wf->index >= 0 && wt->index >= 0 && st->index >= 0 && out->index >= 0,
        TFLM_ERR_BAD_PARAM, "svdf input missing");
    TFLM_CHECK(node, wf->is_const && wt->is_const && (bias->index < 0 || bias->is_const), TFLM_ERR_DYNAMIC,
        "svdf weights must be constant");
    TFLM_CHECK(node, st->is_variable, TFLM_ERR_BAD_PARAM, "svdf activation state must be a variable tensor");

    int32_t rank = tflm_opt_i32(node, 0, 0);
    int32_t act = tflm_opt_u8(node, 1, 0);
    TFLM_CHECK(node, rank >= 1, TFLM_ERR_BAD_PARAM, "svdf rank must be >= 1");

    TFLM_CHECK(node, in->ndim == 2 && wf->ndim == 2 && wt->ndim == 2 && st->ndim == 2 && out->ndim == 2,
        TFLM_ERR_BAD_SHAPE, "svdf tensors must be 2-D");
    const int32_t batch = in->dims[0];
    const int32_t n_input = in->dims[1];
    const int32_t n_filter = wf->dims[0];
    const int32_t n_memory = wt->dims[1];
    TFLM_CHECK(node, batch >= 1 && n_input >= 1 && n_filter >= 1 && n_memory >= 1, TFLM_ERR_BAD_SHAPE,
        "svdf dimension is zero");
    TFLM_CHECK(node, n_filter % rank == 0, TFLM_ERR_BAD_SHAPE, "svdf filters not a multiple of rank");
    const int32_t n_unit = n_filter / rank;
    TFLM_CHECK(node, wf->dims[1] == n_input, TFLM_ERR_BAD_SHAPE, "svdf weights_feature shape");
    TFLM_CHECK(node, wt->dims[0] == n_filter, TFLM_ERR_BAD_SHAPE, "svdf weights_time shape");
    TFLM_CHECK(node, out->dims[0] == batch && out->dims[1] == n_unit, TFLM_ERR_BAD_SHAPE, "svdf output shape");
    const uint64_t state_elems = (uint64_t)n_filter * (uint64_t)n_memory;
    TFLM_CHECK(node, st->dims[0] == batch && (uint64_t)st->dims[1] == state_elems, TFLM_ERR_BAD_SHAPE,
        "svdf activation state shape");
    TFLM_CHECK(node, (uint64_t)st->elems == (uint64_t)batch * state_elems, TFLM_ERR_BAD_SHAPE,
        "svdf activation state size");
    if (bias->index >= 0) {
        TFLM_CHECK(node, bias->ndim >= 1 && bias->dims[0] == n_unit && bias->elems == (uint32_t)n_unit,
            TFLM_ERR_BAD_SHAPE, "svdf bias shape");
    }

    tflm_svdf_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.batch = batch;
    dd.n_input = n_input;
    dd.n_filter = n_filter;
    dd.n_memory = n_memory;
    dd.n_unit = n_unit;
    dd.rank = rank;
    dd.act = act;
    uint64_t scratch = 0;

    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, wf->type == TFLM_FLOAT32 && wt->type == TFLM_FLOAT32 && st->type == TFLM_FLOAT32
            && out->type == TFLM_FLOAT32 && (bias->index < 0 || bias->type == TFLM_FLOAT32),
            TFLM_ERR_UNSUPPORTED_TYPE, "float svdf needs float32 tensors");
        TFLM_CHECK(node, act >= TFLM_ACT_NONE && act <= TFLM_ACT_SIGN_BIT, TFLM_ERR_BAD_PARAM,
            "unsupported fused activation");
        dd.kind = TFLM_SVDF_F32;
        scratch = (uint64_t)batch * (uint64_t)n_filter * sizeof(float);
    } else if (in->type == TFLM_INT8) {
        TFLM_CHECK(node, wf->type == TFLM_INT8 && out->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
            "int8 svdf needs int8 weights_feature and output");
        TFLM_CHECK(node, (wt->type == TFLM_INT16 || wt->type == TFLM_INT8) && st->type == wt->type,
            TFLM_ERR_UNSUPPORTED_TYPE, "int8 svdf needs int16 or int8 weights_time and state of the same type");
        TFLM_CHECK(node, bias->index >= 0, TFLM_ERR_BAD_PARAM, "int8 svdf needs a bias");
        TFLM_CHECK(node, bias->type == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE, "int8 svdf needs an int32 bias");
        TFLM_CHECK(node, svdf_scale_ok(in) && svdf_scale_ok(wf) && svdf_scale_ok(wt) && svdf_scale_ok(st)
            && svdf_scale_ok(out) && bias->n_scales >= 1, TFLM_ERR_BAD_QUANT, "svdf needs quantisation parameters");
        dd.kind = wt->type == TFLM_INT16 ? TFLM_SVDF_S8_S16 : TFLM_SVDF_S8_S8;
        dd.state_min = wt->type == TFLM_INT16 ? -32768 : -128;
        dd.state_max = wt->type == TFLM_INT16 ? 32767 : 127;
        TFLM_CHECK(node, in->zero_point >= -128 && in->zero_point <= 127 && out->zero_point >= -128
            && out->zero_point <= 127 && st->zero_point >= dd.state_min && st->zero_point <= dd.state_max,
            TFLM_ERR_BAD_QUANT, "svdf zero point out of range");
        // Scale products in float, then widened (reference order).
        const float s1 = in->scale * wf->scale / st->scale;
        const float sw = st->scale * wt->scale;
        const float s2 = sw / out->scale;
        // (the difference in float; 1e-5f is the largest float below 1e-5, so
        // this is "< 1e-5" without the soft-float double library)
        TFLM_CHECK(node, fabsf(bias->scale - sw) <= 1e-5f, TFLM_ERR_BAD_QUANT,
            "svdf bias scale must be state scale * weights_time scale");
        TFLM_CHECK(node, isfinite(s1) && s1 > 0.0f && isfinite(s2) && s2 > 0.0f, TFLM_ERR_BAD_QUANT,
            "svdf effective scale out of range");
        tflm_qm_ratio(s1, 1.0f, 1.0f, 1.0f, 0, &dd.mult1, &dd.shift1);
        tflm_qm_ratio(s2, 1.0f, 1.0f, 1.0f, 0, &dd.mult2, &dd.shift2);
        dd.in_zp = in->zero_point;
        dd.state_zp = st->zero_point;
        dd.out_zp = out->zero_point;
        // Per-filter time sums, then per-unit sums.
        scratch = (uint64_t)batch * ((uint64_t)n_filter + (uint64_t)n_unit) * sizeof(int32_t);
    } else {
        return tflm_fail(node, TFLM_ERR_UNSUPPORTED_TYPE, "svdf supports float32 and int8");
    }
    TFLM_CHECK(node, scratch <= 0x7FFFFFF0u, TFLM_ERR_MODEL_LIMIT, "svdf scratch too large");

    tflm_status_t rs = tflm_request_scratch(node, (uint32_t)scratch);
    if (rs != TFLM_OK) {
        return rs;
    }
    tflm_svdf_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

static float svdf_act_f(int act, float x) {
    switch (act) {
    case TFLM_ACT_RELU:
        return 0.0f < x ? x : 0.0f;
    case TFLM_ACT_RELU_N1_TO_1: {
        float y = 1.0f < x ? 1.0f : x;
        return -1.0f < y ? y : -1.0f;
    }
    case TFLM_ACT_RELU6: {
        float y = 6.0f < x ? 6.0f : x;
        return 0.0f < y ? y : 0.0f;
    }
    case TFLM_ACT_TANH:
        return tanhf(x);
    case TFLM_ACT_SIGN_BIT:
        return signbit(x) ? 1.0f : 0.0f;
    default:
        return x;
    }
}

static void svdf_eval_f32(const tflm_svdf_data_t *d, const float *in, const float *wf, const float *wt,
    const float *bias, float *state, float *scratch, float *out) {
    const size_t total = (size_t)d->batch * (size_t)d->n_filter * (size_t)d->n_memory;
    const int32_t nm = d->n_memory;
    memmove(state, state + 1, (total - 1) * sizeof(float));
    // Feature stage: newest activation of each filter into its last slot.
    for (int32_t b = 0; b < d->batch; ++b) {
        const float *x = in + (size_t)b * d->n_input;
        float *srow = state + (size_t)b * d->n_filter * nm;
        for (int32_t f = 0; f < d->n_filter; ++f) {
            const float *w = wf + (size_t)f * d->n_input;
            float acc = 0.0f;
            for (int32_t k = 0; k < d->n_input; ++k) {
                acc += w[k] * x[k];
            }
            srow[(size_t)f * nm + (nm - 1)] = acc;
        }
    }
    // Time stage per filter.
    for (int32_t b = 0; b < d->batch; ++b) {
        const float *srow = state + (size_t)b * d->n_filter * nm;
        float *sc = scratch + (size_t)b * d->n_filter;
        for (int32_t f = 0; f < d->n_filter; ++f) {
            const float *w = wt + (size_t)f * nm;
            const float *s = srow + (size_t)f * nm;
            float acc = 0.0f;
            for (int32_t j = 0; j < nm; ++j) {
                acc += w[j] * s[j];
            }
            sc[f] = acc;
        }
    }
    // Bias, rank reduction, activation.
    for (int32_t b = 0; b < d->batch; ++b) {
        const float *sc = scratch + (size_t)b * d->n_filter;
        float *o = out + (size_t)b * d->n_unit;
        for (int32_t u = 0; u < d->n_unit; ++u) {
            float acc = bias != NULL ? bias[u] : 0.0f;
            for (int32_t r = 0; r < d->rank; ++r) {
                acc += sc[(size_t)u * d->rank + r];
            }
            o[u] = svdf_act_f(d->act, acc);
        }
    }
}

// Integer path; the state and weights_time are int16 (wide != 0) or int8.
static void svdf_eval_int(const tflm_svdf_data_t *d, int wide, const int8_t *in, const int8_t *wf,
    const void *wt, const int32_t *bias, void *state, int32_t *scratch, int8_t *out) {
    const size_t total = (size_t)d->batch * (size_t)d->n_filter * (size_t)d->n_memory;
    const size_t esz = wide ? 2 : 1;
    const int32_t nm = d->n_memory;
    int16_t *st16 = (int16_t *)state;
    int8_t *st8 = (int8_t *)state;
    const int16_t *wt16 = (const int16_t *)wt;
    const int8_t *wt8 = (const int8_t *)wt;
    memmove(state, (uint8_t *)state + esz, (total - 1) * esz);
    // Feature stage.
    for (int32_t b = 0; b < d->batch; ++b) {
        const int8_t *x = in + (size_t)b * d->n_input;
        for (int32_t f = 0; f < d->n_filter; ++f) {
            const int8_t *w = wf + (size_t)f * d->n_input;
            uint32_t acc = 0;
            for (int32_t k = 0; k < d->n_input; ++k) {
                acc += (uint32_t)((int32_t)w[k] * ((int32_t)x[k] - d->in_zp));
            }
            int32_t v = tflm_mul_qm((int32_t)acc, d->mult1, d->shift1);
            // The oracle clamps to the state type first and adds the zero
            // point after, narrowing with wraparound.
            v = tflm_clamp(v, d->state_min, d->state_max);
            const uint32_t u = (uint32_t)v + (uint32_t)d->state_zp;
            const size_t pos = ((size_t)b * d->n_filter + (size_t)f) * nm + (size_t)(nm - 1);
            if (wide) {
                st16[pos] = (int16_t)((int32_t)(u & 0xFFFFu) - (int32_t)((u & 0x8000u) << 1));
            } else {
                st8[pos] = (int8_t)((int32_t)(u & 0xFFu) - (int32_t)((u & 0x80u) << 1));
            }
        }
    }
    // Time stage per filter (32-bit wrapping sums).
    int32_t *sc = scratch;
    int32_t *acc_u = scratch + (size_t)d->batch * d->n_filter;
    for (int32_t b = 0; b < d->batch; ++b) {
        for (int32_t f = 0; f < d->n_filter; ++f) {
            const size_t row = ((size_t)b * d->n_filter + (size_t)f) * nm;
            const size_t wrow = (size_t)f * nm;
            uint32_t acc = 0;
            if (wide) {
                for (int32_t j = 0; j < nm; ++j) {
                    acc += (uint32_t)((int32_t)wt16[wrow + j] * ((int32_t)st16[row + j] - d->state_zp));
                }
            } else {
                for (int32_t j = 0; j < nm; ++j) {
                    acc += (uint32_t)((int32_t)wt8[wrow + j] * ((int32_t)st8[row + j] - d->state_zp));
                }
            }
            sc[(size_t)b * d->n_filter + f] = (int32_t)acc;
        }
    }
    // Bias, rank reduction, rescale.
    for (int32_t b = 0; b < d->batch; ++b) {
        for (int32_t u = 0; u < d->n_unit; ++u) {
            uint32_t acc = bias != NULL ? (uint32_t)bias[u] : 0u;
            for (int32_t r = 0; r < d->rank; ++r) {
                acc += (uint32_t)sc[(size_t)b * d->n_filter + (size_t)u * d->rank + r];
            }
            acc_u[(size_t)b * d->n_unit + u] = (int32_t)acc;
        }
    }
    for (size_t i = 0; i < (size_t)d->batch * d->n_unit; ++i) {
        int32_t v = tflm_mul_qm(acc_u[i], d->mult2, d->shift2);
        v = (int32_t)((uint32_t)v + (uint32_t)d->out_zp);
        out[i] = (int8_t)tflm_clamp(v, -128, 127);
    }
}

tflm_status_t tflm_svdf_eval(tflm_node_t *node) {
    const tflm_svdf_data_t *d = (const tflm_svdf_data_t *)node->op_data;
    const void *bias = node->in[3].data;
    if (d->kind == TFLM_SVDF_F32) {
        svdf_eval_f32(d, (const float *)node->in[0].data, (const float *)node->in[1].data,
            (const float *)node->in[2].data, (const float *)bias, (float *)node->in[4].data,
            (float *)node->scratch, (float *)node->out[0].data);
    } else {
        svdf_eval_int(d, d->kind == TFLM_SVDF_S8_S16, (const int8_t *)node->in[0].data,
            (const int8_t *)node->in[1].data, node->in[2].data, (const int32_t *)bias, node->in[4].data,
            (int32_t *)node->scratch, (int8_t *)node->out[0].data);
    }
    return TFLM_OK;
}
