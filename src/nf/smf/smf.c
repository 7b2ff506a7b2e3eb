/* SMF: SM contexts, 5GSM procedures (TS 24.501 §6.4.1 establishment, §6.3.3/§6.4.3
 * release; §6.3.2/§6.4.2 modification in smf_mod.inc, included below), address allocation and the
 * PFCP session of each PDU session (TS 23.502 §4.3.2.2.1, §4.3.4.2). Service calls follow smf.h's
 * async convention: each call becomes an `smf_op` completed from the loop; an op waiting for the
 * UPF completes from the PFCP response callback, one that needs no UPF from a zero-timeout timer.
 */
#define G5_LOG_MODULE "smf"
#include "nf/smf/smf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/hmap.h"
#include "core/log.h"
#include "core/loop.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/smf/smf_gsm.h"
#include "nf/smf/smf_gsm_mod.h"
#include "nf/smf/smf_mod.h"
#include "nf/smf/smf_paging.h"
#include "nf/smf/smf_pool.h"
#include "nf/udm/udm.h"
#include "nf/udr/udr.h"

#define BUF_N1 1024
#define BUF_N2 1024

enum sess_state {
    SESS_ESTABLISHING, /* PFCP establishment in flight */
    SESS_ACTIVE, /* accept sent; DL buffers until the gNB tunnel is known */
    SESS_RELEASING, /* release command sent, waiting for the UE's complete */
};

enum op_kind { OP_CREATE, OP_UPDATE, OP_RELEASE };

typedef struct smf_sess smf_sess;
typedef struct smf_modp smf_modp; /* a modification in progress (smf_mod.inc) */

typedef struct smf_op {
    struct smf_op *next, *prev; /* smf.ops, for smf_free */
    smf *s;
    uint64_t id;
    int kind;
    void *cb;
    void *arg;
    smf_sess *sess;
    g5_timer *later;
    int rc;
    /* results */
    bool accepted, released;
    uint8_t cause, psi, pti;
    g5_snssai snssai;
    uint64_t ref;
    uint8_t n1[BUF_N1];
    size_t n1_len;
    uint8_t n2[BUF_N2];
    size_t n2_len;
    /* request copy (create) */
    smf_create_req creq;
    smf_est_req est; /* the parsed ESTABLISHMENT REQUEST, while sm-data is fetched */
    uint64_t sdm_id; /* Nudm_SDM_Get sm-data in flight (udm_cancel on free) */
    uint8_t *in1, *in2;
    size_t in1_len, in2_len;
    uint8_t n2_type;
    uint8_t up_cnx; /* requested upCnxState (update) */
    uint8_t up_rsp; /* upCnxState after the update */
    bool n2_modify; /* n1/n2 are a MODIFICATION COMMAND / Modify Request Transfer */
    /* an update or release that arrived while its session was busy waits here, in order
     * (one procedure at a time per session; see sess_wait / sess_kick) */
    uint64_t target_ref;
    smf_sess *waiting_on;
    struct smf_op *wnext;
} smf_op;

struct smf_sess {
    smf_sess *next, *prev; /* smf.sessions, for walks over all (UPF restart, free) */
    smf_sess *sp_next; /* same (SUPI, PSI) key in smf.by_supi_psi */
    smf *s;
    uint64_t ref; /* SM context reference == local SEID */
    char supi[24];
    uint8_t psi, pti;
    char dnn[G5_SMF_DNN_MAX];
    g5_snssai snssai;
    int dnn_idx, upf;
    int state;
    smf_est_req est;
    uint8_t pdu_type;
    bool has_ipv4, has_ipv6;
    uint8_t ipv4[8], ipv6[8];
    uint64_t up_seid;
    uint32_t ul_teid;
    g5_tnl_addr n3; /* the UPF's N3 F-TEID addresses (before: the families to ask for) */
    bool has_gnb;
    uint32_t gnb_teid;
    g5_tnl_addr gnb; /* the gNB's DL address(es) from the Setup Response Transfer */
    bool up_deactivated; /* upCnxState DEACTIVATED: the UE is CM-IDLE, DL buffers */
    uint64_t paging_ms; /* an N1N2 activation went at this time (smf_paging.h), 0 = none */
    uint64_t rearm_txn; /* BUFF+NOCP again after a paging failure (smf_n1n2_failure) */
    uint64_t pfcp_txn;
    smf_op *op; /* the service call waiting on this session's PFCP exchange */
    smf_op *waitq; /* calls that arrived while op was running, oldest first */
    uint64_t ambr_ul, ambr_dl; /* session-AMBR in force, bits/s (smf_mod.inc may change it) */
    uint8_t fiveqi; /* of the default QoS flow */
    smf_modp *mod;
};

struct smf {
    uv_loop_t *loop;
    udm *udm;
    const g5_smf_config *cfg;
    smf_n1n2_fn n1n2;
    void *n1n2_arg;
    smf_pfcp *pfcp;
    smf_pool pool4[G5_SMF_MAX_DNNS], pool6[G5_SMF_MAX_DNNS];
    bool has4[G5_SMF_MAX_DNNS], has6[G5_SMF_MAX_DNNS];
    smf_sess *sessions;
    smf_op *ops;
    /* indexes, O(1) per message whatever the number of sessions (see "index" below) */
    g5_hmap by_ref; /* SM context reference == local SEID -> smf_sess */
    g5_hmap by_supi_psi; /* supi_psi_key() -> chain of smf_sess through sp_next */
    g5_hmap ops_by_id; /* request id -> smf_op */
    size_t waiting; /* calls queued behind a busy session (sess_wait); 0 skips sess_kick */
    uint64_t next_id, next_ref;
    uint32_t next_teid;
    smf_stats st;
    smf_mod_stats mst;
    unsigned t3591_ms; /* 0 = SMF_T3591_MS */
};

/* ---- index: every per-message lookup is a hash-map get ----
 *
 * Sessions are found by SM context reference (== local SEID: AMF calls and the UPF's
 * Session Report Requests) and by (SUPI, PSI) (an establishment replacing a session with
 * the same PSI, TS 24.501 §6.4.1.2); service calls by request id (smf_cancel). The lists
 * stay doubly linked so unlinking is O(1) and whole-SMF walks (UPF restart, free) work. */

static uint64_t supi_psi_key(const char *supi, uint8_t psi)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64; the map mixes keys with its own seed */
    for (const char *c = supi; *c; c++)
        h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
    return (h ^ psi) * 0x100000001b3ull;
}

/* Links x into the list and the indexes: 0 or G5_ERR_NOMEM (then x is in none of them). */
static int sess_index(smf *s, smf_sess *x)
{
    uint64_t k = supi_psi_key(x->supi, x->psi);
    smf_sess *head = g5_hmap_get(&s->by_supi_psi, k);
    if (g5_hmap_put(&s->by_ref, x->ref, x))
        return G5_ERR_NOMEM;
    if (g5_hmap_put(&s->by_supi_psi, k, x)) {
        g5_hmap_del(&s->by_ref, x->ref);
        return G5_ERR_NOMEM;
    }
    x->sp_next = head;
    x->prev = NULL;
    x->next = s->sessions;
    if (s->sessions)
        s->sessions->prev = x;
    s->sessions = x;
    return 0;
}

