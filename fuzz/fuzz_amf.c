/* libFuzzer target: the AMF (with the AUSF/UDM/UDR on a temporary SQLite store, the SMF
 * and an in-process UPF over PFCP on loopback) as a gNB and a UE see it.
 *
 * One core per process, created on the first input. An input is a mode octet followed by
 * records [tag:1][len:2 big-endian][payload:len]:
 *
 *  mode bit 0 = 0 ("plain"): two gNB attachments, the first after a real NG Setup, the
 *    second without one. Each record is a raw NGAP PDU; tag bit 0 picks the gNB, tag >> 1
 *    the SCTP stream.
 *  mode bit 0 = 1 ("deep"): the harness performs NG Setup and a full initial registration
 *    (SUCI, 5G-AKA with the subscriber's K/OPc, Security Mode Complete, Registration
 *    Complete) with the UE of tests/unit/amf_test_util.h, then each record (tag % 7) is
 *      0 a 5GMM message, integrity protected and ciphered with the UE's keys and next
 *        UL COUNT, in an Uplink NAS Transport;
 *      1 a 5GSM message wrapped in UL NAS TRANSPORT (payload[0] = PDU session ID,
 *        payload[1]: low nibble request type, bit 4 DNN "internet", bit 5 S-NSSAI sst 1),
 *        then protected as in 0;
 *      2 an NGAP PDU from the gNB whose AMF/RAN UE NGAP IDs (when present) are replaced
 *        by the UE's, so PDU Session Resource / UE Context responses find the UE;
 *      3 raw bytes as the NAS PDU of an Uplink NAS Transport (no protection added);
 *      4 payload[0] & 0xf is the security header type (and bit 4 skips one UL COUNT),
 *        the rest a plain NAS message protected with it;
 *      5 a 5GMM message, integrity protected, in an Initial UE Message on a new RAN UE
 *        NGAP ID (Service Request / Registration from CM-IDLE after an AN release);
 *      6 the UE answers the last NAS message the AMF sent it as a real UE
 *        does (Authentication Request, Security Mode Command, Registration Accept,
 *        Configuration Update Command, Deregistration Request), so re-authentication and
 *        mobility registration run to their end.
 *
 * After every record the loop runs until no thread-pool work (the UDM's SQLite worker) is
 * in flight and a few more turns pass, so AUSF/UDM answers and PFCP round trips land
 * before the next record. Between inputs the gNBs are detached (their UE contexts are
 * released), remaining UEs are deregistered locally, and the AMF's UE count and the SMF's
 * active SM contexts must come back to zero (a leaked context aborts). ASan/LSan check memory at
 * exit.
 *
 * FUZZ_AMF_SEEDS=dir writes the seed corpus (built with the NAS/NGAP codecs) and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* amf_test_util.h is written for cmocka; in the harness a failed setup step aborts. */
#define G5_FUZZ_CHECK(c) \
    do { \
        if (!(c)) { \
            fprintf(stderr, "fuzz_amf: harness step failed: %s (%s:%d)\n", #c, __FILE__, \
                    __LINE__); \
            abort(); \
        } \
    } while (0)
#define assert_true(c) G5_FUZZ_CHECK(c)
#define assert_false(c) G5_FUZZ_CHECK(!(c))
#define assert_int_equal(a, b) G5_FUZZ_CHECK((long long)(a) == (long long)(b))
#define assert_int_not_equal(a, b) G5_FUZZ_CHECK((long long)(a) != (long long)(b))
#define assert_non_null(p) G5_FUZZ_CHECK((p) != NULL)

#include "../tests/unit/amf_test_util.h"
#include "core/log.h"
#include "nf/smf/smf.h"
#include "nf/upf/upf_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static t_amf T;
static upf_host *UPF;
static smf *SMF;
static t_ue UE;
static const uint8_t TMSI_MARK[4] = {1, 2, 3, 4};

/* Runs the loop until no thread-pool request is in flight and a few idle turns passed
 * (UDP on loopback is readable on the next poll). Bounded: 2 s. */
static void settle(void)
{
    uint64_t end = g5_clock_ms() + 2000;
    int idle = 0;
    while (idle < 6 && g5_clock_ms() < end) {
        uv_run(&T.nf.loop, UV_RUN_NOWAIT);
        if (T.nf.loop.active_reqs.count)
            idle = 0, usleep(20);
        else
            idle++;
    }
}

