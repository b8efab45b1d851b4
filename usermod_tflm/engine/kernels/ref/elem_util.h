// Shared helpers of the elementwise kernels: broadcasting plans, common
// prepare checks and the fused-activation clamp.
#ifndef TFLM_ELEM_UTIL_H
#define TFLM_ELEM_UTIL_H

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

// Checks shared by the prepares: node has n_in inputs / n_out outputs, the
// listed ones present.
tflm_status_t tflm_elem_check_io(tflm_node_t *node, int32_t n_in, int32_t n_out);

// Quantised tensor has a single scale > 0 (per-tensor quantisation).
int tflm_elem_per_tensor(const tflm_tensor_t *t);

// Signed variant of tflm_quantize_multiplier: keeps the sign of m (negative
// leaky-relu alphas), with the same rounding and flush rules.
void tflm_elem_quantize_multiplier_signed(double m, int32_t *qm, int32_t *shift);

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
