/* The UPF process: PFCP socket (N4), GTP-U socket (N3) and a TUN device (N6) on one
 * libuv loop. Each socket is watched with uv_poll_t and drained in batches: recvmmsg()
 * of up to UPF_BATCH datagrams on N3 written to the TUN device with one batched call, up to
 * UPF_BATCH packets read from the TUN device with one batched call (upf_n6io.c: io_uring,
 * else one read()/write() per packet) and sent with one sendmmsg() on N3. The packet work itself is
 * upf_uplink()/upf_downlink(). `glass5g run --nf upf` calls upf_run(). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "core/err.h"
#include "core/loop.h"
#include "nf/upf/upf.h"
#include "nf/upf/upf_main.h"
#include "nf/upf/upf_n6io.h"

#define G5_LOG_MODULE "upf"
#include "core/log.h"

#define UPF_BATCH 32
#define UPF_PKT 2048

typedef struct upf_rt {
    upf u;
    uv_loop_t loop;
    int pfcp_fd, n3_fd, tun_fd;
    uv_poll_t pfcp_poll, n3_poll, tun_poll;
    uv_signal_t sigint, sigterm;
    upf_n6io n6io;
    uint16_t n3_port;
    uint8_t bufs[UPF_BATCH][G5_GTPU_HEADROOM + UPF_PKT];
    uint8_t scratch[256];
} upf_rt;

static int udp_bind(const char *addr, uint16_t port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        G5_LOGE("'%s' is not an IPv4 address", addr);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
        G5_LOGE("bind %s:%u: %s", addr, port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* `ip` from iproute2 for addresses and routes (argv, no shell). */
