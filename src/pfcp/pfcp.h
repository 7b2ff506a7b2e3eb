/* PFCP (TS 29.244 R17) codec: header, IE tree decoder with per-message presence checks,
 * writer primitives, typed IE values and typed views of the grouped IEs an SMF/UPF
 * interprets (PDR, FAR, QER, URR, usage report), plus builders for the messages the SMF
 * and UPF send first.
 *
 * Decoding is zero-copy: g5_pfcp_decode() fills a g5_pfcp_msg whose IE nodes point into
 * the caller's buffer, so the buffer must outlive the message. Every IE the codec does not
 * know (or that is vendor specific) is kept as a node with its raw bytes, so nothing is
 * lost. On a protocol error the decoder fills g5_pfcp_error with the TS 29.244 §8.2.1 cause
 * and the offending IE type (§7.6) so the caller can answer the peer (Cause + Offending IE).
 *
 * Encoding writes straight into a g5_wbuf: g5_pfcp_msg_begin/_end frame a message and
 * back-patch its length, g5_pfcp_group_begin/_end do the same for grouped IEs.
 */
#ifndef G5_PFCP_PFCP_H
#define G5_PFCP_PFCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define G5_PFCP_PORT 8805
#define G5_PFCP_VERSION 1
#define G5_PFCP_MAX_IES 1024 /* IE nodes per message (all levels); more -> G5_ERR_LIMIT */
#define G5_PFCP_MAX_DEPTH 8 /* grouped IE nesting; spec needs 4 */
#define G5_PFCP_NONE 0xFFFFu

/* Message types, TS 29.244 Table 7.3-1. */
enum g5_pfcp_msg_type {
    G5_PFCP_HEARTBEAT_REQ = 1,
    G5_PFCP_HEARTBEAT_RSP = 2,
    G5_PFCP_PFD_MGMT_REQ = 3,
    G5_PFCP_PFD_MGMT_RSP = 4,
    G5_PFCP_ASSOC_SETUP_REQ = 5,
    G5_PFCP_ASSOC_SETUP_RSP = 6,
    G5_PFCP_ASSOC_UPDATE_REQ = 7,
    G5_PFCP_ASSOC_UPDATE_RSP = 8,
    G5_PFCP_ASSOC_RELEASE_REQ = 9,
    G5_PFCP_ASSOC_RELEASE_RSP = 10,
    G5_PFCP_VERSION_NOT_SUPPORTED_RSP = 11,
    G5_PFCP_NODE_REPORT_REQ = 12,
    G5_PFCP_NODE_REPORT_RSP = 13,
    G5_PFCP_SESSION_SET_DELETION_REQ = 14,
    G5_PFCP_SESSION_SET_DELETION_RSP = 15,
    G5_PFCP_SESSION_EST_REQ = 50,
    G5_PFCP_SESSION_EST_RSP = 51,
    G5_PFCP_SESSION_MOD_REQ = 52,
    G5_PFCP_SESSION_MOD_RSP = 53,
    G5_PFCP_SESSION_DEL_REQ = 54,
    G5_PFCP_SESSION_DEL_RSP = 55,
    G5_PFCP_SESSION_REPORT_REQ = 56,
    G5_PFCP_SESSION_REPORT_RSP = 57,
};

