/* SMF: PDU session modification (TS 24.501 §6.3.2 network-requested, §6.4.2 UE-requested;
 * TS 23.502 §4.3.3.2).
 *
 * UE-requested: the MODIFICATION REQUEST arrives in smf_update_sm_context (n1); the answer
 * is a MODIFICATION REJECT, or a MODIFICATION COMMAND with (when the QoS changes) a PDU
 * Session Resource Modify Request Transfer, flagged n2_modify in smf_update_rsp.
 * Network-requested: smf_modify_network sends the COMMAND + Modify Request Transfer
 * through smf_n1n2_fn (smf_n1n2_msg.kind SMF_N1N2_MODIFY). Either way the SMF then waits for the
 * gNB's Modify Response Transfer (n2_type SMF_N2_MOD_RSP / SMF_N2_MOD_FAIL) and the UE's COMPLETE
 * or COMMAND REJECT (n1); only when both the gNB and the UE accepted does the PFCP Session
 * Modification update the session QER's MBR (the UPF enforces the new session-AMBR, TS 29.244
 * §5.4.4). T3591 guards the COMMAND: retransmitted on each of the first four expiries, the
 * procedure aborted at the fifth (§6.3.2.5 a). A release of the session aborts a modification in
 * progress (release wins, §6.3.2.5 / §6.3.3). */
#ifndef G5_NF_SMF_MOD_H
#define G5_NF_SMF_MOD_H

#include <stdbool.h>
#include <stdint.h>

#include "nf/smf/smf.h"

#define SMF_T3591_MS 16000 /* TS 24.501 Table 10.3.2: T3591 = 16 s */

typedef struct smf_mod_params {
    uint64_t ambr_ul, ambr_dl; /* new session-AMBR, bits/s; 0 = that direction unchanged */
    bool has_5qi; /* new 5QI of the default QoS flow (standardized non-GBR) */
    uint8_t fiveqi;
} smf_mod_params;

/* Network-requested modification of a PDU session. 0 = command sent (completion is
 * asynchronous, see smf_mod_info_get / smf_mod_get_stats); G5_ERR_NOT_FOUND (no such
 * context), G5_ERR_STATE (session not active, no n1n2 callback, or the UE is CM-IDLE:
 * upCnxState DEACTIVATED - paging is not wired to the SMF yet), G5_ERR_AGAIN (another
 * procedure runs on the session), G5_ERR_INVALID (bad parameters). */
int smf_modify_network(smf *s, uint64_t sm_context_ref, const smf_mod_params *p);

/* T3591 in ms (tests); 0 restores SMF_T3591_MS. */
void smf_mod_set_t3591(smf *s, unsigned ms);

typedef struct smf_mod_stats {
    uint64_t ue_requested, network_requested; /* procedures started */
    uint64_t completed; /* COMPLETE + gNB accepted (+ UPF updated when the AMBR changed) */
    uint64_t rejected; /* MODIFICATION REJECT sent to the UE */
    uint64_t cmd_rejected; /* COMMAND REJECT from the UE */
    uint64_t n2_failed; /* the gNB could not modify */
    uint64_t t3591_retx, t3591_aborts;
    uint64_t aborted_by_release;
    uint64_t pfcp_failed;
} smf_mod_stats;
const smf_mod_stats *smf_mod_get_stats(const smf *s);

typedef struct smf_mod_info {
    uint64_t ambr_ul, ambr_dl; /* the session-AMBR in force (bits/s) */
    uint8_t fiveqi; /* of the default QoS flow */
    bool pending; /* a modification is in progress */
    unsigned t3591_tries; /* commands sent for the pending modification */
} smf_mod_info;
int smf_mod_info_get(const smf *s, uint64_t sm_context_ref, smf_mod_info *out);

#endif
