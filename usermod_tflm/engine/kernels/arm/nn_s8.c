// Restructured int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED kernels
// (see nn_s8.h), shaped for a Cortex-M0+ (8 low registers, one 1-cycle MULS,
// no SIMD): the input offset is folded into a per-channel constant, one
// loaded input byte feeds four output channels, a 32-bit-only requantisation,
// padding handled only on border pixels (a copied window). Two small
// primitives (nn_mat4, nn_dw3x3) have ARMv6-M assembly bodies
// (TFLM_ISA_V6M) and a C body with the same contract for every other target.
#include <stddef.h>
#include <string.h>
#include "../tflm_isa.h"
#include "nn_s8.h"
#include "../ref/qmath.h"

#if TFLM_OPT_NN

// The firmware builds the engine for size; these loops are worth -O2.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O2")
#endif

// The requantisation is inlined into each channel loop.
#if defined(__GNUC__)
#define NN_INLINE inline __attribute__((always_inline))
#else
#define NN_INLINE inline
#endif

void tflm_nn_fold_bias(const int8_t *w, const int32_t *bias, int32_t n_ch, int32_t n, int32_t ch_stride,
    int32_t el_stride, int32_t in_off, int32_t extra, int32_t *cbias) {
    for (int32_t c = 0; c < n_ch; ++c) {
        const int8_t *wc = w + (size_t)c * (size_t)ch_stride;
        uint32_t s = 0;
        for (int32_t i = 0; i < n; ++i) {
            s += (uint32_t)(int32_t)wc[(size_t)i * (size_t)el_stride];
        }
        uint32_t v = (bias != NULL ? (uint32_t)bias[c] : 0u) + (uint32_t)extra + s * (uint32_t)in_off;
        cbias[c] = (int32_t)v;
    }
}

#if TFLM_ISA_V6M
// sums[4 * b + j] = sum_{i < n} w[(4 * b + j) * n + i] * x[i] for j < 4 and
// b < nblk: nblk blocks of four consecutive weight rows of length n against
// one input vector (n >= 1, nblk >= 1; ARMv6-M).
// Registers in the inner loop: r0 input end, r1/r4/r5/r6 ends of the four
// weight rows, r3 the index counting from -n up to 0, r2 the input byte, r7
// a product; the sums in r8-r11, n in r12, the output in lr, the block count
// on the stack. Per input byte: LDRSB 2 + 4 x (LDRSB 2 + MULS 1 + ADD 1) = 18
// cycles, plus 2 of loop control (the body is unrolled twice); ~40 per block.
void tflm_nn_mat4_v6m(const int8_t *x, const int8_t *w, int32_t n, int32_t nblk, int32_t *sums);
#define NN_MAT4_STEP \
    "\tldrsb r2, [r0, r3]\n" \
    "\tldrsb r7, [r1, r3]\n" \
    "\tmuls r7, r2, r7\n" \
    "\tadd r8, r7\n" \
    "\tldrsb r7, [r4, r3]\n" \
    "\tmuls r7, r2, r7\n" \
    "\tadd r9, r7\n" \
    "\tldrsb r7, [r5, r3]\n" \
    "\tmuls r7, r2, r7\n" \
    "\tadd r10, r7\n" \
    "\tldrsb r7, [r6, r3]\n" \
    "\tmuls r7, r2, r7\n" \
    "\tadd r11, r7\n" \
    "\tadds r3, r3, #1\n"
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_mat4_v6m\n"
    "\t.type tflm_nn_mat4_v6m, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_mat4_v6m:\n"
    "\tpush {r4, r5, r6, r7, lr}\n"
    "\tmov r4, r8\n"
    "\tmov r5, r9\n"
    "\tmov r6, r10\n"
    "\tmov r7, r11\n"
    "\tpush {r4, r5, r6, r7}\n"
    "\tsub sp, sp, #8\n"
    "\tstr r3, [sp, #0]\n"
    "\tldr r4, [sp, #44]\n"
    "\tmov lr, r4\n"
    "\tmov r12, r2\n"
    "\tadds r0, r0, r2\n"
    "\tadds r1, r1, r2\n"
    "3:\n"
    "\tmovs r3, #0\n"
    "\tmov r8, r3\n"
    "\tmov r9, r3\n"
    "\tmov r10, r3\n"
    "\tmov r11, r3\n"
    "\tmov r2, r12\n"
    "\tadds r4, r1, r2\n"
    "\tadds r5, r4, r2\n"
    "\tadds r6, r5, r2\n"
    "\trsbs r3, r2, #0\n"
    "\tlsls r2, r3, #31\n"
    "\tbne 2f\n"
    "1:\n"
    NN_MAT4_STEP
    "2:\n"
    NN_MAT4_STEP
    "\tbne 1b\n"
    "\tmov r2, lr\n"
    "\tmov r7, r8\n"
    "\tstr r7, [r2, #0]\n"
    "\tmov r7, r9\n"
    "\tstr r7, [r2, #4]\n"
    "\tmov r7, r10\n"
    "\tstr r7, [r2, #8]\n"
    "\tmov r7, r11\n"
    "\tstr r7, [r2, #12]\n"
    "\tadds r2, r2, #16\n"
    "\tmov lr, r2\n"
    "\tmov r2, r12\n"
    "\tadds r1, r6, r2\n"
    "\tldr r2, [sp, #0]\n"
    "\tsubs r2, r2, #1\n"
    "\tstr r2, [sp, #0]\n"
    "\tbne 3b\n"
    "\tadd sp, sp, #8\n"
    "\tpop {r4, r5, r6, r7}\n"
    "\tmov r8, r4\n"
    "\tmov r9, r5\n"
    "\tmov r10, r6\n"
    "\tmov r11, r7\n"
    "\tpop {r4, r5, r6, r7, pc}\n"
    "\t.size tflm_nn_mat4_v6m, .-tflm_nn_mat4_v6m\n");
