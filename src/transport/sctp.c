/* SCTP front end: configuration, backend choice, and the association life cycle shared by
 * both backends (up/down reporting, deferred free, listener limits, reassembly of partial
 * deliveries, bundling of the messages of one loop iteration). The backends only move
 * bytes and translate notifications. See sctp_int.h for the life-cycle rules and
 * docs/sctp.md for the design. */
#define G5_LOG_MODULE "sctp"
#include "transport/sctp_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"

void g5_sctp_cfg_defaults(g5_sctp_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->backend = G5_SCTP_AUTO;
    cfg->udp_port = G5_SCTP_UDP_ENCAPS_PORT;
    cfg->peer_udp_port = G5_SCTP_UDP_ENCAPS_PORT;
    cfg->out_streams = 16;
    cfg->in_streams = 16;
    cfg->max_init_attempts = 8; /* RFC 4960 15: Max.Init.Retransmits */
    cfg->max_init_timeo_ms = 60000; /* RFC 4960 15: RTO.Max */
    cfg->hb_interval_ms = 30000; /* RFC 4960 15: HB.interval */
    cfg->rto_initial_ms = 3000; /* RFC 4960 15 */
    cfg->rto_min_ms = 1000;
    cfg->rto_max_ms = 60000;
    cfg->max_assocs = 1024;
    cfg->max_msg_size = 65536;
    cfg->max_buffered = 256 * 1024;
}

int g5_sctp_cfg_check(const g5_sctp_cfg *c, char *err, size_t errlen)
{
    const char *why = NULL;
    if (c->backend < G5_SCTP_AUTO || c->backend > G5_SCTP_USRSCTP)
        why = "backend must be auto, kernel or usrsctp";
    else if (c->out_streams == 0 || c->in_streams == 0)
        why = "out_streams and in_streams must be at least 1 (stream 0 carries "
              "non-UE-associated NGAP, TS 38.412 7)";
    else if (c->max_init_attempts == 0)
        why = "max_init_attempts must be at least 1";
    else if (c->rto_min_ms == 0 || c->rto_min_ms > c->rto_initial_ms ||
             c->rto_initial_ms > c->rto_max_ms)
        why = "RTO values must satisfy 0 < rto_min <= rto_initial <= rto_max";
    else if (c->max_msg_size == 0 || c->max_msg_size > 16u * 1024 * 1024)
        why = "max_msg_size must be 1 .. 16 MiB";
    else if (c->max_buffered < c->max_msg_size)
        why = "max_buffered must be at least max_msg_size (one message must fit)";
    else if (c->max_assocs == 0)
        why = "max_assocs must be at least 1";
    else if (c->udp_port == 0)
        why = "udp_port must be 1 .. 65535";
    if (!why)
        return 0;
    if (err && errlen)
        snprintf(err, errlen, "sctp: %s", why);
    return G5_ERR_CONFIG;
}

const char *g5_sctp_backend_name(g5_sctp_backend b)
{
    switch (b) {
    case G5_SCTP_AUTO: return "auto";
    case G5_SCTP_KERNEL: return "kernel";
    case G5_SCTP_USRSCTP: return "usrsctp";
    }
    return "?";
}

int g5_sctp_backend_parse(const char *s)
{
    if (!strcmp(s, "auto"))
        return G5_SCTP_AUTO;
    if (!strcmp(s, "kernel"))
        return G5_SCTP_KERNEL;
    if (!strcmp(s, "usrsctp"))
        return G5_SCTP_USRSCTP;
    return -1;
}

bool g5_sctp_kernel_available(void)
{
#ifdef G5_HAVE_LKSCTP
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
    if (fd < 0)
        return false;
    close(fd);
    return true;
#else
    return false;
#endif
}

g5_sctp_backend g5_sctp_resolve(g5_sctp_backend b)
{
    static int logged;
    if (b != G5_SCTP_AUTO)
        return b;
    bool k = g5_sctp_kernel_available();
    if (!logged) {
        logged = 1;
        G5_LOGN("SCTP backend auto: %s",
                k ? "kernel (lksctp socket works)" : "usrsctp over UDP (kernel has no SCTP)");
    }
    return k ? G5_SCTP_KERNEL : G5_SCTP_USRSCTP;
}

