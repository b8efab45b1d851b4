// Int16 sigmoid and tanh (see act_q16.h): linear interpolation in a
// 256-entry table of 65536 * sigmoid(k / 24); tanh uses
// tanh(x) = 2 * sigmoid(2x) - 1 on the same table. 3/4 of the table's range
// [-10.7, 10.7] is [-8, 8], hence the factor 3 in the input scaling.
#include <math.h>
#include "act_q16.h"
#include "qmath.h"

// sigmoid(k / 24) in 0.16 fixed point, the published table of the reference
// (its entries are not plain roundings of the function, so they are data).
static const uint16_t tflm_q16_sig_tab[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
};

// x * mult / 2^shift rounded half up, with the product wrapping modulo 2^32.
static int32_t q16_scale(int16_t x, int32_t mult, int32_t shift) {
    const uint32_t rnd = shift > 0 ? (uint32_t)1 << (shift - 1) : 0u;
    const int32_t p = (int32_t)((uint32_t)(int32_t)x * (uint32_t)mult + rnd);
    return p >> shift;
}

static uint32_t q16_abs(int32_t v) {
    return v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
}

int16_t tflm_q16_logistic(int16_t x, int32_t mult, int32_t shift) {
    const int32_t v = q16_scale(x, mult, shift);
    const uint32_t a = q16_abs(v);
    const uint32_t hi = a >> 9;
    uint32_t r;
    if (hi >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t lo_v = tflm_q16_sig_tab[hi];
        const uint32_t hi_v = tflm_q16_sig_tab[hi + 1u];
        r = (lo_v << 9) + (a & 0x1FFu) * (hi_v - lo_v);
    }
    // Mirror for negative inputs (sigmoid(-x) = 1 - sigmoid(x)), then round
    // from 0.25 to 0.15 bits.
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

int16_t tflm_q16_tanh(int16_t x, int32_t mult, int32_t shift) {
    const int32_t v = q16_scale(x, mult, shift);
    const uint32_t a = q16_abs(v);
    const uint32_t hi = a >> 8;
    int32_t r;
    if (hi >= 255u) {
        r = 0xFFFF << 8;
    } else {
        const uint32_t lo_v = tflm_q16_sig_tab[hi];
        const uint32_t hi_v = tflm_q16_sig_tab[hi + 1u];
        r = (int32_t)((lo_v << 8) + (a & 0xFFu) * (hi_v - lo_v));
    }
    // 2 * sigmoid - 1, rounded from 0.24 to 0.15 bits (arithmetic shift).
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(r >> 8);
}

int tflm_q16_checked_log2(float x, int32_t *log2_out) {
    *log2_out = 0;
    if (!(x > 0.0f) || !isfinite(x)) {
        return 0;
    }
    const float l = logf(x) * (1.0f / logf(2.0f));
    const float r = roundf(l);
    *log2_out = (int32_t)r;
    return fabsf(l - r) < 1e-3f;
}

int tflm_q16_act_params(float in_scale, int is_tanh, int32_t *mult, int32_t *shift) {
    if (!(in_scale > 0.0f) || !isfinite(in_scale)) {
        return 0;
    }
    int32_t l2 = 0;
    const int pot = tflm_q16_checked_log2(in_scale, &l2);
    const int32_t ls = 12 + l2;
    if (pot && (ls == 0 || (is_tanh && ls == 1))) {
        *mult = (int32_t)3 << ls;
        *shift = 0;
        return 1;
    }
    // Rescale to units of 1/12288: double the multiplier until it is above
    // 2^14 (at most 31 times). Scales above ~2.67 keep a multiplier of more
    // than 15 bits; its product with the input then wraps, as in the
    // reference. A multiplier of 0 (the reference would take it for the
    // power-of-two case and shift 3 by 31) or >= 2^31 is refused.
    // In double (exact here): m = s_in * 4096 * 3, doubled while <= 32767 / 2.
    tflm_xd_t m, k;
    tflm_xd_f32(&m, in_scale);
    tflm_xd_set(&k, 3, 12);
    tflm_xd_mul(&m, &m, &k);
    tflm_xd_set(&k, 32767, -1);
    int32_t s = 0;
    while ((m.e < k.e || (m.e == k.e && m.m <= k.m)) && s <= 30) {
        ++s;
        ++m.e;
    }
    // Refused unless 1 <= m < 2^31; the multiplier is m truncated.
    if (m.e < 0 || m.e > 30) {
        return 0;
    }
    *mult = (int32_t)(m.m >> (52 - m.e));
    *shift = s;
    return 1;
}
