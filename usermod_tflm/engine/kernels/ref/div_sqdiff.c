// DIV and SQUARED_DIFFERENCE with numpy broadcasting.
//
// DIV: float32 and int32 (fused activation), int8: the divisor's fixed-point
// reciprocal times the dividend normalised to full precision, then one
// multiplier s1 / (s2 * s_out) with the combined shift.
// SQUARED_DIFFERENCE: float32, int32, int8 (7 bits headroom) and int16
// (zero points 0, no headroom): both inputs to a common scale as ADD does,
// the difference squared, rescaled by (2 max s)^2 / (2^(2 shift) s_out).
#include <float.h>
#include "elem_util.h"
#include "elem_fixed.h"
#include "qmath.h"

typedef struct {
    tflm_bcast_t bc;
    int32_t type;
    int32_t is_div;
    int32_t in1_offset, in2_offset, out_offset;
    int32_t left_shift;
    int32_t in1_mult, in1_shift;
    int32_t in2_mult, in2_shift;
    int32_t out_mult, out_shift;
    int32_t act_min, act_max;
    float f_min, f_max;
} tflm_dsq_data_t;

typedef struct {
    const tflm_dsq_data_t *d;
    const void *a;
    const void *b;
    void *o;
} tflm_dsq_ctx_t;

