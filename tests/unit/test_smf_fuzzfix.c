/* Regression tests for SMF defects found by fuzz/fuzz_smf_gsm.c. The SMF talks PFCP over
 * loopback to a UDP socket of the test (a "UPF" whose answers the test times), so a
 * procedure can be made to arrive while another one's PFCP exchange is still in flight.
 *
 * 1. A network-requested release (smf_release_network) starts the PFCP deletion without a
 *    service call attached; an Nsmf update arriving meanwhile (here the gNB's Setup
 *    Response) was dispatched at once, its modification request replaced the deletion's
 *    transaction, the deletion's answer freed the session and the modification's answer
 *    then used it (heap use after free in on_mod_rsp). A session with a PFCP exchange in
 *    flight is now busy: the update waits and ends with NOT_FOUND when the deletion
 *    completes, and no modification reaches the UPF.
 * 2. The same rule for a cancelled call: the next queued call starts only after the
 *    cancelled call's PFCP answer, not on top of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/smf/smf.h"
#include "ngap/ngap_msg.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

typedef struct pend {
    uint8_t type;
    uint32_t seq;
} pend;

typedef struct fx {
    uv_loop_t loop;
    g5_config cfg;
    smf *s;
    int fd;
    struct sockaddr_in smf_addr;
    pend q[16];
    int qn;
    int seen[64]; /* PFCP requests received, by message type */
    uint64_t cp_seid, ref;
    int create_done, update_done, update_rc[4], n_update;
} fx;

static void upf_read(fx *f)
{
    uint8_t b[2048];
    for (;;) {
        socklen_t al = sizeof f->smf_addr;
        ssize_t n =
            recvfrom(f->fd, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&f->smf_addr, &al);
        if (n <= 0)
            return;
        g5_pfcp_hdr h;
        assert_int_equal(g5_pfcp_decode_hdr(b, (size_t)n, &h), 0);
        if ((h.type < 50) != (h.type % 2 == 1))
            continue; /* a response */
        if (h.type == G5_PFCP_SESSION_EST_REQ) {
            g5_pfcp_msg m;
            g5_pfcp_error e;
            g5_pfcp_fseid fs;
            assert_int_equal(g5_pfcp_decode(b, (size_t)n, &m, &e), 0);
            assert_int_equal(g5_pfcp_get_fseid(&m, NULL, &fs), 0);
            f->cp_seid = fs.seid;
        }
        f->seen[h.type < 64 ? h.type : 0]++;
        assert_true(f->qn < 16);
        f->q[f->qn++] = (pend){h.type, h.seq};
    }
}

static void spin(fx *f)
{
    for (int i = 0; i < 50; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        upf_read(f);
        usleep(200);
    }
}

/* Answers the oldest pending request as a well-behaved UPF. */
static void answer(fx *f)
{
    static const g5_pfcp_node_id node = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 1}};
    uint8_t b[2048];
    g5_wbuf w;
    g5_pfcp_sess_rsp r;
    assert_true(f->qn > 0);
    pend p = f->q[0];
    memmove(f->q, f->q + 1, (size_t)(--f->qn) * sizeof f->q[0]);
    memset(&r, 0, sizeof r);
    r.node_id = node;
    r.cause = 1;
    g5_wbuf_init(&w, b, sizeof b);
    switch (p.type) {
    case G5_PFCP_ASSOC_SETUP_REQ:
        assert_int_equal(g5_pfcp_build_assoc_setup_rsp(&w, p.seq, &node, 1, 1, 0, 0), 0);
        break;
    case G5_PFCP_HEARTBEAT_REQ:
        assert_int_equal(g5_pfcp_build_heartbeat_rsp(&w, p.seq, 1), 0);
        break;
    case G5_PFCP_SESSION_EST_REQ:
        r.has_up_fseid = true;
        r.up_fseid = (g5_pfcp_fseid){.v4 = true, .seid = 0x77, .ipv4 = {127, 0, 0, 1}};
        r.n_created = 1;
        r.created[0].pdr_id = G5_PFCP_UL_PDR;
        r.created[0].has_fteid = true;
        r.created[0].fteid = (g5_pfcp_fteid){.v4 = true, .teid = 0x100, .ipv4 = {127, 0, 0, 1}};
        assert_int_equal(g5_pfcp_build_sess_est_rsp(&w, f->cp_seid, p.seq, &r), 0);
        break;
    case G5_PFCP_SESSION_MOD_REQ:
        assert_int_equal(g5_pfcp_build_sess_mod_rsp(&w, f->cp_seid, p.seq, &r), 0);
        break;
    case G5_PFCP_SESSION_DEL_REQ:
        assert_int_equal(g5_pfcp_build_sess_del_rsp(&w, f->cp_seid, p.seq, &r), 0);
        break;
    default: fail_msg("unexpected PFCP request type %u", p.type);
    }
    assert_true(sendto(f->fd, b, g5_wbuf_len(&w), 0, (struct sockaddr *)&f->smf_addr,
                       sizeof f->smf_addr) > 0);
    spin(f);
}

