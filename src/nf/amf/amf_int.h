/* AMF internals shared by the src/nf/amf/ files: the AMF, gNB and UE contexts. A UE
 * context (amf_ue) owns everything about one subscriber (FSM instance, timers, keys) and
 * is freed as one tree by amf_ue_free. */
#ifndef G5_NF_AMF_AMF_INT_H
#define G5_NF_AMF_AMF_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/fsm.h"
#include "core/hmap.h"
#include "core/pcap.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/amf/amf.h"
#include "nf/smf/smf.h"
#include "ngap/ngap_msg.h"
#include "transport/sctp_sendq.h"

#define AMF_MAX_RETX 4 /* TS 24.501 §10.2: retransmitted four times, aborted on the 5th */
#define AMF_NAS_MAX 1024
#define AMF_MAX_PSI 16 /* PDU session IDs 1..15 (TS 24.007 §11.2.3.1b) */
#define AMF_GNB_MAX_TA 32 /* (PLMN, TAC) pairs kept per gNB from NG Setup */

struct amf {
    uv_loop_t *loop;
    const g5_config *cfg;
    udm *udm;
    ausf *ausf;
    amf_timer_cfg t;
    amf_stats st;
    char snn[UDM_SNN_MAX];
    uint8_t plmn[3];
    uint64_t next_amf_ue_id;
    uint32_t next_tmsi;
    uint32_t next_gnb;
    g5_hmap gnbs; /* gnb number -> amf_gnb */
    g5_hmap ue_by_id; /* AMF UE NGAP ID -> amf_ue */
    g5_hmap ue_by_supi; /* IMSI digits -> amf_ue */
    g5_hmap ue_by_tmsi; /* 5G-TMSI -> amf_ue */
    g5_sctp_ep *ep;
    g5_pcap *pcap;
    smf *smf; /* Nsmf_PDUSession (NULL: no PDU sessions) */
};

struct amf_gnb {
    amf *amf;
    uint32_t num;
    amf_send_fn send;
    void *send_arg;
    g5_sctp_assoc *assoc;
    g5_sctp_sendq sq; /* NGAP messages waiting for room in the association (backpressure) */
    bool setup_done;
    char peer[64];
    char name[64];
    g5_hmap ues; /* RAN UE NGAP ID -> amf_ue */
    /* from NG Setup, for the operator (amf_info.c) */
    bool has_id;
    uint8_t id_plmn[3];
    uint32_t gnb_id;
    uint8_t gnb_id_bits;
    /* Supported TA List of its NG Setup (PLMN, TAC): where Paging goes (amf_paging.c) */
    uint8_t nta;
    struct {
        uint8_t plmn[3];
        uint32_t tac;
    } ta[AMF_GNB_MAX_TA];
};

/* 5GMM states (TS 24.501 §5.1.3.2.3 on the network side, with the common procedures in
 * progress as states of their own). */
enum amf_gmm_state {
    GMM_DEREGISTERED,
    GMM_AUTHENTICATING, /* AUSF request in progress or Authentication Request sent */
    GMM_IDENTIFYING, /* Identity Request sent */
    GMM_SECURITY_MODE, /* Security Mode Command sent */
    GMM_REGISTERING, /* Registration Accept sent, waiting for Registration Complete */
    GMM_REGISTERED,
    GMM_DEREG_INITIATED, /* network-initiated Deregistration Request sent */
    GMM_NUM_STATES
};

/* 5GMM events: the uplink messages plus internal ones. */
enum amf_gmm_event {
    EV_REG_REQ,
    EV_AUTH_RESP,
    EV_AUTH_FAIL,
    EV_ID_RESP,
    EV_SMC_COMPLETE,
    EV_SMC_REJECT,
    EV_REG_COMPLETE,
    EV_DEREG_REQ,
    EV_DEREG_ACCEPT,
    EV_SERVICE_REQ,
    EV_STATUS,
    EV_UL_NAS_TRANSPORT,
    EV_NUM_EVENTS
};

