/* The JSON face of the NAS-5GS codec: `glass5g decode nas HEX` / `glass5g encode nas`.
 *
 * Plain message:
 *   {"extended_protocol_discriminator": 126, "security_header_type": 0,
 *    "message_type": "registration_request", "ies": {"ngksi": 7, ...},
 *    "unknown_ies": [{"after": "ngksi", "hex": "..."}]}
 * (5GSM messages carry "pdu_session_id" and "pti" instead of the security header type.)
 * IE values: half-octet IEs as integers, type 2 IEs as true, IEs with a typed codec as
 * objects (mobile identity, NSSAI, TAI list, QoS rules, ...), all others as hex strings.
 * A typed rendering is only used when re-encoding it gives back the exact bytes;
 * otherwise the IE is shown as hex, so decode -> encode is byte exact for every message
 * nas_decode accepts. Security protected messages show the header fields and the inner
 * message as hex, plus its decoded form when it is readable (integrity only, or NEA0).
 * This file keeps scratch structs in static storage: it is for the CLI and tests, not for
 * concurrent use (nas_decode/nas_encode themselves are reentrant).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "core/err.h"
#include "core/hex.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"

#define MAX_DEPTH 4

/* ---- helpers ---- */

static json_t *jhex(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s)
        return NULL;
    g5_hex_encode(p, n, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *jplmn(const nas_plmn *p)
{
    return json_pack("{s:s,s:s}", "mcc", p->mcc, "mnc", p->mnc);
}

static int get_plmn(const json_t *j, nas_plmn *p)
{
    const char *mcc = json_string_value(json_object_get(j, "mcc"));
    const char *mnc = json_string_value(json_object_get(j, "mnc"));
    if (!mcc || !mnc || strlen(mcc) > 3 || strlen(mnc) > 3)
        return G5_ERR_INVALID;
    snprintf(p->mcc, sizeof p->mcc, "%s", mcc);
    snprintf(p->mnc, sizeof p->mnc, "%s", mnc);
    return 0;
}

static long long jint(const json_t *j, const char *key)
{
    return json_integer_value(json_object_get(j, key));
}

static bool jbool(const json_t *j, const char *key)
{
    return json_is_true(json_object_get(j, key));
}

/* Memory for values built from JSON: freed in one go after encoding. */
typedef struct pool {
    void *blk[256];
    int n;
} pool;

static uint8_t *pool_alloc(pool *pl, size_t n)
{
    if (pl->n >= (int)(sizeof pl->blk / sizeof pl->blk[0]))
        return NULL;
    uint8_t *p = malloc(n ? n : 1);
    if (p)
        pl->blk[pl->n++] = p;
    return p;
}

static void pool_free(pool *pl)
{
    for (int i = 0; i < pl->n; i++)
        free(pl->blk[i]);
    pl->n = 0;
}

/* Hex string -> pool bytes. */
static int get_hex(pool *pl, const json_t *j, const uint8_t **out, size_t *len)
{
    const char *s = json_string_value(j);
    if (!s)
        return G5_ERR_INVALID;
    size_t cap = strlen(s) / 2 + 1;
    uint8_t *b = pool_alloc(pl, cap);
    if (!b)
        return G5_ERR_NOMEM;
    int n = g5_hex_decode(s, b, cap);
    if (n < 0)
        return n;
    *out = b;
    *len = (size_t)n;
    return 0;
}

static int nas_to_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen,
                       int depth);
static int json_to_nas(const json_t *in, g5_wbuf *w, char *err, size_t errlen, pool *pl, int depth);

/* ---- typed IE renderings: decode (bytes -> json) and encode (json -> bytes) ---- */

static json_t *mi_to_json(const nas_ie *ie)
{
    nas_mobile_identity mi;
    if (nas_mobile_identity_decode(ie, &mi))
        return NULL;
    static const char *names[] = {"no_identity", "suci",   "5g_guti",     "imei",
                                  "5g_s_tmsi",   "imeisv", "mac_address", "eui_64"};
    json_t *j = json_pack("{s:s}", "type", names[mi.type & 7]);
    switch (mi.type) {
    case NAS_MI_SUCI:
        json_object_set_new(j, "supi_format", json_integer(mi.supi_format));
        if (mi.supi_format != NAS_SUPI_IMSI) {
            json_object_set_new(j, "nai", jhex(mi.scheme_output, mi.scheme_output_len));
            break;
        }
        json_object_set_new(j, "plmn", jplmn(&mi.plmn));
        json_object_set_new(j, "routing_indicator", json_string(mi.routing_indicator));
        json_object_set_new(j, "protection_scheme_id", json_integer(mi.protection_scheme));
        json_object_set_new(j, "home_network_pki", json_integer(mi.hn_key_id));
        if (mi.protection_scheme == NAS_SCHEME_NULL)
            json_object_set_new(j, "msin", json_string(mi.msin));
        else
            json_object_set_new(j, "scheme_output", jhex(mi.scheme_output, mi.scheme_output_len));
        break;
    case NAS_MI_GUTI:
        json_object_set_new(j, "plmn", jplmn(&mi.plmn));
        json_object_set_new(j, "amf_region_id", json_integer(mi.amf_region_id));
        /* fall through */
    case NAS_MI_S_TMSI:
        json_object_set_new(j, "amf_set_id", json_integer(mi.amf_set_id));
        json_object_set_new(j, "amf_pointer", json_integer(mi.amf_pointer));
        json_object_set_new(j, "5g_tmsi", json_integer(mi.tmsi));
        break;
    case NAS_MI_IMEI:
    case NAS_MI_IMEISV: json_object_set_new(j, "digits", json_string(mi.digits)); break;
    case NAS_MI_MAC:
        json_object_set_new(j, "mac", jhex(mi.mac, 6));
        json_object_set_new(j, "mauri", json_boolean(mi.mauri));
        break;
    case NAS_MI_EUI64: json_object_set_new(j, "eui_64", jhex(mi.mac, 8)); break;
    default: break;
    }
    return j;
}

