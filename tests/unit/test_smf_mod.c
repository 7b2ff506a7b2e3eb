/* SMF PDU session modification (TS 24.501 §6.3.2, §6.4.2; TS 23.502 §4.3.3.2).
 *
 * Codecs: MODIFICATION REQUEST checks and their §6.4.2.4.1 causes (#59, #83, #84, #32,
 * #44, #81), COMMAND / REJECT built and decoded back, COMMAND REJECT parsed, the N2 Modify
 * Request Transfer inside an NGAP PDU Session Resource Modify Request and the PFCP Update
 * QER, each checked by tshark's nas-5gs / ngap / pfcp dissectors when installed.
 *
 * Procedures with the real SMF and the real UPF's N4 handler over loopback PFCP (as in
 * test_smf_upf.c): network-requested session-AMBR change 100 -> 20 Mbit/s measured at the
 * UPF's downlink and uplink QER (in-process data path with a synthetic clock, within 5%),
 * UE-requested 5QI change, COMMAND REJECT keeping the old AMBR, the gNB's Modify
 * Unsuccessful Transfer, T3591 (four retransmissions, abort at the fifth expiry),
 * release winning over a modification, and the CM-IDLE refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
#include "nf/smf/smf_gsm_mod.h"
#include "nf/smf/smf_mod.h"
#include "nf/upf/upf.h"
#include "ngap/ngap_msg.h"
#include "pfcp/pfcp_rules.h"

/* ---- 5GSM builders for what the UE sends ---- */

typedef struct req_opts {
    uint8_t pti;
    bool cap, always_on;
    const uint8_t *rules; /* requested QoS rules IE value */
    size_t rules_len;
    const uint8_t *flows; /* requested QoS flow descriptions IE value */
    size_t flows_len;
} req_opts;

static size_t mod_req(uint8_t *out, size_t cap, uint8_t psi, const req_opts *o)
{
    static const uint8_t gsm_cap[1] = {0x00};
    nas_msg m;
    g5_wbuf w;
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_MODIFICATION_REQUEST), 0);
    m.psi = psi;
    m.pti = o->pti;
    struct nas_pdu_session_modification_request *r = &m.pdu_session_modification_request;
    if (o->cap)
        nas_ie_set(&r->ie_5gsm_capability, gsm_cap, 1);
    if (o->always_on)
        nas_ie_set_half(&r->always_on_pdu_session_requested, 1);
    if (o->rules)
        nas_ie_set(&r->requested_qos_rules, o->rules, o->rules_len);
    if (o->flows)
        nas_ie_set(&r->requested_qos_flow_descriptions, o->flows, o->flows_len);
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

/* A QoS flow description (§9.11.4.12) with one parameter. */
static size_t flow_desc(uint8_t *out, size_t cap, uint8_t qfi, uint8_t op, uint8_t pid,
                        const uint8_t *v, uint8_t vlen)
{
    nas_qos_flow f = {.qfi = qfi, .op = op, .e_bit = true, .n_param = 1};
    f.param[0] = (nas_qos_flow_param){.id = pid, .len = vlen, .v = v};
    g5_wbuf w;
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_qos_flow_encode(&f, &w), 0);
    return g5_wbuf_len(&w);
}

static size_t qos_rule(uint8_t *out, size_t cap, uint8_t qri, uint8_t op, bool with_pf)
{
    static const uint8_t match_all[] = {0x01};
    nas_qos_rule q = {.qri = qri,
                      .op = op,
                      .has_precedence = op == NAS_QOS_RULE_CREATE,
                      .precedence = 10,
                      .has_qfi = op == NAS_QOS_RULE_CREATE,
                      .qfi = 1};
    if (with_pf) {
        q.n_pf = 1;
        q.pf[0] = (nas_packet_filter){
            .direction = 3, .id = 2, .content = match_all, .content_len = sizeof match_all};
    }
    g5_wbuf w;
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_qos_rule_encode(&q, &w), 0);
    return g5_wbuf_len(&w);
}

