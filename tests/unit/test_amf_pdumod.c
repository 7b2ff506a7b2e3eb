/* PDU session modification through the core in one process (the harness of
 * test_amf_sessions.c): the AMF with the real AUSF/UDM/UDR, the real SMF and the real UPF
 * (src/nf/upf/upf_host.c) over PFCP on loopback, and the in-test gNB/UE. Covers
 * TS 23.502 §4.3.3.2: the UE's MODIFICATION REQUEST in UL NAS TRANSPORT reaching the SMF,
 * the COMMAND coming back inside an NGAP PDU Session Resource Modify Request (TS 38.413
 * §8.2.3) with the SMF's Modify Request Transfer, the gNB's Modify Response going to the
 * SMF (PDU_RES_MOD_RSP) and the UE's COMPLETE; network-requested modification through
 * N1N2MessageTransfer with the session-AMBR landing in the UPF's QER; the gNB's Failed to
 * Modify list; a REJECT in plain DL NAS TRANSPORT. tshark dissects the Modify Request and
 * the deciphered NAS as an independent check. */
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
#include "nf/smf/smf_mod.h"
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
    const NGAP_PDUSessionResourceModifyListModReq_t *mo =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModReq);
    if (mo && mo->count) {
        take_transfer(r, &mo->list[0].pDUSessionResourceModifyRequestTransfer,
                      mo->list[0].pDUSessionID);
        nas = mo->list[0].nAS_PDU ? mo->list[0].nAS_PDU : nas;
    }
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

/* ---- tshark oracle ---- */

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

/* ---- modification ---- */

static size_t mod_request(uint8_t psi, uint8_t pti, uint8_t fiveqi, uint8_t *out, size_t cap)
{
    nas_msg m;
    g5_wbuf w;
    nas_arena ar;
    nas_arena_init(&ar);
    static const uint8_t gsm_cap[1] = {0};
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_MODIFICATION_REQUEST), 0);
    m.psi = psi;
    m.pti = pti;
    nas_ie_set(&m.pdu_session_modification_request.ie_5gsm_capability, gsm_cap, 1);
    if (fiveqi) {
        nas_qos_flow f = {.qfi = 1, .op = 3, .e_bit = true, .n_param = 1};
        f.param[0] = (nas_qos_flow_param){.id = 1, .len = 1, .v = &fiveqi};
        size_t mark = g5_wbuf_len(&ar.w);
        assert_int_equal(nas_qos_flow_encode(&f, &ar.w), 0);
        assert_int_equal(
            nas_arena_ie(&ar, mark,
                         &m.pdu_session_modification_request.requested_qos_flow_descriptions),
            0);
    }
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

static size_t gsm_pti(uint8_t type, uint8_t psi, uint8_t pti, uint8_t *out, size_t cap)
{
    static uint8_t cause = 26;
    nas_msg m;
    g5_wbuf w;
    assert_int_equal(nas_msg_init(&m, type), 0);
    m.psi = psi;
    m.pti = pti;
    if (type == NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT)
        nas_ie_set(&m.pdu_session_modification_command_reject.ie_5gsm_cause, &cause, 1);
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

/* The gNB's PDU Session Resource Modify Response: psi in the ok list, or in the Failed to
 * Modify list with an Unsuccessful Transfer. */
static void send_modify_rsp(t_core *c, uint8_t psi, bool ok)
{
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_msg_init(&pdu, NGAP_MSG_SUCCESSFUL, NGAP_id_PDUSessionResourceModify), 0);
    *(NGAP_AMF_UE_NGAP_ID_t *)ngap_add_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID) = c->ue.amf_id;
    *(NGAP_RAN_UE_NGAP_ID_t *)ngap_add_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID) = c->ue.ran_id;
    if (ok) {
        NGAP_PDUSessionResourceModifyListModRes_t *l =
            ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModRes);
        l->list = calloc(1, sizeof *l->list);
        l->count = 1;
        l->list[0].pDUSessionID = psi;
        NGAP_PDUSessionResourceModifyResponseTransfer_t t;
        memset(&t, 0, sizeof t);
        assert_int_equal(ngap_encode_transfer(&NGAP_PDUSessionResourceModifyResponseTransfer_def,
                                              &t,
                                              &l->list[0].pDUSessionResourceModifyResponseTransfer),
                         0);
    } else {
        NGAP_PDUSessionResourceFailedToModifyListModRes_t *l =
            ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceFailedToModifyListModRes);
        l->list = calloc(1, sizeof *l->list);
        l->count = 1;
        l->list[0].pDUSessionID = psi;
        NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_t t;
        memset(&t, 0, sizeof t);
        t.cause = ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
        assert_int_equal(
            ngap_encode_transfer(&NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_def, &t,
                                 &l->list[0].pDUSessionResourceModifyUnsuccessfulTransfer),
            0);
    }
    t_rx(&c->t, &pdu);
}

