/* UPF unit tests: token bucket accuracy on a simulated clock, TEID uniqueness,
 * SDF filter parsing and PDR precedence, PFCP request handling (association,
 * establish / modify / delete, usage and downlink data reports, Cause +
 * Offending IE, duplicates, restart) and the data path (uplink decap, downlink
 * encap with TEID + QFI, MBR drops, URR counts). Requests come from the PFCP
 * codec's SMF-side builders; the wire checks against scapy and tshark are in
 * tests/integration/test_upf_netns.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/loop.h"
#include "gtpu/gtpu.h"
#include "nf/upf/upf.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

static upf U;
static g5_pfcp_msg M;
static uint8_t RSP[4096];
static const uint8_t SMF_SA[16] = {2, 0, 0x22, 0x65, 127, 0, 0, 2}; /* opaque peer key */
static uint8_t last_report[2048];
static size_t last_report_len;
static unsigned n_reports;

static void capture(void *arg, const void *sa, uint32_t sa_len, const uint8_t *p, size_t n)
{
    (void)arg;
    (void)sa;
    (void)sa_len;
    memcpy(last_report, p, n < sizeof last_report ? n : sizeof last_report);
    last_report_len = n;
    n_reports++;
}

static void setup_upf(uint32_t max_sessions, uint32_t recovery)
{
    upf_params p;
    memset(&p, 0, sizeof p);
    p.max_sessions = max_sessions;
    p.recovery_ts = recovery;
    memcpy(p.n3_ipv4, (uint8_t[]){10, 0, 0, 1}, 4);
    p.node_id.type = G5_PFCP_NODE_IPV4;
    memcpy(p.node_id.ipv4, (uint8_t[]){10, 0, 0, 1}, 4);
    assert_int_equal(upf_init(&U, &p), 0);
    U.send = capture;
    n_reports = 0;
}

/* Sends request bytes; decodes the response into M; returns the response
 * length. */
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

static uint8_t cause_of_rsp(void)
{
    uint8_t c = 0;
    assert_int_equal(g5_pfcp_get_cause(&M, &c), 0);
    return c;
}

static void associate(void)
{
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_node_id smf = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 2}};
    assert_true(g5_pfcp_build_assoc_setup_req(&w, 1, &smf, 1234, 0, 1) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(M.h.type, G5_PFCP_ASSOC_SETUP_RSP);
    assert_int_equal(cause_of_rsp(), G5_PFCP_CAUSE_ACCEPTED);
}

static g5_pfcp_sess_est_req EST;
static g5_pfcp_sess_rsp SR;

static void est_req_fill(uint64_t cp_seid, uint8_t ue_last, uint64_t ambr_kbps, uint64_t thr)
{
    memset(&EST, 0, sizeof EST);
    EST.node_id.type = G5_PFCP_NODE_IPV4;
    EST.cp_fseid.v4 = true;
    EST.cp_fseid.seid = cp_seid;
    g5_pfcp_pdu_session s = {.ue_ipv4 = {10, 45, 0, ue_last},
                             .qfi = 9,
                             .ambr = {ambr_kbps, ambr_kbps},
                             .ul_teid_choose = true,
                             .has_gnb = true,
                             .gnb_teid = 0x1234,
                             .gnb_ipv4 = {10, 0, 0, 2},
                             .with_urr = true,
                             .volume_threshold = thr};
    g5_pfcp_pdu_session_rules(&EST.create, &s);
}

/* Establishes EST; returns our SEID and the chosen TEID. */
static uint64_t establish(uint32_t seq, uint32_t *teid)
{
    uint8_t b[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_est_req(&w, 0, seq, &EST) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(M.h.type, G5_PFCP_SESSION_EST_RSP);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&M, &SR), 0);
    if (SR.cause != G5_PFCP_CAUSE_ACCEPTED)
        return 0;
    assert_int_equal(M.h.seid, EST.cp_fseid.seid);
    assert_true(SR.has_up_fseid);
    assert_true(SR.n_created >= 1);
    assert_int_equal(SR.created[0].pdr_id, G5_PFCP_UL_PDR);
    assert_true(SR.created[0].has_fteid && SR.created[0].fteid.v4);
    assert_memory_equal(SR.created[0].fteid.ipv4, ((uint8_t[]){10, 0, 0, 1}), 4);
    *teid = SR.created[0].fteid.teid;
    return SR.up_fseid.seid;
}

