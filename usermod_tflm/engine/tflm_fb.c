// tflm engine: checked flatbuffer access.
//
// Flatbuffer facts used: a table starts with an int32 offset back to its
// vtable (vtable = table - soffset); a vtable is uint16 vtable size, uint16
// table size, then one uint16 per field giving the field's offset inside the
// table (0 = absent). References are uint32 offsets relative to where they
// are stored. Vectors and strings are a uint32 count followed by elements.
#include "tflm_fb.h"

int tflm_fb_table_why(const uint8_t *buf, uint32_t len, uint32_t pos) {
    if (pos == 0 || (pos & 3) != 0) {
        return TFLM_FB_CORRUPT;
    }
    if (pos > len || len - pos < 4) {
        return TFLM_FB_PAST_END;
    }
    int32_t soff = (int32_t)tflm_rd_u32(buf + pos);
    int64_t vt = (int64_t)pos - (int64_t)soff;
    if (vt < 0 || (vt & 1) != 0) {
        return TFLM_FB_CORRUPT;
    }
    if (vt > (int64_t)len - 4) {
        return TFLM_FB_PAST_END;
    }
    uint16_t vsize = tflm_rd_u16(buf + vt);
    uint16_t tsize = tflm_rd_u16(buf + vt + 2);
    if (vsize < 4 || (vsize & 1) != 0 || tsize < 4) {
        return TFLM_FB_CORRUPT;
    }
    if ((uint64_t)vt + vsize > len || (uint64_t)pos + tsize > len) {
        return TFLM_FB_PAST_END;
    }
    return 0;
}

int tflm_fb_table_open(const uint8_t *buf, uint32_t len, uint32_t pos, tflm_fb_table_t *t) {
    t->buf = buf;
    t->len = len;
    t->pos = 0;
    if (tflm_fb_table_why(buf, len, pos) != 0) {
        return 0;
    }
    t->pos = pos;
    return 1;
}

uint32_t tflm_fb_field(const tflm_fb_table_t *t, int field, uint32_t size, int *bad) {
    if (t->pos == 0 || field < 0) {
        return 0;
    }
    const uint8_t *buf = t->buf;
    uint32_t vt = (uint32_t)((int64_t)t->pos - (int32_t)tflm_rd_u32(buf + t->pos));
    uint16_t vsize = tflm_rd_u16(buf + vt);
    uint16_t tsize = tflm_rd_u16(buf + vt + 2);
    uint32_t slot = 4 + 2 * (uint32_t)field;
    if (slot + 2 > vsize) {
        return 0;
    }
    uint16_t fo = tflm_rd_u16(buf + vt + slot);
    if (fo == 0) {
        return 0;
    }
    if ((uint32_t)fo + size > tsize) {
        if (bad) {
            *bad = 1;
        }
        return 0;
    }
    return t->pos + fo;
}

uint32_t tflm_fb_u32(const tflm_fb_table_t *t, int field, uint32_t def, int *bad) {
    uint32_t p = tflm_fb_field(t, field, 4, bad);
    return p ? tflm_rd_u32(t->buf + p) : def;
}

int32_t tflm_fb_i32(const tflm_fb_table_t *t, int field, int32_t def, int *bad) {
    return (int32_t)tflm_fb_u32(t, field, (uint32_t)def, bad);
}

uint8_t tflm_fb_u8(const tflm_fb_table_t *t, int field, uint8_t def, int *bad) {
    uint32_t p = tflm_fb_field(t, field, 1, bad);
    return p ? t->buf[p] : def;
}

uint64_t tflm_fb_u64(const tflm_fb_table_t *t, int field, uint64_t def, int *bad) {
    uint32_t p = tflm_fb_field(t, field, 8, bad);
    uint64_t v = def;
    if (p) {
        memcpy(&v, t->buf + p, 8);
    }
    return v;
}

float tflm_fb_f32(const tflm_fb_table_t *t, int field, float def, int *bad) {
    uint32_t p = tflm_fb_field(t, field, 4, bad);
    float v = def;
    if (p) {
        memcpy(&v, t->buf + p, 4);
    }
    return v;
}

uint32_t tflm_fb_ref(const tflm_fb_table_t *t, int field, int *bad) {
    uint32_t p = tflm_fb_field(t, field, 4, bad);
    if (p == 0) {
        return 0;
    }
    uint64_t target = (uint64_t)p + tflm_rd_u32(t->buf + p);
    if (target == p || target >= t->len) {
        if (bad) {
            *bad = target == p ? TFLM_FB_CORRUPT : TFLM_FB_PAST_END;
        }
        return 0;
    }
    return (uint32_t)target;
}

uint32_t tflm_fb_vec(const tflm_fb_table_t *t, int field, uint32_t elem, uint32_t *count, int *bad) {
    *count = 0;
    uint32_t v = tflm_fb_ref(t, field, bad);
    if (v == 0) {
        return 0;
    }
    if ((uint64_t)v + 4 > t->len) {
        if (bad) {
            *bad = TFLM_FB_PAST_END;
        }
        return 0;
    }
    uint32_t n = tflm_rd_u32(t->buf + v);
    uint32_t start = v + 4;
    if ((uint64_t)n * elem > (uint64_t)(t->len - start)) {
        if (bad) {
            *bad = TFLM_FB_PAST_END;
        }
        return 0;
    }
    if (elem > 1 && n > 0 && ((uintptr_t)(t->buf + start) % (elem > 8 ? 8 : elem)) != 0) {
        if (bad) {
            *bad = TFLM_FB_MISALIGNED;
        }
        return 0;
    }
    *count = n;
    return start;
}

int tflm_fb_vec_table_why(const uint8_t *buf, uint32_t len, uint32_t vec, uint32_t i) {
    uint32_t p = vec + 4 * i;
    uint64_t target = (uint64_t)p + tflm_rd_u32(buf + p);
    return target >= len ? TFLM_FB_PAST_END : tflm_fb_table_why(buf, len, (uint32_t)target);
}

int tflm_fb_vec_table(const uint8_t *buf, uint32_t len, uint32_t vec, uint32_t i, tflm_fb_table_t *t) {
    uint32_t p = vec + 4 * i;
    uint64_t target = (uint64_t)p + tflm_rd_u32(buf + p);
    if (target >= len) {
        t->pos = 0;
        return 0;
    }
    return tflm_fb_table_open(buf, len, (uint32_t)target, t);
}
