/* Fault selection: which UEs a rule selects (stored per UE), step matching with wildcards,
 * probability (frequency over many checks, fixed seed), max_hits, and the CLI form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/err.h"
#include "sim/sim.h"

static sim_ue ues[1000];

static void test_selection_by_ue_range(void **state)
{
    (void)state;
    sim_faults f;
    sim_faults_init(&f, 1);
    assert_int_equal(sim_faults_add(&f, "echo.request", SIM_FAULT_DROP, 1.0, 10, 5, 0), 0);
    assert_int_equal(sim_faults_add(&f, "*.auth_response", SIM_FAULT_CORRUPT_MAC, 1.0, 0, 0, 0), 0);
    sim_faults_select(&f, ues, 1000);
    for (uint32_t i = 0; i < 1000; i++) {
        uint16_t want = (uint16_t)(2u | (i >= 10 && i < 15 ? 1u : 0u));
        assert_int_equal(ues[i].fault_mask, want);
        assert_int_equal(sim_fault_check(&f, &ues[i], "echo.request"),
                         i >= 10 && i < 15 ? SIM_FAULT_DROP : SIM_FAULT_NONE);
        assert_int_equal(sim_fault_check(&f, &ues[i], "registration.auth_response"),
                         SIM_FAULT_CORRUPT_MAC);
        assert_int_equal(sim_fault_check(&f, &ues[i], "registration.smc_complete"), SIM_FAULT_NONE);
    }
    assert_int_equal(f.rule[0].hits, 5);
    assert_int_equal(f.rule[1].hits, 1000);
    /* A UE with an empty mask is never faulted, whatever the rules say. */
    sim_ue clean = {0};
    assert_int_equal(sim_fault_check(&f, &clean, "registration.auth_response"), SIM_FAULT_NONE);
}

static void test_wildcards(void **state)
{
    (void)state;
    sim_faults f;
    sim_faults_init(&f, 1);
    assert_int_equal(sim_faults_add(&f, "registration.*", SIM_FAULT_REPLAY, 1.0, 0, 0, 0), 0);
    sim_ue ue = {.fault_mask = 1};
    assert_int_equal(sim_fault_check(&f, &ue, "registration.auth_response"), SIM_FAULT_REPLAY);
    assert_int_equal(sim_fault_check(&f, &ue, "deregistration.request"), SIM_FAULT_NONE);
    assert_int_equal(sim_fault_check(&f, &ue, "registrationx.a"), SIM_FAULT_NONE);
    assert_int_equal(sim_fault_check(&f, &ue, "nodot"), SIM_FAULT_NONE);
}

static void test_probability_and_max_hits(void **state)
{
    (void)state;
    sim_faults f;
    sim_faults_init(&f, 42);
    assert_int_equal(sim_faults_add(&f, "echo.request", SIM_FAULT_MALFORMED, 0.1, 0, 0, 0), 0);
    sim_ue ue = {.fault_mask = 1};
    unsigned hits = 0, n = 100000;
    for (unsigned i = 0; i < n; i++)
        hits += sim_fault_check(&f, &ue, "echo.request") == SIM_FAULT_MALFORMED;
    /* Binomial(100000, 0.1): sd ~ 95; 10 sd either side. */
    assert_true(hits > 9050 && hits < 10950);
    assert_int_equal(f.rule[0].hits, hits);
    sim_faults_init(&f, 42);
    assert_int_equal(sim_faults_add(&f, "echo.request", SIM_FAULT_DROP, 1.0, 0, 0, 3), 0);
    hits = 0;
    for (unsigned i = 0; i < 100; i++)
        hits += sim_fault_check(&f, &ue, "echo.request") == SIM_FAULT_DROP;
    assert_int_equal(hits, 3);
    sim_faults_init(&f, 42);
    assert_int_equal(sim_faults_add(&f, "echo.request", SIM_FAULT_DROP, 0.0, 0, 0, 0), 0);
    for (unsigned i = 0; i < 1000; i++)
        assert_int_equal(sim_fault_check(&f, &ue, "echo.request"), SIM_FAULT_NONE);
}

static void test_spec_and_limits(void **state)
{
    (void)state;
    sim_faults f;
    char err[256];
    sim_faults_init(&f, 1);
    assert_int_equal(sim_faults_add_spec(&f, "echo.request:out_of_state:0.5", err, sizeof err), 0);
    assert_int_equal(f.rule[0].action, SIM_FAULT_OUT_OF_STATE);
    assert_int_equal(sim_faults_add_spec(&f, "echo.request:explode", err, sizeof err),
                     G5_ERR_INVALID);
    assert_non_null(strstr(err, "ACTION one of drop"));
    assert_int_equal(sim_faults_add_spec(&f, "echo.request:drop:2", err, sizeof err),
                     G5_ERR_INVALID);
    assert_int_equal(sim_faults_add_spec(&f, "echo:drop", err, sizeof err), G5_ERR_INVALID);
    assert_non_null(strstr(err, "procedure.step"));
    assert_int_equal(sim_faults_add_spec(&f, "echo.request", err, sizeof err), G5_ERR_INVALID);
    for (int i = 1; i < SIM_MAX_FAULTS; i++)
        assert_int_equal(sim_faults_add_spec(&f, "a.b:replay", err, sizeof err), 0);
    assert_int_equal(sim_faults_add_spec(&f, "a.b:replay", err, sizeof err), G5_ERR_LIMIT);
    assert_string_equal(sim_fault_action_name(SIM_FAULT_CORRUPT_MAC), "corrupt_mac");
    assert_int_equal(sim_fault_action_parse("malformed"), SIM_FAULT_MALFORMED);
    assert_int_equal(sim_fault_action_parse("x"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selection_by_ue_range),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_probability_and_max_hits),
        cmocka_unit_test(test_spec_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
