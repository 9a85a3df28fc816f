/* evolve.h - typing undeclared columns from their values, and widening them (evolve.c). */
#ifndef HOST_EVOLVE_H
#define HOST_EVOLVE_H

#include "contract/row.h"
#include "sink.h"

/*
 * Adds the columns the row brings to t, types undeclared ones from their
 * first non-NULL value and widens them for later values, changing the
 * warehouse's column when the table is prepared. Fails the sync (and
 * returns CH_ERROR) when a column cannot be added or widened.
 */
int evolve_row(sink *s, table_def *t, sink_table *rt, const ch_row *row);

/* Logs a column that inference added: "table 't': new column 'c' of type LONG". */
void evolve_log_new_column(sink *s, const table_def *t, const column_def *col);

#endif