static tflm_status_t dsq_prepare(tflm_node_t *node, int is_div) {
    tflm_status_t st = tflm_elem_check_io(node, 2, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    TFLM_CHECK(node, a->type == o->type && b->type == o->type, TFLM_ERR_UNSUPPORTED_TYPE, "input and output types differ");
    int ok = o->type == TFLM_FLOAT32 || o->type == TFLM_INT32 || o->type == TFLM_INT8 || (!is_div && o->type == TFLM_INT16);
    TFLM_CHECK(node, ok, TFLM_ERR_UNSUPPORTED_TYPE, "type not supported by this op");
    tflm_dsq_data_t dd;
    memset(&dd, 0, sizeof(dd));
    st = tflm_bcast_prepare(node, a, b, o, &dd.bc);
    if (st != TFLM_OK) {
        return st;
    }
    dd.type = o->type;
    dd.is_div = is_div;
    int act = is_div ? tflm_opt_u8(node, 0, 0) : TFLM_ACT_NONE;
    TFLM_CHECK(node, act >= TFLM_ACT_NONE && act <= TFLM_ACT_RELU6, TFLM_ERR_BAD_PARAM, "unsupported fused activation");
    if (o->type == TFLM_INT8 || o->type == TFLM_INT16) {
        TFLM_CHECK(node, tflm_elem_per_tensor(a) && tflm_elem_per_tensor(b) && tflm_elem_per_tensor(o),
            TFLM_ERR_BAD_QUANT, "needs per-tensor quantisation");
        int32_t qmin = o->type == TFLM_INT8 ? -128 : -32768;
        int32_t qmax = o->type == TFLM_INT8 ? 127 : 32767;
        TFLM_CHECK(node, a->zero_point >= qmin && a->zero_point <= qmax && b->zero_point >= qmin && b->zero_point <= qmax
            && o->zero_point >= qmin && o->zero_point <= qmax, TFLM_ERR_BAD_QUANT, "zero point out of range");
        if (o->type == TFLM_INT16) {
            TFLM_CHECK(node, a->zero_point == 0 && b->zero_point == 0 && o->zero_point == 0, TFLM_ERR_BAD_QUANT,
                "int16 needs zero points 0");
        }
        dd.in1_offset = -a->zero_point;
        dd.in2_offset = -b->zero_point;
        dd.out_offset = o->zero_point;
        if (is_div) {
            double real = (double)a->scale / ((double)b->scale * (double)o->scale);
            tflm_quantize_multiplier(real, &dd.out_mult, &dd.out_shift);
            tflm_act_range_q(act, o->scale, o->zero_point, qmin, qmax, &dd.act_min, &dd.act_max);
        } else {
            dd.left_shift = o->type == TFLM_INT8 ? 7 : 0;
            double twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
            double r1 = (double)a->scale / twice_max;
            double r2 = (double)b->scale / twice_max;
            double ro = twice_max * twice_max / (double)((float)(1 << (dd.left_shift * 2)) * o->scale);
            tflm_quantize_multiplier(r1, &dd.in1_mult, &dd.in1_shift);
            tflm_quantize_multiplier(r2, &dd.in2_mult, &dd.in2_shift);
            tflm_quantize_multiplier(ro, &dd.out_mult, &dd.out_shift);
            TFLM_CHECK(node, dd.in1_shift <= 0 && dd.in2_shift <= 0, TFLM_ERR_BAD_QUANT, "multiplier not below one");
            dd.act_min = qmin;
            dd.act_max = qmax;
        }
    } else if (o->type == TFLM_FLOAT32) {
        tflm_act_range_f(act, &dd.f_min, &dd.f_max);
    } else {
        dd.act_min = INT32_MIN;
        dd.act_max = INT32_MAX;
        if (act == TFLM_ACT_RELU) {
            dd.act_min = 0;
        } else if (act == TFLM_ACT_RELU6) {
            dd.act_min = 0;
            dd.act_max = 6;
        } else if (act == TFLM_ACT_RELU_N1_TO_1) {
            dd.act_min = -1;
            dd.act_max = 1;
        }
    }
    tflm_dsq_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

static int clrsb32(int32_t x) {
    uint32_t u = x < 0 ? ~(uint32_t)x : (uint32_t)x;
    int n = 0;
    if (u == 0) {
        return 31;
    }
    while ((u & 0x80000000u) == 0) {
        u <<= 1;
        ++n;
    }
    return n - 1;
}

// Rounding right shift as the reference computes it, extended to exponents
// of 32..63, which it reaches when the dividend is 0 or +-1 and the divisor
// is large: its 32-bit mask is then all ones and the shift count is taken
// modulo 32, as the compiled reference does on common hosts.
static int32_t div_rdbpot(int32_t x, int e) {
    if (e <= 31) {
        return tflm_rdbpot(x, e);
    }
    int32_t rem = x;
    int32_t threshold = -1 + (x < 0 ? 1 : 0);
    return (x >> (e & 31)) + (rem > threshold ? 1 : 0);
}

static int32_t div_q(const tflm_dsq_data_t *d, int32_t x, int32_t y) {
    int32_t n = d->in1_offset + x;
    int32_t m = d->in2_offset + y;
    // A zero divisor is undefined in the reference; the arithmetic below
    // then matches what it computes on common hosts.
    if (m < 0) {
        n = -n;
        m = -m;
    }
    int recip_shift = 0;
    int32_t inv = tflm_fx_reciprocal(m, 31, &recip_shift);
    int headroom = clrsb32(n);
    int32_t q = tflm_srdhm((int32_t)((uint32_t)n << headroom), inv);
    int total = d->out_shift - recip_shift - headroom;
    int rs = -total;
    rs = rs < 0 ? 0 : (rs > 63 ? 63 : rs);
    int32_t r = d->out_offset + div_rdbpot(tflm_srdhm(q, d->out_mult), rs);
    return tflm_clamp(r, d->act_min, d->act_max);
}

static int32_t sqdiff_q(const tflm_dsq_data_t *d, int32_t x, int32_t y) {
    int32_t xs = (int32_t)((uint32_t)(x + d->in1_offset) << d->left_shift);
    int32_t ys = (int32_t)((uint32_t)(y + d->in2_offset) << d->left_shift);
    int32_t xv = tflm_mul_qm(xs, d->in1_mult, d->in1_shift);
    int32_t yv = tflm_mul_qm(ys, d->in2_mult, d->in2_shift);
    int32_t diff = (int32_t)((uint32_t)xv - (uint32_t)yv);
    int32_t sq = (int32_t)((uint32_t)diff * (uint32_t)diff);
    int32_t r = tflm_add_wrap(tflm_mul_qm(sq, d->out_mult, d->out_shift), d->out_offset);
    return tflm_clamp(r, d->act_min, d->act_max);
}

static void dsq_row_s8(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_dsq_ctx_t *c = vctx;
    const int8_t *a = (const int8_t *)c->a + ia;
    const int8_t *b = (const int8_t *)c->b + ib;
    int8_t *o = (int8_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int8_t)(c->d->is_div ? div_q(c->d, a[i * sa], b[i * sb]) : sqdiff_q(c->d, a[i * sa], b[i * sb]));
    }
}

static void dsq_row_s16(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_dsq_ctx_t *c = vctx;
    const int16_t *a = (const int16_t *)c->a + ia;
    const int16_t *b = (const int16_t *)c->b + ib;
    int16_t *o = (int16_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        o[i] = (int16_t)sqdiff_q(c->d, a[i * sa], b[i * sb]);
    }
}

static void dsq_row_f32(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_dsq_ctx_t *c = vctx;
    const float *a = (const float *)c->a + ia;
    const float *b = (const float *)c->b + ib;
    float *o = (float *)c->o + io;
    if (c->d->is_div) {
        for (int32_t i = 0; i < n; ++i) {
            o[i] = tflm_clamp_f(a[i * sa] / b[i * sb], c->d->f_min, c->d->f_max);
        }
    } else {
        for (int32_t i = 0; i < n; ++i) {
            float t = a[i * sa] - b[i * sb];
            o[i] = t * t;
        }
    }
}

static void dsq_row_s32(void *vctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb, uint32_t io, int32_t n) {
    tflm_dsq_ctx_t *c = vctx;
    const int32_t *a = (const int32_t *)c->a + ia;
    const int32_t *b = (const int32_t *)c->b + ib;
    int32_t *o = (int32_t *)c->o + io;
    for (int32_t i = 0; i < n; ++i) {
        int32_t x = a[i * sa], y = b[i * sb];
        if (c->d->is_div) {
            // Division by zero and INT32_MIN / -1 are undefined in the
            // reference; give 0 and INT32_MIN instead of trapping.
            int32_t q = y == 0 ? 0 : (y == -1 ? (int32_t)(0u - (uint32_t)x) : x / y);
            o[i] = tflm_clamp(q, c->d->act_min, c->d->act_max);
        } else {
            uint32_t t = (uint32_t)x - (uint32_t)y;
            o[i] = (int32_t)(t * t);
        }
    }
}

static tflm_status_t dsq_eval(tflm_node_t *node) {
    const tflm_dsq_data_t *d = node->op_data;
    tflm_dsq_ctx_t c = { d, node->in[0].data, node->in[1].data, node->out[0].data };
    tflm_bcast_row_fn row = dsq_row_f32;
    if (d->type == TFLM_INT8) {
        row = dsq_row_s8;
    } else if (d->type == TFLM_INT16) {
        row = dsq_row_s16;
    } else if (d->type == TFLM_INT32) {
        row = dsq_row_s32;
    }
    tflm_bcast_run(&d->bc, row, &c);
    return TFLM_OK;
}

tflm_status_t tflm_div_prepare(tflm_node_t *node) {
    return dsq_prepare(node, 1);
}

tflm_status_t tflm_div_eval(tflm_node_t *node) {
    return dsq_eval(node);
}

tflm_status_t tflm_squared_difference_prepare(tflm_node_t *node) {
    return dsq_prepare(node, 0);
}

tflm_status_t tflm_squared_difference_eval(tflm_node_t *node) {
    return dsq_eval(node);
}
