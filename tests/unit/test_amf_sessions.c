/* PDU sessions through the core, in one process: the AMF (with the real AUSF/UDM/UDR on a
 * temporary store and the in-test gNB/UE of amf_test_util.h), the real SMF, and the real
 * UPF hosted on the same loop (src/nf/upf/upf_host.c, no N6 device) reached over PFCP on
 * loopback. Covers TS 23.502 §4.3.2.2.1 establishment (accept with a pool address in the
 * DL NAS TRANSPORT inside PDU Session Resource Setup Request, UL TEID served by the UPF),
 * the gNB's Setup Response reaching the UPF as the DL tunnel, UE- and network-requested
 * release, deregistration, AN release + Service Request re-activation (§4.2.6, §4.2.3.2),
 * the §5.4.5.2.5 errors, and malformed 5GSM containers. tshark (when installed) dissects
 * the AMF's NGAP and the deciphered NAS as an independent check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <arpa/inet.h>
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

static void core_up_timers(t_core *c, const amf_timer_cfg *tc)
{
    t_amf *t = &c->t;
    t_amf_up(t, tc);
    /* the UPF on its own loopback ports, no TUN device */
    strcpy(t->cfg.upf.pfcp_addr, "127.0.0.1");
    strcpy(t->cfg.upf.n3_addr, "127.0.0.1");
    t->cfg.upf.pfcp_port = 0;
    t->cfg.upf.n3_port = 0;
    t->cfg.upf.max_sessions = 64;
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

static void core_up(t_core *c)
{
    core_up_timers(c, NULL);
}

static void core_down(t_core *c)
{
    amf_free(c->t.amf);
    c->t.amf = NULL;
    smf_free(c->smf);
    upf_host_stop(c->upf);
    uv_run(&c->t.nf.loop, UV_RUN_NOWAIT);
    amf_free(NULL);
    t_q_clear(&c->t);
    t_nf_down(&c->t.nf);
}

/* Runs the loop until the AMF sent something or ms pass (PFCP goes through sockets). */
static void wait_q(t_core *c, unsigned ms)
{
    uint64_t end = g5_clock_ms() + ms;
    while (!c->t.qn && g5_clock_ms() < end)
        uv_run(&c->t.nf.loop, UV_RUN_NOWAIT), uv_sleep(1);
}

static void settle(t_core *c, unsigned ms)
{
    uint64_t end = g5_clock_ms() + ms;
    while (g5_clock_ms() < end)
        uv_run(&c->t.nf.loop, UV_RUN_NOWAIT), uv_sleep(1);
}

/* ---- the UE's 5GSM / UL NAS TRANSPORT ---- */

