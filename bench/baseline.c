/*
 * baseline.c - the benchmark's yardstick: the bulk workload (bulk_workload.h)
 * written straight to SQLite, with no host and no plugin, but with the same
 * table, durability settings and commit pattern as the host: WAL,
 * synchronous=FULL, prepared statements, one transaction per BULK_BATCH
 * operations with the state row written in each, and a UTC timestamp per
 * row for _fivetran_synced.
 *
 * Usage: baseline N DATABASE [SEED]
 *
 * SEED fixes the ids, so that the benchmark can compare its table with the host's.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bulk_workload.h"

static sqlite3 *db;

static void die(const char *what)
{
    fprintf(stderr, "baseline: %s: %s\n", what, sqlite3_errmsg(db));
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

int main(int argc, char **argv)
{
    long n, op = 0, row;
    uint64_t seed;
    sqlite3_stmt *upsert, *update, *delete, *state;
    char id[37], synced[32], state_json[96];
    enum bulk_phase phase;
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: baseline N DATABASE [SEED]\n");
        return 2;
    }
    n = atol(argv[1]);
    seed = argc == 4 ? strtoull(argv[3], NULL, 10) : (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
    if (sqlite3_open_v2(argv[2], &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("open");
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA cache_size = -16384");
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
    exec("BEGIN IMMEDIATE");
    while ((phase = bulk_op(n, op, &row)) != BULK_DONE) {
        bulk_uuid(seed, row, id);
        bulk_now_utc(synced);
        if (phase == BULK_UPSERT) {
            sqlite3_bind_text(upsert, 1, id, 36, SQLITE_STATIC);
            sqlite3_bind_text(upsert, 2, id, 36, SQLITE_STATIC);
            sqlite3_bind_int64(upsert, 3, row);
            sqlite3_bind_text(upsert, 4, synced, -1, SQLITE_STATIC);
            step(upsert);
        } else if (phase == BULK_UPDATE) {
            sqlite3_bind_text(update, 1, "abc", 3, SQLITE_STATIC);
            sqlite3_bind_text(update, 2, synced, -1, SQLITE_STATIC);
            sqlite3_bind_text(update, 3, id, 36, SQLITE_STATIC);
            step(update);
        } else {
            sqlite3_bind_text(delete, 1, synced, -1, SQLITE_STATIC);
            sqlite3_bind_text(delete, 2, id, 36, SQLITE_STATIC);
            step(delete);
        }
        if (++op % BULK_BATCH == 0 || bulk_op(n, op, &row) == BULK_DONE) {
            snprintf(state_json, sizeof state_json, "{\"seed\":\"%" PRIu64 "\",\"op\":\"%ld\"}",
                     seed, op);
            sqlite3_bind_text(state, 1, state_json, -1, SQLITE_STATIC);
            sqlite3_bind_text(state, 2, synced, -1, SQLITE_STATIC);
            step(state);
            exec("COMMIT");
            exec("BEGIN IMMEDIATE");
        }
    }
    exec("COMMIT");
    sqlite3_finalize(upsert);
    sqlite3_finalize(update);
    sqlite3_finalize(delete);
    sqlite3_finalize(state);
    sqlite3_close(db);
    return 0;
}
