/* SQLite backend of the subscriber store (store.h), the embedded default.
 *
 * - One sqlite3 connection per g5_store handle; WAL journal (readers never block the
 *   writer), a busy timeout so concurrent writers queue instead of failing, prepared
 *   statements for every hot path.
 * - Schema versions: PRAGMA user_version holds the version; g5_sqlite_migrations[] are the
 *   ordered SQL steps, applied in one transaction on open and recorded in schema_history.
 *   A database newer than this code is refused, never "downgraded".
 * - K and OPc/OP are stored sealed with AES-256-GCM (crypt.h); store_meta.keycheck, a
 *   sealed constant, detects a wrong key file at open time.
 * - SQN read-modify-write is a single `UPDATE` whose new value comes from a per-connection
 *   SQL function calling the g5_sqn_update_fn (which also records the value it wrote): one
 *   statement is one atomic write transaction, so concurrent vector generation never
 *   reuses an SQN. A batch runs many of them in one BEGIN IMMEDIATE ... COMMIT.
 */
#include "store/sqlite.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "core/err.h"
#include "store/crypt.h"

const g5_sqlite_migration g5_sqlite_migrations[] = {
    {"subscriber table, store metadata, schema history",
     "CREATE TABLE subscriber ("
     " supi TEXT PRIMARY KEY NOT NULL,"
     " k BLOB NOT NULL," /* sealed (crypt.h) */
     " op BLOB NOT NULL," /* sealed OPc or OP */
     " op_kind TEXT NOT NULL CHECK (op_kind IN ('opc', 'op')),"
     " amf INTEGER NOT NULL CHECK (amf BETWEEN 0 AND 65535),"
     " sqn INTEGER NOT NULL CHECK (sqn BETWEEN 0 AND 281474976710655),"
     " auth_method TEXT NOT NULL CHECK (auth_method IN ('5g_aka', 'eap_aka_prime')),"
     " nssai TEXT NOT NULL," /* "1,2:000001" */
     " default_dnn TEXT NOT NULL,"
     " dnns TEXT NOT NULL," /* "internet,ims" */
     " ambr_ul INTEGER NOT NULL,"
     " ambr_dl INTEGER NOT NULL,"
     " created INTEGER NOT NULL,"
     " updated INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE TABLE store_meta (name TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)"
     " WITHOUT ROWID;"
     "CREATE TABLE schema_history (version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
     " applied INTEGER NOT NULL);"},
    {"MSISDN per subscriber, key-value records (SUCI home-network keys)",
     "ALTER TABLE subscriber ADD COLUMN msisdn TEXT NOT NULL DEFAULT '';"
     "CREATE INDEX subscriber_msisdn ON subscriber (msisdn) WHERE msisdn <> '';"
     "CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL,"
     " secret INTEGER NOT NULL CHECK (secret IN (0, 1))) WITHOUT ROWID;"},
};
const int g5_sqlite_schema_version =
    (int)(sizeof g5_sqlite_migrations / sizeof g5_sqlite_migrations[0]);

#define SUB_COLS \
    "supi, k, op, op_kind, amf, sqn, auth_method, nssai, default_dnn, dnns, ambr_ul, ambr_dl, " \
    "msisdn, created, updated"
#define SUB_VALS "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15"

