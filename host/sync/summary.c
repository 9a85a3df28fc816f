/* summary.c - per-table counts in a table (text) or one JSON object (json). */
#include "summary.h"

#include <string.h>
#include <yajl/yajl_gen.h>

/* A table's counts; zero for a declared table that saw no operation. */
static const op_counts *table_counts(const sink *s, size_t i)
{
    static const op_counts none;
    return i < s->tables_cap ? &s->tables[i].counts : &none;
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

static void print_json(FILE *out, const sink *s, double seconds, const char *failure)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    op_counts total = sink_totals(s);
    if (g == NULL)
        return;
    yajl_gen_map_open(g);
    gen_key(g, "summary");
    yajl_gen_map_open(g);
    gen_key(g, "connector");
    gen_key(g, s->connector);
    gen_key(g, "tables");
    yajl_gen_array_open(g);
    for (size_t i = 0; s->schema && i < s->schema->ntables; i++) {
        const table_def *t = s->schema->tables[i];
        yajl_gen_map_open(g);
        gen_key(g, "table");
        gen_key(g, t->name);
        gen_key(g, "destination_table");
        gen_key(g, t->dest_name);
        gen_counts(g, table_counts(s, i), -1);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    gen_key(g, "total");
    yajl_gen_map_open(g);
    gen_counts(g, &total, s->checkpoints);
    yajl_gen_map_close(g);
    gen_key(g, "elapsed_seconds");
    {
        /* microseconds, as written: a double's shortest text would carry float noise */
        char number[32];
        int n = snprintf(number, sizeof number, "%.6f", seconds);
        yajl_gen_number(g, number, n > 0 ? (size_t)n : 0);
    }
    gen_key(g, "result");
    gen_key(g, failure ? "SYNC FAILED" : "SYNC SUCCEEDED");
    if (failure) {
        gen_key(g, "reason");
        gen_key(g, failure);
    }
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        fprintf(out, "%.*s\n", (int)len, (const char *)buf);
    yajl_gen_free(g);
}

static void print_row(FILE *out, int width, const char *name, const op_counts *c, long checkpoints)
{
    char cp[24] = "";
    if (checkpoints >= 0)
        snprintf(cp, sizeof cp, "%ld", checkpoints);
    fprintf(out, "%-*s %8ld %8ld %8ld %9ld %11s %14ld %8ld\n", width, name, c->upserts, c->updates,
            c->deletes, c->truncates, cp, c->schema_changes, c->warnings);
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

/* The last line of a failed sync; the reason may come from the connector, so no line is forged. */
static void print_failure(FILE *out, const char *failure)
{
    fputs("SYNC FAILED: ", out);
    log_put_text(out, failure);
    putc('\n', out);
}

void summary_print(FILE *out, const sink *s, int json, double seconds, const char *failure)
{
    op_counts total = sink_totals(s);
    if (json) {
        print_json(out, s, seconds, failure);
        fflush(out);
        return;
    }
    int width = 24; /* the name column fits the longest label, so columns stay aligned */
    char name[160];
    for (size_t i = 0; s->schema && i < s->schema->ntables; i++) {
        int len = (int)strlen(table_label(s->schema->tables[i], name, sizeof name));
        if (len > width)
            width = len;
    }
    fprintf(out, "\nSync summary for connector '%s'\n", s->connector);
    fprintf(out, "%-*s %8s %8s %8s %9s %11s %14s %8s\n", width, "table", "upserts", "updates",
            "deletes", "truncates", "checkpoints", "schema changes", "warnings");
    for (size_t i = 0; s->schema && i < s->schema->ntables; i++)
        print_row(out, width, table_label(s->schema->tables[i], name, sizeof name),
                  table_counts(s, i), -1);
    print_row(out, width, "total", &total, s->checkpoints);
    fprintf(out, "elapsed: %.3f s\n", seconds);
    if (failure)
        print_failure(out, failure);
    else
        fprintf(out, "SYNC SUCCEEDED\n");
    fflush(out);
}

void summary_print_failure(FILE *out, const char *connector, int json, const char *failure)
{
    yajl_gen g;
    const unsigned char *buf;
    size_t len;
    if (!json) {
        print_failure(out, failure);
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
    gen_key(g, "result");
    gen_key(g, "SYNC FAILED");
    gen_key(g, "reason");
    gen_key(g, failure);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        fprintf(out, "%.*s\n", (int)len, (const char *)buf);
    fflush(out);
    yajl_gen_free(g);
}
