// UNIDIRECTIONAL_SEQUENCE_LSTM reference kernel (builtin 44): the standard
// (Keras) LSTM as TFLM runs it, float32, integer 8x8->16 (int8 input,
// hidden state and output, int8 weights, int32 biases, int16 cell state) and
// 16x8->16 (int16 input, hidden state and output with zero point 0, int8
// weights, int64 biases, int16 cell state).
//
// Inputs (24): 0 input [batch, time, n_input] ([time, batch, n_input] when
// time_major), 1-4 input-to-{input, forget, cell, output} weights
// [n_cell, n_input], 5-8 recurrent-to-{...} weights [n_cell, n_cell],
// 12-15 {input, forget, cell, output} gate biases [n_cell], 18 hidden state
// and 19 cell state [batch, n_cell] (variable tensors kept between invokes).
// Peephole (9-11), projection (16, 17) and layer-norm (20-23) inputs must be
// absent, as in TFLM. Output 0 [same first two dims as the input, n_cell].
//
// One step, for each cell n, from the input row x and the previous hidden
// state h (all four gates read the old h):
//   gate = act(W_in[n] . x + b[n] + W_rec[n] . h), act = sigmoid for the
//          input, forget and output gates, the op's activation (tanh) for
//          the cell gate,
//   c    = clip(forget * c + input * cell_gate),
//   h'   = tanh(c) * output_gate, written to the output row, then copied
//          into the hidden state once the whole row is done.
// Integer maths: each gate's two fully connected products are rescaled
// separately to int16 Q3.12 (input scale * weight scale / 2^-12, the
// product of the two scales rounded to float first) and added with int16
// saturation (16x8: 64-bit sums, no input zero point, the 64-bit
// requantisation); sigmoid and tanh give Q0.15; forget * cell rescales by
// 2^-15, input * cell_gate by 2^-30 / cell scale, tanh(c) * output_gate by
// 2^-30 / hidden scale plus the hidden zero point (each a quantised
// multiplier on the 32-bit product, clamped to the result type). tanh(c)
// reads the cell state as Q3.12 after a power-of-two rescale taken from
// round(log2(cell scale)). The cell clip is cell_clip / cell scale
// truncated to int16; clip 0 means none.
// Batch-major input runs each batch's sequence in turn; time-major input
// runs all batches of one time step together (same results per element).
#include <math.h>
#include <stddef.h>
#include "../../tflm_kernel.h"
#include "qmath.h"
#include "lstm_q16.h"

enum { TFLM_LSTM_F32 = 0, TFLM_LSTM_S8 = 1, TFLM_LSTM_S16 = 2 };
// Gate order of the op's inputs (weights 1+g, 5+g, bias 12+g).
enum { G_IN = 0, G_FORGET = 1, G_CELL = 2, G_OUT = 3 };

typedef struct {
    int32_t kind;
    int32_t time_major;
    int32_t batch, steps, n_input, n_cell;
    int32_t clip_on;             // cell_clip > 0
    float cell_clip;             // float path
    int32_t qclip;               // int16 quantised cell clip
    int32_t in_zp, hid_zp;
    int32_t w_zp[8];             // weight zero points (inputs 1..8)
    int32_t in_mult[4], in_shift[4];   // input FC -> Q3.12, per gate
    int32_t rec_mult[4], rec_shift[4]; // recurrent FC -> Q3.12, per gate
    int32_t fc_mult, fc_shift;   // forget * cell -> cell
    int32_t ig_mult, ig_shift;   // input gate * cell gate -> cell
    int32_t h_mult, h_shift;     // tanh(cell) * output gate -> hidden
    int32_t tanh_mult, tanh_shift; // cell state -> Q3.12 for tanh
} tflm_lstm_data_t;

static int lstm_scale_ok(const tflm_tensor_t *t) {
    return t->n_scales >= 1 && t->scale > 0.0f && isfinite(t->scale);
}

// The reference's rounded log2 of a scale (float maths, any scale accepted).
static int32_t lstm_log2_round(float x) {
    const float l = logf(x) * (1.0f / logf(2.0f));
    return (int32_t)roundf(l);
}

