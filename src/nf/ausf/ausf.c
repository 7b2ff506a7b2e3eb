/* AUSF (ausf.h): auth contexts, the UDM round trip and the 5G-AKA confirmation. The
 * EAP-AKA' server side is in ausf_eap.c.
 *
 * A request either waits for the UDM (state WAIT_UDM, holding the UDM request id so a
 * cancel can cancel that too) or for the AUSF's own completion queue (QUEUED). Auth
 * contexts are found by id only, never by pointer across a callback, so an expired or
 * consumed context can never be touched by a late completion. */
#define G5_LOG_MODULE "ausf"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/err.h"
#include "core/log.h"
#include "crypto/kdf.h"
#include "nf/ausf/ausf_internal.h"

ausf *ausf_new(uv_loop_t *loop, udm *um, const ausf_config *cfg)
{
    if (!loop || !um)
        return NULL;
    ausf *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    if (g5_sbi_queue_init(&a->q, loop)) {
        free(a);
        return NULL;
    }
    a->loop = loop;
    a->udm = um;
    if (cfg)
        a->cfg = *cfg;
    if (!a->cfg.ctx_lifetime_ms)
        a->cfg.ctx_lifetime_ms = 30000;
    if (!a->cfg.nf_instance_id[0])
        snprintf(a->cfg.nf_instance_id, sizeof a->cfg.nf_instance_id, "ausf-1");
    a->next_id = 1;
    /* Context ids start at a random point so they are not guessable across restarts. */
    uint32_t r = 0;
    RAND_bytes((uint8_t *)&r, sizeof r);
    a->next_ctx_id = ((uint64_t)r << 16) | 1;
    g5_hmap_init(&a->reqs);
    g5_hmap_init(&a->ctxs);
    return a;
}

static void ctx_wipe_free(ausf_ctx *c)
{
    g5_timer_free(c->expiry);
    OPENSSL_cleanse(c, sizeof *c);
    free(c);
}

void ausf_ctx_destroy(ausf_ctx *c)
{
    g5_hmap_del(&c->a->ctxs, c->id);
    ctx_wipe_free(c);
}

static void req_free(ausf_req *r)
{
    OPENSSL_cleanse(r, sizeof *r);
    free(r);
}

void ausf_free(ausf *a)
{
    if (!a)
        return;
    g5_sbi_queue_fini(&a->q); /* queued requests */
    uint64_t k;
    void *v;
    for (size_t i = 0; g5_hmap_next(&a->reqs, &i, &k, &v);) { /* requests waiting on the UDM */
        ausf_req *r = v;
        udm_cancel(a->udm, r->udm_id);
        req_free(r);
    }
    g5_hmap_free(&a->reqs);
    for (size_t i = 0; g5_hmap_next(&a->ctxs, &i, &k, &v);)
        ctx_wipe_free(v);
    g5_hmap_free(&a->ctxs);
    free(a);
}

size_t ausf_ctx_count(const ausf *a)
{
    return g5_hmap_len(&a->ctxs);
}

const char *ausf_auth_result_name(ausf_auth_result r)
{
    switch (r) {
    case AUSF_AUTHENTICATION_SUCCESS: return "AUTHENTICATION_SUCCESS";
    case AUSF_AUTHENTICATION_FAILURE: return "AUTHENTICATION_FAILURE";
    case AUSF_AUTHENTICATION_ONGOING: return "AUTHENTICATION_ONGOING";
    }
    return "?";
}

/* ---- requests ---------------------------------------------------------------------- */

ausf_req *ausf_req_new(ausf *a, enum ausf_op op, void *arg)
{
    ausf_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->a = a;
    r->op = op;
    r->arg = arg;
    r->id = a->next_id++;
    if (g5_hmap_put(&a->reqs, r->id, r)) {
        free(r);
        return NULL;
    }
    return r;
}

/* Before a callback: from here on ausf_cancel(id), even from inside the callback, is a
 * no-op, so the request cannot be freed under our feet. */
void ausf_req_detach(ausf_req *r)
{
    g5_hmap_del(&r->a->reqs, r->id);
}

/* Completes a request: removes it from the index and frees it (callback already run). */
void ausf_req_done(ausf_req *r)
{
    g5_hmap_del(&r->a->reqs, r->id);
    req_free(r);
}

