/* The simulator's control commands (see sim_ctl.h); the socket itself is core/ctlsock.c. */
#define G5_LOG_MODULE "sim-ctl"
#include "sim/sim_ctl.h"

#include <stdlib.h>
#include <string.h>

#include "core/ctlsock.h"
#include "core/err.h"
#include "core/log.h"
#include "sim/sim_up.h"

/* ---- request handling ---- */

static const char *rm_name(uint8_t s)
{
    return s == SIM_RM_REGISTERED ? "registered" : "deregistered";
}

static json_t *ue_json(const sim_engine *e, const sim_ue *ue, bool detail)
{
    char supi[32];
    json_t *j =
        json_pack("{s:s, s:i, s:s, s:s}", "supi", sim_ue_supi_str(&e->pop, ue, supi, sizeof supi),
                  "index", (json_int_t)ue->index, "rm_state", rm_name(ue->rm_state), "cm_state",
                  ue->cm_state == SIM_CM_CONNECTED ? "connected" : "idle");
    if (!detail)
        return j;
    const sim_procedure *last = (ue->n_ok + ue->n_failed || ue->run) && ue->last_proc < e->nprocs
                                    ? e->procs[ue->last_proc]
                                    : NULL;
    json_object_set_new(j, "template", json_integer(ue->group));
    json_object_set_new(j, "running", ue->run && last ? json_string(last->name) : json_null());
    json_object_set_new(j, "last_procedure", last ? json_string(last->name) : json_null());
    json_object_set_new(j, "procedures_ok", json_integer(ue->n_ok));
    json_object_set_new(j, "procedures_failed", json_integer(ue->n_failed));
    json_object_set_new(j, "last_failure",
                        ue->last_cause ? json_string(sim_cause_name(e, ue->last_cause))
                                       : json_null());
    if (ue->cm_state == SIM_CM_CONNECTED)
        json_object_set_new(j, "ran_ue_ngap_id", json_integer(ue->ran_ue_ngap_id));
    json_object_set_new(j, "fault_rules", json_integer(ue->fault_mask));
    if (e->up)
        json_object_set_new(j, "pdu_sessions", sim_up_ue_json(e->up, ue));
    return j;
}

static sim_ue *find_ue(const sim_engine *e, json_t *req, json_t **err)
{
    const char *s = json_string_value(json_object_get(req, "supi"));
    uint64_t supi;
    if (!s || sim_supi_parse(s, &supi, NULL) != 0) {
        *err = g5_ctl_error("%s", "give \"supi\": \"imsi-<5 to 15 digits>\"");
        return NULL;
    }
    sim_ue *ue = sim_pop_by_supi(&e->pop, supi);
    if (!ue)
        *err = g5_ctl_error("no UE with SUPI %s in this simulator", s);
    return ue;
}

static json_t *cmd_ue_list(sim_engine *e, json_t *req)
{
    json_int_t off = json_integer_value(json_object_get(req, "offset"));
    json_int_t lim = json_integer_value(json_object_get(req, "limit"));
    if (off < 0)
        off = 0;
    if (lim <= 0 || lim > SIM_CTL_LIST_MAX)
        lim = SIM_CTL_LIST_MAX;
    json_t *arr = json_array();
    for (json_int_t i = off; i < (json_int_t)e->pop.n && i < off + lim; i++)
        json_array_append_new(arr, ue_json(e, &e->pop.ues[i], false));
    return json_pack("{s:b, s:i, s:i, s:o}", "ok", 1, "total", (json_int_t)e->pop.n, "offset", off,
                     "ues", arr);
}

/* Commands that start a 5G procedure: refused until the protocol layers are plugged. */
static json_t *cmd_procedure(sim_engine *e, json_t *req, const char *proc_name)
{
    json_t *err = NULL;
    sim_ue *ue = find_ue(e, req, &err);
    if (!ue)
        return err;
    const sim_procedure *p = sim_procedure_find(proc_name);
    char why[200];
    if (!p || sim_engine_can_run(e, p, why, sizeof why) != 0)
        return g5_ctl_error("%s", p ? why : "unknown procedure");
    int rc = sim_engine_start(e, ue, p);
    if (rc)
        return g5_ctl_error("cannot start: %s", g5_strerror(rc));
    return json_pack("{s:b, s:s}", "ok", 1, "started", proc_name);
}

/* ps-establish with optional "dnn", "sst" (+ "sd"), "session_type": what this session asks
 * for (sim_up_set_request); without them the template's (docs/simulator.md). */
