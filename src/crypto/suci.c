/* SUPI / SUCI identifiers: the textual forms (TS 23.003 §2.2B, TS 29.503 §6.1.6.2.3),
 * the BCD MSIN scheme input (TS 33.501 Annex C.2, TS 24.501 §9.11.3.4) and
 * conceal/de-conceal on top of the ECIES schemes in ecies.c. Parsers are strict: digit
 * counts, hex, key id range and every separator are checked, nothing is read past the
 * NUL, and anything unexpected is G5_ERR_INVALID. */
#include "crypto/suci.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "core/hex.h"

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Copies the n-char field at s into dst (NUL-terminated) if it is n digits. */
static int take_digits(const char *s, size_t n, char *dst)
{
    if (!is_digits(s, n))
        return G5_ERR_INVALID;
    memcpy(dst, s, n);
    dst[n] = 0;
    return 0;
}

int g5_msin_to_bcd(const char *digits, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = strlen(digits);
    if (n == 0 || n > 10 || !is_digits(digits, n))
        return G5_ERR_INVALID;
    size_t len = (n + 1) / 2;
    if (cap < len)
        return G5_ERR_TOO_LONG;
    for (size_t i = 0; i < len; i++) {
        uint8_t lo = (uint8_t)(digits[2 * i] - '0');
        uint8_t hi = 2 * i + 1 < n ? (uint8_t)(digits[2 * i + 1] - '0') : 0xf;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = len;
    return 0;
}

int g5_msin_from_bcd(const uint8_t *bcd, size_t len, char *digits, size_t cap)
{
    if (len == 0 || len > 5)
        return G5_ERR_INVALID;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t lo = bcd[i] & 0xf, hi = bcd[i] >> 4;
        if (lo > 9)
            return G5_ERR_INVALID;
        if (n + 1 >= cap)
            return G5_ERR_TOO_LONG;
        digits[n++] = (char)('0' + lo);
        if (hi == 0xf && i == len - 1)
            break; /* filler, only in the last octet */
        if (hi > 9)
            return G5_ERR_INVALID;
        if (n + 1 >= cap)
            return G5_ERR_TOO_LONG;
        digits[n++] = (char)('0' + hi);
    }
    digits[n] = 0;
    return 0;
}

int g5_supi_parse(const char *s, int mnc_len, g5_supi *out)
{
    if (!s || strncmp(s, "imsi-", 5) != 0 || (mnc_len != 2 && mnc_len != 3))
        return G5_ERR_INVALID;
    s += 5;
    size_t n = strlen(s), head = 3 + (size_t)mnc_len;
    if (n <= head || n > 15 || !is_digits(s, n))
        return G5_ERR_INVALID;
    memset(out, 0, sizeof *out);
    memcpy(out->mcc, s, 3);
    memcpy(out->mnc, s + 3, (size_t)mnc_len);
    memcpy(out->msin, s + head, n - head);
    return 0;
}

static int supi_valid(const g5_supi *p)
{
    size_t a = strnlen(p->mcc, sizeof p->mcc), b = strnlen(p->mnc, sizeof p->mnc),
           c = strnlen(p->msin, sizeof p->msin);
    return a == 3 && (b == 2 || b == 3) && c >= 1 && c <= 10 && a + b + c <= 15 &&
           is_digits(p->mcc, a) && is_digits(p->mnc, b) && is_digits(p->msin, c);
}

int g5_supi_imsi(const g5_supi *supi, char *out, size_t cap)
{
    if (!supi_valid(supi))
        return G5_ERR_INVALID;
    int n = snprintf(out, cap, "%s%s%s", supi->mcc, supi->mnc, supi->msin);
    return n < 0 || (size_t)n >= cap ? G5_ERR_TOO_LONG : 0;
}

int g5_supi_format(const g5_supi *supi, char *out, size_t cap)
{
    if (!supi_valid(supi))
        return G5_ERR_INVALID;
    int n = snprintf(out, cap, "imsi-%s%s%s", supi->mcc, supi->mnc, supi->msin);
    return n < 0 || (size_t)n >= cap ? G5_ERR_TOO_LONG : 0;
}

/* Length of the field starting at s, up to the next '-' or the end. */
static size_t field_len(const char *s)
{
    const char *d = strchr(s, '-');
    return d ? (size_t)(d - s) : strlen(s);
}

