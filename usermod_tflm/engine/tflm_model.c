// tflm engine: model reader. Validates a .tflite flatbuffer in place once, so
// that the interpreter can trust every offset it later reads.
#include <math.h>
#include "tflm_internal.h"
#include "tflm_opnames.h"

static tflm_status_t (fail)(tflm_error_t *err, tflm_status_t st, int32_t op, int32_t tensor, const char *detail) {
    if (err) {
        memset(err, 0, sizeof(*err));
        err->status = st;
        err->op_index = op;
        err->tensor = tensor;
        err->builtin = -1;
        err->detail = detail;
    }
    return st;
}
#define fail(err, st, op, tensor, detail) (fail)((err), (st), (op), (tensor), TFLM_MSG(detail))

// Status for a flatbuffer failure kind (TFLM_FB_*).
static tflm_status_t fb_status(int why) {
    if (why == TFLM_FB_MISALIGNED) {
        return TFLM_ERR_MODEL_ALIGN;
    }
    return why == TFLM_FB_PAST_END ? TFLM_ERR_MODEL_TRUNCATED : TFLM_ERR_MODEL_CORRUPT;
}

uint32_t tflm_type_size(int32_t type) {
    switch (type) {
        case TFLM_FLOAT32:
        case TFLM_INT32:
        case TFLM_UINT32:
            return 4;
        case TFLM_INT16:
        case TFLM_UINT16:
        case TFLM_FLOAT16:
            return 2;
        case TFLM_INT8:
        case TFLM_UINT8:
        case TFLM_BOOL:
            return 1;
        case TFLM_INT64:
        case TFLM_UINT64:
            return 8;
        default:
            return 0;
    }
}

const char *tflm_type_name(int32_t type) {
    switch (type) {
        case TFLM_FLOAT32: return "float32";
        case TFLM_FLOAT16: return "float16";
        case TFLM_INT32: return "int32";
        case TFLM_UINT32: return "uint32";
        case TFLM_INT16: return "int16";
        case TFLM_UINT16: return "uint16";
        case TFLM_INT8: return "int8";
        case TFLM_UINT8: return "uint8";
        case TFLM_BOOL: return "bool";
        case TFLM_INT64: return "int64";
        case TFLM_UINT64: return "uint64";
        case TFLM_STRING: return "string";
        default: return "unknown";
    }
}

const char *tflm_builtin_name(int32_t code) {
    if (code < 0 || code >= TFLM_BUILTIN_COUNT) {
        return "UNKNOWN";
    }
    return tflm_builtin_names[code];
}

int tflm_model_tensor_table(const tflm_model_t *m, int32_t i, tflm_fb_table_t *t) {
    if (i < 0 || (uint32_t)i >= m->n_tensors) {
        t->pos = 0;
        return 0;
    }
    return tflm_fb_vec_table(m->buf, m->len, m->tensors, (uint32_t)i, t);
}

int tflm_model_op_table(const tflm_model_t *m, uint32_t i, tflm_fb_table_t *t) {
    if (i >= m->n_ops) {
        t->pos = 0;
        return 0;
    }
    return tflm_fb_vec_table(m->buf, m->len, m->ops, i, t);
}

void tflm_model_opcode(const tflm_model_t *m, const tflm_fb_table_t *op, int32_t *builtin, int32_t *version, const char **custom, uint32_t *custom_len) {
    tflm_fb_table_t oc;
    uint32_t idx = tflm_fb_u32(op, FB_OP_OPCODE, 0, NULL);
    *builtin = -1;
    *version = 1;
    *custom = NULL;
    *custom_len = 0;
    if (idx >= m->n_opcodes || !tflm_fb_vec_table(m->buf, m->len, m->opcodes, idx, &oc)) {
        return;
    }
    // The builtin code is the larger of the deprecated int8 field and the int32 field.
    int32_t dep = (int8_t)tflm_fb_u8(&oc, FB_OC_DEPRECATED, 0, NULL);
    int32_t code = tflm_fb_i32(&oc, FB_OC_BUILTIN, 0, NULL);
    *builtin = code > dep ? code : dep;
    *version = tflm_fb_i32(&oc, FB_OC_VERSION, 1, NULL);
    uint32_t n = 0;
    uint32_t s = tflm_fb_vec(&oc, FB_OC_CUSTOM, 1, &n, NULL);
    if (s) {
        *custom = (const char *)m->buf + s;
        *custom_len = n;
    }
}

