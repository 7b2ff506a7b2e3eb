/* JSON view of any generated ASN.1 value (jansson), keyed by the ASN.1 identifiers.
 *
 *   SEQUENCE {"member": ...} (absent OPTIONALs omitted)   CHOICE {"alternative": ...}
 *   SEQUENCE OF [...]    INTEGER number (a uint64 beyond INT64_MAX as a decimal string)
 *   ENUMERATED "name" (an unknown extension value as its index)   BOOLEAN true/false
 *   NULL null    OCTET STRING "hex"    BIT STRING {"hex": "...", "bits": n}
 *   character strings: a JSON string (UTF8String that is not valid UTF-8: {"hex": ...})
 *   open type {"TypeName": value}, or {"_raw": "hex"} for an id outside the object set;
 *   IE ids print as "id-Name" (numbers are accepted on input)
 *   unknown extensions: "_unknownExtensions": [{"index": i, "hex": ...}] (+ "_extBits"),
 *   an unknown CHOICE alternative {"_unknown": {"index": i, "hex": ...}}.
 * a1_from_json(a1_to_json(x)) reproduces x exactly, so decode -> JSON -> encode is
 * byte-exact for every canonical encoding.
 */
#include "asn1/a1_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/hex.h"

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s)
        return NULL;
    g5_hex_encode(p, n, s);
    json_t *j = json_stringn(s, n * 2);
    free(s);
    return j;
}

static json_t *to_json(const a1_type *t, const void *v, int depth);

static const void *mptr(const a1_member *m, const uint8_t *v)
{
    if (!v)
        return NULL;
    if (!(m->flags & A1_M_OPT))
        return v + m->offset;
    const void *p;
    memcpy(&p, v + m->offset, sizeof p);
    return p;
}

static const a1_member *open_for_id(const a1_type *t, unsigned idx)
{
    for (unsigned i = 0; i < t->nall; i++)
        if (t->m[i].type->kind == A1_OPEN && t->m[i].sel == (int)idx)
            return &t->m[i];
    return NULL;
}

static json_t *ext_json(const a1_ext *x)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < x->count; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(x->items[i].index));
        json_object_set_new(o, "hex", hex_json(x->items[i].value.buf, x->items[i].value.len));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *seq_json(const a1_type *t, const uint8_t *v, int depth)
{
    json_t *o = json_object();
    for (unsigned i = 0; o && i < t->nall; i++) {
        const a1_member *m = &t->m[i];
        const void *p = mptr(m, v);
        if (!p)
            continue;
        json_t *jv = NULL;
        if (m->flags & A1_M_NAMEDID) {
            const a1_member *om = open_for_id(t, i);
            int64_t id;
            memcpy(&id, p, sizeof id);
            const a1_object *obj = om ? a1_find_object(om->type, id) : NULL;
            jv = obj ? json_string(obj->name) : json_integer(id);
        } else {
            jv = to_json(m->type, p, depth);
        }
        if (!jv) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, m->name, jv);
    }
    if (o && v && (t->flags & A1_F_EXT)) {
        a1_ext *x;
        x = *(a1_ext *const *)(const void *)(v + t->aux); /* the _ext member */
        if (x) {
            json_object_set_new(o, "_extBits", json_integer(x->nbits));
            json_object_set_new(o, "_unknownExtensions", ext_json(x));
        }
    }
    return o;
}

