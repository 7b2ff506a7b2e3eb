/* EAP / EAP-AKA' codec (eap_aka.h). All reads go through g5_rbuf; every attribute length
 * is checked against the packet before its value is touched. */
#include "nf/ausf/eap_aka.h"

#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "crypto/evp.h"

/* Fixed-size value of AT_RAND / AT_AUTN / AT_MAC: 2 reserved octets + 16 (RFC 4187
 * §10.6, §10.7, §10.15). */
static int read_reserved16(g5_rbuf *v, uint8_t out[16])
{
    if (g5_rbuf_left(v) != 18)
        return G5_ERR_INVALID;
    g5_rbuf_skip(v, 2);
    return g5_rbuf_bytes(v, out, 16);
}

static int mark(bool *seen)
{
    if (*seen)
        return G5_ERR_REPEATED;
    *seen = true;
    return 0;
}

static int decode_res(g5_rbuf *v, g5_eap_aka *m)
{
    /* RFC 4187 §10.8: RES Length in bits, RES padded to a multiple of 4 octets. */
    uint16_t bits;
    int rc = g5_rbuf_u16(v, &bits);
    if (rc)
        return rc;
    if (bits < 32 || bits > 128 || bits % 8 || g5_rbuf_left(v) != ((size_t)bits / 8 + 3) / 4 * 4)
        return G5_ERR_INVALID;
    m->res_bits = bits;
    return g5_rbuf_bytes(v, m->res, bits / 8);
}

static int decode_kdf_input(g5_rbuf *v, g5_eap_aka *m)
{
    /* RFC 5448 §3.1: Actual Network Name Length, then the name padded with zeros. */
    uint16_t len;
    int rc = g5_rbuf_u16(v, &len);
    if (rc)
        return rc;
    if (len == 0 || len > G5_EAP_AKA_KDF_INPUT_MAX || len > g5_rbuf_left(v) ||
        g5_rbuf_left(v) - len >= 4)
        return G5_ERR_INVALID;
    rc = g5_rbuf_bytes(v, m->kdf_input, len);
    m->kdf_input[len] = '\0';
    if (!rc && memchr(m->kdf_input, '\0', len))
        rc = G5_ERR_INVALID;
    return rc;
}

static int decode_u16_attr(g5_rbuf *v, uint16_t *out)
{
    return g5_rbuf_left(v) == 2 ? g5_rbuf_u16(v, out) : G5_ERR_INVALID;
}

static int decode_attr(uint8_t type, g5_rbuf *v, size_t value_off, g5_eap_aka *m)
{
    int rc;
    switch (type) {
    case G5_AT_RAND: return (rc = mark(&m->has_rand)) ? rc : read_reserved16(v, m->rand);
    case G5_AT_AUTN: return (rc = mark(&m->has_autn)) ? rc : read_reserved16(v, m->autn);
    case G5_AT_MAC:
        if ((rc = mark(&m->has_mac)))
            return rc;
        m->mac_offset = value_off + 2;
        return read_reserved16(v, m->mac);
    case G5_AT_RES: return (rc = mark(&m->has_res)) ? rc : decode_res(v, m);
    case G5_AT_AUTS:
        if ((rc = mark(&m->has_auts)))
            return rc;
        return g5_rbuf_left(v) == 14 ? g5_rbuf_bytes(v, m->auts, 14) : G5_ERR_INVALID;
    case G5_AT_KDF:
        if (m->n_kdf >= G5_EAP_AKA_MAX_KDF)
            return G5_ERR_REPEATED;
        return decode_u16_attr(v, &m->kdf[m->n_kdf++]);
    case G5_AT_KDF_INPUT: return (rc = mark(&m->has_kdf_input)) ? rc : decode_kdf_input(v, m);
    case G5_AT_CLIENT_ERROR_CODE:
        return (rc = mark(&m->has_client_error)) ? rc : decode_u16_attr(v, &m->client_error);
    case G5_AT_RESULT_IND: return mark(&m->has_result_ind);
    case G5_AT_CHECKCODE: return mark(&m->has_checkcode);
    case G5_AT_BIDDING: return mark(&m->has_bidding);
    case G5_AT_PADDING: return 0;
    default:
        /* RFC 4187 §8.1: 0..127 are non-skippable; an unknown one fails the packet. */
        return type < 128 ? G5_ERR_INVALID : 0;
    }
}

