/* 128-NEA0..3 / 128-NIA0..3 and the SNOW 3G / ZUC cores against nea_nia.json: every
 * TS 35.217 / TS 33.401 Annex C / TS 35.223 set (34 of 42 with a length that is not a
 * whole number of octets), the SNOW 3G and ZUC keystream sets of the ETSI/SAGE test data
 * documents, and the implementation-derived whole-octet variants. Also argument checks,
 * in-place operation and that bits beyond the length never influence the result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "crypto/nas_algs.h"
#include "crypto/snow3g.h"
#include "crypto/zuc.h"
#include "crypto_vectors.h"

static int alg_of(const char *name, char *kind)
{
    /* "128-NEA1" -> kind 'E', 1 */
    if (!name || strlen(name) != 8 || strncmp(name, "128-N", 5) != 0)
        return -1;
    *kind = name[5];
    return name[7] - '0';
}

static uint32_t hex_u32(const char *s)
{
    return (uint32_t)strtoul(s, NULL, 16);
}

/* Runs one vector object; returns 1 if it was a NEA vector, 2 if NIA. */
static int run_vector(const json_t *v)
{
    char kind = 0;
    int alg = alg_of(tv_str(v, "algorithm"), &kind);
    assert_true(alg >= 1 && alg <= 3);
    uint8_t key[16];
    assert_int_equal(tv_hex(v, "KEY", key, 16), 0);
    uint32_t count = hex_u32(tv_str(v, "COUNT"));
    long bearer = tv_int(v, "BEARER"), dir = tv_int(v, "DIRECTION"), len = tv_int(v, "LENGTH");
    assert_true(bearer >= 0 && dir >= 0 && len >= 0);
    size_t nbytes = ((size_t)len + 7) / 8;
    if (kind == 'E') {
        size_t pn = 0, cn = 0;
        uint8_t *pt = tv_hex_alloc(v, "PLAINTEXT", &pn);
        uint8_t *ct = tv_hex_alloc(v, "CIPHERTEXT", &cn);
        assert_non_null(pt);
        assert_non_null(ct);
        assert_int_equal(pn, nbytes);
        assert_int_equal(cn, nbytes);
        uint8_t *out = malloc(nbytes + 1);
        assert_non_null(out);
        assert_int_equal(
            g5_nea(alg, key, count, (uint8_t)bearer, (uint8_t)dir, pt, out, (size_t)len), 0);
        assert_memory_equal(out, ct, nbytes);
        /* decryption in place gives the plaintext back */
        assert_int_equal(
            g5_nea(alg, key, count, (uint8_t)bearer, (uint8_t)dir, out, out, (size_t)len), 0);
        assert_memory_equal(out, pt, nbytes);
        free(out);
        free(pt);
        free(ct);
        return 1;
    }
    size_t mn = 0;
    uint8_t *msg = tv_hex_alloc(v, "MESSAGE", &mn), mac[4], exp[4];
    assert_non_null(msg);
    assert_int_equal(mn, nbytes);
    assert_int_equal(tv_hex(v, "MAC", exp, 4), 0);
    assert_int_equal(g5_nia(alg, key, count, (uint8_t)bearer, (uint8_t)dir, msg, (size_t)len, mac),
                     0);
    assert_memory_equal(mac, exp, 4);
    /* garbage after the last bit must not matter */
    if (len % 8) {
        msg[nbytes - 1] |= (uint8_t)(0xff >> (len % 8));
        assert_int_equal(
            g5_nia(alg, key, count, (uint8_t)bearer, (uint8_t)dir, msg, (size_t)len, mac), 0);
        assert_memory_equal(mac, exp, 4);
    }
    /* flipping the last message bit changes the MAC */
    if (len > 0) {
        msg[(len - 1) / 8] ^= (uint8_t)(0x80 >> ((len - 1) % 8));
        assert_int_equal(
            g5_nia(alg, key, count, (uint8_t)bearer, (uint8_t)dir, msg, (size_t)len, mac), 0);
        assert_memory_not_equal(mac, exp, 4);
    }
    free(msg);
    return 2;
}

static void test_spec_vectors(void **state)
{
    (void)state;
    json_t *root = tv_load("nea_nia.json");
    assert_non_null(root);
    size_t idx;
    json_t *v;
    int nea = 0, nia = 0, unaligned = 0;
    json_array_foreach(json_object_get(root, "vectors"), idx, v)
    {
        if (run_vector(v) == 1)
            nea++;
        else
            nia++;
        if (tv_int(v, "LENGTH") % 8)
            unaligned++;
    }
    assert_int_equal(nea + nia, 42);
    assert_int_equal(unaligned, 34);
    json_decref(root);
}

static void test_implementation_derived(void **state)
{
    (void)state;
    json_t *root = tv_load("nea_nia.json");
    assert_non_null(root);
    size_t idx;
    json_t *v;
    int n = 0;
    json_array_foreach(json_object_get(root, "implementation_derived"), idx, v)
    {
        run_vector(v);
        n++;
    }
    assert_int_equal(n, 15);
    json_decref(root);
}

