// tflm port glue: the clock used by Model.profile().
//
// A port provides ports/<port>/tflm_port.c (plain C, no MicroPython headers);
// the build defines TFLM_HAVE_PORT_CLOCK=1 when it exists. The clock is a
// free-running 32-bit up-counter; per-op times are differences modulo 2^32.
#ifndef TFLM_PORT_H
#define TFLM_PORT_H

#include <stdint.h>

// Counter frequency in Hz (CPU cycles where the core has a cycle counter).
extern const uint32_t tflm_port_clock_hz;
// Start the counter if it needs starting (idempotent, cheap).
void tflm_port_clock_start(void);
// Current counter value.
uint32_t tflm_port_clock(void);

#endif // TFLM_PORT_H
