/*
 * pg_stage.c - the PostgreSQL destination's data operations.
 *
 * Upserts are the bulk of a sync, so they do not run one statement each:
 * a table's upserted rows wait in memory, one per key (the last upsert of a
 * key replaces its row), and are merged in one go: sent with COPY into a
 * temporary staging table, then moved into the table with one INSERT ...
 * ON CONFLICT DO UPDATE.
 *
 * The order of operations on a key is kept without merging at every turn:
 * an update or delete of a key that has a pending row changes that row in
 * memory (the given columns, the soft-delete flag); one of any other key
 * cannot touch a pending row, so it runs at once as one statement, and its
 * "row not found" count is exact. Before a truncate of the table, a schema
 * change of it, and a commit, its pending rows are merged. Memory is
 * bounded: past PENDING_ROWS_MAX rows or PENDING_BYTES_MAX, a table merges.
 *
 * No COPY stays open while the connector works: an open COPY is a running
 * statement, which statement_timeout would cancel during a connector's
 * pauses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

#define PENDING_ROWS_MAX  50000
#define PENDING_BYTES_MAX (32u << 20)
/* COPY data is sent in pieces of about this size. */
#define COPY_CHUNK (256u << 10)

static void stage_name(pg_sql *b, const pg_table *pt)
{
    char name[64];
    snprintf(name, sizeof name, "pg_temp._connector_stage_%d", pt->id);
    pg_sql_add(b, name);
}

/* The columns of the pending rows: the table's first ncols columns, the id, synced. */
static void stage_columns(pg_sql *b, const table_def *t, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        pg_sql_ident(b, t->cols[i].dest_name);
        pg_sql_add(b, ", ");
    }
    if (t->nkey == 0)
        pg_sql_add(b, "\"" COL_ID "\", ");
    pg_sql_add(b, "\"" COL_SYNCED "\", \"" COL_DELETED "\"");
}

static int run(pg_dest *d, pg_sql *b, PGresult **res, const char *what, ch_error *err)
{
    int rc = b->oom ? err_set(err, "out of memory")
                    : pg_exec_params(d, b->s, 0, NULL, NULL, NULL, res, what, err);
    free(b->s);
    memset(b, 0, sizeof *b);
    return rc;
}

/* A staging table with the target's columns (no constraints). */
static int ensure_stage(pg_dest *d, pg_table *pt, ch_error *err)
{
    pg_sql b = {0};
    if (pt->stage_ready)
        return CH_OK;
    pg_sql_add(&b, "DROP TABLE IF EXISTS ");
    stage_name(&b, pt);
    pg_sql_add(&b, "; CREATE TEMP TABLE ");
    stage_name(&b, pt);
    pg_sql_add(&b, " AS SELECT * FROM ");
    pg_sql_table(&b, d->schema, pt->def->dest_name);
    pg_sql_add(&b, " WITH NO DATA");
    if (run(d, &b, NULL, "creating a staging table", err) != CH_OK)
        return CH_ERROR;
    pt->stage_ready = 1;
    return CH_OK;
}

/* Appends text to b with COPY's escapes for its own delimiters. */
static void copy_escape(pg_sql *b, const char *text)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\\\n\r\t");
        pg_sql_addn(b, p, n);
        p += n;
        if (*p) {
            char esc[3] = {'\\', *p == '\\' ? '\\' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't', 0};
            pg_sql_add(b, esc);
            p++;
        }
    }
}

/* The COPY text of a value (malloc'd), or NULL in *out for SQL NULL. */
static int field_text(pg_dest *d, const table_def *t, size_t col, const value *v, char **out,
                      ch_error *err)
{
    const char *text;
    pg_sql b = {0};
    *out = NULL;
    if (v->type == T_NONE)
        return CH_OK;
    if (pg_value_text(v, &d->text, &d->text_cap, &text, err) != CH_OK)
        return CH_ERROR;
    if (text == v->ptr && memchr(text, '\0', v->len) != NULL)
        return err_set(err, "column '%s': PostgreSQL cannot store a text with a NUL character",
                       t->cols[col].name);
    copy_escape(&b, text);
    if (b.oom || (b.s == NULL && (b.s = strdup("")) == NULL)) {
        free(b.s);
        return err_set(err, "out of memory");
    }
    *out = b.s;
    return CH_OK;
}

