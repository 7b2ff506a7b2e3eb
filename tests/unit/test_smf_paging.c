/* Network-triggered service request, SMF and UPF side (TS 23.502 §4.2.3.3, TS 29.244
 * §5.2.4.1), in one process over loopback PFCP with the real UPF (as test_smf_upf.c):
 * an idle session's downlink packets are held by the UPF (bounded, the excess counted),
 * its first one reported (Session Report Request, Downlink Data Report), the SMF answers
 * and hands the AMF one N1N2 (kind ACTIVATE) with the Setup Request Transfer (decoded
 * here: the UPF's N3 address and UL TEID), suppresses further reports while that attempt
 * runs, re-arms the UPF after a paging failure, and the held packets go out to the new
 * gNB tunnel in arrival order once the service request has re-activated the session.
 * A report for an unknown SEID is answered "Session context not found" (cause 65). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "asn1/aper.h"
#include "core/err.h"
#include "core/loop.h"
#include "gtpu/gtpu.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/config.h"
#include "nf/smf/smf.h"
#include "nf/smf/smf_gsm.h"
#include "nf/upf/upf.h"
#include "ngap/ngap_msg.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

typedef struct itest {
    uv_loop_t loop;
    uv_udp_t udp; /* the UPF's N4 socket */
    upf upf;
    g5_config cfg;
    smf *smf;
    int n_cb;
    int rc;
    smf_create_rsp crsp;
    uint8_t n2[512];
    size_t n2_len;
    bool released;
    /* what the SMF told the "AMF" */
    int n_n1n2;
    smf_n1n2_msg last;
    char last_supi[32];
    uint8_t last_n2[512];
    /* what the UPF sent on N3 (buffered packets flushed) */
    int n_n3;
    uint32_t n3_teid[128];
    uint16_t n3_dport[128];
    /* Session Report Responses the SMF sent (cause) */
    int n_report_rsp;
    uint32_t report_seq; /* only the responses to our injected reports count */
    uint8_t report_cause;
    g5_pfcp_msg msg;
} itest;

static itest *T;

static void udp_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)h;
    (void)sz;
    static char buf[65536];
    *b = uv_buf_init(buf, sizeof buf);
}

/* UPF-initiated requests (session reports) go back to the SMF from the N4 socket. */
static void upf_send(void *arg, const void *sa, uint32_t sa_len, const uint8_t *p, size_t n)
{
    itest *t = arg;
    (void)sa_len;
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    uv_udp_try_send(&t->udp, &b, 1, (const struct sockaddr *)sa);
}

static void udp_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *b, const struct sockaddr *sa,
                     unsigned flags)
{
    (void)flags;
    itest *t = h->data;
    if (n <= 0 || !sa)
        return;
    static uint8_t rsp[8192];
    g5_pfcp_hdr hh;
    if (g5_pfcp_decode_hdr((const uint8_t *)b->base, (size_t)n, &hh) == 0 &&
        hh.type == G5_PFCP_SESSION_REPORT_RSP && hh.seq == t->report_seq &&
        g5_pfcp_decode((const uint8_t *)b->base, (size_t)n, &t->msg, NULL) == 0) {
        t->n_report_rsp++;
        g5_pfcp_get_u8(&t->msg, NULL, G5_PFCP_IE_CAUSE, &t->report_cause);
    }
    g5_wbuf w;
    g5_wbuf_init(&w, rsp, sizeof rsp);
    upf_pfcp_handle(&t->upf, (const uint8_t *)b->base, (size_t)n, sa, sizeof(struct sockaddr_in),
                    &w);
    if (g5_wbuf_len(&w)) {
        uv_buf_t ub = uv_buf_init((char *)rsp, (unsigned)g5_wbuf_len(&w));
        uv_udp_try_send(&t->udp, &ub, 1, sa);
    }
}

static void spin(itest *t, const int *counter, int want, unsigned ms)
{
    uint64_t end = g5_clock_ms() + ms;
    while ((!counter || *counter < want) && g5_clock_ms() < end)
        uv_run(&t->loop, UV_RUN_NOWAIT), uv_sleep(1);
}

static void on_create(void *arg, int rc, const smf_create_rsp *r)
{
    itest *t = arg;
    t->n_cb++;
    t->rc = rc;
    if (rc)
        return;
    t->crsp = *r;
    memcpy(t->n2, r->n2, r->n2_len);
    t->n2_len = r->n2_len;
}

static void on_update(void *arg, int rc, const smf_update_rsp *r)
{
    itest *t = arg;
    t->n_cb++;
    t->rc = rc;
    t->released = r && r->released;
}

