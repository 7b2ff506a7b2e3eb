/* The JSON face of the GTP-U codec (`glass5g decode|encode gtpu`), see core/codec_json.h.
 *
 * Shape:
 *   {"message_type": 255, "message": "G-PDU", "teid": 1, "seq": 7, "npdu": 0,
 *    "extension_headers": [{"type": 133, "name": "PDU Session Container",
 *                           "pdu_session_container": {"pdu_type": 1, "qfi": 9, ...}}],
 *    "payload": "4500..."}                                  (G-PDU: the T-PDU as hex)
 *   {"message_type": 26, ..., "ies": [{"type": 16, "name": "TEID Data I", "teid": 5},
 *                                     {"type": 133, "address": "192.0.2.1"}]}
 * "seq" / "npdu" / "extension_headers" are present exactly when the S / PN / E flags are.
 * Typed fields (QFI, UDP port, address...) are what a reader edits; when the bytes carry
 * something the typed form cannot express (spare bits set, unusual padding), the decoder
 * adds the raw "content" (extension header) or "value" (IE) as hex and the encoder writes
 * that instead, so encode(decode(x)) == x for every message the decoder accepts.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "core/err.h"
#include "core/hex.h"
#include "gtpu/gtpu.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

/* ---- small JSON helpers ----------------------------------------------------------- */

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return NULL;
    g5_hex_encode(p, n, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static void set_u(json_t *o, const char *k, uint64_t v)
{
    json_object_set_new(o, k, json_integer((json_int_t)v));
}

static void set_ts(json_t *o, const char *k, uint64_t v)
{
    char s[19];
    snprintf(s, sizeof s, "0x%016" PRIx64, v); /* NTP time stamps use all 64 bits */
    json_object_set_new(o, k, json_string(s));
}

/* Reads an unsigned integer field; absent is an error only when required. */
static int get_u(const json_t *o, const char *k, uint64_t max, bool required, uint64_t *v,
                 char *err, size_t errlen)
{
    const json_t *j = json_object_get(o, k);
    if (!j) {
        if (required) {
            ERRF("missing field \"%s\"", k);
            return G5_ERR_MISSING;
        }
        return 1;
    }
    if (!json_is_integer(j) || json_integer_value(j) < 0 || (uint64_t)json_integer_value(j) > max) {
        ERRF("field \"%s\": expected an integer 0..%" PRIu64, k, max);
        return G5_ERR_INVALID;
    }
    *v = (uint64_t)json_integer_value(j);
    return 0;
}

/* Reads a 64-bit time stamp given as "0x..." hex or as an integer. */
static int get_ts(const json_t *o, const char *k, uint64_t *v, char *err, size_t errlen)
{
    const json_t *j = json_object_get(o, k);
    if (json_is_string(j)) {
        uint8_t b[8];
        if (g5_hex_decode_exact(json_string_value(j), b, 8) == 8) {
            *v = 0;
            for (int i = 0; i < 8; i++)
                *v = *v << 8 | b[i];
            return 0;
        }
    }
    if (json_is_integer(j) && json_integer_value(j) >= 0) {
        *v = (uint64_t)json_integer_value(j);
        return 0;
    }
    ERRF("field \"%s\": expected 16 hex digits", k);
    return G5_ERR_INVALID;
}

/* Decodes a hex string field into a new buffer (*p, *n); *p == NULL when absent. */
static int get_hex(const json_t *o, const char *k, uint8_t **p, size_t *n, size_t max, char *err,
                   size_t errlen)
{
    const json_t *j = json_object_get(o, k);
    *p = NULL;
    *n = 0;
    if (!j)
        return 0;
    const char *s = json_string_value(j);
    uint8_t *b = s ? malloc(strlen(s) / 2 + 1) : NULL;
    int len = b ? g5_hex_decode(s, b, strlen(s) / 2 + 1) : G5_ERR_INVALID;
    if (len < 0 || (size_t)len > max) {
        free(b);
        ERRF("field \"%s\": expected hex of at most %zu octets", k, max);
        return G5_ERR_INVALID;
    }
    *p = b;
    *n = (size_t)len;
    return 0;
}

/* ---- PDU Session Container <-> JSON ----------------------------------------------- */

static json_t *psc_json(const g5_gtpu_psc *s)
{
    json_t *o = json_object();
    set_u(o, "pdu_type", s->pdu_type);
    json_object_set_new(o, "pdu_type_name",
                        json_string(s->pdu_type == G5_GTPU_PSC_DL ? "DL PDU SESSION INFORMATION"
                                                                  : "UL PDU SESSION INFORMATION"));
    set_u(o, "qfi", s->qfi);
    if (s->pdu_type == G5_GTPU_PSC_DL) {
        json_object_set_new(o, "rqi", json_boolean(s->rqi));
        if (s->ppp)
            set_u(o, "ppi", s->ppi);
        if (s->qmp)
            set_ts(o, "dl_sending_time_stamp", s->dl_sending_ts);
        if (s->snp)
            set_u(o, "dl_qfi_sequence_number", s->qfi_sn);
        if (s->msnp)
            set_u(o, "dl_mbs_qfi_sequence_number", s->mbs_qfi_sn);
        return o;
    }
    if (s->qmp) {
        set_ts(o, "dl_sending_time_stamp_repeated", s->dl_sending_ts);
        set_ts(o, "dl_received_time_stamp", s->dl_received_ts);
        set_ts(o, "ul_sending_time_stamp", s->ul_sending_ts);
    }
    if (s->dl_delay_ind)
        set_u(o, "dl_delay_result", s->dl_delay_result);
    if (s->ul_delay_ind)
        set_u(o, "ul_delay_result", s->ul_delay_result);
    if (s->snp)
        set_u(o, "ul_qfi_sequence_number", s->qfi_sn);
    if (s->n3n9_delay_ind)
        set_u(o, "n3n9_delay_result", s->n3n9_delay_result);
    if (s->new_ie_flag)
        set_u(o, "new_ie_flags", s->new_ie_flags);
    return o;
}

/* Optional u32 field: sets *flag when present. */
static int opt_u(const json_t *o, const char *k, uint64_t max, bool *flag, uint32_t *v, char *err,
                 size_t errlen)
{
    uint64_t x = 0;
    int rc = get_u(o, k, max, false, &x, err, errlen);
    if (rc < 0)
        return rc;
    *flag = rc == 0;
    *v = (uint32_t)x;
    return 0;
}

static int psc_from_json_dl(const json_t *o, g5_gtpu_psc *s, char *err, size_t errlen)
{
    uint32_t ppi = 0;
    int rc = opt_u(o, "ppi", 7, &s->ppp, &ppi, err, errlen);
    s->ppi = (uint8_t)ppi;
    s->rqi = json_is_true(json_object_get(o, "rqi"));
    s->qmp = json_object_get(o, "dl_sending_time_stamp") != NULL;
    if (rc == 0 && s->qmp)
        rc = get_ts(o, "dl_sending_time_stamp", &s->dl_sending_ts, err, errlen);
    if (rc == 0)
        rc = opt_u(o, "dl_qfi_sequence_number", 0xffffff, &s->snp, &s->qfi_sn, err, errlen);
    if (rc == 0)
        rc = opt_u(o, "dl_mbs_qfi_sequence_number", 0xffffffff, &s->msnp, &s->mbs_qfi_sn, err,
                   errlen);
    return rc;
}

static int psc_from_json_ul(const json_t *o, g5_gtpu_psc *s, char *err, size_t errlen)
{
    int rc = 0;
    s->qmp = json_object_get(o, "ul_sending_time_stamp") != NULL;
    if (s->qmp) {
        rc = get_ts(o, "dl_sending_time_stamp_repeated", &s->dl_sending_ts, err, errlen);
        if (rc == 0)
            rc = get_ts(o, "dl_received_time_stamp", &s->dl_received_ts, err, errlen);
        if (rc == 0)
            rc = get_ts(o, "ul_sending_time_stamp", &s->ul_sending_ts, err, errlen);
    }
    if (rc == 0)
        rc = opt_u(o, "dl_delay_result", 0xffffffff, &s->dl_delay_ind, &s->dl_delay_result, err,
                   errlen);
    if (rc == 0)
        rc = opt_u(o, "ul_delay_result", 0xffffffff, &s->ul_delay_ind, &s->ul_delay_result, err,
                   errlen);
    if (rc == 0)
        rc = opt_u(o, "ul_qfi_sequence_number", 0xffffff, &s->snp, &s->qfi_sn, err, errlen);
    if (rc == 0)
        rc = opt_u(o, "n3n9_delay_result", 0xffffffff, &s->n3n9_delay_ind, &s->n3n9_delay_result,
                   err, errlen);
    uint32_t f = 0;
    if (rc == 0)
        rc = opt_u(o, "new_ie_flags", 0xff, &s->new_ie_flag, &f, err, errlen);
    s->new_ie_flags = (uint8_t)f;
    return rc;
}

static int psc_from_json(const json_t *o, g5_gtpu_psc *s, char *err, size_t errlen)
{
    uint64_t type = 0, qfi = 0;
    memset(s, 0, sizeof *s);
    if (!json_is_object(o)) {
        ERRF("\"pdu_session_container\" must be an object");
        return G5_ERR_INVALID;
    }
    int rc = get_u(o, "pdu_type", 1, true, &type, err, errlen);
    if (rc == 0)
        rc = get_u(o, "qfi", 0x3f, true, &qfi, err, errlen);
    if (rc < 0)
        return rc;
    s->pdu_type = (uint8_t)type;
    s->qfi = (uint8_t)qfi;
    return type == G5_GTPU_PSC_DL ? psc_from_json_dl(o, s, err, errlen)
                                  : psc_from_json_ul(o, s, err, errlen);
}

/* ---- Extension headers ------------------------------------------------------------ */

/* Encodes the typed form of extension header `x` (a JSON object) into c (cap octets).
 * Returns the content length, or a negative g5_err. */
static int ext_typed_encode(const json_t *x, uint8_t type, uint8_t *c, size_t cap, char *err,
                            size_t errlen)
{
    uint64_t v = 0;
    int rc;
    switch (type) {
    case G5_GTPU_EXT_PDU_SESSION_CONTAINER: {
        g5_gtpu_psc s;
        rc = psc_from_json(json_object_get(x, "pdu_session_container"), &s, err, errlen);
        return rc < 0 ? rc : g5_gtpu_psc_encode(&s, c, cap);
    }
    case G5_GTPU_EXT_UDP_PORT: /* §5.2.2.1: UDP port, 2 octets */
    case G5_GTPU_EXT_PDCP_PDU_NUMBER: /* §5.2.2.2: PDCP PDU number, 2 octets */
        rc = get_u(x, type == G5_GTPU_EXT_UDP_PORT ? "udp_port" : "pdcp_pdu_number", 0xffff, true,
                   &v, err, errlen);
        c[0] = (uint8_t)(v >> 8);
        c[1] = (uint8_t)v;
        return rc < 0 ? rc : 2;
    case G5_GTPU_EXT_SERVICE_CLASS_INDICATOR: /* §5.2.2.3: SCI, 1 spare octet */
        rc = get_u(x, "service_class_indicator", 0xff, true, &v, err, errlen);
        c[0] = (uint8_t)v;
        c[1] = 0;
        return rc < 0 ? rc : 2;
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER:
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER_NR: /* §5.2.2.2A: 18 bits, then 3 spare octets */
        rc = get_u(x, "long_pdcp_pdu_number", 0x3ffff, true, &v, err, errlen);
        memset(c, 0, 6);
        c[0] = (uint8_t)(v >> 16);
        c[1] = (uint8_t)(v >> 8);
        c[2] = (uint8_t)v;
        return rc < 0 ? rc : 6;
    default: ERRF("extension header 0x%02x needs \"content\" (hex)", type); return G5_ERR_MISSING;
    }
}

static json_t *ext_json(const g5_gtpu_hdr *h, const g5_gtpu_ext *x)
{
    json_t *o = json_object();
    const uint8_t *c = x->content;
    set_u(o, "type", x->type);
    json_object_set_new(o, "name", json_string(g5_gtpu_ext_name(x->type)));
    switch (x->type) {
    case G5_GTPU_EXT_PDU_SESSION_CONTAINER:
        json_object_set_new(o, "pdu_session_container", psc_json(&h->psc));
        break;
    case G5_GTPU_EXT_UDP_PORT: set_u(o, "udp_port", (unsigned)(c[0] << 8 | c[1])); break;
    case G5_GTPU_EXT_PDCP_PDU_NUMBER:
        set_u(o, "pdcp_pdu_number", (unsigned)(c[0] << 8 | c[1]));
        break;
    case G5_GTPU_EXT_SERVICE_CLASS_INDICATOR: set_u(o, "service_class_indicator", c[0]); break;
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER:
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER_NR:
        set_u(o, "long_pdcp_pdu_number", ((uint32_t)c[0] << 16 | c[1] << 8 | c[2]) & 0x3ffff);
        break;
    default: json_object_set_new(o, "content", hex_json(c, x->content_len)); return o;
    }
    /* Keep the raw content when the typed form does not reproduce it exactly. */
    uint8_t re[1024];
    char e[8];
    int n = ext_typed_encode(o, x->type, re, sizeof re, e, sizeof e);
    if (n != (int)x->content_len || memcmp(re, c, x->content_len) != 0)
        json_object_set_new(o, "content", hex_json(c, x->content_len));
    return o;
}

/* Writes the extension header list; *first gets the type of the first one. */
static int ext_encode_all(const json_t *list, g5_wbuf *w, char *err, size_t errlen)
{
    size_t n = json_array_size(list);
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(list, i);
        const json_t *nx = json_array_get(list, i + 1);
        uint64_t type = 0, next = 0;
        int rc = get_u(x, "type", 0xff, true, &type, err, errlen);
        if (rc == 0 && nx)
            rc = get_u(nx, "type", 0xff, true, &next, err, errlen);
        if (rc < 0)
            return rc;
        uint8_t *raw;
        size_t raw_len;
        uint8_t c[1024];
        rc = get_hex(x, "content", &raw, &raw_len, sizeof c, err, errlen);
        if (rc < 0)
            return rc;
        if (raw) {
            memcpy(c, raw, raw_len);
            free(raw);
            rc = (int)raw_len;
        } else {
            rc = ext_typed_encode(x, (uint8_t)type, c, sizeof c, err, errlen);
            if (rc < 0)
                return rc;
        }
        if (g5_gtpu_put_ext(w, c, (size_t)rc, (uint8_t)next) < 0) {
            ERRF("extension header %zu: content must be 4n-2 octets and fit", i);
            return G5_ERR_INVALID;
        }
    }
    return 0;
}

