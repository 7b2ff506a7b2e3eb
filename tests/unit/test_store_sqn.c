/* SQN management (TS 33.102 Annex C, profile C.3: SQN = SEQ(43) || IND(5)): the step and
 * resync rules against values worked out by hand from the Annex, monotonicity over many
 * vectors, and atomicity: two connections (threads) and two processes generating vectors
 * for the same subscriber at once never get the same SQN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sys/wait.h>

#include "core/err.h"
#include "store/sqn.h"
#include "store_test_util.h"

static void test_step_and_resync_rules(void **state)
{
    (void)state;
    uint64_t v;
    /* C.3.2: SEQ + 1, IND + 1 mod 32. From SQN_HE 0: SEQ 1, IND 1 = 0x21. */
    assert_int_equal(g5_sqn_step(0, &v), 0);
    assert_true(v == 0x21);
    assert_int_equal(g5_sqn_step(0x21, &v), 0);
    assert_true(v == 0x42);
    /* IND wraps 31 -> 0 while SEQ keeps counting: SEQ 5, IND 31 -> SEQ 6, IND 0 */
    assert_int_equal(g5_sqn_step((5 << 5) | 31, &v), 0);
    assert_true(v == (6 << 5));
    /* TS 35.208 test set 1 SQN ff9bb4d0b607: SEQ 0x7fcdda685b0, IND 7 */
    uint64_t t1 = 0xff9bb4d0b607ULL;
    assert_true(g5_sqn_seq(t1) == 0x7fcdda685b0ULL && g5_sqn_ind(t1) == 7);
    assert_int_equal(g5_sqn_step(t1, &v), 0);
    assert_true(v == 0xff9bb4d0b628ULL);
    /* SEQ exhausted: refuse rather than wrap */
    assert_int_equal(g5_sqn_step(G5_SQN_MAX, &v), G5_ERR_LIMIT);

    /* resync, §6.3.5: HE behind the USIM -> SEQ_HE := SEQ_MS, IND_HE kept */
    assert_int_equal(g5_sqn_resync_value(g5_sqn_make(10, 3), g5_sqn_make(500, 9), &v), 0);
    assert_true(v == g5_sqn_make(500, 3));
    assert_int_equal(g5_sqn_step(v, &v), 0);
    assert_true(g5_sqn_seq(v) == 501); /* next vector fresh: SEQ > SEQ_MS */
    /* HE ahead within Δ: SQN_HE + 1 is acceptable, keep it (never go backwards) */
    assert_int_equal(g5_sqn_resync_value(g5_sqn_make(600, 4), g5_sqn_make(500, 9), &v), 0);
    assert_true(v == g5_sqn_make(600, 4));
    /* HE equal to the USIM: next SEQ is SEQ_MS + 1, fine */
    assert_int_equal(g5_sqn_resync_value(g5_sqn_make(500, 4), g5_sqn_make(500, 9), &v), 0);
    assert_true(v == g5_sqn_make(500, 4));
    /* HE more than Δ = 2^28 ahead: the USIM would reject, reset to SEQ_MS */
    uint64_t far = g5_sqn_make(500 + G5_SQN_DELTA, 4);
    assert_int_equal(g5_sqn_resync_value(far, g5_sqn_make(500, 9), &v), 0);
    assert_true(v == g5_sqn_make(500, 4));
    assert_int_equal(g5_sqn_resync_value(0, G5_SQN_MAX + 1, &v), G5_ERR_INVALID);
}