/* Reads the next '-'-terminated field of 1..max chars; *s moves past the '-'. */
static int next_field(const char **s, size_t max, int last, const char **f, size_t *n)
{
    *f = *s;
    *n = field_len(*s);
    if (*n == 0 || *n > max)
        return G5_ERR_INVALID;
    if (last)
        return (*s)[*n] == 0 ? 0 : G5_ERR_INVALID;
    if ((*s)[*n] != '-')
        return G5_ERR_INVALID;
    *s += *n + 1;
    return 0;
}

static int parse_output(const char *f, size_t n, g5_suci *out)
{
    if (out->scheme == G5_SUCI_NULL) {
        /* null scheme: the MSIN digits themselves (TS 23.003 §2.2B) */
        char msin[11];
        if (n > 10 || take_digits(f, n, msin))
            return G5_ERR_INVALID;
        return g5_msin_to_bcd(msin, out->output, sizeof out->output, &out->output_len);
    }
    if (n % 2 || n / 2 > sizeof out->output)
        return G5_ERR_INVALID;
    char hex[2 * G5_SUCI_OUTPUT_MAX + 1];
    memcpy(hex, f, n);
    hex[n] = 0;
    for (size_t i = 0; i < n; i++) /* g5_hex_decode skips separators; the SUCI has none */
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f') ||
              (hex[i] >= 'A' && hex[i] <= 'F')))
            return G5_ERR_INVALID;
    int rc = g5_hex_decode(hex, out->output, sizeof out->output);
    if (rc <= 0)
        return G5_ERR_INVALID;
    out->output_len = (size_t)rc;
    return 0;
}

int g5_suci_parse(const char *s, g5_suci *out)
{
    if (!s || strncmp(s, "suci-0-", 7) != 0)
        return G5_ERR_INVALID;
    memset(out, 0, sizeof *out);
    s += 7;
    const char *f;
    size_t n;
    if (next_field(&s, 3, 0, &f, &n) || n != 3 || take_digits(f, n, out->mcc))
        return G5_ERR_INVALID;
    if (next_field(&s, 3, 0, &f, &n) || n < 2 || take_digits(f, n, out->mnc))
        return G5_ERR_INVALID;
    if (next_field(&s, 4, 0, &f, &n) || take_digits(f, n, out->routing_indicator))
        return G5_ERR_INVALID;
    /* protection scheme id: one hex digit 0..F */
    if (next_field(&s, 1, 0, &f, &n))
        return G5_ERR_INVALID;
    if (f[0] >= '0' && f[0] <= '9')
        out->scheme = (uint8_t)(f[0] - '0');
    else if ((f[0] | 0x20) >= 'a' && (f[0] | 0x20) <= 'f')
        out->scheme = (uint8_t)((f[0] | 0x20) - 'a' + 10);
    else
        return G5_ERR_INVALID;
    /* home network public key id: decimal 0..255, no leading zeros */
    if (next_field(&s, 3, 0, &f, &n) || !is_digits(f, n) || (n > 1 && f[0] == '0'))
        return G5_ERR_INVALID;
    unsigned id = 0;
    for (size_t i = 0; i < n; i++)
        id = id * 10 + (unsigned)(f[i] - '0');
    if (id > 255 || (out->scheme == G5_SUCI_NULL && id != 0))
        return G5_ERR_INVALID;
    out->hn_key_id = (uint8_t)id;
    if (next_field(&s, 2 * G5_SUCI_OUTPUT_MAX, 1, &f, &n))
        return G5_ERR_INVALID;
    return parse_output(f, n, out);
}

int g5_suci_format(const g5_suci *suci, char *out, size_t cap)
{
    char tail[2 * G5_SUCI_OUTPUT_MAX + 1];
    size_t mcc = strnlen(suci->mcc, sizeof suci->mcc), mnc = strnlen(suci->mnc, sizeof suci->mnc),
           ri = strnlen(suci->routing_indicator, sizeof suci->routing_indicator);
    if (mcc != 3 || mnc < 2 || mnc > 3 || ri < 1 || ri > 4 || !is_digits(suci->mcc, mcc) ||
        !is_digits(suci->mnc, mnc) || !is_digits(suci->routing_indicator, ri))
        return G5_ERR_INVALID;
    if (suci->output_len == 0 || suci->output_len > sizeof suci->output || suci->scheme > 15)
        return G5_ERR_INVALID;
    if (suci->scheme == G5_SUCI_NULL) {
        if (g5_msin_from_bcd(suci->output, suci->output_len, tail, sizeof tail))
            return G5_ERR_INVALID;
    } else {
        g5_hex_encode(suci->output, suci->output_len, tail);
    }
    int n = snprintf(out, cap, "suci-0-%s-%s-%s-%x-%u-%s", suci->mcc, suci->mnc,
                     suci->routing_indicator, suci->scheme, suci->hn_key_id, tail);
    return n < 0 || (size_t)n >= cap ? G5_ERR_TOO_LONG : 0;
}

