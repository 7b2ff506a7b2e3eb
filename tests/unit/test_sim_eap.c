/* The simulated UE's EAP-AKA' peer (sim/ue_eap.h, TS 33.501 §6.1.3.1, RFC 5448/9048 over
 * RFC 4187 §9). The EAP-Request/AKA'-Challenge is built here byte by byte from the RFC
 * 4187 §8.1 / RFC 5448 §3.1-3.2 layouts with AT_MAC computed by OpenSSL's HMAC-SHA-256
 * directly, and the peer's answers are checked the same way (layout octets, AT_MAC with
 * OpenSSL, RES = MILENAGE f2 of TS 35.208 test set 1, AUTS recovered by the home network
 * side's resync), not by decoding with the codec the peer uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "core/err.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "sim/ue_eap.h"

/* TS 35.208 test set 1 */
static const uint8_t K[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
                              0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
static const uint8_t OPC[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
                                0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
static const uint8_t RAND[16] = {0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
                                 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35};
static const char SNN[] = "5G:mnc001.mcc001.3gppnetwork.org";
static const char SUPI[] = "001010000000001";
static const uint8_t ABBA[2] = {0, 0};

typedef struct t_net {
    uint8_t autn[16], xres[8], k_aut[32], kamf[32];
} t_net;

/* The network side of one vector: AUTN, XRES, K_aut and KAMF for SQN sqn. */
static void t_vector(uint64_t sqn, const uint8_t amf[2], const char *net_name, t_net *n)
{
    uint8_t s[6];
    for (int i = 5; i >= 0; i--, sqn >>= 8)
        s[i] = (uint8_t)sqn;
    g5_milenage_av av;
    assert_int_equal(g5_milenage_generate(K, OPC, RAND, s, amf, &av), 0);
    memcpy(n->autn, av.autn, 16);
    memcpy(n->xres, av.xres, 8);
    uint8_t ckp[16], ikp[16], kausf[32], kseaf[32];
    assert_int_equal(g5_kdf_ck_ik_prime(av.ck, av.ik, net_name, av.autn, ckp, ikp), 0);
    g5_eap_aka_prime_keys keys;
    assert_int_equal(
        g5_eap_aka_prime_keys_derive(ikp, ckp, (const uint8_t *)SUPI, strlen(SUPI), &keys), 0);
    memcpy(n->k_aut, keys.k_aut, 32);
    memcpy(kausf, keys.emsk, 32); /* TS 33.501 6.1.3.1: KAUSF = EMSK[0..255] */
    assert_int_equal(g5_kdf_kseaf(kausf, SNN, kseaf), 0);
    assert_int_equal(g5_kdf_kamf(kseaf, SUPI, ABBA, 2, n->kamf), 0);
}

static void hmac16(const uint8_t k_aut[32], const uint8_t *p, size_t n, uint8_t out[16])
{
    uint8_t md[32];
    unsigned mdlen = 0;
    assert_non_null(HMAC(EVP_sha256(), k_aut, 32, p, n, md, &mdlen));
    memcpy(out, md, 16);
}

/* EAP-Request/AKA'-Challenge (RFC 4187 §9.3, RFC 5448 §3): AT_RAND, AT_AUTN, AT_KDF,
 * AT_KDF_INPUT, AT_MAC. Returns its length. */
static size_t t_challenge(const t_net *n, const char *net_name, uint16_t kdf, uint8_t *p)
{
    size_t nl = strlen(net_name), at = 8;
    p[0] = 1; /* Request */
    p[1] = 0x42;
    p[4] = 50; /* EAP-AKA' */
    p[5] = 1; /* AKA-Challenge */
    p[6] = p[7] = 0;
    const uint8_t rand_hdr[4] = {1, 5, 0, 0}, autn_hdr[4] = {2, 5, 0, 0};
    memcpy(p + at, rand_hdr, 4);
    memcpy(p + at + 4, RAND, 16);
    at += 20;
    memcpy(p + at, autn_hdr, 4);
    memcpy(p + at + 4, n->autn, 16);
    at += 20;
    p[at] = 24, p[at + 1] = 1, p[at + 2] = (uint8_t)(kdf >> 8), p[at + 3] = (uint8_t)kdf;
    at += 4;
    size_t alen = (4 + nl + 3) / 4 * 4;
    memset(p + at, 0, alen);
    p[at] = 23, p[at + 1] = (uint8_t)(alen / 4), p[at + 2] = 0, p[at + 3] = (uint8_t)nl;
    memcpy(p + at + 4, net_name, nl);
    at += alen;
    p[at] = 11, p[at + 1] = 5, p[at + 2] = p[at + 3] = 0;
    memset(p + at + 4, 0, 16);
    size_t mac_at = at + 4;
    at += 20;
    p[2] = (uint8_t)(at >> 8), p[3] = (uint8_t)at;
    hmac16(n->k_aut, p, at, p + mac_at);
    return at;
}

typedef struct t_ue {
    sim_usim usim;
    sim_usim_keys keys;
    sim_ue_eap_in in;
} t_ue;

static void t_ue_init(t_ue *u, uint64_t sqn)
{
    memcpy(u->keys.k, K, 16);
    memcpy(u->keys.opc, OPC, 16);
    sim_usim_init(&u->usim, sqn);
    u->in = (sim_ue_eap_in){
        .usim = &u->usim, .keys = &u->keys, .snn = SNN, .supi = SUPI, .abba = ABBA, .abba_len = 2};
}

static size_t t_answer(t_ue *u, const uint8_t *req, size_t n, uint8_t *resp, sim_ue_eap_out *o)
{
    g5_wbuf w;
    g5_wbuf_init(&w, resp, G5_EAP_UE_MAX);
    assert_int_equal(sim_ue_eap_answer(&u->in, req, n, &w, o), 0);
    assert_true(w.len >= 8);
    assert_int_equal(resp[0], 2); /* Response */
    assert_int_equal(resp[1], req[1]); /* same Identifier (RFC 3748 §4.1) */
    assert_int_equal((resp[2] << 8) | resp[3], w.len);
    assert_int_equal(resp[4], 50);
    return w.len;
}

static const uint8_t AMF_5G[2] = {0x80, 0x00};

static void test_challenge_answered_with_res_and_mac(void **s)
{
    (void)s;
    t_net n;
    t_vector(0x40, AMF_5G, SNN, &n);
    uint8_t req[256], resp[G5_EAP_UE_MAX];
    size_t rl = t_challenge(&n, SNN, 1, req);
    t_ue u;
    t_ue_init(&u, 0x20);
    sim_ue_eap_out o;
    size_t len = t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, 0);
    assert_true(o.has_kamf);
    assert_memory_equal(o.kamf, n.kamf, 32);
    /* AKA'-Challenge: AT_RES (3, 3, RES length 64 bits, RES) then AT_MAC (11, 5, 0, 0, MAC) */
    assert_int_equal(len, 40);
    assert_int_equal(resp[5], 1);
    const uint8_t at_res[4] = {3, 3, 0, 64};
    assert_memory_equal(resp + 8, at_res, 4);
    assert_memory_equal(resp + 12, n.xres, 8);
    const uint8_t at_mac[4] = {11, 5, 0, 0};
    assert_memory_equal(resp + 20, at_mac, 4);
    uint8_t copy[40], mac[16];
    memcpy(copy, resp, 40);
    memset(copy + 24, 0, 16);
    hmac16(n.k_aut, copy, 40, mac);
    assert_memory_equal(mac, resp + 24, 16);
    /* the SQN is now used: the same Challenge again is stale -> Synchronization-Failure */
    t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, 21);
    assert_int_equal(resp[5], 4);
}

