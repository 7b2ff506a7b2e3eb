/* PDU sessions in the simulator (sim/sim_up.h): the session procedure drivers over the real
 * UE (NAS + 5GSM) and gNB (NGAP + N3) layers against a small AMF+SMF+UPF written in this
 * test. The network side uses other code than the simulator's: the SMF's 5GSM and N2
 * builders and parsers (src/nf/smf/smf_gsm.h) build the ESTABLISHMENT ACCEPT/REJECT,
 * RELEASE COMMAND and the PDU Session Resource Setup Request Transfer and parse the gNB's
 * Setup Response Transfer; the NGAP codec's AMF-side builders carry them. The "UPF" is a
 * UDP socket on the loop that parses the gNB's G-PDUs with the GTP-U codec and answers
 * echo requests. Checked: establishment (steps, PDU address, DL tunnel on the gNB's N3
 * address), release (both halves, tunnels freed), reject and 5GMM #90 counted by name,
 * T3580 retransmission, the gNB's Setup Failure for an unsupported session type, ICS with
 * PDU sessions, and the user plane both ways (UL PDU Session Container with the QFI, DL
 * demultiplexed by TEID, unknown TEIDs dropped).
 *
 * `test_sim_session --dump` prints the gNB's NGAP answers, the UE's 5GSM-in-UL-NAS-TRANSPORT
 * and an uplink G-PDU as hex lines for tests/integration/test_e2e_session_oracles.py
 * (tshark); `--decap HEX` feeds one datagram (built there with scapy) to the gNB's N3 input
 * and prints what it did with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/hex.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "gtpu/gtpu.h"
#include "nas/nas_ie.h"
#include "nf/smf/smf_gsm.h"
#include "ngap/ngap_msg.h"
#include "sim/gnb.h"
#include "sim/sim_up.h"
#include "sim/ue_nas.h"
#include "sim/ue_proc.h"

#define MAXC 256
#define GNB_N3 "127.0.0.77"
static const uint8_t upf_ip[4] = {127, 0, 0, 78};

typedef struct conn {
    bool used;
    uint32_t ran_id;
    int64_t amf_id;
    char supi[16];
    uint8_t xres_star[16], kamf[32];
    nas_sec_ctx sec;
    uint32_t tmsi;
    uint8_t last_est_pti;
} conn;

typedef struct pdu_q {
    uint32_t ran_id;
    size_t len;
    uint8_t b[2048];
} pdu_q;

static struct {
    uv_loop_t loop;
    sim_config cfg;
    sim_engine eng;
    sim_ue_layer ul;
    sim_gnb gnb;
    sim_up *up;
    uv_timer_t t;
    uv_udp_t upf;
    bool upf_open;
    conn c[MAXC];
    pdu_q q[256];
    unsigned nq;
    int64_t next_amf_id;
    uint8_t opc[16];
    uint32_t next_ul_teid;
    /* what the network saw */
    uint64_t reg_complete, est_req, est_retx, rel_req, rel_complete, sm_status;
    uint64_t setup_rsp, setup_fail, rel_rsp, drop_first_est;
    g5_tnl_addr gnb_ip;
    uint32_t gnb_teid[MAXC];
    uint64_t upf_gpdu, upf_bad, upf_echo;
    uint8_t fail_type; /* transfer PDU session type to send (NAS_PDU_*), 0 = as requested */
    bool done;
} A;

static conn *conn_of(uint32_t ran_id, bool create)
{
    conn *c = &A.c[ran_id % MAXC];
    if (c->used && c->ran_id == ran_id)
        return c;
    if (!create)
        return NULL;
    memset(c, 0, sizeof *c);
    c->used = true;
    c->ran_id = ran_id;
    c->amf_id = ++A.next_amf_id;
    return c;
}

static void flush(uv_timer_t *t)
{
    (void)t;
    static pdu_q q[256];
    unsigned n = A.nq;
    memcpy(q, A.q, n * sizeof q[0]);
    A.nq = 0;
    for (unsigned i = 0; i < n; i++) {
        if (sim_engine_deliver(&A.eng, q[i].ran_id, q[i].b, q[i].len) == 0)
            continue;
        /* as gnb_n2.c does: a CM-CONNECTED UE running nothing gets a network-initiated run */
        sim_ue *ue = sim_pop_by_ran_id(&A.eng.pop, q[i].ran_id);
        if (ue && !ue->run && sim_engine_start(&A.eng, ue, &sim_proc_network) == 0)
            sim_engine_deliver(&A.eng, q[i].ran_id, q[i].b, q[i].len);
    }
}

static void queue_ngap(uint32_t ran_id, NGAP_NGAP_PDU_t *pdu)
{
    assert_true(A.nq < 256);
    pdu_q *q = &A.q[A.nq++];
    g5_wbuf w;
    g5_wbuf_init(&w, q->b, sizeof q->b);
    assert_int_equal(ngap_encode(pdu, &w), 0);
    ngap_free(pdu);
    q->len = w.len;
    q->ran_id = ran_id;
    uv_timer_start(&A.t, flush, 0, 0);
}

static size_t enc(const nas_msg *m, uint8_t *b, size_t cap)
{
    g5_wbuf w;
    g5_wbuf_init(&w, b, cap);
    assert_int_equal(nas_encode(m, &w), 0);
    return w.len;
}

static size_t protect(conn *c, const nas_msg *m, uint8_t sht, uint8_t *o, size_t cap)
{
    uint8_t p[1024];
    size_t n = enc(m, p, sizeof p);
    g5_wbuf w;
    g5_wbuf_init(&w, o, cap);
    assert_int_equal(nas_sec_protect(&c->sec, sht, NAS_DIR_DL, p, n, &w), 0);
    return w.len;
}

static void dl_nas(conn *c, const uint8_t *nas, size_t len)
{
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_downlink_nas_transport(&pdu, c->amf_id, c->ran_id, nas, len), 0);
    queue_ngap(c->ran_id, &pdu);
}

/* ---- 5GMM (as in test_sim_proc.c) ---- */

