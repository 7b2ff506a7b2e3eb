/* SCTP backend over the Linux kernel (lksctp), driven by libuv uv_poll_t.
 *
 * One-to-one (SOCK_STREAM) sockets, RFC 6458 clause 4: a listening socket plus one socket
 * per association. Chosen over one-to-many (SOCK_SEQPACKET) because the send buffer, and
 * so backpressure, is per association: a gNB that stops reading blocks only its own
 * sends, not the AMF's sends to every other gNB; each association gets its own poll
 * handle and its own abort (docs/sctp.md). Messages are sent with an SCTP_SNDINFO cmsg
 * (stream, PPID) and received with SCTP_RCVINFO; notifications arrive in-band with
 * MSG_NOTIFICATION. Built only when lksctp-tools (netinet/sctp.h, libsctp) is present. */
#define G5_LOG_MODULE "sctp"
#include "transport/sctp_int.h"

#include "core/err.h"
#include "core/log.h"

#ifdef G5_HAVE_LKSCTP

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct kep {
    g5_sctp_ep base;
    int fd;
    bool polling;
    uv_poll_t poll;
} kep;

typedef struct kassoc {
    g5_sctp_assoc base;
    int fd;
    bool polling;
    uv_poll_t poll;
} kassoc;

#define RX_BUF 65536
#define RX_BATCH 64 /* messages per wake-up before yielding to other handles */

static _Thread_local uint8_t rxbuf[RX_BUF];

static int setopt(int fd, int level, int name, const void *v, socklen_t l)
{
    return setsockopt(fd, level, name, v, l) == 0 ? 0 : -1;
}

/* Socket buffer size: the FORCE variant (CAP_NET_ADMIN) is not capped by
 * net.core.wmem_max/rmem_max (~208 KiB by default), which would refuse large messages. */
static int set_buf(int fd, int force_opt, int opt, int v)
{
    if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) == 0)
        return 0;
    return setopt(fd, SOL_SOCKET, opt, &v, sizeof v);
}

/* Applies the configuration to a socket (inherited by accepted sockets on Linux, but set
 * again after accept so a listener-level change cannot be missed). */
static int apply_opts(int fd, const g5_sctp_cfg *c)
{
    struct sctp_initmsg im = {
        .sinit_num_ostreams = c->out_streams,
        .sinit_max_instreams = c->in_streams,
        .sinit_max_attempts = c->max_init_attempts,
        .sinit_max_init_timeo =
            (uint16_t)(c->max_init_timeo_ms > 65535 ? 65535 : c->max_init_timeo_ms),
    };
    struct sctp_rtoinfo rto = {
        .srto_initial = c->rto_initial_ms, .srto_max = c->rto_max_ms, .srto_min = c->rto_min_ms};
    struct sctp_paddrparams pp;
    memset(&pp, 0, sizeof pp);
    pp.spp_hbinterval = c->hb_interval_ms;
    pp.spp_flags = SPP_HB_ENABLE;
    struct sctp_event_subscribe ev;
    memset(&ev, 0, sizeof ev);
    ev.sctp_association_event = 1;
    ev.sctp_address_event = 1;
    ev.sctp_send_failure_event = 1;
    ev.sctp_shutdown_event = 1;
    int one = 1;
    int sndbuf = (int)(c->max_buffered / 2); /* the kernel doubles it (socket(7)) */
    int rcvbuf = 128 * 1024; /* doubled too; larger messages arrive by partial delivery */
    if (setopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof im) ||
        setopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto) ||
        setopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp) ||
        setopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof ev) ||
        setopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &one, sizeof one) ||
        setopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof one) ||
        set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf) ||
        set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf)) {
        G5_LOGE("kernel SCTP setsockopt: %s", strerror(errno));
        return G5_ERR_IO;
    }
    return 0;
}

static int new_socket(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_SCTP);
    if (fd < 0)
        G5_LOGE("socket(IPPROTO_SCTP): %s", strerror(errno));
    return fd;
}

static void abort_fd(int fd)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0}; /* close() sends ABORT (RFC 6458 8.1.4) */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

static int bind_addrs(int fd, const struct sockaddr_storage *ss, int n)
{
    uint8_t packed[G5_SCTP_MAX_ADDRS * sizeof(struct sockaddr_in6)];
    g5__sctp_pack_addrs(ss, (size_t)n, packed, sizeof packed);
    if (sctp_bindx(fd, (struct sockaddr *)packed, n, SCTP_BINDX_ADD_ADDR) != 0) {
        G5_LOGE("sctp_bindx: %s", strerror(errno));
        return G5_ERR_IO;
    }
    return 0;
}