static size_t gsm_plain(uint8_t type, uint8_t psi, uint8_t pti, int cause, uint8_t *out, size_t cap)
{
    static uint8_t c;
    nas_msg m;
    g5_wbuf w;
    assert_int_equal(nas_msg_init(&m, type), 0);
    m.psi = psi;
    m.pti = pti;
    if (cause >= 0 && type == NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT) {
        c = (uint8_t)cause;
        nas_ie_set(&m.pdu_session_modification_command_reject.ie_5gsm_cause, &c, 1);
    }
    if (cause >= 0 && type == NAS_PDU_SESSION_RELEASE_REQUEST) {
        c = (uint8_t)cause;
        nas_ie_set(&m.pdu_session_release_request.ie_5gsm_cause, &c, 1);
    }
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

/* ---- codecs ---- */

static uint8_t parse_cause(const req_opts *o)
{
    uint8_t n1[256], cause = 0;
    smf_mod_req q;
    size_t n = mod_req(n1, sizeof n1, 5, o);
    int rc = smf_gsm_parse_mod_req(n1, n, 1, &q, &cause);
    return rc ? cause : 0;
}

static void test_parse_mod_req(void **state)
{
    (void)state;
    uint8_t n1[256], cause = 0, fl[64], ru[64];
    smf_mod_req q;
    req_opts o = {.pti = 7, .cap = true, .always_on = true};
    size_t n = mod_req(n1, sizeof n1, 5, &o);
    assert_int_equal(smf_gsm_parse_mod_req(n1, n, 1, &q, &cause), 0);
    assert_int_equal(q.psi, 5);
    assert_int_equal(q.pti, 7);
    assert_true(q.has_5gsm_cap);
    assert_true(q.always_on_req);
    assert_false(q.has_5qi);

    /* modify the default flow's 5QI to 8: accepted */
    const uint8_t q8 = 8, q1 = 1, q200 = 200;
    o = (req_opts){.pti = 7, .flows = fl, .flows_len = flow_desc(fl, sizeof fl, 1, 3, 1, &q8, 1)};
    n = mod_req(n1, sizeof n1, 5, &o);
    assert_int_equal(smf_gsm_parse_mod_req(n1, n, 1, &q, &cause), 0);
    assert_true(q.has_5qi);
    assert_int_equal(q.fiveqi, 8);

    /* §6.4.2.4.1 causes */
    o.flows_len = flow_desc(fl, sizeof fl, 1, 3, 1, &q1, 1); /* GBR 5QI on the default flow */
    assert_int_equal(parse_cause(&o), SMF_CAUSE_UNSUPPORTED_5QI);
    o.flows_len = flow_desc(fl, sizeof fl, 1, 3, 1, &q200, 1);
    assert_int_equal(parse_cause(&o), SMF_CAUSE_UNSUPPORTED_5QI);
    o.flows_len = flow_desc(fl, sizeof fl, 2, 3, 1, &q8, 1); /* unknown flow */
    assert_int_equal(parse_cause(&o), SMF_CAUSE_QOS_OP_SEMANTIC);
    o.flows_len = flow_desc(fl, sizeof fl, 1, 2, 1, &q8, 1); /* delete the default flow */
    assert_int_equal(parse_cause(&o), SMF_CAUSE_QOS_OP_SEMANTIC);
    o.flows_len = flow_desc(fl, sizeof fl, 2, 1, 1, &q8, 1); /* a new (dedicated) flow */
    assert_int_equal(parse_cause(&o), SMF_CAUSE_SERVICE_OPTION_NOT_SUPPORTED);
    const uint8_t mfbr[3] = {0x06, 0x00, 0x01};
    o.flows_len = flow_desc(fl, sizeof fl, 1, 3, 4, mfbr, 3); /* MFBR on a non-GBR flow */
    assert_int_equal(parse_cause(&o), SMF_CAUSE_QOS_OP_SEMANTIC);
    /* a parameter longer than the description (§9.11.4.12 content) */
    static const uint8_t bad_flow[] = {0x01, 0x60, 0x41, 0x01, 0x05, 0x08};
    o.flows = bad_flow;
    o.flows_len = sizeof bad_flow;
    assert_int_equal(parse_cause(&o), SMF_CAUSE_QOS_OP_SYNTAX);

    o = (req_opts){.pti = 7, .rules = ru};
    o.rules_len = qos_rule(ru, sizeof ru, 1, NAS_QOS_RULE_DELETE, false);
    assert_int_equal(parse_cause(&o), SMF_CAUSE_QOS_OP_SEMANTIC); /* the default rule */
    o.rules_len = qos_rule(ru, sizeof ru, 2, NAS_QOS_RULE_CREATE, true);
    assert_int_equal(parse_cause(&o), SMF_CAUSE_SERVICE_OPTION_NOT_SUPPORTED);
    o.rules_len = qos_rule(ru, sizeof ru, 2, NAS_QOS_RULE_CREATE, false);
    assert_int_equal(parse_cause(&o), SMF_CAUSE_PF_SEMANTIC);
    /* a rule whose length says more than there is (§9.11.4.13) */
    static const uint8_t bad_rule[] = {0x01, 0x00, 0x09, 0x21, 0x31, 0x01, 0x01};
    o.rules = bad_rule;
    o.rules_len = sizeof bad_rule;
    assert_int_equal(parse_cause(&o), SMF_CAUSE_QOS_OP_SYNTAX);

    o = (req_opts){.pti = 0}; /* §7.3.1: no PTI */
    assert_int_equal(parse_cause(&o), SMF_CAUSE_INVALID_PTI);
    /* not a modification request */
    n = gsm_plain(NAS_PDU_SESSION_RELEASE_REQUEST, 5, 1, -1, n1, sizeof n1);
    assert_int_not_equal(smf_gsm_parse_mod_req(n1, n, 1, &q, &cause), 0);
    assert_int_equal(cause, SMF_CAUSE_MSG_TYPE_NOT_COMPATIBLE);
    /* truncations: a cut inside the header or an IE fails cleanly (a cut between optional
     * IEs is a shorter valid message) */
    o = (req_opts){.pti = 7, .cap = true, .flows = fl};
    o.flows_len = flow_desc(fl, sizeof fl, 1, 3, 1, &q8, 1);
    n = mod_req(n1, sizeof n1, 5, &o);
    for (size_t k = 0; k < n; k++) {
        int rc = smf_gsm_parse_mod_req(n1, k, 1, &q, &cause);
        if (k < 4 || k == 5 || (k > 7 && k < n))
            assert_int_not_equal(rc, 0);
    }
}

static void test_command_and_reject(void **state)
{
    (void)state;
    uint8_t b[256];
    g5_wbuf w;
    smf_mod_cmd c = {.psi = 5,
                     .pti = 0,
                     .has_ambr = true,
                     .ambr_ul = 20000000,
                     .ambr_dl = 20000000,
                     .has_5qi = true,
                     .qfi = 1,
                     .fiveqi = 8,
                     .always_on = true};
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(smf_gsm_build_mod_command(&c, &w), 0);
    nas_msg m;
    uint8_t cause = 0;
    assert_int_equal(nas_decode(b, g5_wbuf_len(&w), &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_MODIFICATION_COMMAND);
    assert_int_equal(m.psi, 5);
    assert_int_equal(m.pti, 0);
    const struct nas_pdu_session_modification_command *k = &m.pdu_session_modification_command;
    nas_session_ambr a;
    assert_int_equal(nas_session_ambr_decode(&k->session_ambr, &a), 0);
    assert_int_equal(nas_ambr_bps(a.dl_unit, a.dl), 20000000);
    assert_int_equal(nas_ambr_bps(a.ul_unit, a.ul), 20000000);
    assert_true(k->always_on_pdu_session_indication.present);
    g5_rbuf r;
    g5_rbuf_init(&r, k->authorized_qos_flow_descriptions.v,
                 k->authorized_qos_flow_descriptions.len);
    nas_qos_flow f;
    assert_int_equal(nas_qos_flow_next(&r, &f), 0);
    assert_int_equal(f.qfi, 1);
    assert_int_equal(f.op, 3);
    assert_int_equal(f.param[0].id, 1);
    assert_int_equal(f.param[0].v[0], 8);

    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(smf_gsm_build_mod_reject(5, 9, SMF_CAUSE_QOS_OP_SEMANTIC, &w), 0);
    assert_int_equal(nas_decode(b, g5_wbuf_len(&w), &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_MODIFICATION_REJECT);
    assert_int_equal(m.pti, 9);
    assert_int_equal(m.pdu_session_modification_reject.ie_5gsm_cause.v[0], 83);

    size_t n = gsm_plain(NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT, 5, 0, 26, b, sizeof b);
    assert_int_equal(smf_gsm_parse_mod_cmd_reject(b, n, &cause), 0);
    assert_int_equal(cause, 26);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(smf_gsm_parse_mod_cmd_reject(b, i, &cause), 0);
}

static void test_n2_transfers(void **state)
{
    (void)state;
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 1024);
    smf_n2_mod m = {.ambr_ul = 20000000,
                    .ambr_dl = 30000000,
                    .has_qos = true,
                    .qfi = 1,
                    .fiveqi = 8,
                    .arp_priority = 8};
    assert_int_equal(smf_n2_build_modify_request_transfer(&m, &w), 0);
    NGAP_PDUSessionResourceModifyRequestTransfer_t t;
    assert_int_equal(a1_decode(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &t,
                               g5_wbuf_data(&w), g5_wbuf_len(&w), NULL),
                     0);
    assert_int_equal(t.protocolIEs.count, 2);
    const NGAP_PDUSessionAggregateMaximumBitRate_t *am =
        &t.protocolIEs.list[0].value.PDUSessionAggregateMaximumBitRate;
    assert_int_equal(am->pDUSessionAggregateMaximumBitRateDL, 30000000);
    assert_int_equal(am->pDUSessionAggregateMaximumBitRateUL, 20000000);
    const NGAP_QosFlowAddOrModifyRequestList_t *l =
        &t.protocolIEs.list[1].value.QosFlowAddOrModifyRequestList;
    assert_int_equal(l->count, 1);
    assert_int_equal(l->list[0].qosFlowLevelQosParameters->qosCharacteristics.nonDynamic5QI.fiveQI,
                     8);
    a1_free(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &t);
    g5_wbuf_free(&w);

    /* Modify Response Transfer: QFI 1 failed -> error; empty -> ok */
    NGAP_PDUSessionResourceModifyResponseTransfer_t rt;
    memset(&rt, 0, sizeof rt);
    a1_octets o = {0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &rt, &o), 0);
    assert_int_equal(smf_n2_parse_modify_response_transfer(o.buf, o.len, 1), 0);
    free(o.buf);
    rt.qosFlowFailedToAddOrModifyList = calloc(1, sizeof *rt.qosFlowFailedToAddOrModifyList);
    rt.qosFlowFailedToAddOrModifyList->list =
        calloc(1, sizeof *rt.qosFlowFailedToAddOrModifyList->list);
    rt.qosFlowFailedToAddOrModifyList->count = 1;
    rt.qosFlowFailedToAddOrModifyList->list[0].qosFlowIdentifier = 1;
    rt.qosFlowFailedToAddOrModifyList->list[0].cause =
        ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
    o = (a1_octets){0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &rt, &o), 0);
    a1_free(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &rt);
    assert_int_equal(smf_n2_parse_modify_response_transfer(o.buf, o.len, 1), G5_ERR_STATE);
    assert_int_not_equal(smf_n2_parse_modify_response_transfer(o.buf, 1, 1), 0);
    free(o.buf);

    NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_t ut;
    memset(&ut, 0, sizeof ut);
    ut.cause = ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
    o = (a1_octets){0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_def, &ut, &o), 0);
    int g = 0, v = 0;
    assert_int_equal(smf_n2_parse_modify_unsuccessful_transfer(o.buf, o.len, &g, &v), 0);
    assert_int_equal(g, NGAP_Cause_PR_radioNetwork);
    assert_int_equal(v, NGAP_CauseRadioNetwork_unspecified);
    free(o.buf);

    /* N4: Update QER with the MBR, parsed back with the PFCP codec */
    uint8_t pb[256];
    g5_wbuf_init(&w, pb, sizeof pb);
    assert_int_equal(smf_pfcp_build_mod_qer(&w, 0x1122, 7, 1, 20000, 30000), 0);
    g5_pfcp_msg pm;
    g5_pfcp_error pe;
    assert_int_equal(g5_pfcp_decode(pb, g5_wbuf_len(&w), &pm, &pe), 0);
    g5_pfcp_sess_mod_req *mr = calloc(1, sizeof *mr);
    assert_non_null(mr);
    assert_int_equal(g5_pfcp_sess_mod_req_parse(&pm, mr), 0);
    assert_int_equal(mr->update.n_qer, 1);
    assert_true(mr->update.qer[0].has_mbr);
    assert_int_equal(mr->update.qer[0].mbr.ul_kbps, 20000);
    assert_int_equal(mr->update.qer[0].mbr.dl_kbps, 30000);
    free(mr);
}