enum amf_timer_id { T_NONE = 0, T3550 = 3550, T3560 = 3560, T3570 = 3570, T3522 = 3522 };
enum amf_sbi_nf { SBI_NONE, SBI_AUSF, SBI_UDM };

/* One PDU session as the AMF knows it (TS 23.502 §4.3.2.2.1: the AMF stores the SM
 * context reference per PDU session ID). */
typedef struct amf_sess {
    uint64_t ref; /* SM context reference, 0 = no session */
    bool creating; /* CreateSMContext in flight */
    g5_snssai snssai;
    bool up_active; /* user-plane resources set up at the gNB */
    uint8_t *act_n2; /* Service Request: Setup Request Transfer waiting for the N2 message */
    size_t act_n2_len;
} amf_sess;

struct amf_ue;
typedef struct amf_paging amf_paging;
/* An Nsmf call in flight, cancelled when the UE context goes. */
typedef struct amf_smf_op {
    struct amf_smf_op *next;
    struct amf_ue *ue;
    uint64_t id;
    uint8_t psi;
    uint8_t kind; /* amf_sm.c */
} amf_smf_op;

typedef struct amf_ue {
    amf *amf;
    g5_fsm_inst *fi;
    uint64_t amf_ue_id;
    /* N2 connection (CM-CONNECTED when gnb != NULL) */
    amf_gnb *gnb;
    int64_t ran_ue_id;
    bool ics_sent; /* Initial Context Setup done on this connection */
    bool releasing; /* UE Context Release Command sent */
    bool free_after_release; /* deregistered: drop the context at Release Complete */
    uint8_t tai_plmn[3];
    uint32_t tai_tac;
    /* identities */
    char supi[G5_SUPI_MAX];
    char suci[G5_SUCI_STR_MAX];
    uint32_t tmsi;
    bool has_tmsi;
    /* registration request being processed */
    uint8_t reg_type; /* 5GS registration type value (1 initial, 2 mobility, 3 periodic) */
    uint8_t ue_ngksi;
    nas_ue_sec_cap caps;
    uint8_t caps_raw[8];
    uint8_t caps_len;
    nas_nssai requested;
    bool has_requested;
    /* SBI request in flight */
    uint64_t sbi_id;
    enum amf_sbi_nf sbi_nf;
    /* authentication */
    g5_auth_method auth_type;
    uint64_t auth_ctx_id;
    uint8_t rand[16], autn[16], hxres_star[16];
    uint8_t ngksi; /* ngKSI of the context being established / in use */
    uint8_t eap_success[8];
    size_t eap_success_len;
    /* security */
    uint8_t kamf[32];
    nas_sec_ctx sec;
    bool sec_valid; /* a 5G NAS security context exists (after SMC) */
    bool sec_active; /* ...and is in use on this N2 connection */
    uint32_t kgnb_count; /* uplink NAS COUNT for KgNB (TS 33.501 A.9) */
    uint32_t rx_count; /* NAS COUNT of the uplink message being handled */
    bool rx_integrity_ok; /* ...and whether its MAC was verified */
    /* subscription */
    g5_snssai allowed[G5_MAX_SLICES];
    int n_allowed;
    nas_snssai rejected[G5_MAX_SLICES];
    int n_rejected;
    uint64_t ambr_ul, ambr_dl;
    /* retransmission (T3550/T3560/T3570/T3522) */
    uint8_t last_dl[AMF_NAS_MAX];
    size_t last_dl_len;
    unsigned retx;
    g5_timer *reach_timer; /* mobile reachable timer (CM-IDLE) */
    /* PDU sessions (amf_sm.c) */
    amf_sess sess[AMF_MAX_PSI];
    amf_smf_op *smf_ops;
    bool has_ue_psi_status; /* PDU session status IE in the Registration Request */
    uint16_t ue_psi_status;
    unsigned sr_waiting; /* Service Request: re-activations still to be answered */
    uint16_t sr_failed; /* ...PSIs that could not be re-activated */
    bool sr_status_ie, sr_uds_ie; /* the Service Request had PDU session / uplink data status */
    struct amf_paging *paging; /* network-triggered service request in progress (amf_paging.c) */
} amf_ue;

