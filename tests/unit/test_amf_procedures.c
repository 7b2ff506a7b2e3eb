/* AMF procedures against an in-test gNB/UE (tests/unit/amf_test_util.h): registration
 * with SUCI null/A/B and 5G-GUTI, authentication failures and resync, NAS security
 * (replay, bad MAC, null capabilities), deregistration, service request from CM-IDLE,
 * retransmission timers, out-of-state messages, NGAP errors and association loss. The UE
 * side is the crypto library acting as USIM/ME, so keys and MACs are checked against an
 * independent derivation of TS 33.501 Annex A, not against the AMF's own code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on

#include "amf_test_util.h"
#include "core/log.h"

static void expect_release(t_amf *t, t_ue *ue)
{
    NGAP_NGAP_PDU_t pdu;
    bool seen = false;
    while (t_pop(t, &pdu)) {
        if (ngap_procedure_code(&pdu) == NGAP_id_UEContextRelease)
            seen = true;
        ngap_free(&pdu);
    }
    assert_true(seen);
    assert_int_equal(ngap_build_ue_context_release_complete(&pdu, ue->amf_id, ue->ran_id), 0);
    t_rx(t, &pdu);
}

static void reg_ok(int scheme)
{
    t_amf t;
    t_ue ue;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 1, true);
    t_register(&t, &ue, scheme);
    const amf_stats *st = amf_get_stats(t.amf);
    assert_int_equal(st->reg_accept, 1);
    assert_int_equal(st->reg_complete, 1);
    assert_int_equal(amf_ue_count(t.amf), 1);
    udm_amf_registration reg;
    assert_int_equal(udm_uecm_amf_lookup(t.nf.udm, ue.sub.supi, &reg), 0);
    t_amf_down(&t);
}

static void test_reg_suci_null(void **s)
{
    (void)s;
    reg_ok(0);
}
static void test_reg_suci_profile_a(void **s)
{
    (void)s;
    reg_ok(1);
}
static void test_reg_suci_profile_b(void **s)
{
    (void)s;
    reg_ok(2);
}

static void test_ng_setup_unknown_plmn(void **s)
{
    (void)s;
    t_amf t;
    static const uint8_t other[3] = {0x99, 0xf9, 0x99};
    t_amf_up(&t, NULL);
    t.gnb = amf_gnb_attach(t.amf, t_cap_send, &t, "other");
    t_ng_setup(&t, other, NGAP_MSG_UNSUCCESSFUL);
    assert_int_equal(amf_get_stats(t.amf)->ng_setup_fail, 1);
    t_amf_down(&t);
}

static void test_wrong_key_auth_reject(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 2, true);
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    /* a UE whose OPc differs computes another RES* for the same RAND (AUTN check skipped) */
    uint8_t bad[16];
    memset(bad, 0x5a, sizeof bad);
    nas_msg r;
    nas_msg_init(&r, NAS_AUTHENTICATION_RESPONSE);
    nas_ie_set(&r.authentication_response.authentication_response_parameter, bad, 16);
    t_send_msg(&t, &ue, &r, 0, false);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REJECT);
    assert_int_equal(amf_get_stats(t.amf)->auth_reject, 1);
    expect_release(&t, &ue);
    assert_int_equal(amf_ue_count(t.amf), 0);
    t_amf_down(&t);
}

static void test_mac_failure(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 3, true);
    ue.usim.k[0] ^= 1; /* the USIM holds another K: AUTN's MAC fails */
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    assert_int_equal(t_answer_auth(&t, &ue, &m, true), T_USIM_MAC_FAIL);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REJECT);
    assert_int_equal(amf_get_stats(t.amf)->auth_mac_fail, 1);
    t_amf_down(&t);
}

static void test_sync_failure_resync(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 4, true);
    ue.usim.sqn_ms = 0x100000; /* the USIM is ahead of the network */
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    assert_int_equal(t_answer_auth(&t, &ue, &m, true), T_USIM_SYNC_FAIL);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    assert_int_equal(t_answer_auth(&t, &ue, &m, true), T_USIM_OK);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_SECURITY_MODE_COMMAND);
    assert_int_equal(amf_get_stats(t.amf)->auth_sync_fail, 1);
    t_amf_down(&t);
}