static size_t est_req(uint8_t psi, uint8_t *out, size_t cap)
{
    nas_msg m;
    g5_wbuf w;
    static const uint8_t ipmax[2] = {0xff, 0xff};
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

static size_t gsm_simple(uint8_t type, uint8_t psi, uint8_t *out, size_t cap)
{
    nas_msg m;
    g5_wbuf w;
    assert_int_equal(nas_msg_init(&m, type), 0);
    m.psi = psi;
    m.pti = 2;
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

typedef struct ul_opts {
    int psi; /* < 0: no PDU session ID IE */
    int req_type; /* 0: none */
    const char *dnn; /* APN-encoded, NULL: none */
    int sst; /* 0: none */
} ul_opts;

static void send_ul(t_core *c, const uint8_t *n1, size_t n1_len, const ul_opts *o)
{
    static const uint8_t pct = 1;
    static uint8_t psi, sst;
    nas_msg m;
    nas_msg_init(&m, NAS_UL_NAS_TRANSPORT);
    struct nas_ul_nas_transport *u = &m.ul_nas_transport;
    nas_ie_set_half(&u->payload_container_type, pct);
    nas_ie_set(&u->payload_container, n1, n1_len);
    if (o->psi >= 0) {
        psi = (uint8_t)o->psi;
        nas_ie_set(&u->pdu_session_id, &psi, 1);
    }
    if (o->req_type)
        nas_ie_set_half(&u->request_type, (uint8_t)o->req_type);
    if (o->dnn)
        nas_ie_set(&u->dnn, (const uint8_t *)o->dnn, strlen(o->dnn));
    if (o->sst) {
        sst = (uint8_t)o->sst;
        nas_ie_set(&u->s_nssai, &sst, 1);
    }
    t_send_msg(&c->t, &c->ue, &m, NAS_SHT_INTEGRITY_CIPHERED, false);
}

/* ---- what the gNB receives ---- */

typedef struct rx {
    int pc, type;
    uint8_t raw[4096];
    size_t raw_len;
    nas_msg nas; /* the DL NAS TRANSPORT (or other NAS) inside, deciphered */
    uint8_t plain[1024];
    size_t plain_len;
    nas_msg gsm; /* its 5GSM payload */
    uint8_t gsm_buf[1024];
    size_t gsm_len;
    uint8_t tr[1024]; /* the first session transfer */
    size_t tr_len;
    int64_t psi;
} rx;

static void take_transfer(rx *r, const a1_octets *o, int64_t psi)
{
    if (o->len <= sizeof r->tr) {
        memcpy(r->tr, o->buf, o->len);
        r->tr_len = o->len;
    }
    r->psi = psi;
}

/* The next NGAP message to the gNB (waiting up to ms), decoded and deciphered. */
static bool pop_rx_wait(t_core *c, rx *r, unsigned ms)
{
    memset(r, 0, sizeof *r);
    wait_q(c, ms);
    t_amf *t = &c->t;
    if (!t->qn)
        return false;
    assert_true(t->qlen[0] <= sizeof r->raw);
    memcpy(r->raw, t->q[0], t->qlen[0]);
    r->raw_len = t->qlen[0];
    NGAP_NGAP_PDU_t pdu;
    assert_true(t_pop(t, &pdu));
    r->pc = ngap_procedure_code(&pdu);
    r->type = pdu.present;
    const NGAP_AMF_UE_NGAP_ID_t *aid = ngap_find_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID);
    if (aid)
        c->ue.amf_id = *aid;
    const NGAP_NAS_PDU_t *nas = ngap_find_ie(&pdu, NGAP_id_NAS_PDU);
    const NGAP_PDUSessionResourceSetupListSUReq_t *su =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceSetupListSUReq);
    const NGAP_PDUSessionResourceSetupListCxtReq_t *cx =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceSetupListCxtReq);
    const NGAP_PDUSessionResourceToReleaseListRelCmd_t *rl =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceToReleaseListRelCmd);
    if (su && su->count) {
        take_transfer(r, &su->list[0].pDUSessionResourceSetupRequestTransfer,
                      su->list[0].pDUSessionID);
        nas = su->list[0].pDUSessionNAS_PDU ? su->list[0].pDUSessionNAS_PDU : nas;
    }
    if (cx && cx->count)
        take_transfer(r, &cx->list[0].pDUSessionResourceSetupRequestTransfer,
                      cx->list[0].pDUSessionID);
    if (rl && rl->count)
        take_transfer(r, &rl->list[0].pDUSessionResourceReleaseCommandTransfer,
                      rl->list[0].pDUSessionID);
    if (nas) {
        assert_int_equal(nas_sec_unprotect(&c->ue.sec, NAS_DIR_DL, nas->buf, nas->len, r->plain,
                                           sizeof r->plain, &r->plain_len),
                         0);
        uint8_t cause;
        assert_int_equal(nas_decode(r->plain, r->plain_len, &r->nas, &cause), 0);
        if (r->nas.type == NAS_DL_NAS_TRANSPORT) {
            const nas_ie *pl = &r->nas.dl_nas_transport.payload_container;
            memcpy(r->gsm_buf, pl->v, pl->len);
            r->gsm_len = pl->len;
            assert_int_equal(nas_decode(r->gsm_buf, r->gsm_len, &r->gsm, &cause), 0);
        }
    }
    ngap_free(&pdu);
    return true;
}

static void gnb_setup_rsp_transfer(a1_octets *out, uint32_t teid)
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

static void send_setup_rsp(t_core *c, uint8_t psi, uint32_t teid)
{
    NGAP_NGAP_PDU_t pdu;
    a1_octets tr = {0};
    gnb_setup_rsp_transfer(&tr, teid);
    assert_int_equal(ngap_build_pdu_session_setup_response(&pdu, c->ue.amf_id, c->ue.ran_id, psi,
                                                           tr.buf, tr.len),
                     0);
    free(tr.buf);
    t_rx(&c->t, &pdu);
}

static bool pop_rx(t_core *c, rx *r)
{
    return pop_rx_wait(c, r, 3000);
}

