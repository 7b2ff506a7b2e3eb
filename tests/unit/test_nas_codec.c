/* NAS-5GS codec unit tests: messages built through the C API compared with encodings
 * that tshark's nas-5gs dissector validated (tests/integration/test_nas_tshark.py prints
 * the same messages), decoding of those samples, and the error paths of TS 24.501 clause 7:
 * truncation at every offset, over-long IEs, unknown / comprehension-required / repeated
 * IEs, missing mandatory IEs, unknown message types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/hex.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"

/* tshark-validated encodings (see the header comment). */
#define REG_REQ_NULL_SCHEME \
    "7e004179000d0100f11021ff000010325476982e04e060e0602f19010104010000010202030504abcdef05" \
    "08060000070800000952001100000001"
#define REG_REQ_PROFILE_A \
    "7e00417100350100f110f0ff0101aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaa01020304051111111111111111"
#define REG_ACCEPT \
    "7e0042010977000bf202f839cafe011234567854210202f8390000010000020000072302f839000064410" \
    "0f110000005130062fffffe1507040101020301025e015e"
#define PDU_EST_ACCEPT \
    "2e0101c211002101000631310101ff01020015211210100a2d0000ffff0000301151138817710a020606" \
    "00020600012905010a2d0002220401010203790016012041010109022043010101020306000103030600" \
    "017b000d80000d040808080800100205dc251c08696e7465726e6574066d6e63303933066d6363323038" \
    "0467707273"
#define UL_NAS_TRANSPORT \
    "7e006701000f2e0101c1ffff91a17b000480000a00120581220101250908696e7465726e6574"
#define SMC_COMPLETE "7e005e7700093535940096783350f27100117e004179000bf202f839cafe0112345678"
#define AUTH_RESPONSE "7e00572d10a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    int n = g5_hex_decode(h, out, cap);
    assert_true(n >= 0);
    return (size_t)n;
}

static void assert_encodes_to(const nas_msg *m, const char *hex)
{
    uint8_t want[1024], buf[1024];
    size_t n = unhex(hex, want, sizeof want);
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(nas_encode(m, &w), 0);
    assert_int_equal(w.len, n);
    assert_memory_equal(buf, want, n);
}

/* decode -> encode must give the input back. */
static void assert_roundtrip(const char *hex)
{
    uint8_t in[1024];
    size_t n = unhex(hex, in, sizeof in);
    nas_msg m;
    uint8_t cause = 0;
    assert_int_equal(nas_decode(in, n, &m, &cause), 0);
    assert_encodes_to(&m, hex);
}

static void test_build_registration_request_suci(void **state)
{
    (void)state;
    nas_arena a;
    nas_arena_init(&a);
    nas_msg m;
    assert_int_equal(nas_msg_init(&m, NAS_REGISTRATION_REQUEST), 0);
    struct nas_registration_request *rr = &m.registration_request;
    nas_ie_set_half(&rr->ie_5gs_registration_type, 0x9); /* FOR + initial registration */
    nas_ie_set_half(&rr->ngksi, 7);
    nas_mobile_identity suci = {.type = NAS_MI_SUCI,
                                .plmn = {"001", "01"},
                                .routing_indicator = "12",
                                .protection_scheme = NAS_SCHEME_NULL,
                                .msin = "0123456789"};
    size_t mark = a.w.len;
    assert_int_equal(nas_mobile_identity_encode(&suci, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &rr->ie_5gs_mobile_identity), 0);
    nas_ue_sec_cap cap = {.ea = 0xe0, .ia = 0x60, .has_eps = true, .eea = 0xe0, .eia = 0x60};
    mark = a.w.len;
    assert_int_equal(nas_ue_sec_cap_encode(&cap, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &rr->ue_security_capability), 0);
    nas_nssai nssai = {
        .n = 5,
        .s = {{.sst = 1},
              {.sst = 1, .has_sd = true, .sd = 1},
              {.sst = 2, .has_mapped_sst = true, .mapped_sst = 3},
              {.sst = 4, .has_sd = true, .sd = 0xabcdef, .has_mapped_sst = true, .mapped_sst = 5},
              {.sst = 6,
               .has_sd = true,
               .sd = 7,
               .has_mapped_sst = true,
               .mapped_sst = 8,
               .has_mapped_sd = true,
               .mapped_sd = 9}}};
    mark = a.w.len;
    assert_int_equal(nas_nssai_encode(&nssai, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &rr->requested_nssai), 0);
    nas_tai tai = {{"001", "001"}, 1};
    mark = a.w.len;
    assert_int_equal(nas_tai_encode(&tai, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &rr->last_visited_registered_tai), 0);
    assert_encodes_to(&m, REG_REQ_NULL_SCHEME);
}

