// Fixed-point helpers shared by the reference kernels.
#include <float.h>
#include <math.h>
#include "qmath.h"
#include "../../tflm_kernel.h"

void tflm_quantize_multiplier(double m, int32_t *qm, int32_t *shift) {
    if (!(m > 0.0) || !isfinite(m)) {
        *qm = 0;
        *shift = 0;
        return;
    }
    int e = 0;
    double q = frexp(m, &e);
    int64_t fixed = (int64_t)round(q * (double)((int64_t)1 << 31));
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
