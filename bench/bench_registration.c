/* Registration benchmark (issue #8): the whole core and the simulator on this machine.
 *
 * For each SUCI protection scheme (null and Profile A by default) it
 *   1. writes a temporary configuration and store on disk (G5_BENCH_DIR, default /var/tmp:
 *      the SQN commits are fsync'd, tmpfs would hide that), imports N subscribers with
 *      `glass5g subscriber import` and reads the SUCI home-network key (--print-hn-keys);
 *   2. starts `glass5g run` (AMF, AUSF, UDM, UDR; N2 over usrsctp on loopback);
 *   3. runs `glass5g-sim load --ues N --rate R --procedure registration --json`, sampling
 *      the core's RSS and CPU time meanwhile;
 *   4. parses the simulator's JSON report and prints registrations/s, latency p50/p90/p99/
 *      max, failures, and the core's memory per registered idle UE: (RSS after the run -
 *      RSS before it) / N. The AMF keeps every registered UE (RM-REGISTERED, CM-IDLE) after
 *      the simulator's association goes away (amf_gnb_detach only unbinds them), so the
 *      after state is N idle UE contexts; it is an upper bound, since heap that carried
 *      transient buffers during the run stays in the RSS. The peak is printed too.
 * Baseline in the same run: the network-side crypto ceiling of one registration (SIDF
 * de-concealment with a prepared key for Profile A, MILENAGE, XRES*, KAUSF, HXRES*,
 * KSEAF, KAMF, KNASint/enc, KgNB, and the NAS protection of a registration: 4 NIA2 MACs,
 * 3 NEA2 ciphers), timed with src/crypto on one core as bench_crypto does, and the
 * ratio measured/ceiling. The UE side's crypto (the simulator's work, on the same 2 cores)
 * is printed too.
 *
 * Environment: G5_BENCH_UES (10000), G5_BENCH_RATE (20000 starts/s: saturates, so reg/s is
 * the capacity and the latency is under full load; lower it to see unloaded latency),
 * G5_BENCH_INFLIGHT (256: at 1000 the simulator counts a full usrsctp send buffer as a
 * failed procedure), G5_BENCH_SCHEMES ("null,A"; also "B"), G5_BENCH_DIR,
 * G5_BENCH_BIN (folder with glass5g and glass5g-sim; default: this program's folder/..),
 * G5_BENCH_KEEP=1 keeps the temporary folders (logs, reports).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "crypto/nas_algs.h"
#include "crypto/suci.h"

#define K_HEX "465b5ce8b199b49faa5f0a2ee238a6bc" /* TS 35.208 test set 1 */
#define OPC_HEX "cd63cb71954a9f4e48a5994e37a02baf"
#define SNN "5G:mnc001.mcc001.3gppnetwork.org"

typedef struct bench_cfg {
    long ues, rate, inflight;
    char schemes[32];
    char dir[256];
    char bin[PATH_MAX];
    bool keep;
} bench_cfg;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long env_long(const char *name, long def, long lo, long hi)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || x < lo || x > hi) {
        fprintf(stderr, "bench_registration: %s=%s: must be %ld..%ld; using %ld\n", name, v, lo, hi,
                def);
        return def;
    }
    return x;
}

/* ---- crypto ceiling ------------------------------------------------------------------ */

static volatile uint8_t sink;

typedef struct crypto_ctx {
    g5_suci suci;
    g5_suci_hn_key *hn;
    uint8_t pub[G5_SUCI_PUB_MAX];
    uint8_t k[16], opc[16], rand[16], sqn[6], amf[2];
    uint8_t msg[64];
} crypto_ctx;

/* NAS protection of one registration on one side: SMC, SMC Complete, Registration
 * Accept, Registration Complete integrity-protected; the last three ciphered. */
