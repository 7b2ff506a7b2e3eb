/* NGAP message layer: decode/encode, IE lookup, descriptor-driven message construction and
 * builders for the procedures of TS 38.413 clause 8 that the AMF and gNB simulator use.
 * See ngap_msg.h. */
#include "ngap/ngap_msg.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

int ngap_decode(NGAP_NGAP_PDU_t *pdu, const uint8_t *p, size_t n, a1_diag *diag)
{
    return a1_decode(&NGAP_NGAP_PDU_def, pdu, p, n, diag);
}

int ngap_encode(const NGAP_NGAP_PDU_t *pdu, g5_wbuf *out)
{
    return a1_encode(&NGAP_NGAP_PDU_def, pdu, out);
}

void ngap_free(NGAP_NGAP_PDU_t *pdu)
{
    a1_free(&NGAP_NGAP_PDU_def, pdu);
}

/* X.691: NGAP-PDU is an extensible CHOICE of 3 (1 ext bit + 2 index bits), each alternative
 * a SEQUENCE {procedureCode INTEGER (0..255) (one aligned octet), criticality ENUMERATED
 * of 3 (2 bits), value}. */
int ngap_peek_header(const uint8_t *p, size_t n, int *type, int *procedure_code, int *criticality)
{
    if (n < 3)
        return G5_ERR_TRUNCATED;
    if (p[0] & 0x80)
        return G5_ERR_UNSUPPORTED; /* extension alternative */
    int idx = (p[0] >> 5) & 3;
    if (idx > 2 || (p[2] >> 6) > 2)
        return G5_ERR_INVALID;
    *type = idx + 1;
    *procedure_code = p[1];
    *criticality = p[2] >> 6;
    return 0;
}

/* The message SEQUENCE inside the PDU: returns its descriptor and address. */
static void *message(const NGAP_NGAP_PDU_t *pdu, const a1_type **mt)
{
    if (pdu->present < 1 || pdu->present > 3)
        return NULL;
    const a1_member *pm = &NGAP_NGAP_PDU_def.m[pdu->present - 1];
    const uint8_t *msg = (const uint8_t *)pdu + pm->offset;
    const a1_member *vm = &pm->type->m[2]; /* value */
    const uint8_t *open = msg + vm->offset;
    uint32_t present;
    memcpy(&present, open, sizeof present);
    if (present < 1 || present > vm->type->nall)
        return NULL;
    *mt = vm->type->m[present - 1].type;
    return (void *)(open + vm->type->m[present - 1].offset);
}

/* The message's protocolIEs container (always its first member in NGAP). */
static void *container(const NGAP_NGAP_PDU_t *pdu, const a1_type **ct)
{
    const a1_type *mt;
    uint8_t *msg = message(pdu, &mt);
    if (!msg || mt->kind != A1_SEQ || mt->nall < 1 || mt->m[0].type->kind != A1_SEQOF)
        return NULL;
    *ct = mt->m[0].type;
    return msg + mt->m[0].offset;
}

typedef struct seqof {
    size_t count;
    uint8_t *list;
} seqof;

int ngap_procedure_code(const NGAP_NGAP_PDU_t *pdu)
{
    if (pdu->present < 1 || pdu->present > 3)
        return -1;
    /* the three alternatives share their layout */
    return (int)pdu->initiatingMessage.procedureCode;
}

size_t ngap_ie_count(const NGAP_NGAP_PDU_t *pdu)
{
    const a1_type *ct;
    seqof *c = container(pdu, &ct);
    return c ? c->count : 0;
}

