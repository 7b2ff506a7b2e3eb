/* Typed value codecs for the NAS-5GS IEs the core interprets (TS 24.501 9.11).
 * Every read goes through g5_rbuf; every decoder rejects values the spec does not allow
 * in a way that would make re-encoding lossy (bad digits, bad lengths). */
#include "nas/nas_ie.h"

#include <string.h>

#include "core/err.h"

/* ---- BCD and PLMN (TS 24.008 10.5.1.3) ---- */

static int digit_val(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : -1;
}

int nas_bcd_decode(const uint8_t *p, size_t n, bool skip_first_nibble, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n * 2; i++) {
        if (i == 0 && skip_first_nibble)
            continue;
        uint8_t d = (i & 1) ? p[i / 2] >> 4 : p[i / 2] & 0x0f;
        if (d == 0x0f) {
            if (i != n * 2 - 1) /* filler only in the last nibble */
                return G5_ERR_INVALID;
            break;
        }
        if (d > 9 || k + 1 >= cap)
            return G5_ERR_INVALID;
        out[k++] = (char)('0' + d);
    }
    if (cap)
        out[k] = 0;
    return (int)k;
}

/* Writes digits as BCD starting at the high nibble of the first octet when `first` is a
 * nibble >= 0 (IMEI/IMEISV layout) or at the low nibble otherwise; 0xF fills. */
static int bcd_encode(const char *digits, int first, g5_wbuf *w)
{
    int pending = first;
    for (const char *c = digits; *c; c++) {
        int d = digit_val(*c);
        if (d < 0)
            return G5_ERR_INVALID;
        if (pending < 0) {
            pending = d;
        } else {
            g5_wbuf_u8(w, (uint8_t)((d << 4) | pending));
            pending = -1;
        }
    }
    if (pending >= 0)
        g5_wbuf_u8(w, (uint8_t)(0xf0 | pending));
    return w->err;
}

int nas_plmn_decode(const uint8_t b[3], nas_plmn *out)
{
    uint8_t d[6] = {b[0] & 0xf, b[0] >> 4, b[1] & 0xf, b[2] & 0xf, b[2] >> 4, b[1] >> 4};
    for (int i = 0; i < 5; i++)
        if (d[i] > 9)
            return G5_ERR_INVALID;
    if (d[5] > 9 && d[5] != 0xf)
        return G5_ERR_INVALID;
    for (int i = 0; i < 3; i++)
        out->mcc[i] = (char)('0' + d[i]);
    out->mcc[3] = 0;
    out->mnc[0] = (char)('0' + d[3]);
    out->mnc[1] = (char)('0' + d[4]);
    out->mnc[2] = d[5] == 0xf ? 0 : (char)('0' + d[5]);
    out->mnc[3] = 0;
    return 0;
}

int nas_plmn_encode(const nas_plmn *p, uint8_t b[3])
{
    size_t lc = strnlen(p->mcc, 4), ln = strnlen(p->mnc, 4);
    if (lc != 3 || (ln != 2 && ln != 3))
        return G5_ERR_INVALID;
    int d[6];
    for (int i = 0; i < 3; i++)
        d[i] = digit_val(p->mcc[i]);
    d[3] = digit_val(p->mnc[0]);
    d[4] = digit_val(p->mnc[1]);
    d[5] = ln == 3 ? digit_val(p->mnc[2]) : 0xf;
    for (int i = 0; i < 6; i++)
        if (d[i] < 0)
            return G5_ERR_INVALID;
    b[0] = (uint8_t)(d[1] << 4 | d[0]);
    b[1] = (uint8_t)(d[5] << 4 | d[2]);
    b[2] = (uint8_t)(d[4] << 4 | d[3]);
    return 0;
}

static int rd_plmn(g5_rbuf *r, nas_plmn *p)
{
    uint8_t b[3];
    if (g5_rbuf_bytes(r, b, 3))
        return G5_ERR_TRUNCATED;
    return nas_plmn_decode(b, p);
}

static int wr_plmn(g5_wbuf *w, const nas_plmn *p)
{
    uint8_t b[3];
    int rc = nas_plmn_encode(p, b);
    return rc ? rc : g5_wbuf_bytes(w, b, 3);
}

/* ---- 9.11.3.4 5GS mobile identity ---- */

