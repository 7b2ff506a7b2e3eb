/* libFuzzer target: SUCI de-concealment as the SIDF sees it (peer input).
 * The first byte picks the entry point:
 *   even: the rest is a SUCI string -> g5_suci_parse, g5_suci_format, g5_suci_deconceal
 *         with the TS 33.501 Annex C.4 home network keys;
 *   odd:  the rest is a raw scheme output (as carried in the NAS 5GS mobile identity)
 *         -> g5_ecies_decrypt for Profile A (bit 1 clear) or B, and g5_msin_from_bcd.
 * Nothing may crash, leak or read out of bounds; results are checked for consistency. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/suci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* TS 33.501 C.4.3 and C.4.4 home network private keys */
static const uint8_t priv_a[32] = {0xc5, 0x3c, 0x22, 0x20, 0x8b, 0x61, 0x86, 0x0b, 0x06, 0xc6, 0x2e,
                                   0x54, 0x06, 0xa7, 0xb3, 0x30, 0xc2, 0xb5, 0x77, 0xaa, 0x55, 0x58,
                                   0x98, 0x15, 0x10, 0xd1, 0x28, 0x24, 0x7d, 0x38, 0xbd, 0x1d};
static const uint8_t priv_b[32] = {0xf1, 0xab, 0x10, 0x74, 0x47, 0x7e, 0xbc, 0xc7, 0xf5, 0x54, 0xea,
                                   0x1c, 0x5f, 0xc3, 0x68, 0xb1, 0x61, 0x67, 0x30, 0x15, 0x5e, 0x00,
                                   0x41, 0xac, 0x44, 0x7d, 0x63, 0x01, 0x97, 0x5f, 0xec, 0xda};

static void fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return;
    memcpy(s, data, size);
    s[size] = 0;
    g5_suci suci;
    if (g5_suci_parse(s, &suci) == 0) {
        char again[G5_SUCI_STR_MAX];
        if (g5_suci_format(&suci, again, sizeof again) == 0) {
            g5_suci back;
            if (g5_suci_parse(again, &back) != 0 || back.output_len != suci.output_len ||
                memcmp(back.output, suci.output, suci.output_len) != 0)
                abort(); /* format(parse(x)) must parse to the same SUCI */
        }
        g5_supi supi;
        if (g5_suci_deconceal(&suci, suci.scheme == G5_SUCI_PROFILE_A ? priv_a : priv_b, &supi) ==
            0) {
            char out[32];
            if (g5_supi_format(&supi, out, sizeof out) != 0)
                abort(); /* a de-concealed SUPI is always printable */
        }
    }
    free(s);
}

static void fuzz_raw(uint8_t sel, const uint8_t *data, size_t size)
{
    uint8_t plain[G5_SUCI_PLAIN_MAX];
    size_t plain_len = 0;
    int scheme = (sel & 2) ? G5_SUCI_PROFILE_B : G5_SUCI_PROFILE_A;
    if (g5_ecies_decrypt(scheme, scheme == G5_SUCI_PROFILE_A ? priv_a : priv_b, data, size, plain,
                         sizeof plain, &plain_len) == 0 &&
        plain_len > G5_SUCI_PLAIN_MAX)
        abort();
    char digits[11];
    (void)g5_msin_from_bcd(data, size, digits, sizeof digits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzz_raw(data[0], data + 1, size - 1);
    else
        fuzz_string(data + 1, size - 1);
    return 0;
}
