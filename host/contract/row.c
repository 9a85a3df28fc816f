/* row.c - typed setters; each checks its input so that bad values fail at the source. */
#include "row.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/hot.h"
#include "formats.h"
#include "schema.h"

ch_row *ch_row_new(void)
{
    return calloc(1, sizeof(ch_row));
}

/* Forgets why the row was invalid; apart, so that clearing a valid row saves no registers. */
static __attribute__((noinline)) void clear_invalid(ch_row *row)
{
    row->invalid = 0;
    free(row->invalid_column);
    row->invalid_column = NULL;
    err_clear(&row->invalid_why);
}

void ch_row_clear(ch_row *row)
{
    if (row == NULL)
        return;
    row->before = row->count;
    row->count = 0;
    row->refilled = 0;
    if (row->invalid) /* the reason is read only while the row is invalid */
        clear_invalid(row);
}

void ch_row_free(ch_row *row)
{
    if (row == NULL)
        return;
    for (size_t i = 0; i < row->cap; i++) {
        free(row->fields[i].name);
        value_free(&row->fields[i].v);
    }
    free(row->fields);
    free(row->invalid_column);
    free(row);
}

const field *row_find(const ch_row *row, const char *column)
{
    for (size_t i = 0; i < row->count; i++)
        if (strcmp(row->fields[i].name, column) == 0)
            return &row->fields[i];
    return NULL;
}

/*
 * Marks the row invalid with a reason and returns CH_ERROR. The column is
 * kept apart from the reason, so that the operation using the row names it
 * where every message names a column.
 */
static int refuse(ch_row *row, const char *column, const ch_error *why)
{
    if (!row->invalid) {
        row->invalid = 1;
        row->invalid_column = strdup(column ? column : "(null)");
        row->invalid_why = *why;
    }
    return CH_ERROR;
}

/* Out of memory also invalidates the row: a value must never silently become NULL. */
static field *refuse_oom(ch_row *row, const char *column)
{
    ch_error e;
    err_set(&e, "out of memory");
    refuse(row, column, &e);
    return NULL;
}

/* Copies bytes into the field's value; out of memory invalidates the row. */
static int store(ch_row *row, const char *column, field *f, col_type type, const void *data,
                 size_t len)
{
    if (value_set_bytes(&f->v, type, data, len) != CH_OK) {
        value_set_null(&f->v);
        refuse_oom(row, column);
        return CH_ERROR;
    }
    return CH_OK;
}

/* slot() when the row is not refilled in the same order as before. */
static field *slot_search(ch_row *row, const char *column)
{
    size_t len;
    field *f;
    if (row == NULL)
        return NULL;
    if (column == NULL || *column == '\0') {
        ch_error e;
        err_set(&e, "empty column name");
        refuse(row, column, &e);
        return NULL;
    }
    f = (field *)row_find(row, column);
    if (f)
        return f;
    if (row->count == row->cap) {
        size_t cap = row->cap ? row->cap * 2 : 8;
        field *fields = realloc(row->fields, cap * sizeof *fields);
        if (fields == NULL)
            return refuse_oom(row, column);
        memset(fields + row->cap, 0, (cap - row->cap) * sizeof *fields);
        row->fields = fields;
        row->cap = cap;
    }
    f = &row->fields[row->count];
    /* a cleared row refilled with the same columns keeps their names, and what they found */
    if (f->name == NULL || strcmp(f->name, column) != 0) {
        len = strlen(column) + 1;
        if (len > f->name_cap) {
            char *name = realloc(f->name, len);
            if (name == NULL)
                return refuse_oom(row, column);
            f->name = name;
            f->name_cap = len;
        }
        memcpy(f->name, column, len);
        f->memo_table = 0;
    }
    row->count++;
    return f;
}

/*
 * The field to write column's value into when the row is refilled in the
 * same order as before (the common case, inline), else NULL: then the
 * existing one or a new slot is slot_search's to find. In that order, the
 * next field already has the name, and none before it can (a row's names
 * differ, and those before are their old selves), so no search is needed.
 * A stored name is never empty, so an empty column takes the search, which
 * refuses it.
 */
