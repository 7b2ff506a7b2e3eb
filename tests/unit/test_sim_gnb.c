/* The simulator gNB's NGAP messages, checked by decoding them with the NGAP codec (and, by
 * tests/integration/test_sim_tshark.py, with tshark's NGAP dissector through
 * `test_sim_gnb --dump`): NG Setup Request fields (gNB ID = top id_length bits of the NCI,
 * PLMN BCD, TAC, slices, paging DRX), Initial UE Message with and without 5G-S-TMSI, and
 * the downlink decoder on AMF-side builder output (NAS-PDU located in the input, UE NGAP
 * IDs pair, Time to wait, Paging identity). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ngap/ngap_msg.h"
#include "sim/gnb.h"

static sim_config cfg;
static sim_gnb gnb;
/* Registration Request, SUCI null scheme 001/01 MSIN 0000000001 (TS 24.501 8.2.6) */
static const uint8_t nas[] = {0x7e, 0x00, 0x41, 0x79, 0x00, 0x0d, 0x01, 0x00, 0xf1, 0x10,
                              0xf0, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

static void setup_gnb(void)
{
    sim_config_defaults(&cfg);
    snprintf(cfg.gnb.mcc, sizeof cfg.gnb.mcc, "001");
    snprintf(cfg.gnb.mnc, sizeof cfg.gnb.mnc, "01");
    cfg.gnb.nci = 0x000000010ULL;
    cfg.gnb.id_length = 32;
    cfg.gnb.tac = 0x000001;
    cfg.gnb.nslices = 2;
    cfg.gnb.slices[0] = (sim_snssai){.sst = 1, .sd = 0xffffff};
    cfg.gnb.slices[1] = (sim_snssai){.sst = 2, .sd = 0x010203};
    assert_int_equal(sim_gnb_init(&gnb, &cfg.gnb), 0);
}

static uint32_t bits_u32(const a1_bits *b)
{
    uint32_t v = 0;
    for (size_t i = 0; i < b->nbits; i++)
        v = v << 1 | ((b->buf[i / 8] >> (7 - i % 8)) & 1u);
    return v;
}

static void test_ng_setup_request(void **state)
{
    (void)state;
    setup_gnb();
    assert_int_equal(gnb.gnb_id, 1); /* NCI 0x000000010 >> 4 */
    const uint8_t plmn[3] = {0x00, 0xf1, 0x10}; /* TS 24.008 10.5.1.3: 001/01 */
    assert_memory_equal(gnb.plmn, plmn, 3);
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(sim_gnb_build_ng_setup(&gnb, &w), 0);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_decode(&pdu, b, w.len, NULL), 0);
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_NGSetup);
    const NGAP_GlobalRANNodeID_t *id = ngap_find_ie(&pdu, NGAP_id_GlobalRANNodeID);
    assert_non_null(id);
    assert_int_equal(id->present, NGAP_GlobalRANNodeID_PR_globalGNB_ID);
    assert_memory_equal(id->globalGNB_ID.pLMNIdentity.buf, plmn, 3);
    assert_int_equal(id->globalGNB_ID.gNB_ID.gNB_ID.nbits, 32);
    assert_int_equal(bits_u32(&id->globalGNB_ID.gNB_ID.gNB_ID), 1);
    const NGAP_SupportedTAList_t *ta = ngap_find_ie(&pdu, NGAP_id_SupportedTAList);
    assert_non_null(ta);
    assert_int_equal(ta->count, 1);
    const uint8_t tac[3] = {0, 0, 1};
    assert_memory_equal(ta->list[0].tAC.buf, tac, 3);
    assert_int_equal(ta->list[0].broadcastPLMNList.list[0].tAISliceSupportList.count, 2);
    const NGAP_PagingDRX_t *drx = ngap_find_ie(&pdu, NGAP_id_DefaultPagingDRX);
    assert_non_null(drx);
    assert_int_equal(*drx, NGAP_PagingDRX_v128);
    ngap_free(&pdu);
    assert_int_equal(sim_gnb_stream(&gnb, 7), 1);
}