/* An IPv4/UDP packet from src to dst with payload_len octets of payload. */
static size_t ipv4_udp(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], uint16_t dport,
                       size_t payload_len)
{
    size_t n = 28 + payload_len;
    memset(p, 0, n);
    p[0] = 0x45;
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    p[8] = 64;
    p[9] = 17;
    memcpy(p + 12, src, 4);
    memcpy(p + 16, dst, 4);
    p[20] = 0x30;
    p[21] = 0x39;
    p[22] = (uint8_t)(dport >> 8);
    p[23] = (uint8_t)dport;
    p[24] = (uint8_t)((n - 20) >> 8);
    p[25] = (uint8_t)(n - 20);
    return n;
}

/* A G-PDU with an UL PDU Session Container (QFI) around an IPv4/UDP packet. */
static size_t gpdu(uint8_t *buf, size_t cap, uint32_t teid, uint8_t qfi, uint16_t dport,
                   size_t payload_len, uint8_t **start)
{
    uint8_t *ip = buf + G5_GTPU_HEADROOM;
    size_t n = ipv4_udp(ip, (uint8_t[]){10, 45, 0, 7}, (uint8_t[]){8, 8, 8, 8}, dport, payload_len);
    assert_true(G5_GTPU_HEADROOM + n <= cap);
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_UL, .qfi = qfi};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = teid, .psc = &psc};
    int hl = g5_gtpu_encap(ip, n, G5_GTPU_HEADROOM, &e, 0);
    assert_true(hl > 0);
    *start = ip - hl;
    return n + (size_t)hl;
}

/* ---- token bucket ---- */

static void tbucket_rate_on_simulated_clock(void **st)
{
    (void)st;
    /* Offer 1400-octet packets at 2x the MBR for 10 simulated seconds. */
    const uint64_t rates[] = {1000000, 50000000, 1000000000};
    for (unsigned r = 0; r < 3; r++) {
        upf_tbucket b;
        uint64_t rate = rates[r], now = 1000;
        upf_tbucket_init(&b, rate, now);
        uint64_t gap_ns = 1400ull * 8 * 1000000000ull / (2 * rate), passed = 0;
        for (uint64_t t = 0; t < 10000000000ull; t += gap_ns) {
            if (upf_tbucket_take(&b, 1400, now + t))
                passed += 1400 * 8;
        }
        double got = (double)passed / 10.0;
        assert_true(got > 0.99 * (double)rate && got < 1.01 * (double)rate);
    }
    upf_tbucket unlimited;
    upf_tbucket_init(&unlimited, 0, 0);
    assert_true(upf_tbucket_take(&unlimited, 65535, 0));
}

/* ---- TEIDs ---- */

static void teid_unique_and_nonzero(void **st)
{
    (void)st;
    setup_upf(16, 1);
    static upf_sess dummy;
    for (unsigned i = 0; i < 20000; i++) {
        uint32_t t = 0;
        assert_int_equal(upf_teid_alloc(&U, &t), 0);
        assert_int_not_equal(t, 0);
        assert_null(g5_hmap_get(&U.by_teid, t));
        assert_int_equal(g5_hmap_put(&U.by_teid, t, &dummy), 0);
    }
    assert_int_equal(g5_hmap_len(&U.by_teid), 20000);
    upf_free(&U);
}

/* ---- SDF filters ---- */

