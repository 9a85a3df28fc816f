/*
 * sink.c - the operation sink behind ch_upsert and friends.
 *
 * Every operation is checked against the schema and converted before it
 * reaches the destination. The first failure poisons the sync: later
 * operations are refused, so nothing after a bad operation can be committed.
 * The hot path is check, convert, hand to the destination (or its writer
 * thread); typing and widening undeclared columns is evolve.c's. It reuses
 * per-table value buffers and allocates nothing.
 */
#include "sink.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hot.h"
#include "base/utf8.h"
#include "contract/row.h"
#include "contract/row_id.h"
#include "evolve.h"
#include "signals.h"
#include "writer.h"
#include "writer_ring.h"

/* The monotonic clock in nanoseconds, for where the time went. */
HOT int64_t sink_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What s->stop points at until the sync sets it: no stop is ever requested. */
static const volatile sig_atomic_t never_stopped = 0;

/* Fails the sync when a stop was requested, so nothing more is written or committed. */
HOT int stopped(sink *s)
{
    if (*s->stop == 0)
        return 0;
    sink_fail(s, "interrupted by %s; stopped at the last checkpoint", signals_name(*s->stop));
    return 1;
}

/*
 * The sync whose update handler is running, the only one the public
 * functions act on: a connector may keep a sync pointer past its end (an
 * atexit handler), or pass NULL, and neither may touch freed memory or
 * committed data.
 */
static sink *open_sync;
/* Guards open_sync and every use of the open sync through the public functions. */
static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;

/* Opens or closes the public functions on s, waiting for one running on another thread. */
static void set_open(sink *s)
{
    pthread_mutex_lock(&api_lock);
    open_sync = s;
    pthread_mutex_unlock(&api_lock);
}

/* usable() when s is not the open sync: why not is said. */
static __attribute__((noinline)) int unusable(ch_sync *s, const char *fn)
{
    if (s == NULL && open_sync != NULL) {
        sink_fail(open_sync, "%s was called with a NULL sync", fn);
        return 0;
    }
    /* no sync to fail and no log to write to: standard error is all there is */
    fprintf(stderr, "connector-host: %s was called %s; ignored\n", fn,
            s == NULL ? "with a NULL sync while no sync runs" : "after its sync ended");
    return 0;
}

/* True when s may be used now; otherwise why not is said, and nothing is done. */
HOT int usable(ch_sync *s, const char *fn)
{
    return (s != NULL && s == open_sync) || unusable(s, fn);
}

int sink_init(sink *s, const char *connector, schema *sc, const config *cfg, dest *d, state *st,
              const logger *lg, ch_error *err)
{
    const char *json = state_json(st);
    const char *writer_env = getenv("CONNECTOR_HOST_WRITER");
    memset(s, 0, sizeof *s);
    s->connector = connector;
    snprintf(s->source, sizeof s->source, "connector:%s", connector);
    s->schema = sc;
    s->config = cfg;
    s->dest = d;
    s->state = st;
    s->log = lg;
    s->stop = &never_stopped;
    /* no second and no anchor yet: the first operation's time is more than a second after both */
    s->second_us = INT64_MIN;
    s->anchor_mono = INT64_MIN;
    for (int i = 0; i < 1000; i++) {
        s->digits[i][0] = (char)('0' + i / 100);
        s->digits[i][1] = (char)('0' + i / 10 % 10);
        s->digits[i][2] = (char)('0' + i % 10);
    }
    if (json == NULL || (s->committed_state = strdup(json)) == NULL)
        return err_set(err, "out of memory");
    /* without a writer, operations are applied on this thread; CONNECTOR_HOST_WRITER=0 asks so */
    if (writer_env == NULL || strcmp(writer_env, "0") != 0)
        s->writer = writer_start(d, lg);
    set_open(s);
    return CH_OK;
}

void sink_free(sink *s)
{
    pthread_mutex_lock(&api_lock);
    if (open_sync == s)
        open_sync = NULL;
    pthread_mutex_unlock(&api_lock);
    writer_stop(s->writer);
    s->writer = NULL;
    for (size_t i = 0; i < s->tables_cap; i++) {
        for (size_t c = 0; c < s->tables[i].cap; c++)
            value_free(&s->tables[i].vals[c]);
        free(s->tables[i].vals);
        free(s->tables[i].present);
    }
    free(s->tables);
    for (size_t i = 0; i < SINK_COMMITS; i++) { /* queued commits the sync did not see done */
        free(s->commits[i].state);
        free(s->commits[i].counts);
    }
    free(s->committed_state);
    dest_reports_free(&s->reports);
    value_free(&s->id);
    value_free(&s->scratch);
}

op_counts sink_totals(const sink *s)
{
    op_counts t = {0};
    for (size_t i = 0; i < s->tables_cap; i++) {
        const op_counts *c = &s->tables[i].counts;
        t.upserts += c->upserts;
        t.updates += c->updates;
        t.deletes += c->deletes;
        t.truncates += c->truncates;
        t.schema_changes += c->schema_changes;
        t.warnings += c->warnings;
    }
    return t;
}