/* ---- Information elements --------------------------------------------------------- */

static json_t *ie_json(const g5_gtpu_ie *ie)
{
    json_t *o = json_object();
    const uint8_t *v = ie->value;
    char addr[INET6_ADDRSTRLEN];
    set_u(o, "type", ie->type);
    switch (ie->type) {
    case G5_GTPU_IE_RECOVERY:
        json_object_set_new(o, "name", json_string("Recovery"));
        set_u(o, "restart_counter", v[0]);
        return o;
    case G5_GTPU_IE_TEID_DATA_I:
        json_object_set_new(o, "name", json_string("TEID Data I"));
        set_u(o, "teid", (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]);
        return o;
    case G5_GTPU_IE_PEER_ADDRESS:
        json_object_set_new(o, "name", json_string("GTP-U Peer Address"));
        if (ie->len == 4 || ie->len == 16) {
            inet_ntop(ie->len == 4 ? AF_INET : AF_INET6, v, addr, sizeof addr);
            json_object_set_new(o, "address", json_string(addr));
            return o;
        }
        break;
    case G5_GTPU_IE_EXT_HDR_TYPE_LIST: {
        json_t *a = json_array();
        json_object_set_new(o, "name", json_string("Extension Header Type List"));
        for (size_t i = 0; i < ie->len; i++)
            json_array_append_new(a, json_integer(v[i]));
        json_object_set_new(o, "types", a);
        return o;
    }
    case G5_GTPU_IE_PRIVATE_EXTENSION:
        json_object_set_new(o, "name", json_string("Private Extension"));
        if (ie->len >= 2) {
            set_u(o, "extension_identifier", (unsigned)(v[0] << 8 | v[1]));
            json_object_set_new(o, "extension_value", hex_json(v + 2, ie->len - 2u));
            return o;
        }
        break;
    default: break;
    }
    json_object_set_new(o, "value", hex_json(v, ie->len));
    return o;
}