/* The key of a row as the pending rows are indexed: the key fields' COPY text, tab-joined. */
static int row_key(pg_dest *d, const table_def *t, const value *vals, const char *id, char **key,
                   ch_error *err)
{
    pg_sql b = {0};
    if (t->nkey == 0) {
        copy_escape(&b, id);
    } else {
        for (size_t k = 0; k < t->nkey; k++) {
            char *text;
            if (field_text(d, t, t->key[k], &vals[t->key[k]], &text, err) != CH_OK) {
                free(b.s);
                return CH_ERROR;
            }
            if (k)
                pg_sql_add(&b, "\t");
            pg_sql_add(&b, text ? text : "\\N");
            free(text);
        }
    }
    if (b.oom || (b.s == NULL && (b.s = strdup("")) == NULL)) {
        free(b.s);
        return err_set(err, "out of memory");
    }
    *key = b.s;
    return CH_OK;
}

/* Replaces one field of a pending row; field_text's result is taken over. */
static void set_field(pg_table *pt, pg_row *row, size_t i, char *text)
{
    pt->pending.bytes += text ? strlen(text) : 0;
    free(row->fields[i]);
    row->fields[i] = text;
}

/* Sends the pending rows with COPY into the staging table. */
static int copy_pending(pg_dest *d, pg_table *pt, ch_error *err)
{
    pg_sql b = {0};
    PGresult *res;
    int rc = CH_OK;
    pg_sql_add(&b, "COPY ");
    stage_name(&b, pt);
    pg_sql_add(&b, " (");
    stage_columns(&b, pt->def, pt->stage_ncols);
    pg_sql_add(&b, ") FROM STDIN");
    if (b.oom) {
        free(b.s);
        return err_set(err, "out of memory");
    }
    res = PQexec(d->conn, b.s);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_fail(d, res, "starting a COPY", err);
        PQclear(res);
        free(b.s);
        return rc;
    }
    PQclear(res);
    b.len = 0;
    for (size_t i = 0; rc == CH_OK && i < pt->pending.nbuckets; i++)
        for (pg_row *row = pt->pending.buckets[i]; rc == CH_OK && row; row = row->next) {
            for (size_t f = 0; f < row->nfields; f++) {
                pg_sql_add(&b, row->fields[f] ? row->fields[f] : "\\N");
                pg_sql_add(&b, "\t");
            }
            pg_sql_add(&b, row->deleted ? "t\n" : "f\n");
            if (b.oom) {
                rc = err_set(err, "out of memory");
            } else if (b.len >= COPY_CHUNK) {
                if (PQputCopyData(d->conn, b.s, (int)b.len) != 1)
                    rc = pg_fail(d, NULL, "sending rows with COPY", err);
                b.len = 0;
            }
        }
    if (rc == CH_OK && b.len > 0 && PQputCopyData(d->conn, b.s, (int)b.len) != 1)
        rc = pg_fail(d, NULL, "sending rows with COPY", err);
    free(b.s);
    /* an error message here aborts the COPY, so the server discards what it received */
    if (PQputCopyEnd(d->conn, rc == CH_OK ? NULL : "connector-host stopped the COPY") != 1 &&
        rc == CH_OK)
        rc = pg_fail(d, NULL, "ending a COPY", err);
    while ((res = PQgetResult(d->conn)) != NULL) {
        if (rc == CH_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(d, res, "upsert (COPY into the staging table)", err);
        PQclear(res);
    }
    return rc;
}

