/* libFuzzer target: the GTP-U encoders, checked against the decoder.
 *
 * Input starting with '{' is a JSON message: encode -> parse/decode -> encode must give
 * the same bytes (the encoder never writes something its own decoder reads differently).
 * Any other input drives the fast-path encapsulation: its octets choose the TEID, the
 * sequence number and every PDU Session Container field; g5_gtpu_tpl_push writes the
 * header into the headroom of a payload, and g5_gtpu_parse must read back exactly those
 * values with the payload where it was. A violated property traps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "gtpu/gtpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void json_mode(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (!in)
        return;
    char err[256];
    g5_wbuf a, b;
    g5_wbuf_init_dyn(&a, 1u << 17);
    g5_wbuf_init_dyn(&b, 1u << 17);
    json_t *back = NULL;
    if (g5_gtpu_encode_json(in, &a, err, sizeof err) == 0 &&
        g5_gtpu_decode_json(a.p, a.len, &back, err, sizeof err) == 0) {
        if (g5_gtpu_encode_json(back, &b, err, sizeof err) < 0 || a.len != b.len ||
            memcmp(a.p, b.p, a.len))
            __builtin_trap();
    }
    json_decref(back);
    json_decref(in);
    g5_wbuf_free(&a);
    g5_wbuf_free(&b);
}

static uint64_t take(const uint8_t **p, size_t *n, size_t k)
{
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++) {
        v = v << 8 | (*n ? **p : 0);
        if (*n) {
            (*p)++;
            (*n)--;
        }
    }
    return v;
}

static bool psc_equal(const g5_gtpu_psc *a, const g5_gtpu_psc *b)
{
    bool ul = a->pdu_type == G5_GTPU_PSC_UL;
    return a->pdu_type == b->pdu_type && a->qfi == b->qfi && a->qmp == b->qmp && a->snp == b->snp &&
           (!a->snp || a->qfi_sn == b->qfi_sn) &&
           (!a->qmp || a->dl_sending_ts == b->dl_sending_ts) &&
           (ul || (a->ppp == b->ppp && a->rqi == b->rqi && (!a->ppp || a->ppi == b->ppi) &&
                   a->msnp == b->msnp && (!a->msnp || a->mbs_qfi_sn == b->mbs_qfi_sn))) &&
           (!ul || (a->dl_delay_ind == b->dl_delay_ind && a->ul_delay_ind == b->ul_delay_ind &&
                    a->n3n9_delay_ind == b->n3n9_delay_ind && a->new_ie_flag == b->new_ie_flag &&
                    (!a->qmp || (a->dl_received_ts == b->dl_received_ts &&
                                 a->ul_sending_ts == b->ul_sending_ts)) &&
                    (!a->dl_delay_ind || a->dl_delay_result == b->dl_delay_result) &&
                    (!a->ul_delay_ind || a->ul_delay_result == b->ul_delay_result) &&
                    (!a->n3n9_delay_ind || a->n3n9_delay_result == b->n3n9_delay_result) &&
                    (!a->new_ie_flag || a->new_ie_flags == b->new_ie_flags)));
}

static void encap_mode(const uint8_t *p, size_t n)
{
    uint8_t sel = (uint8_t)take(&p, &n, 1);
    g5_gtpu_psc psc = {0};
    g5_gtpu_encap_params e = {.msg_type = (uint8_t)take(&p, &n, 1),
                              .teid = (uint32_t)take(&p, &n, 4),
                              .with_seq = sel & 1,
                              .psc = (sel & 2) ? &psc : NULL};
    uint16_t seq = (uint16_t)take(&p, &n, 2);
    uint8_t f = (uint8_t)take(&p, &n, 1), g = (uint8_t)take(&p, &n, 1);
    psc.pdu_type = (sel >> 2) & 1;
    psc.qfi = g & 0x3f;
    psc.qmp = f & 1, psc.snp = f & 2, psc.ppp = f & 4, psc.rqi = f & 8, psc.msnp = f & 16;
    psc.dl_delay_ind = f & 32, psc.ul_delay_ind = f & 64, psc.n3n9_delay_ind = f & 128;
    psc.new_ie_flag = g & 0x40;
    psc.ppi = (uint8_t)(take(&p, &n, 1) & 7);
    psc.dl_sending_ts = take(&p, &n, 8);
    psc.dl_received_ts = take(&p, &n, 8);
    psc.ul_sending_ts = take(&p, &n, 8);
    psc.qfi_sn = (uint32_t)take(&p, &n, 3);
    psc.mbs_qfi_sn = (uint32_t)take(&p, &n, 4);
    psc.dl_delay_result = (uint32_t)take(&p, &n, 4);
    psc.ul_delay_result = (uint32_t)take(&p, &n, 4);
    psc.n3n9_delay_result = (uint32_t)take(&p, &n, 4);
    psc.new_ie_flags = (uint8_t)take(&p, &n, 1);

    g5_gtpu_tpl t;
    if (g5_gtpu_tpl_init(&t, &e) < 0)
        __builtin_trap(); /* every value chosen above is in range */
    size_t len = n < 1500 ? n : 1500;
    uint8_t *buf = malloc(G5_GTPU_HEADROOM + len + 1);
    if (!buf)
        return;
    uint8_t *payload = buf + G5_GTPU_HEADROOM;
    memcpy(payload, p, len);
    uint8_t *pkt = g5_gtpu_tpl_push(&t, payload, len, G5_GTPU_HEADROOM, seq);
    g5_gtpu_hdr h;
    if (!pkt || g5_gtpu_parse(pkt, t.len + len, &h) < 0)
        __builtin_trap();
    if (h.teid != e.teid || h.msg_type != e.msg_type || h.payload != payload ||
        h.payload_len != len || memcmp(h.payload, p, len) || (e.with_seq && h.seq != seq) ||
        h.has_psc != (e.psc != NULL) || (e.psc && !psc_equal(&psc, &h.psc)))
        __builtin_trap();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size && data[0] == '{')
        json_mode(data, size);
    else
        encap_mode(data, size);
    return 0;
}
