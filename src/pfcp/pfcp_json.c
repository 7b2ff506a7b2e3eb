/* The JSON face of the PFCP codec (`glass5g decode|encode pfcp`), see core/codec_json.h.
 *
 *   {"version": 1, "message_type": 50, "message": "session_establishment_request",
 *    "seid": 0, "sequence": 1, "ies": {"node_id": {"ipv4": "10.0.0.1"},
 *    "create_pdr": [{"pdr_id": 1, "precedence": 255, "pdi": {...}}], ...}}
 *
 * IE names are the snake_case names of TS 29.244 Table 8.1.2-1 (pfcp_desc.c). An IE that
 * may repeat in its parent is a list; others are scalars (a repeated scalar becomes a list).
 * Values are decoded per kind; every decoded value is re-encoded on the spot and if the
 * bytes differ (spare bits set, extension octets, malformed value) the IE is shown as
 * {"hex": "..."} instead, which is what makes decode->encode byte-exact. IEs we do not know
 * and vendor IEs go to "unknown_ie": [{"type": N, ("enterprise": E,) "hex": "..."}]. When
 * repeated IEs are interleaved on the wire, "_order" lists the keys in wire order. */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "core/err.h"
#include "core/hex.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_desc.h"

#define UNKNOWN_KEY "unknown_ie"
#define ORDER_KEY "_order"
#define MAX_IE_VALUE 0xffff

/* ---------------------------------------------------------------- small JSON helpers */

static json_t *jhex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return NULL;
    g5_hex_encode(p, n, s);
    json_t *o = json_pack("{s:s}", "hex", s);
    free(s);
    return o;
}

static json_t *ju64(uint64_t v)
{
    if (v <= (uint64_t)INT64_MAX)
        return json_integer((json_int_t)v);
    char b[24];
    snprintf(b, sizeof b, "%" PRIu64, v);
    return json_string(b);
}

static bool get_u64(const json_t *j, uint64_t *v)
{
    if (json_is_integer(j)) {
        json_int_t x = json_integer_value(j);
        if (x < 0)
            return false;
        *v = (uint64_t)x;
        return true;
    }
    if (json_is_string(j)) {
        char *end = NULL;
        const char *s = json_string_value(j);
        if (!*s || *s == '-')
            return false;
        *v = strtoull(s, &end, 0);
        return end && !*end;
    }
    return false;
}

/* Reads member k as an unsigned number no larger than max; absent -> *v untouched, true. */
static bool opt_num(const json_t *o, const char *k, uint64_t max, uint64_t *v)
{
    const json_t *j = json_object_get(o, k);
    if (!j)
        return true;
    uint64_t x;
    if (!get_u64(j, &x) || x > max)
        return false;
    *v = x;
    return true;
}

static void set_ip4(json_t *o, const char *k, const uint8_t *a)
{
    char b[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, a, b, sizeof b);
    json_object_set_new(o, k, json_string(b));
}

static void set_ip6(json_t *o, const char *k, const uint8_t *a)
{
    char b[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a, b, sizeof b);
    json_object_set_new(o, k, json_string(b));
}

/* Optional address member: returns 1 if present and parsed, 0 if absent, -1 if bad. */
static int get_ip(const json_t *o, const char *k, int af, uint8_t *out)
{
    const json_t *j = json_object_get(o, k);
    if (!j)
        return 0;
    if (!json_is_string(j) || inet_pton(af, json_string_value(j), out) != 1)
        return -1;
    return 1;
}

static bool jtrue(const json_t *o, const char *k)
{
    return json_is_true(json_object_get(o, k));
}

static void set_true(json_t *o, const char *k, bool v)
{
    if (v)
        json_object_set_new(o, k, json_true());
}

/* ------------------------------------------------------------------ value -> JSON */

static json_t *flags_to_json(const g5_pfcp_ie_desc *d, const uint8_t *p, size_t n)
{
    if (n > 8)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n * 8; i++) {
        if (!(p[i / 8] & (1u << (i % 8))))
            continue;
        if (i < d->n_flags) {
            json_array_append_new(a, json_string(d->flags[i]));
        } else {
            char b[16];
            snprintf(b, sizeof b, "bit%zu", i);
            json_array_append_new(a, json_string(b));
        }
    }
    return a;
}

static const char *const ohc_names[] = {
    "gtpu_udp_ipv4", "gtpu_udp_ipv6", "udp_ipv4", "udp_ipv6", "ipv4",     "ipv6",
    "c_tag",         "s_tag",         "n19",      "n6",       "ssm_cteid"};

static json_t *ohc_to_json(const uint8_t *p, size_t n)
{
    g5_pfcp_ohc v;
    if (g5_pfcp_ohc_parse(p, n, &v))
        return NULL;
    json_t *o = json_object(), *a = json_array();
    for (unsigned i = 0; i < 16; i++)
        if (v.desc & (1u << i)) {
            char b[16];
            snprintf(b, sizeof b, "bit%u", i);
            json_array_append_new(a, json_string(i < 11 ? ohc_names[i] : b));
        }
    json_object_set_new(o, "description", a);
    if (v.desc & 0x03)
        json_object_set_new(o, "teid", json_integer(v.teid));
    if (v.desc & 0x15)
        set_ip4(o, "ipv4", v.ipv4);
    if (v.desc & 0x2a)
        set_ip6(o, "ipv6", v.ipv6);
    if (v.desc & 0x0c)
        json_object_set_new(o, "port", json_integer(v.port));
    if (v.desc & 0x40)
        json_object_set_new(o, "c_tag", json_integer(v.ctag));
    if (v.desc & 0x80)
        json_object_set_new(o, "s_tag", json_integer(v.stag));
    return o;
}