static void sess_unindex(smf *s, smf_sess *x)
{
    if (g5_hmap_get(&s->by_ref, x->ref) != x)
        return; /* never indexed */
    g5_hmap_del(&s->by_ref, x->ref);
    uint64_t k = supi_psi_key(x->supi, x->psi);
    smf_sess *head = g5_hmap_get(&s->by_supi_psi, k);
    if (head == x) {
        if (x->sp_next)
            g5_hmap_put(&s->by_supi_psi, k, x->sp_next); /* replaces: cannot fail */
        else
            g5_hmap_del(&s->by_supi_psi, k);
    } else {
        for (smf_sess *y = head; y; y = y->sp_next)
            if (y->sp_next == x) {
                y->sp_next = x->sp_next;
                break;
            }
    }
    if (x->prev)
        x->prev->next = x->next;
    else
        s->sessions = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->next = x->prev = x->sp_next = NULL;
}

static smf_sess *sess_find(const smf *s, uint64_t ref)
{
    return g5_hmap_get(&s->by_ref, ref);
}

/* ---- ops ---- */

static void op_unlink(smf *s, smf_op *op)
{
    if (g5_hmap_get(&s->ops_by_id, op->id) != op)
        return;
    g5_hmap_del(&s->ops_by_id, op->id);
    if (op->prev)
        op->prev->next = op->next;
    else
        s->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    op->next = op->prev = NULL;
}

static void op_free(smf *s, smf_op *op)
{
    op_unlink(s, op);
    if (op->sess && op->sess->op == op)
        op->sess->op = NULL;
    if (op->sdm_id)
        udm_cancel(s->udm, op->sdm_id);
    if (op->waiting_on)
        for (smf_op **pp = &op->waiting_on->waitq; *pp; pp = &(*pp)->wnext)
            if (*pp == op) {
                *pp = op->wnext;
                s->waiting--;
                break;
            }
    g5_timer_free(op->later);
    free(op->in1);
    free(op->in2);
    free(op);
}

static void sess_kick(smf *s, uint64_t ref);

/* Delivers the result and frees the op (detached first: a cancel from inside the
 * callback is a harmless miss). */
static void op_complete(smf_op *op)
{
    smf *s = op->s;
    op_unlink(s, op);
    if (op->sess && op->sess->op == op)
        op->sess->op = NULL;
    op->sess = NULL;
    if (op->kind == OP_CREATE) {
        smf_create_rsp r = {.sm_context_ref = op->accepted ? op->ref : 0,
                            .accepted = op->accepted,
                            .cause = op->cause,
                            .psi = op->psi,
                            .snssai = op->snssai,
                            .n1 = op->n1,
                            .n1_len = op->n1_len,
                            .n2 = op->n2_len ? op->n2 : NULL,
                            .n2_len = op->n2_len};
        ((smf_create_cb)op->cb)(op->arg, op->rc, op->rc ? NULL : &r);
    } else if (op->kind == OP_UPDATE) {
        smf_update_rsp r = {.n1 = op->n1_len ? op->n1 : NULL,
                            .n1_len = op->n1_len,
                            .n2 = op->n2_len ? op->n2 : NULL,
                            .n2_len = op->n2_len,
                            .released = op->released,
                            .n2_modify = op->n2_modify,
                            .up_cnx_state = op->up_rsp};
        ((smf_update_cb)op->cb)(op->arg, op->rc, op->rc ? NULL : &r);
    } else {
        ((smf_release_cb)op->cb)(op->arg, op->rc);
    }
    uint64_t ref = op->kind == OP_CREATE ? op->ref : op->target_ref;
    g5_timer_free(op->later);
    free(op->in1);
    free(op->in2);
    free(op);
    if (ref && s->waiting)
        sess_kick(s, ref); /* the session may be free for the next waiting call */
}

static void on_later(g5_timer *t, void *arg)
{
    (void)t;
    smf_op *op = arg;
    op->later = NULL; /* g5_timer_free is safe from its own callback; done in complete */
    g5_timer_free(t);
    op_complete(op);
}

/* Completes on the next loop iteration. */
static void op_finish_later(smf_op *op)
{
    g5_timer_free(op->later); /* safe even from that timer's own callback */
    op->later = g5_timer_new(op->s->loop, on_later, op);
    if (op->later)
        g5_timer_start(op->later, 0);
}

static smf_op *op_new(smf *s, int kind, void *cb, void *arg)
{
    smf_op *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->s = s;
    op->kind = kind;
    op->cb = cb;
    op->arg = arg;
    op->id = ++s->next_id;
    if (g5_hmap_put(&s->ops_by_id, op->id, op)) {
        free(op);
        return NULL;
    }
    op->next = s->ops;
    if (s->ops)
        s->ops->prev = op;
    s->ops = op;
    return op;
}

int smf_cancel(smf *s, uint64_t id)
{
    smf_op *op = g5_hmap_get(&s->ops_by_id, id);
    if (!op)
        return G5_ERR_NOT_FOUND;
    uint64_t ref = op->sess && op->sess->op == op ? op->sess->ref : 0;
    op_free(s, op);
    if (ref && s->waiting)
        sess_kick(s, ref); /* what waited behind the cancelled call may start */
    return 0;
}

/* ---- sessions ---- */

static void mod_free(smf_modp *mp);

static void sess_free(smf *s, smf_sess *x)
{
    mod_free(x->mod);
    sess_unindex(s, x);
    if (x->has_ipv4)
        smf_pool_release(&s->pool4[x->dnn_idx], x->ipv4);
    if (x->has_ipv6)
        smf_pool_release(&s->pool6[x->dnn_idx], x->ipv6);
    if (x->pfcp_txn)
        smf_pfcp_cancel(s->pfcp, x->pfcp_txn);
    if (x->rearm_txn)
        smf_pfcp_cancel(s->pfcp, x->rearm_txn);
    if (x->op) {
        x->op->sess = NULL;
    }
    while (x->waitq) { /* calls queued behind the session's last procedure */
        smf_op *w = x->waitq;
        x->waitq = w->wnext;
        s->waiting--;
        w->waiting_on = NULL;
        w->wnext = NULL;
        w->rc = G5_ERR_NOT_FOUND;
        op_finish_later(w);
    }
    if (x->state != SESS_ESTABLISHING && s->st.active)
        s->st.active--;
    free(x);
}

static int dnn_index(const smf *s, const char *dnn)
{
    for (int i = 0; i < s->cfg->ndnns; i++)
        if (!strcasecmp(s->cfg->dnns[i].name, dnn)) /* TS 23.003 §9.1: case-insensitive */
            return i;
    return -1;
}

static bool snssai_eq(const g5_snssai *a, const g5_snssai *b)
{
    return a->sst == b->sst && a->sd == b->sd;
}

/* UPF selection by DNN and slice (first associated match in configured order). */
static int select_upf(const smf *s, const char *dnn, const g5_snssai *sn)
{
    for (int i = 0; i < s->cfg->nupfs; i++) {
        const g5_smf_upf_cfg *u = &s->cfg->upfs[i];
        bool dnn_ok = u->ndnns == 0, sl_ok = u->nslices == 0;
        for (int d = 0; d < u->ndnns; d++)
            dnn_ok |= !strcasecmp(u->dnns[d], dnn);
        for (int k = 0; k < u->nslices; k++)
            sl_ok |= snssai_eq(&u->slices[k], sn);
        if (dnn_ok && sl_ok && smf_pfcp_associated(s->pfcp, i))
            return i;
    }
    return -1;
}

