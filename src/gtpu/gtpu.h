/* GTP-U (TS 29.281) and the 5G PDU Session Container (TS 38.415 §5.5.2): the N3/N9 codec.
 *
 * Built for the UPF fast path:
 *  - g5_gtpu_parse() reads a datagram in place: the header struct points into the packet
 *    (extension header contents, payload), nothing is copied or allocated. The extension
 *    header chain is walked with every length checked (a zero length is an error, not a
 *    loop; the chain is bounded by G5_GTPU_MAX_EXT) and the GTP length field must match
 *    the UDP payload exactly.
 *  - Encapsulation writes the header *in front of* the payload, into headroom the caller
 *    left in its buffer (see docs/gtpu.md): receive N6 packets at buf + G5_GTPU_HEADROOM,
 *    call g5_gtpu_tpl_push(), send from the returned pointer. A g5_gtpu_tpl is the
 *    per-tunnel header precomputed once (TEID, PDU Session Container with QFI), so the
 *    per-packet cost is one small memcpy and a length patch.
 *  - Path and tunnel management messages (Echo, Error Indication, End Marker, Supported
 *    Extension Headers Notification) are built into a g5_wbuf and parsed into g5_gtpu_ies.
 *
 * All functions return 0 (or a length) on success and a negative g5_err on failure; no
 * peer input reaches an assert.
 */
#ifndef G5_GTPU_GTPU_H
#define G5_GTPU_GTPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"

/* TS 29.281 §4.4.2: the registered UDP port for GTP-U. */
#define G5_GTPU_PORT 2152

/* Message types, TS 29.281 §6.1 Table 6.1-1. */
enum g5_gtpu_msg_type {
    G5_GTPU_ECHO_REQUEST = 1,
    G5_GTPU_ECHO_RESPONSE = 2,
    G5_GTPU_ERROR_INDICATION = 26,
    G5_GTPU_SUPPORTED_EXT_HDR_NOTIFICATION = 31,
    G5_GTPU_END_MARKER = 254,
    G5_GTPU_GPDU = 255,
};

/* Octet 1 of the header, TS 29.281 §5.1 Figure 5.1-1: Version(3)=1 PT(1)=1 spare E S PN. */
#define G5_GTPU_FLAGS_V1 0x30u /* version 1, protocol type GTP */
#define G5_GTPU_FLAG_SPARE 0x08u
#define G5_GTPU_FLAG_E 0x04u
#define G5_GTPU_FLAG_S 0x02u
#define G5_GTPU_FLAG_PN 0x01u

/* Extension header types, TS 29.281 §5.2.1 Figure 5.2.1-3. Bits 8-7 say who must
 * comprehend the header (§5.2.1 Figure 5.2.1-2): 00/01 nobody, 10 the endpoint, 11 all. */
enum g5_gtpu_ext_type {
    G5_GTPU_EXT_NONE = 0x00, /* no more extension headers */
    G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER_NR = 0x03, /* §5.2.2.2A, comprehension not required */
    G5_GTPU_EXT_SERVICE_CLASS_INDICATOR = 0x20, /* §5.2.2.3 */
    G5_GTPU_EXT_UDP_PORT = 0x40, /* §5.2.2.1 */
    G5_GTPU_EXT_RAN_CONTAINER = 0x81, /* §5.2.2.4 */
    G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER = 0x82, /* §5.2.2.2A */
    G5_GTPU_EXT_XW_RAN_CONTAINER = 0x83, /* §5.2.2.5 */
    G5_GTPU_EXT_NR_RAN_CONTAINER = 0x84, /* §5.2.2.6, content TS 38.425 */
    G5_GTPU_EXT_PDU_SESSION_CONTAINER = 0x85, /* §5.2.2.7, content TS 38.415 §5.5.2 */
    G5_GTPU_EXT_PDCP_PDU_NUMBER = 0xc0, /* §5.2.2.2 */
};

/* Information element types (TS 29.281 §8, formats from TS 29.060 §7.7). Types below 128
 * are TV with a fixed length, from 128 on TLV with a 2-octet length, except the Extension
 * Header Type List whose length is one octet (TS 29.060 §7.7.40). */
enum g5_gtpu_ie_type {
    G5_GTPU_IE_RECOVERY = 14, /* TV, 1 octet: restart counter (§8.2) */
    G5_GTPU_IE_TEID_DATA_I = 16, /* TV, 4 octets (§8.3) */
    G5_GTPU_IE_PEER_ADDRESS = 133, /* TLV, IPv4 or IPv6 (§8.4) */
    G5_GTPU_IE_EXT_HDR_TYPE_LIST = 141, /* TLV with 1-octet length (§8.5) */
    G5_GTPU_IE_PRIVATE_EXTENSION = 255, /* TLV, 2-octet enterprise id + value (§8.6) */
};

