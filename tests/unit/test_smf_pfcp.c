/* The SMF against a scripted fake UPF on loopback PFCP, driven through the Nsmf interface
 * the AMF uses: association (node ID, recovery time stamp), session establishment (PDRs,
 * FARs, QER, URR as sent on the wire), modification with the gNB TEID, deletion with a
 * usage report, UE-requested release, rejects with their 5GSM causes (unknown DNN, slice
 * not subscribed via the UDR, pool exhausted, unknown PDU session type), retransmission
 * when the UPF is silent, a UPF rejection with cause + offending IE, UPF restart detection
 * by a changed recovery time stamp, cancellation, and the async rule (no callback inside a
 * call). The fake UPF decodes with the PFCP codec; the codec itself is checked against
 * tshark and scapy in tests/integration/test_pfcp_*.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "asn1/aper.h"
#include "core/err.h"
#include "core/loop.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/config.h"
#include "nf/smf/smf.h"
#include "nf/smf/smf_gsm.h"
#include "nf/udm/udm.h"
#include "nf/udr/udr.h"
#include "ngap/ngap_msg.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"
#include "store_test_util.h"

/* ---- the fake UPF ---- */

enum fake_mode { FAKE_NORMAL, FAKE_SILENT, FAKE_REJECT_EST };

typedef struct fake_upf {
    uv_udp_t udp;
    struct sockaddr_in smf_addr;
    bool have_smf;
    int mode;
    uint32_t recovery_ts;
    unsigned rx[64]; /* requests received by message type */
    uint32_t last_seq[64];
    uint32_t next_teid;
    uint64_t next_seid;
    g5_pfcp_sess_est_req est; /* last establishment request */
    g5_pfcp_sess_mod_req mod;
    g5_pfcp_assoc assoc;
    uint8_t last_rsp_cause; /* cause in the last response the SMF sent us */
    uint16_t last_rsp_type;
    g5_pfcp_msg msg;
} fake_upf;

static void fake_send(fake_upf *f, g5_wbuf *w)
{
    uv_buf_t b = uv_buf_init((char *)g5_wbuf_data(w), (unsigned)g5_wbuf_len(w));
    assert_true(uv_udp_try_send(&f->udp, &b, 1, (const struct sockaddr *)&f->smf_addr) > 0);
}

static void fake_answer(fake_upf *f, const g5_pfcp_msg *m)
{
    uint8_t out[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    g5_pfcp_node_id node = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 1}};
    g5_pfcp_sess_rsp r;
    memset(&r, 0, sizeof r);
    r.node_id = node;
    r.cause = G5_PFCP_CAUSE_ACCEPTED;
    switch (m->h.type) {
    case G5_PFCP_ASSOC_SETUP_REQ:
        assert_int_equal(g5_pfcp_assoc_parse(m, &f->assoc), 0);
        assert_int_equal(g5_pfcp_build_assoc_setup_rsp(&w, m->h.seq, &node, G5_PFCP_CAUSE_ACCEPTED,
                                                       f->recovery_ts, G5_PFCP_UPF_FTUP, 0),
                         0);
        break;
    case G5_PFCP_HEARTBEAT_REQ:
        assert_int_equal(g5_pfcp_build_heartbeat_rsp(&w, m->h.seq, f->recovery_ts), 0);
        break;
    case G5_PFCP_SESSION_EST_REQ: {
        assert_int_equal(g5_pfcp_sess_est_req_parse(m, &f->est), 0);
        if (f->mode == FAKE_REJECT_EST) {
            r.cause = G5_PFCP_CAUSE_RULE_FAILURE;
            r.offending_ie = G5_PFCP_IE_CREATE_PDR;
        } else {
            r.has_up_fseid = true;
            r.up_fseid =
                (g5_pfcp_fseid){.v4 = true, .seid = ++f->next_seid, .ipv4 = {127, 0, 0, 1}};
            r.n_created = 1;
            r.created[0].pdr_id = G5_PFCP_UL_PDR;
            r.created[0].has_fteid = true;
            r.created[0].fteid =
                (g5_pfcp_fteid){.v4 = true, .teid = ++f->next_teid, .ipv4 = {127, 0, 0, 9}};
        }
        assert_int_equal(g5_pfcp_build_sess_est_rsp(&w, f->est.cp_fseid.seid, m->h.seq, &r), 0);
        break;
    }
    case G5_PFCP_SESSION_MOD_REQ:
        assert_int_equal(g5_pfcp_sess_mod_req_parse(m, &f->mod), 0);
        assert_int_equal(g5_pfcp_build_sess_mod_rsp(&w, f->est.cp_fseid.seid, m->h.seq, &r), 0);
        break;
    case G5_PFCP_SESSION_DEL_REQ:
        r.n_reports = 1;
        r.report[0] =
            (g5_pfcp_usage_report){.urr_id = 1,
                                   .trigger = 1u << 11, /* TERMR, §8.2.41 */
                                   .has_vol = true,
                                   .dur = 42,
                                   .has_dur = true,
                                   .vol = {.flags = 7, .total = 3000, .ul = 1000, .dl = 2000}};
        assert_int_equal(g5_pfcp_build_sess_del_rsp(&w, f->est.cp_fseid.seid, m->h.seq, &r), 0);
        break;
    default: return;
    }
    fake_send(f, &w);
}

