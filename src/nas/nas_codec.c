/* Generic, table-driven NAS-5GS encoder/decoder (TS 24.501 chapter 8, TS 24.007 11.2).
 *
 * Every message is described by a generated table of IE descriptors (src/nas/gen/); this
 * file walks that table. The imperative part (IEs without IEI) is read in table order;
 * the non-imperative part is a sequence of IEI-tagged IEs matched against the table, in
 * any order. Unknown IEs are skipped by their IEI category (24.007 11.2.4, 24.501 9.11.1)
 * and kept raw, with their position, so that re-encoding is byte exact.
 */
#include <string.h>

#include "core/err.h"
#include "nas/nas.h"

const nas_msg_desc *nas_msg_desc_find(uint8_t epd, uint8_t type)
{
    uint8_t sm = epd == NAS_EPD_5GSM;
    for (size_t i = 0; i < NAS_N_MSGS; i++)
        if (nas_msg_descs[i].type == type && nas_msg_descs[i].sm == sm)
            return &nas_msg_descs[i];
    return NULL;
}

const nas_msg_desc *nas_msg_desc_by_name(const char *name)
{
    for (size_t i = 0; i < NAS_N_MSGS; i++)
        if (!strcmp(nas_msg_descs[i].name, name))
            return &nas_msg_descs[i];
    return NULL;
}

int nas_msg_init(nas_msg *m, uint8_t type)
{
    memset(m, 0, sizeof *m);
    /* 24.501 table 9.7.2: 5GSM message types are 11xxxxxx. */
    m->epd = (type & 0xc0) == 0xc0 ? NAS_EPD_5GSM : NAS_EPD_5GMM;
    m->type = type;
    m->desc = nas_msg_desc_find(m->epd, type);
    return m->desc ? 0 : G5_ERR_INVALID;
}

void nas_arena_init(nas_arena *a)
{
    g5_wbuf_init(&a->w, a->buf, sizeof a->buf);
}

int nas_arena_ie(nas_arena *a, size_t mark, nas_ie *ie)
{
    if (a->w.err || mark > a->w.len)
        return G5_ERR_TOO_LONG;
    nas_ie_set(ie, a->w.p + mark, a->w.len - mark);
    return 0;
}

/* ---- decoding ---- */

typedef struct dec {
    g5_rbuf r;
    nas_msg *m;
    uint8_t *cause;
    unsigned flags;
    int half_octet; /* octet whose high nibble is still to be read, or -1 */
    int last_row; /* highest row decoded so far (position of following extras) */
} dec;

static int fail(dec *d, int err, uint8_t cause)
{
    if (d->cause)
        *d->cause = cause;
    return err;
}

/* Value length bounds of a row (table lengths include IEI and length octets). */
static void value_bounds(const nas_ie_desc *ie, uint32_t *lo, uint32_t *hi)
{
    uint32_t over = 0, cap = 0xffff;
    switch (ie->fmt) {
    case NAS_F_V: over = 0; break;
    case NAS_F_LV:
        over = 1;
        cap = 0xff;
        break;
    case NAS_F_LVE: over = 2; break;
    case NAS_F_TV: over = 1; break;
    case NAS_F_TLV:
        over = 2;
        cap = 0xff;
        break;
    case NAS_F_TLVE: over = 3; break;
    default: break;
    }
    *lo = ie->lo > (int32_t)over ? (uint32_t)ie->lo - over : 0;
    *hi = ie->hi < 0 ? cap : (uint32_t)ie->hi - over;
    if (*hi > cap)
        *hi = cap;
}

static int dec_half(dec *d, nas_ie *ie)
{
    uint8_t v;
    if (d->half_octet >= 0) {
        v = (uint8_t)(d->half_octet >> 4);
        d->half_octet = -1;
    } else {
        uint8_t o;
        if (g5_rbuf_u8(&d->r, &o))
            return fail(d, G5_ERR_TRUNCATED, NAS_CAUSE_INVALID_MANDATORY_INFO);
        v = o & 0x0f;
        d->half_octet = o;
    }
    if (ie) {
        ie->half = v;
        ie->present = 1;
    }
    return 0;
}

/* Reads a length-prefixed (1 or 2 octets) or fixed-length value into ie and checks it
 * against the row's bounds. `cause` is what a violation is reported with. */