static void sdf_parse_and_match(void **st)
{
    (void)st;
    upf_sdf f;
    const char *ok = "permit out udp from 8.8.8.0/24 53 to assigned 1000-2000";
    assert_int_equal(upf_sdf_parse(ok, strlen(ok), &f), 0);
    assert_int_equal(f.proto, 17);
    assert_true(f.dst_assigned);
    uint8_t pkt[64];
    upf_flow fl;
    /* uplink: UE 10.45.0.7:1500 -> 8.8.8.8:53 */
    ipv4_udp(pkt, (uint8_t[]){10, 45, 0, 7}, (uint8_t[]){8, 8, 8, 8}, 53, 4);
    pkt[20] = 1500 >> 8;
    pkt[21] = 1500 & 0xff;
    assert_int_equal(upf_flow_parse(pkt, 32, &fl), 0);
    assert_true(upf_sdf_match(&f, &fl, true, 0x0a2d0007));
    assert_false(upf_sdf_match(&f, &fl, true, 0x0a2d0008)); /* not the assigned address */
    pkt[23] = 54; /* dport 54 */
    assert_int_equal(upf_flow_parse(pkt, 32, &fl), 0);
    assert_false(upf_sdf_match(&f, &fl, true, 0x0a2d0007));
    const char *any = "permit out ip from any to any";
    assert_int_equal(upf_sdf_parse(any, strlen(any), &f), 0);
    assert_true(upf_sdf_match(&f, &fl, true, 0));
    const char *bad[] = {"deny out ip from any to any",          "permit out ip from any",
                         "permit out ip from 1.2.3.4/40 to any", "permit out 300 from any to any",
                         "permit out udp from any 70000 to any", ""};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(upf_sdf_parse(bad[i], strlen(bad[i]), &f), 0);
    assert_int_not_equal(upf_flow_parse(pkt, 10, &fl), 0);
    pkt[0] = 0x4f; /* IHL 60 > length */
    assert_int_not_equal(upf_flow_parse(pkt, 32, &fl), 0);
}

/* ---- PFCP ---- */

static void heartbeat_and_restart(void **st)
{
    (void)st;
    uint8_t b[64];
    g5_wbuf w;
    for (uint32_t ts = 1000; ts <= 1001; ts++) { /* two "starts" */
        setup_upf(4, ts);
        g5_wbuf_init(&w, b, sizeof b);
        g5_pfcp_build_heartbeat_req(&w, 7, 42);
        assert_true(req(b, w.len) > 0);
        assert_int_equal(M.h.type, G5_PFCP_HEARTBEAT_RSP);
        assert_int_equal(M.h.seq, 7);
        uint32_t rts = 0;
        assert_int_equal(g5_pfcp_get_u32(&M, NULL, G5_PFCP_IE_RECOVERY_TIME_STAMP, &rts), 0);
        assert_int_equal(rts, ts);
        upf_free(&U);
    }
    setup_upf(4, 0);
    assert_true(U.p.recovery_ts > 3900000000u); /* NTP seconds of a date after 2023 */
    upf_free(&U);
}

static void establish_without_association_rejected(void **st)
{
    (void)st;
    setup_upf(4, 1);
    est_req_fill(0x77, 7, 0, 0);
    uint32_t teid;
    assert_int_equal(establish(1, &teid), 0);
    assert_int_equal(SR.cause, G5_PFCP_CAUSE_NO_ASSOCIATION);
    assert_int_equal(U.n_sess, 0);
    upf_free(&U);
}

