/* The operator control interface of `glass5g run` (src/nf/ctl/ctl.c) against a real
 * in-process core: AMF (with the real AUSF/UDM/UDR on a temporary store and the in-test
 * gNB/UE of amf_test_util.h), SMF and UPF (no N6 device) over PFCP on loopback.
 *   - every command's answer is checked against what the NFs hold (and against what the
 *     test's own UE learnt, e.g. its 5G-GUTI from the Registration Accept);
 *   - the actions are checked by what goes out on N2: the DEREGISTRATION REQUEST (with
 *     re-registration required), the PDU session RELEASE COMMAND with the asked 5GSM cause
 *     and the UPF session deleted, NG RESET (ResetAll, cause O&M intervention);
 *   - NG Reset from the gNB naming part of the interface releases only the listed UEs and
 *     the acknowledge echoes the list (TS 38.413 §8.7.4.2.2);
 *   - bad requests get errors naming the field; the socket: mode, oversize lines, garbage,
 *     clients that leave mid-request, too many clients;
 *   - tshark (when installed) dissects the deregistration request and the NG Reset
 *     Acknowledge as an independent check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "amf_test_util.h"
#include "core/log.h"
#include "nf/ctl/ctl.h"
#include "nf/smf/smf_mod.h"
#include "nf/smf/smf.h"
#include "nf/upf/upf_host.h"

typedef struct t_core {
    t_amf t;
    upf_host *upf;
    smf *smf;
    t_ue ue;
    corectl_env env;
} t_core;

static void core_up(t_core *c, bool sessions)
{
    t_amf *t = &c->t;
    t_amf_up(t, NULL);
    c->env = (corectl_env){.cfg = &t->cfg, .amf = t->amf, .started_ms = g5_clock_ms()};
    if (sessions) {
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
        c->env.smf = c->smf;
        c->env.upf = c->upf;
    }
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

static void wait_q(t_core *c, unsigned ms)
{
    uint64_t end = g5_clock_ms() + ms;
    while (!c->t.qn && g5_clock_ms() < end)
        uv_run(&c->t.nf.loop, UV_RUN_NOWAIT), uv_sleep(1);
}

static json_t *ask(t_core *c, const char *req)
{
    json_t *a = corectl_handle(&c->env, req, strlen(req));
    assert_true(json_is_object(a));
    return a;
}

/* Asks and expects ok; returns the answer (caller decrefs). */
static json_t *ask_ok(t_core *c, const char *req)
{
    json_t *a = ask(c, req);
    if (!json_is_true(json_object_get(a, "ok")))
        fail_msg("%s: %s", req, json_string_value(json_object_get(a, "error")));
    return a;
}

static void expect_error(t_core *c, const char *req, const char *want)
{
    json_t *a = ask(c, req);
    assert_false(json_is_true(json_object_get(a, "ok")));
    const char *e = json_string_value(json_object_get(a, "error"));
    if (!e || !strstr(e, want))
        fail_msg("%s: got '%s', want '%s'", req, e ? e : "(none)", want);
    json_decref(a);
}

/* ---- a PDU session for the UE (5GSM inside UL NAS TRANSPORT, TS 24.501 §8.2.10) ---- */

static void establish(t_core *c, uint8_t psi)
{
    nas_msg m, u;
    uint8_t n1[128];
    static const uint8_t ipmax[2] = {0xff, 0xff}, pct = 1, sst = 1;
    static uint8_t psi_v;
    g5_wbuf w;
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST), 0);
    m.psi = psi;
    m.pti = 1;
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, NAS_PDU_IPV4);
    g5_wbuf_init(&w, n1, sizeof n1);
    assert_int_equal(nas_encode(&m, &w), 0);
    nas_msg_init(&u, NAS_UL_NAS_TRANSPORT);
    psi_v = psi;
    nas_ie_set_half(&u.ul_nas_transport.payload_container_type, pct);
    nas_ie_set(&u.ul_nas_transport.payload_container, n1, g5_wbuf_len(&w));
    nas_ie_set(&u.ul_nas_transport.pdu_session_id, &psi_v, 1);
    nas_ie_set_half(&u.ul_nas_transport.request_type, 1);
    nas_ie_set(&u.ul_nas_transport.dnn, (const uint8_t *)"\x08internet", 9);
    nas_ie_set(&u.ul_nas_transport.s_nssai, &sst, 1);
    t_send_msg(&c->t, &c->ue, &u, NAS_SHT_INTEGRITY_CIPHERED, false);
    wait_q(c, 3000);
    NGAP_NGAP_PDU_t pdu;
    assert_true(t_pop(&c->t, &pdu));
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_PDUSessionResourceSetup);
    ngap_free(&pdu);
}

