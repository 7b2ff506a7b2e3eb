/* SMF: Nsmf_PDUSession (TS 29.502 §5.2.2) as an in-process service interface for the AMF.
 *
 *   AMF ──► smf_create_sm_context / smf_update_sm_context / smf_release_sm_context
 *   SMF ──► AMF: smf_n1n2_fn (Namf_Communication_N1N2MessageTransfer-shaped) for
 *               network-requested releases and, on downlink data for an idle UE, the
 *               user-plane re-activation that makes the AMF page (smf_paging.c)
 *   SMF ──► UPF: PFCP over UDP 8805 (smf_pfcp.h)
 *
 * Convention (same as the AUSF/UDM, docs/ausf-udm.md): every call copies its request,
 * returns a request id (0 = not started, no callback will come), and calls back later from
 * the libuv loop, never inside the call. smf_cancel(id) before completion guarantees the
 * callback never fires (the session work already started, e.g. a PFCP request, still
 * completes and keeps the session consistent). Result pointers (N1/N2 bytes) are valid
 * during the callback only. No globals: one smf per loop. docs/smf.md has the details. */
#ifndef G5_NF_SMF_H
#define G5_NF_SMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "nf/config.h"
#include "nf/smf/smf_pfcp.h"

typedef struct smf smf;
typedef struct udm udm;

/* Access type (TS 29.571 AccessType) */
enum smf_an_type { SMF_AN_3GPP = 1, SMF_AN_NON_3GPP = 2 };

/* SmContextCreateData (TS 29.502 §6.1.6.2.2), the parts used here. */
typedef struct smf_create_req {
    char supi[24]; /* "imsi-..." */
    uint8_t psi; /* pduSessionId, from the UL NAS Transport */
    char dnn[100]; /* from the UL NAS Transport; "" = subscription default */
    g5_snssai snssai; /* sNssai; sst 0 = not sent (SMF takes the first configured) */
    uint8_t an_type; /* enum smf_an_type */
    g5_plmn serving_plmn;
    const uint8_t *n1; /* n1SmMsg: PDU SESSION ESTABLISHMENT REQUEST (copied) */
    size_t n1_len;
} smf_create_req;

/* SmContextCreatedData / SmContextCreateError plus the N1N2 message the SMF asks the AMF
 * to send (TS 23.502 §4.3.2.2.1 step 11). */
typedef struct smf_create_rsp {
    uint64_t sm_context_ref; /* 0 when rejected */
    bool accepted;
    uint8_t cause; /* 5GSM cause when rejected */
    uint8_t psi;
    g5_snssai snssai;
    const uint8_t *n1; /* ESTABLISHMENT ACCEPT or REJECT -> DL NAS Transport */
    size_t n1_len;
    const uint8_t *n2; /* accepted: PDU Session Resource Setup Request Transfer */
    size_t n2_len;
} smf_create_rsp;
/* rc: 0 with rsp (accept or reject), or a negative g5_err (rsp NULL). */
typedef void (*smf_create_cb)(void *arg, int rc, const smf_create_rsp *rsp);

/* What the AMF received from the gNB for this session (n2SmInfoType, TS 29.502 6.1.6.3.7) */
enum smf_n2_type {
    SMF_N2_NONE = 0,
    SMF_N2_SETUP_RSP, /* PDU_RES_SETUP_RSP: PDU Session Resource Setup Response Transfer */
    SMF_N2_SETUP_FAIL, /* PDU_RES_SETUP_FAIL: the session could not be set up in the RAN */
    SMF_N2_REL_RSP, /* PDU_RES_REL_RSP: PDU Session Resource Release Response Transfer */
    SMF_N2_MOD_RSP, /* PDU_RES_MOD_RSP: PDU Session Resource Modify Response Transfer */
    SMF_N2_MOD_FAIL, /* PDU_RES_MOD_FAIL: Modify Unsuccessful Transfer (smf_mod.h) */
};

/* upCnxState (TS 29.502 §6.1.6.3.9) asked by the AMF in an update */
enum smf_up_cnx {
    SMF_UP_NONE = 0, /* no change */
    SMF_UP_DEACTIVATED, /* AN release (TS 23.502 §4.2.6): DL FAR buffers, gNB tunnel forgotten */
    SMF_UP_ACTIVATING, /* Service Request (§4.2.3.2): the N2 Setup Request Transfer again */
};

typedef struct smf_update_req { /* SmContextUpdateData */
    uint64_t sm_context_ref;
    uint8_t up_cnx_state; /* enum smf_up_cnx; when set, n1/n2 are ignored */
    uint8_t n2_type; /* enum smf_n2_type */
    const uint8_t *n2; /* copied */
    size_t n2_len;
    const uint8_t *n1; /* 5GSM message from the UE (release request/complete), copied */
    size_t n1_len;
} smf_update_req;

