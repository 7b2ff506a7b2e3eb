/* The SMF's PFCP node (TS 29.244 §6, §7): one UDP socket on N4, the association with each
 * configured UPF, heartbeats, and a transaction layer for the requests the SMF sends.
 *
 * Requests get a sequence number, are kept until their response arrives (matched by
 * sequence number and peer, §7.6) and are retransmitted every T1 up to N1 times; after that
 * the callback gets G5_ERR_IO (peer silent). Heartbeats run every heartbeat_s per UPF; a
 * Recovery Time Stamp that differs from the one learnt at association (in a heartbeat
 * request or response, or a new association setup) means the UPF restarted and lost its
 * sessions: the upf_restart event fires, then the association is set up again. A UPF that
 * stops answering heartbeats is marked not associated and association is retried on each
 * heartbeat tick. Session Report Requests are answered here (Cause from the report event)
 * and their usage reports passed on. */
#ifndef G5_NF_SMF_PFCP_H
#define G5_NF_SMF_PFCP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "core/buf.h"
#include "nf/config.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

typedef struct smf_pfcp smf_pfcp;

typedef struct smf_pfcp_events {
    void *arg;
    /* association state of UPF `upf` (index in cfg->upfs) changed */
    void (*assoc)(void *arg, int upf, bool up);
    /* the UPF restarted (new Recovery Time Stamp): every session on it is gone */
    void (*upf_restart)(void *arg, int upf);
    /* Session Report Request for our SEID: returns the PFCP Cause to answer with and sets
     * *up_seid to the UPF's SEID for the response header (left 0 when unknown) */
    uint8_t (*report)(void *arg, uint64_t seid, const g5_pfcp_sess_report_req *r,
                      uint64_t *up_seid);
} smf_pfcp_events;

/* rc: 0 (m = the decoded response), G5_ERR_IO (no response after N1 retransmissions),
 * G5_ERR_INVALID (response failed to decode; m NULL). */
typedef void (*smf_pfcp_rsp_fn)(void *arg, int rc, const g5_pfcp_msg *m);
/* Writes the request with this sequence number into w. */
typedef int (*smf_pfcp_build_fn)(g5_wbuf *w, uint32_t seq, const void *ctx);

typedef struct smf_pfcp_stats {
    uint64_t tx_requests, retransmissions, timeouts, rx_responses, rx_requests, rx_bad,
        heartbeats_sent, restarts_detected, usage_reports, unmatched_responses;
} smf_pfcp_stats;

smf_pfcp *smf_pfcp_new(uv_loop_t *loop, const g5_smf_config *cfg, const smf_pfcp_events *ev);
/* Binds cfg->pfcp_addr:pfcp_port (port 0: ephemeral) and starts association with every
 * UPF. */
int smf_pfcp_start(smf_pfcp *p);
/* Drops pending requests without calling back; run the loop once more to close handles. */
void smf_pfcp_free(smf_pfcp *p);

int smf_pfcp_local_port(const smf_pfcp *p);
bool smf_pfcp_associated(const smf_pfcp *p, int upf);
uint32_t smf_pfcp_up_features(const smf_pfcp *p, int upf);
uint32_t smf_pfcp_recovery_ts(const smf_pfcp *p); /* ours */
const g5_pfcp_node_id *smf_pfcp_node_id(const smf_pfcp *p);
const smf_pfcp_stats *smf_pfcp_get_stats(const smf_pfcp *p);

/* Sends a request to UPF `upf`; returns a transaction id (never 0), 0 on failure (no
 * callback then). The callback always comes later from the loop. */
uint64_t smf_pfcp_request(smf_pfcp *p, int upf, smf_pfcp_build_fn build, const void *ctx,
                          smf_pfcp_rsp_fn fn, void *arg);
/* The callback of a pending transaction will not be called. */
void smf_pfcp_cancel(smf_pfcp *p, uint64_t id);

#endif
