/* libFuzzer target: the SMF's decoders of peer input and its PFCP side.
 *
 * The first octet picks what the rest is:
 *   0 a 5GSM message for smf_gsm_parse_est_req (PDU SESSION ESTABLISHMENT REQUEST);
 *   1 a 5GSM message for smf_gsm_peek (any 5GSM message, as the SMF checks an update's N1);
 *   2 an N2 PDU Session Resource Setup Response Transfer (smf_n2_parse_setup_response_transfer);
 *   3 a session script against a real SMF whose UPF is a UDP socket of this harness
 *     ("fake UPF" on loopback): a fresh SMF per input associates with the fake UPF and
 *     gets one SM context created with a valid establishment request, then records
 *     [tag:1][len:2 big-endian][payload] are played (tag % 4):
 *       0 the fake UPF answers every pending PFCP request correctly (association, heartbeat,
 *         establishment with UP F-SEID and UL F-TEID, modification, deletion);
 *       1 the payload answers the oldest pending request: its sequence number and, when
 *         the S flag is set, its SEID are set to the request's, the rest is as fuzzed;
 *       2 the payload is a UPF-initiated datagram (Session Report, Heartbeat, Association
 *         Setup/Release...), SEID set to the session's when the S flag is set;
 *       3 an Nsmf_PDUSession call: payload[0] % 8 = update with N2 Setup Response /
 *         Setup Failure / Release Response transfer (rest = transfer), update with an N1
 *         5GSM message, upCnxState DEACTIVATED, ACTIVATING, release, network release.
 *     The loop runs after each record until it is idle. The SMF is freed at the end of the
 *     input with requests possibly still pending (their callbacks must not come).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "ngap/ngap_msg.h"
#include "nf/smf/smf.h"
#include "nf/smf/smf_gsm.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) \
    do { \
        if (!(c)) { \
            fprintf(stderr, "fuzz_smf_gsm: harness step failed: %s (line %d)\n", #c, __LINE__); \
            abort(); \
        } \
    } while (0)

typedef struct pend { /* a request the SMF sent to the fake UPF */
    uint8_t type;
    uint32_t seq;
    uint8_t b[2048];
    size_t n;
} pend;

static uv_loop_t L;
static g5_config C;
static int UPF_FD = -1;
static struct sockaddr_in SMF_ADDR;
static pend Q[16];
static int QN;
static uint64_t CP_SEID; /* the SMF's SEID of the session (from the Establishment Request) */
static uint64_t REF; /* the SM context of the input's session (0: none) */

/* Datagrams from the SMF: requests are queued, responses (to our reports) dropped. */
static void upf_read(void)
{
    uint8_t b[2048];
    for (;;) {
        socklen_t al = sizeof SMF_ADDR;
        ssize_t n = recvfrom(UPF_FD, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&SMF_ADDR, &al);
        if (n <= 0)
            return;
        g5_pfcp_hdr h;
        /* requests: odd node message types, even session message types (§7.3) */
        if (g5_pfcp_decode_hdr(b, (size_t)n, &h) || h.type == 0 ||
            (h.type < 50) != (h.type % 2 == 1))
            continue;
        if (h.type == G5_PFCP_SESSION_EST_REQ) {
            g5_pfcp_msg m;
            g5_pfcp_error e;
            g5_pfcp_fseid f;
            if (!g5_pfcp_decode(b, (size_t)n, &m, &e) && !g5_pfcp_get_fseid(&m, NULL, &f))
                CP_SEID = f.seid;
        }
        if (QN < 16) {
            Q[QN].type = h.type;
            Q[QN].seq = h.seq;
            memcpy(Q[QN].b, b, (size_t)n);
            Q[QN++].n = (size_t)n;
        }
    }
}

static void upf_send(const uint8_t *p, size_t n)
{
    if (SMF_ADDR.sin_port)
        (void)sendto(UPF_FD, p, n, 0, (const struct sockaddr *)&SMF_ADDR, sizeof SMF_ADDR);
}

static void settle(void)
{
    for (int i = 0; i < 12; i++) {
        uv_run(&L, UV_RUN_NOWAIT);
        upf_read();
    }
}

