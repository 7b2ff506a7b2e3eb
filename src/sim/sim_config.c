/* Loader of sim.yaml (see sim_config.h; every key is documented in docs/simulator.md). */
#include "sim/sim_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/yaml.h"
#include "gtpu/gtpu_tnl.h"
#include "sim/sim.h"

/* TS 35.208 4.3 test set 1: public test values, so a config-less run has a valid USIM. */
static const uint8_t default_k[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
                                      0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
static const uint8_t default_opc[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
                                        0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};

static void template_defaults(sim_ue_template *t, const sim_gnb_config *gnb)
{
    memset(t, 0, sizeof *t);
    memcpy(t->mcc, gnb->mcc, sizeof t->mcc);
    memcpy(t->mnc, gnb->mnc, sizeof t->mnc);
    t->supi_first = 1010000000001ull; /* imsi-001010000000001 */
    t->supi_digits = 15;
    t->count = 1;
    memcpy(t->key, default_k, 16);
    memcpy(t->op, default_opc, 16);
    t->op_is_opc = true;
    t->amf[0] = 0x80;
    t->sqn = 0x20;
    strcpy(t->routing_indicator, "0");
    t->slices[0] = (sim_snssai){.sst = 1, .sd = 0xFFFFFF};
    t->nslices = 1;
    strcpy(t->dnn, "internet");
    strcpy(t->imei, "356938035643803");
    strcpy(t->imeisv, "4370816125816151");
}

void sim_config_defaults(sim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    sim_gnb_config *g = &cfg->gnb;
    strcpy(g->mcc, "001");
    strcpy(g->mnc, "01");
    g->nci = 0x10;
    g->id_length = 32;
    g->tac = 1;
    g->slices[0] = (sim_snssai){.sst = 1, .sd = 0xFFFFFF};
    g->nslices = 1;
    strcpy(g->amf[0].address, "127.0.0.1");
    g->amf[0].port = 38412;
    g->namf = 1;
    strcpy(g->n2_address, "127.0.0.1");
    strcpy(g->n3_address, "127.0.0.1");
    g->usrsctp_udp_port = 9899;
    template_defaults(&cfg->ue[0], g);
    cfg->nue = 1;
    sim_faults_init(&cfg->faults, 0x5eed5eed);
    strcpy(cfg->ctl_path, "/tmp/glass5g-sim.sock");
    cfg->log_level = G5_LOG_NOTICE;
}

static bool all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void load_digits(g5_cfg *c, g5_ynode *m, const char *key, char *out, size_t cap, size_t min,
                        size_t max, const char *example)
{
    if (g5_cfg_str(c, m, key, false, out, cap) == 1 && !all_digits(out, min, max)) {
        if (min == max)
            g5_cfg_error(c, g5_yaml_get(m, key), NULL, "must be %zu digits, e.g. %s", min, example);
        else
            g5_cfg_error(c, g5_yaml_get(m, key), NULL, "must be %zu to %zu digits, e.g. %s", min,
                         max, example);
    }
}

static void load_slices(g5_cfg *c, g5_ynode *m, sim_snssai *out, unsigned *n)
{
    g5_ynode *seq = NULL;
    if (g5_cfg_seq(c, m, "slices", false, &seq) != 1)
        return;
    if (seq->n == 0 || seq->n > SIM_MAX_SLICES)
        g5_cfg_error(c, seq, NULL, "must list 1 to %d slices", SIM_MAX_SLICES);
    *n = 0;
    for (size_t i = 0; i < seq->n && i < SIM_MAX_SLICES; i++) {
        g5_ynode *s = seq->items[i];
        if (s->type != G5_YAML_MAP) {
            g5_cfg_error(c, s, NULL, "must be a map like {sst: 1, sd: 0x000001}");
            continue;
        }
        uint32_t sst = 1, sd = 0xFFFFFF;
        g5_cfg_u32(c, s, "sst", true, 0, 255, &sst);
        g5_cfg_u32(c, s, "sd", false, 0, 0xFFFFFF, &sd);
        out[(*n)++] = (sim_snssai){.sst = (uint8_t)sst, .sd = sd};
    }
}

static void load_amfs(g5_cfg *c, g5_ynode *m, sim_gnb_config *g)
{
    g5_ynode *seq = NULL;
    if (g5_cfg_seq(c, m, "amf_addresses", false, &seq) != 1)
        return;
    if (seq->n == 0 || seq->n > SIM_MAX_AMFS)
        g5_cfg_error(c, seq, NULL, "must list 1 to %d AMFs", SIM_MAX_AMFS);
    g->namf = 0;
    for (size_t i = 0; i < seq->n && i < SIM_MAX_AMFS; i++) {
        g5_ynode *s = seq->items[i];
        if (s->type != G5_YAML_MAP) {
            g5_cfg_error(c, s, NULL, "must be a map like {address: 127.0.0.1, port: 38412}");
            continue;
        }
        uint32_t port = 38412, udp = 0;
        g5_cfg_str(c, s, "address", true, g->amf[g->namf].address, sizeof g->amf[0].address);
        g5_cfg_u32(c, s, "port", false, 1, 65535, &port);
        g5_cfg_u32(c, s, "usrsctp_udp_port", false, 1, 65535, &udp);
        g->amf[g->namf].udp_port = (uint16_t)udp;
        g->amf[g->namf++].port = (uint16_t)port;
    }
}

/* gnb.n3: address (IPv4 or IPv6) and address6 (IPv6): N3 over IPv4, IPv6 or both
 * (TS 29.281 runs over either). Stored split by family. */
static void load_n3(g5_cfg *c, g5_ynode *n, sim_gnb_config *g)
{
    char a[64] = "", a6[64] = "";
    int r4 = g5_cfg_str(c, n, "address", false, a, sizeof a);
    int r6 = g5_cfg_str(c, n, "address6", false, a6, sizeof a6);
    g5_tnl_addr t = {0};
    if (r4 == 1 && a[0] && g5_tnl_add_text(&t, a)) {
        g5_cfg_error(c, g5_yaml_get(n, "address"), NULL,
                     "'%s' is not an IPv4 or IPv6 address, e.g. 127.0.0.2 or fd00::2", a);
        return;
    }
    if (r6 == 1 && a6[0]) {
        g5_tnl_addr t6 = {0};
        if (g5_tnl_add_text(&t6, a6) || !t6.v6) {
            g5_cfg_error(c, g5_yaml_get(n, "address6"), NULL,
                         "'%s' is not an IPv6 address, e.g. fd00::2 (IPv4 goes in address)", a6);
            return;
        }
        if (t.v6) {
            g5_cfg_error(c, g5_yaml_get(n, "address6"), NULL,
                         "address is already IPv6 ('%s'); give the IPv4 address in address, or "
                         "drop address6",
                         a);
            return;
        }
    }
    if (r4 == 1) {
        snprintf(g->n3_address, sizeof g->n3_address, "%s", t.v4 ? a : "");
        snprintf(g->n3_address6, sizeof g->n3_address6, "%s", t.v6 ? a : "");
    }
    if (r6 == 1)
        snprintf(g->n3_address6, sizeof g->n3_address6, "%s", a6);
    if (!g->n3_address[0] && !g->n3_address6[0])
        g5_cfg_error(c, n, "address",
                     "N3 needs an address: give address (IPv4 or IPv6) and/or "
                     "address6");
}

static void load_gnb(g5_cfg *c, g5_ynode *root, sim_gnb_config *g)
{
    g5_ynode *m = NULL, *n = NULL;
    if (g5_cfg_map(c, root, "gnb", false, &m) != 1)
        return;
    load_digits(c, m, "mcc", g->mcc, sizeof g->mcc, 3, 3, "\"001\" (quote it to keep zeros)");
    load_digits(c, m, "mnc", g->mnc, sizeof g->mnc, 2, 3, "\"01\" (quote it to keep zeros)");
    g5_cfg_u64(c, m, "nci", false, 0, 0xFFFFFFFFFull, &g->nci);
    g5_cfg_u32(c, m, "id_length", false, 22, 32, &g->id_length);
    g5_cfg_u32(c, m, "tac", false, 0, 0xFFFFFF, &g->tac);
    load_slices(c, m, g->slices, &g->nslices);
    load_amfs(c, m, g);
    if (g5_cfg_map(c, m, "n2", false, &n) == 1) {
        static const char *const backends[] = {"auto", "kernel", "usrsctp", NULL};
        uint32_t port;
        g5_cfg_str(c, n, "address", false, g->n2_address, sizeof g->n2_address);
        g5_cfg_enum(c, n, "sctp", false, backends, &g->sctp_backend);
        if (g5_cfg_u32(c, n, "usrsctp_udp_port", false, 1, 65535, &port) == 1)
            g->usrsctp_udp_port = (uint16_t)port;
    }
    if (g5_cfg_map(c, m, "n3", false, &n) == 1)
        load_n3(c, n, g);
}

static void load_supi(g5_cfg *c, g5_ynode *m, sim_ue_template *t)
{
    char s[32];
    if (g5_cfg_str(c, m, "supi", false, s, sizeof s) != 1)
        return;
    if (sim_supi_parse(s, &t->supi_first, &t->supi_digits) != 0 || t->supi_digits < 6)
        g5_cfg_error(c, g5_yaml_get(m, "supi"), NULL,
                     "'%s' is not an IMSI SUPI; write imsi- and 6 to 15 digits, "
                     "e.g. imsi-001010000000001",
                     s);
}

static void load_op(g5_cfg *c, g5_ynode *m, sim_ue_template *t)
{
    g5_ynode *op = g5_yaml_get(m, "op"), *opc = g5_yaml_get(m, "opc");
    if (op && opc) {
        g5_cfg_error(c, opc, NULL, "give either op or opc, not both");
        op->used = opc->used = true;
        return;
    }
    if (op && g5_cfg_hex(c, m, "op", false, t->op, 16) == 1)
        t->op_is_opc = false;
    if (opc && g5_cfg_hex(c, m, "opc", false, t->op, 16) == 1)
        t->op_is_opc = true;
}

static void load_hn_key(g5_cfg *c, g5_ynode *m, sim_ue_template *t)
{
    /* null | A | B, or UERANSIM's numbers 0 | 1 | 2 (TS 33.501 C.2 scheme identifiers);
     * a YAML null (~ or empty) is the null scheme. */
    char ps[16];
    if (g5_cfg_str(c, m, "protection_scheme", false, ps, sizeof ps) == 1) {
        static const char *const names[][2] = {{"null", "0"}, {"A", "1"}, {"B", "2"}};
        int found = !ps[0] || !strcmp(ps, "~") ? 0 : -1;
        for (int i = 0; i < 3 && found < 0; i++)
            if (!strcmp(ps, names[i][0]) || !strcmp(ps, names[i][1]))
                found = i;
        if (found < 0)
            g5_cfg_error(c, g5_yaml_get(m, "protection_scheme"), NULL,
                         "'%s' is not a SUCI protection scheme; use null, A or B (or 0, 1, 2)", ps);
        else
            t->protection_scheme = found;
    }
    g5_cfg_u32(c, m, "hn_key_id", false, 0, 255, &t->hn_key_id);
    char hex[160];
    g5_ynode *kn = g5_yaml_get(m, "hn_public_key");
    int rc = g5_cfg_str(c, m, "hn_public_key", false, hex, sizeof hex);
    if (rc == 1) {
        int len = g5_hex_decode(hex, t->hn_public_key, sizeof t->hn_public_key);
        if (len < 0) {
            g5_cfg_error(c, kn, NULL, "must be hex: 64 digits (profile A) or 66 (profile B)");
            return;
        }
        t->hn_public_key_len = (unsigned)len;
    }
    if (t->protection_scheme == SIM_PROT_NULL || rc < 0)
        return;
    if (!t->hn_public_key_len) {
        g5_cfg_error(c, m, "hn_public_key",
                     "is required with protection_scheme %s; add the home network public key "
                     "(glass5g suci keygen prints it)",
                     t->protection_scheme == SIM_PROT_A ? "A" : "B");
    } else if (t->protection_scheme == SIM_PROT_A && t->hn_public_key_len != 32) {
        g5_cfg_error(c, kn, NULL, "profile A needs a 32-byte X25519 key (64 hex digits)");
    } else if (t->protection_scheme == SIM_PROT_B && t->hn_public_key_len != 33 &&
               t->hn_public_key_len != 65) {
        g5_cfg_error(c, kn, NULL,
                     "profile B needs a P-256 point, 33 bytes compressed (66 hex digits) or "
                     "65 uncompressed (130)");
    }
}

bool sim_dnn_valid(const char *dnn)
{
    size_t n = strlen(dnn), label = 0;
    if (n == 0 || n > 99)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = dnn[i];
        if (ch == '.') {
            if (label == 0)
                return false; /* empty label */
            label = 0;
        } else if (isalnum((unsigned char)ch) || ch == '-') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0;
}

static void load_dnn(g5_cfg *c, g5_ynode *m, char *out, size_t cap)
{
    if (g5_cfg_str(c, m, "dnn", false, out, cap) == 1 && !sim_dnn_valid(out))
        g5_cfg_error(c, g5_yaml_get(m, "dnn"), NULL,
                     "'%s' is not a DNN; write labels of letters, digits and '-' joined by dots, "
                     "e.g. internet or ims.mnc001.mcc001.gprs",
                     out);
}

/* ues[].sessions: [{dnn: ims, session_type: ipv4, slice: {sst: 1, sd: 0x000001}}, ...], one
 * entry per PDU session in PSI order. */
static void load_sessions(g5_cfg *c, g5_ynode *m, sim_ue_template *t)
{
    g5_ynode *seq = NULL;
    if (g5_cfg_seq(c, m, "sessions", false, &seq) != 1)
        return;
    if (seq->n == 0 || seq->n > SIM_MAX_TPL_SESSIONS)
        g5_cfg_error(c, seq, NULL, "must list 1 to %d sessions (one per PDU session ID)",
                     SIM_MAX_TPL_SESSIONS);
    static const char *const types[] = {"ipv4", "ipv6", "ipv4v6", NULL};
    for (size_t i = 0; i < seq->n && i < SIM_MAX_TPL_SESSIONS; i++) {
        g5_ynode *s = seq->items[i];
        if (s->type != G5_YAML_MAP) {
            g5_cfg_error(c, s, NULL, "must be a map like {dnn: ims, session_type: ipv4}");
            continue;
        }
        t->sessions[i].session_type = -1;
        load_dnn(c, s, t->sessions[i].dnn, sizeof t->sessions[i].dnn);
        g5_cfg_enum(c, s, "session_type", false, types, &t->sessions[i].session_type);
        g5_ynode *sl = NULL;
        if (g5_cfg_map(c, s, "slice", false, &sl) == 1) {
            uint32_t sst = 1, sd = 0xFFFFFF;
            g5_cfg_u32(c, sl, "sst", true, 0, 255, &sst);
            g5_cfg_u32(c, sl, "sd", false, 0, 0xFFFFFF, &sd);
            t->sessions[i].has_slice = true;
            t->sessions[i].slice = (sim_snssai){.sst = (uint8_t)sst, .sd = sd};
        }
        t->nsessions = (unsigned)i + 1;
    }
}

static void load_template(g5_cfg *c, g5_ynode *m, sim_ue_template *t)
{
    load_digits(c, m, "mcc", t->mcc, sizeof t->mcc, 3, 3, "\"001\"");
    load_digits(c, m, "mnc", t->mnc, sizeof t->mnc, 2, 3, "\"01\"");
    load_supi(c, m, t);
    g5_cfg_u32(c, m, "count", false, 1, 10000000, &t->count);
    g5_cfg_hex(c, m, "key", false, t->key, 16);
    load_op(c, m, t);
    g5_cfg_hex(c, m, "amf", false, t->amf, 2);
    g5_cfg_u64(c, m, "sqn", false, 0, 0xFFFFFFFFFFFFull, &t->sqn);
    load_hn_key(c, m, t);
    load_digits(c, m, "routing_indicator", t->routing_indicator, sizeof t->routing_indicator, 1, 4,
                "\"0\" or \"1234\"");
    load_slices(c, m, t->slices, &t->nslices);
    load_dnn(c, m, t->dnn, sizeof t->dnn);
    static const char *const types[] = {"ipv4", "ipv6", "ipv4v6", NULL};
    g5_cfg_enum(c, m, "session_type", false, types, &t->session_type);
    load_sessions(c, m, t);
    g5_cfg_bool(c, m, "tun", false, &t->tun);
    g5_cfg_bool(c, m, "netns", false, &t->netns);
    if (t->netns && !t->tun)
        g5_cfg_error(c, g5_yaml_get(m, "netns"), NULL,
                     "netns: on needs tun: on (the namespace holds the UE's TUN device)");
    load_digits(c, m, "imei", t->imei, sizeof t->imei, 15, 15, "\"356938035643803\"");
    load_digits(c, m, "imeisv", t->imeisv, sizeof t->imeisv, 16, 16, "\"4370816125816151\"");
    unsigned max_digits = t->supi_digits;
    uint64_t limit = 1;
    for (unsigned i = 0; i < max_digits; i++)
        limit *= 10;
    if (t->supi_first + t->count > limit)
        g5_cfg_error(c, g5_yaml_get(m, "count") ? g5_yaml_get(m, "count") : m, NULL,
                     "%u UEs from this SUPI run past %u digits; lower count or the SUPI", t->count,
                     max_digits);
}

static void load_ues(g5_cfg *c, g5_ynode *root, sim_config *cfg)
{
    g5_ynode *one = NULL, *seq = NULL;
    int has_one = g5_cfg_map(c, root, "ue", false, &one);
    int has_seq = g5_cfg_seq(c, root, "ues", false, &seq);
    if (has_one == 1 && has_seq == 1) {
        g5_cfg_error(c, seq, NULL, "give either ue: (one template) or ues: (a list), not both");
        return;
    }
    if (has_one == 1) {
        template_defaults(&cfg->ue[0], &cfg->gnb);
        load_template(c, one, &cfg->ue[0]);
        cfg->nue = 1;
        return;
    }
    if (has_seq != 1)
        return;
    if (seq->n == 0 || seq->n > SIM_MAX_GROUPS)
        g5_cfg_error(c, seq, NULL, "must list 1 to %d UE templates", SIM_MAX_GROUPS);
    cfg->nue = 0;
    for (size_t i = 0; i < seq->n && i < SIM_MAX_GROUPS; i++) {
        if (seq->items[i]->type != G5_YAML_MAP) {
            g5_cfg_error(c, seq->items[i], NULL, "must be a map (a UE template)");
            continue;
        }
        template_defaults(&cfg->ue[cfg->nue], &cfg->gnb);
        load_template(c, seq->items[i], &cfg->ue[cfg->nue]);
        cfg->nue++;
    }
}

static void load_fault(g5_cfg *c, g5_ynode *m, sim_faults *f)
{
    static const char *const actions[] = {"none",      "drop",         "corrupt_mac", "replay",
                                          "malformed", "out_of_state", NULL};
    char step[SIM_FAULT_STEP_MAX] = "", prob[32] = "1";
    int action = 0;
    uint32_t first = 0, count = 0;
    uint64_t max_hits = 0;
    g5_ynode *ues = NULL;
    g5_cfg_str(c, m, "at_step", true, step, sizeof step);
    g5_cfg_enum(c, m, "action", true, actions, &action);
    g5_cfg_u64(c, m, "max_hits", false, 0, UINT64_MAX, &max_hits);
    double p = 1.0;
    if (g5_cfg_str(c, m, "probability", false, prob, sizeof prob) == 1) {
        char *end = NULL;
        p = strtod(prob, &end);
        if (!prob[0] || *end || !(p >= 0.0 && p <= 1.0)) {
            g5_cfg_error(c, g5_yaml_get(m, "probability"), NULL,
                         "'%s' is not a probability; use a number from 0 to 1, e.g. 0.05", prob);
            return;
        }
    }
    if (g5_cfg_map(c, m, "ues", false, &ues) == 1) {
        g5_cfg_u32(c, ues, "first", false, 0, UINT32_MAX, &first);
        g5_cfg_u32(c, ues, "count", true, 1, UINT32_MAX, &count);
    }
    if (c->errors)
        return;
    int rc = sim_faults_add(f, step, (enum sim_fault_action)action, p, first, count, max_hits);
    if (rc == G5_ERR_LIMIT)
        g5_cfg_error(c, m, NULL, "too many fault rules; at most %d", SIM_MAX_FAULTS);
    else if (rc)
        g5_cfg_error(c, g5_yaml_get(m, "at_step"), NULL,
                     "'%s' is not a step; write procedure.step, e.g. echo.request or "
                     "registration.auth_response ('*' matches any)",
                     step);
}

static void load_faults(g5_cfg *c, g5_ynode *root, sim_faults *f)
{
    g5_ynode *seq = NULL;
    if (g5_cfg_seq(c, root, "faults", false, &seq) != 1)
        return;
    for (size_t i = 0; i < seq->n; i++) {
        if (seq->items[i]->type != G5_YAML_MAP)
            g5_cfg_error(c, seq->items[i], NULL,
                         "must be a map like {at_step: echo.request, action: drop}");
        else
            load_fault(c, seq->items[i], f);
    }
}

static int load_doc(sim_config *cfg, g5_ydoc *doc, FILE *err)
{
    g5_cfg c;
    g5_cfg_init(&c, doc, err);
    g5_ynode *root = doc->root, *m = NULL;
    if (root && root->type != G5_YAML_MAP) {
        g5_cfg_error(&c, root, NULL,
                     "the configuration must be a map of sections (gnb:, ue: or ues:, "
                     "faults:, ctl:, log:)");
        return G5_ERR_CONFIG;
    }
    if (g5_cfg_map(&c, root, "log", false, &m) == 1) {
        static const char *const levels[] = {"error", "warn", "notice", "info", "debug", NULL};
        g5_cfg_enum(&c, m, "level", false, levels, &cfg->log_level);
    }
    load_gnb(&c, root, &cfg->gnb);
    load_ues(&c, root, cfg);
    load_faults(&c, root, &cfg->faults);
    if (g5_cfg_map(&c, root, "ctl", false, &m) == 1)
        g5_cfg_str(&c, m, "path", false, cfg->ctl_path, sizeof cfg->ctl_path);
    if (g5_cfg_map(&c, root, "traffic", false, &m) == 1) {
        g5_cfg_u32(&c, m, "ping_rate", false, 0, 1000, &cfg->traffic.ping_rate);
        g5_cfg_str(&c, m, "ping_ipv4", false, cfg->traffic.ping_ipv4,
                   sizeof cfg->traffic.ping_ipv4);
        g5_cfg_str(&c, m, "ping_ipv6", false, cfg->traffic.ping_ipv6,
                   sizeof cfg->traffic.ping_ipv6);
    }
    /* Every key of every section, for "did you mean" on a typo of a key not present. */
    static const char *const known[] = {"gnb",
                                        "ue",
                                        "ues",
                                        "faults",
                                        "ctl",
                                        "log",
                                        "level",
                                        "mcc",
                                        "mnc",
                                        "nci",
                                        "id_length",
                                        "tac",
                                        "slices",
                                        "sst",
                                        "sd",
                                        "amf_addresses",
                                        "address",
                                        "port",
                                        "n2",
                                        "n3",
                                        "sctp",
                                        "usrsctp_udp_port",
                                        "supi",
                                        "count",
                                        "key",
                                        "op",
                                        "opc",
                                        "amf",
                                        "sqn",
                                        "protection_scheme",
                                        "hn_public_key",
                                        "hn_key_id",
                                        "routing_indicator",
                                        "dnn",
                                        "session_type",
                                        "sessions",
                                        "slice",
                                        "address6",
                                        "tun",
                                        "netns",
                                        "traffic",
                                        "ping_rate",
                                        "ping_ipv4",
                                        "ping_ipv6",
                                        "imei",
                                        "imeisv",
                                        "at_step",
                                        "action",
                                        "probability",
                                        "first",
                                        "max_hits",
                                        "path",
                                        NULL};
    g5_cfg_check_unknown(&c, root, known);
    return c.errors ? G5_ERR_CONFIG : 0;
}

static int load_any(sim_config *cfg, const char *path, const char *text, FILE *err)
{
    g5_ydoc doc;
    char msg[512];
    int rc = text ? g5_yaml_load_string(text, path, &doc, msg, sizeof msg)
                  : g5_yaml_load_file(path, &doc, msg, sizeof msg);
    if (rc) {
        fprintf(err ? err : stderr, "%s\n", msg);
        return G5_ERR_CONFIG;
    }
    rc = load_doc(cfg, &doc, err);
    g5_yaml_free(&doc);
    return rc;
}

int sim_config_load(sim_config *cfg, const char *path, FILE *err)
{
    return load_any(cfg, path, NULL, err);
}

int sim_config_load_string(sim_config *cfg, const char *yaml, const char *name, FILE *err)
{
    return load_any(cfg, name, yaml, err);
}

uint64_t sim_config_ue_total(const sim_config *cfg)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < cfg->nue; i++)
        n += cfg->ue[i].count;
    return n;
}

void sim_config_wipe(sim_config *cfg)
{
    for (unsigned i = 0; i < SIM_MAX_GROUPS; i++) {
        volatile uint8_t *k = cfg->ue[i].key, *op = cfg->ue[i].op;
        for (unsigned j = 0; j < 16; j++)
            k[j] = op[j] = 0;
    }
}
