/* The AUSF as EAP-AKA' server (TS 33.501 §6.1.3.1, RFC 5448 / RFC 9048, RFC 4187 §9):
 *
 *   UDM AV {RAND, AUTN, XRES, CK', IK'}  ->  MK = PRF'(IK'||CK', "EAP-AKA'" || Identity),
 *   Identity = the IMSI digits of the SUPI (TS 33.501 Annex F.3, since AT_KDF_INPUT
 *   starts with "5G:"), K_aut for AT_MAC, KAUSF = EMSK[0..255], KSEAF = A.6(KAUSF, SNN).
 *
 *   -> EAP-Request/AKA'-Challenge (AT_RAND, AT_AUTN, AT_KDF = 1, AT_KDF_INPUT = SNN, AT_MAC)
 *   <- AKA'-Challenge (AT_RES, AT_MAC): MAC then RES checked in constant time
 *        -> EAP-Success + KSEAF, or EAP-Failure
 *   <- AKA'-Synchronization-Failure (AT_AUTS): UDM resync with the RAND sent, new Challenge
 *        (once per context)
 *   <- AKA'-Authentication-Reject / AKA'-Client-Error / anything malformed: EAP-Failure.
 * An AT_KDF in the Challenge response means the peer asks for another KDF; only KDF 1
 * exists, so that is a failure too (RFC 5448 §3.2). */
#define G5_LOG_MODULE "ausf"
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/err.h"
#include "core/log.h"
#include "crypto/kdf.h"
#include "nf/ausf/ausf_internal.h"

/* Keys and the Challenge for a (new) vector; the ctx keeps K_aut, XRES, RAND, KSEAF. */
static int eap_challenge(ausf_ctx *c, const udm_auth_info_result *v, const uint8_t autn[16],
                         uint8_t *eap, size_t cap, size_t *len)
{
    const char *identity = c->supi + 5; /* "imsi-" + digits */
    g5_eap_aka_prime_keys keys;
    uint8_t kausf[32];
    int rc = g5_eap_aka_prime_keys_derive(v->ik_prime, v->ck_prime, (const uint8_t *)identity,
                                          strlen(identity), &keys);
    if (!rc) {
        g5_kdf_kausf_eap(&keys, kausf);
        rc = g5_kdf_kseaf(kausf, c->snn, c->kseaf);
    }
    if (!rc && (v->xres_len < 4 || v->xres_len > sizeof c->xres))
        rc = G5_ERR_INVALID;
    if (!rc) {
        memcpy(c->k_aut, keys.k_aut, sizeof c->k_aut);
        memcpy(c->rand, v->rand, 16);
        memcpy(c->xres, v->xres, v->xres_len);
        c->xres_len = v->xres_len;
        c->eap_id++;
        g5_eap_aka m;
        memset(&m, 0, sizeof m);
        m.code = G5_EAP_REQUEST;
        m.id = c->eap_id;
        m.subtype = G5_EAP_AKA_CHALLENGE;
        m.has_rand = m.has_autn = m.has_kdf_input = m.has_mac = true;
        memcpy(m.rand, v->rand, 16);
        memcpy(m.autn, autn, 16);
        m.kdf[0] = 1; /* RFC 5448 §3.2: KDF 1 = the CK'/IK' derivation of §3.3 */
        m.n_kdf = 1;
        snprintf(m.kdf_input, sizeof m.kdf_input, "%s", c->snn);
        g5_wbuf w;
        g5_wbuf_init(&w, eap, cap);
        rc = g5_eap_aka_encode(&m, c->k_aut, &w);
        *len = g5_wbuf_len(&w);
    }
    OPENSSL_cleanse(&keys, sizeof keys);
    OPENSSL_cleanse(kausf, sizeof kausf);
    return rc;
}