static void test_initial_ue_message_with_s_tmsi(void **state)
{
    (void)state;
    setup_gnb();
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    sim_ue_n2 n2 = {.amf_ue_ngap_id = -1,
                    .has_s_tmsi = true,
                    .amf_set_id = 0x3ff,
                    .amf_pointer = 0x2a,
                    .tmsi = 0xc0ffee01};
    assert_int_equal(sim_gnb_build_initial_ue(&gnb, 42, &n2, nas, sizeof nas, &w), 0);
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_decode(&pdu, b, w.len, NULL), 0);
    assert_int_equal(ngap_procedure_code(&pdu), NGAP_id_InitialUEMessage);
    const NGAP_RAN_UE_NGAP_ID_t *ran = ngap_find_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID);
    assert_non_null(ran);
    assert_int_equal(*ran, 42);
    const a1_octets *np = ngap_find_ie(&pdu, NGAP_id_NAS_PDU);
    assert_non_null(np);
    assert_memory_equal(np->buf, nas, sizeof nas);
    const NGAP_RRCEstablishmentCause_t *rc = ngap_find_ie(&pdu, NGAP_id_RRCEstablishmentCause);
    assert_int_equal(*rc, NGAP_RRCEstablishmentCause_mo_Signalling);
    const NGAP_UserLocationInformation_t *uli = ngap_find_ie(&pdu, NGAP_id_UserLocationInformation);
    assert_int_equal(uli->present, NGAP_UserLocationInformation_PR_userLocationInformationNR);
    assert_int_equal(uli->userLocationInformationNR.nR_CGI.nRCellIdentity.nbits, 36);
    const NGAP_FiveG_S_TMSI_t *t = ngap_find_ie(&pdu, NGAP_id_FiveG_S_TMSI);
    assert_non_null(t);
    assert_int_equal(bits_u32(&t->aMFSetID), 0x3ff);
    assert_int_equal(bits_u32(&t->aMFPointer), 0x2a);
    const uint8_t tm[4] = {0xc0, 0xff, 0xee, 0x01};
    assert_memory_equal(t->fiveG_TMSI.buf, tm, 4);
    ngap_free(&pdu);
    /* without a 5G-GUTI the IE is absent */
    g5_wbuf_init(&w, b, sizeof b);
    n2.has_s_tmsi = false;
    assert_int_equal(sim_gnb_build_initial_ue(&gnb, 43, &n2, nas, sizeof nas, &w), 0);
    assert_int_equal(ngap_decode(&pdu, b, w.len, NULL), 0);
    assert_null(ngap_find_ie(&pdu, NGAP_id_FiveG_S_TMSI));
    ngap_free(&pdu);
}

static size_t encode(NGAP_NGAP_PDU_t *pdu, uint8_t *b, size_t cap)
{
    g5_wbuf w;
    g5_wbuf_init(&w, b, cap);
    assert_int_equal(ngap_encode(pdu, &w), 0);
    ngap_free(pdu);
    return w.len;
}

