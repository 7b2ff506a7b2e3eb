/* glass5g-sim gNB, NGAP side (TS 38.413): builds the gNB's uplink messages from the sim
 * config over the NGAP codec's builders (src/ngap/ngap_msg.h) and decodes downlink PDUs
 * into what the gNB and the UE procedures act on. See sim/gnb.h. */
#define G5_LOG_MODULE "sim.gnb"
#include <string.h>

#include "core/err.h"
#include "nas/nas_ie.h"
#include "ngap/ngap_msg.h"
#include "sim/gnb.h"

int sim_gnb_init(sim_gnb *gnb, const sim_gnb_config *cfg)
{
    memset(gnb, 0, sizeof *gnb);
    gnb->cfg = cfg;
    nas_plmn p;
    memset(&p, 0, sizeof p);
    memcpy(p.mcc, cfg->mcc, sizeof p.mcc);
    memcpy(p.mnc, cfg->mnc, sizeof p.mnc);
    if (nas_plmn_encode(&p, gnb->plmn) < 0)
        return G5_ERR_INVALID;
    if (cfg->tac > 0xffffff || cfg->id_length < 22 || cfg->id_length > 32 ||
        cfg->nci >= (1ULL << 36))
        return G5_ERR_INVALID;
    gnb->tac[0] = (uint8_t)(cfg->tac >> 16);
    gnb->tac[1] = (uint8_t)(cfg->tac >> 8);
    gnb->tac[2] = (uint8_t)cfg->tac;
    /* TS 38.300 8.2: the gNB ID is the leftmost id_length bits of the 36-bit NCI. */
    gnb->gnb_id_bits = cfg->id_length;
    gnb->gnb_id = (uint32_t)(cfg->nci >> (36 - cfg->id_length));
    gnb->nstreams = 2;
    return 0;
}

uint16_t sim_gnb_stream(const sim_gnb *gnb, uint32_t ran_ue_ngap_id)
{
    if (gnb->nstreams < 2)
        return 0;
    return (uint16_t)(1 + ran_ue_ngap_id % (uint32_t)(gnb->nstreams - 1));
}

unsigned sim_gnb_time_to_wait_s(int v)
{
    static const unsigned s[] = {1, 2, 5, 10, 20, 60}; /* TS 38.413 9.3.1.56 */
    return v >= 0 && v < 6 ? s[v] : 0;
}

/* Encodes pdu into out and frees it. */
static int emit(NGAP_NGAP_PDU_t *pdu, int rc, g5_wbuf *out)
{
    if (!rc)
        rc = ngap_encode(pdu, out);
    ngap_free(pdu);
    return rc;
}

int sim_gnb_build_ng_setup(const sim_gnb *gnb, g5_wbuf *out)
{
    ngap_snssai sl[SIM_MAX_SLICES];
    const sim_gnb_config *c = gnb->cfg;
    for (unsigned i = 0; i < c->nslices; i++) {
        sl[i].sst = c->slices[i].sst;
        sl[i].has_sd = c->slices[i].sd != 0xffffff;
        sl[i].sd[0] = (uint8_t)(c->slices[i].sd >> 16);
        sl[i].sd[1] = (uint8_t)(c->slices[i].sd >> 8);
        sl[i].sd[2] = (uint8_t)c->slices[i].sd;
    }
    NGAP_NGAP_PDU_t pdu;
    int rc =
        ngap_build_ng_setup_request(&pdu, gnb->plmn, gnb->gnb_id, gnb->gnb_id_bits, "glass5g-sim",
                                    gnb->tac, sl, c->nslices, NGAP_PagingDRX_v128);
    if (rc)
        return rc;
    return emit(&pdu, 0, out);
}

static int set_bits(a1_bits *b, uint32_t v, unsigned nbits)
{
    uint8_t tmp[4];
    uint32_t left = v << (32 - nbits); /* MSB first */
    for (int i = 0; i < 4; i++)
        tmp[i] = (uint8_t)(left >> (24 - 8 * i));
    return a1_bits_set(b, tmp, nbits);
}

