/* AMF contexts: the AMF itself, gNB contexts (one per N2 association) and UE contexts,
 * indexed by RAN UE NGAP ID (per gNB), AMF UE NGAP ID, SUPI and 5G-TMSI in hash maps
 * (no fixed limit). A UE context is freed as one tree: FSM, timers, index entries,
 * pending SBI requests. */
#define G5_LOG_MODULE "amf"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "crypto/kdf.h"
#include "nf/amf/amf_int.h"

static uint32_t ms_or(uint32_t v, uint32_t def)
{
    return v ? v : def;
}

static void plmn_octets(const g5_plmn *p, uint8_t out[3])
{
    nas_plmn np;
    snprintf(np.mcc, sizeof np.mcc, "%s", p->mcc);
    snprintf(np.mnc, sizeof np.mnc, "%s", p->mnc);
    if (nas_plmn_encode(&np, out))
        memset(out, 0, 3);
}

amf *amf_new(uv_loop_t *loop, const g5_config *cfg, udm *um, ausf *au, const amf_timer_cfg *timers)
{
    amf *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->loop = loop;
    a->cfg = cfg;
    a->udm = um;
    a->ausf = au;
    if (timers)
        a->t = *timers;
    a->t.t3550_ms = ms_or(a->t.t3550_ms, 6000);
    a->t.t3560_ms = ms_or(a->t.t3560_ms, 6000);
    a->t.t3570_ms = ms_or(a->t.t3570_ms, 6000);
    a->t.t3522_ms = ms_or(a->t.t3522_ms, 6000);
    a->t.t3513_ms = ms_or(a->t.t3513_ms, ms_or(cfg->amf.t3513_ms, 2000));
    a->t.paging_retx = ms_or(a->t.paging_retx, ms_or(cfg->amf.paging_retx, 2));
    a->t.mobile_reachable_ms = ms_or(a->t.mobile_reachable_ms, (cfg->amf.t3512_s + 240) * 1000u);
    g5_serving_network_name(cfg->plmn.mcc, cfg->plmn.mnc, a->snn, sizeof a->snn);
    plmn_octets(&cfg->plmn, a->plmn);
    a->next_amf_ue_id = 1;
    a->next_tmsi = 0x00000100u;
    g5_hmap_init(&a->gnbs);
    g5_hmap_init(&a->ue_by_id);
    g5_hmap_init(&a->ue_by_supi);
    g5_hmap_init(&a->ue_by_tmsi);
    return a;
}

static void gnb_free(amf_gnb *g)
{
    g5_sctp_sendq_clear(&g->sq);
    g5_hmap_free(&g->ues);
    free(g);
}

void amf_free(amf *a)
{
    if (!a)
        return;
    if (a->ep)
        g5_sctp_ep_close(a->ep);
    uint64_t k;
    void *v;
    for (size_t i = 0; g5_hmap_next(&a->ue_by_id, &i, &k, &v);) {
        amf_ue *ue = v;
        ue->gnb = NULL; /* gNB maps are dropped below */
        amf_ue_free(ue);
        i = 0; /* the map changed: restart */
    }
    for (size_t i = 0; g5_hmap_next(&a->gnbs, &i, &k, &v);)
        gnb_free(v);
    g5_hmap_free(&a->gnbs);
    g5_hmap_free(&a->ue_by_id);
    g5_hmap_free(&a->ue_by_supi);
    g5_hmap_free(&a->ue_by_tmsi);
    if (a->pcap)
        g5_pcap_close(a->pcap);
    free(a);
}

const amf_stats *amf_get_stats(const amf *a)
{
    return &a->st;
}

size_t amf_ue_count(const amf *a)
{
    return g5_hmap_len(&a->ue_by_id);
}

amf_gnb *amf_gnb_attach(amf *a, amf_send_fn send, void *arg, const char *peer)
{
    amf_gnb *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->amf = a;
    g->num = ++a->next_gnb;
    g->send = send;
    g->send_arg = arg;
    snprintf(g->peer, sizeof g->peer, "%s", peer ? peer : "-");
    g5_hmap_init(&g->ues);
    if (g5_hmap_put(&a->gnbs, g->num, g)) {
        gnb_free(g);
        return NULL;
    }
    return g;
}

void amf_gnb_detach(amf_gnb *g)
{
    amf *a = g->amf;
    uint64_t k;
    void *v;
    size_t released = 0;
    for (size_t i = 0; g5_hmap_next(&g->ues, &i, &k, &v); i = 0) {
        amf_ue *ue = v;
        amf_ue_unbind(ue); /* CM-IDLE, or gone if it was not registered */
        released++;
    }
    G5_LOGN("gNB %s (%s) association lost: %zu UE contexts released", g->name, g->peer, released);
    g5_hmap_del(&a->gnbs, g->num);
    gnb_free(g);
}

amf_ue *amf_ue_new(amf *a)
{
    amf_ue *ue = calloc(1, sizeof *ue);
    if (!ue)
        return NULL;
    ue->amf = a;
    ue->amf_ue_id = a->next_amf_ue_id++;
    char id[32];
    snprintf(id, sizeof id, "amf-ue-%llu", (unsigned long long)ue->amf_ue_id);
    ue->fi = g5_fsm_inst_new(&amf_gmm_fsm, a->loop, ue, id);
    ue->reach_timer = NULL;
    ue->ngksi = 7; /* no key */
    if (!ue->fi || g5_hmap_put(&a->ue_by_id, ue->amf_ue_id, ue)) {
        g5_fsm_inst_free(ue->fi);
        free(ue);
        return NULL;
    }
    return ue;
}

