/* The subscriber store: a backend-neutral interface (a vtable) over the subscriber
 * records the UDR serves (TS 29.505 data model, reduced to what glass5g uses).
 *
 * One backend is built in (SQLite, src/store/sqlite.c); a PostgreSQL backend implements the
 * same g5_store_ops later (docs/subscriber-store.md). Callers see only this header:
 *
 *     g5_store *st;
 *     char err[256];
 *     if (g5_store_open(&params, &st, err, sizeof err)) { fprintf(stderr, "%s\n", err); ... }
 *     g5_subscriber sub;
 *     int rc = g5_store_sub_get(st, "imsi-001010000000001", &sub);
 *     ...
 *     g5_store_close(st);
 *
 * Every function returns 0 or a negative g5_err. On failure g5_store_errmsg() gives a one-
 * line reason that never contains secret values (K, OPc, OP, private keys). A store handle
 * is used from one thread at a time; two handles (connections) on the same database may be
 * used concurrently, and the SQN read-modify-write is atomic across them.
 */
#ifndef G5_STORE_STORE_H
#define G5_STORE_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nf/config.h" /* g5_snssai */

#define G5_SUPI_MAX 24 /* "imsi-" + up to 15 digits + NUL */
#define G5_SUB_MAX_SLICES 8 /* allowed S-NSSAIs (TS 24.501: up to 8 in an NSSAI) */
#define G5_SUB_MAX_DNNS 8
#define G5_DNN_MAX 64 /* DNN text incl. NUL (APN network identifier, TS 23.003 §9.1) */
#define G5_MSISDN_MAX 16 /* up to 15 digits (E.164) + NUL */
#define G5_SQN_MAX ((UINT64_C(1) << 48) - 1)
#define G5_SD_NONE 0xFFFFFFu /* "no SD" (TS 23.003 §28.4.2) */

/* Authentication method (TS 29.505 AuthenticationSubscription.authenticationMethod). */
typedef enum g5_auth_method {
    G5_AUTH_5G_AKA = 0,
    G5_AUTH_EAP_AKA_PRIME = 1,
} g5_auth_method;

/* Which operator variant the 16-byte `op` field holds (TS 35.206: OPc = OP xor E_K(OP)). */
typedef enum g5_op_kind {
    G5_OP_IS_OPC = 0,
    G5_OP_IS_OP = 1,
} g5_op_kind;

typedef struct g5_subscriber {
    char supi[G5_SUPI_MAX]; /* "imsi-" + MCC(3) MNC(2|3) MSIN: 15 digits in total */
    /* Secrets: filled by get/put only; list leaves them zero (has_secrets = false). */
    uint8_t k[16];
    uint8_t op[16]; /* OPc or OP, see op_kind */
    g5_op_kind op_kind;
    bool has_secrets;
    uint8_t amf[2]; /* authentication management field, default 0x8000 (TS 33.102 §6.3.2) */
    uint64_t sqn; /* 48-bit SQN_HE last issued (TS 33.102 Annex C), see store/sqn.h */
    g5_auth_method auth_method;
    g5_snssai nssai[G5_SUB_MAX_SLICES]; /* allowed S-NSSAIs; sd == G5_SD_NONE: no SD */
    int n_nssai;
    char default_dnn[G5_DNN_MAX];
    char dnns[G5_SUB_MAX_DNNS][G5_DNN_MAX]; /* allowed DNNs (contains default_dnn) */
    int n_dnns;
    uint64_t ambr_ul; /* UE-AMBR, bits per second (TS 23.501 §5.7.2.6) */
    uint64_t ambr_dl;
    char msisdn[G5_MSISDN_MAX]; /* "" when absent */
    int64_t created; /* Unix seconds, set by the store */
    int64_t updated;
} g5_subscriber;

/* Field bits for g5_store_sub_update: only the named fields change. */
enum g5_sub_field {
    G5_SUB_F_K = 1u << 0,
    G5_SUB_F_OP = 1u << 1, /* op and op_kind */
    G5_SUB_F_AMF = 1u << 2,
    G5_SUB_F_SQN = 1u << 3,
    G5_SUB_F_AUTH = 1u << 4,
    G5_SUB_F_NSSAI = 1u << 5,
    G5_SUB_F_DNN = 1u << 6, /* default_dnn and dnns */
    G5_SUB_F_AMBR = 1u << 7, /* ambr_ul and ambr_dl */
    G5_SUB_F_MSISDN = 1u << 8,
    G5_SUB_F_ALL = (1u << 9) - 1,
};

