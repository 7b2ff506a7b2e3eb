/* N3 over IPv6 (TS 29.281 over IPv6) through every layer that carries an N3 address:
 *  - g5_tnl_addr: NGAP Transport Layer Address of 32 / 128 / 160 bits (TS 38.414 §5.1),
 *    text, the family choice (IPv6 when both ends have it);
 *  - configuration: upf.n3.address/address6, smf.upfs[].n3_address6, gnb.n3.address6 and
 *    their errors (each names the field);
 *  - N2: the SMF's PDU Session Resource Setup Request Transfer with a 128- and a 160-bit UL
 *    address, the Setup Response Transfer the simulated gNB builds with an IPv6 / dual DL
 *    address read back by the SMF; a 48-bit address refused;
 *  - N4: Create PDR F-TEID with V6 (CHOOSE and fixed), Outer Header Removal GTP-U/UDP/IPv6,
 *    Outer Header Creation GTP-U/UDP/IPv6 (TS 29.244 §8.2.3, §8.2.56, §8.2.64);
 *  - the UPF: an IPv6-only N3 answers CHOOSE with an IPv6 F-TEID, forwards downlink to an
 *    IPv6 gNB (peer of 16 octets), and its Error Indication carries its IPv6 address;
 *  - oracle: tshark dissects the NGAP Setup Request with both transfers and the PFCP
 *    establishment / modification requests (no malformed packet, addresses as expected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asn1/aper.h"
#include "core/err.h"
#include "gtpu/gtpu.h"
#include "gtpu/gtpu_tnl.h"
#include "nf/config.h"
#include "nf/smf/smf_gsm.h"
#include "nf/upf/upf.h"
#include "ngap/ngap_msg.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"
#include "sim/sim_config.h"
#include "sim/sim_up.h"

static const uint8_t UPF6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
static const uint8_t GNB6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* ---- g5_tnl_addr ---- */

static void test_tnl_bits(void **state)
{
    (void)state;
    g5_tnl_addr a = {0}, b;
    uint8_t bits[20];
    assert_int_equal(g5_tnl_to_bits(&a, bits), 0);
    assert_int_equal(g5_tnl_add_text(&a, "10.0.0.1"), 0);
    assert_int_equal(g5_tnl_add_text(&a, "10.0.0.2"), G5_ERR_EXISTS);
    assert_int_equal(g5_tnl_to_bits(&a, bits), 32);
    assert_int_equal(g5_tnl_add_text(&a, "fd00::7"), 0);
    assert_int_equal(g5_tnl_to_bits(&a, bits), 160);
    assert_memory_equal(bits, "\x0a\x00\x00\x01", 4); /* IPv4 first (TS 38.414 §5.1) */
    assert_memory_equal(bits + 4, UPF6, 16);
    assert_int_equal(g5_tnl_from_bits(&b, bits, 160), 0);
    assert_true(b.v4 && b.v6);
    assert_memory_equal(b.ipv6, UPF6, 16);
    assert_int_equal(g5_tnl_from_bits(&b, UPF6, 128), 0);
    assert_true(!b.v4 && b.v6);
    for (size_t n = 0; n <= 168; n++)
        if (n != 32 && n != 128 && n != 160)
            assert_int_equal(g5_tnl_from_bits(&b, bits, n), G5_ERR_UNSUPPORTED);
    assert_int_equal(g5_tnl_add_text(&b, "not-an-address"), G5_ERR_INVALID);
    char s[G5_TNL_STR_MAX];
    assert_string_equal(g5_tnl_str(&a, s, sizeof s), "10.0.0.1/fd00::7");

    g5_tnl_addr v4 = {.v4 = true}, v6 = {.v6 = true}, both = {.v4 = true, .v6 = true};
    assert_int_equal(g5_tnl_pick(&both, &both), 6);
    assert_int_equal(g5_tnl_pick(&both, &v4), 4);
    assert_int_equal(g5_tnl_pick(&v6, &both), 6);
    assert_int_equal(g5_tnl_pick(&v4, &v6), 0);
}

/* ---- configuration ---- */

static int core_cfg(g5_config *cfg, const char *yaml, char *err, size_t cap)
{
    g5_config_defaults(cfg);
    FILE *f = fmemopen(err, cap, "w");
    int rc = g5_config_load_string(cfg, yaml, "t.yaml", f);
    fclose(f);
    return rc;
}

