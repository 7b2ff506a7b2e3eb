/* SCTP backend over usrsctp (userland SCTP) in UDP-encapsulation mode (RFC 6951).
 *
 * usrsctp is a process-global stack with its own threads (UDP receive, timers): every
 * endpoint in the process shares one usrsctp_init() and one local UDP port (the first
 * endpoint's cfg.udp_port). The peer's UDP port is set per socket with
 * SCTP_REMOTE_UDP_ENCAPS_PORT for a client and learned from the INIT for a server.
 *
 * Threading: usrsctp calls our upcall from its threads when a socket becomes readable or
 * writable or gets an error. The upcall does nothing but append the socket's id to the
 * queue of the socket's loop (under the one mutex, g_mu) and wake that loop with
 * uv_async_send(). All reads (usrsctp_recvv), sends, accepts and callbacks happen on the
 * loop thread. The id is a number, not a pointer: [loop slot 8 | loop gen 8 | index 24 |
 * gen 24], so an upcall racing with a close can only name a dead id, which the loop
 * ignores (no use-after-free, no reference counting across threads). See docs/sctp.md.
 */
#define G5_LOG_MODULE "sctp"
#include "transport/sctp_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <usrsctp.h>

#include "core/err.h"
#include "core/log.h"

_Static_assert(sizeof(uintptr_t) >= 8, "usrsctp ids are 64-bit");

#define MAX_LOOPS 64
#define RX_BUF 65536
#define RX_BATCH 64 /* messages per socket per wake-up, then requeue (fairness) */
#define QUEUE_MAX (1u << 20) /* beyond: overflow flag, every socket is polled once */

enum { OBJ_LISTENER, OBJ_ASSOC };

typedef struct uctx uctx;

typedef struct uobj {
    int kind;
    struct socket *so;
    uctx *ctx;
    uint64_t id; /* 0 = not registered */
    int family;
} uobj;

typedef struct uep {
    g5_sctp_ep base;
    uobj o;
} uep;

typedef struct uassoc {
    g5_sctp_assoc base;
    uobj o;
    bool wcounted; /* counted in ctx->nwant */
} uassoc;

