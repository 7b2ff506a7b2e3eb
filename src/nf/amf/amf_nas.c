/* 5GMM handlers of the AMF (TS 24.501 §5, TS 23.502 §4.2.2): registration (initial,
 * mobility, periodic) with identification, 5G-AKA / EAP-AKA' authentication through the
 * AUSF, security mode control, Nudm_UECM registration and Nudm_SDM am-data, Registration
 * Accept with a new 5G-GUTI carried in Initial Context Setup; deregistration (UE and
 * network initiated); Service Request from CM-IDLE. Uplink NAS security checks (MAC,
 * replay, unprotected messages) are done once in amf_nas_rx before any handler runs. */
#define G5_LOG_MODULE "amf"
#include <openssl/crypto.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "crypto/kdf.h"
#include "nf/amf/amf_int.h"

G5_COUNTER(amf_reg_accept_c, "amf_registration_total", "Registration outcomes", "result=\"accept\"")
G5_COUNTER(amf_reg_reject_c, "amf_registration_total", "Registration outcomes", "result=\"reject\"")
G5_COUNTER(amf_auth_reject_c, "amf_authentication_reject_total", "Authentication Rejects sent",
           NULL)
G5_COUNTER(amf_nas_mac_fail_c, "amf_nas_mac_failure_total", "Uplink NAS messages with a bad MAC",
           NULL)
G5_COUNTER(amf_nas_replay_c, "amf_nas_replay_dropped_total", "Replayed uplink NAS messages dropped",
           NULL)
G5_COUNTER(amf_dereg_c, "amf_deregistration_total", "Deregistrations", NULL)
G5_COUNTER(amf_service_c, "amf_service_request_total", "Service Requests accepted", NULL)

/* TS 24.501 9.11.3.2 5GMM causes used here */
enum {
    CAUSE_ILLEGAL_UE = 3,
    CAUSE_5GS_NOT_ALLOWED = 7,
    CAUSE_UE_ID_NOT_DERIVED = 9,
    CAUSE_PLMN_NOT_ALLOWED = 11,
    CAUSE_MAC_FAILURE = 20,
    CAUSE_SYNCH_FAILURE = 21,
    CAUSE_CONGESTION = 22,
    CAUSE_SEC_CAP_MISMATCH = 23,
    CAUSE_NON_5G_AUTH = 26,
    CAUSE_NO_ALLOWED_SLICE = 62,
    CAUSE_NGKSI_IN_USE = 71,
    CAUSE_NOT_COMPATIBLE = 98,
    CAUSE_PROTOCOL_ERROR = 111,
};

static const char *ue_name(const amf_ue *ue)
{
    return ue->supi[0] ? ue->supi : ue->fi->id;
}

/* ---- downlink --------------------------------------------------------------------- */

/* Encodes m and, with a security context in use, protects it (sht 2, or 3 for the SMC). */
static int encode_dl(amf_ue *ue, const nas_msg *m, uint8_t sht, uint8_t *out, size_t *len)
{
    uint8_t plain[AMF_NAS_MAX];
    g5_wbuf w;
    g5_wbuf_init(&w, plain, sizeof plain);
    int rc = nas_encode(m, &w);
    if (rc)
        return rc;
    if (!sht) {
        memcpy(out, plain, g5_wbuf_len(&w));
        *len = g5_wbuf_len(&w);
        return 0;
    }
    g5_wbuf o;
    g5_wbuf_init(&o, out, AMF_NAS_MAX);
    rc = nas_sec_protect(&ue->sec, sht, NAS_DIR_DL, plain, g5_wbuf_len(&w), &o);
    *len = g5_wbuf_len(&o);
    return rc;
}

/* m protected with the context in use (or plain before security), for callers outside
 * this file (PDU session relay). */
int amf_nas_encode_dl(amf_ue *ue, const nas_msg *m, uint8_t *out, size_t *len)
{
    return encode_dl(ue, m, ue->sec_active ? NAS_SHT_INTEGRITY_CIPHERED : 0, out, len);
}

/* Sends m in a Downlink NAS Transport; retx: keep it for the procedure timer. */
void amf_nas_send(amf_ue *ue, const nas_msg *m, bool retx)
{
    uint8_t buf[AMF_NAS_MAX];
    size_t len = 0;
    if (encode_dl(ue, m, ue->sec_active ? NAS_SHT_INTEGRITY_CIPHERED : 0, buf, &len)) {
        G5_LOGE("ue %s: cannot encode NAS message 0x%02x", ue_name(ue), m->type);
        return;
    }
    if (retx) {
        memcpy(ue->last_dl, buf, len);
        ue->last_dl_len = len;
    }
    amf_ngap_dl_nas(ue, buf, len);
}

void amf_send_status(amf_ue *ue, uint8_t cause)
{
    nas_msg m;
    nas_msg_init(&m, NAS_STATUS_5GMM);
    nas_ie_set(&m.status_5gmm.ie_5gmm_cause, &cause, 1);
    ue->amf->st.gmm_status_sent++;
    G5_LOGN("ue %s: 5GMM STATUS #%u", ue_name(ue), cause);
    amf_nas_send(ue, &m, false);
}