static void fake_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)h;
    static char buf[65536];
    (void)sz;
    *b = uv_buf_init(buf, sizeof buf);
}

static void fake_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *b, const struct sockaddr *sa,
                      unsigned flags)
{
    (void)flags;
    fake_upf *f = h->data;
    if (n <= 0 || !sa)
        return;
    memcpy(&f->smf_addr, sa, sizeof f->smf_addr);
    f->have_smf = true;
    g5_pfcp_hdr hdr;
    if (g5_pfcp_decode_hdr((const uint8_t *)b->base, (size_t)n, &hdr) == 0 &&
        !g5_pfcp_msg_is_request(hdr.type))
        f->last_rsp_type = hdr.type; /* even if the body does not decode */
    if (g5_pfcp_decode((const uint8_t *)b->base, (size_t)n, &f->msg, NULL))
        return;
    uint8_t t = f->msg.h.type;
    if (!g5_pfcp_msg_is_request(t)) {
        f->last_rsp_type = t;
        uint8_t c = 0;
        g5_pfcp_get_cause(&f->msg, &c);
        f->last_rsp_cause = c;
        return;
    }
    if (t < 64) {
        f->rx[t]++;
        f->last_seq[t] = f->msg.h.seq;
    }
    if (f->mode == FAKE_SILENT && t != G5_PFCP_ASSOC_SETUP_REQ)
        return;
    fake_answer(f, &f->msg);
}

/* ---- harness ---- */

typedef struct env {
    uv_loop_t loop;
    fake_upf upf;
    g5_config cfg;
    smf *smf;
    /* results */
    int n_create, n_update, n_release, n_n1n2;
    int rc;
    bool in_call;
    bool cb_inside;
    smf_create_rsp crsp;
    uint8_t n1[1024], n2[1024];
    size_t n1_len, n2_len;
    bool released;
    uint8_t n1n2_cause;
    t_env st_env;
    g5_store *store;
    udr *udr;
    udm *udm; /* the SMF's Nudm_SDM (sm-data) */
} env;

static void run_until(env *e, const int *counter, int want, unsigned ms)
{
    uint64_t end = g5_clock_ms() + ms;
    while (*counter < want && g5_clock_ms() < end)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
}

static void on_n1n2(void *arg, const smf_n1n2_msg *m)
{
    env *e = arg;
    e->n_n1n2++;
    assert_true(m->n1_len >= 5);
    e->n1n2_cause = m->n1[4];
    assert_int_equal(m->n1[3], NAS_PDU_SESSION_RELEASE_COMMAND);
    assert_non_null(m->n2);
}

