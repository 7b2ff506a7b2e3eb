/* UPF side of N4 (TS 29.244): node procedures (heartbeat §6.2.2, association setup /
 * update / release §6.2.6-§6.2.8), session establishment / modification / deletion
 * (§7.5.2-§7.5.7) applied to the flat rule tables, session reports (§7.5.8), duplicate
 * request detection (§6.4) and error responses with Cause + Offending IE (§7.6). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/loop.h"
#include "nf/upf/upf.h"

#define G5_LOG_MODULE "upf"
#include "core/log.h"

/* ---- duplicate detection (§6.4: a retransmitted request gets the same response) ---- */

static upf_dup *dup_find(upf *u, const void *sa, uint32_t sa_len, const g5_pfcp_hdr *h)
{
    for (unsigned i = 0; i < UPF_DUP_CACHE; i++) {
        upf_dup *d = &u->dup[i];
        if (d->rsp && d->seq == h->seq && d->type == h->type && d->sa_len == sa_len &&
            !memcmp(d->sa, sa, sa_len))
            return d;
    }
    return NULL;
}

static void dup_store(upf *u, const void *sa, uint32_t sa_len, const g5_pfcp_hdr *h,
                      const g5_wbuf *rsp)
{
    if (rsp->err || !rsp->len || rsp->len > UPF_DUP_MAX_LEN || sa_len > sizeof u->dup[0].sa)
        return;
    upf_dup *d = &u->dup[u->dup_next];
    u->dup_next = (u->dup_next + 1) % UPF_DUP_CACHE;
    if (!d->rsp && !(d->rsp = malloc(UPF_DUP_MAX_LEN)))
        return;
    memcpy(d->sa, sa, sa_len);
    d->sa_len = sa_len;
    d->seq = h->seq;
    d->type = h->type;
    d->len = (uint16_t)rsp->len;
    memcpy(d->rsp, rsp->p, rsp->len);
}

/* ---- session index ---- */

static void sess_unindex(upf *u, upf_sess *s)
{
    for (unsigned i = 0; i < s->n_pdr; i++)
        if (s->pdr[i].has_teid && g5_hmap_get(&u->by_teid, s->pdr[i].teid) == s)
            g5_hmap_del(&u->by_teid, s->pdr[i].teid);
    if (s->has_ue4 && upf_sess_by_ue4(u, s->ue4) == s)
        g5_hmap_del(&u->by_ue4, (uint64_t)s->ue4 + 1u);
    if (s->has_ue6 && upf_sess_by_ue6(u, s->ue6) == s) {
        uint64_t k = 0;
        memcpy(&k, s->ue6, 8);
        g5_hmap_del(&u->by_ue6, k);
    }
}

static int sess_index(upf *u, upf_sess *s)
{
    int rc = 0;
    for (unsigned i = 0; i < s->n_pdr && !rc; i++)
        if (s->pdr[i].has_teid)
            rc = g5_hmap_put(&u->by_teid, s->pdr[i].teid, s);
    if (!rc && s->has_ue4)
        rc = g5_hmap_put(&u->by_ue4, (uint64_t)s->ue4 + 1u, s);
    if (!rc && s->has_ue6) {
        uint64_t k = 0;
        memcpy(&k, s->ue6, 8);
        rc = g5_hmap_put(&u->by_ue6, k, s);
    }
    return rc;
}

static void sess_free(upf *u, upf_sess *s)
{
    upf_dlbuf_free(s);
    sess_unindex(u, s);
    g5_hmap_del(&u->by_seid, s->seid);
    memset(s, 0, sizeof *s);
    u->n_sess--;
}

/* ---- rule application ---- */

typedef struct apply_ctx {
    uint8_t cause;
    uint16_t offending;
    uint32_t chosen[256]; /* CHOOSE ID -> TEID allocated in this message (§5.2.3.1) */
    g5_pfcp_sess_rsp *rsp;
    upf *u;
    upf_sess *s;
} apply_ctx;

static void fail(apply_ctx *a, uint8_t cause, uint16_t ie)
{
    if (!a->cause) {
        a->cause = cause;
        a->offending = ie;
    }
}