int32_t tflm_registry_find(int32_t builtin, const char *custom, uint32_t custom_len) {
    for (uint32_t i = 0; i < tflm_registry_len; i++) {
        const tflm_op_reg_t *r = &tflm_registry[i];
        if (r->builtin != builtin) {
            continue;
        }
        if (builtin == 32) {
            if (custom == NULL || r->custom_name == NULL || strlen(r->custom_name) != custom_len
                || memcmp(r->custom_name, custom, custom_len) != 0) {
                continue;
            }
        }
        return (int32_t)i;
    }
    return -1;
}

uint32_t tflm_model_tensor_data(const tflm_model_t *m, const tflm_fb_table_t *t, uint32_t *len) {
    *len = 0;
    uint32_t bi = tflm_fb_u32(t, FB_T_BUFFER, 0, NULL);
    tflm_fb_table_t b;
    if (bi == 0 || bi >= m->n_buffers || !tflm_fb_vec_table(m->buf, m->len, m->buffers, bi, &b)) {
        return 0;
    }
    uint32_t n = 0;
    uint32_t d = tflm_fb_vec(&b, FB_BUF_DATA, 1, &n, NULL);
    if (d && n) {
        *len = n;
        return d;
    }
    // Large models keep buffer bytes after the flatbuffer: offset/size fields.
    uint64_t off = tflm_fb_u64(&b, FB_BUF_OFFSET, 0, NULL);
    uint64_t size = tflm_fb_u64(&b, FB_BUF_SIZE, 0, NULL);
    if (off > 1 && size > 0 && off < m->len && size <= m->len - off) {
        *len = (uint32_t)size;
        return (uint32_t)off;
    }
    return 0;
}

uint32_t tflm_model_tensor_const(const tflm_model_t *m, const tflm_fb_table_t *t) {
    uint32_t len;
    return tflm_fb_u8(t, FB_T_IS_VARIABLE, 0, NULL) ? 0u : tflm_model_tensor_data(m, t, &len);
}

void tflm_model_tensor_quant(const tflm_model_t *m, const tflm_fb_table_t *t, float *scale, int32_t *zp, uint32_t *n_scales, int32_t *qdim, const uint8_t **scales) {
    *scale = 0.0f;
    *zp = 0;
    *n_scales = 0;
    *qdim = 0;
    *scales = NULL;
    tflm_fb_table_t q;
    uint32_t qp = tflm_fb_ref(t, FB_T_QUANT, NULL);
    if (qp == 0 || !tflm_fb_table_open(m->buf, m->len, qp, &q)) {
        return;
    }
    uint32_t ns = 0, nz = 0;
    uint32_t s = tflm_fb_vec(&q, FB_Q_SCALE, 4, &ns, NULL);
    uint32_t z = tflm_fb_vec(&q, FB_Q_ZERO_POINT, 8, &nz, NULL);
    if (s && ns > 0) {
        memcpy(scale, m->buf + s, 4);
        *n_scales = ns;
        *scales = m->buf + s;
    }
    if (z && nz > 0) {
        int64_t z0;
        memcpy(&z0, m->buf + z, 8);
        *zp = (int32_t)z0;
    }
    *qdim = tflm_fb_i32(&q, FB_Q_DIM, 0, NULL);
}