/* PDU Session Container PDU types, TS 38.415 §5.5.3.1. */
enum g5_gtpu_psc_pdu_type {
    G5_GTPU_PSC_DL = 0, /* DL PDU SESSION INFORMATION, §5.5.2.1 */
    G5_GTPU_PSC_UL = 1, /* UL PDU SESSION INFORMATION, §5.5.2.2 */
};

#define G5_GTPU_MAX_EXT 8 /* longest extension header chain we accept (safety bound) */
#define G5_GTPU_HDR_MIN 8 /* mandatory part, §5.1 */
/* Largest header this codec writes: 8 + 4 optional octets + the largest PDU Session
 * Container (UL with every optional field: 44 octets), rounded up. */
#define G5_GTPU_HDR_MAX 64
/* Headroom convention: leave this many octets in front of a payload to be encapsulated. */
#define G5_GTPU_HEADROOM G5_GTPU_HDR_MAX

/* PDU Session Container, TS 38.415 §5.5.2. Fields are valid when the flag that announces
 * them is set (noted per field). */
typedef struct g5_gtpu_psc {
    uint8_t pdu_type; /* enum g5_gtpu_psc_pdu_type */
    uint8_t qfi; /* QoS Flow Identifier, 6 bits, §5.5.3.3 */
    bool qmp; /* QoS Monitoring Packet, §5.5.3.8: time stamps present */
    bool snp; /* Sequence Number Presence: QFI sequence number present */
    /* DL PDU SESSION INFORMATION */
    bool ppp; /* Paging Policy Presence, §5.5.3.7 */
    bool rqi; /* Reflective QoS Indicator, §5.5.3.4 */
    bool msnp; /* MBS Sequence Number Presence (Rel-17) */
    uint8_t ppi; /* Paging Policy Indicator, 3 bits (ppp) */
    uint64_t dl_sending_ts; /* DL Sending Time Stamp (DL, qmp); "...Repeated" in UL */
    uint32_t qfi_sn; /* DL or UL QFI Sequence Number, 24 bits (snp) */
    uint32_t mbs_qfi_sn; /* DL MBS QFI Sequence Number (msnp) */
    /* UL PDU SESSION INFORMATION */
    bool dl_delay_ind, ul_delay_ind, n3n9_delay_ind, new_ie_flag;
    uint64_t dl_received_ts; /* (qmp) */
    uint64_t ul_sending_ts; /* (qmp) */
    uint32_t dl_delay_result; /* (dl_delay_ind) */
    uint32_t ul_delay_result; /* (ul_delay_ind) */
    uint32_t n3n9_delay_result; /* (n3n9_delay_ind) */
    uint8_t new_ie_flags; /* (new_ie_flag); IEs it announces stay in `tail` */
    uint8_t spare_bits; /* spare bits as received (sent as 0), kept for exact re-encoding */
    /* Octets after the last known field: padding (§5.5.2: 0-3 octets) or fields of a later
     * release. Decoded: points into the packet. Encoding: NULL means minimal zero padding. */
    const uint8_t *tail;
    uint16_t tail_len;
} g5_gtpu_psc;

/* One extension header of a parsed packet. */
typedef struct g5_gtpu_ext {
    uint8_t type; /* announced by the preceding Next Extension Header Type octet */
    uint8_t units; /* Extension Header Length, in 4-octet units (>= 1) */
    uint16_t content_len; /* units * 4 - 2 */
    const uint8_t *content; /* points into the packet */
} g5_gtpu_ext;

/* A parsed GTP-U header. Everything points into the caller's packet buffer. */
typedef struct g5_gtpu_hdr {
    uint8_t flags; /* octet 1 as received */
    uint8_t msg_type;
    uint16_t length; /* Length field: octets after the first 8 */
    uint32_t teid;
    bool has_opt; /* octets 9-12 present (any of E, S, PN set) */
    uint16_t seq; /* Sequence Number (meaningful when flags & S) */
    uint8_t npdu; /* N-PDU Number (meaningful when flags & PN) */
    uint8_t next_ext; /* octet 12 as received (meaningful when flags & E) */
    uint8_t n_ext;
    bool has_psc;
    /* When parse returns G5_ERR_UNSUPPORTED because of an extension header: its type (the
     * caller answers with a Supported Extension Headers Notification, §5.2.1, §7.2.3). */
    uint8_t unsupported_ext;
    uint16_t hdr_len; /* offset of the payload (T-PDU or IEs) in the packet */
    uint16_t payload_len;
    const uint8_t *payload;
    g5_gtpu_psc psc; /* valid when has_psc */
    g5_gtpu_ext ext[G5_GTPU_MAX_EXT];
} g5_gtpu_hdr;

