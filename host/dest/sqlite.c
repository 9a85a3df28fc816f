/*
 * sqlite.c - the embedded SQLite destination.
 *
 * Each table keeps its prepared statements for the life of the sync; they
 * are rebuilt only when the table's columns change (prepared, added to,
 * converted). All writes between two
 * checkpoints run in one transaction, committed together with the state row,
 * so the warehouse never holds data whose state was not also stored.
 */
#include "dest.h"
#include "sql_common.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hot.h"
#include "contract/row_id.h"

/* The exact type of every column, since SQLite's affinities cannot tell INT from LONG. */
#define COLUMNS_TABLE "_connector_columns"
/*
 * The form of each table's values: one row per table this host made or
 * converted, with VALUE_FORMAT. A table without one was written by an older
 * host, which stored times with the fraction digits they were given.
 */
#define FORMATS_TABLE "_connector_formats"
/* 2: times with six fraction digits (formats.h) */
#define VALUE_FORMAT 2

/*
 * Partial updates that set the same columns share a statement that sets
 * only those: cheaper for SQLite than the general one, which carries every
 * column through a CASE. A table keeps a few such statements, for columns
 * among its first 64; other updates use the general one.
 */
#define UPDATE_SHAPES 4

typedef struct update_shape {
    uint64_t columns; /* bit i: column i is set; 0: the slot is free */
    sqlite3_stmt *stmt;
} update_shape;

typedef struct sqlite_table {
    sqlite3_stmt *upsert, *update, *remove, *truncate;
    update_shape shapes[UPDATE_SHAPES];
    struct sqlite_table *next;
} sqlite_table;

typedef struct sqlite_dest {
    dest base;
    sqlite3 *db;
    int in_tx;
    int columns_table_ready; /* COLUMNS_TABLE exists */
    int formats_table_ready; /* FORMATS_TABLE exists */
    sqlite3_stmt *record;    /* upserts a row of COLUMNS_TABLE */
    sqlite_table *tables;
    int dry_run;
    int wal_frames; /* in the WAL after the last commit (wal_hook) */
    char *path;
    /* finish(): the WAL written back on a connection and thread of its own */
    sqlite3 *side;
    pthread_t side_thread;
    int side_running;
} sqlite_dest;

/*
 * The WAL is written back into the database when a commit leaves it this
 * long (in pages): ten times SQLite's default, so that a large sync writes
 * each page back less often (bench/README.md).
 */
#define WAL_CHECKPOINT_PAGES 10000
/*
 * At the end of a sync a longer WAL is written back and emptied: the next
 * sync's start reads the whole WAL to rebuild its index (about 17 us a page
 * on the bench's VM), and must stay quick. Shorter ones are left for later:
 * a small sync pays no extra flush. At 256, repeated runs of `three` grew
 * the WAL to 200 pages and took 5.2 ms; at 64, 4.3 ms.
 */
#define WAL_CLOSE_PAGES 64

typedef textbuf sql_buf;

#define sb_add textbuf_add

static int db_fail(sqlite_dest *d, ch_error *err, const char *what)
{
    return err_set(err, "%s: %s: %s", d->base.description, what, sqlite3_errmsg(d->db));
}

/* The statement is echoed cut short: a CREATE TABLE of 10,000 columns must not hide SQLite's
 * reason. */
static int exec(sqlite_dest *d, const char *sql, ch_error *err)
{
    char what[160];
    if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return CH_OK;
    if (strlen(sql) > 100)
        snprintf(what, sizeof what, "%.100s... (%zu bytes)", sql, strlen(sql));
    else
        snprintf(what, sizeof what, "%s", sql);
    return db_fail(d, err, what);
}

static int ensure_tx(sqlite_dest *d, ch_error *err)
{
    if (d->in_tx)
        return CH_OK;
    if (exec(d, "BEGIN IMMEDIATE", err) != CH_OK)
        return CH_ERROR;
    d->in_tx = 1;
    return CH_OK;
}

static inline int bind_value(sqlite3_stmt *stmt, int param, const value *v);

static const char *sql_type(col_type type)
{
    if (type == T_NONE)
        return ""; /* no affinity: values stay as given until the type is known */
    switch (type_storage(type)) {
    case S_INTEGER:
        return "INTEGER";
    case S_REAL:
        return "REAL";
    case S_BLOB:
        return "BLOB";
    default:
        return "TEXT";
    }
}

static col_type type_from_affinity(const char *decl)
{
    if (decl == NULL || *decl == '\0')
        return T_NONE;
    if (strstr(decl, "INT"))
        return T_LONG;
    if (strstr(decl, "REAL") || strstr(decl, "FLOA") || strstr(decl, "DOUB"))
        return T_DOUBLE;
    if (strstr(decl, "BLOB"))
        return T_BINARY;
    return T_STRING;
}

static sqlite_table *table_data(sqlite_dest *d, table_def *t)
{
    sqlite_table *st = t->dest;
    if (st == NULL && (st = calloc(1, sizeof *st)) != NULL) {
        st->next = d->tables;
        d->tables = st;
        t->dest = st;
    }
    return st;
}

static void finalize_statements(sqlite_table *st)
{
    sqlite3_finalize(st->upsert);
    sqlite3_finalize(st->update);
    sqlite3_finalize(st->remove);
    sqlite3_finalize(st->truncate);
    st->upsert = st->update = st->remove = st->truncate = NULL;
    for (size_t i = 0; i < UPDATE_SHAPES; i++) {
        sqlite3_finalize(st->shapes[i].stmt);
        st->shapes[i].stmt = NULL;
        st->shapes[i].columns = 0;
    }
}

