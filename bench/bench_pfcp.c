/* PFCP codec benchmark: ns per Session Establishment Request (the SMF's UL+DL rule set with
 * QER and URR, ~350 bytes) for decode (IE tree + presence checks), decode + typed view
 * (what a UPF does per request) and encode (builder), with a memcpy of the same bytes as
 * the baseline measured in the same run. Prints ns/op and ops/s; never a timed test. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint64_t sink;

static void report(const char *what, double ns, long iters, double base)
{
    double per = ns / (double)iters;
    printf("%-34s %9.1f ns/op %12.0f ops/s", what, per, 1e9 / per);
    if (base > 0)
        printf("  (%.1fx memcpy)", per / base);
    printf("\n");
}

static g5_pfcp_sess_est_req req;
static g5_pfcp_sess_est_req view;
static g5_pfcp_msg msg;

int main(void)
{
    g5_pfcp_pdu_session s;
    memset(&s, 0, sizeof s);
    memcpy(s.ue_ipv4, "\x0a\x2d\x00\x07", 4);
    s.access_ni = "access";
    s.core_ni = "internet";
    s.qfi = 9;
    s.ambr.ul_kbps = 100000;
    s.ambr.dl_kbps = 200000;
    s.ul_teid_choose = true;
    s.with_urr = true;
    s.volume_threshold = 1000000;
    s.time_threshold = 3600;
    req.node_id.type = G5_PFCP_NODE_IPV4;
    memcpy(req.node_id.ipv4, "\x0a\x00\x00\x01", 4);
    req.cp_fseid.v4 = true;
    req.cp_fseid.seid = 0x1122334455667788ull;
    memcpy(req.cp_fseid.ipv4, "\x0a\x00\x00\x01", 4);
    g5_pfcp_pdu_session_rules(&req.create, &s);
    req.has_pdn_type = true;
    req.pdn_type = G5_PFCP_PDN_IPV4;

    uint8_t buf[2048], copy[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    if (g5_pfcp_build_sess_est_req(&w, 0, 1, &req) || g5_pfcp_decode(buf, w.len, &msg, NULL)) {
        fprintf(stderr, "bench_pfcp: sample does not build/decode\n");
        return 1;
    }
    size_t n = w.len;
    const long iters = 1000000;
    printf("PFCP Session Establishment Request, %zu bytes, %ld iterations\n", n, iters);

    double t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        buf[15] = (uint8_t)i; /* defeat hoisting; spare octet */
        memcpy(copy, buf, n);
        sink += copy[n - 1];
    }
    double base = (now_ns() - t0) / (double)iters;
    report("memcpy (baseline)", base * (double)iters, iters, 0);
    buf[15] = 0;

    t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        sink += (uint64_t)g5_pfcp_decode(buf, n, &msg, NULL) + msg.n_ies;
    }
    report("decode (IE tree + checks)", now_ns() - t0, iters, base);

    t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        g5_pfcp_decode(buf, n, &msg, NULL);
        sink += (uint64_t)g5_pfcp_sess_est_req_parse(&msg, &view) + view.create.n_pdr;
    }
    report("decode + typed view", now_ns() - t0, iters, base);

    t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        g5_wbuf_init(&w, copy, sizeof copy);
        g5_pfcp_build_sess_est_req(&w, 0, (uint32_t)i, &req);
        sink += w.len;
    }
    report("encode (builder)", now_ns() - t0, iters, base);
    return sink == 42 ? 1 : 0;
}