static void on_release(void *arg, int rc)
{
    itest *t = arg;
    t->n_cb++;
    t->rc = rc;
}

static size_t est_req(uint8_t *out, size_t cap)
{
    nas_msg m;
    g5_wbuf w;
    static const uint8_t ipmax[2] = {0xff, 0xff};
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST), 0);
    m.psi = 1;
    m.pti = 1;
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, NAS_PDU_IPV4);
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

/* A minimal IPv4/UDP packet 8.8.8.8 -> ue. */
static size_t ipv4_udp(uint8_t *ip, const uint8_t ue[4])
{
    memset(ip, 0, 48);
    ip[0] = 0x45;
    ip[3] = 48;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\x08\x08\x08\x08", 4);
    memcpy(ip + 16, ue, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    ip[20] = 0x13, ip[21] = 0x88, ip[22] = 0x13, ip[23] = 0x89; /* ports 5000 -> 5001 */
    ip[25] = 28;
    return 48;
}

static void gnb_setup_rsp(a1_octets *out, uint32_t teid)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    uint8_t te[4] = {(uint8_t)(teid >> 24), (uint8_t)(teid >> 16), (uint8_t)(teid >> 8),
                     (uint8_t)teid};
    assert_int_equal(a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x7f\x00\x00\x0b", 32), 0);
    assert_int_equal(a1_octets_set(&u->gTPTunnel.gTP_TEID, te, 4), 0);
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list[0].qosFlowIdentifier = 1;
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, out), 0);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
}

static void on_n1n2(void *arg, const smf_n1n2_msg *m)
{
    itest *t = arg;
    t->n_n1n2++;
    t->last = *m;
    snprintf(t->last_supi, sizeof t->last_supi, "%s", m->supi);
    assert_true(m->n2_len <= sizeof t->last_n2);
    memcpy(t->last_n2, m->n2, m->n2_len);
    t->last.n2 = t->last_n2;
    t->last.supi = t->last_supi;
}

static void n3_capture(void *arg, const upf_out *o)
{
    itest *t = arg;
    g5_gtpu_hdr h;
    assert_int_equal(g5_gtpu_parse(o->out, o->out_len, &h), 0);
    assert_true(t->n_n3 < 128);
    const uint8_t *ip = o->out + (o->out_len - h.payload_len);
    t->n3_teid[t->n_n3] = h.teid;
    t->n3_dport[t->n_n3] = (uint16_t)(ip[22] << 8 | ip[23]);
    t->n_n3++;
}

/* One downlink packet to the UE on UDP port dport through the UPF's data path. */
static enum upf_verdict dl(itest *t, uint16_t dport)
{
    static uint8_t buf[G5_GTPU_HEADROOM + 256];
    uint8_t *ip = buf + G5_GTPU_HEADROOM;
    upf_out o;
    size_t n = ipv4_udp(ip, (const uint8_t *)"\x0a\x2d\x00\x02");
    ip[22] = (uint8_t)(dport >> 8);
    ip[23] = (uint8_t)dport;
    return upf_downlink(&t->upf, ip, n, g5_clock_ns(), &o);
}

static void update_up(itest *t, uint64_t ref, uint8_t up, int want_cb)
{
    smf_update_req u = {.sm_context_ref = ref, .up_cnx_state = up};
    assert_int_not_equal(smf_update_sm_context(t->smf, &u, on_update, t), 0);
    spin(t, &t->n_cb, want_cb, 3000);
    assert_int_equal(t->n_cb, want_cb);
    assert_int_equal(t->rc, 0);
}

static void setup_rsp(itest *t, uint64_t ref, uint32_t teid, int want_cb)
{
    a1_octets tr = {0};
    gnb_setup_rsp(&tr, teid);
    smf_update_req u = {
        .sm_context_ref = ref, .n2_type = SMF_N2_SETUP_RSP, .n2 = tr.buf, .n2_len = tr.len};
    assert_int_not_equal(smf_update_sm_context(t->smf, &u, on_update, t), 0);
    spin(t, &t->n_cb, want_cb, 3000);
    free(tr.buf);
    assert_int_equal(t->n_cb, want_cb);
    assert_int_equal(t->rc, 0);
}

