/* EAP-AKA' (RFC 5448 / RFC 9048, TS 33.501 §6.1.3.1): the bounded attribute codec against
 * hand-assembled packets (truncations, zero-length and oversize attributes, duplicates,
 * unknown non-skippable attributes), and the AUSF as EAP server end to end through UDM/UDR
 * with a peer written here from the RFC: the peer's Responses are assembled byte by byte
 * and their AT_MAC computed with OpenSSL HMAC() directly, the Request's AT_MAC is checked
 * the same way, keys come from the crypto library's MILENAGE/CK'IK'/PRF' (RFC 5448-tested)
 * with the Identity of TS 33.501 Annex F.3 (IMSI digits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ausf_test_util.h"

/* ---- codec --------------------------------------------------------------------------- */

/* EAP-Response/AKA'-Challenge with AT_RES (64 bits) and AT_MAC, 40 bytes. */
static size_t build_challenge_resp(uint8_t *p, uint8_t id, const uint8_t res[8],
                                   const uint8_t k_aut[32])
{
    static const uint8_t hdr[] = {2, 0, 0, 40, 50, 1, 0, 0, 3, 3, 0, 64};
    memcpy(p, hdr, sizeof hdr);
    p[1] = id;
    memcpy(p + 12, res, 8);
    static const uint8_t mac_hdr[] = {11, 5, 0, 0};
    memcpy(p + 20, mac_hdr, 4);
    memset(p + 24, 0, 16);
    if (k_aut) {
        uint8_t md[32];
        unsigned mdlen = 0;
        HMAC(EVP_sha256(), k_aut, 32, p, 40, md, &mdlen);
        memcpy(p + 24, md, 16); /* HMAC-SHA-256-128 */
    }
    return 40;
}

