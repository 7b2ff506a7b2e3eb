/* NAS security layer tests (TS 24.501 4.4.3, 8.2.28; TS 33.501 6.4.3), on the real
 * 128-NIA/NEA implementation (src/crypto/nas_algs.c). The MAC and ciphering of a protected
 * message are checked against OpenSSL's AES-CMAC / AES-CTR computed here directly from the
 * TS 33.401 B.1.3 / B.2.3 input layout, which pins down what the NAS layer feeds the
 * algorithms (COUNT, BEARER, DIRECTION, and that the MAC covers SQN + message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "core/err.h"
#include "crypto/nas_algs.h"
#include "nas/nas.h"

#define ALG_TEST 2 /* 128-NIA2 / 128-NEA2 */

/* Independent NIA2: AES-CMAC over COUNT | BEARER<<3 | DIR<<2 | 0^26 | message (B.2.3). */
static void oracle_nia2(const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
                        const uint8_t *msg, size_t n, uint8_t mac[4])
{
    uint8_t in[512] = {(uint8_t)(count >> 24), (uint8_t)(count >> 16), (uint8_t)(count >> 8),
                       (uint8_t)count, (uint8_t)(bearer << 3 | dir << 2)};
    memcpy(in + 8, msg, n);
    EVP_MAC *m = EVP_MAC_fetch(NULL, "CMAC", NULL);
    EVP_MAC_CTX *c = EVP_MAC_CTX_new(m);
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0),
                      OSSL_PARAM_construct_end()};
    uint8_t full[16];
    size_t fl = 0;
    assert_int_equal(EVP_MAC_init(c, key, 16, p), 1);
    assert_int_equal(EVP_MAC_update(c, in, n + 8), 1);
    assert_int_equal(EVP_MAC_final(c, full, &fl, sizeof full), 1);
    memcpy(mac, full, 4);
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(m);
}

/* Independent NEA2: AES-128-CTR, IV = COUNT | BEARER<<27 | DIR<<26 | 0^26 | 0^64 (B.1.3). */
static void oracle_nea2(const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
                        const uint8_t *in, uint8_t *out, size_t n)
{
    uint8_t iv[16] = {(uint8_t)(count >> 24), (uint8_t)(count >> 16), (uint8_t)(count >> 8),
                      (uint8_t)count, (uint8_t)(bearer << 3 | dir << 2)};
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0;
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv), 1);
    assert_int_equal(EVP_EncryptUpdate(c, out, &l, in, (int)n), 1);
    EVP_CIPHER_CTX_free(c);
}

static void ctx_init(nas_sec_ctx *c, int alg)
{
    memset(c, 0, sizeof *c);
    memset(c->knas_int, 0x11, 16);
    memset(c->knas_enc, 0x22, 16);
    c->nia = alg;
    c->nea = alg;
    c->bearer = NAS_ACCESS_3GPP;
}

static const uint8_t plain_reg_complete[] = {0x7e, 0x00, 0x43};

static void test_protect_nia0_layout(void **state)
{
    (void)state;
    nas_sec_ctx ue;
    ctx_init(&ue, 0);
    ue.ul_count = 0x000105;
    uint8_t buf[64];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(nas_sec_protect(&ue, NAS_SHT_INTEGRITY, NAS_DIR_UL, plain_reg_complete, 3, &w),
                     0);
    static const uint8_t want[] = {0x7e, 0x01, 0, 0, 0, 0, 0x05, 0x7e, 0x00, 0x43};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    assert_int_equal(ue.ul_count, 0x000106);
    /* tshark-parsable: the protected message decodes to its header. */
    nas_msg m;
    assert_int_equal(nas_decode(buf, w.len, &m, NULL), 0);
    assert_int_equal(m.sht, NAS_SHT_INTEGRITY);
    assert_int_equal(m.sec.sqn, 5);
}