/* Moves the pending rows into the table: one row per key, so one INSERT ... ON CONFLICT. */
static int merge_table(pg_dest *d, pg_table *pt, ch_error *err)
{
    table_def *t = pt->def;
    pg_sql b = {0};
    if (pt->pending.count == 0)
        return CH_OK;
    if (ensure_stage(d, pt, err) != CH_OK || copy_pending(d, pt, err) != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "INSERT INTO ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " (");
    stage_columns(&b, t, pt->stage_ncols);
    pg_sql_add(&b, ") SELECT ");
    stage_columns(&b, t, pt->stage_ncols);
    pg_sql_add(&b, " FROM ");
    stage_name(&b, pt);
    pg_sql_add(&b, " ON CONFLICT (");
    pg_sql_key_list(&b, t);
    pg_sql_add(&b, ") DO UPDATE SET ");
    for (size_t i = 0; i < pt->stage_ncols; i++) {
        if (pg_is_key(t, i))
            continue;
        pg_sql_ident(&b, t->cols[i].dest_name);
        pg_sql_add(&b, " = excluded.");
        pg_sql_ident(&b, t->cols[i].dest_name);
        pg_sql_add(&b, ", ");
    }
    pg_sql_add(&b, "\"" COL_SYNCED "\" = excluded.\"" COL_SYNCED "\", \"" COL_DELETED
                   "\" = excluded.\"" COL_DELETED "\"; DELETE FROM ");
    stage_name(&b, pt);
    if (run(d, &b, NULL, "upsert (merging the staged rows)", err) != CH_OK)
        return CH_ERROR;
    pg_rows_clear(&pt->pending);
    pt->emptied = 1;
    return CH_OK;
}

int pg_merge(pg_dest *d, table_def *t, ch_error *err)
{
    if (t != NULL)
        return t->dest ? merge_table(d, t->dest, err) : CH_OK;
    for (pg_table *pt = d->tables; pt; pt = pt->next)
        if (merge_table(d, pt, err) != CH_OK)
            return CH_ERROR;
    return CH_OK;
}

/*
 * A merge empties the staging table with DELETE, three times cheaper than
 * TRUNCATE when merges are frequent; temporary tables are never vacuumed,
 * though, so the dead rows are cut once per commit here.
 */
int pg_stage_trim(pg_dest *d, ch_error *err)
{
    pg_sql b = {0};
    for (pg_table *pt = d->tables; pt; pt = pt->next) {
        if (!pt->emptied || !pt->stage_ready)
            continue;
        pg_sql_add(&b, b.s ? ", " : "TRUNCATE ");
        stage_name(&b, pt);
        pt->emptied = 0;
    }
    return b.s || b.oom ? run(d, &b, NULL, "emptying the staging tables", err) : CH_OK;
}

void pg_table_changed(pg_dest *d, table_def *t)
{
    pg_table *pt = t->dest;
    (void)d;
    if (pt == NULL)
        return;
    pt->stage_ready = 0;          /* made again with the new columns at the next merge */
    for (int i = 0; i < 2; i++) { /* prepared again: parameter types may have changed */
        free(pt->stmt_sql[i]);
        pt->stmt_sql[i] = NULL;
    }
}

void pg_stage_reset(pg_dest *d)
{
    for (pg_table *pt = d->tables; pt; pt = pt->next) {
        pg_rows_clear(&pt->pending);
        pt->stage_ready = 0;
        pt->emptied = 0;
    }
}

int pg_upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
              ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_table *pt = t->dest;
    size_t nfields;
    char *key, *text;
    pg_row *row;
    if (pg_begin(d, err) != CH_OK)
        return CH_ERROR;
    if (pt->pending.count > 0 && pt->stage_ncols != t->ncols && merge_table(d, pt, err) != CH_OK)
        return CH_ERROR; /* defensive: schema changes merge first */
    pt->stage_ncols = t->ncols;
    nfields = t->ncols + (t->nkey == 0) + 1;
    if (row_key(d, t, vals, id, &key, err) != CH_OK)
        return CH_ERROR;
    row = pg_row_new(key, nfields);
    free(key);
    if (row == NULL)
        return err_set(err, "out of memory");
    for (size_t i = 0; i < t->ncols; i++) {
        if (field_text(d, t, i, &vals[i], &text, err) != CH_OK) {
            pg_row_free(row);
            return CH_ERROR;
        }
        set_field(pt, row, i, text);
    }
    if (field_text(d, t, 0, &(value){.type = T_STRING, .ptr = synced, .len = strlen(synced)}, &text,
                   err) != CH_OK ||
        (t->nkey == 0 &&
         field_text(d, t, 0, &(value){.type = T_STRING, .ptr = id, .len = strlen(id)},
                    &row->fields[t->ncols], err) != CH_OK)) {
        pg_row_free(row);
        return CH_ERROR;
    }
    set_field(pt, row, nfields - 1, text);
    pt->pending.bytes += sizeof *row + nfields * (sizeof row->fields[0] + 16) + strlen(row->key);
    if (pg_rows_put(&pt->pending, row) != CH_OK) {
        pg_row_free(row);
        return err_set(err, "out of memory");
    }
    if (pt->pending.count >= PENDING_ROWS_MAX || pt->pending.bytes >= PENDING_BYTES_MAX)
        return merge_table(d, pt, err);
    return CH_OK;
}

/* The pending row of the key in vals, or NULL when the key has none. */
static int pending_row(pg_dest *d, table_def *t, const value *vals, pg_row **row, ch_error *err)
{
    pg_table *pt = t->dest;
    char *key;
    *row = NULL;
    if (pt->pending.count == 0 || t->nkey == 0) /* keyless: refused by key_match */
        return CH_OK;
    if (pt->stage_ncols != t->ncols) /* defensive: schema changes merge first */
        return merge_table(d, pt, err);
    if (row_key(d, t, vals, NULL, &key, err) != CH_OK)
        return CH_ERROR;
    *row = pg_rows_find(&pt->pending, key);
    free(key);
    return CH_OK;
}

/* Appends " WHERE k1 = $n AND ..." for the key of t, with the key's values as parameters. */
static int key_match(pg_sql *b, const table_def *t, const value *vals, const char **params,
                     char **texts, int *n, ch_error *err)
{
    char num[32];
    if (t->nkey == 0) /* the sink refuses these; an UPDATE without WHERE would hit every row */
        return err_set(err, "table '%s' has no primary key", t->name);
    for (size_t k = 0; k < t->nkey; k++) {
        const char *text;
        size_t cap = 0;
        pg_sql_add(b, k ? " AND " : " WHERE ");
        pg_sql_ident(b, t->cols[t->key[k]].dest_name);
        snprintf(num, sizeof num, " = $%d", *n + 1);
        pg_sql_add(b, num);
        if (pg_value_text(&vals[t->key[k]], &texts[*n], &cap, &text, err) != CH_OK)
            return CH_ERROR;
        params[(*n)++] = text;
    }
    return CH_OK;
}

/* Runs an update-like statement with n parameters and reports how many rows it changed. */
static int run_changed(pg_dest *d, pg_sql *b, int n, const char **params, const char *what,
                       long *rows, ch_error *err)
{
    PGresult *res;
    int rc = b->oom ? err_set(err, "out of memory")
                    : pg_exec_params(d, b->s, n, params, NULL, NULL, &res, what, err);
    if (rc == CH_OK) {
        *rows = atol(PQcmdTuples(res));
        PQclear(res);
    }
    return rc;
}

/*
 * Runs the statement in b as the table's prepared statement `slot`: updates
 * and deletes of merged rows come one at a time, and parsing and planning
 * each would cost as much as the round trip. A new text (another set of
 * updated columns, or new column types) is prepared under a new name.
 */
static int run_prepared(pg_dest *d, pg_table *pt, int slot, pg_sql *b, int n, const char **params,
                        const char *what, long *rows, ch_error *err)
{
    PGresult *res;
    int rc;
    if (b->oom)
        return err_set(err, "out of memory");
    if (pt->stmt_sql[slot] == NULL || strcmp(pt->stmt_sql[slot], b->s) != 0) {
        free(pt->stmt_sql[slot]);
        pt->stmt_sql[slot] = NULL;
        snprintf(pt->stmt_name[slot], sizeof pt->stmt_name[slot], "connector_host_%ld",
                 ++d->statements);
        res = PQprepare(d->conn, pt->stmt_name[slot], b->s, n, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = pg_fail(d, res, what, err);
            PQclear(res);
            return rc;
        }
        PQclear(res);
        if ((pt->stmt_sql[slot] = strdup(b->s)) == NULL)
            return err_set(err, "out of memory");
    }
    res = PQexecPrepared(d->conn, pt->stmt_name[slot], n, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_fail(d, res, what, err);
        PQclear(res);
        return rc;
    }
    *rows = atol(PQcmdTuples(res));
    PQclear(res);
    return CH_OK;
}

/* Changes the given columns of a pending row in place, as the UPDATE would after the merge. */
static int update_pending(pg_dest *d, table_def *t, pg_row *row, const value *vals,
                          const unsigned char *present, const char *synced, ch_error *err)
{
    pg_table *pt = t->dest;
    char *text;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!present[i] || pg_is_key(t, i))
            continue;
        if (field_text(d, t, i, &vals[i], &text, err) != CH_OK)
            return CH_ERROR;
        set_field(pt, row, i, text);
    }
    if (field_text(d, t, 0, &(value){.type = T_STRING, .ptr = synced, .len = strlen(synced)}, &text,
                   err) != CH_OK)
        return CH_ERROR;
    set_field(pt, row, row->nfields - 1, text);
    return CH_OK;
}

