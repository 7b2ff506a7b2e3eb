/* Counters: registration, increments and the Prometheus text output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"

G5_COUNTER(reg_accept, "test_registration_total", "Registrations by result", "result=\"accept\"")
G5_COUNTER(reg_reject, "test_registration_total", "Registrations by result", "result=\"reject\"")
G5_COUNTER(plain, "test_plain_total", "A counter without labels", NULL)

static void test_counts_and_dumps(void **state)
{
    (void)state;
    g5_counter_inc(&reg_accept);
    g5_counter_add(&reg_accept, 4);
    g5_counter_inc(&reg_reject);
    g5_counter_register(&plain); /* idempotent */
    assert_int_equal(g5_counter_get(&reg_accept), 5);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    g5_metrics_dump(f);
    fclose(f);
    assert_non_null(strstr(buf, "test_registration_total{result=\"accept\"} 5\n"));
    assert_non_null(strstr(buf, "test_registration_total{result=\"reject\"} 1\n"));
    assert_non_null(strstr(buf, "test_plain_total 0\n"));
    assert_non_null(strstr(buf, "# TYPE test_plain_total counter\n"));
    /* registering twice must not duplicate the line */
    assert_null(strstr(strstr(buf, "test_plain_total 0\n") + 1, "test_plain_total 0\n"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_counts_and_dumps)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
