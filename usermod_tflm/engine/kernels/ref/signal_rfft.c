// SignalRfft (int16): real FFT of each frame, zero-padded to fft_length,
// giving fft_length/2 + 1 complex int16 bins per frame.
//
// Bit-exact with the reference's Q15 mixed-radix FFT: a complex FFT of
// N = fft_length/2 points on the frame's (even, odd) sample pairs, radix-4
// stages (radix-2 for a leftover factor of 2), each stage dividing its inputs
// by the radix (multiply by 32767/radix, Q15 rounding), then the real-split
// step: halve, combine with the "super" twiddles exp(-i*pi*((k+1)/N + 1/2)),
// halve again with an arithmetic shift.
// Twiddles are floor(0.5 + 32767 * cos/sin(phase)) (the reference computes
// them in double; here in Q31 fixed point, same values).
// Only power-of-two lengths (4 .. 4096) are supported.
#include "signal_common.h"

#define SIG_FFT_MAX_FACTORS (16)

typedef struct {
    int32_t fft_length;
    int32_t ncfft;            // complex points = fft_length / 2
    int32_t in_len;           // samples per input frame
    int32_t out_len;          // complex bins per output frame
    int32_t frames;
    int32_t nfac;
    int32_t factors[2 * SIG_FFT_MAX_FACTORS];  // (radix, remaining length) pairs
    // followed by int16 twiddles[2 * ncfft] and super twiddles[2 * (ncfft / 2)]
} tflm_sig_rfft_t;

typedef struct {
    int16_t r, i;
} sig_cpx_t;

// Q15 rounding of a product sum. Every sum here fits int32: inputs are int16
// and twiddles/divisors lie in [-32767, 32767], so |a*b +- c*d| + 2^14
// <= 2 * 32768 * 32767 + 2^14 < 2^31 (as in the reference's int32 maths).
static inline int16_t sig_sround(int32_t x) {
    return tflm_sig_wrap16((x + (1 << 14)) >> 15);
}

static inline sig_cpx_t sig_cmul(sig_cpx_t a, sig_cpx_t b) {
    sig_cpx_t m;
    m.r = sig_sround((int32_t)a.r * b.r - (int32_t)a.i * b.i);
    m.i = sig_sround((int32_t)a.r * b.i + (int32_t)a.i * b.r);
    return m;
}

// c /= div: multiply by 32767/div with Q15 rounding.
static inline sig_cpx_t sig_fixdiv(sig_cpx_t c, int32_t div) {
    int32_t k = 32767 / div;
    c.r = sig_sround((int32_t)c.r * k);
    c.i = sig_sround((int32_t)c.i * k);
    return c;
}

static inline sig_cpx_t sig_cadd(sig_cpx_t a, sig_cpx_t b) {
    sig_cpx_t s;
    s.r = tflm_sig_wrap16((int32_t)a.r + b.r);
    s.i = tflm_sig_wrap16((int32_t)a.i + b.i);
    return s;
}

static inline sig_cpx_t sig_csub(sig_cpx_t a, sig_cpx_t b) {
    sig_cpx_t s;
    s.r = tflm_sig_wrap16((int32_t)a.r - b.r);
    s.i = tflm_sig_wrap16((int32_t)a.i - b.i);
    return s;
}

static void sig_bfly2(sig_cpx_t *out, int32_t fstride, const sig_cpx_t *tw, int32_t m) {
    for (int32_t k = 0; k < m; k++) {
        sig_cpx_t a = sig_fixdiv(out[k], 2);
        sig_cpx_t b = sig_fixdiv(out[k + m], 2);
        sig_cpx_t t = sig_cmul(b, tw[k * fstride]);
        out[k + m] = sig_csub(a, t);
        out[k] = sig_cadd(a, t);
    }
}

static void sig_bfly4(sig_cpx_t *out, int32_t fstride, const sig_cpx_t *tw, int32_t m) {
    for (int32_t k = 0; k < m; k++) {
        sig_cpx_t x0 = sig_fixdiv(out[k], 4);
        sig_cpx_t x1 = sig_fixdiv(out[k + m], 4);
        sig_cpx_t x2 = sig_fixdiv(out[k + 2 * m], 4);
        sig_cpx_t x3 = sig_fixdiv(out[k + 3 * m], 4);
        sig_cpx_t s0 = sig_cmul(x1, tw[k * fstride]);
        sig_cpx_t s1 = sig_cmul(x2, tw[2 * k * fstride]);
        sig_cpx_t s2 = sig_cmul(x3, tw[3 * k * fstride]);
        sig_cpx_t s5 = sig_csub(x0, s1);
        x0 = sig_cadd(x0, s1);
        sig_cpx_t s3 = sig_cadd(s0, s2);
        sig_cpx_t s4 = sig_csub(s0, s2);
        out[k + 2 * m] = sig_csub(x0, s3);
        out[k] = sig_cadd(x0, s3);
        // Forward transform: multiply s4 by -i.
        out[k + m].r = tflm_sig_wrap16((int32_t)s5.r + s4.i);
        out[k + m].i = tflm_sig_wrap16((int32_t)s5.i - s4.r);
        out[k + 3 * m].r = tflm_sig_wrap16((int32_t)s5.r - s4.i);
        out[k + 3 * m].i = tflm_sig_wrap16((int32_t)s5.i + s4.r);
    }
}