struct uctx {
    uv_loop_t *loop;
    uv_async_t async;
    /* usrsctp does not reliably call the upcall when send-buffer space frees up, so while
     * some association waits for writability a short timer re-checks them. */
    uv_timer_t wtimer;
    uint32_t nwant;
    int open_handles;
    uint8_t slot, gen;
    /* loop-thread only: object table indexed by the id's index field */
    uobj **objs;
    uint32_t *gens;
    uint32_t *freelist;
    uint32_t nobjs_cap, nfree, nlive;
    bool closing;
    /* shared with usrsctp threads, under g_mu */
    uint64_t *q;
    size_t qlen, qcap;
    bool overflow;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static uctx *g_ctx[MAX_LOOPS]; /* under g_mu */
static uint8_t g_ctx_gen[MAX_LOOPS]; /* under g_mu */
static bool g_inited; /* loop threads only, under g_mu when changed */
static uint16_t g_udp_port;
static unsigned g_sockets; /* open usrsctp sockets (for global cleanup) */

static _Thread_local uint8_t rxbuf[RX_BUF];

/* ---- the hand-over from usrsctp threads to the loop ---- */

static void q_push_locked(uctx *c, uint64_t id)
{
    if (c->qlen && c->q[c->qlen - 1] == id)
        return; /* coalesce repeated wake-ups of the same socket */
    if (c->qlen == c->qcap) {
        size_t cap = c->qcap ? c->qcap * 2 : 256;
        uint64_t *nq = cap <= QUEUE_MAX ? realloc(c->q, cap * sizeof *nq) : NULL;
        if (!nq) {
            c->overflow = true;
            return;
        }
        c->q = nq;
        c->qcap = cap;
    }
    c->q[c->qlen++] = id;
}

/* Runs on usrsctp threads (and sometimes inside usrsctp calls on the loop thread). */
static void upcall(struct socket *so, void *arg, int flags)
{
    uint64_t id = (uint64_t)(uintptr_t)arg;
    unsigned slot = (unsigned)(id >> 56);
    uint8_t gen = (uint8_t)(id >> 48);
    pthread_mutex_lock(&g_mu);
    uctx *c = slot < MAX_LOOPS ? g_ctx[slot] : NULL;
    if (c && c->gen == gen) {
        q_push_locked(c, id);
        uv_async_send(&c->async);
    }
    pthread_mutex_unlock(&g_mu);
}

static uobj *lookup(uctx *c, uint64_t id)
{
    uint32_t idx = (uint32_t)(id >> 24) & 0xFFFFFF;
    uint32_t gen = (uint32_t)id & 0xFFFFFF;
    if (idx >= c->nobjs_cap || !c->objs[idx] || c->gens[idx] != gen)
        return NULL;
    return c->objs[idx];
}

static void requeue(uobj *o)
{
    pthread_mutex_lock(&g_mu);
    q_push_locked(o->ctx, o->id);
    uv_async_send(&o->ctx->async);
    pthread_mutex_unlock(&g_mu);
}

static void dispatch(uobj *o);

static void on_async(uv_async_t *h)
{
    uctx *c = h->data;
    pthread_mutex_lock(&g_mu);
    uint64_t *q = c->q;
    size_t n = c->qlen;
    bool all = c->overflow;
    c->q = NULL;
    c->qlen = c->qcap = 0;
    c->overflow = false;
    pthread_mutex_unlock(&g_mu);
    for (size_t i = 0; i < n && !c->closing; i++) {
        uobj *o = lookup(c, q[i]);
        if (o)
            dispatch(o);
    }
    free(q);
    if (all)
        for (uint32_t i = 0; i < c->nobjs_cap && !c->closing; i++)
            if (c->objs[i])
                requeue(c->objs[i]);
}

static void on_ctx_closed(uv_handle_t *h)
{
    uctx *c = h->data;
    if (--c->open_handles > 0)
        return;
    free(c->objs);
    free(c->gens);
    free(c->freelist);
    free(c->q);
    free(c);
}

static uctx *ctx_get(uv_loop_t *loop)
{
    pthread_mutex_lock(&g_mu);
    int free_slot = -1;
    for (int i = 0; i < MAX_LOOPS; i++) {
        if (g_ctx[i] && g_ctx[i]->loop == loop && !g_ctx[i]->closing) {
            uctx *c = g_ctx[i];
            pthread_mutex_unlock(&g_mu);
            return c;
        }
        if (!g_ctx[i] && free_slot < 0)
            free_slot = i;
    }
    pthread_mutex_unlock(&g_mu);
    if (free_slot < 0)
        return NULL;
    uctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (uv_async_init(loop, &c->async, on_async) != 0) {
        free(c);
        return NULL;
    }
    uv_timer_init(loop, &c->wtimer);
    c->async.data = c;
    c->wtimer.data = c;
    c->open_handles = 2;
    c->loop = loop;
    pthread_mutex_lock(&g_mu);
    c->slot = (uint8_t)free_slot;
    c->gen = ++g_ctx_gen[free_slot];
    g_ctx[free_slot] = c;
    pthread_mutex_unlock(&g_mu);
    return c;
}

static void ctx_put(uctx *c)
{
    if (c->nlive > 0 || c->closing)
        return;
    c->closing = true;
    pthread_mutex_lock(&g_mu);
    g_ctx[c->slot] = NULL;
    pthread_mutex_unlock(&g_mu);
    uv_close((uv_handle_t *)&c->async, on_ctx_closed);
    uv_close((uv_handle_t *)&c->wtimer, on_ctx_closed);
}

static int obj_register(uctx *c, uobj *o, int kind)
{
    if (c->nfree == 0) {
        uint32_t cap = c->nobjs_cap ? c->nobjs_cap * 2 : 64;
        if (cap > 0xFFFFFF)
            return G5_ERR_LIMIT;
        uobj **no = realloc(c->objs, cap * sizeof(uobj *));
        if (!no)
            return G5_ERR_NOMEM;
        c->objs = no;
        uint32_t *ng = realloc(c->gens, cap * sizeof *ng);
        if (!ng)
            return G5_ERR_NOMEM;
        c->gens = ng;
        uint32_t *nf = realloc(c->freelist, cap * sizeof *nf);
        if (!nf)
            return G5_ERR_NOMEM;
        c->freelist = nf;
        for (uint32_t i = c->nobjs_cap; i < cap; i++) {
            c->objs[i] = NULL;
            c->gens[i] = 0;
        }
        for (uint32_t i = cap; i > c->nobjs_cap; i--)
            c->freelist[c->nfree++] = i - 1;
        c->nobjs_cap = cap;
    }
    uint32_t idx = c->freelist[--c->nfree];
    c->gens[idx] = (c->gens[idx] + 1) & 0xFFFFFF;
    c->objs[idx] = o;
    c->nlive++;
    o->kind = kind;
    o->ctx = c;
    o->id =
        ((uint64_t)c->slot << 56) | ((uint64_t)c->gen << 48) | ((uint64_t)idx << 24) | c->gens[idx];
    return 0;
}

static void obj_unregister(uobj *o)
{
    if (!o->id)
        return;
    uctx *c = o->ctx;
    uint32_t idx = (uint32_t)(o->id >> 24) & 0xFFFFFF;
    c->objs[idx] = NULL;
    c->freelist[c->nfree++] = idx;
    c->nlive--;
    o->id = 0;
    ctx_put(c);
}

/* ---- stack and sockets ---- */

static int udp_port_free(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    int ok = bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0;
    close(fd);
    return ok;
}

static int stack_init(const g5_sctp_cfg *cfg)
{
    if (g_inited) {
        if (cfg->udp_port != g_udp_port)
            G5_LOGD("usrsctp already on UDP port %u; ignoring udp_port %u", g_udp_port,
                    cfg->udp_port);
        return 0;
    }
    if (!udp_port_free(cfg->udp_port)) {
        G5_LOGE("usrsctp: UDP port %u (SCTP encapsulation) is in use; set another udp_port",
                cfg->udp_port);
        return G5_ERR_IO;
    }
    usrsctp_init(cfg->udp_port, NULL, NULL);
    g_inited = true;
    g_udp_port = cfg->udp_port;
    G5_LOGI("usrsctp stack up, SCTP over UDP port %u (RFC 6951)", g_udp_port);
    return 0;
}

static int uopt(struct socket *so, int level, int name, const void *v, socklen_t l,
                const char *what)
{
    if (usrsctp_setsockopt(so, level, name, v, l) == 0)
        return 0;
    G5_LOGE("usrsctp setsockopt %s: %s", what, strerror(errno));
    return G5_ERR_IO;
}

static int apply_opts(struct socket *so, int family, const g5_sctp_cfg *c)
{
    struct sctp_initmsg im = {
        .sinit_num_ostreams = c->out_streams,
        .sinit_max_instreams = c->in_streams,
        .sinit_max_attempts = c->max_init_attempts,
        .sinit_max_init_timeo =
            (uint16_t)(c->max_init_timeo_ms > 65535 ? 65535 : c->max_init_timeo_ms),
    };
    struct sctp_rtoinfo rto = {.srto_assoc_id = SCTP_FUTURE_ASSOC,
                               .srto_initial = c->rto_initial_ms,
                               .srto_max = c->rto_max_ms,
                               .srto_min = c->rto_min_ms};
    struct sctp_paddrparams pp;
    memset(&pp, 0, sizeof pp);
    pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
    pp.spp_address.ss_family = (sa_family_t)family; /* wildcard address: all paths */
    pp.spp_hbinterval = c->hb_interval_ms;
    pp.spp_flags = SPP_HB_ENABLE;
    int one = 1;
    int sndbuf = (int)c->max_buffered;
    int rcvbuf = 256 * 1024; /* larger messages arrive by partial delivery */
    int rc = uopt(so, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof im, "SCTP_INITMSG");
    if (!rc)
        rc = uopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto, "SCTP_RTOINFO");
    if (!rc)
        rc = uopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp, "PEER_ADDR_PARAMS");
    if (!rc)
        rc = uopt(so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &one, sizeof one, "SCTP_RECVRCVINFO");
    if (!rc)
        rc = uopt(so, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof one, "SCTP_NODELAY");
    if (!rc)
        rc = uopt(so, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf, "SO_SNDBUF");
    if (!rc)
        rc = uopt(so, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf, "SO_RCVBUF");
    static const uint16_t events[] = {SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE,
                                      SCTP_SEND_FAILED_EVENT, SCTP_SHUTDOWN_EVENT};
    for (size_t i = 0; !rc && i < sizeof events / sizeof events[0]; i++) {
        struct sctp_event ev = {.se_assoc_id = SCTP_FUTURE_ASSOC, .se_type = events[i], .se_on = 1};
        rc = uopt(so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev, "SCTP_EVENT");
    }
    if (!rc)
        usrsctp_set_non_blocking(so, 1);
    return rc;
}