tflm_status_t tflm_lstm_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 24 && node->n_out == 1, TFLM_ERR_BAD_PARAM,
        "unidirectional_sequence_lstm needs 24 inputs and 1 output");
    TFLM_CHECK(node, node->options_type == 0 || node->options_type == 71, TFLM_ERR_BAD_PARAM,
        "lstm options of the wrong type");
    const tflm_tensor_t *in = &node->in[0];
    const tflm_tensor_t *hid = &node->in[18];
    const tflm_tensor_t *cell = &node->in[19];
    const tflm_tensor_t *out = &node->out[0];
    TFLM_CHECK(node, in->index >= 0 && hid->index >= 0 && cell->index >= 0 && out->index >= 0,
        TFLM_ERR_BAD_PARAM, "lstm input, states or output missing");
    for (int i = 1; i <= 8; ++i) {
        TFLM_CHECK(node, node->in[i].index >= 0, TFLM_ERR_BAD_PARAM, "lstm weights missing (CIFG unsupported)");
    }
    for (int i = 12; i <= 15; ++i) {
        TFLM_CHECK(node, node->in[i].index >= 0, TFLM_ERR_BAD_PARAM, "lstm gate bias missing");
    }
    for (int i = 9; i <= 11; ++i) {
        TFLM_CHECK(node, node->in[i].index < 0, TFLM_ERR_BAD_PARAM, "peephole lstm unsupported");
    }
    TFLM_CHECK(node, node->in[16].index < 0 && node->in[17].index < 0, TFLM_ERR_BAD_PARAM,
        "projection lstm unsupported");
    for (int i = 20; i <= 23; ++i) {
        TFLM_CHECK(node, node->in[i].index < 0, TFLM_ERR_BAD_PARAM, "layer-norm lstm unsupported");
    }
    TFLM_CHECK(node, hid->is_variable && cell->is_variable, TFLM_ERR_BAD_PARAM,
        "lstm states must be variable tensors");
    // The kernel writes the output row before copying it into the hidden
    // state and reads the input throughout: no sharing among these.
    TFLM_CHECK(node, hid->index != cell->index && out->index != hid->index && out->index != cell->index
        && out->index != in->index && in->index != hid->index && in->index != cell->index,
        TFLM_ERR_BAD_PARAM, "lstm tensors must be distinct");

    const int32_t act = tflm_opt_u8(node, 0, 0);
    const float cell_clip = tflm_opt_f32(node, 1, 0.0f);
    const int32_t time_major = tflm_opt_u8(node, 3, 0) != 0;
    TFLM_CHECK(node, act == TFLM_ACT_TANH, TFLM_ERR_BAD_PARAM, "lstm cell activation must be tanh");
    TFLM_CHECK(node, cell_clip >= 0.0f && isfinite(cell_clip), TFLM_ERR_BAD_PARAM, "lstm cell_clip must be >= 0");

    // Shapes.
    TFLM_CHECK(node, in->ndim == 3 && out->ndim == 3 && hid->ndim == 2, TFLM_ERR_BAD_SHAPE,
        "lstm input/output must be 3-D and hidden state 2-D");
    const int32_t batch = time_major ? in->dims[1] : in->dims[0];
    const int32_t steps = time_major ? in->dims[0] : in->dims[1];
    const int32_t n_input = in->dims[2];
    const int32_t n_cell = hid->dims[1];
    TFLM_CHECK(node, batch >= 1 && steps >= 1 && n_input >= 1 && n_cell >= 1, TFLM_ERR_BAD_SHAPE,
        "lstm dimension is zero");
    for (int i = 1; i <= 8; ++i) {
        const tflm_tensor_t *w = &node->in[i];
        TFLM_CHECK(node, w->ndim == 2 && w->dims[0] == n_cell && w->dims[1] == (i <= 4 ? n_input : n_cell),
            TFLM_ERR_BAD_SHAPE, "lstm weight shape");
    }
    for (int i = 12; i <= 15; ++i) {
        const tflm_tensor_t *b = &node->in[i];
        TFLM_CHECK(node, b->ndim == 1 && b->dims[0] == n_cell, TFLM_ERR_BAD_SHAPE, "lstm bias shape");
    }
    const uint64_t state_elems = (uint64_t)batch * (uint64_t)n_cell;
    TFLM_CHECK(node, (uint64_t)hid->elems == state_elems && (uint64_t)cell->elems == state_elems,
        TFLM_ERR_BAD_SHAPE, "lstm state size");
    TFLM_CHECK(node, out->dims[0] == in->dims[0] && out->dims[1] == in->dims[1] && out->dims[2] == n_cell,
        TFLM_ERR_BAD_SHAPE, "lstm output shape");

    tflm_lstm_data_t dd;
    memset(&dd, 0, sizeof(dd));
    dd.time_major = time_major;
    dd.batch = batch;
    dd.steps = steps;
    dd.n_input = n_input;
    dd.n_cell = n_cell;
    dd.clip_on = cell_clip > 0.0f;
    dd.cell_clip = cell_clip;

    const int32_t wtype = node->in[1].type;
    const int32_t btype = node->in[12].type;
    for (int i = 2; i <= 8; ++i) {
        TFLM_CHECK(node, node->in[i].type == wtype, TFLM_ERR_UNSUPPORTED_TYPE, "lstm weights differ in type");
    }
    for (int i = 13; i <= 15; ++i) {
        TFLM_CHECK(node, node->in[i].type == btype, TFLM_ERR_UNSUPPORTED_TYPE, "lstm biases differ in type");
    }
    TFLM_CHECK(node, hid->type == in->type && out->type == in->type, TFLM_ERR_UNSUPPORTED_TYPE,
        "lstm hidden state and output must have the input's type");

    if (in->type == TFLM_FLOAT32) {
        TFLM_CHECK(node, wtype == TFLM_FLOAT32 && btype == TFLM_FLOAT32 && cell->type == TFLM_FLOAT32,
            TFLM_ERR_UNSUPPORTED_TYPE, "float lstm needs float32 weights, biases and cell state");
        dd.kind = TFLM_LSTM_F32;
    } else if (in->type == TFLM_INT8 || in->type == TFLM_INT16) {
        const int wide = in->type == TFLM_INT16;
        TFLM_CHECK(node, wtype == TFLM_INT8 && btype == (wide ? TFLM_INT64 : TFLM_INT32) && cell->type == TFLM_INT16,
            TFLM_ERR_UNSUPPORTED_TYPE,
            "integer lstm needs int8 weights, int32 (int16 input: int64) biases and an int16 cell state");
        TFLM_CHECK(node, lstm_scale_ok(in) && lstm_scale_ok(hid) && lstm_scale_ok(cell), TFLM_ERR_BAD_QUANT,
            "lstm input and states need quantisation scales");
        if (wide) {
            TFLM_CHECK(node, in->zero_point == 0 && hid->zero_point == 0, TFLM_ERR_BAD_QUANT,
                "int16 lstm needs zero points 0");
        } else {
            TFLM_CHECK(node, in->zero_point >= -128 && in->zero_point <= 127 && hid->zero_point >= -128
                && hid->zero_point <= 127, TFLM_ERR_BAD_QUANT, "lstm zero point out of range");
        }
        for (int i = 1; i <= 8; ++i) {
            const tflm_tensor_t *w = &node->in[i];
            // The reference rescales with the first scale only.
            TFLM_CHECK(node, lstm_scale_ok(w) && w->n_scales == 1, TFLM_ERR_BAD_QUANT,
                "lstm weights need one positive scale");
            TFLM_CHECK(node, w->zero_point >= -128 && w->zero_point <= 127, TFLM_ERR_BAD_QUANT,
                "lstm weight zero point out of range");
            dd.w_zp[i - 1] = w->zero_point;
        }
        const float q312 = 1.0f / 4096.0f;
        for (int g = 0; g < 4; ++g) {
            const float pin = in->scale * node->in[1 + g].scale;
            const float prec = hid->scale * node->in[5 + g].scale;
            tflm_qm_ratio(pin, 1.0f, q312, 1.0f, 0, &dd.in_mult[g], &dd.in_shift[g]);
            tflm_qm_ratio(prec, 1.0f, q312, 1.0f, 0, &dd.rec_mult[g], &dd.rec_shift[g]);
            TFLM_CHECK(node, dd.in_mult[g] != 0 && dd.rec_mult[g] != 0, TFLM_ERR_BAD_QUANT,
                "lstm gate scale out of range");
            // The 64-bit requantisation holds for shifts up to 14.
            TFLM_CHECK(node, !wide || (dd.in_shift[g] <= 14 && dd.rec_shift[g] <= 14), TFLM_ERR_BAD_QUANT,
                "int16 lstm gate scale too large");
        }
        // In double: q015 * cs / cs, q015 * q015 / cs and q015 * q015 / s_hid.
        const float q015 = 1.0f / 32768.0f;
        const float cs = cell->scale;
        tflm_qm_ratio(q015, cs, cs, 1.0f, 0, &dd.fc_mult, &dd.fc_shift);
        tflm_qm_ratio(q015, q015, cs, 1.0f, 0, &dd.ig_mult, &dd.ig_shift);
        tflm_qm_ratio(q015, q015, hid->scale, 1.0f, 0, &dd.h_mult, &dd.h_shift);
        TFLM_CHECK(node, dd.fc_mult != 0 && dd.ig_mult != 0 && dd.h_mult != 0, TFLM_ERR_BAD_QUANT,
            "lstm state scale out of range");
        // tanh(cell): Q3.12 needs a left shift of 12 + log2(cell scale).
        const int32_t ls = 12 + lstm_log2_round(cell->scale);
        TFLM_CHECK(node, ls >= -30 && ls <= 14, TFLM_ERR_BAD_QUANT, "lstm cell state scale out of range");
        if (ls < 0) {
            dd.tanh_mult = 3;
            dd.tanh_shift = -ls;
        } else {
            dd.tanh_mult = (int32_t)3 << ls;
            dd.tanh_shift = 0;
        }
        // (int32_t)min((double)cell_clip / cs, 32767) (both >= 0 and finite).
        tflm_xd_t qc, c;
        tflm_xd_f32(&qc, cell_clip);
        tflm_xd_f32(&c, cs);
        tflm_xd_div(&qc, &qc, &c);
        dd.qclip = qc.m == 0 || qc.e < 0 ? 0 : (qc.e > 14 ? 32767 : (int32_t)(qc.m >> (52 - qc.e)));
        dd.in_zp = in->zero_point;
        dd.hid_zp = hid->zero_point;
        dd.kind = wide ? TFLM_LSTM_S16 : TFLM_LSTM_S8;
    } else {
        return tflm_fail(node, TFLM_ERR_UNSUPPORTED_TYPE, "lstm supports float32, int8 and int16");
    }

    tflm_lstm_data_t *d = tflm_persist(node, sizeof(*d));
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    *d = dd;
    return TFLM_OK;
}