/* IE types, TS 29.244 Table 8.1.2-1 (the ones this codebase names). */
enum g5_pfcp_ie_type {
    G5_PFCP_IE_CREATE_PDR = 1,
    G5_PFCP_IE_PDI = 2,
    G5_PFCP_IE_CREATE_FAR = 3,
    G5_PFCP_IE_FORWARDING_PARAMETERS = 4,
    G5_PFCP_IE_DUPLICATING_PARAMETERS = 5,
    G5_PFCP_IE_CREATE_URR = 6,
    G5_PFCP_IE_CREATE_QER = 7,
    G5_PFCP_IE_CREATED_PDR = 8,
    G5_PFCP_IE_UPDATE_PDR = 9,
    G5_PFCP_IE_UPDATE_FAR = 10,
    G5_PFCP_IE_UPDATE_FORWARDING_PARAMETERS = 11,
    G5_PFCP_IE_UPDATE_BAR_SRR = 12,
    G5_PFCP_IE_UPDATE_URR = 13,
    G5_PFCP_IE_UPDATE_QER = 14,
    G5_PFCP_IE_REMOVE_PDR = 15,
    G5_PFCP_IE_REMOVE_FAR = 16,
    G5_PFCP_IE_REMOVE_URR = 17,
    G5_PFCP_IE_REMOVE_QER = 18,
    G5_PFCP_IE_CAUSE = 19,
    G5_PFCP_IE_SOURCE_INTERFACE = 20,
    G5_PFCP_IE_F_TEID = 21,
    G5_PFCP_IE_NETWORK_INSTANCE = 22,
    G5_PFCP_IE_SDF_FILTER = 23,
    G5_PFCP_IE_APPLICATION_ID = 24,
    G5_PFCP_IE_GATE_STATUS = 25,
    G5_PFCP_IE_MBR = 26,
    G5_PFCP_IE_GBR = 27,
    G5_PFCP_IE_QER_CORRELATION_ID = 28,
    G5_PFCP_IE_PRECEDENCE = 29,
    G5_PFCP_IE_TRANSPORT_LEVEL_MARKING = 30,
    G5_PFCP_IE_VOLUME_THRESHOLD = 31,
    G5_PFCP_IE_TIME_THRESHOLD = 32,
    G5_PFCP_IE_MONITORING_TIME = 33,
    G5_PFCP_IE_REPORTING_TRIGGERS = 37,
    G5_PFCP_IE_REPORT_TYPE = 39,
    G5_PFCP_IE_OFFENDING_IE = 40,
    G5_PFCP_IE_DESTINATION_INTERFACE = 42,
    G5_PFCP_IE_UP_FUNCTION_FEATURES = 43,
    G5_PFCP_IE_APPLY_ACTION = 44,
    G5_PFCP_IE_DOWNLINK_DATA_SERVICE_INFORMATION = 45,
    G5_PFCP_IE_DL_DATA_NOTIFICATION_DELAY = 46,
    G5_PFCP_IE_PFCPSMREQ_FLAGS = 49,
    G5_PFCP_IE_PFCPSRRSP_FLAGS = 50,
    G5_PFCP_IE_LOAD_CONTROL_INFORMATION = 51,
    G5_PFCP_IE_SEQUENCE_NUMBER = 52,
    G5_PFCP_IE_METRIC = 53,
    G5_PFCP_IE_OVERLOAD_CONTROL_INFORMATION = 54,
    G5_PFCP_IE_TIMER = 55,
    G5_PFCP_IE_PDR_ID = 56,
    G5_PFCP_IE_F_SEID = 57,
    G5_PFCP_IE_NODE_ID = 60,
    G5_PFCP_IE_MEASUREMENT_METHOD = 62,
    G5_PFCP_IE_USAGE_REPORT_TRIGGER = 63,
    G5_PFCP_IE_MEASUREMENT_PERIOD = 64,
    G5_PFCP_IE_VOLUME_MEASUREMENT = 66,
    G5_PFCP_IE_DURATION_MEASUREMENT = 67,
    G5_PFCP_IE_TIME_OF_FIRST_PACKET = 69,
    G5_PFCP_IE_TIME_OF_LAST_PACKET = 70,
    G5_PFCP_IE_VOLUME_QUOTA = 73,
    G5_PFCP_IE_TIME_QUOTA = 74,
    G5_PFCP_IE_START_TIME = 75,
    G5_PFCP_IE_END_TIME = 76,
    G5_PFCP_IE_QUERY_URR = 77,
    G5_PFCP_IE_USAGE_REPORT_SMR = 78,
    G5_PFCP_IE_USAGE_REPORT_SDR = 79,
    G5_PFCP_IE_USAGE_REPORT_SRR = 80,
    G5_PFCP_IE_URR_ID = 81,
    G5_PFCP_IE_DOWNLINK_DATA_REPORT = 83,
    G5_PFCP_IE_OUTER_HEADER_CREATION = 84,
    G5_PFCP_IE_CREATE_BAR = 85,
    G5_PFCP_IE_UPDATE_BAR_SMR = 86,
    G5_PFCP_IE_REMOVE_BAR = 87,
    G5_PFCP_IE_BAR_ID = 88,
    G5_PFCP_IE_CP_FUNCTION_FEATURES = 89,
    G5_PFCP_IE_UE_IP_ADDRESS = 93,
    G5_PFCP_IE_OUTER_HEADER_REMOVAL = 95,
    G5_PFCP_IE_RECOVERY_TIME_STAMP = 96,
    G5_PFCP_IE_NODE_REPORT_TYPE = 101,
    G5_PFCP_IE_UR_SEQN = 104,
    G5_PFCP_IE_FAR_ID = 108,
    G5_PFCP_IE_QER_ID = 109,
    G5_PFCP_IE_OCI_FLAGS = 110,
    G5_PFCP_IE_PDN_TYPE = 113,
    G5_PFCP_IE_FAILED_RULE_ID = 114,
    G5_PFCP_IE_USER_PLANE_INACTIVITY_TIMER = 117,
    G5_PFCP_IE_QFI = 124,
    G5_PFCP_IE_APN_DNN = 159,
    G5_PFCP_IE_S_NSSAI = 257,
};

