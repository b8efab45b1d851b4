// Helpers shared by the shape and data-movement kernels (reshape, concat,
// split, pad, reduce, strided slice, transpose, resize, ...).
#ifndef TFLM_SHAPE_COMMON_H
#define TFLM_SHAPE_COMMON_H

#include <stdint.h>
#include <string.h>
#include "../../tflm_kernel.h"

// Bytes per element of the types these kernels move, 0 if not movable.
static inline uint32_t tflm_sh_esize(int32_t type) {
    switch (type) {
        case TFLM_FLOAT32:
        case TFLM_INT32:
        case TFLM_UINT32:
            return 4;
        case TFLM_INT16:
        case TFLM_UINT16:
        case TFLM_FLOAT16:
            return 2;
        case TFLM_INT8:
        case TFLM_UINT8:
        case TFLM_BOOL:
            return 1;
        case TFLM_INT64:
            return 8;
        default:
            return 0;
    }
}

// Product of dims [from, to) of a dims array (no tensor needed).
static inline uint32_t tflm_sh_prod(const int32_t *dims, int32_t from, int32_t to) {
    uint32_t p = 1;
    for (int32_t i = from; i < to; ++i) {
        p *= (uint32_t)dims[i];
    }
    return p;
}

// Every dim of a tensor is >= 0 (no unresolved -1).
static inline int tflm_sh_dims_ok(const tflm_tensor_t *t) {
    if (t->ndim < 0 || t->ndim > TFLM_MAX_DIMS) {
        return 0;
    }
    for (int32_t i = 0; i < t->ndim; ++i) {
        if (t->dims[i] < 0) {
            return 0;
        }
    }
    return 1;
}

// Resolve a possibly negative axis against ndim; -1 when out of range.
static inline int32_t tflm_sh_axis(int32_t axis, int32_t ndim) {
    if (axis < 0) {
        axis += ndim;
    }
    return (axis >= 0 && axis < ndim) ? axis : -1;
}

// Same scale and zero point (bitwise float compare, as the reference does).
static inline int tflm_sh_same_quant(const tflm_tensor_t *a, const tflm_tensor_t *b) {
    return a->scale == b->scale && a->zero_point == b->zero_point;
}

// Fill n elements of esize bytes each with the element at val.
static inline void tflm_sh_fill(uint8_t *dst, const uint8_t *val, uint32_t esize, uint32_t n) {
    if (esize == 1) {
        memset(dst, val[0], n);
        return;
    }
    for (uint32_t i = 0; i < n; ++i) {
        memcpy(dst + (size_t)i * esize, val, esize);
    }
}

#endif // TFLM_SHAPE_COMMON_H
