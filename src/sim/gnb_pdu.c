/* glass5g-sim gNB: NGAP PDU Session Resource management (TS 38.413 §8.2) over the NGAP
 * codec. Parses PDU Session Resource Setup Request (8.2.1), PDU Session Resource Release
 * Command (8.2.2) and the session list of Initial Context Setup Request (8.3.1), including
 * the PDU Session Resource Setup Request Transfer (9.3.4.1: UL NG-U UP TNL Information,
 * PDU Session Type, QoS Flow Setup Request List, PDU Session Aggregate Maximum Bit Rate),
 * and builds the answers with their transfers: Setup Response Transfer (9.3.4.2: DL NG-U
 * tunnel and associated QoS flows), Setup Unsuccessful Transfer (9.3.4.16), Release
 * Response Transfer (9.3.4.21). See sim/sim_up.h. */
#define G5_LOG_MODULE "sim.gnb"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ngap/ngap_msg.h"
#include "sim/sim_up.h"

/* ---- transfers ---- */

typedef NGAP_ProtocolIE_Field_PDUSessionResourceSetupRequestTransferIEs_t setup_ie;

static uint32_t teid_of(const a1_octets *o)
{
    const uint8_t *b = o->buf;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* TS 38.414 5.1 / 38.413 9.3.2.4: 32 bits IPv4, 128 IPv6, 160 both (IPv4 first). */
static int read_tunnel(const NGAP_UPTransportLayerInformation_t *u, sim_setup_transfer *t)
{
    if (u->present != NGAP_UPTransportLayerInformation_PR_gTPTunnel)
        return G5_ERR_UNSUPPORTED;
    const NGAP_GTPTunnel_t *g = &u->gTPTunnel;
    if (g->gTP_TEID.len != 4)
        return G5_ERR_INVALID;
    if (g5_tnl_from_bits(&t->upf, g->transportLayerAddress.buf, g->transportLayerAddress.nbits))
        return G5_ERR_UNSUPPORTED;
    t->ul_teid = teid_of(&g->gTP_TEID);
    t->has_tunnel = true;
    return 0;
}

static void read_setup_ie(const setup_ie *ie, sim_setup_transfer *t, int *rc)
{
    switch (ie->id) {
    case NGAP_id_UL_NGU_UP_TNLInformation:
        if (!*rc)
            *rc = read_tunnel(&ie->value.UPTransportLayerInformation, t);
        break;
    case NGAP_id_PDUSessionType: t->pdu_type = (int)ie->value.PDUSessionType; break;
    case NGAP_id_QosFlowSetupRequestList: {
        const NGAP_QosFlowSetupRequestList_t *l = &ie->value.QosFlowSetupRequestList;
        for (size_t i = 0; i < l->count && t->nflows < sizeof t->qfi; i++)
            t->qfi[t->nflows++] = (uint8_t)l->list[i].qosFlowIdentifier;
        break;
    }
    case NGAP_id_PDUSessionAggregateMaximumBitRate:
        t->ambr_dl =
            (uint64_t)
                ie->value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateDL;
        t->ambr_ul =
            (uint64_t)
                ie->value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateUL;
        break;
    default: break; /* other IEs (security indication, network instance...) not acted on */
    }
}

int sim_gnb_parse_setup_transfer(const uint8_t *p, size_t n, sim_setup_transfer *t)
{
    memset(t, 0, sizeof *t);
    t->pdu_type = -1;
    NGAP_PDUSessionResourceSetupRequestTransfer_t v;
    int rc = a1_decode(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &v, p, n, NULL);
    if (rc)
        return rc;
    for (size_t i = 0; i < v.protocolIEs.count; i++)
        read_setup_ie(&v.protocolIEs.list[i], t, &rc);
    a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &v);
    if (!rc && (!t->has_tunnel || t->pdu_type < 0 || !t->nflows))
        rc = G5_ERR_MISSING; /* all three are mandatory (9.3.4.1) */
    return rc;
}