void sink_fix_clock(sink *s, int64_t start_us)
{
    s->fixed_clock = 1;
    s->last_us = start_us - 1;
}

_Static_assert(sizeof(((sink *)0)->synced) == WRITER_SYNCED_SIZE,
               "writer_publish copies the synced buffer whole");

/*
 * The wall clock in microseconds at the monotonic time mono (ns): the
 * wall clock is read once a second, and the time since taken from the
 * monotonic reading every operation's call starts with anyway.
 */
HOT int64_t wall_us(sink *s, int64_t mono)
{
    /* unsigned: a reading before the anchor is as far as one a second after it */
    if ((uint64_t)mono - (uint64_t)s->anchor_mono >= UINT64_C(1000000000)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s->anchor_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        s->anchor_mono = mono;
    }
    return s->anchor_us + (mono - s->anchor_mono) / 1000;
}

/*
 * Sets s->synced to a UTC time strictly later than the previous
 * operation's, the wall clock at the monotonic time mono (ns).
 */
HOT const char *next_synced(sink *s, int64_t mono)
{
    int64_t us = 0; /* a fixed clock reads 0: each time is then the last one's + 1 */
    if (!s->fixed_clock)
        us = wall_us(s, mono);
    if (us <= s->last_us)
        us = s->last_us + 1; /* truncate compares times: two operations never share one */
    s->last_us = us;
    if ((uint64_t)us - (uint64_t)s->second_us >= UINT64_C(1000000)) { /* a new second: its prefix */
        int64_t second = us / 1000000;
        time_t t = (time_t)second;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(s->synced, sizeof s->synced, "%Y-%m-%dT%H:%M:%S", &tm);
        s->second_us = second * 1000000;
    }
    {
        /* the microseconds by hand, three digits a word (each copy's fourth byte is overwritten
           by the next): this runs once per operation */
        char *p = s->synced + 19;
        int frac = (int)(us - s->second_us), high = frac / 1000;
        p[0] = '.';
        memcpy(p + 1, s->digits[high], 4);
        memcpy(p + 4, s->digits[frac - high * 1000], 4);
        p[7] = 'Z';
        p[8] = '\0';
    }
    return s->synced;
}

static sink_table *table_rt(sink *s, table_def *t)
{
    if (t->index >= s->tables_cap) {
        size_t cap = s->schema->cap > t->index ? s->schema->cap : t->index + 1;
        sink_table *tables = realloc(s->tables, cap * sizeof *tables);
        if (tables == NULL)
            return NULL;
        memset(tables + s->tables_cap, 0, (cap - s->tables_cap) * sizeof *tables);
        s->tables = tables;
        s->tables_cap = cap;
        s->last_table = NULL; /* its last_rt moved */
    }
    return &s->tables[t->index];
}

/* Grows the per-column buffers to the table's column count. */
static int fit_columns(sink_table *rt, size_t ncols)
{
    value *vals;
    unsigned char *present;
    size_t cap;
    if (ncols <= rt->cap)
        return CH_OK;
    cap = ncols * 2;
    vals = realloc(rt->vals, cap * sizeof *vals);
    if (vals == NULL)
        return CH_ERROR;
    memset(vals + rt->cap, 0, (cap - rt->cap) * sizeof *vals);
    rt->vals = vals;
    present = realloc(rt->present, PRESENT_ROOM(cap));
    if (present == NULL)
        return CH_ERROR;
    rt->present = present;
    rt->cap = cap;
    return CH_OK;
}

/* find_table() for another table than the last operation's. */
static table_def *find_other_table(sink *s, const char *name)
{
    table_def *t = schema_find(s->schema, name);
    ch_error err;
    if (t == NULL) {
        t = schema_add_table(s->schema, name, &err);
        if (t == NULL) {
            sink_fail(s, "%s", err.msg);
            return NULL;
        }
        log_msg(s->log, CH_LOG_INFO, "host", "table '%s' was not declared; creating it%s%s", name,
                strcmp(name, t->dest_name) ? " as " : "",
                strcmp(name, t->dest_name) ? t->dest_name : "");
    }
    return t;
}

/* find_table() for another table than the last operation's: remembered for the next one. */
static table_def *find_table_slow(sink *s, const char *name, sink_table **rt)
{
    table_def *t = find_other_table(s, name);
    if (t == NULL)
        return NULL;
    s->op.t = t;
    *rt = t->index < s->tables_cap ? &s->tables[t->index] : table_rt(s, t);
    if (*rt == NULL) {
        sink_fail(s, "out of memory");
        return NULL;
    }
    s->last_table = t;
    s->last_rt = *rt;
    return t;
}

