/* Hash map from uint64_t keys to pointers: the index type for UE contexts (by RAN UE NGAP
 * ID, AMF UE NGAP ID, SUPI as a 15-digit number, 5G-TMSI, TEID, SEID).
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones), power of
 * two capacity, grown at 70 % load, so lookups stay O(1) with no fixed limit on entries.
 * Keys are mixed with a keyed hash (SipHash-like mixing with a per-map random seed) so a
 * peer choosing IDs cannot force collisions. Not thread-safe: one map per event loop. */
#ifndef G5_CORE_HMAP_H
#define G5_CORE_HMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct g5_hmap_slot {
    uint64_t key;
    void *val; /* NULL = empty slot; values must be non-NULL */
} g5_hmap_slot;

typedef struct g5_hmap {
    g5_hmap_slot *slots;
    size_t cap; /* power of two, or 0 */
    size_t len;
    uint64_t seed;
} g5_hmap;

void g5_hmap_init(g5_hmap *m);
void g5_hmap_free(g5_hmap *m); /* frees the table, not the values */
/* Inserts or replaces. Returns 0, or G5_ERR_NOMEM / G5_ERR_INVALID (val == NULL). */
int g5_hmap_put(g5_hmap *m, uint64_t key, void *val);
void *g5_hmap_get(const g5_hmap *m, uint64_t key);
/* Removes key; returns the old value or NULL. */
void *g5_hmap_del(g5_hmap *m, uint64_t key);
static inline size_t g5_hmap_len(const g5_hmap *m)
{
    return m->len;
}

/* Iteration: for (size_t i = 0; g5_hmap_next(m, &i, &k, &v);) { ... } — do not insert or
 * delete while iterating (collect keys first). */
int g5_hmap_next(const g5_hmap *m, size_t *iter, uint64_t *key, void **val);

#endif
