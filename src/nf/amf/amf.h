/* AMF: the access and mobility function (TS 23.501 §6.2.1) of glass5g.
 *
 * One `amf` per libuv loop. It terminates N2 (NGAP, TS 38.413) and N1 (5GMM, TS 24.501)
 * and uses the in-process AUSF (Nausf_UEAuthentication) and UDM (Nudm_UECM, Nudm_SDM).
 *
 * The NGAP entry point is transport independent: a gNB is "attached" with a send function
 * (amf_gnb_attach) and every received NGAP message is given to amf_ngap_rx. amf_n2_listen
 * wires this to an SCTP listener (src/transport/sctp.h); tests call the entry points
 * directly with an in-test gNB/UE. Files: amf_context.c (contexts, indexes), amf_ngap.c
 * (NGAP handlers), amf_nas.c (5GMM handlers), amf_gmm_fsm.c (state table), amf_security.c
 * (NAS security), amf_timers.c (T3550/T3560/T3570/T3522, mobile reachable), amf_n2.c
 * (SCTP + pcap glue), amf_sm.c (PDU sessions: 5GSM relay to the SMF), amf_ngap_sm.c
 * (NGAP PDU Session Resource procedures). docs/amf.md describes the state machine and procedures.
 */
#ifndef G5_NF_AMF_AMF_H
#define G5_NF_AMF_AMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "nf/ausf/ausf.h"
#include "nf/config.h"
#include "nf/smf/smf.h"
#include "nf/udm/udm.h"
#include "transport/sctp.h"

typedef struct amf amf;
typedef struct amf_gnb amf_gnb;

/* Procedure timer values in ms (0 = the TS 24.501 §10.2 default: 6 s each; the mobile
 * reachable timer defaults to T3512 + 4 min). */
typedef struct amf_timer_cfg {
    uint32_t t3550_ms, t3560_ms, t3570_ms, t3522_ms;
    uint32_t mobile_reachable_ms;
    /* T3513 (TS 24.501 §5.6.2.2.1): paging retransmission timer (0 = config amf.timers.
     * t3513, default 2 s) and how many times Paging is sent again before giving up
     * (0 = config amf.timers.paging_retransmissions, default 2) */
    uint32_t t3513_ms, paging_retx;
} amf_timer_cfg;

/* Per-AMF counters (also exported as process metrics, see docs/amf.md). */
typedef struct amf_stats {
    uint64_t ng_setup_ok, ng_setup_fail, ng_reset; /* ng_reset: received from gNBs */
    uint64_t ng_reset_sent, ng_reset_ack; /* AMF-initiated (amf_ng_reset) and answered */
    uint64_t reg_accept, reg_reject, reg_complete;
    uint64_t reg_reject_by_cause[256];
    uint64_t auth_reject, auth_sync_fail, auth_mac_fail;
    uint64_t nas_mac_fail, nas_replay, nas_unprotected_dropped;
    uint64_t gmm_status_sent, error_ind_sent;
    uint64_t dereg_ue, dereg_nw, service_accept, service_reject;
    uint64_t timer_abort, implicit_dereg;
    /* network-triggered service request (amf_paging.c): N1N2 activations received, Paging
     * messages sent (one per gNB) and retransmitted on T3513, attempts that ran out of
     * retransmissions, UEs that answered, activations for CM-CONNECTED UEs (no paging) */
    uint64_t paging_n1n2, paging_sent, paging_retx, paging_timeout, paging_answered,
        paging_connected;
} amf_stats;

/* cfg, um and au are borrowed and must outlive the amf. timers may be NULL. */
amf *amf_new(uv_loop_t *loop, const g5_config *cfg, udm *um, ausf *au, const amf_timer_cfg *timers);
/* Frees every gNB and UE context (no messages sent). Run the loop once more afterwards
 * so timer handles close. */
void amf_free(amf *a);
const amf_stats *amf_get_stats(const amf *a);
size_t amf_ue_count(const amf *a);

/* ---- transport-independent N2 entry points ---- */
typedef int (*amf_send_fn)(void *arg, uint16_t stream, const uint8_t *p, size_t n);
amf_gnb *amf_gnb_attach(amf *a, amf_send_fn send, void *arg, const char *peer);
/* Association lost: releases every UE context of the gNB (TS 23.502 §4.2.6). */
void amf_gnb_detach(amf_gnb *g);
/* One received NGAP PDU. Never fails on peer input: errors are answered per TS 38.413 §10. */
void amf_ngap_rx(amf_gnb *g, uint16_t stream, const uint8_t *p, size_t n);

