/* glass5g-sim: the gNB/UE simulator binary.
 *
 *   glass5g-sim run  -c sim.yaml [--ctl PATH]             long-running gNB + UEs + control socket
 *   glass5g-sim load -c sim.yaml --ues N --rate R --procedure P [...]   load run with a report
 *   glass5g-sim cli  [--ctl PATH] ue-list | ue-status SUPI | stats | deregister SUPI | ...
 *
 * Exit codes as in src/cli/cli.h: 0 success, 1 the operation failed, 2 usage error. */
#define G5_LOG_MODULE "sim"
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/log.h"
#include "sim/gnb_n2.h"
#include "sim/sim.h"
#include "sim/sim_ctl.h"
#include "sim/sim_up.h"
#include "transport/sctp.h"

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    return 0;
}

static void usage_main(FILE *f)
{
    fprintf(f, "usage: glass5g-sim <command> [options]\n\n"
               "commands:\n"
               "  run      run the gNB and its UEs with a control socket until stopped\n"
               "  load     start a procedure for many UEs at a controlled rate; print a report\n"
               "  cli      talk to a running simulator over its control socket\n"
               "  version  print the version\n\n"
               "'glass5g-sim <command> --help' describes a command.\n");
}

static void list_procedures(FILE *f)
{
    for (int i = 0; sim_procedures[i]; i++)
        fprintf(f, "  %-26s %s%s\n", sim_procedures[i]->name, sim_procedures[i]->summary,
                sim_procedures[i]->needs_protocol ? " [over N2, needs an AMF]" : "");
}

static void usage_load(FILE *f)
{
    fprintf(f,
            "usage: glass5g-sim load [-c sim.yaml] --procedure P [--ues N] [--rate R]\n"
            "                        [--duration S] [--max-inflight K] [--timeout-ms T]\n"
            "                        [--echo-delay-ms D] [--fault STEP:ACTION[:P]]... [--json]\n"
            "                        [--traffic S]\n"
            "Starts procedure P for N UEs at R procedures/s (token bucket), at most K in flight,\n"
            "and prints procedures/s, failures by cause and latency percentiles per step.\n"
            "Without --duration every UE runs P once; with it, UEs run P again and again for S\n"
            "seconds. --ues N builds N UEs (one template: its count; several: the first N).\n"
            "Defaults: --rate 1000 --max-inflight 1000 --timeout-ms 5000 --echo-delay-ms 0.\n"
            "--traffic S keeps UEs with PDU sessions connected and runs the config's traffic\n"
            "(traffic.ping_rate echo requests/s per session) S seconds after the procedures.\n"
            "Exit status 1 if any procedure failed.\n\nprocedures:\n");
    list_procedures(f);
}

static void usage_run(FILE *f)
{
    fprintf(f, "usage: glass5g-sim run [-c sim.yaml] [--ctl PATH] [--procedure P --rate R]\n"
               "Builds the UEs of the configuration and serves the control socket (ctl.path in\n"
               "the config, or --ctl) until SIGINT/SIGTERM. --procedure registration connects\n"
               "the gNB to the AMF (NG Setup) and registers every UE once at the given rate;\n"
               "the UEs stay registered (control socket: ue-list, ue-status, deregister).\n"
               "--procedure registration+session also establishes a PDU session per UE; UEs\n"
               "with sessions stay CM-CONNECTED (TUN per session with tun: on).\n"
               "--procedure echo runs the framework self-test (loopback fake AMF).\n");
}

static void usage_cli(FILE *f)
{
    fprintf(f, "usage: glass5g-sim cli [--ctl PATH] <request>\n"
               "requests:\n"
               "  ue-list [--offset N] [--limit N]   UEs (at most 1000 per answer)\n"
               "  ue-status SUPI                    state of one UE\n"
               "  stats                             procedure counts and latency percentiles\n"
               "  register SUPI                     initial registration (or with its 5G-GUTI)\n"
               "  service-request SUPI              service request from CM-IDLE\n"
               "  deregister SUPI                   UE-originating deregistration\n"
               "  ps-establish SUPI [--dnn DNN] [--sst N [--sd HEX]] [--type ipv4|ipv6|ipv4v6]\n"
               "                                    PDU session establishment (default: the\n"
               "                                    UE template's dnn / slices / session_type)\n"
               "  ps-release SUPI                   release of the UE's last PDU session\n"
               "  ps-modify SUPI                    UE-requested modification of its last session\n"
               "  release SUPI                      AN release: the UE goes CM-IDLE\n"
               "The answer is printed as JSON; exit status 1 if it is an error.\n");
}