static uint64_t session_up(t_core *c, uint8_t psi, rx *r)
{
    uint64_t ref = establish(c, psi, r);
    send_setup_rsp(c, psi, 0x00c0ffee);
    settle(c, 30);
    return ref;
}

/* The QER MBR the UPF holds for the session (kbit/s), 0 when none. */
static uint64_t upf_qer_dl_bps(t_core *c, uint64_t ref)
{
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(c->smf, ref, &si), 0);
    upf_sess *us = upf_sess_by_seid(upf_host_upf(c->upf), si.up_seid);
    assert_non_null(us);
    assert_true(us->n_qer >= 1);
    return us->qer[0].dl.rate_bps;
}

static void test_ue_requested_modification(void **s)
{
    (void)s;
    t_core c;
    rx r;
    uint8_t n1[128];
    core_up(&c);
    uint64_t ref = session_up(&c, 1, &r);
    ul_opts o = {.psi = 1};
    send_ul(&c, n1, mod_request(1, 5, 8, n1, sizeof n1), &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_PDUSessionResourceModify);
    assert_int_equal(r.type, NGAP_MSG_INITIATING);
    assert_int_equal(r.psi, 1);
    assert_int_equal(r.nas.type, NAS_DL_NAS_TRANSPORT);
    assert_int_equal(r.gsm.type, NAS_PDU_SESSION_MODIFICATION_COMMAND);
    assert_int_equal(r.gsm.pti, 5);
    NGAP_PDUSessionResourceModifyRequestTransfer_t tr;
    a1_octets in = {.buf = r.tr, .len = r.tr_len};
    memset(&tr, 0, sizeof tr);
    assert_int_equal(
        ngap_decode_transfer(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &tr, &in), 0);
    assert_int_equal(tr.protocolIEs.count, 2);
    a1_free(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &tr);
    send_modify_rsp(&c, 1, true);
    settle(&c, 30);
    smf_mod_info mi;
    assert_int_equal(smf_mod_info_get(c.smf, ref, &mi), 0);
    assert_true(mi.pending); /* waits for the UE */
    send_ul(&c, n1, gsm_pti(NAS_PDU_SESSION_MODIFICATION_COMPLETE, 1, 5, n1, sizeof n1), &o);
    settle(&c, 30);
    assert_int_equal(smf_mod_info_get(c.smf, ref, &mi), 0);
    assert_false(mi.pending);
    assert_int_equal(mi.fiveqi, 8);
    assert_int_equal(smf_mod_get_stats(c.smf)->completed, 1);
    assert_int_equal(c.t.qn, 0);

    /* a GBR 5QI: MODIFICATION REJECT #59 in a plain DL NAS TRANSPORT */
    send_ul(&c, n1, mod_request(1, 6, 1, n1, sizeof n1), &o);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_DownlinkNASTransport);
    assert_int_equal(r.gsm.type, NAS_PDU_SESSION_MODIFICATION_REJECT);
    assert_int_equal(r.gsm.pdu_session_modification_reject.ie_5gsm_cause.v[0], 59);
    core_down(&c);
}