static int mi_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    static const char *names[] = {"no_identity", "suci",   "5g_guti",     "imei",
                                  "5g_s_tmsi",   "imeisv", "mac_address", "eui_64"};
    nas_mobile_identity mi = {0};
    const char *t = json_string_value(json_object_get(j, "type"));
    mi.type = 0xff;
    for (uint8_t i = 0; t && i < 8; i++)
        if (!strcmp(t, names[i]))
            mi.type = i;
    const uint8_t *b;
    size_t n;
    const char *s;
    switch (mi.type) {
    case NAS_MI_NONE: break;
    case NAS_MI_SUCI:
        mi.supi_format = (uint8_t)jint(j, "supi_format");
        if (mi.supi_format != NAS_SUPI_IMSI) {
            if (get_hex(pl, json_object_get(j, "nai"), &b, &n))
                return G5_ERR_INVALID;
            mi.scheme_output = b;
            mi.scheme_output_len = (uint16_t)n;
            break;
        }
        if (get_plmn(json_object_get(j, "plmn"), &mi.plmn))
            return G5_ERR_INVALID;
        s = json_string_value(json_object_get(j, "routing_indicator"));
        if (!s || strlen(s) > 4)
            return G5_ERR_INVALID;
        snprintf(mi.routing_indicator, sizeof mi.routing_indicator, "%s", s);
        mi.protection_scheme = (uint8_t)jint(j, "protection_scheme_id");
        mi.hn_key_id = (uint8_t)jint(j, "home_network_pki");
        if (mi.protection_scheme == NAS_SCHEME_NULL) {
            s = json_string_value(json_object_get(j, "msin"));
            if (!s || strlen(s) >= sizeof mi.msin)
                return G5_ERR_INVALID;
            snprintf(mi.msin, sizeof mi.msin, "%s", s);
        } else {
            if (get_hex(pl, json_object_get(j, "scheme_output"), &b, &n))
                return G5_ERR_INVALID;
            mi.scheme_output = b;
            mi.scheme_output_len = (uint16_t)n;
        }
        break;
    case NAS_MI_GUTI:
    case NAS_MI_S_TMSI:
        if (mi.type == NAS_MI_GUTI && get_plmn(json_object_get(j, "plmn"), &mi.plmn))
            return G5_ERR_INVALID;
        mi.amf_region_id = (uint8_t)jint(j, "amf_region_id");
        mi.amf_set_id = (uint16_t)jint(j, "amf_set_id");
        mi.amf_pointer = (uint8_t)jint(j, "amf_pointer");
        mi.tmsi = (uint32_t)jint(j, "5g_tmsi");
        break;
    case NAS_MI_IMEI:
    case NAS_MI_IMEISV:
        s = json_string_value(json_object_get(j, "digits"));
        if (!s || strlen(s) >= sizeof mi.digits)
            return G5_ERR_INVALID;
        snprintf(mi.digits, sizeof mi.digits, "%s", s);
        break;
    case NAS_MI_MAC:
    case NAS_MI_EUI64:
        if (get_hex(pl, json_object_get(j, mi.type == NAS_MI_MAC ? "mac" : "eui_64"), &b, &n) ||
            n != (mi.type == NAS_MI_MAC ? 6u : 8u))
            return G5_ERR_INVALID;
        memcpy(mi.mac, b, n);
        mi.mauri = jbool(j, "mauri");
        break;
    default: return G5_ERR_INVALID;
    }
    return nas_mobile_identity_encode(&mi, w);
}

static json_t *snssai_json(const nas_snssai *s)
{
    json_t *j = json_pack("{s:i}", "sst", s->sst);
    if (s->has_sd)
        json_object_set_new(j, "sd", json_integer(s->sd));
    if (s->has_mapped_sst)
        json_object_set_new(j, "mapped_hplmn_sst", json_integer(s->mapped_sst));
    if (s->has_mapped_sd)
        json_object_set_new(j, "mapped_hplmn_sd", json_integer(s->mapped_sd));
    return j;
}

static void snssai_get(const json_t *j, nas_snssai *s)
{
    memset(s, 0, sizeof *s);
    s->sst = (uint8_t)jint(j, "sst");
    s->has_sd = json_object_get(j, "sd") != NULL;
    s->sd = (uint32_t)jint(j, "sd");
    s->has_mapped_sst = json_object_get(j, "mapped_hplmn_sst") != NULL;
    s->mapped_sst = (uint8_t)jint(j, "mapped_hplmn_sst");
    s->has_mapped_sd = json_object_get(j, "mapped_hplmn_sd") != NULL;
    s->mapped_sd = (uint32_t)jint(j, "mapped_hplmn_sd");
}

static json_t *snssai_to_json(const nas_ie *ie)
{
    nas_snssai s;
    return nas_snssai_decode_value(ie->v, ie->len, &s) ? NULL : snssai_json(&s);
}

static int snssai_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    nas_snssai s;
    snssai_get(j, &s);
    return nas_snssai_encode(&s, w);
}

static json_t *nssai_to_json(const nas_ie *ie)
{
    static nas_nssai n; /* 600 bytes; the CLI is single threaded */
    if (nas_nssai_decode(ie, &n))
        return NULL;
    json_t *a = json_array();
    for (int i = 0; i < n.n; i++)
        json_array_append_new(a, snssai_json(&n.s[i]));
    return a;
}

