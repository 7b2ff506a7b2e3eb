/* glass5g-sim UE: 5GSM (TS 24.501 §6) for the simulated UEs over the NAS codec.
 *
 * Builds PDU SESSION ESTABLISHMENT REQUEST (8.3.1), RELEASE REQUEST (8.3.12), RELEASE
 * COMPLETE (8.3.15) and 5GSM STATUS (8.3.16), wraps them into UL NAS TRANSPORT (8.2.10,
 * payload container type N1 SM information), and handles what arrives in DL NAS TRANSPORT
 * (8.2.11): ESTABLISHMENT ACCEPT (PDU address, default QoS rule, session-AMBR) or REJECT,
 * RELEASE COMMAND (answered with COMPLETE), RELEASE REJECT, MODIFICATION COMMAND / REJECT
 * (handed to ue_sm_mod.c), 5GSM STATUS, and the 5GMM cause a DL NAS TRANSPORT carries when the AMF
 * could not forward the payload (#90, #91, TS 24.501 5.4.5.3.3). Messages stay plain here:
 * the UE's 5GMM layer (ue_nas.c) protects and unprotects them. */
#define G5_LOG_MODULE "sim.sm"
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nas/nas_ie.h"
#include "sim/sim_up.h"

/* TS 24.501 9.11.3.47 request type: initial request */
#define REQUEST_TYPE_INITIAL 1
/* 9.11.4.7 integrity protection maximum data rate: full data rate both ways */
static const uint8_t ip_max_rate[2] = {0xff, 0xff};

int sim_sm_build_est_request(const sim_sess *s, g5_wbuf *out)
{
    nas_msg m;
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST);
    if (rc)
        return rc;
    m.psi = s->psi;
    m.pti = s->pti;
    struct nas_pdu_session_establishment_request *r = &m.pdu_session_establishment_request;
    nas_ie_set(&r->integrity_protection_maximum_data_rate, ip_max_rate, 2);
    nas_ie_set_half(&r->pdu_session_type, s->req_type);
    nas_ie_set_half(&r->ssc_mode, 1); /* 9.11.4.16: SSC mode 1 */
    return nas_encode(&m, out);
}

int sim_sm_build_rel_request(const sim_sess *s, uint8_t cause, g5_wbuf *out)
{
    nas_msg m;
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_RELEASE_REQUEST);
    if (rc)
        return rc;
    m.psi = s->psi;
    m.pti = s->pti;
    if (cause)
        nas_ie_set(&m.pdu_session_release_request.ie_5gsm_cause, &cause, 1);
    return nas_encode(&m, out);
}

static int build_plain(uint8_t type, uint8_t psi, uint8_t pti, g5_wbuf *out)
{
    nas_msg m;
    int rc = nas_msg_init(&m, type);
    if (rc)
        return rc;
    m.psi = psi;
    m.pti = pti;
    return nas_encode(&m, out);
}

int sim_sm_build_rel_complete(const sim_sess *s, g5_wbuf *out)
{
    return build_plain(NAS_PDU_SESSION_RELEASE_COMPLETE, s->psi, s->pti, out);
}

int sim_sm_build_status(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *out)
{
    nas_msg m;
    int rc = nas_msg_init(&m, NAS_STATUS_5GSM);
    if (rc)
        return rc;
    m.psi = psi;
    m.pti = pti;
    nas_ie_set(&m.status_5gsm.ie_5gsm_cause, &cause, 1);
    return nas_encode(&m, out);
}

int sim_sm_build_ul_transport(uint8_t psi, uint8_t request_type, const char *dnn,
                              const sim_snssai *snssai, const uint8_t *sm, size_t sm_len,
                              g5_wbuf *out)
{
    nas_arena a;
    nas_arena_init(&a);
    nas_msg m;
    int rc = nas_msg_init(&m, NAS_UL_NAS_TRANSPORT);
    if (rc)
        return rc;
    struct nas_ul_nas_transport *t = &m.ul_nas_transport;
    nas_ie_set_half(&t->payload_container_type, NAS_PAYLOAD_N1_SM);
    nas_ie_set(&t->payload_container, sm, sm_len);
    nas_ie_set(&t->pdu_session_id, &psi, 1); /* 9.11.3.41 PDU session identity 2 */
    if (request_type)
        nas_ie_set_half(&t->request_type, request_type);
    if (snssai) {
        nas_snssai ns = {.sst = snssai->sst, .has_sd = snssai->sd != 0xffffff, .sd = snssai->sd};
        size_t mark = a.w.len;
        rc = nas_snssai_encode(&ns, &a.w);
        if (!rc)
            rc = nas_arena_ie(&a, mark, &t->s_nssai);
    }
    if (!rc && dnn && dnn[0]) {
        size_t mark = a.w.len;
        rc = nas_dnn_encode(dnn, &a.w);
        if (!rc)
            rc = nas_arena_ie(&a, mark, &t->dnn);
    }
    return rc ? rc : nas_encode(&m, out);
}