/* ---- PFCP session messages ---- */

/* Table 7.5.2.1-1: UL PDR (N3, outer header removal) -> UL FAR (core, network instance =
 * DNN); DL PDR (UE address) -> DL FAR buffering until the gNB tunnel is known; a QER with
 * the session-AMBR; a URR measuring volume and duration for the deletion's usage report. */
static int build_est(g5_wbuf *w, uint32_t seq, const void *ctx)
{
    const smf_sess *x = ctx;
    const smf *s = x->s;
    const g5_smf_dnn_cfg *d = &s->cfg->dnns[x->dnn_idx];
    g5_pfcp_sess_est_req *r = calloc(1, sizeof *r);
    if (!r)
        return G5_ERR_NOMEM;
    g5_pfcp_pdu_session ps = {.core_ni = x->dnn,
                              .qfi = 1,
                              .ambr = {.ul_kbps = d->ambr_ul / 1000, .dl_kbps = d->ambr_dl / 1000},
                              .ul_teid_choose = x->ul_teid == 0,
                              .ul_teid = x->ul_teid,
                              .with_urr = true};
    memcpy(ps.ue_ipv4, x->ipv4, 4);
    memcpy(ps.n3_ipv4, x->n3.ipv4, 4); /* F-TEID (V4/V6), or the families CHOOSE asks for */
    memcpy(ps.n3_ipv6, x->n3.ipv6, 16);
    ps.n3_v6 = x->n3.v6;
    ps.n3_no_v4 = !x->n3.v4 && x->n3.v6;
    g5_pfcp_pdu_session_rules(&r->create, &ps);
    for (int i = 0; i < r->create.n_pdr; i++) { /* UE address per PDU session type */
        g5_pfcp_ue_ip *ip = &r->create.pdr[i].pdi.ue_ip;
        ip->v4 = x->has_ipv4;
        ip->v6 = x->has_ipv6;
        if (x->has_ipv6) { /* the /64 prefix (TS 29.244 §8.2.62, IPv6D unused) */
            memset(ip->ipv6, 0, 16);
            memcpy(ip->ipv6, x->ipv6, 8);
        }
    }
    r->node_id = *smf_pfcp_node_id(s->pfcp);
    r->cp_fseid.v4 = true;
    r->cp_fseid.seid = x->ref;
    memcpy(r->cp_fseid.ipv4, r->node_id.ipv4, 4);
    r->has_pdn_type = true;
    r->pdn_type = x->pdu_type; /* §8.2.79: 1 IPv4, 2 IPv6, 3 IPv4v6 as in NAS */
    g5_pfcp_ni_from_dotted(&r->dnn, x->dnn);
    int rc = g5_pfcp_build_sess_est_req(w, 0, seq, r);
    free(r);
    return rc;
}

static int build_mod_gnb(g5_wbuf *w, uint32_t seq, const void *ctx)
{
    const smf_sess *x = ctx;
    bool v6 = g5_tnl_pick(&x->n3, &x->gnb) == 6; /* update_n2 checked there is one */
    return g5_pfcp_build_sess_mod_req_gnb_tunnel_ip(w, x->up_seid, seq, G5_PFCP_DL_FAR, x->gnb_teid,
                                                    v6, v6 ? x->gnb.ipv6 : x->gnb.ipv4);
}

/* AN release (TS 23.502 §4.2.6 step 5): the DL FAR buffers and notifies the SMF again;
 * the gNB tunnel in its Forwarding Parameters is left as it is but no longer used. */
static int build_mod_deactivate(g5_wbuf *w, uint32_t seq, const void *ctx)
{
    const smf_sess *x = ctx;
    g5_pfcp_sess_mod_req *r = calloc(1, sizeof *r);
    if (!r)
        return G5_ERR_NOMEM;
    r->update.n_far = 1;
    r->update.far[0].far_id = G5_PFCP_DL_FAR;
    r->update.far[0].has_apply_action = true;
    r->update.far[0].apply_action = G5_PFCP_AA_BUFF | G5_PFCP_AA_NOCP;
    int rc = g5_pfcp_build_sess_mod_req(w, x->up_seid, seq, r);
    free(r);
    return rc;
}

static int build_del(g5_wbuf *w, uint32_t seq, const void *ctx)
{
    const smf_sess *x = ctx;
    return g5_pfcp_build_sess_del_req(w, x->up_seid, seq);
}

/* Cause + Offending IE of a PFCP response, logged (§7.6); 0 when accepted. */
static int check_rsp(const smf_sess *x, int rc, const g5_pfcp_msg *m, const char *what,
                     g5_pfcp_sess_rsp *out)
{
    if (rc) {
        G5_LOGW("%s PSI %u: PFCP %s: %s", x->supi, x->psi, what,
                rc == G5_ERR_IO ? "UPF silent after retransmissions" : "bad response");
        return rc;
    }
    if (g5_pfcp_sess_rsp_parse(m, out)) {
        G5_LOGW("%s PSI %u: PFCP %s response malformed", x->supi, x->psi, what);
        return G5_ERR_INVALID;
    }
    if (out->cause != G5_PFCP_CAUSE_ACCEPTED) {
        G5_LOGW("%s PSI %u: PFCP %s rejected: %s (offending IE %u)", x->supi, x->psi, what,
                g5_pfcp_cause_name(out->cause), out->offending_ie);
        return G5_ERR_STATE;
    }
    return 0;
}

static void count_usage(smf *s, const g5_pfcp_usage_report *u, uint8_t n)
{
    for (uint8_t i = 0; i < n; i++) {
        s->st.usage_reports++;
        if (u[i].has_vol) {
            s->st.usage_ul_octets += u[i].vol.ul;
            s->st.usage_dl_octets += u[i].vol.dl;
        }
        G5_LOGI("usage report URR %u: UL %llu DL %llu octets, %u s", u[i].urr_id,
                (unsigned long long)u[i].vol.ul, (unsigned long long)u[i].vol.dl, u[i].dur);
    }
}

static int start_delete(smf *s, smf_sess *x, smf_op *op);

#include "nf/smf/smf_mod.inc"

/* ---- establishment ---- */

static void est_reject(smf_op *op, uint8_t cause)
{
    g5_wbuf w;
    g5_wbuf_init(&w, op->n1, sizeof op->n1);
    op->accepted = false;
    op->cause = cause;
    op->rc = smf_gsm_build_reject(op->creq.psi, op->pti, cause, &w);
    op->n1_len = g5_wbuf_len(&w);
    op->s->st.rejected++;
    G5_LOGI("%s PSI %u: establishment rejected, 5GSM cause #%u", op->creq.supi, op->creq.psi,
            cause);
}

