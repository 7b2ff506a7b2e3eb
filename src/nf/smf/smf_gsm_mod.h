/* PDU session modification messages of the SMF (TS 24.501 §6.3.2 network-requested,
 * §6.4.2 UE-requested; messages §8.3.7-8.3.11) and the N2/N4 pieces that go with them:
 * PDU Session Resource Modify Request Transfer / Response Transfer / Unsuccessful Transfer
 * (TS 38.413 §9.3.4.3, §9.3.4.4, §9.3.4.5) and the PFCP Session Modification Request that
 * updates the session QER's MBR (TS 29.244 §7.5.4.5).
 *
 * Pure functions like smf_gsm.c: parse what the UE sends, decide whether the SMF supports
 * it (the 5GSM cause to reject with otherwise), build what the SMF sends. smf.c (its
 * smf_mod.inc part) owns the procedure. */
#ifndef G5_NF_SMF_GSM_MOD_H
#define G5_NF_SMF_GSM_MOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* 5GSM causes of §6.4.2.4.1 not in smf_gsm.h (Table 9.11.4.2.1). */
enum {
    SMF_CAUSE_PTI_ALREADY_IN_USE = 35,
    SMF_CAUSE_QOS_NOT_ACCEPTED = 37,
    SMF_CAUSE_PF_SEMANTIC = 44,
    SMF_CAUSE_PF_SYNTAX = 45,
    SMF_CAUSE_PTI_MISMATCH = 47,
    SMF_CAUSE_UNSUPPORTED_5QI = 59,
    SMF_CAUSE_INVALID_PTI = 81,
    SMF_CAUSE_QOS_OP_SEMANTIC = 83,
    SMF_CAUSE_QOS_OP_SYNTAX = 84,
};

/* What the SMF uses of a PDU SESSION MODIFICATION REQUEST (§8.3.7). */
typedef struct smf_mod_req {
    uint8_t psi, pti;
    bool has_5gsm_cap;
    bool always_on_req; /* Always-on PDU session requested IE, APSR = 1 (§9.11.4.4) */
    bool has_cause; /* e.g. #39 reactivation requested */
    uint8_t cause;
    /* the default QoS flow's requested 5QI (QoS flow descriptions, modify QFI 1) */
    bool has_5qi;
    uint8_t fiveqi;
} smf_mod_req;

/* Parses n1 as a modification request and checks the requested QoS operations against
 * what this SMF supports (one default QoS flow, QFI dflt_qfi, whose 5QI may change to a
 * standardized non-GBR value). On failure returns a negative g5_err and in *cause the
 * 5GSM cause of §6.4.2.4.1 for the PDU SESSION MODIFICATION REJECT. */
int smf_gsm_parse_mod_req(const uint8_t *n1, size_t n, uint8_t dflt_qfi, smf_mod_req *out,
                          uint8_t *cause);

/* §5.7.4 / TS 23.501 Table 5.7.4-1: standardized non-GBR 5QIs (allowed for the default
 * QoS flow). */
bool smf_5qi_non_gbr(uint8_t fiveqi);

/* PDU SESSION MODIFICATION COMMAND (§8.3.9). pti 0 for a network-requested command. */
typedef struct smf_mod_cmd {
    uint8_t psi, pti;
    uint8_t cause; /* 0 = IE omitted */
    bool has_ambr;
    uint64_t ambr_ul, ambr_dl; /* bits/s */
    bool has_5qi; /* authorized QoS flow descriptions: modify qfi's 5QI */
    uint8_t qfi, fiveqi;
    bool always_on; /* Always-on PDU session indication, APSI = 1 (required) */
} smf_mod_cmd;
int smf_gsm_build_mod_command(const smf_mod_cmd *c, g5_wbuf *w);
/* PDU SESSION MODIFICATION REJECT (§8.3.8). */
int smf_gsm_build_mod_reject(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *w);
/* PDU SESSION MODIFICATION COMMAND REJECT (§8.3.11): its 5GSM cause. */
int smf_gsm_parse_mod_cmd_reject(const uint8_t *n1, size_t n, uint8_t *cause);

/* N2: PDU Session Resource Modify Request Transfer (TS 38.413 §9.3.4.3): the new
 * session-AMBR and, when has_qos, the default flow's new QoS parameters in a QoS Flow
 * Add or Modify Request List. */
typedef struct smf_n2_mod {
    uint64_t ambr_ul, ambr_dl; /* bits/s */
    bool has_qos;
    uint8_t qfi, fiveqi, arp_priority;
    bool arp_preempt_cap, arp_preempt_vuln;
} smf_n2_mod;
int smf_n2_build_modify_request_transfer(const smf_n2_mod *m, g5_wbuf *w);
/* Modify Response Transfer (§9.3.4.4): 0 when qfi is not in the QoS Flow Failed to Add or
 * Modify List (an absent add/modify list is fine: only the AMBR changed), else
 * G5_ERR_STATE. */
int smf_n2_parse_modify_response_transfer(const uint8_t *p, size_t n, uint8_t qfi);
/* Modify Unsuccessful Transfer (§9.3.4.5): the NGAP cause group/value. */
int smf_n2_parse_modify_unsuccessful_transfer(const uint8_t *p, size_t n, int *group, int *value);

/* N4: Session Modification Request with an Update QER (§7.5.4.5) setting the MBR of
 * qer_id to the session-AMBR (kbps, Table 8.2.8 units). */
int smf_pfcp_build_mod_qer(g5_wbuf *w, uint64_t up_seid, uint32_t seq, uint32_t qer_id,
                           uint64_t ul_kbps, uint64_t dl_kbps);

#endif
