/* PDU sessions in the AMF: the 5GSM relay between the UE (UL/DL NAS TRANSPORT, TS 24.501
 * §5.4.5) and the SMF (Nsmf_PDUSession, src/nf/smf/smf.h), and the N2 side of each session
 * (TS 23.502 §4.3.2.2.1 establishment, §4.3.4 release, §4.2.6 AN release, §4.2.3.2
 * Service Request). The AMF keeps, per PDU session ID, the SM context reference and
 * whether the gNB holds the session's user plane; every Nsmf call in flight is an
 * amf_smf_op on the UE, cancelled when the UE context goes, so no callback ever reaches
 * a freed UE. docs/amf.md "PDU sessions" describes the flows. */
#define G5_LOG_MODULE "amf"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nf/amf/amf_int.h"

enum op_kind { OPK_CREATE, OPK_N1, OPK_SETUP_RSP, OPK_ACTIVATE, OPK_QUIET };

/* 5GMM causes of TS 24.501 §9.11.3.2 used by the NAS transport procedure (§5.4.5.2.5) */
enum {
    CAUSE_INVALID_MANDATORY = 96,
    CAUSE_PAYLOAD_NOT_FORWARDED = 90,
    CAUSE_PROTOCOL_ERROR = 111,
};

/* Request type (TS 24.501 §9.11.3.47) */
enum { REQ_INITIAL = 1, REQ_EXISTING = 2, REQ_INITIAL_EMERGENCY = 3 };

#define PCT_N1_SM 1 /* payload container type "N1 SM information" (§9.11.3.40) */

/* ---- ops in flight ---- */

static amf_smf_op *op_new(amf_ue *ue, uint8_t psi, uint8_t kind)
{
    amf_smf_op *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->ue = ue;
    op->psi = psi;
    op->kind = kind;
    op->next = ue->smf_ops;
    ue->smf_ops = op;
    return op;
}

static void op_drop(amf_smf_op *op)
{
    for (amf_smf_op **pp = &op->ue->smf_ops; *pp; pp = &(*pp)->next)
        if (*pp == op) {
            *pp = op->next;
            break;
        }
    free(op);
}

static void on_update(void *arg, int rc, const smf_update_rsp *r);

/* smf_update_sm_context with an op; false when it could not start. */
static bool update(amf_ue *ue, uint8_t psi, uint8_t kind, const smf_update_req *q)
{
    amf_smf_op *op = op_new(ue, psi, kind);
    if (!op)
        return false;
    op->id = smf_update_sm_context(ue->amf->smf, q, on_update, op);
    if (!op->id) {
        op_drop(op);
        return false;
    }
    return true;
}

static void quiet_release_cb(void *arg, int rc)
{
    (void)arg;
    if (rc && rc != G5_ERR_NOT_FOUND)
        G5_LOGN("SM context release: %s", g5_strerror(rc));
}

static void sess_clear(amf_sess *x)
{
    free(x->act_n2);
    memset(x, 0, sizeof *x);
}

/* ---- N1 towards the UE ---- */

/* DL NAS TRANSPORT (TS 24.501 §8.2.11) with a 5GSM payload; cause: 5GMM cause or 0. */
static int dl_transport(amf_ue *ue, uint8_t psi, const uint8_t *n1, size_t n1_len, uint8_t cause,
                        uint8_t *out, size_t *out_len)
{
    static const uint8_t pct = PCT_N1_SM;
    nas_msg m;
    nas_msg_init(&m, NAS_DL_NAS_TRANSPORT);
    struct nas_dl_nas_transport *t = &m.dl_nas_transport;
    nas_ie_set_half(&t->payload_container_type, pct);
    nas_ie_set(&t->payload_container, n1, n1_len);
    if (psi)
        nas_ie_set(&t->pdu_session_id, &psi, 1);
    if (cause)
        nas_ie_set(&t->ie_5gmm_cause, &cause, 1);
    return amf_nas_encode_dl(ue, &m, out, out_len);
}

static void send_dl_transport(amf_ue *ue, uint8_t psi, const uint8_t *n1, size_t n1_len,
                              uint8_t cause)
{
    uint8_t buf[AMF_NAS_MAX];
    size_t len = 0;
    if (dl_transport(ue, psi, n1, n1_len, cause, buf, &len)) {
        G5_LOGE("ue %s: cannot encode DL NAS TRANSPORT", ue->supi);
        return;
    }
    amf_ngap_dl_nas(ue, buf, len);
}