/* amf_context.c */
amf_ue *amf_ue_new(amf *a);
void amf_ue_free(amf_ue *ue);
void amf_ue_bind(amf_ue *ue, amf_gnb *g, int64_t ran_ue_id);
void amf_ue_unbind(amf_ue *ue);
int amf_ue_set_supi(amf_ue *ue, const char *supi);
void amf_ue_new_tmsi(amf_ue *ue);
amf_ue *amf_ue_by_tmsi(amf *a, uint32_t tmsi);
void amf_cancel_sbi(amf_ue *ue);
void amf_count_reject(amf *a, uint8_t cause);

/* amf_ngap.c */
int amf_ngap_send(amf_gnb *g, uint16_t stream, NGAP_NGAP_PDU_t *pdu);
void amf_ngap_dl_nas(amf_ue *ue, const uint8_t *nas, size_t n);
void amf_ngap_ics_request(amf_ue *ue, const uint8_t *nas, size_t n);
void amf_ngap_release(amf_ue *ue, uint32_t group, int value);
void amf_guami(const amf *a, ngap_guami *g);

/* amf_info.c: remembers the Global RAN Node ID and supported TAs of an NG Setup */
void amf_gnb_note_setup(amf_gnb *g, const NGAP_NGAP_PDU_t *req);

/* amf_ngap_reset.c: NG Reset (TS 38.413 §8.7.4) from the gNB (whole or partial) and the
 * NG Reset Acknowledge answering ours */
void amf_ngap_ng_reset_rx(amf_gnb *g, const NGAP_NGAP_PDU_t *req);
void amf_ngap_ng_reset_ack_rx(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu);

/* amf_nas.c */
void amf_nas_rx(amf_ue *ue, const uint8_t *p, size_t n, bool initial);
void amf_initial_ue(amf_gnb *g, int64_t ran_ue_id, const uint8_t *nas, size_t n,
                    const uint8_t tai_plmn[3], uint32_t tac);
void amf_gmm_handle(amf_ue *ue, uint32_t event, const nas_msg *m);
void amf_nas_send(amf_ue *ue, const nas_msg *m, bool retx);
void amf_send_status(amf_ue *ue, uint8_t cause);
void amf_reg_reject(amf_ue *ue, uint8_t cause);
/* reregister: de-registration type "re-registration required" (TS 24.501 §9.11.3.20) */
void amf_nw_deregister(amf_ue *ue, bool reregister);
void amf_proc_abort(amf_ue *ue, int timer_id);
int amf_nas_encode_dl(amf_ue *ue, const nas_msg *m, uint8_t *out, size_t *len);
void amf_service_accept(amf_ue *ue);

/* amf_sm.c: PDU sessions (TS 24.501 §5.4.5, TS 23.502 §4.3.2, §4.2.3.2, §4.2.6) */
void amf_sm_ul_nas_transport(amf_ue *ue, const nas_msg *m);
void amf_sm_setup_result(amf_ue *ue, uint8_t psi, bool ok, const uint8_t *tr, size_t n);
void amf_sm_release_result(amf_ue *ue, uint8_t psi, const uint8_t *tr, size_t n);
void amf_sm_an_release(amf_ue *ue); /* the UE went CM-IDLE: user planes deactivated */
void amf_sm_release_all(amf_ue *ue); /* deregistration / context removal */
void amf_sm_free(amf_ue *ue); /* cancels calls in flight (the context goes) */
/* PDU session status (TS 24.501 §9.11.3.44): bit n = PSI n has a session. */
uint16_t amf_sm_status(const amf_ue *ue);
/* The UE's PDU session status: sessions it does not have are released locally
 * (TS 24.501 §5.5.1.3.4 / §5.6.1.4). */
void amf_sm_sync_status(amf_ue *ue, uint16_t ue_status);
/* Service Request with Uplink data status: starts the re-activations; returns false when
 * there is nothing to re-activate (the accept can go at once). */
