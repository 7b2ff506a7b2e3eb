/* glass5g-sim UE: 5GMM procedures of the UE side (TS 24.501 §5.4-5.6) for the simulator's
 * UEs: message builders and the downlink state machine. See sim/ue_nas.h. */
#define G5_LOG_MODULE "sim.ue"
#include "sim/ue_nas.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/kdf.h"
#include "nas/nas_ie.h"
#include "sim/sim_up.h"
#include "sim/ue_eap.h"

/* UE security capability the simulated UE advertises (TS 24.501 9.11.3.54): 5G-EA0..3 and
 * 5G-IA1..3 (IA0 only for emergency services, which the simulator does not make). */
#define UE_EA 0xf0
#define UE_IA 0x70
#define NGKSI_NONE 7

int sim_ue_layer_init(sim_ue_layer *l, const sim_config *cfg, const sim_pop *pop)
{
    memset(l, 0, sizeof *l);
    l->cfg = cfg;
    l->pop = pop;
    for (unsigned i = 0; i < cfg->nue; i++) {
        int rc = sim_usim_keys_init(&l->keys[i], &cfg->ue[i]);
        if (rc)
            return rc;
    }
    return g5_serving_network_name(cfg->gnb.mcc, cfg->gnb.mnc, l->snn, sizeof l->snn);
}

void sim_ue_layer_free(sim_ue_layer *l)
{
    for (unsigned i = 0; i < SIM_MAX_GROUPS; i++)
        sim_usim_keys_wipe(&l->keys[i]);
}

static const sim_ue_template *tpl_of(const sim_ue_layer *l, const sim_ue *ue)
{
    return &l->cfg->ue[ue->group < l->cfg->nue ? ue->group : 0];
}

sim_ue_ctx *sim_ue_ctx_get(sim_ue_layer *l, sim_ue *ue)
{
    if (ue->proto)
        return ue->proto;
    sim_ue_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->n2.amf_ue_ngap_id = -1;
    c->ngksi = c->new_ngksi = NGKSI_NONE;
    sim_usim_init(&c->usim, tpl_of(l, ue)->sqn);
    ue->proto = c;
    l->n_ctx++;
    return c;
}

static int ops_ue_init(void *layer, sim_ue *ue, const sim_ue_template *tpl)
{
    (void)tpl;
    return sim_ue_ctx_get(layer, ue) ? 0 : G5_ERR_NOMEM;
}

static void ops_ue_free(void *layer, sim_ue *ue)
{
    (void)layer;
    if (ue->proto) {
        OPENSSL_cleanse(ue->proto, sizeof(sim_ue_ctx));
        free(ue->proto);
        ue->proto = NULL;
    }
}

/* IMSI digits of ue ("001010000000001"). */
static const char *supi_digits(const sim_ue_layer *l, const sim_ue *ue, char *buf, size_t cap)
{
    const char *s = sim_ue_supi_str(l->pop, ue, buf, cap);
    return strncmp(s, "imsi-", 5) == 0 ? s + 5 : s;
}

/* ---- identities ---- */

static int put_suci(sim_ue_layer *l, const sim_ue *ue, g5_wbuf *w)
{
    char b[32];
    const sim_ue_template *t = tpl_of(l, ue);
    g5_suci suci;
    int rc = sim_usim_conceal(t, supi_digits(l, ue, b, sizeof b), NULL, &suci);
    if (rc)
        return rc;
    nas_mobile_identity mi;
    memset(&mi, 0, sizeof mi);
    mi.type = NAS_MI_SUCI;
    mi.supi_format = NAS_SUPI_IMSI;
    memcpy(mi.plmn.mcc, suci.mcc, sizeof mi.plmn.mcc);
    memcpy(mi.plmn.mnc, suci.mnc, sizeof mi.plmn.mnc);
    memcpy(mi.routing_indicator, suci.routing_indicator, sizeof mi.routing_indicator);
    mi.protection_scheme = suci.scheme;
    mi.hn_key_id = suci.hn_key_id;
    if (suci.scheme == G5_SUCI_NULL) {
        rc = g5_msin_from_bcd(suci.output, suci.output_len, mi.msin, sizeof mi.msin);
        if (rc < 0)
            return rc;
    } else {
        mi.scheme_output = suci.output;
        mi.scheme_output_len = (uint16_t)suci.output_len;
    }
    return nas_mobile_identity_encode(&mi, w);
}

