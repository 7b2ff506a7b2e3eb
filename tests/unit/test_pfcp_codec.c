/* PFCP codec unit tests: every sample message (tests/unit/pfcp_samples.h) decodes, its
 * typed views give back what the builder was told, JSON decode->encode is byte-exact, and
 * hostile input (truncation at every offset, bad lengths, missing/malformed mandatory IEs,
 * deep nesting, huge IE counts) fails with the TS 29.244 §7.6 cause and offending IE.
 *
 * `test_pfcp_codec --write-seeds DIR` writes the samples as DIR/<name>.bin (the fuzz seeds
 * in fuzz/corpus/pfcp/, which the tshark/scapy integration tests read); the test
 * seeds_match_builders keeps them in sync with the builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/codec_json.h"
#include "core/err.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"
#include "pfcp_samples.h"

static g5_pfcp_msg msg; /* 40 KiB: keep it off the stack */

static size_t build(unsigned i, uint8_t *buf, size_t cap, const char **name)
{
    g5_wbuf w;
    g5_wbuf_init(&w, buf, cap);
    *name = pfcp_sample(i, &w);
    assert_int_equal(w.err, 0);
    return w.len;
}

static void json_roundtrip_exact(const uint8_t *p, size_t n)
{
    json_t *j = NULL;
    char err[256] = "";
    int rc = g5_pfcp_decode_json(p, n, &j, err, sizeof err);
    if (rc)
        fail_msg("decode_json: %s", err);
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 1 << 20);
    rc = g5_pfcp_encode_json(j, &w, err, sizeof err);
    if (rc)
        fail_msg("encode_json: %s", err);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.p, p, n);
    json_decref(j);
    g5_wbuf_free(&w);
}

static void samples_decode_and_roundtrip(void **state)
{
    (void)state;
    uint8_t buf[4096];
    const char *name;
    unsigned count = 0;
    for (unsigned i = 0;; i++) {
        g5_wbuf w;
        g5_wbuf_init(&w, buf, sizeof buf);
        if (!(name = pfcp_sample(i, &w)))
            break;
        assert_int_equal(w.err, 0);
        g5_pfcp_error e;
        int rc = g5_pfcp_decode(buf, w.len, &msg, &e);
        if (rc)
            fail_msg("%s: rc %d cause %u ie %u %s", name, rc, e.cause, e.offending_ie, e.what);
        assert_int_equal(msg.msg_len, w.len);
        const char *mn = g5_pfcp_msg_name(msg.h.type);
        assert_non_null(mn);
        assert_int_equal(strncmp(name, mn, strlen(mn)), 0);
        assert_int_equal(msg.h.s, msg.h.type >= 50);
        json_roundtrip_exact(buf, w.len);
        uint8_t again[4096];
        g5_wbuf w2;
        g5_wbuf_init(&w2, again, sizeof again);
        assert_int_equal(g5_pfcp_reencode(&w2, &msg), 0);
        assert_int_equal(w2.len, w.len);
        assert_memory_equal(again, buf, w.len);
        count++;
    }
    assert_int_equal(count, 27);
}

