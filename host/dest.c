/* dest.c - choosing a destination from its specification. */
#include "dest.h"

#include <stdarg.h>
#include <stdio.h>
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
