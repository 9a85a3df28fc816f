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
    char *key;             /* the key fields' COPY text, joined by tabs */
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
    size_t bytes; /* about how much memory the rows hold, to bound it */
} pg_rows;

pg_row *pg_row_new(const char *key, size_t nfields);
void pg_row_free(pg_row *row);
pg_row *pg_rows_find(const pg_rows *m, const char *key);
/* Adds the row, replacing (and freeing) the row of the same key. */
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
    int emptied;         /* merged since the last commit: dead rows to cut (pg_stage_trim) */
    struct pg_table *next;
    table_def *def;
} pg_table;

typedef struct pg_dest {
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
} pg_dest;

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
 * The state row (pg_state.c). pg_state_load reads the connector's state
 * (*json malloc'd, NULL when none) and its generation; pg_state_store, in
 * the commit's transaction, makes or upgrades the table and writes the row
 * only while it is still at that generation, moving it one on: otherwise an
 * ERR_BUSY error, another worker took the connector over.
 */
int pg_state_load(pg_dest *d, const char *connector, char **json, ch_error *err);
int pg_state_store(pg_dest *d, const char *connector, const char *state_json, const char *synced,
                   ch_error *err);
/* Commits; fails unless the server really committed (an aborted transaction ends in ROLLBACK). */
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
/* Merges the pending rows of t (NULL: of every table) into the table. */
int pg_merge(pg_dest *d, table_def *t, ch_error *err);
/* dest_ops.flush: merges every table's waiting rows, without committing. */
int pg_flush(dest *base, ch_error *err);
/* Truncates the staging tables that merges emptied, before a commit. */
int pg_stage_trim(pg_dest *d, ch_error *err);
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
