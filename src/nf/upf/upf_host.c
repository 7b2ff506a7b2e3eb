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
enum { POLL_PFCP, POLL_N3, POLL_N3V6, POLL_TUN, HOST_POLLS };

struct upf_host {
    upf u;
    const g5_config *cfg;
    int pfcp_fd, n3_fd, n3_fd6, tun_fd; /* n3_fd / n3_fd6: IPv4 / IPv6 N3, -1 = none */
    uv_poll_t polls[HOST_POLLS]; /* POLL_PFCP, POLL_N3, POLL_N3V6, POLL_TUN */
    bool poll_init[HOST_POLLS];
    int n_polls; /* handles initialised, closed at stop */
    upf_n6io n6io; /* batched TUN I/O; ring_fd -1 and tun_fd -1 without N6 */
    uint16_t pfcp_port, n3_port;
    uint8_t bufs[HOST_BATCH][G5_GTPU_HEADROOM + HOST_PKT];
    uint8_t scratch[256];
    uint8_t rsp[UPF_DUP_MAX_LEN * 2];
};

/* A UDP socket bound to addr (IPv4, or IPv6 when v6) : port. */
static int udp_bind(const char *what, const char *addr, bool v6, uint16_t port, uint16_t *bound)
{
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
    } u;
    memset(&u, 0, sizeof u);
    socklen_t sl = v6 ? sizeof u.in6 : sizeof u.in;
    int ok =
        v6 ? inet_pton(AF_INET6, addr, &u.in6.sin6_addr) : inet_pton(AF_INET, addr, &u.in.sin_addr);
    if (ok != 1) {
        G5_LOGE("%s '%s' is not an IPv%d address", what, addr, v6 ? 6 : 4);
        return G5_ERR_CONFIG;
    }
    u.sa.sa_family = v6 ? AF_INET6 : AF_INET;
    if (v6)
        u.in6.sin6_port = htons(port);
    else
        u.in.sin_port = htons(port);
    int fd = socket(u.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return G5_ERR_IO;
    int one = 1;
    if (v6) /* only IPv6: an IPv4 N3 has its own socket */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, &u.sa, sl)) {
        G5_LOGE("%s %s:%u: %s (another UPF running? change %s / port)", what, addr, port,
                strerror(errno), what);
        close(fd);
        return G5_ERR_IO;
    }
    getsockname(fd, &u.sa, &sl);
    *bound = ntohs(v6 ? u.in6.sin6_port : u.in.sin_port);
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

/* A peer on N3, IPv4 or IPv6. */
typedef union n3_peer {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
} n3_peer;

