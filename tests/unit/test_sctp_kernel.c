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

/* Peer restart (RFC 4960 5.2.4): the peer's association vanishes without the server
 * hearing of it, then the same peer (same address and port) opens a new one. Inside one
 * kernel the ABORT of the old association is made to vanish by dropping every loopback
 * packet for a moment (tc netem loss 100%), which is only done inside the UML guest
 * (G5_UML_GUEST, set by tests/vm/uml-run.sh): on a real host it would cut everything else
 * on lo too. */
static bool lo_drop_all(bool on)
{
    return system(on ? "tc qdisc add dev lo root netem loss 100% 2>/dev/null"
                     : "tc qdisc del dev lo root 2>/dev/null") == 0;
}

static bool restarted(void)
{
    return T.ns >= 1 && T.s[0].restarts == 1 && T.c[1].ups == 1;
}

static void test_peer_restart_kernel(void **state)
{
    (void)state;
    if (!getenv("G5_UML_GUEST")) {
        print_message("peer restart drops all loopback traffic for a moment: run only inside "
                      "the UML guest (tests/integration/test_sctp_kernel_uml.sh)\n");
        skip();
    }
    server(&T.cfg);
    uint16_t cport = (uint16_t)(40000 + getpid() % 20000);
    g5_sctp_addrs me = {.addr = {"127.0.0.1"}, .n = 1, .port = cport};
    g5_sctp_addrs peer = {.addr = {"127.0.0.1"}, .n = 1, .port = T.port};
    assert_int_equal(g5_sctp_connect(&T.loop, &T.cfg, &me, &peer, &cbs, &T.c[0], &T.c[0].a), 0);
    g_n = 1;
    assert_true(run_until(cli_ups_n, 5000));
    if (!lo_drop_all(true)) {
        print_message("tc netem not available in the guest\n");
        skip();
    }
    g5_sctp_abort(T.c[0].a); /* its ABORT is dropped: the server keeps the association */
    T.c[0].a = NULL;
    run_for(50);
    assert_true(lo_drop_all(false));
    assert_int_equal(T.s[0].downs, 0);
    assert_int_equal(g5_sctp_connect(&T.loop, &T.cfg, &me, &peer, &cbs, &T.c[1], &T.c[1].a), 0);
    assert_true(run_until(restarted, 10000));
    uint8_t buf[100];
    fill(buf, sizeof buf, 0);
    assert_int_equal(g5_sctp_send(T.c[1].a, 0, G5_SCTP_PPID_NGAP, buf, sizeof buf), 0);
    bool got = false;
    for (int i = 0; i < 300 && !got; i++) {
        run_for(10);
        got = T.s[0].msgs == 1;
    }
    assert_true(got); /* on the same server association */
    assert_int_equal(T.ns, 1);
    assert_int_equal(T.s[0].downs, 0);
    assert_int_equal(g5_sctp_ep_assocs(T.srv), 1);
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
    const struct CMUnitTest tests[] = {
        SUITE_TESTS, cmocka_unit_test_setup_teardown(test_peer_restart_kernel, setup, teardown)};
    return cmocka_run_group_tests_name("sctp_kernel", tests, NULL, NULL);
}