static env *env_new(const char *v4pool, bool with_udr)
{
    env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    assert_int_equal(uv_loop_init(&e->loop), 0);
    assert_int_equal(uv_udp_init(&e->loop, &e->upf.udp), 0);
    e->upf.udp.data = &e->upf;
    e->upf.recovery_ts = 3900000000u;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_udp_bind(&e->upf.udp, (const struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_udp_recv_start(&e->upf.udp, fake_alloc, fake_recv), 0);
    int len = sizeof a;
    uv_udp_getsockname(&e->upf.udp, (struct sockaddr *)&a, &len);
    g5_config_defaults(&e->cfg);
    g5_smf_config *c = &e->cfg.smf;
    c->pfcp_port = 0;
    strcpy(c->upfs[0].address, "127.0.0.1");
    c->upfs[0].port = ntohs(a.sin_port);
    c->t1_ms = 40;
    c->n1 = 2;
    c->heartbeat_s = 3600;
    strcpy(c->dnns[0].ipv4_pool, v4pool);
    if (with_udr) {
        char err[200];
        t_env_init(&e->st_env);
        e->store = t_open(&e->st_env, err, sizeof err);
        assert_non_null(e->store);
        g5_subscriber sub;
        t_sub(&sub, 1); /* slice {1, no SD}, DNN internet */
        assert_int_equal(g5_store_sub_put(e->store, &sub), 0);
        e->udr = udr_new(e->store);
        assert_non_null(e->udr);
        udm_config ucfg = {0};
        e->udm = udm_new(&e->loop, e->udr, e->store, &ucfg, err, sizeof err);
        assert_non_null(e->udm);
    }
    e->smf = smf_new(&e->loop, e->udm, &e->cfg.smf, on_n1n2, e);
    assert_non_null(e->smf);
    assert_int_equal(smf_start(e->smf), 0);
    /* association: one request from the SMF, answered */
    run_until(e, (const int *)&e->upf.rx[G5_PFCP_ASSOC_SETUP_REQ], 1, 2000);
    for (int i = 0; i < 200 && !smf_pfcp_associated(smf_get_pfcp(e->smf), 0); i++)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_true(smf_pfcp_associated(smf_get_pfcp(e->smf), 0));
    return e;
}

static void env_free(env *e)
{
    smf_free(e->smf);
    udm_free(e->udm);
    uv_close((uv_handle_t *)&e->upf.udp, NULL);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    if (e->udr) {
        udr_free(e->udr);
        g5_store_close(e->store);
        t_env_free(&e->st_env);
    }
    free(e);
}

static void on_create(void *arg, int rc, const smf_create_rsp *r)
{
    env *e = arg;
    e->n_create++;
    e->cb_inside |= e->in_call;
    e->rc = rc;
    if (rc)
        return;
    e->crsp = *r;
    assert_true(r->n1_len <= sizeof e->n1 && r->n2_len <= sizeof e->n2);
    memcpy(e->n1, r->n1, r->n1_len);
    e->n1_len = r->n1_len;
    if (r->n2)
        memcpy(e->n2, r->n2, r->n2_len);
    e->n2_len = r->n2_len;
}

static void on_update(void *arg, int rc, const smf_update_rsp *r)
{
    env *e = arg;
    e->n_update++;
    e->cb_inside |= e->in_call;
    e->rc = rc;
    e->n1_len = e->n2_len = 0;
    if (rc)
        return;
    e->released = r->released;
    if (r->n1) {
        memcpy(e->n1, r->n1, r->n1_len);
        e->n1_len = r->n1_len;
    }
    if (r->n2) {
        memcpy(e->n2, r->n2, r->n2_len);
        e->n2_len = r->n2_len;
    }
}

static void on_release(void *arg, int rc)
{
    env *e = arg;
    e->n_release++;
    e->cb_inside |= e->in_call;
    e->rc = rc;
}

static size_t est_req(uint8_t *out, size_t cap, uint8_t psi, uint8_t type)
{
    nas_msg m;
    nas_arena ar;
    g5_wbuf w;
    static const uint8_t ipmax[2] = {0xff, 0xff};
    nas_arena_init(&ar);
    assert_int_equal(nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST), 0);
    m.psi = psi;
    m.pti = 1;
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    if (type)
        nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, type);
    size_t mark = g5_wbuf_len(&ar.w);
    assert_int_equal(g5_wbuf_u8(&ar.w, 0x80), 0);
    assert_int_equal(nas_epco_put(&ar.w, SMF_PCO_DNS4, NULL, 0), 0);
    assert_int_equal(nas_epco_put(&ar.w, SMF_PCO_MTU4, NULL, 0), 0);
    assert_int_equal(
        nas_arena_ie(&ar, mark,
                     &m.pdu_session_establishment_request.extended_protocol_configuration_options),
        0);
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(nas_encode(&m, &w), 0);
    return g5_wbuf_len(&w);
}

