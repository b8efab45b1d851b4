// Signal-library CUSTOM ops on mel filter-bank channels:
//   SignalFilterBank                    uint32 power spectrum -> uint64 channels
//   SignalFilterBankSquareRoot          uint64 -> uint32 isqrt(x) >> scale_bits
//   SignalFilterBankSpectralSubtraction noise-floor subtraction (stateful)
//   SignalFilterBankLog                 uint32 -> int16 scaled natural log
#include "signal_common.h"

// ---- SignalFilterBank -------------------------------------------------------
// Each spectrum bin j of channel i adds weight*x to channel i and
// unweight*x to channel i-1's successor accumulator, as the reference does:
// num_channels+1 accumulations where slot 0 is discarded. uint64 maths with
// the int16 weights converted to uint64 (wraps for negative weights, as the
// reference).

typedef struct {
    int32_t num_channels;
} tflm_sig_fbank_t;

static int sig_i16_const_1d(const tflm_tensor_t *t) {
    return t->type == TFLM_INT16 && t->ndim == 1 && t->is_const && t->data != NULL;
}

tflm_status_t tflm_signal_filter_bank_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 6 && node->n_out == 1, TFLM_ERR_BAD_PARAM,
               "needs 6 inputs, 1 output");
    const tflm_tensor_t *in = &node->in[0], *out = &node->out[0];
    const tflm_tensor_t *wt = &node->in[1], *uw = &node->in[2];
    const tflm_tensor_t *fs = &node->in[3], *ws = &node->in[4], *wd = &node->in[5];
    TFLM_CHECK(node, in->type == TFLM_UINT32 && out->type == TFLM_UINT64 && wt->type == TFLM_INT16 &&
                         uw->type == TFLM_INT16,
               TFLM_ERR_UNSUPPORTED_TYPE, "uint32 input, int16 weights, uint64 output");
    TFLM_CHECK(node, in->ndim == 1 && out->ndim == 1 && wt->ndim == 1 && uw->ndim == 1, TFLM_ERR_BAD_SHAPE,
               "1-D tensors");
    TFLM_CHECK(node, sig_i16_const_1d(fs) && sig_i16_const_1d(ws) && sig_i16_const_1d(wd), TFLM_ERR_DYNAMIC,
               "channel starts/widths must be constant 1-D int16");
    int32_t nch;
    TFLM_CHECK(node, tflm_sig_opt(node, "num_channels", 0, &nch) == 0 && nch > 0 && nch < 65536, TFLM_ERR_BAD_PARAM,
               "bad num_channels");
    TFLM_CHECK(node, out->elems <= (uint32_t)nch, TFLM_ERR_BAD_SHAPE, "more outputs than channels");
    TFLM_CHECK(node, fs->elems > (uint32_t)nch && ws->elems > (uint32_t)nch && wd->elems > (uint32_t)nch,
               TFLM_ERR_BAD_SHAPE, "channel tables shorter than num_channels+1");
    const int16_t *fsd = fs->data, *wsd = ws->data, *wdd = wd->data;
    for (int32_t i = 0; i <= nch; i++) {
        int32_t f0 = fsd[i], w0 = wsd[i], n = wdd[i];
        TFLM_CHECK(node, f0 >= 0 && w0 >= 0 && n >= 0 && (uint32_t)(f0 + n) <= in->elems &&
                             (uint32_t)(w0 + n) <= wt->elems && (uint32_t)(w0 + n) <= uw->elems,
                   TFLM_ERR_BAD_PARAM, "channel reaches outside the spectrum or weights");
    }
    tflm_request_scratch(node, (uint32_t)(nch + 1) * 8u);
    tflm_sig_fbank_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->num_channels = nch;
    return TFLM_OK;
}

tflm_status_t tflm_signal_filter_bank_eval(tflm_node_t *node) {
    const tflm_sig_fbank_t *d = node->op_data;
    const uint8_t *x = node->in[0].data;
    const int16_t *wt = node->in[1].data, *uw = node->in[2].data;
    const int16_t *fs = node->in[3].data, *ws = node->in[4].data, *wd = node->in[5].data;
    uint64_t *acc = node->scratch;
    uint64_t wacc = 0, uacc = 0;
    for (int32_t i = 0; i <= d->num_channels; i++) {
        int32_t f0 = fs[i], w0 = ws[i];
        for (int32_t j = 0; j < wd[i]; j++) {
            uint64_t v = tflm_sig_rd_u32(x, (uint32_t)(f0 + j));
            wacc += (uint64_t)(int64_t)wt[w0 + j] * v;
            uacc += (uint64_t)(int64_t)uw[w0 + j] * v;
        }
        acc[i] = wacc;
        wacc = uacc;
        uacc = 0;
    }
    memcpy(node->out[0].data, acc + 1, 8u * (size_t)node->out[0].elems);
    return TFLM_OK;
}

// ---- SignalFilterBankSquareRoot ---------------------------------------------