static void amf_registration(conn *c, const nas_msg *m)
{
    nas_mobile_identity mi;
    assert_int_equal(
        nas_mobile_identity_decode(&m->registration_request.ie_5gs_mobile_identity, &mi), 0);
    snprintf(c->supi, sizeof c->supi, "%s%s%s", mi.plmn.mcc, mi.plmn.mnc, mi.msin);
    uint8_t rand[16], sqn[6] = {0, 0, 0, 0, 0, 0x40}, amf[2] = {0x80, 0};
    memset(rand, 0x33, sizeof rand);
    g5_milenage_av av;
    assert_int_equal(g5_milenage_generate(A.cfg.ue[0].key, A.opc, rand, sqn, amf, &av), 0);
    char snn[40];
    uint8_t kausf[32], kseaf[32];
    const uint8_t abba[2] = {0, 0};
    assert_int_equal(g5_serving_network_name("001", "01", snn, sizeof snn), 0);
    assert_int_equal(g5_kdf_res_star(av.ck, av.ik, snn, rand, av.xres, 8, c->xres_star), 0);
    assert_int_equal(g5_kdf_kausf(av.ck, av.ik, snn, av.autn, kausf), 0);
    assert_int_equal(g5_kdf_kseaf(kausf, snn, kseaf), 0);
    assert_int_equal(g5_kdf_kamf(kseaf, c->supi, abba, 2, c->kamf), 0);
    nas_msg r;
    nas_msg_init(&r, NAS_AUTHENTICATION_REQUEST);
    nas_ie_set_half(&r.authentication_request.ngksi, 0);
    nas_ie_set(&r.authentication_request.abba, abba, 2);
    nas_ie_set(&r.authentication_request.authentication_parameter_rand, rand, 16);
    nas_ie_set(&r.authentication_request.authentication_parameter_autn, av.autn, 16);
    uint8_t b[128];
    dl_nas(c, b, enc(&r, b, sizeof b));
}

static void amf_auth_response(conn *c, const nas_msg *m)
{
    const nas_ie *p = &m->authentication_response.authentication_response_parameter;
    assert_true(p->present && p->len == 16);
    assert_memory_equal(p->v, c->xres_star, 16);
    memset(&c->sec, 0, sizeof c->sec);
    c->sec.nia = 2;
    c->sec.nea = 2;
    c->sec.bearer = NAS_ACCESS_3GPP;
    assert_int_equal(g5_kdf_knas_int(c->kamf, 2, c->sec.knas_int), 0);
    assert_int_equal(g5_kdf_knas_enc(c->kamf, 2, c->sec.knas_enc), 0);
    nas_msg r;
    nas_msg_init(&r, NAS_SECURITY_MODE_COMMAND);
    uint8_t alg = 0x22, caps[2] = {0xf0, 0x70};
    nas_ie_set(&r.security_mode_command.selected_nas_security_algorithms, &alg, 1);
    nas_ie_set_half(&r.security_mode_command.ngksi, 0);
    nas_ie_set(&r.security_mode_command.replayed_ue_security_capabilities, caps, 2);
    uint8_t o[256];
    dl_nas(c, o, protect(c, &r, NAS_SHT_INTEGRITY_NEW_CTX, o, sizeof o));
}

static void amf_accept(conn *c)
{
    nas_arena a;
    nas_arena_init(&a);
    nas_msg r;
    nas_msg_init(&r, NAS_REGISTRATION_ACCEPT);
    uint8_t res = 1;
    nas_ie_set(&r.registration_accept.ie_5gs_registration_result, &res, 1);
    nas_mobile_identity g = {.type = NAS_MI_GUTI,
                             .amf_region_id = 2,
                             .amf_set_id = 1,
                             .amf_pointer = 1,
                             .tmsi = (uint32_t)c->amf_id};
    snprintf(g.plmn.mcc, sizeof g.plmn.mcc, "001");
    snprintf(g.plmn.mnc, sizeof g.plmn.mnc, "01");
    size_t mark = a.w.len;
    assert_int_equal(nas_mobile_identity_encode(&g, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &r.registration_accept.ie_5g_guti), 0);
    uint8_t o[256];
    size_t n = protect(c, &r, NAS_SHT_INTEGRITY_CIPHERED, o, sizeof o);
    NGAP_NGAP_PDU_t pdu;
    ngap_guami gu = {.plmn = {0x00, 0xf1, 0x10}, .region_id = 2, .set_id = 1, .pointer = 1};
    ngap_snssai s = {.sst = 1};
    uint16_t caps[4] = {0xe000, 0xe000, 0, 0};
    uint8_t kgnb[32] = {0};
    assert_int_equal(ngap_build_initial_context_setup_request(&pdu, c->amf_id, c->ran_id, &gu, &s,
                                                              1, caps, kgnb, o, n),
                     0);
    queue_ngap(c->ran_id, &pdu);
}

/* ---- 5GSM: the SMF's builders ---- */

/* A 5GSM message from the SMF in a protected DL NAS TRANSPORT (TS 24.501 8.2.11). */
static size_t dl_transport(conn *c, uint8_t psi, const uint8_t *sm, size_t n, int mm_cause,
                           uint8_t *o, size_t cap)
{
    nas_msg m;
    nas_msg_init(&m, NAS_DL_NAS_TRANSPORT);
    nas_ie_set_half(&m.dl_nas_transport.payload_container_type, NAS_PAYLOAD_N1_SM);
    nas_ie_set(&m.dl_nas_transport.payload_container, sm, n);
    nas_ie_set(&m.dl_nas_transport.pdu_session_id, &psi, 1);
    uint8_t cause = (uint8_t)mm_cause;
    if (mm_cause)
        nas_ie_set(&m.dl_nas_transport.ie_5gmm_cause, &cause, 1);
    return protect(c, &m, NAS_SHT_INTEGRITY_CIPHERED, o, cap);
}

