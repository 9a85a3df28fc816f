/*
 * settle.c - the sink's side of the hand-over to the destination: recording
 * the sync's first failure, waiting for the writer thread, and logging and
 * counting what the destination reported back. The sink and evolve.c both
 * use it; it uses neither.
 */
#include <stdarg.h>
#include <stdio.h>

#include "contract/row.h"
#include "sink.h"
#include "writer.h"

/* Records the first failure of the sync; later ones are consequences, not causes. */
int sink_vfail(sink *s, const char *format, va_list ap)
{
    if (!s->failed) {
        vsnprintf(s->error.msg, sizeof s->error.msg, format, ap);
        s->error.kind = ERR_FAILED;
        s->failed = 1;
    }
    return CH_ERROR;
}

int sink_fail_from(sink *s, const ch_error *cause, const char *prefix)
{
    if (s->failed)
        return CH_ERROR;
    sink_fail(s, "%s: %s", prefix, cause->msg);
    s->error.kind = cause->kind;
    return CH_ERROR;
}

int sink_fail(sink *s, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    sink_vfail(s, format, ap);
    va_end(ap);
    return CH_ERROR;
}

int sink_op_fail(sink *s, const char *column, const char *format, ...)
{
    const sink_op *op = &s->op;
    /* a row refused before its table was looked up still has a key to be named by */
    const table_def *t = op->t ? op->t : op->table ? schema_find(s->schema, op->table) : NULL;
    const value *keys[MAX_KEY_COLUMNS];
    char context[1024], reason[sizeof s->error.msg];
    va_list ap;
    if (s->failed)
        return CH_ERROR; /* a consequence of the first failure: its key need not be described */
    if (t != NULL && op->row != NULL)
        for (size_t k = 0; k < t->nkey; k++) {
            const field *f = row_find(op->row, t->cols[t->key[k]].name);
            keys[k] = f ? &f->v : NULL;
        }
    table_op_context(op->kind, op->table, column, op->number, t, t && op->row ? keys : NULL,
                     context, sizeof context);
    va_start(ap, format);
    vsnprintf(reason, sizeof reason, format, ap);
    va_end(ap);
    return sink_fail(s, "%s: %s", context, reason);
}

/*
 * The one place that words and counts an update or delete that found no
 * row, whether the destination knew at once (SQLite) or learnt it when it
 * applied operations it held back (PostgreSQL, one report per merge).
 */
static void report_missing(sink *s, const dest_report *r)
{
    const char *op = r->kind == DEST_UPDATE ? "update" : "delete";
    const char *outcome = r->kind == DEST_UPDATE ? "nothing changed" : "ignored";
    char named[sizeof r->rows + 64] = "";
    if (!r->held) {
        log_msg(s->log, CH_LOG_WARNING, "host",
                "%s on table '%s', %s: no row with that primary key; %s", op, r->t->name, r->rows,
                outcome);
    } else {
        /* a merge may find thousands: the first few are named, the rest counted */
        if (r->named > 0 && r->count > r->named)
            snprintf(named, sizeof named, ": %s and %ld more", r->rows, r->count - r->named);
        else if (r->named > 0)
            snprintf(named, sizeof named, ": %s", r->rows);
        log_msg(s->log, CH_LOG_WARNING, "host",
                "%s on table '%s': %ld %s%s found no row with %s primary key; %s%s", op, r->t->name,
                r->count, op, r->count == 1 ? "" : "s", r->count == 1 ? "its" : "their", outcome,
                named);
    }
    s->tables[r->t->index].counts.warnings += r->count; /* t was prepared: tables has it */
}

/* Logs and counts the reports in the list, then empties it. */
static void take_reports(sink *s, dest_reports *from)
{
    for (size_t i = 0; i < from->count; i++)
        report_missing(s, &from->items[i]);
    from->count = 0;
}

int sink_take_reports(sink *s, int dest_idle)
{
    if (s->writer != NULL && writer_take_reports(s->writer, &s->reports) != CH_OK)
        return sink_fail(s, "out of memory");
    take_reports(s, &s->reports);
    if (s->writer == NULL || dest_idle)
        take_reports(s, &s->dest->missing);
    return CH_OK;
}

int sink_settle(sink *s)
{
    ch_error err;
    int rc = CH_OK;
    if (s->writer != NULL)
        rc = writer_drain(s->writer, &err);
    if (sink_take_reports(s, 1) != CH_OK)
        return CH_ERROR;
    return rc == CH_OK ? CH_OK : sink_fail(s, "%s", err.msg);
}
