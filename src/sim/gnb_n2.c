/* glass5g-sim N2 transport: NGAP over SCTP towards the AMF (see sim/gnb_n2.h). */
#define G5_LOG_MODULE "sim.n2"
#include "sim/gnb_n2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "ngap/ngap_msg.h"
#include "sim/sim_paging.h"
#include "sim/sim_up.h"
#include "sim/ue_proc.h"
#include "transport/sctp.h"
#include "transport/sctp_sendq.h"

/* One configured AMF (gnb.amf_addresses[idx]): its association and what NG Setup told. */
typedef struct n2_amf {
    struct sim_n2 *n;
    unsigned idx;
    g5_sctp_assoc *assoc;
    g5_timer *retry; /* NG Setup after Failure (Time to wait) */
    bool up, ng_up, failed;
    uint16_t nstreams;
    uint8_t nguami;
    struct {
        uint16_t set_id;
        uint8_t pointer;
    } guami[SIM_GNB_MAX_GUAMI];
    uint64_t tx, rx, initial; /* PDUs sent/received, N2 connections routed here */
    g5_sctp_sendq sq; /* PDUs waiting for room in the association (backpressure) */
    g5_timer *reconnect; /* next connection attempt after the association was lost */
    uint32_t backoff_ms; /* delay before the next attempt (doubles up to N2_BACKOFF_MAX_MS) */
    uint32_t reconnects; /* associations set up again (NG Setup done) after a loss */
} n2_amf;

#define N2_BACKOFF_MIN_MS 500
#define N2_BACKOFF_MAX_MS 8000

struct sim_n2 {
    sim_engine *eng;
    sim_ue_layer ue;
    sim_gnb gnb;
    n2_amf amf[SIM_MAX_AMFS];
    unsigned namf, rr; /* rr: round-robin cursor for initial messages */
    sim_n2_ready_fn ready;
    void *arg;
    bool reported;
    uint64_t unroutable;
    uint64_t gnb_released; /* Release Commands completed by the gNB after a procedure ended */
    uint64_t pending_releases; /* Release Requests sent by tr_release, not yet commanded */
    bool reconnect; /* a lost AMF association is set up again (sim_n2_set_reconnect) */
    uint8_t *rereg; /* bit per UE: registers again once its AMF is back (bitmap, pop.n) */
    uint64_t rereg_pending, reregistered;
    g5_timer *rereg_timer; /* paces the re-registrations (engine slots are bounded) */
    g5_timer *drain; /* sim_n2_drain() deadline */
    void (*drained)(void *arg);
    void *drained_arg;
};

static void drain_done(sim_n2 *n)
{
    void (*fn)(void *) = n->drained;
    n->drained = NULL;
    if (n->drain)
        g5_timer_stop(n->drain);
    if (fn)
        fn(n->drained_arg);
}

/* Reports ready once every AMF has an outcome: 0 if at least one completed NG Setup. */
static void report_if_settled(sim_n2 *n)
{
    unsigned up = 0;
    for (unsigned i = 0; i < n->namf; i++) {
        if (!n->amf[i].ng_up && !n->amf[i].failed)
            return;
        up += n->amf[i].ng_up;
    }
    if (n->ready && !n->reported) {
        n->reported = true;
        n->gnb.ng_up = up > 0;
        n->ready(n, up ? 0 : G5_ERR_IO, n->arg);
    }
}

static int send_stream(n2_amf *a, uint16_t stream, const uint8_t *p, size_t len)
{
    if (!a->assoc || !a->up)
        return G5_ERR_STATE;
    /* a full send buffer queues the PDU (bounded) rather than failing the UE's procedure */
    int rc = g5_sctp_sendq_send(&a->sq, a->assoc, stream, G5_SCTP_PPID_NGAP, p, len);
    if (!rc)
        a->tx++;
    return rc;
}

static void on_writable(g5_sctp_assoc *as)
{
    n2_amf *a = g5_sctp_user(as);
    g5_sctp_sendq_flush(&a->sq, as);
}

/* TS 38.412 §7: UE-associated signalling on the streams >= 1 of this association, one
 * stream per UE (key: the UE's index, or the RAN UE NGAP ID of a UE no longer known). */
