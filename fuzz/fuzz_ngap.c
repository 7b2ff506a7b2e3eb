/* libFuzzer target: the NGAP decoder (aligned PER, src/asn1/aper.c over the generated
 * descriptors). Any input that decodes must re-encode, decode again and re-encode to the
 * same bytes (canonical inputs re-encode to themselves); the JSON face must round-trip it.
 * Nothing may leak, crash or trip a sanitizer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/a1_json.h"
#include "core/buf.h"
#include "ngap/ngap_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    NGAP_NGAP_PDU_t pdu, again;
    a1_diag diag;
    if (ngap_decode(&pdu, data, size, &diag) != 0)
        return 0;
    g5_wbuf w1, w2;
    g5_wbuf_init_dyn(&w1, 1u << 24);
    g5_wbuf_init_dyn(&w2, 1u << 24);
    check(ngap_encode(&pdu, &w1) == 0);
    check(ngap_decode(&again, w1.p, w1.len, NULL) == 0);
    check(ngap_encode(&again, &w2) == 0);
    check(w1.len == w2.len && memcmp(w1.p, w2.p, w1.len) == 0);
    ngap_free(&again);

    json_t *j = a1_to_json(&NGAP_NGAP_PDU_def, &pdu);
    if (j) {
        char err[128];
        check(a1_from_json(&NGAP_NGAP_PDU_def, &again, j, err, sizeof err) == 0);
        g5_wbuf w3;
        g5_wbuf_init_dyn(&w3, 1u << 24);
        check(ngap_encode(&again, &w3) == 0);
        check(w3.len == w1.len && memcmp(w3.p, w1.p, w1.len) == 0);
        g5_wbuf_free(&w3);
        ngap_free(&again);
        json_decref(j);
    }
    g5_wbuf_free(&w1);
    g5_wbuf_free(&w2);
    ngap_free(&pdu);
    return 0;
}