static int nssai_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    static nas_nssai n;
    if (!json_is_array(j) || json_array_size(j) > NAS_MAX_SNSSAI)
        return G5_ERR_INVALID;
    n.n = (uint8_t)json_array_size(j);
    for (size_t i = 0; i < n.n; i++)
        snssai_get(json_array_get(j, i), &n.s[i]);
    return nas_nssai_encode(&n, w);
}

static json_t *secap_to_json(const nas_ie *ie)
{
    nas_ue_sec_cap c;
    if (nas_ue_sec_cap_decode(ie, &c))
        return NULL;
    json_t *j = json_pack("{s:i,s:i}", "5g_ea", c.ea, "5g_ia", c.ia);
    if (c.has_eps) {
        json_object_set_new(j, "eea", json_integer(c.eea));
        json_object_set_new(j, "eia", json_integer(c.eia));
    }
    return j;
}

static int secap_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    nas_ue_sec_cap c = {.ea = (uint8_t)jint(j, "5g_ea"), .ia = (uint8_t)jint(j, "5g_ia")};
    c.has_eps = json_object_get(j, "eea") != NULL;
    c.eea = (uint8_t)jint(j, "eea");
    c.eia = (uint8_t)jint(j, "eia");
    return nas_ue_sec_cap_encode(&c, w);
}

static json_t *tai_json(const nas_tai *t)
{
    return json_pack("{s:o,s:i}", "plmn", jplmn(&t->plmn), "tac", t->tac);
}

static json_t *tai_to_json(const nas_ie *ie)
{
    nas_tai t;
    return nas_tai_decode(ie, &t) ? NULL : tai_json(&t);
}

static int tai_get(const json_t *j, nas_tai *t)
{
    t->tac = (uint32_t)jint(j, "tac");
    return get_plmn(json_object_get(j, "plmn"), &t->plmn);
}

static int tai_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    nas_tai t;
    return tai_get(j, &t) ? G5_ERR_INVALID : nas_tai_encode(&t, w);
}

static json_t *tai_list_to_json(const nas_ie *ie)
{
    static nas_tai_list l;
    if (nas_tai_list_decode(ie, &l))
        return NULL;
    json_t *a = json_array();
    for (int k = 0; k < l.n; k++) {
        const nas_tai_partial *p = &l.p[k];
        json_t *e = json_pack("{s:i}", "type", p->type);
        if (p->type == NAS_TAI_LIST_TAIS) {
            json_t *ts = json_array();
            for (int i = 0; i < p->n; i++)
                json_array_append_new(ts, tai_json(&p->tai[i]));
            json_object_set_new(e, "tais", ts);
        } else {
            json_object_set_new(e, "plmn", jplmn(&p->tai[0].plmn));
            if (p->type == NAS_TAI_LIST_TACS) {
                json_t *ts = json_array();
                for (int i = 0; i < p->n; i++)
                    json_array_append_new(ts, json_integer(p->tai[i].tac));
                json_object_set_new(e, "tacs", ts);
            } else {
                json_object_set_new(e, "first_tac", json_integer(p->tai[0].tac));
                json_object_set_new(e, "count", json_integer(p->n));
            }
        }
        json_array_append_new(a, e);
    }
    return a;
}

static int tai_list_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    static nas_tai_list l;
    memset(&l, 0, sizeof l);
    if (!json_is_array(j) || json_array_size(j) > 16)
        return G5_ERR_INVALID;
    l.n = (uint8_t)json_array_size(j);
    for (int k = 0; k < l.n; k++) {
        const json_t *e = json_array_get(j, (size_t)k);
        nas_tai_partial *p = &l.p[k];
        p->type = (uint8_t)jint(e, "type");
        if (p->type == NAS_TAI_LIST_TAIS) {
            const json_t *ts = json_object_get(e, "tais");
            if (!json_is_array(ts) || json_array_size(ts) > 16)
                return G5_ERR_INVALID;
            p->n = (uint8_t)json_array_size(ts);
            for (int i = 0; i < p->n; i++)
                if (tai_get(json_array_get(ts, (size_t)i), &p->tai[i]))
                    return G5_ERR_INVALID;
            continue;
        }
        if (get_plmn(json_object_get(e, "plmn"), &p->tai[0].plmn))
            return G5_ERR_INVALID;
        if (p->type == NAS_TAI_LIST_TACS) {
            const json_t *ts = json_object_get(e, "tacs");
            if (!json_is_array(ts) || json_array_size(ts) > 16)
                return G5_ERR_INVALID;
            p->n = (uint8_t)json_array_size(ts);
            for (int i = 0; i < p->n; i++)
                p->tai[i].tac = (uint32_t)json_integer_value(json_array_get(ts, (size_t)i));
        } else {
            p->tai[0].tac = (uint32_t)jint(e, "first_tac");
            p->n = (uint8_t)jint(e, "count");
        }
    }
    return nas_tai_list_encode(&l, w);
}

static json_t *pf_json(const nas_packet_filter *pf, uint8_t op)
{
    json_t *j = json_pack("{s:i}", "id", pf->id);
    if (op == NAS_QOS_RULE_MODIFY_DELETE_PF)
        return j;
    json_object_set_new(j, "direction", json_integer(pf->direction));
    json_t *cs = json_array();
    g5_rbuf r;
    g5_rbuf_init(&r, pf->content, pf->content_len);
    while (!g5_rbuf_empty(&r)) {
        nas_pf_component c;
        if (nas_pf_component_next(&r, &c)) {
            json_decref(cs);
            json_decref(j);
            return NULL;
        }
        json_array_append_new(cs,
                              json_pack("{s:i,s:o}", "type", c.type, "value", jhex(c.v, c.len)));
    }
    json_object_set_new(j, "components", cs);
    return j;
}

