/*
 * workload_oracle.c - prints the table `w` that the workload connector leaves
 * after its first POS operations, as `sqlite3` prints
 *     select id, val, txt, _fivetran_deleted from w order by id
 * Usage: workload_oracle POS [KEYS]
 */
#include <stdio.h>
#include <stdlib.h>

#include "plugins/workload_stream.h"

typedef struct {
    int exists, deleted;
    long val, txt;
} row_state;

int main(int argc, char **argv)
{
    long pos, keys;
    row_state *rows;
    if (argc < 2) {
        fprintf(stderr, "usage: workload_oracle POS [KEYS]\n");
        return 2;
    }
    pos = atol(argv[1]);
    keys = argc > 2 ? atol(argv[2]) : 500;
    rows = calloc((size_t)keys, sizeof *rows);
    if (rows == NULL || keys <= 0)
        return 1;
    for (long i = 0; i < pos; i++) {
        enum workload_kind kind;
        long key;
        row_state *r;
        workload_op(i, keys, &kind, &key);
        r = &rows[key];
        if (kind == W_UPSERT) {
            r->exists = 1;
            r->deleted = 0;
            r->val = i;
            r->txt = i;
        } else if (kind == W_UPDATE && r->exists) {
            r->val = i; /* a partial update leaves txt and the deleted flag alone */
        } else if (kind == W_DELETE && r->exists) {
            r->deleted = 1;
        }
    }
    for (long k = 0; k < keys; k++)
        if (rows[k].exists)
            printf("%ld|%ld|t%ld|%d\n", k, rows[k].val, rows[k].txt, rows[k].deleted);
    free(rows);
    return 0;
}