// Validate one tensor table fully.
static tflm_status_t check_tensor(const tflm_model_t *m, uint32_t i, tflm_error_t *err) {
    tflm_fb_table_t t;
    int bad = 0;
    if (!tflm_model_tensor_table(m, (int32_t)i, &t)) {
        return fail(err, fb_status(tflm_fb_vec_table_why(m->buf, m->len, m->tensors, i)), -1, (int32_t)i, "tensor table out of range");
    }
    uint32_t nd = 0;
    uint32_t sh = tflm_fb_vec(&t, FB_T_SHAPE, 4, &nd, &bad);
    uint8_t type = tflm_fb_u8(&t, FB_T_TYPE, 0, &bad);
    uint32_t bi = tflm_fb_u32(&t, FB_T_BUFFER, 0, &bad);
    uint8_t var = tflm_fb_u8(&t, FB_T_IS_VARIABLE, 0, &bad);
    uint32_t nn = 0;
    tflm_fb_vec(&t, FB_T_NAME, 1, &nn, &bad);
    if (tflm_fb_ref(&t, FB_T_SPARSITY, &bad) != 0) {
        return fail(err, TFLM_ERR_UNSUPPORTED_TYPE, -1, (int32_t)i, "sparse tensors are not supported");
    }
    if (bad) {
        return fail(err, fb_status(bad), -1, (int32_t)i, "tensor fields out of range");
    }
    (void)var;
    if (nd > TFLM_MAX_DIMS) {
        return fail(err, TFLM_ERR_MODEL_LIMIT, -1, (int32_t)i, "tensor has more than 6 dimensions");
    }
    uint64_t elems = 1;
    for (uint32_t d = 0; d < nd; d++) {
        int32_t v = (int32_t)tflm_rd_u32(m->buf + sh + 4 * d);
        if (v < 0) {
            return fail(err, TFLM_ERR_BAD_SHAPE, -1, (int32_t)i, "tensor has a negative (dynamic) dimension");
        }
        elems *= (uint64_t)v;
        if (elems > 0x7fffffffu) {
            return fail(err, TFLM_ERR_MODEL_LIMIT, -1, (int32_t)i, "tensor too large");
        }
    }
    uint32_t es = tflm_type_size(type);
    if (es == 0) {
        return fail(err, TFLM_ERR_UNSUPPORTED_TYPE, -1, (int32_t)i, "tensor type not supported");
    }
    if (elems * es > 0x7fffffffu) {
        return fail(err, TFLM_ERR_MODEL_LIMIT, -1, (int32_t)i, "tensor too large");
    }
    if (bi >= m->n_buffers && bi != 0) {
        return fail(err, TFLM_ERR_MODEL_CORRUPT, -1, (int32_t)i, "tensor buffer index out of range");
    }
    if (bi != 0) {
        tflm_fb_table_t b;
        if (!tflm_fb_vec_table(m->buf, m->len, m->buffers, bi, &b)) {
            return fail(err, fb_status(tflm_fb_vec_table_why(m->buf, m->len, m->buffers, bi)), -1, (int32_t)i, "buffer table out of range");
        }
        uint32_t n = 0;
        int bbad = 0;
        tflm_fb_vec(&b, FB_BUF_DATA, 1, &n, &bbad);
        uint64_t off = tflm_fb_u64(&b, FB_BUF_OFFSET, 0, &bbad);
        uint64_t size = tflm_fb_u64(&b, FB_BUF_SIZE, 0, &bbad);
        if (bbad || (off > 1 && (off >= m->len || size > m->len - off))) {
            return fail(err, bbad ? fb_status(bbad) : TFLM_ERR_MODEL_TRUNCATED, -1, (int32_t)i, "buffer data out of range");
        }
        uint32_t len = 0;
        uint32_t d = tflm_model_tensor_data(m, &t, &len);
        if (d != 0) {
            if (len < elems * es) {
                return fail(err, TFLM_ERR_MODEL_CORRUPT, -1, (int32_t)i, "constant data shorter than its tensor");
            }
            // Converters place int64 buffers at 4 mod 8: kernels read
            // 64-bit constants with memcpy, so 4-byte alignment is enough.
            uint32_t al = es > 4 ? 4 : es;
            if (((uintptr_t)(m->buf + d)) % al != 0) {
                return fail(err, TFLM_ERR_MODEL_ALIGN, -1, (int32_t)i, "constant data misaligned (load the model at an 8-byte aligned address)");
            }
        }
    }
    uint32_t qp = tflm_fb_ref(&t, FB_T_QUANT, &bad);
    if (bad) {
        return fail(err, fb_status(bad), -1, (int32_t)i, "quantization reference out of range");
    }
    if (qp) {
        tflm_fb_table_t q;
        if (!tflm_fb_table_open(m->buf, m->len, qp, &q)) {
            return fail(err, fb_status(tflm_fb_table_why(m->buf, m->len, qp)), -1, (int32_t)i, "quantization table out of range");
        }
        uint32_t ns = 0, nz = 0, nmin = 0, nmax = 0;
        uint32_t s = tflm_fb_vec(&q, FB_Q_SCALE, 4, &ns, &bad);
        uint32_t z = tflm_fb_vec(&q, FB_Q_ZERO_POINT, 8, &nz, &bad);
        tflm_fb_vec(&q, 0, 4, &nmin, &bad);
        tflm_fb_vec(&q, 1, 4, &nmax, &bad);
        int32_t qdim = tflm_fb_i32(&q, FB_Q_DIM, 0, &bad);
        if (tflm_fb_u8(&q, 4, 0, &bad) != 0) {
            return fail(err, TFLM_ERR_BAD_QUANT, -1, (int32_t)i, "custom quantization details are not supported");
        }
        if (bad) {
            return fail(err, fb_status(bad), -1, (int32_t)i, "quantization fields out of range");
        }
        if (ns > 1) {
            // Converters leave a stale quantized_dimension on 1-D biases:
            // accept it when the scales still fit the tensor.
            int ok = qdim >= 0 && ns <= elems;
            if (ok && (uint32_t)qdim < nd) {
                ok = (int32_t)tflm_rd_u32(m->buf + sh + 4 * (uint32_t)qdim) == (int32_t)ns;
            }
            if (!ok) {
                return fail(err, TFLM_ERR_BAD_QUANT, -1, (int32_t)i, "per-channel scales do not match the quantized dimension");
            }
        }
        if (nz != 0 && nz != ns) {
            return fail(err, TFLM_ERR_BAD_QUANT, -1, (int32_t)i, "scale and zero_point counts differ");
        }
        for (uint32_t k = 0; k < ns; k++) {
            float f;
            memcpy(&f, m->buf + s + 4 * k, 4);
            if (!(f >= 0.0f) || isinf(f)) {
                return fail(err, TFLM_ERR_BAD_QUANT, -1, (int32_t)i, "quantization scale is negative or not finite");
            }
        }
        if (ns > 65535) {
            return fail(err, TFLM_ERR_MODEL_LIMIT, -1, (int32_t)i, "too many quantization scales");
        }
        // Zero points must be values of the tensor's type (kernels add them
        // to int32 sums: an out-of-range one overflows).
        int64_t zlo = INT32_MIN, zhi = INT32_MAX;
        if (type == TFLM_INT8) {
            zlo = -128, zhi = 127;
        } else if (type == TFLM_UINT8) {
            zlo = 0, zhi = 255;
        } else if (type == TFLM_INT16) {
            zlo = -32768, zhi = 32767;
        } else if (type == TFLM_UINT16) {
            zlo = 0, zhi = 65535;
        }
        for (uint32_t k = 0; k < nz; k++) {
            int64_t zp;
            memcpy(&zp, m->buf + z + 8 * k, 8);
            if (zp < zlo || zp > zhi) {
                return fail(err, TFLM_ERR_BAD_QUANT, -1, (int32_t)i, "zero point out of range for the tensor type");
            }
        }
    }
    return TFLM_OK;
}