static int dec_value(dec *d, const nas_ie_desc *row, nas_ie *ie, int len_octets, uint8_t cause)
{
    uint32_t lo, hi, len;
    value_bounds(row, &lo, &hi);
    if (len_octets == 0) {
        len = lo;
    } else if (len_octets == 1) {
        uint8_t l8;
        if (g5_rbuf_u8(&d->r, &l8))
            return fail(d, G5_ERR_TRUNCATED, cause);
        len = l8;
    } else {
        uint16_t l16;
        if (g5_rbuf_u16(&d->r, &l16))
            return fail(d, G5_ERR_TRUNCATED, cause);
        len = l16;
    }
    const uint8_t *v;
    if (g5_rbuf_ptr(&d->r, &v, len))
        return fail(d, G5_ERR_TRUNCATED, cause);
    if (len < lo || len > hi)
        return fail(d, G5_ERR_INVALID, cause);
    ie->v = v;
    ie->len = (uint16_t)len;
    ie->present = 1;
    return 0;
}

static int dec_mandatory(dec *d, const nas_ie_desc *row, nas_ie *ie)
{
    nas_ie scratch = {0};
    if (!ie)
        ie = &scratch;
    const uint8_t c = NAS_CAUSE_INVALID_MANDATORY_INFO;
    switch (row->fmt) {
    case NAS_F_V: return row->lo == 0 ? dec_half(d, ie) : dec_value(d, row, ie, 0, c);
    case NAS_F_LV: return dec_value(d, row, ie, 1, c);
    case NAS_F_LVE: return dec_value(d, row, ie, 2, c);
    default: return fail(d, G5_ERR_INVALID, c); /* generator guarantees V/LV/LV-E */
    }
}

/* Finds the table row for an IEI octet through the generated IEI index. *repeated is set
 * when the row is known but already present and no other row with that IEI is free (the
 * spec has one IEI used twice in a table: registration accept 0x34). */
static int find_row(const nas_msg_desc *md, const nas_msg *m, uint8_t iei, bool *repeated)
{
    int first = md->iei_row[iei];
    *repeated = false;
    if (first == 0xff)
        return -1;
    if (!m->ie[md->ies[first].slot].present)
        return first;
    const nas_ie_desc *f = &md->ies[first];
    for (int i = first + 1; i < md->n_ies; i++) {
        const nas_ie_desc *row = &md->ies[i];
        if (row->iei == f->iei && row->type1 == f->type1 && !m->ie[row->slot].present)
            return i;
    }
    *repeated = true;
    return first;
}

/* Size of an IE not mapped to a row, from its IEI category (24.007 11.2.4; 24.501 9.11.1:
 * bit 8 set: one octet (type 1/2); 0111xxxx: TLV-E (type 6); otherwise TLV (type 4)). */
static int skip_len(dec *d, uint8_t iei, size_t *len)
{
    const uint8_t *p = g5_rbuf_cur(&d->r);
    size_t left = g5_rbuf_left(&d->r);
    if (iei & 0x80) {
        *len = 1;
    } else if ((iei & 0xf0) == 0x70) {
        if (left < 3)
            return G5_ERR_TRUNCATED;
        *len = 3 + (((size_t)p[1] << 8) | p[2]);
    } else {
        if (left < 2)
            return G5_ERR_TRUNCATED;
        *len = 2 + (size_t)p[1];
    }
    return *len <= left ? 0 : G5_ERR_TRUNCATED;
}

static int keep_extra(dec *d, uint8_t iei, bool repeated)
{
    size_t len;
    if (skip_len(d, iei, &len))
        return fail(d, G5_ERR_TRUNCATED, NAS_CAUSE_PROTOCOL_ERROR);
    if (d->m->n_extra >= NAS_MAX_EXTRA)
        return fail(d, G5_ERR_LIMIT, NAS_CAUSE_PROTOCOL_ERROR);
    nas_extra_ie *x = &d->m->extra[d->m->n_extra++];
    x->raw = g5_rbuf_cur(&d->r);
    x->len = (uint32_t)len;
    x->after = (int16_t)d->last_row;
    x->repeated = repeated;
    return g5_rbuf_skip(&d->r, len);
}