bool amf_sm_reactivate(amf_ue *ue, uint16_t uplink_status);
/* Re-activated sessions whose transfer did not go in an Initial Context Setup: one PDU
 * Session Resource Setup Request each (the UE was already connected). */
void amf_sm_send_pending_setups(amf_ue *ue);

/* amf_ngap_sm.c: NGAP PDU Session Resource procedures (TS 38.413 §8.2) */
uint16_t amf_ngap_ue_stream(const amf_gnb *g);
int amf_ngap_pdu_setup(amf_ue *ue, uint8_t psi, const g5_snssai *sn, const uint8_t *nas, size_t n,
                       const uint8_t *tr, size_t tr_len);
int amf_ngap_pdu_release(amf_ue *ue, uint8_t psi, const uint8_t *nas, size_t n, const uint8_t *tr,
                         size_t tr_len);
int amf_ngap_add_cxt_sessions(amf_ue *ue, NGAP_NGAP_PDU_t *pdu);
void amf_ngap_pdu_setup_rsp(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu);
void amf_ngap_pdu_release_rsp(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu);
void amf_ngap_ics_sessions(amf_ue *ue, const NGAP_NGAP_PDU_t *pdu);
amf_ue *amf_ngap_find_ue(amf_gnb *g, const NGAP_NGAP_PDU_t *req);

/* amf_sm_mod.c: PDU session modification (TS 23.502 §4.3.3.2, TS 38.413 §8.2.3) */
int amf_ngap_pdu_modify(amf_ue *ue, uint8_t psi, const uint8_t *nas, size_t n, const uint8_t *tr,
                        size_t tr_len);
void amf_ngap_pdu_modify_rsp(amf_gnb *g, const NGAP_NGAP_PDU_t *pdu);
/* The SMF's MODIFICATION COMMAND (+ Modify Request Transfer) to the UE / gNB. */
void amf_sm_relay_modify(amf_ue *ue, uint8_t psi, const uint8_t *n1, size_t n1_len,
                         const uint8_t *n2, size_t n2_len);
void amf_sm_n1n2_modify(amf_ue *ue, const smf_n1n2_msg *m);
/* amf_paging.c: network-triggered service request (TS 23.502 §4.2.3.3, TS 24.501
 * §5.6.2, TS 38.413 §8.5.1) */
void amf_paging_learn_tas(amf_gnb *g, const NGAP_SupportedTAList_t *l); /* NG Setup */
void amf_paging_n1n2(amf_ue *ue, const smf_n1n2_msg *m); /* N1N2 kind ACTIVATE */
/* Service Request: stops T3513 and returns the PSIs the UE was paged for (bit n = PSI n). */
uint16_t amf_paging_answered(amf_ue *ue);
void amf_paging_free(amf_ue *ue);
/* Paging for a 5G-S-TMSI with a TAI List for Paging (tais: n (PLMN, TAC) pairs). */
int amf_paging_build(NGAP_NGAP_PDU_t *pdu, uint16_t amf_set_id, uint8_t amf_pointer, uint32_t tmsi,
                     const uint8_t plmn[3], const uint32_t *tacs, size_t n);

/* amf_gmm_fsm.c */
extern const g5_fsm amf_gmm_fsm;
void amf_gmm_set(amf_ue *ue, enum amf_gmm_state s, int timer_id);

/* amf_timers.c */
uint32_t amf_timer_ms(const amf *a, int timer_id);
bool amf_timer_expired(g5_fsm_inst *fi, int timer_id);
void amf_reach_start(amf_ue *ue);
void amf_reach_stop(amf_ue *ue);

/* amf_security.c */
int amf_select_algs(const amf *a, const nas_ue_sec_cap *caps, uint8_t *nea, uint8_t *nia);
bool amf_caps_valid(const nas_ue_sec_cap *caps);
int amf_derive_nas_keys(amf_ue *ue, const uint8_t kseaf[32]);
int amf_kgnb(const amf_ue *ue, uint8_t kgnb[32]);
void amf_ngap_sec_caps(const nas_ue_sec_cap *caps, uint16_t out[4]);

#endif