static int put_guti(const sim_ue_ctx *c, bool s_tmsi_only, g5_wbuf *w)
{
    nas_mobile_identity mi;
    memset(&mi, 0, sizeof mi);
    mi.type = s_tmsi_only ? NAS_MI_S_TMSI : NAS_MI_GUTI;
    if (!s_tmsi_only && nas_plmn_decode(c->guti_plmn, &mi.plmn) < 0)
        return G5_ERR_INVALID;
    mi.amf_region_id = c->amf_region_id;
    mi.amf_set_id = c->n2.amf_set_id;
    mi.amf_pointer = c->n2.amf_pointer;
    mi.tmsi = c->n2.tmsi;
    return nas_mobile_identity_encode(&mi, w);
}

/* Mobile identity for registration/deregistration: the 5G-GUTI if the UE has one, else
 * the SUCI (TS 24.501 5.5.1.2.2). */
static int put_identity(sim_ue_layer *l, const sim_ue *ue, const sim_ue_ctx *c, g5_wbuf *w)
{
    return c->has_guti ? put_guti(c, false, w) : put_suci(l, ue, w);
}

/* ---- protection ---- */

/* Writes plain as is (no security context) or protected with sht, and keeps a copy of
 * what is sent for the replay fault. */
static int emit(sim_ue_ctx *c, uint8_t sht, const uint8_t *plain, size_t len, g5_wbuf *out)
{
    size_t at = out->len;
    int rc;
    if (c->has_sec && sht != NAS_SHT_PLAIN)
        rc = nas_sec_protect(&c->sec, sht, NAS_DIR_UL, plain, len, out);
    else
        rc = g5_wbuf_bytes(out, plain, len);
    if (rc)
        return rc;
    size_t n = out->len - at;
    c->last_ul_len = (uint16_t)(n <= SIM_UE_LAST_UL ? n : 0);
    if (c->last_ul_len)
        memcpy(c->last_ul, out->p + at, n);
    return 0;
}