static void nas_protection(const uint8_t key[16], const uint8_t *msg)
{
    uint8_t mac[4], out[64];
    for (uint32_t i = 0; i < 4; i++)
        g5_nia(2, key, i, 1, (uint8_t)(i & 1), msg, 8 * 64, mac);
    for (uint32_t i = 0; i < 3; i++)
        g5_nea(2, key, i, 1, (uint8_t)(i & 1), msg, out, 8 * 64);
    sink ^= mac[0] ^ out[0];
}

/* UDM (SIDF + ARPF) + AUSF + AMF/SEAF work of one 5G-AKA registration. */
static void network_side(crypto_ctx *c, bool deconceal)
{
    g5_supi supi;
    if (deconceal)
        g5_suci_deconceal_with(&c->suci, c->hn, &supi);
    g5_milenage_av av;
    g5_milenage_generate(c->k, c->opc, c->rand, c->sqn, c->amf, &av);
    uint8_t xres_star[16], hxres[16], hres[16], kausf[32], kseaf[32], kamf[32], kint[16], kenc[16],
        kgnb[32];
    g5_kdf_res_star(av.ck, av.ik, SNN, c->rand, av.xres, 8, xres_star);
    g5_kdf_kausf(av.ck, av.ik, SNN, av.autn, kausf);
    g5_kdf_hres_star(c->rand, xres_star, hxres); /* AUSF */
    g5_kdf_kseaf(kausf, SNN, kseaf);
    g5_kdf_hres_star(c->rand, xres_star, hres); /* SEAF, from the UE's RES* */
    g5_kdf_kamf(kseaf, "001010000000001", (const uint8_t *)"\0\0", 2, kamf);
    g5_kdf_knas_int(kamf, 2, kint);
    g5_kdf_knas_enc(kamf, 2, kenc);
    g5_kdf_kgnb(kamf, 0, G5_ACCESS_3GPP, kgnb);
    nas_protection(kint, c->msg);
    sink ^= kgnb[0] ^ hres[0] ^ hxres[0] ^ kenc[0];
}

/* USIM + ME work of the same registration (the simulator's share of the CPU). */
static void ue_side(crypto_ctx *c, int scheme)
{
    g5_supi supi;
    g5_supi_parse("imsi-001010000000001", 2, &supi);
    g5_suci out;
    g5_suci_conceal(&supi, scheme, c->pub, g5_suci_pub_len(scheme), 1, "0", NULL, &out);
    g5_milenage_av av;
    g5_milenage_generate(c->k, c->opc, c->rand, c->sqn, c->amf, &av); /* its AUTN */
    uint8_t sqn[6], res[8], ck[16], ik[16], res_star[16], kausf[32], kseaf[32], kamf[32], kint[16];
    g5_milenage_check_autn(c->k, c->opc, c->rand, av.autn, sqn, res, ck, ik);
    g5_kdf_res_star(ck, ik, SNN, c->rand, res, 8, res_star);
    g5_kdf_kausf(ck, ik, SNN, av.autn, kausf);
    g5_kdf_kseaf(kausf, SNN, kseaf);
    g5_kdf_kamf(kseaf, "001010000000001", (const uint8_t *)"\0\0", 2, kamf);
    g5_kdf_knas_int(kamf, 2, kint);
    nas_protection(kint, c->msg);
    sink ^= res_star[0] ^ out.output[0];
}

/* µs per call, median of 5 rounds of n calls. */
static double time_us(crypto_ctx *c, int scheme, bool network, int n)
{
    double r[5];
    for (int k = 0; k < 5; k++) {
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
            if (network)
                network_side(c, scheme != G5_SUCI_NULL);
            else
                ue_side(c, scheme);
        }
        r[k] = (now_s() - t0) / n * 1e6;
    }
    for (int i = 0; i < 5; i++) /* insertion sort, 5 values */
        for (int j = i; j > 0 && r[j] < r[j - 1]; j--) {
            double t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
    return r[2];
}

