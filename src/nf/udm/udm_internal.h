/* Private to src/nf/udm: the UDM context and its request record. */
#ifndef G5_NF_UDM_UDM_INTERNAL_H
#define G5_NF_UDM_UDM_INTERNAL_H

#include "core/hmap.h"
#include "nf/udm/udm.h"

typedef struct udm_hn_key {
    g5_suci_hn_key *key; /* prepared private key (SIDF) */
    uint8_t key_id;
    uint8_t pub[G5_SUCI_PUB_MAX];
    size_t pub_len;
} udm_hn_key;

struct udm {
    uv_loop_t *loop;
    udr *udr;
    udm_config cfg;
    g5_sbi_queue q;
    uint64_t next_id;
    g5_hmap reqs; /* id -> pending udm_req (for udm_cancel) */
    g5_hmap events; /* SUPI key -> udm_auth_event (last auth result) */
    g5_hmap amf_regs; /* SUPI key -> udm_amf_registration */
    udm_hn_key hn[3]; /* indexed by protection scheme id (1 = A, 2 = B) */
    /* UDR work runs on the libuv thread pool, one batch at a time (the store handle is
     * single-threaded): FIFO of requests waiting for the worker, and the batch in flight
     * (every request that was waiting when the worker became free, up to max_batch; the
     * SQNs of its vectors share one durable commit). */
    struct udm_req *work_head, *work_tail;
    size_t work_len;
    struct udm_batch *in_flight;
    size_t max_batch;
    udm_stats stats;
    bool closing; /* udm_free called while a request was in flight */
};

enum udm_op {
    UDM_OP_UEAU_GET,
    UDM_OP_AUTH_EVENT,
    UDM_OP_AM_DATA,
    UDM_OP_SM_DATA,
    UDM_OP_AMF_REGISTER,
    UDM_OP_AMF_DEREGISTER,
};

/* The subscriber's keys between the phases of generate-auth-data (secret: wiped with the
 * request, and as soon as the vector is built). */
typedef struct udm_ueau_keys {
    uint8_t k[16];
    uint8_t opc[16];
    uint8_t amf[2];
    g5_auth_method method;
} udm_ueau_keys;

typedef struct udm_req {
    g5_sbi_job job; /* first member: the queue hands it back */
    udm *u;
    uint64_t id;
    enum udm_op op;
    bool cancelled;
    union { /* the op's callback */
        udm_auth_info_cb auth;
        udm_done_cb done;
        udm_am_data_cb am;
        udm_sm_data_cb sm;
    } cb;
    void *arg;
    char supi[G5_SUPI_MAX];
    udm_auth_info_req auth;
    udm_auth_event event;
    udm_amf_registration reg;
    bool has_snssai;
    g5_snssai snssai;
    /* worker side: the request and its outcome (delivered on the loop) */
    uv_work_t work;
    struct udm_req *work_next;
    int rc;
    g5_sbi_problem pd;
    udm_auth_info_result auth_res; /* secrets: wiped with the request */
    udm_ueau_keys keys; /* generate-auth-data between prepare and finish */
    udr_sqn_patch sqn; /* this vector's share of the batch's SQN group commit */
    udr_am_data am;
    udr_sm_data sm;
} udm_req;

/* A batch of requests run by one thread-pool job (udm.c). */
typedef struct udm_batch {
    uv_work_t work;
    udm *u;
    udm_req *head; /* linked by work_next, in arrival order */
    size_t n;
    size_t n_sqn; /* set by the worker: SQNs in this batch's group commit */
} udm_batch;

/* generate-auth-data (udm_ueau.c) for the requests of a batch (the UDM_OP_UEAU_GET ones
 * of the work_next list from head): SIDF and keys per
 * request, then the SQNs of all of them in one UDR group commit (one fsync), then the
 * vectors into r->auth_res / r->rc / r->pd. Returns how many SQNs went into the group
 * commit (0: no commit was made). Runs on a worker thread: touches only the
 * requests, the UDR and the immutable SIDF keys. */
size_t udm_ueau_run_batch(udm *u, udm_req *head); /* -> SQNs committed */

#endif
