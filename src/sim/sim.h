/* glass5g-sim: a gNB and many UEs (target 100,000) in one process on one libuv loop.
 *
 * The simulator is a framework with four seams where the protocol layers plug in:
 *
 *   sim_procedure     a procedure driver (registration, PDU session establishment, ...):
 *                     start(run), on_downlink(run, pdu), on_timeout(run). It marks the
 *                     steps it measures and finishes with a cause. The engine launches it
 *                     for many UEs at a controlled rate with bounded concurrency.
 *   sim_ue_ops        the UE protocol hooks (USIM/MILENAGE/SUCI from src/crypto, NAS from
 *                     src/nas): per-UE context, NAS message builders, downlink NAS handling.
 *   sim_gnb_ops       the gNB hooks (NGAP from src/ngap): NG Setup, wrapping NAS into
 *                     Initial UE Message / Uplink NAS Transport, decoding downlink NGAP.
 *   sim_transport_ops where N2 PDUs go (SCTP from src/transport, or the built-in loopback
 *                     "echo" AMF). Received PDUs come back through sim_engine_deliver().
 *
 * Until the NAS/NGAP/crypto layers land, only the framework self-test procedure "echo"
 * runs (sim_echo.c: a fake AMF inside the process that answers after a delay); the 5G
 * procedures are registered but refuse to start with "needs the NAS/NGAP layers, not yet
 * integrated". docs/simulator.md shows how the layers plug in.
 *
 * Memory: an idle UE is one sim_ue (56 bytes) plus its slots in the SUPI index.
 * A running procedure borrows a sim_run slot (with its guard timer) from a pool sized by
 * --max-inflight, so 100,000 idle UEs hold no timers and no protocol buffers.
 */
#ifndef G5_SIM_SIM_H
#define G5_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "core/buf.h"
#include "core/hmap.h"
#include "core/loop.h"
#include "sim/sim_config.h"
#include "sim/sim_fault.h"
#include "sim/sim_hist.h"
#include "sim/sim_tbucket.h"

/* ---- UE context -------------------------------------------------------------------- */

enum sim_rm_state { SIM_RM_DEREGISTERED = 0, SIM_RM_REGISTERED = 1 }; /* TS 24.501 5.1.3 */
enum sim_cm_state { SIM_CM_IDLE = 0, SIM_CM_CONNECTED = 1 }; /* TS 23.501 5.3.3.2 */

/* One simulated UE. Kept small on purpose (printed by `glass5g-sim load`): the
 * subscription secrets (K, OP/OPc) live once per template in the config, not per UE. */
typedef struct sim_ue {
    uint64_t supi; /* IMSI digits as a number; printed with the template's digit count */
    void *proto; /* protocol-layer context (NAS security context...), owned by sim_ue_ops */
    uint64_t sqn; /* USIM sequence number SQN (48 bits), TS 33.102 C.1 */
    uint32_t index; /* position in the population, 0..n-1 */
    uint32_t ran_ue_ngap_id; /* valid while cm_state == CONNECTED */
    uint32_t run; /* 1 + slot of the running procedure, 0 when none runs */
    uint32_t n_ok, n_failed; /* procedures completed / failed by this UE */
    uint16_t last_cause; /* cause id (sim_cause_name) of the last failure, 0 = none */
    uint16_t fault_mask; /* bit i: fault rule i selects this UE (sim_fault.h) */
    uint8_t group; /* template (config ue group) this UE was built from */
    uint8_t rm_state, cm_state;
    uint8_t last_proc; /* engine procedure slot (sim_engine.procs) of the last one run */
} sim_ue;

/* The UE population and its lookup tables. By index it is the dense array itself; by SUPI
 * and by RAN UE NGAP ID it is a g5_hmap (the latter holds only CM-CONNECTED UEs). */
typedef struct sim_pop {
    sim_ue *ues;
    uint32_t n;
    g5_hmap by_supi;
    g5_hmap by_ran_id;
    uint32_t next_ran_id;
    const sim_config *cfg;
} sim_pop;

/* Builds every UE of every template in cfg, in template order (n = sum of counts; with
 * limit != 0 only the first `limit` of them). Returns 0, G5_ERR_NOMEM, G5_ERR_EXISTS (two
 * templates overlap in SUPI) or G5_ERR_INVALID (no UE). */
int sim_pop_build(sim_pop *p, const sim_config *cfg, uint32_t limit);
void sim_pop_free(sim_pop *p);
sim_ue *sim_pop_by_index(const sim_pop *p, uint64_t index);
sim_ue *sim_pop_by_supi(const sim_pop *p, uint64_t supi);
sim_ue *sim_pop_by_ran_id(const sim_pop *p, uint32_t ran_ue_ngap_id);
/* gNB side of a UE-associated N2 connection: allocates a RAN UE NGAP ID (TS 38.413 9.3.3.2,
 * 0..2^32-1) unused by any other UE, indexes it and sets cm_state CONNECTED. */