const void *ngap_find_ie(const NGAP_NGAP_PDU_t *pdu, int64_t ie_id)
{
    const a1_type *ct;
    seqof *c = container(pdu, &ct);
    if (!c)
        return NULL;
    const a1_type *ft = ct->elem; /* ProtocolIE-Field: id, criticality, value */
    for (size_t i = 0; i < c->count; i++) {
        uint8_t *f = c->list + i * ft->size;
        int64_t id;
        memcpy(&id, f + ft->m[0].offset, sizeof id);
        if (id != ie_id)
            continue;
        const a1_type *ot = ft->m[2].type;
        uint8_t *open = f + ft->m[2].offset;
        uint32_t present;
        memcpy(&present, open, sizeof present);
        if (present < 1 || present > ot->nall)
            return NULL;
        return open + ot->m[present - 1].offset;
    }
    return NULL;
}

int ngap_msg_init(NGAP_NGAP_PDU_t *pdu, enum ngap_msg_type type, int64_t procedure_code)
{
    memset(pdu, 0, sizeof *pdu);
    if (type < NGAP_MSG_INITIATING || type > NGAP_MSG_UNSUCCESSFUL)
        return G5_ERR_INVALID;
    const a1_member *pm = &NGAP_NGAP_PDU_def.m[type - 1];
    const a1_member *vm = &pm->type->m[2];
    const a1_object *o = a1_find_object(vm->type, procedure_code);
    if (!o)
        return G5_ERR_NOT_FOUND;
    pdu->present = (uint32_t)type;
    uint8_t *msg = (uint8_t *)pdu + pm->offset;
    memcpy(msg + pm->type->m[0].offset, &procedure_code, sizeof procedure_code);
    int crit = o->crit;
    memcpy(msg + pm->type->m[1].offset, &crit, sizeof crit);
    uint32_t alt = o->alt;
    memcpy(msg + vm->offset, &alt, sizeof alt);
    return 0;
}

void *ngap_add_ie(NGAP_NGAP_PDU_t *pdu, int64_t ie_id)
{
    const a1_type *ct;
    seqof *c = container(pdu, &ct);
    if (!c)
        return NULL;
    const a1_type *ft = ct->elem;
    const a1_type *ot = ft->m[2].type;
    const a1_object *o = a1_find_object(ot, ie_id);
    if (!o)
        return NULL;
    uint8_t *nl = realloc(c->list, (c->count + 1) * ft->size);
    if (!nl)
        return NULL;
    c->list = nl;
    uint8_t *f = nl + c->count * ft->size;
    c->count++;
    memset(f, 0, ft->size);
    memcpy(f + ft->m[0].offset, &ie_id, sizeof ie_id);
    int crit = o->crit;
    memcpy(f + ft->m[1].offset, &crit, sizeof crit);
    uint8_t *open = f + ft->m[2].offset;
    uint32_t alt = o->alt;
    memcpy(open, &alt, sizeof alt);
    return open + ot->m[alt - 1].offset;
}

/* ---- small value helpers ---- */

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

static int bits_from_uint(a1_bits *b, uint64_t v, unsigned nbits)
{
    uint8_t tmp[8] = {0};
    uint64_t x = nbits ? v << (64 - nbits) : 0;
    for (int i = 0; i < 8; i++)
        tmp[i] = (uint8_t)(x >> (56 - 8 * i));
    return a1_bits_set(b, tmp, nbits);
}

static int snssai(NGAP_S_NSSAI_t *s, const ngap_snssai *in)
{
    int rc = a1_octets_set(&s->sST, &in->sst, 1);
    if (rc || !in->has_sd)
        return rc;
    s->sD = calloc(1, sizeof *s->sD);
    if (!s->sD)
        return G5_ERR_NOMEM;
    return a1_octets_set(s->sD, in->sd, 3);
}

static int guami(NGAP_GUAMI_t *g, const ngap_guami *in)
{
    int rc = a1_octets_set(&g->pLMNIdentity, in->plmn, 3);
    if (!rc)
        rc = bits_from_uint(&g->aMFRegionID, in->region_id, 8);
    if (!rc)
        rc = bits_from_uint(&g->aMFSetID, in->set_id, 10);
    if (!rc)
        rc = bits_from_uint(&g->aMFPointer, in->pointer, 6);
    return rc;
}

