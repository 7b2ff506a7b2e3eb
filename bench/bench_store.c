/* Subscriber store benchmark: what the UDR costs per registration.
 *
 *   import        rows/s of one bulk import transaction (10,000 subscribers)
 *   lookup        g5_store_sub_get of a random SUPI (SELECT + two AES-256-GCM decrypts)
 *   sqn_next      g5_sqn_next: one durable UPDATE ... RETURNING (synchronous=FULL, WAL)
 *   sqn batch B   g5_store_sqn_update_batch of B distinct subscribers: one transaction,
 *                 one fsync for B SQNs (group commit); SQNs/s for B = 1, 16, 256
 *   udm C/batch M generate-auth-data through the UDM with C requests outstanding (closed
 *                 loop: each callback submits the next), max_batch M = 1 (one fsync per
 *                 vector, the behaviour before group commit) or 256 (group commit):
 *                 vectors/s = SQN commits/s as the AUSF sees them, plus the commits made
 *
 * Baselines measured in the same run, same directory, same pragmas:
 *   sqlite empty txn      BEGIN; COMMIT on a raw connection (no write: no fsync)
 *   sqlite durable update UPDATE t SET v = v + 1 (one fsync'd WAL commit) = floor of sqn_next
 *   aes-256-gcm open 16B  OpenSSL decrypt of one 16-byte field = crypto share of a lookup
 * Usage: bench_store [DIR]  (default /tmp; the database lands in a fresh subdirectory).
 * Use a directory on disk (e.g. /var/tmp), not tmpfs: the fsync is what is measured.
 */
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "nf/udm/udm.h"
#include "nf/udr/udr.h"
#include "store/crypt.h"
#include "store/sqn.h"
#include "store/store.h"

#define N_SUBS 10000
#define N_LOOKUPS 50000
#define N_SQN 2000
#define N_EMPTY 100000
#define N_CRYPTO 200000
#define SECS_PER_RUN 2.0 /* each concurrency point runs this long */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *name, long n, double secs)
{
    printf("  %-28s %9ld ops %10.0f ns/op %12.0f ops/s\n", name, n, secs / (double)n * 1e9,
           (double)n / secs);
}

static void make_sub(g5_subscriber *s, unsigned i)
{
    g5_subscriber_defaults(s);
    snprintf(s->supi, sizeof s->supi, "imsi-00101%010u", i);
    RAND_bytes(s->k, 16);
    RAND_bytes(s->op, 16);
}

static int bench_baselines(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/baseline.db", dir);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);"
                     "INSERT INTO t VALUES (1, 0);",
                     NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    sqlite3_stmt *b, *c, *u;
    sqlite3_prepare_v2(db, "BEGIN", -1, &b, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &c, NULL);
    sqlite3_prepare_v2(db, "UPDATE t SET v = v + 1 WHERE id = 1", -1, &u, NULL);
    double t0 = now_s();
    for (int i = 0; i < N_EMPTY; i++) {
        sqlite3_step(b);
        sqlite3_reset(b);
        sqlite3_step(c);
        sqlite3_reset(c);
    }
    report("baseline sqlite empty txn", N_EMPTY, now_s() - t0);
    t0 = now_s();
    for (int i = 0; i < N_SQN; i++) {
        sqlite3_step(u);
        sqlite3_reset(u);
    }
    report("baseline sqlite durable upd", N_SQN, now_s() - t0);
    sqlite3_finalize(b);
    sqlite3_finalize(c);
    sqlite3_finalize(u);
    sqlite3_close(db);

    uint8_t key[32], pt[16] = {0}, blob[64], out[16];
    size_t n, m;
    RAND_bytes(key, sizeof key);
    g5_seal(key, "imsi-001010000000001", "k", pt, 16, blob, sizeof blob, &n);
    t0 = now_s();
    for (int i = 0; i < N_CRYPTO; i++)
        if (g5_unseal(key, "imsi-001010000000001", "k", blob, n, out, 16, &m))
            return 1;
    report("baseline aes-256-gcm open 16B", N_CRYPTO, now_s() - t0);
    return 0;
}