/* A Session Report Request (DLDR) sent to the SMF as if from the UPF. */
static void inject_dldr(itest *t, uint64_t seid, uint32_t seq)
{
    g5_pfcp_sess_report_req rep;
    memset(&rep, 0, sizeof rep);
    rep.report_type = G5_PFCP_RPT_DLDR;
    rep.n_dl_pdr = 1;
    rep.dl_pdr_id[0] = 2;
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(g5_pfcp_build_sess_report_req(&w, seid, seq, &rep), 0);
    t->report_seq = seq;
    struct sockaddr_in to;
    uv_ip4_addr("127.0.0.1", smf_pfcp_local_port(smf_get_pfcp(t->smf)), &to);
    uv_buf_t ub = uv_buf_init((char *)b, (unsigned)g5_wbuf_len(&w));
    assert_true(uv_udp_try_send(&t->udp, &ub, 1, (const struct sockaddr *)&to) > 0);
    int want = t->n_report_rsp + 1;
    spin(t, &t->n_report_rsp, want, 2000);
    assert_int_equal(t->n_report_rsp, want);
}

static itest *setup_env(void)
{
    itest *t = calloc(1, sizeof *t);
    assert_non_null(t);
    T = t;
    assert_int_equal(uv_loop_init(&t->loop), 0);
    upf_params p;
    memset(&p, 0, sizeof p);
    p.max_sessions = 16;
    memcpy(p.n3_ipv4, "\x7f\x00\x00\x09", 4);
    p.node_id.type = G5_PFCP_NODE_IPV4;
    memcpy(p.node_id.ipv4, "\x7f\x00\x00\x01", 4);
    p.err_ind_per_s = 10;
    assert_int_equal(upf_init(&t->upf, &p), 0);
    t->upf.send = upf_send;
    t->upf.send_arg = t;
    t->upf.n3_send = n3_capture;
    t->upf.n3_arg = t;
    assert_int_equal(uv_udp_init(&t->loop, &t->udp), 0);
    t->udp.data = t;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_udp_bind(&t->udp, (const struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_udp_recv_start(&t->udp, udp_alloc, udp_recv), 0);
    int len = sizeof a;
    uv_udp_getsockname(&t->udp, (struct sockaddr *)&a, &len);
    g5_config_defaults(&t->cfg);
    t->cfg.smf.pfcp_port = 0;
    strcpy(t->cfg.smf.upfs[0].address, "127.0.0.1");
    t->cfg.smf.upfs[0].port = ntohs(a.sin_port);
    t->smf = smf_new(&t->loop, NULL, &t->cfg.smf, on_n1n2, t);
    assert_non_null(t->smf);
    assert_int_equal(smf_start(t->smf), 0);
    for (int i = 0; i < 2000 && !smf_pfcp_associated(smf_get_pfcp(t->smf), 0); i++)
        uv_run(&t->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_true(smf_pfcp_associated(smf_get_pfcp(t->smf), 0));
    return t;
}

static void free_env(itest *t)
{
    smf_free(t->smf);
    uv_close((uv_handle_t *)&t->udp, NULL);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    upf_free(&t->upf);
    free(t);
}

/* An established session with the gNB tunnel 0x00c0ffee, then AN release. */
static uint64_t idle_session(itest *t)
{
    uint8_t n1[128];
    smf_create_req q = {.psi = 5, .snssai = {.sst = 1, .sd = 0xFFFFFF}, .n1 = n1};
    strcpy(q.supi, "imsi-001010000000001");
    strcpy(q.dnn, "internet");
    q.n1_len = est_req(n1, sizeof n1);
    n1[1] = 5; /* PSI 5 */
    assert_int_not_equal(smf_create_sm_context(t->smf, &q, on_create, t), 0);
    spin(t, &t->n_cb, 1, 3000);
    assert_int_equal(t->rc, 0);
    assert_true(t->crsp.accepted);
    uint64_t ref = t->crsp.sm_context_ref;
    setup_rsp(t, ref, 0x00c0ffee, 2);
    assert_int_equal(dl(t, 1), UPF_TO_N3);
    update_up(t, ref, SMF_UP_DEACTIVATED, 3);
    return ref;
}

static void test_dldr_pages_once_and_flushes(void **state)
{
    (void)state;
    itest *t = setup_env();
    uint64_t ref = idle_session(t);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(t->smf, ref, &si), 0);
    assert_true(si.up_deactivated);

    /* first DL packet: held, reported, one N1N2 ACTIVATE */
    assert_int_equal(dl(t, 101), UPF_DROP);
    spin(t, &t->n_n1n2, 1, 2000);
    assert_int_equal(t->n_n1n2, 1);
    assert_int_equal(t->last.kind, SMF_N1N2_ACTIVATE);
    assert_int_equal(t->last.psi, 5);
    assert_int_equal(t->last.sm_context_ref, ref);
    assert_string_equal(t->last.supi, "imsi-001010000000001");
    assert_int_equal(t->last.n1_len, 0);
    /* the N2 SM information: Setup Request Transfer with the UPF's N3 tunnel */
    NGAP_PDUSessionResourceSetupRequestTransfer_t tr;
    memset(&tr, 0, sizeof tr);
    a1_octets o = {.buf = t->last_n2, .len = t->last.n2_len};
    assert_int_equal(
        ngap_decode_transfer(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &tr, &o), 0);
    bool found = false;
    for (size_t i = 0; i < tr.protocolIEs.count; i++) {
        if (tr.protocolIEs.list[i].id != NGAP_id_UL_NGU_UP_TNLInformation)
            continue;
        const NGAP_UPTransportLayerInformation_t *u =
            &tr.protocolIEs.list[i].value.UPTransportLayerInformation;
        assert_int_equal(u->present, NGAP_UPTransportLayerInformation_PR_gTPTunnel);
        const uint8_t *te = u->gTPTunnel.gTP_TEID.buf;
        assert_int_equal((uint32_t)te[0] << 24 | te[1] << 16 | te[2] << 8 | te[3], si.ul_teid);
        found = true;
    }
    a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &tr);
    assert_true(found);
    assert_int_equal(smf_get_stats(t->smf)->dl_data_reports, 1);

    /* more data: held, not reported again by the UPF; a duplicate report is answered
     * but does not start a second N1N2 while the attempt runs */
    assert_int_equal(dl(t, 102), UPF_DROP);
    inject_dldr(t, ref, 900);
    assert_int_equal(t->report_cause, G5_PFCP_CAUSE_ACCEPTED);
    assert_int_equal(t->n_n1n2, 1);
    assert_int_equal(smf_get_stats(t->smf)->paging_suppressed, 1);
    /* unknown SEID: Session context not found (TS 29.244 §7.5.8.2, cause 65) */
    inject_dldr(t, 0xdead, 901);
    assert_int_equal(t->report_cause, G5_PFCP_CAUSE_SESSION_NOT_FOUND);

    /* the AMF could not reach the UE: re-armed, the next packet pages again */
    assert_int_equal(smf_n1n2_failure(t->smf, ref), 0);
    assert_int_equal(smf_n1n2_failure(t->smf, 0xdead), G5_ERR_NOT_FOUND);
    spin(t, NULL, 0, 100);
    assert_int_equal(dl(t, 103), UPF_DROP);
    spin(t, &t->n_n1n2, 2, 2000);
    assert_int_equal(t->n_n1n2, 2);
    assert_int_equal(smf_get_stats(t->smf)->paging_failures, 1);
    assert_int_equal(t->upf.c.buf_flushed, 0);

    /* the service request: ACTIVATING, then the gNB's new tunnel -> held packets out, in
     * order, to the new TEID */
    update_up(t, ref, SMF_UP_ACTIVATING, 4);
    setup_rsp(t, ref, 0x00beef01, 5);
    assert_int_equal(t->n_n3, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t->n3_teid[i], 0x00beef01);
        assert_int_equal(t->n3_dport[i], 101 + i);
    }
    assert_int_equal(t->upf.c.buf_flushed, 3);
    assert_int_equal(dl(t, 104), UPF_TO_N3);
    /* active again: a stray report pages nobody */
    inject_dldr(t, ref, 902);
    assert_int_equal(t->n_n1n2, 2);
    free_env(t);
}