static inline field *slot_in_order(ch_row *row, const char *column)
{
    if (row != NULL && column != NULL && row->refilled == row->count && row->count < row->before &&
        strcmp(row->fields[row->count].name, column) == 0) {
        row->refilled++;
        return &row->fields[row->count++];
    }
    return NULL;
}

/* The field to write column's value into: the existing one or a new slot; NULL when refused. */
static inline field *slot(ch_row *row, const char *column)
{
    field *f = slot_in_order(row, column);
    return f != NULL ? f : slot_search(row, column);
}

long row_field_column_lookup(const field *f, const struct ch_table *t, size_t hint)
{
    field *memo = (field *)f; /* a cache, not the row's content */
    long c = table_find_column(t, f->name, hint);
    if (c >= 0) {
        memo->memo_table = t->uid;
        memo->memo_col = c;
    }
    return c;
}

/* set_integer() through slot_search(): apart, so that the common case saves fewer registers. */
static __attribute__((noinline)) int set_integer_searched(ch_row *row, const char *column,
                                                          col_type type, int64_t v)
{
    field *f = slot_search(row, column);
    if (f == NULL)
        return CH_ERROR;
    f->v.type = type;
    f->v.i = v;
    return CH_OK;
}

HOT int set_integer(ch_row *row, const char *column, col_type type, int64_t v)
{
    field *f = slot_in_order(row, column);
    if (f == NULL)
        return set_integer_searched(row, column, type, v);
    f->v.type = type;
    f->v.i = v;
    return CH_OK;
}

static int set_real(ch_row *row, const char *column, col_type type, double d)
{
    field *f = slot(row, column);
    if (f == NULL)
        return CH_ERROR;
    if (isnan(d)) {
        ch_error e;
        err_set(&e, "NaN cannot be stored");
        f->v.type = T_NONE;
        return refuse(row, column, &e);
    }
    f->v.type = type;
    f->v.d = d;
    return CH_OK;
}

/* Stores text of a type after checking it is UTF-8 (and not NULL). */
/* Refuses text that is not UTF-8. Apart: set_text's common case carries none of its buffers. */
static __attribute__((noinline)) int refuse_text(ch_row *row, const char *column, col_type type,
                                                 const char *text, size_t len)
{
    ch_error e;
    char quoted[300];
    err_set(&e, "%s value %s is not valid UTF-8", type_name(type),
            text_quote(text, len, quoted, sizeof quoted));
    return refuse(row, column, &e);
}

HOT int set_text(ch_row *row, const char *column, col_type type, const char *text, field **out)
{
    field *f = slot(row, column);
    size_t len;
    if (f == NULL)
        return CH_ERROR;
    *out = f;
    f->v.type = T_NONE;
    if (text == NULL)
        return CH_OK;
    len = strlen(text);
    if (!utf8_valid(text, len))
        return refuse_text(row, column, type, text, len);
    if (len < f->v.cap) { /* the buffer fits: value_set_bytes without the call */
        memcpy(f->v.buf, text, len);
        f->v.buf[len] = '\0';
        f->v.type = type;
        f->v.ptr = f->v.buf;
        f->v.len = len;
        return CH_OK;
    }
    return store(row, column, f, type, text, len);
}

int ch_row_set_null(ch_row *row, const char *column)
{
    field *f = slot(row, column);
    if (f == NULL)
        return CH_ERROR;
    value_set_null(&f->v);
    return CH_OK;
}

int ch_row_set_boolean(ch_row *row, const char *column, int v)
{
    return set_integer(row, column, T_BOOLEAN, v != 0);
}

int ch_row_set_short(ch_row *row, const char *column, int16_t v)
{
    return set_integer(row, column, T_SHORT, v);
}

int ch_row_set_int(ch_row *row, const char *column, int32_t v)
{
    return set_integer(row, column, T_INT, v);
}

int ch_row_set_long(ch_row *row, const char *column, int64_t v)
{
    return set_integer(row, column, T_LONG, v);
}

