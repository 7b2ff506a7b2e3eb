#include "nf/config.h"

#include <ctype.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/yaml.h"

void g5_config_defaults(g5_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->log.level = G5_LOG_INFO;
    strcpy(cfg->plmn.mcc, "001");
    strcpy(cfg->plmn.mnc, "01");
    strcpy(cfg->amf.name, "glass5g-amf");
    strcpy(cfg->amf.n2_addr, "127.0.0.1");
    cfg->amf.n2_port = 38412;
    cfg->amf.usrsctp_udp_port = 9899;
    cfg->amf.tacs[0] = 1;
    cfg->amf.ntacs = 1;
    cfg->amf.slices[0] = (g5_snssai){.sst = 1, .sd = 0xFFFFFF};
    cfg->amf.nslices = 1;
    cfg->amf.region_id = 2;
    cfg->amf.set_id = 1;
    cfg->amf.pointer = 0;
    cfg->amf.t3512_s = 3240; /* 54 min, TS 24.501 §10.2 default */
    memcpy(cfg->amf.nia_prio, (uint8_t[]){2, 1, 3}, 3); /* NIA2 preferred */
    cfg->amf.n_nia = 3;
    memcpy(cfg->amf.nea_prio, (uint8_t[]){2, 1, 3, 0}, 4); /* NEA2 preferred */
    cfg->amf.n_nea = 4;
    cfg->amf.relative_capacity = 255;
    strcpy(cfg->store.path, "glass5g.db");
    strcpy(cfg->store.key_file, "glass5g.key");
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

static void load_plmn(g5_cfg *c, g5_ynode *root, g5_plmn *p)
{
    g5_ynode *m = NULL;
    if (g5_cfg_map(c, root, "plmn", false, &m) != 1)
        return;
    g5_ynode *mcc = g5_yaml_get(m, "mcc"), *mnc = g5_yaml_get(m, "mnc");
    if (g5_cfg_str(c, m, "mcc", true, p->mcc, sizeof p->mcc) == 1 && !all_digits(p->mcc, 3, 3))
        g5_cfg_error(c, mcc, NULL, "must be 3 digits, e.g. \"001\" (quote it to keep zeros)");
    if (g5_cfg_str(c, m, "mnc", true, p->mnc, sizeof p->mnc) == 1 && !all_digits(p->mnc, 2, 3))
        g5_cfg_error(c, mnc, NULL, "must be 2 or 3 digits, e.g. \"01\" (quote it to keep zeros)");
}

/* amf.security: {integrity: [NIA2, NIA1], ciphering: [NEA2, NEA0], imeisv_request: false} */
static void load_algs(g5_cfg *c, g5_ynode *sec, const char *key, const char *prefix, uint8_t *out,
                      int *n)
{
    g5_ynode *seq = NULL;
    if (g5_cfg_seq(c, sec, key, false, &seq) != 1)
        return;
    if (seq->n == 0 || seq->n > 4) {
        g5_cfg_error(c, seq, NULL, "must list 1 to 4 algorithms, e.g. [%s2, %s1]", prefix, prefix);
        return;
    }
    *n = 0;
    for (size_t i = 0; i < seq->n; i++) {
        g5_ynode *it = seq->items[i];
        const char *v = it->type == G5_YAML_SCALAR && it->scalar ? it->scalar : "";
        it->used = true;
        if (strlen(v) != 4 || strncmp(v, prefix, 3) != 0 || v[3] < '0' || v[3] > '3') {
            g5_cfg_error(c, seq->items[i], NULL, "must be one of %s0, %s1, %s2, %s3", prefix,
                         prefix, prefix, prefix);
            continue;
        }
        out[(*n)++] = (uint8_t)(v[3] - '0');
    }
}

static void load_security(g5_cfg *c, g5_ynode *m, g5_config *cfg)
{
    g5_ynode *sec = NULL;
    if (g5_cfg_map(c, m, "security", false, &sec) != 1)
        return;
    load_algs(c, sec, "integrity", "NIA", cfg->amf.nia_prio, &cfg->amf.n_nia);
    load_algs(c, sec, "ciphering", "NEA", cfg->amf.nea_prio, &cfg->amf.n_nea);
    g5_cfg_bool(c, sec, "imeisv_request", false, &cfg->amf.imeisv_request);
}

static void load_amf(g5_cfg *c, g5_ynode *root, g5_config *cfg)
{
    g5_ynode *m = NULL, *seq = NULL;
    if (g5_cfg_map(c, root, "amf", false, &m) != 1)
        return;
    g5_cfg_str(c, m, "name", false, cfg->amf.name, sizeof cfg->amf.name);
    g5_ynode *n2 = NULL;
    if (g5_cfg_map(c, m, "n2", false, &n2) == 1) {
        uint32_t port;
        static const char *const backends[] = {"auto", "kernel", "usrsctp", NULL};
        g5_cfg_str(c, n2, "address", false, cfg->amf.n2_addr, sizeof cfg->amf.n2_addr);
        if (g5_cfg_u32(c, n2, "port", false, 1, 65535, &port) == 1)
            cfg->amf.n2_port = (uint16_t)port;
        g5_cfg_enum(c, n2, "sctp", false, backends, &cfg->amf.sctp_backend);
        if (g5_cfg_u32(c, n2, "usrsctp_udp_port", false, 1, 65535, &port) == 1)
            cfg->amf.usrsctp_udp_port = (uint16_t)port;
    }
    if (g5_cfg_seq(c, m, "tacs", false, &seq) == 1) {
        if (seq->n == 0 || seq->n > G5_MAX_TACS)
            g5_cfg_error(c, seq, NULL, "must list 1 to %d tracking area codes", G5_MAX_TACS);
        cfg->amf.ntacs = 0;
        for (size_t i = 0; i < seq->n && i < G5_MAX_TACS; i++)
            if (g5_cfg_node_u32(c, seq->items[i], 0, 0xFFFFFF, &cfg->amf.tacs[i]) == 1)
                cfg->amf.ntacs++;
    }
    if (g5_cfg_seq(c, m, "slices", false, &seq) == 1) {
        if (seq->n == 0 || seq->n > G5_MAX_SLICES)
            g5_cfg_error(c, seq, NULL, "must list 1 to %d slices", G5_MAX_SLICES);
        cfg->amf.nslices = 0;
        for (size_t i = 0; i < seq->n && i < G5_MAX_SLICES; i++) {
            g5_ynode *s = seq->items[i];
            if (s->type != G5_YAML_MAP) {
                g5_cfg_error(c, s, NULL, "must be a map like {sst: 1, sd: 0x000001}");
                continue;
            }
            uint32_t sst = 1, sd = 0xFFFFFF;
            g5_cfg_u32(c, s, "sst", true, 0, 255, &sst);
            g5_cfg_u32(c, s, "sd", false, 0, 0xFFFFFF, &sd);
            cfg->amf.slices[cfg->amf.nslices++] = (g5_snssai){.sst = (uint8_t)sst, .sd = sd};
        }
    }
    g5_ynode *guami = NULL;
    if (g5_cfg_map(c, m, "guami", false, &guami) == 1) {
        uint32_t v;
        if (g5_cfg_u32(c, guami, "region_id", false, 0, 255, &v) == 1)
            cfg->amf.region_id = (uint8_t)v;
        if (g5_cfg_u32(c, guami, "set_id", false, 0, 1023, &v) == 1)
            cfg->amf.set_id = (uint16_t)v;
        if (g5_cfg_u32(c, guami, "pointer", false, 0, 63, &v) == 1)
            cfg->amf.pointer = (uint8_t)v;
    }
    load_security(c, m, cfg);
    uint32_t cap;
    if (g5_cfg_u32(c, m, "relative_capacity", false, 0, 255, &cap) == 1)
        cfg->amf.relative_capacity = (uint8_t)cap;
    g5_ynode *timers = NULL;
    if (g5_cfg_map(c, m, "timers", false, &timers) == 1)
        g5_cfg_u32(c, timers, "t3512", false, 1, 35712000, &cfg->amf.t3512_s);
}

static int load_doc(g5_config *cfg, g5_ydoc *doc, FILE *err)
{
    g5_cfg c;
    g5_cfg_init(&c, doc, err);
    g5_ynode *root = doc->root;
    if (root && root->type != G5_YAML_MAP) {
        g5_cfg_error(&c, root, NULL,
                     "the configuration must be a map of sections "
                     "(log:, plmn:, amf:, store:)");
        return G5_ERR_CONFIG;
    }
    g5_ynode *m = NULL;
    if (g5_cfg_map(&c, root, "log", false, &m) == 1) {
        static const char *const levels[] = {"error", "warn", "notice", "info", "debug", NULL};
        g5_cfg_enum(&c, m, "level", false, levels, &cfg->log.level);
        g5_cfg_str(&c, m, "file", false, cfg->log.file, sizeof cfg->log.file);
    }
    load_plmn(&c, root, &cfg->plmn);
    load_amf(&c, root, cfg);
    if (g5_cfg_map(&c, root, "store", false, &m) == 1) {
        g5_cfg_str(&c, m, "path", false, cfg->store.path, sizeof cfg->store.path);
        g5_cfg_str(&c, m, "key_file", false, cfg->store.key_file, sizeof cfg->store.key_file);
    }
    g5_cfg_check_unknown(&c, root, NULL);
    return c.errors ? G5_ERR_CONFIG : 0;
}

int g5_config_load(g5_config *cfg, const char *path, FILE *err)
{
    g5_ydoc doc;
    char msg[512];
    int rc = g5_yaml_load_file(path, &doc, msg, sizeof msg);
    if (rc) {
        fprintf(err ? err : stderr, "%s\n", msg);
        return G5_ERR_CONFIG;
    }
    rc = load_doc(cfg, &doc, err);
    g5_yaml_free(&doc);
    return rc;
}

int g5_config_load_string(g5_config *cfg, const char *yaml, const char *name, FILE *err)
{
    g5_ydoc doc;
    char msg[512];
    int rc = g5_yaml_load_string(yaml, name, &doc, msg, sizeof msg);
    if (rc) {
        fprintf(err ? err : stderr, "%s\n", msg);
        return G5_ERR_CONFIG;
    }
    rc = load_doc(cfg, &doc, err);
    g5_yaml_free(&doc);
    return rc;
}
