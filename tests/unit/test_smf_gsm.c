/* SMF building blocks: UE address pools (v4, v6 /64 prefixes, exhaustion, no duplicates),
 * the smf: configuration section, 5GSM establishment request -> accept/reject built with
 * the NAS codec and decoded back field by field, the N2 Setup Request Transfer decoded
 * back with the NGAP codec, and both checked by tshark's nas-5gs / ngap dissectors (an
 * independent implementation) when tshark and text2pcap are installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asn1/aper.h"
#include "core/err.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/config.h"
#include "nf/smf/smf_gsm.h"
#include "nf/smf/smf_pool.h"
#include "ngap/ngap_msg.h"

/* ---- pools ---- */

static void test_pool_v4(void **state)
{
    (void)state;
    smf_pool p;
    uint8_t a[8], b[8];
    assert_int_equal(smf_pool_init(&p, "10.45.0.0/29"), 0);
    /* 8 addresses - network, gateway .1, broadcast = 5 */
    assert_int_equal(smf_pool_available(&p), 5);
    uint8_t seen[8] = {0};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(smf_pool_alloc(&p, a), 0);
        assert_memory_equal(a, "\x0a\x2d\x00", 3);
        assert_true(a[3] >= 2 && a[3] <= 6);
        assert_int_equal(seen[a[3]], 0); /* no duplicates */
        seen[a[3]] = 1;
    }
    assert_int_equal(smf_pool_alloc(&p, b), G5_ERR_LIMIT);
    uint8_t three[8] = {10, 45, 0, 3};
    assert_int_equal(smf_pool_release(&p, three), 0);
    assert_int_equal(smf_pool_release(&p, three), G5_ERR_NOT_FOUND); /* double free */
    uint8_t gw[8] = {10, 45, 0, 1}, other[8] = {10, 46, 0, 3};
    assert_int_equal(smf_pool_release(&p, gw), G5_ERR_NOT_FOUND);
    assert_int_equal(smf_pool_release(&p, other), G5_ERR_NOT_FOUND);
    assert_int_equal(smf_pool_alloc(&p, b), 0);
    assert_memory_equal(b, three, 4);
    smf_pool_free(&p);
    /* base with host bits set is normalised; bad text refused */
    assert_int_equal(smf_pool_init(&p, "10.45.7.9/16"), 0);
    assert_int_equal(smf_pool_alloc(&p, a), 0);
    assert_memory_equal(a, "\x0a\x2d\x00\x02", 4);
    assert_int_equal(smf_pool_available(&p), 65536 - 2 - 1 - 1);
    smf_pool_free(&p);
    assert_int_equal(smf_pool_init(&p, "10.45.0.0"), G5_ERR_INVALID);
    assert_int_equal(smf_pool_init(&p, "10.45.0.0/31"), G5_ERR_INVALID);
    assert_int_equal(smf_pool_init(&p, "10.45.0.300/24"), G5_ERR_INVALID);
    assert_int_equal(smf_pool_init(&p, "2001:db8::/80"), G5_ERR_INVALID);
}

/* 100k sessions on one DNN: a /8 holds SMF_POOL_MAX addresses, every one distinct, and a
 * /12 (exactly SMF_POOL_MAX) keeps its broadcast address out. */
static void test_pool_large(void **state)
{
    (void)state;
    smf_pool p;
    uint8_t a[8];
    assert_int_equal(smf_pool_init(&p, "10.0.0.0/8"), 0);
    assert_int_equal(smf_pool_available(&p), SMF_POOL_MAX - 2);
    for (uint32_t i = 0; i < 100000; i++) {
        assert_int_equal(smf_pool_alloc(&p, a), 0);
        uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
        assert_int_equal(v, 0x0a000002u + i); /* next-fit: consecutive, none twice */
    }
    smf_pool_free(&p);
    assert_int_equal(smf_pool_init(&p, "10.16.0.0/12"), 0);
    assert_int_equal(smf_pool_available(&p), SMF_POOL_MAX - 3);
    uint8_t bcast[8] = {10, 31, 255, 255};
    assert_int_equal(smf_pool_release(&p, bcast), G5_ERR_NOT_FOUND);
    smf_pool_free(&p);
}

