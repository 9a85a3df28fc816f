/*
 * pg.h - the PostgreSQL destination's internals, shared by its files:
 * pg_dest.c (connection, tables, schema changes, state, commit, rollback),
 * pg_sql.c (SQL text, running statements, errors, BEGIN and COMMIT, the
 * per-table data),
 * pg_stage.c (the data operations: pending upserts and changes, COPY into
 * staging tables and the merge), pg_rows.c (waiting rows by key) and
 * pg_value.c (values to and from PostgreSQL's text forms).
 */
#ifndef HOST_PG_H
#define HOST_PG_H

#include <libpq-fe.h>
#include <pthread.h>

#include "dest/dest.h"
#include "dest/sql_common.h"

/* A growing SQL text (base/textbuf.h); out of memory is reported once at the end. */
typedef textbuf pg_sql;

#define pg_sql_add  textbuf_add
#define pg_sql_addn textbuf_addn
/* Appends schema.table, both quoted. */
void pg_sql_table(pg_sql *b, const char *nsp, const char *table);

/*
 * A row waiting for the next merge: its fields in COPY text, NULL for SQL
 * NULL. An upserted row carries every field; a change (updates and deletes
 * of a key that had no upserted row waiting) carries the key, the columns
 * the updates gave (marked in mask) and how many operations it stands for.
 */
typedef struct pg_row {
    struct pg_row *next;   /* in its hash bucket */
    struct pg_row *after;  /* the row made after it (pg_rows.first), replaced or not */
    int replaced;          /* a later row of the key took its place */
    char *key;             /* the key fields' COPY text, joined by tabs */
    size_t hash;           /* of key */
    int deleted;           /* deleted after its upsert, or by a change, before the merge */
    char *mask;            /* a change's given columns: '1' or '0' per column; NULL for upserts */
    long updates, deletes; /* a change's operations: each counts as a warning if no row */
    long first_update, first_delete; /* their first's number in the sync, which names them */
    size_t nfields;
    char *fields[]; /* the table's staged columns, then _fivetran_id if keyless, synced */
} pg_row;

/* Pending rows by key (pg_rows.c). */
typedef struct pg_rows {
    pg_row **buckets;
    size_t nbuckets, count;
    pg_row *first, *last;    /* every row put, in the order put: read in their memory's order */
    size_t bytes;            /* about how much memory the rows hold, to bound it */
    size_t hint;             /* buckets to start with: as many as the last batch needed */
    struct pg_block *blocks; /* the memory of the rows and their texts */
    char *free;
    size_t left;
} pg_rows;

/* n bytes of the map's memory, freed with the map; NULL when out of memory. */
void *pg_rows_alloc(pg_rows *m, size_t n);
/* A copy of text (len bytes and a NUL) in the map's memory; NULL when out of memory. */
char *pg_rows_text(pg_rows *m, const char *text, size_t len);
/* A row of the key in the map's memory, not yet put; NULL when out of memory. */
pg_row *pg_row_new(pg_rows *m, const char *key, size_t nfields);
/* The hash of a key, as pg_rows keeps it. */
size_t pg_key_hash(const char *key);
/* The waiting row of the key, whose pg_key_hash is hash. */
pg_row *pg_rows_find(const pg_rows *m, const char *key, size_t hash);
/*
 * The rows of the map in the order they were put, skipping replaced ones:
 * for (r = pg_rows_first(m); r; r = pg_rows_next(r)). Walking the memory in
 * order costs a fraction of walking the hash buckets, whose rows lie at
 * random.
 */
pg_row *pg_rows_first(const pg_rows *m);
pg_row *pg_rows_next(const pg_row *r);
/* Adds the row (of m's memory), replacing the row of the same key. */
int pg_rows_put(pg_rows *m, pg_row *row);
void pg_rows_clear(pg_rows *m);
void pg_rows_free(pg_rows *m);

