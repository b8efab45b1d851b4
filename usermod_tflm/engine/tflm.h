// tflm engine: public interface.
//
// C99, no malloc, no MicroPython headers. The engine never raises: every
// function returns a tflm_status_t, and details travel in tflm_error_t.
//
// Use:
//   tflm_model_t m;      tflm_model_load(&m, buf, len);          // validates the file
//   uint32_t need;       tflm_interp_measure(&m, work, tflm_interp_work_size(&m), &need, &err);
//   uint8_t arena[need]; tflm_interp_init(&ip, &m, arena, need); // plan + prepare
//   memcpy(tflm_interp_tensor_data(&ip, in), ...); tflm_interp_invoke(&ip);
//
// The arena holds only pointer-free structures (offsets, not pointers), so the
// byte count measured on a 64-bit host is the count a 32-bit board needs.
#ifndef TFLM_H
#define TFLM_H

#include <stdint.h>
#include <stddef.h>

#define TFLM_MAX_DIMS (6)
// Arena buffers are aligned to this many bytes (the arena base too).
#define TFLM_ALIGN (8)

// TFLite TensorType values (schema facts).
typedef enum {
    TFLM_FLOAT32 = 0,
    TFLM_FLOAT16 = 1,
    TFLM_INT32 = 2,
    TFLM_UINT8 = 3,
    TFLM_INT64 = 4,
    TFLM_STRING = 5,
    TFLM_BOOL = 6,
    TFLM_INT16 = 7,
    TFLM_INT8 = 9,
    TFLM_UINT64 = 12,
    TFLM_UINT32 = 15,
    TFLM_UINT16 = 16,
} tflm_type_t;

typedef enum {
    TFLM_OK = 0,
    TFLM_ERR_MODEL_TRUNCATED,   // file shorter than its own offsets say
    TFLM_ERR_MODEL_IDENT,       // not a TFLite flatbuffer ("TFL3")
    TFLM_ERR_MODEL_CORRUPT,     // an offset, length, index or vtable is out of range
    TFLM_ERR_MODEL_VERSION,     // schema version other than 3
    TFLM_ERR_MODEL_ALIGN,       // buffer or a vector inside it is misaligned
    TFLM_ERR_MODEL_LIMIT,       // more tensors/ops/dims than the engine handles
    TFLM_ERR_SUBGRAPHS,         // not exactly one executable subgraph
    TFLM_ERR_UNSUPPORTED_OP,    // op not in the registry (name, version, index in err)
    TFLM_ERR_UNSUPPORTED_TYPE,  // op supports the op but not this dtype combination
    TFLM_ERR_BAD_SHAPE,         // shapes of an op's tensors do not agree
    TFLM_ERR_BAD_QUANT,         // missing or invalid quantisation parameters
    TFLM_ERR_BAD_PARAM,         // invalid op option or parameter tensor
    TFLM_ERR_DYNAMIC,           // needs a tensor computed at run time to be constant
    TFLM_ERR_ARENA_TOO_SMALL,   // err.needed says how many bytes
    TFLM_ERR_ARENA_ALIGN,       // arena pointer not TFLM_ALIGN-aligned
    TFLM_ERR_NOT_READY,         // invoke before a successful init
    TFLM_ERR_INDEX,             // tensor/input/output index out of range
    TFLM_ERR_EVAL,              // an op failed while running
    TFLM_STATUS_COUNT
} tflm_status_t;

// Details of the last failure. op_index/tensor are -1 when not applicable.
typedef struct {
    tflm_status_t status;
    int32_t op_index;
    int32_t builtin;       // builtin code of the op, -1 if none
    int32_t version;       // op version from the model
    int32_t tensor;        // tensor index concerned
    uint32_t needed;       // bytes needed (arena too small)
    const char *op_name;   // static string, or NULL
    const char *detail;    // static string from the check that failed, or NULL
    char custom[32];       // custom op name (unsupported CUSTOM ops), NUL-terminated
} tflm_error_t;