static json_t *volume_to_json(const uint8_t *p, size_t n, bool meas)
{
    g5_pfcp_volume v;
    if (g5_pfcp_volume_parse(p, n, meas, &v))
        return NULL;
    static const char *const k[] = {"total",         "uplink",         "downlink",
                                    "total_packets", "uplink_packets", "downlink_packets"};
    const uint64_t f[6] = {v.total, v.ul, v.dl, v.total_pkts, v.ul_pkts, v.dl_pkts};
    json_t *o = json_object();
    for (int i = 0; i < 6; i++)
        if (v.flags & (1u << i))
            json_object_set_new(o, k[i], ju64(f[i]));
    return o;
}

static json_t *str_to_json(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] >= 0x7f)
            return NULL;
    return json_stringn((const char *)p, n);
}

static json_t *sdf_to_json(const uint8_t *p, size_t n)
{
    g5_pfcp_sdf v;
    if (g5_pfcp_sdf_parse(p, n, &v))
        return NULL;
    json_t *o = json_object();
    if (v.has_fd) {
        json_t *s = str_to_json((const uint8_t *)v.fd, v.fd_len);
        if (!s) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "flow_description", s);
    }
    if (v.has_ttc)
        json_object_set_new(o, "tos_traffic_class", json_integer(v.tos));
    if (v.has_spi)
        json_object_set_new(o, "security_parameter_index", json_integer(v.spi));
    if (v.has_fl)
        json_object_set_new(o, "flow_label", json_integer(v.flow_label));
    if (v.has_bid)
        json_object_set_new(o, "sdf_filter_id", json_integer(v.filter_id));
    return o;
}

static json_t *fteid_to_json(const uint8_t *p, size_t n)
{
    g5_pfcp_fteid v;
    if (g5_pfcp_fteid_parse(p, n, &v))
        return NULL;
    json_t *o = json_object();
    if (v.ch) {
        json_object_set_new(o, "choose", json_true());
        set_true(o, "v4", v.v4);
        set_true(o, "v6", v.v6);
        if (v.chid)
            json_object_set_new(o, "choose_id", json_integer(v.choose_id));
        return o;
    }
    json_object_set_new(o, "teid", json_integer(v.teid));
    if (v.v4)
        set_ip4(o, "ipv4", v.ipv4);
    if (v.v6)
        set_ip6(o, "ipv6", v.ipv6);
    set_true(o, "chid", v.chid);
    return o;
}

static json_t *fseid_to_json(const uint8_t *p, size_t n)
{
    g5_pfcp_fseid v;
    if (g5_pfcp_fseid_parse(p, n, &v))
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "seid", ju64(v.seid));
    if (v.v4)
        set_ip4(o, "ipv4", v.ipv4);
    if (v.v6)
        set_ip6(o, "ipv6", v.ipv6);
    return o;
}

static json_t *node_id_to_json(const uint8_t *p, size_t n)
{
    g5_pfcp_node_id v;
    if (g5_pfcp_node_id_parse(p, n, &v))
        return NULL;
    json_t *o = json_object();
    if (v.type == G5_PFCP_NODE_IPV4)
        set_ip4(o, "ipv4", v.ipv4);
    else if (v.type == G5_PFCP_NODE_IPV6)
        set_ip6(o, "ipv6", v.ipv6);
    else
        json_object_set_new(o, "fqdn", json_string(v.fqdn));
    return o;
}

static json_t *ue_ip_to_json(const uint8_t *p, size_t n)
{
    g5_pfcp_ue_ip v;
    if (g5_pfcp_ue_ip_parse(p, n, &v))
        return NULL;
    json_t *o = json_object();
    if (v.v4)
        set_ip4(o, "ipv4", v.ipv4);
    if (v.v6)
        set_ip6(o, "ipv6", v.ipv6);
    set_true(o, "destination", v.sd);
    set_true(o, "chv4", v.chv4);
    set_true(o, "chv6", v.chv6);
    if (v.ipv6d)
        json_object_set_new(o, "ipv6_prefix_delegation_bits", json_integer(v.ipv6_pd_bits));
    if (v.ip6pl)
        json_object_set_new(o, "ipv6_prefix_length", json_integer(v.ipv6_prefix_len));
    return o;
}

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | p[i];
    return x;
}

/* Network instance / DNN: dotted when DNS-label encoded, else {"text"} when printable. */
static json_t *ni_to_json(const uint8_t *p, size_t n)
{
    char dotted[256];
    if (n < sizeof dotted && g5_pfcp_ni_to_dotted(p, n, dotted, sizeof dotted) == 0)
        return json_string(dotted);
    json_t *t = str_to_json(p, n);
    return t ? json_pack("{s:o}", "text", t) : NULL;
}

