/* UDM Nudm_UEAuthentication_Get / ResultConfirmation, SDM and UECM with a real SQLite
 * store: vectors checked by a USIM built on the crypto library, SUCI null/A/B through the
 * SIDF, the problem causes of TS 29.503, SQN uniqueness, resynchronisation, the EAP-AKA'
 * transformed vector against TS 35.208 set 19 / RFC 5448 case 1 (CK'/IK' for a 5G network
 * name from an independent Python hmac computation), deferred callbacks and cancel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ausf_test_util.h"
#include "core/hex.h"

typedef struct t_av {
    int called;
    int rc;
    bool in_call; /* set by the test around the service call */
    bool reentered;
    udm_auth_info_result res;
    g5_sbi_problem pd;
} t_av;

static void on_av(void *arg, int rc, const udm_auth_info_result *res, const g5_sbi_problem *pd)
{
    t_av *a = arg;
    a->called++;
    a->rc = rc;
    a->reentered = a->in_call;
    if (res)
        a->res = *res;
    if (pd)
        a->pd = *pd;
}

static int get_av(t_nf *n, const char *id, const udm_resync_info *rs, t_av *a)
{
    memset(a, 0, sizeof *a);
    udm_auth_info_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.supi_or_suci, sizeof req.supi_or_suci, "%s", id);
    snprintf(req.serving_network_name, sizeof req.serving_network_name, "%s", T_SNN);
    if (rs) {
        req.has_resync = true;
        req.resync = *rs;
    }
    a->in_call = true;
    uint64_t h = udm_ueau_get(n->udm, &req, on_av, a);
    a->in_call = false;
    assert_true(h != 0);
    assert_int_equal(a->called, 0); /* never inside the call */
    assert_true(t_run_until(n, &a->called));
    assert_int_equal(a->called, 1);
    assert_false(a->reentered);
    return a->rc;
}

/* 5G HE AV accepted by the USIM: XRES* == RES*, KAUSF equal on both sides. */
static void check_5g_av(const t_av *a, t_usim *u)
{
    uint8_t res_star[16], kausf[32];
    assert_int_equal(
        t_usim_auth(u, a->res.rand, a->res.autn, T_SNN, res_star, kausf, NULL, NULL, NULL, NULL),
        T_USIM_OK);
    assert_int_equal(a->res.auth_type, G5_AUTH_5G_AKA);
    assert_memory_equal(res_star, a->res.xres_star, 16);
    assert_memory_equal(kausf, a->res.kausf, 32);
}

static void test_supi_and_null_scheme(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 1, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    t_av a;
    assert_int_equal(get_av(&n, s.supi, NULL, &a), 0);
    assert_string_equal(a.res.supi, s.supi);
    check_5g_av(&a, &u);
    /* null scheme: suci-0-MCC-MNC-RI-0-0-MSIN (TS 23.003 §2.2B) */
    char suci[80];
    snprintf(suci, sizeof suci, "suci-0-001-01-0000-0-0-%s", s.supi + 10);
    assert_int_equal(get_av(&n, suci, NULL, &a), 0);
    assert_string_equal(a.res.supi, s.supi);
    check_5g_av(&a, &u);
    t_nf_down(&n);
}

static void conceal(t_nf *n, const g5_subscriber *s, int profile, char *out, size_t cap)
{
    uint8_t pub[G5_SUCI_PUB_MAX], kid;
    size_t len;
    assert_int_equal(udm_hn_pubkey(n->udm, profile, &kid, pub, &len), 0);
    assert_int_equal(len, g5_suci_pub_len(profile));
    assert_int_equal(kid, profile == G5_SUCI_PROFILE_A ? 1 : 2); /* default key ids */
    g5_supi supi;
    assert_int_equal(g5_supi_parse(s->supi, 2, &supi), 0);
    g5_suci suci;
    assert_int_equal(g5_suci_conceal(&supi, profile, pub, len, kid, "0", NULL, &suci), 0);
    assert_int_equal(g5_suci_format(&suci, out, cap), 0);
}