static void establishment_views(void **state)
{
    (void)state;
    uint8_t buf[4096];
    const char *name;
    size_t n = build(15, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(msg.h.seid, 0);
    assert_int_equal(msg.h.seq, 100);
    static g5_pfcp_sess_est_req v;
    assert_int_equal(g5_pfcp_sess_est_req_parse(&msg, &v), 0);
    assert_int_equal(v.cp_fseid.seid, SMF_SEID);
    assert_memory_equal(v.cp_fseid.ipv4, smf_ip, 4);
    assert_int_equal(v.create.n_pdr, 2);
    assert_int_equal(v.create.n_far, 2);
    assert_int_equal(v.create.n_qer, 1);
    assert_int_equal(v.create.n_urr, 1);
    const g5_pfcp_pdr *ul = &v.create.pdr[0], *dl = &v.create.pdr[1];
    assert_int_equal(ul->pdr_id, G5_PFCP_UL_PDR);
    assert_int_equal(ul->precedence, 255);
    assert_int_equal(ul->pdi.src_if, G5_PFCP_IF_ACCESS);
    assert_true(ul->pdi.fteid.ch && ul->pdi.fteid.chid && ul->pdi.fteid.v4);
    assert_int_equal(ul->pdi.fteid.choose_id, 1);
    assert_memory_equal(ul->pdi.ue_ip.ipv4, ue_ip, 4);
    assert_false(ul->pdi.ue_ip.sd);
    assert_int_equal(ul->pdi.qfi, 9);
    assert_int_equal(ul->pdi.network_instance.len, 7);
    assert_memory_equal(ul->pdi.network_instance.v,
                        "\x06"
                        "access",
                        7);
    assert_true(ul->has_ohr);
    assert_int_equal(ul->ohr.desc, G5_PFCP_OHR_GTPU_UDP_IPV4);
    assert_int_equal(ul->far_id, G5_PFCP_UL_FAR);
    assert_int_equal(ul->n_qer, 1);
    assert_int_equal(ul->n_urr, 1);
    assert_int_equal(dl->pdi.src_if, G5_PFCP_IF_CORE);
    assert_true(dl->pdi.ue_ip.sd);
    assert_int_equal(v.create.far[0].apply_action, G5_PFCP_AA_FORW);
    assert_int_equal(v.create.far[0].fwd.dst_if, G5_PFCP_IF_CORE);
    assert_int_equal(v.create.far[1].apply_action, G5_PFCP_AA_BUFF | G5_PFCP_AA_NOCP);
    assert_false(v.create.far[1].has_fwd);
    assert_true(v.create.qer[0].has_mbr);
    assert_int_equal(v.create.qer[0].mbr.ul_kbps, 100000);
    assert_int_equal(v.create.qer[0].mbr.dl_kbps, 200000);
    assert_int_equal(v.create.urr[0].method, G5_PFCP_MM_VOLUM | G5_PFCP_MM_DURAT);
    assert_int_equal(v.create.urr[0].triggers, G5_PFCP_RT_VOLTH | G5_PFCP_RT_TIMTH);
    assert_int_equal(v.create.urr[0].vol_thr.total, 1000000);
    assert_int_equal(v.create.urr[0].time_thr, 3600);
    assert_int_equal(v.pdn_type, G5_PFCP_PDN_IPV4);
    assert_int_equal(v.inactivity_timer, 600);

    /* the known-TEID variant: F-TEID with address, DL FAR forwarding with OHC */
    n = build(16, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_sess_est_req_parse(&msg, &v), 0);
    assert_false(v.create.pdr[0].pdi.fteid.ch);
    assert_int_equal(v.create.pdr[0].pdi.fteid.teid, 0x1000);
    assert_int_equal(v.create.pdr[0].pdi.n_sdf, 1);
    assert_int_equal(v.create.pdr[0].pdi.sdf[0].fd_len, 34);
    assert_true(v.create.far[1].fwd.has_ohc);
    assert_int_equal(v.create.far[1].fwd.ohc.teid, 0x2000);
    assert_memory_equal(v.create.far[1].fwd.ohc.ipv4, gnb_ip, 4);
}

static void response_and_report_views(void **state)
{
    (void)state;
    uint8_t buf[4096];
    const char *name;
    static g5_pfcp_sess_rsp rsp;
    size_t n = build(17, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&msg, &rsp), 0);
    assert_int_equal(rsp.cause, 1);
    assert_int_equal(rsp.up_fseid.seid, UPF_SEID);
    assert_int_equal(rsp.n_created, 1);
    assert_int_equal(rsp.created[0].fteid.teid, 0x1000);

    static g5_pfcp_sess_mod_req mod;
    n = build(18, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(msg.h.seid, UPF_SEID);
    assert_int_equal(g5_pfcp_sess_mod_req_parse(&msg, &mod), 0);
    assert_int_equal(mod.update.n_far, 1);
    assert_int_equal(mod.update.far[0].far_id, G5_PFCP_DL_FAR);
    assert_int_equal(mod.update.far[0].apply_action, G5_PFCP_AA_FORW);
    assert_int_equal(mod.update.far[0].fwd.dst_if, G5_PFCP_IF_ACCESS);
    assert_int_equal(mod.update.far[0].fwd.ohc.desc, G5_PFCP_OHC_GTPU_UDP_IPV4);
    assert_int_equal(mod.update.far[0].fwd.ohc.teid, 0x2000);

    n = build(19, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_sess_mod_req_parse(&msg, &mod), 0);
    assert_int_equal(mod.n_remove_pdr, 1);
    assert_int_equal(mod.remove_pdr[0], 7);
    assert_int_equal(mod.remove_urr[0], 7);
    assert_int_equal(mod.create.pdr[0].pdr_id, 3);
    assert_int_equal(mod.update.qer[0].gbr.dl_kbps, 2000);
    /* the 2-octet Apply Action (BDPN is octet 6 bit 2) */
    assert_int_equal(mod.update.far[0].apply_action, G5_PFCP_AA_FORW | G5_PFCP_AA_BDPN);
    const g5_pfcp_ie *uf = g5_pfcp_child(&msg, NULL, G5_PFCP_IE_UPDATE_FAR);
    assert_non_null(uf);
    assert_int_equal(g5_pfcp_child(&msg, uf, G5_PFCP_IE_APPLY_ACTION)->len, 2);
    assert_int_equal(mod.flags, G5_PFCP_SMREQ_SNDEM);
    assert_int_equal(mod.n_query_urr, 1);

    n = build(22, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&msg, &rsp), 0);
    assert_int_equal(rsp.n_reports, 1);
    assert_int_equal(rsp.report[0].trigger, G5_PFCP_URT_TERMR);
    assert_int_equal(rsp.report[0].ur_seqn, 2);

    static g5_pfcp_sess_report_req rep;
    n = build(23, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_sess_report_req_parse(&msg, &rep), 0);
    assert_int_equal(rep.report_type, G5_PFCP_RPT_USAR | G5_PFCP_RPT_DLDR);
    assert_int_equal(rep.n_dl_pdr, 1);
    assert_int_equal(rep.dl_pdr_id[0], G5_PFCP_DL_PDR);
    assert_int_equal(rep.n_reports, 1);
    const g5_pfcp_usage_report *r = &rep.report[0];
    assert_int_equal(r->urr_id, G5_PFCP_SESS_URR);
    assert_int_equal(r->ur_seqn, 3);
    assert_int_equal(r->trigger, G5_PFCP_RT_VOLTH);
    assert_int_equal(r->vol.total, 1500000);
    assert_int_equal(r->vol.dl_pkts, 1000);
    assert_int_equal(r->dur, 60);
    assert_int_equal(r->end - r->start, 60);

    g5_pfcp_node_id node;
    g5_pfcp_assoc as;
    n = build(5, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_get_node_id(&msg, &node), 0);
    assert_memory_equal(node.ipv4, upf_ip, 4);
    assert_int_equal(g5_pfcp_assoc_parse(&msg, &as), 0);
    assert_true(as.has_cause && as.has_recovery_ts && as.has_up_features);
    assert_false(as.has_cp_features);
    assert_int_equal(as.cause, G5_PFCP_CAUSE_ACCEPTED);
    assert_int_equal(as.recovery_ts, RECOVERY_TS);
    assert_int_equal(as.up_features, G5_PFCP_UPF_FTUP | G5_PFCP_UPF_EMPU);
    n = build(4, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_assoc_parse(&msg, &as), 0);
    assert_true(as.has_cp_features && !as.has_cause);
    assert_int_equal(as.cp_features, 1);
}

