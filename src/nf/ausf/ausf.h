/* AUSF: Nausf_UEAuthentication (TS 29.509) in process, shaped like SBI, for the AMF/SEAF.
 *
 *   Operation (TS 29.509)                                         call
 *   Authenticate, POST /ue-authentications (§5.2.2.2.1)          ausf_authenticate
 *   Authenticate, PUT .../5g-aka-confirmation (§5.2.2.2.2)       ausf_5g_aka_confirm
 *   Authenticate, POST .../eap-session (§5.2.2.2.3)              ausf_eap_session
 *
 * 5G-AKA (TS 33.501 §6.1.3.2): the AUSF gets the 5G HE AV from the UDM, computes HXRES*
 * (A.5) and KSEAF (A.6), keeps {XRES*, KSEAF, SUPI} in an auth context and returns the 5G
 * SE AV {RAND, AUTN, HXRES*} with the context id. The AMF sends RAND/AUTN to the UE,
 * checks HRES* itself, then confirms RES*: the AUSF compares it with XRES* in constant time
 * and answers AUTHENTICATION_SUCCESS with SUPI and KSEAF, or AUTHENTICATION_FAILURE.
 *
 * EAP-AKA' (TS 33.501 §6.1.3.1, RFC 5448/9048): the AUSF is the EAP server. The first
 * answer carries an EAP-Request/AKA'-Challenge; the AMF passes EAP packets opaquely between
 * the NAS "EAP message" IE and ausf_eap_session until the result is SUCCESS (EAP-Success,
 * SUPI, KSEAF from KAUSF = EMSK[0..255]) or FAILURE (EAP-Failure). A Synchronization-
 * Failure with AT_AUTS is resolved inside the AUSF (UDM resync, new Challenge, ONGOING).
 *
 * Auth contexts are single use (a confirmation consumes the context whatever its result)
 * and expire after ausf_config.ctx_lifetime_ms, which bounds memory.
 *
 * Async convention (src/nf/nf_sbi.h): the call returns a request id (0 = not started, no
 * callback), the callback always runs later from the loop, ausf_cancel(id) before then
 * means it never runs. Result pointers are valid during the callback only; the KSEAF in a
 * result is wiped when the callback returns (copy it).
 *
 * Problems: 404 CONTEXT_NOT_FOUND (unknown, used or expired auth context), 400
 * MANDATORY_IE_INCORRECT (confirmation of the wrong method; an EAP packet whose Identifier
 * is not the last Request's, which RFC 3748 §4.1 says to discard: the context is kept;
 * an EAP message while a resync is in progress); the UDM's
 * problems pass through unchanged (USER_NOT_FOUND, INVALID_SCHEME_OUTPUT, ...). A wrong
 * RES* (or AT_MAC, AT_RES) or a malformed EAP packet is not a problem: the result is
 * AUTHENTICATION_FAILURE (with EAP-Failure). docs/ausf-udm.md maps it all to 5GMM causes.
 */
#ifndef G5_NF_AUSF_AUSF_H
#define G5_NF_AUSF_AUSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "nf/ausf/eap_aka.h"
#include "nf/nf_sbi.h"
#include "nf/udm/udm.h"

typedef struct ausf ausf;

typedef struct ausf_config {
    uint32_t ctx_lifetime_ms; /* auth context lifetime (0 = default 30000) */
    char nf_instance_id[UDM_NF_ID_MAX]; /* reported in auth events ("" = "ausf-1") */
} ausf_config;

/* The udm is borrowed; loop is the one both run on. NULL on allocation failure. */
ausf *ausf_new(uv_loop_t *loop, udm *um, const ausf_config *cfg);
/* Drops pending requests (no callbacks) and auth contexts. Free the AUSF before its UDM.
 * Run the loop once more to close its timers. Do not call from inside an ausf callback. */
void ausf_free(ausf *a);
/* 0, or G5_ERR_NOT_FOUND when the request completed (also from inside its own callback),
 * was cancelled or is unknown: then nothing happens. */
int ausf_cancel(ausf *a, uint64_t id);
/* Number of live auth contexts (tests, metrics). */
size_t ausf_ctx_count(const ausf *a);

/* AuthenticationInfo (TS 29.509 §6.1.6.2.2). */
typedef struct ausf_auth_info {
    char supi_or_suci[G5_SUCI_STR_MAX];
    char serving_network_name[UDM_SNN_MAX];
    bool has_resync; /* after a 5G-AKA synch failure: RAND of the failed challenge + AUTS */
    udm_resync_info resync;
} ausf_auth_info;

/* UEAuthenticationCtx (§6.1.6.2.3): 5gAuthData is Av5gAka or an EapPayload. */
typedef struct ausf_ue_auth_ctx {
    g5_auth_method auth_type;
    uint64_t ctx_id; /* authCtxId: names the auth context in the confirmation / eap-session */
    uint8_t rand[16]; /* Av5gAka (5G SE AV) */
    uint8_t autn[16];
    uint8_t hxres_star[16];
    uint8_t eap[G5_EAP_MAX]; /* EAP-AKA': EAP-Request/AKA'-Challenge */
    size_t eap_len;
} ausf_ue_auth_ctx;

typedef void (*ausf_auth_cb)(void *arg, int rc, const ausf_ue_auth_ctx *ctx,
                             const g5_sbi_problem *pd);

uint64_t ausf_authenticate(ausf *a, const ausf_auth_info *info, ausf_auth_cb cb, void *arg);

/* AuthResult (§6.1.6.3.2). */
typedef enum ausf_auth_result {
    AUSF_AUTHENTICATION_SUCCESS,
    AUSF_AUTHENTICATION_FAILURE,
    AUSF_AUTHENTICATION_ONGOING,
} ausf_auth_result;

/* ConfirmationDataResponse (§6.1.6.2.6) / EapSession (§6.1.6.2.5). */
typedef struct ausf_confirm_result {
    ausf_auth_result auth_result;
    char supi[G5_SUPI_MAX]; /* on success */
    uint8_t kseaf[32]; /* on success (secret, wiped after the callback) */
    uint8_t eap[G5_EAP_MAX]; /* eap-session: next Request, or Success / Failure */
    size_t eap_len;
} ausf_confirm_result;

typedef void (*ausf_confirm_cb)(void *arg, int rc, const ausf_confirm_result *res,
                                const g5_sbi_problem *pd);

/* 5G-AKA confirmation with the RES* the UE returned (16 bytes). */
uint64_t ausf_5g_aka_confirm(ausf *a, uint64_t ctx_id, const uint8_t res_star[16],
                             ausf_confirm_cb cb, void *arg);
/* EAP-AKA': one EAP-Response from the UE (as carried in the NAS EAP message IE). */
uint64_t ausf_eap_session(ausf *a, uint64_t ctx_id, const uint8_t *eap, size_t eap_len,
                          ausf_confirm_cb cb, void *arg);

const char *ausf_auth_result_name(ausf_auth_result r);

#endif
