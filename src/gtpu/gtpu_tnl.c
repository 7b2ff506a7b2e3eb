/* N3 transport addresses (gtpu_tnl.h): conversions between the NGAP bit string, text and
 * the one-struct form the SMF, UPF and simulated gNB keep; the family choice of a tunnel. */
#include "gtpu/gtpu_tnl.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

int g5_tnl_from_bits(g5_tnl_addr *a, const uint8_t *buf, size_t nbits)
{
    memset(a, 0, sizeof *a);
    switch (nbits) { /* TS 38.414 §5.1 */
    case 32:
        a->v4 = true;
        memcpy(a->ipv4, buf, 4);
        return 0;
    case 128:
        a->v6 = true;
        memcpy(a->ipv6, buf, 16);
        return 0;
    case 160:
        a->v4 = a->v6 = true;
        memcpy(a->ipv4, buf, 4);
        memcpy(a->ipv6, buf + 4, 16);
        return 0;
    default: return G5_ERR_UNSUPPORTED;
    }
}

size_t g5_tnl_to_bits(const g5_tnl_addr *a, uint8_t out[20])
{
    size_t n = 0;
    if (a->v4) {
        memcpy(out, a->ipv4, 4);
        n = 4;
    }
    if (a->v6) {
        memcpy(out + n, a->ipv6, 16);
        n += 16;
    }
    return n * 8;
}

int g5_tnl_add_text(g5_tnl_addr *a, const char *text)
{
    uint8_t b[16];
    if (inet_pton(AF_INET, text, b) == 1) {
        if (a->v4)
            return G5_ERR_EXISTS;
        a->v4 = true;
        memcpy(a->ipv4, b, 4);
        return 0;
    }
    if (inet_pton(AF_INET6, text, b) == 1) {
        if (a->v6)
            return G5_ERR_EXISTS;
        a->v6 = true;
        memcpy(a->ipv6, b, 16);
        return 0;
    }
    return G5_ERR_INVALID;
}

int g5_tnl_pick(const g5_tnl_addr *local, const g5_tnl_addr *peer)
{
    if (local->v6 && peer->v6)
        return 6;
    if (local->v4 && peer->v4)
        return 4;
    return 0;
}

const char *g5_tnl_str(const g5_tnl_addr *a, char *out, size_t cap)
{
    char s4[INET_ADDRSTRLEN] = "", s6[INET6_ADDRSTRLEN] = "";
    if (a->v4)
        inet_ntop(AF_INET, a->ipv4, s4, sizeof s4);
    if (a->v6)
        inet_ntop(AF_INET6, a->ipv6, s6, sizeof s6);
    snprintf(out, cap, "%s%s%s", s4, a->v4 && a->v6 ? "/" : "", s6);
    return out;
}