/* A recvmmsg()/sendmmsg() batch on N3: one buffer and one peer address a datagram. */
typedef struct mmsg_batch {
    struct mmsghdr msgs[HOST_BATCH];
    struct iovec iov[HOST_BATCH];
    n3_peer peer[HOST_BATCH];
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

/* The gNB address of an upf_out (4 or 16 octets) as a sockaddr on port 2152; returns the
 * socket of that family, -1 when our N3 has none (the SMF set up a tunnel we cannot
 * reach). */
static int n3_peer_set(const upf_host *h, const upf_out *o, n3_peer *to, socklen_t *len)
{
    memset(to, 0, sizeof *to);
    if (o->peer_len == 16) {
        to->in6.sin6_family = AF_INET6;
        to->in6.sin6_port = htons(G5_GTPU_PORT);
        memcpy(&to->in6.sin6_addr, o->peer, 16);
        *len = sizeof to->in6;
        return h->n3_fd6;
    }
    to->in.sin_family = AF_INET;
    to->in.sin_port = htons(G5_GTPU_PORT);
    memcpy(&to->in.sin_addr, o->peer, 4);
    *len = sizeof to->in;
    return o->peer_len == 4 ? h->n3_fd : -1;
}

static void n3_send(upf_host *h, const upf_out *o)
{
    n3_peer to;
    socklen_t len;
    int fd = n3_peer_set(h, o, &to, &len);
    if (fd < 0 || sendto(fd, o->out, o->out_len, 0, &to.sa, len) < 0)
        h->u.c.dl_drop++;
}

static void n3_send_buffered(void *arg, const upf_out *o)
{
    n3_send(arg, o); /* IPv4 or IPv6 gNB: n3_peer_set picks the socket */
}

/* Uplink: the inner packets of one recvmmsg() batch go to N6 in one batched write
 * (without N6 they are counted as dropped). */
static void on_n3(uv_poll_t *ph, int status, int events)
{
    upf_host *h = ph->data;
    (void)events;
    if (status < 0)
        return;
    bool v6 = ph == &h->polls[POLL_N3V6];
    int fd = v6 ? h->n3_fd6 : h->n3_fd;
    h->u.rx_v6 = v6;
    mmsg_batch b;
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < HOST_BATCH; i++)
            mmsg_set(&b, i, h->bufs[i], HOST_PKT);
        int n = recvmmsg(fd, b.msgs, HOST_BATCH, MSG_DONTWAIT, NULL);
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
                sendto(fd, o.out, o.out_len, 0, &b.peer[i].sa, b.msgs[i].msg_hdr.msg_namelen);
            } else if (v == UPF_TO_N3) { /* Router Advertisement */
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

/* Sends the n datagrams of b on fd with as few sendmmsg() calls as it takes. */
static void n3_send_batch(upf_host *h, int fd, mmsg_batch *b, int n)
{
    for (int sent = 0; sent < n;) {
        int r = sendmmsg(fd, b->msgs + sent, (unsigned)(n - sent), 0);
        if (r <= 0) {
            h->u.c.dl_drop += (uint64_t)(n - sent);
            break;
        }
        sent += r;
    }
}

/* Downlink: one batched TUN read, encapsulated in place (GTP-U headroom), one sendmmsg()
 * per N3 address family. */
static void on_tun(uv_poll_t *ph, int status, int events)
{
    upf_host *h = ph->data;
    (void)events;
    if (status < 0)
        return;
    mmsg_batch b4, b6;
    uint8_t *ips[HOST_BATCH];
    size_t lens[HOST_BATCH];
    for (int i = 0; i < HOST_BATCH; i++)
        ips[i] = h->bufs[i] + G5_GTPU_HEADROOM;
    for (int round = 0; round < 8; round++) {
        int n4 = 0, n6 = 0;
        unsigned got = upf_n6io_read(&h->n6io, ips, HOST_PKT, lens, HOST_BATCH);
        uint64_t now = g5_clock_ns();
        for (int i = 0; i < HOST_BATCH; i++) {
            upf_out o;
            if (!lens[i] || upf_downlink(&h->u, ips[i], lens[i], now, &o) != UPF_TO_N3)
                continue;
            n3_peer to;
            socklen_t len;
            int fd = n3_peer_set(h, &o, &to, &len);
            if (fd < 0) {
                h->u.c.dl_drop++;
                continue;
            }
            mmsg_batch *b = fd == h->n3_fd6 ? &b6 : &b4;
            int *n = fd == h->n3_fd6 ? &n6 : &n4;
            mmsg_set(b, *n, o.out, o.out_len);
            b->peer[*n] = to;
            b->msgs[*n].msg_hdr.msg_namelen = len;
            (*n)++;
        }
        n3_send_batch(h, h->n3_fd, &b4, n4);
        n3_send_batch(h, h->n3_fd6, &b6, n6);
        if (got < HOST_BATCH)
            break;
    }
    if (h->u.report_pending)
        upf_flush_reports(&h->u);
}

static int watch(upf_host *h, uv_loop_t *loop, int which, int fd, uv_poll_cb cb)
{
    uv_poll_t *p = &h->polls[which];
    if (fd < 0)
        return 0;
    if (uv_poll_init(loop, p, fd))
        return G5_ERR_IO;
    h->poll_init[which] = true;
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
    /* the config split the N3 addresses by family (src/nf/config.c load_n3_addrs) */
    p.n3_no_v4 = !cfg->upf.n3_addr[0];
    p.n3_v6 = cfg->upf.n3_addr6[0] != 0;
    if ((!p.n3_no_v4 && inet_pton(AF_INET, cfg->upf.n3_addr, p.n3_ipv4) != 1) ||
        (p.n3_v6 && inet_pton(AF_INET6, cfg->upf.n3_addr6, p.n3_ipv6) != 1) ||
        (p.n3_no_v4 && !p.n3_v6)) {
        G5_LOGE("upf.n3.address '%s' / address6 '%s': need an IPv4 and/or an IPv6 address",
                cfg->upf.n3_addr, cfg->upf.n3_addr6);
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
    if ((h->pfcp_fd = udp_bind("upf.pfcp.address", cfg->upf.pfcp_addr, false, cfg->upf.pfcp_port,
                               &h->pfcp_port)) < 0)
        return h->pfcp_fd;
    if (!p.n3_no_v4 && (h->n3_fd = udp_bind("upf.n3.address", cfg->upf.n3_addr, false,
                                            cfg->upf.n3_port, &h->n3_port)) < 0)
        return h->n3_fd;
    if (p.n3_v6 && (h->n3_fd6 = udp_bind("upf.n3.address6", cfg->upf.n3_addr6, true,
                                         cfg->upf.n3_port, &h->n3_port)) < 0)
        return h->n3_fd6;
    /* Room for bursts while the loop is busy with the other direction (the kernel caps it
     * at net.core.rmem_max). */
    int rcvbuf = 4 << 20;
    for (int i = 0; i < 2; i++)
        if ((i ? h->n3_fd6 : h->n3_fd) >= 0)
            setsockopt(i ? h->n3_fd6 : h->n3_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (with_n6) {
        if ((h->tun_fd = tun_open(cfg)) < 0)
            return h->tun_fd;
        upf_n6io_init(&h->n6io, h->tun_fd);
    }
    int rc = watch(h, loop, POLL_PFCP, h->pfcp_fd, on_pfcp);
    if (!rc)
        rc = watch(h, loop, POLL_N3, h->n3_fd, on_n3);
    if (!rc)
        rc = watch(h, loop, POLL_N3V6, h->n3_fd6, on_n3);
    if (!rc)
        rc = watch(h, loop, POLL_TUN, h->tun_fd, on_tun);
    return rc;
}

upf_host *upf_host_start(uv_loop_t *loop, const g5_config *cfg, bool with_n6, int *err)
{
    upf_host *h = calloc(1, sizeof *h);
    int rc = G5_ERR_NOMEM;
    if (h) {
        h->cfg = cfg;
        h->pfcp_fd = h->n3_fd = h->n3_fd6 = h->tun_fd = -1;
        h->n6io.tun_fd = h->n6io.ring_fd = -1;
        rc = host_open(h, loop, cfg, with_n6);
    }
    if (err)
        *err = rc;
    if (rc) {
        upf_host_stop(h);
        return NULL;
    }
    G5_LOGN("UPF up: PFCP %s:%u, N3 %s%s%s%s%s:%u, N6 %s, recovery time stamp %u",
            cfg->upf.pfcp_addr, h->pfcp_port, cfg->upf.n3_addr,
            cfg->upf.n3_addr[0] && cfg->upf.n3_addr6[0] ? " + " : "",
            cfg->upf.n3_addr6[0] ? "[" : "", cfg->upf.n3_addr6, cfg->upf.n3_addr6[0] ? "]" : "",
            h->n3_port, with_n6 ? cfg->upf.tun_name : "(none)", h->u.p.recovery_ts);
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
    int n = h->n_polls;
    for (int i = 0; i < HOST_POLLS; i++) /* out of epoll before the descriptors close */
        if (h->poll_init[i])
            uv_poll_stop(&h->polls[i]);
    int fds[] = {h->pfcp_fd, h->n3_fd, h->n3_fd6, h->tun_fd};
    upf_n6io_free(&h->n6io);
    for (int i = 0; i < 4; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (h->u.pool)
        upf_free(&h->u);
    if (n == 0) {
        free(h);
        return;
    }
    for (int i = 0; i < HOST_POLLS; i++)
        if (h->poll_init[i]) {
            h->polls[i].data = h;
            uv_close((uv_handle_t *)&h->polls[i], poll_closed);
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
