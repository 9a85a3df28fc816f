/*
 * settle.c - the sink's side of the hand-over to the destination: recording
 * the sync's first failure, waiting for the writer thread, and logging and
 * counting what the destination reported back, recording the commits it
 * finished. The sink and evolve.c both
 * use it; it uses neither.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/utf8.h"
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
    if (prefix != NULL)
        sink_fail(s, "%s: %s", prefix, cause->msg);
    else
        sink_fail(s, "%s", cause->msg);
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

/*
 * A commit is durable: what it holds counts as committed (counts are those
 * of when it was queued; warnings, reported after their operations, as of
 * now), its state is the committed one, and the commit hook is told.
 */
int sink_committed(sink *s, const char *state_json, int is_checkpoint, const op_counts *counts,
                   size_t ncounts)
{
    ch_error err;
    s->checkpoints += is_checkpoint; /* committed, whatever happens to state.json */
    for (size_t i = 0; i < s->tables_cap; i++) {
        long warnings = s->tables[i].counts.warnings;
        if (counts == NULL)
            s->tables[i].committed = s->tables[i].counts;
        else if (i < ncounts)
            s->tables[i].committed = counts[i];
        s->tables[i].committed.warnings = warnings;
    }
    progress_checkpointed(&s->live);
    if (s->on_commit && s->on_commit(s->on_commit_ctx, state_json, &err) != CH_OK)
        return sink_fail(s, "checkpoint committed, but %s", err.msg);
    if (is_checkpoint) {
        char cut[STATE_LOG_MAX + 64];
        log_msg(s->log, CH_LOG_FINE, "host", "checkpoint %ld committed with state %s",
                s->checkpoints, text_cut(state_json, STATE_LOG_MAX, cut, sizeof cut));
    }
    return CH_OK;
}

int sink_take_commits(sink *s)
{
    long done;
    int rc = CH_OK;
    if (s->writer == NULL || s->commit_count == 0)
        return CH_OK;
    done = writer_commits_done(s->writer);
    while (s->commits_taken < done && s->commit_count > 0) {
        sink_commit *c = &s->commits[s->commit_first];
        if (rc == CH_OK)
            rc = sink_committed(s, c->state, c->is_checkpoint, c->counts, c->ncounts);
        free(c->state);
        free(c->counts);
        c->state = NULL;
        c->counts = NULL;
        s->commit_first = (s->commit_first + 1) % SINK_COMMITS;
        s->commit_count--;
        s->commits_taken++;
    }
    return rc;
}

int sink_settle(sink *s)
{
    ch_error err;
    int rc = CH_OK;
    if (s->writer != NULL)
        rc = writer_drain(s->writer, &err);
    if (sink_take_reports(s, 1) != CH_OK || sink_take_commits(s) != CH_OK)
        return CH_ERROR;
    return rc == CH_OK ? CH_OK : sink_fail_from(s, &err, NULL);
}