int sim_gnb_build_setup_response_transfer(const g5_tnl_addr *n3_addr, uint32_t dl_teid,
                                          const uint8_t *qfi, size_t nqfi, g5_wbuf *out)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t t;
    memset(&t, 0, sizeof t);
    NGAP_QosFlowPerTNLInformation_t *q = &t.dLQosFlowPerTNLInformation;
    q->uPTransportLayerInformation.present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    NGAP_GTPTunnel_t *g = &q->uPTransportLayerInformation.gTPTunnel;
    uint8_t te[4] = {(uint8_t)(dl_teid >> 24), (uint8_t)(dl_teid >> 16), (uint8_t)(dl_teid >> 8),
                     (uint8_t)dl_teid};
    uint8_t bits[20];
    size_t nbits = g5_tnl_to_bits(n3_addr, bits); /* 32 / 128 / 160 bits */
    int rc = nbits ? a1_bits_set(&g->transportLayerAddress, bits, nbits) : G5_ERR_MISSING;
    if (!rc)
        rc = a1_octets_set(&g->gTP_TEID, te, 4);
    if (!rc && !(q->associatedQosFlowList.list =
                     calloc(nqfi ? nqfi : 1, sizeof(*q->associatedQosFlowList.list))))
        rc = G5_ERR_NOMEM;
    for (size_t i = 0; !rc && i < nqfi; i++)
        q->associatedQosFlowList.list[q->associatedQosFlowList.count++].qosFlowIdentifier = qfi[i];
    if (!rc)
        rc = a1_encode(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &t, out);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &t);
    return rc;
}

int sim_gnb_build_setup_unsuccessful_transfer(int cause_group, int cause_value, g5_wbuf *out)
{
    NGAP_PDUSessionResourceSetupUnsuccessfulTransfer_t t;
    memset(&t, 0, sizeof t);
    t.cause = ngap_cause((uint32_t)cause_group, cause_value);
    return a1_encode(&NGAP_PDUSessionResourceSetupUnsuccessfulTransfer_def, &t, out);
}

/* ---- parsing the messages ---- */

/* A NAS-PDU of the decoded message points into the decoder's allocation: find the same
 * bytes in the input so that it stays valid after ngap_free. */
static const uint8_t *locate(const uint8_t *p, size_t n, const a1_octets *o)
{
    if (!o || !o->len)
        return NULL;
    for (size_t off = 0; off + o->len <= n; off++)
        if (p[off] == o->buf[0] && memcmp(p + off, o->buf, o->len) == 0)
            return p + off;
    return NULL;
}

static int add_item(sim_pdu_msg *m, int64_t psi, const a1_octets *nas, const a1_octets *transfer,
                    const uint8_t *p, size_t n)
{
    if (m->nitems >= SIM_PDU_MAX_ITEMS)
        return G5_ERR_LIMIT;
    sim_pdu_item *it = &m->items[m->nitems++];
    memset(it, 0, sizeof *it);
    it->psi = (uint8_t)psi;
    it->cause_group = it->cause_value = -1;
    if (nas && nas->len) {
        it->nas = locate(p, n, nas);
        it->nas_len = it->nas ? nas->len : 0;
    }
    if (transfer)
        it->parse_rc = sim_gnb_parse_setup_transfer(transfer->buf, transfer->len, &it->t);
    return 0;
}

