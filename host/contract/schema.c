/* schema.c - the schema builder behind ch_schema_* and ch_table_*, with its checks. */
#include "schema.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "value.h"

/* Records a declaration error; the schema stays usable so that all are found. */
static int note(schema *s, const char *format, const char *a, const char *b, const char *c)
{
    if (s->nerrors < SCHEMA_MAX_ERRORS)
        err_set(&s->errors[s->nerrors], format, a, b, c);
    s->nerrors++;
    return CH_ERROR;
}

schema *schema_new(const struct ch_config *config)
{
    schema *s = calloc(1, sizeof *s);
    if (s)
        s->config = config;
    return s;
}

static void table_free(table_def *t)
{
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].dest_name);
    }
    for (size_t i = 0; i < t->nkey_names; i++)
        free(t->key_names[i]);
    free(t->key_names);
    free(t->key_inferred);
    free(t->cols);
    free(t->key);
    free(t->name);
    free(t->dest_name);
    free(t);
}

void schema_free(schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->ntables; i++)
        table_free(s->tables[i]);
    free(s->tables);
    free(s);
}

table_def *schema_find(const schema *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (strcmp(s->tables[i]->name, name) == 0)
            return s->tables[i];
    return NULL;
}

/*
 * The destination spelling of a name: normalised, or as written under
 * --naming source. Names as written are compared without regard to ASCII
 * case, because SQLite does not tell "Foo" from "foo"; normalised names
 * are lower case anyway.
 */
static char *dest_form(const schema *s, const char *name, name_kind kind)
{
    return s->naming_source ? strdup(name) : normalize_name(name, kind);
}

static int same_name(const schema *s, const char *a, const char *b)
{
    return s->naming_source ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* Case does not matter here: no name of the host's may be taken in SQLite either. */
static int is_reserved(const char *dest_name)
{
    return strncasecmp(dest_name, "_connector_", 11) == 0;
}

/* The system column that dest_name would be, or NULL. */
static const char *system_column(const char *dest_name)
{
    static const char *const names[] = {COL_SYNCED, COL_DELETED, COL_ID};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(dest_name, names[i]) == 0)
            return names[i];
    return NULL;
}

/* Says that a and b become one name; under --naming source, they differ only in case. */
static int collision(const schema *s, ch_error *err, const char *what, const char *a, const char *b,
                     const char *dest)
{
    if (s->naming_source)
        return err_set(err,
                       "%s '%s' and '%s' differ only in letter case, which SQLite does not tell "
                       "apart (--naming source)",
                       what, a, b);
    return err_set(err, "%s '%s' and '%s' both become '%s' in the destination", what, a, b, dest);
}

/* Every table of the process gets its own uid, from 1, so that a memo of one never fits another. */
static _Atomic unsigned long next_uid = 1;

static table_def *add_table(schema *s, const char *name, ch_error *err)
{
    table_def *t;
    char *dest;
    if (name == NULL || *name == '\0') {
        err_set(err, "a table name is empty");
        return NULL;
    }
    if (schema_find(s, name)) {
        err_set(err, "table '%s' is declared twice", name);
        return NULL;
    }
    dest = dest_form(s, name, NAME_TABLE);
    if (dest == NULL) {
        err_set(err, "out of memory");
        return NULL;
    }
    if (is_reserved(dest)) {
        err_set(err, "table '%s': names starting with _connector_ are reserved for the host", name);
        free(dest);
        return NULL;
    }
    for (size_t i = 0; i < s->ntables; i++) {
        if (same_name(s, s->tables[i]->dest_name, dest)) {
            collision(s, err, "tables", s->tables[i]->name, name, dest);
            free(dest);
            return NULL;
        }
    }
    if (s->ntables == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        table_def **tables = realloc(s->tables, cap * sizeof *tables);
        if (tables == NULL) {
            free(dest);
            err_set(err, "out of memory");
            return NULL;
        }
        s->tables = tables;
        s->cap = cap;
    }
    t = calloc(1, sizeof *t);
    if (t == NULL || (t->name = strdup(name)) == NULL) {
        free(t);
        free(dest);
        err_set(err, "out of memory");
        return NULL;
    }
    t->schema = s;
    t->dest_name = dest;
    t->uid = atomic_fetch_add(&next_uid, 1);
    t->index = s->ntables;
    s->tables[s->ntables++] = t;
    return t;
}

