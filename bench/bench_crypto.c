/* Crypto cost of the 5G core and the simulated UE, per primitive and per registration.
 *
 * Each figure is the mean over a loop bounded by ~0.25 s of this thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID): ns/op and ops/s per core. CPU time rather than wall time
 * because the figure is a per-core ceiling and the build machines are shared; the wall
 * time of the same loop is printed too (it is higher when other processes compete).
 * Baselines measured in the same run: memcpy of 100 bytes, one AES-128 block and one
 * HMAC-SHA-256 through OpenSSL's one-call APIs. The per-registration totals are the crypto
 * work one successful 5G AKA registration costs on each side (listed below), which is the
 * ceiling for the registration rate of a single core.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "crypto/nas_algs.h"
#include "crypto/suci.h"

#define BENCH_SECONDS 0.25
#define MSG_LEN 100

static volatile uint8_t sink;

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs fn until BENCH_SECONDS have passed; returns ns per call. */
static double measure(const char *name, void (*fn)(void))
{
    fn(); /* warm-up: table init, OpenSSL fetches */
    long n = 0;
    double w0 = clock_s(CLOCK_MONOTONIC), t0 = clock_s(CLOCK_THREAD_CPUTIME_ID), t;
    long batch = 16; /* grown until a batch takes >= 1 ms, so reading the clock (a system
                        call for the thread CPU clock) stays out of the figure */
    double tb = t0;
    do {
        for (long i = 0; i < batch; i++)
            fn();
        n += batch;
        t = clock_s(CLOCK_THREAD_CPUTIME_ID);
        if (t - tb < 1e-3)
            batch *= 2;
        tb = t;
    } while (t - t0 < BENCH_SECONDS);
    double ns = (t - t0) * 1e9 / (double)n;
    double wall_ns = (clock_s(CLOCK_MONOTONIC) - w0) * 1e9 / (double)n;
    printf("  %-44s %10.0f ns/op %12.0f ops/s  (wall %.0f ns/op)\n", name, ns, 1e9 / ns, wall_ns);
    return ns;
}

