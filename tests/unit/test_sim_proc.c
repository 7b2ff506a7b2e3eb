/* The 5G procedure drivers (sim/ue_proc.h) run by the engine over the real UE (NAS) and
 * gNB (NGAP) layers against a small AMF written in this test: it speaks NGAP through the
 * NGAP codec's AMF-side builders and NAS through the NAS codec, generates the AKA vectors
 * with MILENAGE and checks RES* against XRES*, runs the security mode control with NIA2/
 * NEA2, accepts the registration inside an Initial Context Setup Request, and answers
 * deregistration with Deregistration Accept + UE Context Release Command. PDUs go back to
 * the engine on a 0 ms libuv timer (never re-entrantly). Checked: every UE registers and
 * deregisters, per-step statistics are recorded, the fault hooks reach the AMF (a corrupted
 * MAC on the security mode complete is discarded by the AMF; the retransmission on guard
 * timer expiry succeeds), and an unknown subscriber gets "registration reject #3" from the AMF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "nas/nas_ie.h"
#include "ngap/ngap_msg.h"
#include "sim/gnb.h"
#include "sim/ue_nas.h"
#include "sim/ue_proc.h"

#define MAXC 256

typedef struct conn {
    bool used;
    uint32_t ran_id;
    int64_t amf_id;
    char supi[16];
    uint8_t xres_star[16], kamf[32];
    nas_sec_ctx sec;
    uint32_t tmsi; /* 5G-TMSI assigned (= the AMF UE NGAP ID of the registration) */
} conn;

#define MAXT 4096
static nas_sec_ctx by_tmsi[MAXT]; /* the AMF's UE contexts across N2 connections */

typedef struct pdu_q {
    uint32_t ran_id;
    size_t len;
    uint8_t b[1024];
} pdu_q;

static struct {
    uv_loop_t loop;
    sim_config cfg;
    sim_engine eng;
    sim_ue_layer ul;
    sim_gnb gnb;
    uv_timer_t t;
    conn c[MAXC];
    pdu_q q[512];
    unsigned nq;
    int64_t next_amf_id;
    uint8_t opc[16];
    uint64_t bad_mac, unknown, reg_complete, dereg;
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
    static pdu_q q[512];
    unsigned n = A.nq;
    memcpy(q, A.q, n * sizeof q[0]);
    A.nq = 0;
    for (unsigned i = 0; i < n; i++)
        sim_engine_deliver(&A.eng, q[i].ran_id, q[i].b, q[i].len);
}

static void queue_ngap(uint32_t ran_id, NGAP_NGAP_PDU_t *pdu)
{
    assert_true(A.nq < 512);
    pdu_q *q = &A.q[A.nq++];
    g5_wbuf w;
    g5_wbuf_init(&w, q->b, sizeof q->b);
    assert_int_equal(ngap_encode(pdu, &w), 0);
    ngap_free(pdu);
    q->len = w.len;
    q->ran_id = ran_id;
    uv_timer_start(&A.t, flush, 0, 0);
}

static void dl_nas(conn *c, const uint8_t *nas, size_t len)
{
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_downlink_nas_transport(&pdu, c->amf_id, c->ran_id, nas, len), 0);
    queue_ngap(c->ran_id, &pdu);
}

static size_t enc(const nas_msg *m, uint8_t *b, size_t cap)
{
    g5_wbuf w;
    g5_wbuf_init(&w, b, cap);
    assert_int_equal(nas_encode(m, &w), 0);
    return w.len;
}

static void protect_send(conn *c, const nas_msg *m, uint8_t sht, bool in_ics)
{
    uint8_t p[512], o[600];
    size_t n = enc(m, p, sizeof p);
    g5_wbuf w;
    g5_wbuf_init(&w, o, sizeof o);
    assert_int_equal(nas_sec_protect(&c->sec, sht, NAS_DIR_DL, p, n, &w), 0);
    if (!in_ics) {
        dl_nas(c, o, w.len);
        return;
    }
    NGAP_NGAP_PDU_t pdu;
    ngap_guami g = {.plmn = {0x00, 0xf1, 0x10}, .region_id = 2, .set_id = 1, .pointer = 1};
    ngap_snssai s = {.sst = 1};
    uint16_t caps[4] = {0xe000, 0xe000, 0, 0};
    uint8_t kgnb[32] = {0};
    assert_int_equal(ngap_build_initial_context_setup_request(&pdu, c->amf_id, c->ran_id, &g, &s, 1,
                                                              caps, kgnb, o, w.len),
                     0);
    queue_ngap(c->ran_id, &pdu);
}

