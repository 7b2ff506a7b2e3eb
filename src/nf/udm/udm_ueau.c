/* Nudm_UEAuthentication_Get, "generate-auth-data" (TS 29.503 §5.4.2.2): the UDM's SIDF
 * and ARPF.
 *
 *  1. SIDF (TS 33.501 §6.12.2): a SUCI is de-concealed with the home-network private key
 *     named by its protection scheme and key id (null scheme, Profile A, Profile B).
 *  2. The authentication subscription is read from the UDR (K, OPc or OP, AMF, method).
 *  3. With ResynchronizationInfo, AUTS is verified with MAC-S and SQN_MS recovered
 *     (TS 33.102 §6.3.5); the UDR moves SQN_HE in step 4.
 *  4. The SQNs of every request of the batch come from the UDR in one group commit
 *     (udr_auth_sqn_next_batch: one transaction, one fsync; a resync and the next SQN in
 *     one atomic step), so two workers never issue the same SQN and no vector leaves
 *     before its SQN is durable; MILENAGE then builds the vector (TS 33.102 §6.3.2).
 *  5. 5G-AKA: the 5G HE AV {RAND, AUTN, XRES*, KAUSF} (TS 33.501 §6.1.3.2 step 1, A.2,
 *     A.4); EAP-AKA': the transformed AV {RAND, AUTN, XRES, CK', IK'} (§6.1.3.1, A.3).
 * Every intermediate key is wiped before returning; nothing secret is logged. Runs on a
 * libuv worker thread (udm.c), so an fsync of the SQN never stalls the event loop. */
#define G5_LOG_MODULE "udm"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/err.h"
#include "core/log.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "nf/udm/udm_internal.h"

typedef udm_ueau_keys ueau_keys;

static void ueau_keys_wipe(ueau_keys *k)
{
    OPENSSL_cleanse(k, sizeof *k);
}

/* TS 29.503 §5.4.2.2: the serving network name must be the 5G form of TS 33.501
 * §6.1.1.4 ("5G:" + network identifier); the full PLMN check is the AUSF's. */
static int check_snn(const char *snn, g5_sbi_problem *pd)
{
    size_t n = strlen(snn);
    if (n == 0 || n >= UDM_SNN_MAX) {
        g5_sbi_problem_set(pd, 400, "MANDATORY_IE_INCORRECT",
                           "servingNetworkName: missing or too long");
        return G5_ERR_INVALID;
    }
    for (size_t i = 0; i < n; i++)
        if (snn[i] < 0x21 || snn[i] > 0x7e) {
            g5_sbi_problem_set(pd, 400, "MANDATORY_IE_INCORRECT",
                               "servingNetworkName: non-printable character at %zu", i);
            return G5_ERR_INVALID;
        }
    if (strncmp(snn, "5G:", 3) != 0) {
        g5_sbi_problem_set(pd, 403, "SERVING_NETWORK_NOT_AUTHORIZED",
                           "servingNetworkName must start with \"5G:\" (TS 33.501 6.1.1.4)");
        return G5_ERR_INVALID;
    }
    return 0;
}

