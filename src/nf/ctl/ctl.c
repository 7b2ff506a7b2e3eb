/* The control commands of `glass5g run` (see ctl.h and docs/ctl.md). Each command is one
 * small function from a parsed request to a JSON answer; they read the NFs through their
 * introspection APIs (amf_*_info, smf_sess_info_get, smf/upf counters) and act through
 * the NFs' own entry points. Request fields are checked strictly: a wrong type or value
 * is an error naming the field, never a guess. */
#define G5_LOG_MODULE "ctl"
#include "nf/ctl/ctl.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "nas/nas_ie.h"
#include "nf/smf/smf_mod.h"

struct corectl {
    g5_ctl_server *srv;
    corectl_env *env;
};

/* ---- request fields ---- */

/* "imsi-<6..15 digits>" or the digits alone -> "imsi-<digits>"; else an error answer. */
static json_t *req_supi(json_t *req, char out[24])
{
    const char *s = json_string_value(json_object_get(req, "supi"));
    if (!s)
        return g5_ctl_error("give \"supi\": \"imsi-<6 to 15 digits>\"");
    const char *d = strncmp(s, "imsi-", 5) == 0 ? s + 5 : s;
    size_t n = strspn(d, "0123456789");
    if (n < 6 || n > 15 || d[n])
        return g5_ctl_error("supi '%.40s' is not imsi-<6 to 15 digits>", s);
    snprintf(out, 24, "imsi-%s", d);
    return NULL;
}

/* An optional integer field in [min, max]: 0 (absent: *v untouched), 1, or an error. */
static json_t *req_int(json_t *req, const char *key, bool required, json_int_t min, json_int_t max,
                       json_int_t *v)
{
    json_t *j = json_object_get(req, key);
    if (!j && !required)
        return NULL;
    if (!json_is_integer(j) || json_integer_value(j) < min || json_integer_value(j) > max)
        return g5_ctl_error("\"%s\" must be an integer from %lld to %lld", key, (long long)min,
                            (long long)max);
    *v = json_integer_value(j);
    return NULL;
}

/* ---- formatting ---- */

static void plmn_str(const uint8_t b[3], char *out, size_t n)
{
    nas_plmn p;
    if (nas_plmn_decode(b, &p) == 0)
        snprintf(out, n, "%s%s", p.mcc, p.mnc);
    else
        snprintf(out, n, "?");
}

static json_t *snssai_json(const g5_snssai *s)
{
    json_t *j = json_pack("{s:i}", "sst", (int)s->sst);
    if (s->sd != 0xFFFFFF) {
        char sd[8];
        snprintf(sd, sizeof sd, "%06x", (unsigned)s->sd);
        json_object_set_new(j, "sd", json_string(sd));
    }
    return j;
}

/* 5G-GUTI as TS 29.571 Guti: MCC MNC AMF ID (6 hex digits) 5G-TMSI (8 hex digits). */
static json_t *guti_json(const amf_ue_info *u)
{
    char plmn[8], s[40];
    plmn_str(u->guti_plmn, plmn, sizeof plmn);
    uint32_t amf_id = (uint32_t)u->amf_region_id << 16 | (uint32_t)(u->amf_set_id & 0x3ff) << 6 |
                      (u->amf_pointer & 0x3f);
    snprintf(s, sizeof s, "%s%06x%08x", plmn, (unsigned)amf_id, (unsigned)u->tmsi);
    return json_string(s);
}

static json_t *gnb_json(const amf_gnb_info *g)
{
    json_t *tacs = json_array();
    for (int i = 0; i < g->ntas; i++)
        json_array_append_new(tacs, json_integer(g->tacs[i]));
    json_t *j = json_pack("{s:I, s:s, s:s, s:b, s:o, s:I}", "gnb", (json_int_t)g->num, "name",
                          g->name, "peer", g->peer, "ng_setup", g->setup_done, "tacs", tacs, "ues",
                          (json_int_t)g->nues);
    if (g->has_id) {
        char plmn[8];
        plmn_str(g->plmn, plmn, sizeof plmn);
        json_object_set_new(j, "global_gnb_id",
                            json_pack("{s:s, s:I, s:i}", "plmn", plmn, "gnb_id",
                                      (json_int_t)g->gnb_id, "bits", (int)g->gnb_id_bits));
    }
    return j;
}