static const g5_sctp_be *backend_of(g5_sctp_backend b)
{
    return g5_sctp_resolve(b) == G5_SCTP_KERNEL ? &g5__sctp_be_kernel : &g5__sctp_be_usrsctp;
}

/* ---- addresses ---- */

int g5__sctp_parse_addrs(const g5_sctp_addrs *a, struct sockaddr_storage *out, size_t max)
{
    if (!a || a->n == 0) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&out[0];
        memset(&out[0], 0, sizeof out[0]);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(a ? a->port : 0);
        return 1;
    }
    if (a->n > max || a->n > G5_SCTP_MAX_ADDRS)
        return G5_ERR_LIMIT;
    for (size_t i = 0; i < a->n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        struct sockaddr_in *sin = (struct sockaddr_in *)&out[i];
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out[i];
        if (!a->addr[i])
            return G5_ERR_INVALID;
        if (inet_pton(AF_INET, a->addr[i], &sin->sin_addr) == 1) {
            sin->sin_family = AF_INET;
            sin->sin_port = htons(a->port);
        } else if (inet_pton(AF_INET6, a->addr[i], &sin6->sin6_addr) == 1) {
            sin6->sin6_family = AF_INET6;
            sin6->sin6_port = htons(a->port);
        } else {
            return G5_ERR_INVALID;
        }
    }
    return (int)a->n;
}

static size_t sa_len(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

size_t g5__sctp_pack_addrs(const struct sockaddr_storage *ss, size_t n, uint8_t *out, size_t cap)
{
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = sa_len(&ss[i]);
        if (off + l > cap)
            break;
        memcpy(out + off, &ss[i], l);
        off += l;
    }
    return off;
}

const char *g5__sctp_ntop(const struct sockaddr *sa, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)cap);
    return buf;
}

/* ---- endpoints ---- */

/* ---- bundling ----
 *
 * An NGAP burst (the answers to everything one poll returned) used to cost one SCTP
 * packet each: one UDP datagram, CRC32c and sendmsg() per message with usrsctp, one
 * skb per message in the kernel. Instead, g5_sctp_send keeps the association's latest
 * message back ("held") and gives the previous one to the stack with more = true; a
 * uv_prepare handle, which runs after the iteration's callbacks and before the loop
 * blocks for I/O, sends each held message with more = false, which pushes the whole
 * burst out in as few packets as fit the path MTU (RFC 9260 §6.10 bundling). A lone
 * message therefore leaves in the same iteration, without waiting for a SACK or a timer:
 * latency at low load is unchanged. G5_SCTP_BUNDLE=0 in the environment turns it off
 * (sends go straight to the stack, as before), for comparisons.
 *
 * usrsctp only: the kernel backend's only tool is MSG_MORE (lksctp has no cork option),
 * which stalled under backpressure (sctp_kernel.c k_send), and its per-message cost is
 * one sendmsg() either way, so it sends each message at once as before. */

struct g5__sctp_flusher {
    uv_prepare_t h;
    g5_sctp_ep *ep; /* NULL once the endpoint is gone (the handle is closing) */
};

static void dirty_unlink(g5_sctp_assoc *a)
{
    if (!a->in_dirty)
        return;
    if (a->dprev)
        a->dprev->dnext = a->dnext;
    else if (a->ep)
        a->ep->dirty = a->dnext;
    if (a->dnext)
        a->dnext->dprev = a->dprev;
    a->dnext = a->dprev = NULL;
    a->in_dirty = false;
}

static void held_drop(g5_sctp_assoc *a)
{
    dirty_unlink(a);
    a->has_held = false;
}

/* Gives the held message to the stack; G5_ERR_AGAIN keeps it (writable retries). */
static int held_push(g5_sctp_assoc *a, bool more)
{
    int rc = a->be->send(a, a->held_sid, a->held_ppid, a->held, a->held_len, more);
    if (rc == G5_ERR_AGAIN) {
        if (!a->want_writable) {
            a->want_writable = true;
            a->be->watch(a);
        }
        return rc;
    }
    if (rc)
        G5_LOGD("held message on stream %u dropped: %s", a->held_sid, g5_strerror(rc));
    held_drop(a);
    return rc;
}

