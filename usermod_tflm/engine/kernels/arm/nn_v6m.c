// Primitives of the int8 kernels for cores without the DSP extension (see
// nn_v6m.h): ARMv6-M assembly (TFLM_ISA_V6M), else portable C twins with the
// same contract and the same arithmetic, so that host runs check the maths
// the Cortex-M0+ runs. Cycle counts in the comments are the Cortex-M0+ ones
// (loads and stores 2, MULS 1, taken branch 2).
#include <stddef.h>
#include "nn_v6m.h"

#if TFLM_OPT_NN && !TFLM_ISA_DSP

#if TFLM_ISA_V6M

// Entry and exit of the assembly bodies below: r4-r11 saved (the high
// registers through r4-r7, which ARMv6-M can push), lr / pc.
#define NN_V6M_ENTER \
    "\tpush {r4, r5, r6, r7, lr}\n" \
    "\tmov r4, r8\n" \
    "\tmov r5, r9\n" \
    "\tmov r6, r10\n" \
    "\tmov r7, r11\n" \
    "\tpush {r4, r5, r6, r7}\n"
#define NN_V6M_LEAVE \
    "\tpop {r4, r5, r6, r7}\n" \
    "\tmov r8, r4\n" \
    "\tmov r9, r5\n" \
    "\tmov r10, r6\n" \
    "\tmov r11, r7\n" \
    "\tpop {r4, r5, r6, r7, pc}\n"

// tflm_nn_rqp(cb r0, mult r1, shift r2, n r3, [sp] p, extra, step): per
// channel ~46 cycles. Registers: r0 cb, r1 mult, r2 shift, r3 p, r4-r7 the
// values; r8 extra, r9 step * 4, r10 the end of cb, r11 the result, r12 the
// bias limit, lr twice it.
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_rqp\n"
    "\t.type tflm_nn_rqp, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_rqp:\n"
    NN_V6M_ENTER
    "\tlsls r3, r3, #2\n"
    "\tadds r3, r0, r3\n"
    "\tmov r10, r3\n"
    "\tldr r3, [sp, #36]\n"
    "\tldr r4, [sp, #40]\n"
    "\tmov r8, r4\n"
    "\tldr r4, [sp, #44]\n"
    "\tlsls r4, r4, #2\n"
    "\tmov r9, r4\n"
    "\tmovs r4, #0\n"
    "\tmov r11, r4\n"
    "\tldr r4, =0x3fff8000\n"
    "\tmov r12, r4\n"
    "\tlsls r4, r4, #1\n"
    "\tmov lr, r4\n"
    "\tcmp r0, r10\n"
    "\tbeq 9f\n"
    "1:\n"
    "\tldmia r0!, {r4}\n"
    "\tadd r4, r8\n"                 // bias
    "\tldr r5, [r1]\n"               // qm
    "\tldr r6, [r2]\n"               // shift
    "\tadd r1, r9\n"
    "\tadd r2, r9\n"
    "\tmov r7, r12\n"
    "\tadds r7, r7, r4\n"
    "\tcmp r7, lr\n"
    "\tbhi 8f\n"                     // |bias| > limit
    "\tlsls r5, r5, #1\n"            // Q = 2 qm
    "\tbcs 8f\n"                     // qm < 0
    "\tbpl 8f\n"                     // qm < 2^30
    "\tlsls r7, r5, #1\n"
    "\tbeq 8f\n"                     // qm == 2^30
    "\trsbs r6, r6, #0\n"            // e
    "\tsubs r7, r6, #1\n"
    "\tcmp r7, #13\n"
    "\tbhi 8f\n"
    "\tstmia r3!, {r4}\n"
    "\tsxth r4, r5\n"                // ql
    "\tlsrs r7, r5, #16\n"
    "\tlsls r5, r5, #16\n"
    "\tlsrs r5, r5, #31\n"
    "\tadds r5, r7, r5\n"            // qh
    "\tmovs r7, r6\n"
    "\tadds r7, r7, #15\n"
    "\tstmia r3!, {r4, r5}\n"
    "\tmovs r4, #1\n"
    "\tlsls r4, r4, r7\n"
    "\tmovs r5, #1\n"
    "\tlsls r5, r5, #15\n"
    "\tadds r4, r4, r5\n"            // kc
    "\tstmia r3!, {r4, r6}\n"
    "2:\n"
    "\tcmp r0, r10\n"
    "\tbne 1b\n"
    "9:\n"
    "\tmov r0, r11\n"
    NN_V6M_LEAVE
    "8:\n"
    "\tstmia r3!, {r4}\n"
    "\tadds r3, r3, #16\n"
    "\tmovs r4, #1\n"
    "\tmov r11, r4\n"
    "\tb 2b\n"
    "\t.ltorg\n"
    "\t.size tflm_nn_rqp, .-tflm_nn_rqp\n");

