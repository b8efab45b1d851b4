// tflm.Tensor: one input or output of a Model, living in the model's arena.
//
//   t.shape, t.dtype, t.scale, t.zero_point, t.name, t.index, len(t)
//   t[:] = x          numbers are quantised with t's params (round half away
//                     from zero, saturate); buffers of t's own dtype, and
//                     bytes-like objects, copy raw
//   memoryview(t)     live view of the arena bytes (writable for inputs)
//   t.dequantize()    array('f'),   t.argmax()   flat index of the maximum
#include <string.h>

#include "py/runtime.h"
#include "py/binary.h"
#include "py/objarray.h"

#include "modtflm.h"

// ---- element access ------------------------------------------------------------

typedef struct {
    int32_t type;
    uint32_t esize;     // bytes per element
    size_t n;           // elements
    float scale;
    int32_t zero_point;
    uint8_t *data;
} tensor_view_t;

static void tensor_view(const tflm_tensor_obj_t *t, tensor_view_t *v) {
    tflm_tensor_info_t ti;
    tflm_info(&t->model->model, t->index, &ti);
    v->type = ti.type;
    v->esize = tflm_type_size(ti.type);
    v->n = v->esize ? ti.bytes / v->esize : 0;
    v->scale = ti.scale;
    v->zero_point = ti.zero_point;
    v->data = tflm_interp_tensor_data(&t->model->interp, t->index);
}

// Array typecode matching a tensor dtype (0: none).
static char dtype_typecode(int32_t type) {
    switch (type) {
        case TFLM_INT8: return 'b';
        case TFLM_UINT8: return 'B';
        case TFLM_BOOL: return 'B';
        case TFLM_INT16: return 'h';
        case TFLM_UINT16: return 'H';
        case TFLM_INT32: return 'i';
        case TFLM_UINT32: return 'I';
        case TFLM_INT64: return 'q';
        case TFLM_FLOAT32: return 'f';
        default: return 0;
    }
}

static bool is_int_type(int32_t type) {
    return type == TFLM_INT8 || type == TFLM_UINT8 || type == TFLM_BOOL || type == TFLM_INT16
           || type == TFLM_UINT16 || type == TFLM_INT32 || type == TFLM_UINT32 || type == TFLM_INT64;
}

static int64_t get_int(const tensor_view_t *v, size_t i) {
    const uint8_t *p = v->data + i * v->esize;
    switch (v->type) {
        case TFLM_INT8: return *(const int8_t *)p;
        case TFLM_UINT8:
        case TFLM_BOOL: return *p;
        case TFLM_INT16: return *(const int16_t *)p;
        case TFLM_UINT16: return *(const uint16_t *)p;
        case TFLM_INT32: return *(const int32_t *)p;
        case TFLM_UINT32: return *(const uint32_t *)p;
        case TFLM_INT64: return *(const int64_t *)p;
        default: return 0;
    }
}

static void put_int(const tensor_view_t *v, size_t i, int64_t q) {
    int64_t lo, hi;
    switch (v->type) {
        case TFLM_INT8: lo = -128; hi = 127; break;
        case TFLM_UINT8: lo = 0; hi = 255; break;
        case TFLM_BOOL: lo = 0; hi = 1; break;
        case TFLM_INT16: lo = -32768; hi = 32767; break;
        case TFLM_UINT16: lo = 0; hi = 65535; break;
        case TFLM_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
        case TFLM_UINT32: lo = 0; hi = UINT32_MAX; break;
        default: lo = INT64_MIN; hi = INT64_MAX; break;
    }
    q = q < lo ? lo : q > hi ? hi : q;
    uint8_t *p = v->data + i * v->esize;
    switch (v->type) {
        case TFLM_INT8: *(int8_t *)p = (int8_t)q; break;
        case TFLM_UINT8:
        case TFLM_BOOL: *p = (uint8_t)q; break;
        case TFLM_INT16: *(int16_t *)p = (int16_t)q; break;
        case TFLM_UINT16: *(uint16_t *)p = (uint16_t)q; break;
        case TFLM_INT32: *(int32_t *)p = (int32_t)q; break;
        case TFLM_UINT32: *(uint32_t *)p = (uint32_t)q; break;
        default: *(int64_t *)p = q; break;
    }
}