static void on_flush(uv_prepare_t *h)
{
    g5__sctp_flusher *f = h->data;
    g5_sctp_ep *ep = f->ep;
    while (ep && ep->dirty) {
        g5_sctp_assoc *a = ep->dirty;
        dirty_unlink(a);
        if (a->has_held && !a->dead && a->up)
            held_push(a, false); /* AGAIN: stays held, off the list, until writable */
    }
    uv_prepare_stop(h);
}

static void flusher_closed(uv_handle_t *h)
{
    free(h->data);
}

static void ep_close_be(g5_sctp_ep *ep)
{
    if (ep->fl) {
        ep->fl->ep = NULL;
        uv_close((uv_handle_t *)&ep->fl->h, flusher_closed);
        ep->fl = NULL;
    }
    ep->be->close_ep(ep);
}

/* Holds a copy of the message until the end of the iteration. */
static int held_set(g5_sctp_assoc *a, uint16_t stream, uint32_t ppid, const void *data, size_t len)
{
    g5_sctp_ep *ep = a->ep;
    if (!ep->fl) {
        ep->fl = calloc(1, sizeof *ep->fl);
        if (!ep->fl || uv_prepare_init(ep->loop, &ep->fl->h)) {
            free(ep->fl);
            ep->fl = NULL;
            return G5_ERR_NOMEM;
        }
        ep->fl->ep = ep;
        ep->fl->h.data = ep->fl;
    }
    if (a->held_cap < len) {
        uint8_t *b = realloc(a->held, len);
        if (!b)
            return G5_ERR_NOMEM;
        a->held = b;
        a->held_cap = len;
    }
    memcpy(a->held, data, len);
    a->held_len = len;
    a->held_sid = stream;
    a->held_ppid = ppid;
    a->has_held = true;
    if (!a->in_dirty) {
        a->in_dirty = true;
        a->dprev = NULL;
        a->dnext = ep->dirty;
        if (ep->dirty)
            ep->dirty->dprev = a;
        ep->dirty = a;
    }
    uv_prepare_start(&ep->fl->h, on_flush);
    return 0;
}

static g5_sctp_ep *ep_new(uv_loop_t *loop, const g5_sctp_cfg *cfg, const g5_sctp_cbs *cbs,
                          void *user)
{
    const g5_sctp_be *be = backend_of(cfg->backend);
    g5_sctp_ep *ep = calloc(1, be->ep_size);
    if (!ep)
        return NULL;
    const char *env = getenv("G5_SCTP_BUNDLE");
    ep->bundle = be->id == G5_SCTP_USRSCTP && (!env || strcmp(env, "0") != 0);
    ep->be = be;
    ep->loop = loop;
    ep->cfg = *cfg;
    ep->cfg.backend = be->id;
    ep->cbs = *cbs;
    ep->user = user;
    return ep;
}

int g5_sctp_listen(uv_loop_t *loop, const g5_sctp_cfg *cfg, const g5_sctp_addrs *local,
                   const g5_sctp_cbs *cbs, void *user, g5_sctp_ep **out)
{
    char err[160];
    *out = NULL;
    if (g5_sctp_cfg_check(cfg, err, sizeof err) != 0) {
        G5_LOGE("%s", err);
        return G5_ERR_CONFIG;
    }
    g5_sctp_ep *ep = ep_new(loop, cfg, cbs, user);
    if (!ep)
        return G5_ERR_NOMEM;
    ep->listener = true;
    int rc = ep->be->listen(ep, local);
    if (rc != 0) {
        free(ep);
        return rc;
    }
    G5_LOGI("listening on SCTP port %u (%s backend)", ep->port, g5_sctp_backend_name(ep->be->id));
    *out = ep;
    return 0;
}

