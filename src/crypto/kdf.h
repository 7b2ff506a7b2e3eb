/* The 5G key hierarchy: the generic KDF of TS 33.220 Annex B.2 (HMAC-SHA-256) and the
 * derivations of TS 33.501 Annex A that AUSF, SEAF/AMF, gNB and UE perform, plus
 * EAP-AKA' key derivation (RFC 5448 / RFC 9048, TS 33.501 Annex F).
 *
 * All keys are 32 bytes unless stated; NAS algorithm keys are 16 bytes (the 128 least
 * significant bits of the 256-bit KDF output, A.8). Strings (serving network name, SUPI)
 * are passed as NUL-terminated C strings and used without the NUL. Every function returns
 * 0 or a negative g5_err. Keys are never logged; intermediate values are wiped.
 */
#ifndef G5_CRYPTO_KDF_H
#define G5_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

/* One KDF input parameter Pi (its length Li is encoded by the KDF). */
typedef struct g5_kdf_param {
    const uint8_t *p;
    size_t len; /* at most 65535 (Li is 2 bytes) */
} g5_kdf_param;

/* TS 33.220 B.2: out = HMAC-SHA-256(key, FC || P0 || L0 || ... || Pn || Ln). */
int g5_kdf(const uint8_t *key, size_t keylen, uint8_t fc, const g5_kdf_param *params,
           size_t nparams, uint8_t out[32]);

/* "5G:mnc<MNC, 3 digits>.mcc<MCC>.3gppnetwork.org" (TS 24.501 §9.12.1, TS 33.501 §6.1.1.4);
 * a 2-digit MNC gets a leading 0. cap >= 33 always suffices. */
int g5_serving_network_name(const char *mcc, const char *mnc, char *out, size_t cap);

/* A.4: RES* / XRES* = 128 LSBs of KDF(CK||IK, 0x6B, SNN, RAND, RES); res_len 4..16. */
int g5_kdf_res_star(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                    const uint8_t rand[16], const uint8_t *res, size_t res_len,
                    uint8_t res_star[16]);
/* A.5: HRES* / HXRES* = 128 LSBs of SHA-256(RAND || RES*). */
int g5_kdf_hres_star(const uint8_t rand[16], const uint8_t res_star[16], uint8_t hres_star[16]);
/* A.2: KAUSF for 5G AKA = KDF(CK||IK, 0x6A, SNN, SQN xor AK). */
int g5_kdf_kausf(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                 const uint8_t sqn_xor_ak[6], uint8_t kausf[32]);
/* A.6: KSEAF = KDF(KAUSF, 0x6C, SNN). */
int g5_kdf_kseaf(const uint8_t kausf[32], const char *snn, uint8_t kseaf[32]);
/* A.7: KAMF = KDF(KSEAF, 0x6D, SUPI, ABBA). supi is the SUPI value without its type
 * prefix (for an IMSI, its digits: TS 33.501 A.7.0). */
int g5_kdf_kamf(const uint8_t kseaf[32], const char *supi, const uint8_t *abba, size_t abba_len,
                uint8_t kamf[32]);

/* Algorithm type distinguishers of A.8 (Table A.8-1). */
enum g5_alg_type {
    G5_ALG_NAS_ENC = 0x01,
    G5_ALG_NAS_INT = 0x02,
    G5_ALG_RRC_ENC = 0x03,
    G5_ALG_RRC_INT = 0x04,
    G5_ALG_UP_ENC = 0x05,
    G5_ALG_UP_INT = 0x06,
};
/* A.8: algorithm key = 128 LSBs of KDF(KAMF or KgNB, 0x69, type distinguisher, alg id). */
int g5_kdf_alg_key(const uint8_t key[32], enum g5_alg_type type, uint8_t alg_id, uint8_t out[16]);
/* KNASint / KNASenc shorthands for g5_kdf_alg_key(kamf, G5_ALG_NAS_INT/ENC, alg, ...). */
int g5_kdf_knas_int(const uint8_t kamf[32], uint8_t nia, uint8_t knas_int[16]);
int g5_kdf_knas_enc(const uint8_t kamf[32], uint8_t nea, uint8_t knas_enc[16]);

/* Access type distinguisher of A.9 (Table A.9-1). */
enum g5_access_type { G5_ACCESS_3GPP = 0x01, G5_ACCESS_NON_3GPP = 0x02 };
/* A.9: KgNB (or KN3IWF) = KDF(KAMF, 0x6E, uplink NAS COUNT, access type distinguisher). */
int g5_kdf_kgnb(const uint8_t kamf[32], uint32_t ul_nas_count, enum g5_access_type access,
                uint8_t kgnb[32]);
/* A.10: NH = KDF(KAMF, 0x6F, SYNC-input), SYNC-input = the new KgNB or the previous NH. */
int g5_kdf_nh(const uint8_t kamf[32], const uint8_t sync_input[32], uint8_t nh[32]);
/* A.13: K'AMF = KDF(KAMF, 0x72, DIRECTION, COUNT) for AMF re-allocation: direction 0x00
 * with the uplink NAS COUNT (idle mobility registration), 0x01 with the downlink NAS COUNT
 * (handover). */
int g5_kdf_kamf_prime(const uint8_t kamf[32], uint8_t direction, uint32_t count,
                      uint8_t kamf_prime[32]);

/* EAP-AKA' (RFC 5448 §3.3, RFC 9048; TS 33.501 A.3 with the serving network name as the
 * access network identity): CK' || IK' = KDF(CK||IK, 0x20, net_name, SQN xor AK). */
int g5_kdf_ck_ik_prime(const uint8_t ck[16], const uint8_t ik[16], const char *net_name,
                       const uint8_t sqn_xor_ak[6], uint8_t ck_prime[16], uint8_t ik_prime[16]);

/* RFC 5448 §3.3: MK = PRF'(IK'||CK', "EAP-AKA'" || Identity), split into these keys. */
typedef struct g5_eap_aka_prime_keys {
    uint8_t k_encr[16];
    uint8_t k_aut[32];
    uint8_t k_re[32];
    uint8_t msk[64];
    uint8_t emsk[64];
} g5_eap_aka_prime_keys;

int g5_eap_aka_prime_keys_derive(const uint8_t ik_prime[16], const uint8_t ck_prime[16],
                                 const uint8_t *identity, size_t identity_len,
                                 g5_eap_aka_prime_keys *keys);
/* TS 33.501 §6.1.3.1: for EAP-AKA', KAUSF = the first 256 bits of EMSK. */
void g5_kdf_kausf_eap(const g5_eap_aka_prime_keys *keys, uint8_t kausf[32]);

#endif