static void test_suci_profiles(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 7, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    char suci[G5_SUCI_STR_MAX];
    t_av a;
    for (int p = G5_SUCI_PROFILE_A; p <= G5_SUCI_PROFILE_B; p++) {
        conceal(&n, &s, p, suci, sizeof suci);
        assert_int_equal(get_av(&n, suci, NULL, &a), 0);
        assert_string_equal(a.res.supi, s.supi);
        check_5g_av(&a, &u);

        /* wrong MAC tag: flip the last hex digit of the scheme output */
        char bad[G5_SUCI_STR_MAX];
        snprintf(bad, sizeof bad, "%s", suci);
        size_t l = strlen(bad);
        bad[l - 1] = bad[l - 1] == '0' ? '1' : '0';
        assert_int_equal(get_av(&n, bad, NULL, &a), G5_ERR_CRYPTO);
        assert_int_equal(a.pd.status, 403);
        assert_string_equal(a.pd.cause, "INVALID_SCHEME_OUTPUT");

        /* invalid ephemeral key: B with prefix 0x05 (not a point encoding), A all zero
         * (small-order point) */
        snprintf(bad, sizeof bad, "%s", suci);
        char *out = strrchr(bad, '-') + 1;
        if (p == G5_SUCI_PROFILE_B)
            memcpy(out, "05", 2);
        else
            memset(out, '0', 64);
        assert_int_not_equal(get_av(&n, bad, NULL, &a), 0);
        assert_int_equal(a.pd.status, 403);
        assert_string_equal(a.pd.cause, "INVALID_SCHEME_OUTPUT");

        /* unknown key id */
        snprintf(bad, sizeof bad, "%s", suci);
        char *kid = strrchr(bad, '-') - 1; /* single-digit key id */
        *kid = '9';
        assert_int_equal(get_av(&n, bad, NULL, &a), G5_ERR_NOT_FOUND);
        assert_int_equal(a.pd.status, 403);
        assert_string_equal(a.pd.cause, "INVALID_HN_PUBLIC_KEY_IDENTIFIER");
    }
    /* unsupported scheme id 3 */
    assert_int_equal(get_av(&n, "suci-0-001-01-0000-3-1-0011223344556677", NULL, &a),
                     G5_ERR_UNSUPPORTED);
    assert_int_equal(a.pd.status, 501);
    assert_string_equal(a.pd.cause, "UNSUPPORTED_PROTECTION_SCHEME");
    /* not a SUCI at all */
    assert_int_equal(get_av(&n, "suci-zz", NULL, &a), G5_ERR_INVALID);
    assert_int_equal(a.pd.status, 400);
    t_nf_down(&n);
}

/* Home-network keys: generated once, persisted (encrypted kv), stable across restarts,
 * never the TS 33.501 Annex C.4 test keys. */
static void test_hn_keys_persist(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    uint8_t pa[G5_SUCI_PUB_MAX], pb[G5_SUCI_PUB_MAX], p2[G5_SUCI_PUB_MAX], kid;
    size_t la, lb, l2;
    assert_int_equal(udm_hn_pubkey(n.udm, G5_SUCI_PROFILE_A, &kid, pa, &la), 0);
    assert_int_equal(udm_hn_pubkey(n.udm, G5_SUCI_PROFILE_B, &kid, pb, &lb), 0);
    assert_int_equal(udm_hn_pubkey(n.udm, 0, &kid, p2, &l2), G5_ERR_INVALID);
    uint8_t annex_c_a[32];
    g5_hex_decode_exact("5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650",
                        annex_c_a, 32);
    assert_memory_not_equal(pa, annex_c_a, 32);
    uint8_t priv[64];
    size_t plen;
    assert_int_equal(g5_store_kv_get(n.st, "suci/hn/profile-a/1", priv, sizeof priv, &plen), 0);
    assert_int_equal(plen, 32);
    /* a second UDM on the same store loads the same keys */
    char err[200];
    udm *u2 = udm_new(&n.loop, n.udr, n.st, NULL, err, sizeof err);
    assert_non_null(u2);
    assert_int_equal(udm_hn_pubkey(u2, G5_SUCI_PROFILE_A, &kid, p2, &l2), 0);
    assert_memory_equal(p2, pa, 32);
    assert_int_equal(udm_hn_pubkey(u2, G5_SUCI_PROFILE_B, &kid, p2, &l2), 0);
    assert_memory_equal(p2, pb, 33);
    udm_free(u2);
    /* configured key ids: a new pair under the new id */
    udm_config cfg = {.hn_key_id_a = 7, .hn_key_id_b = 8};
    u2 = udm_new(&n.loop, n.udr, n.st, &cfg, err, sizeof err);
    assert_non_null(u2);
    assert_int_equal(udm_hn_pubkey(u2, G5_SUCI_PROFILE_A, &kid, p2, &l2), 0);
    assert_int_equal(kid, 7);
    assert_memory_not_equal(p2, pa, 32);
    udm_free(u2);
    t_nf_down(&n);
}

