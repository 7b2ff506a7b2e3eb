/* UPF data path, one packet at a time (the batching is in upf_main.c).
 *
 * Uplink (N3 -> N6, TS 29.281 + TS 29.244 §5.2.1): zero-copy GTP-U parse; Echo Request ->
 * Echo Response (§7.2.2); G-PDU: session by TEID, PDR by TEID + QFI + SDF with the
 * highest precedence (lowest value), QER gate and MBR token bucket, URR counting,
 * FAR action; the inner packet is handed back for N6. Unknown TEID -> Error Indication
 * (§7.3.1), rate limited.
 *
 * Downlink (N6 -> N3): session by destination UE IP (v4 /32, v6 /64), PDR by SDF and
 * precedence, QER, URR, FAR: forward (GTP-U header with a DL PDU Session Container pushed
 * into the headroom), buffer (counted, downlink data report to the SMF) or drop. */
#include <string.h>

#include "core/err.h"
#include "nf/upf/upf.h"

void upf_report_dl_data(upf *u, upf_sess *s, const upf_pdr *d);

static upf_far *far_of(upf_sess *s, uint32_t id)
{
    for (unsigned i = 0; i < s->n_far; i++)
        if (s->far[i].id == id)
            return &s->far[i];
    return NULL;
}

static upf_qer *qer_of(upf_sess *s, uint32_t id)
{
    for (unsigned i = 0; i < s->n_qer; i++)
        if (s->qer[i].id == id)
            return &s->qer[i];
    return NULL;
}

/* Best PDR for a packet: matching source interface, TEID/QFI (uplink), every SDF filter
 * of the PDR matched by at least one (§5.2.1: a PDR without SDF filter matches all). */
static upf_pdr *pdr_lookup(upf_sess *s, bool uplink, uint32_t teid, bool has_qfi, uint8_t qfi,
                           const upf_flow *fl)
{
    upf_pdr *best = NULL;
    uint8_t want_if = uplink ? G5_PFCP_IF_ACCESS : G5_PFCP_IF_CORE;
    for (unsigned i = 0; i < s->n_pdr; i++) {
        upf_pdr *d = &s->pdr[i];
        if (d->src_if != want_if)
            continue;
        if (uplink && (!d->has_teid || d->teid != teid))
            continue;
        if (uplink && d->has_qfi && (!has_qfi || d->qfi != qfi))
            continue;
        if (d->n_sdf) {
            bool any = false;
            for (unsigned k = 0; k < d->n_sdf && !any; k++)
                any = upf_sdf_match(&d->sdf[k], fl, uplink, s->ue4);
            if (!any)
                continue;
        }
        if (!best || d->precedence < best->precedence)
            best = d;
    }
    return best;
}

static void urr_count(upf *u, upf_sess *s, const upf_pdr *d, size_t bytes, bool uplink)
{
    for (unsigned i = 0; i < d->n_urr; i++) {
        for (unsigned k = 0; k < s->n_urr; k++) {
            upf_urr *r = &s->urr[k];
            if (r->id != d->urr_id[i])
                continue;
            if (uplink) {
                r->ul_bytes += bytes;
                r->ul_pkts++;
            } else {
                r->dl_bytes += bytes;
                r->dl_pkts++;
            }
            if ((r->triggers & G5_PFCP_RT_VOLTH) &&
                ((r->thr_total && r->ul_bytes + r->dl_bytes >= r->thr_total) ||
                 (r->thr_ul && r->ul_bytes >= r->thr_ul) ||
                 (r->thr_dl && r->dl_bytes >= r->thr_dl)))
                r->pending = u->report_pending = true;
        }
    }
}

/* Gate and MBR. Returns false (and counts) when the packet must be dropped. */
static bool qer_pass(upf *u, upf_sess *s, const upf_pdr *d, size_t bytes, bool uplink, uint64_t now,
                     uint8_t *qfi)
{
    upf_qer *q = d->qer_id ? qer_of(s, d->qer_id) : NULL;
    if (!q)
        return true;
    if (q->has_qfi)
        *qfi = q->qfi;
    if ((uplink ? q->gate_ul : q->gate_dl) != G5_PFCP_GATE_OPEN) {
        q->gate_drops++;
        u->c.gate_drop++;
        return false;
    }
    if (!upf_tbucket_take(uplink ? &q->ul : &q->dl, bytes, now)) {
        q->mbr_drops++;
        u->c.mbr_drop++;
        return false;
    }
    return true;
}

static enum upf_verdict reply_echo(upf *u, const g5_gtpu_hdr *h, uint8_t *scratch, size_t cap,
                                   upf_out *o)
{
    g5_wbuf w;
    g5_wbuf_init(&w, scratch, cap);
    if (g5_gtpu_build_echo_response(&w, h->seq) < 0 || w.err)
        return UPF_DROP;
    u->c.echo++;
    o->out = scratch;
    o->out_len = w.len;
    return UPF_REPLY;
}

static enum upf_verdict reply_err_ind(upf *u, uint32_t teid, uint64_t now, uint8_t *scratch,
                                      size_t cap, upf_out *o)
{
    /* One "token" (8 bits) per Error Indication: at most err_ind_per_s per second. */
    if (!upf_tbucket_take(&u->err_ind_rl, 1, now)) {
        u->c.err_ind_suppressed++;
        return UPF_DROP;
    }
    g5_wbuf w;
    g5_wbuf_init(&w, scratch, cap);
    if (g5_gtpu_build_error_indication(&w, 0, teid, u->p.n3_ipv4, 4, 0) < 0 || w.err)
        return UPF_DROP;
    u->c.err_ind++;
    o->out = scratch;
    o->out_len = w.len;
    return UPF_REPLY;
}

