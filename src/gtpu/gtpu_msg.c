/* GTP-U path and tunnel management messages (TS 29.281 §7.2, §7.3) and their information
 * elements (TS 29.281 §8, encoded as in TS 29.060 §7.7).
 *
 *   Echo Request (1)       §7.2.1  Private Extension (O)
 *   Echo Response (2)      §7.2.2  Recovery (M), Private Extension (O)
 *   Supported Extension Headers Notification (31)  §7.2.3  Extension Header Type List (M)
 *   Error Indication (26)  §7.3.1  TEID Data I (M), GTP-U Peer Address (M), Private Ext (O)
 *   End Marker (254)       §7.3.2  Private Extension (O)
 */
#include <string.h>

#include "core/err.h"
#include "gtpu/gtpu.h"

/* Fixed value lengths of the TV types of TS 29.060 Table 37: a receiver must be able to
 * skip any of them (§11.1.11). 0 = not a TV type we know. */
static uint8_t tv_len(uint8_t type)
{
    static const uint8_t len[30] = {
        [1] = 1,  [2] = 8,  [3] = 6,  [4] = 4,  [5] = 4,  [8] = 1,  [9] = 28, [11] = 1, [12] = 3,
        [13] = 1, [14] = 1, [15] = 1, [16] = 4, [17] = 4, [18] = 5, [19] = 1, [20] = 1, [21] = 1,
        [22] = 9, [23] = 1, [24] = 1, [25] = 2, [26] = 2, [27] = 2, [28] = 2, [29] = 1,
    };
    if (type < sizeof len)
        return len[type];
    return type == 127 ? 4 : 0; /* Charging ID */
}

