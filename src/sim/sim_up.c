/* glass5g-sim PDU sessions: the sim_up object (sessions per UE, DL TEID index), the gNB's
 * actions on PDU Session Resource Setup/Release, and the session part of the procedure
 * drivers (establishment and release as steps of a run, T3580/T3582). See sim/sim_up.h. */
#define G5_LOG_MODULE "sim.up"
#include "sim/sim_up.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nas/nas_ie.h"
#include "ngap/gen/ngap_types.h"
#include "sim/ue_nas.h"
#include "sim/ue_proc.h"

sim_up *sim_up_new(sim_engine *e)
{
    sim_up *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->eng = e;
    u->cfg = e->cfg;
    g5_hmap_init(&u->by_ue);
    g5_hmap_init(&u->by_dl_teid);
    u->next_teid = 1;
    return u;
}

static void ping_closed(uv_handle_t *h)
{
    (void)h;
}

void sim_up_free(sim_up *u)
{
    if (!u)
        return;
    size_t it = 0;
    uint64_t key;
    void *val;
    while (g5_hmap_next(&u->by_ue, &it, &key, &val)) {
        sim_sess *ss = val;
        for (int i = 0; i < SIM_UP_MAX_SESS; i++)
            sim_tun_free(u, &ss[i]);
        free(ss);
    }
    g5_hmap_free(&u->by_ue);
    g5_hmap_free(&u->by_dl_teid);
    if (u->ping_timer_init) {
        uv_timer_stop(&u->ping_timer);
        uv_close((uv_handle_t *)&u->ping_timer, ping_closed);
    }
    sim_n3_close(u);
    uv_run(u->eng->loop, UV_RUN_NOWAIT); /* lets the handles close */
    free(u);
}

sim_sess *sim_up_sessions(sim_up *u, sim_ue *ue)
{
    sim_sess *ss = g5_hmap_get(&u->by_ue, ue->index);
    if (ss)
        return ss;
    ss = calloc(SIM_UP_MAX_SESS, sizeof *ss);
    if (!ss || g5_hmap_put(&u->by_ue, ue->index, ss) != 0) {
        free(ss);
        return NULL;
    }
    for (int i = 0; i < SIM_UP_MAX_SESS; i++) {
        ss[i].ue = ue;
        ss[i].psi = (uint8_t)(i + 1);
    }
    return ss;
}

sim_sess *sim_up_find(sim_up *u, const sim_ue *ue, uint8_t psi)
{
    sim_sess *ss = g5_hmap_get(&u->by_ue, ue->index);
    return ss && psi >= 1 && psi <= SIM_UP_MAX_SESS ? &ss[psi - 1] : NULL;
}

unsigned sim_up_active_count(sim_up *u, const sim_ue *ue)
{
    sim_sess *ss = g5_hmap_get(&u->by_ue, ue->index);
    unsigned n = 0;
    for (int i = 0; ss && i < SIM_UP_MAX_SESS; i++)
        n += ss[i].state != SIM_SESS_INACTIVE;
    return n;
}

void sim_up_n3_release(sim_up *u, sim_sess *s)
{
    if (!s->n3_up)
        return;
    g5_hmap_del(&u->by_dl_teid, s->dl_teid);
    s->n3_up = false;
    s->dl_teid = s->ul_teid = 0;
}

void sim_up_sess_clear(sim_up *u, sim_sess *s)
{
    sim_up_n3_release(u, s);
    sim_tun_free(u, s);
    sim_ue *ue = s->ue;
    uint8_t psi = s->psi;
    memset(s, 0, sizeof *s);
    s->ue = ue;
    s->psi = psi;
}

/* ---- gNB ---- */

static uint32_t alloc_teid(sim_up *u)
{
    for (;;) {
        uint32_t t = u->next_teid++;
        if (t && !g5_hmap_get(&u->by_dl_teid, t))
            return t;
    }
}

static void item_fail(sim_pdu_item *it, int group, int value)
{
    it->ok = false;
    it->cause_group = group;
    it->cause_value = value;
}

