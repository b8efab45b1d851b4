// Bare-metal Cortex-M4 runner of the engine for tools/emu/m4bench: the host
// (m4emu.c, on unicorn) places the model in flash, fills in the mailbox and
// stops the core at each call of m4_trap() to read or write tensors and to
// take the instruction and cycle counters. One invoke per run.
#include <stdint.h>
#include <string.h>
#include "tflm.h"
#include "m4mbox.h"

extern uint32_t _data_start, _data_end, _data_load, _bss_start, _bss_end;
extern uint8_t _heap_start[], _heap_end[];
extern uint32_t _stack_top;

__attribute__((section(".mbox"), used)) m4_mbox_t m4_mbox;

int main(void);
void m4_reset(void);

// Vector table: initial stack pointer and the reset handler (nothing else
// runs: the emulator raises no interrupts).
__attribute__((section(".vectors"), used)) const void *const m4_vectors[2] = {
    &_stack_top,
    (const void *)m4_reset,
};

// The host stops here (its address is taken from the ELF symbols); kind
// tells it why (M4_TRAP_*), in r0.
__attribute__((noinline, used)) void m4_trap(uint32_t kind) {
    __asm__ volatile("" : : "r"(kind) : "memory");
}

__attribute__((noreturn, used)) void m4_reset(void) {
#if defined(__ARM_FP)
    // The FPU: full access for CP10/CP11 (CPACR).
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    uint32_t *src = &_data_load;
    for (uint32_t *d = &_data_start; d < &_data_end;) {
        *d++ = *src++;
    }
    for (uint32_t *d = &_bss_start; d < &_bss_end;) {
        *d++ = 0;
    }
    main();
    for (;;) {
        m4_trap(M4_TRAP_EXIT);
    }
}

static void fail(m4_mbox_t *mb, tflm_status_t st, const tflm_error_t *err) {
    mb->status = (uint32_t)st;
    tflm_error_format(err, mb->msg, sizeof(mb->msg));
    m4_trap(M4_TRAP_ERROR);
}

static void op_outputs(m4_mbox_t *mb, const tflm_model_t *m, const tflm_interp_t *ip, uint32_t op) {
    int32_t ins[M4_MAX_IO], outs[M4_MAX_IO];
    uint32_t ni = 0, no = 0;
    tflm_model_op_io(m, op, ins, &ni, outs, &no, M4_MAX_IO);
    mb->op = op;
    mb->op_n_out = no;
    for (uint32_t k = 0; k < no; k++) {
        tflm_tensor_info_t ti;
        tflm_model_tensor_info(m, outs[k], &ti);
        mb->op_out[k].index = (uint32_t)outs[k];
        mb->op_out[k].addr = (uint32_t)(uintptr_t)tflm_interp_tensor_data(ip, outs[k]);
        mb->op_out[k].bytes = ti.bytes;
    }
}

static void io_table(m4_mbox_t *mb, const tflm_model_t *m, const tflm_interp_t *ip) {
    mb->n_in = m->n_inputs < M4_MAX_IO ? m->n_inputs : M4_MAX_IO;
    mb->n_out = m->n_outputs < M4_MAX_IO ? m->n_outputs : M4_MAX_IO;
    for (uint32_t k = 0; k < mb->n_in; k++) {
        tflm_tensor_info_t ti;
        int32_t t = tflm_model_input(m, k);
        tflm_model_tensor_info(m, t, &ti);
        mb->in[k].index = (uint32_t)t;
        mb->in[k].addr = (uint32_t)(uintptr_t)tflm_interp_tensor_data(ip, t);
        mb->in[k].bytes = ti.bytes;
    }
    for (uint32_t k = 0; k < mb->n_out; k++) {
        tflm_tensor_info_t ti;
        int32_t t = tflm_model_output(m, k);
        tflm_model_tensor_info(m, t, &ti);
        mb->out[k].index = (uint32_t)t;
        mb->out[k].addr = (uint32_t)(uintptr_t)tflm_interp_tensor_data(ip, t);
        mb->out[k].bytes = ti.bytes;
    }
}

int main(void) {
    m4_mbox_t *mb = &m4_mbox;
    static tflm_model_t m;
    static tflm_interp_t ip;
    tflm_error_t err;
    memset(&err, 0, sizeof(err));
    if (mb->magic != M4_MBOX_MAGIC) {
        err.detail = "no mailbox from the host";
        fail(mb, TFLM_ERR_NOT_READY, &err);
        return 1;
    }
    tflm_status_t st = tflm_model_load(&m, (const void *)(uintptr_t)mb->model_addr, mb->model_len, &err);
    if (st != TFLM_OK) {
        fail(mb, st, &err);
        return 1;
    }
    uint8_t *heap = (uint8_t *)(((uintptr_t)_heap_start + 15u) & ~(uintptr_t)15u);
    uint32_t avail = (uint32_t)(_heap_end - heap);
    uint32_t ws = tflm_interp_work_size(&m);
    if (ws > avail) {
        err.status = TFLM_ERR_ARENA_TOO_SMALL;
        err.needed = ws;
        fail(mb, TFLM_ERR_ARENA_TOO_SMALL, &err);
        return 1;
    }
    uint32_t needed = 0;
    st = tflm_interp_measure(&m, heap, ws, &needed, &err);
    if (st != TFLM_OK) {
        fail(mb, st, &err);
        return 1;
    }
    mb->arena_bytes = needed;
    if (needed > avail) {
        err.status = TFLM_ERR_ARENA_TOO_SMALL;
        err.needed = needed;
        fail(mb, TFLM_ERR_ARENA_TOO_SMALL, &err);
        return 1;
    }
    memset(heap, 0, needed);
    if (tflm_interp_init(&ip, &m, heap, needed) != TFLM_OK) {
        fail(mb, ip.err.status, &ip.err);
        return 1;
    }
    mb->arena_head = ip.head;
    mb->arena_tail = ip.tail;
    mb->n_ops = m.n_ops;
    io_table(mb, &m, &ip);
    m4_trap(M4_TRAP_READY);
    if (mb->flags & M4_FLAG_PER_OP) {
        for (uint32_t i = 0; i < m.n_ops; i++) {
            if (tflm_interp_invoke_range(&ip, i, i + 1) != TFLM_OK) {
                fail(mb, ip.err.status, &ip.err);
                return 1;
            }
            op_outputs(mb, &m, &ip, i);
            m4_trap(M4_TRAP_OP);
        }
    } else if (tflm_interp_invoke(&ip) != TFLM_OK) {
        fail(mb, ip.err.status, &ip.err);
        return 1;
    }
    mb->status = TFLM_OK;
    m4_trap(M4_TRAP_DONE);
    return 0;
}