enum stmt_id {
    S_GET,
    S_INSERT,
    S_UPSERT,
    S_UPDATE,
    S_DELETE,
    S_LIST,
    S_COUNT,
    S_SQN,
    S_KV_GET,
    S_KV_PUT,
    S_KV_DEL,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
    [S_GET] = "SELECT " SUB_COLS " FROM subscriber WHERE supi = ?1",
    [S_INSERT] = "INSERT INTO subscriber (" SUB_COLS ") VALUES (" SUB_VALS ")",
    /* --replace keeps `created` and never lowers the SQN (a re-imported provisioning
     * file must not make old authentication vectors fresh again). */
    [S_UPSERT] = "INSERT INTO subscriber (" SUB_COLS ") VALUES (" SUB_VALS ")"
                 " ON CONFLICT (supi) DO UPDATE SET k = excluded.k, op = excluded.op,"
                 " op_kind = excluded.op_kind, amf = excluded.amf,"
                 " sqn = max(sqn, excluded.sqn), auth_method = excluded.auth_method,"
                 " nssai = excluded.nssai, default_dnn = excluded.default_dnn,"
                 " dnns = excluded.dnns, ambr_ul = excluded.ambr_ul,"
                 " ambr_dl = excluded.ambr_dl, msisdn = excluded.msisdn,"
                 " updated = excluded.updated",
    [S_UPDATE] = "UPDATE subscriber SET k = ?2, op = ?3, op_kind = ?4, amf = ?5, sqn = ?6,"
                 " auth_method = ?7, nssai = ?8, default_dnn = ?9, dnns = ?10, ambr_ul = ?11,"
                 " ambr_dl = ?12, msisdn = ?13, updated = ?15 WHERE supi = ?1 AND ?14 IS NOT NULL",
    [S_DELETE] = "DELETE FROM subscriber WHERE supi = ?1",
    [S_LIST] = ("SELECT supi, NULL, NULL, op_kind, amf, sqn, auth_method, nssai, default_dnn,"
                " dnns, ambr_ul, ambr_dl, msisdn, created, updated FROM subscriber"
                " ORDER BY supi LIMIT ?1 OFFSET ?2"),
    [S_COUNT] = "SELECT count(*) FROM subscriber",
    /* No RETURNING: g5_sqn_apply records the value it wrote (sqn_new). A one-row UPDATE by
     * primary key without RETURNING needs no statement journal, so inside a group-commit
     * transaction each op costs no savepoint allocation (which, freed again per statement,
     * made glibc trim the worker thread's heap with madvise + TLB flushes every time). */
    [S_SQN] = "UPDATE subscriber SET sqn = g5_sqn_apply(sqn) WHERE supi = ?1",
    [S_KV_GET] = "SELECT value, secret FROM kv WHERE key = ?1",
    [S_KV_PUT] = ("INSERT INTO kv (key, value, secret) VALUES (?1, ?2, ?3) ON CONFLICT (key)"
                  " DO UPDATE SET value = excluded.value, secret = excluded.secret"),
    [S_KV_DEL] = "DELETE FROM kv WHERE key = ?1",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

typedef struct sqlite_store {
    g5_store base;
    sqlite3 *db;
    char path[256];
    uint8_t key[G5_MASTER_KEY_LEN];
    sqlite3_stmt *stmt[S__COUNT];
    /* the g5_sqn_update_fn of the running S_SQN statement (see sqn_apply) */
    g5_sqn_update_fn sqn_fn;
    void *sqn_arg;
    int sqn_rc;
    uint64_t sqn_new; /* the value sqn_apply returned */
    int busy_ms; /* give up waiting for the write lock after this long */
    struct timespec busy_start;
    unsigned busy_seed;
} sqlite_store;

static const char wrong_key_msg[] = "cannot decrypt subscriber data: wrong key file?";

static sqlite_store *impl(g5_store *st)
{
    return (sqlite_store *)st;
}

/* Maps an SQLite result to a g5_err with a message (SQLite messages never hold bound
 * parameter values, so no secret can leak through them). */
static int db_fail(sqlite_store *s, int src, const char *what)
{
    int rc = G5_ERR_IO;
    if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
        rc = G5_ERR_AGAIN;
    else if (src == SQLITE_NOMEM)
        rc = G5_ERR_NOMEM;
    else if ((src & 0xff) == SQLITE_CONSTRAINT)
        rc = G5_ERR_INVALID;
    return g5_store_fail(&s->base, rc, "store %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static sqlite3_stmt *stmt(sqlite_store *s, enum stmt_id id)
{
    sqlite3_stmt *q = s->stmt[id];
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return q;
}

static int exec_simple(sqlite_store *s, enum stmt_id id)
{
    sqlite3_stmt *q = stmt(s, id);
    int src = sqlite3_step(q);
    sqlite3_reset(q);
    return src == SQLITE_DONE ? 0 : db_fail(s, src, stmt_sql[id]);
}

static int begin(sqlite_store *s)
{
    return exec_simple(s, S_BEGIN);
}
static int commit(sqlite_store *s)
{
    return exec_simple(s, S_COMMIT);
}
static void rollback(sqlite_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        exec_simple(s, S_ROLLBACK);
}

/* --- record <-> row ------------------------------------------------------------------ */

static void nssai_to_text(const g5_subscriber *sub, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < sub->n_nssai && n < cap; i++) {
        const g5_snssai *sn = &sub->nssai[i];
        if (sn->sd == G5_SD_NONE)
            n += (size_t)snprintf(out + n, cap - n, "%s%u", i ? "," : "", sn->sst);
        else
            n += (size_t)snprintf(out + n, cap - n, "%s%u:%06" PRIx32, i ? "," : "", sn->sst,
                                  sn->sd);
    }
}

static void dnns_to_text(const g5_subscriber *sub, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < sub->n_dnns && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", sub->dnns[i]);
}

/* Splits a comma list; calls item() per element. */
static int split_list(const char *text, int max, int (*item)(const char *, int, void *), void *arg)
{
    char buf[G5_SUB_MAX_DNNS * G5_DNN_MAX + 16];
    if (strlen(text) >= sizeof buf)
        return G5_ERR_INVALID;
    strcpy(buf, text);
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n >= max || item(t, n, arg))
            return G5_ERR_INVALID;
        n++;
    }
    return n;
}

