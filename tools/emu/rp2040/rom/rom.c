// Stand-in boot ROM for rp2040js: the functions that run as real Cortex-M0+
// code (so that the emulator counts their cycles): bit operations, memory
// copy/fill, the table lookup, and the soft float/double arithmetic and
// conversions of the ROM's float tables.
//
// Behaviour follows the RP2040 datasheet's description of the ROM: float and
// double arithmetic is IEEE-754 round-to-nearest-even with denormals flushed
// to zero on input and output; the float->int conversions round towards minus
// infinity and saturate. The arithmetic itself comes from libgcc.
//
// Nothing here may use static writable data: the ROM has no RAM of its own.
#include <stdint.h>
#include <stddef.h>

// ---- table lookup, boot2 check -------------------------------------------

void *rom_table_lookup(const uint16_t *table, uint32_t code) {
    for (; table[0] != 0; table += 2) {
        if (table[0] == code) {
            return (void *)(uintptr_t)table[1];
        }
    }
    return NULL;
}

// boot2 ends with the CRC-32 (polynomial 0x04c11db7, initial value all ones,
// no reflection, no final inversion) of its first 252 bytes.
int rom_boot2_valid(const uint8_t *boot2) {
    uint32_t crc = 0xffffffffu;
    for (int i = 0; i < 252; i++) {
        crc ^= (uint32_t)boot2[i] << 24;
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
        }
    }
    uint32_t want = boot2[252] | (boot2[253] << 8) | (boot2[254] << 16) | ((uint32_t)boot2[255] << 24);
    return crc == want;
}

// ---- bit operations --------------------------------------------------------

uint32_t rom_popcount32(uint32_t v) {
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0f0f0f0fu;
    return (v * 0x01010101u) >> 24;
}

uint32_t rom_reverse32(uint32_t v) {
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0f0f0f0fu) | ((v & 0x0f0f0f0fu) << 4);
    v = ((v >> 8) & 0x00ff00ffu) | ((v & 0x00ff00ffu) << 8);
    return (v >> 16) | (v << 16);
}

uint32_t rom_clz32(uint32_t v) {
    if (v == 0) {
        return 32;
    }
    uint32_t n = 0;
    if ((v & 0xffff0000u) == 0) { n += 16; v <<= 16; }
    if ((v & 0xff000000u) == 0) { n += 8; v <<= 8; }
    if ((v & 0xf0000000u) == 0) { n += 4; v <<= 4; }
    if ((v & 0xc0000000u) == 0) { n += 2; v <<= 2; }
    if ((v & 0x80000000u) == 0) { n += 1; }
    return n;
}

uint32_t rom_ctz32(uint32_t v) {
    if (v == 0) {
        return 32;
    }
    return 31 - rom_clz32(v & (0u - v));
}

static uint32_t clz64(uint64_t v) {
    uint32_t hi = (uint32_t)(v >> 32);
    return hi ? rom_clz32(hi) : 32 + rom_clz32((uint32_t)v);
}

// ---- memory ------------------------------------------------------------------

void *rom_memset(void *ptr, int c, uint32_t n) {
    uint8_t *d = ptr;
    uint8_t b = (uint8_t)c;
    while (n && ((uintptr_t)d & 3)) {
        *d++ = b;
        n--;
    }
    uint32_t w = b * 0x01010101u;
    uint32_t *dw = (uint32_t *)d;
    while (n >= 16) {
        dw[0] = w;
        dw[1] = w;
        dw[2] = w;
        dw[3] = w;
        dw += 4;
        n -= 16;
    }
    while (n >= 4) {
        *dw++ = w;
        n -= 4;
    }
    d = (uint8_t *)dw;
    while (n--) {
        *d++ = b;
    }
    return ptr;
}

void *rom_memset4(uint32_t *ptr, uint8_t c, uint32_t n) {
    return rom_memset(ptr, c, n);
}

void *rom_memcpy(void *dst, const void *src, uint32_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
        while (n && ((uintptr_t)d & 3)) {
            *d++ = *s++;
            n--;
        }
        uint32_t *dw = (uint32_t *)d;
        const uint32_t *sw = (const uint32_t *)s;
        while (n >= 16) {
            uint32_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            dw[0] = a;
            dw[1] = b;
            dw[2] = c;
            dw[3] = e;
            dw += 4;
            sw += 4;
            n -= 16;
        }
        while (n >= 4) {
            *dw++ = *sw++;
            n -= 4;
        }
        d = (uint8_t *)dw;
        s = (const uint8_t *)sw;
    }
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *rom_memcpy44(uint32_t *dst, const uint32_t *src, uint32_t n) {
    return rom_memcpy(dst, src, n);
}

