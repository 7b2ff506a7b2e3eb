/* glass5g-sim: the gNB's Paging handling and the "paging" / "paging-response" procedures
 * (network-triggered service request seen from the RAN and the UE; see sim/sim_paging.h).
 * The registration and session part of a "paging" run is ue_proc.c's; from the session's
 * success on, ue_proc.c hands each event of a K_PAGING run to the hooks here. */
#define G5_LOG_MODULE "sim.paging"
#include "sim/sim_paging.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "ngap/gen/ngap_types.h"
#include "sim/sim_up.h"
#include "sim/ue_nas.h"
#include "sim/ue_proc.h"

enum pg_phase {
    PG_SESSION = 0, /* registration + PDU session (ue_proc.c, sim_up.c) */
    PG_IDLE, /* UE Context Release Request sent, waiting for the command */
    PG_WAIT_PAGING, /* CM-IDLE; downlink data triggers sent every second */
    PG_SR, /* paged: SERVICE REQUEST sent on a new N2 connection */
    PG_WAIT_DL, /* service accepted, sessions re-activated: waiting for downlink data */
};

/* After ue_proc.c's proc_state and sim_up.c's sess_run in the run's scratch area. */
typedef struct pg_run {
    uint8_t phase; /* enum pg_phase */
    uint8_t tries; /* downlink data triggers sent */
    bool response; /* "paging-response": no registration/session/idle part */
    bool idle_only; /* "an-release": done once CM-IDLE */
} pg_run;
#define PG_OFF 40
_Static_assert(PG_OFF + sizeof(pg_run) <= SIM_RUN_SCRATCH, "scratch too small");

#define PG_IDLE_SETTLE_MS 200 /* the core deactivates the user plane after the release */
#define PG_TRIGGER_EVERY_MS 1000

static pg_run *pg_of(sim_run *r)
{
    return (pg_run *)(void *)(r->scratch + PG_OFF);
}

static bool is_paging_run(const sim_run *r)
{
    return r && (r->proc == &sim_proc_paging || r->proc == &sim_proc_paging_response);
}

/* Measured steps: after the 5 registration/session steps for "paging", from 0 for
 * "paging-response". */
static unsigned step_of(sim_run *r, unsigned k)
{
    return pg_of(r)->response ? k : 5 + k;
}

static sim_run *run_of(sim_engine *e, const sim_ue *ue)
{
    return ue->run && ue->run <= e->nruns ? &e->runs[ue->run - 1] : NULL;
}

/* ---- the UE's side of paging ---- */

static uint16_t active_psis(sim_up *u, sim_ue *ue)
{
    uint16_t bits = 0;
    for (uint8_t psi = 1; psi <= SIM_UP_MAX_SESS; psi++) {
        const sim_sess *s = sim_up_find(u, ue, psi);
        if (s && s->state == SIM_SESS_ACTIVE)
            bits |= (uint16_t)(1u << psi);
    }
    return bits;
}

/* TS 24.501 §5.6.2.2.1: the paged UE starts the service request procedure with service
 * type "mobile terminated services" (§9.11.3.50, value 2) and its PDU session status; no
 * uplink data status (it has no uplink data of its own). */
static int answer_paging(sim_run *r)
{
    sim_engine *e = r->eng;
    pg_run *pg = pg_of(r);
    if (sim_run_fault(r, "paging") == SIM_FAULT_DROP) {
        e->up->st.paging_dropped++;
        /* this UE does not hear it (the AMF's T3513 runs); a waiting "paging" run goes on
         * waiting, a "paging-response" started for it has nothing to do */
        return pg->response ? sim_cause_intern(e, "paging not heard (fault)") : 0;
    }
    e->up->st.paging_rx++;
    sim_run_mark(r, step_of(r, 0));
    if (r->ue->cm_state != SIM_CM_CONNECTED && sim_pop_connect(&e->pop, r->ue) != 0)
        return SIM_CAUSE_UNEXPECTED;
    sim_proc_new_connection(r);
    sim_ue_ctx *c = sim_ue_ctx_get(e->ue_layer, r->ue);
    if (!c)
        return SIM_CAUSE_UNEXPECTED;
    c->sr_service_type = 2;
    c->sr_psi_status = active_psis(e->up, r->ue);
    c->sr_uds = 0;
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (e->ue_ops->build_service_request(e->ue_layer, r->ue, &w) != 0)
        return SIM_CAUSE_UNEXPECTED;
    pg->phase = PG_SR;
    return sim_proc_send_nas(r, b, w.len, "service_request");
}

static bool s_tmsi_match(const sim_ue *ue, const sim_gnb_dl *dl)
{
    const sim_ue_ctx *c = ue->proto;
    return c && c->has_guti && c->n2.tmsi == dl->tmsi && c->n2.amf_set_id == dl->amf_set_id &&
           c->n2.amf_pointer == dl->amf_pointer;
}

