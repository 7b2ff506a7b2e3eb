/* Internal: the tables that drive the PFCP codec. One descriptor per IE type (name, length
 * bounds, value kind, children for grouped IEs) and one per message type (its IE table).
 * The decoder, the presence checks and the JSON face all walk these same tables, so adding
 * an IE is one line in pfcp_desc.c. */
#ifndef G5_PFCP_PFCP_DESC_H
#define G5_PFCP_PFCP_DESC_H

#include <stdbool.h>
#include <stdint.h>

/* Value kinds: how an IE value is validated and shown in JSON. */
enum g5_pfcp_kind {
    PK_HEX = 0, /* opaque octets */
    PK_GROUP, /* grouped IE: children */
    PK_STR, /* octet string shown as text when printable */
    PK_U8,
    PK_U16,
    PK_U32,
    PK_U64,
    PK_FLAGS, /* bit flags with names */
    PK_IFACE, /* low nibble: source/destination interface */
    PK_QFI, /* low 6 bits */
    PK_PDN, /* low 3 bits */
    PK_GATE,
    PK_FTEID,
    PK_FSEID,
    PK_NODE_ID,
    PK_UE_IP,
    PK_OHC,
    PK_OHR,
    PK_BITRATE,
    PK_VOLUME,
    PK_VOLMEAS,
    PK_SDF,
    PK_TIMER,
    PK_NI, /* DNS labels shown dotted; other octets as {"text"} or {"hex"} */
};

enum g5_pfcp_presence { P_M = 1, P_C = 2, P_O = 3 };

typedef struct g5_pfcp_child_desc {
    uint16_t type;
    uint8_t presence;
    uint8_t max; /* allowed repetitions; 0 = unbounded (up to the message IE limit) */
} g5_pfcp_child_desc;

typedef struct g5_pfcp_ie_desc {
    const char *name; /* NULL: type unknown to us */
    const g5_pfcp_child_desc *children;
    const char *const *flags; /* PK_FLAGS: bit names, index = bit (octet 5 bit 1 = 0) */
    uint16_t min_len; /* "number of fixed octets", Table 8.1.2-1 */
    uint16_t max_len; /* 0 = no upper bound (extendable) */
    uint8_t kind;
    uint8_t n_children;
    uint8_t n_flags;
} g5_pfcp_ie_desc;

typedef struct g5_pfcp_msg_desc {
    const char *name;
    const g5_pfcp_child_desc *ies;
    uint8_t n_ies;
} g5_pfcp_msg_desc;

#define G5_PFCP_IE_DESC_N 322
const g5_pfcp_ie_desc *g5_pfcp_ie_desc_get(uint16_t type); /* NULL if unknown */
const g5_pfcp_msg_desc *g5_pfcp_msg_desc_get(uint8_t type); /* NULL if unknown */
/* Child descriptor of type in a table, or NULL. */
const g5_pfcp_child_desc *g5_pfcp_child_desc_find(const g5_pfcp_child_desc *t, unsigned n,
                                                  uint16_t type);
/* Checks an IE value against its kind (lengths implied by its flags). */
bool g5_pfcp_value_ok(const g5_pfcp_ie_desc *d, const uint8_t *p, uint16_t n);

#endif