// tflm_nn_rq(ns r0, p r1, n r2, out r3, zlh [sp]). Per output, 40 cycles
// (two per loop); 17 when a is at or below zlh[3] (out = lo at once).
// Registers: r0 ns, r1 p, r2 out, r3-r7 the arithmetic; r8 zp, r9 lo, r10
// hi, r11 the end of out, r12 zlh[3].
//
// One output: its record's arithmetic into r3, stored at [r2 + off]; the
// labels L1 (the store, L1 "0", and the clamp to lo), L2 (the a <= zlh[3]
// shortcut) and L3 (the clamp to hi) are the body's own. In order: ns;
// bias, ql, qh; a = bias - ns; ah, al; ah * ql, al * ql, al * qh (unsigned),
// ah * qh; kc, e; x; the top word; -[a < 0] (ah * qh < 0 exactly then); the
// shift, the zero point and the clamps.
#define NN_RQ_BODY(off, L1, L2, L3) \
    "\tldmia r0!, {r3}\n" \
    "\tldmia r1!, {r4, r5, r6}\n" \
    "\tsubs r4, r4, r3\n" \
    "\tcmp r4, r12\n" \
    "\tble " L2 "f\n" \
    "\tasrs r3, r4, #16\n" \
    "\tuxth r4, r4\n" \
    "\tmovs r7, r5\n" \
    "\tmuls r7, r3, r7\n" \
    "\tmuls r5, r4, r5\n" \
    "\tmuls r4, r6, r4\n" \
    "\tmuls r3, r6, r3\n" \
    "\tasrs r5, r5, #16\n" \
    "\tadds r7, r7, r5\n" \
    "\tldmia r1!, {r5, r6}\n" \
    "\tadds r7, r7, r5\n" \
    "\tuxth r5, r4\n" \
    "\tadds r7, r7, r5\n" \
    "\tasrs r7, r7, #16\n" \
    "\tlsrs r4, r4, #16\n" \
    "\tasrs r5, r3, #31\n" \
    "\tadds r3, r3, r4\n" \
    "\tadds r3, r3, r7\n" \
    "\tadds r3, r3, r5\n" \
    "\tasrs r3, r3, r6\n" \
    "\tadd r3, r8\n" \
    "\tcmp r3, r9\n" \
    "\tblt " L1 "f\n" \
    "\tcmp r3, r10\n" \
    "\tbgt " L3 "f\n" \
    L1 "0:\n" \
    "\tstrb r3, [r2, #" off "]\n"
#define NN_RQ_CLAMPS(L1, L2, L3) \
    L2 ":\n" \
    "\tadds r1, r1, #8\n" \
    L1 ":\n" \
    "\tmov r3, r9\n" \
    "\tb " L1 "0b\n" \
    L3 ":\n" \
    "\tmov r3, r10\n" \
    "\tb " L1 "0b\n"
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_rq\n"
    "\t.type tflm_nn_rq, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_rq:\n"
    NN_V6M_ENTER
    "\tldr r4, [sp, #36]\n"
    "\tldmia r4!, {r5, r6, r7}\n"
    "\tmov r8, r5\n"
    "\tmov r9, r6\n"
    "\tmov r10, r7\n"
    "\tldr r5, [r4]\n"                 // the a at or below which out = lo
    "\tmov r12, r5\n"
    "\tadds r4, r3, r2\n"
    "\tmov r11, r4\n"
    "\tcmp r2, #0\n"
    "\tbeq 9f\n"
    // two outputs per loop; an odd n starts with the second (out one back)
    "\tlsls r4, r2, #31\n"
    "\tmov r2, r3\n"
    "\tbeq 1f\n"
    "\tsubs r2, r2, #1\n"
    "\tb 2f\n"
    "1:\n"
    NN_RQ_BODY("0", "3", "4", "5")
    "2:\n"
    NN_RQ_BODY("1", "6", "7", "8")
    "\tadds r2, r2, #2\n"
    "\tcmp r2, r11\n"
    "\tbne 1b\n"
    "9:\n"
    NN_V6M_LEAVE
    NN_RQ_CLAMPS("3", "4", "5")
    NN_RQ_CLAMPS("6", "7", "8")
    "\t.size tflm_nn_rq, .-tflm_nn_rq\n");
