/* Operator view of the AMF (`glass5g ctl`, docs/ctl.md): read-only snapshots of gNB and
 * UE contexts copied into plain structs, and the operator's actions on one UE
 * (network-initiated deregistration, network-requested PDU session release). Nothing
 * here changes the AMF's procedures; it only reads contexts and calls the existing
 * entry points. */
#define G5_LOG_MODULE "amf"
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nf/amf/amf_int.h"

/* Global RAN Node ID (TS 38.413 §9.3.1.5, gNB only) and Supported TA List (§9.3.3.13) of
 * an NG Setup Request, kept for gnb-list. */
void amf_gnb_note_setup(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    const NGAP_GlobalRANNodeID_t *id = ngap_find_ie(req, NGAP_id_GlobalRANNodeID);
    g->has_id = false;
    if (id && id->present == NGAP_GlobalRANNodeID_PR_globalGNB_ID) {
        const NGAP_GlobalGNB_ID_t *gg = &id->globalGNB_ID;
        const a1_bits *b = &gg->gNB_ID.gNB_ID;
        if (gg->gNB_ID.present == NGAP_GNB_ID_PR_gNB_ID && gg->pLMNIdentity.len == 3 &&
            b->nbits >= 22 && b->nbits <= 32) {
            uint32_t v = 0;
            for (size_t i = 0; i < b->nbits; i++)
                v = v << 1 | ((b->buf[i / 8] >> (7 - i % 8)) & 1u);
            memcpy(g->id_plmn, gg->pLMNIdentity.buf, 3);
            g->gnb_id = v;
            g->gnb_id_bits = (uint8_t)b->nbits;
            g->has_id = true;
        }
    }
    /* its Supported TA List is kept by amf_paging_learn_tas (g->ta) */
}

size_t amf_gnb_count(const amf *a)
{
    return g5_hmap_len(&a->gnbs);
}

static void gnb_info(const amf_gnb *g, amf_gnb_info *o)
{
    memset(o, 0, sizeof *o);
    o->num = g->num;
    o->setup_done = g->setup_done;
    memcpy(o->name, g->name, sizeof o->name);
    memcpy(o->peer, g->peer, sizeof o->peer);
    o->has_id = g->has_id;
    memcpy(o->plmn, g->id_plmn, 3);
    o->gnb_id = g->gnb_id;
    o->gnb_id_bits = g->gnb_id_bits;
    for (unsigned i = 0; i < g->nta && o->ntas < AMF_GNB_MAX_TAS; i++) { /* distinct TACs */
        bool seen = false;
        for (unsigned k = 0; k < o->ntas && !seen; k++)
            seen = o->tacs[k] == g->ta[i].tac;
        if (!seen)
            o->tacs[o->ntas++] = g->ta[i].tac;
    }
    o->nues = g5_hmap_len(&g->ues);
}

bool amf_gnb_info_next(const amf *a, size_t *it, amf_gnb_info *out)
{
    uint64_t k;
    void *v;
    if (!g5_hmap_next(&a->gnbs, it, &k, &v))
        return false;
    gnb_info(v, out);
    return true;
}

int amf_gnb_info_get(const amf *a, uint32_t num, amf_gnb_info *out)
{
    const amf_gnb *g = g5_hmap_get(&a->gnbs, num);
    if (!g)
        return G5_ERR_NOT_FOUND;
    gnb_info(g, out);
    return 0;
}

static void ue_info(const amf_ue *ue, amf_ue_info *o)
{
    const amf *a = ue->amf;
    memset(o, 0, sizeof *o);
    snprintf(o->supi, sizeof o->supi, "%s", ue->supi);
    o->amf_ue_ngap_id = ue->amf_ue_id;
    o->gmm_state = ue->fi->fsm->states[ue->fi->state].name;
    o->registered = ue->fi->state == GMM_REGISTERED || ue->fi->state == GMM_DEREG_INITIATED;
    o->connected = ue->gnb != NULL;
    if (ue->gnb) {
        o->gnb_num = ue->gnb->num;
        o->ran_ue_ngap_id = ue->ran_ue_id;
    }
    /* 5G-GUTI (TS 23.003 §2.10.1): GUAMI of this AMF + the 5G-TMSI it allocated */
    o->has_guti = ue->has_tmsi;
    memcpy(o->guti_plmn, a->plmn, 3);
    o->amf_region_id = a->cfg->amf.region_id;
    o->amf_set_id = a->cfg->amf.set_id;
    o->amf_pointer = a->cfg->amf.pointer;
    o->tmsi = ue->tmsi;
    memcpy(o->tai_plmn, ue->tai_plmn, 3);
    o->tac = ue->tai_tac;
    for (uint8_t psi = 1; psi < AMF_MAX_PSI; psi++) {
        const amf_sess *s = &ue->sess[psi];
        if (!s->ref && !s->creating)
            continue;
        o->sess[o->nsess++] = (amf_ue_sess_info){.psi = psi,
                                                 .sm_context_ref = s->ref,
                                                 .snssai = s->snssai,
                                                 .up_active = s->up_active,
                                                 .creating = s->creating};
    }
}

bool amf_ue_info_next(const amf *a, size_t *it, amf_ue_info *out)
{
    uint64_t k;
    void *v;
    if (!g5_hmap_next(&a->ue_by_id, it, &k, &v))
        return false;
    ue_info(v, out);
    return true;
}

static amf_ue *ue_by_supi(const amf *a, const char *supi)
{
    uint64_t k = g5_sbi_supi_key(supi);
    return k ? g5_hmap_get(&a->ue_by_supi, k) : NULL;
}

int amf_ue_info_get(const amf *a, const char *supi, amf_ue_info *out)
{
    const amf_ue *ue = ue_by_supi(a, supi);
    if (!ue)
        return G5_ERR_NOT_FOUND;
    ue_info(ue, out);
    return 0;
}

int amf_deregister_ue_type(amf *a, const char *supi, bool reregister)
{
    amf_ue *ue = ue_by_supi(a, supi);
    if (!ue)
        return G5_ERR_NOT_FOUND;
    amf_nw_deregister(ue, reregister);
    return 0;
}

int amf_pdu_session_ref(amf *a, const char *supi, uint8_t psi, uint64_t *ref)
{
    amf_ue *ue = ue_by_supi(a, supi);
    if (!ue || psi < 1 || psi >= AMF_MAX_PSI)
        return G5_ERR_NOT_FOUND;
    const amf_sess *s = &ue->sess[psi];
    if (!s->ref)
        return s->creating ? G5_ERR_STATE : G5_ERR_NOT_FOUND;
    *ref = s->ref;
    return 0;
}

int amf_release_pdu_session(amf *a, const char *supi, uint8_t psi, uint8_t cause_5gsm)
{
    amf_ue *ue = ue_by_supi(a, supi);
    if (!ue || psi < 1 || psi >= AMF_MAX_PSI)
        return G5_ERR_NOT_FOUND;
    const amf_sess *s = &ue->sess[psi];
    if (!s->ref)
        return s->creating ? G5_ERR_STATE : G5_ERR_NOT_FOUND;
    if (!a->smf)
        return G5_ERR_STATE;
    G5_LOGI("ue %s PSI %u: release requested by the operator (5GSM cause #%u)", ue->supi, psi,
            cause_5gsm);
    /* The SMF sends the RELEASE COMMAND through amf_smf_n1n2 and deletes the PFCP session. */
    return smf_release_network(a->smf, s->ref, cause_5gsm);
}
