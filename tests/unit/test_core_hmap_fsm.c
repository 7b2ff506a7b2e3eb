/* Hash map (UE context index) and FSM framework. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/fsm.h"
#include "core/hmap.h"
#include "core/log.h"

static void test_hmap_put_get_del_many(void **state)
{
    (void)state;
    g5_hmap m;
    g5_hmap_init(&m);
    enum { N = 100000 };
    static int vals[N];
    for (int i = 0; i < N; i++)
        assert_int_equal(g5_hmap_put(&m, (uint64_t)i * 7919u, &vals[i]), 0);
    assert_int_equal(g5_hmap_len(&m), N);
    for (int i = 0; i < N; i++)
        assert_ptr_equal(g5_hmap_get(&m, (uint64_t)i * 7919u), &vals[i]);
    assert_null(g5_hmap_get(&m, 1));
    /* delete every other key; the rest must stay reachable (backward shift correctness) */
    for (int i = 0; i < N; i += 2)
        assert_ptr_equal(g5_hmap_del(&m, (uint64_t)i * 7919u), &vals[i]);
    assert_int_equal(g5_hmap_len(&m), N / 2);
    for (int i = 0; i < N; i++)
        assert_ptr_equal(g5_hmap_get(&m, (uint64_t)i * 7919u), (i % 2) ? &vals[i] : NULL);
    assert_null(g5_hmap_del(&m, 0));
    size_t it = 0, count = 0;
    uint64_t k;
    void *v;
    while (g5_hmap_next(&m, &it, &k, &v)) {
        assert_ptr_equal(g5_hmap_get(&m, k), v);
        count++;
    }
    assert_int_equal(count, N / 2);
    /* replace keeps the count */
    assert_int_equal(g5_hmap_put(&m, 7919u, &vals[0]), 0);
    assert_int_equal(g5_hmap_len(&m), N / 2);
    assert_ptr_equal(g5_hmap_get(&m, 7919u), &vals[0]);
    assert_int_equal(g5_hmap_put(&m, 5, NULL), G5_ERR_INVALID);
    g5_hmap_free(&m);
}

static void test_hmap_empty(void **state)
{
    (void)state;
    g5_hmap m;
    g5_hmap_init(&m);
    assert_null(g5_hmap_get(&m, 42));
    assert_null(g5_hmap_del(&m, 42));
    size_t it = 0;
    assert_int_equal(g5_hmap_next(&m, &it, NULL, NULL), 0);
    g5_hmap_free(&m);
}

/* A two-state machine: IDLE --start--> WAIT (T3560 armed) --reply--> IDLE. */
enum { ST_IDLE, ST_WAIT };
enum { EV_START, EV_REPLY };
struct priv {
    int replies, timeouts;
};

static void idle_action(g5_fsm_inst *fi, uint32_t ev, void *data)
{
    (void)ev;
    (void)data;
    g5_fsm_state_chg(fi, ST_WAIT, 10, 3560);
}

static void wait_action(g5_fsm_inst *fi, uint32_t ev, void *data)
{
    (void)ev;
    (void)data;
    ((struct priv *)fi->priv)->replies++;
    g5_fsm_state_chg(fi, ST_IDLE, 0, 0);
}

static bool on_timeout(g5_fsm_inst *fi, int timer_id)
{
    struct priv *p = fi->priv;
    assert_int_equal(timer_id, 3560);
    p->timeouts++;
    return true; /* terminate */
}

static const g5_fsm_state states[] = {
    [ST_IDLE] = {"IDLE", G5_S(EV_START), G5_S(ST_WAIT), idle_action, NULL, NULL},
    [ST_WAIT] = {"WAIT", G5_S(EV_REPLY), G5_S(ST_IDLE), wait_action, NULL, NULL},
};
static const char *const events[] = {"START", "REPLY"};
static const g5_fsm test_fsm = {"test", states, 2, events, 2, on_timeout, "test"};

static void test_fsm_refuses_out_of_state_events(void **state)
{
    (void)state;
    g5_log_set_level(G5_LOG_ERROR);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct priv p = {0};
    g5_fsm_inst *fi = g5_fsm_inst_new(&test_fsm, &loop, &p, "ue-1");
    assert_int_equal(g5_fsm_dispatch(fi, EV_REPLY, NULL), G5_ERR_STATE);
    assert_int_equal(fi->refused, 1);
    assert_int_equal(g5_fsm_dispatch(fi, 63, NULL), G5_ERR_STATE);
    assert_int_equal(g5_fsm_dispatch(fi, 1000, NULL), G5_ERR_STATE);
    assert_int_equal(g5_fsm_dispatch(fi, EV_START, NULL), 0);
    assert_string_equal(g5_fsm_state_name(fi), "WAIT");
    assert_int_equal(g5_fsm_state_chg(fi, ST_WAIT, 0, 0), G5_ERR_STATE); /* not in out mask */
    assert_int_equal(g5_fsm_dispatch(fi, EV_REPLY, NULL), 0);
    assert_int_equal(p.replies, 1);
    assert_string_equal(g5_fsm_state_name(fi), "IDLE");
    /* timer expiry terminates the instance */
    assert_int_equal(g5_fsm_dispatch(fi, EV_START, NULL), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(p.timeouts, 1);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmap_put_get_del_many),
        cmocka_unit_test(test_hmap_empty),
        cmocka_unit_test(test_fsm_refuses_out_of_state_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
