// tflm port glue: the clock used by Model.profile(), and a second core.
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

// A second core (ports/<port>/tflm_cores.c; the build defines
// TFLM_HAVE_PORT_CORES=1 when it exists).
struct tflm_worker;
// Cores the engine can use on this chip.
extern const uint32_t tflm_port_cores;
// Before an invoke: the second core for it, or NULL when it is busy (a
// _thread runs there) or the caller is not core 0.
const struct tflm_worker *tflm_port_worker_begin(void);
// After the invoke: the second core back to its idle (reset) state.
void tflm_port_worker_end(void);

#endif // TFLM_PORT_H
