/* AUSF 5G-AKA (TS 33.501 §6.1.3.2) end to end through UDM, UDR and a real SQLite store,
 * with the UE side (USIM + ME) computed by the crypto library: AUTN check, RES*, HRES*
 * against the HXRES* the AMF gets, confirmation, KSEAF equal on both sides; wrong RES*,
 * single-use and expiring contexts, resync, unknown SUPI, cancel and no re-entrancy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ausf_test_util.h"

typedef struct t_auth {
    int called, rc;
    bool in_call, reentered;
    ausf_ue_auth_ctx ctx;
    g5_sbi_problem pd;
} t_auth;

typedef struct t_conf {
    int called, rc;
    bool in_call, reentered;
    ausf_confirm_result res;
    g5_sbi_problem pd;
} t_conf;

static void on_auth(void *arg, int rc, const ausf_ue_auth_ctx *ctx, const g5_sbi_problem *pd)
{
    t_auth *a = arg;
    a->called++;
    a->rc = rc;
    a->reentered = a->in_call;
    if (ctx)
        a->ctx = *ctx;
    if (pd)
        a->pd = *pd;
}

static ausf *g_ausf; /* for the cancel-inside-callback check */
static uint64_t g_self_id;
static int g_self_cancel_rc;

static void on_conf(void *arg, int rc, const ausf_confirm_result *res, const g5_sbi_problem *pd)
{
    t_conf *c = arg;
    if (g_ausf)
        g_self_cancel_rc = ausf_cancel(g_ausf, g_self_id);
    c->called++;
    c->rc = rc;
    c->reentered = c->in_call;
    if (res)
        c->res = *res;
    if (pd)
        c->pd = *pd;
}

static int authenticate(t_nf *n, const char *id, const udm_resync_info *rs, t_auth *a)
{
    memset(a, 0, sizeof *a);
    ausf_auth_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.supi_or_suci, sizeof info.supi_or_suci, "%s", id);
    snprintf(info.serving_network_name, sizeof info.serving_network_name, T_SNN);
    if (rs) {
        info.has_resync = true;
        info.resync = *rs;
    }
    a->in_call = true;
    assert_true(ausf_authenticate(n->ausf, &info, on_auth, a) != 0);
    a->in_call = false;
    assert_int_equal(a->called, 0);
    assert_true(t_run_until(n, &a->called));
    assert_false(a->reentered);
    return a->rc;
}

static int confirm(t_nf *n, uint64_t ctx_id, const uint8_t res_star[16], t_conf *c)
{
    memset(c, 0, sizeof *c);
    c->in_call = true;
    assert_true(ausf_5g_aka_confirm(n->ausf, ctx_id, res_star, on_conf, c) != 0);
    c->in_call = false;
    assert_int_equal(c->called, 0);
    assert_true(t_run_until(n, &c->called));
    assert_false(c->reentered);
    return c->rc;
}

static void suci_a(t_nf *n, const char *supi_s, char *out, size_t cap)
{
    uint8_t pub[G5_SUCI_PUB_MAX], kid;
    size_t len;
    assert_int_equal(udm_hn_pubkey(n->udm, G5_SUCI_PROFILE_A, &kid, pub, &len), 0);
    g5_supi supi;
    assert_int_equal(g5_supi_parse(supi_s, 2, &supi), 0);
    g5_suci suci;
    assert_int_equal(g5_suci_conceal(&supi, G5_SUCI_PROFILE_A, pub, len, kid, "0", NULL, &suci), 0);
    assert_int_equal(g5_suci_format(&suci, out, cap), 0);
}

