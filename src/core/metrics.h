/* Counters for observability: per-procedure outcomes (registrations accepted/rejected by
 * cause, NG setups, NAS integrity failures, dropped malformed messages...). A counter is a
 * named uint64 registered once and bumped on the event loop thread (relaxed atomics, so a
 * metrics reader on another thread sees consistent values). g5_metrics_dump() writes the
 * Prometheus text exposition format. */
#ifndef G5_CORE_METRICS_H
#define G5_CORE_METRICS_H

#include <stdint.h>
#include <stdio.h>

typedef struct g5_counter {
    const char *name; /* prometheus metric name, e.g. "amf_registration_total" */
    const char *help;
    const char *labels; /* e.g. "result=\"accept\"" or NULL */
    uint64_t value;
    struct g5_counter *next;
} g5_counter;

/* Registers a statically allocated counter (idempotent). */
void g5_counter_register(g5_counter *c);
static inline void g5_counter_inc(g5_counter *c)
{
    __atomic_fetch_add(&c->value, 1, __ATOMIC_RELAXED);
}
static inline void g5_counter_add(g5_counter *c, uint64_t n)
{
    __atomic_fetch_add(&c->value, n, __ATOMIC_RELAXED);
}
static inline uint64_t g5_counter_get(const g5_counter *c)
{
    return __atomic_load_n(&c->value, __ATOMIC_RELAXED);
}
/* Writes every registered counter in Prometheus text format. */
void g5_metrics_dump(FILE *out);

/* Declares and auto-registers a counter at program start. */
#define G5_COUNTER(var, name, help, labels) \
    g5_counter var = {name, help, labels, 0, NULL}; \
    __attribute__((constructor)) static void var##_register(void) \
    { \
        g5_counter_register(&(var)); \
    }

#endif