static void reg_reject(conn *c, uint8_t cause)
{
    nas_msg m;
    nas_msg_init(&m, NAS_REGISTRATION_REJECT);
    nas_ie_set(&m.registration_reject.ie_5gmm_cause, &cause, 1);
    uint8_t b[64];
    dl_nas(c, b, enc(&m, b, sizeof b));
}

/* Registration Request (plain, SUCI null scheme) -> Authentication Request. */
static void amf_registration(conn *c, const nas_msg *m)
{
    nas_mobile_identity mi;
    assert_int_equal(
        nas_mobile_identity_decode(&m->registration_request.ie_5gs_mobile_identity, &mi), 0);
    assert_int_equal(mi.type, NAS_MI_SUCI);
    snprintf(c->supi, sizeof c->supi, "%s%s%s", mi.plmn.mcc, mi.plmn.mnc, mi.msin);
    if (strcmp(c->supi, "001010000009999") == 0) { /* "not provisioned" */
        A.unknown++;
        reg_reject(c, 3); /* #3 illegal UE */
        return;
    }
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

/* Authentication Response -> Security Mode Command (NIA2, NEA2). */
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
    protect_send(c, &r, NAS_SHT_INTEGRITY_NEW_CTX, false);
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
    c->tmsi = g.tmsi;
    snprintf(g.plmn.mcc, sizeof g.plmn.mcc, "001");
    snprintf(g.plmn.mnc, sizeof g.plmn.mnc, "01");
    size_t mark = a.w.len;
    assert_int_equal(nas_mobile_identity_encode(&g, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &r.registration_accept.ie_5g_guti), 0);
    protect_send(c, &r, NAS_SHT_INTEGRITY_CIPHERED, true);
}

static void amf_protected(conn *c, const uint8_t *nas, size_t len)
{
    uint8_t plain[1024];
    size_t plen = 0;
    if (!c->tmsi && nas[1] == NAS_SHT_INTEGRITY && len > 7) {
        /* an initial NAS message from CM-IDLE: find the UE by the 5G-GUTI inside */
        nas_msg in;
        nas_mobile_identity mi;
        if (nas_decode(nas + 7, len - 7, &in, NULL) == 0 &&
            in.type == NAS_DEREGISTRATION_REQUEST_UE_ORIG &&
            nas_mobile_identity_decode(&in.deregistration_request_ue_orig.ie_5gs_mobile_identity,
                                       &mi) == 0 &&
            mi.tmsi < MAXT) {
            c->tmsi = mi.tmsi;
            c->sec = by_tmsi[mi.tmsi];
        }
    }
    if (nas_sec_unprotect(&c->sec, NAS_DIR_UL, nas, len, plain, sizeof plain, &plen) != 0) {
        A.bad_mac++; /* TS 24.501 4.4.4.3: discarded */
        return;
    }
    nas_msg m;
    assert_int_equal(nas_decode(plain, plen, &m, NULL), 0);
    switch (m.type) {
    case NAS_SECURITY_MODE_COMPLETE: amf_accept(c); break;
    case NAS_REGISTRATION_COMPLETE:
        A.reg_complete++;
        if (c->tmsi < MAXT)
            by_tmsi[c->tmsi] = c->sec;
        break;
    case NAS_DEREGISTRATION_REQUEST_UE_ORIG: {
        A.dereg++;
        nas_msg r;
        nas_msg_init(&r, NAS_DEREGISTRATION_ACCEPT_UE_ORIG);
        protect_send(c, &r, NAS_SHT_INTEGRITY_CIPHERED, false);
        NGAP_NGAP_PDU_t pdu;
        NGAP_Cause_t cause = ngap_cause(NGAP_Cause_PR_nas, 2); /* deregister */
        assert_int_equal(ngap_build_ue_context_release_command(&pdu, c->amf_id, c->ran_id, &cause),
                         0);
        queue_ngap(c->ran_id, &pdu);
        break;
    }
    default: fail_msg("unexpected uplink NAS type 0x%02x", m.type);
    }
}

static int amf_send(void *ctx, uint32_t ran_id, const uint8_t *pdu, size_t len)
{
    (void)ctx;
    NGAP_NGAP_PDU_t p;
    if (ngap_decode(&p, pdu, len, NULL) != 0) {
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, "%02x", pdu[i]);
        fail_msg(" <- undecodable uplink NGAP");
    }
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
    if (pc == NGAP_id_UEContextRelease && c)
        c->used = false;
    ngap_free(&p);
    return 0;
}

static const sim_transport_ops amf_transport = {.name = "test-amf", .send = amf_send};

static void on_done(sim_engine *e)
{
    A.done = true;
    uv_stop(e->loop);
}

