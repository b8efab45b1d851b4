// seq_run: invoke a one-input model K times in a row on the host engine
// (state-carrying ops: SVDF). Host test tool, not engine code.
//
//   seq_run MODEL.tflite IN_SEQ.bin OUT_SEQ.bin K [RESET_AT]
//
// IN_SEQ.bin holds K input tensors back to back; OUT_SEQ.bin receives K
// copies of output 0. With RESET_AT, tflm_interp_reset runs before invoke
// number RESET_AT (0-based).
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflm.h"

static void die(const char *what) {
    fprintf(stderr, "seq_run: %s\n", what);
    exit(1);
}

static void *alloc16(size_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 16, n ? n : 16) != 0) {
        die("out of memory");
    }
    return p;
}

static uint8_t *slurp(const char *path, uint32_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        die(path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = alloc16((size_t)n + 16);
    if (n < 0 || fread(b, 1, (size_t)n, f) != (size_t)n) {
        die("read");
    }
    fclose(f);
    *len = (uint32_t)n;
    return b;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        die("usage: seq_run MODEL IN_SEQ OUT_SEQ K [RESET_AT]");
    }
    int k_total = atoi(argv[4]);
    int reset_at = argc > 5 ? atoi(argv[5]) : -1;
    uint32_t mlen, ilen;
    uint8_t *mbuf = slurp(argv[1], &mlen);
    uint8_t *ibuf = slurp(argv[2], &ilen);
    tflm_model_t m;
    tflm_error_t err;
    char msg[256];
    if (tflm_model_load(&m, mbuf, mlen, &err) != TFLM_OK) {
        die(tflm_error_format(&err, msg, sizeof(msg)));
    }
    uint32_t ws = tflm_interp_work_size(&m);
    void *work = alloc16(ws);
    uint32_t need = 0;
    if (tflm_interp_measure(&m, work, ws, &need, &err) != TFLM_OK) {
        die(tflm_error_format(&err, msg, sizeof(msg)));
    }
    free(work);
    void *arena = alloc16(need);
    static tflm_interp_t ip;
    if (tflm_interp_init(&ip, &m, arena, need) != TFLM_OK) {
        die(tflm_error_format(&ip.err, msg, sizeof(msg)));
    }
    tflm_tensor_info_t ti, to;
    int32_t tin = tflm_model_input(&m, 0);
    int32_t tout = tflm_model_output(&m, 0);
    tflm_model_tensor_info(&m, tin, &ti);
    tflm_model_tensor_info(&m, tout, &to);
    if ((uint64_t)ti.bytes * (uint64_t)k_total != ilen) {
        die("input sequence size mismatch");
    }
    FILE *fo = fopen(argv[3], "wb");
    if (!fo) {
        die(argv[3]);
    }
    for (int k = 0; k < k_total; k++) {
        if (k == reset_at && tflm_interp_reset(&ip) != TFLM_OK) {
            die("reset failed");
        }
        memcpy(tflm_interp_tensor_data(&ip, tin), ibuf + (size_t)k * ti.bytes, ti.bytes);
        if (tflm_interp_invoke(&ip) != TFLM_OK) {
            die(tflm_error_format(&ip.err, msg, sizeof(msg)));
        }
        fwrite(tflm_interp_tensor_data(&ip, tout), 1, to.bytes, fo);
    }
    fclose(fo);
    printf("{\"arena_bytes\":%u}\n", need);
    free(arena);
    free(ibuf);
    free(mbuf);
    return 0;
}