static void ipv6_and_fqdn(void **state)
{
    (void)state;
    uint8_t buf[4096];
    const char *name;
    static g5_pfcp_sess_rsp rsp;
    g5_pfcp_node_id node;
    size_t n = build(25, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_get_node_id(&msg, &node), 0);
    assert_int_equal(node.type, G5_PFCP_NODE_FQDN);
    assert_string_equal(node.fqdn, "upf1.core.example.org");
    const g5_pfcp_ie *f = g5_pfcp_child(&msg, NULL, G5_PFCP_IE_UP_FUNCTION_FEATURES);
    assert_int_equal(f->len, 3);
    n = build(26, buf, sizeof buf, &name);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    assert_int_equal(g5_pfcp_sess_rsp_parse(&msg, &rsp), 0);
    assert_int_equal(rsp.node_id.type, G5_PFCP_NODE_IPV6);
    assert_true(rsp.up_fseid.v4 && rsp.up_fseid.v6);
    assert_int_equal(rsp.up_fseid.ipv6[15], 2);
    assert_true(rsp.created[0].fteid.v6 && !rsp.created[0].fteid.v4);
    assert_int_equal(rsp.created[0].fteid.teid, 0x3000);
    assert_true(rsp.created[0].ue_ip.v6 && rsp.created[0].ue_ip.ip6pl);
    assert_int_equal(rsp.created[0].ue_ip.ipv6_prefix_len, 64);
    const g5_pfcp_ie *oci = g5_pfcp_child(&msg, NULL, G5_PFCP_IE_OVERLOAD_CONTROL_INFORMATION);
    uint8_t metric = 0;
    assert_int_equal(g5_pfcp_get_u8(&msg, oci, G5_PFCP_IE_METRIC, &metric), 0);
    assert_int_equal(metric, 10);
    /* Overload Control Information without its Timer: cause 66, offending IE Timer */
    const g5_pfcp_ie *t = g5_pfcp_child(&msg, oci, G5_PFCP_IE_TIMER);
    size_t at = (size_t)(t->val - buf) - 4;
    buf[at + 1] = 0xee; /* becomes an unknown IE type */
    g5_pfcp_error e;
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, &e), G5_ERR_MISSING);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_MANDATORY_IE_MISSING);
    assert_int_equal(e.offending_ie, G5_PFCP_IE_TIMER);
}