static void test_decode_registration_request(void **state)
{
    (void)state;
    uint8_t in[512];
    size_t n = unhex(REG_REQ_NULL_SCHEME, in, sizeof in);
    nas_msg m;
    assert_int_equal(nas_decode(in, n, &m, NULL), 0);
    assert_int_equal(m.type, NAS_REGISTRATION_REQUEST);
    assert_int_equal(m.registration_request.ngksi.half, 7);
    nas_mobile_identity mi;
    assert_int_equal(
        nas_mobile_identity_decode(&m.registration_request.ie_5gs_mobile_identity, &mi), 0);
    assert_int_equal(mi.type, NAS_MI_SUCI);
    assert_string_equal(mi.plmn.mcc, "001");
    assert_string_equal(mi.plmn.mnc, "01");
    assert_string_equal(mi.routing_indicator, "12");
    assert_string_equal(mi.msin, "0123456789");
    nas_nssai ns;
    assert_int_equal(nas_nssai_decode(&m.registration_request.requested_nssai, &ns), 0);
    assert_int_equal(ns.n, 5);
    assert_int_equal(ns.s[3].sd, 0xabcdef);
    assert_true(ns.s[4].has_mapped_sd);
    assert_int_equal(ns.s[4].mapped_sd, 9);
    assert_roundtrip(REG_REQ_NULL_SCHEME);
}

static void test_suci_profile_a_kept_as_bytes(void **state)
{
    (void)state;
    uint8_t in[512];
    size_t n = unhex(REG_REQ_PROFILE_A, in, sizeof in);
    nas_msg m;
    assert_int_equal(nas_decode(in, n, &m, NULL), 0);
    nas_mobile_identity mi;
    assert_int_equal(
        nas_mobile_identity_decode(&m.registration_request.ie_5gs_mobile_identity, &mi), 0);
    assert_int_equal(mi.protection_scheme, NAS_SCHEME_PROFILE_A);
    assert_int_equal(mi.hn_key_id, 1);
    assert_int_equal(mi.scheme_output_len, 32 + 5 + 8);
    assert_int_equal(mi.scheme_output[0], 0xaa);
    assert_int_equal(mi.scheme_output[44], 0x11);
    assert_roundtrip(REG_REQ_PROFILE_A);
}

static void test_registration_accept(void **state)
{
    (void)state;
    uint8_t in[512];
    size_t n = unhex(REG_ACCEPT, in, sizeof in);
    nas_msg m;
    assert_int_equal(nas_decode(in, n, &m, NULL), 0);
    nas_mobile_identity g;
    assert_int_equal(nas_mobile_identity_decode(&m.registration_accept.ie_5g_guti, &g), 0);
    assert_int_equal(g.type, NAS_MI_GUTI);
    assert_string_equal(g.plmn.mcc, "208");
    assert_string_equal(g.plmn.mnc, "93");
    assert_int_equal(g.amf_region_id, 202);
    assert_int_equal(g.amf_set_id, 1016);
    assert_int_equal(g.amf_pointer, 1);
    assert_int_equal(g.tmsi, 0x12345678);
    static nas_tai_list l;
    assert_int_equal(nas_tai_list_decode(&m.registration_accept.tai_list, &l), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.p[0].type, NAS_TAI_LIST_TACS);
    assert_int_equal(l.p[0].n, 3);
    assert_int_equal(l.p[0].tai[2].tac, 7);
    assert_int_equal(l.p[1].type, NAS_TAI_LIST_CONSECUTIVE);
    assert_int_equal(l.p[1].n, 4);
    assert_int_equal(l.p[1].tai[0].tac, 100);
    assert_int_equal(l.p[2].type, NAS_TAI_LIST_TAIS);
    assert_string_equal(l.p[2].tai[1].plmn.mnc, "260");
    assert_int_equal(l.p[2].tai[1].tac, 0xfffffe);
    assert_roundtrip(REG_ACCEPT);
}

