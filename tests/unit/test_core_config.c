/* Configuration loading: good files load; every bad value is reported with
 * file:line:col, the field path and the fix; hostile YAML is refused cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/yaml.h"
#include "nf/config.h"

/* Loads yaml, returns rc and the error text printed. */
static int load(const char *yaml, g5_config *cfg, char *errout, size_t cap)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    g5_config_defaults(cfg);
    int rc = g5_config_load_string(cfg, yaml, "t.yaml", f);
    fclose(f);
    snprintf(errout, cap, "%s", buf ? buf : "");
    free(buf);
    return rc;
}

static void test_defaults_and_overrides(void **state)
{
    (void)state;
    g5_config cfg;
    char err[1024];
    assert_int_equal(load("", &cfg, err, sizeof err), 0);
    assert_string_equal(cfg.plmn.mcc, "001");
    assert_int_equal(cfg.amf.n2_port, 38412);
    assert_int_equal(load("plmn: {mcc: \"999\", mnc: \"70\"}\n"
                          "amf:\n  n2: {address: 127.0.0.5, port: 38413, sctp: usrsctp}\n"
                          "  tacs: [1, 2, 0xFFFFFF]\n"
                          "  slices:\n    - {sst: 1}\n    - {sst: 2, sd: 0x000001}\n",
                          &cfg, err, sizeof err),
                     0);
    assert_string_equal(err, "");
    assert_string_equal(cfg.plmn.mcc, "999");
    assert_string_equal(cfg.amf.n2_addr, "127.0.0.5");
    assert_int_equal(cfg.amf.sctp_backend, 2);
    assert_int_equal(cfg.amf.ntacs, 3);
    assert_int_equal(cfg.amf.tacs[2], 0xFFFFFF);
    assert_int_equal(cfg.amf.nslices, 2);
    assert_int_equal(cfg.amf.slices[1].sd, 1);
}

static void test_out_of_range_names_file_line_field_fix(void **state)
{
    (void)state;
    g5_config cfg;
    char err[1024];
    assert_int_equal(load("amf:\n  tacs: [1, 70000000]\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "t.yaml:2:"));
    assert_non_null(strstr(err, "amf.tacs[1]"));
    assert_non_null(strstr(err, "out of range; use an integer from 0 to 16777215"));
}

static void test_wrong_types(void **state)
{
    (void)state;
    g5_config cfg;
    char err[2048];
    assert_int_equal(load("amf:\n  n2:\n    port: eighty\n  tacs: 5\n", &cfg, err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "t.yaml:3:11: amf.n2.port: 'eighty' is not an integer"));
    assert_non_null(strstr(err, "amf.tacs: must be a list"));
    assert_int_equal(load("plmn: [1,2]\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "plmn: must be a map"));
    assert_int_equal(load("- a\n- b\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "must be a map of sections"));
}

static void test_unknown_key_suggests(void **state)
{
    (void)state;
    g5_config cfg;
    char err[1024];
    assert_int_equal(load("amf:\n  tac: [1]\n  tacs: [2]\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "t.yaml:2:3: amf.tac: unknown key; did you mean 'tacs'?"));
    assert_int_equal(load("bogus: 1\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "bogus: unknown key"));
}

static void test_bad_enum_and_plmn_and_missing(void **state)
{
    (void)state;
    g5_config cfg;
    char err[2048];
    assert_int_equal(load("amf: {n2: {sctp: tcp}}\nplmn: {mcc: \"01\", mnc: \"1x\"}\n"
                          "log: {level: loud}\n",
                          &cfg, err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "amf.n2.sctp: 'tcp' is not allowed; use one of: auto, kernel, "
                                "usrsctp"));
    assert_non_null(strstr(err, "plmn.mcc: must be 3 digits"));
    assert_non_null(strstr(err, "plmn.mnc: must be 2 or 3 digits"));
    assert_non_null(strstr(err, "log.level: 'loud' is not allowed"));
    assert_int_equal(load("amf: {slices: [{sd: 1}]}\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "amf.slices[0].sst: is required"));
}

static void test_hostile_yaml(void **state)
{
    (void)state;
    g5_config cfg;
    char err[1024];
    assert_int_equal(load("amf: [\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "t.yaml:"));
    assert_non_null(strstr(err, "YAML syntax error"));
    assert_int_equal(load("a: &x 1\nb: *x\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "aliases"));
    assert_int_equal(load("amf: 1\namf: 2\n", &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "appears twice"));
    /* 100 levels of nesting are refused, not recursed into without bound */
    char deep[512] = "";
    for (int i = 0; i < 100; i++)
        strcat(deep, "[");
    for (int i = 0; i < 100; i++)
        strcat(deep, "]");
    assert_int_equal(load(deep, &cfg, err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "nesting"));
}

static void test_hex_field_never_echoes_value(void **state)
{
    (void)state;
    g5_ydoc doc;
    char msg[256];
    assert_int_equal(g5_yaml_load_string("k: 465b5ce8b199b49faa5f0a2ee238a6bz\n", "s.yaml", &doc,
                                         msg, sizeof msg),
                     0);
    g5_cfg c;
    FILE *devnull = fopen("/dev/null", "w");
    g5_cfg_init(&c, &doc, devnull);
    uint8_t k[16];
    assert_int_equal(g5_cfg_hex(&c, doc.root, "k", true, k, 16), -1);
    assert_null(strstr(c.last, "465b5ce8"));
    assert_non_null(strstr(c.last, "s.yaml:1:4: k: must be exactly 32 hex digits"));
    fclose(devnull);
    g5_yaml_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_overrides),
        cmocka_unit_test(test_out_of_range_names_file_line_field_fix),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_unknown_key_suggests),
        cmocka_unit_test(test_bad_enum_and_plmn_and_missing),
        cmocka_unit_test(test_hostile_yaml),
        cmocka_unit_test(test_hex_field_never_echoes_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