static void test_errors(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    t_av a;
    assert_int_equal(get_av(&n, "imsi-001010000009999", NULL, &a), G5_ERR_NOT_FOUND);
    assert_int_equal(a.pd.status, 404);
    assert_string_equal(a.pd.cause, "USER_NOT_FOUND");
    assert_int_equal(get_av(&n, "imsi-0010", NULL, &a), G5_ERR_INVALID);
    assert_int_equal(a.pd.status, 400);
    /* serving network name not of the 5G form */
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 2, G5_AUTH_5G_AKA, &s), 0);
    udm_auth_info_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.supi_or_suci, sizeof req.supi_or_suci, "%s", s.supi);
    snprintf(req.serving_network_name, sizeof req.serving_network_name, "WLAN");
    memset(&a, 0, sizeof a);
    assert_true(udm_ueau_get(n.udm, &req, on_av, &a) != 0);
    assert_true(t_run_until(&n, &a.called));
    assert_int_equal(a.pd.status, 403);
    assert_string_equal(a.pd.cause, "SERVING_NETWORK_NOT_AUTHORIZED");
    t_nf_down(&n);
}

/* Every vector carries a fresh SQN: 300 vectors, each accepted by the USIM in order. */
static void test_sqn_never_reused(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 3, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    t_av a;
    uint64_t prev = 0;
    for (int i = 0; i < 300; i++) {
        assert_int_equal(get_av(&n, s.supi, NULL, &a), 0);
        check_5g_av(&a, &u); /* fails on a stale (reused) SQN */
        assert_true(u.sqn_ms > prev);
        prev = u.sqn_ms;
    }
    t_nf_down(&n);
}

/* TS 33.102 §6.3.5: a USIM whose SQN is ahead answers with AUTS; the next vector after
 * the resync is fresh for it. A forged AUTS is refused and moves nothing. */
static void test_resync(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 4, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    u.sqn_ms = 0x0000123456e0ull; /* far ahead of the HE */
    t_av a;
    assert_int_equal(get_av(&n, s.supi, NULL, &a), 0);
    udm_resync_info rs;
    memcpy(rs.rand, a.res.rand, 16);
    assert_int_equal(
        t_usim_auth(&u, a.res.rand, a.res.autn, T_SNN, NULL, NULL, NULL, NULL, NULL, rs.auts),
        T_USIM_SYNC_FAIL);
    udm_resync_info forged = rs;
    forged.auts[13] ^= 1;
    assert_int_equal(get_av(&n, s.supi, &forged, &a), G5_ERR_CRYPTO);
    assert_int_equal(a.pd.status, 403);
    assert_string_equal(a.pd.cause, "AUTHENTICATION_REJECTED");
    assert_int_equal(get_av(&n, s.supi, &rs, &a), 0);
    check_5g_av(&a, &u);
    assert_true(u.sqn_ms > 0x0000123456e0ull);
    /* and the HE stays ahead afterwards */
    assert_int_equal(get_av(&n, s.supi, NULL, &a), 0);
    check_5g_av(&a, &u);
    t_nf_down(&n);
}

/* EAP-AKA' transformed AV: TS 35.208 set 19 (the RFC 5448 case 1 inputs): RAND, AUTN and
 * XRES as published; CK'/IK' for the 5G serving network name computed independently
 * (Python hmac/hashlib, TS 33.501 A.3 / RFC 5448 §3.3; the same script reproduces the
 * RFC's "WLAN" values). */
static void set19_rand(void *arg, uint8_t rand[16])
{
    (void)arg;
    g5_hex_decode_exact("81e92b6c0ee0e12ebceba8d92a99dfa5", rand, 16);
}

