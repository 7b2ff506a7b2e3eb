/* Option parsing and JSON output helpers for the crypto subcommands; see crypto_cli.h. */
#include "cli/crypto_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/hex.h"

static crypto_opt *find_opt(crypto_opt *opts, size_t nopts, const char *name, size_t len)
{
    for (size_t i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
            return &opts[i];
    return NULL;
}

int crypto_cli_parse(const char *cmd, int argc, char **argv, int first, crypto_opt *opts,
                     size_t nopts, const char **pos, size_t max_pos, size_t *npos)
{
    *npos = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == 0) {
            if (*npos >= max_pos) {
                fprintf(stderr, "%s: unexpected argument (see --help)\n", cmd);
                return -1;
            }
            pos[(*npos)++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        crypto_opt *o = find_opt(opts, nopts, name, len);
        if (!o) {
            fprintf(stderr, "%s: unknown option --%.*s (see --help)\n", cmd, (int)len, name);
            return -1;
        }
        if (o->value) {
            fprintf(stderr, "%s: option --%s given twice\n", cmd, o->name);
            return -1;
        }
        if (eq) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            fprintf(stderr, "%s: option --%s needs a value\n", cmd, o->name);
            return -1;
        }
    }
    return 0;
}

const char *crypto_cli_get(const crypto_opt *opts, size_t nopts, const char *name)
{
    for (size_t i = 0; i < nopts; i++)
        if (!strcmp(opts[i].name, name))
            return opts[i].value;
    return NULL;
}

int crypto_cli_hex(const char *cmd, const char *name, const char *value, uint8_t *out, size_t n)
{
    if (!value) {
        fprintf(stderr, "%s: --%s is required\n", cmd, name);
        return -1;
    }
    if (g5_hex_decode_exact(value, out, n) != (int)n) {
        OPENSSL_cleanse(out, n);
        fprintf(stderr, "%s: --%s must be %zu bytes (%zu hex digits)\n", cmd, name, n, 2 * n);
        return -1;
    }
    return 0;
}

void crypto_cli_json_hex(json_t *o, const char *key, const uint8_t *p, size_t n)
{
    char buf[2 * 128 + 1];
    if (n > 128)
        return;
    g5_hex_encode(p, n, buf);
    json_object_set_new(o, key, json_string(buf));
    OPENSSL_cleanse(buf, sizeof buf);
}

int crypto_cli_print_json(json_t *o)
{
    char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!s) {
        fprintf(stderr, "glass5g: out of memory\n");
        return -1;
    }
    puts(s);
    OPENSSL_cleanse(s, strlen(s));
    free(s);
    return 0;
}
