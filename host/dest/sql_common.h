/*
 * sql_common.h - what the SQL destinations (SQLite, PostgreSQL) share: the
 * names of the host's own tables and columns, SQL text written the same
 * way, and preparing a table from what the warehouse holds: its columns,
 * their stored types and its primary key.
 */
#ifndef HOST_SQL_COMMON_H
#define HOST_SQL_COMMON_H

#include "base/textbuf.h"
#include "contract/schema.h"
#include "dest.h"

/* The state of each connector, committed with the data of each checkpoint. */
#define SQL_STATE_TABLE "_connector_state"
/* A converted column is built under this name, then renamed over the old one. */
#define SQL_TMP_COLUMN "_connector_new_type"

/* Appends a quoted identifier, '"' doubled: a column made by hand may hold any name. */
void sql_ident(textbuf *b, const char *name);

/* Appends the table's key columns as quoted identifiers ("a", "b"), or _fivetran_id. */
void sql_key_list(textbuf *b, const table_def *t);

/* The column's contract type. */
type_spec sql_column_type(const column_def *c);

/*
 * What a SQL destination learns of an existing table while preparing it:
 * the warehouse's primary key, in key order, and which columns of the
 * table it has. Start with {0}; free with sql_found_free.
 */
typedef struct sql_found {
    char *pk_names[MAX_KEY_COLUMNS];
    int npk;
    unsigned char *seen; /* seen[i]: column i of the table is in the warehouse */
    size_t nseen;
    int exists; /* the warehouse had at least one column of the table */
} sql_found;

/*
 * Notes one warehouse column with its key position pk (0: not in the key)
 * and stored type ts. Sets *col to the table's column it is (-1 for a
 * system column) and *adopted when it was not in the table yet, in which
 * case it is added: a column from an earlier sync, or one made by hand and
 * used under its own name, so that upserts clear it like any other.
 */
int sql_found_column(sql_found *f, table_def *t, const char *name, int pk, type_spec ts, long *col,
                     int *adopted, ch_error *err);

/* True when column i of the table was found in the warehouse. */
static inline int sql_found_has(const sql_found *f, size_t i)
{
    return i < f->nseen && f->seen[i];
}

/* Frees what sql_found_column kept. */
void sql_found_free(sql_found *f);

/* A list of names, such as the columns of a warehouse table. Start with {0}. */
typedef struct sql_names {
    char **names;
    size_t count;
} sql_names;

/* Appends a copy of name; CH_ERROR when out of memory. */
int sql_names_add(sql_names *n, const char *name);

void sql_names_free(sql_names *n);

/* Adds the names of the columns of the warehouse table `table` to names; none if no such table. */
typedef int (*sql_read_names)(dest *d, const char *table, sql_names *names, ch_error *err);

/*
 * Before the warehouse's columns of t go through sql_found_column: finds
 * the names that a warehouse written before the host followed Fivetran's
 * naming holds (normalize_name_v1's), and uses them. A table the warehouse
 * lacks under its name now but has under its first-rule name is used under
 * that name; a column of t the warehouse table lacks under its name now
 * but has under its first-rule name, which no other column of t has, takes
 * that name. Says what it kept in one notice. Reads nothing when both
 * rules give t and its columns the same names.
 */
int sql_earlier_names(dest *d, table_def *t, sql_read_names read, ch_error *err);

/*
 * dest_ops.has_table for a SQL destination: whether the warehouse has t,
 * under its name or the one sql_earlier_names would find it by.
 */
int sql_has_table(dest *d, table_def *t, sql_read_names read, int *held, ch_error *err);

/*
 * The stored type of key column k of t while column `col` changes from
 * type `from`: the key's values are read with it, to name a row.
 */
col_type sql_key_type(const table_def *t, size_t k, size_t col, type_spec from);

/*
 * Names the stored row whose value did not convert before the reason in
 * err, "stored row (key id=1): ...", by its key values (keys as for
 * table_key_describe); nothing for a row without key values to name.
 */
void sql_name_row(const table_def *t, const value *const *keys, ch_error *err);

/*
 * Brings column c of t in line with the warehouse's copy of it, stored with
 * type `stored` (exact: 0 when the type was only guessed from a warehouse
 * older than the destination's type records). An inferred column takes the
 * stored type (the sink widens it later if a value needs that); a declared
 * column whose declaration changed since the last sync has its stored
 * values converted through d's change_type, or the sync stops with the
 * value that does not convert. *record is set when the column's type should
 * be recorded again (only when !exact).
 */
int sql_reconcile_column(dest *d, table_def *t, size_t c, type_spec stored, int exact, int *record,
                         int *schema_changes, ch_error *err);

/*
 * Finishes preparing t after every warehouse column went through
 * sql_found_column: creates the table when the warehouse had none, else
 * checks its primary key (`advice` says how to start over when it differs)
 * and adds the columns it lacks through d's add_column. Frees f.
 */
int sql_prepare_finish(dest *d, table_def *t, sql_found *f, int rc,
                       int (*create)(dest *d, table_def *t, ch_error *err), const char *advice,
                       int *schema_changes, ch_error *err);

#endif
