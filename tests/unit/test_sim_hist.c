/* Latency histogram: percentiles agree with the exact ones computed by sorting the samples
 * (the oracle), within the documented bucket precision, for several distributions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_hist.h"

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Exact percentile by the same definition: smallest v with at least p% of samples <= v. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)((p / 100.0) * (double)n);
    if ((double)rank < p / 100.0 * (double)n - 1e-9)
        rank++;
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

static void check_against_sort(uint64_t *v, size_t n)
{
    static sim_hist h;
    sim_hist_reset(&h);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sim_hist_record(&h, v[i]);
        sum += v[i];
    }
    qsort(v, n, sizeof *v, cmp_u64);
    static const double ps[] = {1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        uint64_t want = exact_percentile(v, n, ps[i]);
        uint64_t got = sim_hist_percentile(&h, ps[i]);
        uint64_t tol = want / 128 + 1; /* bucket width is at most value/128 */
        if ((got > want ? got - want : want - got) > tol)
            fail_msg("p%.2f: histogram %llu, exact %llu (tolerance %llu)", ps[i],
                     (unsigned long long)got, (unsigned long long)want, (unsigned long long)tol);
    }
    assert_int_equal(h.count, n);
    assert_int_equal(h.min, v[0]);
    assert_int_equal(h.max, v[n - 1]);
    assert_int_equal(sim_hist_mean(&h), sum / n);
}

static void test_uniform(void **state)
{
    (void)state;
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = 1000 + rnd() % 10000000; /* 1 us .. 10 ms */
    check_against_sort(v, n);
    free(v);
}

static void test_heavy_tail(void **state)
{
    (void)state;
    size_t n = 50000;
    uint64_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        unsigned octave = (unsigned)(rnd() % 30); /* 1 ns .. 1 s, log-uniform */
        v[i] = (1ull << octave) + rnd() % (1ull << octave);
    }
    check_against_sort(v, n);
    free(v);
}

static void test_bimodal_and_small_exact(void **state)
{
    (void)state;
    size_t n = 20001;
    uint64_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = i % 3 ? 50 + rnd() % 200 : 5000000 + rnd() % 1000;
    check_against_sort(v, n);
    /* Below 256 ns every value is its own bucket: percentiles are exact. */
    static sim_hist h;
    sim_hist_reset(&h);
    for (uint64_t x = 0; x < 200; x++)
        sim_hist_record(&h, x);
    assert_int_equal(sim_hist_percentile(&h, 50), 99);
    assert_int_equal(sim_hist_percentile(&h, 100), 199);
    free(v);
}

static void test_few_samples_and_empty(void **state)
{
    (void)state;
    static sim_hist h;
    sim_hist_reset(&h);
    assert_int_equal(sim_hist_percentile(&h, 50), 0);
    assert_int_equal(sim_hist_mean(&h), 0);
    sim_hist_record(&h, 123456789);
    assert_int_equal(sim_hist_percentile(&h, 1), 123456789); /* clamped to min/max */
    assert_int_equal(sim_hist_percentile(&h, 99), 123456789);
    uint64_t v[] = {7, 1000000, 3};
    check_against_sort(v, 3);
}

static void test_bucket_layout(void **state)
{
    (void)state;
    /* Every value lies in its bucket's range; ranges are contiguous and the relative width
     * never exceeds 1/128. */
    uint64_t prev_hi = 0;
    for (unsigned i = 0; i < SIM_HIST_BUCKETS; i++) {
        uint64_t lo, hi;
        sim_hist_bucket_range(i, &lo, &hi);
        if (i)
            assert_int_equal(lo, prev_hi + 1);
        assert_true(hi - lo <= lo / 128);
        assert_int_equal(sim_hist_bucket(lo), i);
        assert_int_equal(sim_hist_bucket(hi), i);
        prev_hi = hi;
    }
    assert_int_equal(prev_hi, SIM_HIST_MAX_NS);
    assert_int_equal(sim_hist_bucket(UINT64_MAX), SIM_HIST_BUCKETS - 1);
    static sim_hist h;
    sim_hist_reset(&h);
    sim_hist_record(&h, UINT64_C(1) << 50); /* beyond range: counted, max exact */
    assert_int_equal(h.max, UINT64_C(1) << 50);
    assert_int_equal(sim_hist_percentile(&h, 100), UINT64_C(1) << 50);
}

static void test_merge(void **state)
{
    (void)state;
    static sim_hist a, b, all;
    sim_hist_reset(&a);
    sim_hist_reset(&b);
    sim_hist_reset(&all);
    for (int i = 0; i < 10000; i++) {
        uint64_t x = rnd() % 1000000;
        sim_hist_record(i % 2 ? &a : &b, x);
        sim_hist_record(&all, x);
    }
    sim_hist_merge(&a, &b);
    assert_memory_equal(&a, &all, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_heavy_tail),
        cmocka_unit_test(test_bimodal_and_small_exact),
        cmocka_unit_test(test_few_samples_and_empty),
        cmocka_unit_test(test_bucket_layout),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