int sim_pop_connect(sim_pop *p, sim_ue *ue);
void sim_pop_release(sim_pop *p, sim_ue *ue);
/* Writes "imsi-<digits>" of ue into buf. */
const char *sim_ue_supi_str(const sim_pop *p, const sim_ue *ue, char *buf, size_t cap);
/* Parses "imsi-<digits>" or "<digits>" (5 to 15 digits) into a number. */
int sim_supi_parse(const char *s, uint64_t *supi, unsigned *ndigits);

/* ---- Failure causes -------------------------------------------------------------------- */

/* Causes are interned strings (id 0 = success); the protocol layers add their own, e.g.
 * "5gmm #3 illegal UE". Built-in ones: */
enum {
    SIM_CAUSE_OK = 0,
    SIM_CAUSE_TIMEOUT,
    SIM_CAUSE_TRANSPORT,
    SIM_CAUSE_ABORTED,
    SIM_CAUSE_PEER_REJECT,
    SIM_CAUSE_MAC_FAILURE,
    SIM_CAUSE_REPLAY,
    SIM_CAUSE_MALFORMED,
    SIM_CAUSE_OUT_OF_STATE,
    SIM_CAUSE_UNEXPECTED,
    SIM_CAUSE__BUILTIN
};
#define SIM_MAX_CAUSES 64

/* ---- Procedures -------------------------------------------------------------------------- */

typedef struct sim_engine sim_engine;
typedef struct sim_run sim_run;

#define SIM_MAX_STEPS 8
#define SIM_RUN_SCRATCH 64

/* A procedure driver. Steps are the intervals it measures, in order, e.g. registration:
 * "initial_ue_message->auth_request", "auth_response->security_mode_command", ... The
 * engine adds a "total" (start to finish). */
typedef struct sim_procedure {
    const char *name; /* CLI name, e.g. "registration" */
    const char *summary;
    const char *steps[SIM_MAX_STEPS];
    unsigned nsteps;
    bool needs_protocol; /* true: needs sim_ue_ops/sim_gnb_ops (refused until integrated) */
    /* Sends the first message. Return 0, or a cause id (> 0) to fail the run at once. */
    int (*start)(sim_run *r);
    /* A downlink PDU for this UE (already routed by RAN UE NGAP ID). */
    void (*on_downlink)(sim_run *r, const uint8_t *pdu, size_t len);
    /* The guard timer armed with sim_run_arm() fired (e.g. T3510 for registration). */
    void (*on_timeout)(sim_run *r);
} sim_procedure;

/* Every known procedure (echo, registration, registration+session, deregistration,
 * service-request); NULL-terminated. */
extern const sim_procedure *const sim_procedures[];
const sim_procedure *sim_procedure_find(const char *name);
/* The message printed when a procedure needs the protocol layers. */
#define SIM_NOT_INTEGRATED "needs the NAS/NGAP layers, not yet integrated"

/* An in-flight procedure: a slot borrowed from the engine's pool for its duration. */
struct sim_run {
    sim_engine *eng;
    sim_ue *ue;
    const sim_procedure *proc;
    struct sim_proc_stats *stats;
    g5_timer *timer; /* guard timer, created once per slot, armed only while running */
    uint64_t t_start_ns, t_mark_ns;
    uint32_t slot, next_free;
    uint16_t step; /* next step to be marked */
    uint16_t tries;
    bool was_connected; /* the UE was CM-CONNECTED when the run started (no new N2 link) */
    _Alignas(8) uint8_t scratch[SIM_RUN_SCRATCH]; /* procedure-private state */
};

/* Called by procedure drivers: */
/* Records the interval since the previous mark (or the start) as step `step`. */
void sim_run_mark(sim_run *r, unsigned step);
/* Finishes the run: cause SIM_CAUSE_OK or a failure cause. Records the total, releases the
 * N2 connection and the slot. `r` must not be used afterwards. */
void sim_run_finish(sim_run *r, int cause);
/* (Re)arms the guard timer; sim_run_timeout_ms() is the configured default. */
void sim_run_arm(sim_run *r, uint64_t ms);
uint64_t sim_run_timeout_ms(const sim_run *r);
/* Sends an uplink N2 PDU through the engine's transport. 0 or a negative g5_err. */
int sim_run_send(sim_run *r, const uint8_t *pdu, size_t len);
/* sim_fault_check() for this run's UE at "<procedure>.<step>". */
enum sim_fault_action sim_run_fault(sim_run *r, const char *step);

/* ---- Protocol hooks (implemented by the NAS/NGAP/crypto layers next) ------------------- */