static void fill_epco(const smf *s, const smf_sess *x, smf_accept *a)
{
    const g5_smf_dnn_cfg *d = &s->cfg->dnns[x->dnn_idx];
    for (int i = 0; i < 2; i++) {
        if (x->est.want_dns4 && d->dns4[i][0] &&
            inet_pton(AF_INET, d->dns4[i], a->dns4_addr[a->n_dns4]) == 1)
            a->n_dns4++;
        if (x->est.want_dns6 && d->dns6[i][0] &&
            inet_pton(AF_INET6, d->dns6[i], a->dns6_addr[a->n_dns6]) == 1)
            a->n_dns6++;
    }
    a->dns4 = a->n_dns4 > 0;
    a->dns6 = a->n_dns6 > 0;
    a->mtu = x->est.want_mtu && d->mtu && x->has_ipv4;
    a->mtu_value = d->mtu;
}

/* The N2 PDU Session Resource Setup Request Transfer (TS 38.413 §9.3.4.1) into op->n2:
 * at establishment and again at each re-activation (TS 23.502 §4.2.3.2 step 5). */
static smf_n2_setup setup_params(const smf *s, const smf_sess *x)
{
    smf_n2_setup n2 = {.ul_teid = x->ul_teid,
                       .pdu_type = x->pdu_type,
                       .qfi = 1,
                       .fiveqi = x->fiveqi,
                       .arp_priority = s->cfg->arp_priority,
                       .arp_preempt_cap = s->cfg->arp_preempt_cap,
                       .arp_preempt_vuln = s->cfg->arp_preempt_vuln,
                       .ambr_ul = x->ambr_ul,
                       .ambr_dl = x->ambr_dl};
    n2.upf_n3 = x->n3;
    return n2;
}

static int fill_setup_transfer(const smf *s, const smf_sess *x, smf_op *op)
{
    smf_n2_setup n2 = setup_params(s, x);
    g5_wbuf w2;
    g5_wbuf_init(&w2, op->n2, sizeof op->n2);
    int rc = smf_n2_build_setup_request_transfer(&n2, &w2);
    op->n2_len = rc ? 0 : g5_wbuf_len(&w2);
    return rc;
}

static void est_accept(smf_op *op, smf_sess *x)
{
    smf *s = op->s;
    const g5_smf_dnn_cfg *d = &s->cfg->dnns[x->dnn_idx];
    smf_accept a = {.psi = x->psi,
                    .pti = x->pti,
                    .pdu_type = x->pdu_type,
                    .ssc_mode = 1,
                    .qfi = 1,
                    .fiveqi = s->cfg->default_5qi,
                    .ambr_ul = d->ambr_ul,
                    .ambr_dl = d->ambr_dl,
                    .dnn = x->dnn,
                    .sst = x->snssai.sst,
                    .sd = x->snssai.sd};
    memcpy(a.ipv4, x->ipv4, 4);
    /* interface identifier for the UE's link-local address (TS 23.501 §5.8.2.2.3): the
     * SEID, unique in this SMF and never 0 */
    for (int i = 0; i < 8; i++)
        a.ipv6_iid[i] = (uint8_t)(x->ref >> (56 - 8 * i));
    fill_epco(s, x, &a);
    g5_wbuf w1;
    g5_wbuf_init(&w1, op->n1, sizeof op->n1);
    op->rc = smf_gsm_build_accept(&a, &w1);
    if (!op->rc)
        op->rc = fill_setup_transfer(s, x, op);
    op->n1_len = g5_wbuf_len(&w1);
    op->accepted = op->rc == 0;
    op->ref = x->ref;
    x->state = SESS_ACTIVE;
    s->st.created++;
    s->st.active++;
    G5_LOGI("%s PSI %u: PDU session established (DNN %s, UPF %d, SEID %llx)", x->supi, x->psi,
            x->dnn, x->upf, (unsigned long long)x->ref);
}

static void on_est_rsp(void *arg, int rc, const g5_pfcp_msg *m)
{
    smf_sess *x = arg;
    smf *s = x->s;
    smf_op *op = x->op;
    g5_pfcp_sess_rsp *r = calloc(1, sizeof *r);
    x->pfcp_txn = 0;
    if (!r)
        rc = G5_ERR_NOMEM;
    else
        rc = check_rsp(x, rc, m, "establishment", r);
    if (!rc && !r->has_up_fseid)
        rc = G5_ERR_MISSING;
    if (!rc) {
        x->up_seid = r->up_fseid.seid;
        for (int i = 0; i < r->n_created; i++) /* F-TEID chosen by the UPF (CH = 1) */
            if (r->created[i].pdr_id == G5_PFCP_UL_PDR && r->created[i].has_fteid) {
                const g5_pfcp_fteid *f = &r->created[i].fteid;
                x->ul_teid = f->teid;
                x->n3 = (g5_tnl_addr){.v4 = f->v4, .v6 = f->v6};
                memcpy(x->n3.ipv4, f->ipv4, 4);
                memcpy(x->n3.ipv6, f->ipv6, 16);
            }
        if (!x->ul_teid || (!x->n3.v4 && !x->n3.v6))
            rc = G5_ERR_MISSING;
    }
    free(r);
    if (rc) {
        if (op)
            est_reject(op, SMF_CAUSE_NETWORK_FAILURE);
        sess_free(s, x);
    } else if (op) {
        est_accept(op, x);
    } else { /* the AMF cancelled meanwhile: nobody will use the session */
        x->state = SESS_ACTIVE;
        s->st.active++;
        start_delete(s, x, NULL);
        return;
    }
    if (op)
        op_complete(op);
}

/* DNN and S-NSSAI against the subscription (TS 29.503 sm-data, from Nudm_SDM_Get): 0 or a
 * 5GSM cause; dnn gets the subscribed default when the UE sent none. */
static uint8_t sm_data_cause(int rc, const udr_sm_data *sm, const g5_sbi_problem *pd, char *dnn,
                             size_t cap)
{
    if (rc == G5_ERR_NOT_FOUND && pd && !strcmp(pd->cause, "DATA_NOT_FOUND"))
        return SMF_CAUSE_SERVICE_OPTION_NOT_SUBSCRIBED; /* slice not subscribed */
    if (rc || !sm || sm->n_items == 0)
        return SMF_CAUSE_USER_AUTH_FAILED; /* unknown subscriber */
    const udr_sm_data_item *it = &sm->items[0];
    if (!dnn[0]) { /* §6.4.1.2: no DNN -> the subscribed default */
        if (it->n_dnns == 0)
            return SMF_CAUSE_MISSING_OR_UNKNOWN_DNN;
        snprintf(dnn, cap, "%s", it->dnns[it->default_dnn]);
        return 0;
    }
    for (int i = 0; i < it->n_dnns; i++)
        if (!strcasecmp(it->dnns[i], dnn))
            return 0;
    return SMF_CAUSE_MISSING_OR_UNKNOWN_DNN;
}