/* ---- shared option parsing ---- */

typedef struct sim_args {
    const char *config, *ctl, *procedure;
    uint64_t ues, rate, duration_s, max_inflight, timeout_ms, echo_delay_ms, traffic_s;
    bool json;
    const char *faults[SIM_MAX_FAULTS];
    unsigned nfaults;
} sim_args;

static int parse_u64(const char *cmd, const char *opt, const char *s, uint64_t min, uint64_t max,
                     uint64_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (!s[0] || s[0] == '-' || (*end && strcmp(end, "/s") != 0) || v < min || v > max) {
        fprintf(stderr,
                "glass5g-sim %s: %s: '%s' is not an integer from %" PRIu64 " to %" PRIu64 "\n", cmd,
                opt, s, min, max);
        return G5_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

static int parse_args(const char *cmd, int argc, char **argv, sim_args *a)
{
    static const struct {
        const char *name;
        uint64_t min, max;
        size_t off;
    } nums[] = {
        {"--ues", 1, 10000000, offsetof(sim_args, ues)},
        {"--rate", 1, 10000000, offsetof(sim_args, rate)},
        {"--duration", 1, 86400 * 7, offsetof(sim_args, duration_s)},
        {"--max-inflight", 1, 1000000, offsetof(sim_args, max_inflight)},
        {"--timeout-ms", 1, 3600000, offsetof(sim_args, timeout_ms)},
        {"--echo-delay-ms", 0, 60000, offsetof(sim_args, echo_delay_ms)},
        {"--traffic", 1, 86400, offsetof(sim_args, traffic_s)},
    };
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool has_val = i + 1 < argc;
        bool matched = false;
        for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !matched; k++) {
            if (strcmp(o, nums[k].name) != 0)
                continue;
            matched = true;
            if (!has_val) {
                fprintf(stderr, "glass5g-sim %s: %s needs a value\n", cmd, o);
                return G5_EXIT_USAGE;
            }
            int rc = parse_u64(cmd, o, argv[++i], nums[k].min, nums[k].max,
                               (uint64_t *)((char *)a + nums[k].off));
            if (rc)
                return rc;
        }
        if (matched)
            continue;
        if ((!strcmp(o, "-c") || !strcmp(o, "--config")) && has_val) {
            a->config = argv[++i];
        } else if (!strcmp(o, "--ctl") && has_val) {
            a->ctl = argv[++i];
        } else if (!strcmp(o, "--procedure") && has_val) {
            a->procedure = argv[++i];
        } else if (!strcmp(o, "--fault") && has_val) {
            if (a->nfaults >= SIM_MAX_FAULTS) {
                fprintf(stderr, "glass5g-sim %s: at most %d --fault rules\n", cmd, SIM_MAX_FAULTS);
                return G5_EXIT_USAGE;
            }
            a->faults[a->nfaults++] = argv[++i];
        } else if (!strcmp(o, "--json")) {
            a->json = true;
        } else {
            fprintf(stderr, "glass5g-sim %s: unexpected argument '%s'%s\n", cmd, o,
                    has_val ? "" : " (or a missing value)");
            return G5_EXIT_USAGE;
        }
    }
    return 0;
}

