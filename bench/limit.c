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
 *     the database file is written back less often;
 *   - no memory statistics (SQLITE_CONFIG_MEMSTATUS), which cost a global
 *     mutex around every allocation SQLite makes.
 *
 * Usage: limit N DATABASE [SEED]
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulk_sqlite.h"
#include "bulk_workload.h"

typedef struct pending {
    char id[37];
    char synced[32];
    enum bulk_phase phase;
    long row;
    long order; /* its place in the batch: the sort's tie-break, which makes it stable */
} pending;

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
    bulk_statements st;
    char state_json[96], last_synced[32] = "";
    static pending batch[BULK_BATCH];
    enum bulk_phase phase;
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* before SQLite's first use */
    bulk_open("limit", argc, argv, &n, &seed);
    exec("PRAGMA page_size = 16384");
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA cache_size = -16384");
    exec("PRAGMA wal_autocheckpoint = 10000");
    st = bulk_prepare();
    upsert = st.upsert, update = st.update, delete = st.delete, state = st.state;
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
    bulk_finish(&st);
    return 0;
}