static void session_lifecycle_and_data_path(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x77, 7, 0, 0);
    uint32_t teid = 0;
    uint64_t seid = establish(2, &teid);
    assert_int_not_equal(seid, 0);
    assert_ptr_equal(upf_sess_by_teid(&U, teid), upf_sess_by_seid(&U, seid));
    assert_non_null(upf_sess_by_ue4(&U, 0x0a2d0007));

    /* uplink */
    static uint8_t buf[G5_GTPU_HEADROOM + 2048], scratch[256];
    uint8_t *pkt;
    size_t n = gpdu(buf, sizeof buf, teid, 9, 53, 100, &pkt);
    upf_out o;
    assert_int_equal(upf_uplink(&U, pkt, n, 1, scratch, sizeof scratch, &o), UPF_TO_N6);
    assert_int_equal(o.out_len, 128);
    assert_ptr_equal(o.out, buf + G5_GTPU_HEADROOM);
    assert_int_equal(U.c.ul_pkts, 1);
    /* wrong QFI: the UL PDR matches QFI 9 only */
    n = gpdu(buf, sizeof buf, teid, 5, 53, 100, &pkt);
    assert_int_equal(upf_uplink(&U, pkt, n, 1, scratch, sizeof scratch, &o), UPF_DROP);

    /* downlink: 8.8.8.8 -> UE */
    uint8_t *ip = buf + G5_GTPU_HEADROOM;
    n = ipv4_udp(ip, (uint8_t[]){8, 8, 8, 8}, (uint8_t[]){10, 45, 0, 7}, 5000, 200);
    assert_int_equal(upf_downlink(&U, ip, n, 1, &o), UPF_TO_N3);
    assert_int_equal(o.peer_len, 4);
    assert_memory_equal(o.peer, ((uint8_t[]){10, 0, 0, 2}), 4);
    g5_gtpu_hdr h;
    assert_int_equal(g5_gtpu_parse(o.out, o.out_len, &h), 0);
    assert_int_equal(h.teid, 0x1234);
    assert_true(h.has_psc);
    assert_int_equal(h.psc.pdu_type, G5_GTPU_PSC_DL);
    assert_int_equal(h.psc.qfi, 9);
    assert_int_equal(h.payload_len, n);
    /* unknown UE */
    n = ipv4_udp(ip, (uint8_t[]){8, 8, 8, 8}, (uint8_t[]){10, 45, 0, 99}, 5000, 20);
    assert_int_equal(upf_downlink(&U, ip, n, 1, &o), UPF_DROP);

    /* modification: query URR gives the counts (UL 128 octets / 1 packet, DL 228
     * / 1) */
    g5_pfcp_sess_mod_req mod;
    memset(&mod, 0, sizeof mod);
    mod.n_query_urr = 1;
    mod.query_urr[0] = G5_PFCP_SESS_URR;
    uint8_t b[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_mod_req(&w, seid, 3, &mod) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(M.h.type, G5_PFCP_SESSION_MOD_RSP);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&M, &SR), 0);
    assert_int_equal(SR.cause, G5_PFCP_CAUSE_ACCEPTED);
    assert_int_equal(SR.n_reports, 1);
    assert_int_equal(SR.report[0].vol.ul, 128);
    assert_int_equal(SR.report[0].vol.dl, 228);
    assert_int_equal(SR.report[0].vol.total, 356);
    assert_int_equal(SR.report[0].vol.ul_pkts, 1);
    assert_int_equal(SR.report[0].vol.dl_pkts, 1);

    /* modification with a new gNB tunnel */
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_mod_req_gnb_tunnel(&w, seid, 4, G5_PFCP_DL_FAR, 0x5555,
                                                      (uint8_t[]){10, 0, 0, 3}) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(cause_of_rsp(), G5_PFCP_CAUSE_ACCEPTED);
    n = ipv4_udp(ip, (uint8_t[]){8, 8, 8, 8}, (uint8_t[]){10, 45, 0, 7}, 5000, 20);
    assert_int_equal(upf_downlink(&U, ip, n, 1, &o), UPF_TO_N3);
    assert_int_equal(g5_gtpu_parse(o.out, o.out_len, &h), 0);
    assert_int_equal(h.teid, 0x5555);
    assert_memory_equal(o.peer, ((uint8_t[]){10, 0, 0, 3}), 4);

    /* modification of an unknown session */
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_mod_req(&w, seid + 1000, 5, &mod) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(cause_of_rsp(), G5_PFCP_CAUSE_SESSION_NOT_FOUND);
    assert_int_equal(M.h.seid, 0);

    /* deletion: final report, everything freed */
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_del_req(&w, seid, 6) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(M.h.type, G5_PFCP_SESSION_DEL_RSP);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&M, &SR), 0);
    assert_int_equal(SR.cause, G5_PFCP_CAUSE_ACCEPTED);
    assert_int_equal(SR.n_reports, 1);
    assert_int_equal(SR.report[0].vol.dl, 48);
    assert_int_equal(U.n_sess, 0);
    assert_int_equal(g5_hmap_len(&U.by_seid), 0);
    assert_int_equal(g5_hmap_len(&U.by_teid), 0);
    assert_int_equal(g5_hmap_len(&U.by_ue4), 0);
    /* the TEID is gone: a G-PDU now gets an Error Indication */
    n = gpdu(buf, sizeof buf, teid, 9, 53, 10, &pkt);
    assert_int_equal(upf_uplink(&U, pkt, n, 1, scratch, sizeof scratch, &o), UPF_REPLY);
    assert_int_equal(g5_gtpu_parse(o.out, o.out_len, &h), 0);
    assert_int_equal(h.msg_type, G5_GTPU_ERROR_INDICATION);
    g5_gtpu_ies ies;
    assert_int_equal(g5_gtpu_msg_parse(&h, &ies), 0);
    assert_int_equal(ies.teid_data_i, teid);
    /* deleting again: not found */
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_del_req(&w, seid, 7) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(cause_of_rsp(), G5_PFCP_CAUSE_SESSION_NOT_FOUND);
    upf_free(&U);
}

