/* In-test gNB + UE for the AMF tests: the NGAP and NAS codecs build what a gNB and a UE
 * send, the crypto library acts as the USIM/ME (MILENAGE, RES*, KAUSF -> KSEAF -> KAMF ->
 * NAS keys, SUCI concealment), so every check is against what a real UE computes. The
 * AMF runs with the real AUSF/UDM/UDR/SQLite store (ausf_test_util.h); NGAP messages are
 * handed to amf_ngap_rx and the AMF's sends are captured in a queue. */
#ifndef G5_TEST_AMF_UTIL_H
#define G5_TEST_AMF_UTIL_H

#include <stdlib.h>

#include "ausf_test_util.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/amf/amf.h"
#include "ngap/ngap_msg.h"

#define TQ_MAX 64
typedef struct t_amf {
    t_nf nf;
    g5_config cfg;
    amf *amf;
    amf_gnb *gnb;
    uint8_t *q[TQ_MAX];
    size_t qlen[TQ_MAX];
    int qn;
} t_amf;

static inline int t_cap_send(void *arg, uint16_t stream, const uint8_t *p, size_t n)
{
    t_amf *t = arg;
    (void)stream;
    if (t->qn >= TQ_MAX)
        return -1;
    t->q[t->qn] = malloc(n);
    memcpy(t->q[t->qn], p, n);
    t->qlen[t->qn++] = n;
    return 0;
}

static inline void t_q_clear(t_amf *t)
{
    for (int i = 0; i < t->qn; i++)
        free(t->q[i]);
    t->qn = 0;
}

/* Pops the oldest captured NGAP message (decoded); false if none. */
static inline bool t_pop(t_amf *t, NGAP_NGAP_PDU_t *pdu)
{
    if (!t->qn)
        return false;
    int rc = ngap_decode(pdu, t->q[0], t->qlen[0], NULL);
    free(t->q[0]);
    memmove(t->q, t->q + 1, (size_t)(t->qn - 1) * sizeof t->q[0]);
    memmove(t->qlen, t->qlen + 1, (size_t)(t->qn - 1) * sizeof t->qlen[0]);
    t->qn--;
    return rc == 0;
}

static inline void t_run(t_amf *t)
{
    for (int i = 0; i < 40; i++)
        uv_run(&t->nf.loop, UV_RUN_NOWAIT);
}

static inline void t_rx(t_amf *t, NGAP_NGAP_PDU_t *pdu)
{
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 65536);
    assert_int_equal(ngap_encode(pdu, &w), 0);
    ngap_free(pdu);
    amf_ngap_rx(t->gnb, 0, g5_wbuf_data(&w), g5_wbuf_len(&w));
    g5_wbuf_free(&w);
    t_run(t);
}

static const uint8_t T_PLMN[3] = {0x00, 0xf1, 0x10}; /* 001/01 */
static const uint8_t T_TAC[3] = {0, 0, 1};

static inline void t_ng_setup(t_amf *t, const uint8_t plmn[3], int want_type)
{
    NGAP_NGAP_PDU_t pdu;
    ngap_snssai sl = {.sst = 1};
    assert_int_equal(ngap_build_ng_setup_request(&pdu, plmn, 1, 32, "test-gnb", T_TAC, &sl, 1,
                                                 NGAP_PagingDRX_v128),
                     0);
    t_rx(t, &pdu);
    assert_true(t_pop(t, &pdu));
    assert_int_equal(pdu.present, want_type);
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_NGSetup);
    ngap_free(&pdu);
}

static inline void t_amf_up(t_amf *t, const amf_timer_cfg *tc)
{
    memset(t, 0, sizeof *t);
    assert_int_equal(t_nf_up(&t->nf, NULL, NULL), 0);
    g5_config_defaults(&t->cfg);
    t->amf = amf_new(&t->nf.loop, &t->cfg, t->nf.udm, t->nf.ausf, tc);
    assert_non_null(t->amf);
    t->gnb = amf_gnb_attach(t->amf, t_cap_send, t, "test");
    t_ng_setup(t, T_PLMN, NGAP_MSG_SUCCESSFUL);
}