int g5_eap_aka_decode(const uint8_t *p, size_t n, g5_eap_aka *out)
{
    memset(out, 0, sizeof *out);
    g5_rbuf r;
    g5_rbuf_init(&r, p, n);
    uint16_t len;
    g5_rbuf_u8(&r, &out->code);
    g5_rbuf_u8(&r, &out->id);
    if (g5_rbuf_u16(&r, &len))
        return G5_ERR_TRUNCATED;
    if (len < 4)
        return G5_ERR_INVALID;
    if (len > n)
        return G5_ERR_TRUNCATED;
    if (len > G5_EAP_MAX)
        return G5_ERR_TOO_LONG;
    r.len = len; /* trailing octets are padding of the lower layer */
    if (out->code == G5_EAP_SUCCESS || out->code == G5_EAP_FAILURE)
        return len == 4 ? 0 : G5_ERR_INVALID;
    if (out->code != G5_EAP_REQUEST && out->code != G5_EAP_RESPONSE)
        return G5_ERR_INVALID;
    uint8_t type;
    if (g5_rbuf_u8(&r, &type) || g5_rbuf_u8(&r, &out->subtype) || g5_rbuf_skip(&r, 2))
        return G5_ERR_TRUNCATED;
    if (type != G5_EAP_TYPE_AKA_PRIME)
        return G5_ERR_UNSUPPORTED;
    while (!g5_rbuf_empty(&r)) {
        uint8_t at, units;
        if (g5_rbuf_u8(&r, &at) || g5_rbuf_u8(&r, &units))
            return G5_ERR_TRUNCATED;
        if (units == 0)
            return G5_ERR_INVALID;
        size_t value_off = r.pos;
        g5_rbuf v;
        if (g5_rbuf_sub(&r, &v, (size_t)units * 4 - 2))
            return G5_ERR_TRUNCATED;
        int rc = decode_attr(at, &v, value_off, out);
        if (rc)
            return rc;
    }
    return 0;
}

static void put_attr_hdr(g5_wbuf *w, uint8_t type, size_t value_len)
{
    g5_wbuf_u8(w, type);
    g5_wbuf_u8(w, (uint8_t)((value_len + 2 + 3) / 4));
}

static void put_reserved16(g5_wbuf *w, uint8_t type, const uint8_t v[16])
{
    put_attr_hdr(w, type, 18);
    g5_wbuf_u16(w, 0);
    g5_wbuf_bytes(w, v, 16);
}

static void put_padded(g5_wbuf *w, uint8_t type, uint16_t first, const void *v, size_t len)
{
    size_t padded = (len + 3) / 4 * 4;
    put_attr_hdr(w, type, 2 + padded);
    g5_wbuf_u16(w, first);
    g5_wbuf_bytes(w, v, len);
    g5_wbuf_zeros(w, padded - len);
}

static int put_attrs(const g5_eap_aka *m, g5_wbuf *w, size_t *mac_off)
{
    if (m->has_rand)
        put_reserved16(w, G5_AT_RAND, m->rand);
    if (m->has_autn)
        put_reserved16(w, G5_AT_AUTN, m->autn);
    if (m->has_res) {
        if (m->res_bits < 32 || m->res_bits > 128 || m->res_bits % 8)
            return G5_ERR_INVALID;
        put_padded(w, G5_AT_RES, m->res_bits, m->res, m->res_bits / 8u);
    }
    if (m->has_auts) {
        put_attr_hdr(w, G5_AT_AUTS, 14);
        g5_wbuf_bytes(w, m->auts, 14);
    }
    for (int i = 0; i < m->n_kdf && i < G5_EAP_AKA_MAX_KDF; i++) {
        put_attr_hdr(w, G5_AT_KDF, 2);
        g5_wbuf_u16(w, m->kdf[i]);
    }
    if (m->has_kdf_input) {
        size_t len = strnlen(m->kdf_input, sizeof m->kdf_input);
        if (len == 0 || len > G5_EAP_AKA_KDF_INPUT_MAX)
            return G5_ERR_INVALID;
        put_padded(w, G5_AT_KDF_INPUT, (uint16_t)len, m->kdf_input, len);
    }
    if (m->has_client_error) {
        put_attr_hdr(w, G5_AT_CLIENT_ERROR_CODE, 2);
        g5_wbuf_u16(w, m->client_error);
    }
    if (m->has_result_ind) {
        put_attr_hdr(w, G5_AT_RESULT_IND, 2);
        g5_wbuf_u16(w, 0);
    }
    if (m->has_mac) {
        put_attr_hdr(w, G5_AT_MAC, 18);
        g5_wbuf_u16(w, 0);
        *mac_off = g5_wbuf_len(w);
        g5_wbuf_bytes(w, m->mac, 16);
    }
    return 0;
}

