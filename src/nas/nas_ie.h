/* Typed value codecs for the NAS-5GS IEs the core interprets (TS 24.501 9.11).
 *
 * Each decoder takes an IE value (a nas_ie after nas_decode) and fills a struct; each
 * encoder writes the value octets (no IEI, no length) to a g5_wbuf — typically a
 * nas_arena, then nas_arena_ie() points the message's nas_ie at them. Byte fields that
 * the core passes on untouched (SUCI scheme output, packet filter contents, ePCO
 * containers, payloads) are kept as pointers into the decoded bytes, so decoding copies
 * nothing. Lists with many or large entries (QoS rules, QoS flow descriptions, ePCO,
 * multiple payloads) are read with an iterator over a g5_rbuf.
 */
#ifndef G5_NAS_NAS_IE_H
#define G5_NAS_NAS_IE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "nas/nas.h"

/* PLMN identity as digit strings ("001", "01"); TS 24.008 10.5.1.3 BCD layout. */
typedef struct nas_plmn {
    char mcc[4];
    char mnc[4];
} nas_plmn;
int nas_plmn_decode(const uint8_t b[3], nas_plmn *out);
int nas_plmn_encode(const nas_plmn *p, uint8_t b[3]);

/* 9.11.3.4 5GS mobile identity. */
enum nas_mi_type {
    NAS_MI_NONE = 0,
    NAS_MI_SUCI = 1,
    NAS_MI_GUTI = 2,
    NAS_MI_IMEI = 3,
    NAS_MI_S_TMSI = 4,
    NAS_MI_IMEISV = 5,
    NAS_MI_MAC = 6,
    NAS_MI_EUI64 = 7,
};
enum nas_supi_format { NAS_SUPI_IMSI = 0, NAS_SUPI_NSI = 1, NAS_SUPI_GCI = 2, NAS_SUPI_GLI = 3 };
enum nas_prot_scheme { NAS_SCHEME_NULL = 0, NAS_SCHEME_PROFILE_A = 1, NAS_SCHEME_PROFILE_B = 2 };

typedef struct nas_mobile_identity {
    uint8_t type; /* enum nas_mi_type */
    /* SUCI */
    uint8_t supi_format;
    nas_plmn plmn; /* SUCI (IMSI format) and 5G-GUTI */
    char routing_indicator[5]; /* 1-4 digits */
    uint8_t protection_scheme;
    uint8_t hn_key_id;
    char msin[16]; /* null scheme: the MSIN digits */
    const uint8_t *scheme_output; /* non-null scheme: output bytes; NAI formats: the NAI */
    uint16_t scheme_output_len;
    /* 5G-GUTI / 5G-S-TMSI */
    uint8_t amf_region_id;
    uint16_t amf_set_id; /* 10 bits */
    uint8_t amf_pointer; /* 6 bits */
    uint32_t tmsi;
    /* IMEI / IMEISV */
    char digits[17];
    /* MAC address (6) / EUI-64 (8) */
    uint8_t mac[8];
    bool mauri;
} nas_mobile_identity;
int nas_mobile_identity_decode(const nas_ie *ie, nas_mobile_identity *out);
int nas_mobile_identity_encode(const nas_mobile_identity *mi, g5_wbuf *w);

/* 9.11.2.8 S-NSSAI (value lengths 1, 2, 4, 5, 8) and 9.11.3.37 NSSAI. */
typedef struct nas_snssai {
    uint8_t sst;
    bool has_sd;
    uint32_t sd;
    bool has_mapped_sst;
    uint8_t mapped_sst;
    bool has_mapped_sd;
    uint32_t mapped_sd;
} nas_snssai;
int nas_snssai_decode_value(const uint8_t *p, size_t n, nas_snssai *out);
int nas_snssai_encode(const nas_snssai *s, g5_wbuf *w);

#define NAS_MAX_SNSSAI 40
typedef struct nas_nssai {
    uint8_t n;
    nas_snssai s[NAS_MAX_SNSSAI];
} nas_nssai;
int nas_nssai_decode(const nas_ie *ie, nas_nssai *out);
int nas_nssai_encode(const nas_nssai *n, g5_wbuf *w);

/* 9.11.3.54 UE security capability: bit 8 of each octet = algorithm 0. */
typedef struct nas_ue_sec_cap {
    uint8_t ea; /* 5G-EA0..7 */
    uint8_t ia; /* 5G-IA0..7 */
    bool has_eps;
    uint8_t eea;
    uint8_t eia;
} nas_ue_sec_cap;
int nas_ue_sec_cap_decode(const nas_ie *ie, nas_ue_sec_cap *out);
int nas_ue_sec_cap_encode(const nas_ue_sec_cap *c, g5_wbuf *w);