#undef NN_MAT4_STEP
#endif

// Blocks of four output channels per call of nn_mat4 (sums on the stack).
#define NN_MAT4_CHUNK 64

// tflm_mul_qm without a 64-bit multiply (ARMv6-M has none): the rounding
// doubling high multiply of the reference, (a * b + nudge) / 2^31 truncated,
// equals floor((a * b + 2^30) / 2^31) for every a * b, built here from four
// 16 x 16 products. Needs qm >= 0 (always so for a positive scale).
static NN_INLINE int32_t nn_mul_qm(int32_t x, int32_t qm, int32_t shift) {
    if (qm < 0) {
        return tflm_mul_qm(x, qm, shift);
    }
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    const int32_t a = (int32_t)((uint32_t)x << left);
    const uint32_t al = (uint32_t)a & 0xFFFFu;
    const int32_t ah = a >> 16;                         // arithmetic, as in qmath.h
    const uint32_t bl = (uint32_t)qm & 0xFFFFu;
    const int32_t bh = qm >> 16;                        // in [0, 32767]
    const uint32_t lo = al * bl;
    const int32_t m1 = ah * (int32_t)bl;                // |m1| < 2^31
    const int32_t m2 = (int32_t)(al * (uint32_t)bh);    // in [0, 2^31)
    const int32_t hh = ah * bh;                         // |hh| < 2^30
    // a * b = hh * 2^32 + (m1 + m2) * 2^16 + lo, so
    // floor((a * b + 2^30) / 2^31) = 2 * hh + floor(s / 2^15) with
    // s = m1 + m2 + floor(lo / 2^16) + 2^14, split into 2^15 parts so that
    // nothing leaves 32 bits.
    const int32_t small = (m1 & 0x7FFF) + (m2 & 0x7FFF) + (int32_t)(lo >> 16) + 0x4000;
    const int32_t r = (int32_t)((uint32_t)hh * 2u + (uint32_t)(m1 >> 15) + (uint32_t)(m2 >> 15)
        + (uint32_t)(small >> 15));
    // RoundingDivideByPOT, in 32 bits.
    const int32_t mask = (int32_t)((1u << right) - 1u);
    const int32_t threshold = (mask >> 1) + (r < 0 ? 1 : 0);
    return (r >> right) + ((r & mask) > threshold ? 1 : 0);
}

static NN_INLINE int8_t nn_requant(uint32_t acc, const tflm_nn_q8_t *q, int32_t c) {
    const int32_t k = q->per_ch ? c : 0;
    int32_t v = nn_mul_qm((int32_t)acc, q->mult[k], q->shift[k]);
    v = (int32_t)((uint32_t)v + (uint32_t)q->out_zp);
    return (int8_t)tflm_clamp(v, q->act_min, q->act_max);
}

