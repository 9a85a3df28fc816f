/* schema.h - declared and discovered tables, columns and keys. */
#ifndef HOST_SCHEMA_H
#define HOST_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "types.h"

struct value;

#define SCHEMA_MAX_ERRORS    16
#define MAX_KEY_COLUMNS      64 /* more would be a mistake, not a schema */
#define MAX_KEY_COLUMNS_TEXT "64"

typedef struct column_def {
    char *name;      /* as the connector spells it */
    char *dest_name; /* normalised for the destination */
    col_type type;   /* T_NONE until an undeclared column sees a value */
    int precision, scale;
    int declared;           /* declared by the schema handler, so its type is fixed */
    int in_warehouse;       /* found in the destination table by prepare_table */
    int named_by_warehouse; /* known only from the warehouse: name is the destination's */
} column_def;

struct ch_table {
    struct ch_schema *schema;
    char *name;
    char *dest_name;
    column_def *cols;
    size_t ncols, cap;
    size_t *key; /* indexes into cols, in key order; none: _fivetran_id is the key */
    size_t nkey;
    /* the key's columns among the first 64, as bits: table_is_key() reads them, and for a
       table of at most 64 columns one test tells that an operation gives them all */
    uint64_t key_bits;
    char **key_names;            /* primary key as declared, resolved by schema_finish */
    unsigned char *key_inferred; /* per key name: ch_table_key_column, typed by its first value */
    size_t nkey_names;
    int has_declared_columns;
    size_t index;      /* position in the schema's table list */
    unsigned long uid; /* no other table of the process has it (row_field_column's memo) */
    void *dest;        /* the destination's per-table data (statements) */
};
typedef struct ch_table table_def;

struct ch_schema {
    table_def **tables;
    size_t ntables, cap;
    const struct ch_config *config;
    void *user_data; /* the connector's, for ch_schema_user_data */
    int failed;      /* ch_schema_fail was called: failure says why */
    ch_error failure;
    int naming_source; /* --naming source: names go to the destination as written */
    ch_error errors[SCHEMA_MAX_ERRORS];
    size_t nerrors; /* may exceed SCHEMA_MAX_ERRORS: only the first are kept */
};
typedef struct ch_schema schema;

/* The names of the system columns every table gets. */
#define COL_SYNCED  "_fivetran_synced"
#define COL_DELETED "_fivetran_deleted"
#define COL_ID      "_fivetran_id"

/* A new empty schema; NULL when out of memory. */
schema *schema_new(const struct ch_config *config);

/* Frees the schema and its tables (not the destination data). */
void schema_free(schema *s);

/* Resolves primary keys and checks the declaration; lists every problem in err. */
int schema_finish(schema *s, ch_error *err);

/* The table named so by the connector, or NULL. */
table_def *schema_find(const schema *s, const char *name);

/* Adds an undeclared table discovered at run time (no primary key). */
table_def *schema_add_table(schema *s, const char *name, ch_error *err);

/* table_is_key() for a column past the 64th. */
int table_is_key_wide(const table_def *t, size_t col);

/*
 * True when column index col is one of the table's declared key columns.
 * Inline, from key_bits below the 65th column: the per-operation paths ask
 * it of every column.
 */
static inline int table_is_key(const table_def *t, size_t col)
{
    return col < 64 ? (int)(t->key_bits >> col & 1) : table_is_key_wide(t, col);
}

/* True when names (n of them, in key order) are the table's key: its key columns, or _fivetran_id.
 */
int table_key_is(const table_def *t, char *const *names, int n);

/* Index of the column named so by the connector, or -1. */
long table_find_column(const table_def *t, const char *name, size_t hint);

/* Adds a column (declared or discovered); returns its index or -1 with err set. */
long table_add_column(table_def *t, const char *name, col_type type, int precision, int scale,
                      int declared, ch_error *err);

/*
 * Adds a column of the warehouse's table that t does not have, under the
 * warehouse's own name (not normalised again: it may be a name of the
 * host's first rule, or one made by hand), marked in_warehouse and
 * named_by_warehouse. Refuses only system and _connector_ names.
 */
long table_add_found_column(table_def *t, const char *name, col_type type, int precision, int scale,
                            ch_error *err);

/*
 * The column of t known only from the warehouse that `name` normalises to
 * (failing that, that it normalised to by the host's first rule), which
 * from now on carries the connector's spelling; -1 if none.
 */
long table_adopt_column(table_def *t, const char *name);

/*
 * The destination name that normalize_name_v1 gives column c of t, into
 * *old (to free), or NULL when it is the column's name now or the names
 * are kept as written. CH_ERROR when out of memory.
 */
int column_v1_name(const table_def *t, size_t c, char **old);

/* The same for the table; also NULL when another table of the schema now has that name. */
int table_v1_name(const table_def *t, char **old);

/*
 * Writes a row's primary key as messages name the row, "id=5, region='eu'"
 * (values as value_quote writes them), into buf: keys[k] is the row's value
 * of key column k, NULL when the row has none. "" when it has none at all;
 * cut with "..." when it does not fit.
 */
const char *table_key_describe(const table_def *t, const struct value *const *keys, char *buf,
                               size_t size);

/*
 * How every message names the data operation on a row: "operation 12 (key
 * id=5)", the Nth data operation of the sync with the row's key (keys as
 * for table_key_describe; t or keys NULL: a row without a key to name).
 */
const char *table_op_row(long number, const table_def *t, const struct value *const *keys,
                         char *buf, size_t size);

/*
 * The context a message about a data operation starts with: "upsert on table
 * 'T', column 'C', operation 12 (key id=5)"; without the column when column
 * is NULL, and "upsert, operation 12" when the operation named no table.
 */
const char *table_op_context(const char *kind, const char *table, const char *column, long number,
                             const table_def *t, const struct value *const *keys, char *buf,
                             size_t size);

#endif
