/* Typed views of the PFCP grouped IEs an SMF/UPF acts on (TS 29.244 §7.5): PDR (with
 * PDI), FAR (with forwarding parameters), QER, URR and usage reports; the session messages
 * built from them; and builders for the messages the SMF and UPF send first.
 *
 * The same structs serve both directions: *_parse() fills one from a decoded IE (pointers
 * such as app_id point into the decoded message), g5_pfcp_put_*() encodes one.
 * Fields with a has_ flag are optional; lists are bounded (G5_PFCP_MAX_*) and a message
 * with more rules than fit is refused with G5_ERR_LIMIT rather than silently truncated. */
#ifndef G5_PFCP_PFCP_RULES_H
#define G5_PFCP_PFCP_RULES_H

#include "pfcp/pfcp.h"

#define G5_PFCP_MAX_SDF 4
#define G5_PFCP_MAX_REFS 8 /* URR/QER IDs per PDR */
#define G5_PFCP_MAX_RULES 16 /* PDRs/FARs/QERs/URRs per message */
#define G5_PFCP_MAX_REPORTS 8 /* usage reports per message */

typedef struct g5_pfcp_pdi { /* Table 7.5.2.2-2 */
    uint8_t src_if;
    bool has_fteid;
    g5_pfcp_fteid fteid;
    g5_pfcp_ni network_instance;
    bool has_ue_ip;
    g5_pfcp_ue_ip ue_ip;
    uint8_t n_sdf;
    g5_pfcp_sdf sdf[G5_PFCP_MAX_SDF];
    g5_pfcp_str app_id;
    bool has_qfi;
    uint8_t qfi;
} g5_pfcp_pdi;

typedef struct g5_pfcp_pdr { /* Create PDR 7.5.2.2-1 / Update PDR 7.5.4.2-1 */
    uint16_t pdr_id;
    bool has_precedence;
    uint32_t precedence;
    bool has_pdi;
    g5_pfcp_pdi pdi;
    bool has_ohr;
    g5_pfcp_ohr ohr;
    bool has_far_id;
    uint32_t far_id;
    uint8_t n_urr, n_qer;
    uint32_t urr_id[G5_PFCP_MAX_REFS];
    uint32_t qer_id[G5_PFCP_MAX_REFS];
} g5_pfcp_pdr;

typedef struct g5_pfcp_fwd { /* Forwarding Parameters 7.5.2.3-2 / Update ... 7.5.4.3-2 */
    bool has_dst_if;
    uint8_t dst_if;
    g5_pfcp_ni network_instance;
    bool has_ohc;
    g5_pfcp_ohc ohc;
    bool has_smreq_flags; /* Update Forwarding Parameters only (SNDEM) */
    uint8_t smreq_flags;
} g5_pfcp_fwd;

typedef struct g5_pfcp_far { /* Create FAR 7.5.2.3-1 / Update FAR 7.5.4.3-1 */
    uint32_t far_id;
    bool has_apply_action;
    uint16_t apply_action; /* G5_PFCP_AA_* */
    bool has_fwd;
    g5_pfcp_fwd fwd;
    bool has_bar_id;
    uint8_t bar_id;
} g5_pfcp_far;

typedef struct g5_pfcp_qer { /* Create QER 7.5.2.5-1 / Update QER 7.5.4.5-1 */
    uint32_t qer_id;
    bool has_corr_id;
    uint32_t corr_id;
    bool has_gate;
    uint8_t gate_ul, gate_dl; /* G5_PFCP_GATE_* */
    bool has_mbr, has_gbr;
    g5_pfcp_bitrate mbr, gbr;
    bool has_qfi;
    uint8_t qfi;
} g5_pfcp_qer;

