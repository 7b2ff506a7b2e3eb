/* Group commit of SQN increments (g5_store_sqn_update_batch, g5_sqn_op_*): many vectors,
 * one transaction, one durable commit. Checked here:
 *   - each op gets the value TS 33.102 C.3.2 gives (worked out by hand), ops on the same
 *     SUPI in array order, and an op's own failure (unknown SUPI, malformed SUPI, SEQ
 *     exhausted) leaves the others committed and its own row untouched;
 *   - resync-then-next in one op equals g5_sqn_resync followed by g5_sqn_next;
 *   - when the transaction cannot commit (write lock held elsewhere) the batch fails
 *     whole: every op reports the error and no row changed;
 *   - values returned by a batch are on disk when the call returns: a child process that
 *     runs a batch and dies without closing the store leaves them stored;
 *   - a batching connection and a single-op connection on the same subscriber never
 *     issue the same SEQ and leave no gaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "core/err.h"
#include "store/sqn.h"
#include "store_test_util.h"

static g5_store *open_with(const t_env *e, int busy_ms)
{
    g5_store_params p = {
        .path = e->db, .key_file = e->key, .create = true, .busy_timeout_ms = busy_ms};
    g5_store *st = NULL;
    char err[512];
    if (g5_store_open(&p, &st, err, sizeof err))
        fprintf(stderr, "%s\n", err);
    return st;
}

static void put_subs(g5_store *st, unsigned n)
{
    for (unsigned i = 1; i <= n; i++) {
        g5_subscriber s;
        t_sub(&s, i);
        assert_int_equal(g5_store_sub_put(st, &s), 0);
    }
}

static uint64_t stored_sqn(g5_store *st, unsigned n)
{
    g5_subscriber s, g;
    t_sub(&s, n);
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
    g5_subscriber_wipe(&g);
    return g.sqn;
}

static void test_batch_results(void **state)
{
    (void)state;
    t_env e;
    t_env_init(&e);
    g5_store *st = open_with(&e, 0);
    assert_non_null(st);
    put_subs(st, 3);
    g5_subscriber s3;
    t_sub(&s3, 3);
    s3.sqn = G5_SQN_MAX; /* SEQ exhausted */
    assert_int_equal(g5_store_sub_update(st, &s3, G5_SUB_F_SQN, NULL), 0);

    g5_sqn_op ops[7];
    g5_sqn_op_next(&ops[0], "imsi-001010000000001");
    g5_sqn_op_next(&ops[1], "imsi-001010000000002");
    g5_sqn_op_next(&ops[2], "imsi-001010000000001"); /* same SUPI again: next SEQ */
    g5_sqn_op_next(&ops[3], "imsi-001010000000404"); /* unknown */
    g5_sqn_op_next(&ops[4], "imsi-12"); /* malformed */
    g5_sqn_op_next(&ops[5], "imsi-001010000000003"); /* exhausted */
    g5_sqn_op_next(&ops[6], "imsi-001010000000002"); /* after the failures: still counts */
    assert_int_equal(g5_store_sqn_update_batch(st, ops, 7), 0);
    /* C.3.2 from SQN_HE 0: SEQ 1 IND 1 = 0x21, then SEQ 2 IND 2 = 0x42 */
    assert_int_equal(ops[0].rc, 0);
    assert_true(ops[0].new_sqn == 0x21);
    assert_int_equal(ops[1].rc, 0);
    assert_true(ops[1].new_sqn == 0x21);
    assert_int_equal(ops[2].rc, 0);
    assert_true(ops[2].new_sqn == 0x42);
    assert_int_equal(ops[3].rc, G5_ERR_NOT_FOUND);
    assert_int_equal(ops[4].rc, G5_ERR_INVALID);
    assert_int_equal(ops[5].rc, G5_ERR_LIMIT);
    assert_int_equal(ops[6].rc, 0);
    assert_true(ops[6].new_sqn == 0x42);
    assert_true(stored_sqn(st, 1) == 0x42);
    assert_true(stored_sqn(st, 2) == 0x42);
    assert_true(stored_sqn(st, 3) == G5_SQN_MAX);

    /* resync then next in one op == g5_sqn_resync + g5_sqn_next on another subscriber */
    g5_subscriber s4;
    t_sub(&s4, 4);
    assert_int_equal(g5_store_sub_put(st, &s4), 0);
    uint64_t ms = g5_sqn_make(5000, 17), he, single;
    assert_int_equal(g5_sqn_resync(st, s4.supi, ms, &he), 0);
    assert_int_equal(g5_sqn_next(st, s4.supi, &single), 0);
    g5_sqn_op_resync_next(&ops[0], "imsi-001010000000002", ms);
    assert_int_equal(g5_store_sqn_update_batch(st, ops, 1), 0);
    assert_int_equal(ops[0].rc, 0);
    /* SEQ_HE := SEQ_MS = 5000 with IND_HE kept (2), then SEQ 5001 IND 3 */
    assert_true(ops[0].new_sqn == g5_sqn_make(5001, 3));
    assert_true(g5_sqn_seq(single) == 5001);
    /* an empty batch is a no-op */
    assert_int_equal(g5_store_sqn_update_batch(st, ops, 0), 0);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_batch_fails_whole_when_it_cannot_commit(void **state)
{
    (void)state;
    t_env e;
    t_env_init(&e);
    g5_store *st = open_with(&e, 50);
    assert_non_null(st);
    put_subs(st, 2);
    sqlite3 *db; /* another writer holds the write lock */
    assert_int_equal(sqlite3_open(e.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    g5_sqn_op ops[2];
    g5_sqn_op_next(&ops[0], "imsi-001010000000001");
    g5_sqn_op_next(&ops[1], "imsi-001010000000002");
    assert_int_equal(g5_store_sqn_update_batch(st, ops, 2), G5_ERR_AGAIN);
    assert_int_equal(ops[0].rc, G5_ERR_AGAIN);
    assert_int_equal(ops[1].rc, G5_ERR_AGAIN);
    assert_non_null(strstr(g5_store_errmsg(st), "BEGIN"));
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_true(stored_sqn(st, 1) == 0 && stored_sqn(st, 2) == 0);
    /* and the handle is usable afterwards */
    assert_int_equal(g5_store_sqn_update_batch(st, ops, 2), 0);
    assert_true(stored_sqn(st, 1) == 0x21 && stored_sqn(st, 2) == 0x21);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_batch_is_durable_when_it_returns(void **state)
{
    (void)state;
    t_env e;
    t_env_init(&e);
    g5_store *st = open_with(&e, 0);
    assert_non_null(st);
    put_subs(st, 8);
    g5_store_close(st);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* runs batches, reports each result, dies without closing */
        g5_store *c = open_with(&e, 0);
        char names[8][G5_SUPI_MAX];
        g5_sqn_op ops[8];
        for (int round = 0; c && round < 5; round++) {
            for (int i = 0; i < 8; i++) {
                snprintf(names[i], sizeof names[i], "imsi-00101%010d", i + 1);
                g5_sqn_op_next(&ops[i], names[i]);
            }
            if (g5_store_sqn_update_batch(c, ops, 8))
                _exit(1);
            for (int i = 0; i < 8; i++)
                if (write(fds[1], &ops[i].new_sqn, sizeof ops[i].new_sqn) < 0)
                    _exit(1);
        }
        _exit(0); /* no close, no checkpoint: as if the process crashed */
    }
    close(fds[1]);
    uint64_t got[40];
    size_t n = 0;
    while (n < 40 && read(fds[0], &got[n], sizeof got[n]) == (ssize_t)sizeof got[n])
        n++;
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(n, 40);
    st = open_with(&e, 0);
    assert_non_null(st);
    for (unsigned i = 1; i <= 8; i++) /* the last value handed out for each is stored */
        assert_true(stored_sqn(st, i) == got[32 + i - 1] && g5_sqn_seq(got[32 + i - 1]) == 5);
    g5_store_close(st);
    t_env_free(&e);
}

#define ROUNDS 40
#define BATCH 16

typedef struct writer {
    const t_env *env;
    bool batch;
    uint64_t got[ROUNDS * BATCH];
    int rc;
} writer;

static void *writer_main(void *arg)
{
    writer *w = arg;
    g5_store *st = open_with(w->env, 0);
    if (!st) {
        w->rc = -100;
        return NULL;
    }
    g5_sqn_op ops[BATCH];
    for (int r = 0; r < ROUNDS && w->rc == 0; r++) {
        if (!w->batch) {
            for (int i = 0; i < BATCH && w->rc == 0; i++)
                w->rc = g5_sqn_next(st, "imsi-001010000000001", &w->got[r * BATCH + i]);
            continue;
        }
        for (int i = 0; i < BATCH; i++)
            g5_sqn_op_next(&ops[i], "imsi-001010000000001");
        w->rc = g5_store_sqn_update_batch(st, ops, BATCH);
        for (int i = 0; i < BATCH && w->rc == 0; i++) {
            w->rc = ops[i].rc;
            w->got[r * BATCH + i] = ops[i].new_sqn;
        }
    }
    g5_store_close(st);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_batch_and_single_connections_never_share_an_sqn(void **state)
{
    (void)state;
    t_env e;
    t_env_init(&e);
    g5_store *st = open_with(&e, 0);
    assert_non_null(st);
    put_subs(st, 1);
    static writer w[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].env = &e;
        w[i].batch = i == 0;
        assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(w[0].rc, 0);
    assert_int_equal(w[1].rc, 0);
    /* within one batch the SEQs are consecutive and increasing */
    for (int i = 1; i < BATCH; i++)
        assert_true(g5_sqn_seq(w[0].got[i]) == g5_sqn_seq(w[0].got[i - 1]) + 1);
    static uint64_t all[2 * ROUNDS * BATCH];
    memcpy(all, w[0].got, sizeof w[0].got);
    memcpy(all + ROUNDS * BATCH, w[1].got, sizeof w[1].got);
    size_t n = 2 * ROUNDS * BATCH;
    qsort(all, n, sizeof *all, cmp_u64);
    for (size_t i = 1; i < n; i++)
        assert_true(g5_sqn_seq(all[i]) == g5_sqn_seq(all[i - 1]) + 1); /* unique, no gaps */
    assert_true(g5_sqn_seq(all[n - 1]) == n && stored_sqn(st, 1) == all[n - 1]);
    g5_store_close(st);
    t_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_results),
        cmocka_unit_test(test_batch_fails_whole_when_it_cannot_commit),
        cmocka_unit_test(test_batch_is_durable_when_it_returns),
        cmocka_unit_test(test_batch_and_single_connections_never_share_an_sqn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
