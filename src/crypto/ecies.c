/* ECIES for SUCI (TS 33.501 Annex C.3): key pairs, encryption (UE) and decryption (SIDF)
 * for Profile A (Curve25519/X25519) and Profile B (secp256r1, point compression on),
 * with ANSI X9.63 KDF (SHA-256), AES-128-CTR and HMAC-SHA-256/64 (C.3.4.1, C.3.4.2).
 *
 * Key agreement uses OpenSSL EVP (X25519, ECDH on P-256); the ECIES composition, the
 * X9.63 KDF and the input checks are ours. Peer keys are validated before use, which is
 * what the free5gc CVE-2023-46324 invalid-curve attack relied on being skipped:
 *   Profile A: exactly 32 bytes; an all-zero shared secret (small-order point) is refused.
 *   Profile B: exactly 33 bytes with prefix 0x02/0x03 (the spec mandates compression, so
 *   the uncompressed and infinity encodings are refused), x < p and the point on the curve.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "core/err.h"
#include "crypto/evp.h"
#include "crypto/suci.h"

#define P256_PUB_LEN 33
#define X25519_LEN 32

size_t g5_suci_pub_len(int scheme)
{
    return scheme == G5_SUCI_PROFILE_A   ? X25519_LEN
           : scheme == G5_SUCI_PROFILE_B ? P256_PUB_LEN
                                         : 0;
}

/* ---- Profile B helpers (secp256r1) ---- */

static EC_GROUP *p256_group_cached;
static pthread_once_t p256_once = PTHREAD_ONCE_INIT;

static void p256_group_init(void)
{
    p256_group_cached = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

/* The curve, created once: an EC_GROUP is not modified by the point operations used here,
 * so one instance serves every thread. */
static const EC_GROUP *p256_group(void)
{
    (void)pthread_once(&p256_once, p256_group_init);
    return p256_group_cached;
}

/* Validates a compressed P-256 point: 0x02/0x03 prefix, x < p, on the curve, not the
 * point at infinity. */
static int p256_valid(const uint8_t *pub, size_t len)
{
    const EC_GROUP *g = p256_group();
    if (!g)
        return G5_ERR_CRYPTO;
    if (len != P256_PUB_LEN || (pub[0] != 0x02 && pub[0] != 0x03))
        return G5_ERR_INVALID;
    EC_POINT *pt = EC_POINT_new(g);
    if (!pt)
        return G5_ERR_NOMEM;
    /* oct2point decompresses and fails when x >= p or x^3 + ax + b has no square root */
    int rc = EC_POINT_oct2point(g, pt, pub, len, NULL) && !EC_POINT_is_at_infinity(g, pt) &&
                     EC_POINT_is_on_curve(g, pt, NULL) == 1
                 ? 0
                 : G5_ERR_INVALID;
    EC_POINT_free(pt);
    return rc;
}

/* pub = compressed d*G for the private scalar priv, which must satisfy 1 <= d < n. */
static int p256_public(const uint8_t priv[32], uint8_t pub[P256_PUB_LEN])
{
    const EC_GROUP *g = p256_group();
    if (!g)
        return G5_ERR_CRYPTO;
    int rc = G5_ERR_CRYPTO;
    BIGNUM *d = BN_secure_new();
    EC_POINT *q = EC_POINT_new(g);
    if (d && BN_bin2bn(priv, 32, d) && (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(g)) >= 0))
        rc = G5_ERR_INVALID;
    else if (d && q && EC_POINT_mul(g, q, d, NULL, NULL, NULL) &&
             EC_POINT_point2oct(g, q, POINT_CONVERSION_COMPRESSED, pub, P256_PUB_LEN, NULL) ==
                 P256_PUB_LEN)
        rc = 0;
    EC_POINT_free(q);
    BN_clear_free(d);
    return rc;
}

/* EVP_PKEY for a P-256 key pair (priv and its public point pub) or a public point alone
 * (priv NULL). */
