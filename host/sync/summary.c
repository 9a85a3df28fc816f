/* summary.c - per-table counts in a table (text) or one JSON object (json). */
#include "summary.h"

#include "request.h"

#include <string.h>
#include <yajl/yajl_gen.h>

/* A table's counts (committed: of what was committed); zero for a table that saw no operation. */
static op_counts table_counts(const sink *s, size_t i, int committed)
{
    static const op_counts none;
    if (i >= s->tables_cap)
        return none;
    return committed ? s->tables[i].committed : s->tables[i].counts;
}

static op_counts minus(op_counts a, op_counts b)
{
    a.upserts -= b.upserts;
    a.updates -= b.updates;
    a.deletes -= b.deletes;
    a.truncates -= b.truncates;
    a.schema_changes -= b.schema_changes;
    a.warnings -= b.warnings;
    return a;
}

static op_counts plus(op_counts a, op_counts b)
{
    a.upserts += b.upserts;
    a.updates += b.updates;
    a.deletes += b.deletes;
    a.truncates += b.truncates;
    a.schema_changes += b.schema_changes;
    a.warnings += b.warnings;
    return a;
}

/* What a failure rolled back: sent after the last commit. */
static op_counts rolled_back(const sink *s, size_t i)
{
    return minus(table_counts(s, i, 0), table_counts(s, i, 1));
}

static size_t ntables(const sink *s)
{
    return s->schema ? s->schema->ntables : 0;
}

static op_counts total_committed(const sink *s)
{
    op_counts t = {0};
    for (size_t i = 0; i < ntables(s); i++)
        t = plus(t, table_counts(s, i, 1));
    return t;
}

static op_counts total_rolled_back(const sink *s)
{
    op_counts t = {0};
    for (size_t i = 0; i < ntables(s); i++)
        t = plus(t, rolled_back(s, i));
    return t;
}

static int any(const op_counts *c)
{
    return c->upserts || c->updates || c->deletes || c->truncates || c->schema_changes ||
           c->warnings;
}

/* A table's rows in the warehouse, or -1 and -1 when they were not counted. */
static table_rows rows_of(const warehouse_rows *r, size_t i)
{
    table_rows none = {-1, -1};
    return r && r->counted && i < r->count ? r->tables[i] : none;
}

/* The rows of every table, or -1 and -1 when any table's are unknown. */
static table_rows rows_total(const warehouse_rows *r, size_t n)
{
    table_rows t = {0, 0};
    for (size_t i = 0; i < n; i++) {
        table_rows one = rows_of(r, i);
        if (one.live < 0)
            return one;
        t.live += one.live;
        t.deleted += one.deleted;
    }
    return t;
}

static void gen_key(yajl_gen g, const char *key)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

static void gen_counts(yajl_gen g, const op_counts *c, long checkpoints)
{
    gen_key(g, "upserts");
    yajl_gen_integer(g, c->upserts);
    gen_key(g, "updates");
    yajl_gen_integer(g, c->updates);
    gen_key(g, "deletes");
    yajl_gen_integer(g, c->deletes);
    gen_key(g, "truncates");
    yajl_gen_integer(g, c->truncates);
    if (checkpoints >= 0) {
        gen_key(g, "checkpoints");
        yajl_gen_integer(g, checkpoints);
    }
    gen_key(g, "schema_changes");
    yajl_gen_integer(g, c->schema_changes);
    gen_key(g, "warnings");
    yajl_gen_integer(g, c->warnings);
}

/* A count, or null when it is not known. */
static void gen_count_or_null(yajl_gen g, const char *key, long n)
{
    gen_key(g, key);
    if (n < 0)
        yajl_gen_null(g);
    else
        yajl_gen_integer(g, n);
}

/* The counts of what was committed, then what was rolled back, then the rows in the warehouse. */
static void gen_table_counts(yajl_gen g, const op_counts *committed, long checkpoints,
                             const op_counts *back, table_rows rows)
{
    gen_counts(g, committed, checkpoints);
    gen_key(g, "rolled_back");
    yajl_gen_map_open(g);
    gen_counts(g, back, -1);
    yajl_gen_map_close(g);
    gen_count_or_null(g, "live_rows", rows.live);
    gen_count_or_null(g, "deleted_rows", rows.deleted);
}

/* Where the time went, in seconds: the connector's share is the handler's time outside the host. */
typedef struct time_split {
    double connector, host, waiting, writes, commits;
} time_split;

