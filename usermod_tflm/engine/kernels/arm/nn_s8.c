// Restructured int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED kernels
// (see nn_s8.h). The input offset is folded into a per-channel constant, so
// the inner loops are pure int8 x int8 dot products; padding is handled only
// on border pixels.
// - Cores without the DSP extension (Cortex-M0+, the host): the primitives
//   of nn_v6m.c (ARMv6-M assembly on ARMv6-M, C twins elsewhere): two output
//   pixels per weight load (their inputs packed in 16-bit halves of one
//   register), a 32-bit requantisation prepared once per chunk of channels.
// - ARMv7E-M (TFLM_ISA_DSP): the DSP kernels below: SXTB16/SMLAD dot
//   products (assembly inner loops), pixels in pairs, and a requantisation
//   prepared once per chunk of channels.
#include <stddef.h>
#include <string.h>
#include "../tflm_isa.h"
#include "nn_s8.h"
#include "../ref/qmath.h"
#include "nn_v6m.h"
#if TFLM_ISA_DSP_NATIVE
#include <arm_acle.h>
#endif

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

#if !TFLM_ISA_DSP_NATIVE
// The sum of n int8 values from p (wrapping). Whole aligned words at once:
// each byte offset to [0, 255] (x ^ 0x80 = x + 128), the even and the odd
// bytes in two 16-bit halves of two sums, at most 128 words between
// flushes (128 * 2 * 255 < 2^16).
static uint32_t nn_sum_s8(const int8_t *p, int32_t n) {
    uint32_t s = 0;
    int32_t i = 0;
    for (; i < n && ((uintptr_t)(p + i) & 3u) != 0; ++i) {
        s += (uint32_t)(int32_t)p[i];
    }
    while (n - i >= 4) {
        const int32_t nw = (n - i) / 4 < 128 ? (n - i) / 4 : 128;
        const uint8_t *q = __builtin_assume_aligned((const uint8_t *)(p + i), 4);
        uint32_t ev = 0, od = 0;
        for (int32_t k = 0; k < nw; ++k) {
            uint32_t v;
            memcpy(&v, q + 4 * k, 4);
            v ^= 0x80808080u;
            ev += v & 0x00FF00FFu;
            od += (v >> 8) & 0x00FF00FFu;
        }
        s += (ev & 0xFFFFu) + (ev >> 16) + (od & 0xFFFFu) + (od >> 16) - 512u * (uint32_t)nw;
        i += 4 * nw;
    }
    for (; i < n; ++i) {
        s += (uint32_t)(int32_t)p[i];
    }
    return s;
}
#endif

void tflm_nn_fold_bias(const int8_t *w, const int32_t *bias, int32_t n_ch, int32_t n, int32_t ch_stride,
    int32_t el_stride, int32_t in_off, int32_t extra, int32_t *cbias) {
    for (int32_t c = 0; c < n_ch; ++c) {
        const int8_t *wc = w + (size_t)c * (size_t)ch_stride;
        uint32_t s = 0;
        int32_t i = 0;
#if !TFLM_ISA_DSP_NATIVE
        if (el_stride == 1) {
            s = nn_sum_s8(wc, n);
            i = n;
        }
#else
        if (el_stride == 1) {
            // Four weights per word: two SMLAD against (1, 1).
            for (; i + 4 <= n; i += 4) {
                uint32_t v, v13;
                memcpy(&v, wc + i, 4);
                __asm__("sxtb16 %0, %1, ror #8" : "=r"(v13) : "r"(v));
                s = (uint32_t)__smlad(__sxtb16(v), 0x00010001u, (int32_t)s);
                s = (uint32_t)__smlad(v13, 0x00010001u, (int32_t)s);
            }
        }
#endif
        for (; i < n; ++i) {
            s += (uint32_t)(int32_t)wc[(size_t)i * (size_t)el_stride];
        }
        uint32_t v = (bias != NULL ? (uint32_t)bias[c] : 0u) + (uint32_t)extra + s * (uint32_t)in_off;
        cbias[c] = (int32_t)v;
    }
}


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
#if TFLM_ISA_DSP
    // (one 32 x 32 -> 64 multiply: the reference's own arithmetic)
    int32_t v = tflm_mul_qm((int32_t)acc, q->mult[k], q->shift[k]);
#else
    int32_t v = nn_mul_qm((int32_t)acc, q->mult[k], q->shift[k]);
#endif
    v = (int32_t)((uint32_t)v + (uint32_t)q->out_zp);
    return (int8_t)tflm_clamp(v, q->act_min, q->act_max);
}

// Output row oy's pixels [*xa, *xe) inside the part's pixel range.
static NN_INLINE void nn_part_row(const tflm_nn_part_t *pt, int32_t w, int32_t oy, int32_t *xa, int32_t *xe) {
    const int32_t r0 = oy * w;
    *xa = pt->p0 > r0 ? pt->p0 - r0 : 0;
    *xe = pt->p1 < r0 + w ? pt->p1 - r0 : w;
}

// The requantisation and folded constants seen from channel c0 on.
static NN_INLINE tflm_nn_q8_t nn_q_from(const tflm_nn_q8_t *q, int32_t c0) {
    tflm_nn_q8_t r = *q;
    if (q->per_ch) {
        r.mult += c0;
        r.shift += c0;
    }
    r.cbias += c0;
    return r;
}