/* Wraps the plain 5GSM message in sm into a UL NAS TRANSPORT written to reply. */
static int reply_sm(uint8_t psi, const g5_wbuf *sm, g5_wbuf *reply)
{
    return sim_sm_build_ul_transport(psi, 0, NULL, NULL, sm->p, sm->len, reply);
}

static int reply_status(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *reply)
{
    uint8_t b[16];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int rc = sim_sm_build_status(psi, pti, cause, &w);
    return rc ? rc : reply_sm(psi, &w, reply);
}

static uint8_t cause_of(const nas_ie *ie)
{
    return ie->present && ie->len == 1 ? ie->v[0] : 0;
}

/* The default QoS rule's QFI and the number of rules (9.11.4.13). */
static int read_qos_rules(const nas_ie *ie, sim_sess *s)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    s->n_qos_rules = 0;
    while (!g5_rbuf_empty(&r)) {
        nas_qos_rule q;
        int rc = nas_qos_rule_next(&r, &q);
        if (rc)
            return rc;
        if (s->n_qos_rules < 255)
            s->n_qos_rules++;
        if (q.dqr && q.has_qfi)
            s->qfi = q.qfi;
    }
    return s->n_qos_rules ? 0 : G5_ERR_MISSING;
}

/* 6.4.1.3: PDU SESSION ESTABLISHMENT ACCEPT. A malformed mandatory IE -> #96 (7.5). */
static int on_est_accept(sim_up *u, sim_sess *s, const nas_msg *m, g5_wbuf *reply)
{
    const struct nas_pdu_session_establishment_accept *a = &m->pdu_session_establishment_accept;
    nas_session_ambr ambr;
    if (read_qos_rules(&a->authorized_qos_rules, s) != 0 ||
        nas_session_ambr_decode(&a->session_ambr, &ambr) != 0)
        return reply_status(s->psi, m->pti, NAS_CAUSE_INVALID_MANDATORY_INFO, reply);
    s->ambr_ul_bps = nas_ambr_bps(ambr.ul_unit, ambr.ul);
    s->ambr_dl_bps = nas_ambr_bps(ambr.dl_unit, ambr.dl);
    s->pdu_type = a->selected_pdu_session_type.half & 7;
    nas_pdu_address pa;
    if (a->pdu_address.present && nas_pdu_address_decode(&a->pdu_address, &pa) == 0) {
        s->has_ipv4 = pa.type == NAS_PDU_IPV4 || pa.type == NAS_PDU_IPV4V6;
        s->has_ipv6 = pa.type == NAS_PDU_IPV6 || pa.type == NAS_PDU_IPV4V6;
        memcpy(s->ipv4, pa.ipv4, 4);
        memcpy(s->ipv6_iid, pa.ipv6_iid, 8);
    }
    s->state = SIM_SESS_ACTIVE;
    u->st.est_ok++;
    sim_up_sess_ready(u, s);
    return 0;
}

static int on_release_command(sim_up *u, sim_sess *s, const nas_msg *m, g5_wbuf *reply)
{
    s->last_cause = cause_of(&m->pdu_session_release_command.ie_5gsm_cause);
    uint8_t b[16];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    s->pti = m->pti; /* 6.3.3.3: the COMPLETE echoes the command's PTI */
    int rc = sim_sm_build_rel_complete(s, &w);
    if (!rc)
        rc = reply_sm(s->psi, &w, reply);
    if (s->state == SIM_SESS_INACTIVE_PENDING)
        u->st.rel_ok++;
    s->state = SIM_SESS_INACTIVE; /* 6.3.3.3: the UE releases the session */
    sim_tun_free(u, s);
    s->has_ipv4 = s->has_ipv6 = s->has_prefix = false;
    return rc;
}

