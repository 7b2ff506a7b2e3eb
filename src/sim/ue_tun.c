/* glass5g-sim UE: a TUN device per PDU session, so that ordinary tools (ping, iperf3, curl)
 * can send through a simulated UE's session.
 *
 * The device is `uesimtunN` (TUNSETIFF, IFF_TUN | IFF_NO_PI), configured with ioctls only
 * (no `ip` command): the IPv4 address of the PDU address as /32, the IPv6 address once the
 * UPF's Router Advertisement gave the /64 (and fe80::IID before that), MTU 1400, up.
 *
 * Routing. With `netns: on` (the recommended mode, and the only one that works when core
 * and simulator share a host) the device is created inside a new network namespace of the
 * same name, /run/netns/uesimtunN like `ip netns add` makes it: the process enters a fresh
 * namespace with unshare(CLONE_NEWNET), bind-mounts it, creates and configures the TUN and
 * default routes (IPv4 and IPv6) through it plus loopback, and returns to its own namespace
 * with setns(). The TUN file descriptor keeps working from there. Then
 * `ip netns exec uesimtun0 ping 10.45.0.1` uses the UE's session for everything. With
 * `netns: off` the device lives in the simulator's namespace with no route: bind to it
 * (`ping -I uesimtun0`, `curl --interface uesimtun0`), which Linux routes on-link through
 * the device. Uplink packets read from the TUN are encapsulated for N3 (gnb_n3.c); downlink
 * ones are written to it (ue_traffic.c). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define G5_LOG_MODULE "sim.tun"
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "gtpu/gtpu.h"
#include "sim/sim_up.h"

#define TUN_MTU 1400 /* leaves room for GTP-U/UDP/IP on a 1500-octet N3 path */

struct sim_tun {
    sim_up *up;
    sim_sess *sess;
    int fd;
    uv_poll_t poll;
    bool polling, netns;
    char name[IFNAMSIZ];
};

/* in6_ifreq of linux/ipv6.h, which clashes with netinet/in.h */
struct tun_in6_ifreq {
    struct in6_addr addr;
    uint32_t prefixlen;
    int ifindex;
};

const char *sim_tun_name(const sim_sess *s)
{
    return s->tun ? s->tun->name : NULL;
}

static int set_flags_up(int sk, const char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(sk, SIOCGIFFLAGS, &ifr) != 0)
        return -1;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    return ioctl(sk, SIOCSIFFLAGS, &ifr);
}

static int set_ipv4(const char *name, const uint8_t a[4])
{
    int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sk < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, a, 4);
    int rc = ioctl(sk, SIOCSIFADDR, &ifr);
    memset(&sin->sin_addr, 0xff, 4); /* /32: the UE's address only */
    if (!rc)
        rc = ioctl(sk, SIOCSIFNETMASK, &ifr);
    ifr.ifr_mtu = TUN_MTU;
    if (!rc)
        rc = ioctl(sk, SIOCSIFMTU, &ifr);
    if (!rc)
        rc = set_flags_up(sk, name);
    close(sk);
    return rc;
}

static int if_index(int sk, const char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    return ioctl(sk, SIOCGIFINDEX, &ifr) == 0 ? ifr.ifr_ifindex : -1;
}

static int add_ipv6(const char *name, const uint8_t prefix[8], const uint8_t iid[8], unsigned plen)
{
    int sk = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sk < 0)
        return -1;
    struct tun_in6_ifreq r;
    memset(&r, 0, sizeof r);
    memcpy(r.addr.s6_addr, prefix, 8);
    memcpy(r.addr.s6_addr + 8, iid, 8);
    r.prefixlen = plen;
    r.ifindex = if_index(sk, name);
    int rc = r.ifindex > 0 ? ioctl(sk, SIOCSIFADDR, &r) : -1;
    if (rc && errno == EEXIST)
        rc = 0;
    if (!rc)
        rc = set_flags_up(sk, name);
    close(sk);
    return rc;
}