static int nssai_item(const char *t, int i, void *arg)
{
    return g5_snssai_parse(t, &((g5_subscriber *)arg)->nssai[i]);
}

static int dnn_item(const char *t, int i, void *arg)
{
    g5_subscriber *sub = arg;
    if (strlen(t) >= G5_DNN_MAX)
        return G5_ERR_INVALID;
    strcpy(sub->dnns[i], t);
    return 0;
}

static void col_text(sqlite3_stmt *q, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static int unseal_col(sqlite_store *s, sqlite3_stmt *q, int col, const char *supi,
                      const char *field, uint8_t out[16])
{
    size_t n = 0;
    int rc = g5_unseal(s->key, supi, field, sqlite3_column_blob(q, col),
                       (size_t)sqlite3_column_bytes(q, col), out, 16, &n);
    if (rc == G5_ERR_CRYPTO)
        return g5_store_fail(&s->base, rc, "%s (%s of %s)", wrong_key_msg, field, supi);
    if (rc || n != 16)
        return g5_store_fail(&s->base, G5_ERR_INVALID, "store %s: %s of %s is malformed", s->path,
                             field, supi);
    return 0;
}

/* Row (SUB_COLS order) -> record; secrets only when the row carries them. */
static int row_to_sub(sqlite_store *s, sqlite3_stmt *q, g5_subscriber *out)
{
    memset(out, 0, sizeof *out);
    col_text(q, 0, out->supi, sizeof out->supi);
    if (sqlite3_column_type(q, 1) != SQLITE_NULL) {
        int rc = unseal_col(s, q, 1, out->supi, "k", out->k);
        if (rc == 0)
            rc = unseal_col(s, q, 2, out->supi, "op", out->op);
        if (rc) {
            g5_subscriber_wipe(out);
            return rc;
        }
        out->has_secrets = true;
    }
    char text[G5_SUB_MAX_DNNS * G5_DNN_MAX + 16];
    col_text(q, 3, text, sizeof text);
    out->op_kind = !strcmp(text, "op") ? G5_OP_IS_OP : G5_OP_IS_OPC;
    int amf = sqlite3_column_int(q, 4);
    out->amf[0] = (uint8_t)(amf >> 8);
    out->amf[1] = (uint8_t)amf;
    out->sqn = (uint64_t)sqlite3_column_int64(q, 5);
    col_text(q, 6, text, sizeof text);
    int bad = g5_auth_method_parse(text, &out->auth_method);
    col_text(q, 7, text, sizeof text);
    out->n_nssai = split_list(text, G5_SUB_MAX_SLICES, nssai_item, out);
    col_text(q, 8, out->default_dnn, sizeof out->default_dnn);
    col_text(q, 9, text, sizeof text);
    out->n_dnns = split_list(text, G5_SUB_MAX_DNNS, dnn_item, out);
    out->ambr_ul = (uint64_t)sqlite3_column_int64(q, 10);
    out->ambr_dl = (uint64_t)sqlite3_column_int64(q, 11);
    col_text(q, 12, out->msisdn, sizeof out->msisdn);
    out->created = sqlite3_column_int64(q, 13);
    out->updated = sqlite3_column_int64(q, 14);
    if (bad || out->n_nssai < 0 || out->n_dnns < 0) {
        g5_subscriber_wipe(out);
        return g5_store_fail(&s->base, G5_ERR_INVALID, "store %s: record %s is malformed", s->path,
                             out->supi);
    }
    return 0;
}

/* Binds a record to ?1..?15 (SUB_COLS order), sealing K and OP with fresh nonces. */
static int bind_sub(sqlite_store *s, sqlite3_stmt *q, const g5_subscriber *sub, int64_t created,
                    int64_t updated)
{
    uint8_t k[16 + G5_SEAL_OVERHEAD], op[16 + G5_SEAL_OVERHEAD];
    size_t kn, opn;
    if (g5_seal(s->key, sub->supi, "k", sub->k, 16, k, sizeof k, &kn) ||
        g5_seal(s->key, sub->supi, "op", sub->op, 16, op, sizeof op, &opn))
        return g5_store_fail(&s->base, G5_ERR_CRYPTO, "store: encryption failed");
    char nssai[G5_SUB_MAX_SLICES * 16], dnns[G5_SUB_MAX_DNNS * G5_DNN_MAX + 16];
    nssai_to_text(sub, nssai, sizeof nssai);
    dnns_to_text(sub, dnns, sizeof dnns);
    int src = sqlite3_bind_text(q, 1, sub->supi, -1, SQLITE_TRANSIENT);
    src |= sqlite3_bind_blob(q, 2, k, (int)kn, SQLITE_TRANSIENT);
    src |= sqlite3_bind_blob(q, 3, op, (int)opn, SQLITE_TRANSIENT);
    src |= sqlite3_bind_text(q, 4, sub->op_kind == G5_OP_IS_OP ? "op" : "opc", -1, SQLITE_STATIC);
    src |= sqlite3_bind_int(q, 5, sub->amf[0] << 8 | sub->amf[1]);
    src |= sqlite3_bind_int64(q, 6, (sqlite3_int64)sub->sqn);
    src |= sqlite3_bind_text(q, 7, g5_auth_method_name(sub->auth_method), -1, SQLITE_STATIC);
    src |= sqlite3_bind_text(q, 8, nssai, -1, SQLITE_TRANSIENT);
    src |= sqlite3_bind_text(q, 9, sub->default_dnn, -1, SQLITE_TRANSIENT);
    src |= sqlite3_bind_text(q, 10, dnns, -1, SQLITE_TRANSIENT);
    src |= sqlite3_bind_int64(q, 11, (sqlite3_int64)sub->ambr_ul);
    src |= sqlite3_bind_int64(q, 12, (sqlite3_int64)sub->ambr_dl);
    src |= sqlite3_bind_text(q, 13, sub->msisdn, -1, SQLITE_TRANSIENT);
    src |= sqlite3_bind_int64(q, 14, created);
    src |= sqlite3_bind_int64(q, 15, updated);
    OPENSSL_cleanse(k, sizeof k); /* ciphertext, but keep the stack tidy */
    OPENSSL_cleanse(op, sizeof op);
    return src == SQLITE_OK ? 0 : db_fail(s, src, "bind");
}

/* --- subscriber operations ----------------------------------------------------------- */

static int get_locked(sqlite_store *s, const char *supi, g5_subscriber *out)
{
    sqlite3_stmt *q = stmt(s, S_GET);
    sqlite3_bind_text(q, 1, supi, -1, SQLITE_STATIC);
    int src = sqlite3_step(q), rc;
    if (src == SQLITE_ROW)
        rc = row_to_sub(s, q, out);
    else if (src == SQLITE_DONE)
        rc = g5_store_fail(&s->base, G5_ERR_NOT_FOUND, "subscriber %s does not exist", supi);
    else
        rc = db_fail(s, src, "read subscriber");
    sqlite3_reset(q);
    return rc;
}

static int sq_sub_get(g5_store *st, const char *supi, g5_subscriber *out)
{
    return get_locked(impl(st), supi, out);
}

static int write_one(sqlite_store *s, enum stmt_id id, const g5_subscriber *sub, int64_t now)
{
    sqlite3_stmt *q = stmt(s, id);
    int rc = bind_sub(s, q, sub, now, now);
    if (rc)
        return rc;
    int src = sqlite3_step(q);
    sqlite3_reset(q);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY)
        return g5_store_fail(&s->base, G5_ERR_EXISTS,
                             "subscriber %s already exists; use update, or import --replace",
                             sub->supi);
    if (src != SQLITE_DONE)
        return db_fail(s, src, "write subscriber");
    if (id == S_UPDATE && sqlite3_changes(s->db) != 1)
        return g5_store_fail(&s->base, G5_ERR_NOT_FOUND, "subscriber %s does not exist", sub->supi);
    return 0;
}