/* One PDU session: the AMF's record plus the SMF's (DNN, addresses, upCnxState). */
static json_t *sess_json(const corectl_env *env, const amf_ue_sess_info *s)
{
    json_t *j = json_pack("{s:i, s:o}", "psi", (int)s->psi, "snssai", snssai_json(&s->snssai));
    smf_sess_info si;
    if (s->creating || !env->smf || smf_sess_info_get(env->smf, s->sm_context_ref, &si) != 0) {
        json_object_set_new(j, "state", json_string(s->creating ? "establishing" : "unknown"));
        return j;
    }
    char a[INET6_ADDRSTRLEN + 4];
    json_object_set_new(j, "state", json_string("active"));
    json_object_set_new(j, "dnn", json_string(si.dnn));
    if (si.has_ipv4 && inet_ntop(AF_INET, si.ipv4, a, sizeof a))
        json_object_set_new(j, "ipv4", json_string(a));
    if (si.has_ipv6) {
        uint8_t p[16] = {0};
        memcpy(p, si.ipv6_prefix, 8);
        if (inet_ntop(AF_INET6, p, a, sizeof a - 3)) {
            strcat(a, "/64");
            json_object_set_new(j, "ipv6_prefix", json_string(a));
        }
    }
    /* TS 29.502 §6.1.6.3.9 UpCnxState */
    json_object_set_new(j, "up_cnx_state",
                        json_string(si.up_deactivated ? "DEACTIVATED" : "ACTIVATED"));
    json_object_set_new(j, "sm_context_ref", json_integer((json_int_t)s->sm_context_ref));
    json_object_set_new(j, "up_seid", json_integer((json_int_t)si.up_seid));
    json_object_set_new(j, "ul_teid", json_integer(si.ul_teid));
    if (si.has_gnb)
        json_object_set_new(j, "dl_teid", json_integer(si.gnb_teid));
    return j;
}

static json_t *ue_json(const corectl_env *env, const amf_ue_info *u, bool detail)
{
    char plmn[8];
    plmn_str(u->tai_plmn, plmn, sizeof plmn);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "supi", u->supi, "gmm_state", u->gmm_state,
                          "rm_state", u->registered ? "RM-REGISTERED" : "RM-DEREGISTERED",
                          "cm_state", u->connected ? "CM-CONNECTED" : "CM-IDLE");
    json_object_set_new(j, "gnb", u->connected ? json_integer(u->gnb_num) : json_null());
    json_object_set_new(j, "tai", json_pack("{s:s, s:I}", "plmn", plmn, "tac", (json_int_t)u->tac));
    json_object_set_new(j, "guti", u->has_guti ? guti_json(u) : json_null());
    json_t *ss = json_array();
    for (int i = 0; i < u->nsess; i++)
        json_array_append_new(ss,
                              detail ? sess_json(env, &u->sess[i]) : json_integer(u->sess[i].psi));
    json_object_set_new(j, detail ? "pdu_sessions" : "psis", ss);
    if (detail) {
        json_object_set_new(j, "amf_ue_ngap_id", json_integer((json_int_t)u->amf_ue_ngap_id));
        if (u->connected)
            json_object_set_new(j, "ran_ue_ngap_id", json_integer(u->ran_ue_ngap_id));
    }
    return j;
}

/* ---- commands ---- */

