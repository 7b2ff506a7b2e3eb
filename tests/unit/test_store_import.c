/* Bulk import: 5,000 CSV rows in one transaction; a bad row in the middle is reported as
 * FILE:LINE: field: problem and leaves the database exactly as it was; YAML lists; SUPIs
 * repeated inside a file; existing SUPIs without and with --replace (which never lowers
 * the SQN). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "store/import.h"
#include "store_test_util.h"

#define ROWS 5000

static void write_csv(const char *path, int rows, int bad_line, const char *bad_row)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "supi,k,opc,amf,sqn,auth,slices,dnns,ambr_ul,ambr_dl,msisdn\n");
    for (int i = 1; i <= rows; i++) {
        if (i + 1 == bad_line) { /* line numbers count the header */
            fprintf(f, "%s\n", bad_row);
            continue;
        }
        fprintf(f,
                "imsi-00101%010d,%s,%s,8000,%d,5g_aka,1;2:000001,internet;ims,1Gbps,2Gbps,49%d\n",
                i, T_K_HEX, T_OPC_HEX, i, i);
    }
    fclose(f);
}

static size_t count(g5_store *st)
{
    g5_subscriber one;
    size_t n, total = 0;
    assert_int_equal(g5_store_sub_list(st, 0, 1, &one, &n, &total), 0);
    return total;
}

static void test_import_5000_rows(void **state)
{
    (void)state;
    t_env e;
    char err[512], path[160];
    t_env_init(&e);
    snprintf(path, sizeof path, "%s/subs.csv", e.dir);
    write_csv(path, ROWS, 0, NULL);
    g5_import imp;
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), 0);
    assert_int_equal(imp.n, ROWS);
    assert_int_equal(imp.lines[0], 2);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_int_equal(g5_store_sub_import(st, imp.subs, imp.n, false, NULL), 0);
    g5_import_free(&imp);
    assert_int_equal(count(st), ROWS);
    g5_subscriber g;
    assert_int_equal(g5_store_sub_get(st, "imsi-001010000004321", &g), 0);
    assert_true(g.sqn == 4321);
    assert_int_equal(g.n_nssai, 2);
    assert_string_equal(g.dnns[1], "ims");
    assert_string_equal(g.msisdn, "494321");
    uint8_t k[16];
    g5_hex_decode_exact(T_K_HEX, k, 16);
    assert_memory_equal(g.k, k, 16);
    g5_store_close(st);
    t_env_free(&e);
}

/* The database file bytes before and after a failed import are identical. */
static void test_bad_row_in_the_middle_writes_nothing(void **state)
{
    (void)state;
    t_env e;
    char err[512], path[160];
    t_env_init(&e);
    g5_store *st = t_open(&e, err, sizeof err);
    g5_subscriber s;
    t_sub(&s, 9999999);
    assert_int_equal(g5_store_sub_put(st, &s), 0);
    g5_store_close(st);
    size_t n0;
    unsigned char *before = t_slurp_db(e.db, &n0);

    snprintf(path, sizeof path, "%s/bad.csv", e.dir);
    write_csv(path, ROWS, 2501,
              "imsi-001010000002500," T_K_HEX ",cd63cb71954a9f4e48a5994e37a02ba,8000,0,5g_aka,"
              "1,internet,1Gbps,2Gbps,");
    g5_import imp;
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), G5_ERR_INVALID);
    assert_non_null(strstr(err, "bad.csv:2501: opc: must be 32 hex digits (16 bytes)"));
    assert_null(strstr(err, "cd63cb71954a9f4e48a5994e37a02ba")); /* no secret echo */
    assert_null(imp.subs);

    /* a row that parses but collides with a stored SUPI: the store rolls back */
    write_csv(path, ROWS, 0, NULL);
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), 0);
    t_sub(&imp.subs[3000], 9999999); /* same SUPI as the stored one */
    st = t_open(&e, err, sizeof err);
    size_t bad = 0;
    assert_int_equal(g5_store_sub_import(st, imp.subs, imp.n, false, &bad), G5_ERR_EXISTS);
    assert_int_equal(bad, 3000);
    assert_int_equal(count(st), 1);
    g5_import_free(&imp);
    g5_store_close(st);

    size_t n1;
    unsigned char *after = t_slurp_db(e.db, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
    t_env_free(&e);
}