/* ---- tshark oracle ---- */

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1") == 0;
}

/* text2pcap -P <proto> + tshark -V; the dissection (caller frees). */
static char *dissect(const char *proto, const uint8_t *p, size_t n)
{
    char dir[] = "/tmp/smf_mod_tsharkXXXXXX";
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

static void expect(const char *out, const char *s)
{
    if (!strstr(out, s)) {
        printf("tshark output lacks \"%s\":\n%s\n", s, out);
        fail();
    }
}

static void clean(const char *out)
{
    assert_null(strstr(out, "Malformed"));
    assert_null(strstr(out, "[Expert Info (Error"));
}

static void test_tshark(void **state)
{
    (void)state;
    if (!have_tshark()) {
        printf("SKIP: tshark/text2pcap not installed\n");
        skip();
    }
    uint8_t b[256];
    g5_wbuf w;
    smf_mod_cmd c = {.psi = 5,
                     .pti = 3,
                     .has_ambr = true,
                     .ambr_ul = 20000000,
                     .ambr_dl = 30000000,
                     .has_5qi = true,
                     .qfi = 1,
                     .fiveqi = 8,
                     .always_on = true};
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(smf_gsm_build_mod_command(&c, &w), 0);
    char *out = dissect("nas-5gs", b, g5_wbuf_len(&w));
    clean(out);
    expect(out, "PDU session modification command");
    expect(out, "Session-AMBR for downlink: 30000 Kbps");
    expect(out, "Session-AMBR for uplink: 20000 Kbps");
    expect(out, "5QI: 8");
    expect(out, "Always-on PDU session: required");
    free(out);

    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(smf_gsm_build_mod_reject(5, 3, SMF_CAUSE_QOS_OP_SEMANTIC, &w), 0);
    out = dissect("nas-5gs", b, g5_wbuf_len(&w));
    clean(out);
    expect(out, "PDU session modification reject");
    expect(out, "Semantic error in the QoS operation");
    free(out);

    /* the UE's request as the test builds it, so the parser reads what tshark reads */
    uint8_t fl[32];
    const uint8_t q8 = 8;
    req_opts o = {.pti = 3, .cap = true, .flows = fl};
    o.flows_len = flow_desc(fl, sizeof fl, 1, 3, 1, &q8, 1);
    size_t n = mod_req(b, sizeof b, 5, &o);
    out = dissect("nas-5gs", b, n);
    clean(out);
    expect(out, "PDU session modification request");
    expect(out, "5QI: 8");
    free(out);

    /* the N2 transfer inside a PDU Session Resource Modify Request */
    g5_wbuf tw, pw;
    g5_wbuf_init_dyn(&tw, 1024);
    g5_wbuf_init_dyn(&pw, 4096);
    smf_n2_mod m = {.ambr_ul = 20000000,
                    .ambr_dl = 30000000,
                    .has_qos = true,
                    .qfi = 1,
                    .fiveqi = 8,
                    .arp_priority = 8};
    assert_int_equal(smf_n2_build_modify_request_transfer(&m, &tw), 0);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_msg_init(&pdu, NGAP_MSG_INITIATING, NGAP_id_PDUSessionResourceModify), 0);
    *(NGAP_AMF_UE_NGAP_ID_t *)ngap_add_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID) = 1;
    *(NGAP_RAN_UE_NGAP_ID_t *)ngap_add_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID) = 2;
    NGAP_PDUSessionResourceModifyListModReq_t *l =
        ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModReq);
    l->list = calloc(1, sizeof *l->list);
    l->count = 1;
    l->list[0].pDUSessionID = 5;
    assert_int_equal(a1_octets_set(&l->list[0].pDUSessionResourceModifyRequestTransfer,
                                   g5_wbuf_data(&tw), g5_wbuf_len(&tw)),
                     0);
    assert_int_equal(ngap_encode(&pdu, &pw), 0);
    ngap_free(&pdu);
    out = dissect("ngap", g5_wbuf_data(&pw), g5_wbuf_len(&pw));
    clean(out);
    expect(out, "PDUSessionResourceModifyRequest");
    expect(out, "pDUSessionAggregateMaximumBitRateDL: 30000000");
    expect(out, "pDUSessionAggregateMaximumBitRateUL: 20000000");
    expect(out, "fiveQI: 8");
    free(out);
    g5_wbuf_free(&tw);
    g5_wbuf_free(&pw);

    /* N4 Update QER */
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(smf_pfcp_build_mod_qer(&w, 0x1122, 7, 1, 20000, 30000), 0);
    out = dissect("pfcp", b, g5_wbuf_len(&w));
    clean(out);
    expect(out, "PFCP Session Modification Request");
    expect(out, "Update QER");
    expect(out, "UL MBR: 20000");
    expect(out, "DL MBR: 30000");
    free(out);
}