static void run_queued(g5_sbi_job *job, bool discard)
{
    ausf_req *r = (ausf_req *)job;
    if (discard || r->cancelled) {
        if (!r->cancelled)
            g5_hmap_del(&r->a->reqs, r->id);
        req_free(r);
        return;
    }
    if (r->op == AUSF_OP_CONFIRM)
        ausf_confirm_run(r);
    else
        ausf_eap_run(r);
}

void ausf_req_post(ausf_req *r)
{
    r->state = AUSF_REQ_QUEUED;
    g5_sbi_queue_post(&r->a->q, &r->job, run_queued);
}

int ausf_cancel(ausf *a, uint64_t id)
{
    ausf_req *r = a && id ? g5_hmap_del(&a->reqs, id) : NULL;
    if (!r)
        return G5_ERR_NOT_FOUND;
    if (r->state == AUSF_REQ_QUEUED) {
        r->cancelled = true; /* freed when the queue reaches it */
        return 0;
    }
    udm_cancel(a->udm, r->udm_id);
    ausf_ctx *c = g5_hmap_get(&a->ctxs, r->ctx_id);
    if (c)
        c->busy = false;
    req_free(r);
    return 0;
}

static void on_expiry(g5_timer *t, void *arg)
{
    (void)t;
    ausf_ctx *c = arg;
    G5_LOGD("auth context %llx expired", (unsigned long long)c->id);
    ausf_ctx_destroy(c);
}

ausf_ctx *ausf_ctx_new(ausf *a, g5_auth_method type, const char *supi, const char *snn)
{
    ausf_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->a = a;
    c->type = type;
    c->id = a->next_ctx_id++;
    snprintf(c->supi, sizeof c->supi, "%s", supi);
    snprintf(c->snn, sizeof c->snn, "%s", snn);
    c->expiry = g5_timer_new(a->loop, on_expiry, c);
    if (!c->expiry || g5_hmap_put(&a->ctxs, c->id, c)) {
        g5_timer_free(c->expiry);
        free(c);
        return NULL;
    }
    g5_timer_start(c->expiry, a->cfg.ctx_lifetime_ms);
    return c;
}

/* Nudm_UEAuthentication_ResultConfirmation (TS 33.501 §6.1.4.1, TS 29.503 §5.4.2.3):
 * fire and forget, the outcome does not change the AUSF's answer. */
void ausf_report_auth_event(ausf *a, const ausf_ctx *c, bool success)
{
    udm_auth_event ev = {.success = success, .auth_type = c->type};
    snprintf(ev.nf_instance_id, sizeof ev.nf_instance_id, "%s", a->cfg.nf_instance_id);
    snprintf(ev.serving_network_name, sizeof ev.serving_network_name, "%s", c->snn);
    udm_ueau_result_confirm(a->udm, c->supi, &ev, NULL, NULL);
}

/* ---- Authenticate: POST /ue-authentications ---------------------------------------- */

/* 5G SE AV from the 5G HE AV (TS 33.501 §6.1.3.2 steps 5-6, A.5, A.6). */
static int setup_5g_aka(ausf *a, const udm_auth_info_result *v, const char *snn,
                        ausf_ue_auth_ctx *out)
{
    ausf_ctx *c = ausf_ctx_new(a, G5_AUTH_5G_AKA, v->supi, snn);
    if (!c)
        return G5_ERR_NOMEM;
    memcpy(c->xres_star, v->xres_star, 16);
    int rc = g5_kdf_kseaf(v->kausf, snn, c->kseaf);
    if (!rc)
        rc = g5_kdf_hres_star(v->rand, v->xres_star, out->hxres_star);
    if (rc) {
        ausf_ctx_destroy(c);
        return rc;
    }
    memcpy(out->rand, v->rand, 16);
    memcpy(out->autn, v->autn, 16);
    out->ctx_id = c->id;
    return 0;
}

