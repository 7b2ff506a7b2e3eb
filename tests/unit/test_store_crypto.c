/* Encryption at rest of the subscriber store: K/OPc never in clear in the database files,
 * the master key file is created 0600 with 32 random bytes, refused when group/world
 * accessible or of the wrong size, a wrong key is reported as such (never garbage), and a
 * ciphertext copied to another subscriber or field does not decrypt (AAD binding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "core/err.h"
#include "store/crypt.h"
#include "store_test_util.h"

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_db_files_never_hold_k_or_opc_in_clear(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    g5_subscriber s;
    for (unsigned i = 1; i <= 50; i++) {
        t_sub(&s, i);
        assert_int_equal(g5_store_sub_put(st, &s), 0);
    }
    /* with the connection open (data in the -wal file) and after close (checkpointed) */
    for (int pass = 0; pass < 2; pass++) {
        size_t n;
        unsigned char *bytes = t_slurp_db(e.db, &n);
        assert_true(n > 4096);
        uint8_t opc[16], k[16];
        g5_hex_decode_exact(T_OPC_HEX, opc, 16);
        assert_false(t_contains(bytes, n, opc, 16));
        assert_false(t_contains(bytes, n, T_OPC_HEX, 32)); /* nor as text */
        for (unsigned i = 1; i <= 50; i++) {
            t_sub(&s, i);
            memcpy(k, s.k, 16);
            assert_false(t_contains(bytes, n, k, 16));
        }
        assert_true(t_contains(bytes, n, "imsi-001010000000001", 20)); /* the DB has data */
        free(bytes);
        if (pass == 0)
            g5_store_close(st);
    }
    struct stat sb;
    assert_int_equal(stat(e.db, &sb), 0);
    assert_int_equal(sb.st_mode & 077, 0); /* new database is private too */
    t_env_free(&e);
}

