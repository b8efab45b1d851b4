// Shared pieces of the convolution family (CONV_2D, DEPTHWISE_CONV_2D,
// TRANSPOSE_CONV) and of the 2-D pooling ops: window geometry, per-channel
// requantisation constants and fused-activation ranges.
//
// Everything here only computes; the op's prepare does the checks and
// writes its own error messages.
#ifndef TFLM_CONV_COMMON_H
#define TFLM_CONV_COMMON_H

#include <stdint.h>
#include <string.h>
#include "../../tflm_kernel.h"

// Largest spatial size, filter size, stride or dilation accepted. Keeps every
// window index computed in eval (origin + dilation * tap) inside int32.
#define TFLM_CONV_MAX_EXTENT (1 << 24)

// Accumulator flavours of the kernels.
enum {
    TFLM_CONV_F32 = 0,     // float32 activations and weights
    TFLM_CONV_S8 = 1,      // int8 activations, int8 weights, int32 bias
    TFLM_CONV_S16_A32 = 2, // int16 activations, int8 weights, int32 accumulator
    TFLM_CONV_S16_A64 = 3, // int16 activations, int8 weights, int64 accumulator
};

// Geometry of one windowed op over NHWC tensors.
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t f_h, f_w, f_c;      // filter window and filter input depth
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_h, pad_w;       // leading padding (TFLite's ComputePaddingHeightWidth)
} tflm_conv_geom_t;

// What a convolution keeps of its geometry in its op data; the sizes come
// from its tensors' shapes at each eval (tflm_conv_geom_at).
typedef struct {
    int32_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
} tflm_conv_win_t;

void tflm_conv_win_save(tflm_conv_win_t *w, const tflm_conv_geom_t *g);

// The geometry prepare checked, rebuilt from the node's input 0 (NHWC),
// filter (in[1]: dims 1 and 2 are the window, f_c from dimension f_c_dim or 1
// when 0) and output 0 (NHWC).
void tflm_conv_geom_at(const tflm_node_t *node, const tflm_conv_win_t *w, int f_c_dim, tflm_conv_geom_t *g);

// Output size of a window of `filter` taps dilated by `dil` sliding with
// `stride` over `in` elements (TFLite's ComputeOutSize). Arguments must be
// in [1, TFLM_CONV_MAX_EXTENT]. Returns -1 for an unknown padding.
int32_t tflm_conv_out_size(int padding, int32_t in, int32_t filter, int32_t stride, int32_t dil);

// Leading padding for that window when it produces `out` elements:
// max(0, (out - 1) * stride + effective_filter - in) / 2.
int32_t tflm_conv_pad(int32_t stride, int32_t dil, int32_t in, int32_t filter, int32_t out);

// Checks that v is in [1, TFLM_CONV_MAX_EXTENT].
static inline int tflm_conv_extent_ok(int32_t v) {
    return v >= 1 && v <= TFLM_CONV_MAX_EXTENT;
}

// A scale usable as a divisor or multiplier: finite and > 0.
int tflm_conv_scale_ok(float s);

// Per-channel requantisation of a convolution: for each of n_ch output
// channels, effective scale = input_scale * filter_scale[c] / output_scale
// computed in double (filter_scale[0] broadcast when the filter is per-tensor),
// then split into a Q31 multiplier and a shift. mult/shift may be NULL to only
// validate. Returns 0, or -1 if a filter scale is not finite and positive.
int tflm_conv_channel_quant(const tflm_tensor_t *in, const tflm_tensor_t *filter, const tflm_tensor_t *out,
    int32_t n_ch, int32_t *mult, int32_t *shift);

// Largest shift tflm_conv_channel_quant would produce (scales already valid).
int32_t tflm_conv_max_shift(const tflm_tensor_t *in, const tflm_tensor_t *filter, const tflm_tensor_t *out,
    int32_t n_ch);

// Clamp range [lo, hi] of a fused activation for a quantised output whose
// type range is [qmin, qmax]. Returns 0, or -1 for an activation the nn ops
// do not fuse (TANH, SIGN_BIT, unknown) or a bound that would overflow int32.
int tflm_conv_act_range_q(int act, const tflm_tensor_t *out, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi);

// Clamp range of a fused activation for a float output; "no clamp" is
// [-FLT_MAX, FLT_MAX] as in TFLite's CalculateActivationRange. Returns 0 or -1.
int tflm_conv_act_range_f(int act, float *lo, float *hi);

// Element i of an int64 tensor that may be only 4-byte aligned in the model
// (the converter does not 8-align int64 bias buffers).
static inline int64_t tflm_conv_ld_i64(const void *p, uint32_t i) {
    int64_t v;
    memcpy(&v, (const uint8_t *)p + (size_t)i * 8u, sizeof(v));
    return v;
}

// The reference's 64-bit requantisation assumes |x| < 2^47 (so x times a
// 16-bit multiplier cannot overflow); clamp into that range.
static inline int64_t tflm_conv_clamp47(int64_t x) {
    const int64_t lim = ((int64_t)1 << 47) - 1;
    return x > lim ? lim : (x < -lim ? -lim : x);
}

// Clamp of the float kernels, in the order and with the NaN behaviour of
// min(max(x, lo), hi) written with `<` comparisons.
static inline float tflm_conv_clamp_f(float x, float lo, float hi) {
    float y = (x < lo) ? lo : x;
    return (hi < y) ? hi : y;
}


// Quantisation checks shared by CONV_2D and DEPTHWISE_CONV_2D (in[0], in[1],
// out[0] of node), and the fused activation's clamp: int range for the
// quantised kinds, float range for TFLM_CONV_F32. qdim: the filter's
// per-channel dimension. The int16 paths with 64-bit accumulators
// (TFLM_CONV_S16_A64) need every channel's shift <= 14.
tflm_status_t tflm_conv_prepare_quant(tflm_node_t *node, int kind, int act, int32_t out_c, int32_t qdim,
    int32_t *act_min, int32_t *act_max, float *f_min, float *f_max);

// Let output 0 overlap input 0 in the plan (conv/depthwise row order).
void tflm_conv_allow_overlap(tflm_node_t *node, const tflm_conv_geom_t *g, const tflm_tensor_t *in,
    const tflm_tensor_t *out);

// The per-channel multipliers and shifts of a convolution as derived data
// (n_ch of each), NULL if the interpreter has none for the node.
const int32_t *tflm_conv_derived_quant(tflm_node_t *node, int32_t n_ch);

#endif // TFLM_CONV_COMMON_H