typedef struct g5_pfcp_urr { /* Create URR 7.5.2.4-1 / Update URR 7.5.4.4-1 */
    uint32_t urr_id;
    bool has_method, has_triggers, has_period, has_vol_thr, has_vol_quota, has_time_thr,
        has_time_quota;
    uint8_t method; /* G5_PFCP_MM_* */
    uint32_t triggers; /* G5_PFCP_RT_* */
    uint32_t period, time_thr, time_quota; /* seconds */
    g5_pfcp_volume vol_thr, vol_quota;
} g5_pfcp_urr;

typedef struct g5_pfcp_usage_report { /* Tables 7.5.5.2-1 / 7.5.7.2-1 / 7.5.8.3-1 */
    uint32_t urr_id, ur_seqn, trigger; /* trigger: usage report trigger bits */
    bool has_start, has_end, has_vol, has_dur, has_first_pkt, has_last_pkt;
    uint32_t start, end, dur, first_pkt, last_pkt; /* times: NTP seconds */
    g5_pfcp_volume vol;
} g5_pfcp_usage_report;

/* Parse a grouped IE (create or update form) into its view. */
int g5_pfcp_pdr_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *ie, g5_pfcp_pdr *v);
int g5_pfcp_far_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *ie, g5_pfcp_far *v);
int g5_pfcp_qer_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *ie, g5_pfcp_qer *v);
int g5_pfcp_urr_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *ie, g5_pfcp_urr *v);
int g5_pfcp_usage_report_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *ie, g5_pfcp_usage_report *v);
/* Encode one; type selects the create/update IE (e.g. G5_PFCP_IE_UPDATE_FAR). */
int g5_pfcp_put_pdr(g5_wbuf *w, uint16_t type, const g5_pfcp_pdr *v);
int g5_pfcp_put_far(g5_wbuf *w, uint16_t type, const g5_pfcp_far *v);
int g5_pfcp_put_qer(g5_wbuf *w, uint16_t type, const g5_pfcp_qer *v);
int g5_pfcp_put_urr(g5_wbuf *w, uint16_t type, const g5_pfcp_urr *v);
/* type: G5_PFCP_IE_USAGE_REPORT_SMR / _SDR / _SRR */
int g5_pfcp_put_usage_report(g5_wbuf *w, uint16_t type, const g5_pfcp_usage_report *v);

/* ---- session messages ---- */

typedef struct g5_pfcp_rules {
    uint8_t n_pdr, n_far, n_qer, n_urr;
    g5_pfcp_pdr pdr[G5_PFCP_MAX_RULES];
    g5_pfcp_far far[G5_PFCP_MAX_RULES];
    g5_pfcp_qer qer[G5_PFCP_MAX_RULES];
    g5_pfcp_urr urr[G5_PFCP_MAX_RULES];
} g5_pfcp_rules;

typedef struct g5_pfcp_sess_est_req { /* Table 7.5.2.1-1 */
    g5_pfcp_node_id node_id;
    g5_pfcp_fseid cp_fseid;
    g5_pfcp_rules create;
    bool has_pdn_type;
    uint8_t pdn_type;
    bool has_inactivity_timer;
    uint32_t inactivity_timer; /* seconds */
    g5_pfcp_ni dnn; /* APN/DNN, optional */
} g5_pfcp_sess_est_req;

typedef struct g5_pfcp_sess_mod_req { /* Table 7.5.4.1-1 (the rule lists) */
    bool has_cp_fseid;
    g5_pfcp_fseid cp_fseid;
    g5_pfcp_rules create, update;
    uint8_t n_remove_pdr, n_remove_far, n_remove_qer, n_remove_urr, n_query_urr;
    uint16_t remove_pdr[G5_PFCP_MAX_RULES];
    uint32_t remove_far[G5_PFCP_MAX_RULES], remove_qer[G5_PFCP_MAX_RULES],
        remove_urr[G5_PFCP_MAX_RULES], query_urr[G5_PFCP_MAX_RULES];
    bool has_flags;
    uint8_t flags; /* PFCPSMReq-Flags */
} g5_pfcp_sess_mod_req;

