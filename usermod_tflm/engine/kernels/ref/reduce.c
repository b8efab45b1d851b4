// MEAN, SUM, REDUCE_MAX, REDUCE_MIN: reductions over the constant axes of input 1.
//
// Arithmetic as TFLM's reference kernels:
// - float32: accumulate in input (row-major) order into the output, then
//   MEAN divides by the element count (float).
// - int8/int16 MEAN and SUM: int32 sum, minus zp_in * count, times
//   the multiplier of scale_in / scale_out (MEAN folds 1/count into it:
//   the multiplier is shifted up by floor(log2(count)), at most 32 and at
//   most 31 + shift, then integer-divided by count), plus zp_out, saturate.
//   The oracle takes this path even when input and output quantisation are
//   equal (older TFLM versions divided the raw sum instead).
// - REDUCE_MAX / REDUCE_MIN: running maximum (minimum) from the lowest
//   (highest) value; int8 needs equal input and output quantisation.
#include "shape_common.h"
#include "qmath.h"

enum { RED_MEAN = 0, RED_SUM = 1, RED_MAX = 2, RED_MIN = 3 };
enum { RED_FLOAT = 0, RED_INT_Q = 1, RED_INT_MINMAX = 2 };

typedef struct {
    int32_t op;
    int32_t mode;
    int32_t ndim;
    int32_t in_dims[TFLM_MAX_DIMS];
    int32_t out_step[TFLM_MAX_DIMS];  // output offset step per input dim (0: reduced)
    int32_t n_red;                    // elements reduced into each output
    int32_t in_zp, out_zp;
    int32_t mult, shift;
    int32_t qmin, qmax;
} reduce_data_t;

static tflm_status_t reduce_prepare(tflm_node_t *node, int32_t op) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    int32_t t = in->type;
    TFLM_CHECK(node, out->type == t, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    if (op == RED_MAX || op == RED_MIN) {
        TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8, TFLM_ERR_UNSUPPORTED_TYPE,
                   "type must be float32 or int8");
    } else {
        TFLM_CHECK(node, t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_INT16, TFLM_ERR_UNSUPPORTED_TYPE,
                   "type must be float32, int8 or int16");
    }
    TFLM_CHECK(node, tflm_sh_dims_ok(in) && tflm_sh_dims_ok(out), TFLM_ERR_BAD_SHAPE, "bad shape");
    int32_t axes[16];
    int32_t n = tflm_const_i32(&node->in[1], axes, 16);
    TFLM_CHECK(node, n >= 0, TFLM_ERR_DYNAMIC, "axis must be a constant int32 tensor");
    TFLM_CHECK(node, n <= 16, TFLM_ERR_BAD_PARAM, "too many axes");
    uint8_t red[TFLM_MAX_DIMS] = {0};
    for (int32_t i = 0; i < n; ++i) {
        int32_t a = tflm_sh_axis(axes[i], in->ndim);
        TFLM_CHECK(node, a >= 0, TFLM_ERR_BAD_PARAM, "axis out of range");
        red[a] = 1;  // duplicates collapse
    }
    int keep = tflm_opt_u8(node, 0, 0) != 0;
    // The output shape the op computes must be the model's.
    int32_t k = 0;
    int64_t n_red = 1;
    for (int32_t i = 0; i < in->ndim; ++i) {
        if (red[i]) {
            n_red *= in->dims[i];
            if (!keep) {
                continue;
            }
        }
        int32_t want = red[i] ? 1 : in->dims[i];
        TFLM_CHECK(node, k < out->ndim && out->dims[k] == want, TFLM_ERR_BAD_SHAPE, "output shape does not match");
        ++k;
    }
    TFLM_CHECK(node, k == out->ndim, TFLM_ERR_BAD_SHAPE, "output rank does not match");
    TFLM_CHECK(node, n_red <= INT32_MAX, TFLM_ERR_BAD_SHAPE, "too many elements");

    int32_t mode = RED_FLOAT;
    if (t != TFLM_FLOAT32) {
        if (op == RED_MAX || op == RED_MIN) {
            TFLM_CHECK(node, tflm_sh_same_quant(in, out), TFLM_ERR_BAD_QUANT,
                       "input and output quantisation must be equal");
            mode = RED_INT_MINMAX;
        } else {
            TFLM_CHECK(node, in->scale > 0.0f && out->scale > 0.0f, TFLM_ERR_BAD_QUANT, "missing scale");
            mode = RED_INT_Q;
            tflm_status_t st = tflm_request_scratch(node, out->elems * 4u);
            if (st != TFLM_OK) {
                return st;
            }
        }
    }
    reduce_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->op = op;
    d->mode = mode;
    d->ndim = in->ndim;
    d->n_red = (int32_t)n_red;
    int32_t step = 1;
    for (int32_t i = in->ndim - 1; i >= 0; --i) {
        d->in_dims[i] = in->dims[i];
        d->out_step[i] = red[i] ? 0 : step;
        if (!red[i]) {
            step *= in->dims[i];
        }
    }
    d->in_zp = in->zero_point;
    d->out_zp = out->zero_point;
    d->qmin = t == TFLM_INT16 ? INT16_MIN : INT8_MIN;
    d->qmax = t == TFLM_INT16 ? INT16_MAX : INT8_MAX;
    if (mode == RED_INT_Q) {
        int32_t mult = 0, shift = 0;
        tflm_qm_ratio(in->scale, 1.0f, out->scale, 1.0f, 0, &mult, &shift);
        if (op == RED_MEAN && n_red > 0) {
            int32_t s = 0;
            while (s < 62 && ((int64_t)2 << s) <= n_red) {
                ++s;  // s = floor(log2(n_red))
            }
            if (s > 32) {
                s = 32;
            }
            if (s > 31 + shift) {
                s = 31 + shift;
            }
            mult = (int32_t)(((int64_t)mult << s) / n_red);
            shift -= s;
        }
        d->mult = mult;
        d->shift = shift;
    }
    return TFLM_OK;
}

