/* SNOW 3G stream cipher and the UEA2 (f8) / UIA2 (f9) modes built on it, written from the
 * ETSI/SAGE specifications (UEA2 & UIA2 Document 1 and Document 2 = TS 35.215/35.216).
 * OpenSSL has no SNOW 3G, hence our own implementation. 128-NEA1 and 128-NIA1 (TS 33.401
 * Annex B.1.2/B.2.2, TS 33.501 Annex D) map onto f8/f9; see nas_algs.h for that API. */
#ifndef G5_CRYPTO_SNOW3G_H
#define G5_CRYPTO_SNOW3G_H

#include <stddef.h>
#include <stdint.h>

typedef struct g5_snow3g {
    uint32_t s[16]; /* LFSR s0..s15 */
    uint32_t r1, r2, r3; /* FSM */
} g5_snow3g;

/* Key words k0..k3 and IV words IV0..IV3 as named in Document 2 §4.1; runs the 32
 * initialisation clocks and the discarded first keystream clock. */
void g5_snow3g_init(g5_snow3g *s, const uint32_t k[4], const uint32_t iv[4]);
/* Next 32-bit keystream word z_t. */
uint32_t g5_snow3g_next(g5_snow3g *s);
/* Wipes the state. */
void g5_snow3g_wipe(g5_snow3g *s);

/* f8 (UEA2): XORs the keystream for (ck, count, bearer, dir) over bitlen bits of in into
 * out (in == out allowed); bits of the last byte beyond bitlen are set to zero. */
void g5_snow3g_f8(const uint8_t ck[16], uint32_t count, uint8_t bearer, uint8_t dir,
                  const uint8_t *in, uint8_t *out, size_t bitlen);
/* f9 (UIA2): 32-bit MAC-I over bitlen bits of msg. */
void g5_snow3g_f9(const uint8_t ik[16], uint32_t count, uint32_t fresh, uint8_t dir,
                  const uint8_t *msg, size_t bitlen, uint8_t mac[4]);

#endif