static int dec_optional(dec *d, const nas_ie_desc *row, nas_ie *ie, uint8_t iei)
{
    uint8_t cause =
        row->presence == NAS_P_C ? NAS_CAUSE_CONDITIONAL_IE_ERROR : NAS_CAUSE_PROTOCOL_ERROR;
    if (row->presence == NAS_P_M)
        cause = NAS_CAUSE_INVALID_MANDATORY_INFO;
    if (row->type1 || row->fmt == NAS_F_T) {
        ie->half = row->type1 ? (iei & 0x0f) : 0;
        ie->present = 1;
        return g5_rbuf_skip(&d->r, 1);
    }
    size_t start = d->r.pos;
    (void)g5_rbuf_skip(&d->r, 1);
    int lo = row->fmt == NAS_F_TV ? 0 : row->fmt == NAS_F_TLV ? 1 : 2;
    int rc = dec_value(d, row, ie, lo, cause);
    if (rc == G5_ERR_INVALID && (d->flags & NAS_DEC_LENIENT) && row->presence != NAS_P_M) {
        /* 24.501 7.7.2: a syntactically incorrect optional IE is treated as absent. */
        *ie = (nas_ie){0};
        d->r.pos = start;
        if (d->cause)
            *d->cause = 0;
        return keep_extra(d, iei, false);
    }
    return rc;
}

static int dec_body(dec *d, const nas_msg_desc *md)
{
    nas_msg *m = d->m;
    int i = 0;
    for (; i < md->n_ies && md->ies[i].iei < 0; i++) {
        const nas_ie_desc *row = &md->ies[i];
        int rc = dec_mandatory(d, row, row->slot >= 0 ? &m->ie[row->slot] : NULL);
        if (rc)
            return rc;
        d->last_row = i;
    }
    while (!g5_rbuf_empty(&d->r)) {
        uint8_t iei;
        (void)g5_rbuf_peek_u8(&d->r, &iei);
        bool repeated;
        int k = find_row(md, m, iei, &repeated);
        int rc;
        if (k < 0 && (iei & 0xf0) == 0)
            /* 24.007 11.2.4: unknown IE encoded as "comprehension required". */
            return fail(d, G5_ERR_INVALID, NAS_CAUSE_INVALID_MANDATORY_INFO);
        if (k < 0 || repeated) {
            rc = keep_extra(d, iei, repeated);
        } else {
            rc = dec_optional(d, &md->ies[k], &m->ie[md->ies[k].slot], iei);
            /* Extras are placed after the highest row seen so far, so that re-encoding
             * in table order keeps every repetition after its first occurrence. */
            if (!rc && m->ie[md->ies[k].slot].present && k > d->last_row)
                d->last_row = k;
        }
        if (rc)
            return rc < 0 ? rc : G5_ERR_INVALID;
    }
    for (int j = i; j < md->n_ies; j++)
        if (md->ies[j].presence == NAS_P_M && !m->ie[md->ies[j].slot].present)
            return fail(d, G5_ERR_MISSING, NAS_CAUSE_INVALID_MANDATORY_INFO);
    return 0;
}

static int dec_security_protected(dec *d, uint8_t sht)
{
    nas_msg *m = d->m;
    if (sht > NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX)
        return fail(d, G5_ERR_INVALID, NAS_CAUSE_PROTOCOL_ERROR); /* 24.501 9.3: reserved */
    if (g5_rbuf_bytes(&d->r, m->sec.mac, 4) || g5_rbuf_u8(&d->r, &m->sec.sqn))
        return fail(d, G5_ERR_TRUNCATED, NAS_CAUSE_INVALID_MANDATORY_INFO);
    /* 8.2.28: the plain message is at least 2 octets (test mode) / 3 octets. */
    if (g5_rbuf_left(&d->r) < 2)
        return fail(d, G5_ERR_TRUNCATED, NAS_CAUSE_INVALID_MANDATORY_INFO);
    m->sec.inner = g5_rbuf_cur(&d->r);
    m->sec.inner_len = g5_rbuf_left(&d->r);
    return 0;
}

int nas_decode_ex(const uint8_t *p, size_t n, nas_msg *out, uint8_t *cause, unsigned flags)
{
    dec d = {.m = out, .cause = cause, .flags = flags, .half_octet = -1, .last_row = -1};
    memset(out, 0, sizeof *out);
    if (cause)
        *cause = 0;
    g5_rbuf_init(&d.r, p, n);
    uint8_t o2;
    if (g5_rbuf_u8(&d.r, &out->epd) || g5_rbuf_u8(&d.r, &o2))
        return fail(&d, G5_ERR_TRUNCATED, NAS_CAUSE_INVALID_MANDATORY_INFO);
    if (out->epd == NAS_EPD_5GMM) {
        out->sht = o2 & 0x0f;
        if (out->sht != NAS_SHT_PLAIN)
            return dec_security_protected(&d, out->sht);
    } else if (out->epd == NAS_EPD_5GSM) {
        out->psi = o2;
        if (g5_rbuf_u8(&d.r, &out->pti))
            return fail(&d, G5_ERR_TRUNCATED, NAS_CAUSE_INVALID_MANDATORY_INFO);
    } else {
        return fail(&d, G5_ERR_INVALID, NAS_CAUSE_PROTOCOL_ERROR);
    }
    if (g5_rbuf_u8(&d.r, &out->type))
        return fail(&d, G5_ERR_TRUNCATED, NAS_CAUSE_INVALID_MANDATORY_INFO);
    out->desc = nas_msg_desc_find(out->epd, out->type);
    if (!out->desc)
        return fail(&d, G5_ERR_UNSUPPORTED, NAS_CAUSE_MSG_TYPE_NON_EXISTENT);
    return dec_body(&d, out->desc);
}

