// Compile-time choice of the kernel variants (the one place that decides).
//
// TFLM_OPT_NN: 1 when the int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED
// ops use the restructured kernels of kernels/arm/ (bit-exact with
// kernels/ref/, which stays the semantic definition).
//   - on by default on ARMv6-M (Cortex-M0/M0+, __ARM_ARCH_6M__);
//   - -DTFLM_FORCE_OPT turns it on anywhere (host builds: ASan/UBSan and the
//     conformance suite then cover the generic-C body of those kernels);
//   - -DTFLM_FORCE_REF turns it off everywhere (reference timings).
// TFLM_ISA_V6M: 1 when ARMv6-M inline assembly may be used inside the
// kernels' small primitives (never on the host).
#ifndef TFLM_ISA_H
#define TFLM_ISA_H

#if defined(TFLM_FORCE_REF)
#define TFLM_OPT_NN 0
#elif defined(TFLM_FORCE_OPT) || defined(__ARM_ARCH_6M__)
#define TFLM_OPT_NN 1
#else
#define TFLM_OPT_NN 0
#endif

#if TFLM_OPT_NN && defined(__ARM_ARCH_6M__) && defined(__GNUC__) && !defined(TFLM_NO_ASM)
#define TFLM_ISA_V6M 1
#else
#define TFLM_ISA_V6M 0
#endif

#endif // TFLM_ISA_H
