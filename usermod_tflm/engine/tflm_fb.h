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

// Failure kinds (in *bad, and from the *_why functions): an inconsistent
// structure, a misaligned vector, or data past the end of the buffer (the
// file is shorter than its own offsets say: truncated).
enum { TFLM_FB_CORRUPT = 1, TFLM_FB_MISALIGNED = 2, TFLM_FB_PAST_END = 3 };

// Open the table at pos: checks the table's soffset and its vtable.
int tflm_fb_table_open(const uint8_t *buf, uint32_t len, uint32_t pos, tflm_fb_table_t *t);
// Why the table at pos cannot be opened: 0 if it can, else TFLM_FB_*.
int tflm_fb_table_why(const uint8_t *buf, uint32_t len, uint32_t pos);
// Why table element i of the vector of tables at vec cannot be opened (0 if it can).
int tflm_fb_vec_table_why(const uint8_t *buf, uint32_t len, uint32_t vec, uint32_t i);
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
// *bad = TFLM_FB_CORRUPT, TFLM_FB_MISALIGNED or TFLM_FB_PAST_END.
uint32_t tflm_fb_vec(const tflm_fb_table_t *t, int field, uint32_t elem, uint32_t *count, int *bad);
// Table element i of a vector of tables at vec (count already checked).
int tflm_fb_vec_table(const uint8_t *buf, uint32_t len, uint32_t vec, uint32_t i, tflm_fb_table_t *t);

#endif // TFLM_FB_H
