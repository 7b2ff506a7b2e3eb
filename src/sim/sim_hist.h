/* Latency histogram for procedure steps: log-linear buckets in the style of HdrHistogram.
 *
 * Values (nanoseconds) below 2^(SIM_HIST_SUB_BITS+1) are counted exactly; above that every
 * power-of-two octave is split into 2^SIM_HIST_SUB_BITS equal buckets, so a reported value
 * is within 1/2^SIM_HIST_SUB_BITS (0.78 %) of the true one. Memory is constant (one array
 * of counters, no allocation per sample); recording is a clz, a shift and an increment.
 * Values above SIM_HIST_MAX_NS are counted in the last bucket (max stays exact).
 */
#ifndef G5_SIM_HIST_H
#define G5_SIM_HIST_H

#include <stdint.h>

#define SIM_HIST_SUB_BITS 7
#define SIM_HIST_MAX_BITS 42 /* 2^42 ns = 73 minutes */
#define SIM_HIST_BUCKETS \
    ((1u << SIM_HIST_SUB_BITS) + \
     (SIM_HIST_MAX_BITS - SIM_HIST_SUB_BITS) * (1u << SIM_HIST_SUB_BITS))
#define SIM_HIST_MAX_NS ((UINT64_C(1) << SIM_HIST_MAX_BITS) - 1)

typedef struct sim_hist {
    uint64_t count;
    uint64_t sum; /* for the mean; 2^64 ns is far beyond any run */
    uint64_t min, max; /* exact */
    uint32_t buckets[SIM_HIST_BUCKETS];
} sim_hist;

void sim_hist_reset(sim_hist *h);
void sim_hist_record(sim_hist *h, uint64_t ns);
/* Value at percentile p (0 < p <= 100): the smallest recorded value v such that at least
 * p % of the samples are <= v, to the bucket precision (clamped to [min, max]).
 * 0 when the histogram is empty. */
uint64_t sim_hist_percentile(const sim_hist *h, double p);
static inline uint64_t sim_hist_mean(const sim_hist *h)
{
    return h->count ? h->sum / h->count : 0;
}
/* Adds every sample of src into dst (per-worker histograms merged for a report). */
void sim_hist_merge(sim_hist *dst, const sim_hist *src);

/* Bucket index of a value and the [lo, hi] range a bucket covers (exposed for tests). */
unsigned sim_hist_bucket(uint64_t ns);
void sim_hist_bucket_range(unsigned idx, uint64_t *lo, uint64_t *hi);

#endif