static int ie_encode_typed(const json_t *x, uint8_t type, g5_wbuf *w, char *err, size_t errlen)
{
    uint64_t v = 0;
    int rc;
    uint8_t a[16];
    switch (type) {
    case G5_GTPU_IE_RECOVERY:
        rc = get_u(x, "restart_counter", 0xff, true, &v, err, errlen);
        g5_wbuf_u8(w, (uint8_t)v);
        return rc;
    case G5_GTPU_IE_TEID_DATA_I:
        rc = get_u(x, "teid", 0xffffffff, true, &v, err, errlen);
        g5_wbuf_u32(w, (uint32_t)v);
        return rc;
    case G5_GTPU_IE_PEER_ADDRESS: {
        const char *s = json_string_value(json_object_get(x, "address"));
        size_t n = s && inet_pton(AF_INET, s, a) == 1    ? 4
                   : s && inet_pton(AF_INET6, s, a) == 1 ? 16
                                                         : 0;
        if (!n) {
            ERRF("GTP-U Peer Address: \"address\" must be an IPv4 or IPv6 address");
            return G5_ERR_INVALID;
        }
        g5_wbuf_u16(w, (uint16_t)n);
        g5_wbuf_bytes(w, a, n);
        return 0;
    }
    case G5_GTPU_IE_EXT_HDR_TYPE_LIST: {
        const json_t *t = json_object_get(x, "types");
        if (!json_is_array(t) || json_array_size(t) > 255) {
            ERRF("Extension Header Type List: \"types\" must be an array of at most 255");
            return G5_ERR_INVALID;
        }
        g5_wbuf_u8(w, (uint8_t)json_array_size(t));
        for (size_t i = 0; i < json_array_size(t); i++) {
            json_int_t e = json_integer_value(json_array_get(t, i));
            if (!json_is_integer(json_array_get(t, i)) || e < 0 || e > 255) {
                ERRF("Extension Header Type List: types must be integers 0..255");
                return G5_ERR_INVALID;
            }
            g5_wbuf_u8(w, (uint8_t)e);
        }
        return 0;
    }
    case G5_GTPU_IE_PRIVATE_EXTENSION: {
        uint8_t *val;
        size_t n;
        rc = get_u(x, "extension_identifier", 0xffff, true, &v, err, errlen);
        if (rc == 0)
            rc = get_hex(x, "extension_value", &val, &n, 0xfffd, err, errlen);
        if (rc < 0)
            return rc;
        g5_wbuf_u16(w, (uint16_t)(n + 2));
        g5_wbuf_u16(w, (uint16_t)v);
        g5_wbuf_bytes(w, val, n);
        free(val);
        return 0;
    }
    default: ERRF("IE type %u needs \"value\" (hex)", type); return G5_ERR_MISSING;
    }
}

