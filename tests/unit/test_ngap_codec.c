/* NGAP codec: builders against Erlang/OTP asn1 encodings, round trips over random messages
 * of every procedure, hostile input (every truncation, bit flips, absurd lengths, deep
 * nesting), unknown IEs and extensions preserved byte-exactly, criticality diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/a1_json.h"
#include "asn1/a1_random.h"
#include "asn1/aper.h"
#include "core/codec_json.h"
#include "core/err.h"
#include "core/hex.h"
#include "ngap/ngap_msg.h"

static const uint8_t PLMN[3] = {0x00, 0xf1, 0x10};
static const uint8_t TAC[3] = {0, 0, 1};

static size_t encode(const NGAP_NGAP_PDU_t *pdu, uint8_t *out, size_t cap)
{
    g5_wbuf w;
    g5_wbuf_init(&w, out, cap);
    assert_int_equal(ngap_encode(pdu, &w), 0);
    return w.len;
}

static void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
    uint8_t want[512];
    int wn = g5_hex_decode(hex, want, sizeof want);
    assert_true(wn > 0);
    assert_int_equal(n, (size_t)wn);
    assert_memory_equal(p, want, n);
}

/* Expected bytes: Erlang/OTP 25 asn1 ('NGAP':encode, erlc -bper +maps) of the same values
 * written as Erlang terms (see tests/integration/ngap_erl/vectors.escript). */
