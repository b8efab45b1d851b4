// FULLY_CONNECTED reference kernel (weights_format DEFAULT): float32, int8
// with per-tensor or per-channel int8 weights (int32 bias), int16 activations
// with per-tensor or per-channel int8 weights (int64 bias). Weights [units, accum]; every
// output row b is  out[b, u] = act(sum_d in[b, d] * w[u, d] + bias[u]).
//
// Bit-exact contract (TFLM reference semantics):
// - int8 per-tensor: acc = sum (w - w_zp) * (in - in_zp), multiplier from
//   (double)(float)(in_scale * w_scale) / out_scale (product rounded to float).
// - int8 per-channel: acc = sum w * (in - in_zp) (weight zero point ignored),
//   per-row multiplier from (double)in_scale * w_scale[u] / out_scale.
// - int16: acc64 = sum (w - w_zp) * in (per-channel: sum w * in), no
//   activation zero points, 64-bit MultiplyByQuantizedMultiplier.
// Then + bias, MultiplyByQuantizedMultiplier, + output zero point, clamp.
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "conv_common.h"
#include "qmath.h"
#include "../tflm_isa.h"
#if TFLM_OPT_NN
#include "../arm/nn_s8.h"
#endif

// The op data is the part up to `batches` (FC_PERSIST_BYTES); the sizes come
// from the tensors at each eval (fc_data_at).
typedef struct {
    int32_t in_off, f_off, out_zp;
    int32_t act_min, act_max;
    float f_min, f_max;
    int32_t mult, shift;    // per-tensor requantisation
    int32_t n_ch;           // > 0: per-channel multipliers and shifts (derived data)
    int32_t fold_units;     // opt: units per folded-bias block (all of them unless lean)
    int8_t kind;            // TFLM_CONV_F32, TFLM_CONV_S8 or TFLM_CONV_S16_A64
    int8_t bias64;          // int16 path: bias tensor is int64 (else int32)
    int8_t opt;             // 1: int8 through kernels/arm (folded biases in the derived data)
    int32_t batches, units, accum;
} tflm_fc_data_t;

#define FC_PERSIST_BYTES ((uint32_t)offsetof(tflm_fc_data_t, batches))

static void fc_data_at(const tflm_node_t *node, tflm_fc_data_t *d) {
    memcpy(d, node->op_data, FC_PERSIST_BYTES);
    d->units = node->in[1].dims[0];
    d->accum = node->in[1].dims[1];
    d->batches = (int32_t)(node->out[0].elems / (uint32_t)d->units);
}

// Units per block of folded biases under a lean plan: the block lives in
// scratch and is folded again for each block at every eval.
#define TFLM_FC_LEAN_BLOCK 16

static uint32_t fc_derived_bytes(const tflm_fc_data_t *d) {
    return 8u * (uint32_t)d->n_ch + (d->opt ? 4u * (uint32_t)d->fold_units : 0u);
}

static void tflm_fc_s8(const tflm_fc_data_t *d, const int32_t *mult, const int8_t *in, const int8_t *w,
    const int32_t *bias, int8_t *out) {
    const int32_t *shift = d->n_ch > 0 ? mult + d->n_ch : NULL; // mult is NULL when per-tensor
    const int32_t accum = d->accum;
    for (int32_t b = 0; b < d->batches; ++b) {
        const int8_t *row = in + (size_t)b * accum;
        for (int32_t u = 0; u < d->units; ++u) {
            const int8_t *wr = w + (size_t)u * accum;
            uint32_t acc = 0;
            if (d->n_ch > 0) {
                for (int32_t i = 0; i < accum; ++i) {
                    acc += (uint32_t)((int32_t)wr[i] * ((int32_t)row[i] + d->in_off));
                }
            } else {
                for (int32_t i = 0; i < accum; ++i) {
                    acc += (uint32_t)(((int32_t)wr[i] + d->f_off) * ((int32_t)row[i] + d->in_off));
                }
            }
            if (bias != NULL) {
                acc += (uint32_t)bias[u];
            }
            int32_t v = d->n_ch > 0 ? tflm_mul_qm((int32_t)acc, mult[u], shift[u])
                                    : tflm_mul_qm((int32_t)acc, d->mult, d->shift);
            v = (int32_t)((uint32_t)v + (uint32_t)d->out_zp);
            out[(size_t)b * d->units + u] = (int8_t)tflm_clamp(v, d->act_min, d->act_max);
        }
    }
}

