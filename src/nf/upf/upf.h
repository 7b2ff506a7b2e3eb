/* The UPF (TS 23.501 §6.2.3): session rule tables, the PFCP N4 server logic and
 * the N3/N6 data path, kept free of sockets so unit tests and benchmarks drive
 * them directly.
 *
 * State layout (docs/upf.md): every session is a flat, fixed-size struct (no
 * pointers inside, rules in fixed arrays) taken from a pool allocated once at
 * start; three hash maps index the pool by local SEID, by N3 TEID and by UE IP
 * (IPv4 /32, IPv6 /64). These are exactly the key -> value shapes an XDP
 * program would later share through BPF hash maps (TEID -> session, UE IP ->
 * session), which is why nothing on the fast path follows a heap pointer out of
 * the session struct.
 *
 * upf_pfcp_handle() turns one PFCP datagram into at most one response
 * (TS 29.244 §6.4 duplicate detection included); upf_uplink()/upf_downlink()
 * process one packet each and say what to send where; the socket glue lives in
 * upf_main.c. */
#ifndef G5_NF_UPF_UPF_H
#define G5_NF_UPF_UPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/hmap.h"
#include "gtpu/gtpu.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

#define UPF_MAX_PDR 16 /* per session */
#define UPF_MAX_FAR 16
#define UPF_MAX_QER 8
#define UPF_MAX_URR 8
#define UPF_MAX_SDF 2 /* SDF filters per PDR */
#define UPF_MAX_URR_REF 2 /* URRs per PDR */
#define UPF_DUP_CACHE 64 /* cached PFCP responses (TS 29.244 §6.4) */
#define UPF_DUP_MAX_LEN 2048
/* Downlink packets held per session while its DL FAR buffers (upf_dlbuf.c) */
#define UPF_DLBUF_PKTS 64
#define UPF_DLBUF_BYTES (128u * 1024u)

/* Token bucket for one direction of an MBR (bits/s). Tokens are kept in
 * bit-nanoseconds units divided out lazily: tokens (bits) refill at rate_bps *
 * elapsed_ns / 1e9. */
typedef struct upf_tbucket {
    uint64_t rate_bps; /* 0 = unlimited */
    uint64_t burst_bits; /* bucket depth */
    uint64_t tokens; /* bits available */
    uint64_t last_ns;
} upf_tbucket;

void upf_tbucket_init(upf_tbucket *b, uint64_t rate_bps, uint64_t now_ns);
/* True if a packet of bytes octets may pass at now_ns (and takes its tokens).
 */
bool upf_tbucket_take(upf_tbucket *b, size_t bytes, uint64_t now_ns);

/* SDF filter (TS 29.244 §8.2.5 flow description, IPFilterRule of RFC 6733 §4.3
 * as restricted by TS 29.212 §5.4.2): "permit out <proto> from <addr>[/len]
 * [port[-port]] to <addr>[/len] [port[-port]]". The rule is written in the
 * downlink direction (from the network to the UE); uplink packets match with
 * source and destination swapped. IPv4 addresses, "any" and "assigned" (the UE
 * address) are understood. */
typedef struct upf_sdf {
    uint8_t proto; /* 0 = any ("ip") */
    uint32_t src, src_mask, dst, dst_mask; /* host order; "from" = src */
    bool dst_assigned; /* "to assigned" */
    uint16_t sport_lo, sport_hi, dport_lo, dport_hi; /* 0..65535 = any */
} upf_sdf;
int upf_sdf_parse(const char *fd, size_t len, upf_sdf *f);

/* The 5-tuple of an inner IP packet (IPv4 or IPv6), host order for v4. */
typedef struct upf_flow {
    uint8_t ver, proto;
    uint32_t src4, dst4;
    const uint8_t *src6, *dst6;
    uint16_t sport, dport;
} upf_flow;
int upf_flow_parse(const uint8_t *ip, size_t len, upf_flow *f);
/* uplink: packet goes UE -> network, so the filter's "to" side is the packet's
 * source. */
bool upf_sdf_match(const upf_sdf *f, const upf_flow *fl, bool uplink, uint32_t ue_ipv4);

