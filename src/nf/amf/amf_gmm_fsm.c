/* The 5GMM state machine of the AMF as data (src/core/fsm.h): which uplink 5GMM messages
 * each state accepts and where it may go. An event a state does not list is refused by
 * the framework and answered with 5GMM STATUS #98 "message type not compatible with the
 * protocol state" (TS 24.501 §7.4) by amf_nas.c. The per-message handlers are in
 * amf_nas.c (amf_gmm_handle); docs/amf.md has the table in prose. */
#define G5_LOG_MODULE "amf"
#include "nf/amf/amf_int.h"

#define E(x) (1ull << (x))

/* Messages every state takes: a new Registration Request restarts the procedure
 * (TS 24.501 §5.5.1.2.8 c/d), deregistration and 5GMM STATUS are always possible. */
#define ALWAYS (E(EV_REG_REQ) | E(EV_DEREG_REQ) | E(EV_STATUS))
#define ANY_STATE ((1ull << GMM_NUM_STATES) - 1)

static void action(g5_fsm_inst *fi, uint32_t event, void *data)
{
    amf_gmm_handle(fi->priv, event, data);
}

static const g5_fsm_state states[GMM_NUM_STATES] = {
    [GMM_DEREGISTERED] = {"DEREGISTERED", ALWAYS | E(EV_SERVICE_REQ), ANY_STATE, action, 0, 0},
    [GMM_AUTHENTICATING] = {"AUTHENTICATING", ALWAYS | E(EV_AUTH_RESP) | E(EV_AUTH_FAIL), ANY_STATE,
                            action, 0, 0},
    [GMM_IDENTIFYING] = {"IDENTIFYING", ALWAYS | E(EV_ID_RESP), ANY_STATE, action, 0, 0},
    [GMM_SECURITY_MODE] = {"SECURITY_MODE", ALWAYS | E(EV_SMC_COMPLETE) | E(EV_SMC_REJECT),
                           ANY_STATE, action, 0, 0},
    [GMM_REGISTERING] = {"REGISTERING", ALWAYS | E(EV_REG_COMPLETE), ANY_STATE, action, 0, 0},
    [GMM_REGISTERED] = {"REGISTERED", ALWAYS | E(EV_SERVICE_REQ) | E(EV_UL_NAS_TRANSPORT),
                        ANY_STATE, action, 0, 0},
    [GMM_DEREG_INITIATED] = {"DEREG_INITIATED", ALWAYS | E(EV_DEREG_ACCEPT), ANY_STATE, action, 0,
                             0},
};

static const char *const events[EV_NUM_EVENTS] = {
    [EV_REG_REQ] = "REGISTRATION_REQUEST",
    [EV_AUTH_RESP] = "AUTHENTICATION_RESPONSE",
    [EV_AUTH_FAIL] = "AUTHENTICATION_FAILURE",
    [EV_ID_RESP] = "IDENTITY_RESPONSE",
    [EV_SMC_COMPLETE] = "SECURITY_MODE_COMPLETE",
    [EV_SMC_REJECT] = "SECURITY_MODE_REJECT",
    [EV_REG_COMPLETE] = "REGISTRATION_COMPLETE",
    [EV_DEREG_REQ] = "DEREGISTRATION_REQUEST",
    [EV_DEREG_ACCEPT] = "DEREGISTRATION_ACCEPT",
    [EV_SERVICE_REQ] = "SERVICE_REQUEST",
    [EV_STATUS] = "5GMM_STATUS",
    [EV_UL_NAS_TRANSPORT] = "UL_NAS_TRANSPORT",
};

const g5_fsm amf_gmm_fsm = {
    .name = "5gmm",
    .states = states,
    .num_states = GMM_NUM_STATES,
    .event_names = events,
    .num_events = EV_NUM_EVENTS,
    .timer_cb = amf_timer_expired,
    .log_module = "amf",
};

/* State change with the procedure timer (0 = none); resets the retransmission count. */
void amf_gmm_set(amf_ue *ue, enum amf_gmm_state s, int timer_id)
{
    ue->retx = 0;
    g5_fsm_state_chg(ue->fi, s, timer_id ? amf_timer_ms(ue->amf, timer_id) : 0, timer_id);
}
