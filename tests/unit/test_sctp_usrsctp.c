/* The SCTP association suite (sctp_suite.inc) against the usrsctp backend: SCTP over UDP
 * (RFC 6951) on loopback, server and clients sharing this process's one usrsctp stack. */
#define SUITE_BACKEND G5_SCTP_USRSCTP
#include "sctp_suite.inc"

/* A UDP port free right now, for this process's encapsulation socket (ctest may run other
 * usrsctp users in parallel, so the default 9899 is not assumed free). */
static uint16_t free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof sin;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &l) != 0)
        return 0;
    close(fd);
    return ntohs(sin.sin_port);
}

/* TS 38.413 9.2.6.1 NG Setup Request, encoded by hand in APER (GlobalRANNodeID gNB 1 in
 * PLMN 001/01, RANNodeName "gnb1", TAC 1 with SST 1, DefaultPagingDRX v128) and checked
 * with tshark. tests/integration/test_sctp_tshark.sh captures this exchange on the UDP
 * encapsulation port and requires tshark to dissect it as NGAP over SCTP. */
static const uint8_t ng_setup_request[] = {
    0x00, 0x15, 0x00, 0x2f, 0x00, 0x00, 0x04, 0x00, 0x1b, 0x00, 0x08, 0x00, 0x00, 0xf1,
    0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x52, 0x40, 0x06, 0x01, 0x80, 0x67, 0x6e, 0x62,
    0x31, 0x00, 0x66, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xf1, 0x10,
    0x00, 0x00, 0x00, 0x08, 0x00, 0x15, 0x40, 0x01, 0x40};

static bool got_ng_setup(void)
{
    return T.ns && T.s[0].msgs == 1 && T.c[0].msgs == 1;
}

/* A gNB's first message on N2: NG Setup Request on stream 0 (non-UE-associated, TS 38.412
 * 7) with PPID 60 to port 38412, echoed back by the server, byte for byte. */
static void test_ngap_ng_setup_over_usrsctp(void **state)
{
    (void)state;
    T.srv_echo = true;
    g5_sctp_addrs local = {.addr = {"127.0.0.1"}, .n = 1, .port = G5_SCTP_PORT_NGAP};
    assert_int_equal(g5_sctp_listen(&T.loop, &T.cfg, &local, &cbs, NULL, &T.srv), 0);
    T.port = G5_SCTP_PORT_NGAP;
    connect_n(1);
    assert_int_equal(g5_sctp_send(T.c[0].a, 0, G5_SCTP_PPID_NGAP, ng_setup_request,
                                  sizeof ng_setup_request),
                     0);
    assert_true(run_until(got_ng_setup, 5000));
    assert_int_equal(T.s[0].per_stream[0], 1);
    assert_int_equal(T.s[0].bytes, sizeof ng_setup_request);
    assert_int_equal(T.c[0].bytes, sizeof ng_setup_request);
    assert_int_equal(T.s[0].bad + T.c[0].bad, 0);
    assert_int_equal(g5_sctp_shutdown(T.c[0].a), 0);
    assert_true(run_until(both_down, 5000));
}

int main(void)
{
    g5_log_set_level(G5_LOG_WARN);
    if (getenv("SCTP_TEST_FILTER")) /* e.g. SCTP_TEST_FILTER='*flood*' */
        cmocka_set_test_filter(getenv("SCTP_TEST_FILTER"));
    g_udp_port = getenv("G5_SCTP_UDP_PORT") ? (uint16_t)atoi(getenv("G5_SCTP_UDP_PORT"))
                                            : free_udp_port();
    const struct CMUnitTest tests[] = {
        SUITE_TESTS,
        cmocka_unit_test_setup_teardown(test_ngap_ng_setup_over_usrsctp, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("sctp_usrsctp", tests, NULL, NULL);
    if (g5_sctp_global_cleanup(5000) != 0)
        fprintf(stderr, "usrsctp did not drain in 5 s\n");
    return rc;
}
