// tflm port glue for MicroPython's rp2 port: core 1 as the engine's second
// core (tflm_worker_t, see engine/tflm.h).
//
// Core 1 belongs to MicroPython's _thread when a thread runs there; then
// models run on core 0 alone and Model.profile() says so (1 core per op).
// Otherwise, for one invoke: core 1 is launched (pico-sdk's
// multicore_launch_core1_with_stack) on the first op that splits, takes the
// second part of each split op, and is reset again when the invoke ends, so
// that it is back in the boot ROM whenever Python code runs (flash writes,
// a new _thread).
//
// Hand-over between the cores is a job slot in RAM with sequence numbers and
// SEV/WFE, not the inter-core FIFO: MicroPython installs a FIFO interrupt
// handler on core 0 (multicore_lockout) that would swallow FIFO messages.
// The RP2040 has no data cache, so plain volatile accesses are coherent; the
// compiler barriers keep the job's fields written before its sequence number.
#include <stdint.h>

#include "py/mpconfig.h"
#include "py/misc.h"
#include "pico/multicore.h"
#include "hardware/sync.h"

#include "tflm.h"
#include "tflm_port.h"

#if MICROPY_PY_THREAD
#include "py/mpthread.h"
#endif

const uint32_t tflm_port_cores = 2;

// Core 1's stack: a GC heap block taken for the invoke and given back after
// it, as MicroPython's _thread does for its threads (the rp2 port reserves no
// core-1 stack, PICO_CORE1_STACK_SIZE=0, and core 0's 8 KB stack spans both
// SCRATCH banks). The deepest kernel path on core 1 needs about 2 KB. No
// heap for it: the invoke stays on one core.
#define TFLM_CORE1_STACK_BYTES 4096u
static uint32_t *tflm_core1_stack;

typedef struct {
    void (*volatile fn)(void *arg);
    void *volatile arg;
    volatile uint32_t posted;   // written by core 0: jobs handed out
    volatile uint32_t done;     // written by core 1: jobs finished
    volatile uint32_t running;  // core 1 is in tflm_core1_loop
} tflm_core1_slot_t;

static tflm_core1_slot_t tflm_slot;

static void __not_in_flash_func(tflm_core1_loop)(void) {
    uint32_t seen = tflm_slot.done;
    for (;;) {
        while (tflm_slot.posted == seen) {
            __wfe();
        }
        __compiler_memory_barrier();
        tflm_slot.fn(tflm_slot.arg);
        __compiler_memory_barrier();
        seen++;
        tflm_slot.done = seen;
        __sev();
    }
}

static int tflm_core1_start(void *ctx, void (*fn)(void *arg), void *arg) {
    (void)ctx;
    if (!tflm_slot.running) {
        if (tflm_core1_stack == NULL) {
            // (GC blocks are 16-byte aligned; no collection runs during an invoke)
            tflm_core1_stack = m_malloc_maybe(TFLM_CORE1_STACK_BYTES);
            if (tflm_core1_stack == NULL) {
                return -1;  // no memory for a stack: stay on one core
            }
        }
        tflm_slot.posted = 0;
        tflm_slot.done = 0;
        multicore_reset_core1();
        multicore_launch_core1_with_stack(tflm_core1_loop, tflm_core1_stack, TFLM_CORE1_STACK_BYTES);
        tflm_slot.running = 1;
    }
    tflm_slot.fn = fn;
    tflm_slot.arg = arg;
    __compiler_memory_barrier();
    tflm_slot.posted = tflm_slot.posted + 1;
    __sev();
    return 0;
}

static void tflm_core1_wait(void *ctx) {
    (void)ctx;
    while (tflm_slot.done != tflm_slot.posted) {
        __wfe();
    }
    __compiler_memory_barrier();
}

static const tflm_worker_t tflm_core1_worker = { tflm_core1_start, tflm_core1_wait, NULL };

const tflm_worker_t *tflm_port_worker_begin(void) {
    if (get_core_num() != 0) {
        return NULL;  // an invoke from a thread on core 1
    }
    #if MICROPY_PY_THREAD
    if (core1_entry != NULL) {
        return NULL;  // a _thread holds core 1
    }
    #endif
    return &tflm_core1_worker;
}

void tflm_port_worker_end(void) {
    if (tflm_slot.running) {
        multicore_reset_core1();
        tflm_slot.running = 0;
    }
    if (tflm_core1_stack != NULL) {
        m_del(uint32_t, tflm_core1_stack, TFLM_CORE1_STACK_BYTES / 4u);
        tflm_core1_stack = NULL;
    }
}
