/*
 * baseline_pg.c - the PostgreSQL row's yardstick: the bulk workload
 * (bulk_workload.h) loaded with plain libpq, with no host and no plugin, the
 * way a careful hand-written loader would do it. Per BULK_BATCH operations,
 * in one transaction:
 *
 *   1. COPY (text format) every operation into a temporary staging table,
 *      numbered by an ordinal, with its kind and whether val1 is given;
 *   2. merge the upserts: the last upsert of each key, INSERT ... ON CONFLICT;
 *   3. merge the partial updates and deletes that come after the last upsert
 *      of their key, folded per key, with one UPDATE ... FROM;
 *   4. write the state row, and commit; the staging table empties itself at
 *      commit (ON COMMIT DELETE ROWS).
 *
 * The durability is the server's (the benchmark's server runs with fsync=on
 * and synchronous_commit=on), the same for this program and the host.
 *
 * Usage: baseline_pg N SCHEMA [CONNINFO]
 *        baseline_pg --verify N SCHEMA [CONNINFO]
 * CONNINFO is a libpq connection string or URI; without it, libpq's
 * environment (PGHOST, PGUSER, PGDATABASE, ...) applies. --verify checks that
 * the table in SCHEMA is what a finished run of N implies, and exits 1 if not.
 * --test-merge checks the merge statements against applying each operation
 * in turn, on TRIALS random batches, in NEW_SCHEMA (created, then dropped).
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulk_workload.h"

/*
 * The staging table. kind holds enum bulk_phase: 0 upsert, 1 partial update,
 * 2 delete. has_val1 says whether a partial update gives val1, so that a
 * given NULL and an absent column stay different. ON COMMIT DELETE ROWS
 * empties it at each commit without a TRUNCATE round trip.
 */
static const char create_stage_sql[] =
    "CREATE TEMPORARY TABLE stage (ord bigint NOT NULL, kind smallint NOT NULL, "
    "id text NOT NULL, val1 text, has_val1 boolean NOT NULL, val2 integer, "
    "synced timestamptz NOT NULL) ON COMMIT DELETE ROWS";

static const char copy_sql[] =
    "COPY stage (ord, kind, id, val1, has_val1, val2, synced) FROM STDIN";

/*
 * Upserts: only the last upsert of a key counts (an upsert replaces every
 * column), and ON CONFLICT may not touch a row twice in one statement, hence
 * DISTINCT ON with the highest ordinal first.
 */
static const char merge_upserts_sql[] =
    "INSERT INTO three (id, val1, val2, _fivetran_synced, _fivetran_deleted) "
    "SELECT DISTINCT ON (id) id, val1, val2, synced, false FROM stage WHERE kind = 0 "
    "ORDER BY id, ord DESC "
    "ON CONFLICT (id) DO UPDATE SET val1 = excluded.val1, val2 = excluded.val2, "
    "_fivetran_synced = excluded._fivetran_synced, _fivetran_deleted = false";

/*
 * Partial updates and deletes, run after the upserts. An operation before the
 * last upsert of its key in this batch is overwritten by that upsert, so it is
 * left out; the rest are folded per key in ordinal order: val1 from the last
 * update that gives it, deleted if any delete, _fivetran_synced from the last
 * operation. An update does not undelete a row, as in the SQLite baseline.
 * Keys that are in neither the table nor the batch's upserts match no row,
 * just as a plain UPDATE of a missing row does nothing.
 */
static const char merge_changes_sql[] =
    "UPDATE three t SET val1 = CASE WHEN c.has_val1 THEN c.val1 ELSE t.val1 END, "
    "_fivetran_deleted = t._fivetran_deleted OR c.deleted, _fivetran_synced = c.synced "
    "FROM (SELECT s.id, bool_or(s.kind = 1 AND s.has_val1) AS has_val1, "
    "(array_agg(s.val1 ORDER BY s.ord DESC) FILTER (WHERE s.kind = 1 AND s.has_val1))[1] "
    "AS val1, bool_or(s.kind = 2) AS deleted, "
    "(array_agg(s.synced ORDER BY s.ord DESC))[1] AS synced "
    "FROM stage s LEFT JOIN (SELECT id, max(ord) AS ord FROM stage WHERE kind = 0 "
    "GROUP BY id) u ON u.id = s.id "
    "WHERE s.kind <> 0 AND (u.ord IS NULL OR s.ord > u.ord) GROUP BY s.id) c "
    "WHERE t.id = c.id";

