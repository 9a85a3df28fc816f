/* sink.h - the operation sink: validates, counts and applies what a connector emits. */
#ifndef HOST_SINK_H
#define HOST_SINK_H

#include <signal.h>
#include <stdarg.h>
#include <stdint.h>

#include "config.h"
#include "dest/dest.h"
#include "base/log.h"
#include "contract/schema.h"
#include "progress.h"
#include "state.h"

typedef struct op_counts {
    long upserts, updates, deletes, truncates, schema_changes, warnings;
} op_counts;

typedef struct sink_table {
    op_counts counts;       /* every operation the connector sent */
    op_counts committed;    /* of those, the ones committed (a dry run: checked) */
    int prepared;           /* the destination table exists and matches */
    value *vals;            /* converted values, one per column */
    unsigned char *present; /* which columns the current operation gives */
    size_t cap;
} sink_table;

/*
 * The data operation being checked, converted and handed on: what a message
 * about it names (settle.c's sink_op_fail). The row's key is described only
 * when a message needs it, never per operation.
 */
typedef struct sink_op {
    long number;       /* the Nth data operation of the sync, from 1 */
    const char *kind;  /* "upsert", "update", "delete" or "truncate" */
    const char *table; /* as the connector named it; NULL when it named none */
    table_def *t;      /* the table, once found */
    const ch_row *row; /* the connector's row, whose key names the operation; NULL: none;
                          the connector's, so valid only while the operation runs */
} sink_op;

/* Called after each commit with the committed state, e.g. to write state.json. */
typedef int (*commit_hook)(void *ctx, const char *state_json, ch_error *err);

/*
 * A commit the writer thread has queued and not yet finished: what the sink
 * records once it is durable.
 */
typedef struct sink_commit {
    char *state;       /* its state, as JSON */
    int is_checkpoint; /* 0: the commit at the end of the sync */
    op_counts *counts; /* every table's counts when it was queued */
    size_t ncounts;
} sink_commit;

/*
 * Commits queued at most: the connector fills the next batch while one
 * commits, and at its next checkpoint queues the next commit before it waits
 * for that one, so the writer goes on with the new batch meanwhile. The
 * writer makes the new commit only once the one before is recorded
 * (writer_release), so a commit whose state.json cannot be written stops
 * the sync before the next, and a crash has at most one commit to wait for.
 */
#define SINK_COMMITS 2

/* Where a sync's wall time went, in nanoseconds (summary.c prints it). */
typedef struct sink_times {
    int64_t handler; /* the update handler ran: the connector, and the host inside it */
    int64_t host;    /* in the host's functions: checks, conversion, queueing */
    int64_t waited;  /* the host waited for the destination (a full queue, a drain, a commit) */
    int64_t waited_in_handler; /* of that, while the handler ran: part of `host` */
    int64_t writes;  /* the destination applied operations (on the writer thread: overlaps) */
    int64_t commits; /* the destination committed: state row, COMMIT, fsync */
} sink_times;

struct ch_sync {
    const char *connector;
    char source[160]; /* "connector:NAME" in log lines */
    schema *schema;
    const config *config;
    dest *dest;
    state *state;
    const logger *log;
    void *user_data; /* the connector's, for ch_sync_user_data */
    commit_hook on_commit;
    void *on_commit_ctx;
    int dry_run; /* checkpoints flush what the destination holds back, and commit nothing */
    /* Non-zero (a signal number) when the sync must stop before its next operation. */
    const volatile sig_atomic_t *stop;

    sink_table *tables; /* parallel to schema->tables */
    size_t tables_cap;
    table_def *last_table; /* the last operation's table, and its sink_table */
    sink_table *last_rt;
    long checkpoints;
    long ops;              /* data operations so far: the number of the latest */
    sink_op op;            /* the latest data operation */
    long pending;          /* operations since the last commit */
    int schema_pending;    /* sink_prepare_declared changed a table: commit even without ops */
    char *committed_state; /* JSON of the last state committed, or queued to be */
    sink_commit commits[SINK_COMMITS]; /* queued on the writer, oldest first from commit_first */
    size_t commit_first, commit_count;
    long commits_taken; /* the writer's finished commits the sink has recorded */
    /* each commit is waited for: the destination keeps no state, the state files are it */
    int commit_waits;
    sink_times times;

    int failed;
    ch_error error; /* why the sync failed */