tflm_status_t tflm_signal_filter_bank_square_root_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM,
               "needs 2 inputs, 1 output");
    const tflm_tensor_t *in = &node->in[0], *sb = &node->in[1], *out = &node->out[0];
    TFLM_CHECK(node, in->type == TFLM_UINT64 && sb->type == TFLM_INT32 && out->type == TFLM_UINT32,
               TFLM_ERR_UNSUPPORTED_TYPE, "uint64 input, int32 scale, uint32 output");
    TFLM_CHECK(node, in->ndim == 1 && sb->ndim == 0 && out->ndim == 1 && out->elems == in->elems, TFLM_ERR_BAD_SHAPE,
               "1-D input and output of one size, scalar scale");
    return TFLM_OK;
}

tflm_status_t tflm_signal_filter_bank_square_root_eval(tflm_node_t *node) {
    const uint8_t *in = node->in[0].data;
    int32_t s;
    memcpy(&s, node->in[1].data, 4);
    // The reference shifts by s unchecked; FftAutoScale gives 0..14. Define
    // the rest: negative as 0, 32 and more as all bits shifted out.
    if (s < 0) {
        s = 0;
    }
    for (uint32_t i = 0; i < node->out[0].elems; i++) {
        uint64_t v;
        memcpy(&v, in + 8 * (size_t)i, 8);
        uint32_t r = tflm_sig_sqrt64(v);
        tflm_sig_wr_u32(node->out[0].data, i, s >= 32 ? 0u : r >> s);
    }
    return TFLM_OK;
}

// ---- SignalFilterBankSpectralSubtraction ------------------------------------
// State: the per-channel noise estimate, in persistent op data as in the
// reference (zero after prepare; tflm_signal_filter_bank_spectral_subtraction_reset
// zeroes it again). Output 1 receives a copy of the estimate each invoke.

typedef struct {
    int32_t num_channels;
    int32_t smoothing, one_minus_smoothing;
    int32_t alt_smoothing, alt_one_minus_smoothing;
    int32_t min_signal_remaining;
    int32_t smoothing_bits, ss_bits;
    int32_t clamping;
    int32_t pad;
    // followed by uint32 noise[num_channels]
} tflm_sig_ss_t;

tflm_status_t tflm_signal_filter_bank_spectral_subtraction_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 2, TFLM_ERR_BAD_PARAM,
               "needs 1 input, 2 outputs");
    const tflm_tensor_t *in = &node->in[0], *out = &node->out[0], *ne = &node->out[1];
    TFLM_CHECK(node, in->type == TFLM_UINT32 && out->type == TFLM_UINT32 && ne->type == TFLM_UINT32,
               TFLM_ERR_UNSUPPORTED_TYPE, "uint32 tensors");
    TFLM_CHECK(node, in->ndim == 1 && out->ndim == 1 && ne->ndim == 1, TFLM_ERR_BAD_SHAPE,
               "1-D tensors");
    tflm_sig_ss_t c;
    int bad = 0;
    bad |= tflm_sig_opt(node, "num_channels", 0, &c.num_channels);
    bad |= tflm_sig_opt(node, "smoothing", 0, &c.smoothing);
    bad |= tflm_sig_opt(node, "one_minus_smoothing", 0, &c.one_minus_smoothing);
    bad |= tflm_sig_opt(node, "alternate_smoothing", 0, &c.alt_smoothing);
    bad |= tflm_sig_opt(node, "alternate_one_minus_smoothing", 0, &c.alt_one_minus_smoothing);
    bad |= tflm_sig_opt(node, "min_signal_remaining", 0, &c.min_signal_remaining);
    bad |= tflm_sig_opt(node, "smoothing_bits", 0, &c.smoothing_bits);
    bad |= tflm_sig_opt(node, "spectral_subtraction_bits", 0, &c.ss_bits);
    bad |= tflm_sig_opt(node, "clamping", 0, &c.clamping);
    TFLM_CHECK(node, !bad, TFLM_ERR_BAD_PARAM, "bad options");
    TFLM_CHECK(node, c.num_channels > 0 && c.smoothing_bits >= 0 && c.smoothing_bits < 32 && c.ss_bits >= 0 &&
                         c.ss_bits < 64,
               TFLM_ERR_BAD_PARAM, "bad channel count or shift");
    uint32_t n = (uint32_t)c.num_channels;
    TFLM_CHECK(node, in->elems == n && out->elems == n && ne->elems == n, TFLM_ERR_BAD_SHAPE,
               "tensors must have num_channels elements");
    tflm_sig_ss_t *d = tflm_persist(node, (uint32_t)sizeof(*d) + 4u * n);
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    c.pad = 0;
    *d = c;
    memset(d + 1, 0, 4u * (size_t)n);
    return TFLM_OK;
}

