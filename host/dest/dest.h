/* dest.h - what a destination does; the operation sink talks only to this. */
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
     * none. A destination without this function keeps no state: state.json does.
     */
    int (*load_state)(dest *d, const char *connector, char **json, ch_error *err);
    /* Creates the table or brings it up to date; adds warehouse-only columns to t. */
    int (*prepare_table)(dest *d, table_def *t, int *schema_changes, ch_error *err);
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
     * back and reports the keys without a row later, through dest.missing.
     */
    int (*update)(dest *d, table_def *t, const value *vals, const unsigned char *present,
                  const char *synced, int *found, ch_error *err);
    int (*remove)(dest *d, table_def *t, const value *vals, const char *synced, int *found,
                  ch_error *err);
    int (*truncate)(dest *d, table_def *t, const char *synced, long *rows, ch_error *err);
    /* Stores the state and commits everything since the last commit, atomically. */
    int (*commit)(dest *d, const char *connector, const char *state_json, const char *synced,
                  ch_error *err);
    /* Discards everything since the last commit. */
    void (*rollback)(dest *d);
    /* Finishes statements and closes; uncommitted work is rolled back. */
    void (*close)(dest *d);
    /*
     * Applies what the destination holds back (waiting upserts, updates and
     * deletes) in the open transaction, without committing, so that a dry
     * run checks and counts what a sync would; NULL when nothing waits.
     */
    int (*flush)(dest *d, ch_error *err);
} dest_ops;

struct dest {
    const dest_ops *ops;
    char *description; /* e.g. "sqlite:files/warehouse.db", for messages */
    /* Told of changes the destination made on its own, e.g. a column converted; may be NULL. */
    void (*notice)(void *ctx, const char *message);
    void *notice_ctx;
    /*
     * Told how many held-back updates (kind DEST_UPDATE) or deletes
     * (DEST_DELETE) of t found no row, when the destination applies them:
     * during any later call of its functions, on the thread making that call.
     * Returns CH_ERROR when out of memory; may be NULL.
     */
    int (*missing)(void *ctx, table_def *t, int kind, long count);
    void *missing_ctx;
};

enum { DEST_UPDATE, DEST_DELETE };

/* Passes count to the destination's missing callback, if any; CH_ERROR with err when it fails. */
int dest_missing(dest *d, table_def *t, int kind, long count, ch_error *err);

/*
 * What a SQL destination learns of an existing table while preparing it:
 * the warehouse's primary key, in key order, and which columns of the
 * table it has. Start with {0}; free with dest_found_free.
 */
typedef struct dest_found {
    char *pk_names[MAX_KEY_COLUMNS];
    int npk;
    unsigned char *seen; /* seen[i]: column i of the table is in the warehouse */
    size_t nseen;
    int exists; /* the warehouse had at least one column of the table */
} dest_found;

/*
 * Notes one warehouse column with its key position pk (0: not in the key)
 * and stored type ts. Sets *col to the table's column it is (-1 for a
 * system column) and *adopted when it was not in the table yet, in which
 * case it is added: a column from an earlier sync, or one made by hand and
 * used under its own name, so that upserts clear it like any other.
 */
int dest_found_column(dest_found *f, table_def *t, const char *name, int pk, type_spec ts,
                      long *col, int *adopted, ch_error *err);

/* True when column i of the table was found in the warehouse. */
static inline int dest_found_has(const dest_found *f, size_t i)
{
    return i < f->nseen && f->seen[i];
}

/* Frees what dest_found_column kept. */
void dest_found_free(dest_found *f);

/* Passes a message to the destination's notice callback, if it has one. */
void dest_notice(dest *d, const char *format, ...) CH_PRINTF(2, 3);

/* Checks a destination specification's form without opening anything. */
int dest_check(const char *spec, ch_error *err);

/*
 * Opens a destination from its specification ("sqlite:PATH", "jsonl:PATH",
 * "jsonl:-", "postgresql://..."); relative paths are used as given. With
 * dry_run, it is wrapped so that nothing is ever committed.
 */
int dest_open(const char *spec, int dry_run, dest **out, ch_error *err);

/*
 * The SQLite destination on the database file at path. For a dry run, the
 * file's journal mode is left as it is (switching to WAL would change it).
 */
int dest_sqlite_open(const char *path, int dry_run, dest **out, ch_error *err);

/* The JSON-lines operation stream into the file at path ("-": standard output). */
int dest_jsonl_open(const char *path, dest **out, ch_error *err);

/*
 * Wraps a destination so that nothing is ever committed: checkpoints keep
 * the transaction open and closing rolls it back. Takes ownership of inner.
 */
int dest_dry_run_wrap(dest *inner, dest **out, ch_error *err);

/* (host/dest_module.c loads the PostgreSQL module for these two.)
   Checks a PostgreSQL specification ("postgresql://...?schema=NAME") without connecting. */
int dest_pg_check(const char *spec, ch_error *err);

/* The PostgreSQL destination: connects through libpq, in the spec's schema (default public). */
int dest_pg_open(const char *spec, dest **out, ch_error *err);

#endif
