// tflm: MicroPython module over the tflm engine.
//
//   m = tflm.Model(path_or_buffer, arena_size=None, *, lean=False, cores=None)
//   m.input(0)[:] = x; m.invoke(); y = m.output(0).dequantize()
//
// The engine never allocates and never raises: this file asks it for sizes,
// allocates the arena from the GC heap, keeps every buffer referenced from
// the Model object, and turns engine errors into Python exceptions
// (tflm_raise_error is the only place that does).
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/builtin.h"
#include "py/mperrno.h"
#include "py/objstr.h"

#include "modtflm.h"
#include "tflm_port.h"

// ---- errors ------------------------------------------------------------------

static const mp_obj_type_t *status_exc_type(tflm_status_t st) {
    switch (st) {
        case TFLM_ERR_ARENA_TOO_SMALL:
            return &mp_type_MemoryError;
        case TFLM_ERR_INDEX:
            return &mp_type_IndexError;
        case TFLM_ERR_NOT_READY:
        case TFLM_ERR_EVAL:
        case TFLM_ERR_ARENA_ALIGN:
            return &mp_type_RuntimeError;
        default:
            return &mp_type_ValueError;
    }
}

// What the user can do about a status (appended to the engine's message).
static const char *status_hint(tflm_status_t st) {
    switch (st) {
        case TFLM_ERR_MODEL_TRUNCATED:
        case TFLM_ERR_MODEL_IDENT:
        case TFLM_ERR_MODEL_CORRUPT:
        case TFLM_ERR_MODEL_VERSION:
        case TFLM_ERR_MODEL_ALIGN:
            return "; pass a complete, unmodified .tflite file";
        case TFLM_ERR_MODEL_LIMIT:
        case TFLM_ERR_SUBGRAPHS:
        case TFLM_ERR_UNSUPPORTED_TYPE:
        case TFLM_ERR_BAD_SHAPE:
        case TFLM_ERR_BAD_QUANT:
        case TFLM_ERR_BAD_PARAM:
        case TFLM_ERR_DYNAMIC:
            return "; convert the model with full-int8 quantisation and a fixed batch of 1";
        case TFLM_ERR_ARENA_TOO_SMALL:
            return "; pass a larger arena_size or leave it out";
        default:
            return "";
    }
}

void tflm_raise_error(const tflm_error_t *err, const char *what) {
    char msg[192];
    tflm_error_format(err, msg, sizeof(msg));
    mp_raise_msg_varg(status_exc_type(err->status), MP_ERROR_TEXT("%s%s%s"), what, msg, status_hint(err->status));
}

// ---- memory ------------------------------------------------------------------

// A GC block of at least n bytes whose start is TFLM_ALIGN-aligned, or NULL.
// GC blocks are aligned to at least 16 bytes on every port, so the fallback
// (over-allocate and offset) is for exotic configurations only.
static uint8_t *alloc_aligned(size_t n, uint8_t **block) {
    uint8_t *p = m_malloc_maybe(n ? n : 1);
    if (p != NULL && ((uintptr_t)p & (TFLM_ALIGN - 1)) != 0) {
        m_del(uint8_t, p, n ? n : 1);
        p = m_malloc_maybe(n + TFLM_ALIGN);
        *block = p;
        return p ? (uint8_t *)(((uintptr_t)p + TFLM_ALIGN - 1) & ~(uintptr_t)(TFLM_ALIGN - 1)) : NULL;
    }
    *block = p;
    return p;
}

static void free_aligned(uint8_t *block, size_t n, uint8_t *aligned) {
    if (block != NULL) {
        m_del(uint8_t, block, block == aligned ? (n ? n : 1) : n + TFLM_ALIGN);
    }
}

NORETURN static void raise_no_memory(const char *what, size_t n) {
    mp_raise_msg_varg(&mp_type_MemoryError,
        MP_ERROR_TEXT("cannot allocate %u bytes for the %s; free memory (del objects, gc.collect()) or use a smaller model"),
        (unsigned)n, what);
}

// ---- loading -----------------------------------------------------------------