static json_t *amf_stats_json(const amf_stats *s)
{
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
        "s:I, s:I, s:I}",
        "ng_setup_ok", (json_int_t)s->ng_setup_ok, "ng_setup_fail", (json_int_t)s->ng_setup_fail,
        "ng_reset_rx", (json_int_t)s->ng_reset, "ng_reset_sent", (json_int_t)s->ng_reset_sent,
        "ng_reset_ack", (json_int_t)s->ng_reset_ack, "reg_accept", (json_int_t)s->reg_accept,
        "reg_reject", (json_int_t)s->reg_reject, "reg_complete", (json_int_t)s->reg_complete,
        "auth_reject", (json_int_t)s->auth_reject, "dereg_ue", (json_int_t)s->dereg_ue, "dereg_nw",
        (json_int_t)s->dereg_nw, "service_accept", (json_int_t)s->service_accept, "service_reject",
        (json_int_t)s->service_reject, "implicit_dereg", (json_int_t)s->implicit_dereg,
        "timer_abort", (json_int_t)s->timer_abort, "nas_mac_fail", (json_int_t)s->nas_mac_fail,
        "error_ind_sent", (json_int_t)s->error_ind_sent);
}

static json_t *cmd_status(corectl_env *env)
{
    json_t *nfs = json_pack("[s, s, s, s]", "AMF", "AUSF", "UDM", "UDR");
    if (env->smf)
        json_array_append_new(nfs, json_string("SMF"));
    if (env->upf)
        json_array_append_new(nfs, json_string("UPF"));
    size_t reg = 0, conn = 0, it = 0;
    amf_ue_info u;
    while (amf_ue_info_next(env->amf, &it, &u)) {
        reg += u.registered;
        conn += u.connected;
    }
    json_t *j =
        json_pack("{s:b, s:o, s:I, s:I, s:I, s:I, s:I}", "ok", 1, "nfs", nfs, "uptime_s",
                  (json_int_t)((g5_clock_ms() - env->started_ms) / 1000), "gnbs",
                  (json_int_t)amf_gnb_count(env->amf), "ues", (json_int_t)amf_ue_count(env->amf),
                  "ues_registered", (json_int_t)reg, "ues_connected", (json_int_t)conn);
    json_object_set_new(j, "amf", amf_stats_json(amf_get_stats(env->amf)));
    if (env->smf) {
        const smf_stats *s = smf_get_stats(env->smf);
        json_object_set_new(j, "smf",
                            json_pack("{s:I, s:I, s:I, s:I, s:I}", "sessions_active",
                                      (json_int_t)s->active, "created", (json_int_t)s->created,
                                      "rejected", (json_int_t)s->rejected, "released",
                                      (json_int_t)s->released, "upf_restart_releases",
                                      (json_int_t)s->upf_restart_releases));
    }
    if (env->upf) {
        const upf *up = upf_host_upf(env->upf);
        const upf_counters *c = &up->c;
        json_object_set_new(j, "upf",
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "sessions",
                                      (json_int_t)up->n_sess, "ul_pkts", (json_int_t)c->ul_pkts,
                                      "ul_bytes", (json_int_t)c->ul_bytes, "dl_pkts",
                                      (json_int_t)c->dl_pkts, "dl_bytes", (json_int_t)c->dl_bytes,
                                      "ul_drop", (json_int_t)c->ul_drop, "dl_drop",
                                      (json_int_t)c->dl_drop, "mbr_drop", (json_int_t)c->mbr_drop,
                                      "no_session", (json_int_t)c->no_session));
    }
    if (env->srv) {
        const g5_ctl_stats *c = g5_ctl_get_stats(env->srv);
        json_object_set_new(j, "ctl",
                            json_pack("{s:I, s:I, s:I, s:I}", "clients", (json_int_t)c->clients,
                                      "requests", (json_int_t)c->requests, "refused",
                                      (json_int_t)c->refused, "dropped",
                                      (json_int_t)c->oversize + (json_int_t)c->slow_readers));
    }
    return j;
}

static json_t *cmd_gnb_list(corectl_env *env)
{
    json_t *arr = json_array();
    amf_gnb_info g;
    for (size_t it = 0; amf_gnb_info_next(env->amf, &it, &g);)
        json_array_append_new(arr, gnb_json(&g));
    return json_pack("{s:b, s:o}", "ok", 1, "gnbs", arr);
}