static tflm_status_t check_index_list(const tflm_model_t *m, uint32_t pos, uint32_t n, int allow_absent, int32_t op, tflm_error_t *err) {
    for (uint32_t k = 0; k < n; k++) {
        int32_t v = (int32_t)tflm_rd_u32(m->buf + pos + 4 * k);
        if (v == -1 && allow_absent) {
            continue;
        }
        if (v < 0 || (uint32_t)v >= m->n_tensors) {
            return fail(err, TFLM_ERR_MODEL_CORRUPT, op, v, "tensor index out of range");
        }
    }
    return TFLM_OK;
}

tflm_status_t tflm_model_load(tflm_model_t *m, const void *buf_, uint32_t len, tflm_error_t *err) {
    const uint8_t *buf = (const uint8_t *)buf_;
    memset(m, 0, sizeof(*m));
    if (err) {
        memset(err, 0, sizeof(*err));
        err->op_index = -1;
        err->tensor = -1;
        err->builtin = -1;
    }
    if (buf == NULL || len < 8) {
        return fail(err, TFLM_ERR_MODEL_TRUNCATED, -1, -1, "file shorter than a flatbuffer header");
    }
    if (((uintptr_t)buf & 7) != 0) {
        return fail(err, TFLM_ERR_MODEL_ALIGN, -1, -1, "model buffer must be 8-byte aligned");
    }
    if (memcmp(buf + 4, "TFL3", 4) != 0) {
        return fail(err, TFLM_ERR_MODEL_IDENT, -1, -1, "no TFL3 identifier: not a .tflite file");
    }
    m->buf = buf;
    m->len = len;
    tflm_fb_table_t root, sg;
    int bad = 0;
    if (!tflm_fb_table_open(buf, len, tflm_rd_u32(buf), &root)) {
        return fail(err, fb_status(tflm_fb_table_why(buf, len, tflm_rd_u32(buf))), -1, -1, "root table out of range");
    }
    uint32_t version = tflm_fb_u32(&root, FB_MODEL_VERSION, 0, &bad);
    uint32_t nsg = 0;
    uint32_t sgv = tflm_fb_vec(&root, FB_MODEL_SUBGRAPHS, 4, &nsg, &bad);
    m->opcodes = tflm_fb_vec(&root, FB_MODEL_OPCODES, 4, &m->n_opcodes, &bad);
    m->buffers = tflm_fb_vec(&root, FB_MODEL_BUFFERS, 4, &m->n_buffers, &bad);
    uint32_t nd = 0;
    m->description = tflm_fb_vec(&root, FB_MODEL_DESCRIPTION, 1, &nd, &bad);
    if (bad) {
        return fail(err, fb_status(bad), -1, -1, "model table fields out of range");
    }
    if (version != 3) {
        return fail(err, TFLM_ERR_MODEL_VERSION, -1, -1, "schema version is not 3");
    }
    if (nsg < 1) {
        return fail(err, TFLM_ERR_SUBGRAPHS, -1, -1, "model has no subgraph");
    }
    if (!tflm_fb_vec_table(buf, len, sgv, 0, &sg)) {
        return fail(err, fb_status(tflm_fb_vec_table_why(buf, len, sgv, 0)), -1, -1, "subgraph table out of range");
    }
    m->tensors = tflm_fb_vec(&sg, FB_SG_TENSORS, 4, &m->n_tensors, &bad);
    m->inputs = tflm_fb_vec(&sg, FB_SG_INPUTS, 4, &m->n_inputs, &bad);
    m->outputs = tflm_fb_vec(&sg, FB_SG_OUTPUTS, 4, &m->n_outputs, &bad);
    m->ops = tflm_fb_vec(&sg, FB_SG_OPERATORS, 4, &m->n_ops, &bad);
    if (bad) {
        return fail(err, fb_status(bad), -1, -1, "subgraph fields out of range");
    }
    if (m->n_tensors > TFLM_MAX_TENSORS || m->n_ops > TFLM_MAX_OPS) {
        return fail(err, TFLM_ERR_MODEL_LIMIT, -1, -1, "too many tensors or ops");
    }
    if (m->n_buffers == 0 && m->n_tensors > 0) {
        // Buffer 0 is the schema's empty sentinel; a model needs at least it.
        m->buffers = 0;
    }
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        tflm_status_t st = check_tensor(m, i, err);
        if (st != TFLM_OK) {
            return st;
        }
        tflm_fb_table_t tt;
        tflm_model_tensor_table(m, (int32_t)i, &tt);
        m->n_const += tflm_model_tensor_const(m, &tt) != 0;
    }
    tflm_status_t st = check_index_list(m, m->inputs, m->n_inputs, 0, -1, err);
    if (st == TFLM_OK) {
        st = check_index_list(m, m->outputs, m->n_outputs, 0, -1, err);
    }
    if (st != TFLM_OK) {
        return st;
    }
    for (uint32_t i = 0; i < m->n_opcodes; i++) {
        tflm_fb_table_t oc;
        if (!tflm_fb_vec_table(buf, len, m->opcodes, i, &oc)) {
            return fail(err, fb_status(tflm_fb_vec_table_why(buf, len, m->opcodes, i)), -1, -1, "operator code table out of range");
        }
        uint32_t n = 0;
        tflm_fb_u8(&oc, FB_OC_DEPRECATED, 0, &bad);
        tflm_fb_i32(&oc, FB_OC_BUILTIN, 0, &bad);
        tflm_fb_i32(&oc, FB_OC_VERSION, 1, &bad);
        tflm_fb_vec(&oc, FB_OC_CUSTOM, 1, &n, &bad);
        if (bad) {
            return fail(err, fb_status(bad), -1, -1, "operator code fields out of range");
        }
    }
    for (uint32_t i = 0; i < m->n_ops; i++) {
        tflm_fb_table_t op, opt;
        if (!tflm_model_op_table(m, i, &op)) {
            return fail(err, fb_status(tflm_fb_vec_table_why(buf, len, m->ops, i)), (int32_t)i, -1, "operator table out of range");
        }
        uint32_t idx = tflm_fb_u32(&op, FB_OP_OPCODE, 0, &bad);
        uint32_t nin = 0, nout = 0, nc = 0;
        uint32_t in = tflm_fb_vec(&op, FB_OP_INPUTS, 4, &nin, &bad);
        uint32_t out = tflm_fb_vec(&op, FB_OP_OUTPUTS, 4, &nout, &bad);
        tflm_fb_u8(&op, FB_OP_OPTIONS_TYPE, 0, &bad);
        uint32_t o = tflm_fb_ref(&op, FB_OP_OPTIONS, &bad);
        tflm_fb_vec(&op, FB_OP_CUSTOM, 1, &nc, &bad);
        if (bad) {
            return fail(err, fb_status(bad), (int32_t)i, -1, "operator fields out of range");
        }
        if (o && !tflm_fb_table_open(buf, len, o, &opt)) {
            return fail(err, fb_status(tflm_fb_table_why(buf, len, o)), (int32_t)i, -1, "operator options table out of range");
        }
        if (idx >= m->n_opcodes) {
            return fail(err, TFLM_ERR_MODEL_CORRUPT, (int32_t)i, -1, "operator code index out of range");
        }
        if (nout == 0) {
            return fail(err, TFLM_ERR_MODEL_CORRUPT, (int32_t)i, -1, "operator has no output");
        }
        if (nin <= TFLM_MAX_OP_IN && nout <= TFLM_MAX_OP_OUT && nin + nout > m->max_io) {
            m->max_io = nin + nout;
        }
        if (nin > TFLM_MAX_OP_IN || nout > TFLM_MAX_OP_OUT) {
            // An op this engine lacks is the more useful message.
            int32_t builtin, version;
            const char *custom;
            uint32_t clen;
            tflm_model_opcode(m, &op, &builtin, &version, &custom, &clen);
            if (tflm_registry_find(builtin, custom, clen) < 0) {
                st = fail(err, TFLM_ERR_UNSUPPORTED_OP, (int32_t)i, -1, "op not in this engine's registry");
                if (err) {
                    err->builtin = builtin;
                    err->version = version;
                    err->op_name = builtin == 32 ? NULL : tflm_builtin_name(builtin);
                    for (uint32_t k = 0; custom != NULL && k < clen && k + 1 < sizeof(err->custom); k++) {
                        err->custom[k] = (custom[k] >= 32 && custom[k] < 127) ? custom[k] : '?';
                    }
                }
                return st;
            }
            return fail(err, TFLM_ERR_MODEL_LIMIT, (int32_t)i, -1, "operator has more than 16 inputs or outputs");
        }
        st = check_index_list(m, in, nin, 1, (int32_t)i, err);
        if (st == TFLM_OK) {
            st = check_index_list(m, out, nout, 0, (int32_t)i, err);
        }
        if (st != TFLM_OK) {
            return st;
        }
    }
    return TFLM_OK;
}