static int nr_uli(NGAP_UserLocationInformation_t *u, const uint8_t plmn[3], const uint8_t tac[3],
                  uint64_t cell)
{
    u->present = NGAP_UserLocationInformation_PR_userLocationInformationNR;
    NGAP_UserLocationInformationNR_t *nr = &u->userLocationInformationNR;
    int rc = a1_octets_set(&nr->nR_CGI.pLMNIdentity, plmn, 3);
    if (!rc)
        rc = bits_from_uint(&nr->nR_CGI.nRCellIdentity, cell, 36);
    if (!rc)
        rc = a1_octets_set(&nr->tAI.pLMNIdentity, plmn, 3);
    if (!rc)
        rc = a1_octets_set(&nr->tAI.tAC, tac, 3);
    return rc;
}

/* var and T form a declaration, so they cannot be parenthesised */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define ADD(pdu, id, T, var) \
    T *var = ngap_add_ie(pdu, id); \
    if (!var) \
        goto nomem;
/* NOLINTEND(bugprone-macro-parentheses) */

static int ue_ids(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id)
{
    if (amf_ue_id >= 0) {
        NGAP_AMF_UE_NGAP_ID_t *a = ngap_add_ie(pdu, NGAP_id_AMF_UE_NGAP_ID);
        if (!a)
            return G5_ERR_NOMEM;
        *a = amf_ue_id;
    }
    if (ran_ue_id >= 0) {
        NGAP_RAN_UE_NGAP_ID_t *r = ngap_add_ie(pdu, NGAP_id_RAN_UE_NGAP_ID);
        if (!r)
            return G5_ERR_NOMEM;
        *r = ran_ue_id;
    }
    return 0;
}

static int start(NGAP_NGAP_PDU_t *pdu, enum ngap_msg_type type, int64_t proc, int64_t amf_ue_id,
                 int64_t ran_ue_id)
{
    int rc = ngap_msg_init(pdu, type, proc);
    if (!rc)
        rc = ue_ids(pdu, amf_ue_id, ran_ue_id);
    return rc;
}

static int finish(NGAP_NGAP_PDU_t *pdu, int rc)
{
    if (rc)
        ngap_free(pdu);
    return rc;
}

NGAP_Cause_t ngap_cause(uint32_t group, int value)
{
    NGAP_Cause_t c;
    memset(&c, 0, sizeof c);
    c.present = group;
    /* every root alternative of Cause is an ENUMERATED stored as an int */
    memcpy(&c.radioNetwork, &value, sizeof value);
    return c;
}

/* ---- builders (TS 38.413 clause 9.2) ---- */