typedef struct upf_pdr {
    uint16_t id;
    uint32_t precedence;
    uint8_t src_if; /* G5_PFCP_IF_ACCESS (uplink) or CORE (downlink) */
    bool has_teid, has_qfi, remove_hdr;
    uint32_t teid; /* local N3 TEID */
    uint8_t qfi;
    uint8_t n_sdf, n_urr;
    upf_sdf sdf[UPF_MAX_SDF];
    uint32_t far_id, qer_id; /* 0 = none */
    uint32_t urr_id[UPF_MAX_URR_REF];
} upf_pdr;

typedef struct upf_far {
    uint32_t id;
    uint16_t action; /* G5_PFCP_AA_* */
    uint8_t dst_if;
    bool has_ohc, ohc_v6;
    uint32_t ohc_teid;
    uint8_t peer[16]; /* gNB address (4 or 16 octets used) */
    uint8_t bar_id;
    bool reported; /* downlink data report sent for the current buffering episode
                    */
    uint64_t buffered; /* packets that hit BUFF (held count; see docs/upf.md) */
    bool tpl_ok; /* tpl is the GTP-U header for (ohc_teid, tpl_qfi) */
    uint8_t tpl_qfi;
    g5_gtpu_tpl tpl;
} upf_far;

typedef struct upf_qer {
    uint32_t id;
    uint8_t gate_ul, gate_dl;
    bool has_qfi;
    uint8_t qfi;
    upf_tbucket ul, dl;
    uint64_t mbr_drops, gate_drops;
} upf_qer;

typedef struct upf_urr {
    uint32_t id;
    uint8_t method;
    uint32_t triggers;
    uint64_t thr_total, thr_ul, thr_dl; /* 0 = none */
    uint64_t ul_bytes, dl_bytes, ul_pkts, dl_pkts; /* since the last report */
    uint32_t seqn;
    uint32_t start_s;
    bool pending; /* threshold reached, report queued */
} upf_urr;

typedef struct upf_sess {
    bool used;
    uint64_t seid; /* ours */
    uint64_t cp_seid; /* the SMF's */
    uint8_t peer[16]; /* SMF sockaddr family + address for reports */
    uint32_t peer_len;
    uint8_t peer_sa[28]; /* struct sockaddr_in6 fits */
    bool has_ue4, has_ue6;
    uint32_t ue4; /* host order */
    uint8_t ue6[8]; /* /64 prefix */
    uint8_t n_pdr, n_far, n_qer, n_urr;
    upf_pdr pdr[UPF_MAX_PDR];
    upf_far far[UPF_MAX_FAR];
    upf_qer qer[UPF_MAX_QER];
    upf_urr urr[UPF_MAX_URR];
    struct upf_dlbuf *dlbuf; /* held downlink packets (upf_dlbuf.c), NULL when none */
} upf_sess;

typedef struct upf_counters {
    uint64_t ul_pkts, ul_bytes, dl_pkts, dl_bytes;
    uint64_t ul_drop, dl_drop, mbr_drop, gate_drop, malformed, no_session, err_ind,
        err_ind_suppressed, echo, buffered, ra_sent;
    uint64_t buf_dropped, buf_flushed; /* buffered packets over the bound / sent at activation */
    uint64_t pfcp_rx, pfcp_bad, pfcp_dup, pfcp_reports;
} upf_counters;

/* Sends a UPF-initiated PFCP request (session report) to the session's SMF. */
typedef void (*upf_send_fn)(void *arg, const void *sa, uint32_t sa_len, const uint8_t *p, size_t n);

typedef struct upf_dup {
    uint8_t sa[28];
    uint32_t sa_len;
    uint32_t seq;
    uint8_t type;
    uint16_t len;
    uint8_t *rsp; /* heap, UPF_DUP_MAX_LEN */
} upf_dup;

typedef struct upf_params {
    uint32_t max_sessions;
    uint8_t n3_ipv4[4]; /* our N3 address for CHOOSE F-TEIDs and Error Indications */
    bool n3_no_v4; /* IPv6-only N3: n3_ipv4 unused */
    bool n3_v6; /* N3 also (or only) over IPv6 (TS 29.281 over IPv6) */
    uint8_t n3_ipv6[16];
    g5_pfcp_node_id node_id;
    uint32_t recovery_ts; /* NTP seconds; 0 = now */
    uint64_t err_ind_per_s; /* Error Indication rate limit */
} upf_params;

struct upf_out;