static uint64_t create(env *e, uint8_t psi, const char *dnn, uint8_t type, uint8_t sst)
{
    uint8_t n1[256];
    smf_create_req q = {.psi = psi, .an_type = SMF_AN_3GPP, .snssai = {.sst = sst, .sd = 0xFFFFFF}};
    snprintf(q.supi, sizeof q.supi, "imsi-001010000000001");
    snprintf(q.dnn, sizeof q.dnn, "%s", dnn);
    q.n1 = n1;
    q.n1_len = est_req(n1, sizeof n1, psi, type);
    int before = e->n_create;
    e->in_call = true;
    uint64_t id = smf_create_sm_context(e->smf, &q, on_create, e);
    e->in_call = false;
    assert_int_not_equal(id, 0);
    assert_int_equal(e->n_create, before); /* never inside the call */
    run_until(e, &e->n_create, before + 1, 2000);
    assert_int_equal(e->n_create, before + 1);
    assert_false(e->cb_inside);
    return id;
}

static uint8_t reject_cause(env *e)
{
    assert_int_equal(e->rc, 0);
    assert_false(e->crsp.accepted);
    assert_int_equal(e->n1_len, 5);
    assert_int_equal(e->n1[3], NAS_PDU_SESSION_ESTABLISHMENT_REJECT);
    assert_int_equal(e->n1[2], 1); /* the UE's PTI */
    assert_null(e->crsp.n2);
    return e->n1[4];
}

/* A gNB's PDU Session Resource Setup Response Transfer. */
static void gnb_setup_rsp(a1_octets *out, uint32_t teid)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    uint8_t t[4] = {(uint8_t)(teid >> 24), (uint8_t)(teid >> 16), (uint8_t)(teid >> 8),
                    (uint8_t)teid};
    assert_int_equal(a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x7f\x00\x00\x0b", 32), 0);
    assert_int_equal(a1_octets_set(&u->gTPTunnel.gTP_TEID, t, 4), 0);
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list[0].qosFlowIdentifier = 1;
    assert_int_equal(
        ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, out), 0);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
}

static void update(env *e, uint64_t ref, uint8_t n2_type, const uint8_t *n2, size_t n2_len,
                   const uint8_t *n1, size_t n1_len)
{
    smf_update_req q = {.sm_context_ref = ref,
                        .n2_type = n2_type,
                        .n2 = n2,
                        .n2_len = n2_len,
                        .n1 = n1,
                        .n1_len = n1_len};
    int before = e->n_update;
    e->in_call = true;
    assert_int_not_equal(smf_update_sm_context(e->smf, &q, on_update, e), 0);
    e->in_call = false;
    assert_int_equal(e->n_update, before);
    run_until(e, &e->n_update, before + 1, 2000);
    assert_int_equal(e->n_update, before + 1);
    assert_false(e->cb_inside);
}

/* ---- tests ---- */

static void test_association(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/24", false);
    /* Association Setup Request: node ID = our PFCP address, our recovery time stamp */
    assert_int_equal(e->upf.assoc.node_id.type, G5_PFCP_NODE_IPV4);
    assert_memory_equal(e->upf.assoc.node_id.ipv4, "\x7f\x00\x00\x01", 4);
    assert_true(e->upf.assoc.has_recovery_ts);
    assert_int_equal(e->upf.assoc.recovery_ts, smf_pfcp_recovery_ts(smf_get_pfcp(e->smf)));
    assert_true(e->upf.assoc.recovery_ts > 3900000000u); /* NTP seconds, after 2023 */
    assert_int_equal(smf_pfcp_up_features(smf_get_pfcp(e->smf), 0) & G5_PFCP_UPF_FTUP,
                     G5_PFCP_UPF_FTUP);
    env_free(e);
}

