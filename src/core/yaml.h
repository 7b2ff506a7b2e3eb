/* YAML configuration: a small document tree (libyaml parser) that keeps the file, line and
 * column of every node, plus typed readers that validate each value and report errors as
 *
 *     glass5g.yaml:12:7: amf.tac: 70000 is out of range; use an integer from 0 to 16777215
 *
 * i.e. file:line:col, the dotted field path, what is wrong and how to fix it. Readers mark
 * the keys they consume; g5_cfg_check_unknown() then reports every key nobody read (a typo
 * such as "tacs" gets "did you mean 'tac'?"). Errors are counted in the context, so a
 * loader reports every bad field in one run instead of stopping at the first.
 */
#ifndef G5_CORE_YAML_H
#define G5_CORE_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { G5_YAML_SCALAR, G5_YAML_MAP, G5_YAML_SEQ } g5_yaml_type;

typedef struct g5_ynode {
    g5_yaml_type type;
    int line, col; /* 1-based position of the value in the file */
    int key_line, key_col; /* position of the key, when this node is a map value */
    char *key; /* key when this node is a map value, else NULL */
    char *scalar; /* text of a scalar */
    bool quoted; /* scalar was quoted (so "yes" stays a string) */
    bool used; /* read by a typed reader */
    int index; /* position when this node is a sequence item, else -1 */
    struct g5_ynode *parent;
    struct g5_ynode **items; /* map values or sequence items */
    size_t n;
} g5_ynode;

typedef struct g5_ydoc {
    g5_ynode *root; /* NULL for an empty document */
    char *name; /* file name used in messages */
} g5_ydoc;

/* Parse a file / a string. On a syntax error returns G5_ERR_CONFIG with "file:line:col:
 * message" in err. Documents nested deeper than 64 levels or with more than 1,000,000
 * nodes are refused. */
int g5_yaml_load_file(const char *path, g5_ydoc *doc, char *err, size_t errlen);
int g5_yaml_load_string(const char *text, const char *name, g5_ydoc *doc, char *err, size_t errlen);
void g5_yaml_free(g5_ydoc *doc);

/* Map lookup (no validation, does not mark used). */
g5_ynode *g5_yaml_get(const g5_ynode *map, const char *key);
/* Dotted path of a node ("amf.slices[1].sst") into buf. */
const char *g5_yaml_path(const g5_ynode *node, char *buf, size_t cap);

/* Validation context: collects errors (printed to `out`, default stderr). */
typedef struct g5_cfg {
    const char *file;
    FILE *out;
    int errors;
    char last[512]; /* last message, for tests */
} g5_cfg;

void g5_cfg_init(g5_cfg *c, const g5_ydoc *doc, FILE *out);
/* Reports an error at node (or at the map when the key is missing). */
void g5_cfg_error(g5_cfg *c, const g5_ynode *node, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Typed readers. Each returns 1 if the key was present and valid (value stored), 0 if absent
 * (value untouched; an error is reported only when required), -1 if present but invalid
 * (error reported). `map` may be NULL (treated as an empty map). */
int g5_cfg_map(g5_cfg *c, g5_ynode *map, const char *key, bool required, g5_ynode **out);
int g5_cfg_seq(g5_cfg *c, g5_ynode *map, const char *key, bool required, g5_ynode **out);
int g5_cfg_str(g5_cfg *c, g5_ynode *map, const char *key, bool required, char *out, size_t cap);
int g5_cfg_u64(g5_cfg *c, g5_ynode *map, const char *key, bool required, uint64_t min, uint64_t max,
               uint64_t *out);
int g5_cfg_u32(g5_cfg *c, g5_ynode *map, const char *key, bool required, uint32_t min, uint32_t max,
               uint32_t *out);
int g5_cfg_bool(g5_cfg *c, g5_ynode *map, const char *key, bool required, bool *out);
/* One of names[] (NULL-terminated); stores the index. */
int g5_cfg_enum(g5_cfg *c, g5_ynode *map, const char *key, bool required, const char *const *names,
                int *out);
/* Hex string of exactly n bytes. */
int g5_cfg_hex(g5_cfg *c, g5_ynode *map, const char *key, bool required, uint8_t *out, size_t n);
/* Validates a scalar node itself (sequence items): same semantics as the keyed readers. */
int g5_cfg_node_u32(g5_cfg *c, g5_ynode *node, uint32_t min, uint32_t max, uint32_t *out);
int g5_cfg_node_str(g5_cfg *c, g5_ynode *node, char *out, size_t cap);
/* Reports every key of map (recursively) that no reader consumed. Returns the count. */
int g5_cfg_check_unknown(g5_cfg *c, g5_ynode *map, const char *const *known);

#endif