static void test_eap_aka_prime_vector(void **state)
{
    (void)state;
    t_nf n;
    udm_config cfg = {.rand_fn = set19_rand};
    assert_int_equal(t_nf_up(&n, &cfg, NULL), 0);
    g5_subscriber s;
    t_sub(&s, 19);
    s.auth_method = G5_AUTH_EAP_AKA_PRIME;
    g5_hex_decode_exact("5122250214c33e723a5dd523fc145fc0", s.k, 16);
    g5_hex_decode_exact("981d464c7c52eb6e5036234984ad0bcf", s.op, 16);
    s.op_kind = G5_OP_IS_OPC;
    s.amf[0] = 0xc3;
    s.amf[1] = 0xab;
    /* SQN_HE one step before 16f3b3f70fc2 (SEQ 0xb79d9fb87e, IND 2) */
    s.sqn = (UINT64_C(0xb79d9fb87d) << 5) | 1;
    assert_int_equal(g5_store_sub_put(n.st, &s), 0);
    t_av a;
    assert_int_equal(get_av(&n, s.supi, NULL, &a), 0);
    assert_int_equal(a.res.auth_type, G5_AUTH_EAP_AKA_PRIME);
    uint8_t e[16];
    g5_hex_decode_exact("bb52e91c747ac3ab2a5c23d15ee351d5", e, 16); /* RFC 5448 AUTN */
    assert_memory_equal(a.res.autn, e, 16);
    g5_hex_decode_exact("28d7b0f2a2ec3de5", e, 8); /* RES (f2) */
    assert_int_equal(a.res.xres_len, 8);
    assert_memory_equal(a.res.xres, e, 8);
    g5_hex_decode_exact("517667690b4f5cfab84a70491f006768", e, 16);
    assert_memory_equal(a.res.ck_prime, e, 16);
    g5_hex_decode_exact("2f0c494c77d7fa2503ea2a4aa48178dd", e, 16);
    assert_memory_equal(a.res.ik_prime, e, 16);
    t_nf_down(&n);
}

static void test_cancel_never_calls_back(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 5, G5_AUTH_5G_AKA, &s), 0);
    udm_auth_info_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.supi_or_suci, sizeof req.supi_or_suci, "%s", s.supi);
    snprintf(req.serving_network_name, sizeof req.serving_network_name, T_SNN);
    t_av a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    uint64_t h1 = udm_ueau_get(n.udm, &req, on_av, &a);
    uint64_t h2 = udm_ueau_get(n.udm, &req, on_av, &b);
    assert_int_equal(udm_cancel(n.udm, h1), 0);
    assert_int_equal(udm_cancel(n.udm, h1), G5_ERR_NOT_FOUND);
    assert_true(t_run_until(&n, &b.called));
    t_spin(&n);
    assert_int_equal(a.called, 0);
    assert_int_equal(b.called, 1);
    assert_int_equal(udm_cancel(n.udm, h2), G5_ERR_NOT_FOUND); /* completed: no-op */
    /* the cancelled request consumed no SQN: b got the first one */
    g5_subscriber now;
    assert_int_equal(g5_store_sub_get(n.st, s.supi, &now), 0);
    assert_int_equal(now.sqn, 0x21);
    /* cancelled while running on the thread pool: the work finishes, no callback */
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    h1 = udm_ueau_get(n.udm, &req, on_av, &a);
    uv_run(&n.loop, UV_RUN_NOWAIT); /* drains the queue: a goes to the worker */
    assert_int_equal(udm_cancel(n.udm, h1), 0);
    assert_true(udm_ueau_get(n.udm, &req, on_av, &b) != 0);
    assert_true(t_run_until(&n, &b.called)); /* one at a time: a's work ended before b's */
    assert_int_equal(a.called, 0);
    /* pending at udm_free, queued and in flight: dropped without callback, no leak */
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_true(udm_ueau_get(n.udm, &req, on_av, &a) != 0);
    uv_run(&n.loop, UV_RUN_NOWAIT);
    assert_true(udm_ueau_get(n.udm, &req, on_av, &b) != 0);
    t_nf_down(&n);
    assert_int_equal(a.called, 0);
    assert_int_equal(b.called, 0);
}

/* ---- SDM, UECM, auth events -------------------------------------------------------- */

typedef struct t_done {
    int called, rc;
    g5_sbi_problem pd;
    udr_am_data am;
    udr_sm_data sm;
} t_done;

static void on_done(void *arg, int rc, const g5_sbi_problem *pd)
{
    t_done *d = arg;
    d->called++;
    d->rc = rc;
    if (pd)
        d->pd = *pd;
}
static void on_am(void *arg, int rc, const udr_am_data *am, const g5_sbi_problem *pd)
{
    t_done *d = arg;
    d->called++;
    d->rc = rc;
    if (am)
        d->am = *am;
    if (pd)
        d->pd = *pd;
}
static void on_sm(void *arg, int rc, const udr_sm_data *sm, const g5_sbi_problem *pd)
{
    t_done *d = arg;
    d->called++;
    d->rc = rc;
    if (sm)
        d->sm = *sm;
    if (pd)
        d->pd = *pd;
}