/* UL TEID of a Setup Request Transfer (TS 38.413 §9.3.4.1), decoded with the NGAP codec. */
static uint32_t ul_teid_of(const uint8_t *p, size_t n)
{
    NGAP_PDUSessionResourceSetupRequestTransfer_t tr;
    a1_octets in = {.buf = (uint8_t *)p, .len = n};
    memset(&tr, 0, sizeof tr);
    assert_int_equal(
        ngap_decode_transfer(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &tr, &in), 0);
    uint32_t teid = 0;
    for (size_t i = 0; i < tr.protocolIEs.count; i++)
        if (tr.protocolIEs.list[i].id == NGAP_id_UL_NGU_UP_TNLInformation) {
            const a1_octets *t =
                &tr.protocolIEs.list[i].value.UPTransportLayerInformation.gTPTunnel.gTP_TEID;
            assert_int_equal(t->len, 4);
            teid = (uint32_t)t->buf[0] << 24 | (uint32_t)t->buf[1] << 16 |
                   (uint32_t)t->buf[2] << 8 | t->buf[3];
        }
    a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &tr);
    return teid;
}

static const ul_opts EST = {.psi = 1, .req_type = 1, .dnn = "\x08internet", .sst = 1};

/* Establishes PSI psi; returns its SM context ref and checks the accept. */
static uint64_t establish(t_core *c, uint8_t psi, rx *r)
{
    uint8_t n1[128];
    ul_opts o = EST;
    o.psi = psi;
    send_ul(c, n1, est_req(psi, n1, sizeof n1), &o);
    assert_true(pop_rx(c, r));
    assert_int_equal(r->pc, NGAP_id_PDUSessionResourceSetup);
    assert_int_equal(r->psi, psi);
    assert_int_equal(r->nas.type, NAS_DL_NAS_TRANSPORT);
    assert_int_equal(r->nas.dl_nas_transport.pdu_session_id.v[0], psi);
    assert_int_equal(r->gsm.type, NAS_PDU_SESSION_ESTABLISHMENT_ACCEPT);
    const nas_ie *addr = &r->gsm.pdu_session_establishment_accept.pdu_address;
    assert_true(addr->present && addr->len == 5);
    assert_int_equal(addr->v[0] & 7, NAS_PDU_IPV4);
    assert_int_equal(addr->v[1], 10); /* 10.45.0.0/16, the default pool */
    assert_int_equal(addr->v[2], 45);
    uint32_t teid = ul_teid_of(r->tr, r->tr_len);
    assert_int_not_equal(teid, 0);
    upf_sess *us = upf_sess_by_teid(upf_host_upf(c->upf), teid);
    assert_non_null(us); /* the UL TEID is the one the UPF serves */
    assert_int_equal(us->ue4, (uint32_t)addr->v[1] << 24 | (uint32_t)addr->v[2] << 16 |
                                  (uint32_t)addr->v[3] << 8 | addr->v[4]);
    return us->cp_seid;
}

static void test_establish_and_setup_response(void **s)
{
    (void)s;
    t_core c;
    rx r;
    core_up(&c);
    uint64_t ref = establish(&c, 1, &r);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_false(si.has_gnb);
    send_setup_rsp(&c, 1, 0x00c0ffee);
    settle(&c, 50);
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_true(si.has_gnb);
    assert_int_equal(si.gnb_teid, 0x00c0ffee);
    /* the UPF now forwards downlink to the gNB TEID */
    upf_sess *us = upf_sess_by_seid(upf_host_upf(c.upf), si.up_seid);
    assert_non_null(us);
    bool fwd = false;
    for (int i = 0; i < us->n_far; i++)
        fwd |= us->far[i].has_ohc && us->far[i].ohc_teid == 0x00c0ffee &&
               (us->far[i].action & G5_PFCP_AA_FORW);
    assert_true(fwd);
    core_down(&c);
}

