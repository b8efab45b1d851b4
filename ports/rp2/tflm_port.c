// tflm port glue for MicroPython's rp2 port (RP2040): a CPU cycle counter.
//
// The Cortex-M0+ has no DWT cycle counter, so the clock is the core's SysTick
// timer (24-bit, counting down at the processor clock) extended to 32 bits by
// counting its wraps in the SysTick exception (one every 2^24 cycles, 134 ms
// at 125 MHz). Neither MicroPython's rp2 port nor pico-sdk uses SysTick
// (machine.bitstream borrows it briefly; the next Model re-arms it).
//
// In the rp2040js emulator SysTick follows the emulated cycle count, so
// Model.profile() reports emulated cycles there and real cycles on a board.
#include <stdint.h>

#include "../../usermod_tflm/tflm_port.h"

#define TFLM_REG32(addr) (*(volatile uint32_t *)(addr))
#define TFLM_SYST_CSR TFLM_REG32(0xe000e010u)
#define TFLM_SYST_RVR TFLM_REG32(0xe000e014u)
#define TFLM_SYST_CVR TFLM_REG32(0xe000e018u)
#define TFLM_SCB_VTOR TFLM_REG32(0xe000ed08u)
#define TFLM_SYSTICK_EXCEPTION 15
#define TFLM_SYST_ENABLE 1u
#define TFLM_SYST_TICKINT 2u
#define TFLM_SYST_CLKSOURCE 4u

// clk_sys as MicroPython 1.25 sets it on the RP2040 (machine.freq() can change it).
const uint32_t tflm_port_clock_hz = 125000000u;

static volatile uint32_t tflm_rp2_wraps;

static void tflm_rp2_systick_isr(void) {
    tflm_rp2_wraps++;
}

void tflm_port_clock_start(void) {
    volatile uint32_t *vectors = (volatile uint32_t *)TFLM_SCB_VTOR;
    uint32_t isr = (uint32_t)(uintptr_t)&tflm_rp2_systick_isr;
    uint32_t want = TFLM_SYST_ENABLE | TFLM_SYST_CLKSOURCE | TFLM_SYST_TICKINT;
    if ((TFLM_SYST_CSR & want) == want && TFLM_SYST_RVR == 0xffffffu
        && vectors[TFLM_SYSTICK_EXCEPTION] == isr) {
        return;
    }
    // pico-sdk runs from a vector table in RAM; if it were in flash the write
    // would not stick, and the counter stays 24-bit rather than fault.
    vectors[TFLM_SYSTICK_EXCEPTION] = isr;
    int have_isr = vectors[TFLM_SYSTICK_EXCEPTION] == isr;
    TFLM_SYST_CSR = 0;
    TFLM_SYST_RVR = 0xffffffu;
    TFLM_SYST_CVR = 0; // any write clears the counter; it reloads on the next cycle
    TFLM_SYST_CSR = TFLM_SYST_ENABLE | TFLM_SYST_CLKSOURCE | (have_isr ? TFLM_SYST_TICKINT : 0u);
}

uint32_t tflm_port_clock(void) {
    uint32_t before, count, after;
    do {
        before = tflm_rp2_wraps;
        count = TFLM_SYST_CVR;
        after = tflm_rp2_wraps;
    } while (before != after);
    return (before << 24) + (0xffffffu - count);
}