static void test_pdu_session_establishment_accept(void **state)
{
    (void)state;
    uint8_t in[512];
    size_t n = unhex(PDU_EST_ACCEPT, in, sizeof in);
    nas_msg m;
    assert_int_equal(nas_decode(in, n, &m, NULL), 0);
    assert_int_equal(m.epd, NAS_EPD_5GSM);
    assert_int_equal(m.psi, 1);
    assert_int_equal(m.pti, 1);
    const struct nas_pdu_session_establishment_accept *a = &m.pdu_session_establishment_accept;
    g5_rbuf r;
    g5_rbuf_init(&r, a->authorized_qos_rules.v, a->authorized_qos_rules.len);
    static nas_qos_rule q;
    assert_int_equal(nas_qos_rule_next(&r, &q), 0);
    assert_int_equal(q.qri, 1);
    assert_true(q.dqr);
    assert_int_equal(q.n_pf, 1);
    assert_int_equal(q.qfi, 1);
    assert_int_equal(nas_qos_rule_next(&r, &q), 0);
    assert_int_equal(q.qri, 2);
    assert_int_equal(q.pf[0].direction, 1);
    g5_rbuf pr;
    g5_rbuf_init(&pr, q.pf[0].content, q.pf[0].content_len);
    nas_pf_component c;
    assert_int_equal(nas_pf_component_next(&pr, &c), 0);
    assert_int_equal(c.type, 0x10);
    assert_int_equal(c.v[0], 10);
    assert_true(g5_rbuf_empty(&r));
    nas_session_ambr am;
    assert_int_equal(nas_session_ambr_decode(&a->session_ambr, &am), 0);
    assert_int_equal(am.dl_unit, 6); /* 1 Mbps */
    assert_int_equal(nas_ambr_bps(am.dl_unit, am.dl), 2000000);
    assert_int_equal(nas_ambr_bps(1, 3), 3000);
    assert_int_equal(nas_ambr_bps(0x0b, 1), 1000000000);
    assert_int_equal(nas_ambr_bps(0x07, 5), 20000000);
    nas_pdu_address pa;
    assert_int_equal(nas_pdu_address_decode(&a->pdu_address, &pa), 0);
    assert_int_equal(pa.ipv4[3], 2);
    char dnn[128];
    assert_true(nas_dnn_decode(&a->dnn, dnn, sizeof dnn) > 0);
    assert_string_equal(dnn, "internet.mnc093.mcc208.gprs");
    g5_rbuf er;
    uint8_t o1;
    assert_int_equal(nas_epco_begin(&a->extended_protocol_configuration_options, &er, &o1), 0);
    nas_epco_container ec;
    assert_int_equal(nas_epco_next(&er, &ec), 0);
    assert_int_equal(ec.id, 0x000d);
    assert_int_equal(ec.len, 4);
    static nas_qos_flow f;
    g5_rbuf fr;
    g5_rbuf_init(&fr, a->authorized_qos_flow_descriptions.v,
                 a->authorized_qos_flow_descriptions.len);
    assert_int_equal(nas_qos_flow_next(&fr, &f), 0);
    assert_int_equal(f.qfi, 1);
    assert_int_equal(f.param[0].v[0], 9);
    assert_roundtrip(PDU_EST_ACCEPT);
}

/* UL NAS transport carrying a PDU session establishment request, built in C. */
static void test_build_ul_nas_transport(void **state)
{
    (void)state;
    nas_arena a;
    nas_arena_init(&a);
    nas_msg sm;
    assert_int_equal(nas_msg_init(&sm, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST), 0);
    sm.psi = 1;
    sm.pti = 1;
    static const uint8_t ipmdr[] = {0xff, 0xff}, epco[] = {0x80, 0x00, 0x0a, 0x00};
    nas_ie_set(&sm.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmdr,
               2);
    nas_ie_set_half(&sm.pdu_session_establishment_request.pdu_session_type, NAS_PDU_IPV4);
    nas_ie_set_half(&sm.pdu_session_establishment_request.ssc_mode, 1);
    nas_ie_set(&sm.pdu_session_establishment_request.extended_protocol_configuration_options, epco,
               sizeof epco);
    size_t mark = a.w.len;
    assert_int_equal(nas_encode(&sm, &a.w), 0);
    nas_msg m;
    assert_int_equal(nas_msg_init(&m, NAS_UL_NAS_TRANSPORT), 0);
    nas_ie_set_half(&m.ul_nas_transport.payload_container_type, NAS_PAYLOAD_N1_SM);
    assert_int_equal(nas_arena_ie(&a, mark, &m.ul_nas_transport.payload_container), 0);
    static const uint8_t psi = 5;
    nas_ie_set(&m.ul_nas_transport.pdu_session_id, &psi, 1);
    nas_ie_set_half(&m.ul_nas_transport.request_type, 1);
    nas_snssai s = {.sst = 1};
    mark = a.w.len;
    assert_int_equal(nas_snssai_encode(&s, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &m.ul_nas_transport.s_nssai), 0);
    mark = a.w.len;
    assert_int_equal(nas_dnn_encode("internet", &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &m.ul_nas_transport.dnn), 0);
    assert_encodes_to(&m, UL_NAS_TRANSPORT);
}

