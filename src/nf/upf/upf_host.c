/* The UPF's sockets and loop glue, the one implementation of its I/O: PFCP (N4), GTP-U
 * (N3) and the TUN device (N6) watched with uv_poll_t on a libuv loop the caller owns.
 * `glass5g run` hosts it next to the other NFs; `glass5g run --nf upf` (upf_main.c) gives
 * it a loop of its own. N3 is drained with recvmmsg() of up to HOST_BATCH datagrams whose
 * inner packets go to the TUN device in one batched call; the TUN device is read
 * HOST_BATCH packets per batched call (upf_n6io.c: io_uring, else one read()/write() per
 * packet) and sent with one sendmmsg(). The packet work is upf_uplink()/upf_downlink()
 * (upf_dp.c). The TUN device needs CAP_NET_ADMIN: without it start fails with a message
 * naming the fix. */
#include "nf/upf/upf_host.h"

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

#include "core/err.h"
#include "core/loop.h"
#include "nf/upf/upf_n6io.h"

#define G5_LOG_MODULE "upf"
#include "core/log.h"

#define HOST_BATCH 32
#define HOST_PKT 2048

struct upf_host {
    upf u;
    const g5_config *cfg;
    int pfcp_fd, n3_fd, tun_fd;
    uv_poll_t pfcp_poll, n3_poll, tun_poll;
    int n_polls; /* handles initialised, closed at stop */
    upf_n6io n6io; /* batched TUN I/O; ring_fd -1 and tun_fd -1 without N6 */
    uint16_t pfcp_port, n3_port;
    uint8_t bufs[HOST_BATCH][G5_GTPU_HEADROOM + HOST_PKT];
    uint8_t scratch[256];
    uint8_t rsp[UPF_DUP_MAX_LEN * 2];
};

static int udp_bind(const char *what, const char *addr, uint16_t port, uint16_t *bound)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        G5_LOGE("%s '%s' is not an IPv4 address", what, addr);
        return G5_ERR_CONFIG;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return G5_ERR_IO;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
        G5_LOGE("%s %s:%u: %s (another UPF running? change %s / port)", what, addr, port,
                strerror(errno), what);
        close(fd);
        return G5_ERR_IO;
    }
    socklen_t sl = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    *bound = ntohs(sa.sin_port);
    return fd;
}

/* `ip` from iproute2 (argv, no shell). */
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

static void tun_denied(const g5_config *cfg, const char *what, int e)
{
    G5_LOGE("cannot create the N6 TUN device '%s' (%s: %s). The UPF needs root or "
            "CAP_NET_ADMIN: run as root (or `setcap cap_net_admin+ep glass5g`); under "
            "`glass5g run` you can instead set upf.enabled: false and point smf.upfs at a UPF "
            "running elsewhere (`glass5g run --nf upf`)%s",
            cfg->upf.tun_name, what, strerror(e),
            e == EBUSY ? "; the name is in use: change upf.n6.tun" : "");
}

static int tun_open(const g5_config *cfg)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        tun_denied(cfg, "/dev/net/tun", errno);
        return G5_ERR_IO;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", cfg->upf.tun_name);
    if (ioctl(fd, TUNSETIFF, &ifr)) {
        tun_denied(cfg, "TUNSETIFF", errno);
        close(fd);
        return G5_ERR_IO;
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
        G5_LOGE("configuring %s with ip(8) failed (is iproute2 installed? check "
                "upf.n6.address/address6 and upf.ue_pools)",
                dev);
        close(fd);
        return G5_ERR_IO;
    }
    return fd;
}

static void send_report(void *arg, const void *sa, uint32_t sa_len, const uint8_t *p, size_t n)
{
    upf_host *h = arg;
    if (sendto(h->pfcp_fd, p, n, 0, sa, sa_len) < 0)
        G5_LOGW("PFCP report: %s", strerror(errno));
}

static void on_pfcp(uv_poll_t *ph, int status, int events)
{
    upf_host *h = ph->data;
    (void)events;
    if (status < 0)
        return;
    for (int i = 0; i < HOST_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        ssize_t n = recvfrom(h->pfcp_fd, h->bufs[0], HOST_PKT, 0, (struct sockaddr *)&ss, &sl);
        if (n < 0)
            break;
        g5_wbuf w;
        g5_wbuf_init(&w, h->rsp, sizeof h->rsp);
        upf_pfcp_handle(&h->u, h->bufs[0], (size_t)n, &ss, sl, &w);
        if (w.len && !w.err)
            sendto(h->pfcp_fd, h->rsp, w.len, 0, (struct sockaddr *)&ss, sl);
    }
}

/* A recvmmsg()/sendmmsg() batch on N3: one buffer and one peer address a datagram. */
typedef struct mmsg_batch {
    struct mmsghdr msgs[HOST_BATCH];
    struct iovec iov[HOST_BATCH];
    struct sockaddr_in peer[HOST_BATCH];
} mmsg_batch;

