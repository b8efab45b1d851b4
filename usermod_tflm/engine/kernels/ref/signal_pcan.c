// SignalPCAN: per-channel automatic gain control (per-channel energy
// normalisation). gain = piecewise-quadratic lookup of the noise estimate
// (gain LUT input, 3 entries per power of two), snr = x * gain >> snr_shift
// (12 fractional bits), output = shrink(snr) with 6 fractional bits:
// snr^2/4 below 2.0, snr - 1 above.
#include "signal_common.h"

#define SIG_PCAN_SNR_BITS (12)
#define SIG_PCAN_OUT_BITS (6)
// Highest LUT index used: 4 * 32 - 6 + 2.
#define SIG_PCAN_LUT_MIN (125)

typedef struct {
    int32_t snr_shift;
} tflm_sig_pcan_t;

tflm_status_t tflm_signal_pcan_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 3 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 3 inputs, 1 output");
    const tflm_tensor_t *in = &node->in[0], *ne = &node->in[1], *lut = &node->in[2], *out = &node->out[0];
    TFLM_CHECK(node, in->type == TFLM_UINT32 && ne->type == TFLM_UINT32 && lut->type == TFLM_INT16 &&
                         out->type == TFLM_UINT32,
               TFLM_ERR_UNSUPPORTED_TYPE, "uint32 input/noise/output, int16 gain LUT");
    TFLM_CHECK(node, in->ndim == 1 && ne->ndim == 1 && lut->ndim == 1 && out->ndim == 1, TFLM_ERR_BAD_SHAPE,
               "1-D tensors");
    TFLM_CHECK(node, in->elems > 0 && ne->elems == in->elems && out->elems == in->elems, TFLM_ERR_BAD_SHAPE,
               "input, noise estimate and output sizes differ");
    TFLM_CHECK(node, lut->elems >= SIG_PCAN_LUT_MIN, TFLM_ERR_BAD_SHAPE, "gain LUT needs 125 entries");
    int32_t shift;
    TFLM_CHECK(node, tflm_sig_opt(node, "snr_shift", 0, &shift) == 0 && shift >= 0 && shift < 64, TFLM_ERR_BAD_PARAM,
               "bad snr_shift");
    tflm_sig_pcan_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->snr_shift = shift;
    return TFLM_OK;
}

static int16_t sig_pcan_gain(uint32_t x, const int16_t *lut) {
    if (x <= 2) {
        return lut[x];
    }
    int32_t interval = (int32_t)tflm_sig_msb32(x);
    const int16_t *l = lut + 4 * interval - 6;
    uint32_t sh = interval < 11 ? (x << (11 - interval)) : (x >> (interval - 11));
    int32_t frac = (int32_t)(sh & 0x3FFu);
    int64_t r = ((int32_t)l[2] * frac) >> 5;
    r += tflm_sig_wrap32((int64_t)((uint32_t)(int32_t)l[1] << 5));
    r = tflm_sig_wrap32(tflm_sig_wrap32(r) * (int64_t)frac);
    r = tflm_sig_wrap32(r + (1 << 14)) >> 15;
    r += l[0];
    return tflm_sig_wrap16((int32_t)r);
}

static uint32_t sig_pcan_shrink(uint32_t x) {
    if (x < (2u << SIG_PCAN_SNR_BITS)) {
        return (x * x) >> (2 + 2 * SIG_PCAN_SNR_BITS - SIG_PCAN_OUT_BITS);
    }
    return (x >> (SIG_PCAN_SNR_BITS - SIG_PCAN_OUT_BITS)) - (1u << SIG_PCAN_OUT_BITS);
}

tflm_status_t tflm_signal_pcan_eval(tflm_node_t *node) {
    const tflm_sig_pcan_t *d = node->op_data;
    const int16_t *lut = node->in[2].data;
    for (uint32_t i = 0; i < node->out[0].elems; i++) {
        uint32_t x = tflm_sig_rd_u32(node->in[0].data, i);
        // int16 gain widened to uint32 (sign-extends, as the reference).
        uint32_t gain = (uint32_t)(int32_t)sig_pcan_gain(tflm_sig_rd_u32(node->in[1].data, i), lut);
        uint32_t snr = (uint32_t)(((uint64_t)x * gain) >> d->snr_shift);
        tflm_sig_wr_u32(node->out[0].data, i, sig_pcan_shrink(snr));
    }
    return TFLM_OK;
}
