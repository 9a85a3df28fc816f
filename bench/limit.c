/*
 * limit.c - the benchmark's second yardstick: the bulk workload
 * (bulk_workload.h) written straight to SQLite as well as a plain program
 * can, with the same final table and the same durability as the baseline
 * and the host (WAL, synchronous=FULL, the state row in every commit of
 * BULK_BATCH operations). What it does that the naive baseline does not:
 *
 *   - each commit's operations are stably sorted by key before they are
 *     applied, so the B-tree is walked in order (an operation on one key
 *     keeps its place among that key's other operations: same result);
 *   - 16 KiB pages, set before the first table exists;
 *   - WAL checkpoints every 10,000 pages instead of SQLite's 1,000, so
 *     the database file is written back less often.
 *
 * Usage: limit N DATABASE [SEED]
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulk_workload.h"

static sqlite3 *db;

typedef struct pending {
    char id[37];
    char synced[28];
    enum bulk_phase phase;
    long row;
    long order; /* its place in the batch: the sort's tie-break, which makes it stable */
} pending;

static void die(const char *what)
{
    fprintf(stderr, "limit: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(sql);
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        die(sql);
    return stmt;
}

static void step(sqlite3_stmt *stmt)
{
    if (sqlite3_step(stmt) != SQLITE_DONE)
        die("step");
    sqlite3_reset(stmt);
}

static int by_key(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    int c = memcmp(x->id, y->id, 36);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

int main(int argc, char **argv)
{
    long n, op = 0, row, count = 0;
    uint64_t seed;
    sqlite3_stmt *upsert, *update, *delete, *state;
    char state_json[96], last_synced[28] = "";
    static pending batch[BULK_BATCH];
    enum bulk_phase phase;
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: limit N DATABASE [SEED]\n");
        return 2;
    }
    n = atol(argv[1]);
    seed = argc == 4 ? strtoull(argv[3], NULL, 10) : (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
    if (sqlite3_open_v2(argv[2], &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("open");
    exec("PRAGMA page_size = 16384");
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA cache_size = -16384");
    exec("PRAGMA wal_autocheckpoint = 10000");
    exec("CREATE TABLE IF NOT EXISTS three (id TEXT NOT NULL, val1 TEXT, val2 INTEGER, "
         "_fivetran_synced TEXT NOT NULL, _fivetran_deleted INTEGER NOT NULL DEFAULT 0, "
         "PRIMARY KEY (id))");
    exec("CREATE TABLE IF NOT EXISTS _connector_state (connector TEXT PRIMARY KEY, "
         "state TEXT NOT NULL, updated_at TEXT NOT NULL)");
    upsert = prepare("INSERT INTO three (id, val1, val2, _fivetran_synced, _fivetran_deleted) "
                     "VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT (id) DO UPDATE SET "
                     "val1 = excluded.val1, val2 = excluded.val2, "
                     "_fivetran_synced = excluded._fivetran_synced, _fivetran_deleted = 0");
    update = prepare("UPDATE three SET val1 = ?1, _fivetran_synced = ?2 WHERE id = ?3");
    delete = prepare("UPDATE three SET _fivetran_deleted = 1, _fivetran_synced = ?1 WHERE id = ?2");
    state = prepare("INSERT INTO _connector_state (connector, state, updated_at) VALUES "
                    "('bulk', ?1, ?2) ON CONFLICT (connector) DO UPDATE SET "
                    "state = excluded.state, updated_at = excluded.updated_at");
    while ((phase = bulk_op(n, op, &row)) != BULK_DONE) {
        pending *p = &batch[count];
        bulk_uuid(seed, row, p->id);
        bulk_now_utc(p->synced);
        p->phase = phase;
        p->row = row;
        p->order = count++;
        memcpy(last_synced, p->synced, sizeof last_synced);
        if (++op % BULK_BATCH != 0 && bulk_op(n, op, &row) != BULK_DONE)
            continue;
        qsort(batch, (size_t)count, sizeof *batch, by_key);
        exec("BEGIN IMMEDIATE");
        for (long k = 0; k < count; k++) {
            p = &batch[k];
            if (p->phase == BULK_UPSERT) {
                sqlite3_bind_text(upsert, 1, p->id, 36, SQLITE_STATIC);
                sqlite3_bind_text(upsert, 2, p->id, 36, SQLITE_STATIC);
                sqlite3_bind_int64(upsert, 3, p->row);
                sqlite3_bind_text(upsert, 4, p->synced, -1, SQLITE_STATIC);
                step(upsert);
            } else if (p->phase == BULK_UPDATE) {
                sqlite3_bind_text(update, 1, "abc", 3, SQLITE_STATIC);
                sqlite3_bind_text(update, 2, p->synced, -1, SQLITE_STATIC);
                sqlite3_bind_text(update, 3, p->id, 36, SQLITE_STATIC);
                step(update);
            } else {
                sqlite3_bind_text(delete, 1, p->synced, -1, SQLITE_STATIC);
                sqlite3_bind_text(delete, 2, p->id, 36, SQLITE_STATIC);
                step(delete);
            }
        }
        snprintf(state_json, sizeof state_json, "{\"seed\":\"%" PRIu64 "\",\"op\":\"%ld\"}", seed,
                 op);
        sqlite3_bind_text(state, 1, state_json, -1, SQLITE_STATIC);
        sqlite3_bind_text(state, 2, last_synced, -1, SQLITE_STATIC);
        step(state);
        exec("COMMIT");
        count = 0;
    }
    sqlite3_finalize(upsert);
    sqlite3_finalize(update);
    sqlite3_finalize(delete);
    sqlite3_finalize(state);
    sqlite3_close(db);
    return 0;
}
