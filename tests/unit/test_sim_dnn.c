/* glass5g-sim: the DNN / S-NSSAI / session type chosen per PDU session: the sim config's
 * ues[].sessions list and its errors, DNN syntax (TS 23.003 §9.1). The control request
 * (`cli ps-establish --dnn/--sst/--sd/--type`) and the end-to-end behaviour (own pool for a
 * second DNN, #27 for an unknown one) are in tests/integration/test_e2e_dnn.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "sim/sim_config.h"

static void test_dnn_syntax(void **state)
{
    (void)state;
    static const char *const ok[] = {"internet", "ims", "a-b.c1", "ims.mnc001.mcc001.gprs", "9"};
    static const char *const bad[] = {"", ".", "a..b", "a.", ".a", "a b", "a_b", "intérnet"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(sim_dnn_valid(ok[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(sim_dnn_valid(bad[i]));
    char longl[80];
    memset(longl, 'a', 64);
    longl[64] = 0; /* a 64-octet label: too long (63 at most) */
    assert_false(sim_dnn_valid(longl));
    longl[63] = 0;
    assert_true(sim_dnn_valid(longl));
    char longd[120];
    memset(longd, 'a', sizeof longd);
    for (int i = 10; i < 110; i += 10)
        longd[i] = '.';
    longd[100] = 0; /* 100 characters: over the limit */
    assert_false(sim_dnn_valid(longd));
}

static int load(sim_config *cfg, const char *yaml, char *err, size_t cap)
{
    sim_config_defaults(cfg);
    memset(err, 0, cap);
    FILE *f = fmemopen(err, cap, "w");
    int rc = sim_config_load_string(cfg, yaml, "sim.yaml", f);
    fclose(f);
    return rc;
}

static void test_sessions_config(void **state)
{
    (void)state;
    static sim_config cfg;
    char err[2048];
    assert_int_equal(load(&cfg,
                          "ues:\n  - supi: imsi-001010000000001\n    dnn: internet\n"
                          "    sessions:\n      - {dnn: ims, session_type: ipv6, slice: {sst: 2, "
                          "sd: 0x000003}}\n      - {session_type: ipv4}\n",
                          err, sizeof err),
                     0);
    const sim_ue_template *t = &cfg.ue[0];
    assert_int_equal(t->nsessions, 2);
    assert_string_equal(t->sessions[0].dnn, "ims");
    assert_int_equal(t->sessions[0].session_type, SIM_SESS_IPV6);
    assert_true(t->sessions[0].has_slice);
    assert_int_equal(t->sessions[0].slice.sst, 2);
    assert_int_equal(t->sessions[0].slice.sd, 3);
    assert_string_equal(t->sessions[1].dnn, ""); /* = the template's dnn */
    assert_int_equal(t->sessions[1].session_type, SIM_SESS_IPV4);
    assert_false(t->sessions[1].has_slice);

    static const struct {
        const char *yaml, *want;
    } bad[] = {
        {"ues:\n  - dnn: \"bad dnn\"\n", "ues[0].dnn: 'bad dnn' is not a DNN"},
        {"ues:\n  - sessions: [{dnn: \"a..b\"}]\n", "ues[0].sessions[0].dnn: 'a..b' is not a DNN"},
        {"ues:\n  - sessions: []\n", "must list 1 to 4 sessions"},
        {"ues:\n  - sessions: [{dnn: a}, {dnn: b}, {dnn: c}, {dnn: d}, {dnn: e}]\n",
         "must list 1 to 4 sessions"},
        {"ues:\n  - sessions: [ims]\n", "must be a map like {dnn: ims"},
        {"ues:\n  - sessions: [{session_type: ethernet}]\n", "session_type"},
        {"ues:\n  - sessions: [{slice: {sd: 1}}]\n", "sst"},
        {"ues:\n  - sessions: [{dnn: ims, color: red}]\n", "color"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(load(&cfg, bad[i].yaml, err, sizeof err), G5_ERR_CONFIG);
        if (!strstr(err, bad[i].want))
            fail_msg("%s: got '%s', want '%s'", bad[i].yaml, err, bad[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dnn_syntax),
        cmocka_unit_test(test_sessions_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