static uint16_t ue_stream(const n2_amf *a, uint32_t key)
{
    return a->nstreams < 2 ? 0 : (uint16_t)(1 + key % (uint32_t)(a->nstreams - 1));
}

static void send_ng_setup(n2_amf *a)
{
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_gnb_build_ng_setup(&a->n->gnb, &w) == 0 && send_stream(a, 0, b, w.len) == 0)
        G5_LOGI("NG Setup Request sent to AMF %u (gNB ID %u/%u bits)", a->idx, a->n->gnb.gnb_id,
                a->n->gnb.gnb_id_bits);
}

/* ---- AMF association lost, set up again (TS 38.413 §8.7.1: a restarted AMF knows none
 * of our UEs) ---- */

static int connect_amf(n2_amf *a, char *err, size_t errlen);

/* The UE as a restarted AMF sees it: no N2 connection, no PDU sessions, no 5G-GUTI and no
 * security context (the AMF lost them); the USIM's SQN is kept. The next registration is
 * an initial one with the SUCI. */
static void ue_forget(sim_n2 *n, sim_ue *ue)
{
    sim_ue_ctx *c = ue->proto;
    sim_pop_release(&n->eng->pop, ue);
    if (n->eng->up)
        sim_up_ue_clear(n->eng->up, ue);
    ue->rm_state = SIM_RM_DEREGISTERED;
    if (!c)
        return;
    sim_usim usim = c->usim;
    memset(c, 0, sizeof *c); /* the NAS keys go as well */
    c->usim = usim;
    c->n2.amf_ue_ngap_id = -1;
    c->ngksi = c->new_ngksi = 7; /* no key (TS 24.501 9.11.3.32) */
}

static bool rereg_test(const sim_n2 *n, uint32_t i)
{
    return n->rereg && (n->rereg[i / 8] >> (i % 8) & 1);
}

