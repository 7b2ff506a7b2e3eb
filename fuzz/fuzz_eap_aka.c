/* libFuzzer target: the EAP / EAP-AKA' codec as the AUSF sees it (the UE's EAP message,
 * passed through the AMF unchanged, is peer input). Decodes; for an accepted packet checks
 * the MAC routine stays in bounds, re-encodes and requires the re-encoding to decode to
 * the same fields. Nothing may crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nf/ausf/eap_aka.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g5_eap_aka m, again;
    if (g5_eap_aka_decode(data, size, &m))
        return 0;
    static const uint8_t k_aut[32] = {1, 2, 3};
    (void)g5_eap_aka_verify_mac(k_aut, data, size, &m);
    uint8_t out[G5_EAP_MAX + 64];
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    if (g5_eap_aka_encode(&m, NULL, &w))
        return 0; /* e.g. only skippable attributes we do not re-emit grew past a bound */
    if (g5_eap_aka_decode(out, g5_wbuf_len(&w), &again))
        abort();
    if (again.code != m.code || again.id != m.id || again.n_kdf != m.n_kdf ||
        again.has_res != m.has_res || again.has_mac != m.has_mac ||
        (m.has_res && memcmp(again.res, m.res, sizeof m.res) != 0) ||
        (m.has_mac && memcmp(again.mac, m.mac, sizeof m.mac) != 0) ||
        (m.has_kdf_input && strcmp(again.kdf_input, m.kdf_input) != 0))
        abort();
    return 0;
}
