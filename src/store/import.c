/* Subscriber fields from text, and the CSV / YAML importers (see import.h). */
#include "store/import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "core/hex.h"
#include "core/yaml.h"

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), G5_ERR_INVALID)

static int set_key16(uint8_t out[16], const char *value, const char *what, char *why, size_t whylen)
{
    if (g5_hex_decode_exact(value, out, 16) != 16)
        return WHY("must be 32 hex digits (16 bytes) of %s", what);
    return 0;
}

static int add_slice(g5_subscriber *sub, const char *item, char *why, size_t whylen)
{
    if (sub->n_nssai >= G5_SUB_MAX_SLICES)
        return WHY("at most %d slices", G5_SUB_MAX_SLICES);
    if (g5_snssai_parse(item, &sub->nssai[sub->n_nssai]))
        return WHY("'%.40s' is not a slice; write SST or SST:SD, e.g. 1 or 1:000001 "
                   "(SST 0-255, SD 6 hex digits)",
                   item);
    sub->n_nssai++;
    return 0;
}

static int add_dnn(g5_subscriber *sub, const char *item, char *why, size_t whylen)
{
    if (sub->n_dnns >= G5_SUB_MAX_DNNS)
        return WHY("at most %d DNNs", G5_SUB_MAX_DNNS);
    if (strlen(item) >= G5_DNN_MAX)
        return WHY("'%.40s...' is longer than %d characters", item, G5_DNN_MAX - 1);
    strcpy(sub->dnns[sub->n_dnns++], item);
    return 0;
}

/* Appends each ';'/','-separated item of value. */
static int add_items(g5_subscriber *sub, const char *value, bool slices, char *why, size_t whylen)
{
    char buf[1024];
    if (strlen(value) >= sizeof buf)
        return WHY("list is too long");
    strcpy(buf, value);
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(buf, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
        while (*t == ' ')
            t++;
        size_t len = strlen(t);
        while (len && t[len - 1] == ' ')
            t[--len] = 0;
        if (!*t)
            continue;
        int rc = slices ? add_slice(sub, t, why, whylen) : add_dnn(sub, t, why, whylen);
        if (rc)
            return rc;
        n++;
    }
    if (n == 0)
        return WHY("is empty; give at least one item");
    return 0;
}

static int set_amf(g5_subscriber *sub, const char *value, char *why, size_t whylen)
{
    if (g5_hex_decode_exact(value, sub->amf, 2) != 2)
        return WHY("must be 4 hex digits (2 bytes), e.g. 8000");
    return 0;
}

static int set_msisdn(g5_subscriber *sub, const char *value, char *why, size_t whylen)
{
    if (!strncmp(value, "msisdn-", 7))
        value += 7;
    size_t n = strlen(value);
    bool ok = n <= 15;
    for (size_t i = 0; ok && i < n; i++)
        ok = isdigit((unsigned char)value[i]) != 0;
    if (!ok)
        return WHY("must be 1 to 15 digits (E.164 without '+'), or empty for none");
    strcpy(sub->msisdn, value);
    return 0;
}

static int set_bitrate(uint64_t *out, const char *value, char *why, size_t whylen)
{
    if (g5_bitrate_parse(value, out) || *out == 0)
        return WHY("'%.40s' is not a bit rate; write e.g. 1Gbps, 500Mbps or 1000000 (bits/s)",
                   value);
    return 0;
}