/* Loads the config and applies the command-line overrides. */
static int setup_config(const char *cmd, const sim_args *a, sim_config *cfg)
{
    sim_config_defaults(cfg);
    if (a->config && sim_config_load(cfg, a->config, stderr) != 0)
        return G5_EXIT_FAIL;
    g5_log_set_level((enum g5_log_level)cfg->log_level);
    if (a->ues && cfg->nue == 1)
        cfg->ue[0].count = (uint32_t)a->ues;
    else if (a->ues && a->ues > sim_config_ue_total(cfg)) {
        fprintf(stderr,
                "glass5g-sim %s: --ues %" PRIu64 " exceeds the %" PRIu64 " UEs of the templates\n",
                cmd, a->ues, sim_config_ue_total(cfg));
        return G5_EXIT_USAGE;
    }
    for (unsigned i = 0; i < a->nfaults; i++) {
        char err[200];
        if (sim_faults_add_spec(&cfg->faults, a->faults[i], err, sizeof err) != 0) {
            fprintf(stderr, "glass5g-sim %s: --fault %s\n", cmd, err);
            return G5_EXIT_USAGE;
        }
    }
    return 0;
}

typedef struct sim_world {
    uv_loop_t loop;
    sim_config cfg;
    sim_engine eng;
    sim_echo_amf *amf;
    sim_n2 *n2; /* NGAP over SCTP to the AMF (5G procedures) */
    const sim_procedure *pending; /* launched once NG Setup is done */
    void (*pending_done)(sim_engine *e);
    int n2_status;
    uint64_t rss_before, rss_after;
    bool eng_ok;
    bool keep_connected; /* UEs with PDU sessions stay CM-CONNECTED */
    bool reconnect; /* a lost AMF association is set up again (run, load --duration) */
    uint64_t traffic_s;
    uv_timer_t traffic_timer;
    bool traffic_timer_init;
} sim_world;

static int world_build(const char *cmd, const sim_args *a, sim_world *w)
{
    sim_pop pop;
    uv_loop_init(&w->loop);
    g5_loop_handle_signals(&w->loop); /* early: a SIGINT during a long build is honoured */
    w->rss_before = sim_rss_bytes();
    int rc = sim_pop_build(&pop, &w->cfg, a->ues ? (uint32_t)a->ues : 0);
    if (rc) {
        fprintf(stderr, "glass5g-sim %s: cannot build the UEs: %s%s\n", cmd, g5_strerror(rc),
                rc == G5_ERR_EXISTS ? " (two UE templates overlap in SUPI)" : "");
        return G5_EXIT_FAIL;
    }
    sim_engine_opts o = {
        .rate = a->rate ? a->rate : 1000,
        .max_inflight = a->max_inflight ? (uint32_t)a->max_inflight : 1000,
        .timeout_ms = a->timeout_ms ? (uint32_t)a->timeout_ms : 5000,
        .duration_ms = a->duration_s * 1000,
    };
    rc = sim_engine_init(&w->eng, &w->loop, &w->cfg, &pop, &o);
    w->eng_ok = true;
    if (rc) {
        fprintf(stderr, "glass5g-sim %s: %s\n", cmd, g5_strerror(rc));
        return G5_EXIT_FAIL;
    }
    w->rss_after = sim_rss_bytes();
    return 0;
}

static void world_free(sim_world *w)
{
    if (w->amf)
        sim_echo_amf_free(w->amf);
    if (w->traffic_timer_init) {
        uv_close((uv_handle_t *)&w->traffic_timer, NULL);
        w->traffic_timer_init = false;
    }
    if (w->n2) {
        /* detach first: nothing may reach the N2 layer once it is freed */
        if (w->eng_ok)
            sim_engine_set_transport(&w->eng, NULL, NULL);
        sim_n2_free(w->n2);
        uv_run(&w->loop, UV_RUN_NOWAIT);
        g5_sctp_global_cleanup(1000);
    }
    if (w->eng_ok)
        sim_engine_free(&w->eng);
    uv_run(&w->loop, UV_RUN_NOWAIT);
    uv_loop_close(&w->loop);
    sim_config_wipe(&w->cfg);
}

/* Resolves --procedure: 2 if unknown, 1 if it cannot run yet (message printed). */
static const sim_procedure *find_procedure(const char *cmd, const char *name)
{
    const sim_procedure *p = sim_procedure_find(name);
    if (!p) {
        fprintf(stderr, "glass5g-sim %s: unknown procedure '%s'; one of:\n", cmd, name);
        list_procedures(stderr);
    }
    return p;
}

