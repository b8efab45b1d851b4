// Shared helpers of the elementwise kernels.
#include <math.h>
#include "elem_util.h"
#include "qmath.h"

tflm_status_t tflm_bcast_prepare(tflm_node_t *node, const tflm_tensor_t *a, const tflm_tensor_t *b,
    const tflm_tensor_t *out, tflm_bcast_t *bc) {
    TFLM_CHECK(node, a->ndim >= 0 && a->ndim <= TFLM_BCAST_DIMS && b->ndim >= 0 && b->ndim <= TFLM_BCAST_DIMS
        && out->ndim >= 0 && out->ndim <= TFLM_BCAST_DIMS, TFLM_ERR_BAD_SHAPE, "too many dims to broadcast");
    int32_t ad[TFLM_BCAST_DIMS], bd[TFLM_BCAST_DIMS], od[TFLM_BCAST_DIMS];
    for (int d = 0; d < TFLM_BCAST_DIMS; ++d) {
        int ka = d - (TFLM_BCAST_DIMS - a->ndim);
        int kb = d - (TFLM_BCAST_DIMS - b->ndim);
        int ko = d - (TFLM_BCAST_DIMS - out->ndim);
        ad[d] = ka >= 0 ? a->dims[ka] : 1;
        bd[d] = kb >= 0 ? b->dims[kb] : 1;
        od[d] = ko >= 0 ? out->dims[ko] : 1;
        TFLM_CHECK(node, ad[d] >= 0 && bd[d] >= 0 && od[d] >= 0, TFLM_ERR_BAD_SHAPE, "negative dim");
        int32_t want;
        if (ad[d] == bd[d]) {
            want = ad[d];
        } else if (ad[d] == 1) {
            want = bd[d];
        } else if (bd[d] == 1) {
            want = ad[d];
        } else {
            return tflm_fail(node, TFLM_ERR_BAD_SHAPE, "input shapes do not broadcast");
        }
        TFLM_CHECK(node, od[d] == want, TFLM_ERR_BAD_SHAPE, "output shape is not the broadcast shape");
    }
    // Natural strides; a dimension of extent 1 is walked with stride 0.
    int32_t sa[TFLM_BCAST_DIMS], sb[TFLM_BCAST_DIMS];
    int64_t pa = 1, pb = 1;
    for (int d = TFLM_BCAST_DIMS - 1; d >= 0; --d) {
        sa[d] = ad[d] == 1 ? 0 : (int32_t)pa;
        sb[d] = bd[d] == 1 ? 0 : (int32_t)pb;
        pa *= ad[d];
        pb *= bd[d];
        TFLM_CHECK(node, pa <= INT32_MAX && pb <= INT32_MAX, TFLM_ERR_BAD_SHAPE, "tensor too large");
    }
    // Keep the dims of extent != 1, merging neighbours walked as one run.
    int32_t n = 0;
    for (int d = 0; d < TFLM_BCAST_DIMS; ++d) {
        if (od[d] == 1) {
            continue;
        }
        if (n > 0) {
            int p = n - 1;
            int64_t e = od[d];
            if ((int64_t)bc->s1[p] == (int64_t)sa[d] * e && (int64_t)bc->s2[p] == (int64_t)sb[d] * e) {
                bc->dims[p] = (int32_t)(bc->dims[p] * e);
                bc->s1[p] = sa[d];
                bc->s2[p] = sb[d];
                continue;
            }
        }
        bc->dims[n] = od[d];
        bc->s1[n] = sa[d];
        bc->s2[n] = sb[d];
        ++n;
    }
    if (n == 0) {
        bc->dims[0] = 1;
        bc->s1[0] = 0;
        bc->s2[0] = 0;
        n = 1;
    }
    bc->ndim = n;
    return TFLM_OK;
}

void tflm_bcast_run(const tflm_bcast_t *bc, tflm_bcast_row_fn row, void *ctx) {
    int32_t nd = bc->ndim;
    for (int32_t d = 0; d < nd; ++d) {
        if (bc->dims[d] == 0) {
            return;
        }
    }
    int32_t idx[TFLM_BCAST_DIMS] = { 0 };
    uint32_t ia = 0, ib = 0, io = 0;
    int32_t inner = bc->dims[nd - 1];
    for (;;) {
        row(ctx, ia, bc->s1[nd - 1], ib, bc->s2[nd - 1], io, inner);
        io += (uint32_t)inner;
        int32_t d = nd - 2;
        while (d >= 0) {
            ++idx[d];
            ia += (uint32_t)bc->s1[d];
            ib += (uint32_t)bc->s2[d];
            if (idx[d] < bc->dims[d]) {
                break;
            }
            ia -= (uint32_t)bc->s1[d] * (uint32_t)bc->dims[d];
            ib -= (uint32_t)bc->s2[d] * (uint32_t)bc->dims[d];
            idx[d] = 0;
            --d;
        }
        if (d < 0) {
            break;
        }
    }
}

tflm_status_t tflm_elem_check_io(tflm_node_t *node, int32_t n_in, int32_t n_out) {
    TFLM_CHECK(node, node->n_in == n_in && node->n_out == n_out, TFLM_ERR_BAD_PARAM, "wrong number of inputs/outputs");
    for (int32_t i = 0; i < n_in; ++i) {
        TFLM_CHECK(node, node->in[i].index >= 0, TFLM_ERR_BAD_PARAM, "missing input");
    }
    for (int32_t i = 0; i < n_out; ++i) {
        TFLM_CHECK(node, node->out[i].index >= 0, TFLM_ERR_BAD_PARAM, "missing output");
    }
    return TFLM_OK;
}

int tflm_elem_per_tensor(const tflm_tensor_t *t) {
    return t->n_scales >= 1 && t->scale > 0.0f && isfinite(t->scale);
}

void tflm_elem_quantize_multiplier_signed(double m, int32_t *qm, int32_t *shift) {
    if (m == 0.0 || !isfinite(m)) {
        *qm = 0;
        *shift = 0;
        return;
    }
    int e = 0;
    double q = frexp(m, &e);
    int64_t fixed = (int64_t)round(q * (double)((int64_t)1 << 31));
    if (fixed == ((int64_t)1 << 31) || fixed == -((int64_t)1 << 31)) {
        fixed /= 2;
        ++e;
    }
    if (e < -31) {
        e = 0;
        fixed = 0;
    }
    if (e > 30) {
        e = 30;
        fixed = fixed < 0 ? -INT32_MAX : INT32_MAX;
    }
    *qm = (int32_t)fixed;
    *shift = e;
}