/* ---- the procedures with the real SMF and UPF over PFCP ---- */

#define MAX_N1N2 16

typedef struct itest {
    uv_loop_t loop;
    uv_udp_t udp; /* the UPF's N4 socket */
    upf upf;
    g5_config cfg;
    smf *smf;
    int n_cb, rc;
    smf_create_rsp crsp;
    smf_update_rsp ursp;
    uint8_t n1[512], n2[512];
    size_t n1_len, n2_len;
    /* what arrived through smf_n1n2_fn */
    int n_n1n2;
    bool modify[MAX_N1N2];
    uint8_t nn1[MAX_N1N2][256], nn2[MAX_N1N2][256];
    size_t nn1_len[MAX_N1N2], nn2_len[MAX_N1N2];
    uint64_t ref;
    uint32_t ue4;
} itest;

static void udp_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)h;
    (void)sz;
    static char buf[65536];
    *b = uv_buf_init(buf, sizeof buf);
}

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

static void on_n1n2(void *arg, const smf_n1n2_msg *m)
{
    itest *t = arg;
    int i = t->n_n1n2++;
    assert_true(i < MAX_N1N2);
    t->modify[i] = m->kind == SMF_N1N2_MODIFY;
    assert_true(m->n1_len <= 256 && m->n2_len <= 256);
    memcpy(t->nn1[i], m->n1, m->n1_len);
    t->nn1_len[i] = m->n1_len;
    if (m->n2_len)
        memcpy(t->nn2[i], m->n2, m->n2_len);
    t->nn2_len[i] = m->n2_len;
}

