/* Backend-neutral half of the subscriber store: record defaults and validation, the
 * parsers shared by the CLI and the importer, and the vtable dispatch (store.h). */
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "core/hex.h"
#include "store/sqlite.h"

void g5_subscriber_defaults(g5_subscriber *sub)
{
    memset(sub, 0, sizeof *sub);
    sub->amf[0] = 0x80;
    sub->amf[1] = 0x00;
    sub->op_kind = G5_OP_IS_OPC;
    sub->auth_method = G5_AUTH_5G_AKA;
    sub->nssai[0] = (g5_snssai){.sst = 1, .sd = G5_SD_NONE};
    sub->n_nssai = 1;
    strcpy(sub->default_dnn, "internet");
    strcpy(sub->dnns[0], "internet");
    sub->n_dnns = 1;
    sub->ambr_ul = UINT64_C(1000000000);
    sub->ambr_dl = UINT64_C(2000000000);
}

void g5_subscriber_wipe(g5_subscriber *sub)
{
    OPENSSL_cleanse(sub->k, sizeof sub->k);
    OPENSSL_cleanse(sub->op, sizeof sub->op);
}

static bool digits_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* TS 23.003 §2.2: IMSI = MCC (3 digits) + MNC (2 or 3) + MSIN, at most 15 digits; the SUPI
 * of type IMSI is written "imsi-<IMSI>" (TS 29.571 §5.3.2). glass5g uses 15-digit IMSIs. */
int g5_supi_validate(const char *supi, int mnc_len, char *why, size_t whylen)
{
    static const char prefix[] = "imsi-";
    if (!supi || strncmp(supi, prefix, sizeof prefix - 1) != 0) {
        snprintf(why, whylen, "must start with \"imsi-\", e.g. imsi-001010000000001");
        return G5_ERR_INVALID;
    }
    const char *d = supi + sizeof prefix - 1;
    size_t n = strlen(d);
    if (n != 15 || !digits_only(d, n)) {
        snprintf(why, whylen,
                 "must be \"imsi-\" followed by 15 digits: MCC (3) + MNC (2 or 3) + MSIN "
                 "(10 or 9), e.g. imsi-001010000000001");
        return G5_ERR_INVALID;
    }
    if (mnc_len != 0 && mnc_len != 2 && mnc_len != 3) {
        snprintf(why, whylen, "MNC length must be 2 or 3");
        return G5_ERR_INVALID;
    }
    return 0;
}

const char *g5_auth_method_name(g5_auth_method m)
{
    return m == G5_AUTH_EAP_AKA_PRIME ? "eap_aka_prime" : "5g_aka";
}

int g5_auth_method_parse(const char *s, g5_auth_method *out)
{
    if (!strcasecmp(s, "5g_aka") || !strcasecmp(s, "5g-aka")) {
        *out = G5_AUTH_5G_AKA;
        return 0;
    }
    if (!strcasecmp(s, "eap_aka_prime") || !strcasecmp(s, "eap-aka-prime") ||
        !strcasecmp(s, "eap-aka'")) {
        *out = G5_AUTH_EAP_AKA_PRIME;
        return 0;
    }
    return G5_ERR_INVALID;
}

/* Strict unsigned integer: decimal, or hex with 0x; whole string consumed. */
static int parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return G5_ERR_INVALID;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end || end == s || v > max)
        return G5_ERR_INVALID;
    *out = v;
    return 0;
}

int g5_snssai_parse(const char *s, g5_snssai *out)
{
    char sst[8];
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    if (n == 0 || n >= sizeof sst)
        return G5_ERR_INVALID;
    memcpy(sst, s, n);
    sst[n] = 0;
    uint64_t v, sd = G5_SD_NONE;
    if (parse_u64(sst, 10, 255, &v))
        return G5_ERR_INVALID;
    if (colon) {
        const char *h = colon + 1;
        if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
            h += 2;
        if (strlen(h) != 6 || parse_u64(h, 16, 0xFFFFFF, &sd))
            return G5_ERR_INVALID;
    }
    out->sst = (uint8_t)v;
    out->sd = (uint32_t)sd;
    return 0;
}