static int sq_sub_put(g5_store *st, const g5_subscriber *sub)
{
    sqlite_store *s = impl(st);
    return write_one(s, S_INSERT, sub, (int64_t)time(NULL));
}

static int sq_sub_update(g5_store *st, const g5_subscriber *sub, unsigned fields,
                         g5_subscriber *out)
{
    sqlite_store *s = impl(st);
    g5_subscriber cur;
    int rc = begin(s);
    if (rc)
        return rc;
    rc = get_locked(s, sub->supi, &cur);
    if (rc == 0) {
        g5_subscriber_merge(&cur, sub, fields);
        char why[200];
        if (g5_subscriber_validate(&cur, why, sizeof why))
            rc = g5_store_fail(st, G5_ERR_INVALID, "%s", why);
    }
    if (rc == 0) {
        cur.updated = (int64_t)time(NULL);
        rc = write_one(s, S_UPDATE, &cur, cur.updated);
    }
    if (rc == 0)
        rc = commit(s);
    if (rc)
        rollback(s);
    else if (out)
        *out = cur;
    g5_subscriber_wipe(&cur);
    return rc;
}

static int sq_sub_delete(g5_store *st, const char *supi)
{
    sqlite_store *s = impl(st);
    sqlite3_stmt *q = stmt(s, S_DELETE);
    sqlite3_bind_text(q, 1, supi, -1, SQLITE_STATIC);
    int src = sqlite3_step(q);
    sqlite3_reset(q);
    if (src != SQLITE_DONE)
        return db_fail(s, src, "delete subscriber");
    if (sqlite3_changes(s->db) == 0)
        return g5_store_fail(st, G5_ERR_NOT_FOUND, "subscriber %s does not exist", supi);
    return 0;
}

