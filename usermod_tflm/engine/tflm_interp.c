// tflm engine: planner and interpreter.
//
// Arena layout (offsets from the arena start):
//   [0, head)                planned buffers: activations and per-op scratch,
//                            placed greedy-by-size over their op lifetimes
//   [head, size - tail)      unused
//   [size - tail, size)      persistent: op data and variable tensors (growing
//                            down), then the tensor records, the op records and
//                            the map from tensor index to record
// All structures in the arena are pointer-free, so sizes are the same for
// 32- and 64-bit builds.
//
// Placement: greedy by size, each item at the lowest offset free over its
// lifetime, with two refinements. Streaming ops (convolutions: output rows
// in order, tflm_allow_overlap) let their output overlap an input that dies
// with them, the output starting a few rows below the input; such chains are
// placed twice (with and without room kept below a chain's first tensor) and
// the smaller plan is kept. A model input read directly is never overlapped. A lean plan
// (TFLM_PLAN_LEAN) moves kernels' derived data (tflm_derived) from the
// persistent region into their op's scratch and keeps no record for constant
// tensors (read_const).
#include "tflm_internal.h"

#define ALIGN_UP(x) (((x) + (TFLM_ALIGN - 1)) & ~(uint32_t)(TFLM_ALIGN - 1))

// The tables at the arena's end: tensor records, one record per op, then a
// map from tensor index to record. A lean plan keeps no record for constant
// tensors: their views are read from the model at each use (in flash that
// costs a few thousand cycles per op on the RP2040).
#define TFLM_RT_CONST 0xFFFFu

static uint32_t n_records(const tflm_model_t *m, int lean) {
    return lean ? m->n_tensors - m->n_const : m->n_tensors;
}

static uint32_t table_bytes(const tflm_model_t *m, int lean) {
    return ALIGN_UP(n_records(m, lean) * TFLM_RT_TENSOR_BYTES + m->n_ops * TFLM_RT_NODE_BYTES + m->n_tensors * 2u);
}

static void set_tables(tflm_interp_t *ip, uint8_t *at) {
    const tflm_model_t *m = ip->model;
    ip->t = (tflm_rt_tensor_t *)at;
    ip->n = (tflm_rt_node_t *)(at + n_records(m, ip->lean) * TFLM_RT_TENSOR_BYTES);
    ip->tmap = (uint16_t *)((uint8_t *)ip->n + m->n_ops * TFLM_RT_NODE_BYTES);
}

// What the planner sees of a constant tensor: never placed, never written.
static const tflm_rt_tensor_t const_rec = { 0, 0, 0, 0.0f, 0, -1, -1, 0, 0, 0, 0, TFLM_LOC_MODEL, 0 };

static tflm_rt_tensor_t *rec(const tflm_interp_t *ip, uint32_t x) {
    uint16_t r = ip->tmap[x];
    return r == TFLM_RT_CONST ? (tflm_rt_tensor_t *)&const_rec : &ip->t[r];
}

static int is_const(const tflm_interp_t *ip, uint32_t x) {
    return rec(ip, x)->loc == TFLM_LOC_MODEL;
}

// A tensor's record as read from the model (the table was validated at load).
static void read_rec(const tflm_model_t *m, uint32_t i, tflm_rt_tensor_t *t) {
    tflm_fb_table_t tt;
    memset(t, 0, sizeof(*t));
    tflm_model_tensor_table(m, (int32_t)i, &tt);
    t->type = tflm_fb_u8(&tt, FB_T_TYPE, 0, NULL);
    uint32_t nd = 0;
    t->shape = tflm_fb_vec(&tt, FB_T_SHAPE, 4, &nd, NULL);
    t->ndim = (uint8_t)nd;
    uint32_t elems = 1;
    for (uint32_t d = 0; d < nd; d++) {
        elems *= tflm_rd_u32(m->buf + t->shape + 4 * d);
    }
    t->bytes = elems * tflm_type_size(t->type);
    int32_t qdim;
    uint32_t ns;
    const uint8_t *sc;
    tflm_model_tensor_quant(m, &tt, &t->scale, &t->zero_point, &ns, &qdim, &sc);
    t->n_scales = (uint16_t)ns;
    if (tflm_fb_u8(&tt, FB_T_IS_VARIABLE, 0, NULL)) {
        t->flags |= TFLM_TF_VARIABLE;
        t->loc = TFLM_LOC_PERSIST;
    } else {
        t->data = tflm_model_tensor_const(m, &tt);
        t->loc = t->data ? TFLM_LOC_MODEL : TFLM_LOC_NONE;
    }
    t->first = -1;
    t->last = -1;
    t->root = (uint16_t)i;
}

uint32_t tflm_interp_work_size(const tflm_model_t *m) {
    return table_bytes(m, 0);
}

static tflm_status_t (set_err)(tflm_interp_t *ip, tflm_status_t st, int32_t op, int32_t tensor, const char *detail) {
    tflm_error_t *e = &ip->err;
    memset(e, 0, sizeof(*e));
    e->status = st;
    e->op_index = op;
    e->tensor = tensor;
    e->builtin = -1;
    e->detail = detail;
    if (op >= 0 && ip->model != NULL && (uint32_t)op < ip->model->n_ops) {
        tflm_fb_table_t opt;
        const char *custom;
        uint32_t clen;
        tflm_model_op_table(ip->model, (uint32_t)op, &opt);
        tflm_model_opcode(ip->model, &opt, &e->builtin, &e->version, &custom, &clen);
        e->op_name = tflm_builtin_name(e->builtin);
    }
    return st;
}
#define set_err(ip, st, op, tensor, detail) (set_err)((ip), (st), (op), (tensor), TFLM_MSG(detail))

static int32_t idx_at(const tflm_model_t *m, uint32_t pos, uint32_t k) {
    return (int32_t)tflm_rd_u32(m->buf + pos + 4 * k);
}

// ---- tensor views ----------------------------------------------------------

// A constant tensor's record at each use, read without bounds checks from
// tables tflm_model_load validated (the model must not change while in use):
// the same values as read_rec, at a fraction of the cost.
static uint32_t u_field(const uint8_t *b, uint32_t tab, uint32_t field) {
    const uint32_t vt = tab - tflm_rd_u32(b + tab);
    const uint32_t slot = 4u + 2u * field;
    if (slot + 2u > tflm_rd_u16(b + vt)) {
        return 0;
    }
    const uint32_t fo = tflm_rd_u16(b + vt + slot);
    return fo ? tab + fo : 0u;
}

static uint32_t u_ref(const uint8_t *b, uint32_t tab, uint32_t field) {
    const uint32_t f = u_field(b, tab, field);
    return f ? f + tflm_rd_u32(b + f) : 0u;
}