static void test_monotonic_and_resync_in_store(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_non_null(st);
    g5_subscriber s, g;
    t_sub(&s, 1);
    assert_int_equal(g5_store_sub_put(st, &s), 0);
    uint64_t prev = 0, v = 0;
    for (int i = 1; i <= 1000; i++) {
        assert_int_equal(g5_sqn_next(st, s.supi, &v), 0);
        assert_true(g5_sqn_seq(v) == (uint64_t)i);
        assert_true(g5_sqn_ind(v) == (unsigned)(i % 32));
        assert_true(v > prev || g5_sqn_seq(v) > g5_sqn_seq(prev));
        prev = v;
    }
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
    assert_true(g.sqn == v); /* stored SQN_HE is the last issued */
    assert_memory_equal(g.k, s.k, 16);

    uint64_t he;
    assert_int_equal(g5_sqn_resync(st, s.supi, g5_sqn_make(1000000, 0), &he), 0);
    assert_true(g5_sqn_seq(he) == 1000000);
    assert_int_equal(g5_sqn_next(st, s.supi, &v), 0);
    assert_true(g5_sqn_seq(v) == 1000001);
    /* a stale resync (USIM behind) does not move SQN_HE back */
    assert_int_equal(g5_sqn_resync(st, s.supi, g5_sqn_make(5, 0), &he), 0);
    assert_true(he == v);

    assert_int_equal(g5_sqn_next(st, "imsi-001010000000404", &v), G5_ERR_NOT_FOUND);
    /* an exhausted SEQ is refused and the stored value is left alone */
    g5_subscriber u = s;
    u.sqn = G5_SQN_MAX;
    assert_int_equal(g5_store_sub_update(st, &u, G5_SUB_F_SQN, NULL), 0);
    assert_int_equal(g5_sqn_next(st, s.supi, &v), G5_ERR_LIMIT);
    assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
    assert_true(g.sqn == G5_SQN_MAX);
    g5_store_close(st);
    t_env_free(&e);
}

#define PER_WORKER 600

typedef struct worker {
    const t_env *env;
    uint64_t got[PER_WORKER];
    int rc;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    char err[512];
    g5_store *st = t_open(w->env, err, sizeof err); /* its own connection */
    if (!st) {
        w->rc = -100;
        return NULL;
    }
    for (int i = 0; i < PER_WORKER && w->rc == 0; i++)
        w->rc = g5_sqn_next(st, "imsi-001010000000001", &w->got[i]);
    if (w->rc)
        fprintf(stderr, "worker: %s\n", g5_store_errmsg(st));
    g5_store_close(st);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void check_unique(uint64_t *all, size_t n)
{
    qsort(all, n, sizeof *all, cmp_u64);
    for (size_t i = 1; i < n; i++)
        assert_true(g5_sqn_seq(all[i]) != g5_sqn_seq(all[i - 1]));
    assert_true(g5_sqn_seq(all[n - 1]) == n); /* no gaps either: exactly n increments */
}

static void test_two_connections_never_share_an_sqn(void **state)
{
    (void)state;
    t_env e;
    char err[512];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    g5_subscriber s;
    t_sub(&s, 1);
    assert_int_equal(g5_store_sub_put(st, &s), 0);
    static worker w[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].env = &e;
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    /* the main connection reads (and lists) meanwhile: readers never block the writers */
    g5_subscriber g, page[4];
    size_t n;
    for (int i = 0; i < 200; i++) {
        assert_int_equal(g5_store_sub_get(st, s.supi, &g), 0);
        assert_int_equal(g5_store_sub_list(st, 0, 4, page, &n, NULL), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(w[0].rc, 0);
    assert_int_equal(w[1].rc, 0);
    static uint64_t all[2 * PER_WORKER];
    memcpy(all, w[0].got, sizeof w[0].got);
    memcpy(all + PER_WORKER, w[1].got, sizeof w[1].got);
    check_unique(all, 2 * PER_WORKER);
    g5_store_close(st);
    t_env_free(&e);
}

static void test_two_processes_never_share_an_sqn(void **state)
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
    char out[2][160];
    pid_t pid[2];
    for (int p = 0; p < 2; p++) {
        snprintf(out[p], sizeof out[p], "%s/sqn.%d", e.dir, p);
        pid[p] = fork();
        assert_true(pid[p] >= 0);
        if (pid[p] == 0) {
            static worker w;
            w.env = &e;
            worker_main(&w);
            FILE *f = fopen(out[p], "wb");
            if (!f || w.rc || fwrite(w.got, sizeof w.got, 1, f) != 1)
                _exit(1);
            fclose(f);
            _exit(0);
        }
    }
    static uint64_t all[2 * PER_WORKER];
    for (int p = 0; p < 2; p++) {
        int status;
        assert_int_equal(waitpid(pid[p], &status, 0), pid[p]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        FILE *f = fopen(out[p], "rb");
        assert_non_null(f);
        assert_int_equal(fread(all + p * PER_WORKER, sizeof(uint64_t), PER_WORKER, f), PER_WORKER);
        fclose(f);
    }
    check_unique(all, 2 * PER_WORKER);
    t_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_and_resync_rules),
        cmocka_unit_test(test_monotonic_and_resync_in_store),
        cmocka_unit_test(test_two_connections_never_share_an_sqn),
        cmocka_unit_test(test_two_processes_never_share_an_sqn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