static void test_full_5g_aka(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 1, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    char suci[G5_SUCI_STR_MAX];
    suci_a(&n, s.supi, suci, sizeof suci);

    t_auth a;
    assert_int_equal(authenticate(&n, suci, NULL, &a), 0);
    assert_int_equal(a.ctx.auth_type, G5_AUTH_5G_AKA);
    assert_int_equal(ausf_ctx_count(n.ausf), 1);
    /* UE: AUTN, RES*, KAUSF; SEAF: HRES* == HXRES* (A.5) */
    uint8_t res_star[16], kausf[32], hres[16], kseaf[32];
    assert_int_equal(
        t_usim_auth(&u, a.ctx.rand, a.ctx.autn, T_SNN, res_star, kausf, NULL, NULL, NULL, NULL),
        T_USIM_OK);
    assert_int_equal(g5_kdf_hres_star(a.ctx.rand, res_star, hres), 0);
    assert_memory_equal(hres, a.ctx.hxres_star, 16);
    assert_int_equal(g5_kdf_kseaf(kausf, T_SNN, kseaf), 0);

    t_conf c;
    assert_int_equal(confirm(&n, a.ctx.ctx_id, res_star, &c), 0);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_SUCCESS);
    assert_string_equal(c.res.supi, s.supi);
    assert_memory_equal(c.res.kseaf, kseaf, 32);
    assert_int_equal(ausf_ctx_count(n.ausf), 0);
    /* the UDM recorded the auth event (Nudm_UEAuthentication_ResultConfirmation) */
    t_spin(&n);
    udm_auth_event ev;
    assert_int_equal(udm_auth_event_lookup(n.udm, s.supi, &ev), 0);
    assert_true(ev.success);
    /* single use: a second confirmation finds no context */
    assert_int_equal(confirm(&n, a.ctx.ctx_id, res_star, &c), G5_ERR_NOT_FOUND);
    assert_int_equal(c.pd.status, 404);
    assert_string_equal(c.pd.cause, "CONTEXT_NOT_FOUND");
    t_nf_down(&n);
}

static void test_wrong_res_star(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 2, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    t_auth a;
    assert_int_equal(authenticate(&n, s.supi, NULL, &a), 0);
    uint8_t res_star[16];
    assert_int_equal(
        t_usim_auth(&u, a.ctx.rand, a.ctx.autn, T_SNN, res_star, NULL, NULL, NULL, NULL, NULL),
        T_USIM_OK);
    res_star[15] ^= 0x80;
    t_conf c;
    assert_int_equal(confirm(&n, a.ctx.ctx_id, res_star, &c), 0);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_FAILURE);
    assert_string_equal(c.res.supi, "");
    static const uint8_t zero[32];
    assert_memory_equal(c.res.kseaf, zero, 32);
    assert_int_equal(ausf_ctx_count(n.ausf), 0); /* consumed: no second guess */
    res_star[15] ^= 0x80;
    assert_int_equal(confirm(&n, a.ctx.ctx_id, res_star, &c), G5_ERR_NOT_FOUND);
    t_spin(&n);
    udm_auth_event ev;
    assert_int_equal(udm_auth_event_lookup(n.udm, s.supi, &ev), 0);
    assert_false(ev.success);
    t_nf_down(&n);
}

static void test_unknown_supi_and_bad_suci(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    t_auth a;
    assert_int_equal(authenticate(&n, "imsi-001010000000404", NULL, &a), G5_ERR_NOT_FOUND);
    assert_int_equal(a.pd.status, 404);
    assert_string_equal(a.pd.cause, "USER_NOT_FOUND");
    char suci[G5_SUCI_STR_MAX];
    suci_a(&n, "imsi-001010000000404", suci, sizeof suci);
    assert_int_equal(authenticate(&n, suci, NULL, &a), G5_ERR_NOT_FOUND); /* decrypts fine */
    char *d = &suci[strlen(suci) - 3]; /* a hex digit of the MAC tag */
    *d = *d == '0' ? '1' : '0';
    assert_int_not_equal(authenticate(&n, suci, NULL, &a), 0);
    assert_int_equal(a.pd.status, 403);
    assert_string_equal(a.pd.cause, "INVALID_SCHEME_OUTPUT");
    assert_int_equal(ausf_ctx_count(n.ausf), 0);
    t_nf_down(&n);
}

/* 5G-AKA synchronisation failure: the AMF re-runs Authenticate with RAND + AUTS. */
static void test_resync_5g_aka(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 3, G5_AUTH_5G_AKA, &s), 0);
    t_usim u;
    t_usim_from(&u, &s);
    u.sqn_ms = 0x00000abcdef0ull;
    t_auth a;
    assert_int_equal(authenticate(&n, s.supi, NULL, &a), 0);
    udm_resync_info rs;
    memcpy(rs.rand, a.ctx.rand, 16);
    assert_int_equal(
        t_usim_auth(&u, a.ctx.rand, a.ctx.autn, T_SNN, NULL, NULL, NULL, NULL, NULL, rs.auts),
        T_USIM_SYNC_FAIL);
    assert_int_equal(authenticate(&n, s.supi, &rs, &a), 0);
    uint8_t res_star[16];
    assert_int_equal(
        t_usim_auth(&u, a.ctx.rand, a.ctx.autn, T_SNN, res_star, NULL, NULL, NULL, NULL, NULL),
        T_USIM_OK);
    t_conf c;
    assert_int_equal(confirm(&n, a.ctx.ctx_id, res_star, &c), 0);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_SUCCESS);
    t_nf_down(&n);
}

