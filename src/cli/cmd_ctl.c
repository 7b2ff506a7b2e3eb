/* `glass5g ctl`: the operator's client of a running `glass5g run` (docs/ctl.md). Turns the
 * command line into one JSON request on the control socket (src/nf/ctl/ctl.h), prints the
 * answer as text (or, with --json, as JSON). The socket is --socket PATH, else the one the
 * configuration (-c) names, else the default next to the default store. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/ctlsock.h"
#include "core/err.h"
#include "nf/config.h"
#include "nf/ctl/ctl.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: glass5g ctl [-c glass5g.yaml | --socket PATH] [--json] [--timeout MS]\n"
               "                   <command> [arguments]\n"
               "Asks a running `glass5g run` over its control socket (ctl.socket).\n"
               "commands:\n"
               "  status                         NFs, uptime, counters, gNB and UE counts\n"
               "  gnb-list                       connected gNBs\n"
               "  ue-list [--limit N]            UE contexts (default 100, at most 10000)\n"
               "  ue-show SUPI                   one UE and its PDU sessions\n"
               "  ue-deregister SUPI [--reregister]\n"
               "                                 network-initiated deregistration\n"
               "  ps-release SUPI PSI [--cause N]\n"
               "                                 network-requested PDU session release\n"
               "                                 (5GSM cause, default 36 regular deactivation)\n"
               "  ps-modify SUPI PSI [--ambr-ul BPS] [--ambr-dl BPS]\n"
               "                                 network-requested session-AMBR modification\n"
               "  ng-reset GNB                   NG Reset of gNB number GNB (see gnb-list)\n"
               "  log-level LEVEL [--module M]   error|warn|notice|info|debug at run time\n"
               "SUPI is imsi-<digits> or the digits alone. Exit status: 0 done, 1 refused or\n"
               "failed (the reason is printed), 2 usage error.\n");
}

typedef struct ctl_args {
    const char *config, *socket, *cmd, *pos[3], *module;
    int npos;
    bool json, reregister;
    int timeout_ms;
    long long limit, cause, ambr_ul, ambr_dl;
} ctl_args;

static int parse_num(const char *opt, const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!s[0] || *end || errno || v < min || v > max) {
        fprintf(stderr, "glass5g ctl: %s: '%s' is not an integer from %lld to %lld\n", opt, s, min,
                max);
        return G5_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, ctl_args *a)
{
    long long t = 5000;
    a->limit = a->cause = a->ambr_ul = a->ambr_dl = -1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool v = i + 1 < argc;
        int rc = 0;
        if ((!strcmp(o, "-c") || !strcmp(o, "--config")) && v)
            a->config = argv[++i];
        else if (!strcmp(o, "--socket") && v)
            a->socket = argv[++i];
        else if (!strcmp(o, "--json"))
            a->json = true;
        else if (!strcmp(o, "--reregister"))
            a->reregister = true;
        else if (!strcmp(o, "--timeout") && v)
            rc = parse_num(o, argv[++i], 1, 600000, &t);
        else if (!strcmp(o, "--limit") && v)
            rc = parse_num(o, argv[++i], 1, CORECTL_LIST_MAX, &a->limit);
        else if (!strcmp(o, "--cause") && v)
            rc = parse_num(o, argv[++i], 1, 255, &a->cause);
        else if (!strcmp(o, "--ambr-ul") && v)
            rc = parse_num(o, argv[++i], 1, INT64_MAX, &a->ambr_ul);
        else if (!strcmp(o, "--ambr-dl") && v)
            rc = parse_num(o, argv[++i], 1, INT64_MAX, &a->ambr_dl);
        else if (!strcmp(o, "--module") && v)
            a->module = argv[++i];
        else if (o[0] == '-' && o[1]) {
            fprintf(stderr, "glass5g ctl: unknown option '%s'\n", o);
            return G5_EXIT_USAGE;
        } else if (!a->cmd)
            a->cmd = o;
        else if (a->npos < 3)
            a->pos[a->npos++] = o;
        else {
            fprintf(stderr, "glass5g ctl: unexpected argument '%s'\n", o);
            return G5_EXIT_USAGE;
        }
        if (rc)
            return rc;
    }
    a->timeout_ms = (int)t;
    return 0;
}

/* The request for a->cmd; NULL after a usage message. */
static json_t *build_request(const ctl_args *a)
{
    static const struct {
        const char *name;
        int npos; /* positional arguments */
    } cmds[] = {{"status", 0},    {"gnb-list", 0},      {"ue-list", 0},
                {"ue-show", 1},   {"ue-deregister", 1}, {"ps-release", 2},
                {"ps-modify", 2}, {"ng-reset", 1},      {"log-level", 1}};
    int want = -1;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(a->cmd, cmds[i].name))
            want = cmds[i].npos;
    if (want < 0) {
        fprintf(stderr, "glass5g ctl: unknown command '%s'\n", a->cmd);
        return NULL;
    }
    if (a->npos != want) {
        fprintf(stderr, "glass5g ctl %s: takes %d argument%s (see glass5g ctl --help)\n", a->cmd,
                want, want == 1 ? "" : "s");
        return NULL;
    }
    json_t *r = json_pack("{s:s}", "cmd", a->cmd);
    long long n = 0;
    if (!strcmp(a->cmd, "ng-reset")) {
        if (parse_num("GNB", a->pos[0], 1, UINT32_MAX, &n))
            goto bad;
        json_object_set_new(r, "gnb", json_integer(n));
    } else if (!strcmp(a->cmd, "log-level")) {
        json_object_set_new(r, "level", json_string(a->pos[0]));
        if (a->module)
            json_object_set_new(r, "module", json_string(a->module));
    } else if (want >= 1) {
        json_object_set_new(r, "supi", json_string(a->pos[0]));
    }
    if (want == 2) {
        if (parse_num("PSI", a->pos[1], 1, 15, &n))
            goto bad;
        json_object_set_new(r, "psi", json_integer(n));
    }
    if (a->reregister)
        json_object_set_new(r, "reregister", json_true());
    if (a->limit > 0)
        json_object_set_new(r, "limit", json_integer(a->limit));
    if (a->cause > 0)
        json_object_set_new(r, "cause", json_integer(a->cause));
    if (a->ambr_ul > 0)
        json_object_set_new(r, "ambr_ul", json_integer(a->ambr_ul));
    if (a->ambr_dl > 0)
        json_object_set_new(r, "ambr_dl", json_integer(a->ambr_dl));
    return r;