static void test_initial_ue_message_matches_erlang(void **state)
{
    (void)state;
    NGAP_NGAP_PDU_t pdu;
    const uint8_t nas[] = {0x7e, 0x00, 0x41, 0x79};
    assert_int_equal(ngap_build_initial_ue_message(&pdu, 1, nas, sizeof nas, PLMN, TAC,
                                                   0x123456789ull,
                                                   NGAP_RRCEstablishmentCause_mo_Signalling),
                     0);
    uint8_t buf[512];
    size_t n = encode(&pdu, buf, sizeof buf);
    assert_hex(buf, n,
               "000F402A00000400550002000100260005047E0041790079000F4000F110123456789000F1100000"
               "01005A400118");
    const NGAP_RAN_UE_NGAP_ID_t *ran = ngap_find_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID);
    assert_non_null(ran);
    assert_int_equal(*ran, 1);
    assert_null(ngap_find_ie(&pdu, NGAP_id_AMF_UE_NGAP_ID));
    ngap_free(&pdu);

    /* and decoding the Erlang bytes gives the typed values back */
    NGAP_NGAP_PDU_t back;
    a1_diag d;
    assert_int_equal(ngap_decode(&back, buf, n, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(ngap_procedure_code(&back), NGAP_id_InitialUEMessage);
    NGAP_InitialUEMessage_t *m = &back.initiatingMessage.value.InitialUEMessage;
    assert_int_equal(m->protocolIEs.count, 4);
    assert_int_equal(m->protocolIEs.list[1].id, NGAP_id_NAS_PDU);
    assert_int_equal(m->protocolIEs.list[1].value.NAS_PDU.len, 4);
    assert_memory_equal(m->protocolIEs.list[1].value.NAS_PDU.buf, nas, 4);
    const NGAP_UserLocationInformation_t *uli =
        ngap_find_ie(&back, NGAP_id_UserLocationInformation);
    assert_int_equal(uli->present, NGAP_UserLocationInformation_PR_userLocationInformationNR);
    assert_int_equal(uli->userLocationInformationNR.nR_CGI.nRCellIdentity.nbits, 36);
    ngap_free(&back);
}

static void test_ng_setup_request_matches_erlang(void **state)
{
    (void)state;
    NGAP_NGAP_PDU_t pdu;
    ngap_snssai s = {1, true, {1, 2, 3}};
    assert_int_equal(
        ngap_build_ng_setup_request(&pdu, PLMN, 1, 22, "gnb1", TAC, &s, 1, NGAP_PagingDRX_v128), 0);
    uint8_t buf[512];
    size_t n = encode(&pdu, buf, sizeof buf);
    assert_hex(buf, n,
               "00150032000004001B00080000F11000000004005240060180676E62310066001000000000010000"
               "F110000010080102030015400140");
    ngap_free(&pdu);
}

/* Every builder's output decodes and re-encodes to the same bytes. */
static void roundtrip(NGAP_NGAP_PDU_t *pdu)
{
    uint8_t a[2048], b[2048];
    size_t n = encode(pdu, a, sizeof a);
    NGAP_NGAP_PDU_t back;
    a1_diag d;
    assert_int_equal(ngap_decode(&back, a, n, &d), 0);
    assert_int_equal(d.n, 0); /* every mandatory IE present, all understood */
    size_t m = encode(&back, b, sizeof b);
    assert_int_equal(n, m);
    assert_memory_equal(a, b, n);
    ngap_free(&back);
    ngap_free(pdu);
}

/* The i-th builder-made message (0 when i is past the last). Used by the round-trip test
 * and by the tshark oracle (--dump-builders). */
static int build_nth(NGAP_NGAP_PDU_t *p, int i)
{
    static const ngap_snssai s = {1, true, {0, 0, 1}};
    static const ngap_guami g = {{0x00, 0xf1, 0x10}, 0xca, 0x3fe, 0x3f};
    NGAP_Cause_t cause = ngap_cause(NGAP_Cause_PR_misc, NGAP_CauseMisc_unspecified);
    /* 5GMM Deregistration accept (TS 24.501 8.2.13): a complete NAS message, so that
     * tshark's NAS dissector (called by the NGAP one) finds nothing to complain about */
    static const uint8_t nas[] = {0x7e, 0x00, 0x46};
    static const uint8_t key[32] = {1, 2, 3};
    static const uint16_t caps[4] = {0xe000, 0xe000, 0xe000, 0xe000};
    /* each PDU session message carries a valid ...Transfer of its own type */
    static const a1_type *const xt[] = {
        &NGAP_PDUSessionResourceSetupRequestTransfer_def,
        &NGAP_PDUSessionResourceSetupResponseTransfer_def,
        &NGAP_PDUSessionResourceReleaseCommandTransfer_def,
        &NGAP_PDUSessionResourceReleaseResponseTransfer_def,
        &NGAP_PDUSessionResourceModifyRequestTransfer_def,
        &NGAP_PDUSessionResourceModifyResponseTransfer_def,
    };
    uint8_t xfer[1024];
    size_t xlen = 0;
    if (i >= 13 && i <= 18) {
        void *v = calloc(1, xt[i - 13]->size);
        assert_int_equal(a1_random(xt[i - 13], v, 3, 0, -1), 0);
        g5_wbuf w;
        g5_wbuf_init(&w, xfer, sizeof xfer);
        assert_int_equal(a1_encode(xt[i - 13], v, &w), 0);
        xlen = w.len;
        a1_free(xt[i - 13], v);
        free(v);
    }
    ngap_snssai slices[2] = {{1, false, {0}}, {2, true, {1, 2, 3}}};
    int rc;
    switch (i) {
    case 0:
        rc = ngap_build_ng_setup_request(p, PLMN, 1, 22, "gnb1", TAC, slices, 2,
                                         NGAP_PagingDRX_v128);
        break;
    case 1: rc = ngap_build_ng_setup_response(p, "amf1", &g, &s, 1, 255); break;
    case 2: rc = ngap_build_ng_setup_failure(p, &cause); break;
    case 3:
        rc = ngap_build_initial_ue_message(p, 1, nas, 3, PLMN, TAC, 5,
                                           NGAP_RRCEstablishmentCause_mo_Data);
        break;
    case 4: rc = ngap_build_uplink_nas_transport(p, 7, 1, nas, 3, PLMN, TAC, 5); break;
    case 5: rc = ngap_build_downlink_nas_transport(p, 7, 1, nas, 3); break;
    case 6:
        rc = ngap_build_initial_context_setup_request(p, 7, 1, &g, &s, 1, caps, key, nas, 3);
        break;
    case 7: rc = ngap_build_initial_context_setup_response(p, 7, 1); break;
    case 8: rc = ngap_build_initial_context_setup_failure(p, 7, 1, &cause); break;
    case 9: rc = ngap_build_ue_context_release_request(p, 7, 1, &cause); break;
    case 10: rc = ngap_build_ue_context_release_command(p, 7, 1, &cause); break;
    case 11: rc = ngap_build_ue_context_release_command(p, 7, -1, &cause); break;
    case 12: rc = ngap_build_ue_context_release_complete(p, 7, 1); break;
    case 13: rc = ngap_build_pdu_session_setup_request(p, 7, 1, 5, &s, nas, 3, xfer, xlen); break;
    case 14: rc = ngap_build_pdu_session_setup_response(p, 7, 1, 5, xfer, xlen); break;
    case 15: rc = ngap_build_pdu_session_release_command(p, 7, 1, 5, xfer, xlen); break;
    case 16: rc = ngap_build_pdu_session_release_response(p, 7, 1, 5, xfer, xlen); break;
    case 17: rc = ngap_build_pdu_session_modify_request(p, 7, 1, 5, xfer, xlen); break;
    case 18: rc = ngap_build_pdu_session_modify_response(p, 7, 1, 5, xfer, xlen); break;
    case 19: rc = ngap_build_paging(p, 0x3fe, 1, 0xdeadbeef, PLMN, TAC); break;
    case 20: rc = ngap_build_ng_reset(p, &cause); break;
    case 21: rc = ngap_build_ng_reset_acknowledge(p); break;
    case 22: rc = ngap_build_error_indication(p, 7, 1, &cause, NULL); break;
    default: return 0;
    }
    assert_int_equal(rc, 0);
    return 1;
}

static void test_builders_roundtrip(void **state)
{
    (void)state;
    NGAP_NGAP_PDU_t p;
    for (int i = 0; build_nth(&p, i); i++)
        roundtrip(&p);
    /* an IE that the message's set does not contain is refused */
    assert_int_equal(ngap_msg_init(&p, NGAP_MSG_INITIATING, NGAP_id_Paging), 0);
    assert_null(ngap_add_ie(&p, NGAP_id_AMF_UE_NGAP_ID));
    ngap_free(&p);
    /* a procedure without an unsuccessful outcome */
    assert_int_equal(ngap_msg_init(&p, NGAP_MSG_UNSUCCESSFUL, NGAP_id_Paging), G5_ERR_NOT_FOUND);
}

/* Random messages of every procedure and type; decode(encode(x)) re-encodes identically,
 * JSON too. The Erlang cross-check of the same generator is in the integration tests. */
static void test_random_every_procedure(void **state)
{
    (void)state;
    const a1_type *ot = NGAP_InitiatingMessage_def.m[2].type;
    unsigned nproc = ot->nobjs;
    assert_true(nproc > 60);
    for (unsigned k = 0; k < nproc * 3 * 2; k++) {
        NGAP_NGAP_PDU_t pdu;
        int type = 1 + (int)(k % 3);
        if (a1_random(&NGAP_NGAP_PDU_def, &pdu, 1000 + k, type, (int)(k / 3) % 200) ==
            G5_ERR_UNSUPPORTED)
            continue;
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1u << 22);
        assert_int_equal(ngap_encode(&pdu, &w), 0);
        NGAP_NGAP_PDU_t back;
        assert_int_equal(ngap_decode(&back, w.p, w.len, NULL), 0);
        g5_wbuf w2;
        g5_wbuf_init_dyn(&w2, 1u << 22);
        assert_int_equal(ngap_encode(&back, &w2), 0);
        assert_int_equal(w.len, w2.len);
        assert_memory_equal(w.p, w2.p, w.len);
        /* JSON round trip */
        json_t *j = NULL;
        char err[256];
        assert_int_equal(g5_ngap_decode_json(w.p, w.len, &j, err, sizeof err), 0);
        g5_wbuf w3;
        g5_wbuf_init_dyn(&w3, 1u << 22);
        assert_int_equal(g5_ngap_encode_json(j, &w3, err, sizeof err), 0);
        assert_int_equal(w.len, w3.len);
        assert_memory_equal(w.p, w3.p, w.len);
        json_decref(j);
        g5_wbuf_free(&w);
        g5_wbuf_free(&w2);
        g5_wbuf_free(&w3);
        ngap_free(&pdu);
        ngap_free(&back);
    }
}