/* §6.4.1.4.1 / TS 23.501 §5.8.2.2: the selected type given the request and the pools. */
static uint8_t select_pdu_type(smf *s, int di, uint8_t req, uint8_t *type)
{
    bool v4 = s->has4[di], v6 = s->has6[di];
    if (req == 0)
        req = v4 && v6 ? NAS_PDU_IPV4V6 : v4 ? NAS_PDU_IPV4 : NAS_PDU_IPV6;
    switch (req) {
    case NAS_PDU_IPV4: *type = NAS_PDU_IPV4; return v4 ? 0 : SMF_CAUSE_IPV6_ONLY_ALLOWED;
    case NAS_PDU_IPV6: *type = NAS_PDU_IPV6; return v6 ? 0 : SMF_CAUSE_IPV4_ONLY_ALLOWED;
    case NAS_PDU_IPV4V6:
        *type = v4 && v6 ? NAS_PDU_IPV4V6 : v4 ? NAS_PDU_IPV4 : NAS_PDU_IPV6;
        return 0;
    default: /* Unstructured / Ethernet / reserved: not supported here */
        return SMF_CAUSE_UNKNOWN_PDU_SESSION_TYPE;
    }
}

static uint8_t alloc_addresses(smf *s, smf_sess *x)
{
    int di = x->dnn_idx;
    if (x->pdu_type != NAS_PDU_IPV6) {
        if (smf_pool_alloc(&s->pool4[di], x->ipv4))
            return SMF_CAUSE_INSUFFICIENT_RESOURCES;
        x->has_ipv4 = true;
    }
    if (x->pdu_type != NAS_PDU_IPV4) {
        if (smf_pool_alloc(&s->pool6[di], x->ipv6))
            return SMF_CAUSE_INSUFFICIENT_RESOURCES;
        x->has_ipv6 = true;
    }
    return 0;
}

/* An existing session with the same PSI is released locally first (§6.4.1.2 NOTE). */
static void release_duplicate(smf *s, const char *supi, uint8_t psi)
{
    for (smf_sess *x = g5_hmap_get(&s->by_supi_psi, supi_psi_key(supi, psi)); x; x = x->sp_next)
        if (x->psi == psi && !strcmp(x->supi, supi) && !x->op) {
            G5_LOGI("%s PSI %u: new establishment replaces the old session", supi, psi);
            if (x->up_seid)
                smf_pfcp_request(s->pfcp, x->upf, build_del, x, NULL, NULL);
            sess_free(s, x);
            return;
        }
}

/* The session itself, once the subscription allowed dnn: 0 (PFCP establishment started)
 * or a 5GSM cause. */
static uint8_t create_session(smf *s, smf_op *op, const char *dnn)
{
    const smf_create_req *q = &op->creq;
    const smf_est_req est = op->est;
    uint8_t cause = 0;
    int di = dnn_index(s, dnn);
    if (di < 0)
        return SMF_CAUSE_MISSING_OR_UNKNOWN_DNN;
    smf_sess *x = calloc(1, sizeof *x);
    if (!x)
        return SMF_CAUSE_INSUFFICIENT_RESOURCES;
    release_duplicate(s, q->supi, est.psi);
    x->s = s;
    x->ref = ++s->next_ref;
    snprintf(x->supi, sizeof x->supi, "%s", q->supi);
    snprintf(x->dnn, sizeof x->dnn, "%s", s->cfg->dnns[di].name);
    x->psi = est.psi;
    x->pti = est.pti;
    x->snssai = q->snssai;
    x->dnn_idx = di;
    x->est = est;
    x->ambr_ul = s->cfg->dnns[di].ambr_ul;
    x->ambr_dl = s->cfg->dnns[di].ambr_dl;
    x->fiveqi = s->cfg->default_5qi;
    x->state = SESS_ESTABLISHING;
    if (sess_index(s, x)) {
        free(x);
        return SMF_CAUSE_INSUFFICIENT_RESOURCES;
    }
    x->upf = select_upf(s, x->dnn, &x->snssai);
    if (x->upf < 0)
        cause = SMF_CAUSE_NETWORK_FAILURE; /* no associated UPF serves this DNN/slice */
    if (!cause)
        cause = select_pdu_type(s, di, est.pdu_type, &x->pdu_type);
    if (!cause)
        cause = alloc_addresses(s, x);
    if (!cause) { /* the configured N3 address(es): the F-TEID's families (config.c checked) */
        const g5_smf_upf_cfg *uc = &s->cfg->upfs[x->upf];
        memset(&x->n3, 0, sizeof x->n3);
        if (uc->n3_addr[0])
            g5_tnl_add_text(&x->n3, uc->n3_addr);
        if (uc->n3_addr6[0])
            g5_tnl_add_text(&x->n3, uc->n3_addr6);
        if (!x->n3.v4 && !x->n3.v6)
            x->n3.v4 = true; /* no address configured: ask for IPv4 */
    }
    if (!cause && !(smf_pfcp_up_features(s->pfcp, x->upf) & G5_PFCP_UPF_FTUP))
        x->ul_teid = ++s->next_teid; /* the UPF does not allocate F-TEIDs: the SMF does */
    if (!cause) {
        x->op = op;
        op->sess = x;
        x->pfcp_txn = smf_pfcp_request(s->pfcp, x->upf, build_est, x, on_est_rsp, x);
        if (!x->pfcp_txn)
            cause = SMF_CAUSE_NETWORK_FAILURE;
    }
    if (cause) {
        op->sess = NULL;
        sess_free(s, x);
    }
    return cause;
}

static void on_sm_data(void *arg, int rc, const udr_sm_data *sm, const g5_sbi_problem *pd)
{
    smf_op *op = arg;
    op->sdm_id = 0;
    char dnn[G5_SMF_DNN_MAX];
    snprintf(dnn, sizeof dnn, "%s", op->creq.dnn);
    uint8_t cause = sm_data_cause(rc, sm, pd, dnn, sizeof dnn);
    if (!cause)
        cause = create_session(op->s, op, dnn);
    if (cause) {
        est_reject(op, cause);
        op_complete(op);
    }
}

/* §6.4.1.2 on the network side: parse, then the subscription through the UDM (its store
 * read runs on the UDM's worker, never on this loop), then create_session. 0 while in
 * progress, or a 5GSM cause. */
static uint8_t start_create(smf *s, smf_op *op)
{
    const smf_create_req *q = &op->creq;
    uint8_t cause = 0;
    if (op->in1_len >= 3 && op->in1[0] == NAS_EPD_5GSM)
        op->pti = op->in1[2]; /* answer with the UE's PTI even if the rest is bad */
    if (smf_gsm_parse_est_req(op->in1, op->in1_len, &op->est, &cause))
        return cause;
    op->psi = op->est.psi;
    if (op->est.psi != q->psi)
        return SMF_CAUSE_INVALID_PSI;
    if (!s->udm) { /* no subscription checks: the DNN asked for, or the first configured */
        char dnn[G5_SMF_DNN_MAX];
        snprintf(dnn, sizeof dnn, "%s", q->dnn[0] ? q->dnn : s->cfg->dnns[0].name);
        return create_session(s, op, dnn);
    }
    op->sdm_id = udm_sdm_get_sm_data(s->udm, q->supi, &q->snssai, on_sm_data, op);
    return op->sdm_id ? 0 : SMF_CAUSE_INSUFFICIENT_RESOURCES;
}

static void on_create_later(g5_timer *t, void *arg)
{
    smf_op *op = arg;
    (void)t;
    uint8_t cause = start_create(op->s, op);
    if (cause) {
        est_reject(op, cause);
        g5_timer_free(op->later);
        op->later = NULL;
        op_complete(op);
    }
}