static EVP_PKEY *p256_pkey(const uint8_t *priv, const uint8_t *pub, size_t pub_len)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    BIGNUM *d = priv ? BN_secure_new() : NULL;
    if ((priv && (!d || !BN_bin2bn(priv, 32, d))) || !bld || !ctx ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) ||
        (d && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
out:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_clear_free(d);
    return pkey;
}

/* ---- own keys ---- */

/* An EVP_PKEY for our private key, and its public key in pub (32 or 33 bytes). Creating
 * it costs one scalar multiplication (the public key), so the SIDF builds it once per
 * home network key (g5_suci_hn_key) rather than per SUCI. */
static int own_key(int scheme, const uint8_t priv[32], EVP_PKEY **out, uint8_t pub[33])
{
    *out = NULL;
    if (scheme == G5_SUCI_PROFILE_A) {
        size_t len = X25519_LEN;
        *out = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, X25519_LEN);
        if (!*out || !EVP_PKEY_get_raw_public_key(*out, pub, &len) || len != X25519_LEN) {
            EVP_PKEY_free(*out);
            *out = NULL;
            return G5_ERR_CRYPTO;
        }
        return 0;
    }
    if (scheme != G5_SUCI_PROFILE_B)
        return G5_ERR_UNSUPPORTED;
    int rc = p256_public(priv, pub);
    if (rc)
        return rc;
    *out = p256_pkey(priv, pub, P256_PUB_LEN);
    return *out ? 0 : G5_ERR_CRYPTO;
}

struct g5_suci_hn_key {
    int scheme;
    EVP_PKEY *pkey;
};

int g5_suci_hn_key_new(int scheme, const uint8_t priv[G5_SUCI_PRIV_LEN], g5_suci_hn_key **out)
{
    uint8_t pub[G5_SUCI_PUB_MAX];
    *out = NULL;
    g5_suci_hn_key *k = OPENSSL_zalloc(sizeof *k);
    if (!k)
        return G5_ERR_NOMEM;
    int rc = own_key(scheme, priv, &k->pkey, pub);
    if (rc) {
        OPENSSL_free(k);
        return rc;
    }
    k->scheme = scheme;
    *out = k;
    return 0;
}

void g5_suci_hn_key_free(g5_suci_hn_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* OpenSSL clears the private key material */
    OPENSSL_free(k);
}

int g5_suci_hn_key_scheme(const g5_suci_hn_key *k)
{
    return k->scheme;
}

/* ---- key pairs ---- */

int g5_suci_public_key(int scheme, const uint8_t priv[G5_SUCI_PRIV_LEN],
                       uint8_t pub[G5_SUCI_PUB_MAX])
{
    if (scheme == G5_SUCI_PROFILE_B)
        return p256_public(priv, pub);
    EVP_PKEY *k = NULL;
    int rc = own_key(scheme, priv, &k, pub);
    EVP_PKEY_free(k);
    return rc;
}

int g5_suci_keygen(int scheme, uint8_t priv[G5_SUCI_PRIV_LEN], uint8_t pub[G5_SUCI_PUB_MAX])
{
    if (!g5_suci_pub_len(scheme))
        return G5_ERR_UNSUPPORTED;
    /* X25519 accepts any 32 bytes (RFC 7748 clamps); a P-256 scalar must lie in [1, n-1],
     * which a uniform 256-bit string misses with probability < 2^-32: draw again. */
    for (int tries = 0; tries < 16; tries++) {
        if (RAND_priv_bytes(priv, G5_SUCI_PRIV_LEN) != 1)
            return G5_ERR_CRYPTO;
        int rc = g5_suci_public_key(scheme, priv, pub);
        if (rc != G5_ERR_INVALID)
            return rc;
    }
    return G5_ERR_CRYPTO;
}

/* ---- ECDH ---- */

/* validate_peer: let OpenSSL check the peer key too. For P-256 we pass 0 after our own
 * check (p256_valid): OpenSSL's full public-key check adds an n*Q = infinity scalar
 * multiplication that a prime-order curve (cofactor 1) does not need once Q is on the
 * curve and not infinity, and it tripled the cost of a de-concealment. */
