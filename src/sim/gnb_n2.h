/* glass5g-sim N2: the gNB's SCTP association to the AMF (src/transport/sctp.h, backend and
 * UDP encapsulation port from the sim config) as the engine's sim_transport_ops.
 *
 * On association up it sends NG Setup Request on stream 0 (TS 38.412 §7) and reports
 * ready on NG Setup Response; on NG Setup Failure it retries after the Time to wait (or
 * 5 s). Downlink UE-associated PDUs are routed to the engine by RAN UE NGAP ID; a UE
 * Context Release Command for a UE whose procedure already finished is completed by the
 * gNB itself; NG Reset is acknowledged; a PDU that cannot be decoded is answered with
 * Error Indication (protocol cause: transfer syntax error). When a procedure ends with
 * the UE still CM-CONNECTED the gNB sends UE Context Release Request (user inactivity).
 *
 * Several AMFs (gnb.amf_addresses, issue #9): one association and NG Setup per AMF; ready
 * is reported once every AMF has answered or failed, with success if one is up. Each new
 * UE-associated N2 connection picks its AMF when its first PDU goes out: the AMF whose
 * served GUAMI has the AMF Set ID and AMF Pointer of the UE's 5G-S-TMSI (TS 23.501
 * §6.3.5), else the NG-up AMFs in turn; the connection's later PDUs follow it. Downlink
 * PDUs of any association route by RAN UE NGAP ID (the gNB allocates them, unique over
 * all AMFs).
 */
#ifndef G5_SIM_GNB_N2_H
#define G5_SIM_GNB_N2_H

#include "sim/gnb.h"
#include "sim/sim.h"
#include "sim/ue_nas.h"

typedef struct sim_n2 sim_n2;

/* status 0: NG Setup done; negative g5_err: the association failed or went down. */
typedef void (*sim_n2_ready_fn)(sim_n2 *n2, int status, void *arg);

/* Creates the UE and gNB layers for e, plugs them and the N2 transport into e, and starts
 * connecting. NULL on failure (message in err). */
sim_n2 *sim_n2_new(sim_engine *e, sim_n2_ready_fn ready, void *arg, char *err, size_t errlen);
void sim_n2_free(sim_n2 *n2);

/* Calls done(arg) once the AMFs have commanded the release of every UE the gNB asked them
 * to release when its procedure ended (so a run does not end with UE contexts left in an
 * AMF), or after max_ms. */
void sim_n2_drain(sim_n2 *n2, uint64_t max_ms, void (*done)(void *arg), void *arg);

/* Per-AMF figures for the report. */
typedef struct sim_n2_stats {
    unsigned namf;
    uint64_t unroutable, gnb_released;
    struct {
        bool ng_up;
        uint64_t tx, rx, connections; /* NGAP PDUs; UE-associated N2 connections routed */
        uint32_t reconnects; /* NG Setup done again after the association was lost */
    } amf[SIM_MAX_AMFS];
    uint64_t reregistered, rereg_pending; /* UEs registering again after an AMF loss */
} sim_n2_stats;
/* on: a lost AMF association (AMF restart) is set up again with backoff (0.5 s doubling
 * to 8 s), NG Setup redone, and the UEs it served register again (initial registration:
 * the restarted AMF knows none of them); off (default): the run stops. */
void sim_n2_set_reconnect(sim_n2 *n2, bool on);
void sim_n2_get_stats(const sim_n2 *n2, sim_n2_stats *st);

extern const sim_transport_ops sim_n2_transport;

#endif