/* Dispatches one 5GSM message for session s. */
static int on_sm(sim_up *u, sim_sess *s, const nas_msg *m, sim_sm_event *ev, g5_wbuf *reply)
{
    switch (m->type) {
    case NAS_PDU_SESSION_ESTABLISHMENT_ACCEPT:
        if (s->state != SIM_SESS_ACTIVE_PENDING || m->pti != s->pti)
            return reply_status(s->psi, m->pti, 47, reply); /* #47 PTI mismatch (7.3.1) */
        return on_est_accept(u, s, m, reply);
    case NAS_PDU_SESSION_ESTABLISHMENT_REJECT:
        ev->cause = s->last_cause = cause_of(&m->pdu_session_establishment_reject.ie_5gsm_cause);
        if (s->state == SIM_SESS_ACTIVE_PENDING) {
            s->state = SIM_SESS_INACTIVE;
            u->st.est_reject++;
        }
        return 0;
    case NAS_PDU_SESSION_RELEASE_COMMAND:
        ev->cause = cause_of(&m->pdu_session_release_command.ie_5gsm_cause);
        return on_release_command(u, s, m, reply);
    case NAS_PDU_SESSION_RELEASE_REJECT:
        ev->cause = s->last_cause = cause_of(&m->pdu_session_release_reject.ie_5gsm_cause);
        if (s->state == SIM_SESS_INACTIVE_PENDING)
            s->state = SIM_SESS_ACTIVE;
        return 0;
    case NAS_PDU_SESSION_MODIFICATION_COMMAND: return sim_sm_on_mod(u, s, m, reply);
    case NAS_PDU_SESSION_MODIFICATION_REJECT: /* ue_sm_mod.c */
        ev->cause = cause_of(&m->pdu_session_modification_reject.ie_5gsm_cause);
        return sim_sm_on_mod(u, s, m, reply);
    case NAS_STATUS_5GSM: ev->cause = cause_of(&m->status_5gsm.ie_5gsm_cause); return 0;
    default: return reply_status(s->psi, m->pti, NAS_CAUSE_MSG_TYPE_NON_EXISTENT, reply);
    }
}

int sim_sm_on_dl_transport(sim_up *u, sim_ue *ue, const nas_msg *m, sim_sm_event *ev,
                           g5_wbuf *reply)
{
    memset(ev, 0, sizeof *ev);
    const struct nas_dl_nas_transport *t = &m->dl_nas_transport;
    if (t->pdu_session_id.present && t->pdu_session_id.len == 1)
        ev->psi = t->pdu_session_id.v[0];
    if (t->ie_5gmm_cause.present) {
        /* 5.4.5.3.3: the AMF could not forward the UE's 5GSM message (#90 payload was not
         * forwarded, #91 DNN not supported or not subscribed in the slice, ...) */
        ev->mm_cause = true;
        ev->cause = cause_of(&t->ie_5gmm_cause);
        u->st.mm_not_forwarded++;
        sim_sess *s = sim_up_find(u, ue, ev->psi);
        if (s && s->state == SIM_SESS_ACTIVE_PENDING)
            s->state = SIM_SESS_INACTIVE;
        return 0;
    }
    if ((t->payload_container_type.half & 0x0f) != NAS_PAYLOAD_N1_SM)
        return 0; /* SMS, LPP, ... are not simulated: ignored (5.4.5.3.2) */
    nas_msg sm;
    uint8_t cause = 0;
    int rc = nas_decode(t->payload_container.v, t->payload_container.len, &sm, &cause);
    if (rc < 0 || sm.epd != NAS_EPD_5GSM)
        return reply_status(ev->psi, 0, cause ? cause : NAS_CAUSE_SEMANTICALLY_INCORRECT, reply);
    ev->sm_type = sm.type;
    ev->psi = sm.psi;
    sim_sess *s = sim_up_find(u, ue, sm.psi);
    if (!s) {
        if (sm.type == NAS_PDU_SESSION_RELEASE_COMMAND) { /* unknown PSI: complete anyway */
            sim_sess tmp = {.psi = sm.psi, .pti = sm.pti};
            uint8_t b[16];
            g5_wbuf w;
            g5_wbuf_init(&w, b, sizeof b);
            rc = sim_sm_build_rel_complete(&tmp, &w);
            return rc ? rc : reply_sm(sm.psi, &w, reply);
        }
        return reply_status(sm.psi, sm.pti, 43, reply); /* #43 invalid PDU session identity */
    }
    return on_sm(u, s, &sm, ev, reply);
}
