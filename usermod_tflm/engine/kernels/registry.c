// The op registry: one const table built from the ops_*.def lists.
// Each .def line is TFLM_OP(NAME, builtin_code, fn, flags) for a kernel pair
// tflm_<fn>_prepare / tflm_<fn>_eval, or TFLM_CUSTOM(NAME, "custom_code", fn, flags).
#include "../tflm_kernel.h"

#define TFLM_OP(NAME, CODE, FN, FLAGS) \
    tflm_status_t tflm_##FN##_prepare(tflm_node_t *node); \
    tflm_status_t tflm_##FN##_eval(tflm_node_t *node);
#define TFLM_CUSTOM(NAME, CUSTOM, FN, FLAGS) TFLM_OP(NAME, 32, FN, FLAGS)
#include "ops_nn.def"
#include "ops_elem.def"
#include "ops_shape.def"
#include "ops_seq.def"
#undef TFLM_OP
#undef TFLM_CUSTOM

#define TFLM_OP(NAME, CODE, FN, FLAGS) { CODE, NULL, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS },
#define TFLM_CUSTOM(NAME, CUSTOM, FN, FLAGS) { 32, CUSTOM, #NAME, tflm_##FN##_prepare, tflm_##FN##_eval, FLAGS },
const tflm_op_reg_t tflm_registry[] = {
#include "ops_nn.def"
#include "ops_elem.def"
#include "ops_shape.def"
#include "ops_seq.def"
    { -1, NULL, NULL, NULL, NULL, 0 },
};
#undef TFLM_OP
#undef TFLM_CUSTOM

const uint32_t tflm_registry_len = sizeof(tflm_registry) / sizeof(tflm_registry[0]) - 1;

uint32_t tflm_registry_count(void) {
    return tflm_registry_len;
}

const char *tflm_registry_name(uint32_t i) {
    return i < tflm_registry_len ? tflm_registry[i].name : NULL;
}
