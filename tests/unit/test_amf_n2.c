/* The AMF over real N2: usrsctp (SCTP over UDP, RFC 6951) on loopback, the gNB side a
 * g5_sctp client on the same loop. NG Setup and an Initial UE Message go over SCTP and
 * the Authentication Request comes back in a Downlink NAS Transport on a UE stream; an
 * ABORT of the association releases the UE contexts.
 * With AMF_N2_CLIENT_PORT=<port> (and AMF_N2_UDP_PORT=<the AMF's encapsulation port>) the
 * binary is instead a one-shot gNB for tests/integration/test_amf_run.sh: it connects to
 * a running `glass5g run`, sends NG Setup and exits 0 on NG Setup Response. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
// clang-format off
#include <cmocka.h>
// clang-format on

#include "amf_test_util.h"
#include "core/log.h"

static struct {
    int ups, downs, msgs;
    int last_pc, last_type;
    uint16_t last_stream;
    uint8_t buf[4096];
    size_t len;
} G;

static void c_up(g5_sctp_assoc *a)
{
    (void)a;
    G.ups++;
}
static void c_down(g5_sctp_assoc *a, g5_sctp_down why)
{
    (void)a;
    (void)why;
    G.downs++;
}
static void c_data(g5_sctp_assoc *a, const g5_sctp_msg *m)
{
    NGAP_NGAP_PDU_t pdu;
    (void)a;
    G.msgs++;
    G.last_stream = m->stream;
    G.len = m->len < sizeof G.buf ? m->len : 0;
    memcpy(G.buf, m->data, G.len);
    if (ngap_decode(&pdu, m->data, m->len, NULL) == 0) {
        G.last_pc = ngap_procedure_code(&pdu);
        G.last_type = (int)pdu.present;
        ngap_free(&pdu);
    }
}

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

static bool spin_until(uv_loop_t *loop, const int *v, int want)
{
    uint64_t end = g5_clock_ms() + 10000;
    while (*v < want && g5_clock_ms() < end)
        uv_run(loop, UV_RUN_NOWAIT), usleep(1000);
    return *v >= want;
}

static int send_pdu(g5_sctp_assoc *a, uint16_t stream, NGAP_NGAP_PDU_t *pdu)
{
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 65536);
    int rc = ngap_encode(pdu, &w);
    ngap_free(pdu);
    if (rc == 0)
        rc = g5_sctp_send(a, stream, G5_SCTP_PPID_NGAP, g5_wbuf_data(&w), g5_wbuf_len(&w));
    g5_wbuf_free(&w);
    return rc;
}

static int ng_setup(g5_sctp_assoc *a)
{
    NGAP_NGAP_PDU_t pdu;
    ngap_snssai sl = {.sst = 1};
    int rc = ngap_build_ng_setup_request(&pdu, T_PLMN, 1, 32, "n2-test-gnb", T_TAC, &sl, 1,
                                         NGAP_PagingDRX_v128);
    return rc ? rc : send_pdu(a, 0, &pdu);
}

static const g5_sctp_cbs client_cbs = {.up = c_up, .down = c_down, .data = c_data};

static void test_registration_start_over_sctp(void **s)
{
    (void)s;
    t_amf t;
    memset(&t, 0, sizeof t);
    memset(&G, 0, sizeof G);
    assert_int_equal(t_nf_up(&t.nf, NULL, NULL), 0);
    g5_config_defaults(&t.cfg);
    t.cfg.amf.n2_port = 0; /* ephemeral */
    t.amf = amf_new(&t.nf.loop, &t.cfg, t.nf.udm, t.nf.ausf, NULL);
    g5_sctp_cfg sc;
    g5_sctp_cfg_defaults(&sc);
    sc.backend = G5_SCTP_USRSCTP;
    sc.udp_port = sc.peer_udp_port = free_udp_port();
    assert_int_equal(amf_n2_listen(t.amf, &sc), 0);
    uint16_t port = amf_n2_port(t.amf);
    assert_true(port != 0);

    g5_sctp_addrs peer = {.addr = {"127.0.0.1"}, .n = 1, .port = port};
    g5_sctp_assoc *a = NULL;
    assert_int_equal(g5_sctp_connect(&t.nf.loop, &sc, NULL, &peer, &client_cbs, NULL, &a), 0);
    assert_true(spin_until(&t.nf.loop, &G.ups, 1));
    assert_int_equal(ng_setup(a), 0);
    assert_true(spin_until(&t.nf.loop, &G.msgs, 1));
    assert_int_equal(G.last_pc, NGAP_id_NGSetup);
    assert_int_equal(G.last_type, NGAP_MSG_SUCCESSFUL);
    assert_int_equal(G.last_stream, 0);

    t_ue ue;
    t_ue_init(&t, &ue, 1, true);
    nas_mobile_identity mi;
    g5_suci suci;
    nas_msg m;
    nas_arena ar;
    uint8_t nas[256];
    t_suci(&t, &ue, 0, &mi, &suci);
    nas_msg_init(&m, NAS_REGISTRATION_REQUEST);
    nas_arena_init(&ar);
    nas_ie_set_half(&m.registration_request.ie_5gs_registration_type, 0x09);
    nas_ie_set_half(&m.registration_request.ngksi, 7);
    size_t mark = g5_wbuf_len(&ar.w);
    nas_mobile_identity_encode(&mi, &ar.w);
    nas_arena_ie(&ar, mark, &m.registration_request.ie_5gs_mobile_identity);
    mark = g5_wbuf_len(&ar.w);
    nas_ue_sec_cap_encode(&ue.caps, &ar.w);
    nas_arena_ie(&ar, mark, &m.registration_request.ue_security_capability);
    g5_wbuf w;
    g5_wbuf_init(&w, nas, sizeof nas);
    assert_int_equal(nas_encode(&m, &w), 0);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_initial_ue_message(&pdu, 7, nas, g5_wbuf_len(&w), T_PLMN, T_TAC,
                                                   0x10, NGAP_RRCEstablishmentCause_mo_Signalling),
                     0);
    assert_int_equal(send_pdu(a, 1, &pdu), 0);
    assert_true(spin_until(&t.nf.loop, &G.msgs, 2));
    assert_int_equal(G.last_pc, NGAP_id_DownlinkNASTransport);
    assert_int_equal(G.last_stream, 1);
    assert_int_equal(amf_ue_count(t.amf), 1);

    g5_sctp_abort(a); /* the gNB goes away mid-registration */
    uint64_t end = g5_clock_ms() + 10000;
    while (amf_ue_count(t.amf) && g5_clock_ms() < end)
        uv_run(&t.nf.loop, UV_RUN_NOWAIT), usleep(1000);
    assert_int_equal(amf_ue_count(t.amf), 0);
    amf_free(t.amf);
    t_nf_down(&t.nf);
    g5_sctp_global_cleanup(2000);
}