// acc[j] += sum_{i < n} w[j * ws + i] * x[i] for j < 4 (each product fits in
// int32; the sums wrap like the reference's).
static inline void nn_dot4(const int8_t *x, const int8_t *w, int32_t ws, int32_t n, uint32_t *acc) {
    const int8_t *w0 = w;
    const int8_t *w1 = w + ws;
    const int8_t *w2 = w1 + ws;
    const int8_t *w3 = w2 + ws;
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    for (int32_t i = 0; i < n; ++i) {
        const int32_t xv = x[i];
        a0 += (uint32_t)(w0[i] * xv);
        a1 += (uint32_t)(w1[i] * xv);
        a2 += (uint32_t)(w2[i] * xv);
        a3 += (uint32_t)(w3[i] * xv);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

static inline uint32_t nn_dot1(const int8_t *x, const int8_t *w, int32_t n, uint32_t acc) {
    for (int32_t i = 0; i < n; ++i) {
        acc += (uint32_t)(w[i] * (int32_t)x[i]);
    }
    return acc;
}

// sums[c] = sum_{i < n} w[c * n + i] * x[i] (wrapping) for c < 4 * nblk:
// consecutive weight rows of length n against one input vector.
static inline void nn_mat4(const int8_t *x, const int8_t *w, int32_t n, int32_t nblk, int32_t *sums) {
#if TFLM_ISA_V6M
    tflm_nn_mat4_v6m(x, w, n, nblk, sums);
#else
    for (int32_t b = 0; b < nblk; ++b) {
        uint32_t acc[4] = { 0, 0, 0, 0 };
        nn_dot4(x, w + (size_t)b * 4 * (size_t)n, n, n, acc);
        for (int j = 0; j < 4; ++j) {
            sums[4 * b + j] = (int32_t)acc[j];
        }
    }
#endif
}

// out[c] = requant(cbias[c] + extra + sum_i w[c * n + i] * x[i]) for c < n_ch.
static inline void nn_rows_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t n_ch, uint32_t extra,
    const tflm_nn_q8_t *q, int8_t *out) {
    int32_t sums[NN_MAT4_CHUNK];
    int32_t c = 0;
    while (c + 4 <= n_ch) {
        int32_t nblk = (n_ch - c) / 4;
        if (nblk > NN_MAT4_CHUNK / 4) {
            nblk = NN_MAT4_CHUNK / 4;
        }
        nn_mat4(x, w + (size_t)c * (size_t)n, n, nblk, sums);
        for (int32_t j = 0; j < 4 * nblk; ++j) {
            const uint32_t acc = (uint32_t)q->cbias[c + j] + extra + (uint32_t)sums[j];
            out[c + j] = nn_requant(acc, q, c + j);
        }
        c += 4 * nblk;
    }
    for (; c < n_ch; ++c) {
        const uint32_t acc = nn_dot1(x, w + (size_t)c * (size_t)n, n, (uint32_t)q->cbias[c] + extra);
        out[c] = nn_requant(acc, q, c);
    }
}

// Copies the receptive field of one output pixel into patch (f_h * f_w *
// in_c bytes, the filter's layout); taps outside the input read as the input
// zero point.
static void conv_patch(const tflm_conv_geom_t *g, const int8_t *xb, int32_t iy0, int32_t ix0, int8_t in_zp,
    int8_t *patch) {
    const int32_t C = g->in_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    int8_t *p = patch;
    for (int32_t fy = 0; fy < g->f_h; ++fy) {
        const int32_t iy = iy0 + g->dil_h * fy;
        if (iy < 0 || iy >= g->in_h) {
            memset(p, in_zp, (size_t)g->f_w * (size_t)C);
            p += (size_t)g->f_w * (size_t)C;
            continue;
        }
        const int8_t *xr = xb + (size_t)iy * row;
        if (g->dil_w == 1 && ix0 >= 0 && ix0 + g->f_w <= g->in_w) {
            memcpy(p, xr + (size_t)ix0 * (size_t)C, (size_t)g->f_w * (size_t)C);
            p += (size_t)g->f_w * (size_t)C;
            continue;
        }
        for (int32_t fx = 0; fx < g->f_w; ++fx) {
            const int32_t ix = ix0 + g->dil_w * fx;
            if (ix < 0 || ix >= g->in_w) {
                memset(p, in_zp, (size_t)C);
            } else {
                memcpy(p, xr + (size_t)ix * (size_t)C, (size_t)C);
            }
            p += C;
        }
    }
}

void tflm_conv2d_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q_in, const int8_t *in, const int8_t *filter,
    int8_t *patch, int8_t *out) {
    // A local copy: stores to the int8 output cannot alias it.
    const tflm_nn_q8_t qv = *q_in;
    const tflm_nn_q8_t *q = &qv;
    const int32_t K = g->f_h * g->f_w * g->in_c;
    const int32_t out_c = g->out_c;
    const int pointwise = g->f_h == 1 && g->f_w == 1;
    for (int32_t b = 0; b < g->batches; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * (size_t)g->in_w * (size_t)g->in_c;
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                int8_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * (size_t)out_c;
                const int8_t *x;
                if (pointwise) {
                    // A 1x1 window never leaves the input (its padding is 0).
                    x = xb + ((size_t)iy0 * (size_t)g->in_w + (size_t)ix0) * (size_t)g->in_c;
                } else {
                    conv_patch(g, xb, iy0, ix0, (int8_t)q->in_zp, patch);
                    x = patch;
                }
                nn_rows_s8(x, filter, K, out_c, 0u, q, op);
            }
        }
    }
}

