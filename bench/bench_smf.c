/* SMF session benchmark: N = 1k, 10k, 100k PDU sessions through the real SMF API
 * (smf_create_sm_context, smf_update_sm_context with the gNB's N2 Setup Response,
 * smf_release_sm_context) against the real UPF's N4 handler on a loopback UDP socket in
 * the same process and loop (as tests/unit/test_smf_upf.c), WINDOW calls in flight.
 *
 * Prints per N: establishment, activation (PFCP modification) and release rates, and the
 * cost of one session lookup by SM context reference (smf_sess_info_get on random refs).
 * Baselines measured in the same run: a raw g5_hmap_get over N keys, and a walk of a
 * singly linked list of N session-sized nodes to a random one (what a list-based index
 * costs per lookup). A phase that exceeds the time budget (argv[2] seconds, default 60)
 * stops early and reports the rate over what it did. argv[1] = largest N (default
 * 100000). Never a timed test: `make bench` or build/bench/bench_smf. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "asn1/aper.h"
#include "core/hmap.h"
#include "core/log.h"
#include "core/loop.h"
#include "nas/nas.h"
#include "nas/nas_ie.h"
#include "nf/config.h"
#include "nf/smf/smf.h"
#include "nf/upf/upf.h"
#include "ngap/ngap_msg.h"

#define WINDOW 64

typedef struct bench {
    uv_loop_t loop;
    uv_udp_t udp; /* the UPF's N4 socket */
    upf upf;
    g5_config cfg;
    smf *smf;
    uint64_t *refs;
    size_t n, issued, done, failed;
    int phase; /* 0 create, 1 activate, 2 release */
    double deadline;
    uint8_t n1[128];
    size_t n1_len;
    a1_octets n2;
} bench;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void udp_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)h;
    (void)sz;
    static char buf[65536];
    *b = uv_buf_init(buf, sizeof buf);
}

static void upf_send(void *arg, const void *sa, uint32_t sa_len, const uint8_t *p, size_t n)
{
    bench *b = arg;
    (void)sa_len;
    uv_buf_t ub = uv_buf_init((char *)p, (unsigned)n);
    uv_udp_try_send(&b->udp, &ub, 1, (const struct sockaddr *)sa);
}

static void udp_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf, const struct sockaddr *sa,
                     unsigned flags)
{
    (void)flags;
    bench *b = h->data;
    if (n <= 0 || !sa)
        return;
    static uint8_t rsp[8192];
    g5_wbuf w;
    g5_wbuf_init(&w, rsp, sizeof rsp);
    upf_pfcp_handle(&b->upf, (const uint8_t *)buf->base, (size_t)n, sa, sizeof(struct sockaddr_in),
                    &w);
    if (g5_wbuf_len(&w)) {
        uv_buf_t ub = uv_buf_init((char *)rsp, (unsigned)g5_wbuf_len(&w));
        uv_udp_try_send(&b->udp, &ub, 1, sa);
    }
}

static size_t est_req(uint8_t *out, size_t cap)
{
    nas_msg m;
    g5_wbuf w;
    static const uint8_t ipmax[2] = {0xff, 0xff};
    nas_msg_init(&m, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST);
    m.psi = 1;
    m.pti = 1;
    nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate, ipmax,
               2);
    nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, NAS_PDU_IPV4);
    g5_wbuf_init(&w, out, cap);
    return nas_encode(&m, &w) ? 0 : g5_wbuf_len(&w);
}

/* The gNB's PDU Session Resource Setup Response Transfer (TS 38.413 §9.3.4.2). */
static int setup_rsp(a1_octets *out)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    if (a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x7f\x00\x00\x0b", 32) ||
        a1_octets_set(&u->gTPTunnel.gTP_TEID, "\x00\xc0\xff\xee", 4))
        return -1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    if (!rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list)
        return -1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list[0].qosFlowIdentifier = 1;
    int rc = ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, out);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
    return rc;
}

static void issue(bench *b);

static void one_done(bench *b, bool ok)
{
    b->done++;
    if (!ok)
        b->failed++;
    if (b->done == b->issued && (b->issued == b->n || now_s() > b->deadline))
        uv_stop(&b->loop);
    else
        issue(b);
}

