/* row.h - the row builder behind ch_row_*: named values, reused between operations. */
#ifndef HOST_ROW_H
#define HOST_ROW_H

#include "value.h"

typedef struct field {
    char *name;
    size_t name_cap;
    value v;
} field;

struct ch_row {
    field *fields;
    size_t count, cap;
    int invalid;          /* a setter refused a value: operations with this row fail */
    char *invalid_column; /* which column (malloc'd; NULL when out of memory) */
    ch_error invalid_why; /* and why */
};

/* The field holding column, or NULL. */
const field *row_find(const ch_row *row, const char *column);

#endif