uint64_t smf_create_sm_context(smf *s, const smf_create_req *req, smf_create_cb cb, void *arg)
{
    if (!s || !req || !cb || !req->n1 || !req->n1_len || req->n1_len > 65535)
        return 0;
    smf_op *op = op_new(s, OP_CREATE, (void *)cb, arg);
    if (!op)
        return 0;
    op->creq = *req;
    op->creq.supi[sizeof op->creq.supi - 1] = '\0';
    op->creq.dnn[sizeof op->creq.dnn - 1] = '\0';
    op->in1 = malloc(req->n1_len);
    op->later = g5_timer_new(s->loop, on_create_later, op);
    if (!op->in1 || !op->later) {
        op_free(s, op);
        return 0;
    }
    memcpy(op->in1, req->n1, req->n1_len);
    op->in1_len = req->n1_len;
    op->creq.n1 = op->in1;
    op->psi = req->psi;
    op->snssai = req->snssai;
    g5_timer_start(op->later, 0);
    return op->id;
}

/* ---- update ---- */

static void on_mod_rsp(void *arg, int rc, const g5_pfcp_msg *m)
{
    smf_sess *x = arg;
    smf *s = x->s;
    smf_op *op = x->op;
    g5_pfcp_sess_rsp *r = calloc(1, sizeof *r);
    x->pfcp_txn = 0;
    rc = r ? check_rsp(x, rc, m, "modification", r) : G5_ERR_NOMEM;
    free(r);
    if (!rc && x->up_deactivated)
        G5_LOGI("%s PSI %u: user plane deactivated, downlink buffers at the UPF", x->supi, x->psi);
    else if (!rc)
        G5_LOGI("%s PSI %u: downlink forwards to the gNB (TEID %08x)", x->supi, x->psi,
                x->gnb_teid);
    if (op) {
        op->rc = rc;
        op_complete(op);
    } else if (s->waiting) {
        sess_kick(s, x->ref); /* the cancelled call's exchange is over: the next may start */
    }
}

static void on_del_rsp(void *arg, int rc, const g5_pfcp_msg *m)
{
    smf_sess *x = arg;
    smf *s = x->s;
    smf_op *op = x->op;
    g5_pfcp_sess_rsp *r = calloc(1, sizeof *r);
    x->pfcp_txn = 0;
    rc = r ? check_rsp(x, rc, m, "deletion", r) : G5_ERR_NOMEM;
    if (r && (rc == 0 || rc == G5_ERR_STATE))
        count_usage(s, r->report, r->n_reports);
    free(r);
    x->up_seid = 0;
    bool wait_ue = x->state == SESS_RELEASING && op && op->kind == OP_UPDATE;
    if (op) {
        op->rc = 0; /* the context is released locally whatever the UPF said */
        op->released = !wait_ue;
        x->op = NULL;
        op->sess = NULL;
    }
    if (!wait_ue) {
        s->st.released++;
        sess_free(s, x);
    }
    if (op)
        op_complete(op);
}

/* Starts the PFCP deletion; the op (may be NULL) completes when it is answered. */
static int start_delete(smf *s, smf_sess *x, smf_op *op)
{
    mod_abort_for_release(s, x);
    if (!x->up_seid) {
        if (op)
            op->released = true;
        s->st.released++;
        sess_free(s, x);
        if (op)
            op_finish_later(op);
        return 0;
    }
    if (op) {
        x->op = op;
        op->sess = x;
    }
    if (x->pfcp_txn) /* an exchange whose caller gave up (cancelled): deletion wins */
        smf_pfcp_cancel(s->pfcp, x->pfcp_txn);
    x->pfcp_txn = smf_pfcp_request(s->pfcp, x->upf, build_del, x, on_del_rsp, x);
    if (!x->pfcp_txn) {
        s->st.released++;
        x->op = NULL;
        sess_free(s, x);
        if (op) {
            op->sess = NULL;
            op->released = true;
            op_finish_later(op);
        }
    }
    return 0;
}

static void fill_release_command(smf_op *op, uint8_t psi, uint8_t pti, uint8_t cause)
{
    g5_wbuf w1, w2;
    g5_wbuf_init(&w1, op->n1, sizeof op->n1);
    g5_wbuf_init(&w2, op->n2, sizeof op->n2);
    op->rc = smf_gsm_build_release_command(psi, pti, cause, &w1);
    if (!op->rc)
        op->rc = smf_n2_build_release_command_transfer(&w2);
    op->n1_len = g5_wbuf_len(&w1);
    op->n2_len = g5_wbuf_len(&w2);
}

/* N1 from the UE for an existing session. */
static void update_n1(smf *s, smf_sess *x, smf_op *op)
{
    uint8_t psi, pti, type, cause;
    if (smf_gsm_peek(op->in1, op->in1_len, &psi, &pti, &type, &cause) || psi != x->psi) {
        op->rc = G5_ERR_INVALID;
        op_finish_later(op);
        return;
    }
    if (mod_on_n1(s, x, op, type, pti))
        return;
    if (type == NAS_PDU_SESSION_RELEASE_REQUEST && x->state == SESS_ACTIVE) {
        /* §6.4.3.2: UE-requested release -> RELEASE COMMAND (#36) + N2 release; stop the
         * user plane now, forget the context at RELEASE COMPLETE */
        fill_release_command(op, psi, pti, SMF_CAUSE_REGULAR_DEACTIVATION);
        x->state = SESS_RELEASING;
        start_delete(s, x, op);
        return;
    }
    if (type == NAS_PDU_SESSION_RELEASE_COMPLETE && x->state == SESS_RELEASING) {
        op->released = true;
        if (!x->up_seid && !x->op) {
            s->st.released++;
            sess_free(s, x);
        }
        op_finish_later(op);
        return;
    }
    G5_LOGI("%s PSI %u: 5GSM message 0x%02x not handled in this state", x->supi, x->psi, type);
    op->rc = G5_ERR_STATE;
    op_finish_later(op);
}

static void update_n2(smf *s, smf_sess *x, smf_op *op)
{
    if (mod_on_n2(s, x, op))
        return;
    switch (op->n2_type) {
    case SMF_N2_SETUP_RSP:
        if (smf_n2_parse_setup_response_transfer(op->in2, op->in2_len, &x->gnb, &x->gnb_teid)) {
            op->rc = G5_ERR_INVALID;
            break;
        }
        if (!g5_tnl_pick(&x->n3, &x->gnb)) { /* e.g. an IPv4-only gNB, an IPv6-only UPF */
            char a[G5_TNL_STR_MAX], b[G5_TNL_STR_MAX];
            G5_LOGW("%s PSI %u: gNB N3 %s and UPF N3 %s share no address family", x->supi, x->psi,
                    g5_tnl_str(&x->gnb, a, sizeof a), g5_tnl_str(&x->n3, b, sizeof b));
            op->rc = G5_ERR_UNSUPPORTED;
            break;
        }
        x->has_gnb = true;
        x->up_deactivated = false;
        smf_paging_done(&x->paging_ms); /* TS 23.502 §4.2.3.3: the attempt succeeded */
        x->op = op;
        op->sess = x;
        x->pfcp_txn = smf_pfcp_request(s->pfcp, x->upf, build_mod_gnb, x, on_mod_rsp, x);
        if (x->pfcp_txn)
            return;
        op->rc = G5_ERR_IO;
        break;
    case SMF_N2_SETUP_FAIL: /* the RAN refused: the session cannot be used */
        start_delete(s, x, op);
        return;
    case SMF_N2_REL_RSP: break;
    default: op->rc = G5_ERR_INVALID; break;
    }
    op_finish_later(op);
}