static int ni_from_json(const json_t *j, g5_wbuf *w)
{
    g5_pfcp_ni ni;
    const json_t *t = json_is_object(j) ? json_object_get(j, "text") : NULL;
    if (json_is_string(t))
        return g5_wbuf_bytes(w, json_string_value(t), json_string_length(t));
    if (!json_is_string(j) || g5_pfcp_ni_from_dotted(&ni, json_string_value(j)))
        return G5_ERR_INVALID;
    return g5_wbuf_bytes(w, ni.v, ni.len);
}

static json_t *value_to_json(const g5_pfcp_ie_desc *d, const uint8_t *p, size_t n)
{
    g5_pfcp_bitrate br;
    if (n == 0)
        return NULL; /* null length IEs: shown as {"hex": ""} */
    switch (d->kind) {
    case PK_STR: return str_to_json(p, n);
    case PK_NI: return ni_to_json(p, n);
    case PK_U8: return n == 1 ? json_integer(p[0]) : NULL;
    case PK_U16: return n == 2 ? json_integer((json_int_t)be(p, 2)) : NULL;
    case PK_U32: return n == 4 ? json_integer((json_int_t)be(p, 4)) : NULL;
    case PK_U64: return n == 8 ? ju64(be(p, 8)) : NULL;
    case PK_FLAGS: return flags_to_json(d, p, n);
    case PK_IFACE: return n == 1 ? json_integer(p[0] & 0x0f) : NULL;
    case PK_QFI: return n == 1 ? json_integer(p[0] & 0x3f) : NULL;
    case PK_PDN: return n == 1 ? json_integer(p[0] & 0x07) : NULL;
    case PK_GATE:
        return n == 1 ? json_pack("{s:i,s:i}", "ul", (p[0] >> 2) & 3, "dl", p[0] & 3) : NULL;
    case PK_TIMER:
        return n == 1 ? json_pack("{s:i,s:i}", "unit", p[0] >> 5, "value", p[0] & 0x1f) : NULL;
    case PK_FTEID: return fteid_to_json(p, n);
    case PK_FSEID: return fseid_to_json(p, n);
    case PK_NODE_ID: return node_id_to_json(p, n);
    case PK_UE_IP: return ue_ip_to_json(p, n);
    case PK_OHC: return ohc_to_json(p, n);
    case PK_OHR:
        if (n == 1)
            return json_pack("{s:i}", "description", p[0]);
        return n == 2 ? json_pack("{s:i,s:i}", "description", p[0],
                                  "gtpu_extension_header_deletion", p[1])
                      : NULL;
    case PK_BITRATE:
        if (g5_pfcp_bitrate_parse(p, n, &br))
            return NULL;
        return json_pack("{s:I,s:I}", "ul", (json_int_t)br.ul_kbps, "dl", (json_int_t)br.dl_kbps);
    case PK_VOLUME: return volume_to_json(p, n, false);
    case PK_VOLMEAS: return volume_to_json(p, n, true);
    case PK_SDF: return sdf_to_json(p, n);
    default: return NULL;
    }
}

/* ------------------------------------------------------------------ JSON -> value */

/* "bitN" (how unnamed flag bits are shown) -> N, or `none` if s is not of that form. */
static unsigned bit_name(const char *s, unsigned none)
{
    char *end = NULL;
    if (strncmp(s, "bit", 3) != 0 || s[3] < '0' || s[3] > '9')
        return none;
    unsigned long v = strtoul(s + 3, &end, 10);
    return (end && !*end && v < none) ? (unsigned)v : none;
}

static int flags_from_json(const g5_pfcp_ie_desc *d, const json_t *j, g5_wbuf *w)
{
    const json_t *list = j;
    uint64_t octets = 0;
    if (json_is_object(j)) {
        list = json_object_get(j, "flags");
        if (!opt_num(j, "octets", 8, &octets))
            return G5_ERR_INVALID;
    }
    if (!json_is_array(list))
        return G5_ERR_INVALID;
    uint64_t f = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *s = json_string_value(e);
        unsigned bit = 64, k;
        if (!s)
            return G5_ERR_INVALID;
        for (k = 0; k < d->n_flags; k++)
            if (!strcmp(s, d->flags[k]))
                bit = k;
        if (bit == 64)
            bit = bit_name(s, 64);
        if (bit >= 64)
            return G5_ERR_INVALID;
        f |= (uint64_t)1 << bit;
    }
    unsigned n = octets ? (unsigned)octets : d->min_len;
    for (unsigned k = 1; k < 8; k++)
        if ((f >> (8 * k)) && n < k + 1)
            n = k + 1;
    for (unsigned k = 0; k < n; k++)
        g5_wbuf_u8(w, (uint8_t)(k < 8 ? f >> (8 * k) : 0));
    return w->err;
}

