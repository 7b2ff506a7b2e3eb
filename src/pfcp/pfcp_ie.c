/* PFCP IE value codecs (TS 29.244 clause 8.2): typed parse/put for the IEs whose fields an
 * SMF/UPF reads, and the per-kind validity check the decoder runs on every known IE.
 * Parsers read through g5_rbuf, so a value shorter than its flags announce fails with
 * G5_ERR_TRUNCATED; trailing octets of extendable IEs are ignored (§8.1.2). */
#include <string.h>

#include "core/err.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_desc.h"

static int rdone(const g5_rbuf *r)
{
    return r->err ? r->err : 0;
}

/* §8.2.3 F-TEID: flags V4(1) V6(2) CH(3) CHID(4); TEID and addresses only when CH=0. */
int g5_pfcp_fteid_parse(const uint8_t *p, size_t n, g5_pfcp_fteid *v)
{
    g5_rbuf r;
    uint8_t f = 0;
    g5_rbuf_init(&r, p, n);
    memset(v, 0, sizeof *v);
    g5_rbuf_u8(&r, &f);
    v->v4 = f & 1;
    v->v6 = f & 2;
    v->ch = f & 4;
    v->chid = f & 8;
    if (!v->ch) {
        g5_rbuf_u32(&r, &v->teid);
        if (v->v4)
            g5_rbuf_bytes(&r, v->ipv4, 4);
        if (v->v6)
            g5_rbuf_bytes(&r, v->ipv6, 16);
    } else if (v->chid) {
        g5_rbuf_u8(&r, &v->choose_id);
    }
    return rdone(&r);
}

int g5_pfcp_fteid_put(g5_wbuf *w, const g5_pfcp_fteid *v)
{
    uint8_t f = (uint8_t)(v->v4 | v->v6 << 1 | v->ch << 2 | v->chid << 3);
    g5_wbuf_u8(w, f);
    if (!v->ch) {
        g5_wbuf_u32(w, v->teid);
        if (v->v4)
            g5_wbuf_bytes(w, v->ipv4, 4);
        if (v->v6)
            g5_wbuf_bytes(w, v->ipv6, 16);
    } else if (v->chid) {
        g5_wbuf_u8(w, v->choose_id);
    }
    return w->err;
}

/* §8.2.37 F-SEID: flags V6(1) V4(2), SEID, IPv4, IPv6. */
int g5_pfcp_fseid_parse(const uint8_t *p, size_t n, g5_pfcp_fseid *v)
{
    g5_rbuf r;
    uint8_t f = 0;
    g5_rbuf_init(&r, p, n);
    memset(v, 0, sizeof *v);
    g5_rbuf_u8(&r, &f);
    v->v6 = f & 1;
    v->v4 = f & 2;
    g5_rbuf_u64(&r, &v->seid);
    if (v->v4)
        g5_rbuf_bytes(&r, v->ipv4, 4);
    if (v->v6)
        g5_rbuf_bytes(&r, v->ipv6, 16);
    return rdone(&r);
}

int g5_pfcp_fseid_put(g5_wbuf *w, const g5_pfcp_fseid *v)
{
    g5_wbuf_u8(w, (uint8_t)(v->v6 | v->v4 << 1));
    g5_wbuf_u64(w, v->seid);
    if (v->v4)
        g5_wbuf_bytes(w, v->ipv4, 4);
    if (v->v6)
        g5_wbuf_bytes(w, v->ipv6, 16);
    return w->err;
}

int g5_pfcp_ni_from_dotted(g5_pfcp_ni *ni, const char *dotted)
{
    size_t o = 0;
    const char *s = dotted;
    ni->len = 0;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l == 0 || l > 63 || o + 1 + l > sizeof ni->v)
            return G5_ERR_INVALID;
        ni->v[o++] = (uint8_t)l;
        memcpy(ni->v + o, s, l);
        o += l;
        s += l + (dot ? 1 : 0);
        if (dot && !*s)
            return G5_ERR_INVALID;
    }
    if (!o)
        return G5_ERR_INVALID;
    ni->len = (uint8_t)o;
    return 0;
}

int g5_pfcp_ni_to_dotted(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    if (n == 0 || cap == 0)
        return G5_ERR_INVALID;
    while (i < n) {
        size_t l = p[i++];
        if (l == 0 || l > n - i || o + l + 2 > cap)
            return G5_ERR_INVALID;
        if (o)
            out[o++] = '.';
        for (size_t k = 0; k < l; k++, i++) {
            if (p[i] <= ' ' || p[i] == '.' || p[i] >= 0x7f)
                return G5_ERR_INVALID;
            out[o++] = (char)p[i];
        }
    }
    out[o] = 0;
    return 0;
}

