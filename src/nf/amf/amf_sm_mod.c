/* PDU session modification in the AMF (TS 23.502 §4.3.3.2): the SMF's MODIFICATION
 * COMMAND goes to the UE in a DL NAS TRANSPORT, inside an NGAP PDU Session Resource Modify
 * Request (TS 38.413 §8.2.3) with the SMF's Modify Request Transfer when the session's user
 * plane is at the gNB, else as a plain downlink NAS message; the gNB's Modify Response
 * (its Modify Response Transfers and the Failed to Modify list) goes back to the SMF as
 * Nsmf_PDUSession_UpdateSMContext with n2SmInfoType PDU_RES_MOD_RSP / PDU_RES_MOD_FAIL.
 * The UE's MODIFICATION REQUEST / COMPLETE / COMMAND REJECT need nothing special: they
 * reach the SMF through amf_sm.c's UL NAS TRANSPORT relay. Hooks in amf_sm.c (on_update,
 * amf_smf_n1n2) and amf_ngap.c (the response) call into this file. */
#define G5_LOG_MODULE "amf"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nf/amf/amf_int.h"

#define OPK_MOD_RSP 200 /* amf_smf_op kind of this file (amf_sm.c uses small values) */
#define PCT_N1_SM 1 /* payload container type "N1 SM information" (TS 24.501 §9.11.3.40) */

/* §8.2.3.1: AMF UE NGAP ID, RAN UE NGAP ID, the Modify List with one item carrying the
 * NAS-PDU and the PDU Session Resource Modify Request Transfer. */
int amf_ngap_pdu_modify(amf_ue *ue, uint8_t psi, const uint8_t *nas, size_t n, const uint8_t *tr,
                        size_t tr_len)
{
    NGAP_NGAP_PDU_t pdu;
    if (!ue->gnb)
        return G5_ERR_STATE;
    int rc = ngap_msg_init(&pdu, NGAP_MSG_INITIATING, NGAP_id_PDUSessionResourceModify);
    if (rc)
        return rc;
    /* each value is set at once: the next ngap_add_ie may move the IE list */
    NGAP_AMF_UE_NGAP_ID_t *a = ngap_add_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID);
    if (a)
        *a = (int64_t)ue->amf_ue_id;
    NGAP_RAN_UE_NGAP_ID_t *r = a ? ngap_add_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID) : NULL;
    if (r)
        *r = ue->ran_ue_id;
    NGAP_PDUSessionResourceModifyListModReq_t *l =
        r ? ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModReq) : NULL;
    if (!l || !(l->list = calloc(1, sizeof *l->list))) {
        ngap_free(&pdu);
        return G5_ERR_NOMEM;
    }
    l->count = 1;
    NGAP_PDUSessionResourceModifyItemModReq_t *it = &l->list[0];
    it->pDUSessionID = psi;
    rc = a1_octets_set(&it->pDUSessionResourceModifyRequestTransfer, tr, tr_len);
    if (!rc && n) {
        it->nAS_PDU = calloc(1, sizeof *it->nAS_PDU);
        rc = it->nAS_PDU ? a1_octets_set(it->nAS_PDU, nas, n) : G5_ERR_NOMEM;
    }
    if (rc) {
        ngap_free(&pdu);
        return rc;
    }
    return amf_ngap_send(ue->gnb, amf_ngap_ue_stream(ue->gnb), &pdu);
}

/* DL NAS TRANSPORT (TS 24.501 §8.2.11) carrying the 5GSM message, protected. */
static int dl_transport(amf_ue *ue, uint8_t psi, const uint8_t *n1, size_t n1_len, uint8_t *out,
                        size_t *out_len)
{
    static const uint8_t pct = PCT_N1_SM;
    nas_msg m;
    nas_msg_init(&m, NAS_DL_NAS_TRANSPORT);
    struct nas_dl_nas_transport *t = &m.dl_nas_transport;
    nas_ie_set_half(&t->payload_container_type, pct);
    nas_ie_set(&t->payload_container, n1, n1_len);
    nas_ie_set(&t->pdu_session_id, &psi, 1);
    return amf_nas_encode_dl(ue, &m, out, out_len);
}

