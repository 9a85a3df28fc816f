/*
 * dest.c - the table of destination kinds, choosing one from a spec, and
 * what every destination shares: notices and the reports of missing rows.
 */
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

int dest_reports_add(dest_reports *r, table_def *t, int kind, long count, int held)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        dest_report *items = realloc(r->items, cap * sizeof *items);
        if (items == NULL)
            return CH_ERROR;
        r->items = items;
        r->cap = cap;
    }
    r->items[r->count].t = t;
    r->items[r->count].kind = kind;
    r->items[r->count].count = count;
    r->items[r->count].held = held;
    r->count++;
    return CH_OK;
}

int dest_reports_move(dest_reports *to, dest_reports *from)
{
    if (to->count == 0) { /* the usual case: swap the buffers, copy nothing */
        dest_reports emptied = *to;
        *to = *from;
        *from = emptied;
        return CH_OK;
    }
    if (to->count + from->count > to->cap) { /* all or nothing: never half moved */
        size_t cap = to->count + from->count;
        dest_report *items = realloc(to->items, cap * sizeof *items);
        if (items == NULL)
            return CH_ERROR;
        to->items = items;
        to->cap = cap;
    }
    memcpy(to->items + to->count, from->items, from->count * sizeof *from->items);
    to->count += from->count;
    from->count = 0;
    return CH_OK;
}

void dest_reports_free(dest_reports *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}

int dest_report_missing(dest *d, table_def *t, int kind, long count, ch_error *err)
{
    if (count <= 0 || dest_reports_add(&d->missing, t, kind, count, 1) == CH_OK)
        return CH_OK;
    return err_set(err, "out of memory");
}

void dest_base_free(dest *d)
{
    free(d->description);
    d->description = NULL;
    dest_reports_free(&d->missing);
}

/* ---- destination kinds ------------------------------------------------------- */

/* The kinds built into the host, each defined in its own file. */
extern const dest_kind dest_kind_sqlite; /* sqlite.c */
extern const dest_kind dest_kind_jsonl;  /* jsonl.c */

/* PostgreSQL is a module: libpq would cost every SQLite sync 5 ms of start-up and 5 MB. */
static const dest_kind dest_kind_postgresql = {
    .name = "postgresql",
    .schemes = {"postgresql://", "postgres://", NULL},
    .usage = "postgresql://...",
    .help = "                        postgresql://USER@HOST/DB?schema=NAME\n",
    .flags = DEST_KEEPS_STATE | DEST_MODULE,
};

/* The order of `run --help`. */
static const dest_kind *const kinds[] = {&dest_kind_sqlite, &dest_kind_postgresql,
                                         &dest_kind_jsonl};

#define NKINDS (sizeof kinds / sizeof kinds[0])

const dest_kind *const *dest_kinds(size_t *count)
{
    *count = NKINDS;
    return kinds;
}

const dest_kind *dest_kind_of(const char *spec)
{
    for (size_t k = 0; k < NKINDS; k++)
        for (const char *const *p = kinds[k]->schemes; *p; p++)
            if (strncmp(spec, *p, strlen(*p)) == 0)
                return kinds[k];
    return NULL;
}

int dest_uses_stdout(const char *spec)
{
    const dest_kind *kind = spec ? dest_kind_of(spec) : NULL;
    return kind && kind->uses_stdout && kind->uses_stdout(spec);
}

int dest_check(const char *spec, ch_error *err)
{
    const dest_kind *kind = dest_kind_of(spec);
    char expected[256] = "";
    size_t off = 0;
    if (kind != NULL)
        return kind->flags & DEST_MODULE ? dest_module_check(kind, spec, err)
                                         : kind->check(spec, err);
    for (size_t k = 0; k < NKINDS && off < sizeof expected; k++) {
        const char *sep = k == 0 ? "" : k + 1 < NKINDS ? ", " : " or ";
        off +=
            (size_t)snprintf(expected + off, sizeof expected - off, "%s%s", sep, kinds[k]->usage);
    }
    return err_set(err, "unknown destination '%s' (expected %s)", spec, expected);
}

int dest_open(const char *spec, const dest_open_opts *opts, dest **out, ch_error *err)
{
    const dest_kind *kind = dest_kind_of(spec);
    int rc;
    if (dest_check(spec, err) != CH_OK)
        return CH_ERROR;
    rc = kind->flags & DEST_MODULE ? dest_module_open(kind, spec, opts, out, err)
                                   : kind->open(spec, opts, out, err);
    if (rc == CH_OK) {
        (*out)->notice = opts->notice;
        (*out)->notice_ctx = opts->notice_ctx;
    }
    return rc;
}