/* §8.2.38 Node ID: type in the low nibble; FQDN as DNS labels (TS 23.003 §19.4.2). */
int g5_pfcp_node_id_parse(const uint8_t *p, size_t n, g5_pfcp_node_id *v)
{
    g5_rbuf r;
    uint8_t t = 0;
    g5_rbuf_init(&r, p, n);
    memset(v, 0, sizeof *v);
    g5_rbuf_u8(&r, &t);
    v->type = t & 0x0f;
    if (v->type == G5_PFCP_NODE_IPV4)
        return g5_rbuf_bytes(&r, v->ipv4, 4);
    if (v->type == G5_PFCP_NODE_IPV6)
        return g5_rbuf_bytes(&r, v->ipv6, 16);
    if (v->type != G5_PFCP_NODE_FQDN)
        return r.err ? r.err : G5_ERR_INVALID;
    size_t o = 0;
    while (!g5_rbuf_empty(&r)) {
        uint8_t l = 0;
        const uint8_t *lab = NULL;
        if (g5_rbuf_u8(&r, &l) || l == 0 || g5_rbuf_ptr(&r, &lab, l))
            return G5_ERR_INVALID;
        if (o + l + 2 > sizeof v->fqdn)
            return G5_ERR_TOO_LONG;
        if (o)
            v->fqdn[o++] = '.';
        for (unsigned i = 0; i < l; i++) {
            if (lab[i] <= ' ' || lab[i] == '.' || lab[i] >= 0x7f)
                return G5_ERR_INVALID;
            v->fqdn[o++] = (char)lab[i];
        }
    }
    v->fqdn[o] = 0;
    return o ? 0 : G5_ERR_INVALID;
}

int g5_pfcp_node_id_put(g5_wbuf *w, const g5_pfcp_node_id *v)
{
    g5_wbuf_u8(w, v->type & 0x0f);
    if (v->type == G5_PFCP_NODE_IPV4)
        return g5_wbuf_bytes(w, v->ipv4, 4);
    if (v->type == G5_PFCP_NODE_IPV6)
        return g5_wbuf_bytes(w, v->ipv6, 16);
    const char *s = v->fqdn;
    size_t total = strnlen(v->fqdn, sizeof v->fqdn);
    if (v->type != G5_PFCP_NODE_FQDN || total == 0 || total >= sizeof v->fqdn)
        return G5_ERR_INVALID;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l == 0 || l > 63)
            return G5_ERR_INVALID;
        g5_wbuf_u8(w, (uint8_t)l);
        g5_wbuf_bytes(w, s, l);
        s += l + (dot ? 1 : 0);
        if (dot && !*s)
            return G5_ERR_INVALID;
    }
    return w->err;
}

/* §8.2.62 UE IP Address: V6(1) V4(2) S/D(3) IPv6D(4) CHV4(5) CHV6(6) IP6PL(7). */
int g5_pfcp_ue_ip_parse(const uint8_t *p, size_t n, g5_pfcp_ue_ip *v)
{
    g5_rbuf r;
    uint8_t f = 0;
    g5_rbuf_init(&r, p, n);
    memset(v, 0, sizeof *v);
    g5_rbuf_u8(&r, &f);
    v->v6 = f & 1;
    v->v4 = f & 2;
    v->sd = f & 4;
    v->ipv6d = f & 8;
    v->chv4 = f & 16;
    v->chv6 = f & 32;
    v->ip6pl = f & 64;
    if (v->v4)
        g5_rbuf_bytes(&r, v->ipv4, 4);
    if (v->v6)
        g5_rbuf_bytes(&r, v->ipv6, 16);
    if (v->ipv6d)
        g5_rbuf_u8(&r, &v->ipv6_pd_bits);
    if (v->ip6pl)
        g5_rbuf_u8(&r, &v->ipv6_prefix_len);
    return rdone(&r);
}

int g5_pfcp_ue_ip_put(g5_wbuf *w, const g5_pfcp_ue_ip *v)
{
    g5_wbuf_u8(w, (uint8_t)(v->v6 | v->v4 << 1 | v->sd << 2 | v->ipv6d << 3 | v->chv4 << 4 |
                            v->chv6 << 5 | v->ip6pl << 6));
    if (v->v4)
        g5_wbuf_bytes(w, v->ipv4, 4);
    if (v->v6)
        g5_wbuf_bytes(w, v->ipv6, 16);
    if (v->ipv6d)
        g5_wbuf_u8(w, v->ipv6_pd_bits);
    if (v->ip6pl)
        g5_wbuf_u8(w, v->ipv6_prefix_len);
    return w->err;
}

