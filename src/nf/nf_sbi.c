/* Deferred completions and ProblemDetails shared by the in-process SBI services
 * (nf_sbi.h). A zero-timeout one-shot timer drains the job list once per loop iteration;
 * jobs posted while draining (a completion that starts the next request) wait for the
 * next iteration, so no callback ever runs inside the call that caused it. */
#include "nf/nf_sbi.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

void g5_sbi_problem_set(g5_sbi_problem *pd, int status, const char *cause, const char *fmt, ...)
{
    if (!pd)
        return;
    pd->status = status;
    snprintf(pd->cause, sizeof pd->cause, "%s", cause);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pd->detail, sizeof pd->detail, fmt, ap);
    va_end(ap);
}

static void on_drain(g5_timer *t, void *arg)
{
    (void)t;
    g5_sbi_queue *q = arg;
    g5_sbi_job *j = q->head;
    q->head = q->tail = NULL;
    while (j) {
        g5_sbi_job *next = j->next;
        j->next = NULL;
        j->fn(j, false);
        j = next;
    }
}

int g5_sbi_queue_init(g5_sbi_queue *q, uv_loop_t *loop)
{
    memset(q, 0, sizeof *q);
    q->timer = g5_timer_new(loop, on_drain, q);
    return q->timer ? 0 : G5_ERR_NOMEM;
}

void g5_sbi_queue_post(g5_sbi_queue *q, g5_sbi_job *job, g5_sbi_job_fn fn)
{
    job->fn = fn;
    job->next = NULL;
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    if (!g5_timer_active(q->timer))
        g5_timer_start(q->timer, 0);
}

void g5_sbi_queue_fini(g5_sbi_queue *q)
{
    g5_sbi_job *j = q->head;
    q->head = q->tail = NULL;
    while (j) {
        g5_sbi_job *next = j->next;
        j->fn(j, true);
        j = next;
    }
    g5_timer_free(q->timer);
    q->timer = NULL;
}

uint64_t g5_sbi_supi_key(const char *supi)
{
    if (!supi || strncmp(supi, "imsi-", 5) != 0)
        return 0;
    uint64_t v = 0;
    int n = 0;
    for (const char *p = supi + 5; *p; p++, n++) {
        if (*p < '0' || *p > '9' || n >= 15)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    /* A leading marker digit keeps "imsi-0…" distinct from shorter SUPIs. */
    return n >= 6 ? v + ((uint64_t)n << 56) : 0;
}
