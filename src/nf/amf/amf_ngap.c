/* NGAP handlers of the AMF (TS 38.413 §8): NG Setup, NG Reset, Error Indication, Initial
 * UE Message, Uplink NAS Transport, Initial Context Setup, UE Context Release (PDU Session
 * Resource procedures in amf_ngap_sm.c, NG Reset in amf_ngap_reset.c). Every
 * received PDU is decoded once here; an undecodable or unexpected one is answered with
 * Error Indication carrying Criticality Diagnostics (§10), never an assert. */
#define G5_LOG_MODULE "amf"
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "nf/amf/amf_int.h"

G5_COUNTER(amf_ng_setup_ok, "amf_ng_setup_total", "NG Setup procedures", "result=\"accept\"")
G5_COUNTER(amf_ng_setup_fail, "amf_ng_setup_total", "NG Setup procedures", "result=\"reject\"")
G5_COUNTER(amf_error_ind_tx, "amf_ngap_error_indication_sent_total",
           "Error Indications sent for undecodable or unexpected NGAP messages", NULL)

uint16_t amf_ngap_ue_stream(const amf_gnb *g)
{
    g5_sctp_info info;
    if (g->assoc && g5_sctp_assoc_info(g->assoc, &info) == 0 && info.out_streams < 2)
        return 0;
    return 1; /* TS 38.412 §7: stream 0 is for non-UE-associated signalling */
}

int amf_ngap_send(amf_gnb *g, uint16_t stream, NGAP_NGAP_PDU_t *pdu)
{
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 65536);
    int rc = ngap_encode(pdu, &w);
    ngap_free(pdu);
    if (rc == 0) {
        if (g->amf->pcap)
            g5_pcap_write(g->amf->pcap, "ngap", 0x7f000001u, 38412, 0x7f000002u, 38412,
                          g5_wbuf_data(&w), g5_wbuf_len(&w));
        rc = g->send(g->send_arg, stream, g5_wbuf_data(&w), g5_wbuf_len(&w));
    } else {
        G5_LOGE("NGAP encode failed: %s", g5_strerror(rc));
    }
    g5_wbuf_free(&w);
    return rc;
}

static void send_error_ind(amf_gnb *g, int64_t amf_id, int64_t ran_id, uint32_t group, int value,
                           const NGAP_CriticalityDiagnostics_t *cd)
{
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause = ngap_cause(group, value);
    g->amf->st.error_ind_sent++;
    g5_counter_inc(&amf_error_ind_tx);
    if (ngap_build_error_indication(&pdu, amf_id, ran_id, &cause, cd) == 0)
        amf_ngap_send(g, 0, &pdu);
}

/* TS 38.413 §10.2/10.3: an undecodable message, with diagnostics from its header. */
static void error_ind_for(amf_gnb *g, const uint8_t *p, size_t n, const a1_diag *diag, int value)
{
    int type, pc, crit;
    NGAP_CriticalityDiagnostics_t cd;
    memset(&cd, 0, sizeof cd);
    bool have = ngap_peek_header(p, n, &type, &pc, &crit) == 0 &&
                ngap_criticality_diagnostics(&cd, pc, type, crit, diag) == 0;
    send_error_ind(g, -1, -1, NGAP_Cause_PR_protocol, value, have ? &cd : NULL);
    if (have)
        a1_free(&NGAP_CriticalityDiagnostics_def, &cd);
}

void amf_guami(const amf *a, ngap_guami *g)
{
    memcpy(g->plmn, a->plmn, 3);
    g->region_id = a->cfg->amf.region_id;
    g->set_id = a->cfg->amf.set_id;
    g->pointer = a->cfg->amf.pointer;
}

static uint32_t tac_u32(const a1_octets *o)
{
    return o->len == 3 ? (uint32_t)o->buf[0] << 16 | (uint32_t)o->buf[1] << 8 | o->buf[2]
                       : 0xFFFFFFFFu;
}

static bool tac_served(const amf *a, uint32_t tac)
{
    for (int i = 0; i < a->cfg->amf.ntacs; i++)
        if (a->cfg->amf.tacs[i] == tac)
            return true;
    return false;
}

/* TS 38.413 §8.7.1: accept when one supported TA is ours (PLMN and TAC). */
static bool ta_list_ok(const amf *a, const NGAP_SupportedTAList_t *l)
{
    for (size_t i = 0; l && i < l->count; i++) {
        const NGAP_SupportedTAItem_t *it = &l->list[i];
        if (!tac_served(a, tac_u32(&it->tAC)))
            continue;
        for (size_t j = 0; j < it->broadcastPLMNList.count; j++) {
            const a1_octets *pl = &it->broadcastPLMNList.list[j].pLMNIdentity;
            if (pl->len == 3 && !memcmp(pl->buf, a->plmn, 3))
                return true;
        }
    }
    return false;
}

