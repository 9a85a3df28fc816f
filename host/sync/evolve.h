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
/*
 * True when evolve_row() acts on the field f, whose column in t is c (-1:
 * none yet): a value that adds its column, or types or widens one not
 * declared. The sink asks it of every field of every operation.
 */
static inline int evolve_wanted(const table_def *t, long c, const field *f)
{
    return f->v.type != T_NONE &&
           (c < 0 || (!t->cols[c].declared &&
                      (f->v.type != t->cols[c].type || t->cols[c].type == T_DECIMAL)));
}

int evolve_row(sink *s, table_def *t, sink_table *rt, const ch_row *row);

/* Logs a column that inference added: "table 't': new column 'c' of type LONG". */
void evolve_log_new_column(sink *s, const table_def *t, const column_def *col);

#endif
