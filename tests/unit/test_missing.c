/*
 * test_missing.c - updates and deletes whose "no row" a destination reports
 * later (dest.missing) are logged and counted exactly, whether they are
 * reported on the writer thread (during a data operation) or on the sink's
 * thread (during a commit), and without a writer thread.
 *
 * A fake destination answers an update or delete of key k at once when
 * k % 3 is 0 (no row) or 1 (found), and holds it back when k % 3 is 2: it
 * reports every HOLD_AT held-back operations during the next data operation,
 * and the rest at the commit, all as rows not found.
 */
#include <stdlib.h>

#include "sync/sink.h"
#include "tap.h"

#define HOLD_AT 4

typedef struct fake {
    dest base;
    long held[2]; /* per kind: DEST_UPDATE, DEST_DELETE */
} fake;

static int report(fake *f, table_def *t, ch_error *err)
{
    for (int kind = DEST_UPDATE; kind <= DEST_DELETE; kind++) {
        if (dest_report_missing(&f->base, t, kind, f->held[kind], "", 0, err) != CH_OK)
            return CH_ERROR;
        f->held[kind] = 0;
    }
    return CH_OK;
}

/* Answers at once or holds back, by the key's value; reports the held-back ones in batches. */
static int answer(dest *d, table_def *t, const value *vals, int kind, int *found, ch_error *err)
{
    fake *f = (fake *)d;
    long k = vals[t->key[0]].i;
    *found = k % 3 == 0 ? 0 : k % 3 == 1 ? 1 : -1;
    if (*found < 0)
        f->held[kind]++;
    return f->held[DEST_UPDATE] + f->held[DEST_DELETE] >= HOLD_AT ? report(f, t, err) : CH_OK;
}

static int prepare_table(dest *d, table_def *t, int *changes, ch_error *err)
{
    (void)d, (void)t, (void)err;
    *changes = 0;
    return CH_OK;
}

static int upsert(dest *d, table_def *t, const value *vals, const char *id, const char *synced,
                  ch_error *err)
{
    (void)d, (void)t, (void)vals, (void)id, (void)synced, (void)err;
    return CH_OK;
}

static int update(dest *d, table_def *t, const value *vals, const unsigned char *present,
                  const char *synced, long op, int *found, ch_error *err)
{
    (void)present, (void)synced, (void)op;
    return answer(d, t, vals, DEST_UPDATE, found, err);
}

static int remove_row(dest *d, table_def *t, const value *vals, const char *synced, long op,
                      int *found, ch_error *err)
{
    (void)synced, (void)op;
    return answer(d, t, vals, DEST_DELETE, found, err);
}

static void nothing(dest *d)
{
    (void)d;
}

static table_def *the_table; /* the one table, for the commit's report */

/* The commit reports what is still held back, on the sink's thread. */
static int commit(dest *d, const char *connector, const char *state_json, const char *synced,
                  ch_error *err)
{
    (void)connector, (void)state_json, (void)synced;
    return report((fake *)d, the_table, err);
}

static const dest_ops fake_ops = {
    .prepare_table = prepare_table,
    .upsert = upsert,
    .update = update,
    .remove = remove_row,
    .commit = commit,
    .rollback = nothing,
    .close = nothing,
};

/* One sync of n updates and n deletes of keys 0..n-1, a checkpoint halfway; its warnings. */
static long run(const char *writer, long n, char **log_text)
{
    fake f = {.base = {.ops = &fake_ops, .description = "fake"}};
    ch_schema *sc = schema_new(NULL);
    ch_table *t = ch_schema_table(sc, "t");
    state *st = state_new();
    ch_row *row = ch_row_new();
    size_t size = 0;
    FILE *out = open_memstream(log_text, &size);
    logger lg = {.min = CH_LOG_WARNING, .out = out};
    ch_error err;
    sink s;
    long warnings = -1;
    int rc;
    setenv("CONNECTOR_HOST_WRITER", writer, 1);
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "v", "LONG");
    rc = schema_finish(sc, &err);
    the_table = schema_find(sc, "t");
    if (rc == CH_OK)
        rc = sink_init(&s, "c", sc, NULL, &f.base, st, &lg, &err);
    for (long k = 0; rc == CH_OK && k < n; k++) {
        ch_row_clear(row);
        ch_row_set_long(row, "id", k);
        ch_row_set_long(row, "v", k);
        rc = ch_update(&s, "t", row);
        if (rc == CH_OK)
            rc = ch_delete(&s, "t", row);
        if (rc == CH_OK && k == n / 2)
            rc = ch_checkpoint(&s);
    }
    if (rc == CH_OK)
        rc = sink_finish(&s);
    if (rc == CH_OK)
        warnings = sink_totals(&s).warnings;
    else
        printf("# the sync failed: %s\n", s.failed ? s.error.msg : err.msg);
    sink_free(&s);
    dest_reports_free(&f.base.missing); /* a real destination's close does it (dest_base_free) */
    fclose(out);
    ch_row_free(row);
    state_free(st);
    schema_free(sc);
    return warnings;
}

int main(void)
{
    static const char *const writers[] = {"1", "0"};
    long n = 102, want = 0; /* key 101 is held back until the last commit */
    for (long k = 0; k < n; k++)
        want += 2 * (k % 3 != 1); /* an update and a delete of each key without a row */
    for (int i = 0; i < 2; i++) {
        char *log_text = NULL;
        long got = run(writers[i], n, &log_text);
        ok(got == want, "writer thread %s: %ld warnings, want %ld", writers[i], got, want);
        has_str(log_text, "update on table 't': 2 updates found no row with their primary key",
                "writer thread %s: held-back updates reported together", writers[i]);
        has_str(log_text, "delete on table 't': 1 delete found no row with its primary key",
                "writer thread %s: one held-back delete reported alone", writers[i]);
        has_str(log_text,
                "update on table 't', operation 1 (key id=0): no row with that primary key; "
                "nothing changed",
                "writer thread %s: an update answered at once is reported alone, with its "
                "number and key",
                writers[i]);
        has_str(log_text,
                "delete on table 't', operation 200 (key id=99): no row with that primary key; "
                "ignored",
                "writer thread %s: the operations are numbered across checkpoints", writers[i]);
        free(log_text);
    }
    return tap_done();
}