int g5_sub_field_set(g5_subscriber *sub, const char *name, const char *value, unsigned *fields,
                     bool *default_dnn_set, char *why, size_t whylen)
{
    if (!strcmp(name, "supi")) {
        if (g5_supi_validate(value, 0, why, whylen))
            return G5_ERR_INVALID;
        snprintf(sub->supi, sizeof sub->supi, "%s", value); /* validated: 20 characters */
        return 0;
    }
    if (!strcmp(name, "k")) {
        *fields |= G5_SUB_F_K;
        return set_key16(sub->k, value, "the subscriber key K", why, whylen);
    }
    if (!strcmp(name, "opc") || !strcmp(name, "op")) {
        bool is_op = !strcmp(name, "op");
        if (*fields & G5_SUB_F_OP && sub->op_kind != (is_op ? G5_OP_IS_OP : G5_OP_IS_OPC))
            return WHY("give either opc or op, not both");
        *fields |= G5_SUB_F_OP;
        sub->op_kind = is_op ? G5_OP_IS_OP : G5_OP_IS_OPC;
        return set_key16(sub->op, value, is_op ? "the operator key OP" : "OPc", why, whylen);
    }
    if (!strcmp(name, "amf")) {
        *fields |= G5_SUB_F_AMF;
        return set_amf(sub, value, why, whylen);
    }
    if (!strcmp(name, "sqn")) {
        *fields |= G5_SUB_F_SQN;
        if (g5_sqn_parse(value, &sub->sqn))
            return WHY("'%.40s' is not an SQN; write a number below 2^48, 0x-hex, or 12 hex "
                       "digits",
                       value);
        return 0;
    }
    if (!strcmp(name, "auth")) {
        *fields |= G5_SUB_F_AUTH;
        if (g5_auth_method_parse(value, &sub->auth_method))
            return WHY("'%.40s' is not a method; use 5g_aka or eap_aka_prime", value);
        return 0;
    }
    if (!strcmp(name, "slices") || !strcmp(name, "slice")) {
        if (!(*fields & G5_SUB_F_NSSAI))
            sub->n_nssai = 0;
        *fields |= G5_SUB_F_NSSAI;
        return add_items(sub, value, true, why, whylen);
    }
    if (!strcmp(name, "dnns") || !strcmp(name, "dnn")) {
        if (!(*fields & G5_SUB_F_DNN))
            sub->n_dnns = 0;
        *fields |= G5_SUB_F_DNN;
        return add_items(sub, value, false, why, whylen);
    }
    if (!strcmp(name, "default_dnn")) {
        if (!(*fields & G5_SUB_F_DNN))
            sub->n_dnns = 0;
        *fields |= G5_SUB_F_DNN;
        *default_dnn_set = true;
        if (strlen(value) >= G5_DNN_MAX || !*value)
            return WHY("must be 1 to %d characters", G5_DNN_MAX - 1);
        strcpy(sub->default_dnn, value);
        return 0;
    }
    if (!strcmp(name, "ambr_ul") || !strcmp(name, "ambr_dl")) {
        *fields |= G5_SUB_F_AMBR;
        return set_bitrate(!strcmp(name, "ambr_ul") ? &sub->ambr_ul : &sub->ambr_dl, value, why,
                           whylen);
    }
    if (!strcmp(name, "msisdn")) {
        *fields |= G5_SUB_F_MSISDN;
        return set_msisdn(sub, value, why, whylen);
    }
    snprintf(why, whylen,
             "unknown field; known: supi, k, opc, op, amf, sqn, auth, slices, dnns, "
             "default_dnn, ambr_ul, ambr_dl, msisdn");
    return G5_ERR_NOT_FOUND;
}

void g5_sub_fields_finish(g5_subscriber *sub, unsigned fields, bool default_dnn_set)
{
    if (!(fields & G5_SUB_F_DNN))
        return;
    if (!default_dnn_set && sub->n_dnns > 0)
        strcpy(sub->default_dnn, sub->dnns[0]);
    if (default_dnn_set) {
        for (int i = 0; i < sub->n_dnns; i++)
            if (!strcmp(sub->dnns[i], sub->default_dnn))
                return;
        if (sub->n_dnns < G5_SUB_MAX_DNNS) /* the default DNN is always allowed */
            strcpy(sub->dnns[sub->n_dnns++], sub->default_dnn);
    }
}

/* --- common record checks ------------------------------------------------------------ */

typedef struct rec_builder {
    g5_subscriber sub;
    unsigned fields;
    bool default_dnn_set;
} rec_builder;

static void rec_begin(rec_builder *b)
{
    g5_subscriber_defaults(&b->sub);
    b->fields = 0;
    b->default_dnn_set = false;
}

/* Completes a record: mandatory fields, then the cross-field checks. */
static int rec_end(rec_builder *b, char *why, size_t whylen)
{
    if (!b->sub.supi[0])
        return WHY("supi: missing; every subscriber needs one, e.g. imsi-001010000000001");
    if (!(b->fields & G5_SUB_F_K))
        return WHY("k: missing; give the 32-hex-digit subscriber key");
    if (!(b->fields & G5_SUB_F_OP))
        return WHY("opc: missing; give opc (or op) as 32 hex digits");
    g5_sub_fields_finish(&b->sub, b->fields, b->default_dnn_set);
    return g5_subscriber_validate(&b->sub, why, whylen);
}