static void test_csv_errors_name_line_field_and_fix(void **state)
{
    (void)state;
    t_env e;
    char err[512], path[160];
    t_env_init(&e);
    snprintf(path, sizeof path, "%s/x.csv", e.dir);
    g5_import imp;
    struct {
        const char *text, *want;
    } cases[] = {
        {"supi,k,opc,colour\n", "x.csv:1: header: column 'colour': unknown field"},
        {"k,opc\n", "x.csv:1: header: no 'supi' column"},
        {"", "empty file"},
        {"supi,k,opc\nimsi-001010000000001," T_K_HEX "\n",
         "x.csv:2: has 2 fields but the header has 3"},
        {"supi,k,opc\nimsi-00101000000001," T_K_HEX "," T_OPC_HEX "\n",
         "x.csv:2: supi: must be \"imsi-\" followed by 15 digits"},
        {"supi,k\nimsi-001010000000001," T_K_HEX "\n", "x.csv:2: opc: missing"},
        {"supi,k,opc,slices\n# comment\n\nimsi-001010000000001," T_K_HEX "," T_OPC_HEX ",1;x\n",
         "x.csv:4: slices: 'x' is not a slice"},
        {"supi,k,opc\nimsi-001010000000001," T_K_HEX "," T_OPC_HEX "\nimsi-001010000000001," T_K_HEX
         "," T_OPC_HEX "\n",
         "x.csv:3: supi: imsi-001010000000001 is already on line 2"},
        {"supi,k,opc,dnns\n\"imsi-001010000000001\"," T_K_HEX "," T_OPC_HEX ",\"a b\"\n",
         "x.csv:2: dnn: 'a b' is not a valid DNN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i].text, f);
        fclose(f);
        assert_true(g5_import_file(path, &imp, err, sizeof err) < 0);
        if (!strstr(err, cases[i].want))
            fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].want);
    }
    /* quoting per RFC 4180, CRLF line ends, opc or op per row */
    FILE *f = fopen(path, "w");
    fprintf(f,
            "SUPI, K ,op,dnns,default_dnn\r\n\"imsi-001010000000001\",\"%s\",%s,\"internet,ims\","
            "ims\r\n",
            T_K_HEX, T_OPC_HEX);
    fclose(f);
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), 0);
    assert_int_equal(imp.n, 1);
    assert_int_equal(imp.subs[0].op_kind, G5_OP_IS_OP);
    assert_int_equal(imp.subs[0].n_dnns, 2);
    assert_string_equal(imp.subs[0].default_dnn, "ims");
    g5_import_free(&imp);
    /* the in-memory entry point parses the same */
    static const char mem[] = "supi,k,opc\nimsi-001010000000001," T_K_HEX "," T_OPC_HEX "\n";
    assert_int_equal(g5_import_buffer(mem, strlen(mem), "mem.csv", &imp, err, sizeof err), 0);
    assert_int_equal(imp.n, 1);
    g5_import_free(&imp);
    static const char ymem[] = "- {supi: imsi-001010000000001, k: " T_K_HEX "}\n";
    assert_int_equal(g5_import_buffer(ymem, strlen(ymem), "mem.yaml", &imp, err, sizeof err),
                     G5_ERR_INVALID);
    assert_non_null(strstr(err, "mem.yaml:1: opc: missing"));
    snprintf(path, sizeof path, "%s/x.txt", e.dir);
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), G5_ERR_UNSUPPORTED);
    t_env_free(&e);
}

static void test_yaml_import_and_replace(void **state)
{
    (void)state;
    t_env e;
    char err[512], path[160];
    t_env_init(&e);
    snprintf(path, sizeof path, "%s/subs.yaml", e.dir);
    FILE *f = fopen(path, "w");
    fprintf(f,
            "- supi: imsi-001010000000001\n"
            "  k: %s\n"
            "  opc: %s\n"
            "  sqn: 1000\n"
            "  slices: [1, \"2:000001\", {sst: 3, sd: 0x0000ff}]\n"
            "  dnns: [internet, ims]\n"
            "  ambr_dl: 5Gbps\n"
            "- supi: imsi-001010000000002\n"
            "  k: %s\n"
            "  op: %s\n"
            "  auth: eap_aka_prime\n"
            "  msisdn: \"4915100000002\"\n",
            T_K_HEX, T_OPC_HEX, T_K_HEX, T_OPC_HEX);
    fclose(f);
    g5_import imp;
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), 0);
    assert_int_equal(imp.n, 2);
    assert_int_equal(imp.lines[1], 8);
    assert_int_equal(imp.subs[0].n_nssai, 3);
    assert_int_equal(imp.subs[0].nssai[2].sd, 0xff);
    assert_true(imp.subs[0].ambr_dl == 5000000000ULL);
    assert_int_equal(imp.subs[1].auth_method, G5_AUTH_EAP_AKA_PRIME);
    g5_store *st = t_open(&e, err, sizeof err);
    assert_int_equal(g5_store_sub_import(st, imp.subs, imp.n, false, NULL), 0);
    /* again without replace: duplicates; with replace: overwritten, SQN kept at the max */
    size_t bad = 99;
    assert_int_equal(g5_store_sub_import(st, imp.subs, imp.n, false, &bad), G5_ERR_EXISTS);
    assert_int_equal(bad, 0);
    imp.subs[0].sqn = 5;
    imp.subs[0].ambr_dl = 7;
    assert_int_equal(g5_store_sub_import(st, imp.subs, imp.n, true, NULL), 0);
    g5_subscriber g;
    assert_int_equal(g5_store_sub_get(st, "imsi-001010000000001", &g), 0);
    assert_true(g.sqn == 1000);
    assert_true(g.ambr_dl == 7);
    g5_import_free(&imp);
    g5_store_close(st);

    f = fopen(path, "w");
    fprintf(f, "- supi: imsi-001010000000001\n  k: %s\n  opc: %s\n  slices: [{sst: 1, x: 2}]\n",
            T_K_HEX, T_OPC_HEX);
    fclose(f);
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), G5_ERR_INVALID);
    assert_non_null(strstr(err, "subs.yaml:4: slices: a slice map must be"));
    f = fopen(path, "w");
    fprintf(f, "supi: imsi-001010000000001\n");
    fclose(f);
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), G5_ERR_INVALID);
    assert_non_null(strstr(err, "must be a YAML list"));
    f = fopen(path, "w");
    fprintf(f, "- supi: imsi-001010000000001\n  k: %s\n  opc: %s\n  kk: 1\n", T_K_HEX, T_OPC_HEX);
    fclose(f);
    assert_int_equal(g5_import_file(path, &imp, err, sizeof err), G5_ERR_INVALID);
    assert_non_null(strstr(err, "subs.yaml:4: kk: unknown field"));
    t_env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_5000_rows),
        cmocka_unit_test(test_bad_row_in_the_middle_writes_nothing),
        cmocka_unit_test(test_csv_errors_name_line_field_and_fix),
        cmocka_unit_test(test_yaml_import_and_replace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