static void test_stale_sqn_gives_auts(void **s)
{
    (void)s;
    t_net n;
    t_vector(0x20, AMF_5G, SNN, &n); /* not above the USIM's 0x40 */
    uint8_t req[256], resp[G5_EAP_UE_MAX];
    size_t rl = t_challenge(&n, SNN, 1, req);
    t_ue u;
    t_ue_init(&u, 0x40);
    sim_ue_eap_out o;
    size_t len = t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, 21);
    assert_false(o.has_kamf);
    /* AKA'-Synchronization-Failure with AT_AUTS (4, 4, AUTS[14]) (RFC 4187 §9.6, §10.9) */
    assert_int_equal(resp[5], 4);
    assert_int_equal(len, 8 + 16);
    assert_int_equal(resp[8], 4);
    assert_int_equal(resp[9], 4);
    uint8_t sqn_ms[6];
    assert_int_equal(g5_milenage_resync(K, OPC, RAND, resp + 10, sqn_ms), 0);
    const uint8_t want[6] = {0, 0, 0, 0, 0, 0x40};
    assert_memory_equal(sqn_ms, want, 6);
}

static void test_bad_autn_rejected(void **s)
{
    (void)s;
    t_net n;
    t_vector(0x40, AMF_5G, SNN, &n);
    n.autn[15] ^= 1; /* MAC-A */
    uint8_t req[256], resp[G5_EAP_UE_MAX];
    size_t rl = t_challenge(&n, SNN, 1, req);
    t_ue u;
    t_ue_init(&u, 0x20);
    sim_ue_eap_out o;
    size_t len = t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, 20);
    assert_int_equal(resp[5], 2); /* AKA'-Authentication-Reject, no attribute */
    assert_int_equal(len, 8);
    /* separation bit 0 (TS 33.102 Annex H): not a 5G vector */
    const uint8_t amf_legacy[2] = {0x00, 0x00};
    t_vector(0x40, amf_legacy, SNN, &n);
    rl = t_challenge(&n, SNN, 1, req);
    t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, 26);
    assert_int_equal(resp[5], 2);
}