/* TS 38.413 §8.5.1.2: the NG-RAN node pages the UE in its cells. Our cell is the gNB's
 * one TAC (the AMF chose this gNB by its Supported TA List), so every UE of ours is in
 * it; the UE is found by 5G-S-TMSI (a linear scan: paging is rare next to the rest). */
void sim_paging_on_paging(sim_engine *e, const sim_gnb_dl *dl)
{
    sim_up *u = e->up;
    if (!u)
        return;
    sim_ue *ue = NULL;
    for (uint32_t i = 0; dl->has_s_tmsi && i < e->pop.n && !ue; i++)
        if (s_tmsi_match(&e->pop.ues[i], dl))
            ue = &e->pop.ues[i];
    if (!ue) {
        u->st.paging_unknown++;
        G5_LOGD("Paging for 5G-TMSI %08x: no such UE", dl->tmsi);
        return;
    }
    sim_run *r = run_of(e, ue);
    if (ue->cm_state == SIM_CM_CONNECTED || ue->rm_state != SIM_RM_REGISTERED ||
        (r && !(r->proc == &sim_proc_paging && pg_of(r)->phase == PG_WAIT_PAGING))) {
        u->st.paging_not_idle++; /* TS 24.501 §5.6.2.2.1 applies to 5GMM-IDLE only */
        return;
    }
    if (r) {
        int rc = answer_paging(r);
        if (rc)
            sim_run_finish(r, rc);
        return;
    }
    if (sim_engine_start(e, ue, &sim_proc_paging_response) != 0)
        u->st.paging_not_idle++; /* no free slot: like a UE that did not hear it */
}

/* ---- downlink data ---- */

/* The UE makes its own downlink data: one UDP datagram to its address, which the host
 * routes into the UPF's N6 (the UPF buffers it and reports, TS 23.502 §4.2.3.3 step 1). */
static int send_trigger(sim_run *r)
{
    sim_up *u = r->eng->up;
    const sim_sess *s = NULL;
    for (uint8_t psi = 1; psi <= SIM_UP_MAX_SESS && !s; psi++) {
        const sim_sess *x = sim_up_find(u, r->ue, psi);
        if (x && x->state == SIM_SESS_ACTIVE && x->has_ipv4)
            s = x;
    }
    if (!s)
        return sim_cause_intern(r->eng, "no IPv4 session for the downlink trigger");
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return SIM_CAUSE_UNEXPECTED;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(SIM_MT_TRIGGER_PORT)};
    memcpy(&to.sin_addr, s->ipv4, 4);
    static const char msg[] = "glass5g-sim mobile terminated data";
    ssize_t n = sendto(fd, msg, sizeof msg - 1, 0, (struct sockaddr *)&to, sizeof to);
    close(fd);
    u->st.mt_triggers++;
    if (n < 0)
        G5_LOGW("downlink trigger to %u.%u.%u.%u: %s", s->ipv4[0], s->ipv4[1], s->ipv4[2],
                s->ipv4[3], strerror(errno));
    return 0;
}

void sim_paging_on_dl(sim_engine *e, sim_ue *ue)
{
    sim_run *r = run_of(e, ue);
    if (!is_paging_run(r) || pg_of(r)->phase != PG_WAIT_DL)
        return;
    sim_run_mark(r, step_of(r, 2));
    sim_run_finish(r, SIM_CAUSE_OK);
}

/* ---- ue_proc.c hooks ---- */

static int go_idle(sim_run *r)
{
    const sim_ue_ctx *c = r->ue->proto;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_gnb_build_release_request(r->ue->ran_ue_ngap_id, c->n2.amf_ue_ngap_id,
                                      NGAP_CauseRadioNetwork_user_inactivity, &w) != 0)
        return SIM_CAUSE_UNEXPECTED;
    if (sim_run_send(r, b, w.len) != 0)
        return SIM_CAUSE_TRANSPORT;
    pg_of(r)->phase = PG_IDLE;
    sim_run_arm(r, sim_run_timeout_ms(r));
    return 0;
}

int sim_paging_after(sim_run *r, int procedure_code, int res)
{
    pg_run *pg = pg_of(r);
    if (res > 0)
        return res;
    switch (pg->phase) {
    case PG_SESSION: return res < 0 ? go_idle(r) : 0; /* session up: now CM-IDLE */
    case PG_SR:
        if (procedure_code != NGAP_id_InitialContextSetup)
            return res;
        for (uint8_t psi = 1; psi <= SIM_UP_MAX_SESS; psi++) {
            const sim_sess *s = sim_up_find(r->eng->up, r->ue, psi);
            if (s && s->state == SIM_SESS_ACTIVE && s->n3_up) { /* user plane back */
                sim_run_mark(r, step_of(r, 1));
                pg->phase = PG_WAIT_DL;
                sim_run_arm(r, sim_run_timeout_ms(r));
                return 0;
            }
        }
        return sim_cause_intern(r->eng, "no PDU session re-activated after paging");
    default: return res;
    }
}