/* Default routes through the device (inside the UE's namespace). */
static int add_default_routes(const char *name, bool v4, bool v6)
{
    int rc = 0;
    if (v4) {
        int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct rtentry rt;
        memset(&rt, 0, sizeof rt);
        ((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
        ((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
        rt.rt_flags = RTF_UP;
        char dev[IFNAMSIZ];
        snprintf(dev, sizeof dev, "%s", name);
        rt.rt_dev = dev;
        rc = sk < 0 ? -1 : ioctl(sk, SIOCADDRT, &rt);
        if (sk >= 0)
            close(sk);
    }
    if (!rc && v6) {
        int sk = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct in6_rtmsg rt;
        memset(&rt, 0, sizeof rt);
        rt.rtmsg_flags = RTF_UP;
        rt.rtmsg_metric = 1;
        rt.rtmsg_ifindex = sk < 0 ? -1 : if_index(sk, name);
        rc = sk < 0 || rt.rtmsg_ifindex <= 0 ? -1 : ioctl(sk, SIOCADDRT, &rt);
        if (sk >= 0)
            close(sk);
    }
    return rc;
}

static int loopback_up(void)
{
    int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sk < 0)
        return -1;
    int rc = set_flags_up(sk, "lo");
    close(sk);
    return rc;
}

static int tun_create(struct sim_tun *t)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", t->name);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        close(fd);
        return -1;
    }
    t->fd = fd;
    return 0;
}

/* Creates and configures the device in the current namespace. */
static int tun_setup(struct sim_tun *t, const sim_sess *s)
{
    static const uint8_t ll[8] = {0xfe, 0x80};
    if (tun_create(t) != 0)
        return -1;
    if (s->has_ipv4 && set_ipv4(t->name, s->ipv4) != 0)
        return -1;
    if (s->has_ipv6 && add_ipv6(t->name, ll, s->ipv6_iid, 64) != 0)
        return -1;
    if (!s->has_ipv4) {
        int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int rc = sk < 0 ? -1 : set_flags_up(sk, t->name);
        if (sk >= 0)
            close(sk);
        if (rc)
            return -1;
    }
    return 0;
}

static void netns_path(const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "/run/netns/%s", name);
}

/* unshare + bind mount (like `ip netns add`), then tun_setup inside, then back. */
static int setup_in_netns(struct sim_tun *t, const sim_sess *s, char *err, size_t errlen)
{
    char path[64];
    netns_path(t->name, path, sizeof path);
    int orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (orig < 0) {
        snprintf(err, errlen, "cannot open /proc/self/ns/net: %s", strerror(errno));
        return -1;
    }
    (void)mkdir("/run/netns", 0755);
    int f = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
    if (f >= 0)
        close(f);
    int rc = f < 0 ? -1 : unshare(CLONE_NEWNET);
    const char *what = f < 0 ? "create" : "unshare";
    if (!rc) {
        what = "bind-mount";
        rc = mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL);
        if (!rc) {
            what = "configure";
            rc = tun_setup(t, s);
        }
        if (!rc)
            rc = loopback_up();
        if (!rc)
            rc = add_default_routes(t->name, s->has_ipv4, false);
        if (setns(orig, CLONE_NEWNET) != 0)
            G5_LOGE("cannot return to the simulator's network namespace: %s", strerror(errno));
    }
    if (rc)
        snprintf(err, errlen, "netns %s: %s failed: %s (needs root)", path, what, strerror(errno));
    close(orig);
    return rc;
}

static void on_tun_readable(uv_poll_t *h, int status, int events)
{
    struct sim_tun *t = h->data;
    if (status < 0 || !(events & UV_READABLE))
        return;
    sim_up *u = t->up;
    for (int i = 0; i < 64; i++) { /* bounded: other handles get their turn */
        uint8_t *p = u->tx + G5_GTPU_HEADROOM;
        ssize_t n = read(t->fd, p, sizeof u->tx - G5_GTPU_HEADROOM);
        if (n <= 0)
            break;
        sim_n3_send_ul(u, t->sess, p, (size_t)n);
    }
}

