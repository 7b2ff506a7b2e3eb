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
#include <stddef.h>
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
#define GRAVE_MAX_MS 2000u /* longest wait for usrsctp to free an aborted association */

enum { OBJ_LISTENER, OBJ_ASSOC };

typedef struct uctx uctx;

/* A socket whose close waits until usrsctp has freed its association (close_so). */
typedef struct grave {
    struct socket *so;
    uint64_t since_ms;
    bool abort, reaborted;
    struct grave *next;
} grave;

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
    bool nagle; /* SCTP_NODELAY is off on the socket (bundling a batch) */
} uassoc;

struct uctx {
    uv_loop_t *loop;
    uv_async_t async;
    /* usrsctp does not reliably call the upcall when send-buffer space frees up, so while
     * some association waits for writability a short timer re-checks them. */
    uv_timer_t wtimer;
    uint32_t nwant;
    grave *graves; /* sockets to close once their association is gone */
    uint32_t ngraves;
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
    if (c->nlive > 0 || c->ngraves > 0 || c->closing)
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

/* True while usrsctp still holds an association on this one-to-one socket (SCTP_STATUS
 * finds the first association of the socket's endpoint, even one being freed). */
static bool has_assoc(struct socket *so)
{
    struct sctp_status st;
    memset(&st, 0, sizeof st);
    socklen_t l = sizeof st;
    return usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &l) == 0;
}

/* Sends ABORT and frees the association, leaving the socket open (RFC 6458 5.3.2:
 * SCTP_ABORT in snd_flags; the zero-length user data becomes an empty "User-Initiated
 * Abort" cause, RFC 9260 3.3.10.12). usrsctp_sendv() refuses a NULL data pointer with
 * EFAULT even for length 0, so a real, empty buffer is passed. */
static void abort_assoc(struct socket *so)
{
    static const uint8_t none[1];
    struct sctp_sndinfo si;
    memset(&si, 0, sizeof si);
    si.snd_flags = SCTP_ABORT;
    if (usrsctp_sendv(so, none, 0, NULL, 0, &si, sizeof si, SCTP_SENDV_SNDINFO, 0) < 0 &&
        errno != ENOTCONN)
        G5_LOGD("usrsctp abort: %s", strerror(errno));
}

