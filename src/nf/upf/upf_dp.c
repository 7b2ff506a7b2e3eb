/* UPF data path, one packet at a time (the batching is in upf_main.c).
 *
 * Uplink (N3 -> N6, TS 29.281 + TS 29.244 §5.2.1): zero-copy GTP-U parse; Echo
 * Request -> Echo Response (§7.2.2); G-PDU: session by TEID, PDR by TEID + QFI
 * + SDF with the highest precedence (lowest value), QER gate and MBR token
 * bucket, URR counting, FAR action; the inner packet is handed back for N6.
 * Unknown TEID -> Error Indication (§7.3.1), rate limited.
 *
 * Downlink (N6 -> N3): session by destination UE IP (v4 /32, v6 /64), PDR by
 * SDF and precedence, QER, URR, FAR: forward (GTP-U header with a DL PDU
 * Session Container pushed into the headroom), buffer (counted, downlink data
 * report to the SMF) or drop. */
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

/* The GTP-U header towards the gNB of a forwarding FAR: TS 38.415 §5.5.2.1 DL
 * PDU SESSION INFORMATION with the flow's QFI. Built once per (tunnel, QFI),
 * kept in the FAR. */
static const g5_gtpu_tpl *far_tpl(upf_far *f, uint8_t qfi)
{
    if (!f->tpl_ok || f->tpl_qfi != qfi) {
        g5_gtpu_psc psc;
        memset(&psc, 0, sizeof psc);
        psc.pdu_type = G5_GTPU_PSC_DL;
        psc.qfi = qfi & 0x3f;
        g5_gtpu_encap_params ep = {.msg_type = G5_GTPU_GPDU, .teid = f->ohc_teid, .psc = &psc};
        if (g5_gtpu_tpl_init(&f->tpl, &ep))
            return NULL;
        f->tpl_ok = true;
        f->tpl_qfi = qfi;
    }
    return &f->tpl;
}

/* ---- IPv6 Router Advertisement (TS 29.061 §11.2.1.3.2a, RFC 4861 §6.2.3) ----
 */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

/* A valid Router Solicitation (RFC 4861 §6.1.1: ICMPv6 type 133, code 0, hop
 * limit 255) directly after the IPv6 header. */
static bool is_router_solicitation(const uint8_t *ip, size_t len)
{
    return len >= 48 && (ip[0] >> 4) == 6 && ip[6] == 58 && ip[7] == 255 && ip[40] == 133 &&
           ip[41] == 0;
}

/* The session's forwarding downlink FAR (lowest precedence Core PDR with a
 * tunnel). */
static upf_far *dl_far(upf_sess *s, uint8_t *qfi)
{
    upf_pdr *best = NULL;
    upf_far *bf = NULL;
    for (unsigned i = 0; i < s->n_pdr; i++) {
        upf_pdr *d = &s->pdr[i];
        upf_far *f = d->src_if == G5_PFCP_IF_CORE ? far_of(s, d->far_id) : NULL;
        if (f && (f->action & G5_PFCP_AA_FORW) && f->has_ohc &&
            (!best || d->precedence < best->precedence)) {
            best = d;
            bf = f;
        }
    }
    if (best) {
        upf_qer *q = best->qer_id ? qer_of(s, best->qer_id) : NULL;
        *qfi = q && q->has_qfi ? q->qfi : best->has_qfi ? best->qfi : 0;
    }
    return bf;
}

/* Answers a Router Solicitation with a Router Advertisement carrying the UE's
 * /64 (A=1, L=0, infinite lifetimes as TS 29.061 §11.2.1.3.2a asks), from our
 * link-local address fe80::1, sent down the session's tunnel. */
