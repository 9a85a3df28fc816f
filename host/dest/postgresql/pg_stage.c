/*
 * pg_stage.c - the PostgreSQL destination's data operations.
 *
 * No upsert, update or delete runs one statement each: they wait in memory and
 * are merged in one go, sent with COPY into temporary staging tables and
 * moved into the table with two statements.
 *
 * A table's upserted rows wait one per key (the last upsert of a key
 * replaces its row). An update or delete of a key that has such a row
 * changes that row in memory (the given columns, the soft-delete flag).
 * Updates and deletes of any other key wait as changes, one per key: the
 * columns given so far (a later update's value wins), whether a delete came,
 * and how many operations they stand for. The merge applies the changes
 * first, with one UPDATE ... FROM, then the upserted rows, with one INSERT
 * ... ON CONFLICT DO UPDATE. That keeps the order of operations on every
 * key: a change of a key only waits while the key has no upserted row, so
 * every change of a key came before its waiting upsert, which replaces the
 * whole row anyway. The changes that found no row (fewer rows updated than
 * changes staged) are reported through dest.missing, so the warnings stay
 * exact, and the first of them named by their operation's number and key.
 *
 * Before a truncate of the table, a schema change of it, and a commit, it
 * merges. Memory is bounded: past PENDING_ROWS_MAX rows or PENDING_BYTES_MAX
 * (upserted rows and changes together), a table merges. And when the
 * connection is idle, enough waiting rows merge early (early()).
 *
 * A merge is a plan (pg_flight.c): its statements are built here, with the
 * waiting rows handed to it, and run in order. A commit's plan, and an early
 * merge, run on the flight's thread while the next operations are folded
 * here, into maps of their own.
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
/*
 * An early merge (see early()) takes at least this many rows, and an eighth
 * of what the table's last checkpoint merged: fewer would cost more in
 * statements than they save.
 */
#define EARLY_ROWS_MIN 1000
#define EARLY_SHARE    8

static void stage_name(pg_sql *b, const pg_table *pt)
{
    char name[64];
    snprintf(name, sizeof name, "pg_temp._connector_stage_%d", pt->id);
    pg_sql_add(b, name);
}

/* The changes' staging table. */
static void change_name(pg_sql *b, const pg_table *pt)
{
    char name[64];
    snprintf(name, sizeof name, "pg_temp._connector_change_%d", pt->id);
    pg_sql_add(b, name);
}

/*
 * The changes' own columns, after the table's: names no normalised column
 * can have (they hold '-' and a space), so they never collide.
 */
#define CHANGE_MASK "\"connector-host mask\""
#define CHANGE_ORD  "\"connector-host ord\""
/*
 * Both staging tables carry _fivetran_synced as microseconds since
 * 2000-01-01 UTC in a bigint of their own, which the server reads several
 * times faster than a timestamp's text; the merge turns it back into the
 * timestamp, exactly (pg_synced_text).
 */
#define STAGE_SYNCED "\"connector-host synced\""
#define SYNCED_OF(s)                                                                               \
    "(timestamptz '2000-01-01 00:00:00+00' + " s STAGE_SYNCED " * interval '1 microsecond')"

/* How stage_columns names the columns: the table's, the staging table's, or as read from it. */
enum { COLS_TABLE, COLS_STAGED, COLS_READ };

/*
 * The columns of the pending rows: the table's first ncols columns, the id,
 * synced, deleted; `as` (COLS_*) says how synced is named.
 */
static void stage_columns(pg_sql *b, const table_def *t, size_t ncols, int as)
{
    for (size_t i = 0; i < ncols; i++) {
        sql_ident(b, t->cols[i].dest_name);
        pg_sql_add(b, ", ");
    }
    if (t->nkey == 0)
        pg_sql_add(b, "\"" COL_ID "\", ");
    pg_sql_add(b, as == COLS_TABLE    ? "\"" COL_SYNCED "\""
                  : as == COLS_STAGED ? STAGE_SYNCED
                                      : SYNCED_OF(""));
    pg_sql_add(b, ", \"" COL_DELETED "\"");
}

/* Appends a step of b's SQL to p; CH_ERROR when out of memory (b is freed either way). */
static int plan_sql(pg_plan *p, pg_sql *b, const char *what, ch_error *err)
{
    return pg_plan_add(p, PG_STEP_SQL, b, what) ? CH_OK : err_set(err, "out of memory");
}