/* inputs: TS 35.208 set 1 and TS 33.501 C.4 keys */
static const uint8_t K[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
                              0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
static const uint8_t OPC[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
                                0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
static const uint8_t RAND[16] = {0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
                                 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35};
static const uint8_t SQN[6] = {0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07};
static const uint8_t AMF[2] = {0x80, 0x00};
static const uint8_t ABBA[2] = {0, 0};
static const char *SNN = "5G:mnc001.mcc001.3gppnetwork.org";
static const char *SUPI = "001010123456789";
static uint8_t msg[MSG_LEN], out[MSG_LEN], key16[16], key32[32];
static uint8_t priv_a[32], pub_a[33], priv_b[32], pub_b[33];
static g5_suci suci_a, suci_b;
static g5_suci_hn_key *hn_a, *hn_b;

static void b_memcpy(void)
{
    memcpy(out, msg, MSG_LEN);
    sink ^= out[MSG_LEN - 1];
}

static void b_aes_block(void)
{
    int len = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key16, NULL);
    EVP_EncryptUpdate(c, out, &len, msg, 16);
    EVP_CIPHER_CTX_free(c);
    sink ^= out[0];
}

static void b_hmac(void)
{
    unsigned int len = 0;
    HMAC(EVP_sha256(), key32, 32, msg, 40, out, &len);
    sink ^= out[0];
}

static void b_milenage(void)
{
    g5_milenage_av av;
    g5_milenage_generate(K, OPC, RAND, SQN, AMF, &av);
    sink ^= av.autn[0];
}

static void b_f2345(void)
{
    uint8_t res[8], ck[16], ik[16], ak[6];
    g5_milenage_f2345(K, OPC, RAND, res, ck, ik, ak, NULL);
    sink ^= res[0];
}

static void b_kdf(void)
{
    g5_kdf_kseaf(key32, SNN, out);
    sink ^= out[0];
}

#define NAS_BENCH(name, fn, alg) \
    static void name(void) \
    { \
        fn; \
        sink ^= out[0]; \
    }
NAS_BENCH(b_nia1, g5_nia(1, key16, 5, 1, 0, msg, 8 * MSG_LEN, out), 1)
NAS_BENCH(b_nia2, g5_nia(2, key16, 5, 1, 0, msg, 8 * MSG_LEN, out), 2)
NAS_BENCH(b_nia3, g5_nia(3, key16, 5, 1, 0, msg, 8 * MSG_LEN, out), 3)
NAS_BENCH(b_nea1, g5_nea(1, key16, 5, 1, 0, msg, out, 8 * MSG_LEN), 1)
NAS_BENCH(b_nea2, g5_nea(2, key16, 5, 1, 0, msg, out, 8 * MSG_LEN), 2)
NAS_BENCH(b_nea3, g5_nea(3, key16, 5, 1, 0, msg, out, 8 * MSG_LEN), 3)

static void b_deconceal_a(void)
{
    g5_supi s;
    g5_suci_deconceal(&suci_a, priv_a, &s);
    sink ^= (uint8_t)s.msin[0];
}

static void b_deconceal_b(void)
{
    g5_supi s;
    g5_suci_deconceal(&suci_b, priv_b, &s);
    sink ^= (uint8_t)s.msin[0];
}

static void b_deconceal_a_prepared(void)
{
    g5_supi s;
    g5_suci_deconceal_with(&suci_a, hn_a, &s);
    sink ^= (uint8_t)s.msin[0];
}

static void b_deconceal_b_prepared(void)
{
    g5_supi s;
    g5_suci_deconceal_with(&suci_b, hn_b, &s);
    sink ^= (uint8_t)s.msin[0];
}

static void b_conceal_a(void)
{
    g5_supi s;
    g5_supi_parse("imsi-001010123456789", 2, &s);
    g5_suci out_suci;
    g5_suci_conceal(&s, G5_SUCI_PROFILE_A, pub_a, 32, 1, "0", NULL, &out_suci);
    sink ^= out_suci.output[0];
}

/* NAS protection per registration: Security Mode Command/Complete, Registration Accept /
 * Complete, plus two more (e.g. the PDU session request/accept): 6 MACs, 4 ciphered. */
static void nas_traffic(int alg)
{
    for (int i = 0; i < 6; i++)
        g5_nia(alg, key16, (uint32_t)i, 1, (uint8_t)(i & 1), msg, 8 * MSG_LEN, out);
    for (int i = 0; i < 4; i++)
        g5_nea(alg, key16, (uint32_t)i, 1, (uint8_t)(i & 1), msg, out, 8 * MSG_LEN);
}

/* UDM + AUSF + AMF (SEAF) work for one 5G AKA registration. */
static void network_registration(void)
{
    g5_supi supi;
    g5_suci_deconceal_with(&suci_a, hn_a, &supi); /* SIDF, key prepared at start-up */
    g5_milenage_av av; /* UDM/ARPF */
    g5_milenage_generate(K, OPC, RAND, SQN, AMF, &av);
    uint8_t xres_star[16], hxres_star[16], hres_star[16], kausf[32], kseaf[32], kamf[32];
    uint8_t sqn_ak[6], kint[16], kenc[16], kgnb[32];
    for (int i = 0; i < 6; i++)
        sqn_ak[i] = av.autn[i];
    g5_kdf_res_star(av.ck, av.ik, SNN, RAND, av.xres, 8, xres_star);
    g5_kdf_kausf(av.ck, av.ik, SNN, sqn_ak, kausf);
    g5_kdf_hres_star(RAND, xres_star, hxres_star); /* AUSF */
    g5_kdf_kseaf(kausf, SNN, kseaf);
    g5_kdf_hres_star(RAND, xres_star, hres_star); /* SEAF checks HRES* */
    g5_kdf_kamf(kseaf, SUPI, ABBA, 2, kamf);
    g5_kdf_knas_int(kamf, 2, kint);
    g5_kdf_knas_enc(kamf, 2, kenc);
    g5_kdf_kgnb(kamf, 0, G5_ACCESS_3GPP, kgnb);
    nas_traffic(2);
    sink ^= kgnb[0] ^ hres_star[0] ^ kint[0] ^ kenc[0];
}

/* USIM + ME work for the same registration. */
static void ue_registration(void)
{
    b_conceal_a();
    g5_milenage_av av;
    g5_milenage_generate(K, OPC, RAND, SQN, AMF, &av); /* stands in for the AUTN input */
    uint8_t sqn[6], res[8], ck[16], ik[16], res_star[16], kausf[32], kseaf[32], kamf[32];
    uint8_t kint[16], kenc[16], kgnb[32];
    g5_milenage_check_autn(K, OPC, RAND, av.autn, sqn, res, ck, ik);
    g5_kdf_res_star(ck, ik, SNN, RAND, res, 8, res_star);
    g5_kdf_kausf(ck, ik, SNN, av.autn, kausf);
    g5_kdf_kseaf(kausf, SNN, kseaf);
    g5_kdf_kamf(kseaf, SUPI, ABBA, 2, kamf);
    g5_kdf_knas_int(kamf, 2, kint);
    g5_kdf_knas_enc(kamf, 2, kenc);
    g5_kdf_kgnb(kamf, 0, G5_ACCESS_3GPP, kgnb);
    nas_traffic(2);
    sink ^= kgnb[0] ^ kint[0] ^ kenc[0] ^ res_star[0];
}

static double av_cost; /* ns of the AV stand-in inside ue_registration */

static void setup(void)
{
    for (int i = 0; i < MSG_LEN; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    memset(key16, 0x2b, sizeof key16);
    memset(key32, 0x45, sizeof key32);
    g5_suci_keygen(G5_SUCI_PROFILE_A, priv_a, pub_a);
    g5_suci_keygen(G5_SUCI_PROFILE_B, priv_b, pub_b);
    g5_supi s;
    g5_supi_parse("imsi-001010123456789", 2, &s);
    if (g5_suci_conceal(&s, G5_SUCI_PROFILE_A, pub_a, 32, 1, "0", NULL, &suci_a) ||
        g5_suci_conceal(&s, G5_SUCI_PROFILE_B, pub_b, 33, 2, "0", NULL, &suci_b)) {
        fprintf(stderr, "bench_crypto: SUCI setup failed\n");
        return;
    }
    if (g5_suci_hn_key_new(G5_SUCI_PROFILE_A, priv_a, &hn_a) ||
        g5_suci_hn_key_new(G5_SUCI_PROFILE_B, priv_b, &hn_b))
        fprintf(stderr, "bench_crypto: SUCI key setup failed\n");
}

int main(void)
{
    setup();
    printf("bench_crypto: one core, %d-byte NAS messages, mean over ~%.2f s of CPU time per "
           "line\n",
           MSG_LEN, BENCH_SECONDS);
    printf("baselines\n");
    measure("memcpy 100 B", b_memcpy);
    measure("OpenSSL AES-128 one block (EVP, new ctx)", b_aes_block);
    measure("OpenSSL HMAC-SHA-256 40 B (HMAC())", b_hmac);
    printf("primitives\n");
    measure("MILENAGE f1 + f2..f5 (AV: AUTN/XRES/CK/IK)", b_milenage);
    measure("MILENAGE f2345", b_f2345);
    measure("KDF (TS 33.220, KSEAF)", b_kdf);
    measure("128-NIA1 (SNOW 3G) 100 B", b_nia1);
    measure("128-NIA2 (AES-CMAC) 100 B", b_nia2);
    measure("128-NIA3 (ZUC) 100 B", b_nia3);
    measure("128-NEA1 (SNOW 3G) 100 B", b_nea1);
    measure("128-NEA2 (AES-CTR) 100 B", b_nea2);
    measure("128-NEA3 (ZUC) 100 B", b_nea3);
    measure("SUCI de-conceal Profile A (X25519)", b_deconceal_a);
    measure("SUCI de-conceal Profile B (P-256)", b_deconceal_b);
    measure("SUCI de-conceal A, prepared hn key (SIDF)", b_deconceal_a_prepared);
    measure("SUCI de-conceal B, prepared hn key (SIDF)", b_deconceal_b_prepared);
    measure("SUCI conceal Profile A (fresh ephemeral key)", b_conceal_a);
    printf("per registration (5G AKA, SUCI Profile A, NIA2/NEA2, 6 MACs + 4 ciphered msgs)\n");
    double net = measure("network side: SIDF+UDM+AUSF+AMF", network_registration);
    av_cost = measure("  (AV generation inside the UE line)", b_milenage);
    double ue = measure("UE side: USIM+ME (incl. AV stand-in)", ue_registration) - av_cost;
    printf("  network side: %8.1f us/registration  %8.0f registrations/s per core\n", net / 1e3,
           1e9 / net);
    printf("  UE side:      %8.1f us/registration  %8.0f registrations/s per core\n", ue / 1e3,
           1e9 / ue);
    g5_suci_hn_key_free(hn_a);
    g5_suci_hn_key_free(hn_b);
    return sink == 0x5a ? 0 : 0; /* sink keeps the work from being optimised away */
}
