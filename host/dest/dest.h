/*
 * dest.h - what a destination does, and the kinds of destination there are.
 * The sync stage talks only to this; each destination is its own file
 * (sqlite.c, jsonl.c) or module (postgresql/), and one entry in kinds.c.
 */
#ifndef HOST_DEST_H
#define HOST_DEST_H

#include "contract/schema.h"
#include "contract/value.h"

typedef struct dest dest;

/*
 * Every write happens inside one destination transaction that the first
 * write opens and commit() closes; rollback() discards it. Values are
 * already converted to their column's type. `synced` is the operation's
 * _fivetran_synced text. Functions returning int give CH_OK or CH_ERROR.
 */
typedef struct dest_ops {
    /*
     * The committed state of the connector as JSON text (malloc'd), or NULL if
     * none. Only kinds flagged DEST_KEEPS_STATE have it: for the others,
     * state.json is the state.
     */
    int (*load_state)(dest *d, const char *connector, char **json, ch_error *err);
    /* Creates the table or brings it up to date; adds warehouse-only columns to t. */
    int (*prepare_table)(dest *d, table_def *t, int *schema_changes, ch_error *err);
    /*
     * Sets *held when the warehouse has the table, so that it is prepared
     * before the update handler starts: a declaration it conflicts with
     * stops the sync there, not at the table's first operation. Reads only.
     * NULL when the destination keeps no tables (a stream).
     */
    int (*has_table)(dest *d, table_def *t, int *held, ch_error *err);
    /* Adds column index col of t to the existing table. */
    int (*add_column)(dest *d, table_def *t, size_t col, ch_error *err);
    /*
     * Changes column col of the existing table from one type to another,
     * converting every stored value exactly; the column_def is left to the
     * caller. When a stored value does not convert, nothing changes and
     * *lossy is set, so the caller may try a wider type.
     */
    int (*change_type)(dest *d, table_def *t, size_t col, type_spec from, type_spec to, int *lossy,
                       ch_error *err);
    int (*upsert)(dest *d, table_def *t, const value *vals, const char *id, const char *synced,
                  ch_error *err);
    /*
     * update and remove set *found to 1 or 0 when they know at once whether
     * the key had a row, or to -1 when the destination holds the operation
     * back and reports the keys without a row later, in dest.missing
     * (dest_report_missing), when it applies them; such a report names the
     * operations by `op`, their number in the sync.
     */
    int (*update)(dest *d, table_def *t, const value *vals, const unsigned char *present,
                  const char *synced, long op, int *found, ch_error *err);
    int (*remove)(dest *d, table_def *t, const value *vals, const char *synced, long op, int *found,
                  ch_error *err);
    int (*truncate)(dest *d, table_def *t, const char *synced, long *rows, ch_error *err);
    /* Stores the state and commits everything since the last commit, atomically. */
    int (*commit)(dest *d, const char *connector, const char *state_json, const char *synced,
                  ch_error *err);
    /*
     * Waits for a commit that commit() returned from while the server still
     * worked on it, and gives its outcome: CH_ERROR (with the failure) when
     * it did not commit. A commit counts as durable only once settle has
     * returned CH_OK: the writer thread calls it before the next commit and
     * whenever it has nothing else to do, the sync right after commit()
     * when it has no writer. Every other call of the destination waits for
     * such a commit too, and fails with its failure. NULL when commit()
     * always waits.
     */
    int (*settle)(dest *d, ch_error *err);
    /* Discards everything since the last commit. */
    void (*rollback)(dest *d);
    /* Finishes statements and closes; uncommitted work is rolled back. */
    void (*close)(dest *d);
    /*
     * Applies what the destination holds back (waiting upserts, updates and
     * deletes) in the open transaction, without committing: a dry run's
     * checkpoints call it instead of commit, so that it checks and counts
     * what a sync would. NULL when nothing is ever held back.
     */
    int (*flush)(dest *d, ch_error *err);
    /*
     * The rows of t's table that are committed: *live not soft-deleted,
     * *deleted soft-deleted; both 0 when the warehouse has no such table.
     * Called with no transaction open (after the sync's last commit or
     * rollback), for the summary. NULL when the destination cannot count
     * cheaply (jsonl, a stream).
     */
    int (*count_rows)(dest *d, const table_def *t, long *live, long *deleted, ch_error *err);
    /*
     * The sync will write nothing more (its last commit is durable, or it
     * rolled back): work that close() would do and that need not wait for
     * the summary may start now, beside the counting of rows. Only
     * count_rows() and close() follow. NULL when there is none.
     */
    void (*finish)(dest *d);
} dest_ops;

/* The room a report has to name rows; held-back reports name their first DEST_REPORT_ROWS. */
#define DEST_REPORT_ROWS_TEXT 512
#define DEST_REPORT_ROWS      5

/*
 * An update or delete that found no row. Kept in dest.missing by whoever
 * learns of it (the destination for operations it held back, the writer for
 * those the destination answered at once), and taken from there by the
 * thread that drives the destination, which passes them back to the sink:
 * only the sink (sync/settle.c) logs and counts them.
 */
