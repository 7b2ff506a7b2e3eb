/* The SCTP association suite (sctp_suite.inc) against the kernel (lksctp) backend. The
 * build host usually has no SCTP in its kernel: then every test is skipped here and
 * tests/integration/test_sctp_kernel_uml.sh runs this binary inside a User-Mode Linux
 * guest that has it (tests/vm/uml-run.sh). */
#define SUITE_BACKEND G5_SCTP_KERNEL
#include "sctp_suite.inc"

static void test_kernel_sctp_unavailable(void **state)
{
    (void)state;
    print_message("kernel has no SCTP (socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) fails); "
                  "the kernel suite runs in UML via tests/integration/test_sctp_kernel_uml.sh\n");
    skip();
}

/* Peer restart (RFC 4960 5.2.4) needs a peer whose SCTP state vanishes without an ABORT
 * or SHUTDOWN; inside one kernel (the UML guest has loopback only) the peer's kernel
 * always ends its associations properly when the peer process dies. The usrsctp suite
 * covers restart with a peer process killed and started again. */
static void test_peer_restart_kernel(void **state)
{
    (void)state;
    print_message("peer restart needs a second kernel (the UML guest has one, loopback "
                  "only); covered on usrsctp by test_peer_restart\n");
    skip();
}

int main(void)
{
    g5_log_set_level(G5_LOG_WARN);
    suite_lock();
    if (getenv("SCTP_TEST_FILTER")) /* e.g. SCTP_TEST_FILTER='*flood*' */
        cmocka_set_test_filter(getenv("SCTP_TEST_FILTER"));
    g_udp_port = G5_SCTP_UDP_ENCAPS_PORT; /* unused by the kernel backend */
    if (!g5_sctp_kernel_available()) {
        const struct CMUnitTest skipped[] = {cmocka_unit_test(test_kernel_sctp_unavailable)};
        return cmocka_run_group_tests_name("sctp_kernel", skipped, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {SUITE_TESTS, cmocka_unit_test(test_peer_restart_kernel)};
    return cmocka_run_group_tests_name("sctp_kernel", tests, NULL, NULL);
}
