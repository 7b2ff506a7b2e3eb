/* UE address pools of the SMF, one per DNN and IP version (TS 23.501 §5.8.2.2).
 *
 * IPv4: a CIDR range; the network address, the first host (kept for the N6 gateway) and
 * the broadcast address are never handed out. IPv6: a prefix of length <= 64 out of which
 * each PDU session gets one /64 (TS 23.501 §5.8.2.2.3: the UE builds its address from the
 * /64 announced by the UPF's Router Advertisement and its interface identifier); the first
 * /64 is reserved. Both are a bitmap with a next-fit cursor: no duplicates, O(1) amortised
 * allocation (full 64-bit words are skipped), freed addresses are reused only after the
 * cursor wraps (a released address is not handed straight to the next UE). At most
 * SMF_POOL_MAX entries per pool (a 128 KiB bitmap): enough for 100k+ sessions per DNN. */
#ifndef G5_NF_SMF_POOL_H
#define G5_NF_SMF_POOL_H

#include <stdbool.h>
#include <stdint.h>

#define SMF_POOL_MAX_BITS 20u
#define SMF_POOL_MAX (1u << SMF_POOL_MAX_BITS)

typedef struct smf_pool {
    bool v6;
    uint8_t base[16]; /* v4: base[0..3] = network address; v6: the prefix (/plen) */
    uint8_t plen;
    uint32_t size; /* number of slots (addresses or /64s), reserved ones included */
    uint32_t used;
    uint32_t reserved; /* of used: never handed out (network, gateway, broadcast) */
    uint32_t cursor;
    uint64_t *bits;
} smf_pool;

/* "10.45.0.0/16" or "2001:db8:cafe::/48". Returns 0 or G5_ERR_INVALID (bad text, v4 prefix
 * longer than /30, v6 prefix longer than /64) / G5_ERR_NOMEM. */
int smf_pool_init(smf_pool *p, const char *cidr);
void smf_pool_free(smf_pool *p);
/* Allocates one address (v4: 4 octets) or one /64 prefix (v6: the 8 prefix octets).
 * G5_ERR_LIMIT when exhausted. */
int smf_pool_alloc(smf_pool *p, uint8_t out[8]);
/* Frees what smf_pool_alloc returned; G5_ERR_NOT_FOUND if it is not allocated here. */
int smf_pool_release(smf_pool *p, const uint8_t addr[8]);
/* Number of addresses that can still be allocated. */
uint32_t smf_pool_available(const smf_pool *p);

#endif