static json_t *to_json(const a1_type *t, const void *v, int depth)
{
    if (++depth > A1_MAX_DEPTH + 2)
        return NULL;
    const uint8_t *b = v;
    switch (t->kind) {
    case A1_BOOL: return json_boolean(*(const bool *)v);
    case A1_NULL: return json_null();
    case A1_INT: {
        int64_t x;
        memcpy(&x, v, sizeof x);
        if ((t->flags & A1_F_UNSIGNED) && x < 0) {
            char s[24];
            snprintf(s, sizeof s, "%llu", (unsigned long long)(uint64_t)x);
            return json_string(s);
        }
        return json_integer(x);
    }
    case A1_ENUM: {
        int e;
        memcpy(&e, v, sizeof e);
        if (e >= 0 && e < t->nall)
            return json_string(t->items[e]);
        return json_integer(e);
    }
    case A1_BITS: {
        const a1_bits *bs = v;
        json_t *o = json_object();
        json_object_set_new(o, "hex", hex_json(bs->buf, (bs->nbits + 7) / 8));
        json_object_set_new(o, "bits", json_integer((json_int_t)bs->nbits));
        return o;
    }
    case A1_OCTETS: {
        const a1_octets *os = v;
        return hex_json(os->buf, os->len);
    }
    case A1_STR: {
        const a1_octets *os = v;
        json_t *s = json_stringn(os->len ? (const char *)os->buf : "", os->len);
        if (s)
            return s;
        json_t *o = json_object();
        json_object_set_new(o, "hex", hex_json(os->buf, os->len));
        return o;
    }
    case A1_SEQ: return seq_json(t, b, depth);
    case A1_CHOICE: {
        uint32_t present;
        memcpy(&present, b, sizeof present);
        json_t *o = json_object();
        if (present >= 1 && present <= t->nall) {
            const a1_member *m = &t->m[present - 1];
            json_object_set_new(o, m->name, to_json(m->type, b + m->offset, depth));
        } else if (present > t->nall) {
            const a1_open *raw = (const a1_open *)(b + t->aux);
            json_t *u = json_object();
            json_object_set_new(u, "index", json_integer(present - 1 - t->nroot));
            json_object_set_new(u, "hex", hex_json(raw->buf, raw->len));
            json_object_set_new(o, "_unknown", u);
        }
        return o;
    }
    case A1_SEQOF: {
        struct {
            size_t count;
            const uint8_t *list;
        } so;
        memcpy(&so, b, sizeof so);
        json_t *a = json_array();
        for (size_t i = 0; a && i < so.count; i++) {
            json_t *e = to_json(t->elem, so.list + i * t->elem->size, depth);
            if (!e || json_array_append_new(a, e)) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case A1_OPEN: {
        uint32_t present;
        memcpy(&present, b, sizeof present);
        json_t *o = json_object();
        if (present >= 1 && present <= t->nall) {
            const a1_member *m = &t->m[present - 1];
            json_object_set_new(o, m->name, to_json(m->type, b + m->offset, depth));
        } else {
            const a1_open *raw = (const a1_open *)(b + t->aux);
            json_object_set_new(o, "_raw", hex_json(raw->buf, raw->len));
        }
        return o;
    }
    default: return NULL;
    }
}

json_t *a1_to_json(const a1_type *t, const void *v)
{
    return to_json(t, v, 0);
}

/* ---- JSON -> value ---- */

typedef struct jctx {
    char *err;
    size_t errlen;
    const char *path; /* innermost member name, for messages */
} jctx;

static int jfail(jctx *c, const char *what)
{
    if (c->err && c->errlen && !c->err[0])
        snprintf(c->err, c->errlen, "%s: %s", c->path ? c->path : "(top)", what);
    return G5_ERR_INVALID;
}

static int from_json(jctx *c, const a1_type *t, void *v, const json_t *j, int depth);

static int hex_to(jctx *c, const json_t *j, uint8_t **buf, size_t *n)
{
    if (!json_is_string(j))
        return jfail(c, "expected a hex string");
    const char *s = json_string_value(j);
    size_t len = strlen(s);
    *buf = malloc(len / 2 + 1);
    if (!*buf)
        return G5_ERR_NOMEM;
    int got = g5_hex_decode(s, *buf, len / 2 + 1);
    if (got < 0) {
        free(*buf);
        *buf = NULL;
        return jfail(c, "bad hex");
    }
    *n = (size_t)got;
    return 0;
}

static int int_from(jctx *c, const a1_type *t, void *v, const json_t *j)
{
    int64_t x;
    if (json_is_integer(j)) {
        x = json_integer_value(j);
    } else if (json_is_string(j) && (t->flags & A1_F_UNSIGNED)) {
        char *end;
        unsigned long long u = strtoull(json_string_value(j), &end, 10);
        if (*end)
            return jfail(c, "expected an integer");
        x = (int64_t)u;
    } else {
        return jfail(c, "expected an integer");
    }
    memcpy(v, &x, sizeof x);
    return 0;
}

static int enum_from(jctx *c, const a1_type *t, void *v, const json_t *j)
{
    int e = -1;
    if (json_is_string(j)) {
        for (unsigned i = 0; i < t->nall; i++)
            if (!strcmp(t->items[i], json_string_value(j)))
                e = (int)i;
    } else if (json_is_integer(j) && json_integer_value(j) >= 0 && json_integer_value(j) < 65536) {
        e = (int)json_integer_value(j);
    }
    if (e < 0)
        return jfail(c, "unknown ENUMERATED value");
    memcpy(v, &e, sizeof e);
    return 0;
}

static int ext_from(jctx *c, const a1_type *t, uint8_t *v, const json_t *o)
{
    const json_t *bits = json_object_get(o, "_extBits");
    const json_t *items = json_object_get(o, "_unknownExtensions");
    if (!bits && !items)
        return 0;
    a1_ext *x = calloc(1, sizeof *x);
    if (!x)
        return G5_ERR_NOMEM;
    *(a1_ext **)(void *)(v + t->aux) = x; /* owned by the value from here on */
    x->nbits = json_is_integer(bits) ? (uint32_t)json_integer_value(bits) : 0;
    if (x->nbits > 4096)
        return jfail(c, "_extBits too large");
    size_t n = json_array_size(items);
    if (!n)
        return 0;
    x->items = calloc(n, sizeof *x->items);
    if (!x->items)
        return G5_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(items, i);
        json_t *idx = json_object_get(it, "index");
        if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
            json_integer_value(idx) >= (json_int_t)x->nbits)
            return jfail(c, "bad _unknownExtensions index");
        x->items[i].index = (uint32_t)json_integer_value(idx);
        x->count++;
        int rc =
            hex_to(c, json_object_get(it, "hex"), &x->items[i].value.buf, &x->items[i].value.len);
        if (rc)
            return rc;
    }
    return 0;
}

