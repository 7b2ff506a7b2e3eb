/* The operator control interface of `glass5g run` (docs/ctl.md): a unix stream socket
 * (ctl.socket, mode ctl.mode) speaking one JSON object per line, framed and bounded by
 * src/core/ctlsock.h, served on the core's libuv loop. `glass5g ctl` is its client.
 *
 * Requests {"cmd": "<name>", ...}; answers {"ok": true, ...} or {"ok": false, "error"}:
 *   status                          NFs, uptime, AMF/SMF/UPF counters, gNB and UE counts
 *   gnb-list                        connected gNBs (number, ID, name, peer, TAs, UEs)
 *   ue-list     [limit]             UE contexts (5GMM/CM state, gNB, TAI, PDU sessions)
 *   ue-show     supi                one UE with its PDU sessions (SMF view: DNN, IPs...)
 *   ue-deregister supi [reregister] network-initiated deregistration (TS 24.501 §5.5.2.3)
 *   ps-release  supi psi [cause]    network-requested PDU session release (§6.3.3)
 *   ps-modify   supi psi ambr_ul ambr_dl   reserved: network-requested modification
 *   ng-reset    gnb                 AMF-initiated NG Reset (TS 38.413 §8.7.4.2.1)
 *   log-level   level [module]      changes the log threshold at run time
 *
 * The commands only read NF state or call the NFs' own entry points; an action answers
 * when it has been started (its outcome shows in ue-show/status and the log).
 */
#ifndef G5_NF_CTL_CTL_H
#define G5_NF_CTL_CTL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctlsock.h"
#include "nf/amf/amf.h"
#include "nf/config.h"
#include "nf/smf/smf.h"
#include "nf/upf/upf_host.h"

#define CORECTL_MAX_LINE 4096
#define CORECTL_MAX_CLIENTS 8
#define CORECTL_IDLE_MS 60000
#define CORECTL_MAX_QUEUED (16u << 20)
#define CORECTL_LIST_DEFAULT 100 /* UEs per ue-list answer without limit */
#define CORECTL_LIST_MAX 10000

/* What the control interface may look at; NULL members are NFs not running here. */
typedef struct corectl_env {
    const g5_config *cfg;
    amf *amf;
    smf *smf;
    upf_host *upf;
    uint64_t started_ms; /* g5_clock_ms() at start, for the uptime */
    const g5_ctl_server *srv; /* set by corectl_start (its counters in status) */
} corectl_env;

typedef struct corectl corectl;

/* The socket path of cfg: ctl.socket, else "<store.path>-ctl" (next to the store, named
 * like SQLite's -wal/-shm files: one store, one core, one socket). Returns 0 or
 * G5_ERR_TOO_LONG (the path does not fit a unix socket address). */
int corectl_socket_path(const g5_config *cfg, char *out, size_t n);
/* Listens on corectl_socket_path(env->cfg) with env->cfg->ctl.mode. env must outlive the
 * server. NULL with err set on failure. */
corectl *corectl_start(uv_loop_t *loop, corectl_env *env, char *err, size_t errlen);
void corectl_stop(corectl *c);
const g5_ctl_stats *corectl_stats(const corectl *c);

/* Answers one request line (tests, fuzzer). Never NULL. */
json_t *corectl_handle(corectl_env *env, const char *line, size_t len);

#endif