typedef struct g5_pfcp_created_pdr { /* Table 7.5.3.2-1 */
    uint16_t pdr_id;
    bool has_fteid, has_ue_ip;
    g5_pfcp_fteid fteid;
    g5_pfcp_ue_ip ue_ip;
} g5_pfcp_created_pdr;

typedef struct g5_pfcp_sess_rsp { /* establishment / modification / deletion responses */
    g5_pfcp_node_id node_id; /* establishment only */
    uint8_t cause;
    uint16_t offending_ie; /* 0 = none */
    bool has_up_fseid;
    g5_pfcp_fseid up_fseid;
    uint8_t n_created, n_reports;
    g5_pfcp_created_pdr created[G5_PFCP_MAX_RULES];
    g5_pfcp_usage_report report[G5_PFCP_MAX_REPORTS];
} g5_pfcp_sess_rsp;

typedef struct g5_pfcp_sess_report_req { /* Table 7.5.8.1-1 */
    uint8_t report_type; /* G5_PFCP_RPT_* */
    uint8_t n_dl_pdr, n_reports;
    uint16_t dl_pdr_id[G5_PFCP_MAX_RULES]; /* Downlink Data Report */
    g5_pfcp_usage_report report[G5_PFCP_MAX_REPORTS];
} g5_pfcp_sess_report_req;

/* Association setup/update/release request or response (§7.4.4). Node ID is required;
 * the rest is filled when present. Feature bits: octet 5 = bits 0-7 and so on. */
typedef struct g5_pfcp_assoc {
    g5_pfcp_node_id node_id;
    bool has_cause, has_recovery_ts, has_up_features, has_cp_features;
    uint8_t cause;
    uint32_t recovery_ts;
    uint32_t up_features, cp_features; /* G5_PFCP_UPF_* ; first 4 octets */
} g5_pfcp_assoc;
int g5_pfcp_assoc_parse(const g5_pfcp_msg *m, g5_pfcp_assoc *v);

int g5_pfcp_sess_est_req_parse(const g5_pfcp_msg *m, g5_pfcp_sess_est_req *v);
int g5_pfcp_sess_mod_req_parse(const g5_pfcp_msg *m, g5_pfcp_sess_mod_req *v);
int g5_pfcp_sess_rsp_parse(const g5_pfcp_msg *m, g5_pfcp_sess_rsp *v);
int g5_pfcp_sess_report_req_parse(const g5_pfcp_msg *m, g5_pfcp_sess_report_req *v);

/* ---- the usual PDU session: one uplink + one downlink PDR pair ---- */

/* Rule IDs used by g5_pfcp_pdu_session_rules(). */
enum {
    G5_PFCP_UL_PDR = 1,
    G5_PFCP_DL_PDR = 2,
    G5_PFCP_UL_FAR = 1,
    G5_PFCP_DL_FAR = 2,
    G5_PFCP_SESS_QER = 1,
    G5_PFCP_SESS_URR = 1,
};

typedef struct g5_pfcp_pdu_session {
    uint8_t ue_ipv4[4];
    const char *access_ni, *core_ni; /* network instances, may be NULL */
    uint8_t qfi; /* 0 = no QFI match */
    g5_pfcp_bitrate ambr; /* session AMBR for the QER, kbps; 0/0 = no MBR */
    bool ul_teid_choose; /* let the UPF allocate the N3 F-TEID (CH=1, CHOOSE ID 1) */
    uint32_t ul_teid; /* otherwise the N3 TEID and address */
    uint8_t n3_ipv4[4];
    /* N3 over IPv6 (TS 29.244 §8.2.3 V6): the F-TEID (or, with CHOOSE, the families asked
     * for) carries IPv6 too, or only IPv6 with n3_no_v4 */
    bool n3_v6, n3_no_v4;
    uint8_t n3_ipv6[16];
    bool has_gnb; /* gNB tunnel known: DL FAR forwards; else buffers and notifies */
    uint32_t gnb_teid;
    uint8_t gnb_ipv4[4];
    bool gnb_v6; /* gNB tunnel over IPv6: Outer Header Creation GTP-U/UDP/IPv6 (§8.2.56) */
    uint8_t gnb_ipv6[16];
    bool with_urr;
    uint64_t volume_threshold; /* octets, 0 = none */
    uint32_t time_threshold; /* seconds, 0 = none */
} g5_pfcp_pdu_session;

