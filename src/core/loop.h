/* Event loop glue. glass5g uses libuv (see docs/event-loop.md for why): one uv_loop_t per
 * thread, no locks on the hot path. This header adds one-shot millisecond timers shaped for
 * 3GPP procedure timers (T3510, T3550, T3560, T3570, ...) and a monotonic clock. */
#ifndef G5_CORE_LOOP_H
#define G5_CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

typedef struct g5_timer g5_timer;
typedef void (*g5_timer_fn)(g5_timer *t, void *arg);

/* Creates a stopped timer on loop. Returns NULL on allocation failure. */
g5_timer *g5_timer_new(uv_loop_t *loop, g5_timer_fn fn, void *arg);
/* (Re)starts the timer to fire once after ms milliseconds. */
void g5_timer_start(g5_timer *t, uint64_t ms);
void g5_timer_stop(g5_timer *t);
bool g5_timer_active(const g5_timer *t);
/* How many times the timer has fired since the last g5_timer_reset_count (retry counters). */
unsigned g5_timer_count(const g5_timer *t);
void g5_timer_reset_count(g5_timer *t);
/* Stops and frees the timer; safe to call from the timer's own callback. NULL is a no-op. */
void g5_timer_free(g5_timer *t);

/* Monotonic clock in nanoseconds / milliseconds (CLOCK_MONOTONIC). */
uint64_t g5_clock_ns(void);
static inline uint64_t g5_clock_ms(void)
{
    return g5_clock_ns() / 1000000u;
}

/* Runs the loop until it has no active handles, or until g5_loop_stop() is called from a
 * callback or a signal (SIGINT/SIGTERM when g5_loop_handle_signals was called). */
int g5_loop_run(uv_loop_t *loop);
void g5_loop_handle_signals(uv_loop_t *loop);

#endif