/* Parameters: the given columns' values, then synced, then the key. */
int pg_update(dest *base, table_def *t, const value *vals, const unsigned char *present,
              const char *synced, int *found, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    size_t n_params = t->ncols + t->nkey + 1;
    const char **params;
    char **texts, num[32];
    pg_sql b = {0};
    pg_row *row;
    int n = 0, rc = CH_OK;
    long rows = 0;
    if (pg_begin(d, err) != CH_OK || pending_row(d, t, vals, &row, err) != CH_OK)
        return CH_ERROR;
    if (row != NULL) {
        *found = 1;
        return update_pending(d, t, row, vals, present, synced, err);
    }
    params = calloc(n_params, sizeof *params);
    texts = calloc(n_params, sizeof *texts);
    if (params == NULL || texts == NULL)
        rc = err_set(err, "out of memory");
    pg_sql_add(&b, "UPDATE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " SET ");
    for (size_t i = 0; rc == CH_OK && i < t->ncols; i++) {
        size_t cap = 0;
        if (!present[i] || pg_is_key(t, i))
            continue;
        pg_sql_ident(&b, t->cols[i].dest_name);
        snprintf(num, sizeof num, " = $%d, ", n + 1);
        pg_sql_add(&b, num);
        if (vals[i].type == T_NONE)
            params[n++] = NULL;
        else if (pg_value_text(&vals[i], &texts[n], &cap, &params[n], err) != CH_OK)
            rc = CH_ERROR;
        else
            n++;
    }
    if (rc == CH_OK) {
        snprintf(num, sizeof num, "\"" COL_SYNCED "\" = $%d", n + 1);
        pg_sql_add(&b, num);
        params[n++] = synced;
        rc = key_match(&b, t, vals, params, texts, &n, err);
    }
    if (rc == CH_OK)
        rc = run_prepared(d, t->dest, 1, &b, n, params, "update", &rows, err);
    *found = rows > 0;
    for (size_t i = 0; texts && i < n_params; i++)
        free(texts[i]);
    free(texts);
    free(params);
    free(b.s);
    return rc;
}

int pg_remove(dest *base, table_def *t, const value *vals, const char *synced, int *found,
              ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    const char *params[MAX_KEY_COLUMNS + 1] = {synced};
    char *texts[MAX_KEY_COLUMNS + 1] = {0};
    pg_sql b = {0};
    pg_row *row;
    int n = 1, rc;
    long rows = 0;
    if (pg_begin(d, err) != CH_OK || pending_row(d, t, vals, &row, err) != CH_OK)
        return CH_ERROR;
    if (row != NULL) { /* soft delete: the row keeps its values */
        char *text;
        if (field_text(d, t, 0, &(value){.type = T_STRING, .ptr = synced, .len = strlen(synced)},
                       &text, err) != CH_OK)
            return CH_ERROR;
        set_field(t->dest, row, row->nfields - 1, text);
        row->deleted = 1;
        *found = 1;
        return CH_OK;
    }
    pg_sql_add(&b, "UPDATE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " SET \"" COL_DELETED "\" = true, \"" COL_SYNCED "\" = $1");
    rc = key_match(&b, t, vals, params, texts, &n, err);
    if (rc == CH_OK)
        rc = run_prepared(d, t->dest, 0, &b, n, params, "delete", &rows, err);
    *found = rows > 0;
    for (int i = 0; i <= MAX_KEY_COLUMNS; i++)
        free(texts[i]);
    free(b.s);
    return rc;
}

int pg_truncate(dest *base, table_def *t, const char *synced, long *rows, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    const char *params[1] = {synced};
    pg_sql b = {0};
    int rc;
    if (pg_begin(d, err) != CH_OK || pg_merge(d, t, err) != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "UPDATE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " SET \"" COL_DELETED "\" = true, \"" COL_SYNCED "\" = $1 WHERE \"" COL_SYNCED
                   "\" < $1 AND NOT \"" COL_DELETED "\"");
    rc = run_changed(d, &b, 1, params, "truncate", rows, err);
    free(b.s);
    return rc;
}