static int crypto_setup(crypto_ctx *c, int scheme)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < 16; i++) {
        c->k[i] = (uint8_t)(0x46 + i);
        c->opc[i] = (uint8_t)(0xcd - i);
        c->rand[i] = (uint8_t)(0x23 * i);
    }
    c->amf[0] = 0x80;
    c->sqn[5] = 0x21;
    for (int i = 0; i < 64; i++)
        c->msg[i] = (uint8_t)(i * 7 + 1);
    if (scheme == G5_SUCI_NULL)
        scheme = G5_SUCI_PROFILE_A; /* the UE conceal below is skipped for null anyway */
    uint8_t priv[G5_SUCI_PRIV_LEN];
    g5_supi supi;
    int rc = g5_suci_keygen(scheme, priv, c->pub);
    if (!rc)
        rc = g5_suci_hn_key_new(scheme, priv, &c->hn);
    if (!rc)
        rc = g5_supi_parse("imsi-001010000000001", 2, &supi);
    if (!rc)
        rc =
            g5_suci_conceal(&supi, scheme, c->pub, g5_suci_pub_len(scheme), 1, "0", NULL, &c->suci);
    memset(priv, 0, sizeof priv);
    return rc;
}

/* ---- processes ----------------------------------------------------------------------- */

static int free_port(int type)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* fork + exec with stdout/stderr to files (NULL: inherit). */
static pid_t spawn(char *const argv[], const char *out, const char *err)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (out) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(127);
        close(fd);
    }
    if (err) {
        int fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(127);
        close(fd);
    }
    execv(argv[0], argv);
    _exit(127);
}

static int run_wait(char *const argv[], const char *out, const char *err)
{
    pid_t pid = spawn(argv, out, err);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long proc_status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

/* utime + stime of one task, in clock ticks. */
static long task_ticks(const char *stat_path)
{
    char buf[1024];
    FILE *f = fopen(stat_path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* comm may hold spaces */
    long ut = 0, st = 0;
    if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st) == 2)
        return ut + st;
    return 0;
}

/* CPU ticks of the main (event-loop) thread and of all threads of pid. */
static void proc_ticks(pid_t pid, long *main_thread, long *all)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)pid);
    *main_thread = task_ticks(path);
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    *all = task_ticks(path);
}

/* The core is ready when its usrsctp UDP port is bound (/proc/net/udp) and the log says
 * so at info level; polls up to 10 s. */
static bool wait_udp_bound(pid_t pid, int port)
{
    char want[8];
    snprintf(want, sizeof want, ":%04X", port);
    for (int i = 0; i < 1000; i++) {
        char line[512];
        FILE *f = fopen("/proc/net/udp", "r");
        bool found = false;
        while (f && !found && fgets(line, sizeof line, f)) {
            char *local = strchr(line, ':'); /* "sl:" then local "ADDR:PORT" */
            found = local && strstr(local + 1, want) && strstr(local + 1, want) < local + 20;
        }
        if (f)
            fclose(f);
        if (found)
            return true;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return false;
        usleep(10000);
    }
    return false;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static bool grep_count(const char *path, const char *needle, long *count)
{
    char line[1024];
    FILE *f = fopen(path, "r");
    bool found = false;
    while (f && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, needle);
        if (p) {
            found = true;
            const char *q = strstr(line, "association lost: ");
            if (q)
                *count = strtol(q + strlen("association lost: "), NULL, 10);
        }
    }
    if (f)
        fclose(f);
    return found;
}

/* ---- one scheme ---------------------------------------------------------------------- */

typedef struct run_result {
    double reg_s, elapsed, p50, p90, p99, max, mean;
    long started, ok, failed, unroutable;
    double rss_before_kb, rss_peak_kb, rss_after_kb, bytes_per_ue;
    long released;
    double core_cpu_us, core_loop_cpu_us, sim_cpu_us; /* per registration */
    double sim_peak_kb, sim_idle_bytes_per_ue; /* sim: peak RSS (wait4), idle UE (report) */
    double import_s;
    char failures[256];
} run_result;