enum upf_verdict upf_uplink(upf *u, uint8_t *pkt, size_t len, uint64_t now_ns, uint8_t *scratch,
                            size_t scratch_cap, upf_out *o)
{
    g5_gtpu_hdr h;
    memset(o, 0, sizeof *o);
    if (g5_gtpu_parse(pkt, len, &h)) {
        u->c.malformed++;
        return UPF_DROP;
    }
    if (h.msg_type == G5_GTPU_ECHO_REQUEST)
        return reply_echo(u, &h, scratch, scratch_cap, o);
    if (h.msg_type != G5_GTPU_GPDU) {
        u->c.ul_drop++; /* error indications, end markers: nothing to do for a PSA UPF */
        return UPF_DROP;
    }
    upf_sess *s = upf_sess_by_teid(u, h.teid);
    if (!s) {
        u->c.no_session++;
        return reply_err_ind(u, h.teid, now_ns, scratch, scratch_cap, o);
    }
    upf_flow fl;
    if (upf_flow_parse(h.payload, h.payload_len, &fl)) {
        u->c.malformed++;
        return UPF_DROP;
    }
    bool has_qfi = h.has_psc;
    upf_pdr *d = pdr_lookup(s, true, h.teid, has_qfi, h.psc.qfi, &fl);
    const upf_far *f = d ? far_of(s, d->far_id) : NULL;
    uint8_t qfi = 0;
    if (!f || !qer_pass(u, s, d, h.payload_len, true, now_ns, &qfi)) {
        u->c.ul_drop++;
        return UPF_DROP;
    }
    urr_count(u, s, d, h.payload_len, true);
    if (!(f->action & G5_PFCP_AA_FORW)) {
        u->c.ul_drop++;
        return UPF_DROP;
    }
    u->c.ul_pkts++;
    u->c.ul_bytes += h.payload_len;
    o->out = h.payload;
    o->out_len = h.payload_len;
    return UPF_TO_N6;
}

enum upf_verdict upf_downlink(upf *u, uint8_t *ip, size_t len, uint64_t now_ns, upf_out *o)
{
    upf_flow fl;
    memset(o, 0, sizeof *o);
    if (upf_flow_parse(ip, len, &fl)) {
        u->c.malformed++;
        return UPF_DROP;
    }
    upf_sess *s = fl.ver == 4 ? upf_sess_by_ue4(u, fl.dst4) : upf_sess_by_ue6(u, fl.dst6);
    upf_pdr *d = s ? pdr_lookup(s, false, 0, false, 0, &fl) : NULL;
    upf_far *f = d ? far_of(s, d->far_id) : NULL;
    if (!f) {
        u->c.no_session += !s;
        u->c.dl_drop++;
        return UPF_DROP;
    }
    uint8_t qfi = d->has_qfi ? d->qfi : 0;
    if (!qer_pass(u, s, d, len, false, now_ns, &qfi)) {
        u->c.dl_drop++;
        return UPF_DROP;
    }
    urr_count(u, s, d, len, false);
    if (f->action & G5_PFCP_AA_BUFF) {
        /* Held as a count only (no packet store yet, docs/upf.md); the SMF is told once
         * per buffering episode so it can page the UE (TS 23.502 §4.2.3.3). */
        f->buffered++;
        u->c.buffered++;
        if ((f->action & G5_PFCP_AA_NOCP) && !f->reported) {
            f->reported = true;
            upf_report_dl_data(u, s, d);
        }
        return UPF_DROP;
    }
    if (!(f->action & G5_PFCP_AA_FORW) || !f->has_ohc) {
        u->c.dl_drop++;
        return UPF_DROP;
    }
    /* TS 38.415 §5.5.2.1: DL PDU SESSION INFORMATION with the flow's QFI. The header is
     * built once per (tunnel, QFI) and kept in the FAR. */
    if (!f->tpl_ok || f->tpl_qfi != qfi) {
        g5_gtpu_psc psc;
        memset(&psc, 0, sizeof psc);
        psc.pdu_type = G5_GTPU_PSC_DL;
        psc.qfi = qfi & 0x3f;
        g5_gtpu_encap_params ep = {.msg_type = G5_GTPU_GPDU, .teid = f->ohc_teid, .psc = &psc};
        if (g5_gtpu_tpl_init(&f->tpl, &ep))
            return UPF_DROP;
        f->tpl_ok = true;
        f->tpl_qfi = qfi;
    }
    const g5_gtpu_tpl *tp = &f->tpl;
    uint8_t *g = g5_gtpu_tpl_push(tp, ip, len, G5_GTPU_HEADROOM, 0);
    if (!g) {
        u->c.dl_drop++;
        return UPF_DROP;
    }
    u->c.dl_pkts++;
    u->c.dl_bytes += len;
    o->out = g;
    o->out_len = len + tp->len;
    o->peer_len = f->ohc_v6 ? 16 : 4;
    memcpy(o->peer, f->peer, o->peer_len);
    return UPF_TO_N3;
}
