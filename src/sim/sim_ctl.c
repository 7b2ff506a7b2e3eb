/* Control socket server and client (see sim_ctl.h for the protocol and its limits). */
#define G5_LOG_MODULE "sim-ctl"
#include "sim/sim_ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "sim/sim_up.h"

typedef struct ctl_client {
    uv_pipe_t pipe;
    uv_timer_t idle;
    struct sim_ctl *ctl;
    struct ctl_client *next;
    int open_handles; /* freed when both handles are closed */
    bool closing;
    size_t len;
    char buf[SIM_CTL_MAX_LINE];
} ctl_client;

struct sim_ctl {
    sim_engine *eng;
    uv_pipe_t server;
    char path[108];
    ctl_client *clients;
    unsigned nclients;
    unsigned long refused;
    bool stopping;
};

/* ---- request handling ---- */

__attribute__((format(printf, 1, 2))) static json_t *error_json(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static const char *rm_name(uint8_t s)
{
    return s == SIM_RM_REGISTERED ? "registered" : "deregistered";
}

static json_t *ue_json(const sim_engine *e, const sim_ue *ue, bool detail)
{
    char supi[32];
    json_t *j =
        json_pack("{s:s, s:i, s:s, s:s}", "supi", sim_ue_supi_str(&e->pop, ue, supi, sizeof supi),
                  "index", (json_int_t)ue->index, "rm_state", rm_name(ue->rm_state), "cm_state",
                  ue->cm_state == SIM_CM_CONNECTED ? "connected" : "idle");
    if (!detail)
        return j;
    const sim_procedure *last = (ue->n_ok + ue->n_failed || ue->run) && ue->last_proc < e->nprocs
                                    ? e->procs[ue->last_proc]
                                    : NULL;
    json_object_set_new(j, "template", json_integer(ue->group));
    json_object_set_new(j, "running", ue->run && last ? json_string(last->name) : json_null());
    json_object_set_new(j, "last_procedure", last ? json_string(last->name) : json_null());
    json_object_set_new(j, "procedures_ok", json_integer(ue->n_ok));
    json_object_set_new(j, "procedures_failed", json_integer(ue->n_failed));
    json_object_set_new(j, "last_failure",
                        ue->last_cause ? json_string(sim_cause_name(e, ue->last_cause))
                                       : json_null());
    if (ue->cm_state == SIM_CM_CONNECTED)
        json_object_set_new(j, "ran_ue_ngap_id", json_integer(ue->ran_ue_ngap_id));
    json_object_set_new(j, "fault_rules", json_integer(ue->fault_mask));
    if (e->up)
        json_object_set_new(j, "pdu_sessions", sim_up_ue_json(e->up, ue));
    return j;
}

static sim_ue *find_ue(const sim_engine *e, json_t *req, json_t **err)
{
    const char *s = json_string_value(json_object_get(req, "supi"));
    uint64_t supi;
    if (!s || sim_supi_parse(s, &supi, NULL) != 0) {
        *err = error_json("%s", "give \"supi\": \"imsi-<5 to 15 digits>\"");
        return NULL;
    }
    sim_ue *ue = sim_pop_by_supi(&e->pop, supi);
    if (!ue)
        *err = error_json("no UE with SUPI %s in this simulator", s);
    return ue;
}

static json_t *cmd_ue_list(sim_engine *e, json_t *req)
{
    json_int_t off = json_integer_value(json_object_get(req, "offset"));
    json_int_t lim = json_integer_value(json_object_get(req, "limit"));
    if (off < 0)
        off = 0;
    if (lim <= 0 || lim > SIM_CTL_LIST_MAX)
        lim = SIM_CTL_LIST_MAX;
    json_t *arr = json_array();
    for (json_int_t i = off; i < (json_int_t)e->pop.n && i < off + lim; i++)
        json_array_append_new(arr, ue_json(e, &e->pop.ues[i], false));
    return json_pack("{s:b, s:i, s:i, s:o}", "ok", 1, "total", (json_int_t)e->pop.n, "offset", off,
                     "ues", arr);
}

/* Commands that start a 5G procedure: refused until the protocol layers are plugged. */
static json_t *cmd_procedure(sim_engine *e, json_t *req, const char *proc_name)
{
    json_t *err = NULL;
    sim_ue *ue = find_ue(e, req, &err);
    if (!ue)
        return err;
    const sim_procedure *p = sim_procedure_find(proc_name);
    char why[200];
    if (!p || sim_engine_can_run(e, p, why, sizeof why) != 0)
        return error_json("%s", p ? why : "unknown procedure");
    int rc = sim_engine_start(e, ue, p);
    if (rc)
        return error_json("cannot start: %s", g5_strerror(rc));
    return json_pack("{s:b, s:s}", "ok", 1, "started", proc_name);
}

json_t *sim_ctl_handle(sim_engine *e, const char *line, size_t len)
{
    json_error_t jerr;
    json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req || !json_is_object(req)) {
        json_decref(req);
        return error_json("%s", "request must be one JSON object per line, e.g. "
                                "{\"cmd\": \"stats\"}");
    }
    const char *cmd = json_string_value(json_object_get(req, "cmd"));
    json_t *ans = NULL;
    if (!cmd) {
        ans = error_json("%s", "missing \"cmd\"");
    } else if (!strcmp(cmd, "ue-list")) {
        ans = cmd_ue_list(e, req);
    } else if (!strcmp(cmd, "ue-status")) {
        sim_ue *ue = find_ue(e, req, &ans);
        if (ue)
            ans = json_pack("{s:b, s:o}", "ok", 1, "ue", ue_json(e, ue, true));
    } else if (!strcmp(cmd, "stats")) {
        json_t *st = sim_report_json(e);
        if (e->up)
            json_object_set_new(st, "user_plane", sim_up_stats_json(e->up));
        ans = json_pack("{s:b, s:o}", "ok", 1, "stats", st);
    } else if (!strcmp(cmd, "deregister")) {
        ans = cmd_procedure(e, req, "deregistration");
    } else if (!strcmp(cmd, "register")) {
        ans = cmd_procedure(e, req, "registration");
    } else if (!strcmp(cmd, "service-request")) {
        ans = cmd_procedure(e, req, "service-request");
    } else if (!strcmp(cmd, "ps-establish")) {
        ans = cmd_procedure(e, req, "pdu-session-establishment");
    } else if (!strcmp(cmd, "ps-release")) {
        ans = cmd_procedure(e, req, "pdu-session-release");
    } else if (!strcmp(cmd, "release")) { /* AN release to CM-IDLE (sim_paging.c) */
        ans = cmd_procedure(e, req, "an-release");
    } else {
        ans = error_json("unknown command '%.40s'; use ue-list, ue-status, stats, register, "
                         "service-request, deregister, ps-establish, ps-release or release",
                         cmd);
    }
    json_decref(req);
    return ans;
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
    sim_ctl *c = cl->ctl;
    for (ctl_client **pp = &c->clients; *pp; pp = &(*pp)->next)
        if (*pp == cl) {
            *pp = cl->next;
            break;
        }
    c->nclients--;
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
    char *s = json_dumps(ans, JSON_COMPACT);
    json_decref(ans);
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
    if (uv_stream_get_write_queue_size((uv_stream_t *)&cl->pipe) > SIM_CTL_MAX_QUEUED) {
        G5_LOGW("control client not reading its answers; closing it");
        client_close(cl);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    ctl_client *cl = h->data;
    *buf = uv_buf_init(cl->buf + cl->len, (unsigned)(sizeof cl->buf - cl->len));
}

static void on_idle(uv_timer_t *t)
{
    client_close(t->data);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    ctl_client *cl = s->data;
    if (nread < 0) {
        client_close(cl);
        return;
    }
    cl->len += (size_t)nread;
    uv_timer_start(&cl->idle, on_idle, SIM_CTL_IDLE_MS, 0);
    char *nl;
    while (!cl->closing && (nl = memchr(cl->buf, '\n', cl->len))) {
        size_t line = (size_t)(nl - cl->buf);
        client_send(cl, sim_ctl_handle(cl->ctl->eng, cl->buf, line));
        memmove(cl->buf, nl + 1, cl->len - line - 1);
        cl->len -= line + 1;
    }
    if (!cl->closing && cl->len == sizeof cl->buf) {
        client_send(cl, error_json("request longer than %d bytes; closing", SIM_CTL_MAX_LINE));
        client_close(cl);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    sim_ctl *c = server->data;
    if (status < 0)
        return;
    ctl_client *cl = calloc(1, sizeof *cl);
    if (!cl)
        return;
    cl->ctl = c;
    uv_pipe_init(server->loop, &cl->pipe, 0);
    uv_timer_init(server->loop, &cl->idle);
    cl->pipe.data = cl->idle.data = cl;
    cl->open_handles = 2;
    cl->next = c->clients;
    c->clients = cl;
    c->nclients++;
    if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
        client_close(cl);
        return;
    }
    if (c->nclients > SIM_CTL_MAX_CLIENTS) {
        c->refused++;
        client_send(cl, error_json("too many control clients (at most %d); try later",
                                   SIM_CTL_MAX_CLIENTS));
        client_close(cl);
        return;
    }
    uv_timer_start(&cl->idle, on_idle, SIM_CTL_IDLE_MS, 0);
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

sim_ctl *sim_ctl_start(sim_engine *e, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (strlen(path) >= sizeof((struct sockaddr_un *)0)->sun_path) {
        snprintf(err, errlen, "control socket path '%s' is too long (max 107 bytes)", path);
        return NULL;
    }
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket; choose another --ctl path", path);
            return NULL;
        }
        if (socket_in_use(path)) {
            snprintf(err, errlen, "%s is in use by another running simulator; use --ctl", path);
            return NULL;
        }
        unlink(path); /* a stale socket of an earlier run */
    }
    sim_ctl *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->eng = e;
    snprintf(c->path, sizeof c->path, "%s", path);
    uv_pipe_init(e->loop, &c->server, 0);
    c->server.data = c;
    mode_t old = umask(0077);
    int rc = uv_pipe_bind(&c->server, path);
    umask(old);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&c->server, 16, on_connection);
    if (rc != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, uv_strerror(rc));
        uv_close((uv_handle_t *)&c->server, NULL);
        uv_run(e->loop, UV_RUN_NOWAIT);
        free(c);
        return NULL;
    }
    return c;
}

static void server_closed(uv_handle_t *h)
{
    free(h->data);
}

void sim_ctl_stop(sim_ctl *c)
{
    if (!c)
        return;
    while (c->clients)
        client_close(c->clients);
    unlink(c->path);
    uv_close((uv_handle_t *)&c->server, server_closed);
}

unsigned sim_ctl_clients(const sim_ctl *c)
{
    return c->nclients;
}

unsigned long sim_ctl_refused(const sim_ctl *c)
{
    return c->refused;
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

int sim_ctl_request(const char *path, const char *request, char **answer, int timeout_ms, char *err,
                    size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    *answer = NULL;
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "socket path too long");
        return G5_ERR_INVALID;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s (is glass5g-sim running?)", path,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return G5_ERR_IO;
    }
    size_t n = strlen(request), off = 0;
    while (off < n) {
        ssize_t w = write(fd, request + off, n - off);
        if (w <= 0) {
            snprintf(err, errlen, "write to %s failed", path);
            close(fd);
            return G5_ERR_IO;
        }
        off += (size_t)w;
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