static int ohc_from_json(const json_t *j, g5_wbuf *w)
{
    g5_pfcp_ohc v;
    uint64_t teid = 0, port = 0, ct = 0, st = 0;
    memset(&v, 0, sizeof v);
    const json_t *a = json_object_get(j, "description"), *e;
    size_t i;
    if (!json_is_array(a))
        return G5_ERR_INVALID;
    json_array_foreach(a, i, e)
    {
        const char *s = json_string_value(e);
        unsigned bit = 16, k;
        if (!s)
            return G5_ERR_INVALID;
        for (k = 0; k < 11; k++)
            if (!strcmp(s, ohc_names[k]))
                bit = k;
        if (bit == 16)
            bit = bit_name(s, 16);
        if (bit >= 16)
            return G5_ERR_INVALID;
        v.desc |= (uint16_t)(1u << bit);
    }
    if (!opt_num(j, "teid", UINT32_MAX, &teid) || !opt_num(j, "port", 0xffff, &port) ||
        !opt_num(j, "c_tag", 0xffffff, &ct) || !opt_num(j, "s_tag", 0xffffff, &st) ||
        get_ip(j, "ipv4", AF_INET, v.ipv4) < 0 || get_ip(j, "ipv6", AF_INET6, v.ipv6) < 0)
        return G5_ERR_INVALID;
    v.teid = (uint32_t)teid;
    v.port = (uint16_t)port;
    v.ctag = (uint32_t)ct;
    v.stag = (uint32_t)st;
    return g5_pfcp_ohc_put(w, &v);
}

static int volume_from_json(const json_t *j, bool meas, g5_wbuf *w)
{
    static const char *const k[] = {"total",         "uplink",         "downlink",
                                    "total_packets", "uplink_packets", "downlink_packets"};
    g5_pfcp_volume v = {0};
    uint64_t *f[6] = {&v.total, &v.ul, &v.dl, &v.total_pkts, &v.ul_pkts, &v.dl_pkts};
    for (int i = 0; i < (meas ? 6 : 3); i++) {
        const json_t *x = json_object_get(j, k[i]);
        if (!x)
            continue;
        if (!get_u64(x, f[i]))
            return G5_ERR_INVALID;
        v.flags |= (uint8_t)(1u << i);
    }
    return g5_pfcp_volume_put(w, meas, &v);
}

static int sdf_from_json(const json_t *j, g5_wbuf *w)
{
    g5_pfcp_sdf v;
    uint64_t tos = 0, spi = 0, fl = 0, id = 0;
    memset(&v, 0, sizeof v);
    const json_t *fd = json_object_get(j, "flow_description");
    if (fd) {
        if (!json_is_string(fd) || json_string_length(fd) > 0xffff)
            return G5_ERR_INVALID;
        v.has_fd = true;
        v.fd = json_string_value(fd);
        v.fd_len = (uint16_t)json_string_length(fd);
    }
    v.has_ttc = json_object_get(j, "tos_traffic_class") != NULL;
    v.has_spi = json_object_get(j, "security_parameter_index") != NULL;
    v.has_fl = json_object_get(j, "flow_label") != NULL;
    v.has_bid = json_object_get(j, "sdf_filter_id") != NULL;
    if (!opt_num(j, "tos_traffic_class", 0xffff, &tos) ||
        !opt_num(j, "security_parameter_index", UINT32_MAX, &spi) ||
        !opt_num(j, "flow_label", 0xffffff, &fl) || !opt_num(j, "sdf_filter_id", UINT32_MAX, &id))
        return G5_ERR_INVALID;
    v.tos = (uint16_t)tos;
    v.spi = (uint32_t)spi;
    v.flow_label = (uint32_t)fl;
    v.filter_id = (uint32_t)id;
    return g5_pfcp_sdf_put(w, &v);
}

static int fteid_from_json(const json_t *j, g5_wbuf *w)
{
    g5_pfcp_fteid v;
    uint64_t teid = 0, cid = 0;
    memset(&v, 0, sizeof v);
    v.ch = jtrue(j, "choose");
    v.chid = json_object_get(j, "choose_id") != NULL || jtrue(j, "chid");
    if (!opt_num(j, "teid", UINT32_MAX, &teid) || !opt_num(j, "choose_id", 0xff, &cid))
        return G5_ERR_INVALID;
    int r4 = get_ip(j, "ipv4", AF_INET, v.ipv4), r6 = get_ip(j, "ipv6", AF_INET6, v.ipv6);
    if (r4 < 0 || r6 < 0)
        return G5_ERR_INVALID;
    v.v4 = r4 > 0 || jtrue(j, "v4");
    v.v6 = r6 > 0 || jtrue(j, "v6");
    v.teid = (uint32_t)teid;
    v.choose_id = (uint8_t)cid;
    return g5_pfcp_fteid_put(w, &v);
}

static int fseid_from_json(const json_t *j, g5_wbuf *w)
{
    g5_pfcp_fseid v;
    memset(&v, 0, sizeof v);
    const json_t *s = json_object_get(j, "seid");
    if (!s || !get_u64(s, &v.seid))
        return G5_ERR_INVALID;
    int r4 = get_ip(j, "ipv4", AF_INET, v.ipv4), r6 = get_ip(j, "ipv6", AF_INET6, v.ipv6);
    if (r4 < 0 || r6 < 0)
        return G5_ERR_INVALID;
    v.v4 = r4 > 0;
    v.v6 = r6 > 0;
    return g5_pfcp_fseid_put(w, &v);
}