static void test_pool_v6(void **state)
{
    (void)state;
    smf_pool p;
    uint8_t a[8], b[8];
    assert_int_equal(smf_pool_init(&p, "2001:db8:cafe::/62"), 0);
    assert_int_equal(smf_pool_available(&p), 3); /* four /64s, the first reserved */
    assert_int_equal(smf_pool_alloc(&p, a), 0);
    assert_memory_equal(a, "\x20\x01\x0d\xb8\xca\xfe\x00\x01", 8);
    assert_int_equal(smf_pool_alloc(&p, b), 0);
    assert_memory_equal(b, "\x20\x01\x0d\xb8\xca\xfe\x00\x02", 8);
    assert_int_equal(smf_pool_alloc(&p, b), 0);
    assert_int_equal(smf_pool_alloc(&p, b), G5_ERR_LIMIT);
    assert_int_equal(smf_pool_release(&p, a), 0);
    assert_int_equal(smf_pool_alloc(&p, b), 0);
    assert_memory_equal(a, b, 8);
    smf_pool_free(&p);
}

/* ---- config ---- */

static void test_config_smf(void **state)
{
    (void)state;
    g5_config cfg;
    g5_config_defaults(&cfg);
    assert_int_equal(cfg.smf.default_5qi, 9);
    assert_string_equal(cfg.smf.dnns[0].name, "internet");
    const char *y = "smf:\n"
                    "  pfcp: {address: 127.0.0.4, heartbeat: 5, t1_ms: 500, n1: 2}\n"
                    "  upfs:\n"
                    "    - {address: 127.0.0.7, dnns: [internet], slices: [{sst: 1}]}\n"
                    "    - {address: 127.0.0.8, n3_address: 10.0.0.8, dnns: [ims]}\n"
                    "  dnns:\n"
                    "    - {name: internet, ipv4_pool: 10.45.0.0/16, dns4: 1.1.1.1, mtu: 1450,\n"
                    "       ambr_ul: 50000000, ambr_dl: 100000000}\n"
                    "    - {name: ims, ipv6_pool: 2001:db8:1::/48, dns6: 2001:db8::53}\n"
                    "  default_5qi: 8\n"
                    "  arp: {priority: 3, preempt_cap: true}\n";
    assert_int_equal(g5_config_load_string(&cfg, y, "t.yaml", stderr), 0);
    assert_string_equal(cfg.smf.pfcp_addr, "127.0.0.4");
    assert_int_equal(cfg.smf.t1_ms, 500);
    assert_int_equal(cfg.smf.nupfs, 2);
    assert_string_equal(cfg.smf.upfs[1].n3_addr, "10.0.0.8");
    assert_int_equal(cfg.smf.upfs[0].nslices, 1);
    assert_int_equal(cfg.smf.ndnns, 2);
    assert_int_equal(cfg.smf.dnns[0].mtu, 1450);
    assert_int_equal(cfg.smf.dnns[0].ambr_ul, 50000000);
    assert_string_equal(cfg.smf.dnns[1].ipv6_pool, "2001:db8:1::/48");
    assert_int_equal(cfg.smf.default_5qi, 8);
    assert_int_equal(cfg.smf.arp_priority, 3);
    assert_true(cfg.smf.arp_preempt_cap);
    /* a DNN without any pool and an unknown key are reported */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    g5_config_defaults(&cfg);
    assert_int_equal(
        g5_config_load_string(&cfg, "smf:\n  dnns:\n    - {name: x, mtuu: 1}\n", "t.yaml", f),
        G5_ERR_CONFIG);
    fclose(f);
    assert_non_null(strstr(buf, "ipv4_pool or ipv6_pool"));
    assert_non_null(strstr(buf, "mtuu"));
    free(buf);
}