/* One-shot gNB against a running glass5g (see the top comment). */
static int client_mode(const char *port_s)
{
    uv_loop_t loop;
    g5_sctp_cfg sc;
    g5_sctp_assoc *a = NULL;
    const char *udp = getenv("AMF_N2_UDP_PORT");
    uv_loop_init(&loop);
    g5_sctp_cfg_defaults(&sc);
    sc.backend = G5_SCTP_USRSCTP;
    sc.udp_port = free_udp_port();
    sc.peer_udp_port = (uint16_t)atoi(udp ? udp : "9899");
    g5_sctp_addrs peer = {.addr = {"127.0.0.1"}, .n = 1, .port = (uint16_t)atoi(port_s)};
    int ok = g5_sctp_connect(&loop, &sc, NULL, &peer, &client_cbs, NULL, &a) == 0 &&
             spin_until(&loop, &G.ups, 1) && ng_setup(a) == 0 && spin_until(&loop, &G.msgs, 1) &&
             G.last_pc == NGAP_id_NGSetup && G.last_type == NGAP_MSG_SUCCESSFUL;
    printf("NG Setup %s\n", ok ? "Response received" : "FAILED");
    if (G.ups && !G.downs)
        g5_sctp_abort(a);
    for (int i = 0; i < 10; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    g5_sctp_global_cleanup(2000);
    uv_loop_close(&loop);
    return ok ? 0 : 1;
}

int main(void)
{
    const char *port = getenv("AMF_N2_CLIENT_PORT");
    if (port)
        return client_mode(port);
    g5_log_set_level(G5_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registration_start_over_sctp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
