#include "nf/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/yaml.h"
#include "gtpu/gtpu_tnl.h"

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
    /* The UPF has a loopback address of its own (127.0.0.7, = smf.upfs[0]) so that the
     * SMF's PFCP port and a simulated gNB's GTP-U port on 127.0.0.1 do not collide. */
    cfg->upf.enabled = true;
    strcpy(cfg->upf.pfcp_addr, "127.0.0.7");
    cfg->upf.pfcp_port = 8805;
    strcpy(cfg->upf.n3_addr, "127.0.0.7");
    cfg->upf.n3_port = 2152;
    strcpy(cfg->upf.tun_name, "g5upf0");
    strcpy(cfg->upf.tun_addr, "10.45.0.1/16");
    strcpy(cfg->upf.tun_addr6, "2001:db8:cafe::1/48"); /* = smf.dnns[0].ipv6_pool */
    strcpy(cfg->upf.ue_pools[0], "10.45.0.0/16");
    strcpy(cfg->upf.ue_pools[1], "2001:db8:cafe::/48");
    cfg->upf.n_ue_pools = 2;
    cfg->upf.max_sessions = 4096;
    cfg->upf.err_ind_per_s = 100;
    g5_config_smf_defaults(&cfg->smf);
    cfg->ctl.enabled = true;
}

/* N3 addresses (TS 29.281 over IPv4 and/or IPv6): key4 takes an IPv4 or an IPv6 address,
 * key6 an IPv6 one, so `address: fd00::7` alone is an IPv6-only N3 and both keys a dual
 * one. Stored split by family into out4 / out6 ("" = none of that family). */
static void load_n3_addrs(g5_cfg *c, g5_ynode *m, const char *key4, const char *key6, char *out4,
                          char *out6, size_t cap)
{
    char a[64] = "", a6[64] = "";
    int r4 = g5_cfg_str(c, m, key4, false, a, sizeof a);
    int r6 = g5_cfg_str(c, m, key6, false, a6, sizeof a6);
    if (r4 < 0 || r6 < 0)
        return;
    g5_tnl_addr t = {0};
    if (r4 == 1 && a[0] && g5_tnl_add_text(&t, a)) {
        g5_cfg_error(c, g5_yaml_get(m, key4), NULL,
                     "'%s' is not an IPv4 or IPv6 address, e.g. 127.0.0.7 or fd00::7", a);
        return;
    }
    if (r6 == 1 && a6[0]) {
        uint8_t b[16];
        if (inet_pton(AF_INET6, a6, b) != 1) {
            g5_cfg_error(c, g5_yaml_get(m, key6), NULL,
                         "'%s' is not an IPv6 address, e.g. fd00::7 (IPv4 goes in %s)", a6, key4);
            return;
        }
        if (t.v6) {
            g5_cfg_error(c, g5_yaml_get(m, key6), NULL,
                         "%s is already IPv6 ('%s'); give the IPv4 address in %s, or drop %s", key4,
                         a, key4, key6);
            return;
        }
    }
    if (r4 == 1) { /* given: replaces the default of both families */
        snprintf(out4, cap, "%s", t.v4 ? a : "");
        snprintf(out6, cap, "%s", t.v6 ? a : "");
    }
    if (r6 == 1)
        snprintf(out6, cap, "%s", a6);
    if (!out4[0] && !out6[0])
        g5_cfg_error(c, m, key4, "N3 needs an address: give %s (IPv4 or IPv6) and/or %s", key4,
                     key6);
}