static void smf_establish(conn *c, const nas_msg *ul, const uint8_t *sm, size_t sm_len)
{
    smf_est_req req;
    uint8_t cause = 0;
    assert_int_equal(smf_gsm_parse_est_req(sm, sm_len, &req, &cause), 0);
    char dnn[64] = "";
    assert_true(ul->ul_nas_transport.dnn.present);
    assert_int_equal(nas_dnn_decode(&ul->ul_nas_transport.dnn, dnn, sizeof dnn) > 0 ? 0 : -1, 0);
    assert_true(ul->ul_nas_transport.s_nssai.present);
    assert_int_equal(ul->ul_nas_transport.request_type.half, 1); /* initial request */
    A.est_req++;
    if (req.pti == c->last_est_pti)
        A.est_retx++;
    c->last_est_pti = req.pti;
    if (A.drop_first_est && A.est_req <= A.drop_first_est)
        return; /* lost: T3580 must resend it */
    uint8_t b[512], o[600];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (!strcmp(dnn, "bogus")) { /* #27 missing or unknown DNN */
        assert_int_equal(smf_gsm_build_reject(req.psi, req.pti, 27, &w), 0);
        dl_nas(c, o, dl_transport(c, req.psi, b, w.len, 0, o, sizeof o));
        return;
    }
    if (!strcmp(dnn, "unrouted")) { /* the AMF could not forward it: 5GMM #90 */
        dl_nas(c, o, dl_transport(c, req.psi, sm, sm_len, 90, o, sizeof o));
        return;
    }
    uint8_t type = req.pdu_type ? req.pdu_type : NAS_PDU_IPV4;
    smf_accept acc = {.psi = req.psi,
                      .pti = req.pti,
                      .pdu_type = type,
                      .ssc_mode = 1,
                      .ipv4 = {10, 45, 0, (uint8_t)(c->amf_id & 0xff)},
                      .ipv6_iid = {0, 0, 0, 0, 0, 0, 0, (uint8_t)c->amf_id},
                      .qfi = 1,
                      .fiveqi = 9,
                      .ambr_ul = 100000000,
                      .ambr_dl = 200000000,
                      .dnn = dnn,
                      .sst = 1,
                      .sd = 0xffffff};
    assert_int_equal(smf_gsm_build_accept(&acc, &w), 0);
    size_t n = dl_transport(c, req.psi, b, w.len, 0, o, sizeof o);
    uint8_t tb[256];
    g5_wbuf tw;
    g5_wbuf_init(&tw, tb, sizeof tb);
    smf_n2_setup s = {.ul_teid = ++A.next_ul_teid,
                      .pdu_type = A.fail_type ? A.fail_type : type,
                      .qfi = 1,
                      .fiveqi = 9,
                      .arp_priority = 8,
                      .ambr_ul = 100000000,
                      .ambr_dl = 200000000};
    s.upf_n3.v4 = true;
    memcpy(s.upf_n3.ipv4, upf_ip, 4);
    assert_int_equal(smf_n2_build_setup_request_transfer(&s, &tw), 0);
    NGAP_NGAP_PDU_t pdu;
    ngap_snssai sn = {.sst = 1};
    assert_int_equal(ngap_build_pdu_session_setup_request(&pdu, c->amf_id, c->ran_id, req.psi, &sn,
                                                          o, n, tb, tw.len),
                     0);
    queue_ngap(c->ran_id, &pdu);
}

static void smf_release(conn *c, uint8_t psi, uint8_t pti)
{
    A.rel_req++;
    uint8_t b[64], o[256], tb[64];
    g5_wbuf w, tw;
    g5_wbuf_init(&w, b, sizeof b);
    g5_wbuf_init(&tw, tb, sizeof tb);
    assert_int_equal(smf_gsm_build_release_command(psi, pti, 36, &w), 0);
    size_t n = dl_transport(c, psi, b, w.len, 0, o, sizeof o);
    assert_int_equal(smf_n2_build_release_command_transfer(&tw), 0);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(
        ngap_build_pdu_session_release_command(&pdu, c->amf_id, c->ran_id, psi, tb, tw.len), 0);
    a1_octets *nas = ngap_add_ie(&pdu, NGAP_id_NAS_PDU);
    assert_non_null(nas);
    assert_int_equal(a1_octets_set(nas, o, n), 0);
    queue_ngap(c->ran_id, &pdu);
}

static void amf_ul_transport(conn *c, const nas_msg *m)
{
    const struct nas_ul_nas_transport *t = &m->ul_nas_transport;
    assert_int_equal(t->payload_container_type.half, NAS_PAYLOAD_N1_SM);
    uint8_t psi, pti, type, cause;
    const uint8_t *sm = t->payload_container.v;
    size_t n = t->payload_container.len;
    assert_int_equal(smf_gsm_peek(sm, n, &psi, &pti, &type, &cause), 0);
    assert_true(t->pdu_session_id.present && t->pdu_session_id.v[0] == psi);
    switch (type) {
    case NAS_PDU_SESSION_ESTABLISHMENT_REQUEST: smf_establish(c, m, sm, n); break;
    case NAS_PDU_SESSION_RELEASE_REQUEST: smf_release(c, psi, pti); break;
    case NAS_PDU_SESSION_RELEASE_COMPLETE: A.rel_complete++; break;
    case NAS_STATUS_5GSM: A.sm_status++; break;
    default: fail_msg("unexpected 5GSM type 0x%02x", type);
    }
}

static void amf_protected(conn *c, const uint8_t *nas, size_t len)
{
    uint8_t plain[1024];
    size_t plen = 0;
    assert_int_equal(nas_sec_unprotect(&c->sec, NAS_DIR_UL, nas, len, plain, sizeof plain, &plen),
                     0);
    nas_msg m;
    assert_int_equal(nas_decode(plain, plen, &m, NULL), 0);
    switch (m.type) {
    case NAS_SECURITY_MODE_COMPLETE: amf_accept(c); break;
    case NAS_REGISTRATION_COMPLETE: A.reg_complete++; break;
    case NAS_UL_NAS_TRANSPORT: amf_ul_transport(c, &m); break;
    default: fail_msg("unexpected uplink NAS type 0x%02x", m.type);
    }
}

/* The gNB's Setup Response, parsed with the SMF's transfer parser. */
static void amf_setup_outcome(const NGAP_NGAP_PDU_t *p, uint32_t ran_id)
{
    const NGAP_PDUSessionResourceSetupListSURes_t *ok =
        ngap_find_ie(p, NGAP_id_PDUSessionResourceSetupListSURes);
    const NGAP_PDUSessionResourceFailedToSetupListSURes_t *bad =
        ngap_find_ie(p, NGAP_id_PDUSessionResourceFailedToSetupListSURes);
    for (size_t i = 0; ok && i < ok->count; i++) {
        const a1_octets *t = &ok->list[i].pDUSessionResourceSetupResponseTransfer;
        assert_int_equal(smf_n2_parse_setup_response_transfer(t->buf, t->len, &A.gnb_ip,
                                                              &A.gnb_teid[ran_id % MAXC]),
                         0);
        A.setup_rsp++;
    }
    for (size_t i = 0; bad && i < bad->count; i++) {
        NGAP_PDUSessionResourceSetupUnsuccessfulTransfer_t u;
        const a1_octets *t = &bad->list[i].pDUSessionResourceSetupUnsuccessfulTransfer;
        assert_int_equal(a1_decode(&NGAP_PDUSessionResourceSetupUnsuccessfulTransfer_def, &u,
                                   t->buf, t->len, NULL),
                         0);
        assert_int_equal(u.cause.present, NGAP_Cause_PR_radioNetwork);
        a1_free(&NGAP_PDUSessionResourceSetupUnsuccessfulTransfer_def, &u);
        A.setup_fail++;
    }
}