/* §5.4.5.2.5: the 5GSM message could not be forwarded; it goes back with a 5GMM cause. */
static void not_forwarded(amf_ue *ue, uint8_t psi, const nas_ie *payload, uint8_t cause)
{
    G5_LOGN("ue %s PSI %u: 5GSM message not forwarded, 5GMM cause #%u", ue->supi, psi, cause);
    if (payload->len > AMF_NAS_MAX - 32) {
        amf_send_status(ue, cause);
        return;
    }
    send_dl_transport(ue, psi, payload->v, payload->len, cause);
}

/* N1 (and with it the N2 release command) the SMF wants sent for a session. */
static void relay_release(amf_ue *ue, uint8_t psi, const uint8_t *n1, size_t n1_len,
                          const uint8_t *n2, size_t n2_len)
{
    uint8_t buf[AMF_NAS_MAX];
    size_t len = 0;
    amf_sess *x = &ue->sess[psi];
    if (!n1_len)
        return;
    if (dl_transport(ue, psi, n1, n1_len, 0, buf, &len))
        return;
    if (n2_len && x->up_active && ue->gnb &&
        amf_ngap_pdu_release(ue, psi, buf, len, n2, n2_len) == 0) {
        x->up_active = false;
        return;
    }
    amf_ngap_dl_nas(ue, buf, len);
}

/* ---- callbacks ---- */

static void on_create(void *arg, int rc, const smf_create_rsp *r)
{
    amf_smf_op *op = arg;
    amf_ue *ue = op->ue;
    uint8_t psi = op->psi;
    amf_sess *x = &ue->sess[psi];
    op_drop(op);
    x->creating = false;
    if (rc || !r) {
        G5_LOGW("ue %s PSI %u: CreateSMContext failed: %s", ue->supi, psi, g5_strerror(rc));
        return;
    }
    if (!r->accepted) { /* ESTABLISHMENT REJECT in a plain DL NAS TRANSPORT */
        send_dl_transport(ue, psi, r->n1, r->n1_len, 0);
        return;
    }
    x->ref = r->sm_context_ref;
    x->snssai = r->snssai;
    uint8_t buf[AMF_NAS_MAX];
    size_t len = 0;
    if (!ue->gnb) { /* the UE left meanwhile: keep the session, user plane deactivated */
        smf_update_req q = {.sm_context_ref = x->ref, .up_cnx_state = SMF_UP_DEACTIVATED};
        update(ue, psi, OPK_QUIET, &q);
        return;
    }
    if (dl_transport(ue, psi, r->n1, r->n1_len, 0, buf, &len) ||
        amf_ngap_pdu_setup(ue, psi, &x->snssai, buf, len, r->n2, r->n2_len))
        G5_LOGE("ue %s PSI %u: cannot send PDU Session Resource Setup Request", ue->supi, psi);
}

static void on_update(void *arg, int rc, const smf_update_rsp *r)
{
    amf_smf_op *op = arg;
    amf_ue *ue = op->ue;
    uint8_t psi = op->psi, kind = op->kind;
    amf_sess *x = &ue->sess[psi];
    op_drop(op);
    if (rc == G5_ERR_NOT_FOUND) { /* the SMF has no such context any more */
        sess_clear(x);
    } else if (rc || !r) {
        G5_LOGN("ue %s PSI %u: UpdateSMContext: %s", ue->supi, psi, g5_strerror(rc));
    } else if (kind == OPK_N1 && r->n2_modify) {
        amf_sm_relay_modify(ue, psi, r->n1, r->n1_len, r->n2, r->n2_len);
    } else if (kind == OPK_N1) {
        relay_release(ue, psi, r->n1, r->n1_len, r->n2, r->n2_len);
    } else if (kind == OPK_SETUP_RSP) {
        /* the UE may have gone CM-IDLE while the SMF handled the response (AN release
         * right after the setup): then its user plane is deactivated, not active */
        x->up_active = !r->released && ue->gnb;
    } else if (kind == OPK_ACTIVATE && r->n2_len) {
        free(x->act_n2);
        x->act_n2 = malloc(r->n2_len);
        if (x->act_n2) {
            memcpy(x->act_n2, r->n2, r->n2_len);
            x->act_n2_len = r->n2_len;
        }
    }
    if (r && r->released)
        sess_clear(x);
    if (kind == OPK_ACTIVATE) {
        if (!x->act_n2)
            ue->sr_failed |= (uint16_t)(1u << psi);
        if (ue->sr_waiting && --ue->sr_waiting == 0)
            amf_service_accept(ue);
    }
}

