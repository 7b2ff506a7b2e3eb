/* `glass5g auth vector|resync`: 5G AKA authentication vectors and AUTS re-synchronisation
 * for operators testing SIMs and cores (in the spirit of osmo-auc-gen). MILENAGE per
 * TS 35.206, keys per TS 33.501 Annex A, resync per TS 33.102 §6.3.5. The output prints
 * keys because that is what it is for; error messages never print K, OP or OPc. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cli/cli.h"
#include "cli/crypto_cli.h"
#include "core/hex.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
    fprintf(f,
            "usage: glass5g auth vector --k HEX (--opc HEX | --op HEX) [--rand HEX] --sqn HEX\n"
            "                           --amf HEX --snn NAME [--supi imsi-DIGITS [--abba HEX]]\n"
            "       glass5g auth resync --k HEX (--opc HEX | --op HEX) --rand HEX --auts HEX\n"
            "       glass5g auth auts --k HEX (--opc HEX | --op HEX) --rand HEX --sqn-ms HEX\n"
            "\n"
            "vector  prints a 5G AKA authentication vector as JSON: MILENAGE outputs (TS 35.206),\n"
            "        AUTN, XRES*, HXRES*, KAUSF, KSEAF (TS 33.501 A.2-A.6) and, with --supi,\n"
            "        KAMF (A.7; ABBA defaults to 0000). Without --rand a random RAND is drawn.\n"
            "        --snn is the serving network name, e.g. 5G:mnc001.mcc001.3gppnetwork.org\n"
            "resync  checks AUTS (MAC-S) and prints the SQN_MS it carries (TS 33.102 6.3.5);\n"
            "        exit status 1 if MAC-S does not verify.\n"
            "auts    the USIM side of a synchronisation failure: prints the AUTS for SQN_MS\n"
            "        (TS 33.102 6.3.3), e.g. to test resync.\n"
            "Sizes: K, OP, OPc, RAND 16 bytes; SQN 6; AMF 2; AUTS 14; ABBA 2 or more.\n"
            "Exit status: 0 ok, 1 operation failed, 2 usage error.\n");
}

/* K and OPc from the options (OPc computed from OP if given). */
static int load_k_opc(const char *cmd, const crypto_opt *o, size_t n, uint8_t k[16],
                      uint8_t opc[16])
{
    const char *opc_s = crypto_cli_get(o, n, "opc"), *op_s = crypto_cli_get(o, n, "op");
    if (crypto_cli_hex(cmd, "k", crypto_cli_get(o, n, "k"), k, 16))
        return -1;
    if (!!opc_s == !!op_s) {
        fprintf(stderr, "%s: give exactly one of --opc and --op\n", cmd);
        return -1;
    }
    if (opc_s)
        return crypto_cli_hex(cmd, "opc", opc_s, opc, 16);
    uint8_t op[16];
    int rc = crypto_cli_hex(cmd, "op", op_s, op, 16);
    if (!rc && g5_milenage_opc(k, op, opc)) {
        fprintf(stderr, "%s: computing OPc failed\n", cmd);
        rc = -1;
    }
    OPENSSL_cleanse(op, sizeof op);
    return rc;
}

/* "imsi-<5..15 digits>" -> the digits (the SUPI value of TS 33.501 A.7.0). */
static const char *supi_digits(const char *supi)
{
    if (!supi || strncmp(supi, "imsi-", 5) != 0)
        return NULL;
    size_t n = strlen(supi + 5);
    if (n < 6 || n > 15 || strspn(supi + 5, "0123456789") != n)
        return NULL;
    return supi + 5;
}

typedef struct vector_keys {
    uint8_t k[16], opc[16], rand[16], sqn[6], amf[2], abba[16];
    size_t abba_len;
    g5_milenage_av av;
    uint8_t xres_star[16], hxres_star[16], kausf[32], kseaf[32], kamf[32], sqn_ak[6];
} vector_keys;