static void test_context_expires(void **state)
{
    (void)state;
    t_nf n;
    ausf_config cfg = {.ctx_lifetime_ms = 30};
    assert_int_equal(t_nf_up(&n, NULL, &cfg), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 4, G5_AUTH_5G_AKA, &s), 0);
    t_auth a;
    for (int i = 0; i < 5; i++)
        assert_int_equal(authenticate(&n, s.supi, NULL, &a), 0);
    /* the last one at least is alive (earlier ones may have expired during slow fsyncs) */
    assert_true(ausf_ctx_count(n.ausf) >= 1);
    uint64_t t0 = g5_clock_ms();
    while (ausf_ctx_count(n.ausf) && g5_clock_ms() - t0 < 5000)
        uv_run(&n.loop, UV_RUN_ONCE); /* sleeps until the next expiry */
    assert_int_equal(ausf_ctx_count(n.ausf), 0);
    uint8_t any[16] = {0};
    t_conf c;
    assert_int_equal(confirm(&n, a.ctx.ctx_id, any, &c), G5_ERR_NOT_FOUND);
    t_nf_down(&n);
}

static void test_cancel(void **state)
{
    (void)state;
    t_nf n;
    assert_int_equal(t_nf_up(&n, NULL, NULL), 0);
    g5_subscriber s;
    assert_int_equal(t_provision(&n, 5, G5_AUTH_5G_AKA, &s), 0);
    ausf_auth_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.supi_or_suci, sizeof info.supi_or_suci, "%s", s.supi);
    snprintf(info.serving_network_name, sizeof info.serving_network_name, T_SNN);
    /* cancelled while waiting for the UDM: no callback, no context, no SQN used */
    t_auth a = {0};
    uint64_t h = ausf_authenticate(n.ausf, &info, on_auth, &a);
    assert_true(h != 0);
    assert_int_equal(ausf_cancel(n.ausf, h), 0);
    t_spin(&n);
    assert_int_equal(a.called, 0);
    assert_int_equal(ausf_ctx_count(n.ausf), 0);
    g5_subscriber now;
    assert_int_equal(g5_store_sub_get(n.st, s.supi, &now), 0);
    assert_int_equal(now.sqn, 0);
    /* cancelled confirmation: no callback, the context stays usable */
    t_usim u;
    t_usim_from(&u, &s);
    assert_int_equal(authenticate(&n, s.supi, NULL, &a), 0);
    uint8_t res_star[16];
    assert_int_equal(
        t_usim_auth(&u, a.ctx.rand, a.ctx.autn, T_SNN, res_star, NULL, NULL, NULL, NULL, NULL),
        T_USIM_OK);
    t_conf c = {0};
    h = ausf_5g_aka_confirm(n.ausf, a.ctx.ctx_id, res_star, on_conf, &c);
    assert_int_equal(ausf_cancel(n.ausf, h), 0);
    assert_int_equal(ausf_cancel(n.ausf, h), G5_ERR_NOT_FOUND);
    t_spin(&n);
    assert_int_equal(c.called, 0);
    /* cancelling a request from inside its own callback is a harmless no-op */
    memset(&c, 0, sizeof c);
    g_ausf = n.ausf;
    g_self_id = ausf_5g_aka_confirm(n.ausf, a.ctx.ctx_id, res_star, on_conf, &c);
    assert_true(t_run_until(&n, &c.called));
    g_ausf = NULL;
    assert_int_equal(g_self_cancel_rc, G5_ERR_NOT_FOUND);
    assert_int_equal(c.res.auth_result, AUSF_AUTHENTICATION_SUCCESS);
    /* pending at ausf_free: dropped silently (t_nf_down frees the AUSF first) */
    memset(&a, 0, sizeof a);
    assert_true(ausf_authenticate(n.ausf, &info, on_auth, &a) != 0);
    memset(&c, 0, sizeof c);
    assert_true(ausf_5g_aka_confirm(n.ausf, 12345, res_star, on_conf, &c) != 0);
    t_nf_down(&n);
    assert_int_equal(a.called, 0);
    assert_int_equal(c.called, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_5g_aka),
        cmocka_unit_test(test_wrong_res_star),
        cmocka_unit_test(test_unknown_supi_and_bad_suci),
        cmocka_unit_test(test_resync_5g_aka),
        cmocka_unit_test(test_context_expires),
        cmocka_unit_test(test_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