/* The gNB's PDU Session Resource Setup Response (DL tunnel 127.0.0.11/teid): the user
 * plane is then active at the gNB (TS 38.413 §9.3.4.2). */
static void setup_response(t_core *c, uint8_t psi, uint32_t teid)
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
    a1_octets tr = {0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, &tr), 0);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_pdu_session_setup_response(&pdu, c->ue.amf_id, c->ue.ran_id, psi,
                                                           tr.buf, tr.len),
                     0);
    free(tr.buf);
    t_rx(&c->t, &pdu);
}

/* The next NAS message to the UE, deciphered; its NGAP procedure code. */
static int next_nas(t_core *c, nas_msg *m, uint8_t *plain, size_t *len)
{
    wait_q(c, 3000);
    return t_recv_nas(&c->t, &c->ue, plain, len, m);
}

/* ---- tshark oracle ---- */

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1") == 0;
}

static char *dissect(const char *proto, const uint8_t *p, size_t n)
{
    char dir[] = "/tmp/ctl_tsharkXXXXXX";
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

/* ---- tests ---- */

static void test_bad_requests(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, false);
    static const struct {
        const char *req, *err;
    } bad[] = {
        {"not json", "one JSON object per line"},
        {"[1,2]", "one JSON object per line"},
        {"{\"cmd\":\"status\",\"cmd\":\"status\"}", "one JSON object per line"},
        {"{\"nocmd\":1}", "missing \"cmd\""},
        {"{\"cmd\":7}", "missing \"cmd\""},
        {"{\"cmd\":\"reboot\"}", "unknown command 'reboot'"},
        {"{\"cmd\":\"ue-show\"}", "give \"supi\""},
        {"{\"cmd\":\"ue-show\",\"supi\":\"imsi-12a45\"}", "not imsi-<6 to 15 digits>"},
        {"{\"cmd\":\"ue-show\",\"supi\":\"imsi-0010100000000011\"}", "not imsi-"},
        {"{\"cmd\":\"ue-show\",\"supi\":\"imsi-001019999999999\"}", "no UE context"},
        {"{\"cmd\":\"ue-list\",\"limit\":0}", "\"limit\" must be an integer from 1 to 10000"},
        {"{\"cmd\":\"ue-list\",\"limit\":\"5\"}", "\"limit\" must be an integer"},
        {"{\"cmd\":\"ue-deregister\",\"supi\":\"001010000000001\",\"reregister\":1}",
         "\"reregister\" must be true or false"},
        {"{\"cmd\":\"ps-release\",\"supi\":\"imsi-001010000000001\"}", "\"psi\" must be"},
        {"{\"cmd\":\"ps-release\",\"supi\":\"imsi-001010000000001\",\"psi\":16}", "from 1 to 15"},
        {"{\"cmd\":\"ps-release\",\"supi\":\"imsi-001010000000001\",\"psi\":1,\"cause\":0}",
         "\"cause\" must be"},
        {"{\"cmd\":\"ps-release\",\"supi\":\"imsi-001010000000001\",\"psi\":3}",
         "has no PDU session 3"},
        {"{\"cmd\":\"ps-modify\",\"supi\":\"imsi-001010000000001\",\"psi\":1}", "give \"ambr_ul\""},
        {"{\"cmd\":\"ps-modify\",\"supi\":\"imsi-001010000000001\",\"psi\":1,\"ambr_ul\":1000}",
         "has no PDU session 1"},
        {"{\"cmd\":\"ng-reset\"}", "\"gnb\" must be"},
        {"{\"cmd\":\"ng-reset\",\"gnb\":99}", "no gNB 99"},
        {"{\"cmd\":\"log-level\",\"level\":\"loud\"}", "give \"level\""},
        {"{\"cmd\":\"log-level\",\"level\":\"info\",\"module\":5}", "\"module\" must be"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(&c, bad[i].req, bad[i].err);
    /* a length-bounded line: bytes after len are not read (the framing strips '\n') */
    json_t *a = corectl_handle(&c.env, "{\"cmd\":\"status\"}garbage", 16);
    assert_true(json_is_true(json_object_get(a, "ok")));
    json_decref(a);
    core_down(&c);
}

static void test_status_lists_show(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, true);
    establish(&c, 1);
    settle(&c, 50);
    json_t *a = ask_ok(&c, "{\"cmd\":\"status\"}");
    assert_int_equal(json_integer_value(json_object_get(a, "gnbs")), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "ues")), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "ues_registered")), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "ues_connected")), 1);
    assert_int_equal(json_array_size(json_object_get(a, "nfs")), 6);
    json_t *am = json_object_get(a, "amf");
    assert_int_equal(json_integer_value(json_object_get(am, "reg_complete")),
                     (json_int_t)amf_get_stats(c.t.amf)->reg_complete);
    assert_int_equal(json_integer_value(json_object_get(am, "reg_accept")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(a, "smf"), "sessions_active")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "upf"), "sessions")), 1);
    json_decref(a);

    /* gnb-list: what t_ng_setup sent (gNB ID 1 in 32 bits, PLMN 00101, TAC 1, "test-gnb") */
    a = ask_ok(&c, "{\"cmd\":\"gnb-list\"}");
    json_t *g = json_array_get(json_object_get(a, "gnbs"), 0);
    assert_non_null(g);
    assert_string_equal(json_string_value(json_object_get(g, "name")), "test-gnb");
    assert_string_equal(json_string_value(json_object_get(g, "peer")), "test");
    assert_true(json_is_true(json_object_get(g, "ng_setup")));
    assert_int_equal(json_integer_value(json_object_get(g, "ues")), 1);
    json_t *id = json_object_get(g, "global_gnb_id");
    assert_string_equal(json_string_value(json_object_get(id, "plmn")), "00101");
    assert_int_equal(json_integer_value(json_object_get(id, "gnb_id")), 1);
    assert_int_equal(json_integer_value(json_object_get(id, "bits")), 32);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(g, "tacs"), 0)), 1);
    json_decref(a);

    /* ue-list */
    a = ask_ok(&c, "{\"cmd\":\"ue-list\",\"limit\":5}");
    assert_int_equal(json_integer_value(json_object_get(a, "total")), 1);
    json_t *u = json_array_get(json_object_get(a, "ues"), 0);
    assert_string_equal(json_string_value(json_object_get(u, "supi")), "imsi-001010000000001");
    assert_string_equal(json_string_value(json_object_get(u, "gmm_state")), "REGISTERED");
    assert_string_equal(json_string_value(json_object_get(u, "cm_state")), "CM-CONNECTED");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(u, "psis"), 0)), 1);
    json_decref(a);

    /* ue-show: the GUTI the UE got in its Registration Accept; the session from the SMF */
    a = ask_ok(&c, "{\"cmd\":\"ue-show\",\"supi\":\"001010000000001\"}");
    u = json_object_get(a, "ue");
    char guti[40];
    /* AMF ID of the default config: region 2, set 1, pointer 0 (TS 23.003 §2.10.1) */
    snprintf(guti, sizeof guti, "00101%06x%08x", 2u << 16 | 1u << 6, c.ue.tmsi);
    assert_string_equal(json_string_value(json_object_get(u, "guti")), guti);
    assert_string_equal(json_string_value(json_object_get(json_object_get(u, "tai"), "plmn")),
                        "00101");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(u, "tai"), "tac")), 1);
    assert_int_equal(json_integer_value(json_object_get(u, "ran_ue_ngap_id")), c.ue.ran_id);
    assert_int_equal(json_integer_value(json_object_get(u, "amf_ue_ngap_id")), c.ue.amf_id);
    json_t *ps = json_array_get(json_object_get(u, "pdu_sessions"), 0);
    assert_int_equal(json_integer_value(json_object_get(ps, "psi")), 1);
    assert_string_equal(json_string_value(json_object_get(ps, "dnn")), "internet");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ps, "snssai"), "sst")), 1);
    const char *ip = json_string_value(json_object_get(ps, "ipv4"));
    assert_non_null(ip);
    assert_int_equal(strncmp(ip, "10.45.", 6), 0);
    assert_string_equal(json_string_value(json_object_get(ps, "up_cnx_state")), "ACTIVATED");
    /* the UPF holds this very session */
    upf_sess *us = upf_sess_by_seid(upf_host_upf(c.upf),
                                    (uint64_t)json_integer_value(json_object_get(ps, "up_seid")));
    assert_non_null(us);
    json_decref(a);
    core_down(&c);
}

