#define G5_LOG_MODULE "config"
#include "core/yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/err.h"
#include "core/hex.h"

#define MAX_DEPTH 64
#define MAX_NODES 1000000

typedef struct {
    yaml_parser_t p;
    const char *name;
    size_t nodes;
    char *err;
    size_t errlen;
} ld;

static void node_free(g5_ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        node_free(n->items[i]);
    free(n->items);
    free(n->key);
    free(n->scalar);
    free(n);
}

static g5_ynode *node_new(ld *l, g5_yaml_type t, const yaml_event_t *ev)
{
    if (++l->nodes > MAX_NODES)
        return NULL;
    g5_ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->type = t;
    n->line = (int)ev->start_mark.line + 1;
    n->col = (int)ev->start_mark.column + 1;
    n->index = -1;
    return n;
}

static int add_child(g5_ynode *parent, g5_ynode *child)
{
    if ((parent->n & (parent->n - 1)) == 0) { /* grow at powers of two */
        size_t cap = parent->n ? parent->n * 2 : 4;
        g5_ynode **ni = realloc(parent->items, cap * sizeof(g5_ynode *));
        if (!ni)
            return -1;
        parent->items = ni;
    }
    parent->items[parent->n++] = child;
    child->parent = parent;
    return 0;
}

static int fail(ld *l, const yaml_event_t *ev, const char *msg)
{
    snprintf(l->err, l->errlen, "%s:%d:%d: %s", l->name, ev ? (int)ev->start_mark.line + 1 : 0,
             ev ? (int)ev->start_mark.column + 1 : 0, msg);
    return G5_ERR_CONFIG;
}

static int next_event(ld *l, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&l->p, ev)) {
        snprintf(l->err, l->errlen, "%s:%d:%d: YAML syntax error: %s", l->name,
                 (int)l->p.problem_mark.line + 1, (int)l->p.problem_mark.column + 1,
                 l->p.problem ? l->p.problem : "unknown");
        return G5_ERR_CONFIG;
    }
    return 0;
}

static int parse_node(ld *l, yaml_event_t *ev, int depth, g5_ynode **out);

/* Parses the children of a map or sequence until its end event. */
static int parse_children(ld *l, g5_ynode *n, int depth)
{
    for (;;) {
        yaml_event_t ev;
        int rc = next_event(l, &ev);
        if (rc)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        char *key = NULL;
        int key_line = 0, key_col = 0;
        if (n->type == G5_YAML_MAP) {
            if (ev.type != YAML_SCALAR_EVENT) {
                rc = fail(l, &ev, "map keys must be plain scalars");
                yaml_event_delete(&ev);
                return rc;
            }
            key_line = (int)ev.start_mark.line + 1;
            key_col = (int)ev.start_mark.column + 1;
            key = strdup((const char *)ev.data.scalar.value);
            for (size_t i = 0; key && i < n->n; i++) {
                if (strcmp(n->items[i]->key, key) == 0) {
                    char msg[300];
                    snprintf(msg, sizeof msg, "key '%.200s' appears twice; keep one", key);
                    free(key);
                    rc = fail(l, &ev, msg);
                    yaml_event_delete(&ev);
                    return rc;
                }
            }
            yaml_event_delete(&ev);
            if (!key)
                return G5_ERR_NOMEM;
            rc = next_event(l, &ev);
            if (rc) {
                free(key);
                return rc;
            }
        }
        g5_ynode *child = NULL;
        rc = parse_node(l, &ev, depth + 1, &child);
        yaml_event_delete(&ev);
        if (rc || !child) {
            free(key);
            return rc ? rc : G5_ERR_NOMEM;
        }
        child->key = key;
        child->key_line = key_line;
        child->key_col = key_col;
        if (n->type == G5_YAML_SEQ)
            child->index = (int)n->n;
        if (add_child(n, child)) {
            node_free(child);
            return G5_ERR_NOMEM;
        }
    }
}

