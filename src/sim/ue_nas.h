/* glass5g-sim UE: the 5GMM side of a simulated UE (TS 24.501 §5) over the NAS codec
 * (src/nas) and the USIM (sim/ue_usim.h).
 *
 * Each UE's protocol context (sim_ue.proto) is a sim_ue_ctx: the gNB-visible part first
 * (sim_ue_n2), then the USIM SQN state, the 5G NAS security context, the 5G-GUTI and the
 * timers the network gave. The layer (sim_ue_layer) holds what UEs share: per-template
 * secrets (K, OPc) and the serving network name.
 *
 * Downlink handling follows TS 24.501: plain messages are accepted only before a security
 * context exists or for the types of 4.4.4.2; AUTHENTICATION REQUEST runs 5G-AKA (RES*,
 * or AUTHENTICATION FAILURE #20/#21 with AUTS/#26); SECURITY MODE COMMAND derives KNASint
 * and KNASenc from the new KAMF, checks the MAC with them and the replayed UE security
 * capabilities (#23/#24 on failure), then answers SECURITY MODE COMPLETE carrying the whole
 * REGISTRATION REQUEST (4.4.6) and the IMEISV if asked; REGISTRATION ACCEPT stores the
 * 5G-GUTI, TAI list and T3512 and answers REGISTRATION COMPLETE; a network-initiated
 * DEREGISTRATION REQUEST is answered with DEREGISTRATION ACCEPT. After the security mode
 * control every uplink message is protected (integrity + ciphering with the negotiated
 * NEA/NIA; initial NAS messages integrity only, 4.4.6). An AUTHENTICATION REQUEST with an
 * EAP message runs EAP-AKA' (sim/ue_eap.h, 5.4.1.2): the EAP-Response goes back in
 * AUTHENTICATION RESPONSE, and the SMC's EAP-Success releases the KAMF derived from EMSK.
 */
#ifndef G5_SIM_UE_NAS_H
#define G5_SIM_UE_NAS_H

#include <stdbool.h>
#include <stdint.h>

#include "nas/nas.h"
#include "sim/gnb.h"
#include "sim/sim.h"
#include "sim/ue_usim.h"

/* TS 24.501 5.1.3.2.1 (UE side), the states the simulator distinguishes. */
enum sim_5gmm_state {
    SIM_5GMM_DEREGISTERED = 0,
    SIM_5GMM_REGISTERED_INITIATED,
    SIM_5GMM_REGISTERED,
    SIM_5GMM_DEREGISTERED_INITIATED,
    SIM_5GMM_SERVICE_REQUEST_INITIATED,
};

#define SIM_UE_LAST_UL 160 /* last uplink NAS message kept for the replay fault */

typedef struct sim_ue_ctx {
    sim_ue_n2 n2; /* first: read by the gNB layer through ue->proto */
    sim_usim usim;
    nas_sec_ctx sec; /* current 5G NAS security context (valid if has_sec) */
    uint8_t kamf[32]; /* KAMF from the last successful AKA, until SMC takes it */
    uint8_t mm_state; /* enum sim_5gmm_state */
    uint8_t ngksi; /* of the current context; 7 = no key (TS 24.501 9.11.3.32) */
    uint8_t new_ngksi; /* of the KAMF from the last AKA */
    bool has_sec, has_new_kamf, has_guti;
    bool rx_plain; /* the downlink message being handled came without security header */
    uint8_t guti_plmn[3];
    uint8_t amf_region_id;
    uint8_t last_cause; /* 5GMM cause of the last reject */
    uint32_t t3512_s; /* periodic registration timer from REGISTRATION ACCEPT */
    uint8_t ntai; /* TAIs in the last TAI list */
    uint8_t nallowed; /* S-NSSAIs in the allowed NSSAI */
    uint8_t reg_type; /* of the pending REGISTRATION REQUEST (for SMC complete) */
    uint16_t last_ul_len;
    uint8_t last_ul[SIM_UE_LAST_UL];
    /* the next SERVICE REQUEST (set by the caller, cleared once built): service type
     * (TS 24.501 §9.11.3.50, 0 signalling, 2 mobile terminated services), PDU session
     * status and uplink data status (bit n = PSI n, 0 = IE absent) */
    uint8_t sr_service_type;
    uint16_t sr_psi_status, sr_uds;
} sim_ue_ctx;

typedef struct sim_ue_layer {
    const sim_config *cfg;
    const sim_pop *pop;
    sim_usim_keys keys[SIM_MAX_GROUPS];
    char snn[40]; /* serving network name of the gNB's PLMN (TS 24.501 9.12.1) */
    uint64_t n_ctx; /* contexts allocated */
    struct sim_up *up; /* PDU sessions (sim/sim_up.h); NULL: DL NAS TRANSPORT unsupported */
} sim_ue_layer;

/* Prepares the layer (derives OPc per template). 0 or a negative g5_err. */
int sim_ue_layer_init(sim_ue_layer *l, const sim_config *cfg, const sim_pop *pop);
/* Wipes the template secrets. */
void sim_ue_layer_free(sim_ue_layer *l);
/* The sim_ue_ops over a sim_ue_layer. */
extern const sim_ue_ops sim_ue_nas_ops;

/* The context of ue, created on first use (ue_init); NULL only when out of memory. */
sim_ue_ctx *sim_ue_ctx_get(sim_ue_layer *l, sim_ue *ue);

/* 5GS registration type values (TS 24.501 9.11.3.7). */
enum { SIM_REG_INITIAL = 1, SIM_REG_MOBILITY = 2, SIM_REG_PERIODIC = 3 };

/* Protects a plain uplink message with the UE's context (integrity + ciphering; plain
 * before security mode control), as every uplink after registration is (4.4.6). */
int sim_ue_protect(sim_ue_layer *l, sim_ue *ue, const uint8_t *plain, size_t len, g5_wbuf *out);

/* The plain REGISTRATION REQUEST (for tests and the SMC complete container). */
int sim_ue_build_plain_registration(sim_ue_layer *l, sim_ue *ue, int reg_type, g5_wbuf *out);

#endif