static void test_ps_release(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, true);
    establish(&c, 2);
    setup_response(&c, 2, 0x4242);
    settle(&c, 30);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 1);
    json_t *a = ask_ok(
        &c, "{\"cmd\":\"ps-release\",\"supi\":\"imsi-001010000000001\",\"psi\":2,\"cause\":39}");
    json_decref(a);
    /* PDU SESSION RELEASE COMMAND #39 reactivation requested (TS 24.501 §6.3.3.2) */
    nas_msg m, gsm;
    uint8_t plain[1024];
    size_t len;
    assert_int_equal(next_nas(&c, &m, plain, &len), NGAP_id_PDUSessionResourceRelease);
    assert_int_equal(m.type, NAS_DL_NAS_TRANSPORT);
    const nas_ie *pl = &m.dl_nas_transport.payload_container;
    uint8_t cause, gbuf[512];
    memcpy(gbuf, pl->v, pl->len);
    assert_int_equal(nas_decode(gbuf, pl->len, &gsm, &cause), 0);
    assert_int_equal(gsm.type, NAS_PDU_SESSION_RELEASE_COMMAND);
    assert_int_equal(gsm.psi, 2);
    assert_int_equal(gsm.pdu_session_release_command.ie_5gsm_cause.v[0], 39);
    settle(&c, 50);
    assert_int_equal(upf_host_upf(c.upf)->n_sess, 0); /* PFCP Session Deletion done */
    a = ask_ok(&c, "{\"cmd\":\"ue-show\",\"supi\":\"imsi-001010000000001\"}");
    assert_int_equal(json_array_size(json_object_get(json_object_get(a, "ue"), "pdu_sessions")), 0);
    json_decref(a);
    expect_error(&c, "{\"cmd\":\"ps-release\",\"supi\":\"imsi-001010000000001\",\"psi\":2}",
                 "has no PDU session 2");
    core_down(&c);
}