static void handle_ng_setup(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    amf *a = g->amf;
    NGAP_NGAP_PDU_t pdu;
    const a1_octets *name = ngap_find_ie(req, NGAP_id_RANNodeName);
    amf_gnb_note_setup(g, req); /* for the operator (amf_info.c) */
    if (name)
        snprintf(g->name, sizeof g->name, "%.*s", (int)(name->len < 63 ? name->len : 63),
                 (const char *)name->buf);
    const NGAP_SupportedTAList_t *tal = ngap_find_ie(req, NGAP_id_SupportedTAList);
    if (!ta_list_ok(a, tal)) {
        NGAP_Cause_t cause = ngap_cause(NGAP_Cause_PR_misc, NGAP_CauseMisc_unknown_PLMN_or_SNPN);
        a->st.ng_setup_fail++;
        g5_counter_inc(&amf_ng_setup_fail);
        G5_LOGN("NG Setup from %s (%s) rejected: no supported TA in PLMN %s%s", g->name, g->peer,
                a->cfg->plmn.mcc, a->cfg->plmn.mnc);
        if (ngap_build_ng_setup_failure(&pdu, &cause) == 0) {
            NGAP_TimeToWait_t *ttw = ngap_add_ie(&pdu, NGAP_id_TimeToWait);
            if (ttw)
                *ttw = NGAP_TimeToWait_v5s;
            amf_ngap_send(g, 0, &pdu);
        }
        return;
    }
    ngap_guami guami;
    amf_guami(a, &guami);
    ngap_snssai sl[G5_MAX_SLICES];
    int ns = a->cfg->amf.nslices;
    for (int i = 0; i < ns; i++) {
        uint32_t sd = a->cfg->amf.slices[i].sd;
        sl[i] = (ngap_snssai){.sst = a->cfg->amf.slices[i].sst,
                              .has_sd = sd != 0xFFFFFF,
                              .sd = {(uint8_t)(sd >> 16), (uint8_t)(sd >> 8), (uint8_t)sd}};
    }
    if (ngap_build_ng_setup_response(&pdu, a->cfg->amf.name, &guami, sl, (size_t)ns,
                                     a->cfg->amf.relative_capacity) == 0 &&
        amf_ngap_send(g, 0, &pdu) == 0) {
        g->setup_done = true;
        amf_paging_learn_tas(g, tal);
        a->st.ng_setup_ok++;
        g5_counter_inc(&amf_ng_setup_ok);
        G5_LOGI("NG Setup from %s (%s) accepted", g->name, g->peer);
    }
}

static void handle_initial_ue(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    const NGAP_RAN_UE_NGAP_ID_t *ran = ngap_find_ie(req, NGAP_id_RAN_UE_NGAP_ID);
    const NGAP_NAS_PDU_t *nas = ngap_find_ie(req, NGAP_id_NAS_PDU);
    const NGAP_UserLocationInformation_t *uli = ngap_find_ie(req, NGAP_id_UserLocationInformation);
    if (!ran || !nas) {
        send_error_ind(g, -1, ran ? *ran : -1, NGAP_Cause_PR_protocol,
                       NGAP_CauseProtocol_abstract_syntax_error_falsely_constructed_message, NULL);
        return;
    }
    uint8_t plmn[3] = {0};
    uint32_t tac = 0;
    if (uli && uli->present == NGAP_UserLocationInformation_PR_userLocationInformationNR) {
        const NGAP_TAI_t *tai = &uli->userLocationInformationNR.tAI;
        if (tai->pLMNIdentity.len == 3)
            memcpy(plmn, tai->pLMNIdentity.buf, 3);
        tac = tac_u32(&tai->tAC);
    }
    amf_initial_ue(g, *ran, nas->buf, nas->len, plmn, tac);
}