/* Every strict prefix of a valid message is rejected (never crashes); flipping any single
 * bit never crashes and anything that decodes re-encodes. */
static void test_truncation_and_bit_flips(void **state)
{
    (void)state;
    for (unsigned seed = 0; seed < 40; seed++) {
        NGAP_NGAP_PDU_t pdu, back;
        if (a1_random(&NGAP_NGAP_PDU_def, &pdu, seed, 1 + seed % 3, (int)seed * 7) != 0)
            continue;
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1u << 22);
        assert_int_equal(ngap_encode(&pdu, &w), 0);
        ngap_free(&pdu);
        for (size_t n = 0; n < w.len; n++) {
            int rc = ngap_decode(&back, w.p, n, NULL);
            assert_true(rc < 0);
        }
        uint8_t *copy = malloc(w.len);
        for (size_t bit = 0; bit < w.len * 8 && bit < 4000; bit++) {
            memcpy(copy, w.p, w.len);
            copy[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
            if (ngap_decode(&back, copy, w.len, NULL) == 0) {
                g5_wbuf w2;
                g5_wbuf_init_dyn(&w2, 1u << 22);
                assert_int_equal(ngap_encode(&back, &w2), 0);
                g5_wbuf_free(&w2);
                ngap_free(&back);
            }
        }
        free(copy);
        g5_wbuf_free(&w);
    }
}