/* Cause values, TS 29.244 Table 8.2.1-1. */
enum g5_pfcp_cause {
    G5_PFCP_CAUSE_NONE = 0,
    G5_PFCP_CAUSE_ACCEPTED = 1,
    G5_PFCP_CAUSE_MORE_USAGE_REPORT = 2,
    G5_PFCP_CAUSE_PARTIALLY_ACCEPTED = 3,
    G5_PFCP_CAUSE_REJECTED = 64,
    G5_PFCP_CAUSE_SESSION_NOT_FOUND = 65,
    G5_PFCP_CAUSE_MANDATORY_IE_MISSING = 66,
    G5_PFCP_CAUSE_CONDITIONAL_IE_MISSING = 67,
    G5_PFCP_CAUSE_INVALID_LENGTH = 68,
    G5_PFCP_CAUSE_MANDATORY_IE_INCORRECT = 69,
    G5_PFCP_CAUSE_INVALID_FORWARDING_POLICY = 70,
    G5_PFCP_CAUSE_INVALID_FTEID_ALLOCATION = 71,
    G5_PFCP_CAUSE_NO_ASSOCIATION = 72,
    G5_PFCP_CAUSE_RULE_FAILURE = 73,
    G5_PFCP_CAUSE_CONGESTION = 74,
    G5_PFCP_CAUSE_NO_RESOURCES = 75,
    G5_PFCP_CAUSE_SERVICE_NOT_SUPPORTED = 76,
    G5_PFCP_CAUSE_SYSTEM_FAILURE = 77,
};

/* Interface values: Source Interface §8.2.2, Destination Interface §8.2.24. */
enum { G5_PFCP_IF_ACCESS = 0, G5_PFCP_IF_CORE = 1, G5_PFCP_IF_N6_LAN = 2, G5_PFCP_IF_CP = 3 };

/* Apply Action bits (§8.2.26): octet 5 in bits 0-7, octet 6 in bits 8-15. */
enum {
    G5_PFCP_AA_DROP = 1u << 0,
    G5_PFCP_AA_FORW = 1u << 1,
    G5_PFCP_AA_BUFF = 1u << 2,
    G5_PFCP_AA_NOCP = 1u << 3,
    G5_PFCP_AA_DUPL = 1u << 4,
    G5_PFCP_AA_IPMA = 1u << 5,
    G5_PFCP_AA_IPMD = 1u << 6,
    G5_PFCP_AA_DFRT = 1u << 7,
    G5_PFCP_AA_EDRT = 1u << 8,
    G5_PFCP_AA_BDPN = 1u << 9,
    G5_PFCP_AA_DDPN = 1u << 10,
    G5_PFCP_AA_FSSM = 1u << 11,
    G5_PFCP_AA_MBSU = 1u << 12,
};

/* Reporting Triggers (§8.2.19) / Usage Report Trigger (§8.2.41): octet 5 = bits 0-7,
 * octet 6 = bits 8-15, octet 7 = bits 16-23. */