static void mbr_enforced_in_data_path(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x78, 8, 1000, 0); /* 1 Mbit/s each way */
    uint32_t teid = 0;
    assert_int_not_equal(establish(2, &teid), 0);
    static uint8_t buf[G5_GTPU_HEADROOM + 2048], scratch[256];
    uint8_t *pkt;
    uint64_t passed = 0, t0 = 5000000000ull;
    /* 1400-octet inner packets at 2 Mbit/s for 5 s of simulated time */
    uint64_t gap = 1400ull * 8 * 1000000000ull / 2000000;
    for (uint64_t t = 0; t < 5000000000ull; t += gap) {
        size_t n = gpdu(buf, sizeof buf, teid, 9, 53, 1400 - 28, &pkt);
        upf_out o;
        /* the bucket was created with the real clock; run after it */
        if (upf_uplink(&U, pkt, n, g5_clock_ns() + t0 + t, scratch, sizeof scratch, &o) ==
            UPF_TO_N6)
            passed += 1400 * 8;
    }
    double rate = (double)passed / 5.0;
    assert_true(rate > 950000 && rate < 1050000);
    assert_true(U.c.mbr_drop > 0);
    upf_free(&U);
}

static void volume_threshold_report(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x79, 9, 0, 1000); /* report after 1000 octets */
    uint32_t teid = 0;
    assert_int_not_equal(establish(2, &teid), 0);
    static uint8_t buf[G5_GTPU_HEADROOM + 2048], scratch[256];
    uint8_t *pkt;
    upf_out o;
    for (int i = 0; i < 3; i++) {
        size_t n = gpdu(buf, sizeof buf, teid, 9, 53, 372, &pkt); /* 400-octet inner */
        assert_int_equal(upf_uplink(&U, pkt, n, 1, scratch, sizeof scratch, &o), UPF_TO_N6);
    }
    assert_true(U.report_pending);
    upf_flush_reports(&U);
    assert_int_equal(n_reports, 1);
    assert_int_equal(g5_pfcp_decode(last_report, last_report_len, &M, NULL), 0);
    assert_int_equal(M.h.type, G5_PFCP_SESSION_REPORT_REQ);
    assert_int_equal(M.h.seid, 0x79);
    g5_pfcp_sess_report_req rq;
    assert_int_equal(g5_pfcp_sess_report_req_parse(&M, &rq), 0);
    assert_int_equal(rq.report_type, G5_PFCP_RPT_USAR);
    assert_int_equal(rq.n_reports, 1);
    assert_int_equal(rq.report[0].vol.ul, 1200);
    assert_true(rq.report[0].trigger & G5_PFCP_RT_VOLTH);
    upf_free(&U);
}

