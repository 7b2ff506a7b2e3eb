/* AMF: network-triggered service request (TS 23.502 §4.2.3.3) and paging (TS 24.501
 * §5.6.2, TS 38.413 §8.5.1).
 *
 * The SMF asks for a session's user plane with an N1N2 of kind SMF_N1N2_ACTIVATE
 * carrying the PDU Session Resource Setup Request Transfer. A CM-CONNECTED UE gets it at
 * once in a PDU Session Resource Setup Request (§4.2.3.3 step 4a). For a CM-IDLE UE the
 * AMF sends Paging (UE Paging Identity = 5G-S-TMSI, TAI List for Paging = the UE's
 * registration area) to every NG-set-up gNB whose Supported TA List has one of those TAIs
 * and starts T3513; on expiry Paging goes again, up to paging_retx times, then the SMF is
 * told (Namf_Communication_N1N2TransferFailureNotification, step 4b/6: smf_n1n2_failure)
 * and the session stays deactivated. The UE answers with a Service Request (amf_nas.c):
 * T3513 stops and the paged sessions are re-activated with those in its Uplink data
 * status (TS 23.502 §4.2.3.2). A second N1N2 while paging runs adds its PSI without a new
 * Paging (§4.2.3.3 step 4c). */
#define G5_LOG_MODULE "amf"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "nf/amf/amf_int.h"

G5_COUNTER(amf_paging_tx, "amf_paging_sent_total", "NGAP Paging messages sent (per gNB)", NULL)
G5_COUNTER(amf_paging_to, "amf_paging_timeout_total",
           "paging attempts given up after T3513 retransmissions", NULL)

struct amf_paging {
    g5_timer *t3513;
    unsigned retx; /* retransmissions done */
    uint16_t psis; /* sessions waiting for the UE (bit n = PSI n) */
};

/* ---- gNB tracking areas ---- */

static uint32_t tac_of(const a1_octets *o)
{
    return o->len == 3 ? (uint32_t)o->buf[0] << 16 | (uint32_t)o->buf[1] << 8 | o->buf[2]
                       : 0xFFFFFFFFu;
}

void amf_paging_learn_tas(amf_gnb *g, const NGAP_SupportedTAList_t *l)
{
    g->nta = 0;
    for (size_t i = 0; l && i < l->count; i++) {
        const NGAP_SupportedTAItem_t *it = &l->list[i];
        uint32_t tac = tac_of(&it->tAC);
        for (size_t j = 0; tac <= 0xFFFFFF && j < it->broadcastPLMNList.count; j++) {
            const a1_octets *pl = &it->broadcastPLMNList.list[j].pLMNIdentity;
            if (pl->len != 3 || g->nta >= AMF_GNB_MAX_TA)
                continue;
            memcpy(g->ta[g->nta].plmn, pl->buf, 3);
            g->ta[g->nta++].tac = tac;
        }
    }
}

/* The gNB serves a TAI of the UE's registration area: the AMF's PLMN and one of its TACs,
 * the list sent in Registration Accept (amf_nas.c). */
static bool gnb_in_area(const amf_gnb *g)
{
    const amf *a = g->amf;
    for (unsigned i = 0; i < g->nta; i++) {
        if (memcmp(g->ta[i].plmn, a->plmn, 3) != 0)
            continue;
        for (int k = 0; k < a->cfg->amf.ntacs; k++)
            if (a->cfg->amf.tacs[k] == g->ta[i].tac)
                return true;
    }
    return false;
}

/* ---- the Paging message (TS 38.413 §9.2.4.1) ---- */

static int set_bits(a1_bits *b, uint32_t v, unsigned nbits)
{
    uint8_t t[4];
    uint32_t left = v << (32 - nbits); /* MSB first */
    for (int i = 0; i < 4; i++)
        t[i] = (uint8_t)(left >> (24 - 8 * i));
    return a1_bits_set(b, t, nbits);
}

int amf_paging_build(NGAP_NGAP_PDU_t *pdu, uint16_t amf_set_id, uint8_t amf_pointer, uint32_t tmsi,
                     const uint8_t plmn[3], const uint32_t *tacs, size_t n)
{
    if (!n || n > NGAP_maxnoofTAIforPaging)
        return G5_ERR_INVALID;
    int rc = ngap_msg_init(pdu, NGAP_MSG_INITIATING, NGAP_id_Paging);
    if (rc)
        return rc;
    NGAP_UEPagingIdentity_t *id = ngap_add_ie(pdu, NGAP_id_UEPagingIdentity);
    rc = id ? 0 : G5_ERR_NOMEM;
    if (!rc) { /* §9.3.3.20 5G-S-TMSI: AMF Set ID (10), AMF Pointer (6), 5G-TMSI */
        uint8_t t[4] = {(uint8_t)(tmsi >> 24), (uint8_t)(tmsi >> 16), (uint8_t)(tmsi >> 8),
                        (uint8_t)tmsi};
        id->present = NGAP_UEPagingIdentity_PR_fiveG_S_TMSI;
        rc = set_bits(&id->fiveG_S_TMSI.aMFSetID, amf_set_id, 10);
        if (!rc)
            rc = set_bits(&id->fiveG_S_TMSI.aMFPointer, amf_pointer, 6);
        if (!rc)
            rc = a1_octets_set(&id->fiveG_S_TMSI.fiveG_TMSI, t, 4);
    }
    NGAP_TAIListForPaging_t *tl = rc ? NULL : ngap_add_ie(pdu, NGAP_id_TAIListForPaging);
    if (!rc && (!tl || !(tl->list = calloc(n, sizeof *tl->list))))
        rc = G5_ERR_NOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        uint8_t tac[3] = {(uint8_t)(tacs[i] >> 16), (uint8_t)(tacs[i] >> 8), (uint8_t)tacs[i]};
        tl->count++;
        rc = a1_octets_set(&tl->list[i].tAI.pLMNIdentity, plmn, 3);
        if (!rc)
            rc = a1_octets_set(&tl->list[i].tAI.tAC, tac, 3);
    }
    if (rc)
        ngap_free(pdu);
    return rc;
}