static int amf_send(void *ctx, uint32_t ran_id, const uint8_t *pdu, size_t len)
{
    (void)ctx;
    NGAP_NGAP_PDU_t p;
    assert_int_equal(ngap_decode(&p, pdu, len, NULL), 0);
    int pc = ngap_procedure_code(&p);
    const a1_octets *nas = ngap_find_ie(&p, NGAP_id_NAS_PDU);
    conn *c = conn_of(ran_id, pc == NGAP_id_InitialUEMessage);
    if (c && nas) {
        if (nas->len > 1 && nas->buf[1] != 0) {
            amf_protected(c, nas->buf, nas->len);
        } else {
            nas_msg m;
            assert_int_equal(nas_decode(nas->buf, nas->len, &m, NULL), 0);
            if (m.type == NAS_REGISTRATION_REQUEST)
                amf_registration(c, &m);
            else if (m.type == NAS_AUTHENTICATION_RESPONSE)
                amf_auth_response(c, &m);
        }
    }
    if (pc == NGAP_id_PDUSessionResourceSetup && p.present == NGAP_MSG_SUCCESSFUL)
        amf_setup_outcome(&p, ran_id);
    if (pc == NGAP_id_PDUSessionResourceRelease && p.present == NGAP_MSG_SUCCESSFUL) {
        const NGAP_PDUSessionResourceReleasedListRelRes_t *l =
            ngap_find_ie(&p, NGAP_id_PDUSessionResourceReleasedListRelRes);
        assert_non_null(l);
        A.rel_rsp += l->count;
    }
    if (pc == NGAP_id_UEContextRelease && c)
        c->used = false;
    ngap_free(&p);
    return 0;
}

static const sim_transport_ops amf_transport = {.name = "test-amf", .send = amf_send};

/* ---- the "UPF": parses G-PDUs, answers ICMP echo requests through the DL tunnel ---- */

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void upf_alloc(uv_handle_t *h, size_t s, uv_buf_t *b)
{
    (void)h;
    (void)s;
    static char buf[4096];
    *b = uv_buf_init(buf, sizeof buf);
}

static void upf_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf, const struct sockaddr *from,
                     unsigned flags)
{
    (void)flags;
    if (n <= 0)
        return;
    g5_gtpu_hdr g;
    if (g5_gtpu_parse((const uint8_t *)buf->base, (size_t)n, &g) != 0 ||
        g.msg_type != G5_GTPU_GPDU || !g.has_psc || g.psc.pdu_type != G5_GTPU_PSC_UL ||
        g.psc.qfi != 1 || g.teid == 0 || g.teid > A.next_ul_teid) {
        A.upf_bad++;
        return;
    }
    A.upf_gpdu++;
    const uint8_t *ip = g.payload;
    if (g.payload_len < 28 || ip[0] != 0x45 || ip[9] != 1 || ip[20] != 8)
        return;
    /* echo reply: swap addresses, type 0, new checksum; DL TEID of this UE's tunnel */
    uint8_t pkt[G5_GTPU_HEADROOM + 1500];
    uint8_t *r = pkt + G5_GTPU_HEADROOM;
    memcpy(r, ip, g.payload_len);
    memcpy(r + 12, ip + 16, 4);
    memcpy(r + 16, ip + 12, 4);
    r[20] = 0;
    r[22] = r[23] = 0;
    uint16_t c = csum(r + 20, g.payload_len - 20);
    r[22] = (uint8_t)(c >> 8);
    r[23] = (uint8_t)c;
    uint32_t dl_teid = 0;
    /* find the tunnel by the UE's address: the SMF gave 10.45.0.<amf id> */
    for (unsigned i = 0; i < MAXC; i++)
        if (A.c[i].amf_id && (uint8_t)(A.c[i].amf_id & 0xff) == ip[15])
            dl_teid = A.gnb_teid[A.c[i].ran_id % MAXC];
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_DL, .qfi = 1};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = dl_teid, .psc = &psc};
    int hl = g5_gtpu_encap(r, g.payload_len, G5_GTPU_HEADROOM, &e, 0);
    assert_true(hl > 0);
    uv_buf_t ub = uv_buf_init((char *)r - hl, (unsigned)(g.payload_len + (size_t)hl));
    assert_true(uv_udp_try_send(h, &ub, 1, from) > 0);
    A.upf_echo++;
}

static void upf_open(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(G5_GTPU_PORT)};
    memcpy(&sa.sin_addr, upf_ip, 4);
    assert_int_equal(uv_udp_init(&A.loop, &A.upf), 0);
    assert_int_equal(uv_udp_bind(&A.upf, (const struct sockaddr *)&sa, 0), 0);
    assert_int_equal(uv_udp_recv_start(&A.upf, upf_alloc, upf_recv), 0);
    A.upf_open = true;
}

/* ---- harness ---- */

static void on_done(sim_engine *e)
{
    A.done = true;
    uv_stop(e->loop);
}

static void setup(uint32_t n)
{
    memset(&A, 0, sizeof A);
    uv_loop_init(&A.loop);
    uv_timer_init(&A.loop, &A.t);
    sim_config_defaults(&A.cfg);
    snprintf(A.cfg.gnb.n3_address, sizeof A.cfg.gnb.n3_address, GNB_N3);
    sim_ue_template *t = &A.cfg.ue[0];
    t->count = n;
    memcpy(A.opc, t->op, 16);
}

static void start(void)
{
    sim_pop pop;
    assert_int_equal(sim_pop_build(&pop, &A.cfg, 0), 0);
    sim_engine_opts o = {.rate = 100000, .max_inflight = 64, .timeout_ms = 200};
    assert_int_equal(sim_engine_init(&A.eng, &A.loop, &A.cfg, &pop, &o), 0);
    assert_int_equal(sim_ue_layer_init(&A.ul, &A.cfg, &A.eng.pop), 0);
    assert_int_equal(sim_gnb_init(&A.gnb, &A.cfg.gnb), 0);
    A.up = sim_up_new(&A.eng);
    assert_non_null(A.up);
    A.eng.up = A.ul.up = A.up;
    sim_engine_set_transport(&A.eng, &amf_transport, NULL);
    sim_engine_set_ue_ops(&A.eng, &sim_ue_nas_ops, &A.ul);
    sim_engine_set_gnb_ops(&A.eng, &sim_gnb_ngap_ops, &A.gnb);
}

static const sim_proc_stats *run(const sim_procedure *p)
{
    A.done = false;
    assert_int_equal(sim_engine_load(&A.eng, p, on_done), 0);
    uv_run(&A.loop, UV_RUN_DEFAULT);
    assert_true(A.done);
    return sim_engine_stats(&A.eng, p);
}

static void stop_loop(uv_timer_t *t)
{
    uv_stop(t->loop);
}

static void run_for(uint64_t ms)
{
    uv_timer_t t;
    uv_timer_init(&A.loop, &t);
    uv_timer_start(&t, stop_loop, ms, 0);
    uv_run(&A.loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&A.loop, UV_RUN_NOWAIT);
}

static void stop(void)
{
    A.eng.up = NULL;
    sim_up_free(A.up);
    sim_engine_free(&A.eng);
    sim_ue_layer_free(&A.ul);
    uv_close((uv_handle_t *)&A.t, NULL);
    if (A.upf_open)
        uv_close((uv_handle_t *)&A.upf, NULL);
    uv_run(&A.loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&A.loop), 0);
}

