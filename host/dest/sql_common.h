/* sqltext.h - pieces of SQL text both SQL destinations write the same way. */
#ifndef HOST_SQLTEXT_H
#define HOST_SQLTEXT_H

#include "contract/schema.h"
#include "base/textbuf.h"

/* Appends a quoted identifier, '"' doubled: a column made by hand may hold any name. */
void sql_ident(textbuf *b, const char *name);

/* Appends the table's key columns as quoted identifiers ("a", "b"), or _fivetran_id. */
void sql_key_list(textbuf *b, const table_def *t);

#endif