static void test_absurd_lengths(void **state)
{
    (void)state;
    NGAP_NGAP_PDU_t pdu;
    /* InitialUEMessage whose open type claims 4 x 16K fragments */
    const uint8_t frag[] = {0x00, 0x0f, 0x40, 0xc4, 0x00, 0x00};
    assert_int_equal(ngap_decode(&pdu, frag, sizeof frag, NULL), G5_ERR_TRUNCATED);
    /* a bad fragment multiplier (0xc5) */
    const uint8_t badm[] = {0x00, 0x0f, 0x40, 0xc5, 0x00};
    assert_true(ngap_decode(&pdu, badm, sizeof badm, NULL) < 0);
    /* 16383-octet value announced, 3 present */
    const uint8_t big[] = {0x00, 0x0f, 0x40, 0xbf, 0xff, 0x00, 0x00, 0x04};
    assert_int_equal(ngap_decode(&pdu, big, sizeof big, NULL), G5_ERR_TRUNCATED);
    /* IE list of 65535 entries with nothing behind it */
    const uint8_t many[] = {0x00, 0x0f, 0x40, 0x03, 0x00, 0xff, 0xff};
    assert_true(ngap_decode(&pdu, many, sizeof many, NULL) < 0);
    /* a known IE whose value is malformed is named in the diagnostics: InitialUEMessage
     * with RRCEstablishmentCause (id 90, criticality ignore) = 0x7f, beyond its root */
    const uint8_t badie[] = {0x00, 0x0f, 0x40, 0x08, 0x00, 0x00,
                             0x01, 0x00, 0x5a, 0x40, 0x01, 0x78};
    a1_diag d;
    assert_int_equal(ngap_decode(&pdu, badie, sizeof badie, &d), G5_ERR_INVALID);
    assert_true(d.err_in_ie);
    assert_int_equal(d.err_ie_id, NGAP_id_RRCEstablishmentCause);
    assert_int_equal(d.err_ie_crit, NGAP_Criticality_ignore);
    /* trailing garbage after a complete PDU */
    NGAP_NGAP_PDU_t ok;
    assert_int_equal(ngap_build_ng_reset_acknowledge(&ok), 0);
    uint8_t buf[64];
    size_t n = encode(&ok, buf, sizeof buf - 1);
    buf[n] = 0xaa;
    assert_int_equal(ngap_decode(&pdu, buf, n, NULL), 0);
    ngap_free(&pdu);
    assert_int_equal(ngap_decode(&pdu, buf, n + 1, NULL), G5_ERR_INVALID);
    assert_int_equal(ngap_decode(&pdu, NULL, 0, NULL), G5_ERR_TRUNCATED);
    ngap_free(&ok);
}