/* Session-AMBR value of one direction in bits/s (TS 24.501 §9.11.4.14: unit 1 = 1 Kbps,
 * 6 = 1 Mbps; the others are not used by our SMF), 0 for another unit. */
static uint64_t ambr_bps(uint8_t unit, uint32_t v)
{
    return unit == 1 ? v * 1000ull : unit == 6 ? v * 1000000ull : 0;
}

/* ps-modify: network-requested modification of the session-AMBR (TS 24.501 §6.3.2): a
 * PDU Session Resource Modify Request whose NAS-PDU carries a MODIFICATION COMMAND with
 * PTI 0 and the new Session-AMBR. */
static void test_ps_modify(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, true);
    establish(&c, 2);
    setup_response(&c, 2, 0x4242);
    settle(&c, 30);
    uint64_t before = smf_mod_get_stats(c.smf)->network_requested;
    json_t *a = ask_ok(&c, "{\"cmd\":\"ps-modify\",\"supi\":\"imsi-001010000000001\",\"psi\":2,"
                           "\"ambr_ul\":20000000,\"ambr_dl\":20000000}");
    json_decref(a);
    assert_int_equal(smf_mod_get_stats(c.smf)->network_requested, before + 1);
    /* the NAS-PDU rides in the Modify list item (TS 38.413 §9.2.1.5), not at the top */
    wait_q(&c, 3000);
    NGAP_NGAP_PDU_t pdu;
    assert_true(t_pop(&c.t, &pdu));
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_PDUSessionResourceModify);
    const NGAP_PDUSessionResourceModifyListModReq_t *mo =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModReq);
    assert_non_null(mo);
    assert_int_equal(mo->count, 1);
    assert_int_equal(mo->list[0].pDUSessionID, 2);
    const NGAP_NAS_PDU_t *nas = mo->list[0].nAS_PDU;
    assert_non_null(nas);
    nas_msg m, gsm;
    uint8_t plain[1024], cause, gbuf[512];
    size_t len = 0;
    assert_int_equal(
        nas_sec_unprotect(&c.ue.sec, NAS_DIR_DL, nas->buf, nas->len, plain, sizeof plain, &len), 0);
    ngap_free(&pdu);
    assert_int_equal(nas_decode(plain, len, &m, &cause), 0);
    assert_int_equal(m.type, NAS_DL_NAS_TRANSPORT);
    const nas_ie *pl = &m.dl_nas_transport.payload_container;
    memcpy(gbuf, pl->v, pl->len);
    assert_int_equal(nas_decode(gbuf, pl->len, &gsm, &cause), 0);
    assert_int_equal(gsm.type, NAS_PDU_SESSION_MODIFICATION_COMMAND);
    assert_int_equal(gsm.psi, 2);
    assert_int_equal(gsm.pti, 0);
    const nas_ie *ambr = &gsm.pdu_session_modification_command.session_ambr;
    assert_int_equal(ambr->len, 6);
    assert_int_equal(ambr_bps(ambr->v[0], (ambr->v[1] << 8) | ambr->v[2]), 20000000); /* DL */
    assert_int_equal(ambr_bps(ambr->v[3], (ambr->v[4] << 8) | ambr->v[5]), 20000000); /* UL */
    /* a second one while the first waits for the gNB and the UE: busy */
    expect_error(&c,
                 "{\"cmd\":\"ps-modify\",\"supi\":\"imsi-001010000000001\",\"psi\":2,"
                 "\"ambr_dl\":1000000}",
                 "busy");
    expect_error(&c,
                 "{\"cmd\":\"ps-modify\",\"supi\":\"imsi-001010000000001\",\"psi\":3,"
                 "\"ambr_dl\":1000000}",
                 "has no PDU session 3");
    core_down(&c);
}

