/* glass5g-sim PDU sessions and user plane: the UE's 5GSM (TS 24.501 §6.4.1, §6.4.3), the
 * gNB's PDU Session Resource handling (TS 38.413 §8.2) and its N3 GTP-U endpoint
 * (TS 29.281, PDU Session Container TS 38.415), per-session TUN devices and an in-process
 * ping generator.
 *
 * The simulator plays UE and gNB in one process, so one sim_sess holds both halves of a
 * PDU session: what the UE learnt from PDU SESSION ESTABLISHMENT ACCEPT (address, QoS rule,
 * session-AMBR) and what the gNB learnt from the PDU Session Resource Setup Request Transfer
 * (UPF N3 address and UL TEID, QFI) plus the DL TEID it allocated. A sim_up owns every
 * session of every UE (by UE index), the DL TEID index (N3 demultiplexing) and the N3 UDP
 * socket (opened at the first session, so registration-only runs never bind port 2152).
 *
 * Files: ue_sm.c (5GSM messages), gnb_pdu.c (NGAP PDU session resources), gnb_n3.c (N3
 * socket, encap/decap), ue_tun.c (TUN + network namespace), ue_traffic.c (ping generator,
 * IPv6 router solicitation), sim_up.c (the object and the procedure drivers' hooks).
 */
#ifndef G5_SIM_SIM_UP_H
#define G5_SIM_SIM_UP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/buf.h"
#include "core/hmap.h"
#include "gtpu/gtpu_tnl.h"
#include "nas/nas.h"
#include "sim/gnb.h"
#include "sim/sim.h"

#define SIM_UP_MAX_SESS 4 /* PDU sessions per UE (PSI 1..SIM_UP_MAX_SESS) */
#define SIM_SM_RETRIES 4 /* T3580/T3582: 5 attempts in all (TS 24.501 6.4.1.6, 6.4.3.5) */

/* UE-side 5GSM session states (TS 24.501 6.1.3.2.1) */
enum sim_sess_state {
    SIM_SESS_INACTIVE = 0,
    SIM_SESS_ACTIVE_PENDING, /* ESTABLISHMENT REQUEST sent, T3580 running */
    SIM_SESS_ACTIVE,
    SIM_SESS_INACTIVE_PENDING, /* RELEASE REQUEST sent, T3582 running */
};

struct sim_tun;

typedef struct sim_sess {
    sim_ue *ue;
    uint8_t psi, pti, state; /* enum sim_sess_state */
    uint8_t req_type; /* requested PDU session type, enum nas_pdu_session_type */
    uint8_t pdu_type; /* selected by the network */
    uint8_t qfi; /* QFI of the default QoS rule (UE) */
    uint8_t n_qos_rules;
    uint8_t last_cause; /* 5GSM cause of the last reject / release command */
    /* what the establishment asks for (TS 24.501 8.2.10: DNN and S-NSSAI of the UL NAS
     * TRANSPORT): from `cli ps-establish --dnn/--sst/--sd` (req_set, kept until the
     * procedure begins), else the template's sessions[psi - 1], else its dnn/slices[0] */
    bool req_set, has_snssai;
    int req_session_type; /* enum sim_session_type, -1 = the template's */
    char dnn[100]; /* "" = none sent (the network's default) */
    sim_snssai snssai;
    bool has_ipv4, has_ipv6, has_prefix;
    uint8_t ipv4[4];
    uint8_t ipv6_iid[8]; /* interface identifier from the PDU address */
    uint8_t ipv6_prefix[8]; /* /64 from the UPF's Router Advertisement */
    uint64_t ambr_ul_bps, ambr_dl_bps;
    uint8_t fiveqi; /* of the default QoS flow, from the authorized flow descriptions */
    bool mod_pending; /* MODIFICATION REQUEST sent, T3581 running (ue_sm_mod.c) */
    /* gNB side (N3) */
    uint64_t gnb_ambr_ul, gnb_ambr_dl; /* PDU Session Aggregate Maximum Bit Rate (N2) */
    bool n3_up; /* tunnel established: UL TEID known, DL TEID allocated */
    g5_tnl_addr upf; /* the UPF's N3 address(es) from the Setup Request Transfer */
    bool ul_v6; /* uplink goes over IPv6 (g5_tnl_pick of our N3 and the UPF's) */
    uint32_t ul_teid, dl_teid;
    uint8_t n3_qfi; /* first QoS flow of the setup request */
    uint8_t ngap_pdu_type; /* PDU Session Type IE of the transfer (NAS type - 1) */
    /* user plane */
    struct sim_tun *tun;
    uint64_t ul_pkts, dl_pkts, ul_bytes, dl_bytes;
    uint64_t ping_sent, ping_recv;
    uint16_t ping_seq;
    uint64_t t_ra_sent_ms;
} sim_sess;