/* A self-recursive descriptor (SEQUENCE { next SEQUENCE OPTIONAL }) to check the depth
 * limit: NGAP itself has no recursion, so this is the only way to nest without bound. */
typedef struct rec {
    struct rec *next;
} rec;
extern const a1_type rec_def;
static const a1_member rec_members[] = {{"next", &rec_def, offsetof(rec, next), A1_M_OPT, -1, -1}};
const a1_type rec_def = {
    .name = "Rec", .kind = A1_SEQ, .size = sizeof(rec), .m = rec_members, .nroot = 1, .nall = 1};

/* X.691 10.9.3.8: lengths of 16K and more are sent in fragments of 16K multiples. A
 * 40000-octet NAS-PDU: its open type is fragmented (2 x 16K then the rest), and so is the
 * OCTET STRING inside it. The same messages are checked against Erlang (--dump-fragmented). */
static int build_fragmented(NGAP_NGAP_PDU_t *pdu, size_t nas_len)
{
    uint8_t *nas = malloc(nas_len);
    for (size_t i = 0; i < nas_len; i++)
        nas[i] = (uint8_t)(i * 7);
    int rc = ngap_build_downlink_nas_transport(pdu, 1, 2, nas, nas_len);
    free(nas);
    return rc;
}

static void test_fragmented_lengths(void **state)
{
    (void)state;
    static const size_t sizes[] = {16383, 16384, 40000, 70000};
    for (size_t k = 0; k < 4; k++) {
        NGAP_NGAP_PDU_t pdu, back;
        assert_int_equal(build_fragmented(&pdu, sizes[k]), 0);
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1u << 22);
        assert_int_equal(ngap_encode(&pdu, &w), 0);
        /* the outer open type (InitiatingMessage.value) starts at octet 3 */
        uint8_t l0 = w.p[3];
        if (sizes[k] < 16384 - 64)
            assert_int_equal(l0 & 0xc0, 0x80);
        else
            assert_int_equal(l0 & 0xc0, 0xc0);
        assert_int_equal(ngap_decode(&back, w.p, w.len, NULL), 0);
        const NGAP_NAS_PDU_t *nas = ngap_find_ie(&back, NGAP_id_NAS_PDU);
        assert_non_null(nas);
        assert_int_equal(nas->len, sizes[k]);
        assert_int_equal(nas->buf[sizes[k] - 1], (uint8_t)((sizes[k] - 1) * 7));
        g5_wbuf w2;
        g5_wbuf_init_dyn(&w2, 1u << 22);
        assert_int_equal(ngap_encode(&back, &w2), 0);
        assert_int_equal(w.len, w2.len);
        assert_memory_equal(w.p, w2.p, w.len);
        g5_wbuf_free(&w);
        g5_wbuf_free(&w2);
        ngap_free(&pdu);
        ngap_free(&back);
    }
}

static void test_deep_nesting_is_limited(void **state)
{
    (void)state;
    uint8_t in[64];
    memset(in, 0xff, sizeof in); /* every "present" bit set: 512 levels requested */
    rec r;
    assert_int_equal(a1_decode(&rec_def, &r, in, sizeof in, NULL), G5_ERR_LIMIT);
    memset(in, 0xff, 4);
    in[3] = 0xfe; /* 31 levels then absent: decodes, and frees as a tree */
    assert_int_equal(a1_decode(&rec_def, &r, in, 4, NULL), 0);
    a1_free(&rec_def, &r);
}

/* An IE the receiver does not know is kept (id, criticality, bytes) and re-encoded as it
 * came; the decoder reports it, and a missing mandatory IE, for clause 10.3. */