/* Every prefix of every sample: an error (never a crash), and with the header length
 * patched to the prefix, the IE parser itself meets the truncation. */
static void truncation_every_offset(void **state)
{
    (void)state;
    uint8_t buf[4096], cut[4096];
    const char *name;
    for (unsigned i = 0;; i++) {
        g5_wbuf w;
        g5_wbuf_init(&w, buf, sizeof buf);
        if (!(name = pfcp_sample(i, &w)))
            break;
        for (size_t k = 0; k < w.len; k++) {
            g5_pfcp_error e;
            assert_true(g5_pfcp_decode(buf, k, &msg, &e) < 0);
            size_t hl = (buf[0] & 1) ? 16 : 8;
            if (k < hl)
                continue;
            memcpy(cut, buf, k);
            cut[2] = (uint8_t)((k - 4) >> 8);
            cut[3] = (uint8_t)(k - 4);
            int rc = g5_pfcp_decode(cut, k, &msg, &e);
            if (rc == G5_ERR_TRUNCATED)
                assert_int_equal(e.cause, G5_PFCP_CAUSE_INVALID_LENGTH);
            else if (rc == G5_ERR_MISSING)
                assert_int_equal(e.cause, G5_PFCP_CAUSE_MANDATORY_IE_MISSING);
            json_t *j = NULL;
            char err[256];
            if (g5_pfcp_decode_json(cut, k, &j, err, sizeof err) == 0)
                json_decref(j);
        }
    }
}

static void bad_lengths(void **state)
{
    (void)state;
    uint8_t buf[4096];
    const char *name;
    g5_pfcp_error e;
    size_t n = build(15, buf, sizeof buf, &name);
    /* header length one too long / one too short */
    buf[3]++;
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, &e), G5_ERR_TRUNCATED);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_INVALID_LENGTH);
    buf[3] -= 2;
    assert_true(g5_pfcp_decode(buf, n, &msg, &e) < 0);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_INVALID_LENGTH);
    buf[3]++;
    /* header length below the header itself */
    uint8_t tiny[16];
    memcpy(tiny, buf, 16);
    tiny[2] = 0;
    tiny[3] = 4;
    assert_true(g5_pfcp_decode(tiny, 16, &msg, &e) < 0);
    /* PDR ID inside the first Create PDR claims more than the group holds */
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    const g5_pfcp_ie *pdr = g5_pfcp_child(&msg, NULL, G5_PFCP_IE_CREATE_PDR);
    size_t pdr_at = (size_t)(pdr->val - buf); /* first child header starts here */
    size_t group_len = pdr->len;
    buf[pdr_at + 2] = (uint8_t)(group_len >> 8);
    buf[pdr_at + 3] = (uint8_t)group_len;
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, &e), G5_ERR_TRUNCATED);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_INVALID_LENGTH);
    assert_int_equal(e.offending_ie, G5_PFCP_IE_PDR_ID);
    assert_int_equal(e.offset, pdr_at);
}

