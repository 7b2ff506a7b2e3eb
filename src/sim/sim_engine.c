/* The simulator engine: the procedure registry, the pool of in-flight procedure slots with
 * their guard timers, the rate-controlled launcher (token bucket on a libuv timer, bounded
 * concurrency), downlink routing by RAN UE NGAP ID and the per-procedure statistics. */
#define G5_LOG_MODULE "sim"
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "sim/sim.h"
#include "sim/sim_up.h"
#include "sim/sim_paging.h"
#include "sim/ue_proc.h"

#define NO_SLOT UINT32_MAX

/* ---- procedure registry ---- */

const sim_procedure *const sim_procedures[] = {
    &sim_proc_echo,
    &sim_proc_registration,
    &sim_proc_registration_session,
    &sim_proc_registration_session_release,
    &sim_proc_deregistration,
    &sim_proc_registration_deregistration,
    &sim_proc_service_request,
    &sim_proc_lifecycle,
    &sim_proc_session_establishment,
    &sim_proc_session_release,
    &sim_proc_session_modification,
    &sim_proc_network,
    &sim_proc_paging,
    &sim_proc_paging_response,
    &sim_proc_an_release,
    NULL,
};

const sim_procedure *sim_procedure_find(const char *name)
{
    for (int i = 0; sim_procedures[i]; i++)
        if (!strcmp(sim_procedures[i]->name, name))
            return sim_procedures[i];
    return NULL;
}

/* ---- causes ---- */

static const char *const builtin_causes[SIM_CAUSE__BUILTIN] = {
    "ok",          "timeout", "transport error", "aborted",      "rejected by peer",
    "MAC failure", "replay",  "malformed",       "out of state", "unexpected message",
};

int sim_cause_intern(sim_engine *e, const char *name)
{
    for (unsigned i = 0; i < e->ncauses; i++)
        if (!strcmp(e->cause_names[i], name))
            return (int)i;
    if (e->ncauses >= SIM_MAX_CAUSES)
        return SIM_CAUSE_UNEXPECTED;
    snprintf(e->cause_names[e->ncauses], sizeof e->cause_names[0], "%s", name);
    return (int)e->ncauses++;
}

const char *sim_cause_name(const sim_engine *e, int cause)
{
    return cause >= 0 && (unsigned)cause < e->ncauses ? e->cause_names[cause] : "?";
}

/* ---- engine ---- */

int sim_engine_init(sim_engine *e, uv_loop_t *loop, const sim_config *cfg, sim_pop *pop,
                    const sim_engine_opts *opts)
{
    memset(e, 0, sizeof *e);
    e->loop = loop;
    e->cfg = cfg;
    e->pop = *pop;
    memset(pop, 0, sizeof *pop);
    e->opts = *opts;
    if (!e->opts.max_inflight)
        e->opts.max_inflight = 1000;
    if (!e->opts.timeout_ms)
        e->opts.timeout_ms = 5000;
    if (!e->opts.tick_ms)
        e->opts.tick_ms = 1;
    if (!e->opts.rate)
        e->opts.rate = 1000;
    if (e->opts.rate > 10000000)
        e->opts.rate = 10000000;
    if (!e->opts.burst)
        e->opts.burst = e->opts.rate / 100 ? e->opts.rate / 100 : 1;
    e->faults = cfg->faults;
    sim_faults_select(&e->faults, e->pop.ues, e->pop.n);
    for (int i = 0; i < SIM_CAUSE__BUILTIN; i++)
        sim_cause_intern(e, builtin_causes[i]);
    e->nruns = e->opts.max_inflight;
    e->runs = calloc(e->nruns, sizeof *e->runs);
    if (!e->runs)
        return G5_ERR_NOMEM;
    for (uint32_t i = 0; i < e->nruns; i++) {
        e->runs[i].eng = e;
        e->runs[i].slot = i;
        e->runs[i].next_free = i + 1 < e->nruns ? i + 1 : NO_SLOT;
    }
    e->free_head = 0;
    return 0;
}

void sim_engine_free(sim_engine *e)
{
    if (e->tick_init) {
        uv_timer_stop(&e->tick);
        uv_close((uv_handle_t *)&e->tick, NULL);
    }
    for (uint32_t i = 0; e->runs && i < e->nruns; i++)
        g5_timer_free(e->runs[i].timer);
    uv_run(e->loop, UV_RUN_NOWAIT); /* lets libuv finish closing the handles */
    if (e->ue_ops && e->ue_ops->ue_free)
        for (uint32_t i = 0; i < e->pop.n; i++)
            e->ue_ops->ue_free(e->ue_layer, &e->pop.ues[i]);
    free(e->runs);
    for (unsigned i = 0; i < e->nprocs; i++)
        free(e->stats[i]);
    sim_pop_free(&e->pop);
    memset(e, 0, sizeof *e);
}