static void test_unknown_ie_preserved_and_reported(void **state)
{
    (void)state;
    NGAP_NGAP_PDU_t pdu;
    const uint8_t nas[] = {0x7e};
    assert_int_equal(ngap_build_initial_ue_message(&pdu, 9, nas, 1, PLMN, TAC, 1,
                                                   NGAP_RRCEstablishmentCause_mo_Data),
                     0);
    NGAP_ProtocolIE_Container_InitialUEMessage_IEs_t *c =
        &pdu.initiatingMessage.value.InitialUEMessage.protocolIEs;
    /* drop RRCEstablishmentCause (mandatory, reject... criticality ignore in R17) */
    c->count--;
    a1_free(&NGAP_ProtocolIE_Field_InitialUEMessage_IEs_def, &c->list[c->count]);
    /* add an IE id 4000 that no release defines */
    NGAP_ProtocolIE_Field_InitialUEMessage_IEs_t *f = &c->list[c->count++];
    memset(f, 0, sizeof *f);
    f->id = 4000;
    f->criticality = NGAP_Criticality_reject;
    const uint8_t raw[] = {0xde, 0xad};
    assert_int_equal(a1_octets_set(&f->value.raw, raw, 2), 0);
    uint8_t a[256], b[256];
    size_t n = encode(&pdu, a, sizeof a);
    ngap_free(&pdu);

    a1_diag d;
    assert_int_equal(ngap_decode(&pdu, a, n, &d), 0);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.ie[0].id, 4000);
    assert_int_equal(d.ie[0].kind, A1_DIAG_NOT_UNDERSTOOD);
    assert_int_equal(d.ie[0].crit, A1_CRIT_REJECT);
    assert_int_equal(d.ie[1].id, NGAP_id_RRCEstablishmentCause);
    assert_int_equal(d.ie[1].kind, A1_DIAG_MISSING);
    f = &pdu.initiatingMessage.value.InitialUEMessage.protocolIEs.list[3];
    assert_int_equal(f->value.present, 0);
    assert_int_equal(f->value.raw.len, 2);
    assert_null(ngap_find_ie(&pdu, 4000));
    size_t m = encode(&pdu, b, sizeof b);
    assert_int_equal(m, n);
    assert_memory_equal(a, b, n);

    /* Criticality Diagnostics and an Error Indication carrying them */
    int type, proc, crit;
    assert_int_equal(ngap_peek_header(a, n, &type, &proc, &crit), 0);
    assert_int_equal(type, NGAP_MSG_INITIATING);
    assert_int_equal(proc, NGAP_id_InitialUEMessage);
    assert_int_equal(crit, NGAP_Criticality_ignore);
    NGAP_CriticalityDiagnostics_t cd;
    assert_int_equal(ngap_criticality_diagnostics(&cd, proc, type, crit, &d), 0);
    NGAP_Cause_t cause =
        ngap_cause(NGAP_Cause_PR_protocol, NGAP_CauseProtocol_abstract_syntax_error_reject);
    NGAP_NGAP_PDU_t ei;
    assert_int_equal(ngap_build_error_indication(&ei, -1, 9, &cause, &cd), 0);
    const NGAP_CriticalityDiagnostics_t *got = ngap_find_ie(&ei, NGAP_id_CriticalityDiagnostics);
    assert_non_null(got);
    assert_int_equal(got->iEsCriticalityDiagnostics->count, 2);
    assert_int_equal(got->iEsCriticalityDiagnostics->list[1].typeOfError, NGAP_TypeOfError_missing);
    roundtrip(&ei);
    a1_free(&NGAP_CriticalityDiagnostics_def, &cd);
    ngap_free(&pdu);
}

/* Unknown SEQUENCE extension additions and CHOICE extension alternatives survive. */
static void test_unknown_extensions_preserved(void **state)
{
    (void)state;
    NGAP_NGAP_PDU_t pdu;
    assert_int_equal(ngap_build_ng_reset_acknowledge(&pdu), 0);
    a1_ext *x = calloc(1, sizeof *x);
    x->nbits = 3;
    x->count = 1;
    x->items = calloc(1, sizeof *x->items);
    x->items[0].index = 2;
    const uint8_t v[] = {0x42, 0x43};
    assert_int_equal(a1_octets_set(&x->items[0].value, v, 2), 0);
    pdu.successfulOutcome.value.NGResetAcknowledge._ext = x;
    uint8_t a[64], b[64];
    size_t n = encode(&pdu, a, sizeof a);
    ngap_free(&pdu);
    assert_int_equal(ngap_decode(&pdu, a, n, NULL), 0);
    x = pdu.successfulOutcome.value.NGResetAcknowledge._ext;
    assert_non_null(x);
    assert_int_equal(x->nbits, 3);
    assert_int_equal(x->count, 1);
    assert_int_equal(x->items[0].index, 2);
    assert_memory_equal(x->items[0].value.buf, v, 2);
    size_t m = encode(&pdu, b, sizeof b);
    assert_int_equal(m, n);
    assert_memory_equal(a, b, n);
    ngap_free(&pdu);

    /* NGAP-PDU extension alternative 5 (unknown) with 1 octet */
    const uint8_t ext[] = {0x85, 0x01, 0x77};
    assert_int_equal(ngap_decode(&pdu, ext, sizeof ext, NULL), 0);
    assert_int_equal(pdu.present, 3 + 5 + 1);
    m = encode(&pdu, b, sizeof b);
    assert_int_equal(m, sizeof ext);
    assert_memory_equal(b, ext, m);
    ngap_free(&pdu);
}