/* The SMF finds the UPF of the upf: section without an smf.upfs list; the defaults agree
 * (UPF on 127.0.0.7, its pools = the SMF's default DNN pools, IPv4 and IPv6). */
static void test_config_smf_upf_link(void **state)
{
    (void)state;
    g5_config cfg;
    g5_config_defaults(&cfg);
    assert_true(cfg.upf.enabled);
    assert_string_equal(cfg.smf.upfs[0].address, cfg.upf.pfcp_addr);
    assert_int_equal(cfg.smf.upfs[0].port, cfg.upf.pfcp_port);
    assert_string_equal(cfg.upf.ue_pools[0], cfg.smf.dnns[0].ipv4_pool);
    assert_int_equal(cfg.upf.n_ue_pools, 2);
    assert_int_equal(strncmp(cfg.upf.ue_pools[1], cfg.smf.dnns[0].ipv6_pool, 14), 0);
    assert_int_equal(g5_config_load_string(&cfg,
                                           "upf:\n  pfcp: {address: 127.0.0.9, port: 8806}\n"
                                           "  n3: {address: 127.0.0.9}\n",
                                           "t.yaml", stderr),
                     0);
    assert_int_equal(cfg.smf.nupfs, 1);
    assert_string_equal(cfg.smf.upfs[0].address, "127.0.0.9");
    assert_int_equal(cfg.smf.upfs[0].port, 8806);
    assert_string_equal(cfg.smf.upfs[0].n3_addr, "127.0.0.9");
    /* a UPF elsewhere: upf.enabled false + an explicit list */
    g5_config_defaults(&cfg);
    assert_int_equal(g5_config_load_string(&cfg,
                                           "upf: {enabled: false}\n"
                                           "smf:\n  upfs: [{address: 192.0.2.10}]\n",
                                           "t.yaml", stderr),
                     0);
    assert_false(cfg.upf.enabled);
    assert_string_equal(cfg.smf.upfs[0].address, "192.0.2.10");
}

/* ---- 5GSM ---- */

/* A UE's PDU SESSION ESTABLISHMENT REQUEST with ePCO asking for DNS v4/v6 and the MTU. */
static size_t make_est_req(uint8_t *out, size_t cap, uint8_t psi, uint8_t type, bool epco)
{
    nas_msg m;
    nas_arena ar;
    g5_wbuf w;
    static const uint8_t ipmax[2] = {0xff, 0xff};
    nas_arena_init(&ar);
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST), 0);
    m.psi = psi;
    m.pti = 7;
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    if (type)
        nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, type);
    nas_ie_set_half(&m.pdu_session_establishment_request.ssc_mode, 1);
    if (epco) {
        size_t mark = g5_wbuf_len(&ar.w);
        assert_int_equal(g5_wbuf_u8(&ar.w, 0x80), 0);
        assert_int_equal(nas_epco_put(&ar.w, SMF_PCO_DNS4, NULL, 0), 0);
        assert_int_equal(nas_epco_put(&ar.w, SMF_PCO_DNS6, NULL, 0), 0);
        assert_int_equal(nas_epco_put(&ar.w, SMF_PCO_MTU4, NULL, 0), 0);
        assert_int_equal(
            nas_arena_ie(
                &ar, mark,
                &m.pdu_session_establishment_request.extended_protocol_configuration_options),
            0);
    }
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

