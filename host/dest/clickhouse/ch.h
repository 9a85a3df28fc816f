/*
 * ch.h - the ClickHouse destination's internals, shared by its files:
 * chd_dest.c (the spec, tables, schema changes, state, commit), ch_http.c
 * (statements over the HTTP interface through libcurl, errors), ch_sql.c
 * (the dialects' types, DDL and quoting; no server needed, so unit-tested
 * alone), ch_value.c (values to and from TabSeparated text), chd_rows.c
 * (waiting rows by key) and ch_stage.c (upserts, updates, deletes,
 * truncates and their flush).
 */
#ifndef HOST_CH_H
#define HOST_CH_H

#include <stdint.h>

#include "dest/dest.h"
#include "dest/sql_common.h"

/* The destination's own columns, beside _fivetran_synced and _fivetran_deleted. */
#define CH_VERSION_COLUMN "_connector_version"
/* The exact contract type of every column, as SQLite's _connector_columns keeps it. */
#define CH_COLUMNS_TABLE "_connector_columns"
/* In a cluster, each shard's own table of a Distributed table T is T CH_LOCAL_SUFFIX. */
#define CH_LOCAL_SUFFIX "_local"
#define CH_MAX_SERVERS  8

/*
 * What the server's version allows: the old dialect (Debian's 18.16) keeps
 * booleans as UInt8 and every date and time as its contract text in a
 * String; the new one (21.12 and later) has Bool, Date32 and DateTime64.
 */
typedef struct chd_dialect {
    int major, minor;
    int modern; /* Bool, Date32, DateTime64 */
} chd_dialect;

/* The dialect of a `SELECT version()` answer ("18.16.1", "24.3.2.23"). */
chd_dialect chd_dialect_of(const char *version);

/* ---- SQL text (ch_sql.c) ----------------------------------------------------- */

/* Appends a backquoted identifier, '`' and '\' escaped. */
void chd_ident(textbuf *b, const char *name);
/* Appends db.table, both quoted. */
void chd_qualified(textbuf *b, const char *db, const char *table);
/* Appends a quoted string literal, '\'' and '\' escaped. */
void chd_string(textbuf *b, const char *text);
/* Appends text with TabSeparated's escapes (tab, newline, backslash, NUL...). */
void chd_tsv_escape(textbuf *b, const char *text, size_t len);
/* Undoes TabSeparated's escapes in place; returns the new length. */
size_t chd_tsv_unescape(char *text, size_t len);

/* Splits a line of TabSeparated text at its tabs, in place; returns the fields found (<= max). */
size_t chd_split_fields(char *line, char **fields, size_t max);

/* The storage type of a contract type in the dialect, Nullable(...) when nullable. */
const char *chd_type_sql(type_spec ts, const chd_dialect *dl, int nullable, char *buf, size_t size);
/* A contract type for a storage type the host did not record (a column made by hand). */
type_spec chd_type_parse(const char *text);

/*
 * The CREATE TABLE IF NOT EXISTS statement of t: its columns (keys not nullable), the
 * id when keyless, _fivetran_synced, _fivetran_deleted and the version;
 * ReplacingMergeTree(version) ordered by the key. `name` is the table made
 * (t's own, or its shard table's in a cluster).
 */
void chd_create_sql(textbuf *b, const char *db, const char *name, const table_def *t,
                    const chd_dialect *dl);
/* The CREATE TABLE of t's Distributed table over the cluster's NAME CH_LOCAL_SUFFIX tables. */
void chd_distributed_sql(textbuf *b, const char *db, const char *cluster, const table_def *t);
/* The storage type of _fivetran_synced in the dialect. */
const char *chd_synced_type(const chd_dialect *dl);

/* ---- values (ch_value.c) ----------------------------------------------------- */

/* Appends v as a TabSeparated field (escaped; \N for NULL) of a column of the dialect. */
int chd_value_tsv(textbuf *b, const value *v, const chd_dialect *dl, ch_error *err);
/* Appends v (not NULL) as a SQL literal of its column's storage type (precision: a DECIMAL's). */
int chd_value_literal(textbuf *b, const value *v, int precision, const chd_dialect *dl,
                      ch_error *err);
/* Reads an unescaped field the server wrote as a value of type (the column's contract type). */
int chd_value_parse(const char *text, size_t len, col_type type, const chd_dialect *dl, value *v,
                    ch_error *err);
/* How a subnormal double is written: an expression of its bits, which text would lose. */
#define CHD_DOUBLE_BITS "reinterpretAsFloat64"
/* Appends the server's text of a Float64, or its bits' expression when it is subnormal. */
void chd_server_double(textbuf *b, const char *field);
/*
 * Rewrites TabSeparated rows of n fields (types[i]: the field's contract
 * type, T_STRING for text, T_LONG for numbers) as the rows of a VALUES
 * list; for rows holding a subnormal's expression. CH_ERROR when out of
 * memory or a line has another number of fields.
 */
int chd_tsv_to_values(const char *tsv, const col_type *types, size_t n, textbuf *out);
/* The synced text as a field of _fivetran_synced in the dialect. */
void chd_synced_tsv(textbuf *b, const char *synced, const chd_dialect *dl);