    int64_t last_us;     /* _fivetran_synced of the last operation, microseconds */
    int fixed_clock;     /* sink_fix_clock: each operation's time is one microsecond on */
    int64_t second_us;   /* where the second of synced's prefix starts, in microseconds */
    int64_t anchor_mono; /* a monotonic reading (ns) and the wall clock then (us): the wall */
    int64_t anchor_us;   /* clock of an operation from the reading its call starts with */
    char synced[40];
    char digits[1000][4];  /* "000" to "999", and room to copy each as one word */
    struct writer *writer; /* applies data operations on its own thread; NULL: applied here */
    value id;              /* _fivetran_id of a keyless upsert */
    value scratch;         /* a conversion tried before a column widens */
    dest_reports reports;  /* taken from the writer, to be logged and counted */
    /* What the progress line shows, read by its thread. */
    progress_counters live;
};
typedef struct ch_sync sink;

/* Prepares a sink over a finished schema, an open destination and the loaded state. */
int sink_init(sink *s, const char *connector, schema *sc, const config *cfg, dest *d, state *st,
              const logger *lg, ch_error *err);

/*
 * Closes the public functions on s once the update handler has returned:
 * later calls, from any thread, are refused. Waits for one in progress.
 */
void sink_close(sink *s);

/*
 * For golden tests (--fixed-time): _fivetran_synced no longer reads the real
 * clock; the first operation gets start_us (microseconds since 1970, not
 * negative) and each later one a microsecond more, so that a run's
 * warehouse is the same every time.
 */
void sink_fix_clock(sink *s, int64_t start_us);

/*
 * Before the update handler starts: prepares every declared table that the
 * warehouse has, so that a declaration the warehouse conflicts with (a type
 * its values do not convert to, another primary key) fails the sync before
 * the handler runs. Tables the warehouse lacks are created at their first
 * operation, as undeclared ones are. CH_ERROR: the sync failed (s->error).
 */
int sink_prepare_declared(sink *s);

/* Commits what the handler emitted after its last checkpoint, with the last committed state. */
int sink_finish(sink *s);

/* Discards everything since the last checkpoint. */
void sink_abort(sink *s);

/*
 * After sink_finish() or sink_abort(): the sync writes no more. The writer
 * thread ends and frees its queue, and the destination starts what its
 * close does (dest_ops.finish), both beside the counting that follows.
 */
void sink_end_writes(sink *s);

/*
 * settle.c, for the sync stage's own files. Records the first failure of
 * the sync and returns CH_ERROR; later failures are consequences, not causes.
 */
int sink_fail(sink *s, const char *format, ...) CH_PRINTF(2, 3);
int sink_vfail(sink *s, const char *format, va_list ap);
/* The same for an error from below, "prefix: message" (prefix NULL: the message), keeping
 * its kind (ERR_BUSY). */
int sink_fail_from(sink *s, const ch_error *cause, const char *prefix);

/*
 * The same for a failure of the current data operation (s->op): the reason
 * follows its context, "upsert on table 'T', column 'C', operation 12 (key
 * id=5): reason" (no column when column is NULL).
 */
int sink_op_fail(sink *s, const char *column, const char *format, ...) CH_PRINTF(3, 4);

/*
 * Waits until the writer has applied everything queued, so that the caller
 * may use the destination or change a table's definition; logs and counts
 * what the destination reported. CH_ERROR (the sync failed) when an
 * operation failed meanwhile.
 */
int sink_settle(sink *s);

/*
 * Logs and counts what the destination reported: what the writer passed
 * back, and, when this thread drives the destination (no writer, or
 * dest_idle: the writer drained), what the destination itself holds.
 * CH_ERROR (the sync failed): out of memory.
 */
int sink_take_reports(sink *s, int dest_idle);

/*
 * Records the commits the writer has finished since the last call: counts,
 * state, the commit hook. CH_ERROR (the sync failed) when the hook fails.
 */
int sink_take_commits(sink *s);

/*
 * Records a durable commit: what it holds counts as committed (counts as of
 * when it was queued; NULL: as of now), its state is the committed one, and
 * the commit hook is told. CH_ERROR (the sync failed) when the hook fails.
 */
int sink_committed(sink *s, const char *state_json, int is_checkpoint, const op_counts *counts,
                   size_t ncounts);

/* Notes that the update handler has returned after running for `ns` nanoseconds. */
void sink_handler_returned(sink *s, int64_t ns);

/* Where the time went, once the sync is over. */
sink_times sink_get_times(const sink *s);

/* Totals over all tables of every operation sent, committed or not. */
op_counts sink_totals(const sink *s);

/* Frees the sink's own memory (not the schema, destination or state). */
void sink_free(sink *s);

#endif