static upf_pdr *find_pdr(upf_sess *s, uint16_t id)
{
    for (unsigned i = 0; i < s->n_pdr; i++)
        if (s->pdr[i].id == id)
            return &s->pdr[i];
    return NULL;
}

static upf_far *find_far(upf_sess *s, uint32_t id)
{
    for (unsigned i = 0; i < s->n_far; i++)
        if (s->far[i].id == id)
            return &s->far[i];
    return NULL;
}

static upf_qer *find_qer(upf_sess *s, uint32_t id)
{
    for (unsigned i = 0; i < s->n_qer; i++)
        if (s->qer[i].id == id)
            return &s->qer[i];
    return NULL;
}

static upf_urr *find_urr(upf_sess *s, uint32_t id)
{
    for (unsigned i = 0; i < s->n_urr; i++)
        if (s->urr[i].id == id)
            return &s->urr[i];
    return NULL;
}

/* The addresses of the F-TEID in a Created PDR (§8.2.3): the CP's own when it gave the
 * TEID; with CH, the families the CP asked for (V4/V6) that our N3 has, or, when it asked
 * for none we have, every family we have (the CP sees what it got and the N2 tunnel
 * carries exactly that). */
static void fteid_addrs(const upf_params *p, const g5_pfcp_fteid *req, g5_pfcp_fteid *out)
{
    if (!req->ch) {
        *out = *req;
        return;
    }
    bool have4 = !p->n3_no_v4, have6 = p->n3_v6;
    out->v4 = have4 && req->v4;
    out->v6 = have6 && req->v6;
    if (!out->v4 && !out->v6) {
        out->v4 = have4;
        out->v6 = have6;
    }
    memcpy(out->ipv4, p->n3_ipv4, 4);
    memcpy(out->ipv6, p->n3_ipv6, 16);
}

static void pdr_set_pdi(apply_ctx *a, upf_pdr *d, const g5_pfcp_pdr *v)
{
    const g5_pfcp_pdi *pdi = &v->pdi;
    d->src_if = pdi->src_if;
    if (pdi->has_fteid) {
        if (pdi->fteid.ch) {
            uint32_t teid = pdi->fteid.chid ? a->chosen[pdi->fteid.choose_id] : 0;
            if (!teid && upf_teid_alloc(a->u, &teid)) {
                fail(a, G5_PFCP_CAUSE_NO_RESOURCES, G5_PFCP_IE_F_TEID);
                return;
            }
            if (pdi->fteid.chid)
                a->chosen[pdi->fteid.choose_id] = teid;
            d->teid = teid;
        } else {
            d->teid = pdi->fteid.teid;
        }
        d->has_teid = true;
        if (a->rsp && a->rsp->n_created < G5_PFCP_MAX_RULES) {
            g5_pfcp_created_pdr *c = &a->rsp->created[a->rsp->n_created++];
            memset(c, 0, sizeof *c);
            c->pdr_id = v->pdr_id;
            c->has_fteid = true;
            fteid_addrs(&a->u->p, &pdi->fteid, &c->fteid);
            c->fteid.teid = d->teid;
        }
    }
    d->has_qfi = pdi->has_qfi;
    d->qfi = pdi->qfi;
    d->n_sdf = 0;
    for (unsigned i = 0; i < pdi->n_sdf; i++) {
        if (!pdi->sdf[i].has_fd)
            continue;
        if (d->n_sdf >= UPF_MAX_SDF ||
            upf_sdf_parse(pdi->sdf[i].fd, pdi->sdf[i].fd_len, &d->sdf[d->n_sdf])) {
            fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_SDF_FILTER);
            return;
        }
        d->n_sdf++;
    }
    if (pdi->has_ue_ip) {
        if (pdi->ue_ip.v4) {
            a->s->has_ue4 = true;
            const uint8_t *b = pdi->ue_ip.ipv4;
            a->s->ue4 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        }
        if (pdi->ue_ip.v6) {
            a->s->has_ue6 = true;
            memcpy(a->s->ue6, pdi->ue_ip.ipv6, 8);
        }
    }
}