/* The UE of a UE-associated message: both IDs must match (TS 38.413 §10.6). */
amf_ue *amf_ngap_find_ue(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    const NGAP_AMF_UE_NGAP_ID_t *aid = ngap_find_ie(req, NGAP_id_AMF_UE_NGAP_ID);
    const NGAP_RAN_UE_NGAP_ID_t *rid = ngap_find_ie(req, NGAP_id_RAN_UE_NGAP_ID);
    const NGAP_UE_NGAP_IDs_t *ids = ngap_find_ie(req, NGAP_id_UE_NGAP_IDs);
    int64_t a = aid ? *aid : -1, r = rid ? *rid : -1;
    if (ids && ids->present == NGAP_UE_NGAP_IDs_PR_uE_NGAP_ID_pair) {
        a = ids->uE_NGAP_ID_pair.aMF_UE_NGAP_ID;
        r = ids->uE_NGAP_ID_pair.rAN_UE_NGAP_ID;
    } else if (ids && ids->present == NGAP_UE_NGAP_IDs_PR_aMF_UE_NGAP_ID) {
        a = ids->aMF_UE_NGAP_ID;
    }
    amf_ue *ue = a >= 0 ? g5_hmap_get(&g->amf->ue_by_id, (uint64_t)a) : NULL;
    if (!ue || ue->gnb != g || (r >= 0 && ue->ran_ue_id != r)) {
        G5_LOGN("gNB %s: unknown UE (AMF UE NGAP ID %lld, RAN UE NGAP ID %lld)", g->name,
                (long long)a, (long long)r);
        send_error_ind(g, a, r, NGAP_Cause_PR_radioNetwork,
                       ue ? NGAP_CauseRadioNetwork_inconsistent_remote_UE_NGAP_ID
                          : NGAP_CauseRadioNetwork_unknown_local_UE_NGAP_ID,
                       NULL);
        return NULL;
    }
    return ue;
}

static void handle_ul_nas(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    amf_ue *ue = amf_ngap_find_ue(g, req);
    const NGAP_NAS_PDU_t *nas = ngap_find_ie(req, NGAP_id_NAS_PDU);
    if (ue && nas)
        amf_nas_rx(ue, nas->buf, nas->len, false);
}

static void handle_release_request(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    amf_ue *ue = amf_ngap_find_ue(g, req);
    const NGAP_Cause_t *c = ngap_find_ie(req, NGAP_id_Cause);
    if (!ue || ue->releasing)
        return;
    if (c && c->present == NGAP_Cause_PR_radioNetwork)
        amf_ngap_release(ue, NGAP_Cause_PR_radioNetwork, (int)c->radioNetwork);
    else
        amf_ngap_release(ue, NGAP_Cause_PR_nas, NGAP_CauseNas_normal_release);
}

static void handle_release_complete(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    amf_ue *ue = amf_ngap_find_ue(g, req);
    if (ue)
        amf_ue_unbind(ue);
}

static void handle_ics_result(amf_gnb *g, const NGAP_NGAP_PDU_t *req, bool ok)
{
    amf_ue *ue = amf_ngap_find_ue(g, req);
    if (!ue)
        return;
    if (ok) {
        G5_LOGD("ue %s: Initial Context Setup Response", ue->supi);
        amf_ngap_ics_sessions(ue, req);
        return;
    }
    G5_LOGN("ue %s: Initial Context Setup Failure", ue->supi);
    amf_ngap_release(ue, NGAP_Cause_PR_nas, NGAP_CauseNas_unspecified);
}

static void dispatch(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu)
{
    int pc = ngap_procedure_code(pdu);
    if (pdu->present == NGAP_MSG_INITIATING && pc == NGAP_id_NGSetup)
        return handle_ng_setup(g, pdu);
    if (pdu->present == NGAP_MSG_INITIATING && pc == NGAP_id_ErrorIndication) {
        G5_LOGN("gNB %s sent Error Indication", g->name);
        return;
    }
    if (!g->setup_done) { /* TS 38.413 §8.7.1.1: NG Setup first */
        send_error_ind(g, -1, -1, NGAP_Cause_PR_protocol,
                       NGAP_CauseProtocol_message_not_compatible_with_receiver_state, NULL);
        return;
    }
    if (pdu->present == NGAP_MSG_INITIATING) {
        switch (pc) {
        case NGAP_id_NGReset: return amf_ngap_ng_reset_rx(g, pdu); /* amf_ngap_reset.c */
        case NGAP_id_InitialUEMessage: return handle_initial_ue(g, pdu);
        case NGAP_id_UplinkNASTransport: return handle_ul_nas(g, pdu);
        case NGAP_id_UEContextReleaseRequest: return handle_release_request(g, pdu);
        default: break;
        }
    } else if (pdu->present == NGAP_MSG_SUCCESSFUL && pc == NGAP_id_NGReset) {
        return amf_ngap_ng_reset_ack_rx(g, pdu);
    } else if (pc == NGAP_id_InitialContextSetup) {
        return handle_ics_result(g, pdu, pdu->present == NGAP_MSG_SUCCESSFUL);
    } else if (pdu->present == NGAP_MSG_SUCCESSFUL && pc == NGAP_id_UEContextRelease) {
        return handle_release_complete(g, pdu);
    } else if (pdu->present == NGAP_MSG_SUCCESSFUL && pc == NGAP_id_PDUSessionResourceSetup) {
        return amf_ngap_pdu_setup_rsp(g, pdu);
    } else if (pdu->present == NGAP_MSG_SUCCESSFUL && pc == NGAP_id_PDUSessionResourceRelease) {
        return amf_ngap_pdu_release_rsp(g, pdu);
    } else if (pdu->present == NGAP_MSG_SUCCESSFUL && pc == NGAP_id_PDUSessionResourceModify) {
        return amf_ngap_pdu_modify_rsp(g, pdu);
    }
    G5_LOGN("gNB %s: NGAP procedure %d (type %u) not handled", g->name, pc, pdu->present);
    send_error_ind(g, -1, -1, NGAP_Cause_PR_protocol,
                   NGAP_CauseProtocol_message_not_compatible_with_receiver_state, NULL);
}