/* NG Setup done (launch the pending procedure) or N2 failed (stop). */
static void on_n2_ready(sim_n2 *n2, int status, void *arg)
{
    (void)n2;
    sim_world *w = arg;
    w->n2_status = status;
    if (status) {
        G5_LOGE("N2 to the AMF failed: %s", g5_strerror(status));
        uv_stop(&w->loop);
        return;
    }
    if (w->pending) {
        const sim_procedure *p = w->pending;
        w->pending = NULL;
        if (sim_engine_load(&w->eng, p, w->pending_done) != 0)
            uv_stop(&w->loop);
    }
}

/* Starts p now, or once NG Setup is done when it runs over N2. */
static int launch(sim_world *w, const sim_procedure *p, void (*done)(sim_engine *e))
{
    if (!w->n2 || w->eng.gnb_ops == NULL || p == &sim_proc_echo)
        return sim_engine_load(&w->eng, p, done);
    w->pending = p;
    w->pending_done = done;
    return 0;
}

/* Attaches what procedure p needs (echo: the loopback fake AMF; 5G procedures: the UE and
 * gNB layers and the N2 association to the AMF); 1 if it cannot run. */
static int attach_procedure(const char *cmd, sim_world *w, const sim_procedure *p,
                            uint32_t echo_delay_ms)
{
    if (p->needs_protocol && !w->n2) {
        char e[200];
        w->n2 = sim_n2_new(&w->eng, on_n2_ready, w, e, sizeof e);
        if (!w->n2) {
            fprintf(stderr, "glass5g-sim %s: %s\n", cmd, e);
            return G5_EXIT_FAIL;
        }
        w->eng.up->keep_connected = w->keep_connected;
        sim_n2_set_reconnect(w->n2, w->reconnect);
        const sim_config *c = &w->cfg;
        if (c->traffic.ping_rate &&
            sim_up_ping_start(w->eng.up, c->traffic.ping_rate, c->traffic.ping_ipv4,
                              c->traffic.ping_ipv6) != 0) {
            fprintf(stderr, "glass5g-sim %s: traffic: bad ping_ipv4/ping_ipv6 address\n", cmd);
            return G5_EXIT_FAIL;
        }
    }
    if (p == &sim_proc_echo && !w->amf) {
        w->amf = sim_echo_amf_new(&w->eng, echo_delay_ms);
        if (!w->amf)
            return G5_EXIT_FAIL;
        sim_engine_set_transport(&w->eng, &sim_echo_transport, w->amf);
    }
    char err[200];
    if (sim_engine_can_run(&w->eng, p, err, sizeof err) != 0) {
        fprintf(stderr, "glass5g-sim %s: %s\n", cmd, err);
        return G5_EXIT_FAIL;
    }
    return 0;
}

static void stop_loop(void *loop)
{
    uv_stop(loop);
}

/* Every procedure finished (and the traffic time, if any, is over): let the AMFs release
 * the UEs the gNB asked them to (at most 2 s), then stop. */
static void drain_and_stop(sim_engine *e)
{
    if (e->tr_ops == &sim_n2_transport && e->tr_ctx)
        sim_n2_drain(e->tr_ctx, 2000, stop_loop, e->loop);
    else
        uv_stop(e->loop);
}

static void on_traffic_done(uv_timer_t *t)
{
    sim_world *w = t->data;
    drain_and_stop(&w->eng);
}

static void on_load_done(sim_engine *e)
{
    /* the world is the static of cmd_load; its engine is e */
    sim_world *w = (sim_world *)((char *)e - offsetof(sim_world, eng));
    if (w->traffic_s && !w->traffic_timer_init && uv_timer_init(e->loop, &w->traffic_timer) == 0) {
        w->traffic_timer_init = true;
        w->traffic_timer.data = w;
        uv_timer_start(&w->traffic_timer, on_traffic_done, w->traffic_s * 1000, 0);
        return;
    }
    drain_and_stop(e);
}