static void load_upf(g5_cfg *c, g5_ynode *root, g5_config *cfg)
{
    g5_ynode *m = NULL, *sub = NULL, *seq = NULL;
    uint32_t v;
    if (g5_cfg_map(c, root, "upf", false, &m) != 1)
        return;
    g5_cfg_bool(c, m, "enabled", false, &cfg->upf.enabled);
    if (g5_cfg_map(c, m, "pfcp", false, &sub) == 1) {
        g5_cfg_str(c, sub, "address", false, cfg->upf.pfcp_addr, sizeof cfg->upf.pfcp_addr);
        if (g5_cfg_u32(c, sub, "port", false, 1, 65535, &v) == 1)
            cfg->upf.pfcp_port = (uint16_t)v;
    }
    if (g5_cfg_map(c, m, "n3", false, &sub) == 1) {
        load_n3_addrs(c, sub, "address", "address6", cfg->upf.n3_addr, cfg->upf.n3_addr6,
                      sizeof cfg->upf.n3_addr);
        if (g5_cfg_u32(c, sub, "port", false, 1, 65535, &v) == 1)
            cfg->upf.n3_port = (uint16_t)v;
    }
    if (g5_cfg_map(c, m, "n6", false, &sub) == 1) {
        g5_cfg_str(c, sub, "tun", false, cfg->upf.tun_name, sizeof cfg->upf.tun_name);
        g5_cfg_str(c, sub, "address", false, cfg->upf.tun_addr, sizeof cfg->upf.tun_addr);
        g5_cfg_str(c, sub, "address6", false, cfg->upf.tun_addr6, sizeof cfg->upf.tun_addr6);
    }
    if (g5_cfg_seq(c, m, "ue_pools", false, &seq) == 1) {
        if (seq->n > G5_MAX_UE_POOLS)
            g5_cfg_error(c, seq, NULL, "at most %d pools", G5_MAX_UE_POOLS);
        cfg->upf.n_ue_pools = 0;
        for (size_t i = 0; i < seq->n && i < G5_MAX_UE_POOLS; i++)
            if (g5_cfg_node_str(c, seq->items[i], cfg->upf.ue_pools[i],
                                sizeof cfg->upf.ue_pools[i]) == 1)
                cfg->upf.n_ue_pools++;
    }
    if (g5_cfg_map(c, m, "limits", false, &sub) == 1) {
        g5_cfg_u32(c, sub, "sessions", false, 1, 1000000, &cfg->upf.max_sessions);
        g5_cfg_u32(c, sub, "error_indications_per_s", false, 1, 1000000, &cfg->upf.err_ind_per_s);
    }
}

/* ---- smf: section ---- */

void g5_config_smf_defaults(g5_smf_config *smf)
{
    memset(smf, 0, sizeof *smf);
    strcpy(smf->pfcp_addr, "127.0.0.1");
    smf->pfcp_port = 8805;
    smf->nupfs = 1;
    strcpy(smf->upfs[0].address, "127.0.0.7");
    smf->upfs[0].port = 8805;
    strcpy(smf->upfs[0].n3_addr, "127.0.0.7");
    smf->ndnns = 1;
    g5_smf_dnn_cfg *d = &smf->dnns[0];
    strcpy(d->name, "internet");
    strcpy(d->ipv4_pool, "10.45.0.0/16");
    strcpy(d->ipv6_pool, "2001:db8:cafe::/48");
    strcpy(d->dns4[0], "8.8.8.8");
    strcpy(d->dns6[0], "2001:4860:4860::8888");
    d->mtu = 1400;
    d->ambr_ul = 100000000;
    d->ambr_dl = 200000000;
    smf->default_5qi = 9; /* TS 23.501 Table 5.7.4-1: non-GBR, default bearer-like */
    smf->arp_priority = 8;
    smf->arp_preempt_cap = false;
    smf->arp_preempt_vuln = true;
    smf->heartbeat_s = 10;
    smf->t1_ms = 3000;
    smf->n1 = 3;
}

static void load_smf_strlist(g5_cfg *c, g5_ynode *m, const char *key, char (*out)[G5_SMF_DNN_MAX],
                             int max, int *n)
{
    g5_ynode *seq = NULL;
    if (g5_cfg_seq(c, m, key, false, &seq) != 1)
        return;
    if (seq->n > (size_t)max)
        g5_cfg_error(c, seq, NULL, "at most %d entries", max);
    *n = 0;
    for (size_t i = 0; i < seq->n && i < (size_t)max; i++)
        if (g5_cfg_node_str(c, seq->items[i], out[*n], G5_SMF_DNN_MAX) == 1)
            (*n)++;
}

static void load_smf_slices(g5_cfg *c, g5_ynode *m, g5_snssai *out, int *n)
{
    g5_ynode *seq = NULL;
    if (g5_cfg_seq(c, m, "slices", false, &seq) != 1)
        return;
    *n = 0;
    for (size_t i = 0; i < seq->n && i < G5_MAX_SLICES; i++) {
        g5_ynode *s = seq->items[i];
        if (s->type != G5_YAML_MAP) {
            g5_cfg_error(c, s, NULL, "must be a map like {sst: 1, sd: 0x000001}");
            continue;
        }
        uint32_t sst = 1, sd = 0xFFFFFF;
        g5_cfg_u32(c, s, "sst", true, 0, 255, &sst);
        g5_cfg_u32(c, s, "sd", false, 0, 0xFFFFFF, &sd);
        out[(*n)++] = (g5_snssai){.sst = (uint8_t)sst, .sd = sd};
    }
}

