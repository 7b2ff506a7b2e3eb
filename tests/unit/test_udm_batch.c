/* UDM group commit: the generate-auth-data requests waiting for the worker share one
 * thread-pool job and one durable SQN commit (TS 33.102 C.2: no vector leaves before its
 * SQN is on disk).
 *   - 80 requests for 40 subscribers (two each), an unknown SUPI, a forged resync and a
 *     cancelled request submitted at once: every vector is accepted by a USIM built on
 *     the crypto library, in arrival order (the first request of a SUPI gets the lower
 *     SQN), the failures keep their own causes, the cancelled one never calls back, and
 *     the whole lot takes at most 2 commits (the first request starts alone, the rest
 *     were waiting);
 *   - a resync and ordinary vectors of other subscribers in one batch;
 *   - max_batch = 1 gives one commit per vector (the old behaviour);
 *   - the batch is delivered only after the store holds every SQN it issued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ausf_test_util.h"
#include "store/sqn.h"

#define N_SUBS 40

typedef struct t_req {
    int called;
    int rc;
    udm_auth_info_result res;
    g5_sbi_problem pd;
    uint64_t stored_sqn; /* SQN_HE in the store when the callback ran */
    t_nf *n;
} t_req;

static void on_av(void *arg, int rc, const udm_auth_info_result *res, const g5_sbi_problem *pd)
{
    t_req *q = arg;
    q->called++;
    q->rc = rc;
    if (res) {
        q->res = *res;
        g5_subscriber g; /* durable before delivery: the store already holds it */
        if (g5_store_sub_get(q->n->st, res->supi, &g) == 0)
            q->stored_sqn = g.sqn;
        g5_subscriber_wipe(&g);
    }
    if (pd)
        q->pd = *pd;
}

static uint64_t submit(t_nf *n, const char *id, const udm_resync_info *rs, t_req *q)
{
    memset(q, 0, sizeof *q);
    q->n = n;
    udm_auth_info_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.supi_or_suci, sizeof req.supi_or_suci, "%s", id);
    snprintf(req.serving_network_name, sizeof req.serving_network_name, "%s", T_SNN);
    if (rs) {
        req.has_resync = true;
        req.resync = *rs;
    }
    uint64_t h = udm_ueau_get(n->udm, &req, on_av, q);
    assert_true(h != 0);
    return h;
}

static void run_all(t_nf *n, t_req *q, size_t count)
{
    int all = 0;
    uint64_t t0 = g5_clock_ms();
    while (!all && g5_clock_ms() - t0 < 20000) {
        uv_run(&n->loop, UV_RUN_NOWAIT);
        all = 1;
        for (size_t i = 0; i < count; i++)
            all &= q[i].called == 1;
        if (!all)
            usleep(50);
    }
    assert_true(all);
}

static uint64_t av_sqn(t_usim *u, const t_req *q)
{
    uint8_t res_star[16], kausf[32];
    assert_int_equal(
        t_usim_auth(u, q->res.rand, q->res.autn, T_SNN, res_star, kausf, NULL, NULL, NULL, NULL),
        T_USIM_OK);
    assert_memory_equal(res_star, q->res.xres_star, 16);
    assert_memory_equal(kausf, q->res.kausf, 32);
    return u->sqn_ms;
}

