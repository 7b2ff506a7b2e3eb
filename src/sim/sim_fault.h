/* Fault injection for end-to-end tests: "at step S of procedure P, do X to UE u".
 *
 * A rule names a step ("registration.auth_response", "echo.request"; "*" matches any
 * procedure or step), an action, a probability and an optional UE selection (an index
 * range). Which rules may apply to a UE is stored in the UE itself (sim_ue.fault_mask, set
 * once by sim_faults_select), so a UE without faults costs one test of a zero mask. Procedure
 * drivers ask through one function, sim_fault_check(), right before they act on a step,
 * and then carry the action out themselves (drop the message, flip a MAC bit, resend the
 * previous message, truncate it, or send a message the peer's state does not allow).
 */
#ifndef G5_SIM_FAULT_H
#define G5_SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_FAULTS 16 /* bits of sim_ue.fault_mask */
#define SIM_FAULT_STEP_MAX 48

enum sim_fault_action {
    SIM_FAULT_NONE = 0,
    SIM_FAULT_DROP, /* do not send the message */
    SIM_FAULT_CORRUPT_MAC, /* send it with a wrong MAC / integrity check */
    SIM_FAULT_REPLAY, /* send the previous message again instead */
    SIM_FAULT_MALFORMED, /* send a truncated, undecodable message */
    SIM_FAULT_OUT_OF_STATE, /* send a message the peer does not expect now */
    SIM_FAULT__COUNT
};

typedef struct sim_fault_rule {
    char step[SIM_FAULT_STEP_MAX]; /* "proc.step", either side may be "*" */
    enum sim_fault_action action;
    uint64_t threshold; /* fires when rng < threshold; UINT64_MAX = always */
    uint32_t ue_first; /* selected UE indexes: [ue_first, ue_first + ue_count) */
    uint32_t ue_count; /* 0 = every UE */
    uint64_t max_hits; /* 0 = unlimited */
    uint64_t hits;
} sim_fault_rule;

typedef struct sim_faults {
    sim_fault_rule rule[SIM_MAX_FAULTS];
    unsigned n;
    uint64_t rng; /* xorshift64* state; fixed seed => reproducible runs */
} sim_faults;

struct sim_ue;

/* Names <-> actions ("drop", "corrupt_mac", "replay", "malformed", "out_of_state"). */
const char *sim_fault_action_name(enum sim_fault_action a);
int sim_fault_action_parse(const char *s); /* -1 if unknown */

void sim_faults_init(sim_faults *f, uint64_t seed);
/* Adds a rule; probability in [0, 1]. Returns 0, G5_ERR_LIMIT (table full) or
 * G5_ERR_INVALID (bad step name or probability). */
int sim_faults_add(sim_faults *f, const char *step, enum sim_fault_action action,
                   double probability, uint32_t ue_first, uint32_t ue_count, uint64_t max_hits);
/* Parses the command-line form STEP:ACTION[:PROBABILITY] and adds it. */
int sim_faults_add_spec(sim_faults *f, const char *spec, char *err, size_t errlen);
/* Stores in every UE which rules select it (ues[i].fault_mask). */
void sim_faults_select(const sim_faults *f, struct sim_ue *ues, uint32_t n);
/* The one question a procedure driver asks: which fault, if any, to inject into `ue` at
 * `step` ("proc.step") now. Counts hits; SIM_FAULT_NONE for UEs with an empty mask. */
enum sim_fault_action sim_fault_check(sim_faults *f, const struct sim_ue *ue, const char *step);

#endif