static void tflm_fc_s16(const tflm_fc_data_t *d, const int32_t *mult, const int16_t *in, const int8_t *w,
    const void *bias, int16_t *out) {
    const int32_t *shift = d->n_ch > 0 ? mult + d->n_ch : NULL; // mult is NULL when per-tensor
    const int32_t accum = d->accum;
    for (int32_t b = 0; b < d->batches; ++b) {
        const int16_t *row = in + (size_t)b * accum;
        for (int32_t u = 0; u < d->units; ++u) {
            const int8_t *wr = w + (size_t)u * accum;
            // Per-channel weights ignore the weight zero point.
            const int32_t f_off = d->n_ch > 0 ? 0 : d->f_off;
            int64_t acc = 0;
            for (int32_t i = 0; i < accum; ++i) {
                acc += ((int32_t)wr[i] + f_off) * (int32_t)row[i];
            }
            if (bias != NULL) {
                int64_t bv = d->bias64 ? tflm_conv_ld_i64(bias, (uint32_t)u) : ((const int32_t *)bias)[u];
                acc = tflm_conv_clamp47(acc) + tflm_conv_clamp47(bv);
            }
            acc = tflm_conv_clamp47(acc);
            int32_t v = d->n_ch > 0 ? tflm_mul_qm64(acc, mult[u], shift[u]) : tflm_mul_qm64(acc, d->mult, d->shift);
            out[(size_t)b * d->units + u] = (int16_t)tflm_clamp(v, d->act_min, d->act_max);
        }
    }
}

static void tflm_fc_f32(const tflm_fc_data_t *d, const float *in, const float *w, const float *bias, float *out) {
    const int32_t accum = d->accum;
    for (int32_t b = 0; b < d->batches; ++b) {
        const float *row = in + (size_t)b * accum;
        for (int32_t u = 0; u < d->units; ++u) {
            const float *wr = w + (size_t)u * accum;
            float total = 0.0f;
            for (int32_t i = 0; i < accum; ++i) {
                total += row[i] * wr[i];
            }
            const float bv = bias != NULL ? bias[u] : 0.0f;
            out[(size_t)b * d->units + u] = tflm_conv_clamp_f(total + bv, d->f_min, d->f_max);
        }
    }
}

// Derived data: per-channel multipliers and shifts, then (optimised int8)
// the folded biases of units [u0, u0 + fold_units):
//     sum (w + f_off) * (x + in_off) = sum w * x + in_off * sum w
//         + accum * f_off * in_off + f_off * sum x (the last one per row, in eval)
static void fc_fill(tflm_node_t *node, const tflm_fc_data_t *d, int32_t *dv, int32_t u0) {
    if (u0 == 0 && d->n_ch > 0) {
        tflm_conv_channel_quant(&node->in[0], &node->in[1], &node->out[0], d->units, dv, dv + d->n_ch);
    }
#if TFLM_OPT_NN
    if (d->opt) {
        const tflm_tensor_t *bias = (node->n_in == 3 && node->in[2].index >= 0) ? &node->in[2] : NULL;
        const int32_t f_off = d->n_ch > 0 ? 0 : d->f_off;
        const uint32_t extra = (uint32_t)d->accum * (uint32_t)f_off * (uint32_t)d->in_off;
        const int32_t n = d->units - u0 < d->fold_units ? d->units - u0 : d->fold_units;
        tflm_nn_fold_bias((const int8_t *)node->in[1].data + (size_t)u0 * (size_t)d->accum,
            bias != NULL ? (const int32_t *)bias->data + u0 : NULL, n, d->accum, d->accum, 1, d->in_off,
            (int32_t)extra, dv + 2 * d->n_ch);
    }
#else
    (void)node;
#endif
}