int g5_sctp_connect(uv_loop_t *loop, const g5_sctp_cfg *cfg, const g5_sctp_addrs *local,
                    const g5_sctp_addrs *peer, const g5_sctp_cbs *cbs, void *user,
                    g5_sctp_assoc **out)
{
    char err[160];
    *out = NULL;
    if (g5_sctp_cfg_check(cfg, err, sizeof err) != 0) {
        G5_LOGE("%s", err);
        return G5_ERR_CONFIG;
    }
    if (!peer || peer->n == 0 || peer->port == 0)
        return G5_ERR_INVALID;
    g5_sctp_ep *ep = ep_new(loop, cfg, cbs, user);
    if (!ep)
        return G5_ERR_NOMEM;
    g5_sctp_assoc *a = calloc(1, ep->be->assoc_size);
    if (!a) {
        free(ep);
        return G5_ERR_NOMEM;
    }
    a->be = ep->be;
    a->ep = ep;
    a->user = user;
    ep->head = a;
    ep->nassocs = 1;
    int rc = ep->be->connect(ep, a, local, peer);
    if (rc != 0) {
        free(a);
        free(ep);
        return rc;
    }
    *out = a;
    return 0;
}

static void unlink_assoc(g5_sctp_assoc *a)
{
    g5_sctp_ep *ep = a->ep;
    if (!ep)
        return;
    if (a->prev)
        a->prev->next = a->next;
    else if (ep->head == a)
        ep->head = a->next;
    if (a->next)
        a->next->prev = a->prev;
    a->prev = a->next = NULL;
    held_drop(a); /* a dead association sends nothing more */
    ep->nassocs--;
    a->ep = NULL;
    /* A client endpoint exists only for its association. */
    if (!ep->listener)
        ep_close_be(ep);
}

/* Marks dead, closes the socket and frees when no dispatch runs on it. */
static void kill_assoc(g5_sctp_assoc *a, bool abort)
{
    a->dead = true;
    unlink_assoc(a);
    a->be->close_sock(a, abort);
    if (a->busy == 0)
        a->be->free(a);
}

void g5_sctp_ep_close(g5_sctp_ep *ep)
{
    if (!ep || ep->dead)
        return;
    ep->dead = true;
    while (ep->head) {
        g5_sctp_assoc *a = ep->head;
        if (a->dead) { /* cannot happen: dead ones are unlinked */
            ep->head = a->next;
            continue;
        }
        kill_assoc(a, true);
    }
    if (ep->busy == 0)
        ep_close_be(ep);
}

size_t g5_sctp_ep_assocs(const g5_sctp_ep *ep)
{
    return ep->nassocs;
}
uint16_t g5_sctp_ep_port(const g5_sctp_ep *ep)
{
    return ep->port;
}
g5_sctp_backend g5_sctp_ep_backend(const g5_sctp_ep *ep)
{
    return ep->be->id;
}
const g5_sctp_ep_stats *g5_sctp_ep_get_stats(const g5_sctp_ep *ep)
{
    return &ep->st;
}

void *g5_sctp_user(const g5_sctp_assoc *a)
{
    return a->user;
}
void g5_sctp_set_user(g5_sctp_assoc *a, void *user)
{
    a->user = user;
}
g5_sctp_ep *g5_sctp_assoc_ep(const g5_sctp_assoc *a)
{
    return a->ep && a->ep->listener ? a->ep : NULL;
}

int g5_sctp_assoc_info(const g5_sctp_assoc *a, g5_sctp_info *info)
{
    memset(info, 0, sizeof *info);
    info->backend = a->be->id;
    info->out_streams = a->out_streams;
    info->in_streams = a->in_streams;
    if (a->dead)
        return G5_ERR_STATE;
    return a->be->info(a, info);
}

/* ---- data path ---- */

int g5_sctp_send(g5_sctp_assoc *a, uint16_t stream, uint32_t ppid, const void *data, size_t len)
{
    if (a->dead || !a->up || a->shutting)
        return G5_ERR_STATE;
    if (len == 0)
        return G5_ERR_INVALID;
    if (len > a->ep->cfg.max_msg_size)
        return G5_ERR_TOO_LONG;
    if (a->out_streams && stream >= a->out_streams)
        return G5_ERR_INVALID;
    if (a->ep->bundle) {
        if (a->has_held) { /* the previous message goes to the stack, bundled with more */
            int hr = held_push(a, true);
            if (hr == G5_ERR_AGAIN)
                return hr;
        }
        return held_set(a, stream, ppid, data, len);
    }
    int rc = a->be->send(a, stream, ppid, data, len, false);
    if (rc == G5_ERR_AGAIN && !a->want_writable) {
        a->want_writable = true;
        a->be->watch(a);
    }
    return rc;
}