static void test_config_core(void **state)
{
    (void)state;
    static g5_config cfg;
    char err[2048];
    assert_int_equal(core_cfg(&cfg, "upf: {n3: {address: \"fd00::7\"}}\n", err, sizeof err), 0);
    assert_string_equal(cfg.upf.n3_addr, "");
    assert_string_equal(cfg.upf.n3_addr6, "fd00::7");
    /* without smf.upfs the SMF takes the hosted UPF's N3 families */
    assert_string_equal(cfg.smf.upfs[0].n3_addr, "");
    assert_string_equal(cfg.smf.upfs[0].n3_addr6, "fd00::7");
    assert_int_equal(
        core_cfg(&cfg, "upf: {n3: {address: 10.0.0.7, address6: \"fd00::7\"}}\n", err, sizeof err),
        0);
    assert_string_equal(cfg.upf.n3_addr, "10.0.0.7");
    assert_string_equal(cfg.upf.n3_addr6, "fd00::7");
    assert_int_equal(core_cfg(&cfg, "upf: {n3: {address6: \"fd00::7\"}}\n", err, sizeof err), 0);
    assert_string_equal(cfg.upf.n3_addr, "127.0.0.7"); /* the default IPv4 stays: dual */
    assert_int_equal(
        core_cfg(&cfg,
                 "upf: {enabled: false}\nsmf:\n  upfs: [{address: 10.0.0.9, n3_address6: "
                 "\"fd00::9\"}, {address: 10.0.0.8, n3_address: \"fd00::8\"}]\n",
                 err, sizeof err),
        0);
    assert_string_equal(cfg.smf.upfs[0].n3_addr, "10.0.0.9");
    assert_string_equal(cfg.smf.upfs[0].n3_addr6, "fd00::9");
    assert_string_equal(cfg.smf.upfs[1].n3_addr, "");
    assert_string_equal(cfg.smf.upfs[1].n3_addr6, "fd00::8");

    static const struct {
        const char *yaml, *want;
    } bad[] = {
        {"upf: {n3: {address: 10.0.0.300}}\n", "upf.n3.address: '10.0.0.300' is not an IPv4 or"},
        {"upf: {n3: {address6: 10.0.0.1}}\n", "upf.n3.address6: '10.0.0.1' is not an IPv6"},
        {"upf: {n3: {address: \"fd00::1\", address6: \"fd00::2\"}}\n",
         "upf.n3.address6: address is already IPv6"},
        {"upf: {n3: {address: \"\"}}\n", "upf.n3.address: N3 needs an address"},
        {"smf: {upfs: [{address: 10.0.0.9, n3_address6: x}]}\n",
         "smf.upfs[0].n3_address6: 'x' is not an IPv6"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(err, 0, sizeof err);
        assert_int_equal(core_cfg(&cfg, bad[i].yaml, err, sizeof err), G5_ERR_CONFIG);
        if (!strstr(err, bad[i].want))
            fail_msg("%s: got '%s', want '%s'", bad[i].yaml, err, bad[i].want);
    }
}

static void test_config_sim(void **state)
{
    (void)state;
    static sim_config cfg;
    char err[2048];
    static const struct {
        const char *yaml, *n3, *n3v6, *want_err;
    } cases[] = {
        {"gnb: {n3: {address: \"fd00::2\"}}\n", "", "fd00::2", NULL},
        {"gnb: {n3: {address: 127.0.0.2, address6: \"fd00::2\"}}\n", "127.0.0.2", "fd00::2", NULL},
        {"gnb: {n3: {address6: \"::1\"}}\n", "127.0.0.1", "::1", NULL},
        {"gnb: {n3: {address: nope}}\n", NULL, NULL, "gnb.n3.address: 'nope' is not an IPv4 or"},
        {"gnb: {n3: {address6: 127.0.0.1}}\n", NULL, NULL, "gnb.n3.address6: '127.0.0.1' is not"},
        {"gnb: {n3: {address: \"::1\", address6: \"::2\"}}\n", NULL, NULL, "already IPv6"},
        {"gnb: {n3: {address: \"\"}}\n", NULL, NULL, "gnb.n3.address: N3 needs an address"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_config_defaults(&cfg);
        memset(err, 0, sizeof err);
        FILE *f = fmemopen(err, sizeof err, "w");
        int rc = sim_config_load_string(&cfg, cases[i].yaml, "sim.yaml", f);
        fclose(f);
        if (cases[i].want_err) {
            assert_int_equal(rc, G5_ERR_CONFIG);
            if (!strstr(err, cases[i].want_err))
                fail_msg("%s: got '%s'", cases[i].yaml, err);
        } else {
            if (rc)
                fail_msg("%s: %s", cases[i].yaml, err);
            assert_string_equal(cfg.gnb.n3_address, cases[i].n3);
            assert_string_equal(cfg.gnb.n3_address6, cases[i].n3v6);
        }
    }
}

/* ---- N2 transfers ---- */

static smf_n2_setup n2_setup(bool v4, bool v6)
{
    smf_n2_setup s = {.upf_n3 = {.v4 = v4, .v6 = v6, .ipv4 = {127, 0, 0, 7}},
                      .ul_teid = 0x0a0b0c0d,
                      .pdu_type = 1,
                      .qfi = 1,
                      .fiveqi = 9,
                      .arp_priority = 8,
                      .ambr_ul = 1000000,
                      .ambr_dl = 2000000};
    memcpy(s.upf_n3.ipv6, UPF6, 16);
    return s;
}

static void test_n2_transfers(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) { /* IPv4, IPv6, both */
        bool v4 = k != 1, v6 = k != 0;
        smf_n2_setup s = n2_setup(v4, v6);
        uint8_t b[512];
        g5_wbuf w;
        g5_wbuf_init(&w, b, sizeof b);
        assert_int_equal(smf_n2_build_setup_request_transfer(&s, &w), 0);
        sim_setup_transfer t; /* the gNB reads it */
        assert_int_equal(sim_gnb_parse_setup_transfer(b, w.len, &t), 0);
        assert_int_equal(t.upf.v4, v4);
        assert_int_equal(t.upf.v6, v6);
        if (v6)
            assert_memory_equal(t.upf.ipv6, UPF6, 16);
        if (v4)
            assert_memory_equal(t.upf.ipv4, "\x7f\x00\x00\x07", 4);
        assert_int_equal(t.ul_teid, 0x0a0b0c0d);

        /* the gNB answers with its DL tunnel; the SMF reads it */
        g5_tnl_addr gnb = {.v4 = v4, .v6 = v6, .ipv4 = {127, 0, 0, 2}}, got;
        memcpy(gnb.ipv6, GNB6, 16);
        const uint8_t qfi = 1;
        g5_wbuf_init(&w, b, sizeof b);
        assert_int_equal(sim_gnb_build_setup_response_transfer(&gnb, 0x1234, &qfi, 1, &w), 0);
        uint32_t teid = 0;
        assert_int_equal(smf_n2_parse_setup_response_transfer(b, w.len, &got, &teid), 0);
        assert_int_equal(teid, 0x1234);
        assert_int_equal(got.v4, v4);
        assert_int_equal(got.v6, v6);
        if (v6)
            assert_memory_equal(got.ipv6, GNB6, 16);
    }
    /* an address of neither 32, 128 nor 160 bits is refused, never read past */
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    assert_int_equal(
        a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x0a\x00\x00\x01\x02\x03", 48), 0);
    assert_int_equal(a1_octets_set(&u->gTPTunnel.gTP_TEID, "\xaa\xbb\xcc\xdd", 4), 0);
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    a1_octets enc = {0};
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, &enc), 0);
    g5_tnl_addr got;
    uint32_t teid;
    assert_int_equal(smf_n2_parse_setup_response_transfer(enc.buf, enc.len, &got, &teid),
                     G5_ERR_UNSUPPORTED);
    free(enc.buf);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
    /* the SMF refuses to build a transfer without any address */
    smf_n2_setup none = n2_setup(false, false);
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(smf_n2_build_setup_request_transfer(&none, &w) < 0);
}