/* What the UE's NAS layer reports about a downlink NAS message it processed. */
typedef struct sim_nas_event {
    uint8_t msg_type; /* TS 24.501 9.7 message type, e.g. 0x56 Authentication request */
    uint8_t cause; /* 5GMM/5GSM cause when the message carries one, else 0 */
    bool has_reply; /* the hook wrote an uplink NAS message into `reply` */
    bool reregister; /* network DEREGISTRATION REQUEST: re-registration required */
} sim_nas_event;

/* UE protocol hooks: USIM (MILENAGE f1-f5*, TS 35.206), SUCI concealment (TS 33.501 C.3),
 * NAS-5GS (TS 24.501) with its security context. `layer` is the hooks' own state. */
typedef struct sim_ue_ops {
    /* Creates ue->proto from the template (K, OP/OPc, AMF, SQN, SUCI profile). */
    int (*ue_init)(void *layer, sim_ue *ue, const sim_ue_template *tpl);
    void (*ue_free)(void *layer, sim_ue *ue);
    /* Uplink NAS builders (TS 24.501 8.2.6, 8.2.12, 8.2.16, 8.3.1). */
    int (*build_registration_request)(void *layer, sim_ue *ue, int registration_type, g5_wbuf *out);
    int (*build_deregistration_request)(void *layer, sim_ue *ue, bool switch_off, g5_wbuf *out);
    int (*build_service_request)(void *layer, sim_ue *ue, g5_wbuf *out);
    int (*build_pdu_session_establishment)(void *layer, sim_ue *ue, uint8_t psi, const char *dnn,
                                           g5_wbuf *out);
    /* A downlink NAS PDU: verify/decipher, run AKA/SMC, answer if the spec says so. */
    int (*on_downlink_nas)(void *layer, sim_ue *ue, const uint8_t *nas, size_t len,
                           sim_nas_event *ev, g5_wbuf *reply);
} sim_ue_ops;

/* What the gNB's NGAP layer found in a downlink N2 PDU. */
typedef struct sim_n2_event {
    uint32_t ran_ue_ngap_id; /* UE-associated messages */
    uint64_t amf_ue_ngap_id;
    uint8_t procedure_code; /* TS 38.413 9.4.7 */
    const uint8_t *nas; /* NAS-PDU inside, if any (points into the PDU) */
    size_t nas_len;
} sim_n2_event;

/* gNB protocol hooks: NGAP (TS 38.413) for NG Setup and the UE-associated transport. */
typedef struct sim_gnb_ops {
    int (*build_ng_setup)(void *layer, const sim_gnb_config *gnb, g5_wbuf *out);
    int (*build_initial_ue_message)(void *layer, const sim_ue *ue, const uint8_t *nas, size_t len,
                                    g5_wbuf *out);
    int (*build_uplink_nas_transport)(void *layer, const sim_ue *ue, const uint8_t *nas, size_t len,
                                      g5_wbuf *out);
    int (*decode_downlink)(void *layer, const uint8_t *pdu, size_t len, sim_n2_event *ev);
} sim_gnb_ops;

/* ---- Transport --------------------------------------------------------------------------- */

/* Where uplink N2 PDUs go. Downlink PDUs come back via sim_engine_deliver(). */
typedef struct sim_transport_ops {
    const char *name;
    int (*send)(void *ctx, uint32_t ran_ue_ngap_id, const uint8_t *pdu, size_t len);
    /* The UE-associated connection ended (UE Context Release); may be NULL. */
    void (*release)(void *ctx, uint32_t ran_ue_ngap_id);
} sim_transport_ops;

/* ---- Engine ------------------------------------------------------------------------------ */

#define SIM_MAX_PROCS 16 /* distinct procedures one engine runs */

typedef struct sim_proc_stats {
    uint64_t started, ok, failed;
    uint64_t by_cause[SIM_MAX_CAUSES];
    sim_hist total;
    sim_hist step[SIM_MAX_STEPS];
} sim_proc_stats;

typedef struct sim_engine_opts {
    uint64_t rate; /* procedure starts per second (1..10,000,000) */
    uint64_t burst; /* token bucket depth; 0 = 10 ms worth of rate */
    uint32_t max_inflight; /* concurrent procedures (slots) */
    uint32_t timeout_ms; /* default guard timer per step */
    uint64_t duration_ms; /* 0 = each UE runs the procedure once; else keep cycling */
    uint32_t tick_ms; /* launcher tick, default 1 */
} sim_engine_opts;