static void pop(void)
{
    memmove(Q, Q + 1, (size_t)(QN - 1) * sizeof Q[0]);
    QN--;
}

/* The response a well-behaved UPF gives to the oldest pending request. */
static void answer_ok(void)
{
    static const g5_pfcp_node_id node = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 1}};
    uint8_t b[2048];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_sess_rsp r;
    memset(&r, 0, sizeof r);
    r.node_id = node;
    r.cause = 1; /* Request accepted */
    const pend *p = &Q[0];
    switch (p->type) {
    case G5_PFCP_HEARTBEAT_REQ: g5_pfcp_build_heartbeat_rsp(&w, p->seq, 1); break;
    case G5_PFCP_ASSOC_SETUP_REQ:
        g5_pfcp_build_assoc_setup_rsp(&w, p->seq, &node, 1, 1, 0, 0);
        break;
    case G5_PFCP_SESSION_EST_REQ:
        r.has_up_fseid = true;
        r.up_fseid = (g5_pfcp_fseid){.v4 = true, .seid = 0x7700 + CP_SEID, .ipv4 = {127, 0, 0, 1}};
        r.n_created = 1;
        r.created[0].pdr_id = G5_PFCP_UL_PDR;
        r.created[0].has_fteid = true;
        r.created[0].fteid = (g5_pfcp_fteid){.v4 = true, .teid = 0x100, .ipv4 = {127, 0, 0, 1}};
        g5_pfcp_build_sess_est_rsp(&w, CP_SEID, p->seq, &r);
        break;
    case G5_PFCP_SESSION_MOD_REQ: g5_pfcp_build_sess_mod_rsp(&w, CP_SEID, p->seq, &r); break;
    case G5_PFCP_SESSION_DEL_REQ:
        r.n_reports = 1;
        r.report[0].urr_id = 1;
        g5_pfcp_build_sess_del_rsp(&w, CP_SEID, p->seq, &r);
        break;
    default: break;
    }
    upf_send(b, g5_wbuf_len(&w));
    pop();
}

/* Puts seq and (S flag) SEID into a fuzzed PFCP header (TS 29.244 §7.2.2). */
static size_t patch_hdr(uint8_t *b, const uint8_t *p, size_t n, uint32_t seq, bool set_seq)
{
    memcpy(b, p, n);
    if (n < 8)
        return n;
    size_t at = 4;
    if (b[0] & 0x01) {
        if (n < 16)
            return n;
        for (int i = 0; i < 8; i++)
            b[4 + i] = (uint8_t)(CP_SEID >> (56 - 8 * i));
        at = 12;
    }
    if (set_seq)
        b[at] = (uint8_t)(seq >> 16), b[at + 1] = (uint8_t)(seq >> 8), b[at + 2] = (uint8_t)seq;
    return n;
}

static void on_create(void *arg, int rc, const smf_create_rsp *rsp)
{
    (void)arg;
    if (getenv("FUZZ_SMF_LOG"))
        fprintf(stderr, "create: rc %d accepted %d cause %d QN %d\n", rc, rsp ? rsp->accepted : -1,
                rsp ? rsp->cause : -1, QN);
    if (rc == 0 && rsp->accepted)
        REF = rsp->sm_context_ref;
}

static void on_update(void *arg, int rc, const smf_update_rsp *rsp)
{
    (void)arg;
    if (rc == 0 && rsp->released)
        REF = 0;
}

static void on_release(void *arg, int rc)
{
    (void)arg;
    (void)rc;
    REF = 0;
}

static void on_n1n2(void *arg, const smf_n1n2_msg *m)
{
    (void)arg;
    (void)m;
}

static size_t est_req(uint8_t *out, size_t cap)
{
    nas_msg m;
    g5_wbuf w;
    CHECK(nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST) == 0);
    m.psi = 1;
    m.pti = 1;
    static const uint8_t ipmax[2] = {0xff, 0xff};
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, NAS_PDU_IPV4);
    g5_wbuf_init(&w, out, cap);
    CHECK(nas_encode(&m, &w) == 0);
    return g5_wbuf_len(&w);
}