static int run_ip(const char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp("ip", (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
        return -1;
    return 0;
}

static int tun_open(const g5_config *cfg)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        G5_LOGE("/dev/net/tun: %s", strerror(errno));
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", cfg->upf.tun_name);
    if (ioctl(fd, TUNSETIFF, &ifr)) {
        G5_LOGE("TUNSETIFF %s: %s", cfg->upf.tun_name, strerror(errno));
        close(fd);
        return -1;
    }
    const char *dev = cfg->upf.tun_name;
    const char *up[] = {"ip", "link", "set", dev, "up", NULL};
    int rc = run_ip(up);
    if (!rc && cfg->upf.tun_addr[0]) {
        const char *a[] = {"ip", "addr", "replace", cfg->upf.tun_addr, "dev", dev, NULL};
        rc = run_ip(a);
    }
    if (!rc && cfg->upf.tun_addr6[0]) {
        const char *a[] = {"ip", "-6", "addr", "replace", cfg->upf.tun_addr6, "dev", dev, NULL};
        rc = run_ip(a);
    }
    for (int i = 0; !rc && i < cfg->upf.n_ue_pools; i++) {
        const char *r[] = {"ip", "route", "replace", cfg->upf.ue_pools[i], "dev", dev, NULL};
        rc = run_ip(r);
    }
    if (rc) {
        G5_LOGE("configuring %s with ip(8) failed", dev);
        close(fd);
        return -1;
    }
    return fd;
}

static void send_report(void *arg, const void *sa, uint32_t sa_len, const uint8_t *p, size_t n)
{
    upf_rt *rt = arg;
    if (sendto(rt->pfcp_fd, p, n, 0, sa, sa_len) < 0)
        G5_LOGW("PFCP report: %s", strerror(errno));
}

static void on_pfcp(uv_poll_t *h, int status, int events)
{
    upf_rt *rt = h->data;
    (void)events;
    if (status < 0)
        return;
    for (int i = 0; i < UPF_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        ssize_t n = recvfrom(rt->pfcp_fd, rt->bufs[0], UPF_PKT, 0, (struct sockaddr *)&ss, &sl);
        if (n < 0)
            break;
        static uint8_t out[UPF_DUP_MAX_LEN * 2];
        g5_wbuf w;
        g5_wbuf_init(&w, out, sizeof out);
        upf_pfcp_handle(&rt->u, rt->bufs[0], (size_t)n, &ss, sl, &w);
        if (w.len && !w.err)
            sendto(rt->pfcp_fd, out, w.len, 0, (struct sockaddr *)&ss, sl);
    }
}

static void on_n3(uv_poll_t *h, int status, int events)
{
    upf_rt *rt = h->data;
    (void)events;
    if (status < 0)
        return;
    struct mmsghdr msgs[UPF_BATCH];
    struct iovec iov[UPF_BATCH];
    struct sockaddr_in from[UPF_BATCH];
    for (int round = 0; round < 8; round++) {
        memset(msgs, 0, sizeof msgs);
        for (int i = 0; i < UPF_BATCH; i++) {
            iov[i] = (struct iovec){rt->bufs[i], UPF_PKT};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        }
        int n = recvmmsg(rt->n3_fd, msgs, UPF_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            break;
        uint64_t now = g5_clock_ns();
        struct iovec to_n6[UPF_BATCH];
        unsigned n6 = 0;
        for (int i = 0; i < n; i++) {
            upf_out o;
            enum upf_verdict v = upf_uplink(&rt->u, rt->bufs[i], msgs[i].msg_len, now, rt->scratch,
                                            sizeof rt->scratch, &o);
            if (v == UPF_TO_N6) {
                to_n6[n6++] = (struct iovec){(void *)o.out, o.out_len};
            } else if (v == UPF_REPLY) {
                sendto(rt->n3_fd, o.out, o.out_len, 0, (struct sockaddr *)&from[i], sizeof from[i]);
            } else if (v == UPF_TO_N3 && o.peer_len == 4) { /* Router Advertisement */
                struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(G5_GTPU_PORT)};
                memcpy(&to.sin_addr, o.peer, 4);
                sendto(rt->n3_fd, o.out, o.out_len, 0, (struct sockaddr *)&to, sizeof to);
            }
        }
        rt->u.c.ul_drop += n6 - upf_n6io_write(&rt->n6io, to_n6, n6);
        if (n < UPF_BATCH)
            break;
    }
    if (rt->u.report_pending)
        upf_flush_reports(&rt->u);
}

static void on_tun(uv_poll_t *h, int status, int events)
{
    upf_rt *rt = h->data;
    (void)events;
    if (status < 0)
        return;
    struct mmsghdr msgs[UPF_BATCH];
    struct iovec iov[UPF_BATCH];
    struct sockaddr_in to[UPF_BATCH];
    uint8_t *ips[UPF_BATCH];
    size_t lens[UPF_BATCH];
    for (int i = 0; i < UPF_BATCH; i++)
        ips[i] = rt->bufs[i] + G5_GTPU_HEADROOM;
    for (int round = 0; round < 8; round++) {
        int n = 0;
        unsigned got = upf_n6io_read(&rt->n6io, ips, UPF_PKT, lens, UPF_BATCH);
        uint64_t now = g5_clock_ns();
        for (int i = 0; i < UPF_BATCH; i++) {
            upf_out o;
            if (!lens[i] || upf_downlink(&rt->u, ips[i], lens[i], now, &o) != UPF_TO_N3 ||
                o.peer_len != 4)
                continue;
            to[n] = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(G5_GTPU_PORT)};
            memcpy(&to[n].sin_addr, o.peer, 4);
            iov[n] = (struct iovec){(void *)o.out, o.out_len};
            memset(&msgs[n], 0, sizeof msgs[n]);
            msgs[n].msg_hdr.msg_iov = &iov[n];
            msgs[n].msg_hdr.msg_iovlen = 1;
            msgs[n].msg_hdr.msg_name = &to[n];
            msgs[n].msg_hdr.msg_namelen = sizeof to[n];
            n++;
        }
        for (int sent = 0; sent < n;) {
            int r = sendmmsg(rt->n3_fd, msgs + sent, (unsigned)(n - sent), 0);
            if (r <= 0) {
                rt->u.c.dl_drop += (uint64_t)(n - sent);
                break;
            }
            sent += r;
        }
        if (got < UPF_BATCH)
            break;
    }
    if (rt->u.report_pending)
        upf_flush_reports(&rt->u);
}

static void on_signal(uv_signal_t *s, int signum)
{
    G5_LOGN("signal %d: shutting down", signum);
    uv_stop(s->loop);
}

static void close_cb(uv_handle_t *h)
{
    (void)h;
}