static void test_decode_downlink(void **state)
{
    (void)state;
    uint8_t b[512];
    NGAP_NGAP_PDU_t pdu;
    sim_gnb_dl dl;
    /* Downlink NAS Transport: IDs and the NAS-PDU, pointing into the input */
    assert_int_equal(ngap_build_downlink_nas_transport(&pdu, 7, 42, nas, sizeof nas), 0);
    size_t n = encode(&pdu, b, sizeof b);
    assert_int_equal(sim_gnb_decode(b, n, &dl), 0);
    assert_int_equal(dl.ev.procedure_code, NGAP_id_DownlinkNASTransport);
    assert_true(dl.has_amf_id && dl.has_ran_id);
    assert_int_equal(dl.ev.amf_ue_ngap_id, 7);
    assert_int_equal(dl.ev.ran_ue_ngap_id, 42);
    assert_int_equal(dl.ev.nas_len, sizeof nas);
    assert_true(dl.ev.nas >= b && dl.ev.nas + dl.ev.nas_len <= b + n);
    assert_memory_equal(dl.ev.nas, nas, sizeof nas);
    /* NG Setup Failure with Time to wait 10 s */
    NGAP_Cause_t c = ngap_cause(NGAP_Cause_PR_misc, 0);
    assert_int_equal(ngap_build_ng_setup_failure(&pdu, &c), 0);
    NGAP_TimeToWait_t *ttw = ngap_add_ie(&pdu, NGAP_id_TimeToWait);
    assert_non_null(ttw);
    *ttw = NGAP_TimeToWait_v10s;
    n = encode(&pdu, b, sizeof b);
    assert_int_equal(sim_gnb_decode(b, n, &dl), 0);
    assert_int_equal(dl.type, NGAP_MSG_UNSUCCESSFUL);
    assert_int_equal(dl.time_to_wait_s, 10);
    assert_int_equal(dl.cause_group, NGAP_Cause_PR_misc);
    /* UE Context Release Command: UE NGAP IDs pair */
    c = ngap_cause(NGAP_Cause_PR_nas, 0);
    assert_int_equal(ngap_build_ue_context_release_command(&pdu, 9, 43, &c), 0);
    n = encode(&pdu, b, sizeof b);
    assert_int_equal(sim_gnb_decode(b, n, &dl), 0);
    assert_int_equal(dl.ev.procedure_code, NGAP_id_UEContextRelease);
    assert_int_equal(dl.ev.amf_ue_ngap_id, 9);
    assert_int_equal(dl.ev.ran_ue_ngap_id, 43);
    /* Paging: the 5G-S-TMSI of the paged UE */
    const uint8_t plmn[3] = {0x00, 0xf1, 0x10}, tac[3] = {0, 0, 1};
    assert_int_equal(ngap_build_paging(&pdu, 0x155, 0x15, 0x01020304, plmn, tac), 0);
    n = encode(&pdu, b, sizeof b);
    assert_int_equal(sim_gnb_decode(b, n, &dl), 0);
    assert_true(dl.has_s_tmsi);
    assert_int_equal(dl.amf_set_id, 0x155);
    assert_int_equal(dl.amf_pointer, 0x15);
    assert_int_equal(dl.tmsi, 0x01020304);
    /* garbage is an error, never a crash */
    const uint8_t junk[] = {0x00, 0x0f, 0x40, 0xff, 0xff};
    assert_true(sim_gnb_decode(junk, sizeof junk, &dl) < 0);
}

static void test_other_uplink_builders(void **state)
{
    (void)state;
    uint8_t b[512];
    g5_wbuf w;
    const struct {
        int pc, type;
    } want[] = {{NGAP_id_InitialContextSetup, NGAP_MSG_SUCCESSFUL},
                {NGAP_id_InitialContextSetup, NGAP_MSG_UNSUCCESSFUL},
                {NGAP_id_UEContextReleaseRequest, NGAP_MSG_INITIATING},
                {NGAP_id_UEContextRelease, NGAP_MSG_SUCCESSFUL},
                {NGAP_id_ErrorIndication, NGAP_MSG_INITIATING},
                {NGAP_id_NGReset, NGAP_MSG_INITIATING},
                {NGAP_id_NGReset, NGAP_MSG_SUCCESSFUL}};
    for (int i = 0; i < 7; i++) {
        g5_wbuf_init(&w, b, sizeof b);
        int rc = i == 0   ? sim_gnb_build_ics_response(42, 7, &w)
                 : i == 1 ? sim_gnb_build_ics_failure(42, 7, 0, &w)
                 : i == 2 ? sim_gnb_build_release_request(42, 7, 20, &w)
                 : i == 3 ? sim_gnb_build_release_complete(42, 7, &w)
                 : i == 4 ? sim_gnb_build_error_indication(7, 42, 4, &w)
                 : i == 5 ? sim_gnb_build_ng_reset(0, &w)
                          : sim_gnb_build_ng_reset_ack(&w);
        assert_int_equal(rc, 0);
        sim_gnb_dl dl;
        assert_int_equal(sim_gnb_decode(b, w.len, &dl), 0);
        assert_int_equal(dl.ev.procedure_code, want[i].pc);
        assert_int_equal(dl.type, want[i].type);
        if (i < 5)
            assert_int_equal(dl.ev.amf_ue_ngap_id, 7);
    }
}