void sim_engine_set_transport(sim_engine *e, const sim_transport_ops *ops, void *ctx)
{
    e->tr_ops = ops;
    e->tr_ctx = ctx;
}
void sim_engine_set_ue_ops(sim_engine *e, const sim_ue_ops *ops, void *layer)
{
    e->ue_ops = ops;
    e->ue_layer = layer;
}
void sim_engine_set_gnb_ops(sim_engine *e, const sim_gnb_ops *ops, void *layer)
{
    e->gnb_ops = ops;
    e->gnb_layer = layer;
}

int sim_engine_can_run(const sim_engine *e, const sim_procedure *proc, char *err, size_t errlen)
{
    if (proc->needs_protocol && (!proc->start || !e->ue_ops || !e->gnb_ops)) {
        snprintf(err, errlen, "procedure '%s' %s", proc->name, SIM_NOT_INTEGRATED);
        return G5_ERR_UNSUPPORTED;
    }
    if (!proc->start) {
        snprintf(err, errlen, "procedure '%s' has no driver", proc->name);
        return G5_ERR_UNSUPPORTED;
    }
    if (!e->tr_ops) {
        snprintf(err, errlen, "no N2 transport is attached");
        return G5_ERR_STATE;
    }
    return 0;
}

static sim_proc_stats *stats_for(sim_engine *e, const sim_procedure *proc)
{
    for (unsigned i = 0; i < e->nprocs; i++)
        if (e->procs[i] == proc)
            return e->stats[i];
    if (e->nprocs >= SIM_MAX_PROCS)
        return NULL;
    sim_proc_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    sim_hist_reset(&s->total);
    for (unsigned i = 0; i < SIM_MAX_STEPS; i++)
        sim_hist_reset(&s->step[i]);
    e->procs[e->nprocs] = proc;
    e->stats[e->nprocs++] = s;
    return s;
}

static unsigned proc_slot(const sim_engine *e, const sim_procedure *proc)
{
    unsigned i = 0;
    while (i < e->nprocs && e->procs[i] != proc)
        i++;
    return i;
}

const sim_proc_stats *sim_engine_stats(const sim_engine *e, const sim_procedure *proc)
{
    unsigned i = proc_slot(e, proc);
    return i < e->nprocs ? e->stats[i] : NULL;
}

static void launcher_check_done(sim_engine *e)
{
    if (e->launching || e->inflight || !e->on_done)
        return;
    void (*done)(sim_engine *) = e->on_done;
    e->on_done = NULL;
    e->t_end_ns = g5_clock_ns();
    if (e->tick_init)
        uv_timer_stop(&e->tick);
    done(e);
}

/* ---- runs ---- */

static void on_run_timer(g5_timer *t, void *arg)
{
    (void)t;
    sim_run *r = arg;
    if (!r->ue)
        return;
    r->tries++;
    if (r->proc->on_timeout)
        r->proc->on_timeout(r);
    else
        sim_run_finish(r, SIM_CAUSE_TIMEOUT);
}

int sim_engine_start(sim_engine *e, sim_ue *ue, const sim_procedure *proc)
{
    if (ue->run)
        return G5_ERR_STATE;
    if (e->free_head == NO_SLOT)
        return G5_ERR_AGAIN;
    sim_proc_stats *st = stats_for(e, proc);
    if (!st)
        return G5_ERR_NOMEM;
    sim_run *r = &e->runs[e->free_head];
    if (!r->timer && !(r->timer = g5_timer_new(e->loop, on_run_timer, r)))
        return G5_ERR_NOMEM;
    bool was_connected = ue->cm_state == SIM_CM_CONNECTED; /* kept for its PDU sessions */
    int rc = was_connected ? 0 : sim_pop_connect(&e->pop, ue);
    if (rc)
        return rc;
    e->free_head = r->next_free;
    if (++e->inflight > e->peak_inflight)
        e->peak_inflight = e->inflight;
    r->ue = ue;
    r->proc = proc;
    r->t_start_ns = r->t_mark_ns = g5_clock_ns();
    r->step = 0;
    r->tries = 0;
    r->was_connected = was_connected;
    memset(r->scratch, 0, sizeof r->scratch);
    ue->run = r->slot + 1;
    r->stats = st;
    ue->last_proc = (uint8_t)proc_slot(e, proc);
    st->started++;
    int cause = proc->start(r);
    if (cause)
        sim_run_finish(r, cause);
    return 0;
}

void sim_run_mark(sim_run *r, unsigned step)
{
    uint64_t now = g5_clock_ns();
    sim_proc_stats *st = r->stats;
    if (step < SIM_MAX_STEPS)
        sim_hist_record(&st->step[step], now - r->t_mark_ns);
    r->t_mark_ns = now;
    r->step = (uint16_t)(step + 1);
}