/* ---- N4 and the UPF ---- */

static upf U;
static g5_pfcp_msg M;
static uint8_t RSP[4096];
static const uint8_t SMF_SA[16] = {2, 0, 0x22, 0x65, 127, 0, 0, 2};

static size_t req(const uint8_t *p, size_t n)
{
    g5_wbuf w;
    g5_wbuf_init(&w, RSP, sizeof RSP);
    upf_pfcp_handle(&U, p, n, SMF_SA, sizeof SMF_SA, &w);
    assert_int_equal(w.err, 0);
    if (w.len)
        assert_int_equal(g5_pfcp_decode(RSP, w.len, &M, NULL), 0);
    return w.len;
}

/* An IPv6-only N3 UPF (no_v4) or a dual one, associated. */
static void upf_v6(bool dual)
{
    upf_params p;
    memset(&p, 0, sizeof p);
    p.max_sessions = 16;
    p.n3_no_v4 = !dual;
    memcpy(p.n3_ipv4, (uint8_t[]){10, 0, 0, 1}, 4);
    p.n3_v6 = true;
    memcpy(p.n3_ipv6, UPF6, 16);
    p.node_id.type = G5_PFCP_NODE_IPV4;
    memcpy(p.node_id.ipv4, (uint8_t[]){10, 0, 0, 9}, 4);
    assert_int_equal(upf_init(&U, &p), 0);
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_node_id smf = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 2}};
    assert_true(g5_pfcp_build_assoc_setup_req(&w, 1, &smf, 1234, 0, 1) >= 0);
    assert_true(req(b, w.len) > 0);
}