/* A fixed RAND (the UDM's test hook): with it the keys of every run's registration are the
 * same, so an input replays the same way (only the SQN moves on). */
static void fixed_rand(void *arg, uint8_t rand[16])
{
    (void)arg;
    memset(rand, 0x5a, 16);
}

/* t_nf_up with the store on /dev/shm when there is one: the UDM's SQN commits fsync,
 * which on a disk costs more than the rest of a registration. */
static void nf_up(t_nf *n)
{
    char err[256];
    memset(n, 0, sizeof *n);
    t_env *e = &n->env;
    snprintf(e->dir, sizeof e->dir, "/dev/shm/g5fuzz.XXXXXX");
    if (!mkdtemp(e->dir))
        snprintf(e->dir, sizeof e->dir, "/tmp/g5fuzz.XXXXXX");
    G5_FUZZ_CHECK(e->dir[1] == 'd' || mkdtemp(e->dir));
    snprintf(e->db, sizeof e->db, "%s/sub.db", e->dir);
    snprintf(e->key, sizeof e->key, "%s/master.key", e->dir);
    G5_FUZZ_CHECK(uv_loop_init(&n->loop) == 0);
    n->st = t_open(e, err, sizeof err);
    G5_FUZZ_CHECK(n->st);
    n->udr = udr_new(n->st);
    static const udm_config ucfg = {.rand_fn = fixed_rand};
    n->udm = udm_new(&n->loop, n->udr, n->st, &ucfg, err, sizeof err);
    G5_FUZZ_CHECK(n->udm);
    n->ausf = ausf_new(&n->loop, n->udm, NULL);
    G5_FUZZ_CHECK(n->ausf);
}

static void core_up(void)
{
    if (!getenv("FUZZ_AMF_LOG"))
        g5_log_set_level(G5_LOG_ERROR);
    memset(&T, 0, sizeof T);
    nf_up(&T.nf);
    g5_config_defaults(&T.cfg);
    T.amf = amf_new(&T.nf.loop, &T.cfg, T.nf.udm, T.nf.ausf, NULL);
    G5_FUZZ_CHECK(T.amf);
    strcpy(T.cfg.upf.pfcp_addr, "127.0.0.1");
    strcpy(T.cfg.upf.n3_addr, "127.0.0.1");
    T.cfg.upf.pfcp_port = 0;
    T.cfg.upf.n3_port = 0;
    T.cfg.upf.max_sessions = 64;
    int err = 0;
    UPF = upf_host_start(&T.nf.loop, &T.cfg, false, &err);
    G5_FUZZ_CHECK(UPF);
    T.cfg.smf.pfcp_port = 0;
    strcpy(T.cfg.smf.upfs[0].address, "127.0.0.1");
    T.cfg.smf.upfs[0].port = upf_host_pfcp_port(UPF);
    SMF = smf_new(&T.nf.loop, T.nf.udm, &T.cfg.smf, amf_smf_n1n2, T.amf);
    G5_FUZZ_CHECK(SMF && smf_start(SMF) == 0);
    for (int i = 0; i < 3000 && !smf_pfcp_associated(smf_get_pfcp(SMF), 0); i++)
        uv_run(&T.nf.loop, UV_RUN_NOWAIT), uv_sleep(1);
    G5_FUZZ_CHECK(smf_pfcp_associated(smf_get_pfcp(SMF), 0));
    amf_set_smf(T.amf, SMF);
    for (unsigned i = 1; i <= 3; i++) {
        g5_subscriber sub;
        G5_FUZZ_CHECK(t_provision(&T.nf, i, G5_AUTH_5G_AKA, &sub) == 0);
    }
}

static void core_down(void)
{
    amf_free(T.amf);
    smf_free(SMF);
    upf_host_stop(UPF);
    uv_run(&T.nf.loop, UV_RUN_NOWAIT);
    t_q_clear(&T);
    t_nf_down(&T.nf);
}

static void at_exit(void)
{
    core_down();
}

/* Drops what the AMF sent, remembering the UE's AMF UE NGAP ID from it. */
static uint8_t LAST_DL[1024]; /* the last NAS message the AMF sent the UE, deciphered */
static size_t LAST_DL_LEN;

/* Keeps the NAS PDU of an AMF message for the UE, deciphered when it can be (an SMC is
 * only integrity protected with the new keys: its plain part follows the 7-octet header). */