static void on_vector(void *arg, int rc, const udm_auth_info_result *v, const g5_sbi_problem *pd)
{
    ausf_req *r = arg;
    ausf *a = r->a;
    ausf_ue_auth_ctx out;
    memset(&out, 0, sizeof out);
    g5_sbi_problem mine = {0};
    if (!rc) {
        out.auth_type = v->auth_type;
        if (v->auth_type == G5_AUTH_5G_AKA)
            rc = setup_5g_aka(a, v, r->info.serving_network_name, &out);
        else
            rc = ausf_eap_start(a, v, r->info.serving_network_name, &out);
        if (rc)
            g5_sbi_problem_set(&mine, 500, "SYSTEM_FAILURE", "auth context: %s", g5_strerror(rc));
        pd = rc ? &mine : NULL;
    }
    ausf_req_detach(r);
    r->cb.auth(r->arg, rc, rc ? NULL : &out, pd);
    OPENSSL_cleanse(&out, sizeof out);
    ausf_req_done(r);
}

uint64_t ausf_authenticate(ausf *a, const ausf_auth_info *info, ausf_auth_cb cb, void *arg)
{
    if (!a || !info || !cb)
        return 0;
    ausf_req *r = ausf_req_new(a, AUSF_OP_AUTHENTICATE, arg);
    if (!r)
        return 0;
    r->cb.auth = cb;
    r->info = *info;
    r->info.supi_or_suci[sizeof r->info.supi_or_suci - 1] = '\0';
    r->info.serving_network_name[sizeof r->info.serving_network_name - 1] = '\0';
    udm_auth_info_req ureq;
    memset(&ureq, 0, sizeof ureq);
    snprintf(ureq.supi_or_suci, sizeof ureq.supi_or_suci, "%s", r->info.supi_or_suci);
    snprintf(ureq.serving_network_name, sizeof ureq.serving_network_name, "%s",
             r->info.serving_network_name);
    ureq.has_resync = info->has_resync;
    ureq.resync = info->resync;
    snprintf(ureq.ausf_instance_id, sizeof ureq.ausf_instance_id, "%s", a->cfg.nf_instance_id);
    r->state = AUSF_REQ_WAIT_UDM;
    r->udm_id = udm_ueau_get(a->udm, &ureq, on_vector, r);
    if (!r->udm_id) {
        ausf_req_done(r);
        return 0;
    }
    return r->id;
}

/* ---- 5g-aka-confirmation ----------------------------------------------------------- */

void ausf_confirm_run(ausf_req *r)
{
    ausf *a = r->a;
    ausf_confirm_result res;
    memset(&res, 0, sizeof res);
    g5_sbi_problem pd = {0};
    int rc = 0;
    ausf_ctx *c = g5_hmap_get(&a->ctxs, r->ctx_id);
    if (!c) {
        rc = G5_ERR_NOT_FOUND;
        g5_sbi_problem_set(&pd, 404, "CONTEXT_NOT_FOUND", "no auth context %llx (used or expired)",
                           (unsigned long long)r->ctx_id);
    } else if (c->type != G5_AUTH_5G_AKA) {
        rc = G5_ERR_STATE;
        g5_sbi_problem_set(&pd, 400, "MANDATORY_IE_INCORRECT", "auth context is not 5G-AKA");
    } else {
        /* TS 33.501 §6.1.3.2 step 10: RES* == XRES*, constant time. */
        bool ok = CRYPTO_memcmp(r->res_star, c->xres_star, 16) == 0;
        res.auth_result = ok ? AUSF_AUTHENTICATION_SUCCESS : AUSF_AUTHENTICATION_FAILURE;
        if (ok) {
            snprintf(res.supi, sizeof res.supi, "%s", c->supi);
            memcpy(res.kseaf, c->kseaf, 32);
        }
        G5_LOGI("5G-AKA confirmation for %s: %s", c->supi, ausf_auth_result_name(res.auth_result));
        ausf_report_auth_event(a, c, ok);
        ausf_ctx_destroy(c); /* single use */
    }
    ausf_req_detach(r);
    r->cb.confirm(r->arg, rc, rc ? NULL : &res, rc ? &pd : NULL);
    OPENSSL_cleanse(&res, sizeof res);
    ausf_req_done(r);
}

uint64_t ausf_5g_aka_confirm(ausf *a, uint64_t ctx_id, const uint8_t res_star[16],
                             ausf_confirm_cb cb, void *arg)
{
    if (!a || !res_star || !cb)
        return 0;
    ausf_req *r = ausf_req_new(a, AUSF_OP_CONFIRM, arg);
    if (!r)
        return 0;
    r->cb.confirm = cb;
    r->ctx_id = ctx_id;
    memcpy(r->res_star, res_star, 16);
    ausf_req_post(r);
    return r->id;
}
