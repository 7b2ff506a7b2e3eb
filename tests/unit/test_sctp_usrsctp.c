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

int main(void)
{
    g5_log_set_level(G5_LOG_WARN);
    if (getenv("SCTP_TEST_FILTER")) /* e.g. SCTP_TEST_FILTER='*flood*' */
        cmocka_set_test_filter(getenv("SCTP_TEST_FILTER"));
    g_udp_port = free_udp_port();
    const struct CMUnitTest tests[] = {SUITE_TESTS};
    int rc = cmocka_run_group_tests_name("sctp_usrsctp", tests, NULL, NULL);
    if (g5_sctp_global_cleanup(5000) != 0)
        fprintf(stderr, "usrsctp did not drain in 5 s\n");
    return rc;
}
