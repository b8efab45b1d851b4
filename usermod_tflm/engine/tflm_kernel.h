// tflm engine: the interface between the interpreter and op kernels.
//
// Every op has prepare(node) and eval(node) over a tflm_node_t.
//
// prepare runs twice: once while measuring (node->measuring != 0: non-constant
// tensor data pointers are NULL and tflm_persist() returns NULL) and once for
// real. It validates types, shapes and options, computes every
// requantisation constant into persistent op data, and asks for scratch.
// The idiom:
//     my_data_t *d = tflm_persist(node, sizeof(*d));
//     if (d == NULL) return tflm_measure_done(node);  // OK while measuring
//     ... fill d ...
// Persistent op data must be pointer-free (int/float fields only, no size_t,
// no pointers) so the arena size is the same on 32- and 64-bit builds.
//
// eval only computes: it reads node->op_data, node->in[i].data and writes
// node->out[i].data. It must not fail for shape reasons (prepare checked).
//
// Ops flagged TFLM_OPF_INPLACE may get out[0].data == in[0].data (when the
// sizes match and input 0 dies at this op): elementwise loops must read
// element i before writing element i. TFLM_OPF_ALIAS ops (reshape and
// friends) always get out[0].data == in[0].data when the planner can do it;
// they copy only when the pointers differ.
#ifndef TFLM_KERNEL_H
#define TFLM_KERNEL_H

#include <stdint.h>
#include <string.h>
#include "tflm.h"

#define TFLM_MAX_OP_IN (24)   // UNIDIRECTIONAL_SEQUENCE_LSTM has 24 inputs
#define TFLM_MAX_OP_OUT (16)
#define TFLM_MAX_OP_IO (TFLM_MAX_OP_IN) // the larger of the two

// A view of one tensor as a kernel sees it.
typedef struct {
    void *data;              // NULL: absent optional input, or measuring a non-const tensor
    int32_t index;           // model tensor index, -1 for an absent optional input
    int32_t type;            // tflm_type_t
    int32_t ndim;
    int32_t dims[TFLM_MAX_DIMS];
    uint32_t elems;          // product of dims (1 for a scalar)
    uint32_t bytes;
    float scale;             // first (or only) scale, 0 if not quantised
    int32_t zero_point;      // first zero point
    uint32_t n_scales;       // number of scales (per-channel when > 1)
    int32_t quant_dim;       // quantized_dimension
    const uint8_t *scales;   // raw little-endian float32[n_scales] in the model, or NULL
    uint8_t is_const;        // data lives in the model
    uint8_t is_variable;
} tflm_tensor_t;

// A flatbuffer table inside the (already size-validated) model.
typedef struct {
    const uint8_t *buf;
    uint32_t len;
    uint32_t pos;            // 0: absent table (every field reads as its default)
} tflm_fb_table_t;

typedef struct tflm_node {
    tflm_interp_t *ip;
    int32_t op_index;
    int32_t builtin;
    int32_t version;
    int32_t n_in, n_out;
    tflm_tensor_t *in;
    tflm_tensor_t *out;
    int32_t options_type;    // builtin_options_type (schema BuiltinOptions union tag)
    tflm_fb_table_t options; // builtin_options table
    const uint8_t *custom;   // custom_options bytes, or NULL
    uint32_t custom_len;
    void *op_data;           // persistent data (set at eval, and after tflm_persist)
    void *scratch;           // scratch of the size requested (eval only), or NULL
    uint32_t persist_bytes;  // bookkeeping (interpreter)
    uint32_t scratch_bytes;  // bookkeeping (interpreter)
    uint8_t measuring;
} tflm_node_t;

typedef tflm_status_t (*tflm_kernel_fn)(tflm_node_t *node);

// Registry flags.
#define TFLM_OPF_INPLACE (1u << 0)  // out[0] may share in[0]'s memory (same bytes)
#define TFLM_OPF_ALIAS   (1u << 1)  // out[0] is in[0] reinterpreted (reshape family)

typedef struct {
    int32_t builtin;         // BuiltinOperator code; 32 (CUSTOM) uses custom_name
    const char *custom_name;
    const char *name;
    tflm_kernel_fn prepare;
    tflm_kernel_fn eval;
    uint32_t flags;
    tflm_kernel_fn reset;    // optional (NULL): return state kept in op data to
                             // its initial value; run by tflm_interp_reset
} tflm_op_reg_t;

