/* SUPI concealment (TS 33.501 §6.12.2, Annex C; TS 23.003 §2.2B; TS 24.501 §9.11.3.4):
 * the home-network key pairs, the ECIES protection schemes (Profile A: X25519, Profile B:
 * secp256r1 with a compressed ephemeral key; ANSI X9.63 KDF with SHA-256, AES-128-CTR,
 * HMAC-SHA-256 truncated to 64 bits), the null scheme, and the textual SUPI/SUCI forms
 *   imsi-<MCC><MNC><MSIN>
 *   suci-0-<MCC>-<MNC>-<routing indicator>-<scheme>-<key id>-<scheme output>
 * (TS 29.503 §6.1.6.2.3 SupiOrSuci; the null scheme output is the MSIN digits, the ECIES
 * output lower-case hex).
 *
 * Only IMSI-type SUPIs are concealed (SUCI type 0); NAI-type SUPIs are not supported by
 * the SUCI helpers (the ECIES functions themselves take any plaintext). De-concealment
 * rejects, without leaking which step failed through timing of the MAC compare: an
 * ephemeral key of the wrong length or encoding, a point that is not on the curve or is
 * the point at infinity, an X25519 small-order point (all-zero shared secret), and a wrong
 * MAC tag. Private keys are 32 bytes; public keys 32 (A) or 33 (B, compressed) bytes.
 * Functions return 0 or a negative g5_err: G5_ERR_INVALID for malformed input and for an
 * ephemeral public key that is not a valid point, G5_ERR_TRUNCATED for a scheme output too
 * short to hold key, ciphertext and tag, G5_ERR_CRYPTO for a wrong MAC tag (or an OpenSSL
 * failure), G5_ERR_UNSUPPORTED for other protection scheme ids.
 */
#ifndef G5_CRYPTO_SUCI_H
#define G5_CRYPTO_SUCI_H

#include <stddef.h>
#include <stdint.h>

/* Protection scheme identifiers (TS 24.501 Table 9.11.3.4.1, TS 33.501 Annex C.1). */
enum g5_suci_scheme {
    G5_SUCI_NULL = 0,
    G5_SUCI_PROFILE_A = 1,
    G5_SUCI_PROFILE_B = 2,
};

#define G5_SUCI_PRIV_LEN 32
#define G5_SUCI_PUB_MAX 33 /* A: 32, B: 33 (compressed) */
#define G5_SUCI_MAC_LEN 8
#define G5_SUCI_PLAIN_MAX 64 /* longest ECIES plaintext accepted */
#define G5_SUCI_OUTPUT_MAX (G5_SUCI_PUB_MAX + G5_SUCI_PLAIN_MAX + G5_SUCI_MAC_LEN)
#define G5_SUCI_STR_MAX (32 + 2 * G5_SUCI_OUTPUT_MAX) /* room for the string form + NUL */

/* Length of the public key of a profile (32 or 33), or 0 for another scheme. */
size_t g5_suci_pub_len(int scheme);
/* A fresh home-network (or ephemeral) key pair. pub gets g5_suci_pub_len(scheme) bytes. */
int g5_suci_keygen(int scheme, uint8_t priv[G5_SUCI_PRIV_LEN], uint8_t pub[G5_SUCI_PUB_MAX]);
/* The public key of a private key (checks the key is valid for the profile). */
int g5_suci_public_key(int scheme, const uint8_t priv[G5_SUCI_PRIV_LEN],
                       uint8_t pub[G5_SUCI_PUB_MAX]);

/* ECIES encryption (UE side, Annex C.3.2): out = ephemeral public key || ciphertext ||
 * MAC tag. eph_priv NULL draws a fresh ephemeral key; tests inject the Annex C.4 one.
 * hn_pub must be g5_suci_pub_len(scheme) bytes. */
int g5_ecies_encrypt(int scheme, const uint8_t *hn_pub, size_t hn_pub_len, const uint8_t *eph_priv,
                     const uint8_t *plain, size_t plain_len, uint8_t *out, size_t cap,
                     size_t *out_len);