static json_t *vector_json(const vector_keys *v, const char *snn, const char *supi)
{
    json_t *o = json_object();
    crypto_cli_json_hex(o, "rand", v->rand, 16);
    crypto_cli_json_hex(o, "autn", v->av.autn, 16);
    crypto_cli_json_hex(o, "sqn", v->sqn, 6);
    crypto_cli_json_hex(o, "amf", v->amf, 2);
    crypto_cli_json_hex(o, "mac_a", v->av.autn + 8, 8);
    crypto_cli_json_hex(o, "xres", v->av.xres, 8);
    crypto_cli_json_hex(o, "ck", v->av.ck, 16);
    crypto_cli_json_hex(o, "ik", v->av.ik, 16);
    crypto_cli_json_hex(o, "ak", v->av.ak, 6);
    crypto_cli_json_hex(o, "opc", v->opc, 16);
    json_object_set_new(o, "snn", json_string(snn));
    crypto_cli_json_hex(o, "xres_star", v->xres_star, 16);
    crypto_cli_json_hex(o, "hxres_star", v->hxres_star, 16);
    crypto_cli_json_hex(o, "kausf", v->kausf, 32);
    crypto_cli_json_hex(o, "kseaf", v->kseaf, 32);
    if (supi) {
        json_object_set_new(o, "supi", json_string(supi));
        crypto_cli_json_hex(o, "abba", v->abba, v->abba_len);
        crypto_cli_json_hex(o, "kamf", v->kamf, 32);
    }
    return o;
}

static int derive_vector(vector_keys *v, const char *snn, const char *supi)
{
    if (g5_milenage_generate(v->k, v->opc, v->rand, v->sqn, v->amf, &v->av))
        return -1;
    for (int i = 0; i < 6; i++)
        v->sqn_ak[i] = v->sqn[i] ^ v->av.ak[i];
    if (g5_kdf_res_star(v->av.ck, v->av.ik, snn, v->rand, v->av.xres, 8, v->xres_star) ||
        g5_kdf_hres_star(v->rand, v->xres_star, v->hxres_star) ||
        g5_kdf_kausf(v->av.ck, v->av.ik, snn, v->sqn_ak, v->kausf) ||
        g5_kdf_kseaf(v->kausf, snn, v->kseaf))
        return -1;
    if (supi && g5_kdf_kamf(v->kseaf, supi_digits(supi), v->abba, v->abba_len, v->kamf))
        return -1;
    return 0;
}

static int auth_vector(int argc, char **argv)
{
    const char *cmd = "glass5g auth vector";
    crypto_opt o[] = {{"k", NULL},   {"opc", NULL}, {"op", NULL},   {"rand", NULL}, {"sqn", NULL},
                      {"amf", NULL}, {"snn", NULL}, {"supi", NULL}, {"abba", NULL}};
    const char *pos[1];
    size_t npos;
    static vector_keys v; /* static: keys off the stack, wiped below */
    memset(&v, 0, sizeof v);
    int rc = G5_EXIT_USAGE;
    const char *snn = NULL;
    if (crypto_cli_parse(cmd, argc, argv, 2, o, NOPTS(o), pos, 0, &npos) ||
        load_k_opc(cmd, o, NOPTS(o), v.k, v.opc) ||
        crypto_cli_hex(cmd, "sqn", crypto_cli_get(o, NOPTS(o), "sqn"), v.sqn, 6) ||
        crypto_cli_hex(cmd, "amf", crypto_cli_get(o, NOPTS(o), "amf"), v.amf, 2))
        goto out;
    snn = crypto_cli_get(o, NOPTS(o), "snn");
    const char *rand_s = crypto_cli_get(o, NOPTS(o), "rand"),
               *supi = crypto_cli_get(o, NOPTS(o), "supi"),
               *abba = crypto_cli_get(o, NOPTS(o), "abba");
    if (rand_s ? crypto_cli_hex(cmd, "rand", rand_s, v.rand, 16)
               : RAND_bytes(v.rand, sizeof v.rand) != 1)
        goto out;
    if (!snn || !*snn || strlen(snn) > 255) {
        fprintf(stderr, "%s: --snn NAME is required (e.g. 5G:mnc001.mcc001.3gppnetwork.org)\n",
                cmd);
        goto out;
    }
    if (supi && !supi_digits(supi)) {
        fprintf(stderr, "%s: --supi must be imsi-<6..15 digits>\n", cmd);
        goto out;
    }
    if (abba && !supi) {
        fprintf(stderr, "%s: --abba is only used with --supi\n", cmd);
        goto out;
    }
    int n = abba ? g5_hex_decode(abba, v.abba, sizeof v.abba) : 2; /* default ABBA 0x0000 */
    if (n < 2) {
        fprintf(stderr, "%s: --abba must be 2 to 16 bytes of hex\n", cmd);
        goto out;
    }
    v.abba_len = (size_t)n;
    rc = G5_EXIT_FAIL;
    if (derive_vector(&v, snn, supi)) {
        fprintf(stderr, "%s: key derivation failed\n", cmd);
        goto out;
    }
    rc = crypto_cli_print_json(vector_json(&v, snn, supi)) ? G5_EXIT_FAIL : G5_EXIT_OK;
out:
    OPENSSL_cleanse(&v, sizeof v);
    return rc;
}