/* What the UE's 5GSM layer found in a DL NAS TRANSPORT (reported to the procedure). */
typedef struct sim_sm_event {
    uint8_t sm_type; /* 5GSM message type, 0 when the payload was not 5GSM */
    uint8_t psi;
    uint8_t cause; /* 5GSM cause, or the 5GMM cause (#90/#91) when sm_type == 0 */
    bool mm_cause; /* cause is a 5GMM cause of the DL NAS TRANSPORT itself */
} sim_sm_event;

typedef struct sim_up_stats {
    uint64_t est_ok, est_reject, est_timeout, rel_ok, rel_local;
    uint64_t mm_not_forwarded; /* DL NAS TRANSPORT with 5GMM cause #90/#91 */
    uint64_t n2_setup_ok, n2_setup_failed, n2_released;
    uint64_t n3_rx, n3_tx, n3_rx_unknown_teid, n3_rx_malformed, n3_echo_answered;
    uint64_t n3_error_indication, n3_tx_errors;
    uint64_t tun_created, tun_closed, tun_errors;
    uint64_t ping_sent, ping_recv, ra_recv;
    /* PDU session modification (ue_sm_mod.c, gnb_pdu_mod.c) */
    uint64_t mod_ok, mod_reject, mod_cmd_ok, mod_cmd_rejected, n2_modified, n2_modify_failed;
    /* NGAP Paging at the gNB (sim_paging.c): for an idle UE (answered), for a UE not in
     * CM-IDLE (ignored), for no UE of ours, dropped by a fault rule; DL data triggers sent */
    uint64_t paging_rx, paging_not_idle, paging_unknown, paging_dropped, mt_triggers;
} sim_up_stats;

typedef struct sim_up {
    sim_engine *eng;
    const sim_config *cfg;
    g5_hmap by_ue; /* ue index -> sim_sess[SIM_UP_MAX_SESS] */
    g5_hmap by_dl_teid; /* DL TEID -> sim_sess* */
    uint32_t next_teid;
    uint32_t next_tun; /* uesimtunN */
    uv_udp_t n3, n3v6; /* IPv4 / IPv6 N3 sockets (each only when configured) */
    bool n3_open, n3_closing;
    bool n3_init[2]; /* n3 / n3v6 initialised (closed at sim_n3_close) */
    g5_tnl_addr n3_addr; /* ours: gnb.n3.address / address6 */
    uv_timer_t ping_timer;
    bool ping_timer_init;
    uint32_t ping_rate; /* echo requests per second per session, 0 = off */
    uint8_t ping_dst4[4];
    uint8_t ping_dst6[16];
    bool has_ping_dst4, has_ping_dst6;
    uint8_t tx[2048 + 64]; /* headroom + packet, for uplink encapsulation */
    uint8_t rx[65536]; /* one N3 datagram at a time */
    sim_sm_event last_sm; /* of the last DL NAS TRANSPORT (read by the procedure hook) */
    bool keep_connected; /* UEs with active sessions stay CM-CONNECTED after a run */
    sim_up_stats st;
} sim_up;

