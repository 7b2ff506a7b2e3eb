/* The simulator engine end to end with the framework self-test: the launcher starts every
 * UE once with bounded concurrency, the loopback fake AMF answers, counts add up, and each
 * injected fault yields its own failure cause (the fake AMF's counters are the independent
 * side of the check). Also: 5G procedures refuse to start until the layers are integrated,
 * and the control protocol (request handler and the socket's limits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "sim/sim.h"
#include "sim/sim_ctl.h"

typedef struct world {
    uv_loop_t loop;
    sim_config cfg;
    sim_engine eng;
    sim_echo_amf *amf;
    bool done;
} world;

static world W;

static void setup(uint32_t n, uint32_t max_inflight, uint32_t delay_ms, uint32_t timeout_ms,
                  uint64_t duration_ms)
{
    static sim_config keep;
    keep = W.cfg; /* tests may prepare W.cfg (faults) before calling setup */
    memset(&W, 0, sizeof W);
    W.cfg = keep;
    uv_loop_init(&W.loop);
    if (!W.cfg.nue)
        sim_config_defaults(&W.cfg);
    W.cfg.ue[0].count = n;
    sim_pop pop;
    assert_int_equal(sim_pop_build(&pop, &W.cfg, 0), 0);
    sim_engine_opts o = {.rate = 1000000,
                         .max_inflight = max_inflight,
                         .timeout_ms = timeout_ms,
                         .duration_ms = duration_ms};
    assert_int_equal(sim_engine_init(&W.eng, &W.loop, &W.cfg, &pop, &o), 0);
    W.amf = sim_echo_amf_new(&W.eng, delay_ms);
    assert_non_null(W.amf);
    sim_engine_set_transport(&W.eng, &sim_echo_transport, W.amf);
}

static void teardown(void)
{
    sim_echo_amf_free(W.amf);
    sim_engine_free(&W.eng);
    uv_run(&W.loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&W.loop), 0); /* every handle was closed */
}

static void on_done(sim_engine *e)
{
    W.done = true;
    uv_stop(e->loop);
}

static const sim_proc_stats *run_echo(void)
{
    W.done = false;
    assert_int_equal(sim_engine_load(&W.eng, &sim_proc_echo, on_done), 0);
    uv_run(&W.loop, UV_RUN_DEFAULT);
    assert_true(W.done);
    return sim_engine_stats(&W.eng, &sim_proc_echo);
}

static void test_echo_10k_counts_add_up(void **state)
{
    (void)state;
    W.cfg.nue = 0;
    setup(10000, 64, 0, 5000, 0);
    const sim_proc_stats *st = run_echo();
    assert_int_equal(st->started, 10000);
    assert_int_equal(st->ok, 10000);
    assert_int_equal(st->failed, 0);
    assert_int_equal(st->total.count, 10000);
    assert_int_equal(st->step[0].count, 10000);
    assert_int_equal(st->step[1].count, 10000);
    assert_true(sim_hist_percentile(&st->total, 50) <= sim_hist_percentile(&st->total, 99));
    assert_true(W.eng.peak_inflight <= 64);
    assert_int_equal(W.eng.inflight, 0);
    assert_int_equal(W.eng.unroutable, 0);
    assert_int_equal(g5_hmap_len(&W.eng.pop.by_ran_id), 0); /* every connection released */
    for (uint32_t i = 0; i < 10000; i++) {
        assert_int_equal(W.eng.pop.ues[i].n_ok, 1);
        assert_int_equal(W.eng.pop.ues[i].run, 0);
    }
    sim_echo_amf_stats as;
    sim_echo_amf_get_stats(W.amf, &as);
    assert_int_equal(as.rx, 20000);
    assert_int_equal(as.tx, 20000);
    teardown();
}

static void test_concurrency_is_bounded(void **state)
{
    (void)state;
    W.cfg.nue = 0;
    setup(200, 7, 2, 5000, 0);
    const sim_proc_stats *st = run_echo();
    assert_int_equal(st->ok, 200);
    assert_int_equal(W.eng.peak_inflight, 7);
    /* Two rounds of a 2 ms reply delay; libuv timers have 1 ms granularity, so each round
     * takes more than 1 ms. */
    assert_true(st->total.min >= 2000000);
    teardown();
}