static void api_call(smf *s, const uint8_t *p, size_t n)
{
    if (n < 1)
        return;
    smf_update_req u = {.sm_context_ref = REF, .n2 = p + 1, .n2_len = n - 1};
    switch (p[0] % 8) {
    case 0: u.n2_type = SMF_N2_SETUP_RSP; break;
    case 1: u.n2_type = SMF_N2_SETUP_FAIL; break;
    case 2: u.n2_type = SMF_N2_REL_RSP; break;
    case 3:
        u.n1 = p + 1, u.n1_len = n - 1;
        u.n2 = NULL, u.n2_len = 0;
        break;
    case 4: u.up_cnx_state = SMF_UP_DEACTIVATED; break;
    case 5: u.up_cnx_state = SMF_UP_ACTIVATING; break;
    case 6: smf_release_sm_context(s, REF, on_release, NULL); return;
    default: smf_release_network(s, REF, n > 1 ? p[1] : 36); return;
    }
    smf_update_sm_context(s, &u, on_update, NULL);
}

static void record(smf *s, uint8_t tag, const uint8_t *p, size_t n)
{
    uint8_t b[2048];
    switch (tag % 4) {
    case 0:
        while (QN)
            answer_ok();
        break;
    case 1:
        if (QN && n <= sizeof b) {
            upf_send(b, patch_hdr(b, p, n, Q[0].seq, true));
            pop();
        }
        break;
    case 2:
        if (n <= sizeof b)
            upf_send(b, patch_hdr(b, p, n, 0, false));
        break;
    default: api_call(s, p, n); break;
    }
    settle();
}

static void session_script(const uint8_t *d, size_t n)
{
    QN = 0;
    CP_SEID = 0;
    REF = 0;
    smf *s = smf_new(&L, NULL, &C.smf, on_n1n2, NULL);
    CHECK(s && smf_start(s) == 0);
    for (int i = 0; i < 200 && !smf_pfcp_associated(smf_get_pfcp(s), 0); i++) {
        settle();
        while (QN)
            answer_ok();
    }
    CHECK(smf_pfcp_associated(smf_get_pfcp(s), 0));
    uint8_t n1[128];
    smf_create_req cr = {.supi = "imsi-001010000000001",
                         .psi = 1,
                         .dnn = "internet",
                         .snssai = {.sst = 1, .sd = 0xffffff},
                         .an_type = SMF_AN_3GPP};
    cr.n1 = n1;
    cr.n1_len = est_req(n1, sizeof n1);
    smf_create_sm_context(s, &cr, on_create, NULL);
    settle();
    for (int k = 0; n >= 3 && k < 64; k++) {
        uint8_t tag = d[0];
        size_t len = (size_t)d[1] << 8 | d[2];
        d += 3, n -= 3;
        if (len > n)
            len = n;
        record(s, tag, d, len);
        d += len, n -= len;
    }
    smf_free(s);
    for (int i = 0; i < 4; i++)
        uv_run(&L, UV_RUN_NOWAIT);
    upf_read();
    QN = 0;
}

static void setup(void)
{
    if (!getenv("FUZZ_SMF_LOG"))
        g5_log_set_level(G5_LOG_ERROR);
    CHECK(uv_loop_init(&L) == 0);
    g5_config_defaults(&C);
    UPF_FD = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(UPF_FD >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(UPF_FD, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t al = sizeof a;
    CHECK(getsockname(UPF_FD, (struct sockaddr *)&a, &al) == 0);
    strcpy(C.smf.pfcp_addr, "127.0.0.1");
    C.smf.pfcp_port = 0;
    strcpy(C.smf.upfs[0].address, "127.0.0.1");
    C.smf.upfs[0].port = ntohs(a.sin_port);
    C.smf.nupfs = 1;
}

static void write_seeds(const char *dir);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
        if (getenv("FUZZ_SMF_SEEDS")) {
            write_seeds(getenv("FUZZ_SMF_SEEDS"));
            _exit(0); /* not exit(): libFuzzer counts that as a failing input */
        }
    }
    if (size < 1 || size > 8192)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    uint8_t cause, psi, pti, type;
    g5_tnl_addr gnb;
    uint32_t teid;
    smf_est_req er;
    switch (data[0] % 4) {
    case 0: smf_gsm_parse_est_req(p, n, &er, &cause); break;
    case 1: smf_gsm_peek(p, n, &psi, &pti, &type, &cause); break;
    case 2: smf_n2_parse_setup_response_transfer(p, n, &gnb, &teid); break;
    default: session_script(p, n); break;
    }
    return 0;
}

