/* The JSON face of every protocol codec, used by `glass5g decode|encode` and by tests.
 *
 * decode: bytes -> a new jansson object (caller json_decref()s it). On failure returns a
 *         negative g5_err and writes a one-line reason (with the byte offset where known)
 *         into err.
 * encode: JSON -> bytes appended to out. For any valid message, encode(decode(x)) == x.
 *
 * Each protocol implements its pair in src/<proto>/<proto>_json.c.
 */
#ifndef G5_CORE_CODEC_JSON_H
#define G5_CORE_CODEC_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef int (*g5_json_decode_fn)(const uint8_t *p, size_t n, json_t **out, char *err,
                                 size_t errlen);
typedef int (*g5_json_encode_fn)(const json_t *in, g5_wbuf *out, char *err, size_t errlen);

int g5_nas_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen);
int g5_nas_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen);
int g5_ngap_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen);
int g5_ngap_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen);
int g5_pfcp_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen);
int g5_pfcp_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen);
int g5_gtpu_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen);
int g5_gtpu_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen);

#endif