/* Ends the UE's N2 connection; the context is dropped at Release Complete. */
static void release_and_forget(amf_ue *ue, int nas_cause)
{
    ue->free_after_release = true;
    amf_gmm_set(ue, GMM_DEREGISTERED, 0);
    if (ue->gnb)
        amf_ngap_release(ue, NGAP_Cause_PR_nas, nas_cause);
    else
        amf_ue_free(ue);
}

void amf_count_reject(amf *a, uint8_t cause)
{
    a->st.reg_reject++;
    a->st.reg_reject_by_cause[cause]++;
    g5_counter_inc(&amf_reg_reject_c);
}

void amf_reg_reject(amf_ue *ue, uint8_t cause)
{
    nas_msg m;
    nas_msg_init(&m, NAS_REGISTRATION_REJECT);
    nas_ie_set(&m.registration_reject.ie_5gmm_cause, &cause, 1);
    amf_count_reject(ue->amf, cause);
    G5_LOGN("ue %s: registration rejected, 5GMM cause #%u", ue_name(ue), cause);
    amf_cancel_sbi(ue);
    amf_nas_send(ue, &m, false);
    release_and_forget(ue, NGAP_CauseNas_unspecified);
}

static void auth_reject(amf_ue *ue, const uint8_t *eap, size_t eap_len)
{
    nas_msg m;
    nas_msg_init(&m, NAS_AUTHENTICATION_REJECT);
    if (eap_len)
        nas_ie_set(&m.authentication_reject.eap_message, eap, eap_len);
    ue->amf->st.auth_reject++;
    g5_counter_inc(&amf_auth_reject_c);
    G5_LOGN("ue %s: authentication rejected", ue_name(ue));
    ue->sec_valid = ue->sec_active = false;
    amf_nas_send(ue, &m, false);
    release_and_forget(ue, NGAP_CauseNas_authentication_failure);
}

/* ---- authentication (TS 24.501 §5.4.1.3, TS 33.501 §6.1.3) ------------------------- */

static void on_auth_ctx(void *arg, int rc, const ausf_ue_auth_ctx *ctx, const g5_sbi_problem *pd);

/* docs/ausf-udm.md: AUSF/UDM problem -> 5GMM cause. */
static uint8_t problem_cause(const g5_sbi_problem *pd)
{
    if (!pd)
        return CAUSE_PROTOCOL_ERROR;
    if (!strcmp(pd->cause, "USER_NOT_FOUND"))
        return CAUSE_5GS_NOT_ALLOWED;
    if (!strcmp(pd->cause, "INVALID_SCHEME_OUTPUT") || !strcmp(pd->cause, "MANDATORY_IE_INCORRECT"))
        return CAUSE_ILLEGAL_UE;
    if (!strcmp(pd->cause, "SERVING_NETWORK_NOT_AUTHORIZED"))
        return CAUSE_PLMN_NOT_ALLOWED;
    if (!strcmp(pd->cause, "NF_CONGESTION"))
        return CAUSE_CONGESTION;
    return CAUSE_PROTOCOL_ERROR;
}

static void start_auth(amf_ue *ue, const udm_resync_info *resync)
{
    ausf_auth_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.supi_or_suci, sizeof info.supi_or_suci, "%s", ue->supi[0] ? ue->supi : ue->suci);
    snprintf(info.serving_network_name, sizeof info.serving_network_name, "%s", ue->amf->snn);
    if (resync) {
        info.has_resync = true;
        info.resync = *resync;
    }
    amf_cancel_sbi(ue);
    amf_gmm_set(ue, GMM_AUTHENTICATING, 0);
    ue->sbi_id = ausf_authenticate(ue->amf->ausf, &info, on_auth_ctx, ue);
    ue->sbi_nf = ue->sbi_id ? SBI_AUSF : SBI_NONE;
    if (!ue->sbi_id)
        amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
}

static void send_auth_request(amf_ue *ue, const uint8_t *eap, size_t eap_len)
{
    static const uint8_t abba[2] = {0, 0};
    nas_msg m;
    nas_msg_init(&m, NAS_AUTHENTICATION_REQUEST);
    struct nas_authentication_request *r = &m.authentication_request;
    nas_ie_set_half(&r->ngksi, ue->ngksi);
    nas_ie_set(&r->abba, abba, sizeof abba);
    if (eap_len) {
        nas_ie_set(&r->eap_message, eap, eap_len);
    } else {
        nas_ie_set(&r->authentication_parameter_rand, ue->rand, 16);
        nas_ie_set(&r->authentication_parameter_autn, ue->autn, 16);
    }
    amf_nas_send(ue, &m, true);
    amf_gmm_set(ue, GMM_AUTHENTICATING, T3560);
}