static void test_session_lifecycle(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/24", false);
    create(e, 5, "internet", NAS_PDU_IPV4, 1);
    assert_int_equal(e->rc, 0);
    assert_true(e->crsp.accepted);
    uint64_t ref = e->crsp.sm_context_ref;
    assert_int_not_equal(ref, 0);

    /* what the UPF was asked to do (TS 29.244 §7.5.2) */
    const g5_pfcp_sess_est_req *est = &e->upf.est;
    assert_int_equal(est->cp_fseid.seid, ref);
    assert_int_equal(est->create.n_pdr, 2);
    const g5_pfcp_pdr *ul = &est->create.pdr[0], *dl = &est->create.pdr[1];
    assert_int_equal(ul->pdi.src_if, G5_PFCP_IF_ACCESS);
    assert_true(ul->pdi.has_fteid && ul->pdi.fteid.ch); /* CHOOSE: the UPF has FTUP */
    assert_true(ul->has_ohr);
    assert_memory_equal(ul->pdi.ue_ip.ipv4, "\x0a\x2d\x00\x02", 4);
    assert_int_equal(dl->pdi.src_if, G5_PFCP_IF_CORE);
    assert_true(dl->pdi.ue_ip.sd);
    const g5_pfcp_far *dlfar = &est->create.far[1];
    assert_int_equal(dlfar->apply_action, G5_PFCP_AA_BUFF | G5_PFCP_AA_NOCP); /* no gNB yet */
    assert_int_equal(est->create.n_qer, 1);
    assert_int_equal(est->create.qer[0].mbr.ul_kbps, 100000);
    assert_int_equal(est->create.n_urr, 1);
    char dnn[64];
    assert_true(g5_pfcp_ni_to_dotted(est->dnn.v, est->dnn.len, dnn, sizeof dnn) >= 0);
    assert_string_equal(dnn, "internet");

    /* N1: accept with the address; N2: UL tunnel = what the UPF chose */
    nas_msg m;
    uint8_t cause;
    assert_int_equal(nas_decode(e->n1, e->n1_len, &m, &cause), 0);
    assert_int_equal(m.type, NAS_PDU_SESSION_ESTABLISHMENT_ACCEPT);
    nas_pdu_address pa;
    assert_int_equal(nas_pdu_address_decode(&m.pdu_session_establishment_accept.pdu_address, &pa),
                     0);
    assert_memory_equal(pa.ipv4, "\x0a\x2d\x00\x02", 4);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(e->smf, ref, &si), 0);
    assert_int_equal(si.ul_teid, 1);
    assert_int_equal(si.up_seid, 1);
    NGAP_PDUSessionResourceSetupRequestTransfer_t t;
    a1_octets o = {.buf = e->n2, .len = e->n2_len};
    assert_int_equal(ngap_decode_transfer(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t, &o),
                     0);
    bool tunnel = false;
    for (size_t i = 0; i < t.protocolIEs.count; i++)
        if (t.protocolIEs.list[i].id == NGAP_id_UL_NGU_UP_TNLInformation) {
            const NGAP_GTPTunnel_t *g =
                &t.protocolIEs.list[i].value.UPTransportLayerInformation.gTPTunnel;
            assert_memory_equal(g->transportLayerAddress.buf, "\x7f\x00\x00\x09", 4);
            assert_memory_equal(g->gTP_TEID.buf, "\x00\x00\x00\x01", 4);
            tunnel = true;
        }
    assert_true(tunnel);
    a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t);

    /* gNB answers: DL FAR now forwards to its tunnel */
    a1_octets rsp = {0};
    gnb_setup_rsp(&rsp, 0xabcdef01);
    update(e, ref, SMF_N2_SETUP_RSP, rsp.buf, rsp.len, NULL, 0);
    free(rsp.buf);
    assert_int_equal(e->rc, 0);
    assert_int_equal(e->upf.rx[G5_PFCP_SESSION_MOD_REQ], 1);
    assert_int_equal(e->upf.mod.update.n_far, 1);
    const g5_pfcp_far *uf = &e->upf.mod.update.far[0];
    assert_int_equal(uf->far_id, G5_PFCP_DL_FAR);
    assert_true(uf->apply_action & G5_PFCP_AA_FORW);
    assert_int_equal(uf->fwd.ohc.teid, 0xabcdef01);
    assert_memory_equal(uf->fwd.ohc.ipv4, "\x7f\x00\x00\x0b", 4);

    /* UE-requested release: RELEASE COMMAND + N2, PFCP deletion with a usage report */
    uint8_t rr[] = {0x2e, 5, 2, NAS_PDU_SESSION_RELEASE_REQUEST};
    update(e, ref, SMF_N2_NONE, NULL, 0, rr, sizeof rr);
    assert_int_equal(e->rc, 0);
    assert_false(e->released);
    assert_int_equal(e->n1_len, 5);
    assert_memory_equal(e->n1, ((uint8_t[]){0x2e, 5, 2, NAS_PDU_SESSION_RELEASE_COMMAND, 36}), 5);
    assert_true(e->n2_len > 0);
    assert_int_equal(e->upf.rx[G5_PFCP_SESSION_DEL_REQ], 1);
    const smf_stats *st = smf_get_stats(e->smf);
    assert_int_equal(st->usage_reports, 1);
    assert_int_equal(st->usage_ul_octets, 1000);
    assert_int_equal(st->usage_dl_octets, 2000);
    uint8_t rc5[] = {0x2e, 5, 2, NAS_PDU_SESSION_RELEASE_COMPLETE};
    update(e, ref, SMF_N2_NONE, NULL, 0, rc5, sizeof rc5);
    assert_int_equal(e->rc, 0);
    assert_true(e->released);
    assert_int_equal(smf_sess_info_get(e->smf, ref, &si), G5_ERR_NOT_FOUND);
    assert_int_equal(st->active, 0);
    /* the address went back to the pool: a new session can get one again */
    create(e, 6, "internet", NAS_PDU_IPV4, 1);
    assert_true(e->crsp.accepted);
    /* AMF-initiated ReleaseSMContext */
    e->in_call = true;
    assert_int_not_equal(smf_release_sm_context(e->smf, e->crsp.sm_context_ref, on_release, e), 0);
    e->in_call = false;
    assert_int_equal(e->n_release, 0);
    run_until(e, &e->n_release, 1, 2000);
    assert_int_equal(e->rc, 0);
    assert_false(e->cb_inside);
    assert_int_equal(e->upf.rx[G5_PFCP_SESSION_DEL_REQ], 2);
    env_free(e);
}