/* Stores a column's exact type; called inside the transaction that changes the column. */
static int record_type(sqlite_dest *d, const table_def *t, size_t col, type_spec type,
                       ch_error *err)
{
    char text[32];
    int rc;
    const column_def *c = &t->cols[col];
    if (type.type == T_NONE)
        return CH_OK;
    if (!d->columns_table_ready) {
        if (exec(d,
                 "CREATE TABLE IF NOT EXISTS " COLUMNS_TABLE " (table_name TEXT NOT NULL, "
                 "column_name TEXT NOT NULL, type TEXT NOT NULL, "
                 "PRIMARY KEY (table_name, column_name))",
                 err) != CH_OK)
            return CH_ERROR;
        d->columns_table_ready = 1;
    }
    if (d->record == NULL &&
        sqlite3_prepare_v3(d->db,
                           "INSERT INTO " COLUMNS_TABLE " (table_name, column_name, type) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (table_name, column_name) "
                           "DO UPDATE SET type = excluded.type",
                           -1, SQLITE_PREPARE_PERSISTENT, &d->record, NULL) != SQLITE_OK)
        return db_fail(d, err, "recording a column type");
    type_format(type.type, type.precision, type.scale, text, sizeof text);
    rc = sqlite3_bind_text(d->record, 1, t->dest_name, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(d->record, 2, c->dest_name, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(d->record, 3, text, -1, SQLITE_TRANSIENT);
    rc = rc == SQLITE_OK ? sqlite3_step(d->record) : rc;
    sqlite3_reset(d->record);
    if (rc != SQLITE_DONE)
        return db_fail(d, err, "recording a column type");
    return CH_OK;
}

/* Notes that t's values are in VALUE_FORMAT; called inside the transaction that makes them so. */
static int record_format(sqlite_dest *d, const table_def *t, ch_error *err)
{
    sqlite3_stmt *stmt;
    int rc;
    if (!d->formats_table_ready) {
        if (exec(d,
                 "CREATE TABLE IF NOT EXISTS " FORMATS_TABLE " (table_name TEXT PRIMARY KEY, "
                 "format INTEGER NOT NULL)",
                 err) != CH_OK)
            return CH_ERROR;
        d->formats_table_ready = 1;
    }
    if (sqlite3_prepare_v2(d->db,
                           "INSERT INTO " FORMATS_TABLE " (table_name, format) VALUES (?1, ?2) "
                           "ON CONFLICT (table_name) DO UPDATE SET format = excluded.format",
                           -1, &stmt, NULL) != SQLITE_OK)
        return db_fail(d, err, "recording the format of a table");
    rc = sqlite3_bind_text(stmt, 1, t->dest_name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 2, VALUE_FORMAT);
    rc = rc == SQLITE_OK ? sqlite3_step(stmt) : rc;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(d, err, "recording the format of a table");
    return CH_OK;
}

/* The recorded types of one table's columns, read when the table is prepared. */
typedef struct recorded {
    char **names;
    type_spec *types;
    size_t count;
} recorded;

static void recorded_free(recorded *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->names[i]);
    free(r->names);
    free(r->types);
}

static int table_exists(sqlite_dest *d, const char *name)
{
    sqlite3_stmt *stmt;
    int exists = 0;
    if (sqlite3_prepare_v2(d->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                           -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
        exists = sqlite3_step(stmt) == SQLITE_ROW;
        sqlite3_finalize(stmt);
    }
    return exists;
}

/* The format t's values are in: VALUE_FORMAT, or 1 for a table an older host wrote. */
static int stored_format(sqlite_dest *d, const table_def *t, int *format, ch_error *err)
{
    sqlite3_stmt *stmt;
    int rc;
    *format = 1;
    if (!d->formats_table_ready && !table_exists(d, FORMATS_TABLE))
        return CH_OK;
    d->formats_table_ready = 1;
    if (sqlite3_prepare_v2(d->db, "SELECT format FROM " FORMATS_TABLE " WHERE table_name = ?1", -1,
                           &stmt, NULL) != SQLITE_OK)
        return db_fail(d, err, "reading the format of a table");
    sqlite3_bind_text(stmt, 1, t->dest_name, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *format = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(d, err, "reading the format of a table");
    return CH_OK;
}

static int load_recorded(sqlite_dest *d, const table_def *t, recorded *r, ch_error *err)
{
    sqlite3_stmt *stmt;
    int rc;
    memset(r, 0, sizeof *r);
    if (!table_exists(d, COLUMNS_TABLE))
        return CH_OK;
    d->columns_table_ready = 1;
    if (sqlite3_prepare_v2(d->db,
                           "SELECT column_name, type FROM " COLUMNS_TABLE " WHERE table_name = ?1",
                           -1, &stmt, NULL) != SQLITE_OK)
        return db_fail(d, err, "reading column types");
    sqlite3_bind_text(stmt, 1, t->dest_name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        const char *text = (const char *)sqlite3_column_text(stmt, 1);
        char **names = realloc(r->names, (r->count + 1) * sizeof *names);
        type_spec *types;
        ch_error bad;
        if (names == NULL)
            break;
        r->names = names;
        if ((types = realloc(r->types, (r->count + 1) * sizeof *types)) == NULL)
            break;
        r->types = types;
        if (name == NULL || text == NULL ||
            type_parse(text, &types[r->count].type, &types[r->count].precision,
                       &types[r->count].scale, &bad) != CH_OK) {
            err_set(err, "%s: unreadable type '%s' of column %s in " COLUMNS_TABLE,
                    d->base.description, text ? text : "NULL", name ? name : "NULL");
            sqlite3_finalize(stmt); /* after the message: it owns the text */
            return CH_ERROR;
        }
        if ((names[r->count] = strdup(name)) == NULL)
            break;
        r->count++;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_ROW ? err_set(err, "out of memory")
                                : db_fail(d, err, "reading column types");
    return CH_OK;
}

static const type_spec *recorded_find(const recorded *r, const char *name)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->names[i], name) == 0)
            return &r->types[i];
    return NULL;
}

static int create_table(dest *base, table_def *t, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sql_buf b = {0};
    int rc;
    sb_add(&b, "CREATE TABLE ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        sql_ident(&b, t->cols[i].dest_name);
        sb_add(&b, " ");
        sb_add(&b, sql_type(t->cols[i].type));
        if (table_is_key(t, i))
            sb_add(&b, " NOT NULL");
        sb_add(&b, ", ");
    }
    if (t->nkey == 0)
        sb_add(&b, "\"" COL_ID "\" TEXT NOT NULL, ");
    sb_add(&b, "\"" COL_SYNCED "\" TEXT NOT NULL, \"" COL_DELETED
               "\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (");
    sql_key_list(&b, t);
    sb_add(&b, "))");
    rc = b.oom ? err_set(err, "out of memory") : exec(d, b.s, err);
    free(b.s);
    for (size_t i = 0; rc == CH_OK && i < t->ncols; i++)
        rc = record_type(d, t, i, sql_column_type(&t->cols[i]), err);
    return rc == CH_OK ? record_format(d, t, err) : rc;
}

static int add_column(dest *base, table_def *t, size_t col, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sql_buf b = {0};
    int rc;
    if (ensure_tx(d, err) != CH_OK)
        return CH_ERROR;
    sb_add(&b, "ALTER TABLE ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " ADD COLUMN ");
    sql_ident(&b, t->cols[col].dest_name);
    sb_add(&b, " ");
    sb_add(&b, sql_type(t->cols[col].type));
    rc = b.oom ? err_set(err, "out of memory") : exec(d, b.s, err);
    free(b.s);
    if (rc == CH_OK)
        rc = record_type(d, t, col, sql_column_type(&t->cols[col]), err);
    if (t->dest)
        finalize_statements(t->dest);
    return rc;
}

/* Reads a stored value as a value of the column's type, or of its storage class. */
static void read_stored(sqlite3_stmt *stmt, int col, col_type type, value *v)
{
    storage st = type_storage(type);
    switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
        v->type = st == S_INTEGER ? type : T_LONG;
        v->i = sqlite3_column_int64(stmt, col);
        break;
    case SQLITE_FLOAT:
        v->type = st == S_REAL ? type : T_DOUBLE;
        v->d = sqlite3_column_double(stmt, col);
        break;
    case SQLITE_BLOB:
        v->type = T_BINARY;
        v->ptr = sqlite3_column_blob(stmt, col);
        v->len = (size_t)sqlite3_column_bytes(stmt, col);
        break;
    default:
        v->type = st == S_TEXT ? type : T_STRING;
        v->ptr = (const char *)sqlite3_column_text(stmt, col);
        v->len = (size_t)sqlite3_column_bytes(stmt, col);
        break;
    }
}

/*
 * Names the stored row `rowid`, whose value of column col did not convert
 * from type `from`, by its key before the reason in err. Asked only then,
 * so a conversion reads no more than its column; a key that cannot be read
 * is left out, never a reason to fail.
 */
static void name_stored_row(sqlite_dest *d, const table_def *t, size_t col, type_spec from,
                            sqlite3_int64 rowid, ch_error *err)
{
    value keys[MAX_KEY_COLUMNS] = {{0}};
    const value *named[MAX_KEY_COLUMNS];
    sqlite3_stmt *stmt = NULL;
    sql_buf b = {0};
    if (t->nkey == 0)
        return;
    sb_add(&b, "SELECT ");
    for (size_t k = 0; k < t->nkey; k++) {
        sb_add(&b, k ? ", " : "");
        sql_ident(&b, t->cols[t->key[k]].dest_name);
    }
    sb_add(&b, " FROM ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " WHERE rowid = ?1");
    if (!b.oom && sqlite3_prepare_v2(d->db, b.s, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_bind_int64(stmt, 1, rowid) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        for (size_t k = 0; k < t->nkey; k++) {
            read_stored(stmt, (int)k, sql_key_type(t, k, col, from), &keys[k]);
            named[k] = &keys[k];
        }
        sql_name_row(t, named, err); /* before the statement goes: the values are its */
    }
    sqlite3_finalize(stmt);
    free(b.s);
}

/*
 * Writes every stored value of column col, converted, into column to_name;
 * with `only`, an SQL condition, only the values that meet it. *rows counts
 * them. Updating rows while the rowid-ordered scan runs is safe in SQLite;
 * should a row be visited twice, converting an already converted value gives
 * it back unchanged, so the result is the same.
 */
static int convert_column(sqlite_dest *d, table_def *t, size_t col, const char *to_name,
                          type_spec from, type_spec to, const char *only, long *rows, int *lossy,
                          ch_error *err)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    sql_buf b = {0}, u = {0};
    value in = {0}, out = {0};
    int rc = CH_OK, step;
    const char *name = t->cols[col].dest_name;
    sb_add(&b, "SELECT rowid, ");
    sql_ident(&b, name);
    sb_add(&b, " FROM ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " WHERE ");
    sql_ident(&b, name);
    sb_add(&b, " IS NOT NULL");
    if (only) {
        sb_add(&b, " AND ");
        sb_add(&b, only);
    }
    sb_add(&u, "UPDATE ");
    sql_ident(&u, t->dest_name);
    sb_add(&u, " SET ");
    sql_ident(&u, to_name);
    sb_add(&u, " = ?1 WHERE rowid = ?2");
    if (b.oom || u.oom) {
        rc = err_set(err, "out of memory");
    } else if (sqlite3_prepare_v2(d->db, b.s, -1, &sel, NULL) != SQLITE_OK ||
               sqlite3_prepare_v2(d->db, u.s, -1, &upd, NULL) != SQLITE_OK) {
        rc = db_fail(d, err, "converting a column");
    }
    while (rc == CH_OK && (step = sqlite3_step(sel)) == SQLITE_ROW) {
        read_stored(sel, 1, from.type, &in);
        if (value_convert(&in, to.type, to.precision, to.scale, &out, err) != CH_OK) {
            name_stored_row(d, t, col, from, sqlite3_column_int64(sel, 0), err);
            *lossy = 1;
            rc = CH_ERROR;
            break;
        }
        if (bind_value(upd, 1, &out) != SQLITE_OK ||
            sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0)) != SQLITE_OK ||
            sqlite3_step(upd) != SQLITE_DONE)
            rc = db_fail(d, err, "converting a column");
        sqlite3_reset(upd);
        ++*rows;
    }
    if (rc == CH_OK && step != SQLITE_DONE)
        rc = db_fail(d, err, "converting a column");
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    value_free(&out);
    free(b.s);
    free(u.s);
    return rc;
}

/*
 * SQLite cannot change a column's declared type, so a column whose storage
 * class changes is rebuilt: a new column of the new type is filled with the
 * converted values, the old one dropped and the new one renamed over it.
 * All of it runs in a savepoint, undone when any value does not convert.
 */
static int change_type(dest *base, table_def *t, size_t col, type_spec from, type_spec to,
                       int *lossy, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    const char *name = t->cols[col].dest_name;
    int rebuild = strcmp(sql_type(from.type), sql_type(to.type)) != 0;
    int rc = CH_OK;
    long rows = 0;
    sql_buf b = {0};
    column_def *c = &t->cols[col];
    *lossy = 0;
    if (rebuild && table_is_key(t, col) && from.type != T_NONE)
        return err_set(err,
                       "primary key column '%s' holds %s values in the warehouse and cannot "
                       "change to %s; declare its type in the schema, or run `connector-host "
                       "reset`",
                       c->name, type_name(from.type), type_name(to.type));
    if (ensure_tx(d, err) != CH_OK || exec(d, "SAVEPOINT change_type", err) != CH_OK)
        return CH_ERROR;
    if (rebuild && !table_is_key(t, col)) {
        sb_add(&b, "ALTER TABLE ");
        sql_ident(&b, t->dest_name);
        sb_add(&b, " ADD COLUMN \"" SQL_TMP_COLUMN "\" ");
        sb_add(&b, sql_type(to.type));
        rc = b.oom ? err_set(err, "out of memory") : exec(d, b.s, err);
    }
    if (rc == CH_OK && from.type != T_NONE)
        rc = convert_column(d, t, col, rebuild && !table_is_key(t, col) ? SQL_TMP_COLUMN : name,
                            from, to, NULL, &rows, lossy, err);
    if (rc == CH_OK && rebuild && !table_is_key(t, col)) {
        b.len = 0;
        sb_add(&b, "ALTER TABLE ");
        sql_ident(&b, t->dest_name);
        sb_add(&b, " DROP COLUMN ");
        sql_ident(&b, name);
        rc = b.oom ? err_set(err, "out of memory") : exec(d, b.s, err);
        b.len = 0;
        sb_add(&b, "ALTER TABLE ");
        sql_ident(&b, t->dest_name);
        sb_add(&b, " RENAME COLUMN \"" SQL_TMP_COLUMN "\" TO ");
        sql_ident(&b, name);
        if (rc == CH_OK)
            rc = b.oom ? err_set(err, "out of memory") : exec(d, b.s, err);
    }
    if (rc == CH_OK)
        rc = record_type(d, t, col, to, err); /* the column_def is the caller's to change */
    free(b.s);
    if (rc == CH_OK) {
        rc = exec(d, "RELEASE change_type", err);
    } else {
        sqlite3_exec(d->db, "ROLLBACK TO change_type", NULL, NULL, NULL);
        sqlite3_exec(d->db, "RELEASE change_type", NULL, NULL, NULL);
    }
    if (t->dest)
        finalize_statements(t->dest);
    return rc;
}

/* A GLOB that a stored time of the type matches only in its six-digit form; NULL for others. */
static const char *time_glob(col_type type)
{
#define D2    "[0-9][0-9]"
#define CLOCK D2 ":" D2 ":" D2 "." D2 D2 D2
#define DAY   D2 D2 "-" D2 "-" D2 "T"
    switch (type) {
    case T_NAIVE_TIME:
        return CLOCK;
    case T_NAIVE_DATETIME:
        return DAY CLOCK;
    case T_UTC_DATETIME:
        return DAY CLOCK "Z";
    default:
        return NULL;
    }
#undef D2
#undef CLOCK
#undef DAY
}

/* Statements that re-key the rows of a table without a primary key (rekey_rows). */
typedef struct rekey {
    sqlite3_stmt *rows, *holder, *set_id, *drop;
} rekey;

static int rekey_prepare(sqlite_dest *d, const table_def *t, rekey *k)
{
    static const char *const forms[] = {
        "SELECT rowid, * FROM %s ORDER BY rowid",
        "SELECT rowid, \"" COL_SYNCED "\" FROM %s WHERE \"" COL_ID "\" = ?1",
        "UPDATE %s SET \"" COL_ID "\" = ?1 WHERE rowid = ?2",
        "DELETE FROM %s WHERE rowid = ?1",
    };
    sqlite3_stmt **stmts[] = {&k->rows, &k->holder, &k->set_id, &k->drop};
    sql_buf name = {0};
    int rc = SQLITE_OK;
    sql_ident(&name, t->dest_name);
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof forms / sizeof forms[0]; i++) {
        char *sql = name.oom ? NULL : sqlite3_mprintf(forms[i], name.s);
        rc = sql ? sqlite3_prepare_v2(d->db, sql, -1, stmts[i], NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    free(name.s);
    return rc == SQLITE_OK ? CH_OK : CH_ERROR;
}

static void rekey_free(rekey *k)
{
    sqlite3_finalize(k->rows);
    sqlite3_finalize(k->holder);
    sqlite3_finalize(k->set_id);
    sqlite3_finalize(k->drop);
}

/* Runs a bound one-step statement and resets it: SQLITE_DONE, or SQLite's error. */
static int step_once(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc;
}

/*
 * A row of a table without a primary key is keyed by a hash of its values
 * (row_id.c), and the text of its times has changed: each row gets the id
 * an upsert of the same values gives now, so that a row sent again replaces
 * it rather than joining it. Two rows that differed only in how a time was
 * written are one row now: the later written (_fivetran_synced) is kept.
 * Rows whose id is right already are left alone, so it can run again.
 */
static int rekey_rows(sqlite_dest *d, table_def *t, long *rekeyed, long *merged, ch_error *err)
{
    rekey k = {0};
    value *vals = calloc(t->ncols + 1, sizeof *vals);
    long *col_of = NULL; /* the table column of each result column; -1: not one */
    int ncols = 0, id_at = -1, synced_at = -1, step = SQLITE_DONE, rc = CH_OK;
    if (vals == NULL)
        return err_set(err, "out of memory");
    if (rekey_prepare(d, t, &k) != CH_OK) {
        rc = db_fail(d, err, "re-keying rows");
        goto done;
    }
    ncols = sqlite3_column_count(k.rows);
    if ((col_of = malloc((size_t)ncols * sizeof *col_of)) == NULL) {
        rc = err_set(err, "out of memory");
        goto done;
    }
    for (int i = 0; i < ncols; i++) {
        const char *name = sqlite3_column_name(k.rows, i);
        col_of[i] = -1;
        if (i == 0 || name == NULL)
            continue; /* the rowid */
        if (strcmp(name, COL_ID) == 0)
            id_at = i;
        else if (strcmp(name, COL_SYNCED) == 0)
            synced_at = i;
        for (size_t c = 0; c < t->ncols && col_of[i] < 0; c++)
            if (strcmp(t->cols[c].dest_name, name) == 0)
                col_of[i] = (long)c;
    }
    if (id_at < 0 || synced_at < 0) {
        rc = err_set(err, "%s: table %s has no " COL_ID " or no " COL_SYNCED, d->base.description,
                     t->dest_name);
        goto done;
    }
    while (rc == CH_OK && (step = sqlite3_step(k.rows)) == SQLITE_ROW) {
        sqlite3_int64 row = sqlite3_column_int64(k.rows, 0);
        const char *id = (const char *)sqlite3_column_text(k.rows, id_at);
        char want[ROW_ID_SIZE];
        for (size_t c = 0; c < t->ncols; c++)
            value_set_null(&vals[c]);
        for (int i = 1; i < ncols; i++)
            if (col_of[i] >= 0 && sqlite3_column_type(k.rows, i) != SQLITE_NULL)
                read_stored(k.rows, i, t->cols[col_of[i]].type, &vals[col_of[i]]);
        row_id_of(t, vals, want);
        if (id && strcmp(id, want) == 0)
            continue;
        sqlite3_bind_text(k.holder, 1, want, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(k.holder) == SQLITE_ROW) {
            /* the same values, written another way: the later one stays */
            sqlite3_int64 other = sqlite3_column_int64(k.holder, 0);
            const char *theirs = (const char *)sqlite3_column_text(k.holder, 1);
            const char *ours = (const char *)sqlite3_column_text(k.rows, synced_at);
            int ours_later = theirs && ours && strcmp(ours, theirs) > 0;
            sqlite3_bind_int64(k.drop, 1, ours_later ? other : row);
            sqlite3_reset(k.holder);
            if (step_once(k.drop) != SQLITE_DONE) {
                rc = db_fail(d, err, "re-keying rows");
                break;
            }
            ++*merged;
            if (!ours_later)
                continue;
        } else {
            sqlite3_reset(k.holder);
        }
        sqlite3_bind_text(k.set_id, 1, want, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(k.set_id, 2, row);
        if (step_once(k.set_id) != SQLITE_DONE)
            rc = db_fail(d, err, "re-keying rows");
        ++*rekeyed;
    }
    if (rc == CH_OK && step != SQLITE_DONE)
        rc = db_fail(d, err, "re-keying rows");
done:
    rekey_free(&k);
    free(col_of);
    free(vals); /* read_stored only borrows: the values own no memory */
    return rc;
}

/*
 * A table an older host wrote holds times with the fraction digits they
 * were given: they are rewritten in the six-digit form (formats.h) in the
 * transaction that the sync's first commit ends, so that a kill leaves the
 * old values or the new ones, and the next sync finishes the work. Values
 * in the form already are left alone, so it may run twice. Then the table's
 * format is recorded; a table with times to rewrite is a schema change.
 */
static int settle_format(sqlite_dest *d, table_def *t, int *schema_changes, ch_error *err)
{
    sql_buf only = {0}, names = {0};
    long total = 0, rekeyed = 0, merged = 0;
    int format, lossy, rc, ncols = 0;
    if (stored_format(d, t, &format, err) != CH_OK)
        return CH_ERROR;
    if (format >= VALUE_FORMAT)
        return CH_OK;
    rc = CH_OK;
    for (size_t c = 0; rc == CH_OK && c < t->ncols; c++) {
        const column_def *col = &t->cols[c];
        const char *glob = time_glob(col->type);
        type_spec text = {T_STRING, 0, 0}; /* read as text, so that it is parsed again */
        long rows = 0;
        if (glob == NULL || !col->in_warehouse)
            continue;
        only.len = 0;
        sb_add(&only, "NOT ");
        sql_ident(&only, col->dest_name);
        sb_add(&only, " GLOB '");
        sb_add(&only, glob);
        sb_add(&only, "'");
        if (only.oom)
            rc = err_set(err, "out of memory");
        else if (convert_column(d, t, c, col->dest_name, text, sql_column_type(col), only.s, &rows,
                                &lossy, err) != CH_OK)
            rc = err_prefix(err,
                            "column '%s': a time written by an earlier connector-host cannot be "
                            "rewritten with six fraction digits; correct or clear it",
                            col->name);
        if (rows > 0) {
            sb_add(&names, ncols++ ? ", " : "");
            sb_add(&names, col->dest_name);
            total += rows;
        }
    }
    if (rc == CH_OK && total > 0 && t->nkey == 0)
        rc = rekey_rows(d, t, &rekeyed, &merged, err);
    if (rc == CH_OK)
        rc = record_format(d, t, err);
    if (rc == CH_OK && total > 0) {
        char keys[200] = "";
        if (rekeyed || merged)
            snprintf(keys, sizeof keys,
                     "; " COL_ID " recomputed for %ld row%s (the table has no primary key), "
                     "%ld row%s that duplicated another removed",
                     rekeyed, rekeyed == 1 ? "" : "s", merged, merged == 1 ? "" : "s");
        dest_notice(&d->base,
                    "table '%s': %ld time%s written by an earlier connector-host rewritten with "
                    "six fraction digits (column%s %s)%s",
                    t->name, total, total == 1 ? "" : "s", ncols == 1 ? "" : "s",
                    names.oom ? "..." : names.s, keys);
        ++*schema_changes;
    }
    free(only.s);
    free(names.s);
    return rc;
}

/*
 * Brings one column of t in line with the warehouse's copy of it; exact is 0
 * for a warehouse older than the type records, whose column types are then
 * recorded.
 */
static int reconcile_column(sqlite_dest *d, table_def *t, size_t c, type_spec stored, int exact,
                            int *schema_changes, ch_error *err)
{
    int record;
    if (sql_reconcile_column(&d->base, t, c, stored, exact, &record, schema_changes, err) != CH_OK)
        return CH_ERROR;
    return record ? record_type(d, t, c, sql_column_type(&t->cols[c]), err) : CH_OK;
}

/* The column's type from its SQLite declaration, for warehouses without type records. */
static type_spec affinity_type(const char *decl)
{
    type_spec ts = {type_from_affinity(decl), 0, 0};
    return ts;
}

/* The names of a table's columns, for sql_earlier_names. */
static int read_column_names(dest *base, const char *table, sql_names *names, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite3_stmt *info;
    sql_buf b = {0};
    int step;
    sb_add(&b, "PRAGMA table_info(");
    sql_ident(&b, table);
    sb_add(&b, ")");
    if (b.oom || sqlite3_prepare_v2(d->db, b.s, -1, &info, NULL) != SQLITE_OK) {
        free(b.s);
        return db_fail(d, err, "reading table information");
    }
    free(b.s);
    while ((step = sqlite3_step(info)) == SQLITE_ROW)
        if (sql_names_add(names, (const char *)sqlite3_column_text(info, 1)) != CH_OK) {
            sqlite3_finalize(info);
            return err_set(err, "out of memory");
        }
    if (step != SQLITE_DONE)
        db_fail(d, err, "reading table information");
    sqlite3_finalize(info);
    return step == SQLITE_DONE ? CH_OK : CH_ERROR;
}

static int has_table(dest *base, table_def *t, int *held, ch_error *err)
{
    return sql_has_table(base, t, read_column_names, held, err);
}

static int prepare_table(dest *base, table_def *t, int *schema_changes, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite3_stmt *info;
    sql_buf b = {0};
    sql_found found = {0};
    recorded rec;
    int rc = CH_OK, step = SQLITE_DONE, existed;
    *schema_changes = 0;
    if (ensure_tx(d, err) != CH_OK || table_data(d, t) == NULL ||
        sql_earlier_names(base, t, read_column_names, err) != CH_OK ||
        load_recorded(d, t, &rec, err) != CH_OK)
        return CH_ERROR;
    sb_add(&b, "PRAGMA table_info(");
    sql_ident(&b, t->dest_name);
    sb_add(&b, ")");
    if (b.oom || sqlite3_prepare_v2(d->db, b.s, -1, &info, NULL) != SQLITE_OK) {
        free(b.s);
        recorded_free(&rec);
        return db_fail(d, err, "reading table information");
    }
    free(b.s);
    while (rc == CH_OK && (step = sqlite3_step(info)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(info, 1);
        const char *decl = (const char *)sqlite3_column_text(info, 2);
        const type_spec *stored = recorded_find(&rec, name);
        type_spec ts = stored ? *stored : affinity_type(decl);
        long c;
        int adopted;
        rc = sql_found_column(&found, t, name, sqlite3_column_int(info, 5), ts, &c, &adopted, err);
        if (rc == CH_OK && c >= 0 && !adopted)
            rc = reconcile_column(d, t, (size_t)c, ts, stored != NULL, schema_changes, err);
    }
    if (rc == CH_OK && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_fail(d, err, "reading table information");
    sqlite3_finalize(info);
    recorded_free(&rec);
    existed = found.exists;
    rc = sql_prepare_finish(base, t, &found, rc, create_table,
                            "run `connector-host reset` to start over", schema_changes, err);
    if (rc == CH_OK && existed)
        rc = settle_format(d, t, schema_changes, err);
    finalize_statements(t->dest);
    return rc;
}

static int prepare(sqlite_dest *d, sql_buf *b, sqlite3_stmt **stmt, ch_error *err)
{
    int rc;
    if (b->oom) {
        free(b->s);
        return err_set(err, "out of memory");
    }
    rc = sqlite3_prepare_v3(d->db, b->s, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
    free(b->s);
    if (rc != SQLITE_OK)
        return db_fail(d, err, "preparing a statement");
    return CH_OK;
}

static void sb_key_match(sql_buf *b, const table_def *t, int *param)
{
    char num[16];
    for (size_t k = 0; k < (t->nkey ? t->nkey : 1); k++) {
        sb_add(b, k ? " AND " : " WHERE ");
        sql_ident(b, t->nkey ? t->cols[t->key[k]].dest_name : COL_ID);
        snprintf(num, sizeof num, " = ?%d", ++*param);
        sb_add(b, num);
    }
}

/* Parameters: ?1..?n the columns, then the id (keyless tables), then synced. */
static int prepare_upsert(sqlite_dest *d, table_def *t, ch_error *err)
{
    sql_buf b = {0};
    sb_add(&b, "INSERT INTO ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        sql_ident(&b, t->cols[i].dest_name);
        sb_add(&b, ", ");
    }
    if (t->nkey == 0)
        sb_add(&b, "\"" COL_ID "\", ");
    sb_add(&b, "\"" COL_SYNCED "\", \"" COL_DELETED "\") VALUES (");
    for (size_t i = 0; i < t->ncols + (t->nkey == 0); i++)
        sb_add(&b, "?, ");
    sb_add(&b, "?, 0) ON CONFLICT (");
    sql_key_list(&b, t);
    sb_add(&b, ") DO UPDATE SET ");
    for (size_t i = 0; i < t->ncols; i++) {
        if (table_is_key(t, i))
            continue;
        sql_ident(&b, t->cols[i].dest_name);
        sb_add(&b, " = excluded.");
        sql_ident(&b, t->cols[i].dest_name);
        sb_add(&b, ", ");
    }
    sb_add(&b, "\"" COL_SYNCED "\" = excluded.\"" COL_SYNCED "\", \"" COL_DELETED "\" = 0");
    return prepare(d, &b, &((sqlite_table *)t->dest)->upsert, err);
}

/* Parameters: per column i, ?(2i+1) whether it is given and ?(2i+2) its value; then synced, key. */
static int prepare_update(sqlite_dest *d, table_def *t, ch_error *err)
{
    sql_buf b = {0};
    char num[96];
    int param = 2 * (int)t->ncols + 1;
    sb_add(&b, "UPDATE ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " SET ");
    for (size_t i = 0; i < t->ncols; i++) {
        if (table_is_key(t, i))
            continue;
        sql_ident(&b, t->cols[i].dest_name);
        snprintf(num, sizeof num, " = CASE WHEN ?%zu THEN ?%zu ELSE ", 2 * i + 1, 2 * i + 2);
        sb_add(&b, num);
        sql_ident(&b, t->cols[i].dest_name);
        sb_add(&b, " END, ");
    }
    snprintf(num, sizeof num, "\"" COL_SYNCED "\" = ?%d", param);
    sb_add(&b, num);
    sb_key_match(&b, t, &param);
    return prepare(d, &b, &((sqlite_table *)t->dest)->update, err);
}

/* Parameters: ?1.. the set columns' values in column order, then synced, then the key. */
static int prepare_shape(sqlite_dest *d, table_def *t, uint64_t columns, sqlite3_stmt **stmt,
                         ch_error *err)
{
    sql_buf b = {0};
    char num[96];
    int param = 0;
    sb_add(&b, "UPDATE ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " SET ");
    for (size_t i = 0; i < t->ncols && i < 64; i++) {
        if (!(columns >> i & 1))
            continue;
        sql_ident(&b, t->cols[i].dest_name);
        snprintf(num, sizeof num, " = ?%d, ", ++param);
        sb_add(&b, num);
    }
    snprintf(num, sizeof num, "\"" COL_SYNCED "\" = ?%d", ++param);
    sb_add(&b, num);
    sb_key_match(&b, t, &param);
    return prepare(d, &b, stmt, err);
}

/*
 * The statement for an update setting these columns, or NULL for the
 * general one: when a column past the 64th is set, or every slot is taken.
 */
static sqlite3_stmt *shape_for(sqlite_dest *d, table_def *t, const unsigned char *present,
                               uint64_t *columns, ch_error *err, int *failed)
{
    sqlite_table *st = t->dest;
    uint64_t set = 0;
    *failed = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!present[i] || table_is_key(t, i))
            continue;
        if (i >= 64)
            return NULL;
        set |= UINT64_C(1) << i;
    }
    if (set == 0)
        return NULL; /* only the key: the general statement stamps the time */
    *columns = set;
    for (size_t k = 0; k < UPDATE_SHAPES; k++) {
        if (st->shapes[k].columns == set)
            return st->shapes[k].stmt;
        if (st->shapes[k].columns == 0) {
            if (prepare_shape(d, t, set, &st->shapes[k].stmt, err) != CH_OK) {
                *failed = 1;
                return NULL;
            }
            st->shapes[k].columns = set;
            return st->shapes[k].stmt;
        }
    }
    return NULL;
}

static int prepare_remove(sqlite_dest *d, table_def *t, ch_error *err)
{
    sql_buf b = {0};
    int param = 1;
    sb_add(&b, "UPDATE ");
    sql_ident(&b, t->dest_name);
    sb_add(&b, " SET \"" COL_DELETED "\" = 1, \"" COL_SYNCED "\" = ?1");
    sb_key_match(&b, t, &param);
    return prepare(d, &b, &((sqlite_table *)t->dest)->remove, err);
}

/* Inline: every column of every operation is bound through it. */
static inline int bind_value(sqlite3_stmt *stmt, int param, const value *v)
{
    if (v->type == T_NONE)
        return sqlite3_bind_null(stmt, param);
    switch (type_storage(v->type)) {
    case S_INTEGER:
        return sqlite3_bind_int64(stmt, param, v->i);
    case S_REAL:
        return sqlite3_bind_double(stmt, param, v->d);
    case S_BLOB:
        return sqlite3_bind_blob64(stmt, param, v->ptr ? v->ptr : "", v->len, SQLITE_STATIC);
    default:
        return sqlite3_bind_text64(stmt, param, v->ptr, v->len, SQLITE_STATIC, SQLITE_UTF8);
    }
}

static int bind_text(sqlite3_stmt *stmt, int param, const char *text)
{
    return sqlite3_bind_text(stmt, param, text, -1, SQLITE_STATIC);
}

/* Runs a bound statement to completion and resets it, keeping the error. */
static int run(sqlite_dest *d, sqlite3_stmt *stmt, int bind_rc, const char *what, ch_error *err)
{
    int rc = bind_rc == SQLITE_OK ? sqlite3_step(stmt) : bind_rc;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        db_fail(d, err, what);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return CH_ERROR;
    }
    sqlite3_reset(stmt);
    return CH_OK;
}

static int upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
                  ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite_table *st = t->dest;
    int p = 1, rc = SQLITE_OK;
    if (ensure_tx(d, err) != CH_OK || (st->upsert == NULL && prepare_upsert(d, t, err) != CH_OK))
        return CH_ERROR;
    for (size_t i = 0; i < t->ncols && rc == SQLITE_OK; i++)
        rc = bind_value(st->upsert, p++, &vals[i]);
    if (t->nkey == 0 && rc == SQLITE_OK)
        rc = bind_text(st->upsert, p++, id);
    if (rc == SQLITE_OK)
        rc = bind_text(st->upsert, p, synced);
    return run(d, st->upsert, rc, "upsert", err);
}

/* Binds the key's values from param on; inline: every update and delete binds its key. */
HOT int bind_key(sqlite3_stmt *stmt, const table_def *t, const value *vals, int param)
{
    int rc = SQLITE_OK;
    for (size_t k = 0; k < t->nkey && rc == SQLITE_OK; k++)
        rc = bind_value(stmt, param++, &vals[t->key[k]]);
    return rc;
}

static int update(dest *base, table_def *t, const value *vals, const unsigned char *present,
                  const char *synced, long op, int *found, ch_error *err)
{
    (void)op; /* answered at once: the caller names the operation */
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite_table *st = t->dest;
    int rc = SQLITE_OK, param = 2 * (int)t->ncols + 1, failed;
    uint64_t columns = 0;
    sqlite3_stmt *shape;
    if (ensure_tx(d, err) != CH_OK)
        return CH_ERROR;
    shape = shape_for(d, t, present, &columns, err, &failed);
    if (failed)
        return CH_ERROR;
    if (shape != NULL) {
        param = 1;
        for (size_t i = 0; i < t->ncols && i < 64 && rc == SQLITE_OK; i++)
            if (columns >> i & 1)
                rc = bind_value(shape, param++, &vals[i]);
        if (rc == SQLITE_OK)
            rc = bind_text(shape, param, synced);
        if (rc == SQLITE_OK)
            rc = bind_key(shape, t, vals, param + 1);
        if (run(d, shape, rc, "update", err) != CH_OK)
            return CH_ERROR;
        *found = sqlite3_changes(d->db) > 0;
        return CH_OK;
    }
    if (st->update == NULL && prepare_update(d, t, err) != CH_OK)
        return CH_ERROR;
    for (size_t i = 0; i < t->ncols && rc == SQLITE_OK; i++) {
        if (table_is_key(t, i))
            continue;
        rc = sqlite3_bind_int(st->update, 2 * (int)i + 1, present[i]);
        if (rc == SQLITE_OK)
            rc = present[i] ? bind_value(st->update, 2 * (int)i + 2, &vals[i])
                            : sqlite3_bind_null(st->update, 2 * (int)i + 2);
    }
    if (rc == SQLITE_OK)
        rc = bind_text(st->update, param, synced);
    if (rc == SQLITE_OK)
        rc = bind_key(st->update, t, vals, param + 1);
    if (run(d, st->update, rc, "update", err) != CH_OK)
        return CH_ERROR;
    *found = sqlite3_changes(d->db) > 0;
    return CH_OK;
}

static int remove_row(dest *base, table_def *t, const value *vals, const char *synced, long op,
                      int *found, ch_error *err)
{
    (void)op; /* answered at once: the caller names the operation */
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite_table *st = t->dest;
    int rc;
    if (ensure_tx(d, err) != CH_OK || (st->remove == NULL && prepare_remove(d, t, err) != CH_OK))
        return CH_ERROR;
    rc = bind_text(st->remove, 1, synced);
    if (rc == SQLITE_OK)
        rc = bind_key(st->remove, t, vals, 2);
    if (run(d, st->remove, rc, "delete", err) != CH_OK)
        return CH_ERROR;
    *found = sqlite3_changes(d->db) > 0;
    return CH_OK;
}

static int truncate_table(dest *base, table_def *t, const char *synced, long *rows, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite_table *st = t->dest;
    int rc;
    if (ensure_tx(d, err) != CH_OK)
        return CH_ERROR;
    if (st->truncate == NULL) {
        sql_buf b = {0};
        sb_add(&b, "UPDATE ");
        sql_ident(&b, t->dest_name);
        sb_add(&b, " SET \"" COL_DELETED "\" = 1, \"" COL_SYNCED "\" = ?1 WHERE \"" COL_SYNCED
                   "\" < ?1 AND \"" COL_DELETED "\" = 0");
        if (prepare(d, &b, &st->truncate, err) != CH_OK)
            return CH_ERROR;
    }
    rc = bind_text(st->truncate, 1, synced);
    if (run(d, st->truncate, rc, "truncate", err) != CH_OK)
        return CH_ERROR;
    *rows = sqlite3_changes(d->db);
    return CH_OK;
}

static int count_rows(dest *base, const table_def *t, long *live, long *deleted, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sql_buf b = {0};
    sqlite3_stmt *stmt;
    int rc;
    *live = *deleted = 0;
    if (!table_exists(d, t->dest_name))
        return CH_OK;
    /* one pass over the table; _fivetran_deleted is 0 or 1, NULL only in rows made by hand */
    sb_add(&b, "SELECT count(*), count(CASE WHEN \"" COL_DELETED "\" THEN 1 END) FROM ");
    sql_ident(&b, t->dest_name);
    if (b.oom) {
        free(b.s);
        return err_set(err, "out of memory");
    }
    rc = sqlite3_prepare_v2(d->db, b.s, -1, &stmt, NULL);
    free(b.s);
    if (rc != SQLITE_OK)
        return db_fail(d, err, "counting the rows");
    if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *deleted = (long)sqlite3_column_int64(stmt, 1);
        *live = (long)sqlite3_column_int64(stmt, 0) - *deleted;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? CH_OK : db_fail(d, err, "counting the rows");
}

static int load_state(dest *base, const char *connector, char **json, ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite3_stmt *stmt;
    int rc;
    *json = NULL;
    if (!table_exists(d, SQL_STATE_TABLE))
        return CH_OK;
    if (sqlite3_prepare_v2(d->db, "SELECT state FROM " SQL_STATE_TABLE " WHERE connector = ?1", -1,
                           &stmt, NULL) != SQLITE_OK)
        return db_fail(d, err, "reading the state");
    bind_text(stmt, 1, connector);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(stmt, 0);
        *json = strdup(text ? text : "{}");
        if (*json == NULL)
            rc = SQLITE_NOMEM;
        else
            rc = SQLITE_DONE;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(d, err, "reading the state");
    return CH_OK;
}

static int commit(dest *base, const char *connector, const char *state_json, const char *synced,
                  ch_error *err)
{
    sqlite_dest *d = (sqlite_dest *)base;
    sqlite3_stmt *stmt;
    int rc;
    if (ensure_tx(d, err) != CH_OK ||
        exec(d,
             "CREATE TABLE IF NOT EXISTS " SQL_STATE_TABLE
             " (connector TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL)",
             err) != CH_OK)
        return CH_ERROR;
    if (sqlite3_prepare_v2(d->db,
                           "INSERT INTO " SQL_STATE_TABLE " (connector, state, updated_at) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (connector) DO UPDATE SET "
                           "state = excluded.state, updated_at = excluded.updated_at",
                           -1, &stmt, NULL) != SQLITE_OK)
        return db_fail(d, err, "storing the state");
    rc = bind_text(stmt, 1, connector);
    if (rc == SQLITE_OK)
        rc = bind_text(stmt, 2, state_json);
    if (rc == SQLITE_OK)
        rc = bind_text(stmt, 3, synced);
    rc = run(d, stmt, rc, "storing the state", err);
    sqlite3_finalize(stmt);
    if (rc != CH_OK || exec(d, "COMMIT", err) != CH_OK)
        return CH_ERROR;
    d->in_tx = 0;
    return CH_OK;
}

static void rollback(dest *base)
{
    sqlite_dest *d = (sqlite_dest *)base;
    if (d->in_tx) {
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
        d->in_tx = 0;
        d->columns_table_ready = 0; /* their creation may have been rolled back */
        d->formats_table_ready = 0;
    }
}

/* SQLite's own autocheckpoint, at WAL_CHECKPOINT_PAGES, and a count for close_dest. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
    sqlite_dest *d = arg;
    int log = 0, done = 0;
    d->wal_frames = frames;
    if (frames >= WAL_CHECKPOINT_PAGES &&
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK &&
        log == done)
        d->wal_frames = 0; /* all written back (a reader may hold some): the WAL starts again */
    return SQLITE_OK;
}

/* The side thread: writes the WAL back into the database, as far as readers allow. */
static void *write_back(void *arg)
{
    sqlite_dest *d = arg;
    sqlite3_wal_checkpoint_v2(d->side, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return NULL;
}

/*
 * The sync writes no more: the long WAL it leaves is written back into the
 * database (pages copied, the file flushed) on a connection of its own
 * while the sync counts its rows on this one, and close_dest() only waits
 * for it and empties the WAL. Nothing here is needed for durability: a
 * failure only leaves the work to close_dest().
 */
static void finish(dest *base)
{
    sqlite_dest *d = (sqlite_dest *)base;
    if (d->dry_run || d->side_running || d->wal_frames <= WAL_CLOSE_PAGES || d->path == NULL)
        return;
    if (sqlite3_open_v2(d->path, &d->side, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(d->side, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK ||
        pthread_create(&d->side_thread, NULL, write_back, d) != 0) {
        sqlite3_close(d->side);
        d->side = NULL;
        return;
    }
    d->side_running = 1;
}

static void close_dest(dest *base)
{
    sqlite_dest *d = (sqlite_dest *)base;
    rollback(base);
    if (d->side_running) {
        pthread_join(d->side_thread, NULL);
        d->side_running = 0;
    }
    sqlite3_close(d->side); /* before the checkpoint below: a reader would hold the WAL */
    d->side = NULL;
    /*
     * Committed data is durable in the WAL already: this only keeps the next
     * start quick, so it does not wait for a reader (a sqlite3 shell), which
     * leaves it for a later sync.
     */
    if (!d->dry_run && d->wal_frames > WAL_CLOSE_PAGES) {
        sqlite3_busy_timeout(d->db, 0);
        sqlite3_wal_checkpoint_v2(d->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    }
    while (d->tables) {
        sqlite_table *next = d->tables->next;
        finalize_statements(d->tables);
        free(d->tables);
        d->tables = next;
    }
    sqlite3_finalize(d->record);
    sqlite3_close(d->db);
    dest_base_free(&d->base);
    free(d->path);
    free(d);
}

static const dest_ops sqlite_ops = {
    .load_state = load_state,
    .prepare_table = prepare_table,
    .has_table = has_table,
    .add_column = add_column,
    .change_type = change_type,
    .upsert = upsert,
    .update = update,
    .remove = remove_row,
    .truncate = truncate_table,
    .commit = commit,
    .rollback = rollback,
    .close = close_dest,
    .finish = finish,
    .count_rows = count_rows,
};

static int open_sqlite(const char *path, int dry_run, dest **out, ch_error *err)
{
    sqlite_dest *d = calloc(1, sizeof *d);
    size_t len = strlen(path) + 8;
    int rc;
    if (d == NULL || (d->base.description = malloc(len)) == NULL) {
        free(d);
        return err_set(err, "out of memory");
    }
    snprintf(d->base.description, len, "sqlite:%s", path);
    d->base.ops = &sqlite_ops;
    /*
     * No memory statistics: SQLite would take a global mutex around every
     * allocation to keep them, and the host never reads them. Only possible
     * before SQLite's first use in the process: refused (and harmless) after.
     */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* one thread uses the connection: SQLite's per-call mutexes are pure cost */
    rc = sqlite3_open_v2(path, &d->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) /* before the pragmas: a reader may hold the file for a moment */
        sqlite3_busy_timeout(d->db, 5000);
    /*
     * WAL keeps readers (sqlite3 CLI) unblocked; FULL syncs make each commit
     * durable. The page cache is bounded (16 MiB) so memory stays flat however
     * large the warehouse grows; bench/ measured larger caches no faster.
     * A new warehouse gets 16 KiB pages (an existing one keeps its own: WAL
     * cannot change them), and the WAL is written back into the database
     * every WAL_CHECKPOINT_PAGES instead of 1,000: both cut the pages
     * written per operation (bench/README.md), and neither changes what a
     * commit makes durable.
     */
    if (rc != SQLITE_OK ||
        (!dry_run && (exec(d, "PRAGMA page_size = 16384", err) != CH_OK ||
                      exec(d, "PRAGMA journal_mode = WAL", err) != CH_OK)) ||
        exec(d, "PRAGMA synchronous = FULL", err) != CH_OK ||
        exec(d, "PRAGMA cache_size = -16384", err) != CH_OK) {
        err_set(err, "cannot open warehouse %s: %s", path,
                d->db ? sqlite3_errmsg(d->db) : "out of memory");
        sqlite3_close(d->db);
        dest_base_free(&d->base);
        free(d);
        return CH_ERROR;
    }
    /*
     * No checkpoint when the connection closes: it would cost three more
     * flushes per sync. The committed WAL is durable and read by every
     * SQLite reader; on_wal_commit checkpoints it during commits as it
     * grows, and close_dest one that a sync left long.
     */
    sqlite3_db_config(d->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_wal_hook(d->db, on_wal_commit, d);
    d->dry_run = dry_run;
    d->path = strdup(path); /* NULL: finish() leaves the WAL to close_dest() */
    d->base.sorted_writes = 1;
    *out = &d->base;
    return CH_OK;
}

/* The spec is SCHEME followed by the path. */
#define SCHEME "sqlite:"

static int check(const char *spec, ch_error *err)
{
    if (spec[sizeof SCHEME - 1] == '\0')
        return err_set(err, "destination '%s': the sqlite destination needs a file path", spec);
    return CH_OK;
}

/*
 * A dry run leaves the file's journal mode as it is (switching to WAL would
 * change it) and never creates a warehouse: with none yet, it checks against
 * an empty one in memory.
 */
static int open_spec(const char *spec, const dest_open_opts *opts, dest **out, ch_error *err)
{
    const char *path = spec + sizeof SCHEME - 1;
    struct stat sb;
    if (opts->dry_run && stat(path, &sb) != 0) {
        if (opts->notice) {
            char message[4200];
            snprintf(message, sizeof message,
                     "dry run: %s does not exist yet, so checking against an empty warehouse in "
                     "memory",
                     path);
            opts->notice(opts->notice_ctx, message);
        }
        path = ":memory:";
    }
    return open_sqlite(path, opts->dry_run, out, err);
}

const dest_kind dest_kind_sqlite = {
    .name = "sqlite",
    .schemes = {SCHEME, NULL},
    .usage = "sqlite:PATH",
    .help = "                        sqlite:PATH (default sqlite:WORKDIR/files/warehouse.db)\n",
    .flags = DEST_KEEPS_STATE,
    .check = check,
    .open = open_spec,
};