static inline void t_amf_down(t_amf *t)
{
    amf_free(t->amf);
    t_q_clear(t);
    t_nf_down(&t->nf);
}

/* ---- the UE ---- */
typedef struct t_ue {
    g5_subscriber sub;
    t_usim usim;
    int64_t ran_id;
    int64_t amf_id;
    nas_sec_ctx sec;
    bool sec_on;
    uint8_t kseaf[32];
    uint32_t tmsi;
    int scheme;
    nas_ue_sec_cap caps;
    bool no_caps;
    int nssai_sst; /* requested S-NSSAI SST (0: none requested) */
} t_ue;

static inline void t_ue_init(t_amf *t, t_ue *ue, unsigned idx, bool provision)
{
    memset(ue, 0, sizeof *ue);
    if (provision)
        assert_int_equal(t_provision(&t->nf, idx, G5_AUTH_5G_AKA, &ue->sub), 0);
    else
        t_sub(&ue->sub, idx);
    t_usim_from(&ue->usim, &ue->sub);
    ue->ran_id = (int64_t)idx;
    ue->amf_id = -1;
    ue->caps = (nas_ue_sec_cap){.ea = 0xf0, .ia = 0x70};
    ue->nssai_sst = 1;
}

static inline void t_send_nas(t_amf *t, t_ue *ue, const uint8_t *nas, size_t n, bool initial)
{
    NGAP_NGAP_PDU_t pdu;
    if (initial)
        assert_int_equal(ngap_build_initial_ue_message(&pdu, ue->ran_id, nas, n, T_PLMN, T_TAC,
                                                       0x10,
                                                       NGAP_RRCEstablishmentCause_mo_Signalling),
                         0);
    else
        assert_int_equal(ngap_build_uplink_nas_transport(&pdu, ue->amf_id, ue->ran_id, nas, n,
                                                         T_PLMN, T_TAC, 0x10),
                         0);
    t_rx(t, &pdu);
}

/* Encodes m, protects it (sht) when the UE has a context, sends it. */
static inline void t_send_msg(t_amf *t, t_ue *ue, const nas_msg *m, uint8_t sht, bool initial)
{
    uint8_t plain[1024], out[1100];
    g5_wbuf w, o;
    g5_wbuf_init(&w, plain, sizeof plain);
    assert_int_equal(nas_encode(m, &w), 0);
    if (!sht) {
        t_send_nas(t, ue, plain, g5_wbuf_len(&w), initial);
        return;
    }
    g5_wbuf_init(&o, out, sizeof out);
    assert_int_equal(nas_sec_protect(&ue->sec, sht, NAS_DIR_UL, plain, g5_wbuf_len(&w), &o), 0);
    t_send_nas(t, ue, out, g5_wbuf_len(&o), initial);
}

/* The next NAS PDU the AMF sent to this UE (DL NAS Transport or Initial Context Setup),
 * deciphered; returns the NGAP procedure code, or -1 if nothing came. */
static inline int t_recv_nas(t_amf *t, t_ue *ue, uint8_t *plain, size_t *len, nas_msg *m)
{
    NGAP_NGAP_PDU_t pdu;
    if (!t_pop(t, &pdu))
        return -1;
    int pc = ngap_procedure_code(&pdu);
    const NGAP_NAS_PDU_t *nas = ngap_find_ie(&pdu, NGAP_id_NAS_PDU);
    const NGAP_AMF_UE_NGAP_ID_t *aid = ngap_find_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID);
    if (aid)
        ue->amf_id = *aid;
    *len = 0;
    if (nas) {
        if (nas->len > 1 && (nas->buf[1] & 0x0f) && ue->sec_on) {
            assert_int_equal(
                nas_sec_unprotect(&ue->sec, NAS_DIR_DL, nas->buf, nas->len, plain, 1024, len), 0);
        } else if (nas->len > 7 && (nas->buf[1] & 0x0f)) {
            memcpy(plain, nas->buf + 7, nas->len - 7); /* not yet verifiable (SMC) */
            *len = nas->len - 7;
        } else {
            memcpy(plain, nas->buf, nas->len);
            *len = nas->len;
        }
        uint8_t cause;
        assert_int_equal(nas_decode(plain, *len, m, &cause), 0);
    }
    ngap_free(&pdu);
    return pc;
}

