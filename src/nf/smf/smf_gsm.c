/* 5GSM messages and N2 SM transfers of the SMF (see smf_gsm.h). Every builder goes
 * through the NAS or NGAP codec, so what is sent passes the codecs' own table checks. */
#include "nf/smf/smf_gsm.h"

#include <stdlib.h>
#include <string.h>

#include "asn1/aper.h"
#include "core/err.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "ngap/gen/ngap_types.h"

int smf_gsm_peek(const uint8_t *n1, size_t n, uint8_t *psi, uint8_t *pti, uint8_t *type,
                 uint8_t *cause)
{
    nas_msg m;
    uint8_t c = SMF_CAUSE_PROTOCOL_ERROR;
    int rc = nas_decode_ex(n1, n, &m, &c, NAS_DEC_LENIENT);
    if (rc) {
        *cause = c;
        return rc;
    }
    if (m.epd != NAS_EPD_5GSM) {
        *cause = SMF_CAUSE_MSG_TYPE_NOT_COMPATIBLE;
        return G5_ERR_INVALID;
    }
    *psi = m.psi;
    *pti = m.pti;
    *type = m.type;
    return 0;
}

/* ePCO requests (TS 24.008 §10.5.6.3: MS to network containers). */
static void parse_epco(const nas_ie *ie, smf_est_req *out)
{
    g5_rbuf r;
    uint8_t first;
    nas_epco_container c;
    if (!ie->present || nas_epco_begin(ie, &r, &first))
        return;
    while (!g5_rbuf_empty(&r) && nas_epco_next(&r, &c) == 0) {
        if (c.id == SMF_PCO_DNS4)
            out->want_dns4 = true;
        else if (c.id == SMF_PCO_DNS6)
            out->want_dns6 = true;
        else if (c.id == SMF_PCO_MTU4)
            out->want_mtu = true;
    }
}

int smf_gsm_parse_est_req(const uint8_t *n1, size_t n, smf_est_req *out, uint8_t *cause)
{
    nas_msg m;
    uint8_t c = SMF_CAUSE_PROTOCOL_ERROR;
    memset(out, 0, sizeof *out);
    int rc = nas_decode_ex(n1, n, &m, &c, NAS_DEC_LENIENT);
    if (rc) {
        *cause = c;
        return rc;
    }
    if (m.epd != NAS_EPD_5GSM || m.type != NAS_PDU_SESSION_ESTABLISHMENT_REQUEST) {
        *cause = SMF_CAUSE_MSG_TYPE_NOT_COMPATIBLE;
        return G5_ERR_INVALID;
    }
    /* §6.4.1.2: PSI 1..15, PTI 1..254 (UE-allocated) */
    if (m.psi < 1 || m.psi > 15) {
        *cause = SMF_CAUSE_INVALID_PSI;
        return G5_ERR_INVALID;
    }
    const struct nas_pdu_session_establishment_request *q = &m.pdu_session_establishment_request;
    out->psi = m.psi;
    out->pti = m.pti;
    if (q->pdu_session_type.present)
        out->pdu_type = q->pdu_session_type.half & 7;
    if (q->ssc_mode.present)
        out->ssc_mode = q->ssc_mode.half & 7;
    parse_epco(&q->extended_protocol_configuration_options, out);
    return 0;
}

void smf_ambr_units(uint64_t bps, uint8_t *unit, uint16_t *value)
{
    /* the smallest unit whose value fits 16 bits keeps the most precision */
    for (uint8_t u = 1; u <= 0x19; u++) {
        uint64_t step = nas_ambr_bps(u, 1);
        if (bps / step <= 0xFFFF) {
            uint64_t v = bps / step;
            *unit = u;
            *value = (uint16_t)(v ? v : 1);
            return;
        }
    }
    *unit = 0x19;
    *value = 0xFFFF;
}

/* §9.11.4.13: the default QoS rule: QRI 1, match-all packet filter, DQR, lowest
 * precedence 255, bound to the default QoS flow. */
