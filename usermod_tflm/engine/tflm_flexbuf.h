// tflm engine: a small, bounds-checked FlexBuffers reader for custom op
// options (CUSTOM ops store their options as a FlexBuffers map).
//
// Format facts used (public FlexBuffers spec):
// - the buffer ends with [root value][root packed type][root byte width];
// - a packed type byte is (type << 2) | log2(child byte width);
// - offset-typed values (maps, vectors, keys, indirect scalars) hold an
//   unsigned distance back from their own position to their data;
// - a map's data is preceded by [keys vector offset][keys byte width][size]
//   (each one element wide) and followed by one packed type byte per value;
//   its keys vector is a sorted vector of offsets to NUL-terminated keys.
// Every read is checked against the buffer; a corrupt buffer never reads
// out of bounds, it only makes the lookup fail.
#ifndef TFLM_FLEXBUF_H
#define TFLM_FLEXBUF_H

#include <stdint.h>

// FlexBuffers value types (the ones this reader understands).
enum {
    TFLM_FLEX_NULL = 0,
    TFLM_FLEX_INT = 1,
    TFLM_FLEX_UINT = 2,
    TFLM_FLEX_FLOAT = 3,
    TFLM_FLEX_KEY = 4,
    TFLM_FLEX_STRING = 5,
    TFLM_FLEX_INDIRECT_INT = 6,
    TFLM_FLEX_INDIRECT_UINT = 7,
    TFLM_FLEX_INDIRECT_FLOAT = 8,
    TFLM_FLEX_MAP = 9,
    TFLM_FLEX_VECTOR = 10,
    TFLM_FLEX_BOOL = 26,
};

// A reference to one value: where its slot is and how to read it.
typedef struct {
    const uint8_t *buf;
    uint32_t len;
    uint32_t pos;            // offset of the value's slot in buf
    uint8_t width;           // byte width of the slot (1, 2, 4 or 8)
    uint8_t type;            // FlexBuffers type (packed >> 2)
    uint8_t child_width;     // byte width of pointed-to data (offset types)
} tflm_flex_ref_t;

// The root value of a buffer. Returns 1, or 0 if the buffer is malformed.
int tflm_flex_root(const uint8_t *buf, uint32_t len, tflm_flex_ref_t *out);

// Number of entries of a map (returns 0 and sets *n on success, -1 if r is
// not a well-formed map).
int tflm_flex_map_size(const tflm_flex_ref_t *map, uint32_t *n);

// Value i of a map (values are in sorted key order). 1 ok, 0 otherwise.
int tflm_flex_map_at(const tflm_flex_ref_t *map, uint32_t i, tflm_flex_ref_t *out);

// Value under key. 1 found, 0 absent, -1 malformed map.
int tflm_flex_map_find(const tflm_flex_ref_t *map, const char *key, tflm_flex_ref_t *out);

// A scalar value as int64 (ints, uints, bools, floats truncated toward
// zero, indirect scalars, null as 0). 1 ok, 0 if not a readable scalar.
int tflm_flex_as_i64(const tflm_flex_ref_t *r, int64_t *v);

// Convenience over a whole custom-options buffer: the int32 under key.
// Returns 1 found (value in *v), 0 absent (*v = def), -1 malformed buffer,
// not a map, not a scalar, or out of int32 range.
int tflm_flex_opt_i32(const uint8_t *buf, uint32_t len, const char *key, int32_t def, int32_t *v);

#endif // TFLM_FLEXBUF_H