static const char state_sql[] =
    "INSERT INTO _connector_state (connector, state, updated_at) VALUES ('bulk', $1, now()) "
    "ON CONFLICT (connector) DO UPDATE SET state = excluded.state, "
    "updated_at = excluded.updated_at";

/* COPY data is sent in chunks of this size: large enough to keep round trips rare. */
#define COPY_CHUNK 65536

typedef struct copy_buf {
    char data[COPY_CHUNK];
    size_t len;
} copy_buf;

/* Reports a failed step with the server's or libpq's message; returns -1. */
static int fail(PGconn *conn, const char *what)
{
    const char *msg = PQerrorMessage(conn);
    size_t len = strlen(msg);
    while (len > 0 && msg[len - 1] == '\n') /* libpq's messages end in a newline */
        len--;
    fprintf(stderr, "baseline_pg: %s: %.*s\n", what, (int)len, msg);
    return -1;
}

/* Runs a statement without parameters; `what` names the step in an error. */
static int exec(PGconn *conn, const char *sql, const char *what)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : fail(conn, what);
    PQclear(res);
    return rc;
}

/* Creates SCHEMA, the tables and the staging table, and makes SCHEMA the search path. */
static int setup(PGconn *conn, const char *schema)
{
    char *ident = PQescapeIdentifier(conn, schema, strlen(schema));
    char sql[512];
    int rc = -1;
    if (ident == NULL)
        return fail(conn, "quoting the schema name");
    snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", ident);
    if (exec(conn, sql, "creating the schema") != 0)
        goto out;
    snprintf(sql, sizeof sql, "SET search_path TO %s", ident);
    if (exec(conn, sql, "setting the search path") != 0 ||
        exec(conn,
             "CREATE TABLE IF NOT EXISTS three (id text PRIMARY KEY, val1 text, val2 integer, "
             "_fivetran_synced timestamptz NOT NULL, "
             "_fivetran_deleted boolean NOT NULL DEFAULT false)",
             "creating table three") != 0 ||
        exec(conn,
             "CREATE TABLE IF NOT EXISTS _connector_state (connector text PRIMARY KEY, "
             "state text NOT NULL, updated_at timestamptz NOT NULL)",
             "creating table _connector_state") != 0 ||
        exec(conn, create_stage_sql, "creating the staging table") != 0)
        goto out;
    rc = 0;
out:
    PQfreemem(ident);
    return rc;
}

static int copy_flush(PGconn *conn, copy_buf *b)
{
    if (b->len > 0 && PQputCopyData(conn, b->data, (int)b->len) != 1)
        return fail(conn, "sending COPY data");
    b->len = 0;
    return 0;
}

/*
 * Appends one staged operation as a COPY text line. The values need no
 * escaping: ids are UUIDs, val1 is an id or "abc", the rest are numbers and
 * timestamps.
 */
static int copy_row(PGconn *conn, copy_buf *b, long ord, enum bulk_phase kind, const char *id,
                    const char *val1, long val2, const char *synced)
{
    char val2_text[24] = "\\N";
    int n;
    if (kind == BULK_UPSERT)
        snprintf(val2_text, sizeof val2_text, "%ld", val2);
    if (COPY_CHUNK - b->len < 256 && copy_flush(conn, b) != 0)
        return -1;
    n = snprintf(b->data + b->len, COPY_CHUNK - b->len, "%ld\t%d\t%s\t%s\t%s\t%s\t%s\n", ord,
                 (int)kind, id, val1 ? val1 : "\\N", val1 ? "t" : "f", val2_text, synced);
    if (n < 0 || (size_t)n >= COPY_CHUNK - b->len) {
        fprintf(stderr, "baseline_pg: a COPY line does not fit the buffer\n");
        return -1;
    }
    b->len += (size_t)n;
    return 0;
}

