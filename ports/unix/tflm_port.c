// tflm port glue for the unix port: a nanosecond monotonic clock.
#define _POSIX_C_SOURCE 200112L
#include <time.h>
#include "../../usermod_tflm/tflm_port.h"

const uint32_t tflm_port_clock_hz = 1000000000u;

void tflm_port_clock_start(void) {
}

uint32_t tflm_port_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}