int g5_bitrate_parse(const char *s, uint64_t *out)
{
    /* <integer>[.<fraction>] [k|M|G|T][bps], multipliers of 1000 (TS 29.571 BitRate uses
     * the same units). */
    const char *p = s;
    uint64_t whole = 0, frac = 0, fdiv = 1;
    if (!isdigit((unsigned char)*p))
        return G5_ERR_INVALID;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return G5_ERR_INVALID;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return G5_ERR_INVALID;
        for (; isdigit((unsigned char)*p); p++)
            if (fdiv < UINT64_C(1000000000000)) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                fdiv *= 10;
            }
    }
    while (*p == ' ')
        p++;
    uint64_t mul = 1;
    switch (tolower((unsigned char)*p)) {
    case 'k':
        mul = UINT64_C(1000);
        p++;
        break;
    case 'm':
        mul = UINT64_C(1000000);
        p++;
        break;
    case 'g':
        mul = UINT64_C(1000000000);
        p++;
        break;
    case 't':
        mul = UINT64_C(1000000000000);
        p++;
        break;
    default: break;
    }
    if (*p && strcasecmp(p, "bps") != 0 && strcasecmp(p, "bit/s") != 0)
        return G5_ERR_INVALID;
    if (whole > UINT64_MAX / mul)
        return G5_ERR_INVALID;
    *out = whole * mul + frac * mul / fdiv;
    return 0;
}

int g5_sqn_parse(const char *s, uint64_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_u64(s + 2, 16, G5_SQN_MAX, out) ? G5_ERR_INVALID : 0;
    if (strlen(s) == 12) { /* 6 bytes of hex, as the SQN is written in TS 35.208 */
        uint8_t b[6];
        if (g5_hex_decode_exact(s, b, 6) == 6) {
            uint64_t v = 0;
            for (int i = 0; i < 6; i++)
                v = v << 8 | b[i];
            *out = v;
            return 0;
        }
    }
    return parse_u64(s, 10, G5_SQN_MAX, out) ? G5_ERR_INVALID : 0;
}

/* DNN: labels of letters, digits and '-', separated by '.', as an APN network identifier
 * (TS 23.003 §9.1.1). */