int ausf_eap_start(ausf *a, const udm_auth_info_result *v, const char *snn, ausf_ue_auth_ctx *out)
{
    ausf_ctx *c = ausf_ctx_new(a, G5_AUTH_EAP_AKA_PRIME, v->supi, snn);
    if (!c)
        return G5_ERR_NOMEM;
    RAND_bytes(&c->eap_id, 1);
    int rc = eap_challenge(c, v, v->autn, out->eap, sizeof out->eap, &out->eap_len);
    if (rc) {
        ausf_ctx_destroy(c);
        return rc;
    }
    out->ctx_id = c->id;
    return 0;
}

static void put_eap_result(uint8_t code, uint8_t id, ausf_confirm_result *res)
{
    /* RFC 3748 §4.2: Success/Failure carry the Identifier of the Response they answer. */
    res->eap[0] = code;
    res->eap[1] = id;
    res->eap[2] = 0;
    res->eap[3] = 4;
    res->eap_len = 4;
}

/* Ends the exchange: EAP-Success with SUPI and KSEAF, or EAP-Failure; the context is
 * consumed and the UDM told the outcome. */
static void finish(ausf_req *r, ausf_ctx *c, bool ok, uint8_t eap_id)
{
    ausf_confirm_result res;
    memset(&res, 0, sizeof res);
    res.auth_result = ok ? AUSF_AUTHENTICATION_SUCCESS : AUSF_AUTHENTICATION_FAILURE;
    put_eap_result(ok ? G5_EAP_SUCCESS : G5_EAP_FAILURE, eap_id, &res);
    if (ok) {
        snprintf(res.supi, sizeof res.supi, "%s", c->supi);
        memcpy(res.kseaf, c->kseaf, 32);
    }
    G5_LOGI("EAP-AKA' for %s: %s", c->supi, ausf_auth_result_name(res.auth_result));
    ausf_report_auth_event(r->a, c, ok);
    ausf_ctx_destroy(c);
    ausf_req_detach(r);
    r->cb.confirm(r->arg, 0, &res, NULL);
    OPENSSL_cleanse(&res, sizeof res);
    ausf_req_done(r);
}

static void fail_problem(ausf_req *r, int rc, const g5_sbi_problem *pd)
{
    ausf_req_detach(r);
    r->cb.confirm(r->arg, rc, NULL, pd);
    ausf_req_done(r);
}

/* RFC 4187 §9.4 checks of the Challenge response: AT_MAC under K_aut, then AT_RES. */
static bool challenge_ok(const ausf_ctx *c, const ausf_req *r, const g5_eap_aka *m)
{
    if (!m->has_res || m->n_kdf > 0)
        return false;
    if (g5_eap_aka_verify_mac(c->k_aut, r->eap, r->eap_len, m))
        return false;
    size_t n = m->res_bits / 8u;
    return n == c->xres_len && CRYPTO_memcmp(m->res, c->xres, n) == 0;
}

static void on_resync_vector(void *arg, int rc, const udm_auth_info_result *v,
                             const g5_sbi_problem *pd)
{
    ausf_req *r = arg;
    ausf_ctx *c = g5_hmap_get(&r->a->ctxs, r->ctx_id);
    if (!c) { /* expired while the UDM worked */
        g5_sbi_problem mine;
        g5_sbi_problem_set(&mine, 404, "CONTEXT_NOT_FOUND", "auth context expired");
        fail_problem(r, G5_ERR_NOT_FOUND, &mine);
        return;
    }
    c->busy = false;
    if (rc) {
        if (!strcmp(pd->cause, "AUTHENTICATION_REJECTED")) { /* AUTS with a wrong MAC-S */
            finish(r, c, false, c->eap_id);
            return;
        }
        ausf_ctx_destroy(c);
        fail_problem(r, rc, pd);
        return;
    }
    c->resynced = true;
    ausf_confirm_result res;
    memset(&res, 0, sizeof res);
    res.auth_result = AUSF_AUTHENTICATION_ONGOING;
    rc = eap_challenge(c, v, v->autn, res.eap, sizeof res.eap, &res.eap_len);
    if (rc) {
        finish(r, c, false, c->eap_id);
        return;
    }
    ausf_req_detach(r);
    r->cb.confirm(r->arg, 0, &res, NULL);
    ausf_req_done(r);
}