// Open path for reading; an OSError keeps its errno and gains the path.
static mp_obj_t open_model_file(mp_obj_t path) {
    mp_obj_t args[2] = { path, MP_OBJ_NEW_QSTR(MP_QSTR_rb) };
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t f = mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_builtin_open_obj), 2, 0, args);
        nlr_pop();
        return f;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_OSError))) {
        nlr_jump(nlr.ret_val);
    }
    vstr_t vstr;
    vstr_init(&vstr, 80);
    vstr_printf(&vstr, "cannot open model file '%s': check the path (os.listdir() shows the files)", mp_obj_str_get_str(path));
    mp_obj_t eargs[2] = { mp_obj_exception_get_value(exc), mp_obj_new_str_from_vstr(&vstr) };
    nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, eargs));
}

// Load a model file: memory-mapped in place when the filesystem offers the
// file as a buffer (ROMFS), otherwise read once into a GC buffer.
static void load_path(tflm_model_obj_t *o, mp_obj_t path, const uint8_t **buf, size_t *len) {
    mp_obj_t f = open_model_file(path);
    mp_buffer_info_t bi;
    if (mp_get_buffer(f, &bi, MP_BUFFER_READ) && ((uintptr_t)bi.buf & (TFLM_ALIGN - 1)) == 0) {
        o->owner = f;
        *buf = bi.buf;
        *len = bi.len;
        return;
    }
    int errcode = 0;
    mp_off_t size = mp_stream_seek(f, 0, MP_SEEK_END, &errcode);
    if (errcode == 0) {
        mp_stream_seek(f, 0, MP_SEEK_SET, &errcode);
    }
    if (errcode != 0 || size < 0) {
        mp_stream_close(f);
        mp_raise_OSError(errcode ? errcode : MP_EIO);
    }
    uint8_t *block;
    uint8_t *data = alloc_aligned((size_t)size, &block);
    if (data == NULL) {
        mp_stream_close(f);
        raise_no_memory("model file", (size_t)size);
    }
    mp_uint_t got = mp_stream_read_exactly(f, data, (mp_uint_t)size, &errcode);
    mp_stream_close(f);
    if (errcode != 0 || got != (mp_uint_t)size) {
        free_aligned(block, (size_t)size, data);
        mp_raise_OSError(errcode ? errcode : MP_EIO);
    }
    o->copy = block;
    o->owner = mp_obj_new_bytearray_by_ref((size_t)size, data);
    *buf = data;
    *len = (size_t)size;
}

// ---- Model -------------------------------------------------------------------

// Cores a Model uses unless told otherwise: both where the port has a second
// core for the engine (rp2), else one.
#if TFLM_HAVE_PORT_CORES
#define TFLM_CORES_MAX 2
#else
#define TFLM_CORES_MAX 1
#endif

