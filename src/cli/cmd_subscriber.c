/* `glass5g subscriber add|list|show|update|delete|import`: subscriber management over the
 * store (src/store/store.h). The store is located by -c glass5g.yaml (store.path,
 * store.key_file) or --db PATH --key-file PATH (defaults: glass5g.db, glass5g.key).
 *
 * Exit codes (cli.h): 0 ok; 1 the operation failed (duplicate, not found, bad import file,
 * wrong key file); 2 bad or missing arguments. Every message names the flag or field and
 * the fix; secret values (K, OPc, OP) are never echoed, and are printed only by
 * `show --show-secrets`. */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/hex.h"
#include "nf/config.h"
#include "store/import.h"
#include "store/store.h"

typedef struct sub_opts {
    const char *config, *db, *key_file;
    bool json, show_secrets, replace;
    size_t limit, offset;
    const char *positional; /* SUPI or FILE */
    /* field flags of add/update, applied in order */
    g5_subscriber sub;
    unsigned fields;
    bool default_dnn_set;
    bool have_supi;
    bool dnn_list_given; /* --dnn seen (else --default-dnn keeps the stored list) */
} sub_opts;

static const char common_help[] =
    "store: -c, --config FILE   read store.path and store.key_file from glass5g.yaml\n"
    "       --db PATH           database file (default glass5g.db)\n"
    "       --key-file PATH     32-byte master key file (default glass5g.key; created 0600\n"
    "                           with random content when a new database is created)\n";

static const char field_help[] =
    "  --supi imsi-MCCMNCMSIN   15 digits, e.g. imsi-001010000000001\n"
    "  --k HEX                  subscriber key K, 32 hex digits\n"
    "  --opc HEX | --op HEX     OPc or OP, 32 hex digits\n"
    "  --amf HEX                authentication management field (default 8000)\n"
    "  --sqn HEX|N              last SQN issued (default 0); 0x-hex, 12 hex digits or decimal\n"
    "  --auth METHOD            5g_aka (default) | eap_aka_prime\n"
    "  --slice SST[:SD]         allowed S-NSSAI, repeatable (default 1)\n"
    "  --dnn NAME               allowed DNN, repeatable; the first is the default\n"
    "                           (default internet); --default-dnn NAME picks another\n"
    "  --ambr-ul RATE --ambr-dl RATE   UE-AMBR, e.g. 1Gbps, 500Mbps (default 1Gbps/2Gbps)\n"
    "  --msisdn DIGITS          optional MSISDN (E.164 without '+'; empty removes it)\n";

static void help(const char *action)
{
    if (!action) {
        printf("usage: glass5g subscriber <add|list|show|update|delete|import> [options]\n"
               "Manages the subscribers of the UDR store. 'glass5g subscriber ACTION --help'\n"
               "describes an action.\n\n%s",
               common_help);
    } else if (!strcmp(action, "add")) {
        printf("usage: glass5g subscriber add --supi SUPI --k HEX (--opc HEX | --op HEX) "
               "[options]\nAdds one subscriber; an existing SUPI is an error (exit 1).\n\n%s\n%s",
               field_help, common_help);
    } else if (!strcmp(action, "update")) {
        printf("usage: glass5g subscriber update SUPI [field options]\nChanges only the given "
               "fields of an existing subscriber.\n\n%s\n%s",
               field_help, common_help);
    } else if (!strcmp(action, "list")) {
        printf("usage: glass5g subscriber list [--json] [--limit N] [--offset N]\nLists "
               "subscribers in SUPI order (default --limit 100), without secrets.\n\n%s",
               common_help);
    } else if (!strcmp(action, "show")) {
        printf("usage: glass5g subscriber show SUPI [--json] [--show-secrets]\nPrints one "
               "subscriber; K and OPc/OP only with --show-secrets.\n\n%s",
               common_help);
    } else if (!strcmp(action, "delete")) {
        printf("usage: glass5g subscriber delete SUPI\n\n%s", common_help);
    } else {
        printf("usage: glass5g subscriber import FILE.csv|FILE.yaml [--replace]\n"
               "Adds every subscriber in FILE in one transaction: any bad row is reported as\n"
               "FILE:LINE: field: problem, and nothing is written. Without --replace an\n"
               "existing SUPI is an error; with it the record is overwritten (its SQN never\n"
               "goes down).\n"
               "CSV: a header row naming the columns, e.g.\n"
               "  supi,k,opc,amf,sqn,auth,slices,dnns,ambr_ul,ambr_dl,msisdn\n"
               "  list cells separate items with ';' (slices 1;1:000001, dnns internet;ims).\n"
               "YAML: a list of maps with the same keys (slices/dnns may be lists).\n\n%s",
               common_help);
    }
}