void g5__sctp_sent(g5_sctp_assoc *a, size_t n)
{
    if (a->ep) {
        a->ep->st.msgs_out++;
        a->ep->st.bytes_out += n;
    }
}

int g5_sctp_shutdown(g5_sctp_assoc *a)
{
    if (a->dead)
        return G5_ERR_STATE;
    if (a->shutting)
        return 0;
    if (a->has_held && a->up) /* queued data is delivered before the SHUTDOWN */
        held_push(a, false);
    a->shutting = true;
    a->local_shutdown = true;
    return a->be->shutdown(a);
}

void g5_sctp_pause(g5_sctp_assoc *a, bool paused)
{
    if (a->dead || a->paused == paused)
        return;
    a->paused = paused;
    a->be->watch(a);
}

void g5_sctp_abort(g5_sctp_assoc *a)
{
    if (!a || a->dead)
        return;
    kill_assoc(a, true);
}

/* ---- helpers for the backends ---- */

g5_sctp_assoc *g5__sctp_assoc_new(g5_sctp_ep *ep)
{
    if (ep->nassocs >= ep->cfg.max_assocs)
        return NULL;
    g5_sctp_assoc *a = calloc(1, ep->be->assoc_size);
    if (!a)
        return NULL;
    a->be = ep->be;
    a->ep = ep;
    a->user = ep->user;
    a->next = ep->head;
    if (ep->head)
        ep->head->prev = a;
    ep->head = a;
    ep->nassocs++;
    return a;
}

void g5__sctp_refused(g5_sctp_ep *ep)
{
    ep->st.refused++;
    if (ep->st.refused == 1 || ep->st.refused % 1000 == 0)
        G5_LOGW("port %u: association refused, max_assocs %u reached (%llu refused)", ep->port,
                ep->cfg.max_assocs, (unsigned long long)ep->st.refused);
}

void g5__sctp_hold(g5_sctp_assoc *a)
{
    a->busy++;
}

void g5__sctp_release(g5_sctp_assoc *a)
{
    if (--a->busy == 0 && a->dead)
        a->be->free(a);
}

void g5__sctp_ep_hold(g5_sctp_ep *ep)
{
    ep->busy++;
}

void g5__sctp_ep_release(g5_sctp_ep *ep)
{
    if (--ep->busy == 0 && ep->dead)
        ep_close_be(ep);
}

void g5__sctp_assoc_free_mem(g5_sctp_assoc *a)
{
    free(a->rbuf);
    a->rbuf = NULL;
    held_drop(a);
    free(a->held);
    a->held = NULL;
}

void g5__sctp_up(g5_sctp_assoc *a)
{
    if (a->up || a->dead)
        return;
    a->up = true;
    if (a->ep)
        a->ep->st.accepted++;
    if (a->ep && a->ep->cbs.up)
        a->ep->cbs.up(a);
}

void g5__sctp_down(g5_sctp_assoc *a, g5_sctp_down why)
{
    if (a->dead)
        return;
    g5_sctp_cbs cbs = a->ep->cbs;
    if (why == G5_SCTP_DOWN_LIMIT)
        a->ep->st.limit_aborts++;
    a->dead = true;
    unlink_assoc(a);
    a->busy++; /* the callback may not free it under us */
    if (cbs.down)
        cbs.down(a, why);
    a->be->close_sock(a, why == G5_SCTP_DOWN_LIMIT || why == G5_SCTP_DOWN_ERROR);
    g5__sctp_release(a);
}