static void test_deregister(void **s)
{
    (void)s;
    for (int rereg = 0; rereg < 2; rereg++) {
        t_core c;
        memset(&c, 0, sizeof c);
        core_up(&c, false);
        json_t *a =
            ask_ok(&c, rereg ? "{\"cmd\":\"ue-deregister\",\"supi\":\"imsi-001010000000001\","
                               "\"reregister\":true}"
                             : "{\"cmd\":\"ue-deregister\",\"supi\":\"imsi-001010000000001\"}");
        assert_int_equal(json_is_true(json_object_get(a, "reregister")), rereg);
        json_decref(a);
        nas_msg m;
        uint8_t plain[1024];
        size_t len;
        assert_int_equal(next_nas(&c, &m, plain, &len), NGAP_id_DownlinkNASTransport);
        assert_int_equal(m.type, NAS_DEREGISTRATION_REQUEST_UE_TERM);
        /* TS 24.501 §9.11.3.20: access type 3GPP, bit 3 = re-registration required */
        assert_int_equal(m.deregistration_request_ue_term.de_registration_type.half,
                         rereg ? 0x5 : 0x1);
        assert_int_equal(amf_get_stats(c.t.amf)->dereg_nw, 1);
        a = ask_ok(&c, "{\"cmd\":\"ue-show\",\"supi\":\"imsi-001010000000001\"}");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(a, "ue"), "gmm_state")),
            "DEREG_INITIATED");
        json_decref(a);
        if (have_tshark()) {
            char *d = dissect("nas-5gs", plain, len);
            if (getenv("T_SHOW"))
                puts(d);
            assert_null(strstr(d, "Malformed"));
            assert_non_null(strstr(d, "Deregistration request (UE terminated)"));
            assert_non_null(
                strstr(d, rereg ? "re-registration required" : "re-registration not required"));
            free(d);
        } else {
            printf("tshark not installed: de-registration type checked by our decoder only\n");
        }
        core_down(&c);
    }
}

static void test_ng_reset_from_ctl(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, false);
    json_t *a = ask_ok(&c, "{\"cmd\":\"ng-reset\",\"gnb\":1}");
    assert_int_equal(json_integer_value(json_object_get(a, "ue_connections_released")), 1);
    json_decref(a);
    NGAP_NGAP_PDU_t pdu;
    assert_true(t_pop(&c.t, &pdu));
    assert_int_equal(pdu.present, NGAP_MSG_INITIATING);
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_NGReset);
    const NGAP_ResetType_t *rt = ngap_find_ie(&pdu, NGAP_id_ResetType);
    assert_non_null(rt);
    assert_int_equal(rt->present, NGAP_ResetType_PR_nG_Interface);
    const NGAP_Cause_t *cause = ngap_find_ie(&pdu, NGAP_id_Cause);
    assert_int_equal(cause->present, NGAP_Cause_PR_misc);
    assert_int_equal(cause->misc, NGAP_CauseMisc_om_intervention);
    ngap_free(&pdu);
    /* the UE stays registered, now CM-IDLE */
    a = ask_ok(&c, "{\"cmd\":\"ue-show\",\"supi\":\"imsi-001010000000001\"}");
    json_t *u = json_object_get(a, "ue");
    assert_string_equal(json_string_value(json_object_get(u, "cm_state")), "CM-IDLE");
    assert_string_equal(json_string_value(json_object_get(u, "gmm_state")), "REGISTERED");
    json_decref(a);
    /* the gNB's acknowledge is taken (no Error Indication back) */
    assert_int_equal(ngap_build_ng_reset_acknowledge(&pdu), 0);
    t_rx(&c.t, &pdu);
    assert_int_equal(c.t.qn, 0);
    assert_int_equal(amf_get_stats(c.t.amf)->ng_reset_ack, 1);
    assert_int_equal(amf_get_stats(c.t.amf)->ng_reset_sent, 1);
    core_down(&c);
}