static time_split split_times(const sink *s)
{
    sink_times t = sink_get_times(s);
    time_split x;
    int64_t host = t.host < t.handler ? t.host : t.handler;
    x.connector = (double)(t.handler - host) / 1e9;
    x.host = (double)(host > t.waited_in_handler ? host - t.waited_in_handler : 0) / 1e9;
    x.waiting = (double)t.waited / 1e9;
    x.writes = (double)t.writes / 1e9;
    x.commits = (double)t.commits / 1e9;
    return x;
}

static void gen_seconds(yajl_gen g, const char *key, double seconds)
{
    /* microseconds, as written: a double's shortest text would carry float noise */
    char number[32];
    int n = snprintf(number, sizeof number, "%.6f", seconds);
    gen_key(g, key);
    yajl_gen_number(g, number, n > 0 ? (size_t)n : 0);
}

static void gen_times(yajl_gen g, const sink *s)
{
    time_split x = split_times(s);
    gen_key(g, "time_seconds");
    yajl_gen_map_open(g);
    gen_seconds(g, "connector", x.connector);
    gen_seconds(g, "host", x.host);
    gen_seconds(g, "waiting_for_destination", x.waiting);
    gen_seconds(g, "destination_writes", x.writes);
    gen_seconds(g, "destination_commits", x.commits);
    yajl_gen_map_close(g);
}

/* The end of a JSON summary: the result, why it failed, the exit status and whether to retry. */
static void gen_result(yajl_gen g, const char *failure, int status)
{
    gen_key(g, "result");
    gen_key(g, failure ? "SYNC FAILED" : "SYNC SUCCEEDED");
    if (failure) {
        gen_key(g, "reason");
        gen_key(g, failure);
    }
    gen_key(g, "exit_status");
    yajl_gen_integer(g, status);
    gen_key(g, "busy");
    yajl_gen_bool(g, status == EXIT_BUSY);
}

static void print_json(FILE *out, const sink *s, const warehouse_rows *rows, double seconds,
                       const char *failure, int status)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    op_counts total = total_committed(s), back = total_rolled_back(s);
    if (g == NULL)
        return;
    yajl_gen_map_open(g);
    gen_key(g, "summary");
    yajl_gen_map_open(g);
    gen_key(g, "connector");
    gen_key(g, s->connector);
    gen_key(g, "tables");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < ntables(s); i++) {
        const table_def *t = s->schema->tables[i];
        op_counts committed = table_counts(s, i, 1), table_back = rolled_back(s, i);
        yajl_gen_map_open(g);
        gen_key(g, "table");
        gen_key(g, t->name);
        gen_key(g, "destination_table");
        gen_key(g, t->dest_name);
        gen_table_counts(g, &committed, -1, &table_back, rows_of(rows, i));
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    gen_key(g, "total");
    yajl_gen_map_open(g);
    gen_table_counts(g, &total, s->checkpoints, &back, rows_total(rows, ntables(s)));
    yajl_gen_map_close(g);
    gen_key(g, "elapsed_seconds");
    {
        /* microseconds, as written: a double's shortest text would carry float noise */
        char number[32];
        int n = snprintf(number, sizeof number, "%.6f", seconds);
        yajl_gen_number(g, number, n > 0 ? (size_t)n : 0);
    }
    gen_times(g, s);
    gen_result(g, failure, status);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        fprintf(out, "%.*s\n", (int)len, (const char *)buf);
    yajl_gen_free(g);
}

/* The column names have no spaces, so that a script may split the lines on blanks. */
static void print_header(FILE *out, int width)
{
    fprintf(out, "%-*s %8s %8s %8s %9s %11s %14s %8s\n", width, "table", "upserts", "updates",
            "deletes", "truncates", "checkpoints", "schema_changes", "warnings");
}

static void print_row(FILE *out, int width, const char *name, const op_counts *c, long checkpoints)
{
    char cp[24] = "";
    if (checkpoints >= 0)
        snprintf(cp, sizeof cp, "%ld", checkpoints);
    fprintf(out, "%-*s %8ld %8ld %8ld %9ld %11s %14ld %8ld\n", width, name, c->upserts, c->updates,
            c->deletes, c->truncates, cp, c->schema_changes, c->warnings);
}

static void print_rows_row(FILE *out, int width, const char *name, table_rows r)
{
    if (r.live < 0)
        fprintf(out, "%-*s %8s %8s\n", width, name, "-", "-");
    else
        fprintf(out, "%-*s %8ld %8ld\n", width, name, r.live, r.deleted);
}