/* The table of that name, created when it was not declared, and its sink_table. */
HOT table_def *find_table(sink *s, const char *name, sink_table **rt)
{
    table_def *t = s->last_table;
    if (t == NULL || strcmp(t->name, name) != 0)
        return find_table_slow(s, name, rt);
    s->op.t = t;
    *rt = s->last_rt;
    return t;
}

static int prepare(sink *s, table_def *t, sink_table *rt)
{
    ch_error err;
    int changes = 0, rc;
    if (rt->prepared)
        return CH_OK;
    if (sink_settle(s) != CH_OK)
        return CH_ERROR;
    rc = s->dest->ops->prepare_table(s->dest, t, &changes, &err);
    if (sink_take_reports(s, 1) != CH_OK) /* e.g. from a merge before a column was added */
        return CH_ERROR;
    if (rc != CH_OK) {
        char prefix[200];
        size_t n = (size_t)snprintf(prefix, sizeof prefix, "table '%s'", t->name);
        /* named already, by the schema's checks or with its column */
        if (strncmp(err.msg, prefix, n) == 0 && (err.msg[n] == ':' || err.msg[n] == ','))
            return sink_fail(s, "%s", err.msg);
        return sink_fail(s, "%s: %s", prefix, err.msg);
    }
    rt->prepared = 1;
    progress_bump(&s->live.tables);
    rt->counts.schema_changes += changes;
    for (size_t c = 0; c < t->ncols; c++)
        if (!t->cols[c].in_warehouse && !t->cols[c].declared && t->cols[c].type != T_NONE) {
            evolve_log_new_column(s, t, &t->cols[c]);
            t->cols[c].in_warehouse = 1;
        }
    return CH_OK;
}

int sink_prepare_declared(sink *s)
{
    ch_error err;
    if (s->dest->ops->has_table == NULL)
        return CH_OK; /* no stored table to conflict with */
    for (size_t i = 0; i < s->schema->ntables; i++) {
        table_def *t = s->schema->tables[i];
        sink_table *rt = table_rt(s, t);
        int held = 0;
        if (rt == NULL)
            return sink_fail(s, "out of memory");
        if (s->dest->ops->has_table(s->dest, t, &held, &err) != CH_OK)
            return sink_fail(s, "table '%s': %s", t->name, err.msg);
        if (held && prepare(s, t, rt) != CH_OK)
            return CH_ERROR;
        /* in the sync's first transaction, as any change: committed with the first commit, or at
           the end when the handler makes none */
        s->schema_pending |= rt->counts.schema_changes > 0;
    }
    return CH_OK;
}

/* convert()'s answer when a field needs the table changed first (evolve_row) */
#define NEEDS_EVOLVING 2

/*
 * One field's value into column c's place of vals (c < 0: a column that does
 * not exist yet, nothing to do), every case but the common one: a NULL, a
 * column without a type, a conversion, a value that would change the table
 * (NEEDS_EVOLVING when look). Apart, so that the common case carries none of
 * its buffers.
 */
static __attribute__((noinline)) int convert_field(sink *s, table_def *t, sink_table *rt,
                                                   const field *f, long c, value *vals, int copy,
                                                   int look)
{
    ch_error err;
    column_def *col;
    if (look && evolve_wanted(t, c, f))
        return NEEDS_EVOLVING;
    if (c < 0)
        return CH_OK; /* NULL for a column that does not exist yet */
    col = &t->cols[c];
    if (fit_columns(rt, t->ncols) != CH_OK) /* rt->vals: what a conversion makes, when copied */
        return sink_fail(s, "out of memory");
    if (col->type == T_NONE) {
        value_set_null(&vals[c]);
    } else if (f->v.type == col->type && col->type != T_DECIMAL) {
        if (!copy)
            value_borrow(&vals[c], &f->v);
        else if (value_copy(&vals[c], &f->v) != CH_OK)
            return sink_fail(s, "out of memory");
    } else if (value_convert(&f->v, col->type, col->precision, col->scale,
                             copy ? &rt->vals[c] : &vals[c], &err) != CH_OK) {
        return sink_op_fail(s, f->name, "%s", err.msg);
    } else if (copy && value_copy(&vals[c], &rt->vals[c]) != CH_OK) {
        return sink_fail(s, "out of memory");
    }
    return CH_OK;
}

/* True when a value of the column's own type is taken as it is: not NULL, not DECIMAL. */
HOT int taken_as_is(const field *f, const column_def *col)
{
    return f->v.type == col->type && ((~0u ^ 1u << T_NONE ^ 1u << T_DECIMAL) >> col->type & 1);
}

/* Fails the operation when a key column is absent or NULL. */
static int check_key(sink *s, const table_def *t, const value *vals, const unsigned char *present)
{
    for (size_t k = 0; k < t->nkey; k++) {
        size_t c = t->key[k];
        if (!present[c])
            return sink_op_fail(s, t->cols[c].name, "no value for this primary key column");
        if (vals[c].type == T_NONE)
            return sink_op_fail(s, t->cols[c].name, "this primary key column is NULL");
    }
    return CH_OK;
}