#undef NN_RQ_BODY
#undef NN_RQ_CLAMPS

// tflm_nn_mat4(x r0, w r1, n r2, nblk r3, ns [sp]). Inner loop registers:
// r0 input end, r1/r4/r5/r6 ends of the four weight rows, r3 the index
// counting from -n up to 0, r2 the input byte, r7 a product; the sums in
// r8-r11, n in r12, the output in lr, the block count on the stack. Per
// input byte: LDRSB 2 + 4 x (LDRSB 2 + MULS 1 + ADD 1) + 1 = 19 cycles, the
// loop branch every second byte; ~45 per block besides.
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
#define NN_MAT4_OUT(hreg, off) \
    "\tmov r7, " hreg "\n" \
    "\trsbs r7, r7, #0\n" \
    "\tstr r7, [r2, #" off "]\n"
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_mat4\n"
    "\t.type tflm_nn_mat4, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_mat4:\n"
    NN_V6M_ENTER
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
    NN_MAT4_OUT("r8", "0")
    NN_MAT4_OUT("r9", "4")
    NN_MAT4_OUT("r10", "8")
    NN_MAT4_OUT("r11", "12")
    "\tadds r2, r2, #16\n"
    "\tmov lr, r2\n"
    "\tmov r2, r12\n"
    "\tadds r1, r6, r2\n"
    "\tldr r2, [sp, #0]\n"
    "\tsubs r2, r2, #1\n"
    "\tstr r2, [sp, #0]\n"
    "\tbne 3b\n"
    "\tadd sp, sp, #8\n"
    NN_V6M_LEAVE
    "\t.size tflm_nn_mat4, .-tflm_nn_mat4\n");
#undef NN_MAT4_STEP
#undef NN_MAT4_OUT

// tflm_nn_mat2x2(X r0, w r1, K r2, n r3, [sp] npairs, ns0, ns1, init).
// Inner loop registers: r0 the packed inputs, r1/r2 the ends of the two
// weight rows, r3 the index counting from -n up to 0, r4-r7 products; the
// sums in r8 (pixel 0, row 0), r9 (pixel 1, row 0), r10 (pixel 0, row 1),
// r11 (pixel 1, row 1); r12 X, lr 2K (the next pair of rows). Per two
// positions (8 MACs): an LDM of both packed words, 4 LDRSB, 4 MULS, 2 ADDS,
// then per row the halves split (SXTH, SUBS, ASRS) and added: 29 cycles;
// the loop takes four positions (60 cycles, 3.75 per MAC); ~45 per pair of
// rows besides. Frame: [sp] n, [sp+4] ns0, [sp+8] ns1, [sp+12] the end of
// ns0, [sp+16] init.
#define NN_M22_SPLIT(p, lo, hi) \
    "\tsxth r4, " p "\n" \
    "\tsubs " p ", " p ", r4\n" \
    "\tasrs " p ", " p ", #16\n" \
    "\tadd " lo ", r4\n" \
    "\tadd " hi ", " p "\n"