static void print_causes(const sim_proc_stats *st)
{
    for (int i = 0; i < SIM_MAX_CAUSES; i++)
        if (st->by_cause[i])
            fprintf(stderr, "cause %s: %llu\n", sim_cause_name(&A.eng, i),
                    (unsigned long long)st->by_cause[i]);
}

/* ---- tests ---- */

static void test_registration_session(void **state)
{
    (void)state;
    setup(20);
    start();
    const sim_proc_stats *st = run(&sim_proc_registration_session);
    print_causes(st);
    assert_int_equal(st->ok, 20);
    assert_int_equal(A.est_req, 20);
    assert_int_equal(A.setup_rsp, 20);
    for (unsigned s = 0; s < 5; s++)
        assert_int_equal(st->step[s].count, 20);
    /* the DL tunnel is on the gNB's N3 address, one TEID per session */
    uint8_t n3[4];
    inet_pton(AF_INET, GNB_N3, n3);
    assert_true(A.gnb_ip.v4 && !A.gnb_ip.v6);
    assert_memory_equal(A.gnb_ip.ipv4, n3, 4);
    assert_int_equal(A.up->st.est_ok, 20);
    /* not kept connected: the user plane was deactivated, the sessions stay (CM-IDLE) */
    sim_ue *ue = &A.eng.pop.ues[0];
    assert_int_equal(ue->cm_state, SIM_CM_IDLE);
    sim_sess *s = sim_up_find(A.up, ue, 1);
    assert_non_null(s);
    assert_int_equal(s->state, SIM_SESS_ACTIVE);
    assert_false(s->n3_up);
    assert_true(s->has_ipv4);
    assert_int_equal(s->ipv4[0], 10);
    assert_int_equal(s->qfi, 1);
    assert_int_equal(s->ambr_dl_bps, 200000000);
    assert_int_equal(g5_hmap_len(&A.up->by_dl_teid), 0);
    stop();
}

static void test_session_release(void **state)
{
    (void)state;
    setup(20);
    start();
    const sim_proc_stats *st = run(&sim_proc_registration_session_release);
    print_causes(st);
    assert_int_equal(st->ok, 20);
    assert_int_equal(A.rel_req, 20);
    assert_int_equal(A.rel_rsp, 20);
    assert_int_equal(A.rel_complete, 20);
    assert_int_equal(st->step[5].count, 20);
    assert_int_equal(A.up->st.rel_ok, 20);
    for (uint32_t i = 0; i < 20; i++)
        assert_int_equal(sim_up_active_count(A.up, &A.eng.pop.ues[i]), 0);
    assert_int_equal(g5_hmap_len(&A.up->by_dl_teid), 0);
    stop();
}

static void test_reject_and_not_forwarded(void **state)
{
    (void)state;
    setup(3);
    snprintf(A.cfg.ue[0].dnn, sizeof A.cfg.ue[0].dnn, "bogus");
    start();
    const sim_proc_stats *st = run(&sim_proc_registration_session);
    assert_int_equal(st->failed, 3);
    int rej = sim_cause_intern(&A.eng, "pdu session reject #27 missing or unknown DNN");
    assert_int_equal(st->by_cause[rej], 3);
    assert_int_equal(A.up->st.est_reject, 3);
    assert_int_equal(sim_up_active_count(A.up, &A.eng.pop.ues[0]), 0);
    stop();

    setup(2);
    snprintf(A.cfg.ue[0].dnn, sizeof A.cfg.ue[0].dnn, "unrouted");
    start();
    st = run(&sim_proc_registration_session);
    assert_int_equal(st->failed, 2);
    int nf = sim_cause_intern(&A.eng, "5gmm #90 payload was not forwarded");
    assert_int_equal(st->by_cause[nf], 2);
    assert_int_equal(A.up->st.mm_not_forwarded, 2);
    stop();
}

static void test_t3580_retransmission(void **state)
{
    (void)state;
    setup(4);
    start();
    A.drop_first_est = 4; /* every UE's first request is lost */
    const sim_proc_stats *st = run(&sim_proc_registration_session);
    print_causes(st);
    assert_int_equal(st->ok, 4);
    assert_int_equal(A.est_req, 8);
    assert_int_equal(A.est_retx, 4); /* same PTI (TS 24.501 6.4.1.6) */
    stop();
}

static void test_gnb_setup_failure(void **state)
{
    (void)state;
    setup(2);
    start();
    A.fail_type = 4; /* the transfer says Ethernet: not simulated */
    const sim_proc_stats *st = run(&sim_proc_registration_session);
    assert_int_equal(A.setup_fail, 2);
    assert_int_equal(A.setup_rsp, 0);
    assert_int_equal(st->failed, 2); /* the UE has its accept but no user plane */
    int c = sim_cause_intern(&A.eng, "pdu session resource setup failed");
    assert_int_equal(st->by_cause[c], 2);
    assert_int_equal(A.up->st.n2_setup_failed, 2);
    stop();
}

static void test_user_plane(void **state)
{
    (void)state;
    setup(3);
    start();
    upf_open();
    A.up->keep_connected = true;
    const sim_proc_stats *st = run(&sim_proc_registration_session);
    assert_int_equal(st->ok, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(A.eng.pop.ues[i].cm_state, SIM_CM_CONNECTED);
        assert_true(sim_up_find(A.up, &A.eng.pop.ues[i], 1)->n3_up);
    }
    assert_int_equal(g5_hmap_len(&A.up->by_dl_teid), 3);
    assert_int_equal(sim_up_ping_start(A.up, 100, "10.45.1.1", NULL), 0);
    run_for(300);
    assert_true(A.upf_gpdu >= 3 * 10);
    assert_int_equal(A.upf_bad, 0);
    assert_true(A.up->st.ping_recv >= 3 * 10);
    assert_true(A.up->st.ping_recv <= A.up->st.ping_sent);
    sim_sess *s = sim_up_find(A.up, &A.eng.pop.ues[0], 1);
    assert_true(s->ping_recv > 0 && s->dl_pkts == s->ping_recv);
    /* a G-PDU for a TEID the gNB never allocated is dropped and counted */
    uint8_t pkt[G5_GTPU_HEADROOM + 28] = {0};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = 0xdeadbeef};
    int hl = g5_gtpu_encap(pkt + G5_GTPU_HEADROOM, 28, G5_GTPU_HEADROOM, &e, 0);
    sim_n3_on_datagram(A.up, pkt + G5_GTPU_HEADROOM - hl, 28 + (size_t)hl, NULL);
    assert_int_equal(A.up->st.n3_rx_unknown_teid, 1);
    /* ue-status shows the session */
    json_t *j = sim_up_ue_json(A.up, &A.eng.pop.ues[0]);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "ipv4")),
                        "10.45.0.1");
    json_decref(j);
    /* release while connected: no service request, straight UL NAS TRANSPORT */
    st = run(&sim_proc_session_release);
    print_causes(st);
    assert_int_equal(st->ok, 3);
    assert_int_equal(st->step[0].count, 0);
    assert_int_equal(st->step[1].count, 3);
    assert_int_equal(g5_hmap_len(&A.up->by_dl_teid), 0);
    stop();
}

