/* GTP-U header: zero-copy parse with a bounded, validated extension header walk, and
 * in-place encapsulation from a per-tunnel header template (TS 29.281 §5).
 *
 * Why the walk is written the way it is: a GTP-U endpoint reads extension headers whose
 * lengths come from the peer. A zero Extension Header Length makes a naive walker stand
 * still forever (Open5GS CVE-2023-23846); a length that runs past the message makes it
 * read beyond the buffer. Here every step advances by at least 4 octets, is checked
 * against the end of the message as given by the Length field (itself checked against
 * the datagram), and the number of steps is capped at G5_GTPU_MAX_EXT.
 */
#include "gtpu/gtpu.h"

#include "core/err.h"

/* TS 29.281 §5.2.1 Figure 5.2.1-3, with the fixed lengths (in 4-octet units) of
 * §5.2.2.x; 0 for variable-length headers, -1 for types we do not know. A switch, not a
 * table scan: this runs for every extension header of every packet. */
static int ext_units(uint8_t type)
{
    switch (type) {
    case G5_GTPU_EXT_SERVICE_CLASS_INDICATOR: /* §5.2.2.3: SCI + spare */
    case G5_GTPU_EXT_UDP_PORT: /* §5.2.2.1: 2-octet port */
    case G5_GTPU_EXT_PDCP_PDU_NUMBER: /* §5.2.2.2: 2-octet number */ return 1;
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER: /* §5.2.2.2A: 18 bits + 3 spare octets */
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER_NR: return 2;
    case G5_GTPU_EXT_RAN_CONTAINER:
    case G5_GTPU_EXT_XW_RAN_CONTAINER:
    case G5_GTPU_EXT_NR_RAN_CONTAINER:
    case G5_GTPU_EXT_PDU_SESSION_CONTAINER: return 0;
    default: return -1;
    }
}

bool g5_gtpu_ext_known(uint8_t type)
{
    return ext_units(type) >= 0;
}

size_t g5_gtpu_supported_ext_types(const uint8_t **types)
{
    static const uint8_t known[] = {
        G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER_NR,
        G5_GTPU_EXT_SERVICE_CLASS_INDICATOR,
        G5_GTPU_EXT_UDP_PORT,
        G5_GTPU_EXT_RAN_CONTAINER,
        G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER,
        G5_GTPU_EXT_XW_RAN_CONTAINER,
        G5_GTPU_EXT_NR_RAN_CONTAINER,
        G5_GTPU_EXT_PDU_SESSION_CONTAINER,
        G5_GTPU_EXT_PDCP_PDU_NUMBER,
    };
    *types = known;
    return sizeof known;
}

const char *g5_gtpu_ext_name(uint8_t type)
{
    switch (type) {
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER_NR:
    case G5_GTPU_EXT_LONG_PDCP_PDU_NUMBER: return "Long PDCP PDU Number";
    case G5_GTPU_EXT_SERVICE_CLASS_INDICATOR: return "Service Class Indicator";
    case G5_GTPU_EXT_UDP_PORT: return "UDP Port";
    case G5_GTPU_EXT_RAN_CONTAINER: return "RAN Container";
    case G5_GTPU_EXT_XW_RAN_CONTAINER: return "Xw RAN Container";
    case G5_GTPU_EXT_NR_RAN_CONTAINER: return "NR RAN Container";
    case G5_GTPU_EXT_PDU_SESSION_CONTAINER: return "PDU Session Container";
    case G5_GTPU_EXT_PDCP_PDU_NUMBER: return "PDCP PDU Number";
    default: return "Unknown";
    }
}

const char *g5_gtpu_msg_name(uint8_t type)
{
    switch (type) { /* TS 29.281 §6.1 Table 6.1-1 */
    case G5_GTPU_ECHO_REQUEST: return "Echo Request";
    case G5_GTPU_ECHO_RESPONSE: return "Echo Response";
    case G5_GTPU_ERROR_INDICATION: return "Error Indication";
    case G5_GTPU_SUPPORTED_EXT_HDR_NOTIFICATION: return "Supported Extension Headers Notification";
    case G5_GTPU_END_MARKER: return "End Marker";
    case G5_GTPU_GPDU: return "G-PDU";
    default: return "Unknown";
    }
}

