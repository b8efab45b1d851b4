// Link-time driver for tools/code_size.py: references the engine's public
// API the way the MicroPython binding does, so that --gc-sections keeps what
// an application needs and nothing else. Never run.
#include <stddef.h>
#include "tflm.h"

extern const unsigned char size_model[];
extern unsigned int size_model_len;
static unsigned char arena[1 << 16] __attribute__((aligned(8)));
static char msg[128];

int main(void) {
#ifndef SIZE_BASELINE
    tflm_model_t m;
    tflm_error_t err;
    tflm_interp_t ip;
    uint32_t need = 0;
    if (tflm_model_load(&m, size_model, size_model_len, &err) != TFLM_OK) {
        return (int)tflm_error_format(&err, msg, sizeof(msg))[0];
    }
    if (tflm_interp_measure_ex(&m, 0, arena, tflm_interp_work_size(&m), &need, &err) != TFLM_OK) {
        return 2;
    }
    if (tflm_interp_init_ex(&ip, &m, 0, arena, sizeof(arena)) != TFLM_OK) {
        return (int)tflm_error_format(&ip.err, msg, sizeof(msg))[0];
    }
    tflm_interp_reset(&ip);
    return tflm_interp_invoke(&ip) == TFLM_OK ? (int)tflm_registry_count() : 3;
#else
    return (int)arena[0] + msg[0];
#endif
}

const unsigned char size_model[16] = { 0 };
unsigned int size_model_len = 16;