static int bench_store(g5_store *st)
{
    g5_subscriber *subs = calloc(N_SUBS, sizeof *subs);
    if (!subs)
        return 1;
    for (unsigned i = 0; i < N_SUBS; i++)
        make_sub(&subs[i], i + 1);
    double t0 = now_s();
    if (g5_store_sub_import(st, subs, N_SUBS, false, NULL)) {
        fprintf(stderr, "import: %s\n", g5_store_errmsg(st));
        return 1;
    }
    report("import (rows, 1 txn)", N_SUBS, now_s() - t0);

    g5_subscriber g;
    unsigned x = 12345;
    t0 = now_s();
    for (int i = 0; i < N_LOOKUPS; i++) {
        x = x * 1103515245u + 12345u;
        if (g5_store_sub_get(st, subs[(x >> 8) % N_SUBS].supi, &g))
            return 1;
    }
    report("lookup sub_get (random SUPI)", N_LOOKUPS, now_s() - t0);

    uint64_t sqn;
    t0 = now_s();
    for (int i = 0; i < N_SQN; i++)
        if (g5_sqn_next(st, subs[i % N_SUBS].supi, &sqn))
            return 1;
    report("sqn_next (durable RMW)", N_SQN, now_s() - t0);
    g5_subscriber_wipe(&g);

    /* group commit at the store: B SQNs of B different subscribers per transaction */
    static const size_t batch_sizes[] = {1, 16, 256};
    g5_sqn_op ops[256];
    for (size_t b = 0; b < sizeof batch_sizes / sizeof batch_sizes[0]; b++) {
        size_t bs = batch_sizes[b], done = 0, next = 0;
        t0 = now_s();
        while (now_s() - t0 < SECS_PER_RUN) {
            for (size_t i = 0; i < bs; i++, next++)
                g5_sqn_op_next(&ops[i], subs[next % N_SUBS].supi);
            if (g5_store_sqn_update_batch(st, ops, bs)) {
                fprintf(stderr, "sqn batch: %s\n", g5_store_errmsg(st));
                return 1;
            }
            done += bs;
        }
        char name[40];
        snprintf(name, sizeof name, "sqn batch of %zu (SQNs)", bs);
        report(name, (long)done, now_s() - t0);
    }
    free(subs);
    return 0;
}

/* ---- through the UDM: C requests outstanding, each callback submits the next ------- */

typedef struct udm_run {
    udm *u;
    uv_loop_t *loop;
    long done, failed, started;
    double until;
    unsigned next_sub;
} udm_run;

static void udm_submit(udm_run *r);

static void on_vector(void *arg, int rc, const udm_auth_info_result *res, const g5_sbi_problem *pd)
{
    (void)res;
    udm_run *r = arg;
    if (rc) {
        if (r->failed++ == 0)
            fprintf(stderr, "udm: %d %s %s\n", pd ? pd->status : 0, pd ? pd->cause : "",
                    pd ? pd->detail : "");
    } else {
        r->done++;
    }
    if (now_s() < r->until)
        udm_submit(r);
}

static void udm_submit(udm_run *r)
{
    udm_auth_info_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.supi_or_suci, sizeof req.supi_or_suci, "imsi-00101%010u",
             r->next_sub++ % N_SUBS + 1);
    snprintf(req.serving_network_name, sizeof req.serving_network_name,
             "5G:mnc001.mcc001.3gppnetwork.org");
    if (udm_ueau_get(r->u, &req, on_vector, r))
        r->started++;
}

static int bench_udm(g5_store *st)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    udr *ud = udr_new(st);
    static const size_t batch_max[] = {1, 256};
    static const int conc[] = {1, 16, 256};
    int rc = 0;
    /* before (max_batch 1) and after (256) side by side at each C, so disk speed drift
     * between runs touches both alike */
    for (size_t c = 0; rc == 0 && c < 3; c++)
        for (size_t m = 0; rc == 0 && m < 2; m++) {
            char err[256];
            udm_config cfg = {.max_batch = batch_max[m]};
            udm *u = udm_new(&loop, ud, st, &cfg, err, sizeof err);
            if (!u) {
                fprintf(stderr, "udm: %s\n", err);
                rc = 1;
                break;
            }
            udm_run r = {.u = u, .loop = &loop, .until = now_s() + SECS_PER_RUN};
            double t0 = now_s();
            for (int i = 0; i < conc[c]; i++)
                udm_submit(&r);
            while (r.done + r.failed < r.started)
                uv_run(&loop, UV_RUN_ONCE);
            double secs = now_s() - t0;
            udm_stats stats;
            udm_get_stats(u, &stats);
            char name[48];
            snprintf(name, sizeof name, "udm C=%d max_batch=%zu", conc[c], batch_max[m]);
            report(name, r.done, secs);
            printf("  %-28s %9" PRIu64 " commits %7.0f commits/s, %.1f vectors/commit\n", "",
                   stats.sqn_commits, (double)stats.sqn_commits / secs,
                   stats.sqn_commits ? (double)stats.sqn_vectors / (double)stats.sqn_commits : 0.0);
            rc = r.failed ? 1 : 0;
            udm_free(u);
            uv_run(&loop, UV_RUN_DEFAULT);
        }
    udr_free(ud);
    uv_loop_close(&loop);
    return rc;
}

int main(int argc, char **argv)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/g5bench.XXXXXX", argc > 1 ? argv[1] : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char db[300], key[300];
    snprintf(db, sizeof db, "%s/sub.db", dir);
    snprintf(key, sizeof key, "%s/master.key", dir);
    printf("bench_store: SQLite %s, WAL, synchronous=FULL, in %s\n", sqlite3_libversion(), dir);
    int rc = bench_baselines(dir);
    g5_store_params p = {.path = db, .key_file = key, .create = true};
    g5_store *st = NULL;
    char err[512];
    if (rc == 0 && g5_store_open(&p, &st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        rc = 1;
    }
    if (rc == 0)
        rc = bench_store(st);
    if (rc == 0)
        rc = bench_udm(st);
    g5_store_close(st);
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", dir);
    return rc;
}