static uint32_t u_vec_table(const uint8_t *b, uint32_t vec, uint32_t i) {
    const uint32_t p = vec + 4u * i;
    return p + tflm_rd_u32(b + p);
}

static void read_const(const tflm_model_t *m, uint32_t i, tflm_rt_tensor_t *t) {
    const uint8_t *b = m->buf;
    const uint32_t tab = u_vec_table(b, m->tensors, i);
    memset(t, 0, sizeof(*t));
    uint32_t f = u_field(b, tab, FB_T_TYPE);
    t->type = f ? b[f] : 0u;
    uint32_t v = u_ref(b, tab, FB_T_SHAPE);
    uint32_t elems = 1;
    if (v) {
        t->ndim = (uint8_t)tflm_rd_u32(b + v);
        t->shape = v + 4u;
        for (uint32_t d = 0; d < t->ndim; d++) {
            elems *= tflm_rd_u32(b + t->shape + 4u * d);
        }
    }
    t->bytes = elems * tflm_type_size(t->type);
    const uint32_t q = u_ref(b, tab, FB_T_QUANT);
    if (q) {
        v = u_ref(b, q, FB_Q_SCALE);
        if (v && tflm_rd_u32(b + v) > 0) {
            t->n_scales = (uint16_t)tflm_rd_u32(b + v);
            memcpy(&t->scale, b + v + 4u, 4);
        }
        v = u_ref(b, q, FB_Q_ZERO_POINT);
        if (v && tflm_rd_u32(b + v) > 0) {
            t->zero_point = (int32_t)tflm_rd_u32(b + v + 4u);  // low word of the int64
        }
    }
    f = u_field(b, tab, FB_T_BUFFER);
    const uint32_t bt = u_vec_table(b, m->buffers, f ? tflm_rd_u32(b + f) : 0u);
    v = u_ref(b, bt, FB_BUF_DATA);
    if (v && tflm_rd_u32(b + v) > 0) {
        t->data = v + 4u;
    } else {
        f = u_field(b, bt, FB_BUF_OFFSET);
        t->data = f ? tflm_rd_u32(b + f) : 0u;   // below 4 GB (checked at load)
    }
    t->loc = TFLM_LOC_MODEL;
    t->first = -1;
    t->last = -1;
    t->root = (uint16_t)i;
}

static void make_view(const tflm_interp_t *ip, int32_t index, tflm_tensor_t *v, int details) {
    memset(v, 0, sizeof(*v));
    v->index = index;
    if (index < 0) {
        return;
    }
    const tflm_model_t *m = ip->model;
    tflm_rt_tensor_t ct;
    const tflm_rt_tensor_t *t = rec(ip, (uint32_t)index);
    if (t == &const_rec) {
        read_const(m, (uint32_t)index, &ct);
        t = &ct;
    }
    v->type = t->type;
    v->ndim = t->ndim;
    v->elems = 1;
    for (int d = 0; d < t->ndim; d++) {
        v->dims[d] = (int32_t)tflm_rd_u32(m->buf + t->shape + 4 * (uint32_t)d);
        v->elems *= (uint32_t)v->dims[d];
    }
    v->bytes = t->bytes;
    v->scale = t->scale;
    v->zero_point = t->zero_point;
    v->n_scales = t->n_scales;
    v->is_const = t->loc == TFLM_LOC_MODEL;
    v->is_variable = (t->flags & TFLM_TF_VARIABLE) != 0;
    switch (t->loc) {
        case TFLM_LOC_MODEL:
            v->data = (void *)(m->buf + t->data);
            break;
        case TFLM_LOC_ARENA:
            v->data = ip->measuring ? NULL : ip->arena + rec(ip, t->root)->data;
            break;
        case TFLM_LOC_PERSIST:
            v->data = ip->measuring ? NULL : ip->arena + t->data;
            break;
        default:
            break;
    }
    if (details && t->n_scales > 0) {
        tflm_fb_table_t tt;
        float s;
        int32_t zp;
        uint32_t ns;
        tflm_model_tensor_table(m, index, &tt);
        tflm_model_tensor_quant(m, &tt, &s, &zp, &ns, &v->quant_dim, &v->scales);
    }
}

static void make_node(tflm_interp_t *ip, uint32_t i, tflm_node_t *node, tflm_tensor_t *in, tflm_tensor_t *out, int details) {
    const tflm_model_t *m = ip->model;
    tflm_rt_node_t *n = &ip->n[i];
    memset(node, 0, sizeof(*node));
    node->ip = ip;
    node->op_index = (int32_t)i;
    node->builtin = tflm_registry[n->reg].builtin;
    node->n_in = n->n_in;
    node->n_out = n->n_out;
    node->in = in;
    node->out = out;
    node->measuring = ip->measuring;
    for (uint32_t k = 0; k < n->n_in; k++) {
        make_view(ip, idx_at(m, n->in, k), &in[k], details);
    }
    for (uint32_t k = 0; k < n->n_out; k++) {
        make_view(ip, idx_at(m, n->out, k), &out[k], details);
    }
    if (!ip->measuring) {
        node->op_data = n->data ? ip->arena + n->data : NULL;
        node->scratch = n->scratch_bytes ? ip->arena + n->scratch + (ip->lean ? n->derived_bytes : 0u) : NULL;
    }
    if (details) {
        tflm_fb_table_t op;
        const char *custom;
        uint32_t clen = 0;
        tflm_model_op_table(m, i, &op);
        tflm_model_opcode(m, &op, &node->builtin, &node->version, &custom, &clen);
        node->options_type = tflm_fb_u8(&op, FB_OP_OPTIONS_TYPE, 0, NULL);
        uint32_t o = tflm_fb_ref(&op, FB_OP_OPTIONS, NULL);
        if (o) {
            tflm_fb_table_open(m->buf, m->len, o, &node->options);
        } else {
            node->options.buf = m->buf;
            node->options.len = m->len;
            node->options.pos = 0;
        }
        uint32_t nc = 0;
        uint32_t c = tflm_fb_vec(&op, FB_OP_CUSTOM, 1, &nc, NULL);
        node->custom = c ? m->buf + c : NULL;
        node->custom_len = nc;
    }
}

// ---- kernel-facing helpers -------------------------------------------------

void *tflm_persist(tflm_node_t *node, uint32_t bytes) {
    tflm_interp_t *ip = node->ip;
    tflm_rt_node_t *n = &ip->n[node->op_index];
    uint32_t b = ALIGN_UP(bytes);
    if (ip->measuring) {
        n->data_bytes = b;
        return NULL;
    }
    if (b > n->data_bytes || n->data != 0 || ip->cursor < b || ip->cursor - b < ip->head) {
        // A kernel asking for more than it measured, or twice: refuse.
        set_err(ip, TFLM_ERR_EVAL, node->op_index, -1, "kernel persistent data differs from its measured size");
        return NULL;
    }
    ip->cursor -= b;
    n->data = ip->cursor;
    node->op_data = ip->arena + n->data;
    memset(node->op_data, 0, b);
    return node->op_data;
}

