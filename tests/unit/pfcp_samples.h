/* One sample of every PFCP message this codebase sends or receives, built with the
 * builders in src/pfcp (or the writer primitives where no builder exists). Shared by the
 * unit tests, which also write them to fuzz/corpus/pfcp/ (the seeds) for the tshark and
 * scapy integration tests. Header-only, test code. */
#ifndef G5_TESTS_PFCP_SAMPLES_H
#define G5_TESTS_PFCP_SAMPLES_H

#include <string.h>

#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

#define SMF_SEID 0x1122334455667788ull
#define UPF_SEID 0x0000000000000abcull
#define RECOVERY_TS 3913056000u /* NTP seconds, 2024-01-01 */

static const uint8_t smf_ip[4] = {10, 0, 0, 1}, upf_ip[4] = {10, 0, 0, 2};
static const uint8_t ue_ip[4] = {10, 45, 0, 7}, gnb_ip[4] = {192, 168, 1, 10};

static inline g5_pfcp_node_id sample_node(const uint8_t ip[4])
{
    g5_pfcp_node_id n;
    memset(&n, 0, sizeof n);
    n.type = G5_PFCP_NODE_IPV4;
    memcpy(n.ipv4, ip, 4);
    return n;
}

static inline g5_pfcp_pdu_session sample_session(bool choose, bool gnb)
{
    g5_pfcp_pdu_session s;
    memset(&s, 0, sizeof s);
    memcpy(s.ue_ipv4, ue_ip, 4);
    s.access_ni = "access";
    s.core_ni = "internet";
    s.qfi = 9;
    s.ambr.ul_kbps = 100000;
    s.ambr.dl_kbps = 200000;
    s.ul_teid_choose = choose;
    s.ul_teid = 0x1000;
    memcpy(s.n3_ipv4, upf_ip, 4);
    s.has_gnb = gnb;
    s.gnb_teid = 0x2000;
    memcpy(s.gnb_ipv4, gnb_ip, 4);
    s.with_urr = true;
    s.volume_threshold = 1000000;
    s.time_threshold = 3600;
    return s;
}

static inline g5_pfcp_usage_report sample_report(uint32_t seqn)
{
    g5_pfcp_usage_report r;
    memset(&r, 0, sizeof r);
    r.urr_id = G5_PFCP_SESS_URR;
    r.ur_seqn = seqn;
    r.trigger = G5_PFCP_RT_VOLTH;
    r.has_start = r.has_end = r.has_vol = r.has_dur = true;
    r.start = RECOVERY_TS + 10;
    r.end = RECOVERY_TS + 70;
    r.vol.flags = 0x3f;
    r.vol.total = 1500000;
    r.vol.ul = 500000;
    r.vol.dl = 1000000;
    r.vol.total_pkts = 1500;
    r.vol.ul_pkts = 500;
    r.vol.dl_pkts = 1000;
    r.dur = 60;
    return r;
}