static int open_from(jctx *c, const a1_type *t, uint8_t *v, const json_t *j, const a1_object *o,
                     int depth)
{
    if (!json_is_object(j) || json_object_size(j) != 1)
        return jfail(c, "expected an object with one key (the value's type)");
    const char *key = json_object_iter_key(json_object_iter((json_t *)j));
    const json_t *val = json_object_iter_value(json_object_iter((json_t *)j));
    if (!strcmp(key, "_raw")) {
        a1_open *raw = (a1_open *)(v + t->aux);
        return hex_to(c, val, &raw->buf, &raw->len);
    }
    unsigned alt = 0;
    if (o) {
        alt = o->alt;
    } else {
        for (unsigned i = 0; i < t->nall && !alt; i++)
            if (!strcmp(t->m[i].name, key))
                alt = i + 1;
    }
    if (!alt || strcmp(t->m[alt - 1].name, key) != 0)
        return jfail(c, "value type does not match the id");
    memcpy(v, &alt, sizeof alt);
    return from_json(c, t->m[alt - 1].type, v + t->m[alt - 1].offset, val, depth);
}

static int seq_from(jctx *c, const a1_type *t, uint8_t *v, const json_t *j, int depth)
{
    if (!json_is_object(j))
        return jfail(c, "expected an object");
    for (unsigned i = 0; i < t->nall; i++) {
        const a1_member *m = &t->m[i];
        const json_t *jm = json_object_get(j, m->name);
        c->path = m->name;
        if (!jm) {
            if (m->flags & A1_M_OPT)
                continue;
            return jfail(c, "mandatory member missing");
        }
        void *p = v + m->offset;
        if (m->flags & A1_M_OPT) {
            p = calloc(1, m->type->size);
            if (!p)
                return G5_ERR_NOMEM;
            memcpy(v + m->offset, &p, sizeof p);
        }
        int rc;
        if ((m->flags & A1_M_NAMEDID) && json_is_string(jm)) {
            const a1_member *om = open_for_id(t, i);
            const a1_object *obj = NULL;
            for (unsigned k = 0; om && k < om->type->nobjs && !obj; k++)
                if (!strcmp(om->type->objs[k].name, json_string_value(jm)))
                    obj = &om->type->objs[k];
            if (!obj)
                return jfail(c, "unknown id name");
            memcpy(p, &obj->id, sizeof obj->id);
            rc = 0;
        } else if (m->type->kind == A1_OPEN) {
            const a1_object *obj = NULL;
            if (m->sel >= 0 && t->m[m->sel].type->kind == A1_INT) {
                int64_t id;
                memcpy(&id, v + t->m[m->sel].offset, sizeof id);
                obj = a1_find_object(m->type, id);
            }
            rc = open_from(c, m->type, p, jm, obj, depth);
        } else {
            rc = from_json(c, m->type, p, jm, depth);
        }
        if (rc)
            return rc;
    }
    if (t->flags & A1_F_EXT)
        return ext_from(c, t, v, j);
    return 0;
}