static void words(const json_t *v, const char *key, uint32_t w[4])
{
    uint8_t b[16];
    assert_int_equal(tv_hex(v, key, b, 16), 0);
    for (int i = 0; i < 4; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
}

static void check_stream(const json_t *v, uint32_t (*next)(void *), void *st)
{
    const char *first = tv_str(v, "keystream_first_words");
    assert_non_null(first);
    size_t nfirst = strlen(first) / 8, total = nfirst;
    if (tv_int(v, "keystream_word_count") > 0)
        total = (size_t)tv_int(v, "keystream_word_count");
    uint32_t w = 0;
    for (size_t i = 0; i < total; i++) {
        w = next(st);
        if (i < nfirst) {
            char hex[9];
            memcpy(hex, first + 8 * i, 8);
            hex[8] = 0;
            assert_int_equal(w, hex_u32(hex));
        }
    }
    if (tv_str(v, "keystream_last_word"))
        assert_int_equal(w, hex_u32(tv_str(v, "keystream_last_word")));
}

static uint32_t snow_next(void *s)
{
    return g5_snow3g_next(s);
}

static uint32_t zuc_next(void *z)
{
    return g5_zuc_next(z);
}

static void test_keystreams(void **state)
{
    (void)state;
    json_t *root = tv_load("nea_nia.json");
    assert_non_null(root);
    size_t idx;
    json_t *v;
    int n = 0;
    json_array_foreach(json_object_get(root, "snow3g_keystream"), idx, v)
    {
        uint32_t k[4], iv[4];
        words(v, "KEY_words_k0_k3", k);
        words(v, "IV_words_IV0_IV3", iv);
        g5_snow3g s;
        g5_snow3g_init(&s, k, iv);
        check_stream(v, snow_next, &s);
        n++;
    }
    json_array_foreach(json_object_get(root, "zuc_keystream"), idx, v)
    {
        uint8_t key[16], iv[16];
        assert_int_equal(tv_hex(v, "KEY", key, 16) | tv_hex(v, "IV", iv, 16), 0);
        g5_zuc z;
        g5_zuc_init(&z, key, iv);
        check_stream(v, zuc_next, &z);
        n++;
    }
    assert_int_equal(n, 8);
    json_decref(root);
}

static void test_null_algorithms_and_arguments(void **state)
{
    (void)state;
    uint8_t key[16] = {1}, msg[5] = {0xde, 0xad, 0xbe, 0xef, 0xff}, out[5], mac[4] = {9, 9, 9, 9};
    assert_int_equal(g5_nia(0, NULL, 1, 1, 0, msg, 40, mac), 0);
    assert_int_equal(mac[0] | mac[1] | mac[2] | mac[3], 0);
    assert_int_equal(g5_nea(0, NULL, 1, 1, 0, msg, out, 36), 0);
    assert_memory_equal(out, msg, 4);
    assert_int_equal(out[4], 0xf0); /* bits after the length are zero */
    assert_int_equal(g5_nia(4, key, 0, 0, 0, msg, 8, mac), G5_ERR_UNSUPPORTED);
    assert_int_equal(g5_nia(-1, key, 0, 0, 0, msg, 8, mac), G5_ERR_UNSUPPORTED);
    assert_int_equal(g5_nea(4, key, 0, 0, 0, msg, out, 8), G5_ERR_UNSUPPORTED);
    assert_int_equal(g5_nia(2, key, 0, 32, 0, msg, 8, mac), G5_ERR_INVALID);
    assert_int_equal(g5_nia(2, key, 0, 0, 2, msg, 8, mac), G5_ERR_INVALID);
    assert_int_equal(g5_nia(2, NULL, 0, 0, 0, msg, 8, mac), G5_ERR_INVALID);
    assert_int_equal(g5_nea(1, key, 0, 0, 0, NULL, out, 8), G5_ERR_INVALID);
    /* empty messages are valid for every algorithm */
    for (int alg = 0; alg < 4; alg++) {
        assert_int_equal(g5_nia(alg, key, 7, 3, 1, NULL, 0, mac), 0);
        assert_int_equal(g5_nea(alg, key, 7, 3, 1, NULL, NULL, 0), 0);
    }
    /* every integrity algorithm binds COUNT, BEARER and DIRECTION */
    for (int alg = 1; alg < 4; alg++) {
        uint8_t m0[4], m1[4], m2[4], m3[4];
        assert_int_equal(g5_nia(alg, key, 7, 3, 1, msg, 40, m0), 0);
        assert_int_equal(g5_nia(alg, key, 8, 3, 1, msg, 40, m1), 0);
        assert_int_equal(g5_nia(alg, key, 7, 4, 1, msg, 40, m2), 0);
        assert_int_equal(g5_nia(alg, key, 7, 3, 0, msg, 40, m3), 0);
        assert_memory_not_equal(m0, m1, 4);
        assert_memory_not_equal(m0, m2, 4);
        assert_memory_not_equal(m0, m3, 4);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keystreams),
        cmocka_unit_test(test_spec_vectors),
        cmocka_unit_test(test_implementation_derived),
        cmocka_unit_test(test_null_algorithms_and_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