/* TS 38.413 8.2.1.2: one item of a setup list. */
static void setup_item(sim_up *u, sim_ue *ue, sim_pdu_item *it)
{
    sim_sess *s = sim_up_find(u, ue, it->psi);
    if (it->parse_rc) {
        item_fail(it, NGAP_Cause_PR_protocol, NGAP_CauseProtocol_semantic_error);
    } else if (!s) {
        item_fail(it, NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unknown_PDU_session_ID);
    } else if (it->t.pdu_type > NGAP_PDUSessionType_ipv4v6) {
        /* Ethernet and unstructured sessions are not simulated */
        item_fail(it, NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
    } else if (s->n3_up) {
        item_fail(it, NGAP_Cause_PR_radioNetwork,
                  NGAP_CauseRadioNetwork_multiple_PDU_session_ID_instances);
    } else if (sim_n3_open(u) != 0 || !g5_tnl_pick(&u->n3_addr, &it->t.upf)) {
        /* no N3 socket, or the UPF's address family is not one of ours */
        item_fail(it, NGAP_Cause_PR_transport, NGAP_CauseTransport_transport_resource_unavailable);
    } else {
        s->dl_teid = it->dl_teid = alloc_teid(u);
        if (g5_hmap_put(&u->by_dl_teid, s->dl_teid, s) != 0) {
            item_fail(it, NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
            return;
        }
        s->upf = it->t.upf;
        s->ul_v6 = g5_tnl_pick(&u->n3_addr, &s->upf) == 6;
        s->ul_teid = it->t.ul_teid;
        s->n3_qfi = it->t.qfi[0];
        s->ngap_pdu_type = (uint8_t)it->t.pdu_type;
        s->n3_up = true;
        it->ok = true;
        u->st.n2_setup_ok++;
        return;
    }
    u->st.n2_setup_failed++;
}

void sim_up_gnb_setup(sim_up *u, sim_ue *ue, sim_pdu_msg *m)
{
    if (!sim_up_sessions(u, ue)) {
        for (unsigned i = 0; i < m->nitems; i++)
            item_fail(&m->items[i], NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
        return;
    }
    for (unsigned i = 0; i < m->nitems; i++)
        setup_item(u, ue, &m->items[i]);
}

void sim_up_gnb_release(sim_up *u, sim_ue *ue, const sim_pdu_msg *m)
{
    for (unsigned i = 0; i < m->nitems; i++) {
        sim_sess *s = sim_up_find(u, ue, m->items[i].psi);
        if (s && s->n3_up) {
            sim_up_n3_release(u, s);
            u->st.n2_released++;
        }
    }
}

/* ---- engine hook: a run ended ---- */

void sim_up_ue_clear(sim_up *u, sim_ue *ue)
{
    sim_sess *ss = g5_hmap_get(&u->by_ue, ue->index);
    for (int i = 0; ss && i < SIM_UP_MAX_SESS; i++)
        if (ss[i].state != SIM_SESS_INACTIVE || ss[i].n3_up || ss[i].tun) {
            u->st.rel_local += ss[i].state != SIM_SESS_INACTIVE;
            sim_up_sess_clear(u, &ss[i]);
        }
}

bool sim_up_run_end(sim_up *u, sim_ue *ue, bool ok)
{
    sim_sess *ss = g5_hmap_get(&u->by_ue, ue->index);
    if (!ss)
        return false;
    if (ue->rm_state != SIM_RM_REGISTERED) {
        /* TS 24.501 5.5.2.2.2 / 5.5.2.3.2: deregistration releases the sessions locally */
        sim_up_ue_clear(u, ue);
        return false;
    }
    for (int i = 0; i < SIM_UP_MAX_SESS; i++) {
        /* a procedure that ended half-way: abandoned establishment, local release */
        if (ss[i].state == SIM_SESS_ACTIVE_PENDING || ss[i].state == SIM_SESS_INACTIVE_PENDING) {
            u->st.rel_local += ss[i].state == SIM_SESS_INACTIVE_PENDING;
            sim_up_sess_clear(u, &ss[i]);
        }
    }
    bool keep = ok && u->keep_connected && ue->cm_state == SIM_CM_CONNECTED &&
                sim_up_active_count(u, ue) > 0;
    if (!keep) /* CM-IDLE: the user plane is deactivated, the sessions stay (TS 23.502 4.2.6) */
        for (int i = 0; i < SIM_UP_MAX_SESS; i++)
            sim_up_n3_release(u, &ss[i]);
    return keep;
}

/* ---- procedure part ---- */

/* The session part of a run, after ue_proc.c's own state in the scratch area. */
typedef struct sess_run {
    uint8_t op, then_op; /* SIM_UP_OP_* */
    uint8_t psi;
    uint8_t step, then_step; /* steps marked when op (then_op) completes */
    bool begun, in_n2;
    uint8_t tries;
} sess_run;
#define SESS_RUN_OFF 16
_Static_assert(SESS_RUN_OFF + sizeof(sess_run) <= SIM_RUN_SCRATCH, "scratch too small");

static sess_run *sr_of(sim_run *r)
{
    return (sess_run *)(void *)(r->scratch + SESS_RUN_OFF);
}

void sim_up_proc_setup(sim_run *r, int op, unsigned step, int then_op, unsigned then_step)
{
    sess_run *sr = sr_of(r);
    memset(sr, 0, sizeof *sr);
    sr->op = (uint8_t)op;
    sr->step = (uint8_t)step;
    sr->then_op = (uint8_t)then_op;
    sr->then_step = (uint8_t)then_step;
}

bool sim_up_proc_active(const sim_run *r)
{
    const sess_run *sr = (const sess_run *)(const void *)(r->scratch + SESS_RUN_OFF);
    return sr->op && sr->begun;
}

static sim_up *up_of(sim_run *r)
{
    return r->eng->up;
}

static const sim_ue_template *tpl_of(sim_run *r)
{
    const sim_config *c = r->eng->cfg;
    return &c->ue[r->ue->group < c->nue ? r->ue->group : 0];
}

static uint8_t next_pti(sim_sess *s)
{
    /* TS 24.007 11.2.3.1a: UE-allocated PTI values 1..127 */
    uint8_t p = (uint8_t)(s->pti % 127 + 1);
    return p;
}

/* Protects plain (a UL NAS TRANSPORT) and sends it under fault step `step`. */
static int send_ul(sim_run *r, const g5_wbuf *plain, const char *step)
{
    uint8_t b[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_ue_protect(r->eng->ue_layer, r->ue, plain->p, plain->len, &w) != 0)
        return SIM_CAUSE_UNEXPECTED;
    return sim_proc_send_nas(r, b, w.len, step);
}

static const uint8_t req_types[] = {NAS_PDU_IPV4, NAS_PDU_IPV6, NAS_PDU_IPV4V6};

/* (Re)sends the message of the current op for session sr->psi. */
static int send_op(sim_run *r, sim_sess *s)
{
    sess_run *sr = sr_of(r);
    uint8_t sm[64], ul[256];
    g5_wbuf ws, wu;
    g5_wbuf_init(&ws, sm, sizeof sm);
    g5_wbuf_init(&wu, ul, sizeof ul);
    int rc;
    if (sr->op == SIM_UP_OP_EST) {
        rc = sim_sm_build_est_request(s, &ws);
        if (!rc)
            rc = sim_sm_build_ul_transport(s->psi, 1, s->dnn, s->has_snssai ? &s->snssai : NULL, sm,
                                           ws.len, &wu);
    } else if (sr->op == SIM_UP_OP_MOD) { /* ue_sm_mod.c: the default flow's 5QI 9 <-> 8 */
        rc = sim_sm_build_mod_request(s, s->fiveqi == 8 ? 9 : 8, &ws);
        if (!rc)
            rc = sim_sm_build_ul_transport(s->psi, 0, NULL, NULL, sm, ws.len, &wu);
    } else {
        rc = sim_sm_build_rel_request(s, 36, &ws); /* #36 regular deactivation */
        if (!rc)
            rc = sim_sm_build_ul_transport(s->psi, 0, NULL, NULL, sm, ws.len, &wu);
    }
    if (rc)
        return SIM_CAUSE_UNEXPECTED;
    return send_ul(r, &wu,
                   sr->op == SIM_UP_OP_EST   ? "pdu_session_establishment_request"
                   : sr->op == SIM_UP_OP_MOD ? "pdu_session_modification_request"
                                             : "pdu_session_release_request");
}

/* What establishment of s asks for: a `cli ps-establish` request first, then the
 * template's sessions[psi - 1], then the template's dnn / session_type / slices[0]. */
static void sess_request(sim_up *u, sim_sess *s, const sim_ue_template *t)
{
    bool req = s->req_set, has_snssai = s->has_snssai;
    int type = s->req_session_type;
    char dnn[sizeof s->dnn];
    sim_snssai sn = s->snssai;
    memcpy(dnn, s->dnn, sizeof dnn);
    sim_up_sess_clear(u, s);
    if (!req) {
        const unsigned i = s->psi - 1u;
        bool per = i < t->nsessions;
        snprintf(dnn, sizeof dnn, "%s", per && t->sessions[i].dnn[0] ? t->sessions[i].dnn : t->dnn);
        type = per ? t->sessions[i].session_type : -1;
        has_snssai = (per && t->sessions[i].has_slice) || t->nslices > 0;
        sn = per && t->sessions[i].has_slice ? t->sessions[i].slice : t->slices[0];
    }
    memcpy(s->dnn, dnn, sizeof s->dnn);
    s->has_snssai = has_snssai;
    s->snssai = sn;
    s->req_type = req_types[(type >= 0 ? type : t->session_type) % 3];
}

int sim_up_set_request(sim_up *u, sim_ue *ue, const char *dnn, const sim_snssai *snssai,
                       int session_type)
{
    sim_sess *ss = sim_up_sessions(u, ue);
    if (!ss)
        return G5_ERR_NOMEM;
    for (int i = 0; i < SIM_UP_MAX_SESS; i++) /* the slot sim_up_proc_begin will take */
        if (ss[i].state == SIM_SESS_INACTIVE) {
            sim_sess *s = &ss[i];
            s->req_set = session_type != SIM_UP_REQ_CLEAR;
            snprintf(s->dnn, sizeof s->dnn, "%s", dnn ? dnn : "");
            s->has_snssai = snssai != NULL;
            if (snssai)
                s->snssai = *snssai;
            s->req_session_type = session_type;
            return 0;
        }
    return G5_ERR_LIMIT;
}

int sim_up_proc_begin(sim_run *r)
{
    sess_run *sr = sr_of(r);
    sim_up *u = up_of(r);
    if (!sr->op)
        return -1; /* nothing to do: the run is complete */
    if (!u)
        return SIM_CAUSE_UNEXPECTED;
    sim_sess *ss = sim_up_sessions(u, r->ue);
    if (!ss)
        return SIM_CAUSE_UNEXPECTED;
    sim_sess *s = NULL;
    for (int i = 0; i < SIM_UP_MAX_SESS && !s; i++) {
        /* establishment: the lowest free PSI; release: the highest active one */
        sim_sess *c = sr->op == SIM_UP_OP_EST ? &ss[i] : &ss[SIM_UP_MAX_SESS - 1 - i];
        if (sr->op == SIM_UP_OP_EST ? c->state == SIM_SESS_INACTIVE : c->state == SIM_SESS_ACTIVE)
            s = c;
    }
    if (!s)
        return sim_cause_intern(r->eng, sr->op == SIM_UP_OP_EST ? "no free PDU session identity"
                                                                : "no PDU session to release");
    if (sr->op == SIM_UP_OP_EST)
        sess_request(u, s, tpl_of(r));
    s->pti = next_pti(s);
    if (sr->op == SIM_UP_OP_MOD) /* 6.4.2.2: the session stays active, T3581 runs */
        s->mod_pending = true;
    else
        s->state = sr->op == SIM_UP_OP_EST ? SIM_SESS_ACTIVE_PENDING : SIM_SESS_INACTIVE_PENDING;
    sr->psi = s->psi;
    sr->begun = true;
    sr->tries = 0;
    return send_op(r, s);
}

static const struct {
    uint8_t v;
    const char *name;
} sm_causes[] = {
    /* TS 24.501 Table 9.11.4.2.1 */
    {26, "insufficient resources"},
    {27, "missing or unknown DNN"},
    {28, "unknown PDU session type"},
    {29, "user authentication or authorization failed"},
    {31, "request rejected, unspecified"},
    {32, "service option not supported"},
    {33, "requested service option not subscribed"},
    {36, "regular deactivation"},
    {38, "network failure"},
    {43, "invalid PDU session identity"},
    {50, "PDU session type IPv4 only allowed"},
    {51, "PDU session type IPv6 only allowed"},
    {54, "PDU session does not exist"},
    {68, "not supported SSC mode"},
    {70, "missing or unknown DNN in a slice"},
    {59, "unsupported 5QI value"},
    {83, "semantic error in the QoS operation"},
    {84, "syntactical error in the QoS operation"},
    {95, "semantically incorrect message"},
    {96, "invalid mandatory information"},
    {111, "protocol error, unspecified"},
};

static int sm_cause(sim_run *r, const char *what, uint8_t v)
{
    const char *n = "";
    for (size_t i = 0; i < sizeof sm_causes / sizeof sm_causes[0]; i++)
        if (sm_causes[i].v == v)
            n = sm_causes[i].name;
    char b[48];
    snprintf(b, sizeof b, "%s #%u %s", what, v, n);
    return sim_cause_intern(r->eng, b);
}

/* Both halves done? Marks the step and moves on to then_op, or ends the run. */
static int check_done(sim_run *r)
{
    sess_run *sr = sr_of(r);
    sim_up *u = up_of(r);
    sim_sess *s = u && sr->begun ? sim_up_find(u, r->ue, sr->psi) : NULL;
    if (!s || sr->in_n2)
        return 0;
    bool done = sr->op == SIM_UP_OP_EST   ? s->state == SIM_SESS_ACTIVE && s->n3_up
                : sr->op == SIM_UP_OP_MOD ? s->state == SIM_SESS_ACTIVE && !s->mod_pending
                                          : s->state == SIM_SESS_INACTIVE && !s->n3_up;
    if (!done)
        return 0;
    sim_run_mark(r, sr->step);
    if (sr->op == SIM_UP_OP_REL)
        sim_up_sess_clear(u, s);
    if (!sr->then_op)
        return -1;
    sr->op = sr->then_op;
    sr->step = sr->then_step;
    sr->then_op = 0;
    sr->begun = false;
    return sim_up_proc_begin(r);
}

int sim_up_proc_nas_event(sim_run *r, const sim_nas_event *ev, g5_wbuf *reply)
{
    sess_run *sr = sr_of(r);
    sim_up *u = up_of(r);
    if (!u)
        return SIM_CAUSE_UNEXPECTED;
    const sim_sm_event *sm = &u->last_sm;
    int rc = reply->len ? sim_proc_send_nas(r, reply->p, reply->len,
                                            sm->sm_type == NAS_PDU_SESSION_RELEASE_COMMAND
                                                ? "pdu_session_release_complete"
                                                : "5gsm_reply")
                        : 0;
    if (rc)
        return rc;
    bool mine = sr->begun && sm->psi == sr->psi;
    if (ev->msg_type == NAS_DL_NAS_TRANSPORT && sm->mm_cause && (mine || !sm->psi)) {
        char b[48];
        snprintf(b, sizeof b, "5gmm #%u %s", sm->cause,
                 sm->cause == 90   ? "payload was not forwarded"
                 : sm->cause == 91 ? "DNN not supported in slice"
                                   : "in DL NAS transport");
        return sr->begun ? sim_cause_intern(r->eng, b) : 0;
    }
    if (!mine)
        return 0;
    switch (sm->sm_type) {
    case NAS_PDU_SESSION_ESTABLISHMENT_REJECT:
        return sr->op == SIM_UP_OP_EST ? sm_cause(r, "pdu session reject", sm->cause) : 0;
    case NAS_PDU_SESSION_RELEASE_REJECT:
        return sr->op == SIM_UP_OP_REL ? sm_cause(r, "pdu session release reject", sm->cause) : 0;
    case NAS_PDU_SESSION_MODIFICATION_REJECT:
        return sr->op == SIM_UP_OP_MOD ? sm_cause(r, "pdu session modification reject", sm->cause)
                                       : 0;
    case NAS_PDU_SESSION_RELEASE_COMMAND:
        if (sr->op == SIM_UP_OP_EST) /* the network released what we were setting up */
            return sm_cause(r, "pdu session released", sm->cause);
        return check_done(r);
    default: return check_done(r);
    }
}

/* The UE gets the NAS-PDUs of m, then the gNB answers (38.413 8.2.1.2: the NAS-PDU goes
 * to the UE whatever the outcome of the resource setup). */
static int deliver_nas(sim_run *r, const sim_pdu_msg *m)
{
    int res = 0;
    if (m->nas)
        res = sim_proc_ue_nas(r, m->nas, m->nas_len);
    for (unsigned i = 0; i < m->nitems && res == 0; i++)
        if (m->items[i].nas)
            res = sim_proc_ue_nas(r, m->items[i].nas, m->items[i].nas_len);
    return res;
}

int sim_up_proc_n2(sim_run *r, const uint8_t *pdu, size_t len)
{
    sim_up *u = up_of(r);
    sess_run *sr = sr_of(r);
    sim_pdu_msg *m = malloc(sizeof *m);
    if (!u || !m) {
        free(m);
        return SIM_CAUSE_UNEXPECTED;
    }
    int res = sim_gnb_parse_pdu_msg(pdu, len, m);
    if (res) {
        free(m);
        return SIM_CAUSE_MALFORMED;
    }
    bool failed = false; /* the gNB could not set up the session this run establishes */
    if (m->procedure_code == NGAP_id_PDUSessionResourceRelease) {
        sim_up_gnb_release(u, r->ue, m);
    } else if (m->procedure_code == NGAP_id_PDUSessionResourceModify) {
        sim_up_gnb_modify(u, r->ue, m); /* gnb_pdu_mod.c */
    } else {
        sim_up_gnb_setup(u, r->ue, m);
        for (unsigned i = 0; i < m->nitems; i++)
            failed |= sr->begun && sr->op == SIM_UP_OP_EST && m->items[i].psi == sr->psi &&
                      !m->items[i].ok;
    }
    sr->in_n2 = true;
    res = deliver_nas(r, m);
    sr->in_n2 = false;
    uint8_t b[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int rc = m->procedure_code == NGAP_id_PDUSessionResourceRelease
                 ? sim_gnb_build_release_response(m, &w)
             : m->procedure_code == NGAP_id_PDUSessionResourceModify
                 ? sim_gnb_build_modify_response(m, &w)
             : m->procedure_code == NGAP_id_InitialContextSetup
                 ? sim_gnb_build_ics_response_sessions(m, &u->n3_addr, &w)
                 : sim_gnb_build_setup_response(m, &u->n3_addr, &w);
    if (!rc)
        rc = sim_run_send(r, b, w.len);
    for (unsigned i = 0; i < m->nitems && m->procedure_code != NGAP_id_PDUSessionResourceModify;
         i++) {
        sim_sess *s = sim_up_find(u, r->ue, m->items[i].psi);
        if (s && m->items[i].ok)
            sim_up_sess_ready(u, s);
    }
    free(m);
    if (rc)
        return SIM_CAUSE_TRANSPORT;
    if (!res && failed)
        return sim_cause_intern(r->eng, "pdu session resource setup failed");
    return res ? res : check_done(r);
}

bool sim_up_ics_has_sessions(const uint8_t *pdu, size_t len)
{
    sim_pdu_msg *m = malloc(sizeof *m);
    bool yes = m && sim_gnb_parse_pdu_msg(pdu, len, m) == 0 && m->nitems > 0;
    free(m);
    return yes;
}

/* T3580 / T3582 (TS 24.501 6.4.1.6, 6.4.3.5): retransmit with the same PTI, abort on the
 * fifth expiry (establishment: the session stays inactive; release: released locally). */
bool sim_up_proc_timeout(sim_run *r)
{
    sess_run *sr = sr_of(r);
    sim_up *u = up_of(r);
    if (!sim_up_proc_active(r) || !u)
        return false;
    sim_sess *s = sim_up_find(u, r->ue, sr->psi);
    if (!s)
        return false;
    if (sr->op == SIM_UP_OP_EST && s->state == SIM_SESS_ACTIVE) {
        /* T3580 stopped with the accept (6.4.1.3); the RAN never set the session up */
        sim_run_finish(r, sim_cause_intern(r->eng, "no PDU session resource setup"));
        return true;
    }
    if (++sr->tries > SIM_SM_RETRIES) {
        if (sr->op == SIM_UP_OP_MOD) { /* 6.4.2.5 a: T3581, fifth expiry: abort */
            s->mod_pending = false;
            sim_run_finish(r, sim_cause_intern(r->eng, "T3581 expiry"));
        } else if (sr->op == SIM_UP_OP_EST) {
            u->st.est_timeout++;
            sim_up_sess_clear(u, s);
            sim_run_finish(r, sim_cause_intern(r->eng, "T3580 expiry"));
        } else {
            u->st.rel_local++;
            sim_up_sess_clear(u, s);
            sim_run_finish(r, sim_cause_intern(r->eng, "T3582 expiry"));
        }
        return true;
    }
    int rc = send_op(r, s);
    if (rc)
        sim_run_finish(r, rc);
    return true;
}

/* ---- JSON ---- */

static const char *state_name(uint8_t s)
{
    static const char *const n[] = {"inactive", "active-pending", "active", "inactive-pending"};
    return s < 4 ? n[s] : "?";
}

json_t *sim_up_ue_json(sim_up *u, const sim_ue *ue)
{
    json_t *arr = json_array();
    sim_sess *ss = u ? g5_hmap_get(&u->by_ue, ue->index) : NULL;
    for (int i = 0; ss && i < SIM_UP_MAX_SESS; i++) {
        const sim_sess *s = &ss[i];
        if (s->state == SIM_SESS_INACTIVE)
            continue;
        char a4[16] = "", a6[48] = "";
        if (s->has_ipv4)
            snprintf(a4, sizeof a4, "%u.%u.%u.%u", s->ipv4[0], s->ipv4[1], s->ipv4[2], s->ipv4[3]);
        if (s->has_ipv6) {
            const uint8_t *p = s->ipv6_prefix, *d = s->ipv6_iid;
            snprintf(a6, sizeof a6, "%x:%x:%x:%x:%x:%x:%x:%x", p[0] << 8 | p[1], p[2] << 8 | p[3],
                     p[4] << 8 | p[5], p[6] << 8 | p[7], d[0] << 8 | d[1], d[2] << 8 | d[3],
                     d[4] << 8 | d[5], d[6] << 8 | d[7]);
        }
        json_t *j = json_pack(
            "{s:i, s:s, s:i, s:i, s:b, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "psi", s->psi,
            "state", state_name(s->state), "pdu_type", s->pdu_type, "qfi", s->qfi, "n3_up",
            s->n3_up, "ul_teid", (json_int_t)s->ul_teid, "dl_teid", (json_int_t)s->dl_teid,
            "ul_packets", (json_int_t)s->ul_pkts, "dl_packets", (json_int_t)s->dl_pkts, "ping_sent",
            (json_int_t)s->ping_sent, "ping_received", (json_int_t)s->ping_recv, "ambr_ul_bps",
            (json_int_t)s->ambr_ul_bps, "ambr_dl_bps", (json_int_t)s->ambr_dl_bps);
        if (s->fiveqi) /* changed by a modification (ue_sm_mod.c) */
            json_object_set_new(j, "fiveqi", json_integer(s->fiveqi));
        if (s->gnb_ambr_dl) /* the gNB's record after a PDU Session Resource Modify */
            json_object_set_new(j, "gnb_ambr_dl_bps", json_integer((json_int_t)s->gnb_ambr_dl));
        if (s->has_ipv4)
            json_object_set_new(j, "ipv4", json_string(a4));
        if (s->has_ipv6)
            json_object_set_new(j, s->has_prefix ? "ipv6" : "ipv6_iid", json_string(a6));
        if (s->tun)
            json_object_set_new(j, "tun", json_string(sim_tun_name(s)));
        if (s->dnn[0])
            json_object_set_new(j, "dnn", json_string(s->dnn));
        if (s->has_snssai)
            json_object_set_new(j, "sst", json_integer(s->snssai.sst));
        json_array_append_new(arr, j);
    }
    return arr;
}

json_t *sim_up_stats_json(const sim_up *u)
{
    const sim_up_stats *s = &u->st;
    json_t *j = json_object();
#define F(x) json_object_set_new(j, #x, json_integer((json_int_t)s->x))
    F(est_ok);
    F(est_reject);
    F(est_timeout);
    F(rel_ok);
    F(rel_local);
    F(mm_not_forwarded);
    F(n2_setup_ok);
    F(n2_setup_failed);
    F(n2_released);
    F(mod_ok);
    F(mod_reject);
    F(mod_cmd_ok);
    F(mod_cmd_rejected);
    F(n2_modified);
    F(n2_modify_failed);
    F(n3_rx);
    F(n3_tx);
    F(n3_rx_unknown_teid);
    F(n3_rx_malformed);
    F(n3_echo_answered);
    F(n3_error_indication);
    F(n3_tx_errors);
    F(tun_created);
    F(tun_closed);
    F(tun_errors);
    F(ping_sent);
    F(ping_recv);
    F(ra_recv);
    F(paging_rx);
    F(paging_not_idle);
    F(paging_unknown);
    F(paging_dropped);
    F(mt_triggers);
#undef F
    json_object_set_new(j, "tunnels", json_integer((json_int_t)g5_hmap_len(&u->by_dl_teid)));
    return j;
}