static void keep_dl_nas(const NGAP_NGAP_PDU_t *pdu)
{
    const NGAP_NAS_PDU_t *nas = ngap_find_ie(pdu, NGAP_id_NAS_PDU);
    if (!nas || nas->len < 2 || nas->len > sizeof LAST_DL)
        return;
    size_t len = 0;
    if (!(nas->buf[1] & 0x0f)) {
        memcpy(LAST_DL, nas->buf, nas->len);
        LAST_DL_LEN = nas->len;
    } else if (UE.sec_on && nas_sec_unprotect(&UE.sec, NAS_DIR_DL, nas->buf, nas->len, LAST_DL,
                                              sizeof LAST_DL, &len) == 0) {
        LAST_DL_LEN = len;
    } else if (nas->len > 7) {
        memcpy(LAST_DL, nas->buf + 7, nas->len - 7);
        LAST_DL_LEN = nas->len - 7;
    }
}

static void drain(void)
{
    NGAP_NGAP_PDU_t pdu;
    while (T.qn) {
        if (!t_pop(&T, &pdu))
            continue;
        const NGAP_AMF_UE_NGAP_ID_t *aid = ngap_find_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID);
        const NGAP_RAN_UE_NGAP_ID_t *rid = ngap_find_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID);
        if (aid && rid && *rid == UE.ran_id) {
            UE.amf_id = *aid;
            keep_dl_nas(&pdu);
        }
        ngap_free(&pdu);
    }
}

static void ngap_raw(amf_gnb *g, uint16_t stream, const uint8_t *p, size_t n)
{
    amf_ngap_rx(g, stream, p, n);
    settle();
    drain();
}

static void send_pdu(NGAP_NGAP_PDU_t *pdu)
{
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 65536);
    int rc = ngap_encode(pdu, &w);
    ngap_free(pdu);
    if (rc == 0)
        ngap_raw(T.gnb, 0, g5_wbuf_data(&w), g5_wbuf_len(&w));
    g5_wbuf_free(&w);
}

static void ul_nas(const uint8_t *nas, size_t n, bool initial)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = initial ? ngap_build_initial_ue_message(&pdu, UE.ran_id, nas, n, T_PLMN, T_TAC, 0x10,
                                                     NGAP_RRCEstablishmentCause_mo_Signalling)
                     : ngap_build_uplink_nas_transport(&pdu, UE.amf_id, UE.ran_id, nas, n, T_PLMN,
                                                       T_TAC, 0x10);
    if (rc == 0)
        send_pdu(&pdu);
}

/* Protects plain (sht) with the UE's context and sends it. The placeholder 5G-TMSI
 * 01 02 03 04 in the message (seeds' GUTI / 5G-S-TMSI) becomes the one the AMF assigned. */
static void ul_protected(uint8_t sht, const uint8_t *plain, size_t n, bool initial)
{
    static uint8_t out[1024 + 64], tmp[1024];
    g5_wbuf o;
    g5_wbuf_init(&o, out, sizeof out);
    if (n > sizeof tmp)
        return;
    memcpy(tmp, plain, n);
    for (size_t i = 0; i + 4 <= n; i++)
        if (!memcmp(tmp + i, TMSI_MARK, 4)) {
            tmp[i] = (uint8_t)(UE.tmsi >> 24), tmp[i + 1] = (uint8_t)(UE.tmsi >> 16);
            tmp[i + 2] = (uint8_t)(UE.tmsi >> 8), tmp[i + 3] = (uint8_t)UE.tmsi;
        }
    if (nas_sec_protect(&UE.sec, sht, NAS_DIR_UL, tmp, n, &o))
        return;
    ul_nas(out, g5_wbuf_len(&o), initial);
}

/* UL NAS TRANSPORT carrying a 5GSM message (TS 24.501 §8.2.10). */
static void ul_gsm(const uint8_t *p, size_t n)
{
    static uint8_t psi, sst = 1;
    static uint8_t plain[1024];
    if (n < 2)
        return;
    nas_msg m;
    nas_msg_init(&m, NAS_UL_NAS_TRANSPORT);
    struct nas_ul_nas_transport *u = &m.ul_nas_transport;
    nas_ie_set_half(&u->payload_container_type, 1); /* N1 SM information */
    nas_ie_set(&u->payload_container, p + 2, n - 2);
    psi = p[0];
    nas_ie_set(&u->pdu_session_id, &psi, 1);
    if (p[1] & 0x0f)
        nas_ie_set_half(&u->request_type, p[1] & 0x07);
    if (p[1] & 0x10)
        nas_ie_set(&u->dnn, (const uint8_t *)"\x08internet", 9);
    if (p[1] & 0x20)
        nas_ie_set(&u->s_nssai, &sst, 1);
    g5_wbuf w;
    g5_wbuf_init(&w, plain, sizeof plain);
    if (nas_encode(&m, &w) == 0)
        ul_protected(NAS_SHT_INTEGRITY_CIPHERED, plain, g5_wbuf_len(&w), false);
}