/* convert() for a table of more than 64 columns: the flags kept in present as they are found. */
static __attribute__((noinline)) int convert_wide(sink *s, table_def *t, sink_table *rt,
                                                  const ch_row *row, value *vals,
                                                  unsigned char *present, int copy, int look)
{
    memset(present, 0, t->ncols);
    for (size_t i = 0; i < row->count; i++) {
        const field *f = &row->fields[i];
        long c = row_field_column(f, t, i);
        int rc = convert_field(s, t, rt, f, c, vals, copy, look);
        if (rc != CH_OK)
            return rc;
        if (c >= 0)
            present[c] = 1;
    }
    for (size_t c = 0; c < t->ncols; c++)
        if (!present[c])
            value_set_null(&vals[c]);
    return check_key(s, t, vals, present);
}

/*
 * Writes the flags of the columns below ncols (at most 64) from the bits of
 * given, eight a store; present has room for ncols rounded up to eight
 * (PRESENT_ROOM).
 */
HOT void spread_flags(unsigned char *present, uint64_t given, size_t ncols)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t spread = UINT64_C(0x0002040810204081), low_bits = UINT64_C(0x0101010101010101);
    size_t c = 0;
    do { /* a table of at most eight columns, most of them, in one step */
        uint64_t b = given >> c & 0xff;
        /* bits 0-6 to the low bit of bytes 0-6 in one multiply, bit 7 by hand */
        uint64_t bytes = ((b & 0x7f) * spread & low_bits) | (b >> 7) << 56;
        memcpy(present + c, &bytes, 8);
        c += 8;
    } while (c < ncols);
#else
    for (size_t c = 0; c < ncols; c++)
        present[c] = (given >> c) & 1;
#endif
}

/*
 * Converts the row's values into the table's columns, into vals and present
 * (t->ncols of each); absent columns become NULL. copy: the values are
 * copied into vals' own buffers (a writer's record, which outlives the
 * row), else they may borrow the row's. look: NEEDS_EVOLVING, and the
 * values are unfinished, when a field would change the table (evolve_row
 * would act on it): one pass over the fields in the common case, not two.
 * flags: present is written; else it is left as it is (only an update reads
 * it) unless a key column is missing.
 */
HOT int convert(sink *s, table_def *t, sink_table *rt, const ch_row *row, value *vals,
                unsigned char *present, int copy, int look, int flags)
{
    uint64_t given = 0, nulled = 0, absent; /* the columns the row gives, and gives as NULL */
    size_t ncols = t->ncols;
    if (ncols > 64)
        return convert_wide(s, t, rt, row, vals, present, copy, look);
    for (size_t i = 0; i < row->count; i++) {
        const field *f = &row->fields[i];
        long c = row_field_column(f, t, i);
        if (c >= 0 && taken_as_is(f, &t->cols[c])) {
            /* the common case: value_convert's, and no evolving, without a call */
            if (!copy)
                value_borrow(&vals[c], &f->v);
            else if (value_copy(&vals[c], &f->v) != CH_OK)
                return sink_fail(s, "out of memory");
        } else {
            int rc = convert_field(s, t, rt, f, c, vals, copy, look);
            if (rc != CH_OK)
                return rc;
            if (c < 0)
                continue;
            if (vals[c].type == T_NONE)
                nulled |= UINT64_C(1) << c;
        }
        given |= UINT64_C(1) << c;
    }
    if (flags)
        spread_flags(present, given, ncols);
    absent = ncols ? ~given & ~UINT64_C(0) >> (64 - ncols) : 0;
    for (; absent != 0; absent &= absent - 1)
        value_set_null(&vals[__builtin_ctzll(absent)]);
    /* the key in one test; check_key says which column is missing */
    if ((given & ~nulled & t->key_bits) != t->key_bits) {
        spread_flags(present, given, ncols); /* what check_key reads */
        return check_key(s, t, vals, present);
    }
    return CH_OK;
}

/*
 * Starts a data operation: numbers it, and notes what a message about it
 * names; table NULL when the connector named none (or an empty one).
 */
HOT void number_op(sink *s, const char *kind, const char *table, const ch_row *row)
{
    s->op.number = ++s->ops;
    s->op.kind = kind;
    s->op.table = table;
    s->op.t = NULL;
    s->op.row = row;
}