static json_t *qos_rules_to_json(const nas_ie *ie)
{
    static nas_qos_rule q;
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    json_t *a = json_array();
    while (!g5_rbuf_empty(&r)) {
        if (nas_qos_rule_next(&r, &q))
            goto bad;
        json_t *e = json_pack("{s:i,s:i,s:b}", "qri", q.qri, "operation", q.op, "dqr", q.dqr);
        json_t *pfs = json_array();
        json_object_set_new(e, "packet_filters", pfs);
        json_array_append_new(a, e);
        for (int i = 0; i < q.n_pf; i++) {
            json_t *pf = pf_json(&q.pf[i], q.op);
            if (!pf)
                goto bad;
            json_array_append_new(pfs, pf);
        }
        if (q.has_precedence)
            json_object_set_new(e, "precedence", json_integer(q.precedence));
        if (q.has_qfi) {
            json_object_set_new(e, "segregation", json_boolean(q.segregation));
            json_object_set_new(e, "qfi", json_integer(q.qfi));
        }
    }
    return a;
bad:
    json_decref(a);
    return NULL;
}

static int pf_content_from_json(const json_t *cs, g5_wbuf *w, pool *pl)
{
    size_t i;
    const json_t *c;
    json_array_foreach(cs, i, c)
    {
        const uint8_t *b;
        size_t n;
        g5_wbuf_u8(w, (uint8_t)jint(c, "type"));
        if (get_hex(pl, json_object_get(c, "value"), &b, &n))
            return G5_ERR_INVALID;
        g5_wbuf_bytes(w, b, n);
    }
    return w->err;
}

static int qos_rules_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    static nas_qos_rule q;
    size_t i;
    const json_t *e;
    if (!json_is_array(j))
        return G5_ERR_INVALID;
    json_array_foreach(j, i, e)
    {
        memset(&q, 0, sizeof q);
        q.qri = (uint8_t)jint(e, "qri");
        q.op = (uint8_t)jint(e, "operation");
        q.dqr = jbool(e, "dqr");
        const json_t *pfs = json_object_get(e, "packet_filters");
        if (!json_is_array(pfs) || json_array_size(pfs) > 15)
            return G5_ERR_INVALID;
        q.n_pf = (uint8_t)json_array_size(pfs);
        for (int k = 0; k < q.n_pf; k++) {
            const json_t *pf = json_array_get(pfs, (size_t)k);
            q.pf[k].id = (uint8_t)jint(pf, "id");
            q.pf[k].direction = (uint8_t)jint(pf, "direction");
            g5_wbuf cw;
            uint8_t *buf = pool_alloc(pl, 255);
            if (!buf)
                return G5_ERR_NOMEM;
            g5_wbuf_init(&cw, buf, 255);
            if (pf_content_from_json(json_object_get(pf, "components"), &cw, pl))
                return G5_ERR_INVALID;
            q.pf[k].content = buf;
            q.pf[k].content_len = (uint8_t)cw.len;
        }
        q.has_precedence = json_object_get(e, "precedence") != NULL;
        q.precedence = (uint8_t)jint(e, "precedence");
        q.has_qfi = json_object_get(e, "qfi") != NULL;
        q.qfi = (uint8_t)jint(e, "qfi");
        q.segregation = jbool(e, "segregation");
        int rc = nas_qos_rule_encode(&q, w);
        if (rc)
            return rc;
    }
    return 0;
}

static json_t *qos_flows_to_json(const nas_ie *ie)
{
    static nas_qos_flow f;
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    json_t *a = json_array();
    while (!g5_rbuf_empty(&r)) {
        if (nas_qos_flow_next(&r, &f)) {
            json_decref(a);
            return NULL;
        }
        json_t *ps = json_array();
        for (int i = 0; i < f.n_param; i++) {
            const nas_qos_flow_param *p = &f.param[i];
            json_t *pj = json_pack("{s:i,s:o}", "id", p->id, "value", jhex(p->v, p->len));
            if (p->id == 1 && p->len == 1) /* 5QI */
                json_object_set_new(pj, "5qi", json_integer(p->v[0]));
            json_array_append_new(ps, pj);
        }
        json_array_append_new(a, json_pack("{s:i,s:i,s:b,s:o}", "qfi", f.qfi, "operation", f.op,
                                           "e_bit", f.e_bit, "parameters", ps));
    }
    return a;
}

static int qos_flows_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    static nas_qos_flow f;
    size_t i;
    const json_t *e;
    if (!json_is_array(j))
        return G5_ERR_INVALID;
    json_array_foreach(j, i, e)
    {
        memset(&f, 0, sizeof f);
        f.qfi = (uint8_t)jint(e, "qfi");
        f.op = (uint8_t)jint(e, "operation");
        f.e_bit = jbool(e, "e_bit");
        const json_t *ps = json_object_get(e, "parameters");
        if (!json_is_array(ps) || json_array_size(ps) > 63)
            return G5_ERR_INVALID;
        f.n_param = (uint8_t)json_array_size(ps);
        for (int k = 0; k < f.n_param; k++) {
            const json_t *p = json_array_get(ps, (size_t)k);
            const uint8_t *b;
            size_t n;
            if (get_hex(pl, json_object_get(p, "value"), &b, &n) || n > 255)
                return G5_ERR_INVALID;
            f.param[k] = (nas_qos_flow_param){(uint8_t)jint(p, "id"), (uint8_t)n, b};
        }
        int rc = nas_qos_flow_encode(&f, w);
        if (rc)
            return rc;
    }
    return 0;
}