/* ---- object ---- */
sim_up *sim_up_new(sim_engine *e);
void sim_up_free(sim_up *u);
/* The sessions of ue (array of SIM_UP_MAX_SESS, index psi - 1), created on first use. */
sim_sess *sim_up_sessions(sim_up *u, sim_ue *ue);
sim_sess *sim_up_find(sim_up *u, const sim_ue *ue, uint8_t psi);
unsigned sim_up_active_count(sim_up *u, const sim_ue *ue);
/* Frees the gNB and user-plane resources of s (N3 tunnel, TUN); the UE state stays. */
void sim_up_n3_release(sim_up *u, sim_sess *s);
/* Releases the whole session locally (UE and gNB side). */
void sim_up_sess_clear(sim_up *u, sim_sess *s);
/* The next establishment of ue (its lowest free PSI) asks for dnn ("" = none: the network's
 * default), snssai (NULL = none) and session_type (enum sim_session_type, -1 = the
 * template's) instead of what the template says. G5_ERR_LIMIT when every PSI is in use. */
int sim_up_set_request(sim_up *u, sim_ue *ue, const char *dnn, const sim_snssai *snssai,
                       int session_type);
#define SIM_UP_REQ_CLEAR (-2) /* session_type: forget the request again */
/* Releases every session of ue locally (deregistration, a new initial registration). */
void sim_up_ue_clear(sim_up *u, sim_ue *ue);
/* Starts the ping generator: rate echo requests/s per active session towards dst4/dst6. */
int sim_up_ping_start(sim_up *u, uint32_t rate, const char *dst4, const char *dst6);
/* JSON view of ue's sessions (ue-status) and of the counters (stats); caller decrefs. */
struct json_t *sim_up_ue_json(sim_up *u, const sim_ue *ue);
struct json_t *sim_up_stats_json(const sim_up *u);

/* ---- UE 5GSM (ue_sm.c) ---- */

/* Builds PDU SESSION ESTABLISHMENT REQUEST for s (PSI/PTI/type already set), plain. */
int sim_sm_build_est_request(const sim_sess *s, g5_wbuf *out);
int sim_sm_build_rel_request(const sim_sess *s, uint8_t cause, g5_wbuf *out);
int sim_sm_build_rel_complete(const sim_sess *s, g5_wbuf *out);
int sim_sm_build_status(uint8_t psi, uint8_t pti, uint8_t cause, g5_wbuf *out);
/* Wraps a 5GSM message into a plain UL NAS TRANSPORT (TS 24.501 8.2.10); request_type 0 =
 * none (release messages), 1 = initial request (9.11.3.47); dnn/snssai for establishment. */
int sim_sm_build_ul_transport(uint8_t psi, uint8_t request_type, const char *dnn,
                              const sim_snssai *snssai, const uint8_t *sm, size_t sm_len,
                              g5_wbuf *out);
/* Handles a plain DL NAS TRANSPORT (already unprotected and decoded by the UE's 5GMM
 * layer): the 5GSM message inside, with its reply (RELEASE COMPLETE, 5GSM STATUS) wrapped in
 * a plain UL NAS TRANSPORT in reply. 0 or a negative g5_err. */
int sim_sm_on_dl_transport(sim_up *u, sim_ue *ue, const nas_msg *m, sim_sm_event *ev,
                           g5_wbuf *reply);

/* ---- gNB PDU session resources (gnb_pdu.c) ---- */

/* A parsed PDU Session Resource Setup Request Transfer (TS 38.413 9.3.4.1). */
typedef struct sim_setup_transfer {
    bool has_tunnel;
    g5_tnl_addr upf; /* 32, 128 or 160 bits (TS 38.414 §5.1) */
    uint32_t ul_teid;
    int pdu_type; /* NGAP PDUSessionType (0 ipv4 .. 4 unstructured), -1 absent */
    uint8_t nflows;
    uint8_t qfi[8];
    uint64_t ambr_ul, ambr_dl;
} sim_setup_transfer;
int sim_gnb_parse_setup_transfer(const uint8_t *p, size_t n, sim_setup_transfer *t);
/* Setup Response Transfer: DL tunnel (our N3 address, dl_teid) and the accepted QFIs. */
int sim_gnb_build_setup_response_transfer(const g5_tnl_addr *n3_addr, uint32_t dl_teid,
                                          const uint8_t *qfi, size_t nqfi, g5_wbuf *out);
