/*
 * rows.h - each table's rows in the warehouse once a sync has ended, for
 * the summary: counted by the destination where it can do so cheaply.
 */
#ifndef HOST_ROWS_H
#define HOST_ROWS_H

#include <stddef.h>

#include "dest/dest.h"
#include "contract/schema.h"

/* One table's committed rows; -1 and -1 when they were not counted. */
typedef struct table_rows {
    long live, deleted;
} table_rows;

typedef struct warehouse_rows {
    int counted;        /* 0: the destination cannot count (count_rows is NULL) */
    const char *where;  /* the destination's description, to say which could not */
    table_rows *tables; /* parallel to the schema's tables */
    size_t count;
} warehouse_rows;

/*
 * Counts the rows of every table of sc in d. d must have no transaction
 * open: the sync's last commit or rollback is done. A table the warehouse
 * lacks has 0 and 0. On failure (CH_ERROR, err naming the table) the tables
 * from that one on are -1; r is still usable by the summary.
 */
int warehouse_rows_count(warehouse_rows *r, dest *d, const schema *sc, ch_error *err);

void warehouse_rows_free(warehouse_rows *r);

#endif