static void test_codec_valid(void **state)
{
    (void)state;
    uint8_t p[64], res[8] = {1, 2, 3, 4, 5, 6, 7, 8}, k[32] = {9};
    size_t n = build_challenge_resp(p, 7, res, k);
    g5_eap_aka m;
    assert_int_equal(g5_eap_aka_decode(p, n, &m), 0);
    assert_int_equal(m.code, G5_EAP_RESPONSE);
    assert_int_equal(m.id, 7);
    assert_int_equal(m.subtype, G5_EAP_AKA_CHALLENGE);
    assert_true(m.has_res && m.has_mac);
    assert_int_equal(m.res_bits, 64);
    assert_memory_equal(m.res, res, 8);
    assert_int_equal(m.mac_offset, 24);
    assert_int_equal(g5_eap_aka_verify_mac(k, p, n, &m), 0);
    /* every single-bit flip either fails to decode or fails the MAC */
    for (size_t i = 0; i < n * 8; i++) {
        p[i / 8] ^= (uint8_t)(1u << (i % 8));
        g5_eap_aka x;
        int rc = g5_eap_aka_decode(p, n, &x);
        if (!rc)
            assert_int_equal(g5_eap_aka_verify_mac(k, p, n, &x), G5_ERR_CRYPTO);
        p[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    /* octets after Length are ignored (lower-layer padding) */
    p[n] = 0xee;
    assert_int_equal(g5_eap_aka_decode(p, n + 1, &m), 0);
    /* every truncation is refused */
    for (size_t t = 0; t < n; t++)
        assert_int_equal(g5_eap_aka_decode(p, t, &m), G5_ERR_TRUNCATED);
    /* encoder round trip: our encoder's bytes are what we assembled by hand */
    g5_eap_aka e = {.code = G5_EAP_RESPONSE, .id = 7, .subtype = G5_EAP_AKA_CHALLENGE};
    e.has_res = e.has_mac = true;
    e.res_bits = 64;
    memcpy(e.res, res, 8);
    uint8_t out[64];
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    assert_int_equal(g5_eap_aka_encode(&e, k, &w), 0);
    assert_int_equal(g5_wbuf_len(&w), n);
    assert_memory_equal(out, p, n);
    /* Success / Failure */
    static const uint8_t succ[] = {3, 9, 0, 4};
    assert_int_equal(g5_eap_aka_decode(succ, 4, &m), 0);
    assert_int_equal(m.code, G5_EAP_SUCCESS);
}

static void test_codec_malformed(void **state)
{
    (void)state;
    g5_eap_aka m;
    assert_int_equal(g5_eap_aka_decode(NULL, 0, &m), G5_ERR_TRUNCATED);
    static const uint8_t short_len[] = {2, 1, 0, 3};
    assert_int_equal(g5_eap_aka_decode(short_len, 4, &m), G5_ERR_INVALID);
    static const uint8_t long_len[] = {2, 1, 0, 100, 50, 1, 0, 0};
    assert_int_equal(g5_eap_aka_decode(long_len, sizeof long_len, &m), G5_ERR_TRUNCATED);
    static const uint8_t succ5[] = {3, 1, 0, 5, 0};
    assert_int_equal(g5_eap_aka_decode(succ5, 5, &m), G5_ERR_INVALID);
    static const uint8_t bad_code[] = {7, 1, 0, 8, 50, 1, 0, 0};
    assert_int_equal(g5_eap_aka_decode(bad_code, 8, &m), G5_ERR_INVALID);
    static const uint8_t eap_aka[] = {2, 1, 0, 8, 23, 1, 0, 0}; /* EAP-AKA, not AKA' */
    assert_int_equal(g5_eap_aka_decode(eap_aka, 8, &m), G5_ERR_UNSUPPORTED);
    static const uint8_t no_subtype[] = {2, 1, 0, 5, 50};
    assert_int_equal(g5_eap_aka_decode(no_subtype, 5, &m), G5_ERR_TRUNCATED);
    /* zero-length attribute (would loop forever in a naive parser) */
    static const uint8_t zero_at[] = {2, 1, 0, 12, 50, 1, 0, 0, 11, 0, 0, 0};
    assert_int_equal(g5_eap_aka_decode(zero_at, sizeof zero_at, &m), G5_ERR_INVALID);
    /* attribute header cut */
    static const uint8_t half_at[] = {2, 1, 0, 9, 50, 1, 0, 0, 11};
    assert_int_equal(g5_eap_aka_decode(half_at, sizeof half_at, &m), G5_ERR_TRUNCATED);
    /* attribute longer than the packet */
    static const uint8_t over_at[] = {2, 1, 0, 12, 50, 1, 0, 0, 11, 5, 0, 0};
    assert_int_equal(g5_eap_aka_decode(over_at, sizeof over_at, &m), G5_ERR_TRUNCATED);
    /* AT_MAC of the wrong size (4 units instead of 5) */
    uint8_t mac4[8 + 16] = {2, 1, 0, 24, 50, 1, 0, 0, 11, 4};
    assert_int_equal(g5_eap_aka_decode(mac4, sizeof mac4, &m), G5_ERR_INVALID);
    /* duplicate AT_MAC */
    uint8_t dup[8 + 40] = {2, 1, 0, 48, 50, 1, 0, 0, 11, 5};
    dup[28] = 11;
    dup[29] = 5;
    assert_int_equal(g5_eap_aka_decode(dup, sizeof dup, &m), G5_ERR_REPEATED);
    /* AT_RES: 60 bits (not whole octets) and 64 bits in a too-long attribute */
    uint8_t res60[20] = {2, 1, 0, 20, 50, 1, 0, 0, 3, 3, 0, 60};
    assert_int_equal(g5_eap_aka_decode(res60, sizeof res60, &m), G5_ERR_INVALID);
    uint8_t res_long[24] = {2, 1, 0, 24, 50, 1, 0, 0, 3, 4, 0, 64};
    assert_int_equal(g5_eap_aka_decode(res_long, sizeof res_long, &m), G5_ERR_INVALID);
    /* AT_AUTS of the wrong size */
    uint8_t auts[20] = {2, 1, 0, 20, 50, 4, 0, 0, 4, 3};
    assert_int_equal(g5_eap_aka_decode(auts, sizeof auts, &m), G5_ERR_INVALID);
    /* AT_KDF_INPUT: name length 0, and more padding than 3 octets */
    uint8_t kin0[16] = {2, 1, 0, 16, 50, 1, 0, 0, 23, 2, 0, 0};
    assert_int_equal(g5_eap_aka_decode(kin0, sizeof kin0, &m), G5_ERR_INVALID);
    uint8_t kinpad[20] = {2, 1, 0, 20, 50, 1, 0, 0, 23, 3, 0, 2, 'a', 'b'};
    assert_int_equal(g5_eap_aka_decode(kinpad, sizeof kinpad, &m), G5_ERR_INVALID);
    uint8_t kinnul[16] = {2, 1, 0, 16, 50, 1, 0, 0, 23, 2, 0, 2, 'a', 0};
    assert_int_equal(g5_eap_aka_decode(kinnul, sizeof kinnul, &m), G5_ERR_INVALID);
    /* more AT_KDF than we keep */
    uint8_t kdf5[8 + 20] = {2, 1, 0, 28, 50, 1, 0, 0};
    for (int i = 0; i < 5; i++) {
        kdf5[8 + 4 * i] = 24;
        kdf5[9 + 4 * i] = 1;
        kdf5[11 + 4 * i] = 1;
    }
    assert_int_equal(g5_eap_aka_decode(kdf5, sizeof kdf5, &m), G5_ERR_REPEATED);
    /* unknown attributes: non-skippable (< 128) refused, skippable ignored */
    uint8_t unk[12] = {2, 1, 0, 12, 50, 1, 0, 0, 99, 1};
    assert_int_equal(g5_eap_aka_decode(unk, sizeof unk, &m), G5_ERR_INVALID);
    unk[8] = 200;
    assert_int_equal(g5_eap_aka_decode(unk, sizeof unk, &m), 0);
    /* a MAC offset outside the packet is refused, not read */
    uint8_t k[32] = {0}, mac[16];
    assert_int_equal(g5_eap_aka_mac(k, unk, sizeof unk, 8, mac), G5_ERR_INVALID);
}

/* ---- AUSF as EAP server ------------------------------------------------------------ */

typedef struct t_peer {
    t_usim usim;
    uint8_t k_aut[32];
    uint8_t kseaf[32];
    uint8_t res[8];
    uint8_t rand[16];
    uint8_t id;
} t_peer;

/* Checks a Request/AKA'-Challenge like a 5G UE: layout, AT_KDF = 1, AT_KDF_INPUT = SNN,
 * AUTN (USIM), then keys and AT_MAC. Returns the USIM verdict; on sync failure auts. */
static int peer_challenge(t_peer *pe, const uint8_t *p, size_t n, uint8_t auts[14])
{
    g5_eap_aka m;
    assert_int_equal(g5_eap_aka_decode(p, n, &m), 0);
    assert_int_equal(p[0], G5_EAP_REQUEST);
    assert_int_equal(p[4], 50);
    assert_int_equal(p[5], G5_EAP_AKA_CHALLENGE);
    assert_true(m.has_rand && m.has_autn && m.has_mac && m.has_kdf_input);
    assert_int_equal(m.n_kdf, 1);
    assert_int_equal(m.kdf[0], 1);
    assert_string_equal(m.kdf_input, T_SNN);
    pe->id = m.id;
    memcpy(pe->rand, m.rand, 16);
    uint8_t ck[16], ik[16], ckp[16], ikp[16];
    int v = t_usim_auth(&pe->usim, m.rand, m.autn, T_SNN, NULL, NULL, ck, ik, pe->res, auts);
    if (v != T_USIM_OK)
        return v;
    assert_int_equal(g5_kdf_ck_ik_prime(ck, ik, m.kdf_input, m.autn, ckp, ikp), 0);
    const char *identity = pe->usim.supi + 5; /* TS 33.501 F.3: the IMSI */
    g5_eap_aka_prime_keys keys;
    assert_int_equal(
        g5_eap_aka_prime_keys_derive(ikp, ckp, (const uint8_t *)identity, strlen(identity), &keys),
        0);
    memcpy(pe->k_aut, keys.k_aut, 32);
    assert_int_equal(g5_kdf_kseaf(keys.emsk, T_SNN, pe->kseaf), 0); /* KAUSF = EMSK[0..31] */
    /* AT_MAC of the Request, recomputed with OpenSSL directly */
    uint8_t copy[G5_EAP_MAX], md[32];
    unsigned mdlen = 0;
    memcpy(copy, p, n);
    memset(copy + m.mac_offset, 0, 16);
    HMAC(EVP_sha256(), pe->k_aut, 32, copy, n, md, &mdlen);
    assert_memory_equal(md, m.mac, 16);
    return T_USIM_OK;
}

typedef struct t_cb {
    int called, rc;
    bool in_call, reentered;
    ausf_ue_auth_ctx ctx;
    ausf_confirm_result res;
    g5_sbi_problem pd;
} t_cb;

static void on_auth(void *arg, int rc, const ausf_ue_auth_ctx *ctx, const g5_sbi_problem *pd)
{
    t_cb *c = arg;
    c->called++;
    c->rc = rc;
    c->reentered = c->in_call;
    if (ctx)
        c->ctx = *ctx;
    if (pd)
        c->pd = *pd;
}

static void on_eap(void *arg, int rc, const ausf_confirm_result *res, const g5_sbi_problem *pd)
{
    t_cb *c = arg;
    c->called++;
    c->rc = rc;
    c->reentered = c->in_call;
    if (res)
        c->res = *res;
    if (pd)
        c->pd = *pd;
}

static void start(t_nf *n, t_peer *pe, unsigned idx, t_cb *c)
{
    g5_subscriber s;
    assert_int_equal(t_provision(n, idx, G5_AUTH_EAP_AKA_PRIME, &s), 0);
    memset(pe, 0, sizeof *pe);
    t_usim_from(&pe->usim, &s);
    ausf_auth_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.supi_or_suci, sizeof info.supi_or_suci, "%s", s.supi);
    snprintf(info.serving_network_name, sizeof info.serving_network_name, T_SNN);
    memset(c, 0, sizeof *c);
    assert_true(ausf_authenticate(n->ausf, &info, on_auth, c) != 0);
    assert_true(t_run_until(n, &c->called));
    assert_int_equal(c->rc, 0);
    assert_int_equal(c->ctx.auth_type, G5_AUTH_EAP_AKA_PRIME);
    assert_true(c->ctx.eap_len > 8);
}

static int send_eap(t_nf *n, uint64_t ctx_id, const uint8_t *p, size_t len, t_cb *c)
{
    memset(c, 0, sizeof *c);
    c->in_call = true;
    assert_true(ausf_eap_session(n->ausf, ctx_id, p, len, on_eap, c) != 0);
    c->in_call = false;
    assert_int_equal(c->called, 0);
    assert_true(t_run_until(n, &c->called));
    assert_false(c->reentered);
    return c->rc;
}

/* With G5_EAP_DUMP set, appends "<name> <hex>" lines of packets the AUSF built, for the
 * tshark check in tests/integration/test_ausf_eap_tshark.py. */
static void dump_packet(const char *name, const uint8_t *p, size_t n)
{
    const char *path = getenv("G5_EAP_DUMP");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "%s ", name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
    fprintf(f, "\n");
    fclose(f);
}

static void test_eap_success(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    t_peer pe;
    t_cb a, c;
    start(&n, &pe, 1, &a);
    assert_int_equal(peer_challenge(&pe, a.ctx.eap, a.ctx.eap_len, NULL), T_USIM_OK);
    dump_packet("challenge", a.ctx.eap, a.ctx.eap_len);
    /* a Response with another Identifier is discarded (400), the context survives */
    uint8_t resp[64];
    size_t len = build_challenge_resp(resp, (uint8_t)(pe.id + 1), pe.res, pe.k_aut);
    assert_int_equal(send_eap(&n, a.ctx.ctx_id, resp, len, &c), G5_ERR_INVALID);
    assert_int_equal(c.pd.status, 400);
    /* 5G-AKA confirmation on an EAP context is refused */
    uint8_t rs[16] = {0};
    memset(&c, 0, sizeof c);
    assert_true(ausf_5g_aka_confirm(n.ausf, a.ctx.ctx_id, rs, on_eap, &c) != 0);
    assert_true(t_run_until(&n, &c.called));
    assert_int_equal(c.pd.status, 400);

    len = build_challenge_resp(resp, pe.id, pe.res, pe.k_aut);
    assert_int_equal(send_eap(&n, a.ctx.ctx_id, resp, len, &c), 0);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_SUCCESS);
    static const uint8_t succ[4] = {3, 0, 0, 4};
    assert_int_equal(c.res.eap_len, 4);
    assert_int_equal(c.res.eap[0], succ[0]);
    assert_int_equal(c.res.eap[1], pe.id);
    assert_string_equal(c.res.supi, pe.usim.supi);
    assert_memory_equal(c.res.kseaf, pe.kseaf, 32);
    assert_int_equal(ausf_ctx_count(n.ausf), 0);
    dump_packet("response", resp, len);
    dump_packet("success", c.res.eap, c.res.eap_len);
    t_spin(&n);
    udm_auth_event ev;
    assert_int_equal(udm_auth_event_lookup(n.udm, pe.usim.supi, &ev), 0);
    assert_true(ev.success);
    assert_int_equal(ev.auth_type, G5_AUTH_EAP_AKA_PRIME);
    t_nf_down(&n);
}

