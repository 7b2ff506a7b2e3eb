/* The load report: per procedure, counts, procedures/s, failures by cause and latency
 * percentiles per step and in total, as a human table or as JSON (--json). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

static double elapsed_s(const sim_engine *e)
{
    uint64_t end = e->t_end_ns ? e->t_end_ns : g5_clock_ns();
    return e->t_begin_ns && end > e->t_begin_ns ? (double)(end - e->t_begin_ns) / 1e9 : 0.0;
}

static json_t *hist_json(const char *name, const sim_hist *h)
{
    return json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:f}", "name", name, "count",
                     (json_int_t)h->count, "mean_us", (double)sim_hist_mean(h) / 1e3, "p50_us",
                     (double)sim_hist_percentile(h, 50) / 1e3, "p90_us",
                     (double)sim_hist_percentile(h, 90) / 1e3, "p99_us",
                     (double)sim_hist_percentile(h, 99) / 1e3, "max_us",
                     (double)(h->count ? h->max : 0) / 1e3);
}

json_t *sim_report_json(const sim_engine *e)
{
    json_t *root = json_object(), *procs = json_array();
    double secs = elapsed_s(e);
    for (unsigned id = 0; id < e->nprocs; id++) {
        const sim_proc_stats *st = e->stats[id];
        const sim_procedure *p = e->procs[id];
        json_t *jp = json_object(), *steps = json_array(), *causes = json_object();
        json_object_set_new(jp, "name", json_string(p->name));
        json_object_set_new(jp, "summary", json_string(p->summary));
        json_object_set_new(jp, "started", json_integer((json_int_t)st->started));
        json_object_set_new(jp, "ok", json_integer((json_int_t)st->ok));
        json_object_set_new(jp, "failed", json_integer((json_int_t)st->failed));
        json_object_set_new(jp, "per_second",
                            json_real(secs > 0 ? (double)(st->ok + st->failed) / secs : 0));
        for (unsigned i = 0; i < p->nsteps; i++)
            json_array_append_new(steps, hist_json(p->steps[i], &st->step[i]));
        json_object_set_new(jp, "steps", steps);
        json_object_set_new(jp, "total", hist_json("total", &st->total));
        for (unsigned c = 1; c < e->ncauses; c++)
            if (st->by_cause[c])
                json_object_set_new(causes, e->cause_names[c],
                                    json_integer((json_int_t)st->by_cause[c]));
        json_object_set_new(jp, "failures", causes);
        json_array_append_new(procs, jp);
    }
    json_object_set_new(root, "ues", json_integer(e->pop.n));
    json_object_set_new(root, "elapsed_s", json_real(secs));
    json_object_set_new(root, "peak_inflight", json_integer(e->peak_inflight));
    json_object_set_new(root, "inflight", json_integer(e->inflight));
    json_object_set_new(root, "unroutable", json_integer((json_int_t)e->unroutable));
    json_object_set_new(root, "procedures", procs);
    json_t *faults = json_array();
    for (unsigned i = 0; i < e->faults.n; i++) {
        const sim_fault_rule *fr = &e->faults.rule[i];
        json_array_append_new(faults, json_pack("{s:s, s:s, s:I}", "at_step", fr->step, "action",
                                                sim_fault_action_name(fr->action), "hits",
                                                (json_int_t)fr->hits));
    }
    json_object_set_new(root, "faults", faults);
    return root;
}

static void print_hist_row(FILE *out, const char *name, const sim_hist *h)
{
    fprintf(out, "  %-46s %9llu %9.1f %9.1f %9.1f %9.1f %9.1f\n", name,
            (unsigned long long)h->count, (double)sim_hist_mean(h) / 1e3,
            (double)sim_hist_percentile(h, 50) / 1e3, (double)sim_hist_percentile(h, 90) / 1e3,
            (double)sim_hist_percentile(h, 99) / 1e3, (double)(h->count ? h->max : 0) / 1e3);
}

static void print_human(const sim_engine *e, FILE *out)
{
    double secs = elapsed_s(e);
    fprintf(out, "UEs %u, elapsed %.3f s, peak in-flight %u, unroutable downlink %llu\n", e->pop.n,
            secs, e->peak_inflight, (unsigned long long)e->unroutable);
    for (unsigned i = 0; i < e->faults.n; i++)
        fprintf(out, "fault %s at %s: injected %llu times\n",
                sim_fault_action_name(e->faults.rule[i].action), e->faults.rule[i].step,
                (unsigned long long)e->faults.rule[i].hits);
    for (unsigned id = 0; id < e->nprocs; id++) {
        const sim_proc_stats *st = e->stats[id];
        const sim_procedure *p = e->procs[id];
        fprintf(out, "\nprocedure %s: %s\n", p->name, p->summary);
        fprintf(out, "  started %llu, ok %llu, failed %llu, %.0f procedures/s\n",
                (unsigned long long)st->started, (unsigned long long)st->ok,
                (unsigned long long)st->failed,
                secs > 0 ? (double)(st->ok + st->failed) / secs : 0.0);
        fprintf(out, "  %-46s %9s %9s %9s %9s %9s %9s\n", "step (latency in us)", "count", "mean",
                "p50", "p90", "p99", "max");
        for (unsigned i = 0; i < p->nsteps; i++)
            print_hist_row(out, p->steps[i], &st->step[i]);
        print_hist_row(out, "total (successful procedures)", &st->total);
        if (st->failed) {
            fprintf(out, "  failures by cause:\n");
            for (unsigned c = 1; c < e->ncauses; c++)
                if (st->by_cause[c])
                    fprintf(out, "    %-30s %llu\n", e->cause_names[c],
                            (unsigned long long)st->by_cause[c]);
        }
    }
}

void sim_report_print(const sim_engine *e, FILE *out, bool json)
{
    if (!json) {
        print_human(e, out);
        return;
    }
    json_t *j = sim_report_json(e);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    if (s)
        fprintf(out, "%s\n", s);
    free(s);
    json_decref(j);
}