static int node_id_from_json(const json_t *j, g5_wbuf *w)
{
    g5_pfcp_node_id v;
    memset(&v, 0, sizeof v);
    const json_t *f = json_object_get(j, "fqdn");
    if (get_ip(j, "ipv4", AF_INET, v.ipv4) > 0) {
        v.type = G5_PFCP_NODE_IPV4;
    } else if (get_ip(j, "ipv6", AF_INET6, v.ipv6) > 0) {
        v.type = G5_PFCP_NODE_IPV6;
    } else if (json_is_string(f) && json_string_length(f) < sizeof v.fqdn) {
        v.type = G5_PFCP_NODE_FQDN;
        memcpy(v.fqdn, json_string_value(f), json_string_length(f) + 1);
    } else {
        return G5_ERR_INVALID;
    }
    return g5_pfcp_node_id_put(w, &v);
}

static int ue_ip_from_json(const json_t *j, g5_wbuf *w)
{
    g5_pfcp_ue_ip v;
    uint64_t pd = 0, pl = 0;
    memset(&v, 0, sizeof v);
    int r4 = get_ip(j, "ipv4", AF_INET, v.ipv4), r6 = get_ip(j, "ipv6", AF_INET6, v.ipv6);
    if (r4 < 0 || r6 < 0 || !opt_num(j, "ipv6_prefix_delegation_bits", 0xff, &pd) ||
        !opt_num(j, "ipv6_prefix_length", 0xff, &pl))
        return G5_ERR_INVALID;
    v.v4 = r4 > 0;
    v.v6 = r6 > 0;
    v.sd = jtrue(j, "destination");
    v.chv4 = jtrue(j, "chv4");
    v.chv6 = jtrue(j, "chv6");
    v.ipv6d = json_object_get(j, "ipv6_prefix_delegation_bits") != NULL;
    v.ip6pl = json_object_get(j, "ipv6_prefix_length") != NULL;
    v.ipv6_pd_bits = (uint8_t)pd;
    v.ipv6_prefix_len = (uint8_t)pl;
    return g5_pfcp_ue_ip_put(w, &v);
}

static int uint_from_json(const json_t *j, unsigned octets, uint64_t mask, g5_wbuf *w)
{
    uint64_t v;
    if (!get_u64(j, &v) || (octets < 8 && v > (((uint64_t)1 << (8 * octets)) - 1)) || (v & ~mask))
        return G5_ERR_INVALID;
    for (int s = (int)octets - 1; s >= 0; s--)
        g5_wbuf_u8(w, (uint8_t)(v >> (8 * s)));
    return w->err;
}

static int pair_from_json(const json_t *j, const char *a, unsigned amax, unsigned ash,
                          const char *b, unsigned bmax, g5_wbuf *w)
{
    uint64_t x = 0, y = 0;
    if (!json_is_object(j) || !opt_num(j, a, amax, &x) || !opt_num(j, b, bmax, &y))
        return G5_ERR_INVALID;
    return g5_wbuf_u8(w, (uint8_t)(x << ash | y));
}

static int value_from_json(const g5_pfcp_ie_desc *d, const json_t *j, g5_wbuf *w)
{
    g5_pfcp_bitrate br = {0, 0};
    uint64_t desc = 0, ext = 0;
    switch (d->kind) {
    case PK_STR:
        if (!json_is_string(j))
            return G5_ERR_INVALID;
        return g5_wbuf_bytes(w, json_string_value(j), json_string_length(j));
    case PK_NI: return ni_from_json(j, w);
    case PK_U8: return uint_from_json(j, 1, UINT64_MAX, w);
    case PK_U16: return uint_from_json(j, 2, UINT64_MAX, w);
    case PK_U32: return uint_from_json(j, 4, UINT64_MAX, w);
    case PK_U64: return uint_from_json(j, 8, UINT64_MAX, w);
    case PK_IFACE: return uint_from_json(j, 1, 0x0f, w);
    case PK_QFI: return uint_from_json(j, 1, 0x3f, w);
    case PK_PDN: return uint_from_json(j, 1, 0x07, w);
    case PK_GATE: return pair_from_json(j, "ul", 3, 2, "dl", 3, w);
    case PK_TIMER: return pair_from_json(j, "unit", 7, 5, "value", 31, w);
    case PK_FLAGS: return flags_from_json(d, j, w);
    case PK_FTEID: return json_is_object(j) ? fteid_from_json(j, w) : G5_ERR_INVALID;
    case PK_FSEID: return json_is_object(j) ? fseid_from_json(j, w) : G5_ERR_INVALID;
    case PK_NODE_ID: return json_is_object(j) ? node_id_from_json(j, w) : G5_ERR_INVALID;
    case PK_UE_IP: return json_is_object(j) ? ue_ip_from_json(j, w) : G5_ERR_INVALID;
    case PK_OHC: return json_is_object(j) ? ohc_from_json(j, w) : G5_ERR_INVALID;
    case PK_OHR:
        if (!json_is_object(j) || !opt_num(j, "description", 0xff, &desc) ||
            !opt_num(j, "gtpu_extension_header_deletion", 0xff, &ext))
            return G5_ERR_INVALID;
        g5_wbuf_u8(w, (uint8_t)desc);
        if (json_object_get(j, "gtpu_extension_header_deletion"))
            g5_wbuf_u8(w, (uint8_t)ext);
        return w->err;
    case PK_BITRATE:
        if (!json_is_object(j) || !opt_num(j, "ul", (1ull << 40) - 1, &br.ul_kbps) ||
            !opt_num(j, "dl", (1ull << 40) - 1, &br.dl_kbps))
            return G5_ERR_INVALID;
        return g5_pfcp_bitrate_put(w, &br);
    case PK_VOLUME:
    case PK_VOLMEAS:
        return json_is_object(j) ? volume_from_json(j, d->kind == PK_VOLMEAS, w) : G5_ERR_INVALID;
    case PK_SDF: return json_is_object(j) ? sdf_from_json(j, w) : G5_ERR_INVALID;
    default: return G5_ERR_INVALID;
    }
}

