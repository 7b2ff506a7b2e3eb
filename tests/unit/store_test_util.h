/* Helpers shared by the tests/unit/test_store_*.c tests: a private temporary directory per
 * test, a store opened on it, and a subscriber record built from TS 35.208 test set 1
 * values (K, OPc), so failures print something recognisable. */
#ifndef G5_TEST_STORE_UTIL_H
#define G5_TEST_STORE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hex.h"
#include "store/store.h"

/* TS 35.208 test set 1 */
#define T_K_HEX "465b5ce8b199b49faa5f0a2ee238a6bc"
#define T_OPC_HEX "cd63cb71954a9f4e48a5994e37a02baf"

typedef struct t_env {
    char dir[64];
    char db[128];
    char key[128];
} t_env;

static inline void t_env_init(t_env *e)
{
    snprintf(e->dir, sizeof e->dir, "/tmp/g5store.XXXXXX");
    if (!mkdtemp(e->dir))
        abort();
    snprintf(e->db, sizeof e->db, "%s/sub.db", e->dir);
    snprintf(e->key, sizeof e->key, "%s/master.key", e->dir);
}

static inline void t_env_free(t_env *e)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", e->dir);
}

static inline g5_store *t_open(const t_env *e, char *err, size_t errlen)
{
    g5_store_params p = {.path = e->db, .key_file = e->key, .create = true};
    g5_store *st = NULL;
    if (g5_store_open(&p, &st, err, errlen))
        return NULL;
    return st;
}

static inline void t_sub(g5_subscriber *s, unsigned n)
{
    g5_subscriber_defaults(s);
    snprintf(s->supi, sizeof s->supi, "imsi-00101%010u", n);
    g5_hex_decode_exact(T_K_HEX, s->k, 16);
    g5_hex_decode_exact(T_OPC_HEX, s->op, 16);
    s->k[15] = (uint8_t)n; /* distinct per subscriber */
}

/* Reads a whole file (and its -wal companion) into a malloc'd buffer. */
static inline unsigned char *t_slurp_db(const char *db, size_t *len)
{
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", db);
    const char *files[2] = {db, wal};
    unsigned char *buf = NULL;
    *len = 0;
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f)
            continue;
        unsigned char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            buf = realloc(buf, *len + n);
            memcpy(buf + *len, chunk, n);
            *len += n;
        }
        fclose(f);
    }
    return buf;
}

static inline int t_contains(const unsigned char *hay, size_t n, const void *needle, size_t m)
{
    return hay && n >= m && memmem(hay, n, needle, m) != NULL;
}

#endif