static void rereg_set(sim_n2 *n, uint32_t i, bool on)
{
    if (on)
        n->rereg[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        n->rereg[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

/* Starts the queued re-registrations while the engine has slots and some AMF is up; the
 * rest wait for the next tick (a UE whose procedure is still running waits for its end). */
static void on_rereg_tick(g5_timer *t, void *arg)
{
    (void)t;
    sim_n2 *n = arg;
    bool amf_up = false;
    for (unsigned i = 0; i < n->namf; i++)
        amf_up |= n->amf[i].ng_up;
    if (!amf_up || !n->rereg_pending)
        return;
    const sim_procedure *reg = sim_procedure_find("registration");
    sim_pop *pop = &n->eng->pop;
    for (uint32_t i = 0; reg && i < pop->n && n->rereg_pending; i++) {
        if (!rereg_test(n, i))
            continue;
        sim_ue *ue = &pop->ues[i];
        if (ue->run)
            continue;
        ue_forget(n, ue); /* again: a run that ended meanwhile may have left state */
        if (sim_engine_start(n->eng, ue, reg) != 0)
            break; /* no free slot: next tick */
        rereg_set(n, i, false);
        n->rereg_pending--;
        n->reregistered++;
    }
    if (n->rereg_pending)
        g5_timer_start(n->rereg_timer, 20);
    else
        G5_LOGN("N2 back: %llu UEs registering again", (unsigned long long)n->reregistered);
}

static void rereg_kick(sim_n2 *n)
{
    if (n->rereg_pending && n->rereg_timer)
        g5_timer_start(n->rereg_timer, 1);
}

static void on_reconnect(g5_timer *t, void *arg)
{
    (void)t;
    n2_amf *a = arg;
    char err[200];
    if (a->assoc)
        return;
    a->failed = false;
    G5_LOGI("reconnecting to AMF %u", a->idx);
    if (connect_amf(a, err, sizeof err) != 0) { /* e.g. no route yet: try again later */
        G5_LOGW("%s", err);
        a->backoff_ms = a->backoff_ms ? a->backoff_ms * 2 : N2_BACKOFF_MIN_MS;
        if (a->backoff_ms > N2_BACKOFF_MAX_MS)
            a->backoff_ms = N2_BACKOFF_MAX_MS;
        g5_timer_start(a->reconnect, a->backoff_ms);
    }
}

/* The association to AMF a went down after the start: its UEs are queued to register
 * again, and a new association is tried after a backoff (0.5 s doubling to 8 s). */
static void amf_lost(n2_amf *a, bool was_up)
{
    sim_n2 *n = a->n;
    sim_pop *pop = &n->eng->pop;
    if (was_up) {
        for (uint32_t i = 0; n->rereg && i < pop->n; i++) {
            sim_ue *ue = &pop->ues[i];
            const sim_ue_ctx *c = ue->proto;
            if (!c || !c->n2.amf_selected || c->n2.amf_idx != a->idx || rereg_test(n, i) ||
                (ue->rm_state != SIM_RM_REGISTERED && !ue->run))
                continue;
            if (!ue->run) /* a running procedure ends by its guard timer, then re-registers */
                ue_forget(n, ue);
            rereg_set(n, i, true);
            n->rereg_pending++;
        }
        G5_LOGW("AMF %u lost: %llu UEs will register again once N2 is back", a->idx,
                (unsigned long long)n->rereg_pending);
    }
    bool any_up = false;
    for (unsigned i = 0; i < n->namf; i++)
        any_up |= n->amf[i].ng_up;
    n->gnb.ng_up = any_up;
    a->backoff_ms = a->backoff_ms ? a->backoff_ms * 2 : N2_BACKOFF_MIN_MS;
    if (a->backoff_ms > N2_BACKOFF_MAX_MS)
        a->backoff_ms = N2_BACKOFF_MAX_MS;
    g5_timer_start(a->reconnect, a->backoff_ms);
    rereg_kick(n); /* UEs of this AMF can go to another one that is up */
}

void sim_n2_set_reconnect(sim_n2 *n, bool on)
{
    n->reconnect = on;
    if (on && !n->rereg) {
        n->rereg = calloc((n->eng->pop.n + 7) / 8 + 1, 1);
        n->rereg_timer = g5_timer_new(n->eng->loop, on_rereg_tick, n);
        for (unsigned i = 0; i < n->namf; i++)
            if (!n->amf[i].reconnect)
                n->amf[i].reconnect = g5_timer_new(n->eng->loop, on_reconnect, &n->amf[i]);
    }
}

static void on_retry(g5_timer *t, void *arg)
{
    (void)t;
    send_ng_setup(arg);
}

static void on_ng_setup(n2_amf *a, const sim_gnb_dl *dl)
{
    if (dl->type != NGAP_MSG_SUCCESSFUL) {
        unsigned s = dl->time_to_wait_s ? dl->time_to_wait_s : 5;
        G5_LOGW("NG Setup Failure from AMF %u (cause %d/%d): retrying in %u s", a->idx,
                dl->cause_group, dl->cause_value, s);
        g5_timer_start(a->retry, s * 1000ULL);
        return;
    }
    a->ng_up = true;
    a->nguami = dl->nguami;
    for (unsigned i = 0; i < dl->nguami; i++) {
        a->guami[i].set_id = dl->guami[i].set_id;
        a->guami[i].pointer = dl->guami[i].pointer;
    }
    G5_LOGN("NG Setup Response from AMF %u (%s:%u, AMF set %u pointer %u): N2 up", a->idx,
            a->n->eng->cfg->gnb.amf[a->idx].address, a->n->eng->cfg->gnb.amf[a->idx].port,
            a->nguami ? a->guami[0].set_id : 0, a->nguami ? a->guami[0].pointer : 0);
    a->backoff_ms = 0;
    if (a->n->reported) { /* an association set up again: its UEs register again */
        a->reconnects++;
        a->n->gnb.ng_up = true;
        rereg_kick(a->n);
    }
    report_if_settled(a->n);
}

/* Non-UE signalling (TS 38.413 8.7). */
static void on_non_ue(n2_amf *a, const sim_gnb_dl *dl)
{
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    switch (dl->ev.procedure_code) {
    case NGAP_id_NGSetup: on_ng_setup(a, dl); break;
    case NGAP_id_NGReset:
        if (dl->type == NGAP_MSG_INITIATING && sim_gnb_build_ng_reset_ack(&w) == 0)
            send_stream(a, 0, b, w.len);
        break;
    case NGAP_id_ErrorIndication: G5_LOGW("Error Indication from AMF %u", a->idx); break;
    case NGAP_id_Paging: sim_paging_on_paging(a->n->eng, dl); break; /* sim_paging.c */
    default: a->n->unroutable++; break;
    }
}

static void on_data(g5_sctp_assoc *as, const g5_sctp_msg *m)
{
    n2_amf *a = g5_sctp_user(as);
    sim_n2 *n = a->n;
    a->rx++;
    sim_gnb_dl dl;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (m->ppid != G5_SCTP_PPID_NGAP || sim_gnb_decode(m->data, m->len, &dl) != 0) {
        /* TS 38.413 10.2: abstract syntax / transfer syntax error -> Error Indication */
        if (sim_gnb_build_error_indication(-1, -1, NGAP_CauseProtocol_transfer_syntax_error, &w) ==
            0)
            send_stream(a, 0, b, w.len);
        return;
    }
    if (!dl.has_ran_id) {
        on_non_ue(a, &dl);
        return;
    }
    sim_ue *ue = sim_pop_by_ran_id(&n->eng->pop, dl.ev.ran_ue_ngap_id);
    /* A UE kept CM-CONNECTED for its PDU sessions (the only UEs that keep their RAN UE
     * NGAP ID without a run): the network speaks first (session release, UE context
     * release...) and a run is started to handle it. */
    if (ue && !ue->run && sim_engine_start(n->eng, ue, &sim_proc_network) == 0 &&
        sim_engine_deliver(n->eng, dl.ev.ran_ue_ngap_id, m->data, m->len) == 0)
        return;
    if (dl.ev.procedure_code == NGAP_id_UEContextRelease && dl.type == NGAP_MSG_INITIATING &&
        (!ue || !ue->run)) {
        /* The answer to the Release Request the gNB sent when a procedure ended with the
         * UE connected (tr_release): the gNB completes it on its own (TS 38.413 8.3.3).
         * Expected traffic, not an unroutable PDU. */
        if (sim_gnb_build_release_complete(dl.ev.ran_ue_ngap_id, (int64_t)dl.ev.amf_ue_ngap_id,
                                           &w) == 0 &&
            send_stream(a, ue_stream(a, dl.ev.ran_ue_ngap_id), b, w.len) == 0)
            n->gnb_released++;
        if (n->pending_releases && --n->pending_releases == 0 && n->drained)
            drain_done(n);
        return;
    }
    if (sim_engine_deliver(n->eng, dl.ev.ran_ue_ngap_id, m->data, m->len) != 0)
        n->unroutable++; /* also counted by the engine (the report's "unroutable") */
}

static void on_up(g5_sctp_assoc *as)
{
    n2_amf *a = g5_sctp_user(as);
    g5_sctp_info info;
    if (g5_sctp_assoc_info(as, &info) == 0)
        a->nstreams = info.out_streams;
    a->up = true;
    G5_LOGN("SCTP association to AMF %u up (%s, %u streams)", a->idx,
            g5_sctp_backend_name(info.backend), a->nstreams);
    send_ng_setup(a);
}

static void on_down(g5_sctp_assoc *as, g5_sctp_down why)
{
    n2_amf *a = g5_sctp_user(as);
    sim_n2 *n = a->n;
    if (a->assoc && a->assoc != as) { /* the end of an association given up (reconnected) */
        G5_LOGD("AMF %u: an old association ended (%d)", a->idx, (int)why);
        return;
    }
    bool was_up = a->ng_up;
    a->up = a->ng_up = false;
    a->assoc = NULL;
    g5_sctp_sendq_clear(&a->sq);
    a->failed = true;
    G5_LOGW("SCTP association to AMF %u down (%d)", a->idx, (int)why);
    if (!n->reported) {
        report_if_settled(n);
        return;
    }
    if (n->reconnect && n->rereg && n->rereg_timer && a->reconnect) {
        amf_lost(a, was_up);
        return;
    }
    if (was_up && n->ready) /* a configured AMF went away after the start: stop */
        n->ready(n, why == G5_SCTP_DOWN_CONNECT_FAILED ? G5_ERR_IO : G5_ERR_STATE, n->arg);
}

static const g5_sctp_cbs cbs = {
    .up = on_up, .data = on_data, .down = on_down, .writable = on_writable};

/* TS 23.501 §6.3.5: a UE with a 5G-S-TMSI goes to the AMF of its AMF Set ID and AMF Pointer
 * when that AMF is up; otherwise (and for a UE without one) AMFs are taken in turn. */
static n2_amf *select_amf(sim_n2 *n, const sim_ue_n2 *c)
{
    for (unsigned i = 0; c->has_s_tmsi && i < n->namf; i++) {
        const n2_amf *a = &n->amf[i];
        for (unsigned g = 0; a->ng_up && g < a->nguami; g++)
            if (a->guami[g].set_id == c->amf_set_id && a->guami[g].pointer == c->amf_pointer)
                return &n->amf[i];
    }
    for (unsigned k = 0; k < n->namf; k++) {
        n2_amf *a = &n->amf[n->rr++ % n->namf];
        if (a->ng_up)
            return a;
    }
    return NULL;
}

/* The AMF of the UE's current N2 connection, chosen when the connection's first PDU goes. */
static n2_amf *amf_for(sim_n2 *n, uint32_t ran_id)
{
    sim_ue *ue = sim_pop_by_ran_id(&n->eng->pop, ran_id);
    sim_ue_n2 *c = ue ? ue->proto : NULL;
    if (!c)
        return n->namf ? &n->amf[0] : NULL;
    if (!c->amf_selected || c->amf_ran_id != ran_id) {
        n2_amf *a = select_amf(n, c);
        if (!a)
            return NULL;
        c->amf_idx = (uint8_t)a->idx;
        c->amf_ran_id = ran_id;
        c->amf_selected = true;
        a->initial++;
    }
    return &n->amf[c->amf_idx];
}

/* The stream follows the UE, not its RAN UE NGAP ID: the Release Complete of one N2
 * connection and the Initial UE Message of the next one then share a stream and keep
 * their order (on different streams the AMF could take the new connection first and
 * find the Release Complete stale). */
static int tr_send(void *ctx, uint32_t ran_id, const uint8_t *pdu, size_t len)
{
    sim_n2 *n = ctx;
    n2_amf *a = amf_for(n, ran_id);
    const sim_ue *ue = sim_pop_by_ran_id(&n->eng->pop, ran_id);
    return a ? send_stream(a, ue_stream(a, ue ? ue->index : ran_id), pdu, len) : G5_ERR_STATE;
}

/* A procedure ended with the UE connected: ask the AMF to release it (TS 38.413 8.3.2). */
static void tr_release(void *ctx, uint32_t ran_id)
{
    sim_n2 *n = ctx;
    const sim_ue *ue = sim_pop_by_ran_id(&n->eng->pop, ran_id);
    const sim_ue_ctx *c = ue ? ue->proto : NULL;
    if (!c || c->n2.amf_ue_ngap_id < 0 || !c->n2.amf_selected || c->n2.amf_ran_id != ran_id)
        return;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    n2_amf *a = &n->amf[c->n2.amf_idx];
    if (sim_gnb_build_release_request(ran_id, c->n2.amf_ue_ngap_id,
                                      NGAP_CauseRadioNetwork_user_inactivity, &w) == 0 &&
        send_stream(a, ue_stream(a, ue->index), b, w.len) == 0)
        n->pending_releases++;
}

static void on_drain_timer(g5_timer *t, void *arg)
{
    (void)t;
    drain_done(arg);
}

void sim_n2_drain(sim_n2 *n, uint64_t max_ms, void (*done)(void *arg), void *arg)
{
    n->drained = done;
    n->drained_arg = arg;
    if (!n->pending_releases ||
        (!n->drain && !(n->drain = g5_timer_new(n->eng->loop, on_drain_timer, n)))) {
        drain_done(n);
        return;
    }
    g5_timer_start(n->drain, max_ms);
}

const sim_transport_ops sim_n2_transport = {
    .name = "ngap-sctp", .send = tr_send, .release = tr_release};

static int connect_amf(n2_amf *a, char *err, size_t errlen)
{
    const sim_gnb_config *g = &a->n->eng->cfg->gnb;
    g5_sctp_cfg sc;
    g5_sctp_cfg_defaults(&sc);
    sc.backend = g->sctp_backend == SIM_SCTP_KERNEL    ? G5_SCTP_KERNEL
                 : g->sctp_backend == SIM_SCTP_USRSCTP ? G5_SCTP_USRSCTP
                                                       : G5_SCTP_AUTO;
    sc.out_streams = sc.in_streams = 8;
    sc.max_init_attempts = 3;
    sc.max_init_timeo_ms = 2000;
    sc.max_buffered = 16u << 20; /* thousands of UEs in flight share one association */
    sc.hb_interval_ms = 2000; /* notice a restarted AMF (its ABORT) within seconds */
    if (g->usrsctp_udp_port) {
        /* the first AMF's encapsulation port is gnb.n2's; ours (one per process) is the
         * next; an AMF entry may name its own */
        sc.peer_udp_port = g->amf[a->idx].udp_port ? g->amf[a->idx].udp_port : g->usrsctp_udp_port;
        sc.udp_port = (uint16_t)(g->usrsctp_udp_port + 1);
    }
    g5_sctp_addrs peer = {.addr = {g->amf[a->idx].address}, .n = 1, .port = g->amf[a->idx].port};
    int rc = g5_sctp_connect(a->n->eng->loop, &sc, NULL, &peer, &cbs, a, &a->assoc);
    if (rc)
        snprintf(err, errlen, "cannot connect to the AMF at %s:%u: %s", g->amf[a->idx].address,
                 g->amf[a->idx].port, g5_strerror(rc));
    return rc;
}

sim_n2 *sim_n2_new(sim_engine *e, sim_n2_ready_fn ready, void *arg, char *err, size_t errlen)
{
    sim_n2 *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    n->eng = e;
    n->ready = ready;
    n->arg = arg;
    int rc = sim_ue_layer_init(&n->ue, e->cfg, &e->pop);
    if (!rc)
        rc = sim_gnb_init(&n->gnb, &e->cfg->gnb);
    if (rc) {
        snprintf(err, errlen, "bad gNB or UE configuration: %s", g5_strerror(rc));
        sim_n2_free(n);
        return NULL;
    }
    n->namf = e->cfg->gnb.namf ? e->cfg->gnb.namf : 1;
    for (unsigned i = 0; i < n->namf; i++) {
        n2_amf *a = &n->amf[i];
        a->n = n;
        a->idx = i;
        if (!(a->retry = g5_timer_new(e->loop, on_retry, a)) || connect_amf(a, err, errlen) != 0) {
            sim_n2_free(n);
            return NULL;
        }
    }
    if (!(e->up = n->ue.up = sim_up_new(e))) {
        snprintf(err, errlen, "out of memory");
        sim_n2_free(n);
        return NULL;
    }
    sim_engine_set_ue_ops(e, &sim_ue_nas_ops, &n->ue);
    sim_engine_set_gnb_ops(e, &sim_gnb_ngap_ops, &n->gnb);
    sim_engine_set_transport(e, &sim_n2_transport, n);
    return n;
}

void sim_n2_get_stats(const sim_n2 *n, sim_n2_stats *st)
{
    memset(st, 0, sizeof *st);
    st->namf = n->namf;
    st->unroutable = n->unroutable;
    st->gnb_released = n->gnb_released;
    for (unsigned i = 0; i < n->namf; i++) {
        st->amf[i].ng_up = n->amf[i].ng_up;
        st->amf[i].tx = n->amf[i].tx;
        st->amf[i].rx = n->amf[i].rx;
        st->amf[i].connections = n->amf[i].initial;
        st->amf[i].reconnects = n->amf[i].reconnects;
    }
    st->reregistered = n->reregistered;
    st->rereg_pending = n->rereg_pending;
}

void sim_n2_free(sim_n2 *n)
{
    if (!n)
        return;
    for (unsigned i = 0; i < n->namf; i++) {
        if (n->amf[i].assoc)
            g5_sctp_abort(n->amf[i].assoc);
        if (n->amf[i].retry)
            g5_timer_free(n->amf[i].retry);
        if (n->amf[i].reconnect)
            g5_timer_free(n->amf[i].reconnect);
        g5_sctp_sendq_clear(&n->amf[i].sq);
    }
    if (n->drain)
        g5_timer_free(n->drain);
    if (n->rereg_timer)
        g5_timer_free(n->rereg_timer);
    free(n->rereg);
    if (n->ue.up) {
        if (n->eng->up == n->ue.up)
            n->eng->up = NULL;
        sim_up_free(n->ue.up);
    }
    sim_ue_layer_free(&n->ue);
    free(n);
}