static void print_user_plane(const sim_world *w, json_t *json)
{
    const sim_up *u = w->eng.up;
    if (!u || (!u->st.est_ok && !u->st.est_reject && !u->st.mm_not_forwarded && !u->st.n2_setup_ok))
        return;
    if (json) {
        json_object_set_new(json, "user_plane", sim_up_stats_json(u));
        return;
    }
    const sim_up_stats *s = &u->st;
    printf("PDU sessions: %llu established, %llu rejected, %llu released (%llu locally), "
           "%llu not forwarded (5GMM cause)\n"
           "N3: %llu G-PDUs sent, %llu received, %llu for unknown TEIDs; echo requests %llu "
           "sent, %llu answered\n",
           (unsigned long long)s->est_ok, (unsigned long long)s->est_reject,
           (unsigned long long)s->rel_ok, (unsigned long long)s->rel_local,
           (unsigned long long)s->mm_not_forwarded, (unsigned long long)s->n3_tx,
           (unsigned long long)s->n3_rx, (unsigned long long)s->n3_rx_unknown_teid,
           (unsigned long long)s->ping_sent, (unsigned long long)s->ping_recv);
}

static void print_memory(const sim_world *w, FILE *f, json_t *json)
{
    uint32_t n = w->eng.pop.n;
    uint64_t delta = w->rss_after > w->rss_before ? w->rss_after - w->rss_before : 0;
    size_t table = w->eng.pop.by_supi.cap * sizeof(g5_hmap_slot);
    if (json) {
        json_object_set_new(
            json, "memory",
            json_pack("{s:i, s:f, s:f, s:i}", "sizeof_sim_ue", (json_int_t)sizeof(sim_ue),
                      "supi_index_bytes_per_ue", n ? (double)table / n : 0.0, "rss_bytes_per_ue",
                      n ? (double)delta / n : 0.0, "rss_after_build", (json_int_t)w->rss_after));
        return;
    }
    fprintf(f,
            "memory: sizeof(sim_ue) %zu B + SUPI index %.1f B = %.1f B per idle UE; "
            "RSS delta %.1f B per UE (%u UEs, %.1f MB)\n",
            sizeof(sim_ue), n ? (double)table / n : 0.0,
            sizeof(sim_ue) + (n ? (double)table / n : 0.0), n ? (double)delta / n : 0.0, n,
            (double)delta / 1e6);
}

/* N2 figures per AMF: which AMF got how many UE-associated connections (issue #9). */
static void print_n2(const sim_world *w, FILE *f, json_t *json)
{
    if (!w->n2)
        return;
    sim_n2_stats st;
    sim_n2_get_stats(w->n2, &st);
    json_t *arr = json ? json_array() : NULL;
    for (unsigned i = 0; i < st.namf; i++) {
        const char *addr = w->cfg.gnb.amf[i].address;
        unsigned port = w->cfg.gnb.amf[i].port;
        if (arr)
            json_array_append_new(arr, json_pack("{s:s, s:i, s:b, s:I, s:I, s:I, s:I}", "address",
                                                 addr, "port", (int)port, "ng_up", st.amf[i].ng_up,
                                                 "connections", (json_int_t)st.amf[i].connections,
                                                 "tx", (json_int_t)st.amf[i].tx, "rx",
                                                 (json_int_t)st.amf[i].rx, "reconnects",
                                                 (json_int_t)st.amf[i].reconnects));
        else
            fprintf(f, "N2: AMF %u %s:%u %s, %llu UE connections, %llu PDUs sent, %llu received\n",
                    i, addr, port, st.amf[i].ng_up ? "up" : "down",
                    (unsigned long long)st.amf[i].connections, (unsigned long long)st.amf[i].tx,
                    (unsigned long long)st.amf[i].rx);
    }
    if (json)
        json_object_set_new(json, "n2",
                            json_pack("{s:o, s:I, s:I}", "amfs", arr, "releases_completed_by_gnb",
                                      (json_int_t)st.gnb_released, "reregistered",
                                      (json_int_t)st.reregistered));
    else
        fprintf(f,
                "N2: %llu UE Context Release Commands completed by the gNB after the procedure\n",
                (unsigned long long)st.gnb_released);
}