/* Encodes m plain into a temporary buffer and emits it with sht. */
static int encode_emit(sim_ue_ctx *c, const nas_msg *m, uint8_t sht, g5_wbuf *out)
{
    uint8_t b[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int rc = nas_encode(m, &w);
    /* An answer to an unprotected IDENTITY or AUTHENTICATION REQUEST goes unprotected: a
     * network asking in plain shares no 5G NAS security context with this UE (it would
     * protect the request, 4.4.4.1; e.g. it deleted the UE's context at a network-initiated
     * deregistration), could not read a protected answer, and takes these unprotected
     * (4.4.4.3). */
    if (c->rx_plain &&
        (m->type == NAS_IDENTITY_RESPONSE || m->type == NAS_AUTHENTICATION_RESPONSE ||
         m->type == NAS_AUTHENTICATION_FAILURE))
        sht = NAS_SHT_PLAIN;
    if (!rc)
        rc = emit(c, sht, b, w.len, out);
    return rc;
}

/* ---- REGISTRATION REQUEST (8.2.6) ---- */

static int fill_registration(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c, int reg_type, nas_arena *a,
                             nas_msg *m)
{
    const sim_ue_template *t = tpl_of(l, ue);
    nas_msg_init(m, NAS_REGISTRATION_REQUEST);
    struct nas_registration_request *r = &m->registration_request;
    nas_ie_set_half(&r->ie_5gs_registration_type, (uint8_t)(0x08 | reg_type)); /* FOR=1 */
    nas_ie_set_half(&r->ngksi, c->has_sec ? c->ngksi : NGKSI_NONE);
    size_t mark = a->w.len;
    int rc = put_identity(l, ue, c, &a->w);
    if (!rc)
        rc = nas_arena_ie(a, mark, &r->ie_5gs_mobile_identity);
    nas_ue_sec_cap cap = {.ea = UE_EA, .ia = UE_IA};
    mark = a->w.len;
    if (!rc)
        rc = nas_ue_sec_cap_encode(&cap, &a->w);
    if (!rc)
        rc = nas_arena_ie(a, mark, &r->ue_security_capability);
    if (!rc && t->nslices) {
        nas_nssai ns;
        memset(&ns, 0, sizeof ns);
        for (unsigned i = 0; i < t->nslices; i++) {
            ns.s[i].sst = t->slices[i].sst;
            ns.s[i].has_sd = t->slices[i].sd != 0xffffff;
            ns.s[i].sd = t->slices[i].sd;
        }
        ns.n = (uint8_t)t->nslices;
        mark = a->w.len;
        rc = nas_nssai_encode(&ns, &a->w);
        if (!rc)
            rc = nas_arena_ie(a, mark, &r->requested_nssai);
    }
    return rc;
}

int sim_ue_build_plain_registration(sim_ue_layer *l, sim_ue *ue, int reg_type, g5_wbuf *out)
{
    sim_ue_ctx *c = sim_ue_ctx_get(l, ue);
    if (!c)
        return G5_ERR_NOMEM;
    nas_arena *a = malloc(sizeof *a);
    nas_msg *m = malloc(sizeof *m);
    int rc = G5_ERR_NOMEM;
    if (a && m) {
        nas_arena_init(a);
        rc = fill_registration(l, ue, c, reg_type, a, m);
        if (!rc)
            rc = nas_encode(m, out);
    }
    free(a);
    free(m);
    return rc;
}

static int ops_registration(void *layer, sim_ue *ue, int reg_type, g5_wbuf *out)
{
    sim_ue_layer *l = layer;
    sim_ue_ctx *c = sim_ue_ctx_get(l, ue);
    if (!c)
        return G5_ERR_NOMEM;
    uint8_t b[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    int rc = sim_ue_build_plain_registration(l, ue, reg_type, &w);
    if (rc)
        return rc;
    c->reg_type = (uint8_t)reg_type;
    c->mm_state = SIM_5GMM_REGISTERED_INITIATED;
    c->n2.has_s_tmsi = c->has_guti;
    c->n2.rrc_cause = 3; /* mo-Signalling */
    /* An initial NAS message with a valid context is integrity protected, not ciphered
     * (TS 24.501 4.4.6); every IE the simulator sends here is a cleartext IE. */
    return emit(c, c->has_sec ? NAS_SHT_INTEGRITY : NAS_SHT_PLAIN, b, w.len, out);
}

/* ---- DEREGISTRATION REQUEST (8.2.12) and SERVICE REQUEST (8.2.16) ---- */

static int ops_deregistration(void *layer, sim_ue *ue, bool switch_off, g5_wbuf *out)
{
    sim_ue_layer *l = layer;
    sim_ue_ctx *c = sim_ue_ctx_get(l, ue);
    if (!c)
        return G5_ERR_NOMEM;
    nas_arena a;
    nas_arena_init(&a);
    nas_msg m;
    nas_msg_init(&m, NAS_DEREGISTRATION_REQUEST_UE_ORIG);
    /* 9.11.3.20: switch off (bit 4), re-registration not required, access type 3GPP (01) */
    nas_ie_set_half(&m.deregistration_request_ue_orig.de_registration_type,
                    (uint8_t)((switch_off ? 0x08 : 0) | 0x01));
    nas_ie_set_half(&m.deregistration_request_ue_orig.ngksi, c->has_sec ? c->ngksi : NGKSI_NONE);
    size_t mark = a.w.len;
    int rc = put_identity(l, ue, c, &a.w);
    if (!rc)
        rc = nas_arena_ie(&a, mark, &m.deregistration_request_ue_orig.ie_5gs_mobile_identity);
    if (rc)
        return rc;
    c->mm_state = SIM_5GMM_DEREGISTERED_INITIATED;
    c->n2.has_s_tmsi = c->has_guti;
    c->n2.rrc_cause = 3;
    uint8_t sht =
        ue->cm_state == SIM_CM_CONNECTED && ue->ran_ue_ngap_id && c->n2.amf_ue_ngap_id >= 0
            ? NAS_SHT_INTEGRITY_CIPHERED
            : NAS_SHT_INTEGRITY;
    return encode_emit(c, &m, sht, out);
}

static int ops_service_request(void *layer, sim_ue *ue, g5_wbuf *out)
{
    sim_ue_layer *l = layer;
    sim_ue_ctx *c = sim_ue_ctx_get(l, ue);
    if (!c)
        return G5_ERR_NOMEM;
    if (!c->has_sec || !c->has_guti)
        return G5_ERR_STATE; /* 5.6.1.1: needs a 5G-GUTI and a security context */
    nas_arena a;
    nas_arena_init(&a);
    nas_msg m;
    nas_msg_init(&m, NAS_SERVICE_REQUEST);
    nas_ie_set_half(&m.service_request.ngksi, c->ngksi);
    nas_ie_set_half(&m.service_request.service_type, c->sr_service_type); /* 9.11.3.50 */
    size_t mark = a.w.len;
    int rc = put_guti(c, true, &a.w);
    if (!rc)
        rc = nas_arena_ie(&a, mark, &m.service_request.ie_5g_s_tmsi);
    if (rc)
        return rc;
    uint8_t st[2] = {(uint8_t)c->sr_psi_status, (uint8_t)(c->sr_psi_status >> 8)};
    uint8_t ud[2] = {(uint8_t)c->sr_uds, (uint8_t)(c->sr_uds >> 8)};
    if (c->sr_psi_status) /* 9.11.3.44 */
        nas_ie_set(&m.service_request.pdu_session_status, st, 2);
    if (c->sr_uds) /* 9.11.3.57 */
        nas_ie_set(&m.service_request.uplink_data_status, ud, 2);
    c->mm_state = SIM_5GMM_SERVICE_REQUEST_INITIATED;
    c->n2.has_s_tmsi = true;
    /* RRC establishment cause (TS 38.331): mt-Access (2) answering paging, else
     * mo-Signalling (3) */
    c->n2.rrc_cause = c->sr_service_type == 2 ? 2 : 3;
    c->sr_service_type = 0;
    c->sr_psi_status = c->sr_uds = 0;
    return encode_emit(c, &m, NAS_SHT_INTEGRITY, out);
}

int sim_ue_protect(sim_ue_layer *l, sim_ue *ue, const uint8_t *plain, size_t len, g5_wbuf *out)
{
    sim_ue_ctx *c = sim_ue_ctx_get(l, ue);
    if (!c)
        return G5_ERR_NOMEM;
    return emit(c, c->has_sec ? NAS_SHT_INTEGRITY_CIPHERED : NAS_SHT_PLAIN, plain, len, out);
}

/* PDU SESSION ESTABLISHMENT REQUEST (8.3.1) in a protected UL NAS TRANSPORT (sim/sim_up.h
 * drives sessions; this hook builds one for callers of sim_ue_ops). */
static int ops_pdu_session(void *layer, sim_ue *ue, uint8_t psi, const char *dnn, g5_wbuf *out)
{
    sim_ue_layer *l = layer;
    const sim_ue_template *t = tpl_of(l, ue);
    sim_sess s = {.psi = psi, .pti = 1, .req_type = (uint8_t)(t->session_type % 3 + 1)};
    uint8_t sm[64], ul[256];
    g5_wbuf ws, wu;
    g5_wbuf_init(&ws, sm, sizeof sm);
    g5_wbuf_init(&wu, ul, sizeof ul);
    int rc = sim_sm_build_est_request(&s, &ws);
    if (!rc)
        rc = sim_sm_build_ul_transport(psi, 1, dnn ? dnn : t->dnn,
                                       t->nslices ? &t->slices[0] : NULL, sm, ws.len, &wu);
    return rc ? rc : sim_ue_protect(l, ue, ul, wu.len, out);
}

/* ---- downlink ---- */

static int reply_status(sim_ue_ctx *c, uint8_t cause, g5_wbuf *reply)
{
    nas_msg m;
    nas_msg_init(&m, NAS_STATUS_5GMM);
    nas_ie_set(&m.status_5gmm.ie_5gmm_cause, &cause, 1);
    return encode_emit(c, &m, c->has_sec ? NAS_SHT_INTEGRITY_CIPHERED : NAS_SHT_PLAIN, reply);
}

static int reply_auth_failure(sim_ue_ctx *c, uint8_t cause, const uint8_t *auts, g5_wbuf *reply)
{
    nas_msg m;
    nas_msg_init(&m, NAS_AUTHENTICATION_FAILURE);
    nas_ie_set(&m.authentication_failure.ie_5gmm_cause, &cause, 1);
    if (auts)
        nas_ie_set(&m.authentication_failure.authentication_failure_parameter, auts, 14);
    return encode_emit(c, &m, c->has_sec ? NAS_SHT_INTEGRITY_CIPHERED : NAS_SHT_PLAIN, reply);
}

/* 5.4.1.2.2: EAP-based authentication. The EAP-Response goes back in AUTHENTICATION
 * RESPONSE whatever it says (Challenge, Synchronization-Failure, Authentication-Reject,
 * Client-Error); KAMF is ready once the Challenge checked out (ue_eap.c). */
static int on_eap_auth_request(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c,
                               const struct nas_authentication_request *a, sim_nas_event *ev,
                               g5_wbuf *reply)
{
    char b[32];
    sim_ue_eap_in in = {
        .usim = &c->usim,
        .keys = &l->keys[ue->group < SIM_MAX_GROUPS ? ue->group : 0],
        .snn = l->snn,
        .supi = supi_digits(l, ue, b, sizeof b),
        .abba = a->abba.v,
        .abba_len = a->abba.len,
    };
    uint8_t eap[G5_EAP_UE_MAX];
    g5_wbuf w;
    g5_wbuf_init(&w, eap, sizeof eap);
    sim_ue_eap_out o;
    int rc = sim_ue_eap_answer(&in, a->eap_message.v, a->eap_message.len, &w, &o);
    if (rc)
        return rc;
    ev->cause = (uint8_t)o.status;
    if (o.has_kamf) {
        memcpy(c->kamf, o.kamf, 32);
        c->has_new_kamf = true;
        c->new_ngksi = a->ngksi.half & 0x07;
    }
    OPENSSL_cleanse(&o, sizeof o);
    nas_msg r;
    nas_msg_init(&r, NAS_AUTHENTICATION_RESPONSE);
    nas_ie_set(&r.authentication_response.eap_message, eap, w.len);
    return encode_emit(c, &r, c->has_sec ? NAS_SHT_INTEGRITY_CIPHERED : NAS_SHT_PLAIN, reply);
}

/* 5.4.1.3: AUTHENTICATION REQUEST -> RESPONSE with RES*, or FAILURE. */
static int on_auth_request(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c, const nas_msg *m,
                           sim_nas_event *ev, g5_wbuf *reply)
{
    const struct nas_authentication_request *a = &m->authentication_request;
    if (a->eap_message.present)
        return on_eap_auth_request(l, ue, c, a, ev, reply);
    if (!a->authentication_parameter_rand.present || a->authentication_parameter_rand.len != 16 ||
        !a->authentication_parameter_autn.present || a->authentication_parameter_autn.len != 16)
        return reply_status(c, NAS_CAUSE_INVALID_MANDATORY_INFO, reply);
    char b[32];
    sim_aka_result res;
    int rc = sim_usim_authenticate(&c->usim, &l->keys[ue->group < SIM_MAX_GROUPS ? ue->group : 0],
                                   a->authentication_parameter_rand.v,
                                   a->authentication_parameter_autn.v, l->snn,
                                   supi_digits(l, ue, b, sizeof b), a->abba.v, a->abba.len, &res);
    if (rc)
        return rc;
    ev->cause = (uint8_t)res.status;
    if (res.status != SIM_AKA_OK) {
        rc = reply_auth_failure(c, (uint8_t)res.status,
                                res.status == SIM_AKA_SYNCH_FAILURE ? res.auts : NULL, reply);
    } else {
        memcpy(c->kamf, res.kamf, 32);
        c->has_new_kamf = true;
        c->new_ngksi = a->ngksi.half & 0x07;
        nas_msg r;
        nas_msg_init(&r, NAS_AUTHENTICATION_RESPONSE);
        nas_ie_set(&r.authentication_response.authentication_response_parameter, res.res_star, 16);
        rc = encode_emit(c, &r, c->has_sec ? NAS_SHT_INTEGRITY_CIPHERED : NAS_SHT_PLAIN, reply);
    }
    OPENSSL_cleanse(&res, sizeof res);
    return rc;
}

static int reply_smc_reject(uint8_t cause, sim_ue_ctx *c, sim_nas_event *ev, g5_wbuf *reply)
{
    nas_msg m;
    nas_msg_init(&m, NAS_SECURITY_MODE_REJECT);
    nas_ie_set(&m.security_mode_reject.ie_5gmm_cause, &cause, 1);
    ev->cause = cause;
    return encode_emit(c, &m, NAS_SHT_PLAIN, reply);
}

/* SMC complete: the whole REGISTRATION REQUEST in the NAS message container (4.4.6) and
 * the IMEISV when requested (5.4.2.3). Sent with security header type 4. */
static int reply_smc_complete(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c, bool imeisv,
                              g5_wbuf *reply)
{
    uint8_t rr[1024];
    g5_wbuf w;
    g5_wbuf_init(&w, rr, sizeof rr);
    int rc =
        sim_ue_build_plain_registration(l, ue, c->reg_type ? c->reg_type : SIM_REG_INITIAL, &w);
    if (rc)
        return rc;
    nas_arena a;
    nas_arena_init(&a);
    nas_msg m;
    nas_msg_init(&m, NAS_SECURITY_MODE_COMPLETE);
    nas_ie_set(&m.security_mode_complete.nas_message_container, rr, w.len);
    const sim_ue_template *t = tpl_of(l, ue);
    if (imeisv && t->imeisv[0]) {
        nas_mobile_identity mi;
        memset(&mi, 0, sizeof mi);
        mi.type = NAS_MI_IMEISV;
        memcpy(mi.digits, t->imeisv, sizeof mi.digits);
        size_t mark = a.w.len;
        rc = nas_mobile_identity_encode(&mi, &a.w);
        if (!rc)
            rc = nas_arena_ie(&a, mark, &m.security_mode_complete.imeisv);
        if (rc)
            return rc;
    }
    return encode_emit(c, &m, NAS_SHT_INTEGRITY_CIPHERED_NEW_CTX, reply);
}

/* 5.4.2.3: SECURITY MODE COMMAND (security header type 3, never ciphered). */
static int on_smc(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c, const uint8_t *raw, size_t n,
                  const nas_msg *outer, sim_nas_event *ev, g5_wbuf *reply)
{
    nas_msg m;
    uint8_t cause = 0;
    if (nas_decode(outer->sec.inner, outer->sec.inner_len, &m, &cause) < 0 ||
        m.type != NAS_SECURITY_MODE_COMMAND)
        return reply_status(c, cause ? cause : NAS_CAUSE_SEMANTICALLY_INCORRECT, reply);
    ev->msg_type = NAS_SECURITY_MODE_COMMAND;
    const struct nas_security_mode_command *s = &m.security_mode_command;
    nas_sec_algs alg;
    nas_ue_sec_cap rep;
    if (!c->has_new_kamf || (s->ngksi.half & 7) != c->new_ngksi)
        return reply_smc_reject(24, c, ev, reply); /* #24 security mode rejected, unspecified */
    /* 5.4.2.3: an EAP message in the SMC ends EAP-based authentication; only EAP-Success
     * lets the new KAMF be used */
    if (s->eap_message.present && sim_ue_eap_result_code(s->eap_message.v, s->eap_message.len) != 3)
        return reply_smc_reject(24, c, ev, reply);
    if (nas_sec_algs_decode(&s->selected_nas_security_algorithms, &alg) < 0 || alg.nea > 3 ||
        alg.nia > 3 || alg.nia == 0)
        return reply_smc_reject(23, c, ev, reply); /* #23 UE security capabilities mismatch */
    if (nas_ue_sec_cap_decode(&s->replayed_ue_security_capabilities, &rep) < 0 || rep.ea != UE_EA ||
        rep.ia != UE_IA)
        return reply_smc_reject(23, c, ev, reply);
    nas_sec_ctx sec;
    memset(&sec, 0, sizeof sec);
    sec.nea = alg.nea;
    sec.nia = alg.nia;
    sec.bearer = NAS_ACCESS_3GPP;
    int rc = g5_kdf_knas_int(c->kamf, alg.nia, sec.knas_int);
    if (!rc)
        rc = g5_kdf_knas_enc(c->kamf, alg.nea, sec.knas_enc);
    uint8_t plain[1024];
    size_t plen = 0;
    if (!rc)
        rc = nas_sec_unprotect(&sec, NAS_DIR_DL, raw, n, plain, sizeof plain, &plen);
    if (rc == G5_ERR_CRYPTO) {
        OPENSSL_cleanse(&sec, sizeof sec);
        ev->cause = SIM_AKA_MAC_FAILURE;
        return reply_smc_reject(24, c, ev, reply);
    }
    if (rc)
        return rc;
    c->sec = sec;
    OPENSSL_cleanse(&sec, sizeof sec);
    c->has_sec = true;
    c->has_new_kamf = false;
    c->ngksi = c->new_ngksi;
    return reply_smc_complete(l, ue, c, s->imeisv_request.present && (s->imeisv_request.half & 1),
                              reply);
}

/* 5.5.1.2.4: REGISTRATION ACCEPT -> store 5G-GUTI, TAI list, allowed NSSAI, T3512;
 * answer REGISTRATION COMPLETE (a 5G-GUTI was assigned). */
static int on_registration_accept(sim_ue_ctx *c, const nas_msg *m, g5_wbuf *reply)
{
    const struct nas_registration_accept *a = &m->registration_accept;
    nas_mobile_identity mi;
    if (a->ie_5g_guti.present && nas_mobile_identity_decode(&a->ie_5g_guti, &mi) == 0 &&
        mi.type == NAS_MI_GUTI) {
        c->has_guti = true;
        nas_plmn_encode(&mi.plmn, c->guti_plmn);
        c->amf_region_id = mi.amf_region_id;
        c->n2.amf_set_id = mi.amf_set_id;
        c->n2.amf_pointer = mi.amf_pointer;
        c->n2.tmsi = mi.tmsi;
    }
    nas_tai_list tl;
    if (a->tai_list.present && nas_tai_list_decode(&a->tai_list, &tl) == 0)
        c->ntai = tl.n;
    nas_nssai ns;
    if (a->allowed_nssai.present && nas_nssai_decode(&a->allowed_nssai, &ns) == 0)
        c->nallowed = ns.n;
    nas_gprs_timer t;
    if (a->t3512_value.present && nas_gprs_timer_decode(&a->t3512_value, &t) == 0) {
        long s = nas_gprs_timer_seconds(&t, true);
        c->t3512_s = s < 0 ? 0 : (uint32_t)s;
    }
    c->mm_state = SIM_5GMM_REGISTERED;
    nas_msg r;
    nas_msg_init(&r, NAS_REGISTRATION_COMPLETE);
    return encode_emit(c, &r, NAS_SHT_INTEGRITY_CIPHERED, reply);
}

/* TS 24.501 4.4.4.2: plain messages a UE accepts once it has a security context. */
static bool plain_allowed(uint8_t type)
{
    switch (type) {
    case NAS_IDENTITY_REQUEST:
    case NAS_AUTHENTICATION_REQUEST:
    case NAS_AUTHENTICATION_RESULT:
    case NAS_AUTHENTICATION_REJECT:
    case NAS_REGISTRATION_REJECT:
    case NAS_DEREGISTRATION_ACCEPT_UE_ORIG:
    case NAS_SERVICE_REJECT: return true;
    default: return false;
    }
}

static int on_identity_request(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c, g5_wbuf *reply)
{
    nas_arena a;
    nas_arena_init(&a);
    nas_msg m;
    nas_msg_init(&m, NAS_IDENTITY_RESPONSE);
    size_t mark = a.w.len;
    int rc = put_suci(l, ue, &a.w); /* 5.4.3.3: SUCI is the identity asked of a UE */
    if (!rc)
        rc = nas_arena_ie(&a, mark, &m.identity_response.mobile_identity);
    if (!rc)
        rc = encode_emit(
            c, &m, c->has_sec && !c->rx_plain ? NAS_SHT_INTEGRITY_CIPHERED : NAS_SHT_PLAIN, reply);
    return rc;
}

static uint8_t cause_of(const nas_ie *ie)
{
    return ie->present && ie->len == 1 ? ie->v[0] : 0;
}

/* 5.4.5.3: DL NAS TRANSPORT -> the 5GSM layer (sim/sim_up.h); its answer is protected here.
 * ev->msg_type becomes the 5GSM message type (or stays DL NAS TRANSPORT for a 5GMM cause). */
static int on_dl_transport(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c, const nas_msg *m,
                           sim_nas_event *ev, g5_wbuf *reply)
{
    if (!l->up)
        return reply_status(c, NAS_CAUSE_MSG_TYPE_NON_EXISTENT, reply);
    uint8_t b[512];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    sim_sm_event *sm = &l->up->last_sm;
    int rc = sim_sm_on_dl_transport(l->up, ue, m, sm, &w);
    if (rc)
        return rc;
    ev->msg_type = sm->sm_type ? sm->sm_type : NAS_DL_NAS_TRANSPORT;
    ev->cause = sm->cause;
    return w.len ? emit(c, NAS_SHT_INTEGRITY_CIPHERED, b, w.len, reply) : 0;
}

static int dispatch(sim_ue_layer *l, sim_ue *ue, sim_ue_ctx *c, const nas_msg *m, sim_nas_event *ev,
                    g5_wbuf *reply)
{
    ev->msg_type = m->type;
    switch (m->type) {
    case NAS_AUTHENTICATION_REQUEST: return on_auth_request(l, ue, c, m, ev, reply);
    case NAS_IDENTITY_REQUEST: return on_identity_request(l, ue, c, reply);
    case NAS_REGISTRATION_ACCEPT: return on_registration_accept(c, m, reply);
    case NAS_REGISTRATION_REJECT:
        ev->cause = c->last_cause = cause_of(&m->registration_reject.ie_5gmm_cause);
        c->mm_state = SIM_5GMM_DEREGISTERED;
        return 0;
    case NAS_AUTHENTICATION_RESULT:
        /* 5.4.1.2.2.5: EAP-Success ends EAP-AKA' (KAMF kept for the SMC); EAP-Failure
         * voids the keys of the exchange */
        if (sim_ue_eap_result_code(m->authentication_result.eap_message.v,
                                   m->authentication_result.eap_message.len) != 3)
            c->has_new_kamf = false;
        return 0;
    case NAS_AUTHENTICATION_REJECT:
        c->has_sec = c->has_new_kamf = false; /* 5.4.1.3.5: delete the security context */
        c->mm_state = SIM_5GMM_DEREGISTERED;
        return 0;
    case NAS_DEREGISTRATION_ACCEPT_UE_ORIG: c->mm_state = SIM_5GMM_DEREGISTERED; return 0;
    case NAS_DEREGISTRATION_REQUEST_UE_TERM: {
        /* 5.5.2.3.2: answer DEREGISTRATION ACCEPT; the UE is deregistered */
        ev->cause = cause_of(&m->deregistration_request_ue_term.ie_5gmm_cause);
        /* 9.11.3.20 bit 3: re-registration required (5.5.2.3.2: register again) */
        ev->reregister = m->deregistration_request_ue_term.de_registration_type.half & 0x4;
        nas_msg r;
        nas_msg_init(&r, NAS_DEREGISTRATION_ACCEPT_UE_TERM);
        c->mm_state = SIM_5GMM_DEREGISTERED;
        return encode_emit(c, &r, NAS_SHT_INTEGRITY_CIPHERED, reply);
    }
    case NAS_SERVICE_ACCEPT: c->mm_state = SIM_5GMM_REGISTERED; return 0;
    case NAS_SERVICE_REJECT:
        ev->cause = c->last_cause = cause_of(&m->service_reject.ie_5gmm_cause);
        c->mm_state = SIM_5GMM_REGISTERED;
        return 0;
    case NAS_CONFIGURATION_UPDATE_COMMAND: {
        const nas_ie *ind = &m->configuration_update_command.configuration_update_indication;
        if (!(ind->present && (ind->half & 1)))
            return 0; /* 5.4.4.2: complete only when acknowledgement is requested */
        nas_msg r;
        nas_msg_init(&r, NAS_CONFIGURATION_UPDATE_COMPLETE);
        return encode_emit(c, &r, NAS_SHT_INTEGRITY_CIPHERED, reply);
    }
    case NAS_STATUS_5GMM: ev->cause = cause_of(&m->status_5gmm.ie_5gmm_cause); return 0;
    case NAS_DL_NAS_TRANSPORT: return on_dl_transport(l, ue, c, m, ev, reply);
    default: return reply_status(c, NAS_CAUSE_MSG_TYPE_NON_EXISTENT, reply);
    }
}

static int ops_downlink(void *layer, sim_ue *ue, const uint8_t *nas, size_t len, sim_nas_event *ev,
                        g5_wbuf *reply)
{
    sim_ue_layer *l = layer;
    memset(ev, 0, sizeof *ev);
    sim_ue_ctx *c = sim_ue_ctx_get(l, ue);
    if (!c)
        return G5_ERR_NOMEM;
    size_t at = reply->len;
    nas_msg *m = malloc(sizeof *m);
    if (!m)
        return G5_ERR_NOMEM;
    uint8_t cause = 0;
    int rc = nas_decode(nas, len, m, &cause);
    c->rx_plain = rc >= 0 && m->sht == NAS_SHT_PLAIN;
    if (rc < 0) {
        ev->cause = cause;
    } else if (m->epd != NAS_EPD_5GMM) {
        rc = G5_ERR_UNSUPPORTED; /* 5GSM comes with sessions */
    } else if (m->sht == NAS_SHT_INTEGRITY_NEW_CTX) {
        rc = on_smc(l, ue, c, nas, len, m, ev, reply);
    } else if (m->sht != NAS_SHT_PLAIN) {
        uint8_t plain[2048];
        size_t plen = 0;
        rc = c->has_sec
                 ? nas_sec_unprotect(&c->sec, NAS_DIR_DL, nas, len, plain, sizeof plain, &plen)
                 : G5_ERR_STATE;
        if (!rc)
            rc = nas_decode(plain, plen, m, &cause);
        if (!rc)
            rc = dispatch(l, ue, c, m, ev, reply);
    } else if (c->has_sec && !plain_allowed(m->type)) {
        ev->msg_type = m->type;
        rc = G5_ERR_STATE; /* 4.4.4.2: discarded */
    } else {
        rc = dispatch(l, ue, c, m, ev, reply);
    }
    free(m);
    ev->has_reply = rc == 0 && reply->len > at;
    return rc;
}

const sim_ue_ops sim_ue_nas_ops = {
    .ue_init = ops_ue_init,
    .ue_free = ops_ue_free,
    .build_registration_request = ops_registration,
    .build_deregistration_request = ops_deregistration,
    .build_service_request = ops_service_request,
    .build_pdu_session_establishment = ops_pdu_session,
    .on_downlink_nas = ops_downlink,
};
