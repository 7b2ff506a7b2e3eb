/* SMF side of N4: association, heartbeats, request retransmission (see smf_pfcp.h). */
#define G5_LOG_MODULE "smf-pfcp"
#include "nf/smf/smf_pfcp.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/hmap.h"
#include "core/log.h"
#include "core/loop.h"

#define NTP_UNIX_OFFSET 2208988800u /* seconds 1900-01-01 .. 1970-01-01 (RFC 5905) */
#define MAX_MSG 8192

typedef struct pfcp_txn {
    struct pfcp_txn *next, *prev;
    smf_pfcp *p;
    uint64_t id;
    uint32_t seq;
    int upf;
    uint8_t *buf;
    size_t len;
    g5_timer *t1;
    unsigned tries;
    smf_pfcp_rsp_fn fn;
    void *arg;
} pfcp_txn;

typedef struct pfcp_upf {
    struct sockaddr_in addr;
    bool associated;
    bool assoc_pending, hb_pending;
    bool have_ts;
    uint32_t recovery_ts; /* the UPF's, learnt at association */
    uint32_t up_features;
    int idx;
    smf_pfcp *p;
} pfcp_upf;

struct smf_pfcp {
    uv_loop_t *loop;
    const g5_smf_config *cfg;
    smf_pfcp_events ev;
    uv_udp_t udp;
    bool udp_open;
    g5_timer *hb;
    pfcp_upf upf[G5_SMF_MAX_UPFS];
    int nupf;
    pfcp_txn *txns;
    /* pending requests indexed by id (cancel) and by (UPF, sequence number) (response
     * matching, §7.6): O(1) per message however many sessions are in flight */
    g5_hmap txn_by_id, txn_by_seq;
    uint32_t next_seq;
    uint64_t next_id;
    uint32_t recovery_ts;
    g5_pfcp_node_id node;
    g5_pfcp_msg *rx; /* decode scratch (large) */
    smf_pfcp_stats st;
};

static void send_to(smf_pfcp *p, const struct sockaddr_in *to, const uint8_t *b, size_t n)
{
    uv_buf_t ub = uv_buf_init((char *)b, (unsigned)n);
    /* PFCP over UDP is datagram-at-a-time; try_send keeps no buffer alive after return */
    if (uv_udp_try_send(&p->udp, &ub, 1, (const struct sockaddr *)to) < 0)
        G5_LOGW("PFCP send failed");
}

static uint64_t seq_key(int upf, uint32_t seq)
{
    return (uint64_t)(uint32_t)upf << 32 | seq;
}

static void txn_free(smf_pfcp *p, pfcp_txn *t)
{
    g5_hmap_del(&p->txn_by_id, t->id);
    if (g5_hmap_get(&p->txn_by_seq, seq_key(t->upf, t->seq)) == t)
        g5_hmap_del(&p->txn_by_seq, seq_key(t->upf, t->seq));
    if (t->prev)
        t->prev->next = t->next;
    else
        p->txns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    g5_timer_free(t->t1);
    free(t->buf);
    free(t);
}

/* T1 expiry: retransmit the same bytes (same sequence number, §6.4) or give up. */
static void on_t1(g5_timer *tm, void *arg)
{
    (void)tm;
    pfcp_txn *t = arg;
    smf_pfcp *p = t->p;
    if (t->tries < p->cfg->n1) {
        t->tries++;
        p->st.retransmissions++;
        send_to(p, &p->upf[t->upf].addr, t->buf, t->len);
        g5_timer_start(t->t1, p->cfg->t1_ms);
        return;
    }
    p->st.timeouts++;
    smf_pfcp_rsp_fn fn = t->fn;
    void *fa = t->arg;
    txn_free(p, t);
    if (fn)
        fn(fa, G5_ERR_IO, NULL);
}

uint64_t smf_pfcp_request(smf_pfcp *p, int upf, smf_pfcp_build_fn build, const void *ctx,
                          smf_pfcp_rsp_fn fn, void *arg)
{
    if (!p->udp_open || upf < 0 || upf >= p->nupf)
        return 0;
    pfcp_txn *t = calloc(1, sizeof *t);
    uint8_t *buf = malloc(MAX_MSG);
    if (!t || !buf) {
        free(t);
        free(buf);
        return 0;
    }
    g5_wbuf w;
    g5_wbuf_init(&w, buf, MAX_MSG);
    t->seq = p->next_seq;
    p->next_seq = (p->next_seq + 1) & 0xFFFFFF; /* 24-bit sequence numbers */
    if (!p->next_seq)
        p->next_seq = 1;
    if (build(&w, t->seq, ctx) || !(t->t1 = g5_timer_new(p->loop, on_t1, t))) {
        free(buf);
        free(t);
        return 0;
    }
    t->p = p;
    t->id = ++p->next_id;
    t->upf = upf;
    t->buf = buf;
    t->len = g5_wbuf_len(&w);
    t->fn = fn;
    t->arg = arg;
    if (g5_hmap_put(&p->txn_by_id, t->id, t) ||
        g5_hmap_put(&p->txn_by_seq, seq_key(upf, t->seq), t)) {
        g5_hmap_del(&p->txn_by_id, t->id);
        g5_timer_free(t->t1);
        free(buf);
        free(t);
        return 0;
    }
    t->next = p->txns;
    if (p->txns)
        p->txns->prev = t;
    p->txns = t;
    p->st.tx_requests++;
    send_to(p, &p->upf[upf].addr, buf, t->len);
    g5_timer_start(t->t1, p->cfg->t1_ms);
    return t->id;
}

