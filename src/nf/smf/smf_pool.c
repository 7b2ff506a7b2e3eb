/* UE address pools: bitmap + next-fit cursor (see smf_pool.h). */
#include "nf/smf/smf_pool.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static bool bit_get(const smf_pool *p, uint32_t i)
{
    return (p->bits[i / 64] >> (i % 64)) & 1u;
}

static void bit_put(smf_pool *p, uint32_t i, bool v)
{
    if (v)
        p->bits[i / 64] |= UINT64_C(1) << (i % 64);
    else
        p->bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

static int parse_cidr(const char *cidr, smf_pool *p)
{
    char addr[64];
    const char *slash = strchr(cidr, '/');
    if (!slash || (size_t)(slash - cidr) >= sizeof addr)
        return G5_ERR_INVALID;
    memcpy(addr, cidr, (size_t)(slash - cidr));
    addr[slash - cidr] = '\0';
    char *end = NULL;
    long plen = strtol(slash + 1, &end, 10);
    if (!end || *end || end == slash + 1)
        return G5_ERR_INVALID;
    p->v6 = strchr(addr, ':') != NULL;
    if (inet_pton(p->v6 ? AF_INET6 : AF_INET, addr, p->base) != 1)
        return G5_ERR_INVALID;
    if (p->v6 ? (plen < 1 || plen > 64) : (plen < 1 || plen > 30))
        return G5_ERR_INVALID;
    p->plen = (uint8_t)plen;
    return 0;
}

/* Slot i -> address: v4 host part, v6 the /64 index bits (plen..63). */
static void slot_addr(const smf_pool *p, uint32_t i, uint8_t out[8])
{
    memset(out, 0, 8);
    if (!p->v6) {
        uint32_t a = ((uint32_t)p->base[0] << 24 | (uint32_t)p->base[1] << 16 |
                      (uint32_t)p->base[2] << 8 | p->base[3]) +
                     i;
        out[0] = (uint8_t)(a >> 24);
        out[1] = (uint8_t)(a >> 16);
        out[2] = (uint8_t)(a >> 8);
        out[3] = (uint8_t)a;
        return;
    }
    uint64_t pre = 0;
    for (int k = 0; k < 8; k++)
        pre = pre << 8 | p->base[k];
    pre += (uint64_t)i; /* the index occupies the low (64 - plen) bits of the prefix */
    for (int k = 7; k >= 0; k--) {
        out[k] = (uint8_t)pre;
        pre >>= 8;
    }
}

static int addr_slot(const smf_pool *p, const uint8_t a[8], uint32_t *slot)
{
    uint64_t x = 0, b = 0;
    int n = p->v6 ? 8 : 4;
    for (int k = 0; k < n; k++) {
        x = x << 8 | a[k];
        b = b << 8 | p->base[k];
    }
    if (x < b || x - b >= p->size)
        return G5_ERR_NOT_FOUND;
    *slot = (uint32_t)(x - b);
    return 0;
}

int smf_pool_init(smf_pool *p, const char *cidr)
{
    memset(p, 0, sizeof *p);
    int rc = parse_cidr(cidr, p);
    if (rc)
        return rc;
    unsigned host_bits = p->v6 ? 64u - p->plen : 32u - p->plen;
    p->size = host_bits >= SMF_POOL_MAX_BITS ? SMF_POOL_MAX : 1u << host_bits;
    /* clear the host/index bits of the base */
    unsigned total = p->v6 ? 128 : 32;
    for (unsigned bit = p->plen; bit < total; bit++)
        p->base[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    p->bits = calloc((p->size + 63) / 64, sizeof *p->bits);
    if (!p->bits)
        return G5_ERR_NOMEM;
    /* reserved: v4 network + gateway (.1) + broadcast (only when the range is whole);
     * v6 the first /64 */
    bit_put(p, 0, true);
    p->used = 1;
    if (!p->v6) {
        bit_put(p, 1, true);
        p->used++;
        if (host_bits <= SMF_POOL_MAX_BITS) {
            bit_put(p, p->size - 1, true);
            p->used++;
        }
    }
    p->reserved = p->used;
    return 0;
}

void smf_pool_free(smf_pool *p)
{
    free(p->bits);
    p->bits = NULL;
}

uint32_t smf_pool_available(const smf_pool *p)
{
    return p->size - p->used;
}

int smf_pool_alloc(smf_pool *p, uint8_t out[8])
{
    if (!p->bits || p->used >= p->size)
        return G5_ERR_LIMIT;
    for (uint32_t n = 0; n < p->size; n++) {
        uint32_t i = (p->cursor + n) % p->size;
        if (i % 64 == 0 && p->bits[i / 64] == UINT64_MAX && p->size - i >= 64) {
            n += 63; /* a full word: next one */
            continue;
        }
        if (!bit_get(p, i)) {
            bit_put(p, i, true);
            p->used++;
            p->cursor = (i + 1) % p->size;
            slot_addr(p, i, out);
            return 0;
        }
    }
    return G5_ERR_LIMIT;
}

int smf_pool_release(smf_pool *p, const uint8_t addr[8])
{
    uint32_t i;
    if (!p->bits || addr_slot(p, addr, &i) || !bit_get(p, i))
        return G5_ERR_NOT_FOUND;
    /* reserved slots are never released */
    if (i == 0 || (!p->v6 && (i == 1 || (32u - p->plen <= SMF_POOL_MAX_BITS && i == p->size - 1))))
        return G5_ERR_NOT_FOUND;
    bit_put(p, i, false);
    p->used--;
    return 0;
}