static void test_parse_est_req(void **state)
{
    (void)state;
    uint8_t buf[256], cause = 0;
    smf_est_req r;
    size_t n = make_est_req(buf, sizeof buf, 5, NAS_PDU_IPV4V6, true);
    assert_int_equal(smf_gsm_parse_est_req(buf, n, &r, &cause), 0);
    assert_int_equal(r.psi, 5);
    assert_int_equal(r.pti, 7);
    assert_int_equal(r.pdu_type, NAS_PDU_IPV4V6);
    assert_int_equal(r.ssc_mode, 1);
    assert_true(r.want_dns4 && r.want_dns6 && r.want_mtu);
    /* PSI 0 is not a valid PDU session identity: #43 */
    n = make_est_req(buf, sizeof buf, 0, NAS_PDU_IPV4, false);
    assert_int_not_equal(smf_gsm_parse_est_req(buf, n, &r, &cause), 0);
    assert_int_equal(cause, SMF_CAUSE_INVALID_PSI);
    /* truncated: mandatory IE missing -> a protocol cause, never a crash */
    n = make_est_req(buf, sizeof buf, 1, 0, false);
    cause = 0;
    assert_int_not_equal(smf_gsm_parse_est_req(buf, 4, &r, &cause), 0);
    assert_true(cause >= 95 && cause <= 111);
    /* a 5GMM message is not a 5GSM one */
    static const uint8_t mm[] = {0x7e, 0x00, 0x45};
    assert_int_not_equal(smf_gsm_parse_est_req(mm, sizeof mm, &r, &cause), 0);
}

static smf_accept sample_accept(void)
{
    smf_accept a = {.psi = 5,
                    .pti = 7,
                    .pdu_type = NAS_PDU_IPV4V6,
                    .ssc_mode = 1,
                    .ipv4 = {10, 45, 0, 2},
                    .ipv6_iid = {0, 0, 0, 0, 0, 0, 0, 1},
                    .qfi = 1,
                    .fiveqi = 9,
                    .ambr_ul = 100000000,
                    .ambr_dl = 200000000,
                    .dnn = "internet",
                    .sst = 1,
                    .sd = 0x000001,
                    .dns4 = true,
                    .dns6 = true,
                    .mtu = true,
                    .dns4_addr = {{8, 8, 8, 8}},
                    .n_dns4 = 1,
                    .dns6_addr = {{0x20, 0x01, 0x48, 0x60, 0x48, 0x60, [15] = 0x88}},
                    .n_dns6 = 1,
                    .mtu_value = 1400};
    return a;
}