static void test_each_fault_gives_its_cause(void **state)
{
    (void)state;
    sim_config_defaults(&W.cfg);
    sim_faults *f = &W.cfg.faults;
    assert_int_equal(sim_faults_add(f, "echo.request", SIM_FAULT_DROP, 1, 0, 10, 0), 0);
    assert_int_equal(sim_faults_add(f, "echo.request", SIM_FAULT_CORRUPT_MAC, 1, 10, 10, 0), 0);
    assert_int_equal(sim_faults_add(f, "echo.second_request", SIM_FAULT_REPLAY, 1, 20, 10, 0), 0);
    assert_int_equal(sim_faults_add(f, "echo.request", SIM_FAULT_OUT_OF_STATE, 1, 30, 10, 0), 0);
    assert_int_equal(sim_faults_add(f, "echo.second_request", SIM_FAULT_MALFORMED, 1, 40, 10, 0),
                     0);
    assert_int_equal(sim_faults_add(f, "echo.second_request", SIM_FAULT_OUT_OF_STATE, 1, 50, 10, 0),
                     0);
    setup(100, 100, 0, 50, 0);
    const sim_proc_stats *st = run_echo();
    assert_int_equal(st->started, 100);
    assert_int_equal(st->ok, 40);
    assert_int_equal(st->failed, 60);
    assert_int_equal(st->by_cause[SIM_CAUSE_TIMEOUT], 20); /* drop + malformed */
    assert_int_equal(st->by_cause[SIM_CAUSE_MAC_FAILURE], 10);
    assert_int_equal(st->by_cause[SIM_CAUSE_REPLAY], 10);
    assert_int_equal(st->by_cause[SIM_CAUSE_OUT_OF_STATE], 20);
    for (uint32_t i = 0; i < 100; i++) {
        const sim_ue *ue = &W.eng.pop.ues[i];
        int want = i < 10   ? SIM_CAUSE_TIMEOUT
                   : i < 20 ? SIM_CAUSE_MAC_FAILURE
                   : i < 30 ? SIM_CAUSE_REPLAY
                   : i < 40 ? SIM_CAUSE_OUT_OF_STATE
                   : i < 50 ? SIM_CAUSE_TIMEOUT
                   : i < 60 ? SIM_CAUSE_OUT_OF_STATE
                            : SIM_CAUSE_OK;
        assert_int_equal(ue->last_cause, want);
    }
    /* The fake AMF saw the same faults from its side. */
    sim_echo_amf_stats as;
    sim_echo_amf_get_stats(W.amf, &as);
    assert_int_equal(as.bad_mac, 10);
    assert_int_equal(as.replay, 10);
    assert_int_equal(as.out_of_state, 20);
    assert_int_equal(as.malformed, 10);
    assert_string_equal(sim_cause_name(&W.eng, SIM_CAUSE_REPLAY), "replay");
    teardown();
    sim_config_defaults(&W.cfg);
}

static void test_duration_mode_cycles_ues(void **state)
{
    (void)state;
    W.cfg.nue = 0;
    setup(10, 4, 1, 5000, 100);
    const sim_proc_stats *st = run_echo();
    assert_true(st->started > 10); /* UEs ran the procedure again and again */
    assert_int_equal(st->ok, st->started);
    uint64_t per_ue = 0;
    for (uint32_t i = 0; i < 10; i++)
        per_ue += W.eng.pop.ues[i].n_ok;
    assert_int_equal(per_ue, st->ok);
    teardown();
}

static void test_5g_procedures_refused_until_integrated(void **state)
{
    (void)state;
    W.cfg.nue = 0;
    setup(3, 4, 0, 5000, 0);
    static const char *const names[] = {"registration", "registration+session", "deregistration",
                                        "service-request", "pdu-session-establishment"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const sim_procedure *p = sim_procedure_find(names[i]);
        assert_non_null(p);
        char err[200];
        assert_int_equal(sim_engine_can_run(&W.eng, p, err, sizeof err), G5_ERR_UNSUPPORTED);
        assert_non_null(strstr(err, SIM_NOT_INTEGRATED));
        assert_int_equal(sim_engine_load(&W.eng, p, on_done), G5_ERR_UNSUPPORTED);
    }
    assert_null(sim_procedure_find("nope"));
    uint8_t junk[3] = {1, 2, 3};
    assert_int_equal(sim_engine_deliver(&W.eng, 12345, junk, sizeof junk), G5_ERR_NOT_FOUND);
    assert_int_equal(W.eng.unroutable, 1);
    teardown();
}

/* The seam the protocol layers will use: a procedure that needs them is refused until both
 * the UE hooks and the gNB hooks are plugged, then runs through the same transport. */
static int proto_start(sim_run *r)
{
    uint8_t nas[4] = {0x7e, 0x00, 0x41, 0x79}; /* placeholder bytes, not parsed by anyone */
    sim_run_arm(r, 20);
    return sim_run_send(r, nas, sizeof nas) == 0 ? 0 : SIM_CAUSE_TRANSPORT;
}

static const sim_procedure proto_proc = {
    .name = "proto-test", /* not in the CLI registry: the engine takes any procedure */
    .summary = "test",
    .steps = {"a"},
    .nsteps = 1,
    .needs_protocol = true,
    .start = proto_start,
};