/* "--ambr-ul" -> "ambr_ul"; "--slice" -> "slice". */
static void flag_to_field(const char *flag, char *out, size_t cap)
{
    snprintf(out, cap, "%s", flag + 2);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

static bool is_field_flag(const char *f)
{
    static const char *const names[] = {
        "--supi",  "--k",   "--opc",         "--op",      "--amf",     "--sqn",    "--auth",
        "--slice", "--dnn", "--default-dnn", "--ambr-ul", "--ambr-dl", "--msisdn", NULL};
    for (int i = 0; names[i]; i++)
        if (!strcmp(f, names[i]))
            return true;
    return false;
}

static int parse_size(const char *flag, const char *v, size_t *out)
{
    char *end = NULL;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*v || *end || v[0] == '-' || n > 1000000000ULL) {
        fprintf(stderr, "glass5g subscriber: %s: must be a number from 0 to 1000000000\n", flag);
        return G5_EXIT_USAGE;
    }
    *out = (size_t)n;
    return 0;
}

static int set_field_flag(sub_opts *o, const char *flag, const char *value)
{
    char name[32], why[256];
    flag_to_field(flag, name, sizeof name);
    if (!strcmp(name, "supi"))
        o->have_supi = true;
    if (!strcmp(name, "dnn"))
        o->dnn_list_given = true;
    if (g5_sub_field_set(&o->sub, name, value, &o->fields, &o->default_dnn_set, why, sizeof why)) {
        fprintf(stderr, "glass5g subscriber: %s: %s\n", flag, why);
        return G5_EXIT_USAGE;
    }
    return 0;
}

/* Splits "--flag=value" or "--flag value". */
static int take_value(int argc, char **argv, int *i, const char **flag, const char **value,
                      char *buf, size_t cap)
{
    const char *a = argv[*i], *eq = strchr(a, '=');
    if (eq && a[0] == '-' && a[1] == '-') {
        snprintf(buf, cap, "%.*s", (int)(eq - a), a);
        *flag = buf;
        *value = eq + 1;
        return 0;
    }
    *flag = a;
    if (*i + 1 >= argc) {
        fprintf(stderr, "glass5g subscriber: %s: needs a value\n", a);
        return G5_EXIT_USAGE;
    }
    *value = argv[++*i];
    return 0;
}

static bool flag_has_value(const char *f)
{
    return is_field_flag(f) || !strcmp(f, "-c") || !strcmp(f, "--config") || !strcmp(f, "--db") ||
           !strcmp(f, "--key-file") || !strcmp(f, "--limit") || !strcmp(f, "--offset");
}

static int parse_one(sub_opts *o, const char *action, const char *flag, const char *value)
{
    bool fields_ok = !strcmp(action, "add") || !strcmp(action, "update");
    if (!strcmp(flag, "-c") || !strcmp(flag, "--config"))
        o->config = value;
    else if (!strcmp(flag, "--db"))
        o->db = value;
    else if (!strcmp(flag, "--key-file"))
        o->key_file = value;
    else if (!strcmp(flag, "--limit") && !strcmp(action, "list"))
        return parse_size(flag, value, &o->limit);
    else if (!strcmp(flag, "--offset") && !strcmp(action, "list"))
        return parse_size(flag, value, &o->offset);
    else if (is_field_flag(flag) && fields_ok)
        return set_field_flag(o, flag, value);
    else {
        fprintf(stderr, "glass5g subscriber %s: unknown option %s; see --help\n", action, flag);
        return G5_EXIT_USAGE;
    }
    return 0;
}

static int parse_switch(sub_opts *o, const char *action, const char *a)
{
    if (!strcmp(a, "--json") && (!strcmp(action, "list") || !strcmp(action, "show")))
        o->json = true;
    else if (!strcmp(a, "--show-secrets") && !strcmp(action, "show"))
        o->show_secrets = true;
    else if (!strcmp(a, "--replace") && !strcmp(action, "import"))
        o->replace = true;
    else {
        fprintf(stderr, "glass5g subscriber %s: unknown option %s; see --help\n", action, a);
        return G5_EXIT_USAGE;
    }
    return 0;
}

