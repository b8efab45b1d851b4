// The op registry: one const table built from the ops_*.def lists.
// Each .def line is TFLM_OP(NAME, builtin_code, fn, flags) for a kernel pair
// tflm_<fn>_prepare / tflm_<fn>_eval, or TFLM_CUSTOM(NAME, "custom_code", fn, flags).
// TFLM_CUSTOM_RESET(NAME, "custom_code", fn, flags) also has tflm_<fn>_reset,
// run by tflm_interp_reset (ops that keep state in op data).
#include "../tflm_kernel.h"

// Op subsets (smaller firmware): build with -DTFLM_OPS_HEADER='"file.h"', a
// header that defines TFLM_OPS_SUBSET and TFLM_WANT_<NAME> as 1 for each op
// to keep (e.g. #define TFLM_WANT_CONV_2D 1). Ops left out are not in the
// table, so the linker drops their kernels; models using them fail to load
// with TFLM_ERR_UNSUPPORTED_OP, and tflm.ops() lists what is in.
#ifdef TFLM_OPS_HEADER
#include TFLM_OPS_HEADER
#endif

// TFLM_ON(M) is 1 when macro M is defined as 1, else 0 (M = 1 turns the
// marker into "x," so that the 1 becomes the second argument).
#define TFLM_ON_MARK_1 x,
#define TFLM_SECOND(a, b, ...) b
#define TFLM_ON_PICK(marked) TFLM_SECOND(marked 1, 0, 0)
#define TFLM_ON_CAT(v) TFLM_ON_PICK(TFLM_ON_MARK_##v)
#define TFLM_ON(m) TFLM_ON_CAT(m)
// TFLM_KEEP(NAME)(tokens) keeps the tokens when the op is in the build.
#define TFLM_IF_0(...)
#define TFLM_IF_1(...) __VA_ARGS__
#define TFLM_IF_CAT(c) TFLM_IF_##c
#define TFLM_IF(c) TFLM_IF_CAT(c)
#ifdef TFLM_OPS_SUBSET
#define TFLM_KEEP(NAME) TFLM_IF(TFLM_ON(TFLM_WANT_##NAME))
#else
#define TFLM_KEEP(NAME) TFLM_IF_1
#endif

#define TFLM_OP(NAME, CODE, FN, FLAGS) \
    tflm_status_t tflm_##FN##_prepare(tflm_node_t *node); \
    tflm_status_t tflm_##FN##_eval(tflm_node_t *node);
#define TFLM_CUSTOM(NAME, CUSTOM, FN, FLAGS) TFLM_OP(NAME, 32, FN, FLAGS)
#define TFLM_CUSTOM_RESET(NAME, CUSTOM, FN, FLAGS) TFLM_OP(NAME, 32, FN, FLAGS) \
    tflm_status_t tflm_##FN##_reset(tflm_node_t *node);
#include "ops_nn.def"
#include "ops_elem.def"
#include "ops_shape.def"
#include "ops_seq.def"
#include "ops_signal.def"
#include "ops_lstm.def"
#undef TFLM_OP
#undef TFLM_CUSTOM
#undef TFLM_CUSTOM_RESET

#define TFLM_OP(NAME, CODE, FN, FLAGS) \
    TFLM_KEEP(NAME)({ CODE, NULL, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS, NULL },)
#define TFLM_CUSTOM(NAME, CUSTOM, FN, FLAGS) \
    TFLM_KEEP(NAME)({ 32, CUSTOM, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS, NULL },)
#define TFLM_CUSTOM_RESET(NAME, CUSTOM, FN, FLAGS) \
    TFLM_KEEP(NAME)({ 32, CUSTOM, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS, tflm_##FN##_reset },)
const tflm_op_reg_t tflm_registry[] = {
#include "ops_nn.def"
#include "ops_elem.def"
#include "ops_shape.def"
#include "ops_seq.def"
#include "ops_signal.def"
#include "ops_lstm.def"
    { -1, NULL, NULL, NULL, NULL, 0, NULL },
};
#undef TFLM_OP
#undef TFLM_CUSTOM
#undef TFLM_CUSTOM_RESET

const uint32_t tflm_registry_len = sizeof(tflm_registry) / sizeof(tflm_registry[0]) - 1;
// The interpreter keeps registry indices in a byte (tflm_rt_node_t.reg).
typedef char tflm_registry_size_check[sizeof(tflm_registry) / sizeof(tflm_registry[0]) <= 256 ? 1 : -1];

uint32_t tflm_registry_count(void) {
    return tflm_registry_len;
}

const char *tflm_registry_name(uint32_t i) {
    return i < tflm_registry_len ? tflm_registry[i].name : NULL;
}
