/* NG Reset (TS 38.413 §8.7.4) in both directions.
 *
 * From the gNB (§8.7.4.2.2): ResetType nG-Interface releases every UE-associated logical
 * NG-connection of that gNB; partOfNG-Interface releases only the listed ones, and the
 * NG RESET ACKNOWLEDGE then carries the UE-associated logical NG-connection list with the
 * same items in the same order (each with the AMF and RAN UE NGAP IDs we know for it).
 * Releasing a connection is local (no UE Context Release Command: the gNB has already
 * dropped it): a registered UE goes CM-IDLE, an unregistered one is forgotten.
 *
 * From the AMF (§8.7.4.2.1, `glass5g ctl ng-reset`): the whole interface; UE connections
 * are released locally first, then NG RESET (cause misc/O&M intervention) goes out and the
 * gNB's NG RESET ACKNOWLEDGE is counted. */
#define G5_LOG_MODULE "amf"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "nf/amf/amf_int.h"

static size_t release_all(amf_gnb *g)
{
    uint64_t k;
    void *v;
    size_t n = 0;
    for (size_t i = 0; g5_hmap_next(&g->ues, &i, &k, &v); i = 0, n++)
        amf_ue_unbind(v);
    return n;
}

/* The UE one list item names on this gNB: by AMF UE NGAP ID if given, else by RAN UE
 * NGAP ID; both given must agree (§10.6). */
static amf_ue *item_ue(amf_gnb *g, const NGAP_UE_associatedLogicalNG_connectionItem_t *it)
{
    amf_ue *ue = NULL;
    if (it->aMF_UE_NGAP_ID)
        ue = g5_hmap_get(&g->amf->ue_by_id, (uint64_t)*it->aMF_UE_NGAP_ID);
    else if (it->rAN_UE_NGAP_ID)
        ue = g5_hmap_get(&g->ues, (uint64_t)*it->rAN_UE_NGAP_ID);
    if (!ue || ue->gnb != g || (it->rAN_UE_NGAP_ID && ue->ran_ue_id != *it->rAN_UE_NGAP_ID))
        return NULL;
    return ue;
}

static int64_t *new_id(int64_t v)
{
    int64_t *p = malloc(sizeof *p);
    if (p)
        *p = v;
    return p;
}

/* One item of the acknowledge list: the IDs we know, else those received. */
static int ack_item(NGAP_UE_associatedLogicalNG_connectionItem_t *out,
                    const NGAP_UE_associatedLogicalNG_connectionItem_t *in, const amf_ue *ue)
{
    bool has_a = ue || in->aMF_UE_NGAP_ID, has_r = ue || in->rAN_UE_NGAP_ID;
    if (has_a &&
        !(out->aMF_UE_NGAP_ID = new_id(ue ? (int64_t)ue->amf_ue_id : (int64_t)*in->aMF_UE_NGAP_ID)))
        return G5_ERR_NOMEM;
    if (has_r && !(out->rAN_UE_NGAP_ID = new_id(ue ? ue->ran_ue_id : *in->rAN_UE_NGAP_ID)))
        return G5_ERR_NOMEM;
    return 0;
}

static void partial_reset(amf_gnb *g, const NGAP_UE_associatedLogicalNG_connectionList_t *l)
{
    NGAP_NGAP_PDU_t pdu;
    if (ngap_build_ng_reset_acknowledge(&pdu) != 0)
        return;
    NGAP_UE_associatedLogicalNG_connectionList_t *al =
        ngap_add_ie(&pdu, NGAP_id_UE_associatedLogicalNG_connectionList);
    int rc = al ? 0 : G5_ERR_NOMEM;
    if (!rc && !(al->list = calloc(l->count, sizeof *al->list)))
        rc = G5_ERR_NOMEM;
    size_t released = 0;
    for (size_t i = 0; i < l->count; i++) {
        amf_ue *ue = item_ue(g, &l->list[i]);
        if (!rc && (rc = ack_item(&al->list[i], &l->list[i], ue)) == 0)
            al->count = i + 1;
        if (ue) {
            amf_ue_unbind(ue); /* may free ue: nothing reads it after this */
            released++;
        }
    }
    G5_LOGN("NG Reset (partial, %zu items) from %s: %zu UE connections released", l->count, g->name,
            released);
    if (rc) {
        G5_LOGE("NG Reset Acknowledge not built: %s", g5_strerror(rc));
        ngap_free(&pdu);
        return;
    }
    amf_ngap_send(g, 0, &pdu);
}

void amf_ngap_ng_reset_rx(amf_gnb *g, const NGAP_NGAP_PDU_t *req)
{
    const NGAP_ResetType_t *rt = ngap_find_ie(req, NGAP_id_ResetType);
    g->amf->st.ng_reset++;
    if (rt && rt->present == NGAP_ResetType_PR_partOfNG_Interface) {
        partial_reset(g, &rt->partOfNG_Interface);
        return;
    }
    NGAP_NGAP_PDU_t pdu;
    size_t n = release_all(g);
    G5_LOGN("NG Reset from %s: %zu UE connections released", g->name, n);
    if (ngap_build_ng_reset_acknowledge(&pdu) == 0)
        amf_ngap_send(g, 0, &pdu);
}

void amf_ngap_ng_reset_ack_rx(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu)
{
    (void)pdu;
    g->amf->st.ng_reset_ack++;
    G5_LOGN("NG Reset Acknowledge from %s", g->name);
}

int amf_ng_reset(amf *a, uint32_t num, size_t *released)
{
    amf_gnb *g = g5_hmap_get(&a->gnbs, num);
    *released = 0;
    if (!g)
        return G5_ERR_NOT_FOUND;
    if (!g->setup_done)
        return G5_ERR_STATE;
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause = ngap_cause(NGAP_Cause_PR_misc, NGAP_CauseMisc_om_intervention);
    *released = release_all(g);
    G5_LOGN("NG Reset to %s by the operator: %zu UE connections released", g->name, *released);
    int rc = ngap_build_ng_reset(&pdu, &cause);
    if (rc == 0)
        rc = amf_ngap_send(g, 0, &pdu);
    if (rc == 0)
        a->st.ng_reset_sent++;
    return rc;
}