#if TFLM_ISA_V6M
// acc[j] = sum over the 3x3 taps of x * w for channels j < n (n >= 1) of one
// interior output pixel, depth multiplier 1 (ARMv6-M). x: input at the
// window's top-left tap, channel 0; w: filter channel 0; C: channels (the
// tap step of both); row: bytes per input row. Registers: r0/r1 channel
// pointers, r2 = C, r3 = 2C (tap offsets), r4/r5 values, r6/r7 row pointers;
// r8 = row, r9 = 3C, r10 the sum, r11 the end of x, lr the output.
// Per channel: 9 x (2 loads + MULS + ADD) + 2 sign extensions + ~17.
void tflm_nn_dw3x3_v6m(const int8_t *x, const int8_t *w, int32_t C, int32_t n, int32_t row, int32_t *acc);
#define NN_DW3_ROW(last) \
    "\tldrb r4, [r6, #0]\n" \
    "\tsxtb r4, r4\n" \
    "\tldrb r5, [r7, #0]\n" \
    "\tsxtb r5, r5\n" \
    "\tmuls r4, r5, r4\n" \
    "\tadd r10, r4\n" \
    "\tldrsb r4, [r6, r2]\n" \
    "\tldrsb r5, [r7, r2]\n" \
    "\tmuls r4, r5, r4\n" \
    "\tadd r10, r4\n" \
    "\tldrsb r4, [r6, r3]\n" \
    "\tldrsb r5, [r7, r3]\n" \
    "\tmuls r4, r5, r4\n" \
    "\tadd r10, r4\n" \
    last
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_dw3x3_v6m\n"
    "\t.type tflm_nn_dw3x3_v6m, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_dw3x3_v6m:\n"
    "\tpush {r4, r5, r6, r7, lr}\n"
    "\tmov r4, r8\n"
    "\tmov r5, r9\n"
    "\tmov r6, r10\n"
    "\tmov r7, r11\n"
    "\tpush {r4, r5, r6, r7}\n"
    "\tldr r4, [sp, #36]\n"
    "\tmov r8, r4\n"
    "\tadds r4, r0, r3\n"
    "\tmov r11, r4\n"
    "\tlsls r3, r2, #1\n"
    "\tadds r4, r3, r2\n"
    "\tmov r9, r4\n"
    "\tldr r4, [sp, #40]\n"
    "\tmov lr, r4\n"
    "1:\n"
    "\tmov r6, r0\n"
    "\tmov r7, r1\n"
    "\tmovs r4, #0\n"
    "\tmov r10, r4\n"
    NN_DW3_ROW("\tadd r6, r8\n\tadd r7, r9\n")
    NN_DW3_ROW("\tadd r6, r8\n\tadd r7, r9\n")
    NN_DW3_ROW("")
    "\tmov r4, lr\n"
    "\tmov r5, r10\n"
    "\tstmia r4!, {r5}\n"
    "\tmov lr, r4\n"
    "\tadds r0, r0, #1\n"
    "\tadds r1, r1, #1\n"
    "\tcmp r0, r11\n"
    "\tbne 1b\n"
    "\tpop {r4, r5, r6, r7}\n"
    "\tmov r8, r4\n"
    "\tmov r9, r5\n"
    "\tmov r10, r6\n"
    "\tmov r11, r7\n"
    "\tpop {r4, r5, r6, r7, pc}\n"
    "\t.size tflm_nn_dw3x3_v6m, .-tflm_nn_dw3x3_v6m\n");
