/* bench_sctp: N2 transport figures for 100-byte (NGAP-sized) messages on one libuv loop,
 * server and client in this process, over loopback:
 *   - round trip: one message out, the server echoes it, next message (p50/p99 in us);
 *   - rate: the client sends as fast as backpressure allows, the server counts (msgs/s).
 * Baseline measured in the same run: a UDP loopback ping-pong and a UDP stream of the same
 * size (blocking sockets, no event loop), i.e. what the kernel costs without SCTP.
 *
 *   bench_sctp [--backend auto|kernel|usrsctp] [--rtt N] [--msgs N]
 * The kernel backend needs a kernel with SCTP; on this host run it inside UML:
 *   tests/vm/uml-run.sh build/uml-bench build/bench/bench_sctp --backend kernel */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "transport/sctp.h"

#define MSG 100

static struct {
    uv_loop_t loop;
    g5_sctp_ep *srv;
    g5_sctp_assoc *cli;
    bool up;
    int rtt_n, rtt_done;
    uint64_t t0;
    uint64_t *samples;
    long stream_n, stream_sent, stream_rcvd;
    bool streaming;
    uint8_t buf[MSG];
} B;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_us(uint64_t *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    int i = (int)(p * (n - 1));
    return (double)v[i] / 1000.0;
}

static void on_up(g5_sctp_assoc *a)
{
    if (!g5_sctp_assoc_ep(a))
        B.up = true;
}

static void pump(void)
{
    while (B.stream_sent < B.stream_n) {
        int rc = g5_sctp_send(B.cli, 0, G5_SCTP_PPID_NGAP, B.buf, sizeof B.buf);
        if (rc != 0)
            return; /* G5_ERR_AGAIN: writable resumes */
        B.stream_sent++;
    }
}

static void on_data(g5_sctp_assoc *a, const g5_sctp_msg *m)
{
    if (g5_sctp_assoc_ep(a)) { /* server */
        if (B.streaming)
            B.stream_rcvd++;
        else
            g5_sctp_send(a, m->stream, m->ppid, m->data, m->len);
        return;
    }
    B.samples[B.rtt_done++] = g5_clock_ns() - B.t0; /* client: echo came back */
    if (B.rtt_done < B.rtt_n) {
        B.t0 = g5_clock_ns();
        g5_sctp_send(B.cli, 0, G5_SCTP_PPID_NGAP, B.buf, sizeof B.buf);
    }
}

static void on_writable(g5_sctp_assoc *a)
{
    if (B.streaming && a == B.cli)
        pump();
}

static void on_down(g5_sctp_assoc *a, g5_sctp_down why)
{
    if (a == B.cli)
        B.cli = NULL;
}

static const g5_sctp_cbs cbs = {
    .up = on_up, .data = on_data, .writable = on_writable, .down = on_down};

static void tick(uv_timer_t *t)
{
    (void)t;
}

static bool run_while(bool (*busy)(void), unsigned ms)
{
    uv_timer_t t;
    uv_timer_init(&B.loop, &t);
    uv_timer_start(&t, tick, 1, 1);
    uint64_t end = g5_clock_ms() + ms;
    while (busy() && g5_clock_ms() < end)
        uv_run(&B.loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&B.loop, UV_RUN_NOWAIT);
    return !busy();
}

static bool not_up(void)
{
    return !B.up;
}
static bool rtt_busy(void)
{
    return B.rtt_done < B.rtt_n;
}
static bool stream_busy(void)
{
    return B.stream_rcvd < B.stream_n;
}

static uint16_t free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof sin;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &l) != 0)
        return G5_SCTP_UDP_ENCAPS_PORT;
    close(fd);
    return ntohs(sin.sin_port);
}