static int mi_suci_decode(g5_rbuf *r, uint8_t o1, nas_mobile_identity *mi)
{
    mi->supi_format = (o1 >> 4) & 0x7;
    if (mi->supi_format != NAS_SUPI_IMSI) {
        /* Network specific identifier / GCI / GLI: the SUCI NAI as UTF-8 bytes. */
        mi->scheme_output_len = (uint16_t)g5_rbuf_left(r);
        return g5_rbuf_ptr(r, &mi->scheme_output, mi->scheme_output_len);
    }
    uint8_t ri[2], ps;
    int rc = rd_plmn(r, &mi->plmn);
    if (rc)
        return rc;
    if (g5_rbuf_bytes(r, ri, 2) || g5_rbuf_u8(r, &ps) || g5_rbuf_u8(r, &mi->hn_key_id))
        return G5_ERR_TRUNCATED;
    /* Routing indicator: 1-4 BCD digits, 0xF filled (table 9.11.3.4.1). */
    rc = nas_bcd_decode(ri, 2, false, mi->routing_indicator, sizeof mi->routing_indicator);
    if (rc < 0) {
        /* a filler followed by a digit is not representable as a string */
        int k = 0;
        for (int i = 0; i < 4; i++) {
            uint8_t d = (i & 1) ? ri[i / 2] >> 4 : ri[i / 2] & 0xf;
            if (d == 0xf)
                break;
            if (d > 9)
                return G5_ERR_INVALID;
            mi->routing_indicator[k++] = (char)('0' + d);
        }
        mi->routing_indicator[k] = 0;
        if (k == 0)
            return G5_ERR_INVALID;
        for (int i = k; i < 4; i++)
            if (((i & 1) ? ri[i / 2] >> 4 : ri[i / 2] & 0xf) != 0xf)
                return G5_ERR_INVALID;
    }
    if (ps & 0xf0)
        return G5_ERR_INVALID; /* spare bits of octet 10 */
    mi->protection_scheme = ps;
    size_t left = g5_rbuf_left(r);
    if (ps == NAS_SCHEME_NULL) {
        const uint8_t *p;
        g5_rbuf_ptr(r, &p, left);
        if (left == 0 || nas_bcd_decode(p, left, false, mi->msin, sizeof mi->msin) <= 0)
            return G5_ERR_INVALID;
        return 0;
    }
    mi->scheme_output_len = (uint16_t)left;
    return g5_rbuf_ptr(r, &mi->scheme_output, left);
}

/* AMF Set ID (10 bits), AMF Pointer (6 bits), 5G-TMSI (32 bits). */
static int rd_set_ptr_tmsi(g5_rbuf *r, nas_mobile_identity *mi)
{
    uint16_t setptr;
    if (g5_rbuf_u16(r, &setptr) || g5_rbuf_u32(r, &mi->tmsi))
        return G5_ERR_TRUNCATED;
    mi->amf_set_id = setptr >> 6;
    mi->amf_pointer = setptr & 0x3f;
    return 0;
}

int nas_mobile_identity_decode(const nas_ie *ie, nas_mobile_identity *mi)
{
    memset(mi, 0, sizeof *mi);
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    uint8_t o1;
    if (g5_rbuf_u8(&r, &o1))
        return G5_ERR_TRUNCATED;
    mi->type = o1 & 0x7;
    switch (mi->type) {
    case NAS_MI_NONE: return ie->len == 1 ? 0 : G5_ERR_INVALID;
    case NAS_MI_SUCI: return mi_suci_decode(&r, o1, mi);
    case NAS_MI_GUTI:
        if (ie->len != 11 || rd_plmn(&r, &mi->plmn) || g5_rbuf_u8(&r, &mi->amf_region_id))
            return G5_ERR_INVALID;
        return rd_set_ptr_tmsi(&r, mi);
    case NAS_MI_S_TMSI: return ie->len == 7 ? rd_set_ptr_tmsi(&r, mi) : G5_ERR_INVALID;
    case NAS_MI_IMEI:
    case NAS_MI_IMEISV: {
        bool odd = o1 & 0x08;
        mi->digits[0] = (char)('0' + (o1 >> 4));
        if ((o1 >> 4) > 9)
            return G5_ERR_INVALID;
        int n =
            nas_bcd_decode(ie->v + 1, ie->len - 1u, false, mi->digits + 1, sizeof mi->digits - 1);
        if (n < 0 || ((n + 1) % 2 == 1) != odd)
            return G5_ERR_INVALID;
        return 0;
    }
    case NAS_MI_MAC:
        mi->mauri = o1 & 0x08;
        if (ie->len != 7)
            return G5_ERR_INVALID;
        return g5_rbuf_bytes(&r, mi->mac, 6);
    default: /* EUI-64 */
        if (ie->len != 9)
            return G5_ERR_INVALID;
        return g5_rbuf_bytes(&r, mi->mac, 8);
    }
}