static mp_obj_t model_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_model, ARG_arena_size, ARG_lean, ARG_cores };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_model, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_arena_size, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_lean, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
        { MP_QSTR_cores, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    // cores=2 splits the heavy ops with the chip's second core (the plan
    // keeps their small per-core scratch twice); None: as many as the port has.
    mp_int_t cores = TFLM_CORES_MAX;
    if (args[ARG_cores].u_obj != mp_const_none) {
        if (!mp_obj_is_small_int(args[ARG_cores].u_obj)) {
            mp_raise_TypeError(MP_ERROR_TEXT("cores must be 1, 2 or None"));
        }
        cores = MP_OBJ_SMALL_INT_VALUE(args[ARG_cores].u_obj);
        if (cores < 1 || cores > TFLM_CORES_MAX) {
            mp_raise_msg_varg(&mp_type_ValueError,
                MP_ERROR_TEXT("cores=%d: this firmware runs models on at most %d core(s); pass cores=1 or leave it out"),
                (int)cores, TFLM_CORES_MAX);
        }
    }

    mp_int_t arena_req = -1;
    mp_obj_t a = args[ARG_arena_size].u_obj;
    if (a != mp_const_none) {
        if (!mp_obj_is_int(a)) {
            mp_raise_TypeError(MP_ERROR_TEXT("arena_size must be an int (bytes) or None"));
        }
        // Compared as Python ints: a big int is no error on any word size.
        if (mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS, a, MP_OBJ_NEW_SMALL_INT(0)))
            || mp_obj_is_true(mp_binary_op(MP_BINARY_OP_MORE, a, mp_obj_new_int_from_uint(0x7fffffffu)))) {
            mp_raise_ValueError(MP_ERROR_TEXT("arena_size must be between 0 and 2147483647 bytes"));
        }
        arena_req = mp_obj_get_int(a);
    }

    tflm_model_obj_t *o = mp_obj_malloc(tflm_model_obj_t, type);
    o->owner = mp_const_none;
    o->copy = NULL;
    o->arena = NULL;
    o->arena_size = 0;
    o->inputs = MP_OBJ_NULL;
    o->outputs = MP_OBJ_NULL;
    memset(&o->model, 0, sizeof(o->model));
    memset(&o->interp, 0, sizeof(o->interp));

    const uint8_t *buf;
    size_t len;
    mp_obj_t src = args[ARG_model].u_obj;
    mp_buffer_info_t bi;
    if (mp_obj_is_str(src)) {
        load_path(o, src, &buf, &len);
    } else if (mp_get_buffer(src, &bi, MP_BUFFER_READ)) {
        o->owner = src;
        buf = bi.buf;
        len = bi.len;
        if (((uintptr_t)buf & (TFLM_ALIGN - 1)) != 0) {
            // The engine reads the flatbuffer with aligned loads: a buffer at an
            // odd address (a slice, a memoryview offset) is copied once.
            uint8_t *block;
            uint8_t *data = alloc_aligned(len, &block);
            if (data == NULL) {
                raise_no_memory("aligned copy of the model", len);
            }
            memcpy(data, buf, len);
            o->copy = block;
            o->owner = mp_obj_new_bytearray_by_ref(len, data);
            buf = data;
        }
    } else {
        mp_raise_TypeError(MP_ERROR_TEXT("model must be a file path (str) or a buffer (bytes, bytearray, memoryview, array)"));
    }
    if (len > 0x7fffffffu) {
        mp_raise_ValueError(MP_ERROR_TEXT("model larger than 2 GB"));
    }

    tflm_error_t err;
    if (tflm_model_load(&o->model, buf, (uint32_t)len, &err) != TFLM_OK) {
        tflm_raise_error(&err, "");
    }

    // Size first: the engine measures the arena in a temporary work buffer.
    uint32_t ws = tflm_interp_work_size(&o->model);
    uint8_t *work_block;
    uint8_t *work = alloc_aligned(ws, &work_block);
    if (work == NULL) {
        raise_no_memory("model tables", ws);
    }
    uint32_t needed = 0;
    // lean=True: per-channel factors are recomputed at each invoke in the
    // op's scratch instead of being kept, and constant tensors have no record
    // (read from the model at each use): smaller arena, a little slower.
    const uint32_t plan = (args[ARG_lean].u_bool ? TFLM_PLAN_LEAN : 0u) | (cores == 2 ? TFLM_PLAN_DUAL : 0u);
    tflm_status_t st = tflm_interp_measure_ex(&o->model, plan, work, ws, &needed, &err);
    free_aligned(work_block, ws, work);
    if (st != TFLM_OK) {
        tflm_raise_error(&err, "");
    }
    uint32_t size = needed;
    if (arena_req >= 0) {
        if ((uint32_t)arena_req < needed) {
            mp_raise_msg_varg(&mp_type_MemoryError,
                MP_ERROR_TEXT("arena too small: the model needs %u bytes, arena_size is %u; pass arena_size=%u or more, or leave it out"),
                (unsigned)needed, (unsigned)arena_req, (unsigned)needed);
        }
        size = (uint32_t)arena_req;
    }

    uint8_t *arena = alloc_aligned(size, &o->arena);
    if (arena == NULL) {
        raise_no_memory("arena", size);
    }
    o->arena_size = size;
    st = tflm_interp_init_ex(&o->interp, &o->model, plan, arena, size);
    if (st != TFLM_OK) {
        free_aligned(o->arena, size, arena);
        o->arena = NULL;
        tflm_raise_error(&o->interp.err, "");
    }
    #if TFLM_HAVE_PORT_CLOCK
    tflm_port_clock_start();
    o->interp.clock = tflm_port_clock;
    #endif
    return MP_OBJ_FROM_PTR(o);
}

