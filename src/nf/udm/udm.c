/* UDM (udm.h): request bookkeeping, deferred completion and the SDM/UECM/auth-event
 * services. Vector generation and SUCI de-concealment (ARPF/SIDF) are in udm_ueau.c.
 *
 * Each call allocates a udm_req holding a copy of its input, indexes it by id (for
 * udm_cancel) and posts it on the UDM's g5_sbi_queue. When the queue drains:
 *  - UECM and auth events (in-memory maps, loop thread only) complete at once;
 *  - generate-auth-data and SDM reads go to the libuv thread pool, one batch at a time
 *    (the store handle is single-threaded), because they hit the UDR: a durable SQN
 *    commit costs an fsync (ms on a busy disk) that must not stall every UE on the loop.
 *    A batch is every request waiting when the worker becomes free (up to max_batch);
 *    the SQNs of its vectors share one commit (group commit, udm_ueau_run_batch). The
 *    outcomes are stored in the requests and delivered from the loop (after_work), so no
 *    vector leaves before its SQN is durable.
 * A request cancelled before its work starts costs nothing and consumes no SQN; one
 * cancelled while in flight completes silently. */
#define G5_LOG_MODULE "udm"
#include "nf/udm/udm_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "core/log.h"

static const char *const profile_name[3] = {"null", "profile-a", "profile-b"};

/* Loads the key pair of one profile from the kv store, generating it on first start.
 * The private key is never logged and is wiped once the prepared key holds it. */
static int load_hn_key(udm *u, g5_store *st, int profile, uint8_t key_id, char *err, size_t errlen)
{
    udm_hn_key *hk = &u->hn[profile];
    char name[64];
    snprintf(name, sizeof name, "suci/hn/%s/%u", profile_name[profile], key_id);
    uint8_t priv[G5_SUCI_PRIV_LEN];
    size_t len = 0;
    int rc = g5_store_kv_get(st, name, priv, sizeof priv, &len);
    if (rc == G5_ERR_NOT_FOUND) {
        rc = g5_suci_keygen(profile, priv, hk->pub);
        if (!rc)
            rc = g5_store_kv_put(st, name, priv, sizeof priv, true);
        if (!rc)
            G5_LOGN("generated SUCI home-network key %s (key id %u)", profile_name[profile],
                    key_id);
    } else if (!rc && len != sizeof priv) {
        rc = G5_ERR_INVALID;
    }
    if (!rc)
        rc = g5_suci_public_key(profile, priv, hk->pub);
    if (!rc)
        rc = g5_suci_hn_key_new(profile, priv, &hk->key);
    OPENSSL_cleanse(priv, sizeof priv);
    if (rc) {
        snprintf(err, errlen, "SUCI home-network key %s: %s (%s)", name, g5_strerror(rc),
                 g5_store_errmsg(st));
        return rc;
    }
    hk->key_id = key_id;
    hk->pub_len = g5_suci_pub_len(profile);
    return 0;
}

udm *udm_new(uv_loop_t *loop, udr *ud, g5_store *keystore, const udm_config *cfg, char *err,
             size_t errlen)
{
    if (!loop || !ud || !keystore) {
        snprintf(err, errlen, "udm_new: loop, udr and keystore are required");
        return NULL;
    }
    udm *u = calloc(1, sizeof *u);
    if (!u || g5_sbi_queue_init(&u->q, loop)) {
        snprintf(err, errlen, "udm_new: out of memory");
        free(u);
        return NULL;
    }
    u->loop = loop;
    u->udr = ud;
    u->next_id = 1;
    if (cfg)
        u->cfg = *cfg;
    u->max_batch = u->cfg.max_batch ? u->cfg.max_batch : UDM_MAX_BATCH_DEFAULT;
    g5_hmap_init(&u->reqs);
    g5_hmap_init(&u->events);
    g5_hmap_init(&u->amf_regs);
    uint8_t id_a = u->cfg.hn_key_id_a ? u->cfg.hn_key_id_a : 1;
    uint8_t id_b = u->cfg.hn_key_id_b ? u->cfg.hn_key_id_b : 2;
    if (load_hn_key(u, keystore, G5_SUCI_PROFILE_A, id_a, err, errlen) ||
        load_hn_key(u, keystore, G5_SUCI_PROFILE_B, id_b, err, errlen)) {
        udm_free(u);
        return NULL;
    }
    return u;
}