/* Builds sample i into w (fresh buffer); returns its name, NULL past the last one. */
static inline const char *pfcp_sample(unsigned i, g5_wbuf *w)
{
    g5_pfcp_node_id smf = sample_node(smf_ip), upf = sample_node(upf_ip);
    size_t s, at, at2, at3;
    switch (i) {
    case 0: g5_pfcp_build_heartbeat_req(w, 1, RECOVERY_TS); return "heartbeat_request";
    case 1: g5_pfcp_build_heartbeat_rsp(w, 1, RECOVERY_TS); return "heartbeat_response";
    case 2: /* PFD management with one application and one flow description (§8.2.39) */
        g5_pfcp_msg_begin(w, G5_PFCP_PFD_MGMT_REQ, 0, 2, &s);
        g5_pfcp_group_begin(w, 58, &at);
        g5_pfcp_put_ie(w, G5_PFCP_IE_APPLICATION_ID, "app1", 4);
        g5_pfcp_group_begin(w, 59, &at2);
        g5_pfcp_group_begin(w, 61, &at3);
        {
            static const char fd[] = "permit out ip from 10.1.0.0/16 to assigned";
            g5_wbuf_u8(w, 0x01);
            g5_wbuf_u8(w, 0);
            g5_wbuf_u16(w, (uint16_t)(sizeof fd - 1));
            g5_wbuf_bytes(w, fd, sizeof fd - 1);
        }
        g5_pfcp_group_end(w, at3);
        g5_pfcp_group_end(w, at2);
        g5_pfcp_group_end(w, at);
        g5_pfcp_msg_end(w, s);
        return "pfd_management_request";
    case 3:
        g5_pfcp_msg_begin(w, G5_PFCP_PFD_MGMT_RSP, 0, 2, &s);
        g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, G5_PFCP_CAUSE_ACCEPTED);
        g5_pfcp_msg_end(w, s);
        return "pfd_management_response";
    case 4:
        g5_pfcp_build_assoc_setup_req(w, 3, &smf, RECOVERY_TS, 0, 0x01 /* LOAD */);
        return "association_setup_request";
    case 5:
        g5_pfcp_build_assoc_setup_rsp(w, 3, &upf, G5_PFCP_CAUSE_ACCEPTED, RECOVERY_TS,
                                      G5_PFCP_UPF_FTUP | G5_PFCP_UPF_EMPU, 0);
        return "association_setup_response";
    case 6:
        g5_pfcp_msg_begin(w, G5_PFCP_ASSOC_UPDATE_REQ, 0, 4, &s);
        g5_pfcp_put_node_id(w, &upf);
        g5_pfcp_put_flags(w, G5_PFCP_IE_UP_FUNCTION_FEATURES, G5_PFCP_UPF_FTUP, 2);
        g5_pfcp_put_u8(w, 111, 0x01); /* SARR */
        g5_pfcp_put_u8(w, 112, 0x21); /* graceful release period: unit 1 (1 min), 1 */
        g5_pfcp_msg_end(w, s);
        return "association_update_request";
    case 7:
        g5_pfcp_msg_begin(w, G5_PFCP_ASSOC_UPDATE_RSP, 0, 4, &s);
        g5_pfcp_put_node_id(w, &smf);
        g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, G5_PFCP_CAUSE_ACCEPTED);
        g5_pfcp_msg_end(w, s);
        return "association_update_response";
    case 8: g5_pfcp_build_assoc_release_req(w, 5, &smf); return "association_release_request";
    case 9:
        g5_pfcp_msg_begin(w, G5_PFCP_ASSOC_RELEASE_RSP, 0, 5, &s);
        g5_pfcp_put_node_id(w, &upf);
        g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, G5_PFCP_CAUSE_ACCEPTED);
        g5_pfcp_msg_end(w, s);
        return "association_release_response";
    case 10:
        g5_pfcp_msg_begin(w, G5_PFCP_VERSION_NOT_SUPPORTED_RSP, 0, 6, &s);
        g5_pfcp_msg_end(w, s);
        return "version_not_supported_response";
    case 11: /* UP path failure towards the gNB (§7.4.5.1) */
        g5_pfcp_msg_begin(w, G5_PFCP_NODE_REPORT_REQ, 0, 7, &s);
        g5_pfcp_put_node_id(w, &upf);
        g5_pfcp_put_u8(w, 101, 0x01); /* UPFR */
        g5_pfcp_group_begin(w, 102, &at);
        {
            const uint8_t peer[5] = {0x02, 192, 168, 1, 10}; /* V4 */
            g5_pfcp_put_ie(w, 103, peer, sizeof peer);
        }
        g5_pfcp_group_end(w, at);
        g5_pfcp_msg_end(w, s);
        return "node_report_request";
    case 12:
        g5_pfcp_msg_begin(w, G5_PFCP_NODE_REPORT_RSP, 0, 7, &s);
        g5_pfcp_put_node_id(w, &smf);
        g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, G5_PFCP_CAUSE_ACCEPTED);
        g5_pfcp_msg_end(w, s);
        return "node_report_response";
    case 13:
        g5_pfcp_msg_begin(w, G5_PFCP_SESSION_SET_DELETION_REQ, 0, 8, &s);
        g5_pfcp_put_node_id(w, &smf);
        {
            const uint8_t csid[7] = {0x01, 10, 0, 0, 1, 0x00, 0x01}; /* IPv4, 1 CSID */
            g5_pfcp_put_ie(w, 65, csid, sizeof csid);
        }
        g5_pfcp_msg_end(w, s);
        return "session_set_deletion_request";
    case 14:
        g5_pfcp_msg_begin(w, G5_PFCP_SESSION_SET_DELETION_RSP, 0, 8, &s);
        g5_pfcp_put_node_id(w, &upf);
        g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, G5_PFCP_CAUSE_ACCEPTED);
        g5_pfcp_msg_end(w, s);
        return "session_set_deletion_response";
    case 15: { /* the SMF's first request of a PDU session: UPF picks the N3 TEID */
        static g5_pfcp_sess_est_req req;
        g5_pfcp_pdu_session ps = sample_session(true, false);
        memset(&req, 0, sizeof req);
        req.node_id = smf;
        req.cp_fseid.v4 = true;
        req.cp_fseid.seid = SMF_SEID;
        memcpy(req.cp_fseid.ipv4, smf_ip, 4);
        g5_pfcp_pdu_session_rules(&req.create, &ps);
        req.has_pdn_type = true;
        req.pdn_type = G5_PFCP_PDN_IPV4;
        req.has_inactivity_timer = true;
        req.inactivity_timer = 600;
        g5_pfcp_build_sess_est_req(w, 0, 100, &req);
        return "session_establishment_request";
    }
    case 16: { /* the same, N3 TEID chosen by the SMF and gNB tunnel already known */
        static g5_pfcp_sess_est_req req;
        g5_pfcp_pdu_session ps = sample_session(false, true);
        memset(&req, 0, sizeof req);
        req.node_id = smf;
        req.cp_fseid.v4 = true;
        req.cp_fseid.seid = SMF_SEID;
        memcpy(req.cp_fseid.ipv4, smf_ip, 4);
        g5_pfcp_pdu_session_rules(&req.create, &ps);
        req.create.pdr[0].pdi.n_sdf = 1;
        req.create.pdr[0].pdi.sdf[0].has_fd = true;
        req.create.pdr[0].pdi.sdf[0].fd = "permit out ip from any to assigned";
        req.create.pdr[0].pdi.sdf[0].fd_len = 34;
        g5_pfcp_build_sess_est_req(w, 0, 101, &req);
        return "session_establishment_request_known_teid";
    }
    case 17: {
        static g5_pfcp_sess_rsp rsp;
        memset(&rsp, 0, sizeof rsp);
        rsp.node_id = upf;
        rsp.cause = G5_PFCP_CAUSE_ACCEPTED;
        rsp.has_up_fseid = true;
        rsp.up_fseid.v4 = true;
        rsp.up_fseid.seid = UPF_SEID;
        memcpy(rsp.up_fseid.ipv4, upf_ip, 4);
        rsp.n_created = 1;
        rsp.created[0].pdr_id = G5_PFCP_UL_PDR;
        rsp.created[0].has_fteid = true;
        rsp.created[0].fteid.v4 = true;
        rsp.created[0].fteid.teid = 0x1000;
        memcpy(rsp.created[0].fteid.ipv4, upf_ip, 4);
        g5_pfcp_build_sess_est_rsp(w, SMF_SEID, 100, &rsp);
        return "session_establishment_response";
    }
    case 18:
        g5_pfcp_build_sess_mod_req_gnb_tunnel(w, UPF_SEID, 102, G5_PFCP_DL_FAR, 0x2000, gnb_ip);
        return "session_modification_request";
    case 19: { /* a broader modification: every rule list and the flags */
        static g5_pfcp_sess_mod_req req;
        g5_pfcp_pdu_session ps = sample_session(false, true);
        g5_pfcp_rules r;
        memset(&req, 0, sizeof req);
        g5_pfcp_pdu_session_rules(&r, &ps);
        req.n_remove_pdr = 1;
        req.remove_pdr[0] = 7;
        req.n_remove_far = 1;
        req.remove_far[0] = 7;
        req.n_remove_qer = 1;
        req.remove_qer[0] = 7;
        req.n_remove_urr = 1;
        req.remove_urr[0] = 7;
        req.create.n_pdr = 1;
        req.create.pdr[0] = r.pdr[0];
        req.create.pdr[0].pdr_id = 3;
        req.create.n_far = 1;
        req.create.far[0] = r.far[0];
        req.create.far[0].far_id = 3;
        req.update.n_qer = 1;
        req.update.qer[0] = r.qer[0];
        req.update.qer[0].has_gbr = true;
        req.update.qer[0].gbr.ul_kbps = 1000;
        req.update.qer[0].gbr.dl_kbps = 2000;
        req.update.n_far = 1;
        req.update.far[0].far_id = G5_PFCP_DL_FAR;
        req.update.far[0].has_apply_action = true;
        req.update.far[0].apply_action = G5_PFCP_AA_FORW | G5_PFCP_AA_BDPN;
        req.update.n_urr = 1;
        req.update.urr[0] = r.urr[0];
        req.has_flags = true;
        req.flags = G5_PFCP_SMREQ_SNDEM;
        req.n_query_urr = 1;
        req.query_urr[0] = G5_PFCP_SESS_URR;
        g5_pfcp_build_sess_mod_req(w, UPF_SEID, 103, &req);
        return "session_modification_request_rules";
    }
    case 20: {
        static g5_pfcp_sess_rsp rsp;
        memset(&rsp, 0, sizeof rsp);
        rsp.cause = G5_PFCP_CAUSE_ACCEPTED;
        rsp.n_reports = 1;
        rsp.report[0] = sample_report(1);
        g5_pfcp_build_sess_mod_rsp(w, SMF_SEID, 103, &rsp);
        return "session_modification_response";
    }
    case 21: g5_pfcp_build_sess_del_req(w, UPF_SEID, 104); return "session_deletion_request";
    case 22: {
        static g5_pfcp_sess_rsp rsp;
        memset(&rsp, 0, sizeof rsp);
        rsp.cause = G5_PFCP_CAUSE_ACCEPTED;
        rsp.n_reports = 1;
        rsp.report[0] = sample_report(2);
        rsp.report[0].trigger = G5_PFCP_URT_TERMR;
        g5_pfcp_build_sess_del_rsp(w, SMF_SEID, 104, &rsp);
        return "session_deletion_response";
    }
    case 23: {
        static g5_pfcp_sess_report_req req;
        memset(&req, 0, sizeof req);
        req.report_type = G5_PFCP_RPT_USAR | G5_PFCP_RPT_DLDR;
        req.n_dl_pdr = 1;
        req.dl_pdr_id[0] = G5_PFCP_DL_PDR;
        req.n_reports = 1;
        req.report[0] = sample_report(3);
        g5_pfcp_build_sess_report_req(w, SMF_SEID, 105, &req);
        return "session_report_request";
    }
    case 24:
        g5_pfcp_build_sess_report_rsp(w, UPF_SEID, 105, G5_PFCP_CAUSE_ACCEPTED);
        return "session_report_response";
    case 25: { /* FQDN node ID and many feature octets */
        g5_pfcp_node_id fq;
        memset(&fq, 0, sizeof fq);
        fq.type = G5_PFCP_NODE_FQDN;
        strcpy(fq.fqdn, "upf1.core.example.org");
        g5_pfcp_build_assoc_setup_req(w, 9, &fq, RECOVERY_TS,
                                      G5_PFCP_UPF_FTUP | G5_PFCP_UPF_EMPU | G5_PFCP_UPF_UEIP, 0);
        return "association_setup_request_fqdn";
    }
    case 26: { /* IPv6 everywhere, plus load and overload control information */
        static g5_pfcp_sess_rsp rsp;
        static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
        memset(&rsp, 0, sizeof rsp);
        rsp.node_id.type = G5_PFCP_NODE_IPV6;
        memcpy(rsp.node_id.ipv6, v6, 16);
        rsp.cause = G5_PFCP_CAUSE_ACCEPTED;
        rsp.has_up_fseid = true;
        rsp.up_fseid.v4 = rsp.up_fseid.v6 = true;
        rsp.up_fseid.seid = UPF_SEID;
        memcpy(rsp.up_fseid.ipv4, upf_ip, 4);
        memcpy(rsp.up_fseid.ipv6, v6, 16);
        rsp.n_created = 1;
        rsp.created[0].pdr_id = G5_PFCP_UL_PDR;
        rsp.created[0].has_fteid = true;
        rsp.created[0].fteid.v6 = true;
        rsp.created[0].fteid.teid = 0x3000;
        memcpy(rsp.created[0].fteid.ipv6, v6, 16);
        rsp.created[0].has_ue_ip = true;
        rsp.created[0].ue_ip.v6 = true;
        rsp.created[0].ue_ip.ip6pl = true;
        rsp.created[0].ue_ip.ipv6_prefix_len = 64;
        memcpy(rsp.created[0].ue_ip.ipv6, v6, 16);
        rsp.created[0].ue_ip.ipv6[7] = 0x45;
        g5_pfcp_build_sess_est_rsp(w, SMF_SEID, 106, &rsp);
        /* Load Control Information and Overload Control Information (Tables 7.5.3.3/4) */
        g5_pfcp_group_begin(w, G5_PFCP_IE_LOAD_CONTROL_INFORMATION, &at);
        g5_pfcp_put_u32(w, G5_PFCP_IE_SEQUENCE_NUMBER, 1);
        g5_pfcp_put_u8(w, G5_PFCP_IE_METRIC, 40);
        g5_pfcp_group_end(w, at);
        g5_pfcp_group_begin(w, G5_PFCP_IE_OVERLOAD_CONTROL_INFORMATION, &at);
        g5_pfcp_put_u32(w, G5_PFCP_IE_SEQUENCE_NUMBER, 1);
        g5_pfcp_put_u8(w, G5_PFCP_IE_METRIC, 10);
        g5_pfcp_put_u8(w, G5_PFCP_IE_TIMER, 0x25); /* unit 1 (1 min) x 5 */
        g5_pfcp_put_u8(w, G5_PFCP_IE_OCI_FLAGS, 0x01);
        g5_pfcp_group_end(w, at);
        g5_pfcp_msg_end(w, 0);
        return "session_establishment_response_ipv6";
    }
    default: return NULL;
    }
}

#endif
