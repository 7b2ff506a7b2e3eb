/* glass5g-sim: the 5G procedure drivers (see sim/ue_proc.h). A driver sends the UE's first
 * NAS message in an Initial UE Message, then for every downlink NGAP PDU of its UE: hands
 * the NAS-PDU to the UE layer, sends the UE's answer in an Uplink NAS Transport, answers
 * Initial Context Setup Request (response, no PDU sessions) and UE Context Release Command
 * (complete), marks the measured steps and finishes with a cause. Guard timer expiry plays
 * T3510/T3517/T3521: the last message is sent again, at most SIM_PROC_RETRIES times.
 * A deregistration finishes once the AMF's UE Context Release is completed. "lifecycle"
 * chains registration, idle (gNB-initiated release), service request, periodic and
 * mobility registration update and deregistration, each from CM-IDLE on a new N2
 * connection (docs/simulator.md). */
#define G5_LOG_MODULE "sim.proc"
#include "sim/ue_proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "ngap/gen/ngap_types.h"
#include "sim/gnb.h"
#include "sim/sim_paging.h"
#include "sim/sim_up.h"
#include "sim/ue_nas.h"

#define SIM_PROC_RETRIES 4 /* T3510/T3521: 5 attempts in all (TS 24.501 5.5.1.2.7, 5.5.2.2.6) */

enum proc_kind {
    K_REG = 0,
    K_DEREG,
    K_REG_DEREG,
    K_SERVICE,
    /* PDU sessions: the session part is driven by sim_up.c */
    K_REG_SESS,
    K_REG_SESS_REL,
    K_SESS_EST,
    K_SESS_REL,
    K_NETWORK, /* downlink for a CM-CONNECTED UE that runs nothing */
    K_LIFE, /* the "lifecycle" procedure, ue_proc_life below */
    K_SESS_MOD, /* UE-requested PDU session modification (sim_up.c, ue_sm_mod.c) */
    K_PAGING, /* "paging" / "paging-response": the phases after the session are sim_paging.c's */
};

/* Phases of K_LIFE. */
enum life_phase { L_REG = 0, L_IDLE, L_SR, L_PERIODIC, L_MOBILITY, L_DEREG };

static bool is_reg_kind(uint8_t k)
{
    return k == K_REG || k == K_REG_DEREG || k == K_REG_SESS || k == K_REG_SESS_REL ||
           k == K_PAGING;
}

typedef struct proc_state {
    uint8_t kind; /* enum proc_kind */
    uint8_t phase; /* 0 registration/first message, 1 deregistration of K_REG_DEREG; K_LIFE:
                      enum life_phase */
    uint8_t next; /* K_LIFE in L_IDLE: the phase that follows the release */
    bool sent_initial;
    bool marked_auth; /* step 0 is the first AUTHENTICATION REQUEST (not a re-run after #21) */
    bool wait_release; /* DEREGISTRATION ACCEPT received: the AMF releases the N2 connection */
    bool advance; /* K_LIFE: the phase is done, go on once the current PDU is answered */
} proc_state;

static sim_ue_ctx *ctx_of(sim_run *r)
{
    return r->ue->proto;
}

static int cause_5gmm(sim_run *r, const char *what, uint8_t cause)
{
    char name[48];
    snprintf(name, sizeof name, "%s #%u", what, cause);
    return sim_cause_intern(r->eng, name);
}

