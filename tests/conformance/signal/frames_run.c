// frames_run: run a one-input model on K frames in a row on the host engine
// (state is kept between invokes), for the signal-op checks. Host test tool.
//
//   frames_run MODEL IN_SEQ.bin OUT.bin K [RESET_AT] [--ops]
//
// IN_SEQ.bin holds K input tensors back to back. OUT.bin receives, per frame,
// output 0 (default) or, with --ops, every op's outputs in op order, each
// written right after its op runs. With RESET_AT >= 0, tflm_interp_reset runs
// before frame RESET_AT.
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflm.h"

static void fail(const char *what) {
    fprintf(stderr, "frames_run: %s\n", what);
    exit(1);
}

static void *aligned(size_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 16, n ? n : 16) != 0) {
        fail("out of memory");
    }
    return p;
}

static uint8_t *read_all(const char *path, uint32_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = aligned((size_t)n);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        fail("short read");
    }
    fclose(f);
    *len = (uint32_t)n;
    return b;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fail("usage: frames_run MODEL IN_SEQ OUT K [RESET_AT] [--ops]");
    }
    int frames = atoi(argv[4]);
    int reset_at = -1, ops = 0;
    for (int a = 5; a < argc; a++) {
        if (strcmp(argv[a], "--ops") == 0) {
            ops = 1;
        } else {
            reset_at = atoi(argv[a]);
        }
    }
    uint32_t mlen, ilen;
    uint8_t *mbuf = read_all(argv[1], &mlen);
    uint8_t *ibuf = read_all(argv[2], &ilen);
    tflm_model_t m;
    tflm_error_t err;
    char msg[256];
    if (tflm_model_load(&m, mbuf, mlen, &err) != TFLM_OK) {
        fail(tflm_error_format(&err, msg, sizeof(msg)));
    }
    uint32_t ws = tflm_interp_work_size(&m);
    void *work = aligned(ws);
    uint32_t need = 0;
    if (tflm_interp_measure(&m, work, ws, &need, &err) != TFLM_OK) {
        fail(tflm_error_format(&err, msg, sizeof(msg)));
    }
    free(work);
    void *arena = aligned(need);
    static tflm_interp_t ip;
    if (tflm_interp_init(&ip, &m, arena, need) != TFLM_OK) {
        fail(tflm_error_format(&ip.err, msg, sizeof(msg)));
    }
    tflm_tensor_info_t ti, to;
    int32_t tin = tflm_model_input(&m, 0), tout = tflm_model_output(&m, 0);
    tflm_model_tensor_info(&m, tin, &ti);
    tflm_model_tensor_info(&m, tout, &to);
    if ((uint64_t)ti.bytes * (uint64_t)frames != ilen) {
        fail("input sequence size mismatch");
    }
    FILE *fo = fopen(argv[3], "wb");
    if (!fo) {
        fail(argv[3]);
    }
    uint32_t n_ops = m.n_ops;
    for (int k = 0; k < frames; k++) {
        if (k == reset_at && tflm_interp_reset(&ip) != TFLM_OK) {
            fail("reset failed");
        }
        memcpy(tflm_interp_tensor_data(&ip, tin), ibuf + (size_t)k * ti.bytes, ti.bytes);
        if (!ops) {
            if (tflm_interp_invoke(&ip) != TFLM_OK) {
                fail(tflm_error_format(&ip.err, msg, sizeof(msg)));
            }
            fwrite(tflm_interp_tensor_data(&ip, tout), 1, to.bytes, fo);
            continue;
        }
        for (uint32_t i = 0; i < n_ops; i++) {
            if (tflm_interp_invoke_range(&ip, i, i + 1) != TFLM_OK) {
                fail(tflm_error_format(&ip.err, msg, sizeof(msg)));
            }
            int32_t ins[32], outs[32];
            uint32_t ni = 0, no = 0;
            tflm_model_op_io(&m, i, ins, &ni, outs, &no, 32);
            for (uint32_t j = 0; j < no; j++) {
                tflm_tensor_info_t oi;
                tflm_model_tensor_info(&m, outs[j], &oi);
                fwrite(tflm_interp_tensor_data(&ip, outs[j]), 1, oi.bytes, fo);
            }
        }
    }
    fclose(fo);
    printf("{\"arena_bytes\":%u}\n", need);
    free(arena);
    free(ibuf);
    free(mbuf);
    return 0;
}
