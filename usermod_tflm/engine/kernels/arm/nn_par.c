// Splitting the optimised int8 kernels across two cores (see nn_s8.h).
//
// Each part writes its own output bytes and reads only the op's inputs and
// the shared constants, so the result is the same bytes whichever core runs
// which part and in whatever order (the host runner checks that by running
// part 1 before part 0). A part is a range of output pixels in row-major
// order, or a range of output channels: every kernel computes one output
// element from the same reads whichever part it is in.
#include <stddef.h>
#include "../tflm_isa.h"
#include "nn_s8.h"

#if TFLM_OPT_NN

// Fewer output pixels than this: split channels (when the op allows it).
#define NN_PAR_MIN_PIX 8

typedef struct {
    tflm_nn_run_fn run;
    const void *job;
    tflm_nn_part_t pt;
    int32_t core;
} nn_par_conv_t;

static void nn_par_conv_part(void *arg) {
    const nn_par_conv_t *a = arg;
    a->run(a->job, &a->pt, a->core);
}

// Output bytes [o, o + no) and input bytes [i, i + ni) share memory.
static int nn_par_overlap(const tflm_tensor_t *in, const tflm_tensor_t *out) {
    const uintptr_t i = (uintptr_t)in->data, o = (uintptr_t)out->data;
    return i < o + out->bytes && o < i + in->bytes;
}

// Channels c0 + [0, n) split after an even count, so blocks of 2 and 4
// channels in the kernels stay whole where they can.
static int32_t nn_par_ch_mid(int32_t c0, int32_t n) {
    int32_t h = n / 2;
    if (h >= 4) {
        h &= ~3;
    }
    return c0 + h;
}

void tflm_nn_par_conv(tflm_node_t *node, const tflm_conv_geom_t *g, int ch_ok, tflm_nn_run_fn run, const void *job) {
    const int32_t npix = g->out_h * g->out_w;
    nn_par_conv_t a0 = { run, job, { 0, npix, 0, g->out_c }, 0 };
    nn_par_conv_t a1 = a0;
    a1.core = 1;
    if (!tflm_par_ready(node)) {
        run(job, &a0.pt, 0);
        return;
    }
    if (nn_par_overlap(&node->in[0], &node->out[0])) {
        // Row by row, both cores inside the row (columns, else channels).
        if (g->out_w < 2 && !(ch_ok && g->out_c >= 2)) {
            tflm_par_single(node);
            run(job, &a0.pt, 0);
            return;
        }
        for (int32_t oy = 0; oy < g->out_h; ++oy) {
            const int32_t r0 = oy * g->out_w, r1 = r0 + g->out_w;
            if (g->out_w >= 2) {
                const int32_t mid = r0 + g->out_w / 2;
                a0.pt.p0 = r0;
                a0.pt.p1 = mid;
                a1.pt.p0 = mid;
                a1.pt.p1 = r1;
            } else {
                const int32_t mid = nn_par_ch_mid(0, g->out_c);
                a0.pt.p0 = a1.pt.p0 = r0;
                a0.pt.p1 = a1.pt.p1 = r1;
                a0.pt.c1 = mid;
                a1.pt.c0 = mid;
            }
            tflm_par_run(node, nn_par_conv_part, &a0, &a1);
        }
        return;
    }
    if (ch_ok && npix < NN_PAR_MIN_PIX && g->out_c >= 2) {
        const int32_t mid = nn_par_ch_mid(0, g->out_c);
        a0.pt.c1 = mid;
        a1.pt.c0 = mid;
    } else if (npix >= 2) {
        a0.pt.p1 = npix / 2;
        a1.pt.p0 = npix / 2;
    } else {
        tflm_par_single(node);
        run(job, &a0.pt, 0);
        return;
    }
    tflm_par_run(node, nn_par_conv_part, &a0, &a1);
}

typedef struct {
    const int8_t *w;
    const int32_t *bias;
    int32_t n_ch, n, ch_stride, el_stride, in_off;
    int32_t *cbias;
} nn_par_fold_t;

static void nn_par_fold_part(void *arg) {
    const nn_par_fold_t *a = arg;
    tflm_nn_fold_bias(a->w, a->bias, a->n_ch, a->n, a->ch_stride, a->el_stride, a->in_off, 0, a->cbias);
}

void tflm_nn_par_fold(tflm_node_t *node, const int8_t *w, const int32_t *bias, int32_t n_ch, int32_t n,
    int32_t ch_stride, int32_t el_stride, int32_t in_off, int32_t *cbias) {
    if (!tflm_par_ready(node) || n_ch < 2) {
        tflm_nn_fold_bias(w, bias, n_ch, n, ch_stride, el_stride, in_off, 0, cbias);
        return;
    }
    const int32_t h = n_ch / 2;
    nn_par_fold_t a0 = { w, bias, h, n, ch_stride, el_stride, in_off, cbias };
    nn_par_fold_t a1 = { w + (size_t)h * (size_t)ch_stride, bias != NULL ? bias + h : NULL, n_ch - h, n, ch_stride,
        el_stride, in_off, cbias + h };
    tflm_par_run(node, nn_par_fold_part, &a0, &a1);
}

typedef struct {
    int32_t batches, units, accum, f_off;
    tflm_nn_q8_t q;
    const int8_t *in, *w;
    int8_t *out;
} nn_par_fc_t;

static void nn_par_fc_part(void *arg) {
    const nn_par_fc_t *a = arg;
    if (a->batches > 0 && a->units > 0) {
        tflm_fc_s8_opt(a->batches, a->units, a->accum, a->f_off, &a->q, a->in, a->w, a->out);
    }
}

void tflm_nn_par_fc(tflm_node_t *node, int32_t batches, int32_t units, int32_t accum, int32_t f_off,
    const tflm_nn_q8_t *q, const int8_t *in, const int8_t *w, int8_t *out) {
    if (!tflm_par_ready(node) || (batches == 1 && units < 2)) {
        tflm_fc_s8_opt(batches, units, accum, f_off, q, in, w, out);
        return;
    }
    nn_par_fc_t a0 = { batches, units, accum, f_off, *q, in, w, out };
    nn_par_fc_t a1 = a0;
    if (batches == 1) {
        const int32_t h = nn_par_ch_mid(0, units);
        a0.units = h;
        a1.units = units - h;
        if (q->per_ch) {
            a1.q.mult += h;
            a1.q.shift += h;
        }
        a1.q.cbias += h;
        a1.w = w + (size_t)h * (size_t)accum;
        a1.out = out + h;
    } else {
        const int32_t h = batches / 2;
        a0.batches = h;
        a1.batches = batches - h;
        a1.in = in + (size_t)h * (size_t)accum;
        a1.out = out + (size_t)h * (size_t)units;
    }
    tflm_par_run(node, nn_par_fc_part, &a0, &a1);
}

#else

// Keeps the translation unit non-empty when the optimised kernels are off.
typedef int tflm_nn_par_unused_t;

#endif // TFLM_OPT_NN