/* An NGAP PDU from the gNB with the UE's NGAP IDs put in. */
static void ngap_for_ue(const uint8_t *p, size_t n)
{
    NGAP_NGAP_PDU_t pdu;
    if (ngap_decode(&pdu, p, n, NULL)) {
        ngap_raw(T.gnb, 0, p, n);
        return;
    }
    NGAP_AMF_UE_NGAP_ID_t *aid =
        (NGAP_AMF_UE_NGAP_ID_t *)ngap_find_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID);
    NGAP_RAN_UE_NGAP_ID_t *rid =
        (NGAP_RAN_UE_NGAP_ID_t *)ngap_find_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID);
    if (aid && UE.amf_id >= 0)
        *aid = UE.amf_id;
    if (rid)
        *rid = UE.ran_id;
    send_pdu(&pdu);
}

static void ue_send_type(uint8_t type)
{
    uint8_t b[64];
    nas_msg m;
    g5_wbuf w;
    nas_msg_init(&m, type);
    g5_wbuf_init(&w, b, sizeof b);
    if (nas_encode(&m, &w) == 0)
        ul_protected(NAS_SHT_INTEGRITY_CIPHERED, b, g5_wbuf_len(&w), false);
}

/* What a well-behaved UE answers to the last NAS message it got: re-authentication, a new
 * Security Mode Command (new keys from the new KSEAF), Registration Accept after a
 * mobility update, Configuration Update Command, network-initiated deregistration. */
static void ue_answer(void)
{
    nas_msg m;
    uint8_t cause;
    if (!LAST_DL_LEN || nas_decode(LAST_DL, LAST_DL_LEN, &m, &cause))
        return;
    switch (m.type) {
    case NAS_AUTHENTICATION_REQUEST:
        if (m.authentication_request.authentication_parameter_rand.present &&
            m.authentication_request.authentication_parameter_autn.present)
            t_answer_auth(&T, &UE, &m, true);
        break;
    case NAS_SECURITY_MODE_COMMAND: {
        nas_sec_algs algs;
        if (!nas_sec_algs_decode(&m.security_mode_command.selected_nas_security_algorithms, &algs))
            t_answer_smc(&T, &UE, &m);
        break;
    }
    case NAS_REGISTRATION_ACCEPT: ue_send_type(NAS_REGISTRATION_COMPLETE); break;
    case NAS_CONFIGURATION_UPDATE_COMMAND: ue_send_type(NAS_CONFIGURATION_UPDATE_COMPLETE); break;
    case NAS_DEREGISTRATION_REQUEST_UE_TERM: ue_send_type(NAS_DEREGISTRATION_ACCEPT_UE_TERM); break;
    default: break;
    }
    LAST_DL_LEN = 0;
    settle();
    drain();
}

static void deep_record(uint8_t tag, const uint8_t *p, size_t n)
{
    switch (tag % 7) {
    case 0: ul_protected(NAS_SHT_INTEGRITY_CIPHERED, p, n, false); break;
    case 1: ul_gsm(p, n); break;
    case 2: ngap_for_ue(p, n); break;
    case 3: ul_nas(p, n, false); break;
    case 4:
        if (n < 1)
            return;
        if (p[0] & 0x10)
            UE.sec.ul_count++;
        ul_protected(p[0] & 0x0f, p + 1, n - 1, false);
        break;
    case 5:
        UE.ran_id++;
        UE.amf_id = -1;
        ul_protected(NAS_SHT_INTEGRITY, p, n, true);
        break;
    default: ue_answer(); break;
    }
}

static amf_gnb *gnb_up(bool setup)
{
    T.gnb = amf_gnb_attach(T.amf, t_cap_send, &T, "fuzz");
    G5_FUZZ_CHECK(T.gnb);
    if (setup)
        t_ng_setup(&T, T_PLMN, NGAP_MSG_SUCCESSFUL);
    return T.gnb;
}