int ch_row_set_float(ch_row *row, const char *column, float v)
{
    return set_real(row, column, T_FLOAT, v);
}

int ch_row_set_double(ch_row *row, const char *column, double v)
{
    return set_real(row, column, T_DOUBLE, v);
}

int ch_row_set_string(ch_row *row, const char *column, const char *text)
{
    field *f;
    return set_text(row, column, T_STRING, text, &f);
}

int ch_row_set_xml(ch_row *row, const char *column, const char *text)
{
    field *f;
    return set_text(row, column, T_XML, text, &f);
}

int ch_row_set_json(ch_row *row, const char *column, const char *json_text)
{
    field *f;
    ch_error e;
    if (set_text(row, column, T_JSON, json_text, &f) != CH_OK)
        return CH_ERROR;
    if (f->v.type != T_NONE && !json_valid(f->v.ptr, f->v.len)) {
        char quoted[300];
        err_set(&e, "JSON value %s is not valid JSON",
                text_quote(f->v.ptr, f->v.len, quoted, sizeof quoted));
        f->v.type = T_NONE;
        return refuse(row, column, &e);
    }
    return CH_OK;
}

int ch_row_set_decimal(ch_row *row, const char *column, const char *text)
{
    field *f;
    ch_error e;
    char canon[DECIMAL_MAX_PRECISION + 8];
    if (set_text(row, column, T_DECIMAL, text, &f) != CH_OK)
        return CH_ERROR;
    if (f->v.type == T_NONE)
        return CH_OK;
    if (decimal_canonical(f->v.ptr, 0, 0, canon, sizeof canon, &e) != CH_OK) {
        f->v.type = T_NONE;
        return refuse(row, column, &e);
    }
    return store(row, column, f, T_DECIMAL, canon, strlen(canon));
}

/* Shared by the date and time setters: check, canonicalise, store. */
static int set_temporal(ch_row *row, const char *column, col_type type, const char *text)
{
    field *f;
    ch_error e;
    char canon[DATETIME_TEXT_MAX];
    int rc;
    if (set_text(row, column, type, text, &f) != CH_OK)
        return CH_ERROR;
    if (f->v.type == T_NONE)
        return CH_OK;
    switch (type) {
    case T_NAIVE_DATE:
        rc = date_check(f->v.ptr, &e);
        break;
    case T_NAIVE_TIME:
        rc = naive_time_canonical(f->v.ptr, canon, sizeof canon, &e);
        break;
    case T_NAIVE_DATETIME:
        rc = naive_datetime_canonical(f->v.ptr, canon, sizeof canon, &e);
        break;
    default:
        rc = utc_datetime_canonical(f->v.ptr, canon, sizeof canon, &e);
        break;
    }
    if (rc != CH_OK) {
        f->v.type = T_NONE;
        return refuse(row, column, &e);
    }
    if (type == T_NAIVE_DATE)
        return CH_OK; /* a valid date is its canonical text */
    return store(row, column, f, type, canon, strlen(canon));
}

int ch_row_set_naive_date(ch_row *row, const char *column, const char *text)
{
    return set_temporal(row, column, T_NAIVE_DATE, text);
}

int ch_row_set_naive_time(ch_row *row, const char *column, const char *text)
{
    return set_temporal(row, column, T_NAIVE_TIME, text);
}

int ch_row_set_naive_datetime(ch_row *row, const char *column, const char *text)
{
    return set_temporal(row, column, T_NAIVE_DATETIME, text);
}

int ch_row_set_utc_datetime(ch_row *row, const char *column, const char *text)
{
    return set_temporal(row, column, T_UTC_DATETIME, text);
}

int ch_row_set_binary(ch_row *row, const char *column, const void *data, size_t size)
{
    field *f = slot(row, column);
    if (f == NULL)
        return CH_ERROR;
    if (data == NULL && size > 0) {
        ch_error e;
        err_set(&e, "BINARY value has no data but size %zu", size);
        value_set_null(&f->v);
        return refuse(row, column, &e);
    }
    return store(row, column, f, T_BINARY, data ? data : "", size);
}