static int grow(g5_import *imp, size_t *cap)
{
    if (imp->n < *cap)
        return 0;
    if (imp->n >= G5_IMPORT_MAX_ROWS)
        return G5_ERR_LIMIT;
    size_t nc = *cap ? *cap * 2 : 256;
    g5_subscriber *s = realloc(imp->subs, nc * sizeof *s);
    if (!s)
        return G5_ERR_NOMEM;
    imp->subs = s;
    int *l = realloc(imp->lines, nc * sizeof *l);
    if (!l)
        return G5_ERR_NOMEM;
    imp->lines = l;
    *cap = nc;
    return 0;
}

static int push(g5_import *imp, size_t *cap, rec_builder *b, int line, const char *path, char *err,
                size_t errlen)
{
    int rc = grow(imp, cap);
    if (rc) {
        snprintf(err, errlen, "%s:%d: %s", path, line,
                 rc == G5_ERR_LIMIT ? "more than 1000000 subscribers; split the file"
                                    : "out of memory");
        return rc;
    }
    imp->subs[imp->n] = b->sub;
    imp->lines[imp->n++] = line;
    g5_subscriber_wipe(&b->sub);
    return 0;
}

void g5_import_free(g5_import *imp)
{
    if (imp->subs)
        OPENSSL_cleanse(imp->subs, imp->n * sizeof *imp->subs);
    free(imp->subs);
    free(imp->lines);
    memset(imp, 0, sizeof *imp);
}

/* --- CSV (RFC 4180 quoting, one record per line) ------------------------------------- */

#define CSV_MAX_COLS 16

/* Splits one line into cells in place. Returns the cell count or -1 on bad quoting. */
static int csv_split(char *line, char **cells, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n >= max)
            return -1;
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            if (*p && *p != ',')
                return -1;
        } else {
            while (*p && *p != ',')
                out++, p++;
        }
        bool more = *p == ',';
        *out = 0;
        cells[n++] = start;
        if (!more)
            return n;
        p++;
    }
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (i)
        memmove(s, s + i, n - i + 1);
}

static int csv_header(char *line, char **cols, int *ncols, const char *path, char *err,
                      size_t errlen)
{
    *ncols = csv_split(line, cols, CSV_MAX_COLS);
    if (*ncols < 0) {
        snprintf(err, errlen, "%s:1: header: bad quoting or more than %d columns", path,
                 CSV_MAX_COLS);
        return G5_ERR_INVALID;
    }
    bool has_supi = false;
    for (int i = 0; i < *ncols; i++) {
        trim(cols[i]);
        for (char *c = cols[i]; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        g5_subscriber probe;
        unsigned f = 0;
        bool d = false;
        char why[200];
        g5_subscriber_defaults(&probe);
        if (g5_sub_field_set(&probe, cols[i], "", &f, &d, why, sizeof why) == G5_ERR_NOT_FOUND) {
            snprintf(err, errlen, "%s:1: header: column '%.32s': %s", path, cols[i], why);
            return G5_ERR_INVALID;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(cols[i], cols[j])) {
                snprintf(err, errlen, "%s:1: header: column '%s' appears twice", path, cols[i]);
                return G5_ERR_INVALID;
            }
        has_supi |= !strcmp(cols[i], "supi");
    }
    if (!has_supi) {
        snprintf(err, errlen,
                 "%s:1: header: no 'supi' column; the first line must name the columns, e.g. "
                 "supi,k,opc,slices,dnns",
                 path);
        return G5_ERR_INVALID;
    }
    return 0;
}

static int csv_row(char *line, int lineno, char **cols, int ncols, rec_builder *b, const char *path,
                   char *err, size_t errlen)
{
    char *cells[CSV_MAX_COLS];
    char why[256];
    int n = csv_split(line, cells, CSV_MAX_COLS);
    if (n != ncols) {
        snprintf(err, errlen,
                 "%s:%d: has %d fields but the header has %d; quote cells that contain ',' "
                 "and separate list items with ';'",
                 path, lineno, n < 0 ? CSV_MAX_COLS + 1 : n, ncols);
        return G5_ERR_INVALID;
    }
    rec_begin(b);
    for (int i = 0; i < n; i++) {
        trim(cells[i]);
        if (!cells[i][0])
            continue; /* empty cell: default */
        if (g5_sub_field_set(&b->sub, cols[i], cells[i], &b->fields, &b->default_dnn_set, why,
                             sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s: %s", path, lineno, cols[i], why);
            return G5_ERR_INVALID;
        }
    }
    if (rec_end(b, why, sizeof why)) {
        snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
        return G5_ERR_INVALID;
    }
    return 0;
}

static int import_csv(FILE *f, const char *path, g5_import *imp, char *err, size_t errlen)
{
    char *line = NULL, *header = NULL;
    size_t cap = 0, icap = 0;
    ssize_t len;
    char *cols[CSV_MAX_COLS];
    int ncols = 0, lineno = 0, rc = 0;
    rec_builder b;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 4096) {
            snprintf(err, errlen, "%s:%d: line longer than 4096 characters", path, lineno);
            rc = G5_ERR_TOO_LONG;
            break;
        }
        line[strcspn(line, "\r\n")] = 0;
        if (!header) {
            header = strdup(line);
            rc = header ? csv_header(header, cols, &ncols, path, err, errlen) : G5_ERR_NOMEM;
            continue;
        }
        const char *t = line + strspn(line, " \t");
        if (!*t || *t == '#')
            continue;
        rc = csv_row(line, lineno, cols, ncols, &b, path, err, errlen);
        if (rc == 0)
            rc = push(imp, &icap, &b, lineno, path, err, errlen);
    }
    if (rc == 0 && !header) {
        snprintf(err, errlen, "%s: empty file; the first line must name the columns", path);
        rc = G5_ERR_INVALID;
    }
    g5_subscriber_wipe(&b.sub);
    if (line)
        OPENSSL_cleanse(line, cap);
    free(line);
    free(header);
    return rc;
}

