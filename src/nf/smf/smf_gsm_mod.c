/* PDU session modification messages and transfers of the SMF (see smf_gsm_mod.h). Every
 * builder goes through the NAS, NGAP or PFCP codec, so what is sent passes the codecs'
 * own checks. */
#include "nf/smf/smf_gsm_mod.h"

#include <stdlib.h>
#include <string.h>

#include "asn1/aper.h"
#include "core/err.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "ngap/gen/ngap_types.h"
#include "nf/smf/smf_gsm.h"
#include "pfcp/pfcp_rules.h"

/* QoS flow description operation codes (§9.11.4.12, Table 9.11.4.12.1) */
enum { FLOW_CREATE = 1, FLOW_DELETE = 2, FLOW_MODIFY = 3 };
/* parameter identifiers of the same table */
enum { PARAM_5QI = 1, PARAM_GFBR_UL = 2, PARAM_GFBR_DL = 3, PARAM_MFBR_UL = 4, PARAM_MFBR_DL = 5 };

bool smf_5qi_non_gbr(uint8_t q)
{
    /* TS 23.501 Table 5.7.4-1, non-GBR rows */
    return (q >= 5 && q <= 9) || q == 69 || q == 70 || q == 79 || q == 80;
}

/* Requested QoS rules (§9.11.4.13): this SMF has only the default rule (QRI 1) of the
 * default flow and no dedicated flows, so a rule that adds packet filters cannot be
 * served and the default rule cannot be deleted. 0 or the 5GSM cause. */
static uint8_t check_rules(const nas_ie *ie)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    while (!g5_rbuf_empty(&r)) {
        nas_qos_rule q;
        if (nas_qos_rule_next(&r, &q))
            return SMF_CAUSE_QOS_OP_SYNTAX; /* §6.4.2.4.1 #84 */
        if (q.op == NAS_QOS_RULE_DELETE && q.qri == 1)
            return SMF_CAUSE_QOS_OP_SEMANTIC; /* #83: deleting the default QoS rule */
        if (q.op == NAS_QOS_RULE_CREATE || q.op == NAS_QOS_RULE_MODIFY_ADD_PF ||
            q.op == NAS_QOS_RULE_MODIFY_REPLACE_PF) {
            if (q.n_pf == 0)
                return SMF_CAUSE_PF_SEMANTIC; /* #44: a non-default rule needs filters */
            return SMF_CAUSE_SERVICE_OPTION_NOT_SUPPORTED; /* no dedicated QoS flows */
        }
        if (q.qri != 1)
            return SMF_CAUSE_QOS_OP_SEMANTIC; /* #83: the rule does not exist */
    }
    return 0;
}

/* Requested QoS flow descriptions (§9.11.4.12): only "modify" of the default flow with a
 * standardized non-GBR 5QI. 0 or the 5GSM cause. */
static uint8_t check_flows(const nas_ie *ie, uint8_t dflt_qfi, smf_mod_req *out)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    while (!g5_rbuf_empty(&r)) {
        nas_qos_flow f;
        if (nas_qos_flow_next(&r, &f))
            return SMF_CAUSE_QOS_OP_SYNTAX; /* #84 */
        if (f.op == FLOW_CREATE)
            return SMF_CAUSE_SERVICE_OPTION_NOT_SUPPORTED; /* no dedicated QoS flows */
        if (f.qfi != dflt_qfi || f.op != FLOW_MODIFY)
            return SMF_CAUSE_QOS_OP_SEMANTIC; /* #83: unknown flow / deleting the default */
        for (uint8_t i = 0; i < f.n_param; i++) {
            const nas_qos_flow_param *p = &f.param[i];
            if (p->id == PARAM_5QI) {
                if (p->len != 1)
                    return SMF_CAUSE_QOS_OP_SYNTAX;
                if (!smf_5qi_non_gbr(p->v[0]))
                    return SMF_CAUSE_UNSUPPORTED_5QI; /* #59 */
                out->has_5qi = true;
                out->fiveqi = p->v[0];
            } else if (p->id >= PARAM_GFBR_UL && p->id <= PARAM_MFBR_DL) {
                return SMF_CAUSE_QOS_OP_SEMANTIC; /* #83: bit rates of a non-GBR flow */
            }
        }
    }
    return 0;
}

