/* glass5g-sim UE: the EAP-AKA' peer (TS 33.501 §6.1.3.1, RFC 5448/9048): checks an
 * EAP-Request/AKA'-Challenge (AUTN with the USIM, AT_KDF/AT_KDF_INPUT, AT_MAC under K_aut)
 * and writes the EAP-Response (Challenge with AT_RES, Synchronization-Failure with AT_AUTS,
 * Authentication-Reject or Client-Error). See ue_eap.c. */
#ifndef G5_SIM_UE_EAP_H
#define G5_SIM_UE_EAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "sim/ue_usim.h"

/* o->status besides enum sim_aka_status: the packet was not a Challenge the peer can use. */
#define SIM_EAP_UNUSABLE 111 /* reported like 5GMM #111 protocol error, unspecified */
#define G5_EAP_UE_MAX 256 /* room for any EAP-Response the peer writes */

typedef struct sim_ue_eap_in {
    sim_usim *usim;
    const sim_usim_keys *keys;
    const char *snn; /* our serving network name: AT_KDF_INPUT must equal it */
    const char *supi; /* IMSI digits: the EAP identity (TS 33.501 Annex F.3) and for KAMF */
    const uint8_t *abba;
    size_t abba_len;
} sim_ue_eap_in;

typedef struct sim_ue_eap_out {
    int status; /* SIM_AKA_OK, a failure of enum sim_aka_status, or SIM_EAP_UNUSABLE */
    bool eap_mac_failure; /* AUTN was good but AT_MAC was not */
    bool has_kamf;
    uint8_t kamf[32]; /* the caller wipes it */
} sim_ue_eap_out;

/* Answers the EAP packet pkt (n bytes) into out. 0 (o->status says how it went) or a
 * negative g5_err when out is too small or the crypto library failed. */
int sim_ue_eap_answer(const sim_ue_eap_in *in, const uint8_t *pkt, size_t n, g5_wbuf *out,
                      sim_ue_eap_out *o);
/* 3 (EAP-Success), 4 (EAP-Failure) or G5_ERR_INVALID. */
int sim_ue_eap_result_code(const uint8_t *pkt, size_t n);

#endif
