/* Token bucket that paces procedure starts (load mode `--rate R`).
 *
 * Credit accrues at `rate` tokens per second of the caller's clock, up to `burst` tokens;
 * each started procedure takes one token. The clock is a parameter (nanoseconds), so the
 * launcher passes the monotonic clock and tests pass a simulated one. Credit is kept in
 * nano-tokens (integer), so no rounding drifts over a long run.
 */
#ifndef G5_SIM_TBUCKET_H
#define G5_SIM_TBUCKET_H

#include <stdint.h>

typedef struct sim_tbucket {
    uint64_t rate; /* tokens per second, >= 1 */
    uint64_t burst; /* maximum tokens held, >= 1 */
    uint64_t credit; /* nano-tokens: 1 token = 1e9 */
    uint64_t last_ns;
} sim_tbucket;

/* Starts empty at now_ns (no initial burst, so a run begins at the configured rate). */
void sim_tbucket_init(sim_tbucket *tb, uint64_t rate, uint64_t burst, uint64_t now_ns);
/* Takes up to `want` tokens available at now_ns; returns how many were taken. */
uint64_t sim_tbucket_take(sim_tbucket *tb, uint64_t now_ns, uint64_t want);

#endif
