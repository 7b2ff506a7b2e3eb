/* Local control sockets: a unix stream socket speaking one JSON object per line, served on
 * a libuv loop. Used by `glass5g run` (src/nf/ctl/ctl.h, `glass5g ctl`) and by
 * glass5g-sim (src/sim/sim_ctl.h, `glass5g-sim cli`), which differ only in their commands.
 *
 * Each request is one line `{"cmd": "...", ...}\n`; the handler answers each with one
 * JSON object, sent as one line (`{"ok": true, ...}` or `{"ok": false, "error": "..."}`).
 *
 * The server never blocks its loop and bounds what a client can cost: a request longer
 * than max_line is answered with an error and the client closed; at most max_clients are
 * served (more are told so and closed); idle clients are closed after idle_ms; a client
 * that does not read its answers is closed once max_queued bytes wait for it. The socket
 * file is created with umask 0077 and then given `mode` (0600 or 0660): it is an admin
 * interface and file permissions are its only access control.
 */
#ifndef G5_CORE_CTLSOCK_H
#define G5_CORE_CTLSOCK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

/* Answers one request line (without its newline); returns a new JSON object. */
typedef json_t *(*g5_ctl_handler)(void *arg, const char *line, size_t len);

typedef struct g5_ctl_opts {
    size_t max_line; /* longest request line in bytes, newline excluded (>= 64) */
    unsigned max_clients;
    uint64_t idle_ms;
    size_t max_queued; /* unread answer bytes before a client is dropped */
    mode_t mode; /* socket file permissions, e.g. 0600 */
    const char *owner; /* who owns the socket, for messages: "simulator", "glass5g run" */
    const char *path_hint; /* how to choose another path: "use --ctl", "set ctl.socket" */
} g5_ctl_opts;

/* Counters of one server (tests, `glass5g ctl status`). */
typedef struct g5_ctl_stats {
    unsigned clients; /* connected now */
    uint64_t accepted, refused; /* connections accepted / refused (too many clients) */
    uint64_t requests; /* lines answered */
    uint64_t oversize, slow_readers, idle_closed; /* clients dropped, by reason */
} g5_ctl_stats;

typedef struct g5_ctl_server g5_ctl_server;

/* Listens on path: an existing socket file nobody listens on (a stale one of an earlier
 * run) is replaced; a socket in use or any other file is not (error in err). */
g5_ctl_server *g5_ctl_listen(uv_loop_t *loop, const char *path, const g5_ctl_opts *o,
                             g5_ctl_handler fn, void *arg, char *err, size_t errlen);
/* Closes every client and the socket, removes the socket file. NULL is a no-op. Run the
 * loop once more afterwards so the handles close. */
void g5_ctl_close(g5_ctl_server *s);
const g5_ctl_stats *g5_ctl_get_stats(const g5_ctl_server *s);

/* {"ok": false, "error": "<formatted>"} */
json_t *g5_ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Client side: connects to path, sends request (one line ending in '\n'), reads one answer
 * line (blocking, timeout_ms). *answer is malloc'd, without its newline. Returns 0 or a
 * negative g5_err with a reason in err; owner names the server in messages ("is <owner>
 * running?"). */
int g5_ctl_request(const char *path, const char *request, char **answer, int timeout_ms,
                   const char *owner, char *err, size_t errlen);

#endif