/* --- YAML: a list of maps ------------------------------------------------------------ */

static int yaml_list_field(rec_builder *b, g5_ynode *v, const char *key, char *why, size_t whylen,
                           int *line)
{
    for (size_t i = 0; i < v->n; i++) {
        g5_ynode *it = v->items[i];
        char text[128];
        *line = it->line;
        if (it->type == G5_YAML_MAP && !strcmp(key, "slices")) {
            g5_ynode *sst = g5_yaml_get(it, "sst"), *sd = g5_yaml_get(it, "sd");
            if (!sst || sst->type != G5_YAML_SCALAR || (sd && sd->type != G5_YAML_SCALAR) ||
                it->n != (sd ? 2u : 1u))
                return WHY("a slice map must be {sst: N} or {sst: N, sd: 000001}");
            const char *sdt = sd ? sd->scalar : NULL;
            if (sdt && sdt[0] == '0' && (sdt[1] == 'x' || sdt[1] == 'X'))
                sdt += 2;
            snprintf(text, sizeof text, "%s%s%s", sst->scalar, sdt ? ":" : "", sdt ? sdt : "");
        } else if (it->type == G5_YAML_SCALAR) {
            snprintf(text, sizeof text, "%s", it->scalar);
        } else {
            return WHY("list items must be plain values");
        }
        int rc = g5_sub_field_set(&b->sub, key, text, &b->fields, &b->default_dnn_set, why, whylen);
        if (rc)
            return rc;
    }
    return 0;
}

static int yaml_record(g5_ynode *m, rec_builder *b, const char *path, char *err, size_t errlen)
{
    char why[256];
    const size_t whylen = sizeof why;
    rec_begin(b);
    if (m->type != G5_YAML_MAP) {
        snprintf(err, errlen, "%s:%d: each subscriber must be a map (supi: ..., k: ...)", path,
                 m->line);
        return G5_ERR_INVALID;
    }
    for (size_t i = 0; i < m->n; i++) {
        g5_ynode *v = m->items[i];
        int line = v->line, rc;
        bool list = !strcmp(v->key, "slices") || !strcmp(v->key, "dnns");
        if (v->type == G5_YAML_SEQ && list) {
            if (!(b->fields & (strcmp(v->key, "slices") ? G5_SUB_F_DNN : G5_SUB_F_NSSAI))) {
                if (!strcmp(v->key, "slices"))
                    b->sub.n_nssai = 0;
                else
                    b->sub.n_dnns = 0;
            }
            rc = v->n ? yaml_list_field(b, v, v->key, why, whylen, &line)
                      : WHY("is empty; give at least one item");
        } else if (v->type != G5_YAML_SCALAR) {
            rc = WHY("must be a plain value%s", list ? " or a list" : "");
        } else {
            rc = g5_sub_field_set(&b->sub, v->key, v->scalar, &b->fields, &b->default_dnn_set, why,
                                  sizeof why);
        }
        if (rc) {
            snprintf(err, errlen, "%s:%d: %s: %s", path, line, v->key, why);
            return G5_ERR_INVALID;
        }
    }
    if (rec_end(b, why, sizeof why)) {
        snprintf(err, errlen, "%s:%d: %s", path, m->line, why);
        return G5_ERR_INVALID;
    }
    return 0;
}

