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
        /* under its own name: normalised by the host's first rule, or made by hand */
        if ((c = table_add_found_column(t, name, ts.type, ts.precision, ts.scale, err)) < 0)
            return CH_ERROR;
        *adopted = 1;
    }
    if (mark_seen(f, t, (size_t)c) != CH_OK)
        return err_set(err, "out of memory");
    *col = c;
    return CH_OK;
}

int sql_names_add(sql_names *n, const char *name)
{
    char **grown = realloc(n->names, (n->count + 1) * sizeof *grown);
    if (grown == NULL)
        return CH_ERROR;
    n->names = grown;
    if ((grown[n->count] = strdup(name)) == NULL)
        return CH_ERROR;
    n->count++;
    return CH_OK;
}

void sql_names_free(sql_names *n)
{
    for (size_t i = 0; i < n->count; i++)
        free(n->names[i]);
    free(n->names);
    memset(n, 0, sizeof *n);
}

static int sql_names_has(const sql_names *n, const char *name)
{
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->names[i], name) == 0)
            return 1;
    return 0;
}

/* True when the table or one of its columns had another name by the host's first rule. */
static int earlier_names_differ(const table_def *t, int *differ)
{
    char *old;
    *differ = 0;
    if (table_v1_name(t, &old) != CH_OK)
        return CH_ERROR;
    *differ = old != NULL;
    free(old);
    for (size_t c = 0; !*differ && c < t->ncols; c++) {
        if (column_v1_name(t, c, &old) != CH_OK)
            return CH_ERROR;
        *differ = old != NULL;
        free(old);
    }
    return CH_OK;
}

/* True when a column of t other than c has the destination name `name`. */
static int name_taken(const table_def *t, size_t c, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (i != c && strcmp(t->cols[i].dest_name, name) == 0)
            return 1;
    return 0;
}

int sql_earlier_names(dest *d, table_def *t, sql_read_names read, ch_error *err)
{
    sql_names held = {0};
    textbuf kept = {0};
    char *old = NULL;
    int differ, rc;
    if (earlier_names_differ(t, &differ) != CH_OK)
        return err_set(err, "out of memory");
    if (!differ)
        return CH_OK; /* the common case, at no cost: both rules agree */
    rc = read(d, t->dest_name, &held, err);
    if (rc == CH_OK && held.count == 0 && (rc = table_v1_name(t, &old)) != CH_OK)
        err_set(err, "out of memory");
    if (rc == CH_OK && old && (rc = read(d, old, &held, err)) == CH_OK && held.count > 0) {
        textbuf_add(&kept, "table ");
        textbuf_add(&kept, old);
        textbuf_add(&kept, " for ");
        textbuf_add(&kept, t->dest_name);
        free(t->dest_name);
        t->dest_name = old;
        old = NULL;
    }
    free(old);
    for (size_t c = 0; rc == CH_OK && c < t->ncols; c++) {
        column_def *col = &t->cols[c];
        if (col->named_by_warehouse || sql_names_has(&held, col->dest_name))
            continue;
        if (column_v1_name(t, c, &old) != CH_OK) {
            rc = err_set(err, "out of memory");
            break;
        }
        if (old && sql_names_has(&held, old) && !name_taken(t, c, old)) {
            textbuf_add(&kept, kept.len ? ", column " : "column ");
            textbuf_add(&kept, old);
            textbuf_add(&kept, " for ");
            textbuf_add(&kept, col->dest_name);
            free(col->dest_name);
            col->dest_name = old;
        } else {
            free(old);
        }
        old = NULL;
    }
    if (rc == CH_OK && kept.len)
        dest_notice(d,
                    "table '%s': using the names the warehouse has from before the host "
                    "followed Fivetran's naming: %s",
                    t->name, kept.oom ? "..." : kept.s);
    free(kept.s);
    sql_names_free(&held);
    return rc;
}

int sql_has_table(dest *d, table_def *t, sql_read_names read, int *held, ch_error *err)
{
    sql_names names = {0};
    char *old = NULL;
    int rc = read(d, t->dest_name, &names, err);
    if (rc == CH_OK && names.count == 0 && table_v1_name(t, &old) != CH_OK)
        rc = err_set(err, "out of memory");
    if (rc == CH_OK && names.count == 0 && old != NULL)
        rc = read(d, old, &names, err);
    *held = rc == CH_OK && names.count > 0;
    free(old);
    sql_names_free(&names);
    return rc;
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

col_type sql_key_type(const table_def *t, size_t k, size_t col, type_spec from)
{
    return t->key[k] == col ? from.type : t->cols[t->key[k]].type;
}

void sql_name_row(const table_def *t, const value *const *keys, ch_error *err)
{
    char key[400];
    if (*table_key_describe(t, keys, key, sizeof key))
        err_prefix(err, "stored row (key %s)", key);
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
        return err_prefix(err,
                          "table '%s', column '%s': now declared %s but the warehouse holds %s "
                          "values",
                          t->name, col->name, to, from);
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