static int put_default_rule(nas_arena *ar, uint8_t qfi, nas_ie *ie)
{
    static const uint8_t match_all[] = {0x01}; /* Table 9.11.4.13.3: match-all type */
    nas_qos_rule q = {.qri = 1,
                      .op = NAS_QOS_RULE_CREATE,
                      .dqr = true,
                      .n_pf = 1,
                      .has_precedence = true,
                      .precedence = 255,
                      .has_qfi = true,
                      .qfi = qfi};
    q.pf[0] = (nas_packet_filter){
        .direction = 3, .id = 1, .content = match_all, .content_len = sizeof match_all};
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = nas_qos_rule_encode(&q, &ar->w);
    return rc ? rc : nas_arena_ie(ar, mark, ie);
}

/* §9.11.4.12: the default flow's description (5QI), so the UE knows its QoS. */
static int put_flow_desc(nas_arena *ar, uint8_t qfi, uint8_t fiveqi, nas_ie *ie)
{
    nas_qos_flow f = {.qfi = qfi, .op = 1, .e_bit = true, .n_param = 1};
    f.param[0] = (nas_qos_flow_param){.id = 1, .len = 1, .v = &fiveqi};
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = nas_qos_flow_encode(&f, &ar->w);
    return rc ? rc : nas_arena_ie(ar, mark, ie);
}

/* TS 24.008 §10.5.6.3 network-to-MS containers. */
static int put_epco(nas_arena *ar, const smf_accept *a, nas_ie *ie)
{
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = g5_wbuf_u8(&ar->w, 0x80); /* ext = 1, configuration protocol PPP */
    for (int i = 0; !rc && a->dns4 && i < a->n_dns4; i++)
        rc = nas_epco_put(&ar->w, SMF_PCO_DNS4, a->dns4_addr[i], 4);
    for (int i = 0; !rc && a->dns6 && i < a->n_dns6; i++)
        rc = nas_epco_put(&ar->w, SMF_PCO_DNS6, a->dns6_addr[i], 16);
    if (!rc && a->mtu && a->mtu_value) {
        uint8_t mtu[2] = {(uint8_t)(a->mtu_value >> 8), (uint8_t)a->mtu_value};
        rc = nas_epco_put(&ar->w, SMF_PCO_MTU4, mtu, 2);
    }
    return rc ? rc : nas_arena_ie(ar, mark, ie);
}

static int put_pdu_address(nas_arena *ar, const smf_accept *a, nas_ie *ie)
{
    nas_pdu_address pa = {.type = a->pdu_type};
    memcpy(pa.ipv4, a->ipv4, 4);
    memcpy(pa.ipv6_iid, a->ipv6_iid, 8);
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = nas_pdu_address_encode(&pa, &ar->w);
    return rc ? rc : nas_arena_ie(ar, mark, ie);
}

static int put_snssai_dnn(nas_arena *ar, const smf_accept *a,
                          struct nas_pdu_session_establishment_accept *acc)
{
    nas_snssai s = {.sst = a->sst, .has_sd = a->sd != 0xFFFFFF, .sd = a->sd};
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = nas_snssai_encode(&s, &ar->w);
    if (!rc)
        rc = nas_arena_ie(ar, mark, &acc->s_nssai);
    if (!rc && a->dnn) {
        mark = g5_wbuf_len(&ar->w);
        rc = nas_dnn_encode(a->dnn, &ar->w);
        if (!rc)
            rc = nas_arena_ie(ar, mark, &acc->dnn);
    }
    return rc;
}

