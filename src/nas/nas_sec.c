/* NAS security: the security protected 5GS NAS message (TS 24.501 4.4, 8.2.28, 9.1.1)
 * and NAS COUNT handling.
 *
 * Wire form: EPD(0x7e) | sht | MAC(4) | SQN(1) | plain message (ciphered for sht 2/4).
 * The MAC covers SQN + message (24.501 4.4.3.3); ciphering covers the plain message only.
 * COUNT = 0x00 | overflow(16) | SQN(8) (24.501 4.4.3.1); BEARER = access type
 * distinguisher (TS 33.501 6.4.3.1 / A.8: 1 = 3GPP, 2 = non-3GPP); DIRECTION 0 = uplink.
 * The algorithms are g5_nia/g5_nea from src/crypto/nas_algs.h.
 */
#include <string.h>

#include "core/err.h"
#include "crypto/nas_algs.h"
#include "nas/nas.h"

#define COUNT_MASK 0xffffffu /* 24-bit NAS COUNT: 16-bit overflow + 8-bit SQN */

static uint32_t *count_of(nas_sec_ctx *ctx, enum nas_dir dir)
{
    return dir == NAS_DIR_UL ? &ctx->ul_count : &ctx->dl_count;
}

static bool ciphered(uint8_t sht)
{
    return sht == NAS_SHT_INTEGRITY_CIPHERED || sht == NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX;
}

int nas_sec_protect(nas_sec_ctx *ctx, uint8_t sht, enum nas_dir dir, const uint8_t *plain,
                    size_t plain_len, g5_wbuf *w)
{
    if (sht < NAS_SHT_INTEGRITY || sht > NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX || plain_len < 2)
        return G5_ERR_INVALID;
    uint32_t count = *count_of(ctx, dir) & COUNT_MASK;
    size_t start = w->len, mac_at, body;
    g5_wbuf_u8(w, NAS_EPD_5GMM);
    g5_wbuf_u8(w, sht);
    g5_wbuf_hole(w, 4, &mac_at);
    g5_wbuf_u8(w, (uint8_t)count);
    if (g5_wbuf_hole(w, plain_len, &body))
        return w->err;
    int rc;
    if (ciphered(sht))
        rc = g5_nea(ctx->nea, ctx->knas_enc, count, ctx->bearer, (uint8_t)dir, plain, w->p + body,
                    plain_len * 8);
    else
        rc = (memcpy(w->p + body, plain, plain_len), 0);
    if (rc)
        return rc;
    uint8_t mac[4];
    rc = g5_nia(ctx->nia, ctx->knas_int, count, ctx->bearer, (uint8_t)dir, w->p + mac_at + 4,
                (w->len - mac_at - 4) * 8, mac);
    if (rc) {
        w->len = start;
        return rc;
    }
    memcpy(w->p + mac_at, mac, 4);
    *count_of(ctx, dir) = (count + 1) & COUNT_MASK;
    return 0;
}

uint32_t nas_count_estimate(uint32_t next_expected, uint8_t sqn)
{
    uint32_t overflow = (next_expected & COUNT_MASK) >> 8;
    if (sqn < (next_expected & 0xff))
        overflow = (overflow + 1) & 0xffff; /* SQN wrapped since the last message */
    return (overflow << 8) | sqn;
}

bool nas_sec_is_replay(const nas_sec_ctx *ctx, enum nas_dir dir, uint8_t sqn)
{
    uint32_t next = dir == NAS_DIR_UL ? ctx->ul_count : ctx->dl_count;
    return ctx->ul_seen && dir == NAS_DIR_UL && sqn == ((next - 1) & 0xff);
}

static bool mac_equal(const uint8_t a[4], const uint8_t b[4])
{
    uint8_t d = 0;
    for (int i = 0; i < 4; i++)
        d |= a[i] ^ b[i]; /* constant time */
    return d == 0;
}

int nas_sec_unprotect(nas_sec_ctx *ctx, enum nas_dir dir, const uint8_t *msg, size_t n,
                      uint8_t *plain, size_t cap, size_t *plain_len)
{
    if (n < 9)
        return G5_ERR_TRUNCATED;
    uint8_t sht = msg[1] & 0x0f;
    if (msg[0] != NAS_EPD_5GMM || sht < NAS_SHT_INTEGRITY ||
        sht > NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX)
        return G5_ERR_INVALID;
    size_t body_len = n - 7;
    if (body_len > cap)
        return G5_ERR_TOO_LONG;
    uint32_t count = nas_count_estimate(*count_of(ctx, dir), msg[6]);
    uint8_t mac[4];
    int rc = g5_nia(ctx->nia, ctx->knas_int, count, ctx->bearer, (uint8_t)dir, msg + 6, (n - 6) * 8,
                    mac);
    if (rc)
        return rc;
    if (!mac_equal(mac, msg + 2))
        return G5_ERR_CRYPTO;
    if (ciphered(sht))
        rc = g5_nea(ctx->nea, ctx->knas_enc, count, ctx->bearer, (uint8_t)dir, msg + 7, plain,
                    body_len * 8);
    else
        memcpy(plain, msg + 7, body_len);
    if (rc)
        return rc;
    *plain_len = body_len;
    *count_of(ctx, dir) = (count + 1) & COUNT_MASK;
    if (dir == NAS_DIR_UL)
        ctx->ul_seen = true;
    return 0;
}

int nas_encode_protected(nas_sec_ctx *ctx, uint8_t sht, enum nas_dir dir, const nas_msg *m,
                         g5_wbuf *w)
{
    g5_wbuf plain;
    g5_wbuf_init_dyn(&plain, 0x10000);
    int rc = nas_encode(m, &plain);
    if (!rc)
        rc = nas_sec_protect(ctx, sht, dir, plain.p, plain.len, w);
    g5_wbuf_free(&plain);
    return rc;
}

int nas_decode_protected(nas_sec_ctx *ctx, enum nas_dir dir, const uint8_t *p, size_t n,
                         uint8_t *plain, size_t cap, nas_msg *out, uint8_t *cause,
                         bool *was_protected)
{
    int rc = nas_decode(p, n, out, cause);
    *was_protected = !rc && out->sht != NAS_SHT_PLAIN;
    if (rc || !*was_protected)
        return rc;
    size_t len;
    rc = nas_sec_unprotect(ctx, dir, p, n, plain, cap, &len);
    if (rc)
        return rc;
    rc = nas_decode(plain, len, out, cause);
    if (!rc && out->sht != NAS_SHT_PLAIN)
        rc = G5_ERR_INVALID; /* 9.9: a protected message never nests another */
    return rc;
}