/* Per table: its pending rows and changes, and their staging tables. */
typedef struct pg_table {
    int id;              /* names the staging tables */
    int stage_ready;     /* the upserts' staging table exists with the table's current columns */
    size_t change_ncols; /* columns of the changes' staging table; 0: none made yet */
    pg_rows pending;     /* upserted rows not yet merged, by key */
    pg_rows changes;     /* updates and deletes of other keys, not yet merged, by key */
    size_t stage_ncols;  /* columns of t the waiting rows carry: t may grow before the merge */
    int stage_dirty;     /* the upserts' staging table holds an earlier merge's rows */
    int change_dirty;    /* and the changes' */
    size_t tx_rows;      /* rows merged in the open transaction so far */
    size_t last_rows;    /* rows the last committed transaction merged */
    struct pg_table *next;
    table_def *def;
} pg_table;

/*
 * A plan: the statements of a merge, or of a commit, built on the thread that
 * drives the destination and run in order by pg_plan_run, on that thread or
 * on the flight's (pg_flight.c). Running it reads only the plan and the
 * connection, never a table_def nor a pg_table: the connector's thread may
 * change those while a commit is in flight.
 */
typedef enum {
    PG_STEP_SQL,     /* sql, expecting success */
    PG_STEP_COPY,    /* sql is COPY ... FROM STDIN; rows are sent */
    PG_STEP_CHANGES, /* copy_sql sends the changes, sql applies them; then the missing ones */
    PG_STEP_STATE,   /* sql with the five params, changing one row; else ERR_BUSY */
    PG_STEP_COMMIT   /* COMMIT, which must really commit */
} pg_step_kind;

typedef struct pg_step {
    pg_step_kind kind;
    char *sql;
    const char *what; /* names the step in an error */
    pg_rows rows;     /* COPY, CHANGES: the rows, the plan's own */
    char *copy_sql;   /* CHANGES: the COPY sending the changes into their staging table */
    char *send;       /* CHANGES: per field of a change, 1 when its COPY line carries it */
    int send_deleted; /* CHANGES: the lines carry the soft-delete flag */
    int send_mask;    /* CHANGES: and the mask */
    pg_row **order;   /* CHANGES: the changes as sent: a change's ordinal is its index */
    size_t norder;
    char *name_sql[2]; /* CHANGES: [0] the query naming the changes that found no row */
    PGresult *named;   /* CHANGES: its answer: ordinals and keys */
    long missing[2];   /* CHANGES: operations per kind (DEST_UPDATE, DEST_DELETE) that found none */
    table_def *t;      /* CHANGES: read only when the plan lands, on the driving thread */
    char *params[5];   /* STATE: connector, state, synced, the next generation, this one's */
    char *busy;        /* STATE: the refusal's text, up to the generations */
} pg_step;

typedef struct pg_dest pg_dest;

typedef struct pg_plan {
    pg_step *steps;
    size_t n, cap;
    int oom;
    int early;             /* merges ahead of the checkpoint, in its transaction: no commit */
    struct pg_plan *next;  /* the plan posted after it */
    int done;              /* run (under flight_lock) */
    int failed, committed; /* set by pg_plan_run */
    long long generation;  /* a commit's: the state row's once it committed */
    ch_error err;
} pg_plan;

/* Appends a step of kind with the SQL text of b (taken over, b emptied); NULL when out of memory.
 */
pg_step *pg_plan_add(pg_plan *p, pg_step_kind kind, pg_sql *b, const char *what);
/* Runs the steps in order, stopping at the first failure (p->failed, p->err). */
int pg_plan_run(pg_dest *d, pg_plan *p);
/* Reports what the plan's changes found missing (dest.missing) and frees the plan's steps. */
int pg_plan_land(pg_dest *d, pg_plan *p, ch_error *err);
/* Builds, runs and lands a plan at once: CH_ERROR with its failure. */
int pg_plan_now(pg_dest *d, pg_plan *p, ch_error *err);
/*
 * Runs the plan (a commit's) on the flight's thread and returns; the plan is
 * the flight's. CH_ERROR only when it could not start; it then ran here.
 */
