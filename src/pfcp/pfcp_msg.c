/* PFCP message framing (TS 29.244 §7.2): header, the IE tree decoder with presence checks
 * driven by the tables in pfcp_desc.c, navigation helpers and the writer primitives.
 *
 * Error mapping (§7.6, causes from Table 8.2.1-1):
 *   IE header/length runs past its container -> G5_ERR_TRUNCATED, cause 68 Invalid length
 *   message length field != bytes available  -> G5_ERR_TRUNCATED, cause 68
 *   mandatory IE absent                      -> G5_ERR_MISSING,   cause 66
 *   mandatory IE malformed                   -> G5_ERR_INVALID,   cause 69
 *   too many IEs / nesting too deep          -> G5_ERR_LIMIT,     cause 75 No resources
 *   version != 1                             -> G5_ERR_UNSUPPORTED (send Version Not Supported)
 * Malformed optional/conditional IEs are flagged `bad` and treated as absent (§7.6.8).
 * Mandatory checks are skipped in responses carrying a rejection cause (§7.6.6). */
#include <string.h>

#include "core/err.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_desc.h"

typedef struct dec {
    g5_pfcp_msg *m;
    g5_pfcp_error *e;
    const uint8_t *base;
} dec;

static int fail(dec *d, int rc, uint8_t cause, uint16_t ie, const uint8_t *at, const char *what)
{
    if (d->e) {
        d->e->cause = cause;
        d->e->offending_ie = ie;
        d->e->offset = at ? (size_t)(at - d->base) : 0;
        d->e->what = what;
    }
    return rc;
}

int g5_pfcp_decode_hdr(const uint8_t *p, size_t n, g5_pfcp_hdr *h)
{
    g5_rbuf r;
    uint8_t o1 = 0, last = 0;
    g5_rbuf_init(&r, p, n);
    memset(h, 0, sizeof *h);
    g5_rbuf_u8(&r, &o1);
    g5_rbuf_u8(&r, &h->type);
    g5_rbuf_u16(&r, &h->length);
    if (r.err)
        return r.err;
    h->version = o1 >> 5;
    h->spare_bits = (o1 >> 3) & 3;
    h->fo = o1 & 4;
    h->mp = o1 & 2;
    h->s = o1 & 1;
    if (h->version != G5_PFCP_VERSION)
        return G5_ERR_UNSUPPORTED;
    if (h->s)
        g5_rbuf_u64(&r, &h->seid);
    g5_rbuf_u24(&r, &h->seq);
    g5_rbuf_u8(&r, &last);
    if (r.err)
        return r.err;
    if (h->mp) {
        h->priority = last >> 4;
        h->spare_low = last & 0x0f;
    } else {
        h->spare_low = last;
    }
    /* The length counts everything after the first 4 octets, header rest included. */
    if (h->length < (h->s ? 12 : 4))
        return G5_ERR_INVALID;
    return 0;
}

static int new_node(dec *d, uint16_t *idx)
{
    if (d->m->n_ies >= G5_PFCP_MAX_IES)
        return G5_ERR_LIMIT;
    *idx = d->m->n_ies++;
    return 0;
}

static bool is_reject(const g5_pfcp_msg *m)
{
    uint8_t c = 0;
    return !g5_pfcp_msg_is_request(m->h.type) && g5_pfcp_get_cause(m, &c) == 0 && c >= 64;
}

/* §7.6.6: every mandatory member of table t present (and well-formed, §7.6.8). */
static int check_presence(dec *d, const g5_pfcp_ie *parent, const g5_pfcp_child_desc *t, unsigned n,
                          const uint8_t *at)
{
    for (unsigned i = 0; i < n; i++) {
        if (t[i].presence != P_M)
            continue;
        if (g5_pfcp_child(d->m, parent, t[i].type))
            continue;
        /* absent, or present but malformed? */
        uint16_t c = parent ? parent->first_child : d->m->first;
        while (c != G5_PFCP_NONE && d->m->ies[c].type != t[i].type)
            c = d->m->ies[c].next;
        if (c != G5_PFCP_NONE)
            return fail(d, G5_ERR_INVALID, G5_PFCP_CAUSE_MANDATORY_IE_INCORRECT, t[i].type,
                        d->m->ies[c].val, "mandatory IE incorrect");
        return fail(d, G5_ERR_MISSING, G5_PFCP_CAUSE_MANDATORY_IE_MISSING, t[i].type, at,
                    "mandatory IE missing");
    }
    return 0;
}

static int parse_ies(dec *d, g5_rbuf *r, uint16_t parent, unsigned depth);