int smf_gsm_parse_mod_req(const uint8_t *n1, size_t n, uint8_t dflt_qfi, smf_mod_req *out,
                          uint8_t *cause)
{
    nas_msg m;
    uint8_t c = SMF_CAUSE_PROTOCOL_ERROR;
    memset(out, 0, sizeof *out);
    int rc = nas_decode_ex(n1, n, &m, &c, NAS_DEC_LENIENT);
    if (rc) {
        *cause = c ? c : SMF_CAUSE_PROTOCOL_ERROR; /* a REJECT always names a cause */
        return rc;
    }
    if (m.epd != NAS_EPD_5GSM || m.type != NAS_PDU_SESSION_MODIFICATION_REQUEST) {
        *cause = SMF_CAUSE_MSG_TYPE_NOT_COMPATIBLE;
        return G5_ERR_INVALID;
    }
    const struct nas_pdu_session_modification_request *q = &m.pdu_session_modification_request;
    out->psi = m.psi;
    out->pti = m.pti;
    if (m.pti == 0 || m.pti == 255) { /* §7.3.1: a UE-requested procedure needs a PTI */
        *cause = SMF_CAUSE_INVALID_PTI; /* #81 */
        return G5_ERR_INVALID;
    }
    out->has_5gsm_cap = q->ie_5gsm_capability.present;
    out->always_on_req =
        q->always_on_pdu_session_requested.present && (q->always_on_pdu_session_requested.half & 1);
    if (q->ie_5gsm_cause.present && q->ie_5gsm_cause.len == 1) {
        out->has_cause = true;
        out->cause = q->ie_5gsm_cause.v[0];
    }
    uint8_t bad = 0;
    if (q->requested_qos_rules.present)
        bad = check_rules(&q->requested_qos_rules);
    if (!bad && q->requested_qos_flow_descriptions.present)
        bad = check_flows(&q->requested_qos_flow_descriptions, dflt_qfi, out);
    if (bad) {
        *cause = bad;
        return G5_ERR_UNSUPPORTED;
    }
    return 0;
}

static int put_ambr(nas_arena *ar, uint64_t ul, uint64_t dl, nas_ie *ie)
{
    nas_session_ambr sa;
    smf_ambr_units(dl, &sa.dl_unit, &sa.dl);
    smf_ambr_units(ul, &sa.ul_unit, &sa.ul);
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = nas_session_ambr_encode(&sa, &ar->w);
    return rc ? rc : nas_arena_ie(ar, mark, ie);
}

/* §9.11.4.12: "modify existing QoS flow description" of qfi with its new 5QI. */
static int put_flow_5qi(nas_arena *ar, uint8_t qfi, uint8_t fiveqi, nas_ie *ie)
{
    nas_qos_flow f = {.qfi = qfi, .op = FLOW_MODIFY, .e_bit = true, .n_param = 1};
    f.param[0] = (nas_qos_flow_param){.id = PARAM_5QI, .len = 1, .v = &fiveqi};
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = nas_qos_flow_encode(&f, &ar->w);
    return rc ? rc : nas_arena_ie(ar, mark, ie);
}

int smf_gsm_build_mod_command(const smf_mod_cmd *c, g5_wbuf *w)
{
    nas_msg m;
    nas_arena *ar = malloc(sizeof *ar);
    if (!ar)
        return G5_ERR_NOMEM;
    nas_arena_init(ar);
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_MODIFICATION_COMMAND);
    struct nas_pdu_session_modification_command *k = &m.pdu_session_modification_command;
    m.psi = c->psi;
    m.pti = c->pti;
    if (c->cause)
        nas_ie_set(&k->ie_5gsm_cause, &c->cause, 1);
    if (!rc && c->has_ambr)
        rc = put_ambr(ar, c->ambr_ul, c->ambr_dl, &k->session_ambr);
    if (!rc && c->always_on)
        nas_ie_set_half(&k->always_on_pdu_session_indication, 1); /* §9.11.4.3 APSI */
    if (!rc && c->has_5qi)
        rc = put_flow_5qi(ar, c->qfi, c->fiveqi, &k->authorized_qos_flow_descriptions);
    if (!rc)
        rc = nas_encode(&m, w);
    free(ar);
    return rc;
}

int smf_gsm_build_mod_reject(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *w)
{
    nas_msg m;
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_MODIFICATION_REJECT);
    if (rc)
        return rc;
    m.psi = psi;
    m.pti = pti;
    nas_ie_set(&m.pdu_session_modification_reject.ie_5gsm_cause, &cause, 1);
    return nas_encode(&m, w);
}

int smf_gsm_parse_mod_cmd_reject(const uint8_t *n1, size_t n, uint8_t *cause)
{
    nas_msg m;
    uint8_t c = 0;
    int rc = nas_decode_ex(n1, n, &m, &c, NAS_DEC_LENIENT);
    if (rc)
        return rc;
    if (m.epd != NAS_EPD_5GSM || m.type != NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT)
        return G5_ERR_INVALID;
    const nas_ie *ie = &m.pdu_session_modification_command_reject.ie_5gsm_cause;
    if (!ie->present || ie->len != 1)
        return G5_ERR_MISSING;
    *cause = ie->v[0];
    return 0;
}

/* ---- N2 ---- */

typedef NGAP_ProtocolIE_Field_PDUSessionResourceModifyRequestTransferIEs_t mod_ie;