int ngap_build_ng_setup_request(NGAP_NGAP_PDU_t *pdu, const uint8_t plmn[3], uint32_t gnb_id,
                                unsigned gnb_id_bits, const char *ran_node_name,
                                const uint8_t tac[3], const ngap_snssai *slices, size_t nslices,
                                NGAP_PagingDRX_t paging_drx)
{
    int rc = ngap_msg_init(pdu, NGAP_MSG_INITIATING, NGAP_id_NGSetup);
    if (rc)
        return rc;
    if (gnb_id_bits < 22 || gnb_id_bits > 32)
        return finish(pdu, G5_ERR_INVALID);
    ADD(pdu, NGAP_id_GlobalRANNodeID, NGAP_GlobalRANNodeID_t, g);
    g->present = NGAP_GlobalRANNodeID_PR_globalGNB_ID;
    rc = a1_octets_set(&g->globalGNB_ID.pLMNIdentity, plmn, 3);
    g->globalGNB_ID.gNB_ID.present = NGAP_GNB_ID_PR_gNB_ID;
    if (!rc)
        rc = bits_from_uint(&g->globalGNB_ID.gNB_ID.gNB_ID, gnb_id, gnb_id_bits);
    if (!rc && ran_node_name) {
        ADD(pdu, NGAP_id_RANNodeName, NGAP_RANNodeName_t, name);
        rc = a1_octets_set(name, ran_node_name, strlen(ran_node_name));
    }
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_SupportedTAList, NGAP_SupportedTAList_t, tal);
    NGAP_SupportedTAItem_t *ta = seqof_add(tal, sizeof *ta);
    if (!ta)
        goto nomem;
    rc = a1_octets_set(&ta->tAC, tac, 3);
    NGAP_BroadcastPLMNItem_t *bp = seqof_add(&ta->broadcastPLMNList, sizeof *bp);
    if (!bp)
        goto nomem;
    if (!rc)
        rc = a1_octets_set(&bp->pLMNIdentity, plmn, 3);
    for (size_t i = 0; i < nslices && !rc; i++) {
        NGAP_SliceSupportItem_t *si = seqof_add(&bp->tAISliceSupportList, sizeof *si);
        rc = si ? snssai(&si->s_NSSAI, &slices[i]) : G5_ERR_NOMEM;
    }
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_DefaultPagingDRX, NGAP_PagingDRX_t, drx);
    *drx = paging_drx;
    return 0;
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_ng_setup_response(NGAP_NGAP_PDU_t *pdu, const char *amf_name, const ngap_guami *g,
                                 const ngap_snssai *slices, size_t nslices,
                                 int64_t relative_capacity)
{
    int rc = ngap_msg_init(pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_NGSetup);
    if (rc)
        return rc;
    ADD(pdu, NGAP_id_AMFName, NGAP_AMFName_t, name);
    rc = a1_octets_set(name, amf_name, strlen(amf_name));
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_ServedGUAMIList, NGAP_ServedGUAMIList_t, sgl);
    NGAP_ServedGUAMIItem_t *sg = seqof_add(sgl, sizeof *sg);
    if (!sg)
        goto nomem;
    rc = guami(&sg->gUAMI, g);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_RelativeAMFCapacity, NGAP_RelativeAMFCapacity_t, cap);
    *cap = relative_capacity;
    ADD(pdu, NGAP_id_PLMNSupportList, NGAP_PLMNSupportList_t, psl);
    NGAP_PLMNSupportItem_t *ps = seqof_add(psl, sizeof *ps);
    if (!ps)
        goto nomem;
    rc = a1_octets_set(&ps->pLMNIdentity, g->plmn, 3);
    for (size_t i = 0; i < nslices && !rc; i++) {
        NGAP_SliceSupportItem_t *si = seqof_add(&ps->sliceSupportList, sizeof *si);
        rc = si ? snssai(&si->s_NSSAI, &slices[i]) : G5_ERR_NOMEM;
    }
    return finish(pdu, rc);
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_ng_setup_failure(NGAP_NGAP_PDU_t *pdu, const NGAP_Cause_t *cause)
{
    int rc = ngap_msg_init(pdu, NGAP_MSG_UNSUCCESSFUL, NGAP_id_NGSetup);
    if (rc)
        return rc;
    ADD(pdu, NGAP_id_Cause, NGAP_Cause_t, c);
    *c = *cause;
    return 0;
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

static int add_nas(NGAP_NGAP_PDU_t *pdu, const uint8_t *nas, size_t nas_len)
{
    NGAP_NAS_PDU_t *n = ngap_add_ie(pdu, NGAP_id_NAS_PDU);
    return n ? a1_octets_set(n, nas, nas_len) : G5_ERR_NOMEM;
}

int ngap_build_initial_ue_message(NGAP_NGAP_PDU_t *pdu, int64_t ran_ue_id, const uint8_t *nas,
                                  size_t nas_len, const uint8_t plmn[3], const uint8_t tac[3],
                                  uint64_t nr_cell_id, NGAP_RRCEstablishmentCause_t cause)
{
    int rc = start(pdu, NGAP_MSG_INITIATING, NGAP_id_InitialUEMessage, -1, ran_ue_id);
    if (!rc)
        rc = add_nas(pdu, nas, nas_len);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_UserLocationInformation, NGAP_UserLocationInformation_t, uli);
    rc = nr_uli(uli, plmn, tac, nr_cell_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_RRCEstablishmentCause, NGAP_RRCEstablishmentCause_t, rrc);
    *rrc = cause;
    return 0;
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_uplink_nas_transport(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                    const uint8_t *nas, size_t nas_len, const uint8_t plmn[3],
                                    const uint8_t tac[3], uint64_t nr_cell_id)
{
    int rc = start(pdu, NGAP_MSG_INITIATING, NGAP_id_UplinkNASTransport, amf_ue_id, ran_ue_id);
    if (!rc)
        rc = add_nas(pdu, nas, nas_len);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_UserLocationInformation, NGAP_UserLocationInformation_t, uli);
    return finish(pdu, nr_uli(uli, plmn, tac, nr_cell_id));
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_downlink_nas_transport(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                      const uint8_t *nas, size_t nas_len)
{
    int rc = start(pdu, NGAP_MSG_INITIATING, NGAP_id_DownlinkNASTransport, amf_ue_id, ran_ue_id);
    if (!rc)
        rc = add_nas(pdu, nas, nas_len);
    return finish(pdu, rc);
}

int ngap_build_initial_context_setup_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                             int64_t ran_ue_id, const ngap_guami *g,
                                             const ngap_snssai *allowed, size_t nallowed,
                                             const uint16_t ue_sec_caps[4], const uint8_t kgnb[32],
                                             const uint8_t *nas, size_t nas_len)
{
    int rc = start(pdu, NGAP_MSG_INITIATING, NGAP_id_InitialContextSetup, amf_ue_id, ran_ue_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_GUAMI, NGAP_GUAMI_t, gu);
    rc = guami(gu, g);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_AllowedNSSAI, NGAP_AllowedNSSAI_t, an);
    for (size_t i = 0; i < nallowed && !rc; i++) {
        NGAP_AllowedNSSAI_Item_t *it = seqof_add(an, sizeof *it);
        rc = it ? snssai(&it->s_NSSAI, &allowed[i]) : G5_ERR_NOMEM;
    }
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_UESecurityCapabilities, NGAP_UESecurityCapabilities_t, sc);
    rc = bits_from_uint(&sc->nRencryptionAlgorithms, ue_sec_caps[0], 16);
    if (!rc)
        rc = bits_from_uint(&sc->nRintegrityProtectionAlgorithms, ue_sec_caps[1], 16);
    if (!rc)
        rc = bits_from_uint(&sc->eUTRAencryptionAlgorithms, ue_sec_caps[2], 16);
    if (!rc)
        rc = bits_from_uint(&sc->eUTRAintegrityProtectionAlgorithms, ue_sec_caps[3], 16);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_SecurityKey, NGAP_SecurityKey_t, key);
    rc = a1_bits_set(key, kgnb, 256);
    if (!rc && nas)
        rc = add_nas(pdu, nas, nas_len);
    return finish(pdu, rc);
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_initial_context_setup_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                              int64_t ran_ue_id)
{
    return finish(
        pdu, start(pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_InitialContextSetup, amf_ue_id, ran_ue_id));
}