#define NN_M22_BODY \
    "\tldmia r0!, {r4, r5}\n" \
    "\tldrsb r6, [r1, r3]\n" \
    "\tmuls r6, r4, r6\n" \
    "\tldrsb r7, [r2, r3]\n" \
    "\tmuls r7, r4, r7\n" \
    "\tadds r3, r3, #1\n" \
    "\tldrsb r4, [r1, r3]\n" \
    "\tmuls r4, r5, r4\n" \
    "\tadds r6, r6, r4\n" \
    "\tldrsb r4, [r2, r3]\n" \
    "\tmuls r4, r5, r4\n" \
    "\tadds r7, r7, r4\n" \
    NN_M22_SPLIT("r6", "r8", "r9") \
    NN_M22_SPLIT("r7", "r10", "r11") \
    "\tadds r3, r3, #1\n"
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_mat2x2\n"
    "\t.type tflm_nn_mat2x2, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_mat2x2:\n"
    NN_V6M_ENTER
    "\tsub sp, sp, #20\n"
    // arguments at [sp+56]: npairs, ns0, ns1, init
    "\tmov r12, r0\n"
    "\tstr r3, [sp, #0]\n"
    "\tldr r4, [sp, #60]\n"
    "\tstr r4, [sp, #4]\n"
    "\tldr r5, [sp, #56]\n"
    "\tlsls r5, r5, #3\n"
    "\tadds r5, r4, r5\n"
    "\tstr r5, [sp, #12]\n"
    "\tldr r4, [sp, #64]\n"
    "\tstr r4, [sp, #8]\n"
    "\tldr r4, [sp, #68]\n"
    "\tstr r4, [sp, #16]\n"
    "\tlsls r4, r2, #1\n"
    "\tmov lr, r4\n"
    "\tadds r2, r1, r2\n"
    "\tadds r1, r1, r3\n"
    "\tadds r2, r2, r3\n"
    "10:\n"
    "\tldr r4, [sp, #16]\n"
    "\tcmp r4, #0\n"
    "\tbne 11f\n"
    "\tldr r4, [sp, #4]\n"
    "\tldmia r4!, {r5, r6}\n"
    "\tmov r8, r5\n"
    "\tmov r10, r6\n"
    "\tldr r4, [sp, #8]\n"
    "\tldmia r4!, {r5, r6}\n"
    "\tmov r9, r5\n"
    "\tmov r11, r6\n"
    "\tb 12f\n"
    "11:\n"
    "\tmovs r4, #0\n"
    "\tmov r8, r4\n"
    "\tmov r9, r4\n"
    "\tmov r10, r4\n"
    "\tmov r11, r4\n"
    "12:\n"
    "\tmov r0, r12\n"
    "\tldr r3, [sp, #0]\n"
    "\trsbs r3, r3, #0\n"
    "\tlsls r4, r3, #31\n"
    "\tbeq 3f\n"
    // an odd n: one position alone
    "\tldmia r0!, {r4}\n"
    "\tldrsb r6, [r1, r3]\n"
    "\tmuls r6, r4, r6\n"
    "\tldrsb r7, [r2, r3]\n"
    "\tmuls r7, r4, r7\n"
    NN_M22_SPLIT("r6", "r8", "r9")
    NN_M22_SPLIT("r7", "r10", "r11")
    "\tadds r3, r3, #1\n"
    "\tbeq 9f\n"
    "3:\n"
    // an odd number of position pairs: start in the loop's second half
    "\tlsls r4, r3, #30\n"
    "\tbne 5f\n"
    "4:\n"
    NN_M22_BODY
    "5:\n"
    NN_M22_BODY
    "\tbne 4b\n"
    "9:\n"
    "\tldr r4, [sp, #8]\n"
    "\tmov r5, r9\n"
    "\tmov r6, r11\n"
    "\tstmia r4!, {r5, r6}\n"
    "\tstr r4, [sp, #8]\n"
    "\tldr r4, [sp, #4]\n"
    "\tmov r5, r8\n"
    "\tmov r6, r10\n"
    "\tstmia r4!, {r5, r6}\n"
    "\tstr r4, [sp, #4]\n"
    "\tmov r5, lr\n"
    "\tadds r1, r1, r5\n"
    "\tadds r2, r2, r5\n"
    "\tldr r5, [sp, #12]\n"
    "\tcmp r4, r5\n"
    "\tbne 10b\n"
    "\tadd sp, sp, #20\n"
    NN_V6M_LEAVE
    "\t.size tflm_nn_mat2x2, .-tflm_nn_mat2x2\n");
#undef NN_M22_SPLIT
#undef NN_M22_BODY

