// The op registry: one const table built from the ops_*.def lists.
// Each .def line is TFLM_OP(NAME, builtin_code, fn, flags) for a kernel pair
// tflm_<fn>_prepare / tflm_<fn>_eval, or TFLM_CUSTOM(NAME, "custom_code", fn, flags).
// TFLM_CUSTOM_RESET(NAME, "custom_code", fn, flags) also has tflm_<fn>_reset,
// run by tflm_interp_reset (ops that keep state in op data).
#include "../tflm_kernel.h"

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

#define TFLM_OP(NAME, CODE, FN, FLAGS) { CODE, NULL, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS, NULL },
#define TFLM_CUSTOM(NAME, CUSTOM, FN, FLAGS) { 32, CUSTOM, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS, NULL },
#define TFLM_CUSTOM_RESET(NAME, CUSTOM, FN, FLAGS) \
    { 32, CUSTOM, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS, tflm_##FN##_reset },
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

uint32_t tflm_registry_count(void) {
    return tflm_registry_len;
}

const char *tflm_registry_name(uint32_t i) {
    return i < tflm_registry_len ? tflm_registry[i].name : NULL;
}
