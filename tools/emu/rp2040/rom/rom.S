// Stand-in boot ROM for running RP2040 firmware in the rp2040js emulator.
//
// This is NOT the Raspberry Pi boot ROM (which is in no package registry). It
// provides what pico-sdk firmware uses from the ROM, at the documented places:
//   0x00  vector table (initial SP, reset, NMI, HardFault)
//   0x10  'M' 'u' 0x01, version byte 3 (RP2040-B2)
//   0x14  16-bit pointer to the function table, 0x16 to the data table,
//   0x18  16-bit pointer to the table lookup function.
// Function tables hold (code, 16-bit Thumb address) pairs, ended by a zero code.
//
// Host calls: `bkpt #n; bx lr` stubs. The emulator (tools/emu/rp2040/run.mjs)
// serves bkpt numbers 1..63 while the PC is inside this ROM: flash erase and
// program write its flash array, and the transcendental float/double functions
// are computed by the host (see HOST CALL NUMBERS in run.mjs).
//
// Both cores enter at rom_reset and check SIO CPUID: core 1 goes to its
// wait-for-launch code (rom_core1_reset), core 0 boots the flash.
    .syntax unified
    .cpu cortex-m0plus
    .thumb

// Where the ROM copies the 256-byte second stage bootloader, as the real one does.
    .equ BOOT2_RAM, 0x20041f00
    .equ FLASH_BASE, 0x10000000
    .equ SIO_BASE, 0xd0000000
    .equ SIO_FIFO_ST, 0x50      // bit 0 VLD: RX not empty, bit 1 RDY: TX not full
    .equ SIO_FIFO_WR, 0x54
    .equ SIO_FIFO_RD, 0x58
    .equ PPB_VTOR, 0xe000ed08

    .section .vectors, "a"
    .word BOOT2_RAM             // initial SP: just below the boot2 copy
    .word rom_reset             // reset
    .word rom_fault             // NMI
    .word rom_fault             // HardFault

    .section .header, "a"
    .byte 'M', 'u', 0x01, 0x03  // 0x10: magic, 0x13: ROM version 3
    .hword rom_func_table       // 0x14
    .hword rom_data_table       // 0x16
    .hword rom_table_lookup + 1 // 0x18
    .hword 0

    .text

// Reset: copy boot2 (first 256 bytes of flash) to SRAM, check its CRC32, run
// it with lr = 0 so that it enters the firmware through the flash vector table.
    .thumb_func
    .global rom_reset
rom_reset:
    ldr r0, =SIO_BASE
    ldr r0, [r0]                // CPUID
    cmp r0, #0
    bne rom_core1_reset
    ldr r0, =BOOT2_RAM
    ldr r1, =FLASH_BASE
    movs r2, #64
1:  ldr r3, [r1]
    str r3, [r0]
    adds r0, #4
    adds r1, #4
    subs r2, #1
    bne 1b
    ldr r0, =BOOT2_RAM
    bl rom_boot2_valid
    cmp r0, #0
    beq 2f
    movs r0, #0
    mov lr, r0
    ldr r1, =BOOT2_RAM + 1
    bx r1
2:  bkpt #4                     // host: no valid boot2 (blank or bad flash image)
    b 2b

// Core 1 out of reset: empty its RX FIFO and send core 0 a 0 (pico-sdk's
// multicore_reset_core1 waits for it), then wait for the launch sequence.
// No stack and no RAM: r4 = SIO, r5 = words of the sequence accepted,
// r6 = vector table, r7 = stack pointer, r8 = entry.
    .thumb_func
rom_core1_reset:
    ldr r4, =SIO_BASE
    bl core1_drain
    movs r0, #0
    bl core1_push

// The launch sequence from core 0 is 0, 0, 1, vector table, stack pointer,
// entry; every word is echoed back. A 0 (after which the RX FIFO is emptied)
// starts the sequence again, or is its second word; any other word out of
// sequence resets it (core 0 sees the echo differ from what it expects only
// when stale words were in its FIFO, and starts again with a 0).
    .thumb_func
    .global rom_core1_wait
rom_core1_wait:
    ldr r4, =SIO_BASE
    movs r5, #0
1:  bl core1_pop
    cmp r0, #0
    bne 3f
    bl core1_drain
    movs r0, #0
    cmp r5, #1
    beq 2f
    movs r5, #0
2:  adds r5, #1                 // word accepted
    b 8f
