/* Internal helpers over OpenSSL 3 EVP (not a public header of the crypto library).
 *
 * OpenSSL 3 "fetches" an algorithm implementation from its provider on every implicit use
 * (EVP_aes_128_ecb(), EVP_MAC "HMAC" by name ...); the fetch is a locked table lookup that
 * costs more than a single AES block. These helpers fetch each algorithm once per process
 * (pthread_once) and give small one-call wrappers used by MILENAGE, the KDF, NEA2/NIA2
 * and SUCI. Every function returns 0 or a negative g5_err (G5_ERR_CRYPTO when OpenSSL
 * fails, which in practice means out of memory or a broken provider configuration).
 */
#ifndef G5_CRYPTO_EVP_H
#define G5_CRYPTO_EVP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

const EVP_CIPHER *g5_evp_aes128_ecb(void);
const EVP_CIPHER *g5_evp_aes128_ctr(void);
const EVP_MD *g5_evp_sha256(void);

/* An AES-128 encryption key schedule for single-block (ECB) use. */
typedef struct g5_aes128 {
    EVP_CIPHER_CTX *ctx;
} g5_aes128;

int g5_aes128_init(g5_aes128 *a, const uint8_t key[16]);
/* out = AES-128-Encrypt(key, in); in == out allowed. */
int g5_aes128_block(g5_aes128 *a, const uint8_t in[16], uint8_t out[16]);
void g5_aes128_free(g5_aes128 *a);

/* out = AES-128-CTR(key, icb) applied to n bytes; in == out allowed. */
int g5_aes128_ctr(const uint8_t key[16], const uint8_t icb[16], const uint8_t *in, uint8_t *out,
                  size_t n);

/* One-shot HMAC-SHA-256 over the concatenation of nparts byte strings. */
typedef struct g5_bytes {
    const uint8_t *p;
    size_t len;
} g5_bytes;
int g5_hmac_sha256(const uint8_t *key, size_t keylen, const g5_bytes *parts, size_t nparts,
                   uint8_t out[32]);
/* One-shot AES-128-CMAC (RFC 4493) over the concatenation of nparts whole-byte strings. */
int g5_aes128_cmac(const uint8_t key[16], const g5_bytes *parts, size_t nparts, uint8_t out[16]);
/* SHA-256 over the concatenation of nparts byte strings. */
int g5_sha256(const g5_bytes *parts, size_t nparts, uint8_t out[32]);

#endif
