/* Control socket server and client (see ctlsock.h for the protocol and its limits).
 * Factored out of the simulator's control socket so that `glass5g run` and glass5g-sim
 * share one framing and one set of limits. */
#define G5_LOG_MODULE "ctl"
#include "core/ctlsock.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"

typedef struct ctl_client {
    uv_pipe_t pipe;
    uv_timer_t idle;
    struct g5_ctl_server *srv;
    struct ctl_client *next;
    int open_handles; /* freed when both handles are closed */
    bool closing;
    size_t len;
    char buf[]; /* srv->o.max_line + 1: a full line and its newline */
} ctl_client;

struct g5_ctl_server {
    uv_pipe_t server;
    g5_ctl_opts o;
    g5_ctl_handler fn;
    void *arg;
    char path[108];
    ctl_client *clients;
    g5_ctl_stats st;
};

json_t *g5_ctl_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/* ---- server ---- */

static void client_handle_closed(uv_handle_t *h)
{
    ctl_client *cl = h->data;
    if (--cl->open_handles == 0)
        free(cl);
}

static void client_close(ctl_client *cl)
{
    if (cl->closing)
        return;
    cl->closing = true;
    g5_ctl_server *s = cl->srv;
    for (ctl_client **pp = &s->clients; *pp; pp = &(*pp)->next)
        if (*pp == cl) {
            *pp = cl->next;
            break;
        }
    s->st.clients--;
    uv_timer_stop(&cl->idle);
    uv_close((uv_handle_t *)&cl->idle, client_handle_closed);
    uv_close((uv_handle_t *)&cl->pipe, client_handle_closed);
}

typedef struct ctl_write {
    uv_write_t req;
    char data[];
} ctl_write;

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

static void client_send(ctl_client *cl, json_t *ans)
{
    char *s = ans ? json_dumps(ans, JSON_COMPACT) : NULL;
    json_decref(ans);
    if (!s)
        s = strdup("{\"ok\":false,\"error\":\"out of memory\"}");
    if (!s)
        return;
    size_t n = strlen(s);
    ctl_write *w = malloc(sizeof *w + n + 1);
    if (w) {
        memcpy(w->data, s, n);
        w->data[n] = '\n';
        uv_buf_t b = uv_buf_init(w->data, (unsigned)(n + 1));
        if (uv_write(&w->req, (uv_stream_t *)&cl->pipe, &b, 1, on_written) != 0)
            free(w);
    }
    free(s);
    /* A client that does not read its answers must not grow our memory. */
    if (uv_stream_get_write_queue_size((uv_stream_t *)&cl->pipe) > cl->srv->o.max_queued) {
        G5_LOGW("control client not reading its answers; closing it");
        cl->srv->st.slow_readers++;
        client_close(cl);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    ctl_client *cl = h->data;
    size_t cap = cl->srv->o.max_line + 1;
    *buf = uv_buf_init(cl->buf + cl->len, (unsigned)(cap - cl->len));
}

static void on_idle(uv_timer_t *t)
{
    ctl_client *cl = t->data;
    cl->srv->st.idle_closed++;
    client_close(cl);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    ctl_client *cl = st->data;
    g5_ctl_server *s = cl->srv;
    if (nread < 0) { /* EOF or error; a partial request is dropped with the client */
        client_close(cl);
        return;
    }
    cl->len += (size_t)nread;
    uv_timer_start(&cl->idle, on_idle, s->o.idle_ms, 0);
    char *nl;
    while (!cl->closing && (nl = memchr(cl->buf, '\n', cl->len))) {
        size_t line = (size_t)(nl - cl->buf);
        s->st.requests++;
        client_send(cl, s->fn(s->arg, cl->buf, line));
        memmove(cl->buf, nl + 1, cl->len - line - 1);
        cl->len -= line + 1;
    }
    if (!cl->closing && cl->len == s->o.max_line + 1) {
        s->st.oversize++;
        client_send(cl, g5_ctl_error("request longer than %zu bytes; closing", s->o.max_line));
        client_close(cl);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    g5_ctl_server *s = server->data;
    if (status < 0)
        return;
    ctl_client *cl = calloc(1, sizeof *cl + s->o.max_line + 1);
    if (!cl)
        return;
    cl->srv = s;
    uv_pipe_init(server->loop, &cl->pipe, 0);
    uv_timer_init(server->loop, &cl->idle);
    cl->pipe.data = cl->idle.data = cl;
    cl->open_handles = 2;
    cl->next = s->clients;
    s->clients = cl;
    s->st.clients++;
    if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
        client_close(cl);
        return;
    }
    if (s->st.clients > s->o.max_clients) {
        s->st.refused++;
        client_send(
            cl, g5_ctl_error("too many control clients (at most %u); try later", s->o.max_clients));
        client_close(cl);
        return;
    }
    s->st.accepted++;
    uv_timer_start(&cl->idle, on_idle, s->o.idle_ms, 0);
    uv_read_start((uv_stream_t *)&cl->pipe, on_alloc, on_read);
}

/* True if something accepts connections on the unix socket at path. */
static bool socket_in_use(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool used = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return used;
}

static int check_path(const char *path, const g5_ctl_opts *o, char *err, size_t errlen)
{
    struct stat st;
    if (!path[0] || strlen(path) >= sizeof((struct sockaddr_un *)0)->sun_path) {
        snprintf(err, errlen, "control socket path '%s' is %s (1 to 107 bytes)", path,
                 path[0] ? "too long" : "empty");
        return G5_ERR_INVALID;
    }
    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a socket; choose another %s", path,
                 o->path_hint);
        return G5_ERR_EXISTS;
    }
    if (socket_in_use(path)) {
        snprintf(err, errlen, "%s is in use by another running %s; choose another %s", path,
                 o->owner, o->path_hint);
        return G5_ERR_EXISTS;
    }
    unlink(path); /* a stale socket of an earlier run */
    return 0;
}