int g5_gtpu_ie_next(g5_rbuf *r, g5_gtpu_ie *ie)
{
    uint8_t type;
    uint16_t len;
    int rc = g5_rbuf_u8(r, &type);
    if (rc < 0)
        return rc;
    if (type < 128) {
        len = tv_len(type);
        if (!len)
            return G5_ERR_UNSUPPORTED; /* unknown TV: the rest cannot be read (§11.1.9) */
    } else if (type == G5_GTPU_IE_EXT_HDR_TYPE_LIST) {
        uint8_t n;
        rc = g5_rbuf_u8(r, &n); /* one-octet length, TS 29.060 §7.7.40 */
        len = n;
    } else {
        rc = g5_rbuf_u16(r, &len);
    }
    if (rc < 0)
        return rc;
    ie->type = type;
    ie->len = len;
    return g5_rbuf_ptr(r, &ie->value, len);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Stores one IE into ies. Repeats of single IEs are ignored (TS 29.060 §11.1.12). */
static int ie_store(g5_gtpu_ies *ies, const g5_gtpu_ie *ie)
{
    int bit;
    switch (ie->type) {
    case G5_GTPU_IE_RECOVERY: bit = G5_GTPU_P_RECOVERY; break;
    case G5_GTPU_IE_TEID_DATA_I: bit = G5_GTPU_P_TEID_DATA_I; break;
    case G5_GTPU_IE_PEER_ADDRESS: bit = G5_GTPU_P_PEER_ADDRESS; break;
    case G5_GTPU_IE_EXT_HDR_TYPE_LIST: bit = G5_GTPU_P_EXT_HDR_TYPE_LIST; break;
    case G5_GTPU_IE_PRIVATE_EXTENSION: bit = G5_GTPU_P_PRIVATE_EXTENSION; break;
    default: return 0; /* unknown or unexpected: skipped (§11.1.9, §11.1.11) */
    }
    if (bit != G5_GTPU_P_PRIVATE_EXTENSION && (ies->present & (1u << bit)))
        return 0;
    switch (ie->type) {
    case G5_GTPU_IE_RECOVERY: ies->recovery = ie->value[0]; break;
    case G5_GTPU_IE_TEID_DATA_I: ies->teid_data_i = be32(ie->value); break;
    case G5_GTPU_IE_PEER_ADDRESS:
        if (ie->len != 4 && ie->len != 16) /* IPv4 or IPv6 only (§8.4) */
            return G5_ERR_INVALID;
        ies->peer_addr_len = (uint8_t)ie->len;
        memcpy(ies->peer_addr, ie->value, ie->len);
        break;
    case G5_GTPU_IE_EXT_HDR_TYPE_LIST:
        if (ie->len > G5_GTPU_MAX_EXT_TYPES)
            return G5_ERR_LIMIT;
        ies->n_ext_types = (uint8_t)ie->len;
        memcpy(ies->ext_types, ie->value, ie->len);
        break;
    default: /* Private Extension, may repeat (TS 29.060 §7.7.46) */
        if (ie->len < 2) /* no Extension Identifier: incorrect optional IE, ignored */
            return 0;
        if (ies->n_private == G5_GTPU_MAX_PRIVATE_EXT)
            return 0;
        ies->private_ext[ies->n_private].enterprise_id =
            (uint16_t)(ie->value[0] << 8 | ie->value[1]);
        ies->private_ext[ies->n_private].len = (uint16_t)(ie->len - 2);
        ies->private_ext[ies->n_private].value = ie->value + 2;
        ies->n_private++;
        break;
    }
    ies->present |= 1u << bit;
    return 0;
}

/* Mandatory IEs per message (the tables of §7.2, §7.3); -1 for unsupported types. */
static int64_t mandatory_ies(uint8_t msg_type)
{
    switch (msg_type) {
    case G5_GTPU_ECHO_REQUEST:
    case G5_GTPU_END_MARKER: return 0;
    case G5_GTPU_ECHO_RESPONSE: return 1u << G5_GTPU_P_RECOVERY;
    case G5_GTPU_ERROR_INDICATION:
        return 1u << G5_GTPU_P_TEID_DATA_I | 1u << G5_GTPU_P_PEER_ADDRESS;
    case G5_GTPU_SUPPORTED_EXT_HDR_NOTIFICATION: return 1u << G5_GTPU_P_EXT_HDR_TYPE_LIST;
    default: return -1;
    }
}

int g5_gtpu_msg_parse(const g5_gtpu_hdr *h, g5_gtpu_ies *ies)
{
    memset(ies, 0, sizeof *ies);
    int64_t mandatory = mandatory_ies(h->msg_type);
    if (mandatory < 0)
        return G5_ERR_UNSUPPORTED;
    /* §5.1: Echo Request/Response, Error Indication and Supported Extension Headers
     * Notification carry a sequence number (S = 1); the End Marker need not. */
    if (h->msg_type != G5_GTPU_END_MARKER && !(h->flags & G5_GTPU_FLAG_S))
        return G5_ERR_INVALID;
    g5_rbuf r;
    g5_rbuf_init(&r, h->payload, h->payload_len);
    unsigned last = 0;
    while (!g5_rbuf_empty(&r)) {
        g5_gtpu_ie ie;
        int rc = g5_gtpu_ie_next(&r, &ie);
        if (rc < 0)
            return rc;
        if (ie.type < last) /* out of sequence (TS 29.060 §7.7.0, §11.1.10) */
            return G5_ERR_INVALID;
        last = ie.type;
        rc = ie_store(ies, &ie);
        if (rc < 0)
            return rc;
    }
    if ((ies->present & (uint32_t)mandatory) != (uint32_t)mandatory)
        return G5_ERR_MISSING;
    return 0;
}

/* ---- Builders --------------------------------------------------------------------- */

static int begin_signalling(g5_wbuf *w, uint8_t type, uint16_t seq, uint8_t next_ext, size_t *start)
{
    uint8_t flags = G5_GTPU_FLAGS_V1 | G5_GTPU_FLAG_S | (next_ext ? G5_GTPU_FLAG_E : 0);
    /* §5.1: TEID 0 for path management messages and the Error Indication. */
    return g5_gtpu_hdr_begin(w, flags, type, 0, true, seq, 0, next_ext, start);
}

int g5_gtpu_build_echo_request(g5_wbuf *w, uint16_t seq)
{
    size_t start;
    begin_signalling(w, G5_GTPU_ECHO_REQUEST, seq, 0, &start);
    return g5_gtpu_hdr_finish(w, start);
}

int g5_gtpu_build_echo_response(g5_wbuf *w, uint16_t seq)
{
    size_t start;
    begin_signalling(w, G5_GTPU_ECHO_RESPONSE, seq, 0, &start);
    g5_wbuf_u8(w, G5_GTPU_IE_RECOVERY);
    g5_wbuf_u8(w, 0); /* restart counter: zero in GTP-U (§7.2.2, §8.2) */
    return g5_gtpu_hdr_finish(w, start);
}

int g5_gtpu_build_error_indication(g5_wbuf *w, uint16_t seq, uint32_t teid_data_i,
                                   const uint8_t *addr, size_t addr_len, uint16_t udp_port)
{
    if (addr_len != 4 && addr_len != 16)
        return G5_ERR_INVALID;
    size_t start;
    begin_signalling(w, G5_GTPU_ERROR_INDICATION, seq, udp_port ? G5_GTPU_EXT_UDP_PORT : 0, &start);
    if (udp_port) {
        const uint8_t port[2] = {(uint8_t)(udp_port >> 8), (uint8_t)udp_port};
        g5_gtpu_put_ext(w, port, sizeof port, G5_GTPU_EXT_NONE);
    }
    g5_wbuf_u8(w, G5_GTPU_IE_TEID_DATA_I);
    g5_wbuf_u32(w, teid_data_i);
    g5_wbuf_u8(w, G5_GTPU_IE_PEER_ADDRESS);
    g5_wbuf_u16(w, (uint16_t)addr_len);
    g5_wbuf_bytes(w, addr, addr_len);
    return g5_gtpu_hdr_finish(w, start);
}

int g5_gtpu_build_end_marker(g5_wbuf *w, uint32_t teid, const g5_gtpu_psc *psc)
{
    g5_gtpu_tpl t;
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_END_MARKER, .teid = teid, .psc = psc};
    int rc = g5_gtpu_tpl_init(&t, &e);
    if (rc < 0)
        return rc;
    size_t start = w->len;
    g5_wbuf_bytes(w, t.bytes, t.len);
    return g5_gtpu_hdr_finish(w, start);
}

int g5_gtpu_build_supported_ext_hdr_notification(g5_wbuf *w, uint16_t seq, const uint8_t *types,
                                                 size_t n)
{
    if (n > 255)
        return G5_ERR_TOO_LONG;
    size_t start;
    begin_signalling(w, G5_GTPU_SUPPORTED_EXT_HDR_NOTIFICATION, seq, 0, &start);
    g5_wbuf_u8(w, G5_GTPU_IE_EXT_HDR_TYPE_LIST);
    g5_wbuf_u8(w, (uint8_t)n);
    g5_wbuf_bytes(w, types, n);
    return g5_gtpu_hdr_finish(w, start);
}
