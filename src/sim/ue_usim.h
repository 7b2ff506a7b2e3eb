/* glass5g-sim USIM: the UE side of 5G-AKA (TS 33.501 §6.1.3.2) over MILENAGE, with the
 * SQN management of TS 33.102 Annex C (SQN = SEQ || IND, an array of the highest SEQ
 * accepted per IND value) and SUCI concealment (TS 33.501 §6.12.2) from a UE template.
 *
 * The subscription secrets (K, OPc) live once per template (sim_usim_keys); a UE holds
 * only its SEQ array. Results never include K or OPc; derived keys are the caller's to
 * wipe when done.
 */
#ifndef G5_SIM_UE_USIM_H
#define G5_SIM_UE_USIM_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/suci.h"
#include "sim/sim_config.h"

#define SIM_USIM_IND_BITS 5 /* TS 33.102 C.3.2: IND of 5 bits, 32 array entries */
#define SIM_USIM_NIND (1u << SIM_USIM_IND_BITS)
#define SIM_USIM_DELTA (1ULL << 28) /* C.2.2 limit on how far behind SEQ_MS a SEQ may be */

/* Per-template secrets, derived once (OPc from OP if the template holds OP). */
typedef struct sim_usim_keys {
    uint8_t k[16];
    uint8_t opc[16];
} sim_usim_keys;
int sim_usim_keys_init(sim_usim_keys *keys, const sim_ue_template *tpl);
void sim_usim_keys_wipe(sim_usim_keys *keys);

/* Per-UE SQN state (TS 33.102 C.1.2/C.2.1). */
typedef struct sim_usim {
    uint64_t seq[SIM_USIM_NIND]; /* highest SEQ accepted with this IND */
    uint64_t sqn_ms; /* highest SQN accepted (SEQ_MS || its IND), for AUTS */
} sim_usim;
/* Starts the SQN state from an initial SQN (the template's `sqn`: everything at or below
 * it counts as used). */
void sim_usim_init(sim_usim *u, uint64_t initial_sqn);

enum sim_aka_status {
    SIM_AKA_OK = 0,
    SIM_AKA_MAC_FAILURE = 20, /* 5GMM cause #20 MAC failure */
    SIM_AKA_SYNCH_FAILURE = 21, /* #21 synch failure: auts is set */
    SIM_AKA_NON_5G = 26, /* #26 non-5G authentication unacceptable (AMF separation bit 0) */
};

typedef struct sim_aka_result {
    int status; /* enum sim_aka_status */
    uint8_t res_star[16];
    uint8_t kausf[32];
    uint8_t kseaf[32];
    uint8_t kamf[32];
    uint8_t auts[14];
} sim_aka_result;

/* TS 33.501 6.1.3.2.0 / TS 33.102 6.3.3: checks AUTN (MAC-A, AMF separation bit, SQN
 * freshness per Annex C) and on success derives RES*, KAUSF, KSEAF and KAMF for the
 * serving network name `snn` and the SUPI digits `supi`, then records SQN as used. Returns
 * 0 with res->status saying the outcome (a failure status is not an error), or a negative
 * g5_err on bad input. */
int sim_usim_authenticate(sim_usim *u, const sim_usim_keys *keys, const uint8_t rand[16],
                          const uint8_t autn[16], const char *snn, const char *supi,
                          const uint8_t *abba, size_t abba_len, sim_aka_result *res);

/* EAP-AKA' on the UE (TS 33.501 6.1.3.1, RFC 5448 3.3): the same AUTN checks as above;
 * on success RES (64 bits), K_aut for AT_MAC and KAMF (CK'/IK' over the network name of
 * AT_KDF_INPUT, MK with the IMSI digits as identity, KAUSF = EMSK[0..255], KSEAF for snn,
 * KAMF with supi and ABBA). The SQN is not recorded as used: the caller does it with
 * sim_usim_accept_sqn() once AT_MAC has been verified with K_aut (RFC 4187 9.3). */
typedef struct sim_eap_result {
    int status; /* enum sim_aka_status */
    uint8_t res[8];
    uint8_t k_aut[32];
    uint8_t kamf[32];
    uint8_t auts[14];
    uint64_t sqn; /* of the accepted AUTN */
} sim_eap_result;
int sim_usim_authenticate_eap(sim_usim *u, const sim_usim_keys *keys, const uint8_t rand[16],
                              const uint8_t autn[16], const char *net_name, const char *snn,
                              const char *supi, const uint8_t *abba, size_t abba_len,
                              sim_eap_result *res);
void sim_usim_accept_sqn(sim_usim *u, uint64_t sqn);

/* TS 33.102 C.2.1 / C.2.2: is sqn fresh for this USIM? */
bool sim_usim_sqn_fresh(const sim_usim *u, uint64_t sqn);

/* Conceals the UE's SUPI (imsi digits `supi` with the template's MNC length) with the
 * template's protection scheme, home network public key, key id and routing indicator.
 * eph_priv NULL draws a fresh ephemeral key (tests inject the Annex C.4 one). */
int sim_usim_conceal(const sim_ue_template *tpl, const char *supi_digits, const uint8_t *eph_priv,
                     g5_suci *out);

#endif
