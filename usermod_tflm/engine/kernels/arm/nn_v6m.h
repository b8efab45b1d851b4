// Primitives of the int8 kernels in nn_s8.c for cores without the DSP
// extension (Cortex-M0+ and the host): ARMv6-M assembly on ARMv6-M
// (TFLM_ISA_V6M), portable C with the same contract elsewhere (nn_v6m.c).
// Private to kernels/arm.
//
// Every dot product is delivered NEGATED ("ns": minus the sum, wrapping):
// the 2-pixel kernel accumulates minus the products for free, and the
// requantisation then subtracts (a = bias - ns).
#ifndef TFLM_NN_V6M_H
#define TFLM_NN_V6M_H

#include <stdint.h>
#include "../tflm_isa.h"

#if TFLM_OPT_NN && !TFLM_ISA_DSP

// Requantisation of one output channel, prepared once per chunk of channels
// (nn_s8.c: nn_rqp_make) for multipliers qm > 2^30 and right shifts e in
// [1, 14] (the usual case), with |bias| <= 2^30 - 2^15 and at most 65534
// products per sum, so that a = bias + sum stays in (-2^31 + 2^16, 2^31 -
// 2^16). The reference's rounding high multiply y = floor((a * qm + 2^30) /
// 2^31) and its rounding shift floor((y + 2^(e-1) - [y < 0]) / 2^e) are one
// 64-bit sum, and [y < 0] = [a < 0] when qm > 2^30:
//     r = (hi(a * Q + 2^31 + 2^(e-1) * 2^32) - [a < 0]) >> e,  Q = 2 * qm,
// where hi() is the top word. With a = ah * 2^16 + al (ah = a >> 16, al the
// low half, unsigned) and Q = qh * 2^16 + ql (ql the low half, signed) the
// top word comes from four 16 x 16 products, none of them leaving 32 bits:
//     x  = ah * ql + kc + ((al * ql) >> 16) + ((al * qh) & 0xFFFF)
//     hi = ah * qh + ((al * qh) >>> 16) + (x >> 16),  kc = 2^15 + 2^(15+e).
// (Field offsets are the assembly's: 4 bytes each.)
typedef struct {
    int32_t bias;   // folded bias (+ the fully connected op's extra term)
    int32_t ql;     // low half of Q = 2 * qm, sign-extended
    int32_t qh;     // (Q - ql) >> 16, in [2^15, 2^16]
    int32_t kc;     // 2^15 + 2^(15 + e)
    int32_t e;      // right shift, 1..14
} tflm_nn_rqp_t;

// Fills p[j] for j < n from cb[j] + extra (the bias), qm = mult[j * step]
// and shift[j * step] (step 0: one factor for all); returns 0 when every
// channel takes the fast form (qm in (2^30, 2^31), shift in [-14, -1],
// |bias| <= 2^30 - 2^15), else 1 (the biases are filled in any case).
int32_t tflm_nn_rqp(const int32_t *cb, const int32_t *mult, const int32_t *shift, int32_t n, tflm_nn_rqp_t *p,
    uint32_t extra, int32_t step);

// out[j] = clamp(zp + r(p[j].bias - ns[j], p[j]), lo, hi) for j < n;
// zlh = { zp, lo, hi, t }: out[j] = lo at once when a <= t. Since a <= 0
// gives r <= 0, t = 0 is exact when zp <= lo (ReLU-type activations, about
// half the outputs); else t = INT32_MIN (a never gets there, see above).
void tflm_nn_rq(const int32_t *ns, const tflm_nn_rqp_t *p, int32_t n, int8_t *out, const int32_t *zlh);

// ns[c] = -sum_{i < n} w[c * n + i] * x[i] for c < 4 * nblk (n >= 1,
// nblk >= 1): blocks of four consecutive weight rows of length n against one
// input vector.
void tflm_nn_mat4(const int8_t *x, const int8_t *w, int32_t n, int32_t nblk, int32_t *ns);

// Two pixels against pairs of weight rows. X[i] = -(x0[i] + 2^16 * x1[i])
// (mod 2^32) packs the two pixels' inputs: one MULS by a weight gives both
// products in 16-bit halves, and two positions' products still fit them
// exactly (each half's sum lies in [-32768, 32512]); they are split after
// every second position. For c < 2 * npairs (rows w + c * K, n >= 1 bytes
// each, npairs >= 1):
//     ns0[c] = (init ? 0 : ns0[c]) - sum_i w[c * K + i] * x0[i]
//     ns1[c] = (init ? 0 : ns1[c]) - sum_i w[c * K + i] * x1[i]
void tflm_nn_mat2x2(const uint32_t *X, const int8_t *w, int32_t K, int32_t n, int32_t npairs, int32_t *ns0,
    int32_t *ns1, int32_t init);

// X[i] = -(x0[i] + 2^16 * x1[i]) (mod 2^32) for i < n (n >= 1): the packed
// inputs of tflm_nn_mat2x2.
void tflm_nn_pack2(const int8_t *x0, const int8_t *x1, int32_t n, uint32_t *X);

// ns[j] = -(the 3x3 taps of channel j < n (n >= 1) of one output pixel,
// depth multiplier 1): x at the window's top-left tap, channel 0; w the
// filter's channel 0; C the tap step of both; row the input row step.
void tflm_nn_dw3x3(const int8_t *x, const int8_t *w, int32_t C, int32_t n, int32_t row, int32_t *ns);

#endif
#endif // TFLM_NN_V6M_H
