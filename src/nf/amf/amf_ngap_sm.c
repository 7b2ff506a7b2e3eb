/* NGAP PDU Session Resource procedures of the AMF (TS 38.413 §8.2): Setup Request with
 * the NAS PDU inside (§8.2.1), Release Command (§8.2.2), the session list of an Initial
 * Context Setup (§8.3.1, for Service Request re-activation) and the gNB's answers, whose
 * transfers go to the SMF through amf_sm.c. */
#define G5_LOG_MODULE "amf"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nf/amf/amf_int.h"

static ngap_snssai to_ngap(const g5_snssai *s)
{
    return (ngap_snssai){.sst = s->sst,
                         .has_sd = s->sd != 0xFFFFFF,
                         .sd = {(uint8_t)(s->sd >> 16), (uint8_t)(s->sd >> 8), (uint8_t)s->sd}};
}

int amf_ngap_pdu_setup(amf_ue *ue, uint8_t psi, const g5_snssai *sn, const uint8_t *nas, size_t n,
                       const uint8_t *tr, size_t tr_len)
{
    NGAP_NGAP_PDU_t pdu;
    ngap_snssai s = to_ngap(sn);
    if (!ue->gnb)
        return G5_ERR_STATE;
    int rc = ngap_build_pdu_session_setup_request(&pdu, (int64_t)ue->amf_ue_id, ue->ran_ue_id, psi,
                                                  &s, nas, n, tr, tr_len);
    return rc ? rc : amf_ngap_send(ue->gnb, amf_ngap_ue_stream(ue->gnb), &pdu);
}

/* §8.2.2: the release command carries the NAS PDU (the 5GSM RELEASE COMMAND in a DL NAS
 * TRANSPORT) for the gNB to deliver. */
int amf_ngap_pdu_release(amf_ue *ue, uint8_t psi, const uint8_t *nas, size_t n, const uint8_t *tr,
                         size_t tr_len)
{
    NGAP_NGAP_PDU_t pdu;
    if (!ue->gnb)
        return G5_ERR_STATE;
    int rc = ngap_build_pdu_session_release_command(&pdu, (int64_t)ue->amf_ue_id, ue->ran_ue_id,
                                                    psi, tr, tr_len);
    if (rc)
        return rc;
    NGAP_NAS_PDU_t *np = ngap_add_ie(&pdu, NGAP_id_NAS_PDU);
    if (!np || a1_octets_set(np, nas, n)) {
        ngap_free(&pdu);
        return G5_ERR_NOMEM;
    }
    return amf_ngap_send(ue->gnb, amf_ngap_ue_stream(ue->gnb), &pdu);
}

static int cxt_item(NGAP_PDUSessionResourceSetupListCxtReq_t *l, uint8_t psi, const amf_sess *x)
{
    NGAP_PDUSessionResourceSetupItemCxtReq_t *nl =
        realloc(l->list, (l->count + 1) * sizeof *l->list);
    if (!nl)
        return G5_ERR_NOMEM;
    l->list = nl;
    NGAP_PDUSessionResourceSetupItemCxtReq_t *it = &nl[l->count++];
    memset(it, 0, sizeof *it);
    it->pDUSessionID = psi;
    ngap_snssai s = to_ngap(&x->snssai);
    int rc = a1_octets_set(&it->s_NSSAI.sST, &s.sst, 1);
    if (!rc && s.has_sd) {
        it->s_NSSAI.sD = calloc(1, sizeof *it->s_NSSAI.sD);
        rc = it->s_NSSAI.sD ? a1_octets_set(it->s_NSSAI.sD, s.sd, 3) : G5_ERR_NOMEM;
    }
    if (!rc)
        rc = a1_octets_set(&it->pDUSessionResourceSetupRequestTransfer, x->act_n2, x->act_n2_len);
    return rc;
}

/* §8.3.1.2 / TS 23.502 §4.2.3.2 step 12: the sessions re-activated by a Service Request go
 * in the Initial Context Setup Request, with the UE-AMBR (mandatory with the list). */