static int parse_report(const char *path, run_result *r)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        fprintf(stderr, "bench_registration: %s: %s (line %d)\n", path, je.text, je.line);
        return -1;
    }
    json_t *proc = json_array_get(json_object_get(root, "procedures"), 0);
    json_t *tot = json_object_get(proc, "total");
    r->elapsed = json_number_value(json_object_get(root, "elapsed_s"));
    r->unroutable = (long)json_integer_value(json_object_get(root, "unroutable"));
    r->reg_s = json_number_value(json_object_get(proc, "per_second"));
    r->started = (long)json_integer_value(json_object_get(proc, "started"));
    r->ok = (long)json_integer_value(json_object_get(proc, "ok"));
    r->failed = (long)json_integer_value(json_object_get(proc, "failed"));
    r->p50 = json_number_value(json_object_get(tot, "p50_us"));
    r->p90 = json_number_value(json_object_get(tot, "p90_us"));
    r->p99 = json_number_value(json_object_get(tot, "p99_us"));
    r->max = json_number_value(json_object_get(tot, "max_us"));
    r->mean = json_number_value(json_object_get(tot, "mean_us"));
    r->sim_idle_bytes_per_ue =
        json_number_value(json_object_get(json_object_get(root, "memory"), "rss_bytes_per_ue"));
    const char *cause;
    json_t *v;
    size_t n = 0;
    r->failures[0] = 0;
    json_object_foreach(json_object_get(proc, "failures"), cause, v)
    {
        n += (size_t)snprintf(r->failures + n, n < sizeof r->failures ? sizeof r->failures - n : 0,
                              "%s%s=%lld", n ? ", " : "", cause, (long long)json_integer_value(v));
        if (n >= sizeof r->failures)
            break;
    }
    bool ok = proc && tot;
    json_decref(root);
    return ok ? 0 : -1;
}

static int make_configs(const bench_cfg *bc, const char *tmp, int n2, int udp)
{
    char path[PATH_MAX], text[1024];
    snprintf(path, sizeof path, "%s/glass5g.yaml", tmp);
    snprintf(text, sizeof text,
             "log: {level: notice}\n"
             "plmn: {mcc: \"001\", mnc: \"01\"}\n"
             "amf:\n"
             "  n2: {address: 127.0.0.1, port: %d, sctp: usrsctp, usrsctp_udp_port: %d}\n"
             "  tacs: [1]\n"
             "  slices: [{sst: 1}]\n"
             "store: {path: %s/glass5g.db, key_file: %s/glass5g.key}\n"
             "upf: {enabled: false}\n", /* registrations only: no TUN device */
             n2, udp, tmp, tmp);
    if (write_file(path, text))
        return -1;
    snprintf(path, sizeof path, "%s/subs.csv", tmp);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "supi,k,opc,amf,sqn\n");
    for (long i = 1; i <= bc->ues; i++)
        fprintf(f, "imsi-00101%010ld,%s,%s,8000,0\n", i, K_HEX, OPC_HEX);
    return fclose(f);
}

static int hn_key(const bench_cfg *bc, const char *tmp, const char *scheme, char *pub, size_t cap,
                  int *key_id)
{
    char g[PATH_MAX + 16], cfg[PATH_MAX], out[PATH_MAX], line[512];
    snprintf(g, sizeof g, "%s/glass5g", bc->bin);
    snprintf(cfg, sizeof cfg, "%s/glass5g.yaml", tmp);
    snprintf(out, sizeof out, "%s/hn-keys.json", tmp);
    char *argv[] = {g, "run", "-c", cfg, "--print-hn-keys", NULL};
    if (run_wait(argv, out, "/dev/null"))
        return -1;
    FILE *f = fopen(out, "r");
    char want[32];
    snprintf(want, sizeof want, "\"profile\": \"%s\"", scheme);
    int rc = -1;
    while (f && rc && fgets(line, sizeof line, f)) {
        char hex[160];
        const char *p = strstr(line, want);
        const char *id = strstr(line, "\"hn_key_id\": ");
        const char *pk = strstr(line, "\"public_key\": \"");
        if (p && id && pk && sscanf(pk + 15, "%159[0-9a-f]", hex) == 1 && strlen(hex) < cap) {
            *key_id = atoi(id + 13);
            snprintf(pub, cap, "%s", hex);
            rc = 0;
        }
    }
    if (f)
        fclose(f);
    return rc;
}