static void print_dims(const mp_print_t *print, const tflm_tensor_info_t *ti) {
    mp_print_str(print, "(");
    for (int32_t d = 0; d < ti->ndim; d++) {
        mp_printf(print, d ? ", %d" : "%d", (int)ti->dims[d]);
    }
    mp_print_str(print, ti->ndim == 1 ? ",)" : ")");
}

static void print_io(const mp_print_t *print, const tflm_model_t *m, const char *kind, uint32_t k, int32_t idx) {
    tflm_tensor_info_t ti;
    tflm_info(m, idx, &ti);
    mp_printf(print, "\n  %s %u: %s ", kind, (unsigned)k, tflm_type_name(ti.type));
    print_dims(print, &ti);
    if (ti.scale != 0.0f) {
        mp_printf(print, " scale=%.4g zero_point=%d", (double)ti.scale, (int)ti.zero_point);
    }
}

static void model_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    tflm_model_obj_t *o = MP_OBJ_TO_PTR(self_in);
    const tflm_model_t *m = &o->model;
    mp_printf(print, "<Model: %u ops, arena %u bytes%s%s, model %u bytes %s",
        (unsigned)m->n_ops, (unsigned)tflm_interp_arena_used(&o->interp), o->interp.lean ? " (lean)" : "",
        o->interp.dual ? ", 2 cores" : "",
        (unsigned)m->len, o->copy ? "(copied)" : "(in place)");
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        print_io(print, m, "input", k, tflm_model_input(m, k));
    }
    for (uint32_t k = 0; k < m->n_outputs; k++) {
        print_io(print, m, "output", k, tflm_model_output(m, k));
    }
    // Ops by name, counted, in order of first use.
    mp_print_str(print, "\n  ops:");
    for (uint32_t i = 0; i < m->n_ops; i++) {
        tflm_op_info_t oi, oj;
        tflm_model_op_info(m, i, &oi);
        bool seen = false;
        uint32_t count = 0;
        for (uint32_t j = 0; j < m->n_ops; j++) {
            tflm_model_op_info(m, j, &oj);
            if (oj.name_len == oi.name_len && memcmp(oj.name, oi.name, oi.name_len) == 0) {
                if (j < i) {
                    seen = true;
                    break;
                }
                count++;
            }
        }
        if (!seen) {
            mp_printf(print, " %.*s x%u", (int)oi.name_len, oi.name, (unsigned)count);
        }
    }
    mp_print_str(print, ">");
}

static mp_obj_t io_tuple(tflm_model_obj_t *o, bool is_input) {
    mp_obj_t *slot = is_input ? &o->inputs : &o->outputs;
    if (*slot == MP_OBJ_NULL) {
        uint32_t n = is_input ? o->model.n_inputs : o->model.n_outputs;
        mp_obj_tuple_t *t = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, NULL));
        for (uint32_t k = 0; k < n; k++) {
            t->items[k] = tflm_tensor_new(o, is_input, k);
        }
        *slot = MP_OBJ_FROM_PTR(t);
    }
    return *slot;
}

static mp_obj_t io_get(mp_obj_t self_in, mp_obj_t index_in, bool is_input) {
    tflm_model_obj_t *o = MP_OBJ_TO_PTR(self_in);
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(io_tuple(o, is_input));
    mp_int_t i = mp_obj_get_int(index_in);
    if (i < 0 || (size_t)i >= t->len) {
        mp_raise_msg_varg(&mp_type_IndexError, MP_ERROR_TEXT("%s index %d out of range: the model has %u %s(s)"),
            is_input ? "input" : "output", (int)i, (unsigned)t->len, is_input ? "input" : "output");
    }
    return t->items[i];
}

static mp_obj_t model_input(mp_obj_t self_in, mp_obj_t index_in) {
    return io_get(self_in, index_in, true);
}
static MP_DEFINE_CONST_FUN_OBJ_2(model_input_obj, model_input);

static mp_obj_t model_output(mp_obj_t self_in, mp_obj_t index_in) {
    return io_get(self_in, index_in, false);
}
static MP_DEFINE_CONST_FUN_OBJ_2(model_output_obj, model_output);