static void test_accept_contents(void **state)
{
    (void)state;
    uint8_t buf[512];
    g5_wbuf w;
    smf_accept a = sample_accept();
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(smf_gsm_build_accept(&a, &w), 0);
    nas_msg m;
    uint8_t cause;
    assert_int_equal(nas_decode(buf, g5_wbuf_len(&w), &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_ESTABLISHMENT_ACCEPT);
    assert_int_equal(m.psi, 5);
    assert_int_equal(m.pti, 7);
    const struct nas_pdu_session_establishment_accept *acc = &m.pdu_session_establishment_accept;
    assert_int_equal(acc->selected_pdu_session_type.half, NAS_PDU_IPV4V6);
    assert_int_equal(acc->selected_ssc_mode.half, 1);
    /* default QoS rule: match-all, DQR, QFI 1 */
    g5_rbuf r;
    nas_qos_rule q;
    g5_rbuf_init(&r, acc->authorized_qos_rules.v, acc->authorized_qos_rules.len);
    assert_int_equal(nas_qos_rule_next(&r, &q), 0);
    assert_true(g5_rbuf_empty(&r));
    assert_int_equal(q.qri, 1);
    assert_true(q.dqr);
    assert_int_equal(q.op, NAS_QOS_RULE_CREATE);
    assert_int_equal(q.qfi, 1);
    assert_int_equal(q.n_pf, 1);
    assert_int_equal(q.pf[0].direction, 3);
    assert_int_equal(q.pf[0].content_len, 1);
    assert_int_equal(q.pf[0].content[0], 0x01);
    /* session-AMBR */
    nas_session_ambr sa;
    assert_int_equal(nas_session_ambr_decode(&acc->session_ambr, &sa), 0);
    assert_int_equal(nas_ambr_bps(sa.dl_unit, sa.dl), 200000000);
    assert_int_equal(nas_ambr_bps(sa.ul_unit, sa.ul), 100000000);
    /* PDU address */
    nas_pdu_address pa;
    assert_int_equal(nas_pdu_address_decode(&acc->pdu_address, &pa), 0);
    assert_int_equal(pa.type, NAS_PDU_IPV4V6);
    assert_memory_equal(pa.ipv4, a.ipv4, 4);
    assert_memory_equal(pa.ipv6_iid, a.ipv6_iid, 8);
    /* DNN and S-NSSAI */
    char dnn[64];
    assert_true(nas_dnn_decode(&acc->dnn, dnn, sizeof dnn) >= 0);
    assert_string_equal(dnn, "internet");
    nas_snssai s;
    assert_int_equal(nas_snssai_decode_value(acc->s_nssai.v, acc->s_nssai.len, &s), 0);
    assert_int_equal(s.sst, 1);
    assert_true(s.has_sd);
    assert_int_equal(s.sd, 1);
    /* QoS flow description: 5QI 9 */
    nas_qos_flow f;
    g5_rbuf_init(&r, acc->authorized_qos_flow_descriptions.v,
                 acc->authorized_qos_flow_descriptions.len);
    assert_int_equal(nas_qos_flow_next(&r, &f), 0);
    assert_int_equal(f.qfi, 1);
    assert_int_equal(f.param[0].id, 1);
    assert_int_equal(f.param[0].v[0], 9);
    /* ePCO: DNS v4, DNS v6, MTU */
    uint8_t first;
    nas_epco_container c;
    int seen = 0;
    assert_int_equal(nas_epco_begin(&acc->extended_protocol_configuration_options, &r, &first), 0);
    while (!g5_rbuf_empty(&r)) {
        assert_int_equal(nas_epco_next(&r, &c), 0);
        if (c.id == SMF_PCO_DNS4) {
            assert_int_equal(c.len, 4);
            assert_memory_equal(c.v, "\x08\x08\x08\x08", 4);
            seen |= 1;
        } else if (c.id == SMF_PCO_DNS6) {
            assert_int_equal(c.len, 16);
            assert_memory_equal(c.v, a.dns6_addr[0], 16);
            seen |= 2;
        } else if (c.id == SMF_PCO_MTU4) {
            assert_int_equal(c.len, 2);
            assert_int_equal(c.v[0] << 8 | c.v[1], 1400);
            seen |= 4;
        }
    }
    assert_int_equal(seen, 7);
}

static void test_reject_and_release(void **state)
{
    (void)state;
    static const uint8_t causes[] = {
        SMF_CAUSE_MISSING_OR_UNKNOWN_DNN, SMF_CAUSE_SERVICE_OPTION_NOT_SUBSCRIBED,
        SMF_CAUSE_INSUFFICIENT_RESOURCES, SMF_CAUSE_UNKNOWN_PDU_SESSION_TYPE};
    for (size_t i = 0; i < sizeof causes; i++) {
        uint8_t buf[32];
        g5_wbuf w;
        nas_msg m;
        uint8_t cause;
        g5_wbuf_init(&w, buf, sizeof buf);
        assert_int_equal(smf_gsm_build_reject(3, 9, causes[i], &w), 0);
        /* TS 24.501 8.3.3: EPD, PSI, PTI, type, 5GSM cause */
        assert_int_equal(g5_wbuf_len(&w), 5);
        assert_memory_equal(buf, ((uint8_t[]){0x2e, 3, 9, 0xc3, causes[i]}), 5);
        assert_int_equal(nas_decode(buf, 5, &m, &cause), 0);
    }
    uint8_t buf[32];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(smf_gsm_build_release_command(3, 0, SMF_CAUSE_REGULAR_DEACTIVATION, &w), 0);
    assert_memory_equal(buf, ((uint8_t[]){0x2e, 3, 0, 0xd3, 36}), 5);
}

static void test_ambr_units(void **state)
{
    (void)state;
    uint8_t u;
    uint16_t v;
    smf_ambr_units(1000, &u, &v);
    assert_int_equal(u, 1);
    assert_int_equal(v, 1);
    smf_ambr_units(1000000000, &u, &v); /* 1 Gbps: 1 kbps*65535 too small */
    assert_int_equal(nas_ambr_bps(u, v), 1000000000);
    smf_ambr_units(0, &u, &v);
    assert_int_equal(v, 1);
}

/* ---- N2 ---- */

static smf_n2_setup sample_n2(void)
{
    smf_n2_setup s = {.upf_n3 = {.v4 = true, .ipv4 = {127, 0, 0, 7}},
                      .ul_teid = 0x01020304,
                      .pdu_type = NAS_PDU_IPV4,
                      .qfi = 1,
                      .fiveqi = 9,
                      .arp_priority = 8,
                      .arp_preempt_vuln = true,
                      .ambr_ul = 100000000,
                      .ambr_dl = 200000000};
    return s;
}

static void test_n2_setup_transfer(void **state)
{
    (void)state;
    smf_n2_setup s = sample_n2();
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 4096);
    assert_int_equal(smf_n2_build_setup_request_transfer(&s, &w), 0);
    NGAP_PDUSessionResourceSetupRequestTransfer_t t;
    a1_octets o = {.buf = (uint8_t *)g5_wbuf_data(&w), .len = g5_wbuf_len(&w)};
    assert_int_equal(ngap_decode_transfer(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t, &o),
                     0);
    int seen = 0;
    for (size_t i = 0; i < t.protocolIEs.count; i++) {
        const NGAP_ProtocolIE_Field_PDUSessionResourceSetupRequestTransferIEs_t *ie =
            &t.protocolIEs.list[i];
        if (ie->id == NGAP_id_UL_NGU_UP_TNLInformation) {
            const NGAP_GTPTunnel_t *g = &ie->value.UPTransportLayerInformation.gTPTunnel;
            assert_int_equal(g->transportLayerAddress.nbits, 32);
            assert_memory_equal(g->transportLayerAddress.buf, s.upf_n3.ipv4, 4);
            assert_memory_equal(g->gTP_TEID.buf, "\x01\x02\x03\x04", 4);
            seen |= 1;
        } else if (ie->id == NGAP_id_PDUSessionType) {
            assert_int_equal(ie->value.PDUSessionType, NGAP_PDUSessionType_ipv4);
            seen |= 2;
        } else if (ie->id == NGAP_id_QosFlowSetupRequestList) {
            const NGAP_QosFlowSetupRequestItem_t *q = &ie->value.QosFlowSetupRequestList.list[0];
            assert_int_equal(q->qosFlowIdentifier, 1);
            assert_int_equal(q->qosFlowLevelQosParameters.qosCharacteristics.nonDynamic5QI.fiveQI,
                             9);
            assert_int_equal(
                q->qosFlowLevelQosParameters.allocationAndRetentionPriority.priorityLevelARP, 8);
            seen |= 4;
        } else if (ie->id == NGAP_id_PDUSessionAggregateMaximumBitRate) {
            assert_int_equal(
                ie->value.PDUSessionAggregateMaximumBitRate.pDUSessionAggregateMaximumBitRateDL,
                200000000);
            seen |= 8;
        }
    }
    assert_int_equal(seen, 15);
    a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t);
    g5_wbuf_free(&w);

    /* the gNB's answer: Setup Response Transfer with its DL tunnel */
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    assert_int_equal(a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x0a\x00\x00\x01", 32), 0);
    assert_int_equal(a1_octets_set(&u->gTPTunnel.gTP_TEID, "\xaa\xbb\xcc\xdd", 4), 0);
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list[0].qosFlowIdentifier = 1;
    a1_octets enc = {0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, &enc), 0);
    g5_tnl_addr ip;
    uint32_t teid = 0;
    assert_int_equal(smf_n2_parse_setup_response_transfer(enc.buf, enc.len, &ip, &teid), 0);
    assert_true(ip.v4 && !ip.v6);
    assert_memory_equal(ip.ipv4, "\x0a\x00\x00\x01", 4);
    assert_int_equal(teid, 0xaabbccdd);
    /* truncated: an error, never a crash */
    assert_int_not_equal(smf_n2_parse_setup_response_transfer(enc.buf, 2, &ip, &teid), 0);
    free(enc.buf);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
}

