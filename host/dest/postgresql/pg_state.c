/*
 * pg_state.c - the connector's row in _connector_state: its state and its
 * generation, the fence between workers.
 *
 * The advisory lock (lock_connector in pg_dest.c) keeps a second worker of a
 * connector out while the first one's session lives; but a session can lose
 * its lock and go on (a pooler in transaction mode hands the session, and
 * its locks, to other clients). So every commit also checks, in its own
 * transaction, that the row is still at the generation this sync read or
 * last wrote, and moves it one on: a worker that another one overtook finds
 * a newer generation and commits nothing. The host never reconnects: a
 * dropped connection fails the sync at its next statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

#define GENERATION_COLUMN "generation"

/* Whether the state table exists, and whether it has the generation column (older ones not). */
static int look_up_table(pg_dest *d, ch_error *err)
{
    pg_sql name = {0};
    PGresult *res;
    const char *params[1];
    int rc;
    pg_sql_table(&name, d->schema, SQL_STATE_TABLE);
    params[0] = name.s;
    rc = name.oom ? err_set(err, "out of memory")
                  : pg_exec_params(d,
                                   "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT 1 FROM "
                                   "pg_attribute WHERE attrelid = to_regclass($1) AND attname = "
                                   "'" GENERATION_COLUMN "' AND NOT attisdropped)",
                                   1, params, NULL, NULL, &res, "looking up the state table", err);
    free(name.s);
    if (rc != CH_OK)
        return CH_ERROR;
    d->state_table_ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    d->state_generation_ok = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    PQclear(res);
    return CH_OK;
}

int pg_state_load(pg_dest *d, const char *connector, char **json, ch_error *err)
{
    pg_sql q = {0};
    PGresult *res;
    const char *params[1] = {connector};
    int rc;
    *json = NULL;
    d->generation = 0; /* no row yet, or a row from before generations: both are 0 */
    if (look_up_table(d, err) != CH_OK)
        return CH_ERROR;
    if (!d->state_table_ok)
        return CH_OK;
    pg_sql_add(&q, d->state_generation_ok ? "SELECT state, " GENERATION_COLUMN " FROM "
                                          : "SELECT state, 0 FROM ");
    pg_sql_table(&q, d->schema, SQL_STATE_TABLE);
    pg_sql_add(&q, " WHERE connector = $1");
    rc = q.oom ? err_set(err, "out of memory")
               : pg_exec_params(d, q.s, 1, params, NULL, NULL, &res, "reading the state", err);
    free(q.s);
    if (rc != CH_OK)
        return CH_ERROR;
    if (PQntuples(res) > 0) {
        d->generation = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        if ((*json = strdup(PQgetvalue(res, 0, 0))) == NULL)
            rc = err_set(err, "out of memory");
    }
    PQclear(res);
    return rc;
}

/*
 * Makes the state table, or gives an older one its generation column (its
 * rows start at 0), in the commit's transaction: steps of its plan. Looked
 * up first: CREATE TABLE IF NOT EXISTS needs CREATE on the schema even when
 * the table exists, which a role that only writes existing tables does not
 * have.
 */
static int plan_table(pg_dest *d, pg_plan *p, ch_error *err)
{
    pg_sql b = {0};
    if ((!d->state_table_ok || !d->state_generation_ok) && look_up_table(d, err) != CH_OK)
        return CH_ERROR;
    if (d->state_table_ok && d->state_generation_ok)
        return CH_OK;
    if (!d->state_table_ok) {
        pg_sql_add(&b, "CREATE TABLE ");
        pg_sql_table(&b, d->schema, SQL_STATE_TABLE);
        pg_sql_add(&b, " (connector text PRIMARY KEY, state text NOT NULL, "
                       "updated_at timestamptz NOT NULL, " GENERATION_COLUMN
                       " bigint NOT NULL DEFAULT 0)");
    } else {
        /* IF NOT EXISTS: a worker of another connector may have just added it */
        pg_sql_add(&b, "ALTER TABLE ");
        pg_sql_table(&b, d->schema, SQL_STATE_TABLE);
        pg_sql_add(&b, " ADD COLUMN IF NOT EXISTS " GENERATION_COLUMN " bigint NOT NULL DEFAULT 0");
    }
    return pg_plan_add(p, PG_STEP_SQL, &b, "storing the state") ? CH_OK
                                                                : err_set(err, "out of memory");
}

int pg_state_plan(pg_dest *d, pg_plan *p, const char *connector, const char *state_json,
                  const char *synced, ch_error *err)
{
    pg_sql b = {0};
    pg_step *st;
    char next[32], mine[32], busy[1200];
    if (plan_table(d, p, err) != CH_OK)
        return CH_ERROR;
    snprintf(mine, sizeof mine, "%lld", d->generation);
    snprintf(next, sizeof next, "%lld", d->generation + 1);
    snprintf(busy, sizeof busy, "another worker took over connector '%s' in schema %s of %s",
             connector, d->schema, d->server);
    /*
     * One statement: the row is written only while it is at this sync's
     * generation. A concurrent writer's row lock makes it wait for that
     * transaction, then see its committed generation (READ COMMITTED).
     */
    pg_sql_add(&b, "INSERT INTO ");
    pg_sql_table(&b, d->schema, SQL_STATE_TABLE);
    pg_sql_add(&b, " AS s (connector, state, updated_at, " GENERATION_COLUMN
                   ") VALUES ($1, $2, $3, $4) ON CONFLICT (connector) DO UPDATE SET state = "
                   "excluded.state, updated_at = excluded.updated_at, " GENERATION_COLUMN
                   " = excluded." GENERATION_COLUMN " WHERE s." GENERATION_COLUMN " = $5");
    st = pg_plan_add(p, PG_STEP_STATE, &b, "storing the state");
    if (st == NULL || (st->params[0] = strdup(connector)) == NULL ||
        (st->params[1] = strdup(state_json)) == NULL || (st->params[2] = strdup(synced)) == NULL ||
        (st->params[3] = strdup(next)) == NULL || (st->params[4] = strdup(mine)) == NULL ||
        (st->busy = strdup(busy)) == NULL)
        return err_set(err, "out of memory");
    /* the commit may still fail; then the sync fails, and this generation is never used */
    p->generation = d->generation + 1;
    /* the refusal reads the row's generation with the table's name, built here */
    pg_sql_add(&b, "SELECT " GENERATION_COLUMN " FROM ");
    pg_sql_table(&b, d->schema, SQL_STATE_TABLE);
    pg_sql_add(&b, " WHERE connector = $1");
    if (b.oom)
        return err_set(err, "out of memory");
    st->name_sql[0] = b.s;
    return CH_OK;
}