static int count_subs(sqlite_store *s, size_t *total)
{
    sqlite3_stmt *q = stmt(s, S_COUNT);
    int src = sqlite3_step(q);
    if (src == SQLITE_ROW)
        *total = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return src == SQLITE_ROW ? 0 : db_fail(s, src, "count subscribers");
}

static int sq_sub_list(g5_store *st, size_t offset, size_t limit, g5_subscriber *out, size_t *n,
                       size_t *total)
{
    sqlite_store *s = impl(st);
    *n = 0;
    if (limit > INT64_MAX || offset > INT64_MAX)
        return g5_store_fail(st, G5_ERR_INVALID, "list: limit/offset out of range");
    int rc = 0;
    /* A read transaction so the page and the total are one snapshot. */
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, sqlite3_errcode(s->db), "begin");
    if (total)
        rc = count_subs(s, total);
    sqlite3_stmt *q = stmt(s, S_LIST);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)limit);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)offset);
    int src = SQLITE_DONE;
    while (rc == 0 && (src = sqlite3_step(q)) == SQLITE_ROW && *n < limit)
        if ((rc = row_to_sub(s, q, &out[*n])) == 0)
            (*n)++;
    if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = db_fail(s, src, "list subscribers");
    sqlite3_reset(q);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

static int sq_sub_import(g5_store *st, const g5_subscriber *subs, size_t n, bool replace,
                         size_t *bad)
{
    sqlite_store *s = impl(st);
    int rc = begin(s);
    if (rc)
        return rc;
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = write_one(s, replace ? S_UPSERT : S_INSERT, &subs[i], now);
        if (rc && bad)
            *bad = i;
    }
    if (rc == 0)
        rc = commit(s);
    if (rc)
        rollback(s);
    return rc;
}

/* SQL function g5_sqn_apply(old): runs the caller's g5_sqn_update_fn inside the UPDATE. */
static void sqn_apply(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    sqlite_store *s = sqlite3_user_data(ctx);
    uint64_t old = (uint64_t)sqlite3_value_int64(argv[0]), next = 0;
    s->sqn_rc = (argc == 1 && s->sqn_fn) ? s->sqn_fn(old, &next, s->sqn_arg) : G5_ERR_STATE;
    if (s->sqn_rc == 0 && next > G5_SQN_MAX)
        s->sqn_rc = G5_ERR_LIMIT;
    if (s->sqn_rc)
        sqlite3_result_error(ctx, "sqn update refused", -1);
    else
        sqlite3_result_int64(ctx, (sqlite3_int64)next);
    s->sqn_new = next;
}

/* Runs S_SQN for one SUPI. *own is set when the failure is the op's own (unknown SUPI,
 * fn refused): the statement is undone but an enclosing transaction stays usable. */
static int sqn_one(sqlite_store *s, const char *supi, g5_sqn_update_fn fn, void *arg,
                   uint64_t *new_sqn, bool *own)
{
    s->sqn_fn = fn;
    s->sqn_arg = arg;
    s->sqn_rc = 0;
    *own = false;
    sqlite3_stmt *q = stmt(s, S_SQN);
    sqlite3_bind_text(q, 1, supi, -1, SQLITE_STATIC);
    int src = sqlite3_step(q), rc = 0;
    if (src == SQLITE_DONE && sqlite3_changes(s->db) == 1) {
        *new_sqn = s->sqn_new; /* outside a transaction: committed (fsync'd) here */
    } else if (src == SQLITE_DONE) {
        *own = true;
        rc = g5_store_fail(&s->base, G5_ERR_NOT_FOUND, "subscriber %s does not exist", supi);
    }
    if (rc == 0 && s->sqn_rc) {
        *own = true;
        rc = g5_store_fail(&s->base, s->sqn_rc, "sqn of %s: update refused (%s)", supi,
                           g5_strerror(s->sqn_rc));
    } else if (rc == 0 && src != SQLITE_DONE) {
        rc = db_fail(s, src, "sqn update");
    }
    sqlite3_reset(q);
    s->sqn_fn = NULL;
    return rc;
}

static int sq_sqn_update(g5_store *st, const char *supi, g5_sqn_update_fn fn, void *arg,
                         uint64_t *new_sqn)
{
    bool own;
    return sqn_one(impl(st), supi, fn, arg, new_sqn, &own);
}