/* Builds an establishment request leaving out what `omit` says. */
static size_t est_req_without(uint8_t *buf, size_t cap, int omit)
{
    g5_wbuf w;
    size_t s, at, pdi;
    g5_pfcp_node_id smf = sample_node(smf_ip);
    g5_wbuf_init(&w, buf, cap);
    g5_pfcp_msg_begin(&w, G5_PFCP_SESSION_EST_REQ, 0, 9, &s);
    g5_pfcp_put_node_id(&w, &smf);
    if (omit == 1) {
        const uint8_t short_fseid[3] = {2, 0, 0};
        g5_pfcp_put_ie(&w, G5_PFCP_IE_F_SEID, short_fseid, 3);
    } else if (omit != 0) {
        g5_pfcp_fseid f = {.v4 = true, .seid = 1, .ipv4 = {10, 0, 0, 1}};
        g5_pfcp_put_fseid(&w, &f);
    }
    g5_pfcp_group_begin(&w, G5_PFCP_IE_CREATE_PDR, &at);
    g5_pfcp_put_u16(&w, G5_PFCP_IE_PDR_ID, 1);
    if (omit != 2) {
        g5_pfcp_group_begin(&w, G5_PFCP_IE_PDI, &pdi);
        g5_pfcp_put_u8(&w, G5_PFCP_IE_SOURCE_INTERFACE, 0);
        g5_pfcp_group_end(&w, pdi);
    }
    g5_pfcp_group_end(&w, at);
    g5_pfcp_group_begin(&w, G5_PFCP_IE_CREATE_FAR, &at);
    g5_pfcp_put_u32(&w, G5_PFCP_IE_FAR_ID, 1);
    g5_pfcp_put_u8(&w, G5_PFCP_IE_APPLY_ACTION, G5_PFCP_AA_DROP);
    g5_pfcp_group_end(&w, at);
    g5_pfcp_msg_end(&w, s);
    assert_int_equal(w.err, 0);
    return w.len;
}

static void missing_and_incorrect_mandatory(void **state)
{
    (void)state;
    uint8_t buf[512], out[512];
    g5_pfcp_error e;
    size_t n = est_req_without(buf, sizeof buf, -1);
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, &e), 0);

    n = est_req_without(buf, sizeof buf, 0); /* no F-SEID */
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, &e), G5_ERR_MISSING);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_MANDATORY_IE_MISSING);
    assert_int_equal(e.offending_ie, G5_PFCP_IE_F_SEID);
    /* the answer the peer gets: Session Establishment Response, cause 66, Offending IE */
    g5_pfcp_hdr req;
    assert_int_equal(g5_pfcp_decode_hdr(buf, n, &req), 0);
    g5_pfcp_node_id upf = sample_node(upf_ip);
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    assert_int_equal(g5_pfcp_build_reject(&w, &req, 0, &upf, &e), 0);
    static g5_pfcp_msg rej;
    assert_int_equal(g5_pfcp_decode(out, w.len, &rej, NULL), 0);
    assert_int_equal(rej.h.type, G5_PFCP_SESSION_EST_RSP);
    assert_int_equal(rej.h.seq, 9);
    uint8_t cause = 0;
    uint16_t off = 0;
    assert_int_equal(g5_pfcp_get_cause(&rej, &cause), 0);
    assert_int_equal(cause, 66);
    assert_int_equal(g5_pfcp_get_u16(&rej, NULL, G5_PFCP_IE_OFFENDING_IE, &off), 0);
    assert_int_equal(off, G5_PFCP_IE_F_SEID);

    n = est_req_without(buf, sizeof buf, 1); /* F-SEID of 3 octets */
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, &e), G5_ERR_INVALID);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_MANDATORY_IE_INCORRECT);
    assert_int_equal(e.offending_ie, G5_PFCP_IE_F_SEID);

    n = est_req_without(buf, sizeof buf, 2); /* Create PDR without PDI */
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, &e), G5_ERR_MISSING);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_MANDATORY_IE_MISSING);
    assert_int_equal(e.offending_ie, G5_PFCP_IE_PDI);

    /* heartbeat without Recovery Time Stamp */
    const uint8_t hb[] = {0x20, 0x01, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00};
    assert_int_equal(g5_pfcp_decode(hb, sizeof hb, &msg, &e), G5_ERR_MISSING);
    assert_int_equal(e.offending_ie, G5_PFCP_IE_RECOVERY_TIME_STAMP);

    /* a rejection response may omit its other mandatory IEs (§7.6.6) */
    const uint8_t asr[] = {0x20, 0x06, 0x00, 0x09, 0, 0, 1, 0, 0x00, 0x13, 0x00, 0x01, 64};
    assert_int_equal(g5_pfcp_decode(asr, sizeof asr, &msg, &e), 0);
}

