// Fixed-point helpers shared by the reference kernels.
#include <float.h>
#include <math.h>
#include <string.h>
#include "qmath.h"
#include "../../tflm_kernel.h"

void tflm_quantize_multiplier(double m, int32_t *qm, int32_t *shift) {
    // Exactly frexp + round-half-away of the mantissa to 31 bits, on the
    // double's bits (no libm: this runs per channel at every invoke of a
    // lean plan, in soft float on the M0+).
    uint64_t bits;
    memcpy(&bits, &m, sizeof(bits));
    const uint32_t ex = (uint32_t)(bits >> 52) & 0x7ffu;
    if ((bits >> 63) != 0 || ex == 0 || ex == 0x7ffu) {
        // Negative, zero, subnormal (would shift out: the reference flushes
        // to zero), infinite or NaN.
        *qm = 0;
        *shift = 0;
        return;
    }
    // m = (2^52 + frac) * 2^(ex - 1075) = q * 2^e with q in [0.5, 1).
    int32_t e = (int32_t)ex - 1022;
    const uint64_t mant = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
    int64_t fixed = (int64_t)((mant + ((uint64_t)1 << 21)) >> 22);
    if (fixed == ((int64_t)1 << 31)) {
        fixed /= 2;
        ++e;
    }
    if (e < -31) {
        // Everything would shift out: flush to zero as the reference does.
        e = 0;
        fixed = 0;
    }
    if (e > 30) {
        e = 30;
        fixed = INT32_MAX;
    }
    *qm = (int32_t)fixed;
    *shift = e;
}

// zp + round(v / scale), saturated to int32 (no undefined float->int cast).
int32_t tflm_quantize_val(float v, float scale, int32_t zp) {
    float q = roundf(v / scale);
    if (!(q > -2147483648.0f)) {
        q = -2147483648.0f;
    }
    if (q >= 2147483648.0f) {
        q = 2147483520.0f;
    }
    int64_t r = (int64_t)zp + (int64_t)q;
    return r < INT32_MIN ? INT32_MIN : (r > INT32_MAX ? INT32_MAX : (int32_t)r);
}

void tflm_act_range_q(int act, float scale, int32_t zp, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi) {
    int32_t a = qmin, b = qmax;
    if (act == TFLM_ACT_RELU) {
        a = tflm_quantize_val(0.0f, scale, zp);
    } else if (act == TFLM_ACT_RELU6) {
        a = tflm_quantize_val(0.0f, scale, zp);
        b = tflm_quantize_val(6.0f, scale, zp);
    } else if (act == TFLM_ACT_RELU_N1_TO_1) {
        a = tflm_quantize_val(-1.0f, scale, zp);
        b = tflm_quantize_val(1.0f, scale, zp);
    }
    *lo = a > qmin ? a : qmin;
    *hi = b < qmax ? b : qmax;
}

void tflm_act_range_f(int act, float *lo, float *hi) {
    // TFLite's "no limit" is +-FLT_MAX: an infinite result clamps to it.
    *lo = -FLT_MAX;
    *hi = FLT_MAX;
    if (act == TFLM_ACT_RELU) {
        *lo = 0.0f;
    } else if (act == TFLM_ACT_RELU6) {
        *lo = 0.0f;
        *hi = 6.0f;
    } else if (act == TFLM_ACT_RELU_N1_TO_1) {
        *lo = -1.0f;
        *hi = 1.0f;
    }
}