void smf_pfcp_cancel(smf_pfcp *p, uint64_t id)
{
    pfcp_txn *t = g5_hmap_get(&p->txn_by_id, id);
    if (t)
        txn_free(p, t);
}

/* ---- association and heartbeat ---- */

static void set_associated(smf_pfcp *p, pfcp_upf *u, bool up)
{
    if (u->associated == up)
        return;
    u->associated = up;
    G5_LOGI("UPF %d %s", u->idx, up ? "associated" : "not associated");
    if (p->ev.assoc)
        p->ev.assoc(p->ev.arg, u->idx, up);
}

/* A Recovery Time Stamp from the UPF: a new value means it restarted (§6.2.2). Returns
 * true on a restart. */
static bool check_recovery(smf_pfcp *p, pfcp_upf *u, uint32_t ts)
{
    if (!u->have_ts || ts == u->recovery_ts)
        return false;
    G5_LOGW("UPF %d restarted (recovery time stamp %u -> %u): its sessions are lost", u->idx,
            u->recovery_ts, ts);
    p->st.restarts_detected++;
    u->have_ts = false;
    set_associated(p, u, false);
    if (p->ev.upf_restart)
        p->ev.upf_restart(p->ev.arg, u->idx);
    return true;
}

static int build_assoc(g5_wbuf *w, uint32_t seq, const void *ctx)
{
    const smf_pfcp *p = ctx;
    return g5_pfcp_build_assoc_setup_req(w, seq, &p->node, p->recovery_ts, 0, 0);
}

static void start_assoc(smf_pfcp *p, pfcp_upf *u);

static void on_assoc_rsp(void *arg, int rc, const g5_pfcp_msg *m)
{
    pfcp_upf *u = arg;
    smf_pfcp *p = u->p;
    g5_pfcp_assoc a;
    u->assoc_pending = false;
    if (rc || g5_pfcp_assoc_parse(m, &a) || !a.has_cause || a.cause != G5_PFCP_CAUSE_ACCEPTED) {
        G5_LOGW("UPF %d association setup failed (%s)", u->idx,
                rc ? "no response" : "rejected or malformed");
        return; /* retried on the next heartbeat tick */
    }
    if (a.has_recovery_ts) {
        check_recovery(p, u, a.recovery_ts);
        u->recovery_ts = a.recovery_ts;
        u->have_ts = true;
    }
    u->up_features = a.has_up_features ? a.up_features : 0;
    set_associated(p, u, true);
}

static void start_assoc(smf_pfcp *p, pfcp_upf *u)
{
    if (u->assoc_pending)
        return;
    if (smf_pfcp_request(p, u->idx, build_assoc, p, on_assoc_rsp, u))
        u->assoc_pending = true;
}

static int build_hb(g5_wbuf *w, uint32_t seq, const void *ctx)
{
    const smf_pfcp *p = ctx;
    return g5_pfcp_build_heartbeat_req(w, seq, p->recovery_ts);
}

static void on_hb_rsp(void *arg, int rc, const g5_pfcp_msg *m)
{
    pfcp_upf *u = arg;
    smf_pfcp *p = u->p;
    u->hb_pending = false;
    if (rc) {
        G5_LOGW("UPF %d: no heartbeat response", u->idx);
        set_associated(p, u, false);
        return;
    }
    uint32_t ts;
    if (g5_pfcp_get_u32(m, NULL, G5_PFCP_IE_RECOVERY_TIME_STAMP, &ts) == 0 &&
        check_recovery(p, u, ts))
        start_assoc(p, u);
}