static NGAP_UE_associatedLogicalNG_connectionItem_t item(int64_t amf_id, int64_t ran_id)
{
    NGAP_UE_associatedLogicalNG_connectionItem_t it;
    memset(&it, 0, sizeof it);
    if (amf_id >= 0) {
        it.aMF_UE_NGAP_ID = malloc(sizeof *it.aMF_UE_NGAP_ID);
        *it.aMF_UE_NGAP_ID = amf_id;
    }
    if (ran_id >= 0) {
        it.rAN_UE_NGAP_ID = malloc(sizeof *it.rAN_UE_NGAP_ID);
        *it.rAN_UE_NGAP_ID = ran_id;
    }
    return it;
}

/* TS 38.413 §8.7.4.2.2: only the listed UE-associated connections go; the acknowledge
 * lists the same items in the same order. */
static void test_partial_ng_reset_from_gnb(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, false);
    t_ue ue2;
    t_ue_init(&c.t, &ue2, 2, true);
    t_register(&c.t, &ue2, 0);
    assert_int_equal(amf_ue_count(c.t.amf), 2);
    t_q_clear(&c.t);
    NGAP_NGAP_PDU_t pdu;
    NGAP_Cause_t cause = ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
    assert_int_equal(ngap_build_ng_reset(&pdu, &cause), 0);
    NGAP_ResetType_t *rt = (NGAP_ResetType_t *)ngap_find_ie(&pdu, NGAP_id_ResetType);
    rt->present = NGAP_ResetType_PR_partOfNG_Interface;
    NGAP_UE_associatedLogicalNG_connectionList_t *l = &rt->partOfNG_Interface;
    l->list = calloc(3, sizeof *l->list);
    l->count = 3;
    l->list[0] = item(-1, c.ue.ran_id); /* UE 1 by its RAN UE NGAP ID only */
    l->list[1] = item(9999, -1); /* unknown */
    l->list[2] = item(c.ue.amf_id, -1); /* UE 1 again, now gone from the gNB */
    t_rx(&c.t, &pdu);
    assert_int_equal(c.t.qn, 1);
    uint8_t raw[512];
    size_t raw_len = c.t.qlen[0];
    assert_true(raw_len <= sizeof raw);
    memcpy(raw, c.t.q[0], raw_len);
    assert_true(t_pop(&c.t, &pdu));
    assert_int_equal(pdu.present, NGAP_MSG_SUCCESSFUL);
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_NGReset);
    const NGAP_UE_associatedLogicalNG_connectionList_t *al =
        ngap_find_ie(&pdu, NGAP_id_UE_associatedLogicalNG_connectionList);
    assert_non_null(al);
    assert_int_equal(al->count, 3);
    /* item 1: both IDs filled in by the AMF */
    assert_non_null(al->list[0].aMF_UE_NGAP_ID);
    assert_int_equal(*al->list[0].aMF_UE_NGAP_ID, c.ue.amf_id);
    assert_int_equal(*al->list[0].rAN_UE_NGAP_ID, c.ue.ran_id);
    /* items 2 and 3: echoed as received */
    assert_int_equal(*al->list[1].aMF_UE_NGAP_ID, 9999);
    assert_null(al->list[1].rAN_UE_NGAP_ID);
    assert_int_equal(*al->list[2].aMF_UE_NGAP_ID, c.ue.amf_id);
    assert_null(al->list[2].rAN_UE_NGAP_ID);
    ngap_free(&pdu);
    /* UE 1 is CM-IDLE, UE 2 untouched */
    amf_ue_info i1, i2;
    assert_int_equal(amf_ue_info_get(c.t.amf, "imsi-001010000000001", &i1), 0);
    assert_int_equal(amf_ue_info_get(c.t.amf, "imsi-001010000000002", &i2), 0);
    assert_false(i1.connected);
    assert_true(i1.registered);
    assert_true(i2.connected);
    assert_int_equal(amf_get_stats(c.t.amf)->ng_reset, 1);
    if (have_tshark()) {
        char *d = dissect("ngap", raw, raw_len);
        if (getenv("T_SHOW"))
            puts(d);
        assert_null(strstr(d, "Malformed"));
        assert_non_null(strstr(d, "NGResetAcknowledge"));
        assert_non_null(strstr(d, "UE-associatedLogicalNG-connectionList: 3 items"));
        assert_non_null(strstr(d, "aMF-UE-NGAP-ID: 9999"));
        assert_non_null(strstr(d, "rAN-UE-NGAP-ID: 1"));
        free(d);
    } else {
        printf("tshark not installed: acknowledge checked by our decoder only\n");
    }
    core_down(&c);
}