tflm_status_t tflm_request_scratch(tflm_node_t *node, uint32_t bytes) {
    tflm_interp_t *ip = node->ip;
    tflm_rt_node_t *n = &ip->n[node->op_index];
    if (ip->measuring) {
        n->scratch_bytes = ALIGN_UP(bytes);
        return TFLM_OK;
    }
    if (ALIGN_UP(bytes) > n->scratch_bytes) {
        return tflm_fail(node, TFLM_ERR_EVAL, "kernel scratch larger than measured");
    }
    return TFLM_OK;
}

void *tflm_derived(tflm_node_t *node, uint32_t bytes, int *fill) {
    tflm_interp_t *ip = node->ip;
    tflm_rt_node_t *n = &ip->n[node->op_index];
    uint32_t b = ALIGN_UP(bytes);
    *fill = 0;
    if (ip->measuring) {
        n->derived_bytes = b;
        return NULL;
    }
    if (b == 0) {
        return NULL;
    }
    if (b > n->derived_bytes) {
        set_err(ip, TFLM_ERR_EVAL, node->op_index, -1, "kernel derived data larger than measured");
        return NULL;
    }
    if (ip->lean) {
        // Lean: the start of this op's scratch, only during its eval.
        if (!ip->ready) {
            return NULL;
        }
        *fill = 1;
        return ip->arena + n->scratch;
    }
    if (ip->ready) {
        return n->derived ? ip->arena + n->derived : NULL;
    }
    if (n->derived != 0 || ip->cursor < b || ip->cursor - b < ip->head) {
        set_err(ip, TFLM_ERR_EVAL, node->op_index, -1, "kernel derived data asked twice");
        return NULL;
    }
    ip->cursor -= b;
    n->derived = ip->cursor;
    *fill = 1;
    return ip->arena + n->derived;
}

void tflm_allow_overlap(tflm_node_t *node, uint32_t steps, uint32_t in_step, uint32_t out_step, uint32_t in_back) {
    tflm_interp_t *ip = node->ip;
    if (!ip->measuring || steps == 0) {
        return;
    }
    // Step s writes [d + s*os, d + (s+1)*os) relative to the input's start;
    // it must stay below s*is - back for every s: d <= s*(is - os) - back - os.
    int64_t is = in_step, os = out_step, back = in_back;
    int64_t d0 = -back - os;
    int64_t d1 = (int64_t)(steps - 1) * (is - os) - back - os;
    int64_t d = d0 < d1 ? d0 : d1;
    if (d > -(int64_t)0x7fffffff && d < 0x7fffffff) {
        ip->n[node->op_index].ov_delta = (int32_t)d;
    }
}

int tflm_plan_lean(const tflm_node_t *node) {
    return node->ip->lean;
}

int tflm_plan_dual(const tflm_node_t *node) {
    return node->ip->dual;
}

int tflm_par_ready(const tflm_node_t *node) {
    return node->ip->dual && node->ip->worker != NULL && !node->ip->measuring;
}

void tflm_par_run(tflm_node_t *node, void (*fn)(void *arg), void *a0, void *a1) {
    tflm_interp_t *ip = node->ip;
    const tflm_worker_t *w = tflm_par_ready(node) ? ip->worker : NULL;
    if (w != NULL && w->start(w->ctx, fn, a1) == 0) {
        fn(a0);
        w->wait(w->ctx);
        ip->par_runs++;
        return;
    }
    fn(a0);
    fn(a1);
}

void tflm_par_single(tflm_node_t *node) {
    node->ip->par_single++;
}

tflm_status_t tflm_measure_done(tflm_node_t *node) {
    return node->ip->measuring ? TFLM_OK : (node->ip->err.status != TFLM_OK ? node->ip->err.status : TFLM_ERR_EVAL);
}

tflm_status_t (tflm_fail)(tflm_node_t *node, tflm_status_t st, const char *detail) {
    set_err(node->ip, st, node->op_index, -1, detail);
    return st;
}

int32_t tflm_opt_i32(const tflm_node_t *node, int field, int32_t def) {
    return tflm_fb_i32(&node->options, field, def, NULL);
}

float tflm_opt_f32(const tflm_node_t *node, int field, float def) {
    return tflm_fb_f32(&node->options, field, def, NULL);
}

uint8_t tflm_opt_u8(const tflm_node_t *node, int field, uint8_t def) {
    return tflm_fb_u8(&node->options, field, def, NULL);
}

int8_t tflm_opt_i8(const tflm_node_t *node, int field, int8_t def) {
    return (int8_t)tflm_fb_u8(&node->options, field, (uint8_t)def, NULL);
}

int32_t tflm_opt_vec_i32(const tflm_node_t *node, int field, int32_t *out, int32_t max) {
    uint32_t n = 0;
    int bad = 0;
    uint32_t p = tflm_fb_vec(&node->options, field, 4, &n, &bad);
    if (p == 0 || bad) {
        return bad || node->options.pos == 0 ? -1 : (tflm_fb_field(&node->options, field, 4, NULL) ? 0 : -1);
    }
    for (uint32_t k = 0; k < n && (int32_t)k < max; k++) {
        out[k] = (int32_t)tflm_rd_u32(node->options.buf + p + 4 * k);
    }
    return n > 0x7fffffffu ? -1 : (int32_t)n;
}

float tflm_tensor_scale(const tflm_tensor_t *t, uint32_t i) {
    if (t->scales == NULL || i >= t->n_scales) {
        return t->scale;
    }
    float f;
    memcpy(&f, t->scales + 4 * i, 4);
    return f;
}

uint32_t tflm_dims_prod(const tflm_tensor_t *t, int32_t from, int32_t to) {
    uint32_t p = 1;
    if (from < 0) {
        from = 0;
    }
    for (int32_t d = from; d < to && d < t->ndim; d++) {
        p *= (uint32_t)t->dims[d];
    }
    return p;
}

int tflm_same_shape(const tflm_tensor_t *a, const tflm_tensor_t *b) {
    if (a->ndim != b->ndim) {
        return 0;
    }
    for (int d = 0; d < a->ndim; d++) {
        if (a->dims[d] != b->dims[d]) {
            return 0;
        }
    }
    return 1;
}