static void on_hb_tick(g5_timer *t, void *arg)
{
    smf_pfcp *p = arg;
    for (int i = 0; i < p->nupf; i++) {
        pfcp_upf *u = &p->upf[i];
        if (!u->associated) {
            start_assoc(p, u);
        } else if (!u->hb_pending && smf_pfcp_request(p, i, build_hb, p, on_hb_rsp, u)) {
            u->hb_pending = true;
            p->st.heartbeats_sent++;
        }
    }
    g5_timer_start(t, (uint64_t)p->cfg->heartbeat_s * 1000u);
}

/* ---- receive ---- */

static pfcp_upf *upf_by_addr(smf_pfcp *p, const struct sockaddr *sa)
{
    if (!sa || sa->sa_family != AF_INET)
        return NULL;
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    for (int i = 0; i < p->nupf; i++)
        if (p->upf[i].addr.sin_addr.s_addr == in->sin_addr.s_addr &&
            p->upf[i].addr.sin_port == in->sin_port)
            return &p->upf[i];
    return NULL;
}

static void reply(smf_pfcp *p, const struct sockaddr_in *to, g5_wbuf *w, int rc)
{
    if (!rc)
        send_to(p, to, g5_wbuf_data(w), g5_wbuf_len(w));
}

static void handle_request(smf_pfcp *p, pfcp_upf *u, const g5_pfcp_msg *m)
{
    uint8_t out[512];
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    p->st.rx_requests++;
    switch (m->h.type) {
    case G5_PFCP_HEARTBEAT_REQ: {
        uint32_t ts;
        reply(p, &u->addr, &w, g5_pfcp_build_heartbeat_rsp(&w, m->h.seq, p->recovery_ts));
        if (g5_pfcp_get_u32(m, NULL, G5_PFCP_IE_RECOVERY_TIME_STAMP, &ts) == 0 &&
            check_recovery(p, u, ts))
            start_assoc(p, u);
        break;
    }
    case G5_PFCP_ASSOC_SETUP_REQ: { /* UPF-initiated (§6.2.6.1): accept and learn its ts */
        g5_pfcp_assoc a;
        if (g5_pfcp_assoc_parse(m, &a) == 0 && a.has_recovery_ts) {
            check_recovery(p, u, a.recovery_ts);
            u->recovery_ts = a.recovery_ts;
            u->have_ts = true;
        }
        reply(p, &u->addr, &w,
              g5_pfcp_build_assoc_setup_rsp(&w, m->h.seq, &p->node, G5_PFCP_CAUSE_ACCEPTED,
                                            p->recovery_ts, 0, 0));
        set_associated(p, u, true);
        break;
    }
    case G5_PFCP_SESSION_REPORT_REQ: {
        g5_pfcp_sess_report_req r;
        uint8_t cause = G5_PFCP_CAUSE_MANDATORY_IE_INCORRECT;
        uint64_t up_seid = 0;
        if (g5_pfcp_sess_report_req_parse(m, &r) == 0) {
            p->st.usage_reports += r.n_reports;
            cause = p->ev.report ? p->ev.report(p->ev.arg, m->h.seid, &r, &up_seid)
                                 : G5_PFCP_CAUSE_SESSION_NOT_FOUND;
        }
        reply(p, &u->addr, &w, g5_pfcp_build_sess_report_rsp(&w, up_seid, m->h.seq, cause));
        break;
    }
    default: G5_LOGD("PFCP %s from UPF %d ignored", g5_pfcp_msg_name(m->h.type), u->idx); break;
    }
}

static void handle_response(smf_pfcp *p, pfcp_upf *u, const g5_pfcp_msg *m, int rc)
{
    pfcp_txn *t = g5_hmap_get(&p->txn_by_seq, seq_key(u->idx, m->h.seq));
    if (t) {
        p->st.rx_responses++;
        smf_pfcp_rsp_fn fn = t->fn;
        void *fa = t->arg;
        txn_free(p, t); /* first, so the callback may send new requests or free things */
        if (fn)
            fn(fa, rc ? G5_ERR_INVALID : 0, rc ? NULL : m);
        return;
    }
    p->st.unmatched_responses++; /* late duplicate of an answered request: dropped */
}

static void on_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)h;
    (void)sz;
    static char buf[65536]; /* one loop thread; the datagram is handled before the next read */
    *b = uv_buf_init(buf, sizeof buf);
}