/* Writes a raw IE value with the length coding its type uses. */
static int ie_encode_raw(uint8_t type, const uint8_t *v, size_t n, g5_wbuf *w, char *err,
                         size_t errlen)
{
    if (type < 128) {
        g5_wbuf_bytes(w, v, n); /* TV: the length is implied by the type */
        return 0;
    }
    if (type == G5_GTPU_IE_EXT_HDR_TYPE_LIST) {
        if (n > 255) {
            ERRF("IE 141: at most 255 octets");
            return G5_ERR_TOO_LONG;
        }
        g5_wbuf_u8(w, (uint8_t)n);
    } else {
        if (n > 0xffff) {
            ERRF("IE %u: at most 65535 octets", type);
            return G5_ERR_TOO_LONG;
        }
        g5_wbuf_u16(w, (uint16_t)n);
    }
    g5_wbuf_bytes(w, v, n);
    return 0;
}

static int ies_encode_all(const json_t *list, g5_wbuf *w, char *err, size_t errlen)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *x = json_array_get(list, i);
        uint64_t type = 0;
        uint8_t *raw;
        size_t n;
        int rc = get_u(x, "type", 0xff, true, &type, err, errlen);
        if (rc == 0)
            rc = get_hex(x, "value", &raw, &n, 0xffff, err, errlen);
        if (rc < 0)
            return rc;
        g5_wbuf_u8(w, (uint8_t)type);
        rc = raw ? ie_encode_raw((uint8_t)type, raw, n, w, err, errlen)
                 : ie_encode_typed(x, (uint8_t)type, w, err, errlen);
        free(raw);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- Messages --------------------------------------------------------------------- */