static void final_close(struct socket *so, bool force_abort)
{
    if (force_abort) {
        struct linger l = {.l_onoff = 1, .l_linger = 0};
        usrsctp_setsockopt(so, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    usrsctp_close(so);
    g_sockets--;
}

static void timer_update(uctx *c);

/* Closes a socket without racing usrsctp's receive thread (docs/sctp.md "Aborting under
 * load"). While an association exists, usrsctp's input path may take a reference on its
 * socket (to call the upcall) at any moment. If usrsctp_close() drops the last
 * application reference first, that late reference is taken on a socket already being
 * destroyed, and both threads free it: the double free ASan found in libusrsctp 0.9.5.
 * So the association goes first: aborted here (ABORT on the wire at once) or already
 * ended by the stack; the socket is closed only once usrsctp no longer lists an
 * association for it, after which nothing inside usrsctp can reach the socket except
 * through a reference it already holds (which usrsctp_close() then correctly leaves to
 * its holder). Usually that is immediate; otherwise the socket waits in c->graves and the
 * loop timer retries every 2 ms. The upcall stays set: usrsctp reads so_upcall without a
 * lock, and a late upcall names a dead id, which the loop ignores. */
static void close_so(uctx *c, struct socket *so, bool abort)
{
    if (!so)
        return;
    if (abort)
        abort_assoc(so);
    if (!c || !has_assoc(so)) {
        final_close(so, false);
        return;
    }
    grave *g = malloc(sizeof *g);
    if (!g) { /* cannot wait: close now, as before the fix */
        final_close(so, true);
        return;
    }
    g->so = so;
    g->since_ms = uv_now(c->loop);
    g->abort = abort;
    g->reaborted = false;
    g->next = c->graves;
    c->graves = g;
    c->ngraves++;
    timer_update(c);
}

/* Closes the buried sockets whose association usrsctp has freed (loop timer). */
static void reap_graves(uctx *c)
{
    uint64_t now = uv_now(c->loop);
    for (grave **pg = &c->graves; *pg;) {
        grave *g = *pg;
        bool gone = !has_assoc(g->so);
        if (!gone && now - g->since_ms < GRAVE_MAX_MS) {
            if (g->abort && !g->reaborted && now - g->since_ms >= 100) {
                g->reaborted = true; /* the first ABORT may have met a transient error */
                abort_assoc(g->so);
            }
            pg = &g->next;
            continue;
        }
        if (!gone)
            G5_LOGW("usrsctp still holds a closed association after %u ms; closing anyway",
                    GRAVE_MAX_MS);
        final_close(g->so, !gone);
        *pg = g->next;
        free(g);
        c->ngraves--;
    }
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

/* ---- notifications (RFC 6458 6.1): usrsctp's ABI, decoded in sctp_common.c ---- */

#define G5_SSFE_ERROR ssfe_error
#include "transport/sctp_abi.inc"

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
        if (n < 0 && (errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            g5__sctp_read_end(a, n < 0 ? errno : 0);
            return;
        }
        if (flags & MSG_NOTIFICATION) {
            g5__sctp_notification(a, &abi, rxbuf, (size_t)n);
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
            close_so(l->o.ctx, so, true);
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
    if (!rc && usrsctp_listen(l->o.so, g5__sctp_backlog(&ep->cfg)) != 0) {
        G5_LOGE("usrsctp_listen: %s", strerror(errno));
        rc = G5_ERR_IO;
    }
    if (!rc)
        rc = obj_register(c, &l->o, OBJ_LISTENER);
    if (rc) {
        close_so(c, l->o.so, false);
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
        close_so(c, u->o.so, true);
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

/* usrsctp has no MSG_MORE: a batch is sent with Nagle on (SCTP_NODELAY off), so while
 * data is in flight its DATA chunks wait in the stream queues, and its last message with
 * SCTP_NODELAY on again, whose send runs the output routine over everything queued:
 * the chunks leave bundled, as few packets (UDP datagrams, CRC32c, sendmsg) as fit. */
static void u_nagle(uassoc *u, bool on)
{
    if (u->nagle == on)
        return;
    int v = on ? 0 : 1;
    if (usrsctp_setsockopt(u->o.so, IPPROTO_SCTP, SCTP_NODELAY, &v, sizeof v) == 0)
        u->nagle = on;
}

static int u_send(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, const void *p, size_t n, bool more)
{
    uassoc *u = (uassoc *)a;
    u_nagle(u, more);
    struct sctp_sndinfo si = {.snd_sid = sid, .snd_ppid = htonl(ppid)};
    ssize_t r = usrsctp_sendv(u->o.so, p, n, NULL, 0, &si, sizeof si, SCTP_SENDV_SNDINFO, 0);
    if (r < 0) {
        int e = errno;
        if (e == EWOULDBLOCK || e == EAGAIN || e == ENOBUFS)
            return G5_ERR_AGAIN;
        G5_LOGD("usrsctp_sendv: %s", strerror(e));
        if (e == EMSGSIZE)
            return G5_ERR_TOO_LONG;
        /* The association is closing or gone: the peer's ABORT reached the stack but not
         * yet the loop (ECONNRESET, then ENOENT once usrsctp has freed it). */
        return e == EPIPE || e == ESHUTDOWN || e == ENOTCONN || e == ECONNRESET || e == ENOENT
                   ? G5_ERR_STATE
                   : G5_ERR_IO;
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
    uctx *c = u->o.id ? u->o.ctx : NULL;
    if (u->o.id)
        want_count(u, false);
    close_so(c, u->o.so, abort); /* before unregistering: a buried socket keeps c alive */
    u->o.so = NULL;
    obj_unregister(&u->o);
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
        /* Associations accepted by the stack but not yet by us are aborted like ours (an
         * unaccepted socket would otherwise be torn down by usrsctp_close(listener) with
         * the same race as close_so() avoids). */
        struct socket *so;
        while ((so = usrsctp_accept(l->o.so, NULL, NULL)) != NULL) {
            g_sockets++;
            close_so(l->o.ctx, so, true);
        }
        close_so(l->o.ctx, l->o.so, false);
        obj_unregister(&l->o);
    }
    free(l);
}

/* Runs every 2 ms while an association waits for writability or a socket for its close. */
static void on_wtimer(uv_timer_t *t)
{
    uctx *c = t->data;
    if (c->ngraves) {
        reap_graves(c);
        timer_update(c);
        ctx_put(c); /* the last buried socket may have been all that kept c */
    }
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
    if (on)
        c->nwant++;
    else
        c->nwant--;
    timer_update(c);
}

static void timer_update(uctx *c)
{
    bool on = c->nwant > 0 || c->ngraves > 0;
    if (on && !uv_is_active((uv_handle_t *)&c->wtimer))
        uv_timer_start(&c->wtimer, on_wtimer, 2, 2);
    else if (!on)
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