tflm_status_t tflm_fc_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 || node->n_in == 3, TFLM_ERR_BAD_PARAM, "fully_connected: needs 2 or 3 inputs");
    TFLM_CHECK(node, node->n_out == 1, TFLM_ERR_BAD_PARAM, "fully_connected: needs 1 output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *w = &node->in[1];
    const tflm_tensor_t *bias = (node->n_in == 3 && node->in[2].index >= 0) ? &node->in[2] : NULL;
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0 && w->index >= 0, TFLM_ERR_BAD_PARAM, "fully_connected: input or weights missing");
    TFLM_CHECK(node, node->options_type == 8 || node->options_type == 0, TFLM_ERR_BAD_PARAM,
        "fully_connected: options are not FullyConnectedOptions");

    int act = tflm_opt_i8(node, 0, 0);
    int wformat = tflm_opt_i8(node, 1, 0);
    TFLM_CHECK(node, wformat == 0, TFLM_ERR_BAD_PARAM, "fully_connected: only the DEFAULT weights format is supported");

    int32_t kind;
    TFLM_CHECK(node, in->type == out->type, TFLM_ERR_UNSUPPORTED_TYPE,
        "fully_connected: input and output types differ");
    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, w->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "fully_connected: float input needs float weights (hybrid not supported)");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "fully_connected: float bias must be float32");
        kind = TFLM_CONV_F32;
    } else if (in->type == TFLM_INT8) {
        TFLM_CHECK(node, w->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
            "fully_connected: int8 input needs int8 weights");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_INT32, TFLM_ERR_UNSUPPORTED_TYPE,
            "fully_connected: int8 bias must be int32");
        kind = TFLM_CONV_S8;
    } else if (in->type == TFLM_INT16) {
        TFLM_CHECK(node, w->type == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
            "fully_connected: int16 input needs int8 weights");
        TFLM_CHECK(node, bias == NULL || bias->type == TFLM_INT64 || bias->type == TFLM_INT32,
            TFLM_ERR_UNSUPPORTED_TYPE, "fully_connected: int16 bias must be int64");
        kind = TFLM_CONV_S16_A64;
    } else {
        return tflm_fail(node, TFLM_ERR_UNSUPPORTED_TYPE, "fully_connected: input must be float32, int8 or int16");
    }

    // Shapes: weights [units, accum]; output [..., units]; input holds
    // batches * accum elements (keep_num_dims only changes the output shape).
    TFLM_CHECK(node, w->ndim == 2, TFLM_ERR_BAD_SHAPE, "fully_connected: weights must be 2-D");
    const int32_t units = w->dims[0];
    const int32_t accum = w->dims[1];
    TFLM_CHECK(node, units >= 1 && accum >= 1, TFLM_ERR_BAD_SHAPE, "fully_connected: empty weights");
    TFLM_CHECK(node, out->ndim >= 1 && out->dims[out->ndim - 1] == units, TFLM_ERR_BAD_SHAPE,
        "fully_connected: output last dimension differs from weight rows");
    const uint32_t batches = out->elems / (uint32_t)units;
    TFLM_CHECK(node, (uint64_t)batches * (uint32_t)accum == in->elems, TFLM_ERR_BAD_SHAPE,
        "fully_connected: input size is not output rows * weight columns");
    TFLM_CHECK(node, bias == NULL || bias->elems == (uint32_t)units, TFLM_ERR_BAD_SHAPE,
        "fully_connected: bias length differs from weight rows");

    int32_t act_min = 0, act_max = 0;
    float f_min = 0.0f, f_max = 0.0f;
    int per_channel = 0;
    if (kind == TFLM_CONV_F32) {
        TFLM_CHECK(node, tflm_conv_act_range_f(act, &f_min, &f_max) == 0, TFLM_ERR_BAD_PARAM,
            "fully_connected: unsupported fused activation");
    } else {
        TFLM_CHECK(node, in->n_scales >= 1 && out->n_scales >= 1 && w->n_scales >= 1, TFLM_ERR_BAD_QUANT,
            "fully_connected: input, weights and output need quantisation scales");
        TFLM_CHECK(node, tflm_conv_scale_ok(in->scale) && tflm_conv_scale_ok(out->scale)
            && tflm_conv_scale_ok(w->scale), TFLM_ERR_BAD_QUANT, "fully_connected: scales must be positive");
        per_channel = w->n_scales > 1;
        if (per_channel) {
            TFLM_CHECK(node, w->n_scales == (uint32_t)units && w->quant_dim == 0, TFLM_ERR_BAD_QUANT,
                "fully_connected: per-channel weight scales must run along the weight rows");
            TFLM_CHECK(node, tflm_conv_channel_quant(in, w, out, units, NULL, NULL) == 0, TFLM_ERR_BAD_QUANT,
                "fully_connected: weight scale must be positive");
            TFLM_CHECK(node, kind != TFLM_CONV_S16_A64 || tflm_conv_max_shift(in, w, out, units) <= 14,
                TFLM_ERR_BAD_QUANT, "fully_connected: int16 effective scale too large");
        } else if (bias != NULL) {
            // The reference rejects a bias whose scale strays from in * w.
            // (in float: no soft-float double on small cores; 0.02f is the
            // largest float below 0.02)
            float diff = fabsf(in->scale * w->scale - bias->scale);
            TFLM_CHECK(node, diff / out->scale <= 0.02f, TFLM_ERR_BAD_QUANT,
                "fully_connected: bias scale differs from input scale * weight scale");
        }
        if (kind == TFLM_CONV_S8) {
            TFLM_CHECK(node, in->zero_point >= -128 && in->zero_point <= 127 && out->zero_point >= -128
                && out->zero_point <= 127 && w->zero_point >= -128 && w->zero_point <= 127, TFLM_ERR_BAD_QUANT,
                "fully_connected: int8 zero point out of range");
            TFLM_CHECK(node, tflm_conv_act_range_q(act, out, -128, 127, &act_min, &act_max) == 0,
                TFLM_ERR_BAD_PARAM, "fully_connected: unsupported fused activation");
        } else {
            TFLM_CHECK(node, w->zero_point >= -128 && w->zero_point <= 127, TFLM_ERR_BAD_QUANT,
                "fully_connected: weight zero point out of range");
            TFLM_CHECK(node, tflm_conv_act_range_q(act, out, -32768, 32767, &act_min, &act_max) == 0,
                TFLM_ERR_BAD_PARAM, "fully_connected: unsupported fused activation");
        }
    }

    // Per-tensor multiplier: the input and weight scales are multiplied in
    // float before the division in double.
    int32_t mult = 0, shift = 0;
    if (kind != TFLM_CONV_F32 && !per_channel) {
        const float prod = in->scale * w->scale;
        tflm_qm_ratio(prod, 1.0f, out->scale, 1.0f, 0, &mult, &shift);
        TFLM_CHECK(node, kind != TFLM_CONV_S16_A64 || shift <= 14, TFLM_ERR_BAD_QUANT,
            "fully_connected: int16 effective scale too large");
    }

    const uint32_t n_ch = per_channel ? (uint32_t)units : 0u;
    // The optimised int8 path folds constant weights into a per-unit term.
    const int opt = TFLM_OPT_NN && kind == TFLM_CONV_S8 && w->is_const && (bias == NULL || bias->is_const);
    const int32_t fold_units = !opt ? 0 : (tflm_plan_lean(node) && units > TFLM_FC_LEAN_BLOCK) ? TFLM_FC_LEAN_BLOCK
        : units;
    int fill = 0;
    int32_t *dv = tflm_derived(node, 8u * n_ch + 4u * (uint32_t)fold_units, &fill);
    void *pd = tflm_persist(node, FC_PERSIST_BYTES);
    if (pd == NULL) {
        return tflm_measure_done(node);
    }
    tflm_fc_data_t dd;
    memset(&dd, 0, sizeof(dd));
    tflm_fc_data_t *d = &dd;
    d->kind = kind;
    d->batches = (int32_t)batches;
    d->units = units;
    d->accum = accum;
    d->in_off = -in->zero_point;
    d->f_off = -w->zero_point;
    d->out_zp = out->zero_point;
    d->act_min = act_min;
    d->act_max = act_max;
    d->f_min = f_min;
    d->f_max = f_max;
    d->mult = mult;
    d->shift = shift;
    d->bias64 = bias != NULL && bias->type == TFLM_INT64;
    d->n_ch = (int32_t)n_ch;
    d->opt = opt;
    d->fold_units = fold_units;
    memcpy(pd, d, FC_PERSIST_BYTES);
    if (dv != NULL && fill) {
        fc_fill(node, d, dv, 0);
    }
    return TFLM_OK;
}