int pg_flight_start(pg_dest *d, pg_plan *p, ch_error *err);
/*
 * The same for merges ahead of the checkpoint (pg_stage.c), in the open
 * transaction, which stays open; the next use of the connection lands them.
 */
int pg_flight_early(pg_dest *d, pg_plan *p, ch_error *err);
/*
 * True when what is in flight is an early merge, after the last commit,
 * which was landed: a commit may queue behind it.
 */
int pg_flight_behind_early(const pg_dest *d);
/* Ends the flight's thread, once nothing is in flight (close). */
void pg_flight_stop(pg_dest *d);
/*
 * Waits for the plans in flight, if any, and lands them: CH_ERROR with the
 * first failure (when the server did not commit). Everything that uses the
 * connection calls it first.
 */
int pg_land(pg_dest *d, ch_error *err);

struct pg_dest {
    dest base;
    PGconn *conn;
    char *schema; /* where the tables and the state live */
    char *server; /* "host:port" or "socket DIR", for messages */
    int in_tx;
    int schema_ok;           /* the schema is known to exist, committed */
    int state_table_ok;      /* _connector_state is known to exist */
    int state_generation_ok; /* and to have its generation column (pg_state.c) */
    long long generation;    /* the state row's, as this sync read or last committed it */
    int next_table_id;
    pg_table *tables;
    char *text; /* scratch for one value's text */
    size_t text_cap;
    pg_sql key;             /* scratch for a row's key */
    char synced_second[20]; /* the second of the last synced text read (pg_synced_text) */
    char synced_digits[24]; /* and its seconds since 2000 in decimal */
    size_t synced_ndigits;
    pg_plan *flight; /* the plans posted to the flight's thread, oldest first, or NULL */
    pg_plan *flight_last;
    pthread_t flight_thread;
    int flight_started; /* the thread runs, waiting on flight_wake under flight_lock */
    pthread_mutex_t flight_lock;
    pthread_cond_t flight_wake;
    pg_plan *flight_next;           /* under flight_lock: the next plan to run */
    int flight_broken, flight_quit; /* under flight_lock: a plan failed; the thread is to end */
    /*
     * A flight that failed, whoever landed it, or an early merge that could
     * not be planned: every later landing (and so settle, and every use of
     * the connection) reports it until the rollback, so that a commit is
     * never taken for durable because another call found out first.
     */
    int flight_failed;
    ch_error flight_err;
};

/* libpq's message without its trailing newline, lines joined: it goes into one log line. */
const char *pg_one_line(const char *msg, char *buf, size_t size);
/* Runs the SQL text built in b, then frees and clears b; out of memory is reported here. */
int pg_exec_sql(pg_dest *d, pg_sql *b, const char *what, ch_error *err);
/* Runs a statement without parameters; errors name the step (`what`). */
int pg_exec(pg_dest *d, const char *sql, const char *what, ch_error *err);
/*
 * Runs a statement with text parameters (NULL for SQL NULL); *res receives
 * the result when wanted (PQclear it), else it is cleared. Formats may be
 * NULL (all text) or give 1 for a binary parameter with its length.
 */
int pg_exec_params(pg_dest *d, const char *sql, int n, const char *const *params,
                   const int *lengths, const int *formats, PGresult **res, const char *what,
                   ch_error *err);
/* Reports a failed result: server gone, statement timeout, or the server's message. */
int pg_fail(pg_dest *d, const PGresult *res, const char *what, ch_error *err);
/*
 * Opens the transaction if none is open, and creates the schema in it when
 * missing, so that a rolled-back sync (or a dry run) leaves no schema behind.
 */
int pg_begin(pg_dest *d, ch_error *err);
/*
 * The state row (pg_state.c), fenced by its generation. pg_state_load reads
 * the connector's state (*json malloc'd, NULL when none) and its generation;
 * pg_state_plan adds to a commit's plan the steps that make or upgrade the
 * table and write the row only while it is still at that generation, moving
 * it one on (a PG_STEP_STATE step, run by pg_flight.c: an ERR_BUSY failure
 * when another worker took the connector over).
 */