/* TS 38.413 9.3.3.20 5G-S-TMSI: AMF Set ID (10 bits), AMF Pointer (6), 5G-TMSI (4 octets). */
static int add_s_tmsi(NGAP_NGAP_PDU_t *pdu, const sim_ue_n2 *n2)
{
    NGAP_FiveG_S_TMSI_t *t = ngap_add_ie(pdu, NGAP_id_FiveG_S_TMSI);
    if (!t)
        return G5_ERR_NOMEM;
    uint8_t tmsi[4] = {(uint8_t)(n2->tmsi >> 24), (uint8_t)(n2->tmsi >> 16),
                       (uint8_t)(n2->tmsi >> 8), (uint8_t)n2->tmsi};
    int rc = set_bits(&t->aMFSetID, n2->amf_set_id, 10);
    if (!rc)
        rc = set_bits(&t->aMFPointer, n2->amf_pointer, 6);
    if (!rc)
        rc = a1_octets_set(&t->fiveG_TMSI, tmsi, 4);
    return rc;
}

int sim_gnb_build_initial_ue(const sim_gnb *gnb, uint32_t ran_ue_id, const sim_ue_n2 *n2,
                             const uint8_t *nas, size_t len, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int cause = n2 && n2->rrc_cause ? n2->rrc_cause : NGAP_RRCEstablishmentCause_mo_Signalling;
    int rc = ngap_build_initial_ue_message(&pdu, ran_ue_id, nas, len, gnb->plmn, gnb->tac,
                                           gnb->cfg->nci, (NGAP_RRCEstablishmentCause_t)cause);
    if (rc)
        return rc;
    if (n2 && n2->has_s_tmsi)
        rc = add_s_tmsi(&pdu, n2);
    return emit(&pdu, rc, out);
}

int sim_gnb_build_uplink_nas(const sim_gnb *gnb, uint32_t ran_ue_id, int64_t amf_ue_id,
                             const uint8_t *nas, size_t len, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_build_uplink_nas_transport(&pdu, amf_ue_id, ran_ue_id, nas, len, gnb->plmn,
                                             gnb->tac, gnb->cfg->nci);
    return rc ? rc : emit(&pdu, 0, out);
}

int sim_gnb_build_ics_response(uint32_t ran_ue_id, int64_t amf_ue_id, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_build_initial_context_setup_response(&pdu, amf_ue_id, ran_ue_id);
    return rc ? rc : emit(&pdu, 0, out);
}

int sim_gnb_build_ics_failure(uint32_t ran_ue_id, int64_t amf_ue_id, int cause, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t c = ngap_cause(NGAP_Cause_PR_radioNetwork, cause);
    int rc = ngap_build_initial_context_setup_failure(&pdu, amf_ue_id, ran_ue_id, &c);
    return rc ? rc : emit(&pdu, 0, out);
}

int sim_gnb_build_release_request(uint32_t ran_ue_id, int64_t amf_ue_id, int cause, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t c = ngap_cause(NGAP_Cause_PR_radioNetwork, cause);
    int rc = ngap_build_ue_context_release_request(&pdu, amf_ue_id, ran_ue_id, &c);
    return rc ? rc : emit(&pdu, 0, out);
}

int sim_gnb_build_release_complete(uint32_t ran_ue_id, int64_t amf_ue_id, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_build_ue_context_release_complete(&pdu, amf_ue_id, ran_ue_id);
    return rc ? rc : emit(&pdu, 0, out);
}

int sim_gnb_build_error_indication(int64_t amf_ue_id, int64_t ran_ue_id, int cause, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t c = ngap_cause(NGAP_Cause_PR_protocol, cause);
    int rc = ngap_build_error_indication(&pdu, amf_ue_id, ran_ue_id, &c, NULL);
    return rc ? rc : emit(&pdu, 0, out);
}

int sim_gnb_build_ng_reset(int cause, g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t c = ngap_cause(NGAP_Cause_PR_radioNetwork, cause);
    int rc = ngap_build_ng_reset(&pdu, &c);
    return rc ? rc : emit(&pdu, 0, out);
}