/* Group commit (store.h): BEGIN IMMEDIATE, one UPDATE ... RETURNING per op, COMMIT. With
 * synchronous=FULL the COMMIT is the one fsync of the WAL for the whole batch. An op's own
 * failure aborts only its statement; any other error (I/O, busy, out of memory) rolls the
 * whole transaction back and fails every op, so no caller sees an SQN that is not durable. */
static int sq_sqn_update_batch(g5_store *st, g5_sqn_op *ops, size_t n)
{
    sqlite_store *s = impl(st);
    int rc = begin(s);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (ops[i].rc) /* refused by the wrapper */
            continue;
        bool own;
        ops[i].rc = sqn_one(s, ops[i].supi, ops[i].fn, ops[i].arg, &ops[i].new_sqn, &own);
        if (ops[i].rc && !own)
            rc = ops[i].rc;
        else if (sqlite3_get_autocommit(s->db)) /* SQLite rolled the transaction back */
            rc = g5_store_fail(st, G5_ERR_IO, "store %s: sqn batch: transaction aborted", s->path);
    }
    if (rc == 0)
        rc = commit(s);
    if (rc) {
        char msg[sizeof st->err];
        memcpy(msg, st->err, sizeof msg); /* keep the cause, not ROLLBACK's outcome */
        rollback(s);
        memcpy(st->err, msg, sizeof msg);
        for (size_t i = 0; i < n; i++)
            ops[i].rc = rc;
    }
    return rc;
}

/* --- key-value ----------------------------------------------------------------------- */

static int sq_kv_get(g5_store *st, const char *key, uint8_t *val, size_t cap, size_t *len)
{
    sqlite_store *s = impl(st);
    sqlite3_stmt *q = stmt(s, S_KV_GET);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int src = sqlite3_step(q), rc = 0;
    if (src == SQLITE_DONE) {
        rc = g5_store_fail(st, G5_ERR_NOT_FOUND, "kv: %s does not exist", key);
    } else if (src != SQLITE_ROW) {
        rc = db_fail(s, src, "kv read");
    } else {
        const uint8_t *b = sqlite3_column_blob(q, 0);
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        if (sqlite3_column_int(q, 1)) {
            char scope[160];
            snprintf(scope, sizeof scope, "kv:%s", key);
            rc = g5_unseal(s->key, scope, "value", b, n, val, cap, len);
            if (rc == G5_ERR_CRYPTO)
                rc = g5_store_fail(st, rc, "%s (kv %s)", wrong_key_msg, key);
            else if (rc)
                rc =
                    g5_store_fail(st, rc, "kv: %s is malformed or larger than %zu bytes", key, cap);
        } else if (n > cap) {
            rc = g5_store_fail(st, G5_ERR_TOO_LONG, "kv: %s is larger than %zu bytes", key, cap);
        } else {
            if (n)
                memcpy(val, b, n);
            *len = n;
        }
    }
    sqlite3_reset(q);
    return rc;
}

static int sq_kv_put(g5_store *st, const char *key, const uint8_t *val, size_t len, bool secret)
{
    sqlite_store *s = impl(st);
    uint8_t *sealed = NULL;
    size_t n = len;
    if (secret) {
        char scope[160];
        snprintf(scope, sizeof scope, "kv:%s", key);
        sealed = malloc(len + G5_SEAL_OVERHEAD);
        if (!sealed)
            return g5_store_fail(st, G5_ERR_NOMEM, "kv: out of memory");
        if (g5_seal(s->key, scope, "value", val, len, sealed, len + G5_SEAL_OVERHEAD, &n)) {
            free(sealed);
            return g5_store_fail(st, G5_ERR_CRYPTO, "kv: encryption failed");
        }
    }
    sqlite3_stmt *q = stmt(s, S_KV_PUT);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(q, 2, sealed ? sealed : val, (int)n, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, secret ? 1 : 0);
    int src = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    free(sealed);
    return src == SQLITE_DONE ? 0 : db_fail(s, src, "kv write");
}

static int sq_kv_delete(g5_store *st, const char *key)
{
    sqlite_store *s = impl(st);
    sqlite3_stmt *q = stmt(s, S_KV_DEL);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int src = sqlite3_step(q);
    sqlite3_reset(q);
    if (src != SQLITE_DONE)
        return db_fail(s, src, "kv delete");
    return sqlite3_changes(s->db)
               ? 0
               : g5_store_fail(st, G5_ERR_NOT_FOUND, "kv: %s does not exist", key);
}

static void sq_close(g5_store *st)
{
    sqlite_store *s = impl(st);
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    OPENSSL_cleanse(s->key, sizeof s->key);
    free(s);
}

static const g5_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .sub_get = sq_sub_get,
    .sub_put = sq_sub_put,
    .sub_update = sq_sub_update,
    .sub_delete = sq_sub_delete,
    .sub_list = sq_sub_list,
    .sub_import = sq_sub_import,
    .sqn_update = sq_sqn_update,
    .sqn_update_batch = sq_sqn_update_batch,
    .kv_get = sq_kv_get,
    .kv_put = sq_kv_put,
    .kv_delete = sq_kv_delete,
};