static void on_create(void *arg, int rc, const smf_create_rsp *r)
{
    fx *f = arg;
    assert_int_equal(rc, 0);
    assert_true(r->accepted);
    f->ref = r->sm_context_ref;
    f->create_done++;
}

static void on_update(void *arg, int rc, const smf_update_rsp *r)
{
    fx *f = arg;
    (void)r;
    if (f->n_update < 4)
        f->update_rc[f->n_update++] = rc;
    f->update_done++;
}

static void on_n1n2(void *arg, const smf_n1n2_msg *m)
{
    (void)arg;
    (void)m;
}

/* An SMF associated with the test's UPF, one session established (PSI 1). */
static void fx_up(fx *f)
{
    memset(f, 0, sizeof *f);
    g5_log_set_level(G5_LOG_ERROR);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    g5_config_defaults(&f->cfg);
    f->fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(f->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
    strcpy(f->cfg.smf.pfcp_addr, "127.0.0.1");
    f->cfg.smf.pfcp_port = 0;
    strcpy(f->cfg.smf.upfs[0].address, "127.0.0.1");
    f->cfg.smf.upfs[0].port = ntohs(a.sin_port);
    f->s = smf_new(&f->loop, NULL, &f->cfg.smf, on_n1n2, f);
    assert_non_null(f->s);
    assert_int_equal(smf_start(f->s), 0);
    spin(f);
    answer(f); /* association */
    assert_true(smf_pfcp_associated(smf_get_pfcp(f->s), 0));
    nas_msg m;
    uint8_t n1[64];
    g5_wbuf w;
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST), 0);
    m.psi = 1;
    m.pti = 1;
    static const uint8_t ipmax[2] = {0xff, 0xff};
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    g5_wbuf_init(&w, n1, sizeof n1);
    assert_int_equal(nas_encode(&m, &w), 0);
    smf_create_req cr = {.supi = "imsi-001010000000001",
                         .psi = 1,
                         .dnn = "internet",
                         .snssai = {.sst = 1, .sd = 0xffffff},
                         .an_type = SMF_AN_3GPP,
                         .n1 = n1,
                         .n1_len = g5_wbuf_len(&w)};
    assert_int_not_equal(smf_create_sm_context(f->s, &cr, on_create, f), 0);
    spin(f);
    answer(f); /* establishment */
    assert_int_equal(f->create_done, 1);
    assert_int_equal(smf_get_stats(f->s)->active, 1);
}

static void fx_down(fx *f)
{
    smf_free(f->s);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    close(f->fd);
}

/* The gNB's PDU Session Resource Setup Response Transfer (TS 38.413 §9.3.4.2). */
static a1_octets setup_rsp_transfer(void)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    static const uint8_t te[4] = {0, 0, 0x12, 0x34};
    assert_int_equal(a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x7f\x00\x00\x0b", 32), 0);
    assert_int_equal(a1_octets_set(&u->gTPTunnel.gTP_TEID, te, 4), 0);
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list[0].qosFlowIdentifier = 1;
    a1_octets tr = {0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, &tr), 0);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
    return tr;
}