// ---- float helpers -------------------------------------------------------------

typedef union { float f; uint32_t u; } fbits;
typedef union { double d; uint64_t u; } dbits;

static float ftz(float x) {
    fbits v = { x };
    if ((v.u & 0x7f800000u) == 0) {
        v.u &= 0x80000000u;
    }
    return v.f;
}

static double dtz(double x) {
    dbits v = { x };
    if ((v.u & 0x7ff0000000000000ull) == 0) {
        v.u &= 0x8000000000000000ull;
    }
    return v.d;
}

// x * 2^k for a normal or zero x, exact unless the result leaves the normal
// range: overflow gives infinity, underflow gives (signed) zero.
static float fscale(float x, int k) {
    fbits v = { x };
    int e = (int)((v.u >> 23) & 0xff);
    if (e == 0 || e == 0xff) {
        return x;
    }
    e += k;
    if (e >= 0xff) {
        v.u = (v.u & 0x80000000u) | 0x7f800000u;
    } else if (e <= 0) {
        v.u &= 0x80000000u;
    } else {
        v.u = (v.u & 0x807fffffu) | ((uint32_t)e << 23);
    }
    return v.f;
}

static double dscale(double x, int k) {
    dbits v = { x };
    int e = (int)((v.u >> 52) & 0x7ff);
    if (e == 0 || e == 0x7ff) {
        return x;
    }
    e += k;
    if (e >= 0x7ff) {
        v.u = (v.u & 0x8000000000000000ull) | 0x7ff0000000000000ull;
    } else if (e <= 0) {
        v.u &= 0x8000000000000000ull;
    } else {
        v.u = (v.u & 0x800fffffffffffffull) | ((uint64_t)e << 52);
    }
    return v.d;
}

// A finite non-zero value (-1)^neg * m * 2^s; kind: 0 zero/denormal, 1 finite,
// 2 infinity, 3 NaN.
typedef struct {
    int kind;
    int neg;
    uint64_t m;
    int s;
} unpacked;

static unpacked unpack_f(float x) {
    fbits v = { x };
    unpacked r;
    int e = (int)((v.u >> 23) & 0xff);
    r.neg = (int)(v.u >> 31);
    r.m = (v.u & 0x7fffffu) | 0x800000u;
    r.s = e - 150;
    r.kind = e == 0 ? 0 : e == 0xff ? ((v.u & 0x7fffffu) ? 3 : 2) : 1;
    return r;
}

static unpacked unpack_d(double x) {
    dbits v = { x };
    unpacked r;
    int e = (int)((v.u >> 52) & 0x7ff);
    r.neg = (int)(v.u >> 63);
    r.m = (v.u & 0xfffffffffffffull) | 0x10000000000000ull;
    r.s = e - 1075;
    r.kind = e == 0 ? 0 : e == 0x7ff ? ((v.u & 0xfffffffffffffull) ? 3 : 2) : 1;
    return r;
}

// floor(value * 2^n) saturated to a signed range of `bits` bits (NaN -> 0).
static int64_t to_fix_signed(unpacked p, int n, int bits) {
    int64_t hi = (int64_t)((1ull << (bits - 1)) - 1);
    int64_t lo = -hi - 1;
    if (p.kind == 0 || p.kind == 3) {
        return 0;
    }
    if (p.kind == 2) {
        return p.neg ? lo : hi;
    }
    int s = p.s + n;
    uint64_t mag;
    int lost = 0;
    if (s >= 0) {
        if (s >= 64 || (int)(64 - clz64(p.m)) + s > bits) {
            return p.neg ? lo : hi;
        }
        mag = p.m << s;
    } else if (-s >= 64) {
        mag = 0;
        lost = 1;
    } else {
        mag = p.m >> -s;
        lost = (p.m & ((1ull << -s) - 1)) != 0;
    }
    if (p.neg) {
        mag += (uint64_t)lost;
        if (mag > (uint64_t)hi + 1) {
            return lo;
        }
        return (int64_t)(0 - mag);
    }
    return mag > (uint64_t)hi ? hi : (int64_t)mag;
}

// floor(value * 2^n) saturated to [0, 2^bits - 1] (NaN -> 0).
static uint64_t to_fix_unsigned(unpacked p, int n, int bits) {
    uint64_t hi = bits == 64 ? ~0ull : (1ull << bits) - 1;
    if (p.kind == 0 || p.kind == 3 || p.neg) {
        return 0;
    }
    if (p.kind == 2) {
        return hi;
    }
    int s = p.s + n;
    if (s >= 0) {
        if (s >= 64 || (int)(64 - clz64(p.m)) + s > bits) {
            return hi;
        }
        return p.m << s;
    }
    return -s >= 64 ? 0 : p.m >> -s;
}