/* --- open: pragmas, migrations, master key ------------------------------------------- */

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    int src = sqlite3_step(q);
    if (src == SQLITE_ROW)
        *out = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return src == SQLITE_ROW ? 0 : -1;
}

/* Busy handler: SQLite's default one sleeps up to 100 ms between attempts, so a writer
 * that finds the lock held by a busy peer (who re-takes it microseconds after each
 * commit) can starve until the timeout. Short, jittered sleeps keep waiting writers in
 * the race; the total wait stays bounded by busy_ms. */
static int busy_wait(void *arg, int count)
{
    sqlite_store *s = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        s->busy_start = now;
    long waited_ms = (now.tv_sec - s->busy_start.tv_sec) * 1000 +
                     (now.tv_nsec - s->busy_start.tv_nsec) / 1000000;
    if (waited_ms >= s->busy_ms)
        return 0;
    unsigned jitter = (unsigned)rand_r(&s->busy_seed) % 200u;
    usleep(count < 100 ? 20 + jitter : 200 + 4 * jitter); /* µs */
    return 1;
}

static int configure(sqlite_store *s, int busy_ms, char *err, size_t errlen)
{
    sqlite3_extended_result_codes(s->db, 1);
    s->busy_ms = busy_ms > 0 ? busy_ms : 5000;
    s->busy_seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)s;
    sqlite3_busy_handler(s->db, busy_wait, s);
    sqlite3_stmt *q;
    const char *mode = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            mode = (const char *)sqlite3_column_text(q, 0);
        bool wal = mode && !strcmp(mode, "wal");
        sqlite3_finalize(q);
        if (wal)
            mode = "wal";
    }
    if (!mode || strcmp(mode, "wal") != 0) {
        snprintf(err, errlen, "store %s: cannot switch to WAL mode: %s", s->path,
                 sqlite3_errmsg(s->db));
        return G5_ERR_IO;
    }
    /* FULL: a committed SQN increment survives power loss, so it is never issued twice. */
    if (sqlite3_exec(s->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", NULL, NULL, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "store %s: %s", s->path, sqlite3_errmsg(s->db));
        return G5_ERR_IO;
    }
    return 0;
}

static int apply_step(sqlite_store *s, int v, char *err, size_t errlen)
{
    if (v < 0 || v >= g5_sqlite_schema_version)
        return G5_ERR_STATE;
    const g5_sqlite_migration *m = &g5_sqlite_migrations[v];
    char sql[160];
    if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "store %s: schema migration %d -> %d failed: %s", s->path, v, v + 1,
                 sqlite3_errmsg(s->db));
        return G5_ERR_IO;
    }
    sqlite3_stmt *q;
    int src = sqlite3_prepare_v2(s->db,
                                 "INSERT INTO schema_history (version, description, applied) "
                                 "VALUES (?1, ?2, ?3)",
                                 -1, &q, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_int(q, 1, v + 1);
        sqlite3_bind_text(q, 2, m->description, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)time(NULL));
        src = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_finalize(q);
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v + 1);
    if (src != SQLITE_OK || sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "store %s: schema migration %d -> %d failed: %s", s->path, v, v + 1,
                 sqlite3_errmsg(s->db));
        return G5_ERR_IO;
    }
    return 0;
}

static int migrate(sqlite_store *s, char *err, size_t errlen)
{
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "store %s: %s", s->path, sqlite3_errmsg(s->db));
        return G5_ERR_IO;
    }
    int v = 0, rc = 0;
    if (pragma_int(s->db, "PRAGMA user_version", &v)) {
        snprintf(err, errlen, "store %s: not a glass5g database: %s", s->path,
                 sqlite3_errmsg(s->db));
        rc = G5_ERR_IO;
    } else if (v > g5_sqlite_schema_version || v < 0) {
        snprintf(err, errlen,
                 "store %s: schema version %d is newer than this glass5g knows (%d); use the "
                 "glass5g release that wrote it, or restore a backup",
                 s->path, v, g5_sqlite_schema_version);
        rc = G5_ERR_UNSUPPORTED;
    }
    for (; rc == 0 && v < g5_sqlite_schema_version; v++)
        rc = apply_step(s, v, err, errlen);
    if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "store %s: %s", s->path, sqlite3_errmsg(s->db));
        rc = G5_ERR_IO;
    }
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* store_meta.keycheck = seal("glass5g store key check"): proves the key file matches. */
static const char keycheck_text[] = "glass5g store key check";

