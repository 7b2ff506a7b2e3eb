/* Table-driven ASN.1 aligned PER (ITU-T X.691, ALIGNED variant) runtime.
 *
 * tools/asn1gen turns an ASN.1 module into typed C structs plus one constant a1_type
 * descriptor per type; the functions here walk those descriptors to decode, encode, free
 * and (a1_json.c) convert to and from JSON. All logic lives here, reviewed once, instead of
 * in tens of thousands of generated lines.
 *
 * C representation of values (the generated structs follow it):
 *   INTEGER       int64_t (uint64_t when the upper bound exceeds INT64_MAX)
 *   ENUMERATED    a C enum (int): root items 0..n-1, then extension items; an unknown
 *                 extension value decodes to its index (>= nall)
 *   BOOLEAN       bool          NULL  uint8_t (unused)
 *   BIT STRING    a1_bits       OCTET STRING, character strings, OBJECT IDENTIFIER  a1_octets
 *   SEQUENCE      struct; OPTIONAL/DEFAULT members and extension additions are pointers
 *                 (NULL = absent); extensible types carry `a1_ext *_ext` holding unknown
 *                 extension additions as raw open types so re-encoding preserves them
 *   CHOICE        struct { uint32_t present; union {...}; } present = 1-based alternative;
 *                 an unknown extension alternative has present > nall and its bytes in
 *                 the union member `_unknown`
 *   SEQUENCE OF   struct { size_t count; T *list; }
 *   open type     (a table-constrained CLASS.&Value{{Set}{@id}}) struct { uint32_t present;
 *                 union {...}; a1_open raw; } where the union has one member per distinct
 *                 type in the object set, selected by the sibling id through the
 *                 descriptor's object table; an unknown id leaves present = 0 and the
 *                 value's bytes in raw (criticality handling, TS 38.413 clause 10.3)
 *
 * Every decode reads through a bounds-checked bit reader, has a depth limit, a count and
 * an allocation budget, and returns a negative g5_err on bad input (never aborts). A
 * decoded value is freed as a tree with a1_free().
 */
#ifndef G5_ASN1_APER_H
#define G5_ASN1_APER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct a1_bits {
    uint8_t *buf; /* (nbits + 7) / 8 bytes, first bit is the MSB of buf[0] */
    size_t nbits;
} a1_bits;

typedef struct a1_octets {
    uint8_t *buf;
    size_t len;
} a1_octets;

typedef a1_octets a1_open; /* an open type's value bytes (without the length) */

/* Unknown SEQUENCE extension additions (X.691 19.7..19.9), kept byte-exact. */
typedef struct a1_ext_item {
    uint32_t index; /* position in the extension addition bitmap */
    a1_open value;
} a1_ext_item;
typedef struct a1_ext {
    uint32_t nbits; /* bitmap length as received */
    size_t count;
    a1_ext_item *items;
} a1_ext;

enum a1_kind {
    A1_BOOL,
    A1_NULL,
    A1_INT,
    A1_ENUM,
    A1_BITS,
    A1_OCTETS,
    A1_STR,
    A1_SEQ,
    A1_CHOICE,
    A1_SEQOF,
    A1_OPEN,
};

enum a1_strkind { A1_STR_UTF8, A1_STR_PRINTABLE, A1_STR_VISIBLE, A1_STR_IA5, A1_STR_NUMERIC };

/* a1_type.flags */
#define A1_F_EXT 1u /* extensible ("..." in the constraint or the type) */
#define A1_F_LB 2u /* has a lower bound (value or size) */
#define A1_F_UB 4u /* has an upper bound */
#define A1_F_UNSIGNED 8u /* INTEGER stored as uint64_t */

/* a1_member.flags */
#define A1_M_OPT 1u /* stored as a pointer, NULL = absent */
#define A1_M_EXT 2u /* extension addition */
#define A1_M_NAMEDID 4u /* JSON shows this id by the name of its information object */

