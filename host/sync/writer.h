/*
 * writer.h - a thread that applies data operations to the destination while
 * the connector produces the next ones.
 *
 * The sink validates and converts an operation, then queues a copy here and
 * returns to the connector at once. Everything else that touches the
 * destination (preparing tables, schema changes, commits, rollbacks) runs on
 * the sink's thread after writer_drain(), so the destination is never used
 * by two threads at a time. A failed operation is reported by the next
 * writer_put() or writer_drain(); nothing after it is applied.
 */
#ifndef HOST_WRITER_H
#define HOST_WRITER_H

#include "dest/dest.h"
#include "base/log.h"

typedef enum wop_kind { WOP_UPSERT, WOP_UPDATE, WOP_DELETE, WOP_TRUNCATE } wop_kind;

typedef struct writer writer;

/*
 * Applies one operation to the destination now, on this thread; *missing is
 * set when an update or delete found no row (logged as a warning). One the
 * destination holds back is not counted here: it reports it later through
 * dest.missing. Errors name the operation and table.
 */
int writer_apply_now(dest *d, const logger *lg, wop_kind kind, table_def *t, const value *vals,
                     const unsigned char *present, const char *id, const char *synced, int *missing,
                     ch_error *err);

/* Starts the thread; NULL when it cannot (the caller then applies operations itself). */
writer *writer_start(dest *d, const logger *lg);

/*
 * Queues one operation, copying what it needs; waits while the queue is
 * full. vals and present have t->ncols entries (present only for updates);
 * id is the _fivetran_id of a keyless upsert, or NULL. CH_ERROR with the
 * first failure once an earlier operation failed.
 */
int writer_put(writer *w, wop_kind kind, table_def *t, const value *vals,
               const unsigned char *present, const char *id, const char *synced, ch_error *err);

/* Waits until every queued operation is applied; CH_ERROR with the first failure. */
int writer_drain(writer *w, ch_error *err);

/* Warnings (rows not found) of table index `table` since the last call; call after a drain. */
long writer_take_warnings(writer *w, size_t table);

/*
 * Adds count warnings to table index `table`: from the writer thread while
 * it applies operations, or from the thread that drained it (the writer is
 * then idle, and the drain's lock orders the two). CH_ERROR: out of memory.
 */
int writer_add_warnings(writer *w, size_t table, long count);

/* Applies what is queued (unless an operation failed), ends the thread and frees it. */
void writer_stop(writer *w);

#endif