static void on_create(void *arg, int rc, const smf_create_rsp *r)
{
    bench *b = arg;
    bool ok = !rc && r && r->accepted;
    if (ok)
        b->refs[b->done] = r->sm_context_ref; /* completion order; any order will do */
    one_done(b, ok);
}

static void on_update(void *arg, int rc, const smf_update_rsp *r)
{
    (void)r;
    one_done(arg, rc == 0);
}

static void on_release(void *arg, int rc)
{
    one_done(arg, rc == 0);
}

static void issue(bench *b)
{
    if (b->issued >= b->n || now_s() > b->deadline)
        return;
    size_t i = b->issued++;
    uint64_t id = 0;
    if (b->phase == 0) {
        smf_create_req q = {.psi = 1, .snssai = {.sst = 1, .sd = 0xFFFFFF}, .n1 = b->n1};
        snprintf(q.supi, sizeof q.supi, "imsi-00101%010zu", i);
        strcpy(q.dnn, "internet");
        q.n1_len = b->n1_len;
        id = smf_create_sm_context(b->smf, &q, on_create, b);
    } else if (b->phase == 1) {
        smf_update_req u = {.sm_context_ref = b->refs[i],
                            .n2_type = SMF_N2_SETUP_RSP,
                            .n2 = b->n2.buf,
                            .n2_len = b->n2.len};
        id = smf_update_sm_context(b->smf, &u, on_update, b);
    } else {
        id = smf_release_sm_context(b->smf, b->refs[i], on_release, b);
    }
    if (!id) {
        b->issued--;
        fprintf(stderr, "call refused at %zu\n", i);
        b->deadline = 0;
    }
}