static void free_map_values(g5_hmap *m)
{
    uint64_t k;
    void *v;
    for (size_t i = 0; g5_hmap_next(m, &i, &k, &v);)
        free(v);
    g5_hmap_free(m);
}

static void req_free(udm_req *r);

/* Frees what the worker may use (SIDF keys) and the context itself. */
static void udm_destroy(udm *u)
{
    for (int p = G5_SUCI_PROFILE_A; p <= G5_SUCI_PROFILE_B; p++)
        g5_suci_hn_key_free(u->hn[p].key);
    free(u);
}

void udm_free(udm *u)
{
    if (!u)
        return;
    g5_sbi_queue_fini(&u->q); /* frees every queued request */
    for (udm_req *r = u->work_head, *next; r; r = next) {
        next = r->work_next;
        req_free(r);
    }
    u->work_head = u->work_tail = NULL;
    g5_hmap_free(&u->reqs);
    free_map_values(&u->events);
    free_map_values(&u->amf_regs);
    if (u->in_flight)
        u->closing = true; /* after_work finishes the job and calls udm_destroy */
    else
        udm_destroy(u);
}

void udm_get_stats(const udm *u, udm_stats *out)
{
    *out = u->stats;
}

int udm_hn_pubkey(const udm *u, int profile, uint8_t *key_id, uint8_t pub[G5_SUCI_PUB_MAX],
                  size_t *len)
{
    if (!u || (profile != G5_SUCI_PROFILE_A && profile != G5_SUCI_PROFILE_B))
        return G5_ERR_INVALID;
    const udm_hn_key *hk = &u->hn[profile];
    if (key_id)
        *key_id = hk->key_id;
    memcpy(pub, hk->pub, hk->pub_len);
    *len = hk->pub_len;
    return 0;
}

/* ---- request lifecycle ------------------------------------------------------------- */

static void req_free(udm_req *r)
{
    OPENSSL_cleanse(r, sizeof *r); /* resync AUTS/RAND are not secret, but cheap to wipe */
    free(r);
}

static void run_req(g5_sbi_job *job, bool discard);

static uint64_t submit(udm *u, udm_req *r)
{
    r->u = u;
    r->id = u->next_id++;
    if (g5_hmap_put(&u->reqs, r->id, r)) {
        req_free(r);
        return 0;
    }
    g5_sbi_queue_post(&u->q, &r->job, run_req);
    return r->id;
}

static udm_req *req_new(enum udm_op op, void *arg)
{
    udm_req *r = calloc(1, sizeof *r);
    if (r) {
        r->op = op;
        r->arg = arg;
    }
    return r;
}

int udm_cancel(udm *u, uint64_t id)
{
    udm_req *r = u && id ? g5_hmap_del(&u->reqs, id) : NULL;
    if (!r)
        return G5_ERR_NOT_FOUND;
    r->cancelled = true; /* queued, waiting or in flight: freed there without callback */
    return 0;
}

static bool copy_supi(udm_req *r, const char *supi)
{
    if (!supi || strlen(supi) >= sizeof r->supi)
        return false;
    snprintf(r->supi, sizeof r->supi, "%s", supi);
    return true;
}

/* ---- SDM, UECM, auth events (in-memory records) ------------------------------------ */

static void from_udr_problem(g5_sbi_problem *pd, const udr_problem *up)
{
    pd->status = up->status;
    snprintf(pd->cause, sizeof pd->cause, "%s", up->cause);
    snprintf(pd->detail, sizeof pd->detail, "%s", up->detail);
}

/* Worker thread, one SDM read: touches only r and the UDR. */
static void run_sdm(udm_req *r)
{
    udr_problem up = {0};
    switch (r->op) {
    case UDM_OP_AM_DATA: r->rc = udr_am_data_get(r->u->udr, r->supi, &r->am, &up); break;
    case UDM_OP_SM_DATA:
        r->rc = udr_sm_data_get(r->u->udr, r->supi, r->has_snssai ? &r->snssai : NULL, &r->sm, &up);
        break;
    default: r->rc = G5_ERR_STATE; break;
    }
    if (r->rc)
        from_udr_problem(&r->pd, &up);
}

