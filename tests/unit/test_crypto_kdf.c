/* Key derivation: the TS 33.220 KDF and TS 33.501 Annex A derivations, checked against
 *  - RFC 5448 Appendix C cases 1-4 (CK', IK', K_encr, K_aut, K_re, MSK, EMSK),
 *  - the implementation-derived RES* and HXRES*, K_RRC/K_UP and EPS KASME examples of kdf.json,
 *  - kdf_5g.json, computed by an independent Python script (gen_kdf_5g.py) for the
 *    derivations no standard publishes vectors for (KAUSF, KSEAF, KAMF, KNAS*, KgNB, NH,
 *    K'AMF). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "crypto_vectors.h"

static void test_rfc5448_eap_aka_prime(void **state)
{
    (void)state;
    json_t *root = tv_load("kdf.json");
    assert_non_null(root);
    size_t idx;
    json_t *v;
    int n = 0;
    json_array_foreach(json_object_get(root, "vectors"), idx, v)
    {
        uint8_t ck[16], ik[16], sqn_ak[6], ckp[16], ikp[16];
        uint8_t e_ckp[16], e_ikp[16], k_encr[16], k_aut[32], k_re[32], msk[64], emsk[64];
        assert_int_equal(tv_hex(v, "CK", ck, 16) | tv_hex(v, "IK", ik, 16) |
                             tv_hex(v, "SQN_xor_AK", sqn_ak, 6) | tv_hex(v, "CK_prime", e_ckp, 16) |
                             tv_hex(v, "IK_prime", e_ikp, 16) | tv_hex(v, "K_encr", k_encr, 16) |
                             tv_hex(v, "K_aut", k_aut, 32) | tv_hex(v, "K_re", k_re, 32) |
                             tv_hex(v, "MSK", msk, 64) | tv_hex(v, "EMSK", emsk, 64),
                         0);
        assert_int_equal(g5_kdf_ck_ik_prime(ck, ik, tv_str(v, "network_name"), sqn_ak, ckp, ikp),
                         0);
        assert_memory_equal(ckp, e_ckp, 16);
        assert_memory_equal(ikp, e_ikp, 16);
        const char *id = tv_str(v, "identity");
        g5_eap_aka_prime_keys keys;
        assert_int_equal(
            g5_eap_aka_prime_keys_derive(ikp, ckp, (const uint8_t *)id, strlen(id), &keys), 0);
        assert_memory_equal(keys.k_encr, k_encr, 16);
        assert_memory_equal(keys.k_aut, k_aut, 32);
        assert_memory_equal(keys.k_re, k_re, 32);
        assert_memory_equal(keys.msk, msk, 64);
        assert_memory_equal(keys.emsk, emsk, 64);
        uint8_t kausf[32];
        g5_kdf_kausf_eap(&keys, kausf);
        assert_memory_equal(kausf, emsk, 32);
        n++;
    }
    assert_int_equal(n, 4);
    json_decref(root);
}

static json_t *impl_vector(json_t *root, const char *id)
{
    size_t idx;
    json_t *v;
    json_array_foreach(json_object_get(root, "implementation_derived"), idx,
                       v) if (!strcmp(tv_str(v, "id"), id)) return v;
    return NULL;
}

static void test_res_star_hxres_star(void **state)
{
    (void)state;
    json_t *root = tv_load("kdf.json");
    json_t *v = impl_vector(root, "impl-5G-AKA-RESstar-1");
    assert_non_null(v);
    uint8_t k[16], op[16], opc[16], rand[16], sqn[6], amf[2], autn[16], rs[16], hxrs[16];
    assert_int_equal(tv_hex(v, "K", k, 16) | tv_hex(v, "OP", op, 16) | tv_hex(v, "RAND", rand, 16) |
                         tv_hex(v, "SQN", sqn, 6) | tv_hex(v, "AMF", amf, 2) |
                         tv_hex(v, "AUTN", autn, 16) | tv_hex(v, "RES_star", rs, 16) |
                         tv_hex(v, "HXRES_star", hxrs, 16),
                     0);
    assert_int_equal(g5_milenage_opc(k, op, opc), 0);
    g5_milenage_av av;
    assert_int_equal(g5_milenage_generate(k, opc, rand, sqn, amf, &av), 0);
    assert_memory_equal(av.autn, autn, 16);
    uint8_t xres_star[16], hxres_star[16];
    assert_int_equal(g5_kdf_res_star(av.ck, av.ik, tv_str(v, "serving_network_name"), rand, av.xres,
                                     8, xres_star),
                     0);
    assert_memory_equal(xres_star, rs, 16);
    assert_int_equal(g5_kdf_hres_star(rand, xres_star, hxres_star), 0);
    assert_memory_equal(hxres_star, hxrs, 16);
    /* RES length is 4..16 bytes (TS 33.102 §6.3.2) */
    assert_int_equal(g5_kdf_res_star(av.ck, av.ik, "x", rand, av.xres, 3, xres_star),
                     G5_ERR_INVALID);
    json_decref(root);
}