int32_t tflm_const_i32(const tflm_tensor_t *t, int32_t *out, int32_t max) {
    if (t->index < 0 || !t->is_const || t->data == NULL) {
        return -1;
    }
    if (t->type == TFLM_INT32) {
        for (uint32_t k = 0; k < t->elems && (int32_t)k < max; k++) {
            memcpy(&out[k], (const uint8_t *)t->data + 4 * k, 4);
        }
    } else if (t->type == TFLM_INT64) {
        for (uint32_t k = 0; k < t->elems && (int32_t)k < max; k++) {
            int64_t v;
            memcpy(&v, (const uint8_t *)t->data + 8 * k, 8);
            out[k] = (int32_t)v;
        }
    } else {
        return -1;
    }
    return t->elems > 0x7fffffffu ? -1 : (int32_t)t->elems;
}

// ---- planning --------------------------------------------------------------

static uint32_t root_of(tflm_interp_t *ip, uint32_t t);

// Plan items are the root tensors in the arena, then one scratch per node.
typedef struct {
    tflm_interp_t *ip;
    uint32_t nt, no;
} plan_t;

static int item_get(const plan_t *p, uint32_t k, uint32_t *size, int32_t *first, int32_t *last, uint32_t **offset, uint8_t **flags, uint8_t *scratch_flag) {
    if (k < p->nt) {
        tflm_rt_tensor_t *t = rec(p->ip, k);
        if (t->loc != TFLM_LOC_ARENA || t->root != k) {
            return 0;
        }
        *size = ALIGN_UP(t->bytes);
        *first = t->first;
        *last = t->last;
        *offset = &t->data;
        *flags = &t->flags;
        return 1;
    }
    tflm_rt_node_t *n = &p->ip->n[k - p->nt];
    uint32_t bytes = n->scratch_bytes + (p->ip->lean ? n->derived_bytes : 0u);
    if (bytes == 0) {
        return 0;
    }
    *size = bytes;
    *first = *last = (int32_t)(k - p->nt);
    *offset = &n->scratch;
    // Scratch items keep their placed flag in the high bit of n_in's neighbour:
    // use the reg field's spare space is not available, so track via offset sentinel.
    *flags = scratch_flag;
    return 2;
}

// Overlap permission between root tensors x (being placed) and y (placed):
// x is output 0 and y input 0 of an op that allowed it (or the reverse), the
// input dies at that op and the output is born there. Returns 1 = x is the
// output, 2 = x is the input, 0 = none; *delta from tflm_allow_overlap.
static int overlap_pair(tflm_interp_t *ip, uint32_t x, uint32_t y, int32_t *delta) {
    const tflm_model_t *m = ip->model;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t out = pass == 0 ? x : y, in = pass == 0 ? y : x;
        int32_t i = rec(ip, out)->first;
        if (i < 0 || (uint32_t)i >= m->n_ops) {
            continue;
        }
        tflm_rt_node_t *n = &ip->n[i];
        if (n->ov_delta == TFLM_NO_OVERLAP || n->n_in < 1 || n->n_out < 1 || rec(ip, in)->last != i) {
            continue;
        }
        // A model input read directly keeps its bytes (an op before may
        // already have written over it in place: then it is fair game).
        int32_t a = idx_at(m, n->in, 0), b = idx_at(m, n->out, 0);
        if (a < 0 || b < 0 || (rec(ip, (uint32_t)a)->flags & TFLM_TF_INPUT) || root_of(ip, (uint32_t)a) != in
            || root_of(ip, (uint32_t)b) != out) {
            continue;
        }
        int shared = 0;
        for (uint32_t k = 1; k < n->n_in; k++) {
            int32_t c = idx_at(m, n->in, k);
            if (c >= 0 && rec(ip, (uint32_t)c)->loc == TFLM_LOC_ARENA && root_of(ip, (uint32_t)c) == in) {
                shared = 1;
            }
        }
        if (shared) {
            continue;
        }
        *delta = n->ov_delta;
        return pass == 0 ? 1 : 2;
    }
    return 0;
}

// x (size sx) at offset ox collides with placed y (size sy at oy)?
static int collides(tflm_interp_t *ip, uint32_t x, uint32_t sx, uint32_t ox, int x_tensor, uint32_t y, uint32_t sy,
    uint32_t oy, int y_tensor) {
    if (!(oy < ox + sx && ox < oy + sy)) {
        return 0;
    }
    int32_t delta;
    int r = x_tensor && y_tensor ? overlap_pair(ip, x, y, &delta) : 0;
    if (r == 1) {
        // Allowed when out - in <= delta.
        return (int64_t)ox - (int64_t)oy > delta;
    }
    if (r == 2) {
        return (int64_t)oy - (int64_t)ox > delta;
    }
    return 1;
}

// The output root that input root x may be overlapped by (x dies at that
// op), -1 if none; *delta as tflm_allow_overlap gave it.
static int32_t overlap_next(tflm_interp_t *ip, uint32_t x, int32_t *delta) {
    const tflm_model_t *m = ip->model;
    int32_t i = rec(ip, x)->last;
    if (i < 0 || (uint32_t)i >= m->n_ops || ip->n[i].ov_delta == TFLM_NO_OVERLAP || ip->n[i].n_out < 1) {
        return -1;
    }
    int32_t b = idx_at(m, ip->n[i].out, 0);
    if (b < 0 || rec(ip, (uint32_t)b)->loc != TFLM_LOC_ARENA) {
        return -1;
    }
    uint32_t r = root_of(ip, (uint32_t)b);
    return r != x && overlap_pair(ip, r, x, delta) == 1 ? (int32_t)r : -1;
}

// Bytes a chain of overlapping outputs starting at root x drifts down (x
// placed at least this high lets each output sit below its input); *last
// becomes the last op any tensor of the chain is alive in.
static uint32_t overlap_drift(tflm_interp_t *ip, uint32_t x, int32_t *last) {
    uint64_t drift = 0;
    for (uint32_t steps = 0; steps < ip->model->n_ops; steps++) {
        int32_t delta;
        int32_t nx = overlap_next(ip, x, &delta);
        if (nx < 0) {
            break;
        }
        if (delta < 0) {
            drift += (uint64_t)(-(int64_t)delta);
        }
        x = (uint32_t)nx;
        if (rec(ip, x)->last > *last) {
            *last = rec(ip, x)->last;
        }
    }
    return drift > 0x7fffffffu ? 0x7fffffffu : ALIGN_UP((uint32_t)drift);
}