static json_t *ambr_to_json(const nas_ie *ie)
{
    nas_session_ambr a;
    if (nas_session_ambr_decode(ie, &a))
        return NULL;
    return json_pack("{s:i,s:i,s:i,s:i}", "dl_unit", a.dl_unit, "dl", a.dl, "ul_unit", a.ul_unit,
                     "ul", a.ul);
}

static int ambr_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    nas_session_ambr a = {(uint8_t)jint(j, "dl_unit"), (uint16_t)jint(j, "dl"),
                          (uint8_t)jint(j, "ul_unit"), (uint16_t)jint(j, "ul")};
    return nas_session_ambr_encode(&a, w);
}

static json_t *pdu_addr_to_json(const nas_ie *ie)
{
    nas_pdu_address a;
    if (nas_pdu_address_decode(ie, &a))
        return NULL;
    json_t *j = json_pack("{s:i}", "pdu_session_type", a.type);
    if (a.type != NAS_PDU_IPV6) {
        char s[16];
        snprintf(s, sizeof s, "%u.%u.%u.%u", a.ipv4[0], a.ipv4[1], a.ipv4[2], a.ipv4[3]);
        json_object_set_new(j, "ipv4", json_string(s));
    }
    if (a.type != NAS_PDU_IPV4)
        json_object_set_new(j, "ipv6_interface_identifier", jhex(a.ipv6_iid, 8));
    if (a.has_smf_ll)
        json_object_set_new(j, "smf_ipv6_link_local", jhex(a.smf_ipv6_ll, 16));
    return j;
}

static int pdu_addr_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    nas_pdu_address a = {.type = (uint8_t)jint(j, "pdu_session_type")};
    const char *v4 = json_string_value(json_object_get(j, "ipv4"));
    if (v4 && inet_pton(AF_INET, v4, a.ipv4) != 1)
        return G5_ERR_INVALID;
    const uint8_t *b;
    size_t n;
    const json_t *x = json_object_get(j, "ipv6_interface_identifier");
    if (x && (get_hex(pl, x, &b, &n) || n != 8))
        return G5_ERR_INVALID;
    if (x)
        memcpy(a.ipv6_iid, b, 8);
    x = json_object_get(j, "smf_ipv6_link_local");
    if (x && (get_hex(pl, x, &b, &n) || n != 16))
        return G5_ERR_INVALID;
    if (x) {
        a.has_smf_ll = true;
        memcpy(a.smf_ipv6_ll, b, 16);
    }
    return nas_pdu_address_encode(&a, w);
}

static json_t *epco_to_json(const nas_ie *ie)
{
    g5_rbuf r;
    uint8_t o1;
    if (nas_epco_begin(ie, &r, &o1))
        return NULL;
    json_t *cs = json_array();
    while (!g5_rbuf_empty(&r)) {
        nas_epco_container c;
        if (nas_epco_next(&r, &c)) {
            json_decref(cs);
            return NULL;
        }
        json_array_append_new(cs, json_pack("{s:i,s:o}", "id", c.id, "value", jhex(c.v, c.len)));
    }
    return json_pack("{s:i,s:o}", "first_octet", o1, "containers", cs);
}

static int epco_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    g5_wbuf_u8(w, (uint8_t)jint(j, "first_octet"));
    size_t i;
    const json_t *c;
    const json_t *cs = json_object_get(j, "containers");
    if (!json_is_array(cs))
        return G5_ERR_INVALID;
    json_array_foreach(cs, i, c)
    {
        const uint8_t *b;
        size_t n;
        if (get_hex(pl, json_object_get(c, "value"), &b, &n) || n > 255)
            return G5_ERR_INVALID;
        nas_epco_put(w, (uint16_t)jint(c, "id"), b, (uint8_t)n);
    }
    return w->err;
}

static json_t *dnn_to_json(const nas_ie *ie)
{
    char s[256];
    return nas_dnn_decode(ie, s, sizeof s) < 0 ? NULL : json_string(s);
}

static int dnn_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    const char *s = json_string_value(j);
    return s ? nas_dnn_encode(s, w) : G5_ERR_INVALID;
}

/* An embedded plain NAS message (NAS message container 9.11.3.33, N1 SM payload). */
static json_t *inner_to_json(const uint8_t *p, size_t n, int depth)
{
    json_t *j = NULL;
    char err[8];
    if (depth >= MAX_DEPTH || nas_to_json(p, n, &j, err, sizeof err, depth + 1))
        return NULL;
    return j;
}

static json_t *nas_container_to_json(const nas_ie *ie, int depth)
{
    json_t *m = inner_to_json(ie->v, ie->len, depth);
    return m ? json_pack("{s:o}", "message", m) : NULL;
}

static int nas_container_from_json(const json_t *j, g5_wbuf *w, pool *pl, int depth)
{
    char err[8];
    if (depth >= MAX_DEPTH)
        return G5_ERR_LIMIT;
    return json_to_nas(json_object_get(j, "message"), w, err, sizeof err, pl, depth + 1);
}

/* 9.11.3.39 payload container: N1 SM -> the 5GSM message, multiple payloads -> entries. */
static json_t *payload_to_json(const nas_ie *ie, int ptype, int depth)
{
    if (ptype == NAS_PAYLOAD_N1_SM)
        return nas_container_to_json(ie, depth);
    if (ptype != NAS_PAYLOAD_MULTIPLE)
        return NULL;
    g5_rbuf r;
    uint8_t n;
    if (nas_payload_multi_begin(ie, &r, &n))
        return NULL;
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        nas_payload_entry e;
        if (nas_payload_entry_next(&r, &e)) {
            json_decref(a);
            return NULL;
        }
        json_array_append_new(a, json_pack("{s:i,s:i,s:o,s:o}", "type", e.type, "n_optional_ies",
                                           e.n_opt, "optional_ies", jhex(e.opt, e.opt_len),
                                           "payload", jhex(e.payload, e.payload_len)));
    }
    if (!g5_rbuf_empty(&r)) {
        json_decref(a);
        return NULL;
    }
    return json_pack("{s:o}", "entries", a);
}