static int write_sim_cfg(const bench_cfg *bc, const char *tmp, const char *scheme, int n2, int udp,
                         const char *pub, int key_id)
{
    char path[PATH_MAX], text[2048], prot[256];
    if (!strcmp(scheme, "null"))
        snprintf(prot, sizeof prot, "  protection_scheme: null\n");
    else
        snprintf(prot, sizeof prot,
                 "  protection_scheme: %s\n  hn_public_key: %s\n  hn_key_id: %d\n", scheme, pub,
                 key_id);
    snprintf(path, sizeof path, "%s/sim.yaml", tmp);
    snprintf(text, sizeof text,
             "log: {level: notice}\n"
             "gnb:\n"
             "  mcc: \"001\"\n  mnc: \"01\"\n  tac: 1\n  slices: [{sst: 1}]\n"
             "  amf_addresses: [{address: 127.0.0.1, port: %d}]\n"
             "  n2: {address: 127.0.0.1, sctp: usrsctp, usrsctp_udp_port: %d}\n"
             "ue:\n"
             "  supi: imsi-001010000000001\n  count: %ld\n"
             "  key: %s\n  opc: %s\n  amf: \"8000\"\n  sqn: 0\n%s"
             "  slices: [{sst: 1}]\n  imeisv: \"4370816125816151\"\n"
             "ctl: {path: %s/sim.sock}\n",
             n2, udp, bc->ues, K_HEX, OPC_HEX, prot, tmp);
    return write_file(path, text);
}

/* Runs the simulator to completion while sampling the core's RSS (peak) every 5 ms. */
static int run_sim(const bench_cfg *bc, const char *tmp, pid_t core, run_result *r)
{
    char s[PATH_MAX + 16], cfg[PATH_MAX], out[PATH_MAX], err[PATH_MAX];
    char ues[24], rate[24], infl[24];
    snprintf(s, sizeof s, "%s/glass5g-sim", bc->bin);
    snprintf(cfg, sizeof cfg, "%s/sim.yaml", tmp);
    snprintf(out, sizeof out, "%s/report.json", tmp);
    snprintf(err, sizeof err, "%s/sim.log", tmp);
    snprintf(ues, sizeof ues, "%ld", bc->ues);
    snprintf(rate, sizeof rate, "%ld", bc->rate);
    snprintf(infl, sizeof infl, "%ld", bc->inflight);
    char *argv[] = {s,    "load",           "-c", cfg,           "--ues",        ues,      "--rate",
                    rate, "--max-inflight", infl, "--procedure", "registration", "--json", NULL};
    long loop0, all0, loop1 = 0, all1 = 0;
    proc_ticks(core, &loop0, &all0);
    pid_t pid = spawn(argv, out, err);
    if (pid < 0)
        return -1;
    int st = 0;
    struct rusage ru;
    for (;;) {
        pid_t w = wait4(pid, &st, WNOHANG, &ru);
        long rss = proc_status_kb(core, "VmRSS");
        if ((double)rss > r->rss_peak_kb)
            r->rss_peak_kb = (double)rss;
        if (w == pid)
            break;
        proc_ticks(core, &loop1, &all1); /* before the association drops */
        usleep(5000);
    }
    double tick_us = 1e6 / (double)sysconf(_SC_CLK_TCK);
    double n = (double)(bc->ues > 0 ? bc->ues : 1);
    r->core_loop_cpu_us = (double)(loop1 - loop0) * tick_us / n;
    r->core_cpu_us = (double)(all1 - all0) * tick_us / n;
    r->sim_peak_kb = (double)ru.ru_maxrss; /* kB on Linux */
    r->sim_cpu_us = ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)) /
                    n;
    if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
        fprintf(stderr, "bench_registration: glass5g-sim load failed (see %s)\n", err);
        return -1;
    }
    return parse_report(out, r);
}