table_def *schema_add_table(schema *s, const char *name, ch_error *err)
{
    return add_table(s, name, err);
}

long table_find_column(const table_def *t, const char *name, size_t hint)
{
    if (hint < t->ncols && strcmp(t->cols[hint].name, name) == 0)
        return (long)hint;
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

int table_is_key_wide(const table_def *t, size_t col)
{
    for (size_t k = 0; k < t->nkey; k++)
        if (t->key[k] == col)
            return 1;
    return 0;
}

int table_key_is(const table_def *t, char *const *names, int n)
{
    if (n != (t->nkey ? (int)t->nkey : 1))
        return 0;
    for (int k = 0; k < n; k++)
        if (names[k] == NULL ||
            strcmp(names[k], t->nkey ? t->cols[t->key[k]].dest_name : COL_ID) != 0)
            return 0;
    return 1;
}

/* Refuses a destination name that is a system column's or the host's. */
static int check_column_dest(const table_def *t, const char *name, const char *dest, ch_error *err)
{
    if (system_column(dest))
        return err_set(err, "table '%s': column '%s' collides with the system column '%s'", t->name,
                       name, system_column(dest));
    if (is_reserved(dest)) /* the destinations' working columns */
        return err_set(err,
                       "table '%s': column '%s': names starting with _connector_ are reserved for "
                       "the host",
                       t->name, name);
    return CH_OK;
}

/* Appends a column; takes dest, freeing it on failure. */
static long append_column(table_def *t, const char *name, char *dest, col_type type, int precision,
                          int scale, int declared, ch_error *err)
{
    column_def *c;
    if (t->ncols == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        column_def *cols = realloc(t->cols, cap * sizeof *cols);
        if (cols == NULL) {
            free(dest);
            return err_set(err, "out of memory");
        }
        t->cols = cols;
        t->cap = cap;
    }
    c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    if (c->name == NULL) {
        free(dest);
        return err_set(err, "out of memory");
    }
    c->dest_name = dest;
    c->type = type;
    c->precision = precision;
    c->scale = scale;
    c->declared = declared;
    if (declared)
        t->has_declared_columns = 1;
    return (long)t->ncols++;
}

long table_add_column(table_def *t, const char *name, col_type type, int precision, int scale,
                      int declared, ch_error *err)
{
    char *dest;
    if (name == NULL || *name == '\0')
        return err_set(err, "table '%s': a column name is empty", t->name);
    if (table_find_column(t, name, 0) >= 0)
        return err_set(err, "table '%s': column '%s' is declared twice", t->name, name);
    dest = dest_form(t->schema, name, NAME_COLUMN);
    if (dest == NULL)
        return err_set(err, "out of memory");
    if (check_column_dest(t, name, dest, err) != CH_OK) {
        free(dest);
        return -1;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        if (same_name(t->schema, t->cols[i].dest_name, dest)) {
            collision(t->schema, err, "columns", t->cols[i].name, name, dest);
            err_prefix(err, "table '%s'", t->name);
            free(dest);
            return -1;
        }
    }
    return append_column(t, name, dest, type, precision, scale, declared, err);
}

long table_add_found_column(table_def *t, const char *name, col_type type, int precision, int scale,
                            ch_error *err)
{
    char *dest = strdup(name);
    long c;
    if (dest == NULL)
        return err_set(err, "out of memory");
    if (check_column_dest(t, name, dest, err) != CH_OK) {
        free(dest);
        return -1;
    }
    c = append_column(t, name, dest, type, precision, scale, 0, err);
    if (c >= 0) {
        t->cols[c].in_warehouse = 1;
        t->cols[c].named_by_warehouse = 1;
    }
    return c;
}

/* The column known only from the warehouse whose destination name is dest, or -1. */
static long warehouse_column(const table_def *t, const char *dest)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].named_by_warehouse && strcmp(t->cols[i].dest_name, dest) == 0)
            return (long)i;
    return -1;
}

/*
 * Sets *old to the name the first rule gave `name` when it differs from
 * its name now, else NULL; also NULL for a name of the host's, which the
 * first rule refused too ("_Connector_State" is now the table
 * connector_state, never the host's _connector_state).
 */