static void expect_failure(t_nf *n, uint64_t ctx, const uint8_t *p, size_t len)
{
    t_cb c;
    assert_int_equal(send_eap(n, ctx, p, len, &c), 0);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_FAILURE);
    assert_int_equal(c.res.eap_len, 4);
    assert_int_equal(c.res.eap[0], G5_EAP_FAILURE);
    assert_string_equal(c.res.supi, "");
    assert_int_equal(ausf_ctx_count(n->ausf), 0);
}

static void test_eap_failures(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    t_peer pe;
    t_cb a;
    uint8_t resp[64];
    /* AT_MAC wrong */
    start(&n, &pe, 2, &a);
    assert_int_equal(peer_challenge(&pe, a.ctx.eap, a.ctx.eap_len, NULL), T_USIM_OK);
    size_t len = build_challenge_resp(resp, pe.id, pe.res, pe.k_aut);
    resp[30] ^= 1;
    expect_failure(&n, a.ctx.ctx_id, resp, len);
    /* AT_RES wrong, AT_MAC right */
    start(&n, &pe, 3, &a);
    assert_int_equal(peer_challenge(&pe, a.ctx.eap, a.ctx.eap_len, NULL), T_USIM_OK);
    pe.res[0] ^= 1;
    len = build_challenge_resp(resp, pe.id, pe.res, pe.k_aut);
    expect_failure(&n, a.ctx.ctx_id, resp, len);
    /* AKA'-Authentication-Reject (the UE did not accept AUTN) */
    start(&n, &pe, 4, &a);
    uint8_t rej[8] = {2, 0, 0, 8, 50, G5_EAP_AKA_AUTHENTICATION_REJECT, 0, 0};
    rej[1] = a.ctx.eap[1];
    expect_failure(&n, a.ctx.ctx_id, rej, sizeof rej);
    /* AKA'-Client-Error, code 0 (unable to process packet) */
    start(&n, &pe, 5, &a);
    uint8_t cerr[12] = {2, 0, 0, 12, 50, G5_EAP_AKA_CLIENT_ERROR, 0, 0, 22, 1, 0, 0};
    cerr[1] = a.ctx.eap[1];
    expect_failure(&n, a.ctx.ctx_id, cerr, sizeof cerr);
    /* garbage */
    start(&n, &pe, 6, &a);
    uint8_t junk[12] = {2, 0, 0, 12, 50, 1, 0, 0, 11, 0, 0, 0};
    junk[1] = a.ctx.eap[1];
    expect_failure(&n, a.ctx.ctx_id, junk, sizeof junk);
    t_nf_down(&n);
}