/* §8.2.56 Outer Header Creation: 2-octet description then the fields it selects. */
int g5_pfcp_ohc_parse(const uint8_t *p, size_t n, g5_pfcp_ohc *v)
{
    g5_rbuf r;
    uint8_t d5 = 0, d6 = 0;
    g5_rbuf_init(&r, p, n);
    memset(v, 0, sizeof *v);
    g5_rbuf_u8(&r, &d5);
    g5_rbuf_u8(&r, &d6);
    v->desc = (uint16_t)(d5 | d6 << 8);
    if (d5 & 0x03)
        g5_rbuf_u32(&r, &v->teid);
    if (d5 & 0x15)
        g5_rbuf_bytes(&r, v->ipv4, 4);
    if (d5 & 0x2a)
        g5_rbuf_bytes(&r, v->ipv6, 16);
    if (d5 & 0x0c)
        g5_rbuf_u16(&r, &v->port);
    if (d5 & 0x40)
        g5_rbuf_u24(&r, &v->ctag);
    if (d5 & 0x80)
        g5_rbuf_u24(&r, &v->stag);
    return rdone(&r);
}

int g5_pfcp_ohc_put(g5_wbuf *w, const g5_pfcp_ohc *v)
{
    uint8_t d5 = (uint8_t)v->desc;
    g5_wbuf_u8(w, d5);
    g5_wbuf_u8(w, (uint8_t)(v->desc >> 8));
    if (d5 & 0x03)
        g5_wbuf_u32(w, v->teid);
    if (d5 & 0x15)
        g5_wbuf_bytes(w, v->ipv4, 4);
    if (d5 & 0x2a)
        g5_wbuf_bytes(w, v->ipv6, 16);
    if (d5 & 0x0c)
        g5_wbuf_u16(w, v->port);
    if (d5 & 0x40)
        g5_wbuf_u24(w, v->ctag & 0xffffff);
    if (d5 & 0x80)
        g5_wbuf_u24(w, v->stag & 0xffffff);
    return w->err;
}

/* §8.2.64 Outer Header Removal: description, optional GTP-U extension header deletion. */
int g5_pfcp_ohr_parse(const uint8_t *p, size_t n, g5_pfcp_ohr *v)
{
    memset(v, 0, sizeof *v);
    if (n < 1)
        return G5_ERR_TRUNCATED;
    v->desc = p[0];
    if (n >= 2) {
        v->has_ext = true;
        v->gtpu_ext_deletion = p[1];
    }
    return 0;
}

int g5_pfcp_ohr_put(g5_wbuf *w, const g5_pfcp_ohr *v)
{
    g5_wbuf_u8(w, v->desc);
    if (v->has_ext)
        g5_wbuf_u8(w, v->gtpu_ext_deletion);
    return w->err;
}

static uint64_t get40(const uint8_t *b)
{
    uint64_t x = 0;
    for (int i = 0; i < 5; i++)
        x = x << 8 | b[i];
    return x;
}

static int put40(g5_wbuf *w, uint64_t x)
{
    uint8_t b[5];
    for (int i = 4; i >= 0; i--, x >>= 8)
        b[i] = (uint8_t)x;
    return g5_wbuf_bytes(w, b, 5);
}

/* §8.2.8 MBR / §8.2.9 GBR: UL then DL, 40 bits each, kbps. */
int g5_pfcp_bitrate_parse(const uint8_t *p, size_t n, g5_pfcp_bitrate *v)
{
    if (n < 10)
        return G5_ERR_TRUNCATED;
    v->ul_kbps = get40(p);
    v->dl_kbps = get40(p + 5);
    return 0;
}

int g5_pfcp_bitrate_put(g5_wbuf *w, const g5_pfcp_bitrate *v)
{
    if (v->ul_kbps >> 40 || v->dl_kbps >> 40)
        return G5_ERR_INVALID;
    put40(w, v->ul_kbps);
    return put40(w, v->dl_kbps);
}

/* §8.2.13/§8.2.50 (TOVOL ULVOL DLVOL) and §8.2.44 (plus TONOP ULNOP DLNOP packet counts). */
int g5_pfcp_volume_parse(const uint8_t *p, size_t n, bool measurement, g5_pfcp_volume *v)
{
    g5_rbuf r;
    g5_rbuf_init(&r, p, n);
    memset(v, 0, sizeof *v);
    g5_rbuf_u8(&r, &v->flags);
    if (!measurement)
        v->flags &= 7;
    else
        v->flags &= 0x3f;
    uint64_t *f[6] = {&v->total, &v->ul, &v->dl, &v->total_pkts, &v->ul_pkts, &v->dl_pkts};
    for (int i = 0; i < 6; i++)
        if (v->flags & (1u << i))
            g5_rbuf_u64(&r, f[i]);
    return rdone(&r);
}

