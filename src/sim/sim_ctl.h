/* Control interface of a running glass5g-sim: a unix socket speaking line-based JSON.
 * Each request is one line `{"cmd": "...", ...}\n`, each answer one line
 * `{"ok": true, ...}\n` or `{"ok": false, "error": "..."}\n`.
 *
 * Commands: ue-list [offset, limit], ue-status {supi} (with its PDU sessions), stats (with
 * the user-plane counters), deregister {supi}, ps-establish {supi} (the template's DNN,
 * slice and PDU session type), ps-release {supi} (its highest active PDU session). The
 * last three start a procedure over N2 (refused when the simulator has no N2 layer).
 *
 * The server runs on the simulator's loop and never blocks it: reads are bounded
 * (SIM_CTL_MAX_LINE per request, longer lines close the client), at most SIM_CTL_MAX_CLIENTS
 * clients are served (more are told so and closed), idle clients are closed after
 * SIM_CTL_IDLE_MS, and a client that does not read its answers is closed once
 * SIM_CTL_MAX_QUEUED bytes wait for it. The socket is created mode 0600. The framing and
 * these limits are shared with `glass5g ctl` (src/core/ctlsock.h).
 */
#ifndef G5_SIM_CTL_H
#define G5_SIM_CTL_H

#include <jansson.h>
#include <stddef.h>

#include "sim/sim.h"

#define SIM_CTL_MAX_LINE 4096
#define SIM_CTL_MAX_CLIENTS 16
#define SIM_CTL_IDLE_MS 30000
#define SIM_CTL_MAX_QUEUED (1u << 20)
#define SIM_CTL_LIST_MAX 1000 /* UEs per ue-list answer (page with offset) */

typedef struct sim_ctl sim_ctl;

/* Listens on path (an existing socket file there is replaced; any other file is not). */
sim_ctl *sim_ctl_start(sim_engine *e, const char *path, char *err, size_t errlen);
void sim_ctl_stop(sim_ctl *c);
/* Clients served now / refused so far (tests). */
unsigned sim_ctl_clients(const sim_ctl *c);
unsigned long sim_ctl_refused(const sim_ctl *c);

/* Answers one request line (without the newline). Caller decrefs the result. */
json_t *sim_ctl_handle(sim_engine *e, const char *line, size_t len);

/* Client side (`glass5g-sim cli`): sends one request line and reads one answer line
 * (blocking, timeout_ms). *answer is malloc'd. Returns 0 or a negative g5_err with a
 * reason in err. */
int sim_ctl_request(const char *path, const char *request, char **answer, int timeout_ms, char *err,
                    size_t errlen);

#endif
