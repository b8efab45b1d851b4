// Shared by the fuzz harness and the hostile-corpus checker: run one model
// through every stage of the public API (load, measure, init, invoke) and
// check the engine's own promises on the way. Host test code (not engine).
//
// The caller gives fixed-size, 8-aligned buffers; a model needing more than
// they hold must fail with TFLM_ERR_ARENA_TOO_SMALL and nothing else.
#ifndef FUZZ_RUN_MODEL_H
#define FUZZ_RUN_MODEL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflm.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define FUZZ_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define FUZZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define FUZZ_POISON(p, n) ((void)(p), (void)(n))
#define FUZZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

// The stage a run stopped at.
typedef enum { RUN_LOAD = 0, RUN_MEASURE, RUN_INIT, RUN_INVOKE, RUN_DONE } run_stage_t;

typedef struct {
    uint8_t *model;      // 8-aligned, model_cap bytes
    uint32_t model_cap;
    uint8_t *work;       // 8-aligned, work_cap bytes
    uint32_t work_cap;
    uint8_t *arena;      // 8-aligned, arena_cap bytes
    uint32_t arena_cap;
    uint32_t seed;       // input bytes are derived from it
    uint32_t plan;       // TFLM_PLAN_* flags (lean: constant views read from the model)
} run_bufs_t;

typedef struct {
    tflm_status_t status;
    run_stage_t stage;
    tflm_error_t err;
    uint32_t needed;
} run_result_t;

// Enum names, in tflm_status_t order.
static const char *const run_status_names[] = {
    "TFLM_OK",
    "TFLM_ERR_MODEL_TRUNCATED",
    "TFLM_ERR_MODEL_IDENT",
    "TFLM_ERR_MODEL_CORRUPT",
    "TFLM_ERR_MODEL_VERSION",
    "TFLM_ERR_MODEL_ALIGN",
    "TFLM_ERR_MODEL_LIMIT",
    "TFLM_ERR_SUBGRAPHS",
    "TFLM_ERR_UNSUPPORTED_OP",
    "TFLM_ERR_UNSUPPORTED_TYPE",
    "TFLM_ERR_BAD_SHAPE",
    "TFLM_ERR_BAD_QUANT",
    "TFLM_ERR_BAD_PARAM",
    "TFLM_ERR_DYNAMIC",
    "TFLM_ERR_ARENA_TOO_SMALL",
    "TFLM_ERR_ARENA_ALIGN",
    "TFLM_ERR_NOT_READY",
    "TFLM_ERR_INDEX",
    "TFLM_ERR_EVAL",
};
typedef char run_status_names_check[sizeof(run_status_names) / sizeof(run_status_names[0]) == TFLM_STATUS_COUNT ? 1 : -1];

static inline const char *run_status_name(tflm_status_t st) {
    return (unsigned)st < TFLM_STATUS_COUNT ? run_status_names[st] : "TFLM_STATUS_INVALID";
}

static inline const char *run_stage_name(run_stage_t s) {
    static const char *const n[] = { "load", "measure", "init", "invoke", "done" };
    return n[s];
}

// A broken promise of the engine: print and abort (the fuzzer records a crash).
#define RUN_ASSERT(cond, what) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "engine invariant broken: %s (%s:%d)\n", (what), __FILE__, __LINE__); \
            abort(); \
        } \
    } while (0)

static inline uint32_t run_rand(uint32_t *s) {
    // xorshift32: deterministic input bytes.
    uint32_t x = *s ? *s : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

#ifndef FUZZ_RAW_FLOATS
#define FUZZ_RAW_FLOATS 0
#endif

static inline void run_fill_inputs(const tflm_model_t *m, tflm_interp_t *ip, uint32_t seed) {
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        int32_t t = tflm_model_input(m, k);
        tflm_tensor_info_t ti;
        RUN_ASSERT(tflm_model_tensor_info(m, t, &ti) == TFLM_OK, "input tensor info");
        uint8_t *p = (uint8_t *)tflm_interp_tensor_data(ip, t);
        if (p == NULL) {
            continue;
        }
        for (uint32_t b = 0; b < ti.bytes; b += 4) {
            uint32_t r = run_rand(&seed);
            if (ti.type == TFLM_FLOAT32 && !(FUZZ_RAW_FLOATS && (seed & 3) == 0)) {
                // Finite values in [-8, 8). Build with -DFUZZ_RAW_FLOATS=1 to
                // also feed raw bytes (NaN, Inf) to float inputs.
                float f = ((float)(r >> 8) / 16777216.0f) * 16.0f - 8.0f;
                memcpy(&r, &f, 4);
            }
            uint32_t n = ti.bytes - b < 4 ? ti.bytes - b : 4;
            memcpy(p + b, &r, n);
        }
    }
}

