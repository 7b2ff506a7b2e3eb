/* Test helper for the crypto unit tests: loads the 3GPP vector files copied from
 * /work/shared/testvectors into tests/data/crypto/ (each vector keeps its `source` field)
 * and decodes hex fields. Header-only so each test executable stays one file. */
#ifndef G5_TEST_CRYPTO_VECTORS_H
#define G5_TEST_CRYPTO_VECTORS_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

static inline json_t *tv_load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/crypto/%s", G5_SOURCE_DIR, name);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fprintf(stderr, "cannot load %s: %s (line %d)\n", path, err.text, err.line);
    return root;
}

static inline const char *tv_str(const json_t *v, const char *key)
{
    const json_t *s = json_object_get(v, key);
    return json_is_string(s) ? json_string_value(s) : NULL;
}

/* Decodes hex field `key` into out (exactly n bytes); returns 0 or -1. */
static inline int tv_hex(const json_t *v, const char *key, uint8_t *out, size_t n)
{
    const char *s = tv_str(v, key);
    if (!s) {
        fprintf(stderr, "vector field %s missing\n", key);
        return -1;
    }
    return g5_hex_decode_exact(s, out, n) == (int)n ? 0 : -1;
}

/* Decodes a variable-length hex field into a malloc'd buffer; *n gets the length. */
static inline uint8_t *tv_hex_alloc(const json_t *v, const char *key, size_t *n)
{
    const char *s = tv_str(v, key);
    if (!s)
        return NULL;
    size_t cap = strlen(s) / 2 + 1;
    uint8_t *b = malloc(cap);
    if (!b)
        return NULL;
    int rc = g5_hex_decode(s, b, cap);
    if (rc < 0) {
        free(b);
        return NULL;
    }
    *n = (size_t)rc;
    return b;
}

static inline long tv_int(const json_t *v, const char *key)
{
    const json_t *i = json_object_get(v, key);
    return json_is_integer(i) ? (long)json_integer_value(i) : -1;
}

#endif