static void on_create(void *arg, int rc, const smf_create_rsp *r)
{
    itest *t = arg;
    t->n_cb++;
    t->rc = rc;
    if (!rc)
        t->crsp = *r;
}

static void on_update(void *arg, int rc, const smf_update_rsp *r)
{
    itest *t = arg;
    t->n_cb++;
    t->rc = rc;
    t->n1_len = t->n2_len = 0;
    memset(&t->ursp, 0, sizeof t->ursp);
    if (!r)
        return;
    t->ursp = *r;
    if (r->n1_len) {
        memcpy(t->n1, r->n1, r->n1_len);
        t->n1_len = r->n1_len;
    }
    if (r->n2_len) {
        memcpy(t->n2, r->n2, r->n2_len);
        t->n2_len = r->n2_len;
    }
}

/* One UpdateSMContext, waited for; returns its rc. */
static int update(itest *t, uint8_t n2_type, const uint8_t *n2, size_t n2_len, const uint8_t *n1,
                  size_t n1_len)
{
    smf_update_req u = {.sm_context_ref = t->ref,
                        .n2_type = n2_type,
                        .n2 = n2,
                        .n2_len = n2_len,
                        .n1 = n1,
                        .n1_len = n1_len};
    int want = t->n_cb + 1;
    assert_int_not_equal(smf_update_sm_context(t->smf, &u, on_update, t), 0);
    spin(t, &t->n_cb, want, 3000);
    assert_int_equal(t->n_cb, want);
    return t->rc;
}

static int update_n1(itest *t, const uint8_t *n1, size_t n)
{
    return update(t, SMF_N2_NONE, NULL, 0, n1, n);
}

static void mod_rsp_transfer(a1_octets *o)
{
    NGAP_PDUSessionResourceModifyResponseTransfer_t rt;
    memset(&rt, 0, sizeof rt);
    *o = (a1_octets){0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceModifyResponseTransfer_def, &rt, o), 0);
}

static int gnb_mod_ok(itest *t)
{
    a1_octets o;
    mod_rsp_transfer(&o);
    int rc = update(t, SMF_N2_MOD_RSP, o.buf, o.len, NULL, 0);
    free(o.buf);
    return rc;
}