/* ---- seed corpus (FUZZ_SMF_SEEDS=dir) ------------------------------------------------ */

typedef struct seed {
    uint8_t b[4096];
    size_t n;
} seed;

static void seed_rec(seed *s, uint8_t tag, const uint8_t *p, size_t n)
{
    CHECK(s->n + 3 + n <= sizeof s->b);
    s->b[s->n++] = tag;
    s->b[s->n++] = (uint8_t)(n >> 8);
    s->b[s->n++] = (uint8_t)n;
    if (n)
        memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void seed_out(const char *dir, const char *name, const seed *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(s->b, 1, s->n, f) == s->n);
    fclose(f);
}

static size_t gsm_msg(uint8_t type, uint8_t *out, size_t cap)
{
    nas_msg m;
    g5_wbuf w;
    static const uint8_t cause = 36;
    CHECK(nas_msg_init(&m, type) == 0);
    m.psi = 1;
    m.pti = 2;
    if (type == NAS_STATUS_5GSM)
        nas_ie_set(&m.status_5gsm.ie_5gsm_cause, &cause, 1);
    g5_wbuf_init(&w, out, cap);
    CHECK(nas_encode(&m, &w) == 0);
    return g5_wbuf_len(&w);
}

static size_t setup_rsp_transfer(uint8_t op, uint8_t *out, size_t cap)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    static const uint8_t te[4] = {0, 0xc0, 0xff, 0xee};
    CHECK(a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x7f\x00\x00\x0b", 32) == 0);
    CHECK(a1_octets_set(&u->gTPTunnel.gTP_TEID, te, 4) == 0);
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list[0].qosFlowIdentifier = 1;
    a1_octets tr = {0};
    CHECK(ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, &tr) == 0);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
    CHECK(tr.len + 1 <= cap);
    out[0] = op;
    memcpy(out + 1, tr.buf, tr.len);
    free(tr.buf);
    return tr.len + 1;
}