/* Back to the baseline: no gNB, no UE context, no SM context. */
static void reset(amf_gnb *g0, amf_gnb *g1)
{
    if (g1)
        amf_gnb_detach(g1);
    amf_gnb_detach(g0);
    T.gnb = NULL;
    for (unsigned i = 1; i <= 3; i++) {
        char supi[32];
        snprintf(supi, sizeof supi, "imsi-00101%010u", i);
        amf_deregister_ue(T.amf, supi);
    }
    settle();
    t_q_clear(&T);
    if (amf_ue_count(T.amf) != 0) {
        fprintf(stderr, "fuzz_amf: %zu UE contexts left after the input\n", amf_ue_count(T.amf));
        abort();
    }
    /* every SM context goes with its UE (the PFCP deletions take a few loop turns) */
    for (int i = 0; i < 50 && smf_get_stats(SMF)->active; i++)
        settle();
    if (smf_get_stats(SMF)->active) {
        fprintf(stderr, "fuzz_amf: %llu SM contexts left after the input\n",
                (unsigned long long)smf_get_stats(SMF)->active);
        abort();
    }
}

static void run_records(const uint8_t *d, size_t n, amf_gnb *g0, amf_gnb *g1, bool deep)
{
    for (int k = 0; n >= 3 && k < 64; k++) {
        uint8_t tag = d[0];
        size_t len = (size_t)d[1] << 8 | d[2];
        d += 3, n -= 3;
        if (len > n)
            len = n;
        if (deep)
            deep_record(tag, d, len);
        else
            ngap_raw(tag & 1 ? g1 : g0, (uint16_t)(tag >> 1), d, len);
        d += len, n -= len;
    }
}

static void write_seeds(const char *dir);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        core_up();
        ready = 1;
        const char *seeds = getenv("FUZZ_AMF_SEEDS");
        if (seeds) {
            write_seeds(seeds);
            core_down();
            _exit(0); /* not exit(): libFuzzer counts that as a failing input */
        }
        atexit(at_exit);
    }
    if (size < 1 || size > 16384)
        return 0;
    if (data[0] & 1) {
        amf_gnb *g = gnb_up(true);
        t_ue_init(&T, &UE, 1, false);
        uint64_t t0 = g5_clock_ns();
        t_register(&T, &UE, 0);
        settle();
        drain();
        uint64_t t1 = g5_clock_ns();
        LAST_DL_LEN = 0;
        run_records(data + 1, size - 1, g, NULL, true);
        uint64_t t2 = g5_clock_ns();
        reset(g, NULL);
        if (getenv("FUZZ_AMF_TIME"))
            fprintf(stderr, "reg %llu us recs %llu us reset %llu us\n",
                    (unsigned long long)(t1 - t0) / 1000, (unsigned long long)(t2 - t1) / 1000,
                    (unsigned long long)(g5_clock_ns() - t2) / 1000);
    } else {
        amf_gnb *g1 = gnb_up(false);
        amf_gnb *g0 = gnb_up(true);
        run_records(data + 1, size - 1, g0, g1, false);
        reset(g0, g1);
    }
    return 0;
}

/* ---- seed corpus ------------------------------------------------------------------- */

typedef struct seed {
    uint8_t b[8192];
    size_t n;
} seed;

static void seed_rec(seed *s, uint8_t tag, const uint8_t *p, size_t n)
{
    if (s->n + 3 + n > sizeof s->b)
        return;
    s->b[s->n++] = tag;
    s->b[s->n++] = (uint8_t)(n >> 8);
    s->b[s->n++] = (uint8_t)n;
    if (n)
        memcpy(s->b + s->n, p, n);
    s->n += n;
}

static size_t enc_nas(const nas_msg *m, uint8_t *out, size_t cap)
{
    g5_wbuf w;
    g5_wbuf_init(&w, out, cap);
    G5_FUZZ_CHECK(nas_encode(m, &w) == 0);
    return g5_wbuf_len(&w);
}

static void seed_nas(seed *s, uint8_t tag, const nas_msg *m)
{
    uint8_t b[1024];
    seed_rec(s, tag, b, enc_nas(m, b, sizeof b));
}

static void seed_pdu(seed *s, uint8_t tag, NGAP_NGAP_PDU_t *pdu)
{
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 65536);
    G5_FUZZ_CHECK(ngap_encode(pdu, &w) == 0);
    ngap_free(pdu);
    seed_rec(s, tag, g5_wbuf_data(&w), g5_wbuf_len(&w));
    g5_wbuf_free(&w);
}