/* Ends the COPY and collects its result. */
static int copy_end(PGconn *conn, copy_buf *b)
{
    PGresult *res;
    int rc = 0;
    if (copy_flush(conn, b) != 0)
        return -1;
    if (PQputCopyEnd(conn, NULL) != 1)
        return fail(conn, "ending COPY");
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0)
            rc = fail(conn, "COPY into the staging table");
        PQclear(res);
    }
    return rc;
}

/* Starts a batch: the transaction, and the COPY into the staging table. */
static int batch_begin(PGconn *conn)
{
    PGresult *res;
    if (exec(conn, "BEGIN", "BEGIN") != 0)
        return -1;
    res = PQexec(conn, copy_sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        PQclear(res);
        return fail(conn, "starting COPY");
    }
    PQclear(res);
    return 0;
}

/*
 * Ends a batch: the COPY, the merge (a statement is skipped when the batch has
 * nothing for it), the state row, and the commit.
 */
static int batch_end(PGconn *conn, copy_buf *b, long upserts, long changes, uint64_t seed, long op)
{
    char state_json[96];
    const char *params[1] = {state_json};
    PGresult *res;
    int rc;
    if (copy_end(conn, b) != 0)
        return -1;
    /*
     * No ANALYZE of the staging table: the planner sizes a never-analysed
     * table from its pages, which already gives the index join into three,
     * and an ANALYZE per batch cost about a quarter of the throughput.
     */
    if (upserts > 0 && exec(conn, merge_upserts_sql, "merging upserts") != 0)
        return -1;
    if (changes > 0 && exec(conn, merge_changes_sql, "merging updates and deletes") != 0)
        return -1;
    snprintf(state_json, sizeof state_json, "{\"seed\":\"%" PRIu64 "\",\"op\":\"%ld\"}", seed, op);
    res = PQexecParams(conn, state_sql, 1, NULL, params, NULL, NULL, 0);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail(conn, "writing the state row");
    PQclear(res);
    if (rc != 0)
        return -1;
    return exec(conn, "COMMIT", "COMMIT");
}

static int run(PGconn *conn, long n)
{
    static copy_buf b;
    long op = 0, row, upserts = 0, changes = 0;
    uint64_t seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
    char id[37], synced[32];
    enum bulk_phase phase;
    while ((phase = bulk_op(n, op, &row)) != BULK_DONE) {
        const char *val1 = NULL;
        if (op % BULK_BATCH == 0 && batch_begin(conn) != 0)
            return -1;
        bulk_uuid(seed, row, id);
        bulk_now_utc(synced);
        if (phase == BULK_UPSERT) {
            val1 = id;
            upserts++;
        } else {
            val1 = phase == BULK_UPDATE ? "abc" : NULL;
            changes++;
        }
        /* the ordinal is op itself: unique and increasing, which is all the merge needs */
        if (copy_row(conn, &b, op, phase, id, val1, row, synced) != 0)
            return -1;
        if (++op % BULK_BATCH == 0 || bulk_op(n, op, &row) == BULK_DONE) {
            if (batch_end(conn, &b, upserts, changes, seed, op) != 0)
                return -1;
            upserts = changes = 0;
        }
    }
    return 0;
}

/*
 * The table a finished run of n must leave: row r (val2 = r) exists once,
 * has val1 "abc" if r is odd (every 2nd row was updated) and its id
 * otherwise, and is deleted if r % 3 == 2 (every 3rd row); the state row
 * holds the last operation. Any mismatch is printed; returns -1 then.
 */