#if TFLM_ISA_DSP
// ---------------------------------------------------------------------------
// ARMv7E-M (DSP extension) kernels. A word of four int8 values b0..b3 is
// widened into two registers of int16 halves, [b0, b2] (SXTB16) and [b1, b3]
// (SXTB16 of the word rotated by 8); one SMLAD then adds two products to a
// 32-bit sum. Weights and activations are widened the same way, so the
// pairs line up. Sums wrap modulo 2^32 like the reference's (SMLAD only sets
// the Q flag on overflow). Depthwise layers keep one sum per channel
// (SMLABB/SMLATT on the halves). Words are read with unaligned 32-bit loads
// (memcpy), never past the end of a row: the last n % 4 bytes are scalar.
#if TFLM_ISA_DSP_NATIVE
static NN_INLINE uint32_t nn_sx02(uint32_t v) {
    return __sxtb16(v);
}
static NN_INLINE uint32_t nn_sx13(uint32_t v) {
    // (GCC 12 does not fold a rotate into __sxtb16.)
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
static NN_INLINE uint32_t nn_smlad(uint32_t a, uint32_t b, uint32_t acc) {
    return (uint32_t)__smlad(a, b, (int32_t)acc);
}
static NN_INLINE uint32_t nn_smlabb(uint32_t a, uint32_t b, uint32_t acc) {
    return (uint32_t)__smlabb((int32_t)a, (int32_t)b, (int32_t)acc);
}
static NN_INLINE uint32_t nn_smlatt(uint32_t a, uint32_t b, uint32_t acc) {
    return (uint32_t)__smlatt((int32_t)a, (int32_t)b, (int32_t)acc);
}
#else
// Portable bodies with the instructions' results (TFLM_EMULATE_DSP).
static NN_INLINE uint32_t nn_half(int32_t lo, int32_t hi) {
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
}
static NN_INLINE int32_t nn_lo(uint32_t v) {
    return (int32_t)(int16_t)(uint16_t)(v & 0xFFFFu);
}
static NN_INLINE int32_t nn_hi(uint32_t v) {
    return (int32_t)(int16_t)(uint16_t)(v >> 16);
}
static NN_INLINE uint32_t nn_sx02(uint32_t v) {
    return nn_half((int8_t)(uint8_t)(v & 0xFFu), (int8_t)(uint8_t)((v >> 16) & 0xFFu));
}
static NN_INLINE uint32_t nn_sx13(uint32_t v) {
    return nn_half((int8_t)(uint8_t)((v >> 8) & 0xFFu), (int8_t)(uint8_t)(v >> 24));
}
static NN_INLINE uint32_t nn_smlad(uint32_t a, uint32_t b, uint32_t acc) {
    return acc + (uint32_t)(nn_lo(a) * nn_lo(b)) + (uint32_t)(nn_hi(a) * nn_hi(b));
}
static NN_INLINE uint32_t nn_smlabb(uint32_t a, uint32_t b, uint32_t acc) {
    return acc + (uint32_t)(nn_lo(a) * nn_lo(b));
}
static NN_INLINE uint32_t nn_smlatt(uint32_t a, uint32_t b, uint32_t acc) {
    return acc + (uint32_t)(nn_hi(a) * nn_hi(b));
}
#endif

static NN_INLINE uint32_t nn_ld4(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// tflm_mul_qm for qm >= 0 with one 32 x 32 -> 64 multiply: the reference's
// rounding high multiply is floor((a * qm + 2^30) / 2^31) (see nn_mul_qm),
// then the reference's rounding shift.
static NN_INLINE int32_t nn_mul_qm_dsp(int32_t x, int32_t qm, int32_t shift) {
    if (qm < 0) {
        return tflm_mul_qm(x, qm, shift);
    }
    int right = -shift;
    int32_t a = x;
    if (shift > 0) {
        right = 0;
        a = (int32_t)((uint32_t)x << shift);
    }
    const int64_t p = (int64_t)a * (int64_t)qm + ((int64_t)1 << 30);
    const int32_t y = (int32_t)(p >> 31);
    const int32_t mask = (int32_t)((1u << right) - 1u);
    const int32_t threshold = (mask >> 1) + (int32_t)((uint32_t)y >> 31);
    return (y >> right) + ((y & mask) > threshold ? 1 : 0);
}

#if TFLM_ISA_DSP_NATIVE
// The inner loops in ARMv7E-M assembly (GCC spills their 14 live values when
// they are written in C). n4 >= 1 steps of four bytes; sums in/out.
//
// tflm_nn_dot2x2_v7em(x0, w0, dx, dw, n4, acc): acc[0] += x0.w0,
// acc[1] += x0.w1, acc[2] += x1.w0, acc[3] += x1.w1 with x1 = x0 + dx,
// w1 = w0 + dw. Registers: r0 x0, r1 w0, r2 dx, r3 dw, r4-r7 the sums; r8-r11,
// r12, lr the widened words; the end of x0 at [sp]. Per step: 4 loads (3 of
// them back to back), 8 SXTB16, 8 SMLAD for 16 MACs; four steps per loop.
void tflm_nn_dot2x2_v7em(const int8_t *x0, const int8_t *w0, int32_t dx, int32_t dw, int32_t n4, uint32_t *acc);
// tflm_nn_dot1x4_v7em(x, w0, ws, n4, acc): acc[j] += x.w_j, w_j = w0 + j * ws.
// Registers: r0 x, r1/r8/r9/r10 the rows, r4-r7 the sums, r2, r3, r11, r12,
// lr the words; the end of x at [sp]. Per step: 5 loads (two runs), 10
// SXTB16, 8 SMLAD; four steps per loop.
void tflm_nn_dot1x4_v7em(const int8_t *x, const int8_t *w0, int32_t ws, int32_t n4, uint32_t *acc);
// The job of tflm_nn_conv2x2_v7em (field offsets are the assembly's: all 4 bytes).
typedef struct {
    const int8_t *x0;
    const int8_t *w;
    int32_t dx, len, nseg, xs, K, npairs;
    uint32_t *sums;
} nn_job_t;
void tflm_nn_conv2x2_v7em(const nn_job_t *job);
#define NN_D22_STEP \
    "\tldr r9, [r1, r3]\n" \
    "\tldr r8, [r1], #4\n" \
    "\tldr lr, [r0, r2]\n" \
    "\tsxtb16 r10, r8\n" \
    "\tsxtb16 r8, r8, ror #8\n" \
    "\tsxtb16 r11, r9\n" \
    "\tsxtb16 r9, r9, ror #8\n" \
    "\tsxtb16 r12, lr\n" \
    "\tsxtb16 lr, lr, ror #8\n" \
    "\tsmlad r6, r12, r10, r6\n" \
    "\tsmlad r6, lr, r8, r6\n" \
    "\tsmlad r7, r12, r11, r7\n" \
    "\tsmlad r7, lr, r9, r7\n" \
    "\tldr lr, [r0], #4\n" \
    "\tsxtb16 r12, lr\n" \
    "\tsxtb16 lr, lr, ror #8\n" \
    "\tsmlad r4, r12, r10, r4\n" \
    "\tsmlad r4, lr, r8, r4\n" \
    "\tsmlad r5, r12, r11, r5\n" \
    "\tsmlad r5, lr, r9, r5\n"
#define NN_D14_W(sum, wreg) \
    "\tsxtb16 lr, " wreg "\n" \
    "\tsxtb16 " wreg ", " wreg ", ror #8\n" \
    "\tsmlad " sum ", lr, r12, " sum "\n" \
    "\tsmlad " sum ", " wreg ", r11, " sum "\n"
#define NN_D14_STEP \
    "\tldr r11, [r0], #4\n" \
    "\tldr r2, [r1], #4\n" \
    "\tldr r3, [r8], #4\n" \
    "\tsxtb16 r12, r11\n" \
    "\tsxtb16 r11, r11, ror #8\n" \
    NN_D14_W("r4", "r2") \
    NN_D14_W("r5", "r3") \
    "\tldr r2, [r9], #4\n" \
    "\tldr r3, [r10], #4\n" \
    NN_D14_W("r6", "r2") \
    NN_D14_W("r7", "r3")
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.thumb\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_dot2x2_v7em\n"
    "\t.type tflm_nn_dot2x2_v7em, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_dot2x2_v7em:\n"
    "\tpush {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "\tldr r4, [sp, #36]\n"
    "\tldr r12, [sp, #40]\n"
    "\tbic r5, r4, #3\n"
    "\tadd r5, r0, r5, lsl #2\n"
    "\tsub sp, sp, #8\n"
    "\tstr r5, [sp, #0]\n"
    "\tstr r4, [sp, #4]\n"
    "\tldm r12, {r4, r5, r6, r7}\n"
    "\tldr r12, [sp, #0]\n"
    "\tcmp r0, r12\n"
    "\tbeq 2f\n"
    "1:\n"
    NN_D22_STEP
    NN_D22_STEP
    NN_D22_STEP
    NN_D22_STEP
    "\tldr r12, [sp, #0]\n"
    "\tcmp r0, r12\n"
    "\tbne 1b\n"
    "2:\n"
    "\tldr r12, [sp, #4]\n"
    "\ttst r12, #2\n"
    "\tbeq 8f\n"
    NN_D22_STEP
    NN_D22_STEP
    "8:\n"
    "\tldr r12, [sp, #4]\n"
    "\ttst r12, #1\n"
    "\tbeq 3f\n"
    NN_D22_STEP
    "3:\n"
    "\tldr r12, [sp, #48]\n"
    "\tstm r12, {r4, r5, r6, r7}\n"
    "\tadd sp, sp, #8\n"
    "\tpop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "\t.size tflm_nn_dot2x2_v7em, .-tflm_nn_dot2x2_v7em\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_dot1x4_v7em\n"
    "\t.type tflm_nn_dot1x4_v7em, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_dot1x4_v7em:\n"
    "\tpush {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "\tsub sp, sp, #8\n"
    "\tldr r12, [sp, #44]\n"
    "\tldm r12, {r4, r5, r6, r7}\n"
    "\tadd r8, r1, r2\n"
    "\tadd r9, r8, r2\n"
    "\tadd r10, r9, r2\n"
    "\tstr r3, [sp, #4]\n"
    "\tbic r3, r3, #3\n"
    "\tadd r3, r0, r3, lsl #2\n"
    "\tstr r3, [sp, #0]\n"
    "\tcmp r0, r3\n"
    "\tbeq 2f\n"
    "1:\n"
    NN_D14_STEP
    NN_D14_STEP
    NN_D14_STEP
    NN_D14_STEP
    "\tldr r3, [sp, #0]\n"
    "\tcmp r0, r3\n"
    "\tbne 1b\n"
    "2:\n"
    "\tldr r3, [sp, #4]\n"
    "\ttst r3, #2\n"
    "\tbeq 8f\n"
    NN_D14_STEP
    NN_D14_STEP
    "8:\n"
    "\tldr r3, [sp, #4]\n"
    "\ttst r3, #1\n"
    "\tbeq 3f\n"
    NN_D14_STEP
    "3:\n"
    "\tldr r12, [sp, #44]\n"
    "\tstm r12, {r4, r5, r6, r7}\n"
    "\tadd sp, sp, #8\n"
    "\tpop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "\t.size tflm_nn_dot1x4_v7em, .-tflm_nn_dot1x4_v7em\n"
    // tflm_nn_conv2x2_v7em(job): for each pair p of weight rows (2p, 2p + 1,
    // job->K bytes apart) the four sums of tflm_nn_dot2x2_v7em over nseg
    // segments (x: len bytes at x0 + s * xs; w: back to back), from 0, into
    // sums[4p..4p+3]; len a multiple of 4, >= 4. The job's fields are copied
    // into the frame once: [sp] x0, [sp+4] nseg, [sp+8] the sums pointer,
    // [sp+12] the end of the segment's four-step part, [sp+16] pairs left,
    // [sp+20] xs, [sp+24] len & ~15 (the four-step part), [sp+28] len & 12
    // (the tail), [sp+32] segments left, [sp+36] the segment's x.
    "\t.balign 4\n"
    "\t.global tflm_nn_conv2x2_v7em\n"
    "\t.type tflm_nn_conv2x2_v7em, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_conv2x2_v7em:\n"
    "\tpush {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "\tsub sp, sp, #40\n"
    "\tldr r1, [r0, #4]\n"
    "\tldr r2, [r0, #8]\n"
    "\tldr r3, [r0, #24]\n"
    "\tldr r4, [r0, #28]\n"
    "\tstr r4, [sp, #16]\n"
    "\tldr r4, [r0, #32]\n"
    "\tstr r4, [sp, #8]\n"
    "\tldr r4, [r0, #0]\n"
    "\tstr r4, [sp, #0]\n"
    "\tldr r4, [r0, #16]\n"
    "\tstr r4, [sp, #4]\n"
    "\tldr r4, [r0, #20]\n"
    "\tstr r4, [sp, #20]\n"
    "\tldr r4, [r0, #12]\n"
    "\tbic r5, r4, #15\n"
    "\tstr r5, [sp, #24]\n"
    "\tand r5, r4, #12\n"
    "\tstr r5, [sp, #28]\n"
    "6:\n"
    "\tmovs r4, #0\n"
    "\tmovs r5, #0\n"
    "\tmovs r6, #0\n"
    "\tmovs r7, #0\n"
    "\tldr r0, [sp, #0]\n"
    "\tldr r8, [sp, #4]\n"
    "\tstr r8, [sp, #32]\n"
    "7:\n"
    "\tstr r0, [sp, #36]\n"
    "\tldr r8, [sp, #24]\n"
    "\tadd r8, r0, r8\n"
    "\tstr r8, [sp, #12]\n"
    "\tcmp r0, r8\n"
    "\tbeq 4f\n"
    "1:\n"
    NN_D22_STEP
    NN_D22_STEP
    NN_D22_STEP
    NN_D22_STEP
    "\tldr r12, [sp, #12]\n"
    "\tcmp r0, r12\n"
    "\tbne 1b\n"
    "4:\n"
    "\tldr r12, [sp, #28]\n"
    "\ttst r12, #8\n"
    "\tbeq 8f\n"
    NN_D22_STEP
    NN_D22_STEP
    "\tldr r12, [sp, #28]\n"
    "8:\n"
    "\ttst r12, #4\n"
    "\tbeq 5f\n"
    NN_D22_STEP
    "5:\n"
    "\tldr r0, [sp, #36]\n"
    "\tldr r12, [sp, #20]\n"
    "\tadd r0, r0, r12\n"
    "\tldr r12, [sp, #32]\n"
    "\tsubs r12, r12, #1\n"
    "\tstr r12, [sp, #32]\n"
    "\tbne 7b\n"
    "\tldr r12, [sp, #8]\n"
    "\tstmia r12!, {r4, r5, r6, r7}\n"
    "\tstr r12, [sp, #8]\n"
    "\tadd r1, r1, r3\n"
    "\tldr r12, [sp, #16]\n"
    "\tsubs r12, r12, #1\n"
    "\tstr r12, [sp, #16]\n"
    "\tbne 6b\n"
    "\tadd sp, sp, #40\n"
    "\tpop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "\t.size tflm_nn_conv2x2_v7em, .-tflm_nn_conv2x2_v7em\n");
#undef NN_D22_STEP
#undef NN_D14_W
#undef NN_D14_STEP
#endif

// acc[j] += x . w_j over n bytes for the four rows w_j = w + j * ws.
static NN_INLINE void nn_dot1x4_dsp(const int8_t *x, const int8_t *w, int32_t ws, int32_t n, uint32_t *acc) {
    const int8_t *w1 = w + ws;
    const int8_t *w2 = w1 + ws;
    const int8_t *w3 = w2 + ws;
    int32_t i = 0;
#if TFLM_ISA_DSP_NATIVE
    if (n >= 4) {
        tflm_nn_dot1x4_v7em(x, w, ws, n / 4, acc);
        i = n & ~3;
    }
#endif
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    for (; i + 4 <= n; i += 4) {
        const uint32_t xv = nn_ld4(x + i);
        const uint32_t x02 = nn_sx02(xv), x13 = nn_sx13(xv);
        uint32_t v = nn_ld4(w + i);
        a0 = nn_smlad(nn_sx02(v), x02, a0);
        a0 = nn_smlad(nn_sx13(v), x13, a0);
        v = nn_ld4(w1 + i);
        a1 = nn_smlad(nn_sx02(v), x02, a1);
        a1 = nn_smlad(nn_sx13(v), x13, a1);
        v = nn_ld4(w2 + i);
        a2 = nn_smlad(nn_sx02(v), x02, a2);
        a2 = nn_smlad(nn_sx13(v), x13, a2);
        v = nn_ld4(w3 + i);
        a3 = nn_smlad(nn_sx02(v), x02, a3);
        a3 = nn_smlad(nn_sx13(v), x13, a3);
    }
    for (; i < n; ++i) {
        const int32_t xv = x[i];
        a0 += (uint32_t)(w[i] * xv);
        a1 += (uint32_t)(w1[i] * xv);
        a2 += (uint32_t)(w2[i] * xv);
        a3 += (uint32_t)(w3[i] * xv);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

// acc[0..3] += x0.w0, x0.w1, x1.w0, x1.w1 over n bytes: two input vectors
// (two output pixels) against two weight rows w0, w1 = w0 + ws.
static NN_INLINE void nn_dot2x2_dsp(const int8_t *x0, const int8_t *x1, const int8_t *w0, int32_t ws, int32_t n,
    uint32_t *acc) {
    const int8_t *w1 = w0 + ws;
    int32_t i = 0;
#if TFLM_ISA_DSP_NATIVE
    if (n >= 4) {
        // (x1 may lie in another buffer: the difference of the addresses)
        tflm_nn_dot2x2_v7em(x0, w0, (int32_t)((uintptr_t)x1 - (uintptr_t)x0), ws, n / 4, acc);
        i = n & ~3;
    }
#endif
    uint32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    for (; i + 4 <= n; i += 4) {
        uint32_t v = nn_ld4(w0 + i);
        const uint32_t p02 = nn_sx02(v), p13 = nn_sx13(v);
        v = nn_ld4(w1 + i);
        const uint32_t r02 = nn_sx02(v), r13 = nn_sx13(v);
        v = nn_ld4(x0 + i);
        uint32_t u02 = nn_sx02(v), u13 = nn_sx13(v);
        a00 = nn_smlad(u02, p02, a00);
        a00 = nn_smlad(u13, p13, a00);
        a01 = nn_smlad(u02, r02, a01);
        a01 = nn_smlad(u13, r13, a01);
        v = nn_ld4(x1 + i);
        u02 = nn_sx02(v);
        u13 = nn_sx13(v);
        a10 = nn_smlad(u02, p02, a10);
        a10 = nn_smlad(u13, p13, a10);
        a11 = nn_smlad(u02, r02, a11);
        a11 = nn_smlad(u13, r13, a11);
    }
    for (; i < n; ++i) {
        const int32_t p = w0[i], r = w1[i], u = x0[i], v = x1[i];
        a00 += (uint32_t)(u * p);
        a01 += (uint32_t)(u * r);
        a10 += (uint32_t)(v * p);
        a11 += (uint32_t)(v * r);
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

// acc += x . w over n bytes.
static NN_INLINE uint32_t nn_dot1x1_dsp(const int8_t *x, const int8_t *w, int32_t n, uint32_t acc) {
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint32_t xv = nn_ld4(x + i), v = nn_ld4(w + i);
        acc = nn_smlad(nn_sx02(v), nn_sx02(xv), acc);
        acc = nn_smlad(nn_sx13(v), nn_sx13(xv), acc);
    }
    for (; i < n; ++i) {
        acc += (uint32_t)(w[i] * (int32_t)x[i]);
    }
    return acc;
}

// Requantisation of one output channel, prepared once per chunk of
// channels. With qm > 2^30 and a right shift e >= 1 (the usual case) the
// reference's two roundings collapse into one 64-bit sum: its rounding high
// multiply is y = floor((a * qm + 2^30) / 2^31) and its rounding shift
// floor((y + 2^(e-1) - [y < 0]) / 2^e); since floor((floor(P / 2^31) + k) /
// 2^e) = floor((P + k * 2^31) / 2^(31 + e)) for integer k, and y < 0 exactly
// when a < 0 (qm > 2^30), the result is the high word of
//     a * qm + 2^30 + 2^(30 + e) - [a < 0] * 2^31
// shifted right by e - 1. Other multipliers take nn_mul_qm_dsp (rs < 0).
// (The first four fields in this order: tflm_nn_rq2x2_v7em reads them with
// one LDM.)
typedef struct {
    int32_t qm, rs;
    uint32_t k_lo;
    int32_t k_hi;
    int32_t shift;
} nn_rq_t;

// Channels per chunk (their nn_rq_t sit on the stack).
#define NN_RQ_CHUNK 64
// Receptive fields up to this many bytes get a second patch on the stack.
#define NN_PATCH2 640

// Returns 1 when every channel takes the one-sum form (rs >= 0).
static int nn_rq_make(const tflm_nn_q8_t *q, int32_t c0, int32_t n, nn_rq_t *rq) {
    int fast = 1;
    for (int32_t j = 0; j < n; ++j) {
        const int32_t k = q->per_ch ? c0 + j : 0;
        const int32_t qm = q->mult[k], sh = q->shift[k];
        rq[j].qm = qm;
        rq[j].shift = sh;
        rq[j].rs = -1;
        rq[j].k_lo = 0;
        rq[j].k_hi = 0;
        if (qm > (1 << 30) && sh <= -1 && sh >= -31) {
            const int32_t e = -sh;
            const int64_t kk = ((int64_t)1 << 30) + ((int64_t)1 << (30 + e));
            rq[j].k_lo = (uint32_t)(uint64_t)kk;
            rq[j].k_hi = (int32_t)(kk >> 32);
            rq[j].rs = e - 1;
        }
        fast &= rq[j].rs >= 0;
    }
    return fast;
}

static NN_INLINE int8_t nn_rq_out(uint32_t acc, const nn_rq_t *r, int32_t zp, int32_t lo, int32_t hi) {
    const int32_t a = (int32_t)acc;
    int32_t v;
    if (r->rs >= 0) {
        const int64_t k = (int64_t)(((uint64_t)(uint32_t)r->k_hi << 32) | r->k_lo)
            - (a < 0 ? ((int64_t)1 << 31) : 0);
        const int64_t z = (int64_t)a * (int64_t)r->qm + k;
        v = (int32_t)(z >> 32) >> r->rs;
    } else {
        v = nn_mul_qm_dsp(a, r->qm, r->shift);
    }
    v = (int32_t)((uint32_t)v + (uint32_t)zp);
    return (int8_t)tflm_clamp(v, lo, hi);
}

#if TFLM_ISA_DSP_NATIVE
// nn_rq_out of the sums of tflm_nn_conv2x2_v7em, every channel in the
// one-sum form (rs >= 0), in ARMv7E-M assembly: for each pair p of channels
// (c = 2p, 2p + 1) out0[c] = rq(sums[4p + c - 2p] + cbias[c]) and
// out1[c] = rq(sums[4p + 2 + c - 2p] + cbias[c]) (out1 = out0 + d1). Per
// channel one LDM of its nn_rq_t serves both pixels: the high word of
// a * qm + k - [a < 0] * 2^31 (SMLAL), shifted right by rs and saturated to
// 16 bits (|v| < 2^30 + 1, so the saturation never changes the clamped
// result); the two pixels' values side by side in halves: + zp saturating
// (QADD16), then the clamp to [lo, hi] with SSUB16 + SEL twice. zp2, lo2,
// hi2: the value in both halves. Registers: r0 sums, r1 cbias, r2 rq, r3
// out0, r4-r7 qm, rs, k_lo, k_hi, r8-r12 work, lr lo2; [sp] zp2,
// [sp+4] hi2, [sp+8] d1, [sp+12] the end of rq.
typedef struct {
    const uint32_t *sums;
    const int32_t *cbias;
    const nn_rq_t *rq;
    int8_t *out0;
    int32_t d1, npairs;
    uint32_t zp2, lo2, hi2;
} nn_rq_job_t;
void tflm_nn_rq2x2_v7em(const nn_rq_job_t *job);
// The same with the two pixels' sums in two arrays: sums[c] and
// sums[NN_RQ_CHUNK + c] (the offsets 256 and 260 of the assembly).
void tflm_nn_rq2xn_v7em(const nn_rq_job_t *job);
#if NN_RQ_CHUNK != 64
#error "tflm_nn_rq2xn_v7em assumes 64 sums per pixel"
#endif
#define NN_RQ_PX(a, o) \
    "\tand r11, " a ", #0x80000000\n" \
    "\tsubs r11, r6, r11\n" \
    "\tsbc " o ", r7, #0\n" \
    "\tsmlal r11, " o ", " a ", r4\n" \
    "\tasr " o ", " o ", r5\n" \
    "\tssat " o ", #16, " o "\n"
#define NN_RQ_CH(s0, s1, j) \
    "\tldm r2, {r4, r5, r6, r7}\n" \
    "\tadds r2, r2, #20\n" \
    "\tldr r8, [r1], #4\n" \
    "\tldr r9, [r0, #" s0 "]\n" \
    "\tldr r10, [r0, #" s1 "]\n" \
    "\tadd r9, r9, r8\n" \
    "\tadd r10, r10, r8\n" \
    NN_RQ_PX("r9", "r8") \
    NN_RQ_PX("r10", "r9") \
    "\tpkhbt r8, r8, r9, lsl #16\n" \
    "\tldr r12, [sp, #0]\n" \
    "\tqadd16 r8, r8, r12\n" \
    "\tssub16 r9, r8, lr\n" \
    "\tsel r8, r8, lr\n" \
    "\tldr r12, [sp, #4]\n" \
    "\tssub16 r9, r8, r12\n" \
    "\tsel r8, r12, r8\n" \
    "\tldr r12, [sp, #8]\n" \
    "\tstrb r8, [r3, #" j "]\n" \
    "\tlsrs r8, r8, #16\n" \
    "\tadd r12, r12, r3\n" \
    "\tstrb r8, [r12, #" j "]\n"
#define NN_RQ_FN(name, s0, s1, s2, s3, step) \
    "\t.balign 4\n" \
    "\t.global " name "\n" \
    "\t.type " name ", %function\n" \
    "\t.thumb_func\n" \
    name ":\n" \
    "\tpush {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n" \
    "\tsub sp, sp, #20\n" \
    "\tldr r1, [r0, #24]\n" \
    "\tstr r1, [sp, #0]\n" \
    "\tldr r1, [r0, #32]\n" \
    "\tstr r1, [sp, #4]\n" \
    "\tldr r1, [r0, #16]\n" \
    "\tstr r1, [sp, #8]\n" \
    "\tldr lr, [r0, #28]\n" \
    "\tldr r3, [r0, #12]\n" \
    "\tldr r2, [r0, #8]\n" \
    "\tldr r1, [r0, #20]\n" \
    "\tadd r4, r1, r1, lsl #2\n" \
    "\tadd r4, r2, r4, lsl #3\n" \
    "\tstr r4, [sp, #12]\n" \
    "\tldr r1, [r0, #4]\n" \
    "\tldr r0, [r0, #0]\n" \
    "\tcmp r2, r4\n" \
    "\tbeq 2f\n" \
    "1:\n" \
    NN_RQ_CH(s0, s1, "0") \
    NN_RQ_CH(s2, s3, "1") \
    "\tadds r0, r0, #" step "\n" \
    "\tadds r3, r3, #2\n" \
    "\tldr r12, [sp, #12]\n" \
    "\tcmp r2, r12\n" \
    "\tbne 1b\n" \
    "2:\n" \
    "\tadd sp, sp, #20\n" \
    "\tpop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n" \
    "\t.size " name ", .-" name "\n"
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.thumb\n"
    NN_RQ_FN("tflm_nn_rq2x2_v7em", "0", "8", "4", "12", "16")
    NN_RQ_FN("tflm_nn_rq2xn_v7em", "0", "256", "4", "260", "8"));
#undef NN_RQ_PX
#undef NN_RQ_CH
#undef NN_RQ_FN

// The halfword pair (v, v) of an int8 value.
static NN_INLINE uint32_t nn_h2(int32_t v) {
    return ((uint32_t)v & 0xFFFFu) * 0x10001u;
}
#endif

// One input vector given as nseg segments of len bytes, xs apart (the rows
// of a receptive field inside the input, or one patch); the weight rows
// (K = nseg * len bytes each) have the same segments back to back.
typedef struct {
    const int8_t *x;
    int32_t nseg, len;
    size_t xs;
} nn_vec_t;

// out[j] = requant(cbias[j] + extra + x . w_j) for j < n (w, cbias, rq and
// out start at the chunk's first channel), one vector.
static void nn_rows1_dsp(const nn_vec_t *v, const int8_t *w, int32_t K, int32_t n, uint32_t extra,
    const int32_t *cbias, const nn_rq_t *rq, const tflm_nn_q8_t *q, int8_t *out) {
    const int32_t zp = q->out_zp, lo = q->act_min, hi = q->act_max;
    int32_t c = 0;
    for (; c + 4 <= n; c += 4) {
        const int8_t *wc = w + (size_t)c * (size_t)K;
        uint32_t acc[4];
        for (int j = 0; j < 4; ++j) {
            acc[j] = (uint32_t)cbias[c + j] + extra;
        }
        for (int32_t s = 0; s < v->nseg; ++s) {
            nn_dot1x4_dsp(v->x + (size_t)s * v->xs, wc + (size_t)s * (size_t)v->len, K, v->len, acc);
        }
        for (int j = 0; j < 4; ++j) {
            out[c + j] = nn_rq_out(acc[j], &rq[c + j], zp, lo, hi);
        }
    }
    for (; c < n; ++c) {
        const int8_t *wc = w + (size_t)c * (size_t)K;
        uint32_t acc = (uint32_t)cbias[c] + extra;
        for (int32_t s = 0; s < v->nseg; ++s) {
            acc = nn_dot1x1_dsp(v->x + (size_t)s * v->xs, wc + (size_t)s * (size_t)v->len, v->len, acc);
        }
        out[c] = nn_rq_out(acc, &rq[c], zp, lo, hi);
    }
}

// Two vectors of the same segment layout (x1 = the second pixel's start):
// out0[j], out1[j] for j < n (chunk-relative as above).
// rq_fast: every nn_rq_t of the chunk has rs >= 0 (nn_rq_make's result).
static void nn_rows2_dsp(const nn_vec_t *v, const int8_t *x1, const int8_t *w, int32_t K, int32_t n,
    const int32_t *cbias, const nn_rq_t *rq, int rq_fast, const tflm_nn_q8_t *q, int8_t *out0, int8_t *out1) {
    const int32_t zp = q->out_zp, lo = q->act_min, hi = q->act_max;
    int32_t c = 0;
#if TFLM_ISA_DSP_NATIVE
    if (v->len >= 4 && (v->len & 3) == 0 && n >= 2) {
        // All channel pairs in one call (the sums of one chunk on the stack).
        uint32_t sums[2 * NN_RQ_CHUNK];
        const int32_t np = n / 2;
        const nn_job_t job = { v->x, w, (int32_t)((uintptr_t)x1 - (uintptr_t)v->x), v->len, v->nseg,
            (int32_t)v->xs, K, np, sums };
        tflm_nn_conv2x2_v7em(&job);
        if (rq_fast) {
            const nn_rq_job_t rj = { sums, cbias, rq, out0, (int32_t)((uintptr_t)out1 - (uintptr_t)out0), np,
                nn_h2(zp), nn_h2(lo), nn_h2(hi) };
            tflm_nn_rq2x2_v7em(&rj);
            c = 2 * np;
        }
        for (int32_t p = c / 2; p < np; ++p, c += 2) {
            const uint32_t b0 = (uint32_t)cbias[c], b1 = (uint32_t)cbias[c + 1];
            out0[c] = nn_rq_out(sums[4 * p] + b0, &rq[c], zp, lo, hi);
            out0[c + 1] = nn_rq_out(sums[4 * p + 1] + b1, &rq[c + 1], zp, lo, hi);
            out1[c] = nn_rq_out(sums[4 * p + 2] + b0, &rq[c], zp, lo, hi);
            out1[c + 1] = nn_rq_out(sums[4 * p + 3] + b1, &rq[c + 1], zp, lo, hi);
        }
    } else if (rq_fast && n >= 2) {
        // Other segment lengths: the sums pair by pair (from 0), then the
        // requantisation of all pairs at once.
        uint32_t sums[2 * NN_RQ_CHUNK];
        const int32_t np = n / 2;
        for (int32_t p = 0; p < np; ++p) {
            const int8_t *wc = w + (size_t)(2 * p) * (size_t)K;
            uint32_t *acc = sums + 4 * p;
            acc[0] = acc[1] = acc[2] = acc[3] = 0;
            for (int32_t s = 0; s < v->nseg; ++s) {
                const size_t xo = (size_t)s * v->xs, wo = (size_t)s * (size_t)v->len;
                nn_dot2x2_dsp(v->x + xo, x1 + xo, wc + wo, K, v->len, acc);
            }
        }
        const nn_rq_job_t rj = { sums, cbias, rq, out0, (int32_t)((uintptr_t)out1 - (uintptr_t)out0), np,
            nn_h2(zp), nn_h2(lo), nn_h2(hi) };
        tflm_nn_rq2x2_v7em(&rj);
        c = 2 * np;
    }
#endif
    for (; c + 2 <= n; c += 2) {
        const int8_t *wc = w + (size_t)c * (size_t)K;
        uint32_t acc[4];
        acc[0] = acc[2] = (uint32_t)cbias[c];
        acc[1] = acc[3] = (uint32_t)cbias[c + 1];
        for (int32_t s = 0; s < v->nseg; ++s) {
            const size_t xo = (size_t)s * v->xs, wo = (size_t)s * (size_t)v->len;
            nn_dot2x2_dsp(v->x + xo, x1 + xo, wc + wo, K, v->len, acc);
        }
        out0[c] = nn_rq_out(acc[0], &rq[c], zp, lo, hi);
        out0[c + 1] = nn_rq_out(acc[1], &rq[c + 1], zp, lo, hi);
        out1[c] = nn_rq_out(acc[2], &rq[c], zp, lo, hi);
        out1[c + 1] = nn_rq_out(acc[3], &rq[c + 1], zp, lo, hi);
    }
    if (c < n) {
        const int8_t *wc = w + (size_t)c * (size_t)K;
        uint32_t a0 = (uint32_t)cbias[c], a1 = a0;
        for (int32_t s = 0; s < v->nseg; ++s) {
            const size_t xo = (size_t)s * v->xs, wo = (size_t)s * (size_t)v->len;
            a0 = nn_dot1x1_dsp(v->x + xo, wc + wo, v->len, a0);
            a1 = nn_dot1x1_dsp(x1 + xo, wc + wo, v->len, a1);
        }
        out0[c] = nn_rq_out(a0, &rq[c], zp, lo, hi);
        out1[c] = nn_rq_out(a1, &rq[c], zp, lo, hi);
    }
}

static void conv_patch(const tflm_conv_geom_t *g, const int8_t *xb, int32_t iy0, int32_t ix0, int8_t in_zp,
    int8_t *patch);

// CONV_2D: output rows in order (the planner may let the output overlap the
// input, tflm_allow_overlap: a row's output is written only after the rows
// it needs were read); within a row, chunks of output channels (their
// requantisation prepared once per chunk, or once per layer when one chunk
// holds them all), then output pixels in pairs where both receptive fields
// lie inside the input (read in place, one segment per filter row); border
// pixels through the patch, in pairs too (a second patch on the stack) when
// the receptive field has at most NN_PATCH2 bytes.
static void nn_conv_dsp(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    const int32_t C = g->in_c;
    const int32_t K = g->f_h * g->f_w * C;
    const int32_t out_c = g->out_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    const int pointwise = g->f_h == 1 && g->f_w == 1;
    // Rows of the window read in place when they are long enough to be worth it.
    const int direct = pointwise || (g->dil_w == 1 && g->f_w * C >= 8);
    const int64_t span_h = (int64_t)(g->f_h - 1) * g->dil_h;
    const int64_t span_w = (int64_t)(g->f_w - 1) * g->dil_w;
    const int once = pt->c1 - pt->c0 <= NN_RQ_CHUNK;
    nn_rq_t rq[NN_RQ_CHUNK];
    int rq_fast = 0;
    // A second patch for small receptive fields (pairs of border pixels).
    int8_t patch2[NN_PATCH2];
    if (once && pt->c1 > pt->c0) {
        rq_fast = nn_rq_make(q, pt->c0, pt->c1 - pt->c0, rq);
    }
    // Without overlap between input and output (the usual plan) the chunks
    // of channels go outermost: each chunk's requantisation is prepared once.
    const size_t in_bytes = (size_t)g->batches * (size_t)g->in_h * row;
    const size_t out_bytes = (size_t)g->batches * (size_t)g->out_h * (size_t)g->out_w * (size_t)out_c;
    const int apart = (uintptr_t)out >= (uintptr_t)in + in_bytes || (uintptr_t)in >= (uintptr_t)out + out_bytes;
    const int outer = !once && apart;
    const int32_t step = outer ? NN_RQ_CHUNK : pt->c1 - pt->c0;
    for (int32_t ca = pt->c0; ca < pt->c1; ca += step) {
        const int32_t cz = pt->c1 - ca < step ? pt->c1 - ca : step;
        if (outer) {
            rq_fast = nn_rq_make(q, ca, cz, rq);
        }
        // A row's last pixel may pair with the next row's first (skip0: that
        // one is done) when a row is one chunk of channels.
        const int cross = cz <= NN_RQ_CHUNK;
        for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
            const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
            int32_t skip0 = 0;
            for (int32_t oy = pt->p0 / g->out_w; oy <= (pt->p1 - 1) / g->out_w; ++oy) {
                const int32_t iy0 = oy * g->stride_h - g->pad_h;
                const int in_y = iy0 >= 0 && (int64_t)iy0 + span_h < g->in_h;
                int32_t xa, xe;
                nn_part_row(pt, g->out_w, oy, &xa, &xe);
                xa += skip0;
                skip0 = 0;
                for (int32_t c0 = ca; c0 < ca + cz; c0 += NN_RQ_CHUNK) {
                    const int32_t n = ca + cz - c0 < NN_RQ_CHUNK ? ca + cz - c0 : NN_RQ_CHUNK;
                    if (!once && !outer) {
                        rq_fast = nn_rq_make(q, c0, n, rq);
                    }
                    const int8_t *wk = filter + (size_t)c0 * (size_t)K;
                    const int32_t *cb = q->cbias + c0;
                    int8_t *orow = out + ((size_t)b * g->out_h + oy) * (size_t)g->out_w * (size_t)out_c + (size_t)c0;
                    int32_t ox = xa;
                    while (ox < xe) {
                        const int32_t ix0 = ox * g->stride_w - g->pad_w;
                        const int inside = pointwise || (in_y && ix0 >= 0 && (int64_t)ix0 + span_w < g->in_w);
                        int8_t *op = orow + (size_t)ox * (size_t)out_c;
                        nn_vec_t v;
                        if (cross && ox + 1 == xe && xe == g->out_w && oy + 1 < g->out_h
                            && (oy + 1) * g->out_w < pt->p1 && (K <= NN_PATCH2 || (inside && direct))) {
                            // The next row's first pixel (window at iyn, ixn) as the pair.
                            const int32_t iyn = iy0 + g->stride_h, ixn = -g->pad_w;
                            const int inside_n = pointwise || (iyn >= 0 && (int64_t)iyn + span_h < g->in_h && ixn >= 0
                                && (int64_t)ixn + span_w < g->in_w);
                            int8_t *opn = orow + (size_t)g->out_w * (size_t)out_c;
                            if (inside && direct && inside_n) {
                                v.x = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C;
                                v.nseg = pointwise ? 1 : g->f_h;
                                v.len = pointwise ? C : g->f_w * C;
                                v.xs = (size_t)g->dil_h * row;
                                nn_rows2_dsp(&v, xb + (size_t)iyn * row + (size_t)ixn * (size_t)C, wk, K, n, cb, rq,
                                    rq_fast, q, op, opn);
                                skip0 = 1;
                                ox += 1;
                                continue;
                            }
                            if (K <= NN_PATCH2) {
                                conv_patch(g, xb, iy0, ix0, (int8_t)q->in_zp, patch);
                                conv_patch(g, xb, iyn, ixn, (int8_t)q->in_zp, patch2);
                                v.x = patch;
                                v.nseg = 1;
                                v.len = K;
                                v.xs = 0;
                                nn_rows2_dsp(&v, patch2, wk, K, n, cb, rq, rq_fast, q, op, opn);
                                skip0 = 1;
                                ox += 1;
                                continue;
                            }
                        }
                        const int32_t ix1 = ix0 + g->stride_w;
                        const int next_in = pointwise || (int64_t)ix1 + span_w < g->in_w;
                        // An inside pixel whose neighbour is not: both through
                        // patches (a pair) when the receptive field is small.
                        const int both_patch = ox + 1 < xe && !next_in && K <= NN_PATCH2;
                        if (inside && direct && !both_patch) {
                            v.x = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C;
                            v.nseg = pointwise ? 1 : g->f_h;
                            v.len = pointwise ? C : g->f_w * C;
                            v.xs = (size_t)g->dil_h * row;
                            if (ox + 1 < xe && next_in) {
                                nn_rows2_dsp(&v, v.x + (size_t)g->stride_w * (size_t)C, wk, K, n, cb, rq, rq_fast, q, op,
                                    op + out_c);
                                ox += 2;
                                continue;
                            }
                        } else {
                            conv_patch(g, xb, iy0, ix0, (int8_t)q->in_zp, patch);
                            v.x = patch;
                            v.nseg = 1;
                            v.len = K;
                            v.xs = 0;
                            if (K <= NN_PATCH2 && ox + 1 < xe) {
                                // The next pixel through a second, small patch: a pair.
                                conv_patch(g, xb, iy0, ix0 + g->stride_w, (int8_t)q->in_zp, patch2);
                                nn_rows2_dsp(&v, patch2, wk, K, n, cb, rq, rq_fast, q, op, op + out_c);
                                ox += 2;
                                continue;
                            }
                        }
                        nn_rows1_dsp(&v, wk, K, n, 0u, cb, rq, q, op);
                        ox += 1;
                    }
                }
            }
        }
    }
}

// FULLY_CONNECTED rows of one batch, in chunks of channels.
static void nn_fc_dsp(const int8_t *x, const int8_t *w, int32_t accum, int32_t units, uint32_t extra,
    const tflm_nn_q8_t *q, int8_t *out) {
    nn_rq_t rq[NN_RQ_CHUNK];
    const nn_vec_t v = { x, 1, accum, 0 };
    for (int32_t c0 = 0; c0 < units; c0 += NN_RQ_CHUNK) {
        const int32_t n = units - c0 < NN_RQ_CHUNK ? units - c0 : NN_RQ_CHUNK;
        nn_rq_make(q, c0, n, rq);
        nn_rows1_dsp(&v, w + (size_t)c0 * (size_t)accum, accum, n, extra, q->cbias + c0, rq, q, out + c0);
    }
}

// Depthwise 3x3, depth multiplier 1: the nine taps of channels c..c+3 of one
// output pixel (x: the window's top-left tap; xrow: bytes per window row;
// C: the tap step of both x and the filter).
static NN_INLINE void nn_dw3x3x4_dsp(const int8_t *x, const int8_t *w, int32_t C, size_t xrow, uint32_t *acc) {
    uint32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 3
#endif
    for (int r = 0; r < 3; ++r) {
        const int8_t *xr = x + (size_t)r * xrow;
        const int8_t *wr = w + (size_t)(3 * r) * (size_t)C;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 3
#endif
        for (int k = 0; k < 3; ++k) {
            const uint32_t xv = nn_ld4(xr + (size_t)k * (size_t)C);
            const uint32_t wv = nn_ld4(wr + (size_t)k * (size_t)C);
            const uint32_t x02 = nn_sx02(xv), w02 = nn_sx02(wv);
            const uint32_t x13 = nn_sx13(xv), w13 = nn_sx13(wv);
            a0 = nn_smlabb(x02, w02, a0);
            a2 = nn_smlatt(x02, w02, a2);
            a1 = nn_smlabb(x13, w13, a1);
            a3 = nn_smlatt(x13, w13, a3);
        }
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

#if TFLM_ISA_DSP_NATIVE
// tflm_nn_dw3x3_v7em(x, w, C, xrow, n4, sums): one 3x3 depthwise output
// pixel (dm 1), n4 >= 1 groups of four channels; sums[4 * g + j] (holding the
// folded bias on entry) += the nine taps of channel 4 * g + j. x: the
// window's top-left tap, w: the filter, both at the first channel; taps C
// apart, window rows xrow apart (filter rows 3 * C). Registers: r0/r1 the
// current x/w row, r2 C, r3 xrow, r4-r7 the sums, r8 the sums pointer, r9 its
// end, r10-r12 and lr the widened words. Per group: 18 loads, 36 SXTB16,
// 36 SMLABB/SMLATT for 36 MACs.
void tflm_nn_dw3x3_v7em(const int8_t *x, const int8_t *w, int32_t C, int32_t xrow, int32_t n4, uint32_t *sums);
#define NN_DW_TAP(off) \
    "\tldr r10, [r0" off "]\n" \
    "\tldr r11, [r1" off "]\n" \
    "\tsxtb16 r12, r10\n" \
    "\tsxtb16 r10, r10, ror #8\n" \
    "\tsxtb16 lr, r11\n" \
    "\tsxtb16 r11, r11, ror #8\n" \
    "\tsmlabb r4, r12, lr, r4\n" \
    "\tsmlatt r6, r12, lr, r6\n" \
    "\tsmlabb r5, r10, r11, r5\n" \
    "\tsmlatt r7, r10, r11, r7\n"
#define NN_DW_ROW NN_DW_TAP("") NN_DW_TAP(", r2") NN_DW_TAP(", r2, lsl #1")
#define NN_DW_NEXT \
    "\tadd r0, r0, r3\n" \
    "\tadd r1, r1, r2, lsl #1\n" \
    "\tadd r1, r1, r2\n"
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.thumb\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_dw3x3_v7em\n"
    "\t.type tflm_nn_dw3x3_v7em, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_dw3x3_v7em:\n"
    "\tpush {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "\tldr r9, [sp, #36]\n"
    "\tldr r8, [sp, #40]\n"
    "\tadd r9, r8, r9, lsl #4\n"
    "1:\n"
    "\tldm r8, {r4, r5, r6, r7}\n"
    NN_DW_ROW
    NN_DW_NEXT
    NN_DW_ROW
    NN_DW_NEXT
    NN_DW_ROW
    "\tstmia r8!, {r4, r5, r6, r7}\n"
    "\tsub r0, r0, r3, lsl #1\n"
    "\tadds r0, r0, #4\n"
    "\tsub r1, r1, r2, lsl #2\n"
    "\tsub r1, r1, r2, lsl #1\n"
    "\tadds r1, r1, #4\n"
    "\tcmp r8, r9\n"
    "\tbne 1b\n"
    "\tpop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "\t.size tflm_nn_dw3x3_v7em, .-tflm_nn_dw3x3_v7em\n");
#undef NN_DW_TAP
#undef NN_DW_ROW
#undef NN_DW_NEXT
#endif

// Channels [0, n) of one 3x3 depthwise output pixel (dm 1); x, w, cbias, rq
// and op start at the chunk's first channel.
static void nn_dw3x3_px_dsp(const int8_t *x, const int8_t *w, int32_t C, size_t xrow, int32_t n,
    const int32_t *cbias, const nn_rq_t *rq, const tflm_nn_q8_t *q, int8_t *op) {
    const int32_t zp = q->out_zp, lo = q->act_min, hi = q->act_max;
    int32_t c = 0;
#if TFLM_ISA_DSP_NATIVE
    if (n >= 4) {
        uint32_t sums[NN_RQ_CHUNK];
        const int32_t n4 = n / 4;
        for (int32_t j = 0; j < 4 * n4; ++j) {
            sums[j] = (uint32_t)cbias[j];
        }
        tflm_nn_dw3x3_v7em(x, w, C, (int32_t)xrow, n4, sums);
        for (int32_t j = 0; j < 4 * n4; ++j) {
            op[j] = nn_rq_out(sums[j], &rq[j], zp, lo, hi);
        }
        c = 4 * n4;
    }
#endif
    for (; c + 4 <= n; c += 4) {
        uint32_t acc[4];
        for (int j = 0; j < 4; ++j) {
            acc[j] = (uint32_t)cbias[c + j];
        }
        nn_dw3x3x4_dsp(x + c, w + c, C, xrow, acc);
        for (int j = 0; j < 4; ++j) {
            op[c + j] = nn_rq_out(acc[j], &rq[c + j], zp, lo, hi);
        }
    }
    for (; c < n; ++c) {
        uint32_t acc = (uint32_t)cbias[c];
        for (int r = 0; r < 3; ++r) {
            for (int k = 0; k < 3; ++k) {
                acc += (uint32_t)(w[(size_t)(3 * r + k) * (size_t)C + (size_t)c]
                    * x[(size_t)r * xrow + (size_t)k * (size_t)C + (size_t)c]);
            }
        }
        op[c] = nn_rq_out(acc, &rq[c], zp, lo, hi);
    }
}

#if TFLM_ISA_DSP_NATIVE
// Two output pixels (windows at x0 and x1, window rows xr0 and xr1 bytes
// apart; outputs at op and op + C) of nn_dw3x3_px_dsp, n >= 4, every nn_rq_t
// with rs >= 0: one requantisation pass over both (tflm_nn_rq2xn_v7em: one
// LDM of a channel's constants per two outputs).
static void nn_dw3x3_px2_dsp(const int8_t *x0, size_t xr0, const int8_t *x1, size_t xr1, const int8_t *w,
    int32_t C, int32_t n, const int32_t *cbias, const nn_rq_t *rq, const tflm_nn_q8_t *q, int8_t *op) {
    uint32_t sums[2 * NN_RQ_CHUNK];
    const int32_t n4 = n / 4, m = 4 * n4;
    for (int32_t j = 0; j < m; ++j) {
        sums[j] = 0;
        sums[NN_RQ_CHUNK + j] = 0;
    }
    tflm_nn_dw3x3_v7em(x0, w, C, (int32_t)xr0, n4, sums);
    tflm_nn_dw3x3_v7em(x1, w, C, (int32_t)xr1, n4, sums + NN_RQ_CHUNK);
    const nn_rq_job_t rj = { sums, cbias, rq, op, C, m / 2, nn_h2(q->out_zp), nn_h2(q->act_min),
        nn_h2(q->act_max) };
    tflm_nn_rq2xn_v7em(&rj);
    if (m < n) {
        nn_dw3x3_px_dsp(x0 + m, w + m, C, xr0, n - m, cbias + m, rq + m, q, op + m);
        nn_dw3x3_px_dsp(x1 + m, w + m, C, xr1, n - m, cbias + m, rq + m, q, op + C + m);
    }
}
#endif

// The 3x3 window of channels [c0, c0 + n) at (iy0, ix0) into patch + c0
// (taps C apart, rows 3 * C apart), padding taps at the input zero point.
static void nn_dw3_patch(const tflm_conv_geom_t *g, const int8_t *xb, int32_t iy0, int32_t ix0, int32_t c0,
    int32_t n, int8_t zp, int8_t *patch) {
    const int32_t C = g->in_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    int8_t *p = patch + c0;
    for (int32_t fy = 0; fy < 3; ++fy) {
        const int32_t iy = iy0 + fy;
        for (int32_t fx = 0; fx < 3; ++fx) {
            const int32_t ix = ix0 + fx;
            if (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w) {
                memcpy(p, xb + (size_t)iy * row + (size_t)ix * (size_t)C + (size_t)c0, (size_t)n);
            } else {
                memset(p, zp, (size_t)n);
            }
            p += C;
        }
    }
}

// DEPTHWISE_CONV_2D 3x3, dm 1, undilated, with its patch (9 * C bytes): a
// border pixel's window is copied (the chunk's channels only) with the
// padding taps at the input zero point.
static void nn_dw3x3_dsp(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    const int32_t C = g->in_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    const int once = C <= NN_RQ_CHUNK;
    nn_rq_t rq[NN_RQ_CHUNK];
    int rq_fast = 0;
    (void)rq_fast;
#if TFLM_ISA_DSP_NATIVE
    // The second pixel's patch when a pair has two border pixels (once only).
    int8_t patch2[9 * NN_RQ_CHUNK];
#endif
    if (once) {
        rq_fast = nn_rq_make(q, 0, C, rq);
    }
    // Output rows in order (see nn_conv_dsp), chunks of channels within a row;
    // without overlap between input and output the chunks go outermost (each
    // chunk's requantisation prepared once), as in nn_conv_dsp.
    const size_t bytes = (size_t)g->batches * (size_t)g->in_h * row;
    const size_t out_bytes = (size_t)g->batches * (size_t)g->out_h * (size_t)g->out_w * (size_t)C;
    const int apart = (uintptr_t)out >= (uintptr_t)in + bytes || (uintptr_t)in >= (uintptr_t)out + out_bytes;
    const int outer = !once && apart;
    const int32_t step = outer ? NN_RQ_CHUNK : C;
    for (int32_t ca = 0; ca < C; ca += step) {
        const int32_t cz = C - ca < step ? C - ca : step;
        if (outer) {
            rq_fast = nn_rq_make(q, ca, cz, rq);
        }
        for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
            const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
            for (int32_t oy = pt->p0 / g->out_w; oy <= (pt->p1 - 1) / g->out_w; ++oy) {
                const int32_t iy0 = oy * g->stride_h - g->pad_h;
                const int in_y = iy0 >= 0 && iy0 + 2 < g->in_h;
                int32_t xa, xe;
                nn_part_row(pt, g->out_w, oy, &xa, &xe);
                for (int32_t c0 = ca; c0 < ca + cz; c0 += NN_RQ_CHUNK) {
                    const int32_t n = ca + cz - c0 < NN_RQ_CHUNK ? ca + cz - c0 : NN_RQ_CHUNK;
                    if (!once && !outer) {
                        rq_fast = nn_rq_make(q, c0, n, rq);
                    }
                    for (int32_t ox = xa; ox < xe; ++ox) {
                        const int32_t ix0 = ox * g->stride_w - g->pad_w;
                        int8_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * (size_t)C + (size_t)c0;
                        const int in0 = in_y && ix0 >= 0 && ix0 + 2 < g->in_w;
#if TFLM_ISA_DSP_NATIVE
                        if (rq_fast && n >= 4 && ox + 1 < xe && (once || (in0 && ix0 + g->stride_w + 2 < g->in_w))) {
                            // A pair; a window that is not inside through a
                            // patch (the second one on the stack: C <= 64).
                            const int32_t ix1 = ix0 + g->stride_w;
                            const int in1 = in_y && ix1 >= 0 && ix1 + 2 < g->in_w;
                            const int8_t *x0 = patch + c0, *x1 = patch2 + c0;
                            size_t r0 = 3 * (size_t)C, r1 = 3 * (size_t)C;
                            if (in0) {
                                x0 = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C + (size_t)c0;
                                r0 = row;
                            } else {
                                nn_dw3_patch(g, xb, iy0, ix0, c0, n, (int8_t)q->in_zp, patch);
                            }
                            if (in1) {
                                x1 = xb + (size_t)iy0 * row + (size_t)ix1 * (size_t)C + (size_t)c0;
                                r1 = row;
                            } else {
                                nn_dw3_patch(g, xb, iy0, ix1, c0, n, (int8_t)q->in_zp, patch2);
                            }
                            nn_dw3x3_px2_dsp(x0, r0, x1, r1, filter + c0, C, n, q->cbias + c0, rq, q, op);
                            ++ox;
                            continue;
                        }
#endif
                        if (in0) {
                            const int8_t *x0 = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C + (size_t)c0;
                            nn_dw3x3_px_dsp(x0, filter + c0, C, row, n, q->cbias + c0, rq, q, op);
                            continue;
                        }
                        nn_dw3_patch(g, xb, iy0, ix0, c0, n, (int8_t)q->in_zp, patch);
                        nn_dw3x3_px_dsp(patch + c0, filter + c0, C, 3 * (size_t)C, n, q->cbias + c0, rq, q, op);
                    }
                }
            }
        }
    }
}
#endif // TFLM_ISA_DSP

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

#if !TFLM_ISA_DSP
// ---------------------------------------------------------------------------
// Kernels for cores without the DSP extension (Cortex-M0+, the host): the
// primitives of nn_v6m.c (assembly on ARMv6-M, C twins elsewhere), which
// deliver negated sums, and a requantisation prepared once per chunk of
// output channels and group of output pixels (tflm_nn_rqp_t, nn_group_end:
// the whole part unless the output overlaps the input).

// Output channels per chunk (their records and sums sit on the stack).
#define NN_CH 32
// Packed input positions per segment of the 2-pixel kernel (on the stack).
#define NN_XSEG 96

// The requantisation records of channels c0 + [0, n) (biases cbias + extra)
// for sums of K products; 1 when every channel takes the fast form of
// nn_v6m.h, else 0 (the chunk then takes the reference arithmetic).
static int nn_rqp_make(const tflm_nn_q8_t *q, int32_t c0, int32_t n, uint32_t extra, int32_t K,
    tflm_nn_rqp_t *p) {
    const int32_t k = q->per_ch ? c0 : 0;
    const int32_t bad = tflm_nn_rqp(q->cbias + c0, q->mult + k, q->shift + k, n, p, extra, q->per_ch ? 1 : 0);
    return bad == 0 && K <= 65534;
}

// zlh[3] of tflm_nn_rq: 0 when every a <= 0 gives act_min (zp <= act_min:
// ReLU-type activations), else INT32_MIN (no shortcut).
static int32_t nn_rq_floor(const tflm_nn_q8_t *q) {
    return q->out_zp <= q->act_min ? 0 : INT32_MIN;
}

// out[j] = requant(bias of channel c0 + j - ns[j]) for j < n.
static void nn_rq_out6(int fast, const int32_t *ns, const tflm_nn_rqp_t *p, const tflm_nn_q8_t *q, int32_t c0,
    int32_t n, const int32_t *zlh, int8_t *out) {
    if (fast) {
        tflm_nn_rq(ns, p, n, out, zlh);
        return;
    }
    for (int32_t j = 0; j < n; ++j) {
        out[j] = nn_requant((uint32_t)p[j].bias - (uint32_t)ns[j], q, c0 + j);
    }
}

// ns[c] = -x . w_c for the n rows w_c = w + c * K (K bytes) against one
// input vector.
static void nn_rows1(const int8_t *x, const int8_t *w, int32_t K, int32_t n, int32_t *ns) {
    const int32_t nb = n / 4;
    if (nb > 0) {
        tflm_nn_mat4(x, w, K, nb, ns);
    }
    for (int32_t c = 4 * nb; c < n; ++c) {
        const int8_t *wc = w + (size_t)c * (size_t)K;
        uint32_t s = 0;
        for (int32_t i = 0; i < K; ++i) {
            s += (uint32_t)(wc[i] * x[i]);
        }
        ns[c] = (int32_t)(0u - s);
    }
}

// X[i] = -(x0[i] + 2^16 * x1[i]) for i < n (the packed inputs of
// tflm_nn_mat2x2); a NULL x0 or x1 reads as zp.
static void nn_pack2(const int8_t *x0, const int8_t *x1, int32_t zp, int32_t n, uint32_t *X) {
    if (x0 != NULL && x1 != NULL) {
        tflm_nn_pack2(x0, x1, n, X);
    } else if (x0 != NULL) {
        const uint32_t h = (uint32_t)zp << 16;
        for (int32_t i = 0; i < n; ++i) {
            X[i] = 0u - ((uint32_t)(int32_t)x0[i] + h);
        }
    } else if (x1 != NULL) {
        for (int32_t i = 0; i < n; ++i) {
            X[i] = 0u - ((uint32_t)zp + ((uint32_t)(int32_t)x1[i] << 16));
        }
    } else {
        const uint32_t v = 0u - ((uint32_t)zp + ((uint32_t)zp << 16));
        for (int32_t i = 0; i < n; ++i) {
            X[i] = v;
        }
    }
}

// Positions k0 + [0, n) of the receptive fields of two pixels (packed in X)
// against the nc rows of w (K bytes each): ns0/ns1 from 0 when k0 == 0, else
// further down. Rows in pairs, an odd last one here.
static void nn_pair_seg(const uint32_t *X, const int8_t *w, int32_t K, int32_t k0, int32_t n, int32_t nc,
    int32_t *ns0, int32_t *ns1) {
    if (nc >= 2) {
        tflm_nn_mat2x2(X, w + k0, K, n, nc / 2, ns0, ns1, k0 == 0);
    }
    if (nc & 1) {
        const int32_t c = nc - 1;
        const int8_t *wc = w + (size_t)c * (size_t)K + (size_t)k0;
        uint32_t a0 = k0 == 0 ? 0u : (uint32_t)ns0[c], a1 = k0 == 0 ? 0u : (uint32_t)ns1[c];
        for (int32_t i = 0; i < n; ++i) {
            const uint32_t v = 0u - X[i];
            const int32_t x0 = (int32_t)(int16_t)(uint16_t)(v & 0xFFFFu);
            const int32_t x1 = (int32_t)(v - (uint32_t)x0) >> 16;
            a0 -= (uint32_t)(wc[i] * x0);
            a1 -= (uint32_t)(wc[i] * x1);
        }
        ns0[c] = (int32_t)a0;
        ns1[c] = (int32_t)a1;
    }
}

// The receptive fields of two pixels being packed into X for nn_pair_seg:
// its arguments, the position of X[0] in the field (k0) and the next free
// slot of X (fill).
typedef struct {
    uint32_t *X;
    const int8_t *w;
    int32_t K, nc, k0, fill;
    int32_t *ns0, *ns1;
} nn_pack_t;

// Appends n positions of both fields (a NULL run reads as zp), running the
// 2-pixel kernel whenever X is full.
static void nn_pack_run(nn_pack_t *pk, const int8_t *pa, const int8_t *pb, int32_t zp, int32_t n) {
    if (pa != NULL && pb != NULL && pk->fill + n <= NN_XSEG) {
        // (the usual case: both inside the input, room left in X)
        tflm_nn_pack2(pa, pb, n, pk->X + pk->fill);
        pk->fill += n;
        if (pk->fill == NN_XSEG) {
            nn_pair_seg(pk->X, pk->w, pk->K, pk->k0, pk->fill, pk->nc, pk->ns0, pk->ns1);
            pk->k0 += pk->fill;
            pk->fill = 0;
        }
        return;
    }
    for (int32_t c = 0; c < n;) {
        const int32_t len = n - c < NN_XSEG - pk->fill ? n - c : NN_XSEG - pk->fill;
        nn_pack2(pa != NULL ? pa + c : NULL, pb != NULL ? pb + c : NULL, zp, len, pk->X + pk->fill);
        pk->fill += len;
        c += len;
        if (pk->fill == NN_XSEG) {
            nn_pair_seg(pk->X, pk->w, pk->K, pk->k0, pk->fill, pk->nc, pk->ns0, pk->ns1);
            pk->k0 += pk->fill;
            pk->fill = 0;
        }
    }
}

// ns0 / ns1 of two output pixels whose windows start at input (iya, ixa)
// and (iyb, ixb), for the nc filter rows at w: their receptive fields
// packed NN_XSEG positions at a time (a window row at once when both
// windows' columns lie inside the input, undilated), padding taps reading
// as zp.
static void nn_conv_pair(const tflm_conv_geom_t *g, const int8_t *xb, int32_t iya, int32_t ixa, int32_t iyb,
    int32_t ixb, int32_t zp, const int8_t *w, int32_t nc, uint32_t *X, int32_t *ns0, int32_t *ns1) {
    const int32_t C = g->in_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    nn_pack_t pk = { X, w, g->f_h * g->f_w * C, nc, 0, 0, ns0, ns1 };
    const int cols = g->dil_w == 1 && ixa >= 0 && ixa + g->f_w <= g->in_w && ixb >= 0 && ixb + g->f_w <= g->in_w;
    for (int32_t fy = 0; fy < g->f_h; ++fy) {
        const int32_t ya = iya + g->dil_h * fy, yb = iyb + g->dil_h * fy;
        const int ra = ya >= 0 && ya < g->in_h, rb = yb >= 0 && yb < g->in_h;
        if (cols) {
            nn_pack_run(&pk, ra ? xb + (size_t)ya * row + (size_t)ixa * (size_t)C : NULL,
                rb ? xb + (size_t)yb * row + (size_t)ixb * (size_t)C : NULL, zp, g->f_w * C);
            continue;
        }
        for (int32_t fx = 0; fx < g->f_w; ++fx) {
            const int32_t xa = ixa + g->dil_w * fx, xb2 = ixb + g->dil_w * fx;
            const int8_t *pa = ra && xa >= 0 && xa < g->in_w ? xb + (size_t)ya * row + (size_t)xa * (size_t)C : NULL;
            const int8_t *pb = rb && xb2 >= 0 && xb2 < g->in_w ? xb + (size_t)yb * row + (size_t)xb2 * (size_t)C
                                                                : NULL;
            nn_pack_run(&pk, pa, pb, zp, C);
        }
    }
    if (pk.fill > 0) {
        nn_pair_seg(X, w, pk.K, pk.k0, pk.fill, nc, ns0, ns1);
    }
}

// The end of a group of output pixels [ga, ge) of batch b that may be
// computed chunk of channels by chunk of channels (every chunk reads the
// group's inputs again): its output bytes must not overlap the input bytes
// that the group's first row reads, nor any later input. When the output
// overlaps the input (the planner's streaming placement, tflm_allow_overlap)
// that can be as little as the rest of ga's row (the planner's promise:
// a row's output is written only after the rows it needs were read).
static int32_t nn_group_end(const tflm_conv_geom_t *g, const int8_t *xb, const int8_t *ob, int32_t ga, int32_t p1) {
    const int32_t ow = g->out_w, oc = g->out_c;
    const uintptr_t rowi = (uintptr_t)g->in_w * (uintptr_t)g->in_c;
    const int32_t iy = (ga / ow) * g->stride_h - g->pad_h;
    const uintptr_t lo = (uintptr_t)xb + (iy > 0 ? (uintptr_t)iy * rowi : 0u);
    const uintptr_t hi = (uintptr_t)xb + (uintptr_t)g->in_h * rowi;
    const uintptr_t o0 = (uintptr_t)ob + (uintptr_t)ga * (uintptr_t)oc;
    const uintptr_t o1 = (uintptr_t)ob + (uintptr_t)p1 * (uintptr_t)oc;
    if (o1 <= lo || o0 >= hi) {
        return p1;
    }
    const int32_t row_end = (ga / ow + 1) * ow < p1 ? (ga / ow + 1) * ow : p1;
    if (o0 >= lo) {
        return row_end;
    }
    const uintptr_t room = (lo - (uintptr_t)ob) / (uintptr_t)oc;
    return room > (uintptr_t)row_end ? (int32_t)room : row_end;
}

// CONV_2D: per group of output pixels (nn_group_end; the whole part when
// one chunk holds all channels: then pixels are finished in order) and chunk
// of channels, pixels in pairs (the
// 2-pixel kernel; a pair may span two rows), an odd last one against its
// patch (or in place, 1x1).
static void nn_conv_v6(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    const int32_t C = g->in_c;
    const int32_t K = g->f_h * g->f_w * C;
    const int32_t out_c = g->out_c;
    const int32_t ow = g->out_w;
    const int pointwise = g->f_h == 1 && g->f_w == 1;
    const int32_t zlh[4] = { q->out_zp, q->act_min, q->act_max, nn_rq_floor(q) };
    tflm_nn_rqp_t rqp[NN_CH];
    int32_t ns0[NN_CH], ns1[NN_CH];
    uint32_t X[NN_XSEG];
    int32_t have = -1, back = 1;
    int fast = 0;
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0 && pt->c1 > pt->c0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * (size_t)g->in_w * (size_t)C;
        int8_t *ob = out + (size_t)b * (size_t)g->out_h * (size_t)ow * (size_t)out_c;
        for (int32_t ga = pt->p0; ga < pt->p1;) {
            const int32_t ge = pt->c1 - pt->c0 <= NN_CH ? pt->p1 : nn_group_end(g, xb, ob, ga, pt->p1);
            back = !back;
            // Chunks forwards and backwards in turn: the records of a
            // group's last chunk serve the next group's first.
            const int32_t nch = (pt->c1 - pt->c0 + NN_CH - 1) / NN_CH;
            for (int32_t ci = 0; ci < nch; ++ci) {
                const int32_t c0 = pt->c0 + (back ? nch - 1 - ci : ci) * NN_CH;
                const int32_t nc = pt->c1 - c0 < NN_CH ? pt->c1 - c0 : NN_CH;
                if (c0 != have) {
                    fast = nn_rqp_make(q, c0, nc, 0u, K, rqp);
                    have = c0;
                }
                const int8_t *wc = filter + (size_t)c0 * (size_t)K;
                int32_t px = ga;
                // (oy, ox) of pixel px, kept without dividing
                int32_t oy = ga / ow, ox = ga - oy * ow;
                for (; px + 1 < ge; px += 2) {
                    const int32_t ya = oy, xa = ox;
                    if (++ox == ow) {
                        ox = 0;
                        ++oy;
                    }
                    nn_conv_pair(g, xb, ya * g->stride_h - g->pad_h, xa * g->stride_w - g->pad_w,
                        oy * g->stride_h - g->pad_h, ox * g->stride_w - g->pad_w, q->in_zp, wc, nc, X, ns0, ns1);
                    if (++ox == ow) {
                        ox = 0;
                        ++oy;
                    }
                    int8_t *op = ob + (size_t)px * (size_t)out_c + (size_t)c0;
                    nn_rq_out6(fast, ns0, rqp, q, c0, nc, zlh, op);
                    nn_rq_out6(fast, ns1, rqp, q, c0, nc, zlh, op + out_c);
                }
                if (px < ge) {
                    const int32_t iy0 = oy * g->stride_h - g->pad_h, ix0 = ox * g->stride_w - g->pad_w;
                    const int8_t *x;
                    if (pointwise) {
                        // A 1x1 window never leaves the input (its padding is 0).
                        x = xb + ((size_t)iy0 * (size_t)g->in_w + (size_t)ix0) * (size_t)C;
                    } else {
                        conv_patch(g, xb, iy0, ix0, (int8_t)q->in_zp, patch);
                        x = patch;
                    }
                    nn_rows1(x, wc, K, nc, ns0);
                    nn_rq_out6(fast, ns0, rqp, q, c0, nc, zlh, ob + (size_t)px * (size_t)out_c + (size_t)c0);
                }
            }
            ga = ge;
        }
    }
}

// FULLY_CONNECTED, one input row: chunks of units against it.
static void nn_fc_v6(const int8_t *x, const int8_t *w, int32_t accum, int32_t units, uint32_t extra,
    const tflm_nn_q8_t *q, int8_t *out) {
    const int32_t zlh[4] = { q->out_zp, q->act_min, q->act_max, nn_rq_floor(q) };
    tflm_nn_rqp_t rqp[NN_CH];
    int32_t ns[NN_CH];
    for (int32_t c0 = 0; c0 < units; c0 += NN_CH) {
        const int32_t nc = units - c0 < NN_CH ? units - c0 : NN_CH;
        const int fast = nn_rqp_make(q, c0, nc, extra, accum, rqp);
        nn_rows1(x, w + (size_t)c0 * (size_t)accum, accum, nc, ns);
        nn_rq_out6(fast, ns, rqp, q, c0, nc, zlh, out + c0);
    }
}
#endif // !TFLM_ISA_DSP

void tflm_conv2d_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q_in, const tflm_nn_part_t *pt,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    // A local copy: stores to the int8 output cannot alias it.
    const tflm_nn_q8_t qv = *q_in;
#if TFLM_ISA_DSP
    nn_conv_dsp(g, &qv, pt, in, filter, patch, out);
#else
    nn_conv_v6(g, &qv, pt, in, filter, patch, out);
#endif
}

// Largest window whose taps are listed per pixel (5x5 included).
#define NN_DW_MAX_TAPS 32

#if !TFLM_ISA_DSP
// Output channels per chunk of the gathered-taps depthwise path, and its
// transposed weights (bytes), both on the stack.
#define NN_DWG_CH 16
#define NN_WT 160

// DEPTHWISE_CONV_2D 3x3, undilated, depth multiplier 1, on tflm_nn_dw3x3:
// per group of output pixels (nn_group_end) and chunk of channels, each
// pixel's window in place (border pixels: the chunk's channels of a padded
// window in patch, rows of 3 * C).
static void nn_dw3_v6(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt, const int8_t *in,
    const int8_t *filter, int8_t *patch, int8_t *out) {
    const int32_t C = g->in_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    const int32_t ow = g->out_w;
    const int32_t zlh[4] = { q->out_zp, q->act_min, q->act_max, nn_rq_floor(q) };
    tflm_nn_rqp_t rqp[NN_CH];
    int32_t ns[NN_CH];
    int32_t have = -1, back = 1;
    int fast = 0;
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
        int8_t *ob = out + (size_t)b * (size_t)g->out_h * (size_t)ow * (size_t)C;
        for (int32_t ga = pt->p0; ga < pt->p1;) {
            const int32_t ge = C <= NN_CH ? pt->p1 : nn_group_end(g, xb, ob, ga, pt->p1);
            // Chunks forwards and backwards in turn (see nn_conv_v6).
            const int32_t nch = (C + NN_CH - 1) / NN_CH;
            back = !back;
            for (int32_t ci = 0; ci < nch; ++ci) {
                const int32_t c0 = (back ? nch - 1 - ci : ci) * NN_CH;
                const int32_t n = C - c0 < NN_CH ? C - c0 : NN_CH;
                if (c0 != have) {
                    fast = nn_rqp_make(q, c0, n, 0u, 9, rqp);
                    have = c0;
                }
                // (oy, ox) of pixel px, kept without dividing
                int32_t oy = ga / ow, ox = ga - oy * ow;
                for (int32_t px = ga; px < ge; ++px, ++ox) {
                    if (ox == ow) {
                        ox = 0;
                        ++oy;
                    }
                    const int32_t iy0 = oy * g->stride_h - g->pad_h;
                    const int32_t ix0 = ox * g->stride_w - g->pad_w;
                    const int8_t *x0;
                    int32_t xrow = (int32_t)row;
                    if (iy0 >= 0 && iy0 + 2 < g->in_h && ix0 >= 0 && ix0 + 2 < g->in_w) {
                        // (The window's start is only formed for interior
                        // pixels: a border pixel's may lie before the input.)
                        x0 = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C;
                    } else {
                        for (int32_t t = 0; t < 9; ++t) {
                            const int32_t iy = iy0 + t / 3, ix = ix0 + t % 3;
                            int8_t *p = patch + (size_t)t * (size_t)C + (size_t)c0;
                            if (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w) {
                                memcpy(p, xb + (size_t)iy * row + (size_t)ix * (size_t)C + (size_t)c0, (size_t)n);
                            } else {
                                memset(p, (int8_t)q->in_zp, (size_t)n);
                            }
                        }
                        x0 = patch;
                        xrow = 3 * C;
                    }
                    tflm_nn_dw3x3(x0 + c0, filter + c0, C, n, xrow, ns);
                    nn_rq_out6(fast, ns, rqp, q, c0, n, zlh, ob + (size_t)px * (size_t)C + (size_t)c0);
                }
            }
            ga = ge;
        }
    }
}

// The input offsets of the taps of the window at (iy0, ix0), -1 for taps in
// the padding.
static void nn_dw_taps(const tflm_conv_geom_t *g, int32_t iy0, int32_t ix0, int32_t *xo) {
    const size_t row = (size_t)g->in_w * (size_t)g->in_c;
    for (int32_t fy = 0, t = 0; fy < g->f_h; ++fy) {
        const int32_t iy = iy0 + g->dil_h * fy;
        for (int32_t fx = 0; fx < g->f_w; ++fx, ++t) {
            const int32_t ix = ix0 + g->dil_w * fx;
            const int ok = iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w;
            xo[t] = ok ? (int32_t)((size_t)iy * row + (size_t)ix * (size_t)g->in_c) : -1;
        }
    }
}

// DEPTHWISE_CONV_2D, any other window of up to NN_DW_MAX_TAPS taps, as
// small matrix products: per group of output pixels and chunk of input
// channels, the chunk's weights transposed (one row of taps per output
// channel); then per pair of pixels and input channel their taps gathered
// and packed (padding taps reading as the input zero point) against the
// input channel's dm rows (tflm_nn_mat2x2); an odd last pixel alone.
// 0 when the layer does not fit (nn_dwconv_any then).
static int nn_dwg_v6(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt, int32_t dm,
    const int8_t *in, const int8_t *filter, int8_t *out) {
    const int32_t C = g->in_c;
    const int32_t OC = g->out_c;
    const int32_t nt = g->f_h * g->f_w;
    if (nt > NN_DW_MAX_TAPS || dm > NN_DWG_CH || (int64_t)nt * dm > NN_WT) {
        return 0;
    }
    // Input channels per chunk.
    const int32_t nic = NN_DWG_CH / dm < NN_WT / (nt * dm) ? NN_DWG_CH / dm : NN_WT / (nt * dm);
    const size_t row = (size_t)g->in_w * (size_t)C;
    const int32_t ow = g->out_w;
    const int32_t zp = q->in_zp;
    const int32_t zlh[4] = { q->out_zp, q->act_min, q->act_max, nn_rq_floor(q) };
    tflm_nn_rqp_t rqp[NN_DWG_CH];
    int32_t ns0[NN_DWG_CH], ns1[NN_DWG_CH];
    int8_t wt[NN_WT];
    uint32_t X[NN_DW_MAX_TAPS];
    int32_t xa[NN_DW_MAX_TAPS], xe[NN_DW_MAX_TAPS], rel[NN_DW_MAX_TAPS];
    const int32_t span_h = (g->f_h - 1) * g->dil_h, span_w = (g->f_w - 1) * g->dil_w;
    for (int32_t fy = 0, t = 0; fy < g->f_h; ++fy) {
        for (int32_t fx = 0; fx < g->f_w; ++fx, ++t) {
            rel[t] = (int32_t)((size_t)(fy * g->dil_h) * row + (size_t)(fx * g->dil_w) * (size_t)C);
        }
    }
    int32_t have = -1, back = 1;
    int fast = 0;
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
        int8_t *ob = out + (size_t)b * (size_t)g->out_h * (size_t)ow * (size_t)OC;
        for (int32_t ga = pt->p0; ga < pt->p1;) {
            const int32_t ge = C <= nic ? pt->p1 : nn_group_end(g, xb, ob, ga, pt->p1);
            // Chunks forwards and backwards in turn (see nn_conv_v6).
            const int32_t nch = (C + nic - 1) / nic;
            back = !back;
            for (int32_t ci = 0; ci < nch; ++ci) {
                const int32_t ic0 = (back ? nch - 1 - ci : ci) * nic;
                const int32_t ni = C - ic0 < nic ? C - ic0 : nic;
                const int32_t oc0 = ic0 * dm, nc = ni * dm;
                if (ic0 != have) {
                    fast = nn_rqp_make(q, oc0, nc, 0u, nt, rqp);
                    have = ic0;
                    for (int32_t j = 0; j < nc; ++j) {
                        for (int32_t t = 0; t < nt; ++t) {
                            wt[j * nt + t] = filter[(size_t)t * (size_t)OC + (size_t)(oc0 + j)];
                        }
                    }
                }
                // (oy, ox) of pixel px, kept without dividing
                int32_t oy = ga / ow, ox = ga - oy * ow;
                int32_t px = ga;
                for (; px + 1 < ge; px += 2) {
                    const int32_t iya = oy * g->stride_h - g->pad_h, ixa = ox * g->stride_w - g->pad_w;
                    if (++ox == ow) {
                        ox = 0;
                        ++oy;
                    }
                    const int32_t iyb = oy * g->stride_h - g->pad_h, ixb = ox * g->stride_w - g->pad_w;
                    if (++ox == ow) {
                        ox = 0;
                        ++oy;
                    }
                    if (iya >= 0 && iyb >= 0 && iya + span_h < g->in_h && iyb + span_h < g->in_h && ixa >= 0
                        && ixb >= 0 && ixa + span_w < g->in_w && ixb + span_w < g->in_w) {
                        // Both windows inside the input: the taps at rel[] from their starts.
                        const int8_t *pa = xb + (size_t)iya * row + (size_t)ixa * (size_t)C + (size_t)ic0;
                        const int8_t *pb = xb + (size_t)iyb * row + (size_t)ixb * (size_t)C + (size_t)ic0;
                        for (int32_t i = 0; i < ni; ++i, ++pa, ++pb) {
                            for (int32_t t = 0; t < nt; ++t) {
                                X[t] = 0u - ((uint32_t)(int32_t)pa[rel[t]] + ((uint32_t)(int32_t)pb[rel[t]] << 16));
                            }
                            nn_pair_seg(X, wt + (size_t)i * (size_t)dm * (size_t)nt, nt, 0, nt, dm, ns0 + i * dm,
                                ns1 + i * dm);
                        }
                    } else {
                        nn_dw_taps(g, iya, ixa, xa);
                        nn_dw_taps(g, iyb, ixb, xe);
                        for (int32_t i = 0; i < ni; ++i) {
                            const int8_t *xc = xb + ic0 + i;
                            for (int32_t t = 0; t < nt; ++t) {
                                const int32_t va = xa[t] >= 0 ? xc[xa[t]] : zp;
                                const int32_t vb = xe[t] >= 0 ? xc[xe[t]] : zp;
                                X[t] = 0u - ((uint32_t)va + ((uint32_t)vb << 16));
                            }
                            nn_pair_seg(X, wt + (size_t)i * (size_t)dm * (size_t)nt, nt, 0, nt, dm, ns0 + i * dm,
                                ns1 + i * dm);
                        }
                    }
                    int8_t *op = ob + (size_t)px * (size_t)OC + (size_t)oc0;
                    nn_rq_out6(fast, ns0, rqp, q, oc0, nc, zlh, op);
                    nn_rq_out6(fast, ns1, rqp, q, oc0, nc, zlh, op + OC);
                }
                if (px < ge) {
                    int8_t v[NN_DW_MAX_TAPS];
                    nn_dw_taps(g, oy * g->stride_h - g->pad_h, ox * g->stride_w - g->pad_w, xa);
                    for (int32_t i = 0; i < ni; ++i) {
                        const int8_t *xc = xb + ic0 + i;
                        for (int32_t t = 0; t < nt; ++t) {
                            v[t] = xa[t] >= 0 ? xc[xa[t]] : (int8_t)zp;
                        }
                        nn_rows1(v, wt + (size_t)i * (size_t)dm * (size_t)nt, nt, dm, ns0 + i * dm);
                    }
                    nn_rq_out6(fast, ns0, rqp, q, oc0, nc, zlh, ob + (size_t)px * (size_t)OC + (size_t)oc0);
                }
            }
            ga = ge;
        }
    }
    return 1;
}
#endif // !TFLM_ISA_DSP

// DEPTHWISE_CONV_2D, any window: per pixel the taps inside the input listed
// once, then per output channel.
#if TFLM_ISA_DSP_NATIVE
// Two output pixels of a depthwise layer with dm % 4 == 0, both windows
// inside the input (x: the first window's top-left tap, the second dx bytes
// on; rel[t]: tap t's input offset, filter tap t at t * OC), OC <= NN_RQ_CHUNK
// channels, every nn_rq_t with rs >= 0: the sums of both pixels, then one
// requantisation pass (tflm_nn_rq2xn_v7em) into op and op + OC.
static void nn_dwdm_px2_dsp(const int8_t *x, size_t dx, const int32_t *rel, int32_t taps, int32_t C, int32_t dm,
    const int8_t *filter, const nn_rq_t *rq, const tflm_nn_q8_t *q, int8_t *op) {
    const int32_t OC = C * dm;
    uint32_t sums[2 * NN_RQ_CHUNK];
    for (int k = 0; k < 2; ++k) {
        const int8_t *xw = x + (size_t)k * dx;
        uint32_t *sk = sums + k * NN_RQ_CHUNK;
        int32_t oc = 0;
        for (int32_t ic = 0; ic < C; ++ic) {
            uint32_t xp[NN_DW_MAX_TAPS];
            for (int32_t t = 0; t < taps; ++t) {
                xp[t] = ((uint32_t)xw[(size_t)rel[t] + (size_t)ic] & 0xFFFFu) * 0x10001u;
            }
            for (int32_t m = 0; m < dm; m += 4, oc += 4) {
                const int8_t *wc = filter + oc;
                uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                for (int32_t t = 0; t < taps; ++t) {
                    const uint32_t wv = nn_ld4(wc + (size_t)t * (size_t)OC);
                    const uint32_t w02 = nn_sx02(wv), w13 = nn_sx13(wv);
                    a0 = nn_smlabb(w02, xp[t], a0);
                    a2 = nn_smlatt(w02, xp[t], a2);
                    a1 = nn_smlabb(w13, xp[t], a1);
                    a3 = nn_smlatt(w13, xp[t], a3);
                }
                sk[oc] = a0;
                sk[oc + 1] = a1;
                sk[oc + 2] = a2;
                sk[oc + 3] = a3;
            }
        }
    }
    const nn_rq_job_t rj = { sums, q->cbias, rq, op, OC, OC / 2, nn_h2(q->out_zp), nn_h2(q->act_min),
        nn_h2(q->act_max) };
    tflm_nn_rq2xn_v7em(&rj);
}
#endif

static void nn_dwconv_any(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt, int32_t dm,
    const int8_t *in, const int8_t *filter, int8_t *out) {
    const int32_t C = g->in_c;
    const int32_t OC = g->out_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
#if TFLM_ISA_DSP
    nn_rq_t rq_all[NN_RQ_CHUNK];
    const int rq_ok = OC <= NN_RQ_CHUNK;
    int rq_fast = 0;
    (void)rq_fast;
    if (rq_ok) {
        rq_fast = nn_rq_make(q, 0, OC, rq_all);
    }
#endif
#if TFLM_ISA_DSP_NATIVE
    // Pairs of pixels whose windows lie inside the input: nn_dwdm_px2_dsp.
    const int32_t taps = g->f_h * g->f_w;
    const int pair_ok = rq_ok && rq_fast && (dm & 3) == 0 && taps <= NN_DW_MAX_TAPS;
    int32_t rel[NN_DW_MAX_TAPS];
    if (pair_ok) {
        for (int32_t t = 0; t < taps; ++t) {
            rel[t] = (int32_t)((size_t)(t / g->f_w) * (size_t)g->dil_h * row
                + (size_t)(t % g->f_w) * (size_t)g->dil_w * (size_t)C);
        }
    }
    const int64_t span_h = (int64_t)(g->f_h - 1) * g->dil_h;
    const int64_t span_w = (int64_t)(g->f_w - 1) * g->dil_w;
#endif
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
        for (int32_t oy = pt->p0 / g->out_w; oy <= (pt->p1 - 1) / g->out_w; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            int32_t xa, xe;
            nn_part_row(pt, g->out_w, oy, &xa, &xe);
            for (int32_t ox = xa; ox < xe; ++ox) {
                const int32_t ix0 = ox * g->stride_w - g->pad_w;
                int8_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * (size_t)OC;
#if TFLM_ISA_DSP_NATIVE
                if (pair_ok && ox + 1 < xe && iy0 >= 0 && (int64_t)iy0 + span_h < g->in_h && ix0 >= 0
                    && (int64_t)ix0 + g->stride_w + span_w < g->in_w) {
                    nn_dwdm_px2_dsp(xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C, (size_t)g->stride_w * (size_t)C,
                        rel, taps, C, dm, filter, rq_all, q, op);
                    ++ox;
                    continue;
                }
#endif
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
#if TFLM_ISA_DSP
                    if (rq_ok) {
                        // The valid taps' inputs once per input channel, the
                        // requantisation prepared once per layer.
                        int32_t oc = 0;
                        for (int32_t ic = 0; ic < C; ++ic) {
                            int32_t xv[NN_DW_MAX_TAPS];
                            for (int32_t t = 0; t < nv; ++t) {
                                xv[t] = xb[(size_t)xo[t] + (size_t)ic];
                            }
                            int32_t m = 0;
                            if ((dm & 3) == 0) {
                                // Four output channels per step: their weights
                                // are adjacent at each tap; the input value in
                                // both halves of a word.
                                uint32_t xp[NN_DW_MAX_TAPS];
                                for (int32_t t = 0; t < nv; ++t) {
                                    xp[t] = ((uint32_t)xv[t] & 0xFFFFu) | ((uint32_t)xv[t] << 16);
                                }
                                for (; m < dm; m += 4, oc += 4) {
                                    const int8_t *wc = filter + oc;
                                    uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                                    for (int32_t t = 0; t < nv; ++t) {
                                        const uint32_t wv = nn_ld4(wc + wo[t]);
                                        const uint32_t w02 = nn_sx02(wv), w13 = nn_sx13(wv);
                                        a0 = nn_smlabb(w02, xp[t], a0);
                                        a2 = nn_smlatt(w02, xp[t], a2);
                                        a1 = nn_smlabb(w13, xp[t], a1);
                                        a3 = nn_smlatt(w13, xp[t], a3);
                                    }
                                    const uint32_t a[4] = { a0, a1, a2, a3 };
                                    for (int j = 0; j < 4; ++j) {
                                        int32_t p = 0;
                                        for (int32_t t = 0; t < np; ++t) {
                                            p += wc[po[t] + j];
                                        }
                                        const uint32_t acc = (uint32_t)q->cbias[oc + j] + a[j]
                                            + (uint32_t)p * (uint32_t)q->in_zp;
                                        op[oc + j] = nn_rq_out(acc, &rq_all[oc + j], q->out_zp, q->act_min,
                                            q->act_max);
                                    }
                                }
                            }
                            for (; m < dm; ++m, ++oc) {
                                const int8_t *wc = filter + oc;
                                int32_t sum = 0, p = 0;
                                for (int32_t t = 0; t < nv; ++t) {
                                    sum += wc[wo[t]] * xv[t];
                                }
                                for (int32_t t = 0; t < np; ++t) {
                                    p += wc[po[t]];
                                }
                                const uint32_t acc = (uint32_t)q->cbias[oc] + (uint32_t)sum
                                    + (uint32_t)p * (uint32_t)q->in_zp;
                                op[oc] = nn_rq_out(acc, &rq_all[oc], q->out_zp, q->act_min, q->act_max);
                            }
                        }
                        continue;
                    }
#endif
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

void tflm_dwconv_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q_in, const tflm_nn_part_t *pt, int32_t dm,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    // A local copy: stores to the int8 output cannot alias it.
    const tflm_nn_q8_t qv = *q_in;
#if TFLM_ISA_DSP
    if (dm == 1 && g->f_h == 3 && g->f_w == 3 && g->dil_h == 1 && g->dil_w == 1 && patch != NULL) {
        nn_dw3x3_dsp(g, &qv, pt, in, filter, patch, out);
        return;
    }
#else
    if (dm == 1 && g->f_h == 3 && g->f_w == 3 && g->dil_h == 1 && g->dil_w == 1 && patch != NULL) {
        nn_dw3_v6(g, &qv, pt, in, filter, patch, out);
        return;
    }
    if (nn_dwg_v6(g, &qv, pt, dm, in, filter, out)) {
        return;
    }
#endif
    nn_dwconv_any(g, &qv, pt, dm, in, filter, out);
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
#if TFLM_ISA_DSP
        nn_fc_dsp(x, w, accum, units, extra, q, op);
#else
        nn_fc_v6(x, w, accum, units, extra, q, op);
#endif
    }
}

#else

// Keeps the translation unit non-empty when the optimised kernels are off.
typedef int tflm_nn_s8_unused_t;

#endif // TFLM_OPT_NN