// tflm_nn_pack2(x0 r0, x1 r1, n r2, X r3): r0/r1 the ends of the inputs,
// r2 the index counting from -n up to 0, r6 = -2^16 (one MULS shifts and
// negates x1). Per two positions 19 cycles.
__asm__(
    "\t.text\n"
    "\t.syntax unified\n"
    "\t.balign 4\n"
    "\t.global tflm_nn_pack2\n"
    "\t.type tflm_nn_pack2, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_pack2:\n"
    "\tpush {r4, r5, r6, r7, lr}\n"
    "\tadds r0, r0, r2\n"
    "\tadds r1, r1, r2\n"
    "\trsbs r2, r2, #0\n"
    "\tmovs r6, #1\n"
    "\tlsls r6, r6, #16\n"
    "\trsbs r6, r6, #0\n"
    "\tlsls r4, r2, #31\n"
    "\tbeq 1f\n"
    "\tldrsb r4, [r0, r2]\n"
    "\tldrsb r5, [r1, r2]\n"
    "\tmuls r5, r6, r5\n"
    "\tsubs r5, r5, r4\n"
    "\tstmia r3!, {r5}\n"
    "\tadds r2, r2, #1\n"
    "\tbeq 2f\n"
    "1:\n"
    "\tldrsb r4, [r0, r2]\n"
    "\tldrsb r5, [r1, r2]\n"
    "\tmuls r5, r6, r5\n"
    "\tsubs r5, r5, r4\n"
    "\tadds r2, r2, #1\n"
    "\tldrsb r4, [r0, r2]\n"
    "\tldrsb r7, [r1, r2]\n"
    "\tmuls r7, r6, r7\n"
    "\tsubs r7, r7, r4\n"
    "\tstmia r3!, {r5, r7}\n"
    "\tadds r2, r2, #1\n"
    "\tbne 1b\n"
    "2:\n"
    "\tpop {r4, r5, r6, r7, pc}\n"
    "\t.size tflm_nn_pack2, .-tflm_nn_pack2\n");

// tflm_nn_dw3x3(x r0, w r1, C r2, n r3, row [sp], ns [sp+4]). Registers:
// r0/r1 channel pointers, r2 = C, r3 = 2C (tap offsets), r4/r5 values,
// r6/r7 row pointers; r8 = row, r9 = 3C, r10 the sum, r11 the end of x, lr
// the output. Per channel: 9 x (2 loads + MULS + ADD) + 6 sign extensions
// + ~17.
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
    "\t.global tflm_nn_dw3x3\n"
    "\t.type tflm_nn_dw3x3, %function\n"
    "\t.thumb_func\n"
    "tflm_nn_dw3x3:\n"
    NN_V6M_ENTER
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
    "\trsbs r5, r5, #0\n"
    "\tstmia r4!, {r5}\n"
    "\tmov lr, r4\n"
    "\tadds r0, r0, #1\n"
    "\tadds r1, r1, #1\n"
    "\tcmp r0, r11\n"
    "\tbne 1b\n"
    NN_V6M_LEAVE
    "\t.size tflm_nn_dw3x3, .-tflm_nn_dw3x3\n");
#undef NN_DW3_ROW

#else // portable C twins

int32_t tflm_nn_rqp(const int32_t *cb, const int32_t *mult, const int32_t *shift, int32_t n, tflm_nn_rqp_t *p,
    uint32_t extra, int32_t step) {
    const uint32_t lim = (1u << 30) - (1u << 15);
    int32_t bad = 0;
    for (int32_t j = 0; j < n; ++j, mult += step, shift += step) {
        const uint32_t bias = (uint32_t)cb[j] + extra;
        const uint32_t qq = 2u * (uint32_t)*mult;
        const uint32_t e = 0u - (uint32_t)*shift;
        p[j].bias = (int32_t)bias;
        if (bias + lim > 2u * lim || *mult < 0 || qq <= 0x80000000u || e - 1u > 13u) {
            bad = 1;
            continue;
        }
        p[j].ql = (int32_t)(int16_t)(uint16_t)(qq & 0xFFFFu);
        p[j].qh = (int32_t)((qq >> 16) + ((qq >> 15) & 1u));
        p[j].kc = (int32_t)((1u << 15) + (1u << (15u + e)));
        p[j].e = (int32_t)e;
    }
    return bad;
}

