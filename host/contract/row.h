/* row.h - the row builder behind ch_row_*: named values, reused between operations. */
#ifndef HOST_ROW_H
#define HOST_ROW_H

#include "schema.h"
#include "value.h"

typedef struct field {
    char *name;
    size_t name_cap;
    value v;
    /* row_field_column's memory: the column of this name in the table of uid memo_table (0: none)
     */
    unsigned long memo_table;
    long memo_col;
} field;

struct ch_row {
    field *fields;
    size_t count, cap;
    /*
     * Since the last clear, fields [0, refilled) got the names they had before
     * it, among the first `before` (the count at the clear), which all differ.
     */
    size_t refilled, before;
    int invalid;          /* a setter refused a value: operations with this row fail */
    char *invalid_column; /* which column (malloc'd; NULL when out of memory) */
    ch_error invalid_why; /* and why */
};

/* The field holding column, or NULL. */
const field *row_find(const ch_row *row, const char *column);

/*
 * The index of the field's column in table t, or -1; remembered in the field
 * for the next operation with the same row and table (a row is usually
 * refilled with the same columns), and forgotten when the field's name
 * changes. Columns are only ever added to a table, so an index stays right;
 * a column the warehouse named and a field adopted (table_adopt_column) is
 * then found by both names, which mean the same warehouse column.
 */
long row_field_column_lookup(const field *f, const struct ch_table *t, size_t hint);

static inline long row_field_column(const field *f, const struct ch_table *t, size_t hint)
{
    /* the memo's hit inline: every field of every operation asks, twice */
    if (f->memo_table == t->uid && f->memo_col >= 0 && (size_t)f->memo_col < t->ncols)
        return f->memo_col;
    return row_field_column_lookup(f, t, hint);
}

#endif