static enum upf_verdict answer_rs(upf *u, upf_sess *s, const uint8_t *rs, uint8_t *scratch,
                                  size_t cap, upf_out *o)
{
    uint8_t qfi = 0;
    upf_far *f = dl_far(s, &qfi);
    const g5_gtpu_tpl *tp = f ? far_tpl(f, qfi) : NULL;
    if (!tp || cap < G5_GTPU_HEADROOM + 88) {
        u->c.ul_drop++;
        return UPF_DROP;
    }
    uint8_t *ip = scratch + G5_GTPU_HEADROOM, *icmp = ip + 40;
    memset(ip, 0, 88);
    ip[0] = 0x60;
    ip[5] = 48; /* payload: RA 16 + Prefix Information 32 */
    ip[6] = 58;
    ip[7] = 255;
    ip[8] = 0xfe;
    ip[9] = 0x80;
    ip[23] = 1; /* fe80::1 */
    static const uint8_t unspecified[16];
    if (memcmp(rs + 8, unspecified, 16) != 0)
        memcpy(ip + 24, rs + 8, 16); /* back to the soliciting address */
    else
        memcpy(ip + 24, (const uint8_t[]){0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 16);
    icmp[0] = 134; /* Router Advertisement */
    icmp[4] = 64; /* Cur Hop Limit */
    icmp[6] = 1800 >> 8; /* Router Lifetime 1800 s */
    icmp[7] = 1800 & 0xff;
    uint8_t *pio = icmp + 16; /* Prefix Information, RFC 4861 §4.6.2 */
    pio[0] = 3;
    pio[1] = 4;
    pio[2] = 64;
    pio[3] = 0x40; /* A=1, L=0 */
    memset(pio + 4, 0xff, 8); /* valid and preferred lifetime: infinity */
    memcpy(pio + 16, s->ue6, 8);
    uint32_t sum = csum_add(0, ip + 8, 32) + 48 + 58; /* pseudo-header, RFC 8200 §8.1 */
    uint16_t c = csum_fold(csum_add(sum, icmp, 48));
    icmp[2] = (uint8_t)(c >> 8);
    icmp[3] = (uint8_t)c;
    uint8_t *g = g5_gtpu_tpl_push(tp, ip, 88, G5_GTPU_HEADROOM, 0);
    if (!g)
        return UPF_DROP;
    u->c.ra_sent++;
    o->out = g;
    o->out_len = 88 + tp->len;
    o->peer_len = f->ohc_v6 ? 16 : 4;
    memcpy(o->peer, f->peer, o->peer_len);
    return UPF_TO_N3;
}

/* Best PDR for a packet: matching source interface, TEID/QFI (uplink), every
 * SDF filter of the PDR matched by at least one (§5.2.1: a PDR without SDF
 * filter matches all). */
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
    /* One "token" (8 bits) per Error Indication: at most err_ind_per_s per
     * second. */
    if (!upf_tbucket_take(&u->err_ind_rl, 1, now)) {
        u->c.err_ind_suppressed++;
        return UPF_DROP;
    }
    g5_wbuf w;
    g5_wbuf_init(&w, scratch, cap);
    /* GTP-U Peer Address = our address the G-PDU was sent to (TS 29.281 §7.3.1) */
    bool v6 = u->p.n3_v6 && (u->rx_v6 || u->p.n3_no_v4);
    if (g5_gtpu_build_error_indication(&w, 0, teid, v6 ? u->p.n3_ipv6 : u->p.n3_ipv4, v6 ? 16 : 4,
                                       0) < 0 ||
        w.err)
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
        u->c.ul_drop++; /* error indications, end markers: nothing to do for a PSA
                           UPF */
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
    if (s->has_ue6 && is_router_solicitation(h.payload, h.payload_len))
        return answer_rs(u, s, h.payload, scratch, scratch_cap, o);
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
    if (f->action & G5_PFCP_AA_BUFF) {
        /* Held in upf_dlbuf.c (bounded) and counted by the URRs when it is forwarded; the
         * SMF is told once per buffering episode so it can page the UE (TS 23.502
         * §4.2.3.3). */
        f->buffered++;
        u->c.buffered++;
        upf_dlbuf_hold(u, s, ip, len);
        if ((f->action & G5_PFCP_AA_NOCP) && !f->reported) {
            f->reported = true;
            upf_report_dl_data(u, s, d);
        }
        return UPF_DROP;
    }
    urr_count(u, s, d, len, false);
    if (!(f->action & G5_PFCP_AA_FORW) || !f->has_ohc) {
        u->c.dl_drop++;
        return UPF_DROP;
    }
    const g5_gtpu_tpl *tp = far_tpl(f, qfi);
    if (!tp)
        return UPF_DROP;
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