static void test_sdm_uecm_events(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    t_sub(&s, 6);
    s.nssai[1] = (g5_snssai){.sst = 2, .sd = 0x000001};
    s.n_nssai = 2;
    snprintf(s.dnns[1], sizeof s.dnns[1], "ims");
    s.n_dnns = 2;
    assert_int_equal(g5_store_sub_put(n.st, &s), 0);

    t_done d = {0};
    assert_true(udm_sdm_get_am_data(n.udm, s.supi, on_am, &d) != 0);
    assert_int_equal(d.called, 0);
    assert_true(t_run_until(&n, &d.called));
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.am.n_default_single_nssais, 2);
    assert_int_equal(d.am.default_single_nssais[1].sst, 2);
    assert_int_equal(d.am.subscribed_ue_ambr_dl, s.ambr_dl);

    memset(&d, 0, sizeof d);
    g5_snssai want = {.sst = 2, .sd = 0x000001};
    assert_true(udm_sdm_get_sm_data(n.udm, s.supi, &want, on_sm, &d) != 0);
    assert_true(t_run_until(&n, &d.called));
    assert_int_equal(d.rc, 0);
    assert_int_equal(d.sm.n_items, 1);
    assert_int_equal(d.sm.items[0].n_dnns, 2);
    assert_string_equal(d.sm.items[0].dnns[d.sm.items[0].default_dnn], "internet");

    memset(&d, 0, sizeof d);
    assert_true(udm_sdm_get_am_data(n.udm, "imsi-001019999999999", on_am, &d) != 0);
    assert_true(t_run_until(&n, &d.called));
    assert_int_equal(d.pd.status, 404);
    assert_string_equal(d.pd.cause, "USER_NOT_FOUND");

    /* UECM: register, replace by another AMF, deregistration by the wrong AMF refused */
    udm_amf_registration reg = {.amf_instance_id = "amf-a", .initial_registration_ind = true};
    memset(&d, 0, sizeof d);
    assert_true(udm_uecm_amf_register(n.udm, s.supi, &reg, on_done, &d) != 0);
    assert_true(t_run_until(&n, &d.called));
    udm_amf_registration got;
    assert_int_equal(udm_uecm_amf_lookup(n.udm, s.supi, &got), 0);
    assert_string_equal(got.amf_instance_id, "amf-a");
    snprintf(reg.amf_instance_id, sizeof reg.amf_instance_id, "amf-b");
    memset(&d, 0, sizeof d);
    assert_true(udm_uecm_amf_register(n.udm, s.supi, &reg, on_done, &d) != 0);
    assert_true(t_run_until(&n, &d.called));
    assert_int_equal(udm_uecm_amf_lookup(n.udm, s.supi, &got), 0);
    assert_string_equal(got.amf_instance_id, "amf-b");
    memset(&d, 0, sizeof d);
    assert_true(udm_uecm_amf_deregister(n.udm, s.supi, "amf-a", on_done, &d) != 0);
    assert_true(t_run_until(&n, &d.called));
    assert_int_equal(d.pd.status, 404);
    assert_int_equal(udm_uecm_amf_lookup(n.udm, s.supi, &got), 0);
    memset(&d, 0, sizeof d);
    assert_true(udm_uecm_amf_deregister(n.udm, s.supi, "amf-b", on_done, &d) != 0);
    assert_true(t_run_until(&n, &d.called));
    assert_int_equal(d.rc, 0);
    assert_int_equal(udm_uecm_amf_lookup(n.udm, s.supi, &got), G5_ERR_NOT_FOUND);

    /* auth events: recorded with time, last one wins; fire-and-forget without callback */
    udm_auth_event ev = {.success = false, .auth_type = G5_AUTH_5G_AKA};
    snprintf(ev.serving_network_name, sizeof ev.serving_network_name, T_SNN);
    assert_true(udm_ueau_result_confirm(n.udm, s.supi, &ev, NULL, NULL) != 0);
    ev.success = true;
    memset(&d, 0, sizeof d);
    assert_true(udm_ueau_result_confirm(n.udm, s.supi, &ev, on_done, &d) != 0);
    assert_int_equal(udm_auth_event_lookup(n.udm, s.supi, &ev), G5_ERR_NOT_FOUND);
    assert_true(t_run_until(&n, &d.called));
    udm_auth_event rec;
    assert_int_equal(udm_auth_event_lookup(n.udm, s.supi, &rec), 0);
    assert_true(rec.success);
    assert_true(rec.time_stamp > 1700000000);
    t_nf_down(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supi_and_null_scheme), cmocka_unit_test(test_suci_profiles),
        cmocka_unit_test(test_hn_keys_persist),      cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sqn_never_reused),     cmocka_unit_test(test_resync),
        cmocka_unit_test(test_eap_aka_prime_vector), cmocka_unit_test(test_cancel_never_calls_back),
        cmocka_unit_test(test_sdm_uecm_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
