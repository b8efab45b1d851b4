// Signal-library CUSTOM ops on int16 time-domain frames and spectra:
//   SignalWindow        out = sat16((in * w) >> shift), w repeats per frame
//   SignalFftAutoScale  out = in << s with s = 15 - bitlen(max |in|) (>= 0),
//                       second output = s
//   SignalEnergy        out[i] = re[i]^2 + im[i]^2 for start <= i < end
#include "signal_common.h"

// ---- SignalWindow -----------------------------------------------------------

typedef struct {
    int32_t shift;
    int32_t size;        // input elements
    int32_t wsize;       // window length
} tflm_sig_window_t;

tflm_status_t tflm_signal_window_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 2 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 2 inputs, 1 output");
    const tflm_tensor_t *in = &node->in[0], *w = &node->in[1], *out = &node->out[0];
    TFLM_CHECK(node, in->type == TFLM_INT16 && w->type == TFLM_INT16 && out->type == TFLM_INT16,
               TFLM_ERR_UNSUPPORTED_TYPE, "tensors must be int16");
    TFLM_CHECK(node, in->ndim >= 1 && w->ndim == 1 && out->ndim == in->ndim, TFLM_ERR_BAD_SHAPE,
               "bad ranks");
    TFLM_CHECK(node, w->elems > 0 && in->elems % w->elems == 0 && out->elems == in->elems, TFLM_ERR_BAD_SHAPE,
               "input must be whole windows, output the input's size");
    int32_t shift;
    TFLM_CHECK(node, tflm_sig_opt(node, "shift", 0, &shift) == 0 && shift >= 0 && shift < 32, TFLM_ERR_BAD_PARAM,
               "bad shift option");
    tflm_sig_window_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->shift = shift;
    d->size = (int32_t)in->elems;
    d->wsize = (int32_t)w->elems;
    return TFLM_OK;
}

tflm_status_t tflm_signal_window_eval(tflm_node_t *node) {
    const tflm_sig_window_t *d = node->op_data;
    const int16_t *in = node->in[0].data;
    const int16_t *w = node->in[1].data;
    int16_t *out = node->out[0].data;
    for (int32_t base = 0; base < d->size; base += d->wsize) {
        for (int32_t i = 0; i < d->wsize; i++) {
            int32_t raw = ((int32_t)in[base + i] * w[i]) >> d->shift;
            out[base + i] = (int16_t)(raw < INT16_MIN ? INT16_MIN : raw > INT16_MAX ? INT16_MAX : raw);
        }
    }
    return TFLM_OK;
}

// ---- SignalFftAutoScale -----------------------------------------------------

tflm_status_t tflm_signal_fft_auto_scale_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 2, TFLM_ERR_BAD_PARAM,
               "needs 1 input, 2 outputs");
    const tflm_tensor_t *in = &node->in[0], *out = &node->out[0], *sb = &node->out[1];
    TFLM_CHECK(node, in->type == TFLM_INT16 && out->type == TFLM_INT16 && sb->type == TFLM_INT32,
               TFLM_ERR_UNSUPPORTED_TYPE, "int16 in/out, int32 scale");
    TFLM_CHECK(node, in->ndim == 1 && out->ndim == 1 && sb->ndim == 0 && out->elems == in->elems, TFLM_ERR_BAD_SHAPE,
               "1-D input and output of one size, scalar scale");
    return TFLM_OK;
}

tflm_status_t tflm_signal_fft_auto_scale_eval(tflm_node_t *node) {
    const int16_t *in = node->in[0].data;
    int16_t *out = node->out[0].data;
    uint32_t n = node->out[0].elems;
    // The reference keeps the running maximum in an int16: |-32768| wraps
    // back to -32768 and later values may replace it. Reproduce that.
    int16_t mx = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t v = in[i];
        if (v > mx) {
            mx = (int16_t)v;
        } else if (-v > mx) {
            mx = tflm_sig_wrap16(-v);
        }
    }
    int32_t bits = 16 - (int32_t)tflm_sig_msb32((uint32_t)(int32_t)mx) - 1;
    if (bits < 0) {
        bits = 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        out[i] = tflm_sig_wrap16((int32_t)in[i] * (1 << bits));
    }
    int32_t sbits = bits;
    memcpy(node->out[1].data, &sbits, 4);
    return TFLM_OK;
}

// ---- SignalEnergy -----------------------------------------------------------

typedef struct {
    int32_t start;
    int32_t end;
    int32_t n;           // output elements
} tflm_sig_energy_t;

tflm_status_t tflm_signal_energy_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 1 input, 1 output");
    const tflm_tensor_t *in = &node->in[0], *out = &node->out[0];
    TFLM_CHECK(node, in->type == TFLM_INT16 && out->type == TFLM_UINT32, TFLM_ERR_UNSUPPORTED_TYPE,
               "int16 complex input, uint32 output");
    TFLM_CHECK(node, in->ndim == 1 && out->ndim == 1, TFLM_ERR_BAD_SHAPE, "1-D tensors");
    int32_t start, end;
    TFLM_CHECK(node, tflm_sig_opt(node, "start_index", 0, &start) == 0 && tflm_sig_opt(node, "end_index", 0, &end) == 0,
               TFLM_ERR_BAD_PARAM, "bad options");
    TFLM_CHECK(node, start >= 0 && start <= end && (uint32_t)end <= out->elems && (uint32_t)end <= in->elems / 2,
               TFLM_ERR_BAD_PARAM, "start/end index out of range");
    tflm_sig_energy_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->start = start;
    d->end = end;
    d->n = (int32_t)out->elems;
    return TFLM_OK;
}

tflm_status_t tflm_signal_energy_eval(tflm_node_t *node) {
    const tflm_sig_energy_t *d = node->op_data;
    const int16_t *in = node->in[0].data;
    uint8_t *out = node->out[0].data;
    // The reference leaves the bins outside [start, end) untouched (stale
    // arena bytes); we write zeros there so the output is deterministic.
    for (int32_t i = 0; i < d->n; i++) {
        uint32_t e = 0;
        if (i >= d->start && i < d->end) {
            int32_t re = in[2 * i], im = in[2 * i + 1];
            // int32 sum in the reference; wraps only for (-32768, -32768).
            e = (uint32_t)(re * re) + (uint32_t)(im * im);
        }
        tflm_sig_wr_u32(out, (uint32_t)i, e);
    }
    return TFLM_OK;
}
