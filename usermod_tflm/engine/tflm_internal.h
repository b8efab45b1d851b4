// tflm engine: structures shared by the model reader and the interpreter.
#ifndef TFLM_INTERNAL_H
#define TFLM_INTERNAL_H

#include "tflm.h"
#include "tflm_kernel.h"
#include "tflm_fb.h"

#define TFLM_MAX_TENSORS (65535)
#define TFLM_MAX_OPS (32767)

// Schema field indices used by the reader.
enum { FB_MODEL_VERSION = 0, FB_MODEL_OPCODES = 1, FB_MODEL_SUBGRAPHS = 2, FB_MODEL_DESCRIPTION = 3, FB_MODEL_BUFFERS = 4 };
enum { FB_SG_TENSORS = 0, FB_SG_INPUTS = 1, FB_SG_OUTPUTS = 2, FB_SG_OPERATORS = 3 };
enum { FB_T_SHAPE = 0, FB_T_TYPE = 1, FB_T_BUFFER = 2, FB_T_NAME = 3, FB_T_QUANT = 4, FB_T_IS_VARIABLE = 5, FB_T_SPARSITY = 6 };
enum { FB_Q_SCALE = 2, FB_Q_ZERO_POINT = 3, FB_Q_DIM = 6 };
enum { FB_OP_OPCODE = 0, FB_OP_INPUTS = 1, FB_OP_OUTPUTS = 2, FB_OP_OPTIONS_TYPE = 3, FB_OP_OPTIONS = 4, FB_OP_CUSTOM = 5 };
enum { FB_OC_DEPRECATED = 0, FB_OC_CUSTOM = 1, FB_OC_VERSION = 2, FB_OC_BUILTIN = 3 };
enum { FB_BUF_DATA = 0, FB_BUF_OFFSET = 1, FB_BUF_SIZE = 2 };

// Where a tensor's bytes live.
enum { TFLM_LOC_NONE = 0, TFLM_LOC_ARENA = 1, TFLM_LOC_MODEL = 2, TFLM_LOC_PERSIST = 3 };
// Flags of a runtime tensor.
enum { TFLM_TF_INPUT = 1, TFLM_TF_OUTPUT = 2, TFLM_TF_VARIABLE = 4, TFLM_TF_USED = 8, TFLM_TF_PLACED = 16 };

// Per-tensor runtime record (in the arena; pointer-free: 32 bytes everywhere).
typedef struct tflm_rt_tensor {
    uint32_t data;       // offset: arena (ARENA/PERSIST) or model (MODEL)
    uint32_t bytes;
    uint32_t shape;      // model offset of the int32 dims, 0 for a scalar
    float scale;
    int32_t zero_point;
    int16_t first, last; // planner: first and last op using it
    uint16_t root;       // tensor whose memory this one shares (itself if none)
    uint16_t n_scales;
    uint8_t type, ndim, loc, flags;
} tflm_rt_tensor_t;

// Per-op runtime record (in the arena; pointer-free: 44 bytes everywhere).
typedef struct tflm_rt_node {
    uint32_t in, out;    // model offsets of the int32 tensor-index lists
    uint32_t data;       // arena offset of persistent op data (0 = none)
    uint32_t data_bytes;
    uint32_t scratch;    // arena offset of scratch
    uint32_t scratch_bytes;
    uint32_t ticks;      // clock ticks of this op in the last invoke
    uint32_t derived;    // fast plan: arena offset of derived data (0 = none)
    uint32_t derived_bytes; // derived data (tflm_derived): persistent (fast
                         // plan) or at the start of the scratch (lean plan)
    int32_t ov_delta;    // tflm_allow_overlap: output 0 may start at input 0's
                         // offset + ov_delta or lower (TFLM_NO_OVERLAP: never)
    uint8_t reg;         // registry index (the registry has < 256 entries)
    uint8_t cores;       // cores this op ran on in the last invoke (1 or 2)
    uint8_t n_in, n_out;
} tflm_rt_node_t;

#define TFLM_RT_TENSOR_BYTES 32u
#define TFLM_RT_NODE_BYTES 44u
#define TFLM_NO_OVERLAP INT32_MAX

// Compile-time size checks (C99: a negative array size fails the build).
typedef char tflm_rt_tensor_size_check[sizeof(tflm_rt_tensor_t) == TFLM_RT_TENSOR_BYTES ? 1 : -1];
typedef char tflm_rt_node_size_check[sizeof(tflm_rt_node_t) == TFLM_RT_NODE_BYTES ? 1 : -1];

extern const tflm_op_reg_t tflm_registry[];
extern const uint32_t tflm_registry_len;

// Tensor table i of the model (already validated by tflm_model_load).
int tflm_model_tensor_table(const tflm_model_t *m, int32_t i, tflm_fb_table_t *t);
int tflm_model_op_table(const tflm_model_t *m, uint32_t i, tflm_fb_table_t *t);
// Builtin code, version and custom name of op i's opcode.
void tflm_model_opcode(const tflm_model_t *m, const tflm_fb_table_t *op, int32_t *builtin, int32_t *version, const char **custom, uint32_t *custom_len);
// Registry index for an opcode, -1 if unsupported.
int32_t tflm_registry_find(int32_t builtin, const char *custom, uint32_t custom_len);
// Constant data of tensor table t: position and length in the model, 0 if none.
uint32_t tflm_model_tensor_data(const tflm_model_t *m, const tflm_fb_table_t *t, uint32_t *len);
// Offset of a constant tensor's bytes (data in the file, not a variable), else 0.
uint32_t tflm_model_tensor_const(const tflm_model_t *m, const tflm_fb_table_t *t);
// Quantisation of tensor table t.
void tflm_model_tensor_quant(const tflm_model_t *m, const tflm_fb_table_t *t, float *scale, int32_t *zp, uint32_t *n_scales, int32_t *qdim, const uint8_t **scales);

#endif // TFLM_INTERNAL_H