static void test_bad_mac_network_name_kdf_give_client_error(void **s)
{
    (void)s;
    t_net n;
    t_vector(0x40, AMF_5G, SNN, &n);
    uint8_t req[256], resp[G5_EAP_UE_MAX];
    size_t rl = t_challenge(&n, SNN, 1, req);
    req[rl - 1] ^= 0x80; /* AT_MAC */
    t_ue u;
    t_ue_init(&u, 0x20);
    sim_ue_eap_out o;
    size_t len = t_answer(&u, req, rl, resp, &o);
    assert_true(o.eap_mac_failure);
    assert_false(o.has_kamf);
    /* AKA'-Client-Error with AT_CLIENT_ERROR_CODE 0 (22, 1, 0, 0) */
    assert_int_equal(resp[5], 14);
    assert_int_equal(len, 12);
    const uint8_t at_ce[4] = {22, 1, 0, 0};
    assert_memory_equal(resp + 8, at_ce, 4);
    /* RFC 4187 §9.3: the bad-MAC Challenge did not consume the SQN; the good one works */
    rl = t_challenge(&n, SNN, 1, req);
    t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, 0);
    /* another network name in AT_KDF_INPUT (RFC 5448 §3.1) */
    t_vector(0x80, AMF_5G, "5G:mnc099.mcc999.3gppnetwork.org", &n);
    rl = t_challenge(&n, "5G:mnc099.mcc999.3gppnetwork.org", 1, req);
    t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, SIM_EAP_UNUSABLE);
    assert_int_equal(resp[5], 14);
    /* a KDF other than 1 offered first (RFC 5448 §3.2) */
    t_vector(0x80, AMF_5G, SNN, &n);
    rl = t_challenge(&n, SNN, 2, req);
    t_answer(&u, req, rl, resp, &o);
    assert_int_equal(o.status, SIM_EAP_UNUSABLE);
    /* truncated packet: Client-Error, Identifier 0 */
    g5_wbuf w;
    g5_wbuf_init(&w, resp, sizeof resp);
    assert_int_equal(sim_ue_eap_answer(&u.in, req, 7, &w, &o), 0);
    assert_int_equal(resp[5], 14);
}

static void test_result_code(void **s)
{
    (void)s;
    const uint8_t ok[4] = {3, 1, 0, 4}, ko[4] = {4, 1, 0, 4}, req[4] = {1, 1, 0, 4};
    assert_int_equal(sim_ue_eap_result_code(ok, 4), 3);
    assert_int_equal(sim_ue_eap_result_code(ko, 4), 4);
    assert_int_equal(sim_ue_eap_result_code(req, 4), G5_ERR_INVALID);
    assert_int_equal(sim_ue_eap_result_code(ok, 3), G5_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_challenge_answered_with_res_and_mac),
        cmocka_unit_test(test_stale_sqn_gives_auts),
        cmocka_unit_test(test_bad_autn_rejected),
        cmocka_unit_test(test_bad_mac_network_name_kdf_give_client_error),
        cmocka_unit_test(test_result_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