typedef struct upf {
    upf_params p;
    upf_sess *pool;
    uint32_t n_sess;
    g5_hmap by_seid, by_teid, by_ue4, by_ue6;
    bool associated;
    bool report_pending; /* a URR reached a threshold: upf_flush_reports() has
                            work */
    g5_pfcp_node_id smf_node;
    uint64_t next_seid;
    uint32_t alloc_cursor; /* next-fit start in pool: session set-up O(1) amortised */
    uint32_t report_seq;
    upf_dup dup[UPF_DUP_CACHE];
    unsigned dup_next;
    upf_tbucket err_ind_rl;
    upf_counters c;
    bool rx_v6; /* the N3 datagram being handled came in over IPv6 (Error Indication source) */
    upf_send_fn send;
    void *send_arg;
    /* Sends one GTP-U packet (o->out) to o->peer on N3: buffered downlink packets flushed
     * when a modification makes their FAR forward (upf_dlbuf.c). NULL: they are dropped. */
    void (*n3_send)(void *arg, const struct upf_out *o);
    void *n3_arg;
    g5_pfcp_msg msg; /* decode scratch (40 KiB) */
} upf;

int upf_init(upf *u, const upf_params *p);
void upf_free(upf *u);
/* NTP seconds (since 1900) for Recovery Time Stamp (§8.2.65). */
uint32_t upf_ntp_now(void);

/* TEID allocation (TS 33.513 §4.2.2.6): random, nonzero, unique among live
 * tunnels. */
int upf_teid_alloc(upf *u, uint32_t *teid);

upf_sess *upf_sess_by_seid(const upf *u, uint64_t seid);
upf_sess *upf_sess_by_teid(const upf *u, uint32_t teid);
upf_sess *upf_sess_by_ue4(const upf *u, uint32_t ue4);
upf_sess *upf_sess_by_ue6(const upf *u, const uint8_t prefix[8]);

/* One PFCP datagram from peer (sa, sa_len). Writes the response into rsp
 * (nothing if rsp->len stays 0). Never fails on peer input. */
void upf_pfcp_handle(upf *u, const uint8_t *p, size_t n, const void *sa, uint32_t sa_len,
                     g5_wbuf *rsp);
/* Sends pending usage reports (volume thresholds) through u->send. */
void upf_flush_reports(upf *u);

/* Data path verdicts. */
enum upf_verdict {
    UPF_DROP = 0,
    UPF_TO_N6, /* out/out_len: the inner IP packet */
    UPF_TO_N3, /* out/out_len: a GTP-U packet for peer (peer_len 4 or 16); also
                * the Router Advertisement answering an uplink Router Solicitation
                * (in scratch) */
    UPF_REPLY, /* out/out_len: a GTP-U signalling reply to the sender (echo, error
                  ind.) */
};

typedef struct upf_out upf_out;
struct upf_out {
    const uint8_t *out;
    size_t out_len;
    uint8_t peer[16];
    uint8_t peer_len;
};

/* Uplink: pkt is one N3 UDP payload; scratch (>= 256 octets) is used for
 * replies. */
enum upf_verdict upf_uplink(upf *u, uint8_t *pkt, size_t len, uint64_t now_ns, uint8_t *scratch,
                            size_t scratch_cap, upf_out *o);
/* Downlink: ip points at an IP packet with at least G5_GTPU_HEADROOM writable
 * octets in front of it; the GTP-U packet is written into that headroom. */
enum upf_verdict upf_downlink(upf *u, uint8_t *ip, size_t len, uint64_t now_ns, upf_out *o);

/* upf_dlbuf.c: downlink buffering (TS 29.244 §5.2.4.1, TS 23.502 §4.2.3.3 step 1) */
/* Holds a copy of a downlink packet for s; false (counted in buf_dropped) beyond the
 * per-session bound or on allocation failure. */
bool upf_dlbuf_hold(upf *u, upf_sess *s, const uint8_t *ip, size_t len);
/* After a modification that made a DL FAR forward: the held packets go through the
 * downlink path again (in arrival order) and out through u->n3_send. */
void upf_dlbuf_flush(upf *u, upf_sess *s, uint64_t now_ns);
size_t upf_dlbuf_count(const upf_sess *s);
void upf_dlbuf_free(upf_sess *s);

#endif