static int read_lists(const NGAP_NGAP_PDU_t *pdu, sim_pdu_msg *m, const uint8_t *p, size_t n)
{
    int rc = 0;
    const NGAP_PDUSessionResourceSetupListSUReq_t *su =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceSetupListSUReq);
    for (size_t i = 0; su && !rc && i < su->count; i++)
        rc = add_item(m, su->list[i].pDUSessionID, su->list[i].pDUSessionNAS_PDU,
                      &su->list[i].pDUSessionResourceSetupRequestTransfer, p, n);
    const NGAP_PDUSessionResourceSetupListCxtReq_t *cx =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceSetupListCxtReq);
    for (size_t i = 0; cx && !rc && i < cx->count; i++)
        rc = add_item(m, cx->list[i].pDUSessionID, cx->list[i].nAS_PDU,
                      &cx->list[i].pDUSessionResourceSetupRequestTransfer, p, n);
    const NGAP_PDUSessionResourceToReleaseListRelCmd_t *rel =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceToReleaseListRelCmd);
    for (size_t i = 0; rel && !rc && i < rel->count; i++)
        rc = add_item(m, rel->list[i].pDUSessionID, NULL, NULL, p, n);
    const NGAP_PDUSessionResourceModifyListModReq_t *mo =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceModifyListModReq);
    for (size_t i = 0; mo && !rc && i < mo->count; i++) {
        const a1_octets *tr = &mo->list[i].pDUSessionResourceModifyRequestTransfer;
        rc = add_item(m, mo->list[i].pDUSessionID, mo->list[i].nAS_PDU, NULL, p, n);
        if (!rc) /* gnb_pdu_mod.c */
            m->items[m->nitems - 1].parse_rc =
                sim_gnb_parse_modify_transfer(tr->buf, tr->len, &m->items[m->nitems - 1].mod);
    }
    return rc;
}

int sim_gnb_parse_pdu_msg(const uint8_t *p, size_t len, sim_pdu_msg *m)
{
    memset(m, 0, sizeof *m);
    m->amf_ue_id = -1;
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_decode(&pdu, p, len, NULL);
    if (rc)
        return rc;
    m->type = (int)pdu.present;
    m->procedure_code = ngap_procedure_code(&pdu);
    if (m->type != NGAP_MSG_INITIATING || (m->procedure_code != NGAP_id_PDUSessionResourceSetup &&
                                           m->procedure_code != NGAP_id_PDUSessionResourceRelease &&
                                           m->procedure_code != NGAP_id_PDUSessionResourceModify &&
                                           m->procedure_code != NGAP_id_InitialContextSetup)) {
        ngap_free(&pdu);
        return G5_ERR_UNSUPPORTED;
    }
    const NGAP_RAN_UE_NGAP_ID_t *ran = ngap_find_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID);
    const NGAP_AMF_UE_NGAP_ID_t *amf = ngap_find_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID);
    const a1_octets *nas = ngap_find_ie(&pdu, NGAP_id_NAS_PDU);
    if (!ran || !amf)
        rc = G5_ERR_MISSING;
    if (!rc) {
        m->ran_ue_id = (uint32_t)*ran;
        m->amf_ue_id = (int64_t)*amf;
        m->nas = locate(p, len, nas);
        m->nas_len = m->nas ? nas->len : 0;
        rc = read_lists(&pdu, m, p, len);
    }
    ngap_free(&pdu);
    return rc;
}

/* ---- answers ---- */

typedef struct seqof {
    size_t count;
    void *list;
} seqof;

static void *seqof_add(void *so, size_t esz)
{
    seqof *s = so;
    uint8_t *nl = realloc(s->list, (s->count + 1) * esz);
    if (!nl)
        return NULL;
    s->list = nl;
    memset(nl + s->count * esz, 0, esz);
    return nl + s->count++ * esz;
}

static int ids(NGAP_NGAP_PDU_t *pdu, const sim_pdu_msg *m)
{
    NGAP_AMF_UE_NGAP_ID_t *a = ngap_add_ie(pdu, NGAP_id_AMF_UE_NGAP_ID);
    if (!a)
        return G5_ERR_NOMEM;
    *a = m->amf_ue_id;
    NGAP_RAN_UE_NGAP_ID_t *r = ngap_add_ie(pdu, NGAP_id_RAN_UE_NGAP_ID);
    if (!r)
        return G5_ERR_NOMEM;
    *r = m->ran_ue_id;
    return 0;
}

/* The transfer of item it: Setup Response Transfer (ok) or Setup Unsuccessful Transfer. */
static int item_transfer(const sim_pdu_item *it, const g5_tnl_addr *n3_addr, a1_octets *o)
{
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int rc = it->ok
                 ? sim_gnb_build_setup_response_transfer(n3_addr, it->dl_teid, it->t.qfi,
                                                         it->t.nflows, &w)
                 : sim_gnb_build_setup_unsuccessful_transfer(it->cause_group, it->cause_value, &w);
    return rc ? rc : a1_octets_set(o, b, w.len);
}