// Persistent bytes for this node (8-aligned, zeroed); NULL while measuring.
void *tflm_persist(tflm_node_t *node, uint32_t bytes);
// Scratch bytes valid during this node's eval only (one request per node;
// a second call replaces the first). Returns TFLM_OK.
tflm_status_t tflm_request_scratch(tflm_node_t *node, uint32_t bytes);
// Derived data: values the kernel computes from the model alone (per-channel
// multipliers, folded biases), so they can be computed again at any time.
// Call with the same size in prepare and eval; *fill says whether the kernel
// must compute them into the returned buffer now. Fast plan: a persistent
// block filled once in prepare. Lean plan (TFLM_PLAN_LEAN): the start of the
// op's scratch, filled at every eval (NULL in prepare). NULL while measuring.
void *tflm_derived(tflm_node_t *node, uint32_t bytes, int *fill);
// A streaming op lets its output 0 overlap its input 0 (the planner may use
// it when input 0 is read by no later op). The op promises: it works in
// `steps` steps in order; step s writes only output bytes
// [s * out_step, (s + 1) * out_step) and reads only input bytes at offsets
// >= s * in_step - in_back. Call in prepare (measuring pass) with sizes from
// the checked shapes. Convolutions: a step is one output row.
void tflm_allow_overlap(tflm_node_t *node, uint32_t steps, uint32_t in_step, uint32_t out_step, uint32_t in_back);
// The interpreter plans lean (kernels may pick smaller working sets).
int tflm_plan_lean(const tflm_node_t *node);
// The plan has room for two cores (TFLM_PLAN_DUAL): reserve per-core scratch twice.
int tflm_plan_dual(const tflm_node_t *node);
// A worker core is there for this eval (plan dual and ip->worker set).
int tflm_par_ready(const tflm_node_t *node);
// Runs fn(a1) on the worker while fn(a0) runs here, and returns when both
// are done (a barrier). Without a worker: fn(a0), then fn(a1). The two calls
// must write disjoint bytes and read nothing the other writes.
void tflm_par_run(tflm_node_t *node, void (*fn)(void *arg), void *a0, void *a1);
// An op that could have split ran on one core (the output overlaps its input
// in a way parts cannot share): counted for profile().
void tflm_par_single(tflm_node_t *node);
// What a prepare returns after tflm_persist() gave NULL.
tflm_status_t tflm_measure_done(tflm_node_t *node);
// Record a failure with a static detail string and return st.
tflm_status_t tflm_fail(tflm_node_t *node, tflm_status_t st, const char *detail);
// -DTFLM_TERSE: no detail strings in the image (errors keep their status, op
// and tensor; about a fifth of the code bytes).
#ifdef TFLM_TERSE
#define TFLM_MSG(s) ((const char *)0)
#define tflm_fail(node, st, detail) (tflm_fail)((node), (st), TFLM_MSG(detail))
#else
#define TFLM_MSG(s) (s)
#endif
#define TFLM_CHECK(node, cond, st, detail) \
    do { if (!(cond)) { return tflm_fail((node), (st), TFLM_MSG(detail)); } } while (0)

// Options access (field = schema field index, 0-based; vtable slot 4+2*field).
// Absent table or field gives def. Every read is bounds-checked.
int32_t tflm_opt_i32(const tflm_node_t *node, int field, int32_t def);
float tflm_opt_f32(const tflm_node_t *node, int field, float def);
uint8_t tflm_opt_u8(const tflm_node_t *node, int field, uint8_t def); // bool/byte/enum:byte
int8_t tflm_opt_i8(const tflm_node_t *node, int field, int8_t def);
// An int32 vector field: copies up to max values into out, returns the count
// in the file (-1 if absent or corrupt).
int32_t tflm_opt_vec_i32(const tflm_node_t *node, int field, int32_t *out, int32_t max);

// Per-channel scale i of a tensor (i < n_scales), read safely from the model.
float tflm_tensor_scale(const tflm_tensor_t *t, uint32_t i);
// Element count between dims [from, to).
uint32_t tflm_dims_prod(const tflm_tensor_t *t, int32_t from, int32_t to);
// Two tensors have identical shapes.
int tflm_same_shape(const tflm_tensor_t *a, const tflm_tensor_t *b);
// Read a constant int32/int64 parameter tensor (shape, axis, paddings...):
// copies up to max values as int32, returns the count, -1 if t is not a
// constant int32/int64 tensor.
int32_t tflm_const_i32(const tflm_tensor_t *t, int32_t *out, int32_t max);

// Fused activation (schema ActivationFunctionType).
enum { TFLM_ACT_NONE = 0, TFLM_ACT_RELU = 1, TFLM_ACT_RELU_N1_TO_1 = 2, TFLM_ACT_RELU6 = 3, TFLM_ACT_TANH = 4, TFLM_ACT_SIGN_BIT = 5 };
// Padding (schema Padding).
enum { TFLM_PAD_SAME = 0, TFLM_PAD_VALID = 1 };

#endif // TFLM_KERNEL_H