static void test_nia2_nea2_against_openssl(void **state)
{
    (void)state;
    nas_sec_ctx amf;
    ctx_init(&amf, ALG_TEST);
    amf.dl_count = 0x0001fe; /* overflow 1, SQN 0xfe */
    static const uint8_t dl[] = {0x7e, 0x00, 0x54, 0x07, 0x00, 0x0b, 0xf2, 0x02, 0xf8,
                                 0x39, 0xca, 0xfe, 0x01, 0x12, 0x34, 0x56, 0x78};
    uint8_t buf[64], want_ct[sizeof dl], want_mac[4];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(
        nas_sec_protect(&amf, NAS_SHT_INTEGRITY_CIPHERED, NAS_DIR_DL, dl, sizeof dl, &w), 0);
    assert_int_equal(w.len, 7 + sizeof dl);
    assert_int_equal(buf[6], 0xfe);
    oracle_nea2(amf.knas_enc, 0x0001fe, NAS_ACCESS_3GPP, 1, dl, want_ct, sizeof dl);
    assert_memory_equal(buf + 7, want_ct, sizeof dl);
    oracle_nia2(amf.knas_int, 0x0001fe, NAS_ACCESS_3GPP, 1, buf + 6, 1 + sizeof dl, want_mac);
    assert_memory_equal(buf + 2, want_mac, 4);
    /* And the UE side, expecting COUNT 0x0001f0, estimates 0x0001fe and accepts it. */
    nas_sec_ctx ue;
    ctx_init(&ue, ALG_TEST);
    ue.dl_count = 0x0001f0;
    uint8_t plain[64];
    size_t n;
    assert_int_equal(nas_sec_unprotect(&ue, NAS_DIR_DL, buf, w.len, plain, sizeof plain, &n), 0);
    assert_memory_equal(plain, dl, sizeof dl);
    assert_int_equal(ue.dl_count, 0x0001ff);
}

static void test_encode_decode_protected(void **state)
{
    (void)state;
    nas_sec_ctx ue, amf;
    ctx_init(&ue, ALG_TEST);
    ctx_init(&amf, ALG_TEST);
    nas_msg m, got;
    assert_int_equal(nas_msg_init(&m, NAS_REGISTRATION_COMPLETE), 0);
    uint8_t buf[64], plain[64], cause;
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(nas_encode_protected(&ue, NAS_SHT_INTEGRITY_CIPHERED, NAS_DIR_UL, &m, &w), 0);
    bool prot = false;
    assert_int_equal(nas_decode_protected(&amf, NAS_DIR_UL, buf, w.len, plain, sizeof plain, &got,
                                          &cause, &prot),
                     0);
    assert_true(prot);
    assert_int_equal(got.type, NAS_REGISTRATION_COMPLETE);
    assert_int_equal(amf.ul_count, 1);
    /* A plain message passes through undecorated. */
    static const uint8_t plain_msg[] = {0x7e, 0x00, 0x43};
    assert_int_equal(nas_decode_protected(&amf, NAS_DIR_UL, plain_msg, 3, plain, sizeof plain, &got,
                                          &cause, &prot),
                     0);
    assert_false(prot);
    /* Replay of the protected one: MAC failure. */
    assert_int_equal(nas_decode_protected(&amf, NAS_DIR_UL, buf, w.len, plain, sizeof plain, &got,
                                          &cause, &prot),
                     G5_ERR_CRYPTO);
}

static void test_count_estimate(void **state)
{
    (void)state;
    assert_int_equal(nas_count_estimate(0x000000, 0x00), 0x000000);
    assert_int_equal(nas_count_estimate(0x000010, 0x12), 0x000012); /* lost messages */
    assert_int_equal(nas_count_estimate(0x0000ff, 0xff), 0x0000ff);
    assert_int_equal(nas_count_estimate(0x0000ff, 0x00), 0x000100); /* SQN wrapped */
    assert_int_equal(nas_count_estimate(0x000100, 0x00), 0x000100);
    assert_int_equal(nas_count_estimate(0x0012f0, 0x03), 0x001303);
    assert_int_equal(nas_count_estimate(0xfffff0, 0x01), 0x000001); /* 24-bit overflow */
}

static void test_ul_roundtrip_across_sqn_wrap(void **state)
{
    (void)state;
    nas_sec_ctx ue, amf;
    ctx_init(&ue, ALG_TEST);
    ctx_init(&amf, ALG_TEST);
    for (int i = 0; i < 600; i++) {
        uint8_t buf[64], plain[64];
        g5_wbuf w;
        g5_wbuf_init(&w, buf, sizeof buf);
        uint8_t sht = (i % 2) ? NAS_SHT_INTEGRITY_CIPHERED : NAS_SHT_INTEGRITY;
        assert_int_equal(nas_sec_protect(&ue, sht, NAS_DIR_UL, plain_reg_complete, 3, &w), 0);
        if (i % 97 == 50)
            continue; /* a lost message: the AMF's estimate must skip over it */
        size_t n = 0;
        assert_false(nas_sec_is_replay(&amf, NAS_DIR_UL, buf[6]));
        assert_int_equal(nas_sec_unprotect(&amf, NAS_DIR_UL, buf, w.len, plain, sizeof plain, &n),
                         0);
        assert_int_equal(n, 3);
        assert_memory_equal(plain, plain_reg_complete, 3);
        assert_int_equal(amf.ul_count, ue.ul_count);
        /* The same message again is a replay: flagged, and its MAC no longer verifies
         * because the estimated COUNT has moved on; the context is left unchanged. */
        assert_true(nas_sec_is_replay(&amf, NAS_DIR_UL, buf[6]));
        uint32_t before = amf.ul_count;
        assert_int_equal(nas_sec_unprotect(&amf, NAS_DIR_UL, buf, w.len, plain, sizeof plain, &n),
                         G5_ERR_CRYPTO);
        assert_int_equal(amf.ul_count, before);
    }
    assert_int_equal(ue.ul_count, 600);
}