// Greedy by size: each item at the lowest offset where it collides with no
// placed item alive at the same time. reserve: start an overlapping chain's
// first input high enough for the chain to drift down into the space below.
static uint32_t plan_greedy(tflm_interp_t *ip, int reserve) {
    plan_t p = { ip, ip->model->n_tensors, ip->model->n_ops };
    uint32_t total = p.nt + p.no;
    uint32_t head = 0;
    uint8_t dummy;
    // Scratch offsets use UINT32_MAX as "not placed yet".
    uint32_t n_ov = 0;
    for (uint32_t i = 0; i < p.no; i++) {
        ip->n[i].scratch = UINT32_MAX;
        n_ov += ip->n[i].ov_delta != TFLM_NO_OVERLAP;
    }
    for (uint32_t i = 0; i < n_records(ip->model, ip->lean); i++) {
        ip->t[i].flags &= (uint8_t)~TFLM_TF_PLACED;
    }
    for (;;) {
        // Pick the largest unplaced item (ties: earliest first use, lowest index).
        uint32_t best = UINT32_MAX, bsize = 0;
        int32_t bfirst = 0;
        for (uint32_t k = 0; k < total; k++) {
            uint32_t size, *off;
            int32_t first, last;
            uint8_t *flags;
            int kind = item_get(&p, k, &size, &first, &last, &off, &flags, &dummy);
            if (!kind) {
                continue;
            }
            int placed = kind == 1 ? (*flags & TFLM_TF_PLACED) != 0 : *off != UINT32_MAX;
            if (placed) {
                continue;
            }
            if (best == UINT32_MAX || size > bsize || (size == bsize && first < bfirst)) {
                best = k;
                bsize = size;
                bfirst = first;
            }
        }
        if (best == UINT32_MAX) {
            break;
        }
        uint32_t size, *off;
        int32_t first, last;
        uint8_t *flags;
        int kind = item_get(&p, best, &size, &first, &last, &off, &flags, &dummy);
        // Lowest offset that does not collide with any placed item alive at the same time.
        uint32_t cand = 0;
        // Reserve: scan for the item grown down by its chain's drift and
        // alive until the chain ends, so the chain has room below it.
        uint32_t drift = 0, ssize = size;
        int32_t slast = last, nd;
        if (reserve && kind == 1 && n_ov > 0) {
            int32_t nx = overlap_next(ip, best, &nd);
            if (nx >= 0 && !(rec(ip, (uint32_t)nx)->flags & TFLM_TF_PLACED)) {
                drift = overlap_drift(ip, best, &slast);
                ssize = size + drift < size ? size : size + drift;
            }
        }
        for (;;) {
            uint32_t bump = cand;
            for (uint32_t k = 0; k < total; k++) {
                uint32_t s2, *o2;
                int32_t f2, l2;
                uint8_t *fl2;
                int kind2 = item_get(&p, k, &s2, &f2, &l2, &o2, &fl2, &dummy);
                if (!kind2 || k == best) {
                    continue;
                }
                int placed = kind2 == 1 ? (*fl2 & TFLM_TF_PLACED) != 0 : *o2 != UINT32_MAX;
                if (!placed || l2 < first || f2 > slast || s2 == 0) {
                    continue;
                }
                // Test against the running bump: one pass can step over many
                // items (testing against cand made hostile files cost O(n^3)).
                if (collides(ip, best, ssize, bump, kind == 1 && drift == 0, k, s2, *o2, kind2 == 1)) {
                    bump = *o2 + s2;
                }
            }
            if (bump == cand) {
                break;
            }
            cand = bump;
        }
        cand += drift;
        // A streaming op's output may sit just below its input (or the input
        // just above its output): try that spot too, keep the lower one.
        if (kind == 1 && n_ov > 0) {
            for (uint32_t k = 0; k < p.nt; k++) {
                uint32_t s2, *o2;
                int32_t f2, l2, delta;
                uint8_t *fl2;
                if (k == best || item_get(&p, k, &s2, &f2, &l2, &o2, &fl2, &dummy) != 1
                    || !(*fl2 & TFLM_TF_PLACED)) {
                    continue;
                }
                int r = overlap_pair(ip, best, k, &delta);
                int64_t at;
                if (r == 1) {
                    at = ((int64_t)*o2 + delta) & ~(int64_t)(TFLM_ALIGN - 1);
                } else if (r == 2) {
                    at = ((int64_t)*o2 - delta + (TFLM_ALIGN - 1)) & ~(int64_t)(TFLM_ALIGN - 1);
                } else {
                    continue;
                }
                if (at < 0 || at >= cand) {
                    continue;
                }
                int ok = 1;
                for (uint32_t j = 0; j < total && ok; j++) {
                    uint32_t s3, *o3;
                    int32_t f3, l3;
                    uint8_t *fl3;
                    int kind3 = item_get(&p, j, &s3, &f3, &l3, &o3, &fl3, &dummy);
                    if (!kind3 || j == best) {
                        continue;
                    }
                    int placed = kind3 == 1 ? (*fl3 & TFLM_TF_PLACED) != 0 : *o3 != UINT32_MAX;
                    if (placed && l3 >= first && f3 <= last && s3 != 0
                        && collides(ip, best, size, (uint32_t)at, 1, j, s3, *o3, kind3 == 1)) {
                        ok = 0;
                    }
                }
                if (ok) {
                    cand = (uint32_t)at;
                }
            }
        }
        *off = cand;
        if (kind == 1) {
            *flags |= TFLM_TF_PLACED;
        }
        if (cand + size > head) {
            head = cand + size;
        }
    }
    for (uint32_t i = 0; i < p.no; i++) {
        if (ip->n[i].scratch == UINT32_MAX) {
            ip->n[i].scratch = 0;
        }
    }
    return ALIGN_UP(head);
}

static uint32_t root_of(tflm_interp_t *ip, uint32_t t) {
    if (is_const(ip, t)) {
        return t;
    }
    while (ip->t[ip->tmap[t]].root != t) {
        t = ip->t[ip->tmap[t]].root;
    }
    return t;
}

// Share memory between an op's input 0 and output 0 where the registry allows it.
static void plan_aliases(tflm_interp_t *ip) {
    const tflm_model_t *m = ip->model;
    for (uint32_t i = 0; i < m->n_ops; i++) {
        tflm_rt_node_t *n = &ip->n[i];
        uint32_t flags = tflm_registry[n->reg].flags;
        if (!(flags & (TFLM_OPF_ALIAS | TFLM_OPF_INPLACE)) || n->n_in < 1 || n->n_out < 1) {
            continue;
        }
        int32_t a = idx_at(m, n->in, 0), b = idx_at(m, n->out, 0);
        if (a < 0 || a == b) {
            continue;
        }
        tflm_rt_tensor_t *ta = rec(ip, (uint32_t)a), *tb = rec(ip, (uint32_t)b);
        if (ta->loc != TFLM_LOC_ARENA || tb->loc != TFLM_LOC_ARENA || ta->bytes != tb->bytes || tb->root != (uint16_t)b) {
            continue;
        }
        if (tb->flags & TFLM_TF_INPUT) {
            continue;
        }
        // The output must not be produced twice or read before this op.
        if (tb->first != (int16_t)i) {
            continue;
        }
        uint32_t r = root_of(ip, (uint32_t)a);
        tflm_rt_tensor_t *tr = rec(ip, r);
        if (flags & TFLM_OPF_INPLACE) {
            // Writing over input 0 is safe only if nothing reads its memory later.
            if (tr->last != (int16_t)i) {
                continue;
            }
            // Another input of this op must not share the memory either.
            int shared = 0;
            for (uint32_t k = 1; k < n->n_in; k++) {
                int32_t c = idx_at(m, n->in, k);
                if (c >= 0 && rec(ip, (uint32_t)c)->loc == TFLM_LOC_ARENA && root_of(ip, (uint32_t)c) == r) {
                    shared = 1;
                }
            }
            if (shared) {
                continue;
            }
        }
        tb->root = (uint16_t)r;
        if (tb->last > tr->last) {
            tr->last = tb->last;
        }
        if (tb->flags & TFLM_TF_OUTPUT) {
            tr->last = (int16_t)(m->n_ops ? m->n_ops - 1 : 0);
        }
    }
}