static int parse_node(ld *l, yaml_event_t *ev, int depth, g5_ynode **out)
{
    if (depth > MAX_DEPTH)
        return fail(l, ev, "nesting deeper than 64 levels");
    g5_ynode *n;
    int rc;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = node_new(l, G5_YAML_SCALAR, ev);
        if (!n)
            return fail(l, ev, "document too large");
        n->scalar = strdup((const char *)ev->data.scalar.value);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        if (!n->scalar) {
            node_free(n);
            return G5_ERR_NOMEM;
        }
        *out = n;
        return 0;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        n = node_new(l, ev->type == YAML_MAPPING_START_EVENT ? G5_YAML_MAP : G5_YAML_SEQ, ev);
        if (!n)
            return fail(l, ev, "document too large");
        rc = parse_children(l, n, depth);
        if (rc) {
            node_free(n);
            return rc;
        }
        *out = n;
        return 0;
    case YAML_ALIAS_EVENT:
        return fail(l, ev, "YAML aliases (*name) are not supported; write the value out");
    default: return fail(l, ev, "unexpected YAML event");
    }
}

static int load(ld *l, g5_ydoc *doc)
{
    yaml_event_t ev;
    int rc;
    memset(doc, 0, sizeof *doc);
    doc->name = strdup(l->name);
    if (!doc->name)
        return G5_ERR_NOMEM;
    for (;;) {
        rc = next_event(l, &ev);
        if (rc)
            goto out;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_MAPPING_START_EVENT ||
            t == YAML_SEQUENCE_START_EVENT || t == YAML_ALIAS_EVENT) {
            if (doc->root) {
                rc = fail(l, &ev, "only one YAML document per file is supported");
                yaml_event_delete(&ev);
                goto out;
            }
            rc = parse_node(l, &ev, 0, &doc->root);
            yaml_event_delete(&ev);
            if (rc)
                goto out;
            continue;
        }
        yaml_event_delete(&ev);
    }
    /* A file holding only a scalar (or nothing) is treated as an empty configuration. */
    if (doc->root && doc->root->type == G5_YAML_SCALAR && doc->root->scalar[0] == 0) {
        node_free(doc->root);
        doc->root = NULL;
    }
    return 0;
out:
    g5_yaml_free(doc);
    return rc;
}

int g5_yaml_load_string(const char *text, const char *name, g5_ydoc *doc, char *err, size_t errlen)
{
    ld l = {.name = name ? name : "<string>", .err = err, .errlen = errlen};
    if (!yaml_parser_initialize(&l.p))
        return G5_ERR_NOMEM;
    yaml_parser_set_input_string(&l.p, (const unsigned char *)text, strlen(text));
    int rc = load(&l, doc);
    yaml_parser_delete(&l.p);
    return rc;
}

int g5_yaml_load_file(const char *path, g5_ydoc *doc, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return G5_ERR_IO;
    }
    ld l = {.name = path, .err = err, .errlen = errlen};
    if (!yaml_parser_initialize(&l.p)) {
        fclose(f);
        return G5_ERR_NOMEM;
    }
    yaml_parser_set_input_file(&l.p, f);
    int rc = load(&l, doc);
    yaml_parser_delete(&l.p);
    fclose(f);
    return rc;
}

void g5_yaml_free(g5_ydoc *doc)
{
    if (!doc)
        return;
    node_free(doc->root);
    free(doc->name);
    doc->root = NULL;
    doc->name = NULL;
}

g5_ynode *g5_yaml_get(const g5_ynode *map, const char *key)
{
    if (!map || map->type != G5_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->items[i]->key, key) == 0)
            return map->items[i];
    return NULL;
}

static size_t path_into(const g5_ynode *n, char *buf, size_t cap)
{
    if (!n || !n->parent)
        return 0;
    size_t len = path_into(n->parent, buf, cap);
    int w;
    if (n->key)
        w = snprintf(buf + len, cap - len, "%s%s", len ? "." : "", n->key);
    else
        w = snprintf(buf + len, cap - len, "[%d]", n->index);
    if (w < 0)
        return len;
    len += (size_t)w;
    return len < cap ? len : cap - 1;
}

const char *g5_yaml_path(const g5_ynode *node, char *buf, size_t cap)
{
    if (!cap)
        return buf;
    buf[0] = 0;
    path_into(node, buf, cap);
    return buf;
}

void g5_cfg_init(g5_cfg *c, const g5_ydoc *doc, FILE *out)
{
    memset(c, 0, sizeof *c);
    c->file = doc && doc->name ? doc->name : "<config>";
    c->out = out ? out : stderr;
}

