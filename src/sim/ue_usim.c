/* glass5g-sim USIM: 5G-AKA on the UE side (TS 33.501 6.1.3.2, TS 33.102 6.3.3) with the
 * Annex C sequence number scheme, and SUCI concealment from the template. See ue_usim.h. */
#define G5_LOG_MODULE "sim.usim"
#include "sim/ue_usim.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"

int sim_usim_keys_init(sim_usim_keys *keys, const sim_ue_template *tpl)
{
    memcpy(keys->k, tpl->key, 16);
    if (tpl->op_is_opc) {
        memcpy(keys->opc, tpl->op, 16);
        return 0;
    }
    return g5_milenage_opc(tpl->key, tpl->op, keys->opc);
}

void sim_usim_keys_wipe(sim_usim_keys *keys)
{
    OPENSSL_cleanse(keys, sizeof *keys);
}

#define IND_MASK (SIM_USIM_NIND - 1)
#define SQN_MASK ((1ULL << 48) - 1)

void sim_usim_init(sim_usim *u, uint64_t initial_sqn)
{
    initial_sqn &= SQN_MASK;
    uint64_t seq = initial_sqn >> SIM_USIM_IND_BITS;
    for (unsigned i = 0; i < SIM_USIM_NIND; i++)
        u->seq[i] = seq;
    u->sqn_ms = initial_sqn;
}

/* C.2.1: SEQ must be above the SEQ stored for its IND; C.2.2: and not more than DELTA
 * below the highest SEQ accepted so far (a very old vector is refused). */
bool sim_usim_sqn_fresh(const sim_usim *u, uint64_t sqn)
{
    uint64_t seq = (sqn & SQN_MASK) >> SIM_USIM_IND_BITS;
    unsigned ind = (unsigned)(sqn & IND_MASK);
    uint64_t seq_ms = u->sqn_ms >> SIM_USIM_IND_BITS;
    if (seq <= u->seq[ind])
        return false;
    return seq >= seq_ms || seq_ms - seq <= SIM_USIM_DELTA;
}

static void accept_sqn(sim_usim *u, uint64_t sqn)
{
    u->seq[sqn & IND_MASK] = sqn >> SIM_USIM_IND_BITS;
    if ((sqn >> SIM_USIM_IND_BITS) > (u->sqn_ms >> SIM_USIM_IND_BITS))
        u->sqn_ms = sqn;
}

