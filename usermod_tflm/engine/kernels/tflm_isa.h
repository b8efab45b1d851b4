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
// TFLM_ISA_DSP: 1 when the ARMv7E-M DSP instructions (SXTB16, SMLAD,
// SMLABB/SMLATT; Cortex-M4/M7/M33 with the DSP extension, __ARM_FEATURE_DSP)
// carry the kernels' dot products: int8 pairs widened to int16 halves, two
// MACs per SMLAD. -DTFLM_EMULATE_DSP selects the same code paths on any
// target with portable C bodies of those instructions (host testing, ASan).
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

#if TFLM_OPT_NN && !TFLM_ISA_V6M && defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TFLM_NO_ASM)
#define TFLM_ISA_DSP 1
#define TFLM_ISA_DSP_NATIVE 1
#elif TFLM_OPT_NN && defined(TFLM_EMULATE_DSP)
#define TFLM_ISA_DSP 1
#define TFLM_ISA_DSP_NATIVE 0
#else
#define TFLM_ISA_DSP 0
#define TFLM_ISA_DSP_NATIVE 0
#endif

#endif // TFLM_ISA_H