/* 9.11.3.8 5GS tracking area identity and 9.11.3.9 5GS tracking area identity list. */
typedef struct nas_tai {
    nas_plmn plmn;
    uint32_t tac; /* 24 bits */
} nas_tai;
int nas_tai_decode(const nas_ie *ie, nas_tai *out);
int nas_tai_encode(const nas_tai *t, g5_wbuf *w);

enum nas_tai_list_type {
    NAS_TAI_LIST_TACS = 0, /* one PLMN, non-consecutive TACs */
    NAS_TAI_LIST_CONSECUTIVE = 1, /* one PLMN, n consecutive TACs from tac[0] */
    NAS_TAI_LIST_TAIS = 2, /* n TAIs, each with its PLMN */
};
typedef struct nas_tai_partial {
    uint8_t type; /* enum nas_tai_list_type */
    uint8_t n; /* number of elements 1..16 */
    nas_tai tai[16]; /* type 0: all share tai[0].plmn; type 1: only tai[0] */
} nas_tai_partial;
typedef struct nas_tai_list {
    uint8_t n;
    nas_tai_partial p[16];
} nas_tai_list;
int nas_tai_list_decode(const nas_ie *ie, nas_tai_list *out);
int nas_tai_list_encode(const nas_tai_list *l, g5_wbuf *w);

/* 9.11.4.13 QoS rules: iterate with nas_qos_rule_next over the IE value. */
enum nas_qos_rule_op {
    NAS_QOS_RULE_CREATE = 1,
    NAS_QOS_RULE_DELETE = 2,
    NAS_QOS_RULE_MODIFY_ADD_PF = 3,
    NAS_QOS_RULE_MODIFY_REPLACE_PF = 4,
    NAS_QOS_RULE_MODIFY_DELETE_PF = 5,
    NAS_QOS_RULE_MODIFY_NO_PF = 6,
};
typedef struct nas_packet_filter {
    uint8_t direction; /* 1 DL, 2 UL, 3 bidirectional (0 for "delete PF" ids) */
    uint8_t id;
    const uint8_t *content; /* packet filter components (see nas_pf_component_next) */
    uint8_t content_len;
} nas_packet_filter;
typedef struct nas_qos_rule {
    uint8_t qri;
    uint8_t op; /* enum nas_qos_rule_op */
    bool dqr;
    uint8_t n_pf;
    nas_packet_filter pf[15];
    bool has_precedence;
    uint8_t precedence;
    bool has_qfi;
    bool segregation;
    uint8_t qfi;
} nas_qos_rule;
/* Reads one rule; returns 0, or a negative g5_err. Call while !g5_rbuf_empty(r). */
int nas_qos_rule_next(g5_rbuf *r, nas_qos_rule *out);
int nas_qos_rule_encode(const nas_qos_rule *q, g5_wbuf *w);

/* One packet filter component: type identifier + fixed-length value (table 9.11.4.13.3). */
typedef struct nas_pf_component {
    uint8_t type;
    uint8_t len;
    const uint8_t *v;
} nas_pf_component;
int nas_pf_component_next(g5_rbuf *r, nas_pf_component *out);

/* 9.11.4.12 QoS flow descriptions: iterate with nas_qos_flow_next. */
typedef struct nas_qos_flow_param {
    uint8_t id; /* 1 5QI, 2/3 GFBR UL/DL, 4/5 MFBR UL/DL, 6 averaging window, 7 EBI */
    uint8_t len;
    const uint8_t *v;
} nas_qos_flow_param;
typedef struct nas_qos_flow {
    uint8_t qfi;
    uint8_t op; /* 1 create, 2 delete, 3 modify */
    bool e_bit;
    uint8_t n_param;
    nas_qos_flow_param param[63];
} nas_qos_flow;
int nas_qos_flow_next(g5_rbuf *r, nas_qos_flow *out);
int nas_qos_flow_encode(const nas_qos_flow *f, g5_wbuf *w);

/* 9.11.4.14 Session-AMBR: unit (24.501 table 9.11.4.14.1, 1 = 1 kbps ... 0x06 = 1 Gbps) and
 * value for each direction. */