static bool is_signalling(uint8_t type)
{
    return type == G5_GTPU_ECHO_REQUEST || type == G5_GTPU_ECHO_RESPONSE ||
           type == G5_GTPU_ERROR_INDICATION || type == G5_GTPU_SUPPORTED_EXT_HDR_NOTIFICATION ||
           type == G5_GTPU_END_MARKER;
}

/* Offset of the extension header the walk stopped at (the ones before it are in h->ext). */
static size_t failed_ext_offset(const g5_gtpu_hdr *h)
{
    size_t off = G5_GTPU_HDR_MIN + 4;
    for (unsigned i = 0; i < h->n_ext; i++)
        off += (size_t)h->ext[i].units * 4;
    return off;
}

/* One line saying why g5_gtpu_parse refused the datagram, with the offset where known. */
static const char *parse_error(int rc, const g5_gtpu_hdr *h, const uint8_t *p, size_t n, char *buf,
                               size_t len)
{
    size_t end = (size_t)h->length + G5_GTPU_HDR_MIN;
    if (n < G5_GTPU_HDR_MIN)
        snprintf(buf, len, "%zu octets: shorter than the 8-octet header", n);
    else if ((h->flags & 0xf0) != G5_GTPU_FLAGS_V1)
        snprintf(buf, len, "not GTPv1 with PT=1 (octet 1 = 0x%02x)", h->flags);
    else if (end != n)
        snprintf(buf, len, "Length field %u does not match the %zu octets after the header",
                 h->length, n - G5_GTPU_HDR_MIN);
    else if ((h->flags & 7) && !h->has_opt)
        snprintf(buf, len, "flags 0x%02x announce 4 optional octets the Length does not cover",
                 h->flags);
    else if (rc == G5_ERR_UNSUPPORTED && h->unsupported_ext)
        snprintf(buf, len, "unknown comprehension-required extension header 0x%02x at offset %zu",
                 h->unsupported_ext, failed_ext_offset(h));
    else if (rc == G5_ERR_INVALID && failed_ext_offset(h) < n && p[failed_ext_offset(h)] == 0)
        snprintf(buf, len, "extension header %u at offset %zu: length 0 (TS 29.281 §5.2.1)",
                 h->n_ext + 1u, failed_ext_offset(h));
    else if (rc == G5_ERR_LIMIT)
        snprintf(buf, len, "more than %d extension headers", G5_GTPU_MAX_EXT);
    else
        snprintf(buf, len, "extension header %u at offset %zu: %s", h->n_ext + 1u,
                 failed_ext_offset(h),
                 rc == G5_ERR_TRUNCATED     ? "runs past the end of the message"
                 : rc == G5_ERR_UNSUPPORTED ? "reserved PDU Session Container PDU type"
                                            : g5_strerror(rc));
    return buf;
}