static void test_ipv4v6_and_types(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/24", false);
    create(e, 1, "internet", NAS_PDU_IPV4V6, 1);
    assert_true(e->crsp.accepted);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(e->smf, e->crsp.sm_context_ref, &si), 0);
    assert_int_equal(si.pdu_type, NAS_PDU_IPV4V6);
    assert_true(si.has_ipv4 && si.has_ipv6);
    assert_memory_equal(si.ipv6_prefix, "\x20\x01\x0d\xb8\xca\xfe\x00\x01", 8);
    assert_true(e->upf.est.create.pdr[1].pdi.ue_ip.v6);
    create(e, 2, "internet", NAS_PDU_IPV6, 1);
    assert_true(e->crsp.accepted);
    /* type 5 (Ethernet): unknown here -> #28 */
    create(e, 3, "internet", 5, 1);
    assert_int_equal(reject_cause(e), SMF_CAUSE_UNKNOWN_PDU_SESSION_TYPE);
    env_free(e);
}

static void test_rejects(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/30", true); /* /30: a single usable address */
    create(e, 1, "nope", NAS_PDU_IPV4, 1); /* not subscribed */
    assert_int_equal(reject_cause(e), SMF_CAUSE_MISSING_OR_UNKNOWN_DNN);
    create(e, 1, "internet", NAS_PDU_IPV4, 2); /* slice 2 not subscribed */
    assert_int_equal(reject_cause(e), SMF_CAUSE_SERVICE_OPTION_NOT_SUBSCRIBED);
    create(e, 1, "", NAS_PDU_IPV4, 1); /* no DNN: subscription default */
    assert_true(e->crsp.accepted);
    create(e, 2, "internet", NAS_PDU_IPV4, 1); /* pool exhausted */
    assert_int_equal(reject_cause(e), SMF_CAUSE_INSUFFICIENT_RESOURCES);
    /* unknown subscriber */
    uint8_t n1[256];
    smf_create_req q = {.psi = 3, .snssai = {.sst = 1, .sd = 0xFFFFFF}, .n1 = n1};
    strcpy(q.supi, "imsi-001019999999999");
    q.n1_len = est_req(n1, sizeof n1, 3, NAS_PDU_IPV4);
    assert_int_not_equal(smf_create_sm_context(e->smf, &q, on_create, e), 0);
    run_until(e, &e->n_create, 5, 2000);
    assert_int_equal(reject_cause(e), SMF_CAUSE_USER_AUTH_FAILED);
    /* garbage N1: a 5GSM protocol cause, PTI echoed */
    static const uint8_t junk[] = {0x2e, 4, 1, 0xc1};
    q.n1 = junk;
    q.n1_len = sizeof junk;
    q.psi = 4;
    assert_int_not_equal(smf_create_sm_context(e->smf, &q, on_create, e), 0);
    run_until(e, &e->n_create, 6, 2000);
    uint8_t c = reject_cause(e);
    assert_true(c >= 95 && c <= 111);
    assert_int_equal(smf_get_stats(e->smf)->rejected, 5);
    env_free(e);
}

