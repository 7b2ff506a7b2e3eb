/* libFuzzer target: the UPF as the network sees it. The first input octet picks the
 * interface: 0 = a PFCP datagram from the SMF (N4), 1 = a GTP-U datagram from a gNB (N3),
 * 2 = an IP packet from the data network (N6). One UPF lives across inputs with an
 * association and a session already set up, so request sequences reach the rule tables
 * and the data path finds a TEID and a UE address. Invariant checked: the session count
 * never exceeds the limit and the indexes stay consistent with it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nf/upf/upf.h"
#include "pfcp/pfcp_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static upf U;
static const uint8_t SA[16] = {2, 0, 0x22, 0x65, 127, 0, 0, 2};

static void feed_pfcp(const uint8_t *p, size_t n)
{
    static uint8_t out[8192];
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    upf_pfcp_handle(&U, p, n, SA, sizeof SA, &w);
}

static void setup(void)
{
    upf_params p;
    memset(&p, 0, sizeof p);
    p.max_sessions = 32;
    p.recovery_ts = 1;
    p.node_id.type = G5_PFCP_NODE_IPV4;
    if (upf_init(&U, &p))
        abort();
    uint8_t b[4096];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_node_id smf = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 2}};
    g5_pfcp_build_assoc_setup_req(&w, 1, &smf, 1, 0, 1);
    feed_pfcp(b, w.len);
    static g5_pfcp_sess_est_req est;
    est.cp_fseid.v4 = true;
    est.cp_fseid.seid = 1;
    g5_pfcp_pdu_session s = {.ue_ipv4 = {10, 45, 0, 7},
                             .qfi = 9,
                             .ambr = {1000, 1000},
                             .ul_teid = 0x01020304,
                             .has_gnb = true,
                             .gnb_teid = 5,
                             .gnb_ipv4 = {10, 0, 0, 2},
                             .with_urr = true,
                             .volume_threshold = 1000};
    g5_pfcp_pdu_session_rules(&est.create, &s);
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_build_sess_est_req(&w, 0, 2, &est);
    feed_pfcp(b, w.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static uint8_t buf[G5_GTPU_HEADROOM + 4096], scratch[256];
    static uint64_t now;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1 || size > 4096)
        return 0;
    upf_out o;
    now += 1000000;
    memcpy(buf + G5_GTPU_HEADROOM, data + 1, size - 1);
    switch (data[0] % 3) {
    case 0: feed_pfcp(data + 1, size - 1); break;
    case 1:
        upf_uplink(&U, buf + G5_GTPU_HEADROOM, size - 1, now, scratch, sizeof scratch, &o);
        break;
    default: upf_downlink(&U, buf + G5_GTPU_HEADROOM, size - 1, now, &o); break;
    }
    if (U.report_pending)
        upf_flush_reports(&U);
    if (U.n_sess > U.p.max_sessions || g5_hmap_len(&U.by_seid) != U.n_sess)
        __builtin_trap();
    return 0;
}