static void test_rrc_up_keys_and_kasme(void **state)
{
    (void)state;
    json_t *root = tv_load("kdf.json");
    json_t *rrc = impl_vector(root, "impl-k_rrc-1");
    json_t *up = impl_vector(root, "impl-k_up-1");
    json_t *eps = impl_vector(root, "impl-EPS-KASME-1");
    assert_non_null(rrc);
    assert_non_null(up);
    assert_non_null(eps);
    uint8_t kgnb[32], e1[16], e2[16], e3[16], e4[16], out[16];
    assert_int_equal(tv_hex(rrc, "KgNB", kgnb, 32) | tv_hex(rrc, "K_RRCenc_128", e1, 16) |
                         tv_hex(rrc, "K_RRCint_128", e2, 16) | tv_hex(up, "K_UPenc_128", e3, 16) |
                         tv_hex(up, "K_UPint_128", e4, 16),
                     0);
    assert_int_equal(g5_kdf_alg_key(kgnb, G5_ALG_RRC_ENC, 2, out), 0);
    assert_memory_equal(out, e1, 16);
    assert_int_equal(g5_kdf_alg_key(kgnb, G5_ALG_RRC_INT, 0, out), 0);
    assert_memory_equal(out, e2, 16);
    assert_int_equal(g5_kdf_alg_key(kgnb, G5_ALG_UP_ENC, 2, out), 0);
    assert_memory_equal(out, e3, 16);
    assert_int_equal(g5_kdf_alg_key(kgnb, G5_ALG_UP_INT, 0, out), 0);
    assert_memory_equal(out, e4, 16);

    /* TS 33.401 A.2 KASME through the generic KDF: FC 0x10, SN id, SQN xor AK */
    uint8_t ck[16], ik[16], snid[3], sqn[6], ak[6], kasme[32], key[32], sqn_ak[6], got[32];
    assert_int_equal(tv_hex(eps, "CK", ck, 16) | tv_hex(eps, "IK", ik, 16) |
                         tv_hex(eps, "SN_id", snid, 3) | tv_hex(eps, "SQN", sqn, 6) |
                         tv_hex(eps, "AK", ak, 6) | tv_hex(eps, "KASME", kasme, 32),
                     0);
    memcpy(key, ck, 16);
    memcpy(key + 16, ik, 16);
    for (int i = 0; i < 6; i++)
        sqn_ak[i] = sqn[i] ^ ak[i];
    g5_kdf_param p[2] = {{snid, 3}, {sqn_ak, 6}};
    assert_int_equal(g5_kdf(key, 32, 0x10, p, 2, got), 0);
    assert_memory_equal(got, kasme, 32);
    json_decref(root);
}