static g5_pfcp_sess_est_req EST;

/* The SMF's establishment: CHOOSE asking for v4 and/or v6, DL FAR to an IPv6 gNB. */
static size_t est_bytes(uint8_t *b, size_t cap, bool ask4, bool ask6, bool gnb)
{
    static uint8_t ue = 9; /* a new UE address each time */
    memset(&EST, 0, sizeof EST);
    EST.node_id.type = G5_PFCP_NODE_IPV4;
    EST.cp_fseid.v4 = true;
    EST.cp_fseid.seid = 0x77;
    g5_pfcp_pdu_session s = {.ue_ipv4 = {10, 45, 0, ue++},
                             .qfi = 1,
                             .ul_teid_choose = true,
                             .n3_no_v4 = !ask4,
                             .n3_v6 = ask6,
                             .has_gnb = gnb,
                             .gnb_teid = 0x5678,
                             .gnb_v6 = true};
    memcpy(s.gnb_ipv6, GNB6, 16);
    g5_pfcp_pdu_session_rules(&EST.create, &s);
    g5_wbuf w;
    g5_wbuf_init(&w, b, cap);
    assert_true(g5_pfcp_build_sess_est_req(&w, 0, ue, &EST) >= 0); /* new sequence number */
    return w.len;
}

static void test_pfcp_rules_v6(void **state)
{
    (void)state;
    g5_pfcp_pdu_session s = {.ul_teid = 0x42, .n3_v6 = true, .n3_no_v4 = true};
    memcpy(s.n3_ipv6, UPF6, 16);
    static g5_pfcp_rules r;
    g5_pfcp_pdu_session_rules(&r, &s);
    const g5_pfcp_pdi *pdi = &r.pdr[0].pdi;
    assert_true(pdi->fteid.v6 && !pdi->fteid.v4 && !pdi->fteid.ch);
    assert_memory_equal(pdi->fteid.ipv6, UPF6, 16);
    assert_int_equal(r.pdr[0].ohr.desc, G5_PFCP_OHR_GTPU_UDP_IPV6);
    s.n3_no_v4 = false; /* dual: remove either header */
    g5_pfcp_pdu_session_rules(&r, &s);
    assert_int_equal(r.pdr[0].ohr.desc, G5_PFCP_OHR_GTPU_UDP_IP);
    assert_true(r.pdr[0].pdi.fteid.v4 && r.pdr[0].pdi.fteid.v6);
    s.has_gnb = true;
    s.gnb_v6 = true;
    memcpy(s.gnb_ipv6, GNB6, 16);
    g5_pfcp_pdu_session_rules(&r, &s);
    assert_int_equal(r.far[1].fwd.ohc.desc, G5_PFCP_OHC_GTPU_UDP_IPV6);
    assert_memory_equal(r.far[1].fwd.ohc.ipv6, GNB6, 16);
    /* round trip of the modification through the codec */
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(
        g5_pfcp_build_sess_mod_req_gnb_tunnel_ip(&w, 9, 3, G5_PFCP_DL_FAR, 0x99, true, GNB6) >= 0);
    assert_int_equal(g5_pfcp_decode(b, w.len, &M, NULL), 0);
}