int g5_eap_aka_encode(const g5_eap_aka *m, const uint8_t k_aut[32], g5_wbuf *w)
{
    size_t start = g5_wbuf_len(w), len_off, mac_off = 0;
    g5_wbuf_u8(w, m->code);
    g5_wbuf_u8(w, m->id);
    g5_wbuf_hole(w, 2, &len_off);
    if (m->code == G5_EAP_REQUEST || m->code == G5_EAP_RESPONSE) {
        g5_wbuf_u8(w, G5_EAP_TYPE_AKA_PRIME);
        g5_wbuf_u8(w, m->subtype);
        g5_wbuf_u16(w, 0);
        int rc = put_attrs(m, w, &mac_off);
        if (rc)
            return rc;
    } else if (m->code != G5_EAP_SUCCESS && m->code != G5_EAP_FAILURE) {
        return G5_ERR_INVALID;
    }
    size_t len = g5_wbuf_len(w) - start;
    if (w->err)
        return w->err;
    if (len > G5_EAP_MAX)
        return G5_ERR_TOO_LONG;
    g5_wbuf_patch_u16(w, len_off, (uint16_t)len);
    if (m->has_mac && k_aut && mac_off) {
        uint8_t *pkt = w->p + start;
        uint8_t mac[G5_EAP_AKA_MAC_LEN];
        int rc = g5_eap_aka_mac(k_aut, pkt, len, mac_off - start, mac);
        if (rc)
            return rc;
        memcpy(w->p + mac_off, mac, sizeof mac);
    }
    return w->err;
}

int g5_eap_aka_mac(const uint8_t k_aut[32], const uint8_t *pkt, size_t n, size_t mac_offset,
                   uint8_t mac[G5_EAP_AKA_MAC_LEN])
{
    if (mac_offset + G5_EAP_AKA_MAC_LEN > n)
        return G5_ERR_INVALID;
    static const uint8_t zero[G5_EAP_AKA_MAC_LEN];
    g5_bytes parts[3] = {
        {pkt, mac_offset},
        {zero, sizeof zero},
        {pkt + mac_offset + G5_EAP_AKA_MAC_LEN, n - mac_offset - G5_EAP_AKA_MAC_LEN}};
    uint8_t full[32];
    int rc = g5_hmac_sha256(k_aut, 32, parts, 3, full);
    memcpy(mac, full, G5_EAP_AKA_MAC_LEN); /* HMAC-SHA-256-128: first 16 octets */
    OPENSSL_cleanse(full, sizeof full);
    return rc;
}

int g5_eap_aka_verify_mac(const uint8_t k_aut[32], const uint8_t *pkt, size_t n,
                          const g5_eap_aka *m)
{
    if (!m->has_mac)
        return G5_ERR_CRYPTO;
    uint8_t mac[G5_EAP_AKA_MAC_LEN];
    int rc = g5_eap_aka_mac(k_aut, pkt, n, m->mac_offset, mac);
    if (!rc && CRYPTO_memcmp(mac, m->mac, sizeof mac) != 0)
        rc = G5_ERR_CRYPTO;
    return rc ? G5_ERR_CRYPTO : 0;
}
