/* Random valid values of generated ASN.1 types (tests, fuzz seeds, oracle cross-checks). */
#ifndef G5_ASN1_RANDOM_H
#define G5_ASN1_RANDOM_H

#include <stdint.h>

#include "asn1/aper.h"

/* Fills *v (t->size bytes) with a random valid value; free it with a1_free(). force_alt
 * (1-based, 0 = random) picks the alternative of the outermost CHOICE and force_obj
 * (0-based, -1 = random) the object of the first open type, so a caller can walk e.g.
 * every NGAP procedure's initiating, successful and unsuccessful message. */
int a1_random(const a1_type *t, void *v, uint64_t seed, int force_alt, int force_obj);

#endif