/* Runs the loop until the AMF has sent something (AUSF/UDM work may go through the
 * libuv thread pool) or 5 s pass. */
static inline void t_wait(t_amf *t)
{
    uint64_t end = g5_clock_ms() + 5000;
    while (!t->qn && g5_clock_ms() < end)
        if (!uv_run(&t->nf.loop, UV_RUN_NOWAIT))
            uv_sleep(1);
}

static inline uint8_t t_expect_nas(t_amf *t, t_ue *ue, nas_msg *m, uint8_t *plain)
{
    size_t len;
    int pc;
    t_wait(t);
    do
        pc = t_recv_nas(t, ue, plain, &len, m);
    while (pc >= 0 && len == 0); /* skip NAS-less messages (release commands...) */
    assert_true(pc >= 0);
    return m->type;
}

static inline void t_reg_request(t_amf *t, t_ue *ue, uint8_t type, const nas_mobile_identity *mi,
                                 uint8_t sht, bool initial)
{
    nas_msg m;
    nas_arena ar;
    nas_msg_init(&m, NAS_REGISTRATION_REQUEST);
    nas_arena_init(&ar);
    struct nas_registration_request *r = &m.registration_request;
    nas_ie_set_half(&r->ie_5gs_registration_type, (uint8_t)(0x08 | type));
    nas_ie_set_half(&r->ngksi, ue->sec_on ? 0 : 7);
    size_t mark = g5_wbuf_len(&ar.w);
    assert_int_equal(nas_mobile_identity_encode(mi, &ar.w), 0);
    assert_int_equal(nas_arena_ie(&ar, mark, &r->ie_5gs_mobile_identity), 0);
    if (!ue->no_caps) {
        mark = g5_wbuf_len(&ar.w);
        nas_ue_sec_cap_encode(&ue->caps, &ar.w);
        assert_int_equal(nas_arena_ie(&ar, mark, &r->ue_security_capability), 0);
    }
    if (ue->nssai_sst) {
        nas_nssai ns = {.n = 1};
        ns.s[0].sst = (uint8_t)ue->nssai_sst;
        mark = g5_wbuf_len(&ar.w);
        nas_nssai_encode(&ns, &ar.w);
        assert_int_equal(nas_arena_ie(&ar, mark, &r->requested_nssai), 0);
    }
    t_send_msg(t, ue, &m, sht, initial);
}

static inline void t_suci(t_amf *t, t_ue *ue, int scheme, nas_mobile_identity *mi, g5_suci *suci)
{
    g5_supi supi;
    uint8_t id = 0, pub[G5_SUCI_PUB_MAX];
    size_t plen = 0;
    assert_int_equal(g5_supi_parse(ue->sub.supi, 2, &supi), 0);
    if (scheme)
        assert_int_equal(udm_hn_pubkey(t->nf.udm, scheme, &id, pub, &plen), 0);
    assert_int_equal(g5_suci_conceal(&supi, scheme, pub, plen, id, "0", NULL, suci), 0);
    memset(mi, 0, sizeof *mi);
    mi->type = NAS_MI_SUCI;
    mi->supi_format = NAS_SUPI_IMSI;
    strcpy(mi->plmn.mcc, "001");
    strcpy(mi->plmn.mnc, "01");
    strcpy(mi->routing_indicator, "0");
    mi->protection_scheme = (uint8_t)scheme;
    mi->hn_key_id = id;
    snprintf(mi->msin, sizeof mi->msin, "%s", supi.msin);
    mi->scheme_output = suci->output;
    mi->scheme_output_len = (uint16_t)suci->output_len;
}

static inline void t_guti(const t_ue *ue, nas_mobile_identity *mi)
{
    memset(mi, 0, sizeof *mi);
    mi->type = NAS_MI_GUTI;
    strcpy(mi->plmn.mcc, "001");
    strcpy(mi->plmn.mnc, "01");
    mi->amf_region_id = 2;
    mi->amf_set_id = 1;
    mi->amf_pointer = 0;
    mi->tmsi = ue->tmsi;
}