// Poke every read-only inspection function over a loaded model.
static inline void run_inspect(const tflm_model_t *m, const tflm_error_t *err) {
    char msg[256];
    tflm_error_format(err, msg, sizeof(msg));
    RUN_ASSERT(strlen(msg) < sizeof(msg), "error message length");
    for (uint32_t i = 0; i < m->n_tensors && i < 4096; i++) {
        tflm_tensor_info_t ti;
        RUN_ASSERT(tflm_model_tensor_info(m, (int32_t)i, &ti) == TFLM_OK, "tensor info");
        RUN_ASSERT(ti.ndim >= 0 && ti.ndim <= TFLM_MAX_DIMS, "tensor ndim");
        volatile uint8_t sink = 0;
        for (uint32_t c = 0; c < ti.name_len; c++) {
            sink ^= (uint8_t)ti.name[c];
        }
        (void)sink;
    }
    tflm_tensor_info_t ti;
    RUN_ASSERT(tflm_model_tensor_info(m, -1, &ti) == TFLM_ERR_INDEX, "tensor info -1");
    RUN_ASSERT(tflm_model_tensor_info(m, (int32_t)m->n_tensors, &ti) == TFLM_ERR_INDEX, "tensor info n");
    for (uint32_t i = 0; i < m->n_ops && i < 4096; i++) {
        tflm_op_info_t oi;
        int32_t ins[16], outs[16];
        uint32_t ni, no;
        RUN_ASSERT(tflm_model_op_info(m, i, &oi) == TFLM_OK, "op info");
        volatile uint8_t sink = 0;
        for (uint32_t c = 0; c < oi.name_len; c++) {
            sink ^= (uint8_t)oi.name[c];
        }
        (void)sink;
        RUN_ASSERT(tflm_model_op_io(m, i, ins, &ni, outs, &no, 16) == TFLM_OK, "op io");
        for (uint32_t k = 0; k < ni; k++) {
            RUN_ASSERT(ins[k] >= -1 && ins[k] < (int32_t)m->n_tensors, "op input index");
        }
        for (uint32_t k = 0; k < no; k++) {
            RUN_ASSERT(outs[k] >= 0 && outs[k] < (int32_t)m->n_tensors, "op output index");
        }
    }
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        int32_t t = tflm_model_input(m, k);
        RUN_ASSERT(t >= 0 && (uint32_t)t < m->n_tensors, "model input index");
    }
    for (uint32_t k = 0; k < m->n_outputs; k++) {
        int32_t t = tflm_model_output(m, k);
        RUN_ASSERT(t >= 0 && (uint32_t)t < m->n_tensors, "model output index");
    }
    RUN_ASSERT(tflm_model_input(m, m->n_inputs) == -1, "model input n");
}