static int ue_complete(itest *t, uint8_t pti)
{
    uint8_t b[16];
    size_t n = gsm_plain(NAS_PDU_SESSION_MODIFICATION_COMPLETE, 1, pti, -1, b, sizeof b);
    return update_n1(t, b, n);
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

static itest *core_up(void)
{
    itest *t = calloc(1, sizeof *t);
    assert_non_null(t);
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
    t->cfg.smf.dnns[0].ambr_ul = 100000000; /* 100 Mbit/s both ways */
    t->cfg.smf.dnns[0].ambr_dl = 100000000;
    strcpy(t->cfg.smf.upfs[0].address, "127.0.0.1");
    t->cfg.smf.upfs[0].port = ntohs(a.sin_port);
    t->smf = smf_new(&t->loop, NULL, &t->cfg.smf, on_n1n2, t);
    assert_non_null(t->smf);
    assert_int_equal(smf_start(t->smf), 0);
    for (int i = 0; i < 2000 && !smf_pfcp_associated(smf_get_pfcp(t->smf), 0); i++)
        uv_run(&t->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_true(smf_pfcp_associated(smf_get_pfcp(t->smf), 0));
    /* a session with its gNB tunnel */
    uint8_t n1[128];
    smf_create_req q = {.psi = 1, .snssai = {.sst = 1, .sd = 0xFFFFFF}, .n1 = n1};
    strcpy(q.supi, "imsi-001010000000001");
    strcpy(q.dnn, "internet");
    q.n1_len = est_req(n1, sizeof n1);
    assert_int_not_equal(smf_create_sm_context(t->smf, &q, on_create, t), 0);
    spin(t, &t->n_cb, 1, 3000);
    assert_int_equal(t->rc, 0);
    assert_true(t->crsp.accepted);
    t->ref = t->crsp.sm_context_ref;
    a1_octets tr = {0};
    gnb_setup_rsp(&tr, 0x00c0ffee);
    assert_int_equal(update(t, SMF_N2_SETUP_RSP, tr.buf, tr.len, NULL, 0), 0);
    free(tr.buf);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(t->smf, t->ref, &si), 0);
    t->ue4 = (uint32_t)si.ipv4[0] << 24 | (uint32_t)si.ipv4[1] << 16 | (uint32_t)si.ipv4[2] << 8 |
             si.ipv4[3];
    return t;
}

static void core_down(itest *t)
{
    smf_free(t->smf);
    uv_close((uv_handle_t *)&t->udp, NULL);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    upf_free(&t->upf);
    free(t);
}

/* An IPv4/UDP packet of len octets, src -> dst. */
static void ipv4_udp(uint8_t *ip, size_t len, uint32_t src, uint32_t dst)
{
    memset(ip, 0, len);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(len >> 8);
    ip[3] = (uint8_t)len;
    ip[8] = 64;
    ip[9] = 17;
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    ip[20] = 0x13, ip[21] = 0x88, ip[22] = 0x13, ip[23] = 0x89;
    ip[24] = (uint8_t)((len - 20) >> 8);
    ip[25] = (uint8_t)(len - 20);
}

/* Downlink through the UPF's data path at 2x the expected rate for 2.5 s of synthetic time;
 * the rate that reached N3 in the last 2 s (past the 50 ms bucket depth), bit/s. */
static double measure_dl(itest *t, double offered_bps, uint64_t *clock_ns)
{
    static uint8_t buf[G5_GTPU_HEADROOM + 1500];
    const size_t len = 1250; /* 10,000 bits */
    const uint64_t gap = (uint64_t)(1e9 * 10000.0 / offered_bps);
    uint64_t t0 = *clock_ns > g5_clock_ns() ? *clock_ns : g5_clock_ns(), start = t0 + 500000000ull,
             end = t0 + 2500000000ull, bits = 0;
    for (uint64_t now = t0; now < end; now += gap) {
        uint8_t *ip = buf + G5_GTPU_HEADROOM;
        ipv4_udp(ip, len, 0x08080808, t->ue4);
        upf_out o;
        if (upf_downlink(&t->upf, ip, len, now, &o) == UPF_TO_N3 && now >= start)
            bits += len * 8;
    }
    *clock_ns = end;
    return (double)bits / 2.0;
}

/* Uplink the same way: GTP-U from the gNB to the UL TEID. */
static double measure_ul(itest *t, double offered_bps, uint64_t *clock_ns)
{
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(t->smf, t->ref, &si), 0);
    static uint8_t pkt[G5_GTPU_HEADROOM + 1500], scratch[2048];
    const size_t len = 1250;
    const uint64_t gap = (uint64_t)(1e9 * 10000.0 / offered_bps);
    uint64_t t0 = *clock_ns > g5_clock_ns() ? *clock_ns : g5_clock_ns(), start = t0 + 500000000ull,
             end = t0 + 2500000000ull, bits = 0;
    for (uint64_t now = t0; now < end; now += gap) {
        uint8_t *ip = pkt + G5_GTPU_HEADROOM;
        ipv4_udp(ip, len, t->ue4, 0x08080808);
        g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_UL, .qfi = 1};
        g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = si.ul_teid, .psc = &psc};
        int hl = g5_gtpu_encap(ip, len, G5_GTPU_HEADROOM, &e, 0);
        assert_true(hl > 0);
        upf_out o;
        if (upf_uplink(&t->upf, ip - hl, len + (size_t)hl, now, scratch, sizeof scratch, &o) ==
                UPF_TO_N6 &&
            now >= start)
            bits += len * 8;
    }
    *clock_ns = end;
    return (double)bits / 2.0;
}

static void assert_near(double got, double want)
{
    printf("  measured %.2f Mbit/s (expected %.2f)\n", got / 1e6, want / 1e6);
    assert_true(got > want * 0.95 && got < want * 1.05);
}

/* §6.3.2: network-requested session-AMBR change, enforced by the UPF once gNB and UE
 * accepted. */
