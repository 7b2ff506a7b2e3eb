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
 * The gNB connects to the first configured AMF only (more AMFs: not yet).
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

extern const sim_transport_ops sim_n2_transport;

#endif
