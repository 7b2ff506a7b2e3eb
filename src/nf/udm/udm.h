/* UDM: the Nudm services the AUSF and the AMF use, in process, shaped like SBI.
 *
 *   Service / operation (TS 29.503)                                 call
 *   Nudm_UEAuthentication_Get  (§5.4.2.2, POST .../generate-auth-data) udm_ueau_get
 *   Nudm_UEAuthentication_ResultConfirmation (§5.4.2.3, auth-events)  udm_ueau_result_confirm
 *   Nudm_SDM_Get am-data (§5.2.2.2.4)                                  udm_sdm_get_am_data
 *   Nudm_SDM_Get sm-data (§5.2.2.2.5)                                  udm_sdm_get_sm_data
 *   Nudm_UECM_Registration, 3GPP access AMF (§5.3.2.2.2)               udm_uecm_amf_register
 *   Nudm_UECM_Deregistration (§5.3.2.4, purge of the AMF registration) udm_uecm_amf_deregister
 *
 * The UDM hosts the ARPF (vector generation with MILENAGE from the UDR's authentication
 * subscription, atomic SQN from udr_auth_sqn_next) and the SIDF (SUCI de-concealment with
 * the home-network private keys, TS 33.501 §6.12.2).
 *
 * Async convention (src/nf/nf_sbi.h): every call copies its request, returns a request id
 * (0 = not started, no callback) and calls back later from the loop. udm_cancel(id) before
 * completion means the callback never fires. The result/problem pointers are valid only
 * during the callback; key material in results is wiped right after it returns.
 *
 * On failure rc < 0 and pd is filled (TS 29.503 Table 6.1.7.3-1 / 6.3.7.3-1 causes):
 *   400 MANDATORY_IE_INCORRECT        malformed SUPI/SUCI or serving network name
 *   403 SERVING_NETWORK_NOT_AUTHORIZED serving network name not "5G:..." (TS 29.503 §5.4.2.2)
 *   403 INVALID_HN_PUBLIC_KEY_IDENTIFIER  no home-network key with that id for the scheme
 *   403 INVALID_SCHEME_OUTPUT         SUCI scheme output does not de-conceal (bad MAC,
 *                                     invalid point, truncated)
 *   501 UNSUPPORTED_PROTECTION_SCHEME scheme other than null / Profile A / Profile B
 *   404 USER_NOT_FOUND                no subscription for the SUPI
 *   403 AUTHENTICATION_REJECTED       resynchronisation AUTS with a wrong MAC-S
 *   403 SQN_EXHAUSTED / 503 NF_CONGESTION / 500 SYSTEM_FAILURE   from the UDR
 *   404 CONTEXT_NOT_FOUND             UECM deregistration of an unknown registration
 * docs/ausf-udm.md maps these to the 5GMM causes the AMF sends.
 *
 * Threads: generate-auth-data and the SDM reads run on libuv's thread pool, one batch at
 * a time (the UDR's store handle is used by one thread at a time), so the SQN fsync never
 * stalls the event loop; everything else, and every callback, runs on the loop thread.
 * Group commit: a batch is every request waiting when the worker becomes free (up to
 * udm_config.max_batch); the SQNs of its vectors are written in one transaction with one
 * fsync, and no vector of the batch is delivered before that commit is durable.
 *
 * No globals: one `udm` per loop, created with its UDR and the store that holds the SIDF
 * keys (kv records, encrypted at rest). Secrets are never logged.
 */
#ifndef G5_NF_UDM_UDM_H
#define G5_NF_UDM_UDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "crypto/suci.h"
#include "nf/nf_sbi.h"
#include "nf/udr/udr.h"
#include "store/store.h"

#define UDM_SNN_MAX 65 /* serving network name incl. NUL (TS 24.501 §9.12.1: "5G:" + ...) */
#define UDM_NF_ID_MAX 48 /* NF instance id (UUID text) incl. NUL */

typedef struct udm udm;

#define UDM_MAX_BATCH_DEFAULT 256

typedef struct udm_config {
    uint8_t hn_key_id_a; /* Profile A home-network public key id (1..255; 0 = default 1) */
    uint8_t hn_key_id_b; /* Profile B key id (0 = default 2) */
    /* Most requests one thread-pool job takes at once; the SQNs of a job's vectors share
     * one durable commit (group commit). 0 = UDM_MAX_BATCH_DEFAULT, 1 = one fsync each. */
    size_t max_batch;
    /* Tests only: supplies RAND instead of the CSPRNG (NULL in production). */
    void (*rand_fn)(void *arg, uint8_t rand[16]);
    void *rand_arg;
} udm_config;

/* Creates the UDM. The SUCI home-network key pairs (Profile A and B) are read from the
 * store's kv ("suci/hn/profile-a/<id>", secret) and generated on first start if absent.
 * udr and keystore are borrowed. On failure returns NULL with a reason in err. */
udm *udm_new(uv_loop_t *loop, udr *udr, g5_store *keystore, const udm_config *cfg, char *err,
             size_t errlen);
/* Pending requests are dropped without callback. A request already running on the thread
 * pool finishes there: run the loop (uv_run) after udm_free and before freeing the udr
 * and the store, which closes the timer handle too. Do not call from inside a udm
 * callback. */
void udm_free(udm *u);
/* Cancels a pending request; 0, or G5_ERR_NOT_FOUND if it already completed/was unknown. */
int udm_cancel(udm *u, uint64_t id);

/* The public key of a home-network key pair (profile G5_SUCI_PROFILE_A or _B), for the
 * USIM/simulator configuration. pub holds G5_SUCI_PUB_MAX bytes; *len gets 32 or 33. */
