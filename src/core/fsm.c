#include "core/fsm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

static const char *mod(const g5_fsm_inst *fi)
{
    return fi->fsm->log_module ? fi->fsm->log_module : "fsm";
}

const char *g5_fsm_state_name(const g5_fsm_inst *fi)
{
    return fi->state < fi->fsm->num_states ? fi->fsm->states[fi->state].name : "?";
}

const char *g5_fsm_event_name(const g5_fsm *fsm, uint32_t event)
{
    return event < fsm->num_events && fsm->event_names ? fsm->event_names[event] : "?";
}

static void on_timer(g5_timer *t, void *arg)
{
    g5_fsm_inst *fi = arg;
    (void)t;
    g5_log(G5_LOG_DEBUG, mod(fi), "%s(%s){%s}: timer T%d expired", fi->fsm->name, fi->id,
           g5_fsm_state_name(fi), fi->timer_id);
    if (fi->fsm->timer_cb && fi->fsm->timer_cb(fi, fi->timer_id))
        g5_fsm_inst_free(fi);
}

g5_fsm_inst *g5_fsm_inst_new(const g5_fsm *fsm, uv_loop_t *loop, void *priv, const char *id)
{
    g5_fsm_inst *fi = calloc(1, sizeof *fi);
    if (!fi)
        return NULL;
    fi->fsm = fsm;
    fi->priv = priv;
    snprintf(fi->id, sizeof fi->id, "%s", id ? id : "-");
    fi->timer = g5_timer_new(loop, on_timer, fi);
    if (!fi->timer) {
        free(fi);
        return NULL;
    }
    return fi;
}

void g5_fsm_inst_free(g5_fsm_inst *fi)
{
    if (!fi)
        return;
    g5_timer_free(fi->timer);
    free(fi);
}

int g5_fsm_dispatch(g5_fsm_inst *fi, uint32_t event, void *data)
{
    const g5_fsm_state *st = &fi->fsm->states[fi->state];
    if (event >= 64 || !(st->in_event_mask & (1ull << event)) || !st->action) {
        fi->refused++;
        g5_log(G5_LOG_NOTICE, mod(fi), "%s(%s){%s}: event %s not permitted in this state",
               fi->fsm->name, fi->id, st->name, g5_fsm_event_name(fi->fsm, event));
        return G5_ERR_STATE;
    }
    g5_log(G5_LOG_DEBUG, mod(fi), "%s(%s){%s}: event %s", fi->fsm->name, fi->id, st->name,
           g5_fsm_event_name(fi->fsm, event));
    st->action(fi, event, data);
    return 0;
}

int g5_fsm_state_chg(g5_fsm_inst *fi, uint32_t new_state, uint64_t timeout_ms, int timer_id)
{
    const g5_fsm_state *st = &fi->fsm->states[fi->state];
    if (new_state >= fi->fsm->num_states || !(st->out_state_mask & (1ull << new_state))) {
        g5_log(G5_LOG_ERROR, mod(fi), "%s(%s){%s}: transition to state %u not permitted",
               fi->fsm->name, fi->id, st->name, new_state);
        return G5_ERR_STATE;
    }
    uint32_t prev = fi->state;
    if (st->onleave)
        st->onleave(fi, new_state);
    g5_timer_stop(fi->timer);
    g5_timer_reset_count(fi->timer);
    fi->state = new_state;
    g5_log(G5_LOG_DEBUG, mod(fi), "%s(%s){%s}: state %s -> %s", fi->fsm->name, fi->id,
           fi->fsm->states[new_state].name, fi->fsm->states[prev].name,
           fi->fsm->states[new_state].name);
    if (timeout_ms) {
        fi->timer_id = timer_id;
        g5_timer_start(fi->timer, timeout_ms);
    }
    if (fi->fsm->states[new_state].onenter)
        fi->fsm->states[new_state].onenter(fi, prev);
    return 0;
}
