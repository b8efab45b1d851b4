// DIV and SQUARED_DIFFERENCE with numpy broadcasting.
//
// DIV: float32 and int32 (fused activation), int8: the divisor's fixed-point
// reciprocal times the dividend normalised to full precision, then one
// multiplier s1 / (s2 * s_out) with the combined shift.
// SQUARED_DIFFERENCE: float32, int32, int8 (7 bits headroom) and int16
// (zero points 0, no headroom): both inputs to a common scale as ADD does,
// the difference squared, rescaled by (2 max s)^2 / (2^(2 shift) s_out).
#include "elem_util.h"
#include "elem_fixed.h"
#include "qmath.h"

static tflm_status_t dsq_prepare(tflm_node_t *node, int is_div) {
    tflm_ebin_t dd;
    uint32_t types = TFLM_EBIN_T(TFLM_FLOAT32) | TFLM_EBIN_T(TFLM_INT32) | TFLM_EBIN_T(TFLM_INT8)
        | (is_div ? 0u : TFLM_EBIN_T(TFLM_INT16));
    tflm_status_t st = tflm_ebin_prepare(node, &dd, types, (is_div ? TFLM_EBIN_ACT : 0u) | TFLM_EBIN_QUANT);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *a = &node->in[0];
    const tflm_tensor_t *b = &node->in[1];
    const tflm_tensor_t *o = &node->out[0];
    dd.op = (int8_t)is_div;
    if (dd.ta == TFLM_INT8 || dd.ta == TFLM_INT16) {
        TFLM_CHECK(node, dd.ta == TFLM_INT8 || (dd.in1_offset == 0 && dd.in2_offset == 0 && dd.out_offset == 0),
            TFLM_ERR_BAD_QUANT, "int16 needs zero points 0");
        if (is_div) {
            tflm_qm_ratio(a->scale, 1.0f, b->scale, o->scale, 0, &dd.mo, &dd.so);
        } else {
            dd.left_shift = dd.ta == TFLM_INT8 ? 7 : 0;
            // In double: twice_max = 2 max(s1, s2), s1 / twice_max, s2 / twice_max and
            // twice_max^2 / (float)(2^(2 left_shift) s_out) (= 4 max^2 / that).
            float mx = a->scale > b->scale ? a->scale : b->scale;
            tflm_qm_ratio(a->scale, 1.0f, mx, 2.0f, 0, &dd.m1, &dd.s1);
            tflm_qm_ratio(b->scale, 1.0f, mx, 2.0f, 0, &dd.m2, &dd.s2);
            tflm_qm_ratio(mx, mx, (float)(1 << (dd.left_shift * 2)) * o->scale, 0.25f, 0, &dd.mo, &dd.so);
            TFLM_CHECK(node, dd.s1 <= 0 && dd.s2 <= 0, TFLM_ERR_BAD_QUANT, "multiplier not below one");
        }
    }
    return tflm_ebin_persist(node, &dd, sizeof(dd));
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

static int32_t div_q(const tflm_ebin_t *d, int32_t x, int32_t y) {
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
    int total = d->so - recip_shift - headroom;
    int rs = -total;
    rs = rs < 0 ? 0 : (rs > 63 ? 63 : rs);
    return d->out_offset + div_rdbpot(tflm_srdhm(q, d->mo), rs);
}

static int32_t sqdiff_q(const tflm_ebin_t *d, int32_t x, int32_t y) {
    int32_t xs = (int32_t)((uint32_t)(x + d->in1_offset) << d->left_shift);
    int32_t ys = (int32_t)((uint32_t)(y + d->in2_offset) << d->left_shift);
    int32_t xv = tflm_mul_qm(xs, d->m1, d->s1);
    int32_t yv = tflm_mul_qm(ys, d->m2, d->s2);
    int32_t diff = (int32_t)((uint32_t)xv - (uint32_t)yv);
    int32_t sq = (int32_t)((uint32_t)diff * (uint32_t)diff);
    return tflm_add_wrap(tflm_mul_qm(sq, d->mo, d->so), d->out_offset);
}

static int32_t dsq_i(const tflm_ebin_t *d, int32_t x, int32_t y) {
    int32_t r;
    if (d->ta != TFLM_INT32) {
        r = d->op ? div_q(d, x, y) : sqdiff_q(d, x, y);
    } else if (d->op) {
        // Division by zero and INT32_MIN / -1 are undefined in the
        // reference; give 0 and INT32_MIN instead of trapping.
        r = y == 0 ? 0 : (y == -1 ? (int32_t)(0u - (uint32_t)x) : x / y);
    } else {
        uint32_t t = (uint32_t)x - (uint32_t)y;
        r = (int32_t)(t * t);
    }
    return tflm_clamp(r, d->act_min, d->act_max);
}

static void dsq_f(const tflm_ebin_t *d, const float *a, int32_t sa, const float *b, int32_t sb, void *vo, int32_t n) {
    float *o = vo;
    float lo = tflm_ebin_fmin(d), hi = tflm_ebin_fmax(d);
    for (int32_t i = 0; i < n; ++i) {
        float x = a[i * sa], y = b[i * sb];
        if (d->op) {
            o[i] = tflm_clamp_f(x / y, lo, hi);
        } else {
            float t = x - y;
            o[i] = t * t;
        }
    }
}

tflm_status_t tflm_div_prepare(tflm_node_t *node) {
    return dsq_prepare(node, 1);
}

tflm_status_t tflm_div_eval(tflm_node_t *node) {
    return tflm_ebin_run(node, dsq_i, dsq_f);
}

tflm_status_t tflm_squared_difference_prepare(tflm_node_t *node) {
    return dsq_prepare(node, 0);
}

tflm_status_t tflm_squared_difference_eval(tflm_node_t *node) {
    return tflm_ebin_run(node, dsq_i, dsq_f);
}