/* A table's label: its name, and its destination name when that differs. */
static const char *table_label(const table_def *t, char *buf, size_t size)
{
    if (strcmp(t->name, t->dest_name) != 0)
        snprintf(buf, size, "%s (as %s)", t->name, t->dest_name);
    else
        snprintf(buf, size, "%s", t->name);
    return buf;
}

/*
 * The last line of a failed sync; the reason may come from the connector, so
 * no line is forged. A busy one says first that it is to be retried.
 */
static void print_failure(FILE *out, const char *failure, int status)
{
    if (status == EXIT_BUSY)
        fprintf(out, "BUSY: another worker has this connector; exit status %d: try again later\n",
                EXIT_BUSY);
    fputs("SYNC FAILED: ", out);
    log_put_text(out, failure);
    putc('\n', out);
}

/*
 * One row of counts per table: committed (committed != 0), with the total
 * row, or rolled back, without: a script that reads the line starting with
 * `total` finds one, the committed one (the JSON summary has every total).
 */
static void print_counts(FILE *out, const sink *s, int width, int committed)
{
    char name[160];
    op_counts total = total_committed(s);
    print_header(out, width);
    for (size_t i = 0; i < ntables(s); i++) {
        op_counts c = committed ? table_counts(s, i, 1) : rolled_back(s, i);
        print_row(out, width, table_label(s->schema->tables[i], name, sizeof name), &c, -1);
    }
    if (committed)
        print_row(out, width, "total", &total, s->checkpoints);
}

static void print_rows(FILE *out, const sink *s, const warehouse_rows *rows, int width)
{
    char name[160];
    if (rows == NULL)
        return; /* not even tried: the log said why */
    if (!rows->counted) {
        fputs("rows in the warehouse: not counted (", out);
        log_put_text(out, rows->where ? rows->where : "the destination");
        fputs(" cannot count them)\n", out);
        return;
    }
    fprintf(out, "rows in the warehouse %s:\n",
            s->dry_run ? "(the dry run changed none)" : "after the sync");
    fprintf(out, "%-*s %8s %8s\n", width, "table", "live", "deleted");
    for (size_t i = 0; i < ntables(s); i++)
        print_rows_row(out, width, table_label(s->schema->tables[i], name, sizeof name),
                       rows_of(rows, i));
}

void summary_print(FILE *out, const sink *s, const warehouse_rows *rows, int json, double seconds,
                   const char *failure, int status)
{
    if (json) {
        print_json(out, s, rows, seconds, failure, status);
        fflush(out);
        return;
    }
    int width = 24; /* the name column fits the longest label, so columns stay aligned */
    char name[160];
    for (size_t i = 0; i < ntables(s); i++) {
        int len = (int)strlen(table_label(s->schema->tables[i], name, sizeof name));
        if (len > width)
            width = len;
    }
    fprintf(out, "\nSync summary for connector '%s'\n", s->connector);
    fprintf(out, "%s:\n",
            s->dry_run ? "operations checked (a dry run commits none)" : "operations committed");
    print_counts(out, s, width, 1);
    if (failure) {
        op_counts back = total_rolled_back(s);
        if (any(&back)) {
            fputs("operations rolled back (not in the warehouse):\n", out);
            print_counts(out, s, width, 0);
        } else {
            fputs("operations rolled back: none\n", out);
        }
    }
    print_rows(out, s, rows, width);
    fprintf(out, "elapsed: %.3f s\n", seconds);
    {
        time_split x = split_times(s);
        fprintf(out,
                "time: connector %.3f s, host %.3f s, waiting for the destination %.3f s; "
                "destination writes %.3f s, commits %.3f s\n",
                x.connector, x.host, x.waiting, x.writes, x.commits);
    }
    if (failure)
        print_failure(out, failure, status);
    else
        fprintf(out, "SYNC SUCCEEDED\n");
    fflush(out);
}

void summary_print_failure(FILE *out, const char *connector, int json, const char *failure,
                           int status)
{
    yajl_gen g;
    const unsigned char *buf;
    size_t len;
    if (!json) {
        print_failure(out, failure, status);
        fflush(out);
        return;
    }
    if ((g = yajl_gen_alloc(NULL)) == NULL)
        return;
    yajl_gen_map_open(g);
    gen_key(g, "summary");
    yajl_gen_map_open(g);
    gen_key(g, "connector");
    gen_key(g, connector);
    gen_result(g, failure, status);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        fprintf(out, "%.*s\n", (int)len, (const char *)buf);
    fflush(out);
    yajl_gen_free(g);
}
