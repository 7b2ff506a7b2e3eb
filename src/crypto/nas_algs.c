/* 128-NEA0..3 / 128-NIA0..3 dispatch (TS 33.501 Annex D.1-D.3 -> TS 33.401 Annex B).
 * NEA2/NIA2 use AES from OpenSSL; NIA2 over a message whose length is not a whole number
 * of octets needs a bit-granular CMAC (OpenSSL's CMAC takes bytes), implemented here on
 * the AES block function per NIST SP 800-38B. NEA1/NIA1 and NEA3/NIA3 are snow3g.c and
 * zuc.c. */
#include "crypto/nas_algs.h"

#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "crypto/evp.h"
#include "crypto/snow3g.h"
#include "crypto/zuc.h"

/* NAS messages are at most 65535 octets (TS 24.501 §9.1); bound the work per call well
 * above that so a length never overflows the arithmetic below. */
#define NAS_MAX_BITS ((size_t)1 << 24)

static int check_args(int alg, const uint8_t *key, uint8_t bearer, uint8_t dir, const void *in,
                      size_t bitlen)
{
    if (alg < 0 || alg > 3)
        return G5_ERR_UNSUPPORTED;
    if (bearer > 31 || dir > 1 || (!key && alg) || (!in && bitlen))
        return G5_ERR_INVALID;
    if (bitlen > NAS_MAX_BITS)
        return G5_ERR_TOO_LONG;
    return 0;
}

/* The first 8 octets common to NEA2's counter block and NIA2's message prefix:
 * COUNT || BEARER || DIRECTION || 0^26 (TS 33.401 B.1.3, B.2.3). */
static void iv_prefix(uint32_t count, uint8_t bearer, uint8_t dir, uint8_t p[8])
{
    p[0] = (uint8_t)(count >> 24);
    p[1] = (uint8_t)(count >> 16);
    p[2] = (uint8_t)(count >> 8);
    p[3] = (uint8_t)count;
    p[4] = (uint8_t)((bearer << 3) | (dir << 2));
    p[5] = p[6] = p[7] = 0;
}

static void dbl(const uint8_t in[16], uint8_t out[16])
{
    uint8_t carry = in[0] >> 7;
    for (int i = 0; i < 15; i++)
        out[i] = (uint8_t)((in[i] << 1) | (in[i + 1] >> 7));
    out[15] = (uint8_t)((in[15] << 1) ^ (carry ? 0x87 : 0));
}

/* Bit i (MSB first) of prefix(8 octets) || msg. */
static uint8_t nia2_byte(const uint8_t pre[8], const uint8_t *msg, size_t msgbits, size_t at)
{
    if (at < 8)
        return pre[at];
    size_t m = at - 8;
    if (m * 8 >= msgbits)
        return 0;
    uint8_t b = msg[m];
    size_t left = msgbits - m * 8;
    if (left < 8)
        b &= (uint8_t)(0xff << (8 - left));
    return b;
}

/* AES-CMAC (SP 800-38B §6.2) over the bit string prefix || msg of 64 + msgbits bits. */
static int cmac_bits(const uint8_t key[16], const uint8_t pre[8], const uint8_t *msg,
                     size_t msgbits, uint8_t tag[16])
{
    g5_aes128 aes;
    uint8_t l[16] = {0}, k1[16], k2[16], x[16] = {0}, blk[16];
    int rc = g5_aes128_init(&aes, key);
    if (rc)
        return rc;
    rc = g5_aes128_block(&aes, l, l);
    dbl(l, k1);
    dbl(k1, k2);
    size_t total = 64 + msgbits, nblocks = (total + 127) / 128;
    for (size_t b = 0; b < nblocks && !rc; b++) {
        for (int j = 0; j < 16; j++)
            blk[j] = nia2_byte(pre, msg, msgbits, 16 * b + (size_t)j);
        if (b == nblocks - 1) {
            size_t lastbits = total - 128 * b;
            if (lastbits == 128) {
                for (int j = 0; j < 16; j++)
                    blk[j] ^= k1[j];
            } else { /* pad with 1 0* then xor K2 */
                blk[lastbits / 8] |= (uint8_t)(0x80 >> (lastbits % 8));
                for (int j = 0; j < 16; j++)
                    blk[j] ^= k2[j];
            }
        }
        for (int j = 0; j < 16; j++)
            x[j] ^= blk[j];
        rc = g5_aes128_block(&aes, x, x);
    }
    if (!rc)
        memcpy(tag, x, 16);
    g5_aes128_free(&aes);
    OPENSSL_cleanse(l, sizeof l);
    OPENSSL_cleanse(k1, sizeof k1);
    OPENSSL_cleanse(k2, sizeof k2);
    OPENSSL_cleanse(x, sizeof x);
    return rc;
}

static int nia2(const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
                const uint8_t *msg, size_t bitlen, uint8_t mac[4])
{
    uint8_t pre[8], tag[16];
    int rc;
    iv_prefix(count, bearer, dir, pre);
    if (bitlen % 8 == 0) {
        g5_bytes parts[2] = {{pre, 8}, {msg, bitlen / 8}};
        rc = g5_aes128_cmac(key, parts, 2, tag);
    } else {
        rc = cmac_bits(key, pre, msg, bitlen, tag);
    }
    if (!rc)
        memcpy(mac, tag, 4); /* MACT[0..31] */
    return rc;
}

int g5_nia(int alg, const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
           const uint8_t *msg, size_t bitlen, uint8_t mac[4])
{
    int rc = check_args(alg, key, bearer, dir, msg, bitlen);
    if (rc)
        return rc;
    switch (alg) {
    case 0: memset(mac, 0, 4); return 0; /* NIA0: MAC of 32 zero bits (D.3.1) */
    case 1: /* 128-NIA1 = UIA2 with FRESH = BEARER || 0^27 (TS 33.401 B.2.2) */
        g5_snow3g_f9(key, count, (uint32_t)bearer << 27, dir, msg, bitlen, mac);
        return 0;
    case 2: return nia2(key, count, bearer, dir, msg, bitlen, mac);
    default: g5_zuc_eia3(key, count, bearer, dir, msg, bitlen, mac); return 0;
    }
}

static void mask_tail(uint8_t *out, size_t bitlen)
{
    if (bitlen % 8)
        out[bitlen / 8] &= (uint8_t)(0xff << (8 - bitlen % 8));
}

int g5_nea(int alg, const uint8_t key[16], uint32_t count, uint8_t bearer, uint8_t dir,
           const uint8_t *in, uint8_t *out, size_t bitlen)
{
    int rc = check_args(alg, key, bearer, dir, in, bitlen);
    if (rc)
        return rc;
    if (bitlen && !out)
        return G5_ERR_INVALID;
    size_t nbytes = (bitlen + 7) / 8;
    switch (alg) {
    case 0: /* NEA0: the keystream is all zeros (D.2.1) */
        if (nbytes && in != out)
            memmove(out, in, nbytes);
        break;
    case 1: g5_snow3g_f8(key, count, bearer, dir, in, out, bitlen); break;
    case 2: { /* counter block T1 = COUNT || BEARER || DIRECTION || 0^26 || 0^64 (B.1.3) */
        uint8_t icb[16] = {0};
        iv_prefix(count, bearer, dir, icb);
        rc = g5_aes128_ctr(key, icb, in, out, nbytes);
        break;
    }
    default: g5_zuc_eea3(key, count, bearer, dir, in, out, bitlen); break;
    }
    if (!rc && nbytes)
        mask_tail(out, bitlen);
    return rc;
}
