/*
 * pg_dest.c - the PostgreSQL destination, through libpq: the connection,
 * tables and their schema changes, the state, and the transactions.
 *
 * Every write between two checkpoints runs in one transaction, committed
 * together with the state row in _connector_state, as in the SQLite
 * destination. The data operations are in pg_stage.c: upserts, updates and
 * deletes wait in memory, are streamed with COPY into staging tables and
 * merged before anything that must see them, so every schema change and
 * commit here merges first.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

/* Marks a column created before it had a type, which PostgreSQL cannot express. */
#define UNTYPED_COMMENT "connector-host: no type yet"

/* ---- tables and columns ---------------------------------------------------- */

static void add_column_sql(pg_sql *b, const char *name, type_spec ts)
{
    char buf[40];
    sql_ident(b, name);
    pg_sql_add(b, " ");
    pg_sql_add(b, pg_type_sql(ts.type, ts.precision, ts.scale, buf, sizeof buf));
}

/*
 * A column without a type is created as text and marked, so the next sync
 * still sees no type. The mark goes with the column: a type change makes
 * the column anew (change_type), without it.
 */
static int mark_untyped(pg_dest *d, const table_def *t, const char *col, ch_error *err)
{
    pg_sql b = {0};
    pg_sql_add(&b, "COMMENT ON COLUMN ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, ".");
    sql_ident(&b, col);
    pg_sql_add(&b, " IS '" UNTYPED_COMMENT "'");
    return pg_exec_sql(d, &b, "marking a column", err);
}

/* PostgreSQL's identifiers hold 63 bytes (NAMEDATALEN - 1) and cut longer ones silently. */
#define PG_NAME_MAX 63

/* Refuses a name PostgreSQL would cut: the cut name would not be found again next sync. */
static int check_name(const char *kind, const char *name, ch_error *err)
{
    if (strlen(name) <= PG_NAME_MAX)
        return CH_OK;
    return err_set(err,
                   "the %s name '%s' is %zu bytes long; PostgreSQL names hold at most %d bytes",
                   kind, name, strlen(name), PG_NAME_MAX);
}

static int create_table(dest *base, table_def *t, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_sql b = {0};
    int rc;
    pg_sql_add(&b, "CREATE TABLE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        add_column_sql(&b, t->cols[i].dest_name, sql_column_type(&t->cols[i]));
        if (table_is_key(t, i))
            pg_sql_add(&b, " NOT NULL");
        pg_sql_add(&b, ", ");
    }
    if (t->nkey == 0)
        pg_sql_add(&b, "\"" COL_ID "\" text NOT NULL, ");
    pg_sql_add(&b, "\"" COL_SYNCED "\" timestamptz NOT NULL, \"" COL_DELETED
                   "\" boolean NOT NULL DEFAULT false, PRIMARY KEY (");
    sql_key_list(&b, t);
    pg_sql_add(&b, "))");
    rc = pg_exec_sql(d, &b, "creating a table", err);
    for (size_t i = 0; rc == CH_OK && i < t->ncols; i++)
        if (t->cols[i].type == T_NONE)
            rc = mark_untyped(d, t, t->cols[i].dest_name, err);
    return rc;
}

static int add_column(dest *base, table_def *t, size_t col, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_sql b = {0};
    if (check_name("column", t->cols[col].dest_name, err) != CH_OK || pg_begin(d, err) != CH_OK ||
        pg_merge(d, t, err) != CH_OK)
        return CH_ERROR;
    pg_table_changed(d, t);
    pg_sql_add(&b, "ALTER TABLE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " ADD COLUMN ");
    add_column_sql(&b, t->cols[col].dest_name, sql_column_type(&t->cols[col]));
    if (pg_exec_sql(d, &b, "adding a column", err) != CH_OK)
        return CH_ERROR;
    return t->cols[col].type == T_NONE ? mark_untyped(d, t, t->cols[col].dest_name, err) : CH_OK;
}

/*
 * Names the stored row at `tid`, whose value of column col did not convert
 * from type `from`, by its key before the reason in err. Asked only then,
 * so a conversion reads no more than its column; a key that cannot be read
 * back is left out, never a reason to fail.
 */
static void name_stored_row(pg_dest *d, const table_def *t, size_t col, type_spec from,
                            const char *tid, ch_error *err)
{
    value keys[MAX_KEY_COLUMNS] = {{0}};
    const value *named[MAX_KEY_COLUMNS];
    const char *params[1] = {tid};
    PGresult *res = NULL;
    ch_error ignored;
    pg_sql b = {0};
    if (t->nkey == 0)
        return;
    pg_sql_add(&b, "SELECT ");
    for (size_t k = 0; k < t->nkey; k++) {
        pg_sql_add(&b, k ? ", " : "");
        sql_ident(&b, t->cols[t->key[k]].dest_name);
        pg_sql_add(&b, "::text");
    }
    pg_sql_add(&b, " FROM ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " WHERE ctid = $1::tid");
    if (!b.oom &&
        pg_exec_params(d, b.s, 1, params, NULL, NULL, &res, "naming a row", &ignored) == CH_OK &&
        PQntuples(res) == 1) {
        for (size_t k = 0; k < t->nkey; k++)
            named[k] = !PQgetisnull(res, 0, (int)k) &&
                               pg_value_parse(
                                   PQgetvalue(res, 0, (int)k), (size_t)PQgetlength(res, 0, (int)k),
                                   sql_key_type(t, k, col, from), &keys[k], &ignored) == CH_OK
                           ? &keys[k]
                           : NULL;
        sql_name_row(t, named, err); /* before the result goes: the values may be its */
    }
    PQclear(res);
    free(b.s);
    for (size_t k = 0; k < t->nkey; k++)
        value_free(&keys[k]);
}

/*
 * Converts every stored value of the column in C, with the same exact
 * conversion the sink applies to new values, and loads the results into a
 * temporary table keyed by row position. Nothing is written to the table
 * until every value has converted.
 */
static int convert_values(pg_dest *d, table_def *t, size_t col, type_spec from, type_spec to,
                          int *lossy, ch_error *err)
{
    pg_sql b = {0};
    PGresult *res = NULL;
    value in = {0}, out = {0};
    char *text = NULL, tbuf[40];
    size_t cap = 0;
    int rc;
    pg_sql_add(&b, "SELECT ctid::text, ");
    sql_ident(&b, t->cols[col].dest_name);
    pg_sql_add(&b, "::text FROM ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " WHERE ");
    sql_ident(&b, t->cols[col].dest_name);
    pg_sql_add(&b, " IS NOT NULL");
    rc = b.oom ? err_set(err, "out of memory")
               : pg_exec_params(d, b.s, 0, NULL, NULL, NULL, &res, "reading a column", err);
    free(b.s);
    memset(&b, 0, sizeof b);
    if (rc != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "CREATE TEMP TABLE _connector_convert (tid tid, v ");
    pg_sql_add(&b, pg_type_sql(to.type, to.precision, to.scale, tbuf, sizeof tbuf));
    pg_sql_add(&b, ") ON COMMIT DROP");
    rc = pg_exec_sql(d, &b, "converting a column", err);
    /* one multi-row INSERT per thousand rows: few round trips, bounded statements */
    for (int row = 0, n = PQntuples(res); rc == CH_OK && row < n; row++) {
        const char *stored;
        if (row % 1000 == 0)
            pg_sql_add(&b, "INSERT INTO _connector_convert VALUES ");
        if (pg_value_parse(PQgetvalue(res, row, 1), (size_t)PQgetlength(res, row, 1), from.type,
                           &in, err) != CH_OK) {
            rc = CH_ERROR;
            break;
        }
        if (value_convert(&in, to.type, to.precision, to.scale, &out, err) != CH_OK) {
            name_stored_row(d, t, col, from, PQgetvalue(res, row, 0), err);
            *lossy = 1;
            rc = CH_ERROR;
            break;
        }
        if (pg_value_text(&out, &text, &cap, &stored, err) != CH_OK) {
            rc = CH_ERROR;
            break;
        }
        pg_sql_add(&b, "('");
        pg_sql_add(&b, PQgetvalue(res, row, 0)); /* "(0,1)": no quotes inside */
        pg_sql_add(&b, "', ");
        {
            /* the converted value as a string literal; doubled quotes are all it needs */
            char *lit = PQescapeLiteral(d->conn, stored, strlen(stored));
            if (lit == NULL) {
                rc = pg_fail(d, NULL, "quoting a value", err);
                break;
            }
            pg_sql_add(&b, lit);
            PQfreemem(lit);
        }
        pg_sql_add(&b, ")");
        if (row % 1000 == 999 || row == n - 1)
            rc = pg_exec_sql(d, &b, "converting a column", err);
        else
            pg_sql_add(&b, ", ");
    }
    free(b.s);
    PQclear(res);
    free(text);
    value_free(&in);
    value_free(&out);
    return rc;
}

/*
 * Changes a column's type: the values are converted (convert_values), a new
 * column of the new type is filled from them, the old one dropped and the
 * new one renamed over it; for a key column, the primary key is made again.
 * All of it runs in a savepoint, undone when any value does not convert.
 */
static int change_type(dest *base, table_def *t, size_t col, type_spec from, type_spec to,
                       int *lossy, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    column_def *c = &t->cols[col];
    pg_sql b = {0};
    int rc, key = table_is_key(t, col);
    *lossy = 0;
    if (key && from.type != T_NONE && type_storage(from.type) != type_storage(to.type))
        return err_set(err,
                       "primary key column '%s' holds %s values in the warehouse and cannot "
                       "change to %s; declare its type in the schema, or drop the table "
                       "(drop table \"%s\".\"%s\")",
                       c->name, type_name(from.type), type_name(to.type), d->schema, t->dest_name);
    if (pg_begin(d, err) != CH_OK || pg_merge(d, t, err) != CH_OK)
        return CH_ERROR;
    pg_table_changed(d, t);
    if (pg_exec(d, "SAVEPOINT change_type", "changing a column type", err) != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "ALTER TABLE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " ADD COLUMN ");
    add_column_sql(&b, SQL_TMP_COLUMN, to);
    rc = pg_exec_sql(d, &b, "changing a column type", err);
    if (rc == CH_OK && from.type != T_NONE) {
        rc = convert_values(d, t, col, from, to, lossy, err);
        pg_sql_add(&b, "UPDATE ");
        pg_sql_table(&b, d->schema, t->dest_name);
        pg_sql_add(&b, " AS t SET \"" SQL_TMP_COLUMN "\" = c.v FROM _connector_convert AS c "
                       "WHERE t.ctid = c.tid; DROP TABLE _connector_convert");
        if (rc == CH_OK)
            rc = pg_exec_sql(d, &b, "changing a column type", err);
    }
    pg_sql_add(&b, "ALTER TABLE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " DROP COLUMN ");
    sql_ident(&b, c->dest_name);
    pg_sql_add(&b, "; ALTER TABLE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " RENAME COLUMN \"" SQL_TMP_COLUMN "\" TO ");
    sql_ident(&b, c->dest_name);
    if (key) { /* dropping a key column dropped the primary key */
        pg_sql_add(&b, "; ALTER TABLE ");
        pg_sql_table(&b, d->schema, t->dest_name);
        pg_sql_add(&b, " ADD PRIMARY KEY (");
        sql_key_list(&b, t);
        pg_sql_add(&b, ")");
    }
    if (rc == CH_OK)
        rc = pg_exec_sql(d, &b, "changing a column type", err);
    free(b.s);
    if (rc == CH_OK)
        return pg_exec(d, "RELEASE change_type", "changing a column type", err);
    if (PQstatus(d->conn) != CONNECTION_BAD) {
        ch_error ignored;
        pg_exec(d, "ROLLBACK TO change_type; RELEASE change_type", "undoing", &ignored);
    }
    return CH_ERROR;
}

/* The warehouse's columns of a table: name, type, position in the primary key, comment. */
static int read_columns(pg_dest *d, const char *table, PGresult **res, ch_error *err)
{
    pg_sql name = {0};
    const char *params[1];
    int rc;
    pg_sql_table(&name, d->schema, table);
    params[0] = name.s;
    rc = name.oom ? err_set(err, "out of memory")
                  : pg_exec_params(d,
                                   "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
                                   "coalesce((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY "
                                   "AS k(att, n) WHERE k.att = a.attnum), 0), "
                                   "coalesce(col_description(a.attrelid, a.attnum), '') "
                                   "FROM pg_attribute a LEFT JOIN pg_index i "
                                   "ON i.indrelid = a.attrelid AND i.indisprimary "
                                   "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 "
                                   "AND NOT a.attisdropped ORDER BY a.attnum",
                                   1, params, NULL, NULL, res, "reading table information", err);
    free(name.s);
    return rc;
}

/* The names of a table's columns, for sql_earlier_names. */
static int read_column_names(dest *base, const char *table, sql_names *names, ch_error *err)
{
    PGresult *res;
    int rc = CH_OK;
    if (strlen(table) > PG_NAME_MAX)
        return CH_OK; /* no such table: PostgreSQL would look for the name cut short */
    if (read_columns((pg_dest *)base, table, &res, err) != CH_OK)
        return CH_ERROR;
    for (int r = 0, rows = PQntuples(res); rc == CH_OK && r < rows; r++)
        if (sql_names_add(names, PQgetvalue(res, r, 0)) != CH_OK)
            rc = err_set(err, "out of memory");
    PQclear(res);
    return rc;
}

static int has_table(dest *base, table_def *t, int *held, ch_error *err)
{
    if (pg_land((pg_dest *)base, err) != CH_OK)
        return CH_ERROR;
    return sql_has_table(base, t, read_column_names, held, err);
}

static int prepare_table(dest *base, table_def *t, int *schema_changes, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    PGresult *res;
    sql_found found = {0};
    char advice[300];
    int rc = CH_OK, record;
    *schema_changes = 0;
    if (pg_table_of(d, t) == NULL)
        return err_set(err, "out of memory");
    if (check_name("table", t->dest_name, err) != CH_OK)
        return CH_ERROR;
    if (pg_begin(d, err) != CH_OK || sql_earlier_names(base, t, read_column_names, err) != CH_OK)
        return CH_ERROR;
    for (size_t i = 0; i < t->ncols; i++)
        if (check_name("column", t->cols[i].dest_name, err) != CH_OK)
            return CH_ERROR;
    if (read_columns(d, t->dest_name, &res, err) != CH_OK)
        return CH_ERROR;
    for (int r = 0, rows = PQntuples(res); rc == CH_OK && r < rows; r++) {
        const char *name = PQgetvalue(res, r, 0);
        type_spec ts = pg_type_parse(PQgetvalue(res, r, 1));
        long c;
        int adopted;
        if (strcmp(PQgetvalue(res, r, 3), UNTYPED_COMMENT) == 0)
            ts.type = T_NONE;
        rc = sql_found_column(&found, t, name, atoi(PQgetvalue(res, r, 2)), ts, &c, &adopted, err);
        if (rc == CH_OK && c >= 0 && !adopted)
            rc = sql_reconcile_column(base, t, (size_t)c, ts, 1, &record, schema_changes, err);
    }
    PQclear(res);
    snprintf(advice, sizeof advice, "to start over, drop it (drop table \"%s\".\"%s\")", d->schema,
             t->dest_name);
    rc = sql_prepare_finish(base, t, &found, rc, create_table, advice, schema_changes, err);
    pg_table_changed(d, t);
    return rc;
}

/* ---- state and transactions ------------------------------------------------ */

/* True when the relation exists; name is quoted and schema-qualified. */
static int relation_exists(pg_dest *d, const char *nsp, const char *table, int *exists,
                           ch_error *err)
{
    pg_sql name = {0};
    PGresult *res;
    const char *params[1];
    int rc;
    pg_sql_table(&name, nsp, table);
    params[0] = name.s;
    rc = name.oom ? err_set(err, "out of memory")
                  : pg_exec_params(d, "SELECT to_regclass($1) IS NOT NULL", 1, params, NULL, NULL,
                                   &res, "looking up a table", err);
    free(name.s);
    if (rc == CH_OK) {
        *exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
    }
    return rc;
}

/*
 * The working directory's lock cannot see a sync of the same connector into
 * the same schema from another directory or machine; a session lock on the
 * server can. It is held until the connection closes.
 */
static int lock_connector(pg_dest *d, const char *connector, ch_error *err)
{
    pg_sql key = {0};
    PGresult *res;
    const char *params[1];
    int rc, got;
    pg_sql_add(&key, d->schema);
    pg_sql_add(&key, ".");
    pg_sql_add(&key, connector);
    params[0] = key.s;
    rc = key.oom ? err_set(err, "out of memory")
                 : pg_exec_params(d, "SELECT pg_try_advisory_lock(hashtext($1))", 1, params, NULL,
                                  NULL, &res, "locking the connector", err);
    free(key.s);
    if (rc != CH_OK)
        return CH_ERROR;
    got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!got)
        return err_busy(err,
                        "another connector-host is syncing connector '%s' into schema %s of %s; "
                        "wait for it to finish",
                        connector, d->schema, d->server);
    return CH_OK;
}

static int load_state(dest *base, const char *connector, char **json, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    *json = NULL;
    if (pg_land(d, err) != CH_OK || lock_connector(d, connector, err) != CH_OK)
        return CH_ERROR;
    return pg_state_load(d, connector, json, err); /* with the generation commits check */
}

/*
 * Builds the commit's plan (the merges, the state row, COMMIT) and sets it
 * flying (pg_flight.c): it returns while the server works, and the next call
 * that needs the connection waits for it and fails if the server did not
 * commit. settle() waits for the last one.
 */
static int commit(dest *base, const char *connector, const char *state_json, const char *synced,
                  ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_sql b = {0};
    pg_plan p = {0};
    ch_error ignored;
    /*
     * Behind an early merge still in flight, the commit queues in its open
     * transaction: the writer goes on folding meanwhile. (The state table is
     * known then: the last commit, which made it, has landed.)
     */
    int behind = pg_flight_behind_early(d) && d->in_tx && d->schema_ok && d->state_table_ok &&
                 d->state_generation_ok;
    if (!behind && pg_land(d, err) != CH_OK)
        return CH_ERROR;
    if (behind) {
        /* BEGIN was the early merge's */
    } else if (d->in_tx || !d->schema_ok) {
        if (pg_begin(d, err) != CH_OK)
            return CH_ERROR;
    } else { /* BEGIN goes with the rest: one round trip fewer */
        pg_sql_add(&b, "BEGIN");
        pg_plan_add(&p, PG_STEP_SQL, &b, "starting a transaction");
    }
    if (pg_plan_merge(d, NULL, &p, 1, err) != CH_OK)
        goto fail;
    /* fenced: written only while no other worker has committed since this one */
    if (pg_state_plan(d, &p, connector, state_json, synced, err) != CH_OK)
        goto fail;
    if (pg_plan_add(&p, PG_STEP_COMMIT, &b, "committing") == NULL || p.oom) {
        err_set(err, "out of memory");
        goto fail;
    }
    return pg_flight_start(d, &p, err);
fail:
    pg_plan_land(d, &p, &ignored);
    d->in_tx = 1; /* rows were handed to the plan: only a rollback ends this transaction */
    return CH_ERROR;
}

/* Waits for the commit in flight: CH_ERROR with its failure when the server did not commit it. */
static int settle(dest *base, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    /* an early merge in flight came after the last commit, which it landed: nothing to wait for */
    if (pg_flight_behind_early(d))
        return CH_OK;
    if (pg_land(d, err) != CH_OK)
        return CH_ERROR;
    /* the writer is idle: the server may start on the next checkpoint's rows folded so far */
    pg_early(d);
    return CH_OK;
}

static int count_rows(dest *base, const table_def *t, long *live, long *deleted, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_sql q = {0};
    PGresult *res;
    int exists, rc;
    *live = *deleted = 0;
    if (pg_land(d, err) != CH_OK)
        return CH_ERROR;
    if (relation_exists(d, d->schema, t->dest_name, &exists, err) != CH_OK)
        return CH_ERROR;
    if (!exists)
        return CH_OK;
    pg_sql_add(&q, "SELECT count(*), count(*) FILTER (WHERE \"" COL_DELETED "\") FROM ");
    pg_sql_table(&q, d->schema, t->dest_name);
    rc = q.oom ? err_set(err, "out of memory")
               : pg_exec_params(d, q.s, 0, NULL, NULL, NULL, &res, "counting the rows", err);
    free(q.s);
    if (rc != CH_OK)
        return CH_ERROR;
    *deleted = atol(PQgetvalue(res, 0, 1));
    *live = atol(PQgetvalue(res, 0, 0)) - *deleted;
    PQclear(res);
    return CH_OK;
}

static void rollback(dest *base)
{
    pg_dest *d = (pg_dest *)base;
    ch_error ignored;
    pg_land(d, &ignored); /* a commit in flight ends first, committed or not */
    d->flight_failed = 0;
    pg_stage_reset(d);
    if (d->in_tx) {
        if (PQstatus(d->conn) == CONNECTION_OK)
            PQclear(PQexec(d->conn, "ROLLBACK"));
        d->in_tx = 0;
    }
    d->state_table_ok = 0; /* it, or its generation column, may have been made by what was undone */
    d->state_generation_ok = 0;
}

static void close_dest(dest *base)
{
    pg_dest *d = (pg_dest *)base;
    rollback(base);
    pg_flight_stop(d);
    while (d->tables) {
        pg_table *next = d->tables->next;
        d->tables->def->dest = NULL;
        pg_rows_free(&d->tables->pending);
        pg_rows_free(&d->tables->changes);
        free(d->tables);
        d->tables = next;
    }
    PQfinish(d->conn);
    free(d->text);
    free(d->key.s);
    free(d->schema);
    free(d->server);
    dest_base_free(&d->base);
    free(d);
}

static const dest_ops pg_ops = {
    .load_state = load_state,
    .prepare_table = prepare_table,
    .has_table = has_table,
    .add_column = add_column,
    .change_type = change_type,
    .upsert = pg_upsert,
    .update = pg_update,
    .remove = pg_remove,
    .truncate = pg_truncate,
    .commit = commit,
    .settle = settle,
    .rollback = rollback,
    .close = close_dest,
    .flush = pg_flush,
    .count_rows = count_rows,
};

/* ---- opening ------------------------------------------------------------------ */

/*
 * Passwords in a spec: the text between the first ':' of the user part and
 * the last '@' (libpq reads a password that holds '?' or '/' in surprising
 * ways, so the widest reading is hidden), and every password= value. Each is
 * found as [start, end) offsets into the spec; returns how many.
 */
static int find_passwords(const char *spec, size_t starts[8], size_t ends[8])
{
    const char *auth = strstr(spec, "://"), *at = strrchr(spec, '@'), *p;
    int n = 0;
    auth = auth ? auth + 3 : spec;
    if (at && at > auth && (p = memchr(auth, ':', (size_t)(at - auth))) != NULL) {
        starts[n] = (size_t)(p + 1 - spec);
        ends[n++] = (size_t)(at - spec);
    }
    for (p = spec; n < 8 && (p = strstr(p, "password=")) != NULL; p += 9) {
        starts[n] = (size_t)(p + 9 - spec);
        ends[n] = starts[n] + strcspn(p + 9, "&");
        n++;
    }
    return n;
}

/* Appends the spec with its passwords replaced by "***": the spec goes into messages. */
static void add_redacted(pg_sql *b, const char *spec)
{
    size_t starts[8], ends[8], from = 0;
    int n = find_passwords(spec, starts, ends);
    for (int i = 0; i < n; i++) {
        if (starts[i] < from)
            continue;
        pg_sql_addn(b, spec + from, starts[i] - from);
        pg_sql_add(b, "***");
        from = ends[i];
    }
    pg_sql_add(b, spec + from);
}

/*
 * Copies libpq's message with every piece of the spec's passwords (whole,
 * percent-decoded, and split where libpq may have split it) replaced by
 * "***": a malformed URI makes libpq quote parts of it.
 */
static const char *scrub(const char *spec, const char *message, char *out, size_t size)
{
    size_t starts[8], ends[8];
    int n = find_passwords(spec, starts, ends);
    snprintf(out, size, "%s", message);
    for (int i = 0; i < n; i++) {
        char secret[256], *piece, *save = NULL;
        size_t len = ends[i] - starts[i];
        if (len == 0 || len >= sizeof secret)
            continue;
        memcpy(secret, spec + starts[i], len);
        secret[len] = '\0';
        for (int pass = 0; pass < 2; pass++) {
            char copy[256];
            if (pass == 1) { /* the decoded form: libpq quotes what it decoded */
                size_t k = 0;
                for (size_t j = 0; secret[j]; j++) {
                    unsigned v;
                    if (secret[j] == '%' && sscanf(secret + j + 1, "%2x", &v) == 1 && v) {
                        secret[k++] = (char)v;
                        j += 2;
                    } else {
                        secret[k++] = secret[j];
                    }
                }
                secret[k] = '\0';
            }
            snprintf(copy, sizeof copy, "%s", secret);
            for (piece = strtok_r(copy, "/?#@:&=", &save); piece;
                 piece = strtok_r(NULL, "/?#@:&=", &save)) {
                char *hit;
                if (strlen(piece) < 3 && strcmp(piece, secret) != 0)
                    continue; /* "ab" would hide half the message; whole short secrets go */
                while ((hit = strstr(out, piece)) != NULL) {
                    size_t plen = strlen(piece);
                    if (strlen(out) + 3 - plen >= size) { /* no room: cut the message there */
                        snprintf(hit, size - (size_t)(hit - out), "***");
                        break;
                    }
                    memmove(hit + 3, hit + plen, strlen(hit + plen) + 1);
                    memcpy(hit, "***", 3);
                }
            }
        }
    }
    return out;
}

/* Sets err to "destination '<spec, redacted>': <message>". */
static int spec_error(ch_error *err, const char *spec, const char *message)
{
    pg_sql b = {0};
    add_redacted(&b, spec);
    err_set(err, "destination '%s': %s", b.oom ? "?" : b.s, message);
    free(b.s);
    return CH_ERROR;
}

/* True when the query parameter at item (key up to '=' or '&') was given before it, from first. */
static int repeated_param(const char *first, const char *item)
{
    size_t keylen = strcspn(item, "=&");
    for (const char *p = first; p < item; p += strcspn(p, "&") + 1)
        if (strcspn(p, "=&") == keylen && strncmp(p, item, keylen) == 0)
            return 1;
    return 0;
}

/*
 * Splits "postgresql://...?schema=NAME&..." into the URI libpq accepts (it
 * refuses parameters it does not know) and the schema (default public). A
 * parameter given twice is refused: which one wins would be a guess.
 */
static int split_spec(const char *spec, char **uri, char **nsp, ch_error *err)
{
    const char *q = strchr(spec, '?');
    pg_sql u = {0}, s = {0};
    int params = 0;
    pg_sql_addn(&u, spec, q ? (size_t)(q - spec) : strlen(spec));
    while (q && *q) {
        const char *item = q + 1, *end = strchr(item, '&');
        size_t n = end ? (size_t)(end - item) : strlen(item);
        if (n > 0 && repeated_param(strchr(spec, '?') + 1, item)) {
            char message[160];
            int keylen = (int)strcspn(item, "=&");
            snprintf(message, sizeof message, "the parameter '%.*s' is given twice; give it once",
                     keylen > 60 ? 60 : keylen, item);
            free(u.s);
            free(s.s);
            return spec_error(err, spec, message);
        }
        if (strncmp(item, "schema=", 7) == 0) {
            free(s.s);
            memset(&s, 0, sizeof s);
            for (size_t i = 7; i < n; i++) {
                char hex[3] = {0};
                if (item[i] == '%') { /* %XX, as in the rest of the URI */
                    if (i + 2 >= n || !isxdigit((unsigned char)item[i + 1]) ||
                        !isxdigit((unsigned char)item[i + 2]) ||
                        (item[i + 1] == '0' && item[i + 2] == '0')) {
                        free(u.s);
                        free(s.s);
                        return spec_error(err, spec,
                                          "the schema parameter has a bad percent escape "
                                          "(two hex digits, not %00)");
                    }
                    hex[0] = item[i + 1];
                    hex[1] = item[i + 2];
                    hex[0] = (char)strtol(hex, NULL, 16);
                    hex[1] = '\0';
                    pg_sql_addn(&s, hex, 1);
                    i += 2;
                } else {
                    pg_sql_addn(&s, item + i, 1);
                }
            }
            if (s.s && strlen(s.s) > 63) {
                free(u.s);
                free(s.s);
                return spec_error(err, spec,
                                  "the schema name is longer than 63 bytes, which PostgreSQL "
                                  "would cut");
            }
            if (s.s == NULL && !s.oom) {
                free(u.s);
                return spec_error(err, spec, "the schema parameter is empty");
            }
        } else if (n > 0) {
            pg_sql_add(&u, params++ ? "&" : "?");
            pg_sql_addn(&u, item, n);
        }
        q = end;
    }
    if (s.s == NULL)
        pg_sql_add(&s, "public");
    if (u.oom || s.oom) {
        free(u.s);
        free(s.s);
        return err_set(err, "out of memory");
    }
    *uri = u.s;
    *nsp = s.s;
    return CH_OK;
}

int dest_postgresql_module_check(const char *spec, ch_error *err)
{
    char *uri, *nsp, *msg = NULL;
    PQconninfoOption *opts;
    if (split_spec(spec, &uri, &nsp, err) != CH_OK)
        return CH_ERROR;
    opts = PQconninfoParse(uri, &msg);
    free(uri);
    free(nsp);
    if (opts == NULL) {
        char line[600];
        char clean[600];
        spec_error(err, spec,
                   msg ? scrub(spec, pg_one_line(msg, line, sizeof line), clean, sizeof clean)
                       : "out of memory");
        PQfreemem(msg);
        return CH_ERROR;
    }
    PQconninfoFree(opts);
    return CH_OK;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation already exists, skipping" and the like: not for the user */
}

/* The server as "host:port" (host may be a socket directory), for messages. */
static char *server_name(PGconn *conn)
{
    const char *host = PQhost(conn), *port = PQport(conn);
    size_t n = strlen(host ? host : "") + strlen(port ? port : "") + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s:%s", host ? host : "", port ? port : "");
    return s;
}

int dest_postgresql_module_open(const char *spec, const dest_open_opts *opts, dest **out,
                                ch_error *err)
{
    /* connect_timeout first, so that the URI's own value overrides it */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *vals[] = {"10", "connector-host", NULL, NULL};
    pg_dest *d = calloc(1, sizeof *d);
    char *uri = NULL;
    size_t n;
    if (d == NULL)
        return err_set(err, "out of memory");
    if (split_spec(spec, &uri, &d->schema, err) != CH_OK) {
        free(d);
        return CH_ERROR;
    }
    vals[2] = uri;
    d->conn = PQconnectdbParams(keys, vals, 1);
    free(uri);
    if (d->conn == NULL)
        return free(d->schema), free(d), err_set(err, "out of memory");
    d->server = server_name(d->conn);
    n = strlen(PQuser(d->conn) ? PQuser(d->conn) : "") + strlen(d->server ? d->server : "") +
        strlen(PQdb(d->conn) ? PQdb(d->conn) : "") + strlen(d->schema) + 32;
    if (d->server == NULL || (d->base.description = malloc(n)) == NULL) {
        PQfinish(d->conn);
        free(d->server);
        free(d->schema);
        free(d);
        return err_set(err, "out of memory");
    }
    /* the spec may hold a password: the description is built without it */
    snprintf(d->base.description, n, "postgresql://%s@%s/%s?schema=%s", PQuser(d->conn), d->server,
             PQdb(d->conn), d->schema);
    if (find_passwords(spec, (size_t[8]){0}, (size_t[8]){0}) > 0) {
        char clean[700]; /* a password libpq misread may show up as a host, user or database */
        scrub(spec, d->base.description, clean, sizeof clean);
        snprintf(d->base.description, n, "%s", clean);
    }
    d->base.ops = &pg_ops;
    if (PQstatus(d->conn) != CONNECTION_OK) {
        char msg[700], line[700];
        /* scrubbed whole: a password libpq misread may show up as a host, user or database */
        snprintf(msg, sizeof msg,
                 "cannot connect to the PostgreSQL server at %s (database %s, user %s): %s",
                 d->server, PQdb(d->conn), PQuser(d->conn),
                 pg_one_line(PQerrorMessage(d->conn), line, sizeof line));
        err_set(err, "%s", scrub(spec, msg, line, sizeof line));
        close_dest(&d->base);
        return CH_ERROR;
    }
    PQsetNoticeProcessor(d->conn, ignore_notice, NULL);
    /* fixed text forms: ISO dates, UTC instants, hex bytes, floats that read back exactly */
    if (pg_exec(d,
                "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET bytea_output = 'hex'; "
                "SET extra_float_digits = 3; SET client_encoding = 'UTF8'; "
                "SET xmloption = content",
                "setting up the session", err) != CH_OK) {
        close_dest(&d->base);
        return CH_ERROR;
    }
    *out = &d->base;
    return CH_OK;
}