static void test_ue_requested_release(void **s)
{
    (void)s;
    t_core c;
    rx r;
    uint8_t n1[64];
    core_up(&c);
    uint64_t ref = establish(&c, 1, &r);
    send_setup_rsp(&c, 1, 0x1234);
    settle(&c, 30);
    ul_opts o = {.psi = 1, .req_type = 0};
    send_ul(&c, n1, gsm_simple(NAS_PDU_SESSION_RELEASE_REQUEST, 1, n1, sizeof n1), &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_PDUSessionResourceRelease);
    assert_int_equal(r.psi, 1);
    assert_int_equal(r.gsm.type, NAS_PDU_SESSION_RELEASE_COMMAND);
    settle(&c, 50);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 0); /* PFCP deletion done */
    send_ul(&c, n1, gsm_simple(NAS_PDU_SESSION_RELEASE_COMPLETE, 1, n1, sizeof n1), &o);
    settle(&c, 30);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), G5_ERR_NOT_FOUND);
    assert_int_equal(smf_get_stats(c.smf)->active, 0);
    assert_int_equal(c.t.qn, 0); /* nothing more sent */
    core_down(&c);
}

static void test_network_requested_release(void **s)
{
    (void)s;
    t_core c;
    rx r;
    uint8_t n1[64];
    core_up(&c);
    uint64_t ref = establish(&c, 2, &r);
    send_setup_rsp(&c, 2, 0x5678);
    settle(&c, 30);
    assert_int_equal(smf_release_network(c.smf, ref, 36), 0);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_PDUSessionResourceRelease);
    assert_int_equal(r.gsm.type, NAS_PDU_SESSION_RELEASE_COMMAND);
    assert_int_equal(r.gsm.psi, 2);
    settle(&c, 50);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 0);
    /* the UE's RELEASE COMPLETE for the gone context is dropped silently */
    ul_opts o = {.psi = 2};
    send_ul(&c, n1, gsm_simple(NAS_PDU_SESSION_RELEASE_COMPLETE, 2, n1, sizeof n1), &o);
    settle(&c, 20);
    assert_int_equal(c.t.qn, 0);
    core_down(&c);
}

static void test_deregistration_releases(void **s)
{
    (void)s;
    t_core c;
    rx r;
    core_up(&c);
    establish(&c, 1, &r);
    establish(&c, 2, &r);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 2);
    nas_msg m;
    nas_mobile_identity mi;
    t_guti(&c.ue, &mi);
    nas_arena ar;
    nas_arena_init(&ar);
    nas_msg_init(&m, NAS_DEREGISTRATION_REQUEST_UE_ORIG);
    nas_ie_set_half(&m.deregistration_request_ue_orig.de_registration_type, 0x1);
    nas_ie_set_half(&m.deregistration_request_ue_orig.ngksi, 0);
    size_t mark = g5_wbuf_len(&ar.w);
    assert_int_equal(nas_mobile_identity_encode(&mi, &ar.w), 0);
    assert_int_equal(
        nas_arena_ie(&ar, mark, &m.deregistration_request_ue_orig.ie_5gs_mobile_identity), 0);
    t_send_msg(&c.t, &c.ue, &m, NAS_SHT_INTEGRITY_CIPHERED, false);
    settle(&c, 80);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 0);
    assert_int_equal(smf_get_stats(c.smf)->active, 0);
    assert_int_equal(smf_get_stats(c.smf)->released, 2);
    core_down(&c);
}

static void expect_release_cmd_and_complete(t_core *c)
{
    rx r;
    bool seen = false;
    while (pop_rx_wait(c, &r, 50))
        seen |= r.pc == NGAP_id_UEContextRelease;
    assert_true(seen);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_ue_context_release_complete(&pdu, c->ue.amf_id, c->ue.ran_id), 0);
    t_rx(&c->t, &pdu);
}

/* SERVICE REQUEST (TS 24.501 §8.2.16) for the 5G-S-TMSI, with uplink data status uds
 * (bit n = PSI n; 0 = IE absent) and a PDU session status equal to it. */
static void service_request(t_core *c, uint16_t uds, bool initial)
{
    static uint8_t u[2];
    u[0] = (uint8_t)uds;
    u[1] = (uint8_t)(uds >> 8);
    nas_msg m;
    nas_mobile_identity mi;
    t_guti(&c->ue, &mi);
    mi.type = NAS_MI_S_TMSI;
    nas_arena ar;
    nas_arena_init(&ar);
    nas_msg_init(&m, NAS_SERVICE_REQUEST);
    nas_ie_set_half(&m.service_request.ngksi, 0);
    nas_ie_set_half(&m.service_request.service_type, uds ? 1 : 0); /* data / signalling */
    size_t mark = g5_wbuf_len(&ar.w);
    assert_int_equal(nas_mobile_identity_encode(&mi, &ar.w), 0);
    assert_int_equal(nas_arena_ie(&ar, mark, &m.service_request.ie_5g_s_tmsi), 0);
    if (uds) {
        nas_ie_set(&m.service_request.uplink_data_status, u, 2);
        nas_ie_set(&m.service_request.pdu_session_status, u, 2);
    }
    t_send_msg(&c->t, &c->ue, &m, initial ? NAS_SHT_INTEGRITY : NAS_SHT_INTEGRITY_CIPHERED,
               initial);
}