typedef struct smf_update_rsp { /* SmContextUpdatedData */
    const uint8_t *n1; /* e.g. PDU SESSION RELEASE COMMAND -> DL NAS Transport */
    size_t n1_len;
    const uint8_t *n2; /* PDU Session Resource Release Command Transfer, with n1 */
    size_t n2_len;
    bool released; /* the SM context is gone (ref no longer valid) */
    bool n2_modify; /* n1 is a MODIFICATION COMMAND, n2 (if any) a PDU Session Resource
                       Modify Request Transfer (smf_mod.h) */
    uint8_t up_cnx_state; /* the session's upCnxState after the update (enum smf_up_cnx;
                             SMF_UP_NONE = ACTIVATED) */
} smf_update_rsp;
typedef void (*smf_update_cb)(void *arg, int rc, const smf_update_rsp *rsp);
typedef void (*smf_release_cb)(void *arg, int rc);

/* What an N1N2 message asks of the AMF. */
enum smf_n1n2_kind {
    SMF_N1N2_RELEASE = 0, /* network-requested release (TS 24.501 §6.3.3): n1 + n2 release */
    SMF_N1N2_ACTIVATE, /* downlink data for a DEACTIVATED session (TS 23.502 §4.2.3.3 step
                          3a): n2 only, the Setup Request Transfer; page the UE if idle */
    SMF_N1N2_MODIFY, /* network-requested modification (smf_mod.h, TS 24.501 §6.3.2): n1 a
                        MODIFICATION COMMAND, n2 (NULL on a T3591 retransmission) a Modify
                        Request Transfer; the SM context stays */
};

/* Network-initiated N1/N2 for a session. */
typedef struct smf_n1n2_msg {
    const char *supi;
    uint8_t psi;
    uint64_t sm_context_ref; /* no longer valid after this call when released */
    const uint8_t *n1; /* RELEASE: PDU SESSION RELEASE COMMAND; ACTIVATE: none */
    size_t n1_len;
    const uint8_t *n2; /* Release Command Transfer / Setup Request Transfer */
    size_t n2_len;
    uint8_t kind; /* enum smf_n1n2_kind */
} smf_n1n2_msg;
typedef void (*smf_n1n2_fn)(void *arg, const smf_n1n2_msg *m);

/* u (Nudm_SDM for the sm-data subscription checks) may be NULL: no subscription checks.
 * u and cfg must outlive the smf. */
smf *smf_new(uv_loop_t *loop, udm *u, const g5_smf_config *cfg, smf_n1n2_fn n1n2, void *n1n2_arg);
/* Opens the PFCP socket and starts association with the UPFs. */
int smf_start(smf *s);
/* Drops pending requests without callbacks; run the loop once more to close handles. */
void smf_free(smf *s);

uint64_t smf_create_sm_context(smf *s, const smf_create_req *req, smf_create_cb cb, void *arg);
uint64_t smf_update_sm_context(smf *s, const smf_update_req *req, smf_update_cb cb, void *arg);
uint64_t smf_release_sm_context(smf *s, uint64_t sm_context_ref, smf_release_cb cb, void *arg);
/* Network-requested release (TS 24.501 §6.3.3): sends the release command through n1n2
 * and deletes the PFCP session; the context goes away. G5_ERR_AGAIN while a procedure or
 * PFCP exchange of the session (e.g. an earlier release's deletion) is in flight. */
int smf_release_network(smf *s, uint64_t sm_context_ref, uint8_t cause);
int smf_cancel(smf *s, uint64_t id);
/* Namf_Communication_N1N2TransferFailureNotification (TS 23.502 §4.2.3.3 step 4b/6): the
 * AMF could not page the UE for this session's SMF_N1N2_ACTIVATE (T3513 ran out). The
 * session stays DEACTIVATED; the UPF is asked to buffer and report again (a new downlink
 * data report then starts a new attempt). 0 or G5_ERR_NOT_FOUND. */
int smf_n1n2_failure(smf *s, uint64_t sm_context_ref);

/* Introspection for tests and the CLI. */
typedef struct smf_stats {
    uint64_t created, rejected, released, active;
    uint64_t upf_restart_releases;
    uint64_t usage_reports, usage_ul_octets, usage_dl_octets;
    /* downlink data reports (TS 29.244 §5.2.4.1), N1N2 activations sent, reports while
     * one was already in progress (suppressed), AMF failure notifications */
    uint64_t dl_data_reports, paging_n1n2, paging_suppressed, paging_failures;
} smf_stats;
const smf_stats *smf_get_stats(const smf *s);
smf_pfcp *smf_get_pfcp(smf *s);

typedef struct smf_sess_info {
    uint8_t psi, pdu_type;
    bool has_ipv4, has_ipv6;
    uint8_t ipv4[4];
    uint8_t ipv6_prefix[8];
    uint64_t local_seid, up_seid;
    uint32_t ul_teid;
    bool has_gnb;
    uint32_t gnb_teid;
    bool up_deactivated; /* upCnxState DEACTIVATED (UE idle) */
    int upf;
    char dnn[G5_SMF_DNN_MAX];
    g5_snssai snssai;
} smf_sess_info;
int smf_sess_info_get(const smf *s, uint64_t sm_context_ref, smf_sess_info *out);

#endif