static void version_and_header(void **state)
{
    (void)state;
    g5_pfcp_error e;
    const uint8_t v2[] = {0x40, 0x01, 0x00, 0x0c, 0, 0, 1, 0, 0, 0x60, 0, 4, 1, 2, 3, 4};
    assert_int_equal(g5_pfcp_decode(v2, sizeof v2, &msg, &e), G5_ERR_UNSUPPORTED);
    assert_int_equal(e.cause, 0);
    /* follow-on: two heartbeats in one datagram */
    uint8_t two[32];
    const uint8_t hb[] = {0x24, 0x01, 0x00, 0x0c, 0, 0, 1, 0, 0, 0x60, 0, 4, 1, 2, 3, 4};
    memcpy(two, hb, 16);
    memcpy(two + 16, hb, 16);
    two[16] = 0x20;
    assert_int_equal(g5_pfcp_decode(two, 32, &msg, &e), 0);
    assert_int_equal(msg.msg_len, 16);
    assert_true(msg.h.fo);
    assert_int_equal(g5_pfcp_decode(two + 16, 16, &msg, &e), 0);
    /* trailing garbage without FO is an invalid length */
    two[0] = 0x20;
    assert_int_equal(g5_pfcp_decode(two, 20, &msg, &e), G5_ERR_TRUNCATED);
    /* message priority */
    uint8_t buf[64];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    g5_pfcp_build_sess_del_req(&w, 5, 77);
    buf[0] |= 2;
    buf[15] = 0x70;
    assert_int_equal(g5_pfcp_decode(buf, w.len, &msg, &e), 0);
    assert_true(msg.h.mp);
    assert_int_equal(msg.h.priority, 7);
    json_roundtrip_exact(buf, w.len);
}

static void deep_nesting_and_huge_counts(void **state)
{
    (void)state;
    static uint8_t buf[70000];
    g5_pfcp_error e;
    g5_wbuf w;
    size_t s, at[20];
    g5_wbuf_init(&w, buf, sizeof buf);
    g5_pfcp_msg_begin(&w, G5_PFCP_SESSION_EST_REQ, 0, 1, &s);
    for (int i = 0; i < 20; i++)
        g5_pfcp_group_begin(&w, G5_PFCP_IE_CREATE_PDR, &at[i]);
    for (int i = 19; i >= 0; i--)
        g5_pfcp_group_end(&w, at[i]);
    g5_pfcp_msg_end(&w, s);
    assert_int_equal(g5_pfcp_decode(buf, w.len, &msg, &e), G5_ERR_LIMIT);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_NO_RESOURCES);

    g5_wbuf_init(&w, buf, sizeof buf);
    g5_pfcp_msg_begin(&w, G5_PFCP_HEARTBEAT_REQ, 0, 1, &s);
    for (int i = 0; i < 2000; i++)
        g5_pfcp_put_u32(&w, G5_PFCP_IE_RECOVERY_TIME_STAMP, (uint32_t)i);
    g5_pfcp_msg_end(&w, s);
    assert_int_equal(w.err, 0);
    assert_int_equal(g5_pfcp_decode(buf, w.len, &msg, &e), G5_ERR_LIMIT);
    assert_int_equal(e.cause, G5_PFCP_CAUSE_NO_RESOURCES);

    /* zero-length IEs in bulk: still bounded */
    g5_wbuf_init(&w, buf, sizeof buf);
    g5_pfcp_msg_begin(&w, G5_PFCP_HEARTBEAT_REQ, 0, 1, &s);
    g5_pfcp_put_u32(&w, G5_PFCP_IE_RECOVERY_TIME_STAMP, 1);
    for (int i = 0; i < 1000; i++)
        g5_pfcp_put_ie(&w, 300, NULL, 0);
    g5_pfcp_msg_end(&w, s);
    assert_int_equal(g5_pfcp_decode(buf, w.len, &msg, &e), 0);
    assert_int_equal(msg.n_ies, 1001);
    json_roundtrip_exact(buf, w.len);

    /* a message that does not fit the 16-bit length is refused by the writer */
    g5_wbuf_init(&w, buf, sizeof buf);
    g5_pfcp_msg_begin(&w, G5_PFCP_HEARTBEAT_REQ, 0, 1, &s);
    for (int i = 0; i < 9000; i++)
        g5_pfcp_put_u32(&w, G5_PFCP_IE_RECOVERY_TIME_STAMP, 1);
    assert_int_equal(g5_pfcp_msg_end(&w, s), G5_ERR_TOO_LONG);
}