void g5_cfg_error(g5_cfg *c, const g5_ynode *node, const char *key, const char *fmt, ...)
{
    char path[256], msg[300];
    g5_yaml_path(node, path, sizeof path);
    if (key) {
        size_t len = strlen(path);
        snprintf(path + len, sizeof path - len, "%s%s", len ? "." : "", key);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->last, sizeof c->last, "%s:%d:%d: %s: %s", c->file, node ? node->line : 1,
             node ? node->col : 1, path[0] ? path : "(top level)", msg);
    fprintf(c->out, "%s\n", c->last);
    c->errors++;
}

/* Shared prologue of the keyed readers: find the key, mark it used, check the kind. */
static int lookup(g5_cfg *c, g5_ynode *map, const char *key, bool required, g5_yaml_type want,
                  const char *want_desc, g5_ynode **out)
{
    g5_ynode *n = g5_yaml_get(map, key);
    if (!n) {
        if (required)
            g5_cfg_error(c, map, key, "is required; add '%s: <%s>'", key, want_desc);
        return 0;
    }
    n->used = true;
    if (n->type != want) {
        static const char *const kinds[] = {"a single value", "a map", "a list"};
        g5_cfg_error(c, n, NULL, "must be %s, found %s", want_desc, kinds[n->type]);
        return -1;
    }
    *out = n;
    return 1;
}

int g5_cfg_map(g5_cfg *c, g5_ynode *map, const char *key, bool required, g5_ynode **out)
{
    return lookup(c, map, key, required, G5_YAML_MAP, "a map", out);
}

int g5_cfg_seq(g5_cfg *c, g5_ynode *map, const char *key, bool required, g5_ynode **out)
{
    return lookup(c, map, key, required, G5_YAML_SEQ, "a list", out);
}

int g5_cfg_node_str(g5_cfg *c, g5_ynode *n, char *out, size_t cap)
{
    n->used = true;
    if (n->type != G5_YAML_SCALAR) {
        g5_cfg_error(c, n, NULL, "must be a single value (string)");
        return -1;
    }
    size_t len = strlen(n->scalar);
    if (len >= cap) {
        g5_cfg_error(c, n, NULL, "is %zu characters long; at most %zu are allowed", len, cap - 1);
        return -1;
    }
    memcpy(out, n->scalar, len + 1);
    return 1;
}

int g5_cfg_str(g5_cfg *c, g5_ynode *map, const char *key, bool required, char *out, size_t cap)
{
    g5_ynode *n;
    int rc = lookup(c, map, key, required, G5_YAML_SCALAR, "a string", &n);
    if (rc <= 0)
        return rc;
    return g5_cfg_node_str(c, n, out, cap);
}

