/* MILENAGE: the 3GPP authentication and key generation functions f1, f1*, f2, f3, f4, f5,
 * f5* (TS 35.205 / TS 35.206) and the AKA procedures built on them (TS 33.102 §6.3):
 * AUTN build/check on both sides, AUTS generation and re-synchronisation.
 *
 * Sizes (bytes): K, OP, OPc, RAND, CK, IK: 16; SQN, AK: 6; AMF: 2; MAC-A, MAC-S, RES: 8;
 * AUTN: 16; AUTS: 14. Every function returns 0 or a negative g5_err; MAC checks return
 * G5_ERR_CRYPTO on mismatch and compare in constant time. K and OPc are wiped from the
 * stack before returning; callers own the buffers they pass.
 */
#ifndef G5_CRYPTO_MILENAGE_H
#define G5_CRYPTO_MILENAGE_H

#include <stdint.h>

#define G5_AUTN_LEN 16
#define G5_AUTS_LEN 14

/* OPc = OP xor E_K(OP)  (TS 35.206 §4.1). */
int g5_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* f1 (MAC-A) and f1* (MAC-S); either output may be NULL. */
int g5_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                   const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK), f5* (AK*); any output may be NULL. */
int g5_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                      uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
                      uint8_t ak_star[6]);

/* Home network side: one authentication vector for RAND/SQN/AMF (TS 33.102 §6.3.2). */
typedef struct g5_milenage_av {
    uint8_t rand[16];
    uint8_t xres[8];
    uint8_t ck[16];
    uint8_t ik[16];
    uint8_t ak[6];
    uint8_t autn[G5_AUTN_LEN]; /* (SQN xor AK) || AMF || MAC-A */
} g5_milenage_av;

int g5_milenage_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                         const uint8_t sqn[6], const uint8_t amf[2], g5_milenage_av *av);

/* USIM side: recovers SQN from AUTN and checks MAC-A (TS 33.102 §6.3.3). On success fills
 * sqn (the SQN the network sent; the caller judges its freshness) and res/ck/ik (any may be
 * NULL). Returns G5_ERR_CRYPTO when MAC-A does not match (outputs then untouched). */
int g5_milenage_check_autn(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                           const uint8_t autn[G5_AUTN_LEN], uint8_t sqn[6], uint8_t res[8],
                           uint8_t ck[16], uint8_t ik[16]);

/* USIM side, synchronisation failure: AUTS = (SQN_MS xor AK*) || MAC-S, where MAC-S is f1*
 * over SQN_MS with the dummy AMF 0x0000 (TS 33.102 §6.3.3). */
int g5_milenage_auts(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                     const uint8_t sqn_ms[6], uint8_t auts[G5_AUTS_LEN]);

/* Home network side, re-synchronisation (TS 33.102 §6.3.5): recovers SQN_MS from AUTS and
 * checks MAC-S. Returns G5_ERR_CRYPTO if MAC-S does not match (sqn_ms then untouched). */
int g5_milenage_resync(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                       const uint8_t auts[G5_AUTS_LEN], uint8_t sqn_ms[6]);

#endif