static void on_auth_ctx(void *arg, int rc, const ausf_ue_auth_ctx *ctx, const g5_sbi_problem *pd)
{
    amf_ue *ue = arg;
    ue->sbi_nf = SBI_NONE;
    if (rc < 0) {
        G5_LOGN("ue %s: AUSF: %d %s", ue_name(ue), pd ? pd->status : 0, pd ? pd->cause : "?");
        if (pd && !strcmp(pd->cause, "AUTHENTICATION_REJECTED"))
            auth_reject(ue, NULL, 0);
        else
            amf_reg_reject(ue, problem_cause(pd));
        return;
    }
    ue->auth_type = ctx->auth_type;
    ue->auth_ctx_id = ctx->ctx_id;
    memcpy(ue->rand, ctx->rand, 16);
    memcpy(ue->autn, ctx->autn, 16);
    memcpy(ue->hxres_star, ctx->hxres_star, 16);
    /* a new native ngKSI, different from the one the UE holds (TS 24.501 §5.4.1.3.2) */
    ue->ngksi = (uint8_t)((ue->ngksi + 1) % 7);
    if (ue->ngksi == (ue->ue_ngksi & 7))
        ue->ngksi = (uint8_t)((ue->ngksi + 1) % 7);
    send_auth_request(ue, ctx->eap, ctx->auth_type == G5_AUTH_EAP_AKA_PRIME ? ctx->eap_len : 0);
}

static void start_smc(amf_ue *ue, const uint8_t kseaf[32]);

static void on_confirm(void *arg, int rc, const ausf_confirm_result *res, const g5_sbi_problem *pd)
{
    amf_ue *ue = arg;
    ue->sbi_nf = SBI_NONE;
    if (rc < 0) {
        G5_LOGN("ue %s: AUSF confirmation: %s", ue_name(ue), pd ? pd->cause : "?");
        auth_reject(ue, NULL, 0);
        return;
    }
    if (res->auth_result == AUSF_AUTHENTICATION_ONGOING) {
        send_auth_request(ue, res->eap, res->eap_len);
        return;
    }
    if (res->auth_result != AUSF_AUTHENTICATION_SUCCESS) {
        auth_reject(ue, res->eap, res->eap_len);
        return;
    }
    if (amf_ue_set_supi(ue, res->supi)) {
        amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
        return;
    }
    ue->eap_success_len = 0;
    if (res->eap_len && res->eap_len <= sizeof ue->eap_success) {
        memcpy(ue->eap_success, res->eap, res->eap_len);
        ue->eap_success_len = res->eap_len;
    }
    G5_LOGI("ue %s: authenticated (%s)", ue->supi,
            ue->auth_type == G5_AUTH_EAP_AKA_PRIME ? "EAP-AKA'" : "5G-AKA");
    start_smc(ue, res->kseaf);
}

static void on_auth_resp(amf_ue *ue, const nas_msg *m)
{
    const struct nas_authentication_response *r = &m->authentication_response;
    if (ue->sbi_nf != SBI_NONE || !ue->auth_ctx_id)
        return; /* a duplicate while the AUSF is busy: T3560 covers loss */
    g5_timer_stop(ue->fi->timer);
    if (ue->auth_type == G5_AUTH_EAP_AKA_PRIME) {
        if (!r->eap_message.present)
            return auth_reject(ue, NULL, 0);
        ue->sbi_id = ausf_eap_session(ue->amf->ausf, ue->auth_ctx_id, r->eap_message.v,
                                      r->eap_message.len, on_confirm, ue);
    } else {
        uint8_t hres[16];
        const nas_ie *p = &r->authentication_response_parameter;
        /* TS 33.501 §6.1.3.2 step 9: HRES* against HXRES* at the SEAF first */
        if (!p->present || p->len != 16 || g5_kdf_hres_star(ue->rand, p->v, hres) ||
            CRYPTO_memcmp(hres, ue->hxres_star, 16) != 0) {
            G5_LOGN("ue %s: HRES* does not match HXRES*", ue_name(ue));
            return auth_reject(ue, NULL, 0);
        }
        ue->sbi_id = ausf_5g_aka_confirm(ue->amf->ausf, ue->auth_ctx_id, p->v, on_confirm, ue);
    }
    if (ue->auth_type != G5_AUTH_EAP_AKA_PRIME) /* EAP: the AUSF context lives on (resync) */
        ue->auth_ctx_id = 0; /* single use */
    ue->sbi_nf = ue->sbi_id ? SBI_AUSF : SBI_NONE;
    if (!ue->sbi_id)
        auth_reject(ue, NULL, 0);
}

/* TS 24.501 §5.4.1.3.7 (network side) and TS 33.512 4.2.2.1.1 (resync). */
static void on_auth_fail(amf_ue *ue, const nas_msg *m)
{
    const struct nas_authentication_failure *f = &m->authentication_failure;
    uint8_t cause = f->ie_5gmm_cause.len ? f->ie_5gmm_cause.v[0] : 0;
    g5_timer_stop(ue->fi->timer);
    G5_LOGN("ue %s: Authentication Failure #%u", ue_name(ue), cause);
    if (cause == CAUSE_SYNCH_FAILURE && f->authentication_failure_parameter.len == 14) {
        udm_resync_info rs;
        memcpy(rs.rand, ue->rand, 16);
        memcpy(rs.auts, f->authentication_failure_parameter.v, 14);
        ue->amf->st.auth_sync_fail++;
        start_auth(ue, &rs);
        return;
    }
    if (cause == CAUSE_NGKSI_IN_USE) {
        start_auth(ue, NULL);
        return;
    }
    if (cause == CAUSE_MAC_FAILURE)
        ue->amf->st.auth_mac_fail++;
    auth_reject(ue, NULL, 0);
}

/* ---- security mode control (TS 24.501 §5.4.2, TS 33.501 §6.7.2) ---------------------- */

