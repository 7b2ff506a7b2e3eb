/* The simulated UE's 5GMM side against a network side written in this test from the
 * crypto and NAS libraries (MILENAGE AV generation, the Annex A key chain, NAS protection
 * in the downlink direction): a full initial registration (SUCI -> AUTHENTICATION REQUEST
 * -> RES* equal to the network's XRES* -> SECURITY MODE COMMAND (NIA2/NEA2) -> SECURITY
 * MODE COMPLETE with the REGISTRATION REQUEST inside -> REGISTRATION ACCEPT with a 5G-GUTI
 * -> REGISTRATION COMPLETE), deregistration with the 5G-GUTI, service request with
 * 5G-S-TMSI, and the failure paths (#20 MAC failure, #21 synch failure with an AUTS the
 * network re-synchronises from, SMC with a wrong MAC or replayed capabilities, plain
 * message after security, network-initiated deregistration). `--dump` prints the UE's
 * messages for the tshark nas-5gs oracle (tests/integration/test_sim_tshark.py). */
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
#include "sim/ue_nas.h"

static sim_config cfg;
static sim_pop pop;
static sim_ue_layer layer;
static bool dumping;

/* network side */
typedef struct net {
    uint8_t k[16], opc[16], amf[2];
    uint64_t sqn;
    uint8_t rand[16], xres_star[16], kamf[32];
    nas_sec_ctx sec;
} net;

