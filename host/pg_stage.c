/*
 * pg_stage.c - the PostgreSQL destination's data operations.
 *
 * Upserts are the bulk of a sync, so they do not run one statement each:
 * their rows are encoded as COPY text into a buffer, sent with COPY into a
 * temporary staging table per target table, and merged into the target with
 * one INSERT ... ON CONFLICT DO UPDATE. Each staged row carries its ordinal,
 * and the merge keeps the last row of every key, so several upserts of one
 * key in a batch end as the last one did.
 *
 * Order across kinds is kept by merging first: before an update, delete or
 * truncate of a table, before any schema change of it, and before a commit,
 * the table's staged rows land. Updates and deletes then run directly, so
 * their "row not found" count is exact.
 *
 * The COPY is only open while a buffer is sent, never while the connector
 * works: an open COPY is a running statement, which statement_timeout
 * would cancel during a slow connector's pauses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

#define ORD_COLUMN "_connector_ordinal"
/* Buffered COPY text is sent once it grows past this, bounding memory. */
#define COPY_FLUSH_BYTES (1 << 20)

static void stage_name(pg_sql *b, const pg_table *pt)
{
    char name[64];
    snprintf(name, sizeof name, "pg_temp._connector_stage_%d", pt->id);
    pg_sql_add(b, name);
}

/* The column list of the staged rows: the table's first stage_ncols columns, the id, synced. */
static void stage_columns(pg_sql *b, const table_def *t, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        pg_sql_ident(b, t->cols[i].dest_name);
        pg_sql_add(b, ", ");
    }
    if (t->nkey == 0)
        pg_sql_add(b, "\"" COL_ID "\", ");
    pg_sql_add(b, "\"" COL_SYNCED "\"");
}

static int run(pg_dest *d, pg_sql *b, PGresult **res, const char *what, ch_error *err)
{
    int rc = b->oom ? err_set(err, "out of memory")
                    : pg_exec_params(d, b->s, 0, NULL, NULL, NULL, res, what, err);
    free(b->s);
    memset(b, 0, sizeof *b);
    return rc;
}

/* A staging table with the target's columns (no constraints) and the ordinal. */
static int ensure_stage(pg_dest *d, pg_table *pt, ch_error *err)
{
    pg_sql b = {0};
    if (pt->stage_ready)
        return CH_OK;
    pg_sql_add(&b, "DROP TABLE IF EXISTS ");
    stage_name(&b, pt);
    pg_sql_add(&b, "; CREATE TEMP TABLE ");
    stage_name(&b, pt);
    pg_sql_add(&b, " AS SELECT *, NULL::bigint AS " ORD_COLUMN " FROM ");
    pg_sql_table(&b, d->schema, pt->def->dest_name);
    pg_sql_add(&b, " WITH NO DATA");
    if (run(d, &b, NULL, "creating a staging table", err) != CH_OK)
        return CH_ERROR;
    pt->stage_ready = 1;
    return CH_OK;
}

/* Sends the buffered rows with one COPY into the staging table of d->copying. */
static int flush_copy(pg_dest *d, ch_error *err)
{
    pg_table *pt = d->copying;
    pg_sql b = {0};
    PGresult *res;
    int rc = CH_OK;
    if (pt == NULL || d->copy_len == 0)
        return CH_OK;
    if (ensure_stage(d, pt, err) != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "COPY ");
    stage_name(&b, pt);
    pg_sql_add(&b, " (");
    stage_columns(&b, pt->def, pt->stage_ncols);
    pg_sql_add(&b, ", " ORD_COLUMN ") FROM STDIN");
    if (b.oom) {
        free(b.s);
        return err_set(err, "out of memory");
    }
    res = PQexec(d->conn, b.s);
    free(b.s);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_fail(d, res, "starting a COPY", err);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    if (PQputCopyData(d->conn, d->copy, (int)d->copy_len) != 1 || PQputCopyEnd(d->conn, NULL) != 1)
        rc = pg_fail(d, NULL, "sending rows with COPY", err);
    /* the COPY's outcome; after a failed send, libpq still ends with a result or NULL */
    while ((res = PQgetResult(d->conn)) != NULL) {
        if (rc == CH_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(d, res, "upsert (COPY into the staging table)", err);
        PQclear(res);
    }
    d->copy_len = 0;
    d->copying = NULL;
    return rc;
}

/* Appends text to the COPY buffer with COPY's escapes for its own delimiters. */
static int copy_add(pg_dest *d, const char *text, size_t len, int escape)
{
    if (d->copy_len + 2 * len + 2 > d->copy_cap) {
        size_t cap = d->copy_cap ? d->copy_cap : 65536;
        char *p;
        while (cap < d->copy_len + 2 * len + 2)
            cap *= 2;
        if ((p = realloc(d->copy, cap)) == NULL)
            return CH_ERROR;
        d->copy = p;
        d->copy_cap = cap;
    }
    for (size_t i = 0; i < len; i++) {
        char c = text[i], esc = 0;
        if (escape) {
            esc = c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : 0;
        }
        if (esc) {
            d->copy[d->copy_len++] = '\\';
            d->copy[d->copy_len++] = esc;
        } else {
            d->copy[d->copy_len++] = c;
        }
    }
    return CH_OK;
}

int pg_upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
              ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_table *pt = t->dest;
    char ord[32];
    int rc = CH_OK;
    if (pg_begin(d, err) != CH_OK)
        return CH_ERROR;
    if (d->copying != pt && flush_copy(d, err) != CH_OK)
        return CH_ERROR;
    if (pt->staged == 0)
        pt->stage_ncols = t->ncols;
    d->copying = pt;
    for (size_t i = 0; i < pt->stage_ncols && rc == CH_OK; i++) {
        const char *text;
        if (vals[i].type == T_NONE) {
            rc = copy_add(d, "\\N\t", 3, 0);
            continue;
        }
        if (pg_value_text(&vals[i], &d->text, &d->text_cap, &text, err) != CH_OK)
            return CH_ERROR;
        if (text == vals[i].ptr && memchr(text, '\0', vals[i].len) != NULL)
            return err_set(err, "column '%s': PostgreSQL cannot store a text with a NUL character",
                           t->cols[i].name);
        rc = copy_add(d, text, strlen(text), 1);
        if (rc == CH_OK)
            rc = copy_add(d, "\t", 1, 0);
    }
    if (rc == CH_OK && t->nkey == 0)
        rc = copy_add(d, id, strlen(id), 1) == CH_OK ? copy_add(d, "\t", 1, 0) : CH_ERROR;
    snprintf(ord, sizeof ord, "\t%ld\n", ++d->ordinal);
    if (rc == CH_OK)
        rc = copy_add(d, synced, strlen(synced), 1);
    if (rc == CH_OK)
        rc = copy_add(d, ord, strlen(ord), 0);
    if (rc != CH_OK)
        return err_set(err, "out of memory");
    pt->staged++;
    if (d->copy_len >= COPY_FLUSH_BYTES)
        return flush_copy(d, err);
    return CH_OK;
}