#undef NN_DW3_ROW
#endif

// The same contract in C (hosts, and the reference for the assembly).
static inline void nn_dw3x3(const int8_t *x, const int8_t *w, int32_t C, int32_t n, int32_t row, int32_t *acc) {
#if TFLM_ISA_V6M
    tflm_nn_dw3x3_v6m(x, w, C, n, row, acc);
#else
    const size_t c1 = (size_t)C, c2 = 2 * (size_t)C, r1 = (size_t)row, r2 = 2 * (size_t)row;
    for (int32_t j = 0; j < n; ++j) {
        const int8_t *xj = x + j;
        const int8_t *wj = w + j;
        int32_t s = 0;
        s += wj[0] * xj[0] + wj[c1] * xj[c1] + wj[c2] * xj[c2];
        s += wj[3 * c1] * xj[r1] + wj[4 * c1] * xj[r1 + c1] + wj[5 * c1] * xj[r1 + c2];
        s += wj[6 * c1] * xj[r2] + wj[7 * c1] * xj[r2 + c1] + wj[8 * c1] * xj[r2 + c2];
        acc[j] = s;
    }
#endif
}

// Channels per call of the 3x3 depthwise primitive (its sums sit on the stack).
#define NN_DW3_CHUNK 64

// Largest window whose taps are listed per pixel (5x5 included).
#define NN_DW_MAX_TAPS 32