static void model_run(tflm_model_obj_t *o) {
    #if TFLM_HAVE_PORT_CORES
    // The second core for this invoke only (NULL while a _thread holds it).
    o->interp.worker = o->interp.dual ? tflm_port_worker_begin() : NULL;
    tflm_status_t st = tflm_interp_invoke(&o->interp);
    if (o->interp.worker != NULL) {
        tflm_port_worker_end();
        o->interp.worker = NULL;
    }
    #else
    tflm_status_t st = tflm_interp_invoke(&o->interp);
    #endif
    if (st != TFLM_OK) {
        if (o->interp.err.status == TFLM_OK) {
            o->interp.err.status = st;
        }
        tflm_raise_error(&o->interp.err, "invoke: ");
    }
}

static mp_obj_t model_invoke(mp_obj_t self_in) {
    model_run(MP_OBJ_TO_PTR(self_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(model_invoke_obj, model_invoke);

static mp_obj_t model_reset(mp_obj_t self_in) {
    tflm_model_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (tflm_interp_reset(&o->interp) != TFLM_OK) {
        tflm_raise_error(&o->interp.err, "reset: ");
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(model_reset_obj, model_reset);

// predict(x): quantise x into the input(s), invoke, return the dequantised
// output as array('f') (a tuple of them for several outputs).
static mp_obj_t model_predict(mp_obj_t self_in, mp_obj_t x) {
    tflm_model_obj_t *o = MP_OBJ_TO_PTR(self_in);
    mp_obj_tuple_t *ins = MP_OBJ_TO_PTR(io_tuple(o, true));
    if (ins->len == 1) {
        tflm_tensor_assign(MP_OBJ_TO_PTR(ins->items[0]), 0, SIZE_MAX, x);
    } else {
        size_t n;
        mp_obj_t *items;
        if (!mp_obj_is_type(x, &mp_type_tuple) && !mp_obj_is_type(x, &mp_type_list)) {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("the model has %u inputs: pass a tuple or list with one item per input"),
                (unsigned)ins->len);
        }
        mp_obj_get_array(x, &n, &items);
        if (n != ins->len) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("the model has %u inputs, got %u items"),
                (unsigned)ins->len, (unsigned)n);
        }
        for (size_t k = 0; k < n; k++) {
            tflm_tensor_assign(MP_OBJ_TO_PTR(ins->items[k]), 0, SIZE_MAX, items[k]);
        }
    }
    model_run(o);
    mp_obj_tuple_t *outs = MP_OBJ_TO_PTR(io_tuple(o, false));
    if (outs->len == 1) {
        return tflm_tensor_dequantize_obj(MP_OBJ_TO_PTR(outs->items[0]));
    }
    mp_obj_tuple_t *res = MP_OBJ_TO_PTR(mp_obj_new_tuple(outs->len, NULL));
    for (size_t k = 0; k < outs->len; k++) {
        res->items[k] = tflm_tensor_dequantize_obj(MP_OBJ_TO_PTR(outs->items[k]));
    }
    return MP_OBJ_FROM_PTR(res);
}
static MP_DEFINE_CONST_FUN_OBJ_2(model_predict_obj, model_predict);

static mp_obj_t op_name_obj(const tflm_model_t *m, uint32_t i) {
    tflm_op_info_t oi;
    tflm_model_op_info(m, i, &oi);
    return mp_obj_new_str(oi.name, oi.name_len);
}

// profile(): [(op name, ticks, cores), ...] of the last invoke; ticks are
// in units of 1 / tflm.ticks_hz() seconds (0 when the port has no clock);
// cores is 2 for an op split with the second core, else 1 (also when the
// model has cores=2 but a _thread held the second core).
static mp_obj_t model_profile(mp_obj_t self_in) {
    tflm_model_obj_t *o = MP_OBJ_TO_PTR(self_in);
    const tflm_model_t *m = &o->model;
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (uint32_t i = 0; i < m->n_ops; i++) {
        mp_obj_t item[3] = { op_name_obj(m, i), mp_obj_new_int_from_uint(tflm_interp_op_ticks(&o->interp, i)),
            MP_OBJ_NEW_SMALL_INT(tflm_interp_op_cores(&o->interp, i)) };
        mp_obj_list_append(list, mp_obj_new_tuple(3, item));
    }
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_1(model_profile_obj, model_profile);

// Store/delete of an attribute of a Model or Tensor: all are read-only.
NORETURN void tflm_attr_readonly(qstr attr, mp_obj_t *dest) {
    (void)dest;
    mp_raise_msg_varg(&mp_type_AttributeError, MP_ERROR_TEXT("can't set attribute '%q'"), attr);
}

static void model_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        tflm_attr_readonly(attr, dest);
    }
    tflm_model_obj_t *o = MP_OBJ_TO_PTR(self_in);
    switch (attr) {
        case MP_QSTR_inputs:
            dest[0] = io_tuple(o, true);
            break;
        case MP_QSTR_outputs:
            dest[0] = io_tuple(o, false);
            break;
        case MP_QSTR_arena_used:
            dest[0] = mp_obj_new_int_from_uint(tflm_interp_arena_used(&o->interp));
            break;
        case MP_QSTR_arena_size:
            dest[0] = mp_obj_new_int_from_uint(o->arena_size);
            break;
        case MP_QSTR_cores:
            dest[0] = MP_OBJ_NEW_SMALL_INT(o->interp.dual ? 2 : 1);
            break;
        case MP_QSTR_ops: {
            mp_obj_tuple_t *t = MP_OBJ_TO_PTR(mp_obj_new_tuple(o->model.n_ops, NULL));
            for (uint32_t i = 0; i < o->model.n_ops; i++) {
                t->items[i] = op_name_obj(&o->model, i);
            }
            dest[0] = MP_OBJ_FROM_PTR(t);
            break;
        }
        default:
            dest[1] = MP_OBJ_SENTINEL; // continue in locals_dict
            break;
    }
}

static const mp_rom_map_elem_t model_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_input), MP_ROM_PTR(&model_input_obj) },
    { MP_ROM_QSTR(MP_QSTR_output), MP_ROM_PTR(&model_output_obj) },
    { MP_ROM_QSTR(MP_QSTR_invoke), MP_ROM_PTR(&model_invoke_obj) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&model_reset_obj) },
    { MP_ROM_QSTR(MP_QSTR_predict), MP_ROM_PTR(&model_predict_obj) },
    { MP_ROM_QSTR(MP_QSTR_profile), MP_ROM_PTR(&model_profile_obj) },
};
static MP_DEFINE_CONST_DICT(model_locals_dict, model_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    tflm_type_model,
    MP_QSTR_Model,
    MP_TYPE_FLAG_NONE,
    make_new, model_make_new,
    print, model_print,
    attr, model_attr,
    locals_dict, &model_locals_dict
    );