int smf_gsm_build_accept(const smf_accept *a, g5_wbuf *w)
{
    nas_msg m;
    nas_arena *ar = malloc(sizeof *ar);
    if (!ar)
        return G5_ERR_NOMEM;
    nas_arena_init(ar);
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_ACCEPT);
    struct nas_pdu_session_establishment_accept *acc = &m.pdu_session_establishment_accept;
    m.psi = a->psi;
    m.pti = a->pti;
    nas_ie_set_half(&acc->selected_pdu_session_type, a->pdu_type);
    nas_ie_set_half(&acc->selected_ssc_mode, a->ssc_mode ? a->ssc_mode : 1);
    if (!rc)
        rc = put_default_rule(ar, a->qfi, &acc->authorized_qos_rules);
    if (!rc) {
        nas_session_ambr sa;
        smf_ambr_units(a->ambr_dl, &sa.dl_unit, &sa.dl);
        smf_ambr_units(a->ambr_ul, &sa.ul_unit, &sa.ul);
        size_t mark = g5_wbuf_len(&ar->w);
        rc = nas_session_ambr_encode(&sa, &ar->w);
        if (!rc)
            rc = nas_arena_ie(ar, mark, &acc->session_ambr);
    }
    if (!rc)
        rc = put_pdu_address(ar, a, &acc->pdu_address);
    if (!rc)
        rc = put_snssai_dnn(ar, a, acc);
    if (!rc)
        rc = put_flow_desc(ar, a->qfi, a->fiveqi, &acc->authorized_qos_flow_descriptions);
    if (!rc && (a->dns4 || a->dns6 || a->mtu))
        rc = put_epco(ar, a, &acc->extended_protocol_configuration_options);
    if (!rc)
        rc = nas_encode(&m, w);
    free(ar);
    return rc;
}

int smf_gsm_build_reject(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *w)
{
    nas_msg m;
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REJECT);
    if (rc)
        return rc;
    m.psi = psi;
    m.pti = pti;
    nas_ie_set(&m.pdu_session_establishment_reject.ie_5gsm_cause, &cause, 1);
    return nas_encode(&m, w);
}

int smf_gsm_build_release_command(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *w)
{
    nas_msg m;
    int rc = nas_msg_init(&m, NAS_PDU_SESSION_RELEASE_COMMAND);
    if (rc)
        return rc;
    m.psi = psi;
    m.pti = pti;
    nas_ie_set(&m.pdu_session_release_command.ie_5gsm_cause, &cause, 1);
    return nas_encode(&m, w);
}

/* ---- N2 ---- */

typedef NGAP_ProtocolIE_Field_PDUSessionResourceSetupRequestTransferIEs_t setup_ie;

/* TS 38.413 §9.3.2.2 / 38.414 §5.1: the Transport Layer Address is 32 (IPv4), 128 (IPv6)
 * or 160 (IPv4 then IPv6) bits. */
static int fill_tunnel(NGAP_UPTransportLayerInformation_t *t, const g5_tnl_addr *ip, uint32_t teid)
{
    uint8_t te[4] = {(uint8_t)(teid >> 24), (uint8_t)(teid >> 16), (uint8_t)(teid >> 8),
                     (uint8_t)teid};
    uint8_t bits[20];
    size_t nbits = g5_tnl_to_bits(ip, bits);
    if (!nbits)
        return G5_ERR_MISSING;
    t->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    int rc = a1_bits_set(&t->gTPTunnel.transportLayerAddress, bits, nbits);
    return rc ? rc : a1_octets_set(&t->gTPTunnel.gTP_TEID, te, 4);
}

static int fill_qos_flow(NGAP_QosFlowSetupRequestList_t *l, const smf_n2_setup *s)
{
    l->list = calloc(1, sizeof *l->list);
    if (!l->list)
        return G5_ERR_NOMEM;
    l->count = 1;
    NGAP_QosFlowSetupRequestItem_t *it = &l->list[0];
    it->qosFlowIdentifier = s->qfi;
    NGAP_QosFlowLevelQosParameters_t *q = &it->qosFlowLevelQosParameters;
    q->qosCharacteristics.present = NGAP_QosCharacteristics_PR_nonDynamic5QI;
    q->qosCharacteristics.nonDynamic5QI.fiveQI = s->fiveqi;
    q->allocationAndRetentionPriority.priorityLevelARP = s->arp_priority;
    q->allocationAndRetentionPriority.pre_emptionCapability =
        s->arp_preempt_cap ? NGAP_Pre_emptionCapability_may_trigger_pre_emption
                           : NGAP_Pre_emptionCapability_shall_not_trigger_pre_emption;
    q->allocationAndRetentionPriority.pre_emptionVulnerability =
        s->arp_preempt_vuln ? NGAP_Pre_emptionVulnerability_pre_emptable
                            : NGAP_Pre_emptionVulnerability_not_pre_emptable;
    return 0;
}