/* ---- notifications (RFC 6458 6.1): lksctp's ABI, decoded in sctp_common.c ---- */

#define G5_SSFE_ERROR ssf_error /* lksctp's name for ssfe_error */
#define G5_HAVE_SEND_FAILED 1 /* SCTP_EVENTS subscribes to the older SCTP_SEND_FAILED */
#include "transport/sctp_abi.inc"

/* ---- associations ---- */

static void read_assoc(kassoc *k)
{
    g5_sctp_assoc *a = &k->base;
    for (int i = 0; i < RX_BATCH && !a->dead; i++) {
        struct iovec iov = {.iov_base = rxbuf, .iov_len = sizeof rxbuf};
        union {
            struct cmsghdr h;
            uint8_t b[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
        } cm;
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof cm.b};
        ssize_t n = recvmsg(k->fd, &mh, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            g5__sctp_read_end(a, n < 0 ? errno : 0);
            return;
        }
        if (mh.msg_flags & MSG_NOTIFICATION) {
            g5__sctp_notification(a, &abi, rxbuf, (size_t)n);
            continue;
        }
        uint16_t sid = 0;
        uint32_t ppid = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == IPPROTO_SCTP && c->cmsg_type == SCTP_RCVINFO &&
                c->cmsg_len >= CMSG_LEN(sizeof(struct sctp_rcvinfo))) {
                struct sctp_rcvinfo ri;
                memcpy(&ri, CMSG_DATA(c), sizeof ri);
                sid = ri.rcv_sid;
                ppid = ntohl(ri.rcv_ppid);
            }
        }
        g5__sctp_rx(a, sid, ppid, (mh.msg_flags & MSG_EOR) != 0, rxbuf, (size_t)n);
    }
}

static void on_assoc_poll(uv_poll_t *h, int status, int events)
{
    kassoc *k = h->data;
    g5_sctp_assoc *a = &k->base;
    g5__sctp_hold(a);
    if (!a->paused && (status < 0 || (events & UV_READABLE)))
        read_assoc(k);
    if (!a->dead && (events & UV_WRITABLE))
        g5__sctp_writable(a);
    g5__sctp_release(a);
}

static int start_assoc_poll(kassoc *k, uv_loop_t *loop)
{
    if (uv_poll_init(loop, &k->poll, k->fd) != 0)
        return G5_ERR_IO;
    k->poll.data = k;
    k->polling = true;
    uv_poll_start(&k->poll, UV_READABLE, on_assoc_poll);
    return 0;
}

static void read_streams(kassoc *k)
{
    struct sctp_status st;
    memset(&st, 0, sizeof st);
    socklen_t l = sizeof st;
    if (getsockopt(k->fd, IPPROTO_SCTP, SCTP_STATUS, &st, &l) == 0) {
        k->base.out_streams = st.sstat_outstrms;
        k->base.in_streams = st.sstat_instrms;
    }
}

static void on_listen_poll(uv_poll_t *h, int status, int events)
{
    kep *l = h->data;
    g5_sctp_ep *ep = &l->base;
    g5__sctp_ep_hold(ep);
    for (int i = 0; i < RX_BATCH && !ep->dead; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            break;
        g5_sctp_assoc *a = g5__sctp_assoc_new(ep);
        if (!a) {
            abort_fd(fd);
            g5__sctp_refused(ep);
            continue;
        }
        kassoc *k = (kassoc *)a;
        k->fd = fd;
        if (apply_opts(fd, &ep->cfg) != 0 || start_assoc_poll(k, ep->loop) != 0) {
            g5_sctp_abort(a);
            continue;
        }
        read_streams(k);
        g5__sctp_up(a);
    }
    g5__sctp_ep_release(ep);
}

