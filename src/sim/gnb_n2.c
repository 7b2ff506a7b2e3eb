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
#include "transport/sctp.h"

struct sim_n2 {
    sim_engine *eng;
    sim_ue_layer ue;
    sim_gnb gnb;
    g5_sctp_assoc *assoc;
    g5_timer *retry;
    sim_n2_ready_fn ready;
    void *arg;
    bool up, reported;
    uint64_t tx, rx, unroutable;
    uint64_t gnb_released; /* Release Commands completed by the gNB after a procedure ended */
};

static void report(sim_n2 *n, int status)
{
    if (n->ready && !n->reported) {
        n->reported = status == 0;
        n->ready(n, status, n->arg);
    }
}

static int send_stream(sim_n2 *n, uint16_t stream, const uint8_t *p, size_t len)
{
    if (!n->assoc || !n->up)
        return G5_ERR_STATE;
    int rc = g5_sctp_send(n->assoc, stream, G5_SCTP_PPID_NGAP, p, len);
    if (!rc)
        n->tx++;
    return rc;
}

static void send_ng_setup(sim_n2 *n)
{
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_gnb_build_ng_setup(&n->gnb, &w) == 0 && send_stream(n, 0, b, w.len) == 0)
        G5_LOGI("NG Setup Request sent (gNB ID %u/%u bits)", n->gnb.gnb_id, n->gnb.gnb_id_bits);
}

static void on_retry(g5_timer *t, void *arg)
{
    (void)t;
    send_ng_setup(arg);
}

/* Non-UE signalling (TS 38.413 8.7). */
static void on_non_ue(sim_n2 *n, const sim_gnb_dl *dl)
{
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    switch (dl->ev.procedure_code) {
    case NGAP_id_NGSetup:
        if (dl->type == NGAP_MSG_SUCCESSFUL) {
            n->gnb.ng_up = true;
            G5_LOGN("NG Setup Response: N2 up");
            report(n, 0);
        } else {
            unsigned s = dl->time_to_wait_s ? dl->time_to_wait_s : 5;
            G5_LOGW("NG Setup Failure (cause %d/%d): retrying in %u s", dl->cause_group,
                    dl->cause_value, s);
            g5_timer_start(n->retry, s * 1000ULL);
        }
        break;
    case NGAP_id_NGReset:
        if (dl->type == NGAP_MSG_INITIATING && sim_gnb_build_ng_reset_ack(&w) == 0)
            send_stream(n, 0, b, w.len);
        break;
    case NGAP_id_ErrorIndication: G5_LOGW("Error Indication from the AMF"); break;
    default: n->unroutable++; break;
    }
}

static void on_data(g5_sctp_assoc *a, const g5_sctp_msg *m)
{
    sim_n2 *n = g5_sctp_user(a);
    n->rx++;
    sim_gnb_dl dl;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (m->ppid != G5_SCTP_PPID_NGAP || sim_gnb_decode(m->data, m->len, &dl) != 0) {
        /* TS 38.413 10.2: abstract syntax / transfer syntax error -> Error Indication */
        if (sim_gnb_build_error_indication(-1, -1, NGAP_CauseProtocol_transfer_syntax_error, &w) ==
            0)
            send_stream(n, 0, b, w.len);
        return;
    }
    if (!dl.has_ran_id) {
        on_non_ue(n, &dl);
        return;
    }
    const sim_ue *ue = sim_pop_by_ran_id(&n->eng->pop, dl.ev.ran_ue_ngap_id);
    if (dl.ev.procedure_code == NGAP_id_UEContextRelease && dl.type == NGAP_MSG_INITIATING &&
        (!ue || !ue->run)) {
        /* The answer to the Release Request the gNB sent when a procedure ended with the
         * UE connected (tr_release): the gNB completes it on its own (TS 38.413 8.3.3).
         * Expected traffic, not an unroutable PDU. */
        if (sim_gnb_build_release_complete(dl.ev.ran_ue_ngap_id, (int64_t)dl.ev.amf_ue_ngap_id,
                                           &w) == 0 &&
            send_stream(n, sim_gnb_stream(&n->gnb, dl.ev.ran_ue_ngap_id), b, w.len) == 0)
            n->gnb_released++;
        return;
    }
    if (sim_engine_deliver(n->eng, dl.ev.ran_ue_ngap_id, m->data, m->len) != 0)
        n->unroutable++; /* also counted by the engine (the report's "unroutable") */
}

