#include "core/loop.h"

#include <stdlib.h>
#include <time.h>

struct g5_timer {
    uv_timer_t h;
    g5_timer_fn fn;
    void *arg;
    unsigned fired;
};

static void on_uv_timer(uv_timer_t *h)
{
    g5_timer *t = (g5_timer *)h;
    t->fired++;
    t->fn(t, t->arg);
}

g5_timer *g5_timer_new(uv_loop_t *loop, g5_timer_fn fn, void *arg)
{
    g5_timer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (uv_timer_init(loop, &t->h) != 0) {
        free(t);
        return NULL;
    }
    t->fn = fn;
    t->arg = arg;
    return t;
}

void g5_timer_start(g5_timer *t, uint64_t ms)
{
    /* libuv counts from the loop's cached time (start of the iteration); a procedure timer
     * must run from now, or it fires early by however long the iteration has taken. */
    uv_update_time(t->h.loop);
    uv_timer_start(&t->h, on_uv_timer, ms, 0);
}

void g5_timer_stop(g5_timer *t)
{
    uv_timer_stop(&t->h);
}

bool g5_timer_active(const g5_timer *t)
{
    return uv_is_active((const uv_handle_t *)&t->h);
}

unsigned g5_timer_count(const g5_timer *t)
{
    return t->fired;
}
void g5_timer_reset_count(g5_timer *t)
{
    t->fired = 0;
}

static void on_close_free(uv_handle_t *h)
{
    free(h);
}

void g5_timer_free(g5_timer *t)
{
    if (!t)
        return;
    uv_timer_stop(&t->h);
    uv_close((uv_handle_t *)&t->h, on_close_free);
}

uint64_t g5_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)signum;
    uv_stop(s->loop);
}

void g5_loop_handle_signals(uv_loop_t *loop)
{
    static uv_signal_t sint, sterm;
    uv_signal_init(loop, &sint);
    uv_signal_init(loop, &sterm);
    uv_signal_start(&sint, on_signal, SIGINT);
    uv_signal_start(&sterm, on_signal, SIGTERM);
    uv_unref((uv_handle_t *)&sint);
    uv_unref((uv_handle_t *)&sterm);
}

int g5_loop_run(uv_loop_t *loop)
{
    return uv_run(loop, UV_RUN_DEFAULT);
}