/* Network-requested release (TS 24.501 6.3.3) of a CM-CONNECTED UE's session: the gNB
 * answers the Release Command, the UE completes, and with no session left the UE goes
 * CM-IDLE. */
static void test_network_release(void **state)
{
    (void)state;
    setup(1);
    start();
    A.up->keep_connected = true;
    const sim_proc_stats *st = run(&sim_proc_registration_session);
    assert_int_equal(st->ok, 1);
    sim_ue *ue = &A.eng.pop.ues[0];
    assert_int_equal(ue->cm_state, SIM_CM_CONNECTED);
    conn *c = conn_of(ue->ran_ue_ngap_id, false);
    assert_non_null(c);
    smf_release(c, 1, 0); /* PTI 0: network-requested */
    run_for(100);
    assert_int_equal(A.rel_rsp, 1);
    assert_int_equal(A.rel_complete, 1);
    st = sim_engine_stats(&A.eng, &sim_proc_network);
    assert_non_null(st);
    assert_int_equal(st->ok, 1);
    assert_int_equal(sim_up_active_count(A.up, ue), 0);
    assert_int_equal(ue->cm_state, SIM_CM_IDLE);
    assert_int_equal(g5_hmap_len(&A.up->by_dl_teid), 0);
    stop();
}

static int ping_status = -1;

static void on_ping_exit(uv_process_t *p, int64_t status, int sig)
{
    (void)sig;
    ping_status = (int)status;
    uv_close((uv_handle_t *)p, NULL);
    uv_stop(p->loop);
}

/* tun: on, netns: on — the kernel's ping, run inside the UE's namespace, goes through
 * uesimtunN, the gNB's N3 and the test UPF, and its replies come back the same way. */
static void test_tun_netns_ping(void **state)
{
    (void)state;
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0 || access("/usr/bin/ip", X_OK)) {
        fprintf(stderr, "skipped: needs root, /dev/net/tun and iproute2 (TUN + netns)\n");
        skip();
    }
    setup(1);
    A.cfg.ue[0].tun = A.cfg.ue[0].netns = true;
    start();
    upf_open();
    A.up->keep_connected = true;
    const sim_proc_stats *st = run(&sim_proc_registration_session);
    assert_int_equal(st->ok, 1);
    sim_sess *s = sim_up_find(A.up, &A.eng.pop.ues[0], 1);
    const char *name = sim_tun_name(s);
    assert_non_null(name);
    char path[80];
    snprintf(path, sizeof path, "/run/netns/%s", name);
    assert_int_equal(access(path, F_OK), 0);
    char *args[] = {"ip", "netns", "exec", (char *)name, "ping",      "-c", "3",
                    "-i", "0.2",   "-W",   "2",          "10.45.1.1", NULL};
    uv_process_options_t o = {.file = "ip", .args = args, .exit_cb = on_ping_exit};
    uv_process_t proc;
    ping_status = -1;
    assert_int_equal(uv_spawn(&A.loop, &proc, &o), 0);
    uv_run(&A.loop, UV_RUN_DEFAULT);
    assert_int_equal(ping_status, 0); /* 3 of 3 echo replies */
    assert_true(A.upf_echo >= 3);
    assert_true(s->dl_pkts >= 3);
    assert_int_equal(A.up->st.tun_created, 1);
    /* release: the TUN and its namespace go away */
    st = run(&sim_proc_session_release);
    assert_int_equal(st->ok, 1);
    assert_int_equal(A.up->st.tun_closed, 1);
    assert_true(access(path, F_OK) != 0);
    stop();
}

/* Initial Context Setup Request carrying a PDU session (service request re-activation). */
static void test_ics_with_sessions(void **state)
{
    (void)state;
    setup(1);
    start();
    sim_ue *ue = &A.eng.pop.ues[0];
    sim_sess *s = sim_up_sessions(A.up, ue);
    s[0].state = SIM_SESS_ACTIVE;
    uint8_t tb[256];
    g5_wbuf tw;
    g5_wbuf_init(&tw, tb, sizeof tb);
    smf_n2_setup ss = {.ul_teid = 77,
                       .pdu_type = NAS_PDU_IPV4,
                       .qfi = 5,
                       .fiveqi = 9,
                       .arp_priority = 8,
                       .ambr_ul = 1000,
                       .ambr_dl = 1000};
    ss.upf_n3.v4 = true;
    memcpy(ss.upf_n3.ipv4, upf_ip, 4);
    assert_int_equal(smf_n2_build_setup_request_transfer(&ss, &tw), 0);
    NGAP_NGAP_PDU_t pdu;
    ngap_guami gu = {.plmn = {0x00, 0xf1, 0x10}, .region_id = 2, .set_id = 1, .pointer = 1};
    ngap_snssai sn = {.sst = 1};
    uint16_t caps[4] = {0xe000, 0xe000, 0, 0};
    uint8_t kgnb[32] = {0};
    assert_int_equal(
        ngap_build_initial_context_setup_request(&pdu, 9, 3, &gu, &sn, 1, caps, kgnb, NULL, 0), 0);
    NGAP_PDUSessionResourceSetupListCxtReq_t *l =
        ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceSetupListCxtReq);
    assert_non_null(l);
    l->list = calloc(1, sizeof *l->list);
    l->count = 1;
    l->list[0].pDUSessionID = 1;
    assert_int_equal(a1_octets_set(&l->list[0].s_NSSAI.sST, "\x01", 1), 0);
    assert_int_equal(a1_octets_set(&l->list[0].pDUSessionResourceSetupRequestTransfer, tb, tw.len),
                     0);
    uint8_t b[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(ngap_encode(&pdu, &w), 0);
    ngap_free(&pdu);
    assert_true(sim_up_ics_has_sessions(b, w.len));
    sim_pdu_msg m;
    assert_int_equal(sim_gnb_parse_pdu_msg(b, w.len, &m), 0);
    assert_int_equal(m.nitems, 1);
    assert_int_equal(m.items[0].t.ul_teid, 77);
    assert_int_equal(m.items[0].t.qfi[0], 5);
    sim_up_gnb_setup(A.up, ue, &m);
    assert_true(m.items[0].ok);
    assert_true(s[0].n3_up);
    uint8_t o[1024];
    g5_wbuf_init(&w, o, sizeof o);
    assert_int_equal(sim_gnb_build_ics_response_sessions(&m, &A.up->n3_addr, &w), 0);
    assert_int_equal(ngap_decode(&pdu, o, w.len, NULL), 0);
    const NGAP_PDUSessionResourceSetupListCxtRes_t *r =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceSetupListCxtRes);
    assert_non_null(r);
    assert_int_equal(r->count, 1);
    g5_tnl_addr ip;
    uint32_t teid = 0;
    const a1_octets *t = &r->list[0].pDUSessionResourceSetupResponseTransfer;
    assert_int_equal(smf_n2_parse_setup_response_transfer(t->buf, t->len, &ip, &teid), 0);
    assert_int_equal(teid, s[0].dl_teid);
    ngap_free(&pdu);
    stop();
}

