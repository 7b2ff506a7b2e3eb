/* ZUC stream cipher (ETSI/SAGE EEA3&EIA3 Document 2, version 1.6) and the 128-EEA3 /
 * 128-EIA3 modes (Document 1, = TS 35.221/35.222), written from the specifications;
 * OpenSSL has no ZUC. 128-NEA3/128-NIA3 (TS 33.501 Annex D) use these; see nas_algs.h. */
#ifndef G5_CRYPTO_ZUC_H
#define G5_CRYPTO_ZUC_H

#include <stddef.h>
#include <stdint.h>

typedef struct g5_zuc {
    uint32_t s[16]; /* LFSR cells, 31 bits each */
    uint32_t r1, r2;
} g5_zuc;

/* Key loading (§3.5), 32 initialisation rounds and the first (discarded) working round. */
void g5_zuc_init(g5_zuc *z, const uint8_t key[16], const uint8_t iv[16]);
uint32_t g5_zuc_next(g5_zuc *z);
void g5_zuc_wipe(g5_zuc *z);

/* 128-EEA3: XORs the keystream over bitlen bits of in into out (in == out allowed); bits of
 * the last byte beyond bitlen are set to zero. */
void g5_zuc_eea3(const uint8_t ck[16], uint32_t count, uint8_t bearer, uint8_t dir,
                 const uint8_t *in, uint8_t *out, size_t bitlen);
/* 128-EIA3: 32-bit MAC over bitlen bits of msg. */
void g5_zuc_eia3(const uint8_t ik[16], uint32_t count, uint8_t bearer, uint8_t dir,
                 const uint8_t *msg, size_t bitlen, uint8_t mac[4]);

#endif