static int v1_name(const schema *s, const char *name, const char *now, name_kind kind, char **old)
{
    *old = NULL;
    if (s->naming_source)
        return CH_OK; /* the first rule always normalised: nothing was named as written */
    if ((*old = normalize_name_v1(name)) == NULL)
        return CH_ERROR;
    if (strcmp(*old, now) == 0 || is_reserved(*old) ||
        (kind == NAME_COLUMN && system_column(*old))) {
        free(*old);
        *old = NULL;
    }
    return CH_OK;
}

long table_adopt_column(table_def *t, const char *name)
{
    char *dest, *old, *copy;
    long found;
    if ((dest = dest_form(t->schema, name, NAME_COLUMN)) == NULL)
        return -1;
    found = warehouse_column(t, dest);
    if (found < 0 && v1_name(t->schema, name, dest, NAME_COLUMN, &old) == CH_OK && old) {
        found = warehouse_column(t, old); /* made by the host's first naming rule */
        free(old);
    }
    free(dest);
    if (found < 0 || (copy = strdup(name)) == NULL)
        return -1;
    free(t->cols[found].name);
    t->cols[found].name = copy;
    t->cols[found].named_by_warehouse = 0;
    return found;
}

int column_v1_name(const table_def *t, size_t c, char **old)
{
    return v1_name(t->schema, t->cols[c].name, t->cols[c].dest_name, NAME_COLUMN, old);
}

int table_v1_name(const table_def *t, char **old)
{
    if (v1_name(t->schema, t->name, t->dest_name, NAME_TABLE, old) != CH_OK)
        return CH_ERROR;
    for (size_t i = 0; *old && i < t->schema->ntables; i++)
        if (strcmp(t->schema->tables[i]->dest_name, *old) == 0) {
            free(*old); /* another table's name now: that table is the warehouse's */
            *old = NULL;
        }
    return CH_OK;
}

ch_table *ch_schema_table(ch_schema *s, const char *name)
{
    ch_error err;
    table_def *t;
    if (s == NULL)
        return NULL;
    t = add_table(s, name, &err);
    if (t == NULL)
        note(s, "%s", err.msg, NULL, NULL);
    return t;
}

static int add_key(ch_table *t, const char *column, int inferred)
{
    char **names;
    unsigned char *inf;
    if (t == NULL)
        return CH_ERROR;
    if (column == NULL || *column == '\0')
        return note(t->schema, "table '%s': a primary key column name is empty", t->name, NULL,
                    NULL);
    if (t->nkey_names == MAX_KEY_COLUMNS)
        return note(t->schema, "table '%s': more than %s primary key columns", t->name,
                    MAX_KEY_COLUMNS_TEXT, NULL);
    for (size_t i = 0; i < t->nkey_names; i++)
        if (strcmp(t->key_names[i], column) == 0)
            return note(t->schema, "table '%s': primary key column '%s' is named twice", t->name,
                        column, NULL);
    names = realloc(t->key_names, (t->nkey_names + 1) * sizeof *names);
    if (names == NULL)
        return note(t->schema, "%s", "out of memory", NULL, NULL);
    t->key_names = names;
    if ((inf = realloc(t->key_inferred, t->nkey_names + 1)) == NULL)
        return note(t->schema, "%s", "out of memory", NULL, NULL);
    t->key_inferred = inf;
    inf[t->nkey_names] = (unsigned char)inferred;
    if ((names[t->nkey_names] = strdup(column)) == NULL)
        return note(t->schema, "%s", "out of memory", NULL, NULL);
    t->nkey_names++;
    return CH_OK;
}

int ch_table_primary_key(ch_table *t, const char *column)
{
    return add_key(t, column, 0);
}

int ch_table_key_column(ch_table *t, const char *column)
{
    return add_key(t, column, 1);
}

void *ch_schema_user_data(const ch_schema *s)
{
    return s ? s->user_data : NULL;
}

int ch_schema_fail(ch_schema *s, const char *format, ...)
{
    va_list ap;
    if (s == NULL || format == NULL || s->failed)
        return CH_ERROR;
    va_start(ap, format);
    vsnprintf(s->failure.msg, sizeof s->failure.msg, format, ap);
    va_end(ap);
    s->failed = 1;
    return CH_ERROR;
}

