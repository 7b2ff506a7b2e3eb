/* AUSF + UDM + UDR benchmark: network-side cost of one 5G-AKA authentication with a
 * Profile A SUCI, through the real services (async queue, SIDF, SQLite WAL store with
 * synchronous=FULL, MILENAGE, Annex A KDFs, auth context, confirmation), next to the same
 * cryptography called directly in this run, so the difference is what the services and
 * the database add.
 *
 *   crypto only          SIDF de-conceal (prepared key) + MILENAGE AV + XRES* + KAUSF +
 *                        HXRES* + KSEAF + RES* compare: the network-side crypto floor
 *   store: sub_get       udr_auth_subscription_get (SELECT + 2 AES-GCM opens)
 *   store: sqn_next      udr_auth_sqn_next (one durable UPDATE ... RETURNING, fsync)
 *   authenticate         ausf_authenticate -> callback (SIDF, UDR, SQN, AV, HXRES*, KSEAF)
 *   authenticate+confirm the above + ausf_5g_aka_confirm with the UE's RES*; the USIM's
 *                        share (AUTN check + RES*) is measured separately and subtracted
 * Requests run one at a time (each awaits its callback), one core, one connection.
 * Usage: bench_ausf [N] [DIR]   (default 2000 authentications, /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/log.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "crypto/suci.h"
#include "nf/ausf/ausf.h"
#include "nf/udm/udm.h"
#include "nf/udr/udr.h"
#include "store/store.h"

#define SNN "5G:mnc001.mcc001.3gppnetwork.org"
#define N_SUBS 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *name, long n, double secs)
{
    printf("  %-34s %7ld ops %11.0f ns/op %10.0f ops/s\n", name, n, secs / (double)n * 1e9,
           (double)n / secs);
}

typedef struct state {
    uv_loop_t loop;
    g5_store *st;
    udr *udr;
    udm *udm;
    ausf *ausf;
    g5_subscriber subs[N_SUBS];
    int done;
    ausf_ue_auth_ctx ctx;
    int rc;
} state;

static void on_auth(void *arg, int rc, const ausf_ue_auth_ctx *ctx, const g5_sbi_problem *pd)
{
    state *s = arg;
    (void)pd;
    s->rc = rc;
    if (ctx)
        s->ctx = *ctx;
    s->done = 1;
}

static void on_conf(void *arg, int rc, const ausf_confirm_result *res, const g5_sbi_problem *pd)
{
    state *s = arg;
    (void)pd;
    s->rc = rc ? rc : (res->auth_result == AUSF_AUTHENTICATION_SUCCESS ? 0 : -100);
    s->done = 1;
}

static void wait_done(state *s)
{
    while (!s->done) /* NOWAIT: ONCE would sleep until the next (expiry) timer */
        uv_run(&s->loop, UV_RUN_NOWAIT);
    s->done = 0;
}

static void make_sucis(state *s, char (*sucis)[G5_SUCI_STR_MAX], long n)
{
    uint8_t pub[G5_SUCI_PUB_MAX], kid;
    size_t len;
    udm_hn_pubkey(s->udm, G5_SUCI_PROFILE_A, &kid, pub, &len);
    for (long i = 0; i < n; i++) {
        g5_supi supi;
        g5_suci suci;
        g5_supi_parse(s->subs[i % N_SUBS].supi, 2, &supi);
        g5_suci_conceal(&supi, G5_SUCI_PROFILE_A, pub, len, kid, "0", NULL, &suci);
        g5_suci_format(&suci, sucis[i], G5_SUCI_STR_MAX);
    }
}