static bool dnn_ok(const char *d)
{
    size_t n = strlen(d), label = 0;
    if (n == 0 || n >= G5_DNN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = d[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (isalnum((unsigned char)c) || c == '-') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0;
}

static int check_nssai(const g5_subscriber *sub, char *why, size_t whylen)
{
    if (sub->n_nssai < 1 || sub->n_nssai > G5_SUB_MAX_SLICES) {
        snprintf(why, whylen, "slice: give 1 to %d slices, e.g. --slice 1 or --slice 1:000001",
                 G5_SUB_MAX_SLICES);
        return G5_ERR_INVALID;
    }
    for (int i = 0; i < sub->n_nssai; i++) {
        if (sub->nssai[i].sd > 0xFFFFFF) {
            snprintf(why, whylen, "slice: SD must be 6 hex digits (000000-FFFFFF)");
            return G5_ERR_INVALID;
        }
        for (int j = 0; j < i; j++)
            if (sub->nssai[j].sst == sub->nssai[i].sst && sub->nssai[j].sd == sub->nssai[i].sd) {
                snprintf(why, whylen, "slice: listed twice; give each S-NSSAI once");
                return G5_ERR_INVALID;
            }
    }
    return 0;
}

static int check_dnns(const g5_subscriber *sub, char *why, size_t whylen)
{
    if (sub->n_dnns < 1 || sub->n_dnns > G5_SUB_MAX_DNNS) {
        snprintf(why, whylen, "dnn: give 1 to %d DNNs, e.g. --dnn internet", G5_SUB_MAX_DNNS);
        return G5_ERR_INVALID;
    }
    bool has_default = false;
    for (int i = 0; i < sub->n_dnns; i++) {
        if (!dnn_ok(sub->dnns[i])) {
            snprintf(why, whylen,
                     "dnn: '%.63s' is not a valid DNN; use labels of letters, digits and '-' "
                     "separated by '.', at most 63 characters",
                     sub->dnns[i]);
            return G5_ERR_INVALID;
        }
        for (int j = 0; j < i; j++)
            if (!strcasecmp(sub->dnns[j], sub->dnns[i])) {
                snprintf(why, whylen, "dnn: '%s' listed twice; give each DNN once", sub->dnns[i]);
                return G5_ERR_INVALID;
            }
        has_default |= !strcmp(sub->dnns[i], sub->default_dnn);
    }
    if (!has_default) {
        snprintf(why, whylen, "dnn: the default DNN must be one of the allowed DNNs");
        return G5_ERR_INVALID;
    }
    return 0;
}

int g5_subscriber_validate(const g5_subscriber *sub, char *why, size_t whylen)
{
    char w[200];
    if (g5_supi_validate(sub->supi, 0, w, sizeof w)) {
        snprintf(why, whylen, "supi: %s", w);
        return G5_ERR_INVALID;
    }
    if (sub->sqn > G5_SQN_MAX) {
        snprintf(why, whylen, "sqn: must fit in 48 bits (at most 0xffffffffffff)");
        return G5_ERR_INVALID;
    }
    if (sub->op_kind != G5_OP_IS_OPC && sub->op_kind != G5_OP_IS_OP) {
        snprintf(why, whylen, "op: give either opc or op");
        return G5_ERR_INVALID;
    }
    if (sub->auth_method != G5_AUTH_5G_AKA && sub->auth_method != G5_AUTH_EAP_AKA_PRIME) {
        snprintf(why, whylen, "auth: use 5g_aka or eap_aka_prime");
        return G5_ERR_INVALID;
    }
    int rc = check_nssai(sub, why, whylen);
    if (rc == 0)
        rc = check_dnns(sub, why, whylen);
    if (rc)
        return rc;
    if (sub->ambr_ul == 0 || sub->ambr_dl == 0 || sub->ambr_ul > INT64_MAX ||
        sub->ambr_dl > INT64_MAX) {
        snprintf(why, whylen, "ambr: uplink and downlink must be above 0, e.g. 1Gbps");
        return G5_ERR_INVALID;
    }
    size_t m = strlen(sub->msisdn);
    if (m > 15 || !digits_only(sub->msisdn, m)) {
        snprintf(why, whylen, "msisdn: must be 1 to 15 digits (E.164, no '+')");
        return G5_ERR_INVALID;
    }
    return 0;
}

void g5_subscriber_merge(g5_subscriber *cur, const g5_subscriber *in, unsigned f)
{
    if (f & G5_SUB_F_K)
        memcpy(cur->k, in->k, 16);
    if (f & G5_SUB_F_OP) {
        memcpy(cur->op, in->op, 16);
        cur->op_kind = in->op_kind;
    }
    if (f & G5_SUB_F_AMF)
        memcpy(cur->amf, in->amf, 2);
    if (f & G5_SUB_F_SQN)
        cur->sqn = in->sqn;
    if (f & G5_SUB_F_AUTH)
        cur->auth_method = in->auth_method;
    if (f & G5_SUB_F_NSSAI) {
        memcpy(cur->nssai, in->nssai, sizeof cur->nssai);
        cur->n_nssai = in->n_nssai;
    }
    if (f & G5_SUB_F_DNN) {
        memcpy(cur->default_dnn, in->default_dnn, sizeof cur->default_dnn);
        memcpy(cur->dnns, in->dnns, sizeof cur->dnns);
        cur->n_dnns = in->n_dnns;
    }
    if (f & G5_SUB_F_AMBR) {
        cur->ambr_ul = in->ambr_ul;
        cur->ambr_dl = in->ambr_dl;
    }
    if (f & G5_SUB_F_MSISDN)
        memcpy(cur->msisdn, in->msisdn, sizeof cur->msisdn);
}

int g5_store_fail(g5_store *st, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    return rc;
}

int g5_store_open(const g5_store_params *p, g5_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!p || !p->path || !p->key_file) {
        snprintf(err, errlen, "store: a database path and a key file are required");
        return G5_ERR_CONFIG;
    }
    if (!p->backend || !strcmp(p->backend, "sqlite")) {
        int rc = g5_store_sqlite_open(p, out, err, errlen);
        if (rc == 0 && pthread_mutex_init(&(*out)->lock, NULL) != 0) {
            (*out)->ops->close(*out);
            *out = NULL;
            snprintf(err, errlen, "store: cannot create its lock");
            return G5_ERR_NOMEM;
        }
        return rc;
    }
    snprintf(err, errlen, "store: unknown backend '%s'; use sqlite", p->backend);
    return G5_ERR_UNSUPPORTED;
}

int g5_store_open_config(const g5_config *cfg, bool create, g5_store **out, char *err,
                         size_t errlen)
{
    g5_store_params p = {
        .path = cfg->store.path, .key_file = cfg->store.key_file, .create = create};
    return g5_store_open(&p, out, err, errlen);
}

void g5_store_close(g5_store *st)
{
    if (st) {
        pthread_mutex_destroy(&st->lock);
        st->ops->close(st);
    }
}

/* Serialises backend calls across threads (see struct g5_store). */
static void st_lock(g5_store *st)
{
    pthread_mutex_lock(&st->lock);
}

static int st_unlock(g5_store *st, int rc)
{
    pthread_mutex_unlock(&st->lock);
    return rc;
}

const char *g5_store_errmsg(const g5_store *st)
{
    return st ? st->err : "no store";
}

static int check_supi_arg(g5_store *st, const char *supi)
{
    char why[200];
    if (g5_supi_validate(supi, 0, why, sizeof why))
        return g5_store_fail(st, G5_ERR_INVALID, "supi: %s", why);
    return 0;
}

static int check_record(g5_store *st, const g5_subscriber *sub)
{
    char why[200];
    if (g5_subscriber_validate(sub, why, sizeof why))
        return g5_store_fail(st, G5_ERR_INVALID, "%s", why);
    return 0;
}

int g5_store_sub_get(g5_store *st, const char *supi, g5_subscriber *out)
{
    int rc = check_supi_arg(st, supi);
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->sub_get(st, supi, out));
}