static void reg_reject_case(t_ue *ue, t_amf *t, uint8_t want)
{
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_suci(t, ue, 0, &mi, &suci);
    t_reg_request(t, ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(t, ue, &m, plain), NAS_REGISTRATION_REJECT);
    assert_int_equal(m.registration_reject.ie_5gmm_cause.v[0], want);
    assert_int_equal(amf_get_stats(t->amf)->reg_reject_by_cause[want], 1);
}

static void test_unknown_subscriber(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 5, false); /* not provisioned */
    reg_reject_case(&ue, &t, 7);
    t_amf_down(&t);
}

static void test_null_caps_rejected(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 6, true);
    ue.caps = (nas_ue_sec_cap){.ea = 0x80, .ia = 0x80}; /* EA0/IA0 only */
    reg_reject_case(&ue, &t, 23);
    t_ue_init(&t, &ue, 7, true);
    ue.no_caps = true;
    ue.ran_id = 77;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_REGISTRATION_REJECT);
    assert_int_equal(m.registration_reject.ie_5gmm_cause.v[0], 23);
    t_amf_down(&t);
}

static void test_slice_not_subscribed(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 8, true);
    ue.nssai_sst = 2; /* subscribed: SST 1 only */
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    t_answer_auth(&t, &ue, &m, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_SECURITY_MODE_COMMAND);
    t_answer_smc(&t, &ue, &m);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_REGISTRATION_ACCEPT);
    nas_nssai al;
    assert_int_equal(nas_nssai_decode(&m.registration_accept.allowed_nssai, &al), 0);
    assert_int_equal(al.n, 1);
    assert_int_equal(al.s[0].sst, 1); /* the default subscribed slice */
    assert_true(m.registration_accept.rejected_nssai.present);
    assert_int_equal(m.registration_accept.rejected_nssai.v[1], 2);
    t_amf_down(&t);
}

static void test_replay_and_bad_mac_dropped(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 9, true);
    t_register(&t, &ue, 0);
    /* a protected 5GMM STATUS, then the same bytes again */
    nas_msg m;
    uint8_t plain[64], out[128];
    static const uint8_t cause = 111;
    nas_msg_init(&m, NAS_STATUS_5GMM);
    nas_ie_set(&m.status_5gmm.ie_5gmm_cause, &cause, 1);
    g5_wbuf w, o;
    g5_wbuf_init(&w, plain, sizeof plain);
    assert_int_equal(nas_encode(&m, &w), 0);
    g5_wbuf_init(&o, out, sizeof out);
    assert_int_equal(nas_sec_protect(&ue.sec, 2, NAS_DIR_UL, plain, g5_wbuf_len(&w), &o), 0);
    t_send_nas(&t, &ue, out, g5_wbuf_len(&o), false);
    t_send_nas(&t, &ue, out, g5_wbuf_len(&o), false);
    assert_int_equal(amf_get_stats(t.amf)->nas_replay, 1);
    out[3] ^= 0xff; /* MAC */
    out[6]++; /* next SQN, so it is not a replay */
    t_send_nas(&t, &ue, out, g5_wbuf_len(&o), false);
    assert_int_equal(amf_get_stats(t.amf)->nas_mac_fail, 1);
    /* an unprotected Registration Complete is not allowed once security is on */
    t_send_plain_type(&t, &ue, NAS_REGISTRATION_COMPLETE, 0);
    assert_int_equal(amf_get_stats(t.amf)->nas_unprotected_dropped, 1);
    assert_int_equal(t.qn, 0); /* nothing answered */
    t_amf_down(&t);
}