int amf_ngap_add_cxt_sessions(amf_ue *ue, NGAP_NGAP_PDU_t *pdu)
{
    bool any = false;
    for (uint8_t psi = 1; psi < AMF_MAX_PSI; psi++)
        any |= ue->sess[psi].act_n2 != NULL;
    if (!any)
        return 0;
    NGAP_UEAggregateMaximumBitRate_t *ambr = ngap_add_ie(pdu, NGAP_id_UEAggregateMaximumBitRate);
    if (!ambr)
        return G5_ERR_NOMEM;
    ambr->uEAggregateMaximumBitRateDL = (int64_t)(ue->ambr_dl ? ue->ambr_dl : 1000000000ull);
    ambr->uEAggregateMaximumBitRateUL = (int64_t)(ue->ambr_ul ? ue->ambr_ul : 1000000000ull);
    NGAP_PDUSessionResourceSetupListCxtReq_t *l =
        ngap_add_ie(pdu, NGAP_id_PDUSessionResourceSetupListCxtReq);
    if (!l)
        return G5_ERR_NOMEM;
    int rc = 0;
    for (uint8_t psi = 1; psi < AMF_MAX_PSI && !rc; psi++) {
        amf_sess *x = &ue->sess[psi];
        if (!x->act_n2)
            continue;
        rc = cxt_item(l, psi, x);
        free(x->act_n2);
        x->act_n2 = NULL;
        x->act_n2_len = 0;
    }
    return rc;
}

/* ---- answers from the gNB ---- */

static uint8_t psi_of(int64_t id)
{
    return id >= 1 && id < AMF_MAX_PSI ? (uint8_t)id : 0;
}

void amf_ngap_pdu_setup_rsp(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu)
{
    amf_ue *ue = amf_ngap_find_ue(g, pdu);
    if (!ue)
        return;
    const NGAP_PDUSessionResourceSetupListSURes_t *ok =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceSetupListSURes);
    const NGAP_PDUSessionResourceFailedToSetupListSURes_t *bad =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceFailedToSetupListSURes);
    for (size_t i = 0; ok && i < ok->count; i++) {
        const NGAP_PDUSessionResourceSetupItemSURes_t *it = &ok->list[i];
        amf_sm_setup_result(ue, psi_of(it->pDUSessionID), true,
                            it->pDUSessionResourceSetupResponseTransfer.buf,
                            it->pDUSessionResourceSetupResponseTransfer.len);
    }
    for (size_t i = 0; bad && i < bad->count; i++) {
        const NGAP_PDUSessionResourceFailedToSetupItemSURes_t *it = &bad->list[i];
        amf_sm_setup_result(ue, psi_of(it->pDUSessionID), false,
                            it->pDUSessionResourceSetupUnsuccessfulTransfer.buf,
                            it->pDUSessionResourceSetupUnsuccessfulTransfer.len);
    }
}

void amf_ngap_ics_sessions(amf_ue *ue, const NGAP_NGAP_PDU_t *pdu)
{
    const NGAP_PDUSessionResourceSetupListCxtRes_t *ok =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceSetupListCxtRes);
    const NGAP_PDUSessionResourceFailedToSetupListCxtRes_t *bad =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceFailedToSetupListCxtRes);
    for (size_t i = 0; ok && i < ok->count; i++) {
        const NGAP_PDUSessionResourceSetupItemCxtRes_t *it = &ok->list[i];
        amf_sm_setup_result(ue, psi_of(it->pDUSessionID), true,
                            it->pDUSessionResourceSetupResponseTransfer.buf,
                            it->pDUSessionResourceSetupResponseTransfer.len);
    }
    for (size_t i = 0; bad && i < bad->count; i++) {
        const NGAP_PDUSessionResourceFailedToSetupItemCxtRes_t *it = &bad->list[i];
        amf_sm_setup_result(ue, psi_of(it->pDUSessionID), false,
                            it->pDUSessionResourceSetupUnsuccessfulTransfer.buf,
                            it->pDUSessionResourceSetupUnsuccessfulTransfer.len);
    }
}

void amf_ngap_pdu_release_rsp(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu)
{
    amf_ue *ue = amf_ngap_find_ue(g, pdu);
    if (!ue)
        return;
    const NGAP_PDUSessionResourceReleasedListRelRes_t *l =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceReleasedListRelRes);
    for (size_t i = 0; l && i < l->count; i++) {
        const NGAP_PDUSessionResourceReleasedItemRelRes_t *it = &l->list[i];
        amf_sm_release_result(ue, psi_of(it->pDUSessionID),
                              it->pDUSessionResourceReleaseResponseTransfer.buf,
                              it->pDUSessionResourceReleaseResponseTransfer.len);
    }
}