/* Fills the defaults of a new subscriber: AMF 8000, SQN 0, 5G-AKA, slice SST 1 without SD,
 * DNN "internet", UE-AMBR 1 Gbit/s up and 2 Gbit/s down. */
void g5_subscriber_defaults(g5_subscriber *sub);

/* Checks "imsi-" + 15 digits with an MCC of 3 and an MNC of mnc_len (2 or 3; 0 = either)
 * digits, so the MSIN has 10 or 9 (TS 23.003 §2.2). On failure writes what is wrong and how
 * to fix it into why. */
int g5_supi_validate(const char *supi, int mnc_len, char *why, size_t whylen);
/* Checks every field of a record (SUPI, AMF, SQN range, slices, DNNs, MSISDN, AMBR). On
 * failure why names the field and the fix ("dnn: ... ; use letters, digits, '-' and '.'"). */
int g5_subscriber_validate(const g5_subscriber *sub, char *why, size_t whylen);
const char *g5_auth_method_name(g5_auth_method m);
/* "5g_aka" / "eap_aka_prime" (also "5G_AKA", "EAP_AKA_PRIME" as in TS 29.503) */
int g5_auth_method_parse(const char *s, g5_auth_method *out);
/* "1", "1:000001", "1:0x000001" -> S-NSSAI. */
int g5_snssai_parse(const char *s, g5_snssai *out);
/* "2Gbps", "500 Mbps", "1000000" (bits/s); k/M/G/T multipliers of 1000. */
int g5_bitrate_parse(const char *s, uint64_t *out);
/* Parses the SQN as "0x" hex, a 12-digit hex string, or a decimal number. */
int g5_sqn_parse(const char *s, uint64_t *out);
/* Copies the `fields` (G5_SUB_F_*) of in over cur: the update rule every backend applies
 * inside its transaction, before g5_subscriber_validate. */
void g5_subscriber_merge(g5_subscriber *cur, const g5_subscriber *in, unsigned fields);
/* Overwrites K and OP/OPc with zeros (call before freeing a record that held them). */
void g5_subscriber_wipe(g5_subscriber *sub);

typedef struct g5_store g5_store;

/* The SQN read-modify-write step: given the stored SQN, computes the new one or returns a
 * negative g5_err to leave it unchanged. Runs inside the backend's transaction. */
typedef int (*g5_sqn_update_fn)(uint64_t old_sqn, uint64_t *new_sqn, void *arg);

/* One SQN read-modify-write of a batch (g5_store_sqn_update_batch). */
typedef struct g5_sqn_op {
    const char *supi; /* in */
    g5_sqn_update_fn fn; /* in */
    void *arg; /* in: passed to fn (may point at param) */
    uint64_t param; /* in: a value for fn, e.g. SQN_MS of a resync (store/sqn.h) */
    uint64_t new_sqn; /* out: the stored SQN when rc == 0 */
    int rc; /* out: 0, or this op's own failure (G5_ERR_NOT_FOUND, G5_ERR_LIMIT, ...) */
} g5_sqn_op;