// ---- building --------------------------------------------------------------

static tflm_status_t setup_tables(tflm_interp_t *ip) {
    const tflm_model_t *m = ip->model;
    int16_t last_op = (int16_t)(m->n_ops ? m->n_ops - 1 : 0);
    uint32_t r = 0;
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        tflm_fb_table_t tt;
        tflm_model_tensor_table(m, (int32_t)i, &tt);
        if ((ip->lean && tflm_model_tensor_const(m, &tt)) || r >= n_records(m, ip->lean)) {
            ip->tmap[i] = TFLM_RT_CONST;
            continue;
        }
        ip->tmap[i] = (uint16_t)r;
        read_rec(m, i, &ip->t[r++]);
    }
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        if (is_const(ip, (uint32_t)tflm_model_input(m, k))) {
            return set_err(ip, TFLM_ERR_MODEL_CORRUPT, -1, tflm_model_input(m, k), "a model input is a constant");
        }
        tflm_rt_tensor_t *t = rec(ip, (uint32_t)tflm_model_input(m, k));
        t->flags |= TFLM_TF_INPUT | TFLM_TF_USED;
        // As in TFLM, an input lives from the start to its last reader: its
        // memory may be reused afterwards, so inputs are written before each invoke.
        t->first = 0;
    }
    for (uint32_t k = 0; k < m->n_outputs; k++) {
        if (is_const(ip, (uint32_t)tflm_model_output(m, k))) {
            continue;   // a constant output: its view reads the model
        }
        tflm_rt_tensor_t *t = rec(ip, (uint32_t)tflm_model_output(m, k));
        t->flags |= TFLM_TF_OUTPUT | TFLM_TF_USED;
    }
    for (uint32_t i = 0; i < m->n_ops; i++) {
        tflm_rt_node_t *n = &ip->n[i];
        tflm_fb_table_t op;
        memset(n, 0, sizeof(*n));
        n->ov_delta = TFLM_NO_OVERLAP;
        tflm_model_op_table(m, i, &op);
        uint32_t nin = 0, nout = 0;
        n->in = tflm_fb_vec(&op, FB_OP_INPUTS, 4, &nin, NULL);
        n->out = tflm_fb_vec(&op, FB_OP_OUTPUTS, 4, &nout, NULL);
        n->n_in = (uint8_t)nin;
        n->n_out = (uint8_t)nout;
        int32_t builtin, version;
        const char *custom;
        uint32_t clen;
        tflm_model_opcode(m, &op, &builtin, &version, &custom, &clen);
        int32_t r = tflm_registry_find(builtin, custom, clen);
        if (r < 0) {
            set_err(ip, TFLM_ERR_UNSUPPORTED_OP, (int32_t)i, -1, "op not in this engine's registry");
            if (builtin == 32 && custom != NULL) {
                uint32_t k = 0;
                for (; k < clen && k + 1 < sizeof(ip->err.custom); k++) {
                    char c = custom[k];
                    ip->err.custom[k] = (c >= 32 && c < 127) ? c : '?';
                }
                ip->err.custom[k] = 0;
                ip->err.op_name = NULL;
            }
            return TFLM_ERR_UNSUPPORTED_OP;
        }
        n->reg = (uint8_t)r;
        for (uint32_t k = 0; k < nin; k++) {
            int32_t x = idx_at(m, n->in, k);
            if (x < 0 || is_const(ip, (uint32_t)x)) {
                continue;
            }
            tflm_rt_tensor_t *t = &ip->t[ip->tmap[x]];
            t->flags |= TFLM_TF_USED;
            if (t->first < 0) {
                t->first = (int16_t)i;
            }
            if (t->last < (int16_t)i) {
                t->last = (int16_t)i;
            }
        }
        for (uint32_t k = 0; k < nout; k++) {
            int32_t x = idx_at(m, n->out, k);
            if (is_const(ip, (uint32_t)x)) {
                return set_err(ip, TFLM_ERR_MODEL_CORRUPT, (int32_t)i, x, "an op writes into a constant tensor");
            }
            tflm_rt_tensor_t *t = &ip->t[ip->tmap[x]];
            if (t->flags & TFLM_TF_INPUT) {
                return set_err(ip, TFLM_ERR_MODEL_CORRUPT, (int32_t)i, x, "an op writes into a model input");
            }
            t->flags |= TFLM_TF_USED;
            if (t->first < 0) {
                t->first = (int16_t)i;
            }
            if (t->last < (int16_t)i) {
                t->last = (int16_t)i;
            }
        }
    }
    for (uint32_t i = 0; i < n_records(m, ip->lean); i++) {
        tflm_rt_tensor_t *t = &ip->t[i];
        if (t->flags & TFLM_TF_OUTPUT) {
            if (t->first < 0) {
                t->first = 0;
            }
            t->last = last_op;
        }
        if (t->loc == TFLM_LOC_NONE && (t->flags & TFLM_TF_USED)) {
            t->loc = TFLM_LOC_ARENA;
            if (t->first < 0) {
                t->first = 0;
            }
            if (t->last < t->first) {
                t->last = t->first;
            }
        }
    }
    return TFLM_OK;
}

// An op's views on the stack: as many as the model's largest op needs (at
// most TFLM_MAX_OP_IN + TFLM_MAX_OP_OUT, checked at load), inputs first.
#define OP_VIEWS(ip) tflm_tensor_t io[(ip)->model->max_io > 0 ? (ip)->model->max_io : 1u]

static tflm_status_t prepare_all(tflm_interp_t *ip) {
    OP_VIEWS(ip);
    tflm_node_t node;
    for (uint32_t i = 0; i < ip->model->n_ops; i++) {
        make_node(ip, i, &node, io, io + ip->n[i].n_in, 1);
        ip->err.status = TFLM_OK;
        tflm_status_t st = tflm_registry[ip->n[i].reg].prepare(&node);
        if (st != TFLM_OK) {
            if (ip->err.status == TFLM_OK || ip->err.op_index != (int32_t)i) {
                set_err(ip, st, (int32_t)i, -1, NULL);
            }
            return st;
        }
        if (!ip->measuring && ip->n[i].data_bytes != 0 && ip->n[i].data == 0) {
            return set_err(ip, TFLM_ERR_EVAL, (int32_t)i, -1, "kernel measured persistent data but did not take it");
        }
    }
    return TFLM_OK;
}

