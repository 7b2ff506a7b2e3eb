/* Schema migrations of the SQLite store: a database written at schema version 1 (before
 * MSISDN and key-value records existed) is upgraded in place on open with its data intact;
 * the result matches a fresh database; a database newer than the code is refused with a
 * clear message and left untouched; WAL mode is on. Checked through the sqlite3 C API
 * directly, not through the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "core/err.h"
#include "store/crypt.h"
#include "store/sqlite.h"
#include "store_test_util.h"

static int query_int(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *q;
    int v = -1;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return v;
}

static void exec_sql(const char *db, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(h);
}

/* Builds a version-1 database by hand, as glass5g 0.1 would have written it: migration
 * step 1 only, one subscriber whose K/OPc are sealed with the master key. */
static void make_v1_db(const t_env *e)
{
    uint8_t key[G5_MASTER_KEY_LEN];
    char err[256];
    assert_int_equal(g5_keyfile_load(e->key, true, key, NULL, err, sizeof err), 0);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(e->db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, g5_sqlite_migrations[0].sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h,
                                  "INSERT INTO schema_history VALUES (1, 'v1', 0);"
                                  "PRAGMA user_version=1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    g5_subscriber s;
    t_sub(&s, 42);
    uint8_t kb[64], ob[64], cb[64];
    size_t kn, on, cn;
    static const char check[] = "glass5g store key check";
    assert_int_equal(g5_seal(key, s.supi, "k", s.k, 16, kb, sizeof kb, &kn), 0);
    assert_int_equal(g5_seal(key, s.supi, "op", s.op, 16, ob, sizeof ob, &on), 0);
    assert_int_equal(
        g5_seal(key, "store", "keycheck", (const uint8_t *)check, sizeof check, cb, sizeof cb, &cn),
        0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "INSERT INTO subscriber VALUES (?1, ?2, ?3, 'opc', 32768,"
                                        " 99, '5g_aka', '1,3:00000a', 'internet',"
                                        " 'internet,ims', 1000, 2000, 1700000000, 1700000000)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, s.supi, -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 2, kb, (int)kn, SQLITE_STATIC);
    sqlite3_bind_blob(q, 3, ob, (int)on, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(
        sqlite3_prepare_v2(h, "INSERT INTO store_meta VALUES ('keycheck', ?1)", -1, &q, NULL),
        SQLITE_OK);
    sqlite3_bind_blob(q, 1, cb, (int)cn, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(h);
}

static void test_v1_database_is_migrated_with_data(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    make_v1_db(&e);
    assert_int_equal(query_int(e.db, "PRAGMA user_version"), 1);
    g5_store *st = t_open(&e, err, sizeof err);
    if (!st)
        fail_msg("%s", err);
    assert_int_equal(query_int(e.db, "PRAGMA user_version"), g5_sqlite_schema_version);
    assert_int_equal(query_int(e.db, "SELECT count(*) FROM schema_history"),
                     g5_sqlite_schema_version);
    g5_subscriber g, want;
    t_sub(&want, 42);
    assert_int_equal(g5_store_sub_get(st, want.supi, &g), 0);
    assert_memory_equal(g.k, want.k, 16);
    assert_memory_equal(g.op, want.op, 16);
    assert_true(g.sqn == 99);
    assert_int_equal(g.n_nssai, 2);
    assert_int_equal(g.nssai[1].sd, 0xa);
    assert_string_equal(g.dnns[1], "ims");
    assert_string_equal(g.msisdn, ""); /* column added by step 2, default empty */
    /* the new features work on the migrated database */
    g5_subscriber u = g;
    strcpy(u.msisdn, "4900");
    assert_int_equal(g5_store_sub_update(st, &u, G5_SUB_F_MSISDN, NULL), 0);
    assert_int_equal(g5_store_kv_put(st, "x", (const uint8_t *)"y", 1, false), 0);
    g5_store_close(st);
    /* reopening is a no-op */
    st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    g5_store_close(st);
    assert_int_equal(query_int(e.db, "SELECT count(*) FROM schema_history"),
                     g5_sqlite_schema_version);
    assert_int_equal(query_int(e.db, "SELECT count(*) FROM subscriber WHERE msisdn = '4900'"), 1);
    t_env_free(&e);
}

/* The schema built by migrating equals the schema of a fresh database. */
static void test_migrated_schema_equals_fresh_schema(void **state)
{
    (void)state;
    t_env a, b;
    char err[512];
    t_env_init(&a);
    t_env_init(&b);
    make_v1_db(&a);
    g5_store *st = t_open(&a, err, sizeof err);
    assert_non_null(st);
    g5_store_close(st);
    st = t_open(&b, err, sizeof err);
    assert_non_null(st);
    g5_store_close(st);
    static const char sql[] =
        "SELECT group_concat(name || ':' || sql, ';') FROM (SELECT name, sql FROM sqlite_schema"
        " ORDER BY name)";
    sqlite3 *h1, *h2;
    sqlite3_stmt *q1, *q2;
    assert_int_equal(sqlite3_open(a.db, &h1), SQLITE_OK);
    assert_int_equal(sqlite3_open(b.db, &h2), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h1, sql, -1, &q1, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h2, sql, -1, &q2, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q1), SQLITE_ROW);
    assert_int_equal(sqlite3_step(q2), SQLITE_ROW);
    assert_string_equal(sqlite3_column_text(q1, 0), sqlite3_column_text(q2, 0));
    sqlite3_finalize(q1);
    sqlite3_finalize(q2);
    sqlite3_close(h1);
    sqlite3_close(h2);
    assert_int_equal(query_int(b.db, "SELECT count(*) FROM sqlite_schema WHERE name = 'kv'"), 1);
    t_env_free(&a);
    t_env_free(&b);
}

static void test_newer_schema_is_refused_untouched(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    g5_store_close(st);
    exec_sql(e.db, "PRAGMA user_version=99");
    assert_null(t_open(&e, err, sizeof err));
    assert_non_null(strstr(err, "schema version 99 is newer than this glass5g knows"));
    assert_int_equal(query_int(e.db, "PRAGMA user_version"), 99);
    t_env_free(&e);
}

static void test_wal_mode_and_not_a_database(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    g5_store_close(st);
    assert_int_equal(query_int(e.db, "SELECT count(*) FROM pragma_journal_mode WHERE "
                                     "journal_mode = 'wal'"),
                     1);
    /* a file that is not SQLite: a clear error, not a crash */
    FILE *f = fopen(e.db, "wb");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database file. ", f);
    fclose(f);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", e.db);
    unlink(wal);
    assert_null(t_open(&e, err, sizeof err));
    assert_non_null(strstr(err, e.db));
    /* asking for a database that does not exist without create */
    g5_store_params p = {.path = "/nonexistent/dir/x.db", .key_file = e.key};
    assert_int_equal(g5_store_open(&p, &st, err, sizeof err), G5_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "does not exist"));
    t_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_database_is_migrated_with_data),
        cmocka_unit_test(test_migrated_schema_equals_fresh_schema),
        cmocka_unit_test(test_newer_schema_is_refused_untouched),
        cmocka_unit_test(test_wal_mode_and_not_a_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
