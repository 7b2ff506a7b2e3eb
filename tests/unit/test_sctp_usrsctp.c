/* The SCTP association suite (sctp_suite.inc) against the usrsctp backend: SCTP over UDP
 * (RFC 6951) on loopback, server and clients sharing this process's one usrsctp stack. */
#define SUITE_BACKEND G5_SCTP_USRSCTP
#include "sctp_suite.inc"

#include <fcntl.h>
#include <spawn.h>

extern char **environ;

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
    0x00, 0x15, 0x00, 0x2f, 0x00, 0x00, 0x04, 0x00, 0x1b, 0x00, 0x08, 0x00, 0x00,
    0xf1, 0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x52, 0x40, 0x06, 0x01, 0x80, 0x67,
    0x6e, 0x62, 0x31, 0x00, 0x66, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0xf1, 0x10, 0x00, 0x00, 0x00, 0x08, 0x00, 0x15, 0x40, 0x01, 0x40};

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
    assert_int_equal(
        g5_sctp_send(T.c[0].a, 0, G5_SCTP_PPID_NGAP, ng_setup_request, sizeof ng_setup_request), 0);
    assert_true(run_until(got_ng_setup, 5000));
    assert_int_equal(T.s[0].per_stream[0], 1);
    assert_int_equal(T.s[0].bytes, sizeof ng_setup_request);
    assert_int_equal(T.c[0].bytes, sizeof ng_setup_request);
    assert_int_equal(T.s[0].bad + T.c[0].bad, 0);
    assert_int_equal(g5_sctp_shutdown(T.c[0].a), 0);
    assert_true(run_until(both_down, 5000));
}

/* ---- peer restart (RFC 4960 5.2.4) ----
 * A peer restarts when its stack loses the association without telling us and opens a
 * new one from the same addresses and ports. With usrsctp that is a peer process killed
 * with SIGKILL and started again with the same UDP and SCTP ports: this binary re-executes
 * itself as that peer (--restart-peer). */

static int peer_mode(uint16_t my_udp, uint16_t srv_udp, uint16_t srv_port, uint16_t my_port)
{
    g5_log_set_level(G5_LOG_WARN);
    memset(&T, 0, sizeof T);
    uv_loop_init(&T.loop);
    g5_sctp_cfg_defaults(&T.cfg);
    T.cfg.backend = G5_SCTP_USRSCTP;
    T.cfg.udp_port = my_udp;
    T.cfg.peer_udp_port = srv_udp;
    T.port = srv_port;
    g5_sctp_addrs local = {.addr = {"127.0.0.1"}, .n = 1, .port = my_port};
    g5_sctp_addrs peer = {.addr = {"127.0.0.1"}, .n = 1, .port = srv_port};
    if (g5_sctp_connect(&T.loop, &T.cfg, &local, &peer, &cbs, &T.c[0], &T.c[0].a) != 0)
        return 1;
    g_n = 1;
    uv_timer_t t;
    uv_timer_init(&T.loop, &t);
    uv_timer_start(&t, tick, 5, 5);
    uint64_t end = g5_clock_ms() + 10000;
    while (!T.c[0].ups && g5_clock_ms() < end)
        uv_run(&T.loop, UV_RUN_ONCE);
    if (!T.c[0].ups)
        return 1;
    uint8_t hello[100];
    fill(hello, sizeof hello, 0);
    g5_sctp_send(T.c[0].a, 0, G5_SCTP_PPID_NGAP, hello, sizeof hello);
    printf("up\n");
    fflush(stdout);
    for (;;) /* until killed */
        uv_run(&T.loop, UV_RUN_ONCE);
}

static pid_t spawn_peer(uint16_t my_udp, uint16_t srv_port, uint16_t my_port, int *out_fd)
{
    char a1[8], a2[8], a3[8], a4[8];
    snprintf(a1, sizeof a1, "%u", my_udp);
    snprintf(a2, sizeof a2, "%u", g_udp_port);
    snprintf(a3, sizeof a3, "%u", srv_port);
    snprintf(a4, sizeof a4, "%u", my_port);
    char *argv[] = {"test_sctp_usrsctp", "--restart-peer", a1, a2, a3, a4, NULL};
    int p[2];
    if (pipe(p) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        return -1;
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    *out_fd = p[0];
    return pid;
}

static int g_peer_fd;
static bool peer_said_up(void)
{
    char c[8];
    return read(g_peer_fd, c, sizeof c) > 0;
}

static bool restarted_and_hello(void)
{
    return T.ns == 1 && T.s[0].restarts == 1 && T.s[0].msgs == 2;
}

static void test_peer_restart(void **state)
{
    (void)state;
    server(&T.cfg);
    uint16_t peer_udp = free_udp_port(), peer_port = (uint16_t)(40000 + getpid() % 20000);
    pid_t pid = spawn_peer(peer_udp, T.port, peer_port, &g_peer_fd);
    assert_true(pid > 0);
    bool up = run_until(peer_said_up, 10000);
    close(g_peer_fd);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_true(up);
    g_n = 1;
    bool got = false;
    for (int i = 0; i < 300 && !got; i++) {
        run_for(10);
        got = T.ns == 1 && T.s[0].msgs == 1;
    }
    assert_true(got);
    /* the same peer comes back: same UDP port, same SCTP port, new verification tags */
    pid = spawn_peer(peer_udp, T.port, peer_port, &g_peer_fd);
    assert_true(pid > 0);
    bool ok = run_until(restarted_and_hello, 10000);
    close(g_peer_fd);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_true(ok);
    assert_int_equal(T.s[0].downs, 0); /* the association survived the restart */
    assert_int_equal(g5_sctp_ep_assocs(T.srv), 1);
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "--restart-peer"))
        return peer_mode((uint16_t)atoi(argv[2]), (uint16_t)atoi(argv[3]), (uint16_t)atoi(argv[4]),
                         (uint16_t)atoi(argv[5]));
    g5_log_set_level(G5_LOG_WARN);
    suite_lock();
    if (getenv("SCTP_TEST_FILTER")) /* e.g. SCTP_TEST_FILTER='*flood*' */
        cmocka_set_test_filter(getenv("SCTP_TEST_FILTER"));
    g_udp_port =
        getenv("G5_SCTP_UDP_PORT") ? (uint16_t)atoi(getenv("G5_SCTP_UDP_PORT")) : free_udp_port();
    const struct CMUnitTest tests[] = {
        SUITE_TESTS,
        cmocka_unit_test_setup_teardown(test_ngap_ng_setup_over_usrsctp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_restart, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("sctp_usrsctp", tests, NULL, NULL);
    if (g5_sctp_global_cleanup(5000) != 0)
        fprintf(stderr, "usrsctp did not drain in 5 s\n");
    return rc;
}