static int fill_flow(NGAP_QosFlowAddOrModifyRequestList_t *l, const smf_n2_mod *m)
{
    l->list = calloc(1, sizeof *l->list);
    if (!l->list)
        return G5_ERR_NOMEM;
    l->count = 1;
    NGAP_QosFlowAddOrModifyRequestItem_t *it = &l->list[0];
    it->qosFlowIdentifier = m->qfi;
    NGAP_QosFlowLevelQosParameters_t *q = calloc(1, sizeof *q);
    if (!q)
        return G5_ERR_NOMEM;
    it->qosFlowLevelQosParameters = q;
    q->qosCharacteristics.present = NGAP_QosCharacteristics_PR_nonDynamic5QI;
    q->qosCharacteristics.nonDynamic5QI.fiveQI = m->fiveqi;
    q->allocationAndRetentionPriority.priorityLevelARP = m->arp_priority;
    q->allocationAndRetentionPriority.pre_emptionCapability =
        m->arp_preempt_cap ? NGAP_Pre_emptionCapability_may_trigger_pre_emption
                           : NGAP_Pre_emptionCapability_shall_not_trigger_pre_emption;
    q->allocationAndRetentionPriority.pre_emptionVulnerability =
        m->arp_preempt_vuln ? NGAP_Pre_emptionVulnerability_pre_emptable
                            : NGAP_Pre_emptionVulnerability_not_pre_emptable;
    return 0;
}

int smf_n2_build_modify_request_transfer(const smf_n2_mod *m, g5_wbuf *w)
{
    NGAP_PDUSessionResourceModifyRequestTransfer_t t;
    memset(&t, 0, sizeof t);
    size_t n = m->has_qos ? 2 : 1;
    t.protocolIEs.list = calloc(n, sizeof(mod_ie));
    if (!t.protocolIEs.list)
        return G5_ERR_NOMEM;
    t.protocolIEs.count = n;
    mod_ie *ie = t.protocolIEs.list;
    /* §9.3.4.3: both IEs optional, criticality reject */
    ie[0].id = NGAP_id_PDUSessionAggregateMaximumBitRate;
    ie[0].criticality = NGAP_Criticality_reject;
    ie[0].value.present =
        NGAP_PDUSessionResourceModifyRequestTransferIEs_Value_PR_PDUSessionAggregateMaximumBitRate;
    ie[0].value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateDL =
        (int64_t)m->ambr_dl;
    ie[0].value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateUL =
        (int64_t)m->ambr_ul;
    int rc = 0;
    if (m->has_qos) {
        ie[1].id = NGAP_id_QosFlowAddOrModifyRequestList;
        ie[1].criticality = NGAP_Criticality_reject;
        ie[1].value.present =
            NGAP_PDUSessionResourceModifyRequestTransferIEs_Value_PR_QosFlowAddOrModifyRequestList;
        rc = fill_flow(&ie[1].value.QosFlowAddOrModifyRequestList, m);
    }
    if (!rc)
        rc = a1_encode(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &t, w);
    a1_free(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &t);
    return rc;
}

int smf_n2_parse_modify_response_transfer(const uint8_t *p, size_t n, uint8_t qfi)
{
    NGAP_PDUSessionResourceModifyResponseTransfer_t t;
    int rc = a1_decode(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &t, p, n, NULL);
    if (rc)
        return rc;
    const NGAP_QosFlowListWithCause_t *bad = t.qosFlowFailedToAddOrModifyList;
    for (size_t i = 0; bad && i < bad->count; i++)
        if (bad->list[i].qosFlowIdentifier == qfi)
            rc = G5_ERR_STATE;
    a1_free(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &t);
    return rc;
}

int smf_n2_parse_modify_unsuccessful_transfer(const uint8_t *p, size_t n, int *group, int *value)
{
    NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_t t;
    int rc = a1_decode(&NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_def, &t, p, n, NULL);
    if (rc)
        return rc;
    *group = (int)t.cause.present;
    switch (t.cause.present) {
    case NGAP_Cause_PR_radioNetwork: *value = (int)t.cause.radioNetwork; break;
    case NGAP_Cause_PR_transport: *value = (int)t.cause.transport; break;
    case NGAP_Cause_PR_nas: *value = (int)t.cause.nas; break;
    case NGAP_Cause_PR_protocol: *value = (int)t.cause.protocol; break;
    case NGAP_Cause_PR_misc: *value = (int)t.cause.misc; break;
    default: *value = -1; break;
    }
    a1_free(&NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_def, &t);
    return 0;
}

/* ---- N4 ---- */

int smf_pfcp_build_mod_qer(g5_wbuf *w, uint64_t up_seid, uint32_t seq, uint32_t qer_id,
                           uint64_t ul_kbps, uint64_t dl_kbps)
{
    g5_pfcp_sess_mod_req *r = calloc(1, sizeof *r);
    if (!r)
        return G5_ERR_NOMEM;
    r->update.n_qer = 1;
    r->update.qer[0].qer_id = qer_id;
    r->update.qer[0].has_mbr = true;
    r->update.qer[0].mbr.ul_kbps = ul_kbps;
    r->update.qer[0].mbr.dl_kbps = dl_kbps;
    int rc = g5_pfcp_build_sess_mod_req(w, up_seid, seq, r);
    free(r);
    return rc;
}