static int parse_one(dec *d, g5_rbuf *r, uint16_t parent, unsigned depth, uint16_t *out)
{
    const uint8_t *at = g5_rbuf_cur(r);
    uint16_t type = 0, len = 0, idx = 0;
    if (g5_rbuf_left(r) < 4)
        return fail(d, G5_ERR_TRUNCATED, G5_PFCP_CAUSE_INVALID_LENGTH, 0, at,
                    "IE header truncated");
    g5_rbuf_u16(r, &type);
    g5_rbuf_u16(r, &len);
    g5_rbuf vr;
    if (g5_rbuf_sub(r, &vr, len))
        return fail(d, G5_ERR_TRUNCATED, G5_PFCP_CAUSE_INVALID_LENGTH, type, at,
                    "IE length exceeds its container");
    if (new_node(d, &idx))
        return fail(d, G5_ERR_LIMIT, G5_PFCP_CAUSE_NO_RESOURCES, type, at, "too many IEs");
    g5_pfcp_ie *ie = &d->m->ies[idx];
    memset(ie, 0, sizeof *ie);
    ie->type = type;
    ie->first_child = ie->next = G5_PFCP_NONE;
    if (type & 0x8000) { /* §8.1.1: vendor specific, Enterprise ID first */
        uint16_t ent = 0;
        if (g5_rbuf_u16(&vr, &ent))
            return fail(d, G5_ERR_TRUNCATED, G5_PFCP_CAUSE_INVALID_LENGTH, type, at,
                        "vendor IE without enterprise ID");
        ie->enterprise = ent;
    }
    ie->len = (uint16_t)g5_rbuf_left(&vr);
    ie->val = g5_rbuf_cur(&vr);
    *out = idx;
    const g5_pfcp_ie_desc *desc = (type & 0x8000) ? NULL : g5_pfcp_ie_desc_get(type);
    if (!desc)
        return 0;
    if (desc->kind != PK_GROUP) {
        ie->bad = !g5_pfcp_value_ok(desc, ie->val, ie->len);
        return 0;
    }
    if (depth + 1 >= G5_PFCP_MAX_DEPTH)
        return fail(d, G5_ERR_LIMIT, G5_PFCP_CAUSE_NO_RESOURCES, type, at,
                    "grouped IEs nested too deep");
    ie->grouped = true;
    int rc = parse_ies(d, &vr, idx, depth + 1);
    if (rc)
        return rc;
    return check_presence(d, &d->m->ies[idx], desc->children, desc->n_children, at);
}

static int parse_ies(dec *d, g5_rbuf *r, uint16_t parent, unsigned depth)
{
    uint16_t tail = G5_PFCP_NONE;
    while (!g5_rbuf_empty(r)) {
        uint16_t idx = G5_PFCP_NONE;
        int rc = parse_one(d, r, parent, depth, &idx);
        if (rc)
            return rc;
        if (tail != G5_PFCP_NONE)
            d->m->ies[tail].next = idx;
        else if (parent != G5_PFCP_NONE)
            d->m->ies[parent].first_child = idx;
        else
            d->m->first = idx;
        tail = idx;
    }
    return 0;
}

int g5_pfcp_decode(const uint8_t *p, size_t n, g5_pfcp_msg *m, g5_pfcp_error *e)
{
    dec d = {m, e, p};
    if (e)
        memset(e, 0, sizeof *e);
    m->n_ies = 0;
    m->first = G5_PFCP_NONE;
    m->msg_len = 0;
    int rc = g5_pfcp_decode_hdr(p, n, &m->h);
    if (rc == G5_ERR_UNSUPPORTED)
        return fail(&d, rc, 0, 0, p, "unsupported PFCP version");
    if (rc) /* too short for a header: silently discard (§7.6.3) */
        return fail(&d, rc, 0, 0, p, "PFCP header truncated or invalid");
    size_t total = 4 + (size_t)m->h.length;
    if (total > n || (!m->h.fo && total != n))
        return fail(&d, G5_ERR_TRUNCATED, G5_PFCP_CAUSE_INVALID_LENGTH, 0, p,
                    "message length does not match the datagram");
    size_t hlen = m->h.s ? 16 : 8;
    g5_rbuf r;
    g5_rbuf_init(&r, p + hlen, total - hlen);
    rc = parse_ies(&d, &r, G5_PFCP_NONE, 0);
    if (rc)
        return rc;
    m->msg_len = total;
    const g5_pfcp_msg_desc *md = g5_pfcp_msg_desc_get(m->h.type);
    if (md && !is_reject(m))
        return check_presence(&d, NULL, md->ies, md->n_ies, p + hlen);
    return 0;
}

/* ---- navigation ---- */

static const g5_pfcp_ie *scan(const g5_pfcp_msg *m, uint16_t i, uint16_t type)
{
    unsigned guard = 0;
    while (i != G5_PFCP_NONE && i < m->n_ies && guard++ < G5_PFCP_MAX_IES) {
        const g5_pfcp_ie *ie = &m->ies[i];
        if ((type == 0 || ie->type == type) && !ie->bad)
            return ie;
        i = ie->next;
    }
    return NULL;
}