static void pdr_apply(apply_ctx *a, const g5_pfcp_pdr *v, bool create)
{
    upf_sess *s = a->s;
    upf_pdr *d = find_pdr(s, v->pdr_id);
    if (create) {
        if (d) {
            fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_CREATE_PDR);
            return;
        }
        if (s->n_pdr >= UPF_MAX_PDR) {
            fail(a, G5_PFCP_CAUSE_NO_RESOURCES, G5_PFCP_IE_CREATE_PDR);
            return;
        }
        d = &s->pdr[s->n_pdr++];
        memset(d, 0, sizeof *d);
        d->id = v->pdr_id;
        if (!v->has_pdi) {
            fail(a, G5_PFCP_CAUSE_MANDATORY_IE_MISSING, G5_PFCP_IE_PDI);
            return;
        }
    } else if (!d) {
        fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_UPDATE_PDR);
        return;
    }
    if (v->has_precedence)
        d->precedence = v->precedence;
    if (v->has_pdi)
        pdr_set_pdi(a, d, v);
    if (v->has_ohr)
        d->remove_hdr = true;
    if (v->has_far_id)
        d->far_id = v->far_id;
    if (v->n_qer)
        d->qer_id = v->qer_id[0];
    if (v->n_urr) {
        d->n_urr = (uint8_t)(v->n_urr < UPF_MAX_URR_REF ? v->n_urr : UPF_MAX_URR_REF);
        memcpy(d->urr_id, v->urr_id, d->n_urr * sizeof d->urr_id[0]);
    }
}

static void far_apply(apply_ctx *a, const g5_pfcp_far *v, bool create)
{
    upf_sess *s = a->s;
    upf_far *f = find_far(s, v->far_id);
    if (create) {
        if (f || s->n_far >= UPF_MAX_FAR) {
            fail(a, f ? G5_PFCP_CAUSE_RULE_FAILURE : G5_PFCP_CAUSE_NO_RESOURCES,
                 G5_PFCP_IE_CREATE_FAR);
            return;
        }
        f = &s->far[s->n_far++];
        memset(f, 0, sizeof *f);
        f->id = v->far_id;
    } else if (!f) {
        fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_UPDATE_FAR);
        return;
    }
    if (v->has_apply_action) {
        f->action = v->apply_action;
        /* a new buffering episode (or NOCP asked again, e.g. after a failed paging)
         * reports its first packet again */
        if (!(f->action & G5_PFCP_AA_BUFF) || (f->action & G5_PFCP_AA_NOCP))
            f->reported = false;
    }
    if (v->has_bar_id)
        f->bar_id = v->bar_id;
    if (!v->has_fwd)
        return;
    if (v->fwd.has_dst_if)
        f->dst_if = v->fwd.dst_if;
    if (v->fwd.has_ohc) {
        const g5_pfcp_ohc *o = &v->fwd.ohc;
        if (!(o->desc & (G5_PFCP_OHC_GTPU_UDP_IPV4 | G5_PFCP_OHC_GTPU_UDP_IPV6))) {
            fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_OUTER_HEADER_CREATION);
            return;
        }
        f->has_ohc = true;
        f->tpl_ok = false;
        /* both families given (§8.2.56 allows it): IPv6 when our N3 has it, as
         * g5_tnl_pick() chooses; one family: that one */
        f->ohc_v6 = (o->desc & G5_PFCP_OHC_GTPU_UDP_IPV6) &&
                    (!(o->desc & G5_PFCP_OHC_GTPU_UDP_IPV4) || a->u->p.n3_v6);
        f->ohc_teid = o->teid;
        memset(f->peer, 0, sizeof f->peer);
        if (f->ohc_v6)
            memcpy(f->peer, o->ipv6, 16);
        else
            memcpy(f->peer, o->ipv4, 4);
    }
}

static uint64_t kbps_to_bps(uint64_t kbps)
{
    return kbps > UINT64_MAX / 1000u ? UINT64_MAX : kbps * 1000u;
}

