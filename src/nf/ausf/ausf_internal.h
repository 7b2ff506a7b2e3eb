/* Private to src/nf/ausf: the AUSF context, auth contexts and request records. */
#ifndef G5_NF_AUSF_AUSF_INTERNAL_H
#define G5_NF_AUSF_AUSF_INTERNAL_H

#include "core/hmap.h"
#include "core/loop.h"
#include "nf/ausf/ausf.h"

struct ausf {
    uv_loop_t *loop;
    udm *udm;
    ausf_config cfg;
    g5_sbi_queue q;
    uint64_t next_id;
    uint64_t next_ctx_id;
    g5_hmap reqs; /* id -> ausf_req (pending) */
    g5_hmap ctxs; /* ctx id -> ausf_ctx */
};

/* An auth context (the resource behind authCtxId). Holds secrets; wiped when freed. */
typedef struct ausf_ctx {
    ausf *a;
    uint64_t id;
    g5_auth_method type;
    char supi[G5_SUPI_MAX];
    char snn[UDM_SNN_MAX];
    g5_timer *expiry;
    bool busy; /* EAP: a resync is being fetched from the UDM */
    uint8_t kseaf[32];
    uint8_t xres_star[16]; /* 5G-AKA */
    /* EAP-AKA' server state */
    uint8_t rand[16];
    uint8_t xres[16];
    size_t xres_len;
    uint8_t k_aut[32];
    uint8_t eap_id; /* Identifier of the last EAP-Request */
    bool resynced; /* one resync per context bounds the exchange */
} ausf_ctx;

enum ausf_op { AUSF_OP_AUTHENTICATE, AUSF_OP_CONFIRM, AUSF_OP_EAP };
enum ausf_req_state { AUSF_REQ_QUEUED, AUSF_REQ_WAIT_UDM };

typedef struct ausf_req {
    g5_sbi_job job; /* first member */
    ausf *a;
    uint64_t id;
    enum ausf_op op;
    enum ausf_req_state state;
    bool cancelled;
    uint64_t udm_id;
    union {
        ausf_auth_cb auth;
        ausf_confirm_cb confirm;
    } cb;
    void *arg;
    ausf_auth_info info;
    uint64_t ctx_id;
    uint8_t res_star[16];
    uint8_t eap[G5_EAP_MAX];
    size_t eap_len;
} ausf_req;

ausf_req *ausf_req_new(ausf *a, enum ausf_op op, void *arg);
void ausf_req_post(ausf_req *r);
void ausf_req_detach(ausf_req *r);
void ausf_req_done(ausf_req *r);
ausf_ctx *ausf_ctx_new(ausf *a, g5_auth_method type, const char *supi, const char *snn);
void ausf_ctx_destroy(ausf_ctx *c);
void ausf_report_auth_event(ausf *a, const ausf_ctx *c, bool success);
void ausf_confirm_run(ausf_req *r);

/* ausf_eap.c */
int ausf_eap_start(ausf *a, const udm_auth_info_result *v, const char *snn, ausf_ue_auth_ctx *out);
void ausf_eap_run(ausf_req *r);

#endif