const g5_pfcp_ie *g5_pfcp_child(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type)
{
    return scan(m, parent ? parent->first_child : m->first, type);
}

const g5_pfcp_ie *g5_pfcp_next(const g5_pfcp_msg *m, const g5_pfcp_ie *it, uint16_t type)
{
    return it ? scan(m, it->next, type) : NULL;
}

static const g5_pfcp_ie *need(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type,
                              size_t len, int *rc)
{
    const g5_pfcp_ie *ie = g5_pfcp_child(m, parent, type);
    *rc = !ie ? G5_ERR_NOT_FOUND : ie->len < len ? G5_ERR_INVALID : 0;
    return *rc ? NULL : ie;
}

int g5_pfcp_get_u8(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type, uint8_t *v)
{
    int rc;
    const g5_pfcp_ie *ie = need(m, parent, type, 1, &rc);
    if (ie)
        *v = ie->val[0];
    return rc;
}

int g5_pfcp_get_u16(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type, uint16_t *v)
{
    int rc;
    const g5_pfcp_ie *ie = need(m, parent, type, 2, &rc);
    if (ie)
        *v = (uint16_t)(ie->val[0] << 8 | ie->val[1]);
    return rc;
}

int g5_pfcp_get_u32(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type, uint32_t *v)
{
    int rc;
    const g5_pfcp_ie *ie = need(m, parent, type, 4, &rc);
    if (ie)
        *v = (uint32_t)ie->val[0] << 24 | (uint32_t)ie->val[1] << 16 | (uint32_t)ie->val[2] << 8 |
             ie->val[3];
    return rc;
}

int g5_pfcp_get_fseid(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, g5_pfcp_fseid *v)
{
    int rc;
    const g5_pfcp_ie *ie = need(m, parent, G5_PFCP_IE_F_SEID, 9, &rc);
    return ie ? g5_pfcp_fseid_parse(ie->val, ie->len, v) : rc;
}

int g5_pfcp_get_node_id(const g5_pfcp_msg *m, g5_pfcp_node_id *v)
{
    int rc;
    const g5_pfcp_ie *ie = need(m, NULL, G5_PFCP_IE_NODE_ID, 1, &rc);
    return ie ? g5_pfcp_node_id_parse(ie->val, ie->len, v) : rc;
}

int g5_pfcp_get_cause(const g5_pfcp_msg *m, uint8_t *cause)
{
    return g5_pfcp_get_u8(m, NULL, G5_PFCP_IE_CAUSE, cause);
}

/* ---- writer ---- */

int g5_pfcp_msg_begin(g5_wbuf *w, uint8_t type, uint64_t seid, uint32_t seq, size_t *start)
{
    bool s = type >= 50;
    *start = w->len;
    g5_wbuf_u8(w, (uint8_t)(G5_PFCP_VERSION << 5 | (s ? 1 : 0)));
    g5_wbuf_u8(w, type);
    g5_wbuf_u16(w, 0);
    if (s)
        g5_wbuf_u64(w, seid);
    g5_wbuf_u24(w, seq & 0xffffff);
    return g5_wbuf_u8(w, 0);
}

int g5_pfcp_msg_end(g5_wbuf *w, size_t start)
{
    if (w->err)
        return w->err;
    size_t len = w->len - start - 4;
    if (len > 0xffff)
        return G5_ERR_TOO_LONG;
    return g5_wbuf_patch_u16(w, start + 2, (uint16_t)len);
}

int g5_pfcp_group_begin(g5_wbuf *w, uint16_t type, size_t *at)
{
    *at = w->len;
    g5_wbuf_u16(w, type);
    return g5_wbuf_u16(w, 0);
}

int g5_pfcp_group_end(g5_wbuf *w, size_t at)
{
    if (w->err)
        return w->err;
    size_t len = w->len - at - 4;
    if (len > 0xffff) {
        w->err = G5_ERR_TOO_LONG;
        return w->err;
    }
    return g5_wbuf_patch_u16(w, at + 2, (uint16_t)len);
}

int g5_pfcp_put_ie(g5_wbuf *w, uint16_t type, const void *val, size_t len)
{
    if (len > 0xffff) {
        w->err = w->err ? w->err : G5_ERR_TOO_LONG;
        return w->err;
    }
    g5_wbuf_u16(w, type);
    g5_wbuf_u16(w, (uint16_t)len);
    return g5_wbuf_bytes(w, val, len);
}

int g5_pfcp_put_u8(g5_wbuf *w, uint16_t type, uint8_t v)
{
    return g5_pfcp_put_ie(w, type, &v, 1);
}

int g5_pfcp_put_u16(g5_wbuf *w, uint16_t type, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return g5_pfcp_put_ie(w, type, b, 2);
}