static void qer_apply(apply_ctx *a, const g5_pfcp_qer *v, bool create)
{
    upf_sess *s = a->s;
    upf_qer *q = find_qer(s, v->qer_id);
    if (create) {
        if (q || s->n_qer >= UPF_MAX_QER) {
            fail(a, q ? G5_PFCP_CAUSE_RULE_FAILURE : G5_PFCP_CAUSE_NO_RESOURCES,
                 G5_PFCP_IE_CREATE_QER);
            return;
        }
        q = &s->qer[s->n_qer++];
        memset(q, 0, sizeof *q);
        q->id = v->qer_id;
    } else if (!q) {
        fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_UPDATE_QER);
        return;
    }
    if (v->has_gate) {
        q->gate_ul = v->gate_ul;
        q->gate_dl = v->gate_dl;
    }
    if (v->has_mbr) {
        uint64_t now = g5_clock_ns();
        upf_tbucket_init(&q->ul, kbps_to_bps(v->mbr.ul_kbps), now);
        upf_tbucket_init(&q->dl, kbps_to_bps(v->mbr.dl_kbps), now);
    }
    if (v->has_qfi) {
        q->has_qfi = true;
        q->qfi = v->qfi;
    }
}

static void urr_apply(apply_ctx *a, const g5_pfcp_urr *v, bool create)
{
    upf_sess *s = a->s;
    upf_urr *r = find_urr(s, v->urr_id);
    if (create) {
        if (r || s->n_urr >= UPF_MAX_URR) {
            fail(a, r ? G5_PFCP_CAUSE_RULE_FAILURE : G5_PFCP_CAUSE_NO_RESOURCES,
                 G5_PFCP_IE_CREATE_URR);
            return;
        }
        r = &s->urr[s->n_urr++];
        memset(r, 0, sizeof *r);
        r->id = v->urr_id;
        r->start_s = upf_ntp_now();
    } else if (!r) {
        fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_UPDATE_URR);
        return;
    }
    if (v->has_method)
        r->method = v->method;
    if (v->has_triggers)
        r->triggers = v->triggers;
    if (v->has_vol_thr) {
        r->thr_total = v->vol_thr.flags & G5_PFCP_VOL_TOVOL ? v->vol_thr.total : 0;
        r->thr_ul = v->vol_thr.flags & G5_PFCP_VOL_ULVOL ? v->vol_thr.ul : 0;
        r->thr_dl = v->vol_thr.flags & G5_PFCP_VOL_DLVOL ? v->vol_thr.dl : 0;
    }
}

static void apply_rules(apply_ctx *a, const g5_pfcp_rules *r, bool create)
{
    /* FARs, QERs and URRs first so PDRs can refer to rules of the same message. */
    for (unsigned i = 0; i < r->n_far && !a->cause; i++)
        far_apply(a, &r->far[i], create);
    for (unsigned i = 0; i < r->n_qer && !a->cause; i++)
        qer_apply(a, &r->qer[i], create);
    for (unsigned i = 0; i < r->n_urr && !a->cause; i++)
        urr_apply(a, &r->urr[i], create);
    for (unsigned i = 0; i < r->n_pdr && !a->cause; i++)
        pdr_apply(a, &r->pdr[i], create);
}

/* Every PDR's FAR must exist (§7.5.2.2: the FAR ID of a PDR refers to a created FAR). */
static void check_refs(apply_ctx *a)
{
    upf_sess *s = a->s;
    for (unsigned i = 0; i < s->n_pdr && !a->cause; i++)
        if (s->pdr[i].far_id && !find_far(s, s->pdr[i].far_id))
            fail(a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_FAR_ID);
}

/* ---- usage reports ---- */

static void urr_report(upf_urr *r, uint32_t trigger, g5_pfcp_usage_report *o)
{
    memset(o, 0, sizeof *o);
    o->urr_id = r->id;
    o->ur_seqn = r->seqn++;
    o->trigger = trigger;
    o->has_start = o->has_end = true;
    o->start = r->start_s;
    o->end = upf_ntp_now();
    o->has_vol = true;
    o->vol.flags = G5_PFCP_VOL_TOVOL | G5_PFCP_VOL_ULVOL | G5_PFCP_VOL_DLVOL | G5_PFCP_VOL_TONOP |
                   G5_PFCP_VOL_ULNOP | G5_PFCP_VOL_DLNOP;
    o->vol.ul = r->ul_bytes;
    o->vol.dl = r->dl_bytes;
    o->vol.total = r->ul_bytes + r->dl_bytes;
    o->vol.ul_pkts = r->ul_pkts;
    o->vol.dl_pkts = r->dl_pkts;
    o->vol.total_pkts = r->ul_pkts + r->dl_pkts;
    r->ul_bytes = r->dl_bytes = r->ul_pkts = r->dl_pkts = 0;
    r->start_s = o->end;
    r->pending = false;
}

