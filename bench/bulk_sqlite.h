/*
 * bulk_sqlite.h - what the plain SQLite programs of the benchmark (baseline.c,
 * limit.c) share: dying with SQLite's reason, the workload's table and
 * statements, and the seed from the command line. Each program does its own
 * pragmas and loop, which are what differ.
 */
#ifndef BULK_SQLITE_H
#define BULK_SQLITE_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static sqlite3 *db;
static const char *program;

static void die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", program, what, sqlite3_errmsg(db));
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

/* Opens the database for one thread; argv is "N DATABASE [SEED]": *n and *seed are set. */
static void bulk_open(const char *name, int argc, char **argv, long *n, uint64_t *seed)
{
    program = name;
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s N DATABASE [SEED]\n", name);
        exit(2);
    }
    *n = atol(argv[1]);
    *seed = argc == 4 ? strtoull(argv[3], NULL, 10) : (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
    if (sqlite3_open_v2(argv[2], &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("open");
}

/* The host's table and state table, and the statements of the workload's operations. */
typedef struct bulk_statements {
    sqlite3_stmt *upsert, *update, *delete, *state;
} bulk_statements;

static bulk_statements bulk_prepare(void)
{
    bulk_statements s;
    exec("CREATE TABLE IF NOT EXISTS three (id TEXT NOT NULL, val1 TEXT, val2 INTEGER, "
         "_fivetran_synced TEXT NOT NULL, _fivetran_deleted INTEGER NOT NULL DEFAULT 0, "
         "PRIMARY KEY (id))");
    exec("CREATE TABLE IF NOT EXISTS _connector_state (connector TEXT PRIMARY KEY, "
         "state TEXT NOT NULL, updated_at TEXT NOT NULL)");
    s.upsert = prepare("INSERT INTO three (id, val1, val2, _fivetran_synced, _fivetran_deleted) "
                       "VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT (id) DO UPDATE SET "
                       "val1 = excluded.val1, val2 = excluded.val2, "
                       "_fivetran_synced = excluded._fivetran_synced, _fivetran_deleted = 0");
    s.update = prepare("UPDATE three SET val1 = ?1, _fivetran_synced = ?2 WHERE id = ?3");
    s.delete =
        prepare("UPDATE three SET _fivetran_deleted = 1, _fivetran_synced = ?1 WHERE id = ?2");
    s.state = prepare("INSERT INTO _connector_state (connector, state, updated_at) VALUES "
                      "('bulk', ?1, ?2) ON CONFLICT (connector) DO UPDATE SET "
                      "state = excluded.state, updated_at = excluded.updated_at");
    return s;
}

static void bulk_finish(bulk_statements *s)
{
    sqlite3_finalize(s->upsert);
    sqlite3_finalize(s->update);
    sqlite3_finalize(s->delete);
    sqlite3_finalize(s->state);
    sqlite3_close(db);
}

#endif