3:  cmp r5, #3
    bhs 5f
    cmp r5, #2
    bne 4f
    cmp r0, #1
    beq 2b
4:  movs r5, #0                 // out of sequence
    b 8f
5:  cmp r5, #4
    bhs 6f
    mov r6, r0                  // vector table
    b 2b
6:  bne 7f
    mov r7, r0                  // stack pointer
    b 2b
7:  mov r8, r0                  // entry
    b 2b
8:  bl core1_push               // echo
    cmp r5, #6
    bne 1b
    bkpt #7                     // host: core 1 launched (r6, r7, r8)
    ldr r1, =PPB_VTOR
    str r6, [r1]
    msr msp, r7
    ldr r1, =rom_core1_return
    mov lr, r1
    mov r0, r8
    bx r0

// The launched code returned: wait for another launch.
    .thumb_func
rom_core1_return:
    bkpt #8                     // host: core 1 is back in the ROM
    b rom_core1_wait

// Reads and drops what is in core 1's RX FIFO. Clobbers r0.
    .thumb_func
core1_drain:
    ldr r0, [r4, #SIO_FIFO_ST]
    lsrs r0, r0, #1             // VLD -> C
    bcc 1f
    ldr r0, [r4, #SIO_FIFO_RD]
    b core1_drain
1:  bx lr

// r0 = the next word from the RX FIFO, sleeping (WFE) while it is empty.
    .thumb_func
core1_pop:
    ldr r0, [r4, #SIO_FIFO_ST]
    lsrs r0, r0, #1             // VLD -> C
    bcs 1f
    wfe
    b core1_pop
1:  ldr r0, [r4, #SIO_FIFO_RD]
    bx lr

// Pushes r0 to the TX FIFO (sleeping while it is full), then SEV. Clobbers r1.
    .thumb_func
core1_push:
    ldr r1, [r4, #SIO_FIFO_ST]
    lsrs r1, r1, #2             // RDY -> C
    bcs 1f
    wfe
    b core1_push
1:  str r0, [r4, #SIO_FIFO_WR]
    sev
    bx lr

    .thumb_func
    .global rom_fault
rom_fault:
    bkpt #5                     // host: fault inside the ROM before the firmware runs
    b rom_fault

    .macro HOSTCALL name, num
    .thumb_func
    .global \name
\name:
    bkpt #\num
    bx lr
    .endm

    // Flash, USB boot (host served)
    HOSTCALL rom_flash_range_erase, 1
    HOSTCALL rom_flash_range_program, 2
    HOSTCALL rom_reset_usb_boot, 3
    HOSTCALL rom_unsupported, 6

    // Single precision (host served, float args/results in r0[/r1])
    HOSTCALL rom_fsqrt, 16
    HOSTCALL rom_fsin, 17       // r0 = sin(x), r1 = cos(x)
    HOSTCALL rom_fcos, 18
    HOSTCALL rom_ftan, 19
    HOSTCALL rom_fexp, 20
    HOSTCALL rom_fln, 21
    HOSTCALL rom_fatan2, 22
    HOSTCALL rom_fsincos, 23    // r0 = sin(x), r1 = cos(x)

    // Double precision (host served, double args in r0:r1[, r2:r3])
    HOSTCALL rom_dsqrt, 32
    HOSTCALL rom_dsin, 33       // r0:r1 = sin(x), r2:r3 = cos(x)
    HOSTCALL rom_dcos, 34
    HOSTCALL rom_dtan, 35
    HOSTCALL rom_dexp, 36
    HOSTCALL rom_dln, 37
    HOSTCALL rom_datan2, 38
    HOSTCALL rom_dsincos, 39    // r0:r1 = sin(x), r2:r3 = cos(x)

    // Flash XIP control: the emulator's flash is always readable.
    .thumb_func
    .global rom_nop
rom_nop:
    bx lr

    .ltorg

    .macro FN c1, c2, fn
    .byte \c1, \c2
    .hword \fn + 1
    .endm
    .macro DATA c1, c2, d
    .byte \c1, \c2
    .hword \d
    .endm

    .section .tables, "a"
    .balign 4
rom_func_table:
    FN 'P', '3', rom_popcount32
    FN 'R', '3', rom_reverse32
    FN 'L', '3', rom_clz32
    FN 'T', '3', rom_ctz32
    FN 'M', 'S', rom_memset
    FN 'S', '4', rom_memset4
    FN 'M', 'C', rom_memcpy
    FN 'C', '4', rom_memcpy44
    FN 'I', 'F', rom_nop            // connect_internal_flash
    FN 'E', 'X', rom_nop            // flash_exit_xip
    FN 'R', 'E', rom_flash_range_erase
    FN 'R', 'P', rom_flash_range_program
    FN 'F', 'C', rom_nop            // flash_flush_cache
    FN 'C', 'X', rom_nop            // flash_enter_cmd_xip
    FN 'U', 'B', rom_reset_usb_boot
    FN 'D', 'T', rom_unsupported    // debug_trampoline
    FN 'D', 'E', rom_unsupported    // debug_trampoline_end
    FN 'W', 'V', rom_core1_wait     // wait_for_vector (core 1 only)
    .hword 0, 0

rom_data_table:
    DATA 'C', 'R', rom_copyright
    DATA 'G', 'R', rom_git_revision
    DATA 'S', 'F', rom_sf_table
    DATA 'S', 'D', rom_sd_table
    DATA 'E', '1', rom_core1_reset  // emulator: this ROM has core-1 code (run.mjs checks)
    .hword 0, 0

    .balign 4
rom_git_revision:
    .word 0
rom_copyright:
    .asciz "micropython-tflm stand-in ROM for rp2040js (not the Raspberry Pi boot ROM)"

// Soft float/double tables. The byte two before each table holds its size in
// words, which pico-sdk checks.
    .balign 4
    .hword 0
    .byte 32, 0
rom_sf_table:
    .word rom_fadd              // 0x00
    .word rom_fsub              // 0x04
    .word rom_fmul              // 0x08
    .word rom_fdiv              // 0x0c
    .word rom_fcmp              // 0x10 fcmp_fast
    .word rom_fcmp              // 0x14 fcmp_fast_flags
    .word rom_fsqrt             // 0x18
    .word rom_float2int         // 0x1c
    .word rom_float2fix         // 0x20
    .word rom_float2uint        // 0x24
    .word rom_float2ufix        // 0x28
    .word rom_int2float         // 0x2c
    .word rom_fix2float         // 0x30
    .word rom_uint2float        // 0x34
    .word rom_ufix2float        // 0x38
    .word rom_fcos              // 0x3c
    .word rom_fsin              // 0x40
    .word rom_ftan              // 0x44
    .word rom_fsincos           // 0x48 (version 3)
    .word rom_fexp              // 0x4c
    .word rom_fln               // 0x50
    .word rom_fcmp              // 0x54 fcmp_basic
    .word rom_fatan2            // 0x58
    .word rom_int642float       // 0x5c
    .word rom_fix642float       // 0x60
    .word rom_uint642float      // 0x64
    .word rom_ufix642float      // 0x68
    .word rom_float2int64       // 0x6c
    .word rom_float2fix64       // 0x70
    .word rom_float2uint64      // 0x74
    .word rom_float2ufix64      // 0x78
    .word rom_float2double      // 0x7c

    .hword 0
    .byte 32, 0
rom_sd_table:
    .word rom_dadd              // 0x00
    .word rom_dsub              // 0x04
    .word rom_dmul              // 0x08
    .word rom_ddiv              // 0x0c
    .word rom_dcmp              // 0x10
    .word rom_dcmp              // 0x14
    .word rom_dsqrt             // 0x18
    .word rom_double2int        // 0x1c
    .word rom_double2fix        // 0x20
    .word rom_double2uint       // 0x24
    .word rom_double2ufix       // 0x28
    .word rom_int2double        // 0x2c
    .word rom_fix2double        // 0x30
    .word rom_uint2double       // 0x34
    .word rom_ufix2double       // 0x38
    .word rom_dcos              // 0x3c
    .word rom_dsin              // 0x40
    .word rom_dtan              // 0x44
    .word rom_dsincos           // 0x48 (version 3)
    .word rom_dexp              // 0x4c
    .word rom_dln               // 0x50
    .word rom_dcmp              // 0x54
    .word rom_datan2            // 0x58
    .word rom_int642double      // 0x5c
    .word rom_fix642double      // 0x60
    .word rom_uint642double     // 0x64
    .word rom_ufix642double     // 0x68
    .word rom_double2int64      // 0x6c
    .word rom_double2fix64      // 0x70
    .word rom_double2uint64     // 0x74
    .word rom_double2ufix64     // 0x78
    .word rom_double2float      // 0x7c