static uint64_t be48(const uint8_t b[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | b[i];
    return v;
}

static void put48(uint64_t v, uint8_t b[6])
{
    for (int i = 5; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
}

/* 5G-AKA key chain once AUTN is accepted: RES* (A.4), KAUSF (A.2), KSEAF (A.6), KAMF (A.7). */
static int derive(const uint8_t ck[16], const uint8_t ik[16], const uint8_t rand[16],
                  const uint8_t res[8], const uint8_t sqn_xor_ak[6], const char *snn,
                  const char *supi, const uint8_t *abba, size_t abba_len, sim_aka_result *out)
{
    int rc = g5_kdf_res_star(ck, ik, snn, rand, res, 8, out->res_star);
    if (!rc)
        rc = g5_kdf_kausf(ck, ik, snn, sqn_xor_ak, out->kausf);
    if (!rc)
        rc = g5_kdf_kseaf(out->kausf, snn, out->kseaf);
    if (!rc)
        rc = g5_kdf_kamf(out->kseaf, supi, abba, abba_len, out->kamf);
    return rc;
}

/* The USIM part shared by 5G-AKA and EAP-AKA' (TS 33.102 6.3.3): AUTN's MAC-A, the AMF
 * separation bit, SQN freshness (AUTS on failure). Sets *status; on SIM_AKA_OK, sqn, xres,
 * ck and ik hold the USIM's outputs (the caller wipes them). */
static int check_autn(const sim_usim *u, const sim_usim_keys *keys, const uint8_t rand[16],
                      const uint8_t autn[16], int *status, uint8_t auts[14], uint64_t *sqn_out,
                      uint8_t xres[8], uint8_t ck[16], uint8_t ik[16])
{
    uint8_t sqn[6];
    *status = SIM_AKA_OK;
    int rc = g5_milenage_check_autn(keys->k, keys->opc, rand, autn, sqn, xres, ck, ik);
    if (rc == G5_ERR_CRYPTO) {
        *status = SIM_AKA_MAC_FAILURE; /* TS 24.501 5.4.1.3.6 a) */
        return 0;
    }
    if (rc)
        return rc;
    /* TS 33.501 6.1.3.2.0 / 6.1.3.1 with TS 33.102 Annex H: the "separation bit" (bit 0 of
     * the AMF field, the most significant bit of AUTN octet 6) must be 1 for 5G. */
    if (!(autn[6] & 0x80)) {
        *status = SIM_AKA_NON_5G;
        return 0;
    }
    *sqn_out = be48(sqn);
    if (!sim_usim_sqn_fresh(u, *sqn_out)) {
        uint8_t sqn_ms[6];
        put48(u->sqn_ms, sqn_ms);
        *status = SIM_AKA_SYNCH_FAILURE; /* TS 33.102 6.3.3, 5.4.1.3.6 b) */
        return g5_milenage_auts(keys->k, keys->opc, rand, sqn_ms, auts);
    }
    return 0;
}

int sim_usim_authenticate(sim_usim *u, const sim_usim_keys *keys, const uint8_t rand[16],
                          const uint8_t autn[16], const char *snn, const char *supi,
                          const uint8_t *abba, size_t abba_len, sim_aka_result *res)
{
    memset(res, 0, sizeof *res);
    uint8_t xres[8], ck[16], ik[16];
    uint64_t s = 0;
    int rc = check_autn(u, keys, rand, autn, &res->status, res->auts, &s, xres, ck, ik);
    if (!rc && res->status == SIM_AKA_OK) {
        rc = derive(ck, ik, rand, xres, autn, snn, supi, abba, abba_len, res);
        if (!rc)
            accept_sqn(u, s);
    }
    OPENSSL_cleanse(ck, sizeof ck);
    OPENSSL_cleanse(ik, sizeof ik);
    OPENSSL_cleanse(xres, sizeof xres);
    return rc;
}

/* EAP-AKA' key chain (RFC 5448 3.3, TS 33.501 6.1.3.1, A.2 note: KAUSF = EMSK[0..255]). */
static int derive_eap(const uint8_t ck[16], const uint8_t ik[16], const uint8_t sqn_xor_ak[6],
                      const char *net_name, const char *snn, const char *supi, const uint8_t *abba,
                      size_t abba_len, sim_eap_result *out)
{
    uint8_t ckp[16], ikp[16], kausf[32], kseaf[32];
    g5_eap_aka_prime_keys keys;
    int rc = g5_kdf_ck_ik_prime(ck, ik, net_name, sqn_xor_ak, ckp, ikp);
    if (!rc) /* TS 33.501 Annex F.3: the identity is the IMSI digits of the SUPI */
        rc = g5_eap_aka_prime_keys_derive(ikp, ckp, (const uint8_t *)supi, strlen(supi), &keys);
    if (!rc) {
        memcpy(out->k_aut, keys.k_aut, 32);
        g5_kdf_kausf_eap(&keys, kausf);
        rc = g5_kdf_kseaf(kausf, snn, kseaf);
    }
    if (!rc)
        rc = g5_kdf_kamf(kseaf, supi, abba, abba_len, out->kamf);
    OPENSSL_cleanse(ckp, sizeof ckp);
    OPENSSL_cleanse(ikp, sizeof ikp);
    OPENSSL_cleanse(kausf, sizeof kausf);
    OPENSSL_cleanse(kseaf, sizeof kseaf);
    OPENSSL_cleanse(&keys, sizeof keys);
    return rc;
}

int sim_usim_authenticate_eap(sim_usim *u, const sim_usim_keys *keys, const uint8_t rand[16],
                              const uint8_t autn[16], const char *net_name, const char *snn,
                              const char *supi, const uint8_t *abba, size_t abba_len,
                              sim_eap_result *res)
{
    memset(res, 0, sizeof *res);
    uint8_t ck[16], ik[16];
    uint64_t s = 0;
    int rc = check_autn(u, keys, rand, autn, &res->status, res->auts, &s, res->res, ck, ik);
    if (!rc && res->status == SIM_AKA_OK)
        rc = derive_eap(ck, ik, autn, net_name, snn, supi, abba, abba_len, res);
    if (!rc && res->status == SIM_AKA_OK)
        res->sqn = s;
    OPENSSL_cleanse(ck, sizeof ck);
    OPENSSL_cleanse(ik, sizeof ik);
    return rc;
}

void sim_usim_accept_sqn(sim_usim *u, uint64_t sqn)
{
    accept_sqn(u, sqn);
}

int sim_usim_conceal(const sim_ue_template *tpl, const char *supi_digits, const uint8_t *eph_priv,
                     g5_suci *out)
{
    char s[24];
    g5_supi supi;
    snprintf(s, sizeof s, "imsi-%s", supi_digits);
    int rc = g5_supi_parse(s, (int)strlen(tpl->mnc), &supi);
    if (rc)
        return rc;
    int scheme = tpl->protection_scheme;
    const uint8_t *pub = tpl->hn_public_key;
    size_t pub_len = tpl->hn_public_key_len;
    uint8_t comp[33];
    if (scheme == G5_SUCI_PROFILE_B && pub_len == 65 && pub[0] == 0x04) {
        /* SEC 1 2.3.3: an uncompressed P-256 point 04||X||Y compresses to (02|y&1)||X. */
        comp[0] = (uint8_t)(0x02 | (pub[64] & 1));
        memcpy(comp + 1, pub + 1, 32);
        pub = comp;
        pub_len = 33;
    }
    if (scheme != G5_SUCI_NULL && pub_len != g5_suci_pub_len(scheme))
        return G5_ERR_INVALID;
    return g5_suci_conceal(&supi, scheme, pub, pub_len, (uint8_t)tpl->hn_key_id,
                           tpl->routing_indicator[0] ? tpl->routing_indicator : NULL, eph_priv,
                           out);
}
