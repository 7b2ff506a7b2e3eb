/* Simulator configuration: the example file loads; every bad value is reported with
 * file:line:col, the field and the fix; unknown keys get "did you mean"; K/OP/OPc never
 * appear in any message; overlapping UE templates are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim/sim.h"

static sim_config cfg;

static int load(const char *yaml, char *errout, size_t cap)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sim_config_defaults(&cfg);
    int rc = sim_config_load_string(&cfg, yaml, "sim.yaml", f);
    fclose(f);
    snprintf(errout, cap, "%s", buf ? buf : "");
    free(buf);
    return rc;
}

static void test_example_file_loads(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sim_config_defaults(&cfg);
    int rc = sim_config_load(&cfg, G5_SOURCE_DIR "/config/sim.yaml", f);
    fclose(f);
    if (rc)
        fail_msg("config/sim.yaml: %s", buf);
    free(buf);
    assert_string_equal(cfg.gnb.mcc, "001");
    assert_int_equal(cfg.gnb.id_length, 32);
    assert_true(cfg.nue >= 1);
    assert_int_equal(cfg.ue[0].supi_digits, 15);
}

static void test_full_template(void **state)
{
    (void)state;
    char err[2048];
    int rc =
        load("gnb:\n"
             "  mcc: \"999\"\n  mnc: \"70\"\n  nci: 0x000000010\n  id_length: 24\n"
             "  tac: 0x000001\n  slices: [{sst: 1}, {sst: 2, sd: 0x000001}]\n"
             "  amf_addresses: [{address: 10.0.0.1, port: 38413}, {address: 10.0.0.2}]\n"
             "  n2: {address: 10.0.0.9, sctp: usrsctp, usrsctp_udp_port: 9900}\n"
             "  n3: {address: 10.0.1.9}\n"
             "ue:\n  supi: imsi-999700000000001\n  count: 5000\n"
             "  key: 465B5CE8B199B49FAA5F0A2EE238A6BC\n"
             "  op: E8ED289DEBA952E4283B54E88E6183CA\n  amf: \"8000\"\n  sqn: 0x21\n"
             "  protection_scheme: A\n  hn_key_id: 1\n"
             "  hn_public_key: 5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650\n"
             "  routing_indicator: \"1234\"\n  dnn: ims\n  session_type: ipv4v6\n"
             "  imei: \"356938035643809\"\n  imeisv: \"4370816125816151\"\n"
             "faults:\n  - {at_step: echo.request, action: drop, probability: 0.25,"
             " ues: {first: 10, count: 5}, max_hits: 3}\n"
             "ctl: {path: /tmp/x.sock}\n",
             err, sizeof err);
    assert_string_equal(err, "");
    assert_int_equal(rc, 0);
    assert_int_equal(cfg.gnb.nci, 0x10);
    assert_int_equal(cfg.gnb.namf, 2);
    assert_int_equal(cfg.gnb.amf[1].port, 38412);
    assert_int_equal(cfg.gnb.sctp_backend, SIM_SCTP_USRSCTP);
    assert_int_equal(cfg.ue[0].supi_first, 999700000000001ull);
    assert_int_equal(cfg.ue[0].count, 5000);
    assert_false(cfg.ue[0].op_is_opc);
    assert_int_equal(cfg.ue[0].op[0], 0xE8);
    assert_int_equal(cfg.ue[0].protection_scheme, SIM_PROT_A);
    assert_int_equal(cfg.ue[0].hn_public_key_len, 32);
    assert_int_equal(cfg.ue[0].session_type, SIM_SESS_IPV4V6);
    assert_int_equal(cfg.faults.n, 1);
    assert_int_equal(cfg.faults.rule[0].action, SIM_FAULT_DROP);
    assert_int_equal(cfg.faults.rule[0].ue_first, 10);
    assert_int_equal(cfg.faults.rule[0].max_hits, 3);
    assert_string_equal(cfg.ctl_path, "/tmp/x.sock");
}

static void test_errors_name_file_line_field_fix(void **state)
{
    (void)state;
    char err[4096];
    assert_int_equal(
        load("gnb:\n  nci: 0x1000000000\n  id_length: 40\n  mcc: \"1\"\n", err, sizeof err),
        G5_ERR_CONFIG);
    assert_non_null(strstr(err, "sim.yaml:2:8: gnb.nci:"));
    assert_non_null(strstr(err, "sim.yaml:3:14: gnb.id_length:"));
    assert_non_null(strstr(err, "gnb.mcc: must be 3 digits"));
    assert_int_equal(load("ue:\n  supi: imsi-12ab\n  session_type: ip\n", err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "sim.yaml:2:9: ue.supi: 'imsi-12ab' is not an IMSI SUPI"));
    assert_non_null(strstr(err, "ue.session_type"));
    assert_int_equal(load("ue: {supi: imsi-999999999999999, count: 2}\n", err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "ue.count: 2 UEs from this SUPI run past 15 digits"));
    assert_int_equal(load("ue: {protection_scheme: ~}\n", err, sizeof err), 0);
    assert_int_equal(cfg.ue[0].protection_scheme, SIM_PROT_NULL);
    assert_int_equal(load("ue: {protection_scheme: 2, hn_public_key: 02"
                          "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650}\n",
                          err, sizeof err),
                     0);
    assert_int_equal(cfg.ue[0].protection_scheme, SIM_PROT_B); /* UERANSIM's numbering */
    assert_int_equal(cfg.ue[0].hn_public_key_len, 33);
    assert_int_equal(load("ue: {protection_scheme: C}\n", err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "'C' is not a SUCI protection scheme"));
    assert_int_equal(load("ue: {protection_scheme: B}\n", err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "ue.hn_public_key: is required with protection_scheme B"));
    assert_int_equal(
        load("faults: [{at_step: nodot, action: drop, probability: 1.5}]\n", err, sizeof err),
        G5_ERR_CONFIG);
    assert_non_null(strstr(err, "faults[0].probability: '1.5' is not a probability"));
    assert_int_equal(load("faults: [{at_step: nodot, action: explode}]\n", err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "faults[0].action"));
}