static json_t *hdr_json(const g5_gtpu_hdr *h)
{
    json_t *o = json_object();
    set_u(o, "message_type", h->msg_type);
    json_object_set_new(o, "message", json_string(g5_gtpu_msg_name(h->msg_type)));
    set_u(o, "teid", h->teid);
    if (h->flags & G5_GTPU_FLAG_S)
        set_u(o, "seq", h->seq);
    else if (h->seq) /* optional octets present but not meaningful (§5.1): kept as is */
        set_u(o, "unused_seq", h->seq);
    if (h->flags & G5_GTPU_FLAG_PN)
        set_u(o, "npdu", h->npdu);
    else if (h->npdu)
        set_u(o, "unused_npdu", h->npdu);
    if (!(h->flags & G5_GTPU_FLAG_E) && h->next_ext)
        set_u(o, "unused_next_ext", h->next_ext);
    if (h->flags & G5_GTPU_FLAG_SPARE)
        set_u(o, "spare", 1);
    if (h->flags & G5_GTPU_FLAG_E) {
        json_t *a = json_array();
        for (unsigned i = 0; i < h->n_ext; i++)
            json_array_append_new(a, ext_json(h, &h->ext[i]));
        json_object_set_new(o, "extension_headers", a);
    }
    return o;
}

int g5_gtpu_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen)
{
    g5_gtpu_hdr h;
    *out = NULL;
    int rc = g5_gtpu_parse(p, n, &h);
    if (rc < 0) {
        char why[128];
        ERRF("%s", parse_error(rc, &h, p, n, why, sizeof why));
        return rc;
    }
    if (is_signalling(h.msg_type)) {
        g5_gtpu_ies ies;
        rc = g5_gtpu_msg_parse(&h, &ies);
        if (rc < 0) {
            ERRF("%s: %s", g5_gtpu_msg_name(h.msg_type),
                 rc == G5_ERR_MISSING                                  ? "mandatory IE missing"
                 : rc == G5_ERR_INVALID && !(h.flags & G5_GTPU_FLAG_S) ? "S flag not set"
                                                                       : g5_strerror(rc));
            return rc;
        }
    }
    json_t *o = hdr_json(&h);
    if (is_signalling(h.msg_type)) {
        json_t *a = json_array();
        g5_rbuf r;
        g5_gtpu_ie ie;
        g5_rbuf_init(&r, h.payload, h.payload_len);
        while (!g5_rbuf_empty(&r) && g5_gtpu_ie_next(&r, &ie) == 0)
            json_array_append_new(a, ie_json(&ie));
        json_object_set_new(o, "ies", a);
    } else {
        json_object_set_new(o, "payload", hex_json(h.payload, h.payload_len));
    }
    *out = o;
    return 0;
}

