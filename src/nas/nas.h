/* NAS-5GS (TS 24.501) message codec: the public API.
 *
 * A message is a header (EPD, security header type or PDU session ID + PTI, message type)
 * plus one nas_ie per information element of its chapter-8 table. The tables are generated
 * from the spec text (tools/gen_nas_tables.py -> src/nas/gen/) and drive one generic
 * encoder/decoder (nas_codec.c). Each message also has a typed struct with one named
 * nas_ie per IE, in the union of nas_msg, e.g. msg.registration_request.requested_nssai.
 *
 * A nas_ie holds the IE's *value* (without IEI and length octets) as a pointer + length.
 * After nas_decode the pointers point into the caller's input buffer (zero copy), so the
 * input must outlive the message. When building a message the pointers point at caller
 * storage (often a nas_arena, see below). Value codecs for the IEs the core interprets
 * (mobile identity, NSSAI, TAI list, QoS rules, ...) are in nas_ie.h.
 *
 * Decoding follows TS 24.501 clause 7 / TS 24.007 clause 11.2: unknown non-imperative IEs
 * are skipped by their IEI category and kept (as raw bytes) so that decode->encode is byte
 * exact; unknown "comprehension required" IEs and bad mandatory IEs fail with cause #96;
 * repeated IEs are kept and ignored (24.501 7.6.3). Encoding is canonical: table order.
 */
#ifndef G5_NAS_NAS_H
#define G5_NAS_NAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* TS 24.007 11.2.3.1.1A extended protocol discriminators. */
#define NAS_EPD_5GSM 0x2e
#define NAS_EPD_5GMM 0x7e

/* TS 24.501 9.3 security header types. */
enum nas_sht {
    NAS_SHT_PLAIN = 0,
    NAS_SHT_INTEGRITY = 1,
    NAS_SHT_INTEGRITY_CIPHERED = 2,
    NAS_SHT_INTEGRITY_NEW_CTX = 3, /* only SECURITY MODE COMMAND */
    NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX = 4, /* only SECURITY MODE COMPLETE */
};

/* TS 24.501 9.11.3.2 / 9.11.4.2 causes used by the decoder (same values for 5GMM/5GSM). */
enum nas_cause {
    NAS_CAUSE_SEMANTICALLY_INCORRECT = 95,
    NAS_CAUSE_INVALID_MANDATORY_INFO = 96,
    NAS_CAUSE_MSG_TYPE_NON_EXISTENT = 97,
    NAS_CAUSE_IE_NON_EXISTENT = 99,
    NAS_CAUSE_CONDITIONAL_IE_ERROR = 100,
    NAS_CAUSE_PROTOCOL_ERROR = 111,
};

/* TS 24.007 11.2.1.1 information element formats. */
enum nas_fmt { NAS_F_V, NAS_F_LV, NAS_F_LVE, NAS_F_TV, NAS_F_TLV, NAS_F_TLVE, NAS_F_T };
enum nas_presence { NAS_P_M, NAS_P_O, NAS_P_C };

/* The value of one IE. Half-octet IEs (V 1/2 and type 1 TV) keep their 4-bit value in
 * `half`; type 2 (T) IEs are just `present`; all others are v/len. */
typedef struct nas_ie {
    const uint8_t *v;
    uint16_t len;
    uint8_t present;
    uint8_t half;
} nas_ie;

/* One row of a chapter-8 message table (generated). Lengths are the table's, i.e. of
 * the whole IE including IEI and length octets; hi = -1 means "n" (no upper bound). */
typedef struct nas_ie_desc {
    int16_t iei; /* -1: mandatory, no IEI; type 1 IEs: IEI in the high nibble */
    int8_t slot; /* index into nas_msg.ie[], -1 for a spare half octet */
    uint8_t fmt; /* enum nas_fmt */
    uint8_t presence; /* enum nas_presence */
    int32_t lo, hi;
    uint8_t type1; /* TV, one octet: IEI nibble + value nibble */
    const char *name; /* snake_case, as in the JSON form */
    const char *ref; /* spec clause of the value type, e.g. "9.11.3.4" */
    const char *type_name; /* value type, e.g. "5GS mobile identity" */
} nas_ie_desc;