static void on_up(g5_sctp_assoc *a)
{
    sim_n2 *n = g5_sctp_user(a);
    g5_sctp_info info;
    if (g5_sctp_assoc_info(a, &info) == 0)
        n->gnb.nstreams = info.out_streams;
    n->up = true;
    G5_LOGN("SCTP association to the AMF up (%s, %u streams)", g5_sctp_backend_name(info.backend),
            n->gnb.nstreams);
    send_ng_setup(n);
}

static void on_down(g5_sctp_assoc *a, g5_sctp_down why)
{
    sim_n2 *n = g5_sctp_user(a);
    n->up = false;
    n->assoc = NULL;
    G5_LOGW("SCTP association to the AMF down (%d)", (int)why);
    n->reported = false;
    report(n, why == G5_SCTP_DOWN_CONNECT_FAILED ? G5_ERR_IO : G5_ERR_STATE);
}

static const g5_sctp_cbs cbs = {.up = on_up, .data = on_data, .down = on_down};

static int tr_send(void *ctx, uint32_t ran_id, const uint8_t *pdu, size_t len)
{
    sim_n2 *n = ctx;
    return send_stream(n, sim_gnb_stream(&n->gnb, ran_id), pdu, len);
}

/* A procedure ended with the UE connected: ask the AMF to release it (TS 38.413 8.3.2). */
static void tr_release(void *ctx, uint32_t ran_id)
{
    sim_n2 *n = ctx;
    const sim_ue *ue = sim_pop_by_ran_id(&n->eng->pop, ran_id);
    const sim_ue_ctx *c = ue ? ue->proto : NULL;
    if (!c || c->n2.amf_ue_ngap_id < 0)
        return;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_gnb_build_release_request(ran_id, c->n2.amf_ue_ngap_id,
                                      NGAP_CauseRadioNetwork_user_inactivity, &w) == 0)
        send_stream(n, sim_gnb_stream(&n->gnb, ran_id), b, w.len);
}

const sim_transport_ops sim_n2_transport = {
    .name = "ngap-sctp", .send = tr_send, .release = tr_release};

static int connect_amf(sim_n2 *n, char *err, size_t errlen)
{
    const sim_gnb_config *g = &n->eng->cfg->gnb;
    g5_sctp_cfg sc;
    g5_sctp_cfg_defaults(&sc);
    sc.backend = g->sctp_backend == SIM_SCTP_KERNEL    ? G5_SCTP_KERNEL
                 : g->sctp_backend == SIM_SCTP_USRSCTP ? G5_SCTP_USRSCTP
                                                       : G5_SCTP_AUTO;
    sc.out_streams = sc.in_streams = 8;
    sc.max_init_attempts = 3;
    sc.max_init_timeo_ms = 2000;
    sc.max_buffered = 16u << 20; /* thousands of UEs in flight share one association */
    if (g->usrsctp_udp_port) {
        /* the AMF's encapsulation port is the configured one; ours is the next */
        sc.peer_udp_port = g->usrsctp_udp_port;
        sc.udp_port = (uint16_t)(g->usrsctp_udp_port + 1);
    }
    g5_sctp_addrs peer = {.addr = {g->amf[0].address}, .n = 1, .port = g->amf[0].port};
    int rc = g5_sctp_connect(n->eng->loop, &sc, NULL, &peer, &cbs, n, &n->assoc);
    if (rc)
        snprintf(err, errlen, "cannot connect to the AMF at %s:%u: %s", g->amf[0].address,
                 g->amf[0].port, g5_strerror(rc));
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
    if (!(n->retry = g5_timer_new(e->loop, on_retry, n)) || connect_amf(n, err, errlen) != 0) {
        sim_n2_free(n);
        return NULL;
    }
    sim_engine_set_ue_ops(e, &sim_ue_nas_ops, &n->ue);
    sim_engine_set_gnb_ops(e, &sim_gnb_ngap_ops, &n->gnb);
    sim_engine_set_transport(e, &sim_n2_transport, n);
    return n;
}

void sim_n2_free(sim_n2 *n)
{
    if (!n)
        return;
    if (n->assoc)
        g5_sctp_abort(n->assoc);
    if (n->retry)
        g5_timer_free(n->retry);
    sim_ue_layer_free(&n->ue);
    free(n);
}