static int verify(PGconn *conn, const char *schema, long n)
{
    static const char sql[] =
        "SELECT count(*), count(DISTINCT val2), coalesce(min(val2), -1), coalesce(max(val2), -1), "
        "count(*) FILTER (WHERE _fivetran_deleted), count(*) FILTER (WHERE val1 = 'abc'), "
        "count(*) FILTER (WHERE (val1 = 'abc') IS DISTINCT FROM (val2 % 2 = 1)), "
        "count(*) FILTER (WHERE val1 <> 'abc' AND val1 IS DISTINCT FROM id), "
        "count(*) FILTER (WHERE _fivetran_deleted IS DISTINCT FROM (val2 % 3 = 2)), "
        "(SELECT state::json->>'op' FROM _connector_state WHERE connector = 'bulk') FROM three";
    static const char *const names[] = {"rows",
                                        "distinct val2",
                                        "min val2",
                                        "max val2",
                                        "deleted rows",
                                        "val1 = 'abc' rows",
                                        "rows whose val1 = 'abc' disagrees with val2 being odd",
                                        "rows with val1 neither 'abc' nor their id",
                                        "rows whose deleted flag disagrees with val2 % 3 = 2",
                                        "state op"};
    char ident_sql[256];
    char *ident = PQescapeIdentifier(conn, schema, strlen(schema));
    long want[10] = {n, n, 0, n - 1, n / 3, n / 2, 0, 0, 0, bulk_total_ops(n)};
    PGresult *res;
    int bad = 0;
    if (ident == NULL)
        return fail(conn, "quoting the schema name");
    snprintf(ident_sql, sizeof ident_sql, "SET search_path TO %s", ident);
    PQfreemem(ident);
    if (exec(conn, ident_sql, "setting the search path") != 0)
        return -1;
    res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return fail(conn, "reading the table back");
    }
    for (int k = 0; k < 10; k++) {
        const char *got = PQgetisnull(res, 0, k) ? "(none)" : PQgetvalue(res, 0, k);
        char *end;
        long v = strtol(got, &end, 10);
        if (*end != '\0' || v != want[k]) {
            fprintf(stderr, "baseline_pg: verify N=%ld in %s: %s is %s, expected %ld\n", n, schema,
                    names[k], got, want[k]);
            bad = 1;
        }
    }
    PQclear(res);
    return bad ? -1 : 0;
}

/*
 * The merge against its definition: random batches (1 to 14 operations on 5
 * keys, some already in the table, some deleted; upserts, partial updates
 * with and without val1, NULL values, deletes, in any order) are applied one
 * operation at a time to three_seq, the way the SQLite baseline does, and
 * through the staging table and the merge statements to three; the tables
 * must be equal after every batch. The workload's own batches never mix
 * operations on one key this much, so the workload check alone would not
 * catch an ordering mistake. Seeded, so a failure repeats.
 */
static const char test_merge_sql[] =
    "DO $$ DECLARE r record; bad int := 0; first text; trials int := %d; "
    "BEGIN PERFORM setseed(0.42); "
    "FOR trial IN 1..trials LOOP "
    "TRUNCATE three_seq, three; DELETE FROM stage; "
    "INSERT INTO three_seq SELECT 'k' || k, 'pre' || k, k, timestamp '1999-01-01', "
    "random() < 0.3 FROM generate_series(1, 5) k WHERE random() < 0.5; "
    "INSERT INTO three SELECT * FROM three_seq; "
    "INSERT INTO stage SELECT o, kind, 'k' || (1 + floor(random() * 5))::int, "
    "CASE WHEN kind = 2 OR random() < 0.15 THEN NULL ELSE 'v' || o END, "
    "kind = 0 OR (kind = 1 AND random() < 0.7), CASE WHEN kind = 0 THEN o END, "
    "timestamp '2000-01-01' + o * interval '1 second' FROM (SELECT o, "
    "floor(random() * 3)::smallint AS kind FROM generate_series(1, "
    "1 + floor(random() * 14)::int) o) x; "
    "FOR r IN SELECT * FROM stage ORDER BY ord LOOP "
    "IF r.kind = 0 THEN INSERT INTO three_seq VALUES (r.id, r.val1, r.val2, r.synced, false) "
    "ON CONFLICT (id) DO UPDATE SET val1 = excluded.val1, val2 = excluded.val2, "
    "_fivetran_synced = excluded._fivetran_synced, _fivetran_deleted = false; "
    "ELSIF r.kind = 1 THEN UPDATE three_seq SET val1 = CASE WHEN r.has_val1 THEN r.val1 "
    "ELSE val1 END, _fivetran_synced = r.synced WHERE id = r.id; "
    "ELSE UPDATE three_seq SET _fivetran_deleted = true, _fivetran_synced = r.synced "
    "WHERE id = r.id; END IF; END LOOP; "
    "%s; %s; "
    "IF EXISTS ((TABLE three_seq EXCEPT TABLE three) UNION ALL "
    "(TABLE three EXCEPT TABLE three_seq)) THEN bad := bad + 1; "
    "first := coalesce(first, (SELECT string_agg(format('%%s:%%s:%%s:%%s', ord, "
    "(ARRAY['upsert', 'update', 'delete'])[kind + 1], id, CASE WHEN has_val1 "
    "THEN coalesce(val1, 'NULL') ELSE '-' END), ' ' ORDER BY ord) FROM stage)); "
    "END IF; END LOOP; "
    "IF bad > 0 THEN RAISE EXCEPTION '%% of %% batches merged differently from their "
    "operations applied one by one; the first (ordinal:kind:id:val1): %%', bad, trials, first; "
    "END IF; END $$";