static int add_cause(NGAP_NGAP_PDU_t *pdu, const NGAP_Cause_t *cause)
{
    NGAP_Cause_t *c = ngap_add_ie(pdu, NGAP_id_Cause);
    if (!c)
        return G5_ERR_NOMEM;
    *c = *cause;
    return 0;
}

int ngap_build_initial_context_setup_failure(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                             int64_t ran_ue_id, const NGAP_Cause_t *cause)
{
    int rc = start(pdu, NGAP_MSG_UNSUCCESSFUL, NGAP_id_InitialContextSetup, amf_ue_id, ran_ue_id);
    if (!rc)
        rc = add_cause(pdu, cause);
    return finish(pdu, rc);
}

int ngap_build_ue_context_release_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, const NGAP_Cause_t *cause)
{
    int rc = start(pdu, NGAP_MSG_INITIATING, NGAP_id_UEContextReleaseRequest, amf_ue_id, ran_ue_id);
    if (!rc)
        rc = add_cause(pdu, cause);
    return finish(pdu, rc);
}

int ngap_build_ue_context_release_command(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, const NGAP_Cause_t *cause)
{
    int rc = ngap_msg_init(pdu, NGAP_MSG_INITIATING, NGAP_id_UEContextRelease);
    if (rc)
        return rc;
    ADD(pdu, NGAP_id_UE_NGAP_IDs, NGAP_UE_NGAP_IDs_t, ids);
    if (ran_ue_id >= 0) {
        ids->present = NGAP_UE_NGAP_IDs_PR_uE_NGAP_ID_pair;
        ids->uE_NGAP_ID_pair.aMF_UE_NGAP_ID = amf_ue_id;
        ids->uE_NGAP_ID_pair.rAN_UE_NGAP_ID = ran_ue_id;
    } else {
        ids->present = NGAP_UE_NGAP_IDs_PR_aMF_UE_NGAP_ID;
        ids->aMF_UE_NGAP_ID = amf_ue_id;
    }
    return finish(pdu, add_cause(pdu, cause));
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_ue_context_release_complete(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                           int64_t ran_ue_id)
{
    return finish(pdu,
                  start(pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_UEContextRelease, amf_ue_id, ran_ue_id));
}

int ngap_build_pdu_session_setup_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                         int64_t psi, const ngap_snssai *s, const uint8_t *nas,
                                         size_t nas_len, const uint8_t *transfer,
                                         size_t transfer_len)
{
    int rc = start(pdu, NGAP_MSG_INITIATING, NGAP_id_PDUSessionResourceSetup, amf_ue_id, ran_ue_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_PDUSessionResourceSetupListSUReq, NGAP_PDUSessionResourceSetupListSUReq_t, l);
    NGAP_PDUSessionResourceSetupItemSUReq_t *it = seqof_add(l, sizeof *it);
    if (!it)
        goto nomem;
    it->pDUSessionID = psi;
    if (nas) {
        it->pDUSessionNAS_PDU = calloc(1, sizeof *it->pDUSessionNAS_PDU);
        if (!it->pDUSessionNAS_PDU)
            goto nomem;
        rc = a1_octets_set(it->pDUSessionNAS_PDU, nas, nas_len);
    }
    if (!rc)
        rc = snssai(&it->s_NSSAI, s);
    if (!rc)
        rc = a1_octets_set(&it->pDUSessionResourceSetupRequestTransfer, transfer, transfer_len);
    return finish(pdu, rc);
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_pdu_session_setup_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                          size_t transfer_len)
{
    int rc = start(pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_PDUSessionResourceSetup, amf_ue_id, ran_ue_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_PDUSessionResourceSetupListSURes, NGAP_PDUSessionResourceSetupListSURes_t, l);
    NGAP_PDUSessionResourceSetupItemSURes_t *it = seqof_add(l, sizeof *it);
    if (!it)
        goto nomem;
    it->pDUSessionID = psi;
    return finish(
        pdu, a1_octets_set(&it->pDUSessionResourceSetupResponseTransfer, transfer, transfer_len));
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_pdu_session_release_command(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                           int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                           size_t transfer_len)
{
    int rc =
        start(pdu, NGAP_MSG_INITIATING, NGAP_id_PDUSessionResourceRelease, amf_ue_id, ran_ue_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_PDUSessionResourceToReleaseListRelCmd,
        NGAP_PDUSessionResourceToReleaseListRelCmd_t, l);
    NGAP_PDUSessionResourceToReleaseItemRelCmd_t *it = seqof_add(l, sizeof *it);
    if (!it)
        goto nomem;
    it->pDUSessionID = psi;
    return finish(
        pdu, a1_octets_set(&it->pDUSessionResourceReleaseCommandTransfer, transfer, transfer_len));
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_pdu_session_release_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                            int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                            size_t transfer_len)
{
    int rc =
        start(pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_PDUSessionResourceRelease, amf_ue_id, ran_ue_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_PDUSessionResourceReleasedListRelRes,
        NGAP_PDUSessionResourceReleasedListRelRes_t, l);
    NGAP_PDUSessionResourceReleasedItemRelRes_t *it = seqof_add(l, sizeof *it);
    if (!it)
        goto nomem;
    it->pDUSessionID = psi;
    return finish(
        pdu, a1_octets_set(&it->pDUSessionResourceReleaseResponseTransfer, transfer, transfer_len));
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_pdu_session_modify_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                          size_t transfer_len)
{
    int rc =
        start(pdu, NGAP_MSG_INITIATING, NGAP_id_PDUSessionResourceModify, amf_ue_id, ran_ue_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_PDUSessionResourceModifyListModReq, NGAP_PDUSessionResourceModifyListModReq_t,
        l);
    NGAP_PDUSessionResourceModifyItemModReq_t *it = seqof_add(l, sizeof *it);
    if (!it)
        goto nomem;
    it->pDUSessionID = psi;
    return finish(
        pdu, a1_octets_set(&it->pDUSessionResourceModifyRequestTransfer, transfer, transfer_len));
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_pdu_session_modify_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                           int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                           size_t transfer_len)
{
    int rc =
        start(pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_PDUSessionResourceModify, amf_ue_id, ran_ue_id);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_PDUSessionResourceModifyListModRes, NGAP_PDUSessionResourceModifyListModRes_t,
        l);
    NGAP_PDUSessionResourceModifyItemModRes_t *it = seqof_add(l, sizeof *it);
    if (!it)
        goto nomem;
    it->pDUSessionID = psi;
    return finish(
        pdu, a1_octets_set(&it->pDUSessionResourceModifyResponseTransfer, transfer, transfer_len));
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_paging(NGAP_NGAP_PDU_t *pdu, uint16_t amf_set_id, uint8_t amf_pointer, uint32_t tmsi,
                      const uint8_t plmn[3], const uint8_t tac[3])
{
    int rc = ngap_msg_init(pdu, NGAP_MSG_INITIATING, NGAP_id_Paging);
    if (rc)
        return rc;
    ADD(pdu, NGAP_id_UEPagingIdentity, NGAP_UEPagingIdentity_t, id);
    id->present = NGAP_UEPagingIdentity_PR_fiveG_S_TMSI;
    rc = bits_from_uint(&id->fiveG_S_TMSI.aMFSetID, amf_set_id, 10);
    if (!rc)
        rc = bits_from_uint(&id->fiveG_S_TMSI.aMFPointer, amf_pointer, 6);
    uint8_t t[4] = {(uint8_t)(tmsi >> 24), (uint8_t)(tmsi >> 16), (uint8_t)(tmsi >> 8),
                    (uint8_t)tmsi};
    if (!rc)
        rc = a1_octets_set(&id->fiveG_S_TMSI.fiveG_TMSI, t, 4);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_TAIListForPaging, NGAP_TAIListForPaging_t, tl);
    NGAP_TAIListForPagingItem_t *it = seqof_add(tl, sizeof *it);
    if (!it)
        goto nomem;
    rc = a1_octets_set(&it->tAI.pLMNIdentity, plmn, 3);
    if (!rc)
        rc = a1_octets_set(&it->tAI.tAC, tac, 3);
    return finish(pdu, rc);
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_ng_reset(NGAP_NGAP_PDU_t *pdu, const NGAP_Cause_t *cause)
{
    int rc = ngap_msg_init(pdu, NGAP_MSG_INITIATING, NGAP_id_NGReset);
    if (!rc)
        rc = add_cause(pdu, cause);
    if (rc)
        return finish(pdu, rc);
    ADD(pdu, NGAP_id_ResetType, NGAP_ResetType_t, rt);
    rt->present = NGAP_ResetType_PR_nG_Interface;
    rt->nG_Interface = NGAP_ResetAll_reset_all;
    return 0;
nomem:
    return finish(pdu, G5_ERR_NOMEM);
}

int ngap_build_ng_reset_acknowledge(NGAP_NGAP_PDU_t *pdu)
{
    return ngap_msg_init(pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_NGReset);
}

int ngap_build_error_indication(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                const NGAP_Cause_t *cause,
                                const NGAP_CriticalityDiagnostics_t *diagnostics)
{
    int rc = start(pdu, NGAP_MSG_INITIATING, NGAP_id_ErrorIndication, amf_ue_id, ran_ue_id);
    if (!rc && cause)
        rc = add_cause(pdu, cause);
    if (!rc && diagnostics) {
        /* deep copy through the codec so the caller keeps ownership of *diagnostics */
        a1_octets enc = {0};
        NGAP_CriticalityDiagnostics_t *cd = ngap_add_ie(pdu, NGAP_id_CriticalityDiagnostics);
        rc = cd ? ngap_encode_transfer(&NGAP_CriticalityDiagnostics_def, diagnostics, &enc)
                : G5_ERR_NOMEM;
        if (!rc)
            rc = ngap_decode_transfer(&NGAP_CriticalityDiagnostics_def, cd, &enc);
        free(enc.buf);
    }
    return finish(pdu, rc);
}

int ngap_criticality_diagnostics(NGAP_CriticalityDiagnostics_t *cd, int procedure_code, int type,
                                 int criticality, const a1_diag *diag)
{
    memset(cd, 0, sizeof *cd);
    int rc = G5_ERR_NOMEM;
    if (procedure_code >= 0) {
        cd->procedureCode = malloc(sizeof *cd->procedureCode);
        cd->triggeringMessage = malloc(sizeof *cd->triggeringMessage);
        cd->procedureCriticality = malloc(sizeof *cd->procedureCriticality);
        if (!cd->procedureCode || !cd->triggeringMessage || !cd->procedureCriticality)
            goto fail;
        *cd->procedureCode = procedure_code;
        *cd->triggeringMessage = (NGAP_TriggeringMessage_t)(type - 1);
        *cd->procedureCriticality = (NGAP_Criticality_t)criticality;
    }
    if (diag && diag->n) {
        cd->iEsCriticalityDiagnostics = calloc(1, sizeof *cd->iEsCriticalityDiagnostics);
        if (!cd->iEsCriticalityDiagnostics)
            goto fail;
        for (unsigned i = 0; i < diag->n; i++) {
            NGAP_CriticalityDiagnostics_IE_Item_t *it =
                seqof_add(cd->iEsCriticalityDiagnostics, sizeof *it);
            if (!it)
                goto fail;
            it->iECriticality = (NGAP_Criticality_t)diag->ie[i].crit;
            it->iE_ID = diag->ie[i].id;
            it->typeOfError = diag->ie[i].kind == A1_DIAG_MISSING ? NGAP_TypeOfError_missing
                                                                  : NGAP_TypeOfError_not_understood;
        }
    }
    return 0;
fail:
    a1_free(&NGAP_CriticalityDiagnostics_def, cd);
    return rc;
}

int ngap_encode_transfer(const a1_type *t, const void *v, a1_octets *out)
{
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 1u << 20);
    int rc = a1_encode(t, v, &w);
    if (!rc)
        rc = a1_octets_set(out, w.p, w.len);
    g5_wbuf_free(&w);
    return rc;
}

int ngap_decode_transfer(const a1_type *t, void *v, const a1_octets *in)
{
    return a1_decode(t, v, in->buf, in->len, NULL);
}
