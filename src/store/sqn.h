/* SQN management in the home environment (HE/AuC side), TS 33.102 Annex C.
 *
 * Profile C.3 (used with the array scheme of C.2 on the USIM): SQN (48 bits) = SEQ (43) ||
 * IND (5). The store keeps SQN_HE, the last SQN issued for the subscriber.
 *   - Each new authentication vector (C.3.2): SEQ_HE := SEQ_HE + 1, IND_HE := IND_HE + 1
 *     mod 2^5, SQN = SEQ_HE || IND_HE. Cycling IND spreads vectors over the USIM's 32
 *     array slots, so vectors used out of order (several serving AMFs) are still accepted.
 *   - Re-synchronisation (§6.3.5, C.3.4): the USIM reports SQN_MS, its highest accepted
 *     SQN. If the next SEQ_HE + 1 is in the range the USIM accepts (SEQ_MS < SEQ_HE + 1 <=
 *     SEQ_MS + Δ, Δ = 2^28 as in C.3) SQN_HE stays; otherwise SEQ_HE := SEQ_MS. Either
 *     way the next vector carries a SEQ above SEQ_MS, i.e. it is fresh.
 *   - The freshness check itself (SEQ > SEQ_MS(IND), optional age limit L) is the USIM's.
 *
 * g5_sqn_next / g5_sqn_resync are read-modify-writes inside one store transaction
 * (g5_store_sqn_update), so two AUSF/UDM workers generating vectors at once never issue
 * the same SQN. The pure step functions are exposed for tests and for the UDM.
 */
#ifndef G5_STORE_SQN_H
#define G5_STORE_SQN_H

#include <stdint.h>

#include "store/store.h"

#define G5_SQN_IND_BITS 5
#define G5_SQN_IND_MASK ((UINT64_C(1) << G5_SQN_IND_BITS) - 1)
#define G5_SQN_SEQ_MAX (G5_SQN_MAX >> G5_SQN_IND_BITS)
#define G5_SQN_DELTA (UINT64_C(1) << 28) /* Δ, TS 33.102 C.3 */

static inline uint64_t g5_sqn_seq(uint64_t sqn)
{
    return (sqn & G5_SQN_MAX) >> G5_SQN_IND_BITS;
}
static inline unsigned g5_sqn_ind(uint64_t sqn)
{
    return (unsigned)(sqn & G5_SQN_IND_MASK);
}
static inline uint64_t g5_sqn_make(uint64_t seq, unsigned ind)
{
    return (seq << G5_SQN_IND_BITS | (ind & G5_SQN_IND_MASK)) & G5_SQN_MAX;
}

/* Pure steps. G5_ERR_LIMIT when SEQ would pass 2^43 - 1 (never wraps: a wrap would make
 * old vectors fresh again). */
int g5_sqn_step(uint64_t sqn_he, uint64_t *next);
int g5_sqn_resync_value(uint64_t sqn_he, uint64_t sqn_ms, uint64_t *new_he);

/* Atomically issues the SQN for a new vector and stores it as SQN_HE. */
int g5_sqn_next(g5_store *st, const char *supi, uint64_t *sqn);
/* Atomically applies a resync with the USIM's SQN_MS; *sqn_he (may be NULL) gets the
 * stored SQN_HE (the next g5_sqn_next is fresh for the USIM). */
int g5_sqn_resync(g5_store *st, const char *supi, uint64_t sqn_ms, uint64_t *sqn_he);

/* Group commit of vector SQNs (g5_store_sqn_update_batch): fill one op per vector, then
 * run them all in one transaction with one durable commit. op->new_sqn is the SQN to put
 * in the vector. Ops on the same SUPI are applied in array order, so each gets its own
 * SEQ. g5_sqn_op_resync_next first applies a resync with SQN_MS (same rule as
 * g5_sqn_resync) and then issues the next SQN from the result, in one step. */
void g5_sqn_op_next(g5_sqn_op *op, const char *supi);
void g5_sqn_op_resync_next(g5_sqn_op *op, const char *supi, uint64_t sqn_ms);

#endif