static int mi_suci_encode(const nas_mobile_identity *mi, g5_wbuf *w)
{
    g5_wbuf_u8(w, (uint8_t)((mi->supi_format & 7) << 4 | NAS_MI_SUCI));
    if (mi->supi_format != NAS_SUPI_IMSI)
        return g5_wbuf_bytes(w, mi->scheme_output, mi->scheme_output_len);
    int rc = wr_plmn(w, &mi->plmn);
    if (rc)
        return rc;
    size_t rl = strnlen(mi->routing_indicator, 5);
    if (rl < 1 || rl > 4)
        return G5_ERR_INVALID;
    char ri[5] = "";
    memcpy(ri, mi->routing_indicator, rl);
    size_t before = w->len;
    rc = bcd_encode(ri, -1, w);
    if (rc)
        return rc;
    while (w->len - before < 2)
        g5_wbuf_u8(w, 0xff); /* fill to 4 digits */
    g5_wbuf_u8(w, mi->protection_scheme & 0x0f);
    g5_wbuf_u8(w, mi->hn_key_id);
    if (mi->protection_scheme == NAS_SCHEME_NULL) {
        if (!mi->msin[0])
            return G5_ERR_INVALID;
        return bcd_encode(mi->msin, -1, w);
    }
    return g5_wbuf_bytes(w, mi->scheme_output, mi->scheme_output_len);
}

int nas_mobile_identity_encode(const nas_mobile_identity *mi, g5_wbuf *w)
{
    switch (mi->type) {
    case NAS_MI_NONE: return g5_wbuf_u8(w, 0);
    case NAS_MI_SUCI: return mi_suci_encode(mi, w);
    case NAS_MI_GUTI:
    case NAS_MI_S_TMSI:
        g5_wbuf_u8(w, (uint8_t)(0xf0 | mi->type));
        if (mi->type == NAS_MI_GUTI) {
            int rc = wr_plmn(w, &mi->plmn);
            if (rc)
                return rc;
            g5_wbuf_u8(w, mi->amf_region_id);
        }
        g5_wbuf_u16(w, (uint16_t)((mi->amf_set_id & 0x3ff) << 6 | (mi->amf_pointer & 0x3f)));
        return g5_wbuf_u32(w, mi->tmsi);
    case NAS_MI_IMEI:
    case NAS_MI_IMEISV: {
        size_t n = strnlen(mi->digits, sizeof mi->digits);
        int d0 = n ? digit_val(mi->digits[0]) : -1;
        if (d0 < 0)
            return G5_ERR_INVALID;
        g5_wbuf_u8(w, (uint8_t)(d0 << 4 | (n % 2 ? 0x08 : 0) | mi->type));
        return bcd_encode(mi->digits + 1, -1, w);
    }
    case NAS_MI_MAC:
        g5_wbuf_u8(w, (uint8_t)((mi->mauri ? 0x08 : 0) | NAS_MI_MAC));
        return g5_wbuf_bytes(w, mi->mac, 6);
    case NAS_MI_EUI64: g5_wbuf_u8(w, NAS_MI_EUI64); return g5_wbuf_bytes(w, mi->mac, 8);
    default: return G5_ERR_INVALID;
    }
}

/* ---- 9.11.2.8 S-NSSAI, 9.11.3.37 NSSAI ---- */

int nas_snssai_decode_value(const uint8_t *p, size_t n, nas_snssai *s)
{
    memset(s, 0, sizeof *s);
    g5_rbuf r;
    g5_rbuf_init(&r, p, n);
    uint32_t v;
    switch (n) {
    case 1: return g5_rbuf_u8(&r, &s->sst);
    case 2:
        s->has_mapped_sst = true;
        return g5_rbuf_u8(&r, &s->sst) || g5_rbuf_u8(&r, &s->mapped_sst);
    case 4:
    case 5:
    case 8:
        s->has_sd = true;
        g5_rbuf_u8(&r, &s->sst);
        g5_rbuf_u24(&r, &v);
        s->sd = v;
        if (n >= 5) {
            s->has_mapped_sst = true;
            g5_rbuf_u8(&r, &s->mapped_sst);
        }
        if (n == 8) {
            s->has_mapped_sd = true;
            g5_rbuf_u24(&r, &v);
            s->mapped_sd = v;
        }
        return r.err;
    default: return G5_ERR_INVALID;
    }
}

int nas_snssai_encode(const nas_snssai *s, g5_wbuf *w)
{
    g5_wbuf_u8(w, s->sst);
    if (s->has_sd)
        g5_wbuf_u24(w, s->sd & 0xffffff);
    if (s->has_mapped_sst)
        g5_wbuf_u8(w, s->mapped_sst);
    if (s->has_mapped_sd) {
        if (!s->has_sd || !s->has_mapped_sst)
            return G5_ERR_INVALID;
        g5_wbuf_u24(w, s->mapped_sd & 0xffffff);
    }
    return w->err;
}