/* upCnxState changes (TS 23.502 §4.2.6 AN release, §4.2.3.2 Service Request). */
static void update_up(smf *s, smf_sess *x, smf_op *op)
{
    if (x->state != SESS_ACTIVE) {
        op->rc = G5_ERR_STATE;
    } else if (op->up_cnx == SMF_UP_DEACTIVATED) {
        op->up_rsp = SMF_UP_DEACTIVATED;
        bool was_on = x->has_gnb;
        x->up_deactivated = true;
        x->has_gnb = false;
        x->gnb_teid = 0;
        if (was_on && x->up_seid) {
            x->op = op;
            op->sess = x;
            x->pfcp_txn = smf_pfcp_request(s->pfcp, x->upf, build_mod_deactivate, x, on_mod_rsp, x);
            if (x->pfcp_txn)
                return;
            x->op = NULL;
            op->sess = NULL;
            op->rc = G5_ERR_IO;
        }
    } else if (op->up_cnx == SMF_UP_ACTIVATING) {
        /* the UL tunnel at the UPF is unchanged; the gNB answers with a new DL tunnel */
        op->up_rsp = SMF_UP_ACTIVATING;
        op->rc = fill_setup_transfer(s, x, op);
    } else {
        op->rc = G5_ERR_INVALID;
    }
    op_finish_later(op);
}

/* ---- one procedure at a time per session ---- */

/* A session runs one service call at a time (its PFCP exchange and the N1/N2 it answers
 * belong together); a call that arrives meanwhile (e.g. the UE's PDU SESSION RELEASE
 * REQUEST right behind the gNB's setup response, or a deregistration during the
 * establishment) waits in order and starts when the running one has completed. */
static bool sess_busy(const smf_sess *x)
{
    /* pfcp_txn: an exchange with no call attached (a network-requested release's deletion,
     * or a cancelled call's request) still owns the session until it is answered; a call
     * started on top would replace its transaction and the answer would find the session
     * freed (fuzz_smf_gsm: update during smf_release_network, use after free) */
    return x->op || x->pfcp_txn || x->state == SESS_ESTABLISHING;
}

static void sess_wait(smf_sess *x, smf_op *op)
{
    smf_op **pp = &x->waitq;
    while (*pp)
        pp = &(*pp)->wnext;
    *pp = op;
    op->waiting_on = x;
    x->s->waiting++;
}

static void dispatch(smf *s, smf_sess *x, smf_op *op)
{
    if (op->kind == OP_RELEASE)
        start_delete(s, x, op);
    else if (op->up_cnx)
        update_up(s, x, op);
    else if (op->in1_len)
        update_n1(s, x, op);
    else
        update_n2(s, x, op);
}

/* Starts the next waiting call of session ref, if the session is still there and idle. */
static void sess_kick(smf *s, uint64_t ref)
{
    smf_sess *x = sess_find(s, ref);
    while (x && x->waitq && !sess_busy(x)) {
        smf_op *op = x->waitq;
        x->waitq = op->wnext;
        s->waiting--;
        op->wnext = NULL;
        op->waiting_on = NULL;
        dispatch(s, x, op);
        x = sess_find(s, ref); /* a synchronous release may have freed it */
    }
}

uint64_t smf_update_sm_context(smf *s, const smf_update_req *req, smf_update_cb cb, void *arg)
{
    if (!s || !req || !cb || req->n1_len > 65535 || req->n2_len > 65535)
        return 0;
    smf_op *op = op_new(s, OP_UPDATE, (void *)cb, arg);
    if (!op)
        return 0;
    op->n2_type = req->n2_type;
    op->up_cnx = req->up_cnx_state;
    if ((req->n1_len && !(op->in1 = malloc(req->n1_len))) ||
        (req->n2_len && !(op->in2 = malloc(req->n2_len)))) {
        op_free(s, op);
        return 0;
    }
    if (req->n1_len)
        memcpy(op->in1, req->n1, req->n1_len);
    if (req->n2_len)
        memcpy(op->in2, req->n2, req->n2_len);
    op->in1_len = req->n1_len;
    op->in2_len = req->n2_len;
    op->target_ref = req->sm_context_ref;
    smf_sess *x = sess_find(s, req->sm_context_ref);
    if (!x) {
        op->rc = G5_ERR_NOT_FOUND;
        op_finish_later(op);
    } else if (sess_busy(x)) {
        sess_wait(x, op);
    } else {
        dispatch(s, x, op);
    }
    return op->id;
}

/* ---- release ---- */

uint64_t smf_release_sm_context(smf *s, uint64_t ref, smf_release_cb cb, void *arg)
{
    if (!s || !cb)
        return 0;
    smf_op *op = op_new(s, OP_RELEASE, (void *)cb, arg);
    if (!op)
        return 0;
    op->target_ref = ref;
    smf_sess *x = sess_find(s, ref);
    if (!x) {
        op->rc = G5_ERR_NOT_FOUND;
        op_finish_later(op);
    } else if (sess_busy(x)) {
        sess_wait(x, op);
    } else {
        dispatch(s, x, op);
    }
    return op->id;
}

static void notify_release(smf *s, smf_sess *x, uint8_t cause)
{
    uint8_t n1[64], n2[64];
    g5_wbuf w1, w2;
    g5_wbuf_init(&w1, n1, sizeof n1);
    g5_wbuf_init(&w2, n2, sizeof n2);
    if (!s->n1n2 || smf_gsm_build_release_command(x->psi, 0, cause, &w1) ||
        smf_n2_build_release_command_transfer(&w2))
        return;
    smf_n1n2_msg m = {.supi = x->supi,
                      .psi = x->psi,
                      .sm_context_ref = x->ref,
                      .n1 = n1,
                      .n1_len = g5_wbuf_len(&w1),
                      .n2 = n2,
                      .n2_len = g5_wbuf_len(&w2)};
    s->n1n2(s->n1n2_arg, &m);
}

int smf_release_network(smf *s, uint64_t ref, uint8_t cause)
{
    smf_sess *x = sess_find(s, ref);
    if (!x)
        return G5_ERR_NOT_FOUND;
    if (sess_busy(x)) /* includes a deletion already under way */
        return G5_ERR_AGAIN;
    notify_release(s, x, cause);
    return start_delete(s, x, NULL);
}

/* ---- PFCP node events ---- */

/* The UPF restarted and lost every session: they are released (not re-established), the
 * UE told with RELEASE COMMAND #38 network failure via the AMF. See docs/smf.md. */
static void on_upf_restart(void *arg, int upf)
{
    smf *s = arg;
    smf_sess *x = s->sessions;
    while (x) {
        smf_sess *next = x->next;
        if (x->upf == upf && !x->op && x->state != SESS_ESTABLISHING) {
            notify_release(s, x, SMF_CAUSE_NETWORK_FAILURE);
            s->st.upf_restart_releases++;
            s->st.released++;
            sess_free(s, x);
        } else if (x->upf == upf && x->op) {
            x->up_seid = 0; /* the pending PFCP exchange will fail or be answered "not found" */
        }
        x = next;
    }
}

