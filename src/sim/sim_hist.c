/* Log-linear latency histogram (see sim_hist.h for the bucket layout and precision). */
#include "sim/sim_hist.h"

#include <string.h>

#define SUB (1u << SIM_HIST_SUB_BITS)

void sim_hist_reset(sim_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

unsigned sim_hist_bucket(uint64_t ns)
{
    if (ns > SIM_HIST_MAX_NS)
        ns = SIM_HIST_MAX_NS;
    if (ns < SUB)
        return (unsigned)ns;
    unsigned e = 63u - (unsigned)__builtin_clzll(ns); /* ns in [2^e, 2^(e+1)), e >= SUB_BITS */
    unsigned shift = e - SIM_HIST_SUB_BITS;
    return SUB + shift * SUB + (unsigned)((ns >> shift) - SUB);
}

void sim_hist_bucket_range(unsigned idx, uint64_t *lo, uint64_t *hi)
{
    if (idx < SUB) {
        *lo = *hi = idx;
        return;
    }
    unsigned shift = (idx - SUB) / SUB;
    uint64_t mant = SUB + (idx - SUB) % SUB;
    *lo = mant << shift;
    *hi = ((mant + 1) << shift) - 1;
}

void sim_hist_record(sim_hist *h, uint64_t ns)
{
    h->count++;
    h->sum += ns;
    if (ns < h->min)
        h->min = ns;
    if (ns > h->max)
        h->max = ns;
    h->buckets[sim_hist_bucket(ns)]++;
}

uint64_t sim_hist_percentile(const sim_hist *h, double p)
{
    if (!h->count)
        return 0;
    if (p <= 0)
        return h->min;
    if (p >= 100)
        return h->max;
    /* rank = ceil(p/100 * count), computed so that exact products are not rounded up. */
    double want = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want - 1e-9)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < SIM_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t lo, hi;
            sim_hist_bucket_range(i, &lo, &hi);
            uint64_t v = lo + (hi - lo) / 2;
            if (v < h->min)
                v = h->min;
            if (v > h->max)
                v = h->max;
            return v;
        }
    }
    return h->max;
}

void sim_hist_merge(sim_hist *dst, const sim_hist *src)
{
    if (!src->count)
        return;
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    for (unsigned i = 0; i < SIM_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
}