static void load_smf_upf(g5_cfg *c, g5_ynode *u, g5_smf_upf_cfg *o)
{
    uint32_t port;
    memset(o, 0, sizeof *o);
    o->port = 8805;
    if (u->type != G5_YAML_MAP) {
        g5_cfg_error(c, u, NULL, "must be a map like {address: 127.0.0.7, dnns: [internet]}");
        return;
    }
    g5_cfg_str(c, u, "address", true, o->address, sizeof o->address);
    strcpy(o->n3_addr, o->address);
    load_n3_addrs(c, u, "n3_address", "n3_address6", o->n3_addr, o->n3_addr6, sizeof o->n3_addr);
    if (g5_cfg_u32(c, u, "port", false, 1, 65535, &port) == 1)
        o->port = (uint16_t)port;
    load_smf_strlist(c, u, "dnns", o->dnns, G5_SMF_MAX_DNNS, &o->ndnns);
    load_smf_slices(c, u, o->slices, &o->nslices);
}

static void load_smf_dnn(g5_cfg *c, g5_ynode *n, g5_smf_dnn_cfg *d)
{
    uint32_t v;
    memset(d, 0, sizeof *d);
    if (n->type != G5_YAML_MAP) {
        g5_cfg_error(c, n, NULL, "must be a map like {name: internet, ipv4_pool: 10.45.0.0/16}");
        return;
    }
    g5_cfg_str(c, n, "name", true, d->name, sizeof d->name);
    g5_cfg_str(c, n, "ipv4_pool", false, d->ipv4_pool, sizeof d->ipv4_pool);
    g5_cfg_str(c, n, "ipv6_pool", false, d->ipv6_pool, sizeof d->ipv6_pool);
    g5_cfg_str(c, n, "dns4", false, d->dns4[0], sizeof d->dns4[0]);
    g5_cfg_str(c, n, "dns4_secondary", false, d->dns4[1], sizeof d->dns4[1]);
    g5_cfg_str(c, n, "dns6", false, d->dns6[0], sizeof d->dns6[0]);
    g5_cfg_str(c, n, "dns6_secondary", false, d->dns6[1], sizeof d->dns6[1]);
    if (g5_cfg_u32(c, n, "mtu", false, 0, 65535, &v) == 1)
        d->mtu = (uint16_t)v;
    g5_cfg_u64(c, n, "ambr_ul", false, 1000, UINT64_C(1) << 50, &d->ambr_ul);
    g5_cfg_u64(c, n, "ambr_dl", false, 1000, UINT64_C(1) << 50, &d->ambr_dl);
    if (!d->ambr_ul)
        d->ambr_ul = 100000000;
    if (!d->ambr_dl)
        d->ambr_dl = 100000000;
    if (!d->ipv4_pool[0] && !d->ipv6_pool[0])
        g5_cfg_error(c, n, NULL, "needs ipv4_pool or ipv6_pool (or both)");
}