static void test_update_during_network_release(void **state)
{
    (void)state;
    fx f;
    fx_up(&f);
    assert_int_equal(smf_release_network(f.s, f.ref, 36), 0);
    spin(&f);
    assert_int_equal(f.qn, 1);
    assert_int_equal(f.q[0].type, G5_PFCP_SESSION_DEL_REQ);
    a1_octets tr = setup_rsp_transfer();
    smf_update_req u = {
        .sm_context_ref = f.ref, .n2_type = SMF_N2_SETUP_RSP, .n2 = tr.buf, .n2_len = tr.len};
    assert_int_not_equal(smf_update_sm_context(f.s, &u, on_update, &f), 0);
    free(tr.buf);
    spin(&f);
    assert_int_equal(f.qn, 1); /* the update waits for the deletion: no modification */
    assert_int_equal(f.update_done, 0);
    answer(&f); /* deletion done: the session is gone, the waiting update learns it */
    spin(&f);
    assert_int_equal(f.update_done, 1);
    assert_int_equal(f.update_rc[0], G5_ERR_NOT_FOUND);
    assert_int_equal(f.seen[G5_PFCP_SESSION_MOD_REQ], 0);
    assert_int_equal(f.qn, 0);
    assert_int_equal(smf_get_stats(f.s)->active, 0);
    /* a second network release of the gone context */
    assert_int_equal(smf_release_network(f.s, f.ref, 36), G5_ERR_NOT_FOUND);
    fx_down(&f);
}

static void test_release_network_twice_while_deleting(void **state)
{
    (void)state;
    fx f;
    fx_up(&f);
    assert_int_equal(smf_release_network(f.s, f.ref, 36), 0);
    assert_int_equal(smf_release_network(f.s, f.ref, 36), G5_ERR_AGAIN);
    spin(&f);
    assert_int_equal(f.seen[G5_PFCP_SESSION_DEL_REQ], 1);
    answer(&f);
    assert_int_equal(smf_get_stats(f.s)->released, 1);
    fx_down(&f);
}

static void test_cancelled_update_then_queued(void **state)
{
    (void)state;
    fx f;
    fx_up(&f);
    a1_octets tr = setup_rsp_transfer();
    smf_update_req u1 = {
        .sm_context_ref = f.ref, .n2_type = SMF_N2_SETUP_RSP, .n2 = tr.buf, .n2_len = tr.len};
    uint64_t id1 = smf_update_sm_context(f.s, &u1, on_update, &f);
    free(tr.buf);
    spin(&f);
    assert_int_equal(f.qn, 1);
    assert_int_equal(f.q[0].type, G5_PFCP_SESSION_MOD_REQ);
    smf_update_req u2 = {.sm_context_ref = f.ref, .up_cnx_state = SMF_UP_DEACTIVATED};
    assert_int_not_equal(smf_update_sm_context(f.s, &u2, on_update, &f), 0);
    assert_int_equal(smf_cancel(f.s, id1), 0);
    spin(&f);
    assert_int_equal(f.qn, 1); /* the queued call does not start on top of the exchange */
    answer(&f); /* the cancelled call's modification answered: the queued one starts */
    assert_int_equal(f.qn, 1);
    assert_int_equal(f.q[0].type, G5_PFCP_SESSION_MOD_REQ);
    answer(&f);
    assert_int_equal(f.update_done, 1);
    assert_int_equal(f.update_rc[0], 0);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(f.s, f.ref, &si), 0);
    assert_true(si.up_deactivated);
    fx_down(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_during_network_release),
        cmocka_unit_test(test_release_network_twice_while_deleting),
        cmocka_unit_test(test_cancelled_update_then_queued),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