/* Worker thread: the SDM reads one by one, then every generate-auth-data of the batch
 * together (their SQNs share one commit). */
static void on_work(uv_work_t *w)
{
    udm_batch *b = (udm_batch *)((char *)w - offsetof(udm_batch, work));
    for (udm_req *r = b->head; r; r = r->work_next)
        if (r->op != UDM_OP_UEAU_GET)
            run_sdm(r);
    b->n_sqn = udm_ueau_run_batch(b->u, b->head);
}

static void deliver(udm_req *r)
{
    const g5_sbi_problem *pd = r->rc ? &r->pd : NULL;
    switch (r->op) {
    case UDM_OP_UEAU_GET: r->cb.auth(r->arg, r->rc, r->rc ? NULL : &r->auth_res, pd); break;
    case UDM_OP_AM_DATA: r->cb.am(r->arg, r->rc, r->rc ? NULL : &r->am, pd); break;
    case UDM_OP_SM_DATA: r->cb.sm(r->arg, r->rc, r->rc ? NULL : &r->sm, pd); break;
    default: break;
    }
}

static void after_work(uv_work_t *w, int status);

/* Completes every request of a batch on the loop (or drops them when closing/cancelled). */
static void finish_batch(udm_batch *b, bool closing)
{
    udm *u = b->u;
    for (udm_req *r = b->head, *next; r; r = next) {
        next = r->work_next;
        if (!closing && !r->cancelled) {
            g5_hmap_del(&u->reqs, r->id); /* from here on, cancel is a no-op */
            deliver(r);
        }
        req_free(r);
    }
    free(b);
}

/* Takes the requests waiting for the worker (up to max_batch, cancelled ones freed). */
static udm_batch *take_batch(udm *u)
{
    udm_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->u = u;
    udm_req **tail = &b->head;
    while (u->work_head && b->n < u->max_batch) {
        udm_req *r = u->work_head;
        u->work_head = r->work_next;
        u->work_len--;
        r->work_next = NULL;
        if (r->cancelled) {
            req_free(r);
            continue;
        }
        *tail = r;
        tail = &r->work_next;
        b->n++;
    }
    if (!u->work_head)
        u->work_tail = NULL;
    return b;
}

/* Starts the next batch on the thread pool if none is in flight. A batch that cannot be
 * queued fails its requests at once. */
static void pump(udm *u)
{
    while (!u->in_flight && u->work_head) {
        udm_batch *b = take_batch(u);
        if (b && b->n == 0) {
            free(b);
            continue;
        }
        if (b && uv_queue_work(u->loop, &b->work, on_work, after_work) == 0) {
            u->in_flight = b;
            return;
        }
        udm_req *r = b ? b->head : u->work_head;
        if (!b) { /* out of memory: fail the oldest waiting request */
            u->work_head = r->work_next;
            u->work_len--;
            if (!u->work_head)
                u->work_tail = NULL;
            r->work_next = NULL;
        }
        for (udm_req *next; r; r = next) {
            next = r->work_next;
            r->rc = G5_ERR_NOMEM;
            g5_sbi_problem_set(&r->pd, 500, "SYSTEM_FAILURE", "cannot queue work");
            if (!r->cancelled) {
                g5_hmap_del(&u->reqs, r->id);
                deliver(r);
            }
            req_free(r);
        }
        free(b);
    }
}

static void after_work(uv_work_t *w, int status)
{
    (void)status;
    udm_batch *b = (udm_batch *)((char *)w - offsetof(udm_batch, work));
    udm *u = b->u;
    u->in_flight = NULL;
    u->stats.jobs++;
    u->stats.sqn_commits += b->n_sqn > 0;
    u->stats.sqn_vectors += b->n_sqn;
    if (b->n > u->stats.max_seen)
        u->stats.max_seen = b->n;
    if (u->closing) {
        finish_batch(b, true);
        udm_destroy(u);
        return;
    }
    finish_batch(b, false);
    pump(u);
}

static void to_worker(udm_req *r)
{
    udm *u = r->u;
    r->work_next = NULL;
    if (u->work_tail)
        u->work_tail->work_next = r;
    else
        u->work_head = r;
    u->work_tail = r;
    u->work_len++;
    pump(u);
}