static int payload_from_json(const json_t *j, g5_wbuf *w, pool *pl, int depth)
{
    if (json_object_get(j, "message"))
        return nas_container_from_json(j, w, pl, depth);
    const json_t *es = json_object_get(j, "entries");
    if (!json_is_array(es) || json_array_size(es) > 255)
        return G5_ERR_INVALID;
    g5_wbuf_u8(w, (uint8_t)json_array_size(es));
    size_t i;
    const json_t *e;
    json_array_foreach(es, i, e)
    {
        const uint8_t *opt, *pay;
        size_t no, np;
        if (get_hex(pl, json_object_get(e, "optional_ies"), &opt, &no) ||
            get_hex(pl, json_object_get(e, "payload"), &pay, &np) || 1 + no + np > 0xffff)
            return G5_ERR_INVALID;
        g5_wbuf_u16(w, (uint16_t)(1 + no + np));
        g5_wbuf_u8(w, (uint8_t)((jint(e, "n_optional_ies") & 0xf) << 4 | (jint(e, "type") & 0xf)));
        g5_wbuf_bytes(w, opt, no);
        g5_wbuf_bytes(w, pay, np);
    }
    return w->err;
}

static json_t *cause_to_json(const nas_ie *ie)
{
    return ie->len == 1 ? json_integer(ie->v[0]) : NULL;
}

static int cause_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    return json_is_integer(j) ? g5_wbuf_u8(w, (uint8_t)json_integer_value(j)) : G5_ERR_INVALID;
}

static json_t *algs_to_json(const nas_ie *ie)
{
    nas_sec_algs a;
    if (nas_sec_algs_decode(ie, &a))
        return NULL;
    return json_pack("{s:i,s:i}", "ciphering", a.nea, "integrity", a.nia);
}

static int algs_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    nas_sec_algs a = {(uint8_t)jint(j, "ciphering"), (uint8_t)jint(j, "integrity")};
    return g5_wbuf_u8(w, nas_sec_algs_octet(&a));
}

static json_t *timer_json(const nas_ie *ie, bool timer3)
{
    nas_gprs_timer t;
    if (nas_gprs_timer_decode(ie, &t))
        return NULL;
    return json_pack("{s:i,s:i,s:I}", "unit", t.unit, "value", t.value, "seconds",
                     (json_int_t)nas_gprs_timer_seconds(&t, timer3));
}

static json_t *timer_to_json(const nas_ie *ie)
{
    return timer_json(ie, false);
}

static json_t *timer3_to_json(const nas_ie *ie)
{
    return timer_json(ie, true);
}

static int timer_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    nas_gprs_timer t = {(uint8_t)jint(j, "unit"), (uint8_t)jint(j, "value")};
    return g5_wbuf_u8(w, nas_gprs_timer_octet(&t));
}

static json_t *psi_map_to_json(const nas_ie *ie)
{
    uint16_t map;
    if (nas_psi_map_decode(ie, &map))
        return NULL;
    json_t *a = json_array();
    for (int i = 1; i < 16; i++)
        if (map & (1u << i))
            json_array_append_new(a, json_integer(i));
    return a;
}

static int psi_map_from_json(const json_t *j, g5_wbuf *w, pool *pl)
{
    uint16_t map = 0;
    size_t i;
    const json_t *v;
    if (!json_is_array(j))
        return G5_ERR_INVALID;
    json_array_foreach(j, i, v)
    {
        json_int_t psi = json_integer_value(v);
        if (psi < 1 || psi > 15)
            return G5_ERR_INVALID;
        map |= (uint16_t)(1u << psi);
    }
    return nas_psi_map_encode(map, w);
}

typedef json_t *(*to_json_fn)(const nas_ie *ie);
typedef int (*from_json_fn)(const json_t *j, g5_wbuf *w, pool *pl);

/* Typed renderings by value type reference (TS 24.501 clause of the IE). */
static const struct typed {
    const char *ref;
    to_json_fn to;
    from_json_fn from;
} typed[] = {
    {"9.11.3.4", mi_to_json, mi_from_json},
    {"9.11.3.37", nssai_to_json, nssai_from_json},
    {"9.11.2.8", snssai_to_json, snssai_from_json},
    {"9.11.3.54", secap_to_json, secap_from_json},
    {"9.11.3.8", tai_to_json, tai_from_json},
    {"9.11.3.9", tai_list_to_json, tai_list_from_json},
    {"9.11.4.13", qos_rules_to_json, qos_rules_from_json},
    {"9.11.4.12", qos_flows_to_json, qos_flows_from_json},
    {"9.11.4.14", ambr_to_json, ambr_from_json},
    {"9.11.4.10", pdu_addr_to_json, pdu_addr_from_json},
    {"9.11.4.6", epco_to_json, epco_from_json},
    {"9.11.2.1B", dnn_to_json, dnn_from_json},
    {"9.11.3.34", algs_to_json, algs_from_json},
    {"9.11.2.3", timer_to_json, timer_from_json},
    {"9.11.2.4", timer_to_json, timer_from_json},
    {"9.11.2.5", timer3_to_json, timer_from_json},
    {"9.11.3.13", psi_map_to_json, psi_map_from_json},
    {"9.11.3.44", psi_map_to_json, psi_map_from_json},
    {"9.11.3.57", psi_map_to_json, psi_map_from_json},
    {"9.11.3.2", cause_to_json, cause_from_json},
    {"9.11.4.2", cause_to_json, cause_from_json},
};