static void on_rearm_rsp(void *arg, int rc, const g5_pfcp_msg *m)
{
    smf_sess *x = arg;
    g5_pfcp_sess_rsp *r = calloc(1, sizeof *r);
    x->rearm_txn = 0;
    if (r)
        check_rsp(x, rc, m, "modification (re-arm)", r);
    free(r);
}

static uint8_t on_report(void *arg, uint64_t seid, const g5_pfcp_sess_report_req *r,
                         uint64_t *up_seid)
{
    smf *s = arg;
    smf_sess *x = sess_find(s, seid);
    if (!x)
        return G5_PFCP_CAUSE_SESSION_NOT_FOUND;
    *up_seid = x->up_seid;
    count_usage(s, r->report, r->n_reports);
    if (r->report_type & G5_PFCP_RPT_DLDR) { /* TS 23.502 §4.2.3.3 (smf_paging.c) */
        s->st.dl_data_reports++;
        smf_paging_sess ps = {.supi = x->supi,
                              .psi = x->psi,
                              .ref = x->ref,
                              .active = x->state == SESS_ACTIVE,
                              .up_deactivated = x->up_deactivated,
                              .guard_ms = &x->paging_ms};
        smf_n2_setup n2 = setup_params(s, x);
        int pr = smf_paging_dldr(s->n1n2, s->n1n2_arg, &ps, &n2, g5_clock_ms());
        s->st.paging_n1n2 += pr == SMF_PAGING_SENT;
        s->st.paging_suppressed += pr == SMF_PAGING_IN_PROGRESS;
    }
    return G5_PFCP_CAUSE_ACCEPTED;
}

int smf_n1n2_failure(smf *s, uint64_t ref)
{
    smf_sess *x = sess_find(s, ref);
    if (!x)
        return G5_ERR_NOT_FOUND;
    s->st.paging_failures++;
    smf_paging_done(&x->paging_ms);
    G5_LOGN("%s PSI %u: the UE could not be paged; the session stays deactivated", x->supi, x->psi);
    /* §4.2.3.3 step 6: buffering goes on; BUFF+NOCP again re-arms the UPF's report (its
     * own transaction: a procedure of the session may run meanwhile) */
    if (x->up_deactivated && x->up_seid && !x->rearm_txn)
        x->rearm_txn = smf_pfcp_request(s->pfcp, x->upf, build_mod_deactivate, x, on_rearm_rsp, x);
    return 0;
}

/* ---- lifecycle ---- */

static int init_pools(smf *s)
{
    for (int i = 0; i < s->cfg->ndnns; i++) {
        const g5_smf_dnn_cfg *d = &s->cfg->dnns[i];
        if (d->ipv4_pool[0]) {
            if (smf_pool_init(&s->pool4[i], d->ipv4_pool) || s->pool4[i].v6) {
                G5_LOGE("smf.dnns[%d].ipv4_pool %s is not an IPv4 CIDR", i, d->ipv4_pool);
                return G5_ERR_CONFIG;
            }
            s->has4[i] = true;
        }
        if (d->ipv6_pool[0]) {
            if (smf_pool_init(&s->pool6[i], d->ipv6_pool) || !s->pool6[i].v6) {
                G5_LOGE("smf.dnns[%d].ipv6_pool %s is not an IPv6 prefix", i, d->ipv6_pool);
                return G5_ERR_CONFIG;
            }
            s->has6[i] = true;
        }
    }
    return 0;
}

smf *smf_new(uv_loop_t *loop, udm *u, const g5_smf_config *cfg, smf_n1n2_fn n1n2, void *n1n2_arg)
{
    smf *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->loop = loop;
    s->udm = u;
    s->cfg = cfg;
    s->n1n2 = n1n2;
    s->n1n2_arg = n1n2_arg;
    g5_hmap_init(&s->by_ref);
    g5_hmap_init(&s->by_supi_psi);
    g5_hmap_init(&s->ops_by_id);
    smf_pfcp_events ev = {
        .arg = s, .upf_restart = on_upf_restart, .report = on_report, .assoc = NULL};
    s->pfcp = smf_pfcp_new(loop, cfg, &ev);
    if (!s->pfcp || init_pools(s)) {
        smf_free(s);
        return NULL;
    }
    return s;
}

int smf_start(smf *s)
{
    return smf_pfcp_start(s->pfcp);
}

void smf_free(smf *s)
{
    if (!s)
        return;
    /* the shutdown figures (tests read them: sessions and pool addresses left in use) */
    uint32_t in_use = 0;
    for (int i = 0; i < G5_SMF_MAX_DNNS; i++)
        in_use += s->pool4[i].used - s->pool4[i].reserved + s->pool6[i].used - s->pool6[i].reserved;
    G5_LOGN("SMF stopped: %llu sessions active, %llu created, %llu released, %llu rejected, "
            "%llu released after a UPF restart, %u pool addresses in use",
            (unsigned long long)s->st.active, (unsigned long long)s->st.created,
            (unsigned long long)s->st.released, (unsigned long long)s->st.rejected,
            (unsigned long long)s->st.upf_restart_releases, in_use);
    for (smf_op *op = s->ops, *next; op; op = next) {
        next = op->next;
        op_free(s, op);
    }
    s->ops = NULL;
    for (smf_sess *x = s->sessions, *next; x; x = next) {
        next = x->next;
        sess_free(s, x);
    }
    s->sessions = NULL;
    g5_hmap_free(&s->by_ref);
    g5_hmap_free(&s->by_supi_psi);
    g5_hmap_free(&s->ops_by_id);
    for (int i = 0; i < G5_SMF_MAX_DNNS; i++) {
        smf_pool_free(&s->pool4[i]);
        smf_pool_free(&s->pool6[i]);
    }
    smf_pfcp_free(s->pfcp);
    free(s);
}

const smf_stats *smf_get_stats(const smf *s)
{
    return &s->st;
}

smf_pfcp *smf_get_pfcp(smf *s)
{
    return s->pfcp;
}

int smf_sess_info_get(const smf *s, uint64_t ref, smf_sess_info *out)
{
    const smf_sess *x = sess_find(s, ref);
    if (!x)
        return G5_ERR_NOT_FOUND;
    memset(out, 0, sizeof *out);
    out->psi = x->psi;
    out->pdu_type = x->pdu_type;
    out->has_ipv4 = x->has_ipv4;
    out->has_ipv6 = x->has_ipv6;
    memcpy(out->ipv4, x->ipv4, 4);
    memcpy(out->ipv6_prefix, x->ipv6, 8);
    out->local_seid = x->ref;
    out->up_seid = x->up_seid;
    out->ul_teid = x->ul_teid;
    out->has_gnb = x->has_gnb;
    out->gnb_teid = x->gnb_teid;
    out->up_deactivated = x->up_deactivated;
    out->upf = x->upf;
    memcpy(out->dnn, x->dnn, sizeof out->dnn);
    out->snssai = x->snssai;
    return 0;
}