typedef struct dest_report {
    table_def *t;
    int kind;    /* DEST_UPDATE or DEST_DELETE */
    long count;  /* operations that found no row */
    int held;    /* 1: held back and applied together later; 0: found out at once */
    long named;  /* how many of them rows names */
    long number; /* the first one's number in the sync, when it is known; else 0 */
    /* the first of them as table_op_row names them: "operation 12 (key id=5), operation 15 ..." */
    char rows[DEST_REPORT_ROWS_TEXT];
} dest_report;

enum { DEST_UPDATE, DEST_DELETE };

/* A growing list of reports; start with {0}. */
typedef struct dest_reports {
    dest_report *items;
    size_t count, cap;
} dest_reports;

/* Appends a report, naming `named` of its rows in `rows`; CH_ERROR when out of memory. */
int dest_reports_add(dest_reports *r, table_def *t, int kind, long count, int held,
                     const char *rows, long named);

/*
 * Appends every report of from to to and empties from; CH_ERROR when out of
 * memory, with both lists as they were.
 */
int dest_reports_move(dest_reports *to, dest_reports *from);

/* Frees the list's memory. */
void dest_reports_free(dest_reports *r);

struct dest {
    const dest_ops *ops;
    char *description; /* e.g. "sqlite:files/warehouse.db", for messages */
    /* Told of changes the destination made on its own, e.g. a column converted; may be NULL. */
    void (*notice)(void *ctx, const char *message);
    void *notice_ctx;
    dest_reports missing; /* filled by the destination, emptied by whoever drives it */
    /*
     * Set by a destination that writes faster when the data operations
     * between two commits come in key order (SQLite's B-trees): the writer
     * then sorts them by table and key, each key's own operations keeping
     * their order (sync/writer.h).
     */
    int sorted_writes;
};

/*
 * Notes that count held-back operations of one kind found no row, the first
 * `named` of them named in rows (as for dest_report.rows); CH_ERROR with err
 * when out of memory.
 */
int dest_report_missing(dest *d, table_def *t, int kind, long count, const char *rows, long named,
                        ch_error *err);

/* Frees what every destination's base holds (description, reports); for the close functions. */
void dest_base_free(dest *d);

/* Passes a message to the destination's notice callback, if it has one. */
void dest_notice(dest *d, const char *format, ...) CH_PRINTF(2, 3);

/* ---- destination kinds ------------------------------------------------------- */

/* How a destination is opened. */
typedef struct dest_open_opts {
    /* Nothing will be committed: change no setting of the warehouse and create nothing. */
    int dry_run;
    /* Becomes the destination's notice callback once it is open; open may call it too. */
    void (*notice)(void *ctx, const char *message);
    void *notice_ctx;
    /*
     * --mask: the values a DEST_MASKS destination writes as "<masked>": of
     * the column NAME in every table and the state's key NAME, or of one
     * table's column (TABLE.COLUMN), by their destination names. Kept, not
     * copied: they must outlive the destination.
     */
    char *const *masks;
    size_t nmasks;
} dest_open_opts;

enum dest_flags {
    DEST_KEEPS_STATE = 1 << 0, /* stores the state with the data (load_state) */
    DEST_STREAM = 1 << 1,      /* writes a stream and commits nothing else: no dry runs */
    DEST_MODULE = 1 << 2,      /* a module, loaded when a spec names it (dest/module.c) */
    DEST_MASKS = 1 << 3        /* writes the values dest_open_opts.masks names masked */
};

/*
 * One kind of destination: the whole of what the host knows about it. A
 * built-in destination defines its kind at the end of its own file and is
 * listed in the table of kinds.c; a module's kind is written in kinds.c.
 */
typedef struct dest_kind {
    const char *name;       /* "sqlite"; a module's file is NAME.so */
    const char *schemes[3]; /* the prefixes of its specs; NULL-terminated */
    const char *usage;      /* "sqlite:PATH", in the unknown-destination error */
    const char *help;       /* its lines of `run --help`, each starting with spaces */
    unsigned flags;         /* dest_flags */
    /* Checks a spec's form without opening anything; NULL for a module (the module's own). */
    int (*check)(const char *spec, ch_error *err);
    /* Opens a spec (the whole spec, scheme included); NULL for a module. */
    int (*open)(const char *spec, const dest_open_opts *opts, dest **out, ch_error *err);
    /* True when the spec writes to standard output, so reports go to standard error; or NULL. */
    int (*uses_stdout)(const char *spec);
} dest_kind;

/* The kind whose scheme starts the spec; NULL when none does. */
const dest_kind *dest_kind_of(const char *spec);

/* Every kind, in the order `run --help` shows them; *count receives how many. */
const dest_kind *const *dest_kinds(size_t *count);

/* True when the spec writes to standard output (jsonl:-). */
int dest_uses_stdout(const char *spec);

/* Checks a destination specification's form without opening anything. */
int dest_check(const char *spec, ch_error *err);

/* Opens a destination from its specification; relative paths are used as given. */
int dest_open(const char *spec, const dest_open_opts *opts, dest **out, ch_error *err);

/*
 * A module's entry points, found in NAME.so by name: dest_NAME_module_check
 * and dest_NAME_module_open, with the signatures of dest_kind's check and
 * open. Opened once per name and kept for the life of the process.
 */
int dest_module_check(const dest_kind *kind, const char *spec, ch_error *err);
int dest_module_open(const dest_kind *kind, const char *spec, const dest_open_opts *opts,
                     dest **out, ch_error *err);

#endif