static void start_smc(amf_ue *ue, const uint8_t kseaf[32])
{
    static const uint8_t abba[2] = {0, 0};
    uint8_t nea, nia;
    if (amf_select_algs(ue->amf, &ue->caps, &nea, &nia))
        return amf_reg_reject(ue, CAUSE_SEC_CAP_MISMATCH);
    memset(&ue->sec, 0, sizeof ue->sec);
    ue->sec.nea = nea;
    ue->sec.nia = nia;
    ue->sec.bearer = NAS_ACCESS_3GPP;
    if (amf_derive_nas_keys(ue, kseaf))
        return amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
    ue->sec_valid = true;
    ue->sec_active = false;

    nas_msg m;
    nas_msg_init(&m, NAS_SECURITY_MODE_COMMAND);
    struct nas_security_mode_command *c = &m.security_mode_command;
    uint8_t algs = (uint8_t)(nea << 4 | nia);
    nas_ie_set(&c->selected_nas_security_algorithms, &algs, 1);
    nas_ie_set_half(&c->ngksi, ue->ngksi);
    nas_ie_set(&c->replayed_ue_security_capabilities, ue->caps_raw, ue->caps_len);
    if (ue->amf->cfg->amf.imeisv_request)
        nas_ie_set_half(&c->imeisv_request, 1);
    if (ue->eap_success_len) { /* EAP-Success in the SMC (TS 24.501 §5.4.1.2.2.8) */
        nas_ie_set(&c->eap_message, ue->eap_success, ue->eap_success_len);
        nas_ie_set(&c->abba, abba, sizeof abba);
    }
    uint8_t buf[AMF_NAS_MAX];
    size_t len = 0;
    if (encode_dl(ue, &m, NAS_SHT_INTEGRITY_NEW_CTX, buf, &len))
        return amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
    memcpy(ue->last_dl, buf, len);
    ue->last_dl_len = len;
    amf_ngap_dl_nas(ue, buf, len);
    amf_gmm_set(ue, GMM_SECURITY_MODE, T3560);
}

/* ---- registration (TS 24.501 §5.5.1) ----------------------------------------------- */

static bool snssai_eq(const g5_snssai *a, const nas_snssai *b)
{
    return a->sst == b->sst && (b->has_sd ? a->sd == b->sd : a->sd == 0xFFFFFF);
}

static bool in_list(const g5_snssai *l, int n, const nas_snssai *s)
{
    for (int i = 0; i < n; i++)
        if (snssai_eq(&l[i], s))
            return true;
    return false;
}

static nas_snssai to_nas(const g5_snssai *s)
{
    return (nas_snssai){.sst = s->sst, .has_sd = s->sd != 0xFFFFFF, .sd = s->sd};
}

/* Allowed NSSAI = requested ∩ subscribed ∩ configured; with nothing requested or nothing
 * of it allowed, the default subscribed S-NSSAIs that are configured (TS 23.501
 * §5.15.5.2.1). Requested slices not allowed go to the rejected NSSAI. */
static void compute_nssai(amf_ue *ue, const udr_am_data *am)
{
    const g5_config *c = ue->amf->cfg;
    ue->n_allowed = ue->n_rejected = 0;
    for (int i = 0; ue->has_requested && i < ue->requested.n; i++) {
        const nas_snssai *s = &ue->requested.s[i];
        if (in_list(am->default_single_nssais, am->n_default_single_nssais, s) &&
            in_list(c->amf.slices, c->amf.nslices, s) && ue->n_allowed < G5_MAX_SLICES)
            ue->allowed[ue->n_allowed++] =
                (g5_snssai){.sst = s->sst, .sd = s->has_sd ? s->sd : 0xFFFFFF};
        else if (ue->n_rejected < G5_MAX_SLICES)
            ue->rejected[ue->n_rejected++] = *s;
    }
    for (int i = 0; ue->n_allowed == 0 && i < am->n_default_single_nssais; i++) {
        nas_snssai s = to_nas(&am->default_single_nssais[i]);
        if (in_list(c->amf.slices, c->amf.nslices, &s))
            ue->allowed[ue->n_allowed++] = am->default_single_nssais[i];
    }
}

