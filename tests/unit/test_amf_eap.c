/* EAP-AKA' registration through the AMF (TS 33.501 §6.1.3.1, TS 24.501 §5.4.1.2): the
 * EAP-Request/AKA'-Challenge arrives in the Authentication Request's EAP message IE, the
 * in-test UE checks it like a 5G UE (AUTN with the USIM, CK'/IK' with the serving
 * network name, AT_MAC recomputed with OpenSSL's HMAC) and answers with AT_RES + AT_MAC;
 * the Security Mode Command carries the EAP-Success and KSEAF is derived from the EMSK on
 * the UE side, so the SMC MAC and the ciphered Registration Accept check the whole chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "amf_test_util.h"
#include "core/log.h"
#include "nf/ausf/eap_aka.h"

/* The UE's answer to an EAP-Request/AKA'-Challenge: returns the response length. */
static size_t eap_peer(t_ue *ue, const uint8_t *p, size_t n, uint8_t *resp)
{
    g5_eap_aka m;
    assert_int_equal(g5_eap_aka_decode(p, n, &m), 0);
    assert_int_equal(p[0], G5_EAP_REQUEST);
    assert_true(m.has_rand && m.has_autn && m.has_mac && m.has_kdf_input);
    assert_string_equal(m.kdf_input, T_SNN);
    uint8_t ck[16], ik[16], ckp[16], ikp[16], res[8] = {0};
    assert_int_equal(t_usim_auth(&ue->usim, m.rand, m.autn, T_SNN, NULL, NULL, ck, ik, res, NULL),
                     T_USIM_OK);
    assert_int_equal(g5_kdf_ck_ik_prime(ck, ik, m.kdf_input, m.autn, ckp, ikp), 0);
    const char *identity = ue->sub.supi + 5;
    g5_eap_aka_prime_keys keys;
    assert_int_equal(
        g5_eap_aka_prime_keys_derive(ikp, ckp, (const uint8_t *)identity, strlen(identity), &keys),
        0);
    assert_int_equal(g5_kdf_kseaf(keys.emsk, T_SNN, ue->kseaf), 0); /* KAUSF = EMSK[0..31] */
    uint8_t copy[G5_EAP_MAX], md[32];
    unsigned mdlen = 0;
    memcpy(copy, p, n);
    memset(copy + m.mac_offset, 0, 16);
    HMAC(EVP_sha256(), keys.k_aut, 32, copy, n, md, &mdlen);
    assert_memory_equal(md, m.mac, 16);
    /* EAP-Response/AKA'-Challenge: AT_RES (64 bits) and AT_MAC (RFC 5448, RFC 4187) */
    static const uint8_t hdr[] = {2, 0, 0, 40, 50, 1, 0, 0, 3, 3, 0, 64};
    memcpy(resp, hdr, sizeof hdr);
    resp[1] = m.id;
    memcpy(resp + 12, res, 8);
    static const uint8_t mac_hdr[] = {11, 5, 0, 0};
    memcpy(resp + 20, mac_hdr, 4);
    memset(resp + 24, 0, 16);
    HMAC(EVP_sha256(), keys.k_aut, 32, resp, 40, md, &mdlen);
    memcpy(resp + 24, md, 16);
    return 40;
}

static void test_eap_aka_prime_registration(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024], resp[64];
    t_amf_up(&t, NULL);
    memset(&ue, 0, sizeof ue);
    assert_int_equal(t_provision(&t.nf, 30, G5_AUTH_EAP_AKA_PRIME, &ue.sub), 0);
    t_usim_from(&ue.usim, &ue.sub);
    ue.ran_id = 30;
    ue.caps = (nas_ue_sec_cap){.ea = 0xf0, .ia = 0x70};
    ue.nssai_sst = 1;
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    const nas_ie *eap = &m.authentication_request.eap_message;
    assert_true(eap->present);
    size_t rl = eap_peer(&ue, eap->v, eap->len, resp);
    nas_msg r;
    nas_msg_init(&r, NAS_AUTHENTICATION_RESPONSE);
    nas_ie_set(&r.authentication_response.eap_message, resp, rl);
    t_send_msg(&t, &ue, &r, 0, false);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_SECURITY_MODE_COMMAND);
    const nas_ie *succ = &m.security_mode_command.eap_message;
    assert_true(succ->present && succ->len == 4);
    assert_int_equal(succ->v[0], 3); /* EAP-Success */
    assert_true(m.security_mode_command.abba.present);
    t_answer_smc(&t, &ue, &m);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_REGISTRATION_ACCEPT);
    t_send_plain_type(&t, &ue, NAS_REGISTRATION_COMPLETE, NAS_SHT_INTEGRITY_CIPHERED);
    t_run(&t);
    assert_int_equal(amf_get_stats(t.amf)->reg_complete, 1);
    t_amf_down(&t);
}

/* A wrong AT_MAC in the EAP response: EAP-Failure in the Authentication Reject. */
static void test_eap_aka_prime_bad_mac(void **s)
{
    (void)s;
    t_amf t;
    t_ue ue;
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    uint8_t plain[1024], resp[64];
    t_amf_up(&t, NULL);
    memset(&ue, 0, sizeof ue);
    assert_int_equal(t_provision(&t.nf, 31, G5_AUTH_EAP_AKA_PRIME, &ue.sub), 0);
    t_usim_from(&ue.usim, &ue.sub);
    ue.ran_id = 31;
    ue.caps = (nas_ue_sec_cap){.ea = 0xf0, .ia = 0x70};
    t_suci(&t, &ue, 0, &mi, &suci);
    t_reg_request(&t, &ue, 1, &mi, 0, true);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REQUEST);
    size_t rl = eap_peer(&ue, m.authentication_request.eap_message.v,
                         m.authentication_request.eap_message.len, resp);
    resp[30] ^= 1; /* AT_MAC */
    nas_msg r;
    nas_msg_init(&r, NAS_AUTHENTICATION_RESPONSE);
    nas_ie_set(&r.authentication_response.eap_message, resp, rl);
    t_send_msg(&t, &ue, &r, 0, false);
    assert_int_equal(t_expect_nas(&t, &ue, &m, plain), NAS_AUTHENTICATION_REJECT);
    assert_true(m.authentication_reject.eap_message.present);
    assert_int_equal(m.authentication_reject.eap_message.v[0], 4); /* EAP-Failure */
    t_amf_down(&t);
}

int main(void)
{
    g5_log_set_level(G5_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eap_aka_prime_registration),
        cmocka_unit_test(test_eap_aka_prime_bad_mac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