static void test_network_requested_ambr(void **state)
{
    (void)state;
    itest *t = core_up();
    uint64_t clk = 1000000000ull;
    printf("before (session-AMBR 100 Mbit/s):\n");
    assert_near(measure_dl(t, 200e6, &clk), 100e6);
    assert_near(measure_ul(t, 200e6, &clk), 100e6);

    smf_mod_params p = {.ambr_ul = 20000000, .ambr_dl = 20000000};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), G5_ERR_AGAIN); /* one at a time */
    assert_int_equal(t->n_n1n2, 1);
    assert_true(t->modify[0]);
    nas_msg m;
    uint8_t cause = 0;
    assert_int_equal(nas_decode(t->nn1[0], t->nn1_len[0], &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_MODIFICATION_COMMAND);
    assert_int_equal(m.pti, 0); /* network-requested */
    nas_session_ambr a;
    assert_int_equal(nas_session_ambr_decode(&m.pdu_session_modification_command.session_ambr, &a),
                     0);
    assert_int_equal(nas_ambr_bps(a.dl_unit, a.dl), 20000000);
    NGAP_PDUSessionResourceModifyRequestTransfer_t tr;
    assert_int_equal(a1_decode(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &tr, t->nn2[0],
                               t->nn2_len[0], NULL),
                     0);
    assert_int_equal(
        tr.protocolIEs.list[0]
            .value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateDL,
        20000000);
    a1_free(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &tr);

    /* the gNB answers first: nothing changes at the UPF until the UE completes */
    assert_int_equal(gnb_mod_ok(t), 0);
    smf_mod_info mi;
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_true(mi.pending);
    assert_int_equal(mi.ambr_dl, 100000000);
    assert_int_equal(ue_complete(t, 0), 0);
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_false(mi.pending);
    assert_int_equal(mi.ambr_dl, 20000000);
    assert_int_equal(smf_mod_get_stats(t->smf)->completed, 1);
    printf("after (session-AMBR 20 Mbit/s):\n");
    assert_near(measure_dl(t, 200e6, &clk), 20e6);
    assert_near(measure_ul(t, 200e6, &clk), 20e6);

    /* COMMAND REJECT (§6.3.2.4): the 20 Mbit/s stay */
    p = (smf_mod_params){.ambr_dl = 50000000};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    uint8_t b[16];
    size_t n = gsm_plain(NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT, 1, 0, 26, b, sizeof b);
    assert_int_equal(update_n1(t, b, n), 0);
    assert_int_equal(smf_mod_get_stats(t->smf)->cmd_rejected, 1);
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_false(mi.pending);
    assert_int_equal(mi.ambr_dl, 20000000);
    assert_near(measure_dl(t, 200e6, &clk), 20e6);
    /* a late COMPLETE matches nothing */
    assert_int_equal(ue_complete(t, 0), G5_ERR_STATE);

    /* the UE completes before the gNB's answer: the UPF changes at the gNB's answer */
    p = (smf_mod_params){.ambr_ul = 30000000, .ambr_dl = 40000000};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    assert_int_equal(ue_complete(t, 0), 0);
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_true(mi.pending);
    assert_int_equal(gnb_mod_ok(t), 0);
    assert_near(measure_dl(t, 200e6, &clk), 40e6);
    assert_near(measure_ul(t, 200e6, &clk), 30e6);

    /* the gNB cannot modify: old values stay */
    p = (smf_mod_params){.ambr_dl = 10000000};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_t ut;
    memset(&ut, 0, sizeof ut);
    ut.cause = ngap_cause(NGAP_Cause_PR_radioNetwork, NGAP_CauseRadioNetwork_unspecified);
    a1_octets o = {0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceModifyUnsuccessfulTransfer_def, &ut, &o), 0);
    assert_int_equal(update(t, SMF_N2_MOD_FAIL, o.buf, o.len, NULL, 0), 0);
    free(o.buf);
    assert_int_equal(smf_mod_get_stats(t->smf)->n2_failed, 1);
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_false(mi.pending);
    assert_int_equal(mi.ambr_dl, 40000000);

    /* bad parameters */
    p = (smf_mod_params){.has_5qi = true, .fiveqi = 1};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), G5_ERR_INVALID);
    assert_int_equal(smf_modify_network(t->smf, t->ref + 99, &p), G5_ERR_NOT_FOUND);
    core_down(t);
}

