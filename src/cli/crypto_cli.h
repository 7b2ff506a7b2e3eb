/* Small option parsing shared by `glass5g auth` and `glass5g suci` (crypto_cli.c).
 * Options are "--name VALUE" or "--name=VALUE"; anything not starting with "--" is a
 * positional argument. Error messages name the option, never its value: several of these
 * options carry secret keys (K, OPc, private keys). */
#ifndef G5_CLI_CRYPTO_CLI_H
#define G5_CLI_CRYPTO_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct crypto_opt {
    const char *name; /* without the leading "--" */
    const char *value; /* NULL if absent */
} crypto_opt;

/* Fills opts[i].value from argv[first..]; up to max_pos positionals go to pos. Returns 0,
 * or prints a usage message prefixed by cmd and returns -1. */
int crypto_cli_parse(const char *cmd, int argc, char **argv, int first, crypto_opt *opts,
                     size_t nopts, const char **pos, size_t max_pos, size_t *npos);
/* Value of option name (NULL if absent or unknown). */
const char *crypto_cli_get(const crypto_opt *opts, size_t nopts, const char *name);
/* Decodes exactly n bytes of hex from option `name`; on error prints which option is wrong
 * (not its value) and returns -1. */
int crypto_cli_hex(const char *cmd, const char *name, const char *value, uint8_t *out, size_t n);
/* Adds key: lower-case hex of n bytes to a JSON object. */
void crypto_cli_json_hex(json_t *o, const char *key, const uint8_t *p, size_t n);
/* Prints o (indented, keys in insertion order) on stdout and frees it; 0 or -1. */
int crypto_cli_print_json(json_t *o);

#endif