/* Starts an operation: table and row validity, the table prepared. */
HOT table_def *begin_op(sink *s, const char *table, const ch_row *row, const char *op,
                        sink_table **rt)
{
    table_def *t;
    if (s->failed || stopped(s))
        return NULL;
    if (table == NULL || *table == '\0') {
        number_op(s, op, NULL, row);
        sink_op_fail(s, NULL, "no table name");
        return NULL;
    }
    number_op(s, op, table, row);
    if (row == NULL) {
        sink_op_fail(s, NULL, "the row is NULL");
        return NULL;
    }
    if (row->invalid) {
        sink_op_fail(s, row->invalid_column, "%s", row->invalid_why.msg);
        return NULL;
    }
    t = find_table(s, table, rt);
    if (t == NULL)
        return NULL;
    /* the row's new columns first, so that a new table is created with them */
    if (!(*rt)->prepared && (evolve_row(s, t, *rt, row) != CH_OK || prepare(s, t, *rt) != CH_OK))
        return NULL;
    return t;
}

/*
 * The operation's values, converted: into the writer's next record, which
 * apply() then queues, or into rt's when there is no writer. The table is
 * changed first when the row needs it (schema evolution). flags: the present
 * flags are wanted (an update's).
 */
HOT int stage(sink *s, table_def *t, sink_table *rt, const ch_row *row, value **vals,
              unsigned char **present, int flags)
{
    ch_error err;
    int rc = NEEDS_EVOLVING;
    for (int look = 1; rc == NEEDS_EVOLVING; look = 0) {
        if (!look && evolve_row(s, t, rt, row) != CH_OK) /* may drain the writer */
            return CH_ERROR;
        if (s->writer == NULL) {
            if (fit_columns(rt, t->ncols) != CH_OK)
                return sink_fail(s, "out of memory");
            *vals = rt->vals;
            *present = rt->present;
        } else if (writer_reserve(s->writer, t, vals, present, &err) != CH_OK) {
            return sink_fail_from(s, &err, NULL);
        }
        rc = convert(s, t, rt, row, *vals, *present, s->writer != NULL, look, flags);
    }
    return rc; /* the key checked by convert() */
}

/* A stable id from the row's non-NULL values (row_id.c). */
static const char *row_id(sink *s, const table_def *t, const value *vals)
{
    char hex[ROW_ID_SIZE];
    row_id_of(t, vals, hex);
    if (value_set_bytes(&s->id, T_STRING, hex, ROW_ID_SIZE - 1) != CH_OK)
        return NULL;
    return s->id.ptr;
}

/*
 * Hands a checked operation to the writer thread (the record stage() filled;
 * for a truncate, a new one), or applies it here when there is none.
 */
HOT int apply(sink *s, wop_kind kind, table_def *t, const value *vals, const unsigned char *present,
              const char *id, int64_t t0)
{
    ch_error err;
    const char *synced = next_synced(s, t0);
    int events = 0;
    if (kind == WOP_TRUNCATE)
        vals = NULL;
    if (kind != WOP_UPDATE)
        present = NULL;
    if (s->writer != NULL && kind != WOP_TRUNCATE) {
        events = writer_publish(s->writer, kind, t, id, synced, s->op.number);
    } else if (s->writer != NULL) {
        if (writer_put(s->writer, kind, t, NULL, NULL, id, synced, s->op.number, &events, &err) !=
            CH_OK)
            return sink_fail_from(s, &err, NULL);
    } else {
        int64_t w0 = sink_clock();
        int rc = writer_apply_now(s->dest, s->log, kind, t, vals, present, id, synced, s->op.number,
                                  &err);
        s->times.writes += sink_clock() - w0;
        if (rc != CH_OK)
            return sink_fail_from(s, &err, NULL);
        events = s->dest->missing.count > 0;
    }
    s->pending++;
    progress_bump(&s->live.ops);
    if (!events)
        return CH_OK;
    return sink_take_reports(s, 0) == CH_OK ? sink_take_commits(s) : CH_ERROR;
}

/* ch_upsert() on the open sync s, under the API lock; t0: when the call began. */
static int upsert_locked(ch_sync *s, const char *table, const ch_row *row, int64_t t0)
{
    sink_table *rt;
    value *vals;
    unsigned char *present;
    const char *id = NULL;
    table_def *t;
    t = begin_op(s, table, row, "upsert", &rt);
    if (t == NULL || stage(s, t, rt, row, &vals, &present, 0) != CH_OK)
        return CH_ERROR;
    if (t->nkey == 0 && (id = row_id(s, t, vals)) == NULL)
        return sink_fail(s, "out of memory");
    if (apply(s, WOP_UPSERT, t, vals, present, id, t0) != CH_OK)
        return CH_ERROR;
    rt->counts.upserts++;
    return CH_OK;
}

/* ch_update() on the open sync s, under the API lock. */
static int update_locked(ch_sync *s, const char *table, const ch_row *row, int64_t t0)
{
    sink_table *rt;
    value *vals;
    unsigned char *present;
    table_def *t;
    t = begin_op(s, table, row, "update", &rt);
    if (t == NULL || stage(s, t, rt, row, &vals, &present, 1) != CH_OK)
        return CH_ERROR;
    if (t->nkey == 0)
        return sink_op_fail(s, NULL, "the table has no primary key");
    if (apply(s, WOP_UPDATE, t, vals, present, NULL, t0) != CH_OK)
        return CH_ERROR;
    rt->counts.updates++;
    return CH_OK;
}