static const struct typed *typed_for(const char *ref)
{
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
        if (!strcmp(typed[i].ref, ref))
            return &typed[i];
    return NULL;
}

/* IEs rendered as something other than a hex string (so a hex fallback is {"hex": ..}). */
static bool has_typed(const char *ref)
{
    return typed_for(ref) || !strcmp(ref, "9.11.3.33") || !strcmp(ref, "9.11.3.39");
}

/* ---- message level ---- */

static int payload_type_of(const nas_msg *m)
{
    for (int i = 0; i < m->desc->n_ies; i++) {
        const nas_ie_desc *row = &m->desc->ies[i];
        if (row->slot >= 0 && !strcmp(row->ref, "9.11.3.40") && m->ie[row->slot].present)
            return m->ie[row->slot].half;
    }
    return -1;
}

static int json_value_encode(const nas_ie_desc *row, const json_t *v, g5_wbuf *w, pool *pl,
                             int depth, int ptype);

/* Renders one IE value; typed only if it re-encodes to the same bytes. */
static json_t *ie_to_json(const nas_msg *m, const nas_ie_desc *row, const nas_ie *ie, int depth)
{
    if ((row->fmt == NAS_F_V && row->lo == 0) || row->type1)
        return json_integer(ie->half);
    if (row->fmt == NAS_F_T)
        return json_true();
    json_t *t = NULL;
    int ptype = payload_type_of(m);
    if (!strcmp(row->ref, "9.11.3.33"))
        t = nas_container_to_json(ie, depth);
    else if (!strcmp(row->ref, "9.11.3.39"))
        t = payload_to_json(ie, ptype, depth);
    else if (typed_for(row->ref))
        t = typed_for(row->ref)->to(ie);
    if (t) {
        pool pl = {0};
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1u << 17);
        int rc = json_value_encode(row, t, &w, &pl, depth, ptype);
        bool same = !rc && w.len == ie->len && (!ie->len || !memcmp(w.p, ie->v, ie->len));
        g5_wbuf_free(&w);
        pool_free(&pl);
        if (same)
            return t;
        json_decref(t);
    }
    if (has_typed(row->ref)) /* typed IE with a value our rendering cannot express */
        return json_pack("{s:o}", "hex", jhex(ie->v, ie->len));
    return jhex(ie->v, ie->len);
}

static json_t *sec_to_json(const nas_msg *m, int depth)
{
    json_t *j = json_pack("{s:i,s:i,s:o,s:i,s:o}", "extended_protocol_discriminator", m->epd,
                          "security_header_type", m->sht, "message_authentication_code",
                          jhex(m->sec.mac, 4), "sequence_number", m->sec.sqn,
                          "plain_5gs_nas_message", jhex(m->sec.inner, m->sec.inner_len));
    json_t *inner = inner_to_json(m->sec.inner, m->sec.inner_len, depth);
    if (inner)
        json_object_set_new(j, "decoded_plain_5gs_nas_message", inner);
    return j;
}

static int nas_to_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen,
                       int depth)
{
    static nas_msg stack[MAX_DEPTH + 1];
    nas_msg *m = &stack[depth];
    uint8_t cause = 0;
    int rc = nas_decode(p, n, m, &cause);
    if (rc) {
        snprintf(err, errlen, "%s (cause #%u)", g5_strerror(rc), cause);
        return rc;
    }
    if (m->sht) {
        *out = sec_to_json(m, depth);
        return 0;
    }
    json_t *j = json_pack("{s:i}", "extended_protocol_discriminator", m->epd);
    if (m->desc->sm) {
        json_object_set_new(j, "pdu_session_id", json_integer(m->psi));
        json_object_set_new(j, "pti", json_integer(m->pti));
    } else {
        json_object_set_new(j, "security_header_type", json_integer(0));
    }
    json_object_set_new(j, "message_type", json_string(m->desc->name));
    json_t *ies = json_object();
    json_object_set_new(j, "ies", ies);
    for (int i = 0; i < m->desc->n_ies; i++) {
        const nas_ie_desc *row = &m->desc->ies[i];
        if (row->slot < 0 || !m->ie[row->slot].present)
            continue;
        json_object_set_new(ies, row->name, ie_to_json(m, row, &m->ie[row->slot], depth));
    }
    if (m->n_extra) {
        json_t *xs = json_array();
        for (int i = 0; i < m->n_extra; i++) {
            const nas_extra_ie *x = &m->extra[i];
            json_t *xe =
                json_pack("{s:o,s:o}", "after",
                          x->after >= 0 ? json_string(m->desc->ies[x->after].name) : json_null(),
                          "hex", jhex(x->raw, x->len));
            if (x->repeated)
                json_object_set_new(xe, "repeated", json_true());
            json_array_append_new(xs, xe);
        }
        json_object_set_new(j, "unknown_ies", xs);
    }
    *out = j;
    return 0;
}

int g5_nas_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    return nas_to_json(p, n, out, err, errlen, 0);
}

static int json_value_encode(const nas_ie_desc *row, const json_t *v, g5_wbuf *w, pool *pl,
                             int depth, int ptype)
{
    const json_t *hex = json_is_object(v) ? json_object_get(v, "hex") : NULL;
    /* Hex is accepted for any IE; the DNN's typed form is itself a string. */
    if (hex || (json_is_string(v) && strcmp(row->ref, "9.11.2.1B") != 0)) {
        const uint8_t *b;
        size_t n;
        int rc = get_hex(pl, hex ? hex : v, &b, &n);
        return rc ? rc : g5_wbuf_bytes(w, b, n);
    }
    if (!strcmp(row->ref, "9.11.3.33"))
        return nas_container_from_json(v, w, pl, depth);
    if (!strcmp(row->ref, "9.11.3.39"))
        return payload_from_json(v, w, pl, depth);
    const struct typed *t = typed_for(row->ref);
    if (!t)
        return G5_ERR_INVALID;
    return t->from(v, w, pl);
}