/* --dump: every gNB uplink message as one hex line, for the tshark oracle. */
static int dump(void)
{
    setup_gnb();
    uint8_t b[512];
    g5_wbuf w;
    sim_ue_n2 n2 = {.amf_ue_ngap_id = 7,
                    .has_s_tmsi = true,
                    .amf_set_id = 1,
                    .amf_pointer = 1,
                    .tmsi = 0x11223344};
    for (int i = 0; i < 10; i++) {
        g5_wbuf_init(&w, b, sizeof b);
        int rc = i == 0   ? sim_gnb_build_ng_setup(&gnb, &w)
                 : i == 1 ? sim_gnb_build_initial_ue(&gnb, 42, &n2, nas, sizeof nas, &w)
                 : i == 2 ? sim_gnb_build_uplink_nas(&gnb, 42, 7, nas, sizeof nas, &w)
                 : i == 3 ? sim_gnb_build_ics_response(42, 7, &w)
                 : i == 4 ? sim_gnb_build_ics_failure(42, 7, 0, &w)
                 : i == 5 ? sim_gnb_build_release_request(42, 7, 20, &w)
                 : i == 6 ? sim_gnb_build_release_complete(42, 7, &w)
                 : i == 7 ? sim_gnb_build_error_indication(7, 42, 4, &w)
                 : i == 8 ? sim_gnb_build_ng_reset(0, &w)
                          : sim_gnb_build_ng_reset_ack(&w);
        if (rc)
            return 1;
        for (size_t k = 0; k < w.len; k++)
            printf("%02x", b[k]);
        printf("\n");
    }
    return 0;
}

/* NG Setup Response (AMF-side builder): the served GUAMI the gNB routes 5G-S-TMSIs by
 * (AMF Set ID 10 bits, AMF Pointer 6 bits, TS 38.413 9.3.3.3). */
static void test_ng_setup_response_guami(void **state)
{
    (void)state;
    ngap_guami g = {
        .plmn = {0x00, 0xf1, 0x10}, .region_id = 0xca, .set_id = 0x2b5, .pointer = 0x2a};
    ngap_snssai sl = {.sst = 1};
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_ng_setup_response(&pdu, "amf-x", &g, &sl, 1, 255), 0);
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(ngap_encode(&pdu, &w), 0);
    ngap_free(&pdu);
    sim_gnb_dl dl;
    assert_int_equal(sim_gnb_decode(b, w.len, &dl), 0);
    assert_int_equal(dl.ev.procedure_code, NGAP_id_NGSetup);
    assert_int_equal(dl.type, NGAP_MSG_SUCCESSFUL);
    assert_false(dl.has_ran_id);
    assert_int_equal(dl.nguami, 1);
    assert_int_equal(dl.guami[0].region_id, 0xca);
    assert_int_equal(dl.guami[0].set_id, 0x2b5);
    assert_int_equal(dl.guami[0].pointer, 0x2a);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--dump"))
        return dump();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ng_setup_request),
        cmocka_unit_test(test_initial_ue_message_with_s_tmsi),
        cmocka_unit_test(test_decode_downlink),
        cmocka_unit_test(test_other_uplink_builders),
        cmocka_unit_test(test_ng_setup_response_guami),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
