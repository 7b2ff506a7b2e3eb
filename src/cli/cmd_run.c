/* `glass5g run`: the core network in one process. Opens the subscriber store (SQLite,
 * created with its key file at first start), creates UDR -> UDM -> AUSF -> AMF -> SMF
 * and (upf.enabled) the UPF on one libuv loop, the SMF reaching the UPF over real PFCP on
 * loopback; listens on N2 (SCTP, kernel or usrsctp) and runs until SIGINT/SIGTERM, then
 * frees everything. If the SMF or the UPF cannot start (e.g. no CAP_NET_ADMIN for the
 * UPF's TUN device) the error says what to change and the core runs without PDU sessions.
 * `--print-hn-keys` prints the SUCI home-network public keys (the UDM generates them at first
 * start) for configuring a UE / the simulator. */
#define G5_LOG_MODULE "run"
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/hex.h"
#include "core/log.h"
#include "nf/amf/amf.h"
#include "nf/config.h"
#include "nf/ctl/ctl.h"
#include "nf/smf/smf.h"
#include "nf/upf/upf_host.h"
#include "nf/upf/upf_main.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: glass5g run [-c glass5g.yaml] [--check] [--print-hn-keys] [--pcap FILE]\n"
               "                   [--nf upf]\n"
               "Runs the core network. -c names the configuration file (defaults are used\n"
               "without one); --check validates the configuration and exits;\n"
               "--print-hn-keys prints the SUCI home-network public keys (Profile A and B,\n"
               "generated in the store at first start) as JSON and exits; --pcap writes\n"
               "every NGAP message in and out to FILE; --nf upf runs only the UPF (the upf:\n"
               "section). Without --nf, the SMF and (upf.enabled, the default) the UPF run\n"
               "in this process; the UPF's N6 TUN device needs root or CAP_NET_ADMIN.\n");
}

typedef struct core {
    uv_loop_t loop;
    g5_store *st;
    udr *udr;
    udm *udm;
    ausf *ausf;
    amf *amf;
    smf *smf;
    upf_host *upf;
    corectl *ctl; /* operator control socket (docs/ctl.md) */
    corectl_env ctl_env;
} core;

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void core_down(core *c)
{
    corectl_stop(c->ctl);
    amf_free(c->amf); /* before the SMF: it releases its SM contexts there */
    smf_free(c->smf);
    upf_host_stop(c->upf);
    if (c->ausf)
        ausf_free(c->ausf);
    if (c->udm)
        udm_free(c->udm);
    uv_run(&c->loop, UV_RUN_NOWAIT); /* close the NFs' timer handles */
    uv_run(&c->loop, UV_RUN_NOWAIT);
    if (c->udr)
        udr_free(c->udr);
    if (c->st)
        g5_store_close(c->st);
    g5_sctp_global_cleanup(2000);
    uv_walk(&c->loop, close_handle, NULL); /* signal watchers */
    uv_run(&c->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&c->loop))
        G5_LOGW("event loop closed with handles still open");
}

/* UPF (in process, upf.enabled) then SMF; a failure leaves the core without PDU sessions
 * (the AMF answers 5GSM with 5GMM cause #90) after saying why. */
static void sessions_up(core *c, const g5_config *cfg)
{
    int rc = 0;
    if (cfg->upf.enabled && !(c->upf = upf_host_start(&c->loop, cfg, true, &rc))) {
        G5_LOGE("UPF not started (%s): PDU sessions will fail until a UPF answers at %s:%u",
                g5_strerror(rc), cfg->smf.upfs[0].address, cfg->smf.upfs[0].port);
    }
    c->smf = smf_new(&c->loop, c->udm, &cfg->smf, amf_smf_n1n2, c->amf);
    if (!c->smf || (rc = smf_start(c->smf)) != 0) {
        G5_LOGE("SMF not started (PFCP on %s:%u: %s; change smf.pfcp.address/port): no PDU "
                "sessions",
                cfg->smf.pfcp_addr, cfg->smf.pfcp_port, g5_strerror(c->smf ? rc : G5_ERR_CONFIG));
        smf_free(c->smf);
        c->smf = NULL;
        return;
    }
    amf_set_smf(c->amf, c->smf);
    G5_LOGI("SMF started: PFCP %s:%u, %d UPF(s), DNN %s", cfg->smf.pfcp_addr, cfg->smf.pfcp_port,
            cfg->smf.nupfs, cfg->smf.dnns[0].name);
}

static int core_up(core *c, const g5_config *cfg, bool with_amf)
{
    char err[256];
    memset(c, 0, sizeof *c);
    if (uv_loop_init(&c->loop))
        return G5_ERR_IO;
    if (g5_store_open_config(cfg, true, &c->st, err, sizeof err)) {
        fprintf(stderr, "glass5g run: store: %s\n", err);
        return G5_ERR_IO;
    }
    G5_LOGI("store %s open", cfg->store.path);
    if (!(c->udr = udr_new(c->st)))
        return G5_ERR_NOMEM;
    G5_LOGI("UDR started");
    udm_config ucfg = {0};
    if (!(c->udm = udm_new(&c->loop, c->udr, c->st, &ucfg, err, sizeof err))) {
        fprintf(stderr, "glass5g run: udm: %s\n", err);
        return G5_ERR_IO;
    }
    G5_LOGI("UDM started (SUCI home-network keys ready)");
    if (!with_amf)
        return 0;
    ausf_config acfg = {0};
    if (!(c->ausf = ausf_new(&c->loop, c->udm, &acfg)))
        return G5_ERR_NOMEM;
    G5_LOGI("AUSF started");
    if (!(c->amf = amf_new(&c->loop, cfg, c->udm, c->ausf, NULL)))
        return G5_ERR_NOMEM;
    sessions_up(c, cfg);
    return 0;
}

