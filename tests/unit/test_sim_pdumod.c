/* PDU session modification in the simulator (ue_sm_mod.c, gnb_pdu_mod.c), checked against
 * other code: the network side of each exchange is built and read by the SMF's
 * modification codecs (src/nf/smf/smf_gsm_mod.h) and the NGAP codec's AMF-side view, and
 * tshark dissects what the simulator sends when installed.
 *
 * gNB: a PDU Session Resource Modify Request for a session it holds and one it does not
 * -> the new AMBR in its record, a Modify Response with a Response Transfer the SMF
 * accepts and an Unsuccessful Transfer (unknown PDU session ID). UE: MODIFICATION COMMAND
 * applied and answered with COMPLETE (same PTI), a command deleting the default flow
 * answered with COMMAND REJECT #83 (TS 24.501 §6.3.2.4), the UE's MODIFICATION REQUEST
 * read by the SMF, MODIFICATION REJECT ending the UE's request. The whole procedure against
 * the real core runs in tests/integration/test_e2e_pdumod.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asn1/aper.h"
#include "core/err.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/smf/smf_gsm.h"
#include "nf/smf/smf_gsm_mod.h"
#include "ngap/ngap_msg.h"
#include "sim/sim_up.h"

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1") == 0;
}

static char *dissect(const char *proto, const uint8_t *p, size_t n)
{
    char dir[] = "/tmp/sim_mod_tsharkXXXXXX";
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

/* ---- gNB ---- */

/* AMF side: PDU Session Resource Modify Request with one item per psi, the SMF's transfer
 * and a NAS-PDU. */
static size_t modify_request(uint8_t *out, size_t cap, const uint8_t *psis, size_t n)
{
    g5_wbuf tw;
    g5_wbuf_init_dyn(&tw, 512);
    smf_n2_mod mo = {.ambr_ul = 20000000,
                     .ambr_dl = 30000000,
                     .has_qos = true,
                     .qfi = 1,
                     .fiveqi = 8,
                     .arp_priority = 8};
    assert_int_equal(smf_n2_build_modify_request_transfer(&mo, &tw), 0);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_msg_init(&pdu, NGAP_MSG_INITIATING, NGAP_id_PDUSessionResourceModify), 0);
    *(NGAP_AMF_UE_NGAP_ID_t *)ngap_add_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID) = 7;
    *(NGAP_RAN_UE_NGAP_ID_t *)ngap_add_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID) = 9;
    NGAP_PDUSessionResourceModifyListModReq_t *l =
        ngap_add_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModReq);
    l->list = calloc(n, sizeof *l->list);
    l->count = n;
    static const uint8_t nas[] = {0x7e, 0x00, 0x68, 0x01, 0x00, 0x03, 0x2e, 0x01, 0x00};
    for (size_t i = 0; i < n; i++) {
        l->list[i].pDUSessionID = psis[i];
        assert_int_equal(a1_octets_set(&l->list[i].pDUSessionResourceModifyRequestTransfer,
                                       g5_wbuf_data(&tw), g5_wbuf_len(&tw)),
                         0);
        l->list[i].nAS_PDU = calloc(1, sizeof *l->list[i].nAS_PDU);
        assert_int_equal(a1_octets_set(l->list[i].nAS_PDU, nas, sizeof nas), 0);
    }
    g5_wbuf w;
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(ngap_encode(&pdu, &w), 0);
    ngap_free(&pdu);
    g5_wbuf_free(&tw);
    return g5_wbuf_len(&w);
}