/* AKA'-Synchronization-Failure: ask the UDM for a resynchronised vector. */
static void start_resync(ausf_req *r, ausf_ctx *c, const g5_eap_aka *m)
{
    udm_auth_info_req ureq;
    memset(&ureq, 0, sizeof ureq);
    snprintf(ureq.supi_or_suci, sizeof ureq.supi_or_suci, "%s", c->supi);
    snprintf(ureq.serving_network_name, sizeof ureq.serving_network_name, "%s", c->snn);
    snprintf(ureq.ausf_instance_id, sizeof ureq.ausf_instance_id, "%s", r->a->cfg.nf_instance_id);
    ureq.has_resync = true;
    memcpy(ureq.resync.rand, c->rand, 16);
    memcpy(ureq.resync.auts, m->auts, 14);
    r->state = AUSF_REQ_WAIT_UDM;
    r->udm_id = udm_ueau_get(r->a->udm, &ureq, on_resync_vector, r);
    if (!r->udm_id) {
        finish(r, c, false, m->id);
        return;
    }
    c->busy = true;
}

void ausf_eap_run(ausf_req *r)
{
    g5_sbi_problem pd;
    ausf_ctx *c = g5_hmap_get(&r->a->ctxs, r->ctx_id);
    if (!c) {
        g5_sbi_problem_set(&pd, 404, "CONTEXT_NOT_FOUND", "no auth context %llx (used or expired)",
                           (unsigned long long)r->ctx_id);
        fail_problem(r, G5_ERR_NOT_FOUND, &pd);
        return;
    }
    if (c->type != G5_AUTH_EAP_AKA_PRIME || c->busy) {
        g5_sbi_problem_set(&pd, 400, "MANDATORY_IE_INCORRECT",
                           c->busy ? "previous EAP message still in progress"
                                   : "auth context is not EAP-AKA'");
        fail_problem(r, G5_ERR_STATE, &pd);
        return;
    }
    g5_eap_aka m;
    int rc = g5_eap_aka_decode(r->eap, r->eap_len, &m);
    if (!rc && m.code == G5_EAP_RESPONSE && m.id != c->eap_id) {
        /* RFC 3748 §4.1: a Response not matching the outstanding Request is discarded. */
        g5_sbi_problem_set(&pd, 400, "MANDATORY_IE_INCORRECT", "EAP Identifier %u, expected %u",
                           m.id, c->eap_id);
        fail_problem(r, G5_ERR_INVALID, &pd);
        return;
    }
    if (rc || m.code != G5_EAP_RESPONSE) {
        G5_LOGI("EAP from %s not a valid EAP-AKA' Response (%s)", c->supi, g5_strerror(rc));
        finish(r, c, false, c->eap_id);
        return;
    }
    switch (m.subtype) {
    case G5_EAP_AKA_CHALLENGE: finish(r, c, challenge_ok(c, r, &m), m.id); return;
    case G5_EAP_AKA_SYNCHRONIZATION_FAILURE:
        if (m.has_auts && !c->resynced) {
            start_resync(r, c, &m);
            return;
        }
        break;
    default: break; /* Authentication-Reject, Client-Error, others */
    }
    finish(r, c, false, m.id);
}

uint64_t ausf_eap_session(ausf *a, uint64_t ctx_id, const uint8_t *eap, size_t eap_len,
                          ausf_confirm_cb cb, void *arg)
{
    if (!a || !cb || (!eap && eap_len) || eap_len > G5_EAP_MAX)
        return 0;
    ausf_req *r = ausf_req_new(a, AUSF_OP_EAP, arg);
    if (!r)
        return 0;
    r->cb.confirm = cb;
    r->ctx_id = ctx_id;
    if (eap_len)
        memcpy(r->eap, eap, eap_len);
    r->eap_len = eap_len;
    ausf_req_post(r);
    return r->id;
}
