// Bounds-checked FlexBuffers reader (see tflm_flexbuf.h for the layout).
#include <string.h>
#include "tflm_flexbuf.h"

static int flex_width_ok(uint32_t w) {
    return w == 1 || w == 2 || w == 4 || w == 8;
}

// Little-endian unsigned read of w bytes at pos, checked.
static int flex_rd_u(const uint8_t *buf, uint32_t len, uint32_t pos, uint32_t w, uint64_t *v) {
    if (!flex_width_ok(w) || pos > len || len - pos < w) {
        return 0;
    }
    uint64_t x = 0;
    for (uint32_t i = 0; i < w; i++) {
        x |= (uint64_t)buf[pos + i] << (8 * i);
    }
    *v = x;
    return 1;
}

// Signed read: sign-extend from w bytes.
static int flex_rd_i(const uint8_t *buf, uint32_t len, uint32_t pos, uint32_t w, int64_t *v) {
    uint64_t u;
    if (!flex_rd_u(buf, len, pos, w, &u)) {
        return 0;
    }
    if (w < 8) {
        uint64_t sign = (uint64_t)1 << (8 * w - 1);
        if (u & sign) {
            u |= ~((sign << 1) - 1);
        }
    }
    *v = (int64_t)u;  // two's complement reinterpretation (no arithmetic overflow)
    return 1;
}

// A float32 or float64 scalar as sign, exponent and mantissa: its magnitude
// is m * 2^e (m == 0 for zero; *e == INT32_MAX for infinity and NaN). On the
// bits: no soft-float double library on cores without a double FPU.
static int flex_rd_f(const uint8_t *buf, uint32_t len, uint32_t pos, uint32_t w, int *neg, uint64_t *m, int32_t *e) {
    uint64_t u;
    if ((w != 4 && w != 8) || !flex_rd_u(buf, len, pos, w, &u)) {
        return 0;
    }
    const int mb = w == 4 ? 23 : 52;                     // mantissa bits
    const uint32_t emax = w == 4 ? 0xffu : 0x7ffu;
    const uint32_t ex = (uint32_t)(u >> mb) & emax;
    *neg = (int)(u >> (8 * w - 1)) & 1;
    *m = u & (((uint64_t)1 << mb) - 1);
    if (ex == emax) {
        *e = INT32_MAX;
    } else {
        *e = (ex != 0 ? (int32_t)ex : 1) - (int32_t)(emax >> 1) - mb;
        *m |= ex != 0 ? (uint64_t)1 << mb : 0;
    }
    return 1;
}

// Follow the offset stored in r's slot: the data position.
static int flex_deref(const tflm_flex_ref_t *r, uint32_t *target) {
    uint64_t off;
    if (!flex_rd_u(r->buf, r->len, r->pos, r->width, &off)) {
        return 0;
    }
    if (off > r->pos) {
        return 0;
    }
    *target = r->pos - (uint32_t)off;
    return 1;
}

static void flex_set(tflm_flex_ref_t *out, const uint8_t *buf, uint32_t len, uint32_t pos, uint32_t width, uint8_t packed) {
    out->buf = buf;
    out->len = len;
    out->pos = pos;
    out->width = (uint8_t)width;
    out->type = (uint8_t)(packed >> 2);
    out->child_width = (uint8_t)(1u << (packed & 3u));
}

int tflm_flex_root(const uint8_t *buf, uint32_t len, tflm_flex_ref_t *out) {
    if (buf == NULL || len < 3) {
        return 0;
    }
    uint32_t w = buf[len - 1];
    if (!flex_width_ok(w) || len - 2 < w) {
        return 0;
    }
    flex_set(out, buf, len, len - 2 - w, w, buf[len - 2]);
    return 1;
}

// A map's data position, element width and size, all checked: the three
// header slots before the data and the n values plus n type bytes after it
// lie inside the buffer.
static int flex_map_layout(const tflm_flex_ref_t *m, uint32_t *data, uint32_t *w, uint32_t *n) {
    if (m->type != TFLM_FLEX_MAP) {
        return 0;
    }
    uint32_t d;
    if (!flex_deref(m, &d)) {
        return 0;
    }
    uint32_t cw = m->child_width;
    uint64_t size;
    if (d < 3 * cw || !flex_rd_u(m->buf, m->len, d - cw, cw, &size)) {
        return 0;
    }
    // n values of cw bytes plus n type bytes must fit after d.
    if (size > (uint64_t)(m->len - d) / (cw + 1u)) {
        return 0;
    }
    *data = d;
    *w = cw;
    *n = (uint32_t)size;
    return 1;
}

int tflm_flex_map_size(const tflm_flex_ref_t *map, uint32_t *n) {
    uint32_t d, w;
    return flex_map_layout(map, &d, &w, n) ? 0 : -1;
}