static int cmd_load(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        usage_load(stdout);
        return G5_EXIT_OK;
    }
    sim_args a = {0};
    int rc = parse_args("load", argc, argv, &a);
    if (rc)
        return rc;
    if (!a.procedure) {
        fprintf(stderr, "glass5g-sim load: --procedure is required; one of:\n");
        list_procedures(stderr);
        return G5_EXIT_USAGE;
    }
    static sim_world w; /* large (config, engine); static keeps it off the stack */
    memset(&w, 0, sizeof w);
    if ((rc = setup_config("load", &a, &w.cfg)) != 0)
        return rc;
    w.traffic_s = a.traffic_s;
    w.keep_connected = a.traffic_s > 0;
    w.reconnect = a.duration_s > 0; /* a long load rides out an AMF restart */
    const sim_procedure *p = find_procedure("load", a.procedure);
    if (!p)
        return G5_EXIT_USAGE;
    if ((rc = world_build("load", &a, &w)) != 0 ||
        (rc = attach_procedure("load", &w, p, (uint32_t)a.echo_delay_ms)) != 0) {
        world_free(&w);
        return rc;
    }
    if (p == &sim_proc_echo) {
        if (!a.json)
            printf("echo: framework self-test against a loopback fake AMF (not a 5G "
                   "procedure), reply delay %" PRIu64 " ms\n",
                   a.echo_delay_ms);
    }
    rc = launch(&w, p, on_load_done);
    if (rc) {
        fprintf(stderr, "glass5g-sim load: %s\n", g5_strerror(rc));
        world_free(&w);
        return G5_EXIT_FAIL;
    }
    g5_loop_run(&w.loop);
    bool failed = false;
    if (w.n2_status) {
        fprintf(stderr, "glass5g-sim load: no N2 connection to the AMF at %s:%u (%s)\n",
                w.cfg.gnb.amf[0].address, w.cfg.gnb.amf[0].port, g5_strerror(w.n2_status));
        failed = true;
    } else if (w.pending) {
        fprintf(stderr, "glass5g-sim load: interrupted before NG Setup completed\n");
        failed = true;
    } else if (w.eng.on_done) { /* interrupted: report what finished, exit 1 (incomplete) */
        w.eng.t_end_ns = g5_clock_ns();
        fprintf(stderr,
                "glass5g-sim load: interrupted after %" PRIu64 " of %" PRIu64
                " launches, %u procedures still in flight\n",
                w.eng.launched, w.eng.target, w.eng.inflight);
        failed = true;
    }
    for (unsigned i = 0; i < w.eng.nprocs; i++)
        if (w.eng.stats[i]->failed || w.eng.stats[i]->ok < w.eng.stats[i]->started)
            failed = true;
    sim_echo_amf_stats as = {0};
    if (w.amf)
        sim_echo_amf_get_stats(w.amf, &as);
    if (a.json) {
        json_t *j = sim_report_json(&w.eng);
        print_memory(&w, stdout, j);
        print_n2(&w, stdout, j);
        if (w.amf)
            json_object_set_new(j, "echo_amf",
                                json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "rx", (json_int_t)as.rx,
                                          "tx", (json_int_t)as.tx, "bad_mac",
                                          (json_int_t)as.bad_mac, "replay", (json_int_t)as.replay,
                                          "malformed", (json_int_t)as.malformed, "out_of_state",
                                          (json_int_t)as.out_of_state));
        print_user_plane(&w, j);
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        print_user_plane(&w, NULL);
        print_memory(&w, stdout, NULL);
        print_n2(&w, stdout, NULL);
        if (w.amf)
            printf("fake AMF: received %llu, answered %llu; refused: bad MAC %llu, replay %llu, "
                   "out of state %llu; dropped malformed %llu\n",
                   (unsigned long long)as.rx, (unsigned long long)as.tx,
                   (unsigned long long)as.bad_mac, (unsigned long long)as.replay,
                   (unsigned long long)as.out_of_state, (unsigned long long)as.malformed);
        sim_report_print(&w.eng, stdout, false);
    }
    world_free(&w);
    return failed ? G5_EXIT_FAIL : G5_EXIT_OK;
}

static void on_run_done(sim_engine *e)
{
    (void)e;
    G5_LOGN("echo self-test finished for every UE; still serving the control socket");
}