int g5_store_sub_put(g5_store *st, const g5_subscriber *sub)
{
    int rc = check_record(st, sub);
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->sub_put(st, sub));
}

int g5_store_sub_update(g5_store *st, const g5_subscriber *sub, unsigned fields, g5_subscriber *out)
{
    int rc = check_supi_arg(st, sub->supi);
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->sub_update(st, sub, fields & G5_SUB_F_ALL, out));
}

int g5_store_sub_delete(g5_store *st, const char *supi)
{
    int rc = check_supi_arg(st, supi);
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->sub_delete(st, supi));
}

int g5_store_sub_list(g5_store *st, size_t offset, size_t limit, g5_subscriber *out, size_t *n,
                      size_t *total)
{
    st_lock(st);
    return st_unlock(st, st->ops->sub_list(st, offset, limit, out, n, total));
}

int g5_store_sub_import(g5_store *st, const g5_subscriber *subs, size_t n, bool replace,
                        size_t *bad)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_record(st, &subs[i]);
        if (rc) {
            if (bad)
                *bad = i;
            return rc;
        }
    }
    st_lock(st);
    return st_unlock(st, st->ops->sub_import(st, subs, n, replace, bad));
}

int g5_store_sqn_update(g5_store *st, const char *supi, g5_sqn_update_fn fn, void *arg,
                        uint64_t *new_sqn)
{
    int rc = check_supi_arg(st, supi);
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->sqn_update(st, supi, fn, arg, new_sqn));
}

/* An op with a malformed SUPI fails alone (G5_ERR_INVALID) and never reaches the backend;
 * the others are committed together. */
int g5_store_sqn_update_batch(g5_store *st, g5_sqn_op *ops, size_t n)
{
    if (n == 0)
        return 0;
    if (!ops)
        return g5_store_fail(st, G5_ERR_INVALID, "sqn batch: no ops");
    size_t valid = 0;
    for (size_t i = 0; i < n; i++) {
        char why[200];
        ops[i].rc =
            (!ops[i].fn || g5_supi_validate(ops[i].supi, 0, why, sizeof why)) ? G5_ERR_INVALID : 0;
        valid += ops[i].rc == 0;
    }
    if (!valid)
        return 0;
    st_lock(st);
    return st_unlock(st, st->ops->sqn_update_batch(st, ops, n));
}

static int check_key(g5_store *st, const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > 128)
        return g5_store_fail(st, G5_ERR_INVALID, "kv: key must be 1 to 128 characters");
    return 0;
}

int g5_store_kv_get(g5_store *st, const char *key, uint8_t *val, size_t cap, size_t *len)
{
    int rc = check_key(st, key);
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->kv_get(st, key, val, cap, len));
}

int g5_store_kv_put(g5_store *st, const char *key, const uint8_t *val, size_t len, bool secret)
{
    int rc = check_key(st, key);
    if (rc == 0 && len > 65536)
        rc = g5_store_fail(st, G5_ERR_TOO_LONG, "kv: value must be at most 65536 bytes");
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->kv_put(st, key, val, len, secret));
}

int g5_store_kv_delete(g5_store *st, const char *key)
{
    int rc = check_key(st, key);
    if (rc)
        return rc;
    st_lock(st);
    return st_unlock(st, st->ops->kv_delete(st, key));
}
