/* MILENAGE (TS 35.206 §4) over AES-128 from OpenSSL, and the AKA sequence-number
 * procedures of TS 33.102 §6.3 that the AUSF/UDM and the simulated USIM share.
 *
 *   TEMP = E_K(RAND xor OPc)
 *   OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc,  IN1 = SQN||AMF||SQN||AMF
 *   OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc,          i = 2..5
 * with r1..r5 = 64, 0, 32, 64, 96 bits and c1..c5 = 0, 1, 2, 4, 8 (in the last byte).
 * f1 = OUT1[0..63], f1* = OUT1[64..127], f5 = OUT2[0..47], f2 = OUT2[64..127], f3 = OUT3,
 * f4 = OUT4, f5* = OUT5[0..47].
 */
#include "crypto/milenage.h"

#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "crypto/evp.h"

/* out = rot(in xor opc, r bytes) xor c (c in the last byte): TS 35.206 §4.1. */
static void rot_xor(const uint8_t in[16], const uint8_t opc[16], unsigned rbytes, uint8_t c,
                    uint8_t out[16])
{
    for (unsigned i = 0; i < 16; i++)
        out[i] = in[(i + rbytes) % 16] ^ opc[(i + rbytes) % 16];
    out[15] ^= c;
}

int g5_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
    g5_aes128 aes;
    uint8_t t[16];
    int rc = g5_aes128_init(&aes, k);
    if (rc)
        return rc;
    rc = g5_aes128_block(&aes, op, t);
    g5_aes128_free(&aes);
    if (rc)
        return rc;
    for (int i = 0; i < 16; i++)
        opc[i] = t[i] ^ op[i];
    OPENSSL_cleanse(t, sizeof t);
    return 0;
}

/* TEMP = E_K(RAND xor OPc). */
static int temp_value(g5_aes128 *aes, const uint8_t opc[16], const uint8_t rand[16],
                      uint8_t temp[16])
{
    uint8_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = rand[i] ^ opc[i];
    int rc = g5_aes128_block(aes, x, temp);
    OPENSSL_cleanse(x, sizeof x);
    return rc;
}

int g5_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                   const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
    g5_aes128 aes;
    uint8_t temp[16], in1[16], x[16], out1[16];
    int rc = g5_aes128_init(&aes, k);
    if (rc)
        return rc;
    rc = temp_value(&aes, opc, rand, temp);
    if (rc)
        goto out;
    memcpy(in1, sqn, 6);
    memcpy(in1 + 6, amf, 2);
    memcpy(in1 + 8, sqn, 6);
    memcpy(in1 + 14, amf, 2);
    rot_xor(in1, opc, 8, 0x00, x); /* r1 = 64 bits, c1 = 0 */
    for (int i = 0; i < 16; i++)
        x[i] ^= temp[i];
    rc = g5_aes128_block(&aes, x, out1);
    if (rc)
        goto out;
    for (int i = 0; i < 16; i++)
        out1[i] ^= opc[i];
    if (mac_a)
        memcpy(mac_a, out1, 8);
    if (mac_s)
        memcpy(mac_s, out1 + 8, 8);
out:
    g5_aes128_free(&aes);
    OPENSSL_cleanse(temp, sizeof temp);
    OPENSSL_cleanse(x, sizeof x);
    OPENSSL_cleanse(out1, sizeof out1);
    return rc;
}

/* OUTi for i = 2..5 (ri in bytes, ci). */
static int out_i(g5_aes128 *aes, const uint8_t temp[16], const uint8_t opc[16], unsigned rbytes,
                 uint8_t c, uint8_t out[16])
{
    uint8_t x[16];
    rot_xor(temp, opc, rbytes, c, x);
    int rc = g5_aes128_block(aes, x, out);
    for (int i = 0; i < 16; i++)
        out[i] ^= opc[i];
    OPENSSL_cleanse(x, sizeof x);
    return rc;
}