static void send_report(upf *u, upf_sess *s, const g5_pfcp_sess_report_req *rq)
{
    uint8_t buf[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    u->report_seq = (u->report_seq + 1) & 0xffffffu;
    if (g5_pfcp_build_sess_report_req(&w, s->cp_seid, u->report_seq, rq) < 0 || w.err)
        return;
    u->c.pfcp_reports++;
    if (u->send && s->peer_len)
        u->send(u->send_arg, s->peer_sa, s->peer_len, buf, w.len);
}

void upf_flush_reports(upf *u)
{
    u->report_pending = false;
    for (uint32_t i = 0; i < u->p.max_sessions; i++) {
        upf_sess *s = &u->pool[i];
        if (!s->used)
            continue;
        g5_pfcp_sess_report_req rq;
        memset(&rq, 0, sizeof rq);
        for (unsigned k = 0; k < s->n_urr && rq.n_reports < G5_PFCP_MAX_REPORTS; k++)
            if (s->urr[k].pending)
                urr_report(&s->urr[k], G5_PFCP_RT_VOLTH, &rq.report[rq.n_reports++]);
        if (rq.n_reports) {
            rq.report_type = G5_PFCP_RPT_USAR;
            send_report(u, s, &rq);
        }
    }
}

/* Downlink data report (§5.2.4.1): first packet hitting a buffering FAR with NOCP. */
void upf_report_dl_data(upf *u, upf_sess *s, const upf_pdr *d);
void upf_report_dl_data(upf *u, upf_sess *s, const upf_pdr *d)
{
    g5_pfcp_sess_report_req rq;
    memset(&rq, 0, sizeof rq);
    rq.report_type = G5_PFCP_RPT_DLDR;
    rq.n_dl_pdr = 1;
    rq.dl_pdr_id[0] = d->id;
    send_report(u, s, &rq);
}

/* ---- message handlers ---- */

static void put_cause_rsp(g5_wbuf *w, uint8_t type, const g5_pfcp_hdr *h, const upf *u,
                          uint8_t cause)
{
    size_t st;
    g5_pfcp_msg_begin(w, type, 0, h->seq, &st);
    g5_pfcp_put_node_id(w, &u->p.node_id);
    g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, cause);
    g5_pfcp_msg_end(w, st);
}

static void on_assoc(upf *u, const g5_pfcp_msg *m, g5_wbuf *w)
{
    g5_pfcp_assoc a;
    if (g5_pfcp_assoc_parse(m, &a)) {
        put_cause_rsp(w, (uint8_t)(m->h.type + 1), &m->h, u, G5_PFCP_CAUSE_MANDATORY_IE_INCORRECT);
        return;
    }
    if (m->h.type == G5_PFCP_ASSOC_SETUP_REQ) {
        /* §6.2.6.2.2: a new setup from the same node replaces the association; its
         * sessions are kept only if the SMF did not restart (we keep them; docs). */
        u->associated = true;
        u->smf_node = a.node_id;
        g5_pfcp_build_assoc_setup_rsp(w, m->h.seq, &u->p.node_id, G5_PFCP_CAUSE_ACCEPTED,
                                      u->p.recovery_ts, G5_PFCP_UPF_FTUP, 0);
        G5_LOGI("association setup from SMF accepted");
        return;
    }
    if (!u->associated) {
        put_cause_rsp(w, (uint8_t)(m->h.type + 1), &m->h, u, G5_PFCP_CAUSE_NO_ASSOCIATION);
        return;
    }
    if (m->h.type == G5_PFCP_ASSOC_RELEASE_REQ) {
        /* §6.2.8: release deletes every session of the association. */
        for (uint32_t i = 0; i < u->p.max_sessions; i++)
            if (u->pool[i].used)
                sess_free(u, &u->pool[i]);
        u->associated = false;
        G5_LOGI("association released");
    }
    put_cause_rsp(w, (uint8_t)(m->h.type + 1), &m->h, u, G5_PFCP_CAUSE_ACCEPTED);
}