/* ------------------------------------------------------------------ decode */

typedef struct jdec {
    const g5_pfcp_msg *m;
    int err;
} jdec;

/* Decoded value, verified to re-encode to exactly the same bytes, else {"hex"}. */
static json_t *value_json_exact(const g5_pfcp_ie_desc *d, const uint8_t *p, size_t n)
{
    json_t *v = value_to_json(d, p, n);
    if (v) {
        uint8_t tmp[MAX_IE_VALUE];
        g5_wbuf w;
        g5_wbuf_init(&w, tmp, sizeof tmp);
        if (value_from_json(d, v, &w) || w.len != n || memcmp(tmp, p, n) != 0) {
            if (d->kind == PK_FLAGS && json_is_array(v) && n <= 8) {
                v = json_pack("{s:o,s:i}", "flags", v, "octets", (int)n);
                return v;
            }
            json_decref(v);
            v = NULL;
        }
    }
    return v ? v : jhex(p, n);
}

static json_t *ies_to_json(jdec *d, uint16_t first, const g5_pfcp_child_desc *t, unsigned nt);

static json_t *unknown_ie_json(const g5_pfcp_ie *ie)
{
    json_t *o = json_pack("{s:i}", "type", ie->type);
    if (ie->type & 0x8000)
        json_object_set_new(o, "enterprise", json_integer(ie->enterprise));
    char *s = malloc(2 * (size_t)ie->len + 1);
    if (s) {
        g5_hex_encode(ie->val, ie->len, s);
        json_object_set_new(o, "hex", json_string(s));
        free(s);
    }
    return o;
}

static json_t *ie_to_json(jdec *d, const g5_pfcp_ie *ie, const g5_pfcp_ie_desc *desc)
{
    if (ie->grouped)
        return ies_to_json(d, ie->first_child, desc->children, desc->n_children);
    return value_json_exact(desc, ie->val, ie->len);
}

static bool is_list(const g5_pfcp_child_desc *t, unsigned nt, uint16_t type)
{
    const g5_pfcp_child_desc *c = g5_pfcp_child_desc_find(t, nt, type);
    return c && c->max == 0;
}

static json_t *ies_to_json(jdec *d, uint16_t first, const g5_pfcp_child_desc *t, unsigned nt)
{
    json_t *obj = json_object(), *order = json_array(), *lists = json_object();
    const char *last = NULL;
    bool interleaved = false;
    for (uint16_t i = first; i != G5_PFCP_NONE; i = d->m->ies[i].next) {
        const g5_pfcp_ie *ie = &d->m->ies[i];
        const g5_pfcp_ie_desc *desc = (ie->type & 0x8000) ? NULL : g5_pfcp_ie_desc_get(ie->type);
        const char *key = desc ? desc->name : UNKNOWN_KEY;
        json_t *v = desc ? ie_to_json(d, ie, desc) : unknown_ie_json(ie);
        if (!v) {
            d->err = G5_ERR_NOMEM;
            break;
        }
        json_t *cur = json_object_get(obj, key);
        if (cur && last != key)
            interleaved = true;
        if (!cur && desc && !is_list(t, nt, ie->type)) {
            json_object_set_new(obj, key, v);
        } else if (!cur) {
            json_t *a = json_array();
            json_array_append_new(a, v);
            json_object_set_new(obj, key, a);
            json_object_set_new(lists, key, json_true());
        } else if (json_object_get(lists, key)) {
            json_array_append_new(cur, v);
        } else { /* a single IE repeated (§7.6.10): keep all, as a list */
            json_t *a = json_array();
            json_array_append(a, cur);
            json_array_append_new(a, v);
            json_object_set_new(obj, key, a);
            json_object_set_new(lists, key, json_true());
        }
        json_array_append_new(order, json_string(key));
        last = key;
    }
    json_decref(lists);
    if (interleaved)
        json_object_set_new(obj, ORDER_KEY, order);
    else
        json_decref(order);
    return obj;
}

