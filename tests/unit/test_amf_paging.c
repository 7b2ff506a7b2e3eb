/* Network-triggered service request through the core, in one process (harness as in
 * test_amf_sessions.c: AMF + real AUSF/UDM/UDR, real SMF, real UPF on the loop over PFCP
 * on loopback, an in-test gNB/UE): an idle UE's session gets a downlink packet at the
 * UPF, which buffers and reports it; the SMF's N1N2 makes the AMF send NGAP Paging
 * (TS 38.413 §8.5.1: 5G-S-TMSI, TAI List for Paging; dissected by tshark as an
 * independent check) to the gNBs of the registration area and start T3513; the UE's
 * Service Request (service type "mobile terminated services") stops T3513 and the paged
 * session comes back in the Initial Context Setup, after which the buffered packet goes
 * to the new gNB tunnel. Also: T3513 retransmissions and expiry (the SMF is told and
 * re-arms, the next packet pages again), and a CM-CONNECTED UE that gets the PDU Session
 * Resource Setup Request directly. */
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
#include "gtpu/gtpu.h"
#include "nf/amf/amf_int.h"
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

/* SERVICE REQUEST (TS 24.501 §8.2.16) for the 5G-S-TMSI, service type svc_type
 * (§9.11.3.50: 0 signalling, 1 data, 2 mobile terminated services), with uplink data
 * status uds (bit n = PSI n; 0 = IE absent) and a PDU session status equal to it. */
static void service_request(t_core *c, uint16_t uds, bool initial, uint8_t svc_type)
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
    nas_ie_set_half(&m.service_request.service_type, svc_type);
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

/* ---- paging ---- */

static const amf_timer_cfg FAST_T3513 = {.t3513_ms = 150, .paging_retx = 2};

/* A downlink IPv4/UDP packet to the UE's address (ue4, host order) into the UPF. */
static enum upf_verdict dl_packet(t_core *c, uint32_t ue4, uint16_t dport)
{
    static uint8_t buf[G5_GTPU_HEADROOM + 64];
    uint8_t *ip = buf + G5_GTPU_HEADROOM;
    memset(ip, 0, 48);
    ip[0] = 0x45;
    ip[3] = 48;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\x08\x08\x08\x08", 4);
    ip[16] = (uint8_t)(ue4 >> 24), ip[17] = (uint8_t)(ue4 >> 16);
    ip[18] = (uint8_t)(ue4 >> 8), ip[19] = (uint8_t)ue4;
    ip[22] = (uint8_t)(dport >> 8), ip[23] = (uint8_t)dport;
    ip[25] = 28;
    upf_out o;
    return upf_downlink(upf_host_upf(c->upf), ip, 48, g5_clock_ns(), &o);
}

/* An established PSI 1 with a gNB tunnel, then AN release; returns its ref, *ue4. */
static uint64_t idle_with_session(t_core *c, uint32_t *ue4)
{
    rx r;
    uint64_t ref = establish(c, 1, &r);
    send_setup_rsp(c, 1, 0x1111);
    settle(c, 30);
    go_idle(c);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c->smf, ref, &si), 0);
    assert_true(si.up_deactivated);
    *ue4 = (uint32_t)si.ipv4[0] << 24 | (uint32_t)si.ipv4[1] << 16 | (uint32_t)si.ipv4[2] << 8 |
           si.ipv4[3];
    return ref;
}

/* The Paging message: 5G-S-TMSI of the UE, TAI List for Paging = the AMF's TAs. */
static void check_paging(t_core *c, const rx *r)
{
    assert_int_equal(r->pc, NGAP_id_Paging);
    assert_int_equal(r->type, NGAP_MSG_INITIATING);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_decode(&pdu, r->raw, r->raw_len, NULL), 0);
    const NGAP_UEPagingIdentity_t *id = ngap_find_ie(&pdu, NGAP_id_UEPagingIdentity);
    assert_non_null(id);
    assert_int_equal(id->present, NGAP_UEPagingIdentity_PR_fiveG_S_TMSI);
    const uint8_t *t = id->fiveG_S_TMSI.fiveG_TMSI.buf;
    assert_int_equal((uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 | t[3],
                     c->ue.tmsi);
    const NGAP_TAIListForPaging_t *tl = ngap_find_ie(&pdu, NGAP_id_TAIListForPaging);
    assert_non_null(tl);
    assert_int_equal(tl->count, (size_t)c->t.cfg.amf.ntacs);
    assert_memory_equal(tl->list[0].tAI.pLMNIdentity.buf, T_PLMN, 3);
    assert_int_equal(tl->list[0].tAI.tAC.buf[2], c->t.cfg.amf.tacs[0] & 0xff);
    ngap_free(&pdu);
}