static void unknown_vendor_interleaved(void **state)
{
    (void)state;
    uint8_t buf[512];
    g5_wbuf w;
    size_t s, at;
    g5_wbuf_init(&w, buf, sizeof buf);
    g5_pfcp_msg_begin(&w, G5_PFCP_HEARTBEAT_REQ, 0, 1, &s);
    g5_pfcp_put_ie(&w, 321, "\x01\x02", 2); /* known to the spec, not to us */
    g5_pfcp_put_u32(&w, G5_PFCP_IE_RECOVERY_TIME_STAMP, 1);
    g5_pfcp_group_begin(&w, 0x8001, &at); /* vendor IE, enterprise 10415 */
    g5_wbuf_u16(&w, 10415);
    g5_wbuf_bytes(&w, "\xaa\xbb\xcc", 3);
    g5_pfcp_group_end(&w, at);
    g5_pfcp_put_ie(&w, G5_PFCP_IE_CAUSE, "\x01\x02", 2); /* malformed (fixed length 1) */
    g5_pfcp_put_ie(&w, 999, "\x03", 1);
    g5_pfcp_msg_end(&w, s);
    g5_pfcp_error e;
    assert_int_equal(g5_pfcp_decode(buf, w.len, &msg, &e), 0);
    assert_int_equal(msg.n_ies, 5);
    assert_int_equal(msg.ies[2].type, 0x8001);
    assert_int_equal(msg.ies[2].enterprise, 10415);
    assert_int_equal(msg.ies[2].len, 3);
    assert_true(msg.ies[3].bad);
    uint8_t c;
    assert_int_equal(g5_pfcp_get_cause(&msg, &c), G5_ERR_NOT_FOUND);
    json_roundtrip_exact(buf, w.len);
    uint8_t again[512];
    g5_wbuf w2;
    g5_wbuf_init(&w2, again, sizeof again);
    assert_int_equal(g5_pfcp_reencode(&w2, &msg), 0);
    assert_int_equal(w2.len, w.len);
    assert_memory_equal(again, buf, w.len);
    json_t *j = NULL;
    char err[128];
    assert_int_equal(g5_pfcp_decode_json(buf, w.len, &j, err, sizeof err), 0);
    json_t *u = json_object_get(json_object_get(j, "ies"), "unknown_ie");
    assert_int_equal(json_array_size(u), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(u, 1), "enterprise")),
                     10415);
    assert_string_equal(json_string_value(json_object_get(json_array_get(u, 1), "hex")), "aabbcc");
    json_decref(j);

    /* create PDR / FAR / PDR interleaved: "_order" keeps the wire order */
    const uint8_t *p;
    size_t n = est_req_without(buf, sizeof buf, -1);
    (void)p;
    assert_int_equal(g5_pfcp_decode(buf, n, &msg, NULL), 0);
    /* append a second Create PDR after the FAR */
    g5_wbuf_init(&w, buf, sizeof buf);
    w.len = n;
    size_t pdi;
    g5_pfcp_group_begin(&w, G5_PFCP_IE_CREATE_PDR, &at);
    g5_pfcp_put_u16(&w, G5_PFCP_IE_PDR_ID, 2);
    g5_pfcp_group_begin(&w, G5_PFCP_IE_PDI, &pdi);
    g5_pfcp_put_u8(&w, G5_PFCP_IE_SOURCE_INTERFACE, 1);
    g5_pfcp_group_end(&w, pdi);
    g5_pfcp_group_end(&w, at);
    g5_pfcp_msg_end(&w, 0);
    assert_int_equal(g5_pfcp_decode(buf, w.len, &msg, NULL), 0);
    json_roundtrip_exact(buf, w.len);
    assert_int_equal(g5_pfcp_decode_json(buf, w.len, &j, err, sizeof err), 0);
    assert_non_null(json_object_get(json_object_get(j, "ies"), "_order"));
    json_decref(j);
}