int nas_nssai_decode(const nas_ie *ie, nas_nssai *out)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    out->n = 0;
    while (!g5_rbuf_empty(&r)) {
        uint8_t len;
        const uint8_t *p;
        if (out->n >= NAS_MAX_SNSSAI)
            return G5_ERR_LIMIT;
        if (g5_rbuf_u8(&r, &len) || g5_rbuf_ptr(&r, &p, len))
            return G5_ERR_TRUNCATED;
        int rc = nas_snssai_decode_value(p, len, &out->s[out->n]);
        if (rc)
            return rc < 0 ? rc : G5_ERR_INVALID;
        out->n++;
    }
    return 0;
}

int nas_nssai_encode(const nas_nssai *n, g5_wbuf *w)
{
    for (int i = 0; i < n->n && i < NAS_MAX_SNSSAI; i++) {
        size_t at;
        if (g5_wbuf_hole(w, 1, &at))
            return w->err;
        int rc = nas_snssai_encode(&n->s[i], w);
        if (rc)
            return rc;
        g5_wbuf_patch_u8(w, at, (uint8_t)(w->len - at - 1));
    }
    return w->err;
}

/* ---- 9.11.3.54 UE security capability ---- */

int nas_ue_sec_cap_decode(const nas_ie *ie, nas_ue_sec_cap *c)
{
    memset(c, 0, sizeof *c);
    if (ie->len < 2)
        return G5_ERR_INVALID;
    c->ea = ie->v[0];
    c->ia = ie->v[1];
    if (ie->len >= 4) {
        c->has_eps = true;
        c->eea = ie->v[2];
        c->eia = ie->v[3];
    }
    return 0;
}

int nas_ue_sec_cap_encode(const nas_ue_sec_cap *c, g5_wbuf *w)
{
    g5_wbuf_u8(w, c->ea);
    g5_wbuf_u8(w, c->ia);
    if (c->has_eps) {
        g5_wbuf_u8(w, c->eea);
        g5_wbuf_u8(w, c->eia);
    }
    return w->err;
}

/* ---- 9.11.3.8 TAI, 9.11.3.9 TAI list ---- */

static int rd_tai(g5_rbuf *r, nas_tai *t)
{
    int rc = rd_plmn(r, &t->plmn);
    return rc ? rc : g5_rbuf_u24(r, &t->tac);
}

int nas_tai_decode(const nas_ie *ie, nas_tai *out)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    if (ie->len != 6)
        return G5_ERR_INVALID;
    return rd_tai(&r, out);
}

int nas_tai_encode(const nas_tai *t, g5_wbuf *w)
{
    int rc = wr_plmn(w, &t->plmn);
    return rc ? rc : g5_wbuf_u24(w, t->tac & 0xffffff);
}

int nas_tai_list_decode(const nas_ie *ie, nas_tai_list *out)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    out->n = 0;
    while (!g5_rbuf_empty(&r)) {
        if (out->n >= 16)
            return G5_ERR_LIMIT;
        nas_tai_partial *p = &out->p[out->n++];
        uint8_t o;
        g5_rbuf_u8(&r, &o);
        if (o & 0x80)
            return G5_ERR_INVALID; /* spare bit */
        p->type = (o >> 5) & 3;
        p->n = (uint8_t)((o & 0x1f) + 1);
        if (p->n > 16 || p->type > NAS_TAI_LIST_TAIS)
            return G5_ERR_INVALID;
        int rc = 0;
        if (p->type == NAS_TAI_LIST_TAIS) {
            for (int i = 0; i < p->n && !rc; i++)
                rc = rd_tai(&r, &p->tai[i]);
        } else {
            rc = rd_tai(&r, &p->tai[0]);
            for (int i = 1; i < p->n && !rc && p->type == NAS_TAI_LIST_TACS; i++) {
                p->tai[i].plmn = p->tai[0].plmn;
                rc = g5_rbuf_u24(&r, &p->tai[i].tac);
            }
        }
        if (rc)
            return rc;
    }
    return 0;
}

int nas_tai_list_encode(const nas_tai_list *l, g5_wbuf *w)
{
    for (int k = 0; k < l->n && k < 16; k++) {
        const nas_tai_partial *p = &l->p[k];
        if (p->n < 1 || p->n > 16 || p->type > NAS_TAI_LIST_TAIS)
            return G5_ERR_INVALID;
        g5_wbuf_u8(w, (uint8_t)(p->type << 5 | (p->n - 1)));
        int rc = 0;
        if (p->type == NAS_TAI_LIST_TAIS) {
            for (int i = 0; i < p->n && !rc; i++)
                rc = nas_tai_encode(&p->tai[i], w);
        } else {
            rc = nas_tai_encode(&p->tai[0], w);
            for (int i = 1; i < p->n && !rc && p->type == NAS_TAI_LIST_TACS; i++)
                rc = g5_wbuf_u24(w, p->tai[i].tac & 0xffffff);
        }
        if (rc)
            return rc;
    }
    return w->err;
}

