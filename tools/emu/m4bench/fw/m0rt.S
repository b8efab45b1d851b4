// Run-time helpers of the Cortex-M0+ image (build/m4bench/m0), linked ahead
// of libgcc so that the estimate prices them as the Pico firmware runs them.
//
// __aeabi_lmul: the low 64 bits of a 64 x 64 product (r1:r0 times r3:r2,
// result in r1:r0). libgcc's generic version costs about twice the Pico's
// (pico-sdk links a short one of four MULS); this one is of the same length:
//     hi = ah * bl + al * bh + high32(al * bl),  lo = low32(al * bl)
// with al * bl built from four 16 x 16 products.
    .syntax unified
    .cpu cortex-m0plus
    .thumb
    .text
    .balign 2
    .global __aeabi_lmul
    .type __aeabi_lmul, %function
    .thumb_func
__aeabi_lmul:
    muls r1, r2              // ah * bl
    muls r3, r0              // bh * al
    adds r1, r1, r3          // the cross terms of the high word
    push {r4, r5}
    lsrs r3, r0, #16         // al1
    lsrs r4, r2, #16         // bl1
    uxth r0, r0              // al0
    uxth r2, r2              // bl0
    movs r5, r3
    muls r5, r4              // al1 * bl1
    adds r1, r1, r5
    muls r4, r0              // al0 * bl1
    muls r3, r2              // al1 * bl0
    muls r0, r2              // al0 * bl0
    lsls r2, r4, #16
    lsrs r4, r4, #16
    adds r0, r0, r2
    adcs r1, r4
    lsls r2, r3, #16
    lsrs r3, r3, #16
    adds r0, r0, r2
    adcs r1, r3
    pop {r4, r5}
    bx lr
    .size __aeabi_lmul, .-__aeabi_lmul