static void test_5g_hierarchy_against_python(void **state)
{
    (void)state;
    json_t *v = tv_load("kdf_5g.json");
    assert_non_null(v);
    json_t *in = json_object_get(v, "inputs");
    uint8_t ck[16], ik[16], ak[6], sqn[6], rand[16], res[8], abba[2];
    assert_int_equal(tv_hex(in, "CK", ck, 16) | tv_hex(in, "IK", ik, 16) | tv_hex(in, "AK", ak, 6) |
                         tv_hex(in, "SQN", sqn, 6) | tv_hex(in, "RAND", rand, 16) |
                         tv_hex(in, "RES", res, 8) | tv_hex(in, "ABBA", abba, 2),
                     0);
    char snn[64];
    assert_int_equal(g5_serving_network_name("001", "01", snn, sizeof snn), 0);
    assert_string_equal(snn, tv_str(in, "SNN"));
    uint8_t sqn_ak[6];
    for (int i = 0; i < 6; i++)
        sqn_ak[i] = sqn[i] ^ ak[i];

    uint8_t e16[16], e32[32], rs[16], hrs[16], kausf[32], kseaf[32], kamf[32], k16[16], k32[32];
    assert_int_equal(g5_kdf_res_star(ck, ik, snn, rand, res, 8, rs), 0);
    assert_int_equal(tv_hex(v, "RES_star", e16, 16), 0);
    assert_memory_equal(rs, e16, 16);
    assert_int_equal(g5_kdf_hres_star(rand, rs, hrs), 0);
    assert_int_equal(tv_hex(v, "HXRES_star", e16, 16), 0);
    assert_memory_equal(hrs, e16, 16);
    assert_int_equal(g5_kdf_kausf(ck, ik, snn, sqn_ak, kausf), 0);
    assert_int_equal(tv_hex(v, "KAUSF", e32, 32), 0);
    assert_memory_equal(kausf, e32, 32);
    assert_int_equal(g5_kdf_kseaf(kausf, snn, kseaf), 0);
    assert_int_equal(tv_hex(v, "KSEAF", e32, 32), 0);
    assert_memory_equal(kseaf, e32, 32);
    assert_int_equal(g5_kdf_kamf(kseaf, tv_str(in, "SUPI"), abba, 2, kamf), 0);
    assert_int_equal(tv_hex(v, "KAMF", e32, 32), 0);
    assert_memory_equal(kamf, e32, 32);
    for (int a = 0; a < 4; a++) {
        const char *hex = json_string_value(json_array_get(json_object_get(v, "KNASint"), a));
        assert_int_equal(g5_hex_decode_exact(hex, e16, 16), 16);
        assert_int_equal(g5_kdf_knas_int(kamf, (uint8_t)a, k16), 0);
        assert_memory_equal(k16, e16, 16);
        hex = json_string_value(json_array_get(json_object_get(v, "KNASenc"), a));
        assert_int_equal(g5_hex_decode_exact(hex, e16, 16), 16);
        assert_int_equal(g5_kdf_knas_enc(kamf, (uint8_t)a, k16), 0);
        assert_memory_equal(k16, e16, 16);
    }
    uint8_t kgnb[32];
    assert_int_equal(g5_kdf_kgnb(kamf, 0, G5_ACCESS_3GPP, kgnb), 0);
    assert_int_equal(tv_hex(v, "KgNB", e32, 32), 0);
    assert_memory_equal(kgnb, e32, 32);
    assert_int_equal(g5_kdf_kgnb(kamf, 0, G5_ACCESS_NON_3GPP, k32), 0);
    assert_int_equal(tv_hex(v, "KN3IWF", e32, 32), 0);
    assert_memory_equal(k32, e32, 32);
    uint8_t nh1[32], nh2[32];
    assert_int_equal(g5_kdf_nh(kamf, kgnb, nh1), 0);
    assert_int_equal(tv_hex(v, "NH1", e32, 32), 0);
    assert_memory_equal(nh1, e32, 32);
    assert_int_equal(g5_kdf_nh(kamf, nh1, nh2), 0);
    assert_int_equal(tv_hex(v, "NH2", e32, 32), 0);
    assert_memory_equal(nh2, e32, 32);
    assert_int_equal(g5_kdf_kamf_prime(kamf, 0, 5, k32), 0);
    assert_int_equal(tv_hex(v, "KAMF_prime_idle", e32, 32), 0);
    assert_memory_equal(k32, e32, 32);
    assert_int_equal(g5_kdf_kamf_prime(kamf, 1, 7, k32), 0);
    assert_int_equal(tv_hex(v, "KAMF_prime_ho", e32, 32), 0);
    assert_memory_equal(k32, e32, 32);
    assert_int_equal(g5_kdf_kamf_prime(kamf, 2, 7, k32), G5_ERR_INVALID);
    json_decref(v);
}

static void test_serving_network_name(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(g5_serving_network_name("208", "93", b, sizeof b), 0);
    assert_string_equal(b, "5G:mnc093.mcc208.3gppnetwork.org");
    assert_int_equal(g5_serving_network_name("310", "410", b, sizeof b), 0);
    assert_string_equal(b, "5G:mnc410.mcc310.3gppnetwork.org");
    assert_int_equal(g5_serving_network_name("31", "410", b, sizeof b), G5_ERR_INVALID);
    assert_int_equal(g5_serving_network_name("310", "4", b, sizeof b), G5_ERR_INVALID);
    assert_int_equal(g5_serving_network_name("310", "41a", b, sizeof b), G5_ERR_INVALID);
    assert_int_equal(g5_serving_network_name("310", "410", b, 10), G5_ERR_TOO_LONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc5448_eap_aka_prime),
        cmocka_unit_test(test_res_star_hxres_star),
        cmocka_unit_test(test_rrc_up_keys_and_kasme),
        cmocka_unit_test(test_5g_hierarchy_against_python),
        cmocka_unit_test(test_serving_network_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