static void test_gnb_modify(void **state)
{
    (void)state;
    sim_engine *e = calloc(1, sizeof *e);
    assert_non_null(e);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    e->loop = &loop; /* sim_up_free runs it once to close handles */
    sim_up *u = sim_up_new(e);
    assert_non_null(u);
    sim_ue ue;
    memset(&ue, 0, sizeof ue);
    sim_sess *ss = sim_up_sessions(u, &ue);
    assert_non_null(ss);
    ss[0].state = SIM_SESS_ACTIVE;
    ss[0].n3_up = true;

    uint8_t req[1024];
    const uint8_t psis[] = {1, 3};
    size_t n = modify_request(req, sizeof req, psis, 2);
    sim_pdu_msg *m = calloc(1, sizeof *m);
    assert_non_null(m);
    assert_int_equal(sim_gnb_parse_pdu_msg(req, n, m), 0);
    assert_int_equal(m->procedure_code, NGAP_id_PDUSessionResourceModify);
    assert_int_equal(m->amf_ue_id, 7);
    assert_int_equal(m->ran_ue_id, 9);
    assert_int_equal(m->nitems, 2);
    assert_int_equal(m->items[0].parse_rc, 0);
    assert_true(m->items[0].mod.has_ambr);
    assert_int_equal(m->items[0].mod.ambr_dl, 30000000);
    assert_int_equal(m->items[0].mod.ambr_ul, 20000000);
    assert_int_equal(m->items[0].mod.nflows, 1);
    assert_int_equal(m->items[0].mod.fiveqi[0], 8);
    assert_int_equal(m->items[0].nas_len, 9);
    assert_int_equal(m->items[0].nas[0], 0x7e);

    sim_up_gnb_modify(u, &ue, m);
    assert_true(m->items[0].ok);
    assert_false(m->items[1].ok); /* PSI 3 is not set up at this gNB */
    assert_int_equal(ss[0].gnb_ambr_dl, 30000000);
    assert_int_equal(ss[0].gnb_ambr_ul, 20000000);
    assert_int_equal(u->st.n2_modified, 1);
    assert_int_equal(u->st.n2_modify_failed, 1);

    uint8_t rsp[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, rsp, sizeof rsp);
    assert_int_equal(sim_gnb_build_modify_response(m, &w), 0);
    /* read as the AMF and the SMF do */
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_decode(&pdu, rsp, g5_wbuf_len(&w), NULL), 0);
    assert_int_equal(pdu.present, NGAP_MSG_SUCCESSFUL);
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_PDUSessionResourceModify);
    const NGAP_AMF_UE_NGAP_ID_t *aid = ngap_find_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID);
    assert_non_null(aid);
    assert_int_equal(*aid, 7);
    const NGAP_PDUSessionResourceModifyListModRes_t *ok =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceModifyListModRes);
    const NGAP_PDUSessionResourceFailedToModifyListModRes_t *bad =
        ngap_find_ie(&pdu, NGAP_id_PDUSessionResourceFailedToModifyListModRes);
    assert_non_null(ok);
    assert_non_null(bad);
    assert_int_equal(ok->count, 1);
    assert_int_equal(ok->list[0].pDUSessionID, 1);
    const a1_octets *t = &ok->list[0].pDUSessionResourceModifyResponseTransfer;
    assert_int_equal(smf_n2_parse_modify_response_transfer(t->buf, t->len, 1), 0);
    assert_int_equal(bad->count, 1);
    assert_int_equal(bad->list[0].pDUSessionID, 3);
    t = &bad->list[0].pDUSessionResourceModifyUnsuccessfulTransfer;
    int g = 0, v = 0;
    assert_int_equal(smf_n2_parse_modify_unsuccessful_transfer(t->buf, t->len, &g, &v), 0);
    assert_int_equal(g, NGAP_Cause_PR_radioNetwork);
    assert_int_equal(v, NGAP_CauseRadioNetwork_unknown_PDU_session_ID);
    ngap_free(&pdu);

    if (have_tshark()) {
        char *out = dissect("ngap", rsp, g5_wbuf_len(&w));
        assert_null(strstr(out, "Malformed"));
        assert_null(strstr(out, "[Expert Info (Error"));
        assert_non_null(strstr(out, "PDUSessionResourceModifyResponse"));
        assert_non_null(strstr(out, "PDUSessionResourceModifyResponseTransfer"));
        assert_non_null(strstr(out, "qosFlowIdentifier: 1"));
        assert_non_null(strstr(out, "unknown-PDU-session-ID"));
        free(out);
    } else {
        printf("SKIP tshark part: tshark/text2pcap not installed\n");
    }

    /* malformed transfers are refused item by item, the message still parses */
    for (size_t k = 1; k < n; k++) {
        int rc = sim_gnb_parse_pdu_msg(req, k, m);
        (void)rc; /* no crash, no leak (ASan) */
    }
    free(m);
    sim_up_free(u);
    assert_int_equal(uv_loop_close(&loop), 0);
    free(e);
}

/* ---- UE ---- */

static void ul_payload(const g5_wbuf *reply, nas_msg *ul, nas_msg *sm, uint8_t *buf)
{
    uint8_t cause = 0;
    assert_int_equal(nas_decode(reply->p, reply->len, ul, &cause), 0);
    assert_int_equal(ul->type, NAS_UL_NAS_TRANSPORT);
    const nas_ie *pl = &ul->ul_nas_transport.payload_container;
    memcpy(buf, pl->v, pl->len);
    assert_int_equal(nas_decode(buf, pl->len, sm, &cause), 0);
}

