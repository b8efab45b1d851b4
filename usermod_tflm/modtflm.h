// tflm MicroPython binding: declarations shared by the module, Model and
// Tensor files. Only the binding includes MicroPython headers; the engine
// (engine/) never does.
#ifndef MICROPY_INCLUDED_MODTFLM_H
#define MICROPY_INCLUDED_MODTFLM_H

#include "py/obj.h"
#include "engine/tflm.h"

// A loaded model with its arena. Allocated from the GC heap; everything it
// points to (model bytes owner, arena) is referenced from here so the GC
// keeps it alive exactly as long as the Model object.
typedef struct _tflm_model_obj_t {
    mp_obj_base_t base;
    mp_obj_t owner;         // object that owns the model bytes (buffer, file, or our copy)
    uint8_t *copy;          // our own copy of the model bytes, or NULL (used in place)
    uint8_t *arena;         // GC block holding the arena (aligned start below)
    uint32_t arena_size;    // bytes of the arena handed to the engine
    mp_obj_t inputs;        // tuple of Tensor, built lazily
    mp_obj_t outputs;
    tflm_model_t model;
    tflm_interp_t interp;
} tflm_model_obj_t;

// A view of one model input or output tensor. The data lives in the arena.
typedef struct _tflm_tensor_obj_t {
    mp_obj_base_t base;
    tflm_model_obj_t *model;
    int32_t index;          // tensor index in the model
    uint8_t is_input;
    uint32_t io;            // position among the inputs or outputs
} tflm_tensor_obj_t;

// Tensor info with ndim clamped to TFLM_MAX_DIMS (the model reader already
// rejects more; this keeps every dims[] read in bounds regardless).
static inline void tflm_info(const tflm_model_t *m, int32_t index, tflm_tensor_info_t *ti) {
    tflm_model_tensor_info(m, index, ti);
    if (ti->ndim > TFLM_MAX_DIMS) {
        ti->ndim = TFLM_MAX_DIMS;
    }
}

extern const mp_obj_type_t tflm_type_model;
extern const mp_obj_type_t tflm_type_tensor;

// Raise the Python exception for an engine error. `what` prefixes the message.
NORETURN void tflm_raise_error(const tflm_error_t *err, const char *what);

NORETURN void tflm_attr_readonly(qstr attr, mp_obj_t *dest);

mp_obj_t tflm_tensor_new(tflm_model_obj_t *model, bool is_input, uint32_t io);
// Fill tensor t from any accepted source (buffer, list, tuple, number).
void tflm_tensor_assign(tflm_tensor_obj_t *t, size_t start, size_t stop, mp_obj_t src);
// Dequantised copy of the tensor as array('f').
mp_obj_t tflm_tensor_dequantize_obj(tflm_tensor_obj_t *t);

#endif // MICROPY_INCLUDED_MODTFLM_H