static int rt_open(upf_rt *rt, const g5_config *cfg)
{
    upf_params p;
    memset(&p, 0, sizeof p);
    p.max_sessions = cfg->upf.max_sessions;
    p.err_ind_per_s = cfg->upf.err_ind_per_s;
    if (inet_pton(AF_INET, cfg->upf.n3_addr, p.n3_ipv4) != 1) {
        G5_LOGE("upf.n3.address '%s' is not an IPv4 address", cfg->upf.n3_addr);
        return G5_ERR_CONFIG;
    }
    p.node_id.type = G5_PFCP_NODE_IPV4;
    if (inet_pton(AF_INET, cfg->upf.pfcp_addr, p.node_id.ipv4) != 1)
        memcpy(p.node_id.ipv4, p.n3_ipv4, 4);
    if (upf_init(&rt->u, &p))
        return G5_ERR_NOMEM;
    rt->u.send = send_report;
    rt->u.send_arg = rt;
    rt->pfcp_fd = udp_bind(cfg->upf.pfcp_addr, cfg->upf.pfcp_port);
    rt->n3_fd = udp_bind(cfg->upf.n3_addr, cfg->upf.n3_port);
    rt->tun_fd = tun_open(cfg);
    if (rt->pfcp_fd < 0 || rt->n3_fd < 0 || rt->tun_fd < 0)
        return G5_ERR_IO;
    /* Room for bursts while the loop is busy with the other direction (the kernel caps it
     * at net.core.rmem_max). */
    int rcvbuf = 4 << 20;
    setsockopt(rt->n3_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    upf_n6io_init(&rt->n6io, rt->tun_fd);
    return 0;
}

int upf_run(const g5_config *cfg)
{
    upf_rt *rt = calloc(1, sizeof *rt);
    if (!rt)
        return G5_ERR_NOMEM;
    rt->pfcp_fd = rt->n3_fd = rt->tun_fd = -1;
    rt->n6io.ring_fd = -1;
    int rc = rt_open(rt, cfg);
    if (!rc && uv_loop_init(&rt->loop))
        rc = G5_ERR_IO;
    else if (!rc) {
        uv_poll_init(&rt->loop, &rt->pfcp_poll, rt->pfcp_fd);
        uv_poll_init(&rt->loop, &rt->n3_poll, rt->n3_fd);
        uv_poll_init(&rt->loop, &rt->tun_poll, rt->tun_fd);
        rt->pfcp_poll.data = rt->n3_poll.data = rt->tun_poll.data = rt;
        uv_poll_start(&rt->pfcp_poll, UV_READABLE, on_pfcp);
        uv_poll_start(&rt->n3_poll, UV_READABLE, on_n3);
        uv_poll_start(&rt->tun_poll, UV_READABLE, on_tun);
        uv_signal_init(&rt->loop, &rt->sigint);
        uv_signal_init(&rt->loop, &rt->sigterm);
        uv_signal_start(&rt->sigint, on_signal, SIGINT);
        uv_signal_start(&rt->sigterm, on_signal, SIGTERM);
        G5_LOGN("UPF up: PFCP %s:%u, N3 %s:%u, N6 %s, recovery time stamp %u", cfg->upf.pfcp_addr,
                cfg->upf.pfcp_port, cfg->upf.n3_addr, cfg->upf.n3_port, cfg->upf.tun_name,
                rt->u.p.recovery_ts);
        uv_run(&rt->loop, UV_RUN_DEFAULT);
        uv_handle_t *hs[] = {(uv_handle_t *)&rt->pfcp_poll, (uv_handle_t *)&rt->n3_poll,
                             (uv_handle_t *)&rt->tun_poll, (uv_handle_t *)&rt->sigint,
                             (uv_handle_t *)&rt->sigterm};
        for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
            uv_close(hs[i], close_cb);
        uv_run(&rt->loop, UV_RUN_DEFAULT);
        uv_loop_close(&rt->loop);
        G5_LOGI("N6 I/O: %s, %llu system calls",
                upf_n6io_batched(&rt->n6io) ? "io_uring batches" : "read/write per packet",
                (unsigned long long)rt->n6io.syscalls);
        G5_LOGN("UPF stopped: %u sessions, ul %llu pkts, dl %llu pkts, indexes seid/teid/ue4/ue6 "
                "%zu/%zu/%zu/%zu",
                rt->u.n_sess, (unsigned long long)rt->u.c.ul_pkts,
                (unsigned long long)rt->u.c.dl_pkts, rt->u.by_seid.len, rt->u.by_teid.len,
                rt->u.by_ue4.len, rt->u.by_ue6.len);
    }
    int fds[] = {rt->pfcp_fd, rt->n3_fd, rt->tun_fd};
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    upf_n6io_free(&rt->n6io);
    upf_free(&rt->u);
    free(rt);
    return rc;
}
