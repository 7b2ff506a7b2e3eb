/* UPF data-path cost per packet, in process (no sockets, no TUN): uplink = GTP-U parse +
 * session by TEID + PDR match (TEID, QFI, precedence) + QER gate and MBR token bucket +
 * URR counting, handing back the inner packet; downlink = IP header parse + session by UE
 * IPv4 + PDR + QER + URR + GTP-U header with a DL PDU Session Container pushed into the
 * headroom. Sizes 64 and 1400 octets (inner packet), with 1 and 10,000 sessions installed
 * through PFCP. Baseline in the same run: memcpy of the same size. What this does not
 * measure: the socket and TUN system calls, which dominate a real packet (docs/upf.md).
 * The clock advances 1 ms per packet so the 100 Gbit/s MBR never drops: every packet
 * pays the full token-bucket path. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/loop.h"
#include "gtpu/gtpu.h"
#include "nf/upf/upf.h"
#include "pfcp/pfcp_rules.h"

#define REPEATS 5

static upf U;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline void sink(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static void report(const char *what, size_t size, double ns, long iters)
{
    double per = ns / (double)iters;
    printf("  %-30s %5zu B  %8.2f ns/pkt  %8.2f Mpps  %7.2f Gbit/s\n", what, size, per, 1e3 / per,
           (double)size * 8 / per);
}

#define TIME_BEST(what, size, n, body) \
    do { \
        double best_ = 1e300; \
        for (int r_ = 0; r_ < REPEATS; r_++) { \
            double t0_ = now_ns(); \
            for (long i = 0; i < (n); i++) { \
                body; \
            } \
            double dt_ = now_ns() - t0_; \
            if (dt_ < best_) \
                best_ = dt_; \
        } \
        report(what, size, best_, n); \
    } while (0)

/* Installs n sessions (UE 10.x.y.z, TEID 0x100 + i, gNB TEID i) through PFCP. */
static void install(uint32_t n)
{
    upf_params p;
    memset(&p, 0, sizeof p);
    p.max_sessions = n;
    p.recovery_ts = 1;
    p.node_id.type = G5_PFCP_NODE_IPV4;
    upf_init(&U, &p);
    static uint8_t b[4096], out[4096];
    static const uint8_t sa[16] = {2};
    g5_wbuf w, o;
    g5_pfcp_node_id smf = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 2}};
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_build_assoc_setup_req(&w, 1, &smf, 1, 0, 1);
    g5_wbuf_init(&o, out, sizeof out);
    upf_pfcp_handle(&U, b, w.len, sa, sizeof sa, &o);
    static g5_pfcp_sess_est_req est;
    for (uint32_t i = 0; i < n; i++) {
        memset(&est, 0, sizeof est);
        est.cp_fseid.v4 = true;
        est.cp_fseid.seid = i + 1;
        uint32_t ue = 0x0a000001u + i;
        g5_pfcp_pdu_session s = {
            .ue_ipv4 = {(uint8_t)(ue >> 24), (uint8_t)(ue >> 16), (uint8_t)(ue >> 8), (uint8_t)ue},
            .qfi = 9,
            .ambr = {100000000, 100000000},
            .ul_teid = 0x100 + i,
            .has_gnb = true,
            .gnb_teid = i + 1,
            .gnb_ipv4 = {10, 0, 0, 2},
            .with_urr = true};
        g5_pfcp_pdu_session_rules(&est.create, &s);
        g5_wbuf_init(&w, b, sizeof b);
        g5_pfcp_build_sess_est_req(&w, 0, 2 + i, &est);
        g5_wbuf_init(&o, out, sizeof out);
        upf_pfcp_handle(&U, b, w.len, sa, sizeof sa, &o);
    }
    if (U.n_sess != n)
        printf("  (only %u of %u sessions installed)\n", U.n_sess, n);
}

static void ipv4(uint8_t *p, size_t n, uint32_t src, uint32_t dst)
{
    memset(p, 0, n);
    p[0] = 0x45;
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    p[9] = 17;
    for (int k = 0; k < 4; k++) {
        p[12 + k] = (uint8_t)(src >> (24 - 8 * k));
        p[16 + k] = (uint8_t)(dst >> (24 - 8 * k));
    }
}

static void run(uint32_t sessions, size_t size)
{
    static uint8_t ul[G5_GTPU_HEADROOM + 2048], dl[G5_GTPU_HEADROOM + 2048], a[2048], c[2048],
        scratch[256];
    uint32_t idx = sessions / 2;
    uint8_t *ip = ul + G5_GTPU_HEADROOM;
    ipv4(ip, size, 0x0a000001u + idx, 0x08080808u);
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_UL, .qfi = 9};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = 0x100 + idx, .psc = &psc};
    int hl = g5_gtpu_encap(ip, size, G5_GTPU_HEADROOM, &e, 0);
    uint8_t *pkt = ip - hl;
    size_t plen = size + (size_t)hl;
    uint8_t *dip = dl + G5_GTPU_HEADROOM;
    ipv4(dip, size, 0x08080808u, 0x0a000001u + idx);
    long n = size < 256 ? 2000000L : 1000000L;
    char what[64];
    upf_out o;
    static uint64_t t; /* simulated clock, after every bucket's creation time */
    if (!t)
        t = g5_clock_ns() + 1000000000000ull;
    snprintf(what, sizeof what, "uplink, %u sessions", sessions);
    TIME_BEST(what, size, n, {
        upf_uplink(&U, pkt, plen, t += 1000000, scratch, sizeof scratch, &o);
        sink(o.out);
    });
    snprintf(what, sizeof what, "downlink, %u sessions", sessions);
    TIME_BEST(what, size, n, {
        upf_downlink(&U, dip, size, t += 1000000, &o);
        sink(o.out);
    });
    if (sessions == 1)
        TIME_BEST("memcpy baseline", size, n, {
            memcpy(c, a, size);
            sink(c);
        });
}

int main(void)
{
    g5_log_set_level(G5_LOG_WARN);
    printf("bench_upf: in-process UPF data path per packet (best of %d rounds)\n", REPEATS);
    const uint32_t sess[] = {1, 10000};
    for (unsigned s = 0; s < 2; s++) {
        install(sess[s]);
        run(sess[s], 64);
        run(sess[s], 1400);
        printf("  counters: ul %llu pkts, dl %llu pkts, drops ul %llu dl %llu mbr %llu\n",
               (unsigned long long)U.c.ul_pkts, (unsigned long long)U.c.dl_pkts,
               (unsigned long long)U.c.ul_drop, (unsigned long long)U.c.dl_drop,
               (unsigned long long)U.c.mbr_drop);
        upf_free(&U);
    }
    return 0;
}