/* Bits 8-7 of the type = 1x: comprehension required by the endpoint (§5.2.1). A UPF
 * terminating N3/N9 is an Endpoint Receiver, so 10 and 11 both oblige it. */
static bool ext_comprehension_required(uint8_t type)
{
    return (type & 0x80) != 0;
}

/* Checks one extension header; unknown ones reach here only when comprehension is not
 * required, and are skipped (§5.2.1). Decodes the PDU Session Container into h. */
static int ext_check(g5_gtpu_hdr *h, const g5_gtpu_ext *x, int units)
{
    if (units > 0 && x->units != units)
        return G5_ERR_INVALID;
    if (x->type != G5_GTPU_EXT_PDU_SESSION_CONTAINER)
        return 0;
    if (h->has_psc)
        return G5_ERR_REPEATED;
    int rc = g5_gtpu_psc_decode(x->content, x->content_len, &h->psc);
    if (rc < 0)
        return rc;
    h->has_psc = true;
    return 0;
}

/* Walks the chain starting with type `next` over r (the rest of the message). */
static int ext_walk(g5_gtpu_hdr *h, g5_rbuf *r, uint8_t next)
{
    while (next != G5_GTPU_EXT_NONE) {
        if (h->n_ext == G5_GTPU_MAX_EXT)
            return G5_ERR_LIMIT;
        const uint8_t *p;
        if (g5_rbuf_empty(r))
            return G5_ERR_TRUNCATED;
        uint8_t units = *g5_rbuf_cur(r); /* Extension Header Length */
        if (units == 0) /* §5.2.1: m+1 = n*4 octets, n positive */
            return G5_ERR_INVALID;
        int rc = g5_rbuf_ptr(r, &p, (size_t)units * 4);
        if (rc < 0)
            return rc;
        g5_gtpu_ext *x = &h->ext[h->n_ext];
        x->type = next;
        x->units = units;
        x->content = p + 1;
        x->content_len = (uint16_t)(units * 4 - 2);
        int fixed = ext_units(next);
        if (fixed < 0 && ext_comprehension_required(next)) {
            h->unsupported_ext = next;
            return G5_ERR_UNSUPPORTED;
        }
        rc = ext_check(h, x, fixed);
        if (rc < 0)
            return rc;
        h->n_ext++;
        next = p[(size_t)units * 4 - 1];
    }
    return 0;
}

static void hdr_reset(g5_gtpu_hdr *h)
{
    h->flags = 0;
    h->msg_type = 0;
    h->length = 0;
    h->teid = 0;
    h->has_opt = false;
    h->seq = 0;
    h->npdu = 0;
    h->next_ext = 0;
    h->n_ext = 0;
    h->has_psc = false;
    h->unsupported_ext = 0;
    h->hdr_len = 0;
    h->payload_len = 0;
    h->payload = NULL;
}

int g5_gtpu_parse(const uint8_t *pkt, size_t len, g5_gtpu_hdr *h)
{
    hdr_reset(h);
    g5_rbuf r;
    const uint8_t *m;
    g5_rbuf_init(&r, pkt, len);
    if (g5_rbuf_ptr(&r, &m, G5_GTPU_HDR_MIN) < 0)
        return G5_ERR_TRUNCATED; /* TS 29.060 §11.1.2: too short for the header */
    h->flags = m[0];
    /* Version 1 and PT 1 (GTP, not GTP'); other versions are discarded (§5.1). */
    if ((m[0] & 0xf0) != G5_GTPU_FLAGS_V1)
        return G5_ERR_UNSUPPORTED;
    h->msg_type = m[1];
    h->length = (uint16_t)(m[2] << 8 | m[3]);
    h->teid = (uint32_t)m[4] << 24 | (uint32_t)m[5] << 16 | (uint32_t)m[6] << 8 | m[7];
    /* The Length field counts everything after octet 8 and must match the datagram
     * (TS 29.060 §11.1.2): shorter is truncation, longer is trailing garbage. */
    g5_rbuf body;
    if (g5_rbuf_sub(&r, &body, h->length) < 0)
        return G5_ERR_TRUNCATED;
    if (!g5_rbuf_empty(&r))
        return G5_ERR_INVALID;
    if (h->flags & (G5_GTPU_FLAG_E | G5_GTPU_FLAG_S | G5_GTPU_FLAG_PN)) {
        const uint8_t *o;
        if (g5_rbuf_ptr(&body, &o, 4) < 0)
            return G5_ERR_INVALID; /* flags announce octets the Length does not cover */
        h->has_opt = true;
        h->seq = (uint16_t)(o[0] << 8 | o[1]);
        h->npdu = o[2];
        h->next_ext = o[3];
    }
    int rc = ext_walk(h, &body, (h->flags & G5_GTPU_FLAG_E) ? h->next_ext : 0);
    if (rc < 0)
        return rc;
    h->hdr_len = (uint16_t)(G5_GTPU_HDR_MIN + body.pos);
    h->payload = g5_rbuf_cur(&body);
    h->payload_len = (uint16_t)g5_rbuf_left(&body);
    return 0;
}