/* Returns true when smf.upfs was given. */
static bool load_smf(g5_cfg *c, g5_ynode *root, g5_smf_config *smf)
{
    g5_ynode *m = NULL, *seq = NULL;
    uint32_t v;
    bool upfs = false;
    if (g5_cfg_map(c, root, "smf", false, &m) != 1)
        return false;
    g5_ynode *pfcp = NULL;
    if (g5_cfg_map(c, m, "pfcp", false, &pfcp) == 1) {
        g5_cfg_str(c, pfcp, "address", false, smf->pfcp_addr, sizeof smf->pfcp_addr);
        if (g5_cfg_u32(c, pfcp, "port", false, 1, 65535, &v) == 1)
            smf->pfcp_port = (uint16_t)v;
        g5_cfg_u32(c, pfcp, "heartbeat", false, 1, 3600, &smf->heartbeat_s);
        g5_cfg_u32(c, pfcp, "t1_ms", false, 10, 60000, &smf->t1_ms);
        g5_cfg_u32(c, pfcp, "n1", false, 0, 10, &smf->n1);
    }
    if (g5_cfg_seq(c, m, "upfs", false, &seq) == 1) {
        upfs = true;
        if (seq->n == 0 || seq->n > G5_SMF_MAX_UPFS)
            g5_cfg_error(c, seq, NULL, "must list 1 to %d UPFs", G5_SMF_MAX_UPFS);
        smf->nupfs = 0;
        for (size_t i = 0; i < seq->n && i < G5_SMF_MAX_UPFS; i++)
            load_smf_upf(c, seq->items[i], &smf->upfs[smf->nupfs++]);
    }
    if (g5_cfg_seq(c, m, "dnns", false, &seq) == 1) {
        if (seq->n == 0 || seq->n > G5_SMF_MAX_DNNS)
            g5_cfg_error(c, seq, NULL, "must list 1 to %d DNNs", G5_SMF_MAX_DNNS);
        smf->ndnns = 0;
        for (size_t i = 0; i < seq->n && i < G5_SMF_MAX_DNNS; i++)
            load_smf_dnn(c, seq->items[i], &smf->dnns[smf->ndnns++]);
    }
    if (g5_cfg_u32(c, m, "default_5qi", false, 1, 255, &v) == 1)
        smf->default_5qi = (uint8_t)v;
    g5_ynode *arp = NULL;
    if (g5_cfg_map(c, m, "arp", false, &arp) == 1) {
        if (g5_cfg_u32(c, arp, "priority", false, 1, 15, &v) == 1)
            smf->arp_priority = (uint8_t)v;
        g5_cfg_bool(c, arp, "preempt_cap", false, &smf->arp_preempt_cap);
        g5_cfg_bool(c, arp, "preempt_vuln", false, &smf->arp_preempt_vuln);
    }
    return upfs;
}

/* Without an smf.upfs list, the SMF talks to the UPF of the upf: section (hosted in the
 * same process by `glass5g run`). */
static void smf_upf_from_upf_section(g5_config *cfg)
{
    g5_smf_upf_cfg *u = &cfg->smf.upfs[0];
    memset(u, 0, sizeof *u);
    snprintf(u->address, sizeof u->address, "%s", cfg->upf.pfcp_addr);
    u->port = cfg->upf.pfcp_port;
    snprintf(u->n3_addr, sizeof u->n3_addr, "%s", cfg->upf.n3_addr);
    snprintf(u->n3_addr6, sizeof u->n3_addr6, "%s", cfg->upf.n3_addr6);
    cfg->smf.nupfs = 1;
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
    if (g5_cfg_map(c, m, "timers", false, &timers) == 1) {
        g5_cfg_u32(c, timers, "t3512", false, 1, 35712000, &cfg->amf.t3512_s);
        g5_cfg_u32(c, timers, "t3513", false, 10, 600000, &cfg->amf.t3513_ms); /* ms */
        g5_cfg_u32(c, timers, "paging_retransmissions", false, 1, 16, &cfg->amf.paging_retx);
    }
}

static int load_doc(g5_config *cfg, g5_ydoc *doc, FILE *err)
{
    g5_cfg c;
    g5_cfg_init(&c, doc, err);
    g5_ynode *root = doc->root;
    if (root && root->type != G5_YAML_MAP) {
        g5_cfg_error(&c, root, NULL,
                     "the configuration must be a map of sections "
                     "(log:, plmn:, amf:, smf:, upf:, store:, ctl:)");
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
    load_upf(&c, root, cfg);
    if (!load_smf(&c, root, &cfg->smf))
        smf_upf_from_upf_section(cfg);
    if (g5_cfg_map(&c, root, "store", false, &m) == 1) {
        g5_cfg_str(&c, m, "path", false, cfg->store.path, sizeof cfg->store.path);
        g5_cfg_str(&c, m, "key_file", false, cfg->store.key_file, sizeof cfg->store.key_file);
    }
    if (g5_cfg_map(&c, root, "ctl", false, &m) == 1) { /* docs/ctl.md */
        static const char *const modes[] = {"0600", "0660", NULL};
        g5_cfg_bool(&c, m, "enabled", false, &cfg->ctl.enabled);
        g5_cfg_str(&c, m, "socket", false, cfg->ctl.socket, sizeof cfg->ctl.socket);
        g5_cfg_enum(&c, m, "mode", false, modes, &cfg->ctl.mode);
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