static void downlink_buffering_reports_once(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x7a, 10, 0, 0);
    EST.create.far[1].apply_action = G5_PFCP_AA_BUFF | G5_PFCP_AA_NOCP;
    EST.create.far[1].has_fwd = false;
    uint32_t teid = 0;
    assert_int_not_equal(establish(2, &teid), 0);
    static uint8_t buf[G5_GTPU_HEADROOM + 2048];
    uint8_t *ip = buf + G5_GTPU_HEADROOM;
    upf_out o;
    for (int i = 0; i < 3; i++) {
        size_t n = ipv4_udp(ip, (uint8_t[]){8, 8, 8, 8}, (uint8_t[]){10, 45, 0, 10}, 1, 10);
        assert_int_equal(upf_downlink(&U, ip, n, 1, &o), UPF_DROP);
    }
    assert_int_equal(U.c.buffered, 3);
    assert_int_equal(n_reports, 1);
    assert_int_equal(g5_pfcp_decode(last_report, last_report_len, &M, NULL), 0);
    g5_pfcp_sess_report_req rq;
    assert_int_equal(g5_pfcp_sess_report_req_parse(&M, &rq), 0);
    assert_int_equal(rq.report_type, G5_PFCP_RPT_DLDR);
    assert_int_equal(rq.dl_pdr_id[0], G5_PFCP_DL_PDR);
    upf_free(&U);
}

static void precedence_and_sdf_select_pdr(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x7b, 7, 0, 0); /* UE 10.45.0.7: the source gpdu() uses */
    /* A second uplink PDR on the same tunnel: DNS to 8.8.8.8 is dropped (FAR 3),
     * precedence 10 beats the default PDR's 255. */
    g5_pfcp_rules *r = &EST.create;
    g5_pfcp_pdr *p = &r->pdr[r->n_pdr++];
    *p = r->pdr[0];
    p->pdr_id = 3;
    p->precedence = 10;
    p->far_id = 3;
    p->pdi.fteid.chid = true;
    p->pdi.fteid.choose_id = 1;
    r->pdr[0].pdi.fteid.chid = true;
    r->pdr[0].pdi.fteid.choose_id = 1;
    static const char fd[] = "permit out udp from 8.8.8.8 53 to assigned";
    p->pdi.n_sdf = 1;
    p->pdi.sdf[0] = (g5_pfcp_sdf){.has_fd = true, .fd = fd, .fd_len = sizeof fd - 1};
    g5_pfcp_far *f = &r->far[r->n_far++];
    memset(f, 0, sizeof *f);
    f->far_id = 3;
    f->has_apply_action = true;
    f->apply_action = G5_PFCP_AA_DROP;
    uint32_t teid = 0;
    assert_int_not_equal(establish(2, &teid), 0);
    assert_int_equal(SR.n_created, 2);
    assert_int_equal(SR.created[1].fteid.teid, teid); /* same CHOOSE ID, same TEID */
    static uint8_t buf[G5_GTPU_HEADROOM + 2048], scratch[256];
    uint8_t *pkt;
    upf_out o;
    size_t n = gpdu(buf, sizeof buf, teid, 9, 53, 10, &pkt);
    assert_int_equal(upf_uplink(&U, pkt, n, 1, scratch, sizeof scratch, &o), UPF_DROP);
    n = gpdu(buf, sizeof buf, teid, 9, 80, 10, &pkt);
    assert_int_equal(upf_uplink(&U, pkt, n, 1, scratch, sizeof scratch, &o), UPF_TO_N6);
    upf_free(&U);
}

/* TS 29.061 §11.2.1.3.2a: an uplink Router Solicitation gets a Router
 * Advertisement with the UE's /64 down the session's tunnel. */