static void test_unknown_keys_did_you_mean(void **state)
{
    (void)state;
    char err[2048];
    assert_int_equal(load("gnb:\n  tacc: 1\nue:\n  supi: imsi-001010000000001\n  cout: 3\n"
                          "uee: {}\n",
                          err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "sim.yaml:2:3: gnb.tacc: unknown key; did you mean 'tac'?"));
    assert_non_null(strstr(err, "ue.cout: unknown key; did you mean 'count'?"));
    assert_non_null(strstr(err, "sim.yaml:6:1: uee: unknown key; did you mean 'ue'?"));
}

static void test_secrets_never_printed(void **state)
{
    (void)state;
    char err[2048];
    /* 31 hex digits (one short) and a non-hex character: both invalid, neither echoed. */
    assert_int_equal(load("ue:\n  key: 465B5CE8B199B49FAA5F0A2EE238A6B\n"
                          "  opc: CD63CB71954A9F4E48A5994E37A02BAZ\n",
                          err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "sim.yaml:2:8: ue.key: must be exactly 32 hex digits"));
    assert_non_null(strstr(err, "ue.opc: must be exactly 32 hex digits"));
    assert_null(strstr(err, "465B5CE8"));
    assert_null(strstr(err, "CD63CB71"));
    assert_int_equal(load("ue:\n  op: E8ED289DEBA952E4283B54E88E6183CA\n"
                          "  opc: CD63CB71954A9F4E48A5994E37A02BAF\n",
                          err, sizeof err),
                     G5_ERR_CONFIG);
    assert_non_null(strstr(err, "give either op or opc, not both"));
    assert_null(strstr(err, "E8ED289D"));
    assert_null(strstr(err, "CD63CB71"));
    sim_config_wipe(&cfg);
    for (int i = 0; i < 16; i++)
        assert_int_equal(cfg.ue[0].key[i] | cfg.ue[0].op[i], 0);
}

static void test_templates_and_overlap(void **state)
{
    (void)state;
    char err[2048];
    assert_int_equal(load("ues:\n  - {supi: imsi-001010000000001, count: 10}\n"
                          "  - {supi: imsi-001010000000100, count: 5, dnn: ims}\n",
                          err, sizeof err),
                     0);
    assert_int_equal(cfg.nue, 2);
    assert_int_equal(sim_config_ue_total(&cfg), 15);
    sim_pop pop;
    assert_int_equal(sim_pop_build(&pop, &cfg, 0), 0);
    assert_int_equal(pop.n, 15);
    char supi[32];
    assert_string_equal(sim_ue_supi_str(&pop, &pop.ues[10], supi, sizeof supi),
                        "imsi-001010000000100");
    assert_int_equal(pop.ues[12].group, 1);
    sim_pop_free(&pop);
    assert_int_equal(load("ues:\n  - {supi: imsi-001010000000001, count: 10}\n"
                          "  - {supi: imsi-001010000000005, count: 5}\n",
                          err, sizeof err),
                     0);
    assert_int_equal(sim_pop_build(&pop, &cfg, 0), G5_ERR_EXISTS);
    assert_int_equal(load("ue: {}\nues: []\n", err, sizeof err), G5_ERR_CONFIG);
    assert_non_null(strstr(err, "give either ue: (one template) or ues: (a list)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_file_loads),
        cmocka_unit_test(test_full_template),
        cmocka_unit_test(test_errors_name_file_line_field_fix),
        cmocka_unit_test(test_unknown_keys_did_you_mean),
        cmocka_unit_test(test_secrets_never_printed),
        cmocka_unit_test(test_templates_and_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