void g5__sctp_assoc_change(g5_sctp_assoc *a, enum g5__sctp_ac st, uint16_t os, uint16_t is)
{
    if (a->dead)
        return;
    switch (st) {
    case G5__AC_COMM_UP:
        if (os)
            a->out_streams = os;
        if (is)
            a->in_streams = is;
        g5__sctp_up(a);
        break;
    case G5__AC_RESTART:
        if (os)
            a->out_streams = os;
        if (is)
            a->in_streams = is;
        a->rlen = 0; /* a half-received message from the old incarnation is gone */
        if (a->ep->cbs.restart)
            a->ep->cbs.restart(a);
        break;
    case G5__AC_COMM_LOST:
        g5__sctp_down(a, a->up ? G5_SCTP_DOWN_ABORTED : G5_SCTP_DOWN_CONNECT_FAILED);
        break;
    case G5__AC_CANT_START: g5__sctp_down(a, G5_SCTP_DOWN_CONNECT_FAILED); break;
    case G5__AC_SHUTDOWN_COMP: g5__sctp_down(a, G5_SCTP_DOWN_SHUTDOWN); break;
    }
}

static void deliver(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, const uint8_t *p, size_t n)
{
    a->ep->st.msgs_in++;
    a->ep->st.bytes_in += n;
    g5_sctp_msg m = {.stream = sid, .ppid = ppid, .data = p, .len = n};
    if (a->ep->cbs.data)
        a->ep->cbs.data(a, &m);
}

void g5__sctp_rx(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, bool eor, const uint8_t *p,
                 size_t n)
{
    if (a->dead)
        return;
    size_t max = a->ep->cfg.max_msg_size;
    if (eor && a->rlen == 0) {
        if (n > max) {
            G5_LOGW("port %u: %zu-byte message above max_msg_size %zu: aborting association",
                    a->ep->port, n, max);
            g5__sctp_down(a, G5_SCTP_DOWN_LIMIT);
            return;
        }
        deliver(a, sid, ppid, p, n);
        return;
    }
    if (a->rlen + n > max) {
        G5_LOGW("port %u: partial message above max_msg_size %zu: aborting association",
                a->ep->port, max);
        a->rlen = 0;
        g5__sctp_down(a, G5_SCTP_DOWN_LIMIT);
        return;
    }
    if (a->rlen == 0) {
        a->rsid = sid;
        a->rppid = ppid;
    }
    if (a->rlen + n > a->rcap) {
        size_t cap = a->rcap ? a->rcap : 4096;
        while (cap < a->rlen + n)
            cap *= 2;
        if (cap > max)
            cap = max;
        uint8_t *nb = realloc(a->rbuf, cap);
        if (!nb) {
            g5__sctp_down(a, G5_SCTP_DOWN_ERROR);
            return;
        }
        a->rbuf = nb;
        a->rcap = cap;
    }
    if (n)
        memcpy(a->rbuf + a->rlen, p, n);
    a->rlen += n;
    if (!eor)
        return;
    size_t len = a->rlen;
    a->rlen = 0;
    deliver(a, a->rsid, a->rppid, a->rbuf, len);
}

void g5__sctp_peer_addr(g5_sctp_assoc *a, const struct sockaddr *sa, g5_sctp_paddr ev)
{
    if (!a->dead && a->ep->cbs.peer_addr)
        a->ep->cbs.peer_addr(a, sa, ev);
}

void g5__sctp_send_failed(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, uint32_t error)
{
    if (!a->dead && a->ep->cbs.send_failed)
        a->ep->cbs.send_failed(a, sid, ppid, error);
}

void g5__sctp_peer_shutdown(g5_sctp_assoc *a)
{
    /* Peer sent SHUTDOWN: no more sends (RFC 4960 9.2); down follows on SHUTDOWN-COMPLETE. */
    a->shutting = true;
}

void g5__sctp_writable(g5_sctp_assoc *a)
{
    if (a->dead || !a->want_writable)
        return;
    a->want_writable = false;
    a->be->watch(a);
    if (a->has_held && !a->in_dirty && held_push(a, false) == G5_ERR_AGAIN)
        return; /* the held message first; the user's writable when it has gone */
    if (a->ep->cbs.writable)
        a->ep->cbs.writable(a);
}