/* ---- UL NAS TRANSPORT (TS 24.501 §5.4.5.2.2) ---- */

/* DNN IE (§9.11.2.1B): APN labels (TS 23.003 §9.1) -> dotted text. */
static int dnn_text(const nas_ie *ie, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < ie->len;) {
        size_t l = ie->v[i++];
        if (!l || l > ie->len - i || o + l + 1 >= cap)
            return G5_ERR_INVALID;
        if (o)
            out[o++] = '.';
        memcpy(out + o, ie->v + i, l);
        o += l;
        i += l;
    }
    out[o] = 0;
    return o ? 0 : G5_ERR_INVALID;
}

/* S-NSSAI IE (§9.11.2.8): SST [, mapped SST] / SST, SD [, mapped ...]. */
static int snssai_of(const nas_ie *ie, g5_snssai *out)
{
    if (ie->len != 1 && ie->len != 2 && ie->len != 4 && ie->len != 5 && ie->len != 8)
        return G5_ERR_INVALID;
    out->sst = ie->v[0];
    out->sd =
        ie->len >= 4 ? (uint32_t)ie->v[1] << 16 | (uint32_t)ie->v[2] << 8 | ie->v[3] : 0xFFFFFF;
    return 0;
}

static bool slice_allowed(const amf_ue *ue, const g5_snssai *s)
{
    for (int i = 0; i < ue->n_allowed; i++)
        if (ue->allowed[i].sst == s->sst && ue->allowed[i].sd == s->sd)
            return true;
    return false;
}

/* TS 23.502 §4.3.2.2.1 steps 2-3: S-NSSAI and DNN, then Nsmf_PDUSession_CreateSMContext. */
static void create(amf_ue *ue, uint8_t psi, const struct nas_ul_nas_transport *t)
{
    smf_create_req q;
    memset(&q, 0, sizeof q);
    q.psi = psi;
    q.an_type = SMF_AN_3GPP;
    snprintf(q.supi, sizeof q.supi, "%s", ue->supi);
    snprintf(q.serving_plmn.mcc, sizeof q.serving_plmn.mcc, "%s", ue->amf->cfg->plmn.mcc);
    snprintf(q.serving_plmn.mnc, sizeof q.serving_plmn.mnc, "%s", ue->amf->cfg->plmn.mnc);
    if (t->s_nssai.present) {
        if (snssai_of(&t->s_nssai, &q.snssai) || !slice_allowed(ue, &q.snssai))
            return not_forwarded(ue, psi, &t->payload_container, CAUSE_PAYLOAD_NOT_FORWARDED);
    } else if (ue->n_allowed) { /* the default: the first allowed S-NSSAI */
        q.snssai = ue->allowed[0];
    } else {
        return not_forwarded(ue, psi, &t->payload_container, CAUSE_PAYLOAD_NOT_FORWARDED);
    }
    if (t->dnn.present && dnn_text(&t->dnn, q.dnn, sizeof q.dnn))
        return not_forwarded(ue, psi, &t->payload_container, CAUSE_PAYLOAD_NOT_FORWARDED);
    q.n1 = t->payload_container.v;
    q.n1_len = t->payload_container.len;
    amf_sess *x = &ue->sess[psi];
    if (x->ref) {
        /* a new establishment for this PSI replaces the session (TS 24.501 §6.4.1.2: the
         * existing one is released), so its SM context is released here. Only forgetting
         * the reference left the old context, its UE address and UPF session in the SMF
         * for good whenever the SMF rejected the new request (found by fuzz_amf). */
        smf_release_sm_context(ue->amf->smf, x->ref, quiet_release_cb, NULL);
        sess_clear(x);
    }
    amf_smf_op *op = op_new(ue, psi, OPK_CREATE);
    if (op)
        op->id = smf_create_sm_context(ue->amf->smf, &q, on_create, op);
    if (!op || !op->id) {
        if (op)
            op_drop(op);
        return not_forwarded(ue, psi, &t->payload_container, CAUSE_PAYLOAD_NOT_FORWARDED);
    }
    x->creating = true;
    x->snssai = q.snssai;
    G5_LOGI("ue %s PSI %u: PDU session establishment to the SMF (DNN %s)", ue->supi, psi,
            q.dnn[0] ? q.dnn : "(default)");
}