/* §6.4.2: UE-requested 5QI change of the default flow; the rejects of §6.4.2.4.1. */
static void test_ue_requested(void **state)
{
    (void)state;
    itest *t = core_up();
    uint8_t n1[128], fl[32];
    const uint8_t q8 = 8, q2 = 2;
    req_opts o = {.pti = 4, .flows = fl};
    o.flows_len = flow_desc(fl, sizeof fl, 1, 3, 1, &q8, 1);
    size_t n = mod_req(n1, sizeof n1, 1, &o);
    assert_int_equal(update_n1(t, n1, n), 0);
    assert_true(t->ursp.n2_modify);
    nas_msg m;
    uint8_t cause = 0;
    assert_int_equal(nas_decode(t->n1, t->n1_len, &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_MODIFICATION_COMMAND);
    assert_int_equal(m.pti, 4);
    assert_false(m.pdu_session_modification_command.session_ambr.present); /* unchanged */
    assert_true(m.pdu_session_modification_command.authorized_qos_flow_descriptions.present);
    assert_true(t->n2_len > 0); /* the QoS changes at the gNB too */
    NGAP_PDUSessionResourceModifyRequestTransfer_t tr;
    assert_int_equal(
        a1_decode(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &tr, t->n2, t->n2_len, NULL),
        0);
    assert_int_equal(tr.protocolIEs.count, 2);
    assert_int_equal(tr.protocolIEs.list[1]
                         .value.QosFlowAddOrModifyRequestList.list[0]
                         .qosFlowLevelQosParameters->qosCharacteristics.nonDynamic5QI.fiveQI,
                     8);
    a1_free(&NGAP_PDUSessionResourceModifyRequestTransfer_def, &tr);
    /* the UE's T3581 retransmission of the same request: the same COMMAND, N1 only */
    uint8_t first[256];
    size_t first_len = t->n1_len;
    memcpy(first, t->n1, first_len);
    assert_int_equal(update_n1(t, n1, n), 0);
    assert_true(t->ursp.n2_modify);
    assert_int_equal(t->n2_len, 0);
    assert_int_equal(t->n1_len, first_len);
    assert_memory_equal(t->n1, first, first_len);
    assert_int_equal(gnb_mod_ok(t), 0);
    assert_int_equal(ue_complete(t, 4), 0);
    smf_mod_info mi;
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_int_equal(mi.fiveqi, 8);
    assert_false(mi.pending);
    assert_int_equal(smf_mod_get_stats(t->smf)->ue_requested, 1);

    /* only the 5GSM capability: N1-only command, done at COMPLETE */
    o = (req_opts){.pti = 5, .cap = true};
    n = mod_req(n1, sizeof n1, 1, &o);
    assert_int_equal(update_n1(t, n1, n), 0);
    assert_true(t->ursp.n2_modify);
    assert_int_equal(t->n2_len, 0);
    assert_int_equal(ue_complete(t, 5), 0);
    assert_int_equal(smf_mod_get_stats(t->smf)->completed, 2);

    /* a GBR 5QI for the default flow: REJECT #59 with the UE's PTI */
    o = (req_opts){.pti = 6, .flows = fl};
    o.flows_len = flow_desc(fl, sizeof fl, 1, 3, 1, &q2, 1);
    n = mod_req(n1, sizeof n1, 1, &o);
    assert_int_equal(update_n1(t, n1, n), 0);
    assert_false(t->ursp.n2_modify);
    assert_int_equal(nas_decode(t->n1, t->n1_len, &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_MODIFICATION_REJECT);
    assert_int_equal(m.pti, 6);
    assert_int_equal(m.pdu_session_modification_reject.ie_5gsm_cause.v[0], 59);

    /* while a network-requested one runs: REJECT #31, the network's goes on */
    smf_mod_params p = {.ambr_dl = 20000000};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    o = (req_opts){.pti = 7, .cap = true};
    n = mod_req(n1, sizeof n1, 1, &o);
    assert_int_equal(update_n1(t, n1, n), 0);
    assert_int_equal(nas_decode(t->n1, t->n1_len, &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_MODIFICATION_REJECT);
    assert_int_equal(m.pdu_session_modification_reject.ie_5gsm_cause.v[0], 31);
    assert_int_equal(smf_mod_get_stats(t->smf)->rejected, 2);
    core_down(t);
}

/* §6.3.2.5 a: T3591 retransmits the command four times, then the procedure is aborted. */
static void test_t3591(void **state)
{
    (void)state;
    itest *t = core_up();
    smf_mod_set_t3591(t->smf, 20);
    smf_mod_params p = {.ambr_dl = 20000000};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    spin(t, NULL, 0, 400);
    const smf_mod_stats *st = smf_mod_get_stats(t->smf);
    assert_int_equal(st->t3591_retx, 4);
    assert_int_equal(st->t3591_aborts, 1);
    assert_int_equal(t->n_n1n2, 5);
    for (int i = 1; i < 5; i++) { /* the same COMMAND, N1 only */
        assert_true(t->modify[i]);
        assert_int_equal(t->nn2_len[i], 0);
        assert_int_equal(t->nn1_len[i], t->nn1_len[0]);
        assert_memory_equal(t->nn1[i], t->nn1[0], t->nn1_len[0]);
    }
    smf_mod_info mi;
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_false(mi.pending);
    assert_int_equal(mi.ambr_dl, 100000000);
    /* a COMPLETE after the third command stops the timer */
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    spin(t, NULL, 0, 50);
    assert_int_equal(ue_complete(t, 0), 0);
    uint64_t retx = st->t3591_retx;
    spin(t, NULL, 0, 100);
    assert_int_equal(st->t3591_retx, retx);
    assert_int_equal(gnb_mod_ok(t), 0);
    assert_int_equal(smf_mod_info_get(t->smf, t->ref, &mi), 0);
    assert_int_equal(mi.ambr_dl, 20000000);
    core_down(t);
}

/* Release wins over a modification (§6.3.2.5, §6.3.3); CM-IDLE refused. */
static void test_release_collision_and_idle(void **state)
{
    (void)state;
    itest *t = core_up();
    smf_mod_params p = {.ambr_dl = 20000000};
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    uint8_t b[16];
    size_t n = gsm_plain(NAS_PDU_SESSION_RELEASE_REQUEST, 1, 9, -1, b, sizeof b);
    assert_int_equal(update_n1(t, b, n), 0);
    nas_msg m;
    uint8_t cause = 0;
    assert_int_equal(nas_decode(t->n1, t->n1_len, &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_RELEASE_COMMAND);
    assert_int_equal(smf_mod_get_stats(t->smf)->aborted_by_release, 1);
    assert_int_equal(ue_complete(t, 0), G5_ERR_STATE); /* the modification is gone */
    n = gsm_plain(NAS_PDU_SESSION_RELEASE_COMPLETE, 1, 9, -1, b, sizeof b);
    update_n1(t, b, n);
    assert_true(t->ursp.released);

    /* a new session, then the UE goes idle: no modification without paging */
    core_down(t);
    t = core_up();
    smf_update_req u = {.sm_context_ref = t->ref, .up_cnx_state = SMF_UP_DEACTIVATED};
    int want = t->n_cb + 1;
    assert_int_not_equal(smf_update_sm_context(t->smf, &u, on_update, t), 0);
    spin(t, &t->n_cb, want, 3000);
    assert_int_equal(t->rc, 0);
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), G5_ERR_STATE);
    /* network release while a modification waits */
    core_down(t);
    t = core_up();
    assert_int_equal(smf_modify_network(t->smf, t->ref, &p), 0);
    assert_int_equal(smf_release_network(t->smf, t->ref, 36), 0);
    assert_int_equal(smf_mod_get_stats(t->smf)->aborted_by_release, 1);
    spin(t, NULL, 0, 50);
    core_down(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_mod_req),
        cmocka_unit_test(test_command_and_reject),
        cmocka_unit_test(test_n2_transfers),
        cmocka_unit_test(test_tshark),
        cmocka_unit_test(test_network_requested_ambr),
        cmocka_unit_test(test_ue_requested),
        cmocka_unit_test(test_t3591),
        cmocka_unit_test(test_release_collision_and_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