int32_t tflm_model_input(const tflm_model_t *m, uint32_t i) {
    return i < m->n_inputs ? (int32_t)tflm_rd_u32(m->buf + m->inputs + 4 * i) : -1;
}

int32_t tflm_model_output(const tflm_model_t *m, uint32_t i) {
    return i < m->n_outputs ? (int32_t)tflm_rd_u32(m->buf + m->outputs + 4 * i) : -1;
}

tflm_status_t tflm_model_tensor_info(const tflm_model_t *m, int32_t index, tflm_tensor_info_t *info) {
    tflm_fb_table_t t;
    memset(info, 0, sizeof(*info));
    if (!tflm_model_tensor_table(m, index, &t)) {
        return TFLM_ERR_INDEX;
    }
    info->index = index;
    info->type = tflm_fb_u8(&t, FB_T_TYPE, 0, NULL);
    uint32_t nd = 0;
    uint32_t sh = tflm_fb_vec(&t, FB_T_SHAPE, 4, &nd, NULL);
    info->ndim = (int32_t)nd;
    uint32_t elems = 1;
    for (uint32_t d = 0; d < nd && d < TFLM_MAX_DIMS; d++) {
        info->dims[d] = (int32_t)tflm_rd_u32(m->buf + sh + 4 * d);
        elems *= (uint32_t)info->dims[d];
    }
    info->bytes = elems * tflm_type_size(info->type);
    int32_t qdim;
    const uint8_t *scales;
    tflm_model_tensor_quant(m, &t, &info->scale, &info->zero_point, &info->n_scales, &qdim, &scales);
    uint32_t nn = 0;
    uint32_t np = tflm_fb_vec(&t, FB_T_NAME, 1, &nn, NULL);
    info->name = np ? (const char *)m->buf + np : "";
    info->name_len = nn;
    return TFLM_OK;
}