void tflm_dwconv_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q_in, int32_t dm, const int8_t *in,
    const int8_t *filter, int8_t *patch, int8_t *out) {
    // A local copy: stores to the int8 output cannot alias it.
    const tflm_nn_q8_t qv = *q_in;
    const tflm_nn_q8_t *q = &qv;
    const int32_t C = g->in_c;
    const int32_t OC = g->out_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    const int64_t span_h = (int64_t)(g->f_h - 1) * g->dil_h;
    const int64_t span_w = (int64_t)(g->f_w - 1) * g->dil_w;
    const int fast3 = dm == 1 && g->f_h == 3 && g->f_w == 3 && g->dil_h == 1 && g->dil_w == 1;
    for (int32_t b = 0; b < g->batches; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int in_y = iy0 >= 0 && (int64_t)iy0 + span_h < g->in_h;
            for (int32_t ox = 0; ox < g->out_w; ++ox) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                const int interior = in_y && ix0 >= 0 && (int64_t)ix0 + span_w < g->in_w;
                int8_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * (size_t)OC;
                if (fast3 && (interior || patch != NULL)) {
                    // (The window's start is only formed for interior pixels:
                    // a border pixel's may lie before the input.)
                    const int8_t *x0 = patch;
                    size_t xrow = row;
                    if (interior) {
                        x0 = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C;
                    } else {
                        // A border pixel: its window with the padding taps
                        // reading as the input zero point, rows of 3 * C.
                        int8_t *p = patch;
                        for (int32_t fy = 0; fy < 3; ++fy) {
                            const int32_t iy = iy0 + fy;
                            for (int32_t fx = 0; fx < 3; ++fx) {
                                const int32_t ix = ix0 + fx;
                                if (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w) {
                                    memcpy(p, xb + (size_t)iy * row + (size_t)ix * (size_t)C, (size_t)C);
                                } else {
                                    memset(p, (int8_t)q->in_zp, (size_t)C);
                                }
                                p += C;
                            }
                        }
                        x0 = patch;
                        xrow = 3 * (size_t)C;
                    }
                    int32_t sums[NN_DW3_CHUNK];
                    for (int32_t c0 = 0; c0 < C; c0 += NN_DW3_CHUNK) {
                        const int32_t n = C - c0 < NN_DW3_CHUNK ? C - c0 : NN_DW3_CHUNK;
                        nn_dw3x3(x0 + c0, filter + c0, C, n, (int32_t)xrow, sums);
                        for (int32_t j = 0; j < n; ++j) {
                            // nine int8 products fit in int32; the rest wraps
                            const uint32_t acc = (uint32_t)q->cbias[c0 + j] + (uint32_t)sums[j];
                            op[c0 + j] = nn_requant(acc, q, c0 + j);
                        }
                    }
                    continue;
                }
                if (g->f_h * g->f_w <= NN_DW_MAX_TAPS) {
                    // The taps inside the input (input and filter offsets) and
                    // the padding taps (filter offsets), listed once per pixel.
                    int32_t xo[NN_DW_MAX_TAPS], wo[NN_DW_MAX_TAPS], po[NN_DW_MAX_TAPS];
                    int32_t nv = 0, np = 0;
                    for (int32_t fy = 0; fy < g->f_h; ++fy) {
                        const int32_t iy = iy0 + g->dil_h * fy;
                        for (int32_t fx = 0; fx < g->f_w; ++fx) {
                            const int32_t ix = ix0 + g->dil_w * fx;
                            const int32_t wt = (fy * g->f_w + fx) * OC;
                            if (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w) {
                                xo[nv] = (int32_t)((size_t)iy * row + (size_t)ix * (size_t)C);
                                wo[nv++] = wt;
                            } else {
                                po[np++] = wt;
                            }
                        }
                    }
                    for (int32_t oc = 0; oc < OC; ++oc) {
                        const int8_t *xc = xb + (dm == 1 ? oc : oc / dm);
                        const int8_t *wc = filter + oc;
                        int32_t s = 0;
                        for (int32_t t = 0; t < nv; ++t) {
                            s += wc[wo[t]] * xc[xo[t]];
                        }
                        int32_t p = 0;
                        for (int32_t t = 0; t < np; ++t) {
                            p += wc[po[t]];
                        }
                        // at most NN_DW_MAX_TAPS products: no int32 overflow
                        const uint32_t acc = (uint32_t)q->cbias[oc] + (uint32_t)s + (uint32_t)p * (uint32_t)q->in_zp;
                        op[oc] = nn_requant(acc, q, oc);
                    }
                    continue;
                }
                for (int32_t ic = 0; ic < C; ++ic) {
                    for (int32_t m = 0; m < dm; ++m) {
                        const int32_t oc = ic * dm + m;
                        uint32_t acc = (uint32_t)q->cbias[oc];
                        for (int32_t fy = 0; fy < g->f_h; ++fy) {
                            const int32_t iy = iy0 + g->dil_h * fy;
                            const int row_ok = iy >= 0 && iy < g->in_h;
                            const int8_t *wr = filter + (size_t)fy * (size_t)g->f_w * (size_t)OC + (size_t)oc;
                            for (int32_t fx = 0; fx < g->f_w; ++fx) {
                                const int32_t ix = ix0 + g->dil_w * fx;
                                const int32_t wv = wr[(size_t)fx * (size_t)OC];
                                int32_t xv = q->in_zp;
                                if (row_ok && ix >= 0 && ix < g->in_w) {
                                    xv = xb[(size_t)iy * row + (size_t)ix * (size_t)C + (size_t)ic];
                                }
                                acc += (uint32_t)(wv * xv);
                            }
                        }
                        op[oc] = nn_requant(acc, q, oc);
                    }
                }
            }
        }
    }
}

void tflm_fc_s8_opt(int32_t batches, int32_t units, int32_t accum, int32_t f_off, const tflm_nn_q8_t *q_in,
    const int8_t *in, const int8_t *w, int8_t *out) {
    // A local copy: stores to the int8 output cannot alias it.
    const tflm_nn_q8_t qv = *q_in;
    const tflm_nn_q8_t *q = &qv;
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *x = in + (size_t)b * (size_t)accum;
        int8_t *op = out + (size_t)b * (size_t)units;
        uint32_t extra = 0;
        if (f_off != 0) {
            uint32_t s = 0;
            for (int32_t i = 0; i < accum; ++i) {
                s += (uint32_t)(int32_t)x[i];
            }
            extra = s * (uint32_t)f_off;
        }
        nn_rows_s8(x, w, accum, units, extra, q, op);
    }
}

#else

// Keeps the translation unit non-empty when the optimised kernels are off.
typedef int tflm_nn_s8_unused_t;

#endif // TFLM_OPT_NN