// ---- single precision ----------------------------------------------------------

float rom_fadd(float a, float b) { return ftz(ftz(a) + ftz(b)); }
float rom_fsub(float a, float b) { return ftz(ftz(a) - ftz(b)); }
float rom_fmul(float a, float b) { return ftz(ftz(a) * ftz(b)); }
float rom_fdiv(float a, float b) { return ftz(ftz(a) / ftz(b)); }

// -1, 0, 1 (denormals equal zero; unordered compares as greater).
int rom_fcmp(float a, float b) {
    a = ftz(a);
    b = ftz(b);
    if (a < b) {
        return -1;
    }
    return a == b ? 0 : 1;
}

int32_t rom_float2int(float a) { return (int32_t)to_fix_signed(unpack_f(a), 0, 32); }
int32_t rom_float2fix(float a, int n) { return (int32_t)to_fix_signed(unpack_f(a), n, 32); }
uint32_t rom_float2uint(float a) { return (uint32_t)to_fix_unsigned(unpack_f(a), 0, 32); }
uint32_t rom_float2ufix(float a, int n) { return (uint32_t)to_fix_unsigned(unpack_f(a), n, 32); }
int64_t rom_float2int64(float a) { return to_fix_signed(unpack_f(a), 0, 64); }
int64_t rom_float2fix64(float a, int n) { return to_fix_signed(unpack_f(a), n, 64); }
uint64_t rom_float2uint64(float a) { return to_fix_unsigned(unpack_f(a), 0, 64); }
uint64_t rom_float2ufix64(float a, int n) { return to_fix_unsigned(unpack_f(a), n, 64); }

float rom_int2float(int32_t a) { return (float)a; }
float rom_uint2float(uint32_t a) { return (float)a; }
float rom_fix2float(int32_t a, int n) { return fscale((float)a, -n); }
float rom_ufix2float(uint32_t a, int n) { return fscale((float)a, -n); }
float rom_int642float(int64_t a) { return (float)a; }
float rom_uint642float(uint64_t a) { return (float)a; }
float rom_fix642float(int64_t a, int n) { return fscale((float)a, -n); }
float rom_ufix642float(uint64_t a, int n) { return fscale((float)a, -n); }
double rom_float2double(float a) { return (double)ftz(a); }

// ---- double precision ----------------------------------------------------------

double rom_dadd(double a, double b) { return dtz(dtz(a) + dtz(b)); }
double rom_dsub(double a, double b) { return dtz(dtz(a) - dtz(b)); }
double rom_dmul(double a, double b) { return dtz(dtz(a) * dtz(b)); }
double rom_ddiv(double a, double b) { return dtz(dtz(a) / dtz(b)); }

int rom_dcmp(double a, double b) {
    a = dtz(a);
    b = dtz(b);
    if (a < b) {
        return -1;
    }
    return a == b ? 0 : 1;
}

int32_t rom_double2int(double a) { return (int32_t)to_fix_signed(unpack_d(a), 0, 32); }
int32_t rom_double2fix(double a, int n) { return (int32_t)to_fix_signed(unpack_d(a), n, 32); }
uint32_t rom_double2uint(double a) { return (uint32_t)to_fix_unsigned(unpack_d(a), 0, 32); }
uint32_t rom_double2ufix(double a, int n) { return (uint32_t)to_fix_unsigned(unpack_d(a), n, 32); }
int64_t rom_double2int64(double a) { return to_fix_signed(unpack_d(a), 0, 64); }
int64_t rom_double2fix64(double a, int n) { return to_fix_signed(unpack_d(a), n, 64); }
uint64_t rom_double2uint64(double a) { return to_fix_unsigned(unpack_d(a), 0, 64); }
uint64_t rom_double2ufix64(double a, int n) { return to_fix_unsigned(unpack_d(a), n, 64); }

double rom_int2double(int32_t a) { return (double)a; }
double rom_uint2double(uint32_t a) { return (double)a; }
double rom_fix2double(int32_t a, int n) { return dscale((double)a, -n); }
double rom_ufix2double(uint32_t a, int n) { return dscale((double)a, -n); }
double rom_int642double(int64_t a) { return (double)a; }
double rom_uint642double(uint64_t a) { return (double)a; }
double rom_fix642double(int64_t a, int n) { return dscale((double)a, -n); }
double rom_ufix642double(uint64_t a, int n) { return dscale((double)a, -n); }
float rom_double2float(double a) { return ftz((float)dtz(a)); }
