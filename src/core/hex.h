/* Hex text <-> bytes, used by the CLI tools and tests. */
#ifndef G5_CORE_HEX_H
#define G5_CORE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decodes hex text (upper or lower case; spaces, ':' and a leading "0x" are ignored) into
 * out (cap bytes). Returns the byte count, or a negative g5_err (odd digit count, bad
 * character, does not fit). */
int g5_hex_decode(const char *hex, uint8_t *out, size_t cap);
/* Like g5_hex_decode but requires exactly n bytes. */
int g5_hex_decode_exact(const char *hex, uint8_t *out, size_t n);
/* Writes 2*n lower-case digits and a NUL into out (which must hold 2*n+1). */
void g5_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
