/* libFuzzer target: the NAS-5GS decoder (strict and lenient), the typed IE decoders via the
 * JSON face, and consistency: for any accepted plain message, e1 = encode(decode(x)) must
 * decode again and re-encode to exactly e1, and the JSON path must produce e1 too.
 * Seeds in fuzz/corpus/nas/ (tshark-validated messages from tests/integration). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "nas/nas.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_consistent(const uint8_t *data, size_t size, const nas_msg *m)
{
    static uint8_t e1[70000], e2[70000];
    static nas_msg m2;
    g5_wbuf w1, w2;
    g5_wbuf_init(&w1, e1, sizeof e1);
    if (nas_encode(m, &w1))
        __builtin_trap(); /* whatever decodes must encode */
    if (nas_decode(e1, w1.len, &m2, NULL))
        __builtin_trap();
    g5_wbuf_init(&w2, e2, sizeof e2);
    if (nas_encode(&m2, &w2) || w2.len != w1.len || memcmp(e1, e2, w1.len))
        __builtin_trap();

    json_t *j = NULL;
    char err[128];
    if (g5_nas_decode_json(data, size, &j, err, sizeof err))
        __builtin_trap(); /* the JSON face accepts what nas_decode accepts */
    g5_wbuf wj;
    g5_wbuf_init_dyn(&wj, 1u << 20);
    if (g5_nas_encode_json(j, &wj, err, sizeof err) || wj.len != w1.len || memcmp(wj.p, e1, w1.len))
        __builtin_trap();
    g5_wbuf_free(&wj);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nas_msg m;
    uint8_t cause;
    if (nas_decode(data, size, &m, &cause) == 0 && m.sht == NAS_SHT_PLAIN)
        check_consistent(data, size, &m);
    (void)nas_decode_ex(data, size, &m, &cause, NAS_DEC_LENIENT);
    if (m.sht != NAS_SHT_PLAIN && m.sec.inner)
        (void)nas_decode(m.sec.inner, m.sec.inner_len, &m, &cause);
    return 0;
}