int sim_paging_on_idle(sim_run *r)
{
    sim_up *u = r->eng->up;
    if (!u || pg_of(r)->phase != PG_IDLE)
        return sim_cause_intern(r->eng, "UE context released");
    if (pg_of(r)->idle_only) {
        sim_run_mark(r, 0);
        return -1;
    }
    for (uint8_t psi = 1; psi <= SIM_UP_MAX_SESS; psi++) { /* CM-IDLE: N3 tunnels go */
        sim_sess *s = sim_up_find(u, r->ue, psi);
        if (s)
            sim_up_n3_release(u, s);
    }
    sim_up_proc_setup(r, SIM_UP_OP_NONE, 0, 0, 0); /* the session part is over */
    pg_of(r)->phase = PG_WAIT_PAGING;
    pg_of(r)->tries = 0;
    sim_run_arm(r, PG_IDLE_SETTLE_MS);
    return 0;
}

bool sim_paging_timeout(sim_run *r)
{
    pg_run *pg = pg_of(r);
    int rc;
    switch (pg->phase) {
    case PG_IDLE:
        sim_run_finish(r, sim_cause_intern(r->eng, "no UE context release command"));
        return true;
    case PG_WAIT_PAGING:
        if (pg->tries >= SIM_MT_TRIGGER_TRIES) {
            sim_run_finish(r, sim_cause_intern(r->eng, "not paged"));
            return true;
        }
        if (pg->tries++ == 0)
            r->t_mark_ns = g5_clock_ns(); /* "dl_data->paging" starts at the first trigger */
        if ((rc = send_trigger(r)) != 0) {
            sim_run_finish(r, rc);
            return true;
        }
        sim_run_arm(r, PG_TRIGGER_EVERY_MS);
        return true;
    case PG_WAIT_DL:
        /* "paging-response" is done once the UE answered (its data is someone else's) */
        sim_run_finish(r, pg->response ? SIM_CAUSE_OK
                                       : sim_cause_intern(r->eng, "no downlink data after "
                                                                  "service request"));
        return true;
    default: return false; /* registration, session, service request: ue_proc.c */
    }
}

/* ---- procedures ---- */

static int start_an_release(sim_run *r)
{
    if (!r->was_connected)
        return SIM_CAUSE_OUT_OF_STATE; /* already CM-IDLE */
    int rc = sim_proc_start_paging(r, false);
    if (rc)
        return rc;
    pg_of(r)->idle_only = true;
    return go_idle(r);
}

static int start_paging(sim_run *r)
{
    return sim_proc_start_paging(r, true);
}

static int start_response(sim_run *r)
{
    int rc = sim_proc_start_paging(r, false);
    if (rc)
        return rc;
    pg_of(r)->response = true;
    return answer_paging(r);
}

static void on_downlink(sim_run *r, const uint8_t *pdu, size_t len)
{
    sim_proc_registration.on_downlink(r, pdu, len); /* ue_proc.c, K_PAGING hooks above */
}

static void on_timeout(sim_run *r)
{
    sim_proc_registration.on_timeout(r);
}

const sim_procedure sim_proc_paging = {
    .name = "paging",
    .summary = "registration, PDU session, idle, downlink data -> paging -> service "
               "request (mobile terminated) -> data (TS 23.502 4.2.3.3, TS 24.501 5.6.2)",
    .steps = {"initial_ue_message->auth_request", "auth_response->security_mode_command",
              "security_mode_complete->registration_accept",
              "registration_accept->registration_complete",
              "pdu_session_establishment_request->accept", "dl_data->paging",
              "paging->service_accept", "service_accept->dl_data"},
    .nsteps = 8,
    .needs_protocol = true,
    .start = start_paging,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_an_release = {
    .name = "an-release",
    .summary = "the gNB releases a CM-CONNECTED UE (UE Context Release Request, user "
               "inactivity; TS 23.502 4.2.6): CM-IDLE, user plane deactivated",
    .steps = {"release_request->release_command"},
    .nsteps = 1,
    .needs_protocol = true,
    .start = start_an_release,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};

const sim_procedure sim_proc_paging_response = {
    .name = "paging-response",
    .summary = "an idle UE answers Paging with a service request (mobile terminated "
               "services); started by the gNB",
    .steps = {"paging->service_accept", "service_accept->dl_data"},
    .nsteps = 2,
    .needs_protocol = true,
    .start = start_response,
    .on_downlink = on_downlink,
    .on_timeout = on_timeout,
};
