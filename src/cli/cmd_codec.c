/* `glass5g decode PROTO HEX` and `glass5g encode PROTO < JSON`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/codec_json.h"
#include "core/err.h"
#include "core/hex.h"

#define MAX_MSG (1u << 20)

static const struct proto {
    const char *name;
    g5_json_decode_fn dec;
    g5_json_encode_fn enc;
} protos[] = {
    {"nas", g5_nas_decode_json, g5_nas_encode_json},
    {"ngap", g5_ngap_decode_json, g5_ngap_encode_json},
    {"pfcp", g5_pfcp_decode_json, g5_pfcp_encode_json},
    {"gtpu", g5_gtpu_decode_json, g5_gtpu_encode_json},
};

static const struct proto *find(const char *name)
{
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (!strcmp(protos[i].name, name))
            return &protos[i];
    return NULL;
}

/* Reads all of stdin (bounded). */
static char *read_stdin(size_t limit)
{
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= limit) {
                free(b);
                return NULL;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return NULL;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + len, 1, cap - len - 1, stdin);
        if (!got)
            break;
        len += got;
    }
    b[len] = 0;
    return b;
}

int cmd_decode(int argc, char **argv)
{
    if (g5_cli_wants_help(argc, argv) || argc != 3 || !find(argv[1])) {
        FILE *f = g5_cli_wants_help(argc, argv) ? stdout : stderr;
        fprintf(f, "usage: glass5g decode nas|ngap|pfcp|gtpu HEX\n"
                   "Decodes one message given as hex (use - to read the hex from stdin) and\n"
                   "prints it as JSON. Exit 1 if the bytes are not a valid message.\n");
        return f == stdout ? G5_EXIT_OK : G5_EXIT_USAGE;
    }
    const struct proto *pr = find(argv[1]);
    char *text = strcmp(argv[2], "-") ? strdup(argv[2]) : read_stdin(4 * MAX_MSG);
    uint8_t *bytes = malloc(MAX_MSG);
    if (!text || !bytes) {
        fprintf(stderr, "glass5g decode: out of memory or input too large\n");
        free(text);
        free(bytes);
        return G5_EXIT_FAIL;
    }
    int n = g5_hex_decode(text, bytes, MAX_MSG);
    free(text);
    if (n < 0) {
        fprintf(stderr, "glass5g decode: HEX is not valid hex (%s)\n", g5_strerror(n));
        free(bytes);
        return G5_EXIT_USAGE;
    }
    json_t *j = NULL;
    char err[256] = "";
    int rc = pr->dec(bytes, (size_t)n, &j, err, sizeof err);
    free(bytes);
    if (rc < 0) {
        fprintf(stderr, "glass5g decode %s: %s\n", pr->name, err[0] ? err : g5_strerror(rc));
        return G5_EXIT_FAIL;
    }
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s)
        return G5_EXIT_FAIL;
    printf("%s\n", s);
    free(s);
    return G5_EXIT_OK;
}

int cmd_encode(int argc, char **argv)
{
    if (g5_cli_wants_help(argc, argv) || argc != 2 || !find(argv[1])) {
        FILE *f = g5_cli_wants_help(argc, argv) ? stdout : stderr;
        fprintf(f, "usage: glass5g encode nas|ngap|pfcp|gtpu < message.json\n"
                   "Reads one message as JSON (the form 'glass5g decode' prints) on stdin\n"
                   "and prints its encoding as hex.\n");
        return f == stdout ? G5_EXIT_OK : G5_EXIT_USAGE;
    }
    const struct proto *pr = find(argv[1]);
    json_error_t jerr;
    json_t *j = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        fprintf(stderr, "glass5g encode: stdin:%d:%d: %s\n", jerr.line, jerr.column, jerr.text);
        return G5_EXIT_USAGE;
    }
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, MAX_MSG);
    char err[256] = "";
    int rc = pr->enc(j, &w, err, sizeof err);
    json_decref(j);
    if (rc < 0) {
        fprintf(stderr, "glass5g encode %s: %s\n", pr->name, err[0] ? err : g5_strerror(rc));
        g5_wbuf_free(&w);
        return G5_EXIT_FAIL;
    }
    char *hex = malloc(w.len * 2 + 1);
    if (!hex) {
        g5_wbuf_free(&w);
        return G5_EXIT_FAIL;
    }
    g5_hex_encode(w.p, w.len, hex);
    printf("%s\n", hex);
    free(hex);
    g5_wbuf_free(&w);
    return G5_EXIT_OK;
}
