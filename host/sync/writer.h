/*
 * writer.h - a thread that applies data operations and commits to the
 * destination while the connector produces the next ones.
 *
 * The sink validates and converts an operation, then queues a copy here and
 * returns to the connector at once; a checkpoint queues a commit the same
 * way, so the connector goes on while the commit is made durable. Everything
 * else that touches the destination (preparing tables, schema changes,
 * dry-run flushes, rollbacks) runs on the sink's thread after writer_drain(),
 * so the destination is never used by two threads at a time. A failed
 * operation or commit is reported by the next writer_put(), writer_commit()
 * or writer_drain(); nothing after it is applied. What the destination
 * reports back (updates and deletes that found no row) travels back to the
 * sink through writer_take_reports(); the writer neither logs nor counts it.
 *
 * When the destination asks for it (dest.sorted_writes), each run of data
 * operations between two commits or truncates is applied in the order of
 * table and primary key, a key's own operations keeping their order: the
 * same table results, with the warehouse's index walked in order. Reports
 * are then put back in the order of the operations. When two operations of
 * one run would fail, the one reported is the first applied, which may not
 * be the first sent.
 */
#ifndef HOST_WRITER_H
#define HOST_WRITER_H

#include <stdint.h>

#include "dest/dest.h"
#include "base/log.h"

typedef enum wop_kind { WOP_UPSERT, WOP_UPDATE, WOP_DELETE, WOP_TRUNCATE, WOP_COMMIT } wop_kind;

typedef struct writer writer;

/* Where the writer's time went, in nanoseconds of its thread's wall clock. */
typedef struct writer_times {
    int64_t writes;  /* applying data operations */
    int64_t commits; /* commits: the state row, COMMIT and its fsync */
    int64_t waited;  /* the sink waited for room in the queue or for a drain */
} writer_times;

/*
 * Applies one data operation to the destination now, on this thread. An
 * update or delete that found no row is added to d->missing; one the
 * destination holds back, it adds there itself when it applies it. Errors
 * and reports name the operation by its kind, table, number in the sync and
 * key.
 */
int writer_apply_now(dest *d, const logger *lg, wop_kind kind, table_def *t, const value *vals,
                     const unsigned char *present, const char *id, const char *synced, long number,
                     ch_error *err);

/* Starts the thread; NULL when it cannot (the caller then applies operations itself). */
writer *writer_start(dest *d, const logger *lg);

/*
 * Queues one data operation, copying what it needs; waits while the queue
 * is full. vals and present have t->ncols entries (present only for
 * updates); id is the _fivetran_id of a keyless upsert, or NULL; number is
 * the operation's in the sync. *events is set when the writer holds reports
 * for writer_take_reports() or has finished commits since the caller last
 * looked (writer_commits_done()). CH_ERROR with the first failure once an
 * earlier operation or commit failed.
 */
int writer_put(writer *w, wop_kind kind, table_def *t, const value *vals,
               const unsigned char *present, const char *id, const char *synced, long number,
               int *events, ch_error *err);

/*
 * Bytes of the buffer writer_publish() reads its synced text from (NUL-terminated within).
 * writer_reserve() and writer_publish(), the per-operation way in that the
 * sink fills records through, are inline in writer_ring.h.
 */
#define WRITER_SYNCED_SIZE 40

/*
 * Bytes of a present array for n columns: rounded up to eight, so that the
 * sink writes the flags eight at a time.
 */
#define PRESENT_ROOM(n) (((size_t)(n) + 7) & ~(size_t)7)

/*
 * Queues a commit of everything queued before it, with the connector's state
 * (copied) and the commit's _fivetran_synced; returns without waiting for
 * it. The writer applies the operations before it at once, but makes the
 * commit only once writer_release() lets it: the caller may first finish
 * with the commit before (its state files), and refuse this one when that
 * fails. CH_ERROR with the first failure once an earlier one failed, or when
 * out of memory.
 */
int writer_commit(writer *w, const char *connector, const char *state_json, const char *synced,
                  ch_error *err);
/* A crash of the process waits (ten seconds at most) for the queued commits to finish. */

/*
 * Lets the writer make the oldest queued commit not yet let (go), or refuses
 * it and every later one (!go): they fail, and nothing more is written. Each
 * queued commit is let or refused once, in order.
 */
void writer_release(writer *w, int go);

/* How many queued commits the destination has finished so far. */
long writer_commits_done(writer *w);

/*
 * Waits until the destination has finished `count` queued commits in all;
 * CH_ERROR with the first failure.
 */
int writer_wait_commits(writer *w, long count, ch_error *err);

/* Waits until everything queued is applied and committed; CH_ERROR with the first failure. */
int writer_drain(writer *w, ch_error *err);

/*
 * Moves the reports the destination made while the writer applied
 * operations into `into`, in their order. After a drain, reports the
 * destination made since are in its own d->missing. CH_ERROR: out of memory.
 */
int writer_take_reports(writer *w, dest_reports *into);

/* How long the caller has waited for the writer so far, in nanoseconds. */
int64_t writer_waited(const writer *w);

/* Where the time went so far; call it only after a drain. */
writer_times writer_get_times(const writer *w);

/*
 * Asks the thread to end once it has applied what is queued (unless
 * something failed), without waiting: it frees its queue's buffers on its
 * way out, beside what the caller does next. Nothing may be queued after.
 */
void writer_end(writer *w);

/* Applies what is queued (unless something failed), ends the thread and frees it. */
void writer_stop(writer *w);

#endif