/* Bad transfers: truncated, missing mandatory IEs. */
static void test_transfer_errors(void **state)
{
    (void)state;
    sim_setup_transfer t;
    static const uint8_t junk[] = {0x00, 0x04, 0xff};
    assert_true(sim_gnb_parse_setup_transfer(junk, sizeof junk, &t) < 0);
    assert_true(sim_gnb_parse_setup_transfer(junk, 0, &t) < 0);
    uint8_t tb[256];
    g5_wbuf tw;
    g5_wbuf_init(&tw, tb, sizeof tb);
    smf_n2_setup ss = {.ul_teid = 0x01020304,
                       .pdu_type = NAS_PDU_IPV4V6,
                       .qfi = 9,
                       .fiveqi = 9,
                       .arp_priority = 8};
    ss.upf_n3.v4 = true;
    memcpy(ss.upf_n3.ipv4, upf_ip, 4);
    assert_int_equal(smf_n2_build_setup_request_transfer(&ss, &tw), 0);
    assert_int_equal(sim_gnb_parse_setup_transfer(tb, tw.len, &t), 0);
    assert_int_equal(t.ul_teid, 0x01020304);
    assert_int_equal(t.pdu_type, 2);
    assert_true(t.upf.v4 && !t.upf.v6);
    assert_memory_equal(t.upf.ipv4, upf_ip, 4);
    for (size_t n = 0; n < tw.len; n++)
        assert_true(sim_gnb_parse_setup_transfer(tb, n, &t) < 0);
}

/* Peer input never crashes the gNB or the UE: every truncation and every single-octet
 * change of a valid PDU Session Resource Setup Request, of a G-PDU and of a DL NAS
 * TRANSPORT carrying an ESTABLISHMENT ACCEPT is parsed or refused (ASan build checks the
 * memory side). */
static void test_malformed_inputs(void **state)
{
    (void)state;
    setup(1);
    start();
    sim_ue *ue = &A.eng.pop.ues[0];
    sim_sess *ss = sim_up_sessions(A.up, ue);
    assert_non_null(ss);
    /* NGAP */
    uint8_t tb[256], b[1024], nas_b[512];
    g5_wbuf tw, w;
    g5_wbuf_init(&tw, tb, sizeof tb);
    smf_n2_setup st = {.ul_teid = 5,
                       .pdu_type = NAS_PDU_IPV4,
                       .qfi = 1,
                       .fiveqi = 9,
                       .arp_priority = 8,
                       .ambr_ul = 1000,
                       .ambr_dl = 1000};
    st.upf_n3.v4 = true;
    memcpy(st.upf_n3.ipv4, upf_ip, 4);
    assert_int_equal(smf_n2_build_setup_request_transfer(&st, &tw), 0);
    smf_accept acc = {.psi = 1,
                      .pti = 1,
                      .pdu_type = NAS_PDU_IPV4V6,
                      .ssc_mode = 1,
                      .ipv4 = {10, 45, 0, 9},
                      .qfi = 1,
                      .fiveqi = 9,
                      .ambr_ul = 1000,
                      .ambr_dl = 1000,
                      .dnn = "internet",
                      .sst = 1,
                      .sd = 0xffffff};
    g5_wbuf wn;
    g5_wbuf_init(&wn, nas_b, sizeof nas_b);
    assert_int_equal(smf_gsm_build_accept(&acc, &wn), 0);
    NGAP_NGAP_PDU_t pdu;
    ngap_snssai sn = {.sst = 1};
    assert_int_equal(
        ngap_build_pdu_session_setup_request(&pdu, 1, 2, 1, &sn, nas_b, wn.len, tb, tw.len), 0);
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(ngap_encode(&pdu, &w), 0);
    ngap_free(&pdu);
    size_t n = w.len;
    static sim_pdu_msg m;
    assert_int_equal(sim_gnb_parse_pdu_msg(b, n, &m), 0);
    unsigned parsed = 0;
    for (size_t cut = 0; cut < n; cut++)
        parsed += sim_gnb_parse_pdu_msg(b, cut, &m) == 0;
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            uint8_t c[1024];
            memcpy(c, b, n);
            c[i] ^= (uint8_t)(1u << bit);
            if (sim_gnb_parse_pdu_msg(c, n, &m) == 0) {
                parsed++;
                sim_up_gnb_setup(A.up, ue, &m); /* whatever it says, the gNB copes */
                for (int k = 0; k < SIM_UP_MAX_SESS; k++)
                    sim_up_n3_release(A.up, &ss[k]);
            }
        }
    assert_true(parsed > 0);
    /* 5GSM: the UE's DL NAS TRANSPORT handling on mutated accepts */
    for (size_t i = 0; i < wn.len; i++)
        for (int bit = 0; bit < 8; bit += 2) {
            uint8_t c[512];
            memcpy(c, nas_b, wn.len);
            c[i] ^= (uint8_t)(1u << bit);
            nas_msg dl;
            nas_msg_init(&dl, NAS_DL_NAS_TRANSPORT);
            nas_ie_set_half(&dl.dl_nas_transport.payload_container_type, NAS_PAYLOAD_N1_SM);
            nas_ie_set(&dl.dl_nas_transport.payload_container, c, wn.len - (i % 3));
            ss[0].state = SIM_SESS_ACTIVE_PENDING;
            ss[0].pti = 1;
            uint8_t r[512];
            g5_wbuf wr;
            g5_wbuf_init(&wr, r, sizeof r);
            sim_sm_event ev;
            (void)sim_sm_on_dl_transport(A.up, ue, &dl, &ev, &wr);
            sim_up_sess_clear(A.up, &ss[0]);
        }
    /* GTP-U: truncations and changes of a G-PDU for an existing tunnel */
    ss[0].state = SIM_SESS_ACTIVE;
    ss[0].n3_up = true;
    ss[0].dl_teid = 0x42;
    assert_int_equal(g5_hmap_put(&A.up->by_dl_teid, 0x42, &ss[0]), 0);
    uint8_t pkt[G5_GTPU_HEADROOM + 64] = {0};
    uint8_t *ip = pkt + G5_GTPU_HEADROOM;
    static const uint8_t v6[48] = {0x60, 0, 0, 0, 0, 8, 58, 255, [40] = 134};
    memcpy(ip, v6, sizeof v6);
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_DL, .qfi = 1};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = 0x42, .psc = &psc};
    int hl = g5_gtpu_encap(ip, sizeof v6, G5_GTPU_HEADROOM, &e, 0);
    assert_true(hl > 0);
    size_t gl = sizeof v6 + (size_t)hl;
    for (size_t cut = 0; cut <= gl; cut++)
        sim_n3_on_datagram(A.up, ip - hl, cut, NULL);
    for (size_t i = 0; i < gl; i++) {
        uint8_t c[128];
        memcpy(c, ip - hl, gl);
        c[i] ^= 0x21;
        sim_n3_on_datagram(A.up, c, gl, NULL);
    }
    assert_true(A.up->st.n3_rx_malformed > 0);
    assert_true(A.up->st.n3_rx > 0);
    stop();
}