static int read_keycheck(sqlite_store *s, uint8_t *blob, size_t cap, size_t *n)
{
    sqlite3_stmt *q;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM store_meta WHERE name = 'keycheck'", -1, &q,
                           NULL) != SQLITE_OK)
        return G5_ERR_IO;
    int src = sqlite3_step(q);
    if (src == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(q, 0);
        if (len <= cap) {
            memcpy(blob, sqlite3_column_blob(q, 0), len);
            *n = len;
        }
    }
    sqlite3_finalize(q);
    return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : G5_ERR_IO;
}

static int write_keycheck(sqlite_store *s)
{
    uint8_t blob[sizeof keycheck_text + G5_SEAL_OVERHEAD];
    size_t n;
    if (g5_seal(s->key, "store", "keycheck", (const uint8_t *)keycheck_text, sizeof keycheck_text,
                blob, sizeof blob, &n))
        return G5_ERR_CRYPTO;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO store_meta (name, value) VALUES ('keycheck', ?1)",
                           -1, &q, NULL) != SQLITE_OK)
        return G5_ERR_IO;
    sqlite3_bind_blob(q, 1, blob, (int)n, SQLITE_STATIC);
    int src = sqlite3_step(q);
    sqlite3_finalize(q);
    return src == SQLITE_DONE ? 0 : G5_ERR_IO;
}

static int load_key(sqlite_store *s, const g5_store_params *p, char *err, size_t errlen)
{
    uint8_t blob[128], pt[sizeof keycheck_text];
    size_t n, ptn;
    if (read_keycheck(s, blob, sizeof blob, &n)) {
        snprintf(err, errlen, "store %s: %s", s->path, sqlite3_errmsg(s->db));
        return G5_ERR_IO;
    }
    /* A database holding data under some key never gets a fresh key silently. */
    bool create = p->create && n == 0;
    if (n && access(p->key_file, F_OK) != 0) {
        snprintf(err, errlen,
                 "key file %s does not exist, but %s holds data encrypted under a master key; "
                 "restore the key file (or pass the right --key-file)",
                 p->key_file, s->path);
        return G5_ERR_CONFIG;
    }
    int rc = g5_keyfile_load(p->key_file, create, s->key, NULL, err, errlen);
    if (rc)
        return rc;
    if (n == 0)
        rc = write_keycheck(s);
    else if (g5_unseal(s->key, "store", "keycheck", blob, n, pt, sizeof pt, &ptn) != 0 ||
             ptn != sizeof keycheck_text || memcmp(pt, keycheck_text, ptn) != 0)
        rc = G5_ERR_CRYPTO;
    if (rc == G5_ERR_CRYPTO)
        snprintf(err, errlen, "%s (%s does not match the key that encrypted %s)", wrong_key_msg,
                 p->key_file, s->path);
    else if (rc)
        snprintf(err, errlen, "store %s: cannot record the key check: %s", s->path,
                 sqlite3_errmsg(s->db));
    return rc;
}

static int prepare_all(sqlite_store *s, char *err, size_t errlen)
{
    if (sqlite3_create_function(s->db, "g5_sqn_apply", 1, SQLITE_UTF8, s, sqn_apply, NULL, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "store %s: %s", s->path, sqlite3_errmsg(s->db));
        return G5_ERR_IO;
    }
    for (int i = 0; i < S__COUNT; i++)
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK) {
            snprintf(err, errlen, "store %s: prepare failed: %s", s->path, sqlite3_errmsg(s->db));
            return G5_ERR_IO;
        }
    return 0;
}

int g5_store_sqlite_open(const g5_store_params *p, g5_store **out, char *err, size_t errlen)
{
    *out = NULL;
    struct stat sb;
    if (!p->create && stat(p->path, &sb) != 0) {
        snprintf(err, errlen,
                 "store %s does not exist; check --db / store.path, or add a subscriber first",
                 p->path);
        return G5_ERR_NOT_FOUND;
    }
    if (p->create) { /* a new database is private to its owner (SQLite copies the mode to
                      * the -wal and -shm files) */
        int fd = open(p->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "store: out of memory");
        return G5_ERR_NOMEM;
    }
    s->base.ops = &sqlite_ops;
    snprintf(s->path, sizeof s->path, "%s", p->path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (p->create ? SQLITE_OPEN_CREATE : 0);
    int rc = 0;
    if (sqlite3_open_v2(p->path, &s->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "store %s: cannot open: %s", p->path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        rc = G5_ERR_IO;
    }
    if (rc == 0)
        rc = configure(s, p->busy_timeout_ms, err, errlen);
    if (rc == 0)
        rc = migrate(s, err, errlen);
    if (rc == 0)
        rc = load_key(s, p, err, errlen);
    if (rc == 0)
        rc = prepare_all(s, err, errlen);
    if (rc) {
        sq_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}