// ---- float ------------------------------------------------------------------

static float lstm_sigmoid_f(float v) {
    if (v > 16.619047164916992188f) {
        return 1.0f;
    }
    if (v < -9.0f) {
        return expf(v);
    }
    return 1.0f / (1.0f + expf(-v));
}

// W[n] . v in float, summed in index order, then + bias (0 when absent).
static float lstm_dot_f(const float *w, const float *v, int32_t len, float bias) {
    float acc = 0.0f;
    for (int32_t k = 0; k < len; ++k) {
        acc += v[k] * w[k];
    }
    return acc + bias;
}

// One step for `nb` batch rows: x [nb, n_input], h/c [nb, n_cell] updated,
// y [nb, n_cell] receives the new hidden rows.
static void lstm_step_f32(const tflm_lstm_data_t *d, const tflm_node_t *node, const float *x, float *h, float *c,
    float *y, int32_t nb) {
    const int32_t ni = d->n_input, nc = d->n_cell;
    const float *wi[4], *wr[4], *bs[4];
    for (int g = 0; g < 4; ++g) {
        wi[g] = (const float *)node->in[1 + g].data;
        wr[g] = (const float *)node->in[5 + g].data;
        bs[g] = (const float *)node->in[12 + g].data;
    }
    for (int32_t b = 0; b < nb; ++b) {
        const float *xb = x + (size_t)b * ni;
        const float *hb = h + (size_t)b * nc;
        float *cb = c + (size_t)b * nc;
        float *yb = y + (size_t)b * nc;
        for (int32_t n = 0; n < nc; ++n) {
            float gv[4];
            for (int g = 0; g < 4; ++g) {
                const float a = lstm_dot_f(wi[g] + (size_t)n * ni, xb, ni, bs[g][n]);
                const float r = lstm_dot_f(wr[g] + (size_t)n * nc, hb, nc, 0.0f);
                gv[g] = a + r;
            }
            const float fg = lstm_sigmoid_f(gv[G_FORGET]);
            const float ig = lstm_sigmoid_f(gv[G_IN]);
            const float cg = tanhf(gv[G_CELL]);
            const float og = lstm_sigmoid_f(gv[G_OUT]);
            float cv = fg * cb[n];
            cv = cv + ig * cg;
            if (d->clip_on) {
                cv = cv < d->cell_clip ? cv : d->cell_clip;
                cv = cv < -d->cell_clip ? -d->cell_clip : cv;
            }
            cb[n] = cv;
            yb[n] = tanhf(cv) * og;
        }
    }
    memcpy(h, y, (size_t)nb * nc * sizeof(float));
}

