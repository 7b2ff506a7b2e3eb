/* What every in-process SBI service (Nudm_*, Nausf_*) shares: ProblemDetails and the
 * deferred-completion queue that makes every service call asynchronous.
 *
 * The async convention (docs/ausf-udm.md): a service call copies its request, returns a
 * request id (0 = not started: out of memory or bad arguments, no callback will come) and
 * the completion callback is ALWAYS invoked later from the libuv loop, never inside the
 * call. So a caller's state machine never sees re-entrancy, and an HTTP/2 transport can
 * later replace the in-process path without changing callers. `<nf>_cancel(id)` before
 * completion guarantees the callback never fires; cancelling an id that has completed is
 * a harmless no-op (ids are never reused).
 *
 * g5_sbi_queue is the mechanism: jobs posted to it run on the next loop iteration through
 * a zero-timeout timer owned by the NF. Not thread-safe: one queue per event loop. */
#ifndef G5_NF_NF_SBI_H
#define G5_NF_NF_SBI_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "core/loop.h"

/* ProblemDetails (TS 29.571 §5.2.4.1), reduced to what callers act on. */
typedef struct g5_sbi_problem {
    int status; /* HTTP status code */
    char cause[40]; /* application error (TS 29.503 Table 6.1.7.3-1 / 6.3.7.3-1, TS 29.509) */
    char detail[200]; /* for logs; never contains secret values */
} g5_sbi_problem;

void g5_sbi_problem_set(g5_sbi_problem *pd, int status, const char *cause, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct g5_sbi_job g5_sbi_job;
/* Runs a job. discard = true when the queue is being destroyed: free, do not call back. */
typedef void (*g5_sbi_job_fn)(g5_sbi_job *job, bool discard);

struct g5_sbi_job {
    g5_sbi_job *next;
    g5_sbi_job_fn fn;
};

typedef struct g5_sbi_queue {
    g5_timer *timer;
    g5_sbi_job *head, *tail;
} g5_sbi_queue;

int g5_sbi_queue_init(g5_sbi_queue *q, uv_loop_t *loop);
/* Queues job (embedded in the caller's request); fn runs on the next loop iteration. */
void g5_sbi_queue_post(g5_sbi_queue *q, g5_sbi_job *job, g5_sbi_job_fn fn);
/* Discards pending jobs (fn(job, true)) and releases the timer (closed on the next loop
 * run, so run the loop once more before uv_loop_close). */
void g5_sbi_queue_fini(g5_sbi_queue *q);

/* "imsi-<15 digits>" -> the digits as a number (hash map key); 0 if not that form. */
uint64_t g5_sbi_supi_key(const char *supi);

#endif