typedef struct nas_msg_desc {
    const char *name;
    const char *clause;
    const nas_ie_desc *ies;
    const uint8_t *iei_row; /* [256]: IEI octet -> first row with that IEI, 255 = none */
    uint8_t type;
    uint8_t sm; /* 1: 5GSM message (PDU session ID + PTI header) */
    uint8_t n_ies;
} nas_msg_desc;

#include "nas/gen/nas_msgs.h" /* IWYU pragma: export */

extern const nas_msg_desc nas_msg_descs[NAS_N_MSGS];

/* An IE the decoder did not map to a table row: unknown (skipped by IEI category) or a
 * repetition. Kept raw (IEI..end) so that encode reproduces the input. */
typedef struct nas_extra_ie {
    const uint8_t *raw;
    uint32_t len;
    int16_t after; /* index in desc->ies of the row decoded just before it */
    uint8_t repeated; /* 1: repetition of a known IE (ignored, 24.501 7.6.3) */
} nas_extra_ie;
#define NAS_MAX_EXTRA 16

/* Security protected 5GS NAS message (TS 24.501 8.2.28). */
typedef struct nas_sec_hdr {
    uint8_t mac[4];
    uint8_t sqn;
    const uint8_t *inner; /* plain (or still ciphered) 5GS NAS message */
    size_t inner_len;
} nas_sec_hdr;

typedef struct nas_msg {
    const nas_msg_desc *desc;
    nas_sec_hdr sec;
    nas_extra_ie extra[NAS_MAX_EXTRA];
    union {
        NAS_MSG_UNION_MEMBERS;
    };
    uint8_t epd; /* NAS_EPD_5GMM / NAS_EPD_5GSM */
    uint8_t sht; /* 5GMM: security header type; != 0 means only `sec` is valid */
    uint8_t psi; /* 5GSM: PDU session identity */
    uint8_t pti; /* 5GSM: procedure transaction identity */
    uint8_t type; /* message type (enum nas_msg_type) */
    uint8_t n_extra;
} nas_msg;

/* Decoding options. */
enum nas_dec_flags {
    /* Optional IEs whose length is outside the table's range are treated as absent
     * (24.501 7.7.2) and kept as extra instead of failing with #111. */
    NAS_DEC_LENIENT = 1,
};

/* Decodes one NAS message. A security protected message (sht 1-4) only fills epd, sht
 * and sec (use nas_sec_unprotect, then decode sec.inner). On failure returns a negative
 * g5_err and, if cause != NULL, the 5GMM/5GSM cause to answer with (#95/96/97/99/100/111).
 * Never reads outside p[0..n). */
int nas_decode(const uint8_t *p, size_t n, nas_msg *out, uint8_t *cause);
int nas_decode_ex(const uint8_t *p, size_t n, nas_msg *out, uint8_t *cause, unsigned flags);

/* Encodes a plain message (sht must be 0) in canonical order; checks every present IE
 * against its table length range and that mandatory IEs are present. */
int nas_encode(const nas_msg *m, g5_wbuf *w);

/* Descriptor lookup: by EPD and message type; NULL if none. */
const nas_msg_desc *nas_msg_desc_find(uint8_t epd, uint8_t type);
const nas_msg_desc *nas_msg_desc_by_name(const char *name);

/* Zeroes m and sets it up as a plain message of `type` (EPD chosen from the type). */
int nas_msg_init(nas_msg *m, uint8_t type);
/* Setters for building. */
static inline void nas_ie_set(nas_ie *ie, const void *v, size_t len)
{
    ie->v = (const uint8_t *)v;
    ie->len = (uint16_t)len;
    ie->present = 1;
}
static inline void nas_ie_set_half(nas_ie *ie, uint8_t v)
{
    ie->half = v & 0x0f;
    ie->present = 1;
}
static inline void nas_ie_set_flag(nas_ie *ie)
{
    ie->present = 1;
}

