/* Fetch-once wrappers around OpenSSL 3 EVP primitives; see evp.h for why. */
#include "crypto/evp.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "core/err.h"

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *aes_ecb, *aes_ctr;
static EVP_MD *sha256;
static EVP_MAC *hmac, *cmac;

static void fetch_all(void)
{
    aes_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    aes_ctr = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
    sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
}

static void fetch(void)
{
    (void)pthread_once(&fetch_once, fetch_all);
}

const EVP_CIPHER *g5_evp_aes128_ecb(void)
{
    fetch();
    return aes_ecb;
}

const EVP_CIPHER *g5_evp_aes128_ctr(void)
{
    fetch();
    return aes_ctr;
}

const EVP_MD *g5_evp_sha256(void)
{
    fetch();
    return sha256;
}

int g5_aes128_init(g5_aes128 *a, const uint8_t key[16])
{
    a->ctx = EVP_CIPHER_CTX_new();
    if (!a->ctx || !g5_evp_aes128_ecb() ||
        !EVP_EncryptInit_ex2(a->ctx, g5_evp_aes128_ecb(), key, NULL, NULL) ||
        !EVP_CIPHER_CTX_set_padding(a->ctx, 0)) {
        g5_aes128_free(a);
        return G5_ERR_CRYPTO;
    }
    return 0;
}

int g5_aes128_block(g5_aes128 *a, const uint8_t in[16], uint8_t out[16])
{
    int outl = 0;
    if (!a->ctx || !EVP_EncryptUpdate(a->ctx, out, &outl, in, 16) || outl != 16)
        return G5_ERR_CRYPTO;
    return 0;
}

void g5_aes128_free(g5_aes128 *a)
{
    EVP_CIPHER_CTX_free(a->ctx); /* clears the key schedule */
    a->ctx = NULL;
}

int g5_aes128_ctr(const uint8_t key[16], const uint8_t icb[16], const uint8_t *in, uint8_t *out,
                  size_t n)
{
    if (n > (size_t)INT32_MAX)
        return G5_ERR_TOO_LONG;
    if (n == 0)
        return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0, rc = G5_ERR_CRYPTO;
    if (ctx && g5_evp_aes128_ctr() &&
        EVP_EncryptInit_ex2(ctx, g5_evp_aes128_ctr(), key, icb, NULL) &&
        EVP_EncryptUpdate(ctx, out, &outl, in, (int)n) &&
        EVP_EncryptFinal_ex(ctx, out + outl, &finl) && (size_t)outl + (size_t)finl == n)
        rc = 0;
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static int mac_run(EVP_MAC *mac, const OSSL_PARAM *params, const uint8_t *key, size_t keylen,
                   const g5_bytes *parts, size_t nparts, uint8_t *out, size_t outlen)
{
    if (!mac)
        return G5_ERR_CRYPTO;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    size_t got = 0;
    int rc = G5_ERR_CRYPTO;
    if (!ctx || !EVP_MAC_init(ctx, key, keylen, params))
        goto out;
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].len && !EVP_MAC_update(ctx, parts[i].p, parts[i].len))
            goto out;
    if (EVP_MAC_final(ctx, out, &got, outlen) && got == outlen)
        rc = 0;
out:
    EVP_MAC_CTX_free(ctx);
    return rc;
}

int g5_hmac_sha256(const uint8_t *key, size_t keylen, const g5_bytes *parts, size_t nparts,
                   uint8_t out[32])
{
    fetch();
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA2-256", 0),
        OSSL_PARAM_construct_end(),
    };
    return mac_run(hmac, params, key, keylen, parts, nparts, out, 32);
}

int g5_aes128_cmac(const uint8_t key[16], const g5_bytes *parts, size_t nparts, uint8_t out[16])
{
    fetch();
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0),
        OSSL_PARAM_construct_end(),
    };
    return mac_run(cmac, params, key, 16, parts, nparts, out, 16);
}

int g5_sha256(const g5_bytes *parts, size_t nparts, uint8_t out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int got = 0;
    int rc = G5_ERR_CRYPTO;
    if (!ctx || !g5_evp_sha256() || !EVP_DigestInit_ex2(ctx, g5_evp_sha256(), NULL))
        goto out;
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].len && !EVP_DigestUpdate(ctx, parts[i].p, parts[i].len))
            goto out;
    if (EVP_DigestFinal_ex(ctx, out, &got) && got == 32)
        rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}