/* SIDF: supiOrSuci -> SUPI (TS 29.503 §6.1.6.2.3 string forms). */
static int resolve_supi(udm *u, const char *id, char *supi, size_t cap, g5_sbi_problem *pd)
{
    if (!strncmp(id, "imsi-", 5)) {
        char why[160];
        if (g5_supi_validate(id, 0, why, sizeof why)) {
            g5_sbi_problem_set(pd, 400, "MANDATORY_IE_INCORRECT", "supi: %s", why);
            return G5_ERR_INVALID;
        }
        snprintf(supi, cap, "%s", id);
        return 0;
    }
    g5_suci suci;
    if (strncmp(id, "suci-", 5) != 0 || g5_suci_parse(id, &suci)) {
        g5_sbi_problem_set(pd, 400, "MANDATORY_IE_INCORRECT",
                           "supiOrSuci: not an imsi- SUPI or a valid suci-0- SUCI");
        return G5_ERR_INVALID;
    }
    const g5_suci_hn_key *key = NULL;
    if (suci.scheme == G5_SUCI_PROFILE_A || suci.scheme == G5_SUCI_PROFILE_B) {
        const udm_hn_key *hk = &u->hn[suci.scheme];
        if (!hk->key || hk->key_id != suci.hn_key_id) {
            g5_sbi_problem_set(pd, 403, "INVALID_HN_PUBLIC_KEY_IDENTIFIER",
                               "no home-network key %u for protection scheme %u", suci.hn_key_id,
                               suci.scheme);
            return G5_ERR_NOT_FOUND;
        }
        key = hk->key;
    } else if (suci.scheme != G5_SUCI_NULL) {
        g5_sbi_problem_set(pd, 501, "UNSUPPORTED_PROTECTION_SCHEME",
                           "protection scheme %u is not supported", suci.scheme);
        return G5_ERR_UNSUPPORTED;
    }
    g5_supi s;
    int rc = g5_suci_deconceal_with(&suci, key, &s);
    if (rc == G5_ERR_NOMEM) {
        g5_sbi_problem_set(pd, 500, "SYSTEM_FAILURE", "out of memory");
        return rc;
    }
    if (rc || g5_supi_format(&s, supi, cap)) {
        /* One cause for MAC, point and length failures: which check failed is not told. */
        g5_sbi_problem_set(pd, 403, "INVALID_SCHEME_OUTPUT", "SUCI scheme output rejected (%s)",
                           g5_strerror(rc ? rc : G5_ERR_INVALID));
        return rc ? rc : G5_ERR_INVALID;
    }
    return 0;
}

static void copy_udr_problem(g5_sbi_problem *pd, const udr_problem *up)
{
    pd->status = up->status;
    snprintf(pd->cause, sizeof pd->cause, "%s", up->cause);
    snprintf(pd->detail, sizeof pd->detail, "%s", up->detail);
}

static int load_keys(udm *u, const char *supi, ueau_keys *keys, g5_sbi_problem *pd)
{
    udr_auth_subscription as;
    udr_problem up = {0};
    int rc = udr_auth_subscription_get(u->udr, supi, &as, &up);
    if (rc) {
        copy_udr_problem(pd, &up);
        return rc;
    }
    memcpy(keys->k, as.enc_permanent_key, 16);
    if (as.has_opc)
        memcpy(keys->opc, as.enc_opc_key, 16);
    else
        rc = g5_milenage_opc(as.enc_permanent_key, as.enc_opc_key, keys->opc);
    memcpy(keys->amf, as.authentication_management_field, 2);
    keys->method = as.authentication_method;
    udr_auth_subscription_wipe(&as);
    if (rc)
        g5_sbi_problem_set(pd, 500, "SYSTEM_FAILURE", "OPc derivation failed");
    return rc;
}

static void sqn_bytes(uint64_t sqn, uint8_t out[6])
{
    for (int i = 5; i >= 0; i--, sqn >>= 8)
        out[i] = (uint8_t)sqn;
}

