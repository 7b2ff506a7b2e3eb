/* The UPF hosted on a libuv loop: the one implementation of its sockets, TUN device and
 * batched packet I/O. `glass5g run` runs it on the loop it shares with the SMF (which still
 * reaches it over real PFCP on loopback, so moving the UPF to another host is only
 * configuration: upf.enabled: false + smf.upfs); `glass5g run --nf upf` (upf_main.c) runs
 * it on a loop of its own. */
#ifndef G5_NF_UPF_UPF_HOST_H
#define G5_NF_UPF_UPF_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "nf/config.h"
#include "nf/upf/upf.h"

typedef struct upf_host upf_host;

/* Opens cfg->upf's PFCP and N3 sockets (port 0 = any free port) and, with with_n6, the
 * N6 TUN device, and watches them on loop. Without N6 (unit tests) uplink packets are
 * counted and dropped. On failure returns NULL with *err set (G5_ERR_IO, G5_ERR_CONFIG,
 * G5_ERR_NOMEM) after an error log line that says what to change (e.g. no privilege for
 * the TUN device: run as root / with CAP_NET_ADMIN, or upf.enabled: false).
 * cfg must outlive the host. */
upf_host *upf_host_start(uv_loop_t *loop, const g5_config *cfg, bool with_n6, int *err);
/* Logs the shutdown figures (N6 I/O path and system calls; "UPF stopped: N sessions, ...,
 * indexes seid/teid/ue4/ue6 a/b/c/d"), stops watching, closes sockets and the TUN device,
 * frees the UPF. Run the loop once more afterwards so the poll handles close. NULL is
 * ignored. */
void upf_host_stop(upf_host *h);

uint16_t upf_host_pfcp_port(const upf_host *h);
uint16_t upf_host_n3_port(const upf_host *h);
/* The UPF state (sessions, counters) for tests and metrics. */
upf *upf_host_upf(upf_host *h);

#endif
