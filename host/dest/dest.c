/*
 * dest.c - what every destination shares: notices, the reports of rows not
 * found, and freeing the common part. Destinations call it; it calls none
 * of them (choosing one is kinds.c's).
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

int dest_reports_add(dest_reports *r, table_def *t, int kind, long count, int held,
                     const char *rows, long named)
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
    r->items[r->count].named = named;
    r->items[r->count].number = 0;
    snprintf(r->items[r->count].rows, sizeof r->items[r->count].rows, "%s", rows);
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

int dest_report_missing(dest *d, table_def *t, int kind, long count, const char *rows, long named,
                        ch_error *err)
{
    if (count <= 0 || dest_reports_add(&d->missing, t, kind, count, 1, rows, named) == CH_OK)
        return CH_OK;
    return err_set(err, "out of memory");
}

void dest_base_free(dest *d)
{
    free(d->description);
    d->description = NULL;
    dest_reports_free(&d->missing);
}
