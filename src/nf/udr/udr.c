/* Nudr_DataRepository over the subscriber store (udr.h): maps store records to the
 * TS 29.505 resource shapes and store errors to TS 29.504 ProblemDetails. */
#define G5_LOG_MODULE "udr"
#include "nf/udr/udr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "core/log.h"
#include "store/sqn.h"

struct udr {
    g5_store *store;
};

udr *udr_new(g5_store *store)
{
    if (!store)
        return NULL;
    udr *u = calloc(1, sizeof *u);
    if (u)
        u->store = store;
    return u;
}

void udr_free(udr *u)
{
    free(u);
}

/* Store error -> ProblemDetails (TS 29.504 Table 6.1.7.3-1, TS 29.500 §5.2.7.2). */
static int problem_detail(int rc, udr_problem *pd, const char *detail)
{
    if (!pd)
        return rc;
    const char *cause = "SYSTEM_FAILURE";
    int status = 500;
    switch (rc) {
    case G5_ERR_NOT_FOUND:
        status = 404;
        cause = "USER_NOT_FOUND";
        break;
    case G5_ERR_INVALID:
        status = 400;
        cause = "MANDATORY_IE_INCORRECT";
        break;
    case G5_ERR_AGAIN:
        status = 503;
        cause = "NF_CONGESTION";
        break;
    case G5_ERR_LIMIT:
        status = 403;
        cause = "SQN_EXHAUSTED";
        break; /* glass5g-specific */
    default: break;
    }
    pd->status = status;
    snprintf(pd->cause, sizeof pd->cause, "%s", cause);
    snprintf(pd->detail, sizeof pd->detail, "%s", detail);
    return rc;
}

static int problem(udr *u, int rc, udr_problem *pd)
{
    return problem_detail(rc, pd, g5_store_errmsg(u->store));
}

static int get_sub(udr *u, const char *supi, g5_subscriber *sub, udr_problem *pd)
{
    int rc = g5_store_sub_get(u->store, supi, sub);
    if (rc) {
        if (rc != G5_ERR_NOT_FOUND)
            G5_LOGW("%s", g5_store_errmsg(u->store));
        return problem(u, rc, pd);
    }
    return 0;
}

int udr_auth_subscription_get(udr *u, const char *supi, udr_auth_subscription *resp,
                              udr_problem *pd)
{
    g5_subscriber sub;
    int rc = get_sub(u, supi, &sub, pd);
    if (rc)
        return rc;
    memset(resp, 0, sizeof *resp);
    resp->authentication_method = sub.auth_method;
    memcpy(resp->enc_permanent_key, sub.k, 16);
    resp->has_opc = sub.op_kind == G5_OP_IS_OPC;
    memcpy(resp->enc_opc_key, sub.op, 16);
    memcpy(resp->authentication_management_field, sub.amf, 2);
    resp->sqn = sub.sqn;
    resp->ind_length = G5_SQN_IND_BITS;
    resp->algorithm_id = "milenage";
    g5_subscriber_wipe(&sub);
    return 0;
}

void udr_auth_subscription_wipe(udr_auth_subscription *resp)
{
    OPENSSL_cleanse(resp->enc_permanent_key, sizeof resp->enc_permanent_key);
    OPENSSL_cleanse(resp->enc_opc_key, sizeof resp->enc_opc_key);
}

int udr_auth_sqn_next(udr *u, const char *supi, udr_sqn *resp, udr_problem *pd)
{
    int rc = g5_sqn_next(u->store, supi, &resp->sqn);
    return rc ? problem(u, rc, pd) : 0;
}

int udr_auth_sqn_resync(udr *u, const char *supi, uint64_t sqn_ms, udr_sqn *resp, udr_problem *pd)
{
    if (sqn_ms > G5_SQN_MAX) {
        g5_store_fail(u->store, G5_ERR_INVALID, "sqn_ms: must fit in 48 bits");
        return problem(u, G5_ERR_INVALID, pd);
    }
    int rc = g5_sqn_resync(u->store, supi, sqn_ms, &resp->sqn);
    return rc ? problem(u, rc, pd) : 0;
}

/* The problem of one patch whose own op failed (the store's message is per handle, so
 * it names only the last failure: build the detail from the op instead). */