/* Runs the merge test in a new schema, and drops the schema afterwards. */
static int test_merge(PGconn *conn, const char *schema, int trials)
{
    size_t size = sizeof test_merge_sql + sizeof merge_upserts_sql + sizeof merge_changes_sql;
    char *ident = PQescapeIdentifier(conn, schema, strlen(schema)), *test = malloc(size);
    char sql[512];
    int rc = -1;
    if (ident == NULL || test == NULL) {
        rc = ident == NULL ? fail(conn, "quoting the schema name") : -1;
        if (test == NULL)
            fprintf(stderr, "baseline_pg: out of memory\n");
        goto out;
    }
    snprintf(test, size, test_merge_sql, trials, merge_upserts_sql, merge_changes_sql);
    /* a new schema, so that a name given by mistake never drops someone's tables */
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", ident);
    if (exec(conn, sql, "creating the test's schema (it must not exist yet)") != 0)
        goto out;
    rc = setup(conn, schema) == 0 &&
                 exec(conn, "CREATE TABLE three_seq (LIKE three INCLUDING ALL)",
                      "creating three_seq") == 0 &&
                 exec(conn, test, "merge test") == 0
             ? 0
             : -1;
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", ident);
    if (exec(conn, sql, "dropping the test's schema") != 0)
        rc = -1;
    if (rc == 0)
        printf("merge test: %d random batches merged as their operations applied one by one\n",
               trials);
out:
    free(test);
    PQfreemem(ident);
    return rc;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 && argv[1][0] == '-' ? argv[1] : "";
    const char *schema, *conninfo;
    char *end;
    long n;
    PGconn *conn;
    int rc;
    if (*mode != '\0') {
        argv++;
        argc--;
    }
    if ((strcmp(mode, "") != 0 && strcmp(mode, "--verify") != 0 &&
         strcmp(mode, "--test-merge") != 0) ||
        argc < 3 || argc > 4) {
        fprintf(stderr, "usage: baseline_pg [--verify] N SCHEMA [CONNINFO]\n"
                        "       baseline_pg --test-merge TRIALS NEW_SCHEMA [CONNINFO]\n");
        return 2;
    }
    n = strtol(argv[1], &end, 10);
    if (*end != '\0' || n < 1 || n > INT32_MAX) {
        fprintf(stderr, "baseline_pg: N must be a count, not '%s'\n", argv[1]);
        return 2;
    }
    schema = argv[2];
    conninfo = argc == 4 ? argv[3] : "";
    conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fail(conn, "connecting");
        PQfinish(conn);
        return 1;
    }
    /* "already exists, skipping" and the like are not worth a line on the benchmark's output */
    if (exec(conn, "SET client_min_messages = warning", "setting client_min_messages") != 0) {
        PQfinish(conn);
        return 1;
    }
    if (strcmp(mode, "--verify") == 0)
        rc = verify(conn, schema, n);
    else if (strcmp(mode, "--test-merge") == 0)
        rc = test_merge(conn, schema, (int)n);
    else
        rc = setup(conn, schema) == 0 ? run(conn, n) : -1;
    PQfinish(conn);
    return rc == 0 ? 0 : 1;
}
