/* EAP (RFC 3748 §4) and EAP-AKA' (RFC 5448 / RFC 9048 on RFC 4187 §8-10) packets: a small
 * bounded codec for what the AUSF, as EAP server, and the simulated UE, as peer, exchange
 * in the NAS "EAP message" IE (TS 24.501 §9.11.2.2).
 *
 *   EAP:      Code(1) Identifier(1) Length(2) [Type(1) = 50 (EAP-AKA') Subtype(1)
 *             Reserved(2) attributes...]     Success/Failure are the 4-byte header alone.
 *   attribute Type(1) Length(1, in 4-octet units, header included) Value  (RFC 4187 §8.1)
 *
 * Decoding is strict: the Length field must fit the buffer, every attribute length must be
 * non-zero and fit, fixed-size attributes must have their exact size, an attribute may
 * appear once (AT_KDF up to G5_EAP_AKA_MAX_KDF times, RFC 5448 §3.2), and an unknown
 * non-skippable attribute (type < 128) is an error (RFC 4187 §8.1). The MAC (AT_MAC,
 * HMAC-SHA-256-128 under K_aut, RFC 5448 §3.4.1) is computed over the whole packet with
 * the AT_MAC value zeroed; the decoder reports where that value is.
 */
#ifndef G5_NF_AUSF_EAP_AKA_H
#define G5_NF_AUSF_EAP_AKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum g5_eap_code {
    G5_EAP_REQUEST = 1,
    G5_EAP_RESPONSE = 2,
    G5_EAP_SUCCESS = 3,
    G5_EAP_FAILURE = 4,
};

#define G5_EAP_TYPE_AKA_PRIME 50 /* RFC 5448 §5 */

/* Subtypes (RFC 4187 §11). */
enum g5_eap_aka_subtype {
    G5_EAP_AKA_CHALLENGE = 1,
    G5_EAP_AKA_AUTHENTICATION_REJECT = 2,
    G5_EAP_AKA_SYNCHRONIZATION_FAILURE = 4,
    G5_EAP_AKA_IDENTITY = 5,
    G5_EAP_AKA_NOTIFICATION = 12,
    G5_EAP_AKA_REAUTHENTICATION = 13,
    G5_EAP_AKA_CLIENT_ERROR = 14,
};

/* Attribute types (RFC 4187 §11, RFC 5448 §6). */
enum g5_eap_at {
    G5_AT_RAND = 1,
    G5_AT_AUTN = 2,
    G5_AT_RES = 3,
    G5_AT_AUTS = 4,
    G5_AT_PADDING = 6,
    G5_AT_PERMANENT_ID_REQ = 10,
    G5_AT_MAC = 11,
    G5_AT_NOTIFICATION = 12,
    G5_AT_ANY_ID_REQ = 13,
    G5_AT_IDENTITY = 14,
    G5_AT_FULLAUTH_ID_REQ = 17,
    G5_AT_COUNTER = 19,
    G5_AT_CLIENT_ERROR_CODE = 22,
    G5_AT_KDF_INPUT = 23,
    G5_AT_KDF = 24,
    G5_AT_CHECKCODE = 134,
    G5_AT_RESULT_IND = 135,
    G5_AT_BIDDING = 136,
};

#define G5_EAP_AKA_MAX_KDF 4
#define G5_EAP_AKA_KDF_INPUT_MAX 255
#define G5_EAP_AKA_MAC_LEN 16
#define G5_EAP_MAX 1024 /* largest EAP-AKA' packet we build or accept */

typedef struct g5_eap_aka {
    uint8_t code; /* enum g5_eap_code */
    uint8_t id;
    uint8_t subtype; /* Request/Response only */
    bool has_rand, has_autn, has_res, has_auts, has_mac, has_kdf_input, has_client_error;
    bool has_checkcode, has_result_ind, has_bidding;
    uint8_t rand[16];
    uint8_t autn[16];
    uint8_t res[16];
    uint16_t res_bits; /* AT_RES "RES Length" in bits (32..128) */
    uint8_t auts[14];
    uint8_t mac[G5_EAP_AKA_MAC_LEN];
    size_t mac_offset; /* decoded: offset of the MAC value in the packet */
    uint16_t kdf[G5_EAP_AKA_MAX_KDF];
    int n_kdf;
    char kdf_input[G5_EAP_AKA_KDF_INPUT_MAX + 1]; /* network name (AT_KDF_INPUT) */
    uint16_t client_error;
} g5_eap_aka;

/* Decodes one EAP packet (octets past the Length field are ignored, RFC 3748 §4.1).
 * Returns 0, G5_ERR_TRUNCATED, G5_ERR_INVALID (bad length/size/zero-length attribute,
 * not EAP-AKA', unknown non-skippable attribute), G5_ERR_REPEATED (duplicate attribute). */
int g5_eap_aka_decode(const uint8_t *p, size_t n, g5_eap_aka *out);

/* Encodes m; when k_aut is non-NULL and m->has_mac, AT_MAC is computed over the result.
 * Attributes go out in the order RAND, AUTN, RES, AUTS, KDF..., KDF_INPUT, CLIENT_ERROR,
 * RESULT_IND, MAC. */
int g5_eap_aka_encode(const g5_eap_aka *m, const uint8_t k_aut[32], g5_wbuf *w);

/* HMAC-SHA-256-128 of pkt (n bytes) with the 16 bytes at mac_offset taken as zero. */
int g5_eap_aka_mac(const uint8_t k_aut[32], const uint8_t *pkt, size_t n, size_t mac_offset,
                   uint8_t mac[G5_EAP_AKA_MAC_LEN]);
/* Recomputes the MAC of a decoded packet and compares in constant time: 0 or
 * G5_ERR_CRYPTO (also when there is no AT_MAC). */
int g5_eap_aka_verify_mac(const uint8_t k_aut[32], const uint8_t *pkt, size_t n,
                          const g5_eap_aka *m);

#endif