int g5_pfcp_put_u32(g5_wbuf *w, uint16_t type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return g5_pfcp_put_ie(w, type, b, 4);
}

/* Typed puts share one shape: open the IE, write the value with its codec, close it. */
#define PUT_TYPED(type, call) \
    do { \
        size_t at_; \
        g5_pfcp_group_begin(w, (type), &at_); \
        int rc_ = (call); \
        if (rc_ && !w->err) \
            w->err = rc_; \
        return g5_pfcp_group_end(w, at_); \
    } while (0)

int g5_pfcp_put_flags(g5_wbuf *w, uint16_t type, uint32_t flags, unsigned min_octets)
{
    PUT_TYPED(type, g5_pfcp_flags_put(w, flags, min_octets));
}
int g5_pfcp_put_fteid(g5_wbuf *w, uint16_t type, const g5_pfcp_fteid *v)
{
    PUT_TYPED(type, g5_pfcp_fteid_put(w, v));
}
int g5_pfcp_put_fseid(g5_wbuf *w, const g5_pfcp_fseid *v)
{
    PUT_TYPED(G5_PFCP_IE_F_SEID, g5_pfcp_fseid_put(w, v));
}
int g5_pfcp_put_node_id(g5_wbuf *w, const g5_pfcp_node_id *v)
{
    PUT_TYPED(G5_PFCP_IE_NODE_ID, g5_pfcp_node_id_put(w, v));
}
int g5_pfcp_put_ue_ip(g5_wbuf *w, const g5_pfcp_ue_ip *v)
{
    PUT_TYPED(G5_PFCP_IE_UE_IP_ADDRESS, g5_pfcp_ue_ip_put(w, v));
}
int g5_pfcp_put_ohc(g5_wbuf *w, const g5_pfcp_ohc *v)
{
    PUT_TYPED(G5_PFCP_IE_OUTER_HEADER_CREATION, g5_pfcp_ohc_put(w, v));
}
int g5_pfcp_put_ohr(g5_wbuf *w, const g5_pfcp_ohr *v)
{
    PUT_TYPED(G5_PFCP_IE_OUTER_HEADER_REMOVAL, g5_pfcp_ohr_put(w, v));
}
int g5_pfcp_put_bitrate(g5_wbuf *w, uint16_t type, const g5_pfcp_bitrate *v)
{
    PUT_TYPED(type, g5_pfcp_bitrate_put(w, v));
}
int g5_pfcp_put_volume(g5_wbuf *w, uint16_t type, const g5_pfcp_volume *v)
{
    PUT_TYPED(type, g5_pfcp_volume_put(w, type == G5_PFCP_IE_VOLUME_MEASUREMENT, v));
}
int g5_pfcp_put_sdf(g5_wbuf *w, const g5_pfcp_sdf *v)
{
    PUT_TYPED(G5_PFCP_IE_SDF_FILTER, g5_pfcp_sdf_put(w, v));
}

int g5_pfcp_put_cause_offending(g5_wbuf *w, const g5_pfcp_error *e)
{
    g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, e->cause ? e->cause : G5_PFCP_CAUSE_REJECTED);
    if (e->offending_ie)
        g5_pfcp_put_u16(w, G5_PFCP_IE_OFFENDING_IE, e->offending_ie);
    return w->err;
}

int g5_pfcp_put_ie_copy(g5_wbuf *w, const g5_pfcp_ie *ie)
{
    size_t at;
    g5_pfcp_group_begin(w, ie->type, &at);
    if (ie->type & 0x8000)
        g5_wbuf_u16(w, (uint16_t)ie->enterprise);
    g5_wbuf_bytes(w, ie->val, ie->len);
    return g5_pfcp_group_end(w, at);
}

int g5_pfcp_reencode(g5_wbuf *w, const g5_pfcp_msg *m)
{
    const g5_pfcp_hdr *h = &m->h;
    size_t start = w->len;
    g5_wbuf_u8(w, (uint8_t)(h->version << 5 | (h->spare_bits & 3) << 3 | (h->fo ? 4 : 0) |
                            (h->mp ? 2 : 0) | (h->s ? 1 : 0)));
    g5_wbuf_u8(w, h->type);
    g5_wbuf_u16(w, 0);
    if (h->s)
        g5_wbuf_u64(w, h->seid);
    g5_wbuf_u24(w, h->seq & 0xffffff);
    g5_wbuf_u8(w, h->mp ? (uint8_t)(h->priority << 4 | (h->spare_low & 0x0f)) : h->spare_low);
    /* all IEs, bad ones included, in wire order */
    for (uint16_t i = m->first; i != G5_PFCP_NONE && i < m->n_ies; i = m->ies[i].next)
        g5_pfcp_put_ie_copy(w, &m->ies[i]);
    return g5_pfcp_msg_end(w, start);
}