void amf_cancel_sbi(amf_ue *ue)
{
    if (ue->sbi_nf == SBI_AUSF)
        ausf_cancel(ue->amf->ausf, ue->sbi_id);
    else if (ue->sbi_nf == SBI_UDM)
        udm_cancel(ue->amf->udm, ue->sbi_id);
    ue->sbi_nf = SBI_NONE;
    ue->sbi_id = 0;
}

void amf_ue_free(amf_ue *ue)
{
    amf *a = ue->amf;
    amf_cancel_sbi(ue);
    amf_paging_free(ue);
    amf_sm_release_all(ue); /* (implicit) deregistration: no session outlives the context */
    if (ue->gnb)
        g5_hmap_del(&ue->gnb->ues, (uint64_t)ue->ran_ue_id);
    g5_hmap_del(&a->ue_by_id, ue->amf_ue_id);
    uint64_t sk = g5_sbi_supi_key(ue->supi);
    if (sk && g5_hmap_get(&a->ue_by_supi, sk) == ue)
        g5_hmap_del(&a->ue_by_supi, sk);
    if (ue->has_tmsi && g5_hmap_get(&a->ue_by_tmsi, ue->tmsi) == ue)
        g5_hmap_del(&a->ue_by_tmsi, ue->tmsi);
    g5_fsm_inst_free(ue->fi);
    g5_timer_free(ue->reach_timer);
    memset(ue->kamf, 0, sizeof ue->kamf);
    memset(&ue->sec, 0, sizeof ue->sec);
    free(ue);
}

void amf_ue_bind(amf_ue *ue, amf_gnb *g, int64_t ran_ue_id)
{
    amf_ue *old = g5_hmap_get(&g->ues, (uint64_t)ran_ue_id);
    if (old && old != ue)
        amf_ue_unbind(old);
    if (ue->gnb && (ue->gnb != g || ue->ran_ue_id != ran_ue_id))
        g5_hmap_del(&ue->gnb->ues, (uint64_t)ue->ran_ue_id);
    ue->gnb = g;
    ue->ran_ue_id = ran_ue_id;
    ue->ics_sent = false;
    ue->releasing = false;
    ue->sec_active = false;
    amf_reach_stop(ue);
    if (g5_hmap_put(&g->ues, (uint64_t)ran_ue_id, ue))
        G5_LOGE("out of memory indexing RAN UE NGAP ID %lld", (long long)ran_ue_id);
}

/* The N2 connection is gone: CM-IDLE for a registered UE, else the context goes. */
void amf_ue_unbind(amf_ue *ue)
{
    if (ue->gnb)
        g5_hmap_del(&ue->gnb->ues, (uint64_t)ue->ran_ue_id);
    ue->gnb = NULL;
    ue->ics_sent = false;
    ue->releasing = false;
    ue->sec_active = false;
    if (ue->fi->state == GMM_REGISTERED && !ue->free_after_release) {
        amf_sm_an_release(ue); /* TS 23.502 §4.2.6: user planes deactivated */
        amf_reach_start(ue);
        G5_LOGI("ue %s: CM-IDLE", ue->supi);
        return;
    }
    amf_ue_free(ue);
}

int amf_ue_set_supi(amf_ue *ue, const char *supi)
{
    amf *a = ue->amf;
    uint64_t k = g5_sbi_supi_key(supi);
    snprintf(ue->supi, sizeof ue->supi, "%s", supi);
    if (!k)
        return G5_ERR_INVALID;
    amf_ue *old = g5_hmap_get(&a->ue_by_supi, k);
    if (old && old != ue) {
        /* a new registration of the same subscriber replaces the old context */
        G5_LOGI("ue %s: replacing the previous context", supi);
        if (old->gnb && !old->releasing)
            amf_ngap_release(old, NGAP_Cause_PR_nas, NGAP_CauseNas_normal_release);
        old->free_after_release = true;
        g5_hmap_del(&a->ue_by_supi, k);
        if (!old->gnb)
            amf_ue_free(old);
    }
    return g5_hmap_put(&a->ue_by_supi, k, ue);
}

/* 5G-GUTI reallocation (TS 24.501 §5.3.3): a fresh 5G-TMSI per registration. */
void amf_ue_new_tmsi(amf_ue *ue)
{
    amf *a = ue->amf;
    if (ue->has_tmsi && g5_hmap_get(&a->ue_by_tmsi, ue->tmsi) == ue)
        g5_hmap_del(&a->ue_by_tmsi, ue->tmsi);
    do
        ue->tmsi = a->next_tmsi++;
    while (g5_hmap_get(&a->ue_by_tmsi, ue->tmsi) || ue->tmsi == 0xFFFFFFFFu);
    ue->has_tmsi = g5_hmap_put(&a->ue_by_tmsi, ue->tmsi, ue) == 0;
}

amf_ue *amf_ue_by_tmsi(amf *a, uint32_t tmsi)
{
    return g5_hmap_get(&a->ue_by_tmsi, tmsi);
}

int amf_deregister_ue(amf *a, const char *supi)
{
    return amf_deregister_ue_type(a, supi, false);
}