// Decimation in time: out[0 .. p*m) from in[0], in[fstride], ...
static void sig_fft_work(sig_cpx_t *out, const sig_cpx_t *in, int32_t fstride, const int32_t *fac,
                         const sig_cpx_t *tw) {
    int32_t p = fac[0], m = fac[1];
    if (m == 1) {
        for (int32_t q = 0; q < p; q++) {
            out[q] = in[q * fstride];
        }
    } else {
        for (int32_t q = 0; q < p; q++) {
            sig_fft_work(out + q * m, in + q * fstride, fstride * p, fac + 2, tw);
        }
    }
    if (p == 2) {
        sig_bfly2(out, fstride, tw, m);
    } else {
        sig_bfly4(out, fstride, tw, m);
    }
}

// cos (use_sin: sin) of pi * j / 2048 for 0 <= j <= 512, in Q31: Taylor
// series in x^2 (Horner, Q31 rounding at each step; error below 1.2 units
// of 2^-31 over the whole range).
static int64_t sig_octant_q31(int32_t j, int use_sin) {
    // 1/(2k+2)! (cos) and 1/(2k+3)! (sin) in Q31; the signs alternate.
    static const int32_t coef[2][6] = {
        { 1073741824, 89478485, 2982616, 53261, 592, 4 },
        { 357913941, 17895697, 426088, 5918, 54, 0 },
    };
    const int64_t half = (int64_t)1 << 30;
    int64_t x = ((int64_t)j * 6746518852LL + 1024) >> 11;   // pi * 2^31 / 2048 * j
    int64_t x2 = (x * x + half) >> 31;
    int64_t p = 0;
    for (int k = 5; k >= 0; --k) {
        p = (int64_t)coef[use_sin][k] - ((p * x2 + half) >> 31);
    }
    p = ((int64_t)1 << 31) - ((p * x2 + half) >> 31);
    return use_sin ? (p * x + half) >> 31 : p;
}

// The reference's twiddle floor(0.5 + 32767 * cos(phase)) (computed in
// double) for phase = pi * j / 2048, any integer j. Every twiddle of a
// power-of-two length up to 4096 has such a phase, and no 32767 * cos of one
// lies within 1.4e-4 of a rounding tie, far above this error (1.7e-5): the
// values are the reference's (checked against libm for every length).
static int16_t sig_cos_q15(int32_t j) {
    int32_t k = j & 4095;
    if (k > 2048) {
        k = 4096 - k;
    }
    int neg = k > 1024;
    if (neg) {
        k = 2048 - k;
    }
    int64_t c = k > 512 ? sig_octant_q31(1024 - k, 1) : sig_octant_q31(k, 0);
    if (neg) {
        c = -c;
    }
    return (int16_t)((32767 * c + ((int64_t)1 << 30)) >> 31);
}

// exp(i * pi * j / 2048) as a Q15 (cos, sin) pair.
static void sig_cexp(int16_t *dst, int32_t j) {
    dst[0] = sig_cos_q15(j);
    dst[1] = sig_cos_q15(j - 1024);
}