int g5_pfcp_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    g5_pfcp_msg *m = malloc(sizeof *m);
    if (!m)
        return G5_ERR_NOMEM;
    g5_pfcp_error e = {0};
    int rc = g5_pfcp_decode(p, n, m, &e);
    if (rc) {
        const char *ien = g5_pfcp_ie_name(e.offending_ie);
        snprintf(err, errlen, "%s at byte %zu (cause %u %s, offending IE %u%s%s)",
                 e.what ? e.what : g5_strerror(rc), e.offset, e.cause, g5_pfcp_cause_name(e.cause),
                 e.offending_ie, ien ? " " : "", ien ? ien : "");
        free(m);
        return rc;
    }
    const g5_pfcp_msg_desc *md = g5_pfcp_msg_desc_get(m->h.type);
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(m->h.version));
    json_object_set_new(o, "message_type", json_integer(m->h.type));
    if (md)
        json_object_set_new(o, "message", json_string(md->name));
    if (m->h.fo)
        json_object_set_new(o, "fo", json_true());
    if (m->h.spare_bits)
        json_object_set_new(o, "spare_flags", json_integer(m->h.spare_bits));
    if (m->h.s)
        json_object_set_new(o, "seid", ju64(m->h.seid));
    json_object_set_new(o, "sequence", json_integer(m->h.seq));
    if (m->h.mp)
        json_object_set_new(o, "priority", json_integer(m->h.priority));
    if (m->h.spare_low)
        json_object_set_new(o, "spare", json_integer(m->h.spare_low));
    jdec d = {m, 0};
    json_t *ies = ies_to_json(&d, m->first, md ? md->ies : NULL, md ? md->n_ies : 0);
    json_object_set_new(o, "ies", ies);
    free(m);
    if (d.err) {
        json_decref(o);
        snprintf(err, errlen, "out of memory");
        return d.err;
    }
    *out = o;
    return 0;
}

/* ------------------------------------------------------------------ encode */

typedef struct jenc {
    char *err;
    size_t errlen;
    unsigned depth;
} jenc;

static int efail(jenc *e, int rc, const char *what, const char *key)
{
    if (!e->err[0])
        snprintf(e->err, e->errlen, "%s: %s", key ? key : "message", what);
    return rc;
}

static uint16_t type_by_name(const char *name)
{
    for (uint16_t t = 1; t < G5_PFCP_IE_DESC_N; t++) {
        const g5_pfcp_ie_desc *d = g5_pfcp_ie_desc_get(t);
        if (d && !strcmp(d->name, name))
            return t;
    }
    return 0;
}

static int put_hex_value(const json_t *h, g5_wbuf *w)
{
    const char *s = json_string_value(h);
    if (!s)
        return G5_ERR_INVALID;
    size_t n = strlen(s) / 2;
    if (n > MAX_IE_VALUE)
        return G5_ERR_TOO_LONG;
    uint8_t *b = malloc(n + 1);
    if (!b)
        return G5_ERR_NOMEM;
    int k = g5_hex_decode(s, b, n + 1);
    int rc = k < 0 ? k : g5_wbuf_bytes(w, b, (size_t)k);
    free(b);
    return rc;
}

static int ies_from_json(jenc *e, const json_t *obj, g5_wbuf *w);

static int one_from_json(jenc *e, const char *key, const json_t *v, g5_wbuf *w)
{
    size_t at;
    uint64_t type = 0, ent = 0;
    int rc;
    if (!strcmp(key, UNKNOWN_KEY)) {
        if (!json_is_object(v) || !json_object_get(v, "type") ||
            !opt_num(v, "type", 0xffff, &type) || !opt_num(v, "enterprise", 0xffff, &ent))
            return efail(e, G5_ERR_INVALID, "needs {type, hex}", key);
        g5_pfcp_group_begin(w, (uint16_t)type, &at);
        if (type & 0x8000)
            g5_wbuf_u16(w, (uint16_t)ent);
        rc = put_hex_value(json_object_get(v, "hex"), w);
        if (rc)
            return efail(e, rc, "bad hex", key);
        return g5_pfcp_group_end(w, at) ? efail(e, G5_ERR_TOO_LONG, "IE too long", key) : 0;
    }
    type = type_by_name(key);
    if (!type)
        return efail(e, G5_ERR_INVALID, "unknown IE name", key);
    const g5_pfcp_ie_desc *d = g5_pfcp_ie_desc_get((uint16_t)type);
    g5_pfcp_group_begin(w, (uint16_t)type, &at);
    const json_t *hex = json_is_object(v) ? json_object_get(v, "hex") : NULL;
    if (hex && json_object_size(v) == 1) {
        rc = put_hex_value(hex, w);
    } else if (d->kind == PK_GROUP) {
        if (!json_is_object(v))
            return efail(e, G5_ERR_INVALID, "grouped IE must be an object", key);
        if (++e->depth > G5_PFCP_MAX_DEPTH)
            return efail(e, G5_ERR_LIMIT, "nested too deep", key);
        rc = ies_from_json(e, v, w);
        e->depth--;
    } else {
        rc = value_from_json(d, v, w);
    }
    if (rc)
        return efail(e, rc, "invalid value", key);
    if (g5_pfcp_group_end(w, at))
        return efail(e, G5_ERR_TOO_LONG, "IE too long", key);
    return 0;
}