static void router_solicitation_gets_ra(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x7c, 7, 0, 0);
    static const uint8_t prefix[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x45, 0, 1};
    EST.create.pdr[0].pdi.ue_ip.v6 = true;
    memcpy(EST.create.pdr[0].pdi.ue_ip.ipv6, prefix, 16);
    uint32_t teid = 0;
    assert_int_not_equal(establish(2, &teid), 0);
    assert_non_null(upf_sess_by_ue6(&U, prefix));
    static uint8_t buf[G5_GTPU_HEADROOM + 2048], scratch[256];
    uint8_t *rs = buf + G5_GTPU_HEADROOM;
    memset(rs, 0, 48);
    rs[0] = 0x60;
    rs[5] = 8;
    rs[6] = 58;
    rs[7] = 255;
    rs[8] = 0xfe;
    rs[9] = 0x80;
    rs[23] = 7; /* fe80::7 */
    rs[24] = 0xff;
    rs[25] = 2;
    rs[39] = 2; /* ff02::2 */
    rs[40] = 133;
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_UL, .qfi = 9};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = teid, .psc = &psc};
    int hl = g5_gtpu_encap(rs, 48, G5_GTPU_HEADROOM, &e, 0);
    assert_true(hl > 0);
    upf_out o;
    assert_int_equal(upf_uplink(&U, rs - hl, 48 + (size_t)hl, 1, scratch, sizeof scratch, &o),
                     UPF_TO_N3);
    g5_gtpu_hdr h;
    assert_int_equal(g5_gtpu_parse(o.out, o.out_len, &h), 0);
    assert_int_equal(h.teid, 0x1234);
    assert_int_equal(h.psc.qfi, 9);
    const uint8_t *ra = h.payload;
    assert_int_equal(h.payload_len, 88);
    assert_int_equal(ra[6], 58);
    assert_int_equal(ra[40], 134);
    assert_int_equal(ra[39], 7); /* back to the soliciting fe80::7 */
    assert_int_equal(ra[56], 3); /* Prefix Information */
    assert_int_equal(ra[58], 64);
    assert_memory_equal(ra + 72, prefix, 8);
    /* ICMPv6 checksum over the pseudo-header verifies to 0 */
    uint32_t sum = 48 + 58;
    for (int i = 8; i < 88; i += 2)
        sum += (uint32_t)(ra[i] << 8 | ra[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sum, 0xffff);
    assert_int_equal(U.c.ra_sent, 1);
    upf_free(&U);
}

static void errors_cause_and_offending_ie(void **st)
{
    (void)st;
    setup_upf(1, 1);
    associate();
    /* Establishment without the mandatory CP F-SEID: cause 66, offending IE 57.
     */
    uint8_t b[512];
    g5_wbuf w;
    size_t s;
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_msg_begin(&w, G5_PFCP_SESSION_EST_REQ, 0, 9, &s);
    g5_pfcp_node_id smf = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 2}};
    g5_pfcp_put_node_id(&w, &smf);
    g5_pfcp_msg_end(&w, s);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(M.h.type, G5_PFCP_SESSION_EST_RSP);
    assert_int_equal(cause_of_rsp(), G5_PFCP_CAUSE_MANDATORY_IE_MISSING);
    uint16_t off = 0;
    assert_int_equal(g5_pfcp_get_u16(&M, NULL, G5_PFCP_IE_OFFENDING_IE, &off), 0);
    assert_int_equal(off, G5_PFCP_IE_F_SEID);

    /* A PDR pointing at a FAR that does not exist: rule failure, offending FAR
     * ID. */
    est_req_fill(0x80, 12, 0, 0);
    EST.create.pdr[0].far_id = 99;
    uint32_t teid;
    assert_int_equal(establish(10, &teid), 0);
    assert_int_equal(SR.cause, G5_PFCP_CAUSE_RULE_FAILURE);
    assert_int_equal(SR.offending_ie, G5_PFCP_IE_FAR_ID);
    assert_int_equal(U.n_sess, 0);
    assert_int_equal(g5_hmap_len(&U.by_teid), 0);

    /* Session limit (1): the second establishment gets "no resources". */
    est_req_fill(0x81, 13, 0, 0);
    assert_int_not_equal(establish(11, &teid), 0);
    est_req_fill(0x82, 14, 0, 0);
    assert_int_equal(establish(12, &teid), 0);
    assert_int_equal(SR.cause, G5_PFCP_CAUSE_NO_RESOURCES);
    assert_int_equal(U.n_sess, 1);

    /* Version 2 header: Version Not Supported Response. */
    uint8_t v2[16] = {0x40, 1, 0, 12, 0, 0, 5, 0, 0, 0, 0, 0};
    assert_true(req(v2, 16) > 0);
    assert_int_equal(M.h.type, G5_PFCP_VERSION_NOT_SUPPORTED_RSP);
    upf_free(&U);
}

