/* NAS/AS integrity (NIA) and ciphering (NEA) algorithms 0-3, TS 33.501 Annex D.
 *
 * Declarations only, as agreed with the crypto work (issue: crypto). The implementation
 * lands with src/crypto/; until then the NAS security tests provide NIA0/NEA0 locally.
 * alg: 0 = null, 1 = SNOW 3G, 2 = AES, 3 = ZUC. Return 0 or a negative g5_err. */
#ifndef G5_CRYPTO_NAS_ALGS_H
#define G5_CRYPTO_NAS_ALGS_H

#include <stddef.h>
#include <stdint.h>

int g5_nia(int alg, const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
           const uint8_t *msg, size_t bitlen, uint8_t mac[4]);
int g5_nea(int alg, const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
           const uint8_t *in, uint8_t *out, size_t bitlen);

#endif