static void test_deregistration(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_msg m;
    uint8_t plain[1024];
    nas_arena ar;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 10, true);
    t_register(&t, &ue, 0);
    nas_msg_init(&m, NAS_DEREGISTRATION_REQUEST_UE_ORIG);
    nas_arena_init(&ar);
    nas_mobile_identity g;
    t_guti(&ue, &g);
    nas_ie_set_half(&m.deregistration_request_ue_orig.de_registration_type, 0x1);
    nas_ie_set_half(&m.deregistration_request_ue_orig.ngksi, 0);
    size_t mark = g5_wbuf_len(&ar.w);
    nas_mobile_identity_encode(&g, &ar.w);
    nas_arena_ie(&ar, mark, &m.deregistration_request_ue_orig.ie_5gs_mobile_identity);
    t_send_msg(&t, &ue, &m, 2, false);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_DEREGISTRATION_ACCEPT_UE_ORIG);
    expect_release(&t, &ue);
    assert_int_equal(amf_ue_count(t.amf), 0);
    assert_int_equal(amf_get_stats(t.amf)->dereg_ue, 1);
    t_amf_down(&t);
}

static void service_request(t_amf *t, t_ue *ue)
{
    nas_msg m;
    nas_arena ar;
    nas_msg_init(&m, NAS_SERVICE_REQUEST);
    nas_arena_init(&ar);
    nas_mobile_identity st = {
        .type = NAS_MI_S_TMSI, .amf_set_id = 1, .amf_pointer = 0, .tmsi = ue->tmsi};
    nas_ie_set_half(&m.service_request.ngksi, 0);
    nas_ie_set_half(&m.service_request.service_type, 0);
    size_t mark = g5_wbuf_len(&ar.w);
    assert_int_equal(nas_mobile_identity_encode(&st, &ar.w), 0);
    nas_arena_ie(&ar, mark, &m.service_request.ie_5g_s_tmsi);
    t_send_msg(t, ue, &m, NAS_SHT_INTEGRITY, true);
}

static void test_service_request_from_idle(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_msg m;
    uint8_t plain[1024];
    NGAP_NGAP_PDU_t pdu;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 11, true);
    t_register(&t, &ue, 0);
    t_q_clear(&t);
    /* the gNB releases the connection: CM-IDLE */
    NGAP_Cause_t c = ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_user_inactivity);
    assert_int_equal(ngap_build_ue_context_release_request(&pdu, ue.amf_id, ue.ran_id, &c), 0);
    t_rx(&t, &pdu);
    expect_release(&t, &ue);
    assert_int_equal(amf_ue_count(t.amf), 1);
    ue.ran_id = 500;
    service_request(&t, &ue);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_SERVICE_ACCEPT);
    assert_int_equal(amf_get_stats(t.amf)->service_accept, 1);
    /* a service request with a bad MAC is rejected (#9) */
    ue.sec.knas_int[0] ^= 1;
    ue.ran_id = 501;
    service_request(&t, &ue);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_SERVICE_REJECT);
    assert_int_equal(m.service_reject.ie_5gmm_cause.v[0], 9);
    t_amf_down(&t);
}

static void test_guti_registration(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_msg m;
    uint8_t plain[1024];
    nas_mobile_identity g;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 12, true);
    t_register(&t, &ue, 0);
    t_q_clear(&t);
    /* known 5G-GUTI, plain initial registration: authenticated again by its SUPI */
    t_guti(&ue, &g);
    ue.sec_on = false;
    ue.ran_id = 600;
    t_reg_request(&t, &ue, 1, &g, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    /* unknown 5G-GUTI: Identity Request for the SUCI */
    t_ue ue2;
    t_ue_init(&t, &ue2, 13, true);
    ue2.tmsi = 0xdeadbeef;
    t_guti(&ue2, &g);
    t_reg_request(&t, &ue2, 1, &g, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue2, &m, plain), NAS_IDENTITY_REQUEST);
    g5_suci suci;
    nas_mobile_identity mi;
    nas_arena ar;
    t_suci(&t, &ue2, 0, &mi, &suci);
    nas_msg r;
    nas_msg_init(&r, NAS_IDENTITY_RESPONSE);
    nas_arena_init(&ar);
    size_t mark = g5_wbuf_len(&ar.w);
    nas_mobile_identity_encode(&mi, &ar.w);
    nas_arena_ie(&ar, mark, &r.identity_response.mobile_identity);
    t_send_msg(&t, &ue2, &r, 0, false);
    assert_int_equal(t_expect_nas(&t, &ue2, &m, plain), NAS_AUTHENTICATION_REQUEST);
    t_amf_down(&t);
}