static int auth_resync(int argc, char **argv)
{
    const char *cmd = "glass5g auth resync";
    crypto_opt o[] = {{"k", NULL}, {"opc", NULL}, {"op", NULL}, {"rand", NULL}, {"auts", NULL}};
    const char *pos[1];
    size_t npos;
    uint8_t k[16], opc[16], rand[16], auts[14], sqn_ms[6];
    int rc = G5_EXIT_USAGE;
    if (crypto_cli_parse(cmd, argc, argv, 2, o, NOPTS(o), pos, 0, &npos) ||
        load_k_opc(cmd, o, NOPTS(o), k, opc) ||
        crypto_cli_hex(cmd, "rand", crypto_cli_get(o, NOPTS(o), "rand"), rand, 16) ||
        crypto_cli_hex(cmd, "auts", crypto_cli_get(o, NOPTS(o), "auts"), auts, 14))
        goto out;
    if (g5_milenage_resync(k, opc, rand, auts, sqn_ms)) {
        fprintf(stderr,
                "%s: MAC-S check failed: AUTS does not verify with this K/OPc and "
                "RAND\n",
                cmd);
        rc = G5_EXIT_FAIL;
        goto out;
    }
    json_t *j = json_object();
    crypto_cli_json_hex(j, "rand", rand, 16);
    crypto_cli_json_hex(j, "auts", auts, 14);
    crypto_cli_json_hex(j, "sqn_ms", sqn_ms, 6);
    json_object_set_new(j, "mac_s", json_string("ok"));
    rc = crypto_cli_print_json(j) ? G5_EXIT_FAIL : G5_EXIT_OK;
out:
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(opc, sizeof opc);
    return rc;
}

static int auth_auts(int argc, char **argv)
{
    const char *cmd = "glass5g auth auts";
    crypto_opt o[] = {{"k", NULL}, {"opc", NULL}, {"op", NULL}, {"rand", NULL}, {"sqn-ms", NULL}};
    const char *pos[1];
    size_t npos;
    uint8_t k[16], opc[16], rand[16], sqn_ms[6], auts[14];
    int rc = G5_EXIT_USAGE;
    if (crypto_cli_parse(cmd, argc, argv, 2, o, NOPTS(o), pos, 0, &npos) ||
        load_k_opc(cmd, o, NOPTS(o), k, opc) ||
        crypto_cli_hex(cmd, "rand", crypto_cli_get(o, NOPTS(o), "rand"), rand, 16) ||
        crypto_cli_hex(cmd, "sqn-ms", crypto_cli_get(o, NOPTS(o), "sqn-ms"), sqn_ms, 6))
        goto out;
    rc = G5_EXIT_FAIL;
    if (g5_milenage_auts(k, opc, rand, sqn_ms, auts)) {
        fprintf(stderr, "%s: AUTS computation failed\n", cmd);
        goto out;
    }
    json_t *j = json_object();
    crypto_cli_json_hex(j, "rand", rand, 16);
    crypto_cli_json_hex(j, "sqn_ms", sqn_ms, 6);
    crypto_cli_json_hex(j, "auts", auts, 14);
    rc = crypto_cli_print_json(j) ? G5_EXIT_FAIL : G5_EXIT_OK;
out:
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(opc, sizeof opc);
    return rc;
}

int cmd_auth(int argc, char **argv)
{
    if (g5_cli_wants_help(argc, argv)) {
        usage(stdout);
        return G5_EXIT_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "vector"))
        return auth_vector(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "resync"))
        return auth_resync(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "auts"))
        return auth_auts(argc, argv);
    usage(stderr);
    return G5_EXIT_USAGE;
}