/* A staging table with the target's columns (no constraints), unless it is there. */
static int plan_stage(pg_dest *d, pg_table *pt, pg_plan *p, ch_error *err)
{
    pg_sql b = {0};
    if (pt->stage_ready)
        return CH_OK;
    pg_sql_add(&b, "DROP TABLE IF EXISTS ");
    stage_name(&b, pt);
    pg_sql_add(&b, "; CREATE TEMP TABLE ");
    stage_name(&b, pt);
    pg_sql_add(&b, " ON COMMIT DELETE ROWS AS SELECT *, 0::bigint AS " STAGE_SYNCED " FROM ");
    pg_sql_table(&b, d->schema, pt->def->dest_name);
    pg_sql_add(&b, " WITH NO DATA");
    pt->stage_ready = 1; /* a plan that fails ends in a rollback, which forgets it */
    pt->stage_dirty = 0;
    return plan_sql(p, &b, "creating a staging table", err);
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

/*
 * The COPY text of a value in m's memory, or NULL in *out for SQL NULL. The
 * text counts against m's bound.
 */
static int field_text(pg_dest *d, const table_def *t, size_t col, const value *v, pg_rows *m,
                      char **out, ch_error *err)
{
    const char *text;
    size_t len;
    *out = NULL;
    if (v->type == T_NONE)
        return CH_OK;
    if (pg_value_text(v, &d->text, &d->text_cap, &text, err) != CH_OK)
        return CH_ERROR;
    if (text == v->ptr && memchr(text, '\0', v->len) != NULL)
        return err_set(err, "column '%s': PostgreSQL cannot store a text with a NUL character",
                       t->cols[col].name);
    len = strlen(text);
    if (text[strcspn(text, "\\\n\r\t")] == '\0') { /* nothing to escape: most values */
        *out = pg_rows_text(m, text, len);
    } else {
        pg_sql b = {0};
        copy_escape(&b, text);
        *out = b.oom ? NULL : pg_rows_text(m, b.s, b.len);
        free(b.s);
    }
    if (*out == NULL)
        return err_set(err, "out of memory");
    m->bytes += len;
    return CH_OK;
}

/* A string as a COPY field in m's memory. */
static int string_text(pg_dest *d, const table_def *t, const char *s, pg_rows *m, char **out,
                       ch_error *err)
{
    return field_text(d, t, 0, &(value){.type = T_STRING, .ptr = s, .len = strlen(s)}, m, out, err);
}

/* The operation's synced time as the staging tables take it (STAGE_SYNCED), in m's memory. */
static int synced_text(pg_dest *d, const char *synced, pg_rows *m, char **out, ch_error *err)
{
    char text[24];
    size_t n;
    if (pg_synced_text(d, synced, text, &n, err) != CH_OK)
        return CH_ERROR;
    if ((*out = pg_rows_text(m, text, n)) == NULL)
        return err_set(err, "out of memory");
    m->bytes += n;
    return CH_OK;
}

/*
 * The key of a row as the pending rows are indexed: the key fields' COPY
 * text, tab-joined, in d's scratch (valid until the next call).
 */
static int row_key(pg_dest *d, const table_def *t, const value *vals, const char *id,
                   const char **key, ch_error *err)
{
    pg_sql *b = &d->key;
    b->len = 0;
    if (t->nkey == 0) {
        copy_escape(b, id);
    } else {
        for (size_t k = 0; k < t->nkey; k++) {
            const value *v = &vals[t->key[k]];
            const char *text;
            if (k)
                pg_sql_add(b, "\t");
            if (v->type == T_NONE) {
                pg_sql_add(b, "\\N");
                continue;
            }
            if (pg_value_text(v, &d->text, &d->text_cap, &text, err) != CH_OK)
                return CH_ERROR;
            if (text == v->ptr && memchr(text, '\0', v->len) != NULL)
                return err_set(err,
                               "column '%s': PostgreSQL cannot store a text with a NUL character",
                               t->cols[t->key[k]].name);
            copy_escape(b, text);
        }
    }
    pg_sql_add(b, ""); /* a key may be empty text */
    if (b->oom) {
        free(b->s);
        memset(b, 0, sizeof *b);
        return err_set(err, "out of memory");
    }
    *key = b->s;
    return CH_OK;
}

/* The map whose memory a waiting row is of: a change has a mask. */
static pg_rows *map_of(pg_table *pt, const pg_row *row)
{
    return row->mask ? &pt->changes : &pt->pending;
}

/* Appends the step sending the pending rows with COPY into their staging table; they become the
   plan's. */
static int plan_copy(pg_table *pt, pg_plan *p, ch_error *err)
{
    pg_sql b = {0};
    pg_step *st;
    pg_sql_add(&b, "COPY ");
    stage_name(&b, pt);
    pg_sql_add(&b, " (");
    stage_columns(&b, pt->def, pt->stage_ncols, COLS_STAGED);
    pg_sql_add(&b, ") FROM STDIN");
    st = pg_plan_add(p, PG_STEP_COPY, &b, "upsert (COPY into the staging table)");
    if (st == NULL)
        return err_set(err, "out of memory");
    st->rows = pt->pending; /* taken whole: the map starts again empty, as large as it was */
    memset(&pt->pending, 0, sizeof pt->pending);
    pt->pending.hint = st->rows.nbuckets;
    return CH_OK;
}

/*
 * The changes' staging table: the key, the staged columns and the system
 * columns with the table's types, then the mask and the change's ordinal in
 * the plan (pg_step.order). A merge sends only the columns it needs into it.
 */
static int plan_change_stage(pg_dest *d, pg_table *pt, pg_plan *p, ch_error *err)
{
    pg_sql b = {0};
    if (pt->change_ncols == pt->stage_ncols)
        return CH_OK;
    pg_sql_add(&b, "DROP TABLE IF EXISTS ");
    change_name(&b, pt);
    pg_sql_add(&b, "; CREATE TEMP TABLE ");
    change_name(&b, pt);
    pg_sql_add(&b, " ON COMMIT DELETE ROWS AS SELECT ");
    stage_columns(&b, pt->def, pt->stage_ncols, COLS_TABLE);
    pg_sql_add(&b, ", 0::bigint AS " STAGE_SYNCED ", ''::text AS " CHANGE_MASK
                   ", 0::integer AS " CHANGE_ORD " FROM ");
    pg_sql_table(&b, d->schema, pt->def->dest_name);
    pg_sql_add(&b, " WITH NO DATA");
    pt->change_ncols = pt->stage_ncols;
    pt->change_dirty = 0;
    return plan_sql(p, &b, "creating a staging table", err);
}

/*
 * A staging table (changes set: the changes') that still holds the rows of
 * an earlier merge in this transaction is emptied before it takes new ones.
 * Only then: a merge leaves its rows (a merge that is its transaction's last
 * is emptied by the commit, ON COMMIT DELETE ROWS, and an early merge is
 * mostly followed by no other), so the DELETE is paid only when needed.
 */
static int plan_empty(pg_table *pt, int changes, pg_plan *p, ch_error *err)
{
    pg_sql b = {0};
    if (!(changes ? pt->change_dirty : pt->stage_dirty))
        return CH_OK;
    pg_sql_add(&b, "DELETE FROM ");
    (changes ? change_name : stage_name)(&b, pt);
    return plan_sql(p, &b, "emptying a staging table", err);
}

/*
 * The query naming the changes that found no row: their ordinals and keys,
 * every one of them (the landing counts their operations and names the
 * first). It runs after the changes' UPDATE, before the staging table is
 * emptied, and only when some found no row: the keys the table lacks now are
 * the keys it lacked then, since an update never changes a key.
 */
static char *name_missing_sql(pg_dest *d, pg_table *pt)
{
    table_def *t = pt->def;
    pg_sql b = {0};
    pg_sql_add(&b, "SELECT s." CHANGE_ORD);
    for (size_t k = 0; k < t->nkey; k++) {
        pg_sql_add(&b, ", s.");
        sql_ident(&b, t->cols[t->key[k]].dest_name);
        pg_sql_add(&b, "::text");
    }
    pg_sql_add(&b, " FROM ");
    change_name(&b, pt);
    pg_sql_add(&b, " AS s WHERE NOT EXISTS (SELECT 1 FROM ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " AS t");
    for (size_t k = 0; k < t->nkey; k++) {
        pg_sql_add(&b, k ? " AND t." : " WHERE t.");
        sql_ident(&b, t->cols[t->key[k]].dest_name);
        pg_sql_add(&b, " = s.");
        sql_ident(&b, t->cols[t->key[k]].dest_name);
    }
    pg_sql_add(&b, ")");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/*
 * Which of a change's fields its COPY line carries (st->send, one per field)
 * and which extra columns, and the COPY statement. When every change of the
 * merge gave the same columns (the usual batch: all of them updates of the
 * same columns, or all deletes) the mask is left out, and so are the
 * columns no update gave; when every change is a delete, or none is, the
 * flag is too. The server then parses and stores a fraction of each row.
 */
static int plan_change_copy(pg_table *pt, pg_step *st, const char *mask, int deleted, ch_error *err)
{
    table_def *t = pt->def;
    size_t nfields = pt->stage_ncols + 1; /* the columns, then synced */
    pg_sql b = {0};
    if ((st->send = malloc(nfields)) == NULL)
        return err_set(err, "out of memory");
    pg_sql_add(&b, "COPY ");
    change_name(&b, pt);
    pg_sql_add(&b, " (");
    for (size_t i = 0; i < pt->stage_ncols; i++) {
        st->send[i] = table_is_key(t, i) || mask == NULL || mask[i] == '1';
        if (st->send[i]) {
            sql_ident(&b, t->cols[i].dest_name);
            pg_sql_add(&b, ", ");
        }
    }
    st->send[nfields - 1] = 1;
    pg_sql_add(&b, STAGE_SYNCED ", ");
    st->send_deleted = deleted < 0;
    if (st->send_deleted)
        pg_sql_add(&b, "\"" COL_DELETED "\", ");
    st->send_mask = mask == NULL;
    if (st->send_mask)
        pg_sql_add(&b, CHANGE_MASK ", ");
    pg_sql_add(&b, CHANGE_ORD ") FROM STDIN");
    if (b.oom) {
        free(b.s);
        return err_set(err, "out of memory");
    }
    st->copy_sql = b.s;
    return CH_OK;
}

/*
 * Applies the changes with one UPDATE ... FROM: each column takes the
 * change's value where an update gave it. With a mask shared by every change
 * (mask set) the statement sets just those columns; else each column's
 * CASE reads the change's own mask (one statement for every mix of
 * columns). deleted: 1 every change is a delete, 0 none is, -1 some are.
 * The UPDATE's count of rows is the changes that found their row; when it
 * falls short, the naming query (name_missing_sql) finds which did not. The
 * staging table is emptied by plan_table's next statement, in the same
 * round trip as what the merge sends next, so that the naming query can
 * still read it.
 *
 * The staging table has no statistics, so the planner would hash the whole
 * table to join it: a merge would cost as much as the table is large. With
 * hash and merge joins off for this statement it looks each key up in the
 * primary key's index, and costs as much as the changes are many (10,000
 * changes into 100,000 rows: 46 ms instead of 74 ms). plan_table turns
 * them on again. The changes are looked up in key order, the index's, so
 * that consecutive lookups share the index's pages (the rows wait in hash
 * order, which is random): about 8% less time per merge.
 */
static int plan_changes(pg_dest *d, pg_table *pt, pg_plan *p, ch_error *err)
{
    table_def *t = pt->def;
    pg_sql b = {0};
    pg_step *st;
    const char *mask = NULL;
    int deleted = -2, first = 1;
    size_t n = 0;
    char num[32];
    if (pt->changes.count == 0)
        return CH_OK;
    for (const pg_row *row = pg_rows_first(&pt->changes); row; row = pg_rows_next(row)) {
        if (first) {
            mask = row->mask;
            deleted = row->deleted;
            first = 0;
        } else {
            if (mask != NULL && strcmp(mask, row->mask) != 0)
                mask = NULL;
            if (deleted != row->deleted)
                deleted = -1;
        }
    }
    if (plan_change_stage(d, pt, p, err) != CH_OK || plan_empty(pt, 1, p, err) != CH_OK)
        return CH_ERROR;
    pg_sql_add(&b, "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; UPDATE ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " AS t SET ");
    for (size_t i = 0; i < pt->stage_ncols; i++) {
        if (table_is_key(t, i) || (mask != NULL && mask[i] != '1'))
            continue;
        sql_ident(&b, t->cols[i].dest_name);
        if (mask != NULL) {
            pg_sql_add(&b, " = s.");
            sql_ident(&b, t->cols[i].dest_name);
            pg_sql_add(&b, ", ");
            continue;
        }
        snprintf(num, sizeof num, "%zu", i + 1);
        pg_sql_add(&b, " = CASE WHEN substr(s." CHANGE_MASK ", ");
        pg_sql_add(&b, num);
        pg_sql_add(&b, ", 1) = '1' THEN s.");
        sql_ident(&b, t->cols[i].dest_name);
        pg_sql_add(&b, " ELSE t.");
        sql_ident(&b, t->cols[i].dest_name);
        pg_sql_add(&b, " END, ");
    }
    /* an update leaves the soft-delete flag alone, as in SQLite: only a delete sets it */
    pg_sql_add(&b, "\"" COL_SYNCED "\" = " SYNCED_OF("s."));
    if (deleted == 1)
        pg_sql_add(&b, ", \"" COL_DELETED "\" = true");
    else if (deleted < 0)
        pg_sql_add(&b, ", \"" COL_DELETED "\" = CASE WHEN s.\"" COL_DELETED
                       "\" THEN true ELSE t.\"" COL_DELETED "\" END");
    pg_sql_add(&b, " FROM (SELECT * FROM ");
    change_name(&b, pt);
    pg_sql_add(&b, " ORDER BY ");
    sql_key_list(&b, t);
    pg_sql_add(&b, ") AS s");
    for (size_t k = 0; k < t->nkey; k++) {
        pg_sql_add(&b, k ? " AND t." : " WHERE t.");
        sql_ident(&b, t->cols[t->key[k]].dest_name);
        pg_sql_add(&b, " = s.");
        sql_ident(&b, t->cols[t->key[k]].dest_name);
    }
    st = pg_plan_add(p, PG_STEP_CHANGES, &b, "update or delete (merging the staged changes)");
    if (st == NULL)
        return err_set(err, "out of memory");
    st->t = t;
    st->rows = pt->changes; /* taken whole, as plan_copy takes the pending rows */
    memset(&pt->changes, 0, sizeof pt->changes);
    pt->changes.hint = st->rows.nbuckets;
    if (plan_change_copy(pt, st, mask, deleted, err) != CH_OK)
        return CH_ERROR;
    /* the ordinals the COPY sends, by which the naming query's answers find their change */
    if ((st->order = malloc(st->rows.count * sizeof *st->order)) == NULL)
        return err_set(err, "out of memory");
    for (pg_row *row = pg_rows_first(&st->rows); row; row = pg_rows_next(row))
        st->order[n++] = row;
    st->norder = n;
    if ((st->name_sql[0] = name_missing_sql(d, pt)) == NULL)
        return err_set(err, "out of memory");
    return CH_OK;
}

/*
 * The steps merging the table's waiting operations: the changes, then the
 * pending rows, one per key, so one INSERT ... ON CONFLICT, in key order
 * (the index's, so that each index page takes its new keys in one go, where
 * hash order would touch them at random: 10 to 20% less time). The staging
 * tables empty themselves at commit (ON COMMIT DELETE ROWS, which cuts the
 * files short in place, cheaper than DELETE and TRUNCATE); after a merge
 * that is not its transaction's last (`last` unset) they are emptied with
 * DELETE when a later merge of the transaction uses them (plan_empty).
 */
static int plan_table(pg_dest *d, pg_table *pt, pg_plan *p, int last, ch_error *err)
{
    table_def *t = pt->def;
    pg_sql b = {0};
    int changed = pt->changes.count > 0;
    pt->tx_rows += pt->pending.count + pt->changes.count;
    if (last) {
        pt->last_rows = pt->tx_rows;
        pt->tx_rows = 0;
    }
    if (plan_changes(d, pt, p, err) != CH_OK)
        return CH_ERROR;
    if (changed) {
        /* the joins plan_changes turned off back on, in the round trip that merges the upserted
           rows when there are any */
        pg_sql_add(&b, "RESET enable_hashjoin; RESET enable_mergejoin; ");
    }
    /* the commit empties both staging tables */
    if (changed || last)
        pt->change_dirty = !last;
    if (pt->pending.count == 0) {
        if (last)
            pt->stage_dirty = 0;
        return changed ? plan_sql(p, &b, "update or delete (merging the staged changes)", err)
                       : CH_OK;
    }
    if (plan_stage(d, pt, p, err) != CH_OK || plan_empty(pt, 0, p, err) != CH_OK ||
        plan_copy(pt, p, err) != CH_OK) {
        free(b.s);
        return CH_ERROR;
    }
    pt->stage_dirty = !last;
    pg_sql_add(&b, "INSERT INTO ");
    pg_sql_table(&b, d->schema, t->dest_name);
    pg_sql_add(&b, " (");
    stage_columns(&b, t, pt->stage_ncols, COLS_TABLE);
    pg_sql_add(&b, ") SELECT ");
    stage_columns(&b, t, pt->stage_ncols, COLS_READ);
    pg_sql_add(&b, " FROM ");
    stage_name(&b, pt);
    pg_sql_add(&b, " ORDER BY ");
    sql_key_list(&b, t);
    pg_sql_add(&b, " ON CONFLICT (");
    sql_key_list(&b, t);
    pg_sql_add(&b, ") DO UPDATE SET ");
    for (size_t i = 0; i < pt->stage_ncols; i++) {
        if (table_is_key(t, i))
            continue;
        sql_ident(&b, t->cols[i].dest_name);
        pg_sql_add(&b, " = excluded.");
        sql_ident(&b, t->cols[i].dest_name);
        pg_sql_add(&b, ", ");
    }
    pg_sql_add(&b, "\"" COL_SYNCED "\" = excluded.\"" COL_SYNCED "\", \"" COL_DELETED
                   "\" = excluded.\"" COL_DELETED "\"");
    return plan_sql(p, &b, "upsert (merging the staged rows)", err);
}

int pg_plan_merge(pg_dest *d, pg_table *only, pg_plan *p, int last, ch_error *err)
{
    for (pg_table *pt = only ? only : d->tables; pt; pt = only ? NULL : pt->next)
        if (plan_table(d, pt, p, last, err) != CH_OK)
            return CH_ERROR;
    return CH_OK;
}

/* True when pt (NULL: any table) has rows waiting. */
static int waiting(const pg_dest *d, const pg_table *only)
{
    for (const pg_table *pt = only ? only : d->tables; pt; pt = only ? NULL : pt->next)
        if (pt->pending.count > 0 || pt->changes.count > 0)
            return 1;
    return 0;
}

/* Merges the waiting rows of pt (NULL: of every table) now, in the open transaction. */
static int merge_now(pg_dest *d, pg_table *pt, ch_error *err)
{
    pg_plan p = {0};
    if (!waiting(d, pt))
        return pg_land(d, err);
    if (pg_begin(d, err) != CH_OK)
        return CH_ERROR;
    if (pg_plan_merge(d, pt, &p, 0, err) != CH_OK) {
        ch_error ignored;
        pg_plan_land(d, &p, &ignored);
        return CH_ERROR;
    }
    return pg_plan_now(d, &p, err);
}

static int merge_table(pg_dest *d, pg_table *pt, ch_error *err)
{
    return merge_now(d, pt, err);
}

int pg_merge(pg_dest *d, table_def *t, ch_error *err)
{
    if (t != NULL)
        return t->dest ? merge_now(d, t->dest, err) : pg_land(d, err);
    return merge_now(d, NULL, err);
}

int pg_flush(dest *base, ch_error *err)
{
    return pg_merge((pg_dest *)base, NULL, err);
}

void pg_table_changed(pg_dest *d, table_def *t)
{
    pg_table *pt = t->dest;
    (void)d;
    if (pt == NULL)
        return;
    pt->stage_ready = 0; /* both made again with the new columns at the next merge */
    pt->change_ncols = 0;
}

void pg_stage_reset(pg_dest *d)
{
    for (pg_table *pt = d->tables; pt; pt = pt->next) {
        pg_rows_clear(&pt->pending);
        pg_rows_clear(&pt->changes);
        pt->tx_rows = 0;
        pt->stage_ready = 0;
        pt->change_ncols = 0;
    }
}

/*
 * Waiting rows carry the table's first stage_ncols columns; before rows of
 * more columns join them, they are merged (defensive: schema changes merge
 * first).
 */
static int fit_stage(pg_dest *d, pg_table *pt, ch_error *err)
{
    if (pt->stage_ncols != pt->def->ncols && (pt->pending.count > 0 || pt->changes.count > 0) &&
        merge_table(d, pt, err) != CH_OK)
        return CH_ERROR;
    pt->stage_ncols = pt->def->ncols;
    return CH_OK;
}

/*
 * Merges the table's waiting rows on the flight's thread, in the open
 * transaction, when the connection is idle (no commit or merge in flight)
 * and they are many enough: the server then works on part of a checkpoint's
 * rows while the rest are folded, and while the host records the last
 * commit (its state files), instead of waiting for the whole checkpoint.
 * The rest merge at the checkpoint, after these, so every key's operations
 * still apply in their order (as after a merge at the bound on memory).
 */
static int early(pg_dest *d, pg_table *pt, ch_error *err)
{
    size_t waiting = pt->pending.count + pt->changes.count;
    pg_plan p = {0};
    pg_sql b = {0};
    ch_error ignored;
    if (d->flight != NULL || d->flight_failed || !d->schema_ok || waiting < EARLY_ROWS_MIN ||
        waiting < pt->last_rows / EARLY_SHARE)
        return CH_OK;
    if (!d->in_tx) { /* BEGIN goes with the merge, as with a commit's */
        pg_sql_add(&b, "BEGIN");
        pg_plan_add(&p, PG_STEP_SQL, &b, "starting a transaction");
    }
    if (pg_plan_merge(d, pt, &p, 0, err) != CH_OK || p.oom) {
        pg_plan_land(d, &p, &ignored);
        d->in_tx = 1; /* the rows were handed to the plan: only a rollback ends this transaction */
        return p.oom ? err_set(err, "out of memory") : CH_ERROR;
    }
    return pg_flight_early(d, &p, err);
}

void pg_early(pg_dest *d)
{
    for (pg_table *pt = d->tables; pt && d->flight == NULL && !d->flight_failed; pt = pt->next)
        if (early(d, pt, &d->flight_err) != CH_OK) {
            /* rows were handed over: the transaction can only fail now */
            err_prefix(&d->flight_err, "merging the rows of this checkpoint ahead of it failed");
            d->flight_failed = 1;
        }
}

/*
 * Merges the table once its waiting rows reach the bound on memory; starts
 * an early merge when they are fewer but the connection is idle.
 */
static int bound(pg_dest *d, pg_table *pt, ch_error *err)
{
    if (pt->pending.count + pt->changes.count >= PENDING_ROWS_MAX ||
        pt->pending.bytes + pt->changes.bytes >= PENDING_BYTES_MAX)
        return merge_table(d, pt, err);
    return early(d, pt, err);
}

int pg_upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
              ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_table *pt = t->dest;
    pg_rows *m = &pt->pending;
    size_t nfields;
    const char *key;
    pg_row *row;
    /* no transaction yet: folding needs none, and a commit may still be in flight */
    if (fit_stage(d, pt, err) != CH_OK)
        return CH_ERROR;
    nfields = t->ncols + (t->nkey == 0) + 1;
    if (row_key(d, t, vals, id, &key, err) != CH_OK)
        return CH_ERROR;
    if ((row = pg_row_new(m, key, nfields)) == NULL)
        return err_set(err, "out of memory");
    for (size_t i = 0; i < t->ncols; i++) {
        if (t->nkey == 1 && i == t->key[0] && vals[i].type != T_NONE) {
            row->fields[i] = row->key; /* the same text: kept once */
            continue;
        }
        if (field_text(d, t, i, &vals[i], m, &row->fields[i], err) != CH_OK)
            return CH_ERROR;
    }
    if (synced_text(d, synced, m, &row->fields[nfields - 1], err) != CH_OK ||
        (t->nkey == 0 && string_text(d, t, id, m, &row->fields[t->ncols], err) != CH_OK))
        return CH_ERROR;
    m->bytes += sizeof *row + nfields * sizeof row->fields[0] + strlen(row->key);
    if (pg_rows_put(m, row) != CH_OK)
        return err_set(err, "out of memory");
    return bound(d, pt, err);
}

/* Changes the given columns of a pending row in place, as the UPDATE would after the merge. */
static int update_pending(pg_dest *d, table_def *t, pg_row *row, const value *vals,
                          const unsigned char *present, const char *synced, ch_error *err)
{
    pg_rows *m = map_of(t->dest, row);
    for (size_t i = 0; i < t->ncols; i++) {
        if (!present[i] || table_is_key(t, i))
            continue;
        /* the text replaced stays in the map's memory until the merge, counted */
        if (field_text(d, t, i, &vals[i], m, &row->fields[i], err) != CH_OK)
            return CH_ERROR;
    }
    return synced_text(d, synced, m, &row->fields[row->nfields - 1], err);
}

/*
 * Finds the waiting row of the key in vals: *pending when the key has an
 * upserted row, else its change, made (with the key's fields) if new.
 */
static int waiting_row(pg_dest *d, table_def *t, const value *vals, pg_row **pending,
                       pg_row **change, ch_error *err)
{
    pg_table *pt = t->dest;
    pg_rows *m = &pt->changes;
    size_t nfields = t->ncols + 1, hash; /* keyed: the columns, then synced */
    const char *key;
    pg_row *row;
    *pending = *change = NULL;
    if (t->nkey == 0) /* the sink refuses these: there is no key to find the row by */
        return err_set(err, "table '%s' has no primary key", t->name);
    if (fit_stage(d, pt, err) != CH_OK || row_key(d, t, vals, NULL, &key, err) != CH_OK)
        return CH_ERROR;
    hash = pg_key_hash(key);
    if ((*pending = pg_rows_find(&pt->pending, key, hash)) != NULL ||
        (*change = pg_rows_find(m, key, hash)) != NULL)
        return CH_OK;
    if ((row = pg_row_new(m, key, nfields)) == NULL ||
        (row->mask = pg_rows_alloc(m, t->ncols + 1)) == NULL)
        return err_set(err, "out of memory");
    memset(row->mask, '0', t->ncols);
    row->mask[t->ncols] = '\0';
    for (size_t k = 0; k < t->nkey; k++) {
        if (t->nkey == 1 && vals[t->key[0]].type != T_NONE) {
            row->fields[t->key[0]] = row->key; /* the same text: kept once */
            continue;
        }
        if (field_text(d, t, t->key[k], &vals[t->key[k]], m, &row->fields[t->key[k]], err) != CH_OK)
            return CH_ERROR;
    }
    m->bytes += sizeof *row + nfields * sizeof row->fields[0] + strlen(row->key) + 2 * t->ncols;
    if (pg_rows_put(m, row) != CH_OK)
        return err_set(err, "out of memory");
    *change = row;
    return CH_OK;
}

int pg_update(dest *base, table_def *t, const value *vals, const unsigned char *present,
              const char *synced, long op, int *found, ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_row *pending, *change;
    if (waiting_row(d, t, vals, &pending, &change, err) != CH_OK)
        return CH_ERROR;
    if (pending != NULL) {
        *found = 1;
        return update_pending(d, t, pending, vals, present, synced, err);
    }
    /* the row is known at the merge; the mask keeps which columns were given */
    if (update_pending(d, t, change, vals, present, synced, err) != CH_OK)
        return CH_ERROR;
    for (size_t i = 0; i < t->ncols; i++)
        if (present[i] && !table_is_key(t, i))
            change->mask[i] = '1';
    if (change->updates++ == 0)
        change->first_update = op;
    *found = -1;
    return bound(d, t->dest, err);
}

int pg_remove(dest *base, table_def *t, const value *vals, const char *synced, long op, int *found,
              ch_error *err)
{
    pg_dest *d = (pg_dest *)base;
    pg_row *pending, *change, *row;
    if (waiting_row(d, t, vals, &pending, &change, err) != CH_OK)
        return CH_ERROR;
    row = pending ? pending : change;
    if (synced_text(d, synced, map_of(t->dest, row), &row->fields[row->nfields - 1], err) != CH_OK)
        return CH_ERROR;
    row->deleted = 1; /* soft delete: the row keeps its values */
    if (pending != NULL) {
        *found = 1;
        return CH_OK;
    }
    if (change->deletes++ == 0)
        change->first_delete = op;
    *found = -1;
    return bound(d, t->dest, err);
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