void amf_sm_ul_nas_transport(amf_ue *ue, const nas_msg *m)
{
    const struct nas_ul_nas_transport *t = &m->ul_nas_transport;
    if ((t->payload_container_type.half & 0x0f) != PCT_N1_SM) {
        G5_LOGN("ue %s: UL NAS TRANSPORT payload type %u not supported", ue->supi,
                t->payload_container_type.half & 0x0f);
        return amf_send_status(ue, CAUSE_PROTOCOL_ERROR);
    }
    if (!t->pdu_session_id.present || t->pdu_session_id.len != 1) /* conditional IE, §8.2.10 */
        return amf_send_status(ue, CAUSE_INVALID_MANDATORY);
    uint8_t psi = t->pdu_session_id.v[0];
    const nas_ie *pl = &t->payload_container;
    if (psi < 1 || psi >= AMF_MAX_PSI || !ue->amf->smf)
        return not_forwarded(ue, psi, pl, CAUSE_PAYLOAD_NOT_FORWARDED);
    uint8_t rt = t->request_type.present ? (t->request_type.half & 0x7) : 0;
    amf_sess *x = &ue->sess[psi];
    if (rt == REQ_INITIAL)
        return create(ue, psi, t);
    if (rt == REQ_INITIAL_EMERGENCY || rt > REQ_EXISTING + 3) /* emergency / MA: not served */
        return not_forwarded(ue, psi, pl, CAUSE_PAYLOAD_NOT_FORWARDED);
    if (!x->ref) {
        /* no routing context: a RELEASE COMPLETE / 5GSM STATUS after a network release is
         * expected (the context is gone) and dropped; anything else goes back (§5.4.5.2.5) */
        if (pl->len >= 4 && pl->v[0] == NAS_EPD_5GSM &&
            (pl->v[3] == NAS_PDU_SESSION_RELEASE_COMPLETE || pl->v[3] == NAS_STATUS_5GSM))
            return;
        if (!x->creating)
            not_forwarded(ue, psi, pl, CAUSE_PAYLOAD_NOT_FORWARDED);
        return;
    }
    smf_update_req q = {.sm_context_ref = x->ref, .n1 = pl->v, .n1_len = pl->len};
    if (!update(ue, psi, OPK_N1, &q))
        not_forwarded(ue, psi, pl, CAUSE_PAYLOAD_NOT_FORWARDED);
}

/* ---- N2 results from the gNB ---- */

void amf_sm_setup_result(amf_ue *ue, uint8_t psi, bool ok, const uint8_t *tr, size_t n)
{
    if (psi < 1 || psi >= AMF_MAX_PSI || !ue->sess[psi].ref || !ue->amf->smf) {
        G5_LOGN("ue %s: setup result for unknown PSI %u", ue->supi, psi);
        return;
    }
    smf_update_req q = {.sm_context_ref = ue->sess[psi].ref,
                        .n2_type = ok ? SMF_N2_SETUP_RSP : SMF_N2_SETUP_FAIL,
                        .n2 = tr,
                        .n2_len = n};
    if (!ok)
        G5_LOGN("ue %s PSI %u: the gNB could not set the session up", ue->supi, psi);
    update(ue, psi, OPK_SETUP_RSP, &q);
}

void amf_sm_release_result(amf_ue *ue, uint8_t psi, const uint8_t *tr, size_t n)
{
    if (psi < 1 || psi >= AMF_MAX_PSI)
        return;
    amf_sess *x = &ue->sess[psi];
    x->up_active = false;
    if (!x->ref || !ue->amf->smf)
        return;
    smf_update_req q = {.sm_context_ref = x->ref, .n2_type = SMF_N2_REL_RSP, .n2 = tr, .n2_len = n};
    update(ue, psi, OPK_QUIET, &q);
}

/* ---- session lifetime tied to the UE's ---- */

void amf_sm_an_release(amf_ue *ue)
{
    for (uint8_t psi = 1; psi < AMF_MAX_PSI && ue->amf->smf; psi++) {
        amf_sess *x = &ue->sess[psi];
        free(x->act_n2);
        x->act_n2 = NULL;
        if (!x->ref)
            continue;
        x->up_active = false; /* TS 23.502 §4.2.6 step 5: upCnxState DEACTIVATED */
        smf_update_req q = {.sm_context_ref = x->ref, .up_cnx_state = SMF_UP_DEACTIVATED};
        update(ue, psi, OPK_QUIET, &q);
    }
    ue->sr_waiting = 0;
}