/* Regressions found by fuzz_pfcp: a reserved type 0 IE, and an empty flags IE listed in
 * "_order", must both survive decode->encode byte-exactly. */
static void fuzz_regressions(void **state)
{
    (void)state;
    uint8_t buf[128];
    g5_wbuf w;
    size_t s;
    g5_wbuf_init(&w, buf, sizeof buf);
    g5_pfcp_msg_begin(&w, G5_PFCP_SESSION_MOD_REQ, 1, 2, &s);
    g5_pfcp_put_u32(&w, G5_PFCP_IE_QER_ID, 7);
    g5_pfcp_put_ie(&w, 0, NULL, 0);
    g5_pfcp_put_u8(&w, G5_PFCP_IE_PFCPSMREQ_FLAGS, 0);
    g5_pfcp_put_u32(&w, G5_PFCP_IE_QER_ID, 8);
    g5_pfcp_msg_end(&w, s);
    assert_int_equal(g5_pfcp_decode(buf, w.len, &msg, NULL), 0);
    json_roundtrip_exact(buf, w.len);
}

static void seeds_match_builders(void **state)
{
    (void)state;
    uint8_t buf[4096], file[4096];
    const char *name;
    for (unsigned i = 0;; i++) {
        g5_wbuf w;
        g5_wbuf_init(&w, buf, sizeof buf);
        if (!(name = pfcp_sample(i, &w)))
            break;
        char path[512];
        snprintf(path, sizeof path, "%s/fuzz/corpus/pfcp/%s.bin", G5_SOURCE_DIR, name);
        FILE *f = fopen(path, "rb");
        if (!f)
            fail_msg("missing seed %s (run test_pfcp_codec --write-seeds)", path);
        size_t n = fread(file, 1, sizeof file, f);
        fclose(f);
        assert_int_equal(n, w.len);
        assert_memory_equal(file, buf, n);
    }
}

static int write_seeds(const char *dir)
{
    uint8_t buf[4096];
    const char *name;
    for (unsigned i = 0;; i++) {
        g5_wbuf w;
        g5_wbuf_init(&w, buf, sizeof buf);
        if (!(name = pfcp_sample(i, &w)))
            return 0;
        char path[512];
        snprintf(path, sizeof path, "%s/%s.bin", dir, name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, w.len, f) != w.len) {
            perror(path);
            if (f)
                fclose(f);
            return 1;
        }
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
        return write_seeds(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(samples_decode_and_roundtrip),
        cmocka_unit_test(establishment_views),
        cmocka_unit_test(response_and_report_views),
        cmocka_unit_test(ipv6_and_fqdn),
        cmocka_unit_test(truncation_every_offset),
        cmocka_unit_test(bad_lengths),
        cmocka_unit_test(missing_and_incorrect_mandatory),
        cmocka_unit_test(version_and_header),
        cmocka_unit_test(deep_nesting_and_huge_counts),
        cmocka_unit_test(unknown_vendor_interleaved),
        cmocka_unit_test(fuzz_regressions),
        cmocka_unit_test(seeds_match_builders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