enum {
    G5_PFCP_RT_PERIO = 1u << 0,
    G5_PFCP_RT_VOLTH = 1u << 1,
    G5_PFCP_RT_TIMTH = 1u << 2,
    G5_PFCP_RT_QUHTI = 1u << 3,
    G5_PFCP_RT_START = 1u << 4,
    G5_PFCP_RT_STOPT = 1u << 5,
    G5_PFCP_RT_DROTH = 1u << 6,
    G5_PFCP_RT_LIUSA = 1u << 7,
    G5_PFCP_RT_VOLQU = 1u << 8,
    G5_PFCP_RT_TIMQU = 1u << 9,
    G5_PFCP_URT_IMMER = 1u << 7, /* usage report trigger octet 5 bit 8 */
    G5_PFCP_URT_TERMR = 1u << 11, /* usage report trigger octet 6 bit 4 */
};

/* Measurement Method §8.2.40, Report Type §8.2.21, PFCPSMReq-Flags §8.2.31. */
enum { G5_PFCP_MM_DURAT = 1, G5_PFCP_MM_VOLUM = 2, G5_PFCP_MM_EVENT = 4 };
enum {
    G5_PFCP_RPT_DLDR = 1,
    G5_PFCP_RPT_USAR = 2,
    G5_PFCP_RPT_ERIR = 4,
    G5_PFCP_RPT_UPIR = 8,
};
enum { G5_PFCP_SMREQ_DROBU = 1, G5_PFCP_SMREQ_SNDEM = 2, G5_PFCP_SMREQ_QAURR = 4 };
/* UP Function Features octet 5 bit 5 FTUP (UP allocates F-TEID), octet 6 bit 1 EMPU. */
enum { G5_PFCP_UPF_FTUP = 1u << 4, G5_PFCP_UPF_EMPU = 1u << 8, G5_PFCP_UPF_UEIP = 1u << 18 };
/* Outer Header Creation description bits (§8.2.56), octet 5 = bits 0-7, octet 6 = 8-15. */
enum {
    G5_PFCP_OHC_GTPU_UDP_IPV4 = 1u << 0,
    G5_PFCP_OHC_GTPU_UDP_IPV6 = 1u << 1,
    G5_PFCP_OHC_UDP_IPV4 = 1u << 2,
    G5_PFCP_OHC_UDP_IPV6 = 1u << 3,
    G5_PFCP_OHC_IPV4 = 1u << 4,
    G5_PFCP_OHC_IPV6 = 1u << 5,
    G5_PFCP_OHC_CTAG = 1u << 6,
    G5_PFCP_OHC_STAG = 1u << 7,
};
/* Outer Header Removal description (§8.2.64). */
enum { G5_PFCP_OHR_GTPU_UDP_IPV4 = 0, G5_PFCP_OHR_GTPU_UDP_IPV6 = 1, G5_PFCP_OHR_GTPU_UDP_IP = 6 };
/* Gate Status §8.2.7 */
enum { G5_PFCP_GATE_OPEN = 0, G5_PFCP_GATE_CLOSED = 1 };
/* PDN Type §8.2.79 */
enum { G5_PFCP_PDN_IPV4 = 1, G5_PFCP_PDN_IPV6 = 2, G5_PFCP_PDN_IPV4V6 = 3, G5_PFCP_PDN_ETH = 5 };
/* Node ID type §8.2.38 */
enum { G5_PFCP_NODE_IPV4 = 0, G5_PFCP_NODE_IPV6 = 1, G5_PFCP_NODE_FQDN = 2 };

/* ---- Typed IE values ------------------------------------------------------------- */

typedef struct g5_pfcp_fteid { /* §8.2.3 */
    bool v4, v6, ch, chid;
    uint32_t teid;
    uint8_t ipv4[4];
    uint8_t ipv6[16];
    uint8_t choose_id;
} g5_pfcp_fteid;

typedef struct g5_pfcp_fseid { /* §8.2.37 */
    bool v4, v6;
    uint64_t seid;
    uint8_t ipv4[4];
    uint8_t ipv6[16];
} g5_pfcp_fseid;

typedef struct g5_pfcp_node_id { /* §8.2.38; fqdn is dotted text (encoded as DNS labels) */
    uint8_t type;
    uint8_t ipv4[4];
    uint8_t ipv6[16];
    char fqdn[256];
} g5_pfcp_node_id;

typedef struct g5_pfcp_ue_ip { /* §8.2.62 */
    bool v4, v6, sd /* 1 = destination */, chv4, chv6, ipv6d, ip6pl;
    uint8_t ipv4[4];
    uint8_t ipv6[16];
    uint8_t ipv6_pd_bits, ipv6_prefix_len;
} g5_pfcp_ue_ip;

