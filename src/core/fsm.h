/* Protocol state machines as data (after libosmocore's osmo_fsm).
 *
 * An FSM type is a table of states; each state lists the events it permits (a bitmask),
 * the states it may move to, and an action. g5_fsm_dispatch() refuses an event the current
 * state does not permit — logged with "name(id){STATE}" and counted — instead of falling
 * into an assert, so an out-of-state peer message can never crash a procedure. Each
 * instance has one procedure timer (T3550, T3560, ...) whose expiry is delivered to the
 * type's timer callback with the timer number given at g5_fsm_state_chg(). */
#ifndef G5_CORE_FSM_H
#define G5_CORE_FSM_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "core/loop.h"

typedef struct g5_fsm_inst g5_fsm_inst;

typedef struct g5_fsm_state {
    const char *name;
    uint64_t in_event_mask; /* bit e set: event e is permitted in this state */
    uint64_t out_state_mask; /* bit s set: may change to state s */
    void (*action)(g5_fsm_inst *fi, uint32_t event, void *data);
    void (*onenter)(g5_fsm_inst *fi, uint32_t prev_state);
    void (*onleave)(g5_fsm_inst *fi, uint32_t next_state);
} g5_fsm_state;

typedef struct g5_fsm {
    const char *name;
    const g5_fsm_state *states;
    uint32_t num_states;
    const char *const *event_names; /* num_events entries */
    uint32_t num_events; /* at most 64 */
    /* Timer expiry: return true to terminate the instance (fi is then freed). */
    bool (*timer_cb)(g5_fsm_inst *fi, int timer_id);
    const char *log_module;
} g5_fsm;

struct g5_fsm_inst {
    const g5_fsm *fsm;
    uint32_t state;
    char id[48];
    void *priv;
    g5_timer *timer;
    int timer_id;
    uint64_t refused; /* events refused in the wrong state */
};

g5_fsm_inst *g5_fsm_inst_new(const g5_fsm *fsm, uv_loop_t *loop, void *priv, const char *id);
void g5_fsm_inst_free(g5_fsm_inst *fi);
/* Delivers an event; returns 0, or G5_ERR_STATE if the current state does not permit it. */
int g5_fsm_dispatch(g5_fsm_inst *fi, uint32_t event, void *data);
/* Moves to new_state (must be in the current state's out mask, else G5_ERR_STATE) and
 * (re)arms the timer for timeout_ms (0 = stop the timer) reporting timer_id on expiry. */
int g5_fsm_state_chg(g5_fsm_inst *fi, uint32_t new_state, uint64_t timeout_ms, int timer_id);
const char *g5_fsm_state_name(const g5_fsm_inst *fi);
const char *g5_fsm_event_name(const g5_fsm *fsm, uint32_t event);

#define G5_S(x) (1ull << (x))

#endif
