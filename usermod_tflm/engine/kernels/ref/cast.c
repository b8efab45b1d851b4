// CAST between float32, int8, uint8, int16, int32, uint32 and bool: C
// conversions (floats truncate toward zero; integers wrap). Floats outside the
// target's range (and NaN) give what the oracle's x86-64 build gives: the
// "integer indefinite" value of a 32-bit (int8/int16/int32 targets) or 64-bit
// (uint32 target) truncating conversion, then wrapped to the target width.
#include <math.h>
#include "shape_common.h"
#include "qmath.h"

static int cast_type_ok(int32_t t) {
    return t == TFLM_FLOAT32 || t == TFLM_INT8 || t == TFLM_UINT8 || t == TFLM_INT16 || t == TFLM_INT32 ||
           t == TFLM_UINT32 || t == TFLM_BOOL;
}

tflm_status_t tflm_cast_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs one input and one output");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, cast_type_ok(in->type) && cast_type_ok(out->type), TFLM_ERR_UNSUPPORTED_TYPE,
               "types must be float32, int8, uint8, int16, int32, uint32 or bool");
    TFLM_CHECK(node, in->elems == out->elems, TFLM_ERR_BAD_SHAPE, "input and output sizes differ");
    return TFLM_OK;
}

static int64_t cast_f_to_i32(float v) {
    if (!(v >= -2147483648.0f && v < 2147483648.0f)) {
        return INT32_MIN;
    }
    return (int32_t)v;
}

static int64_t cast_f_to_i64(float v) {
    if (!(v >= -9223372036854775808.0f && v < 9223372036854775808.0f)) {
        return INT64_MIN;
    }
    return tflm_f32_to_i64(v);
}

tflm_status_t tflm_cast_eval(tflm_node_t *node) {
    const tflm_tensor_t *in = &node->in[0];
    tflm_tensor_t *out = &node->out[0];
    int32_t ti = in->type, to = out->type;
    const uint8_t *src = in->data;
    uint8_t *dst = out->data;
    for (uint32_t i = 0; i < in->elems; ++i) {
        // Read as an integer (exact for every integer type) or a float.
        int64_t iv = 0;
        float fv = 0.0f;
        int is_f = ti == TFLM_FLOAT32;
        switch (ti) {
            case TFLM_FLOAT32:
                memcpy(&fv, src + 4 * (size_t)i, 4);
                break;
            case TFLM_INT8:
                iv = ((const int8_t *)src)[i];
                break;
            case TFLM_UINT8:
                iv = src[i];
                break;
            case TFLM_BOOL:
                iv = src[i] != 0;
                break;
            case TFLM_INT16: {
                int16_t v;
                memcpy(&v, src + 2 * (size_t)i, 2);
                iv = v;
                break;
            }
            case TFLM_INT32: {
                int32_t v;
                memcpy(&v, src + 4 * (size_t)i, 4);
                iv = v;
                break;
            }
            default: {
                uint32_t v;
                memcpy(&v, src + 4 * (size_t)i, 4);
                iv = v;
                break;
            }
        }
        switch (to) {
            case TFLM_FLOAT32: {
                // iv is within int32 or uint32: a 32-bit conversion rounds alike.
                float r = is_f ? fv : (iv < 0 ? (float)(int32_t)iv : (float)(uint32_t)iv);
                memcpy(dst + 4 * (size_t)i, &r, 4);
                break;
            }
            case TFLM_BOOL:
                dst[i] = is_f ? (fv != 0.0f) : (iv != 0);
                break;
            case TFLM_INT8:
            case TFLM_UINT8:
                dst[i] = (uint8_t)(uint64_t)(is_f ? cast_f_to_i32(fv) : iv);
                break;
            case TFLM_INT16: {
                uint16_t r = (uint16_t)(uint64_t)(is_f ? cast_f_to_i32(fv) : iv);
                memcpy(dst + 2 * (size_t)i, &r, 2);
                break;
            }
            case TFLM_INT32: {
                uint32_t r = (uint32_t)(uint64_t)(is_f ? cast_f_to_i32(fv) : iv);
                memcpy(dst + 4 * (size_t)i, &r, 4);
                break;
            }
            default: {
                uint32_t r = (uint32_t)(uint64_t)(is_f ? cast_f_to_i64(fv) : iv);
                memcpy(dst + 4 * (size_t)i, &r, 4);
                break;
            }
        }
    }
    return TFLM_OK;
}
