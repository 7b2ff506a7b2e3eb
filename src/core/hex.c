#include "core/hex.h"

#include "core/err.h"

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int g5_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    if (!hex)
        return G5_ERR_INVALID;
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        hex += 2;
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        char c = *hex;
        if (c == ' ' || c == ':' || c == '\n' || c == '\t' || c == '\r')
            continue;
        int v = nibble(c);
        if (v < 0)
            return G5_ERR_INVALID;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= cap)
            return G5_ERR_TOO_LONG;
        out[n++] = (uint8_t)((hi << 4) | v);
        hi = -1;
    }
    if (hi >= 0)
        return G5_ERR_INVALID;
    return (int)n;
}

int g5_hex_decode_exact(const char *hex, uint8_t *out, size_t n)
{
    int rc = g5_hex_decode(hex, out, n);
    if (rc < 0)
        return rc;
    return (size_t)rc == n ? (int)n : G5_ERR_INVALID;
}

void g5_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = 0;
}