static int import_yaml(const char *path, const char *text, g5_import *imp, char *err, size_t errlen)
{
    g5_ydoc doc;
    int rc = text ? g5_yaml_load_string(text, path, &doc, err, errlen)
                  : g5_yaml_load_file(path, &doc, err, errlen);
    if (rc)
        return rc;
    g5_ynode *root = doc.root;
    size_t icap = 0;
    rec_builder b;
    if (!root || root->type != G5_YAML_SEQ) {
        snprintf(err, errlen, "%s:%d: the file must be a YAML list of subscribers (- supi: ...)",
                 path, root ? root->line : 1);
        g5_yaml_free(&doc);
        return G5_ERR_INVALID;
    }
    for (size_t i = 0; rc == 0 && i < root->n; i++) {
        rc = yaml_record(root->items[i], &b, path, err, errlen);
        if (rc == 0)
            rc = push(imp, &icap, &b, root->items[i]->line, path, err, errlen);
    }
    g5_subscriber_wipe(&b.sub);
    g5_yaml_free(&doc); /* note: the YAML tree held the key text; libyaml frees it */
    return rc;
}

/* --- duplicates inside one file ------------------------------------------------------ */

static int cmp_idx(const void *a, const void *b, void *arg)
{
    const g5_subscriber *subs = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(subs[i].supi, subs[j].supi);
    return c ? c : (i < j ? -1 : i > j);
}

static int check_duplicates(const g5_import *imp, const char *path, char *err, size_t errlen)
{
    size_t *idx = malloc((imp->n ? imp->n : 1) * sizeof *idx);
    if (!idx) {
        snprintf(err, errlen, "%s: out of memory", path);
        return G5_ERR_NOMEM;
    }
    for (size_t i = 0; i < imp->n; i++)
        idx[i] = i;
    qsort_r(idx, imp->n, sizeof *idx, cmp_idx, imp->subs);
    int rc = 0;
    for (size_t i = 1; i < imp->n && rc == 0; i++)
        if (!strcmp(imp->subs[idx[i]].supi, imp->subs[idx[i - 1]].supi)) {
            snprintf(err, errlen, "%s:%d: supi: %s is already on line %d; give each SUPI once",
                     path, imp->lines[idx[i]], imp->subs[idx[i]].supi, imp->lines[idx[i - 1]]);
            rc = G5_ERR_REPEATED;
        }
    free(idx);
    return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

int g5_import_file(const char *path, g5_import *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (ends_with(path, ".csv")) {
        FILE *f = fopen(path, "r");
        if (!f) {
            snprintf(err, errlen, "%s: cannot open: %m", path);
            return G5_ERR_IO;
        }
        rc = import_csv(f, path, out, err, errlen);
        fclose(f);
    } else if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
        rc = import_yaml(path, NULL, out, err, errlen);
    } else {
        snprintf(err, errlen, "%s: unknown file type; name it .csv or .yaml", path);
        return G5_ERR_UNSUPPORTED;
    }
    if (rc == 0)
        rc = check_duplicates(out, path, err, errlen);
    if (rc)
        g5_import_free(out);
    return rc;
}

int g5_import_buffer(const void *data, size_t n, const char *name, g5_import *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (ends_with(name, ".csv")) {
        FILE *f = n ? fmemopen((void *)data, n, "r") : fopen("/dev/null", "r");
        if (!f) {
            snprintf(err, errlen, "%s: cannot read: %m", name);
            return G5_ERR_IO;
        }
        rc = import_csv(f, name, out, err, errlen);
        fclose(f);
    } else if (ends_with(name, ".yaml") || ends_with(name, ".yml")) {
        char *text = malloc(n + 1);
        if (!text) {
            snprintf(err, errlen, "%s: out of memory", name);
            return G5_ERR_NOMEM;
        }
        if (n)
            memcpy(text, data, n);
        text[n] = 0;
        rc = import_yaml(name, text, out, err, errlen);
        OPENSSL_cleanse(text, n);
        free(text);
    } else {
        snprintf(err, errlen, "%s: unknown file type; name it .csv or .yaml", name);
        return G5_ERR_UNSUPPORTED;
    }
    if (rc == 0)
        rc = check_duplicates(out, name, err, errlen);
    if (rc)
        g5_import_free(out);
    return rc;
}
