/* MILENAGE against every TS 35.208 / TS 35.207 test set (tests/data/crypto/milenage.json),
 * plus the AKA procedures: AUTN check on the USIM side, wrong MAC-A, AUTS generation,
 * re-synchronisation and wrong MAC-S (TS 33.102 §6.3.3, §6.3.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "crypto/milenage.h"
#include "crypto_vectors.h"

static void test_all_3gpp_sets(void **state)
{
    (void)state;
    json_t *root = tv_load("milenage.json");
    assert_non_null(root);
    json_t *vs = json_object_get(root, "vectors");
    size_t idx;
    json_t *v;
    int n = 0;
    json_array_foreach(vs, idx, v)
    {
        uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16], exp_opc[16];
        uint8_t f1[8], f1s[8], f2[8], f3[16], f4[16], f5[6], f5s[6];
        assert_int_equal(
            tv_hex(v, "K", k, 16) | tv_hex(v, "RAND", rand, 16) | tv_hex(v, "SQN", sqn, 6) |
                tv_hex(v, "AMF", amf, 2) | tv_hex(v, "OP", op, 16) | tv_hex(v, "OPc", exp_opc, 16) |
                tv_hex(v, "f1", f1, 8) | tv_hex(v, "f1star", f1s, 8) | tv_hex(v, "f2", f2, 8) |
                tv_hex(v, "f3", f3, 16) | tv_hex(v, "f4", f4, 16) | tv_hex(v, "f5", f5, 6) |
                tv_hex(v, "f5star", f5s, 6),
            0);
        assert_int_equal(g5_milenage_opc(k, op, opc), 0);
        assert_memory_equal(opc, exp_opc, 16);

        uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], aks[6];
        assert_int_equal(g5_milenage_f1(k, opc, rand, sqn, amf, mac_a, mac_s), 0);
        assert_int_equal(g5_milenage_f2345(k, opc, rand, res, ck, ik, ak, aks), 0);
        assert_memory_equal(mac_a, f1, 8);
        assert_memory_equal(mac_s, f1s, 8);
        assert_memory_equal(res, f2, 8);
        assert_memory_equal(ck, f3, 16);
        assert_memory_equal(ik, f4, 16);
        assert_memory_equal(ak, f5, 6);
        assert_memory_equal(aks, f5s, 6);

        /* AUTN = (SQN xor AK) || AMF || MAC-A, and the USIM accepts it. */
        g5_milenage_av av;
        assert_int_equal(g5_milenage_generate(k, opc, rand, sqn, amf, &av), 0);
        for (int i = 0; i < 6; i++)
            assert_int_equal(av.autn[i], sqn[i] ^ f5[i]);
        assert_memory_equal(av.autn + 6, amf, 2);
        assert_memory_equal(av.autn + 8, f1, 8);
        assert_memory_equal(av.xres, f2, 8);
        uint8_t got_sqn[6], ue_res[8], ue_ck[16], ue_ik[16];
        assert_int_equal(
            g5_milenage_check_autn(k, opc, rand, av.autn, got_sqn, ue_res, ue_ck, ue_ik), 0);
        assert_memory_equal(got_sqn, sqn, 6);
        assert_memory_equal(ue_res, f2, 8);
        assert_memory_equal(ue_ck, f3, 16);
        assert_memory_equal(ue_ik, f4, 16);
        n++;
    }
    assert_int_equal(n, 21);
    json_decref(root);
}

static void test_wrong_mac_a_rejected(void **state)
{
    (void)state;
    json_t *root = tv_load("milenage.json");
    assert_non_null(root);
    json_t *v = json_array_get(json_object_get(root, "vectors"), 0);
    uint8_t k[16], rand[16], sqn[6], amf[2], opc[16];
    assert_int_equal(tv_hex(v, "K", k, 16) | tv_hex(v, "RAND", rand, 16) |
                         tv_hex(v, "SQN", sqn, 6) | tv_hex(v, "AMF", amf, 2) |
                         tv_hex(v, "OPc", opc, 16),
                     0);
    g5_milenage_av av;
    assert_int_equal(g5_milenage_generate(k, opc, rand, sqn, amf, &av), 0);
    uint8_t got[6] = {0}, res[8] = {0};
    /* every single-bit flip in MAC-A, AMF or SQN^AK must fail */
    for (int bit = 0; bit < 128; bit++) {
        uint8_t bad[16];
        memcpy(bad, av.autn, 16);
        bad[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        assert_int_equal(g5_milenage_check_autn(k, opc, rand, bad, got, res, NULL, NULL),
                         G5_ERR_CRYPTO);
    }
    uint8_t zero[8] = {0};
    assert_memory_equal(res, zero, 8); /* nothing released on failure */
    /* a different K fails too */
    k[0] ^= 1;
    assert_int_equal(g5_milenage_check_autn(k, opc, rand, av.autn, got, NULL, NULL, NULL),
                     G5_ERR_CRYPTO);
    json_decref(root);
}

/* The implementation-derived AUTS example of kdf.json (TS 33.102 §6.3.3 with AMF*=0000). */
static void test_auts_and_resync(void **state)
{
    (void)state;
    json_t *root = tv_load("kdf.json");
    assert_non_null(root);
    json_t *v = json_array_get(json_object_get(root, "implementation_derived"), 0);
    assert_string_equal(tv_str(v, "id"), "impl-5G-AKA-RESstar-1");
    uint8_t k[16], op[16], opc[16], rand[16], sqn[6], auts_exp[14], aks[6], macs[8];
    assert_int_equal(tv_hex(v, "K", k, 16) | tv_hex(v, "OP", op, 16) | tv_hex(v, "RAND", rand, 16) |
                         tv_hex(v, "SQN", sqn, 6) | tv_hex(v, "AUTS", auts_exp, 14) |
                         tv_hex(v, "AK_star", aks, 6) | tv_hex(v, "MAC_S_with_AMF_0000", macs, 8),
                     0);
    assert_int_equal(g5_milenage_opc(k, op, opc), 0);
    uint8_t auts[14];
    assert_int_equal(g5_milenage_auts(k, opc, rand, sqn, auts), 0);
    assert_memory_equal(auts, auts_exp, 14);
    assert_memory_equal(auts + 6, macs, 8);

    uint8_t sqn_ms[6] = {0};
    assert_int_equal(g5_milenage_resync(k, opc, rand, auts, sqn_ms), 0);
    assert_memory_equal(sqn_ms, sqn, 6);

    /* wrong MAC-S: any bit flip in AUTS is refused and sqn_ms is not written */
    for (int bit = 0; bit < 112; bit++) {
        uint8_t bad[14], out[6] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee};
        memcpy(bad, auts, 14);
        bad[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        assert_int_equal(g5_milenage_resync(k, opc, rand, bad, out), G5_ERR_CRYPTO);
        assert_int_equal(out[0], 0xee);
    }
    /* a different RAND gives a different AK*, so the AUTS does not verify */
    rand[15] ^= 0x01;
    assert_int_equal(g5_milenage_resync(k, opc, rand, auts, sqn_ms), G5_ERR_CRYPTO);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_3gpp_sets),
        cmocka_unit_test(test_wrong_mac_a_rejected),
        cmocka_unit_test(test_auts_and_resync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
