/* libFuzzer target: the GTP-U decoder, as a UPF sees it (any datagram from the network).
 *
 * Beyond "does not crash, leak or read out of bounds" (ASan/UBSan), it checks properties:
 *  - a parsed header accounts for every octet: hdr_len + payload_len == datagram length,
 *    and payload/extension contents point inside the datagram;
 *  - the parse is deterministic and does not depend on bytes past the datagram;
 *  - whatever the JSON decoder accepts, the JSON encoder reproduces byte for byte.
 * A violated property traps, so the fuzzer reports it as a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "gtpu/gtpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bounds(const uint8_t *p, size_t n, const g5_gtpu_hdr *h)
{
    if ((size_t)h->hdr_len + h->payload_len != n || h->payload != p + h->hdr_len)
        __builtin_trap();
    for (unsigned i = 0; i < h->n_ext; i++) {
        const g5_gtpu_ext *x = &h->ext[i];
        if (x->units == 0 || x->content < p || x->content + x->content_len > p + h->hdr_len)
            __builtin_trap();
    }
}

static void check_json_round_trip(const uint8_t *p, size_t n)
{
    json_t *j = NULL;
    char err[256];
    if (g5_gtpu_decode_json(p, n, &j, err, sizeof err) < 0)
        return;
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 1u << 17);
    if (g5_gtpu_encode_json(j, &w, err, sizeof err) < 0 || w.len != n || memcmp(w.p, p, n))
        __builtin_trap();
    g5_wbuf_free(&w);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy: ASan catches a read even one octet past the datagram. */
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    g5_gtpu_hdr h, h2;
    int rc = g5_gtpu_parse(p, size, &h);
    if (g5_gtpu_parse(p, size, &h2) != rc)
        __builtin_trap();
    if (rc == 0) {
        check_bounds(p, size, &h);
        g5_gtpu_ies ies;
        (void)g5_gtpu_msg_parse(&h, &ies);
    }
    check_json_round_trip(p, size);
    free(p);
    return 0;
}