static void go_idle(t_core *c)
{
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause =
        ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_user_inactivity);
    assert_int_equal(
        ngap_build_ue_context_release_request(&pdu, c->ue.amf_id, c->ue.ran_id, &cause), 0);
    t_rx(&c->t, &pdu);
    expect_release_cmd_and_complete(c);
    settle(c, 50);
}

/* A signalling-only Service Request leaves the session deactivated; a later one in
 * CM-CONNECTED with uplink data status gets the accept, then a PDU Session Resource
 * Setup Request (no Initial Context Setup any more). */
static void test_connected_service_request(void **s)
{
    (void)s;
    t_core c;
    rx r;
    core_up(&c);
    uint64_t ref = establish(&c, 3, &r);
    send_setup_rsp(&c, 3, 0x3333);
    settle(&c, 30);
    go_idle(&c);
    c.ue.ran_id = 43;
    service_request(&c, 0, true);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_InitialContextSetup);
    assert_int_equal(r.nas.type, NAS_SERVICE_ACCEPT);
    assert_int_equal(r.tr_len, 0); /* no session in it */
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_true(si.up_deactivated);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_initial_context_setup_response(&pdu, c.ue.amf_id, c.ue.ran_id), 0);
    t_rx(&c.t, &pdu);
    service_request(&c, 1u << 3, false);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_DownlinkNASTransport);
    assert_int_equal(r.nas.type, NAS_SERVICE_ACCEPT);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_PDUSessionResourceSetup);
    assert_int_equal(r.psi, 3);
    assert_int_equal(ul_teid_of(r.tr, r.tr_len), si.ul_teid);
    send_setup_rsp(&c, 3, 0x4444);
    settle(&c, 50);
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_int_equal(si.gnb_teid, 0x4444);
    assert_false(si.up_deactivated);
    core_down(&c);
}

static void test_idle_then_service_request(void **s)
{
    (void)s;
    t_core c;
    rx r;
    core_up(&c);
    uint64_t ref = establish(&c, 1, &r);
    send_setup_rsp(&c, 1, 0x1111);
    settle(&c, 30);
    /* AN release: the gNB asks, the AMF releases the UE context */
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause =
        ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_user_inactivity);
    assert_int_equal(ngap_build_ue_context_release_request(&pdu, c.ue.amf_id, c.ue.ran_id, &cause),
                     0);
    t_rx(&c.t, &pdu);
    expect_release_cmd_and_complete(&c);
    settle(&c, 50);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_true(si.up_deactivated);
    assert_false(si.has_gnb);
    upf_sess *us = upf_sess_by_seid(upf_host_upf(c.upf), si.up_seid);
    assert_non_null(us);
    for (int i = 0; i < us->n_far; i++)
        if (us->far[i].id == G5_PFCP_DL_FAR)
            assert_true(us->far[i].action & G5_PFCP_AA_BUFF);

    /* Service Request with uplink data for PSI 1 on a new N2 connection */
    c.ue.ran_id = 42;
    service_request(&c, 0x0002, true);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_InitialContextSetup);
    assert_int_equal(r.nas.type, NAS_SERVICE_ACCEPT);
    assert_true(r.nas.service_accept.pdu_session_status.present);
    assert_int_equal(r.nas.service_accept.pdu_session_status.v[0], 0x02);
    assert_true(r.nas.service_accept.pdu_session_reactivation_result.present);
    assert_int_equal(r.nas.service_accept.pdu_session_reactivation_result.v[0], 0);
    assert_int_equal(r.psi, 1);
    assert_int_equal(ul_teid_of(r.tr, r.tr_len), si.ul_teid); /* same UPF tunnel */
    /* ICS Response with the session's new DL tunnel */
    a1_octets tr = {0};
    gnb_setup_rsp_transfer(&tr, 0x2222);
    assert_int_equal(ngap_build_initial_context_setup_response(&pdu, c.ue.amf_id, c.ue.ran_id), 0);
    NGAP_PDUSessionResourceSetupListCxtRes_t *l =
        ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceSetupListCxtRes);
    assert_non_null(l);
    l->list = calloc(1, sizeof *l->list);
    l->count = 1;
    l->list[0].pDUSessionID = 1;
    l->list[0].pDUSessionResourceSetupResponseTransfer = tr;
    t_rx(&c.t, &pdu);
    settle(&c, 50);
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_true(si.has_gnb);
    assert_false(si.up_deactivated);
    assert_int_equal(si.gnb_teid, 0x2222);
    core_down(&c);
}