static upf_sess *sess_alloc(upf *u)
{
    if (u->n_sess >= u->p.max_sessions)
        return NULL;
    for (uint32_t n = 0; n < u->p.max_sessions; n++) {
        uint32_t i = (u->alloc_cursor + n) % u->p.max_sessions;
        upf_sess *s = &u->pool[i];
        if (s->used)
            continue;
        u->alloc_cursor = (i + 1) % u->p.max_sessions;
        memset(s, 0, sizeof *s);
        s->used = true;
        do {
            s->seid = u->next_seid++;
        } while (!s->seid || g5_hmap_get(&u->by_seid, s->seid));
        if (g5_hmap_put(&u->by_seid, s->seid, s)) {
            s->used = false;
            return NULL;
        }
        u->n_sess++;
        return s;
    }
    return NULL;
}

static void on_sess_est(upf *u, const g5_pfcp_msg *m, const void *sa, uint32_t sa_len, g5_wbuf *w)
{
    static g5_pfcp_sess_est_req rq; /* large; one event loop per upf (not reentrant) */
    static g5_pfcp_sess_rsp rsp;
    memset(&rsp, 0, sizeof rsp);
    rsp.node_id = u->p.node_id;
    int rc = g5_pfcp_sess_est_req_parse(m, &rq);
    uint64_t peer_seid = rc ? 0 : rq.cp_fseid.seid;
    if (rc) {
        rsp.cause =
            rc == G5_ERR_LIMIT ? G5_PFCP_CAUSE_NO_RESOURCES : G5_PFCP_CAUSE_MANDATORY_IE_INCORRECT;
    } else if (!u->associated) {
        rsp.cause = G5_PFCP_CAUSE_NO_ASSOCIATION; /* §6.2.6.1 */
    } else {
        upf_sess *s = sess_alloc(u);
        if (!s) {
            rsp.cause = G5_PFCP_CAUSE_NO_RESOURCES;
        } else {
            static apply_ctx a;
            memset(&a, 0, sizeof a);
            a.u = u;
            a.s = s;
            a.rsp = &rsp;
            s->cp_seid = rq.cp_fseid.seid;
            if (sa_len <= sizeof s->peer_sa) {
                memcpy(s->peer_sa, sa, sa_len);
                s->peer_len = sa_len;
            }
            apply_rules(&a, &rq.create, true);
            check_refs(&a);
            if (!a.cause && (s->has_ue4 && upf_sess_by_ue4(u, s->ue4)))
                fail(&a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_UE_IP_ADDRESS);
            if (!a.cause && sess_index(u, s))
                fail(&a, G5_PFCP_CAUSE_NO_RESOURCES, 0);
            if (a.cause) {
                rsp.cause = a.cause;
                rsp.offending_ie = a.offending;
                rsp.n_created = 0;
                sess_free(u, s);
            } else {
                rsp.cause = G5_PFCP_CAUSE_ACCEPTED;
                rsp.has_up_fseid = true;
                rsp.up_fseid.v4 = true;
                rsp.up_fseid.seid = s->seid;
                /* the N4 address (our IPv4 Node ID), §8.2.37 */
                memcpy(rsp.up_fseid.ipv4,
                       u->p.node_id.type == G5_PFCP_NODE_IPV4 ? u->p.node_id.ipv4 : u->p.n3_ipv4,
                       4);
                G5_LOGD("session 0x%llx established (%u PDRs)", (unsigned long long)s->seid,
                        s->n_pdr);
            }
        }
    }
    g5_pfcp_build_sess_est_rsp(w, peer_seid, m->h.seq, &rsp);
}

