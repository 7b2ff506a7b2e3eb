/* `glass5g suci keygen|conceal|deconceal`: home-network SUCI key pairs and SUPI
 * concealment / de-concealment (TS 33.501 §6.12, Annex C) for operators and tests.
 * Private keys are printed only by keygen (which exists to produce one); error messages
 * never print key material. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/cli.h"
#include "cli/crypto_cli.h"
#include "core/err.h"
#include "crypto/suci.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
    fprintf(
        f, "usage: glass5g suci keygen --profile A|B\n"
           "       glass5g suci conceal --supi imsi-DIGITS --profile null|A|B [--hn-pub HEX]\n"
           "                            [--hn-key-id N] [--routing-indicator R] [--mnc-len 2|3]\n"
           "                            [--ephemeral-key HEX]\n"
           "       glass5g suci deconceal [--hn-priv HEX] [--profile A|B] SUCI\n"
           "\n"
           "keygen     prints a fresh home network key pair as JSON {profile, private_key,\n"
           "           public_key}; Profile A = X25519 (32-byte public key), Profile B =\n"
           "           secp256r1 (33-byte compressed public key).\n"
           "conceal    prints the SUCI string suci-0-MCC-MNC-RI-SCHEME-KEYID-OUTPUT for the\n"
           "           SUPI. --hn-pub and --hn-key-id (0..255) are required for A and B;\n"
           "           --mnc-len says how many IMSI digits after the MCC are the MNC (default 2);\n"
           "           --routing-indicator defaults to 0; --ephemeral-key fixes the ephemeral\n"
           "           private key (for reproducing test vectors only).\n"
           "deconceal  prints the SUPI (imsi-DIGITS) of a SUCI string. --hn-priv is needed for\n"
           "           Profile A/B; --profile, if given, must match the SUCI's scheme.\n"
           "Exit status: 0 ok, 1 operation failed (bad MAC, invalid point, malformed SUCI),\n"
           "2 usage error.\n");
}

/* "null" | "A" | "B" (also 0/1/2, a/b) -> scheme id, or -1. */
static int parse_profile(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "null") || !strcmp(s, "0"))
        return G5_SUCI_NULL;
    if (!strcmp(s, "A") || !strcmp(s, "a") || !strcmp(s, "1"))
        return G5_SUCI_PROFILE_A;
    if (!strcmp(s, "B") || !strcmp(s, "b") || !strcmp(s, "2"))
        return G5_SUCI_PROFILE_B;
    return -1;
}