static void test_ue_command(void **state)
{
    (void)state;
    sim_up *u = calloc(1, sizeof *u);
    assert_non_null(u);
    sim_sess s = {.psi = 1, .pti = 3, .state = SIM_SESS_ACTIVE, .qfi = 1};
    uint8_t b[256], rb[256], sb[256];
    g5_wbuf w, reply;
    smf_mod_cmd c = {.psi = 1,
                     .pti = 0,
                     .has_ambr = true,
                     .ambr_ul = 20000000,
                     .ambr_dl = 20000000,
                     .has_5qi = true,
                     .qfi = 1,
                     .fiveqi = 8};
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(smf_gsm_build_mod_command(&c, &w), 0);
    nas_msg m, ul, sm;
    uint8_t cause = 0;
    assert_int_equal(nas_decode(b, g5_wbuf_len(&w), &m, &cause), 0);
    g5_wbuf_init(&reply, rb, sizeof rb);
    assert_int_equal(sim_sm_on_mod(u, &s, &m, &reply), 0);
    assert_int_equal(s.ambr_dl_bps, 20000000);
    assert_int_equal(s.ambr_ul_bps, 20000000);
    assert_int_equal(s.fiveqi, 8);
    ul_payload(&reply, &ul, &sm, sb);
    assert_int_equal(ul.ul_nas_transport.pdu_session_id.v[0], 1);
    assert_int_equal(sm.type, NAS_PDU_SESSION_MODIFICATION_COMPLETE);
    assert_int_equal(sm.pti, 0);
    assert_int_equal(u->st.mod_cmd_ok, 1);

    /* deleting the default flow: COMMAND REJECT #83, the session unchanged */
    nas_arena ar;
    nas_arena_init(&ar);
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_MODIFICATION_COMMAND), 0);
    m.psi = 1;
    m.pti = 0;
    nas_qos_flow f = {.qfi = 1, .op = 2, .e_bit = false, .n_param = 0};
    size_t mark = g5_wbuf_len(&ar.w);
    assert_int_equal(nas_qos_flow_encode(&f, &ar.w), 0);
    assert_int_equal(
        nas_arena_ie(&ar, mark,
                     &m.pdu_session_modification_command.authorized_qos_flow_descriptions),
        0);
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(nas_encode(&m, &w), 0);
    assert_int_equal(nas_decode(b, g5_wbuf_len(&w), &m, &cause), 0);
    g5_wbuf_init(&reply, rb, sizeof rb);
    assert_int_equal(sim_sm_on_mod(u, &s, &m, &reply), 0);
    ul_payload(&reply, &ul, &sm, sb);
    assert_int_equal(sm.type, NAS_PDU_SESSION_MODIFICATION_COMMAND_REJECT);
    const nas_ie *pl = &ul.ul_nas_transport.payload_container;
    assert_int_equal(smf_gsm_parse_mod_cmd_reject(pl->v, pl->len, &cause), 0);
    assert_int_equal(cause, 83);
    assert_int_equal(s.fiveqi, 8);
    assert_int_equal(u->st.mod_cmd_rejected, 1);
    if (have_tshark()) {
        char *out = dissect("nas-5gs", reply.p, reply.len);
        assert_null(strstr(out, "Malformed"));
        assert_non_null(strstr(out, "UL NAS transport"));
        assert_non_null(strstr(out, "PDU session modification command reject"));
        assert_non_null(strstr(out, "Semantic error in the QoS operation"));
        free(out);
    }
    free(u);
}

static void test_ue_request(void **state)
{
    (void)state;
    sim_up *u = calloc(1, sizeof *u);
    assert_non_null(u);
    sim_sess s = {.psi = 2, .pti = 5, .state = SIM_SESS_ACTIVE, .qfi = 1, .mod_pending = true};
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(sim_sm_build_mod_request(&s, 8, &w), 0);
    smf_mod_req q;
    uint8_t cause = 0;
    assert_int_equal(smf_gsm_parse_mod_req(b, g5_wbuf_len(&w), 1, &q, &cause), 0);
    assert_int_equal(q.psi, 2);
    assert_int_equal(q.pti, 5);
    assert_true(q.has_5gsm_cap);
    assert_true(q.has_5qi);
    assert_int_equal(q.fiveqi, 8);
    if (have_tshark()) {
        char *out = dissect("nas-5gs", b, g5_wbuf_len(&w));
        assert_null(strstr(out, "Malformed"));
        assert_non_null(strstr(out, "PDU session modification request"));
        assert_non_null(strstr(out, "5QI: 8"));
        free(out);
    }
    /* the SMF's REJECT ends the request */
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(smf_gsm_build_mod_reject(2, 5, SMF_CAUSE_UNSUPPORTED_5QI, &w), 0);
    nas_msg m;
    assert_int_equal(nas_decode(b, g5_wbuf_len(&w), &m, &cause), 0);
    uint8_t rb[64];
    g5_wbuf reply;
    g5_wbuf_init(&reply, rb, sizeof rb);
    assert_int_equal(sim_sm_on_mod(u, &s, &m, &reply), 0);
    assert_int_equal(reply.len, 0); /* nothing to answer */
    assert_false(s.mod_pending);
    assert_int_equal(s.last_cause, 59);
    assert_int_equal(u->st.mod_reject, 1);
    free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gnb_modify),
        cmocka_unit_test(test_ue_command),
        cmocka_unit_test(test_ue_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