typedef struct g5_pfcp_ohc { /* §8.2.56 */
    uint16_t desc; /* G5_PFCP_OHC_* */
    uint32_t teid;
    uint8_t ipv4[4];
    uint8_t ipv6[16];
    uint16_t port;
    uint32_t ctag, stag; /* 24 bits each */
} g5_pfcp_ohc;

typedef struct g5_pfcp_ohr { /* §8.2.64 */
    uint8_t desc;
    bool has_ext;
    uint8_t gtpu_ext_deletion;
} g5_pfcp_ohr;

typedef struct g5_pfcp_bitrate { /* MBR §8.2.8 / GBR §8.2.9: 40-bit kbps values */
    uint64_t ul_kbps, dl_kbps;
} g5_pfcp_bitrate;

typedef struct g5_pfcp_volume { /* thresholds/quotas §8.2.13/§8.2.50, measurement §8.2.44 */
    uint8_t flags; /* bit0 TOVOL, bit1 ULVOL, bit2 DLVOL, bit3 TONOP, bit4 ULNOP, bit5 DLNOP */
    uint64_t total, ul, dl; /* octets */
    uint64_t total_pkts, ul_pkts, dl_pkts; /* measurement only */
} g5_pfcp_volume;
enum { G5_PFCP_VOL_TOVOL = 1, G5_PFCP_VOL_ULVOL = 2, G5_PFCP_VOL_DLVOL = 4 };
enum { G5_PFCP_VOL_TONOP = 8, G5_PFCP_VOL_ULNOP = 16, G5_PFCP_VOL_DLNOP = 32 };

typedef struct g5_pfcp_sdf { /* §8.2.5; fd points into the message or caller memory */
    bool has_fd, has_ttc, has_spi, has_fl, has_bid;
    const char *fd;
    uint16_t fd_len;
    uint16_t tos;
    uint32_t spi;
    uint32_t flow_label;
    uint32_t filter_id;
} g5_pfcp_sdf;

/* Octet strings (application ID ...): pointer + length. */
typedef struct g5_pfcp_str {
    const uint8_t *p;
    uint16_t len;
} g5_pfcp_str;

/* Network Instance (§8.2.4) and APN/DNN (§8.2.117): an octet string, by convention the
 * DNS label encoding of TS 23.003 §9.1 ("\x08internet"), never a dotted string on the
 * wire. Held by value (copied out of the message) so views can be copied freely. */
#define G5_PFCP_MAX_NI 100 /* TS 23.003 §9.1: APN at most 100 octets */
typedef struct g5_pfcp_ni {
    uint8_t len; /* 0 = absent */
    uint8_t v[G5_PFCP_MAX_NI];
} g5_pfcp_ni;

/* "internet" or "ims.mnc001.mcc001.gprs" -> labels. G5_ERR_INVALID on empty labels. */
int g5_pfcp_ni_from_dotted(g5_pfcp_ni *ni, const char *dotted);
/* Labels -> dotted text in out (cap bytes). G5_ERR_INVALID if not label encoded. */
int g5_pfcp_ni_to_dotted(const uint8_t *p, size_t n, char *out, size_t cap);