// Round half away from zero, saturating to about +-2^31 (NaN -> 0).
static int64_t round_away(float x) {
    if (x != x) {
        return 0;
    }
    if (x >= 2147483648.0f) {
        return (int64_t)1 << 31;
    }
    if (x <= -2147483648.0f) {
        return -((int64_t)1 << 31) - 1;
    }
    int64_t r = (int64_t)x; // truncates toward zero
    float frac = x - (float)r; // exact for |x| < 2^24; 0 above (x is integral)
    if (frac >= 0.5f) {
        r++;
    } else if (frac <= -0.5f) {
        r--;
    }
    return r;
}

// Store the real value x at element i: quantised for integer tensors that have
// a scale (q = zero_point + round(x / scale), computed in float32 as the
// TFLite quantiser does), rounded and saturated for integer tensors without.
static void put_real(const tensor_view_t *v, size_t i, float x) {
    if (v->type == TFLM_FLOAT32) {
        memcpy(v->data + i * 4, &x, 4);
    } else if (v->scale > 0.0f) {
        put_int(v, i, round_away(x / v->scale) + v->zero_point);
    } else {
        put_int(v, i, round_away(x));
    }
}

static float get_real(const tensor_view_t *v, size_t i) {
    if (v->type == TFLM_FLOAT32) {
        float f;
        memcpy(&f, v->data + i * 4, 4);
        return f;
    }
    int64_t q = get_int(v, i);
    if (v->scale > 0.0f) {
        return (float)(q - v->zero_point) * v->scale;
    }
    return (float)q;
}

// Element i of a typed buffer as a float (0 and false for unknown typecodes).
static bool buf_get_real(char typecode, const void *items, size_t i, float *out) {
    switch (typecode) {
        case 'b': *out = (float)((const int8_t *)items)[i]; return true;
        case 'B': case BYTEARRAY_TYPECODE: *out = (float)((const uint8_t *)items)[i]; return true;
        case 'h': *out = (float)((const int16_t *)items)[i]; return true;
        case 'H': *out = (float)((const uint16_t *)items)[i]; return true;
        case 'i': *out = (float)((const int *)items)[i]; return true;
        case 'I': *out = (float)((const unsigned int *)items)[i]; return true;
        case 'l': *out = (float)((const long *)items)[i]; return true;
        case 'L': *out = (float)((const unsigned long *)items)[i]; return true;
        case 'q': *out = (float)((const long long *)items)[i]; return true;
        case 'Q': *out = (float)((const unsigned long long *)items)[i]; return true;
        case 'f': *out = ((const float *)items)[i]; return true;
        case 'd': *out = (float)((const double *)items)[i]; return true;
        default: return false;
    }
}

static void check_writable(const tflm_tensor_obj_t *t, const tensor_view_t *v) {
    if (!t->is_input) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("output %u is read-only: write to the model's inputs"), (unsigned)t->io);
    }
    if (dtype_typecode(v->type) == 0 || v->data == NULL) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("cannot write a %s tensor from Python; use memoryview(tensor) for its raw bytes"),
            tflm_type_name(v->type));
    }
}

NORETURN static void raise_count(size_t need, size_t got, const char *what) {
    mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("tensor needs %u %s, got %u"), (unsigned)need, what, (unsigned)got);
}