/* Security mode complete with IMEISV and the inner registration request. */
static void test_build_security_mode_complete(void **state)
{
    (void)state;
    nas_arena a;
    nas_arena_init(&a);
    nas_msg inner;
    assert_int_equal(nas_msg_init(&inner, NAS_REGISTRATION_REQUEST), 0);
    nas_ie_set_half(&inner.registration_request.ie_5gs_registration_type, 9);
    nas_ie_set_half(&inner.registration_request.ngksi, 7);
    nas_mobile_identity guti = {.type = NAS_MI_GUTI,
                                .plmn = {"208", "93"},
                                .amf_region_id = 202,
                                .amf_set_id = 1016,
                                .amf_pointer = 1,
                                .tmsi = 0x12345678};
    size_t mark = a.w.len;
    assert_int_equal(nas_mobile_identity_encode(&guti, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &inner.registration_request.ie_5gs_mobile_identity), 0);
    nas_msg m;
    assert_int_equal(nas_msg_init(&m, NAS_SECURITY_MODE_COMPLETE), 0);
    nas_mobile_identity imeisv = {.type = NAS_MI_IMEISV, .digits = "3534900698733052"};
    mark = a.w.len;
    assert_int_equal(nas_mobile_identity_encode(&imeisv, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &m.security_mode_complete.imeisv), 0);
    mark = a.w.len;
    assert_int_equal(nas_encode(&inner, &a.w), 0);
    assert_int_equal(nas_arena_ie(&a, mark, &m.security_mode_complete.nas_message_container), 0);
    assert_encodes_to(&m, SMC_COMPLETE);
}

static void test_build_authentication_response(void **state)
{
    (void)state;
    static const uint8_t res_star[16] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
                                         0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8};
    nas_msg m;
    assert_int_equal(nas_msg_init(&m, NAS_AUTHENTICATION_RESPONSE), 0);
    nas_ie_set(&m.authentication_response.authentication_response_parameter, res_star, 16);
    assert_encodes_to(&m, AUTH_RESPONSE);
}

/* Every prefix of a valid message must fail cleanly (never crash, never succeed). */
static void truncate_all(const char *hex)
{
    uint8_t in[1024];
    size_t n = unhex(hex, in, sizeof in);
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = malloc(k ? k : 1); /* exact size so ASan sees any over-read */
        memcpy(copy, in, k);
        nas_msg m;
        uint8_t cause = 0;
        int rc = nas_decode(copy, k, &m, &cause);
        /* A prefix ending exactly at an IE boundary of the optional part is itself valid. */
        if (rc != 0) {
            assert_true(rc < 0);
            assert_true(cause == 96 || cause == 111 || cause == 100 || cause == 99);
        }
        free(copy);
    }
}

static void test_truncated_everywhere(void **state)
{
    (void)state;
    truncate_all(REG_REQ_NULL_SCHEME);
    truncate_all(REG_REQ_PROFILE_A);
    truncate_all(REG_ACCEPT);
    truncate_all(PDU_EST_ACCEPT);
    truncate_all(UL_NAS_TRANSPORT);
    truncate_all(SMC_COMPLETE);
    /* Mandatory part cut: always an error with #96. */
    uint8_t in[64];
    size_t n = unhex(AUTH_RESPONSE, in, sizeof in);
    nas_msg m;
    uint8_t cause;
    assert_int_equal(nas_decode(in, 2, &m, &cause), G5_ERR_TRUNCATED);
    assert_int_equal(cause, NAS_CAUSE_INVALID_MANDATORY_INFO);
    assert_int_equal(nas_decode(in, n - 1, &m, &cause), G5_ERR_TRUNCATED);
    assert_int_equal(cause, NAS_CAUSE_PROTOCOL_ERROR);
}