static void test_protocol_seam(void **state)
{
    (void)state;
    W.cfg.nue = 0;
    setup(5, 4, 0, 5000, 0);
    static const sim_ue_ops ue_ops;
    static const sim_gnb_ops gnb_ops;
    char err[200];
    assert_int_equal(sim_engine_can_run(&W.eng, &proto_proc, err, sizeof err), G5_ERR_UNSUPPORTED);
    sim_engine_set_ue_ops(&W.eng, &ue_ops, NULL);
    assert_int_equal(sim_engine_can_run(&W.eng, &proto_proc, err, sizeof err), G5_ERR_UNSUPPORTED);
    sim_engine_set_gnb_ops(&W.eng, &gnb_ops, NULL);
    assert_int_equal(sim_engine_can_run(&W.eng, &proto_proc, err, sizeof err), 0);
    /* The fake AMF drops the 4 bytes as malformed; the guard timer fails the run. */
    assert_int_equal(sim_engine_start(&W.eng, &W.eng.pop.ues[0], &proto_proc), 0);
    assert_int_equal(sim_engine_start(&W.eng, &W.eng.pop.ues[0], &proto_proc), G5_ERR_STATE);
    assert_int_equal(W.eng.inflight, 1);
    while (W.eng.inflight)
        uv_run(&W.loop, UV_RUN_ONCE);
    assert_int_equal(W.eng.pop.ues[0].last_cause, SIM_CAUSE_TIMEOUT);
    sim_echo_amf_stats as;
    sim_echo_amf_get_stats(W.amf, &as);
    assert_int_equal(as.malformed, 1);
    /* No free slot: G5_ERR_AGAIN, nothing leaks. */
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(sim_engine_start(&W.eng, &W.eng.pop.ues[i], &sim_proc_echo), 0);
    assert_int_equal(sim_engine_start(&W.eng, &W.eng.pop.ues[4], &sim_proc_echo), G5_ERR_AGAIN);
    while (W.eng.inflight)
        uv_run(&W.loop, UV_RUN_ONCE);
    teardown();
}

/* ---- control protocol ---- */

static json_t *ask(const char *line)
{
    json_t *a = sim_ctl_handle(&W.eng, line, strlen(line));
    assert_non_null(a);
    return a;
}

static void test_ctl_requests(void **state)
{
    (void)state;
    W.cfg.nue = 0;
    setup(2500, 16, 0, 5000, 0);
    run_echo();
    json_t *a = ask("{\"cmd\":\"stats\"}");
    assert_true(json_is_true(json_object_get(a, "ok")));
    json_t *procs = json_object_get(json_object_get(a, "stats"), "procedures");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(procs, 0), "ok")), 2500);
    json_decref(a);
    a = ask("{\"cmd\":\"ue-list\",\"offset\":2000}");
    assert_int_equal(json_integer_value(json_object_get(a, "total")), 2500);
    assert_int_equal(json_array_size(json_object_get(a, "ues")), 500);
    json_decref(a);
    a = ask("{\"cmd\":\"ue-list\"}");
    assert_int_equal(json_array_size(json_object_get(a, "ues")), SIM_CTL_LIST_MAX);
    json_decref(a);
    a = ask("{\"cmd\":\"ue-status\",\"supi\":\"imsi-001010000000005\"}");
    json_t *ue = json_object_get(a, "ue");
    assert_string_equal(json_string_value(json_object_get(ue, "supi")), "imsi-001010000000005");
    assert_int_equal(json_integer_value(json_object_get(ue, "procedures_ok")), 1);
    assert_string_equal(json_string_value(json_object_get(ue, "last_procedure")), "echo");
    assert_null(json_object_get(ue, "key")); /* no secrets in any answer */
    json_decref(a);
    static const struct {
        const char *req, *err;
    } bad[] = {
        {"{\"cmd\":\"ue-status\",\"supi\":\"imsi-001019999999999\"}", "no UE with SUPI"},
        {"{\"cmd\":\"ue-status\"}", "give \"supi\""},
        {"{\"cmd\":\"deregister\",\"supi\":\"imsi-001010000000001\"}", SIM_NOT_INTEGRATED},
        {"{\"cmd\":\"ps-establish\",\"supi\":\"imsi-001010000000001\"}", SIM_NOT_INTEGRATED},
        {"{\"cmd\":\"reboot\"}", "unknown command"},
        {"{\"nocmd\":1}", "missing \"cmd\""},
        {"not json", "one JSON object per line"},
        {"[1,2]", "one JSON object per line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = ask(bad[i].req);
        assert_false(json_is_true(json_object_get(a, "ok")));
        const char *e = json_string_value(json_object_get(a, "error"));
        if (!e || !strstr(e, bad[i].err))
            fail_msg("%s: got '%s', want '%s'", bad[i].req, e ? e : "(none)", bad[i].err);
        json_decref(a);
    }
    teardown();
}

