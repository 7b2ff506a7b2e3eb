/* TS 33.220 Annex B.2 generic KDF and the TS 33.501 Annex A key derivations, plus the
 * EAP-AKA' PRF' of RFC 5448 §3.4. Every derivation is one call to g5_kdf() with the FC
 * value and parameters its Annex A clause lists; the clause is cited at each function. */
#include "crypto/kdf.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "crypto/evp.h"

#define KDF_MAX_PARAMS 6

int g5_kdf(const uint8_t *key, size_t keylen, uint8_t fc, const g5_kdf_param *params,
           size_t nparams, uint8_t out[32])
{
    if (nparams > KDF_MAX_PARAMS)
        return G5_ERR_LIMIT;
    /* S = FC || P0 || L0 || P1 || L1 ...; Li is the 2-byte big-endian length of Pi. */
    g5_bytes parts[1 + 2 * KDF_MAX_PARAMS];
    uint8_t lens[KDF_MAX_PARAMS][2];
    size_t n = 0;
    parts[n++] = (g5_bytes){&fc, 1};
    for (size_t i = 0; i < nparams; i++) {
        if (params[i].len > 0xffff)
            return G5_ERR_TOO_LONG;
        lens[i][0] = (uint8_t)(params[i].len >> 8);
        lens[i][1] = (uint8_t)params[i].len;
        parts[n++] = (g5_bytes){params[i].p, params[i].len};
        parts[n++] = (g5_bytes){lens[i], 2};
    }
    return g5_hmac_sha256(key, keylen, parts, n, out);
}

static g5_kdf_param str_param(const char *s)
{
    return (g5_kdf_param){(const uint8_t *)s, strlen(s)};
}

static int all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int g5_serving_network_name(const char *mcc, const char *mnc, char *out, size_t cap)
{
    if (!mcc || !mnc || !all_digits(mcc, 3, 3) || !all_digits(mnc, 2, 3))
        return G5_ERR_INVALID;
    int n = snprintf(out, cap, "5G:mnc%s%s.mcc%s.3gppnetwork.org", strlen(mnc) == 2 ? "0" : "", mnc,
                     mcc);
    return n < 0 || (size_t)n >= cap ? G5_ERR_TOO_LONG : 0;
}

