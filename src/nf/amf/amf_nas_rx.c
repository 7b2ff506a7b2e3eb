/* Uplink NAS entry of the AMF: finds the UE of an Initial UE Message by its 5G-GUTI /
 * 5G-S-TMSI, checks NAS security before any 5GMM handler runs (TS 24.501 §4.4.3-4.4.4,
 * TS 33.501 §6.4) and feeds the 5GMM FSM:
 *   - a protected message is verified with the estimated uplink COUNT; a replay (the SQN
 *     of the last accepted message) or a bad MAC is dropped and counted (TS 33.512
 *     4.2.2.1.4, 4.2.2.3.x), except an initial Registration / Service Request, which is
 *     then handled as unverified (authentication follows / Service Reject);
 *   - a plain message is accepted only when no context is in use on the connection or it
 *     is one of the messages of TS 24.501 §4.4.4.3;
 *   - an undecodable message gets 5GMM STATUS with the decoder's cause, a message not
 *     allowed in the state 5GMM STATUS #98, an unknown or unimplemented type #97. */
#define G5_LOG_MODULE "amf"
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "nf/amf/amf_int.h"

static int event_of(uint8_t type)
{
    switch (type) {
    case NAS_REGISTRATION_REQUEST: return EV_REG_REQ;
    case NAS_AUTHENTICATION_RESPONSE: return EV_AUTH_RESP;
    case NAS_AUTHENTICATION_FAILURE: return EV_AUTH_FAIL;
    case NAS_IDENTITY_RESPONSE: return EV_ID_RESP;
    case NAS_SECURITY_MODE_COMPLETE: return EV_SMC_COMPLETE;
    case NAS_SECURITY_MODE_REJECT: return EV_SMC_REJECT;
    case NAS_REGISTRATION_COMPLETE: return EV_REG_COMPLETE;
    case NAS_DEREGISTRATION_REQUEST_UE_ORIG: return EV_DEREG_REQ;
    case NAS_DEREGISTRATION_ACCEPT_UE_TERM: return EV_DEREG_ACCEPT;
    case NAS_SERVICE_REQUEST: return EV_SERVICE_REQ;
    case NAS_STATUS_5GMM: return EV_STATUS;
    case NAS_UL_NAS_TRANSPORT: return EV_UL_NAS_TRANSPORT;
    default: return -1;
    }
}

/* TS 24.501 §4.4.4.3: the messages the AMF processes without integrity protection. */
static bool unprotected_ok(uint8_t type)
{
    switch (type) {
    case NAS_REGISTRATION_REQUEST:
    case NAS_IDENTITY_RESPONSE:
    case NAS_AUTHENTICATION_RESPONSE:
    case NAS_AUTHENTICATION_FAILURE:
    case NAS_SECURITY_MODE_REJECT:
    case NAS_DEREGISTRATION_REQUEST_UE_ORIG:
    case NAS_DEREGISTRATION_ACCEPT_UE_TERM:
    case NAS_SERVICE_REQUEST: return true;
    default: return false;
    }
}

static bool initial_type(uint8_t type)
{
    return type == NAS_REGISTRATION_REQUEST || type == NAS_SERVICE_REQUEST ||
           type == NAS_DEREGISTRATION_REQUEST_UE_ORIG;
}

/* The plain 5GMM message inside a message that is not ciphered (sht 1/3), or NULL. */
static const uint8_t *clear_inner(const uint8_t *p, size_t n, size_t *len)
{
    uint8_t sht = p[1] & 0x0f;
    if (n < 9 || (sht != NAS_SHT_INTEGRITY && sht != NAS_SHT_INTEGRITY_NEW_CTX))
        return NULL;
    *len = n - 7;
    return p + 7;
}

typedef struct rx_msg {
    uint8_t plain[AMF_NAS_MAX];
    const uint8_t *p;
    size_t n;
} rx_msg;

/* Verifies / deciphers; fills out->p/n. Returns 0, or 1 to drop the message. */
static int unprotect(amf_ue *ue, const uint8_t *p, size_t n, bool initial, rx_msg *out)
{
    amf *a = ue->amf;
    uint8_t sht = p[1] & 0x0f;
    ue->rx_integrity_ok = false;
    if (sht == NAS_SHT_PLAIN) {
        out->p = p;
        out->n = n;
        return 0;
    }
    if (sht > NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX || n < 8)
        return 1;
    if (ue->sec_valid) {
        if (nas_sec_is_replay(&ue->sec, NAS_DIR_UL, p[6])) {
            a->st.nas_replay++;
            G5_LOGN("ue %s: replayed NAS message (SQN %u) dropped", ue->supi, p[6]);
            return 1;
        }
        uint32_t count = nas_count_estimate(ue->sec.ul_count, p[6]);
        if (nas_sec_unprotect(&ue->sec, NAS_DIR_UL, p, n, out->plain, sizeof out->plain, &out->n) ==
            0) {
            out->p = out->plain;
            ue->rx_count = count;
            ue->rx_integrity_ok = true;
            return 0;
        }
        a->st.nas_mac_fail++;
        G5_LOGN("ue %s: NAS MAC failure (COUNT %u)", ue->supi, count);
    }
    /* no context, or a MAC failure: only an initial message goes on, unverified */
    const uint8_t *in = clear_inner(p, n, &out->n);
    if (!initial || !in || in[0] != NAS_EPD_5GMM || out->n < 3 || !initial_type(in[2]))
        return 1;
    out->p = in;
    return 0;
}