static void test_upf_v6_only(void **state)
{
    (void)state;
    upf_v6(false);
    uint8_t b[2048];
    /* the SMF asks for both families: an IPv6-only UPF answers with IPv6 only */
    assert_true(req(b, est_bytes(b, sizeof b, true, true, true)) > 0);
    static g5_pfcp_sess_rsp sr;
    assert_int_equal(g5_pfcp_sess_rsp_parse(&M, &sr), 0);
    assert_int_equal(sr.cause, G5_PFCP_CAUSE_ACCEPTED);
    assert_true(sr.created[0].has_fteid);
    const g5_pfcp_fteid *f = &sr.created[0].fteid;
    assert_true(f->v6 && !f->v4);
    assert_memory_equal(f->ipv6, UPF6, 16);
    /* the F-SEID carries the N4 address, not N3 */
    assert_true(sr.up_fseid.v4);
    assert_memory_equal(sr.up_fseid.ipv4, "\x0a\x00\x00\x09", 4);
    uint32_t teid = f->teid;

    /* downlink to the UE: GTP-U towards the gNB's IPv6 address */
    uint8_t pkt[G5_GTPU_HEADROOM + 64];
    uint8_t *ip = pkt + G5_GTPU_HEADROOM;
    memset(ip, 0, 28);
    ip[0] = 0x45;
    ip[3] = 28;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\x0a\x00\x00\x63", 4);
    memcpy(ip + 16, &EST.create.pdr[1].pdi.ue_ip.ipv4, 4);
    upf_out o;
    assert_int_equal(upf_downlink(&U, ip, 28, 1000, &o), UPF_TO_N3);
    assert_int_equal(o.peer_len, 16);
    assert_memory_equal(o.peer, GNB6, 16);
    g5_gtpu_hdr h;
    assert_int_equal(g5_gtpu_parse(o.out, o.out_len, &h), 0);
    assert_int_equal(h.teid, 0x5678);

    /* a G-PDU for a TEID never allocated: Error Indication with our IPv6 address */
    uint8_t g[128], scratch[256];
    g5_wbuf w;
    g5_wbuf_init(&w, g, sizeof g);
    g5_gtpu_encap_params ep = {.msg_type = G5_GTPU_GPDU, .teid = teid ^ 0x5a5a5a5a};
    memcpy(g + G5_GTPU_HEADROOM, ip, 28);
    int hl = g5_gtpu_encap(g + G5_GTPU_HEADROOM, 28, G5_GTPU_HEADROOM, &ep, 0);
    assert_true(hl > 0);
    U.rx_v6 = true;
    assert_int_equal(upf_uplink(&U, g + G5_GTPU_HEADROOM - hl, 28 + (size_t)hl, 2000, scratch,
                                sizeof scratch, &o),
                     UPF_REPLY);
    g5_gtpu_ies ies;
    assert_int_equal(g5_gtpu_parse(o.out, o.out_len, &h), 0);
    assert_int_equal(h.msg_type, G5_GTPU_ERROR_INDICATION);
    assert_int_equal(g5_gtpu_msg_parse(&h, &ies), 0);
    assert_int_equal(ies.peer_addr_len, 16);
    assert_memory_equal(ies.peer_addr, UPF6, 16);
    upf_free(&U);
}

static void test_upf_dual(void **state)
{
    (void)state;
    upf_v6(true);
    uint8_t b[2048];
    static g5_pfcp_sess_rsp sr;
    /* asked for IPv4 only: IPv4 only, even though IPv6 is there */
    assert_true(req(b, est_bytes(b, sizeof b, true, false, false)) > 0);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&M, &sr), 0);
    assert_true(sr.created[0].fteid.v4 && !sr.created[0].fteid.v6);
    assert_memory_equal(sr.created[0].fteid.ipv4, "\x0a\x00\x00\x01", 4);
    /* both asked: both given (the N2 tunnel then has 160 bits) */
    assert_true(req(b, est_bytes(b, sizeof b, true, true, false)) > 0);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&M, &sr), 0);
    assert_int_equal(sr.cause, G5_PFCP_CAUSE_ACCEPTED);
    assert_true(sr.created[0].fteid.v4 && sr.created[0].fteid.v6);
    upf_free(&U);
}

/* ---- tshark ---- */

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1") == 0;
}

static char *dissect(const char *proto, const uint8_t *p, size_t n)
{
    char dir[] = "/tmp/n3v6_tsharkXXXXXX";
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
    if (getenv("N3V6_DUMP"))
        fprintf(stderr, "%s\n", out);
    return out;
}

static void want(const char *out, const char *s)
{
    if (!strstr(out, s))
        fail_msg("tshark output lacks '%s'", s);
}

static void clean(const char *out)
{
    assert_null(strstr(out, "Malformed"));
    assert_null(strstr(out, "[Expert Info (Error"));
}