static int bench_sctp(g5_sctp_backend be, int rtt_n, long msgs)
{
    uv_loop_init(&B.loop);
    g5_sctp_cfg cfg;
    g5_sctp_cfg_defaults(&cfg);
    cfg.backend = be;
    cfg.udp_port = cfg.peer_udp_port = free_udp_port();
    cfg.max_buffered = 1 << 20;
    g5_sctp_addrs local = {.addr = {"127.0.0.1"}, .n = 1, .port = 0};
    if (g5_sctp_listen(&B.loop, &cfg, &local, &cbs, NULL, &B.srv) != 0) {
        fprintf(stderr, "bench_sctp: listen failed\n");
        return 1;
    }
    g5_sctp_addrs peer = {.addr = {"127.0.0.1"}, .n = 1, .port = g5_sctp_ep_port(B.srv)};
    if (g5_sctp_connect(&B.loop, &cfg, NULL, &peer, &cbs, NULL, &B.cli) != 0 ||
        !run_while(not_up, 5000)) {
        fprintf(stderr, "bench_sctp: connect failed\n");
        return 1;
    }
    printf("backend measured: %s", g5_sctp_backend_name(g5_sctp_ep_backend(B.srv)));
    if (g5_sctp_ep_backend(B.srv) == G5_SCTP_USRSCTP)
        printf(" (SCTP over UDP port %u, RFC 6951)", cfg.udp_port);
    printf("\n");

    B.samples = calloc((size_t)rtt_n, sizeof *B.samples);
    B.rtt_n = rtt_n;
    memset(B.buf, 0x5a, sizeof B.buf);
    uint64_t start = g5_clock_ns();
    B.t0 = start;
    g5_sctp_send(B.cli, 0, G5_SCTP_PPID_NGAP, B.buf, sizeof B.buf);
    run_while(rtt_busy, 60000);
    double secs = (double)(g5_clock_ns() - start) / 1e9;
    int n = B.rtt_done;
    if (n > 0)
        printf("  sctp round trip  %6d x %d B   p50 %8.1f us   p99 %8.1f us   (%.0f round "
               "trips/s)\n",
               n, MSG, pct_us(B.samples, n, 0.50), pct_us(B.samples, n, 0.99), n / secs);

    B.streaming = true;
    B.stream_n = msgs;
    start = g5_clock_ns();
    pump();
    run_while(stream_busy, 120000);
    secs = (double)(g5_clock_ns() - start) / 1e9;
    printf("  sctp one way     %6ld x %d B   %10.0f msgs/s   %7.1f MB/s\n", B.stream_rcvd, MSG,
           (double)B.stream_rcvd / secs, (double)B.stream_rcvd * MSG / secs / 1e6);
    if (B.cli)
        g5_sctp_abort(B.cli);
    g5_sctp_ep_close(B.srv);
    /* closes finish on the loop (usrsctp: once the stack has freed the association) */
    for (int i = 0; i < 3000 && uv_run(&B.loop, UV_RUN_NOWAIT); i++)
        usleep(1000);
    uv_loop_close(&B.loop);
    free(B.samples);
    return 0;
}

/* Baseline: the same sizes over plain UDP loopback with blocking sockets. */
static void bench_udp(int rtt_n, long msgs)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in sb = sa;
    socklen_t l = sizeof sa;
    bind(a, (struct sockaddr *)&sa, sizeof sa);
    bind(b, (struct sockaddr *)&sb, sizeof sb);
    getsockname(a, (struct sockaddr *)&sa, &l);
    l = sizeof sb;
    getsockname(b, (struct sockaddr *)&sb, &l);
    connect(a, (struct sockaddr *)&sb, sizeof sb);
    connect(b, (struct sockaddr *)&sa, sizeof sa);
    uint8_t buf[MSG] = {0};
    uint64_t *v = calloc((size_t)rtt_n, sizeof *v);
    uint64_t start = g5_clock_ns();
    for (int i = 0; i < rtt_n; i++) {
        uint64_t t = g5_clock_ns();
        if (send(a, buf, MSG, 0) != MSG || recv(b, buf, MSG, 0) != MSG ||
            send(b, buf, MSG, 0) != MSG || recv(a, buf, MSG, 0) != MSG)
            break;
        v[i] = g5_clock_ns() - t;
    }
    double secs = (double)(g5_clock_ns() - start) / 1e9;
    printf("  udp round trip   %6d x %d B   p50 %8.1f us   p99 %8.1f us   (%.0f round "
           "trips/s)  [baseline]\n",
           rtt_n, MSG, pct_us(v, rtt_n, 0.50), pct_us(v, rtt_n, 0.99), rtt_n / secs);
    start = g5_clock_ns();
    long got = 0;
    while (got < msgs) { /* windows of 64 so nothing is dropped */
        int w = 0;
        for (; w < 64 && got + w < msgs; w++)
            send(a, buf, MSG, 0);
        for (int i = 0; i < w; i++)
            if (recv(b, buf, MSG, 0) == MSG)
                got++;
    }
    secs = (double)(g5_clock_ns() - start) / 1e9;
    printf("  udp one way      %6ld x %d B   %10.0f msgs/s   %7.1f MB/s  [baseline]\n", got, MSG,
           (double)got / secs, (double)got * MSG / secs / 1e6);
    free(v);
    close(a);
    close(b);
}

int main(int argc, char **argv)
{
    g5_sctp_backend be = G5_SCTP_AUTO;
    int rtt_n = 20000;
    long msgs = 200000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
            int b = g5_sctp_backend_parse(argv[++i]);
            if (b < 0) {
                fprintf(stderr, "unknown backend %s\n", argv[i]);
                return 2;
            }
            be = (g5_sctp_backend)b;
        } else if (!strcmp(argv[i], "--rtt") && i + 1 < argc) {
            rtt_n = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--msgs") && i + 1 < argc) {
            msgs = atol(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--backend auto|kernel|usrsctp] [--rtt N] [--msgs N]\n",
                    argv[0]);
            return 2;
        }
    }
    if (rtt_n < 1 || msgs < 1)
        return 2;
    g5_log_set_level(G5_LOG_WARN);
    printf("bench_sctp: %d-byte NGAP-sized messages, PPID 60, stream 0, loopback\n", MSG);
    int rc = bench_sctp(be, rtt_n, msgs);
    bench_udp(rtt_n, msgs);
    g5_sctp_global_cleanup(3000);
    return rc;
}