static int run_scheme(const bench_cfg *bc, const char *scheme, run_result *r)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/g5reg.XXXXXX", bc->dir);
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return -1;
    }
    memset(r, 0, sizeof *r);
    int n2 = free_port(SOCK_STREAM), udp = free_port(SOCK_DGRAM), key_id = 0, rc = -1;
    char pub[160] = "", g[PATH_MAX + 16], cfg[PATH_MAX], csv[PATH_MAX], log[PATH_MAX];
    snprintf(g, sizeof g, "%s/glass5g", bc->bin);
    snprintf(cfg, sizeof cfg, "%s/glass5g.yaml", tmp);
    snprintf(csv, sizeof csv, "%s/subs.csv", tmp);
    snprintf(log, sizeof log, "%s/core.log", tmp);
    char *imp[] = {g, "subscriber", "import", "-c", cfg, csv, NULL};
    double t0 = now_s();
    if (make_configs(bc, tmp, n2, udp) || run_wait(imp, "/dev/null", log)) {
        fprintf(stderr, "bench_registration: import failed (see %s)\n", log);
        goto out;
    }
    r->import_s = now_s() - t0;
    if (strcmp(scheme, "null") && hn_key(bc, tmp, scheme, pub, sizeof pub, &key_id)) {
        fprintf(stderr, "bench_registration: no SUCI key for profile %s\n", scheme);
        goto out;
    }
    if (write_sim_cfg(bc, tmp, scheme, n2, udp, pub, key_id))
        goto out;
    char *run[] = {g, "run", "-c", cfg, NULL};
    pid_t core = spawn(run, log, log);
    if (core < 0 || !wait_udp_bound(core, udp)) {
        fprintf(stderr, "bench_registration: glass5g run did not start (see %s)\n", log);
        goto stop;
    }
    usleep(200000); /* N2 listen follows the usrsctp bind */
    r->rss_before_kb = (double)proc_status_kb(core, "VmRSS");
    if (run_sim(bc, tmp, core, r) == 0)
        rc = 0;
    usleep(500000); /* let the core handle the association loss */
    r->released = -1;
    grep_count(log, "association lost", &r->released);
    r->rss_after_kb = (double)proc_status_kb(core, "VmRSS");
    r->bytes_per_ue = (r->rss_after_kb - r->rss_before_kb) * 1024.0 / (double)bc->ues;
stop:
    if (core > 0) {
        kill(core, SIGTERM);
        waitpid(core, NULL, 0);
    }
out:
    if (!bc->keep) {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_registration: cleanup of %s failed\n", tmp);
    } else {
        printf("  (kept %s)\n", tmp);
    }
    return rc;
}

static int scheme_id(const char *s)
{
    return !strcmp(s, "A") ? G5_SUCI_PROFILE_A : !strcmp(s, "B") ? G5_SUCI_PROFILE_B : G5_SUCI_NULL;
}