// ---- int8 x int8 -> int16 ----------------------------------------------------

static int32_t lstm_sat16(int32_t v) {
    return tflm_clamp(v, -32768, 32767);
}

// From the four int16 gate sums of one cell: the activations, the cell
// update (in place) and the new hidden value before its final clamp.
static int32_t lstm_cell_q(const tflm_lstm_data_t *d, const int16_t gv[4], int16_t *cell) {
    const int32_t fg = tflm_lstm_sigmoid16(gv[G_FORGET]);
    const int32_t ig = tflm_lstm_sigmoid16(gv[G_IN]);
    const int32_t cg = tflm_lstm_tanh16(gv[G_CELL], 3, 0);
    const int32_t og = tflm_lstm_sigmoid16(gv[G_OUT]);
    const int32_t keep = lstm_sat16(tflm_mul_qm(fg * (int32_t)*cell, d->fc_mult, d->fc_shift));
    const int32_t add = lstm_sat16(tflm_mul_qm(ig * cg, d->ig_mult, d->ig_shift));
    int32_t cv = lstm_sat16(keep + add);
    if (d->clip_on) {
        cv = cv < d->qclip ? cv : d->qclip;
        cv = cv > -d->qclip ? cv : -d->qclip;
    }
    *cell = (int16_t)cv;
    const int32_t t = tflm_lstm_tanh16((int16_t)cv, d->tanh_mult, d->tanh_shift);
    return d->hid_zp + tflm_mul_qm(t * og, d->h_mult, d->h_shift);
}

