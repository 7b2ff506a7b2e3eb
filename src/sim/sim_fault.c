/* Fault rules and the per-UE selection (see sim_fault.h). */
#include "sim/sim_fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim/sim.h"

static const char *const action_names[SIM_FAULT__COUNT] = {
    "none", "drop", "corrupt_mac", "replay", "malformed", "out_of_state",
};

const char *sim_fault_action_name(enum sim_fault_action a)
{
    return (unsigned)a < SIM_FAULT__COUNT ? action_names[a] : "?";
}

int sim_fault_action_parse(const char *s)
{
    for (int i = 0; i < SIM_FAULT__COUNT; i++)
        if (!strcmp(s, action_names[i]))
            return i;
    return -1;
}

void sim_faults_init(sim_faults *f, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* "proc.step": two non-empty parts of [a-z0-9_+*-] joined by one dot. */
static bool valid_step(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot || dot == s || !dot[1] || strchr(dot + 1, '.'))
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_+*-.>", *p))
            return false;
    return true;
}

int sim_faults_add(sim_faults *f, const char *step, enum sim_fault_action action,
                   double probability, uint32_t ue_first, uint32_t ue_count, uint64_t max_hits)
{
    if (f->n >= SIM_MAX_FAULTS)
        return G5_ERR_LIMIT;
    if (strlen(step) >= SIM_FAULT_STEP_MAX || !valid_step(step))
        return G5_ERR_INVALID;
    if (!(probability >= 0.0 && probability <= 1.0) || (unsigned)action >= SIM_FAULT__COUNT)
        return G5_ERR_INVALID;
    sim_fault_rule *r = &f->rule[f->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->step, sizeof r->step, "%s", step);
    r->action = action;
    /* 2^64 * p, with p == 1 mapped to "always". */
    r->threshold =
        probability >= 1.0 ? UINT64_MAX : (uint64_t)(probability * 18446744073709551616.0);
    r->ue_first = ue_first;
    r->ue_count = ue_count;
    r->max_hits = max_hits;
    return 0;
}

int sim_faults_add_spec(sim_faults *f, const char *spec, char *err, size_t errlen)
{
    char buf[128];
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, errlen, "fault '%.40s...' is too long", spec);
        return G5_ERR_INVALID;
    }
    strcpy(buf, spec);
    char *step = buf, *action = strchr(buf, ':'), *prob = NULL;
    if (action) {
        *action++ = 0;
        prob = strchr(action, ':');
        if (prob)
            *prob++ = 0;
    }
    int a = action ? sim_fault_action_parse(action) : -1;
    if (a <= 0) {
        snprintf(err, errlen,
                 "fault '%s': write STEP:ACTION[:PROBABILITY], ACTION one of drop, corrupt_mac, "
                 "replay, malformed, out_of_state",
                 spec);
        return G5_ERR_INVALID;
    }
    double p = 1.0;
    if (prob) {
        char *end = NULL;
        p = strtod(prob, &end);
        if (!*prob || *end || !(p >= 0.0 && p <= 1.0)) {
            snprintf(err, errlen, "fault '%s': probability must be a number from 0 to 1", spec);
            return G5_ERR_INVALID;
        }
    }
    int rc = sim_faults_add(f, step, (enum sim_fault_action)a, p, 0, 0, 0);
    if (rc == G5_ERR_LIMIT)
        snprintf(err, errlen, "fault '%s': at most %d fault rules", spec, SIM_MAX_FAULTS);
    else if (rc)
        snprintf(err, errlen, "fault '%s': step must be procedure.step, e.g. echo.request", spec);
    return rc;
}

void sim_faults_select(const sim_faults *f, sim_ue *ues, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ues[i].fault_mask = 0;
    for (unsigned k = 0; k < f->n; k++) {
        const sim_fault_rule *r = &f->rule[k];
        uint64_t first = r->ue_count ? r->ue_first : 0;
        uint64_t end = r->ue_count ? (uint64_t)r->ue_first + r->ue_count : n;
        for (uint64_t i = first; i < end && i < n; i++)
            ues[i].fault_mask |= (uint16_t)(1u << k);
    }
}

/* "proc.step" against a rule's pattern where either part may be "*". */
static bool step_matches(const char *pattern, const char *step)
{
    const char *pd = strchr(pattern, '.'), *sd = strchr(step, '.');
    if (!pd || !sd)
        return false;
    size_t pl = (size_t)(pd - pattern), sl = (size_t)(sd - step);
    bool proc_ok = (pl == 1 && pattern[0] == '*') || (pl == sl && !memcmp(pattern, step, pl));
    bool step_ok = !strcmp(pd + 1, "*") || !strcmp(pd + 1, sd + 1);
    return proc_ok && step_ok;
}

static uint64_t next_rand(sim_faults *f)
{
    uint64_t x = f->rng; /* xorshift64* (Vigna) */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    f->rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

enum sim_fault_action sim_fault_check(sim_faults *f, const sim_ue *ue, const char *step)
{
    if (!ue->fault_mask)
        return SIM_FAULT_NONE;
    for (unsigned k = 0; k < f->n; k++) {
        sim_fault_rule *r = &f->rule[k];
        if (!(ue->fault_mask & (1u << k)) || !step_matches(r->step, step))
            continue;
        if (r->max_hits && r->hits >= r->max_hits)
            continue;
        if (r->threshold != UINT64_MAX && next_rand(f) >= r->threshold)
            continue;
        r->hits++;
        return r->action;
    }
    return SIM_FAULT_NONE;
}