bad:
    json_decref(r);
    return NULL;
}

/* ---- text output ---- */

static long long geti(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static const char *gets(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static void print_status(json_t *a)
{
    long long up = geti(a, "uptime_s");
    printf("glass5g core up %lldd %02lld:%02lld:%02lld; NFs:", up / 86400, up / 3600 % 24,
           up / 60 % 60, up % 60);
    size_t i;
    json_t *v;
    for (i = 0; (v = json_array_get(json_object_get(a, "nfs"), i)) != NULL; i++)
        printf(" %s", json_string_value(v));
    printf("\ngNBs %lld, UEs %lld (registered %lld, connected %lld)\n", geti(a, "gnbs"),
           geti(a, "ues"), geti(a, "ues_registered"), geti(a, "ues_connected"));
    json_t *m = json_object_get(a, "amf");
    printf("AMF  registrations %lld accepted, %lld rejected, %lld completed; deregistrations "
           "%lld by UE, %lld by network; service %lld accepted, %lld rejected; NG Setup %lld/%lld "
           "failed; NG Reset %lld received, %lld sent\n",
           geti(m, "reg_accept"), geti(m, "reg_reject"), geti(m, "reg_complete"),
           geti(m, "dereg_ue"), geti(m, "dereg_nw"), geti(m, "service_accept"),
           geti(m, "service_reject"), geti(m, "ng_setup_ok"), geti(m, "ng_setup_fail"),
           geti(m, "ng_reset_rx"), geti(m, "ng_reset_sent"));
    if ((m = json_object_get(a, "smf")))
        printf("SMF  PDU sessions %lld active; %lld created, %lld rejected, %lld released\n",
               geti(m, "sessions_active"), geti(m, "created"), geti(m, "rejected"),
               geti(m, "released"));
    if ((m = json_object_get(a, "upf")))
        printf("UPF  sessions %lld; uplink %lld pkts %lld B, downlink %lld pkts %lld B; dropped "
               "%lld UL, %lld DL, %lld MBR\n",
               geti(m, "sessions"), geti(m, "ul_pkts"), geti(m, "ul_bytes"), geti(m, "dl_pkts"),
               geti(m, "dl_bytes"), geti(m, "ul_drop"), geti(m, "dl_drop"), geti(m, "mbr_drop"));
}

static void print_gnbs(json_t *a)
{
    printf("%-5s %-22s %-20s %-22s %-5s %-16s\n", "GNB", "GLOBAL-GNB-ID", "NAME", "PEER", "UES",
           "TACS");
    size_t i, k;
    json_t *g, *t;
    for (i = 0; (g = json_array_get(json_object_get(a, "gnbs"), i)) != NULL; i++) {
        char id[40] = "-", tacs[128] = "";
        json_t *gid = json_object_get(g, "global_gnb_id");
        if (gid)
            snprintf(id, sizeof id, "%s/%llx/%lld", gets(gid, "plmn"), geti(gid, "gnb_id"),
                     geti(gid, "bits"));
        for (k = 0; (t = json_array_get(json_object_get(g, "tacs"), k)) != NULL; k++) {
            size_t l = strlen(tacs);
            snprintf(tacs + l, sizeof tacs - l, "%s%lld", k ? "," : "",
                     (long long)json_integer_value(t));
        }
        printf("%-5lld %-22s %-20s %-22s %-5lld %s%s\n", geti(g, "gnb"), id, gets(g, "name"),
               gets(g, "peer"), geti(g, "ues"), tacs,
               json_is_true(json_object_get(g, "ng_setup")) ? "" : " (no NG Setup)");
    }
}

static void psi_list(json_t *arr, char *out, size_t n)
{
    size_t i;
    json_t *v;
    out[0] = 0;
    for (i = 0; (v = json_array_get(arr, i)) != NULL; i++) {
        size_t l = strlen(out);
        json_t *p = json_is_object(v) ? json_object_get(v, "psi") : v;
        snprintf(out + l, n - l, "%s%lld", i ? "," : "", (long long)json_integer_value(p));
    }
    if (!out[0])
        snprintf(out, n, "-");
}

static void print_ues(json_t *a)
{
    printf("%-22s %-16s %-13s %-5s %-12s %s\n", "SUPI", "5GMM", "CM", "GNB", "TAI", "PSIS");
    size_t i;
    json_t *u;
    for (i = 0; (u = json_array_get(json_object_get(a, "ues"), i)) != NULL; i++) {
        char gnb[16] = "-", tai[24], psis[64];
        json_t *tj = json_object_get(u, "tai");
        if (json_is_integer(json_object_get(u, "gnb")))
            snprintf(gnb, sizeof gnb, "%lld", geti(u, "gnb"));
        snprintf(tai, sizeof tai, "%s-%06llx", gets(tj, "plmn"), geti(tj, "tac"));
        psi_list(json_object_get(u, "psis"), psis, sizeof psis);
        printf("%-22s %-16s %-13s %-5s %-12s %s\n", gets(u, "supi"), gets(u, "gmm_state"),
               gets(u, "cm_state"), gnb, tai, psis);
    }
    printf("(%zu of %lld UE contexts)\n", json_array_size(json_object_get(a, "ues")),
           geti(a, "total"));
}

static void print_ue(json_t *a)
{
    json_t *u = json_object_get(a, "ue"), *tj = json_object_get(u, "tai");
    printf("SUPI        %s\n5GMM state  %s (%s)\nCM state    %s\n", gets(u, "supi"),
           gets(u, "gmm_state"), gets(u, "rm_state"), gets(u, "cm_state"));
    printf("5G-GUTI     %s\nTAI         PLMN %s TAC %lld\n", gets(u, "guti"), gets(tj, "plmn"),
           geti(tj, "tac"));
    if (json_is_integer(json_object_get(u, "gnb")))
        printf("gNB         %lld (AMF UE NGAP ID %lld, RAN UE NGAP ID %lld)\n", geti(u, "gnb"),
               geti(u, "amf_ue_ngap_id"), geti(u, "ran_ue_ngap_id"));
    size_t i;
    json_t *s;
    for (i = 0; (s = json_array_get(json_object_get(u, "pdu_sessions"), i)) != NULL; i++) {
        json_t *sn = json_object_get(s, "snssai");
        printf("PDU session %lld: %s, DNN %s, S-NSSAI %lld%s%s, IPv4 %s, IPv6 %s, upCnxState %s\n",
               geti(s, "psi"), gets(s, "state"), gets(s, "dnn"), geti(sn, "sst"),
               json_object_get(sn, "sd") ? "/" : "",
               json_object_get(sn, "sd") ? gets(sn, "sd") : "", gets(s, "ipv4"),
               gets(s, "ipv6_prefix"), gets(s, "up_cnx_state"));
    }
    if (!json_array_size(json_object_get(u, "pdu_sessions")))
        printf("PDU sessions none\n");
}

static void print_answer(const char *cmd, json_t *a)
{
    if (!strcmp(cmd, "status"))
        print_status(a);
    else if (!strcmp(cmd, "gnb-list"))
        print_gnbs(a);
    else if (!strcmp(cmd, "ue-list"))
        print_ues(a);
    else if (!strcmp(cmd, "ue-show"))
        print_ue(a);
    else if (!strcmp(cmd, "ue-deregister"))
        printf("deregistration of %s started%s\n", gets(a, "supi"),
               json_is_true(json_object_get(a, "reregister")) ? " (re-registration required)" : "");
    else if (!strcmp(cmd, "ps-release"))
        printf("release of PDU session %lld of %s started (5GSM cause #%lld)\n", geti(a, "psi"),
               gets(a, "supi"), geti(a, "cause"));
    else if (!strcmp(cmd, "ng-reset"))
        printf("NG Reset sent to gNB %lld; %lld UE connections released\n", geti(a, "gnb"),
               geti(a, "ue_connections_released"));
    else if (!strcmp(cmd, "log-level"))
        printf("log level %s (was %s)\n", gets(a, "level"), gets(a, "previous"));
    else
        printf("done\n");
}

/* ---- main ---- */

static int socket_path(const ctl_args *a, char *out, size_t n)
{
    if (a->socket) {
        snprintf(out, n, "%s", a->socket);
        return 0;
    }
    static g5_config cfg;
    g5_config_defaults(&cfg);
    if (a->config && g5_config_load(&cfg, a->config, stderr) != 0)
        return G5_EXIT_FAIL;
    if (corectl_socket_path(&cfg, out, n) != 0) {
        fprintf(stderr, "glass5g ctl: the control socket path is too long; use --socket\n");
        return G5_EXIT_FAIL;
    }
    return 0;
}

int cmd_ctl(int argc, char **argv)
{
    if (g5_cli_wants_help(argc, argv)) {
        usage(stdout);
        return G5_EXIT_OK;
    }
    ctl_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    if (!a.cmd) {
        usage(stderr);
        return G5_EXIT_USAGE;
    }
    json_t *req = build_request(&a);
    if (!req)
        return G5_EXIT_USAGE;
    char path[256];
    if ((rc = socket_path(&a, path, sizeof path)) != 0) {
        json_decref(req);
        return rc;
    }
    char *line = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    size_t n = line ? strlen(line) : 0;
    char *msg = line ? malloc(n + 2) : NULL;
    if (msg)
        snprintf(msg, n + 2, "%s\n", line);
    free(line);
    char *answer = NULL, err[300];
    rc = msg ? g5_ctl_request(path, msg, &answer, a.timeout_ms, "glass5g run", err, sizeof err)
             : G5_ERR_NOMEM;
    free(msg);
    if (rc) {
        fprintf(stderr, "glass5g ctl: %s\n", rc == G5_ERR_NOMEM ? "out of memory" : err);
        return G5_EXIT_FAIL;
    }
    json_error_t jerr;
    json_t *ans = json_loads(answer, 0, &jerr);
    free(answer);
    if (!json_is_object(ans)) {
        json_decref(ans);
        fprintf(stderr, "glass5g ctl: the core sent an answer that is not a JSON object\n");
        return G5_EXIT_FAIL;
    }
    bool ok = json_is_true(json_object_get(ans, "ok"));
    if (a.json) {
        char *s = json_dumps(ans, JSON_INDENT(2));
        if (s)
            fprintf(ok ? stdout : stderr, "%s\n", s);
        free(s);
    } else if (ok) {
        print_answer(a.cmd, ans);
    } else {
        fprintf(stderr, "glass5g ctl %s: %s\n", a.cmd, gets(ans, "error"));
    }
    json_decref(ans);
    return ok ? G5_EXIT_OK : G5_EXIT_FAIL;
}