/* ch_delete() on the open sync s, under the API lock. */
static int delete_locked(ch_sync *s, const char *table, const ch_row *key, int64_t t0)
{
    sink_table *rt;
    value *vals;
    unsigned char *present;
    table_def *t;
    t = begin_op(s, table, key, "delete", &rt);
    if (t == NULL || stage(s, t, rt, key, &vals, &present, 0) != CH_OK)
        return CH_ERROR;
    if (t->nkey == 0)
        return sink_op_fail(s, NULL, "the table has no primary key");
    if (apply(s, WOP_DELETE, t, vals, present, NULL, t0) != CH_OK)
        return CH_ERROR;
    rt->counts.deletes++;
    return CH_OK;
}

static int truncate_locked(ch_sync *s, const char *table, int64_t t0)
{
    sink_table *rt;
    table_def *t;
    if (!usable(s, "ch_truncate") || s->failed || stopped(s))
        return CH_ERROR;
    if (table == NULL || *table == '\0') {
        number_op(s, "truncate", NULL, NULL);
        return sink_op_fail(s, NULL, "no table name");
    }
    number_op(s, "truncate", table, NULL);
    t = find_table(s, table, &rt);
    if (t == NULL || prepare(s, t, rt) != CH_OK)
        return CH_ERROR;
    if (apply(s, WOP_TRUNCATE, t, NULL, NULL, NULL, t0) != CH_OK)
        return CH_ERROR;
    rt->counts.truncates++;
    return CH_OK;
}

/*
 * Everything counted so far is in the warehouse now: what a later failure
 * rolls back is what is counted after this.
 */
static void mark_committed(sink *s)
{
    for (size_t i = 0; i < s->tables_cap; i++)
        s->tables[i].committed = s->tables[i].counts;
}

/* Waits until the writer has finished `count` commits in all, and records them. */
static int wait_commits_until(sink *s, long count)
{
    ch_error err;
    if (writer_wait_commits(s->writer, count, &err) != CH_OK)
        return sink_fail_from(s, &err, NULL);
    if (sink_take_reports(s, 0) != CH_OK || sink_take_commits(s) != CH_OK)
        return CH_ERROR;
    return CH_OK;
}

/* Waits for every queued commit and records it. */
static int wait_commits(sink *s)
{
    return wait_commits_until(s, s->commits_taken + (long)s->commit_count);
}

/*
 * Queues a commit on the writer, which makes it durable while the connector
 * goes on. The commit before it, if still on the writer, is waited for and
 * recorded (its state files written) while the writer applies this one's
 * operations; the writer makes this one only then, so that a state.json
 * that cannot be written stops the sync at the commit it belongs to.
 */
static int queue_commit(sink *s, const char *state_json, int is_checkpoint)
{
    ch_error err;
    sink_commit *c;
    long earlier = s->commits_taken + (long)s->commit_count;
    if (s->commit_count == SINK_COMMITS && wait_commits(s) != CH_OK) /* the oldest first */
        return CH_ERROR;
    c = &s->commits[(s->commit_first + s->commit_count) % SINK_COMMITS];
    c->state = strdup(state_json);
    c->counts = malloc((s->tables_cap ? s->tables_cap : 1) * sizeof *c->counts);
    if (c->state == NULL || c->counts == NULL) {
        free(c->state);
        free(c->counts);
        c->state = NULL;
        c->counts = NULL;
        return sink_fail(s, "out of memory");
    }
    for (size_t i = 0; i < s->tables_cap; i++)
        c->counts[i] = s->tables[i].counts;
    c->ncounts = s->tables_cap;
    c->is_checkpoint = is_checkpoint;
    s->commit_count++;
    if (writer_commit(s->writer, s->connector, state_json, next_synced(s, sink_clock()), &err) !=
        CH_OK)
        return sink_fail_from(s, &err, NULL);
    if (s->commit_count > 1 && wait_commits_until(s, earlier) != CH_OK) {
        writer_release(s->writer, 0);
        return CH_ERROR;
    }
    writer_release(s->writer, 1);
    /* where the state files are the state, they are written before the connector goes on */
    return s->commit_waits ? wait_commits(s) : CH_OK;
}

/*
 * Commits pending operations with the given state, then tells the commit
 * hook: on the writer thread without waiting for it, when there is one.
 */