static void patch_problem(const udr_sqn_patch *p, int rc, udr_problem *pd)
{
    char detail[sizeof pd->detail];
    switch (rc) {
    case G5_ERR_NOT_FOUND:
        snprintf(detail, sizeof detail, "subscriber %s does not exist", p->supi);
        break;
    case G5_ERR_LIMIT:
        snprintf(detail, sizeof detail, "sqn of %s: SEQ exhausted (TS 33.102 C.3)", p->supi);
        break;
    default: snprintf(detail, sizeof detail, "sqn of %.40s: %s", p->supi, g5_strerror(rc)); break;
    }
    problem_detail(rc, pd, detail);
}

int udr_auth_sqn_next_batch(udr *u, udr_sqn_patch *patches, size_t n)
{
    if (n == 0)
        return 0;
    g5_sqn_op *ops = calloc(n, sizeof *ops);
    if (!ops) {
        for (size_t i = 0; i < n; i++) {
            patches[i].rc = G5_ERR_NOMEM;
            problem_detail(G5_ERR_NOMEM, &patches[i].pd, "out of memory");
        }
        return G5_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const udr_sqn_patch *p = &patches[i];
        if (p->has_resync)
            g5_sqn_op_resync_next(&ops[i], p->supi, p->sqn_ms);
        else
            g5_sqn_op_next(&ops[i], p->supi);
        if (p->has_resync && p->sqn_ms > G5_SQN_MAX)
            ops[i].fn = NULL; /* refused by the store wrapper: G5_ERR_INVALID */
    }
    int rc = g5_store_sqn_update_batch(u->store, ops, n);
    if (rc)
        G5_LOGW("sqn group commit of %zu: %s", n, g5_store_errmsg(u->store));
    for (size_t i = 0; i < n; i++) {
        udr_sqn_patch *p = &patches[i];
        p->rc = ops[i].rc;
        if (p->rc == 0)
            p->resp.sqn = ops[i].new_sqn;
        else if (rc)
            problem(u, p->rc, &p->pd);
        else
            patch_problem(p, p->rc, &p->pd);
    }
    free(ops);
    return rc;
}

int udr_am_data_get(udr *u, const char *supi, udr_am_data *resp, udr_problem *pd)
{
    g5_subscriber sub;
    int rc = get_sub(u, supi, &sub, pd);
    if (rc)
        return rc;
    g5_subscriber_wipe(&sub);
    memset(resp, 0, sizeof *resp);
    if (sub.msisdn[0]) /* GPSI of type MSISDN, TS 29.571 §5.3.2 */
        snprintf(resp->gpsi, sizeof resp->gpsi, "msisdn-%s", sub.msisdn);
    memcpy(resp->default_single_nssais, sub.nssai, sizeof sub.nssai);
    resp->n_default_single_nssais = sub.n_nssai;
    resp->subscribed_ue_ambr_ul = sub.ambr_ul;
    resp->subscribed_ue_ambr_dl = sub.ambr_dl;
    return 0;
}

int udr_sm_data_get(udr *u, const char *supi, const g5_snssai *single_nssai, udr_sm_data *resp,
                    udr_problem *pd)
{
    g5_subscriber sub;
    int rc = get_sub(u, supi, &sub, pd);
    if (rc)
        return rc;
    g5_subscriber_wipe(&sub);
    memset(resp, 0, sizeof *resp);
    /* Every allowed DNN is offered on every subscribed slice (the record has one DNN set). */
    for (int i = 0; i < sub.n_nssai; i++) {
        const g5_snssai *sn = &sub.nssai[i];
        if (single_nssai && (single_nssai->sst != sn->sst || single_nssai->sd != sn->sd))
            continue;
        udr_sm_data_item *it = &resp->items[resp->n_items++];
        it->single_nssai = *sn;
        memcpy(it->dnns, sub.dnns, sizeof sub.dnns);
        it->n_dnns = sub.n_dnns;
        for (int d = 0; d < sub.n_dnns; d++)
            if (!strcmp(sub.dnns[d], sub.default_dnn))
                it->default_dnn = d;
    }
    if (single_nssai && resp->n_items == 0) {
        g5_store_fail(u->store, G5_ERR_NOT_FOUND, "%s has no subscription for that S-NSSAI", supi);
        if (pd) {
            problem(u, G5_ERR_NOT_FOUND, pd);
            snprintf(pd->cause, sizeof pd->cause, "DATA_NOT_FOUND");
        }
        return G5_ERR_NOT_FOUND;
    }
    return 0;
}