void amf_sm_relay_modify(amf_ue *ue, uint8_t psi, const uint8_t *n1, size_t n1_len,
                         const uint8_t *n2, size_t n2_len)
{
    uint8_t buf[AMF_NAS_MAX];
    size_t len = 0;
    if (psi < 1 || psi >= AMF_MAX_PSI || !n1_len || !ue->gnb)
        return; /* CM-IDLE: the SMF does not start a modification then (smf_mod.h) */
    if (dl_transport(ue, psi, n1, n1_len, buf, &len)) {
        G5_LOGE("ue %s PSI %u: cannot encode DL NAS TRANSPORT", ue->supi, psi);
        return;
    }
    if (n2_len && ue->sess[psi].up_active) {
        if (amf_ngap_pdu_modify(ue, psi, buf, len, n2, n2_len))
            G5_LOGE("ue %s PSI %u: cannot send PDU Session Resource Modify Request", ue->supi, psi);
        return;
    }
    amf_ngap_dl_nas(ue, buf, len); /* N1 only (or a T3591 retransmission) */
}

void amf_sm_n1n2_modify(amf_ue *ue, const smf_n1n2_msg *m)
{
    G5_LOGI("ue %s PSI %u: network-requested modification", ue->supi, m->psi);
    amf_sm_relay_modify(ue, m->psi, m->n1, m->n1_len, m->n2, m->n2_len);
}

/* ---- the gNB's answer -> UpdateSMContext ---- */

static void op_drop(amf_smf_op *op)
{
    for (amf_smf_op **pp = &op->ue->smf_ops; *pp; pp = &(*pp)->next)
        if (*pp == op) {
            *pp = op->next;
            break;
        }
    free(op);
}

static void on_mod_update(void *arg, int rc, const smf_update_rsp *r)
{
    amf_smf_op *op = arg;
    amf_ue *ue = op->ue;
    uint8_t psi = op->psi;
    op_drop(op);
    (void)r;
    if (rc)
        G5_LOGN("ue %s PSI %u: UpdateSMContext (modify response): %s", ue->supi, psi,
                g5_strerror(rc));
}

static void mod_result(amf_ue *ue, int64_t id, bool ok, const a1_octets *tr)
{
    uint8_t psi = id >= 1 && id < AMF_MAX_PSI ? (uint8_t)id : 0;
    if (!psi || !ue->sess[psi].ref || !ue->amf->smf) {
        G5_LOGN("ue %s: modify result for unknown PSI %lld", ue->supi, (long long)id);
        return;
    }
    smf_update_req q = {.sm_context_ref = ue->sess[psi].ref,
                        .n2_type = ok ? SMF_N2_MOD_RSP : SMF_N2_MOD_FAIL,
                        .n2 = tr->buf,
                        .n2_len = tr->len};
    amf_smf_op *op = calloc(1, sizeof *op);
    if (!op)
        return;
    op->ue = ue;
    op->psi = psi;
    op->kind = OPK_MOD_RSP;
    op->next = ue->smf_ops;
    ue->smf_ops = op;
    op->id = smf_update_sm_context(ue->amf->smf, &q, on_mod_update, op);
    if (!op->id)
        op_drop(op);
}

/* §8.2.3.2: PDU Session Resource Modify Response. */
void amf_ngap_pdu_modify_rsp(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu)
{
    amf_ue *ue = amf_ngap_find_ue(g, pdu);
    if (!ue)
        return;
    const NGAP_PDUSessionResourceModifyListModRes_t *ok =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceModifyListModRes);
    const NGAP_PDUSessionResourceFailedToModifyListModRes_t *bad =
        ngap_find_ie(pdu, NGAP_id_PDUSessionResourceFailedToModifyListModRes);
    for (size_t i = 0; ok && i < ok->count; i++)
        mod_result(ue, ok->list[i].pDUSessionID, true,
                   &ok->list[i].pDUSessionResourceModifyResponseTransfer);
    for (size_t i = 0; bad && i < bad->count; i++)
        mod_result(ue, bad->list[i].pDUSessionID, false,
                   &bad->list[i].pDUSessionResourceModifyUnsuccessfulTransfer);
}