static void dump(const char *what, uint8_t type, const uint8_t *p, size_t n)
{
    (void)what;
    if (!dumping)
        return;
    printf("%02x ", type);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static sim_ue *setup(int scheme)
{
    sim_config_defaults(&cfg);
    sim_ue_template *t = &cfg.ue[0];
    t->supi_first = 1010000000001ULL;
    t->supi_digits = 15;
    t->count = 2;
    memcpy(t->key, "\x46\x5b\x5c\xe8\xb1\x99\xb4\x9f\xaa\x5f\x0a\x2e\xe2\x38\xa6\xbc", 16);
    memcpy(t->op, "\xcd\xc2\x02\xd5\x12\x3e\x20\xf6\x2b\x6d\x67\x6a\xc7\x2c\xb3\x18", 16);
    t->op_is_opc = false;
    t->amf[0] = 0x80;
    t->sqn = 0;
    t->protection_scheme = scheme;
    if (scheme == SIM_PROT_A) {
        uint8_t priv[32];
        assert_int_equal(g5_suci_keygen(G5_SUCI_PROFILE_A, priv, t->hn_public_key), 0);
        t->hn_public_key_len = 32;
        t->hn_key_id = 1;
    }
    snprintf(t->imeisv, sizeof t->imeisv, "4370816125816151");
    assert_int_equal(sim_pop_build(&pop, &cfg, 0), 0);
    assert_int_equal(sim_ue_layer_init(&layer, &cfg, &pop), 0);
    return sim_pop_by_index(&pop, 0);
}

static void teardown_all(void)
{
    for (uint32_t i = 0; i < pop.n; i++)
        sim_ue_nas_ops.ue_free(&layer, &pop.ues[i]);
    sim_ue_layer_free(&layer);
    sim_pop_free(&pop);
}

static void net_init(net *n)
{
    memset(n, 0, sizeof *n);
    memcpy(n->k, cfg.ue[0].key, 16);
    assert_int_equal(g5_milenage_opc(cfg.ue[0].key, cfg.ue[0].op, n->opc), 0);
    n->amf[0] = 0x80;
    n->sqn = 0x20;
}

/* Network: AUTHENTICATION REQUEST for SQN n->sqn, and the expected XRES*, KAMF. */
static size_t net_auth_request(net *n, uint8_t *out, size_t cap)
{
    uint8_t sqn[6];
    for (int i = 0; i < 6; i++)
        sqn[i] = (uint8_t)(n->sqn >> (40 - 8 * i));
    memset(n->rand, 0x5a, 16);
    n->rand[15] = (uint8_t)n->sqn;
    g5_milenage_av av;
    assert_int_equal(g5_milenage_generate(n->k, n->opc, n->rand, sqn, n->amf, &av), 0);
    char snn[40];
    assert_int_equal(g5_serving_network_name("001", "01", snn, sizeof snn), 0);
    uint8_t kausf[32], kseaf[32];
    const uint8_t abba[2] = {0, 0};
    assert_int_equal(g5_kdf_res_star(av.ck, av.ik, snn, n->rand, av.xres, 8, n->xres_star), 0);
    assert_int_equal(g5_kdf_kausf(av.ck, av.ik, snn, av.autn, kausf), 0);
    assert_int_equal(g5_kdf_kseaf(kausf, snn, kseaf), 0);
    assert_int_equal(g5_kdf_kamf(kseaf, "001010000000001", abba, 2, n->kamf), 0);
    nas_msg m;
    nas_msg_init(&m, NAS_AUTHENTICATION_REQUEST);
    nas_ie_set_half(&m.authentication_request.ngksi, 0);
    nas_ie_set(&m.authentication_request.abba, abba, 2);
    nas_ie_set(&m.authentication_request.authentication_parameter_rand, n->rand, 16);
    nas_ie_set(&m.authentication_request.authentication_parameter_autn, av.autn, 16);
    g5_wbuf w;
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return w.len;
}

/* Network: SECURITY MODE COMMAND, protected with sht 3 and the new context. */
static size_t net_smc(net *n, uint8_t nia, uint8_t nea, uint8_t ia_replayed, bool bad_mac,
                      uint8_t *out, size_t cap)
{
    memset(&n->sec, 0, sizeof n->sec);
    n->sec.nia = nia;
    n->sec.nea = nea;
    n->sec.bearer = NAS_ACCESS_3GPP;
    assert_int_equal(g5_kdf_knas_int(n->kamf, nia, n->sec.knas_int), 0);
    assert_int_equal(g5_kdf_knas_enc(n->kamf, nea, n->sec.knas_enc), 0);
    nas_msg m;
    nas_msg_init(&m, NAS_SECURITY_MODE_COMMAND);
    uint8_t alg = (uint8_t)(nea << 4 | nia), caps[2] = {0xf0, ia_replayed};
    nas_ie_set(&m.security_mode_command.selected_nas_security_algorithms, &alg, 1);
    nas_ie_set_half(&m.security_mode_command.ngksi, 0);
    nas_ie_set(&m.security_mode_command.replayed_ue_security_capabilities, caps, 2);
    nas_ie_set_half(&m.security_mode_command.imeisv_request, 1);
    uint8_t plain[256];
    g5_wbuf w;
    g5_wbuf_init(&w, plain, sizeof plain);
    assert_int_equal(nas_encode(&m, &w), 0);
    g5_wbuf o;
    g5_wbuf_init(&o, out, cap);
    assert_int_equal(
        nas_sec_protect(&n->sec, NAS_SHT_INTEGRITY_NEW_CTX, NAS_DIR_DL, plain, w.len, &o), 0);
    if (bad_mac)
        out[3] ^= 0x01;
    return o.len;
}

static size_t net_protect(net *n, const nas_msg *m, uint8_t *out, size_t cap)
{
    uint8_t plain[512];
    g5_wbuf w;
    g5_wbuf_init(&w, plain, sizeof plain);
    assert_int_equal(nas_encode(m, &w), 0);
    g5_wbuf o;
    g5_wbuf_init(&o, out, cap);
    assert_int_equal(
        nas_sec_protect(&n->sec, NAS_SHT_INTEGRITY_CIPHERED, NAS_DIR_DL, plain, w.len, &o), 0);
    return o.len;
}

/* Network: verifies and deciphers an uplink message; returns its decoded plain form. */
static void net_unprotect(net *n, const uint8_t *p, size_t len, uint8_t *plain, nas_msg *m)
{
    size_t plen = 0;
    assert_int_equal(nas_sec_unprotect(&n->sec, NAS_DIR_UL, p, len, plain, 1024, &plen), 0);
    assert_int_equal(nas_decode(plain, plen, m, NULL), 0);
}

/* UE downlink step: returns the reply length (0 if none). */
static size_t ue_rx(sim_ue *ue, const uint8_t *p, size_t n, sim_nas_event *ev, uint8_t *out,
                    int want_rc)
{
    g5_wbuf w;
    g5_wbuf_init(&w, out, 1024);
    assert_int_equal(sim_ue_nas_ops.on_downlink_nas(&layer, ue, p, n, ev, &w), want_rc);
    return w.len;
}

static void register_ue(sim_ue *ue, net *n)
{
    uint8_t dl[1024], ul[1024], plain[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, ul, sizeof ul);
    assert_int_equal(sim_ue_nas_ops.build_registration_request(&layer, ue, 1, &w), 0);
    nas_msg m;
    assert_int_equal(nas_decode(ul, w.len, &m, NULL), 0);
    assert_int_equal(m.type, NAS_REGISTRATION_REQUEST);
    dump("registration request", m.type, ul, w.len);
    nas_mobile_identity mi;
    assert_int_equal(
        nas_mobile_identity_decode(&m.registration_request.ie_5gs_mobile_identity, &mi), 0);
    assert_int_equal(mi.type, NAS_MI_SUCI);
    assert_string_equal(mi.plmn.mcc, "001");

    size_t dn = net_auth_request(n, dl, sizeof dl);
    sim_nas_event ev;
    size_t un = ue_rx(ue, dl, dn, &ev, ul, 0);
    assert_true(ev.has_reply);
    assert_int_equal(nas_decode(ul, un, &m, NULL), 0);
    assert_int_equal(m.type, NAS_AUTHENTICATION_RESPONSE);
    dump("auth response", m.type, ul, un);
    assert_int_equal(m.authentication_response.authentication_response_parameter.len, 16);
    assert_memory_equal(m.authentication_response.authentication_response_parameter.v, n->xres_star,
                        16);

    dn = net_smc(n, 2, 2, 0x70, false, dl, sizeof dl);
    un = ue_rx(ue, dl, dn, &ev, ul, 0);
    assert_int_equal(ev.msg_type, NAS_SECURITY_MODE_COMMAND);
    assert_int_equal(ul[1], NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX);
    net_unprotect(n, ul, un, plain, &m);
    assert_int_equal(m.type, NAS_SECURITY_MODE_COMPLETE);
    assert_true(m.security_mode_complete.imeisv.present);
    nas_msg inner;
    assert_int_equal(nas_decode(m.security_mode_complete.nas_message_container.v,
                                m.security_mode_complete.nas_message_container.len, &inner, NULL),
                     0);
    assert_int_equal(inner.type, NAS_REGISTRATION_REQUEST);
    assert_true(inner.registration_request.ue_security_capability.present);

    /* REGISTRATION ACCEPT with a 5G-GUTI and T3512 = 54 min */
    nas_arena a;
    nas_arena_init(&a);
    nas_msg_init(&m, NAS_REGISTRATION_ACCEPT);
    /* GPRS timer 3 (TS 24.008 10.5.7.4a): unit 101 = 1 minute, value 9 */
    uint8_t res = 0x01, t3512 = 0xa9;
    nas_ie_set(&m.registration_accept.ie_5gs_registration_result, &res, 1);
    nas_mobile_identity g = {.type = NAS_MI_GUTI,
                             .amf_region_id = 2,
                             .amf_set_id = 0x155,
                             .amf_pointer = 3,
                             .tmsi = 0xabcdef01};
    snprintf(g.plmn.mcc, sizeof g.plmn.mcc, "001");
    snprintf(g.plmn.mnc, sizeof g.plmn.mnc, "01");
    size_t mark = a.w.len;
    assert_int_equal(nas_mobile_identity_encode(&g, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &m.registration_accept.ie_5g_guti), 0);
    nas_ie_set(&m.registration_accept.t3512_value, &t3512, 1);
    dn = net_protect(n, &m, dl, sizeof dl);
    un = ue_rx(ue, dl, dn, &ev, ul, 0);
    assert_int_equal(ev.msg_type, NAS_REGISTRATION_ACCEPT);
    net_unprotect(n, ul, un, plain, &m);
    assert_int_equal(m.type, NAS_REGISTRATION_COMPLETE);
    sim_ue_ctx *c = ue->proto;
    assert_true(c->has_guti);
    assert_int_equal(c->n2.tmsi, 0xabcdef01);
    assert_int_equal(c->t3512_s, 9 * 60);
    assert_int_equal(c->mm_state, SIM_5GMM_REGISTERED);
}

static void test_registration_then_deregistration(void **state)
{
    (void)state;
    for (int scheme = SIM_PROT_NULL; scheme <= SIM_PROT_A; scheme++) {
        sim_ue *ue = setup(scheme);
        net n;
        net_init(&n);
        register_ue(ue, &n);
        /* connected: DEREGISTRATION REQUEST integrity protected and ciphered, 5G-GUTI */
        ue->cm_state = SIM_CM_CONNECTED;
        ue->ran_ue_ngap_id = 5;
        ((sim_ue_ctx *)ue->proto)->n2.amf_ue_ngap_id = 9;
        uint8_t ul[1024], plain[1024], dl[256];
        g5_wbuf w;
        g5_wbuf_init(&w, ul, sizeof ul);
        assert_int_equal(sim_ue_nas_ops.build_deregistration_request(&layer, ue, false, &w), 0);
        assert_int_equal(ul[1], NAS_SHT_INTEGRITY_CIPHERED);
        nas_msg m;
        net_unprotect(&n, ul, w.len, plain, &m);
        assert_int_equal(m.type, NAS_DEREGISTRATION_REQUEST_UE_ORIG);
        assert_int_equal(m.deregistration_request_ue_orig.de_registration_type.half, 0x01);
        nas_mobile_identity mi;
        assert_int_equal(nas_mobile_identity_decode(
                             &m.deregistration_request_ue_orig.ie_5gs_mobile_identity, &mi),
                         0);
        assert_int_equal(mi.type, NAS_MI_GUTI);
        assert_int_equal(mi.tmsi, 0xabcdef01);
        nas_msg_init(&m, NAS_DEREGISTRATION_ACCEPT_UE_ORIG);
        size_t dn = net_protect(&n, &m, dl, sizeof dl);
        sim_nas_event ev;
        assert_int_equal(ue_rx(ue, dl, dn, &ev, ul, 0), 0);
        assert_int_equal(((sim_ue_ctx *)ue->proto)->mm_state, SIM_5GMM_DEREGISTERED);
        teardown_all();
    }
}

static void test_service_request_and_network_deregistration(void **state)
{
    (void)state;
    sim_ue *ue = setup(SIM_PROT_NULL);
    net n;
    net_init(&n);
    register_ue(ue, &n);
    ue->cm_state = SIM_CM_IDLE;
    uint8_t ul[1024], plain[1024], dl[256];
    g5_wbuf w;
    g5_wbuf_init(&w, ul, sizeof ul);
    assert_int_equal(sim_ue_nas_ops.build_service_request(&layer, ue, &w), 0);
    assert_int_equal(ul[1], NAS_SHT_INTEGRITY); /* initial message: not ciphered */
    dump("service request", NAS_SERVICE_REQUEST, ul, w.len);
    nas_msg m;
    net_unprotect(&n, ul, w.len, plain, &m);
    assert_int_equal(m.type, NAS_SERVICE_REQUEST);
    nas_mobile_identity mi;
    assert_int_equal(nas_mobile_identity_decode(&m.service_request.ie_5g_s_tmsi, &mi), 0);
    assert_int_equal(mi.type, NAS_MI_S_TMSI);
    assert_int_equal(mi.amf_set_id, 0x155);
    assert_true(((sim_ue_ctx *)ue->proto)->n2.has_s_tmsi);
    nas_msg_init(&m, NAS_SERVICE_ACCEPT);
    size_t dn = net_protect(&n, &m, dl, sizeof dl);
    sim_nas_event ev;
    assert_int_equal(ue_rx(ue, dl, dn, &ev, ul, 0), 0);
    assert_int_equal(ev.msg_type, NAS_SERVICE_ACCEPT);
    /* network-initiated deregistration: DEREGISTRATION ACCEPT back */
    nas_msg_init(&m, NAS_DEREGISTRATION_REQUEST_UE_TERM);
    nas_ie_set_half(&m.deregistration_request_ue_term.de_registration_type, 0x01);
    dn = net_protect(&n, &m, dl, sizeof dl);
    size_t un = ue_rx(ue, dl, dn, &ev, ul, 0);
    dump("deregistration accept (UE terminated)", NAS_DEREGISTRATION_ACCEPT_UE_TERM, ul, un);
    net_unprotect(&n, ul, un, plain, &m);
    assert_int_equal(m.type, NAS_DEREGISTRATION_ACCEPT_UE_TERM);
    /* a plain REGISTRATION ACCEPT after security is discarded (4.4.4.2) */
    nas_msg_init(&m, NAS_REGISTRATION_ACCEPT);
    uint8_t res = 1;
    nas_ie_set(&m.registration_accept.ie_5gs_registration_result, &res, 1);
    g5_wbuf_init(&w, dl, sizeof dl);
    assert_int_equal(nas_encode(&m, &w), 0);
    ue_rx(ue, dl, w.len, &ev, ul, G5_ERR_STATE);
    /* a corrupted downlink MAC is refused */
    nas_msg_init(&m, NAS_SERVICE_ACCEPT);
    dn = net_protect(&n, &m, dl, sizeof dl);
    dl[2] ^= 0x80;
    ue_rx(ue, dl, dn, &ev, ul, G5_ERR_CRYPTO);
    teardown_all();
}

static void test_auth_failures(void **state)
{
    (void)state;
    sim_ue *ue = setup(SIM_PROT_NULL);
    net n;
    net_init(&n);
    uint8_t dl[512], ul[1024];
    size_t dn = net_auth_request(&n, dl, sizeof dl);
    /* #20: flip a bit of MAC-A (the AUTN value is the last 16 octets) */
    dl[dn - 1] ^= 0x01;
    sim_nas_event ev;
    size_t un = ue_rx(ue, dl, dn, &ev, ul, 0);
    nas_msg m;
    assert_int_equal(nas_decode(ul, un, &m, NULL), 0);
    assert_int_equal(m.type, NAS_AUTHENTICATION_FAILURE);
    assert_int_equal(m.authentication_failure.ie_5gmm_cause.v[0], 20);
    assert_false(m.authentication_failure.authentication_failure_parameter.present);
    dump("auth failure #20", m.type, ul, un);
    /* accept once, then the same SQN again: #21 with AUTS carrying SQN_MS */
    dl[dn - 1] ^= 0x01;
    ue_rx(ue, dl, dn, &ev, ul, 0);
    un = ue_rx(ue, dl, dn, &ev, ul, 0);
    assert_int_equal(nas_decode(ul, un, &m, NULL), 0);
    assert_int_equal(m.authentication_failure.ie_5gmm_cause.v[0], 21);
    assert_int_equal(m.authentication_failure.authentication_failure_parameter.len, 14);
    dump("auth failure #21", m.type, ul, un);
    uint8_t sqn_ms[6];
    assert_int_equal(g5_milenage_resync(n.k, n.opc, n.rand,
                                        m.authentication_failure.authentication_failure_parameter.v,
                                        sqn_ms),
                     0);
    assert_int_equal(sqn_ms[5], 0x20);
    /* SMC with a wrong MAC: SECURITY MODE REJECT #24; then replayed caps wrong: #23 */
    n.sqn = 0x40;
    dn = net_auth_request(&n, dl, sizeof dl);
    ue_rx(ue, dl, dn, &ev, ul, 0);
    dn = net_smc(&n, 2, 0, 0x70, true, dl, sizeof dl);
    un = ue_rx(ue, dl, dn, &ev, ul, 0);
    assert_int_equal(nas_decode(ul, un, &m, NULL), 0);
    assert_int_equal(m.type, NAS_SECURITY_MODE_REJECT);
    assert_int_equal(m.security_mode_reject.ie_5gmm_cause.v[0], 24);
    dump("smc reject", m.type, ul, un);
    dn = net_smc(&n, 2, 0, 0x60, false, dl, sizeof dl);
    un = ue_rx(ue, dl, dn, &ev, ul, 0);
    assert_int_equal(nas_decode(ul, un, &m, NULL), 0);
    assert_int_equal(m.security_mode_reject.ie_5gmm_cause.v[0], 23);
    /* an EAP packet the peer cannot use (a truncated Request): EAP-Response/AKA'-Client-Error
     * in AUTHENTICATION RESPONSE (TS 24.501 5.4.1.2.2, RFC 4187 6.3.1; tests/unit/
     * test_sim_eap.c covers the Challenge itself) */
    nas_msg_init(&m, NAS_AUTHENTICATION_REQUEST);
    const uint8_t abba[2] = {0, 0}, eap[5] = {1, 1, 0, 5, 50};
    nas_ie_set_half(&m.authentication_request.ngksi, 1);
    nas_ie_set(&m.authentication_request.abba, abba, 2);
    nas_ie_set(&m.authentication_request.eap_message, eap, 5);
    g5_wbuf w;
    g5_wbuf_init(&w, dl, sizeof dl);
    assert_int_equal(nas_encode(&m, &w), 0);
    un = ue_rx(ue, dl, w.len, &ev, ul, 0);
    assert_int_equal(nas_decode(ul, un, &m, NULL), 0);
    assert_int_equal(m.type, NAS_AUTHENTICATION_RESPONSE);
    const nas_ie *er = &m.authentication_response.eap_message;
    assert_true(er->present && er->len == 12);
    assert_int_equal(er->v[0], 2); /* Response */
    assert_int_equal(er->v[4], 50); /* EAP-AKA' */
    assert_int_equal(er->v[5], 14); /* AKA-Client-Error */
    /* malformed downlink: an error, no reply */
    const uint8_t junk[] = {0x7e, 0x00, 0x56};
    g5_wbuf_init(&w, ul, sizeof ul);
    assert_true(sim_ue_nas_ops.on_downlink_nas(&layer, ue, junk, sizeof junk, &ev, &w) < 0);
    assert_int_equal(w.len, 0);
    teardown_all();
}

/* --dump: the UE's messages with their message type, for tshark. The SMC complete and the
 * registration complete are sent with NEA0 here so tshark can read the inner message. */
static int dump_all(void)
{
    dumping = true;
    sim_ue *ue = setup(SIM_PROT_A);
    net n;
    net_init(&n);
    uint8_t dl[1024], ul[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, ul, sizeof ul);
    if (sim_ue_nas_ops.build_registration_request(&layer, ue, 1, &w))
        return 1;
    dump("registration request", NAS_REGISTRATION_REQUEST, ul, w.len);
    size_t dn = net_auth_request(&n, dl, sizeof dl);
    sim_nas_event ev;
    g5_wbuf_init(&w, ul, sizeof ul);
    sim_ue_nas_ops.on_downlink_nas(&layer, ue, dl, dn, &ev, &w);
    dump("auth response", NAS_AUTHENTICATION_RESPONSE, ul, w.len);
    dn = net_smc(&n, 2, 0, 0x70, false, dl, sizeof dl);
    g5_wbuf_init(&w, ul, sizeof ul);
    sim_ue_nas_ops.on_downlink_nas(&layer, ue, dl, dn, &ev, &w);
    dump("smc complete", NAS_SECURITY_MODE_COMPLETE, ul, w.len);
    nas_msg m;
    nas_msg_init(&m, NAS_REGISTRATION_ACCEPT);
    uint8_t res = 1;
    nas_ie_set(&m.registration_accept.ie_5gs_registration_result, &res, 1);
    dn = net_protect(&n, &m, dl, sizeof dl);
    g5_wbuf_init(&w, ul, sizeof ul);
    sim_ue_nas_ops.on_downlink_nas(&layer, ue, dl, dn, &ev, &w);
    dump("registration complete", NAS_REGISTRATION_COMPLETE, ul, w.len);
    g5_wbuf_init(&w, ul, sizeof ul);
    sim_ue_nas_ops.build_deregistration_request(&layer, ue, true, &w);
    dump("deregistration request", NAS_DEREGISTRATION_REQUEST_UE_ORIG, ul, w.len);
    teardown_all();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--dump"))
        return dump_all();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registration_then_deregistration),
        cmocka_unit_test(test_service_request_and_network_deregistration),
        cmocka_unit_test(test_auth_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
