/* SMF: downlink data for an idle UE -> Namf_Communication_N1N2MessageTransfer carrying
 * the N2 PDU Session Resource Setup Request Transfer (TS 23.502 §4.2.3.3 step 3a), with
 * one transfer per activation attempt (see smf_paging.h). */
#define G5_LOG_MODULE "smf"
#include "nf/smf/smf_paging.h"

#include "core/buf.h"
#include "core/log.h"

static bool guard_running(const uint64_t *guard_ms, uint64_t now_ms)
{
    return *guard_ms && now_ms - *guard_ms < SMF_PAGING_GUARD_MS;
}

enum smf_paging_result smf_paging_dldr(smf_n1n2_fn fn, void *fn_arg, const smf_paging_sess *x,
                                       const smf_n2_setup *n2, uint64_t now_ms)
{
    if (!x->active || !x->up_deactivated)
        return SMF_PAGING_NOT_IDLE; /* e.g. a report racing the activation's modification */
    if (guard_running(x->guard_ms, now_ms))
        return SMF_PAGING_IN_PROGRESS;
    uint8_t tr[512];
    g5_wbuf w;
    g5_wbuf_init(&w, tr, sizeof tr);
    if (!fn || smf_n2_build_setup_request_transfer(n2, &w))
        return SMF_PAGING_ERROR;
    /* step 3a: the N2 SM information for the re-activation; no N1 (the UE answers with a
     * Service Request, TS 24.501 §5.6.2.2.1) */
    smf_n1n2_msg m = {.supi = x->supi,
                      .psi = x->psi,
                      .sm_context_ref = x->ref,
                      .n2 = tr,
                      .n2_len = g5_wbuf_len(&w),
                      .kind = SMF_N1N2_ACTIVATE};
    *x->guard_ms = now_ms ? now_ms : 1;
    G5_LOGI("%s PSI %u: downlink data while idle, N1N2 to the AMF (paging)", x->supi, x->psi);
    fn(fn_arg, &m);
    return SMF_PAGING_SENT;
}

void smf_paging_done(uint64_t *guard_ms)
{
    *guard_ms = 0;
}
