/* Random valid values of any generated ASN.1 type, for tests, fuzz seeds and the
 * cross-check against Erlang/OTP's asn1 (tests/integration/test_ngap_erlang.sh).
 *
 * The generator walks the same descriptors as the codec: integers and sizes are drawn from
 * their root constraints (edges favoured), extensible types sometimes take an extension
 * value, open types pick an object of their set and set the sibling id and criticality to
 * match, so the result is a valid encoding of the whole structure.
 */
#include "asn1/a1_random.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

typedef struct gctx {
    uint64_t s;
    int force_alt; /* first CHOICE: alternative (1-based) or 0 */
    int force_obj; /* first open type: object index (0-based) or -1 */
} gctx;

static uint64_t rnd(gctx *g)
{
    /* splitmix64 */
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(gctx *g, uint64_t n)
{
    return n ? rnd(g) % n : 0;
}

/* A size in [lb, ub] kept small: edges are favoured. */
static uint64_t pick_size(gctx *g, const a1_type *t, uint64_t cap)
{
    uint64_t lb = (t->flags & A1_F_LB) ? (uint64_t)t->lb : 0;
    uint64_t ub = (t->flags & A1_F_UB) ? (uint64_t)t->ub : lb + cap;
    if (ub > lb + cap)
        ub = lb + cap;
    switch (below(g, 4)) {
    case 0: return lb;
    case 1: return ub;
    default: return lb + below(g, ub - lb + 1);
    }
}

static bool can_gen(const a1_type *t);

/* An IE container whose object set is empty cannot hold a valid element. */
static bool can_gen(const a1_type *t)
{
    if (t->kind != A1_SEQOF)
        return true;
    const a1_type *e = t->elem;
    if (e->kind == A1_SEQ)
        for (unsigned i = 0; i < e->nall; i++)
            if (e->m[i].type->kind == A1_OPEN && e->m[i].type->nobjs == 0)
                return !(t->flags & A1_F_LB) || t->lb == 0;
    return true;
}

static int gen(gctx *g, const a1_type *t, void *v, int depth);

static int gen_open(gctx *g, const a1_type *t, uint8_t *parent, const a1_member *self,
                    const a1_member *sel, const a1_member *crit, int depth)
{
    uint8_t *v = parent + self->offset;
    if (!t->nobjs)
        return G5_ERR_UNSUPPORTED;
    unsigned k = (unsigned)below(g, t->nobjs);
    if (g->force_obj >= 0) {
        k = (unsigned)g->force_obj % t->nobjs;
        g->force_obj = -1;
    }
    const a1_object *o = &t->objs[k];
    if (sel)
        memcpy(parent + sel->offset, &o->id, sizeof o->id);
    if (crit) {
        int c = o->crit;
        memcpy(parent + crit->offset, &c, sizeof c);
    }
    uint32_t present = o->alt;
    memcpy(v, &present, sizeof present);
    const a1_member *m = &t->m[o->alt - 1];
    return gen(g, m->type, v + m->offset, depth);
}

static int gen_seq(gctx *g, const a1_type *t, uint8_t *v, int depth)
{
    for (unsigned i = 0; i < t->nroot; i++) {
        const a1_member *m = &t->m[i];
        void *p = v + m->offset;
        if (m->flags & A1_M_OPT) {
            if (depth > 10 || below(g, 2) || !can_gen(m->type))
                continue;
            p = calloc(1, m->type->size);
            if (!p)
                return G5_ERR_NOMEM;
            memcpy(v + m->offset, &p, sizeof p);
        }
        int rc;
        if (m->type->kind == A1_OPEN && m->sel >= 0)
            rc = gen_open(g, m->type, v, m, &t->m[m->sel], m->crit >= 0 ? &t->m[m->crit] : NULL,
                          depth);
        else
            rc = gen(g, m->type, p, depth);
        if (rc)
            return rc;
    }
    return 0;
}

/* OCTET STRING (CONTAINING X): a random X, encoded. */
static int gen_contained(gctx *g, const a1_type *t, a1_octets *o, int depth)
{
    void *inner = calloc(1, t->elem->size);
    if (!inner)
        return G5_ERR_NOMEM;
    int save_obj = g->force_obj, save_alt = g->force_alt;
    g->force_obj = -1;
    g->force_alt = 0;
    int rc = gen(g, t->elem, inner, depth);
    g->force_obj = save_obj;
    g->force_alt = save_alt;
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 1u << 20);
    if (!rc)
        rc = a1_encode(t->elem, inner, &w);
    if (!rc)
        rc = a1_octets_set(o, w.p, w.len);
    g5_wbuf_free(&w);
    a1_free(t->elem, inner);
    free(inner);
    return rc;
}

