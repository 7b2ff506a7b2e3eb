/* glass5g-sim UE: PDU session modification (TS 24.501 §6.3.2 network-requested, §6.4.2
 * UE-requested). Builds PDU SESSION MODIFICATION REQUEST (8.3.7) and handles what the
 * network answers: MODIFICATION COMMAND (8.3.9) is checked and applied (session-AMBR,
 * the default flow's 5QI) and answered with COMPLETE (8.3.10), or with COMMAND REJECT
 * (8.3.11) when its QoS operations cannot be applied (§6.3.2.4: #83 semantic error, #84
 * syntactical error in the QoS operation); MODIFICATION REJECT (8.3.8) ends the UE's
 * request. ue_sm.c dispatches these messages here. */
#define G5_LOG_MODULE "sim.sm"
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nas/nas_ie.h"
#include "sim/sim_up.h"

enum { CAUSE_QOS_OP_SEMANTIC = 83, CAUSE_QOS_OP_SYNTAX = 84 }; /* Table 9.11.4.2.1 */
enum { FLOW_DELETE = 2, PARAM_5QI = 1 }; /* Table 9.11.4.12.1 */

int sim_sm_build_mod_request(const sim_sess *s, uint8_t fiveqi, g5_wbuf *out)
{
    static const uint8_t gsm_cap[1] = {0x00}; /* 9.11.4.1: no optional capabilities */
    nas_msg m;
    nas_arena a;
    nas_arena_init(&a);
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_MODIFICATION_REQUEST);
    if (rc)
        return rc;
    m.psi = s->psi;
    m.pti = s->pti;
    struct nas_pdu_session_modification_request *r = &m.pdu_session_modification_request;
    nas_ie_set(&r->ie_5gsm_capability, gsm_cap, 1);
    if (fiveqi) { /* "modify existing QoS flow description" of the default flow */
        nas_qos_flow f = {.qfi = s->qfi ? s->qfi : 1, .op = 3, .e_bit = true, .n_param = 1};
        f.param[0] = (nas_qos_flow_param){.id = PARAM_5QI, .len = 1, .v = &fiveqi};
        size_t mark = a.w.len;
        rc = nas_qos_flow_encode(&f, &a.w);
        if (!rc)
            rc = nas_arena_ie(&a, mark, &r->requested_qos_flow_descriptions);
    }
    return rc ? rc : nas_encode(&m, out);
}

static int reply(uint8_t psi, uint8_t type, uint8_t pti, uint8_t cause, g5_wbuf *out)
{
    uint8_t b[16];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    nas_msg m;
    int rc = nas_msg_init(&m, type);
    if (rc)
        return rc;
    m.psi = psi;
    m.pti = pti;
    if (cause)
        nas_ie_set(&m.pdu_session_modification_command_reject.ie_5gsm_cause, &cause, 1);
    rc = nas_encode(&m, &w);
    return rc ? rc : sim_sm_build_ul_transport(psi, 0, NULL, NULL, w.p, w.len, out);
}

/* The authorized QoS flow descriptions: 0 and the new 5QI of the default flow (0 = none),
 * or the COMMAND REJECT cause. */
static uint8_t check_flows(const sim_sess *s, const nas_ie *ie, uint8_t *fiveqi)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    while (!g5_rbuf_empty(&r)) {
        nas_qos_flow f;
        if (nas_qos_flow_next(&r, &f))
            return CAUSE_QOS_OP_SYNTAX;
        if (f.qfi == s->qfi && f.op == FLOW_DELETE)
            return CAUSE_QOS_OP_SEMANTIC; /* the default flow cannot go (6.3.2.4) */
        for (uint8_t i = 0; f.qfi == s->qfi && i < f.n_param; i++)
            if (f.param[i].id == PARAM_5QI && f.param[i].len == 1)
                *fiveqi = f.param[i].v[0];
    }
    return 0;
}

/* 6.3.2.3 / 6.3.2.4 */
static int on_command(sim_up *u, sim_sess *s, const nas_msg *m, g5_wbuf *out)
{
    const struct nas_pdu_session_modification_command *c = &m->pdu_session_modification_command;
    nas_session_ambr ambr;
    uint8_t cause = 0, fiveqi = 0;
    bool has_ambr = c->session_ambr.present;
    if (has_ambr && nas_session_ambr_decode(&c->session_ambr, &ambr))
        cause = CAUSE_QOS_OP_SYNTAX;
    if (!cause && c->authorized_qos_flow_descriptions.present)
        cause = check_flows(s, &c->authorized_qos_flow_descriptions, &fiveqi);
    if (cause) {
        u->st.mod_cmd_rejected++;
        G5_LOGI("PSI %u: MODIFICATION COMMAND rejected, 5GSM cause #%u", s->psi, cause);
        return reply(s->psi, NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT, m->pti, cause, out);
    }
    if (has_ambr) {
        s->ambr_ul_bps = nas_ambr_bps(ambr.ul_unit, ambr.ul);
        s->ambr_dl_bps = nas_ambr_bps(ambr.dl_unit, ambr.dl);
    }
    if (fiveqi)
        s->fiveqi = fiveqi;
    if (s->mod_pending && m->pti == s->pti)
        u->st.mod_ok++; /* the answer to our request (6.4.2.3) */
    /* 6.3.2.3: a network-requested command (PTI 0) during our request: ours is aborted
     * (6.4.2.5 collision); the command's values apply either way */
    s->mod_pending = false;
    u->st.mod_cmd_ok++;
    return reply(s->psi, NAS_PDU_SESSION_MODIFICATION_COMPLETE, m->pti, 0, out);
}

int sim_sm_on_mod(sim_up *u, sim_sess *s, const nas_msg *m, g5_wbuf *out)
{
    if (m->type == NAS_PDU_SESSION_MODIFICATION_COMMAND) {
        if (s->state != SIM_SESS_ACTIVE) /* 6.3.2.4: #43 invalid PDU session identity */
            return reply(s->psi, NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT, m->pti, 43, out);
        return on_command(u, s, m, out);
    }
    /* MODIFICATION REJECT (6.4.2.4): the request ends, the session is unchanged */
    if (s->mod_pending && m->pti == s->pti) {
        s->mod_pending = false;
        u->st.mod_reject++;
        const nas_ie *ie = &m->pdu_session_modification_reject.ie_5gsm_cause;
        s->last_cause = ie->present && ie->len == 1 ? ie->v[0] : 0;
    }
    return 0;
}