/* Backend operations. Each implementation fills one static table. */
typedef struct g5_store_ops {
    const char *name;
    void (*close)(g5_store *st);
    int (*sub_get)(g5_store *st, const char *supi, g5_subscriber *out);
    /* Inserts; G5_ERR_EXISTS if the SUPI is present. */
    int (*sub_put)(g5_store *st, const g5_subscriber *sub);
    /* Changes the `fields` of an existing record; G5_ERR_NOT_FOUND if absent. On success
     * *out (may be NULL) holds the record as stored. */
    int (*sub_update)(g5_store *st, const g5_subscriber *sub, unsigned fields, g5_subscriber *out);
    int (*sub_delete)(g5_store *st, const char *supi);
    /* Up to `limit` records in SUPI order starting at `offset`, without secrets. *n is the
     * number written, *total (may be NULL) the number of subscribers in the store. */
    int (*sub_list)(g5_store *st, size_t offset, size_t limit, g5_subscriber *out, size_t *n,
                    size_t *total);
    /* All n records in one transaction: all or nothing. Without replace an existing SUPI is
     * G5_ERR_EXISTS. On failure *bad (may be NULL) is the index of the offending record. */
    int (*sub_import)(g5_store *st, const g5_subscriber *subs, size_t n, bool replace, size_t *bad);
    /* Atomic SQN read-modify-write (store/sqn.h builds on it). */
    int (*sqn_update)(g5_store *st, const char *supi, g5_sqn_update_fn fn, void *arg,
                      uint64_t *new_sqn);
    /* Group commit: n read-modify-writes, in order, in one write transaction with one
     * durable commit. An op that fails on its own (unknown SUPI, fn refused) leaves its
     * row unchanged and the others go on. Returns 0 once the transaction is durable (every
     * op with rc == 0 is then committed), or a negative g5_err when it could not commit:
     * then nothing changed and every op's rc holds that error. */
    int (*sqn_update_batch)(g5_store *st, g5_sqn_op *ops, size_t n);
    /* Key-value records (e.g. SUCI home-network keys). Secret values are encrypted at rest. */
    int (*kv_get)(g5_store *st, const char *key, uint8_t *val, size_t cap, size_t *len);
    int (*kv_put)(g5_store *st, const char *key, const uint8_t *val, size_t len, bool secret);
    int (*kv_delete)(g5_store *st, const char *key);
} g5_store_ops;

/* Every backend's handle starts with this header. */
/* One store is shared by the loop thread (AMF, SMF, CLI) and the UDM's worker thread; a
 * SQLite connection opened NOMUTEX must never be entered from two threads at once, so every
 * g5_store_* call holds `lock` for the whole backend operation (store.c). */
struct g5_store {
    const g5_store_ops *ops;
    pthread_mutex_t lock;
    char err[256]; /* last error message (never secret values) */
};

typedef struct g5_store_params {
    const char *backend; /* "sqlite" (default when NULL) */
    const char *path; /* database file (SQLite) or connection string */
    const char *key_file; /* 32-byte master key for encryption at rest */
    bool create; /* create the database, and key_file (0600, random), if absent */
    int busy_timeout_ms; /* 0: default 5000 */
} g5_store_params;

/* Opens a store; on failure writes a one-line reason into err. */
int g5_store_open(const g5_store_params *p, g5_store **out, char *err, size_t errlen);
/* Opens the store named by the configuration (store.path, store.key_file); `glass5g run`
 * passes create = true so a first start creates the database and the key file. */
int g5_store_open_config(const g5_config *cfg, bool create, g5_store **out, char *err,
                         size_t errlen);
void g5_store_close(g5_store *st);
const char *g5_store_errmsg(const g5_store *st);

/* Thin wrappers over the vtable (they also validate arguments). */
int g5_store_sub_get(g5_store *st, const char *supi, g5_subscriber *out);
int g5_store_sub_put(g5_store *st, const g5_subscriber *sub);
int g5_store_sub_update(g5_store *st, const g5_subscriber *sub, unsigned fields,
                        g5_subscriber *out);
int g5_store_sub_delete(g5_store *st, const char *supi);
int g5_store_sub_list(g5_store *st, size_t offset, size_t limit, g5_subscriber *out, size_t *n,
                      size_t *total);
int g5_store_sub_import(g5_store *st, const g5_subscriber *subs, size_t n, bool replace,
                        size_t *bad);
int g5_store_sqn_update(g5_store *st, const char *supi, g5_sqn_update_fn fn, void *arg,
                        uint64_t *new_sqn);
int g5_store_sqn_update_batch(g5_store *st, g5_sqn_op *ops, size_t n);
int g5_store_kv_get(g5_store *st, const char *key, uint8_t *val, size_t cap, size_t *len);
int g5_store_kv_put(g5_store *st, const char *key, const uint8_t *val, size_t len, bool secret);
int g5_store_kv_delete(g5_store *st, const char *key);

/* Used by backends: formats st->err and returns rc. */
int g5_store_fail(g5_store *st, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