/* Points datagram i of b at buf[0..len) (the peer address is b->peer[i]). */
static void mmsg_set(mmsg_batch *b, int i, const uint8_t *buf, size_t len)
{
    struct mmsghdr *m = &b->msgs[i];
    b->iov[i] = (struct iovec){(void *)buf, len};
    memset(m, 0, sizeof *m);
    m->msg_hdr.msg_iov = &b->iov[i];
    m->msg_hdr.msg_iovlen = 1;
    m->msg_hdr.msg_name = &b->peer[i];
    m->msg_hdr.msg_namelen = sizeof b->peer[i];
}

static void n3_send(upf_host *h, const upf_out *o)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(G5_GTPU_PORT)};
    memcpy(&to.sin_addr, o->peer, 4);
    if (sendto(h->n3_fd, o->out, o->out_len, 0, (struct sockaddr *)&to, sizeof to) < 0)
        h->u.c.dl_drop++;
}

static void n3_send_buffered(void *arg, const upf_out *o)
{
    if (o->peer_len == 4)
        n3_send(arg, o);
}

/* Uplink: the inner packets of one recvmmsg() batch go to N6 in one batched write
 * (without N6 they are counted as dropped). */
static void on_n3(uv_poll_t *ph, int status, int events)
{
    upf_host *h = ph->data;
    (void)events;
    if (status < 0)
        return;
    mmsg_batch b;
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < HOST_BATCH; i++)
            mmsg_set(&b, i, h->bufs[i], HOST_PKT);
        int n = recvmmsg(h->n3_fd, b.msgs, HOST_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            break;
        uint64_t now = g5_clock_ns();
        struct iovec to_n6[HOST_BATCH];
        unsigned n6 = 0;
        for (int i = 0; i < n; i++) {
            upf_out o;
            enum upf_verdict v = upf_uplink(&h->u, h->bufs[i], b.msgs[i].msg_len, now, h->scratch,
                                            sizeof h->scratch, &o);
            if (v == UPF_TO_N6) {
                to_n6[n6++] = (struct iovec){(void *)o.out, o.out_len};
            } else if (v == UPF_REPLY) {
                sendto(h->n3_fd, o.out, o.out_len, 0, (struct sockaddr *)&b.peer[i],
                       sizeof b.peer[i]);
            } else if (v == UPF_TO_N3 && o.peer_len == 4) { /* Router Advertisement */
                n3_send(h, &o);
            }
        }
        unsigned written = h->tun_fd >= 0 ? upf_n6io_write(&h->n6io, to_n6, n6) : 0;
        h->u.c.ul_drop += n6 - written;
        if (n < HOST_BATCH)
            break;
    }
    if (h->u.report_pending)
        upf_flush_reports(&h->u);
}

/* Downlink: one batched TUN read, encapsulated in place (GTP-U headroom), one sendmmsg(). */
static void on_tun(uv_poll_t *ph, int status, int events)
{
    upf_host *h = ph->data;
    (void)events;
    if (status < 0)
        return;
    mmsg_batch b;
    uint8_t *ips[HOST_BATCH];
    size_t lens[HOST_BATCH];
    for (int i = 0; i < HOST_BATCH; i++)
        ips[i] = h->bufs[i] + G5_GTPU_HEADROOM;
    for (int round = 0; round < 8; round++) {
        int n = 0;
        unsigned got = upf_n6io_read(&h->n6io, ips, HOST_PKT, lens, HOST_BATCH);
        uint64_t now = g5_clock_ns();
        for (int i = 0; i < HOST_BATCH; i++) {
            upf_out o;
            if (!lens[i] || upf_downlink(&h->u, ips[i], lens[i], now, &o) != UPF_TO_N3 ||
                o.peer_len != 4)
                continue;
            mmsg_set(&b, n, o.out, o.out_len);
            b.peer[n] =
                (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(G5_GTPU_PORT)};
            memcpy(&b.peer[n].sin_addr, o.peer, 4);
            n++;
        }
        for (int sent = 0; sent < n;) {
            int r = sendmmsg(h->n3_fd, b.msgs + sent, (unsigned)(n - sent), 0);
            if (r <= 0) {
                h->u.c.dl_drop += (uint64_t)(n - sent);
                break;
            }
            sent += r;
        }
        if (got < HOST_BATCH)
            break;
    }
    if (h->u.report_pending)
        upf_flush_reports(&h->u);
}

static int watch(upf_host *h, uv_loop_t *loop, uv_poll_t *p, int fd, uv_poll_cb cb)
{
    if (uv_poll_init(loop, p, fd))
        return G5_ERR_IO;
    h->n_polls++;
    p->data = h;
    return uv_poll_start(p, UV_READABLE, cb) ? G5_ERR_IO : 0;
}