static int commit(sink *s, const char *state_json, int is_checkpoint)
{
    ch_error err;
    int rc;
    if (s->writer != NULL && !s->dry_run) {
        if (queue_commit(s, state_json, is_checkpoint) != CH_OK)
            return CH_ERROR;
    } else {
        if (sink_settle(s) != CH_OK)
            return CH_ERROR;
        /* a dry run applies what the destination holds back, so it is checked, and commits
           nothing */
        if (s->dry_run)
            rc = s->dest->ops->flush ? s->dest->ops->flush(s->dest, &err) : CH_OK;
        else {
            int64_t t0 = sink_clock();
            rc = s->dest->ops->commit(s->dest, s->connector, state_json,
                                      next_synced(s, sink_clock()), &err);
            if (rc == CH_OK && s->dest->ops->settle) /* durable only once settled */
                rc = s->dest->ops->settle(s->dest, &err);
            s->times.commits += sink_clock() - t0;
        }
        if (rc != CH_OK)
            return sink_fail_from(s, &err, "checkpoint");
        if (sink_take_reports(s, 1) != CH_OK) /* what the commit's last merge found missing */
            return CH_ERROR;
        if (sink_committed(s, state_json, is_checkpoint, NULL, 0) != CH_OK)
            return CH_ERROR;
    }
    s->pending = 0;
    s->schema_pending = 0;
    if (s->committed_state != state_json) {
        char *copy = strdup(state_json);
        if (copy == NULL)
            return sink_fail(s, "out of memory");
        free(s->committed_state);
        s->committed_state = copy;
    }
    return CH_OK;
}

static int checkpoint_locked(ch_sync *s)
{
    const char *json;
    if (!usable(s, "ch_checkpoint") || s->failed || stopped(s))
        return CH_ERROR;
    json = state_json(s->state);
    if (json == NULL)
        return sink_fail(s, "out of memory");
    if (s->pending == 0 && !s->schema_pending && strcmp(json, s->committed_state) == 0) {
        /* nothing to make durable: no transaction, no fsync; but a checkpoint that returns
           promises the one before it is durable */
        if (s->commit_count > 0 && wait_commits(s) != CH_OK)
            return CH_ERROR;
        s->checkpoints++;
        mark_committed(s);
        progress_checkpointed(&s->live);
        log_msg(s->log, CH_LOG_FINE, "host",
                "checkpoint %ld: no operation and the same state since the last commit; "
                "nothing to commit",
                s->checkpoints);
        return CH_OK;
    }
    return commit(s, json, 1);
}

void sink_close(sink *s)
{
    pthread_mutex_lock(&api_lock);
    if (open_sync == s)
        open_sync = NULL;
    pthread_mutex_unlock(&api_lock);
}

int sink_finish(sink *s)
{
    set_open(NULL); /* the handler has returned: the public functions are closed */
    if (s->failed || stopped(s))
        return CH_ERROR;
    if (s->pending == 0 && !s->schema_pending) {
        if (sink_settle(s) != CH_OK) /* the last checkpoints' commits, still on the writer */
            return CH_ERROR;
        mark_committed(s); /* e.g. a warning the last commit's merge reported */
        return CH_OK;
    }
    progress_phase(&s->live, PROGRESS_COMMITTING);
    if (s->pending == 0)
        log_msg(s->log, CH_LOG_INFO, "host",
                "committing the declared tables' schema changes, with the state unchanged");
    else
        log_msg(s->log, CH_LOG_INFO, "host",
                "committing %ld operation%s after the last checkpoint, with the state unchanged",
                s->pending, s->pending == 1 ? "" : "s");
    /* the sync's last commit: done when the sync is */
    return commit(s, s->committed_state, 0) == CH_OK ? sink_settle(s) : CH_ERROR;
}

void sink_end_writes(sink *s)
{
    writer_end(s->writer);
    if (s->dest->ops->finish != NULL)
        s->dest->ops->finish(s->dest);
}

void sink_abort(sink *s)
{
    set_open(NULL);
    progress_phase(&s->live, PROGRESS_ROLLING_BACK);
    if (s->pending)
        log_msg(s->log, CH_LOG_WARNING, "host",
                "rolling back %ld operation%s after the last checkpoint", s->pending,
                s->pending == 1 ? "" : "s");
    sink_settle(s); /* the writer must be idle; a failure it reports changes nothing here */
    s->dest->ops->rollback(s->dest);
    s->pending = 0;
}

static const char *state_get_locked(ch_sync *s, const char *key)
{
    return usable(s, "ch_state_get") && key ? state_get(s->state, key) : NULL;
}

static int state_set_locked(ch_sync *s, const char *key, const char *text)
{
    if (!usable(s, "ch_state_set"))
        return CH_ERROR;
    if (key == NULL || text == NULL)
        return sink_fail(s, "ch_state_set needs a key and a value");
    if (!utf8_valid(key, strlen(key)) || !utf8_valid(text, strlen(text)))
        return sink_fail(s, "state key '%s': not valid UTF-8", key);
    if (state_set_string(s->state, key, text) != CH_OK)
        return sink_fail(s, "out of memory");
    return CH_OK;
}

static int state_set_json_locked(ch_sync *s, const char *json_object)
{
    ch_error err;
    if (!usable(s, "ch_state_set_json"))
        return CH_ERROR;
    if (json_object == NULL)
        return sink_fail(s, "ch_state_set_json needs a JSON object");
    if (state_replace(s->state, json_object, strlen(json_object), "state", &err) != CH_OK)
        return sink_fail(s, "%s", err.msg);
    return CH_OK;
}

