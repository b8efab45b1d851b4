// libFuzzer harness: any byte string through the engine's public API
// (tflm_model_load, tflm_interp_measure, tflm_interp_init, invoke on
// deterministic input bytes) with fixed-size static buffers.
//
//   make fuzz FUZZ_SECONDS=180
//
// Every stage must return a status, never crash, read or write out of
// bounds or hit undefined behaviour; see run_model.h for the invariants.
#include "run_model.h"

#define MODEL_CAP (512u * 1024u)
#define WORK_CAP (256u * 1024u)
#define ARENA_CAP (1024u * 1024u)

static uint8_t model_buf[MODEL_CAP] __attribute__((aligned(16)));
static uint8_t work_buf[WORK_CAP] __attribute__((aligned(16)));
static uint8_t arena_buf[ARENA_CAP] __attribute__((aligned(16)));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

// Structure-keeping mutations: a flatbuffer's scalars (dims, indices, enum
// options, zero points) sit at aligned positions, so overwriting a few
// aligned words or single bytes with small or boundary values changes the
// model's meaning without breaking its layout. Half the time; libFuzzer's
// own byte mutations the other half.
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    static const int32_t words[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 32, 64, 127, 128, 255, 256, 1000, 65535, 65536,
        0x7fffffff, -1, -2, -3, -127, -128, -129, -32768, (int32_t)0x80000000 };
    uint32_t s = seed | 1u;
    if (size < 16 || (run_rand(&s) & 1) == 0) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    uint32_t n = 1 + run_rand(&s) % 3;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = run_rand(&s);
        if (r & 1) {
            uint32_t pos = (uint32_t)(run_rand(&s) % (size / 4)) * 4;
            int32_t v;
            memcpy(&v, data + pos, 4);
            if (r & 2) {
                v = words[run_rand(&s) % (sizeof(words) / sizeof(words[0]))];
            } else {
                v = (int32_t)((uint32_t)v + (run_rand(&s) % 9) - 4);
            }
            memcpy(data + pos, &v, 4);
        } else {
            data[run_rand(&s) % size] = (uint8_t)(run_rand(&s) % 24);
        }
    }
    return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > MODEL_CAP) {
        return -1; // not added to the corpus
    }
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size && i < 64; i++) {
        seed = (seed ^ data[i]) * 16777619u;
    }
    // The plan from the input too: default, lean, two-core, lean two-core.
    const uint32_t plan = ((seed >> 8) & 1u ? TFLM_PLAN_LEAN : 0u) | ((seed >> 9) & 1u ? TFLM_PLAN_DUAL : 0u);
    run_bufs_t b = { model_buf, MODEL_CAP, work_buf, WORK_CAP, arena_buf, ARENA_CAP, seed, plan };
    run_model(&b, data, (uint32_t)size);
    return 0;
}