// ---- module ------------------------------------------------------------------

static mp_obj_t tflm_ops(void) {
    uint32_t n = tflm_registry_count();
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, NULL));
    for (uint32_t i = 0; i < n; i++) {
        t->items[i] = mp_obj_new_str_via_qstr(tflm_registry_name(i), strlen(tflm_registry_name(i)));
    }
    return MP_OBJ_FROM_PTR(t);
}
static MP_DEFINE_CONST_FUN_OBJ_0(tflm_ops_obj, tflm_ops);

#if TFLM_HAVE_PORT_CLOCK
static mp_obj_t tflm_ticks_hz(void) {
    return mp_obj_new_int_from_uint(tflm_port_clock_hz);
}
#else
static mp_obj_t tflm_ticks_hz(void) {
    return MP_OBJ_NEW_SMALL_INT(0);
}
#endif
static MP_DEFINE_CONST_FUN_OBJ_0(tflm_ticks_hz_obj, tflm_ticks_hz);

static const mp_rom_map_elem_t tflm_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tflm) },
    { MP_ROM_QSTR(MP_QSTR_Model), MP_ROM_PTR(&tflm_type_model) },
    { MP_ROM_QSTR(MP_QSTR_Tensor), MP_ROM_PTR(&tflm_type_tensor) },
    { MP_ROM_QSTR(MP_QSTR_ops), MP_ROM_PTR(&tflm_ops_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_hz), MP_ROM_PTR(&tflm_ticks_hz_obj) },
    // Cores a Model uses by default (the most this firmware can use).
    { MP_ROM_QSTR(MP_QSTR_CORES), MP_ROM_INT(TFLM_CORES_MAX) },
};
static MP_DEFINE_CONST_DICT(tflm_module_globals, tflm_module_globals_table);

const mp_obj_module_t tflm_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&tflm_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_tflm, tflm_user_cmodule);