static uint64_t sqn_value(const uint8_t in[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | in[i];
    return v;
}

/* TS 33.102 §6.3.5: verify MAC-S and recover SQN_MS; the UDR moves SQN_HE in the same
 * group commit that issues the new vector's SQN (udr_sqn_patch.has_resync). */
static int resync_verify(const char *supi, const ueau_keys *keys, const udm_resync_info *ri,
                         uint64_t *sqn_ms, g5_sbi_problem *pd)
{
    uint8_t ms[6];
    int rc = g5_milenage_resync(keys->k, keys->opc, ri->rand, ri->auts, ms);
    if (rc) {
        g5_sbi_problem_set(pd, 403, "AUTHENTICATION_REJECTED",
                           "resynchronisation: AUTS does not verify (MAC-S)");
        G5_LOGW("%s: AUTS with a wrong MAC-S, SQN not changed", supi);
        return rc;
    }
    *sqn_ms = sqn_value(ms);
    return 0;
}

/* MILENAGE vector and the 5G / EAP-AKA' transform of it. */
static int build_vector(udm *u, const char *snn, const ueau_keys *keys, uint64_t sqn,
                        udm_auth_info_result *res)
{
    uint8_t sq[6];
    sqn_bytes(sqn, sq);
    if (u->cfg.rand_fn)
        u->cfg.rand_fn(u->cfg.rand_arg, res->rand);
    else if (RAND_bytes(res->rand, sizeof res->rand) != 1)
        return G5_ERR_CRYPTO;
    g5_milenage_av av;
    int rc = g5_milenage_generate(keys->k, keys->opc, res->rand, sq, keys->amf, &av);
    if (!rc) {
        memcpy(res->autn, av.autn, sizeof res->autn);
        res->auth_type = keys->method;
        if (keys->method == G5_AUTH_5G_AKA) {
            rc = g5_kdf_res_star(av.ck, av.ik, snn, av.rand, av.xres, sizeof av.xres,
                                 res->xres_star);
            if (!rc) /* AUTN[0..5] = SQN xor AK */
                rc = g5_kdf_kausf(av.ck, av.ik, snn, av.autn, res->kausf);
        } else {
            memcpy(res->xres, av.xres, sizeof av.xres);
            res->xres_len = sizeof av.xres;
            rc = g5_kdf_ck_ik_prime(av.ck, av.ik, snn, av.autn, res->ck_prime, res->ik_prime);
        }
    }
    OPENSSL_cleanse(&av, sizeof av);
    return rc;
}

/* Phase 1: everything before the SQN (SNN check, SIDF, keys, AUTS verification). On
 * success r->sqn is ready for the group commit. */
static int prepare(udm *u, udm_req *r)
{
    const udm_auth_info_req *in = &r->auth;
    udm_auth_info_result *res = &r->auth_res;
    int rc = check_snn(in->serving_network_name, &r->pd);
    if (!rc)
        rc = resolve_supi(u, in->supi_or_suci, res->supi, sizeof res->supi, &r->pd);
    if (!rc)
        rc = load_keys(u, res->supi, &r->keys, &r->pd);
    r->sqn = (udr_sqn_patch){.supi = res->supi};
    if (!rc && in->has_resync) {
        r->sqn.has_resync = true;
        rc = resync_verify(res->supi, &r->keys, &in->resync, &r->sqn.sqn_ms, &r->pd);
    }
    return rc;
}

/* Phase 3: the vector, once its SQN is durable. */
static int finish(udm *u, udm_req *r)
{
    if (r->sqn.rc) {
        copy_udr_problem(&r->pd, &r->sqn.pd);
        return r->sqn.rc;
    }
    if (r->sqn.has_resync)
        G5_LOGI("%s: SQN resynchronised", r->auth_res.supi);
    int rc = build_vector(u, r->auth.serving_network_name, &r->keys, r->sqn.resp.sqn, &r->auth_res);
    if (rc)
        g5_sbi_problem_set(&r->pd, 500, "SYSTEM_FAILURE", "vector generation failed");
    return rc;
}

static void conclude(udm_req *r, int rc)
{
    ueau_keys_wipe(&r->keys);
    if (rc && r->pd.status == 0)
        g5_sbi_problem_set(&r->pd, 500, "SYSTEM_FAILURE", "%s", g5_strerror(rc));
    if (rc) {
        G5_LOGI("generate-auth-data: %d %s", r->pd.status, r->pd.cause);
        OPENSSL_cleanse(&r->auth_res, sizeof r->auth_res);
    }
    r->rc = rc;
}

size_t udm_ueau_run_batch(udm *u, udm_req *head)
{
    size_t n = 0, np = 0;
    for (udm_req *r = head; r; r = r->work_next)
        n += r->op == UDM_OP_UEAU_GET;
    udr_sqn_patch *patches = n ? calloc(n, sizeof *patches) : NULL;
    for (udm_req *r = head; r; r = r->work_next) {
        if (r->op != UDM_OP_UEAU_GET)
            continue;
        memset(&r->auth_res, 0, sizeof r->auth_res);
        memset(&r->pd, 0, sizeof r->pd);
        r->rc = patches ? prepare(u, r) : G5_ERR_NOMEM;
        if (r->rc == 0)
            patches[np++] = r->sqn;
        else
            conclude(r, r->rc);
    }
    /* One transaction, one fsync for every vector of the batch (TS 33.102 C.2: each SQN
     * is durable before any vector carrying it leaves the UDM). */
    if (np)
        udr_auth_sqn_next_batch(u->udr, patches, np);
    size_t i = 0;
    for (udm_req *r = head; r && i < np; r = r->work_next) {
        if (r->op != UDM_OP_UEAU_GET || r->rc != 0)
            continue;
        r->sqn = patches[i++];
        conclude(r, finish(u, r));
    }
    free(patches);
    return np;
}