int sim_gnb_build_setup_unsuccessful_transfer(int cause_group, int cause_value, g5_wbuf *out);

/* One PDU session of a Setup Request / ICS Request / Release Command. */
typedef struct sim_pdu_item {
    uint8_t psi;
    const uint8_t *nas; /* per-session NAS-PDU (points into the caller's PDU), may be NULL */
    size_t nas_len;
    sim_setup_transfer t; /* setup lists */
    struct sim_mod_transfer {
        bool has_ambr;
        uint64_t ambr_ul, ambr_dl;
        uint8_t nflows;
        uint8_t qfi[8];
        uint8_t fiveqi[8]; /* 0 = not sent */
    } mod; /* modify list (TS 38.413 9.3.4.3) */
    int parse_rc; /* result of parsing the transfer */
    /* filled by the gNB before the answer is built */
    bool ok;
    uint32_t dl_teid;
    int cause_group, cause_value;
} sim_pdu_item;

#define SIM_PDU_MAX_ITEMS 8
typedef struct sim_pdu_msg {
    int procedure_code, type;
    int64_t amf_ue_id;
    uint32_t ran_ue_id;
    const uint8_t *nas; /* message-level NAS-PDU (Release Command, ICS), may be NULL */
    size_t nas_len;
    uint8_t nitems;
    sim_pdu_item items[SIM_PDU_MAX_ITEMS];
} sim_pdu_msg;
/* Decodes PDU Session Resource Setup Request, Release Command or Initial Context Setup
 * Request (NAS-PDUs located in pdu). 0, G5_ERR_UNSUPPORTED for other messages, or a
 * negative g5_err. */
int sim_gnb_parse_pdu_msg(const uint8_t *pdu, size_t len, sim_pdu_msg *m);
/* Answers, from the items' ok/dl_teid/cause: Setup Response (SetupListSURes and/or
 * FailedToSetupListSURes), Release Response, ICS Response (with SetupListCxtRes/
 * FailedToSetupListCxtRes when the request carried sessions). */
int sim_gnb_build_setup_response(const sim_pdu_msg *m, const g5_tnl_addr *n3_addr, g5_wbuf *out);
int sim_gnb_build_release_response(const sim_pdu_msg *m, g5_wbuf *out);
int sim_gnb_build_ics_response_sessions(const sim_pdu_msg *m, const g5_tnl_addr *n3_addr,
                                        g5_wbuf *out);

/* The gNB acts on the setup items of m (Setup Request or ICS): for each, checks what it
 * supports, allocates the DL TEID and records the tunnel in the session; sets ok/cause. */
void sim_up_gnb_setup(sim_up *u, sim_ue *ue, sim_pdu_msg *m);
void sim_up_gnb_release(sim_up *u, sim_ue *ue, const sim_pdu_msg *m);

/* ---- PDU session modification (gnb_pdu_mod.c, ue_sm_mod.c) ---- */
typedef struct sim_mod_transfer sim_mod_transfer;
/* PDU Session Resource Modify Request Transfer (TS 38.413 9.3.4.3). */
int sim_gnb_parse_modify_transfer(const uint8_t *p, size_t n, sim_mod_transfer *t);
/* The gNB applies the modify items of m to its sessions (AMBR, QoS); sets ok/cause. */
void sim_up_gnb_modify(sim_up *u, sim_ue *ue, sim_pdu_msg *m);
/* PDU Session Resource Modify Response (8.2.3.2) with the Modify Response Transfers
 * (9.3.4.4) of the ok items and the Modify Unsuccessful Transfers (9.3.4.5) of the rest. */
