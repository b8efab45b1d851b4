// Compile-time choice of the kernel variants (the one place that decides).
//
// TFLM_OPT_NN: 1 when the int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED
// ops use the restructured kernels of kernels/arm/ (bit-exact with
// kernels/ref/, which stays the semantic definition).
//   - on by default on every build, so the arena (which includes their
//     folded-bias and patch buffers) is the same on the host and on every
//     board: the host tools report what a board needs. On ARMv6-M their small
//     primitives are assembly, elsewhere their portable C twins.
//   - -DTFLM_FORCE_REF turns it off (the reference kernels alone: `make
//     host-ref`, reference timings); arena sizes then differ.
// TFLM_ISA_V6M: 1 when ARMv6-M inline assembly may be used inside the
// kernels' small primitives (never on the host).
#ifndef TFLM_ISA_H
#define TFLM_ISA_H

#if defined(TFLM_FORCE_REF)
#define TFLM_OPT_NN 0
#else
#define TFLM_OPT_NN 1
#endif

#if TFLM_OPT_NN && defined(__ARM_ARCH_6M__) && defined(__GNUC__) && !defined(TFLM_NO_ASM)
#define TFLM_ISA_V6M 1
#else
#define TFLM_ISA_V6M 0
#endif

#endif // TFLM_ISA_H
