/* JSON (jansson) view of generated ASN.1 values; the mapping is described in a1_json.c. */
#ifndef G5_ASN1_JSON_H
#define G5_ASN1_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "asn1/aper.h"

/* New JSON value for *v (NULL if out of memory). */
json_t *a1_to_json(const a1_type *t, const void *v);
/* Builds *v (t->size bytes, zeroed here) from JSON; on error *v is freed and err holds a
 * one-line reason naming the member. */
int a1_from_json(const a1_type *t, void *v, const json_t *j, char *err, size_t errlen);

#endif