static void print_result(const bench_cfg *bc, const char *scheme, const run_result *r)
{
    crypto_ctx c;
    int sid = scheme_id(scheme);
    double net = 0, ue = 0;
    if (crypto_setup(&c, sid) == 0) {
        net = time_us(&c, sid, true, 2000);
        ue = time_us(&c, sid, false, 2000);
    }
    g5_suci_hn_key_free(c.hn);
    printf("SUCI %s, %ld UEs, --rate %ld, --max-inflight %ld (subscriber import %.2f s)\n", scheme,
           bc->ues, bc->rate, bc->inflight, r->import_s);
    printf("  registrations/s          %10.0f   (%ld ok, %ld failed of %ld in %.2f s)\n", r->reg_s,
           r->ok, r->failed, r->started, r->elapsed);
    if (r->failed)
        printf("  failures                 %s\n", r->failures);
    printf("  latency (ms)             p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f\n",
           r->p50 / 1e3, r->p90 / 1e3, r->p99 / 1e3, r->max / 1e3, r->mean / 1e3);
    printf("  network crypto ceiling   %10.0f /s  (%.1f us per registration, one core)\n",
           net > 0 ? 1e6 / net : 0, net);
    printf("  measured / ceiling       %10.1f %%\n", net > 0 ? r->reg_s * net / 1e4 : 0);
    printf("  UE-side crypto (sim)     %10.1f us per registration\n", ue);
    printf("  core CPU per reg         %10.1f us (event-loop thread %.1f us, others %.1f us)\n",
           r->core_cpu_us, r->core_loop_cpu_us, r->core_cpu_us - r->core_loop_cpu_us);
    printf("  sim CPU per reg          %10.1f us\n", r->sim_cpu_us);
    printf("  core RSS                 %.1f MB before, %.1f MB peak, %.1f MB after (%ld still "
           "N2-connected at the end went to CM-IDLE)\n",
           r->rss_before_kb / 1024, r->rss_peak_kb / 1024, r->rss_after_kb / 1024, r->released);
    printf("  sim memory per UE        %10.0f bytes idle (RSS growth building the UEs), "
           "%.0f bytes at peak (peak RSS %.1f MB / %ld UEs)\n",
           r->sim_idle_bytes_per_ue, r->sim_peak_kb * 1024 / (double)(bc->ues ? bc->ues : 1),
           r->sim_peak_kb / 1024, bc->ues);
    printf("  core memory per idle UE  %10.0f bytes (RSS after - RSS before) / %ld registered\n",
           r->bytes_per_ue, bc->ues);
}

int main(int argc, char **argv)
{
    (void)argc;
    bench_cfg bc = {0};
    bc.ues = env_long("G5_BENCH_UES", 10000, 1, 1000000);
    bc.rate = env_long("G5_BENCH_RATE", 20000, 1, 10000000);
    bc.inflight = env_long("G5_BENCH_INFLIGHT", 256, 1, 1000000);
    snprintf(bc.schemes, sizeof bc.schemes, "%s",
             getenv("G5_BENCH_SCHEMES") ? getenv("G5_BENCH_SCHEMES") : "null,A");
    snprintf(bc.dir, sizeof bc.dir, "%s",
             getenv("G5_BENCH_DIR") ? getenv("G5_BENCH_DIR") : "/var/tmp");
    bc.keep = getenv("G5_BENCH_KEEP") && *getenv("G5_BENCH_KEEP") == '1';
    if (getenv("G5_BENCH_BIN")) {
        snprintf(bc.bin, sizeof bc.bin, "%s", getenv("G5_BENCH_BIN"));
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = 0;
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0; /* build/bench */
        snprintf(bc.bin, sizeof bc.bin, "%s/..", self);
    }
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof probe, "%s/glass5g-sim", bc.bin);
    if (access(probe, X_OK) != 0) {
        fprintf(stderr, "bench_registration: %s not found; set G5_BENCH_BIN\n", probe);
        return 1;
    }
    printf("bench_registration (%s): core and simulator on this machine (%ld cores), store in "
           "%s\n",
           argv[0], sysconf(_SC_NPROCESSORS_ONLN), bc.dir);
    int rc = 0;
    char *save = NULL;
    for (char *s = strtok_r(bc.schemes, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        if (strcmp(s, "null") && strcmp(s, "A") && strcmp(s, "B")) {
            fprintf(stderr, "bench_registration: scheme %s: use null, A or B\n", s);
            return 1;
        }
        run_result r;
        if (run_scheme(&bc, s, &r)) {
            rc = 1;
            continue;
        }
        print_result(&bc, s, &r);
        if (r.failed || r.ok != bc.ues)
            rc = 1;
    }
    return rc;
}
