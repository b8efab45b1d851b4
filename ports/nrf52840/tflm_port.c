// tflm port glue for our nRF52840 port: the Cortex-M4 DWT cycle counter
// (32-bit, at the 64 MHz core clock; wraps every 67 s).
#include "../../usermod_tflm/tflm_port.h"

#define TFLM_REG32(addr) (*(volatile uint32_t *)(addr))
#define TFLM_DEMCR TFLM_REG32(0xe000edfcu)
#define TFLM_DWT_CTRL TFLM_REG32(0xe0001000u)
#define TFLM_DWT_CYCCNT TFLM_REG32(0xe0001004u)

const uint32_t tflm_port_clock_hz = 64000000u;

void tflm_port_clock_start(void) {
    TFLM_DEMCR |= 1u << 24;    // TRCENA
    TFLM_DWT_CTRL |= 1u;       // CYCCNTENA
}

uint32_t tflm_port_clock(void) {
    return TFLM_DWT_CYCCNT;
}
