/*
 * writer.h - a thread that applies data operations to the destination while
 * the connector produces the next ones.
 *
 * The sink validates and converts an operation, then queues a copy here and
 * returns to the connector at once. Everything else that touches the
 * destination (preparing tables, schema changes, commits, rollbacks) runs on
 * the sink's thread after writer_drain(), so the destination is never used
 * by two threads at a time. A failed operation is reported by the next
 * writer_put() or writer_drain(); nothing after it is applied. What the
 * destination reports back (updates and deletes that found no row) travels
 * back to the sink through writer_take_reports(); the writer neither logs
 * nor counts it.
 */
#ifndef HOST_WRITER_H
#define HOST_WRITER_H

#include "dest/dest.h"
#include "base/log.h"

typedef enum wop_kind { WOP_UPSERT, WOP_UPDATE, WOP_DELETE, WOP_TRUNCATE } wop_kind;

typedef struct writer writer;

/*
 * Applies one operation to the destination now, on this thread. An update
 * or delete that found no row is added to d->missing; one the destination
 * holds back, it adds there itself when it applies it. Errors and reports
 * name the operation by its kind, table, number in the sync and key.
 */
int writer_apply_now(dest *d, const logger *lg, wop_kind kind, table_def *t, const value *vals,
                     const unsigned char *present, const char *id, const char *synced, long number,
                     ch_error *err);

/* Starts the thread; NULL when it cannot (the caller then applies operations itself). */
writer *writer_start(dest *d, const logger *lg);

/*
 * Queues one operation, copying what it needs; waits while the queue is
 * full. vals and present have t->ncols entries (present only for updates);
 * id is the _fivetran_id of a keyless upsert, or NULL; number is the
 * operation's in the sync. *reports is set when the writer holds reports
 * for writer_take_reports(). CH_ERROR with the first failure once an
 * earlier operation failed.
 */
int writer_put(writer *w, wop_kind kind, table_def *t, const value *vals,
               const unsigned char *present, const char *id, const char *synced, long number,
               int *reports, ch_error *err);

/* Waits until every queued operation is applied; CH_ERROR with the first failure. */
int writer_drain(writer *w, ch_error *err);

/*
 * Moves the reports the destination made while the writer applied
 * operations into `into`, in their order. After a drain, reports the
 * destination made since are in its own d->missing. CH_ERROR: out of memory.
 */
int writer_take_reports(writer *w, dest_reports *into);

/* Applies what is queued (unless an operation failed), ends the thread and frees it. */
void writer_stop(writer *w);

#endif
