/* NAS security of the AMF (TS 33.501 §6.7, §6.8; TS 24.501 §4.4): algorithm selection
 * from the configured priority lists and the UE security capabilities, the key hierarchy
 * KSEAF -> KAMF -> KNASint/KNASenc and KgNB (crypto library, Annex A), and the mapping of
 * the NAS UE security capability octets to the NGAP bit strings. Keys never reach a log. */
#define G5_LOG_MODULE "amf"
#include <string.h>

#include "core/err.h"
#include "crypto/kdf.h"
#include "nf/amf/amf_int.h"

/* TS 24.501 9.11.3.54: bit 8 of the octet is algorithm 0, bit 7 algorithm 1, ... */
static bool cap_has(uint8_t octet, uint8_t alg)
{
    return alg < 8 && (octet & (0x80u >> alg));
}

/* A UE must support 128-NIA1 and 128-NIA2 (TS 33.501 §5.11.1.1); a capability with no
 * non-null integrity algorithm is not acceptable (TS 33.512 4.2.2.6.1). */
bool amf_caps_valid(const nas_ue_sec_cap *caps)
{
    return (caps->ia & 0x70u) != 0 && (caps->ea & 0xF0u) != 0;
}

static int pick(const uint8_t *prio, int n, uint8_t octet, uint8_t *out)
{
    for (int i = 0; i < n; i++)
        if (cap_has(octet, prio[i])) {
            *out = prio[i];
            return 0;
        }
    return G5_ERR_NOT_FOUND;
}

/* TS 33.501 §6.7.1: the highest-priority algorithm of the configured list the UE has. */
int amf_select_algs(const amf *a, const nas_ue_sec_cap *caps, uint8_t *nea, uint8_t *nia)
{
    const g5_config *c = a->cfg;
    if (pick(c->amf.nia_prio, c->amf.n_nia, caps->ia, nia) ||
        pick(c->amf.nea_prio, c->amf.n_nea, caps->ea, nea))
        return G5_ERR_NOT_FOUND;
    return *nia == 0 ? G5_ERR_INVALID : 0; /* NIA0 only for emergency (TS 33.501 5.5.2) */
}

/* KAMF (A.7, SUPI digits, ABBA 0x0000) and the NAS keys (A.8) for the selected algs. */
int amf_derive_nas_keys(amf_ue *ue, const uint8_t kseaf[32])
{
    static const uint8_t abba[2] = {0, 0};
    const char *digits = strncmp(ue->supi, "imsi-", 5) ? ue->supi : ue->supi + 5;
    if (g5_kdf_kamf(kseaf, digits, abba, sizeof abba, ue->kamf))
        return G5_ERR_CRYPTO;
    if (g5_kdf_knas_int(ue->kamf, (uint8_t)ue->sec.nia, ue->sec.knas_int) ||
        g5_kdf_knas_enc(ue->kamf, (uint8_t)ue->sec.nea, ue->sec.knas_enc))
        return G5_ERR_CRYPTO;
    return 0;
}

/* A.9: KgNB from the uplink NAS COUNT of the message that activated the context. */
int amf_kgnb(const amf_ue *ue, uint8_t kgnb[32])
{
    return g5_kdf_kgnb(ue->kamf, ue->kgnb_count, G5_ACCESS_3GPP, kgnb) ? G5_ERR_CRYPTO : 0;
}

/* TS 38.413 9.3.1.86: 16-bit strings whose first bit is 128-NEA1/NIA1 (algorithm 0 has
 * no bit); the NAS octet has algorithm 0 in bit 8, so shift out EA0/IA0. */
void amf_ngap_sec_caps(const nas_ue_sec_cap *caps, uint16_t out[4])
{
    out[0] = (uint16_t)((caps->ea << 1) & 0xFE) << 8;
    out[1] = (uint16_t)((caps->ia << 1) & 0xFE) << 8;
    out[2] = caps->has_eps ? (uint16_t)(((caps->eea << 1) & 0xFE) << 8) : 0;
    out[3] = caps->has_eps ? (uint16_t)(((caps->eia << 1) & 0xFE) << 8) : 0;
}