void amf_nas_rx(amf_ue *ue, const uint8_t *p, size_t n, bool initial)
{
    rx_msg rx;
    nas_msg m;
    uint8_t cause = 0;
    if (n < 3 || p[0] != NAS_EPD_5GMM) { /* 5GSM needs an UL NAS Transport around it */
        amf_send_status(ue, NAS_CAUSE_MSG_TYPE_NON_EXISTENT);
        return;
    }
    if (unprotect(ue, p, n, initial, &rx))
        return;
    if (nas_decode(rx.p, rx.n, &m, &cause)) {
        amf_send_status(ue, cause ? cause : NAS_CAUSE_PROTOCOL_ERROR);
        return;
    }
    if (m.sht != NAS_SHT_PLAIN || m.epd != NAS_EPD_5GMM) /* nested protection */
        return;
    if (!ue->rx_integrity_ok && ue->sec_active && !unprotected_ok(m.type)) {
        ue->amf->st.nas_unprotected_dropped++;
        G5_LOGN("ue %s: unprotected NAS message 0x%02x dropped", ue->supi, m.type);
        return;
    }
    int ev = event_of(m.type);
    if (ev < 0) {
        amf_send_status(ue, NAS_CAUSE_MSG_TYPE_NON_EXISTENT);
        return;
    }
    if (g5_fsm_dispatch(ue->fi, (uint32_t)ev, &m) == G5_ERR_STATE)
        amf_send_status(ue, 98); /* message type not compatible with the protocol state */
}

/* The 5G-TMSI in the (readable) first NAS message: GUTI of a Registration / Deregistration
 * Request or the 5G-S-TMSI of a Service Request. */
static bool initial_tmsi(const amf *a, const uint8_t *p, size_t n, uint32_t *tmsi)
{
    size_t len = n;
    const uint8_t *msg = p;
    nas_msg m;
    uint8_t cause;
    nas_mobile_identity mi;
    if (n >= 2 && (p[1] & 0x0f) != NAS_SHT_PLAIN && !(msg = clear_inner(p, n, &len)))
        return false;
    if (nas_decode(msg, len, &m, &cause) || m.sht != NAS_SHT_PLAIN)
        return false;
    const nas_ie *ie = m.type == NAS_REGISTRATION_REQUEST
                           ? &m.registration_request.ie_5gs_mobile_identity
                       : m.type == NAS_SERVICE_REQUEST ? &m.service_request.ie_5g_s_tmsi
                       : m.type == NAS_DEREGISTRATION_REQUEST_UE_ORIG
                           ? &m.deregistration_request_ue_orig.ie_5gs_mobile_identity
                           : NULL;
    if (!ie || nas_mobile_identity_decode(ie, &mi))
        return false;
    if (mi.type != NAS_MI_GUTI && mi.type != NAS_MI_S_TMSI)
        return false;
    if (mi.amf_set_id != a->cfg->amf.set_id || mi.amf_pointer != a->cfg->amf.pointer)
        return false;
    *tmsi = mi.tmsi;
    return true;
}

/* TS 38.413 §8.6.1 Initial UE Message: a new N2 connection for a UE. */
void amf_initial_ue(amf_gnb *g, int64_t ran_ue_id, const uint8_t *nas, size_t n,
                    const uint8_t tai_plmn[3], uint32_t tac)
{
    uint32_t tmsi;
    amf_ue *ue = NULL;
    if (n >= 3 && nas[0] == NAS_EPD_5GMM && initial_tmsi(g->amf, nas, n, &tmsi))
        ue = amf_ue_by_tmsi(g->amf, tmsi);
    if (ue && ue->gnb && ue->gnb != g) /* the old connection is stale */
        amf_ngap_release(ue, NGAP_Cause_PR_radioNetwork,
                         NGAP_CauseRadioNetwork_release_due_to_5gc_generated_reason);
    if (!ue && !(ue = amf_ue_new(g->amf))) {
        G5_LOGE("out of memory for a UE context");
        return;
    }
    amf_ue_bind(ue, g, ran_ue_id);
    memcpy(ue->tai_plmn, tai_plmn, 3);
    ue->tai_tac = tac;
    amf_nas_rx(ue, nas, n, true);
}