void amf_ngap_rx(amf_gnb *g, uint16_t stream, const uint8_t *p, size_t n)
{
    NGAP_NGAP_PDU_t pdu;
    a1_diag diag;
    (void)stream;
    memset(&diag, 0, sizeof diag);
    if (g->amf->pcap)
        g5_pcap_write(g->amf->pcap, "ngap", 0x7f000002u, 38412, 0x7f000001u, 38412, p, n);
    if (ngap_decode(&pdu, p, n, &diag) != 0) {
        G5_LOGN("gNB %s: undecodable NGAP message (%zu bytes)", g->name, n);
        error_ind_for(g, p, n, &diag, NGAP_CauseProtocol_transfer_syntax_error);
        return;
    }
    dispatch(g, &pdu);
    ngap_free(&pdu);
}

void amf_ngap_dl_nas(amf_ue *ue, const uint8_t *nas, size_t n)
{
    NGAP_NGAP_PDU_t pdu;
    if (!ue->gnb)
        return;
    if (ngap_build_downlink_nas_transport(&pdu, (int64_t)ue->amf_ue_id, ue->ran_ue_id, nas, n) == 0)
        amf_ngap_send(ue->gnb, amf_ngap_ue_stream(ue->gnb), &pdu);
}

/* TS 38.413 §8.3.1: Initial Context Setup with KgNB, security capabilities, GUAMI and the
 * allowed NSSAI, carrying a NAS PDU (Registration Accept / Service Accept). */
void amf_ngap_ics_request(amf_ue *ue, const uint8_t *nas, size_t n)
{
    NGAP_NGAP_PDU_t pdu;
    ngap_guami guami;
    ngap_snssai sl[G5_MAX_SLICES];
    uint16_t caps[4];
    uint8_t kgnb[32];
    if (!ue->gnb || amf_kgnb(ue, kgnb))
        return;
    amf_guami(ue->amf, &guami);
    for (int i = 0; i < ue->n_allowed; i++) {
        uint32_t sd = ue->allowed[i].sd;
        sl[i] = (ngap_snssai){.sst = ue->allowed[i].sst,
                              .has_sd = sd != 0xFFFFFF,
                              .sd = {(uint8_t)(sd >> 16), (uint8_t)(sd >> 8), (uint8_t)sd}};
    }
    amf_ngap_sec_caps(&ue->caps, caps);
    int rc = ngap_build_initial_context_setup_request(&pdu, (int64_t)ue->amf_ue_id, ue->ran_ue_id,
                                                      &guami, sl, (size_t)ue->n_allowed, caps, kgnb,
                                                      nas, n);
    memset(kgnb, 0, sizeof kgnb);
    if (rc == 0 && (rc = amf_ngap_add_cxt_sessions(ue, &pdu)) != 0)
        ngap_free(&pdu);
    if (rc == 0 && amf_ngap_send(ue->gnb, amf_ngap_ue_stream(ue->gnb), &pdu) == 0)
        ue->ics_sent = true;
}

/* TS 38.413 §8.3.3: UE Context Release Command; the context goes at Release Complete. */
void amf_ngap_release(amf_ue *ue, uint32_t group, int value)
{
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause = ngap_cause(group, value);
    if (!ue->gnb || ue->releasing)
        return;
    ue->releasing = true;
    if (ngap_build_ue_context_release_command(&pdu, (int64_t)ue->amf_ue_id, ue->ran_ue_id,
                                              &cause) == 0)
        amf_ngap_send(ue->gnb, amf_ngap_ue_stream(ue->gnb), &pdu);
}