static int other_gnb_rx;
static int count_send(void *arg, uint16_t stream, const uint8_t *p, size_t n)
{
    (void)arg, (void)stream, (void)p, (void)n;
    other_gnb_rx++;
    return 0;
}

static void test_paging_then_mt_service_request(void **s)
{
    (void)s;
    t_core c;
    rx r;
    core_up_timers(&c, &FAST_T3513);
    /* a second association without NG Setup: serves no TA yet, gets no Paging */
    other_gnb_rx = 0;
    assert_non_null(amf_gnb_attach(c.t.amf, count_send, NULL, "no-setup"));
    uint32_t ue4;
    uint64_t ref = idle_with_session(&c, &ue4);
    upf *u = upf_host_upf(c.upf);

    assert_int_equal(dl_packet(&c, ue4, 7001), UPF_DROP); /* buffered + reported */
    assert_true(pop_rx(&c, &r));
    check_paging(&c, &r);
    if (have_tshark()) { /* independent dissector */
        char *ng = dissect("ngap", r.raw, r.raw_len);
        assert_null(strstr(ng, "Malformed"));
        assert_non_null(strstr(ng, "Paging"));
        char want[40];
        snprintf(want, sizeof want, "fiveG-TMSI: %u (0x%08x)", c.ue.tmsi, c.ue.tmsi);
        assert_non_null(strstr(ng, want));
        assert_non_null(strstr(ng, "TAIListForPaging"));
        assert_non_null(strstr(ng, "tAC: 1 (0x000001)"));
        free(ng);
    } else {
        printf("SKIP (oracle part): tshark/text2pcap not installed\n");
    }
    const amf_stats *st = amf_get_stats(c.t.amf);
    assert_int_equal(st->paging_n1n2, 1);
    assert_int_equal(st->paging_sent, 1);
    assert_int_equal(other_gnb_rx, 0);

    /* the UE answers: Service Request, mobile terminated services, no uplink data */
    c.ue.ran_id = 77;
    service_request(&c, 0, true, 2);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_InitialContextSetup);
    assert_int_equal(r.nas.type, NAS_SERVICE_ACCEPT);
    assert_int_equal(r.psi, 1); /* the paged session is in it */
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_int_equal(ul_teid_of(r.tr, r.tr_len), si.ul_teid);
    assert_int_equal(st->paging_answered, 1);
    /* ICS Response with the new DL tunnel: the buffered packet leaves the UPF */
    NGAP_NGAP_PDU_t pdu;
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
    settle(&c, 400); /* > 2 x T3513: no retransmission after the answer */
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_false(si.up_deactivated);
    assert_int_equal(si.gnb_teid, 0x2222);
    assert_int_equal(u->c.buf_flushed, 1);
    assert_int_equal(st->paging_retx, 0);
    assert_int_equal(st->paging_timeout, 0);
    assert_false(pop_rx_wait(&c, &r, 10));
    core_down(&c);
}

static void test_t3513_expiry(void **s)
{
    (void)s;
    t_core c;
    rx r;
    core_up_timers(&c, &FAST_T3513);
    uint32_t ue4;
    uint64_t ref = idle_with_session(&c, &ue4);
    assert_int_equal(dl_packet(&c, ue4, 7001), UPF_DROP);
    /* the first Paging and paging_retx = 2 retransmissions, then nothing */
    for (int i = 0; i < 3; i++) {
        assert_true(pop_rx_wait(&c, &r, 1000));
        check_paging(&c, &r);
    }
    settle(&c, 400);
    assert_false(pop_rx_wait(&c, &r, 10));
    const amf_stats *st = amf_get_stats(c.t.amf);
    assert_int_equal(st->paging_sent, 3);
    assert_int_equal(st->paging_retx, 2);
    assert_int_equal(st->paging_timeout, 1);
    assert_int_equal(smf_get_stats(c.smf)->paging_failures, 1);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_true(si.up_deactivated); /* the session stays, deactivated */
    /* re-armed at the UPF: new downlink data pages again */
    assert_int_equal(dl_packet(&c, ue4, 7002), UPF_DROP);
    assert_true(pop_rx_wait(&c, &r, 1000));
    check_paging(&c, &r);
    assert_int_equal(st->paging_n1n2, 2);
    core_down(&c);
}