/* ---- oracle feeds ---- */

static void hexline(const char *tag, const uint8_t *p, size_t n)
{
    printf("%s ", tag);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static int dump(void)
{
    uint8_t b[1024], tb[256];
    g5_wbuf w, tw;
    sim_pdu_msg m;
    memset(&m, 0, sizeof m);
    m.amf_ue_id = 5;
    m.ran_ue_id = 7;
    m.nitems = 2;
    m.items[0] =
        (sim_pdu_item){.psi = 1, .ok = true, .dl_teid = 0x1234, .t = {.nflows = 1, .qfi = {1}}};
    m.items[1] = (sim_pdu_item){.psi = 2,
                                .cause_group = NGAP_Cause_PR_radioNetwork,
                                .cause_value = NGAP_CauseRadioNetwork_unknown_PDU_session_ID};
    const g5_tnl_addr n3 = {.v4 = true, .ipv4 = {127, 0, 0, 77}};
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_gnb_build_setup_response(&m, &n3, &w))
        return 1;
    hexline("ngap", b, w.len);
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_gnb_build_ics_response_sessions(&m, &n3, &w))
        return 1;
    hexline("ngap", b, w.len);
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_gnb_build_release_response(&m, &w))
        return 1;
    hexline("ngap", b, w.len);
    /* 5GSM in UL NAS TRANSPORT */
    sim_sess s = {.psi = 1, .pti = 3, .req_type = NAS_PDU_IPV4V6};
    sim_snssai sn = {.sst = 1, .sd = 0x000001};
    g5_wbuf_init(&tw, tb, sizeof tb);
    if (sim_sm_build_est_request(&s, &tw))
        return 1;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_sm_build_ul_transport(1, 1, "internet", &sn, tb, tw.len, &w))
        return 1;
    hexline("nas", b, w.len);
    g5_wbuf_init(&tw, tb, sizeof tb);
    if (sim_sm_build_rel_request(&s, 36, &tw))
        return 1;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_sm_build_ul_transport(1, 0, NULL, NULL, tb, tw.len, &w))
        return 1;
    hexline("nas", b, w.len);
    g5_wbuf_init(&tw, tb, sizeof tb);
    if (sim_sm_build_rel_complete(&s, &tw))
        return 1;
    g5_wbuf_init(&w, b, sizeof b);
    if (sim_sm_build_ul_transport(1, 0, NULL, NULL, tb, tw.len, &w))
        return 1;
    hexline("nas", b, w.len);
    /* an uplink G-PDU as the gNB sends it (ICMP echo from 10.45.0.2 to 10.45.0.1) */
    uint8_t pkt[G5_GTPU_HEADROOM + 64] = {0};
    uint8_t *ip = pkt + G5_GTPU_HEADROOM;
    static const uint8_t icmp[] = {0x45, 0, 0,  28, 0, 1, 0, 0, 64,   1,    0, 0, 10, 45,
                                   0,    2, 10, 45, 0, 1, 8, 0, 0xf7, 0xfe, 0, 1, 0,  0};
    memcpy(ip, icmp, sizeof icmp);
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_UL, .qfi = 9};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = 0xabcdef01, .psc = &psc};
    int hl = g5_gtpu_encap(ip, sizeof icmp, G5_GTPU_HEADROOM, &e, 0);
    if (hl < 0)
        return 1;
    hexline("gtpu", ip - hl, sizeof icmp + (size_t)hl);
    return 0;
}

/* Feeds one datagram to the gNB's N3 input with a session on DL TEID 0x00000042. */
static int decap(const char *hex)
{
    static uint8_t p[4096];
    int n = g5_hex_decode(hex, p, sizeof p);
    if (n < 0)
        return 2;
    static sim_config cfg;
    sim_config_defaults(&cfg);
    sim_pop pop;
    static sim_engine eng;
    uv_loop_t loop;
    uv_loop_init(&loop);
    sim_engine_opts o = {.rate = 1};
    if (sim_pop_build(&pop, &cfg, 1) || sim_engine_init(&eng, &loop, &cfg, &pop, &o))
        return 1;
    sim_up *u = sim_up_new(&eng);
    sim_sess *s = u ? sim_up_sessions(u, &eng.pop.ues[0]) : NULL;
    if (!s)
        return 1;
    s->state = SIM_SESS_ACTIVE;
    s->n3_up = true;
    s->dl_teid = 0x42;
    s->has_ipv4 = true;
    g5_hmap_put(&u->by_dl_teid, 0x42, s);
    sim_n3_on_datagram(u, p, (size_t)n, NULL);
    printf("delivered %llu unknown_teid %llu malformed %llu ping_replies %llu dl_bytes %llu\n",
           (unsigned long long)s->dl_pkts, (unsigned long long)u->st.n3_rx_unknown_teid,
           (unsigned long long)u->st.n3_rx_malformed, (unsigned long long)s->ping_recv,
           (unsigned long long)s->dl_bytes);
    sim_up_free(u);
    sim_engine_free(&eng);
    uv_loop_close(&loop);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--dump"))
        return dump();
    if (argc > 2 && !strcmp(argv[1], "--decap"))
        return decap(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registration_session),
        cmocka_unit_test(test_session_release),
        cmocka_unit_test(test_reject_and_not_forwarded),
        cmocka_unit_test(test_t3580_retransmission),
        cmocka_unit_test(test_gnb_setup_failure),
        cmocka_unit_test(test_user_plane),
        cmocka_unit_test(test_tun_netns_ping),
        cmocka_unit_test(test_network_release),
        cmocka_unit_test(test_ics_with_sessions),
        cmocka_unit_test(test_transfer_errors),
        cmocka_unit_test(test_malformed_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