void tflm_tensor_assign(tflm_tensor_obj_t *t, size_t start, size_t stop, mp_obj_t src) {
    tensor_view_t v;
    tensor_view(t, &v);
    check_writable(t, &v);
    if (stop > v.n) {
        stop = v.n;
    }
    if (start > stop) {
        start = stop;
    }
    size_t n = stop - start;
    mp_float_t num;
    mp_buffer_info_t bi;
    if (mp_obj_is_str(src)) {
        mp_raise_TypeError(MP_ERROR_TEXT("cannot fill a tensor from str: use numbers or a buffer (bytes for raw data)"));
    }
    if (mp_get_buffer(src, &bi, MP_BUFFER_READ)) {
        char tc = (char)bi.typecode;
        size_t isize = mp_binary_get_size('@', bi.typecode == BYTEARRAY_TYPECODE ? 'B' : bi.typecode, NULL);
        bool same = tc == dtype_typecode(v.type)
            || (v.type == TFLM_INT32 && tc == 'l' && sizeof(long) == 4)
            || (v.type == TFLM_INT64 && tc == 'l' && sizeof(long) == 8);
        if (same || tc == 'B' || tc == BYTEARRAY_TYPECODE) {
            // Raw copy: the buffer holds the tensor's own bytes.
            if (bi.len != n * v.esize) {
                raise_count(n * v.esize, bi.len, "bytes");
            }
            memmove(v.data + start * v.esize, bi.buf, bi.len);
            return;
        }
        float x;
        size_t count = isize ? bi.len / isize : 0;
        if (!buf_get_real(tc, bi.buf, 0, &x)) {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("unsupported buffer typecode '%c'"), tc);
        }
        if (count != n) {
            raise_count(n, count, "values");
        }
        for (size_t i = 0; i < n; i++) {
            buf_get_real(tc, bi.buf, i, &x);
            put_real(&v, start + i, x);
        }
    } else if (mp_obj_is_type(src, &mp_type_list) || mp_obj_is_type(src, &mp_type_tuple)) {
        size_t count;
        mp_obj_t *items;
        mp_obj_get_array(src, &count, &items);
        if (count != n) {
            raise_count(n, count, "values");
        }
        // Convert all values first so a bad item leaves the tensor unchanged.
        for (size_t i = 0; i < n; i++) {
            if (!mp_obj_get_float_maybe(items[i], &num)) {
                mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("item %u is %s, not a number"),
                    (unsigned)i, mp_obj_get_type_str(items[i]));
            }
        }
        for (size_t i = 0; i < n; i++) {
            mp_obj_get_float_maybe(items[i], &num);
            put_real(&v, start + i, (float)num);
        }
    } else if (mp_obj_get_float_maybe(src, &num)) {
        for (size_t i = 0; i < n; i++) {
            put_real(&v, start + i, (float)num);
        }
    } else {
        mp_raise_msg_varg(&mp_type_TypeError,
            MP_ERROR_TEXT("cannot fill a tensor from %s: use a list/tuple of numbers, a number, or a buffer (bytes, bytearray, array, memoryview, ndarray)"),
            mp_obj_get_type_str(src));
    }
}

mp_obj_t tflm_tensor_dequantize_obj(tflm_tensor_obj_t *t) {
    tensor_view_t v;
    tensor_view(t, &v);
    if (!(is_int_type(v.type) || v.type == TFLM_FLOAT32) || v.data == NULL) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("cannot dequantize a %s tensor"), tflm_type_name(v.type));
    }
    float *out = m_new(float, v.n ? v.n : 1);
    for (size_t i = 0; i < v.n; i++) {
        out[i] = get_real(&v, i);
    }
    mp_obj_array_t *a = mp_obj_malloc(mp_obj_array_t, &mp_type_array);
    a->typecode = 'f';
    a->free = 0;
    a->len = v.n;
    a->items = out;
    return MP_OBJ_FROM_PTR(a);
}

// ---- Tensor type ---------------------------------------------------------------

mp_obj_t tflm_tensor_new(tflm_model_obj_t *model, bool is_input, uint32_t io) {
    tflm_tensor_obj_t *t = mp_obj_malloc(tflm_tensor_obj_t, &tflm_type_tensor);
    t->model = model;
    t->is_input = is_input;
    t->io = io;
    t->index = is_input ? tflm_model_input(&model->model, io) : tflm_model_output(&model->model, io);
    return MP_OBJ_FROM_PTR(t);
}