static int host_open(upf_host *h, uv_loop_t *loop, const g5_config *cfg, bool with_n6)
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
    if (upf_init(&h->u, &p))
        return G5_ERR_NOMEM;
    h->u.send = send_report;
    h->u.send_arg = h;
    h->u.n3_send = n3_send_buffered;
    h->u.n3_arg = h;
    if ((h->pfcp_fd = udp_bind("upf.pfcp.address", cfg->upf.pfcp_addr, cfg->upf.pfcp_port,
                               &h->pfcp_port)) < 0)
        return h->pfcp_fd;
    if ((h->n3_fd = udp_bind("upf.n3.address", cfg->upf.n3_addr, cfg->upf.n3_port, &h->n3_port)) <
        0)
        return h->n3_fd;
    /* Room for bursts while the loop is busy with the other direction (the kernel caps it
     * at net.core.rmem_max). */
    int rcvbuf = 4 << 20;
    setsockopt(h->n3_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (with_n6) {
        if ((h->tun_fd = tun_open(cfg)) < 0)
            return h->tun_fd;
        upf_n6io_init(&h->n6io, h->tun_fd);
    }
    int rc = watch(h, loop, &h->pfcp_poll, h->pfcp_fd, on_pfcp);
    if (!rc)
        rc = watch(h, loop, &h->n3_poll, h->n3_fd, on_n3);
    if (!rc && h->tun_fd >= 0)
        rc = watch(h, loop, &h->tun_poll, h->tun_fd, on_tun);
    return rc;
}

upf_host *upf_host_start(uv_loop_t *loop, const g5_config *cfg, bool with_n6, int *err)
{
    upf_host *h = calloc(1, sizeof *h);
    int rc = G5_ERR_NOMEM;
    if (h) {
        h->cfg = cfg;
        h->pfcp_fd = h->n3_fd = h->tun_fd = -1;
        h->n6io.tun_fd = h->n6io.ring_fd = -1;
        rc = host_open(h, loop, cfg, with_n6);
    }
    if (err)
        *err = rc;
    if (rc) {
        upf_host_stop(h);
        return NULL;
    }
    G5_LOGN("UPF up: PFCP %s:%u, N3 %s:%u, N6 %s, recovery time stamp %u", cfg->upf.pfcp_addr,
            h->pfcp_port, cfg->upf.n3_addr, h->n3_port, with_n6 ? cfg->upf.tun_name : "(none)",
            h->u.p.recovery_ts);
    return h;
}

/* The poll handles close on the next loop run; their memory is freed from the last close
 * callback (the host struct holds them). */
static void poll_closed(uv_handle_t *ph)
{
    upf_host *h = ph->data;
    if (--h->n_polls == 0)
        free(h);
}

/* The shutdown figures: which N6 path ran and what it cost, and what the indexes still
 * hold (the netns test and bench_upf_ns read the "UPF stopped" line). */
static void log_stats(const upf_host *h)
{
    if (h->tun_fd >= 0)
        G5_LOGI("N6 I/O: %s, %llu system calls",
                upf_n6io_batched(&h->n6io) ? "io_uring batches" : "read/write per packet",
                (unsigned long long)h->n6io.syscalls);
    G5_LOGN("UPF stopped: %u sessions, ul %llu pkts, dl %llu pkts, indexes seid/teid/ue4/ue6 "
            "%zu/%zu/%zu/%zu",
            h->u.n_sess, (unsigned long long)h->u.c.ul_pkts, (unsigned long long)h->u.c.dl_pkts,
            h->u.by_seid.len, h->u.by_teid.len, h->u.by_ue4.len, h->u.by_ue6.len);
    G5_LOGN("UPF buffering: %llu downlink packets buffered, %llu sent after activation, %llu "
            "dropped over the bound",
            (unsigned long long)h->u.c.buffered, (unsigned long long)h->u.c.buf_flushed,
            (unsigned long long)h->u.c.buf_dropped);
}

void upf_host_stop(upf_host *h)
{
    if (!h)
        return;
    if (h->n_polls) /* started (the sockets are watched only once everything opened) */
        log_stats(h);
    uv_poll_t *ps[] = {&h->pfcp_poll, &h->n3_poll, &h->tun_poll};
    int n = h->n_polls; /* the first n of ps were initialised (init order) */
    for (int i = 0; i < 3; i++) /* out of epoll before the descriptors close */
        if (i < n)
            uv_poll_stop(ps[i]);
    int fds[] = {h->pfcp_fd, h->n3_fd, h->tun_fd};
    upf_n6io_free(&h->n6io);
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (h->u.pool)
        upf_free(&h->u);
    if (n == 0) {
        free(h);
        return;
    }
    for (int i = 0; i < 3; i++)
        if (i < n) {
            ps[i]->data = h;
            uv_close((uv_handle_t *)ps[i], poll_closed);
        }
}

uint16_t upf_host_pfcp_port(const upf_host *h)
{
    return h->pfcp_port;
}

uint16_t upf_host_n3_port(const upf_host *h)
{
    return h->n3_port;
}

upf *upf_host_upf(upf_host *h)
{
    return &h->u;
}