static void remove_rules(upf_sess *s, const g5_pfcp_sess_mod_req *rq)
{
    for (unsigned i = 0; i < rq->n_remove_pdr; i++) {
        upf_pdr *d = find_pdr(s, rq->remove_pdr[i]);
        if (d)
            *d = s->pdr[--s->n_pdr];
    }
    for (unsigned i = 0; i < rq->n_remove_far; i++) {
        upf_far *f = find_far(s, rq->remove_far[i]);
        if (f)
            *f = s->far[--s->n_far];
    }
    for (unsigned i = 0; i < rq->n_remove_qer; i++) {
        upf_qer *q = find_qer(s, rq->remove_qer[i]);
        if (q)
            *q = s->qer[--s->n_qer];
    }
    for (unsigned i = 0; i < rq->n_remove_urr; i++) {
        upf_urr *r = find_urr(s, rq->remove_urr[i]);
        if (r)
            *r = s->urr[--s->n_urr];
    }
}

/* The modification sets a FAR's apply action to FORW (the service request's new gNB
 * tunnel, TS 23.502 §4.2.3.2 step 17). */
static bool forwards_again(const g5_pfcp_sess_mod_req *rq)
{
    for (unsigned i = 0; i < rq->update.n_far; i++)
        if (rq->update.far[i].has_apply_action &&
            (rq->update.far[i].apply_action & G5_PFCP_AA_FORW))
            return true;
    return false;
}

static void on_sess_mod(upf *u, const g5_pfcp_msg *m, g5_wbuf *w)
{
    static g5_pfcp_sess_mod_req rq;
    static g5_pfcp_sess_rsp rsp;
    static upf_sess backup;
    memset(&rsp, 0, sizeof rsp);
    upf_sess *s = upf_sess_by_seid(u, m->h.seid);
    if (!s) {
        rsp.cause = G5_PFCP_CAUSE_SESSION_NOT_FOUND; /* §7.2.2.4.2: SEID 0 in the header */
        g5_pfcp_build_sess_mod_rsp(w, 0, m->h.seq, &rsp);
        return;
    }
    int rc = g5_pfcp_sess_mod_req_parse(m, &rq);
    if (rc) {
        rsp.cause =
            rc == G5_ERR_LIMIT ? G5_PFCP_CAUSE_NO_RESOURCES : G5_PFCP_CAUSE_MANDATORY_IE_INCORRECT;
        g5_pfcp_build_sess_mod_rsp(w, s->cp_seid, m->h.seq, &rsp);
        return;
    }
    /* All or nothing: apply on the live session, roll back from a copy on failure. */
    backup = *s;
    sess_unindex(u, s);
    static apply_ctx a;
    memset(&a, 0, sizeof a);
    a.u = u;
    a.s = s;
    if (rq.has_cp_fseid)
        s->cp_seid = rq.cp_fseid.seid;
    remove_rules(s, &rq);
    apply_rules(&a, &rq.create, true);
    apply_rules(&a, &rq.update, false);
    check_refs(&a);
    if (!a.cause && s->has_ue4 && upf_sess_by_ue4(u, s->ue4))
        fail(&a, G5_PFCP_CAUSE_RULE_FAILURE, G5_PFCP_IE_UE_IP_ADDRESS);
    if (!a.cause && sess_index(u, s))
        fail(&a, G5_PFCP_CAUSE_NO_RESOURCES, 0);
    if (a.cause) {
        sess_unindex(u, s);
        *s = backup;
        sess_index(u, s); /* the old entries fit: they were there before */
        rsp.cause = a.cause;
        rsp.offending_ie = a.offending;
    } else {
        rsp.cause = G5_PFCP_CAUSE_ACCEPTED;
        if (s->dlbuf && forwards_again(&rq)) /* TS 23.502 §4.2.3.3: buffered data out */
            upf_dlbuf_flush(u, s, g5_clock_ns());
        for (unsigned i = 0; i < rq.n_query_urr && rsp.n_reports < G5_PFCP_MAX_REPORTS; i++) {
            upf_urr *r = find_urr(s, rq.query_urr[i]);
            if (r)
                urr_report(r, G5_PFCP_URT_IMMER, &rsp.report[rsp.n_reports++]);
        }
    }
    g5_pfcp_build_sess_mod_rsp(w, s->cp_seid, m->h.seq, &rsp);
}