static void on_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *b, const struct sockaddr *sa,
                    unsigned flags)
{
    (void)flags;
    smf_pfcp *p = h->data;
    if (n <= 0)
        return;
    pfcp_upf *u = upf_by_addr(p, sa);
    if (!u) {
        p->st.rx_bad++;
        return;
    }
    g5_pfcp_hdr hdr;
    if (g5_pfcp_decode_hdr((const uint8_t *)b->base, (size_t)n, &hdr)) {
        p->st.rx_bad++;
        return;
    }
    g5_pfcp_error e = {0};
    int rc = g5_pfcp_decode((const uint8_t *)b->base, (size_t)n, p->rx, &e);
    bool req = g5_pfcp_msg_is_request(hdr.type);
    if (rc) {
        p->st.rx_bad++;
        G5_LOGW("bad PFCP %s from UPF %d: %s", req ? "request" : "response", u->idx,
                e.what ? e.what : "undecodable");
        if (req && e.cause) { /* §7.6: Cause + Offending IE back to the peer */
            uint8_t out[256];
            g5_wbuf w;
            g5_wbuf_init(&w, out, sizeof out);
            reply(p, &u->addr, &w, g5_pfcp_build_reject(&w, &hdr, 0, &p->node, &e));
        } else if (!req) {
            p->rx->h = hdr;
            handle_response(p, u, p->rx, rc);
        }
        return;
    }
    if (req)
        handle_request(p, u, p->rx);
    else
        handle_response(p, u, p->rx, 0);
}

/* ---- lifecycle ---- */

smf_pfcp *smf_pfcp_new(uv_loop_t *loop, const g5_smf_config *cfg, const smf_pfcp_events *ev)
{
    smf_pfcp *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->rx = malloc(sizeof *p->rx);
    p->hb = g5_timer_new(loop, on_hb_tick, p);
    if (!p->rx || !p->hb) {
        g5_timer_free(p->hb);
        free(p->rx);
        free(p);
        return NULL;
    }
    p->loop = loop;
    p->cfg = cfg;
    g5_hmap_init(&p->txn_by_id);
    g5_hmap_init(&p->txn_by_seq);
    if (ev)
        p->ev = *ev;
    p->next_seq = 1;
    p->recovery_ts = (uint32_t)((uint64_t)time(NULL) + NTP_UNIX_OFFSET);
    p->node.type = G5_PFCP_NODE_IPV4;
    inet_pton(AF_INET, cfg->pfcp_addr, p->node.ipv4);
    p->nupf = cfg->nupfs;
    for (int i = 0; i < p->nupf; i++) {
        pfcp_upf *u = &p->upf[i];
        u->idx = i;
        u->p = p;
        uv_ip4_addr(cfg->upfs[i].address, cfg->upfs[i].port, &u->addr);
    }
    return p;
}

int smf_pfcp_start(smf_pfcp *p)
{
    struct sockaddr_in a;
    if (uv_ip4_addr(p->cfg->pfcp_addr, p->cfg->pfcp_port, &a) || uv_udp_init(p->loop, &p->udp))
        return G5_ERR_CONFIG;
    p->udp.data = p;
    p->udp_open = true;
    if (uv_udp_bind(&p->udp, (const struct sockaddr *)&a, 0) ||
        uv_udp_recv_start(&p->udp, on_alloc, on_recv)) {
        G5_LOGE("cannot bind PFCP %s:%u", p->cfg->pfcp_addr, p->cfg->pfcp_port);
        return G5_ERR_IO;
    }
    for (int i = 0; i < p->nupf; i++)
        start_assoc(p, &p->upf[i]);
    g5_timer_start(p->hb, (uint64_t)p->cfg->heartbeat_s * 1000u);
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    smf_pfcp *p = h->data;
    free(p->rx);
    free(p);
}

void smf_pfcp_free(smf_pfcp *p)
{
    if (!p)
        return;
    while (p->txns)
        txn_free(p, p->txns);
    g5_hmap_free(&p->txn_by_id);
    g5_hmap_free(&p->txn_by_seq);
    g5_timer_free(p->hb);
    if (p->udp_open) {
        uv_close((uv_handle_t *)&p->udp, on_closed);
        return;
    }
    free(p->rx);
    free(p);
}

int smf_pfcp_local_port(const smf_pfcp *p)
{
    struct sockaddr_in a;
    int len = sizeof a;
    if (!p->udp_open || uv_udp_getsockname(&p->udp, (struct sockaddr *)&a, &len))
        return -1;
    return ntohs(a.sin_port);
}

bool smf_pfcp_associated(const smf_pfcp *p, int upf)
{
    return upf >= 0 && upf < p->nupf && p->upf[upf].associated;
}

uint32_t smf_pfcp_up_features(const smf_pfcp *p, int upf)
{
    return upf >= 0 && upf < p->nupf ? p->upf[upf].up_features : 0;
}

uint32_t smf_pfcp_recovery_ts(const smf_pfcp *p)
{
    return p->recovery_ts;
}

const g5_pfcp_node_id *smf_pfcp_node_id(const smf_pfcp *p)
{
    return &p->node;
}

const smf_pfcp_stats *smf_pfcp_get_stats(const smf_pfcp *p)
{
    return &p->st;
}