/* A CM-CONNECTED UE whose session is deactivated (signalling-only Service Request) gets
 * the PDU Session Resource Setup Request at once, no Paging (TS 23.502 §4.2.3.3 4a). */
static void test_connected_ue_no_paging(void **s)
{
    (void)s;
    t_core c;
    rx r;
    core_up_timers(&c, &FAST_T3513);
    uint32_t ue4;
    uint64_t ref = idle_with_session(&c, &ue4);
    c.ue.ran_id = 43;
    service_request(&c, 0, true, 0);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_InitialContextSetup);
    assert_int_equal(r.tr_len, 0);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_initial_context_setup_response(&pdu, c.ue.amf_id, c.ue.ran_id), 0);
    t_rx(&c.t, &pdu);
    assert_int_equal(dl_packet(&c, ue4, 7003), UPF_DROP);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_PDUSessionResourceSetup);
    assert_int_equal(r.psi, 1);
    assert_int_equal(amf_get_stats(c.t.amf)->paging_connected, 1);
    assert_int_equal(amf_get_stats(c.t.amf)->paging_sent, 0);
    send_setup_rsp(&c, 1, 0x4444);
    settle(&c, 50);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c.smf, ref, &si), 0);
    assert_false(si.up_deactivated);
    assert_int_equal(upf_host_upf(c.upf)->c.buf_flushed, 1);
    core_down(&c);
}

/* The Paging builder against tshark with several TAIs (the list is the registration
 * area, up to maxnoofTAIforPaging). */
static void test_paging_builder(void **s)
{
    (void)s;
    NGAP_NGAP_PDU_t pdu;
    static const uint32_t tacs[3] = {1, 0x123456, 0xfffffe};
    assert_int_equal(amf_paging_build(&pdu, 0x3ff, 0x3f, 0xc0ffee01, T_PLMN, tacs, 0),
                     G5_ERR_INVALID);
    assert_int_equal(amf_paging_build(&pdu, 0x3ff, 0x3f, 0xc0ffee01, T_PLMN, tacs, 3), 0);
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 512);
    assert_int_equal(ngap_encode(&pdu, &w), 0);
    ngap_free(&pdu);
    NGAP_NGAP_PDU_t back;
    assert_int_equal(ngap_decode(&back, g5_wbuf_data(&w), g5_wbuf_len(&w), NULL), 0);
    const NGAP_TAIListForPaging_t *tl = ngap_find_ie(&back, NGAP_id_TAIListForPaging);
    assert_non_null(tl);
    assert_int_equal(tl->count, 3);
    ngap_free(&back);
    if (have_tshark()) {
        char *ng = dissect("ngap", g5_wbuf_data(&w), g5_wbuf_len(&w));
        if (getenv("T_SHOW"))
            puts(ng);
        assert_null(strstr(ng, "Malformed"));
        assert_non_null(strstr(ng, "decimal value 1023]")); /* AMF Set ID */
        assert_non_null(strstr(ng, "decimal value 63]")); /* AMF Pointer */
        assert_non_null(strstr(ng, "fiveG-TMSI: 3237998081 (0xc0ffee01)"));
        assert_non_null(strstr(ng, "tAC: 1193046 (0x123456)"));
        assert_non_null(strstr(ng, "tAC: 16777214 (0xfffffe)"));
        free(ng);
    } else {
        printf("SKIP (oracle part): tshark/text2pcap not installed\n");
    }
    g5_wbuf_free(&w);
}

int main(void)
{
    g5_log_set_level(G5_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paging_builder),
        cmocka_unit_test(test_paging_then_mt_service_request),
        cmocka_unit_test(test_t3513_expiry),
        cmocka_unit_test(test_connected_ue_no_paging),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