int sim_gnb_build_modify_response(const sim_pdu_msg *m, g5_wbuf *out);
/* UE: PDU SESSION MODIFICATION REQUEST (TS 24.501 8.3.7), plain; fiveqi 0 = only the
 * 5GSM capability, else a requested QoS flow description changing the default flow's 5QI. */
int sim_sm_build_mod_request(const sim_sess *s, uint8_t fiveqi, g5_wbuf *out);
/* UE: MODIFICATION COMMAND (6.3.2.3: apply, COMPLETE; 6.3.2.4: COMMAND REJECT) or REJECT
 * (6.4.2.4) of session s; the reply is a plain UL NAS TRANSPORT. */
int sim_sm_on_mod(sim_up *u, sim_sess *s, const nas_msg *m, g5_wbuf *reply);

/* ---- N3 (gnb_n3.c) ---- */
int sim_n3_open(sim_up *u);
void sim_n3_close(sim_up *u);
/* Encapsulates payload (an IP packet) for s's UL tunnel and sends it. payload must have
 * G5_GTPU_HEADROOM writable octets in front. */
int sim_n3_send_ul(sim_up *u, sim_sess *s, uint8_t *payload, size_t len);
/* One received datagram (exposed for tests). */
void sim_n3_on_datagram(sim_up *u, const uint8_t *p, size_t n, const struct sockaddr *from);

/* ---- TUN (ue_tun.c) ---- */
int sim_tun_open(sim_up *u, sim_sess *s, bool netns, char *err, size_t errlen);
void sim_tun_free(sim_up *u, sim_sess *s);
const char *sim_tun_name(const sim_sess *s);
/* Applies the IPv6 prefix learnt from a Router Advertisement to the TUN. */
void sim_tun_set_ipv6(sim_up *u, sim_sess *s);
int sim_tun_write(sim_sess *s, const uint8_t *p, size_t n);

/* ---- traffic (ue_traffic.c) ---- */
/* A downlink IP packet for s: counts it, answers/records ICMP, hands it to the TUN. */
void sim_up_deliver_dl(sim_up *u, sim_sess *s, const uint8_t *p, size_t n);
/* Sends an ICMPv6 Router Solicitation from fe80::IID (TS 29.061 11.2.1.3.2a). */
int sim_up_send_rs(sim_up *u, sim_sess *s);
int sim_up_send_ping(sim_up *u, sim_sess *s, bool v6);
/* Called when s's user plane became usable (N3 up and the UE has its address). */
void sim_up_sess_ready(sim_up *u, sim_sess *s);

/* ---- procedure hooks (sim_up.c; called by ue_proc.c and the engine) ---- */
enum { SIM_UP_OP_NONE = 0, SIM_UP_OP_EST = 1, SIM_UP_OP_REL = 2, SIM_UP_OP_MOD = 3 };
/* Declares the session part of run r: op, then then_op (or NONE), each marking its step. */
void sim_up_proc_setup(sim_run *r, int op, unsigned step, int then_op, unsigned then_step);
/* A run of ue ends (ok: successfully): deregistered UEs lose their sessions, UEs going to
 * CM-IDLE their N3 tunnels. True if the UE stays CM-CONNECTED (active sessions and
 * keep_connected). */
bool sim_up_run_end(sim_up *u, sim_ue *ue, bool ok);
/* True if an Initial Context Setup Request carries PDU sessions. */
bool sim_up_ics_has_sessions(const uint8_t *pdu, size_t len);
/* A DL NAS 5GSM event during run r; 0 = continue, -1 = the run is done (OK), > 0 cause. */
int sim_up_proc_nas_event(sim_run *r, const sim_nas_event *ev, g5_wbuf *reply);
/* PDU Session Resource Setup/Release or ICS during run r; same return convention. */
int sim_up_proc_n2(sim_run *r, const uint8_t *pdu, size_t len);
/* Starts the session part of run r (after registration or service accept). */
int sim_up_proc_begin(sim_run *r);
/* Guard timer of r while the session part runs (T3580/T3582): true if handled. */
bool sim_up_proc_timeout(sim_run *r);
bool sim_up_proc_active(const sim_run *r);

#endif
