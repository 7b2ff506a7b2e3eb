/* glass5g-sim: network-triggered service request from the UE and gNB side (TS 38.413
 * §8.5.1 Paging at the gNB, TS 24.501 §5.6.2.2 paging for 5G services, §5.6.1 Service
 * Request with service type "mobile terminated services").
 *
 * The gNB looks a Paging up by its 5G-S-TMSI among its UEs: a CM-IDLE UE answers with a
 * SERVICE REQUEST (mobile terminated services, PDU session status) on a new N2
 * connection, its sessions come back through the Initial Context Setup; a UE that is not
 * idle ignores it (counted), as does a fault rule "paging.paging:drop" (a UE that never
 * answers, for T3513 tests); a 5G-S-TMSI of no UE is counted.
 *
 * Procedures:
 *   paging           registration + PDU session, AN release (CM-IDLE), then the UE
 *                    itself makes downlink data: a UDP datagram from an ordinary socket to
 *                    its own IPv4 address (routed by the host to the UPF's N6 when the core
 *                    is on this host), resent every second until the UE is paged; then the
 *                    service request, and the run ends when downlink data reaches the UE
 *                    over its new N3 tunnel. Steps: the registration and session steps,
 *                    "dl_data->paging", "paging->service_accept", "service_accept->dl_data".
 *   paging-response  started by the gNB for an idle UE that runs nothing when it is paged
 *                    (the DL data comes from elsewhere, e.g. ping from the N6 side).
 * The phases after the session are driven from ue_proc.c's K_PAGING hooks below. */
#ifndef G5_SIM_SIM_PAGING_H
#define G5_SIM_SIM_PAGING_H

#include <stdbool.h>

#include "sim/gnb.h"
#include "sim/sim.h"

#define SIM_MT_TRIGGER_PORT 9 /* discard (RFC 863): the UE consumes the datagram */
#define SIM_MT_TRIGGER_TRIES 5

extern const sim_procedure sim_proc_paging;
extern const sim_procedure sim_proc_paging_response;
/* "an-release": AN release of a CM-CONNECTED UE (control socket `release`). */
extern const sim_procedure sim_proc_an_release;

/* gNB: an NGAP Paging (non-UE-associated) from an AMF. */
void sim_paging_on_paging(sim_engine *e, const sim_gnb_dl *dl);
/* A downlink IP packet reached ue over N3. */
void sim_paging_on_dl(sim_engine *e, sim_ue *ue);

/* ue_proc.c hooks for K_PAGING runs: after every downlink (res: 0 continue, -1 done,
 * > 0 cause; returns the new res), once the UE is CM-IDLE, on guard timer expiry (true if
 * handled). */
int sim_paging_after(sim_run *r, int procedure_code, int res);
int sim_paging_on_idle(sim_run *r);
bool sim_paging_timeout(sim_run *r);

#endif