/* ---- 9.11.4.13 QoS rules ---- */

static int qos_rule_pfs(g5_rbuf *b, nas_qos_rule *q)
{
    for (int i = 0; i < q->n_pf; i++) {
        nas_packet_filter *pf = &q->pf[i];
        uint8_t o;
        if (g5_rbuf_u8(b, &o))
            return G5_ERR_TRUNCATED;
        pf->id = o & 0x0f;
        if (q->op == NAS_QOS_RULE_MODIFY_DELETE_PF) {
            if (o & 0xf0)
                return G5_ERR_INVALID; /* spare bits */
            continue;
        }
        if (o & 0xc0)
            return G5_ERR_INVALID;
        pf->direction = (o >> 4) & 3;
        if (g5_rbuf_u8(b, &pf->content_len) || g5_rbuf_ptr(b, &pf->content, pf->content_len))
            return G5_ERR_TRUNCATED;
    }
    return 0;
}

int nas_qos_rule_next(g5_rbuf *r, nas_qos_rule *q)
{
    memset(q, 0, sizeof *q);
    uint16_t len;
    g5_rbuf b;
    if (g5_rbuf_u8(r, &q->qri) || g5_rbuf_u16(r, &len) || g5_rbuf_sub(r, &b, len))
        return G5_ERR_TRUNCATED;
    uint8_t o;
    if (g5_rbuf_u8(&b, &o))
        return G5_ERR_TRUNCATED;
    q->op = o >> 5;
    q->dqr = o & 0x10;
    q->n_pf = o & 0x0f;
    if (q->op == 0 || q->op == 7)
        return G5_ERR_INVALID;
    int rc = qos_rule_pfs(&b, q);
    if (rc)
        return rc;
    if (!g5_rbuf_empty(&b)) {
        q->has_precedence = true;
        g5_rbuf_u8(&b, &q->precedence);
    }
    if (!g5_rbuf_empty(&b)) {
        q->has_qfi = true;
        g5_rbuf_u8(&b, &o);
        if (o & 0x80)
            return G5_ERR_INVALID;
        q->segregation = o & 0x40;
        q->qfi = o & 0x3f;
    }
    return g5_rbuf_empty(&b) ? 0 : G5_ERR_INVALID;
}

int nas_qos_rule_encode(const nas_qos_rule *q, g5_wbuf *w)
{
    size_t at;
    if (q->n_pf > 15 || q->op == 0 || q->op > 6 || (q->has_qfi && !q->has_precedence))
        return G5_ERR_INVALID;
    g5_wbuf_u8(w, q->qri);
    if (g5_wbuf_hole(w, 2, &at))
        return w->err;
    g5_wbuf_u8(w, (uint8_t)(q->op << 5 | (q->dqr ? 0x10 : 0) | q->n_pf));
    for (int i = 0; i < q->n_pf; i++) {
        const nas_packet_filter *pf = &q->pf[i];
        if (q->op == NAS_QOS_RULE_MODIFY_DELETE_PF) {
            g5_wbuf_u8(w, pf->id & 0x0f);
            continue;
        }
        g5_wbuf_u8(w, (uint8_t)((pf->direction & 3) << 4 | (pf->id & 0x0f)));
        g5_wbuf_u8(w, pf->content_len);
        g5_wbuf_bytes(w, pf->content, pf->content_len);
    }
    if (q->has_precedence)
        g5_wbuf_u8(w, q->precedence);
    if (q->has_qfi)
        g5_wbuf_u8(w, (uint8_t)((q->segregation ? 0x40 : 0) | (q->qfi & 0x3f)));
    if (w->err || w->len - at - 2 > 0xffff)
        return w->err ? w->err : G5_ERR_TOO_LONG;
    return g5_wbuf_patch_u16(w, at, (uint16_t)(w->len - at - 2));
}

