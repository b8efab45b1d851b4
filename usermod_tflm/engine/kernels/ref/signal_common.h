// Helpers shared by the signal-library CUSTOM kernels (signal_*.c): custom
// option access and the bit tricks their reference arithmetic relies on.
#ifndef TFLM_SIGNAL_COMMON_H
#define TFLM_SIGNAL_COMMON_H

#include <stdint.h>
#include <string.h>
#include "../../tflm_kernel.h"
#include "../../tflm_flexbuf.h"

// The int32 custom option under key (def when absent). 0 ok, -1 when the
// options are corrupt or the value is not an int32.
static inline int tflm_sig_opt(const tflm_node_t *node, const char *key, int32_t def, int32_t *v) {
    if (node->custom == NULL || node->custom_len == 0) {
        *v = def;
        return 0;
    }
    return tflm_flex_opt_i32(node->custom, node->custom_len, key, def, v) < 0 ? -1 : 0;
}

// Bit length of x (position of the highest set bit, 1-based). As the
// reference's GCC build: 32 for x == 0.
static inline uint32_t tflm_sig_msb32(uint32_t x) {
    if (x == 0) {
        return 32;
    }
    uint32_t n = 0;
    while (x) {
        x >>= 1;
        n++;
    }
    return n;
}

// Same for 64 bits (64 for x == 0).
static inline uint32_t tflm_sig_msb64(uint64_t x) {
    if (x == 0) {
        return 64;
    }
    uint32_t n = 0;
    while (x) {
        x >>= 1;
        n++;
    }
    return n;
}

// int16 from the low 16 bits (two's complement wrap, no implementation-
// defined conversion).
static inline int16_t tflm_sig_wrap16(int32_t v) {
    uint16_t u = (uint16_t)((uint32_t)v & 0xffffu);
    return u >= 0x8000u ? (int16_t)((int32_t)u - 65536) : (int16_t)u;
}

// int32 from the low 32 bits of an int64.
static inline int32_t tflm_sig_wrap32(int64_t v) {
    uint32_t u = (uint32_t)((uint64_t)v & 0xffffffffu);
    return u >= 0x80000000u ? (int32_t)((int64_t)u - 4294967296LL) : (int32_t)u;
}

static inline uint32_t tflm_sig_rd_u32(const void *p, uint32_t i) {
    uint32_t v;
    memcpy(&v, (const uint8_t *)p + 4 * (size_t)i, 4);
    return v;
}

static inline void tflm_sig_wr_u32(void *p, uint32_t i, uint32_t v) {
    memcpy((uint8_t *)p + 4 * (size_t)i, &v, 4);
}

// Integer square root with the reference's bit-by-bit method and its final
// rounding step; 32-bit input, 16-bit result.
static inline uint16_t tflm_sig_sqrt32(uint32_t num) {
    if (num == 0) {
        return 0;
    }
    uint32_t res = 0;
    int top = (int)(32 - tflm_sig_msb32(num)) | 1;
    uint32_t bit = (uint32_t)1 << (31 - top);
    int iters = (31 - top) / 2 + 1;
    while (iters--) {
        if (num >= res + bit) {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if (num > res && res != 0xFFFFu) {
        ++res;
    }
    return (uint16_t)res;
}

// 64-bit input, 32-bit result (uses the 32-bit path when the high word is 0).
static inline uint32_t tflm_sig_sqrt64(uint64_t num) {
    if ((num >> 32) == 0) {
        return tflm_sig_sqrt32((uint32_t)num);
    }
    uint64_t res = 0;
    int top = (int)(64 - tflm_sig_msb64(num)) | 1;
    uint64_t bit = (uint64_t)1 << (63 - top);
    int iters = (63 - top) / 2 + 1;
    while (iters--) {
        if (num >= res + bit) {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if (num > res && res != 0xFFFFFFFFu) {
        ++res;
    }
    return (uint32_t)res;
}

#endif // TFLM_SIGNAL_COMMON_H