static void test_over_long_ie(void **state)
{
    (void)state;
    /* UE security capability (TLV 4-10) with 9 value octets. */
    uint8_t in[64];
    size_t n = unhex("7e004179000d0100f110f0ff00000000000031"
                     "2e09f0f0f0f00000000000",
                     in, sizeof in);
    nas_msg m;
    uint8_t cause;
    assert_int_equal(nas_decode(in, n, &m, &cause), G5_ERR_INVALID);
    assert_int_equal(cause, NAS_CAUSE_PROTOCOL_ERROR);
    /* 24.501 7.7.2 (lenient): treated as absent, kept for re-encoding. */
    assert_int_equal(nas_decode_ex(in, n, &m, &cause, NAS_DEC_LENIENT), 0);
    assert_false(m.registration_request.ue_security_capability.present);
    assert_int_equal(m.n_extra, 1);
    /* Mandatory LV-E longer than the message. */
    n = unhex("7e00417900ff01", in, sizeof in);
    assert_int_equal(nas_decode(in, n, &m, &cause), G5_ERR_TRUNCATED);
    assert_int_equal(cause, NAS_CAUSE_INVALID_MANDATORY_INFO);
    /* Mandatory V of fixed length with a length too small: registration result LV 2. */
    n = unhex("7e00420001", in, sizeof in);
    assert_int_equal(nas_decode(in, n, &m, &cause), G5_ERR_INVALID);
    assert_int_equal(cause, NAS_CAUSE_INVALID_MANDATORY_INFO);
}

static void test_unknown_ies_kept(void **state)
{
    (void)state;
    /* Authentication response + unknown TLV 0x3f, unknown type-1 0xe5, unknown TLV-E 0x7f. */
    char buf[256];
    strcpy(buf, "7e0057");
    strcat(buf, "3f02abcd");
    strcat(buf, AUTH_RESPONSE + 6);
    strcat(buf, "e5");
    strcat(buf, "7f0003010203");
    uint8_t in[128];
    size_t n = unhex(buf, in, sizeof in);
    nas_msg m;
    uint8_t cause = 0;
    assert_int_equal(nas_decode(in, n, &m, &cause), 0);
    assert_true(m.authentication_response.authentication_response_parameter.present);
    assert_int_equal(m.n_extra, 3);
    assert_int_equal(m.extra[0].len, 4);
    assert_int_equal(m.extra[1].len, 1);
    assert_int_equal(m.extra[2].len, 6);
    assert_roundtrip(buf);
}

static void test_comprehension_required(void **state)
{
    (void)state;
    uint8_t in[64];
    size_t n = unhex("7e0057" /* IEI 0x0a: bits 8-5 = 0000 */ "0a0100", in, sizeof in);
    nas_msg m;
    uint8_t cause;
    assert_int_equal(nas_decode(in, n, &m, &cause), G5_ERR_INVALID);
    assert_int_equal(cause, NAS_CAUSE_INVALID_MANDATORY_INFO);
}

static void test_repeated_ie(void **state)
{
    (void)state;
    char buf[256];
    strcpy(buf, AUTH_RESPONSE);
    strcat(buf, "2d10000102030405060708090a0b0c0d0e0f");
    uint8_t in[128];
    size_t n = unhex(buf, in, sizeof in);
    nas_msg m;
    assert_int_equal(nas_decode(in, n, &m, NULL), 0);
    /* 24.501 7.6.3: the first occurrence is used, the repetition ignored (and kept). */
    assert_int_equal(m.authentication_response.authentication_response_parameter.v[0], 0xa1);
    assert_int_equal(m.n_extra, 1);
    assert_true(m.extra[0].repeated);
    assert_roundtrip(buf);
}