/* Table 9.11.4.13.3: value length per packet filter component type; -1 = reserved. */
static int pf_component_len(uint8_t type)
{
    switch (type) {
    case 0x01: return 0; /* match-all */
    case 0x10: /* IPv4 remote address + mask */
    case 0x11: return 8; /* IPv4 local address + mask */
    case 0x21: /* IPv6 remote address/prefix length */
    case 0x23: return 17; /* IPv6 local address/prefix length */
    case 0x30: return 1; /* protocol identifier / next header */
    case 0x40: /* single local port */
    case 0x50: return 2; /* single remote port */
    case 0x41: /* local port range */
    case 0x51: return 4; /* remote port range */
    case 0x60: return 4; /* security parameter index */
    case 0x70: return 2; /* type of service / traffic class + mask */
    case 0x80: return 3; /* flow label */
    case 0x81: /* destination MAC address */
    case 0x82: return 6; /* source MAC address */
    case 0x83: /* 802.1Q C-TAG VID */
    case 0x84: return 2; /* 802.1Q S-TAG VID */
    case 0x85: /* 802.1Q C-TAG PCP/DEI */
    case 0x86: return 1; /* 802.1Q S-TAG PCP/DEI */
    case 0x87: return 2; /* ethertype */
    case 0x88: /* destination MAC address range */
    case 0x89: return 12; /* source MAC address range */
    default: return -1;
    }
}

int nas_pf_component_next(g5_rbuf *r, nas_pf_component *c)
{
    if (g5_rbuf_u8(r, &c->type))
        return G5_ERR_TRUNCATED;
    int len = pf_component_len(c->type);
    if (len < 0)
        return G5_ERR_INVALID;
    c->len = (uint8_t)len;
    return g5_rbuf_ptr(r, &c->v, (size_t)len);
}

/* ---- 9.11.4.12 QoS flow descriptions ---- */

int nas_qos_flow_next(g5_rbuf *r, nas_qos_flow *f)
{
    memset(f, 0, sizeof *f);
    uint8_t o1, o2, o3;
    if (g5_rbuf_u8(r, &o1) || g5_rbuf_u8(r, &o2) || g5_rbuf_u8(r, &o3))
        return G5_ERR_TRUNCATED;
    if ((o1 & 0xc0) || (o2 & 0x1f) || (o3 & 0x80))
        return G5_ERR_INVALID; /* spare bits */
    f->qfi = o1 & 0x3f;
    f->op = o2 >> 5;
    f->e_bit = o3 & 0x40;
    f->n_param = o3 & 0x3f;
    for (int i = 0; i < f->n_param; i++) {
        nas_qos_flow_param *p = &f->param[i];
        if (g5_rbuf_u8(r, &p->id) || g5_rbuf_u8(r, &p->len) || g5_rbuf_ptr(r, &p->v, p->len))
            return G5_ERR_TRUNCATED;
    }
    return 0;
}

int nas_qos_flow_encode(const nas_qos_flow *f, g5_wbuf *w)
{
    if (f->n_param > 63)
        return G5_ERR_INVALID;
    g5_wbuf_u8(w, f->qfi & 0x3f);
    g5_wbuf_u8(w, (uint8_t)((f->op & 7) << 5));
    g5_wbuf_u8(w, (uint8_t)((f->e_bit ? 0x40 : 0) | f->n_param));
    for (int i = 0; i < f->n_param; i++) {
        g5_wbuf_u8(w, f->param[i].id);
        g5_wbuf_u8(w, f->param[i].len);
        g5_wbuf_bytes(w, f->param[i].v, f->param[i].len);
    }
    return w->err;
}

/* ---- 9.11.4.14 Session-AMBR ---- */

int nas_session_ambr_decode(const nas_ie *ie, nas_session_ambr *a)
{
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    if (ie->len != 6)
        return G5_ERR_INVALID;
    g5_rbuf_u8(&r, &a->dl_unit);
    g5_rbuf_u16(&r, &a->dl);
    g5_rbuf_u8(&r, &a->ul_unit);
    g5_rbuf_u16(&r, &a->ul);
    return r.err;
}

int nas_session_ambr_encode(const nas_session_ambr *a, g5_wbuf *w)
{
    g5_wbuf_u8(w, a->dl_unit);
    g5_wbuf_u16(w, a->dl);
    g5_wbuf_u8(w, a->ul_unit);
    return g5_wbuf_u16(w, a->ul);
}

uint64_t nas_ambr_bps(uint8_t unit, uint16_t value)
{
    /* Table 9.11.4.14.1: 1 = 1 Kbps, 2 = 4 Kbps, 3 = 16, 4 = 64, 5 = 256 Kbps, 6 = 1 Mbps,
     * ... each group of five steps is the next power of 1000, up to 0x19 = 256 Pbps. */
    if (unit < 1 || unit > 0x19)
        return 0;
    uint64_t bps = 1000;
    for (int i = 0; i < (unit - 1) / 5; i++)
        bps *= 1000;
    for (int i = 0; i < (unit - 1) % 5; i++)
        bps *= 4;
    return bps * value;
}