tflm_status_t tflm_signal_rfft_prepare(tflm_node_t *node) {
    TFLM_CHECK(node, node->n_in == 1 && node->n_out == 1, TFLM_ERR_BAD_PARAM, "needs 1 input, 1 output");
    const tflm_tensor_t *in = &node->in[0], *out = &node->out[0];
    int32_t t, len;
    TFLM_CHECK(node, tflm_sig_opt(node, "T", 7, &t) == 0 && tflm_sig_opt(node, "fft_length", 0, &len) == 0,
               TFLM_ERR_BAD_PARAM, "bad options");
    TFLM_CHECK(node, t == TFLM_INT16 && in->type == TFLM_INT16 && out->type == TFLM_INT16, TFLM_ERR_UNSUPPORTED_TYPE,
               "only int16 is supported");
    TFLM_CHECK(node, len >= 4 && len <= 4096 && (len & (len - 1)) == 0, TFLM_ERR_BAD_PARAM,
               "fft_length must be a power of two in 4..4096");
    TFLM_CHECK(node, in->ndim >= 1 && out->ndim == in->ndim, TFLM_ERR_BAD_SHAPE, "bad ranks");
    int32_t in_len = in->dims[in->ndim - 1];
    int32_t out_last = out->dims[out->ndim - 1];
    TFLM_CHECK(node, in_len > 0 && in_len <= len && out_last == 2 * (len / 2 + 1), TFLM_ERR_BAD_SHAPE,
               "frame longer than fft_length, or output not fft_length/2+1 complex bins");
    uint32_t frames = in->elems / (uint32_t)in_len;
    TFLM_CHECK(node, out->elems == frames * (uint32_t)out_last, TFLM_ERR_BAD_SHAPE,
               "input and output frame counts differ");
    int32_t ncfft = len / 2;
    // Factor: 4s first, then a 2.
    int32_t fac[2 * SIG_FFT_MAX_FACTORS];
    int32_t nfac = 0, n = ncfft;
    while (n > 1) {
        int32_t p = (n % 4 == 0) ? 4 : 2;
        n /= p;
        fac[2 * nfac] = p;
        fac[2 * nfac + 1] = n;
        nfac++;
    }
    uint32_t tables = (uint32_t)(2 * ncfft + 2 * (ncfft / 2)) * 2u;
    tflm_request_scratch(node, (uint32_t)len * 2u + (uint32_t)ncfft * 4u);
    tflm_sig_rfft_t *d = tflm_persist(node, (uint32_t)sizeof(*d) + tables);
    if (d == NULL) {
        return tflm_measure_done(node);
    }
    d->fft_length = len;
    d->ncfft = ncfft;
    d->in_len = in_len;
    d->out_len = out_last / 2;
    d->frames = (int32_t)frames;
    d->nfac = nfac;
    memcpy(d->factors, fac, sizeof(int32_t) * 2 * (size_t)nfac);
    int16_t *tw = (int16_t *)(d + 1);
    // Phases -2 pi i / ncfft and -pi ((i + 1) / ncfft + 1/2), in units of pi / 2048.
    for (int32_t i = 0; i < ncfft; i++) {
        sig_cexp(tw + 2 * i, -i * (4096 / ncfft));
    }
    int16_t *stw = tw + 2 * ncfft;
    for (int32_t i = 0; i < ncfft / 2; i++) {
        sig_cexp(stw + 2 * i, -((i + 1) * (2048 / ncfft) + 1024));
    }
    return TFLM_OK;
}

tflm_status_t tflm_signal_rfft_eval(tflm_node_t *node) {
    const tflm_sig_rfft_t *d = node->op_data;
    const int16_t *tabs = (const int16_t *)(d + 1);
    // Tables as complex pairs (int16 r, i laid out like sig_cpx_t).
    const sig_cpx_t *twid = (const sig_cpx_t *)(const void *)tabs;
    const sig_cpx_t *stw = twid + d->ncfft;
    int16_t *work = node->scratch;                                   // fft_length samples
    sig_cpx_t *tmp = (sig_cpx_t *)(void *)(work + d->fft_length);    // ncfft bins
    const int16_t *in = node->in[0].data;
    int16_t *out = node->out[0].data;
    int32_t n = d->ncfft;
    for (int32_t f = 0; f < d->frames; f++) {
        memcpy(work, in + (size_t)f * (size_t)d->in_len, sizeof(int16_t) * (size_t)d->in_len);
        memset(work + d->in_len, 0, sizeof(int16_t) * (size_t)(d->fft_length - d->in_len));
        sig_fft_work(tmp, (const sig_cpx_t *)(const void *)work, 1, d->factors, twid);
        int16_t *o = out + (size_t)f * 2u * (size_t)d->out_len;
        sig_cpx_t dc = sig_fixdiv(tmp[0], 2);
        o[0] = tflm_sig_wrap16((int32_t)dc.r + dc.i);
        o[1] = 0;
        o[2 * n] = tflm_sig_wrap16((int32_t)dc.r - dc.i);
        o[2 * n + 1] = 0;
        for (int32_t k = 1; k <= n / 2; k++) {
            sig_cpx_t fpk = sig_fixdiv(tmp[k], 2);
            sig_cpx_t fpnk;
            fpnk.r = tmp[n - k].r;
            fpnk.i = tflm_sig_wrap16(-(int32_t)tmp[n - k].i);
            fpnk = sig_fixdiv(fpnk, 2);
            sig_cpx_t f1k = sig_cadd(fpk, fpnk);
            sig_cpx_t f2k = sig_csub(fpk, fpnk);
            sig_cpx_t t = sig_cmul(f2k, stw[k - 1]);
            o[2 * k] = tflm_sig_wrap16(((int32_t)f1k.r + t.r) >> 1);
            o[2 * k + 1] = tflm_sig_wrap16(((int32_t)f1k.i + t.i) >> 1);
            o[2 * (n - k)] = tflm_sig_wrap16(((int32_t)f1k.r - t.r) >> 1);
            o[2 * (n - k) + 1] = tflm_sig_wrap16(((int32_t)t.i - f1k.i) >> 1);
        }
    }
    return TFLM_OK;
}
