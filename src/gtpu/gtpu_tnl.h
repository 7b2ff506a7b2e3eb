/* An N3 (GTP-U) transport address: IPv4, IPv6 or both, as the three places that carry one
 * spell it — the NGAP Transport Layer Address BIT STRING (TS 38.413 §9.3.2.4, TS 38.414
 * §5.1: 32 bits IPv4, 128 bits IPv6, 160 bits IPv4 followed by IPv6), the PFCP F-TEID
 * (TS 29.244 §8.2.3, V4/V6 flags) and a configuration string. The SMF, the UPF and the
 * simulated gNB share it so that one rule picks the family a tunnel uses:
 * g5_tnl_pick() — IPv6 when both ends have it, else IPv4. */
#ifndef G5_GTPU_GTPU_TNL_H
#define G5_GTPU_GTPU_TNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct g5_tnl_addr {
    bool v4, v6;
    uint8_t ipv4[4];
    uint8_t ipv6[16];
} g5_tnl_addr;

#define G5_TNL_BITS_MAX 160
#define G5_TNL_STR_MAX 64 /* "a.b.c.d / IPv6 text" fits */

/* From a Transport Layer Address of nbits (32, 128 or 160). 0, or G5_ERR_UNSUPPORTED for
 * any other length (peer input: never asserts). */
int g5_tnl_from_bits(g5_tnl_addr *a, const uint8_t *buf, size_t nbits);
/* Into out (20 octets): returns the bit length 32 / 128 / 160, 0 when a has no address. */
size_t g5_tnl_to_bits(const g5_tnl_addr *a, uint8_t out[20]);
/* Adds the address in text (dotted IPv4 or IPv6) to a. 0, G5_ERR_INVALID when text is
 * neither, G5_ERR_EXISTS when a already has an address of that family. */
int g5_tnl_add_text(g5_tnl_addr *a, const char *text);
/* The family a tunnel from local to peer uses: 6 when both have IPv6, else 4 when both
 * have IPv4, else 0 (no common family). */
int g5_tnl_pick(const g5_tnl_addr *local, const g5_tnl_addr *peer);
/* "a.b.c.d", "x::y" or "a.b.c.d/x::y" into out. */
const char *g5_tnl_str(const g5_tnl_addr *a, char *out, size_t cap);

#endif
