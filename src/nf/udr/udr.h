/* UDR: the Nudr_DataRepository service (TS 29.504) over the subscriber store, for the
 * subscription data the UDM needs (data model TS 29.505, types TS 29.503 / 29.571).
 *
 * Shaped like the SBI resources so the same request/response structs can later be carried
 * as JSON over HTTP/2; in one process they are plain calls on a `udr` context (no
 * globals). Every call returns 0 or a negative g5_err and, on failure, fills the optional
 * udr_problem like the ProblemDetails the SBI would send (TS 29.504 §6.1.7.3: 404
 * USER_NOT_FOUND, 400 MANDATORY_IE_INCORRECT, 500 SYSTEM_FAILURE ...).
 *
 *   Resource (TS 29.504 §6.1.3)                                   call
 *   .../{ueId}/authentication-data/authentication-subscription  GET   udr_auth_subscription_get
 *   ... PATCH sequenceNumber (atomic increment, see below)            udr_auth_sqn_next
 *   ... PATCH sequenceNumber after a resync (TS 33.102 §6.3.5)        udr_auth_sqn_resync
 *   .../{ueId}/{servingPlmnId}/provisioned-data/am-data         GET   udr_am_data_get
 *   .../{ueId}/{servingPlmnId}/provisioned-data/sm-data         GET   udr_sm_data_get
 *
 * The 3GPP flow reads the SQN with GET and writes it back with PATCH, which lets two UDM
 * instances issue the same SQN; glass5g's udr_auth_sqn_next is one atomic
 * read-modify-write in the store instead (store/sqn.h).
 */
#ifndef G5_NF_UDR_UDR_H
#define G5_NF_UDR_UDR_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

typedef struct udr udr;

/* ProblemDetails (TS 29.571 §5.2.4.1), reduced. */
typedef struct udr_problem {
    int status; /* HTTP status */
    char cause[40]; /* application error, TS 29.504 Table 6.1.7.3-1 */
    char detail[200]; /* never contains secret values */
} udr_problem;

/* AuthenticationSubscription (TS 29.505 §5.2.2.2.2), with the keys in clear: inside the
 * process they never leave memory; over SBI they are sent as encPermanentKey/encOpcKey
 * under operator protection (protectionParameterId). */
typedef struct udr_auth_subscription {
    g5_auth_method authentication_method;
    uint8_t enc_permanent_key[16]; /* K */
    bool has_opc; /* encOpcKey present, else encTopcKey-like OP (MILENAGE derives OPc) */
    uint8_t enc_opc_key[16]; /* OPc when has_opc, else OP */
    uint8_t authentication_management_field[2];
    /* sequenceNumber (SequenceNumber, TS 29.505 §5.2.2.2.3): scheme NON_TIME_BASED */
    uint64_t sqn; /* SQN_HE last issued */
    uint8_t ind_length; /* 5 (TS 33.102 C.3) */
    const char *algorithm_id; /* "milenage" */
} udr_auth_subscription;

/* The SequenceNumber resource after a PATCH. */
typedef struct udr_sqn {
    uint64_t sqn; /* the SQN to put in the new vector (next) / SQN_HE after a resync */
} udr_sqn;

/* One vector's SequenceNumber PATCH inside a group commit (udr_auth_sqn_next_batch). */
typedef struct udr_sqn_patch {
    const char *supi; /* in */
    bool has_resync; /* in: first resynchronise to sqn_ms (TS 33.102 §6.3.5) */
    uint64_t sqn_ms; /* in: SQN_MS recovered from a verified AUTS */
    udr_sqn resp; /* out: the SQN to put in the new vector */
    int rc; /* out: 0 or this patch's failure, with pd filled */
    udr_problem pd;
} udr_sqn_patch;

/* AccessAndMobilitySubscriptionData (TS 29.503 §6.1.6.2.4), the parts glass5g uses. */
typedef struct udr_am_data {
    char gpsi[G5_MSISDN_MAX + 8]; /* "msisdn-<digits>" or "" */
    /* nssai.defaultSingleNssais: every subscribed S-NSSAI is a default one */
    g5_snssai default_single_nssais[G5_SUB_MAX_SLICES];
    int n_default_single_nssais;
    uint64_t subscribed_ue_ambr_ul; /* subscribedUeAmbr (bits/s) */
    uint64_t subscribed_ue_ambr_dl;
} udr_am_data;

/* SessionManagementSubscriptionData (TS 29.503 §6.1.6.2.8), one per S-NSSAI. */
typedef struct udr_sm_data_item {
    g5_snssai single_nssai;
    char dnns[G5_SUB_MAX_DNNS][G5_DNN_MAX]; /* dnnConfigurations keys */
    int n_dnns;
    int default_dnn; /* index of the dnnConfiguration with the default indication */
} udr_sm_data_item;

typedef struct udr_sm_data {
    udr_sm_data_item items[G5_SUB_MAX_SLICES];
    int n_items;
} udr_sm_data;

/* The UDR borrows the store (the caller keeps ownership and closes it after udr_free). */
udr *udr_new(g5_store *store);
void udr_free(udr *u);

int udr_auth_subscription_get(udr *u, const char *supi, udr_auth_subscription *resp,
                              udr_problem *pd);
int udr_auth_sqn_next(udr *u, const char *supi, udr_sqn *resp, udr_problem *pd);
int udr_auth_sqn_resync(udr *u, const char *supi, uint64_t sqn_ms, udr_sqn *resp, udr_problem *pd);
/* Group commit: the SQNs of n vectors (udr_auth_sqn_next, or resync + next) in one store
 * transaction with one durable commit. Each patch succeeds or fails on its own (p->rc,
 * p->pd); when the commit itself fails every patch fails with 503/500 and no SQN moved.
 * Returns 0 when the transaction committed. Patches on the same SUPI are applied in
 * order, each with its own SEQ. */
int udr_auth_sqn_next_batch(udr *u, udr_sqn_patch *patches, size_t n);
int udr_am_data_get(udr *u, const char *supi, udr_am_data *resp, udr_problem *pd);
/* single_nssai (may be NULL) filters like the single-nssai query parameter. */
int udr_sm_data_get(udr *u, const char *supi, const g5_snssai *single_nssai, udr_sm_data *resp,
                    udr_problem *pd);

/* Wipes the keys in an auth subscription response once the caller is done with it. */
void udr_auth_subscription_wipe(udr_auth_subscription *resp);

#endif