static int cmd_run_sim(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        usage_run(stdout);
        return G5_EXIT_OK;
    }
    sim_args a = {0};
    int rc = parse_args("run", argc, argv, &a);
    if (rc)
        return rc;
    static sim_world w;
    memset(&w, 0, sizeof w);
    if ((rc = setup_config("run", &a, &w.cfg)) != 0)
        return rc;
    w.keep_connected = true; /* sessions stay usable (TUN, ping) until released */
    w.reconnect = true; /* an AMF restart: reconnect, NG Setup, the UEs register again */
    const sim_procedure *p = NULL;
    if (a.procedure && !(p = find_procedure("run", a.procedure)))
        return G5_EXIT_USAGE;
    if ((rc = world_build("run", &a, &w)) != 0 ||
        (p && (rc = attach_procedure("run", &w, p, (uint32_t)a.echo_delay_ms)) != 0)) {
        world_free(&w);
        return rc;
    }
    char err[256];
    sim_ctl *ctl = sim_ctl_start(&w.eng, a.ctl ? a.ctl : w.cfg.ctl_path, err, sizeof err);
    if (!ctl) {
        fprintf(stderr, "glass5g-sim run: %s\n", err);
        world_free(&w);
        return G5_EXIT_FAIL;
    }
    G5_LOGN("%u UEs ready; control socket %s", w.eng.pop.n, a.ctl ? a.ctl : w.cfg.ctl_path);
    if (p && launch(&w, p, on_run_done) != 0)
        G5_LOGW("cannot start %s", p->name);
    /* The listening control socket keeps the loop alive until a signal stops it. */
    g5_loop_run(&w.loop);
    G5_LOGN("stopping");
    sim_ctl_stop(ctl);
    world_free(&w);
    return G5_EXIT_OK;
}

/* ---- cli ---- */