/* The network-side cryptography of one 5G-AKA, called directly. */
static double bench_crypto(const char (*sucis)[G5_SUCI_STR_MAX], long n, const uint8_t hn_priv[32],
                           const g5_subscriber *subs)
{
    g5_suci_hn_key *key;
    if (g5_suci_hn_key_new(G5_SUCI_PROFILE_A, hn_priv, &key))
        return -1;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        const g5_subscriber *sub = &subs[i % N_SUBS];
        g5_suci suci;
        g5_supi supi;
        g5_suci_parse(sucis[i], &suci);
        g5_suci_deconceal_with(&suci, key, &supi);
        uint8_t rand[16], sqn[6] = {0, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
        RAND_bytes(rand, 16);
        g5_milenage_av av;
        uint8_t xres_star[16], kausf[32], hxres[16], kseaf[32];
        g5_milenage_generate(sub->k, sub->op, rand, sqn, sub->amf, &av);
        g5_kdf_res_star(av.ck, av.ik, SNN, rand, av.xres, 8, xres_star);
        g5_kdf_kausf(av.ck, av.ik, SNN, av.autn, kausf);
        g5_kdf_hres_star(rand, xres_star, hxres);
        g5_kdf_kseaf(kausf, SNN, kseaf);
        if (CRYPTO_memcmp(xres_star, xres_star, 16) != 0)
            abort();
    }
    double t = now_s() - t0;
    g5_suci_hn_key_free(key);
    return t;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000;
    const char *base = argc > 2 ? argv[2] : "/tmp";
    if (n < 1)
        n = 2000;
    g5_log_set_level(G5_LOG_WARN);
    char dir[256], db[300], keyf[300], err[256];
    snprintf(dir, sizeof dir, "%s/bench_ausf.XXXXXX", base);
    if (!mkdtemp(dir))
        return 1;
    snprintf(db, sizeof db, "%s/sub.db", dir);
    snprintf(keyf, sizeof keyf, "%s/master.key", dir);
    static state s;
    uv_loop_init(&s.loop);
    g5_store_params p = {.path = db, .key_file = keyf, .create = true};
    if (g5_store_open(&p, &s.st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    for (unsigned i = 0; i < N_SUBS; i++) {
        g5_subscriber_defaults(&s.subs[i]);
        snprintf(s.subs[i].supi, sizeof s.subs[i].supi, "imsi-00101%010u", i + 1);
        RAND_bytes(s.subs[i].k, 16);
        RAND_bytes(s.subs[i].op, 16);
        s.subs[i].op_kind = G5_OP_IS_OPC;
    }
    if (g5_store_sub_import(s.st, s.subs, N_SUBS, false, NULL)) {
        fprintf(stderr, "import: %s\n", g5_store_errmsg(s.st));
        return 1;
    }
    s.udr = udr_new(s.st);
    s.udm = udm_new(&s.loop, s.udr, s.st, NULL, err, sizeof err);
    s.ausf = s.udm ? ausf_new(&s.loop, s.udm, NULL) : NULL;
    if (!s.ausf) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char(*sucis)[G5_SUCI_STR_MAX] = calloc((size_t)n, G5_SUCI_STR_MAX);
    make_sucis(&s, sucis, n);
    uint8_t hn_priv[64];
    size_t plen;
    g5_store_kv_get(s.st, "suci/hn/profile-a/1", hn_priv, sizeof hn_priv, &plen);

    printf("bench_ausf: %ld 5G-AKA authentications, Profile A SUCI, %d subscribers, SQLite WAL "
           "synchronous=FULL in %s\n",
           n, N_SUBS, base);
    double t_crypto = bench_crypto((const char(*)[G5_SUCI_STR_MAX])sucis, n, hn_priv, s.subs);
    OPENSSL_cleanse(hn_priv, sizeof hn_priv);
    report("crypto only (network side)", n, t_crypto);

    long ns = n < 500 ? n : 500;
    udr_auth_subscription as;
    double t0 = now_s();
    for (long i = 0; i < ns * 10; i++) {
        udr_auth_subscription_get(s.udr, s.subs[i % N_SUBS].supi, &as, NULL);
        udr_auth_subscription_wipe(&as);
    }
    report("store: auth subscription get", ns * 10, now_s() - t0);
    udr_sqn sq;
    t0 = now_s();
    for (long i = 0; i < ns; i++)
        udr_auth_sqn_next(s.udr, s.subs[(i + 7) % N_SUBS].supi, &sq, NULL);
    report("store: sqn_next (durable)", ns, now_s() - t0);

    ausf_auth_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.serving_network_name, sizeof info.serving_network_name, SNN);
    double t_auth = 0, t_full = 0, t_ue = 0;
    int fails = 0;
    for (long i = 0; i < n; i++) {
        snprintf(info.supi_or_suci, sizeof info.supi_or_suci, "%s", sucis[i]);
        double a0 = now_s();
        ausf_authenticate(s.ausf, &info, on_auth, &s);
        wait_done(&s);
        double a1 = now_s();
        if (s.rc) {
            fails++;
            continue;
        }
        const g5_subscriber *sub = &s.subs[i % N_SUBS];
        uint8_t sqn[6], res[8], ck[16], ik[16], res_star[16];
        g5_milenage_check_autn(sub->k, sub->op, s.ctx.rand, s.ctx.autn, sqn, res, ck, ik);
        g5_kdf_res_star(ck, ik, SNN, s.ctx.rand, res, 8, res_star);
        double a2 = now_s();
        ausf_5g_aka_confirm(s.ausf, s.ctx.ctx_id, res_star, on_conf, &s);
        wait_done(&s);
        double a3 = now_s();
        if (s.rc)
            fails++;
        t_auth += a1 - a0;
        t_ue += a2 - a1;
        t_full += (a1 - a0) + (a3 - a2);
    }
    report("AUSF+UDM+UDR authenticate", n, t_auth);
    report("AUSF+UDM+UDR authenticate+confirm", n, t_full);
    report("(UE side, excluded: AUTN+RES*)", n, t_ue);
    printf("  failures: %d; services+DB add %.0f us per registration over the crypto floor "
           "(%.1fx)\n",
           fails, (t_full - t_crypto) / (double)n * 1e6, t_full / t_crypto);

    free(sucis);
    ausf_free(s.ausf);
    udm_free(s.udm);
    uv_run(&s.loop, UV_RUN_DEFAULT);
    uv_loop_close(&s.loop);
    udr_free(s.udr);
    g5_store_close(s.st);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", dir);
    return fails ? 1 : 0;
}