int sim_gnb_build_ng_reset_ack(g5_wbuf *out)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_build_ng_reset_acknowledge(&pdu);
    return rc ? rc : emit(&pdu, 0, out);
}

static uint32_t bits_value(const a1_bits *b)
{
    uint32_t v = 0;
    for (size_t i = 0; i < b->nbits && i < 32; i++)
        v = (v << 1) | ((b->buf[i / 8] >> (7 - i % 8)) & 1u);
    return v;
}

static void read_s_tmsi(const NGAP_FiveG_S_TMSI_t *t, sim_gnb_dl *dl)
{
    if (t->fiveG_TMSI.len != 4 || t->aMFSetID.nbits != 10 || t->aMFPointer.nbits != 6)
        return;
    dl->has_s_tmsi = true;
    dl->amf_set_id = (uint16_t)bits_value(&t->aMFSetID);
    dl->amf_pointer = (uint8_t)bits_value(&t->aMFPointer);
    const uint8_t *p = t->fiveG_TMSI.buf;
    dl->tmsi = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* UE Context Release Command identifies the UE by UE NGAP IDs (a pair or the AMF's alone). */
static void read_ue_ngap_ids(const NGAP_UE_NGAP_IDs_t *ids, sim_gnb_dl *dl)
{
    if (ids->present == NGAP_UE_NGAP_IDs_PR_uE_NGAP_ID_pair) {
        dl->ev.amf_ue_ngap_id = (uint64_t)ids->uE_NGAP_ID_pair.aMF_UE_NGAP_ID;
        dl->ev.ran_ue_ngap_id = (uint32_t)ids->uE_NGAP_ID_pair.rAN_UE_NGAP_ID;
        dl->has_amf_id = dl->has_ran_id = true;
    } else if (ids->present == NGAP_UE_NGAP_IDs_PR_aMF_UE_NGAP_ID) {
        dl->ev.amf_ue_ngap_id = (uint64_t)ids->aMF_UE_NGAP_ID;
        dl->has_amf_id = true;
    }
}

/* TS 38.413 9.3.3.3 GUAMI: AMF Region ID (8 bits), AMF Set ID (10), AMF Pointer (6); the
 * gNB routes a UE with a 5G-S-TMSI to the AMF serving its set and pointer. */
static void read_guamis(const NGAP_ServedGUAMIList_t *l, sim_gnb_dl *dl)
{
    for (size_t i = 0; l && i < l->count && dl->nguami < SIM_GNB_MAX_GUAMI; i++) {
        const NGAP_GUAMI_t *g = &l->list[i].gUAMI;
        if (g->aMFRegionID.nbits != 8 || g->aMFSetID.nbits != 10 || g->aMFPointer.nbits != 6)
            continue;
        dl->guami[dl->nguami].region_id = (uint8_t)bits_value(&g->aMFRegionID);
        dl->guami[dl->nguami].set_id = (uint16_t)bits_value(&g->aMFSetID);
        dl->guami[dl->nguami].pointer = (uint8_t)bits_value(&g->aMFPointer);
        dl->nguami++;
    }
}

static void read_ies(const NGAP_NGAP_PDU_t *pdu, sim_gnb_dl *dl)
{
    const NGAP_RAN_UE_NGAP_ID_t *ran = ngap_find_ie(pdu, NGAP_id_RAN_UE_NGAP_ID);
    const NGAP_AMF_UE_NGAP_ID_t *amf = ngap_find_ie(pdu, NGAP_id_AMF_UE_NGAP_ID);
    const a1_octets *nas = ngap_find_ie(pdu, NGAP_id_NAS_PDU);
    const NGAP_TimeToWait_t *ttw = ngap_find_ie(pdu, NGAP_id_TimeToWait);
    const NGAP_Cause_t *cause = ngap_find_ie(pdu, NGAP_id_Cause);
    const NGAP_UE_NGAP_IDs_t *ids = ngap_find_ie(pdu, NGAP_id_UE_NGAP_IDs);
    const NGAP_UEPagingIdentity_t *pid = ngap_find_ie(pdu, NGAP_id_UEPagingIdentity);
    if (ran) {
        dl->ev.ran_ue_ngap_id = (uint32_t)*ran;
        dl->has_ran_id = true;
    }
    if (amf) {
        dl->ev.amf_ue_ngap_id = (uint64_t)*amf;
        dl->has_amf_id = true;
    }
    if (ids)
        read_ue_ngap_ids(ids, dl);
    if (nas) {
        dl->ev.nas = nas->buf;
        dl->ev.nas_len = nas->len;
    }
    if (ttw)
        dl->time_to_wait_s = sim_gnb_time_to_wait_s((int)*ttw);
    if (cause && cause->present >= NGAP_Cause_PR_radioNetwork &&
        cause->present <= NGAP_Cause_PR_misc) {
        dl->cause_group = (int)cause->present;
        dl->cause_value = (int)cause->radioNetwork; /* every root alternative is an enum */
    }
    if (pid && pid->present == NGAP_UEPagingIdentity_PR_fiveG_S_TMSI)
        read_s_tmsi(&pid->fiveG_S_TMSI, dl);
    read_guamis(ngap_find_ie(pdu, NGAP_id_ServedGUAMIList), dl);
}

/* The NAS-PDU of a decoded message points into the decoder's allocation, which is freed
 * before returning; it is located again in the input so ev.nas points into pdu. */
static int locate_nas(const uint8_t *p, size_t n, sim_gnb_dl *dl, const uint8_t *copy)
{
    if (!dl->ev.nas)
        return 0;
    size_t len = dl->ev.nas_len;
    for (size_t off = 0; len && off + len <= n; off++)
        if (p[off] == copy[0] && memcmp(p + off, copy, len) == 0) {
            dl->ev.nas = p + off;
            return 0;
        }
    dl->ev.nas = NULL;
    dl->ev.nas_len = 0;
    return G5_ERR_INVALID;
}

int sim_gnb_decode(const uint8_t *p, size_t n, sim_gnb_dl *dl)
{
    memset(dl, 0, sizeof *dl);
    dl->cause_group = dl->cause_value = -1;
    NGAP_NGAP_PDU_t pdu;
    int rc = ngap_decode(&pdu, p, n, NULL);
    if (rc)
        return rc;
    dl->type = (int)pdu.present;
    int pc = ngap_procedure_code(&pdu);
    dl->ev.procedure_code = (uint8_t)(pc < 0 ? 255 : pc);
    read_ies(&pdu, dl);
    rc = locate_nas(p, n, dl, dl->ev.nas);
    ngap_free(&pdu);
    return rc;
}

/* ---- sim_gnb_ops ---- */

static int ops_ng_setup(void *layer, const sim_gnb_config *cfg, g5_wbuf *out)
{
    (void)cfg;
    return sim_gnb_build_ng_setup(layer, out);
}

static int ops_initial_ue(void *layer, const sim_ue *ue, const uint8_t *nas, size_t len,
                          g5_wbuf *out)
{
    return sim_gnb_build_initial_ue(layer, ue->ran_ue_ngap_id, ue->proto, nas, len, out);
}

static int ops_uplink_nas(void *layer, const sim_ue *ue, const uint8_t *nas, size_t len,
                          g5_wbuf *out)
{
    const sim_ue_n2 *n2 = ue->proto;
    if (!n2 || n2->amf_ue_ngap_id < 0)
        return G5_ERR_STATE;
    return sim_gnb_build_uplink_nas(layer, ue->ran_ue_ngap_id, n2->amf_ue_ngap_id, nas, len, out);
}

static int ops_decode(void *layer, const uint8_t *pdu, size_t len, sim_n2_event *ev)
{
    (void)layer;
    sim_gnb_dl dl;
    int rc = sim_gnb_decode(pdu, len, &dl);
    if (!rc)
        *ev = dl.ev;
    return rc;
}

const sim_gnb_ops sim_gnb_ngap_ops = {
    .build_ng_setup = ops_ng_setup,
    .build_initial_ue_message = ops_initial_ue,
    .build_uplink_nas_transport = ops_uplink_nas,
    .decode_downlink = ops_decode,
};
