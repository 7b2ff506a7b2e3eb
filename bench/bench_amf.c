/* Registrations per second through AMF + AUSF + UDM + UDR (SQLite store) in one process,
 * driven by the in-test gNB/UE of the AMF unit tests (tests/unit/amf_test_util.h, no
 * SCTP): each iteration is a complete initial registration with the SUCI null scheme
 * (Initial UE Message, 5G-AKA, SMC, Initial Context Setup with the Registration Accept,
 * Registration Complete) of a distinct subscriber. p50/p99 of one registration's wall
 * time are printed with the rate.
 *
 * The in-test UE does its own crypto (MILENAGE, RES*, KSEAF, KAMF, NAS keys) and the
 * NGAP/NAS encode/decode of a gNB; that work is measured alone in the same run and
 * printed, as is the network side's crypto ceiling (MILENAGE f1-f5 + the KDF chain
 * KAUSF, XRES*, HXRES*, KSEAF, KAMF, KNASint, KNASenc, KgNB, called directly), so the
 * core's own cost can be read off. Figures are wall time on a shared machine. */
#include <stdio.h>
#include <stdlib.h>

/* amf_test_util.h is written for cmocka; the bench aborts on any failed step instead. */
#define G5_BENCH_CHECK(c) \
    do { \
        if (!(c)) { \
            fprintf(stderr, "bench_amf: check failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
            abort(); \
        } \
    } while (0)
#define assert_int_equal(a, b) G5_BENCH_CHECK((long long)(a) == (long long)(b))
#define assert_int_not_equal(a, b) G5_BENCH_CHECK((long long)(a) != (long long)(b))
#define assert_true(c) G5_BENCH_CHECK(c)
#define assert_non_null(p) G5_BENCH_CHECK((p) != NULL)

#include "../tests/unit/amf_test_util.h"
#include "core/log.h"

#define N_REG 200

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The network side's crypto for one 5G-AKA registration, called directly. */
static void network_crypto(const t_ue *ue)
{
    uint8_t rand[16] = {1}, sqn[6] = {0, 0, 0, 0, 1, 0};
    uint8_t kausf[32], xres_star[16], hxres[16], kseaf[32], kamf[32], k16[16], kgnb[32];
    static const uint8_t abba[2] = {0, 0}, amf_f[2] = {0x80, 0};
    g5_milenage_av av;
    g5_milenage_generate(ue->sub.k, ue->sub.op, rand, sqn, amf_f, &av);
    g5_kdf_kausf(av.ck, av.ik, T_SNN, av.autn, kausf);
    g5_kdf_res_star(av.ck, av.ik, T_SNN, rand, av.xres, 8, xres_star);
    g5_kdf_hres_star(rand, xres_star, hxres);
    g5_kdf_kseaf(kausf, T_SNN, kseaf);
    g5_kdf_kamf(kseaf, ue->sub.supi + 5, abba, 2, kamf);
    g5_kdf_knas_int(kamf, 2, k16);
    g5_kdf_knas_enc(kamf, 2, k16);
    g5_kdf_kgnb(kamf, 0, G5_ACCESS_3GPP, kgnb);
}

/* The in-test UE's crypto for one registration (what the bench adds to the core's work;
 * includes one MILENAGE run that only makes a valid AUTN). */
static void ue_crypto(t_ue *ue)
{
    uint8_t rand[16] = {2}, sqn[6] = {0, 0, 0, 0, 2, 0};
    uint8_t res_star[16], kausf[32], kseaf[32], kamf[32], k16[16];
    static const uint8_t abba[2] = {0, 0}, amf_f[2] = {0x80, 0};
    g5_milenage_av av;
    g5_milenage_generate(ue->sub.k, ue->sub.op, rand, sqn, amf_f, &av); /* for a valid AUTN */
    t_usim u = ue->usim;
    u.sqn_ms = 0;
    t_usim_auth(&u, rand, av.autn, T_SNN, res_star, kausf, NULL, NULL, NULL, NULL);
    g5_kdf_kseaf(kausf, T_SNN, kseaf);
    g5_kdf_kamf(kseaf, ue->sub.supi + 5, abba, 2, kamf);
    g5_kdf_knas_int(kamf, 2, k16);
    g5_kdf_knas_enc(kamf, 2, k16);
}

static double per_op_ns(void (*fn)(t_ue *), t_ue *ue, int n)
{
    uint64_t t0 = g5_clock_ns();
    for (int i = 0; i < n; i++)
        fn(ue);
    return (double)(g5_clock_ns() - t0) / n;
}

static void net_crypto_fn(t_ue *ue)
{
    network_crypto(ue);
}

int main(void)
{
    static t_amf t;
    static t_ue ues[N_REG];
    static uint64_t lat[N_REG];
    g5_log_set_level(G5_LOG_ERROR);
    t_amf_up(&t, NULL);
    for (int i = 0; i < N_REG; i++) {
        t_ue_init(&t, &ues[i], (unsigned)i + 1, true);
        ues[i].ran_id = i + 1;
    }
    uint64_t t0 = g5_clock_ns();
    for (int i = 0; i < N_REG; i++) {
        uint64_t s = g5_clock_ns();
        t_register(&t, &ues[i], 0);
        t_q_clear(&t);
        lat[i] = g5_clock_ns() - s;
    }
    double total = (double)(g5_clock_ns() - t0) / 1e9;
    G5_BENCH_CHECK(amf_get_stats(t.amf)->reg_complete == N_REG);
    qsort(lat, N_REG, sizeof lat[0], cmp_u64);
    printf("amf registrations (AMF+AUSF+UDM+UDR/SQLite + in-test UE, no SCTP): %d in %.3f s = "
           "%.0f reg/s; p50 %.0f us, p99 %.0f us\n",
           N_REG, total, N_REG / total, lat[N_REG / 2] / 1e3, lat[N_REG * 99 / 100] / 1e3);
    double net = per_op_ns(net_crypto_fn, &ues[0], 2000), ue = per_op_ns(ue_crypto, &ues[0], 2000);
    printf("baseline, same run: network-side crypto per registration %.1f us (ceiling %.0f reg/s "
           "per core); in-test UE crypto per registration %.1f us\n",
           net / 1e3, 1e9 / net, ue / 1e3);
    t_amf_down(&t);
    return 0;
}