// Short text for a status (static).
const char *tflm_status_str(tflm_status_t st);
// One-line message for an error into buf (always NUL-terminated); returns buf.
char *tflm_error_format(const tflm_error_t *err, char *buf, size_t len);

// A loaded model: a validated view over the caller's flatbuffer (not copied,
// must stay alive and unchanged while the model is in use).
typedef struct {
    const uint8_t *buf;
    uint32_t len;
    uint32_t tensors;     // offset of the first tensor-table reference
    uint32_t ops;         // offset of the first operator reference
    uint32_t opcodes;
    uint32_t buffers;
    uint32_t inputs;      // offset of the first int32 input index
    uint32_t outputs;
    uint32_t n_tensors, n_ops, n_opcodes, n_buffers, n_inputs, n_outputs;
    uint32_t n_const;     // constant tensors (data in the file, not variables)
    uint32_t max_io;      // most inputs + outputs of one op
    uint32_t description; // offset of the description string or 0
} tflm_model_t;

// Validate a .tflite flatbuffer in place. buf must be 8-byte aligned.
tflm_status_t tflm_model_load(tflm_model_t *m, const void *buf, uint32_t len, tflm_error_t *err);

struct tflm_rt_tensor;
struct tflm_rt_node;

// Per-op timing hook: called after each op with its index; returns nothing.
typedef uint32_t (*tflm_clock_fn)(void);

typedef struct {
    const tflm_model_t *model;
    uint8_t *arena;
    uint32_t arena_size;
    uint32_t head;              // bytes of the planned (temporary) region at the start
    uint32_t tail;              // bytes of the persistent region at the end
    struct tflm_rt_tensor *t;   // in the arena: records of the non-constant tensors
    uint16_t *tmap;             // in the arena: tensor index -> record (0xFFFF: constant)
    struct tflm_rt_node *n;     // in the arena
    tflm_clock_fn clock;        // optional cycle/us counter for profile
    tflm_error_t err;
    uint32_t cursor;            // internal: lowest persistent offset handed out
    uint8_t ready;
    uint8_t measuring;          // internal
    uint8_t lean;               // planned with TFLM_PLAN_LEAN
    uint8_t dual;               // planned with TFLM_PLAN_DUAL
    const struct tflm_worker *worker; // a second core for this invoke, or NULL (see below)
    uint32_t par_runs;          // parts run on the worker during the last invoke
    uint32_t par_single;        // splittable ops the last invoke ran on one core
} tflm_interp_t;

// A second core that takes a share of the heavy ops (conv, depthwise, fully
// connected). start(ctx, fn, arg) begins fn(arg) on the worker and returns 0,
// or returns -1 when it cannot (the caller then runs fn itself); wait(ctx)
// returns once that fn has returned. Set ip->worker before an invoke (NULL:
// one core); the plan must have TFLM_PLAN_DUAL for ops to split (it reserves
// a second copy of their small per-core scratch). Ops split their output
// into two parts that touch disjoint output bytes, so the bytes out are
// those of one core whatever the timing.
typedef struct tflm_worker {
    int (*start)(void *ctx, void (*fn)(void *arg), void *arg);
    void (*wait)(void *ctx);
    void *ctx;
} tflm_worker_t;

// Plan flags (tflm_interp_measure_ex / tflm_interp_init_ex).
// TFLM_PLAN_LEAN: values kernels derive from the model (per-channel
// requantisation factors, folded biases) are computed again at every invoke
// inside the op's scratch instead of being kept for the life of the
// interpreter: a smaller arena for a few percent more time per invoke.
#define TFLM_PLAN_LEAN (1u << 0)
// TFLM_PLAN_DUAL: room for two cores (each splittable op gets its per-core
// scratch twice: a few hundred bytes to a few KB).
#define TFLM_PLAN_DUAL (1u << 1)