/* KDF with CK||IK as the key (A.2, A.3, A.4). */
static int kdf_ck_ik(const uint8_t ck[16], const uint8_t ik[16], uint8_t fc,
                     const g5_kdf_param *params, size_t n, uint8_t out[32])
{
    uint8_t key[32];
    memcpy(key, ck, 16);
    memcpy(key + 16, ik, 16);
    int rc = g5_kdf(key, sizeof key, fc, params, n, out);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int g5_kdf_res_star(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                    const uint8_t rand[16], const uint8_t *res, size_t res_len,
                    uint8_t res_star[16])
{
    if (res_len < 4 || res_len > 16)
        return G5_ERR_INVALID;
    g5_kdf_param p[3] = {str_param(snn), {rand, 16}, {res, res_len}};
    uint8_t out[32];
    int rc = kdf_ck_ik(ck, ik, 0x6B, p, 3, out);
    if (!rc)
        memcpy(res_star, out + 16, 16);
    OPENSSL_cleanse(out, sizeof out);
    return rc;
}

int g5_kdf_hres_star(const uint8_t rand[16], const uint8_t res_star[16], uint8_t hres_star[16])
{
    g5_bytes parts[2] = {{rand, 16}, {res_star, 16}};
    uint8_t out[32];
    int rc = g5_sha256(parts, 2, out);
    if (!rc)
        memcpy(hres_star, out + 16, 16);
    return rc;
}

int g5_kdf_kausf(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                 const uint8_t sqn_xor_ak[6], uint8_t kausf[32])
{
    g5_kdf_param p[2] = {str_param(snn), {sqn_xor_ak, 6}};
    return kdf_ck_ik(ck, ik, 0x6A, p, 2, kausf);
}

int g5_kdf_kseaf(const uint8_t kausf[32], const char *snn, uint8_t kseaf[32])
{
    g5_kdf_param p[1] = {str_param(snn)};
    return g5_kdf(kausf, 32, 0x6C, p, 1, kseaf);
}

int g5_kdf_kamf(const uint8_t kseaf[32], const char *supi, const uint8_t *abba, size_t abba_len,
                uint8_t kamf[32])
{
    if (!supi || !*supi || (abba_len && !abba))
        return G5_ERR_INVALID;
    g5_kdf_param p[2] = {str_param(supi), {abba, abba_len}};
    return g5_kdf(kseaf, 32, 0x6D, p, 2, kamf);
}

int g5_kdf_alg_key(const uint8_t key[32], enum g5_alg_type type, uint8_t alg_id, uint8_t out[16])
{
    uint8_t t = (uint8_t)type, full[32];
    g5_kdf_param p[2] = {{&t, 1}, {&alg_id, 1}};
    int rc = g5_kdf(key, 32, 0x69, p, 2, full);
    if (!rc)
        memcpy(out, full + 16, 16);
    OPENSSL_cleanse(full, sizeof full);
    return rc;
}

int g5_kdf_knas_int(const uint8_t kamf[32], uint8_t nia, uint8_t knas_int[16])
{
    return g5_kdf_alg_key(kamf, G5_ALG_NAS_INT, nia, knas_int);
}

int g5_kdf_knas_enc(const uint8_t kamf[32], uint8_t nea, uint8_t knas_enc[16])
{
    return g5_kdf_alg_key(kamf, G5_ALG_NAS_ENC, nea, knas_enc);
}

static void be32(uint32_t v, uint8_t b[4])
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

int g5_kdf_kgnb(const uint8_t kamf[32], uint32_t ul_nas_count, enum g5_access_type access,
                uint8_t kgnb[32])
{
    uint8_t count[4], at = (uint8_t)access;
    be32(ul_nas_count, count);
    g5_kdf_param p[2] = {{count, 4}, {&at, 1}};
    return g5_kdf(kamf, 32, 0x6E, p, 2, kgnb);
}

int g5_kdf_nh(const uint8_t kamf[32], const uint8_t sync_input[32], uint8_t nh[32])
{
    g5_kdf_param p[1] = {{sync_input, 32}};
    return g5_kdf(kamf, 32, 0x6F, p, 1, nh);
}

int g5_kdf_kamf_prime(const uint8_t kamf[32], uint8_t direction, uint32_t count,
                      uint8_t kamf_prime[32])
{
    if (direction > 1)
        return G5_ERR_INVALID;
    uint8_t c[4];
    be32(count, c);
    g5_kdf_param p[2] = {{&direction, 1}, {c, 4}};
    return g5_kdf(kamf, 32, 0x72, p, 2, kamf_prime);
}

int g5_kdf_ck_ik_prime(const uint8_t ck[16], const uint8_t ik[16], const char *net_name,
                       const uint8_t sqn_xor_ak[6], uint8_t ck_prime[16], uint8_t ik_prime[16])
{
    g5_kdf_param p[2] = {str_param(net_name), {sqn_xor_ak, 6}};
    uint8_t out[32];
    int rc = kdf_ck_ik(ck, ik, 0x20, p, 2, out);
    if (!rc) {
        memcpy(ck_prime, out, 16);
        memcpy(ik_prime, out + 16, 16);
    }
    OPENSSL_cleanse(out, sizeof out);
    return rc;
}

/* RFC 5448 §3.4: PRF'(K, S) = T1 | T2 | ..., T1 = HMAC-SHA-256(K, S | 0x01),
 * Tn = HMAC-SHA-256(K, Tn-1 | S | n). */
static int prf_prime(const uint8_t *key, size_t keylen, const uint8_t *s1, size_t s1len,
                     const uint8_t *s2, size_t s2len, uint8_t *out, size_t outlen)
{
    uint8_t t[32];
    int rc = 0;
    for (uint8_t n = 1; outlen && !rc; n++) {
        g5_bytes parts[4] = {{t, n == 1 ? 0 : 32}, {s1, s1len}, {s2, s2len}, {&n, 1}};
        rc = g5_hmac_sha256(key, keylen, parts, 4, t);
        size_t take = outlen < 32 ? outlen : 32;
        if (!rc)
            memcpy(out, t, take);
        out += take;
        outlen -= take;
    }
    OPENSSL_cleanse(t, sizeof t);
    return rc;
}

int g5_eap_aka_prime_keys_derive(const uint8_t ik_prime[16], const uint8_t ck_prime[16],
                                 const uint8_t *identity, size_t identity_len,
                                 g5_eap_aka_prime_keys *keys)
{
    static const char label[] = "EAP-AKA'";
    uint8_t key[32], mk[208];
    memcpy(key, ik_prime, 16);
    memcpy(key + 16, ck_prime, 16);
    int rc = prf_prime(key, sizeof key, (const uint8_t *)label, sizeof label - 1, identity,
                       identity_len, mk, sizeof mk);
    if (!rc) {
        /* K_encr (128 bits) | K_aut (256) | K_re (256) | MSK (512) | EMSK (512) */
        memcpy(keys->k_encr, mk, 16);
        memcpy(keys->k_aut, mk + 16, 32);
        memcpy(keys->k_re, mk + 48, 32);
        memcpy(keys->msk, mk + 80, 64);
        memcpy(keys->emsk, mk + 144, 64);
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(mk, sizeof mk);
    return rc;
}

void g5_kdf_kausf_eap(const g5_eap_aka_prime_keys *keys, uint8_t kausf[32])
{
    memcpy(kausf, keys->emsk, 32);
}