/* ---- tshark oracle ---- */

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1") == 0;
}

/* Runs bytes through text2pcap -P <proto> and tshark -V; returns the dissection. */
static char *dissect(const char *proto, const uint8_t *p, size_t n)
{
    char dir[] = "/tmp/smf_tsharkXXXXXX";
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
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    size_t k;
    while (len + 1 < cap && (k = fread(out + len, 1, cap - 1 - len, o)) > 0)
        len += k;
    pclose(o);
    unlink(txt);
    unlink(pcap);
    rmdir(dir);
    return out;
}

static void test_tshark_accept_and_n2(void **state)
{
    (void)state;
    if (!have_tshark()) {
        printf("SKIP tshark part: tshark/text2pcap not installed\n");
        return;
    }
    uint8_t buf[512];
    g5_wbuf w;
    smf_accept a = sample_accept();
    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(smf_gsm_build_accept(&a, &w), 0);
    char *out = dissect("nas-5gs", buf, g5_wbuf_len(&w));
    assert_null(strstr(out, "Malformed"));
    assert_null(strstr(out, "[Expert Info (Error"));
    assert_non_null(strstr(out, "PDU session establishment accept"));
    assert_non_null(strstr(out, "PDU address information: 10.45.0.2"));
    assert_non_null(strstr(out, "DNN: internet"));
    assert_non_null(strstr(out, "5QI: 9"));
    free(out);

    g5_wbuf_init(&w, buf, sizeof buf);
    assert_int_equal(smf_gsm_build_reject(3, 9, SMF_CAUSE_MISSING_OR_UNKNOWN_DNN, &w), 0);
    out = dissect("nas-5gs", buf, g5_wbuf_len(&w));
    assert_null(strstr(out, "Malformed"));
    assert_non_null(strstr(out, "Missing or unknown DNN"));
    free(out);

    /* N2: the transfer inside a PDU Session Resource Setup Request */
    smf_n2_setup s = sample_n2();
    g5_wbuf tw, pw;
    g5_wbuf_init_dyn(&tw, 4096);
    g5_wbuf_init_dyn(&pw, 8192);
    assert_int_equal(smf_n2_build_setup_request_transfer(&s, &tw), 0);
    NGAP_NGAP_PDU_t pdu;
    ngap_snssai sn = {.sst = 1};
    assert_int_equal(ngap_build_pdu_session_setup_request(&pdu, 1, 2, 5, &sn, buf, 5,
                                                          g5_wbuf_data(&tw), g5_wbuf_len(&tw)),
                     0);
    assert_int_equal(ngap_encode(&pdu, &pw), 0);
    ngap_free(&pdu);
    out = dissect("ngap", g5_wbuf_data(&pw), g5_wbuf_len(&pw));
    assert_null(strstr(out, "Malformed"));
    assert_null(strstr(out, "[Expert Info (Error"));
    assert_non_null(strstr(out, "TransportLayerAddress (IPv4): 127.0.0.7"));
    assert_non_null(strstr(out, "gTP-TEID: 01020304"));
    assert_non_null(strstr(out, "fiveQI: 9"));
    free(out);
    g5_wbuf_free(&tw);
    g5_wbuf_free(&pw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_v4),
        cmocka_unit_test(test_pool_v6),
        cmocka_unit_test(test_pool_large),
        cmocka_unit_test(test_config_smf),
        cmocka_unit_test(test_config_smf_upf_link),
        cmocka_unit_test(test_parse_est_req),
        cmocka_unit_test(test_accept_contents),
        cmocka_unit_test(test_reject_and_release),
        cmocka_unit_test(test_ambr_units),
        cmocka_unit_test(test_n2_setup_transfer),
        cmocka_unit_test(test_tshark_accept_and_n2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