static void test_tshark_ngap(void **state)
{
    (void)state;
    if (!have_tshark()) {
        printf("SKIP: tshark/text2pcap not installed\n");
        return;
    }
    static const char *const expect[] = {"TransportLayerAddress (IPv6): fd00::7",
                                         "TransportLayerAddress (IPv4): 127.0.0.7"};
    for (int k = 0; k < 2; k++) { /* IPv6 only, then IPv4 + IPv6 */
        smf_n2_setup s = n2_setup(k == 1, true);
        uint8_t tb[512];
        g5_wbuf tw, pw;
        g5_wbuf_init(&tw, tb, sizeof tb);
        assert_int_equal(smf_n2_build_setup_request_transfer(&s, &tw), 0);
        g5_wbuf_init_dyn(&pw, 4096);
        NGAP_NGAP_PDU_t pdu;
        ngap_snssai sn = {.sst = 1};
        uint8_t nas[64]; /* any well-formed NAS-PDU: a 5GSM reject */
        g5_wbuf nw;
        g5_wbuf_init(&nw, nas, sizeof nas);
        assert_int_equal(smf_gsm_build_reject(5, 1, 27, &nw), 0);
        assert_int_equal(
            ngap_build_pdu_session_setup_request(&pdu, 1, 2, 5, &sn, nas, nw.len, tb, tw.len), 0);
        assert_int_equal(ngap_encode(&pdu, &pw), 0);
        ngap_free(&pdu);
        char *out = dissect("ngap", g5_wbuf_data(&pw), g5_wbuf_len(&pw));
        clean(out);
        want(out, "TransportLayerAddress (IPv6): fd00::7");
        if (k == 1)
            want(out, expect[1]);
        else
            assert_null(strstr(out, expect[1]));
        want(out, "gTP-TEID: 0a0b0c0d");
        free(out);
        g5_wbuf_free(&pw);
    }
}

static void test_tshark_pfcp(void **state)
{
    (void)state;
    if (!have_tshark()) {
        printf("SKIP: tshark/text2pcap not installed\n");
        return;
    }
    uint8_t b[2048];
    size_t n = est_bytes(b, sizeof b, false, true, true); /* CHOOSE v6, DL to an IPv6 gNB */
    char *out = dissect("pfcp", b, n);
    clean(out);
    want(out, "Session Establishment Request");
    want(out, ".... .1.. = CH (CHOOSE): True\n"
              "                .... ..1. = V6 (IPv6): Present\n"
              "                .... ...0 = V4 (IPv4): Not Present");
    want(out, "Outer Header Removal Description: GTP-U/UDP/IPv6 (1)");
    want(out, "Outer Header Creation Description: GTP-U/UDP/IPv6");
    want(out, "IPv6 Address: fd00::2");
    free(out);

    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(
        g5_pfcp_build_sess_mod_req_gnb_tunnel_ip(&w, 9, 3, G5_PFCP_DL_FAR, 0x99, true, GNB6) >= 0);
    out = dissect("pfcp", b, w.len);
    clean(out);
    want(out, "Session Modification Request");
    want(out, "IPv6 Address: fd00::2");
    free(out);

    /* a fixed (SMF-allocated) dual F-TEID */
    g5_pfcp_pdu_session s = {.ul_teid = 0x42, .n3_v6 = true, .n3_ipv4 = {10, 0, 0, 7}};
    memcpy(s.n3_ipv6, UPF6, 16);
    memset(&EST, 0, sizeof EST);
    EST.node_id.type = G5_PFCP_NODE_IPV4;
    EST.cp_fseid.v4 = true;
    EST.cp_fseid.seid = 5;
    g5_pfcp_pdu_session_rules(&EST.create, &s);
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_est_req(&w, 0, 4, &EST) >= 0);
    out = dissect("pfcp", b, w.len);
    clean(out);
    want(out, "F-TEID : TEID: 0x00000042, IPv4 10.0.0.7, IPv6 fd00::7");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tnl_bits),      cmocka_unit_test(test_config_core),
        cmocka_unit_test(test_config_sim),    cmocka_unit_test(test_n2_transfers),
        cmocka_unit_test(test_pfcp_rules_v6), cmocka_unit_test(test_upf_v6_only),
        cmocka_unit_test(test_upf_dual),      cmocka_unit_test(test_tshark_ngap),
        cmocka_unit_test(test_tshark_pfcp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