// (W[n] - w_zp) . (v - v_zp) + bias with 32-bit wraparound, as the reference.
static int32_t lstm_dot_s8(const int8_t *w, int32_t w_zp, const int8_t *v, int32_t v_zp, int32_t len,
    int32_t bias) {
    uint32_t acc = 0;
    for (int32_t k = 0; k < len; ++k) {
        acc += (uint32_t)(((int32_t)w[k] - w_zp) * ((int32_t)v[k] - v_zp));
    }
    return (int32_t)(acc + (uint32_t)bias);
}

// ---- int16 x int8 -> int16 ---------------------------------------------------

// The reference's 64-bit requantisation assumes |x| < 2^47: keep sums there.
static int64_t lstm_clamp47(int64_t x) {
    const int64_t lim = ((int64_t)1 << 47) - 1;
    return x < -lim ? -lim : (x > lim ? lim : x);
}

// (W[n] - w_zp) . v (no activation zero point) + bias, in 64 bits.
static int64_t lstm_dot_s16(const int8_t *w, int32_t w_zp, const int16_t *v, int32_t len, int64_t bias) {
    int64_t acc = 0;
    for (int32_t k = 0; k < len; ++k) {
        acc += (int64_t)(((int32_t)w[k] - w_zp) * (int32_t)v[k]);
    }
    return lstm_clamp47(lstm_clamp47(acc) + lstm_clamp47(bias));
}