static void setup(uint32_t n, uint32_t timeout_ms)
{
    memset(&A, 0, sizeof A);
    uv_loop_init(&A.loop);
    uv_timer_init(&A.loop, &A.t);
    sim_config_defaults(&A.cfg);
    sim_ue_template *t = &A.cfg.ue[0];
    t->supi_first = 1010000000001ULL;
    t->supi_digits = 15;
    t->count = n;
    memcpy(t->key, "\x46\x5b\x5c\xe8\xb1\x99\xb4\x9f\xaa\x5f\x0a\x2e\xe2\x38\xa6\xbc", 16);
    memcpy(t->op, "\xcd\x63\xcb\x71\x95\x4a\x9f\x4e\x48\xa5\x99\x4e\x37\xa0\x2b\xaf", 16);
    t->op_is_opc = true;
    memcpy(A.opc, t->op, 16);
    t->protection_scheme = SIM_PROT_NULL;
}

static void start(void)
{
    sim_pop pop;
    assert_int_equal(sim_pop_build(&pop, &A.cfg, 0), 0);
    sim_engine_opts o = {.rate = 100000, .max_inflight = 64, .timeout_ms = 300};
    assert_int_equal(sim_engine_init(&A.eng, &A.loop, &A.cfg, &pop, &o), 0);
    assert_int_equal(sim_ue_layer_init(&A.ul, &A.cfg, &A.eng.pop), 0);
    assert_int_equal(sim_gnb_init(&A.gnb, &A.cfg.gnb), 0);
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

static void stop(void)
{
    sim_engine_free(&A.eng);
    sim_ue_layer_free(&A.ul);
    uv_close((uv_handle_t *)&A.t, NULL);
    uv_run(&A.loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&A.loop), 0);
}

static void test_registration_deregistration_200(void **state)
{
    (void)state;
    setup(200, 2000);
    start();
    const sim_proc_stats *st = run(&sim_proc_registration_deregistration);
    assert_non_null(st);
    for (int i = 0; i < SIM_MAX_CAUSES; i++)
        if (st->by_cause[i])
            fprintf(stderr, "cause %s: %llu\n", sim_cause_name(&A.eng, i),
                    (unsigned long long)st->by_cause[i]);
    assert_int_equal(st->ok, 200);
    assert_int_equal(st->failed, 0);
    assert_int_equal(A.reg_complete, 200);
    assert_int_equal(A.dereg, 200);
    for (unsigned s = 0; s < 5; s++)
        assert_int_equal(st->step[s].count, 200);
    for (uint32_t i = 0; i < 200; i++)
        assert_int_equal(A.eng.pop.ues[i].rm_state, SIM_RM_DEREGISTERED);
    stop();
}

static void test_registration_then_deregistration_from_idle(void **state)
{
    (void)state;
    setup(20, 2000);
    start();
    const sim_proc_stats *st = run(&sim_proc_registration);
    assert_int_equal(st->ok, 20);
    for (uint32_t i = 0; i < 20; i++) {
        assert_int_equal(A.eng.pop.ues[i].rm_state, SIM_RM_REGISTERED);
        assert_int_equal(A.eng.pop.ues[i].cm_state, SIM_CM_IDLE);
    }
    /* deregistration from CM-IDLE: an initial NAS message with only integrity protection */
    st = run(&sim_proc_deregistration);
    assert_int_equal(st->ok, 20);
    assert_int_equal(A.dereg, 20);
    stop();
}

static void test_unknown_subscriber_and_corrupt_mac(void **state)
{
    (void)state;
    setup(100, 100);
    A.cfg.ue[0].supi_first = 1010000009990ULL; /* ...9999 is the unknown one */
    assert_int_equal(sim_faults_add(&A.cfg.faults, "registration.security_mode_complete",
                                    SIM_FAULT_CORRUPT_MAC, 1.0, 0, 1, 0),
                     0);
    start();
    const sim_proc_stats *st = run(&sim_proc_registration);
    assert_int_equal(A.unknown, 1);
    assert_int_equal(st->ok, 99);
    assert_int_equal(st->failed, 1);
    int rej = sim_cause_intern(&A.eng, "registration reject #3");
    assert_int_equal(st->by_cause[rej], 1);
    /* the SMC complete with the corrupted MAC was discarded by the AMF; on guard timer
     * expiry (T3510) the driver sent the intact message again and the UE registered */
    assert_int_equal(A.bad_mac, 1);
    assert_int_equal(A.reg_complete, 99);
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registration_deregistration_200),
        cmocka_unit_test(test_registration_then_deregistration_from_idle),
        cmocka_unit_test(test_unknown_subscriber_and_corrupt_mac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