int g5_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                      uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
                      uint8_t ak_star[6])
{
    g5_aes128 aes;
    uint8_t temp[16], out[16];
    int rc = g5_aes128_init(&aes, k);
    if (rc)
        return rc;
    rc = temp_value(&aes, opc, rand, temp);
    if (!rc && (res || ak) && !(rc = out_i(&aes, temp, opc, 0, 0x01, out))) {
        if (ak)
            memcpy(ak, out, 6);
        if (res)
            memcpy(res, out + 8, 8);
    }
    if (!rc && ck && !(rc = out_i(&aes, temp, opc, 4, 0x02, out))) /* r3 = 32 bits */
        memcpy(ck, out, 16);
    if (!rc && ik && !(rc = out_i(&aes, temp, opc, 8, 0x04, out))) /* r4 = 64 bits */
        memcpy(ik, out, 16);
    if (!rc && ak_star && !(rc = out_i(&aes, temp, opc, 12, 0x08, out))) /* r5 = 96 bits */
        memcpy(ak_star, out, 6);
    g5_aes128_free(&aes);
    OPENSSL_cleanse(temp, sizeof temp);
    OPENSSL_cleanse(out, sizeof out);
    return rc;
}

int g5_milenage_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                         const uint8_t sqn[6], const uint8_t amf[2], g5_milenage_av *av)
{
    uint8_t mac_a[8];
    memcpy(av->rand, rand, 16);
    int rc = g5_milenage_f1(k, opc, rand, sqn, amf, mac_a, NULL);
    if (!rc)
        rc = g5_milenage_f2345(k, opc, rand, av->xres, av->ck, av->ik, av->ak, NULL);
    if (rc) {
        OPENSSL_cleanse(av, sizeof *av);
        return rc;
    }
    for (int i = 0; i < 6; i++)
        av->autn[i] = sqn[i] ^ av->ak[i];
    memcpy(av->autn + 6, amf, 2);
    memcpy(av->autn + 8, mac_a, 8);
    return 0;
}

int g5_milenage_check_autn(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                           const uint8_t autn[G5_AUTN_LEN], uint8_t sqn[6], uint8_t res[8],
                           uint8_t ck[16], uint8_t ik[16])
{
    uint8_t ak[6], s[6], xmac[8], r[8], c[16], i16[16];
    int rc = g5_milenage_f2345(k, opc, rand, r, c, i16, ak, NULL);
    if (rc)
        goto out;
    for (int i = 0; i < 6; i++)
        s[i] = autn[i] ^ ak[i];
    rc = g5_milenage_f1(k, opc, rand, s, autn + 6, xmac, NULL);
    if (rc)
        goto out;
    if (CRYPTO_memcmp(xmac, autn + 8, 8) != 0) {
        rc = G5_ERR_CRYPTO;
        goto out;
    }
    memcpy(sqn, s, 6);
    if (res)
        memcpy(res, r, 8);
    if (ck)
        memcpy(ck, c, 16);
    if (ik)
        memcpy(ik, i16, 16);
out:
    OPENSSL_cleanse(r, sizeof r);
    OPENSSL_cleanse(c, sizeof c);
    OPENSSL_cleanse(i16, sizeof i16);
    OPENSSL_cleanse(ak, sizeof ak);
    return rc;
}

static const uint8_t resync_amf[2] = {0x00, 0x00}; /* AMF* dummy value, TS 33.102 §6.3.3 */

int g5_milenage_auts(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                     const uint8_t sqn_ms[6], uint8_t auts[G5_AUTS_LEN])
{
    uint8_t ak_star[6], mac_s[8];
    int rc = g5_milenage_f2345(k, opc, rand, NULL, NULL, NULL, NULL, ak_star);
    if (!rc)
        rc = g5_milenage_f1(k, opc, rand, sqn_ms, resync_amf, NULL, mac_s);
    if (!rc) {
        for (int i = 0; i < 6; i++)
            auts[i] = sqn_ms[i] ^ ak_star[i];
        memcpy(auts + 6, mac_s, 8);
    }
    OPENSSL_cleanse(ak_star, sizeof ak_star);
    return rc;
}

int g5_milenage_resync(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                       const uint8_t auts[G5_AUTS_LEN], uint8_t sqn_ms[6])
{
    uint8_t ak_star[6], s[6], xmac_s[8];
    int rc = g5_milenage_f2345(k, opc, rand, NULL, NULL, NULL, NULL, ak_star);
    if (rc)
        goto out;
    for (int i = 0; i < 6; i++)
        s[i] = auts[i] ^ ak_star[i];
    rc = g5_milenage_f1(k, opc, rand, s, resync_amf, NULL, xmac_s);
    if (rc)
        goto out;
    if (CRYPTO_memcmp(xmac_s, auts + 6, 8) != 0) {
        rc = G5_ERR_CRYPTO;
        goto out;
    }
    memcpy(sqn_ms, s, 6);
out:
    OPENSSL_cleanse(ak_star, sizeof ak_star);
    return rc;
}