static void write_seeds(const char *dir)
{
    seed s;
    uint8_t b[1024];
    g5_wbuf w;
    s.n = 0, s.b[s.n++] = 0;
    s.n += est_req(s.b + s.n, sizeof s.b - s.n);
    seed_out(dir, "est-req", &s);
    s.n = 0, s.b[s.n++] = 1;
    s.n += gsm_msg(NAS_PDU_SESSION_RELEASE_REQUEST, s.b + s.n, sizeof s.b - s.n);
    seed_out(dir, "peek-release-req", &s);
    s.n = 0, s.b[s.n++] = 2;
    size_t tn = setup_rsp_transfer(0, b, sizeof b);
    memcpy(s.b + 1, b + 1, tn - 1);
    s.n = tn;
    seed_out(dir, "setup-rsp-transfer", &s);
    /* script: establish, gNB tunnel, UE-requested release, release complete */
    s.n = 0, s.b[s.n++] = 3;
    seed_rec(&s, 0, NULL, 0);
    seed_rec(&s, 3, b, setup_rsp_transfer(0, b, sizeof b));
    seed_rec(&s, 0, NULL, 0);
    b[0] = 3;
    seed_rec(&s, 3, b, 1 + gsm_msg(NAS_PDU_SESSION_RELEASE_REQUEST, b + 1, sizeof b - 1));
    seed_rec(&s, 0, NULL, 0);
    b[0] = 3;
    seed_rec(&s, 3, b, 1 + gsm_msg(NAS_PDU_SESSION_RELEASE_COMPLETE, b + 1, sizeof b - 1));
    seed_rec(&s, 0, NULL, 0);
    seed_out(dir, "script-ue-release", &s);
    /* script: established, idle (DEACTIVATED), downlink data report, ACTIVATING, reports */
    s.n = 0, s.b[s.n++] = 3;
    seed_rec(&s, 0, NULL, 0);
    seed_rec(&s, 3, b, setup_rsp_transfer(0, b, sizeof b));
    seed_rec(&s, 0, NULL, 0);
    b[0] = 4;
    seed_rec(&s, 3, b, 1);
    seed_rec(&s, 0, NULL, 0);
    g5_pfcp_sess_report_req rr;
    memset(&rr, 0, sizeof rr);
    rr.report_type = G5_PFCP_RPT_DLDR;
    rr.n_dl_pdr = 1;
    rr.dl_pdr_id[0] = 2;
    g5_wbuf_init(&w, b, sizeof b);
    CHECK(g5_pfcp_build_sess_report_req(&w, 1, 9, &rr) == 0);
    seed_rec(&s, 2, b, g5_wbuf_len(&w));
    b[0] = 5;
    seed_rec(&s, 3, b, 1);
    seed_rec(&s, 0, NULL, 0);
    memset(&rr, 0, sizeof rr);
    rr.report_type = G5_PFCP_RPT_USAR;
    rr.n_reports = 1;
    rr.report[0] = (g5_pfcp_usage_report){
        .urr_id = 1, .has_vol = true, .vol = {.flags = 7, .total = 300, .ul = 100, .dl = 200}};
    g5_wbuf_init(&w, b, sizeof b);
    CHECK(g5_pfcp_build_sess_report_req(&w, 1, 10, &rr) == 0);
    seed_rec(&s, 2, b, g5_wbuf_len(&w));
    b[0] = 7, b[1] = 36;
    seed_rec(&s, 3, b, 2);
    seed_rec(&s, 0, NULL, 0);
    seed_out(dir, "script-idle-reports-nwrelease", &s);
    /* script: hand-made responses (fuzzed path): establishment rsp, then a heartbeat and a
     * new association setup request (UPF restart) from the UPF */
    s.n = 0, s.b[s.n++] = 3;
    g5_pfcp_sess_rsp r;
    memset(&r, 0, sizeof r);
    r.node_id = (g5_pfcp_node_id){.type = G5_PFCP_NODE_IPV4, .ipv4 = {127, 0, 0, 1}};
    r.cause = 1;
    r.has_up_fseid = true;
    r.up_fseid = (g5_pfcp_fseid){.v4 = true, .seid = 0x77, .ipv4 = {127, 0, 0, 1}};
    r.n_created = 1;
    r.created[0].pdr_id = G5_PFCP_UL_PDR;
    r.created[0].has_fteid = true;
    r.created[0].fteid = (g5_pfcp_fteid){.v4 = true, .teid = 0x100, .ipv4 = {127, 0, 0, 1}};
    g5_wbuf_init(&w, b, sizeof b);
    CHECK(g5_pfcp_build_sess_est_rsp(&w, 1, 1, &r) == 0);
    seed_rec(&s, 1, b, g5_wbuf_len(&w));
    g5_wbuf_init(&w, b, sizeof b);
    CHECK(g5_pfcp_build_heartbeat_req(&w, 11, 1) == 0);
    seed_rec(&s, 2, b, g5_wbuf_len(&w));
    g5_wbuf_init(&w, b, sizeof b);
    CHECK(g5_pfcp_build_assoc_setup_req(&w, 12, &r.node_id, 2, 0, 0) == 0);
    seed_rec(&s, 2, b, g5_wbuf_len(&w));
    seed_rec(&s, 0, NULL, 0);
    seed_out(dir, "script-est-rsp-restart", &s);
    /* script: the gNB could not set the session up, then the AMF releases the context */
    s.n = 0, s.b[s.n++] = 3;
    seed_rec(&s, 0, NULL, 0);
    b[0] = 1;
    seed_rec(&s, 3, b, 1);
    seed_rec(&s, 0, NULL, 0);
    b[0] = 6;
    seed_rec(&s, 3, b, 1);
    seed_rec(&s, 0, NULL, 0);
    seed_out(dir, "script-setup-fail-release", &s);
    fprintf(stderr, "fuzz_smf_gsm: seeds written to %s\n", dir);
}