tflm_status_t tflm_fc_eval(tflm_node_t *node) {
    tflm_fc_data_t dd;
    fc_data_at(node, &dd);
    const tflm_fc_data_t *d = &dd;
    const tflm_tensor_t *bias = (node->n_in == 3 && node->in[2].index >= 0) ? &node->in[2] : NULL;
    const void *bd = bias != NULL ? bias->data : NULL;
    int fill = 0;
    int32_t *dv = NULL;
    if (fc_derived_bytes(d) > 0) {
        dv = tflm_derived(node, fc_derived_bytes(d), &fill);
        if (dv == NULL) {
            return tflm_fail(node, TFLM_ERR_EVAL, "fully_connected: no requantisation data");
        }
        if (fill) {
            fc_fill(node, d, dv, 0);
        }
    }
    switch (d->kind) {
        case TFLM_CONV_S8:
#if TFLM_OPT_NN
            if (d->opt) {
                const int32_t *mult = d->n_ch > 0 ? dv : &d->mult;
                const int32_t *shift = d->n_ch > 0 ? dv + d->n_ch : &d->shift;
                const int32_t f_off = d->n_ch > 0 ? 0 : d->f_off;
                if (d->fold_units == d->units) {
                    const tflm_nn_q8_t q = { mult, shift, dv + 2 * d->n_ch, d->n_ch > 0, -d->in_off, d->out_zp,
                        d->act_min, d->act_max };
                    tflm_nn_par_fc(node, d->batches, d->units, d->accum, f_off, &q, node->in[0].data,
                        node->in[1].data, node->out[0].data);
                    break;
                }
                // Lean: one block of units at a time, its biases folded again.
                for (int32_t u0 = 0; u0 < d->units; u0 += d->fold_units) {
                    const int32_t n = d->units - u0 < d->fold_units ? d->units - u0 : d->fold_units;
                    if (u0 > 0) {
                        fc_fill(node, d, dv, u0);
                    }
                    const int32_t pc = d->n_ch > 0 ? u0 : 0;
                    const tflm_nn_q8_t q = { mult + pc, shift + pc, dv + 2 * d->n_ch, d->n_ch > 0, -d->in_off,
                        d->out_zp, d->act_min, d->act_max };
                    for (int32_t b = 0; b < d->batches; ++b) {
                        tflm_fc_s8_opt(1, n, d->accum, f_off, &q, (const int8_t *)node->in[0].data
                            + (size_t)b * (size_t)d->accum, (const int8_t *)node->in[1].data
                            + (size_t)u0 * (size_t)d->accum, (int8_t *)node->out[0].data
                            + (size_t)b * (size_t)d->units + (size_t)u0);
                    }
                }
                break;
            }
#endif
            tflm_fc_s8(d, dv, node->in[0].data, node->in[1].data, bd, node->out[0].data);
            break;
        case TFLM_CONV_S16_A64:
            tflm_fc_s16(d, dv, node->in[0].data, node->in[1].data, bd, node->out[0].data);
            break;
        default:
            tflm_fc_f32(d, node->in[0].data, node->in[1].data, bd, node->out[0].data);
            break;
    }
    return TFLM_OK;
}
