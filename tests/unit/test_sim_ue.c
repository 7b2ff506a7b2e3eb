/* UE population and lookup tables at 100,000 UEs: by index, by SUPI and by RAN UE NGAP
 * ID (allocated unique per connection, freed on release), checked against the arithmetic
 * of the template (SUPI = first + index) as the independent expectation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim/sim.h"

#define N 100000

static sim_config cfg;

static void test_build_and_lookup_100k(void **state)
{
    (void)state;
    sim_config_defaults(&cfg);
    cfg.ue[0].supi_first = 999700000000000ull;
    cfg.ue[0].count = N;
    sim_pop pop;
    assert_int_equal(sim_pop_build(&pop, &cfg, 0), 0);
    assert_int_equal(pop.n, N);
    assert_int_equal(g5_hmap_len(&pop.by_supi), N);
    for (uint32_t i = 0; i < N; i++) {
        sim_ue *ue = sim_pop_by_index(&pop, i);
        assert_non_null(ue);
        assert_int_equal(ue->index, i);
        assert_int_equal(ue->supi, 999700000000000ull + i);
        assert_ptr_equal(sim_pop_by_supi(&pop, 999700000000000ull + i), ue);
        assert_int_equal(ue->cm_state, SIM_CM_IDLE);
        assert_int_equal(ue->sqn, cfg.ue[0].sqn);
    }
    assert_null(sim_pop_by_index(&pop, N));
    assert_null(sim_pop_by_supi(&pop, 999700000000000ull + N));
    assert_null(sim_pop_by_supi(&pop, 999699999999999ull));
    char s[32];
    assert_string_equal(sim_ue_supi_str(&pop, &pop.ues[N - 1], s, sizeof s),
                        "imsi-999700000099999");
    sim_pop_free(&pop);
}

static void test_limit_takes_first_n(void **state)
{
    (void)state;
    sim_config_defaults(&cfg);
    cfg.ue[0].count = 10;
    cfg.ue[1] = cfg.ue[0];
    cfg.ue[1].supi_first += 1000;
    cfg.nue = 2;
    sim_pop pop;
    assert_int_equal(sim_pop_build(&pop, &cfg, 15), 0);
    assert_int_equal(pop.n, 15);
    assert_int_equal(pop.ues[14].supi, cfg.ue[1].supi_first + 4);
    assert_int_equal(pop.ues[14].group, 1);
    sim_pop_free(&pop);
}

static void test_ran_ue_ngap_ids_unique_and_released(void **state)
{
    (void)state;
    sim_config_defaults(&cfg);
    cfg.ue[0].count = N;
    sim_pop pop;
    assert_int_equal(sim_pop_build(&pop, &cfg, 0), 0);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(sim_pop_connect(&pop, &pop.ues[i]), 0);
    assert_int_equal(sim_pop_connect(&pop, &pop.ues[0]), G5_ERR_STATE);
    assert_int_equal(g5_hmap_len(&pop.by_ran_id), N);
    for (uint32_t i = 0; i < N; i++) {
        sim_ue *ue = &pop.ues[i];
        assert_int_equal(ue->cm_state, SIM_CM_CONNECTED);
        assert_ptr_equal(sim_pop_by_ran_id(&pop, ue->ran_ue_ngap_id), ue);
    }
    /* Release every second UE; its ID no longer routes, the others still do. */
    for (uint32_t i = 0; i < N; i += 2) {
        uint32_t id = pop.ues[i].ran_ue_ngap_id;
        sim_pop_release(&pop, &pop.ues[i]);
        assert_null(sim_pop_by_ran_id(&pop, id));
        assert_int_equal(pop.ues[i].cm_state, SIM_CM_IDLE);
    }
    assert_int_equal(g5_hmap_len(&pop.by_ran_id), N / 2);
    /* The allocator skips IDs in use when it wraps around 2^32. */
    pop.next_ran_id = pop.ues[1].ran_ue_ngap_id;
    assert_int_equal(sim_pop_connect(&pop, &pop.ues[0]), 0);
    assert_int_not_equal(pop.ues[0].ran_ue_ngap_id, pop.ues[1].ran_ue_ngap_id);
    assert_ptr_equal(sim_pop_by_ran_id(&pop, pop.ues[1].ran_ue_ngap_id), &pop.ues[1]);
    pop.next_ran_id = UINT32_MAX;
    assert_int_equal(sim_pop_connect(&pop, &pop.ues[2]), 0);
    assert_int_equal(pop.ues[2].ran_ue_ngap_id, UINT32_MAX);
    assert_int_equal(sim_pop_connect(&pop, &pop.ues[4]), 0);
    assert_int_equal(pop.ues[4].ran_ue_ngap_id, 0); /* wrapped: 0 is a valid ID */
    sim_pop_free(&pop);
}

static void test_supi_parse(void **state)
{
    (void)state;
    uint64_t v;
    unsigned d;
    assert_int_equal(sim_supi_parse("imsi-001010000000001", &v, &d), 0);
    assert_int_equal(v, 1010000000001ull);
    assert_int_equal(d, 15);
    assert_int_equal(sim_supi_parse("00101", &v, &d), 0);
    assert_int_equal(d, 5);
    assert_int_equal(sim_supi_parse("imsi-0010100000000011", &v, &d), G5_ERR_INVALID);
    assert_int_equal(sim_supi_parse("imsi-00101x", &v, &d), G5_ERR_INVALID);
    assert_int_equal(sim_supi_parse("nai-foo", &v, &d), G5_ERR_INVALID);
    assert_int_equal(sim_supi_parse("", &v, &d), G5_ERR_INVALID);
}

static void test_context_is_small(void **state)
{
    (void)state;
    /* The per-UE budget of the design: an idle UE well under a few hundred bytes. */
    assert_true(sizeof(sim_ue) <= 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_and_lookup_100k),
        cmocka_unit_test(test_limit_takes_first_n),
        cmocka_unit_test(test_ran_ue_ngap_ids_unique_and_released),
        cmocka_unit_test(test_supi_parse),
        cmocka_unit_test(test_context_is_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
