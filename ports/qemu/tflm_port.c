// tflm port glue for MicroPython's qemu port: a 32-bit hardware timer.
//
// QEMU does not model the Cortex-M DWT cycle counter, so the clock is a
// peripheral timer of the emulated SoC (virtual time; deterministic with
// -icount). Register addresses are from the SoC reference manuals.
#include "../../usermod_tflm/tflm_port.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))

#if defined(QEMU_SOC_MPS2)

// CMSDK APB timer 0 on the MPS2 FPGA images (AN385/AN386): a 32-bit down
// counter clocked at the 25 MHz system clock.
#define TIMER0_CTRL   REG32(0x40000000u)
#define TIMER0_VALUE  REG32(0x40000004u)
#define TIMER0_RELOAD REG32(0x40000008u)

const uint32_t tflm_port_clock_hz = 25000000u;

void tflm_port_clock_start(void) {
    if ((TIMER0_CTRL & 1u) == 0) {
        TIMER0_RELOAD = 0xffffffffu;
        TIMER0_VALUE = 0xffffffffu;
        TIMER0_CTRL = 1u; // enable, no interrupt
    }
}

uint32_t tflm_port_clock(void) {
    return ~TIMER0_VALUE;
}

#elif defined(QEMU_SOC_NRF51)

// nRF51 TIMER0 in 32-bit timer mode, prescaler 0 (16 MHz); read by capture.
#define TIMER0_BASE        0x40008000u
#define TIMER0_TASKS_START REG32(TIMER0_BASE + 0x000u)
#define TIMER0_TASKS_CAPT0 REG32(TIMER0_BASE + 0x040u)
#define TIMER0_MODE        REG32(TIMER0_BASE + 0x504u)
#define TIMER0_BITMODE     REG32(TIMER0_BASE + 0x508u)
#define TIMER0_PRESCALER   REG32(TIMER0_BASE + 0x510u)
#define TIMER0_CC0         REG32(TIMER0_BASE + 0x540u)

const uint32_t tflm_port_clock_hz = 16000000u;

static uint8_t started;

void tflm_port_clock_start(void) {
    if (!started) {
        TIMER0_MODE = 0u;
        TIMER0_BITMODE = 3u;
        TIMER0_PRESCALER = 0u;
        TIMER0_TASKS_START = 1u;
        started = 1;
    }
}

uint32_t tflm_port_clock(void) {
    TIMER0_TASKS_CAPT0 = 1u;
    return TIMER0_CC0;
}

#else

// Unknown SoC: no clock (profile() reports zero ticks).
const uint32_t tflm_port_clock_hz = 1u;

void tflm_port_clock_start(void) {
}

uint32_t tflm_port_clock(void) {
    return 0;
}

#endif