size_t g5_gtpu_parse_burst(const uint8_t *const pkts[], const size_t lens[], size_t n,
                           g5_gtpu_hdr hdrs[], int rcs[])
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        rcs[i] = g5_gtpu_parse(pkts[i], lens[i], &hdrs[i]);
        ok += rcs[i] == 0;
    }
    return ok;
}

/* ---- Encapsulation ---------------------------------------------------------------- */

int g5_gtpu_tpl_init(g5_gtpu_tpl *t, const g5_gtpu_encap_params *e)
{
    g5_wbuf w;
    size_t start;
    bool has_opt = e->with_seq || e->psc;
    uint8_t flags = (uint8_t)(G5_GTPU_FLAGS_V1 | (e->with_seq ? G5_GTPU_FLAG_S : 0) |
                              (e->psc ? G5_GTPU_FLAG_E : 0));
    g5_wbuf_init(&w, t->bytes, sizeof t->bytes);
    int rc = g5_gtpu_hdr_begin(&w, flags, e->msg_type, e->teid, has_opt, 0, 0,
                               e->psc ? G5_GTPU_EXT_PDU_SESSION_CONTAINER : 0, &start);
    if (rc == 0 && e->psc) {
        uint8_t c[G5_GTPU_HDR_MAX];
        rc = g5_gtpu_psc_encode(e->psc, c, sizeof c);
        if (rc >= 0)
            rc = g5_gtpu_put_ext(&w, c, (size_t)rc, G5_GTPU_EXT_NONE);
    }
    if (rc < 0)
        return rc;
    t->len = (uint8_t)w.len;
    t->with_seq = e->with_seq;
    return 0;
}

int g5_gtpu_encap(uint8_t *payload, size_t payload_len, size_t headroom,
                  const g5_gtpu_encap_params *e, uint16_t seq)
{
    g5_gtpu_tpl t;
    int rc = g5_gtpu_tpl_init(&t, e);
    if (rc < 0)
        return rc;
    if (!g5_gtpu_tpl_push(&t, payload, payload_len, headroom, seq))
        return G5_ERR_TOO_LONG;
    return t.len;
}

/* ---- Writers shared by the builders and the JSON encoder ---------------------------- */

int g5_gtpu_hdr_begin(g5_wbuf *w, uint8_t flags, uint8_t msg_type, uint32_t teid, bool has_opt,
                      uint16_t seq, uint8_t npdu, uint8_t next_ext, size_t *start)
{
    *start = w->len;
    g5_wbuf_u8(w, flags);
    g5_wbuf_u8(w, msg_type);
    g5_wbuf_u16(w, 0); /* Length, patched by g5_gtpu_hdr_finish */
    g5_wbuf_u32(w, teid);
    if (has_opt) {
        g5_wbuf_u16(w, seq);
        g5_wbuf_u8(w, npdu);
        g5_wbuf_u8(w, next_ext);
    }
    return w->err;
}

int g5_gtpu_hdr_finish(g5_wbuf *w, size_t start)
{
    if (w->err)
        return w->err;
    size_t body = w->len - start - G5_GTPU_HDR_MIN;
    if (body > 0xffff)
        return G5_ERR_TOO_LONG;
    return g5_wbuf_patch_u16(w, start + 2, (uint16_t)body);
}

int g5_gtpu_put_ext(g5_wbuf *w, const uint8_t *content, size_t content_len, uint8_t next)
{
    size_t total = content_len + 2;
    if (total % 4 || total / 4 > 255)
        return G5_ERR_INVALID;
    g5_wbuf_u8(w, (uint8_t)(total / 4));
    g5_wbuf_bytes(w, content, content_len);
    g5_wbuf_u8(w, next);
    return w->err;
}