// Working bytes tflm_interp_measure needs (the interpreter's per-tensor and
// per-op tables; always <= the arena size it will report).
uint32_t tflm_interp_work_size(const tflm_model_t *m);
// Arena bytes the model needs (exact; identical for 32- and 64-bit builds).
// work: TFLM_ALIGN-aligned scratch of at least tflm_interp_work_size bytes,
// only used during the call.
tflm_status_t tflm_interp_measure(const tflm_model_t *m, void *work, uint32_t work_len, uint32_t *needed, tflm_error_t *err);
// Plan and prepare into the caller's arena (TFLM_ALIGN-aligned).
tflm_status_t tflm_interp_init(tflm_interp_t *ip, const tflm_model_t *m, void *arena, uint32_t arena_size);
// The same with plan flags (TFLM_PLAN_*); measure and init must use the same flags.
tflm_status_t tflm_interp_measure_ex(const tflm_model_t *m, uint32_t flags, void *work, uint32_t work_len, uint32_t *needed, tflm_error_t *err);
tflm_status_t tflm_interp_init_ex(tflm_interp_t *ip, const tflm_model_t *m, uint32_t flags, void *arena, uint32_t arena_size);
// Run all ops. Inputs must have been written.
tflm_status_t tflm_interp_invoke(tflm_interp_t *ip);
// Run ops [from, to) only (debugging: inspect tensors between ops).
tflm_status_t tflm_interp_invoke_range(tflm_interp_t *ip, uint32_t from, uint32_t to);
// Reset variable tensors to their initial state.
tflm_status_t tflm_interp_reset(tflm_interp_t *ip);
// Bytes of the arena in use (head + tail).
uint32_t tflm_interp_arena_used(const tflm_interp_t *ip);

// Tensor inspection (model-level index). Returns NULL for an invalid index.
typedef struct {
    int32_t index;
    int32_t type;
    int32_t ndim;
    int32_t dims[TFLM_MAX_DIMS];
    uint32_t bytes;
    float scale;
    int32_t zero_point;
    uint32_t n_scales;      // >1 for per-channel quantisation
    const char *name;       // points into the model (not NUL-terminated safe: use name_len)
    uint32_t name_len;
} tflm_tensor_info_t;

tflm_status_t tflm_model_tensor_info(const tflm_model_t *m, int32_t index, tflm_tensor_info_t *info);
int32_t tflm_model_input(const tflm_model_t *m, uint32_t i);   // -1 if out of range
int32_t tflm_model_output(const tflm_model_t *m, uint32_t i);
// Live data pointer of a tensor after init (arena or model); NULL if none.
void *tflm_interp_tensor_data(const tflm_interp_t *ip, int32_t index);

// Ops of the model: builtin code, version and name; custom ops give their custom name.
typedef struct {
    int32_t builtin;
    int32_t version;
    const char *name;       // static name, or pointer into the model for custom ops
    uint32_t name_len;
    uint8_t supported;
} tflm_op_info_t;
tflm_status_t tflm_model_op_info(const tflm_model_t *m, uint32_t op, tflm_op_info_t *info);
// Tensor indices of op i: up to max inputs and outputs (-1 = absent optional input).
tflm_status_t tflm_model_op_io(const tflm_model_t *m, uint32_t op, int32_t *ins, uint32_t *n_in, int32_t *outs, uint32_t *n_out, uint32_t max);
// Cycles (or clock ticks) of op i in the last invoke.
uint32_t tflm_interp_op_ticks(const tflm_interp_t *ip, uint32_t op);
// Cores op ran on in the last invoke: 2 when it was split with the worker, else 1.
uint32_t tflm_interp_op_cores(const tflm_interp_t *ip, uint32_t op);

// Supported op registry.
uint32_t tflm_registry_count(void);
const char *tflm_registry_name(uint32_t i);
// Name of any builtin code (for messages), "UNKNOWN" if out of range.
const char *tflm_builtin_name(int32_t code);
// Bytes per element of a type, 0 if unsupported.
uint32_t tflm_type_size(int32_t type);
const char *tflm_type_name(int32_t type);

#endif // TFLM_H