tflm_status_t tflm_signal_filter_bank_spectral_subtraction_eval(tflm_node_t *node) {
    tflm_sig_ss_t *d = node->op_data;
    uint8_t *noise = (uint8_t *)(d + 1);
    const uint8_t *in = node->in[0].data;
    uint8_t *out = node->out[0].data;
    uint32_t sb = (uint32_t)d->smoothing_bits, ssb = (uint32_t)d->ss_bits;
    for (int32_t i = 0; i < d->num_channels; i++) {
        uint32_t sm = (uint32_t)((i & 1) ? d->alt_smoothing : d->smoothing);
        uint32_t om = (uint32_t)((i & 1) ? d->alt_one_minus_smoothing : d->one_minus_smoothing);
        uint32_t x = tflm_sig_rd_u32(in, (uint32_t)i);
        uint32_t up = x << sb;
        uint32_t est = (uint32_t)(((uint64_t)up * sm + (uint64_t)tflm_sig_rd_u32(noise, (uint32_t)i) * om) >> ssb);
        uint32_t lim = est;
        if (lim > up) {
            lim = up;
            if (d->clamping) {
                est = lim;
            }
        }
        tflm_sig_wr_u32(noise, (uint32_t)i, est);
        uint32_t floor_v = (uint32_t)(((uint64_t)x * (uint32_t)d->min_signal_remaining) >> ssb);
        uint32_t sub = (up - lim) >> sb;
        tflm_sig_wr_u32(out, (uint32_t)i, sub > floor_v ? sub : floor_v);
    }
    memcpy(node->out[1].data, noise, 4u * (size_t)d->num_channels);
    return TFLM_OK;
}

// Return the noise estimate to its initial state (zeros).
tflm_status_t tflm_signal_filter_bank_spectral_subtraction_reset(tflm_node_t *node) {
    tflm_sig_ss_t *d = node->op_data;
    if (d != NULL) {
        memset(d + 1, 0, 4u * (size_t)d->num_channels);
    }
    return TFLM_OK;
}

// ---- SignalFilterBankLog ----------------------------------------------------
// log(x << correction_bits) * output_scale in fixed point: log2 from the bit
// length plus a 128-segment piecewise-linear correction table, times
// ln(2) (45426 / 65536), times output_scale / 65536, saturated to int16.

typedef struct {
    int32_t correction_bits;
    int32_t output_scale;
} tflm_sig_log_t;

// Correction table, generated from its formula:
//   python3 -c "import math; print([int(math.floor(65536*(math.log2(1+k/128)-k/128)+0.5)) for k in range(129)]+[0])"
// i.e. round(65536 * (log2(1 + k/128) - k/128)) for k = 0..128, then one
// zero of padding.
static const uint16_t sig_log_lut[130] = {
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797,
    2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633,
    4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
    5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586,
    5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000,
    4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
    3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207,
    2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142,
    0, 0,
};

static uint32_t sig_log2_frac(uint32_t x, uint32_t log2x) {
    int32_t frac = tflm_sig_wrap32((int64_t)x - ((int64_t)1 << log2x));
    if (log2x < 16) {
        frac = (int32_t)((uint32_t)frac << (16 - log2x));
    } else {
        frac >>= log2x - 16;
    }
    uint32_t seg = (uint32_t)frac >> 9;
    int32_t c0 = sig_log_lut[seg];
    int32_t c1 = sig_log_lut[seg + 1];
    int32_t rel = ((c1 - c0) * (frac - (int32_t)(512u * seg))) >> 16;
    return (uint32_t)(frac + c0 + rel);
}

static uint32_t sig_log32(uint32_t x, uint32_t out_scale) {
    uint32_t integer = tflm_sig_msb32(x) - 1;
    uint32_t frac = sig_log2_frac(x, integer);
    uint32_t log2 = (integer << 16) + frac;
    uint32_t loge = (uint32_t)(((uint64_t)45426 * log2 + 32768u) >> 16);
    return (out_scale * loge + 32768u) >> 16;
}

tflm_status_t tflm_signal_filter_bank_log_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM,
               "needs 1 input, 1 output");
    const tflm_tensor_t *in = &node->in[0], *out = &node->out[0];
    TFLM_CHECK(node, in->type == TFLM_UINT32 && out->type == TFLM_INT16, TFLM_ERR_UNSUPPORTED_TYPE,
               "uint32 input, int16 output");
    TFLM_CHECK(node, in->ndim == 1 && out->ndim == 1 && out->elems == in->elems, TFLM_ERR_BAD_SHAPE,
               "1-D input and output of one size");
    int32_t cb, os;
    TFLM_CHECK(node, tflm_sig_opt(node, "input_correction_bits", 0, &cb) == 0 &&
                         tflm_sig_opt(node, "output_scale", 0, &os) == 0 && cb >= 0 && cb < 32,
               TFLM_ERR_BAD_PARAM, "bad options");
    tflm_sig_log_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->correction_bits = cb;
    d->output_scale = os;
    return TFLM_OK;
}

tflm_status_t tflm_signal_filter_bank_log_eval(tflm_node_t *node) {
    const tflm_sig_log_t *d = node->op_data;
    int16_t *out = node->out[0].data;
    for (uint32_t i = 0; i < node->out[0].elems; i++) {
        uint32_t scaled = tflm_sig_rd_u32(node->in[0].data, i) << d->correction_bits;
        int16_t v = 0;
        if (scaled > 1) {
            uint32_t l = sig_log32(scaled, (uint32_t)d->output_scale);
            v = (int16_t)(l < 32767u ? l : 32767u);
        }
        out[i] = v;
    }
    return TFLM_OK;
}