/* criticality / presence of an information object (values of the NGAP enums) */
enum { A1_CRIT_REJECT = 0, A1_CRIT_IGNORE = 1, A1_CRIT_NOTIFY = 2 };
enum { A1_PRES_OPTIONAL = 0, A1_PRES_CONDITIONAL = 1, A1_PRES_MANDATORY = 2 };

typedef struct a1_type a1_type;

typedef struct a1_member {
    const char *name; /* ASN.1 identifier (or, in open types, the value's type name) */
    const a1_type *type;
    uint32_t offset;
    uint8_t flags;
    int8_t sel; /* open type member: index of the sibling holding the id, else -1 */
    int8_t crit; /* open type member: index of the sibling criticality, else -1 */
} a1_member;

/* One information object of an open type's object set. */
typedef struct a1_object {
    int64_t id;
    const char *name; /* e.g. "id-RAN-UE-NGAP-ID" */
    uint16_t alt; /* 1-based index into the open type's members */
    uint8_t crit;
    uint8_t presence;
} a1_object;

struct a1_type {
    const char *name;
    uint8_t kind; /* enum a1_kind */
    uint8_t strkind; /* enum a1_strkind */
    uint16_t flags;
    int64_t lb; /* value bounds (INTEGER) or size bounds (strings, SEQUENCE OF) */
    int64_t ub; /* for A1_F_UNSIGNED the bit pattern of a uint64_t */
    uint32_t size; /* sizeof the C type */
    uint16_t nroot; /* SEQUENCE/CHOICE root members, ENUMERATED root items */
    uint16_t nall; /* all members / items / open type alternatives */
    const a1_member *m;
    const char *const *items; /* ENUMERATED names */
    const a1_type *elem; /* SEQUENCE OF element; OCTET STRING (CONTAINING X): X */
    const a1_object *objs; /* open type object set */
    uint16_t nobjs;
    uint32_t aux; /* offset of a1_ext* (SEQUENCE), _unknown (CHOICE), raw (open type) */
};

/* What a decoder saw that the receiver must react to per TS 38.413 clause 10.3. */
enum a1_diag_kind { A1_DIAG_NOT_UNDERSTOOD = 0, A1_DIAG_MISSING = 1 };
#define A1_DIAG_MAX 16
typedef struct a1_diag {
    unsigned n; /* entries stored (at most A1_DIAG_MAX) */
    struct {
        int64_t id;
        uint8_t crit;
        uint8_t kind; /* enum a1_diag_kind */
    } ie[A1_DIAG_MAX];
    size_t err_bit; /* on a decode error: bit offset where it was detected */
    const char *err_type; /* and the type being decoded */
    bool err_in_ie; /* the error is inside the value of a known IE: */
    int64_t err_ie_id; /* its id (innermost) */
    uint8_t err_ie_crit; /* and criticality, for Criticality Diagnostics */
} a1_diag;

/* Limits that bound what any input can make the decoder do. */
#define A1_MAX_DEPTH 64
#define A1_MAX_COUNT 65536u /* elements of one SEQUENCE OF */
#define A1_MAX_ALLOC (16u << 20) /* bytes allocated for one decoded value */

/* Decodes a complete encoding (X.691 11.1) of type t into *v (t->size bytes, zeroed by
 * this call). On error *v is freed and zeroed. diag may be NULL. */
int a1_decode(const a1_type *t, void *v, const uint8_t *p, size_t n, a1_diag *diag);
/* Appends the complete encoding of *v to out. */
int a1_encode(const a1_type *t, const void *v, g5_wbuf *out);
/* Frees everything *v owns (not v itself) and zeroes it. */
void a1_free(const a1_type *t, void *v);

/* Looks an object up in an open type's set by id (NULL if not in the set). */
const a1_object *a1_find_object(const a1_type *open, int64_t id);

/* Helpers for hand-built values. */
int a1_octets_set(a1_octets *o, const void *p, size_t n);
int a1_bits_set(a1_bits *b, const void *p, size_t nbits);

#endif