int pg_state_load(pg_dest *d, const char *connector, char **json, ch_error *err);
int pg_state_plan(pg_dest *d, pg_plan *p, const char *connector, const char *state_json,
                  const char *synced, ch_error *err);
/*
 * Commits; fails unless the server really committed (an aborted transaction
 * ends in ROLLBACK). Touches no field of d: it runs on the flight's thread.
 */
int pg_commit(pg_dest *d, ch_error *err);

/* The per-table data, created on first use; NULL when out of memory. */
pg_table *pg_table_of(pg_dest *d, table_def *t);

/* The column type for a contract type ("numeric(10,2)"). */
const char *pg_type_sql(col_type type, int precision, int scale, char *buf, size_t size);
/* The contract type of a column from format_type() text; unknown types read as STRING. */
type_spec pg_type_parse(const char *text);

/*
 * Writes the PostgreSQL text input form of v (not NULL) into buf, growing
 * it; BINARY becomes \x hex. *out points at the text (which may be v's own).
 */
int pg_value_text(const value *v, char **buf, size_t *cap, const char **out, ch_error *err);
/*
 * The microseconds since 2000-01-01T00:00:00Z of an operation's synced text
 * (any UTC datetime the contract reads), in decimal into out, *len bytes and
 * a NUL. The host's own form in the second of the last call costs a compare
 * and two copies.
 */
int pg_synced_text(pg_dest *d, const char *synced, char out[24], size_t *len, ch_error *err);
/* Writes v in decimal and a NUL into buf (21 bytes at least); returns the length. */
size_t pg_int_text(long long v, char *buf);
/* Reads a stored value's text output as a value of type (the stored column's type). */
int pg_value_parse(const char *text, size_t len, col_type type, value *v, ch_error *err);

/* Data operations (pg_stage.c). */
int pg_upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
              ch_error *err);
int pg_update(dest *base, table_def *t, const value *vals, const unsigned char *present,
              const char *synced, long op, int *found, ch_error *err);
int pg_remove(dest *base, table_def *t, const value *vals, const char *synced, long op, int *found,
              ch_error *err);
int pg_truncate(dest *base, table_def *t, const char *synced, long *rows, ch_error *err);
/* Merges the pending rows of t (NULL: of every table) into the table, now. */
int pg_merge(pg_dest *d, table_def *t, ch_error *err);
/*
 * Adds to p the steps merging the waiting rows of pt (NULL: of every table),
 * which become the plan's; CH_ERROR when out of memory. `last`: nothing but
 * the commit follows in the transaction, which empties the staging tables.
 */
int pg_plan_merge(pg_dest *d, pg_table *pt, pg_plan *p, int last, ch_error *err);
/* Reports the changes of a plan's CHANGES step that found no row (pg_plan_land). */
int pg_report_missing(pg_dest *d, pg_step *st, ch_error *err);
/*
 * Starts an early merge of a table's waiting rows when the connection is
 * idle and they are many enough (the writer is idle: settle). A failure
 * fails every later use of the connection until the rollback (flight_failed).
 */
void pg_early(pg_dest *d);
/* dest_ops.flush: merges every table's waiting rows, without committing. */
int pg_flush(dest *base, ch_error *err);
/* Forgets the staging table and statements of t after its columns changed. */
void pg_table_changed(pg_dest *d, table_def *t);
/* After a rollback: pending rows are dropped, staging tables made in the transaction gone. */
void pg_stage_reset(pg_dest *d);

/*
 * The module's entry points, found by name by host/dest/module.c: the check
 * and open of the postgresql kind in host/dest/kinds.c. The connection is
 * made with libpq; the tables and state go to the spec's schema (default
 * public). Nothing depends on a dry run: the schema and state table are
 * made inside the transaction that a dry run never commits.
 */
int dest_postgresql_module_check(const char *spec, ch_error *err);
int dest_postgresql_module_open(const char *spec, const dest_open_opts *opts, dest **out,
                                ch_error *err);

#endif