static int derive(EVP_PKEY *own, EVP_PKEY *peer, int validate_peer, uint8_t z[32])
{
    EVP_PKEY_CTX *ctx = own && peer ? EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL) : NULL;
    size_t len = 32;
    int ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
             EVP_PKEY_derive_set_peer_ex(ctx, peer, validate_peer) > 0 &&
             EVP_PKEY_derive(ctx, z, &len) > 0 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : G5_ERR_CRYPTO;
}

/* Shared secret Z between our key and the peer public key (C.3.4.1/C.3.4.2), after
 * validating the peer key. */
static int ecdh(int scheme, EVP_PKEY *own, const uint8_t *peer, size_t peer_len, uint8_t z[32])
{
    EVP_PKEY *other = NULL;
    int rc;
    if (scheme == G5_SUCI_PROFILE_A) {
        if (peer_len != X25519_LEN)
            return G5_ERR_INVALID;
        other = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, X25519_LEN);
        /* RFC 7748 §6.1: an all-zero output means a small-order peer point. OpenSSL
         * already fails the derivation then; the explicit check keeps us safe if not. */
        static const uint8_t zero[32];
        rc = other ? derive(own, other, 1, z) : G5_ERR_CRYPTO;
        if (other && (rc || CRYPTO_memcmp(z, zero, 32) == 0))
            rc = G5_ERR_INVALID;
    } else {
        rc = p256_valid(peer, peer_len);
        if (!rc) {
            other = p256_pkey(NULL, peer, peer_len);
            rc = derive(own, other, 0, z);
        }
    }
    EVP_PKEY_free(other);
    if (rc)
        OPENSSL_cleanse(z, 32);
    return rc;
}

/* ---- the ECIES composition ---- */

typedef struct ecies_keys {
    uint8_t enc_key[16];
    uint8_t icb[16];
    uint8_t mac_key[32];
} ecies_keys;

/* ANSI X9.63 KDF with SHA-256 (SEC 1 §3.6.1): K = SHA-256(Z || 00000001 || SharedInfo) ||
 * SHA-256(Z || 00000002 || SharedInfo); SharedInfo = the ephemeral public key as sent. */
static int x963_kdf(const uint8_t z[32], const uint8_t *eph_pub, size_t eph_len, ecies_keys *k)
{
    uint8_t out[64];
    int rc = 0;
    for (uint8_t i = 1; i <= 2 && !rc; i++) {
        uint8_t counter[4] = {0, 0, 0, i};
        g5_bytes parts[3] = {{z, 32}, {counter, 4}, {eph_pub, eph_len}};
        rc = g5_sha256(parts, 3, out + 32 * (i - 1));
    }
    if (!rc) {
        memcpy(k->enc_key, out, 16);
        memcpy(k->icb, out + 16, 16);
        memcpy(k->mac_key, out + 32, 32);
    }
    OPENSSL_cleanse(out, sizeof out);
    return rc;
}

static int mac_tag(const ecies_keys *k, const uint8_t *ct, size_t len, uint8_t tag[8])
{
    uint8_t full[32];
    g5_bytes part = {ct, len};
    int rc = g5_hmac_sha256(k->mac_key, 32, &part, 1, full);
    memcpy(tag, full, 8);
    return rc;
}