/* ---- 9.11.4.10 PDU address ---- */

int nas_pdu_address_decode(const nas_ie *ie, nas_pdu_address *a)
{
    memset(a, 0, sizeof *a);
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    uint8_t o;
    if (g5_rbuf_u8(&r, &o))
        return G5_ERR_TRUNCATED;
    if (o & 0xf0)
        return G5_ERR_INVALID;
    a->type = o & 0x7;
    a->has_smf_ll = o & 0x08;
    int rc;
    switch (a->type) {
    case NAS_PDU_IPV4: rc = g5_rbuf_bytes(&r, a->ipv4, 4); break;
    case NAS_PDU_IPV6: rc = g5_rbuf_bytes(&r, a->ipv6_iid, 8); break;
    case NAS_PDU_IPV4V6:
        rc = g5_rbuf_bytes(&r, a->ipv6_iid, 8) || g5_rbuf_bytes(&r, a->ipv4, 4);
        break;
    default: return G5_ERR_INVALID;
    }
    if (!rc && a->has_smf_ll)
        rc = g5_rbuf_bytes(&r, a->smf_ipv6_ll, 16);
    if (rc)
        return G5_ERR_TRUNCATED;
    return g5_rbuf_empty(&r) ? 0 : G5_ERR_INVALID;
}

int nas_pdu_address_encode(const nas_pdu_address *a, g5_wbuf *w)
{
    g5_wbuf_u8(w, (uint8_t)((a->has_smf_ll ? 0x08 : 0) | (a->type & 7)));
    switch (a->type) {
    case NAS_PDU_IPV4: g5_wbuf_bytes(w, a->ipv4, 4); break;
    case NAS_PDU_IPV6: g5_wbuf_bytes(w, a->ipv6_iid, 8); break;
    case NAS_PDU_IPV4V6:
        g5_wbuf_bytes(w, a->ipv6_iid, 8);
        g5_wbuf_bytes(w, a->ipv4, 4);
        break;
    default: return G5_ERR_INVALID;
    }
    if (a->has_smf_ll)
        g5_wbuf_bytes(w, a->smf_ipv6_ll, 16);
    return w->err;
}

/* ---- 9.11.4.6 Extended PCO ---- */

int nas_epco_begin(const nas_ie *ie, g5_rbuf *r, uint8_t *first_octet)
{
    g5_rbuf_init(r, ie->v, ie->len);
    if (g5_rbuf_u8(r, first_octet))
        return G5_ERR_TRUNCATED;
    /* TS 24.008 10.5.6.3: ext bit 1, configuration protocol 000 (PPP). */
    return (*first_octet & 0x80) ? 0 : G5_ERR_INVALID;
}

int nas_epco_next(g5_rbuf *r, nas_epco_container *c)
{
    if (g5_rbuf_u16(r, &c->id) || g5_rbuf_u8(r, &c->len) || g5_rbuf_ptr(r, &c->v, c->len))
        return G5_ERR_TRUNCATED;
    return 0;
}

int nas_epco_put(g5_wbuf *w, uint16_t id, const void *v, uint8_t len)
{
    g5_wbuf_u16(w, id);
    g5_wbuf_u8(w, len);
    return g5_wbuf_bytes(w, v, len);
}

/* ---- 9.11.2.1B DNN (TS 23.003 9.1 label encoding) ---- */

int nas_dnn_decode(const nas_ie *ie, char *out, size_t cap)
{
    size_t k = 0;
    g5_rbuf r;
    g5_rbuf_init(&r, ie->v, ie->len);
    if (ie->len == 0 || cap == 0)
        return G5_ERR_INVALID;
    while (!g5_rbuf_empty(&r)) {
        uint8_t l;
        const uint8_t *p;
        if (g5_rbuf_u8(&r, &l) || l == 0 || g5_rbuf_ptr(&r, &p, l))
            return G5_ERR_INVALID;
        if (k + (k ? 1 : 0) + l >= cap)
            return G5_ERR_TOO_LONG;
        if (k)
            out[k++] = '.';
        for (int i = 0; i < l; i++) {
            if (p[i] == '.' || p[i] < 0x21 || p[i] > 0x7e)
                return G5_ERR_INVALID; /* keeps the dotted form reversible */
            out[k++] = (char)p[i];
        }
    }
    out[k] = 0;
    return (int)k;
}

int nas_dnn_encode(const char *dnn, g5_wbuf *w)
{
    const char *s = dnn;
    if (!*s)
        return G5_ERR_INVALID;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l == 0 || l > 63)
            return G5_ERR_INVALID;
        g5_wbuf_u8(w, (uint8_t)l);
        g5_wbuf_bytes(w, s, l);
        s += l;
        if (*s == '.') {
            s++;
            if (!*s)
                return G5_ERR_INVALID;
        }
    }
    return w->err;
}

