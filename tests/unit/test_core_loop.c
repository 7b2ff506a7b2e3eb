/* Timers: millisecond one-shots that fire once, restart, stop, and free themselves from
 * their own callback (the pattern NAS retransmission timers use). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"

struct ctx {
    int fired;
    uint64_t at_ms;
    g5_timer *other;
};

static void on_fire(g5_timer *t, void *arg)
{
    struct ctx *c = arg;
    c->fired++;
    c->at_ms = g5_clock_ms();
    (void)t;
}

static void test_one_shot_fires_once_after_delay(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct ctx c = {0};
    g5_timer *t = g5_timer_new(&loop, on_fire, &c);
    uint64_t start = g5_clock_ms();
    g5_timer_start(t, 30);
    assert_true(g5_timer_active(t));
    uv_run(&loop, UV_RUN_DEFAULT); /* returns: timer is one-shot */
    assert_int_equal(c.fired, 1);
    assert_true(c.at_ms - start >= 29);
    assert_false(g5_timer_active(t));
    assert_int_equal(g5_timer_count(t), 1);
    g5_timer_free(t);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* T3550-style: retransmit up to 4 times then give up, freeing from the callback. */
static void on_retx(g5_timer *t, void *arg)
{
    struct ctx *c = arg;
    c->fired++;
    if (g5_timer_count(t) < 5)
        g5_timer_start(t, 5);
    else
        g5_timer_free(t);
}

static void test_retry_then_free_in_callback(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct ctx c = {0};
    g5_timer *t = g5_timer_new(&loop, on_retx, &c);
    g5_timer_start(t, 5);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(c.fired, 5);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_stop_prevents_firing(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct ctx c = {0};
    g5_timer *t = g5_timer_new(&loop, on_fire, &c);
    g5_timer_start(t, 10);
    g5_timer_stop(t);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(c.fired, 0);
    g5_timer_free(t);
    g5_timer_free(NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

struct logcap {
    int n;
    char last[256];
};

static void sink(void *arg, enum g5_log_level lvl, const char *module, const char *line)
{
    struct logcap *lc = arg;
    (void)lvl;
    (void)module;
    lc->n++;
    snprintf(lc->last, sizeof lc->last, "%s", line);
}

static void test_log_levels_and_modules(void **state)
{
    (void)state;
    struct logcap lc = {0};
    g5_log_set_sink(sink, &lc);
    g5_log_set_level(G5_LOG_INFO);
    g5_log(G5_LOG_DEBUG, "amf", "hidden");
    assert_int_equal(lc.n, 0);
    g5_log(G5_LOG_INFO, "amf", "shown %d", 7);
    assert_int_equal(lc.n, 1);
    assert_string_equal(lc.last, "shown 7");
    assert_int_equal(g5_log_set_module_level("ngap", G5_LOG_DEBUG), 0);
    g5_log(G5_LOG_DEBUG, "ngap", "dbg");
    assert_int_equal(lc.n, 2);
    g5_log(G5_LOG_DEBUG, "amf", "still hidden");
    assert_int_equal(lc.n, 2);
    assert_int_equal(g5_log_level_parse("warn"), G5_LOG_WARN);
    assert_int_equal(g5_log_level_parse("nope"), -1);
    g5_log_set_sink(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_shot_fires_once_after_delay),
        cmocka_unit_test(test_retry_then_free_in_callback),
        cmocka_unit_test(test_stop_prevents_firing),
        cmocka_unit_test(test_log_levels_and_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