static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Runs the loop until fd has a full line (or EOF); returns bytes read into buf. */
static ssize_t read_answer(int fd, char *buf, size_t cap, bool *eof)
{
    size_t len = 0;
    *eof = false;
    for (int spins = 0; spins < 2000 && len < cap - 1; spins++) {
        uv_run(&W.loop, UV_RUN_NOWAIT);
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r == 0) {
            *eof = true;
            break;
        }
        if (r > 0) {
            len += (size_t)r;
            if (buf[len - 1] == '\n')
                break;
        } else if (errno != EAGAIN) {
            *eof = true;
            break;
        }
        usleep(500);
    }
    buf[len] = 0;
    return (ssize_t)len;
}

static void test_ctl_socket_limits(void **state)
{
    (void)state;
    W.cfg.nue = 0;
    setup(10, 4, 0, 5000, 0);
    char path[64], err[200], buf[8192];
    snprintf(path, sizeof path, "/tmp/g5-test-ctl-%d.sock", (int)getpid());
    sim_ctl *ctl = sim_ctl_start(&W.eng, path, err, sizeof err);
    assert_non_null(ctl);
    bool eof;
    /* A normal request. */
    int fd = connect_to(path);
    assert_int_equal(write(fd, "{\"cmd\":\"ue-list\"}\n", 18), 18);
    assert_true(read_answer(fd, buf, sizeof buf, &eof) > 0);
    assert_non_null(strstr(buf, "\"total\":10"));
    /* Two requests in one write are both answered, in order. */
    const char two[] = "{\"cmd\":\"stats\"}\n{\"cmd\":\"x\"}\n";
    assert_int_equal(write(fd, two, sizeof two - 1), (ssize_t)sizeof two - 1);
    read_answer(fd, buf, sizeof buf, &eof);
    if (!strstr(buf, "unknown command"))
        read_answer(fd, buf + strlen(buf), sizeof buf - strlen(buf), &eof);
    assert_non_null(strstr(buf, "unknown command"));
    close(fd);
    /* A line longer than the limit: an error, then the server closes the client. */
    fd = connect_to(path);
    char big[SIM_CTL_MAX_LINE + 100];
    memset(big, 'a', sizeof big);
    assert_int_equal(write(fd, big, sizeof big), (ssize_t)sizeof big);
    read_answer(fd, buf, sizeof buf, &eof);
    assert_non_null(strstr(buf, "request longer than"));
    read_answer(fd, buf, sizeof buf, &eof);
    assert_true(eof);
    close(fd);
    /* Too many clients: the one beyond the limit is told so and closed; the rest work. */
    int fds[SIM_CTL_MAX_CLIENTS + 1];
    for (int i = 0; i <= SIM_CTL_MAX_CLIENTS; i++) {
        fds[i] = connect_to(path);
        for (int k = 0; k < 5; k++)
            uv_run(&W.loop, UV_RUN_NOWAIT);
    }
    assert_int_equal(sim_ctl_clients(ctl), SIM_CTL_MAX_CLIENTS);
    assert_int_equal(sim_ctl_refused(ctl), 1);
    read_answer(fds[SIM_CTL_MAX_CLIENTS], buf, sizeof buf, &eof);
    assert_non_null(strstr(buf, "too many control clients"));
    assert_int_equal(write(fds[0], "{\"cmd\":\"stats\"}\n", 16), 16);
    read_answer(fds[0], buf, sizeof buf, &eof);
    assert_non_null(strstr(buf, "\"ok\":true"));
    for (int i = 0; i <= SIM_CTL_MAX_CLIENTS; i++)
        close(fds[i]);
    for (int k = 0; k < 20; k++)
        uv_run(&W.loop, UV_RUN_NOWAIT);
    assert_int_equal(sim_ctl_clients(ctl), 0);
    /* A second simulator does not steal a socket in use. */
    assert_null(sim_ctl_start(&W.eng, path, err, sizeof err));
    assert_non_null(strstr(err, "in use by another running simulator"));
    /* A regular file is never replaced by the socket. */
    sim_ctl_stop(ctl);
    FILE *f = fopen(path, "w");
    fclose(f);
    assert_null(sim_ctl_start(&W.eng, path, err, sizeof err));
    assert_non_null(strstr(err, "is not a socket"));
    unlink(path);
    teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_10k_counts_add_up),
        cmocka_unit_test(test_concurrency_is_bounded),
        cmocka_unit_test(test_each_fault_gives_its_cause),
        cmocka_unit_test(test_duration_mode_cycles_ues),
        cmocka_unit_test(test_5g_procedures_refused_until_integrated),
        cmocka_unit_test(test_protocol_seam),
        cmocka_unit_test(test_ctl_requests),
        cmocka_unit_test(test_ctl_socket_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
