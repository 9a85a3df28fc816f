/* sql_common.c - what SQLite and PostgreSQL do the same way: names, key lists, reconciling columns.
 */
#include "sql_common.h"

#include <stdlib.h>
#include <string.h>

void sql_ident(textbuf *b, const char *name)
{
    const char *quote;
    textbuf_add(b, "\"");
    while ((quote = strchr(name, '"')) != NULL) {
        textbuf_addn(b, name, (size_t)(quote - name) + 1);
        textbuf_add(b, "\""); /* the quote doubled */
        name = quote + 1;
    }
    textbuf_add(b, name);
    textbuf_add(b, "\"");
}

void sql_key_list(textbuf *b, const table_def *t)
{
    if (t->nkey == 0) {
        sql_ident(b, COL_ID);
        return;
    }
    for (size_t k = 0; k < t->nkey; k++) {
        if (k)
            textbuf_add(b, ", ");
        sql_ident(b, t->cols[t->key[k]].dest_name);
    }
}

/* Marks column c seen, growing the marks to the table's columns. */
static int mark_seen(sql_found *f, const table_def *t, size_t c)
{
    if (f->nseen < t->ncols) {
        unsigned char *grown = realloc(f->seen, t->ncols);
        if (grown == NULL)
            return CH_ERROR;
        memset(grown + f->nseen, 0, t->ncols - f->nseen);
        f->seen = grown;
        f->nseen = t->ncols;
    }
    f->seen[c] = 1;
    return CH_OK;
}

int sql_found_column(sql_found *f, table_def *t, const char *name, int pk, type_spec ts, long *col,
                     int *adopted, ch_error *err)
{
    long c = -1;
    *col = -1;
    *adopted = 0;
    f->exists = 1;
    if (pk > MAX_KEY_COLUMNS)
        return err_set(err, "the warehouse table has more than %d primary key columns",
                       MAX_KEY_COLUMNS);
    if (pk > 0 && (f->pk_names[pk - 1] = strdup(name)) == NULL)
        return err_set(err, "out of memory");
    if (pk > f->npk)
        f->npk = pk;
    if (strcmp(name, COL_SYNCED) == 0 || strcmp(name, COL_DELETED) == 0 ||
        strcmp(name, COL_ID) == 0)
        return CH_OK;
    for (size_t i = 0; i < t->ncols && c < 0; i++)
        if (strcmp(t->cols[i].dest_name, name) == 0)
            c = (long)i;
    if (c < 0) {
        if ((c = table_add_column(t, name, ts.type, ts.precision, ts.scale, 0, err)) < 0)
            return CH_ERROR;
        *adopted = 1;
        t->cols[c].in_warehouse = 1;
        t->cols[c].named_by_warehouse = 1;
        if (strcmp(t->cols[c].dest_name, name) != 0) {
            /* made by hand, not in normal form: use it under its own name */
            char *own = strdup(name);
            if (own == NULL)
                return err_set(err, "out of memory");
            free(t->cols[c].dest_name);
            t->cols[c].dest_name = own;
        }
    }
    if (mark_seen(f, t, (size_t)c) != CH_OK)
        return err_set(err, "out of memory");
    *col = c;
    return CH_OK;
}

void sql_found_free(sql_found *f)
{
    for (int k = 0; k < MAX_KEY_COLUMNS; k++)
        free(f->pk_names[k]);
    free(f->seen);
    memset(f, 0, sizeof *f);
}

type_spec sql_column_type(const column_def *c)
{
    type_spec ts = {c->type, c->precision, c->scale};
    return ts;
}

/* True when the type is the column's (for DECIMAL, with its precision and scale). */
static int same_type(type_spec a, const column_def *c)
{
    return a.type == c->type &&
           (a.type != T_DECIMAL || (a.precision == c->precision && a.scale == c->scale));
}

int sql_reconcile_column(dest *d, table_def *t, size_t c, type_spec stored, int exact, int *record,
                         int *schema_changes, ch_error *err)
{
    column_def *col = &t->cols[c];
    type_spec want = sql_column_type(col);
    char from[32], to[32];
    int lossy = 0;
    col->in_warehouse = 1;
    *record = 0;
    if (!col->declared || col->type == T_NONE) {
        col->type = stored.type;
        col->precision = stored.precision;
        col->scale = stored.scale;
        *record = !exact;
        return CH_OK;
    }
    if (!exact) {
        *record = 1; /* a warehouse older than the type records: the declaration wins */
        return CH_OK;
    }
    if (same_type(stored, col))
        return CH_OK;
    type_format(stored.type, stored.precision, stored.scale, from, sizeof from);
    type_format(want.type, want.precision, want.scale, to, sizeof to);
    if (d->ops->change_type(d, t, c, stored, want, &lossy, err) != CH_OK)
        return err_prefix(err, "column '%s' is now declared %s but the warehouse holds %s values",
                          col->name, to, from);
    dest_notice(d, "table '%s': column '%s' changed from %s to %s as now declared", t->name,
                col->name, from, to);
    ++*schema_changes;
    return CH_OK;
}

/* Checks that the warehouse table's key is the declared one. */
static int check_key(const table_def *t, const sql_found *f, const char *advice, ch_error *err)
{
    textbuf want = {0};
    if (table_key_is(t, f->pk_names, f->npk))
        return CH_OK;
    sql_key_list(&want, t);
    err_set(err, "the warehouse table %s has another primary key than the schema's (%s); %s",
            t->dest_name, want.s ? want.s : "?", advice);
    free(want.s);
    return CH_ERROR;
}

int sql_prepare_finish(dest *d, table_def *t, sql_found *f, int rc,
                       int (*create)(dest *d, table_def *t, ch_error *err), const char *advice,
                       int *schema_changes, ch_error *err)
{
    if (rc == CH_OK && !f->exists) {
        rc = create(d, t, err);
        *schema_changes = 1;
    } else if (rc == CH_OK) {
        rc = check_key(t, f, advice, err);
        for (size_t i = 0; rc == CH_OK && i < t->ncols; i++) {
            if (sql_found_has(f, i) || t->cols[i].type == T_NONE)
                continue;
            rc = d->ops->add_column(d, t, i, err);
            ++*schema_changes;
        }
    }
    sql_found_free(f);
    return rc;
}