static int node_u64(g5_cfg *c, g5_ynode *n, uint64_t min, uint64_t max, uint64_t *out)
{
    n->used = true;
    if (n->type != G5_YAML_SCALAR) {
        g5_cfg_error(c, n, NULL, "must be an integer from %llu to %llu", (unsigned long long)min,
                     (unsigned long long)max);
        return -1;
    }
    const char *s = n->scalar;
    char *end = NULL;
    errno = 0;
    int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
    unsigned long long v = strtoull(s, &end, base);
    if (!s[0] || s[0] == '-' || s[0] == '+' || *end || errno) {
        g5_cfg_error(c, n, NULL, "'%.64s' is not an integer; use an integer from %llu to %llu", s,
                     (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    if (v < min || v > max) {
        g5_cfg_error(c, n, NULL, "%llu is out of range; use an integer from %llu to %llu", v,
                     (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = v;
    return 1;
}

int g5_cfg_u64(g5_cfg *c, g5_ynode *map, const char *key, bool required, uint64_t min, uint64_t max,
               uint64_t *out)
{
    g5_ynode *n = g5_yaml_get(map, key);
    if (!n) {
        if (required)
            g5_cfg_error(c, map, key, "is required; add '%s: <integer %llu..%llu>'", key,
                         (unsigned long long)min, (unsigned long long)max);
        return 0;
    }
    return node_u64(c, n, min, max, out);
}

int g5_cfg_node_u32(g5_cfg *c, g5_ynode *node, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;
    int rc = node_u64(c, node, min, max, &v);
    if (rc == 1)
        *out = (uint32_t)v;
    return rc;
}

int g5_cfg_u32(g5_cfg *c, g5_ynode *map, const char *key, bool required, uint32_t min, uint32_t max,
               uint32_t *out)
{
    uint64_t v;
    int rc = g5_cfg_u64(c, map, key, required, min, max, &v);
    if (rc == 1)
        *out = (uint32_t)v;
    return rc;
}

int g5_cfg_bool(g5_cfg *c, g5_ynode *map, const char *key, bool required, bool *out)
{
    g5_ynode *n;
    int rc = lookup(c, map, key, required, G5_YAML_SCALAR, "true or false", &n);
    if (rc <= 0)
        return rc;
    const char *s = n->scalar;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
        *out = true;
        return 1;
    }
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
        *out = false;
        return 1;
    }
    g5_cfg_error(c, n, NULL, "'%.64s' is not a boolean; use true or false", s);
    return -1;
}

int g5_cfg_enum(g5_cfg *c, g5_ynode *map, const char *key, bool required, const char *const *names,
                int *out)
{
    char all[256] = "";
    for (int i = 0; names[i]; i++) {
        size_t len = strlen(all);
        snprintf(all + len, sizeof all - len, "%s%s", i ? ", " : "", names[i]);
    }
    g5_ynode *n;
    int rc = lookup(c, map, key, required, G5_YAML_SCALAR, all, &n);
    if (rc <= 0)
        return rc;
    for (int i = 0; names[i]; i++) {
        if (strcasecmp(n->scalar, names[i]) == 0) {
            *out = i;
            return 1;
        }
    }
    g5_cfg_error(c, n, NULL, "'%.64s' is not allowed; use one of: %s", n->scalar, all);
    return -1;
}

int g5_cfg_hex(g5_cfg *c, g5_ynode *map, const char *key, bool required, uint8_t *out,
               size_t nbytes)
{
    g5_ynode *n;
    char desc[64];
    snprintf(desc, sizeof desc, "%zu hex digits", nbytes * 2);
    int rc = lookup(c, map, key, required, G5_YAML_SCALAR, desc, &n);
    if (rc <= 0)
        return rc;
    /* The value itself is never echoed: hex fields are often keys. */
    if (g5_hex_decode_exact(n->scalar, out, nbytes) < 0) {
        g5_cfg_error(c, n, NULL, "must be exactly %zu hex digits (0-9, a-f)", nbytes * 2);
        return -1;
    }
    return 1;
}

/* Levenshtein distance, small strings only (for "did you mean"). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t d[64 + 1];
    for (size_t j = 0; j <= lb; j++)
        d[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = d[0];
        d[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = d[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev + cost;
            if (d[j] + 1 < best)
                best = d[j] + 1;
            if (d[j - 1] + 1 < best)
                best = d[j - 1] + 1;
            d[j] = best;
            prev = cur;
        }
    }
    return d[lb];
}

static int check_unknown(g5_cfg *c, g5_ynode *n, const char *const *known)
{
    int count = 0;
    if (!n)
        return 0;
    for (size_t i = 0; i < n->n; i++) {
        g5_ynode *ch = n->items[i];
        if (n->type == G5_YAML_MAP && !ch->used) {
            /* Suggest the closest used sibling key, or one from `known`. */
            const char *best = NULL;
            size_t bestd = 3;
            for (size_t j = 0; j < n->n; j++) {
                if (!n->items[j]->used)
                    continue;
                size_t dd = edit_distance(ch->key, n->items[j]->key);
                if (dd < bestd) {
                    bestd = dd;
                    best = n->items[j]->key;
                }
            }
            for (int k = 0; known && known[k]; k++) {
                size_t dd = edit_distance(ch->key, known[k]);
                if (dd < bestd) {
                    bestd = dd;
                    best = known[k];
                }
            }
            /* Point at the key, not its value. */
            int line = ch->line, col = ch->col;
            ch->line = ch->key_line;
            ch->col = ch->key_col;
            if (best)
                g5_cfg_error(c, ch, NULL, "unknown key; did you mean '%s'?", best);
            else
                g5_cfg_error(c, ch, NULL, "unknown key; remove it (see docs/configuration.md)");
            ch->line = line;
            ch->col = col;
            count++;
            continue;
        }
        if (ch->used || n->type == G5_YAML_SEQ)
            count += check_unknown(c, ch, known);
    }
    return count;
}

int g5_cfg_check_unknown(g5_cfg *c, g5_ynode *map, const char *const *known)
{
    return check_unknown(c, map, known);
}