int g5_pfcp_fteid_parse(const uint8_t *p, size_t n, g5_pfcp_fteid *v);
int g5_pfcp_fteid_put(g5_wbuf *w, const g5_pfcp_fteid *v);
int g5_pfcp_fseid_parse(const uint8_t *p, size_t n, g5_pfcp_fseid *v);
int g5_pfcp_fseid_put(g5_wbuf *w, const g5_pfcp_fseid *v);
int g5_pfcp_node_id_parse(const uint8_t *p, size_t n, g5_pfcp_node_id *v);
int g5_pfcp_node_id_put(g5_wbuf *w, const g5_pfcp_node_id *v);
int g5_pfcp_ue_ip_parse(const uint8_t *p, size_t n, g5_pfcp_ue_ip *v);
int g5_pfcp_ue_ip_put(g5_wbuf *w, const g5_pfcp_ue_ip *v);
int g5_pfcp_ohc_parse(const uint8_t *p, size_t n, g5_pfcp_ohc *v);
int g5_pfcp_ohc_put(g5_wbuf *w, const g5_pfcp_ohc *v);
int g5_pfcp_ohr_parse(const uint8_t *p, size_t n, g5_pfcp_ohr *v);
int g5_pfcp_ohr_put(g5_wbuf *w, const g5_pfcp_ohr *v);
int g5_pfcp_bitrate_parse(const uint8_t *p, size_t n, g5_pfcp_bitrate *v);
int g5_pfcp_bitrate_put(g5_wbuf *w, const g5_pfcp_bitrate *v);
/* measurement = true for Volume Measurement (adds packet counts). */
int g5_pfcp_volume_parse(const uint8_t *p, size_t n, bool measurement, g5_pfcp_volume *v);
int g5_pfcp_volume_put(g5_wbuf *w, bool measurement, const g5_pfcp_volume *v);
int g5_pfcp_sdf_parse(const uint8_t *p, size_t n, g5_pfcp_sdf *v);
int g5_pfcp_sdf_put(g5_wbuf *w, const g5_pfcp_sdf *v);
/* Little-endian-in-bits flag octets (apply action, triggers): up to 4 octets -> u32. */
uint32_t g5_pfcp_flags_parse(const uint8_t *p, size_t n);
/* Writes max(min_octets, octets needed) flag octets. */
int g5_pfcp_flags_put(g5_wbuf *w, uint32_t flags, unsigned min_octets);

/* ---- Decoded message --------------------------------------------------------------- */

typedef struct g5_pfcp_hdr {
    uint8_t version;
    bool fo, mp, s;
    uint8_t spare_bits; /* octet 1 bits 4-5, kept for byte-exact re-encoding */
    uint8_t type;
    uint16_t length; /* message length field (excludes the first 4 octets) */
    uint64_t seid;
    uint32_t seq; /* 24 bits */
    uint8_t priority; /* 4 bits, when mp */
    uint8_t spare_low; /* last header octet bits not used by the priority */
} g5_pfcp_hdr;

typedef struct g5_pfcp_ie {
    uint16_t type;
    uint16_t len; /* value length (enterprise ID not included) */
    uint32_t enterprise; /* vendor-specific IEs (type >= 32768) */
    const uint8_t *val;
    uint16_t first_child, next; /* indexes into g5_pfcp_msg.ies, G5_PFCP_NONE */
    bool grouped; /* children were parsed */
    bool bad; /* value malformed (optional IE: treated as absent, §7.6.8) */
} g5_pfcp_ie;

typedef struct g5_pfcp_msg {
    g5_pfcp_hdr h;
    size_t msg_len; /* bytes of this message (a follow-on message may come after, FO=1) */
    uint16_t first; /* first top-level IE */
    uint16_t n_ies;
    g5_pfcp_ie ies[G5_PFCP_MAX_IES];
} g5_pfcp_msg;

/* What went wrong, for the response to the peer (TS 29.244 §7.6). */
typedef struct g5_pfcp_error {
    uint8_t cause; /* G5_PFCP_CAUSE_*, 0 if the message must be silently discarded */
    uint16_t offending_ie; /* IE type for the Offending IE, 0 if none */
    size_t offset; /* byte offset in the message */
    const char *what; /* static text */
} g5_pfcp_error;

/* Decodes one PFCP message from p (the UDP payload). Returns 0 or a negative g5_err:
 * G5_ERR_TRUNCATED (shorter than header/length/IE), G5_ERR_UNSUPPORTED (version != 1),
 * G5_ERR_MISSING (mandatory IE absent), G5_ERR_INVALID (mandatory IE malformed),
 * G5_ERR_LIMIT (too many IEs / too deep). e may be NULL. Unknown message types are
 * decoded generically (no presence checks); g5_pfcp_msg_name() returns NULL for them. */
int g5_pfcp_decode(const uint8_t *p, size_t n, g5_pfcp_msg *m, g5_pfcp_error *e);
/* Header only (for version/type dispatch and Version Not Supported). */
int g5_pfcp_decode_hdr(const uint8_t *p, size_t n, g5_pfcp_hdr *h);

const char *g5_pfcp_msg_name(uint8_t type); /* snake_case, NULL if unknown */
const char *g5_pfcp_ie_name(uint16_t type); /* snake_case, NULL if unknown */
const char *g5_pfcp_cause_name(uint8_t cause);
bool g5_pfcp_msg_is_request(uint8_t type);