static void test_log_level(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, false);
    enum g5_log_level before = g5_log_get_level();
    json_t *a = ask_ok(&c, "{\"cmd\":\"log-level\",\"level\":\"debug\"}");
    assert_int_equal(g5_log_get_level(), G5_LOG_DEBUG);
    json_decref(a);
    a = ask_ok(&c, "{\"cmd\":\"log-level\",\"level\":\"error\"}");
    assert_string_equal(json_string_value(json_object_get(a, "previous")),
                        g5_log_level_name(G5_LOG_DEBUG));
    json_decref(a);
    g5_log_set_level(before);
    core_down(&c);
}

/* ---- the socket ---- */

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
static ssize_t read_answer(t_core *c, int fd, char *buf, size_t cap, bool *eof)
{
    size_t len = 0;
    *eof = false;
    for (int spins = 0; spins < 2000 && len < cap - 1; spins++) {
        uv_run(&c->t.nf.loop, UV_RUN_NOWAIT);
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

static void pump(t_core *c)
{
    for (int k = 0; k < 20; k++)
        uv_run(&c->t.nf.loop, UV_RUN_NOWAIT), usleep(200);
}

static void test_socket(void **s)
{
    (void)s;
    t_core c;
    memset(&c, 0, sizeof c);
    core_up(&c, false);
    char path[64], err[256], buf[8192];
    bool eof;
    snprintf(path, sizeof path, "/tmp/g5-test-corectl-%d.sock", (int)getpid());
    snprintf(c.t.cfg.ctl.socket, sizeof c.t.cfg.ctl.socket, "%s", path);
    c.t.cfg.ctl.mode = 1; /* 0660 */
    corectl *ctl = corectl_start(&c.t.nf.loop, &c.env, err, sizeof err);
    assert_non_null(ctl);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0660);
    /* a request, then two in one write */
    int fd = connect_to(path);
    assert_int_equal(write(fd, "{\"cmd\":\"status\"}\n", 17), 17);
    assert_true(read_answer(&c, fd, buf, sizeof buf, &eof) > 0);
    assert_non_null(strstr(buf, "\"ok\":true"));
    assert_non_null(strstr(buf, "\"ctl\":{\"clients\":1"));
    const char two[] = "{\"cmd\":\"gnb-list\"}\n{\"cmd\":\"x\"}\n";
    assert_int_equal(write(fd, two, sizeof two - 1), (ssize_t)sizeof two - 1);
    read_answer(&c, fd, buf, sizeof buf, &eof);
    if (!strstr(buf, "unknown command"))
        read_answer(&c, fd, buf + strlen(buf), sizeof buf - strlen(buf), &eof);
    assert_non_null(strstr(buf, "test-gnb"));
    assert_non_null(strstr(buf, "unknown command"));
    /* garbage (binary, NULs) in a line: an error, the client stays served */
    static const char junk[] = "\x01\xff\x00{\"cmd\x00\n";
    assert_int_equal(write(fd, junk, sizeof junk - 1), (ssize_t)sizeof junk - 1);
    read_answer(&c, fd, buf, sizeof buf, &eof);
    assert_non_null(strstr(buf, "one JSON object per line"));
    assert_false(eof);
    close(fd);
    /* a client that leaves in the middle of a request: nothing answered, nothing leaks */
    fd = connect_to(path);
    assert_int_equal(write(fd, "{\"cmd\":\"sta", 11), 11);
    pump(&c);
    close(fd);
    pump(&c);
    assert_int_equal(corectl_stats(ctl)->clients, 0);
    /* a line longer than the limit: an error, then the server closes the client */
    fd = connect_to(path);
    static char big[CORECTL_MAX_LINE + 100];
    memset(big, 'a', sizeof big);
    ssize_t w = write(fd, big, sizeof big);
    assert_true(w > CORECTL_MAX_LINE);
    read_answer(&c, fd, buf, sizeof buf, &eof);
    assert_non_null(strstr(buf, "request longer than"));
    read_answer(&c, fd, buf, sizeof buf, &eof);
    assert_true(eof);
    close(fd);
    assert_int_equal(corectl_stats(ctl)->oversize, 1);
    /* too many clients: the one beyond the limit is told so; the others still work */
    int fds[CORECTL_MAX_CLIENTS + 1];
    for (int i = 0; i <= CORECTL_MAX_CLIENTS; i++) {
        fds[i] = connect_to(path);
        pump(&c);
    }
    assert_int_equal(corectl_stats(ctl)->clients, CORECTL_MAX_CLIENTS);
    assert_int_equal(corectl_stats(ctl)->refused, 1);
    read_answer(&c, fds[CORECTL_MAX_CLIENTS], buf, sizeof buf, &eof);
    assert_non_null(strstr(buf, "too many control clients"));
    assert_int_equal(write(fds[0], "{\"cmd\":\"ue-list\"}\n", 18), 18);
    read_answer(&c, fds[0], buf, sizeof buf, &eof);
    assert_non_null(strstr(buf, "imsi-001010000000001"));
    for (int i = 0; i <= CORECTL_MAX_CLIENTS; i++)
        close(fds[i]);
    pump(&c);
    assert_int_equal(corectl_stats(ctl)->clients, 0);
    /* a second core does not take a socket in use */
    assert_null(corectl_start(&c.t.nf.loop, &c.env, err, sizeof err));
    assert_non_null(strstr(err, "in use by another running glass5g run"));
    corectl_stop(ctl);
    pump(&c);
    assert_int_equal(access(path, F_OK), -1); /* removed at stop */
    /* the default mode is owner-only */
    c.t.cfg.ctl.mode = 0;
    ctl = corectl_start(&c.t.nf.loop, &c.env, err, sizeof err);
    assert_non_null(ctl);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    corectl_stop(ctl);
    pump(&c);
    /* the default path: next to the store */
    g5_config d;
    g5_config_defaults(&d);
    snprintf(d.store.path, sizeof d.store.path, "/var/lib/glass5g/glass5g.db");
    assert_int_equal(corectl_socket_path(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "/var/lib/glass5g/glass5g.db-ctl");
    snprintf(d.store.path, sizeof d.store.path, "glass5g.db");
    assert_int_equal(corectl_socket_path(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "glass5g.db-ctl");
    memset(d.store.path, 'x', 200);
    d.store.path[0] = '/';
    d.store.path[150] = '/';
    d.store.path[200] = 0;
    assert_int_equal(corectl_socket_path(&d, buf, sizeof buf), G5_ERR_TOO_LONG);
    core_down(&c);
}

/* ctl.* keys in glass5g.yaml: errors name the field. */
static void test_config(void **s)
{
    (void)s;
    g5_config cfg;
    g5_config_defaults(&cfg);
    assert_true(cfg.ctl.enabled);
    assert_int_equal(g5_config_load_string(&cfg,
                                           "ctl: {socket: /run/g5.sock, mode: \"0660\", "
                                           "enabled: true}\n",
                                           "t.yaml", NULL),
                     0);
    assert_string_equal(cfg.ctl.socket, "/run/g5.sock");
    assert_int_equal(cfg.ctl.mode, 1);
    char out[2048];
    FILE *f = fmemopen(out, sizeof out, "w");
    g5_config_defaults(&cfg);
    assert_int_equal(g5_config_load_string(&cfg, "ctl: {mode: \"0666\", sockt: x}\n", "t.yaml", f),
                     G5_ERR_CONFIG);
    fclose(f);
    assert_non_null(strstr(out, "ctl.mode"));
    assert_non_null(strstr(out, "ctl.sockt"));
    char y[300];
    snprintf(y, sizeof y, "ctl: {socket: /%0120d}\n", 0);
    f = fmemopen(out, sizeof out, "w");
    assert_int_equal(g5_config_load_string(&cfg, y, "t.yaml", f), G5_ERR_CONFIG);
    fclose(f);
    assert_non_null(strstr(out, "ctl.socket"));
}

int main(void)
{
    g5_log_set_level(G5_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_status_lists_show),
        cmocka_unit_test(test_ps_release),
        cmocka_unit_test(test_ps_modify),
        cmocka_unit_test(test_deregister),
        cmocka_unit_test(test_ng_reset_from_ctl),
        cmocka_unit_test(test_partial_ng_reset_from_gnb),
        cmocka_unit_test(test_log_level),
        cmocka_unit_test(test_socket),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
