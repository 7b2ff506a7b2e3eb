#include "core/hmap.h"

#include <openssl/rand.h>
#include <stdlib.h>

#include "core/err.h"

static uint64_t mix(uint64_t k, uint64_t seed)
{
    /* splitmix64 finaliser over key ^ seed: cheap, and with a secret seed a peer cannot
     * predict which IDs collide. */
    uint64_t z = k ^ seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void g5_hmap_init(g5_hmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->len = 0;
    if (RAND_bytes((unsigned char *)&m->seed, sizeof m->seed) != 1)
        m->seed = (uint64_t)(uintptr_t)m * 0x9e3779b97f4a7c15ull;
}

void g5_hmap_free(g5_hmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}

static void insert_nogrow(g5_hmap *m, uint64_t key, void *val)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)mix(key, m->seed) & mask;
    while (m->slots[i].val && m->slots[i].key != key)
        i = (i + 1) & mask;
    if (!m->slots[i].val)
        m->len++;
    m->slots[i].key = key;
    m->slots[i].val = val;
}

static int grow(g5_hmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    if (ncap > SIZE_MAX / sizeof(g5_hmap_slot))
        return G5_ERR_NOMEM;
    g5_hmap_slot *old = m->slots;
    size_t ocap = m->cap;
    m->slots = calloc(ncap, sizeof(g5_hmap_slot));
    if (!m->slots) {
        m->slots = old;
        return G5_ERR_NOMEM;
    }
    m->cap = ncap;
    m->len = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].val)
            insert_nogrow(m, old[i].key, old[i].val);
    free(old);
    return 0;
}

int g5_hmap_put(g5_hmap *m, uint64_t key, void *val)
{
    if (!val)
        return G5_ERR_INVALID;
    if ((m->len + 1) * 10 > m->cap * 7) {
        int rc = grow(m);
        if (rc)
            return rc;
    }
    insert_nogrow(m, key, val);
    return 0;
}

static size_t find(const g5_hmap *m, uint64_t key)
{
    if (!m->cap)
        return SIZE_MAX;
    size_t mask = m->cap - 1;
    size_t i = (size_t)mix(key, m->seed) & mask;
    while (m->slots[i].val) {
        if (m->slots[i].key == key)
            return i;
        i = (i + 1) & mask;
    }
    return SIZE_MAX;
}

void *g5_hmap_get(const g5_hmap *m, uint64_t key)
{
    size_t i = find(m, key);
    return i == SIZE_MAX ? NULL : m->slots[i].val;
}

void *g5_hmap_del(g5_hmap *m, uint64_t key)
{
    size_t i = find(m, key);
    if (i == SIZE_MAX)
        return NULL;
    void *old = m->slots[i].val;
    size_t mask = m->cap - 1;
    /* Backward-shift: pull later members of the probe run into the hole. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].val)
            break;
        size_t home = (size_t)mix(m->slots[j].key, m->seed) & mask;
        /* Move j to i if its home is not in the cyclic range (i, j]. */
        int in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].val = NULL;
    m->slots[i].key = 0;
    m->len--;
    return old;
}

int g5_hmap_next(const g5_hmap *m, size_t *iter, uint64_t *key, void **val)
{
    for (size_t i = *iter; i < m->cap; i++) {
        if (m->slots[i].val) {
            if (key)
                *key = m->slots[i].key;
            if (val)
                *val = m->slots[i].val;
            *iter = i + 1;
            return 1;
        }
    }
    *iter = m->cap;
    return 0;
}