/* Implicit deregistration (mobile reachable timer, TS 24.501 §5.3.7) takes the sessions
 * with the context. */
static void test_implicit_deregistration(void **s)
{
    (void)s;
    t_core c;
    rx r;
    amf_timer_cfg tc = {.mobile_reachable_ms = 100};
    core_up_timers(&c, &tc);
    establish(&c, 1, &r);
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause =
        ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_user_inactivity);
    assert_int_equal(ngap_build_ue_context_release_request(&pdu, c.ue.amf_id, c.ue.ran_id, &cause),
                     0);
    t_rx(&c.t, &pdu);
    expect_release_cmd_and_complete(&c);
    settle(&c, 300);
    assert_int_equal(amf_get_stats(c.t.amf)->implicit_dereg, 1);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 0);
    assert_int_equal(smf_get_stats(c.smf)->active, 0);
    core_down(&c);
}

static void test_errors(void **s)
{
    (void)s;
    t_core c;
    rx r;
    uint8_t n1[128];
    core_up(&c);
    /* unknown PSI: the 5GSM message comes back with #90 (TS 24.501 §5.4.5.2.5) */
    ul_opts o = {.psi = 5};
    size_t n = gsm_simple(NAS_PDU_SESSION_RELEASE_REQUEST, 5, n1, sizeof n1);
    send_ul(&c, n1, n, &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_DownlinkNASTransport);
    assert_int_equal(r.nas.type, NAS_DL_NAS_TRANSPORT);
    assert_int_equal(r.nas.dl_nas_transport.ie_5gmm_cause.v[0], 90);
    assert_int_equal(r.gsm_len, n);
    assert_memory_equal(r.gsm_buf, n1, n);
    /* a DNN the subscriber does not have: the SMF's ESTABLISHMENT REJECT #27 */
    o = EST;
    o.dnn = "\x05other";
    send_ul(&c, n1, est_req(1, n1, sizeof n1), &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_DownlinkNASTransport);
    assert_int_equal(r.gsm.type, NAS_PDU_SESSION_ESTABLISHMENT_REJECT);
    assert_int_equal(r.gsm.pdu_session_establishment_reject.ie_5gsm_cause.v[0], 27);
    /* a slice outside the allowed NSSAI: not forwarded, #90 */
    o = EST;
    o.sst = 2;
    send_ul(&c, n1, est_req(1, n1, sizeof n1), &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.nas.dl_nas_transport.ie_5gmm_cause.v[0], 90);
    assert_int_equal(r.gsm.type, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST);
    /* no PDU session ID IE: 5GMM STATUS #96 */
    o = EST;
    o.psi = -1;
    send_ul(&c, n1, est_req(1, n1, sizeof n1), &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.nas.type, NAS_STATUS_5GMM);
    assert_int_equal(r.nas.status_5gmm.ie_5gmm_cause.v[0], 96);
    /* no SMF at all: #90 */
    amf_set_smf(c.t.amf, NULL);
    send_ul(&c, n1, est_req(1, n1, sizeof n1), &EST);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.nas.dl_nas_transport.ie_5gmm_cause.v[0], 90);
    amf_set_smf(c.t.amf, c.smf);
    assert_int_equal(smf_get_stats(c.smf)->active, 0);
    core_down(&c);
}

/* Malformed 5GSM containers and odd IEs: every one is answered or dropped, none crashes
 * (run under ASan/UBSan in CI). */