static void test_t3560_retransmission_abort(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    amf_timer_cfg tc = {.t3560_ms = 10};
    t_amf_up(&t, &tc);
    t_ue_init(&t, &ue, 14, true);
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    uint64_t end = g5_clock_ms() + 500;
    while (g5_clock_ms() < end && amf_get_stats(t.amf)->timer_abort == 0)
        uv_run(&t.nf.loop, UV_RUN_ONCE);
    assert_int_equal(amf_get_stats(t.amf)->timer_abort, 1);
    /* first request + 4 retransmissions + the release command */
    int auth = 0, rel = 0;
    NGAP_NGAP_PDU_t pdu;
    while (t_pop(&t, &pdu)) {
        auth += ngap_procedure_code(&pdu) == NGAP_id_DownlinkNASTransport;
        rel += ngap_procedure_code(&pdu) == NGAP_id_UEContextRelease;
        ngap_free(&pdu);
    }
    assert_int_equal(auth, 5);
    assert_int_equal(rel, 1);
    t_amf_down(&t);
}

static void test_out_of_state_status(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024];
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 15, true);
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    static const uint8_t no_id[] = {0x7e, 0x00, 0x5c}; /* Identity Response, no identity */
    t_send_nas(&t, &ue, no_id, sizeof no_id, false);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_STATUS_5GMM);
    assert_int_equal(m.status_5gmm.ie_5gmm_cause.v[0], 96);
    nas_msg sm;
    nas_msg_init(&sm, NAS_SECURITY_MODE_REJECT);
    static const uint8_t c = 24;
    nas_ie_set(&sm.security_mode_reject.ie_5gmm_cause, &c, 1);
    t_send_msg(&t, &ue, &sm, 0, false); /* no SMC was sent */
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_STATUS_5GMM);
    assert_int_equal(m.status_5gmm.ie_5gmm_cause.v[0], 98);
    static const uint8_t junk[] = {0x7e, 0x00, 0x99};
    t_send_nas(&t, &ue, junk, sizeof junk, false);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_STATUS_5GMM);
    assert_int_equal(m.status_5gmm.ie_5gmm_cause.v[0], 97);
    t_amf_down(&t);
}

static void test_malformed_ngap_error_indication(void **s)
{
    (void)s;
    t_amf t;
    NGAP_NGAP_PDU_t pdu;
    t_amf_up(&t, NULL);
    static const uint8_t junk[] = {0x00, 0x0f, 0x40, 0x05, 0xff, 0xff};
    amf_ngap_rx(t.gnb, 0, junk, sizeof junk);
    assert_true(t_pop(&t, &pdu));
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_ErrorIndication);
    ngap_free(&pdu);
    /* a UE message with an unknown AMF UE NGAP ID */
    static const uint8_t nas[] = {0x7e, 0x00, 0x43};
    assert_int_equal(ngap_build_uplink_nas_transport(&pdu, 4242, 1, nas, 3, T_PLMN, T_TAC, 1), 0);
    t_rx(&t, &pdu);
    assert_true(t_pop(&t, &pdu));
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_ErrorIndication);
    ngap_free(&pdu);
    assert_int_equal(amf_get_stats(t.amf)->error_ind_sent, 2);
    t_amf_down(&t);
}