/* Adds the ok items to ok_list (item type with psi + transfer) and the failed ones to
 * fail_list; list ids are added only when non-empty. */
static int add_setup_lists(NGAP_NGAP_PDU_t *pdu, const sim_pdu_msg *m, const g5_tnl_addr *n3,
                           int64_t ok_id, int64_t fail_id)
{
    int rc = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        bool want_ok = pass == 0;
        seqof *l = NULL;
        for (unsigned i = 0; i < m->nitems && !rc; i++) {
            const sim_pdu_item *it = &m->items[i];
            if (it->ok != want_ok)
                continue;
            if (!l && !(l = ngap_add_ie(pdu, want_ok ? ok_id : fail_id)))
                return G5_ERR_NOMEM;
            /* SURes/CxtRes and FailedToSetup items share the layout {psi, transfer, ...} */
            NGAP_PDUSessionResourceSetupItemSURes_t *x = seqof_add(l, sizeof *x);
            if (!x)
                return G5_ERR_NOMEM;
            x->pDUSessionID = it->psi;
            rc = item_transfer(it, n3, &x->pDUSessionResourceSetupResponseTransfer);
        }
    }
    return rc;
}

static int emit(NGAP_NGAP_PDU_t *pdu, int rc, g5_wbuf *out)
{
    if (!rc)
        rc = ngap_encode(pdu, out);
    ngap_free(pdu);
    return rc;
}

int sim_gnb_build_setup_response(const sim_pdu_msg *m, const g5_tnl_addr *n3_addr, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_msg_init(&pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_PDUSessionResourceSetup);
    if (rc)
        return rc;
    rc = ids(&pdu, m);
    if (!rc)
        rc = add_setup_lists(&pdu, m, n3_addr, NGAP_id_PDUSessionResourceSetupListSURes,
                             NGAP_id_PDUSessionResourceFailedToSetupListSURes);
    return emit(&pdu, rc, out);
}

int sim_gnb_build_ics_response_sessions(const sim_pdu_msg *m, const g5_tnl_addr *n3_addr,
                                        g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_build_initial_context_setup_response(&pdu, m->amf_ue_id, m->ran_ue_id);
    if (rc)
        return rc;
    rc = add_setup_lists(&pdu, m, n3_addr, NGAP_id_PDUSessionResourceSetupListCxtRes,
                         NGAP_id_PDUSessionResourceFailedToSetupListCxtRes);
    return emit(&pdu, rc, out);
}

int sim_gnb_build_release_response(const sim_pdu_msg *m, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_msg_init(&pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_PDUSessionResourceRelease);
    if (rc)
        return rc;
    rc = ids(&pdu, m);
    NGAP_PDUSessionResourceReleasedListRelRes_t *l =
        rc ? NULL : ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceReleasedListRelRes);
    if (!rc && !l)
        rc = G5_ERR_NOMEM;
    for (unsigned i = 0; !rc && i < m->nitems; i++) {
        NGAP_PDUSessionResourceReleasedItemRelRes_t *x = seqof_add(l, sizeof *x);
        if (!x) {
            rc = G5_ERR_NOMEM;
            break;
        }
        x->pDUSessionID = m->items[i].psi;
        /* 9.3.4.21: an empty SEQUENCE (extension container only) */
        NGAP_PDUSessionResourceReleaseResponseTransfer_t t;
        memset(&t, 0, sizeof t);
        uint8_t b[16];
        g5_wbuf w;
        g5_wbuf_init(&w, b, sizeof b);
        rc = a1_encode(&NGAP_PDUSessionResourceReleaseResponseTransfer_def, &t, &w);
        if (!rc)
            rc = a1_octets_set(&x->pDUSessionResourceReleaseResponseTransfer, b, w.len);
    }
    return emit(&pdu, rc, out);
}