static void seed_gsm(seed *s, uint8_t type, uint8_t psi, uint8_t flags)
{
    nas_msg m;
    uint8_t b[256];
    static const uint8_t ipmax[2] = {0xff, 0xff};
    G5_FUZZ_CHECK(nas_msg_init(&m, type) == 0);
    m.psi = psi;
    m.pti = 1;
    if (type == NAS_PDU_SESSION_ESTABLISHMENT_REQUEST) {
        nas_ie_set(&m.pdu_session_establishment_request.integrity_protection_maximum_data_rate,
                   ipmax, 2);
        nas_ie_set_half(&m.pdu_session_establishment_request.pdu_session_type, NAS_PDU_IPV4);
    }
    static const uint8_t cause = 111;
    if (type == NAS_STATUS_5GSM)
        nas_ie_set(&m.status_5gsm.ie_5gsm_cause, &cause, 1);
    b[0] = psi;
    b[1] = flags;
    size_t n = enc_nas(&m, b + 2, sizeof b - 2);
    seed_rec(s, 1, b, n + 2);
}

static void seed_setup_rsp(seed *s, uint8_t psi)
{
    NGAP_PDUSessionResourceSetupResponseTransfer_t rsp;
    memset(&rsp, 0, sizeof rsp);
    NGAP_UPTransportLayerInformation_t *u =
        &rsp.dLQosFlowPerTNLInformation.uPTransportLayerInformation;
    u->present = NGAP_UPTransportLayerInformation_PR_gTPTunnel;
    static const uint8_t te[4] = {0, 0xc0, 0xff, 0xee};
    G5_FUZZ_CHECK(a1_bits_set(&u->gTPTunnel.transportLayerAddress, "\x7f\x00\x00\x0b", 32) == 0);
    G5_FUZZ_CHECK(a1_octets_set(&u->gTPTunnel.gTP_TEID, te, 4) == 0);
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list =
        calloc(1, sizeof(NGAP_AssociatedQosFlowItem_t));
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.count = 1;
    rsp.dLQosFlowPerTNLInformation.associatedQosFlowList.list[0].qosFlowIdentifier = 1;
    a1_octets tr = {0};
    G5_FUZZ_CHECK(
        ngap_encode_transfer(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp, &tr) == 0);
    a1_free(&NGAP_PDUSessionResourceSetupResponseTransfer_def, &rsp);
    NGAP_NGAP_PDU_t pdu;
    G5_FUZZ_CHECK(ngap_build_pdu_session_setup_response(&pdu, 1, 1, psi, tr.buf, tr.len) == 0);
    free(tr.buf);
    seed_pdu(s, 2, &pdu);
}

static void seed_dereg(seed *s, uint8_t tag)
{
    nas_msg m;
    nas_mobile_identity mi;
    nas_arena ar;
    t_ue ue = {.tmsi = 0x01020304};
    t_guti(&ue, &mi);
    nas_arena_init(&ar);
    nas_msg_init(&m, NAS_DEREGISTRATION_REQUEST_UE_ORIG);
    nas_ie_set_half(&m.deregistration_request_ue_orig.de_registration_type, 0x1);
    nas_ie_set_half(&m.deregistration_request_ue_orig.ngksi, 0);
    size_t mark = g5_wbuf_len(&ar.w);
    G5_FUZZ_CHECK(nas_mobile_identity_encode(&mi, &ar.w) == 0);
    G5_FUZZ_CHECK(
        nas_arena_ie(&ar, mark, &m.deregistration_request_ue_orig.ie_5gs_mobile_identity) == 0);
    seed_nas(s, tag, &m);
}

static void seed_service_req(seed *s)
{
    nas_msg m;
    nas_arena ar;
    nas_arena_init(&ar);
    nas_msg_init(&m, NAS_SERVICE_REQUEST);
    nas_ie_set_half(&m.service_request.ngksi, 0);
    nas_ie_set_half(&m.service_request.service_type, 0); /* signalling */
    nas_mobile_identity mi = {.type = NAS_MI_S_TMSI, .amf_set_id = 1, .tmsi = 0x01020304};
    size_t mark = g5_wbuf_len(&ar.w);
    G5_FUZZ_CHECK(nas_mobile_identity_encode(&mi, &ar.w) == 0);
    G5_FUZZ_CHECK(nas_arena_ie(&ar, mark, &m.service_request.ie_5g_s_tmsi) == 0);
    seed_nas(s, 5, &m);
}

