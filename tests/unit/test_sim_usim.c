/* The simulator's USIM against 3GPP vectors: AUTN check and RES* (and KAUSF, KSEAF, KAMF) with the
 * TS 35.208 set 1 MILENAGE inputs (kdf_5g.json, computed by an independent Python oracle
 * from TS 33.501 Annex A), MAC failure (#20), AMF separation bit (#26), synch failure with
 * an AUTS the home network side re-synchronises from (TS 33.102 6.3.5), the Annex C SQN
 * array (IND, delta), and SUCI concealment checked against TS 33.501 C.4 scheme outputs
 * and the crypto library's de-concealment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/milenage.h"
#include "crypto_vectors.h"
#include "sim/ue_usim.h"

static json_t *vec_by_id(json_t *arr, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (!strcmp(tv_str(v, "id"), id)) return v;
    return NULL;
}

typedef struct aka_in {
    sim_ue_template tpl;
    uint8_t rand[16], sqn[6], amf[2], autn[16], res_star[16], kamf[32], kausf[32];
    char snn[40], supi[16];
} aka_in;

/* TS 35.208 set 1 through milenage.json, expected 5G keys from kdf_5g.json. */
static void load_set1(aka_in *in)
{
    memset(in, 0, sizeof *in);
    json_t *m = tv_load("milenage.json");
    json_t *k = tv_load("kdf_5g.json");
    assert_non_null(m);
    assert_non_null(k);
    json_t *v = vec_by_id(json_object_get(m, "vectors"), "TS35_208-set-1");
    assert_non_null(v);
    uint8_t ak[6], mac[8];
    assert_int_equal(tv_hex(v, "K", in->tpl.key, 16) | tv_hex(v, "OP", in->tpl.op, 16) |
                         tv_hex(v, "RAND", in->rand, 16) | tv_hex(v, "SQN", in->sqn, 6) |
                         tv_hex(v, "AMF", in->amf, 2) | tv_hex(v, "f5", ak, 6) |
                         tv_hex(v, "f1", mac, 8),
                     0);
    /* TS 33.102 6.3.2: AUTN = SQN xor AK || AMF || MAC-A, from the vector's own outputs */
    for (int i = 0; i < 6; i++)
        in->autn[i] = in->sqn[i] ^ ak[i];
    memcpy(in->autn + 6, in->amf, 2);
    memcpy(in->autn + 8, mac, 8);
    json_t *inp = json_object_get(k, "inputs");
    snprintf(in->snn, sizeof in->snn, "%s", tv_str(inp, "SNN"));
    snprintf(in->supi, sizeof in->supi, "%s", tv_str(inp, "SUPI"));
    assert_int_equal(tv_hex(k, "RES_star", in->res_star, 16) | tv_hex(k, "KAMF", in->kamf, 32) |
                         tv_hex(k, "KAUSF", in->kausf, 32),
                     0);
    json_decref(m);
    json_decref(k);
}

static const uint8_t abba[2] = {0, 0};

static void test_aka_set1_keys_then_synch_failure(void **state)
{
    (void)state;
    aka_in in;
    load_set1(&in);
    sim_usim_keys keys;
    assert_int_equal(sim_usim_keys_init(&keys, &in.tpl), 0);
    sim_usim u;
    sim_usim_init(&u, 0);
    sim_aka_result r;
    assert_int_equal(
        sim_usim_authenticate(&u, &keys, in.rand, in.autn, in.snn, in.supi, abba, 2, &r), 0);
    assert_int_equal(r.status, SIM_AKA_OK);
    assert_memory_equal(r.res_star, in.res_star, 16);
    assert_memory_equal(r.kausf, in.kausf, 32);
    assert_memory_equal(r.kamf, in.kamf, 32);
    assert_int_equal(u.sqn_ms, 0xff9bb4d0b607ULL);

    /* the same vector again is a replay: synch failure, AUTS carries SQN_MS */
    assert_int_equal(
        sim_usim_authenticate(&u, &keys, in.rand, in.autn, in.snn, in.supi, abba, 2, &r), 0);
    assert_int_equal(r.status, SIM_AKA_SYNCH_FAILURE);
    uint8_t sqn_ms[6];
    assert_int_equal(g5_milenage_resync(keys.k, keys.opc, in.rand, r.auts, sqn_ms), 0);
    assert_memory_equal(sqn_ms, in.sqn, 6);
    sim_usim_keys_wipe(&keys);
}

static void test_aka_mac_failure_and_separation_bit(void **state)
{
    (void)state;
    aka_in in;
    load_set1(&in);
    sim_usim_keys keys;
    assert_int_equal(sim_usim_keys_init(&keys, &in.tpl), 0);
    sim_usim u;
    sim_usim_init(&u, 0);
    sim_aka_result r;
    in.autn[15] ^= 1;
    assert_int_equal(
        sim_usim_authenticate(&u, &keys, in.rand, in.autn, in.snn, in.supi, abba, 2, &r), 0);
    assert_int_equal(r.status, SIM_AKA_MAC_FAILURE);
    assert_int_equal(u.sqn_ms, 0); /* nothing accepted */

    /* a correctly MACed vector with the separation bit 0 (AMF 0x3939) */
    uint8_t amf[2] = {0x39, 0x39};
    g5_milenage_av av;
    assert_int_equal(g5_milenage_generate(keys.k, keys.opc, in.rand, in.sqn, amf, &av), 0);
    assert_int_equal(
        sim_usim_authenticate(&u, &keys, in.rand, av.autn, in.snn, in.supi, abba, 2, &r), 0);
    assert_int_equal(r.status, SIM_AKA_NON_5G);
    sim_usim_keys_wipe(&keys);
}