static struct socket *new_socket(int family)
{
    struct socket *so = usrsctp_socket(family, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    if (!so)
        G5_LOGE("usrsctp_socket: %s", strerror(errno));
    else
        g_sockets++;
    return so;
}

static void close_so(struct socket *so, bool abort)
{
    if (!so)
        return;
    /* The upcall stays: usrsctp reads so_upcall without a lock after releasing the socket
     * buffer lock, so clearing it could race into a NULL call. A late upcall only names a
     * dead id, which the loop ignores. */
    if (abort) {
        struct linger l = {.l_onoff = 1, .l_linger = 0}; /* close sends ABORT */
        usrsctp_setsockopt(so, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    usrsctp_close(so);
    g_sockets--;
}

static int bind_addrs(struct socket *so, const struct sockaddr_storage *ss, int n)
{
    uint8_t packed[G5_SCTP_MAX_ADDRS * sizeof(struct sockaddr_in6)];
    g5__sctp_pack_addrs(ss, (size_t)n, packed, sizeof packed);
    int rc = n == 1 ? usrsctp_bind(so, (struct sockaddr *)packed,
                                   ss[0].ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                               : sizeof(struct sockaddr_in))
                    : usrsctp_bindx(so, (struct sockaddr *)packed, n, SCTP_BINDX_ADD_ADDR);
    if (rc != 0) {
        G5_LOGE("usrsctp bind: %s", strerror(errno));
        return G5_ERR_IO;
    }
    return 0;
}

/* ---- notifications (RFC 6458 6.1) ---- */

static g5_sctp_paddr paddr_ev(uint32_t st)
{
    switch (st) {
    case SCTP_ADDR_AVAILABLE: return G5_SCTP_PADDR_AVAILABLE;
    case SCTP_ADDR_UNREACHABLE: return G5_SCTP_PADDR_UNREACHABLE;
    case SCTP_ADDR_REMOVED: return G5_SCTP_PADDR_REMOVED;
    case SCTP_ADDR_ADDED: return G5_SCTP_PADDR_ADDED;
    case SCTP_ADDR_MADE_PRIM: return G5_SCTP_PADDR_PRIMARY;
    case SCTP_ADDR_CONFIRMED: return G5_SCTP_PADDR_CONFIRMED;
    default: return G5_SCTP_PADDR_OTHER;
    }
}

static void on_notification(g5_sctp_assoc *a, const uint8_t *p, size_t n)
{
    union sctp_notification sn;
    memset(&sn, 0, sizeof sn);
    if (n < sizeof sn.sn_header)
        return;
    memcpy(&sn, p, n < sizeof sn ? n : sizeof sn);
    switch (sn.sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
        if (n < sizeof sn.sn_assoc_change)
            return;
        const struct sctp_assoc_change *ac = &sn.sn_assoc_change;
        enum g5__sctp_ac st;
        switch (ac->sac_state) {
        case SCTP_COMM_UP: st = G5__AC_COMM_UP; break;
        case SCTP_COMM_LOST: st = G5__AC_COMM_LOST; break;
        case SCTP_RESTART: st = G5__AC_RESTART; break;
        case SCTP_SHUTDOWN_COMP: st = G5__AC_SHUTDOWN_COMP; break;
        case SCTP_CANT_STR_ASSOC: st = G5__AC_CANT_START; break;
        default: return;
        }
        g5__sctp_assoc_change(a, st, ac->sac_outbound_streams, ac->sac_inbound_streams);
        break;
    }
    case SCTP_PEER_ADDR_CHANGE:
        if (n < sizeof sn.sn_paddr_change)
            return;
        g5__sctp_peer_addr(a, (const struct sockaddr *)&sn.sn_paddr_change.spc_aaddr,
                           paddr_ev(sn.sn_paddr_change.spc_state));
        break;
    case SCTP_SEND_FAILED_EVENT:
        if (n < sizeof sn.sn_send_failed_event)
            return;
        g5__sctp_send_failed(a, sn.sn_send_failed_event.ssfe_info.snd_sid,
                             ntohl(sn.sn_send_failed_event.ssfe_info.snd_ppid),
                             sn.sn_send_failed_event.ssfe_error);
        break;
    case SCTP_SHUTDOWN_EVENT: g5__sctp_peer_shutdown(a); break;
    default: break;
    }
}

/* ---- loop-thread dispatch ---- */

static void read_assoc(uassoc *u)
{
    g5_sctp_assoc *a = &u->base;
    for (int i = 0; i < RX_BATCH; i++) {
        if (a->dead)
            return;
        struct sctp_rcvinfo ri;
        memset(&ri, 0, sizeof ri);
        socklen_t ilen = sizeof ri;
        unsigned itype = 0;
        int flags = 0;
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = usrsctp_recvv(u->o.so, rxbuf, sizeof rxbuf, (struct sockaddr *)&from, &flen,
                                  &ri, &ilen, &itype, &flags);
        if (n < 0) {
            if (errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR)
                return;
            int e = errno;
            G5_LOGD("usrsctp_recvv: %s", strerror(e));
            g5__sctp_down(a, !a->up            ? G5_SCTP_DOWN_CONNECT_FAILED
                             : e == ECONNRESET ? G5_SCTP_DOWN_ABORTED
                                               : G5_SCTP_DOWN_ERROR);
            return;
        }
        if (n == 0) {
            g5__sctp_down(a, a->shutting ? G5_SCTP_DOWN_SHUTDOWN
                             : a->up     ? G5_SCTP_DOWN_ABORTED
                                         : G5_SCTP_DOWN_CONNECT_FAILED);
            return;
        }
        if (flags & MSG_NOTIFICATION) {
            on_notification(a, rxbuf, (size_t)n);
            continue;
        }
        uint16_t sid = 0;
        uint32_t ppid = 0;
        if (itype == SCTP_RECVV_RCVINFO && ilen >= sizeof ri) {
            sid = ri.rcv_sid;
            ppid = ntohl(ri.rcv_ppid);
        }
        g5__sctp_rx(a, sid, ppid, (flags & MSG_EOR) != 0, rxbuf, (size_t)n);
    }
    if (!a->dead)
        requeue(&u->o); /* more may be waiting: come back after other sockets */
}

static void read_streams(uassoc *u)
{
    struct sctp_status st;
    memset(&st, 0, sizeof st);
    socklen_t l = sizeof st;
    if (usrsctp_getsockopt(u->o.so, IPPROTO_SCTP, SCTP_STATUS, &st, &l) == 0 && st.sstat_outstrms) {
        u->base.out_streams = st.sstat_outstrms;
        u->base.in_streams = st.sstat_instrms;
    }
}

static int assoc_attach(uassoc *u, uctx *c)
{
    int rc = obj_register(c, &u->o, OBJ_ASSOC);
    if (rc != 0)
        return rc;
    usrsctp_set_upcall(u->o.so, upcall, (void *)(uintptr_t)u->o.id);
    requeue(&u->o); /* anything that arrived before the upcall was set */
    return 0;
}

static void accept_all(uep *l)
{
    g5_sctp_ep *ep = &l->base;
    for (int i = 0; i < RX_BATCH; i++) {
        if (ep->dead)
            return;
        struct socket *so = usrsctp_accept(l->o.so, NULL, NULL);
        if (!so)
            return;
        g_sockets++;
        g5_sctp_assoc *a = g5__sctp_assoc_new(ep);
        if (!a) {
            close_so(so, true);
            g5__sctp_refused(ep);
            continue;
        }
        uassoc *u = (uassoc *)a;
        u->o.so = so;
        if (apply_opts(so, l->o.family, &ep->cfg) != 0 || assoc_attach(u, l->o.ctx) != 0) {
            g5_sctp_abort(a);
            continue;
        }
        read_streams(u);
        g5__sctp_up(a);
    }
    if (!ep->dead)
        requeue(&l->o); /* batch used up: more may be pending */
}

static void dispatch(uobj *o)
{
    if (o->kind == OBJ_LISTENER) {
        uep *l = (uep *)((char *)o - offsetof(uep, o));
        g5__sctp_ep_hold(&l->base);
        accept_all(l);
        g5__sctp_ep_release(&l->base);
        return;
    }
    uassoc *u = (uassoc *)((char *)o - offsetof(uassoc, o));
    g5_sctp_assoc *a = &u->base;
    g5__sctp_hold(a);
    if (!a->paused)
        read_assoc(u);
    if (!a->dead && a->want_writable && (usrsctp_get_events(u->o.so) & SCTP_EVENT_WRITE))
        g5__sctp_writable(a);
    g5__sctp_release(a);
}

/* ---- backend operations ---- */

static void want_count(uassoc *u, bool on);

static int u_listen(g5_sctp_ep *ep, const g5_sctp_addrs *local)
{
    uep *l = (uep *)ep;
    struct sockaddr_storage ss[G5_SCTP_MAX_ADDRS];
    int n = g5__sctp_parse_addrs(local, ss, G5_SCTP_MAX_ADDRS);
    if (n < 0)
        return n;
    int rc = stack_init(&ep->cfg);
    if (rc != 0)
        return rc;
    uctx *c = ctx_get(ep->loop);
    if (!c)
        return G5_ERR_LIMIT;
    l->o.so = new_socket(ss[0].ss_family);
    if (!l->o.so) {
        ctx_put(c);
        return G5_ERR_IO;
    }
    l->o.family = ss[0].ss_family;
    rc = apply_opts(l->o.so, l->o.family, &ep->cfg);
    if (!rc)
        rc = bind_addrs(l->o.so, ss, n);
    /* not below 128: refusals above max_assocs are ours (counted, logged) */
    int backlog = ep->cfg.max_assocs < 128    ? 128
                  : ep->cfg.max_assocs < 4096 ? (int)ep->cfg.max_assocs
                                              : 4096;
    if (!rc && usrsctp_listen(l->o.so, backlog) != 0) {
        G5_LOGE("usrsctp_listen: %s", strerror(errno));
        rc = G5_ERR_IO;
    }
    if (!rc)
        rc = obj_register(c, &l->o, OBJ_LISTENER);
    if (rc) {
        close_so(l->o.so, false);
        ctx_put(c);
        return rc;
    }
    struct sockaddr *la = NULL;
    if (usrsctp_getladdrs(l->o.so, 0, &la) > 0 && la) {
        ep->port = ntohs(((struct sockaddr_in *)la)->sin_port);
        usrsctp_freeladdrs(la);
    }
    if (!ep->port)
        ep->port = local ? local->port : 0;
    usrsctp_set_upcall(l->o.so, upcall, (void *)(uintptr_t)l->o.id);
    return 0;
}

static int u_connect(g5_sctp_ep *ep, g5_sctp_assoc *a, const g5_sctp_addrs *local,
                     const g5_sctp_addrs *peer)
{
    uassoc *u = (uassoc *)a;
    struct sockaddr_storage ps[G5_SCTP_MAX_ADDRS], ls[G5_SCTP_MAX_ADDRS];
    int np = g5__sctp_parse_addrs(peer, ps, G5_SCTP_MAX_ADDRS);
    if (np < 0)
        return np;
    int rc = stack_init(&ep->cfg);
    if (rc != 0)
        return rc;
    uctx *c = ctx_get(ep->loop);
    if (!c)
        return G5_ERR_LIMIT;
    u->o.so = new_socket(ps[0].ss_family);
    if (!u->o.so) {
        ctx_put(c);
        return G5_ERR_IO;
    }
    u->o.family = ps[0].ss_family;
    rc = apply_opts(u->o.so, u->o.family, &ep->cfg);
    /* RFC 6951 5.1: the peer's UDP port is ours to know for an association we start. */
    struct sctp_udpencaps enc;
    memset(&enc, 0, sizeof enc);
    enc.sue_assoc_id = SCTP_FUTURE_ASSOC;
    enc.sue_port = htons(ep->cfg.peer_udp_port);
    if (!rc)
        rc = uopt(u->o.so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, sizeof enc,
                  "SCTP_REMOTE_UDP_ENCAPS_PORT");
    if (!rc && local && (local->n || local->port)) {
        int nl = g5__sctp_parse_addrs(local, ls, G5_SCTP_MAX_ADDRS);
        rc = nl < 0 ? nl : bind_addrs(u->o.so, ls, nl);
    }
    if (!rc)
        rc = assoc_attach(u, c);
    if (!rc) {
        uint8_t packed[G5_SCTP_MAX_ADDRS * sizeof(struct sockaddr_in6)];
        g5__sctp_pack_addrs(ps, (size_t)np, packed, sizeof packed);
        int r = np == 1 ? usrsctp_connect(u->o.so, (struct sockaddr *)packed,
                                          ps[0].ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                                      : sizeof(struct sockaddr_in))
                        : usrsctp_connectx(u->o.so, (struct sockaddr *)packed, np, NULL);
        if (r != 0 && errno == ECONNREFUSED) {
            /* Refused before connect() returned (ABORT for our INIT came back at once):
             * report it like a late refusal, as cbs->down on the loop. */
            requeue(&u->o);
        } else if (r != 0 && errno != EINPROGRESS) {
            G5_LOGW("usrsctp connect: %s", strerror(errno));
            rc = G5_ERR_IO;
        }
    }
    if (rc) {
        close_so(u->o.so, false);
        u->o.so = NULL;
        if (u->o.id)
            obj_unregister(&u->o);
        else
            ctx_put(c);
        return rc;
    }
    a->out_streams = ep->cfg.out_streams;
    return 0;
}

static int u_send(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, const void *p, size_t n)
{
    uassoc *u = (uassoc *)a;
    struct sctp_sndinfo si = {.snd_sid = sid, .snd_ppid = htonl(ppid)};
    ssize_t r = usrsctp_sendv(u->o.so, p, n, NULL, 0, &si, sizeof si, SCTP_SENDV_SNDINFO, 0);
    if (r < 0) {
        if (errno == EWOULDBLOCK || errno == EAGAIN || errno == ENOBUFS)
            return G5_ERR_AGAIN;
        G5_LOGD("usrsctp_sendv: %s", strerror(errno));
        if (errno == EMSGSIZE)
            return G5_ERR_TOO_LONG;
        return errno == EPIPE || errno == ESHUTDOWN || errno == ENOTCONN ? G5_ERR_STATE : G5_ERR_IO;
    }
    g5__sctp_sent(a, n);
    return 0;
}

static int u_shutdown(g5_sctp_assoc *a)
{
    uassoc *u = (uassoc *)a;
    return usrsctp_shutdown(u->o.so, SHUT_WR) == 0 ? 0 : G5_ERR_IO;
}

static void u_close_sock(g5_sctp_assoc *a, bool abort)
{
    uassoc *u = (uassoc *)a;
    if (u->o.id)
        want_count(u, false);
    obj_unregister(&u->o);
    close_so(u->o.so, abort);
    u->o.so = NULL;
}

static void u_free(g5_sctp_assoc *a)
{
    g5__sctp_assoc_free_mem(a);
    free(a);
}

static void u_close_ep(g5_sctp_ep *ep)
{
    uep *l = (uep *)ep;
    if (ep->listener) {
        obj_unregister(&l->o);
        close_so(l->o.so, false);
    }
    free(l);
}

static void on_wtimer(uv_timer_t *t)
{
    uctx *c = t->data;
    for (uint32_t i = 0; i < c->nobjs_cap && !c->closing; i++) {
        uobj *o = c->objs[i];
        if (!o || o->kind != OBJ_ASSOC)
            continue;
        uassoc *u = (uassoc *)((char *)o - offsetof(uassoc, o));
        if (!u->base.want_writable || !(usrsctp_get_events(o->so) & SCTP_EVENT_WRITE))
            continue;
        g5__sctp_hold(&u->base);
        g5__sctp_writable(&u->base);
        g5__sctp_release(&u->base);
    }
}

static void want_count(uassoc *u, bool on)
{
    uctx *c = u->o.ctx;
    if (on == u->wcounted || !c)
        return;
    u->wcounted = on;
    if (on && c->nwant++ == 0)
        uv_timer_start(&c->wtimer, on_wtimer, 2, 2);
    else if (!on && --c->nwant == 0)
        uv_timer_stop(&c->wtimer);
}

static void u_watch(g5_sctp_assoc *a)
{
    uassoc *u = (uassoc *)a;
    if (u->o.id)
        want_count(u, a->want_writable);
    /* Re-check once on the loop: writability (no lost wake-up) or data left unread while
     * paused (usrsctp will not call the upcall again for data already queued). */
    if (u->o.id && (a->want_writable || !a->paused))
        requeue(&u->o);
}

static int u_info(const g5_sctp_assoc *a, g5_sctp_info *info)
{
    const uassoc *u = (const uassoc *)a;
    struct sctp_status st;
    memset(&st, 0, sizeof st);
    socklen_t l = sizeof st;
    if (usrsctp_getsockopt(u->o.so, IPPROTO_SCTP, SCTP_STATUS, &st, &l) != 0)
        return G5_ERR_IO;
    info->out_streams = st.sstat_outstrms;
    info->in_streams = st.sstat_instrms;
    g5__sctp_ntop((const struct sockaddr *)&st.sstat_primary.spinfo_address, info->peer_addr,
                  sizeof info->peer_addr);
    info->peer_port =
        ntohs(((const struct sockaddr_in *)&st.sstat_primary.spinfo_address)->sin_port);
    struct sockaddr *la = NULL;
    if (usrsctp_getladdrs(u->o.so, 0, &la) > 0 && la) {
        info->local_port = ntohs(((struct sockaddr_in *)la)->sin_port);
        usrsctp_freeladdrs(la);
    }
    struct sockaddr *pa = NULL;
    int np = usrsctp_getpaddrs(u->o.so, 0, &pa);
    if (np > 0 && pa) {
        info->npeer_addrs = (uint16_t)np;
        usrsctp_freepaddrs(pa);
    }
    return 0;
}

int g5_sctp_global_cleanup(unsigned timeout_ms)
{
    if (!g_inited)
        return 0;
    if (g_sockets > 0)
        return G5_ERR_AGAIN;
    for (unsigned waited = 0;; waited += 10) {
        if (usrsctp_finish() == 0) {
            g_inited = false;
            return 0;
        }
        if (waited >= timeout_ms)
            return G5_ERR_AGAIN;
        usleep(10000);
    }
}

const g5_sctp_be g5__sctp_be_usrsctp = {
    .id = G5_SCTP_USRSCTP,
    .ep_size = sizeof(uep),
    .assoc_size = sizeof(uassoc),
    .listen = u_listen,
    .connect = u_connect,
    .send = u_send,
    .shutdown = u_shutdown,
    .close_sock = u_close_sock,
    .free = u_free,
    .close_ep = u_close_ep,
    .watch = u_watch,
    .info = u_info,
};
