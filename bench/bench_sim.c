/* Simulator framework overhead: echo procedures/s with 100,000 UEs on one core (the
 * framework self-test: two request/reply rounds per procedure through the loopback fake
 * AMF, each with RAN UE NGAP ID routing, guard timer re-arming and histogram recording),
 * memory per UE (RSS delta / N), and in the same run the baseline: empty libuv timer
 * callbacks/s, and sim_hist_record ns/op against a plain array increment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "sim/sim.h"

#define N_UES 100000u

static double now_s(void)
{
    return (double)g5_clock_ns() / 1e9;
}

static unsigned long fired;
static void empty_cb(uv_timer_t *t)
{
    (void)t;
    fired++;
}

/* Baseline: N one-shot uv timers that do nothing, run to completion. */
static double bench_uv_timers(unsigned n)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    uv_timer_t *t = calloc(n, sizeof *t);
    fired = 0;
    for (unsigned i = 0; i < n; i++) {
        uv_timer_init(&loop, &t[i]);
        uv_timer_start(&t[i], empty_cb, 0, 0);
    }
    double t0 = now_s(); /* dispatch only: arming 100k timers is measured separately */
    uv_run(&loop, UV_RUN_DEFAULT);
    double dt = now_s() - t0;
    for (unsigned i = 0; i < n; i++)
        uv_close((uv_handle_t *)&t[i], NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(t);
    return (double)fired / dt;
}

static unsigned long rearm_left;
static void rearm_cb(uv_timer_t *t)
{
    fired++;
    if (rearm_left) {
        rearm_left--;
        uv_timer_start(t, rearm_cb, 0, 0);
    }
}

/* Baseline at bounded concurrency: k timers, each re-armed from its own callback (what a
 * procedure slot's guard timer does), until `total` callbacks. */
static double bench_uv_rearm(unsigned k, unsigned long total)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    uv_timer_t *t = calloc(k, sizeof *t);
    fired = 0;
    rearm_left = total - k;
    double t0 = now_s();
    for (unsigned i = 0; i < k; i++) {
        uv_timer_init(&loop, &t[i]);
        uv_timer_start(&t[i], rearm_cb, 0, 0);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    double dt = now_s() - t0;
    for (unsigned i = 0; i < k; i++)
        uv_close((uv_handle_t *)&t[i], NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(t);
    return (double)fired / dt;
}

static void on_done(sim_engine *e)
{
    uv_stop(e->loop);
}

static sim_config cfg;
static sim_engine eng;

static void bench_echo(uint32_t max_inflight, uint32_t rounds)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    sim_config_defaults(&cfg);
    cfg.ue[0].count = N_UES;
    uint64_t rss0 = sim_rss_bytes();
    sim_pop pop;
    if (sim_pop_build(&pop, &cfg, 0) != 0)
        exit(1);
    sim_engine_opts o = {.rate = 10000000, .max_inflight = max_inflight, .timeout_ms = 10000};
    if (sim_engine_init(&eng, &loop, &cfg, &pop, &o) != 0)
        exit(1);
    uint64_t rss1 = sim_rss_bytes();
    sim_echo_amf *amf = sim_echo_amf_new(&eng, 0);
    sim_engine_set_transport(&eng, &sim_echo_transport, amf);
    uint64_t done = 0;
    double t0 = now_s();
    for (uint32_t r = 0; r < rounds; r++) {
        sim_engine_load(&eng, &sim_proc_echo, on_done);
        uv_run(&loop, UV_RUN_DEFAULT);
    }
    double dt = now_s() - t0;
    const sim_proc_stats *st = sim_engine_stats(&eng, &sim_proc_echo);
    done = st->ok;
    uint64_t rss2 = sim_rss_bytes();
    printf("echo, %u UEs x %u, max in-flight %6u: %9.0f procedures/s (%6.0f ns each, "
           "%llu failed), p50 %.1f us p99 %.1f us; RSS %.1f MB with %u slots in use\n",
           N_UES, rounds, max_inflight, (double)done / dt, dt * 1e9 / (double)done,
           (unsigned long long)st->failed, (double)sim_hist_percentile(&st->total, 50) / 1e3,
           (double)sim_hist_percentile(&st->total, 99) / 1e3, (double)rss2 / 1e6,
           eng.peak_inflight);
    if (max_inflight == 1000)
        printf("memory per idle UE: sizeof(sim_ue) %zu B, SUPI index %.1f B, RSS delta %.1f B "
               "(population + engine, %u UEs)\n",
               sizeof(sim_ue), (double)eng.pop.by_supi.cap * sizeof(g5_hmap_slot) / N_UES,
               (double)(rss1 - rss0) / N_UES, N_UES);
    sim_echo_amf_free(amf);
    sim_engine_free(&eng);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
}

static void bench_hist(void)
{
    static sim_hist h;
    static uint32_t plain[4096];
    sim_hist_reset(&h);
    const unsigned n = 20000000;
    uint64_t x = 12345;
    double t0 = now_s();
    for (unsigned i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        sim_hist_record(&h, x >> 40);
    }
    double th = now_s() - t0;
    t0 = now_s();
    for (unsigned i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        plain[(x >> 40) & 4095]++;
    }
    double tp = now_s() - t0;
    printf("sim_hist_record: %.2f ns/op (baseline: LCG + array increment %.2f ns/op); "
           "histogram %zu bytes (checksum %u)\n",
           th * 1e9 / n, tp * 1e9 / n, sizeof h, plain[x & 4095]);
}

int main(void)
{
    printf("baseline: empty libuv timer callbacks: %.0f /s (%u one-shot timers)\n",
           bench_uv_timers(N_UES), N_UES);
    printf("baseline: empty libuv timer callbacks re-armed from the callback: %.0f /s "
           "(1000 timers, 3,000,000 callbacks)\n",
           bench_uv_rearm(1000, 3000000));
    bench_echo(1000, 3);
    bench_echo(10000, 3);
    bench_hist();
    return 0;
}