/* Replaces the record stored under key (value allocated by the caller). */
static int map_replace(g5_hmap *m, uint64_t key, void *val)
{
    void *old = g5_hmap_get(m, key);
    int rc = g5_hmap_put(m, key, val);
    if (rc) {
        free(val);
        return rc;
    }
    if (old != val)
        free(old);
    return 0;
}

static int bad_supi(const char *supi, g5_sbi_problem *pd)
{
    g5_sbi_problem_set(pd, 400, "MANDATORY_IE_INCORRECT", "ueId: '%.40s' is not imsi-<15 digits>",
                       supi);
    return G5_ERR_INVALID;
}

static void done(udm_req *r, int rc, const g5_sbi_problem *pd)
{
    if (r->cb.done)
        r->cb.done(r->arg, rc, rc ? pd : NULL);
}

static void do_auth_event(udm_req *r)
{
    g5_sbi_problem pd = {0};
    uint64_t key = g5_sbi_supi_key(r->supi);
    int rc = key ? 0 : bad_supi(r->supi, &pd);
    if (!rc) {
        udm_auth_event *ev = malloc(sizeof *ev);
        rc = ev ? 0 : G5_ERR_NOMEM;
        if (ev) {
            *ev = r->event;
            if (!ev->time_stamp)
                ev->time_stamp = (int64_t)time(NULL);
            rc = map_replace(&r->u->events, key, ev);
        }
        if (rc)
            g5_sbi_problem_set(&pd, 500, "SYSTEM_FAILURE", "out of memory");
        else
            G5_LOGI("auth event %s: %s", r->supi, r->event.success ? "success" : "failure");
    }
    done(r, rc, &pd);
}

static void do_amf_register(udm_req *r)
{
    g5_sbi_problem pd = {0};
    uint64_t key = g5_sbi_supi_key(r->supi);
    int rc = key ? 0 : bad_supi(r->supi, &pd);
    if (!rc) {
        const udm_amf_registration *old = g5_hmap_get(&r->u->amf_regs, key);
        if (old && strcmp(old->amf_instance_id, r->reg.amf_instance_id) != 0)
            G5_LOGI("%s moves from AMF %s to %s (old AMF would get a DeregistrationNotification)",
                    r->supi, old->amf_instance_id, r->reg.amf_instance_id);
        udm_amf_registration *reg = malloc(sizeof *reg);
        rc = reg ? map_replace(&r->u->amf_regs, key, reg) : G5_ERR_NOMEM;
        if (!rc)
            *reg = r->reg;
        else
            g5_sbi_problem_set(&pd, 500, "SYSTEM_FAILURE", "out of memory");
    }
    done(r, rc, &pd);
}

static void do_amf_deregister(udm_req *r)
{
    g5_sbi_problem pd = {0};
    uint64_t key = g5_sbi_supi_key(r->supi);
    int rc = key ? 0 : bad_supi(r->supi, &pd);
    if (!rc) {
        udm_amf_registration *reg = g5_hmap_get(&r->u->amf_regs, key);
        if (!reg || strcmp(reg->amf_instance_id, r->reg.amf_instance_id) != 0) {
            rc = G5_ERR_NOT_FOUND;
            g5_sbi_problem_set(&pd, 404, "CONTEXT_NOT_FOUND",
                               "no 3GPP-access registration of %s by that AMF", r->supi);
        } else {
            free(g5_hmap_del(&r->u->amf_regs, key));
        }
    }
    done(r, rc, &pd);
}

static void run_req(g5_sbi_job *job, bool discard)
{
    udm_req *r = (udm_req *)job;
    if (discard || r->cancelled) {
        if (!r->cancelled)
            g5_hmap_del(&r->u->reqs, r->id);
        req_free(r);
        return;
    }
    switch (r->op) {
    case UDM_OP_UEAU_GET:
    case UDM_OP_AM_DATA:
    case UDM_OP_SM_DATA: to_worker(r); return; /* stays cancellable until delivered */
    case UDM_OP_AUTH_EVENT:
    case UDM_OP_AMF_REGISTER:
    case UDM_OP_AMF_DEREGISTER: break;
    }
    g5_hmap_del(&r->u->reqs, r->id); /* from here on, cancel is a no-op */
    switch (r->op) {
    case UDM_OP_AUTH_EVENT: do_auth_event(r); break;
    case UDM_OP_AMF_REGISTER: do_amf_register(r); break;
    case UDM_OP_AMF_DEREGISTER: do_amf_deregister(r); break;
    default: break;
    }
    req_free(r);
}

