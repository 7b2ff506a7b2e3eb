/* UDR group commit (udr_auth_sqn_next_batch): the ProblemDetails each patch gets
 * (TS 29.504 Table 6.1.7.3-1: 404 USER_NOT_FOUND; glass5g's 403 SQN_EXHAUSTED; 400
 * MANDATORY_IE_INCORRECT for a SQN_MS wider than 48 bits or a malformed SUPI), the
 * detail naming the patch's own SUPI (not the store's last message), the SQN values of
 * TS 33.102 C.3.2 / §6.3.5 worked out by hand, and 503 NF_CONGESTION for every patch when
 * the transaction cannot start because another writer holds the database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "core/err.h"
#include "nf/udr/udr.h"
#include "store/sqn.h"
#include "store_test_util.h"

static void test_patch_problems_and_values(void **state)
{
    (void)state;
    t_env e;
    t_env_init(&e);
    g5_store_params p = {.path = e.db, .key_file = e.key, .create = true, .busy_timeout_ms = 50};
    g5_store *st = NULL;
    char err[512];
    assert_int_equal(g5_store_open(&p, &st, err, sizeof err), 0);
    for (unsigned i = 1; i <= 2; i++) {
        g5_subscriber s;
        t_sub(&s, i);
        s.sqn = i == 2 ? G5_SQN_MAX : g5_sqn_make(7, 31);
        assert_int_equal(g5_store_sub_put(st, &s), 0);
    }
    udr *u = udr_new(st);
    assert_non_null(u);
    udr_sqn_patch pa[6] = {
        {.supi = "imsi-001010000000001"},
        {.supi = "imsi-001010000000002"},
        {.supi = "imsi-001010000000404"},
        {.supi = "imsi-001010000000001", .has_resync = true, .sqn_ms = g5_sqn_make(100, 3)},
        {.supi = "imsi-001010000000001", .has_resync = true, .sqn_ms = G5_SQN_MAX + 1},
        {.supi = "imsi-0010100000000"},
    };
    assert_int_equal(udr_auth_sqn_next_batch(u, pa, 6), 0);
    /* SEQ 7 IND 31 -> SEQ 8 IND 0 (IND wraps mod 32, C.3.2) */
    assert_int_equal(pa[0].rc, 0);
    assert_true(pa[0].resp.sqn == g5_sqn_make(8, 0));
    assert_int_equal(pa[1].rc, G5_ERR_LIMIT);
    assert_int_equal(pa[1].pd.status, 403);
    assert_string_equal(pa[1].pd.cause, "SQN_EXHAUSTED");
    assert_non_null(strstr(pa[1].pd.detail, "imsi-001010000000002"));
    assert_int_equal(pa[2].rc, G5_ERR_NOT_FOUND);
    assert_int_equal(pa[2].pd.status, 404);
    assert_string_equal(pa[2].pd.cause, "USER_NOT_FOUND");
    assert_non_null(strstr(pa[2].pd.detail, "imsi-001010000000404"));
    /* resync (§6.3.5): SEQ_HE 8 < SEQ_MS 100 -> SEQ_HE := 100, IND_HE 0 kept; next: 101/1 */
    assert_int_equal(pa[3].rc, 0);
    assert_true(pa[3].resp.sqn == g5_sqn_make(101, 1));
    assert_int_equal(pa[4].rc, G5_ERR_INVALID);
    assert_int_equal(pa[4].pd.status, 400);
    assert_string_equal(pa[4].pd.cause, "MANDATORY_IE_INCORRECT");
    assert_int_equal(pa[5].pd.status, 400);
    g5_subscriber g;
    assert_int_equal(g5_store_sub_get(st, "imsi-001010000000001", &g), 0);
    assert_true(g.sqn == g5_sqn_make(101, 1));
    g5_subscriber_wipe(&g);

    /* the database is locked by another writer: every patch fails with 503, nothing moves */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(e.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(udr_auth_sqn_next_batch(u, pa, 1), G5_ERR_AGAIN);
    assert_int_equal(pa[0].rc, G5_ERR_AGAIN);
    assert_int_equal(pa[0].pd.status, 503);
    assert_string_equal(pa[0].pd.cause, "NF_CONGESTION");
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(g5_store_sub_get(st, "imsi-001010000000001", &g), 0);
    assert_true(g.sqn == g5_sqn_make(101, 1));
    g5_subscriber_wipe(&g);
    assert_int_equal(udr_auth_sqn_next_batch(u, pa, 0), 0);
    udr_free(u);
    g5_store_close(st);
    t_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_problems_and_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