static int k_listen(g5_sctp_ep *ep, const g5_sctp_addrs *local)
{
    kep *l = (kep *)ep;
    struct sockaddr_storage ss[G5_SCTP_MAX_ADDRS];
    int n = g5__sctp_parse_addrs(local, ss, G5_SCTP_MAX_ADDRS);
    if (n < 0)
        return n;
    l->fd = new_socket(ss[0].ss_family);
    if (l->fd < 0)
        return G5_ERR_IO;
    int one = 1;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = apply_opts(l->fd, &ep->cfg);
    if (rc == 0)
        rc = bind_addrs(l->fd, ss, n);
    if (rc == 0 && listen(l->fd, g5__sctp_backlog(&ep->cfg)) != 0) {
        G5_LOGE("listen: %s", strerror(errno));
        rc = G5_ERR_IO;
    }
    struct sockaddr_storage me;
    memset(&me, 0, sizeof me);
    socklen_t ml = sizeof me;
    if (rc == 0 && getsockname(l->fd, (struct sockaddr *)&me, &ml) == 0)
        ep->port = ntohs(((struct sockaddr_in *)&me)->sin_port);
    if (rc == 0 && uv_poll_init(ep->loop, &l->poll, l->fd) != 0)
        rc = G5_ERR_IO;
    if (rc != 0) {
        close(l->fd);
        return rc;
    }
    l->poll.data = l;
    l->polling = true;
    uv_poll_start(&l->poll, UV_READABLE, on_listen_poll);
    return 0;
}

static int k_connect(g5_sctp_ep *ep, g5_sctp_assoc *a, const g5_sctp_addrs *local,
                     const g5_sctp_addrs *peer)
{
    kassoc *k = (kassoc *)a;
    struct sockaddr_storage ps[G5_SCTP_MAX_ADDRS], ls[G5_SCTP_MAX_ADDRS];
    int np = g5__sctp_parse_addrs(peer, ps, G5_SCTP_MAX_ADDRS);
    if (np < 0)
        return np;
    k->fd = new_socket(ps[0].ss_family);
    if (k->fd < 0)
        return G5_ERR_IO;
    int rc = apply_opts(k->fd, &ep->cfg);
    if (rc == 0 && local && (local->n || local->port)) {
        int nl = g5__sctp_parse_addrs(local, ls, G5_SCTP_MAX_ADDRS);
        rc = nl < 0 ? nl : bind_addrs(k->fd, ls, nl);
    }
    if (rc == 0) {
        uint8_t packed[G5_SCTP_MAX_ADDRS * sizeof(struct sockaddr_in6)];
        g5__sctp_pack_addrs(ps, (size_t)np, packed, sizeof packed);
        if (sctp_connectx(k->fd, (struct sockaddr *)packed, np, NULL) != 0 &&
            errno != EINPROGRESS) {
            G5_LOGW("sctp_connectx: %s", strerror(errno));
            rc = G5_ERR_IO;
        }
    }
    if (rc == 0)
        rc = start_assoc_poll(k, ep->loop);
    if (rc != 0) {
        close(k->fd);
        return rc;
    }
    a->out_streams = ep->cfg.out_streams;
    return 0;
}

static int k_send(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, const void *p, size_t n, bool more)
{
    kassoc *k = (kassoc *)a;
    struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
    union {
        struct cmsghdr h;
        uint8_t b[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
    } cm;
    memset(&cm, 0, sizeof cm);
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof cm.b};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = IPPROTO_SCTP;
    c->cmsg_type = SCTP_SNDINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct sctp_sndinfo));
    struct sctp_sndinfo si = {.snd_sid = sid, .snd_ppid = htonl(ppid)};
    memcpy(CMSG_DATA(c), &si, sizeof si);
    /* more is not used: MSG_MORE (Linux >= 4.14) corks the sub-MTU remainder until a send
     * without it, and under backpressure (that send refused with EAGAIN) the association
     * stalled in the shared suite (test_flood, test_backpressure under UML 6.1). Each
     * message is sent at once (SCTP_NODELAY); see sctp.c "bundling". */
    (void)more;
    ssize_t r = sendmsg(k->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r < 0) {
        int e = errno;
        if (e == EAGAIN || e == ENOMEM || e == ENOBUFS)
            return G5_ERR_AGAIN;
        G5_LOGD("sendmsg: %s", strerror(e));
        if (e == EMSGSIZE)
            return G5_ERR_TOO_LONG;
        /* the association is closing or gone (the peer's ABORT is not read yet) */
        return e == EPIPE || e == ESHUTDOWN || e == ECONNRESET || e == ENOTCONN ? G5_ERR_STATE
                                                                                : G5_ERR_IO;
    }
    g5__sctp_sent(a, n);
    return 0;
}

