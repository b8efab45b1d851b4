// Restructured int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED kernels
// (see nn_s8.h), shaped for a Cortex-M0+ (8 low registers, one 1-cycle MULS,
// no SIMD): the input offset is folded into a per-channel constant, one
// loaded input byte feeds four output channels, a 32-bit-only requantisation,
// padding handled only on border pixels (a copied window). Two small
// primitives (nn_mat4, nn_dw3x3) have ARMv6-M assembly bodies
// (TFLM_ISA_V6M) and a C body with the same contract for every other target.
// On ARMv7E-M (TFLM_ISA_DSP) the three ops take the DSP kernels below
// instead: SXTB16/SMLAD dot products (assembly inner loops), pixels in pairs,
// and a requantisation prepared once per chunk of channels.
#include <stddef.h>
#include <string.h>
#include "../tflm_isa.h"
#include "nn_s8.h"
#include "../ref/qmath.h"
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

void tflm_nn_fold_bias(const int8_t *w, const int32_t *bias, int32_t n_ch, int32_t n, int32_t ch_stride,
    int32_t el_stride, int32_t in_off, int32_t extra, int32_t *cbias) {
    for (int32_t c = 0; c < n_ch; ++c) {
        const int8_t *wc = w + (size_t)c * (size_t)ch_stride;
        uint32_t s = 0;
        int32_t i = 0;
#if TFLM_ISA_DSP_NATIVE
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
// them back to back), 8 SXTB16, 8 SMLAD for 16 MACs; two steps per loop.
void tflm_nn_dot2x2_v7em(const int8_t *x0, const int8_t *w0, int32_t dx, int32_t dw, int32_t n4, uint32_t *acc);
// tflm_nn_dot1x4_v7em(x, w0, ws, n4, acc): acc[j] += x.w_j, w_j = w0 + j * ws.
// Registers: r0 x, r1/r8/r9/r10 the rows, r4-r7 the sums, r2, r3, r11, r12,
// lr the words; the end of x at [sp]. Per step: 5 loads (two runs), 10
// SXTB16, 8 SMLAD; two steps per loop.
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
    "\tbic r5, r4, #1\n"
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
    "\tldr r12, [sp, #0]\n"
    "\tcmp r0, r12\n"
    "\tbne 1b\n"
    "2:\n"
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
    "\tbic r3, r3, #1\n"
    "\tadd r3, r0, r3, lsl #2\n"
    "\tstr r3, [sp, #0]\n"
    "\tcmp r0, r3\n"
    "\tbeq 2f\n"
    "1:\n"
    NN_D14_STEP
    NN_D14_STEP
    "\tldr r3, [sp, #0]\n"
    "\tcmp r0, r3\n"
    "\tbne 1b\n"
    "2:\n"
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
    // sums[4p..4p+3]; len a multiple of 4, >= 4. Frame: [sp] the segment's x,
    // [sp+4] segments left, [sp+8] the sums pointer, [sp+12] the end of the
    // segment's even part, [sp+16] pairs left, [sp+20] the job.
    "\t.balign 4\n"
    "\t.global tflm_nn_conv2x2_v7em\n"
    "\t.type tflm_nn_conv2x2_v7em, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_conv2x2_v7em:\n"
    "\tpush {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "\tsub sp, sp, #24\n"
    "\tstr r0, [sp, #20]\n"
    "\tldr r1, [r0, #4]\n"
    "\tldr r2, [r0, #8]\n"
    "\tldr r3, [r0, #24]\n"
    "\tldr r4, [r0, #28]\n"
    "\tstr r4, [sp, #16]\n"
    "\tldr r4, [r0, #32]\n"
    "\tstr r4, [sp, #8]\n"
    "6:\n"
    "\tmovs r4, #0\n"
    "\tmovs r5, #0\n"
    "\tmovs r6, #0\n"
    "\tmovs r7, #0\n"
    "\tldr r12, [sp, #20]\n"
    "\tldr r0, [r12, #0]\n"
    "\tstr r0, [sp, #0]\n"
    "\tldr r8, [r12, #16]\n"
    "\tstr r8, [sp, #4]\n"
    "7:\n"
    "\tldr r12, [sp, #20]\n"
    "\tldr r8, [r12, #12]\n"
    "\tlsrs r8, r8, #2\n"
    "\tbic r8, r8, #1\n"
    "\tadd r8, r0, r8, lsl #2\n"
    "\tstr r8, [sp, #12]\n"
    "\tcmp r0, r8\n"
    "\tbeq 4f\n"
    "1:\n"
    NN_D22_STEP
    NN_D22_STEP
    "\tldr r12, [sp, #12]\n"
    "\tcmp r0, r12\n"
    "\tbne 1b\n"
    "4:\n"
    "\tldr r12, [sp, #20]\n"
    "\tldr r12, [r12, #12]\n"
    "\ttst r12, #4\n"
    "\tbeq 5f\n"
    NN_D22_STEP
    "5:\n"
    "\tldr r12, [sp, #20]\n"
    "\tldr r12, [r12, #20]\n"
    "\tldr r0, [sp, #0]\n"
    "\tadd r0, r0, r12\n"
    "\tstr r0, [sp, #0]\n"
    "\tldr r12, [sp, #4]\n"
    "\tsubs r12, r12, #1\n"
    "\tstr r12, [sp, #4]\n"
    "\tbne 7b\n"
    "\tldr r12, [sp, #8]\n"
    "\tstmia r12!, {r4, r5, r6, r7}\n"
    "\tstr r12, [sp, #8]\n"
    "\tadd r1, r1, r3\n"
    "\tldr r12, [sp, #16]\n"
    "\tsubs r12, r12, #1\n"
    "\tstr r12, [sp, #16]\n"
    "\tbne 6b\n"
    "\tadd sp, sp, #24\n"
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
typedef struct {
    int32_t qm, shift, rs;
    uint32_t k_lo;
    int32_t k_hi;
} nn_rq_t;

// Channels per chunk (their nn_rq_t sit on the stack).
#define NN_RQ_CHUNK 64
// Receptive fields up to this many bytes get a second patch on the stack.
#define NN_PATCH2 640

static void nn_rq_make(const tflm_nn_q8_t *q, int32_t c0, int32_t n, nn_rq_t *rq) {
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
    }
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
static void nn_rows2_dsp(const nn_vec_t *v, const int8_t *x1, const int8_t *w, int32_t K, int32_t n,
    const int32_t *cbias, const nn_rq_t *rq, const tflm_nn_q8_t *q, int8_t *out0, int8_t *out1) {
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
        for (int32_t p = 0; p < np; ++p, c += 2) {
            const uint32_t b0 = (uint32_t)cbias[c], b1 = (uint32_t)cbias[c + 1];
            out0[c] = nn_rq_out(sums[4 * p] + b0, &rq[c], zp, lo, hi);
            out0[c + 1] = nn_rq_out(sums[4 * p + 1] + b1, &rq[c + 1], zp, lo, hi);
            out1[c] = nn_rq_out(sums[4 * p + 2] + b0, &rq[c], zp, lo, hi);
            out1[c + 1] = nn_rq_out(sums[4 * p + 3] + b1, &rq[c + 1], zp, lo, hi);
        }
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
    // A second patch for small receptive fields (pairs of border pixels).
    int8_t patch2[NN_PATCH2];
    if (once && pt->c1 > pt->c0) {
        nn_rq_make(q, pt->c0, pt->c1 - pt->c0, rq);
    }
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
        for (int32_t oy = pt->p0 / g->out_w; oy <= (pt->p1 - 1) / g->out_w; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int in_y = iy0 >= 0 && (int64_t)iy0 + span_h < g->in_h;
            int32_t xa, xe;
            nn_part_row(pt, g->out_w, oy, &xa, &xe);
            for (int32_t c0 = pt->c0; c0 < pt->c1; c0 += NN_RQ_CHUNK) {
                const int32_t n = pt->c1 - c0 < NN_RQ_CHUNK ? pt->c1 - c0 : NN_RQ_CHUNK;
                if (!once) {
                    nn_rq_make(q, c0, n, rq);
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
                    if (inside && direct) {
                        v.x = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C;
                        v.nseg = pointwise ? 1 : g->f_h;
                        v.len = pointwise ? C : g->f_w * C;
                        v.xs = (size_t)g->dil_h * row;
                        const int32_t ix1 = ix0 + g->stride_w;
                        if (ox + 1 < xe && (pointwise || (int64_t)ix1 + span_w < g->in_w)) {
                            nn_rows2_dsp(&v, v.x + (size_t)g->stride_w * (size_t)C, wk, K, n, cb, rq, q, op,
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
                            nn_rows2_dsp(&v, patch2, wk, K, n, cb, rq, q, op, op + out_c);
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

// DEPTHWISE_CONV_2D 3x3, dm 1, undilated, with its patch (9 * C bytes): a
// border pixel's window is copied (the chunk's channels only) with the
// padding taps at the input zero point.
static void nn_dw3x3_dsp(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    const int32_t C = g->in_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    const int once = C <= NN_RQ_CHUNK;
    nn_rq_t rq[NN_RQ_CHUNK];
    if (once) {
        nn_rq_make(q, 0, C, rq);
    }
    // Output rows in order (see nn_conv_dsp), chunks of channels within a row.
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
        for (int32_t oy = pt->p0 / g->out_w; oy <= (pt->p1 - 1) / g->out_w; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int in_y = iy0 >= 0 && iy0 + 2 < g->in_h;
            int32_t xa, xe;
            nn_part_row(pt, g->out_w, oy, &xa, &xe);
            for (int32_t c0 = 0; c0 < C; c0 += NN_RQ_CHUNK) {
                const int32_t n = C - c0 < NN_RQ_CHUNK ? C - c0 : NN_RQ_CHUNK;
                if (!once) {
                    nn_rq_make(q, c0, n, rq);
                }
                for (int32_t ox = xa; ox < xe; ++ox) {
                    const int32_t ix0 = ox * g->stride_w - g->pad_w;
                    int8_t *op = out + (((size_t)b * g->out_h + oy) * g->out_w + ox) * (size_t)C + (size_t)c0;
                    if (in_y && ix0 >= 0 && ix0 + 2 < g->in_w) {
                        const int8_t *x0 = xb + (size_t)iy0 * row + (size_t)ix0 * (size_t)C + (size_t)c0;
                        nn_dw3x3_px_dsp(x0, filter + c0, C, row, n, q->cbias + c0, rq, q, op);
                        continue;
                    }
                    int8_t *p = patch + c0;
                    for (int32_t fy = 0; fy < 3; ++fy) {
                        const int32_t iy = iy0 + fy;
                        for (int32_t fx = 0; fx < 3; ++fx) {
                            const int32_t ix = ix0 + fx;
                            if (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w) {
                                memcpy(p, xb + (size_t)iy * row + (size_t)ix * (size_t)C + (size_t)c0, (size_t)n);
                            } else {
                                memset(p, (int8_t)q->in_zp, (size_t)n);
                            }
                            p += C;
                        }
                    }
                    nn_dw3x3_px_dsp(patch + c0, filter + c0, C, 3 * (size_t)C, n, q->cbias + c0, rq, q, op);
                }
            }
        }
    }
}
#endif // TFLM_ISA_DSP

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

void tflm_conv2d_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q_in, const tflm_nn_part_t *pt,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    // A local copy: stores to the int8 output cannot alias it.
    const tflm_nn_q8_t qv = *q_in;
    const tflm_nn_q8_t *q = &qv;
#if TFLM_ISA_DSP
    nn_conv_dsp(g, q, pt, in, filter, patch, out);
    return;
#endif
    const int32_t K = g->f_h * g->f_w * g->in_c;
    const int32_t out_c = g->out_c;
    const int pointwise = g->f_h == 1 && g->f_w == 1;
    // This part's channels: their weights, factors and outputs from c0 on.
    const tflm_nn_q8_t qc = nn_q_from(q, pt->c0);
    const int8_t *wc = filter + (size_t)pt->c0 * (size_t)K;
    const int32_t nc = pt->c1 - pt->c0;
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0 && nc > 0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * (size_t)g->in_w * (size_t)g->in_c;
        for (int32_t oy = pt->p0 / g->out_w; oy <= (pt->p1 - 1) / g->out_w; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            int32_t xa, xe;
            nn_part_row(pt, g->out_w, oy, &xa, &xe);
            for (int32_t ox = xa; ox < xe; ++ox) {
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
                nn_rows_s8(x, wc, K, nc, 0u, &qc, op + pt->c0);
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

void tflm_dwconv_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q_in, const tflm_nn_part_t *pt, int32_t dm,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out) {
    // A local copy: stores to the int8 output cannot alias it.
    const tflm_nn_q8_t qv = *q_in;
    const tflm_nn_q8_t *q = &qv;
    const int32_t C = g->in_c;
    const int32_t OC = g->out_c;
    const size_t row = (size_t)g->in_w * (size_t)C;
    const int64_t span_h = (int64_t)(g->f_h - 1) * g->dil_h;
    const int64_t span_w = (int64_t)(g->f_w - 1) * g->dil_w;
    const int fast3 = dm == 1 && g->f_h == 3 && g->f_w == 3 && g->dil_h == 1 && g->dil_w == 1;
#if TFLM_ISA_DSP
    if (fast3 && patch != NULL) {
        nn_dw3x3_dsp(g, q, pt, in, filter, patch, out);
        return;
    }
    nn_rq_t rq_all[NN_RQ_CHUNK];
    const int rq_ok = OC <= NN_RQ_CHUNK;
    if (rq_ok) {
        nn_rq_make(q, 0, OC, rq_all);
    }
#endif
    for (int32_t b = 0; b < g->batches && pt->p1 > pt->p0; ++b) {
        const int8_t *xb = in + (size_t)b * (size_t)g->in_h * row;
        for (int32_t oy = pt->p0 / g->out_w; oy <= (pt->p1 - 1) / g->out_w; ++oy) {
            const int32_t iy0 = oy * g->stride_h - g->pad_h;
            const int in_y = iy0 >= 0 && (int64_t)iy0 + span_h < g->in_h;
            int32_t xa, xe;
            nn_part_row(pt, g->out_w, oy, &xa, &xe);
            for (int32_t ox = xa; ox < xe; ++ox) {
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
        nn_rows_s8(x, w, accum, units, extra, q, op);
#endif
    }
}

#else

// Keeps the translation unit non-empty when the optimised kernels are off.
typedef int tflm_nn_s8_unused_t;

#endif // TFLM_OPT_NN