int udm_hn_pubkey(const udm *u, int profile, uint8_t *key_id, uint8_t pub[G5_SUCI_PUB_MAX],
                  size_t *len);

/* Counters of the thread-pool work (loop thread; diagnostics, tests, benchmarks). */
typedef struct udm_stats {
    uint64_t jobs; /* thread-pool jobs (batches) completed */
    uint64_t sqn_commits; /* group commits of vector SQNs (one fsync each) */
    uint64_t sqn_vectors; /* SQNs those commits issued or tried to */
    size_t max_seen; /* largest batch so far */
} udm_stats;

void udm_get_stats(const udm *u, udm_stats *out);

/* ---- Nudm_UEAuthentication_Get ---------------------------------------------------- */

/* ResynchronizationInfo (TS 29.503 §6.3.6.2.4). */
typedef struct udm_resync_info {
    uint8_t rand[16];
    uint8_t auts[14];
} udm_resync_info;

/* AuthenticationInfoRequest (§6.3.6.2.2) plus the supiOrSuci path parameter. */
typedef struct udm_auth_info_req {
    char supi_or_suci[G5_SUCI_STR_MAX]; /* "imsi-…" or "suci-0-…" (§6.1.6.2.3) */
    char serving_network_name[UDM_SNN_MAX];
    bool has_resync;
    udm_resync_info resync;
    char ausf_instance_id[UDM_NF_ID_MAX];
} udm_auth_info_req;

/* AuthenticationInfoResult (§6.3.6.2.3) with its AuthenticationVector: AvType 5G_HE_AKA
 * (Av5GHeAka: rand, autn, xresStar, kausf) or EAP_AKA_PRIME (AvEapAkaPrime: rand, autn,
 * xres, ckPrime, ikPrime). */
typedef struct udm_auth_info_result {
    g5_auth_method auth_type;
    char supi[G5_SUPI_MAX];
    uint8_t rand[16];
    uint8_t autn[16];
    uint8_t xres_star[16]; /* 5G-AKA */
    uint8_t kausf[32]; /* 5G-AKA (secret) */
    uint8_t xres[16]; /* EAP-AKA' */
    size_t xres_len;
    uint8_t ck_prime[16]; /* EAP-AKA' (secret) */
    uint8_t ik_prime[16]; /* EAP-AKA' (secret) */
} udm_auth_info_result;

typedef void (*udm_auth_info_cb)(void *arg, int rc, const udm_auth_info_result *res,
                                 const g5_sbi_problem *pd);

uint64_t udm_ueau_get(udm *u, const udm_auth_info_req *req, udm_auth_info_cb cb, void *arg);

/* ---- Nudm_UEAuthentication_ResultConfirmation -------------------------------------- */

/* AuthEvent (§6.3.6.2.5). */
typedef struct udm_auth_event {
    char nf_instance_id[UDM_NF_ID_MAX];
    bool success;
    int64_t time_stamp; /* Unix seconds; 0 = now */
    g5_auth_method auth_type;
    char serving_network_name[UDM_SNN_MAX];
} udm_auth_event;

typedef void (*udm_done_cb)(void *arg, int rc, const g5_sbi_problem *pd);

/* cb may be NULL (fire and forget; the id is still returned). */
uint64_t udm_ueau_result_confirm(udm *u, const char *supi, const udm_auth_event *ev, udm_done_cb cb,
                                 void *arg);
/* The last recorded auth event of a SUPI (diagnostics, tests): 0 or G5_ERR_NOT_FOUND. */
int udm_auth_event_lookup(const udm *u, const char *supi, udm_auth_event *out);

/* ---- Nudm_SDM_Get ------------------------------------------------------------------- */

typedef void (*udm_am_data_cb)(void *arg, int rc, const udr_am_data *am, const g5_sbi_problem *pd);
typedef void (*udm_sm_data_cb)(void *arg, int rc, const udr_sm_data *sm, const g5_sbi_problem *pd);

uint64_t udm_sdm_get_am_data(udm *u, const char *supi, udm_am_data_cb cb, void *arg);
/* single_nssai may be NULL (all slices). */
uint64_t udm_sdm_get_sm_data(udm *u, const char *supi, const g5_snssai *single_nssai,
                             udm_sm_data_cb cb, void *arg);

/* ---- Nudm_UECM ---------------------------------------------------------------------- */

/* Amf3GppAccessRegistration (§6.2.6.2.2), reduced. */
typedef struct udm_amf_registration {
    char amf_instance_id[UDM_NF_ID_MAX];
    char guami[40]; /* "<mcc><mnc>-<amf id hex>", informative */
    bool initial_registration_ind;
} udm_amf_registration;

/* Registers (or replaces) the AMF serving supi over 3GPP access. The previous AMF, if
 * different, would get a DeregistrationNotification over SBI; in process it is logged. */
uint64_t udm_uecm_amf_register(udm *u, const char *supi, const udm_amf_registration *reg,
                               udm_done_cb cb, void *arg);
/* Removes the registration if amf_instance_id is the registered AMF (else 404 /
 * CONTEXT_NOT_FOUND, the registration is kept). */
uint64_t udm_uecm_amf_deregister(udm *u, const char *supi, const char *amf_instance_id,
                                 udm_done_cb cb, void *arg);
/* Which AMF serves supi (synchronous read): 0 or G5_ERR_NOT_FOUND. */
int udm_uecm_amf_lookup(const udm *u, const char *supi, udm_amf_registration *out);

#endif
