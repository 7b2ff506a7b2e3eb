/* SMF side of the network-triggered service request (TS 23.502 §4.2.3.3): what the SMF
 * does with a PFCP Session Report Request carrying a Downlink Data Report (TS 29.244
 * §5.2.4.1, §7.5.8) for a session whose user plane is DEACTIVATED (UE in CM-IDLE).
 *
 * smf.c owns the sessions; it hands this file a view of one (smf_paging_sess) and the
 * Setup Request Transfer parameters, and this file decides and builds the
 * Namf_Communication_N1N2MessageTransfer (kind SMF_N1N2_ACTIVATE). One N1N2 per
 * activation attempt: a guard stamp in the session suppresses further reports until the
 * user plane is activated (smf_paging_done), the AMF reports failure, or the guard runs
 * out (SMF_PAGING_GUARD_MS). */
#ifndef G5_NF_SMF_PAGING_H
#define G5_NF_SMF_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "nf/smf/smf.h"
#include "nf/smf/smf_gsm.h"

/* Longer than the AMF's whole paging attempt (T3513 x retries, docs/amf.md). */
#define SMF_PAGING_GUARD_MS 30000u

typedef struct smf_paging_sess {
    const char *supi;
    uint8_t psi;
    uint64_t ref;
    bool active; /* established (not establishing / releasing) */
    bool up_deactivated; /* upCnxState DEACTIVATED */
    uint64_t *guard_ms; /* the session's stamp: when the last N1N2 went, 0 = none */
} smf_paging_sess;

enum smf_paging_result {
    SMF_PAGING_SENT, /* N1N2 (ACTIVATE) handed to the AMF */
    SMF_PAGING_IN_PROGRESS, /* one is already on its way: suppressed */
    SMF_PAGING_NOT_IDLE, /* the user plane is not deactivated: nothing to do */
    SMF_PAGING_ERROR, /* no AMF callback or the transfer could not be built */
};

/* A Downlink Data Report for session x (TS 23.502 §4.2.3.3 steps 2-3a). */
enum smf_paging_result smf_paging_dldr(smf_n1n2_fn fn, void *fn_arg, const smf_paging_sess *x,
                                       const smf_n2_setup *n2, uint64_t now_ms);
/* The attempt is over (user plane activated, or the AMF gave up): clears the guard. */
void smf_paging_done(uint64_t *guard_ms);

#endif