static inline run_result_t run_model(const run_bufs_t *b, const uint8_t *data, uint32_t len) {
    run_result_t r;
    memset(&r, 0, sizeof(r));
    static tflm_model_t m;
    static tflm_interp_t ip;
    if (len > b->model_cap) {
        len = b->model_cap;
    }
    // The model sits at the start of the buffer; reads past its end trap.
    FUZZ_UNPOISON(b->model, b->model_cap);
    memcpy(b->model, data, len);
    FUZZ_POISON(b->model + len, b->model_cap - len);

    r.stage = RUN_LOAD;
    r.status = tflm_model_load(&m, b->model, len, &r.err);
    RUN_ASSERT(r.status == r.err.status, "load: err.status matches");
    RUN_ASSERT((unsigned)r.status < TFLM_STATUS_COUNT, "load: status in range");
    if (r.status != TFLM_OK) {
        char msg[256];
        tflm_error_format(&r.err, msg, sizeof(msg));
        return r;
    }
    run_inspect(&m, &r.err);

    r.stage = RUN_MEASURE;
    uint32_t ws = tflm_interp_work_size(&m);
    if (ws > b->work_cap) {
        // The caller's work buffer cannot hold the tables: the API says so.
        uint32_t need = 0;
        r.status = tflm_interp_measure(&m, b->work, b->work_cap, &need, &r.err);
        RUN_ASSERT(r.status == TFLM_ERR_ARENA_TOO_SMALL, "measure: small work buffer");
        return r;
    }
    FUZZ_UNPOISON(b->work, b->work_cap);
    FUZZ_POISON(b->work + ws, b->work_cap - ws);
    r.status = tflm_interp_measure_ex(&m, b->plan, b->work, ws, &r.needed, &r.err);
    FUZZ_UNPOISON(b->work, b->work_cap);
    RUN_ASSERT(r.status == r.err.status, "measure: err.status matches");
    RUN_ASSERT((unsigned)r.status < TFLM_STATUS_COUNT, "measure: status in range");
    if (r.status != TFLM_OK) {
        char msg[256];
        tflm_error_format(&r.err, msg, sizeof(msg));
        return r;
    }
    // (work size is the default plan's tables: a lean plan's are smaller)
    RUN_ASSERT((r.needed >= ws || (b->plan & TFLM_PLAN_LEAN)) && r.needed > 0 && (r.needed & (TFLM_ALIGN - 1)) == 0,
        "measure: needed >= work size, aligned");

    r.stage = RUN_INIT;
    if ((b->seed & 7) == 0 && r.needed >= TFLM_ALIGN && r.needed <= b->arena_cap) {
        // One aligned step below the measured size must be refused, cleanly.
        uint32_t small = r.needed - TFLM_ALIGN;
        FUZZ_UNPOISON(b->arena, b->arena_cap);
        FUZZ_POISON(b->arena + small, b->arena_cap - small);
        tflm_status_t st = tflm_interp_init_ex(&ip, &m, b->plan, b->arena, small);
        RUN_ASSERT(st == TFLM_ERR_ARENA_TOO_SMALL, "init below the measured size must fail ARENA_TOO_SMALL");
        RUN_ASSERT(tflm_interp_invoke(&ip) == TFLM_ERR_NOT_READY, "invoke after failed init");
    }
    uint32_t size = r.needed <= b->arena_cap ? r.needed : b->arena_cap;
    FUZZ_UNPOISON(b->arena, b->arena_cap);
    memset(b->arena, 0xA5, size);
    FUZZ_POISON(b->arena + size, b->arena_cap - size);
    r.status = tflm_interp_init_ex(&ip, &m, b->plan, b->arena, size);
    r.err = ip.err;
    if (r.needed > b->arena_cap) {
        RUN_ASSERT(r.status == TFLM_ERR_ARENA_TOO_SMALL, "init: arena smaller than measured must fail ARENA_TOO_SMALL");
        RUN_ASSERT(tflm_interp_invoke(&ip) == TFLM_ERR_NOT_READY, "invoke after failed init");
        return r;
    }
    // Measure and init run the same prepares: init with the measured size must work.
    if (r.status != TFLM_OK) {
        char msg[256];
        fprintf(stderr, "init failed after measure succeeded: %s\n", tflm_error_format(&r.err, msg, sizeof(msg)));
    }
    RUN_ASSERT(r.status == TFLM_OK, "init with the measured arena size failed");
    RUN_ASSERT(tflm_interp_arena_used(&ip) == r.needed, "init: arena used == measured");

    r.stage = RUN_INVOKE;
    run_fill_inputs(&m, &ip, b->seed);
    r.status = tflm_interp_invoke(&ip);
    r.err = ip.err;
    RUN_ASSERT((unsigned)r.status < TFLM_STATUS_COUNT, "invoke: status in range");
    if (r.status != TFLM_OK) {
        return r;
    }
    for (uint32_t k = 0; k < m.n_outputs; k++) {
        int32_t t = tflm_model_output(&m, k);
        tflm_tensor_info_t ti;
        tflm_model_tensor_info(&m, t, &ti);
        const uint8_t *p = (const uint8_t *)tflm_interp_tensor_data(&ip, t);
        if (p != NULL) {
            volatile uint8_t sink = 0;
            for (uint32_t c = 0; c < ti.bytes; c++) {
                sink ^= p[c];
            }
            (void)sink;
        }
    }
    RUN_ASSERT(tflm_interp_reset(&ip) == TFLM_OK, "reset");
    FUZZ_UNPOISON(b->arena, b->arena_cap);
    r.stage = RUN_DONE;
    return r;
}

#endif // FUZZ_RUN_MODEL_H