static int gen_string(gctx *g, const a1_type *t, void *v, int depth)
{
    if (t->kind == A1_OCTETS && t->elem)
        return gen_contained(g, t, v, depth);
    bool utf8 = t->kind == A1_STR && t->strkind == A1_STR_UTF8;
    uint64_t n = pick_size(g, t, 12);
    if ((t->flags & A1_F_EXT) && !utf8 && below(g, 8) == 0 && (t->flags & A1_F_UB))
        n = (uint64_t)t->ub + 1 + below(g, 3); /* extension (out of root) size */
    if (t->kind == A1_BITS) {
        a1_bits *b = v;
        size_t nb = (size_t)(n + 7) / 8;
        b->buf = calloc(1, nb ? nb : 1);
        if (!b->buf)
            return G5_ERR_NOMEM;
        for (size_t i = 0; i < nb; i++)
            b->buf[i] = (uint8_t)rnd(g);
        if (n & 7)
            b->buf[nb - 1] &= (uint8_t)(0xff00u >> (n & 7));
        b->nbits = (size_t)n;
        return 0;
    }
    a1_octets *o = v;
    o->buf = calloc(1, n ? (size_t)n : 1);
    if (!o->buf)
        return G5_ERR_NOMEM;
    static const char printable[] = "ABCXYZabcxyz0189 '()+,-./:=?";
    for (uint64_t i = 0; i < n; i++)
        o->buf[i] = t->kind == A1_STR ? (uint8_t)printable[below(g, sizeof printable - 1)]
                                      : (uint8_t)rnd(g);
    o->len = (size_t)n;
    return 0;
}

static int gen_int(gctx *g, const a1_type *t, void *v)
{
    int64_t x;
    bool lb = t->flags & A1_F_LB, ub = t->flags & A1_F_UB;
    if (lb && ub) {
        uint64_t span = (uint64_t)t->ub - (uint64_t)t->lb;
        uint64_t off;
        switch (below(g, 4)) {
        case 0: off = 0; break;
        case 1: off = span; break;
        default: off = span == UINT64_MAX ? rnd(g) : below(g, span + 1);
        }
        x = (int64_t)((uint64_t)t->lb + off);
        if ((t->flags & A1_F_EXT) && below(g, 8) == 0 && t->ub < INT64_MAX - 1000)
            x = t->ub + 1 + (int64_t)below(g, 1000); /* extension value */
    } else if (lb) {
        x = t->lb + (int64_t)below(g, 100000);
    } else {
        x = (int64_t)below(g, 2000000) - 1000000;
    }
    memcpy(v, &x, sizeof x);
    return 0;
}

static int gen(gctx *g, const a1_type *t, void *v, int depth)
{
    if (++depth > 40)
        return G5_ERR_LIMIT;
    switch (t->kind) {
    case A1_BOOL: *(bool *)v = below(g, 2); return 0;
    case A1_NULL: return 0;
    case A1_INT: return gen_int(g, t, v);
    case A1_ENUM: {
        int e = (int)below(g, t->nall);
        memcpy(v, &e, sizeof e);
        return 0;
    }
    case A1_BITS:
    case A1_OCTETS:
    case A1_STR: return gen_string(g, t, v, depth);
    case A1_SEQ: return gen_seq(g, t, v, depth);
    case A1_CHOICE: {
        uint32_t present = (uint32_t)below(g, t->nall) + 1;
        if (g->force_alt) {
            present = (uint32_t)g->force_alt;
            g->force_alt = 0;
        }
        /* avoid alternatives that cannot be generated (e.g. choice-Extensions with an empty
         * object set) */
        for (unsigned tries = 0; tries < t->nall; tries++) {
            const a1_type *at = t->m[present - 1].type;
            if (at->kind != A1_SEQ || at->nall == 0 || at->m[at->nall - 1].type->kind != A1_OPEN ||
                at->m[at->nall - 1].type->nobjs)
                break;
            present = present % t->nall + 1;
        }
        memcpy(v, &present, sizeof present);
        const a1_member *m = &t->m[present - 1];
        return gen(g, m->type, (uint8_t *)v + m->offset, depth);
    }
    case A1_SEQOF: {
        uint64_t n = pick_size(g, t, depth > 6 ? 0 : 2);
        size_t esz = t->elem->size;
        uint8_t *list = calloc(n ? (size_t)n : 1, esz);
        if (!list)
            return G5_ERR_NOMEM;
        struct {
            size_t count;
            void *list;
        } so = {(size_t)n, list};
        memcpy(v, &so, sizeof so);
        for (uint64_t i = 0; i < n; i++) {
            int rc = gen(g, t->elem, list + i * esz, depth);
            if (rc)
                return rc;
        }
        return 0;
    }
    default: return G5_ERR_UNSUPPORTED;
    }
}

int a1_random(const a1_type *t, void *v, uint64_t seed, int force_alt, int force_obj)
{
    memset(v, 0, t->size);
    gctx g = {seed, force_alt, force_obj};
    int rc = gen(&g, t, v, 0);
    if (rc)
        a1_free(t, v);
    return rc;
}