/* Merges one table's staged rows: the last row of each key wins, as if applied in order. */
static int merge_table(pg_dest *d, pg_table *pt, ch_error *err)
{
    table_def *t = pt->def;
    pg_sql b = {0};
    if (pt->staged == 0)
        return CH_OK;
    if (d->copying == pt && flush_copy(d, err) != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "INSERT INTO ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " (");
    stage_columns(&b, t, pt->stage_ncols);
    pg_sql_add(&b, ", \"" COL_DELETED "\") SELECT DISTINCT ON (");
    pg_sql_key_list(&b, t);
    pg_sql_add(&b, ") ");
    stage_columns(&b, t, pt->stage_ncols);
    pg_sql_add(&b, ", false FROM ");
    stage_name(&b, pt);
    pg_sql_add(&b, " ORDER BY ");
    pg_sql_key_list(&b, t);
    pg_sql_add(&b, ", " ORD_COLUMN " DESC ON CONFLICT (");
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
                   "\" = false; DELETE FROM ");
    stage_name(&b, pt);
    if (run(d, &b, NULL, "upsert (merging the staged rows)", err) != CH_OK)
        return CH_ERROR;
    pt->staged = 0;
    pt->emptied = 1;
    return CH_OK;
}

/*
 * A merge empties the staging table with DELETE, three times cheaper than
 * TRUNCATE when updates make merges frequent; temporary tables are never
 * vacuumed, though, so the dead rows are cut once per commit here.
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

int pg_merge(pg_dest *d, table_def *t, ch_error *err)
{
    if (t != NULL)
        return t->dest ? merge_table(d, t->dest, err) : CH_OK;
    for (pg_table *pt = d->tables; pt; pt = pt->next)
        if (merge_table(d, pt, err) != CH_OK)
            return CH_ERROR;
    return CH_OK;
}

void pg_table_changed(pg_dest *d, table_def *t)
{
    pg_table *pt = t->dest;
    (void)d;
    if (pt)
        pt->stage_ready = 0; /* made again with the new columns on the next flush */
}

void pg_stage_reset(pg_dest *d)
{
    d->copy_len = 0;
    d->copying = NULL;
    for (pg_table *pt = d->tables; pt; pt = pt->next) {
        pt->stage_ready = 0;
        pt->staged = 0;
        pt->emptied = 0;
    }
}

/* Appends " WHERE k1 = $n AND ..." for the key of t, with the key's values as parameters. */
static int key_match(pg_dest *d, pg_sql *b, const table_def *t, const value *vals,
                     const char **params, char **texts, int *n, ch_error *err)
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
    (void)d;
    return CH_OK;
}

/* Runs an update-like statement with n parameters and reports whether it changed a row. */
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

/* Parameters: the given columns' values, then synced, then the key. */
int pg_update(dest *base, table_def *t, const value *vals, const unsigned char *present,
              const char *synced, int *found, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    size_t n_params = t->ncols + t->nkey + 1;
    const char **params = calloc(n_params, sizeof *params);
    char **texts = calloc(n_params, sizeof *texts), num[32];
    pg_sql b = {0};
    int n = 0, rc = CH_OK;
    long rows = 0;
    if (params == NULL || texts == NULL)
        rc = err_set(err, "out of memory");
    if (rc == CH_OK && (pg_begin(d, err) != CH_OK || pg_merge(d, t, err) != CH_OK))
        rc = CH_ERROR;
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
    snprintf(num, sizeof num, "\"" COL_SYNCED "\" = $%d", n + 1);
    pg_sql_add(&b, num);
    params[n++] = synced;
    if (rc == CH_OK)
        rc = key_match(d, &b, t, vals, params, texts, &n, err);
    if (rc == CH_OK)
        rc = run_changed(d, &b, n, params, "update", &rows, err);
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
    int n = 1, rc = CH_OK;
    long rows = 0;
    if (pg_begin(d, err) != CH_OK || pg_merge(d, t, err) != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "UPDATE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " SET \"" COL_DELETED "\" = true, \"" COL_SYNCED "\" = $1");
    rc = key_match(d, &b, t, vals, params, texts, &n, err);
    if (rc == CH_OK)
        rc = run_changed(d, &b, n, params, "delete", &rows, err);
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