static const char *state_json_locked(ch_sync *s)
{
    return usable(s, "ch_state_json") ? state_json(s->state) : NULL;
}

void ch_log(ch_sync *s, ch_log_level level, const char *format, ...)
{
    va_list ap;
    pthread_mutex_lock(&api_lock);
    if (format != NULL && usable(s, "ch_log")) {
        va_start(ap, format);
        log_vmsg(s->log, level, s->source, format, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&api_lock);
}

void *ch_sync_user_data(ch_sync *s)
{
    return s ? s->user_data : NULL; /* set before the handler starts, never changed */
}

int ch_fail(ch_sync *s, const char *format, ...)
{
    va_list ap;
    pthread_mutex_lock(&api_lock);
    if (usable(s, "ch_fail") && format != NULL) {
        va_start(ap, format);
        sink_vfail(s, format, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&api_lock);
    return CH_ERROR;
}

/* Adds the time since t0 to the host's share, when s is the open sync; under the API lock. */
static void host_time(sink *s, int64_t t0)
{
    if (s != NULL && s == open_sync)
        s->times.host += sink_clock() - t0;
}

void sink_handler_returned(sink *s, int64_t ns)
{
    s->times.handler = ns;
    s->times.waited_in_handler = s->times.waited;
    if (s->writer != NULL) /* the producer's own count: no drain needed to read it */
        s->times.waited_in_handler += writer_waited(s->writer);
}

sink_times sink_get_times(const sink *s)
{
    sink_times t = s->times;
    if (s->writer != NULL) {
        writer_times w = writer_get_times(s->writer);
        t.writes = w.writes;
        t.commits += w.commits;
        t.waited += w.waited;
    }
    return t;
}

/*
 * The public functions: each takes the API lock, so a connector may call
 * them from any of its threads while its update handler runs; operations
 * then keep one total order, the order in which they took the lock.
 */
int ch_upsert(ch_sync *s, const char *table, const ch_row *row)
{
    int64_t t0 = sink_clock();
    int rc = CH_ERROR;
    pthread_mutex_lock(&api_lock);
    if (usable(s, "ch_upsert")) {
        rc = upsert_locked(s, table, row, t0);
        s->times.host += sink_clock() - t0;
    }
    pthread_mutex_unlock(&api_lock);
    return rc;
}

int ch_update(ch_sync *s, const char *table, const ch_row *row)
{
    int64_t t0 = sink_clock();
    int rc = CH_ERROR;
    pthread_mutex_lock(&api_lock);
    if (usable(s, "ch_update")) {
        rc = update_locked(s, table, row, t0);
        s->times.host += sink_clock() - t0;
    }
    pthread_mutex_unlock(&api_lock);
    return rc;
}

int ch_delete(ch_sync *s, const char *table, const ch_row *key)
{
    int64_t t0 = sink_clock();
    int rc = CH_ERROR;
    pthread_mutex_lock(&api_lock);
    if (usable(s, "ch_delete")) {
        rc = delete_locked(s, table, key, t0);
        s->times.host += sink_clock() - t0;
    }
    pthread_mutex_unlock(&api_lock);
    return rc;
}

int ch_truncate(ch_sync *s, const char *table)
{
    int64_t t0 = sink_clock();
    int rc;
    pthread_mutex_lock(&api_lock);
    rc = truncate_locked(s, table, t0);
    host_time(s, t0);
    pthread_mutex_unlock(&api_lock);
    return rc;
}

int ch_checkpoint(ch_sync *s)
{
    int64_t t0 = sink_clock();
    int rc;
    pthread_mutex_lock(&api_lock);
    rc = checkpoint_locked(s);
    host_time(s, t0);
    pthread_mutex_unlock(&api_lock);
    return rc;
}

const char *ch_state_get(ch_sync *s, const char *key)
{
    const char *rc;
    pthread_mutex_lock(&api_lock);
    rc = state_get_locked(s, key);
    pthread_mutex_unlock(&api_lock);
    return rc;
}

int ch_state_set(ch_sync *s, const char *key, const char *text)
{
    int rc;
    pthread_mutex_lock(&api_lock);
    rc = state_set_locked(s, key, text);
    pthread_mutex_unlock(&api_lock);
    return rc;
}

int ch_state_set_json(ch_sync *s, const char *json_object)
{
    int rc;
    pthread_mutex_lock(&api_lock);
    rc = state_set_json_locked(s, json_object);
    pthread_mutex_unlock(&api_lock);
    return rc;
}

const char *ch_state_json(ch_sync *s)
{
    const char *rc;
    pthread_mutex_lock(&api_lock);
    rc = state_json_locked(s);
    pthread_mutex_unlock(&api_lock);
    return rc;
}