/* The ...Transfer containers are top-level types of their own. */
static void test_transfers(void **state)
{
    (void)state;
    for (unsigned seed = 0; seed < 50; seed++) {
        NGAP_PDUSessionResourceSetupRequestTransfer_t t, back;
        assert_int_equal(
            a1_random(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t, seed, 0, -1), 0);
        a1_octets o = {0}, o2 = {0};
        assert_int_equal(
            ngap_encode_transfer(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t, &o), 0);
        assert_int_equal(
            ngap_decode_transfer(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &back, &o), 0);
        assert_int_equal(
            ngap_encode_transfer(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &back, &o2), 0);
        assert_int_equal(o.len, o2.len);
        assert_memory_equal(o.buf, o2.buf, o.len);
        free(o.buf);
        free(o2.buf);
        a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &t);
        a1_free(&NGAP_PDUSessionResourceSetupRequestTransfer_def, &back);
    }
}

static void test_json_shape(void **state)
{
    (void)state;
    uint8_t in[256];
    int n = g5_hex_decode("000F402A00000400550002000100260005047E0041790079000F4000F11012345678"
                          "9000F110000001005A400118",
                          in, sizeof in);
    json_t *j = NULL;
    char err[256];
    assert_int_equal(g5_ngap_decode_json(in, (size_t)n, &j, err, sizeof err), 0);
    json_t *im = json_object_get(j, "initiatingMessage");
    assert_int_equal(json_integer_value(json_object_get(im, "procedureCode")), 15);
    assert_string_equal(json_string_value(json_object_get(im, "criticality")), "ignore");
    json_t *ies = json_object_get(json_object_get(json_object_get(im, "value"), "InitialUEMessage"),
                                  "protocolIEs");
    json_t *ie0 = json_array_get(ies, 0);
    assert_string_equal(json_string_value(json_object_get(ie0, "id")), "id-RAN-UE-NGAP-ID");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(ie0, "value"), "RAN-UE-NGAP-ID")), 1);
    json_t *nas = json_object_get(json_object_get(json_array_get(ies, 1), "value"), "NAS-PDU");
    assert_string_equal(json_string_value(nas), "7e004179");
    json_t *rrc =
        json_object_get(json_object_get(json_array_get(ies, 3), "value"), "RRCEstablishmentCause");
    assert_string_equal(json_string_value(rrc), "mo-Signalling");
    json_decref(j);
    /* bad JSON input names the member */
    json_t *bad = json_loads("{\"initiatingMessage\": {\"procedureCode\": 15}}", 0, NULL);
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 4096);
    assert_true(g5_ngap_encode_json(bad, &w, err, sizeof err) < 0);
    assert_non_null(strstr(err, "criticality"));
    json_decref(bad);
    g5_wbuf_free(&w);
    /* a decode error says where */
    assert_true(g5_ngap_decode_json(in, 10, &j, err, sizeof err) < 0);
    assert_non_null(strstr(err, "byte"));
}