static void test_many_vectors_few_commits(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    static g5_subscriber s[N_SUBS];
    static t_usim u[N_SUBS];
    for (unsigned i = 0; i < N_SUBS; i++) {
        assert_int_equal(t_provision(&n, i + 1, G5_AUTH_5G_AKA, &s[i]), 0);
        t_usim_from(&u[i], &s[i]);
    }
    static t_req q[2 * N_SUBS + 3];
    for (unsigned i = 0; i < 2 * N_SUBS; i++)
        submit(&n, s[i % N_SUBS].supi, NULL, &q[i]);
    submit(&n, "imsi-001019999999999", NULL, &q[2 * N_SUBS]);
    udm_resync_info forged;
    memset(&forged, 0x5a, sizeof forged);
    submit(&n, s[0].supi, &forged, &q[2 * N_SUBS + 1]);
    t_req cancelled;
    uint64_t h = submit(&n, s[1].supi, NULL, &cancelled);
    assert_int_equal(udm_cancel(n.udm, h), 0);
    run_all(&n, q, 2 * N_SUBS + 2);
    t_spin(&n);
    assert_int_equal(cancelled.called, 0);

    for (unsigned i = 0; i < 2 * N_SUBS; i++) { /* in arrival order: each is fresh */
        assert_int_equal(q[i].rc, 0);
        assert_string_equal(q[i].res.supi, s[i % N_SUBS].supi);
        uint64_t sqn = av_sqn(&u[i % N_SUBS], &q[i]);
        assert_true(q[i].stored_sqn >= sqn); /* on disk before the callback */
    }
    assert_int_equal(q[2 * N_SUBS].pd.status, 404);
    assert_string_equal(q[2 * N_SUBS].pd.cause, "USER_NOT_FOUND");
    assert_int_equal(q[2 * N_SUBS + 1].pd.status, 403);
    assert_string_equal(q[2 * N_SUBS + 1].pd.cause, "AUTHENTICATION_REJECTED");

    udm_stats st;
    udm_get_stats(n.udm, &st);
    assert_true(st.sqn_vectors == 2 * N_SUBS);
    assert_true(st.sqn_commits >= 1 && st.sqn_commits <= 2);
    assert_true(st.max_seen >= 2 * N_SUBS);
    /* exactly two SEQs used per subscriber: the cancelled request consumed none */
    for (unsigned i = 0; i < N_SUBS; i++) {
        g5_subscriber g;
        assert_int_equal(g5_store_sub_get(n.st, s[i].supi, &g), 0);
        assert_true(g5_sqn_seq(g.sqn) == 2);
        g5_subscriber_wipe(&g);
    }
    t_nf_down(&n);
}

/* A USIM far ahead resynchronises while other subscribers' vectors share the commit. */
static void test_resync_inside_a_batch(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s[4];
    t_usim u[4];
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(t_provision(&n, 50 + i, G5_AUTH_5G_AKA, &s[i]), 0);
        t_usim_from(&u[i], &s[i]);
    }
    u[0].sqn_ms = 0x0000abcdef00ull;
    t_req q[5];
    submit(&n, s[0].supi, NULL, &q[0]);
    run_all(&n, q, 1);
    udm_resync_info rs;
    memcpy(rs.rand, q[0].res.rand, 16);
    assert_int_equal(t_usim_auth(&u[0], q[0].res.rand, q[0].res.autn, T_SNN, NULL, NULL, NULL, NULL,
                                 NULL, rs.auts),
                     T_USIM_SYNC_FAIL);
    submit(&n, s[1].supi, NULL, &q[0]); /* occupies the worker: the rest wait together */
    submit(&n, s[0].supi, &rs, &q[1]);
    submit(&n, s[2].supi, NULL, &q[2]);
    submit(&n, s[0].supi, NULL, &q[3]); /* after the resync, in the same commit */
    submit(&n, s[3].supi, NULL, &q[4]);
    run_all(&n, q, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(q[i].rc, 0);
    assert_true(av_sqn(&u[1], &q[0]) > 0);
    assert_true(av_sqn(&u[0], &q[1]) > 0x0000abcdef00ull);
    av_sqn(&u[2], &q[2]);
    av_sqn(&u[0], &q[3]);
    av_sqn(&u[3], &q[4]);
    t_nf_down(&n);
}

static void test_max_batch_one(void **state)
{
    (void)state;
    t_nf n;
    udm_config cfg = {.max_batch = 1};
    assert_int_equal(t_nf_up(&n, &cfg, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 9, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    t_req q[10];
    for (int i = 0; i < 10; i++)
        submit(&n, s.supi, NULL, &q[i]);
    run_all(&n, q, 10);
    for (int i = 0; i < 10; i++)
        av_sqn(&u, &q[i]);
    udm_stats st;
    udm_get_stats(n.udm, &st);
    assert_true(st.sqn_commits == 10 && st.sqn_vectors == 10 && st.max_seen == 1);
    t_nf_down(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_vectors_few_commits),
        cmocka_unit_test(test_resync_inside_a_batch),
        cmocka_unit_test(test_max_batch_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
