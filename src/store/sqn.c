/* SQN generation and re-synchronisation for the HE (TS 33.102 Annex C, see sqn.h). */
#include "store/sqn.h"

#include "core/err.h"

int g5_sqn_step(uint64_t sqn_he, uint64_t *next)
{
    uint64_t seq = g5_sqn_seq(sqn_he);
    if (seq >= G5_SQN_SEQ_MAX)
        return G5_ERR_LIMIT;
    *next = g5_sqn_make(seq + 1, g5_sqn_ind(sqn_he) + 1);
    return 0;
}

int g5_sqn_resync_value(uint64_t sqn_he, uint64_t sqn_ms, uint64_t *new_he)
{
    if (sqn_ms > G5_SQN_MAX)
        return G5_ERR_INVALID;
    uint64_t seq_he = g5_sqn_seq(sqn_he), seq_ms = g5_sqn_seq(sqn_ms);
    /* §6.3.5: keep SQN_HE if SQN_HE + 1 would be accepted (C.2.2 with Δ, C.3). */
    if (seq_he + 1 > seq_ms && seq_he + 1 - seq_ms <= G5_SQN_DELTA) {
        *new_he = sqn_he;
        return 0;
    }
    if (seq_ms >= G5_SQN_SEQ_MAX)
        return G5_ERR_LIMIT;
    *new_he = g5_sqn_make(seq_ms, g5_sqn_ind(sqn_he));
    return 0;
}

static int next_fn(uint64_t old_sqn, uint64_t *new_sqn, void *arg)
{
    (void)arg;
    return g5_sqn_step(old_sqn, new_sqn);
}

static int resync_fn(uint64_t old_sqn, uint64_t *new_sqn, void *arg)
{
    return g5_sqn_resync_value(old_sqn, *(const uint64_t *)arg, new_sqn);
}

int g5_sqn_next(g5_store *st, const char *supi, uint64_t *sqn)
{
    return g5_store_sqn_update(st, supi, next_fn, NULL, sqn);
}

int g5_sqn_resync(g5_store *st, const char *supi, uint64_t sqn_ms, uint64_t *sqn_he)
{
    uint64_t v;
    int rc = g5_store_sqn_update(st, supi, resync_fn, &sqn_ms, &v);
    if (rc == 0 && sqn_he)
        *sqn_he = v;
    return rc;
}

/* §6.3.5 then C.3.2: SQN_HE after the resync, then the next SQN from it. */
static int resync_next_fn(uint64_t old_sqn, uint64_t *new_sqn, void *arg)
{
    uint64_t he;
    int rc = g5_sqn_resync_value(old_sqn, *(const uint64_t *)arg, &he);
    return rc ? rc : g5_sqn_step(he, new_sqn);
}

void g5_sqn_op_next(g5_sqn_op *op, const char *supi)
{
    *op = (g5_sqn_op){.supi = supi, .fn = next_fn};
}

void g5_sqn_op_resync_next(g5_sqn_op *op, const char *supi, uint64_t sqn_ms)
{
    *op = (g5_sqn_op){.supi = supi, .fn = resync_next_fn, .param = sqn_ms};
    op->arg = &op->param;
}