g5_ctl_server *g5_ctl_listen(uv_loop_t *loop, const char *path, const g5_ctl_opts *o,
                             g5_ctl_handler fn, void *arg, char *err, size_t errlen)
{
    if (check_path(path, o, err, errlen) != 0)
        return NULL;
    g5_ctl_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->o = *o;
    if (s->o.max_line < 64)
        s->o.max_line = 64;
    s->fn = fn;
    s->arg = arg;
    snprintf(s->path, sizeof s->path, "%s", path);
    uv_pipe_init(loop, &s->server, 0);
    s->server.data = s;
    /* Created private, then opened to the configured mode: never more open than asked. */
    mode_t old = umask(0077);
    int rc = uv_pipe_bind(&s->server, path);
    umask(old);
    if (rc == 0 && chmod(path, o->mode & 0770) != 0)
        rc = uv_translate_sys_error(errno);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->server, 16, on_connection);
    if (rc != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, uv_strerror(rc));
        uv_close((uv_handle_t *)&s->server, NULL);
        uv_run(loop, UV_RUN_NOWAIT);
        free(s);
        return NULL;
    }
    return s;
}

static void server_closed(uv_handle_t *h)
{
    free(h->data);
}

void g5_ctl_close(g5_ctl_server *s)
{
    if (!s)
        return;
    while (s->clients)
        client_close(s->clients);
    unlink(s->path);
    uv_close((uv_handle_t *)&s->server, server_closed);
}

const g5_ctl_stats *g5_ctl_get_stats(const g5_ctl_server *s)
{
    return &s->st;
}

/* ---- client ---- */

static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    int rc;
    do
        rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc > 0 ? 0 : G5_ERR_IO;
}

static int connect_to(const char *path, const char *owner, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "socket path too long");
        return G5_ERR_INVALID;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s (is %s running?)", path, strerror(errno),
                 owner);
        if (fd >= 0)
            close(fd);
        return G5_ERR_IO;
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, p + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return G5_ERR_IO;
        off += (size_t)w;
    }
    return 0;
}

int g5_ctl_request(const char *path, const char *request, char **answer, int timeout_ms,
                   const char *owner, char *err, size_t errlen)
{
    *answer = NULL;
    int fd = connect_to(path, owner, err, errlen);
    if (fd < 0)
        return fd;
    if (write_all(fd, request, strlen(request)) != 0) {
        snprintf(err, errlen, "write to %s failed", path);
        close(fd);
        return G5_ERR_IO;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return G5_ERR_NOMEM;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nb)
                break; /* an answer this large is refused below */
            buf = nb;
            cap *= 2;
        }
        if (wait_fd(fd, POLLIN, timeout_ms) != 0)
            break;
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (memchr(buf + len - (size_t)r, '\n', (size_t)r))
            break;
    }
    close(fd);
    if (!len || buf[len - 1] != '\n') {
        snprintf(err, errlen, "no answer from %s within %d ms", path, timeout_ms);
        free(buf);
        return G5_ERR_IO;
    }
    buf[len - 1] = 0;
    *answer = buf;
    return 0;
}
