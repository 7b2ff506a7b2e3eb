/* PDU Session Container (TS 38.415 §5.5.2), the GTP-U extension header 0x85 that carries
 * the QoS Flow Identifier on N3/N9 (TS 29.281 §5.2.2.7).
 *
 * Layout (octet 1 is the first octet after the Extension Header Length):
 *   DL PDU SESSION INFORMATION (§5.5.2.1, PDU type 0)
 *     1: PDU Type(4) QMP SNP MSNP spare      2: PPP RQI QFI(6)
 *     PPI(3) spare(5) [PPP] | DL Sending Time Stamp(8) [QMP] | DL QFI SN(3) [SNP]
 *     | DL MBS QFI SN(4) [MSNP] | padding
 *   UL PDU SESSION INFORMATION (§5.5.2.2, PDU type 1)
 *     1: PDU Type(4) QMP DLDelayInd ULDelayInd SNP   2: N3/N9DelayInd NewIEFlag QFI(6)
 *     DL Sending Time Stamp Repeated(8), DL Received Time Stamp(8), UL Sending Time
 *     Stamp(8) [QMP] | DL Delay Result(4) [DL ind] | UL Delay Result(4) [UL ind]
 *     | UL QFI SN(3) [SNP] | N3/N9 Delay Result(4) [N3/N9 ind] | New IE Flags(1) [flag]
 *     | padding
 * Octets after the last field the flags announce are kept as `tail` (padding, or IEs of a
 * later release announced by New IE Flags, which §5.4 lets a receiver skip).
 */
#include <string.h>

#include "core/err.h"
#include "gtpu/gtpu.h"

static void decode_dl(g5_rbuf *r, uint8_t o1, uint8_t o2, g5_gtpu_psc *psc)
{
    psc->qmp = o1 & 0x08;
    psc->snp = o1 & 0x04;
    psc->msnp = o1 & 0x02;
    psc->spare_bits = o1 & 0x01;
    psc->ppp = o2 & 0x80;
    psc->rqi = o2 & 0x40;
    if (psc->ppp) {
        uint8_t o3 = 0;
        g5_rbuf_u8(r, &o3);
        psc->ppi = o3 >> 5;
        psc->spare_bits |= (uint8_t)((o3 & 0x1f) << 1);
    }
    if (psc->qmp)
        g5_rbuf_u64(r, &psc->dl_sending_ts);
    if (psc->snp)
        g5_rbuf_u24(r, &psc->qfi_sn);
    if (psc->msnp)
        g5_rbuf_u32(r, &psc->mbs_qfi_sn);
}

static void decode_ul(g5_rbuf *r, uint8_t o1, uint8_t o2, g5_gtpu_psc *psc)
{
    psc->qmp = o1 & 0x08;
    psc->dl_delay_ind = o1 & 0x04;
    psc->ul_delay_ind = o1 & 0x02;
    psc->snp = o1 & 0x01;
    psc->n3n9_delay_ind = o2 & 0x80;
    psc->new_ie_flag = o2 & 0x40;
    if (psc->qmp) {
        g5_rbuf_u64(r, &psc->dl_sending_ts);
        g5_rbuf_u64(r, &psc->dl_received_ts);
        g5_rbuf_u64(r, &psc->ul_sending_ts);
    }
    if (psc->dl_delay_ind)
        g5_rbuf_u32(r, &psc->dl_delay_result);
    if (psc->ul_delay_ind)
        g5_rbuf_u32(r, &psc->ul_delay_result);
    if (psc->snp)
        g5_rbuf_u24(r, &psc->qfi_sn);
    if (psc->n3n9_delay_ind)
        g5_rbuf_u32(r, &psc->n3n9_delay_result);
    if (psc->new_ie_flag)
        g5_rbuf_u8(r, &psc->new_ie_flags);
}