tflm_status_t tflm_mean_prepare(tflm_node_t *node) {
    return reduce_prepare(node, RED_MEAN);
}

tflm_status_t tflm_sum_prepare(tflm_node_t *node) {
    return reduce_prepare(node, RED_SUM);
}

tflm_status_t tflm_reduce_max_prepare(tflm_node_t *node) {
    return reduce_prepare(node, RED_MAX);
}

tflm_status_t tflm_reduce_min_prepare(tflm_node_t *node) {
    return reduce_prepare(node, RED_MIN);
}

// Steps an input index (row-major) and the matching output offset.
static inline void reduce_next(const reduce_data_t *d, int32_t *idx, uint32_t *o) {
    for (int32_t k = d->ndim - 1; k >= 0; --k) {
        ++idx[k];
        *o += (uint32_t)d->out_step[k];
        if (idx[k] < d->in_dims[k]) {
            return;
        }
        *o -= (uint32_t)d->out_step[k] * (uint32_t)d->in_dims[k];
        idx[k] = 0;
    }
}

static void reduce_float(const reduce_data_t *d, const float *in, uint32_t n_in, float *out, uint32_t n_out) {
    // +-FLT_MAX: the reference's start for MIN and MAX.
    float init = d->op == RED_MAX ? -3.40282347e+38f : (d->op == RED_MIN ? 3.40282347e+38f : 0.0f);
    for (uint32_t i = 0; i < n_out; ++i) {
        out[i] = init;
    }
    int32_t idx[TFLM_MAX_DIMS] = {0};
    uint32_t o = 0;
    if (d->op == RED_MAX) {
        for (uint32_t i = 0; i < n_in; ++i) {
            float v = in[i];
            out[o] = v > out[o] ? v : out[o];
            reduce_next(d, idx, &o);
        }
        return;
    }
    if (d->op == RED_MIN) {
        for (uint32_t i = 0; i < n_in; ++i) {
            float v = in[i];
            out[o] = v < out[o] ? v : out[o];
            reduce_next(d, idx, &o);
        }
        return;
    }
    for (uint32_t i = 0; i < n_in; ++i) {
        out[o] = out[o] + in[i];
        reduce_next(d, idx, &o);
    }
    if (d->op == RED_MEAN && d->n_red > 0) {
        float cnt = (float)d->n_red;
        for (uint32_t i = 0; i < n_out; ++i) {
            out[i] = out[i] / cnt;
        }
    }
}

