/* 5GSM (TS 24.501 §6.4) and N2 SM information (TS 38.413 §9.3.4) for the SMF.
 *
 * Pure functions, no state: parse a PDU SESSION ESTABLISHMENT REQUEST / RELEASE REQUEST,
 * build the ACCEPT / REJECT / RELEASE COMMAND with the NAS codec, and encode the PDU
 * Session Resource Setup Request Transfer / decode the Setup Response Transfer with the
 * NGAP codec. smf.c owns the sessions and calls these. */
#ifndef G5_NF_SMF_GSM_H
#define G5_NF_SMF_GSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "gtpu/gtpu_tnl.h"

/* 5GSM causes, TS 24.501 §9.11.4.2 (values from Table 9.11.4.2.1). */
enum smf_gsm_cause {
    SMF_CAUSE_INSUFFICIENT_RESOURCES = 26,
    SMF_CAUSE_MISSING_OR_UNKNOWN_DNN = 27,
    SMF_CAUSE_UNKNOWN_PDU_SESSION_TYPE = 28,
    SMF_CAUSE_USER_AUTH_FAILED = 29,
    SMF_CAUSE_REQUEST_REJECTED = 31,
    SMF_CAUSE_SERVICE_OPTION_NOT_SUPPORTED = 32,
    SMF_CAUSE_SERVICE_OPTION_NOT_SUBSCRIBED = 33,
    SMF_CAUSE_REGULAR_DEACTIVATION = 36,
    SMF_CAUSE_NETWORK_FAILURE = 38,
    SMF_CAUSE_INVALID_PSI = 43,
    SMF_CAUSE_IPV4_ONLY_ALLOWED = 50,
    SMF_CAUSE_IPV6_ONLY_ALLOWED = 51,
    SMF_CAUSE_PDU_SESSION_DOES_NOT_EXIST = 54,
    SMF_CAUSE_NOT_SUPPORTED_SSC_MODE = 68,
    SMF_CAUSE_MISSING_OR_UNKNOWN_DNN_IN_SLICE = 70,
    SMF_CAUSE_SEMANTICALLY_INCORRECT = 95,
    SMF_CAUSE_INVALID_MANDATORY_INFO = 96,
    SMF_CAUSE_MSG_TYPE_NOT_COMPATIBLE = 98,
    SMF_CAUSE_PROTOCOL_ERROR = 111,
};

/* TS 24.008 §10.5.6.3 container identifiers (PCO / ePCO), both directions. */
enum {
    SMF_PCO_DNS6 = 0x0003,
    SMF_PCO_DNS4 = 0x000d,
    SMF_PCO_MTU4 = 0x0010,
};

/* What the SMF uses of a PDU SESSION ESTABLISHMENT REQUEST (§8.3.1). */
typedef struct smf_est_req {
    uint8_t psi, pti;
    uint8_t pdu_type; /* 0 = not sent (SMF picks), else enum nas_pdu_session_type / 4.. */
    uint8_t ssc_mode; /* 0 = not sent */
    bool want_dns4, want_dns6, want_mtu; /* ePCO requests */
} smf_est_req;

/* Parses n1 as an establishment request. On failure returns a negative g5_err and the
 * 5GSM cause to reject with in *cause. */
int smf_gsm_parse_est_req(const uint8_t *n1, size_t n, smf_est_req *out, uint8_t *cause);

/* Header of any 5GSM message (PSI, PTI, type) with a full decode; cause as above. */
int smf_gsm_peek(const uint8_t *n1, size_t n, uint8_t *psi, uint8_t *pti, uint8_t *type,
                 uint8_t *cause);

/* Everything the accept carries. */
typedef struct smf_accept {
    uint8_t psi, pti;
    uint8_t pdu_type; /* NAS_PDU_IPV4 / IPV6 / IPV4V6 */
    uint8_t ssc_mode;
    uint8_t ipv4[4];
    uint8_t ipv6_iid[8];
    uint8_t qfi, fiveqi;
    uint64_t ambr_ul, ambr_dl; /* bits/s */
    const char *dnn;
    uint8_t sst;
    uint32_t sd; /* 0xFFFFFF = none */
    /* ePCO (only what was requested) */
    bool dns4, dns6, mtu;
    uint8_t dns4_addr[2][4];
    uint8_t n_dns4;
    uint8_t dns6_addr[2][16];
    uint8_t n_dns6;
    uint16_t mtu_value;
} smf_accept;

int smf_gsm_build_accept(const smf_accept *a, g5_wbuf *w);
int smf_gsm_build_reject(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *w);
/* PDU SESSION RELEASE COMMAND (§8.3.14); pti 0 for a network-requested release. */
int smf_gsm_build_release_command(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *w);
/* Best unit/value of Table 9.11.4.14.1 for bps (rounded down, value >= 1). */
void smf_ambr_units(uint64_t bps, uint8_t *unit, uint16_t *value);

/* N2: PDU Session Resource Setup Request Transfer (TS 38.413 §9.3.4.1). */
typedef struct smf_n2_setup {
    g5_tnl_addr upf_n3; /* UL NG-U address: 32, 128 or 160 bits (TS 38.414 §5.1) */
    uint32_t ul_teid;
    uint8_t pdu_type; /* NAS_PDU_* */
    uint8_t qfi, fiveqi;
    uint8_t arp_priority;
    bool arp_preempt_cap, arp_preempt_vuln;
    uint64_t ambr_ul, ambr_dl; /* bits/s */
} smf_n2_setup;

/* The APER encoding of the transfer into w. */
int smf_n2_build_setup_request_transfer(const smf_n2_setup *s, g5_wbuf *w);
/* Setup Response Transfer (§9.3.4.2): the DL gNB tunnel (IPv4, IPv6 or both). */
int smf_n2_parse_setup_response_transfer(const uint8_t *p, size_t n, g5_tnl_addr *gnb,
                                         uint32_t *gnb_teid);
/* PDU Session Resource Release Command Transfer (§9.3.4.12) with a NAS cause
 * (normal release). */
int smf_n2_build_release_command_transfer(g5_wbuf *w);

#endif