int tflm_flex_map_at(const tflm_flex_ref_t *map, uint32_t i, tflm_flex_ref_t *out) {
    uint32_t d, w, n;
    if (!flex_map_layout(map, &d, &w, &n) || i >= n) {
        return 0;
    }
    flex_set(out, map->buf, map->len, d + i * w, w, map->buf[d + n * w + i]);
    return 1;
}

// Compare the key string at pos with key: -1, 0, 1 like strcmp; sets *bad if
// the key is not NUL-terminated inside the buffer.
static int flex_key_cmp(const uint8_t *buf, uint32_t len, uint32_t pos, const char *key, int *bad) {
    uint32_t i = 0;
    for (;;) {
        if (pos + i >= len) {
            *bad = 1;
            return 0;
        }
        uint8_t a = buf[pos + i];
        uint8_t b = (uint8_t)key[i];
        if (a != b) {
            return a < b ? -1 : 1;
        }
        if (a == 0) {
            return 0;
        }
        i++;
    }
}

int tflm_flex_map_find(const tflm_flex_ref_t *map, const char *key, tflm_flex_ref_t *out) {
    uint32_t d, w, n;
    if (!flex_map_layout(map, &d, &w, &n)) {
        return -1;
    }
    const uint8_t *buf = map->buf;
    uint32_t len = map->len;
    // Keys vector: offset slot at d - 3w, its byte width at d - 2w.
    tflm_flex_ref_t kref;
    flex_set(&kref, buf, len, d - 3 * w, w, 0);
    uint32_t keys;
    uint64_t kw64, ksize;
    if (!flex_deref(&kref, &keys) || !flex_rd_u(buf, len, d - 2 * w, w, &kw64) || kw64 > 8 ||
        !flex_width_ok((uint32_t)kw64)) {
        return -1;
    }
    uint32_t kw = (uint32_t)kw64;
    if (keys < kw || !flex_rd_u(buf, len, keys - kw, kw, &ksize) || ksize != n) {
        return -1;
    }
    if ((uint64_t)n * kw > (uint64_t)(len - keys)) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        tflm_flex_ref_t ke;
        flex_set(&ke, buf, len, keys + i * kw, kw, 0);
        uint32_t kpos;
        if (!flex_deref(&ke, &kpos)) {
            return -1;
        }
        int bad = 0;
        int c = flex_key_cmp(buf, len, kpos, key, &bad);
        if (bad) {
            return -1;
        }
        if (c == 0) {
            flex_set(out, buf, len, d + i * w, w, buf[d + n * w + i]);
            return 1;
        }
    }
    return 0;
}

int tflm_flex_as_i64(const tflm_flex_ref_t *r, int64_t *v) {
    uint64_t u;
    uint32_t t;
    int neg;
    int32_t e;
    switch (r->type) {
        case TFLM_FLEX_NULL:
            *v = 0;
            return 1;
        case TFLM_FLEX_INT:
            return flex_rd_i(r->buf, r->len, r->pos, r->width, v);
        case TFLM_FLEX_UINT:
        case TFLM_FLEX_BOOL:
            if (!flex_rd_u(r->buf, r->len, r->pos, r->width, &u)) {
                return 0;
            }
            *v = (int64_t)u;
            return 1;
        case TFLM_FLEX_FLOAT:
            if (!flex_rd_f(r->buf, r->len, r->pos, r->width, &neg, &u, &e)) {
                return 0;
            }
            break;
        case TFLM_FLEX_INDIRECT_INT:
            return flex_deref(r, &t) && flex_rd_i(r->buf, r->len, t, r->child_width, v);
        case TFLM_FLEX_INDIRECT_UINT:
            if (!flex_deref(r, &t) || !flex_rd_u(r->buf, r->len, t, r->child_width, &u)) {
                return 0;
            }
            *v = (int64_t)u;
            return 1;
        case TFLM_FLEX_INDIRECT_FLOAT:
            if (!flex_deref(r, &t) || !flex_rd_f(r->buf, r->len, t, r->child_width, &neg, &u, &e)) {
                return 0;
            }
            break;
        default:
            return 0;
    }
    // Floats: truncate toward zero, refuse what int64 cannot hold (|f| >= 2^63,
    // infinities and NaN).
    if (e == INT32_MAX) {
        return 0;
    }
    if (e >= 0) {
        if (e >= 63 || (u >> (63 - e)) != 0) {
            return 0;
        }
        u <<= e;
    } else {
        u = e <= -64 ? 0 : u >> -e;
    }
    *v = neg ? -(int64_t)u : (int64_t)u;
    return 1;
}

int tflm_flex_opt_i32(const uint8_t *buf, uint32_t len, const char *key, int32_t def, int32_t *v) {
    *v = def;
    tflm_flex_ref_t root, val;
    if (!tflm_flex_root(buf, len, &root)) {
        return -1;
    }
    int st = tflm_flex_map_find(&root, key, &val);
    if (st <= 0) {
        return st;
    }
    int64_t x;
    if (!tflm_flex_as_i64(&val, &x) || x < INT32_MIN || x > INT32_MAX) {
        return -1;
    }
    *v = (int32_t)x;
    return 1;
}
