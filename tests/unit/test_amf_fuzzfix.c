/* Regression tests for AMF defects found by fuzz/fuzz_amf.c, run through the same core as
 * tests/unit/test_amf_sessions.c: the AMF with the real AUSF/UDM/UDR, the real SMF and the
 * real UPF (upf_host.c on the loop, PFCP on loopback), the in-test gNB/UE of
 * amf_test_util.h. The UPF's own session table is the independent check that nothing is
 * left behind.
 *
 * 1. A second PDU SESSION ESTABLISHMENT REQUEST (request type "initial request") for a PSI
 *    that already has a session made the AMF forget the old SM context; when the SMF
 *    rejected the new request (here: a malformed 5GSM body), the old context, its UE
 *    address and its UPF session stayed in the SMF with nobody referring to them, and
 *    deregistration did not release them. The AMF now releases the old context first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <stdio.h>
#include <unistd.h>

#include "amf_test_util.h"
#include "core/log.h"
#include "nf/smf/smf.h"
#include "nf/upf/upf_host.h"

typedef struct t_core {
    t_amf t;
    upf_host *upf;
    smf *smf;
    t_ue ue;
} t_core;

static void core_up(t_core *c)
{
    t_amf *t = &c->t;
    g5_log_set_level(G5_LOG_ERROR);
    t_amf_up(t, NULL);
    strcpy(t->cfg.upf.pfcp_addr, "127.0.0.1");
    strcpy(t->cfg.upf.n3_addr, "127.0.0.1");
    t->cfg.upf.pfcp_port = 0;
    t->cfg.upf.n3_port = 0;
    t->cfg.upf.max_sessions = 16;
    int err = 0;
    c->upf = upf_host_start(&t->nf.loop, &t->cfg, false, &err);
    assert_non_null(c->upf);
    t->cfg.smf.pfcp_port = 0;
    strcpy(t->cfg.smf.upfs[0].address, "127.0.0.1");
    t->cfg.smf.upfs[0].port = upf_host_pfcp_port(c->upf);
    c->smf = smf_new(&t->nf.loop, t->nf.udm, &t->cfg.smf, amf_smf_n1n2, t->amf);
    assert_non_null(c->smf);
    assert_int_equal(smf_start(c->smf), 0);
    for (int i = 0; i < 3000 && !smf_pfcp_associated(smf_get_pfcp(c->smf), 0); i++)
        uv_run(&t->nf.loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_true(smf_pfcp_associated(smf_get_pfcp(c->smf), 0));
    amf_set_smf(t->amf, c->smf);
    t_ue_init(t, &c->ue, 1, true);
    t_register(t, &c->ue, 0);
}

static void core_down(t_core *c)
{
    amf_free(c->t.amf);
    c->t.amf = NULL;
    smf_free(c->smf);
    upf_host_stop(c->upf);
    uv_run(&c->t.nf.loop, UV_RUN_NOWAIT);
    t_q_clear(&c->t);
    t_nf_down(&c->t.nf);
}

static void settle(t_core *c, unsigned ms)
{
    uint64_t end = g5_clock_ms() + ms;
    while (g5_clock_ms() < end)
        uv_run(&c->t.nf.loop, UV_RUN_NOWAIT), uv_sleep(1);
}

/* UL NAS TRANSPORT, request type "initial request", DNN internet, S-NSSAI SST 1. */
static void send_est(t_core *c, uint8_t psi, const uint8_t *n1, size_t n1_len)
{
    static const uint8_t sst = 1;
    static uint8_t psi_v;
    nas_msg m;
    nas_msg_init(&m, NAS_UL_NAS_TRANSPORT);
    struct nas_ul_nas_transport *u = &m.ul_nas_transport;
    nas_ie_set_half(&u->payload_container_type, 1);
    nas_ie_set(&u->payload_container, n1, n1_len);
    psi_v = psi;
    nas_ie_set(&u->pdu_session_id, &psi_v, 1);
    nas_ie_set_half(&u->request_type, 1);
    nas_ie_set(&u->dnn, (const uint8_t *)"\x08internet", 9);
    nas_ie_set(&u->s_nssai, &sst, 1);
    t_send_msg(&c->t, &c->ue, &m, NAS_SHT_INTEGRITY_CIPHERED, false);
}

static size_t est_req(uint8_t psi, uint8_t *out, size_t cap)
{
    static const uint8_t ipmax[2] = {0xff, 0xff};
    nas_msg m;
    g5_wbuf w;
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST), 0);
    m.psi = psi;
    m.pti = 1;
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, NAS_PDU_IPV4);
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

static void test_reestablish_rejected_releases_old_session(void **s)
{
    (void)s;
    t_core c;
    uint8_t n1[128];
    core_up(&c);
    send_est(&c, 1, n1, est_req(1, n1, sizeof n1));
    settle(&c, 100);
    assert_int_equal(smf_get_stats(c.smf)->active, 1);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 1);
    t_q_clear(&c.t);
    /* the same PSI again, with a 5GSM body the SMF refuses: EPD, PSI, PTI, type, then an
     * IE with a length running past the end (TS 24.501 §7.3: protocol error) */
    static const uint8_t bad[] = {0x2e, 0x01, 0x02, 0xc1, 0xff, 0xff, 0x91, 0x7b, 0x00, 0x40};
    send_est(&c, 1, bad, sizeof bad);
    settle(&c, 150);
    /* the UE got the ESTABLISHMENT REJECT and the old session is gone everywhere */
    nas_msg m;
    uint8_t plain[1024];
    assert_int_equal(t_expect_nas(&c.t, &c.ue, &m, plain), NAS_DL_NAS_TRANSPORT);
    assert_int_equal(m.dl_nas_transport.payload_container.v[3],
                     NAS_PDU_SESSION_ESTABLISHMENT_REJECT);
    assert_int_equal(smf_get_stats(c.smf)->active, 0);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 0);
    core_down(&c);
}

static void test_reestablish_accepted_replaces(void **s)
{
    (void)s;
    t_core c;
    uint8_t n1[128];
    core_up(&c);
    send_est(&c, 3, n1, est_req(3, n1, sizeof n1));
    settle(&c, 100);
    send_est(&c, 3, n1, est_req(3, n1, sizeof n1));
    settle(&c, 150);
    /* one session for PSI 3, at the SMF and at the UPF */
    assert_int_equal(smf_get_stats(c.smf)->active, 1);
    assert_int_equal(smf_get_stats(c.smf)->created, 2);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 1);
    core_down(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reestablish_rejected_releases_old_session),
        cmocka_unit_test(test_reestablish_accepted_replaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