static void test_malformed_n1(void **s)
{
    (void)s;
    t_core c;
    rx r;
    uint8_t n1[128];
    core_up(&c);
    size_t good = est_req(1, n1, sizeof n1);
    for (size_t cut = 1; cut < good; cut++) { /* every truncation of a request */
        send_ul(&c, n1, cut, &EST);
        while (pop_rx_wait(&c, &r, 50)) /* a reject; or an accept once only an optional IE is cut */
            assert_true(r.pc == NGAP_id_DownlinkNASTransport ||
                        (cut == good - 1 && r.pc == NGAP_id_PDUSessionResourceSetup));
    }
    uint8_t junk[64];
    for (int i = 0; i < 40; i++) { /* pseudo-random bodies behind a 5GSM header */
        for (size_t k = 0; k < sizeof junk; k++)
            junk[k] = (uint8_t)(k * 37 + (size_t)i * 101 + 7);
        junk[0] = i & 1 ? NAS_EPD_5GSM : junk[0];
        junk[1] = 1;
        send_ul(&c, junk, (size_t)(i % 60) + 1, &EST);
        while (pop_rx_wait(&c, &r, 20))
            ;
    }
    ul_opts o = EST;
    o.dnn = "\x09internet"; /* label length past the end */
    send_ul(&c, n1, good, &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.nas.dl_nas_transport.ie_5gmm_cause.v[0], 90);
    o = EST;
    o.psi = 0; /* reserved PSI */
    send_ul(&c, n1, good, &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.nas.dl_nas_transport.ie_5gmm_cause.v[0], 90);
    /* the core still serves a good request */
    establish(&c, 1, &r);
    core_down(&c);
}

/* ---- tshark oracle on what the AMF sends ---- */

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1") == 0;
}

static char *dissect(const char *proto, const uint8_t *p, size_t n)
{
    char dir[] = "/tmp/amf_tsharkXXXXXX";
    assert_non_null(mkdtemp(dir));
    char txt[64], pcap[64], cmd[512];
    snprintf(txt, sizeof txt, "%s/in.txt", dir);
    snprintf(pcap, sizeof pcap, "%s/out.pcap", dir);
    FILE *f = fopen(txt, "w");
    assert_non_null(f);
    fprintf(f, "0000");
    for (size_t i = 0; i < n; i++)
        fprintf(f, " %02x", p[i]);
    fprintf(f, "\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "text2pcap -q -P %s %s %s && tshark -r %s -V 2>&1", proto, txt, pcap,
             pcap);
    FILE *o = popen(cmd, "r");
    assert_non_null(o);
    size_t cap = 1 << 17, len = 0, k;
    char *out = calloc(1, cap);
    assert_non_null(out);
    while (len + 1 < cap && (k = fread(out + len, 1, cap - 1 - len, o)) > 0)
        len += k;
    pclose(o);
    unlink(txt);
    unlink(pcap);
    rmdir(dir);
    return out;
}

static void test_tshark_setup_request(void **s)
{
    (void)s;
    if (!have_tshark()) {
        printf("SKIP: tshark/text2pcap not installed\n");
        skip();
    }
    t_core c;
    rx r;
    core_up(&c);
    establish(&c, 1, &r);
    char *ng = dissect("ngap", r.raw, r.raw_len);
    if (getenv("T_SHOW"))
        puts(ng);
    assert_null(strstr(ng, "Malformed"));
    assert_non_null(strstr(ng, "PDUSessionResourceSetupRequest"));
    assert_non_null(strstr(ng, "pDUSessionID: 1"));
    char want[32]; /* the UL TEID our codec read back, as tshark dissects it */
    snprintf(want, sizeof want, "gTP-TEID: %08x", ul_teid_of(r.tr, r.tr_len));
    assert_non_null(strstr(ng, want));
    assert_non_null(strstr(ng, "pDUSessionNAS-PDU"));
    free(ng);
    char *nas = dissect("nas-5gs", r.plain, r.plain_len);
    if (getenv("T_SHOW"))
        puts(nas);
    assert_null(strstr(nas, "Malformed"));
    assert_non_null(strstr(nas, "DL NAS transport"));
    assert_non_null(strstr(nas, "PDU session establishment accept"));
    assert_non_null(strstr(nas, "PDU address information: 10.45."));
    free(nas);
    core_down(&c);
}

int main(void)
{
    g5_log_set_level(G5_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_establish_and_setup_response),
        cmocka_unit_test(test_ue_requested_release),
        cmocka_unit_test(test_network_requested_release),
        cmocka_unit_test(test_deregistration_releases),
        cmocka_unit_test(test_idle_then_service_request),
        cmocka_unit_test(test_connected_service_request),
        cmocka_unit_test(test_implicit_deregistration),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_malformed_n1),
        cmocka_unit_test(test_tshark_setup_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