static json_t *cmd_ue_list(corectl_env *env, json_t *req)
{
    json_int_t lim = CORECTL_LIST_DEFAULT;
    json_t *e = req_int(req, "limit", false, 1, CORECTL_LIST_MAX, &lim);
    if (e)
        return e;
    json_t *arr = json_array();
    amf_ue_info u;
    for (size_t it = 0;
         (json_int_t)json_array_size(arr) < lim && amf_ue_info_next(env->amf, &it, &u);)
        json_array_append_new(arr, ue_json(env, &u, false));
    return json_pack("{s:b, s:I, s:o}", "ok", 1, "total", (json_int_t)amf_ue_count(env->amf), "ues",
                     arr);
}

static json_t *cmd_ue_show(corectl_env *env, json_t *req)
{
    char supi[24];
    json_t *e = req_supi(req, supi);
    if (e)
        return e;
    amf_ue_info u;
    if (amf_ue_info_get(env->amf, supi, &u) != 0)
        return g5_ctl_error("no UE context for %s", supi);
    return json_pack("{s:b, s:o}", "ok", 1, "ue", ue_json(env, &u, true));
}

static json_t *cmd_ue_deregister(corectl_env *env, json_t *req)
{
    char supi[24];
    json_t *e = req_supi(req, supi);
    if (e)
        return e;
    json_t *rr = json_object_get(req, "reregister");
    if (rr && !json_is_boolean(rr))
        return g5_ctl_error("\"reregister\" must be true or false");
    if (amf_deregister_ue_type(env->amf, supi, json_is_true(rr)) != 0)
        return g5_ctl_error("no UE context for %s", supi);
    G5_LOGN("operator: network-initiated deregistration of %s%s", supi,
            json_is_true(rr) ? " (re-registration required)" : "");
    return json_pack("{s:b, s:s, s:b}", "ok", 1, "supi", supi, "reregister", json_is_true(rr));
}

/* psi and the UE's session; error answer on failure. */
static json_t *req_psi(json_t *req, json_int_t *psi)
{
    return req_int(req, "psi", true, 1, 15, psi);
}

static json_t *cmd_ps_release(corectl_env *env, json_t *req)
{
    char supi[24];
    json_int_t psi = 0, cause = 36; /* TS 24.501 §9.11.4.2: #36 regular deactivation */
    json_t *e = req_supi(req, supi);
    if (!e)
        e = req_psi(req, &psi);
    if (!e)
        e = req_int(req, "cause", false, 1, 255, &cause);
    if (e)
        return e;
    int rc = amf_release_pdu_session(env->amf, supi, (uint8_t)psi, (uint8_t)cause);
    switch (rc) {
    case 0: break;
    case G5_ERR_NOT_FOUND: return g5_ctl_error("%s has no PDU session %d", supi, (int)psi);
    case G5_ERR_AGAIN: return g5_ctl_error("PDU session %d of %s is busy; retry", (int)psi, supi);
    case G5_ERR_STATE:
        return g5_ctl_error("PDU session %d of %s cannot be released now (being established, "
                            "or no SMF)",
                            (int)psi, supi);
    default: return g5_ctl_error("release failed: %s", g5_strerror(rc));
    }
    G5_LOGN("operator: release of PDU session %d of %s (5GSM cause #%d)", (int)psi, supi,
            (int)cause);
    return json_pack("{s:b, s:s, s:I, s:I}", "ok", 1, "supi", supi, "psi", psi, "cause", cause);
}

/* Network-requested PDU session modification of the session-AMBR (TS 24.501 §6.3.2,
 * TS 23.502 §4.3.3.2): the SMF sends the COMMAND with the N2 Modify Request Transfer and
 * updates the UPF's QER once the gNB and the UE accepted (smf_mod.h). */
static int ps_modify_apply(corectl_env *env, const char *supi, uint8_t psi, uint64_t ambr_ul,
                           uint64_t ambr_dl)
{
    uint64_t ref = 0;
    int rc = amf_pdu_session_ref(env->amf, supi, psi, &ref);
    if (rc)
        return rc;
    if (!env->smf)
        return G5_ERR_UNSUPPORTED;
    smf_mod_params p = {.ambr_ul = ambr_ul, .ambr_dl = ambr_dl};
    return smf_modify_network(env->smf, ref, &p);
}