/* Parses one GTP-U datagram (the UDP payload, len octets). Fills *h (pointers into pkt).
 * Errors:
 *  G5_ERR_TRUNCATED   shorter than 8 octets, than the Length field says, or an extension
 *                     header runs past the end of the message;
 *  G5_ERR_INVALID     datagram longer than the Length field says, flags announce optional
 *                     octets the Length does not cover, an Extension Header Length of 0,
 *                     a known fixed-size extension header of the wrong size;
 *  G5_ERR_LIMIT       more than G5_GTPU_MAX_EXT extension headers;
 *  G5_ERR_REPEATED    two PDU Session Containers;
 *  G5_ERR_UNSUPPORTED not GTPv1 with PT=1; a reserved PDU Session Container PDU type; an
 *                     unknown comprehension-required extension header (h->unsupported_ext
 *                     holds its type, and the fixed header fields are set).
 * The PDU Session Container is decoded into h->psc; a flag announcing a field that is not
 * there is G5_ERR_TRUNCATED. */
int g5_gtpu_parse(const uint8_t *pkt, size_t len, g5_gtpu_hdr *h);

/* Parses a batch (e.g. the buffers one recvmmsg() filled): rcs[i] = g5_gtpu_parse(pkts[i],
 * lens[i], &hdrs[i]). Returns how many parsed successfully. */
size_t g5_gtpu_parse_burst(const uint8_t *const pkts[], const size_t lens[], size_t n,
                           g5_gtpu_hdr hdrs[], int rcs[]);

/* True for extension header types this codec understands (§5.2.1 Figure 5.2.1-3). */
bool g5_gtpu_ext_known(uint8_t type);
/* The extension header types this codec understands, for the Extension Header Type List
 * of a Supported Extension Headers Notification (§7.2.3). Returns the count. */
size_t g5_gtpu_supported_ext_types(const uint8_t **types);
/* Static display name of an extension header type or message type (never NULL). */
const char *g5_gtpu_ext_name(uint8_t type);
const char *g5_gtpu_msg_name(uint8_t type);

/* PDU Session Container content (the octets between the Extension Header Length and the
 * Next Extension Header Type). decode: G5_ERR_TRUNCATED if a flagged field is missing,
 * G5_ERR_UNSUPPORTED for PDU types other than DL/UL. encode writes content and padding so
 * that the whole extension header is a multiple of 4 octets; returns octets written. */
int g5_gtpu_psc_decode(const uint8_t *p, size_t n, g5_gtpu_psc *psc);
int g5_gtpu_psc_encode(const g5_gtpu_psc *psc, uint8_t *out, size_t cap);

/* ---- Encapsulation ---------------------------------------------------------------- */

typedef struct g5_gtpu_encap_params {
    uint8_t msg_type; /* G5_GTPU_GPDU, or G5_GTPU_END_MARKER with an empty payload */
    uint32_t teid;
    bool with_seq; /* S flag and a sequence number (g5_gtpu_tpl_push's seq) */
    const g5_gtpu_psc *psc; /* NULL: no PDU Session Container */
} g5_gtpu_encap_params;

/* A precomputed header for one tunnel. */
typedef struct g5_gtpu_tpl {
    uint8_t len; /* header octets */
    bool with_seq;
    uint8_t bytes[G5_GTPU_HDR_MAX];
} g5_gtpu_tpl;

/* Builds the header template. G5_ERR_INVALID for a bad QFI/PDU type/padding. */
int g5_gtpu_tpl_init(g5_gtpu_tpl *t, const g5_gtpu_encap_params *e);

/* Writes the template in front of payload[0..payload_len) (there must be `headroom`
 * writable octets before payload), fills in the Length field and the sequence number.
 * Returns the start of the GTP-U packet (payload - t->len), or NULL if the headroom is too
 * small or the packet would exceed the 16-bit Length field. The packet is
 * t->len + payload_len octets long. */
static inline uint8_t *g5_gtpu_tpl_push(const g5_gtpu_tpl *t, uint8_t *payload, size_t payload_len,
                                        size_t headroom, uint16_t seq)
{
    size_t body = (size_t)t->len - G5_GTPU_HDR_MIN + payload_len;
    if (headroom < t->len || body > 0xffff)
        return NULL;
    uint8_t *h = payload - t->len;
    memcpy(h, t->bytes, t->len);
    h[2] = (uint8_t)(body >> 8);
    h[3] = (uint8_t)body;
    if (t->with_seq) {
        h[8] = (uint8_t)(seq >> 8);
        h[9] = (uint8_t)seq;
    }
    return h;
}

/* One-shot encap: tpl_init + tpl_push. Returns the header length (the packet starts at
 * payload - return value) or a negative g5_err (G5_ERR_TOO_LONG: no room). */
