/* Subscriber store CRUD over the SQLite backend: put/get round trip, duplicate refusal,
 * partial update, delete, list paging, key-value records, input validation messages, and
 * the UDR service mapping (TS 29.505 shapes, TS 29.504 problem causes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "nf/udr/udr.h"
#include "store/import.h"
#include "store/sqn.h"
#include "store_test_util.h"

static void test_put_get_roundtrip(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    g5_subscriber s, g;
    t_sub(&s, 1);
    s.op_kind = G5_OP_IS_OP;
    s.auth_method = G5_AUTH_EAP_AKA_PRIME;
    s.nssai[1] = (g5_snssai){.sst = 2, .sd = 0x000001};
    s.n_nssai = 2;
    strcpy(s.dnns[1], "ims");
    s.n_dnns = 2;
    strcpy(s.msisdn, "4915112345678");
    s.sqn = 0x123456789aULL;
    s.amf[0] = 0xb9;
    s.amf[1] = 0xb9;
    assert_int_equal(g5_store_sub_put(st, &s), 0);
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
    assert_true(g.has_secrets);
    assert_memory_equal(g.k, s.k, 16);
    assert_memory_equal(g.op, s.op, 16);
    assert_int_equal(g.op_kind, G5_OP_IS_OP);
    assert_int_equal(g.auth_method, G5_AUTH_EAP_AKA_PRIME);
    assert_int_equal(g.n_nssai, 2);
    assert_int_equal(g.nssai[0].sst, 1);
    assert_int_equal(g.nssai[0].sd, G5_SD_NONE);
    assert_int_equal(g.nssai[1].sd, 1);
    assert_int_equal(g.n_dnns, 2);
    assert_string_equal(g.default_dnn, "internet");
    assert_string_equal(g.dnns[1], "ims");
    assert_string_equal(g.msisdn, "4915112345678");
    assert_true(g.sqn == 0x123456789aULL);
    assert_memory_equal(g.amf, "\xb9\xb9", 2);
    assert_true(g.ambr_ul == 1000000000ULL && g.ambr_dl == 2000000000ULL);
    assert_true(g.created > 0 && g.updated == g.created);

    /* duplicate: refused, the stored record unchanged */
    g5_subscriber d = s;
    d.k[0] ^= 0xff;
    assert_int_equal(g5_store_sub_put(st, &d), G5_ERR_EXISTS);
    assert_non_null(strstr(g5_store_errmsg(st), "already exists"));
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
    assert_memory_equal(g.k, s.k, 16);

    assert_int_equal(g5_store_sub_get(st, "imsi-001010000000999", &g), G5_ERR_NOT_FOUND);
    assert_int_equal(g5_store_sub_get(st, "imsi-12", &g), G5_ERR_INVALID);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_update_changes_only_given_fields(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    g5_subscriber s, u, g;
    t_sub(&s, 7);
    strcpy(s.msisdn, "123");
    assert_int_equal(g5_store_sub_put(st, &s), 0);

    memset(&u, 0, sizeof u); /* everything else zero: must not be written */
    strcpy(u.supi, s.supi);
    u.sqn = 64;
    u.ambr_dl = 5000000000ULL;
    u.ambr_ul = 7;
    assert_int_equal(g5_store_sub_update(st, &u, G5_SUB_F_SQN | G5_SUB_F_AMBR, NULL), 0);
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
    assert_true(g.sqn == 64 && g.ambr_dl == 5000000000ULL && g.ambr_ul == 7);
    assert_memory_equal(g.k, s.k, 16);
    assert_memory_equal(g.op, s.op, 16);
    assert_string_equal(g.msisdn, "123");
    assert_int_equal(g.n_nssai, 1);

    /* an update that would make the record invalid is refused as a whole */
    u.n_dnns = 0;
    assert_int_equal(g5_store_sub_update(st, &u, G5_SUB_F_DNN | G5_SUB_F_SQN, NULL),
                     G5_ERR_INVALID);
    assert_non_null(strstr(g5_store_errmsg(st), "dnn:"));
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
    assert_true(g.sqn == 64);

    strcpy(u.supi, "imsi-001010000000999");
    assert_int_equal(g5_store_sub_update(st, &u, G5_SUB_F_SQN, NULL), G5_ERR_NOT_FOUND);

    assert_int_equal(g5_store_sub_delete(st, s.supi), 0);
    assert_int_equal(g5_store_sub_delete(st, s.supi), G5_ERR_NOT_FOUND);
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), G5_ERR_NOT_FOUND);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_list_paging_without_secrets(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    g5_subscriber s, page[10];
    for (unsigned i = 25; i > 0; i--) { /* inserted in reverse: list sorts by SUPI */
        t_sub(&s, i);
        assert_int_equal(g5_store_sub_put(st, &s), 0);
    }
    size_t n = 0, total = 0;
    assert_int_equal(g5_store_sub_list(st, 0, 10, page, &n, &total), 0);
    assert_int_equal(n, 10);
    assert_int_equal(total, 25);
    assert_string_equal(page[0].supi, "imsi-001010000000001");
    assert_false(page[0].has_secrets);
    static const uint8_t zero[16];
    assert_memory_equal(page[0].k, zero, 16);
    assert_int_equal(g5_store_sub_list(st, 20, 10, page, &n, &total), 0);
    assert_int_equal(n, 5);
    assert_string_equal(page[4].supi, "imsi-001010000000025");
    assert_int_equal(g5_store_sub_list(st, 30, 10, page, &n, NULL), 0);
    assert_int_equal(n, 0);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_kv_secret_and_plain(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    /* TS 33.501 C.4.3 Profile A home-network private key (test data, not a real key) */
    static const char priv_hex[] =
        "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d";
    uint8_t priv[32], out[64];
    size_t len = 0;
    g5_hex_decode_exact(priv_hex, priv, 32);
    assert_int_equal(g5_store_kv_put(st, "suci/hn-key/1/private", priv, 32, true), 0);
    assert_int_equal(g5_store_kv_put(st, "suci/hn-key/1/scheme", (const uint8_t *)"A", 1, false),
                     0);
    assert_int_equal(g5_store_kv_get(st, "suci/hn-key/1/private", out, sizeof out, &len), 0);
    assert_int_equal(len, 32);
    assert_memory_equal(out, priv, 32);
    assert_int_equal(g5_store_kv_get(st, "suci/hn-key/1/scheme", out, sizeof out, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(g5_store_kv_get(st, "suci/hn-key/1/private", out, 8, &len), G5_ERR_TOO_LONG);
    assert_int_equal(g5_store_kv_get(st, "nope", out, sizeof out, &len), G5_ERR_NOT_FOUND);
    assert_int_equal(g5_store_kv_delete(st, "suci/hn-key/1/scheme"), 0);
    assert_int_equal(g5_store_kv_delete(st, "suci/hn-key/1/scheme"), G5_ERR_NOT_FOUND);
    g5_store_close(st);
    size_t n;
    unsigned char *bytes = t_slurp_db(e.db, &n);
    assert_true(n > 0);
    assert_false(t_contains(bytes, n, priv, 32)); /* secret kv encrypted at rest */
    free(bytes);
    t_env_free(&e);
}

static void test_validation_messages_name_field_and_fix(void **state)
{
    (void)state;
    char why[256];
    g5_subscriber s;
    unsigned f = 0;
    bool d = false;
    g5_subscriber_defaults(&s);
    assert_int_equal(
        g5_sub_field_set(&s, "k", "465b5ce8b199b49faa5f0a2ee238a6", &f, &d, why, sizeof why),
        G5_ERR_INVALID);
    assert_string_equal(why, "must be 32 hex digits (16 bytes) of the subscriber key K");
    /* a secret value is never echoed */
    assert_int_equal(
        g5_sub_field_set(&s, "opc", "zz63cb71954a9f4e48a5994e37a02baf", &f, &d, why, sizeof why),
        G5_ERR_INVALID);
    assert_null(strstr(why, "zz63"));
    assert_int_equal(g5_sub_field_set(&s, "supi", "imsi-00101000000001", &f, &d, why, sizeof why),
                     G5_ERR_INVALID);
    assert_non_null(strstr(why, "15 digits"));
    assert_int_equal(g5_sub_field_set(&s, "slices", "1:00001", &f, &d, why, sizeof why),
                     G5_ERR_INVALID);
    assert_non_null(strstr(why, "SST:SD"));
    assert_int_equal(g5_sub_field_set(&s, "ambr_ul", "fast", &f, &d, why, sizeof why),
                     G5_ERR_INVALID);
    assert_non_null(strstr(why, "1Gbps"));
    assert_int_equal(g5_sub_field_set(&s, "auth", "eap_aka", &f, &d, why, sizeof why),
                     G5_ERR_INVALID);
    assert_int_equal(g5_sub_field_set(&s, "sqn", "281474976710656", &f, &d, why, sizeof why),
                     G5_ERR_INVALID);
    assert_int_equal(g5_sub_field_set(&s, "colour", "red", &f, &d, why, sizeof why),
                     G5_ERR_NOT_FOUND);

    /* regression: ambr_ul once wrote the downlink field */
    g5_subscriber_defaults(&s);
    assert_int_equal(g5_sub_field_set(&s, "ambr_ul", "500Mbps", &f, &d, why, sizeof why), 0);
    assert_true(s.ambr_ul == 500000000ULL && s.ambr_dl == 2000000000ULL);
    assert_int_equal(g5_sub_field_set(&s, "ambr_dl", "3Gbps", &f, &d, why, sizeof why), 0);
    assert_true(s.ambr_ul == 500000000ULL && s.ambr_dl == 3000000000ULL);

    uint64_t v;
    assert_int_equal(g5_bitrate_parse("2Gbps", &v), 0);
    assert_true(v == 2000000000ULL);
    assert_int_equal(g5_bitrate_parse("1.5 Mbps", &v), 0);
    assert_true(v == 1500000ULL);
    assert_int_equal(g5_bitrate_parse("100", &v), 0);
    assert_true(v == 100);
    assert_int_equal(g5_bitrate_parse("1Xbps", &v), G5_ERR_INVALID);
    assert_int_equal(g5_sqn_parse("0000000000ff", &v), 0);
    assert_true(v == 255);
    assert_int_equal(g5_sqn_parse("0x20", &v), 0);
    assert_true(v == 32);
    assert_int_equal(g5_sqn_parse("32", &v), 0);
    assert_true(v == 32);
    g5_snssai sn;
    assert_int_equal(g5_snssai_parse("255:ffffff", &sn), 0);
    assert_int_equal(sn.sd, 0xffffff);
    assert_int_equal(g5_snssai_parse("256", &sn), G5_ERR_INVALID);

    g5_subscriber_defaults(&s);
    strcpy(s.supi, "imsi-001010000000001");
    strcpy(s.dnns[0], "bad dnn");
    assert_int_equal(g5_subscriber_validate(&s, why, sizeof why), G5_ERR_INVALID);
    assert_non_null(strstr(why, "dnn: 'bad dnn' is not a valid DNN"));
    strcpy(s.dnns[0], "internet");
    strcpy(s.msisdn, "+49");
    assert_int_equal(g5_subscriber_validate(&s, why, sizeof why), G5_ERR_INVALID);
    assert_non_null(strstr(why, "msisdn"));
}

static void test_udr_service(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    g5_subscriber s;
    t_sub(&s, 3);
    s.nssai[1] = (g5_snssai){.sst = 2, .sd = 0xabcdef};
    s.n_nssai = 2;
    strcpy(s.dnns[1], "ims");
    s.n_dnns = 2;
    strcpy(s.default_dnn, "ims");
    strcpy(s.msisdn, "4912345");
    assert_int_equal(g5_store_sub_put(st, &s), 0);
    udr *u = udr_new(st);
    assert_non_null(u);
    udr_problem pd;
    udr_auth_subscription as;
    assert_int_equal(udr_auth_subscription_get(u, s.supi, &as, &pd), 0);
    assert_memory_equal(as.enc_permanent_key, s.k, 16);
    assert_true(as.has_opc);
    assert_int_equal(as.ind_length, 5);
    assert_int_equal(as.authentication_method, G5_AUTH_5G_AKA);
    udr_auth_subscription_wipe(&as);

    udr_sqn sq;
    assert_int_equal(udr_auth_sqn_next(u, s.supi, &sq, &pd), 0);
    assert_true(sq.sqn == g5_sqn_make(1, 1));
    assert_int_equal(udr_auth_sqn_resync(u, s.supi, g5_sqn_make(1000, 7), &sq, &pd), 0);
    assert_true(g5_sqn_seq(sq.sqn) == 1000);
    assert_int_equal(udr_auth_sqn_next(u, s.supi, &sq, &pd), 0);
    assert_true(g5_sqn_seq(sq.sqn) == 1001);

    udr_am_data am;
    assert_int_equal(udr_am_data_get(u, s.supi, &am, &pd), 0);
    assert_string_equal(am.gpsi, "msisdn-4912345");
    assert_int_equal(am.n_default_single_nssais, 2);
    assert_int_equal(am.default_single_nssais[1].sd, 0xabcdef);
    assert_true(am.subscribed_ue_ambr_dl == 2000000000ULL);

    udr_sm_data sm;
    assert_int_equal(udr_sm_data_get(u, s.supi, NULL, &sm, &pd), 0);
    assert_int_equal(sm.n_items, 2);
    assert_int_equal(sm.items[0].n_dnns, 2);
    assert_string_equal(sm.items[0].dnns[sm.items[0].default_dnn], "ims");
    g5_snssai want = {.sst = 2, .sd = 0xabcdef}, none = {.sst = 9, .sd = G5_SD_NONE};
    assert_int_equal(udr_sm_data_get(u, s.supi, &want, &sm, &pd), 0);
    assert_int_equal(sm.n_items, 1);
    assert_int_equal(udr_sm_data_get(u, s.supi, &none, &sm, &pd), G5_ERR_NOT_FOUND);
    assert_string_equal(pd.cause, "DATA_NOT_FOUND");

    assert_int_equal(udr_am_data_get(u, "imsi-001010000000404", &am, &pd), G5_ERR_NOT_FOUND);
    assert_int_equal(pd.status, 404);
    assert_string_equal(pd.cause, "USER_NOT_FOUND");
    assert_int_equal(udr_auth_sqn_next(u, "imsi-0010", &sq, &pd), G5_ERR_INVALID);
    assert_int_equal(pd.status, 400);
    udr_free(u);
    g5_store_close(st);
    t_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_roundtrip),
        cmocka_unit_test(test_update_changes_only_given_fields),
        cmocka_unit_test(test_list_paging_without_secrets),
        cmocka_unit_test(test_kv_secret_and_plain),
        cmocka_unit_test(test_validation_messages_name_field_and_fix),
        cmocka_unit_test(test_udr_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