/* uesimtunN with the first N that names neither a device here nor a namespace: another
 * simulator on the host may hold the lower ones. */
static void pick_name(sim_up *u, struct sim_tun *t)
{
    for (unsigned tries = 0; tries < 4096; tries++) {
        snprintf(t->name, sizeof t->name, "uesimtun%u", u->next_tun++);
        char path[64];
        struct stat st;
        netns_path(t->name, path, sizeof path);
        if (if_nametoindex(t->name) == 0 && stat(path, &st) != 0)
            return;
    }
}

int sim_tun_open(sim_up *u, sim_sess *s, bool netns, char *err, size_t errlen)
{
    if (s->tun)
        return 0;
    struct sim_tun *t = calloc(1, sizeof *t);
    if (!t)
        return G5_ERR_NOMEM;
    t->up = u;
    t->sess = s;
    t->fd = -1;
    t->netns = netns;
    pick_name(u, t);
    s->tun = t;
    int rc = netns ? setup_in_netns(t, s, err, errlen) : tun_setup(t, s);
    if (rc && !netns)
        snprintf(err, errlen, "TUN %s: %s (needs root or CAP_NET_ADMIN)", t->name, strerror(errno));
    if (!rc && uv_poll_init(u->eng->loop, &t->poll, t->fd) == 0) {
        t->poll.data = t;
        t->polling = uv_poll_start(&t->poll, UV_READABLE, on_tun_readable) == 0;
    }
    if (rc || !t->polling) {
        u->st.tun_errors++;
        sim_tun_free(u, s);
        return G5_ERR_IO;
    }
    u->st.tun_created++;
    G5_LOGI("PDU session %u: %s%s", s->psi, t->name, netns ? " in its own network namespace" : "");
    return 0;
}

static void on_poll_closed(uv_handle_t *h)
{
    free(h->data);
}

void sim_tun_free(sim_up *u, sim_sess *s)
{
    struct sim_tun *t = s->tun;
    if (!t)
        return;
    s->tun = NULL;
    if (t->fd >= 0) {
        close(t->fd); /* a non-persistent TUN disappears with its last descriptor */
        u->st.tun_closed++;
    }
    if (t->netns) {
        char path[64];
        netns_path(t->name, path, sizeof path);
        (void)umount2(path, MNT_DETACH);
        (void)unlink(path);
    }
    if (t->polling) {
        uv_poll_stop(&t->poll);
        uv_close((uv_handle_t *)&t->poll, on_poll_closed);
    } else {
        free(t);
    }
}

/* The IPv6 address fits in the namespace the device lives in: enter it for the ioctls. */
void sim_tun_set_ipv6(sim_up *u, sim_sess *s)
{
    struct sim_tun *t = s->tun;
    if (!t || !s->has_prefix)
        return;
    int orig = -1, ns = -1;
    if (t->netns) {
        char path[64];
        netns_path(t->name, path, sizeof path);
        orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        ns = open(path, O_RDONLY | O_CLOEXEC);
        if (orig < 0 || ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
            u->st.tun_errors++;
            if (orig >= 0)
                close(orig);
            if (ns >= 0)
                close(ns);
            return;
        }
    }
    if (add_ipv6(t->name, s->ipv6_prefix, s->ipv6_iid, 64) != 0 ||
        (t->netns && add_default_routes(t->name, false, true) != 0))
        u->st.tun_errors++;
    if (t->netns) {
        if (setns(orig, CLONE_NEWNET) != 0)
            G5_LOGE("cannot return to the simulator's network namespace: %s", strerror(errno));
        close(orig);
        close(ns);
    }
}

int sim_tun_write(sim_sess *s, const uint8_t *p, size_t n)
{
    if (!s->tun || s->tun->fd < 0)
        return G5_ERR_STATE;
    return write(s->tun->fd, p, n) == (ssize_t)n ? 0 : G5_ERR_IO;
}