static int choice_from(jctx *c, const a1_type *t, uint8_t *v, const json_t *j, int depth)
{
    if (!json_is_object(j) || json_object_size(j) != 1)
        return jfail(c, "expected an object with one key (the alternative)");
    const char *key = json_object_iter_key(json_object_iter((json_t *)j));
    const json_t *val = json_object_iter_value(json_object_iter((json_t *)j));
    c->path = key;
    if (!strcmp(key, "_unknown") && (t->flags & A1_F_EXT)) {
        const json_t *idx = json_object_get(val, "index");
        if (!json_is_integer(idx) || json_integer_value(idx) < (t->nall - t->nroot) ||
            json_integer_value(idx) > 0xffff)
            return jfail(c, "bad _unknown index");
        uint32_t present = t->nroot + (uint32_t)json_integer_value(idx) + 1;
        memcpy(v, &present, sizeof present);
        a1_open *raw = (a1_open *)(v + t->aux);
        return hex_to(c, json_object_get(val, "hex"), &raw->buf, &raw->len);
    }
    for (unsigned i = 0; i < t->nall; i++)
        if (!strcmp(t->m[i].name, key)) {
            uint32_t present = i + 1;
            memcpy(v, &present, sizeof present);
            return from_json(c, t->m[i].type, v + t->m[i].offset, val, depth);
        }
    return jfail(c, "unknown CHOICE alternative");
}

static int seqof_from(jctx *c, const a1_type *t, uint8_t *v, const json_t *j, int depth)
{
    if (!json_is_array(j))
        return jfail(c, "expected an array");
    size_t n = json_array_size(j);
    if (n > A1_MAX_COUNT)
        return jfail(c, "too many elements");
    uint8_t *list = calloc(n ? n : 1, t->elem->size);
    if (!list)
        return G5_ERR_NOMEM;
    struct {
        size_t count;
        void *list;
    } so = {n, list};
    memcpy(v, &so, sizeof so);
    for (size_t i = 0; i < n; i++) {
        int rc = from_json(c, t->elem, list + i * t->elem->size, json_array_get(j, i), depth);
        if (rc)
            return rc;
    }
    return 0;
}

static int from_json(jctx *c, const a1_type *t, void *v, const json_t *j, int depth)
{
    if (++depth > A1_MAX_DEPTH)
        return jfail(c, "nesting too deep");
    switch (t->kind) {
    case A1_BOOL:
        if (!json_is_boolean(j))
            return jfail(c, "expected true or false");
        *(bool *)v = json_is_true(j);
        return 0;
    case A1_NULL: return json_is_null(j) ? 0 : jfail(c, "expected null");
    case A1_INT: return int_from(c, t, v, j);
    case A1_ENUM: return enum_from(c, t, v, j);
    case A1_BITS: {
        a1_bits *b = v;
        const json_t *bits = json_object_get(j, "bits");
        if (!json_is_integer(bits) || json_integer_value(bits) < 0)
            return jfail(c, "expected {\"hex\": ..., \"bits\": n}");
        size_t n = 0;
        int rc = hex_to(c, json_object_get(j, "hex"), &b->buf, &n);
        if (rc)
            return rc;
        b->nbits = (size_t)json_integer_value(bits);
        if ((b->nbits + 7) / 8 != n)
            return jfail(c, "bit count does not match the hex length");
        return 0;
    }
    case A1_OCTETS: {
        a1_octets *o = v;
        return hex_to(c, j, &o->buf, &o->len);
    }
    case A1_STR: {
        a1_octets *o = v;
        if (json_is_object(j))
            return hex_to(c, json_object_get(j, "hex"), &o->buf, &o->len);
        if (!json_is_string(j))
            return jfail(c, "expected a string");
        return a1_octets_set(o, json_string_value(j), json_string_length(j));
    }
    case A1_SEQ: return seq_from(c, t, v, j, depth);
    case A1_CHOICE: return choice_from(c, t, v, j, depth);
    case A1_SEQOF: return seqof_from(c, t, v, j, depth);
    case A1_OPEN: return open_from(c, t, v, j, NULL, depth);
    default: return G5_ERR_UNSUPPORTED;
    }
}

int a1_from_json(const a1_type *t, void *v, const json_t *j, char *err, size_t errlen)
{
    memset(v, 0, t->size);
    if (err && errlen)
        err[0] = 0;
    jctx c = {err, errlen, NULL};
    int rc = from_json(&c, t, v, j, 0);
    if (rc)
        a1_free(t, v);
    return rc;
}