/* One key: a list encodes each element, anything else is one IE. */
static bool is_flags_value(const char *key, const json_t *v)
{
    const g5_pfcp_ie_desc *d = g5_pfcp_ie_desc_get(type_by_name(key));
    return d && d->kind == PK_FLAGS &&
           (json_array_size(v) == 0 || json_is_string(json_array_get(v, 0)));
}

static int key_from_json(jenc *e, const char *key, const json_t *v, g5_wbuf *w)
{
    if (!json_is_array(v) || is_flags_value(key, v))
        return one_from_json(e, key, v, w);
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        int rc = one_from_json(e, key, x, w);
        if (rc)
            return rc;
    }
    return 0;
}

/* Wire order given by "_order": take the next element of each named key in turn. */
static int ordered_from_json(jenc *e, const json_t *obj, const json_t *order, g5_wbuf *w)
{
    json_t *used = json_object();
    size_t i;
    const json_t *k;
    int rc = 0;
    json_array_foreach(order, i, k)
    {
        const char *key = json_string_value(k);
        const json_t *v = key ? json_object_get(obj, key) : NULL;
        if (!v) {
            rc = efail(e, G5_ERR_INVALID, "names a missing key", ORDER_KEY);
            break;
        }
        json_int_t n = json_integer_value(json_object_get(used, key));
        json_object_set_new(used, key, json_integer(n + 1));
        bool list = json_is_array(v) && !is_flags_value(key, v);
        const json_t *item = list ? json_array_get(v, (size_t)n) : n ? NULL : v;
        if (!item) {
            rc = efail(e, G5_ERR_INVALID, "more entries than values", ORDER_KEY);
            break;
        }
        if ((rc = one_from_json(e, key, item, w)))
            break;
    }
    json_decref(used);
    return rc;
}

static int ies_from_json(jenc *e, const json_t *obj, g5_wbuf *w)
{
    const json_t *order = json_object_get(obj, ORDER_KEY);
    if (order) {
        if (!json_is_array(order))
            return efail(e, G5_ERR_INVALID, "must be a list of keys", ORDER_KEY);
        return ordered_from_json(e, obj, order, w);
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        int rc = key_from_json(e, key, v, w);
        if (rc)
            return rc;
    }
    return 0;
}

static int msg_type_from_json(const json_t *in, uint8_t *type)
{
    uint64_t t = 0;
    const json_t *mt = json_object_get(in, "message_type");
    const char *name = json_string_value(json_object_get(in, "message"));
    if (mt) {
        if (!get_u64(mt, &t) || t > 255)
            return G5_ERR_INVALID;
        *type = (uint8_t)t;
        return 0;
    }
    for (unsigned i = 1; name && i < 256; i++) {
        const char *n = g5_pfcp_msg_name((uint8_t)i);
        if (n && !strcmp(n, name)) {
            *type = (uint8_t)i;
            return 0;
        }
    }
    return G5_ERR_INVALID;
}

int g5_pfcp_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen)
{
    jenc e = {err, errlen, 0};
    uint8_t type = 0;
    uint64_t version = G5_PFCP_VERSION, seq = 0, seid = 0, prio = 0, spf = 0, spare = 0;
    err[0] = 0;
    if (!json_is_object(in))
        return efail(&e, G5_ERR_INVALID, "must be an object", NULL);
    if (msg_type_from_json(in, &type))
        return efail(&e, G5_ERR_INVALID, "needs message_type or a known message name", NULL);
    const json_t *js = json_object_get(in, "seid"), *jp = json_object_get(in, "priority");
    if (!opt_num(in, "version", 7, &version) || !opt_num(in, "sequence", 0xffffff, &seq) ||
        (js && !get_u64(js, &seid)) || !opt_num(in, "priority", 15, &prio) ||
        !opt_num(in, "spare_flags", 3, &spf) || !opt_num(in, "spare", jp ? 15 : 255, &spare))
        return efail(&e, G5_ERR_INVALID, "bad header field", NULL);
    size_t start = out->len;
    g5_wbuf_u8(out, (uint8_t)(version << 5 | spf << 3 | (jtrue(in, "fo") ? 4 : 0) | (jp ? 2 : 0) |
                              (js ? 1 : 0)));
    g5_wbuf_u8(out, type);
    g5_wbuf_u16(out, 0);
    if (js)
        g5_wbuf_u64(out, seid);
    g5_wbuf_u24(out, (uint32_t)seq);
    g5_wbuf_u8(out, (uint8_t)(jp ? (prio << 4 | spare) : spare));
    const json_t *ies = json_object_get(in, "ies");
    if (ies && !json_is_object(ies))
        return efail(&e, G5_ERR_INVALID, "must be an object", "ies");
    int rc = ies ? ies_from_json(&e, ies, out) : 0;
    if (rc)
        return rc;
    if (out->err)
        return efail(&e, out->err, g5_strerror(out->err), NULL);
    rc = g5_pfcp_msg_end(out, start);
    return rc ? efail(&e, rc, "message too long", NULL) : 0;
}