int ch_table_column(ch_table *t, const char *column, const char *type_text)
{
    ch_error err;
    col_type type;
    int precision, scale;
    if (t == NULL)
        return CH_ERROR;
    if (type_parse(type_text, &type, &precision, &scale, &err) != CH_OK)
        return note(t->schema, "table '%s', column '%s': %s", t->name, column ? column : "",
                    err.msg);
    if (table_add_column(t, column, type, precision, scale, 1, &err) < 0)
        return note(t->schema, "%s", err.msg, NULL, NULL);
    return CH_OK;
}

/* Turns the declared key names into column indexes, adding undeclared key columns. */
static void resolve_key(schema *s, table_def *t)
{
    ch_error err;
    free(t->key);
    t->key = NULL;
    t->nkey = 0;
    t->key_bits = 0;
    if (t->nkey_names == 0)
        return;
    t->key = malloc(t->nkey_names * sizeof *t->key);
    if (t->key == NULL) {
        note(s, "%s", "out of memory", NULL, NULL);
        return;
    }
    for (size_t i = 0; i < t->nkey_names; i++) {
        long c = table_find_column(t, t->key_names[i], i);
        if (c < 0 && t->has_declared_columns && !t->key_inferred[i]) {
            note(s, "table '%s': primary key column '%s' is not among its declared columns",
                 t->name, t->key_names[i], NULL);
            continue;
        }
        if (c < 0)
            c = table_add_column(t, t->key_names[i], T_NONE, 0, 0, 0, &err);
        if (c < 0) {
            note(s, "%s", err.msg, NULL, NULL);
            continue;
        }
        t->key[t->nkey++] = (size_t)c;
        if (c < 64)
            t->key_bits |= UINT64_C(1) << c;
    }
}

int schema_finish(schema *s, ch_error *err)
{
    size_t off = 0, shown;
    for (size_t i = 0; i < s->ntables; i++)
        resolve_key(s, s->tables[i]);
    if (s->nerrors == 0)
        return CH_OK;
    shown = s->nerrors < SCHEMA_MAX_ERRORS ? s->nerrors : SCHEMA_MAX_ERRORS;
    err_clear(err); /* the message is composed in place below */
    off = (size_t)snprintf(err->msg, sizeof err->msg, "invalid schema (%zu error%s)", s->nerrors,
                           s->nerrors == 1 ? "" : "s");
    for (size_t i = 0; i < shown && off < sizeof err->msg; i++)
        off += (size_t)snprintf(err->msg + off, sizeof err->msg - off, "%s %s", i == 0 ? ":" : ";",
                                s->errors[i].msg);
    return CH_ERROR;
}

const char *table_key_describe(const table_def *t, const value *const *keys, char *buf, size_t size)
{
    char quoted[300];
    size_t n = 0;
    if (size < 4) {
        if (size)
            buf[0] = '\0';
        return buf;
    }
    buf[0] = '\0';
    for (size_t k = 0; k < t->nkey; k++) {
        int w;
        if (keys[k] == NULL)
            continue;
        w = snprintf(buf + n, size - n, "%s%s=%s", n ? ", " : "", t->cols[t->key[k]].name,
                     value_quote(keys[k], quoted, sizeof quoted));
        if (w >= 0 && (size_t)w < size - n) {
            n += (size_t)w;
            continue;
        }
        /* a key of many long columns: cut where a UTF-8 sequence starts, and say so */
        n = size - 4;
        while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
            n--;
        memcpy(buf + n, "...", 4);
        break;
    }
    return buf;
}

const char *table_op_row(long number, const table_def *t, const value *const *keys, char *buf,
                         size_t size)
{
    char key[400];
    if (t != NULL && keys != NULL && *table_key_describe(t, keys, key, sizeof key))
        snprintf(buf, size, "operation %ld (key %s)", number, key);
    else
        snprintf(buf, size, "operation %ld", number);
    return buf;
}

const char *table_op_context(const char *kind, const char *table, const char *column, long number,
                             const table_def *t, const value *const *keys, char *buf, size_t size)
{
    char row[500];
    table_op_row(number, t, keys, row, sizeof row);
    if (table == NULL)
        snprintf(buf, size, "%s, %s", kind, row);
    else if (column == NULL)
        snprintf(buf, size, "%s on table '%s', %s", kind, table, row);
    else
        snprintf(buf, size, "%s on table '%s', column '%s', %s", kind, table, column, row);
    return buf;
}