int nas_decode(const uint8_t *p, size_t n, nas_msg *out, uint8_t *cause)
{
    return nas_decode_ex(p, n, out, cause, 0);
}

/* ---- encoding ---- */

static int enc_extras(const nas_msg *m, int after, g5_wbuf *w)
{
    for (int i = 0; i < m->n_extra && i < NAS_MAX_EXTRA; i++)
        if (m->extra[i].after == after && g5_wbuf_bytes(w, m->extra[i].raw, m->extra[i].len))
            return w->err;
    return 0;
}

static int enc_len_value(const nas_ie_desc *row, const nas_ie *ie, int len_octets, g5_wbuf *w)
{
    uint32_t lo, hi;
    value_bounds(row, &lo, &hi);
    if (ie->len < lo || ie->len > hi || (ie->len && !ie->v))
        return G5_ERR_INVALID;
    if (len_octets == 1)
        g5_wbuf_u8(w, (uint8_t)ie->len);
    else if (len_octets == 2)
        g5_wbuf_u16(w, ie->len);
    if (ie->len)
        g5_wbuf_bytes(w, ie->v, ie->len);
    return w->err;
}

static int enc_row(const nas_ie_desc *row, const nas_ie *ie, int *half, g5_wbuf *w)
{
    if (row->iei < 0 && row->fmt == NAS_F_V && row->lo == 0) {
        uint8_t v = ie ? ie->half & 0x0f : 0;
        if (*half < 0) {
            *half = v;
        } else {
            g5_wbuf_u8(w, (uint8_t)((v << 4) | *half));
            *half = -1;
        }
        return w->err;
    }
    if (!ie)
        return 0;
    if (row->iei < 0) {
        switch (row->fmt) {
        case NAS_F_V: return enc_len_value(row, ie, 0, w);
        case NAS_F_LV: return enc_len_value(row, ie, 1, w);
        default: return enc_len_value(row, ie, 2, w);
        }
    }
    if (row->type1)
        return g5_wbuf_u8(w, (uint8_t)((row->iei & 0xf0) | (ie->half & 0x0f)));
    g5_wbuf_u8(w, (uint8_t)row->iei);
    switch (row->fmt) {
    case NAS_F_T: return w->err;
    case NAS_F_TV: return enc_len_value(row, ie, 0, w);
    case NAS_F_TLV: return enc_len_value(row, ie, 1, w);
    default: return enc_len_value(row, ie, 2, w);
    }
}

int nas_encode(const nas_msg *m, g5_wbuf *w)
{
    const nas_msg_desc *md = m->desc ? m->desc : nas_msg_desc_find(m->epd, m->type);
    if (!md || m->sht != NAS_SHT_PLAIN)
        return G5_ERR_INVALID;
    if (md->sm) {
        g5_wbuf_u8(w, NAS_EPD_5GSM);
        g5_wbuf_u8(w, m->psi);
        g5_wbuf_u8(w, m->pti);
    } else {
        g5_wbuf_u8(w, NAS_EPD_5GMM);
        g5_wbuf_u8(w, 0);
    }
    g5_wbuf_u8(w, md->type);
    int half = -1;
    int rc = enc_extras(m, -1, w);
    for (int i = 0; !rc && i < md->n_ies; i++) {
        const nas_ie_desc *row = &md->ies[i];
        const nas_ie *ie = row->slot >= 0 ? &m->ie[row->slot] : NULL;
        bool half_v = row->iei < 0 && row->fmt == NAS_F_V && row->lo == 0;
        if (ie && !ie->present && !half_v) {
            if (row->presence == NAS_P_M)
                return G5_ERR_MISSING;
            ie = NULL;
        }
        rc = enc_row(row, ie, &half, w);
        if (!rc)
            rc = enc_extras(m, i, w);
    }
    if (!rc && half >= 0)
        rc = g5_wbuf_u8(w, (uint8_t)half);
    return rc ? rc : w->err;
}
