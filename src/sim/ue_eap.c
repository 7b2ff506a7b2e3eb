/* glass5g-sim UE: the EAP-AKA' peer (TS 33.501 §6.1.3.1, RFC 5448 / RFC 9048 over RFC 4187
 * §9) for an AUTHENTICATION REQUEST that carries an EAP message (TS 24.501 §5.4.1.2).
 *
 * The packets go through the bounded EAP-AKA' codec the AUSF uses (nf/ausf/eap_aka.h) and
 * the keys through src/crypto (CK'/IK', MK split, KSEAF, KAMF); the USIM part is
 * sim_usim_authenticate_eap(). The peer's answers, each an EAP-Response in the EAP message
 * IE of AUTHENTICATION RESPONSE (TS 24.501 §5.4.1.2.2.3):
 *
 *   AKA'-Challenge, AUTN and AT_MAC good  -> AKA'-Challenge (AT_RES 64 bits, AT_MAC)
 *   AUTN MAC-A wrong, separation bit 0    -> AKA'-Authentication-Reject (RFC 4187 §9.5)
 *   SQN not fresh                         -> AKA'-Synchronization-Failure (AT_AUTS, §9.6)
 *   AT_MAC wrong, AT_KDF without KDF 1,   -> AKA'-Client-Error, code 0 "unable to process
 *   AT_KDF_INPUT not our network name,       packet" (RFC 4187 §6.3.1, RFC 5448 §3.1-3.2)
 *   or any packet the peer cannot use
 *
 * The SQN is recorded as used only once AT_MAC has been verified (RFC 4187 §9.3: a
 * Challenge with a bad MAC changes nothing). */
#define G5_LOG_MODULE "sim.eap"
#include <openssl/crypto.h>
#include <string.h>

#include "core/err.h"
#include "nf/ausf/eap_aka.h"
#include "sim/ue_eap.h"

/* EAP-Response of `subtype` with no attribute but those set by the caller in m. */
static int respond(const g5_eap_aka *req, g5_eap_aka *m, uint8_t subtype, const uint8_t *k_aut,
                   g5_wbuf *out)
{
    m->code = G5_EAP_RESPONSE;
    m->id = req ? req->id : 0; /* RFC 3748 §4.1: a Response echoes the Request's Identifier */
    m->subtype = subtype;
    return g5_eap_aka_encode(m, k_aut, out);
}

static int client_error(const g5_eap_aka *req, g5_wbuf *out)
{
    g5_eap_aka m;
    memset(&m, 0, sizeof m);
    m.has_client_error = true;
    m.client_error = 0; /* RFC 4187 §10.20: "unable to process packet" */
    return respond(req, &m, G5_EAP_AKA_CLIENT_ERROR, NULL, out);
}

/* RFC 5448 §3.2: the server lists the KDFs it offers; the first must be one we support. */
static bool kdf_ok(const g5_eap_aka *req)
{
    return req->n_kdf >= 1 && req->kdf[0] == 1;
}

static int challenge_answer(const g5_eap_aka *req, const uint8_t *pkt, size_t n,
                            const sim_ue_eap_in *in, g5_wbuf *out, sim_ue_eap_out *o)
{
    sim_eap_result r;
    int rc = sim_usim_authenticate_eap(in->usim, in->keys, req->rand, req->autn, req->kdf_input,
                                       in->snn, in->supi, in->abba, in->abba_len, &r);
    if (rc)
        return rc;
    o->status = r.status;
    g5_eap_aka m;
    memset(&m, 0, sizeof m);
    if (r.status == SIM_AKA_SYNCH_FAILURE) {
        m.has_auts = true;
        memcpy(m.auts, r.auts, sizeof m.auts);
        rc = respond(req, &m, G5_EAP_AKA_SYNCHRONIZATION_FAILURE, NULL, out);
    } else if (r.status != SIM_AKA_OK) {
        rc = respond(req, &m, G5_EAP_AKA_AUTHENTICATION_REJECT, NULL, out);
    } else if (g5_eap_aka_verify_mac(r.k_aut, pkt, n, req) != 0) {
        o->status = SIM_AKA_MAC_FAILURE; /* the network could not prove K_aut */
        o->eap_mac_failure = true;
        rc = client_error(req, out);
    } else {
        sim_usim_accept_sqn(in->usim, r.sqn);
        m.has_res = m.has_mac = true;
        m.res_bits = 64; /* MILENAGE f2: 64-bit RES (TS 35.206) */
        memcpy(m.res, r.res, 8);
        rc = respond(req, &m, G5_EAP_AKA_CHALLENGE, r.k_aut, out);
        if (!rc) {
            memcpy(o->kamf, r.kamf, 32);
            o->has_kamf = true;
        }
    }
    OPENSSL_cleanse(&r, sizeof r);
    return rc;
}

int sim_ue_eap_answer(const sim_ue_eap_in *in, const uint8_t *pkt, size_t n, g5_wbuf *out,
                      sim_ue_eap_out *o)
{
    memset(o, 0, sizeof *o);
    g5_eap_aka req;
    if (g5_eap_aka_decode(pkt, n, &req) != 0) {
        o->status = SIM_EAP_UNUSABLE;
        return client_error(NULL, out);
    }
    if (req.code != G5_EAP_REQUEST || req.subtype != G5_EAP_AKA_CHALLENGE || !req.has_rand ||
        !req.has_autn || !req.has_mac || !req.has_kdf_input || !kdf_ok(&req) ||
        strcmp(req.kdf_input, in->snn) != 0) {
        o->status = SIM_EAP_UNUSABLE;
        return client_error(&req, out);
    }
    return challenge_answer(&req, pkt, n, in, out, o);
}

int sim_ue_eap_result_code(const uint8_t *pkt, size_t n)
{
    /* RFC 3748 §4.2: Success/Failure are Code, Identifier, Length = 4 */
    if (n < 4 || (pkt[0] != G5_EAP_SUCCESS && pkt[0] != G5_EAP_FAILURE))
        return G5_ERR_INVALID;
    return pkt[0];
}