/* The UPF holds at most UPF_DLBUF_PKTS packets per session; the rest are dropped and
 * counted, and session deletion frees what is held (ASan checks the leak). */
static void test_buffer_bound(void **state)
{
    (void)state;
    itest *t = setup_env();
    uint64_t ref = idle_session(t);
    for (int i = 0; i < UPF_DLBUF_PKTS + 5; i++)
        assert_int_equal(dl(t, (uint16_t)(200 + i)), UPF_DROP);
    assert_int_equal(t->upf.c.buf_dropped, 5);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(t->smf, ref, &si), 0);
    const upf_sess *us = upf_sess_by_seid(&t->upf, si.up_seid);
    assert_non_null(us);
    assert_int_equal(upf_dlbuf_count(us), UPF_DLBUF_PKTS);
    spin(t, &t->n_n1n2, 1, 2000);
    assert_int_equal(t->n_n1n2, 1);
    assert_int_not_equal(smf_release_sm_context(t->smf, ref, on_release, t), 0);
    spin(t, &t->n_cb, 4, 3000);
    assert_null(upf_sess_by_seid(&t->upf, si.up_seid));
    assert_int_equal(t->n_n3, 0);
    free_env(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dldr_pages_once_and_flushes),
                                       cmocka_unit_test(test_buffer_bound)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