static void test_gnb_loss_releases_ues(void **s)
{
    (void)s;
    t_amf t;
    t_ue a, b;
    nas_mobile_identity mi;
    g5_suci suci;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &a, 16, true);
    t_register(&t, &a, 0);
    t_ue_init(&t, &b, 17, true);
    t_suci(&t, &b, 0, &mi, &suci);
    t_reg_request(&t, &b, 1, &mi, 0, true); /* mid-authentication */
    assert_int_equal(amf_ue_count(t.amf), 2);
    amf_gnb_detach(t.gnb);
    t.gnb = NULL;
    assert_int_equal(amf_ue_count(t.amf), 1); /* the registered one stays, CM-IDLE */
    t_amf_down(&t);
}

static void test_ng_reset(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    NGAP_NGAP_PDU_t pdu;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 18, true);
    t_register(&t, &ue, 0);
    t_q_clear(&t);
    NGAP_Cause_t c = ngap_cause(NGAP_Cause_PR_misc, NGAP_CauseMisc_om_intervention);
    assert_int_equal(ngap_build_ng_reset(&pdu, &c), 0);
    t_rx(&t, &pdu);
    assert_true(t_pop(&t, &pdu));
    assert_int_equal(pdu.present, NGAP_MSG_SUCCESSFUL);
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_NGReset);
    ngap_free(&pdu);
    t_amf_down(&t);
}

static void test_network_deregistration(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_msg m;
    uint8_t plain[1024];
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 19, true);
    t_register(&t, &ue, 0);
    t_q_clear(&t);
    assert_int_equal(amf_deregister_ue(t.amf, ue.sub.supi), 0);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_DEREGISTRATION_REQUEST_UE_TERM);
    t_send_plain_type(&t, &ue, NAS_DEREGISTRATION_ACCEPT_UE_TERM, 2);
    expect_release(&t, &ue);
    assert_int_equal(amf_ue_count(t.amf), 0);
    t_amf_down(&t);
}

/* Periodic registration update over the verified context: no new authentication, a new
 * 5G-GUTI in the accept (TS 24.501 §5.5.1.3). */
static void test_periodic_update(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_msg m;
    uint8_t plain[1024];
    nas_mobile_identity g;
    t_amf_up(&t, NULL);
    t_ue_init(&t, &ue, 20, true);
    t_register(&t, &ue, 0);
    t_q_clear(&t);
    uint32_t old = ue.tmsi;
    t_guti(&ue, &g);
    t_reg_request(&t, &ue, 3, &g, NAS_SHT_INTEGRITY, false);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_REGISTRATION_ACCEPT);
    nas_mobile_identity ng;
    assert_int_equal(nas_mobile_identity_decode(&m.registration_accept.ie_5g_guti, &ng), 0);
    assert_int_not_equal(ng.tmsi, old);
    assert_int_equal(amf_get_stats(t.amf)->reg_accept, 2);
    t_amf_down(&t);
}

int main(void)
{
    g5_log_set_level(getenv("AMF_TEST_DEBUG") ? G5_LOG_DEBUG : G5_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reg_suci_null),
        cmocka_unit_test(test_reg_suci_profile_a),
        cmocka_unit_test(test_reg_suci_profile_b),
        cmocka_unit_test(test_ng_setup_unknown_plmn),
        cmocka_unit_test(test_wrong_key_auth_reject),
        cmocka_unit_test(test_mac_failure),
        cmocka_unit_test(test_sync_failure_resync),
        cmocka_unit_test(test_unknown_subscriber),
        cmocka_unit_test(test_null_caps_rejected),
        cmocka_unit_test(test_slice_not_subscribed),
        cmocka_unit_test(test_replay_and_bad_mac_dropped),
        cmocka_unit_test(test_deregistration),
        cmocka_unit_test(test_service_request_from_idle),
        cmocka_unit_test(test_guti_registration),
        cmocka_unit_test(test_t3560_retransmission_abort),
        cmocka_unit_test(test_out_of_state_status),
        cmocka_unit_test(test_malformed_ngap_error_indication),
        cmocka_unit_test(test_gnb_loss_releases_ues),
        cmocka_unit_test(test_ng_reset),
        cmocka_unit_test(test_network_deregistration),
        cmocka_unit_test(test_periodic_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