static int print_hn_keys(const g5_config *cfg)
{
    core c;
    int rc = core_up(&c, cfg, false);
    for (int p = G5_SUCI_PROFILE_A; rc == 0 && p <= G5_SUCI_PROFILE_B; p++) {
        uint8_t id, pub[G5_SUCI_PUB_MAX];
        size_t len;
        char hex[2 * G5_SUCI_PUB_MAX + 1];
        if ((rc = udm_hn_pubkey(c.udm, p, &id, pub, &len)) != 0)
            break;
        g5_hex_encode(pub, len, hex);
        printf("{\"profile\": \"%s\", \"hn_key_id\": %u, \"public_key\": \"%s\"}\n",
               p == G5_SUCI_PROFILE_A ? "A" : "B", id, hex);
    }
    core_down(&c);
    return rc ? G5_EXIT_FAIL : G5_EXIT_OK;
}

static int run(const g5_config *cfg, const char *pcap)
{
    core c;
    int rc = core_up(&c, cfg, true);
    if (rc == 0 && pcap && amf_pcap_open(c.amf, pcap)) {
        fprintf(stderr, "glass5g run: --pcap: cannot write '%s'\n", pcap);
        rc = G5_ERR_IO;
    }
    if (rc == 0) {
        g5_sctp_cfg scfg;
        g5_sctp_cfg_defaults(&scfg);
        scfg.backend = (g5_sctp_backend)cfg->amf.sctp_backend;
        scfg.udp_port = cfg->amf.usrsctp_udp_port;
        if ((rc = amf_n2_listen(c.amf, &scfg)) != 0)
            fprintf(stderr, "glass5g run: N2 listen on %s:%u failed: %s\n", cfg->amf.n2_addr,
                    cfg->amf.n2_port, g5_strerror(rc));
    }
    if (rc == 0 && cfg->ctl.enabled) {
        char err[256];
        c.ctl_env = (corectl_env){
            .cfg = cfg, .amf = c.amf, .smf = c.smf, .upf = c.upf, .started_ms = g5_clock_ms()};
        if (!(c.ctl = corectl_start(&c.loop, &c.ctl_env, err, sizeof err))) {
            fprintf(stderr, "glass5g run: control socket: %s\n", err);
            rc = G5_ERR_IO;
        }
    }
    if (rc == 0) {
        G5_LOGI("AMF %s started: N2 on %s:%u (SCTP %s), PLMN %s%s", cfg->amf.name, cfg->amf.n2_addr,
                amf_n2_port(c.amf),
                g5_sctp_backend_name(g5_sctp_resolve((g5_sctp_backend)cfg->amf.sctp_backend)),
                cfg->plmn.mcc, cfg->plmn.mnc);
        g5_loop_handle_signals(&c.loop);
        g5_loop_run(&c.loop);
        G5_LOGI("shutting down");
    }
    core_down(&c);
    return rc ? G5_EXIT_FAIL : G5_EXIT_OK;
}

/* --nf NAME: run one network function alone. */
static int run_one_nf(const char *nf, const g5_config *cfg)
{
    if (!strcmp(nf, "upf"))
        return upf_run(cfg) ? G5_EXIT_FAIL : G5_EXIT_OK;
    fprintf(stderr, "glass5g run: --nf %s: unknown network function (known: upf)\n", nf);
    return G5_EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
    const char *path = NULL, *pcap = NULL, *nf = NULL;
    int check = 0, keys = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return G5_EXIT_OK;
        } else if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(argv[i], "--pcap") && i + 1 < argc) {
            pcap = argv[++i];
        } else if (!strcmp(argv[i], "--nf") && i + 1 < argc) {
            nf = argv[++i];
        } else if (!strcmp(argv[i], "--check")) {
            check = 1;
        } else if (!strcmp(argv[i], "--print-hn-keys")) {
            keys = 1;
        } else {
            fprintf(stderr, "glass5g run: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return G5_EXIT_USAGE;
        }
    }
    g5_config cfg;
    g5_config_defaults(&cfg);
    if (path && g5_config_load(&cfg, path, stderr) != 0)
        return G5_EXIT_FAIL;
    g5_log_set_level((enum g5_log_level)cfg.log.level);
    if (cfg.log.file[0] && g5_log_set_file(cfg.log.file) != 0) {
        fprintf(stderr, "glass5g run: log.file: cannot open '%s' for append\n", cfg.log.file);
        return G5_EXIT_FAIL;
    }
    if (check) {
        printf("%s: configuration OK\n", path ? path : "(defaults)");
        return G5_EXIT_OK;
    }
    if (nf)
        return run_one_nf(nf, &cfg);
    if (keys)
        return print_hn_keys(&cfg);
    return run(&cfg, pcap);
}
