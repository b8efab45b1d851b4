// QUANTIZE and DEQUANTIZE.
//
// QUANTIZE: float32 -> int8/int16 (round(x / scale) + zp, saturated), and
// requantisation between integer types: int8 -> int8/uint8/int16/int32,
// uint8 -> int8, int16 -> int8/int16/int32, int32 -> int8/int16, by one
// multiplier s_in / s_out applied to (x - zp_in).
// DEQUANTIZE: int8/uint8/int16 -> float32, scale * (x - zp) in float.
#include <math.h>
#include "elem_util.h"
#include "qmath.h"

typedef struct {
    int32_t in_type, out_type;
    int32_t in_zp, out_zp;
    int32_t mult, shift;
    int32_t qmin, qmax;
    float scale;
} tflm_quant_data_t;

static int type_range(int32_t type, int32_t *lo, int32_t *hi) {
    switch (type) {
        case TFLM_INT8:
            *lo = -128;
            *hi = 127;
            return 1;
        case TFLM_UINT8:
            *lo = 0;
            *hi = 255;
            return 1;
        case TFLM_INT16:
            *lo = -32768;
            *hi = 32767;
            return 1;
        case TFLM_INT32:
            *lo = INT32_MIN;
            *hi = INT32_MAX;
            return 1;
        default:
            return 0;
    }
}

tflm_status_t tflm_quantize_prepare(tflm_node_t *node) {
    tflm_status_t st = tflm_elem_check_io(node, 1, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->elems == out->elems, TFLM_ERR_BAD_SHAPE, "output size differs from input");
    TFLM_CHECK(node, out->n_scales == 1 && tflm_elem_per_tensor(out), TFLM_ERR_BAD_QUANT,
        "quantize output needs one scale");
    int32_t it = in->type, ot = out->type;
    int ok = (it == TFLM_FLOAT32 && (ot == TFLM_INT8 || ot == TFLM_INT16))
        || (it == TFLM_INT8 && (ot == TFLM_INT8 || ot == TFLM_UINT8 || ot == TFLM_INT16 || ot == TFLM_INT32))
        || (it == TFLM_UINT8 && ot == TFLM_INT8)
        || (it == TFLM_INT16 && (ot == TFLM_INT8 || ot == TFLM_INT16 || ot == TFLM_INT32))
        || (it == TFLM_INT32 && (ot == TFLM_INT8 || ot == TFLM_INT16));
    TFLM_CHECK(node, ok, TFLM_ERR_UNSUPPORTED_TYPE, "quantize type combination not supported");
    tflm_quant_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.in_type = it;
    dd.out_type = ot;
    type_range(ot, &dd.qmin, &dd.qmax);
    TFLM_CHECK(node, out->zero_point >= dd.qmin && out->zero_point <= dd.qmax, TFLM_ERR_BAD_QUANT,
        "zero point out of range");
    dd.out_zp = out->zero_point;
    dd.scale = out->scale;
    if (it != TFLM_FLOAT32) {
        TFLM_CHECK(node, tflm_elem_per_tensor(in), TFLM_ERR_BAD_QUANT, "quantize input needs a scale");
        dd.in_zp = in->zero_point;
        tflm_qm_ratio(in->scale, 1.0f, out->scale, 1.0f, 0, &dd.mult, &dd.shift);
    }
    tflm_quant_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

static int32_t read_int(int32_t type, const void *p, uint32_t i) {
    switch (type) {
        case TFLM_INT8:
            return ((const int8_t *)p)[i];
        case TFLM_UINT8:
            return ((const uint8_t *)p)[i];
        case TFLM_INT16:
            return ((const int16_t *)p)[i];
        default:
            return ((const int32_t *)p)[i];
    }
}

static void write_int(int32_t type, void *p, uint32_t i, int32_t v) {
    switch (type) {
        case TFLM_INT8:
            ((int8_t *)p)[i] = (int8_t)v;
            break;
        case TFLM_UINT8:
            ((uint8_t *)p)[i] = (uint8_t)v;
            break;
        case TFLM_INT16:
            ((int16_t *)p)[i] = (int16_t)v;
            break;
        default:
            ((int32_t *)p)[i] = v;
            break;
    }
}

tflm_status_t tflm_quantize_eval(tflm_node_t *node) {
    const tflm_quant_data_t *d = node->op_data;
    uint32_t n = node->in[0].elems;
    const void *x = node->in[0].data;
    void *y = node->out[0].data;
    if (d->in_type == TFLM_FLOAT32) {
        const float *xf = x;
        for (uint32_t i = 0; i < n; ++i) {
            // Saturating float -> int conversion of the reference's double sum
            // roundf(x / scale) + zp (NaN maps to the minimum): exact in int64
            // below 2^62, and beyond that only the saturation matters.
            float q = roundf(xf[i] / d->scale);
            int32_t v = d->qmin;
            if (q >= 0x1p62f) {
                v = d->qmax;
            } else if (q > -0x1p62f) {
                int64_t r = tflm_f32_to_i64(q) + d->out_zp;
                v = r >= d->qmax ? d->qmax : (r > d->qmin ? (int32_t)r : d->qmin);
            }
            write_int(d->out_type, y, i, v);
        }
        return TFLM_OK;
    }
    for (uint32_t i = 0; i < n; ++i) {
        int32_t v = (int32_t)((uint32_t)read_int(d->in_type, x, i) - (uint32_t)d->in_zp);
        int32_t r = tflm_mul_qm(v, d->mult, d->shift);
        int64_t o = (int64_t)r + d->out_zp;
        o = o < d->qmin ? d->qmin : (o > d->qmax ? d->qmax : o);
        write_int(d->out_type, y, i, (int32_t)o);
    }
    return TFLM_OK;
}

tflm_status_t tflm_dequantize_prepare(tflm_node_t *node) {
    tflm_status_t st = tflm_elem_check_io(node, 1, 1);
    if (st != TFLM_OK) {
        return st;
    }
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->elems == out->elems, TFLM_ERR_BAD_SHAPE, "output size differs from input");
    TFLM_CHECK(node, (in->type == TFLM_INT8 || in->type == TFLM_UINT8 || in->type == TFLM_INT16)
        && out->type == TFLM_FLOAT32, TFLM_ERR_UNSUPPORTED_TYPE, "dequantize supports int8/uint8/int16 -> float32");
    TFLM_CHECK(node, tflm_elem_per_tensor(in), TFLM_ERR_BAD_QUANT, "dequantize input needs a scale");
    tflm_quant_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.in_type = in->type;
    dd.out_type = out->type;
    dd.in_zp = in->zero_point;
    dd.scale = in->scale;
    tflm_quant_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

tflm_status_t tflm_dequantize_eval(tflm_node_t *node) {
    const tflm_quant_data_t *d = node->op_data;
    uint32_t n = node->in[0].elems;
    float *y = node->out[0].data;
    for (uint32_t i = 0; i < n; ++i) {
        y[i] = d->scale * (float)(read_int(d->in_type, node->in[0].data, i) - d->in_zp);
    }
    return TFLM_OK;
}