int g5_gtpu_psc_decode(const uint8_t *p, size_t n, g5_gtpu_psc *psc)
{
    g5_rbuf r;
    const uint8_t *o;
    memset(psc, 0, sizeof *psc);
    g5_rbuf_init(&r, p, n);
    if (g5_rbuf_ptr(&r, &o, 2) < 0)
        return r.err;
    uint8_t o1 = o[0], o2 = o[1];
    psc->pdu_type = o1 >> 4;
    psc->qfi = o2 & 0x3f;
    if (psc->pdu_type == G5_GTPU_PSC_DL)
        decode_dl(&r, o1, o2, psc);
    else if (psc->pdu_type == G5_GTPU_PSC_UL)
        decode_ul(&r, o1, o2, psc);
    else
        return G5_ERR_UNSUPPORTED; /* PDU types 2..15 are reserved (§5.5.3.1) */
    if (r.err) /* a field announced by a flag is missing */
        return r.err;
    psc->tail = g5_rbuf_cur(&r);
    psc->tail_len = (uint16_t)g5_rbuf_left(&r);
    return 0;
}

static int check_values(const g5_gtpu_psc *psc)
{
    if (psc->pdu_type > G5_GTPU_PSC_UL || psc->qfi > 0x3f || psc->ppi > 7 ||
        psc->qfi_sn > 0xffffff || psc->spare_bits > 0x3f)
        return G5_ERR_INVALID;
    return 0;
}

static void encode_dl(g5_wbuf *w, const g5_gtpu_psc *psc)
{
    g5_wbuf_u8(w, (uint8_t)(G5_GTPU_PSC_DL << 4 | psc->qmp << 3 | psc->snp << 2 | psc->msnp << 1 |
                            (psc->spare_bits & 1)));
    g5_wbuf_u8(w, (uint8_t)(psc->ppp << 7 | psc->rqi << 6 | psc->qfi));
    if (psc->ppp)
        g5_wbuf_u8(w, (uint8_t)(psc->ppi << 5 | psc->spare_bits >> 1));
    if (psc->qmp)
        g5_wbuf_u64(w, psc->dl_sending_ts);
    if (psc->snp)
        g5_wbuf_u24(w, psc->qfi_sn);
    if (psc->msnp)
        g5_wbuf_u32(w, psc->mbs_qfi_sn);
}

static void encode_ul(g5_wbuf *w, const g5_gtpu_psc *psc)
{
    g5_wbuf_u8(w, (uint8_t)(G5_GTPU_PSC_UL << 4 | psc->qmp << 3 | psc->dl_delay_ind << 2 |
                            psc->ul_delay_ind << 1 | psc->snp));
    g5_wbuf_u8(w, (uint8_t)(psc->n3n9_delay_ind << 7 | psc->new_ie_flag << 6 | psc->qfi));
    if (psc->qmp) {
        g5_wbuf_u64(w, psc->dl_sending_ts);
        g5_wbuf_u64(w, psc->dl_received_ts);
        g5_wbuf_u64(w, psc->ul_sending_ts);
    }
    if (psc->dl_delay_ind)
        g5_wbuf_u32(w, psc->dl_delay_result);
    if (psc->ul_delay_ind)
        g5_wbuf_u32(w, psc->ul_delay_result);
    if (psc->snp)
        g5_wbuf_u24(w, psc->qfi_sn);
    if (psc->n3n9_delay_ind)
        g5_wbuf_u32(w, psc->n3n9_delay_result);
    if (psc->new_ie_flag)
        g5_wbuf_u8(w, psc->new_ie_flags);
}

int g5_gtpu_psc_encode(const g5_gtpu_psc *psc, uint8_t *out, size_t cap)
{
    int rc = check_values(psc);
    if (rc < 0)
        return rc;
    g5_wbuf w;
    g5_wbuf_init(&w, out, cap);
    if (psc->pdu_type == G5_GTPU_PSC_DL)
        encode_dl(&w, psc);
    else
        encode_ul(&w, psc);
    /* The extension header (length octet + content + next type) is n*4 octets. */
    if (psc->tail) {
        g5_wbuf_bytes(&w, psc->tail, psc->tail_len);
        if ((w.len + 2) % 4)
            return G5_ERR_INVALID;
    } else {
        g5_wbuf_zeros(&w, (4 - (w.len + 2) % 4) % 4);
    }
    return w.err ? w.err : (int)w.len;
}