void tflm_nn_rq(const int32_t *ns, const tflm_nn_rqp_t *p, int32_t n, int8_t *out, const int32_t *zlh) {
    for (int32_t j = 0; j < n; ++j, ++p) {
        const uint32_t a = (uint32_t)p->bias - (uint32_t)ns[j];
        const int32_t ah = (int32_t)a >> 16;             // arithmetic, as in qmath.h
        const int32_t al = (int32_t)(a & 0xFFFFu);
        const int32_t ll = al * p->ql;                     // |.| < 2^31
        const int32_t hl = ah * p->ql;                     // |.| <= 2^30
        const uint32_t lh = (uint32_t)al * (uint32_t)p->qh; // < 2^32
        const int32_t hh = ah * p->qh;                     // in [-2^31, 2^31 - 2^16]
        const int32_t x = hl + p->kc + (ll >> 16) + (int32_t)(lh & 0xFFFFu);
        const uint32_t hi = (uint32_t)hh + (lh >> 16) + (uint32_t)(x >> 16) + (uint32_t)(hh >> 31);
        if ((int32_t)a <= zlh[3]) {
            out[j] = (int8_t)zlh[1];
            continue;
        }
        int32_t v = ((int32_t)hi >> p->e) + zlh[0];
        v = v < zlh[1] ? zlh[1] : v;
        v = v > zlh[2] ? zlh[2] : v;
        out[j] = (int8_t)v;
    }
}

void tflm_nn_mat4(const int8_t *x, const int8_t *w, int32_t n, int32_t nblk, int32_t *ns) {
    for (int32_t c = 0; c < 4 * nblk; ++c) {
        const int8_t *wc = w + (size_t)c * (size_t)n;
        uint32_t s = 0;
        for (int32_t i = 0; i < n; ++i) {
            s += (uint32_t)(wc[i] * x[i]);
        }
        ns[c] = (int32_t)(0u - s);
    }
}

// One product's (or two positions' products') halves: the low half is
// minus pixel 0's part, the high half minus pixel 1's.
static void nn_m22_split(uint32_t p, uint32_t *a0, uint32_t *a1) {
    const int32_t lo = (int32_t)(int16_t)(uint16_t)(p & 0xFFFFu);
    *a0 += (uint32_t)lo;
    *a1 += (uint32_t)((int32_t)(p - (uint32_t)lo) >> 16);
}

void tflm_nn_mat2x2(const uint32_t *X, const int8_t *w, int32_t K, int32_t n, int32_t npairs, int32_t *ns0,
    int32_t *ns1, int32_t init) {
    for (int32_t c = 0; c < 2 * npairs; ++c) {
        const int8_t *wc = w + (size_t)c * (size_t)K;
        uint32_t a0 = init ? 0u : (uint32_t)ns0[c], a1 = init ? 0u : (uint32_t)ns1[c];
        int32_t i = 0;
        if (n & 1) {
            nn_m22_split((uint32_t)(int32_t)wc[0] * X[0], &a0, &a1);
            i = 1;
        }
        for (; i < n; i += 2) {
            nn_m22_split((uint32_t)(int32_t)wc[i] * X[i] + (uint32_t)(int32_t)wc[i + 1] * X[i + 1], &a0, &a1);
        }
        ns0[c] = (int32_t)a0;
        ns1[c] = (int32_t)a1;
    }
}

void tflm_nn_pack2(const int8_t *x0, const int8_t *x1, int32_t n, uint32_t *X) {
    for (int32_t i = 0; i < n; ++i) {
        X[i] = 0u - ((uint32_t)(int32_t)x0[i] + ((uint32_t)(int32_t)x1[i] << 16));
    }
}

void tflm_nn_dw3x3(const int8_t *x, const int8_t *w, int32_t C, int32_t n, int32_t row, int32_t *ns) {
    const size_t c1 = (size_t)C, c2 = 2 * (size_t)C, r1 = (size_t)row, r2 = 2 * (size_t)row;
    for (int32_t j = 0; j < n; ++j) {
        const int8_t *xj = x + j;
        const int8_t *wj = w + j;
        int32_t s = 0;
        s += wj[0] * xj[0] + wj[c1] * xj[c1] + wj[c2] * xj[c2];
        s += wj[3 * c1] * xj[r1] + wj[4 * c1] * xj[r1 + c1] + wj[5 * c1] * xj[r1 + c2];
        s += wj[6 * c1] * xj[r2] + wj[7 * c1] * xj[r2 + c1] + wj[8 * c1] * xj[r2 + c2];
        ns[j] = -s;  // nine int8 products: no overflow
    }
}

#endif // TFLM_ISA_V6M

#else

// Keeps the translation unit non-empty when these primitives are not used.
typedef int tflm_nn_v6m_unused_t;

#endif
