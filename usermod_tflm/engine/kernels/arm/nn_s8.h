// Restructured int8 kernels of CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED (chosen by kernels/tflm_isa.h). Same output bytes as
// kernels/ref/: the accumulator is the same 32-bit wrapping sum, only
// reordered. The input offset is folded into a per-channel constant
// (conv/depthwise: into scratch at each eval; fully connected: in prepare,
// persistent):
//     cbias[c] = bias[c] + in_off * sum(weights of c)   (wrapping)
// so the inner loops are pure int8 x int8 dot products. A padding tap reads
// as the input zero point, whose product with in_off cancels.
#ifndef TFLM_NN_S8_H
#define TFLM_NN_S8_H

#include <stdint.h>
#include "../ref/conv_common.h"

// Requantisation and folded constants of one int8 op.
typedef struct {
    const int32_t *mult;     // per output channel (or one value when per_ch == 0)
    const int32_t *shift;
    const int32_t *cbias;    // per output channel, see above
    int32_t per_ch;          // mult/shift indexed by channel (else element 0)
    int32_t in_zp;           // input zero point (the padding value)
    int32_t out_zp;
    int32_t act_min, act_max;
} tflm_nn_q8_t;

// The share of a convolution's output one call computes (two cores each take
// a part): output pixels [p0, p1) in row-major order (pixel = oy * out_w +
// ox, the same range in every batch) and output channels [c0, c1).
typedef struct {
    int32_t p0, p1;
    int32_t c0, c1;
} tflm_nn_part_t;

// The whole output.
static inline tflm_nn_part_t tflm_nn_part_all(const tflm_conv_geom_t *g) {
    const tflm_nn_part_t pt = { 0, g->out_h * g->out_w, 0, g->out_c };
    return pt;
}

// cbias[c] = bias[c] (0 when bias is NULL) + extra
//            + in_off * sum_i w[c * ch_stride + i * el_stride], i < n, c < n_ch.
void tflm_nn_fold_bias(const int8_t *w, const int32_t *bias, int32_t n_ch, int32_t n, int32_t ch_stride,
    int32_t el_stride, int32_t in_off, int32_t extra, int32_t *cbias);

// CONV_2D, one group (filter depth == input depth), NHWC, filter
// [out_c, f_h, f_w, in_c], geometry checked by the op's prepare; computes
// the part pt. patch: tflm_conv2d_s8_opt_patch_bytes(g) bytes of scratch
// (NULL when 0).
void tflm_conv2d_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out);

// Scratch bytes of tflm_conv2d_s8_opt: one receptive field unless 1x1.
static inline uint32_t tflm_conv2d_s8_opt_patch_bytes(const tflm_conv_geom_t *g) {
    return (g->f_h == 1 && g->f_w == 1) ? 0u : (uint32_t)g->f_h * (uint32_t)g->f_w * (uint32_t)g->f_c;
}

// DEPTHWISE_CONV_2D, filter [1, f_h, f_w, out_c], out_c = in_c * dm.
// Computes the pixels of part pt, every channel (pt's channel range is not
// used). patch: tflm_dwconv_s8_opt_patch_bytes() bytes of scratch, or NULL.
void tflm_dwconv_s8_opt(const tflm_conv_geom_t *g, const tflm_nn_q8_t *q, const tflm_nn_part_t *pt, int32_t dm,
    const int8_t *in, const int8_t *filter, int8_t *patch, int8_t *out);

// Scratch of tflm_dwconv_s8_opt: one padded 3x3 window for the border pixels
// of a 3x3, undilated, depth-multiplier-1 layer (else 0; patch is then NULL).
static inline uint32_t tflm_dwconv_s8_opt_patch_bytes(const tflm_conv_geom_t *g, int32_t dm) {
    const int fast3 = dm == 1 && g->f_h == 3 && g->f_w == 3 && g->dil_h == 1 && g->dil_w == 1;
    return fast3 ? 9u * (uint32_t)g->in_c : 0u;
}

// FULLY_CONNECTED, weights [units, accum]; f_off = -weight zero point (0 for
// per-channel weights), already folded into cbias except for its product with
// the sum of each input row.
void tflm_fc_s8_opt(int32_t batches, int32_t units, int32_t accum, int32_t f_off, const tflm_nn_q8_t *q,
    const int8_t *in, const int8_t *w, int8_t *out);

// Two cores (kernels/arm/nn_par.c). A conv-family kernel run over the
// output in two parts: on the interpreter's worker and here when it has one
// (tflm_par_ready), else as one part. run(job, part, core): core 0 or 1
// picks that core's scratch. Parts are halves of the output pixels, or of
// the channels (ch_ok) when there are few pixels. When the output overlaps
// the input (the planner's streaming placement) the parts advance together
// one output row at a time, so every row is written only after the rows it
// needs were read, as on one core.
typedef void (*tflm_nn_run_fn)(const void *job, const tflm_nn_part_t *pt, int32_t core);
void tflm_nn_par_conv(tflm_node_t *node, const tflm_conv_geom_t *g, int ch_ok, tflm_nn_run_fn run, const void *job);

// tflm_nn_fold_bias over n_ch channels whose weights of channel c start at
// w + c * ch_stride (halves of the channels on each core).
void tflm_nn_par_fold(tflm_node_t *node, const int8_t *w, const int32_t *bias, int32_t n_ch, int32_t n,
    int32_t ch_stride, int32_t el_stride, int32_t in_off, int32_t *cbias);

// tflm_fc_s8_opt with halves of the units (one batch) or of the batches on each core.
void tflm_nn_par_fc(tflm_node_t *node, int32_t batches, int32_t units, int32_t accum, int32_t f_off,
    const tflm_nn_q8_t *q, const int8_t *in, const int8_t *w, int8_t *out);

#endif // TFLM_NN_S8_H
