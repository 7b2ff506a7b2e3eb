/* Bounds-checked byte buffers: the only way codecs read peer input or write messages.
 *
 * g5_rbuf is a read cursor over bytes the caller owns. Every read checks the remaining
 * length; a failed read returns an error, reads nothing and makes the reader "sticky
 * failed" (err != 0) so a sequence of reads can be checked once at the end. There is no
 * way to read past the end.
 *
 * g5_wbuf is a write cursor. With a fixed backing array (g5_wbuf_init) a write that
 * does not fit fails (sticky G5_ERR_TOO_LONG) and writes nothing; with g5_wbuf_init_dyn
 * it grows on the heap up to `limit` bytes (g5_wbuf_free releases it).
 *
 * All multi-byte integers are network byte order (big endian), as in every 3GPP protocol.
 */
#ifndef G5_CORE_BUF_H
#define G5_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct g5_rbuf {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err; /* 0 or the first g5_err seen */
} g5_rbuf;

static inline void g5_rbuf_init(g5_rbuf *r, const void *p, size_t len)
{
    r->p = (const uint8_t *)p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->err = 0;
}

static inline size_t g5_rbuf_left(const g5_rbuf *r)
{
    return r->len - r->pos;
}
static inline bool g5_rbuf_empty(const g5_rbuf *r)
{
    return r->pos >= r->len;
}
static inline const uint8_t *g5_rbuf_cur(const g5_rbuf *r)
{
    return r->p + r->pos;
}

int g5_rbuf_u8(g5_rbuf *r, uint8_t *v);
int g5_rbuf_u16(g5_rbuf *r, uint16_t *v);
int g5_rbuf_u24(g5_rbuf *r, uint32_t *v);
int g5_rbuf_u32(g5_rbuf *r, uint32_t *v);
int g5_rbuf_u64(g5_rbuf *r, uint64_t *v);
/* Reads n bytes into dst. */
int g5_rbuf_bytes(g5_rbuf *r, void *dst, size_t n);
/* Points *out at the next n bytes without copying (zero-copy), and advances. */
int g5_rbuf_ptr(g5_rbuf *r, const uint8_t **out, size_t n);
int g5_rbuf_skip(g5_rbuf *r, size_t n);
/* Carves the next n bytes into a child reader and advances the parent past them. */
int g5_rbuf_sub(g5_rbuf *r, g5_rbuf *child, size_t n);
/* Looks at the next byte without consuming it. */
int g5_rbuf_peek_u8(const g5_rbuf *r, uint8_t *v);

typedef struct g5_wbuf {
    uint8_t *p;
    size_t cap;
    size_t len;
    size_t limit; /* dynamic buffers: maximum size; fixed: == cap */
    bool dyn;
    int err;
} g5_wbuf;

void g5_wbuf_init(g5_wbuf *w, void *p, size_t cap);
/* Heap-backed, growing up to limit bytes. */
void g5_wbuf_init_dyn(g5_wbuf *w, size_t limit);
void g5_wbuf_free(g5_wbuf *w);
/* Ensures room for n more bytes. */
int g5_wbuf_reserve(g5_wbuf *w, size_t n);
int g5_wbuf_u8(g5_wbuf *w, uint8_t v);
int g5_wbuf_u16(g5_wbuf *w, uint16_t v);
int g5_wbuf_u24(g5_wbuf *w, uint32_t v);
int g5_wbuf_u32(g5_wbuf *w, uint32_t v);
int g5_wbuf_u64(g5_wbuf *w, uint64_t v);
int g5_wbuf_bytes(g5_wbuf *w, const void *src, size_t n);
int g5_wbuf_zeros(g5_wbuf *w, size_t n);
/* Reserves n bytes to be filled later (e.g. a length field); returns their offset. */
int g5_wbuf_hole(g5_wbuf *w, size_t n, size_t *offset);
/* Overwrites already-written bytes (for back-patching lengths). */
int g5_wbuf_patch_u8(g5_wbuf *w, size_t offset, uint8_t v);
int g5_wbuf_patch_u16(g5_wbuf *w, size_t offset, uint16_t v);
static inline const uint8_t *g5_wbuf_data(const g5_wbuf *w)
{
    return w->p;
}
static inline size_t g5_wbuf_len(const g5_wbuf *w)
{
    return w->len;
}

#endif