typedef struct nas_session_ambr {
    uint8_t dl_unit;
    uint16_t dl;
    uint8_t ul_unit;
    uint16_t ul;
} nas_session_ambr;
int nas_session_ambr_decode(const nas_ie *ie, nas_session_ambr *out);
int nas_session_ambr_encode(const nas_session_ambr *a, g5_wbuf *w);
/* Converts to bits per second (0 for an unknown unit). */
uint64_t nas_ambr_bps(uint8_t unit, uint16_t value);

/* 9.11.4.10 PDU address. */
enum nas_pdu_session_type { NAS_PDU_IPV4 = 1, NAS_PDU_IPV6 = 2, NAS_PDU_IPV4V6 = 3 };
typedef struct nas_pdu_address {
    uint8_t type; /* enum nas_pdu_session_type */
    uint8_t ipv4[4];
    uint8_t ipv6_iid[8];
    bool has_smf_ll; /* SI6LLA */
    uint8_t smf_ipv6_ll[16];
} nas_pdu_address;
int nas_pdu_address_decode(const nas_ie *ie, nas_pdu_address *out);
int nas_pdu_address_encode(const nas_pdu_address *a, g5_wbuf *w);

/* 9.11.4.6 Extended protocol configuration options (TS 24.008 10.5.6.3 layout):
 * nas_epco_begin checks the first octet, then nas_epco_next yields containers. */
typedef struct nas_epco_container {
    uint16_t id;
    uint8_t len;
    const uint8_t *v;
} nas_epco_container;
int nas_epco_begin(const nas_ie *ie, g5_rbuf *r, uint8_t *first_octet);
int nas_epco_next(g5_rbuf *r, nas_epco_container *out);
int nas_epco_put(g5_wbuf *w, uint16_t id, const void *v, uint8_t len);

/* 9.11.2.1B DNN: label-encoded (TS 23.003 9.1) <-> dotted text. */
int nas_dnn_decode(const nas_ie *ie, char *out, size_t cap);
int nas_dnn_encode(const char *dnn, g5_wbuf *w);

/* 9.11.3.39 Payload container with type "multiple payloads" (9.11.3.40 value 15). */
#define NAS_PAYLOAD_N1_SM 1
#define NAS_PAYLOAD_MULTIPLE 15
typedef struct nas_payload_entry {
    uint8_t type; /* payload container type */
    uint8_t n_opt; /* number of optional IEs */
    const uint8_t *opt; /* the optional IEs, raw (TLV / TV) */
    uint16_t opt_len;
    const uint8_t *payload;
    uint16_t payload_len;
} nas_payload_entry;
/* First octet = number of entries; then call nas_payload_entry_next that many times. */
int nas_payload_multi_begin(const nas_ie *ie, g5_rbuf *r, uint8_t *n_entries);
int nas_payload_entry_next(g5_rbuf *r, nas_payload_entry *out);

/* 9.11.3.34 NAS security algorithms: one octet, ciphering bits 7-5, integrity bits 3-1. */
typedef struct nas_sec_algs {
    uint8_t nea; /* 0..7 (5G-EA0..7) */
    uint8_t nia; /* 0..7 (5G-IA0..7) */
} nas_sec_algs;
int nas_sec_algs_decode(const nas_ie *ie, nas_sec_algs *out);
uint8_t nas_sec_algs_octet(const nas_sec_algs *a);

/* 9.11.2.3 GPRS timer, 9.11.2.4 GPRS timer 2 (TS 24.008 10.5.7.3/10.5.7.4) and 9.11.2.5
 * GPRS timer 3 (10.5.7.4a): one octet, unit bits 8-6, value bits 5-1. */
typedef struct nas_gprs_timer {
    uint8_t unit;
    uint8_t value;
} nas_gprs_timer;
int nas_gprs_timer_decode(const nas_ie *ie, nas_gprs_timer *out);
uint8_t nas_gprs_timer_octet(const nas_gprs_timer *t);
/* Timer length in seconds; -1 = deactivated. timer3 selects the GPRS timer 3 unit table. */
long nas_gprs_timer_seconds(const nas_gprs_timer *t, bool timer3);

/* 9.11.3.44 PDU session status, 9.11.3.57 uplink data status, 9.11.3.13 allowed PDU
 * session status: bit i of the 16-bit map = PSI i (PSI 0 is spare). */
int nas_psi_map_decode(const nas_ie *ie, uint16_t *map);
int nas_psi_map_encode(uint16_t map, g5_wbuf *w);

/* BCD digit strings (TS 24.008 10.5.1.4 layout: low nibble first, 0xF filler). */
int nas_bcd_decode(const uint8_t *p, size_t n, bool skip_first_nibble, char *out, size_t cap);

#endif