/* ---- public calls ------------------------------------------------------------------ */

uint64_t udm_ueau_get(udm *u, const udm_auth_info_req *req, udm_auth_info_cb cb, void *arg)
{
    if (!u || !req || !cb)
        return 0;
    udm_req *r = req_new(UDM_OP_UEAU_GET, arg);
    if (!r)
        return 0;
    r->cb.auth = cb;
    r->auth = *req;
    r->auth.supi_or_suci[sizeof r->auth.supi_or_suci - 1] = '\0';
    r->auth.serving_network_name[sizeof r->auth.serving_network_name - 1] = '\0';
    return submit(u, r);
}

uint64_t udm_ueau_result_confirm(udm *u, const char *supi, const udm_auth_event *ev, udm_done_cb cb,
                                 void *arg)
{
    if (!u || !ev)
        return 0;
    udm_req *r = req_new(UDM_OP_AUTH_EVENT, arg);
    if (!r)
        return 0;
    r->cb.done = cb;
    if (!copy_supi(r, supi)) {
        req_free(r);
        return 0;
    }
    r->event = *ev;
    return submit(u, r);
}

int udm_auth_event_lookup(const udm *u, const char *supi, udm_auth_event *out)
{
    const udm_auth_event *ev = g5_hmap_get(&u->events, g5_sbi_supi_key(supi));
    if (!ev)
        return G5_ERR_NOT_FOUND;
    *out = *ev;
    return 0;
}

uint64_t udm_sdm_get_am_data(udm *u, const char *supi, udm_am_data_cb cb, void *arg)
{
    if (!u || !cb)
        return 0;
    udm_req *r = req_new(UDM_OP_AM_DATA, arg);
    if (!r)
        return 0;
    r->cb.am = cb;
    if (!copy_supi(r, supi)) {
        req_free(r);
        return 0;
    }
    return submit(u, r);
}

uint64_t udm_sdm_get_sm_data(udm *u, const char *supi, const g5_snssai *single_nssai,
                             udm_sm_data_cb cb, void *arg)
{
    if (!u || !cb)
        return 0;
    udm_req *r = req_new(UDM_OP_SM_DATA, arg);
    if (!r)
        return 0;
    r->cb.sm = cb;
    if (!copy_supi(r, supi)) {
        req_free(r);
        return 0;
    }
    if (single_nssai) {
        r->has_snssai = true;
        r->snssai = *single_nssai;
    }
    return submit(u, r);
}

uint64_t udm_uecm_amf_register(udm *u, const char *supi, const udm_amf_registration *reg,
                               udm_done_cb cb, void *arg)
{
    if (!u || !reg)
        return 0;
    udm_req *r = req_new(UDM_OP_AMF_REGISTER, arg);
    if (!r)
        return 0;
    r->cb.done = cb;
    if (!copy_supi(r, supi)) {
        req_free(r);
        return 0;
    }
    r->reg = *reg;
    r->reg.amf_instance_id[sizeof r->reg.amf_instance_id - 1] = '\0';
    r->reg.guami[sizeof r->reg.guami - 1] = '\0';
    return submit(u, r);
}

uint64_t udm_uecm_amf_deregister(udm *u, const char *supi, const char *amf_instance_id,
                                 udm_done_cb cb, void *arg)
{
    if (!u || !amf_instance_id)
        return 0;
    udm_req *r = req_new(UDM_OP_AMF_DEREGISTER, arg);
    if (!r)
        return 0;
    r->cb.done = cb;
    if (!copy_supi(r, supi)) {
        req_free(r);
        return 0;
    }
    snprintf(r->reg.amf_instance_id, sizeof r->reg.amf_instance_id, "%s", amf_instance_id);
    return submit(u, r);
}

int udm_uecm_amf_lookup(const udm *u, const char *supi, udm_amf_registration *out)
{
    const udm_amf_registration *reg = g5_hmap_get(&u->amf_regs, g5_sbi_supi_key(supi));
    if (!reg)
        return G5_ERR_NOT_FOUND;
    *out = *reg;
    return 0;
}