void sim_run_finish(sim_run *r, int cause)
{
    sim_engine *e = r->eng;
    sim_ue *ue = r->ue;
    sim_proc_stats *st = r->stats;
    if (cause == SIM_CAUSE_OK) {
        sim_hist_record(&st->total, g5_clock_ns() - r->t_start_ns);
        st->ok++;
        ue->n_ok++;
    } else {
        if (cause < 0 || cause >= SIM_MAX_CAUSES)
            cause = SIM_CAUSE_UNEXPECTED;
        st->failed++;
        st->by_cause[cause]++;
        ue->n_failed++;
        ue->last_cause = (uint16_t)cause;
    }
    g5_timer_stop(r->timer);
    /* a UE with active PDU sessions may stay CM-CONNECTED (sim/sim_up.h) */
    bool keep = e->up && sim_up_run_end(e->up, ue, cause == SIM_CAUSE_OK);
    if (!keep && e->tr_ops && e->tr_ops->release && ue->cm_state == SIM_CM_CONNECTED)
        e->tr_ops->release(e->tr_ctx, ue->ran_ue_ngap_id);
    if (!keep)
        sim_pop_release(&e->pop, ue);
    ue->run = 0;
    r->ue = NULL;
    r->next_free = e->free_head;
    e->free_head = r->slot;
    e->inflight--;
    launcher_check_done(e);
}

void sim_run_arm(sim_run *r, uint64_t ms)
{
    g5_timer_start(r->timer, ms);
}

uint64_t sim_run_timeout_ms(const sim_run *r)
{
    return r->eng->opts.timeout_ms;
}

int sim_run_send(sim_run *r, const uint8_t *pdu, size_t len)
{
    sim_engine *e = r->eng;
    return e->tr_ops->send(e->tr_ctx, r->ue->ran_ue_ngap_id, pdu, len);
}

enum sim_fault_action sim_run_fault(sim_run *r, const char *step)
{
    if (!r->ue->fault_mask)
        return SIM_FAULT_NONE;
    char name[SIM_FAULT_STEP_MAX * 2];
    snprintf(name, sizeof name, "%s.%s", r->proc->name, step);
    return sim_fault_check(&r->eng->faults, r->ue, name);
}

int sim_engine_deliver(sim_engine *e, uint32_t ran_ue_ngap_id, const uint8_t *pdu, size_t len)
{
    sim_ue *ue = sim_pop_by_ran_id(&e->pop, ran_ue_ngap_id);
    if (!ue || !ue->run || !e->runs[ue->run - 1].proc->on_downlink) {
        e->unroutable++;
        return G5_ERR_NOT_FOUND;
    }
    sim_run *r = &e->runs[ue->run - 1];
    r->proc->on_downlink(r, pdu, len);
    return 0;
}

/* ---- launcher ---- */

static sim_ue *next_idle_ue(sim_engine *e)
{
    for (uint32_t scanned = 0; scanned < e->pop.n; scanned++) {
        sim_ue *ue = &e->pop.ues[e->cursor];
        e->cursor = e->cursor + 1 < e->pop.n ? e->cursor + 1 : 0;
        if (!ue->run)
            return ue;
    }
    return NULL;
}

void sim_engine_stop_launch(sim_engine *e)
{
    e->launching = false;
    launcher_check_done(e);
}

static void on_tick(uv_timer_t *t)
{
    sim_engine *e = (sim_engine *)((char *)t - offsetof(sim_engine, tick));
    uint64_t now = g5_clock_ns();
    if (!e->launching)
        return;
    if (e->opts.duration_ms && now >= e->t_stop_ns) {
        sim_engine_stop_launch(e);
        return;
    }
    uint64_t want = e->nruns - e->inflight;
    if (!e->opts.duration_ms && e->target - e->launched < want)
        want = e->target - e->launched;
    uint64_t n = sim_tbucket_take(&e->tb, now, want);
    for (uint64_t i = 0; i < n; i++) {
        sim_ue *ue = next_idle_ue(e);
        if (!ue)
            break;
        int rc = sim_engine_start(e, ue, e->proc);
        if (rc) {
            G5_LOGW("cannot start %s: %s", e->proc->name, g5_strerror(rc));
            break;
        }
        e->launched++;
    }
    if (!e->opts.duration_ms && e->launched >= e->target)
        sim_engine_stop_launch(e);
}

int sim_engine_load(sim_engine *e, const sim_procedure *proc, void (*on_done)(sim_engine *e))
{
    char err[160];
    int rc = sim_engine_can_run(e, proc, err, sizeof err);
    if (rc)
        return rc;
    if (!e->tick_init) {
        if (uv_timer_init(e->loop, &e->tick) != 0)
            return G5_ERR_IO;
        e->tick_init = true;
    }
    e->proc = proc;
    e->on_done = on_done;
    e->launching = true;
    e->launched = 0;
    e->target = e->pop.n;
    e->t_begin_ns = g5_clock_ns();
    e->t_stop_ns = e->t_begin_ns + e->opts.duration_ms * 1000000u;
    sim_tbucket_init(&e->tb, e->opts.rate, e->opts.burst, e->t_begin_ns);
    uv_timer_start(&e->tick, on_tick, 0, e->opts.tick_ms);
    return 0;
}

uint64_t sim_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    uint64_t kb = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) {
            kb = strtoull(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb * 1024u;
}