static void reduce_minmax_s8(const reduce_data_t *d, const int8_t *in, uint32_t n_in, int8_t *out, uint32_t n_out) {
    int is_max = d->op == RED_MAX;
    for (uint32_t i = 0; i < n_out; ++i) {
        out[i] = is_max ? INT8_MIN : INT8_MAX;
    }
    int32_t idx[TFLM_MAX_DIMS] = {0};
    uint32_t o = 0;
    for (uint32_t i = 0; i < n_in; ++i) {
        if (is_max ? in[i] > out[o] : in[i] < out[o]) {
            out[o] = in[i];
        }
        reduce_next(d, idx, &o);
    }
}

// Integer MEAN/SUM; in16 selects int16 data, else int8.
static void reduce_int(const reduce_data_t *d, const void *in, int in16, uint32_t n_in, void *out, uint32_t n_out,
                       uint32_t *sum) {
    for (uint32_t i = 0; i < n_out; ++i) {
        sum[i] = 0;
    }
    int32_t idx[TFLM_MAX_DIMS] = {0};
    uint32_t o = 0;
    for (uint32_t i = 0; i < n_in; ++i) {
        int32_t v = in16 ? ((const int16_t *)in)[i] : ((const int8_t *)in)[i];
        sum[o] += (uint32_t)v;  // wraps like the reference's int32 sum
        reduce_next(d, idx, &o);
    }
    for (uint32_t i = 0; i < n_out; ++i) {
        int32_t r = 0;
        if (d->n_red > 0) {
            int64_t shifted = (int64_t)(int32_t)sum[i] - (int64_t)d->in_zp * d->n_red;
            r = tflm_add_wrap(tflm_mul_qm((int32_t)(uint32_t)(uint64_t)shifted, d->mult, d->shift), d->out_zp);
            r = tflm_clamp(r, d->qmin, d->qmax);
        }
        if (in16) {
            ((int16_t *)out)[i] = (int16_t)r;
        } else {
            ((int8_t *)out)[i] = (int8_t)r;
        }
    }
}

static tflm_status_t reduce_eval(tflm_node_t *node) {
    const reduce_data_t *d = node->op_data;
    const tflm_tensor_t *in = &node->in[0];
    tflm_tensor_t *out = &node->out[0];
    switch (d->mode) {
        case RED_FLOAT:
            reduce_float(d, in->data, in->elems, out->data, out->elems);
            break;
        case RED_INT_MINMAX:
            reduce_minmax_s8(d, in->data, in->elems, out->data, out->elems);
            break;
        default:
            reduce_int(d, in->data, in->type == TFLM_INT16, in->elems, out->data, out->elems, node->scratch);
            break;
    }
    return TFLM_OK;
}

tflm_status_t tflm_mean_eval(tflm_node_t *node) {
    return reduce_eval(node);
}

tflm_status_t tflm_sum_eval(tflm_node_t *node) {
    return reduce_eval(node);
}

tflm_status_t tflm_reduce_max_eval(tflm_node_t *node) {
    return reduce_eval(node);
}

tflm_status_t tflm_reduce_min_eval(tflm_node_t *node) {
    return reduce_eval(node);
}