static void test_silent_upf_retransmits(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/24", false);
    e->upf.mode = FAKE_SILENT;
    create(e, 1, "internet", NAS_PDU_IPV4, 1);
    /* T1 = 40 ms, N1 = 2: the same request (same sequence number) three times */
    assert_int_equal(e->upf.rx[G5_PFCP_SESSION_EST_REQ], 3);
    assert_int_equal(reject_cause(e), SMF_CAUSE_NETWORK_FAILURE);
    const smf_pfcp_stats *ps = smf_pfcp_get_stats(smf_get_pfcp(e->smf));
    assert_int_equal(ps->retransmissions, 2);
    assert_int_equal(ps->timeouts, 1);
    assert_int_equal(smf_get_stats(e->smf)->active, 0);
    env_free(e);
}

static void test_upf_rejects(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/30", false);
    e->upf.mode = FAKE_REJECT_EST;
    create(e, 1, "internet", NAS_PDU_IPV4, 1);
    assert_int_equal(reject_cause(e), SMF_CAUSE_NETWORK_FAILURE);
    /* the address was returned: with a one-address pool the next one succeeds */
    e->upf.mode = FAKE_NORMAL;
    create(e, 1, "internet", NAS_PDU_IPV4, 1);
    assert_true(e->crsp.accepted);
    /* a malformed Session Report Request (no Report Type): Cause 66 + Offending IE (§7.6) */
    uint8_t b[32];
    g5_wbuf w;
    size_t start;
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_msg_begin(&w, G5_PFCP_SESSION_REPORT_REQ, 2, 77, &start);
    g5_pfcp_msg_end(&w, start);
    fake_send(&e->upf, &w);
    for (int i = 0; i < 500 && e->upf.last_rsp_type != G5_PFCP_SESSION_REPORT_RSP; i++)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_int_equal(e->upf.last_rsp_type, G5_PFCP_SESSION_REPORT_RSP);
    assert_int_equal(e->upf.last_rsp_cause, G5_PFCP_CAUSE_MANDATORY_IE_MISSING);
    /* a valid usage report for a known SEID is accepted and counted; unknown SEID -> 65 */
    g5_pfcp_sess_report_req rep = {.report_type = G5_PFCP_RPT_USAR, .n_reports = 1};
    rep.report[0] = (g5_pfcp_usage_report){
        .urr_id = 1, .has_vol = true, .vol = {.flags = 7, .total = 30, .ul = 10, .dl = 20}};
    uint8_t b2[256];
    g5_wbuf_init(&w, b2, sizeof b2);
    assert_int_equal(g5_pfcp_build_sess_report_req(&w, e->crsp.sm_context_ref, 78, &rep), 0);
    e->upf.last_rsp_type = 0;
    fake_send(&e->upf, &w);
    for (int i = 0; i < 500 && e->upf.last_rsp_type != G5_PFCP_SESSION_REPORT_RSP; i++)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_int_equal(e->upf.last_rsp_cause, G5_PFCP_CAUSE_ACCEPTED);
    assert_int_equal(smf_get_stats(e->smf)->usage_dl_octets, 20);
    g5_wbuf_init(&w, b2, sizeof b2);
    assert_int_equal(g5_pfcp_build_sess_report_req(&w, 4242, 79, &rep), 0);
    e->upf.last_rsp_type = 0;
    fake_send(&e->upf, &w);
    for (int i = 0; i < 500 && e->upf.last_rsp_type != G5_PFCP_SESSION_REPORT_RSP; i++)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_int_equal(e->upf.last_rsp_cause, G5_PFCP_CAUSE_SESSION_NOT_FOUND);
    env_free(e);
}

