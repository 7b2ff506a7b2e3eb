/* SNOW 3G (ETSI/SAGE UEA2&UIA2 Document 2 = TS 35.216) with f8/f9 (Document 1 = TS 35.215).
 *
 * The S-boxes are not typed in: SR is the AES S-box (inversion in GF(2^8)/0x11B followed by
 * the AES affine map) and SQ is the Dickson-polynomial S-box of Document 2 §3.4.2,
 * SQ(x) = g49(x) xor 0x25. Both, and the 32-bit tables for S1, S2, MUL_alpha and DIV_alpha
 * (§3.4, §3.4.5, §3.4.6), are computed once at first use; the keystream vectors of
 * Document 3 (tests/unit/test_crypto_nas.c) check the result.
 */
#include "crypto/snow3g.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

static uint32_t t_s1[4][256], t_s2[4][256], t_mul_a[256], t_div_a[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* MULx(V, c) of Document 2 §3.1.1. */
static uint8_t mulx(uint8_t v, uint8_t c)
{
    return (uint8_t)((v & 0x80) ? ((v << 1) ^ c) : (v << 1));
}

static uint8_t mulx_pow(uint8_t v, unsigned i, uint8_t c)
{
    while (i--)
        v = mulx(v, c);
    return v;
}

/* Multiplication in GF(2^8) modulo the polynomial poly (with its x^8 term). */
static uint8_t gf_mul(uint8_t a, uint8_t b, unsigned poly)
{
    unsigned r = 0, x = a;
    for (; b; b >>= 1) {
        if (b & 1)
            r ^= x;
        x <<= 1;
        if (x & 0x100)
            x ^= poly;
    }
    return (uint8_t)r;
}

static uint8_t gf_pow(uint8_t a, unsigned e, unsigned poly)
{
    uint8_t r = 1;
    for (; e; e >>= 1) {
        if (e & 1)
            r = gf_mul(r, a, poly);
        a = gf_mul(a, a, poly);
    }
    return r;
}

static uint8_t rotl8(uint8_t x, unsigned n)
{
    return (uint8_t)((x << n) | (x >> (8 - n)));
}

/* SR: the Rijndael S-box (FIPS 197 §5.1.1). */
static uint8_t sbox_sr(uint8_t x)
{
    uint8_t b = gf_pow(x, 254, 0x11B); /* x^-1, and 0 -> 0 */
    return (uint8_t)(b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63);
}

/* SQ: Document 2 §3.4.2, g49(x) = x + x^9 + x^13 + x^15 + x^33 + x^41 + x^45 + x^47 + x^49
 * over GF(2^8) defined by x^8 + x^6 + x^5 + x^3 + 1. */
static uint8_t sbox_sq(uint8_t x)
{
    static const unsigned exps[] = {1, 9, 13, 15, 33, 41, 45, 47, 49};
    uint8_t r = 0;
    for (size_t i = 0; i < sizeof exps / sizeof exps[0]; i++)
        r ^= gf_pow(x, exps[i], 0x169);
    return r ^ 0x25;
}

static uint32_t word(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

/* S1/S2 (§3.4.3, §3.4.4) are a MixColumns-like map after the byte S-box: byte j of the
 * input contributes (m, m^s, s, s) rotated right by j bytes, s = S(x), m = MULx(s, c). */
static void fill_s_table(uint32_t t[4][256], uint8_t (*sbox)(uint8_t), uint8_t c)
{
    for (unsigned x = 0; x < 256; x++) {
        uint8_t s = sbox((uint8_t)x), m = mulx(s, c);
        t[0][x] = word(m, m ^ s, s, s);
        t[1][x] = word(s, m, m ^ s, s);
        t[2][x] = word(s, s, m, m ^ s);
        t[3][x] = word(m ^ s, s, s, m);
    }
}

static void build_tables(void)
{
    fill_s_table(t_s1, sbox_sr, 0x1B);
    fill_s_table(t_s2, sbox_sq, 0x69);
    for (unsigned x = 0; x < 256; x++) {
        uint8_t c = (uint8_t)x;
        t_mul_a[x] = word(mulx_pow(c, 23, 0xA9), mulx_pow(c, 245, 0xA9), mulx_pow(c, 48, 0xA9),
                          mulx_pow(c, 239, 0xA9));
        t_div_a[x] = word(mulx_pow(c, 16, 0xA9), mulx_pow(c, 39, 0xA9), mulx_pow(c, 6, 0xA9),
                          mulx_pow(c, 64, 0xA9));
    }
}

static uint32_t s_box(const uint32_t t[4][256], uint32_t w)
{
    return t[0][w >> 24] ^ t[1][(w >> 16) & 0xff] ^ t[2][(w >> 8) & 0xff] ^ t[3][w & 0xff];
}

/* ClockFSM (§3.4.6): returns F. */
static uint32_t clock_fsm(g5_snow3g *s)
{
    uint32_t f = (s->s[15] + s->r1) ^ s->r2;
    uint32_t r = s->r2 + (s->r3 ^ s->s[5]);
    s->r3 = s_box(t_s2, s->r2);
    s->r2 = s_box(t_s1, s->r1);
    s->r1 = r;
    return f;
}

/* ClockLFSRInitializationMode(F) / ClockLFSRKeyStreamMode() (§3.4.4/§3.4.5): f = 0 in
 * keystream mode. */
static void clock_lfsr(g5_snow3g *s, uint32_t f)
{
    uint32_t v = (s->s[0] << 8) ^ t_mul_a[s->s[0] >> 24] ^ s->s[2] ^ (s->s[11] >> 8) ^
                 t_div_a[s->s[11] & 0xff] ^ f;
    memmove(s->s, s->s + 1, 15 * sizeof s->s[0]);
    s->s[15] = v;
}

void g5_snow3g_init(g5_snow3g *s, const uint32_t k[4], const uint32_t iv[4])
{
    (void)pthread_once(&tables_once, build_tables);
    const uint32_t ones = 0xffffffffu;
    /* §4.1 */
    s->s[15] = k[3] ^ iv[0];
    s->s[14] = k[2];
    s->s[13] = k[1];
    s->s[12] = k[0] ^ iv[1];
    s->s[11] = k[3] ^ ones;
    s->s[10] = k[2] ^ ones ^ iv[2];
    s->s[9] = k[1] ^ ones ^ iv[3];
    s->s[8] = k[0] ^ ones;
    s->s[7] = k[3];
    s->s[6] = k[2];
    s->s[5] = k[1];
    s->s[4] = k[0];
    s->s[3] = k[3] ^ ones;
    s->s[2] = k[2] ^ ones;
    s->s[1] = k[1] ^ ones;
    s->s[0] = k[0] ^ ones;
    s->r1 = s->r2 = s->r3 = 0;
    for (int i = 0; i < 32; i++)
        clock_lfsr(s, clock_fsm(s));
    /* §4.2: the first FSM output after initialisation is discarded */
    (void)clock_fsm(s);
    clock_lfsr(s, 0);
}

uint32_t g5_snow3g_next(g5_snow3g *s)
{
    uint32_t z = clock_fsm(s) ^ s->s[0];
    clock_lfsr(s, 0);
    return z;
}

void g5_snow3g_wipe(g5_snow3g *s)
{
    OPENSSL_cleanse(s, sizeof *s);
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Document 1 §3.4/§4.4: K3 = key bytes 0..3, ..., K0 = key bytes 12..15. */
static void key_words(const uint8_t key[16], uint32_t k[4])
{
    for (int i = 0; i < 4; i++)
        k[3 - i] = load_be32(key + 4 * i);
}

void g5_snow3g_f8(const uint8_t ck[16], uint32_t count, uint8_t bearer, uint8_t dir,
                  const uint8_t *in, uint8_t *out, size_t bitlen)
{
    uint32_t k[4], iv[4];
    key_words(ck, k);
    /* Document 1 §3.4: IV3 = COUNT, IV2 = BEARER || DIRECTION || 0^26, IV1 = IV3, IV0 = IV2 */
    iv[3] = count;
    iv[2] = ((uint32_t)(bearer & 0x1f) << 27) | ((uint32_t)(dir & 1) << 26);
    iv[1] = iv[3];
    iv[0] = iv[2];
    g5_snow3g s;
    g5_snow3g_init(&s, k, iv);
    size_t nbytes = (bitlen + 7) / 8;
    for (size_t i = 0; i < nbytes; i += 4) {
        uint32_t z = g5_snow3g_next(&s);
        for (size_t j = 0; j < 4 && i + j < nbytes; j++)
            out[i + j] = in[i + j] ^ (uint8_t)(z >> (24 - 8 * j));
    }
    if (bitlen % 8)
        out[nbytes - 1] &= (uint8_t)(0xff << (8 - bitlen % 8));
    g5_snow3g_wipe(&s);
    OPENSSL_cleanse(k, sizeof k);
}

/* MUL64(V, P, c) of Document 1 §4.3 in GF(2^64) with the reduction constant c = 0x1b. */
static uint64_t mul64(uint64_t v, uint64_t p)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) {
        if ((p >> i) & 1)
            r ^= v;
        v = (v & 0x8000000000000000ull) ? (v << 1) ^ 0x1b : v << 1;
    }
    return r;
}

/* 64-bit block i of the message, with the bits beyond bitlen forced to zero. */
static uint64_t msg_block(const uint8_t *msg, size_t bitlen, size_t i)
{
    uint64_t b = 0;
    size_t nbytes = (bitlen + 7) / 8;
    for (size_t j = 0; j < 8; j++) {
        size_t at = 8 * i + j;
        b = (b << 8) | (at < nbytes ? msg[at] : 0);
    }
    size_t first_bit = 64 * i;
    if (bitlen <= first_bit) /* empty message: the single block is all zero */
        return 0;
    if (bitlen < first_bit + 64) /* partial last block */
        b &= ~0ull << (64 - (bitlen - first_bit));
    return b;
}

void g5_snow3g_f9(const uint8_t ik[16], uint32_t count, uint32_t fresh, uint8_t dir,
                  const uint8_t *msg, size_t bitlen, uint8_t mac[4])
{
    uint32_t k[4], iv[4], z[5];
    key_words(ik, k);
    /* Document 1 §4.4: IV3 = COUNT-I, IV2 = FRESH, IV1 = COUNT-I ^ (DIRECTION << 31),
     * IV0 = FRESH ^ (DIRECTION << 15) */
    iv[3] = count;
    iv[2] = fresh;
    iv[1] = count ^ ((uint32_t)(dir & 1) << 31);
    iv[0] = fresh ^ ((uint32_t)(dir & 1) << 15);
    g5_snow3g s;
    g5_snow3g_init(&s, k, iv);
    for (int i = 0; i < 5; i++)
        z[i] = g5_snow3g_next(&s);
    g5_snow3g_wipe(&s);
    uint64_t p = (uint64_t)z[0] << 32 | z[1], q = (uint64_t)z[2] << 32 | z[3];
    /* D = ceil(LENGTH / 64) + 1 blocks: the message blocks M0..M(D-2) then LENGTH. */
    size_t nblocks = bitlen == 0 ? 1 : (bitlen + 63) / 64;
    uint64_t eval = 0;
    for (size_t i = 0; i < nblocks; i++)
        eval = mul64(eval ^ msg_block(msg, bitlen, i), p);
    eval ^= (uint64_t)bitlen;
    eval = mul64(eval, q);
    uint32_t m = (uint32_t)(eval >> 32) ^ z[4];
    mac[0] = (uint8_t)(m >> 24);
    mac[1] = (uint8_t)(m >> 16);
    mac[2] = (uint8_t)(m >> 8);
    mac[3] = (uint8_t)m;
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(z, sizeof z);
}