/* ---- N2 over SCTP ---- */
int amf_n2_listen(amf *a, const g5_sctp_cfg *scfg);
/* Bound SCTP port (0 when not listening). */
uint16_t amf_n2_port(const amf *a);
/* Writes every NGAP message in/out to path (pcap, Wireshark exported PDU). */
int amf_pcap_open(amf *a, const char *path);

/* ---- PDU sessions (docs/amf.md "PDU sessions") ----
 * The SMF serving this AMF (NULL = none: 5GSM messages go back with 5GMM cause #90). The
 * SMF must be created with amf_smf_n1n2 as its n1n2 function and the amf as argument, and
 * must outlive the amf (free the amf first). */
void amf_set_smf(amf *a, smf *s);
void amf_smf_n1n2(void *amf, const smf_n1n2_msg *m);

/* Network-initiated deregistration of supi (TS 24.501 §5.5.2.3). 0 or G5_ERR_NOT_FOUND. */
int amf_deregister_ue(amf *a, const char *supi);

/* ---- operator introspection and actions (amf_info.c; `glass5g ctl`, docs/ctl.md) ----
 * Read-only snapshots copied out of the contexts: valid after the next loop turn too. */
#define AMF_GNB_MAX_TAS 16

typedef struct amf_gnb_info {
    uint32_t num; /* AMF-local gNB number: the handle of ng-reset */
    bool setup_done; /* NG Setup accepted */
    char name[64], peer[64];
    bool has_id; /* Global RAN Node ID from NG Setup (gNB ID only) */
    uint8_t plmn[3];
    uint32_t gnb_id;
    uint8_t gnb_id_bits; /* 22..32 */
    uint8_t ntas;
    uint32_t tacs[AMF_GNB_MAX_TAS]; /* supported TAs (TAC; broadcast PLMNs not kept) */
    size_t nues; /* UEs CM-CONNECTED through it */
} amf_gnb_info;

typedef struct amf_ue_sess_info {
    uint8_t psi;
    uint64_t sm_context_ref;
    g5_snssai snssai;
    bool up_active; /* user plane set up at the gNB */
    bool creating; /* establishment in progress */
} amf_ue_sess_info;

typedef struct amf_ue_info {
    char supi[24];
    uint64_t amf_ue_ngap_id;
    const char *gmm_state; /* "REGISTERED", "DEREGISTERED", ... (static) */
    bool registered; /* RM-REGISTERED */
    bool connected; /* CM-CONNECTED */
    uint32_t gnb_num; /* connected: the gNB and the RAN UE NGAP ID */
    int64_t ran_ue_ngap_id;
    bool has_guti;
    uint8_t guti_plmn[3];
    uint8_t amf_region_id;
    uint16_t amf_set_id;
    uint8_t amf_pointer;
    uint32_t tmsi;
    uint8_t tai_plmn[3]; /* last TAI the UE was seen in */
    uint32_t tac;
    int nsess;
    amf_ue_sess_info sess[15];
} amf_ue_info;

size_t amf_gnb_count(const amf *a);
/* Iteration: *it = 0 first; returns false when done. Order is unspecified. */
bool amf_gnb_info_next(const amf *a, size_t *it, amf_gnb_info *out);
int amf_gnb_info_get(const amf *a, uint32_t num, amf_gnb_info *out); /* 0 / NOT_FOUND */
bool amf_ue_info_next(const amf *a, size_t *it, amf_ue_info *out);
int amf_ue_info_get(const amf *a, const char *supi, amf_ue_info *out); /* 0 / NOT_FOUND */
/* Network-initiated deregistration; reregister sets "re-registration required"
 * (TS 24.501 §5.5.2.3.1, §9.11.3.20) so the UE registers again at once. */
int amf_deregister_ue_type(amf *a, const char *supi, bool reregister);
/* Network-requested PDU session release of supi's PSI through the SMF (TS 24.501 §6.3.3,
 * 5GSM cause e.g. 36 regular deactivation). G5_ERR_NOT_FOUND (no UE/session), G5_ERR_STATE
 * (no SMF, or the session is being established), G5_ERR_AGAIN (the SMF is busy with it). */
int amf_release_pdu_session(amf *a, const char *supi, uint8_t psi, uint8_t cause_5gsm);
/* The SM context reference of supi's PSI (for operator actions on the SMF).
 * G5_ERR_NOT_FOUND (no UE/session) or G5_ERR_STATE (being established). */
int amf_pdu_session_ref(amf *a, const char *supi, uint8_t psi, uint64_t *ref);
/* AMF-initiated NG Reset of the whole NG interface of gNB num (TS 38.413 §8.7.4.2.1): the
 * UE-associated connections through it are released locally (registered UEs go CM-IDLE)
 * and NG RESET is sent; *released counts them. 0, NOT_FOUND or STATE (no NG Setup yet). */
int amf_ng_reset(amf *a, uint32_t num, size_t *released);

#endif