static json_t *cmd_ps_establish(sim_engine *e, json_t *req)
{
    json_t *err = NULL;
    sim_ue *ue = find_ue(e, req, &err);
    if (!ue)
        return err;
    json_t *jd = json_object_get(req, "dnn"), *jsst = json_object_get(req, "sst"),
           *jsd = json_object_get(req, "sd"), *jt = json_object_get(req, "session_type");
    if ((!jd && !jsst && !jt) || !e->up) /* without a user plane: the procedure's own answer */
        return cmd_procedure(e, req, "pdu-session-establishment");
    const sim_ue_template *t = &e->cfg->ue[ue->group < e->cfg->nue ? ue->group : 0];
    const char *dnn = jd ? json_string_value(jd) : t->dnn;
    if (!dnn || (dnn[0] && !sim_dnn_valid(dnn)))
        return g5_ctl_error("%s", "\"dnn\" must be a DNN: labels of letters, digits and '-' joined "
                                  "by dots, e.g. internet");
    sim_snssai sn = t->nslices ? t->slices[0] : (sim_snssai){.sst = 1, .sd = 0xFFFFFF};
    if (jsst) {
        json_int_t sst = json_integer_value(jsst), sd = jsd ? json_integer_value(jsd) : 0xFFFFFF;
        if (!json_is_integer(jsst) || sst < 0 || sst > 255 || (jsd && !json_is_integer(jsd)) ||
            sd < 0 || sd > 0xFFFFFF)
            return g5_ctl_error("%s", "\"sst\" must be 0-255 and \"sd\" 0-0xFFFFFF");
        sn = (sim_snssai){.sst = (uint8_t)sst, .sd = (uint32_t)sd};
    } else if (jsd) {
        return g5_ctl_error("%s", "\"sd\" needs \"sst\"");
    }
    int type = -1;
    if (jt) {
        static const char *const types[] = {"ipv4", "ipv6", "ipv4v6"};
        const char *ts = json_string_value(jt);
        for (int i = 0; ts && i < 3; i++)
            if (!strcmp(ts, types[i]))
                type = i;
        if (type < 0)
            return g5_ctl_error("%s", "\"session_type\" must be ipv4, ipv6 or ipv4v6");
    }
    if (sim_up_set_request(e->up, ue, dnn, t->nslices || jsst ? &sn : NULL, type))
        return g5_ctl_error("%s", "no free PDU session identity for this UE");
    json_t *ans = cmd_procedure(e, req, "pdu-session-establishment");
    if (!json_is_true(json_object_get(ans, "ok")))
        sim_up_set_request(e->up, ue, NULL, NULL, SIM_UP_REQ_CLEAR); /* not started */
    return ans;
}

json_t *sim_ctl_handle(sim_engine *e, const char *line, size_t len)
{
    json_error_t jerr;
    json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req || !json_is_object(req)) {
        json_decref(req);
        return g5_ctl_error("%s", "request must be one JSON object per line, e.g. "
                                  "{\"cmd\": \"stats\"}");
    }
    const char *cmd = json_string_value(json_object_get(req, "cmd"));
    json_t *ans = NULL;
    if (!cmd) {
        ans = g5_ctl_error("%s", "missing \"cmd\"");
    } else if (!strcmp(cmd, "ue-list")) {
        ans = cmd_ue_list(e, req);
    } else if (!strcmp(cmd, "ue-status")) {
        sim_ue *ue = find_ue(e, req, &ans);
        if (ue)
            ans = json_pack("{s:b, s:o}", "ok", 1, "ue", ue_json(e, ue, true));
    } else if (!strcmp(cmd, "stats")) {
        json_t *st = sim_report_json(e);
        if (e->up)
            json_object_set_new(st, "user_plane", sim_up_stats_json(e->up));
        ans = json_pack("{s:b, s:o}", "ok", 1, "stats", st);
    } else if (!strcmp(cmd, "deregister")) {
        ans = cmd_procedure(e, req, "deregistration");
    } else if (!strcmp(cmd, "register")) {
        ans = cmd_procedure(e, req, "registration");
    } else if (!strcmp(cmd, "service-request")) {
        ans = cmd_procedure(e, req, "service-request");
    } else if (!strcmp(cmd, "ps-establish")) {
        ans = cmd_ps_establish(e, req);
    } else if (!strcmp(cmd, "ps-release")) {
        ans = cmd_procedure(e, req, "pdu-session-release");
    } else if (!strcmp(cmd, "ps-modify")) {
        ans = cmd_procedure(e, req, "pdu-session-modification");
    } else if (!strcmp(cmd, "release")) { /* AN release to CM-IDLE (sim_paging.c) */
        ans = cmd_procedure(e, req, "an-release");
    } else {
        ans = g5_ctl_error(
            "unknown command '%.40s'; use ue-list, ue-status, stats, register, "
            "service-request, deregister, ps-establish, ps-release, ps-modify or release",
            cmd);
    }
    json_decref(req);
    return ans;
}

/* ---- server (the framing and limits are core/ctlsock.c's) ---- */

struct sim_ctl {
    g5_ctl_server *srv;
};

static json_t *handle(void *arg, const char *line, size_t len)
{
    return sim_ctl_handle(arg, line, len);
}

sim_ctl *sim_ctl_start(sim_engine *e, const char *path, char *err, size_t errlen)
{
    static const g5_ctl_opts opts = {.max_line = SIM_CTL_MAX_LINE,
                                     .max_clients = SIM_CTL_MAX_CLIENTS,
                                     .idle_ms = SIM_CTL_IDLE_MS,
                                     .max_queued = SIM_CTL_MAX_QUEUED,
                                     .mode = 0600,
                                     .owner = "simulator",
                                     .path_hint = "--ctl path"};
    sim_ctl *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->srv = g5_ctl_listen(e->loop, path, &opts, handle, e, err, errlen);
    if (!c->srv) {
        free(c);
        return NULL;
    }
    return c;
}

void sim_ctl_stop(sim_ctl *c)
{
    if (!c)
        return;
    g5_ctl_close(c->srv);
    free(c);
}

unsigned sim_ctl_clients(const sim_ctl *c)
{
    return g5_ctl_get_stats(c->srv)->clients;
}

unsigned long sim_ctl_refused(const sim_ctl *c)
{
    return (unsigned long)g5_ctl_get_stats(c->srv)->refused;
}

/* ---- client ---- */

int sim_ctl_request(const char *path, const char *request, char **answer, int timeout_ms, char *err,
                    size_t errlen)
{
    return g5_ctl_request(path, request, answer, timeout_ms, "glass5g-sim", err, errlen);
}