static void tensor_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    tflm_tensor_obj_t *t = MP_OBJ_TO_PTR(self_in);
    tflm_tensor_info_t ti;
    tflm_info(&t->model->model, t->index, &ti);
    mp_printf(print, "<Tensor %s %u: %s (", t->is_input ? "input" : "output", (unsigned)t->io, tflm_type_name(ti.type));
    for (int32_t d = 0; d < ti.ndim; d++) {
        mp_printf(print, d ? ", %d" : "%d", (int)ti.dims[d]);
    }
    mp_print_str(print, ti.ndim == 1 ? ",)" : ")");
    if (ti.scale != 0.0f) {
        mp_printf(print, " scale=%.4g zero_point=%d", (double)ti.scale, (int)ti.zero_point);
    }
    mp_print_str(print, ">");
}

static mp_obj_t tensor_dequantize(mp_obj_t self_in) {
    return tflm_tensor_dequantize_obj(MP_OBJ_TO_PTR(self_in));
}
static MP_DEFINE_CONST_FUN_OBJ_1(tensor_dequantize_obj, tensor_dequantize);

static mp_obj_t tensor_argmax(mp_obj_t self_in) {
    tensor_view_t v;
    tensor_view(MP_OBJ_TO_PTR(self_in), &v);
    if (v.n == 0 || v.data == NULL || !(is_int_type(v.type) || v.type == TFLM_FLOAT32)) {
        mp_raise_ValueError(MP_ERROR_TEXT("argmax of an empty or non-numeric tensor"));
    }
    size_t best = 0;
    if (v.type == TFLM_FLOAT32) {
        float bv = get_real(&v, 0);
        for (size_t i = 1; i < v.n; i++) {
            float x = get_real(&v, i);
            if (x > bv || (bv != bv && x == x)) {
                bv = x;
                best = i;
            }
        }
    } else {
        // Raw values: dequantisation with a positive scale keeps the order.
        int64_t bv = get_int(&v, 0);
        for (size_t i = 1; i < v.n; i++) {
            int64_t x = get_int(&v, i);
            if (x > bv) {
                bv = x;
                best = i;
            }
        }
    }
    return MP_OBJ_NEW_SMALL_INT(best);
}
static MP_DEFINE_CONST_FUN_OBJ_1(tensor_argmax_obj, tensor_argmax);

static mp_obj_t tensor_subscr(mp_obj_t self_in, mp_obj_t index, mp_obj_t value) {
    tflm_tensor_obj_t *t = MP_OBJ_TO_PTR(self_in);
    tensor_view_t v;
    tensor_view(t, &v);
    if (value == MP_OBJ_NULL) {
        mp_raise_TypeError(MP_ERROR_TEXT("tensor elements cannot be deleted"));
    }
    size_t start, stop;
    if (mp_obj_is_type(index, &mp_type_slice)) {
        mp_bound_slice_t s;
        mp_obj_slice_indices(index, (mp_int_t)v.n, &s);
        if (s.step != 1) {
            mp_raise_NotImplementedError(MP_ERROR_TEXT("tensor slices need step 1"));
        }
        start = (size_t)s.start;
        stop = s.stop > s.start ? (size_t)s.stop : start;
        if (value == MP_OBJ_SENTINEL) {
            mp_raise_TypeError(MP_ERROR_TEXT("read tensors with t.dequantize(), memoryview(t) or t[i]"));
        }
    } else {
        if (!mp_obj_is_int(index)) {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("tensor indices must be int or slice, not %s"), mp_obj_get_type_str(index));
        }
        mp_int_t i = mp_obj_get_int(index);
        if (i < 0) {
            i += (mp_int_t)v.n;
        }
        if (i < 0 || (size_t)i >= v.n) {
            mp_raise_msg_varg(&mp_type_IndexError, MP_ERROR_TEXT("tensor index out of range: the tensor has %u elements"), (unsigned)v.n);
        }
        start = (size_t)i;
        stop = start + 1;
        if (value == MP_OBJ_SENTINEL) {
            // Raw element value.
            if (v.type == TFLM_FLOAT32) {
                return mp_obj_new_float((mp_float_t)get_real(&v, start));
            }
            if (!is_int_type(v.type) || v.data == NULL) {
                mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("cannot read a %s tensor"), tflm_type_name(v.type));
            }
            return mp_obj_new_int_from_ll(get_int(&v, start));
        }
        mp_float_t num;
        if (!mp_obj_get_float_maybe(value, &num)) {
            mp_raise_TypeError(MP_ERROR_TEXT("t[i] = x takes one number; use t[:] = values for many"));
        }
    }
    tflm_tensor_assign(t, start, stop, value);
    return mp_const_none;
}