static int suci_keygen(int argc, char **argv)
{
    const char *cmd = "glass5g suci keygen";
    crypto_opt o[] = {{"profile", NULL}};
    const char *pos[1];
    size_t npos;
    if (crypto_cli_parse(cmd, argc, argv, 2, o, NOPTS(o), pos, 0, &npos))
        return G5_EXIT_USAGE;
    int scheme = parse_profile(o[0].value);
    if (scheme != G5_SUCI_PROFILE_A && scheme != G5_SUCI_PROFILE_B) {
        fprintf(stderr, "%s: --profile A or B is required\n", cmd);
        return G5_EXIT_USAGE;
    }
    uint8_t priv[G5_SUCI_PRIV_LEN], pub[G5_SUCI_PUB_MAX];
    if (g5_suci_keygen(scheme, priv, pub)) {
        fprintf(stderr, "%s: key generation failed\n", cmd);
        return G5_EXIT_FAIL;
    }
    json_t *j = json_object();
    json_object_set_new(j, "profile", json_string(scheme == G5_SUCI_PROFILE_A ? "A" : "B"));
    crypto_cli_json_hex(j, "private_key", priv, sizeof priv);
    crypto_cli_json_hex(j, "public_key", pub, g5_suci_pub_len(scheme));
    OPENSSL_cleanse(priv, sizeof priv);
    return crypto_cli_print_json(j) ? G5_EXIT_FAIL : G5_EXIT_OK;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    if (!s || !*s || strlen(s) > 3 || strspn(s, "0123456789") != strlen(s))
        return -1;
    unsigned v = (unsigned)strtoul(s, NULL, 10);
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* Reads the A/B-specific conceal options; returns 0 or prints and returns -1. */
static int conceal_keys(const char *cmd, const crypto_opt *o, size_t n, int scheme,
                        uint8_t hn_pub[G5_SUCI_PUB_MAX], unsigned *key_id, uint8_t eph[32],
                        int *have_eph)
{
    if (parse_uint(crypto_cli_get(o, n, "hn-key-id"), 255, key_id)) {
        fprintf(stderr, "%s: --hn-key-id N (0..255) is required for Profile A/B\n", cmd);
        return -1;
    }
    if (crypto_cli_hex(cmd, "hn-pub", crypto_cli_get(o, n, "hn-pub"), hn_pub,
                       g5_suci_pub_len(scheme)))
        return -1;
    const char *e = crypto_cli_get(o, n, "ephemeral-key");
    *have_eph = e != NULL;
    return e ? crypto_cli_hex(cmd, "ephemeral-key", e, eph, 32) : 0;
}

static int suci_conceal(int argc, char **argv)
{
    const char *cmd = "glass5g suci conceal";
    crypto_opt o[] = {{"supi", NULL},         {"profile", NULL}, {"hn-pub", NULL},
                      {"hn-key-id", NULL},    {"mnc-len", NULL}, {"routing-indicator", NULL},
                      {"ephemeral-key", NULL}};
    const char *pos[1];
    size_t npos;
    if (crypto_cli_parse(cmd, argc, argv, 2, o, NOPTS(o), pos, 0, &npos))
        return G5_EXIT_USAGE;
    int scheme = parse_profile(crypto_cli_get(o, NOPTS(o), "profile"));
    const char *mnc_len = crypto_cli_get(o, NOPTS(o), "mnc-len");
    int mlen = !mnc_len ? 2 : !strcmp(mnc_len, "2") ? 2 : !strcmp(mnc_len, "3") ? 3 : 0;
    g5_supi supi;
    if (scheme < 0) {
        fprintf(stderr, "%s: --profile null, A or B is required\n", cmd);
        return G5_EXIT_USAGE;
    }
    if (!mlen) {
        fprintf(stderr, "%s: --mnc-len must be 2 or 3\n", cmd);
        return G5_EXIT_USAGE;
    }
    if (g5_supi_parse(crypto_cli_get(o, NOPTS(o), "supi"), mlen, &supi)) {
        fprintf(stderr, "%s: --supi imsi-DIGITS is required (MCC, MNC, MSIN; at most 15)\n", cmd);
        return G5_EXIT_USAGE;
    }
    uint8_t hn_pub[G5_SUCI_PUB_MAX] = {0}, eph[32];
    unsigned key_id = 0;
    int have_eph = 0;
    if (scheme != G5_SUCI_NULL &&
        conceal_keys(cmd, o, NOPTS(o), scheme, hn_pub, &key_id, eph, &have_eph))
        return G5_EXIT_USAGE;
    g5_suci suci;
    const char *ri = crypto_cli_get(o, NOPTS(o), "routing-indicator");
    int rc = g5_suci_conceal(&supi, scheme, hn_pub, g5_suci_pub_len(scheme), (uint8_t)key_id, ri,
                             have_eph ? eph : NULL, &suci);
    OPENSSL_cleanse(eph, sizeof eph);
    char str[G5_SUCI_STR_MAX];
    if (!rc)
        rc = g5_suci_format(&suci, str, sizeof str);
    if (rc) {
        fprintf(stderr, "%s: %s\n", cmd,
                rc == G5_ERR_INVALID ? "invalid input (routing indicator must be 1-4 digits; "
                                       "the home network public key must be a valid point)"
                                     : g5_strerror(rc));
        return G5_EXIT_FAIL;
    }
    puts(str);
    return G5_EXIT_OK;
}

static const char *deconceal_error(int rc)
{
    switch (rc) {
    case G5_ERR_CRYPTO: return "MAC tag check failed (wrong home network key or altered SUCI)";
    case G5_ERR_INVALID:
        return "invalid scheme output (ephemeral public key is not a valid point, or the "
               "decrypted MSIN is not BCD digits)";
    case G5_ERR_TRUNCATED: return "scheme output too short (truncated SUCI)";
    case G5_ERR_UNSUPPORTED: return "protection scheme not supported";
    default: return g5_strerror(rc);
    }
}

static int suci_deconceal(int argc, char **argv)
{
    const char *cmd = "glass5g suci deconceal";
    crypto_opt o[] = {{"hn-priv", NULL}, {"profile", NULL}};
    const char *pos[1];
    size_t npos;
    if (crypto_cli_parse(cmd, argc, argv, 2, o, NOPTS(o), pos, 1, &npos))
        return G5_EXIT_USAGE;
    if (npos != 1) {
        fprintf(stderr, "%s: the SUCI string is required\n", cmd);
        return G5_EXIT_USAGE;
    }
    const char *prof = crypto_cli_get(o, NOPTS(o), "profile");
    int want = prof ? parse_profile(prof) : -1;
    if (prof && want != G5_SUCI_PROFILE_A && want != G5_SUCI_PROFILE_B) {
        fprintf(stderr, "%s: --profile must be A or B\n", cmd);
        return G5_EXIT_USAGE;
    }
    g5_suci suci;
    if (g5_suci_parse(pos[0], &suci)) {
        fprintf(stderr, "%s: malformed SUCI (expected suci-0-MCC-MNC-RI-SCHEME-KEYID-OUTPUT)\n",
                cmd);
        return G5_EXIT_FAIL;
    }
    if (prof && suci.scheme != want) {
        fprintf(stderr, "%s: the SUCI uses protection scheme %u, not Profile %s\n", cmd,
                suci.scheme, want == G5_SUCI_PROFILE_A ? "A" : "B");
        return G5_EXIT_FAIL;
    }
    uint8_t priv[G5_SUCI_PRIV_LEN] = {0};
    const char *priv_s = crypto_cli_get(o, NOPTS(o), "hn-priv");
    if (suci.scheme != G5_SUCI_NULL && g5_suci_pub_len(suci.scheme) &&
        crypto_cli_hex(cmd, "hn-priv", priv_s, priv, sizeof priv))
        return G5_EXIT_USAGE;
    g5_supi supi;
    int rc = g5_suci_deconceal(&suci, priv, &supi);
    OPENSSL_cleanse(priv, sizeof priv);
    char out[32];
    if (!rc)
        rc = g5_supi_format(&supi, out, sizeof out);
    if (rc) {
        fprintf(stderr, "%s: %s\n", cmd, deconceal_error(rc));
        return G5_EXIT_FAIL;
    }
    puts(out);
    return G5_EXIT_OK;
}

int cmd_suci(int argc, char **argv)
{
    if (g5_cli_wants_help(argc, argv)) {
        usage(stdout);
        return G5_EXIT_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "keygen"))
        return suci_keygen(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "conceal"))
        return suci_conceal(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "deconceal"))
        return suci_deconceal(argc, argv);
    usage(stderr);
    return G5_EXIT_USAGE;
}