static void on_sess_del(upf *u, const g5_pfcp_msg *m, g5_wbuf *w)
{
    static g5_pfcp_sess_rsp rsp;
    memset(&rsp, 0, sizeof rsp);
    upf_sess *s = upf_sess_by_seid(u, m->h.seid);
    if (!s) {
        rsp.cause = G5_PFCP_CAUSE_SESSION_NOT_FOUND;
        g5_pfcp_build_sess_del_rsp(w, 0, m->h.seq, &rsp);
        return;
    }
    rsp.cause = G5_PFCP_CAUSE_ACCEPTED;
    /* §7.5.7.1: final usage report of every URR (trigger TERMR). */
    for (unsigned i = 0; i < s->n_urr && rsp.n_reports < G5_PFCP_MAX_REPORTS; i++)
        urr_report(&s->urr[i], G5_PFCP_URT_TERMR, &rsp.report[rsp.n_reports++]);
    uint64_t cp = s->cp_seid;
    G5_LOGD("session 0x%llx deleted", (unsigned long long)s->seid);
    sess_free(u, s);
    g5_pfcp_build_sess_del_rsp(w, cp, m->h.seq, &rsp);
}

static void version_not_supported(const g5_pfcp_hdr *h, g5_wbuf *w)
{
    size_t st;
    g5_pfcp_msg_begin(w, G5_PFCP_VERSION_NOT_SUPPORTED_RSP, 0, h->seq, &st);
    g5_pfcp_msg_end(w, st);
}

void upf_pfcp_handle(upf *u, const uint8_t *p, size_t n, const void *sa, uint32_t sa_len,
                     g5_wbuf *rsp)
{
    g5_pfcp_hdr h;
    g5_pfcp_error e;
    u->c.pfcp_rx++;
    if (g5_pfcp_decode_hdr(p, n, &h)) {
        if (n >= 4 && (p[0] >> 5) != G5_PFCP_VERSION) {
            memset(&h, 0, sizeof h); /* §7.6.2: Version Not Supported, then drop */
            h.seq = n >= 7 && !(p[0] & 1) ? (uint32_t)p[4] << 16 | (uint32_t)p[5] << 8 | p[6] : 0;
            version_not_supported(&h, rsp);
        }
        u->c.pfcp_bad++;
        return;
    }
    bool req = g5_pfcp_msg_is_request(h.type);
    if (req) {
        upf_dup *d = dup_find(u, sa, sa_len, &h);
        if (d) {
            u->c.pfcp_dup++;
            g5_wbuf_bytes(rsp, d->rsp, d->len);
            return;
        }
    }
    memset(&e, 0, sizeof e);
    if (g5_pfcp_decode(p, n, &u->msg, &e)) {
        u->c.pfcp_bad++;
        if (req && e.cause) {
            upf_sess *s = h.s ? upf_sess_by_seid(u, h.seid) : NULL;
            g5_pfcp_build_reject(rsp, &h, s ? s->cp_seid : 0, &u->p.node_id, &e);
            dup_store(u, sa, sa_len, &h, rsp);
        }
        return;
    }
    const g5_pfcp_msg *m = &u->msg;
    switch (h.type) {
    case G5_PFCP_HEARTBEAT_REQ: g5_pfcp_build_heartbeat_rsp(rsp, h.seq, u->p.recovery_ts); break;
    case G5_PFCP_ASSOC_SETUP_REQ:
    case G5_PFCP_ASSOC_UPDATE_REQ:
    case G5_PFCP_ASSOC_RELEASE_REQ: on_assoc(u, m, rsp); break;
    case G5_PFCP_SESSION_EST_REQ: on_sess_est(u, m, sa, sa_len, rsp); break;
    case G5_PFCP_SESSION_MOD_REQ: on_sess_mod(u, m, rsp); break;
    case G5_PFCP_SESSION_DEL_REQ: on_sess_del(u, m, rsp); break;
    default:
        if (req) { /* §7.6.3 would be "Service not supported" for known-but-unhandled */
            g5_pfcp_error ns = {.cause = G5_PFCP_CAUSE_SERVICE_NOT_SUPPORTED};
            g5_pfcp_build_reject(rsp, &h, 0, &u->p.node_id, &ns);
        }
        break; /* responses (heartbeat, report): nothing to do */
    }
    if (req)
        dup_store(u, sa, sa_len, &h, rsp);
}