static void test_bad_headers(void **state)
{
    (void)state;
    uint8_t in[16];
    nas_msg m;
    uint8_t cause;
    size_t n = unhex("7e00ff", in, sizeof in);
    assert_int_equal(nas_decode(in, n, &m, &cause), G5_ERR_UNSUPPORTED);
    assert_int_equal(cause, NAS_CAUSE_MSG_TYPE_NON_EXISTENT);
    n = unhex("7e0041", in, sizeof in); /* registration request without its mandatory IEs */
    assert_true(nas_decode(in, n, &m, &cause) < 0);
    assert_int_equal(cause, NAS_CAUSE_INVALID_MANDATORY_INFO);
    n = unhex("2f000041", in, sizeof in); /* unknown EPD */
    assert_int_equal(nas_decode(in, n, &m, &cause), G5_ERR_INVALID);
    n = unhex("7e05000000000000", in, sizeof in); /* reserved security header type */
    assert_int_equal(nas_decode(in, n, &m, &cause), G5_ERR_INVALID);
    n = unhex("7e0201020304077e0057", in, sizeof in);
    assert_int_equal(nas_decode(in, n, &m, &cause), 0);
    assert_int_equal(m.sht, NAS_SHT_INTEGRITY_CIPHERED);
    assert_int_equal(m.sec.sqn, 7);
    assert_int_equal(m.sec.inner_len, 3);
    /* Missing mandatory IE when encoding. */
    assert_int_equal(nas_msg_init(&m, NAS_AUTHENTICATION_REQUEST), 0);
    uint8_t out[64];
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    assert_int_equal(nas_encode(&m, &w), G5_ERR_MISSING);
}

static void test_small_typed_ies(void **state)
{
    (void)state;
    static const uint8_t algs = 0x12, t3 = 0x5e, t2 = 0x21, psi[] = {0x22, 0x80};
    nas_ie ie = {.v = &algs, .len = 1, .present = 1};
    nas_sec_algs a;
    assert_int_equal(nas_sec_algs_decode(&ie, &a), 0);
    assert_int_equal(a.nea, 1);
    assert_int_equal(a.nia, 2);
    assert_int_equal(nas_sec_algs_octet(&a), 0x12);
    nas_gprs_timer t;
    ie.v = &t3;
    assert_int_equal(nas_gprs_timer_decode(&ie, &t), 0);
    assert_int_equal(nas_gprs_timer_seconds(&t, true), 30 * 36000); /* 30 x 10 h */
    ie.v = &t2;
    assert_int_equal(nas_gprs_timer_decode(&ie, &t), 0);
    assert_int_equal(nas_gprs_timer_seconds(&t, false), 60); /* 1 x 1 min */
    t.unit = 7;
    assert_int_equal(nas_gprs_timer_seconds(&t, false), -1); /* deactivated */
    ie.v = psi;
    ie.len = 2;
    uint16_t map;
    assert_int_equal(nas_psi_map_decode(&ie, &map), 0);
    assert_int_equal(map, (1u << 1) | (1u << 5) | (1u << 15));
}

static void test_every_message_minimal(void **state)
{
    (void)state;
    /* Every table decodes its own minimal encoding (mandatory IEs of legal lengths). */
    for (size_t i = 0; i < NAS_N_MSGS; i++) {
        const nas_msg_desc *d = &nas_msg_descs[i];
        nas_msg m;
        assert_int_equal(nas_msg_init(&m, d->type), 0);
        assert_ptr_equal(m.desc, d);
        static uint8_t zeros[2048];
        for (int k = 0; k < d->n_ies; k++) {
            const nas_ie_desc *row = &d->ies[k];
            if (row->presence != NAS_P_M || row->slot < 0)
                continue;
            nas_ie *ie = &m.ie[row->slot];
            int over = row->fmt == NAS_F_LV ? 1 : row->fmt == NAS_F_LVE ? 2 : 0;
            if (row->fmt == NAS_F_V && row->lo == 0)
                nas_ie_set_half(ie, 1);
            else
                nas_ie_set(ie, zeros, (size_t)(row->lo - over));
        }
        uint8_t buf[4096];
        g5_wbuf w;
        g5_wbuf_init(&w, buf, sizeof buf);
        assert_int_equal(nas_encode(&m, &w), 0);
        nas_msg back;
        assert_int_equal(nas_decode(buf, w.len, &back, NULL), 0);
        assert_int_equal(back.type, d->type);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_registration_request_suci),
        cmocka_unit_test(test_decode_registration_request),
        cmocka_unit_test(test_suci_profile_a_kept_as_bytes),
        cmocka_unit_test(test_registration_accept),
        cmocka_unit_test(test_pdu_session_establishment_accept),
        cmocka_unit_test(test_build_ul_nas_transport),
        cmocka_unit_test(test_build_security_mode_complete),
        cmocka_unit_test(test_build_authentication_response),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_over_long_ie),
        cmocka_unit_test(test_unknown_ies_kept),
        cmocka_unit_test(test_comprehension_required),
        cmocka_unit_test(test_repeated_ie),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_small_typed_ies),
        cmocka_unit_test(test_every_message_minimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