/* Answers an Authentication Request as the USIM does; returns the T_USIM_* result. */
static inline int t_answer_auth(t_amf *t, t_ue *ue, const nas_msg *req, bool send)
{
    const struct nas_authentication_request *a = &req->authentication_request;
    uint8_t res_star[16], kausf[32], auts[14];
    assert_true(a->authentication_parameter_rand.present &&
                a->authentication_parameter_autn.present);
    int r = t_usim_auth(&ue->usim, a->authentication_parameter_rand.v,
                        a->authentication_parameter_autn.v, T_SNN, res_star, kausf, NULL, NULL,
                        NULL, auts);
    nas_msg m;
    if (r == T_USIM_OK) {
        assert_int_equal(g5_kdf_kseaf(kausf, T_SNN, ue->kseaf), 0);
        nas_msg_init(&m, NAS_AUTHENTICATION_RESPONSE);
        nas_ie_set(&m.authentication_response.authentication_response_parameter, res_star, 16);
    } else {
        static uint8_t cause;
        static uint8_t auts_s[14];
        cause = r == T_USIM_MAC_FAIL ? 20 : 21;
        memcpy(auts_s, auts, 14);
        nas_msg_init(&m, NAS_AUTHENTICATION_FAILURE);
        nas_ie_set(&m.authentication_failure.ie_5gmm_cause, &cause, 1);
        if (r == T_USIM_SYNC_FAIL)
            nas_ie_set(&m.authentication_failure.authentication_failure_parameter, auts_s, 14);
    }
    if (send)
        t_send_msg(t, ue, &m, 0, false);
    return r;
}

/* Takes the SMC: derives KAMF and the NAS keys, checks the SMC's MAC, answers Complete. */
static inline void t_answer_smc(t_amf *t, t_ue *ue, const nas_msg *smc)
{
    static const uint8_t abba[2] = {0, 0};
    nas_sec_algs algs;
    uint8_t kamf[32];
    assert_int_equal(
        nas_sec_algs_decode(&smc->security_mode_command.selected_nas_security_algorithms, &algs),
        0);
    assert_int_equal(g5_kdf_kamf(ue->kseaf, ue->sub.supi + 5, abba, 2, kamf), 0);
    memset(&ue->sec, 0, sizeof ue->sec);
    ue->sec.nia = algs.nia;
    ue->sec.nea = algs.nea;
    ue->sec.bearer = NAS_ACCESS_3GPP;
    g5_kdf_knas_int(kamf, algs.nia, ue->sec.knas_int);
    g5_kdf_knas_enc(kamf, algs.nea, ue->sec.knas_enc);
    ue->sec.dl_count = 1; /* the SMC used DL COUNT 0 */
    ue->sec_on = true;
    nas_msg m;
    nas_msg_init(&m, NAS_SECURITY_MODE_COMPLETE);
    t_send_msg(t, ue, &m, NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX, false);
}

static inline void t_send_plain_type(t_amf *t, t_ue *ue, uint8_t type, uint8_t sht)
{
    nas_msg m;
    nas_msg_init(&m, type);
    t_send_msg(t, ue, &m, sht, false);
}

/* Full initial registration up to Registration Complete. */
static inline void t_register(t_amf *t, t_ue *ue, int scheme)
{
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_suci(t, ue, scheme, &mi, &suci);
    t_reg_request(t, ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(t, ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    assert_int_equal(t_answer_auth(t, ue, &m, true), T_USIM_OK);
    assert_int_equal(t_expect_nas(t, ue, &m, plain), NAS_SECURITY_MODE_COMMAND);
    t_answer_smc(t, ue, &m);
    assert_int_equal(t_expect_nas(t, ue, &m, plain), NAS_REGISTRATION_ACCEPT);
    nas_mobile_identity g;
    assert_int_equal(nas_mobile_identity_decode(&m.registration_accept.ie_5g_guti, &g), 0);
    assert_int_equal(g.type, NAS_MI_GUTI);
    ue->tmsi = g.tmsi;
    t_send_plain_type(t, ue, NAS_REGISTRATION_COMPLETE, NAS_SHT_INTEGRITY_CIPHERED);
}

#endif
