// File helpers shared by the host-side C tools (tools/tflm_run.c,
// tools/emu/m4bench/m4emu.c). Host code, not engine code: stdio and malloc.
// The including file defines, before including this header:
//     static void die(const char *what, const char *detail);   // does not return
#ifndef TFLM_HOST_IO_H
#define TFLM_HOST_IO_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void *aligned_alloc16(size_t n) {
    void *p = NULL;
    return posix_memalign(&p, 16, n ? n : 16) == 0 ? p : NULL;
}

// The whole file in a 16-byte aligned buffer (as a board's heap would give),
// 16 bytes of slack after the data; free() it.
static uint8_t *read_file(const char *path, uint32_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        die("cannot open", path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > 0x7fffffffL) {
        die("cannot size", path);
    }
    uint8_t *buf = aligned_alloc16(((size_t)n + 16) & ~(size_t)15);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        die("cannot read", path);
    }
    fclose(f);
    *len = (uint32_t)n;
    return buf;
}

static void write_file(const char *path, const void *data, uint32_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        die("cannot write", path);
    }
    fclose(f);
}

#endif // TFLM_HOST_IO_H
