// The mailbox between the bare-metal Cortex-M4 runner (m4main.c) and its
// host (m4emu.c), at the start of the runner's RAM. Only uint32 fields, so
// that both sides agree on the layout.
#ifndef M4MBOX_H
#define M4MBOX_H

#include <stdint.h>

#define M4_MBOX_MAGIC 0x5842344Du   // "M4BX"
#define M4_MAX_IO 16
#define M4_FLAG_PER_OP 1u           // one invoke_range per op, M4_TRAP_OP after each

enum {
    M4_TRAP_READY = 1,   // planned and prepared: write the inputs
    M4_TRAP_OP = 2,      // op `op` done, its outputs in op_out
    M4_TRAP_DONE = 3,    // invoke done: read the outputs
    M4_TRAP_ERROR = 4,   // status and msg say what failed
    M4_TRAP_EXIT = 5,
};

typedef struct {
    uint32_t index, addr, bytes;
} m4_tensor_ref_t;

typedef struct {
    uint32_t magic;
    uint32_t flags;
    uint32_t model_addr, model_len;
    uint32_t status;
    uint32_t arena_bytes, arena_head, arena_tail;
    uint32_t n_ops, n_in, n_out;
    uint32_t op, op_n_out;
    m4_tensor_ref_t in[M4_MAX_IO];
    m4_tensor_ref_t out[M4_MAX_IO];
    m4_tensor_ref_t op_out[M4_MAX_IO];
    char msg[256];
} m4_mbox_t;

#endif // M4MBOX_H