/* Applies the configured fault to nas (in place), wraps it in NGAP and sends it. */
static int send_nas(sim_run *r, uint8_t *nas, size_t len, const char *step)
{
    sim_engine *e = r->eng;
    sim_ue_ctx *c = ctx_of(r);
    bool twice = false;
    switch (sim_run_fault(r, step)) {
    case SIM_FAULT_DROP: sim_run_arm(r, sim_run_timeout_ms(r)); return 0;
    case SIM_FAULT_CORRUPT_MAC:
        if (len > 6 && nas[1] != 0)
            nas[2] ^= 0x01; /* first MAC octet of a protected message (TS 24.501 9.1.1) */
        break;
    case SIM_FAULT_REPLAY:
        twice = true; /* the same message (same NAS COUNT) a second time: a replay */
        break;
    case SIM_FAULT_MALFORMED: len = len > 3 ? 3 : len; break;
    case SIM_FAULT_OUT_OF_STATE: {
        static uint8_t complete[] = {0x7e, 0x00, 0x43}; /* REGISTRATION COMPLETE, plain */
        nas = complete;
        len = sizeof complete;
        break;
    }
    default: break;
    }
    uint8_t b[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    proc_state *ps = (proc_state *)r->scratch;
    int rc = (!ps->sent_initial && !r->was_connected) || c->n2.amf_ue_ngap_id < 0
                 ? e->gnb_ops->build_initial_ue_message(e->gnb_layer, r->ue, nas, len, &w)
                 : e->gnb_ops->build_uplink_nas_transport(e->gnb_layer, r->ue, nas, len, &w);
    ps->sent_initial = true;
    if (rc)
        return SIM_CAUSE_UNEXPECTED;
    sim_run_arm(r, sim_run_timeout_ms(r));
    if (sim_run_send(r, b, w.len) || (twice && sim_run_send(r, b, w.len)))
        return SIM_CAUSE_TRANSPORT;
    return 0;
}

int sim_proc_send_nas(sim_run *r, uint8_t *nas, size_t len, const char *step)
{
    return send_nas(r, nas, len, step);
}

static int start_kind(sim_run *r, enum proc_kind k);

int sim_proc_start_paging(sim_run *r, bool registration)
{
    if (registration)
        return start_kind(r, K_PAGING);
    proc_state *ps = (proc_state *)r->scratch;
    ps->kind = K_PAGING;
    ps->phase = 3; /* past registration and session (sim_paging.c drives the rest) */
    sim_ue_ctx *c = sim_ue_ctx_get(r->eng->ue_layer, r->ue);
    if (!c)
        return SIM_CAUSE_UNEXPECTED;
    if (!r->was_connected)
        c->n2.amf_ue_ngap_id = -1; /* a new N2 connection */
    return 0;
}

void sim_proc_new_connection(sim_run *r)
{
    ((proc_state *)r->scratch)->sent_initial = false;
    ctx_of(r)->n2.amf_ue_ngap_id = -1;
}

static int life_build_first(sim_run *r, const proc_state *ps, g5_wbuf *w);
static const char *life_step_name(const proc_state *ps);

/* Builds the first message of the procedure (or the deregistration of phase 1). */
static int build_first(sim_run *r, g5_wbuf *w)
{
    sim_engine *e = r->eng;
    proc_state *ps = (proc_state *)r->scratch;
    if (ps->kind == K_LIFE)
        return life_build_first(r, ps, w);
    if (ps->kind == K_SERVICE || ps->kind == K_SESS_EST || ps->kind == K_SESS_REL ||
        ps->kind == K_SESS_MOD)
        return e->ue_ops->build_service_request(e->ue_layer, r->ue, w);
    if (ps->kind == K_DEREG || (ps->kind == K_REG_DEREG && ps->phase == 1))
        return e->ue_ops->build_deregistration_request(e->ue_layer, r->ue, false, w);
    return e->ue_ops->build_registration_request(e->ue_layer, r->ue, SIM_REG_INITIAL, w);
}

static const char *first_step(const proc_state *ps)
{
    if (ps->kind == K_LIFE)
        return life_step_name(ps);
    switch (ps->kind) {
    case K_SERVICE:
    case K_SESS_EST:
    case K_SESS_MOD:
    case K_SESS_REL: return "service_request";
    case K_DEREG: return "deregistration_request";
    default: return ps->phase ? "deregistration_request" : "registration_request";
    }
}

static int send_first(sim_run *r)
{
    sim_engine *e = r->eng;
    sim_ue_ctx *c = sim_ue_ctx_get(e->ue_layer, r->ue);
    if (!c)
        return SIM_CAUSE_UNEXPECTED;
    uint8_t b[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int rc = build_first(r, &w);
    if (rc == G5_ERR_STATE)
        return SIM_CAUSE_OUT_OF_STATE;
    if (rc)
        return SIM_CAUSE_UNEXPECTED;
    return send_nas(r, b, w.len, first_step((proc_state *)r->scratch));
}

static int start_kind(sim_run *r, enum proc_kind k)
{
    proc_state *ps = (proc_state *)r->scratch;
    ps->kind = (uint8_t)k;
    sim_ue_ctx *c = sim_ue_ctx_get(r->eng->ue_layer, r->ue);
    if (!c)
        return SIM_CAUSE_UNEXPECTED;
    if (!r->was_connected)
        c->n2.amf_ue_ngap_id = -1; /* a new N2 connection */
    bool sess = k == K_SESS_EST || k == K_SESS_REL || k == K_SESS_MOD;
    if ((k == K_DEREG || k == K_SERVICE || sess) && r->ue->rm_state != SIM_RM_REGISTERED)
        return SIM_CAUSE_OUT_OF_STATE;
    if ((k == K_REG_SESS || k == K_REG_SESS_REL || k == K_PAGING) && r->eng->up)
        sim_up_ue_clear(r->eng->up, r->ue); /* an initial registration starts afresh */
    if (k == K_PAGING)
        sim_up_proc_setup(r, SIM_UP_OP_EST, 4, 0, 0);
    if (k == K_REG_SESS || k == K_REG_SESS_REL)
        sim_up_proc_setup(r, SIM_UP_OP_EST, 4, k == K_REG_SESS_REL ? SIM_UP_OP_REL : 0, 5);
    if (sess)
        sim_up_proc_setup(r,
                          k == K_SESS_EST   ? SIM_UP_OP_EST
                          : k == K_SESS_MOD ? SIM_UP_OP_MOD
                                            : SIM_UP_OP_REL,
                          1, 0, 0);
    if (k == K_NETWORK) {
        sim_run_arm(r, sim_run_timeout_ms(r));
        return 0; /* the network speaks first */
    }
    if (sess && r->was_connected && c->n2.amf_ue_ngap_id >= 0) {
        int rc = sim_up_proc_begin(r); /* connected: no service request needed */
        return rc < 0 ? SIM_CAUSE_UNEXPECTED : rc;
    }
    return send_first(r);
}

static int start_reg(sim_run *r)
{
    return start_kind(r, K_REG);
}
static int start_dereg(sim_run *r)
{
    return start_kind(r, K_DEREG);
}
static int start_reg_dereg(sim_run *r)
{
    return start_kind(r, K_REG_DEREG);
}
static int start_service(sim_run *r)
{
    return start_kind(r, K_SERVICE);
}
static int start_reg_sess(sim_run *r)
{
    return start_kind(r, K_REG_SESS);
}
static int start_reg_sess_rel(sim_run *r)
{
    return start_kind(r, K_REG_SESS_REL);
}
static int start_sess_est(sim_run *r)
{
    return start_kind(r, K_SESS_EST);
}
static int start_sess_rel(sim_run *r)
{
    return start_kind(r, K_SESS_REL);
}
static int start_sess_mod(sim_run *r)
{
    return start_kind(r, K_SESS_MOD);
}
static int start_network(sim_run *r)
{
    return start_kind(r, K_NETWORK);
}
static int start_life(sim_run *r)
{
    return start_kind(r, K_LIFE);
}

/* Sends the UE's reply (if any) in an Uplink NAS Transport, under fault step `step`. */
static int send_reply(sim_run *r, g5_wbuf *reply, const char *step)
{
    if (!reply->len)
        return 0;
    return send_nas(r, reply->p, reply->len, step);
}

static int life_on_accept(sim_run *r, proc_state *ps, g5_wbuf *reply);
static int life_on_release(sim_run *r, proc_state *ps);

/* TS 24.501 §5.5.2.3.2: after a network-initiated deregistration with "re-registration
 * required" the UE starts an initial registration once the N2 connection of the
 * deregistration is released; it is tried every REREG_WAIT_MS until the UE runs nothing
 * (at most REREG_TRIES times). */
#define REREG_WAIT_MS 200
#define REREG_TRIES 50
typedef struct rereg {
    sim_engine *eng;
    uint32_t index;
    unsigned tries;
} rereg;

static void on_rereg(g5_timer *t, void *arg)
{
    rereg *x = arg;
    sim_ue *ue = sim_pop_by_index(&x->eng->pop, x->index);
    if (ue && (ue->run || ue->cm_state == SIM_CM_CONNECTED) && ++x->tries < REREG_TRIES) {
        g5_timer_start(t, REREG_WAIT_MS);
        return;
    }
    if (ue && !ue->run && sim_engine_start(x->eng, ue, &sim_proc_registration) != 0)
        G5_LOGW("UE %u: re-registration not started", (unsigned)x->index);
    g5_timer_free(t);
    free(x);
}

static void rereg_later(sim_engine *e, sim_ue *ue)
{
    rereg *x = calloc(1, sizeof *x);
    g5_timer *t = x ? g5_timer_new(e->loop, on_rereg, x) : NULL;
    if (!t) {
        free(x);
        return;
    }
    x->eng = e;
    x->index = ue->index;
    g5_timer_start(t, REREG_WAIT_MS);
}

/* What a NAS event means for the procedure: 0 = continue, -1 = finished OK, > 0 cause. */
static int on_nas_event(sim_run *r, const sim_nas_event *ev, g5_wbuf *reply)
{
    proc_state *ps = (proc_state *)r->scratch;
    sim_ue *ue = r->ue;
    if (ev->msg_type == NAS_DL_NAS_TRANSPORT ||
        ev->msg_type >= NAS_PDU_SESSION_ESTABLISHMENT_REQUEST)
        return r->eng->up ? sim_up_proc_nas_event(r, ev, reply) : send_reply(r, reply, "reply");
    switch (ev->msg_type) {
    case NAS_AUTHENTICATION_REQUEST:
        if (is_reg_kind(ps->kind) && ps->phase == 0 && !ps->marked_auth) {
            ps->marked_auth = true;
            sim_run_mark(r, 0);
        }
        return send_reply(r, reply, ev->cause ? "authentication_failure" : "auth_response");
    case NAS_SECURITY_MODE_COMMAND:
        if (ps->phase == 0 && is_reg_kind(ps->kind))
            sim_run_mark(r, 1);
        return send_reply(r, reply, ev->cause ? "security_mode_reject" : "security_mode_complete");
    case NAS_REGISTRATION_ACCEPT: {
        if (ps->kind == K_LIFE)
            return life_on_accept(r, ps, reply);
        sim_run_mark(r, 2);
        int rc = send_reply(r, reply, "registration_complete");
        sim_run_mark(r, 3);
        ue->rm_state = SIM_RM_REGISTERED;
        if (rc || ps->kind == K_REG)
            return rc ? rc : -1;
        if (ps->kind == K_REG_SESS || ps->kind == K_REG_SESS_REL || ps->kind == K_PAGING) {
            ps->phase = 2; /* the session part (sim_up.c) */
            return sim_up_proc_begin(r);
        }
        ps->phase = 1; /* K_REG_DEREG: deregister on the same connection */
        return send_first(r);
    }
    case NAS_REGISTRATION_REJECT:
        ue->rm_state = SIM_RM_DEREGISTERED;
        return cause_5gmm(r, "registration reject", ev->cause);
    case NAS_AUTHENTICATION_REJECT:
        ue->rm_state = SIM_RM_DEREGISTERED;
        return sim_cause_intern(r->eng, "authentication reject");
    case NAS_DEREGISTRATION_ACCEPT_UE_ORIG:
        sim_run_mark(r, ps->kind == K_REG_DEREG ? 4 : ps->kind == K_LIFE ? 5 : 0);
        ue->rm_state = SIM_RM_DEREGISTERED;
        /* TS 23.502 4.2.2.3.2 step 5: the AMF then releases the N2 connection; the run
         * ends when the gNB has completed that release (a downlink for a finished run
         * would be unroutable) */
        ps->wait_release = true;
        sim_run_arm(r, sim_run_timeout_ms(r));
        return 0;
    case NAS_DEREGISTRATION_REQUEST_UE_TERM:
        ue->rm_state = SIM_RM_DEREGISTERED;
        send_reply(r, reply, "deregistration_accept");
        if (ev->reregister) {
            rereg_later(r->eng, ue);
            return sim_cause_intern(r->eng, "re-registration required by the network");
        }
        return sim_cause_intern(r->eng, "deregistered by the network");
    case NAS_SERVICE_ACCEPT:
        if (ps->kind == K_SESS_EST || ps->kind == K_SESS_REL || ps->kind == K_SESS_MOD) {
            sim_run_mark(r, 0);
            return sim_up_proc_begin(r);
        }
        if (ps->kind == K_LIFE && ps->phase == L_SR) {
            sim_run_mark(r, 2);
            ps->advance = true;
            return 0;
        }
        if (ps->kind != K_SERVICE)
            return send_reply(r, reply, "reply");
        sim_run_mark(r, 0);
        return -1;
    case NAS_SERVICE_REJECT: return cause_5gmm(r, "service reject", ev->cause);
    default: return send_reply(r, reply, "reply");
    }
}

/* Hands a NAS-PDU to the UE and acts on the result. */
static int ue_nas(sim_run *r, const uint8_t *nas, size_t len)
{
    sim_engine *e = r->eng;
    uint8_t b[2048];
    g5_wbuf reply;
    g5_wbuf_init(&reply, b, sizeof b);
    sim_nas_event ev;
    int rc = e->ue_ops->on_downlink_nas(e->ue_layer, r->ue, nas, len, &ev, &reply);
    if (rc == G5_ERR_CRYPTO)
        return SIM_CAUSE_MAC_FAILURE;
    if (rc == G5_ERR_STATE)
        return 0; /* discarded (TS 24.501 4.4.4.2); the guard timer keeps running */
    if (rc)
        return SIM_CAUSE_MALFORMED;
    return on_nas_event(r, &ev, &reply);
}

int sim_proc_ue_nas(sim_run *r, const uint8_t *nas, size_t len)
{
    return ue_nas(r, nas, len);
}

/* Sends what a builder wrote into w (rc: the builder's result). */
static int send_pdu(sim_run *r, int rc, const g5_wbuf *w)
{
    if (rc)
        return SIM_CAUSE_UNEXPECTED;
    return sim_run_send(r, w->p, w->len) ? SIM_CAUSE_TRANSPORT : 0;
}

static int life_go_idle(sim_run *r, proc_state *ps);

/* The gNB has answered UE Context Release Command with Complete: the UE is CM-IDLE. */
static int on_release_done(sim_run *r)
{
    proc_state *ps = (proc_state *)r->scratch;
    sim_pop_release(&r->eng->pop, r->ue); /* CM-IDLE; no Release Request from sim_run_finish */
    if (ps->kind == K_NETWORK)
        return -1; /* the network released a UE kept connected for its sessions */
    if (ps->kind == K_PAGING)
        return sim_paging_on_idle(r);
    if (ps->kind == K_LIFE && ps->phase == L_IDLE)
        return life_on_release(r, ps);
    if (ps->wait_release) {
        sim_run_mark(r, ps->kind == K_LIFE ? 6 : ps->kind == K_REG_DEREG ? 5 : 1);
        return -1;
    }
    if (r->ue->rm_state == SIM_RM_DEREGISTERED && ps->kind != K_REG)
        return -1;
    return sim_cause_intern(r->eng, "UE context released");
}

static void on_downlink(sim_run *r, const uint8_t *pdu, size_t len)
{
    sim_gnb_dl dl;
    if (sim_gnb_decode(pdu, len, &dl) != 0) {
        sim_run_finish(r, SIM_CAUSE_MALFORMED);
        return;
    }
    sim_ue_ctx *c = ctx_of(r);
    if (dl.has_amf_id)
        c->n2.amf_ue_ngap_id = (int64_t)dl.ev.amf_ue_ngap_id;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int res = 0;
    switch (dl.ev.procedure_code) {
    case NGAP_id_DownlinkNASTransport:
        res = dl.ev.nas ? ue_nas(r, dl.ev.nas, dl.ev.nas_len) : SIM_CAUSE_MALFORMED;
        break;
    case NGAP_id_PDUSessionResourceSetup:
    case NGAP_id_PDUSessionResourceRelease:
    case NGAP_id_PDUSessionResourceModify:
        res = r->eng->up ? sim_up_proc_n2(r, pdu, len) : SIM_CAUSE_UNEXPECTED;
        break;
    case NGAP_id_InitialContextSetup:
        if (r->eng->up && sim_up_ics_has_sessions(pdu, len)) {
            res = sim_up_proc_n2(r, pdu, len); /* re-activation (TS 23.502 4.2.3.2) */
            break;
        }
        /* the UE gets its NAS first, then the gNB confirms (no PDU sessions) */
        res = dl.ev.nas ? ue_nas(r, dl.ev.nas, dl.ev.nas_len) : 0;
        if (res <= 0) {
            int rc = sim_gnb_build_ics_response(r->ue->ran_ue_ngap_id, c->n2.amf_ue_ngap_id, &w);
            rc = send_pdu(r, rc, &w);
            res = rc ? rc : res;
        }
        break;
    case NGAP_id_UEContextRelease:
        res = sim_gnb_build_release_complete(r->ue->ran_ue_ngap_id, c->n2.amf_ue_ngap_id, &w);
        res = send_pdu(r, res, &w);
        if (!res)
            res = on_release_done(r);
        break;
    case NGAP_id_ErrorIndication: res = sim_cause_intern(r->eng, "NGAP error indication"); break;
    default: res = SIM_CAUSE_UNEXPECTED; break;
    }
    if (!res && ((proc_state *)r->scratch)->kind == K_NETWORK)
        res = -1; /* one network-initiated exchange handled */
    if (((proc_state *)r->scratch)->kind == K_PAGING)
        res = sim_paging_after(r, dl.ev.procedure_code, res);
    if (!res &&
        ((proc_state *)r->scratch)->advance) { /* K_LIFE: the phase's accept is answered; go idle */
        ((proc_state *)r->scratch)->advance = false;
        res = life_go_idle(r, (proc_state *)r->scratch);
    }
    if (res)
        sim_run_finish(r, res < 0 ? SIM_CAUSE_OK : res);
}

/* T3510 / T3517 / T3521 expiry: send the last message again, then give up. */
static void on_timeout(sim_run *r)
{
    sim_ue_ctx *c = ctx_of(r);
    if (((proc_state *)r->scratch)->kind == K_PAGING && sim_paging_timeout(r))
        return; /* waiting for paging / downlink data (sim_paging.c) */
    if (sim_up_proc_timeout(r))
        return; /* T3580 / T3582 */
    if (((proc_state *)r->scratch)->kind == K_NETWORK) {
        sim_run_finish(r, SIM_CAUSE_TIMEOUT);
        return;
    }
    const proc_state *ps = (const proc_state *)r->scratch;
    if (ps->wait_release || (ps->kind == K_LIFE && ps->phase == L_IDLE)) {
        /* TS 38.413 8.3.2/8.3.3: the AMF did not send UE Context Release Command */
        sim_run_finish(r, sim_cause_intern(r->eng, "no UE context release command"));
        return;
    }
    if (r->tries > SIM_PROC_RETRIES || !c || !c->last_ul_len) {
        sim_run_finish(r, SIM_CAUSE_TIMEOUT);
        return;
    }
    uint8_t b[SIM_UE_LAST_UL];
    size_t n = c->last_ul_len;
    memcpy(b, c->last_ul, n);
    int rc = send_nas(r, b, n, "retransmission");
    if (rc)
        sim_run_finish(r, rc);
}

#define REG_STEPS \
    "initial_ue_message->auth_request", "auth_response->security_mode_command", \
        "security_mode_complete->registration_accept", \
        "registration_accept->registration_complete"

const sim_procedure sim_proc_registration = {
    .name = "registration",
    .summary = "initial registration, 5G-AKA and NAS security mode (TS 24.501 5.5.1.2)",
    .steps = {REG_STEPS},
    .nsteps = 4,
    .needs_protocol = true,
    .start = start_reg,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_deregistration = {
    .name = "deregistration",
    .summary = "UE-originating deregistration from CM-IDLE (TS 24.501 5.5.2.2)",
    .steps = {"deregistration_request->accept", "deregistration_accept->release_command"},
    .nsteps = 2,
    .needs_protocol = true,
    .start = start_dereg,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_registration_deregistration = {
    .name = "registration+deregistration",
    .summary = "registration, then deregistration on the same N2 connection",
    .steps = {REG_STEPS, "deregistration_request->accept",
              "deregistration_accept->release_command"},
    .nsteps = 6,
    .needs_protocol = true,
    .start = start_reg_dereg,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_service_request = {
    .name = "service-request",
    .summary = "service request from CM-IDLE (TS 24.501 5.6.1)",
    .steps = {"service_request->service_accept"},
    .nsteps = 1,
    .needs_protocol = true,
    .start = start_service,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

#define SESS_STEPS "pdu_session_establishment_request->accept"
#define REL_STEPS "pdu_session_release_request->command"

const sim_procedure sim_proc_registration_session = {
    .name = "registration+session",
    .summary = "registration, then PDU session establishment (TS 24.501 6.4.1)",
    .steps = {REG_STEPS, SESS_STEPS},
    .nsteps = 5,
    .needs_protocol = true,
    .start = start_reg_sess,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_registration_session_release = {
    .name = "registration+session+release",
    .summary = "registration, PDU session establishment, then its release (6.4.3)",
    .steps = {REG_STEPS, SESS_STEPS, REL_STEPS},
    .nsteps = 6,
    .needs_protocol = true,
    .start = start_reg_sess_rel,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_session_establishment = {
    .name = "pdu-session-establishment",
    .summary = "UE-requested PDU session establishment (TS 24.501 6.4.1), from CM-IDLE "
               "after a service request",
    .steps = {"service_request->service_accept", SESS_STEPS},
    .nsteps = 2,
    .needs_protocol = true,
    .start = start_sess_est,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_session_release = {
    .name = "pdu-session-release",
    .summary = "UE-requested PDU session release (TS 24.501 6.4.3)",
    .steps = {"service_request->service_accept", REL_STEPS},
    .nsteps = 2,
    .needs_protocol = true,
    .start = start_sess_rel,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_session_modification = {
    .name = "pdu-session-modification",
    .summary = "UE-requested PDU session modification of the UE's last session (TS 24.501 "
               "6.4.2; the default flow's 5QI 9 <-> 8)",
    .steps = {"service_request->service_accept", "pdu_session_modification_request->command"},
    .nsteps = 2,
    .needs_protocol = true,
    .start = start_sess_mod,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_network = {
    .name = "network-initiated",
    .summary = "downlink for a CM-CONNECTED UE running nothing (session release, context "
               "release)",
    .steps = {"downlink"},
    .nsteps = 0,
    .needs_protocol = true,
    .start = start_network,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

/* ---- lifecycle: registration, idle, service request, periodic and mobility registration
 * updates from CM-IDLE, deregistration (TS 24.501 5.5.1.2, 5.6.1, 5.5.1.3, 5.5.2.2) ---- */

static int life_build_first(sim_run *r, const proc_state *ps, g5_wbuf *w)
{
    sim_engine *e = r->eng;
    switch (ps->phase) {
    case L_SR: return e->ue_ops->build_service_request(e->ue_layer, r->ue, w);
    case L_PERIODIC:
        return e->ue_ops->build_registration_request(e->ue_layer, r->ue, SIM_REG_PERIODIC, w);
    case L_MOBILITY:
        return e->ue_ops->build_registration_request(e->ue_layer, r->ue, SIM_REG_MOBILITY, w);
    case L_DEREG: return e->ue_ops->build_deregistration_request(e->ue_layer, r->ue, false, w);
    default: return e->ue_ops->build_registration_request(e->ue_layer, r->ue, SIM_REG_INITIAL, w);
    }
}

static const char *life_step_name(const proc_state *ps)
{
    switch (ps->phase) {
    case L_SR: return "service_request";
    case L_PERIODIC: return "periodic_registration_request";
    case L_MOBILITY: return "mobility_registration_request";
    case L_DEREG: return "deregistration_request";
    default: return "registration_request";
    }
}

/* REGISTRATION ACCEPT of the initial, periodic or mobility registration: complete it,
 * then (once an Initial Context Setup carrying it is answered) go idle. */
static int life_on_accept(sim_run *r, proc_state *ps, g5_wbuf *reply)
{
    int rc = send_reply(r, reply, "registration_complete");
    if (rc)
        return rc;
    sim_run_mark(r, ps->phase == L_PERIODIC ? 3 : ps->phase == L_MOBILITY ? 4 : 0);
    r->ue->rm_state = SIM_RM_REGISTERED;
    ps->advance = true;
    return 0;
}

/* The gNB releases the UE (TS 38.413 8.3.2, cause user inactivity): the AMF answers with
 * UE Context Release Command and the UE goes CM-IDLE (TS 23.502 4.2.6). */
static int life_go_idle(sim_run *r, proc_state *ps)
{
    static const uint8_t after[] = {
        [L_REG] = L_SR, [L_SR] = L_PERIODIC, [L_PERIODIC] = L_MOBILITY, [L_MOBILITY] = L_DEREG};
    if (ps->phase >= sizeof after || !after[ps->phase])
        return SIM_CAUSE_UNEXPECTED;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int rc = sim_gnb_build_release_request(r->ue->ran_ue_ngap_id, ctx_of(r)->n2.amf_ue_ngap_id,
                                           NGAP_CauseRadioNetwork_user_inactivity, &w);
    rc = send_pdu(r, rc, &w);
    if (rc)
        return rc;
    ps->next = after[ps->phase];
    ps->phase = L_IDLE;
    r->t_mark_ns = g5_clock_ns();
    sim_run_arm(r, sim_run_timeout_ms(r));
    return 0;
}

/* CM-IDLE reached: a new RRC/N2 connection for the next phase's initial NAS message. */
static int life_on_release(sim_run *r, proc_state *ps)
{
    sim_run_mark(r, 1);
    sim_ue_ctx *c = ctx_of(r);
    if (sim_pop_connect(&r->eng->pop, r->ue) != 0)
        return SIM_CAUSE_UNEXPECTED;
    c->n2.amf_ue_ngap_id = -1;
    ps->sent_initial = false;
    ps->phase = ps->next;
    r->t_mark_ns = g5_clock_ns();
    return send_first(r);
}

const sim_procedure sim_proc_lifecycle = {
    .name = "lifecycle",
    .summary = "registration, idle, service request, periodic and mobility registration "
               "update from idle, deregistration (TS 24.501 5.5.1, 5.6.1, 5.5.2.2)",
    .steps = {"registration_request->registration_accept", "release_request->release_command",
              "service_request->service_accept", "periodic_registration->accept",
              "mobility_registration->accept", "deregistration_request->accept",
              "deregistration_accept->release_command"},
    .nsteps = 7,
    .needs_protocol = true,
    .start = start_life,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};