static mp_int_t tensor_get_buffer(mp_obj_t self_in, mp_buffer_info_t *bufinfo, mp_uint_t flags) {
    tflm_tensor_obj_t *t = MP_OBJ_TO_PTR(self_in);
    tensor_view_t v;
    tensor_view(t, &v);
    if (v.data == NULL || ((flags & MP_BUFFER_WRITE) && !t->is_input)) {
        return 1;
    }
    char tc = dtype_typecode(v.type);
    bufinfo->buf = v.data;
    bufinfo->len = v.n * v.esize;
    bufinfo->typecode = tc ? tc : 'B'; // other dtypes: raw bytes
    return 0;
}

static mp_obj_t tensor_unary_op(mp_unary_op_t op, mp_obj_t self_in) {
    tensor_view_t v;
    tensor_view(MP_OBJ_TO_PTR(self_in), &v);
    if (op == MP_UNARY_OP_LEN) {
        return MP_OBJ_NEW_SMALL_INT(v.n);
    }
    return MP_OBJ_NULL;
}

static void tensor_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        tflm_attr_readonly(attr, dest);
    }
    tflm_tensor_obj_t *t = MP_OBJ_TO_PTR(self_in);
    tflm_tensor_info_t ti;
    tflm_info(&t->model->model, t->index, &ti);
    switch (attr) {
        case MP_QSTR_shape: {
            mp_obj_tuple_t *tup = MP_OBJ_TO_PTR(mp_obj_new_tuple(ti.ndim, NULL));
            for (int32_t d = 0; d < ti.ndim; d++) {
                tup->items[d] = MP_OBJ_NEW_SMALL_INT(ti.dims[d]);
            }
            dest[0] = MP_OBJ_FROM_PTR(tup);
            break;
        }
        case MP_QSTR_dtype: {
            const char *s = tflm_type_name(ti.type);
            dest[0] = mp_obj_new_str_via_qstr(s, strlen(s));
            break;
        }
        case MP_QSTR_scale:
            dest[0] = mp_obj_new_float((mp_float_t)ti.scale);
            break;
        case MP_QSTR_zero_point:
            dest[0] = MP_OBJ_NEW_SMALL_INT(ti.zero_point);
            break;
        case MP_QSTR_index:
            dest[0] = MP_OBJ_NEW_SMALL_INT(t->index);
            break;
        case MP_QSTR_name:
            dest[0] = mp_obj_new_str(ti.name, ti.name_len);
            break;
        case MP_QSTR_nbytes:
            dest[0] = mp_obj_new_int_from_uint(ti.bytes);
            break;
        default:
            dest[1] = MP_OBJ_SENTINEL;
            break;
    }
}

static const mp_rom_map_elem_t tensor_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_dequantize), MP_ROM_PTR(&tensor_dequantize_obj) },
    { MP_ROM_QSTR(MP_QSTR_argmax), MP_ROM_PTR(&tensor_argmax_obj) },
};
static MP_DEFINE_CONST_DICT(tensor_locals_dict, tensor_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    tflm_type_tensor,
    MP_QSTR_Tensor,
    MP_TYPE_FLAG_NONE,
    print, tensor_print,
    attr, tensor_attr,
    subscr, tensor_subscr,
    unary_op, tensor_unary_op,
    buffer, tensor_get_buffer,
    locals_dict, &tensor_locals_dict
    );