static json_t *cmd_ps_modify(corectl_env *env, json_t *req)
{
    char supi[24];
    json_int_t psi = 0, ul = -1, dl = -1;
    json_t *e = req_supi(req, supi);
    if (!e)
        e = req_psi(req, &psi);
    if (!e)
        e = req_int(req, "ambr_ul", false, 1, INT64_MAX, &ul);
    if (!e)
        e = req_int(req, "ambr_dl", false, 1, INT64_MAX, &dl);
    if (e)
        return e;
    if (ul < 0 && dl < 0)
        return g5_ctl_error("give \"ambr_ul\" and/or \"ambr_dl\" in bits/s");
    int rc = ps_modify_apply(env, supi, (uint8_t)psi, ul < 0 ? 0 : (uint64_t)ul,
                             dl < 0 ? 0 : (uint64_t)dl);
    switch (rc) {
    case 0: break;
    case G5_ERR_UNSUPPORTED: return g5_ctl_error("ps-modify needs the SMF in this process");
    case G5_ERR_NOT_FOUND: return g5_ctl_error("%s has no PDU session %d", supi, (int)psi);
    case G5_ERR_AGAIN:
        return g5_ctl_error("PDU session %d of %s is busy (another procedure); retry", (int)psi,
                            supi);
    case G5_ERR_STATE:
        return g5_ctl_error("PDU session %d of %s cannot be modified now (being established, "
                            "or the UE is CM-IDLE: paging for a modification is not done)",
                            (int)psi, supi);
    default: return g5_ctl_error("modification failed: %s", g5_strerror(rc));
    }
    G5_LOGN("operator: session-AMBR of PDU session %d of %s to UL %lld / DL %lld bit/s "
            "(0 = unchanged)",
            (int)psi, supi, (long long)(ul < 0 ? 0 : ul), (long long)(dl < 0 ? 0 : dl));
    return json_pack("{s:b, s:s, s:I}", "ok", 1, "supi", supi, "psi", psi);
}

static json_t *cmd_ng_reset(corectl_env *env, json_t *req)
{
    json_int_t num = 0;
    json_t *e = req_int(req, "gnb", true, 1, UINT32_MAX, &num);
    if (e)
        return e;
    size_t released = 0;
    int rc = amf_ng_reset(env->amf, (uint32_t)num, &released);
    if (rc == G5_ERR_NOT_FOUND)
        return g5_ctl_error("no gNB %d (see gnb-list)", (int)num);
    if (rc == G5_ERR_STATE)
        return g5_ctl_error("gNB %d has not completed NG Setup", (int)num);
    if (rc)
        return g5_ctl_error("NG Reset not sent: %s", g5_strerror(rc));
    return json_pack("{s:b, s:I, s:I}", "ok", 1, "gnb", num, "ue_connections_released",
                     (json_int_t)released);
}

static json_t *cmd_log_level(json_t *req)
{
    const char *lv = json_string_value(json_object_get(req, "level"));
    json_t *mj = json_object_get(req, "module");
    const char *mod = json_string_value(mj);
    int l = lv ? g5_log_level_parse(lv) : -1;
    if (l < 0)
        return g5_ctl_error("give \"level\": error, warn, notice, info or debug");
    if (mj && (!mod || !mod[0] || strlen(mod) > 31))
        return g5_ctl_error("\"module\" must be a module name such as \"amf\"");
    const char *old = g5_log_level_name(g5_log_get_level());
    if (mod) {
        if (g5_log_set_module_level(mod, (enum g5_log_level)l) != 0)
            return g5_ctl_error("cannot set the level of module '%s'", mod);
    } else {
        g5_log_set_level((enum g5_log_level)l);
    }
    G5_LOGN("operator: log level of %s set to %s", mod ? mod : "all modules", lv);
    json_t *j = json_pack("{s:b, s:s, s:s}", "ok", 1, "level",
                          g5_log_level_name((enum g5_log_level)l), "previous", old);
    if (mod)
        json_object_set_new(j, "module", json_string(mod));
    return j;
}