/* A bump allocator for IE values when building a message: typed encoders write into
 * it and nas_arena_ie() points an IE at what was written since `mark`. */
typedef struct nas_arena {
    g5_wbuf w;
    uint8_t buf[4096];
} nas_arena;
void nas_arena_init(nas_arena *a);
/* Points ie at the bytes written to a->w since offset `mark`. Fails (G5_ERR_TOO_LONG) if
 * the arena overflowed. */
int nas_arena_ie(nas_arena *a, size_t mark, nas_ie *ie);

/* ---- NAS security (TS 24.501 4.4, TS 33.501 6.4) ---- */

enum nas_dir { NAS_DIR_UL = 0, NAS_DIR_DL = 1 };
/* TS 33.501 6.4.3.1 / A.8: BEARER input = access type distinguisher. */
enum nas_access { NAS_ACCESS_3GPP = 1, NAS_ACCESS_NON3GPP = 2 };

/* One side's 5G NAS security context: keys, selected algorithms, both NAS COUNTs. */
typedef struct nas_sec_ctx {
    uint8_t knas_int[16];
    uint8_t knas_enc[16];
    int nia; /* 0..3 (NIA0 = null) */
    int nea; /* 0..3 */
    uint8_t bearer; /* enum nas_access */
    /* NAS COUNT = overflow (16 bits) << 8 | SQN (8 bits) (24.501 4.4.3.1). */
    uint32_t ul_count; /* next uplink COUNT: expected (AMF) / to send (UE) */
    uint32_t dl_count; /* next downlink COUNT */
    bool ul_seen; /* an uplink message has been accepted (for replay detection) */
} nas_sec_ctx;

/* Protects a plain message: writes EPD, sht, MAC, SQN, (ciphered) message to w using the
 * COUNT of direction `dir` from ctx, then advances that COUNT. */
int nas_sec_protect(nas_sec_ctx *ctx, uint8_t sht, enum nas_dir dir, const uint8_t *plain,
                    size_t plain_len, g5_wbuf *w);

/* Estimates the full NAS COUNT of a received message from its 8-bit SQN and the next
 * expected COUNT (24.501 4.4.3.1): SQN below the expected SQN means the overflow counter
 * wrapped once. */
uint32_t nas_count_estimate(uint32_t next_expected, uint8_t sqn);

/* Replay check hook for the AMF (24.501 4.4.3.2): returns true if sqn is that of the last
 * accepted uplink message (a replayed or duplicated message). */
bool nas_sec_is_replay(const nas_sec_ctx *ctx, enum nas_dir dir, uint8_t sqn);

/* Verifies and deciphers a security protected message (already parsed by nas_decode into
 * m->sec). On success the plain message is written to `plain` (cap bytes), *plain_len is
 * set, and the receive COUNT of ctx is advanced past the message. A MAC failure returns
 * G5_ERR_CRYPTO and leaves ctx unchanged. Security header type 3/4 are accepted as 1/2. */
int nas_sec_unprotect(nas_sec_ctx *ctx, enum nas_dir dir, const uint8_t *msg, size_t n,
                      uint8_t *plain, size_t cap, size_t *plain_len);

/* Convenience for the AMF / UE: encode a plain message and protect it in one step
 * (sht 1-4), writing the protected message to w. */
int nas_encode_protected(nas_sec_ctx *ctx, uint8_t sht, enum nas_dir dir, const nas_msg *m,
                         g5_wbuf *w);
/* Receives any 5GMM/5GSM message: a plain one is decoded as is (*was_protected = false); a
 * protected one is verified and deciphered into plain[cap] and the inner message decoded
 * into out (its IE pointers then point into plain). Errors as nas_decode /
 * nas_sec_unprotect (G5_ERR_CRYPTO: MAC failure, nothing changed in ctx). */
int nas_decode_protected(nas_sec_ctx *ctx, enum nas_dir dir, const uint8_t *p, size_t n,
                         uint8_t *plain, size_t cap, nas_msg *out, uint8_t *cause,
                         bool *was_protected);

#endif
