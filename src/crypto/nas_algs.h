/* NAS (and AS) ciphering and integrity algorithms 128-NEA0..3 / 128-NIA0..3
 * (TS 33.501 Annex D, which reuses 128-EEA/EIA of TS 33.401 Annex B):
 *   0: null, 1: SNOW 3G (UEA2/UIA2 based), 2: AES-CTR / AES-CMAC, 3: ZUC (EEA3/EIA3).
 * Lengths are in bits; messages need not be a whole number of octets (the bits after
 * bitlen in the last byte of the input are ignored, those of the output are zero).
 */
#ifndef G5_CRYPTO_NAS_ALGS_H
#define G5_CRYPTO_NAS_ALGS_H

#include <stddef.h>
#include <stdint.h>

/* alg 0..3 = NIA0..NIA3 / NEA0..NEA3; dir 0 = uplink, 1 = downlink; bearer 5 bits;
 * bitlen = message length in bits; returns 0 or a negative g5_err. */
int g5_nia(int alg, const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
           const uint8_t *msg, size_t bitlen, uint8_t mac[4]);
int g5_nea(int alg, const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
           const uint8_t *in, uint8_t *out, size_t bitlen); /* in == out allowed */

#endif