int g5_ecies_encrypt(int scheme, const uint8_t *hn_pub, size_t hn_pub_len, const uint8_t *eph_priv,
                     const uint8_t *plain, size_t plain_len, uint8_t *out, size_t cap,
                     size_t *out_len)
{
    size_t pl = g5_suci_pub_len(scheme);
    if (!pl)
        return G5_ERR_UNSUPPORTED;
    if (!hn_pub || hn_pub_len != pl || plain_len == 0 || plain_len > G5_SUCI_PLAIN_MAX || !plain)
        return G5_ERR_INVALID;
    if (cap < pl + plain_len + G5_SUCI_MAC_LEN)
        return G5_ERR_TOO_LONG;
    uint8_t priv[32], z[32];
    ecies_keys k;
    EVP_PKEY *eph = NULL;
    int rc = 0;
    /* the ephemeral key pair: injected, or fresh (a P-256 scalar must be in [1, n-1]) */
    if (eph_priv)
        memcpy(priv, eph_priv, 32);
    for (int tries = 0; tries < 16; tries++) {
        if (!eph_priv && RAND_priv_bytes(priv, sizeof priv) != 1) {
            rc = G5_ERR_CRYPTO;
            break;
        }
        rc = own_key(scheme, priv, &eph, out);
        if (rc != G5_ERR_INVALID || eph_priv)
            break;
    }
    if (!rc)
        rc = ecdh(scheme, eph, hn_pub, hn_pub_len, z);
    if (!rc)
        rc = x963_kdf(z, out, pl, &k);
    if (!rc)
        rc = g5_aes128_ctr(k.enc_key, k.icb, plain, out + pl, plain_len);
    if (!rc)
        rc = mac_tag(&k, out + pl, plain_len, out + pl + plain_len);
    if (!rc)
        *out_len = pl + plain_len + G5_SUCI_MAC_LEN;
    EVP_PKEY_free(eph);
    OPENSSL_cleanse(priv, sizeof priv);
    OPENSSL_cleanse(z, sizeof z);
    OPENSSL_cleanse(&k, sizeof k);
    return rc;
}

int g5_ecies_decrypt_with(const g5_suci_hn_key *key, const uint8_t *in, size_t in_len,
                          uint8_t *plain, size_t cap, size_t *plain_len)
{
    if (!key || !in)
        return G5_ERR_INVALID;
    size_t pl = g5_suci_pub_len(key->scheme);
    if (in_len < pl + 1 + G5_SUCI_MAC_LEN)
        return G5_ERR_TRUNCATED;
    size_t ct_len = in_len - pl - G5_SUCI_MAC_LEN;
    if (ct_len > G5_SUCI_PLAIN_MAX)
        return G5_ERR_INVALID;
    if (cap < ct_len)
        return G5_ERR_TOO_LONG;
    const uint8_t *eph = in, *ct = in + pl, *tag = in + pl + ct_len;
    uint8_t z[32], expect[8];
    ecies_keys k;
    int rc = ecdh(key->scheme, key->pkey, eph, pl, z);
    if (!rc)
        rc = x963_kdf(z, eph, pl, &k);
    if (!rc)
        rc = mac_tag(&k, ct, ct_len, expect);
    /* C.3.3: the MAC is checked before anything is decrypted, in constant time */
    if (!rc && CRYPTO_memcmp(expect, tag, G5_SUCI_MAC_LEN) != 0)
        rc = G5_ERR_CRYPTO;
    if (!rc)
        rc = g5_aes128_ctr(k.enc_key, k.icb, ct, plain, ct_len);
    if (!rc)
        *plain_len = ct_len;
    OPENSSL_cleanse(z, sizeof z);
    OPENSSL_cleanse(&k, sizeof k);
    return rc;
}

int g5_ecies_decrypt(int scheme, const uint8_t hn_priv[G5_SUCI_PRIV_LEN], const uint8_t *in,
                     size_t in_len, uint8_t *plain, size_t cap, size_t *plain_len)
{
    if (!g5_suci_pub_len(scheme))
        return G5_ERR_UNSUPPORTED;
    if (!in || !hn_priv)
        return G5_ERR_INVALID;
    if (in_len < g5_suci_pub_len(scheme) + 1 + G5_SUCI_MAC_LEN)
        return G5_ERR_TRUNCATED; /* before paying for the key set-up */
    g5_suci_hn_key *key = NULL;
    int rc = g5_suci_hn_key_new(scheme, hn_priv, &key);
    if (!rc)
        rc = g5_ecies_decrypt_with(key, in, in_len, plain, cap, plain_len);
    g5_suci_hn_key_free(key);
    return rc;
}