static void test_upf_restart(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/24", false);
    create(e, 1, "internet", NAS_PDU_IPV4, 1);
    assert_true(e->crsp.accepted);
    uint64_t ref = e->crsp.sm_context_ref;
    /* same recovery time stamp: nothing happens */
    uint8_t b[64];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(g5_pfcp_build_heartbeat_req(&w, 500, e->upf.recovery_ts), 0);
    fake_send(&e->upf, &w);
    for (int i = 0; i < 100; i++)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_int_equal(e->n_n1n2, 0);
    /* the UPF restarted: new recovery time stamp in its heartbeat */
    e->upf.recovery_ts += 100;
    unsigned assoc_before = e->upf.rx[G5_PFCP_ASSOC_SETUP_REQ];
    g5_wbuf_init(&w, b, sizeof b);
    assert_int_equal(g5_pfcp_build_heartbeat_req(&w, 501, e->upf.recovery_ts), 0);
    fake_send(&e->upf, &w);
    run_until(e, &e->n_n1n2, 1, 2000);
    assert_int_equal(e->n_n1n2, 1);
    assert_int_equal(e->n1n2_cause, SMF_CAUSE_NETWORK_FAILURE);
    smf_sess_info si;
    assert_int_equal(smf_sess_info_get(e->smf, ref, &si), G5_ERR_NOT_FOUND);
    assert_int_equal(smf_get_stats(e->smf)->upf_restart_releases, 1);
    assert_int_equal(smf_pfcp_get_stats(smf_get_pfcp(e->smf))->restarts_detected, 1);
    /* and association again */
    run_until(e, (const int *)&e->upf.rx[G5_PFCP_ASSOC_SETUP_REQ], (int)assoc_before + 1, 2000);
    for (int i = 0; i < 200 && !smf_pfcp_associated(smf_get_pfcp(e->smf), 0); i++)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_true(smf_pfcp_associated(smf_get_pfcp(e->smf), 0));
    create(e, 1, "internet", NAS_PDU_IPV4, 1);
    assert_true(e->crsp.accepted);
    env_free(e);
}

static void test_cancel_and_unknown(void **state)
{
    (void)state;
    env *e = env_new("10.45.0.0/24", false);
    uint8_t n1[256];
    smf_create_req q = {.psi = 1, .snssai = {.sst = 1, .sd = 0xFFFFFF}, .n1 = n1};
    strcpy(q.supi, "imsi-001010000000001");
    strcpy(q.dnn, "internet");
    q.n1_len = est_req(n1, sizeof n1, 1, NAS_PDU_IPV4);
    uint64_t id = smf_create_sm_context(e->smf, &q, on_create, e);
    assert_int_equal(smf_cancel(e->smf, id), 0);
    assert_int_equal(smf_cancel(e->smf, id), G5_ERR_NOT_FOUND);
    for (int i = 0; i < 100; i++)
        uv_run(&e->loop, UV_RUN_NOWAIT), uv_sleep(1);
    assert_int_equal(e->n_create, 0);
    /* cancelled after the PFCP request left: the session is deleted at the UPF */
    id = smf_create_sm_context(e->smf, &q, on_create, e);
    uv_run(&e->loop, UV_RUN_NOWAIT);
    run_until(e, (const int *)&e->upf.rx[G5_PFCP_SESSION_EST_REQ], 1, 2000);
    assert_int_equal(smf_cancel(e->smf, id), 0);
    run_until(e, (const int *)&e->upf.rx[G5_PFCP_SESSION_DEL_REQ], 1, 2000);
    assert_int_equal(e->upf.rx[G5_PFCP_SESSION_DEL_REQ], 1);
    assert_int_equal(e->n_create, 0);
    /* unknown context */
    smf_update_req u = {.sm_context_ref = 999, .n2_type = SMF_N2_REL_RSP};
    assert_int_not_equal(smf_update_sm_context(e->smf, &u, on_update, e), 0);
    run_until(e, &e->n_update, 1, 2000);
    assert_int_equal(e->rc, G5_ERR_NOT_FOUND);
    assert_int_equal(smf_release_network(e->smf, 999, 36), G5_ERR_NOT_FOUND);
    assert_int_equal(smf_create_sm_context(e->smf, &(smf_create_req){0}, on_create, e), 0);
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_association),
        cmocka_unit_test(test_session_lifecycle),
        cmocka_unit_test(test_ipv4v6_and_types),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_silent_upf_retransmits),
        cmocka_unit_test(test_upf_rejects),
        cmocka_unit_test(test_upf_restart),
        cmocka_unit_test(test_cancel_and_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