/* TS 33.102 C.1.2 / C.2: SQN = SEQ (43 bits) || IND (5 bits). */
static uint64_t sqn_of(uint64_t seq, unsigned ind)
{
    return seq << SIM_USIM_IND_BITS | ind;
}

static void test_sqn_array_annex_c(void **state)
{
    (void)state;
    sim_usim u;
    sim_usim_init(&u, sqn_of(10, 0));
    assert_false(sim_usim_sqn_fresh(&u, sqn_of(10, 3))); /* initial SQN counts as used */
    assert_true(sim_usim_sqn_fresh(&u, sqn_of(11, 3)));

    aka_in in;
    load_set1(&in);
    sim_usim_keys keys;
    assert_int_equal(sim_usim_keys_init(&keys, &in.tpl), 0);
    /* vectors with SQN = (SEQ 20, IND 3) and then (SEQ 15, IND 4): out of order, but each
     * IND has its own entry, so both are accepted; (SEQ 19, IND 3) is then refused */
    const struct {
        uint64_t sqn;
        int status;
    } seq[] = {{sqn_of(20, 3), SIM_AKA_OK},
               {sqn_of(15, 4), SIM_AKA_OK},
               {sqn_of(19, 3), SIM_AKA_SYNCH_FAILURE},
               {sqn_of(21, 3), SIM_AKA_OK}};
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        uint8_t s[6];
        for (int b = 0; b < 6; b++)
            s[b] = (uint8_t)(seq[i].sqn >> (40 - 8 * b));
        g5_milenage_av av;
        assert_int_equal(g5_milenage_generate(keys.k, keys.opc, in.rand, s, in.amf, &av), 0);
        sim_aka_result r;
        assert_int_equal(
            sim_usim_authenticate(&u, &keys, in.rand, av.autn, in.snn, in.supi, abba, 2, &r), 0);
        assert_int_equal(r.status, seq[i].status);
    }
    assert_int_equal(u.sqn_ms, sqn_of(21, 3));
    /* C.2.2: a SEQ more than DELTA behind SEQ_MS is refused even on a fresh IND */
    sim_usim_init(&u, sqn_of(SIM_USIM_DELTA + 100, 0));
    assert_false(sim_usim_sqn_fresh(&u, sqn_of(50, 7)));
    sim_usim_keys_wipe(&keys);
}

static void test_conceal_vectors_and_deconceal(void **state)
{
    (void)state;
    json_t *root = tv_load("suci_ecies.json");
    assert_non_null(root);
    json_t *vs = json_object_get(root, "vectors");
    const char *ids[] = {"null-scheme-imsi", "profile-a-imsi", "profile-b-imsi", "profile-b-imsi"};
    const char *pubs[] = {NULL, "home_network_public_key", "home_network_public_key_compressed",
                          "home_network_public_key_uncompressed"};
    for (int i = 0; i < 4; i++) {
        json_t *v = vec_by_id(vs, ids[i]);
        assert_non_null(v);
        sim_ue_template tpl;
        memset(&tpl, 0, sizeof tpl);
        snprintf(tpl.mcc, sizeof tpl.mcc, "274");
        snprintf(tpl.mnc, sizeof tpl.mnc, "012");
        snprintf(tpl.routing_indicator, sizeof tpl.routing_indicator, "0");
        tpl.protection_scheme = i == 0 ? SIM_PROT_NULL : i == 1 ? SIM_PROT_A : SIM_PROT_B;
        tpl.hn_key_id = 3;
        uint8_t eph[32], hn_priv[32];
        size_t so_len = 0;
        uint8_t *so = tv_hex_alloc(v, "scheme_output", &so_len);
        assert_non_null(so);
        if (pubs[i]) {
            tpl.hn_public_key_len = i == 1 ? 32 : i == 2 ? 33 : 65;
            assert_int_equal(tv_hex(v, pubs[i], tpl.hn_public_key, tpl.hn_public_key_len) |
                                 tv_hex(v, "ephemeral_private_key", eph, 32) |
                                 tv_hex(v, "home_network_private_key", hn_priv, 32),
                             0);
        }
        g5_suci suci;
        const char *imsi = tv_str(json_object_get(v, "supi"), "imsi");
        assert_int_equal(sim_usim_conceal(&tpl, imsi, pubs[i] ? eph : NULL, &suci), 0);
        assert_int_equal(suci.output_len, so_len);
        assert_memory_equal(suci.output, so, so_len);
        assert_int_equal(suci.hn_key_id, i == 0 ? 0 : 3);
        free(so);
        g5_supi back;
        assert_int_equal(g5_suci_deconceal(&suci, hn_priv, &back), 0);
        char s[32], want[32];
        assert_int_equal(g5_supi_format(&back, s, sizeof s), 0);
        snprintf(want, sizeof want, "imsi-%s", imsi);
        assert_string_equal(s, want);
    }
    /* a profile A key of the wrong length is refused */
    sim_ue_template bad;
    memset(&bad, 0, sizeof bad);
    snprintf(bad.mcc, sizeof bad.mcc, "001");
    snprintf(bad.mnc, sizeof bad.mnc, "01");
    bad.protection_scheme = SIM_PROT_A;
    bad.hn_public_key_len = 33;
    g5_suci suci;
    assert_int_equal(sim_usim_conceal(&bad, "001010000000001", NULL, &suci), G5_ERR_INVALID);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aka_set1_keys_then_synch_failure),
        cmocka_unit_test(test_aka_mac_failure_and_separation_bit),
        cmocka_unit_test(test_sqn_array_annex_c),
        cmocka_unit_test(test_conceal_vectors_and_deconceal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