static void seed_write(const char *dir, const char *name, const seed *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    G5_FUZZ_CHECK(f && fwrite(s->b, 1, s->n, f) == s->n);
    fclose(f);
}

static void write_seeds(const char *dir)
{
    mkdir(dir, 0755);
    seed s;
    nas_msg m;
    NGAP_NGAP_PDU_t pdu;
    /* deep: establishment, gNB setup response, UE-requested release, release complete */
    s.n = 0, s.b[s.n++] = 1;
    seed_gsm(&s, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST, 1, 0x31);
    seed_setup_rsp(&s, 1);
    seed_gsm(&s, NAS_PDU_SESSION_RELEASE_REQUEST, 1, 0);
    seed_gsm(&s, NAS_PDU_SESSION_RELEASE_COMPLETE, 1, 0);
    seed_write(dir, "deep-session-release", &s);
    /* deep: two sessions, then UE-originated deregistration */
    s.n = 0, s.b[s.n++] = 1;
    seed_gsm(&s, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST, 1, 0x31);
    seed_gsm(&s, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST, 2, 0x01);
    seed_setup_rsp(&s, 2);
    seed_dereg(&s, 0);
    seed_write(dir, "deep-sessions-dereg", &s);
    /* deep: session, AN release (UE Context Release Request/Complete), Service Request */
    s.n = 0, s.b[s.n++] = 1;
    seed_gsm(&s, NAS_PDU_SESSION_ESTABLISHMENT_REQUEST, 5, 0x31);
    seed_setup_rsp(&s, 5);
    NGAP_Cause_t cause = {.present = NGAP_Cause_PR_radioNetwork,
                          .radioNetwork = NGAP_CauseRadioNetwork_user_inactivity};
    G5_FUZZ_CHECK(ngap_build_ue_context_release_request(&pdu, 1, 1, &cause) == 0);
    seed_pdu(&s, 2, &pdu);
    G5_FUZZ_CHECK(ngap_build_ue_context_release_complete(&pdu, 1, 1) == 0);
    seed_pdu(&s, 2, &pdu);
    seed_service_req(&s);
    seed_write(dir, "deep-an-release-service", &s);
    /* deep: single 5GMM messages */
    static const struct {
        const char *name;
        uint8_t type;
    } gmm[] = {{"deep-config-update-complete", NAS_CONFIGURATION_UPDATE_COMPLETE},
               {"deep-registration-complete", NAS_REGISTRATION_COMPLETE},
               {"deep-5gmm-status", NAS_STATUS_5GMM},
               {"deep-smc-complete", NAS_SECURITY_MODE_COMPLETE},
               {"deep-ul-nas-transport", NAS_UL_NAS_TRANSPORT}};
    for (size_t i = 0; i < sizeof gmm / sizeof gmm[0]; i++) {
        s.n = 0, s.b[s.n++] = 1;
        static const uint8_t cause = 111, sms[3] = {0x09, 0x01, 0x00};
        nas_msg_init(&m, gmm[i].type);
        if (gmm[i].type == NAS_STATUS_5GMM)
            nas_ie_set(&m.status_5gmm.ie_5gmm_cause, &cause, 1);
        if (gmm[i].type == NAS_UL_NAS_TRANSPORT) {
            nas_ie_set_half(&m.ul_nas_transport.payload_container_type, 2); /* SMS */
            nas_ie_set(&m.ul_nas_transport.payload_container, sms, sizeof sms);
        }
        seed_nas(&s, 0, &m);
        seed_write(dir, gmm[i].name, &s);
    }
    s.n = 0, s.b[s.n++] = 1;
    seed_dereg(&s, 5);
    seed_write(dir, "deep-dereg-initial", &s);
    /* deep: AN release, mobility registration update from CM-IDLE, the UE answers what
     * the AMF asks (re-authentication, SMC, Registration Accept) */
    s.n = 0, s.b[s.n++] = 1;
    G5_FUZZ_CHECK(ngap_build_ue_context_release_request(&pdu, 1, 1, &cause) == 0);
    seed_pdu(&s, 2, &pdu);
    G5_FUZZ_CHECK(ngap_build_ue_context_release_complete(&pdu, 1, 1) == 0);
    seed_pdu(&s, 2, &pdu);
    {
        t_ue ue = {.tmsi = 0x01020304, .caps = {.ea = 0xf0, .ia = 0x70}};
        nas_mobile_identity mi;
        nas_arena ar;
        t_guti(&ue, &mi);
        nas_arena_init(&ar);
        nas_msg_init(&m, NAS_REGISTRATION_REQUEST);
        nas_ie_set_half(&m.registration_request.ie_5gs_registration_type, 0x0a);
        nas_ie_set_half(&m.registration_request.ngksi, 0);
        size_t mark = g5_wbuf_len(&ar.w);
        G5_FUZZ_CHECK(nas_mobile_identity_encode(&mi, &ar.w) == 0);
        G5_FUZZ_CHECK(nas_arena_ie(&ar, mark, &m.registration_request.ie_5gs_mobile_identity) == 0);
        mark = g5_wbuf_len(&ar.w);
        nas_ue_sec_cap_encode(&ue.caps, &ar.w);
        G5_FUZZ_CHECK(nas_arena_ie(&ar, mark, &m.registration_request.ue_security_capability) == 0);
        seed_nas(&s, 5, &m);
    }
    for (int i = 0; i < 3; i++)
        seed_rec(&s, 6, NULL, 0);
    seed_write(dir, "deep-mobility-registration", &s);
    s.n = 0, s.b[s.n++] = 1;
    seed_gsm(&s, NAS_PDU_SESSION_MODIFICATION_REQUEST, 1, 0);
    seed_gsm(&s, NAS_STATUS_5GSM, 3, 0);
    seed_write(dir, "deep-gsm-misc", &s);
    /* plain: NG Setup again, Initial UE Message with a Registration Request, NG Reset */
    s.n = 0, s.b[s.n++] = 0;
    ngap_snssai sl = {.sst = 1};
    G5_FUZZ_CHECK(ngap_build_ng_setup_request(&pdu, T_PLMN, 2, 32, "g", T_TAC, &sl, 1,
                                              NGAP_PagingDRX_v128) == 0);
    seed_pdu(&s, 1, &pdu);
    {
        t_ue ue;
        nas_mobile_identity mi;
        g5_suci suci;
        t_ue_init(&T, &ue, 2, false);
        t_suci(&T, &ue, 0, &mi, &suci);
        uint8_t b[512];
        nas_msg_init(&m, NAS_REGISTRATION_REQUEST);
        nas_arena ar;
        nas_arena_init(&ar);
        nas_ie_set_half(&m.registration_request.ie_5gs_registration_type, 0x09);
        nas_ie_set_half(&m.registration_request.ngksi, 7);
        size_t mark = g5_wbuf_len(&ar.w);
        G5_FUZZ_CHECK(nas_mobile_identity_encode(&mi, &ar.w) == 0);
        G5_FUZZ_CHECK(nas_arena_ie(&ar, mark, &m.registration_request.ie_5gs_mobile_identity) == 0);
        mark = g5_wbuf_len(&ar.w);
        nas_ue_sec_cap_encode(&ue.caps, &ar.w);
        G5_FUZZ_CHECK(nas_arena_ie(&ar, mark, &m.registration_request.ue_security_capability) == 0);
        size_t n = enc_nas(&m, b, sizeof b);
        G5_FUZZ_CHECK(ngap_build_initial_ue_message(&pdu, 7, b, n, T_PLMN, T_TAC, 0x10,
                                                    NGAP_RRCEstablishmentCause_mo_Signalling) == 0);
        seed_pdu(&s, 0, &pdu);
        static const uint8_t res[16] = {1};
        nas_msg_init(&m, NAS_AUTHENTICATION_RESPONSE);
        nas_ie_set(&m.authentication_response.authentication_response_parameter, res, 16);
        n = enc_nas(&m, b, sizeof b);
        G5_FUZZ_CHECK(ngap_build_uplink_nas_transport(&pdu, 1, 7, b, n, T_PLMN, T_TAC, 0x10) == 0);
        seed_pdu(&s, 0, &pdu);
    }
    G5_FUZZ_CHECK(ngap_build_ng_reset(&pdu, &cause) == 0);
    seed_pdu(&s, 0, &pdu);
    seed_write(dir, "plain-setup-register-reset", &s);
    fprintf(stderr, "fuzz_amf: seeds written to %s\n", dir);
}
