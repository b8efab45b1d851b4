// tflm_run: run a .tflite model on the host engine.
//
//   tflm_run MODEL.tflite [-i IN.bin]... [-o OUT.bin]... [--dump DIR]
//            [--arena N] [--repeat N] [--lean] [--cores 2] [--list]
//   tflm_run --ops            (the supported ops of this build)
//
// Reads each input tensor's raw bytes from the -i files in order, writes each
// output tensor's raw bytes to the -o files in order, and prints one line of
// JSON: arena bytes (identical on 32-bit targets), op count and names, and the
// inputs/outputs. --dump DIR writes DIR/t<index>.bin for every op output right
// after the op runs. Errors: exit status 1 and one line on stderr.
//
// This is a host tool, not engine code: it may use malloc and stdio.
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflm.h"

static void die(const char *what, const char *detail) {
    fprintf(stderr, "tflm_run: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void die_err(const char *what, const tflm_error_t *e) {
    char msg[256];
    tflm_error_format(e, msg, sizeof(msg));
    die(what, msg);
}

#include "host_io.h"

static void print_tensor_json(const tflm_model_t *m, int32_t idx) {
    tflm_tensor_info_t ti;
    tflm_model_tensor_info(m, idx, &ti);
    printf("{\"index\":%d,\"dtype\":\"%s\",\"shape\":[", (int)idx, tflm_type_name(ti.type));
    for (int d = 0; d < ti.ndim; d++) {
        printf("%s%d", d ? "," : "", (int)ti.dims[d]);
    }
    printf("],\"bytes\":%u,\"scale\":%.9g,\"zero_point\":%d}", ti.bytes, (double)ti.scale, (int)ti.zero_point);
}

// --cores 2: a stand-in second core that runs its part at once, before the
// caller's part, so the split ops prove their parts independent (the output
// must not change with the order the parts run in).
static int worker_start(void *ctx, void (*fn)(void *arg), void *arg) {
    (void)ctx;
    fn(arg);
    return 0;
}

static void worker_wait(void *ctx) {
    (void)ctx;
}

int main(int argc, char **argv) {
    int cores = 1;
    const char *model_path = NULL, *dump = NULL;
    const char *ins[64], *outs[64];
    int n_ins = 0, n_outs = 0, repeat = 1, list = 0;
    long arena_force = -1;
    uint32_t plan_flags = 0;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-i") && a + 1 < argc && n_ins < 64) {
            ins[n_ins++] = argv[++a];
        } else if (!strcmp(argv[a], "-o") && a + 1 < argc && n_outs < 64) {
            outs[n_outs++] = argv[++a];
        } else if (!strcmp(argv[a], "--dump") && a + 1 < argc) {
            dump = argv[++a];
        } else if (!strcmp(argv[a], "--arena") && a + 1 < argc) {
            arena_force = strtol(argv[++a], NULL, 0);
        } else if (!strcmp(argv[a], "--repeat") && a + 1 < argc) {
            repeat = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--lean")) {
            plan_flags |= TFLM_PLAN_LEAN;
        } else if (!strcmp(argv[a], "--cores") && a + 1 < argc) {
            cores = atoi(argv[++a]);
            if (cores != 1 && cores != 2) {
                die("--cores must be 1 or 2", argv[a]);
            }
            if (cores == 2) {
                plan_flags |= TFLM_PLAN_DUAL;
            }
        } else if (!strcmp(argv[a], "--list")) {
            list = 1;
        } else if (!strcmp(argv[a], "--ops")) {
            // The registry: every op this build supports, as one JSON line.
            printf("{\"ops\":[");
            for (uint32_t i = 0; i < tflm_registry_count(); i++) {
                printf("%s\"%s\"", i ? "," : "", tflm_registry_name(i));
            }
            printf("]}\n");
            return 0;
        } else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
            printf("usage: tflm_run MODEL.tflite [-i IN.bin]... [-o OUT.bin]... [--dump DIR] [--arena N] [--repeat N] [--lean] [--cores 2] [--list] | --ops\n"
                "  runs the model on the host engine; prints one JSON line (arena_bytes, ops, inputs, outputs)\n"
                "  --lean: recompute per-channel factors and read constant tensors from the model at each invoke\n"
                "          (smaller arena, a little slower)\n"
                "  --cores 2: plan for two cores and split conv/depthwise/fully-connected ops in two parts\n"
                "             (run one after the other here, the second core's part first)\n"
                "  example: tflm_run person_detect.tflite -i image.bin -o scores.bin\n");
            return 0;
        } else if (argv[a][0] != '-' && !model_path) {
            model_path = argv[a];
        } else {
            die("bad argument (see --help)", argv[a]);
        }
    }
    if (!model_path) {
        die("no model given (see --help)", NULL);
    }
    uint32_t len;
    uint8_t *buf = read_file(model_path, &len);
    tflm_model_t m;
    tflm_error_t err;
    if (tflm_model_load(&m, buf, len, &err) != TFLM_OK) {
        die_err("cannot load model", &err);
    }
    if (list) {
        for (uint32_t i = 0; i < m.n_ops; i++) {
            tflm_op_info_t oi;
            tflm_model_op_info(&m, i, &oi);
            printf("%u %.*s v%d %s\n", i, (int)oi.name_len, oi.name, (int)oi.version, oi.supported ? "supported" : "UNSUPPORTED");
        }
        return 0;
    }
    uint32_t ws = tflm_interp_work_size(&m);
    void *work = aligned_alloc16((ws + 16) & ~15u);
    uint32_t needed = 0;
    if (tflm_interp_measure_ex(&m, plan_flags, work, ws, &needed, &err) != TFLM_OK) {
        die_err("cannot prepare model", &err);
    }
    free(work);
    uint32_t size = arena_force >= 0 ? (uint32_t)arena_force : needed;
    void *arena = aligned_alloc16(((size_t)size + 16) & ~(size_t)15);
    static tflm_interp_t ip;
    if (tflm_interp_init_ex(&ip, &m, plan_flags, arena, size) != TFLM_OK) {
        die_err("cannot prepare model", &ip.err);
    }
    static const tflm_worker_t seq_worker = { worker_start, worker_wait, NULL };
    if (cores == 2) {
        ip.worker = &seq_worker;
    }
    if ((uint32_t)n_ins > m.n_inputs) {
        die("more -i files than model inputs", NULL);
    }
    for (int k = 0; k < n_ins; k++) {
        int32_t t = tflm_model_input(&m, (uint32_t)k);
        tflm_tensor_info_t ti;
        tflm_model_tensor_info(&m, t, &ti);
        uint32_t flen;
        uint8_t *data = read_file(ins[k], &flen);
        if (flen != ti.bytes) {
            char msg[160];
            snprintf(msg, sizeof(msg), "input %d needs %u bytes (%s), file %s has %u", k, ti.bytes, tflm_type_name(ti.type), ins[k], flen);
            die("wrong input size", msg);
        }
        memcpy(tflm_interp_tensor_data(&ip, t), data, flen);
        free(data);
    }
    for (int r = 0; r < repeat; r++) {
        if (dump) {
            for (uint32_t i = 0; i < m.n_ops; i++) {
                if (tflm_interp_invoke_range(&ip, i, i + 1) != TFLM_OK) {
                    die_err("invoke failed", &ip.err);
                }
                int32_t in_idx[16], out_idx[16];
                uint32_t ni, no;
                tflm_model_op_io(&m, i, in_idx, &ni, out_idx, &no, 16);
                for (uint32_t k = 0; k < no; k++) {
                    char path[4096];
                    tflm_tensor_info_t ti;
                    tflm_model_tensor_info(&m, out_idx[k], &ti);
                    snprintf(path, sizeof(path), "%s/t%d.bin", dump, (int)out_idx[k]);
                    write_file(path, tflm_interp_tensor_data(&ip, out_idx[k]), ti.bytes);
                }
            }
        } else if (tflm_interp_invoke(&ip) != TFLM_OK) {
            die_err("invoke failed", &ip.err);
        }
    }
    for (int k = 0; k < n_outs && (uint32_t)k < m.n_outputs; k++) {
        int32_t t = tflm_model_output(&m, (uint32_t)k);
        tflm_tensor_info_t ti;
        tflm_model_tensor_info(&m, t, &ti);
        write_file(outs[k], tflm_interp_tensor_data(&ip, t), ti.bytes);
    }
    printf("{\"arena_bytes\":%u,\"arena_head\":%u,\"arena_tail\":%u,\"cores\":%d,\"par_runs\":%u,\"par_single\":%u,"
        "\"ops\":%u,\"op_names\":[", needed, ip.head, ip.tail, cores, ip.par_runs, ip.par_single, m.n_ops);
    for (uint32_t i = 0; i < m.n_ops; i++) {
        tflm_op_info_t oi;
        tflm_model_op_info(&m, i, &oi);
        printf("%s\"%.*s\"", i ? "," : "", (int)oi.name_len, oi.name);
    }
    printf("],\"inputs\":[");
    for (uint32_t k = 0; k < m.n_inputs; k++) {
        printf("%s", k ? "," : "");
        print_tensor_json(&m, tflm_model_input(&m, k));
    }
    printf("],\"outputs\":[");
    for (uint32_t k = 0; k < m.n_outputs; k++) {
        printf("%s", k ? "," : "");
        print_tensor_json(&m, tflm_model_output(&m, k));
    }
    printf("]}\n");
    free(arena);
    free(buf);
    return 0;
}