typedef struct ctl_cmd {
    const char *name;
    json_t *(*fn)(corectl_env *env, json_t *req);
} ctl_cmd;

static json_t *wrap_status(corectl_env *env, json_t *req)
{
    (void)req;
    return cmd_status(env);
}
static json_t *wrap_gnb_list(corectl_env *env, json_t *req)
{
    (void)req;
    return cmd_gnb_list(env);
}
static json_t *wrap_log_level(corectl_env *env, json_t *req)
{
    (void)env;
    return cmd_log_level(req);
}

static const ctl_cmd cmds[] = {
    {"status", wrap_status},
    {"gnb-list", wrap_gnb_list},
    {"ue-list", cmd_ue_list},
    {"ue-show", cmd_ue_show},
    {"ue-deregister", cmd_ue_deregister},
    {"ps-release", cmd_ps_release},
    {"ps-modify", cmd_ps_modify},
    {"ng-reset", cmd_ng_reset},
    {"log-level", wrap_log_level},
};

json_t *corectl_handle(corectl_env *env, const char *line, size_t len)
{
    json_error_t jerr;
    json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req || !json_is_object(req)) {
        json_decref(req);
        return g5_ctl_error("request must be one JSON object per line, e.g. {\"cmd\": \"status\"}");
    }
    const char *cmd = json_string_value(json_object_get(req, "cmd"));
    json_t *ans = NULL;
    for (size_t i = 0; cmd && i < sizeof cmds / sizeof cmds[0] && !ans; i++)
        if (!strcmp(cmd, cmds[i].name))
            ans = cmds[i].fn(env, req);
    if (!ans)
        ans = cmd ? g5_ctl_error("unknown command '%.40s'; use status, gnb-list, ue-list, "
                                 "ue-show, ue-deregister, ps-release, ps-modify, ng-reset or "
                                 "log-level",
                                 cmd)
                  : g5_ctl_error("missing \"cmd\"");
    json_decref(req);
    return ans ? ans : g5_ctl_error("out of memory");
}

/* ---- server ---- */

int corectl_socket_path(const g5_config *cfg, char *out, size_t n)
{
    int len = cfg->ctl.socket[0] ? snprintf(out, n, "%s", cfg->ctl.socket)
                                 : snprintf(out, n, "%s-ctl", cfg->store.path);
    return len < 0 || (size_t)len >= n || len >= 108 ? G5_ERR_TOO_LONG : 0;
}

static json_t *handle(void *arg, const char *line, size_t len)
{
    return corectl_handle(arg, line, len);
}

corectl *corectl_start(uv_loop_t *loop, corectl_env *env, char *err, size_t errlen)
{
    char path[256];
    if (corectl_socket_path(env->cfg, path, sizeof path) != 0) {
        snprintf(err, errlen,
                 "control socket path '%.40s...' is too long for a unix socket (107 bytes); set "
                 "ctl.socket",
                 path);
        return NULL;
    }
    g5_ctl_opts o = {.max_line = CORECTL_MAX_LINE,
                     .max_clients = CORECTL_MAX_CLIENTS,
                     .idle_ms = CORECTL_IDLE_MS,
                     .max_queued = CORECTL_MAX_QUEUED,
                     .mode = env->cfg->ctl.mode == 1 ? 0660 : 0600,
                     .owner = "glass5g run",
                     .path_hint = "ctl.socket"};
    corectl *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!(c->srv = g5_ctl_listen(loop, path, &o, handle, env, err, errlen))) {
        free(c);
        return NULL;
    }
    c->env = env;
    env->srv = c->srv;
    G5_LOGI("control socket %s (mode %04o)", path, (unsigned)o.mode);
    return c;
}

void corectl_stop(corectl *c)
{
    if (!c)
        return;
    c->env->srv = NULL;
    g5_ctl_close(c->srv);
    free(c);
}

const g5_ctl_stats *corectl_stats(const corectl *c)
{
    return g5_ctl_get_stats(c->srv);
}
