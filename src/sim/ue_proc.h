/* glass5g-sim procedure drivers for the 5G procedures over the UE (sim/ue_nas.h) and gNB
 * (sim/gnb.h) layers: registration (TS 24.501 5.5.1.2), UE-originating deregistration
 * (5.5.2.2), registration followed by deregistration on the same N2 connection, service
 * request from CM-IDLE (5.6.1) and the lifecycle (registration, idle, service request,
 * periodic/mobility registration update, deregistration). The engine's registry
 * (sim_engine.c) points at these. Each uplink step asks sim_run_fault() and carries out
 * the fault itself. */
#ifndef G5_SIM_UE_PROC_H
#define G5_SIM_UE_PROC_H

#include "sim/sim.h"

extern const sim_procedure sim_proc_registration;
extern const sim_procedure sim_proc_deregistration;
extern const sim_procedure sim_proc_registration_deregistration;
extern const sim_procedure sim_proc_service_request;
/* PDU sessions (sim/sim_up.h): registration then establishment; the same then release on
 * the same connection; establishment or release alone (after a service request from
 * CM-IDLE); and the handler of downlink PDUs for a CM-CONNECTED UE running nothing. */
extern const sim_procedure sim_proc_registration_session;
extern const sim_procedure sim_proc_registration_session_release;
extern const sim_procedure sim_proc_session_establishment;
extern const sim_procedure sim_proc_session_release;
extern const sim_procedure sim_proc_session_modification;
extern const sim_procedure sim_proc_network;

/* For the session drivers (sim_up.c): sends an uplink NAS message of run r in Initial UE
 * Message or Uplink NAS Transport (fault step `step`); hands a downlink NAS-PDU to the UE.
 * Both return 0 to continue, -1 when the run is done, or a cause. */
int sim_proc_send_nas(sim_run *r, uint8_t *nas, size_t len, const char *step);
int sim_proc_ue_nas(sim_run *r, const uint8_t *nas, size_t len);
/* sim_paging.c: a K_PAGING run, with registration and session first or (registration
 * false) for an already registered idle UE; 0 or a cause. */
int sim_proc_start_paging(sim_run *r, bool registration);
/* The next NAS message goes in an Initial UE Message on a new N2 connection. */
void sim_proc_new_connection(sim_run *r);
/* registration, idle, service request, periodic + mobility registration update, deregistration */
extern const sim_procedure sim_proc_lifecycle;

#endif