int g5_suci_conceal(const g5_supi *supi, int scheme, const uint8_t *hn_pub, size_t hn_pub_len,
                    uint8_t hn_key_id, const char *routing_indicator, const uint8_t *eph_priv,
                    g5_suci *out)
{
    if (!supi_valid(supi))
        return G5_ERR_INVALID;
    if (scheme != G5_SUCI_NULL && !g5_suci_pub_len(scheme))
        return G5_ERR_UNSUPPORTED;
    const char *ri = routing_indicator ? routing_indicator : "0";
    size_t rn = strlen(ri);
    memset(out, 0, sizeof *out);
    if (rn == 0 || rn > 4 || take_digits(ri, rn, out->routing_indicator))
        return G5_ERR_INVALID;
    memcpy(out->mcc, supi->mcc, sizeof out->mcc);
    memcpy(out->mnc, supi->mnc, sizeof out->mnc);
    out->scheme = (uint8_t)scheme;
    uint8_t bcd[5];
    size_t bcd_len = 0;
    int rc = g5_msin_to_bcd(supi->msin, bcd, sizeof bcd, &bcd_len);
    if (rc)
        return rc;
    if (scheme == G5_SUCI_NULL) { /* Annex C.2: scheme output = scheme input */
        memcpy(out->output, bcd, bcd_len);
        out->output_len = bcd_len;
        return 0;
    }
    out->hn_key_id = hn_key_id;
    rc = g5_ecies_encrypt(scheme, hn_pub, hn_pub_len, eph_priv, bcd, bcd_len, out->output,
                          sizeof out->output, &out->output_len);
    OPENSSL_cleanse(bcd, sizeof bcd);
    return rc;
}

/* SUPI from the decrypted (or null-scheme) BCD MSIN. */
static int supi_from_plain(const g5_suci *suci, const uint8_t *plain, size_t plain_len,
                           g5_supi *out)
{
    g5_supi s;
    memset(&s, 0, sizeof s);
    memcpy(s.mcc, suci->mcc, sizeof s.mcc);
    memcpy(s.mnc, suci->mnc, sizeof s.mnc);
    int rc = g5_msin_from_bcd(plain, plain_len, s.msin, sizeof s.msin);
    if (!rc && !supi_valid(&s))
        rc = G5_ERR_INVALID;
    if (!rc)
        *out = s;
    return rc;
}

static int deconceal(const g5_suci *suci, const uint8_t *hn_priv, const g5_suci_hn_key *key,
                     g5_supi *out)
{
    size_t mcc = strnlen(suci->mcc, sizeof suci->mcc), mnc = strnlen(suci->mnc, sizeof suci->mnc);
    if (mcc != 3 || (mnc != 2 && mnc != 3) || suci->output_len > sizeof suci->output)
        return G5_ERR_INVALID;
    if (suci->scheme == G5_SUCI_NULL) /* Annex C.2: the scheme output is the BCD MSIN */
        return supi_from_plain(suci, suci->output, suci->output_len, out);
    if (!g5_suci_pub_len(suci->scheme))
        return G5_ERR_UNSUPPORTED;
    uint8_t plain[G5_SUCI_PLAIN_MAX];
    size_t plain_len = 0;
    int rc;
    if (key)
        rc = g5_suci_hn_key_scheme(key) == suci->scheme
                 ? g5_ecies_decrypt_with(key, suci->output, suci->output_len, plain, sizeof plain,
                                         &plain_len)
                 : G5_ERR_INVALID;
    else
        rc = g5_ecies_decrypt(suci->scheme, hn_priv, suci->output, suci->output_len, plain,
                              sizeof plain, &plain_len);
    if (!rc)
        rc = supi_from_plain(suci, plain, plain_len, out);
    OPENSSL_cleanse(plain, sizeof plain);
    return rc;
}

int g5_suci_deconceal(const g5_suci *suci, const uint8_t *hn_priv, g5_supi *out)
{
    return deconceal(suci, hn_priv, NULL, out);
}

int g5_suci_deconceal_with(const g5_suci *suci, const g5_suci_hn_key *key, g5_supi *out)
{
    if (!key && suci->scheme != G5_SUCI_NULL)
        return G5_ERR_INVALID;
    return deconceal(suci, NULL, key, out);
}