int g5_pfcp_volume_put(g5_wbuf *w, bool measurement, const g5_pfcp_volume *v)
{
    uint8_t fl = v->flags & (measurement ? 0x3f : 7);
    const uint64_t *f[6] = {&v->total, &v->ul, &v->dl, &v->total_pkts, &v->ul_pkts, &v->dl_pkts};
    g5_wbuf_u8(w, fl);
    for (int i = 0; i < 6; i++)
        if (fl & (1u << i))
            g5_wbuf_u64(w, *f[i]);
    return w->err;
}

/* §8.2.5 SDF Filter: FD(1) TTC(2) SPI(3) FL(4) BID(5), a spare octet, then the fields. */
int g5_pfcp_sdf_parse(const uint8_t *p, size_t n, g5_pfcp_sdf *v)
{
    g5_rbuf r;
    uint8_t f = 0;
    g5_rbuf_init(&r, p, n);
    memset(v, 0, sizeof *v);
    g5_rbuf_u8(&r, &f);
    g5_rbuf_skip(&r, 1);
    v->has_fd = f & 1;
    v->has_ttc = f & 2;
    v->has_spi = f & 4;
    v->has_fl = f & 8;
    v->has_bid = f & 16;
    if (v->has_fd) {
        const uint8_t *fd = NULL;
        g5_rbuf_u16(&r, &v->fd_len);
        if (!g5_rbuf_ptr(&r, &fd, v->fd_len))
            v->fd = (const char *)fd;
    }
    if (v->has_ttc)
        g5_rbuf_u16(&r, &v->tos);
    if (v->has_spi)
        g5_rbuf_u32(&r, &v->spi);
    if (v->has_fl)
        g5_rbuf_u24(&r, &v->flow_label);
    if (v->has_bid)
        g5_rbuf_u32(&r, &v->filter_id);
    return rdone(&r);
}

int g5_pfcp_sdf_put(g5_wbuf *w, const g5_pfcp_sdf *v)
{
    g5_wbuf_u8(w, (uint8_t)(v->has_fd | v->has_ttc << 1 | v->has_spi << 2 | v->has_fl << 3 |
                            v->has_bid << 4));
    g5_wbuf_u8(w, 0);
    if (v->has_fd) {
        g5_wbuf_u16(w, v->fd_len);
        g5_wbuf_bytes(w, v->fd, v->fd_len);
    }
    if (v->has_ttc)
        g5_wbuf_u16(w, v->tos);
    if (v->has_spi)
        g5_wbuf_u32(w, v->spi);
    if (v->has_fl)
        g5_wbuf_u24(w, v->flow_label & 0xffffff);
    if (v->has_bid)
        g5_wbuf_u32(w, v->filter_id);
    return w->err;
}

uint32_t g5_pfcp_flags_parse(const uint8_t *p, size_t n)
{
    uint32_t f = 0;
    for (size_t i = 0; i < n && i < 4; i++)
        f |= (uint32_t)p[i] << (8 * i);
    return f;
}

int g5_pfcp_flags_put(g5_wbuf *w, uint32_t flags, unsigned min_octets)
{
    unsigned n = 1;
    for (unsigned i = 1; i < 4; i++)
        if (flags >> (8 * i))
            n = i + 1;
    if (n < min_octets)
        n = min_octets;
    for (unsigned i = 0; i < n; i++)
        g5_wbuf_u8(w, (uint8_t)(i < 4 ? flags >> (8 * i) : 0));
    return w->err;
}

bool g5_pfcp_value_ok(const g5_pfcp_ie_desc *d, const uint8_t *p, uint16_t n)
{
    if (n == 0) /* null length IEs are allowed (§8.1.2, §5.6.3) */
        return true;
    if (n < d->min_len || (d->max_len && n > d->max_len))
        return false;
    union {
        g5_pfcp_fteid fteid;
        g5_pfcp_fseid fseid;
        g5_pfcp_node_id node;
        g5_pfcp_ue_ip ueip;
        g5_pfcp_ohc ohc;
        g5_pfcp_volume vol;
        g5_pfcp_sdf sdf;
    } u;
    switch (d->kind) {
    case PK_FTEID: return g5_pfcp_fteid_parse(p, n, &u.fteid) == 0;
    case PK_FSEID: return g5_pfcp_fseid_parse(p, n, &u.fseid) == 0;
    case PK_NODE_ID: return g5_pfcp_node_id_parse(p, n, &u.node) == 0;
    case PK_UE_IP: return g5_pfcp_ue_ip_parse(p, n, &u.ueip) == 0;
    case PK_OHC: return g5_pfcp_ohc_parse(p, n, &u.ohc) == 0;
    case PK_VOLUME: return g5_pfcp_volume_parse(p, n, false, &u.vol) == 0;
    case PK_VOLMEAS: return g5_pfcp_volume_parse(p, n, true, &u.vol) == 0;
    case PK_SDF: return g5_pfcp_sdf_parse(p, n, &u.sdf) == 0;
    default: return true;
    }
}