/* One Paging to every gNB of the registration area (non-UE-associated: stream 0). */
static unsigned send_paging(amf_ue *ue)
{
    amf *a = ue->amf;
    uint32_t tacs[NGAP_maxnoofTAIforPaging];
    size_t n = 0;
    for (int k = 0; k < a->cfg->amf.ntacs && n < NGAP_maxnoofTAIforPaging; k++)
        tacs[n++] = a->cfg->amf.tacs[k];
    unsigned sent = 0;
    uint64_t key;
    void *v;
    for (size_t i = 0; g5_hmap_next(&a->gnbs, &i, &key, &v);) {
        amf_gnb *g = v;
        NGAP_NGAP_PDU_t pdu;
        if (!g->setup_done || !gnb_in_area(g) ||
            amf_paging_build(&pdu, a->cfg->amf.set_id, a->cfg->amf.pointer, ue->tmsi, a->plmn, tacs,
                             n))
            continue;
        if (amf_ngap_send(g, 0, &pdu) == 0) {
            sent++;
            a->st.paging_sent++;
            g5_counter_inc(&amf_paging_tx);
        }
    }
    return sent;
}

/* ---- T3513 ---- */

static void give_up(amf_ue *ue)
{
    amf *a = ue->amf;
    uint16_t psis = ue->paging->psis;
    a->st.paging_timeout++;
    g5_counter_inc(&amf_paging_to);
    G5_LOGN("ue %s: no answer to paging after %u retransmissions", ue->supi, a->t.paging_retx);
    amf_paging_free(ue);
    for (uint8_t psi = 1; psi < AMF_MAX_PSI && a->smf; psi++)
        if ((psis & (1u << psi)) && ue->sess[psi].ref)
            smf_n1n2_failure(a->smf, ue->sess[psi].ref);
}

static void t3513_expired(g5_timer *t, void *arg)
{
    amf_ue *ue = arg;
    amf_paging *p = ue->paging;
    if (p->retx >= ue->amf->t.paging_retx || ue->gnb) {
        give_up(ue); /* frees this timer (safe from its callback) */
        return;
    }
    p->retx++;
    ue->amf->st.paging_retx++;
    G5_LOGI("ue %s: T3513 expired, Paging again (%u)", ue->supi, p->retx);
    send_paging(ue);
    g5_timer_start(t, ue->amf->t.t3513_ms);
}

/* ---- N1N2 ---- */

/* §4.2.3.3 step 4a: the UE is connected, the session's resources go to its gNB now. */
static void setup_connected(amf_ue *ue, const smf_n1n2_msg *m)
{
    amf_sess *x = &ue->sess[m->psi];
    ue->amf->st.paging_connected++;
    if (amf_ngap_pdu_setup(ue, m->psi, &x->snssai, NULL, 0, m->n2, m->n2_len))
        G5_LOGE("ue %s PSI %u: cannot send PDU Session Resource Setup Request", ue->supi, m->psi);
}

void amf_paging_n1n2(amf_ue *ue, const smf_n1n2_msg *m)
{
    amf *a = ue->amf;
    a->st.paging_n1n2++;
    if (ue->gnb && !ue->releasing && ue->ics_sent)
        return setup_connected(ue, m);
    if (ue->paging) { /* step 4c: already paging; the session joins the attempt */
        ue->paging->psis |= (uint16_t)(1u << m->psi);
        return;
    }
    if (!ue->has_tmsi || ue->fi->state != GMM_REGISTERED) {
        G5_LOGN("ue %s PSI %u: cannot page (no 5G-GUTI or not registered)", ue->supi, m->psi);
        if (a->smf)
            smf_n1n2_failure(a->smf, m->sm_context_ref);
        return;
    }
    amf_paging *p = calloc(1, sizeof *p);
    if (!p || !(p->t3513 = g5_timer_new(a->loop, t3513_expired, ue))) {
        free(p);
        if (a->smf)
            smf_n1n2_failure(a->smf, m->sm_context_ref);
        return;
    }
    p->psis = (uint16_t)(1u << m->psi);
    ue->paging = p;
    if (ue->gnb && !ue->releasing) { /* connecting (e.g. its Service Request is running):
                                          the PSI waits for it, no Paging */
        g5_timer_start(p->t3513, a->t.t3513_ms);
        return;
    }
    unsigned n = send_paging(ue);
    G5_LOGI("ue %s PSI %u: downlink data, paged through %u gNB(s) (5G-TMSI %08x)", ue->supi, m->psi,
            n, ue->tmsi);
    g5_timer_start(p->t3513, a->t.t3513_ms);
}

uint16_t amf_paging_answered(amf_ue *ue)
{
    if (!ue->paging)
        return 0;
    uint16_t psis = ue->paging->psis;
    ue->amf->st.paging_answered++;
    amf_paging_free(ue); /* TS 24.501 §5.6.2.2.1: T3513 stops */
    return psis;
}

void amf_paging_free(amf_ue *ue)
{
    if (!ue->paging)
        return;
    g5_timer_free(ue->paging->t3513);
    free(ue->paging);
    ue->paging = NULL;
}