int g5_gtpu_encap(uint8_t *payload, size_t payload_len, size_t headroom,
                  const g5_gtpu_encap_params *e, uint16_t seq);

/* ---- Information elements and signalling messages ----------------------------------- */

/* One IE as found in a message body. */
typedef struct g5_gtpu_ie {
    uint8_t type;
    uint16_t len; /* value octets */
    const uint8_t *value;
} g5_gtpu_ie;

/* Reads the next IE (TV types with their fixed length, TLV types with their length field).
 * G5_ERR_UNSUPPORTED for a TV type whose length we do not know (it cannot be skipped). */
int g5_gtpu_ie_next(g5_rbuf *r, g5_gtpu_ie *ie);

#define G5_GTPU_MAX_PRIVATE_EXT 4
#define G5_GTPU_MAX_EXT_TYPES 64

/* The IEs of a path/tunnel management message, decoded. */
typedef struct g5_gtpu_ies {
    uint32_t present; /* bit (1u << G5_GTPU_P_*) per IE seen */
    uint8_t recovery; /* restart counter: sent as 0, ignored (§8.2) */
    uint32_t teid_data_i;
    uint8_t peer_addr_len; /* 4 or 16 */
    uint8_t peer_addr[16];
    uint8_t n_ext_types;
    uint8_t ext_types[G5_GTPU_MAX_EXT_TYPES];
    uint8_t n_private;
    struct {
        uint16_t enterprise_id;
        uint16_t len;
        const uint8_t *value;
    } private_ext[G5_GTPU_MAX_PRIVATE_EXT];
} g5_gtpu_ies;

enum {
    G5_GTPU_P_RECOVERY,
    G5_GTPU_P_TEID_DATA_I,
    G5_GTPU_P_PEER_ADDRESS,
    G5_GTPU_P_EXT_HDR_TYPE_LIST,
    G5_GTPU_P_PRIVATE_EXTENSION,
};

/* Decodes the body of a parsed Echo Request/Response, Error Indication, Supported Extension
 * Headers Notification or End Marker (TS 29.281 §7.2, §7.3) and checks it, following the
 * GTPv1 error handling of TS 29.060 §11.1: S flag set where TS 29.281 §5.1 requires it;
 * mandatory IEs present (G5_ERR_MISSING, §11.1.5); IEs in ascending type order
 * (G5_ERR_INVALID, §11.1.10); a repeated IE only counts the first time (§11.1.12);
 * unknown TLV IEs and known-but-unexpected TV IEs are skipped (§11.1.9, §11.1.11), an
 * unknown TV IE ends decoding (G5_ERR_UNSUPPORTED); malformed values G5_ERR_INVALID.
 * G-PDUs and unknown message types: G5_ERR_UNSUPPORTED. */
int g5_gtpu_msg_parse(const g5_gtpu_hdr *h, g5_gtpu_ies *ies);

/* Message builders (TEID 0 where §5.1 requires it). Each appends one complete message. */
int g5_gtpu_build_echo_request(g5_wbuf *w, uint16_t seq);
int g5_gtpu_build_echo_response(g5_wbuf *w, uint16_t seq);
/* Error Indication (§7.3.1) for a G-PDU received on teid_data_i; addr is our own GTP-U
 * address (4 or 16 octets). udp_port != 0 adds the UDP Port extension header (§5.2.2.1)
 * carrying the source port of the G-PDU that triggered it. */
int g5_gtpu_build_error_indication(g5_wbuf *w, uint16_t seq, uint32_t teid_data_i,
                                   const uint8_t *addr, size_t addr_len, uint16_t udp_port);
int g5_gtpu_build_end_marker(g5_wbuf *w, uint32_t teid, const g5_gtpu_psc *psc);
int g5_gtpu_build_supported_ext_hdr_notification(g5_wbuf *w, uint16_t seq, const uint8_t *types,
                                                 size_t n);

/* Low-level writers shared by the builders and the JSON encoder. hdr_begin writes octets
 * 1-12 (4 optional octets when has_opt) with a zero Length and returns its offset in
 * *start; hdr_finish patches the Length from the bytes written since. */
int g5_gtpu_hdr_begin(g5_wbuf *w, uint8_t flags, uint8_t msg_type, uint32_t teid, bool has_opt,
                      uint16_t seq, uint8_t npdu, uint8_t next_ext, size_t *start);
int g5_gtpu_hdr_finish(g5_wbuf *w, size_t start);
/* Writes one extension header (length octet, content, next type); content_len must be
 * 4n - 2 octets. */
int g5_gtpu_put_ext(g5_wbuf *w, const uint8_t *content, size_t content_len, uint8_t next);

#endif