static int cmd_cli(int argc, char **argv)
{
    if (wants_help(argc, argv) || argc < 2) {
        usage_cli(argc < 2 ? stderr : stdout);
        return argc < 2 ? G5_EXIT_USAGE : G5_EXIT_OK;
    }
    const char *ctl = NULL, *cmd = NULL, *supi = NULL, *dnn = NULL, *config = NULL, *type = NULL;
    uint64_t offset = 0, limit = 0, sst = 0, sd = 0;
    bool has_sst = false, has_sd = false;
    for (int i = 1; i < argc; i++) {
        bool v = i + 1 < argc;
        if (!strcmp(argv[i], "--ctl") && v)
            ctl = argv[++i];
        else if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && v)
            config = argv[++i];
        else if (!strcmp(argv[i], "--dnn") && v)
            dnn = argv[++i];
        else if (!strcmp(argv[i], "--type") && v)
            type = argv[++i];
        else if (!strcmp(argv[i], "--sst") && v) {
            if (parse_u64("cli", "--sst", argv[++i], 0, 255, &sst))
                return G5_EXIT_USAGE;
            has_sst = true;
        } else if (!strcmp(argv[i], "--sd") && v) {
            char *end = NULL;
            errno = 0;
            sd = strtoull(argv[++i], &end, 16);
            if (errno || !end || *end || end == argv[i] || sd > 0xFFFFFF) {
                fprintf(stderr, "glass5g-sim cli: --sd '%s' is not 1-6 hex digits\n", argv[i]);
                return G5_EXIT_USAGE;
            }
            has_sd = true;
        } else if (!strcmp(argv[i], "--offset") && v) {
            if (parse_u64("cli", "--offset", argv[++i], 0, UINT32_MAX, &offset))
                return G5_EXIT_USAGE;
        } else if (!strcmp(argv[i], "--limit") && v) {
            if (parse_u64("cli", "--limit", argv[++i], 1, SIM_CTL_LIST_MAX, &limit))
                return G5_EXIT_USAGE;
        } else if (!cmd && argv[i][0] != '-')
            cmd = argv[i];
        else if (cmd && !supi && argv[i][0] != '-')
            supi = argv[i];
        else {
            fprintf(stderr, "glass5g-sim cli: unexpected argument '%s'\n", argv[i]);
            return G5_EXIT_USAGE;
        }
    }
    static const char *const cmds[] = {
        "ue-list",      "ue-status",  "stats",     "deregister", "register", "service-request",
        "ps-establish", "ps-release", "ps-modify", "release",    NULL};
    bool known = false, needs_supi = false;
    for (int i = 0; cmd && cmds[i]; i++)
        if (!strcmp(cmd, cmds[i])) {
            known = true;
            needs_supi = i == 1 || i >= 3;
        }
    if (!known || (needs_supi && !supi) || (!needs_supi && supi)) {
        fprintf(stderr, "glass5g-sim cli: %s\n",
                !known       ? "unknown or missing request"
                : needs_supi ? "this request needs a SUPI"
                             : "this request takes no SUPI");
        usage_cli(stderr);
        return G5_EXIT_USAGE;
    }
    static sim_config cfg;
    sim_config_defaults(&cfg);
    if (!ctl && config) {
        if (sim_config_load(&cfg, config, stderr) != 0)
            return G5_EXIT_FAIL;
        sim_config_wipe(&cfg);
    }
    json_t *req = json_pack("{s:s}", "cmd", cmd);
    if (supi)
        json_object_set_new(req, "supi", json_string(supi));
    if ((dnn || has_sst || type) && strcmp(cmd, "ps-establish") != 0) {
        fprintf(stderr, "glass5g-sim cli: --dnn/--sst/--sd/--type go with ps-establish\n");
        json_decref(req);
        return G5_EXIT_USAGE;
    }
    if (has_sd && !has_sst) {
        fprintf(stderr, "glass5g-sim cli: --sd needs --sst\n");
        json_decref(req);
        return G5_EXIT_USAGE;
    }
    if (dnn)
        json_object_set_new(req, "dnn", json_string(dnn));
    if (has_sst)
        json_object_set_new(req, "sst", json_integer((json_int_t)sst));
    if (has_sd)
        json_object_set_new(req, "sd", json_integer((json_int_t)sd));
    if (type)
        json_object_set_new(req, "session_type", json_string(type));
    if (offset)
        json_object_set_new(req, "offset", json_integer((json_int_t)offset));
    if (limit)
        json_object_set_new(req, "limit", json_integer((json_int_t)limit));
    char *line = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    size_t n = line ? strlen(line) : 0;
    char *msg = line ? malloc(n + 2) : NULL;
    if (!msg) {
        free(line);
        return G5_EXIT_FAIL;
    }
    snprintf(msg, n + 2, "%s\n", line);
    free(line);
    char *answer = NULL, err[256];
    int rc = sim_ctl_request(ctl ? ctl : cfg.ctl_path, msg, &answer, 5000, err, sizeof err);
    free(msg);
    if (rc) {
        fprintf(stderr, "glass5g-sim cli: %s\n", err);
        return G5_EXIT_FAIL;
    }
    json_error_t jerr;
    json_t *ans = json_loads(answer, 0, &jerr);
    free(answer);
    if (!ans) {
        fprintf(stderr, "glass5g-sim cli: the simulator sent an answer that is not JSON\n");
        return G5_EXIT_FAIL;
    }
    bool ok = json_is_true(json_object_get(ans, "ok"));
    char *s = json_dumps(ans, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    if (s)
        fprintf(ok ? stdout : stderr, "%s\n", s);
    free(s);
    json_decref(ans);
    return ok ? G5_EXIT_OK : G5_EXIT_FAIL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return G5_EXIT_USAGE;
    }
    const char *c = argv[1];
    if (!strcmp(c, "help") || !strcmp(c, "-h") || !strcmp(c, "--help")) {
        usage_main(stdout);
        return G5_EXIT_OK;
    }
    if (!strcmp(c, "version") || !strcmp(c, "--version")) {
        printf("glass5g-sim %s\n", G5_VERSION);
        return G5_EXIT_OK;
    }
    if (!strcmp(c, "run"))
        return cmd_run_sim(argc - 1, argv + 1);
    if (!strcmp(c, "load"))
        return cmd_load(argc - 1, argv + 1);
    if (!strcmp(c, "cli"))
        return cmd_cli(argc - 1, argv + 1);
    fprintf(stderr, "glass5g-sim: unknown command '%s'\n\n", c);
    usage_main(stderr);
    return G5_EXIT_USAGE;
}