static void test_network_requested_modification(void **s)
{
    (void)s;
    t_core c;
    rx r;
    uint8_t n1[64];
    core_up(&c);
    uint64_t ref = session_up(&c, 2, &r);
    uint64_t before = upf_qer_dl_bps(&c, ref);
    assert_int_equal(before, c.t.cfg.smf.dnns[0].ambr_dl);
    smf_mod_params p = {.ambr_ul = 20000000, .ambr_dl = 20000000};
    assert_int_equal(smf_modify_network(c.smf, ref, &p), 0);
    assert_true(pop_rx(&c, &r));
    assert_int_equal(r.pc, NGAP_id_PDUSessionResourceModify);
    assert_int_equal(r.gsm.type, NAS_PDU_SESSION_MODIFICATION_COMMAND);
    assert_int_equal(r.gsm.pti, 0);
    assert_true(r.gsm.pdu_session_modification_command.session_ambr.present);
    send_modify_rsp(&c, 2, true);
    ul_opts o = {.psi = 2};
    send_ul(&c, n1, gsm_pti(NAS_PDU_SESSION_MODIFICATION_COMPLETE, 2, 0, n1, sizeof n1), &o);
    settle(&c, 50);
    assert_int_equal(upf_qer_dl_bps(&c, ref), 20000000); /* the UPF enforces the new AMBR */
    smf_mod_info mi;
    assert_int_equal(smf_mod_info_get(c.smf, ref, &mi), 0);
    assert_int_equal(mi.ambr_ul, 20000000);

    /* the gNB cannot: the UPF keeps 20 Mbit/s */
    p.ambr_dl = 5000000;
    assert_int_equal(smf_modify_network(c.smf, ref, &p), 0);
    assert_true(pop_rx(&c, &r));
    send_modify_rsp(&c, 2, false);
    settle(&c, 30);
    assert_int_equal(smf_mod_get_stats(c.smf)->n2_failed, 1);
    assert_int_equal(upf_qer_dl_bps(&c, ref), 20000000);

    /* COMMAND REJECT from the UE */
    assert_int_equal(smf_modify_network(c.smf, ref, &p), 0);
    assert_true(pop_rx(&c, &r));
    send_ul(&c, n1, gsm_pti(NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT, 2, 0, n1, sizeof n1), &o);
    settle(&c, 30);
    assert_int_equal(smf_mod_get_stats(c.smf)->cmd_rejected, 1);
    assert_int_equal(upf_qer_dl_bps(&c, ref), 20000000);

    /* the UE goes CM-IDLE: refused (no paging from the SMF yet) */
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause =
        ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_user_inactivity);
    assert_int_equal(ngap_build_ue_context_release_request(&pdu, c.ue.amf_id, c.ue.ran_id, &cause),
                     0);
    t_rx(&c.t, &pdu);
    bool seen = false;
    while (pop_rx_wait(&c, &r, 50))
        seen |= r.pc == NGAP_id_UEContextRelease;
    assert_true(seen);
    assert_int_equal(ngap_build_ue_context_release_complete(&pdu, c.ue.amf_id, c.ue.ran_id), 0);
    t_rx(&c.t, &pdu);
    settle(&c, 50);
    assert_int_equal(smf_modify_network(c.smf, ref, &p), G5_ERR_STATE);
    core_down(&c);
}

static void test_tshark_modify_request(void **s)
{
    (void)s;
    if (!have_tshark()) {
        printf("SKIP: tshark/text2pcap not installed\n");
        skip();
    }
    t_core c;
    rx r;
    core_up(&c);
    uint64_t ref = session_up(&c, 1, &r);
    smf_mod_params p = {.ambr_ul = 20000000, .ambr_dl = 30000000};
    assert_int_equal(smf_modify_network(c.smf, ref, &p), 0);
    assert_true(pop_rx(&c, &r));
    char *ng = dissect("ngap", r.raw, r.raw_len);
    if (getenv("T_SHOW"))
        puts(ng);
    assert_null(strstr(ng, "Malformed"));
    assert_null(strstr(ng, "[Expert Info (Error"));
    assert_non_null(strstr(ng, "PDUSessionResourceModifyRequest"));
    assert_non_null(strstr(ng, "pDUSessionID: 1"));
    assert_non_null(strstr(ng, "pDUSessionAggregateMaximumBitRateDL: 30000000"));
    assert_non_null(strstr(ng, "pDUSessionAggregateMaximumBitRateUL: 20000000"));
    assert_non_null(strstr(ng, "nAS-PDU: 7e02")); /* protected DL NAS TRANSPORT */
    free(ng);
    char *nas = dissect("nas-5gs", r.plain, r.plain_len);
    if (getenv("T_SHOW"))
        puts(nas);
    assert_null(strstr(nas, "Malformed"));
    assert_non_null(strstr(nas, "DL NAS transport"));
    assert_non_null(strstr(nas, "PDU session modification command"));
    assert_non_null(strstr(nas, "Session-AMBR for downlink: 30000 Kbps"));
    free(nas);
    core_down(&c);
}

int main(void)
{
    g5_log_set_level(getenv("T_LOG") ? G5_LOG_DEBUG : G5_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ue_requested_modification),
        cmocka_unit_test(test_network_requested_modification),
        cmocka_unit_test(test_tshark_modify_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
