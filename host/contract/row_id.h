/* row_id.h - the _fivetran_id of a row of a table without a primary key (row_id.c). */
#ifndef HOST_ROW_ID_H
#define HOST_ROW_ID_H

#include "schema.h"
#include "value.h"

/* 32 hex digits and a NUL. */
#define ROW_ID_SIZE 33

/*
 * A stable id from the row's non-NULL values (vals: one per column of t,
 * converted to the column's type), in column-name order (not column order),
 * into out.
 */
void row_id_of(const table_def *t, const value *vals, char out[ROW_ID_SIZE]);

#endif