/* ---- 9.11.3.39 Payload container, multiple payloads ---- */

int nas_payload_multi_begin(const nas_ie *ie, g5_rbuf *r, uint8_t *n_entries)
{
    g5_rbuf_init(r, ie->v, ie->len);
    if (g5_rbuf_u8(r, n_entries))
        return G5_ERR_TRUNCATED;
    return *n_entries ? 0 : G5_ERR_INVALID;
}

/* Size of one optional IE inside a payload container entry: always type, length, value
 * (figure 9.11.3.39.4). */
static int opt_ie_len(g5_rbuf *e, size_t *len)
{
    const uint8_t *p = g5_rbuf_cur(e);
    size_t left = g5_rbuf_left(e);
    if (left < 2)
        return G5_ERR_TRUNCATED;
    *len = 2 + (size_t)p[1];
    return *len <= left ? 0 : G5_ERR_TRUNCATED;
}

int nas_payload_entry_next(g5_rbuf *r, nas_payload_entry *out)
{
    memset(out, 0, sizeof *out);
    uint16_t len;
    g5_rbuf e;
    uint8_t o;
    if (g5_rbuf_u16(r, &len) || g5_rbuf_sub(r, &e, len) || g5_rbuf_u8(&e, &o))
        return G5_ERR_TRUNCATED;
    out->n_opt = o >> 4;
    out->type = o & 0x0f;
    out->opt = g5_rbuf_cur(&e);
    size_t start = e.pos;
    for (int i = 0; i < out->n_opt; i++) {
        size_t l;
        if (opt_ie_len(&e, &l) || g5_rbuf_skip(&e, l))
            return G5_ERR_TRUNCATED;
    }
    out->opt_len = (uint16_t)(e.pos - start);
    out->payload_len = (uint16_t)g5_rbuf_left(&e);
    return g5_rbuf_ptr(&e, &out->payload, out->payload_len);
}

/* ---- 9.11.3.34 NAS security algorithms ---- */

int nas_sec_algs_decode(const nas_ie *ie, nas_sec_algs *out)
{
    if (ie->len != 1)
        return G5_ERR_INVALID;
    out->nea = (ie->v[0] >> 4) & 7;
    out->nia = ie->v[0] & 7;
    return 0;
}

uint8_t nas_sec_algs_octet(const nas_sec_algs *a)
{
    return (uint8_t)((a->nea & 7) << 4 | (a->nia & 7));
}

/* ---- GPRS timers (TS 24.008 10.5.7.3, 10.5.7.4, 10.5.7.4a) ---- */

int nas_gprs_timer_decode(const nas_ie *ie, nas_gprs_timer *out)
{
    if (ie->len != 1)
        return G5_ERR_INVALID;
    out->unit = ie->v[0] >> 5;
    out->value = ie->v[0] & 0x1f;
    return 0;
}

uint8_t nas_gprs_timer_octet(const nas_gprs_timer *t)
{
    return (uint8_t)((t->unit & 7) << 5 | (t->value & 0x1f));
}

long nas_gprs_timer_seconds(const nas_gprs_timer *t, bool timer3)
{
    /* 10.5.7.3: 2 s, 1 min, decihours; other values as 1 min; 7 = deactivated.
     * 10.5.7.4a: 10 min, 1 h, 10 h, 2 s, 30 s, 1 min, 320 h, deactivated. */
    static const long gprs[8] = {2, 60, 360, 60, 60, 60, 60, -1};
    static const long gprs3[8] = {600, 3600, 36000, 2, 30, 60, 1152000, -1};
    long unit = (timer3 ? gprs3 : gprs)[t->unit & 7];
    return unit < 0 ? -1 : unit * t->value;
}

/* ---- PSI bitmaps (9.11.3.13, 9.11.3.44, 9.11.3.57) ---- */

int nas_psi_map_decode(const nas_ie *ie, uint16_t *map)
{
    if (ie->len < 2)
        return G5_ERR_INVALID;
    *map = (uint16_t)(ie->v[0] | ie->v[1] << 8); /* octet 3 = PSI 0-7, octet 4 = PSI 8-15 */
    *map &= (uint16_t)~1u; /* PSI 0 is spare */
    return 0;
}

int nas_psi_map_encode(uint16_t map, g5_wbuf *w)
{
    g5_wbuf_u8(w, (uint8_t)(map & 0xfe));
    return g5_wbuf_u8(w, (uint8_t)(map >> 8));
}