/* Navigation: first/next child IE of a type under parent (NULL = message level), skipping
 * malformed ones. g5_pfcp_child() with type 0 returns any child. */
const g5_pfcp_ie *g5_pfcp_child(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type);
const g5_pfcp_ie *g5_pfcp_next(const g5_pfcp_msg *m, const g5_pfcp_ie *it, uint16_t type);
/* NOLINTBEGIN(bugprone-macro-parentheses): `it` names the loop variable */
#define G5_PFCP_FOREACH(m, parent, type, it) \
    for (const g5_pfcp_ie *it = g5_pfcp_child((m), (parent), (type)); it; \
         it = g5_pfcp_next((m), it, (type)))
/* NOLINTEND(bugprone-macro-parentheses) */

/* Small value getters: 0 or G5_ERR_NOT_FOUND / G5_ERR_INVALID. */
int g5_pfcp_get_u8(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type, uint8_t *v);
int g5_pfcp_get_u16(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type, uint16_t *v);
int g5_pfcp_get_u32(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type, uint32_t *v);
int g5_pfcp_get_fseid(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, g5_pfcp_fseid *v);
int g5_pfcp_get_node_id(const g5_pfcp_msg *m, g5_pfcp_node_id *v);
int g5_pfcp_get_cause(const g5_pfcp_msg *m, uint8_t *cause);

/* ---- Writer ---------------------------------------------------------------------- */

/* Starts a message; session messages (type >= 50) carry a SEID. *start receives the
 * offset of the header, to be passed to g5_pfcp_msg_end which patches the length. */
int g5_pfcp_msg_begin(g5_wbuf *w, uint8_t type, uint64_t seid, uint32_t seq, size_t *start);
int g5_pfcp_msg_end(g5_wbuf *w, size_t start);
int g5_pfcp_group_begin(g5_wbuf *w, uint16_t type, size_t *at);
int g5_pfcp_group_end(g5_wbuf *w, size_t at);
int g5_pfcp_put_ie(g5_wbuf *w, uint16_t type, const void *val, size_t len);
int g5_pfcp_put_u8(g5_wbuf *w, uint16_t type, uint8_t v);
int g5_pfcp_put_u16(g5_wbuf *w, uint16_t type, uint16_t v);
int g5_pfcp_put_u32(g5_wbuf *w, uint16_t type, uint32_t v);
int g5_pfcp_put_flags(g5_wbuf *w, uint16_t type, uint32_t flags, unsigned min_octets);
int g5_pfcp_put_fteid(g5_wbuf *w, uint16_t type, const g5_pfcp_fteid *v);
int g5_pfcp_put_fseid(g5_wbuf *w, const g5_pfcp_fseid *v);
int g5_pfcp_put_node_id(g5_wbuf *w, const g5_pfcp_node_id *v);
int g5_pfcp_put_ue_ip(g5_wbuf *w, const g5_pfcp_ue_ip *v);
int g5_pfcp_put_ohc(g5_wbuf *w, const g5_pfcp_ohc *v);
int g5_pfcp_put_ohr(g5_wbuf *w, const g5_pfcp_ohr *v);
int g5_pfcp_put_bitrate(g5_wbuf *w, uint16_t type, const g5_pfcp_bitrate *v);
int g5_pfcp_put_volume(g5_wbuf *w, uint16_t type, const g5_pfcp_volume *v);
int g5_pfcp_put_sdf(g5_wbuf *w, const g5_pfcp_sdf *v);
/* Writes a decoded IE back exactly as received (vendor enterprise ID included); grouped
 * IEs are copied with all their members. For relaying or keeping IEs we do not model. */
int g5_pfcp_put_ie_copy(g5_wbuf *w, const g5_pfcp_ie *ie);
/* Re-encodes a whole decoded message (header fields from m->h, every top-level IE copied). */
int g5_pfcp_reencode(g5_wbuf *w, const g5_pfcp_msg *m);
/* Offending IE (§8.2.22) from a decode error, with the cause: both IEs of a reject. */
int g5_pfcp_put_cause_offending(g5_wbuf *w, const g5_pfcp_error *e);

#endif