int smf_n2_build_setup_request_transfer(const smf_n2_setup *s, g5_wbuf *w)
{
    NGAP_PDUSessionResourceSetupRequestTransfer_t t;
    memset(&t, 0, sizeof t);
    /* TS 38.413 §9.3.4.1: all four IEs have criticality reject */
    t.protocolIEs.list = calloc(4, sizeof(setup_ie));
    if (!t.protocolIEs.list)
        return G5_ERR_NOMEM;
    t.protocolIEs.count = 4;
    setup_ie *ie = t.protocolIEs.list;
    ie[0].id = NGAP_id_PDUSessionAggregateMaximumBitRate;
    ie[0].value.present =
        NGAP_PDUSessionResourceSetupRequestTransferIEs_Value_PR_PDUSessionAggregateMaximumBitRate;
    ie[0].value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateDL =
        (int64_t)s->ambr_dl;
    ie[0].value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateUL =
        (int64_t)s->ambr_ul;
    ie[1].id = NGAP_id_UL_NGU_UP_TNLInformation;
    ie[1].value.present =
        NGAP_PDUSessionResourceSetupRequestTransferIEs_Value_PR_UPTransportLayerInformation;
    int rc = fill_tunnel(&ie[1].value.UPTransportLayerInformation, &s->upf_n3, s->ul_teid);
    ie[2].id = NGAP_id_PDUSessionType;
    ie[2].value.present = NGAP_PDUSessionResourceSetupRequestTransferIEs_Value_PR_PDUSessionType;
    /* ENUMERATED {ipv4, ipv6, ipv4v6, ethernet, unstructured}: NAS type - 1 */
    ie[2].value.PDUSessionType = (NGAP_PDUSessionType_t)(s->pdu_type - 1);
    ie[3].id = NGAP_id_QosFlowSetupRequestList;
    ie[3].value.present =
        NGAP_PDUSessionResourceSetupRequestTransferIEs_Value_PR_QosFlowSetupRequestList;
    if (!rc)
        rc = fill_qos_flow(&ie[3].value.QosFlowSetupRequestList, s);
    for (int i = 0; i < 4; i++)
        ie[i].criticality = NGAP_Criticality_reject;
    if (!rc)
        rc = a1_encode(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t, w);
    a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t);
    return rc;
}

int smf_n2_parse_setup_response_transfer(const uint8_t *p, size_t n, g5_tnl_addr *gnb,
                                         uint32_t *gnb_teid)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t t;
    int rc = a1_decode(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &t, p, n, NULL);
    if (rc)
        return rc;
    const NGAP_UPTransportLayerInformation_t *u =
        &t.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    if (u->present != NGAP_UPTransportLayerInformation_PR_gTPTunnel) {
        rc = G5_ERR_UNSUPPORTED;
    } else {
        const NGAP_GTPTunnel_t *g = &u->gTPTunnel;
        /* TS 38.414 §5.1: 32 bits = IPv4, 128 = IPv6, 160 = IPv4 + IPv6 */
        if (g->gTP_TEID.len != 4 ||
            g5_tnl_from_bits(gnb, g->transportLayerAddress.buf, g->transportLayerAddress.nbits)) {
            rc = G5_ERR_UNSUPPORTED;
        } else {
            const uint8_t *b = g->gTP_TEID.buf;
            *gnb_teid = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        }
    }
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &t);
    return rc;
}

int smf_n2_build_release_command_transfer(g5_wbuf *w)
{
    NGAP_PDUSessionResourceReleaseCommandTransfer_t t;
    memset(&t, 0, sizeof t);
    t.cause.present = NGAP_Cause_PR_nas;
    t.cause.nas = NGAP_CauseNas_normal_release;
    return a1_encode(&NGAP_PDUSessionResourceReleaseCommandTransfer_def, &t, w);
}