// Measure into tables at ip->t / ip->n: returns head and tail sizes.
static tflm_status_t measure(tflm_interp_t *ip, uint32_t *head, uint32_t *tail) {
    const tflm_model_t *m = ip->model;
    ip->measuring = 1;
    tflm_status_t st = setup_tables(ip);
    if (st == TFLM_OK) {
        st = prepare_all(ip);
    }
    ip->measuring = 0;
    if (st != TFLM_OK) {
        return st;
    }
    plan_aliases(ip);
    // Two placements (with and without room kept for overlapping chains):
    // keep the smaller, placed again so the offsets are its own.
    uint32_t h0 = plan_greedy(ip, 0), h1 = h0;
    for (uint32_t i = 0; i < m->n_ops; i++) {
        if (ip->n[i].ov_delta != TFLM_NO_OVERLAP) {
            h1 = plan_greedy(ip, 1);
            if (h0 <= h1) {
                plan_greedy(ip, 0);
            }
            break;
        }
    }
    *head = h0 <= h1 ? h0 : h1;
    if (*head == 0) {
        // Offset 0 means "no op data" in tflm_rt_node_t: keep the persistent
        // region off it when nothing is planned (all tensors const/variable).
        *head = TFLM_ALIGN;
    }
    uint64_t t = table_bytes(m, ip->lean);
    for (uint32_t i = 0; i < m->n_ops; i++) {
        t += ip->n[i].data_bytes + (ip->lean ? 0u : ip->n[i].derived_bytes);
    }
    for (uint32_t i = 0; i < n_records(m, ip->lean); i++) {
        if (ip->t[i].loc == TFLM_LOC_PERSIST) {
            t += ALIGN_UP(ip->t[i].bytes);
        }
    }
    if (t + *head > 0x7fffffffu) {
        return set_err(ip, TFLM_ERR_MODEL_LIMIT, -1, -1, "arena would exceed 2 GB");
    }
    *tail = (uint32_t)t;
    return TFLM_OK;
}

tflm_status_t tflm_interp_measure(const tflm_model_t *m, void *work, uint32_t work_len, uint32_t *needed, tflm_error_t *err) {
    return tflm_interp_measure_ex(m, 0, work, work_len, needed, err);
}

tflm_status_t tflm_interp_measure_ex(const tflm_model_t *m, uint32_t flags, void *work, uint32_t work_len, uint32_t *needed, tflm_error_t *err) {
    tflm_interp_t ip;
    memset(&ip, 0, sizeof(ip));
    ip.model = m;
    ip.lean = (flags & TFLM_PLAN_LEAN) != 0;
    ip.dual = (flags & TFLM_PLAN_DUAL) != 0;
    *needed = 0;
    if (work_len < table_bytes(m, ip.lean) || ((uintptr_t)work & (TFLM_ALIGN - 1)) != 0) {
        set_err(&ip, TFLM_ERR_ARENA_TOO_SMALL, -1, -1, "measure needs tflm_interp_work_size() aligned bytes");
        ip.err.needed = table_bytes(m, ip.lean);
        if (err) {
            *err = ip.err;
        }
        return TFLM_ERR_ARENA_TOO_SMALL;
    }
    set_tables(&ip, (uint8_t *)work);
    uint32_t head, tail;
    tflm_status_t st = measure(&ip, &head, &tail);
    if (st == TFLM_OK) {
        *needed = head + tail;
    }
    if (err) {
        *err = ip.err;
        err->status = st;
    }
    return st;
}

// As TFLM: a variable tensor's buffer in the file is ignored; int8 variables
// start at their zero point, every other type at zero bytes.
static void reset_variables(tflm_interp_t *ip) {
    const tflm_model_t *m = ip->model;
    for (uint32_t i = 0; i < n_records(m, ip->lean); i++) {
        tflm_rt_tensor_t *t = &ip->t[i];
        if (t->loc != TFLM_LOC_PERSIST) {
            continue;
        }
        int v = t->type == TFLM_INT8 ? (int)(uint8_t)t->zero_point : 0;
        memset(ip->arena + t->data, v, t->bytes);
    }
}

tflm_status_t tflm_interp_init(tflm_interp_t *ip, const tflm_model_t *m, void *arena, uint32_t arena_size) {
    return tflm_interp_init_ex(ip, m, 0, arena, arena_size);
}

tflm_status_t tflm_interp_init_ex(tflm_interp_t *ip, const tflm_model_t *m, uint32_t flags, void *arena, uint32_t arena_size) {
    memset(ip, 0, sizeof(*ip));
    ip->model = m;
    ip->lean = (flags & TFLM_PLAN_LEAN) != 0;
    ip->dual = (flags & TFLM_PLAN_DUAL) != 0;
    ip->err.op_index = -1;
    ip->err.tensor = -1;
    ip->err.builtin = -1;
    if (arena == NULL || ((uintptr_t)arena & (TFLM_ALIGN - 1)) != 0) {
        return set_err(ip, TFLM_ERR_ARENA_ALIGN, -1, -1, "arena must be 8-byte aligned");
    }
    uint32_t tb = table_bytes(m, ip->lean);
    arena_size &= ~(uint32_t)(TFLM_ALIGN - 1);
    if (arena_size < tb) {
        set_err(ip, TFLM_ERR_ARENA_TOO_SMALL, -1, -1, "arena smaller than the model's tables");
        ip->err.needed = tb;
        return TFLM_ERR_ARENA_TOO_SMALL;
    }
    ip->arena = (uint8_t *)arena;
    ip->arena_size = arena_size;
    set_tables(ip, ip->arena + arena_size - tb);
    uint32_t head, tail;
    tflm_status_t st = measure(ip, &head, &tail);
    if (st != TFLM_OK) {
        return st;
    }
    if ((uint64_t)head + tail > arena_size) {
        set_err(ip, TFLM_ERR_ARENA_TOO_SMALL, -1, -1, NULL);
        ip->err.needed = head + tail;
        return TFLM_ERR_ARENA_TOO_SMALL;
    }
    ip->head = head;
    ip->tail = tail;
    ip->cursor = arena_size - tb;
    for (uint32_t i = 0; i < n_records(m, ip->lean); i++) {
        tflm_rt_tensor_t *t = &ip->t[i];
        if (t->loc == TFLM_LOC_PERSIST) {
            ip->cursor -= ALIGN_UP(t->bytes);
            t->data = ip->cursor;
        }
    }
    // Keep the measured per-op sizes; clear offsets for the real pass.
    for (uint32_t i = 0; i < m->n_ops; i++) {
        ip->n[i].data = 0;
        ip->n[i].derived = 0;
    }
    st = prepare_all(ip);
    if (st != TFLM_OK) {
        return st;
    }
    reset_variables(ip);
    ip->err.status = TFLM_OK;
    ip->ready = 1;
    return TFLM_OK;
}

