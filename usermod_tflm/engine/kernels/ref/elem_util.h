// Shared helpers of the elementwise kernels: broadcasting plans, common
// prepare checks and the fused-activation clamp.
#ifndef TFLM_ELEM_UTIL_H
#define TFLM_ELEM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "../../tflm_kernel.h"

#define TFLM_BCAST_DIMS (6)

// How a binary op walks its two inputs to fill the output. Built in prepare
// (pointer-free, lives in persistent op data), used by tflm_bcast_run.
// Dimensions are stored outermost first after merging every pair of
// neighbouring dimensions that can be walked as one.
typedef struct {
    int32_t ndim;                    // used dims (>= 1)
    int32_t dims[TFLM_BCAST_DIMS];   // output extents
    int32_t s1[TFLM_BCAST_DIMS];     // input 1 element stride per dim (0: broadcast)
    int32_t s2[TFLM_BCAST_DIMS];     // input 2 element stride per dim
} tflm_bcast_t;

// Validate numpy-style broadcasting of a and b into out (out's shape must be
// the broadcast shape) and build the walk plan.
tflm_status_t tflm_bcast_prepare(tflm_node_t *node, const tflm_tensor_t *a, const tflm_tensor_t *b,
    const tflm_tensor_t *out, tflm_bcast_t *bc);

// One run of the innermost dimension: n output elements starting at output
// element io; input elements start at ia / ib and advance by sa / sb (0 or 1).
typedef void (*tflm_bcast_row_fn)(void *ctx, uint32_t ia, int32_t sa, uint32_t ib, int32_t sb,
    uint32_t io, int32_t n);

// Walk the whole output in order, calling row for each innermost run.
void tflm_bcast_run(const tflm_bcast_t *bc, tflm_bcast_row_fn row, void *ctx);

// Binary elementwise ops (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM,
// MINIMUM, PRELU, the comparisons): one persistent data layout, one shared
// prepare and one broadcasting walker that loads and stores any of their
// types and calls the op's per-element function.
// Ops persist the prefix they use (TFLM_EBIN_UPTO(last field)).
typedef struct {
    tflm_bcast_t bc;
    int8_t op;                       // the op's own selector (sub, max, comparison kind...)
    int8_t ta, tb, to;               // types of input 1, input 2 and the output
    int32_t in1_offset, in2_offset, out_offset;   // -zp1, -zp2, zp_out
    int32_t mo, so;                  // output Q31 multiplier and shift
    int32_t act_min, act_max;        // integer clamp; float types: the float clamp (tflm_ebin_fmin/fmax)
    int32_t m1, s1;                  // input 1's multiplier and shift
    int32_t m2, s2;                  // input 2's
    int32_t left_shift;
} tflm_ebin_t;
#define TFLM_EBIN_HEAD ((uint32_t)offsetof(tflm_ebin_t, in1_offset))
#define TFLM_EBIN_UPTO(field) ((uint32_t)(offsetof(tflm_ebin_t, field) + sizeof(int32_t)))

// The float clamp of a float op (kept in act_min / act_max).
static inline float tflm_ebin_fmin(const tflm_ebin_t *d) {
    float f;
    memcpy(&f, &d->act_min, sizeof(f));
    return f;
}

static inline float tflm_ebin_fmax(const tflm_ebin_t *d) {
    float f;
    memcpy(&f, &d->act_max, sizeof(f));
    return f;
}

// Flags of tflm_ebin_prepare.
#define TFLM_EBIN_ACT (1u << 0)      // options field 0 is a fused activation (NONE..RELU6)
#define TFLM_EBIN_QUANT (1u << 1)    // int8/int16: per-tensor scales, zero points in range
#define TFLM_EBIN_CMP (1u << 2)      // bool output; inputs of one type
#define TFLM_EBIN_ALPHA8 (1u << 3)   // input 2 is int8 when input 1 is quantised (PRELU)
// Bit of a type in the `types` mask.
#define TFLM_EBIN_T(t) (1u << (t))

// Checks 2 inputs and 1 output, their types (all one type unless a flag says
// otherwise; input 1's among `types`), the fused activation, broadcasting
// (plan into d->bc) and, with TFLM_EBIN_QUANT, the quantisation of int8 /
// int16 tensors; fills d's types, offsets and clamps (quantised: the
// activation's range; int32: the activation's range; float: likewise).
tflm_status_t tflm_ebin_prepare(tflm_node_t *node, tflm_ebin_t *d, uint32_t types, uint32_t flags);
// Persist the first `bytes` of d as the node's op data.
tflm_status_t tflm_ebin_persist(tflm_node_t *node, const tflm_ebin_t *d, uint32_t bytes);

// The op's functions: one element of the integer types (int8/int16/int32/
// bool values as int32; the result is stored in the output type), and one
// run of float32 inputs (n elements from a and b, advancing by sa / sb (0 or
// 1), into o: float, or bool for the comparisons).
typedef int32_t (*tflm_ebin_ifn)(const tflm_ebin_t *d, int32_t x, int32_t y);
typedef void (*tflm_ebin_ffn)(const tflm_ebin_t *d, const float *a, int32_t sa, const float *b, int32_t sb, void *o,
    int32_t n);
// Walk the whole output (op data of node) with ifn / ffn.
tflm_status_t tflm_ebin_run(tflm_node_t *node, tflm_ebin_ifn ifn, tflm_ebin_ffn ffn);

// Checks shared by the prepares: node has n_in inputs / n_out outputs, the
// listed ones present.
tflm_status_t tflm_elem_check_io(tflm_node_t *node, int32_t n_in, int32_t n_out);

// Quantised tensor has a single scale > 0 (per-tensor quantisation).
int tflm_elem_per_tensor(const tflm_tensor_t *t);

// Wrap an int32 to int16 / int8 two's complement without implementation-defined
// conversions.
static inline int16_t tflm_wrap16(int32_t v) {
    uint16_t u = (uint16_t)((uint32_t)v & 0xFFFFu);
    return u >= 0x8000u ? (int16_t)(-(int32_t)(0x10000u - u)) : (int16_t)u;
}

// Float fused-activation clamp: min(max(x, lo), hi) in the reference's
// comparison order (a NaN input passes through).
static inline float tflm_clamp_f(float x, float lo, float hi) {
    float y = x < lo ? lo : x;
    return hi < y ? hi : y;
}

#endif // TFLM_ELEM_UTIL_H
