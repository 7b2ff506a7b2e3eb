/* glass5g-sim gNB: PDU Session Resource Modify (TS 38.413 §8.2.3). Reads the PDU Session
 * Resource Modify Request Transfer (§9.3.4.3: PDU Session Aggregate Maximum Bit Rate, QoS
 * Flow Add or Modify Request List), applies the new session-AMBR / QoS to the gNB's record
 * of the session, and answers PDU Session Resource Modify Response with a Modify Response
 * Transfer (§9.3.4.4, the modified QoS flows) per session it holds and a Modify
 * Unsuccessful Transfer (§9.3.4.5) for the others. gnb_pdu.c parses the message itself
 * (its modify list comes here for the transfers); sim_up.c drives the procedure. */
#define G5_LOG_MODULE "sim.gnb"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ngap/ngap_msg.h"
#include "sim/sim_up.h"

typedef NGAP_ProtocolIE_Field_PDUSessionResourceModifyRequestTransferIEs_t mod_ie;

static void read_mod_ie(const mod_ie *ie, sim_mod_transfer *t)
{
    if (ie->id == NGAP_id_PDUSessionAggregateMaximumBitRate) {
        const NGAP_PDUSessionAggregateMaximumBitRate_t *a =
            &ie->value.PDUSessionAggregateMaximumBitRate;
        t->has_ambr = true;
        t->ambr_dl = (uint64_t)a->pDUSessionAggregateMaximumBitRateDL;
        t->ambr_ul = (uint64_t)a->pDUSessionAggregateMaximumBitRateUL;
    } else if (ie->id == NGAP_id_QosFlowAddOrModifyRequestList) {
        const NGAP_QosFlowAddOrModifyRequestList_t *l = &ie->value.QosFlowAddOrModifyRequestList;
        for (size_t i = 0; i < l->count && t->nflows < sizeof t->qfi; i++) {
            const NGAP_QosFlowAddOrModifyRequestItem_t *it = &l->list[i];
            const NGAP_QosFlowLevelQosParameters_t *q = it->qosFlowLevelQosParameters;
            t->qfi[t->nflows] = (uint8_t)it->qosFlowIdentifier;
            t->fiveqi[t->nflows] =
                q && q->qosCharacteristics.present == NGAP_QosCharacteristics_PR_nonDynamic5QI
                    ? (uint8_t)q->qosCharacteristics.nonDynamic5QI.fiveQI
                    : 0;
            t->nflows++;
        }
    } /* other IEs (TNL modify, network instance...) are not acted on */
}

int sim_gnb_parse_modify_transfer(const uint8_t *p, size_t n, sim_mod_transfer *t)
{
    memset(t, 0, sizeof *t);
    NGAP_PDUSessionResourceModifyRequestTransfer_t v;
    int rc = a1_decode(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &v, p, n, NULL);
    if (rc)
        return rc;
    for (size_t i = 0; i < v.protocolIEs.count; i++)
        read_mod_ie(&v.protocolIEs.list[i], t);
    a1_free(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &v);
    return 0;
}

void sim_up_gnb_modify(sim_up *u, sim_ue *ue, sim_pdu_msg *m)
{
    for (unsigned i = 0; i < m->nitems; i++) {
        sim_pdu_item *it = &m->items[i];
        sim_sess *s = sim_up_find(u, ue, it->psi);
        it->ok = s && s->n3_up && it->parse_rc == 0;
        if (!it->ok) {
            /* §8.2.3.2: an unknown session or a transfer that cannot be read */
            it->cause_group = NGAP_Cause_PR_radioNetwork;
            it->cause_value = it->parse_rc ? NGAP_CauseRadioNetwork_unspecified
                                           : NGAP_CauseRadioNetwork_unknown_PDU_session_ID;
            u->st.n2_modify_failed++;
            continue;
        }
        if (it->mod.has_ambr) {
            s->gnb_ambr_ul = it->mod.ambr_ul;
            s->gnb_ambr_dl = it->mod.ambr_dl;
        }
        u->st.n2_modified++;
    }
}

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

/* §9.3.4.4: the QoS flows modified, each in the QoS Flow Add or Modify Response List. */
static int response_transfer(const sim_pdu_item *it, a1_octets *o)
{
    NGAP_PDUSessionResourceModifyResponseTransfer_t t;
    memset(&t, 0, sizeof t);
    int rc = 0;
    if (it->mod.nflows) {
        t.qosFlowAddOrModifyResponseList = calloc(1, sizeof *t.qosFlowAddOrModifyResponseList);
        rc = t.qosFlowAddOrModifyResponseList ? 0 : G5_ERR_NOMEM;
        for (uint8_t i = 0; !rc && i < it->mod.nflows; i++) {
            NGAP_QosFlowAddOrModifyResponseItem_t *x =
                seqof_add(t.qosFlowAddOrModifyResponseList, sizeof *x);
            if (!x)
                rc = G5_ERR_NOMEM;
            else
                x->qosFlowIdentifier = it->mod.qfi[i];
        }
    }
    if (!rc)
        rc = ngap_encode_transfer(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &t, o);
    a1_free(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &t);
    return rc;
}

static int unsuccessful_transfer(const sim_pdu_item *it, a1_octets *o)
{
    NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_t t;
    memset(&t, 0, sizeof t);
    t.cause = ngap_cause((uint32_t)it->cause_group, it->cause_value);
    return ngap_encode_transfer(&NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_def, &t, o);
}

static int add_ids(NGAP_NGAP_PDU_t *pdu, const sim_pdu_msg *m)
{
    /* each value at once: the next ngap_add_ie may move the IE list */
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

int sim_gnb_build_modify_response(const sim_pdu_msg *m, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_msg_init(&pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_PDUSessionResourceModify);
    if (rc)
        return rc;
    rc = add_ids(&pdu, m);
    /* the ok items first, then the failed ones: a list pointer stays valid only until the
     * next ngap_add_ie */
    NGAP_PDUSessionResourceModifyListModRes_t *ok = NULL;
    for (unsigned i = 0; !rc && i < m->nitems; i++) {
        const sim_pdu_item *it = &m->items[i];
        if (!it->ok)
            continue;
        if (!ok && !(ok = ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModRes)))
            rc = G5_ERR_NOMEM;
        NGAP_PDUSessionResourceModifyItemModRes_t *x = rc ? NULL : seqof_add(ok, sizeof *x);
        if (!x)
            rc = G5_ERR_NOMEM;
        else {
            x->pDUSessionID = it->psi;
            rc = response_transfer(it, &x->pDUSessionResourceModifyResponseTransfer);
        }
    }
    NGAP_PDUSessionResourceFailedToModifyListModRes_t *bad = NULL;
    for (unsigned i = 0; !rc && i < m->nitems; i++) {
        const sim_pdu_item *it = &m->items[i];
        if (it->ok)
            continue;
        if (!bad && !(bad = ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceFailedToModifyListModRes)))
            rc = G5_ERR_NOMEM;
        NGAP_PDUSessionResourceFailedToModifyItemModRes_t *x =
            rc ? NULL : seqof_add(bad, sizeof *x);
        if (!x)
            rc = G5_ERR_NOMEM;
        else {
            x->pDUSessionID = it->psi;
            rc = unsuccessful_transfer(it, &x->pDUSessionResourceModifyUnsuccessfulTransfer);
        }
    }
    if (!rc)
        rc = ngap_encode(&pdu, out);
    ngap_free(&pdu);
    return rc;
}
