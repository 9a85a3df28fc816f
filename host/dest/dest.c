/* dest.c - choosing a destination from its specification. */
#include "dest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dest_notice(dest *d, const char *format, ...)
{
    char message[1024];
    va_list ap;
    if (d->notice == NULL)
        return;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    d->notice(d->notice_ctx, message);
}

int dest_missing(dest *d, table_def *t, int kind, long count, ch_error *err)
{
    if (count <= 0 || d->missing == NULL || d->missing(d->missing_ctx, t, kind, count) == CH_OK)
        return CH_OK;
    return err_set(err, "out of memory");
}

/* Marks column c seen, growing the marks to the table's columns. */
static int mark_seen(dest_found *f, const table_def *t, size_t c)
{
    if (f->nseen < t->ncols) {
        unsigned char *grown = realloc(f->seen, t->ncols);
        if (grown == NULL)
            return CH_ERROR;
        memset(grown + f->nseen, 0, t->ncols - f->nseen);
        f->seen = grown;
        f->nseen = t->ncols;
    }
    f->seen[c] = 1;
    return CH_OK;
}

int dest_found_column(dest_found *f, table_def *t, const char *name, int pk, type_spec ts,
                      long *col, int *adopted, ch_error *err)
{
    long c = -1;
    *col = -1;
    *adopted = 0;
    f->exists = 1;
    if (pk > MAX_KEY_COLUMNS)
        return err_set(err, "the warehouse table has more than %d primary key columns",
                       MAX_KEY_COLUMNS);
    if (pk > 0 && (f->pk_names[pk - 1] = strdup(name)) == NULL)
        return err_set(err, "out of memory");
    if (pk > f->npk)
        f->npk = pk;
    if (strcmp(name, COL_SYNCED) == 0 || strcmp(name, COL_DELETED) == 0 ||
        strcmp(name, COL_ID) == 0)
        return CH_OK;
    for (size_t i = 0; i < t->ncols && c < 0; i++)
        if (strcmp(t->cols[i].dest_name, name) == 0)
            c = (long)i;
    if (c < 0) {
        if ((c = table_add_column(t, name, ts.type, ts.precision, ts.scale, 0, err)) < 0)
            return CH_ERROR;
        *adopted = 1;
        t->cols[c].in_warehouse = 1;
        t->cols[c].named_by_warehouse = 1;
        if (strcmp(t->cols[c].dest_name, name) != 0) {
            /* made by hand, not in normal form: use it under its own name */
            char *own = strdup(name);
            if (own == NULL)
                return err_set(err, "out of memory");
            free(t->cols[c].dest_name);
            t->cols[c].dest_name = own;
        }
    }
    if (mark_seen(f, t, (size_t)c) != CH_OK)
        return err_set(err, "out of memory");
    *col = c;
    return CH_OK;
}

void dest_found_free(dest_found *f)
{
    for (int k = 0; k < MAX_KEY_COLUMNS; k++)
        free(f->pk_names[k]);
    free(f->seen);
    memset(f, 0, sizeof *f);
}

static int is_postgres(const char *spec)
{
    return strncmp(spec, "postgresql://", 13) == 0 || strncmp(spec, "postgres://", 11) == 0;
}

int dest_check(const char *spec, ch_error *err)
{
    if (strncmp(spec, "sqlite:", 7) == 0) {
        if (spec[7] == '\0')
            return err_set(err, "destination '%s': the sqlite destination needs a file path", spec);
        return CH_OK;
    }
    if (strncmp(spec, "jsonl:", 6) == 0) {
        if (spec[6] == '\0')
            return err_set(err,
                           "destination '%s': the jsonl destination needs a file path, or - for "
                           "standard output",
                           spec);
        return CH_OK;
    }
    if (is_postgres(spec))
        return dest_pg_check(spec, err);
    return err_set(err,
                   "unknown destination '%s' (expected sqlite:PATH, postgresql://... or "
                   "jsonl:PATH)",
                   spec);
}

static int open_plain(const char *spec, int dry_run, dest **out, ch_error *err)
{
    if (strncmp(spec, "jsonl:", 6) == 0)
        return dest_jsonl_open(spec + 6, out, err);
    if (is_postgres(spec))
        return dest_pg_open(spec, out, err);
    return dest_sqlite_open(spec + 7, dry_run, out, err);
}

int dest_open(const char *spec, int dry_run, dest **out, ch_error *err)
{
    if (dest_check(spec, err) != CH_OK || open_plain(spec, dry_run, out, err) != CH_OK)
        return CH_ERROR;
    return dry_run ? dest_dry_run_wrap(*out, out, err) : CH_OK;
}