// One step of the quantised kinds (int8 or int16 activations, int8 weights).
static void lstm_step_q(const tflm_lstm_data_t *d, const tflm_node_t *node, const void *x, void *h, int16_t *c,
    void *y, int32_t nb) {
    const int32_t ni = d->n_input, nc = d->n_cell;
    const int wide = d->kind == TFLM_LSTM_S16;
    const size_t es = wide ? 2u : 1u;
    for (int32_t b = 0; b < nb; ++b) {
        const uint8_t *xb = (const uint8_t *)x + (size_t)b * ni * es;
        const uint8_t *hb = (const uint8_t *)h + (size_t)b * nc * es;
        int16_t *cb = c + (size_t)b * nc;
        for (int32_t n = 0; n < nc; ++n) {
            int16_t gv[4];
            for (int g = 0; g < 4; ++g) {
                const int8_t *wi = (const int8_t *)node->in[1 + g].data + (size_t)n * ni;
                const int8_t *wr = (const int8_t *)node->in[5 + g].data + (size_t)n * nc;
                const uint8_t *bs = node->in[12 + g].data;
                int32_t a16, r16;
                if (wide) {
                    int64_t bias;
                    memcpy(&bias, bs + (size_t)n * 8u, sizeof(bias));
                    const int64_t a = lstm_dot_s16(wi, d->w_zp[g], (const int16_t *)(const void *)xb, ni, bias);
                    const int64_t r = lstm_dot_s16(wr, d->w_zp[4 + g], (const int16_t *)(const void *)hb, nc, 0);
                    a16 = tflm_mul_qm64(a, d->in_mult[g], d->in_shift[g]);
                    r16 = tflm_mul_qm64(r, d->rec_mult[g], d->rec_shift[g]);
                } else {
                    const int32_t a = lstm_dot_s8(wi, d->w_zp[g], (const int8_t *)xb, d->in_zp, ni,
                        ((const int32_t *)(const void *)bs)[n]);
                    const int32_t r = lstm_dot_s8(wr, d->w_zp[4 + g], (const int8_t *)hb, d->hid_zp, nc, 0);
                    a16 = tflm_mul_qm(a, d->in_mult[g], d->in_shift[g]);
                    r16 = tflm_mul_qm(r, d->rec_mult[g], d->rec_shift[g]);
                }
                gv[g] = (int16_t)lstm_sat16(lstm_sat16(a16) + lstm_sat16(r16));
            }
            const int32_t hv = lstm_cell_q(d, gv, &cb[n]);
            if (wide) {
                ((int16_t *)y)[(size_t)b * nc + n] = (int16_t)lstm_sat16(hv);
            } else {
                ((int8_t *)y)[(size_t)b * nc + n] = (int8_t)tflm_clamp(hv, -128, 127);
            }
        }
    }
    memcpy(h, y, (size_t)nb * nc * es);
}

tflm_status_t tflm_lstm_eval(tflm_node_t *node) {
    const tflm_lstm_data_t *d = (const tflm_lstm_data_t *)node->op_data;
    const size_t esz = d->kind == TFLM_LSTM_F32 ? sizeof(float) : (d->kind == TFLM_LSTM_S16 ? 2 : 1);
    const size_t csz = d->kind == TFLM_LSTM_F32 ? sizeof(float) : sizeof(int16_t);
    uint8_t *x = (uint8_t *)node->in[0].data;
    uint8_t *h = (uint8_t *)node->in[18].data;
    uint8_t *c = (uint8_t *)node->in[19].data;
    uint8_t *y = (uint8_t *)node->out[0].data;
    const size_t ni = (size_t)d->n_input, nc = (size_t)d->n_cell;
    // Time-major: one step covers every batch row; batch-major: one batch
    // row's whole sequence at a time, with its own state rows.
    const int32_t outer = d->time_major ? 1 : d->batch;
    const int32_t nb = d->time_major ? d->batch : 1;
    for (int32_t b = 0; b < outer; ++b) {
        uint8_t *hb = h + (size_t)b * nc * esz;
        uint8_t *cb = c + (size_t)b * nc * csz;
        for (int32_t t = 0; t < d->steps; ++t) {
            const size_t row = (size_t)b * (size_t)d->steps + (size_t)t;
            const uint8_t *xs = x + row * (size_t)nb * ni * esz;
            uint8_t *ys = y + row * (size_t)nb * nc * esz;
            if (d->kind == TFLM_LSTM_F32) {
                lstm_step_f32(d, node, (const float *)xs, (float *)hb, (float *)cb, (float *)ys, nb);
            } else {
                lstm_step_q(d, node, xs, hb, (int16_t *)(void *)cb, ys, nb);
            }
        }
    }
    return TFLM_OK;
}
