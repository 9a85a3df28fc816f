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

#include "bulk_sqlite.h"
#include "bulk_workload.h"

int main(int argc, char **argv)
{
    long n, op = 0, row;
    uint64_t seed;
    sqlite3_stmt *upsert, *update, *delete, *state;
    bulk_statements st;
    char id[37], synced[32], state_json[96];
    enum bulk_phase phase;
    bulk_open("baseline", argc, argv, &n, &seed);
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA cache_size = -16384");
    st = bulk_prepare();
    upsert = st.upsert, update = st.update, delete = st.delete, state = st.state;
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
    bulk_finish(&st);
    return 0;
}