/* ECIES decryption (home network side, Annex C.3.3). */
int g5_ecies_decrypt(int scheme, const uint8_t hn_priv[G5_SUCI_PRIV_LEN], const uint8_t *in,
                     size_t in_len, uint8_t *plain, size_t cap, size_t *plain_len);

/* A home network private key prepared once for many de-concealments (the SIDF's case):
 * building it costs a scalar multiplication that the per-call functions above repeat on
 * every call. Immutable after creation, so one key may serve several threads. */
typedef struct g5_suci_hn_key g5_suci_hn_key;
int g5_suci_hn_key_new(int scheme, const uint8_t priv[G5_SUCI_PRIV_LEN], g5_suci_hn_key **out);
void g5_suci_hn_key_free(g5_suci_hn_key *key);
int g5_suci_hn_key_scheme(const g5_suci_hn_key *key);
int g5_ecies_decrypt_with(const g5_suci_hn_key *key, const uint8_t *in, size_t in_len,
                          uint8_t *plain, size_t cap, size_t *plain_len);

/* An IMSI-type SUPI. */
typedef struct g5_supi {
    char mcc[4]; /* 3 digits */
    char mnc[4]; /* 2 or 3 digits */
    char msin[11]; /* 1..10 digits; MCC + MNC + MSIN at most 15 digits */
} g5_supi;

/* Parses "imsi-<digits>"; mnc_len (2 or 3) says where the MNC ends, since an IMSI does
 * not carry that itself. */
int g5_supi_parse(const char *s, int mnc_len, g5_supi *out);
/* "imsi-<digits>"; cap >= 21. */
int g5_supi_format(const g5_supi *supi, char *out, size_t cap);
/* The IMSI digits alone (the SUPI value used in KAMF derivation, TS 33.501 A.7.0). */
int g5_supi_imsi(const g5_supi *supi, char *out, size_t cap);

/* A SUCI of type IMSI (TS 23.003 §2.2B). */
typedef struct g5_suci {
    char mcc[4];
    char mnc[4];
    char routing_indicator[5]; /* 1..4 digits */
    uint8_t scheme; /* protection scheme id 0..15 */
    uint8_t hn_key_id; /* home network public key identifier 0..255 (0 for the null scheme) */
    uint8_t output[G5_SUCI_OUTPUT_MAX]; /* scheme output as carried in NAS: BCD MSIN for
                                           the null scheme, ECIES output otherwise */
    size_t output_len;
} g5_suci;

int g5_suci_parse(const char *s, g5_suci *out);
int g5_suci_format(const g5_suci *suci, char *out, size_t cap);

/* UE side: conceals supi with the given scheme (hn_pub/key id ignored for the null
 * scheme). routing_indicator NULL means "0". eph_priv as for g5_ecies_encrypt. */
int g5_suci_conceal(const g5_supi *supi, int scheme, const uint8_t *hn_pub, size_t hn_pub_len,
                    uint8_t hn_key_id, const char *routing_indicator, const uint8_t *eph_priv,
                    g5_suci *out);
/* Home network (SIDF) side: recovers the SUPI; hn_priv is ignored for the null scheme.
 * The caller picks hn_priv by suci->scheme and suci->hn_key_id. */
int g5_suci_deconceal(const g5_suci *suci, const uint8_t *hn_priv, g5_supi *out);
/* The same with a prepared key (NULL for the null scheme); G5_ERR_INVALID if the key's
 * profile is not the SUCI's protection scheme. */
int g5_suci_deconceal_with(const g5_suci *suci, const g5_suci_hn_key *key, g5_supi *out);

/* BCD MSIN <-> digits (TS 24.501 Figure 9.11.3.4.3: low nibble first, filler 0xF). */
int g5_msin_to_bcd(const char *digits, uint8_t *out, size_t cap, size_t *out_len);
int g5_msin_from_bcd(const uint8_t *bcd, size_t len, char *digits, size_t cap);

#endif