static void test_key_file_created_0600_random(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    uint8_t k1[32], k2[32];
    bool created = false;
    assert_int_equal(g5_keyfile_load(e.key, true, k1, &created, err, sizeof err), 0);
    assert_true(created);
    struct stat sb;
    assert_int_equal(stat(e.key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    assert_int_equal(g5_keyfile_load(e.key, true, k2, &created, err, sizeof err), 0);
    assert_false(created);
    assert_memory_equal(k1, k2, 32);
    static const uint8_t zero[32];
    assert_memory_not_equal(k1, zero, 32);
    /* a second key file differs (random content) */
    char other[160];
    snprintf(other, sizeof other, "%s/other.key", e.dir);
    assert_int_equal(g5_keyfile_load(other, true, k2, &created, err, sizeof err), 0);
    assert_memory_not_equal(k1, k2, 32);
    /* absent and not to be created */
    snprintf(other, sizeof other, "%s/absent.key", e.dir);
    assert_int_equal(g5_keyfile_load(other, false, k2, NULL, err, sizeof err), G5_ERR_IO);
    t_env_free(&e);
}

static void test_key_file_bad_mode_or_size_refused(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    uint8_t key[64] = {1, 2, 3};
    t_env_init(&e);
    write_file(e.key, key, 32, 0644);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_null(st);
    assert_non_null(strstr(err, "mode 0644 lets group/others access it"));
    assert_non_null(strstr(err, "chmod 600"));
    write_file(e.key, key, 32, 0640);
    assert_null(t_open(&e, err, sizeof err));
    write_file(e.key, key, 31, 0600);
    assert_null(t_open(&e, err, sizeof err));
    assert_non_null(strstr(err, "has 31 bytes, must hold exactly 32"));
    write_file(e.key, key, 64, 0400);
    assert_null(t_open(&e, err, sizeof err));
    write_file(e.key, key, 32, 0400); /* read-only for the owner is fine */
    st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_wrong_key_is_a_clear_error(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    g5_subscriber s;
    t_sub(&s, 1);
    assert_int_equal(g5_store_sub_put(st, &s), 0);
    g5_store_close(st);

    uint8_t other[32];
    memset(other, 0x5a, sizeof other);
    write_file(e.key, other, 32, 0600);
    assert_null(t_open(&e, err, sizeof err));
    assert_non_null(strstr(err, "cannot decrypt subscriber data: wrong key file?"));

    /* key file deleted while the database holds data: no silent new key */
    unlink(e.key);
    assert_null(t_open(&e, err, sizeof err));
    assert_non_null(strstr(err, "does not exist, but"));
    assert_int_equal(access(e.key, F_OK), -1);
    t_env_free(&e);
}

/* Copies column `col` of subscriber `from` over subscriber `to` with raw SQL. */
static void swap_blob(const char *db, const char *col, const char *from, const char *to,
                      const char *to_col)
{
    sqlite3 *h;
    char sql[400];
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "UPDATE subscriber SET %s = (SELECT %s FROM subscriber WHERE supi = '%s') "
             "WHERE supi = '%s'",
             to_col, col, from, to);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static void test_swapped_ciphertext_does_not_decrypt(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    g5_subscriber a, b, g;
    t_sub(&a, 1);
    t_sub(&b, 2);
    assert_int_equal(g5_store_sub_put(st, &a), 0);
    assert_int_equal(g5_store_sub_put(st, &b), 0);
    g5_store_close(st);
    /* A's K moved to B: B fails; A's K moved into A's OPc column: A fails */
    swap_blob(e.db, "k", a.supi, b.supi, "k");
    swap_blob(e.db, "k", a.supi, a.supi, "op");
    st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(g5_store_sub_get(st, b.supi, &g), G5_ERR_CRYPTO);
    assert_non_null(strstr(g5_store_errmsg(st), "cannot decrypt subscriber data"));
    static const uint8_t zero[16];
    assert_memory_equal(g.k, zero, 16); /* nothing half-decrypted handed out */
    assert_int_equal(g5_store_sub_get(st, a.supi, &g), G5_ERR_CRYPTO);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_seal_format_and_tamper(void **state)
{
    (void)state;
    uint8_t key[32], blob[64], pt[16], out[16];
    size_t n, m;
    memset(key, 7, sizeof key);
    memset(pt, 0xab, sizeof pt);
    assert_int_equal(g5_seal(key, "imsi-001010000000001", "k", pt, 16, blob, sizeof blob, &n), 0);
    assert_int_equal(n, 16 + G5_SEAL_OVERHEAD);
    assert_int_equal(blob[0], G5_SEAL_VERSION);
    uint8_t blob2[64];
    size_t n2;
    assert_int_equal(g5_seal(key, "imsi-001010000000001", "k", pt, 16, blob2, sizeof blob2, &n2),
                     0);
    assert_memory_not_equal(blob + 1, blob2 + 1, 12); /* fresh nonce each time */
    assert_int_equal(g5_unseal(key, "imsi-001010000000001", "k", blob, n, out, 16, &m), 0);
    assert_memory_equal(out, pt, 16);
    for (size_t i = 1; i < n; i++) { /* any flipped bit is caught */
        blob[i] ^= 1;
        assert_int_equal(g5_unseal(key, "imsi-001010000000001", "k", blob, n, out, 16, &m),
                         G5_ERR_CRYPTO);
        blob[i] ^= 1;
    }
    assert_int_equal(g5_unseal(key, "imsi-001010000000001", "op", blob, n, out, 16, &m),
                     G5_ERR_CRYPTO);
    assert_int_equal(g5_unseal(key, "imsi-001010000000001", "k", blob, 20, out, 16, &m),
                     G5_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_files_never_hold_k_or_opc_in_clear),
        cmocka_unit_test(test_key_file_created_0600_random),
        cmocka_unit_test(test_key_file_bad_mode_or_size_refused),
        cmocka_unit_test(test_wrong_key_is_a_clear_error),
        cmocka_unit_test(test_swapped_ciphertext_does_not_decrypt),
        cmocka_unit_test(test_seal_format_and_tamper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
