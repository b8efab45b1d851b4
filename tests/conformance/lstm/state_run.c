// state_run: K invokes of a one-input model in a row on the host engine, so
// that variable tensors (LSTM states) carry over between invokes. Host test
// tool for lstm_test.py, not engine code.
//
//   state_run MODEL.tflite INPUTS.bin OUTPUTS.bin K [RESET_BEFORE]
//
// INPUTS.bin: K input-0 tensors back to back; OUTPUTS.bin gets K output-0
// tensors. RESET_BEFORE (0-based invoke number) calls tflm_interp_reset
// before that invoke.
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflm.h"

static void fail(const char *msg) {
    fprintf(stderr, "state_run: %s\n", msg);
    exit(1);
}

static void *zalloc16(size_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 16, n + 16) != 0) {
        fail("out of memory");
    }
    memset(p, 0, n + 16);
    return p;
}

static uint8_t *load(const char *path, uint32_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail(path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    if (n < 0) {
        fail(path);
    }
    uint8_t *p = zalloc16((size_t)n);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) {
        fail(path);
    }
    fclose(f);
    *len = (uint32_t)n;
    return p;
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fail("usage: state_run MODEL INPUTS OUTPUTS K [RESET_BEFORE]");
    }
    const int k = atoi(argv[4]);
    const int reset_before = argc == 6 ? atoi(argv[5]) : -1;
    char msg[256];
    uint32_t model_len, in_len;
    uint8_t *model = load(argv[1], &model_len);
    uint8_t *inputs = load(argv[2], &in_len);
    tflm_model_t m;
    tflm_error_t e;
    if (tflm_model_load(&m, model, model_len, &e) != TFLM_OK) {
        fail(tflm_error_format(&e, msg, sizeof(msg)));
    }
    const uint32_t work_size = tflm_interp_work_size(&m);
    void *work = zalloc16(work_size);
    uint32_t arena_size = 0;
    if (tflm_interp_measure(&m, work, work_size, &arena_size, &e) != TFLM_OK) {
        fail(tflm_error_format(&e, msg, sizeof(msg)));
    }
    free(work);
    static tflm_interp_t ip;
    void *arena = zalloc16(arena_size);
    if (tflm_interp_init(&ip, &m, arena, arena_size) != TFLM_OK) {
        fail(tflm_error_format(&ip.err, msg, sizeof(msg)));
    }
    const int32_t t_in = tflm_model_input(&m, 0);
    const int32_t t_out = tflm_model_output(&m, 0);
    tflm_tensor_info_t in_info, out_info;
    tflm_model_tensor_info(&m, t_in, &in_info);
    tflm_model_tensor_info(&m, t_out, &out_info);
    if ((uint64_t)in_info.bytes * (uint64_t)k != in_len) {
        fail("INPUTS size is not K input tensors");
    }
    FILE *out = fopen(argv[3], "wb");
    if (out == NULL) {
        fail(argv[3]);
    }
    for (int i = 0; i < k; ++i) {
        if (i == reset_before && tflm_interp_reset(&ip) != TFLM_OK) {
            fail("reset");
        }
        memcpy(tflm_interp_tensor_data(&ip, t_in), inputs + (size_t)i * in_info.bytes, in_info.bytes);
        if (tflm_interp_invoke(&ip) != TFLM_OK) {
            fail(tflm_error_format(&ip.err, msg, sizeof(msg)));
        }
        fwrite(tflm_interp_tensor_data(&ip, t_out), 1, out_info.bytes, out);
    }
    fclose(out);
    free(arena);
    free(inputs);
    free(model);
    return 0;
}
