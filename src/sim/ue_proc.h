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
/* registration, idle, service request, periodic + mobility registration update, deregistration */
extern const sim_procedure sim_proc_lifecycle;

#endif