/* One phase over n sessions: returns calls per second over what completed. */
static double run_phase(bench *b, int phase, size_t n, double budget, size_t *completed)
{
    b->phase = phase;
    b->n = n;
    b->issued = b->done = b->failed = 0;
    b->deadline = now_s() + budget;
    double t0 = now_s();
    for (int k = 0; k < WINDOW; k++)
        issue(b);
    if (b->issued)
        uv_run(&b->loop, UV_RUN_DEFAULT);
    double dt = now_s() - t0;
    *completed = b->done - b->failed;
    if (b->failed)
        printf("    (%zu of %zu calls failed)\n", b->failed, b->done);
    return dt > 0 ? (double)b->done / dt : 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static volatile uint64_t sink;

/* ns per smf_sess_info_get on random live refs (up to 2M lookups or 2 s). */
static double lookup_ns(bench *b, size_t n)
{
    smf_sess_info si;
    long k = 0;
    double t0 = now_s(), t = t0;
    for (; k < 2000000 && (k % 1024 || (t = now_s()) - t0 < 2); k++)
        if (smf_sess_info_get(b->smf, b->refs[xorshift() % n], &si) == 0)
            sink += si.up_seid;
    return (now_s() - t0) * 1e9 / (double)k;
}

/* Baselines: raw hash-map get over n keys, and a list walk to a random one of n nodes the
 * size of an SMF session (what a list-based index pays). */
typedef struct node {
    struct node *next;
    uint64_t key;
    char pad[400];
} node;

static void baselines(size_t n, double *hmap_ns, double *list_ns)
{
    g5_hmap m;
    g5_hmap_init(&m);
    node **nodes = calloc(n, sizeof *nodes);
    node *head = NULL;
    for (size_t i = 0; i < n && nodes; i++) {
        nodes[i] = calloc(1, sizeof(node));
        if (!nodes[i])
            break;
        nodes[i]->key = i + 1;
        nodes[i]->next = head;
        head = nodes[i];
        g5_hmap_put(&m, i + 1, nodes[i]);
    }
    const long iters = 2000000;
    double t0 = now_s();
    for (long k = 0; k < iters; k++)
        sink += (uintptr_t)g5_hmap_get(&m, xorshift() % n + 1);
    *hmap_ns = (now_s() - t0) * 1e9 / (double)iters;
    long liters = (long)(20000000 / n) + 10; /* ~n/2 nodes per lookup: bound the total */
    t0 = now_s();
    for (long k = 0; k < liters; k++) {
        uint64_t want = xorshift() % n + 1;
        for (node *x = head; x; x = x->next)
            if (x->key == want) {
                sink += (uintptr_t)x;
                break;
            }
    }
    *list_ns = (now_s() - t0) * 1e9 / (double)liters;
    for (size_t i = 0; i < n && nodes; i++)
        free(nodes[i]);
    free(nodes);
    g5_hmap_free(&m);
}

static int setup(bench *b, uint32_t max_sessions)
{
    upf_params p;
    memset(&p, 0, sizeof p);
    p.max_sessions = max_sessions;
    memcpy(p.n3_ipv4, "\x7f\x00\x00\x09", 4);
    p.node_id.type = G5_PFCP_NODE_IPV4;
    memcpy(p.node_id.ipv4, "\x7f\x00\x00\x01", 4);
    p.err_ind_per_s = 10;
    if (uv_loop_init(&b->loop) || upf_init(&b->upf, &p))
        return -1;
    b->upf.send = upf_send;
    b->upf.send_arg = b;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    int len = sizeof a;
    if (uv_udp_init(&b->loop, &b->udp) || uv_udp_bind(&b->udp, (const struct sockaddr *)&a, 0) ||
        uv_udp_recv_start(&b->udp, udp_alloc, udp_recv) ||
        uv_udp_getsockname(&b->udp, (struct sockaddr *)&a, &len))
        return -1;
    b->udp.data = b;
    g5_config_defaults(&b->cfg);
    b->cfg.smf.pfcp_port = 0;
    strcpy(b->cfg.smf.dnns[0].ipv4_pool, "10.0.0.0/8");
    strcpy(b->cfg.smf.upfs[0].address, "127.0.0.1");
    b->cfg.smf.upfs[0].port = ntohs(a.sin_port);
    b->smf = smf_new(&b->loop, NULL, &b->cfg.smf, NULL, NULL);
    if (!b->smf || smf_start(b->smf))
        return -1;
    for (int i = 0; i < 2000 && !smf_pfcp_associated(smf_get_pfcp(b->smf), 0); i++)
        uv_run(&b->loop, UV_RUN_NOWAIT), uv_sleep(1);
    return smf_pfcp_associated(smf_get_pfcp(b->smf), 0) ? 0 : -1;
}

static void teardown(bench *b)
{
    smf_free(b->smf);
    uv_close((uv_handle_t *)&b->udp, NULL);
    uv_run(&b->loop, UV_RUN_DEFAULT);
    uv_loop_close(&b->loop);
    upf_free(&b->upf);
}

static void run_n(size_t n, double budget)
{
    bench *b = calloc(1, sizeof *b);
    if (!b || !(b->refs = calloc(n, sizeof *b->refs)) || setup(b, (uint32_t)n + 16)) {
        fprintf(stderr, "setup failed for N=%zu\n", n);
        exit(1);
    }
    b->n1_len = est_req(b->n1, sizeof b->n1);
    if (!b->n1_len || setup_rsp(&b->n2)) {
        fprintf(stderr, "message build failed\n");
        exit(1);
    }
    size_t live = 0, got = 0;
    double est = run_phase(b, 0, n, budget, &live);
    double lk = live ? lookup_ns(b, live) : 0;
    double act = run_phase(b, 1, live, budget, &got);
    double rel = run_phase(b, 2, live, budget, &got);
    double hm, ls;
    baselines(n, &hm, &ls);
    printf("N=%-7zu est %8.0f/s (%zu done)  activate %8.0f/s  release %8.0f/s\n", n, est, live, act,
           rel);
    printf("          lookup by ref %7.1f ns   baseline: hmap_get %5.1f ns, list walk %10.1f ns\n",
           lk, hm, ls);
    teardown(b);
    free(b->n2.buf);
    free(b->refs);
    free(b);
}

int main(int argc, char **argv)
{
    size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    double budget = argc > 2 ? strtod(argv[2], NULL) : 60;
    g5_log_set_level(G5_LOG_ERROR);
    printf("SMF sessions through the API + in-process UPF over loopback PFCP, %d in flight\n",
           WINDOW);
    for (size_t n = 1000; n <= max; n *= 10)
        run_n(n, budget);
    return 0;
}