/* TS 24.008 10.5.7.4a GPRS timer 3: the finest unit whose 5-bit value holds t seconds. */
static uint8_t gprs_timer3(uint32_t t)
{
    static const struct {
        uint8_t unit;
        uint32_t s;
    } u[] = {{3, 2}, {4, 30}, {5, 60}, {0, 600}, {1, 3600}, {2, 36000}, {6, 1152000}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (t / u[i].s <= 31)
            return (uint8_t)(u[i].unit << 5 | (t / u[i].s ? t / u[i].s : 1));
    return (uint8_t)(6u << 5 | 31u);
}

static int put_rejected(nas_arena *ar, const amf_ue *ue, nas_ie *ie)
{
    size_t mark = g5_wbuf_len(&ar->w);
    for (int i = 0; i < ue->n_rejected; i++) { /* 9.11.3.46: length/cause octet, SST, [SD] */
        const nas_snssai *s = &ue->rejected[i];
        g5_wbuf_u8(&ar->w, (uint8_t)((s->has_sd ? 4 : 1) << 4 | 0)); /* #0 not available in PLMN */
        g5_wbuf_u8(&ar->w, s->sst);
        if (s->has_sd)
            g5_wbuf_u24(&ar->w, s->sd);
    }
    return nas_arena_ie(ar, mark, ie);
}

static int build_accept(amf_ue *ue, nas_msg *m, nas_arena *ar)
{
    const amf *a = ue->amf;
    struct nas_registration_accept *r = &m->registration_accept;
    static const uint8_t result = 0x01; /* 3GPP access */
    nas_msg_init(m, NAS_REGISTRATION_ACCEPT);
    nas_arena_init(ar);
    nas_ie_set(&r->ie_5gs_registration_result, &result, 1);

    nas_mobile_identity guti = {.type = NAS_MI_GUTI,
                                .amf_region_id = a->cfg->amf.region_id,
                                .amf_set_id = a->cfg->amf.set_id,
                                .amf_pointer = a->cfg->amf.pointer,
                                .tmsi = ue->tmsi};
    snprintf(guti.plmn.mcc, sizeof guti.plmn.mcc, "%s", a->cfg->plmn.mcc);
    snprintf(guti.plmn.mnc, sizeof guti.plmn.mnc, "%s", a->cfg->plmn.mnc);
    size_t mark = g5_wbuf_len(&ar->w);
    int rc = nas_mobile_identity_encode(&guti, &ar->w) | nas_arena_ie(ar, mark, &r->ie_5g_guti);

    nas_tai_list tl = {.n = 1};
    tl.p[0].type = NAS_TAI_LIST_TACS;
    for (int i = 0; i < a->cfg->amf.ntacs && i < 16; i++) {
        tl.p[0].tai[i].plmn = guti.plmn;
        tl.p[0].tai[i].tac = a->cfg->amf.tacs[i];
        tl.p[0].n++;
    }
    mark = g5_wbuf_len(&ar->w);
    rc |= nas_tai_list_encode(&tl, &ar->w) | nas_arena_ie(ar, mark, &r->tai_list);

    nas_nssai al = {.n = (uint8_t)ue->n_allowed};
    for (int i = 0; i < ue->n_allowed; i++)
        al.s[i] = to_nas(&ue->allowed[i]);
    mark = g5_wbuf_len(&ar->w);
    rc |= nas_nssai_encode(&al, &ar->w) | nas_arena_ie(ar, mark, &r->allowed_nssai);
    if (ue->n_rejected)
        rc |= put_rejected(ar, ue, &r->rejected_nssai);
    uint8_t *t3512 = ar->buf + sizeof ar->buf - 1; /* last arena byte, never written above */
    *t3512 = gprs_timer3(a->cfg->amf.t3512_s);
    nas_ie_set(&r->t3512_value, t3512, 1);
    if (ue->has_ue_psi_status) { /* §5.5.1.3.4: sessions the UE lost go; ours are reported */
        amf_sm_sync_status(ue, ue->ue_psi_status);
        uint16_t st = amf_sm_status(ue);
        uint8_t *ps = ar->buf + sizeof ar->buf - 3;
        ps[0] = (uint8_t)st;
        ps[1] = (uint8_t)(st >> 8);
        nas_ie_set(&r->pdu_session_status, ps, 2);
    }
    return rc ? G5_ERR_INVALID : 0;
}

static void send_accept(amf_ue *ue)
{
    nas_msg m;
    nas_arena ar;
    uint8_t buf[AMF_NAS_MAX];
    size_t len = 0;
    amf_ue_new_tmsi(ue);
    if (build_accept(ue, &m, &ar) || encode_dl(ue, &m, NAS_SHT_INTEGRITY_CIPHERED, buf, &len))
        return amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
    memcpy(ue->last_dl, buf, len);
    ue->last_dl_len = len;
    if (!ue->ics_sent)
        amf_ngap_ics_request(ue, buf, len);
    else
        amf_ngap_dl_nas(ue, buf, len);
    ue->amf->st.reg_accept++;
    g5_counter_inc(&amf_reg_accept_c);
    G5_LOGI("ue %s: registration accepted (5G-TMSI 0x%08x, %d allowed, %d rejected S-NSSAI)",
            ue->supi, ue->tmsi, ue->n_allowed, ue->n_rejected);
    amf_gmm_set(ue, GMM_REGISTERING, T3550);
}

static void on_am_data(void *arg, int rc, const udr_am_data *am, const g5_sbi_problem *pd)
{
    amf_ue *ue = arg;
    ue->sbi_nf = SBI_NONE;
    if (rc < 0)
        return amf_reg_reject(ue, problem_cause(pd));
    compute_nssai(ue, am);
    ue->ambr_ul = am->subscribed_ue_ambr_ul;
    ue->ambr_dl = am->subscribed_ue_ambr_dl;
    if (ue->n_allowed == 0)
        return amf_reg_reject(ue, CAUSE_NO_ALLOWED_SLICE);
    send_accept(ue);
}

static void on_uecm(void *arg, int rc, const g5_sbi_problem *pd)
{
    amf_ue *ue = arg;
    ue->sbi_nf = SBI_NONE;
    if (rc < 0)
        return amf_reg_reject(ue, problem_cause(pd));
    ue->sbi_id = udm_sdm_get_am_data(ue->amf->udm, ue->supi, on_am_data, ue);
    ue->sbi_nf = ue->sbi_id ? SBI_UDM : SBI_NONE;
    if (!ue->sbi_id)
        amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
}

/* Nudm_UECM_Registration then Nudm_SDM_Get am-data (TS 23.502 §4.2.2.2.2 steps 14). */
static void register_at_udm(amf_ue *ue)
{
    udm_amf_registration reg;
    memset(&reg, 0, sizeof reg);
    snprintf(reg.amf_instance_id, sizeof reg.amf_instance_id, "%s", ue->amf->cfg->amf.name);
    snprintf(reg.guami, sizeof reg.guami, "%s%s-%02x%03x%02x", ue->amf->cfg->plmn.mcc,
             ue->amf->cfg->plmn.mnc, ue->amf->cfg->amf.region_id, ue->amf->cfg->amf.set_id,
             ue->amf->cfg->amf.pointer);
    reg.initial_registration_ind = ue->reg_type == 1;
    amf_cancel_sbi(ue);
    ue->sbi_id = udm_uecm_amf_register(ue->amf->udm, ue->supi, &reg, on_uecm, ue);
    ue->sbi_nf = ue->sbi_id ? SBI_UDM : SBI_NONE;
    if (!ue->sbi_id)
        amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
}

static void take_nssai(amf_ue *ue, const nas_ie *ie)
{
    ue->has_requested = ie->present && nas_nssai_decode(ie, &ue->requested) == 0;
}

static void identity_request(amf_ue *ue)
{
    nas_msg m;
    nas_msg_init(&m, NAS_IDENTITY_REQUEST);
    nas_ie_set_half(&m.identity_request.identity_type, NAS_MI_SUCI);
    amf_nas_send(ue, &m, true);
    amf_gmm_set(ue, GMM_IDENTIFYING, T3570);
}

/* SUCI of a 5GS mobile identity in its string form (TS 29.503 §5.4.2.2 supiOrSuci). */
static int suci_string(const nas_mobile_identity *mi, char *out, size_t cap)
{
    g5_suci s;
    memset(&s, 0, sizeof s);
    if (mi->supi_format != NAS_SUPI_IMSI || mi->scheme_output_len > sizeof s.output)
        return G5_ERR_INVALID;
    snprintf(s.mcc, sizeof s.mcc, "%s", mi->plmn.mcc);
    snprintf(s.mnc, sizeof s.mnc, "%s", mi->plmn.mnc);
    snprintf(s.routing_indicator, sizeof s.routing_indicator, "%s", mi->routing_indicator);
    s.scheme = mi->protection_scheme;
    s.hn_key_id = mi->hn_key_id;
    if (mi->protection_scheme == NAS_SCHEME_NULL) { /* the decoder gives the MSIN digits */
        if (g5_msin_to_bcd(mi->msin, s.output, sizeof s.output, &s.output_len))
            return G5_ERR_INVALID;
    } else {
        memcpy(s.output, mi->scheme_output, mi->scheme_output_len);
        s.output_len = mi->scheme_output_len;
    }
    return g5_suci_format(&s, out, cap);
}

/* Identification by SUCI or 5G-GUTI, then authentication. */
static void identify(amf_ue *ue, const nas_mobile_identity *mi)
{
    if (mi->type == NAS_MI_SUCI) {
        if (suci_string(mi, ue->suci, sizeof ue->suci))
            return amf_reg_reject(ue, CAUSE_ILLEGAL_UE);
        ue->supi[0] = 0; /* the SUCI names the subscriber now */
        return start_auth(ue, NULL);
    }
    if (ue->supi[0]) /* a known 5G-GUTI: authenticate the SUPI behind it */
        return start_auth(ue, NULL);
    identity_request(ue);
}

static void on_reg_req(amf_ue *ue, const nas_msg *m)
{
    const struct nas_registration_request *r = &m->registration_request;
    nas_mobile_identity mi;
    ue->reg_type = r->ie_5gs_registration_type.half & 7;
    ue->ue_ngksi = r->ngksi.half;
    if (nas_mobile_identity_decode(&r->ie_5gs_mobile_identity, &mi))
        return amf_reg_reject(ue, CAUSE_PROTOCOL_ERROR);
    take_nssai(ue, &r->requested_nssai);
    ue->has_ue_psi_status = r->pdu_session_status.present && r->pdu_session_status.len >= 2;
    if (ue->has_ue_psi_status)
        ue->ue_psi_status =
            (uint16_t)(r->pdu_session_status.v[0] | r->pdu_session_status.v[1] << 8);
    if (r->ue_security_capability.present && r->ue_security_capability.len <= sizeof ue->caps_raw &&
        nas_ue_sec_cap_decode(&r->ue_security_capability, &ue->caps) == 0) {
        memcpy(ue->caps_raw, r->ue_security_capability.v, r->ue_security_capability.len);
        ue->caps_len = (uint8_t)r->ue_security_capability.len;
    } else if (!ue->rx_integrity_ok) {
        ue->caps_len = 0;
    }
    amf_cancel_sbi(ue);
    /* Mobility / periodic update over a verified security context: no new authentication
     * (TS 24.501 §5.5.1.3); KgNB from this message's COUNT. */
    if (ue->rx_integrity_ok && ue->sec_valid && ue->supi[0] && ue->reg_type != 1) {
        ue->kgnb_count = ue->rx_count;
        ue->sec_active = true;
        return register_at_udm(ue);
    }
    /* TS 33.512 4.2.2.6.1 / TS 24.501 §5.5.1.2.8: no usable UE security capability */
    if (ue->caps_len == 0 || !amf_caps_valid(&ue->caps))
        return amf_reg_reject(ue, CAUSE_SEC_CAP_MISMATCH);
    ue->sec_active = false;
    identify(ue, &mi);
}

static void on_id_resp(amf_ue *ue, const nas_msg *m)
{
    nas_mobile_identity mi;
    if (nas_mobile_identity_decode(&m->identity_response.mobile_identity, &mi) ||
        mi.type != NAS_MI_SUCI)
        return amf_reg_reject(ue, CAUSE_UE_ID_NOT_DERIVED);
    identify(ue, &mi);
}

static void on_smc_complete(amf_ue *ue, const nas_msg *m)
{
    const nas_ie *c = &m->security_mode_complete.nas_message_container;
    if (!ue->rx_integrity_ok)
        return; /* TS 24.501 §4.4.4.3: must be protected with the new context */
    ue->kgnb_count = ue->rx_count;
    ue->sec_active = true;
    if (c->present) { /* the complete Registration Request (TS 24.501 §4.4.6) */
        nas_msg inner;
        uint8_t cause;
        if (nas_decode(c->v, c->len, &inner, &cause) == 0 && inner.type == NAS_REGISTRATION_REQUEST)
            take_nssai(ue, &inner.registration_request.requested_nssai);
    }
    G5_LOGI("ue %s: security mode complete (NEA%d, NIA%d)", ue->supi, ue->sec.nea, ue->sec.nia);
    register_at_udm(ue);
}

static void on_smc_reject(amf_ue *ue, const nas_msg *m)
{
    uint8_t cause =
        m->security_mode_reject.ie_5gmm_cause.len ? m->security_mode_reject.ie_5gmm_cause.v[0] : 0;
    G5_LOGN("ue %s: Security Mode Reject #%u", ue_name(ue), cause);
    ue->sec_valid = ue->sec_active = false;
    amf_reg_reject(ue,
                   cause == CAUSE_SEC_CAP_MISMATCH ? CAUSE_SEC_CAP_MISMATCH : CAUSE_PROTOCOL_ERROR);
}

static void on_reg_complete(amf_ue *ue)
{
    ue->amf->st.reg_complete++;
    amf_gmm_set(ue, GMM_REGISTERED, 0);
    G5_LOGI("ue %s: registered", ue->supi);
}

/* ---- deregistration (TS 24.501 §5.5.2) --------------------------------------------- */

static void udm_forget(amf_ue *ue)
{
    if (ue->supi[0])
        udm_uecm_amf_deregister(ue->amf->udm, ue->supi, ue->amf->cfg->amf.name, NULL, NULL);
}

static void on_dereg_req(amf_ue *ue, const nas_msg *m)
{
    bool switch_off = m->deregistration_request_ue_orig.de_registration_type.half & 0x8;
    ue->amf->st.dereg_ue++;
    g5_counter_inc(&amf_dereg_c);
    G5_LOGI("ue %s: deregistration%s", ue_name(ue), switch_off ? " (switch off)" : "");
    amf_cancel_sbi(ue);
    udm_forget(ue);
    amf_sm_release_all(ue); /* TS 23.502 §4.2.2.3.2 step 2: the SM contexts go */
    if (!switch_off) {
        nas_msg a;
        nas_msg_init(&a, NAS_DEREGISTRATION_ACCEPT_UE_ORIG);
        amf_nas_send(ue, &a, false);
    }
    release_and_forget(ue, NGAP_CauseNas_deregister);
}

void amf_nw_deregister(amf_ue *ue, bool reregister)
{
    ue->amf->st.dereg_nw++;
    g5_counter_inc(&amf_dereg_c);
    udm_forget(ue);
    amf_sm_release_all(ue);
    if (!ue->gnb) { /* CM-IDLE: paging is not implemented, deregister locally */
        G5_LOGI("ue %s: deregistered by the network (idle)", ue_name(ue));
        amf_ue_free(ue);
        return;
    }
    nas_msg m;
    nas_msg_init(&m, NAS_DEREGISTRATION_REQUEST_UE_TERM);
    /* §9.11.3.20: access type 3GPP (01), bit 3 re-registration required */
    nas_ie_set_half(&m.deregistration_request_ue_term.de_registration_type, reregister ? 0x5 : 0x1);
    amf_nas_send(ue, &m, true);
    amf_gmm_set(ue, GMM_DEREG_INITIATED, T3522);
    G5_LOGI("ue %s: network-initiated deregistration%s", ue_name(ue),
            reregister ? " (re-registration required)" : "");
}

/* ---- service request (TS 24.501 §5.6.1) -------------------------------------------- */

static void service_reject(amf_ue *ue, uint8_t cause)
{
    nas_msg m;
    nas_msg_init(&m, NAS_SERVICE_REJECT);
    nas_ie_set(&m.service_reject.ie_5gmm_cause, &cause, 1);
    ue->amf->st.service_reject++;
    G5_LOGN("ue %s: service rejected #%u", ue_name(ue), cause);
    amf_nas_send(ue, &m, false);
    if (ue->fi->state == GMM_REGISTERED) {
        amf_ngap_release(ue, NGAP_Cause_PR_nas, NGAP_CauseNas_unspecified);
        return;
    }
    release_and_forget(ue, NGAP_CauseNas_unspecified);
}

static uint16_t psi_bits(const nas_ie *ie)
{
    return ie->present && ie->len >= 2 ? (uint16_t)(ie->v[0] | ie->v[1] << 8) & 0xfffe : 0;
}

/* TS 24.501 §5.6.1.4: Service Accept (with the PDU session status and the re-activation
 * result the Service Request asked for) in the Initial Context Setup that also carries
 * the re-activated sessions' N2 transfers (TS 23.502 §4.2.3.2 step 12). */
void amf_service_accept(amf_ue *ue)
{
    nas_msg m;
    uint8_t buf[AMF_NAS_MAX], st[2], rr[2];
    size_t len = 0;
    nas_msg_init(&m, NAS_SERVICE_ACCEPT);
    if (ue->sr_status_ie) {
        uint16_t v = amf_sm_status(ue);
        st[0] = (uint8_t)v;
        st[1] = (uint8_t)(v >> 8);
        nas_ie_set(&m.service_accept.pdu_session_status, st, 2);
    }
    if (ue->sr_uds_ie) {
        rr[0] = (uint8_t)ue->sr_failed;
        rr[1] = (uint8_t)(ue->sr_failed >> 8);
        nas_ie_set(&m.service_accept.pdu_session_reactivation_result, rr, 2);
    }
    if (encode_dl(ue, &m, NAS_SHT_INTEGRITY_CIPHERED, buf, &len))
        return;
    ue->amf->st.service_accept++;
    g5_counter_inc(&amf_service_c);
    G5_LOGI("ue %s: service accepted", ue->supi);
    if (!ue->ics_sent) {
        amf_ngap_ics_request(ue, buf, len);
        return;
    }
    amf_ngap_dl_nas(ue, buf, len); /* already connected: one Setup Request per session */
    amf_sm_send_pending_setups(ue);
}

static void on_service_req(amf_ue *ue, const nas_msg *m)
{
    const struct nas_service_request *r = &m->service_request;
    if (ue->fi->state != GMM_REGISTERED || !ue->rx_integrity_ok || !ue->sec_valid)
        return service_reject(ue, ue->fi->state != GMM_REGISTERED ? 10 /* implicitly dereg */
                                                                  : CAUSE_UE_ID_NOT_DERIVED);
    ue->kgnb_count = ue->rx_count;
    ue->sec_active = true;
    ue->sr_status_ie = r->pdu_session_status.present;
    ue->sr_uds_ie = r->uplink_data_status.present;
    ue->sr_failed = 0;
    if (ue->sr_status_ie) /* sessions the UE no longer has are released locally */
        amf_sm_sync_status(ue, psi_bits(&r->pdu_session_status));
    /* T3513 stops; the sessions the UE was paged for are re-activated too (TS 23.502
     * §4.2.3.2 step 4, amf_paging.c) */
    uint16_t paged = amf_paging_answered(ue);
    if (amf_sm_reactivate(ue, psi_bits(&r->uplink_data_status) | paged))
        return; /* the accept goes when the SMF has answered for every session */
    amf_service_accept(ue);
}

/* ---- dispatch ---------------------------------------------------------------------- */

void amf_gmm_handle(amf_ue *ue, uint32_t event, const nas_msg *m)
{
    switch (event) {
    case EV_REG_REQ: return on_reg_req(ue, m);
    case EV_AUTH_RESP: return on_auth_resp(ue, m);
    case EV_AUTH_FAIL: return on_auth_fail(ue, m);
    case EV_ID_RESP: return on_id_resp(ue, m);
    case EV_SMC_COMPLETE: return on_smc_complete(ue, m);
    case EV_SMC_REJECT: return on_smc_reject(ue, m);
    case EV_REG_COMPLETE: return on_reg_complete(ue);
    case EV_DEREG_REQ: return on_dereg_req(ue, m);
    case EV_DEREG_ACCEPT:
        ue->amf->st.dereg_nw++;
        return release_and_forget(ue, NGAP_CauseNas_deregister);
    case EV_SERVICE_REQ: return on_service_req(ue, m);
    case EV_STATUS:
        G5_LOGN("ue %s: 5GMM STATUS #%u received", ue_name(ue),
                m->status_5gmm.ie_5gmm_cause.len ? m->status_5gmm.ie_5gmm_cause.v[0] : 0);
        return;
    case EV_UL_NAS_TRANSPORT: return amf_sm_ul_nas_transport(ue, m);
    default: return;
    }
}

void amf_proc_abort(amf_ue *ue, int timer_id)
{
    ue->amf->st.timer_abort++;
    G5_LOGN("ue %s: T%d expired %d times, procedure aborted", ue_name(ue), timer_id,
            AMF_MAX_RETX + 1);
    if (timer_id == T3550) { /* TS 24.501 §5.5.1.2.8: the new 5G-GUTI stays valid */
        amf_gmm_set(ue, GMM_REGISTERED, 0);
        return;
    }
    if (timer_id == T3522)
        udm_forget(ue);
    amf_cancel_sbi(ue);
    release_and_forget(ue, NGAP_CauseNas_unspecified);
}