/* Fills rules with the uplink PDR/FAR (N3 -> N6) and downlink PDR/FAR (N6 -> N3), a
 * shared QER (gate open, AMBR) and optionally a URR. */
void g5_pfcp_pdu_session_rules(g5_pfcp_rules *rules, const g5_pfcp_pdu_session *s);

/* ---- builders: whole messages into w ---- */

int g5_pfcp_build_heartbeat_req(g5_wbuf *w, uint32_t seq, uint32_t recovery_ts);
int g5_pfcp_build_heartbeat_rsp(g5_wbuf *w, uint32_t seq, uint32_t recovery_ts);
/* up_features / cp_features: 0 = IE omitted. */
int g5_pfcp_build_assoc_setup_req(g5_wbuf *w, uint32_t seq, const g5_pfcp_node_id *node,
                                  uint32_t recovery_ts, uint32_t up_features, uint32_t cp_features);
int g5_pfcp_build_assoc_setup_rsp(g5_wbuf *w, uint32_t seq, const g5_pfcp_node_id *node,
                                  uint8_t cause, uint32_t recovery_ts, uint32_t up_features,
                                  uint32_t cp_features);
int g5_pfcp_build_assoc_release_req(g5_wbuf *w, uint32_t seq, const g5_pfcp_node_id *node);
/* seid: the peer's SEID in the header (0 for a new session, §7.2.2.4.2). */
int g5_pfcp_build_sess_est_req(g5_wbuf *w, uint64_t seid, uint32_t seq,
                               const g5_pfcp_sess_est_req *v);
int g5_pfcp_build_sess_est_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, const g5_pfcp_sess_rsp *v);
int g5_pfcp_build_sess_mod_req(g5_wbuf *w, uint64_t seid, uint32_t seq,
                               const g5_pfcp_sess_mod_req *v);
/* The common modification: the gNB N3 tunnel became known, the DL FAR now forwards to it. */
int g5_pfcp_build_sess_mod_req_gnb_tunnel(g5_wbuf *w, uint64_t seid, uint32_t seq,
                                          uint32_t dl_far_id, uint32_t gnb_teid,
                                          const uint8_t gnb_ipv4[4]);
/* The same with the gNB address of either family: ip is 16 octets when v6 (Outer Header
 * Creation GTP-U/UDP/IPv6), else 4. */
int g5_pfcp_build_sess_mod_req_gnb_tunnel_ip(g5_wbuf *w, uint64_t seid, uint32_t seq,
                                             uint32_t dl_far_id, uint32_t gnb_teid, bool v6,
                                             const uint8_t *ip);
int g5_pfcp_build_sess_mod_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, const g5_pfcp_sess_rsp *v);
int g5_pfcp_build_sess_del_req(g5_wbuf *w, uint64_t seid, uint32_t seq);
int g5_pfcp_build_sess_del_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, const g5_pfcp_sess_rsp *v);
int g5_pfcp_build_sess_report_req(g5_wbuf *w, uint64_t seid, uint32_t seq,
                                  const g5_pfcp_sess_report_req *v);
int g5_pfcp_build_sess_report_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, uint8_t cause);
/* The rejection a request deserves after g5_pfcp_decode failed with e (cause != 0):
 * response type = request type + 1, Cause + Offending IE, Node ID where mandatory. */
int g5_pfcp_build_reject(g5_wbuf *w, const g5_pfcp_hdr *req, uint64_t peer_seid,
                         const g5_pfcp_node_id *node, const g5_pfcp_error *e);

#endif