static int parse_args(int argc, char **argv, const char *action, sub_opts *o)
{
    memset(o, 0, sizeof *o);
    g5_subscriber_defaults(&o->sub);
    o->limit = 100;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        char buf[64];
        int rc;
        if (a[0] != '-' || !a[1]) {
            if (o->positional) {
                fprintf(stderr, "glass5g subscriber %s: unexpected argument '%.40s'\n", action, a);
                return G5_EXIT_USAGE;
            }
            o->positional = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        snprintf(buf, sizeof buf, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        if (flag_has_value(buf)) {
            const char *flag, *value;
            rc = take_value(argc, argv, &i, &flag, &value, buf, sizeof buf);
            if (rc == 0)
                rc = parse_one(o, action, flag, value);
        } else {
            rc = parse_switch(o, action, a);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int open_store(const sub_opts *o, bool create, g5_store **st)
{
    static g5_config cfg; /* large; one per process */
    g5_config_defaults(&cfg);
    if (o->config && g5_config_load(&cfg, o->config, stderr))
        return G5_EXIT_USAGE;
    g5_store_params p = {
        .path = o->db ? o->db : cfg.store.path,
        .key_file = o->key_file ? o->key_file : cfg.store.key_file,
        .create = create,
    };
    char err[512];
    if (g5_store_open(&p, st, err, sizeof err)) {
        fprintf(stderr, "glass5g subscriber: %s\n", err);
        return G5_EXIT_FAIL;
    }
    return 0;
}

/* --- output -------------------------------------------------------------------------- */

static void fmt_slices(const g5_subscriber *s, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < s->n_nssai && n < cap; i++) {
        if (s->nssai[i].sd == G5_SD_NONE)
            n += (size_t)snprintf(out + n, cap - n, "%s%u", i ? "," : "", s->nssai[i].sst);
        else
            n += (size_t)snprintf(out + n, cap - n, "%s%u:%06" PRIx32, i ? "," : "",
                                  s->nssai[i].sst, s->nssai[i].sd);
    }
}

static void fmt_dnns(const g5_subscriber *s, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < s->n_dnns && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s%s", i ? "," : "", s->dnns[i],
                              strcmp(s->dnns[i], s->default_dnn) ? "" : "*");
}

static void fmt_rate(uint64_t bps, char *out, size_t cap)
{
    static const struct {
        uint64_t div;
        const char *unit;
    } u[] = {{1000000000000ULL, "Tbps"},
             {1000000000ULL, "Gbps"},
             {1000000ULL, "Mbps"},
             {1000ULL, "kbps"},
             {1, "bps"}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (bps % u[i].div == 0) {
            snprintf(out, cap, "%" PRIu64 "%s", bps / u[i].div, u[i].unit);
            return;
        }
}

static void fmt_time(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *sub_json(const g5_subscriber *s, bool secrets)
{
    char hex[40], t1[32], t2[32];
    json_t *o = json_object(), *sl = json_array(), *dn = json_array();
    json_object_set_new(o, "supi", json_string(s->supi));
    json_object_set_new(o, "auth_method", json_string(g5_auth_method_name(s->auth_method)));
    json_object_set_new(o, "op_kind", json_string(s->op_kind == G5_OP_IS_OP ? "op" : "opc"));
    if (secrets && s->has_secrets) {
        g5_hex_encode(s->k, 16, hex);
        json_object_set_new(o, "k", json_string(hex));
        g5_hex_encode(s->op, 16, hex);
        json_object_set_new(o, s->op_kind == G5_OP_IS_OP ? "op" : "opc", json_string(hex));
    }
    g5_hex_encode(s->amf, 2, hex);
    json_object_set_new(o, "amf", json_string(hex));
    snprintf(hex, sizeof hex, "%012" PRIx64, s->sqn);
    json_object_set_new(o, "sqn", json_string(hex));
    for (int i = 0; i < s->n_nssai; i++) {
        json_t *x = json_pack("{s:i}", "sst", (int)s->nssai[i].sst);
        if (s->nssai[i].sd != G5_SD_NONE) {
            snprintf(hex, sizeof hex, "%06" PRIx32, s->nssai[i].sd);
            json_object_set_new(x, "sd", json_string(hex));
        }
        json_array_append_new(sl, x);
    }
    json_object_set_new(o, "slices", sl);
    json_object_set_new(o, "default_dnn", json_string(s->default_dnn));
    for (int i = 0; i < s->n_dnns; i++)
        json_array_append_new(dn, json_string(s->dnns[i]));
    json_object_set_new(o, "dnns", dn);
    json_object_set_new(o, "ambr_ul", json_integer((json_int_t)s->ambr_ul));
    json_object_set_new(o, "ambr_dl", json_integer((json_int_t)s->ambr_dl));
    json_object_set_new(o, "msisdn", s->msisdn[0] ? json_string(s->msisdn) : json_null());
    fmt_time(s->created, t1, sizeof t1);
    fmt_time(s->updated, t2, sizeof t2);
    json_object_set_new(o, "created", json_string(t1));
    json_object_set_new(o, "updated", json_string(t2));
    return o;
}

static void print_json(json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        puts(text);
        size_t n = strlen(text);
        memset(text, 0, n); /* may hold K/OPc with --show-secrets */
        free(text);
    }
    json_decref(j);
}

static void print_show(const g5_subscriber *s, bool secrets)
{
    char a[600], b[32], c[32];
    printf("supi:        %s\n", s->supi);
    printf("auth:        %s\n", g5_auth_method_name(s->auth_method));
    if (secrets) {
        g5_hex_encode(s->k, 16, a);
        printf("k:           %s\n", a);
        g5_hex_encode(s->op, 16, a);
        printf("%-12s %s\n", s->op_kind == G5_OP_IS_OP ? "op:" : "opc:", a);
        memset(a, 0, sizeof a);
    } else {
        printf("k:           (hidden; --show-secrets prints it)\n");
        printf("%-12s (hidden)\n", s->op_kind == G5_OP_IS_OP ? "op:" : "opc:");
    }
    g5_hex_encode(s->amf, 2, a);
    printf("amf:         %s\n", a);
    printf("sqn:         %012" PRIx64 " (SEQ %" PRIu64 ", IND %u)\n", s->sqn, s->sqn >> 5,
           (unsigned)(s->sqn & 31));
    fmt_slices(s, a, sizeof a);
    printf("slices:      %s\n", a);
    fmt_dnns(s, a, sizeof a);
    printf("dnns:        %s   (* default)\n", a);
    fmt_rate(s->ambr_ul, b, sizeof b);
    fmt_rate(s->ambr_dl, c, sizeof c);
    printf("ue-ambr:     ul %s, dl %s\n", b, c);
    printf("msisdn:      %s\n", s->msisdn[0] ? s->msisdn : "-");
    fmt_time(s->created, b, sizeof b);
    fmt_time(s->updated, c, sizeof c);
    printf("created:     %s\nupdated:     %s\n", b, c);
}

/* --- actions ------------------------------------------------------------------------- */

static int need_supi(const sub_opts *o, const char *action)
{
    char why[200];
    if (!o->positional) {
        fprintf(stderr, "glass5g subscriber %s: give the SUPI, e.g. %s imsi-001010000000001\n",
                action, action);
        return G5_EXIT_USAGE;
    }
    if (g5_supi_validate(o->positional, 0, why, sizeof why)) {
        fprintf(stderr, "glass5g subscriber %s: SUPI: %s\n", action, why);
        return G5_EXIT_USAGE;
    }
    return 0;
}

static int fail(g5_store *st, const char *action)
{
    fprintf(stderr, "glass5g subscriber %s: %s\n", action, g5_store_errmsg(st));
    return G5_EXIT_FAIL;
}

static int do_add(sub_opts *o)
{
    char why[256];
    if (o->positional) {
        fprintf(stderr, "glass5g subscriber add: unexpected argument '%.40s'; use --supi\n",
                o->positional);
        return G5_EXIT_USAGE;
    }
    if (!o->have_supi) {
        fprintf(stderr, "glass5g subscriber add: --supi: missing; e.g. --supi "
                        "imsi-001010000000001\n");
        return G5_EXIT_USAGE;
    }
    if (!(o->fields & G5_SUB_F_K)) {
        fprintf(stderr, "glass5g subscriber add: --k: missing; give the subscriber key K as 32 "
                        "hex digits\n");
        return G5_EXIT_USAGE;
    }
    if (!(o->fields & G5_SUB_F_OP)) {
        fprintf(stderr, "glass5g subscriber add: --opc: missing; give --opc HEX (or --op HEX), "
                        "32 hex digits\n");
        return G5_EXIT_USAGE;
    }
    g5_sub_fields_finish(&o->sub, o->fields, o->default_dnn_set);
    if (g5_subscriber_validate(&o->sub, why, sizeof why)) {
        fprintf(stderr, "glass5g subscriber add: --%s\n", why);
        return G5_EXIT_USAGE;
    }
    g5_store *st;
    int rc = open_store(o, true, &st);
    if (rc)
        return rc;
    rc = g5_store_sub_put(st, &o->sub) ? fail(st, "add") : G5_EXIT_OK;
    if (rc == G5_EXIT_OK)
        printf("added %s\n", o->sub.supi);
    g5_store_close(st);
    return rc;
}

static int do_update(sub_opts *o)
{
    int rc = need_supi(o, "update");
    if (rc)
        return rc;
    if (o->have_supi) {
        fprintf(stderr, "glass5g subscriber update: --supi: the SUPI cannot change; delete and "
                        "add instead\n");
        return G5_EXIT_USAGE;
    }
    if (o->fields == 0) {
        fprintf(stderr, "glass5g subscriber update: nothing to change; give at least one field "
                        "option (see --help)\n");
        return G5_EXIT_USAGE;
    }
    snprintf(o->sub.supi, sizeof o->sub.supi, "%s", o->positional);
    g5_store *st;
    if ((rc = open_store(o, false, &st)))
        return rc;
    if (o->default_dnn_set && !o->dnn_list_given) { /* only the default changes */
        g5_subscriber cur;
        if (g5_store_sub_get(st, o->sub.supi, &cur)) {
            rc = fail(st, "update");
            g5_store_close(st);
            return rc;
        }
        memcpy(o->sub.dnns, cur.dnns, sizeof cur.dnns);
        o->sub.n_dnns = cur.n_dnns;
        g5_subscriber_wipe(&cur);
    }
    g5_sub_fields_finish(&o->sub, o->fields, o->default_dnn_set);
    g5_subscriber after;
    rc = g5_store_sub_update(st, &o->sub, o->fields, &after) ? fail(st, "update") : G5_EXIT_OK;
    if (rc == G5_EXIT_OK) {
        printf("updated %s\n", o->sub.supi);
        g5_subscriber_wipe(&after);
    }
    g5_store_close(st);
    return rc;
}

static int do_show(sub_opts *o)
{
    int rc = need_supi(o, "show");
    g5_store *st;
    if (rc || (rc = open_store(o, false, &st)))
        return rc;
    g5_subscriber s;
    rc = g5_store_sub_get(st, o->positional, &s) ? fail(st, "show") : G5_EXIT_OK;
    if (rc == G5_EXIT_OK) {
        if (o->json)
            print_json(sub_json(&s, o->show_secrets));
        else
            print_show(&s, o->show_secrets);
        g5_subscriber_wipe(&s);
    }
    g5_store_close(st);
    return rc;
}

static int do_delete(sub_opts *o)
{
    int rc = need_supi(o, "delete");
    g5_store *st;
    if (rc || (rc = open_store(o, false, &st)))
        return rc;
    rc = g5_store_sub_delete(st, o->positional) ? fail(st, "delete") : G5_EXIT_OK;
    if (rc == G5_EXIT_OK)
        printf("deleted %s\n", o->positional);
    g5_store_close(st);
    return rc;
}

static void print_table(const g5_subscriber *subs, size_t n, size_t total, size_t offset)
{
    printf("%-21s %-13s %-4s %-4s %-12s %-18s %-20s %-15s %s\n", "SUPI", "AUTH", "OP", "AMF", "SQN",
           "SLICES", "DNNS", "AMBR UL/DL", "MSISDN");
    for (size_t i = 0; i < n; i++) {
        const g5_subscriber *s = &subs[i];
        char amf[8], sl[200], dn[600], ul[32], dl[32], ambr[70];
        g5_hex_encode(s->amf, 2, amf);
        fmt_slices(s, sl, sizeof sl);
        fmt_dnns(s, dn, sizeof dn);
        fmt_rate(s->ambr_ul, ul, sizeof ul);
        fmt_rate(s->ambr_dl, dl, sizeof dl);
        snprintf(ambr, sizeof ambr, "%s/%s", ul, dl);
        printf("%-21s %-13s %-4s %-4s %012" PRIx64 " %-18s %-20s %-15s %s\n", s->supi,
               g5_auth_method_name(s->auth_method), s->op_kind == G5_OP_IS_OP ? "op" : "opc", amf,
               s->sqn, sl, dn, ambr, s->msisdn[0] ? s->msisdn : "-");
    }
    printf("(%zu of %zu subscribers, from offset %zu)\n", n, total, offset);
}

static int do_list(sub_opts *o)
{
    if (o->positional) {
        fprintf(stderr, "glass5g subscriber list: unexpected argument '%.40s'\n", o->positional);
        return G5_EXIT_USAGE;
    }
    g5_store *st;
    int rc = open_store(o, false, &st);
    if (rc)
        return rc;
    size_t cap = o->limit ? o->limit : 1, n = 0, total = 0;
    if (cap > 100000)
        cap = 100000; /* a page; use --offset for more */
    g5_subscriber *subs = calloc(cap, sizeof *subs);
    if (!subs) {
        g5_store_close(st);
        fprintf(stderr, "glass5g subscriber list: out of memory\n");
        return G5_EXIT_FAIL;
    }
    size_t limit = o->limit < cap ? o->limit : cap;
    rc = g5_store_sub_list(st, o->offset, limit, subs, &n, &total) ? fail(st, "list") : G5_EXIT_OK;
    if (rc == G5_EXIT_OK && o->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, sub_json(&subs[i], false));
        print_json(json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "offset",
                             (json_int_t)o->offset, "limit", (json_int_t)limit, "subscribers",
                             arr));
    } else if (rc == G5_EXIT_OK) {
        print_table(subs, n, total, o->offset);
    }
    free(subs);
    g5_store_close(st);
    return rc;
}

static int do_import(sub_opts *o)
{
    if (!o->positional) {
        fprintf(stderr, "glass5g subscriber import: give the file, e.g. import subs.csv\n");
        return G5_EXIT_USAGE;
    }
    g5_import imp;
    char err[512];
    if (g5_import_file(o->positional, &imp, err, sizeof err)) {
        fprintf(stderr, "glass5g subscriber import: %s\nnothing was imported\n", err);
        return G5_EXIT_FAIL;
    }
    g5_store *st;
    int rc = open_store(o, true, &st);
    if (rc) {
        g5_import_free(&imp);
        return rc;
    }
    size_t bad = 0;
    if (g5_store_sub_import(st, imp.subs, imp.n, o->replace, &bad)) {
        fprintf(stderr, "glass5g subscriber import: %s:%d: %s\nnothing was imported\n",
                o->positional, bad < imp.n ? imp.lines[bad] : 0, g5_store_errmsg(st));
        rc = G5_EXIT_FAIL;
    } else {
        printf("imported %zu subscribers from %s (one transaction)\n", imp.n, o->positional);
    }
    g5_import_free(&imp);
    g5_store_close(st);
    return rc;
}

int cmd_subscriber(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(sub_opts *);
    } actions[] = {{"add", do_add},       {"list", do_list},     {"show", do_show},
                   {"update", do_update}, {"delete", do_delete}, {"import", do_import}};
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        help(NULL);
        return argc < 2 ? G5_EXIT_USAGE : G5_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(argv[1], actions[i].name) != 0)
            continue;
        if (g5_cli_wants_help(argc, argv)) {
            help(actions[i].name);
            return G5_EXIT_OK;
        }
        static sub_opts o;
        int rc = parse_args(argc, argv, actions[i].name, &o);
        if (rc == 0)
            rc = actions[i].fn(&o);
        g5_subscriber_wipe(&o.sub);
        return rc;
    }
    fprintf(stderr,
            "glass5g subscriber: unknown action '%.40s'; use add, list, show, update, "
            "delete or import\n",
            argv[1]);
    return G5_EXIT_USAGE;
}