static int k_shutdown(g5_sctp_assoc *a)
{
    kassoc *k = (kassoc *)a;
    return shutdown(k->fd, SHUT_WR) == 0 ? 0 : G5_ERR_IO;
}

static void k_close_sock(g5_sctp_assoc *a, bool abort)
{
    kassoc *k = (kassoc *)a;
    if (k->polling)
        uv_poll_stop(&k->poll);
    if (k->fd >= 0) {
        if (abort)
            abort_fd(k->fd);
        else
            close(k->fd);
        k->fd = -1;
    }
}

static void on_assoc_closed(uv_handle_t *h)
{
    kassoc *k = h->data;
    g5__sctp_assoc_free_mem(&k->base);
    free(k);
}

static void k_free(g5_sctp_assoc *a)
{
    kassoc *k = (kassoc *)a;
    if (k->polling) {
        k->polling = false;
        uv_close((uv_handle_t *)&k->poll, on_assoc_closed);
        return;
    }
    g5__sctp_assoc_free_mem(a);
    free(k);
}

static void on_ep_closed(uv_handle_t *h)
{
    free(h->data);
}

static void k_close_ep(g5_sctp_ep *ep)
{
    kep *l = (kep *)ep;
    if (!ep->listener) {
        free(l);
        return;
    }
    uv_poll_stop(&l->poll);
    close(l->fd);
    uv_close((uv_handle_t *)&l->poll, on_ep_closed);
}

static void k_watch(g5_sctp_assoc *a)
{
    kassoc *k = (kassoc *)a;
    if (!k->polling)
        return;
    int ev = (a->paused ? 0 : UV_READABLE) | (a->want_writable ? UV_WRITABLE : 0);
    if (ev)
        uv_poll_start(&k->poll, ev, on_assoc_poll);
    else
        uv_poll_stop(&k->poll);
}

static int k_info(const g5_sctp_assoc *a, g5_sctp_info *info)
{
    const kassoc *k = (const kassoc *)a;
    struct sctp_status st;
    memset(&st, 0, sizeof st);
    socklen_t l = sizeof st;
    if (getsockopt(k->fd, IPPROTO_SCTP, SCTP_STATUS, &st, &l) != 0)
        return G5_ERR_IO;
    info->out_streams = st.sstat_outstrms;
    info->in_streams = st.sstat_instrms;
    g5__sctp_ntop((const struct sockaddr *)&st.sstat_primary.spinfo_address, info->peer_addr,
                  sizeof info->peer_addr);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl = sizeof ss;
    if (getsockname(k->fd, (struct sockaddr *)&ss, &sl) == 0)
        info->local_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    sl = sizeof ss;
    if (getpeername(k->fd, (struct sockaddr *)&ss, &sl) == 0)
        info->peer_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    struct sockaddr *pa = NULL;
    int np = sctp_getpaddrs(k->fd, 0, &pa);
    if (np > 0) {
        info->npeer_addrs = (uint16_t)np;
        sctp_freepaddrs(pa);
    }
    return 0;
}

const g5_sctp_be g5__sctp_be_kernel = {
    .id = G5_SCTP_KERNEL,
    .ep_size = sizeof(kep),
    .assoc_size = sizeof(kassoc),
    .listen = k_listen,
    .connect = k_connect,
    .send = k_send,
    .shutdown = k_shutdown,
    .close_sock = k_close_sock,
    .free = k_free,
    .close_ep = k_close_ep,
    .watch = k_watch,
    .info = k_info,
};

#else /* !G5_HAVE_LKSCTP: the kernel backend is refused with a clear error */

static int nok_listen(g5_sctp_ep *ep, const g5_sctp_addrs *local)
{
    G5_LOGE("kernel SCTP backend not built (lksctp-tools / libsctp-dev missing)");
    return G5_ERR_UNSUPPORTED;
}
static int nok_connect(g5_sctp_ep *ep, g5_sctp_assoc *a, const g5_sctp_addrs *local,
                       const g5_sctp_addrs *peer)
{
    return nok_listen(ep, local);
}

const g5_sctp_be g5__sctp_be_kernel = {
    .id = G5_SCTP_KERNEL,
    .ep_size = sizeof(g5_sctp_ep),
    .assoc_size = sizeof(g5_sctp_assoc),
    .listen = nok_listen,
    .connect = nok_connect,
};
#endif