void amf_sm_free(amf_ue *ue)
{
    while (ue->smf_ops) {
        amf_smf_op *op = ue->smf_ops;
        smf_cancel(ue->amf->smf, op->id);
        op_drop(op);
    }
}

static void release_one(amf_ue *ue, uint8_t psi)
{
    amf_sess *x = &ue->sess[psi];
    if (x->ref && ue->amf->smf)
        smf_release_sm_context(ue->amf->smf, x->ref, quiet_release_cb, NULL);
    sess_clear(x);
}

void amf_sm_release_all(amf_ue *ue)
{
    if (ue->amf->smf) /* the SMF finishes what was in flight (a create is deleted at the UPF) */
        amf_sm_free(ue);
    for (uint8_t psi = 1; psi < AMF_MAX_PSI; psi++)
        release_one(ue, psi);
}

uint16_t amf_sm_status(const amf_ue *ue)
{
    uint16_t st = 0;
    for (uint8_t psi = 1; psi < AMF_MAX_PSI; psi++)
        if (ue->sess[psi].ref)
            st |= (uint16_t)(1u << psi);
    return st;
}

void amf_sm_sync_status(amf_ue *ue, uint16_t ue_status)
{
    for (uint8_t psi = 1; psi < AMF_MAX_PSI; psi++)
        if (ue->sess[psi].ref && !(ue_status & (1u << psi))) {
            G5_LOGI("ue %s PSI %u: inactive in the UE, released locally", ue->supi, psi);
            release_one(ue, psi);
        }
}

/* TS 23.502 §4.2.3.2 step 4: UpdateSMContext (upCnxState ACTIVATING) for each session the
 * UE has uplink data for; the accept goes once all are answered. */
bool amf_sm_reactivate(amf_ue *ue, uint16_t uplink_status)
{
    ue->sr_waiting = 0;
    ue->sr_failed = 0;
    for (uint8_t psi = 1; psi < AMF_MAX_PSI && ue->amf->smf; psi++) {
        amf_sess *x = &ue->sess[psi];
        if (!(uplink_status & (1u << psi)) || !x->ref || x->up_active)
            continue;
        smf_update_req q = {.sm_context_ref = x->ref, .up_cnx_state = SMF_UP_ACTIVATING};
        if (update(ue, psi, OPK_ACTIVATE, &q))
            ue->sr_waiting++;
        else
            ue->sr_failed |= (uint16_t)(1u << psi);
    }
    return ue->sr_waiting > 0;
}

void amf_sm_send_pending_setups(amf_ue *ue)
{
    for (uint8_t psi = 1; psi < AMF_MAX_PSI; psi++) {
        amf_sess *x = &ue->sess[psi];
        if (!x->act_n2)
            continue;
        if (amf_ngap_pdu_setup(ue, psi, &x->snssai, NULL, 0, x->act_n2, x->act_n2_len))
            G5_LOGE("ue %s PSI %u: cannot send PDU Session Resource Setup Request", ue->supi, psi);
        free(x->act_n2);
        x->act_n2 = NULL;
        x->act_n2_len = 0;
    }
}

/* Namf_Communication_N1N2MessageTransfer from the SMF: network-requested release
 * (TS 23.502 §4.3.4.2; the SM context is already gone) or user-plane activation for
 * downlink data (§4.2.3.3, amf_paging.c). */
void amf_smf_n1n2(void *arg, const smf_n1n2_msg *m)
{
    amf *a = arg;
    amf_ue *ue = g5_hmap_get(&a->ue_by_supi, g5_sbi_supi_key(m->supi));
    if (!ue || m->psi < 1 || m->psi >= AMF_MAX_PSI || ue->sess[m->psi].ref != m->sm_context_ref)
        return;
    if (m->kind == SMF_N1N2_MODIFY)
        return amf_sm_n1n2_modify(ue, m);
    if (m->kind == SMF_N1N2_ACTIVATE) /* downlink data while deactivated (amf_paging.c) */
        return amf_paging_n1n2(ue, m);
    G5_LOGI("ue %s PSI %u: network-requested release", ue->supi, m->psi);
    if (ue->gnb) /* CM-IDLE: no paging for a release (status IE) */
        relay_release(ue, m->psi, m->n1, m->n1_len, m->n2, m->n2_len);
    sess_clear(&ue->sess[m->psi]);
}

void amf_set_smf(amf *a, smf *s)
{
    a->smf = s;
}