static void duplicate_request_gets_cached_response(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x90, 20, 0, 0);
    uint8_t b[2048], first[4096];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_est_req(&w, 0, 33, &EST) >= 0);
    size_t n1 = req(b, w.len);
    memcpy(first, RSP, n1);
    size_t n2 = req(b, w.len);
    assert_int_equal(n1, n2);
    assert_memory_equal(first, RSP, n1);
    assert_int_equal(U.n_sess, 1);
    assert_int_equal(U.c.pfcp_dup, 1);
    /* a new sequence number is a new request: a second session */
    g5_wbuf_init(&w, b, sizeof b);
    EST.cp_fseid.seid = 0x91;
    EST.create.pdr[0].pdi.ue_ip.ipv4[3] = 21;
    EST.create.pdr[1].pdi.ue_ip.ipv4[3] = 21;
    assert_true(g5_pfcp_build_sess_est_req(&w, 0, 34, &EST) >= 0);
    req(b, w.len);
    assert_int_equal(U.n_sess, 2);
    upf_free(&U);
}

static void association_release_frees_sessions(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0x95, 30, 0, 0);
    uint32_t teid;
    assert_int_not_equal(establish(2, &teid), 0);
    uint8_t b[256];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_node_id smf = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 2}};
    assert_true(g5_pfcp_build_assoc_release_req(&w, 3, &smf) >= 0);
    assert_true(req(b, w.len) > 0);
    assert_int_equal(M.h.type, G5_PFCP_ASSOC_RELEASE_RSP);
    assert_int_equal(cause_of_rsp(), G5_PFCP_CAUSE_ACCEPTED);
    assert_int_equal(U.n_sess, 0);
    assert_int_equal(g5_hmap_len(&U.by_teid), 0);
    upf_free(&U);
}

/* Random and truncated input never crashes (ASan build runs this too). */
static void hostile_input_never_crashes(void **st)
{
    (void)st;
    setup_upf(4, 1);
    associate();
    est_req_fill(0xa0, 40, 0, 0);
    uint8_t b[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_true(g5_pfcp_build_sess_est_req(&w, 0, 50, &EST) >= 0);
    size_t n = w.len;
    static uint8_t buf[G5_GTPU_HEADROOM + 2048], scratch[256], copy[2048];
    srand(7);
    for (unsigned i = 0; i < 20000; i++) {
        memcpy(copy, b, n);
        size_t len = (size_t)rand() % (n + 1);
        for (int k = 0; k < 4; k++)
            copy[(size_t)rand() % n] = (uint8_t)rand();
        copy[4] = (uint8_t)i; /* new sequence numbers: no duplicate shortcut */
        g5_wbuf rw;
        g5_wbuf_init(&rw, RSP, sizeof RSP);
        upf_pfcp_handle(&U, copy, len, SMF_SA, sizeof SMF_SA, &rw);
        uint8_t *pkt;
        size_t gl = gpdu(buf, sizeof buf, (uint32_t)rand(), 9, 53, 30, &pkt);
        for (int k = 0; k < 3; k++)
            pkt[(size_t)rand() % gl] = (uint8_t)rand();
        upf_out o;
        upf_uplink(&U, pkt, (size_t)rand() % (gl + 1), 1, scratch, sizeof scratch, &o);
        upf_downlink(&U, pkt, (size_t)rand() % (gl + 1), 1, &o);
    }
    assert_true(U.c.malformed > 0);
    upf_free(&U);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tbucket_rate_on_simulated_clock),
        cmocka_unit_test(teid_unique_and_nonzero),
        cmocka_unit_test(sdf_parse_and_match),
        cmocka_unit_test(heartbeat_and_restart),
        cmocka_unit_test(establish_without_association_rejected),
        cmocka_unit_test(session_lifecycle_and_data_path),
        cmocka_unit_test(mbr_enforced_in_data_path),
        cmocka_unit_test(volume_threshold_report),
        cmocka_unit_test(downlink_buffering_reports_once),
        cmocka_unit_test(precedence_and_sdf_select_pdr),
        cmocka_unit_test(router_solicitation_gets_ra),
        cmocka_unit_test(errors_cause_and_offending_ie),
        cmocka_unit_test(duplicate_request_gets_cached_response),
        cmocka_unit_test(association_release_frees_sessions),
        cmocka_unit_test(hostile_input_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
