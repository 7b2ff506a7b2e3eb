#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static int rfail(g5_rbuf *r)
{
    if (!r->err)
        r->err = G5_ERR_TRUNCATED;
    return G5_ERR_TRUNCATED;
}

static int rneed(g5_rbuf *r, size_t n)
{
    if (r->err)
        return r->err;
    if (n > r->len - r->pos)
        return rfail(r);
    return 0;
}

int g5_rbuf_u8(g5_rbuf *r, uint8_t *v)
{
    int rc = rneed(r, 1);
    if (rc)
        return rc;
    *v = r->p[r->pos++];
    return 0;
}

int g5_rbuf_u16(g5_rbuf *r, uint16_t *v)
{
    int rc = rneed(r, 2);
    if (rc)
        return rc;
    const uint8_t *b = r->p + r->pos;
    *v = (uint16_t)((b[0] << 8) | b[1]);
    r->pos += 2;
    return 0;
}

int g5_rbuf_u24(g5_rbuf *r, uint32_t *v)
{
    int rc = rneed(r, 3);
    if (rc)
        return rc;
    const uint8_t *b = r->p + r->pos;
    *v = ((uint32_t)b[0] << 16) | ((uint32_t)b[1] << 8) | b[2];
    r->pos += 3;
    return 0;
}

int g5_rbuf_u32(g5_rbuf *r, uint32_t *v)
{
    int rc = rneed(r, 4);
    if (rc)
        return rc;
    const uint8_t *b = r->p + r->pos;
    *v = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    r->pos += 4;
    return 0;
}

int g5_rbuf_u64(g5_rbuf *r, uint64_t *v)
{
    int rc = rneed(r, 8);
    if (rc)
        return rc;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = (x << 8) | r->p[r->pos + (size_t)i];
    *v = x;
    r->pos += 8;
    return 0;
}

int g5_rbuf_bytes(g5_rbuf *r, void *dst, size_t n)
{
    int rc = rneed(r, n);
    if (rc)
        return rc;
    if (n)
        memcpy(dst, r->p + r->pos, n);
    r->pos += n;
    return 0;
}

int g5_rbuf_ptr(g5_rbuf *r, const uint8_t **out, size_t n)
{
    int rc = rneed(r, n);
    if (rc)
        return rc;
    *out = r->p + r->pos;
    r->pos += n;
    return 0;
}

int g5_rbuf_skip(g5_rbuf *r, size_t n)
{
    int rc = rneed(r, n);
    if (rc)
        return rc;
    r->pos += n;
    return 0;
}

int g5_rbuf_sub(g5_rbuf *r, g5_rbuf *child, size_t n)
{
    int rc = rneed(r, n);
    if (rc) {
        g5_rbuf_init(child, NULL, 0);
        child->err = rc;
        return rc;
    }
    g5_rbuf_init(child, r->p + r->pos, n);
    r->pos += n;
    return 0;
}

int g5_rbuf_peek_u8(const g5_rbuf *r, uint8_t *v)
{
    if (r->err)
        return r->err;
    if (r->pos >= r->len)
        return G5_ERR_TRUNCATED;
    *v = r->p[r->pos];
    return 0;
}

void g5_wbuf_init(g5_wbuf *w, void *p, size_t cap)
{
    w->p = p;
    w->cap = p ? cap : 0;
    w->len = 0;
    w->limit = w->cap;
    w->dyn = false;
    w->err = 0;
}

void g5_wbuf_init_dyn(g5_wbuf *w, size_t limit)
{
    w->p = NULL;
    w->cap = 0;
    w->len = 0;
    w->limit = limit;
    w->dyn = true;
    w->err = 0;
}

void g5_wbuf_free(g5_wbuf *w)
{
    if (w->dyn)
        free(w->p);
    w->p = NULL;
    w->cap = w->len = 0;
}

int g5_wbuf_reserve(g5_wbuf *w, size_t n)
{
    if (w->err)
        return w->err;
    if (n <= w->cap - w->len)
        return 0;
    if (!w->dyn || n > w->limit - w->len) {
        w->err = G5_ERR_TOO_LONG;
        return w->err;
    }
    size_t want = w->len + n;
    size_t ncap = w->cap ? w->cap : 64;
    while (ncap < want)
        ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
    if (ncap > w->limit)
        ncap = w->limit;
    uint8_t *np = realloc(w->p, ncap);
    if (!np) {
        w->err = G5_ERR_NOMEM;
        return w->err;
    }
    w->p = np;
    w->cap = ncap;
    return 0;
}

int g5_wbuf_u8(g5_wbuf *w, uint8_t v)
{
    int rc = g5_wbuf_reserve(w, 1);
    if (rc)
        return rc;
    w->p[w->len++] = v;
    return 0;
}

int g5_wbuf_u16(g5_wbuf *w, uint16_t v)
{
    int rc = g5_wbuf_reserve(w, 2);
    if (rc)
        return rc;
    w->p[w->len++] = (uint8_t)(v >> 8);
    w->p[w->len++] = (uint8_t)v;
    return 0;
}

int g5_wbuf_u24(g5_wbuf *w, uint32_t v)
{
    int rc = g5_wbuf_reserve(w, 3);
    if (rc)
        return rc;
    w->p[w->len++] = (uint8_t)(v >> 16);
    w->p[w->len++] = (uint8_t)(v >> 8);
    w->p[w->len++] = (uint8_t)v;
    return 0;
}

int g5_wbuf_u32(g5_wbuf *w, uint32_t v)
{
    int rc = g5_wbuf_reserve(w, 4);
    if (rc)
        return rc;
    for (int s = 24; s >= 0; s -= 8)
        w->p[w->len++] = (uint8_t)(v >> s);
    return 0;
}

int g5_wbuf_u64(g5_wbuf *w, uint64_t v)
{
    int rc = g5_wbuf_reserve(w, 8);
    if (rc)
        return rc;
    for (int s = 56; s >= 0; s -= 8)
        w->p[w->len++] = (uint8_t)(v >> s);
    return 0;
}

int g5_wbuf_bytes(g5_wbuf *w, const void *src, size_t n)
{
    int rc = g5_wbuf_reserve(w, n);
    if (rc)
        return rc;
    if (n)
        memcpy(w->p + w->len, src, n);
    w->len += n;
    return 0;
}

int g5_wbuf_zeros(g5_wbuf *w, size_t n)
{
    int rc = g5_wbuf_reserve(w, n);
    if (rc)
        return rc;
    if (n)
        memset(w->p + w->len, 0, n);
    w->len += n;
    return 0;
}

int g5_wbuf_hole(g5_wbuf *w, size_t n, size_t *offset)
{
    int rc = g5_wbuf_reserve(w, n);
    if (rc)
        return rc;
    *offset = w->len;
    if (n)
        memset(w->p + w->len, 0, n);
    w->len += n;
    return 0;
}

int g5_wbuf_patch_u8(g5_wbuf *w, size_t offset, uint8_t v)
{
    if (w->err)
        return w->err;
    if (offset >= w->len)
        return G5_ERR_INVALID;
    w->p[offset] = v;
    return 0;
}

int g5_wbuf_patch_u16(g5_wbuf *w, size_t offset, uint16_t v)
{
    if (w->err)
        return w->err;
    if (offset > w->len || w->len - offset < 2)
        return G5_ERR_INVALID;
    w->p[offset] = (uint8_t)(v >> 8);
    w->p[offset + 1] = (uint8_t)v;
    return 0;
}