struct sim_engine {
    uv_loop_t *loop;
    const sim_config *cfg;
    sim_pop pop;
    sim_faults faults;
    sim_engine_opts opts;
    /* plug-in points */
    const sim_transport_ops *tr_ops;
    void *tr_ctx;
    const sim_ue_ops *ue_ops;
    void *ue_layer;
    const sim_gnb_ops *gnb_ops;
    void *gnb_layer;
    struct sim_up *up; /* PDU sessions and user plane (sim/sim_up.h), NULL without */
    /* in-flight procedure slots */
    sim_run *runs;
    uint32_t nruns, free_head, inflight, peak_inflight;
    /* launcher */
    const sim_procedure *proc;
    sim_tbucket tb;
    uv_timer_t tick;
    bool tick_init, launching;
    uint32_t cursor;
    uint64_t launched, target;
    uint64_t t_begin_ns, t_stop_ns, t_end_ns;
    void (*on_done)(sim_engine *e);
    /* statistics */
    const sim_procedure *procs[SIM_MAX_PROCS]; /* procedures run so far, in order */
    sim_proc_stats *stats[SIM_MAX_PROCS]; /* their statistics, same index */
    unsigned nprocs;
    uint64_t unroutable; /* downlink PDUs for no connected UE / no running procedure */
    char cause_names[SIM_MAX_CAUSES][48];
    unsigned ncauses;
};

/* Initialises an engine over an already built population (taken over: freed by
 * sim_engine_free). */
int sim_engine_init(sim_engine *e, uv_loop_t *loop, const sim_config *cfg, sim_pop *pop,
                    const sim_engine_opts *opts);
/* Frees everything; closes libuv handles and runs the loop until they are closed. */
void sim_engine_free(sim_engine *e);
void sim_engine_set_transport(sim_engine *e, const sim_transport_ops *ops, void *ctx);
void sim_engine_set_ue_ops(sim_engine *e, const sim_ue_ops *ops, void *layer);
void sim_engine_set_gnb_ops(sim_engine *e, const sim_gnb_ops *ops, void *layer);
/* Checks that proc can run with the plugged layers; on refusal writes why into err. */
int sim_engine_can_run(const sim_engine *e, const sim_procedure *proc, char *err, size_t errlen);
/* Starts the rate-controlled launcher for proc. on_done is called when every launched
 * procedure has finished (all UEs once, or the duration has passed and in-flight drained). */
int sim_engine_load(sim_engine *e, const sim_procedure *proc, void (*on_done)(sim_engine *e));
/* Stops launching new procedures (in-flight ones run to completion or timeout). */
void sim_engine_stop_launch(sim_engine *e);
/* Starts one procedure for one UE now (control socket, tests). G5_ERR_STATE if busy,
 * G5_ERR_AGAIN if no slot is free. */
int sim_engine_start(sim_engine *e, sim_ue *ue, const sim_procedure *proc);
/* Entry point for downlink PDUs: routes pdu to the procedure running for the UE with this
 * RAN UE NGAP ID. Returns 0, or G5_ERR_NOT_FOUND (counted in e->unroutable). */
int sim_engine_deliver(sim_engine *e, uint32_t ran_ue_ngap_id, const uint8_t *pdu, size_t len);

/* Statistics of proc in this engine, NULL if it never ran. */
const sim_proc_stats *sim_engine_stats(const sim_engine *e, const sim_procedure *proc);

/* Cause table. */
int sim_cause_intern(sim_engine *e, const char *name);
const char *sim_cause_name(const sim_engine *e, int cause);

/* Report of every procedure that ran: a human table, or JSON (`--json`). */
void sim_report_print(const sim_engine *e, FILE *out, bool json);
/* The same as a jansson object (the control socket's `stats`); caller decrefs. */
struct json_t *sim_report_json(const sim_engine *e);

/* ---- The framework self-test (sim_echo.c) ------------------------------------------------ */

/* Loopback fake AMF: answers echo PDUs after delay_ms on the same loop. It keeps its own
 * per-UE context (expected round) like a real AMF does, so replay/out-of-state faults are
 * detected, and it checks the PDU's check value (a stand-in for a NAS MAC). */
typedef struct sim_echo_amf sim_echo_amf;
sim_echo_amf *sim_echo_amf_new(sim_engine *e, uint32_t delay_ms);
void sim_echo_amf_free(sim_echo_amf *a);
extern const sim_transport_ops sim_echo_transport;
/* Counters of the fake AMF (received, answered, and refused by reason). */
typedef struct sim_echo_amf_stats {
    uint64_t rx, tx, bad_mac, replay, malformed, out_of_state;
} sim_echo_amf_stats;
void sim_echo_amf_get_stats(const sim_echo_amf *a, sim_echo_amf_stats *st);
extern const sim_procedure sim_proc_echo;

/* Process memory in bytes (VmRSS from /proc/self/status), 0 if unknown. */
uint64_t sim_rss_bytes(void);

#endif
