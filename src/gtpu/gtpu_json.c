/* Placeholder: the gtpu codec's JSON face is implemented by the gtpu codec work. */
#include "core/codec_json.h"
#include "core/err.h"

#include <stdio.h>

int g5_gtpu_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen)
{
    (void)p;
    (void)n;
    *out = NULL;
    snprintf(err, errlen, "gtpu decoding is not implemented yet");
    return G5_ERR_UNSUPPORTED;
}

int g5_gtpu_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen)
{
    (void)in;
    (void)out;
    snprintf(err, errlen, "gtpu encoding is not implemented yet");
    return G5_ERR_UNSUPPORTED;
}