static void test_ciphered_dl_and_tamper(void **state)
{
    (void)state;
    nas_sec_ctx amf, ue;
    ctx_init(&amf, ALG_TEST);
    ctx_init(&ue, ALG_TEST);
    static const uint8_t dl[] = {0x7e, 0x00, 0x68, 0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc};
    uint8_t buf[64], plain[64];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(
        nas_sec_protect(&amf, NAS_SHT_INTEGRITY_CIPHERED, NAS_DIR_DL, dl, sizeof dl, &w), 0);
    assert_memory_not_equal(buf + 7, dl, sizeof dl); /* ciphered */
    size_t n;
    buf[3] ^= 1; /* MAC tampered */
    assert_int_equal(nas_sec_unprotect(&ue, NAS_DIR_DL, buf, w.len, plain, sizeof plain, &n),
                     G5_ERR_CRYPTO);
    buf[3] ^= 1;
    buf[8] ^= 0x80; /* message tampered */
    assert_int_equal(nas_sec_unprotect(&ue, NAS_DIR_DL, buf, w.len, plain, sizeof plain, &n),
                     G5_ERR_CRYPTO);
    buf[8] ^= 0x80;
    assert_int_equal(ue.dl_count, 0);
    assert_int_equal(nas_sec_unprotect(&ue, NAS_DIR_DL, buf, w.len, plain, sizeof plain, &n), 0);
    assert_int_equal(n, sizeof dl);
    assert_memory_equal(plain, dl, sizeof dl);
    assert_int_equal(ue.dl_count, 1);
    /* Wrong direction or bearer: the MAC does not verify. */
    nas_sec_ctx other;
    ctx_init(&other, ALG_TEST);
    other.bearer = NAS_ACCESS_NON3GPP;
    assert_int_equal(nas_sec_unprotect(&other, NAS_DIR_DL, buf, w.len, plain, sizeof plain, &n),
                     G5_ERR_CRYPTO);
    ctx_init(&other, ALG_TEST);
    assert_int_equal(nas_sec_unprotect(&other, NAS_DIR_UL, buf, w.len, plain, sizeof plain, &n),
                     G5_ERR_CRYPTO);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    nas_sec_ctx c;
    ctx_init(&c, 0);
    uint8_t buf[16], plain[4];
    size_t n;
    static const uint8_t short_msg[] = {0x7e, 0x01, 0, 0, 0, 0, 0, 0x7e};
    assert_int_equal(
        nas_sec_unprotect(&c, NAS_DIR_UL, short_msg, sizeof short_msg, plain, sizeof plain, &n),
        G5_ERR_TRUNCATED);
    static const uint8_t plain_hdr[] = {0x7e, 0x00, 0, 0, 0, 0, 0, 0x7e, 0x00, 0x43};
    assert_int_equal(
        nas_sec_unprotect(&c, NAS_DIR_UL, plain_hdr, sizeof plain_hdr, plain, sizeof plain, &n),
        G5_ERR_INVALID);
    static const uint8_t big[] = {0x7e, 0x01, 0, 0, 0, 0, 0, 0x7e, 0x00, 0x43, 1, 2};
    assert_int_equal(nas_sec_unprotect(&c, NAS_DIR_UL, big, sizeof big, plain, 3, &n),
                     G5_ERR_TOO_LONG);
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(nas_sec_protect(&c, 5, NAS_DIR_UL, plain_reg_complete, 3, &w), G5_ERR_INVALID);
    c.nia = 9; /* no such algorithm: error, COUNT unchanged */
    assert_true(nas_sec_protect(&c, 1, NAS_DIR_UL, plain_reg_complete, 3, &w) < 0);
    assert_int_equal(c.ul_count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protect_nia0_layout),
        cmocka_unit_test(test_nia2_nea2_against_openssl),
        cmocka_unit_test(test_encode_decode_protected),
        cmocka_unit_test(test_count_estimate),
        cmocka_unit_test(test_ul_roundtrip_across_sqn_wrap),
        cmocka_unit_test(test_ciphered_dl_and_tamper),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
