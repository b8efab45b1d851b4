// tflm engine: checked flatbuffer access (internal).
//
// Every read is bounds-checked against the buffer length; a failed check
// returns 0 / the default and sets *bad where the caller asks for it.
// Offsets are uint32 from the start of the buffer. Little-endian only.
#ifndef TFLM_FB_H
#define TFLM_FB_H

#include <stdint.h>
#include <string.h>
#include "tflm.h"
#include "tflm_kernel.h"

static inline uint32_t tflm_rd_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint16_t tflm_rd_u16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

// Open the table at pos: checks the table's soffset and its vtable.
int tflm_fb_table_open(const uint8_t *buf, uint32_t len, uint32_t pos, tflm_fb_table_t *t);
// Position of a field's data (with room for size bytes), 0 if absent. Sets *bad on a corrupt vtable.
uint32_t tflm_fb_field(const tflm_fb_table_t *t, int field, uint32_t size, int *bad);
uint32_t tflm_fb_u32(const tflm_fb_table_t *t, int field, uint32_t def, int *bad);
int32_t tflm_fb_i32(const tflm_fb_table_t *t, int field, int32_t def, int *bad);
uint8_t tflm_fb_u8(const tflm_fb_table_t *t, int field, uint8_t def, int *bad);
uint64_t tflm_fb_u64(const tflm_fb_table_t *t, int field, uint64_t def, int *bad);
float tflm_fb_f32(const tflm_fb_table_t *t, int field, float def, int *bad);
// Referenced object (table, vector, string) of a field: its absolute position, 0 if absent.
uint32_t tflm_fb_ref(const tflm_fb_table_t *t, int field, int *bad);
// Vector field: position of element 0 and count; elements must fit the buffer
// and (for elem sizes 2/4/8) be aligned in memory. Returns 0 if absent.
// *bad = 1 corrupt, 2 misaligned.
uint32_t tflm_fb_vec(const tflm_fb_table_t *t, int field, uint32_t elem, uint32_t *count, int *bad);
// Table element i of a vector of tables at vec (count already checked).
int tflm_fb_vec_table(const uint8_t *buf, uint32_t len, uint32_t vec, uint32_t i, tflm_fb_table_t *t);

#endif // TFLM_FB_H