/* Synchronization-Failure with AT_AUTS: the AUSF resyncs through the UDM and sends a new
 * Challenge (ONGOING) that the USIM accepts; a second sync failure ends the exchange. */
static void test_eap_resync(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    t_peer pe;
    t_cb a, c;
    start(&n, &pe, 7, &a);
    pe.usim.sqn_ms = 0x0000777777e0ull;
    uint8_t sync[24] = {2, 0, 0, 24, 50, G5_EAP_AKA_SYNCHRONIZATION_FAILURE, 0, 0, 4, 4};
    assert_int_equal(peer_challenge(&pe, a.ctx.eap, a.ctx.eap_len, sync + 10), T_USIM_SYNC_FAIL);
    sync[1] = pe.id;
    assert_int_equal(send_eap(&n, a.ctx.ctx_id, sync, sizeof sync, &c), 0);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_ONGOING);
    assert_int_equal(peer_challenge(&pe, c.res.eap, c.res.eap_len, NULL), T_USIM_OK);
    assert_int_equal(pe.id, (uint8_t)(a.ctx.eap[1] + 1));
    uint8_t resp[64];
    size_t len = build_challenge_resp(resp, pe.id, pe.res, pe.k_aut);
    assert_int_equal(send_eap(&n, a.ctx.ctx_id, resp, len, &c), 0);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_SUCCESS);
    assert_memory_equal(c.res.kseaf, pe.kseaf, 32);

    /* a forged AUTS (wrong MAC-S) fails the exchange */
    start(&n, &pe, 8, &a);
    pe.usim.sqn_ms = 0x0000777777e0ull;
    assert_int_equal(peer_challenge(&pe, a.ctx.eap, a.ctx.eap_len, sync + 10), T_USIM_SYNC_FAIL);
    sync[1] = pe.id;
    sync[23] ^= 1;
    expect_failure(&n, a.ctx.ctx_id, sync, sizeof sync);
    t_nf_down(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_valid), cmocka_unit_test(test_codec_malformed),
        cmocka_unit_test(test_eap_success), cmocka_unit_test(test_eap_failures),
        cmocka_unit_test(test_eap_resync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