/* ---- waiting rows (chd_rows.c) ------------------------------------------------ */

/*
 * A row waiting for the next flush: its fields as TabSeparated text, NULL
 * for NULL. An upserted row carries every field; a change (updates and
 * deletes of a key without an upserted row waiting) carries the key, the
 * columns the updates gave (marked in mask) and how many operations it
 * stands for.
 */
typedef struct chd_row {
    struct chd_row *next;
    char *key; /* the key fields, tab-joined */
    int deleted;
    char *mask; /* a change's given columns, '1' or '0' each; NULL for an upsert */
    long updates, deletes;
    long first_update, first_delete;
    size_t nfields;
    char *fields[]; /* the table's staged columns, then _fivetran_id if keyless, synced */
} chd_row;

typedef struct chd_rows {
    chd_row **buckets;
    size_t nbuckets, count;
    size_t bytes;
} chd_rows;

chd_row *chd_row_new(const char *key, size_t nfields);
void chd_row_free(chd_row *row);
chd_row *chd_rows_find(const chd_rows *m, const char *key);
/* Adds the row, replacing (and freeing) the row of the same key. */
int chd_rows_put(chd_rows *m, chd_row *row);
void chd_rows_clear(chd_rows *m);
void chd_rows_free(chd_rows *m);

/* ---- the destination ----------------------------------------------------------- */

typedef struct chd_table {
    table_def *def;
    chd_rows pending;   /* upserted rows not yet flushed, by key */
    chd_rows changes;   /* updates and deletes of other keys, not yet flushed */
    size_t stage_ncols; /* columns of def the waiting rows carry */
    int absent;         /* a dry run's table that the server does not have */
    chd_rows dry_keys;  /* a dry run's: the keys it would have written */
    char *truncate_at;  /* the synced time of a truncate waiting for the next flush */
    struct chd_table *next;
} chd_table;

typedef struct chd_server {
    char *host;
    int port;
} chd_server;

typedef struct chd_dest {
    dest base;
    void *curl;    /* CURL *, kept for its connection */
    void *headers; /* struct curl_slist * */
    char *user, *password;
    chd_server servers[CH_MAX_SERVERS];
    size_t nservers;
    char *db;
    char *cluster; /* NULL: one server */
    chd_dialect dialect;
    int dry_run;
    int columns_ready; /* CH_COLUMNS_TABLE exists */
    int state_ready;   /* the state table exists */
    uint64_t version;  /* the last version given out or seen: every new one is greater */
    chd_table *tables;
    char errbuf[256];
} chd_dest;

/*
 * Runs one statement on server s (0: the first) over HTTP. With data, the
 * statement goes in the URL and the data (an INSERT's rows) in the body;
 * else the statement is the body. The answer goes to out when out is not
 * NULL (as text, NUL-terminated). Errors name `what`, the server, and the
 * server's own message; never the password.
 */
int chd_run(chd_dest *d, size_t s, const char *sql, const char *data, size_t len, textbuf *out,
            const char *what, ch_error *err);
/* chd_run of the text built in b, which is freed and cleared; out of memory reported here. */
int chd_run_sql(chd_dest *d, size_t s, textbuf *b, textbuf *out, const char *what, ch_error *err);
/* Runs the DDL built in b on every server of the cluster (or the one server); frees b. */
int chd_run_ddl(chd_dest *d, textbuf *b, const char *what, ch_error *err);

/* A version greater than every one given out or seen, and not behind the clock. */
uint64_t chd_next_version(chd_dest *d);
/* The per-table data, created on first use; NULL when out of memory. */
chd_table *chd_table_of(chd_dest *d, table_def *t);
/* The name data goes through: the table, or its Distributed table in a cluster (the same). */
void chd_data_table(textbuf *b, const chd_dest *d, const table_def *t);

/*
 * Inserts TabSeparated rows of t's first ncols columns, its id if keyless,
 * synced, deleted and version (as a VALUES list when a subnormal double's
 * expression is among them); errors name `what`.
 */
int chd_insert(chd_dest *d, const table_def *t, size_t ncols, const textbuf *data, const char *what,
               ch_error *err);

/* Data operations (ch_stage.c). */
int chd_upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
               ch_error *err);
int chd_update(dest *base, table_def *t, const value *vals, const unsigned char *present,
               const char *synced, long op, int *found, ch_error *err);
int chd_remove(dest *base, table_def *t, const value *vals, const char *synced, long op, int *found,
               ch_error *err);
int chd_truncate(dest *base, table_def *t, const char *synced, long *rows, ch_error *err);
/* Writes the waiting rows of t (NULL: of every table) into the table. */
int chd_merge(chd_dest *d, table_def *t, ch_error *err);
/* dest_ops.flush. */
int chd_flush(dest *base, ch_error *err);
/* After a rollback: the waiting rows are dropped. */
void chd_stage_reset(chd_dest *d);

/* The module's entry points (host/dest/module.c finds them by name). */
int dest_clickhouse_module_check(const char *spec, ch_error *err);
int dest_clickhouse_module_open(const char *spec, const dest_open_opts *opts, dest **out,
                                ch_error *err);

#endif