/* Oracle helper modes used by tests/integration/test_ngap_erlang.sh:
 *   --dump-random N   print N random PDUs (cycling through every procedure and message
 *                     type) as hex, one per line
 *   --dump-fragmented print DL NAS Transports with 16K..70K NAS-PDUs (fragmented lengths)
 *   --dump-builders   print every builder-made message as hex (tshark oracle)
 *   --check-hex       read hex PDUs from stdin; each must decode and re-encode to the same
 *                     bytes; prints "ok N bad M" and exits non-zero on any failure */
static int dump_random(unsigned n)
{
    const a1_type *ot = NGAP_InitiatingMessage_def.m[2].type;
    for (unsigned k = 0; k < n; k++) {
        NGAP_NGAP_PDU_t pdu;
        if (a1_random(&NGAP_NGAP_PDU_def, &pdu, 77 + k, 1 + (int)(k % 3),
                      (int)((k / 3) % ot->nobjs)) != 0)
            continue;
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1u << 22);
        if (ngap_encode(&pdu, &w) == 0) {
            char *hex = malloc(w.len * 2 + 1);
            g5_hex_encode(w.p, w.len, hex);
            printf("%s\n", hex);
            free(hex);
        }
        g5_wbuf_free(&w);
        ngap_free(&pdu);
    }
    return 0;
}

static int dump_builders(void)
{
    NGAP_NGAP_PDU_t pdu;
    for (int i = 0; build_nth(&pdu, i); i++) {
        uint8_t buf[2048];
        char hex[4097];
        size_t n = encode(&pdu, buf, sizeof buf);
        g5_hex_encode(buf, n, hex);
        printf("%s\n", hex);
        ngap_free(&pdu);
    }
    return 0;
}

static int dump_fragmented(void)
{
    static const size_t sizes[] = {16383, 16384, 40000, 70000};
    for (size_t k = 0; k < 4; k++) {
        NGAP_NGAP_PDU_t pdu;
        if (build_fragmented(&pdu, sizes[k]))
            return 1;
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1u << 22);
        if (ngap_encode(&pdu, &w) == 0) {
            char *hex = malloc(w.len * 2 + 1);
            g5_hex_encode(w.p, w.len, hex);
            printf("%s\n", hex);
            free(hex);
        }
        g5_wbuf_free(&w);
        ngap_free(&pdu);
    }
    return 0;
}

static int check_hex(void)
{
    static char line[1 << 20];
    static uint8_t in[1 << 19];
    unsigned ok = 0, bad = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        int n = g5_hex_decode(line, in, sizeof in);
        NGAP_NGAP_PDU_t pdu;
        int rc = n < 0 ? n : ngap_decode(&pdu, in, (size_t)n, NULL);
        if (rc) {
            printf("DECODE FAILED (%s): %s\n", g5_strerror(rc), line);
            bad++;
            continue;
        }
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1u << 22);
        rc = ngap_encode(&pdu, &w);
        if (rc || w.len != (size_t)n || memcmp(w.p, in, w.len)) {
            printf("RE-ENCODE DIFFERS (%s): %s\n", g5_strerror(rc), line);
            bad++;
        } else {
            ok++;
        }
        g5_wbuf_free(&w);
        ngap_free(&pdu);
    }
    printf("ok %u bad %u\n", ok, bad);
    return bad || !ok;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--dump-random"))
        return dump_random((unsigned)atoi(argv[2]));
    if (argc == 2 && !strcmp(argv[1], "--dump-fragmented"))
        return dump_fragmented();
    if (argc == 2 && !strcmp(argv[1], "--dump-builders"))
        return dump_builders();
    if (argc == 2 && !strcmp(argv[1], "--check-hex"))
        return check_hex();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_ue_message_matches_erlang),
        cmocka_unit_test(test_ng_setup_request_matches_erlang),
        cmocka_unit_test(test_builders_roundtrip),
        cmocka_unit_test(test_random_every_procedure),
        cmocka_unit_test(test_truncation_and_bit_flips),
        cmocka_unit_test(test_absurd_lengths),
        cmocka_unit_test(test_fragmented_lengths),
        cmocka_unit_test(test_deep_nesting_is_limited),
        cmocka_unit_test(test_unknown_ie_preserved_and_reported),
        cmocka_unit_test(test_unknown_extensions_preserved),
        cmocka_unit_test(test_transfers),
        cmocka_unit_test(test_json_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