static int set_ie_from_json(const nas_ie_desc *row, nas_ie *ie, const json_t *v, pool *pl,
                            int depth, int ptype)
{
    if ((row->fmt == NAS_F_V && row->lo == 0) || row->type1) {
        if (!json_is_integer(v))
            return G5_ERR_INVALID;
        nas_ie_set_half(ie, (uint8_t)json_integer_value(v));
        return 0;
    }
    if (row->fmt == NAS_F_T) {
        if (!json_is_true(v))
            return G5_ERR_INVALID;
        nas_ie_set_flag(ie);
        return 0;
    }
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 0xffff);
    int rc = json_value_encode(row, v, &w, pl, depth, ptype);
    uint8_t *b = rc ? NULL : pool_alloc(pl, w.len);
    if (b) {
        if (w.len)
            memcpy(b, w.p, w.len);
        nas_ie_set(ie, b, w.len);
    } else if (!rc) {
        rc = G5_ERR_NOMEM;
    }
    g5_wbuf_free(&w);
    return rc;
}

static int sec_from_json(const json_t *in, g5_wbuf *w, pool *pl, int depth)
{
    const uint8_t *mac, *inner;
    size_t nmac, ninner;
    if (get_hex(pl, json_object_get(in, "message_authentication_code"), &mac, &nmac) || nmac != 4 ||
        get_hex(pl, json_object_get(in, "plain_5gs_nas_message"), &inner, &ninner))
        return G5_ERR_INVALID;
    g5_wbuf_u8(w, NAS_EPD_5GMM);
    g5_wbuf_u8(w, (uint8_t)jint(in, "security_header_type") & 0x0f);
    g5_wbuf_bytes(w, mac, 4);
    g5_wbuf_u8(w, (uint8_t)jint(in, "sequence_number"));
    return g5_wbuf_bytes(w, inner, ninner);
}

static int extras_from_json(const json_t *xs, nas_msg *m, pool *pl)
{
    size_t i;
    const json_t *x;
    json_array_foreach(xs, i, x)
    {
        if (m->n_extra >= NAS_MAX_EXTRA)
            return G5_ERR_LIMIT;
        nas_extra_ie *e = &m->extra[m->n_extra++];
        const uint8_t *b;
        size_t n;
        if (get_hex(pl, json_object_get(x, "hex"), &b, &n) || n == 0)
            return G5_ERR_INVALID;
        e->raw = b;
        e->len = (uint32_t)n;
        e->after = -1;
        const char *after = json_string_value(json_object_get(x, "after"));
        for (int k = 0; after && k < m->desc->n_ies; k++)
            if (!strcmp(m->desc->ies[k].name, after))
                e->after = (int16_t)k;
    }
    return 0;
}

static int json_to_nas(const json_t *in, g5_wbuf *w, char *err, size_t errlen, pool *pl, int depth)
{
    if (!json_is_object(in)) {
        snprintf(err, errlen, "expected a JSON object");
        return G5_ERR_INVALID;
    }
    if (jint(in, "security_header_type") != 0)
        return sec_from_json(in, w, pl, depth);
    const char *name = json_string_value(json_object_get(in, "message_type"));
    const nas_msg_desc *md = name ? nas_msg_desc_by_name(name) : NULL;
    if (!md) {
        snprintf(err, errlen, "unknown message_type \"%s\"", name ? name : "");
        return G5_ERR_INVALID;
    }
    nas_msg *m = calloc(1, sizeof *m);
    if (!m)
        return G5_ERR_NOMEM;
    nas_msg_init(m, md->type);
    m->desc = md;
    m->psi = (uint8_t)jint(in, "pdu_session_id");
    m->pti = (uint8_t)jint(in, "pti");
    const json_t *ies = json_object_get(in, "ies");
    const char *key;
    const json_t *v;
    int rc = 0;
    int ptype = -1;
    const json_t *pt = json_object_get(ies, "payload_container_type");
    if (json_is_integer(pt))
        ptype = (int)json_integer_value(pt);
    json_object_foreach((json_t *)ies, key, v)
    {
        int k = 0;
        while (k < md->n_ies && (md->ies[k].slot < 0 || strcmp(md->ies[k].name, key) != 0))
            k++;
        if (k == md->n_ies) {
            snprintf(err, errlen, "%s has no IE \"%s\"", md->name, key);
            rc = G5_ERR_INVALID;
            break;
        }
        rc = set_ie_from_json(&md->ies[k], &m->ie[md->ies[k].slot], v, pl, depth, ptype);
        if (rc) {
            snprintf(err, errlen, "IE \"%s\": bad value (%s)", key, g5_strerror(rc));
            break;
        }
    }
    if (!rc)
        rc = extras_from_json(json_object_get(in, "unknown_ies"), m, pl);
    if (!rc) {
        rc = nas_encode(m, w);
        if (rc)
            snprintf(err, errlen, "%s: %s (missing mandatory IE or bad length)", md->name,
                     g5_strerror(rc));
    }
    free(m);
    return rc;
}

int g5_nas_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen)
{
    pool pl = {0};
    int rc = json_to_nas(in, out, err, errlen, &pl, 0);
    pool_free(&pl);
    return rc;
}