tflm_status_t tflm_model_op_info(const tflm_model_t *m, uint32_t i, tflm_op_info_t *info) {
    tflm_fb_table_t op;
    memset(info, 0, sizeof(*info));
    if (!tflm_model_op_table(m, i, &op)) {
        return TFLM_ERR_INDEX;
    }
    const char *custom;
    uint32_t clen;
    tflm_model_opcode(m, &op, &info->builtin, &info->version, &custom, &clen);
    if (info->builtin == 32 && custom != NULL) {
        info->name = custom;
        info->name_len = clen;
    } else {
        info->name = tflm_builtin_name(info->builtin);
        info->name_len = (uint32_t)strlen(info->name);
    }
    info->supported = tflm_registry_find(info->builtin, custom, clen) >= 0;
    return TFLM_OK;
}

tflm_status_t tflm_model_op_io(const tflm_model_t *m, uint32_t i, int32_t *ins, uint32_t *n_in, int32_t *outs, uint32_t *n_out, uint32_t max) {
    tflm_fb_table_t op;
    *n_in = *n_out = 0;
    if (!tflm_model_op_table(m, i, &op)) {
        return TFLM_ERR_INDEX;
    }
    uint32_t ni = 0, no = 0;
    uint32_t pi = tflm_fb_vec(&op, FB_OP_INPUTS, 4, &ni, NULL);
    uint32_t po = tflm_fb_vec(&op, FB_OP_OUTPUTS, 4, &no, NULL);
    for (uint32_t k = 0; k < ni && k < max; k++) {
        ins[k] = (int32_t)tflm_rd_u32(m->buf + pi + 4 * k);
    }
    for (uint32_t k = 0; k < no && k < max; k++) {
        outs[k] = (int32_t)tflm_rd_u32(m->buf + po + 4 * k);
    }
    *n_in = ni < max ? ni : max;
    *n_out = no < max ? no : max;
    return TFLM_OK;
}
