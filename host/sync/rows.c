/* rows.c - counting each table's rows in the warehouse after a sync, through the destination. */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

int warehouse_rows_count(warehouse_rows *r, dest *d, const schema *sc, ch_error *err)
{
    memset(r, 0, sizeof *r);
    r->where = d->description;
    if (d->ops->count_rows == NULL)
        return CH_OK;
    r->counted = 1;
    if (sc == NULL || sc->ntables == 0)
        return CH_OK;
    if ((r->tables = malloc(sc->ntables * sizeof *r->tables)) == NULL) {
        r->counted = 0;
        return err_set(err, "out of memory");
    }
    r->count = sc->ntables;
    for (size_t i = 0; i < r->count; i++)
        r->tables[i].live = r->tables[i].deleted = -1;
    for (size_t i = 0; i < r->count; i++) {
        const table_def *t = sc->tables[i];
        if (d->ops->count_rows(d, t, &r->tables[i].live, &r->tables[i].deleted, err) != CH_OK) {
            /* one failure (a lost connection) would be every later table's too: stop here */
            r->tables[i].live = r->tables[i].deleted = -1;
            return err_prefix(err, "table '%s'", t->name);
        }
    }
    return CH_OK;
}

void warehouse_rows_free(warehouse_rows *r)
{
    free(r->tables);
    memset(r, 0, sizeof *r);
}
