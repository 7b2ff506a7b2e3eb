/* AMF timers: the NAS retransmission timers T3550 (Registration Accept), T3560
 * (Authentication Request / Security Mode Command), T3570 (Identity Request) and T3522
 * (network Deregistration Request) run on the 5GMM FSM instance's timer (TS 24.501 §10.2:
 * on expiry the message is retransmitted, on the fifth expiry the procedure is aborted),
 * and the mobile reachable timer (TS 24.501 §5.3.7) runs while the UE is in CM-IDLE: on
 * expiry the UE is implicitly deregistered. */
#define G5_LOG_MODULE "amf"
#include "core/log.h"
#include "nf/amf/amf_int.h"

uint32_t amf_timer_ms(const amf *a, int timer_id)
{
    switch (timer_id) {
    case T3550: return a->t.t3550_ms;
    case T3560: return a->t.t3560_ms;
    case T3570: return a->t.t3570_ms;
    case T3522: return a->t.t3522_ms;
    default: return 0;
    }
}

bool amf_timer_expired(g5_fsm_inst *fi, int timer_id)
{
    amf_ue *ue = fi->priv;
    if (++ue->retx <= AMF_MAX_RETX && ue->last_dl_len && ue->gnb) {
        G5_LOGI("ue %s: T%d expired, retransmission %u", ue->supi[0] ? ue->supi : fi->id, timer_id,
                ue->retx);
        amf_ngap_dl_nas(ue, ue->last_dl, ue->last_dl_len);
        g5_timer_start(fi->timer, amf_timer_ms(ue->amf, timer_id));
        return false;
    }
    amf_proc_abort(ue, timer_id); /* may free ue (and fi): never touch them after */
    return false;
}

static void reach_expired(g5_timer *t, void *arg)
{
    amf_ue *ue = arg;
    (void)t;
    ue->amf->st.implicit_dereg++;
    G5_LOGN("ue %s: mobile reachable timer expired, implicit deregistration", ue->supi);
    udm_uecm_amf_deregister(ue->amf->udm, ue->supi, ue->amf->cfg->amf.name, NULL, NULL);
    amf_ue_free(ue); /* frees this timer too (safe from its callback) */
}

void amf_reach_start(amf_ue *ue)
{
    if (!ue->reach_timer)
        ue->reach_timer = g5_timer_new(ue->amf->loop, reach_expired, ue);
    if (ue->reach_timer)
        g5_timer_start(ue->reach_timer, ue->amf->t.mobile_reachable_ms);
}

void amf_reach_stop(amf_ue *ue)
{
    if (ue->reach_timer)
        g5_timer_stop(ue->reach_timer);
}