int g5_gtpu_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen)
{
    uint64_t type = 0, teid = 0, seq = 0, npdu = 0, useq = 0, unpdu = 0, unext = 0, spare = 0;
    if (!json_is_object(in)) {
        ERRF("expected a JSON object");
        return G5_ERR_INVALID;
    }
    int rc = get_u(in, "message_type", 0xff, true, &type, err, errlen);
    int s = 0, pn = 0;
    if (rc == 0)
        rc = get_u(in, "teid", 0xffffffff, true, &teid, err, errlen);
    if (rc == 0 && (s = get_u(in, "seq", 0xffff, false, &seq, err, errlen)) < 0)
        rc = s;
    if (rc == 0 && (pn = get_u(in, "npdu", 0xff, false, &npdu, err, errlen)) < 0)
        rc = pn;
    if (rc == 0 && get_u(in, "unused_seq", 0xffff, false, &useq, err, errlen) < 0)
        rc = G5_ERR_INVALID;
    if (rc == 0 && get_u(in, "unused_npdu", 0xff, false, &unpdu, err, errlen) < 0)
        rc = G5_ERR_INVALID;
    if (rc == 0 && get_u(in, "unused_next_ext", 0xff, false, &unext, err, errlen) < 0)
        rc = G5_ERR_INVALID;
    if (rc == 0 && get_u(in, "spare", 1, false, &spare, err, errlen) < 0)
        rc = G5_ERR_INVALID;
    if (rc < 0)
        return rc;
    const json_t *exts = json_object_get(in, "extension_headers");
    if (exts && !json_is_array(exts)) {
        ERRF("\"extension_headers\" must be an array");
        return G5_ERR_INVALID;
    }
    uint8_t flags = (uint8_t)(G5_GTPU_FLAGS_V1 | (spare ? G5_GTPU_FLAG_SPARE : 0) |
                              (exts ? G5_GTPU_FLAG_E : 0) | (s == 0 ? G5_GTPU_FLAG_S : 0) |
                              (pn == 0 ? G5_GTPU_FLAG_PN : 0));
    bool has_opt = flags & (G5_GTPU_FLAG_E | G5_GTPU_FLAG_S | G5_GTPU_FLAG_PN);
    if (!has_opt && (useq || unpdu || unext)) {
        ERRF("unused_* fields need one of seq, npdu, extension_headers");
        return G5_ERR_INVALID;
    }
    uint64_t first = unext;
    if (exts && json_array_size(exts) &&
        get_u(json_array_get(exts, 0), "type", 0xff, true, &first, err, errlen) < 0)
        return G5_ERR_INVALID;
    size_t start;
    g5_gtpu_hdr_begin(out, flags, (uint8_t)type, (uint32_t)teid, has_opt,
                      (uint16_t)(s == 0 ? seq : useq), (uint8_t)(pn == 0 ? npdu : unpdu),
                      (uint8_t)(exts ? first : unext), &start);
    if (exts && (rc = ext_encode_all(exts, out, err, errlen)) < 0)
        return rc;
    const json_t *ies = json_object_get(in, "ies");
    if (ies && !json_is_array(ies)) {
        ERRF("\"ies\" must be an array");
        return G5_ERR_INVALID;
    }
    if (ies && (rc = ies_encode_all(ies, out, err, errlen)) < 0)
        return rc;
    uint8_t *payload;
    size_t n;
    if ((rc = get_hex(in, "payload", &payload, &n, 0xffff, err, errlen)) < 0)
        return rc;
    g5_wbuf_bytes(out, payload, n);
    free(payload);
    rc = g5_gtpu_hdr_finish(out, start);
    if (rc < 0)
        ERRF("message does not fit (%s)", g5_strerror(rc));
    return rc;
}