tflm_status_t tflm_interp_invoke(tflm_interp_t *ip) {
    return tflm_interp_invoke_range(ip, 0, ip->model ? ip->model->n_ops : 0);
}

tflm_status_t tflm_interp_invoke_range(tflm_interp_t *ip, uint32_t from, uint32_t to) {
    if (!ip->ready) {
        return TFLM_ERR_NOT_READY;
    }
    OP_VIEWS(ip);
    tflm_node_t node;
    const tflm_model_t *m = ip->model;
    if (to > m->n_ops) {
        to = m->n_ops;
    }
    ip->par_runs = 0;
    ip->par_single = 0;
    for (uint32_t i = from; i < to; i++) {
        uint32_t t0 = ip->clock ? ip->clock() : 0;
        // Lean plans fill derived data from the model's quantisation at
        // every eval: those views need the per-channel details.
        make_node(ip, i, &node, io, io + ip->n[i].n_in, ip->lean && ip->n[i].derived_bytes != 0);
        const uint32_t runs = ip->par_runs;
        tflm_status_t st = tflm_registry[ip->n[i].reg].eval(&node);
        if (st != TFLM_OK) {
            if (ip->err.status == TFLM_OK || ip->err.op_index != (int32_t)i) {
                set_err(ip, st, (int32_t)i, -1, NULL);
            }
            return st;
        }
        ip->n[i].ticks = ip->clock ? ip->clock() - t0 : 0;
        ip->n[i].cores = ip->par_runs != runs ? 2u : 1u;
    }
    return TFLM_OK;
}

tflm_status_t tflm_interp_reset(tflm_interp_t *ip) {
    if (!ip->ready) {
        return TFLM_ERR_NOT_READY;
    }
    reset_variables(ip);
    // Ops that keep state in their op data (TFLM's TFLMRegistration::reset).
    OP_VIEWS(ip);
    tflm_node_t node;
    for (uint32_t i = 0; i < ip->model->n_ops; i++) {
        tflm_kernel_fn reset = tflm_registry[ip->n[i].reg].reset;
        if (reset == NULL) {
            continue;
        }
        make_node(ip, i, &node, io, io + ip->n[i].n_in, 0);
        tflm_status_t st = reset(&node);
        if (st != TFLM_OK) {
            return set_err(ip, st, (int32_t)i, -1, NULL);
        }
    }
    return TFLM_OK;
}

uint32_t tflm_interp_arena_used(const tflm_interp_t *ip) {
    return ip->head + ip->tail;
}

void *tflm_interp_tensor_data(const tflm_interp_t *ip, int32_t index) {
    if (!ip->ready || index < 0 || (uint32_t)index >= ip->model->n_tensors) {
        return NULL;
    }
    tflm_tensor_t v;
    make_view(ip, index, &v, 0);
    return v.data;
}

uint32_t tflm_interp_op_ticks(const tflm_interp_t *ip, uint32_t op) {
    return ip->ready && op < ip->model->n_ops ? ip->n[op].ticks : 0;
}

uint32_t tflm_interp_op_cores(const tflm_interp_t *ip, uint32_t op) {
    return ip->ready && op < ip->model->n_ops && ip->n[op].cores == 2 ? 2u : 1u;
}

// ---- messages --------------------------------------------------------------

const char *tflm_status_str(tflm_status_t st) {
    static const char *const s[TFLM_STATUS_COUNT] = {
        "ok",
        "model file is truncated",
        "not a TFLite model",
        "model file is corrupt",
        "unsupported model schema version",
        "model data is misaligned",
        "model exceeds an engine limit",
        "model must have one subgraph",
        "unsupported op",
        "unsupported tensor type for this op",
        "tensor shapes do not fit the op",
        "invalid quantization parameters",
        "invalid op parameter",
        "op parameter must be constant",
        "arena too small",
        "arena misaligned",
        "model not ready",
        "index out of range",
        "op failed while running",
    };
    return (unsigned)st < TFLM_STATUS_COUNT ? s[st] : "unknown error";
}

typedef struct {
    char *p;
    size_t left;
} out_t;

static void put_s(out_t *o, const char *s, size_t n) {
    while (n-- && *s && o->left > 1) {
        *o->p++ = *s++;
        o->left--;
    }
    *o->p = 0;
}

static void put_str(out_t *o, const char *s) {
    put_s(o, s, (size_t)-1);
}

static void put_int(out_t *o, int64_t v) {
    char tmp[24];
    int k = 0;
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        tmp[k++] = '-';
    }
    while (k) {
        char c[2] = { tmp[--k], 0 };
        put_str(o, c);
    }
}

char *tflm_error_format(const tflm_error_t *e, char *buf, size_t len) {
    out_t o = { buf, len };
    if (len == 0) {
        return buf;
    }
    buf[0] = 0;
    if (e->status == TFLM_ERR_UNSUPPORTED_OP) {
        put_str(&o, "unsupported op ");
        if (e->op_name) {
            put_str(&o, e->op_name);
        } else {
            put_str(&o, "CUSTOM '");
            put_str(&o, e->custom);
            put_str(&o, "'");
        }
        put_str(&o, " (builtin code ");
        put_int(&o, e->builtin);
        put_str(&o, ", version ");
        put_int(&o, e->version);
        put_str(&o, ") at op #");
        put_int(&o, e->op_index);
        put_str(&o, ": this engine cannot run the model; see tflm.ops() for the supported ops");
        return buf;
    }
    if (e->status == TFLM_ERR_ARENA_TOO_SMALL) {
        put_str(&o, "arena too small: the model needs ");
        put_int(&o, e->needed);
        put_str(&o, " bytes");
        if (e->detail) {
            put_str(&o, " (");
            put_str(&o, e->detail);
            put_str(&o, ")");
        }
        return buf;
    }
    put_str(&o, tflm_status_str(e->status));
    if (e->detail) {
        put_str(&o, ": ");
        put_str(&o, e->detail);
    }
    if (e->op_index >= 0) {
        put_str(&o, " (op #");
        put_int(&o, e->op_index);
        if (e->op_name) {
            put_str(&o, " ");
            put_str(&o, e->op_name);
        }
        put_str(&o, ")");
    }
    if (e->tensor >= 0) {
        put_str(&o, " (tensor ");
        put_int(&o, e->tensor);
        put_str(&o, ")");
    }
    return buf;
}
